#!/usr/bin/env python3
"""client.py CASE: `sipfed check --client` as a user runs it (CLI-001..004).

offline.py and live.py compare the msxfaq-client stage with its expected file;
these cases pin what they do not: the text output of the links, that nothing
of --client appears without it, what is left with DNS only (--zone without
--certs), and that an autodiscover answer is untrusted input for both
writers.
"""

import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402
from offline import offline_args  # noqa: E402

STAGE = "msxfaq-client"


def blocks(text):
    """{domain: [lines]} of the text output (a block starts at column 0; the
    closing "summary: ..." line of a multi-domain run is no block)."""
    out, cur = {}, None
    for line in text.splitlines():
        if line.startswith("summary: "):
            cur = None
        elif line and not line.startswith(" "):
            cur = line.split()[0]
            out[cur] = []
        elif cur is not None and line:
            out[cur].append(line)
    return out


def case_text_links(tmp):
    sflab.gen(tmp, [STAGE])
    # --all: every finding in its domain's block (no groups after the blocks)
    run = sflab.run_sipfed(["check"] + offline_args(STAGE, tmp) + ["--client", "--format", "text",
                                                                   "--all"]
                           + sflab.stage_domains(STAGE))
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    b = blocks(run.out)
    check(sorted(b) == sorted(sflab.stage_domains(STAGE)), "blocks %s\n%s" % (sorted(b),
                                                                             run.describe()))
    want = [
        "  link  self    https://webext.netatwork.de/Autodiscover/AutodiscoverService.svc/root"
        "?originalDomain=netatwork.de",
        "  link  user    https://webext.netatwork.de/Autodiscover/AutodiscoverService.svc/root"
        "/oauth/user?originalDomain=netatwork.de",
        "  link  xframe  https://webext.netatwork.de/Autodiscover/XFrame/XFrame.html",
    ]
    got = [ln for ln in b["netatwork.de"] if ln.startswith("  link")]
    check(got == want, "netatwork.de link lines %s, want %s" % (got, want))
    for d in ("fabrikam.com", "adatum.com"):
        got = [ln for ln in b[d] if ln.startswith("  link")]
        check(got == ["  link  (no autodiscover answer)"], "%s: link lines %s" % (d, got))
    # The links come before the findings, after the SRV line.
    lines = b["netatwork.de"]
    check(lines[0].startswith("  SRV") and lines[1].startswith("  link"),
          "netatwork.de block order: %s" % lines[:3])


def case_no_client(tmp):
    sflab.gen(tmp, [STAGE])
    base = ["check"] + offline_args(STAGE, tmp)
    run = sflab.run_sipfed(base + ["--json"] + sflab.stage_domains(STAGE))
    doc = sflab.parse_json_doc(run)
    for r in doc["results"]:
        check("links" not in r, "%s: \"links\" without --client\n%s" % (r["domain"],
                                                                       run.describe()))
        ids = [f["id"] for f in r["findings"] if f["id"].startswith("CLI-")]
        check(not ids, "%s: %s without --client" % (r["domain"], ids))
    check(run.rc == 0, "the federation side of the stage is clean: exit %d\n%s"
          % (run.rc, run.describe()))
    run = sflab.run_sipfed(base + ["--format", "text"] + sflab.stage_domains(STAGE))
    check(not re.search(r"^  link ", run.out, re.M), "link lines without --client\n"
          + run.describe())


def case_dns_only(tmp):
    """--zone without --certs: the rules that need no certificate or HTTP answer."""
    run = sflab.run_sipfed(["check"] + sflab.zone_args(sflab.stage_zones(STAGE))
                           + ["--client", "--json"] + sflab.stage_domains(STAGE))
    doc = sflab.parse_json_doc(run)
    want = sorted([
        ("msxfaq.de", "CLI-001", "error", "sip.netatwork.de"),
        ("msxfaq.de", "CLI-003", "warning", "lyncdiscover.msxfaq.de"),
        ("msxfaq.de", "CLI-004", "warning", "dialin.msxfaq.de"),
        ("contoso.com", "CLI-001", "warning", "sip.contoso.com"),
        ("contoso.com", "CLI-003", "warning", "lyncdiscover.contoso.com"),
        ("contoso.com", "CLI-004", "warning", "meet.contoso.com"),
        ("adatum.com", "CLI-001", "warning", "_sip._tls.adatum.com"),
        ("adatum.com", "CLI-002", "error", "lyncdiscover.adatum.com"),
        ("adatum.com", "CLI-004", "warning", "meet.adatum.com"),
    ])
    d = sflab.diff_keys(want, sflab.finding_keys(doc))
    check(not d, "DNS-only findings differ:\n%s\n%s" % (d, run.describe()))
    for r in doc["results"]:
        check(r.get("links") == [], "%s: links %r with DNS only" % (r["domain"], r.get("links")))
    check(run.rc == 1, "exit %d, want 1" % run.rc)


HOSTILE_ZONE = """$ORIGIN example.com.
$TTL 3600
@	IN	SOA	ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300
	IN	NS	ns1.example.com.
ns1	IN	A	93.184.216.53
_sipfederationtls._tcp	IN	SRV	0 0 5061 sip.example.com.
_sip._tls	IN	SRV	0 0 443 sip.example.com.
sip	IN	A	93.184.216.61
lyncdiscover	IN	A	93.184.216.70
"""

