#!/usr/bin/env python3
"""logs.py CASE: `sipfed logs` on log fixtures, as a user runs it.

Fixtures: tests/data/logs/cli/ (this test's own: an Expressway log with the
seed's bare 504, the Edge records 0xC3E93D6F / 0xC3E93D67, a client trace
with the 1009 and 1010 responses, event 32263) and the readers' fixtures in
the other directories of tests/data/logs/.  Pinned: the causes (most frequent
first), the check IDs, subjects, fixes and `next` commands, the JSON shape of
SPEC section 3, JSON lines, exit statuses, a bad file among good ones, stdin
and gzip, bundles (.tar.gz, .zip) and directories named by member path,
UTF-16 exports, a decompression bomb, and --verify against the offline seed
lab.
"""

import gzip
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402

EVENT_KEYS = ["file", "line", "kind", "code", "result_code", "hresult", "attrs", "checks",
              "subject", "fix", "time", "call_id", "from_domain", "to_domain", "linked",
              "next", "cause"]
CAUSE_KEYS = ["cause", "subject", "checks", "count", "first", "last", "fix", "next"]
KINDS = ("ms-diagnostics", "edge-record", "sip-response", "event")


def data_dir(*parts):
    return os.path.join(sflab.srcdir(), "tests", "data", "logs", *parts)


def cli_file(name):
    return data_dir("cli", name)


GOOD = ["expressway.log", "edge.log", "client.uccapilog", "events.txt"]

# What each event of the own fixtures must be explained as:
# (file, kind, checks, subject, substring of the fix, next)
PINS = [
    ("expressway.log", "sip-response", ["DNS-005"], "vcse.steven.lab",
     "point _sipfederationtls._tcp.acano.steven.lab at a host directly in acano.steven.lab "
     "(e.g. vcse.acano.steven.lab)", "sipfed check acano.steven.lab"),
    ("expressway.log", "sip-response", ["DNS-001", "DNS-005", "CERT-001"], "cms.steven.lab",
     "run the check below for cms.steven.lab", "sipfed check cms.steven.lab"),
    ("edge.log", "edge-record", ["DNS-005"], "vcse.steven.lab",
     "point _sipfederationtls._tcp.acano.steven.lab at a host directly in acano.steven.lab "
     "(e.g. vcse.acano.steven.lab)", "sipfed check acano.steven.lab"),
    ("edge.log", "edge-record", ["CERT-001"], "vcse.acano.steven.lab",
     "add vcse.acano.steven.lab to the certificate of the host that answers for it "
     "(it presents vcse.steven.lab)", "sipfed check acano.steven.lab"),
    ("client.uccapilog", "ms-diagnostics", ["DNS-005"], "vcse.sub.cms.steven.lab",
     "point _sipfederationtls._tcp.cms.steven.lab at a host directly in cms.steven.lab "
     "(e.g. vcse.cms.steven.lab)", "sipfed check cms.steven.lab"),
    ("client.uccapilog", "ms-diagnostics", ["CERT-001"], "vcse.cms.steven.lab",
     "add vcse.cms.steven.lab to the certificate of the host that answers for it "
     "(it presents vcse.steven.lab)", "sipfed check cms.steven.lab"),
    ("events.txt", "event", ["UM-001"], None, "subject CN", None),
]


def logs(args, **kw):
    return sflab.run_sipfed(["logs"] + args, **kw)


