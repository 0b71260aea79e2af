#!/usr/bin/env python3
"""cli.py CASE: the command-line contract (SPEC section 3) on the seed lab."""

import hashlib
import json
import time
import os
import re
import shutil
import ssl
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402
from offline import offline_args  # noqa: E402

ID_RE = re.compile(r"\b(DNS|NET|TLS|CERT|FED|CLI|UM|DR|LOG)-\d{3}\b")
ESC = "\x1b"


def project_version():
    with open(os.path.join(sflab.srcdir(), "meson.build"), encoding="utf-8") as f:
        m = re.search(r"version\s*:\s*'([^']+)'", f.read())
    check(m, "no version in meson.build")
    return m.group(1)


def env_without_color():
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    return env


def stage_run(tmp, stage, extra, domains=None, **kw):
    sflab.gen(tmp, [stage])
    return sflab.run_sipfed(["check"] + offline_args(stage, tmp) + extra
                            + (domains if domains is not None else sflab.stage_domains(stage)),
                            **kw)


def case_version(tmp):
    run = sflab.run_sipfed(["--version"])
    check(run.rc == 0, "exit %d\n%s" % (run.rc, run.describe()))
    check(project_version() in run.out, "--version does not print %s\n%s" % (project_version(),
                                                                           run.describe()))


def case_help(tmp):
    run = sflab.run_sipfed(["--help"])
    check(run.rc == 0, "exit %d\n%s" % (run.rc, run.describe()))
    for word in ("check", "cert"):
        check(word in run.out, "--help on stdout does not mention %r\n%s" % (word, run.describe()))
    check("usage" in run.out.lower(), "--help has no usage line\n" + run.describe())


def case_text_fix(tmp):
    run = stage_run(tmp, "cisco-dns", ["--format", "text"], ["acano.steven.lab"])
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    check(ESC not in run.out, "escape codes with NO_COLOR=1 on a pipe")
    lines = run.out.splitlines()
    idx = [i for i, ln in enumerate(lines) if "DNS-005" in ln]
    check(idx, "no DNS-005 in the text output\n" + run.describe())
    block = []
    for ln in lines[idx[0] + 1:]:
        if ID_RE.search(ln):
            break
        block.append(ln)
    check(any(re.search(r"\bfix\b", ln, re.I) for ln in [lines[idx[0]]] + block),
          "no fix line under the DNS-005 error:\n%s" % "\n".join([lines[idx[0]]] + block))
    text = " ".join(" ".join([lines[idx[0]]] + block).split())
    check(re.search(r"1009|0xC3E93D6F", text, re.I),
          "the DNS-005 block does not say what the Microsoft side reports (1009 / 0xC3E93D6F)"
          ":\n" + "\n".join([lines[idx[0]]] + block))
    # The same fix as in JSON.
    jrun = sflab.run_sipfed(["check"] + offline_args("cisco-dns", tmp) + ["--json",
                                                                          "acano.steven.lab"])
    doc = sflab.parse_json_doc(jrun)
    fix = [f["fix"] for f in doc["results"][0]["findings"] if f["id"] == "DNS-005"][0]
    check(" ".join(fix.split()) in text, "the text output does not carry the JSON fix %r:\n%s"
          % (fix, "\n".join([lines[idx[0]]] + block)))


def case_no_color(tmp):
    sflab.gen(tmp, ["cisco-dns"])
    env = env_without_color()
    env["NO_COLOR"] = "1"
    rc, out = sflab.run_on_pty(["check"] + offline_args("cisco-dns", tmp) + ["--format", "text"]
                               + sflab.stage_domains("cisco-dns"), env)
    check(rc == 1, "exit %s, want 1; output:\n%s" % (rc, out.decode(errors="replace")))
    check(b"DNS-005" in out, "no DNS-005 on the terminal:\n" + out.decode(errors="replace"))
    check(ESC.encode() not in out, "escape codes on a terminal with NO_COLOR=1:\n%r" % out[:400])


def case_color_tty(tmp):
    sflab.gen(tmp, ["cisco-dns"])
    rc, out = sflab.run_on_pty(["check"] + offline_args("cisco-dns", tmp) + ["--format", "text"]
                               + sflab.stage_domains("cisco-dns"), env_without_color())
    check(rc == 1, "exit %s, want 1; output:\n%s" % (rc, out.decode(errors="replace")))
    check(ESC.encode() in out, "no colour on a terminal without NO_COLOR (SPEC section 2):\n%s"
          % out.decode(errors="replace")[:400])


