#!/usr/bin/env python3
"""fed.py CASE: the inbound callback (FED-001), allow lists (FED-003) and the
Direct Routing profile (DR-001, TLS-001 cipher, the DR root list), run as a
user runs `sipfed check`.

Callback cases use the Cisco stages of the seed lab: the Expressway-E
vcse.steven.lab is the peer and sends the UC domain steven.lab and the CMS
domains acano.steven.lab and cms.steven.lab.  cisco-dns: the CMS domains fail
by DNS (DNS-005 -> FED-001); cisco-cert: they fail by certificate (the peer's
certificate lacks vcse.acano.steven.lab); cisco-fixed: every domain passes.

Direct Routing cases build their own lab at test time (a root, an
intermediate, SBC leaves RSA 2048 and one ECDSA P-256, zones for example.com
and onmicrosoft.com) and a data directory whose trusted-roots.txt lists the
test root; live cases serve the SBCs with `openssl s_server` on 127.0.0.1
(TLS 1.2, a server restricted to a suite Microsoft does not list, TLS 1.1,
TLS 1.3 only) and the zone with knotd.

Exit status: 0 pass, 1 fail, 77 skip (knotd or openssl missing).
"""

import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402
from offline import offline_args  # noqa: E402

DOMAINS = ["steven.lab", "acano.steven.lab", "cms.steven.lab"]
PEER = "vcse.steven.lab"


def findings(result, fid):
    return [f for f in result["findings"] if f["id"] == fid]


def one(result, fid, run, severity=None):
    fs = findings(result, fid)
    check(len(fs) == 1, "%s: expected one %s finding, got %d\n%s"
          % (result["domain"], fid, len(fs), run.describe()))
    if severity:
        check(fs[0]["severity"] == severity, "%s: %s is %s, expected %s\n%s" % (
            result["domain"], fid, fs[0]["severity"], severity, run.describe()))
    return fs[0]


def contains(text, needle, where, run):
    check(needle in (text or ""), "%s: %r not in %r\n%s" % (where, needle, text, run.describe()))


# --- FED-001 on the Cisco stages ------------------------------------------------

def callback_run(tmp, stage, peer_args, fmt="--json"):
    sflab.gen(tmp, [stage])
    return sflab.run_sipfed(["check"] + offline_args(stage, tmp) + peer_args + [fmt] + DOMAINS)


def callback_doc(tmp, stage, peer_args):
    run = callback_run(tmp, stage, peer_args)
    doc = sflab.parse_json_doc(run)
    return run, doc, sflab.results_by_domain(doc, run)


def check_accepted(by, dom, target, run):
    f = one(by[dom], "FED-001", run, "info")
    contains(f["message"], "the SRV target %s of %s is in the certificate" % (target, dom),
             dom, run)


def case_callback_dns(tmp):
    peer = ["--callback", "--peer-host", PEER]
    run, doc, by = callback_doc(tmp, "cisco-dns", peer)
    check(run.rc == 1, "exit %d, expected 1\n%s" % (run.rc, run.describe()))
    check_accepted(by, "steven.lab", PEER, run)
    # acano.steven.lab -> vcse.steven.lab: the Edge's NO_SRV_MATCH (seed 001).
    f = one(by["acano.steven.lab"], "FED-001", run, "error")
    contains(f["message"], "callback check", "acano", run)
    contains(f["message"], "(DNS-005)", "acano", run)
    contains(f["message"], "vcse.steven.lab", "acano", run)
    contains(f["fix"], "then add vcse.acano.steven.lab as a SAN dNSName to the certificate the "
             "peer presents", "acano fix", run)
    sflab.check_microsoft(f, {"ms_diagnostics": 1009, "result_code": "0xC3E93D6F",
                              "name": "SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH"},
                          "acano FED-001")
    one(by["acano.steven.lab"], "DNS-005", run, "error")
    check(by["acano.steven.lab"]["verdict"] == "fail", "acano verdict\n" + run.describe())
    f = one(by["cms.steven.lab"], "FED-001", run, "error")
    contains(f["message"], "sub-domain", "cms", run)
    contains(f["fix"], "vcse.cms.steven.lab", "cms fix", run)
    # The same peer given as a file: the same FED-001 findings.
    run2, doc2, by2 = callback_doc(tmp, "cisco-dns", [
        "--peer-cert", os.path.join(tmp, "cisco-dns", "certs", PEER + ".pem")])
    check(run2.rc == run.rc, "--peer-cert exit %d, --peer-host %d" % (run2.rc, run.rc))
    for dom in DOMAINS:
        a = [(f["severity"], f["message"]) for f in findings(by[dom], "FED-001")]
        b = [(f["severity"], f["message"]) for f in findings(by2[dom], "FED-001")]
        check(a == b, "%s: --peer-host %s, --peer-cert %s" % (dom, a, b))
    # Without --callback, no FED-001 at all.
    plain = sflab.run_sipfed(["check"] + offline_args("cisco-dns", tmp) + ["--json"] + DOMAINS)
    pdoc = sflab.parse_json_doc(plain)
    check(not any(f["id"] == "FED-001" for r in pdoc["results"] for f in r["findings"]),
          "FED-001 without --callback\n" + plain.describe())


