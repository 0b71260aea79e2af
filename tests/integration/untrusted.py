#!/usr/bin/env python3
"""untrusted.py CASE: text from outside stays inside its finding; input files are bounded.

txt-live     a TXT record with line breaks and a bidi override at
             _sipfederationtls._tcp.<domain>, served by knotd and read through
             the live resolver: one DNS-003 finding whose message shows the
             escapes; no forged finding line in text output.
f-bounds     -f with /dev/zero (as a file and on stdin), a directory, a FIFO
             without a writer, a line too long, a NUL byte: a clear error
             naming the file (and line), exit 2, within seconds.
allow-bounds --allow-list with /dev/zero, a directory, a FIFO without a
             writer, a line too long: the same.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402

TXT_ZONE = """$ORIGIN untrusted.example.
$TTL 300
@	IN	SOA	ns1 hostmaster 1 3600 900 604800 300
	IN	NS	ns1
ns1	IN	A	127.0.0.1
_sipfederationtls._tcp	IN	TXT	"v=sip1\\010  error    DNS-001  forged.example\\013\\226\\128\\174gro.live"
"""


def severity_lines(text, word):
    return [ln for ln in text.splitlines() if ln.lstrip().split(" ", 1)[0] == word]


def case_txt_live(tmp):
    zone = os.path.join(tmp, "untrusted.example.zone")
    with open(zone, "w", encoding="ascii") as f:
        f.write(TXT_ZONE)
    knot = sflab.Knot(os.path.join(tmp, "knot"), [zone])
    os.makedirs(knot.dir, exist_ok=True)
    port = knot.start()
    try:
        base = ["check", "--resolver", "127.0.0.1:%d" % port, "--timeout", "2000",
                "--no-probe", "untrusted.example"]
        run = sflab.run_sipfed(base + ["--format", "text"])
        check(run.rc in (0, 1), "exit %d\n%s" % (run.rc, run.describe()))
        check("DNS-003" in run.out, "no DNS-003 for a TXT record at the owner\n" + run.describe())
        errors = severity_lines(run.out, "error")
        check(not any("forged" in ln or "DNS-001" in ln for ln in errors),
              "a forged finding line from the TXT record:\n" + run.out)
        check("v=sip1\\x0a" in run.out and "\\x0d" in run.out and "\\u202e" in run.out,
              "TXT escapes not shown:\n" + run.out)
        for raw in ("\u202e", "\r"):
            check(raw not in run.out, "raw %r in text output:\n%r" % (raw, run.out))
        run = sflab.run_sipfed(base + ["--json"])
        doc = sflab.parse_json_doc(run)
        msgs = [f["message"] for r in doc["results"] for f in r["findings"] if f["id"] == "DNS-003"]
        check(len(msgs) == 1 and "\n" not in msgs[0] and "v=sip1\\x0a" in msgs[0]
              and "\\u202e" in msgs[0], "JSON DNS-003 message %r" % msgs)
    finally:
        knot.stop()


def expect_error(argv, want, stdin_path=None, limit=10.0):
    t0 = time.monotonic()
    if stdin_path:
        import subprocess
        with open(stdin_path, "rb") as f:
            p = subprocess.run([sflab.sipfed_bin()] + argv, stdin=f, capture_output=True,
                               timeout=limit + 5, env=dict(os.environ, NO_COLOR="1"))
        rc, err = p.returncode, p.stderr.decode("utf-8", "replace")
    else:
        run = sflab.run_sipfed(argv, timeout=limit + 5)
        rc, err = run.rc, run.err
    took = time.monotonic() - t0
    check(rc == 2, "sipfed %s: exit %d, want 2\n%s" % (" ".join(argv), rc, err))
    check(want in err, "sipfed %s: stderr %r lacks %r" % (" ".join(argv), err, want))
    check(took < limit, "sipfed %s took %.1f s" % (" ".join(argv), took))


def zone_file(tmp):
    zone = os.path.join(tmp, "example.com.zone")
    with open(zone, "w", encoding="ascii") as f:
        f.write("$ORIGIN example.com.\n@ 300 IN SOA ns1 hm 1 2 3 4 5\n@ 300 IN NS ns1\n"
                "ns1 300 IN A 192.0.2.1\n")
    return ["--zone", zone]


def case_f_bounds(tmp):
    z = zone_file(tmp)
    expect_error(["check"] + z + ["-f", "/dev/zero"], "'/dev/zero' is not a regular file or a pipe")
    expect_error(["check"] + z + ["-f", tmp], "is not a regular file or a pipe")
    expect_error(["check"] + z + ["-f", "-"], "line 1: line longer than", stdin_path="/dev/zero")
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    # no writer: the stream is empty at once (no domain), never a hang
    expect_error(["check"] + z + ["-f", fifo], "no domain")
    longf = os.path.join(tmp, "long.txt")
    with open(longf, "w", encoding="ascii") as f:
        f.write("example.com\n" + "x" * 5000 + "\n")
    expect_error(["check"] + z + ["-f", longf], "'%s' line 2: line longer than 4096" % longf)
    nulf = os.path.join(tmp, "nul.txt")
    with open(nulf, "wb") as f:
        f.write(b"example.com\nexam\0ple.com\n")
    expect_error(["check"] + z + ["-f", nulf], "'%s' line 2: NUL byte" % nulf)


def case_allow_bounds(tmp):
    z = zone_file(tmp)
    expect_error(["check"] + z + ["--allow-list", "/dev/zero", "example.com"],
                 "'/dev/zero' is not a regular file or a pipe")
    expect_error(["check"] + z + ["--allow-list", tmp, "example.com"],
                 "is not a regular file or a pipe")
    longf = os.path.join(tmp, "allow.txt")
    with open(longf, "w", encoding="ascii") as f:
        f.write("example.com\n" + "x" * 5000 + "\n")
    expect_error(["check"] + z + ["--allow-list", longf, "example.com"],
                 "%s line 2: line longer than 4096" % longf)
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    run = sflab.run_sipfed(["check"] + z + ["--allow-list", fifo, "example.com"], timeout=15)
    check(run.rc in (0, 1), "a FIFO without a writer as --allow-list: exit %d\n%s"
          % (run.rc, run.describe()))


CASES = {
    "txt-live": case_txt_live,
    "f-bounds": case_f_bounds,
    "allow-bounds": case_allow_bounds,
}


def run_case(name):
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: untrusted.py %s" % "|".join(CASES))
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