def case_color_pipe(tmp):
    run = stage_run(tmp, "cisco-dns", ["--format", "text"], env=env_without_color())
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    check(ESC not in run.out and ESC not in run.err,
          "escape codes when stdout is a pipe:\n%r" % run.out[:400])


def case_jsonl(tmp):
    domains = sflab.stage_domains("cisco-dns")
    run = stage_run(tmp, "cisco-dns", ["--format", "jsonl"])
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    lines = [ln for ln in run.out.split("\n") if ln.strip()]
    check(len(lines) == len(domains), "%d lines for %d domains\n%s" % (len(lines), len(domains),
                                                                       run.describe()))
    objs = []
    for ln in lines:
        try:
            o = json.loads(ln)
        except ValueError as e:
            raise sflab.Fail("line is not a JSON object (%s): %r" % (e, ln))
        check(isinstance(o, dict) and "results" not in o and "version" not in o,
              "jsonl line is not a bare result: %r" % ln[:200])
        sflab.check_result_shape(o, run)
        objs.append(o)
    check(sorted(o["domain"] for o in objs) == sorted(domains),
          "jsonl domains %s, want %s" % ([o["domain"] for o in objs], domains))
    jrun = sflab.run_sipfed(["check"] + offline_args("cisco-dns", tmp) + ["--json"] + domains)
    doc = sflab.parse_json_doc(jrun)
    d = sflab.diff_keys(sflab.finding_keys(doc), sflab.finding_keys({"results": objs}),
                        "json", "jsonl")
    check(not d, "jsonl and json findings differ:\n" + d)