def case_callback_cert(tmp):
    run, doc, by = callback_doc(tmp, "cisco-cert", ["--peer-host", PEER])
    check(run.rc == 1, "exit %d, expected 1\n%s" % (run.rc, run.describe()))
    check_accepted(by, "steven.lab", PEER, run)
    for dom in ("acano.steven.lab", "cms.steven.lab"):
        target = "vcse." + dom
        f = one(by[dom], "FED-001", run, "error")
        contains(f["message"], "does not carry %s, the SRV target of %s" % (target, dom), dom,
                 run)
        contains(f["fix"], "add %s as a SAN dNSName to the certificate the peer presents" % target,
                 dom, run)
        contains(f["fix"], "SAN dNSNames vcse.steven.lab", dom, run)
        sflab.check_microsoft(f, {"ms_diagnostics": 1010, "result_code": "0xC3E93D67",
                                  "hresult": "0x80090322"}, dom + " FED-001")
        check(not findings(by[dom], "DNS-005"), "%s: DNS-005 in cisco-cert" % dom)
    # Text output: the finding, its Microsoft side and its fix.
    txt = callback_run(tmp, "cisco-cert", ["--peer-host", PEER], fmt="--format=text")
    check(txt.rc == 1, "text exit %d" % txt.rc)
    contains(txt.out, "FED-001", "text", txt)
    contains(txt.out, "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH", "text", txt)
    contains(re.sub(r"\s+", " ", txt.out), "fix: add vcse.acano.steven.lab as a SAN dNSName",
             "text", txt)


def case_callback_fixed(tmp):
    run, doc, by = callback_doc(tmp, "cisco-fixed", ["--callback", "--peer-cert", os.path.join(
        tmp, "cisco-fixed", "certs", PEER + ".pem")])
    check(run.rc == 0, "exit %d, expected 0\n%s" % (run.rc, run.describe()))
    for dom in DOMAINS:
        check_accepted(by, dom, PEER if dom == "steven.lab" else "vcse." + dom, run)
        check(by[dom]["verdict"] == "warn", "%s: verdict %s (only lab warnings expected)\n%s"
              % (dom, by[dom]["verdict"], run.describe()))
        check(not any(f["severity"] == "error" for f in by[dom]["findings"]),
              "%s: an error finding\n%s" % (dom, run.describe()))


def peer_refused_run(tmp, extra):
    """cisco-fixed checked with its own PKI, the peer's chain as given by @extra."""
    run = callback_run(tmp, "cisco-fixed", extra)
    doc = sflab.parse_json_doc(run)
    return run, sflab.results_by_domain(doc, run)


def case_callback_untrusted(tmp):
    """The peer presents the right names from a CA the Edge does not trust: no domain is
    accepted, FED-001 says why (CERT-005) instead of 'accepts'."""
    other = os.path.join(tmp, "other")
    sflab.gen(other, ["cisco-fixed"])  # the same names, another root (fresh keys)
    run, by = peer_refused_run(tmp, ["--peer-cert", os.path.join(
        other, "cisco-fixed", "certs", PEER + ".pem")])
    check(run.rc == 1, "exit %d, expected 1\n%s" % (run.rc, run.describe()))
    for dom in DOMAINS:
        f = one(by[dom], "FED-001", run, "error")
        check("accepts" not in f["message"], "%s: FED-001 still accepts\n%s"
              % (dom, run.describe()))
        contains(f["message"], "does not lead to a root the Edge trusts (see CERT-005 of "
                 + PEER + ")", dom, run)
        contains(f["message"], "which alone would accept " + dom, dom, run)
        sflab.check_microsoft(f, {"ms_diagnostics": 1010, "hresult": "0x800B0109"},
                              dom + " FED-001")
    # The CERT-005 it points at is there, once, about the peer's chain.
    c5 = [f for r in by.values() for f in r["findings"] if f["id"] == "CERT-005"]
    check(c5 and all(f["subject"] == PEER for f in c5),
          "no CERT-005 of %s\n%s" % (PEER, run.describe()))
    # The same chain from the lab that issued it: accepted.
    run, by = peer_refused_run(tmp, ["--peer-cert", os.path.join(
        tmp, "cisco-fixed", "certs", PEER + ".pem")])
    for dom in DOMAINS:
        one(by[dom], "FED-001", run, "info")