def run_bytes(args, data, timeout=60):
    """Runs sipfed with raw bytes on stdin (gzip, binary)."""
    p = subprocess.run([sflab.sipfed_bin()] + args, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    r = sflab.Run(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"), 0.0)
    check(r.rc >= 0, "sipfed was killed by signal %d\n%s" % (-r.rc, r.describe()))
    return r


def parse_doc(run):
    """The JSON document of `logs --json`, its shape checked (SPEC section 3)."""
    try:
        doc = json.loads(run.out)
    except ValueError as e:
        raise sflab.Fail("stdout is not one JSON document (%s)\n%s" % (e, run.describe()))
    check(isinstance(doc, dict) and doc.get("version") == 1, 'no "version": 1\n'
          + run.describe())
    check(list(doc)[:3] == ["version", "events", "summary"],
          "top-level keys %r, want version, events, summary first" % list(doc))
    for ev in doc["events"]:
        check_event_shape(ev, run)
    s = doc["summary"]
    check(s.get("events") == len(doc["events"]), "summary.events %r != %d events"
          % (s.get("events"), len(doc["events"])))
    check(isinstance(s.get("files"), int), "summary.files is not a number")
    counts = [c["count"] for c in s["causes"]]
    check(counts == sorted(counts, reverse=True), "causes not most frequent first: %r" % counts)
    check(sum(counts) == len(doc["events"]), "cause counts %r do not add up to %d events"
          % (counts, len(doc["events"])))
    for c in s["causes"]:
        check(list(c)[:len(CAUSE_KEYS)] == CAUSE_KEYS, "cause keys %r, want %r first"
              % (list(c), CAUSE_KEYS))
    return doc


def check_event_shape(ev, run):
    check(list(ev)[:len(EVENT_KEYS)] == EVENT_KEYS, "event keys %r, want %r first\n%s"
          % (list(ev), EVENT_KEYS, run.describe()))
    check(ev["kind"] in KINDS, "bad kind %r" % ev["kind"])
    check(isinstance(ev["line"], int) and ev["line"] >= 1, "bad line %r" % ev["line"])
    check(ev["code"] is None or isinstance(ev["code"], int), "code %r" % ev["code"])
    for k in ("result_code", "hresult"):
        v = ev[k]
        check(v is None or (v.startswith("0x") and len(v) == 10
                            and all(ch in "0123456789ABCDEF" for ch in v[2:])),
              "%s %r is not an upper-case 0x hex string" % (k, v))
    check(isinstance(ev["attrs"], dict), "attrs is not an object")
    check(isinstance(ev["checks"], list) and len(set(ev["checks"])) == len(ev["checks"]),
          "checks %r is not a list of distinct IDs" % ev["checks"])
    check(isinstance(ev["cause"], str) and ev["cause"], "event without a cause: %r" % ev)
    if ev["checks"]:
        check(ev["fix"], "event with checks but no fix: %r" % ev)


def own_doc(extra=()):
    run = logs(["--json"] + list(extra) + [cli_file(f) for f in GOOD])
    check(run.rc == 1, "exit %d, want 1 (failures found)\n%s" % (run.rc, run.describe()))
    return parse_doc(run), run


def case_own_json(tmp):
    doc, run = own_doc()
    evs = doc["events"]
    check(len(evs) == len(PINS), "%d events, want %d\n%s" % (len(evs), len(PINS),
                                                             run.describe()))
    left = list(evs)
    for fname, kind, checks, subject, fix, nxt in PINS:
        hits = [e for e in left if os.path.basename(e["file"]) == fname and e["kind"] == kind
                and e["checks"] == checks and e["subject"] == subject]
        check(hits, "no %s event in %s with checks %r and subject %r; events:\n%s"
              % (kind, fname, checks, subject, json.dumps(evs, indent=1)[:6000]))
        e = hits[0]
        left.remove(e)
        check(fix in " ".join((e["fix"] or "").split()), "%s %s: fix %r lacks %r"
              % (fname, checks, e["fix"], fix))
        if nxt is None:
            check(not (e["next"] or "").startswith("sipfed check"), "%s: next %r"
                  % (fname, e["next"]))
        else:
            check(e["next"] == nxt, "%s %s: next %r, want %r" % (fname, checks, e["next"], nxt))
    # the seed's 504 of call 1 is linked to the Edge record of the same Call-ID
    x = [e for e in evs if e["kind"] == "sip-response" and e["checks"] == ["DNS-005"]][0]
    edge = [e for e in evs if e["kind"] == "edge-record" and e["checks"] == ["DNS-005"]][0]
    check(x["linked"] == "%s:%d" % (edge["file"], edge["line"]),
          "504 linked to %r, want the Edge record %s:%d" % (x["linked"], edge["file"],
                                                             edge["line"]))
    check(x["call_id"] == edge["call_id"], "linked events differ in Call-ID")
    check(edge["result_code"] == "0xC3E93D6F", "result_code %r" % edge["result_code"])
    check(edge["attrs"].get("domain") == "acano.steven.lab", "attrs %r" % edge["attrs"])
    y = [e for e in evs if e["kind"] == "sip-response" and e["checks"] != ["DNS-005"]][0]
    check(y["linked"] is None, "the lone 504 is linked to %r" % y["linked"])
    check("DNS or certificate rule on the Microsoft side" in y["cause"], "cause %r" % y["cause"])
    c1010 = [e for e in evs if e["code"] == 1010][0]
    check(c1010["attrs"].get("tls-target") == "vcse.cms.steven.lab", "attrs %r"
          % c1010["attrs"])
    s = doc["summary"]
    check(s["files"] == len(GOOD), "summary.files %r" % s["files"])
    check(len(s["causes"]) == len(PINS) - 1, "%d causes, want %d" % (len(s["causes"]),
                                                                    len(PINS) - 1))
    top = s["causes"][0]
    check(top["count"] == 2 and top["checks"] == ["DNS-005"]
          and top["subject"] == "vcse.steven.lab",
          "top cause %r, want DNS-005 vcse.steven.lab x2" % top)
    check(top["next"] == "sipfed check acano.steven.lab", "top next %r" % top["next"])
    check(top["first"] and top["last"] and top["first"] != top["last"],
          "first/last %r / %r" % (top["first"], top["last"]))
    check(s.get("domains") == ["acano.steven.lab", "cms.steven.lab"], "domains %r"
          % s.get("domains"))


def case_own_text(tmp):
    run = logs([cli_file(f) for f in GOOD])
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    check("\x1b" not in run.out, "escape codes with NO_COLOR=1 on a pipe")
    blocks = [b for b in run.out.split("\n\n") if b.strip()]
    check(blocks[0].startswith("sipfed logs: 7 events in 4 files, 6 causes"),
          "summary line: %r" % blocks[0])
    first = blocks[1].splitlines()
    check(first[0].startswith("DNS-005  vcse.steven.lab  (2 events, "),
          "first block is not DNS-005 vcse.steven.lab x2:\n" + blocks[1])
    flat = " ".join(blocks[1].split())
    for want in ("fix point _sipfederationtls._tcp.acano.steven.lab at a host directly in "
                 "acano.steven.lab (e.g. vcse.acano.steven.lab)",
                 "next sipfed check acano.steven.lab", "Edge 0xC3E93D6F",
                 "504 without ms-diagnostics"):
        check(want in flat, "first block lacks %r:\n%s" % (want, blocks[1]))
    all_flat = " ".join(run.out.split())
    for want in ("add vcse.cms.steven.lab to the certificate of the host that answers for it "
                 "(it presents vcse.steven.lab)", "UM-001", "CERT-001 vcse.acano.steven.lab",
                 "DNS-005 vcse.sub.cms.steven.lab", "next sipfed check cms.steven.lab"):
        check(want in all_flat, "text lacks %r:\n%s" % (want, run.out))
    check("\n  events   " not in run.out, "events listed without --events")
    ev = logs(["--events"] + [cli_file(f) for f in GOOD])
    check("-> " + cli_file("edge.log") + ":" in ev.out, "--events does not show the link:\n"
          + ev.out)
    check(ev.out.count(cli_file("expressway.log") + ":") == 2, "--events: not one line per "
          "Expressway event:\n" + ev.out)


def case_jsonl(tmp):
    doc, _ = own_doc()
    run = logs(["--format", "jsonl"] + [cli_file(f) for f in GOOD])
    check(run.rc == 1, "exit %d\n%s" % (run.rc, run.describe()))
    lines = run.out.splitlines()
    check(len(lines) == len(doc["events"]) + 1, "%d lines, want %d events + summary"
          % (len(lines), len(doc["events"])))
    for i, ln in enumerate(lines[:-1]):
        check(json.loads(ln) == doc["events"][i], "jsonl line %d differs from the JSON event"
              % (i + 1))
    check(json.loads(lines[-1]) == {"summary": doc["summary"]}, "last line is not the summary")


def case_stdin(tmp):
    with open(cli_file("edge.log"), encoding="utf-8") as f:
        data = f.read()
    byfile = parse_doc(logs(["--json", cli_file("edge.log")]))
    run = logs(["--json", "-"], stdin_data=data)
    check(run.rc == 1, "exit %d\n%s" % (run.rc, run.describe()))
    doc = parse_doc(run)
    check([e["file"] for e in doc["events"]] == ["-"] * len(byfile["events"]),
          "stdin events not named '-': %r" % [e["file"] for e in doc["events"]])
    strip = [dict(e, file=None, linked=None) for e in doc["events"]]
    want = [dict(e, file=None, linked=None) for e in byfile["events"]]
    check(strip == want, "stdin gives other events than the file")
    # gzip is detected by its magic bytes
    gz = run_bytes(["logs", "--json", "-"], gzip.compress(data.encode()))
    check(gz.rc == 1, "gzip on stdin: exit %d\n%s" % (gz.rc, gz.describe()))
    check([dict(e, file=None, linked=None) for e in parse_doc(gz)["events"]] == want,
          "gzip input gives other events")


def case_bad_file(tmp):
    binf = os.path.join(tmp, "binary.log")
    with open(binf, "wb") as f:
        f.write(bytes(range(256)) * 64)
    missing = os.path.join(tmp, "missing.log")
    run = logs(["--json", cli_file("edge.log"), missing, binf, cli_file("client.uccapilog")])
    check(run.rc == 2, "exit %d, want 2\n%s" % (run.rc, run.describe()))
    errs = [ln for ln in run.err.splitlines() if ln.strip()]
    check(len(errs) == 2 and all(ln.startswith("sipfed: ") for ln in errs),
          "want one 'sipfed: ...' line per bad file:\n" + run.err)
    check(any("missing.log" in ln for ln in errs) and any("binary.log" in ln for ln in errs),
          "the messages do not name the bad files:\n" + run.err)
    doc = parse_doc(run)
    files = {os.path.basename(e["file"]) for e in doc["events"]}
    check(files == {"edge.log", "client.uccapilog"}, "the good files were not all read: %r"
          % files)
    check(doc["summary"]["files"] == 2, "summary.files %r" % doc["summary"]["files"])


def case_clean(tmp):
    run = logs([cli_file("clean-expressway.log")])
    check(run.rc == 0, "exit %d, want 0\n%s" % (run.rc, run.describe()))
    check("no federation failure found" in run.out, run.describe())
    doc = parse_doc(logs(["--json", cli_file("clean-expressway.log")]))
    check(doc["events"] == [] and doc["summary"]["causes"] == [], "events in a clean log")


def case_usage(tmp):
    run = logs([])
    check(run.rc == 2 and run.err.startswith("sipfed: ") and len(run.err.splitlines()) == 1,
          "no file: want exit 2 and one message\n" + run.describe())
    run = logs(["--type", "nonsense", cli_file("edge.log")])
    check(run.rc == 2 and "--type" in run.err, run.describe())
    run = logs(["--bogus", cli_file("edge.log")])
    check(run.rc == 2 and "--bogus" in run.err, run.describe())
    run = sflab.run_sipfed(["help", "logs"])
    check(run.rc == 0 and "--verify" in run.out and "--type" in run.out, run.describe())
    run = sflab.run_sipfed(["--help"])
    check("logs" in run.out, "--help does not list logs\n" + run.describe())
    run = logs(["--type", "edge", "--json", cli_file("edge.log")])
    check(run.rc == 1 and len(parse_doc(run)["events"]) == 2, run.describe())


def case_verify(tmp):
    stage = "cisco-dns"
    sflab.gen(tmp, [stage])
    args = (sflab.zone_args(sflab.stage_zones(stage))
            + ["--certs", os.path.join(tmp, stage, "certs"),
               "--trust", os.path.join(tmp, "ca", "root.pem"), "--no-system-trust"])
    doc, run = own_doc(["--verify"] + args)
    v = doc.get("verify")
    check(isinstance(v, list), 'no "verify" list\n' + run.describe())
    check([r["domain"] for r in v] == ["acano.steven.lab", "cms.steven.lab"],
          "verified %r" % [r.get("domain") for r in v])
    for r in v:
        sflab.check_result_shape(r, run)
    by = {r["domain"]: r for r in v}
    # the check confirms what the logs said: the SRV target is not in the domain
    for domain, subject in (("acano.steven.lab", "vcse.steven.lab"),
                            ("cms.steven.lab", "vcse.sub.cms.steven.lab")):
        r = by[domain]
        check(r["verdict"] == "fail", "%s: verdict %s" % (domain, r["verdict"]))
        check(any(f["id"] == "DNS-005" and f["subject"] == subject for f in r["findings"]),
              "%s: no DNS-005 for %s in --verify" % (domain, subject))
    # text: the check blocks follow the log summary
    t = logs(["--verify"] + args + [cli_file(f) for f in GOOD])
    check(t.rc == 1, t.describe())
    check(t.out.index("sipfed logs: ") < t.out.index("acano.steven.lab  FAIL"),
          "no check block after the log summary:\n" + t.out)
    # jsonl: one {"verify": R} per domain before the summary line
    j = logs(["--format", "jsonl", "--verify"] + args + [cli_file(f) for f in GOOD])
    lines = [json.loads(ln) for ln in j.out.splitlines()]
    check([ln["verify"]["domain"] for ln in lines if "verify" in ln]
          == ["acano.steven.lab", "cms.steven.lab"] and "summary" in lines[-1],
          "jsonl --verify lines:\n" + j.out)
    # a fixed lab: the checks pass, the logs still show the failures
    sflab.gen(tmp, ["cisco-fixed"])
    fixed = (sflab.zone_args(sflab.stage_zones("cisco-fixed"))
             + ["--certs", os.path.join(tmp, "cisco-fixed", "certs"),
                "--trust", os.path.join(tmp, "ca", "root.pem"), "--no-system-trust"])
    doc, run = own_doc(["--verify"] + fixed)  # exit 1: the logs' failures remain
    check(all(r["verdict"] in ("pass", "warn") for r in doc["verify"]),
          "cisco-fixed does not pass --verify:\n" + run.describe())


# The seed codes map to the same checks in every fixture of the readers.
CODE_PINS = [
    (lambda e: e["kind"] == "ms-diagnostics" and e["code"] == 1009, ["DNS-005"]),
    (lambda e: e["kind"] == "ms-diagnostics" and e["code"] == 1010
     and (e["hresult"] == "0x80090322" or "0x80090322" in str(e["attrs"].get("HRESULT", ""))),
     ["CERT-001"]),
    (lambda e: e["result_code"] == "0xC3E93D6F" and e["kind"] == "edge-record", ["DNS-005"]),
    (lambda e: e["result_code"] == "0xC3E93D67" and e["kind"] == "edge-record", ["CERT-001"]),
    (lambda e: e["kind"] == "event" and e["code"] == 32263, ["UM-001"]),
]


def case_reader_fixtures(tmp):
    root = data_dir()
    files = []
    for d, _, names in os.walk(root):
        if os.path.relpath(d, root).split(os.sep)[0] in ("cli", "expected"):
            continue
        files += [os.path.join(d, n) for n in sorted(names)
                  if not n.endswith((".json", ".md", ".expected"))]
    if not files:
        raise sflab.Skip("no reader fixtures in tests/data/logs yet")
    seen = 0
    for f in files:
        run = logs(["--json", f])
        if run.rc == 2:
            # a fixture that is not a log on purpose: one clear message
            check(run.err.startswith("sipfed: ") and len(run.err.splitlines()) == 1,
                  "%s: exit 2 without one clear message\n%s" % (f, run.describe()))
            continue
        check(run.rc in (0, 1), "%s: exit %d\n%s" % (f, run.rc, run.describe()))
        doc = parse_doc(run)
        for e in doc["events"]:
            for match, ids in CODE_PINS:
                if match(e):
                    seen += 1
                    check(e["checks"] == ids, "%s:%d: checks %r, want %r (%s)"
                          % (f, e["line"], e["checks"], ids, e["cause"]))
                    check(e["subject"] or ids == ["UM-001"], "%s:%d: no subject" % (f, e["line"]))
    check(seen > 0, "no seed failure found in the reader fixtures %r" % files)


# The seed notes themselves (text pasted from PDFs, lines broken anywhere): the same
# five failures in each of the three translations of the Cisco TAC note.
SEED_WANT = sorted([
    ("sip-response", ["DNS-005"], "vcse.steven.lab", "sipfed check acano.steven.lab", True),
    ("edge-record", ["DNS-005"], "vcse.steven.lab", "sipfed check acano.steven.lab", False),
    ("edge-record", ["CERT-001"], "vcse.acano.steven.lab", "sipfed check acano.steven.lab",
     False),
    ("ms-diagnostics", ["DNS-005"], "vcse.sub.cms.steven.lab", "sipfed check cms.steven.lab",
     False),
    ("ms-diagnostics", ["CERT-001"], "vcse.cms.steven.lab", "sipfed check cms.steven.lab",
     False),
])


def case_seeds(tmp):
    d = os.path.join(sflab.srcdir(), "..", "shared", "seeds")
    if not os.path.isdir(d):
        raise sflab.Skip("no ../shared/seeds beside the source tree")
    notes = sorted(os.path.join(d, n) for n in os.listdir(d) if n[:3] in ("000", "001", "002"))
    check(len(notes) == 3, "seed notes 000-002 not found in %s" % d)
    for note in notes:
        run = logs(["--json", note])
        check(run.rc == 1, "%s: exit %d\n%s" % (note, run.rc, run.describe()))
        got = sorted((e["kind"], e["checks"], e["subject"], e["next"], e["linked"] is not None)
                     for e in parse_doc(run)["events"])
        check(got == SEED_WANT, "%s: explained as\n%r\nwant\n%r" % (note, got, SEED_WANT))


def plain_events(name):
    """The events of a reader fixture read as a file, without file / linked."""
    doc = parse_doc(logs(["--json", data_dir(name)]))
    return [dict(e, file=None, linked=None) for e in doc["events"]]


def by_file(doc):
    out = {}
    for e in doc["events"]:
        out.setdefault(e["file"], []).append(dict(e, file=None, linked=None))
    return out


BUNDLED = [("logs/edge/edge.log", "edge.log"), ("logs/client/uccapi.log", "uccapi.log")]


def check_bundle(run, prefix):
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    got = by_file(parse_doc(run))
    want = {prefix + member: plain_events(name) for member, name in BUNDLED}
    check(sorted(got) == sorted(want), "events named %r, want %r" % (sorted(got), sorted(want)))
    for f in want:
        check(got[f] == want[f], "%s: other events than the plain file" % f)


def case_bundles(tmp):
    import tarfile
    import zipfile
    tgz = os.path.join(tmp, "diag.tar.gz")
    with tarfile.open(tgz, "w:gz") as t:
        for member, name in BUNDLED:
            t.add(data_dir(name), arcname=member)
    z = os.path.join(tmp, "diag.zip")
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, name in BUNDLED:
            zf.write(data_dir(name), member)
        zf.writestr("logs/capture.pcap", bytes(range(256)) * 8)  # not a log: skipped
    for b in (tgz, z):
        check_bundle(logs(["--json", b]), b + ":")
    # a directory of logs, walked recursively
    d = os.path.join(tmp, "dir")
    for member, name in BUNDLED:
        os.makedirs(os.path.dirname(os.path.join(d, member)), exist_ok=True)
        with open(data_dir(name), "rb") as src, open(os.path.join(d, member), "wb") as dst:
            dst.write(src.read())
    os.symlink("..", os.path.join(d, "logs", "edge", "loop"))
    check_bundle(logs(["--json", d]), d + "/")
    # a gzip file
    gz = os.path.join(tmp, "edge.log.gz")
    with open(data_dir("edge.log"), "rb") as src:
        with gzip.open(gz, "wb") as dst:
            dst.write(src.read())
    run = logs(["--json", gz])
    check(run.rc == 1, "gzip file: exit %d\n%s" % (run.rc, run.describe()))
    check([dict(e, file=None, linked=None) for e in parse_doc(run)["events"]]
          == plain_events("edge.log"), "gzip file: other events than the plain file")


def case_utf16(tmp):
    with open(data_dir("event.txt"), encoding="utf-8") as f:
        text = f.read()
    for enc, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        p = os.path.join(tmp, "event-%s.txt" % enc)
        with open(p, "wb") as f:
            f.write(bom + text.replace("\n", "\r\n").encode(enc))
        run = logs(["--json", p])
        check(run.rc == 1, "%s: exit %d\n%s" % (enc, run.rc, run.describe()))
        got = [dict(e, file=None, linked=None) for e in parse_doc(run)["events"]]
        check(got == plain_events("event.txt"), "%s: other events than the UTF-8 file" % enc)


def case_bomb(tmp):
    # a member of ~100 MiB of spaces in ~100 KiB: over the ratio limit (200:1), a
    # decompression bomb.  The bundle stops there with one message, exit 2; the
    # members read before it keep their events.
    import zipfile
    z = os.path.join(tmp, "bomb.zip")
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(data_dir("edge.log"), "a/edge.log")
        zf.writestr("b/big.log", (b" " * 65535 + b"\n") * 1600, compresslevel=9)
        zf.write(data_dir("uccapi.log"), "c/uccapi.log")
    run = logs(["--json", z])
    check(run.rc == 2, "exit %d, want 2\n%s" % (run.rc, run.describe()))
    errs = run.err.splitlines()
    check(len(errs) == 1 and errs[0].startswith("sipfed: cannot read '%s:b/big.log'" % z)
          and "decompression bomb" in errs[0], "want one message naming the member:\n"
          + run.err)
    files = {e["file"] for e in parse_doc(run)["events"]}
    check(files == {z + ":a/edge.log"}, "events of %r" % files)


def case_time_window(tmp):
    # The Edge leg of the call under another Call-ID (a B2BUA rewrote it): the
    # bare 504 is linked by time (within 30 s, the stamps' offsets applied:
    # 08:10:46.240+01:00 and 07:10:46.230) and the same From / To domains.
    with open(cli_file("edge.log"), encoding="utf-8") as f:
        edge = f.read()
    other = os.path.join(tmp, "edge-leg.log")
    with open(other, "w", encoding="utf-8") as f:
        f.write(edge.replace("kbfix0000001", "otherleg0001"))
    doc = parse_doc(logs(["--json", cli_file("expressway.log"), other]))
    x = [e for e in doc["events"] if e["kind"] == "sip-response"]
    rec = [e for e in doc["events"] if e["kind"] == "edge-record"
           and e["result_code"] == "0xC3E93D6F"][0]
    check(x[0]["linked"] == "%s:%d" % (other, rec["line"]) and x[0]["checks"] == ["DNS-005"],
          "504 of the other leg not linked by time: %r" % x[0])
    check(x[1]["linked"] is None, "the lone 504 is linked to %r" % x[1]["linked"])
    # two minutes apart: no link
    late = os.path.join(tmp, "edge-late.log")
    with open(late, "w", encoding="utf-8") as f:
        f.write(edge.replace("kbfix0000001", "otherleg0001")
                .replace("03/02/2017-07:10:46.230", "03/02/2017-07:12:46.230"))
    doc = parse_doc(logs(["--json", cli_file("expressway.log"), late]))
    check(all(e["linked"] is None for e in doc["events"]),
          "linked outside the window: %r" % [e["linked"] for e in doc["events"]])
    # other domains: no link
    dom = os.path.join(tmp, "edge-dom.log")
    with open(dom, "w", encoding="utf-8") as f:
        f.write(edge.replace("kbfix0000001", "otherleg0001")
                .replace("stejanss@skype.lab", "stejanss@other.lab"))
    doc = parse_doc(logs(["--json", cli_file("expressway.log"), dom]))
    check(all(e["linked"] is None for e in doc["events"]),
          "linked across domains: %r" % [e["linked"] for e in doc["events"]])


# One call, two records: the Edge's TF_DIAG record and the ms-diagnostics of the
# answer the client got, with the same Call-ID but worded differently, are one
# cause (issue 11 "one story"); with another Call-ID they stay two.
STORY_EDGE = """TL_ERROR(TF_DIAG) [edge01\\edge01]0B60.0D6C::11/23/2026-09:30:40.025.00005602 (SIPStack,SIPAdminLog::WriteDiagnosticEvent:SIPAdminLog.cpp(833)) [3634190282] $$begin_record
Severity: error
Text: Message cannot be routed because the peer's certificate does not contain a matching FQDN
Result-Code: 0xc3e93d67 SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH
SIP-Start-Line: INVITE sip:ada@fabrikam.example SIP/2.0
SIP-Call-ID: story-call-0001
SIP-CSeq: 1 INVITE
Peer: sbc.northwind.example:25001
Data: expected-fqdn="sip.northwind.example";certName="sbc.northwind.example";info="The peer certificate does not contain a matching FQDN"
$$end_record
"""
STORY_CLIENT = """11/23/2026|09:30:40.102 1F20:1E4C INFO  :: Data Received - 192.0.2.10:443 (To Local Address: 192.0.2.71:62937) 700 bytes:
SIP/2.0 504 Server time-out
From: <sip:ada@fabrikam.example>;tag=a1
To: <sip:bob@northwind.example>;tag=b2
Call-ID: %s
CSeq: 1 INVITE
ms-diagnostics: 1010;reason="Certificate trust with another server could not be established";tls-target="sip.northwind.example";PeerServer="sbc.northwind.example";HRESULT="0x80090322(SEC_E_WRONG_PRINCIPAL)";source="edge01.fabrikam.example"
Server: RTC/6.0
Content-Length: 0

11/23/2026|09:30:40.103 1F20:1E4C INFO  :: End of Data Received -
"""


def case_one_story(tmp):
    edge = os.path.join(tmp, "edge.log")
    with open(edge, "w") as f:
        f.write(STORY_EDGE)
    for call_id, want_causes in (("story-call-0001", 1), ("another-call-0002", 2)):
        client = os.path.join(tmp, "client.uccapilog")
        with open(client, "w") as f:
            f.write(STORY_CLIENT % call_id)
        run = logs(["--json", edge, client])
        check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
        doc = parse_doc(run)
        kinds = sorted(e["kind"] for e in doc["events"])
        check(kinds == ["edge-record", "ms-diagnostics"], "events %r\n%s" % (kinds, run.out))
        causes = doc["summary"]["causes"]
        check(len(causes) == want_causes, "Call-ID %s: %d causes, want %d\n%s"
              % (call_id, len(causes), want_causes, json.dumps(causes, indent=1)))
        for e in doc["events"]:
            check("CERT-001" in [c if isinstance(c, str) else c.get("id") for c in e["checks"]],
                  "%s does not name CERT-001: %r" % (e["kind"], e["checks"]))
        msd = [e for e in doc["events"] if e["kind"] == "ms-diagnostics"][0]
        if want_causes == 1:
            check(msd["linked"] and msd["linked"].endswith("edge.log:1"),
                  "the answer is not linked to the Edge record: %r" % msd["linked"])
        else:
            check(not msd["linked"], "linked across calls: %r" % msd["linked"])


# The Expressway "Search history" page pasted from the web UI: the list (tabs
# or runs of spaces) and one search's details.  Found searches give nothing.
SEARCH_LIST = ("Search history\n\n"
               "Start time\tSearch type\tSource\tDestination\tStatus\tActions\n"
               "2026-11-23 10:00:00\tSIP (INVITE)\tsip:ann@kestrel.example\t"
               "sip:bo@partner.example\tNot found\tView\n"
               "2026-11-23 10:00:05\tSIP (OPTIONS)\tsip:kestrel.example\tsip:partner.example\t"
               "Found\tView\n"
               "2026-11-23 10:01:00   SIP (MESSAGE)   sip:ann@kestrel.example   "
               "sip:cy@orchard.example   Not found   View  \n")
SEARCH_DETAILS = """Search (12)
  State: Completed
  Found: False
  Reason: Request Timeout
  Type: SIP (INVITE)
  Source (1)
    Aliases (1)
      Alias (1)
        Type: Url
        Value: sip:ann@kestrel.example
  Destination (1)
    Alias (1)
      Value: sip:bo@partner.example
  SubSearch (1)
    Type: Transforms
    Reason: Not Found
  StartTime: 2026-11-23 10:00:00
Search (13)
  State: Completed
  Found: True
  Type: SIP (OPTIONS)
"""


def case_search_history(tmp):
    lst = os.path.join(tmp, "search-list.txt")
    det = os.path.join(tmp, "search-details.txt")
    with open(lst, "w") as f:
        f.write(SEARCH_LIST)
    with open(det, "w") as f:
        f.write(SEARCH_DETAILS.replace("\n", "\r\n"))
    run = logs(["--json", lst])
    check(run.rc in (0, 1), "exit %d\n%s" % (run.rc, run.describe()))
    evs = parse_doc(run)["events"]
    got = [(e["kind"], e["line"], e["to_domain"], e["attrs"].get("Search-type")) for e in evs]
    check(got == [("event", 4, "partner.example", "SIP (INVITE)"),
                  ("event", 6, "orchard.example", "SIP (MESSAGE)")],
          "list: %r\n%s" % (got, run.out))
    run = logs(["--json", det])
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    evs = parse_doc(run)["events"]
    check(len(evs) == 1, "details: %d events, want 1 (the found search gives none)\n%s"
          % (len(evs), run.out))
    e = evs[0]
    check(e["kind"] == "sip-response" and e["line"] == 3 and e["time"] == "2026-11-23 10:00:00"
          and e["from_domain"] == "kestrel.example" and e["to_domain"] == "partner.example"
          and e["attrs"].get("Reason") == "Request Timeout" and "DNS-005" in e["checks"],
          "details: %r" % e)
    # pasted without its "Search (12)" line: the Found line and its siblings
    with open(det, "w") as f:
        f.write(SEARCH_DETAILS.split("\n", 1)[1])
    evs = parse_doc(logs(["--type", "search", "--json", det]))["events"]
    check(len(evs) == 1 and evs[0]["line"] == 2 and evs[0]["to_domain"] == "partner.example"
          and evs[0]["attrs"].get("Reason") == "Request Timeout",
          "details without the Search line: %r" % evs)
    # the type is detected, and can be forced by its name
    run = logs(["--type", "search", "--json", lst])
    check(len(parse_doc(run)["events"]) == 2, "--type search\n" + run.describe())


# Windows events: Schannel 36887 / 36888 name the TLS alert (and error state)
# in their description; the same event in the Event Viewer XML view.
SCHANNEL_TEXT = 'Log Name:      System\nSource:        Schannel\nDate:          23/11/2026 10:20:30\nEvent ID:      36887\nTask Category: None\nLevel:         Error\nKeywords:      \nUser:          SYSTEM\nComputer:      edge01.fabrikam.example\nDescription:\nA fatal alert was received from the remote endpoint. The TLS protocol defined fatal alert code is 48.\n\nLog Name:      System\nSource:        Schannel\nDate:          23/11/2026 10:20:31\nEvent ID:      36888\nLevel:         Error\nComputer:      edge01.fabrikam.example\nDescription:\nA fatal alert was generated and sent to the remote endpoint. This may result in termination of the connection. The TLS protocol defined fatal alert code is 40. The Windows SChannel error state is 1205.\n\nLog Name:      Lync Server\nSource:        LS Protocol Stack\nDate:          23/11/2026 10:21:00\nEvent ID:      14428\nLevel:         Error\nComputer:      edge01.fabrikam.example\nDescription:\nTLS outgoing connection failures.\nOver the past 2 minutes, Lync Server has experienced TLS outgoing connection failures 3 time(s). The error code of the last failure is 0x80090322(SEC_E_WRONG_PRINCIPAL) while trying to connect to the host "sip.partner.example".\n'
SCHANNEL_XML = '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n  <System>\n    <Provider Name="Schannel" Guid="{1f678132-5938-4686-9fdc-c8ff68f15c85}" />\n    <EventID>36887</EventID>\n    <Level>2</Level>\n    <TimeCreated SystemTime="2026-11-23T09:20:30.1234567Z" />\n    <Computer>edge01.fabrikam.example</Computer>\n  </System>\n  <EventData>\n    <Data Name="AlertDesc">48</Data>\n  </EventData>\n</Event>\n'


def case_windows_events(tmp):
    txt = os.path.join(tmp, "events.txt")
    xml = os.path.join(tmp, "event.xml")
    with open(txt, "w") as f:
        f.write(SCHANNEL_TEXT.replace("\n", "\r\n"))
    with open(xml, "w") as f:
        f.write(SCHANNEL_XML)
    run = logs(["--json", txt])
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    evs = parse_doc(run)["events"]
    got = [(e["code"], e["attrs"].get("TLS-alert"), e["attrs"].get("SChannel-error-state"))
           for e in evs]
    check(got == [(36887, "48", None), (36888, "40", "1205"), (14428, None, None)],
          "text: %r" % got)
    check("CERT-005" in evs[0]["checks"] and "unknown_ca" in evs[0]["cause"],
          "36887 alert 48 not explained as an untrusted chain: %r" % evs[0])
    check("CERT-001" in evs[2]["checks"], "14428 with SEC_E_WRONG_PRINCIPAL: %r" % evs[2])
    run = logs(["--json", xml])
    evs = parse_doc(run)["events"]
    check(len(evs) == 1, "xml: %d events, want 1\n%s" % (len(evs), run.out))
    e = evs[0]
    check(e["code"] == 36887 and e["attrs"].get("TLS-alert") == "48" and
          e["attrs"].get("source") == "Schannel" and
          e["time"] == "2026-11-23T09:20:30.1234567Z" and "CERT-005" in e["checks"],
          "xml: %r" % e)


# An Edge record whose Result-Code is a Windows code, not a SIP stack one: an
# HRESULT (0x80090322) or a Win32 / Winsock error as HRESULT (0x8007274C = 10060).
EDGE_WINDOWS = """TL_ERROR(TF_CONNECTION) [0]1A2C.2B3C::11/23/2026-09:10:12.001.0001A2B4 (SIPStack,SIPAdminLog::TraceConnectionRecord:SIPAdminLog.cpp(160))[1234] $$begin_record
LogType: connection
Severity: error
Text: Failed to complete outbound connection
Peer-IP: 203.0.113.50:5061
Transport: TLS
Result-Code: 0x8007274c WSAETIMEDOUT
Data: fqdn="sip.partner.example";peer-type="FederatedPartner";winsock-code="10060"
$$end_record
TL_WARN(TF_CONNECTION) [0]1A2C.2B3C::11/23/2026-09:10:13.001.0001A2B5 (SIPStack,SIPAdminLog::TraceConnectionRecord:SIPAdminLog.cpp(160))[1234] $$begin_record
LogType: connection
Severity: warning
Text: TLS negotiation failed
Peer-IP: 203.0.113.51:5061
Result-Code: 0x80090322 SEC_E_WRONG_PRINCIPAL
$$end_record
TL_ERROR(TF_COMPONENT) [0]1A2C.2B3C::11/23/2026-09:10:14.123.0001A2B3 (SIPStack,SIPAdminLog::ProcessOutgoingConnection:SIPAdminLog.cpp(512))[1234] Routing failed. Result 0xC3E93D6F(SIPPROXY_E_EPROUTING_MSG_ALLOWED_DOMAIN_NO_SRV_MATCH)
"""


def case_edge_windows_codes(tmp):
    f = os.path.join(tmp, "edge.log")
    with open(f, "w") as fp:
        fp.write(EDGE_WINDOWS)
    run = logs(["--json", f])
    check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
    evs = parse_doc(run)["events"]
    got = [(e["kind"], e["checks"]) for e in evs]
    check(got[:2] == [("edge-record", ["NET-001", "DNS-009"]), ("edge-record", ["CERT-001"])],
          "%r\n%s" % (got, run.out))
    # a trace line outside a record: its Result and the time of its prefix
    check(len(evs) == 3 and evs[2]["kind"] == "event" and
          evs[2]["result_code"] == "0xC3E93D6F" and "DNS-005" in evs[2]["checks"] and
          evs[2]["time"] == "11/23/2026-09:10:14.123", "TL_ERROR line: %r" % evs[2:])


CASES = {
    "seeds": case_seeds,
    "own-json": case_own_json,
    "own-text": case_own_text,
    "jsonl": case_jsonl,
    "stdin": case_stdin,
    "bad-file": case_bad_file,
    "clean": case_clean,
    "usage": case_usage,
    "verify": case_verify,
    "reader-fixtures": case_reader_fixtures,
    "bundles": case_bundles,
    "utf16": case_utf16,
    "bomb": case_bomb,
    "time-window": case_time_window,
    "one-story": case_one_story,
    "search-history": case_search_history,
    "windows-events": case_windows_events,
    "edge-windows-codes": case_edge_windows_codes,
}


def main(case):
    if case not in CASES:
        raise sflab.Fail("unknown case %r (one of %s)" % (case, ", ".join(CASES)))
    with sflab.TempDir() as tmp:
        CASES[case](tmp)


if __name__ == "__main__":
    sflab.main(main, sys.argv[1] if len(sys.argv) > 1 else "")