# A name and an href with a terminal escape, an OSC title sequence, BEL and a C1 CSI.
HOSTILE_BODY = ('{"_links":{"se\\u001b[31mlf":{"href":"https://x.example/\\u001b]0;pwned'
                '\\u0007\\u009b2J"},"user":{"href":"https://ok.example/u"}}}')


def case_hostile_answer(tmp):
    zone = os.path.join(tmp, "example.com.zone")
    certs = os.path.join(tmp, "certs")
    os.makedirs(certs)
    with open(zone, "w", encoding="utf-8") as f:
        f.write(HOSTILE_ZONE)
    # HTTP only (no chain in the lab): CLI-003, links from the HTTP answer.
    with open(os.path.join(certs, "lyncdiscover.example.com.http.autodiscover.json"), "w",
              encoding="utf-8") as f:
        f.write(HOSTILE_BODY)
    base = ["check", "--zone", zone, "--certs", certs, "--client", "example.com"]
    run = sflab.run_sipfed(base + ["--format", "text"])
    check(run.rc in (0, 1), "exit %d\n%s" % (run.rc, run.describe()))
    for bad in ("\x1b", "\x07", "\x9b"):
        check(bad not in run.out, "raw %r from the autodiscover answer reached the terminal:\n%r"
              % (bad, run.out))
    check("\\x1b[31m" in run.out and "\\x1b]0;pwned\\x07\\xc2\\x9b2J" in run.out,
          "escaped link name / href not shown:\n" + run.out)
    run = sflab.run_sipfed(base + ["--json"])
    doc = sflab.parse_json_doc(run)
    links = doc["results"][0].get("links")
    check(links == [{"name": "se\x1b[31mlf", "href": "https://x.example/\x1b]0;pwned\x07\x9b2J"},
                    {"name": "user", "href": "https://ok.example/u"}],
          "JSON links %r" % links)
    check(any(f["id"] == "CLI-003" and f["subject"] == "lyncdiscover.example.com"
              for f in doc["results"][0]["findings"]),
          "no CLI-003 for an answer over HTTP only\n" + run.describe())


def dialin_findings(doc):
    """[(domain, subject, message, fix)] of the CLI-004 findings on dial-in hosts."""
    return [(r["domain"], f["subject"], f["message"], f["fix"]) for r in doc["results"]
            for f in r["findings"] if f["id"] == "CLI-004" and f["subject"].startswith("dialin.")]


def case_dialin_order(tmp):
    """One dial-in URL per deployment (CLI-004): netatwork.de and msxfaq.de publish dial-in
    names on the same reverse proxy, whose certificate carries dialin.netatwork.de only.
    Whatever the order of the domains, the advice keeps dialin.netatwork.de (it works) and
    removes dialin.msxfaq.de (its certificate check fails)."""
    sflab.gen(tmp, [STAGE])
    base = ["check"] + offline_args(STAGE, tmp) + ["--client", "--json"]
    for order in (["netatwork.de", "msxfaq.de"], ["msxfaq.de", "netatwork.de"]):
        run = sflab.run_sipfed(base + order)
        doc = sflab.parse_json_doc(run)
        got = dialin_findings(doc)
        where = "order %s" % " ".join(order)
        check(run.rc == 1, "%s: exit %d\n%s" % (where, run.rc, run.describe()))
        for dom, subj, msg, fix in got:
            check(subj == "dialin.msxfaq.de", "%s: a CLI-004 finding on %s (%s): %s\n%s"
                  % (where, subj, dom, msg, run.describe()))
            check("remove dialin.netatwork.de" not in (fix or "")
                  and "keep dialin.msxfaq.de" not in (fix or ""),
                  "%s: advice keeps the dial-in URL that fails: %s" % (where, fix))
        shared = [g for g in got if "points at the same web server" in g[2]]
        check(len(shared) == 1, "%s: %d 'same web server' findings, want 1\n%s"
              % (where, len(shared), run.describe()))
        dom, subj, msg, fix = shared[0]
        check(fix.startswith("remove dialin.msxfaq.de") and "keep dialin.netatwork.de" in fix,
              "%s: fix %r" % (where, fix))
        check("dialin.netatwork.de is the one to keep: it works" in msg,
              "%s: message does not say why: %r" % (where, msg))
        # Reported where the second dial-in name is seen: the later domain of the two.
        check(dom == order[1], "%s: reported on %s, want %s" % (where, dom, order[1]))
    # DNS only (no certificates): which one works is unknown; the first given is kept, and
    # the message says so.
    run = sflab.run_sipfed(["check"] + sflab.zone_args(sflab.stage_zones(STAGE))
                           + ["--client", "--json", "msxfaq.de", "netatwork.de"])
    got = dialin_findings(sflab.parse_json_doc(run))
    check(len(got) == 1 and got[0][0] == "netatwork.de" and got[0][1] == "dialin.netatwork.de"
          and "not known which one works: the one of the domain checked first "
          "(dialin.msxfaq.de) is kept" in got[0][2], "DNS only: %r\n%s" % (got, run.describe()))


def case_help(tmp):
    run = sflab.run_sipfed(["check", "--help"])
    check(run.rc == 0 and "--client" in run.out, "check --help does not document --client\n"
          + run.describe())


CASES = {
    "text-links": case_text_links,
    "no-client": case_no_client,
    "dns-only": case_dns_only,
    "hostile-answer": case_hostile_answer,
    "dialin-order": case_dialin_order,
    "help": case_help,
}


def run_case(name):
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: client.py %s" % "|".join(CASES))
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