def case_callback_expired(tmp):
    """--at after the peer's notAfter (the CAs still valid): FED-001 is an error naming
    the expiry (CERT-004), not 'accepts'."""
    sflab.gen(tmp, ["cisco-fixed"])
    pem = os.path.join(tmp, "cisco-fixed", "certs", PEER + ".pem")
    p = subprocess.run([sflab.find_tool("openssl"), "x509", "-in", pem, "-noout", "-enddate"],
                       stdout=subprocess.PIPE, check=True)
    import datetime
    end = datetime.datetime.strptime(p.stdout.decode().strip().split("=", 1)[1],
                                     "%b %d %H:%M:%S %Y GMT")
    at = (end + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = sflab.run_sipfed(["check"] + offline_args("cisco-fixed", tmp)
                           + ["--at", at, "--json", "--peer-cert", pem] + DOMAINS)
    by = sflab.results_by_domain(sflab.parse_json_doc(run), run)
    check(run.rc == 1, "exit %d, expected 1\n%s" % (run.rc, run.describe()))
    for dom in DOMAINS:
        f = one(by[dom], "FED-001", run, "error")
        contains(f["message"], "the certificate the peer presents expired on", dom, run)
        contains(f["message"], "(see CERT-004 of ", dom, run)
        sflab.check_microsoft(f, {"ms_diagnostics": 1010, "hresult": "0x800B0101"},
                              dom + " FED-001")


def case_callback_live(tmp):
    """cisco-cert served by knotd and s_server: --peer-host fetches the chain live."""
    if not sflab.find_tool("knotd"):
        raise sflab.Skip("knotd is not installed (Debian package knot)")
    if not sflab.find_tool("openssl"):
        raise sflab.Skip("openssl is not installed")
    import live  # noqa: E402  (the live stages' helpers)
    stage = "cisco-cert"
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [stage])
    zones = sflab.stage_zones(stage)
    n_addr = len({r[2][0] for r in sflab.stage_records(zones) if r[1] == "A"})
    first_x = live.pick_block(n_addr, {5061}, 190)
    rzones, mapping = sflab.rewrite_zones(zones, os.path.join(tmp, "zones"), first_x)
    eps = live.endpoints(rzones, sflab.stage_hosts(stage), lab, stage)
    knot = sflab.Knot(tmp, rzones)
    servers = []
    try:
        port = knot.start()
        for a, p, fqdn in eps:
            s = sflab.TlsServer(tmp, a, p, os.path.join(lab, stage, "leaf", fqdn + ".pem"),
                                os.path.join(lab, "ca", "inter.pem"),
                                os.path.join(lab, stage, "keys", fqdn + ".key"), fqdn)
            servers.append(s)
            s.start()
        run = sflab.run_sipfed(["check", "--resolver", "127.0.0.1:%d" % port, "--timeout", "3000",
                                "--trust", os.path.join(lab, "ca", "root.pem"),
                                "--no-system-trust", "--json", "--peer-host", PEER + ":5061"]
                               + DOMAINS, timeout=120)
        bad = sflab.run_sipfed(["check", "--resolver", "127.0.0.1:%d" % port, "--timeout", "1000",
                                "--peer-host", "nosuchhost.steven.lab", "steven.lab"])
    finally:
        for s in servers:
            s.stop()
        knot.stop()
    doc = sflab.parse_json_doc(run)
    by = sflab.results_by_domain(doc, run)
    check(run.rc == 1, "live exit %d, expected 1\n%s" % (run.rc, run.describe()))
    check_accepted(by, "steven.lab", PEER, run)
    for dom in ("acano.steven.lab", "cms.steven.lab"):
        f = one(by[dom], "FED-001", run, "error")
        contains(f["message"], "does not carry vcse." + dom, dom, run)
    # The same as offline with the same zones and certificates.
    off = sflab.run_sipfed(["check"] + offline_args(stage, lab, rzones)
                           + ["--json", "--peer-host", PEER] + DOMAINS)
    oby = sflab.results_by_domain(sflab.parse_json_doc(off), off)
    for dom in DOMAINS:
        a = sorted((f["id"], f["severity"], f["message"]) for f in findings(by[dom], "FED-001"))
        b = sorted((f["id"], f["severity"], f["message"]) for f in findings(oby[dom], "FED-001"))
        check(a == b, "%s: live %s, offline %s" % (dom, a, b))
    # A peer that does not resolve: exit 2 and one line naming it.
    check(bad.rc == 2 and bad.err.count("\n") == 1 and "nosuchhost.steven.lab" in bad.err
          and bad.err.startswith("sipfed: "), "unresolvable peer\n" + bad.describe())


# --- FED-003 -----------------------------------------------------------------------

ALLOW_PLAIN = """# Allowed domains of the Edge (Get-CsAllowedDomain), one a line
steven.lab        vcse.steven.lab
acano.steven.lab  sip.acano.steven.lab   # the CMS before it moved behind the Expressway
skype.lab
"""

ALLOW_CSV = """#TYPE Deserialized.Microsoft.Rtc.Management.WritableConfig.Edge.AllowedDomain
"Identity","Domain","ProxyFqdn","Comment","MarkForMonitoring"
"steven.lab","steven.lab","vcse.steven.lab","UC, Expressway-E","False"
"acano.steven.lab","acano.steven.lab","sip.acano.steven.lab","old ""CMS"" proxy","False"
"skype.lab","skype.lab","","","False"
"""


def write(path, text, mode="w"):
    with open(path, mode, encoding="utf-8", newline="") as f:
        f.write(text)
    return path


def case_allow_list(tmp):
    stage = "cisco-fixed"
    sflab.gen(tmp, [stage])
    for name, text in (("allow.txt", ALLOW_PLAIN), ("allow.csv", ALLOW_CSV),
                       ("allow-crlf.csv", "\ufeff" + ALLOW_CSV.replace("\n", "\r\n"))):
        path = write(os.path.join(tmp, name), text)
        run = sflab.run_sipfed(["check"] + offline_args(stage, tmp)
                               + ["--allow-list", path, "--json", "steven.lab"])
        doc = sflab.parse_json_doc(run)
        by = sflab.results_by_domain(doc, run)
        # The old proxy of acano.steven.lab no longer exists: the Edge cannot route there.
        check(run.rc == 1, "%s: exit %d\n%s" % (name, run.rc, run.describe()))
        # The list's domains are checked in addition, each once.
        check([r["domain"] for r in doc["results"]] == ["steven.lab", "acano.steven.lab",
                                                         "skype.lab"],
              "%s: domains %s" % (name, [r["domain"] for r in doc["results"]]))
        fs = findings(by["acano.steven.lab"], "FED-003")
        w = [f for f in fs if f["severity"] == "warning"]
        e = [f for f in fs if f["severity"] == "error"]
        check(len(w) == 1 and len(e) == 1 and len(fs) == 2,
              "%s: FED-003 of acano.steven.lab %s\n%s"
              % (name, [(f["severity"], f["subject"]) for f in fs], run.describe()))
        contains(w[0]["message"], "names sip.acano.steven.lab as proxy FQDN of "
                 "acano.steven.lab, but its SRV record points at vcse.acano.steven.lab", name, run)
        contains(w[0]["fix"], "Set-CsAllowedDomain -Identity acano.steven.lab -ProxyFqdn "
                 "vcse.acano.steven.lab", name, run)
        check(e[0]["subject"] == "sip.acano.steven.lab", "%s: FED-003 error subject %s"
              % (name, e[0]["subject"]))
        contains(e[0]["message"], "sip.acano.steven.lab does not exist (NXDOMAIN): this Edge "
                 "sends the requests for acano.steven.lab to sip.acano.steven.lab", name, run)
        contains(e[0]["fix"], "Set-CsAllowedDomain -Identity acano.steven.lab -ProxyFqdn "
                 "vcse.acano.steven.lab", name, run)
        for dom in ("steven.lab", "skype.lab"):
            check(not findings(by[dom], "FED-003"), "%s: FED-003 on %s\n%s"
                  % (name, dom, run.describe()))
    # With the callback too: FED-003 and FED-001 on the same result (a domain the peer sends).
    run = sflab.run_sipfed(["check"] + offline_args(stage, tmp)
                           + ["--allow-list", os.path.join(tmp, "allow.txt"), "--json",
                              "--peer-host", PEER, "steven.lab", "acano.steven.lab"])
    by = sflab.results_by_domain(sflab.parse_json_doc(run), run)
    check(len(findings(by["acano.steven.lab"], "FED-003")) == 2, "FED-003\n" + run.describe())
    one(by["acano.steven.lab"], "FED-001", run, "info")


