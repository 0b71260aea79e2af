#!/usr/bin/env python3
"""cli.py CASE: the command-line contract (SPEC section 3) on the seed lab."""

import json
import os
import re
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
    a = stage_run(tmp, "cisco-cert", ["--json"])
    b = sflab.run_sipfed(["check"] + offline_args("cisco-cert", tmp) + ["--format", "json"]
                         + sflab.stage_domains("cisco-cert"))
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