def case_json_alias(tmp):
    # one instant for both runs: a certificate's days_left must not differ by a second
    at = ["--at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())]
    a = stage_run(tmp, "cisco-cert", ["--json"] + at)
    b = sflab.run_sipfed(["check"] + offline_args("cisco-cert", tmp) + ["--format", "json"]
                         + at + sflab.stage_domains("cisco-cert"))
    check(a.rc == b.rc == 1, "exit %d / %d, want 1" % (a.rc, b.rc))
    check(sflab.parse_json_doc(a) == sflab.parse_json_doc(b),
          "--json and --format json differ:\n%s\n%s" % (a.describe(), b.describe()))


def case_domains_file(tmp):
    domains = sflab.stage_domains("msxfaq")
    a = stage_run(tmp, "msxfaq", ["--json"])
    path = os.path.join(tmp, "domains.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(domains) + "\n")
    b = sflab.run_sipfed(["check"] + offline_args("msxfaq", tmp) + ["--json", "-f", path])
    c = sflab.run_sipfed(["check"] + offline_args("msxfaq", tmp) + ["--json", "-f", "-"],
                         stdin_data="\n".join(domains) + "\n")
    want = sflab.finding_keys(sflab.parse_json_doc(a))
    for label, r in (("-f FILE", b), ("-f -", c)):
        check(r.rc == a.rc, "%s: exit %d, with arguments %d\n%s"
              % (label, r.rc, a.rc, r.describe()))
        doc = sflab.parse_json_doc(r)
        check(sorted(x["domain"] for x in doc["results"]) == sorted(domains),
              "%s: domains %s\n%s" % (label, [x["domain"] for x in doc["results"]], r.describe()))
        d = sflab.diff_keys(want, sflab.finding_keys(doc), "arguments", label)
        check(not d, "%s: findings differ from the same domains as arguments:\n%s" % (label, d))


def cert_doc(run):
    try:
        doc = json.loads(run.out)
    except ValueError as e:
        raise sflab.Fail("cert output is not JSON (%s)\n%s" % (e, run.describe()))
    if isinstance(doc, dict) and isinstance(doc.get("results"), list) and doc["results"]:
        doc = doc["results"][0]
    for k in ("name_match", "chain_trusted", "findings"):
        check(k in doc, 'cert JSON lacks "%s"\n%s' % (k, run.describe()))
    return doc


def case_cert(tmp):
    sflab.gen(tmp, ["cisco-cert"])
    chain = os.path.join(tmp, "cisco-cert", "certs", "vcse.acano.steven.lab.pem")
    trust = ["--trust", os.path.join(tmp, "ca", "root.pem"), "--no-system-trust"]
    bad = sflab.run_sipfed(["cert", "--name", "vcse.acano.steven.lab"] + trust + ["--json", chain])
    doc = cert_doc(bad)
    check(bad.rc == 1, "--name vcse.acano.steven.lab: exit %d, want 1\n%s"
          % (bad.rc, bad.describe()))
    check(doc["name_match"] in (False, 0), "name_match %r for a name not in the SAN"
          % doc["name_match"])
    check(doc["chain_trusted"] in (True, 1),
          "chain not trusted with --trust root\n" + bad.describe())
    check(any(f["id"] == "CERT-001" and f["severity"] == "error" for f in doc["findings"]),
          "no CERT-001 error\n" + bad.describe())
    good = sflab.run_sipfed(["cert", "--name", "vcse.steven.lab"] + trust + ["--json", chain])
    doc = cert_doc(good)
    check(good.rc == 0, "--name vcse.steven.lab: exit %d, want 0\n%s" % (good.rc, good.describe()))
    check(doc["name_match"] in (True, 1), "name_match %r for the CN/SAN" % doc["name_match"])
    untrusted = sflab.run_sipfed(["cert", "--name", "vcse.steven.lab", "--no-system-trust",
                                  "--json", chain])
    doc = cert_doc(untrusted)
    check(untrusted.rc == 1 and doc["chain_trusted"] in (False, 0)
          and any(f["id"] == "CERT-005" for f in doc["findings"]),
          "without the lab root: want exit 1, chain_trusted false, CERT-005\n"
          + untrusted.describe())


# --- usage errors: named options, combinations that would be ignored ---------------

def expect_usage(run, needles, absent=()):
    """Exit 2, nothing on stdout, one stderr line "sipfed: ..." with every needle."""
    check(run.rc == 2 and run.out == "" and run.err.startswith("sipfed: ")
          and run.err.count("\n") == 1,
          "want exit 2, no output and one 'sipfed: ' line\n" + run.describe())
    for n in needles:
        check(n in run.err, "the message lacks %r\n%s" % (n, run.describe()))
    for n in absent:
        check(n not in run.err, "the message has %r\n%s" % (n, run.describe()))


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


# An offline DNS source, so that a run the tool does not refuse stays off the network.
SBC_ZONE = """$ORIGIN example.com.
$TTL 3600
@	IN	SOA	ns1 hostmaster 1 3600 900 604800 300
	IN	NS	ns1
ns1	IN	A	93.184.216.1
sbc1	IN	A	93.184.216.34
"""


def case_option_names(tmp):
    """A refused option is named as the option, not as its value."""
    pem = write(os.path.join(tmp, "c.pem"), "unused\n")
    for argv, name, value in (
            (["cert", "--zone", "x.zone", pem], "--zone", "x.zone"),
            (["cert", "--timeout", "5", pem], "--timeout", "'5'"),
            (["cert", "--resolver", "192.0.2.53", pem], "--resolver", "192.0.2.53"),
            (["cert", "--zone=x.zone", pem], "--zone", "x.zone"),
            (["cert", "--zo", "x.zone", pem], "--zone", "x.zone")):
        expect_usage(sflab.run_sipfed(argv), ["'%s'" % name, "'cert'"], [value])
    # A missing value is not an unknown option.
    expect_usage(sflab.run_sipfed(["check", "steven.lab", "-f"]), ["'-f'", "needs a value"],
                 ["unknown"])
    expect_usage(sflab.run_sipfed(["check", "--zone"]), ["'--zone'", "needs a value"],
                 ["unknown"])
    expect_usage(sflab.run_sipfed(["plan", "--json=1", "p.json"]), ["'--json'", "no value"])
    expect_usage(sflab.run_sipfed(["logs", "--no-such", "x.log"]), ["'--no-such'"])


def case_dr_needs_sbc(tmp):
    """check --profile dr checks SBCs: a domain would get federation advice."""
    zone = write(os.path.join(tmp, "example.com.zone"), SBC_ZONE)
    base = ["check", "--zone", zone, "--data-dir", os.path.join(sflab.srcdir(), "data"),
            "--profile", "dr"]
    listf = write(os.path.join(tmp, "sbcs.txt"), "sbc1.example.com\n")
    for extra in (["sbc1.example.com"], [], ["-f", listf],
                  ["--sbc", "sbc1.example.com", "example.com"]):
        expect_usage(sflab.run_sipfed(base + extra),
                     ["--profile dr", "Direct Routing SBC", "--sbc FQDN[:PORT]"],
                     ["_sipfederationtls"])
    # The way it is meant: an SBC, checked.
    run = sflab.run_sipfed(base + ["--json", "--sbc", "sbc1.example.com"])
    doc = sflab.parse_json_doc(run)
    check(run.rc in (0, 1) and [r["domain"] for r in doc["results"]] == ["sbc1.example.com"]
          and doc["results"][0]["profile"] == "dr", "--sbc under dr\n" + run.describe())


def case_ignored_options(tmp):
    """Options that would be ignored in a combination are refused, naming both."""
    zone = write(os.path.join(tmp, "example.com.zone"), SBC_ZONE)
    dr = ["check", "--zone", zone, "--data-dir", os.path.join(sflab.srcdir(), "data"),
          "--profile", "dr", "--sbc", "sbc1.example.com"]
    for opt in (["--client"], ["--no-probe"], ["--hosting-provider", "sip.example.net"]):
        expect_usage(sflab.run_sipfed(dr + opt), [opt[0], "--sbc"])
    # --client --sbc without the profile: the conflict is named first.
    expect_usage(sflab.run_sipfed(["check", "--zone", zone, "--client", "--sbc",
                                   "sbc1.example.com"]), ["--client", "--sbc"])
    # --zone answers every query: a --resolver beside it would not be asked.
    expect_usage(sflab.run_sipfed(["check", "--zone", zone, "--resolver", "127.0.0.1:9",
                                   "example.com"]), ["--resolver", "--zone"])


def case_cert_um_name(tmp):
    sflab.gen(tmp, ["cisco-cert"])
    chain = os.path.join(tmp, "cisco-cert", "certs", "vcse.acano.steven.lab.pem")
    trust = ["--trust", os.path.join(tmp, "ca", "root.pem"), "--no-system-trust"]
    expect_usage(sflab.run_sipfed(["cert", "--role", "um"] + trust + [chain]),
                 ["--role um", "--name FQDN", "UM-001"])
    # With the name, UM-001 runs: the lab's subject CN is not that name.
    run = sflab.run_sipfed(["cert", "--role", "um", "--name", "um.steven.lab"] + trust
                           + ["--json", chain])
    doc = cert_doc(run)
    check(run.rc == 1 and any(f["id"] == "UM-001" for f in doc["findings"]),
          "--role um --name: want UM-001 and exit 1\n" + run.describe())


def dr_data_dir(d, roots):
    os.makedirs(os.path.join(d, "dr"), exist_ok=True)
    shutil.copy(os.path.join(sflab.srcdir(), "data", "dr", "cipher-suites.txt"),
                os.path.join(d, "dr", "cipher-suites.txt"))
    write(os.path.join(d, "dr", "trusted-roots.txt"), "\n".join(roots) + "\n")
    return d


def case_data_dir(tmp):
    """cert and plan --check take --data-dir as check does."""
    sflab.gen(tmp, ["cisco-fixed"])
    root = os.path.join(tmp, "ca", "root.pem")
    with open(root, encoding="ascii") as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    listed = dr_data_dir(os.path.join(tmp, "listed"),
                         ["# the lab root", "sha256:" + hashlib.sha256(der).hexdigest()])
    other = dr_data_dir(os.path.join(tmp, "other"), ["cn:some other root"])
    missing = os.path.join(tmp, "missing")
    chain = os.path.join(tmp, "cisco-fixed", "certs", "vcse.steven.lab.pem")
    cert = ["cert", "--profile", "dr", "--name", "vcse.steven.lab", "--trust", root,
            "--no-system-trust", "--json"]
    env = dict(os.environ)
    env.pop("SIPFED_DATADIR", None)

    run = sflab.run_sipfed(cert + ["--data-dir", listed, chain], env=env)
    doc = cert_doc(run)
    check(not any(f["id"] == "CERT-005" for f in doc["findings"]),
          "cert --data-dir with the lab root listed: CERT-005\n" + run.describe())
    run = sflab.run_sipfed(cert + ["--data-dir", other, chain], env=env)
    doc = cert_doc(run)
    f5 = [f for f in doc["findings"] if f["id"] == "CERT-005"]
    roots = os.path.join(other, "dr", "trusted-roots.txt")
    check(run.rc == 1 and f5 and any(roots in (f["message"] + f.get("fix", "")) for f in f5),
          "cert --data-dir without the lab root: want CERT-005 naming %s\n%s"
          % (roots, run.describe()))
    run = sflab.run_sipfed(cert + ["--data-dir", missing, chain], env=env)
    expect_usage(run, ["cannot read '%s/dr/cipher-suites.txt'" % missing])

    plan = os.path.join(sflab.srcdir(), "examples", "plan", "seed-lab.json")
    pcheck = (["plan", "--check", "--profile", "dr"] + offline_args("cisco-fixed", tmp)
              + ["--json"])
    run = sflab.run_sipfed(pcheck + ["--data-dir", missing, plan], env=env)
    expect_usage(run, ["cannot read '%s/dr/cipher-suites.txt'" % missing])
    write(os.path.join(other, "dr", "trusted-roots.txt"), "not a root\n")
    run = sflab.run_sipfed(pcheck + ["--data-dir", other, plan], env=env)
    expect_usage(run, ["%s line 1: expected sha256:" % roots])
    run = sflab.run_sipfed(pcheck + ["--data-dir", listed, plan], env=env)
    check(run.rc in (0, 1) and run.err == "", "plan --check --data-dir with a good data "
          "directory\n" + run.describe())
    expect_usage(sflab.run_sipfed(["plan", "--data-dir", listed, plan]), ["go with --check"])


def case_help_options(tmp):
    """Help text, man page and README name the same options."""
    run = sflab.run_sipfed(["help", "check"])
    check(run.rc == 0 and re.search(r"^\s+-f, --file FILE\b", run.out, re.M),
          "help check does not document -f, --file FILE\n" + run.describe())
    for cmd in ("cert", "plan", "check"):
        run = sflab.run_sipfed(["help", cmd])
        check(run.rc == 0 and re.search(r"^\s+--data-dir DIR\b", run.out, re.M),
              "help %s does not document --data-dir DIR\n%s" % (cmd, run.describe()))
    run = sflab.run_sipfed(["help", "cert"])
    check("needs --name" in run.out, "help cert: --role um needs --name\n" + run.describe())
    with open(os.path.join(sflab.srcdir(), "docs", "sipfed.1"), encoding="utf-8") as f:
        man = f.read()
    sections = dict(re.findall(r"^\.SH (\S+(?: \S+)*)\n(.*?)(?=^\.SH |\Z)", man, re.M | re.S))
    check(r"\-\-file" in sections.get("CHECK OPTIONS", ""),
          "sipfed.1: CHECK OPTIONS lacks --file")
    for sec in ("CHECK OPTIONS", "CERT OPTIONS", "PLAN OPTIONS"):
        check(r"\-\-data\-dir" in sections.get(sec, ""), "sipfed.1: %s lacks --data-dir" % sec)
    with open(os.path.join(sflab.srcdir(), "README.md"), encoding="utf-8") as f:
        readme = f.read()
    row = [ln for ln in readme.splitlines() if ln.startswith("|") and "--data-dir DIR" in ln]
    check(row and all(c in row[0] for c in ("`check`", "`cert`", "`plan --check`")),
          "README: the --data-dir row does not name check, cert and plan --check: %r" % row)
    check(any(ln.startswith("|") and "--file FILE" in ln for ln in readme.splitlines()),
          "README: no option row for --file FILE")


CASES = {
    "version": case_version,
    "help": case_help,
    "text-fix": case_text_fix,
    "no-color": case_no_color,
    "color-tty": case_color_tty,
    "color-pipe": case_color_pipe,
    "jsonl": case_jsonl,
    "json-alias": case_json_alias,
    "domains-file": case_domains_file,
    "cert": case_cert,
    "option-names": case_option_names,
    "dr-needs-sbc": case_dr_needs_sbc,
    "ignored-options": case_ignored_options,
    "cert-um-name": case_cert_um_name,
    "data-dir": case_data_dir,
    "help-options": case_help_options,
}


def run_case(name):
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: cli.py %s" % "|".join(CASES))
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