def case_allow_list_callback(tmp):
    """--callback with --allow-list: the peer's certificate concerns the domains the peer
    sends (the DOMAIN arguments) only; a domain that only the list names gets its normal
    checks and FED-003, no FED-001 and nothing about the peer's chain."""
    stage = "cisco-fixed"
    sflab.gen(tmp, [stage])
    # The Edge's list, its entries current (no FED-003): only the callback is at stake.
    path = write(os.path.join(tmp, "allow.csv"), ALLOW_CSV.replace(
        '"sip.acano.steven.lab","old ""CMS"" proxy"', '"vcse.acano.steven.lab","CMS"'))
    pem = os.path.join(tmp, stage, "certs", PEER + ".pem")
    run = sflab.run_sipfed(["check"] + offline_args(stage, tmp)
                           + ["--callback", "--peer-cert", pem, "--allow-list", path, "--json",
                              "steven.lab"])
    doc = sflab.parse_json_doc(run)
    by = sflab.results_by_domain(doc, run)
    check(run.rc == 0, "exit %d, expected 0 (lab warnings only)\n%s" % (run.rc, run.describe()))
    check([r["domain"] for r in doc["results"]] == ["steven.lab", "acano.steven.lab",
                                                     "skype.lab"],
          "domains %s" % [r["domain"] for r in doc["results"]])
    one(by["steven.lab"], "FED-001", run, "info")
    for dom in ("acano.steven.lab", "skype.lab"):
        got = [(f["id"], f["subject"]) for f in by[dom]["findings"]
               if f["id"] == "FED-001" or f["subject"] == PEER]
        check(not got, "%s (allow list only): %s\n%s" % (dom, got, run.describe()))
        check(by[dom]["verdict"] == "warn", "%s: verdict %s\n%s" % (dom, by[dom]["verdict"],
                                                                   run.describe()))
    for dom in DOMAINS[:2] + ["skype.lab"]:
        check(not findings(by[dom], "FED-003"), "%s: FED-003\n%s" % (dom, run.describe()))
    # The text a user reads: no fix that sends sip.skype.lab to the peer's certificate.
    txt = sflab.run_sipfed(["check"] + offline_args(stage, tmp)
                           + ["--callback", "--peer-cert", pem, "--allow-list", path,
                              "--format=text", "steven.lab"])
    check(txt.rc == 0 and "add sip.skype.lab as a SAN dNSName" not in txt.out,
          "text output\n" + txt.describe())
    # The callback without a domain the peer sends: nothing to check it on.
    run = sflab.run_sipfed(["check"] + offline_args(stage, tmp)
                           + ["--callback", "--peer-cert", pem, "--allow-list", path])
    check(run.rc == 2 and run.out == "" and run.err.startswith("sipfed: --callback checks the "
                                                               "domains the peer sends")
          and run.err.count("\n") == 1, "--callback without DOMAIN\n" + run.describe())


# partner.lab publishes its Access Edge (an A record) but no SRV record; gone.lab does
# not exist at all (the zone "lab." is loaded too and has no gone.lab: NXDOMAIN, where a
# name outside every zone would be an error).  Both are direct federation entries (a
# ProxyFqdn).
PARTNER_ZONE = """$ORIGIN partner.lab.
$TTL 3600
@	IN	SOA	ns1.partner.lab. hostmaster.partner.lab. 1 3600 900 604800 300
	IN	NS	ns1.partner.lab.
ns1	IN	A	93.184.216.53
sip	IN	A	93.184.216.61
$ORIGIN lab.
@	IN	SOA	ns1.partner.lab. hostmaster.partner.lab. 1 3600 900 604800 300
"""

ALLOW_PROXY = """steven.lab    vcse.steven.lab
partner.lab   sip.partner.lab
gone.lab      sip.gone.lab
skype.lab
"""


