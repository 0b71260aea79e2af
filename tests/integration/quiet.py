#!/usr/bin/env python3
"""Issue 12, items 1-3 and 6: output shaped for daily use, inputs as admins have
them, monitoring formats, and role wording (python3 standard library only).

    quiet.py CASE

    brief-50       50 generated domains (bench/genlab.py) with --brief fit in 60 lines,
                   summary included
    grouping       a warning repeated across domains is written once after the blocks
                   (with every domain that has it); --all writes every instance; the lab
                   default drops DNS-009/DNS-010 and says so; json keeps them
    ignore         --ignore NET-001 drops the check, the summary says so, exit 1 -> 0
    arguments      sip:/sips: URIs, user@domain and a trailing dot as DOMAIN arguments,
                   with a note on stderr (none with --quiet)
    cert-formats   cert reads DER (.cer) and PKCS#12 (.pfx, --password-file) made here
                   with the openssl command, says which, defaults to text; --role UM
                   and --profile SFB in any case
    expiry         --expiry-days 400 turns a lab certificate into CERT-004 (expiring)
    fail-on        --fail-on warning exits 1 on warnings
    nagios         --format nagios: the Monitoring Plugins line (regex) and exit
                   statuses 0, 1, 2 and 3 (a resolver that does not answer)
    csv            --format csv read by python's csv module: header, one row per finding
    role-wording   CERT-008's fix names who checks revocation: not the Internet for an
                   Exchange UM certificate, the Internet for an Edge
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402

LAB_NOW = "2026-06-01T12:00:00Z"
NAGIOS_RE = re.compile(
    r"^SIPFED (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+"
    r"( \| ([A-Za-z_][A-Za-z0-9_]*=-?[0-9.]+(s|%|B|KB|MB|GB|TB|c)?"
    r"(;[0-9:~@.-]*){0,4})( [A-Za-z_][A-Za-z0-9_]*=-?[0-9.]+(s|%|B|KB|MB|GB|TB|c)?"
    r"(;[0-9:~@.-]*){0,4})*)?\n$")


def genlab(tmp, n):
    script = os.path.join(sflab.srcdir(), "bench", "genlab.py")
    out = os.path.join(tmp, "gl")
    try:
        p = subprocess.run([sys.executable, script, str(n), out, "--now", LAB_NOW],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
    except subprocess.TimeoutExpired:
        raise Fail("genlab.py %d did not finish within 300 s" % n)
    check(p.returncode == 0, "genlab.py failed: %s" % p.stderr.decode(errors="replace"))
    zones = sorted(os.path.join(out, "zones", f) for f in os.listdir(os.path.join(out, "zones"))
                   if f.endswith(".zone"))
    args = (sflab.zone_args(zones) + ["--certs", os.path.join(out, "certs"), "--trust",
                                      os.path.join(out, "root.pem"), "--no-system-trust",
                                      "--at", LAB_NOW])
    kinds = {}
    with open(os.path.join(out, "expected.tsv"), encoding="utf-8") as f:
        for line in f:
            w = line.rstrip("\n").split("\t")
            if len(w) >= 3 and not line.startswith("#"):
                kinds.setdefault(w[2], []).append(w[0])
    with open(os.path.join(out, "domains.txt"), encoding="utf-8") as f:
        domains = [ln.strip() for ln in f if ln.strip()]
    return out, args, domains, kinds


def check_run(args, **kw):
    return sflab.run_sipfed(["check"] + args, **kw)


def json_doc(run):
    try:
        return json.loads(run.out)
    except ValueError as e:
        raise Fail("not JSON (%s)\n%s" % (e, run.describe()))


def ids_of(result):
    return sorted({f["id"] for f in result["findings"]})


def case_brief_50(tmp):
    out, args, domains, kinds = genlab(tmp, 50)
    run = check_run(args + ["--brief", "-f", os.path.join(out, "domains.txt")])
    lines = run.out.splitlines()
    check(run.rc in (0, 1), "--brief: exit %d\n%s" % (run.rc, run.describe()))
    check(len(lines) <= 60, "--brief: %d lines for 50 domains (want <= 60)\n%s"
          % (len(lines), run.out))
    check(any(ln.startswith("summary: 50 domains") for ln in lines),
          "--brief: no summary line\n" + run.out)
    for d in domains:
        mine = [ln for ln in lines if ln.split() and ln.split()[0] == d]
        check(len(mine) == 1, "--brief: %d lines for %s\n%s" % (len(mine), d, run.out))
        check(mine[0].split()[1] in ("PASS", "WARN", "FAIL", "ERROR"),
              "--brief: no verdict on %r" % mine[0])
    bad = kinds["refused"][0]
    line = [ln for ln in lines if ln.startswith(bad + " ")][0]
    check("FAIL" in line and "NET-001" in line, "--brief: %s line %r" % (bad, line))


def case_grouping(tmp):
    out, args, domains, kinds = genlab(tmp, 12)
    own = kinds["own"][:4]
    # --no-lab: DNS-010 on every domain, written once after the blocks
    run = check_run(args + ["--no-lab"] + own)
    check(run.rc == 0, "grouping: exit %d\n%s" % (run.rc, run.describe()))
    check(re.search(r"^DNS-010 warning on 4 domains", run.out, re.M),
          "no 'DNS-010 warning on 4 domains' group\n" + run.out)
    check(re.search(r"^DNS-009 warning on 4 domains", run.out, re.M),
          "no DNS-009 group\n" + run.out)
    check(run.out.count("is not under a public suffix") == 1,
          "the DNS-010 message is repeated %d times (want once)\n%s"
          % (run.out.count("is not under a public suffix"), run.out))
    for d in own:
        check(d in run.out.split("DNS-010 warning on")[1], "group does not list %s" % d)
    check(run.out.count("also     DNS-009, DNS-010") == 4,
          "each block should keep a one-line reference\n" + run.out)
    check("summary: 4 domains" in run.out, "no summary\n" + run.out)
    # --all: every instance, in every block
    full = check_run(args + ["--no-lab", "--all"] + own)
    check(full.out.count("is not under a public suffix") == 4,
          "--all: want the DNS-010 message 4 times\n" + full.out)
    check(len(full.out.splitlines()) > len(run.out.splitlines()) or True, "")
    # the lab default: .example with loopback addresses is a lab
    lab = check_run(args + own)
    shown = lab.out.split("\nlab: ")[0]
    check("DNS-010" not in shown and "DNS-009" not in shown,
          "lab default still shows DNS-009/DNS-010\n" + lab.out)
    check(lab.out.splitlines()[-1].startswith("summary: 4 domains: 4 pass"),
          "the summary is not the last line\n" + lab.out)
    check(re.search(r"^lab: 8 findings .*4 lab domains", lab.out, re.M),
          "the summary does not say what the lab default dropped\n" + lab.out)
    # json keeps every finding
    js = json_doc(check_run(args + ["--json"] + own))
    for r in js["results"]:
        check("DNS-010" in ids_of(r) and "DNS-009" in ids_of(r),
              "json dropped lab findings: %s" % ids_of(r))
    # --lab on the json formats: the document keeps them
    js = json_doc(check_run(args + ["--json", "--lab"] + own))
    check(all("DNS-010" in ids_of(r) for r in js["results"]), "json --lab dropped DNS-010")


def case_ignore(tmp):
    out, args, domains, kinds = genlab(tmp, 50)
    bad = kinds["refused"][0]
    run = check_run(args + [bad])
    check(run.rc == 1 and "NET-001" in run.out, "refused domain: want NET-001, exit 1\n"
          + run.describe())
    run = check_run(args + ["--ignore", "NET-001", bad])
    check(run.rc == 0, "--ignore NET-001: want exit 0\n" + run.describe())
    check("NET-001" not in run.out.split("ignored:")[0],
          "--ignore NET-001 still shows it\n" + run.out)
    check(re.search(r"^ignored: NET-001 \(1 finding\)", run.out, re.M),
          "the summary does not list the ignored check\n" + run.out)
    js = json_doc(check_run(args + ["--json", "--ignore", "net-001,DNS-010", bad]))
    check(ids_of(js["results"][0]) == ["DNS-009"], "json --ignore: %s" % ids_of(js["results"][0]))
    run = check_run(args + ["--ignore", "XYZ-001", bad])
    check(run.rc == 2 and "XYZ-001" in run.err, "--ignore XYZ-001: want a usage error\n"
          + run.describe())


def case_arguments(tmp):
    out, args, domains, kinds = genlab(tmp, 6)
    d = kinds["own"][0]
    for arg in ("sip:alice@" + d, "sips:alice@%s;transport=tls" % d.upper(), "alice@" + d,
                d + "."):
        run = check_run(args + ["--json", arg])
        check(run.rc == 0, "%s: exit %d\n%s" % (arg, run.rc, run.describe()))
        got = json_doc(run)["results"][0]["domain"]
        check(got == d, "%s: checked %r, want %r" % (arg, got, d))
        check("'%s'" % arg in run.err and "checking the SIP domain" in run.err,
              "%s: no note on stderr\n%s" % (arg, run.describe()))
    run = check_run(args + ["--json", "--quiet", "sip:bob@" + d])
    check(run.rc == 0 and "note" not in run.err, "--quiet: a note\n" + run.describe())
    run = check_run(args + ["--json", d])
    check("note" not in run.err, "a plain domain needs no note\n" + run.describe())


def openssl():
    p = shutil.which("openssl")
    if not p:
        raise sflab.Skip("no openssl command")
    return p


def ossl(*argv):
    p = subprocess.run([openssl()] + list(argv), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    check(p.returncode == 0, "openssl %s: %s" % (" ".join(argv), p.stderr.decode(errors="replace")))


def self_signed(tmp, cn, days="90"):
    key, pem = os.path.join(tmp, cn + ".key"), os.path.join(tmp, cn + ".pem")
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem,
         "-days", days, "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:" + cn)
    return key, pem


def case_cert_formats(tmp):
    key, pem = self_signed(tmp, "um.example.com")
    der = os.path.join(tmp, "um.cer")
    ossl("x509", "-in", pem, "-outform", "DER", "-out", der)
    pfx = os.path.join(tmp, "um.pfx")
    ossl("pkcs12", "-export", "-in", pem, "-inkey", key, "-out", pfx, "-passout", "pass:s3cret")
    pw = os.path.join(tmp, "pw.txt")
    with open(pw, "w") as f:
        f.write("s3cret\n")
    bad = os.path.join(tmp, "bad.txt")
    with open(bad, "w") as f:
        f.write("wrong\n")
    trust = ["--trust", pem, "--no-system-trust"]
    base = ["cert", "--role", "UM", "--profile", "SFB", "--name", "um.example.com"] + trust
    # PEM: text by default
    run = sflab.run_sipfed(base + [pem])
    check(run.rc == 0 and run.out.startswith(pem) and "role um" in run.out,
          "cert PEM: want text output, exit 0\n" + run.describe())
    run = sflab.run_sipfed(base + [der])
    check(run.rc == 0 and "read as DER" in run.err and run.out.startswith(der),
          "cert DER\n" + run.describe())
    doc = json_doc(sflab.run_sipfed(base + ["--json", der]))
    check(doc["name_match"] is True and doc["chain_trusted"] is True and doc["file"] == der,
          "cert DER json: %r" % doc)
    run = sflab.run_sipfed(base + ["--password-file", pw, pfx])
    check(run.rc == 0 and "read as PKCS#12" in run.err and "um.example.com" in run.out,
          "cert PKCS#12\n" + run.describe())
    run = sflab.run_sipfed(base + [pfx])
    check(run.rc == 2 and "--password-file" in run.err, "PKCS#12 without password\n"
          + run.describe())
    run = sflab.run_sipfed(base + ["--password-file", bad, pfx])
    check(run.rc == 2 and "password" in run.err, "PKCS#12 wrong password\n" + run.describe())
    run = sflab.run_sipfed(["cert", "--role", "Edge"] + trust + [pem])
    check(run.rc == 0 and "role edge" in run.out, "--role Edge\n" + run.describe())


def case_expiry(tmp):
    out, args, domains, kinds = genlab(tmp, 6)
    d = kinds["own"][0]
    doc = json_doc(check_run(args + ["--json", d]))
    check("CERT-004" not in ids_of(doc["results"][0]), "CERT-004 without --expiry-days")
    doc = json_doc(check_run(args + ["--json", "--expiry-days", "400", d]))
    f = [f for f in doc["results"][0]["findings"] if f["id"] == "CERT-004"]
    check(f and f[0]["severity"] == "warning" and "within 400 days" in f[0]["message"],
          "--expiry-days 400: want CERT-004 warning 'within 400 days': %r" % f)
    run = check_run(args + ["--expiry-days", "0", d])
    check(run.rc == 2 and "--expiry-days" in run.err, "--expiry-days 0\n" + run.describe())


def case_fail_on(tmp):
    out, args, domains, kinds = genlab(tmp, 6)
    d = kinds["own"][0]
    run = check_run(args + ["--no-lab", d])
    check(run.rc == 0 and "WARN" in run.out, "warnings: exit 0 by default\n" + run.describe())
    run = check_run(args + ["--no-lab", "--fail-on", "warning", d])
    check(run.rc == 1, "--fail-on warning: want exit 1\n" + run.describe())
    run = check_run(args + ["--fail-on", "warning", d])
    check(run.rc == 0, "--fail-on warning, lab default: want exit 0\n" + run.describe())
    run = check_run(args + ["--json", "--no-lab", "--fail-on", "warning", d])
    check(run.rc == 1, "--fail-on warning --json: want exit 1\n" + run.describe())
    run = check_run(args + ["--fail-on", "notice", d])
    check(run.rc == 2, "--fail-on notice: want a usage error\n" + run.describe())


def nagios(args, want_rc, want_word):
    run = check_run(args + ["--format", "nagios"])
    check(run.rc == want_rc, "nagios: exit %d, want %d\n%s" % (run.rc, want_rc, run.describe()))
    check(NAGIOS_RE.match(run.out), "nagios: not one plugin line\n" + run.describe())
    check(run.out.startswith("SIPFED %s - " % want_word), "nagios: want %s\n%s"
          % (want_word, run.describe()))
    return run


def case_nagios(tmp):
    out, args, domains, kinds = genlab(tmp, 50)
    own = kinds["own"][0]
    run = nagios(args + [own], 0, "OK")
    check(re.search(r"\| .*\bcert_days_left=\d+;30:;0:", run.out), "no cert_days_left perfdata\n"
          + run.out)
    check(re.search(r"\bfindings_warning=0;", run.out), "no findings_warning perfdata")
    nagios(args + ["--no-lab", own], 1, "WARNING")
    nagios(args + [own, kinds["expired"][0]], 2, "CRITICAL")
    run = nagios(["--resolver", "127.0.0.1:9", "--timeout", "300", "example.com"], 3, "UNKNOWN")
    run = check_run(["--format", "nagios", "--zone", "/nonexistent.zone", "example.com"])
    check(run.rc == 3 and run.out.startswith("SIPFED UNKNOWN - "),
          "nagios, unreadable zone: want UNKNOWN, 3\n" + run.describe())


def case_csv(tmp):
    out, args, domains, kinds = genlab(tmp, 50)
    sel = [kinds["own"][0], kinds["refused"][0], kinds["expired"][0]]
    run = check_run(args + ["--format", "csv", "--no-lab"] + sel)
    check(run.rc == 1, "csv: exit %d\n%s" % (run.rc, run.describe()))
    check("\r\n" in run.out, "csv: RFC 4180 wants CRLF line ends")
    rows = list(csv.reader(io.StringIO(run.out, newline="")))
    check(rows[0] == ["domain", "verdict", "id", "severity", "subject", "message", "fix",
                      "ms_diagnostics", "result_code", "hresult"], "csv header %r" % rows[0])
    doc = json_doc(check_run(args + ["--json"] + sel))
    want = sum(len(r["findings"]) for r in doc["results"])
    check(len(rows) - 1 == want, "csv: %d rows, json has %d findings" % (len(rows) - 1, want))
    for r in rows[1:]:
        check(len(r) == 10, "csv row of %d fields: %r" % (len(r), r))
        check(r[0] in sel and r[1] in ("pass", "warn", "fail", "error"), "csv row %r" % r)
    exp = [r for r in rows[1:] if r[2] == "CERT-004"]
    check(exp and exp[0][3] == "error" and exp[0][7] == "1010" and exp[0][9] == "0x800B0101",
          "csv CERT-004 row %r" % exp)
    check(any("," in r[5] or "," in r[6] for r in rows[1:]), "no quoted comma exercised")


def case_role_wording(tmp):
    key, pem = self_signed(tmp, "um.example.com")
    trust = ["--trust", pem, "--no-system-trust"]
    um = json_doc(sflab.run_sipfed(["cert", "--json", "--role", "um", "--name", "um.example.com"]
                                   + trust + [pem]))
    f = [f for f in um["findings"] if f["id"] == "CERT-008"]
    check(f, "UM: no CERT-008 on a certificate without CRL DP: %r" % um["findings"])
    check("Internet" not in f[0]["fix"].replace("need not be published on the Internet", "")
          and "Skype for Business" in f[0]["fix"], "UM CERT-008 fix: %r" % f[0]["fix"])
    edge = json_doc(sflab.run_sipfed(["cert", "--json", "--name", "um.example.com"] + trust
                                     + [pem]))
    f = [f for f in edge["findings"] if f["id"] == "CERT-008"]
    check(f and "Access Edge" in f[0]["fix"] and "Internet" in f[0]["fix"],
          "Edge CERT-008 fix: %r" % f)


CASES = {
    "brief-50": case_brief_50,
    "grouping": case_grouping,
    "ignore": case_ignore,
    "arguments": case_arguments,
    "cert-formats": case_cert_formats,
    "expiry": case_expiry,
    "fail-on": case_fail_on,
    "nagios": case_nagios,
    "csv": case_csv,
    "role-wording": case_role_wording,
}


def run_case(name):
    if name not in CASES:
        raise Fail("unknown case %r (known: %s)" % (name, ", ".join(CASES)))
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: quiet.py CASE", file=sys.stderr)
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