def case_allow_list_proxy(tmp):
    """An allowed domain with a ProxyFqdn (direct federation) needs no SRV record for this
    Edge: no DNS-001 error but a FED-003 warning; the ProxyFqdn itself must resolve."""
    stage = "cisco-fixed"
    sflab.gen(tmp, [stage])
    zone = write(os.path.join(tmp, "partner.lab.zone"), PARTNER_ZONE)
    path = write(os.path.join(tmp, "allow.txt"), ALLOW_PROXY)
    run = sflab.run_sipfed(["check"] + offline_args(stage, tmp) + ["--zone", zone,
                                                                   "--allow-list", path,
                                                                   "--json", "steven.lab"])
    by = sflab.results_by_domain(sflab.parse_json_doc(run), run)
    check(run.rc == 1, "exit %d, expected 1 (gone.lab's ProxyFqdn)\n%s"
          % (run.rc, run.describe()))
    for dom in ("partner.lab", "gone.lab"):
        r = by[dom]
        check(not findings(r, "DNS-001"), "%s: DNS-001 despite a ProxyFqdn\n%s"
              % (dom, run.describe()))
        if dom == "partner.lab":
            one(r, "FED-003", run)
        w = [f for f in findings(r, "FED-003") if f["severity"] == "warning"]
        check(len(w) == 1 and w[0]["subject"] == "_sipfederationtls._tcp." + dom,
              "%s: no FED-003 warning on the missing SRV record\n%s" % (dom, run.describe()))
        contains(w[0]["message"], "this Edge sends requests for %s to sip.%s" % (dom, dom),
                 dom, run)
        contains(w[0]["message"], "(DNS-001: no SRV record", dom, run)
    check(by["partner.lab"]["verdict"] == "warn", "partner.lab verdict %s\n%s"
          % (by["partner.lab"]["verdict"], run.describe()))
    e = [f for f in findings(by["gone.lab"], "FED-003") if f["severity"] == "error"]
    check(len(e) == 1 and e[0]["subject"] == "sip.gone.lab", "gone.lab: no FED-003 error on "
          "its ProxyFqdn\n" + run.describe())
    contains(e[0]["message"], "sip.gone.lab does not exist (NXDOMAIN)", "gone.lab", run)
    sflab.check_microsoft(e[0], {"ms_diagnostics": 1014}, "gone.lab FED-003")
    check(by["gone.lab"]["verdict"] == "fail", "gone.lab verdict\n" + run.describe())
    # Without a ProxyFqdn the SRV record is still required: the same domain, plain entry.
    plain = write(os.path.join(tmp, "plain.txt"), "partner.lab\n")
    run = sflab.run_sipfed(["check"] + offline_args(stage, tmp) + ["--zone", zone,
                                                                   "--allow-list", plain,
                                                                   "--json", "steven.lab"])
    by = sflab.results_by_domain(sflab.parse_json_doc(run), run)
    one(by["partner.lab"], "DNS-001", run, "error")
    check(not findings(by["partner.lab"], "FED-003"), "FED-003 without ProxyFqdn\n"
          + run.describe())


BAD_LISTS = [
    ("three.txt", "steven.lab vcse.steven.lab\n\na.lab b.lab c.lab\n", 3, "more than two fields"),
    ("name.txt", "# x\nbad_domain! proxy.lab\n", 2, "invalid domain name 'bad_domain!'"),
    ("proxy.txt", "steven.lab *.steven.lab\n", 1, "invalid proxy FQDN '*.steven.lab'"),
    ("dup.txt", "steven.lab\nacano.steven.lab\nSteven.Lab. vcse.steven.lab\n", 3,
     "steven.lab is listed twice (first on line 1)"),
    ("nodomain.csv", "\"Identity\",\"ProxyFqdn\"\n\"a.lab\",\"b.lab\"\n", 1, "Domain column"),
    ("quote.csv", "Domain,ProxyFqdn\n\"a.lab,b.lab\n", 2, "unbalanced"),
    ("short.csv", "Identity,Domain,ProxyFqdn\na.lab,a.lab\n", 2, "2 CSV fields"),
]


def case_allow_list_bad(tmp):
    zone = sflab.stage_zones("cisco-fixed")
    for name, text, line, needle in BAD_LISTS:
        path = write(os.path.join(tmp, name), text)
        run = sflab.run_sipfed(["check"] + sflab.zone_args(zone)
                               + ["--allow-list", path, "steven.lab"])
        want = "sipfed: %s line %d: " % (path, line)
        check(run.rc == 2 and run.out == "" and run.err.startswith(want) and needle in run.err
              and run.err.count("\n") == 1,
              "%s: expected exit 2 and one line '%s...%s'\n%s" % (name, want, needle,
                                                                 run.describe()))
    missing = os.path.join(tmp, "missing.txt")
    run = sflab.run_sipfed(["check"] + sflab.zone_args(zone) + ["--allow-list", missing,
                                                                 "steven.lab"])
    check(run.rc == 2 and run.err.strip() == "sipfed: cannot read '%s': No such file or directory"
          % missing, "missing list\n" + run.describe())


def case_usage(tmp):
    zone = sflab.zone_args(sflab.stage_zones("cisco-fixed"))
    cases = [
        (["--callback", "steven.lab"], "--callback needs the certificate the peer presents"),
        (["--peer-cert", "a.pem", "--peer-host", PEER, "steven.lab"], "exclude each other"),
        (["--sbc", "sbc1.example.com"], "--sbc checks a Teams Direct Routing SBC"),
        (["--profile", "dr", "--peer-host", PEER, "steven.lab"], "not Direct Routing"),
        (["--profile", "dr", "--sbc", "sbc1.example.com:99999"], "invalid SBC"),
        (["--peer-host", PEER, "steven.lab"], "no TLS source"),
        (["--peer-cert", os.path.join(tmp, "none.pem"), "steven.lab"], "cannot read"),
    ]
    data = os.path.join(sflab.srcdir(), "data")
    for args, needle in cases:
        run = sflab.run_sipfed(["check", "--data-dir", data] + zone + args)
        check(run.rc == 2 and run.err.startswith("sipfed: ") and needle in run.err
              and run.err.count("\n") == 1, "%s: expected exit 2 and '%s'\n%s"
              % (" ".join(args), needle, run.describe()))
    # The help names the new options.
    run = sflab.run_sipfed(["help", "check"])
    for opt in ("--callback", "--peer-cert", "--peer-host", "--allow-list", "--sbc", "--data-dir"):
        contains(run.out, opt, "help check", run)


# --- Direct Routing ----------------------------------------------------------------

OPENSSL_CNF = """[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
crlDistributionPoints = URI:http://pki.sipfed-dr-lab.invalid/ca.crl
subjectAltName = $ENV::SAN
"""


def openssl(*args, env=None):
    tool = sflab.find_tool("openssl")
    if not tool:
        raise sflab.Skip("openssl is not installed")
    p = subprocess.run([tool] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, env=env)
    if p.returncode != 0:
        raise Fail("openssl %s failed: %s" % (args[0], p.stderr.decode(errors="replace")))
    return p.stdout.decode()


class DrLab:
    """A root, an intermediate and SBC leaves, made with fresh keys."""

    def __init__(self, d):
        self.d = d
        os.makedirs(os.path.join(d, "certs"), exist_ok=True)
        os.makedirs(os.path.join(d, "keys"), exist_ok=True)
        self.cnf = write(os.path.join(d, "openssl.cnf"), OPENSSL_CNF)
        self.env = dict(os.environ, SAN="DNS:unused.invalid")
        self.root_key = self.key("root", "rsa")
        self.root = os.path.join(d, "root.pem")
        openssl("req", "-x509", "-new", "-config", self.cnf, "-key", self.root_key, "-days", "3650",
                "-subj", "/O=sipfed dr lab/CN=sipfed dr lab root", "-extensions", "v3_ca",
                "-out", self.root, env=self.env)
        inter_key = self.key("inter", "rsa")
        self.inter = os.path.join(d, "inter.pem")
        self.sign(inter_key, "/O=sipfed dr lab/CN=sipfed dr lab issuing CA", "v3_ca", self.inter,
                  self.root, self.root_key)
        self.inter_key = inter_key

    def key(self, name, kind):
        path = os.path.join(self.d, "keys", name + ".key")
        if kind == "rsa":
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", path)
        else:
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", path)
        return path

    def sign(self, key, subj, ext, out, ca, ca_key, san="DNS:unused.invalid"):
        csr = out + ".csr"
        env = dict(os.environ, SAN=san)
        openssl("req", "-new", "-config", self.cnf, "-key", key, "-subj", subj, "-out", csr,
                env=env)
        openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                "-days", "397", "-sha256", "-extfile", self.cnf, "-extensions", ext, "-out", out,
                env=env)
        os.unlink(csr)

    def leaf(self, fqdn, names=None, kind="rsa", cn=None):
        """certs/<fqdn>.pem (leaf + intermediate), leaf/<fqdn>.pem, keys/<fqdn>.key."""
        key = self.key(fqdn, kind)
        leaf = os.path.join(self.d, fqdn + ".leaf.pem")
        san = ",".join("DNS:" + n for n in (names or [fqdn]))
        self.sign(key, "/CN=" + (cn or fqdn), "v3_leaf", leaf, self.inter, self.inter_key, san)
        with open(os.path.join(self.d, "certs", fqdn + ".pem"), "w", encoding="ascii") as f:
            f.write(open(leaf, encoding="ascii").read() + open(self.inter, encoding="ascii").read())
        return leaf, key

    def data_dir(self, listed=True):
        """A data directory: the shipped cipher list, and a root list with (or without) ours."""
        dd = os.path.join(self.d, "data" if listed else "data-unlisted")
        os.makedirs(os.path.join(dd, "dr"), exist_ok=True)
        shutil.copy(os.path.join(sflab.srcdir(), "data", "dr", "cipher-suites.txt"),
                    os.path.join(dd, "dr", "cipher-suites.txt"))
        p = subprocess.run([sflab.find_tool("openssl"), "x509", "-in", self.root, "-noout",
                            "-fingerprint", "-sha256"], stdout=subprocess.PIPE, check=True)
        fp = p.stdout.decode().strip().split("=", 1)[1]
        lines = ["# the test root, as a user adds a root to the list",
                 ("sha256:" + fp) if listed else "cn:some other root"]
        write(os.path.join(dd, "dr", "trusted-roots.txt"), "\n".join(lines) + "\n")
        return dd


ZONE_HEAD = """$ORIGIN {origin}.
$TTL 3600
@	IN	SOA	ns1.{origin}. hostmaster.{origin}. 1 3600 900 604800 300
	IN	NS	ns1.{origin}.
ns1	IN	A	{ns}
"""


def zone(path, origin, records, ns="93.184.216.1"):
    return write(path, ZONE_HEAD.format(origin=origin, ns=ns) + "".join(
        "%s\tIN\tA\t%s\n" % r for r in records))


SBCS = {
    "sbc1.example.com": ("93.184.216.34", "rsa"),
    "sbc-private.example.com": ("10.0.0.5", "rsa"),
    "sbc-ecdsa.example.com": ("93.184.216.35", "ec"),
    "sbc-wild.example.com": ("93.184.216.36", "wild"),
}
ONMS = "sbc.contoso.onmicrosoft.com"


def dr_offline_lab(tmp):
    lab = DrLab(os.path.join(tmp, "dr"))
    for fqdn, (_, kind) in SBCS.items():
        if kind == "wild":
            lab.leaf(fqdn, ["*.example.com"], cn="*.example.com")
        else:
            lab.leaf(fqdn, kind=kind)
    lab.leaf(ONMS)
    zones = [zone(os.path.join(tmp, "example.com.zone"), "example.com",
                  [(f.split(".")[0], a) for f, (a, _) in SBCS.items()]),
             zone(os.path.join(tmp, "onmicrosoft.com.zone"), "onmicrosoft.com",
                  [("sbc.contoso", "93.184.216.37")])]
    args = (sflab.zone_args(zones) + ["--certs", os.path.join(lab.d, "certs"), "--trust",
                                      lab.root, "--no-system-trust", "--profile", "dr"])
    return lab, args


def ids(result):
    return sorted((f["id"], f["severity"]) for f in result["findings"])


def case_dr_offline(tmp):
    lab, args = dr_offline_lab(tmp)
    sbcs = list(SBCS) + [ONMS, "sbc1.example.com:5067"]
    run = sflab.run_sipfed(["check", "--data-dir", lab.data_dir()] + args + ["--json"]
                           + sum((["--sbc", s] for s in sbcs), []))
    doc = sflab.parse_json_doc(run)
    check(run.rc == 1, "exit %d, expected 1\n%s" % (run.rc, run.describe()))
    res = doc["results"]
    check([r["domain"] for r in res] == [s.split(":")[0] for s in sbcs],
          "result domains %s\n%s" % ([r["domain"] for r in res], run.describe()))
    by = {r["domain"] + ":%d" % r["srv"][0]["port"]: r for r in res}
    good = by["sbc1.example.com:5061"]
    check(good["verdict"] == "pass" and good["findings"] == [] and good["profile"] == "dr",
          "good SBC\n" + run.describe())
    check(good["srv"] == [{"priority": 0, "weight": 0, "port": 5061, "target": "sbc1.example.com",
                           "addresses": ["93.184.216.34"]}], "good SBC srv %s" % good["srv"])
    check(by["sbc1.example.com:5067"]["findings"] == [], "port 5067\n" + run.describe())
    r = by[ONMS + ":5061"]
    check(ids(r) == [("DR-001", "error")], "onmicrosoft: %s\n%s" % (ids(r), run.describe()))
    contains(r["findings"][0]["message"], "*.onmicrosoft.com", "onmicrosoft", run)
    r = by["sbc-private.example.com:5061"]
    check(ids(r) == [("DR-001", "error")], "private: %s\n%s" % (ids(r), run.describe()))
    contains(r["findings"][0]["message"], "10.0.0.5 (private, RFC 1918)", "private", run)
    r = by["sbc-ecdsa.example.com:5061"]
    check(ids(r) == [("CERT-010", "error")], "ecdsa: %s\n%s" % (ids(r), run.describe()))
    # One-label wildcard: fine for Direct Routing (SPEC CERT-002), in the SAN and in the CN.
    r = by["sbc-wild.example.com:5061"]
    check(ids(r) == [], "wildcard: %s\n%s" % (ids(r), run.describe()))

    # The shipped data: the lab root is not a root Microsoft trusts for Direct Routing.
    env = dict(os.environ, SIPFED_DATADIR=os.path.join(sflab.srcdir(), "data"))
    run = sflab.run_sipfed(["check"] + args + ["--json", "--sbc", "sbc1.example.com"], env=env)
    r = sflab.parse_json_doc(run)["results"][0]
    check(run.rc == 1 and ids(r) == [("CERT-005", "error")], "shipped list\n" + run.describe())
    contains(r["findings"][0]["message"], "not one of the roots Microsoft trusts for Direct "
             "Routing", "shipped list", run)
    contains(r["findings"][0]["message"], os.path.join("dr", "trusted-roots.txt"), "shipped", run)
    # --data-dir wins over SIPFED_DATADIR.
    run = sflab.run_sipfed(["check", "--data-dir", lab.data_dir()] + args
                           + ["--json", "--sbc", "sbc1.example.com"], env=env)
    check(run.rc == 0, "--data-dir over SIPFED_DATADIR\n" + run.describe())
    # A root list without the lab root, by --data-dir.
    run = sflab.run_sipfed(["check", "--data-dir", lab.data_dir(listed=False)] + args
                           + ["--json", "--sbc", "sbc1.example.com"])
    r = sflab.parse_json_doc(run)["results"][0]
    check(ids(r) == [("CERT-005", "error")], "unlisted root\n" + run.describe())
    # The same SBCs in the sfb profile are not an SBC check: refused.
    run = sflab.run_sipfed(["check"] + args[:-2] + ["--sbc", "sbc1.example.com"])
    check(run.rc == 2, "--sbc in sfb\n" + run.describe())


def case_dr_data_bad(tmp):
    lab, args = dr_offline_lab(tmp)
    dd = lab.data_dir()
    missing = os.path.join(tmp, "nothing")
    run = sflab.run_sipfed(["check", "--data-dir", missing] + args + ["--sbc", "sbc1.example.com"])
    want = "sipfed: cannot read '%s/dr/cipher-suites.txt': No such file or directory" % missing
    check(run.rc == 2 and run.err.strip() == want, "missing data dir\n" + run.describe())
    roots = os.path.join(dd, "dr", "trusted-roots.txt")
    write(roots, "# x\nsha256:1234\n")
    run = sflab.run_sipfed(["check", "--data-dir", dd] + args + ["--sbc", "sbc1.example.com"])
    check(run.rc == 2 and run.err.startswith("sipfed: %s line 2: expected sha256:" % roots),
          "bad root line\n" + run.describe())
    ciphers = os.path.join(dd, "dr", "cipher-suites.txt")
    write(ciphers, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\nECDHE/RSA\n")
    run = sflab.run_sipfed(["check", "--data-dir", dd] + args + ["--sbc", "sbc1.example.com"])
    check(run.rc == 2 and run.err.startswith("sipfed: %s line 2: expected cipher suite names"
                                             % ciphers), "bad cipher line\n" + run.describe())
    write(ciphers, "# only comments\n")
    run = sflab.run_sipfed(["check", "--data-dir", dd] + args + ["--sbc", "sbc1.example.com"])
    check(run.rc == 2 and "no entry" in run.err, "empty cipher list\n" + run.describe())


# Live SBCs: (name, s_server options, expected (id, severity, message part) besides DR-001).
LIVE_SBCS = [
    ("sbc-good", [], []),
    ("sbc-weak", ["-no_tls1_3", "-cipher", "AES128-SHA"],
     [("TLS-001", "error", "negotiated the cipher suite TLS_RSA_WITH_AES_128_CBC_SHA with "
       "TLSv1.2, which is not one Microsoft accepts")]),
    ("sbc-tls11", ["-tls1_1", "-cipher", "ECDHE-RSA-AES256-SHA:@SECLEVEL=0"],
     [("TLS-001", "error", "negotiated TLSv1.1"),
      ("TLS-001", "error", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA with TLSv1.1")]),
    ("sbc-tls13", ["-tls1_3"], [("TLS-001", "error", "handshake")]),
]


class SbcServer(sflab.TlsServer):
    """s_server with extra options (protocol versions, ciphers)."""

    def __init__(self, workdir, addr, port, leaf, inter, key, sni, extra):
        super().__init__(workdir, addr, port, leaf, inter, key, sni)
        self.extra = extra

    def start(self, ready_timeout=15.0):
        openssl_bin = sflab.find_tool("openssl")
        logf = open(self.log, "wb")
        try:
            self.proc = subprocess.Popen(
                [openssl_bin, "s_server", "-accept", "%s:%d" % (self.addr, self.port),
                 "-cert", self.leaf, "-cert_chain", self.inter, "-key", self.key,
                 "-www", "-quiet"] + self.extra,
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
        finally:
            logf.close()
        # Ready when the port accepts a TCP connection (some of these refuse Python's TLS).
        import socket
        import time
        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise Fail("s_server %s:%d exited:\n%s" % (self.addr, self.port,
                                                           sflab.read_log(self.log)))
            try:
                socket.create_connection((self.addr, self.port), timeout=1).close()
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Fail("s_server %s:%d not ready" % (self.addr, self.port))
            time.sleep(0.1)


def case_dr_live(tmp):
    if not sflab.find_tool("knotd"):
        raise sflab.Skip("knotd is not installed (Debian package knot)")
    lab = DrLab(os.path.join(tmp, "dr"))
    leaves = {n: lab.leaf(n + ".example.com") for n, _, _ in LIVE_SBCS}
    z = zone(os.path.join(tmp, "example.com.zone"), "example.com",
             [(n, "127.0.0.1") for n, _, _ in LIVE_SBCS], ns="127.0.0.1")
    knot = sflab.Knot(tmp, [z])
    servers, ports = [], {}
    try:
        dport = knot.start()
        for n, extra, _ in LIVE_SBCS:
            ports[n] = sflab.free_port()
            leaf, key = leaves[n]
            s = SbcServer(tmp, "127.0.0.1", ports[n], leaf, lab.inter, key,
                          n + ".example.com", extra)
            servers.append(s)
            s.start()
        run = sflab.run_sipfed(
            ["check", "--profile", "dr", "--resolver", "127.0.0.1:%d" % dport, "--timeout",
             "3000", "--trust", lab.root, "--no-system-trust", "--data-dir", lab.data_dir(),
             "--json"] + sum((["--sbc", "%s.example.com:%d" % (n, ports[n])]
                              for n, _, _ in LIVE_SBCS), []), timeout=120)
        for s in servers:
            check(s.alive(), "s_server %s:%d died:\n%s" % (s.addr, s.port, sflab.read_log(s.log)))
    finally:
        for s in servers:
            s.stop()
        knot.stop()
    doc = sflab.parse_json_doc(run)
    check(run.rc == 1, "exit %d, expected 1 (loopback is not public)\n%s"
          % (run.rc, run.describe()))
    by = sflab.results_by_domain(doc, run)
    for n, _, want in LIVE_SBCS:
        r = by[n + ".example.com"]
        dr = one(r, "DR-001", run, "error")
        contains(dr["message"], "127.0.0.1 (loopback)", n, run)
        got = [f for f in r["findings"] if f["id"] != "DR-001"]
        check(len(got) == len(want), "%s: findings %s, expected %s\n%s" % (
            n, [(f["id"], f["message"]) for f in got], want, run.describe()))
        for fid, sev, part in want:
            check(any(f["id"] == fid and f["severity"] == sev and part in f["message"]
                      for f in got), "%s: no %s %s '%s'\n%s" % (n, fid, sev, part,
                                                                run.describe()))


CASES = {
    "callback-dns": case_callback_dns,
    "callback-cert": case_callback_cert,
    "callback-fixed": case_callback_fixed,
    "callback-live": case_callback_live,
    "callback-untrusted": case_callback_untrusted,
    "callback-expired": case_callback_expired,
    "allow-list": case_allow_list,
    "allow-list-callback": case_allow_list_callback,
    "allow-list-proxy": case_allow_list_proxy,
    "allow-list-bad": case_allow_list_bad,
    "usage": case_usage,
    "dr-offline": case_dr_offline,
    "dr-data-bad": case_dr_data_bad,
    "dr-live": case_dr_live,
}


def run_case(name):
    if name not in CASES:
        raise Fail("no case %r (cases: %s)" % (name, ", ".join(sorted(CASES))))
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: fed.py CASE")
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
