"""Shared helpers of the sipfed integration tests (python3 standard library only).

The tests run the built binary ($SIPFED_BIN) as a user would, against the seed
lab of $SIPFED_SRCDIR/examples/seed-lab: offline (--zone/--certs) and live (a
real knotd and openssl s_server on loopback).  Every wait is bounded and every
server started here is stopped in a finally block.

Exit status of a test script: 0 pass, 1 fail, 77 skip (meson's convention).
"""

import http.server
import json
import os
import re
import select
import shutil
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77


class Fail(Exception):
    """An assertion of a test failed; the message says what and why."""


class Skip(Exception):
    """A prerequisite is missing."""


def srcdir():
    d = os.environ.get("SIPFED_SRCDIR")
    if not d:
        d = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          "..", ".."))
    return d


def lab_dir():
    return os.path.join(srcdir(), "examples", "seed-lab")


def stage_dir(stage):
    return os.path.join(lab_dir(), "stages", stage)


def expected_path(stage):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected",
                        stage + ".json")


def sipfed_bin():
    b = os.environ.get("SIPFED_BIN")
    if not b:
        raise Skip("SIPFED_BIN is not set")
    if not os.access(b, os.X_OK):
        raise Fail("SIPFED_BIN '%s' is not an executable file" % b)
    return b


def find_tool(name):
    """Returns the path of a program, also looking in the sbin directories."""
    p = shutil.which(name)
    if p:
        return p
    for d in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        c = os.path.join(d, name)
        if os.access(c, os.X_OK):
            return c
    return None


def _terminated(signum, frame):
    raise Fail("terminated by signal %d (test timeout?)" % signum)


def main(fn, *args):
    """Runs fn(*args) and exits with the meson test protocol.  SIGTERM (a
    meson timeout) becomes a failure, so that finally blocks stop servers."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        fn(*args)
    except Skip as e:
        print("SKIP: %s" % e)
        sys.exit(SKIP)
    except Fail as e:
        print("FAIL: %s" % e)
        sys.exit(1)
    print("PASS")
    sys.exit(0)


def check(cond, msg):
    if not cond:
        raise Fail(msg)


class TempDir:
    """A temporary directory removed on exit unless $SIPFED_KEEP_TMP is set."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="sipfed-it-")
        return self.path

    def __exit__(self, *exc):
        if os.environ.get("SIPFED_KEEP_TMP"):
            print("kept %s" % self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
        return False


# --- the lab's data files ------------------------------------------------------

def read_list(path):
    """Non-empty, non-comment lines of a data file, split on whitespace."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line.split())
    return out


def stages():
    return [w[0] for w in read_list(os.path.join(lab_dir(), "stages", "list"))]


def stage_domains(stage):
    return [w[0] for w in read_list(os.path.join(stage_dir(stage), "domains"))]


def stage_hosts(stage):
    """[(fqdn, [san, ...])] in file order."""
    return [(w[0], w[1].split(",")) for w in read_list(os.path.join(stage_dir(stage), "hosts"))]


def stage_zones(stage):
    d = stage_dir(stage)
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".zone"))


def stage_check_args(stage):
    """Extra `sipfed check` arguments of a stage (its optional `check-args` file,
    e.g. --client); [] if none."""
    path = os.path.join(stage_dir(stage), "check-args")
    if not os.path.exists(path):
        return []
    return [w for line in read_list(path) for w in line]


AUTODISCOVER_PATH = "/autodiscover/autodiscoverservice.svc/root"


def stage_autodiscover(stage):
    """{(host, scheme): body} of the stage's *.autodiscover.json files (what a host
    answers to the autodiscover request; scheme 'https', 'http' or None = both),
    as sipfed's offline HTTP source reads them from the --certs directory."""
    out = {}
    d = stage_dir(stage)
    for f in sorted(os.listdir(d)):
        if not f.endswith(".autodiscover.json"):
            continue
        name = f[:-len(".autodiscover.json")]
        scheme = None
        for sch in ("https", "http"):
            if name.endswith("." + sch):
                name, scheme = name[:-len(sch) - 1], sch
        with open(os.path.join(d, f), "rb") as fp:
            out[(name.lower(), scheme)] = fp.read()
    return out


def zone_args(paths):
    args = []
    for p in paths:
        args += ["--zone", p]
    return args


def gen(outdir, stage_names=()):
    """Runs examples/seed-lab/gen OUTDIR [STAGE...] (fresh keys)."""
    cmd = ["sh", os.path.join(lab_dir(), "gen"), outdir] + list(stage_names)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
    except subprocess.TimeoutExpired:
        raise Fail("gen did not finish within 120 s")
    if p.returncode != 0:
        raise Fail("gen failed (exit %d): %s" % (p.returncode, p.stderr.decode(errors="replace")))


# --- a reader for the lab's own master files -----------------------------------
# Only what the lab's files use: $ORIGIN, $TTL, '@', relative and absolute
# owners, a blank owner repeating the previous one, '( ... )' groups and ';'
# comments.  (The product parses zones with libzscanner; this is test scaffolding
# to find the SRV targets and addresses the live test must serve.)

ZONE_TYPES = {"SOA", "NS", "A", "AAAA", "SRV", "CNAME", "TXT", "MX", "PTR"}


def _logical_lines(text):
    """(first line number, joined text, owner blank?) of each record."""
    buf, depth, start = [], 0, 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split(";", 1)[0]
        if depth == 0:
            start = n
        depth += line.count("(") - line.count(")")
        buf.append(line.replace("(", " ").replace(")", " "))
        if depth <= 0:
            depth = 0
            joined = " ".join(buf)
            blank_owner = buf[0][:1] in (" ", "\t")
            buf = []
            if joined.strip():
                yield start, joined, blank_owner


def parse_zone(path):
    """Returns (origin, [(owner, type, [rdata...])]) with absolute lowercase names."""
    origin, owner, records = None, None, []
    with open(path, encoding="utf-8") as f:
        text = f.read()

    def absname(n):
        if n == "@":
            return origin
        if n.endswith("."):
            return n[:-1].lower()
        return (n + "." + origin).lower()

    for lineno, line, blank_owner in _logical_lines(text):
        tok = line.split()
        if tok[0] == "$ORIGIN":
            origin = tok[1].rstrip(".").lower()
            continue
        if tok[0].startswith("$"):
            continue
        if origin is None:
            raise Fail("%s:%d: record before $ORIGIN" % (path, lineno))
        if not blank_owner:
            owner = absname(tok[0])
            tok = tok[1:]
        while tok and (tok[0].isdigit() or tok[0].upper() in ("IN", "CH")):
            tok = tok[1:]
        if not tok or tok[0].upper() not in ZONE_TYPES:
            raise Fail("%s:%d: cannot read record '%s'" % (path, lineno, line.strip()))
        rtype, rdata = tok[0].upper(), tok[1:]
        if rtype in ("NS", "CNAME", "PTR"):
            rdata = [absname(rdata[0])]
        elif rtype == "SRV":
            rdata = rdata[:3] + [absname(rdata[3])]
        records.append((owner, rtype, rdata))
    if origin is None:
        raise Fail("%s: no $ORIGIN" % path)
    return origin, records


def stage_records(zone_paths):
    """All records of a set of zone files."""
    recs = []
    for p in zone_paths:
        recs += parse_zone(p)[1]
    return recs


IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")


def rewrite_zones(zone_paths, outdir, first_x):
    """Copies the zones to outdir with every distinct IPv4 address of an A record
    replaced by a distinct 127.0.0.x (x = first_x, first_x + 1, ... in address
    order).  Returns (new_paths, {old: new})."""
    addrs = sorted({r[2][0] for r in stage_records(zone_paths) if r[1] == "A"},
                   key=lambda a: tuple(int(o) for o in a.split(".")))
    check(first_x >= 2 and first_x + len(addrs) - 1 <= 254, "address block out of range")
    mapping = {a: "127.0.0.%d" % (first_x + i) for i, a in enumerate(addrs)}
    os.makedirs(outdir, exist_ok=True)
    new_paths = []
    for p in zone_paths:
        out = []
        with open(p, encoding="utf-8") as f:
            for line in f:
                code, sep, comment = line.partition(";")
                code = IPV4.sub(lambda m: mapping.get(m.group(1), m.group(1)), code)
                out.append(code + sep + comment)
        np_ = os.path.join(outdir, os.path.basename(p))
        with open(np_, "w", encoding="utf-8") as f:
            f.writelines(out)
        new_paths.append(np_)
    return new_paths, mapping


# --- running sipfed --------------------------------------------------------------

class Run:
    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.out, self.err, self.elapsed = argv, rc, out, err, elapsed

    def describe(self):
        return "sipfed %s\n  exit %s after %.2f s\n  stderr: %s\n  stdout: %s" % (
            " ".join(self.argv), self.rc, self.elapsed, self.err.strip()[:2000],
            self.out.strip()[:4000])


def run_sipfed(argv, timeout=60, env=None, stdin_data=None, allow_signal=False):
    """Runs the binary; fails the test on a hang or (unless allowed) a signal."""
    cmd = [sipfed_bin()] + list(argv)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, input=stdin_data.encode() if stdin_data is not None else None,
                           stdin=None if stdin_data is not None else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise Fail("sipfed %s did not finish within %d s" % (" ".join(argv), timeout))
    r = Run(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"), time.monotonic() - t0)
    if r.rc < 0 and not allow_signal:
        raise Fail("sipfed was killed by signal %d\n%s" % (-r.rc, r.describe()))
    return r


def parse_json_doc(run):
    """The JSON document of `check --json`, with its shape checked."""
    try:
        doc = json.loads(run.out)
    except ValueError as e:
        raise Fail("stdout is not one JSON document (%s)\n%s" % (e, run.describe()))
    check(isinstance(doc, dict) and doc.get("version") == 1,
          'JSON lacks "version": 1\n' + run.describe())
    check(isinstance(doc.get("results"), list), 'JSON lacks a "results" list\n' + run.describe())
    for r in doc["results"]:
        check_result_shape(r, run)
    return doc


def check_result_shape(r, run):
    where = "result %r" % (r.get("domain") if isinstance(r, dict) else r)
    check(isinstance(r, dict), where + " is not an object")
    for k in ("domain", "profile", "verdict", "srv", "findings"):
        check(k in r, '%s lacks "%s"\n%s' % (where, k, run.describe()))
    check(r["verdict"] in ("pass", "warn", "fail", "error"), where + ": bad verdict")
    if r["verdict"] == "error":
        check(isinstance(r.get("reason"), str) and r["reason"].strip(),
              where + ': verdict "error" without a "reason"')
    for s in r["srv"]:
        for k in ("priority", "weight", "port", "target", "addresses"):
            check(k in s, '%s: srv entry lacks "%s": %r' % (where, k, s))
    for f in r["findings"]:
        for k in ("id", "severity", "subject", "message"):
            check(k in f, '%s: finding lacks "%s": %r' % (where, k, f))
        check(f["severity"] in ("error", "warning", "info"), "%s: bad severity %r" % (where, f))
        check(isinstance(f["message"], str) and f["message"].strip(),
              "%s: finding %s has an empty message" % (where, f["id"]))
        if f["severity"] == "error":
            check(isinstance(f.get("fix"), str) and f["fix"].strip(),
                  "%s: error finding %s has no fix" % (where, f["id"]))


def finding_key(domain, f):
    return (domain, f["id"], f["severity"], f["subject"])


def finding_keys(doc, drop_ids=()):
    """Multiset (sorted list) of (domain, id, severity, subject)."""
    keys = []
    for r in doc["results"]:
        for f in r["findings"]:
            if f["id"] not in drop_ids:
                keys.append(finding_key(r["domain"], f))
    return sorted(keys)


def diff_keys(want, got, want_label="expected", got_label="reported"):
    """Readable multiset difference; '' if equal."""
    w, g = list(want), list(got)
    missing, unexpected = [], []
    for k in w:
        if k in g:
            g.remove(k)
        else:
            missing.append(k)
    unexpected = g
    lines = []
    for k in missing:
        lines.append("  - missing    %-18s %-8s %-8s %s  (%s, not %s)"
                     % (k + (want_label, got_label)))
    for k in unexpected:
        lines.append("  + unexpected %-18s %-8s %-8s %s  (%s, not %s)"
                     % (k + (got_label, want_label)))
    return "\n".join(lines)


def results_by_domain(doc, run):
    out = {}
    for r in doc["results"]:
        check(r["domain"] not in out,
              "domain %s reported twice\n%s" % (r["domain"], run.describe()))
        out[r["domain"]] = r
    return out


def srv_summary(r):
    """Comparable form of a result's srv list."""
    return srv_tuples(r["srv"])


def srv_tuples(srv):
    return sorted((s["priority"], s["weight"], s["port"], s["target"],
                   tuple(sorted(s["addresses"]))) for s in srv)


def load_expected(stage):
    with open(expected_path(stage), encoding="utf-8") as f:
        exp = json.load(f)
    check(exp.get("stage") == stage, "expected/%s.json names stage %r" % (stage, exp.get("stage")))
    return exp


def expected_keys(exp, drop_ids=()):
    keys = []
    for r in exp["results"]:
        for f in r["findings"]:
            if f["id"] not in drop_ids:
                keys.append((r["domain"], f["id"], f["severity"], f["subject"]))
    return sorted(keys)


def exit_for(doc):
    """The exit status the SPEC implies for a document: 2 if a check could not
    run, else 1 if any error finding, else 0."""
    if any(r["verdict"] == "error" for r in doc["results"]):
        return 2
    if any(f["severity"] == "error" for r in doc["results"] for f in r["findings"]):
        return 1
    return 0


def verdict_for(findings):
    sev = {f["severity"] for f in findings}
    if "error" in sev:
        return "fail"
    if "warning" in sev:
        return "warn"
    return "pass"


def check_microsoft(got, want, where):
    """Every field of the expected "microsoft" object must be present and equal."""
    ms = got.get("microsoft")
    check(isinstance(ms, dict), '%s: no "microsoft" object: %r' % (where, got))
    for k, v in want.items():
        g = ms.get(k)
        check(g == v and type(g) is type(v),
              '%s: microsoft.%s is %r, expected %r' % (where, k, g, v))


def compare_with_expected(stage, doc, rc, run, drop_ids=(), check_srv=True,
                          check_verdicts=True, label="offline"):
    """Compares a run with expected/<stage>.json: findings (exact multiset),
    verdicts, srv, the Microsoft fields pinned there, and the exit status."""
    exp = load_expected(stage)
    by = results_by_domain(doc, run)
    problems = []
    want_domains = [r["domain"] for r in exp["results"]]
    if sorted(by) != sorted(want_domains):
        problems.append("domains: expected %s, got %s" % (sorted(want_domains), sorted(by)))
    d = diff_keys(expected_keys(exp, drop_ids), finding_keys(doc, drop_ids))
    if d:
        problems.append("findings differ from expected/%s.json:\n%s" % (stage, d))
        for r in doc["results"]:
            for f in r["findings"]:
                problems.append("    reported: %s %s %s %s: %s" % (
                    r["domain"], f["id"], f["severity"], f["subject"], f["message"]))
    for er in exp["results"]:
        r = by.get(er["domain"])
        if r is None:
            continue
        if check_verdicts and r["verdict"] != er["verdict"]:
            problems.append("%s: verdict %r, expected %r"
                            % (er["domain"], r["verdict"], er["verdict"]))
        if check_srv and "srv" in er:
            want = srv_tuples(er["srv"])
            if srv_summary(r) != want:
                problems.append("%s: srv %s, expected %s" % (er["domain"], srv_summary(r), want))
        if "links" in er and r.get("links") != er["links"]:
            problems.append("%s: links %s, expected %s" % (er["domain"], r.get("links"),
                                                           er["links"]))
        for ef in er["findings"]:
            if "microsoft" not in ef or ef["id"] in drop_ids:
                continue
            for f in r["findings"]:
                if (f["id"], f["severity"], f["subject"]) == (
                        ef["id"], ef["severity"], ef["subject"]):
                    try:
                        check_microsoft(f, ef["microsoft"], "%s %s %s" % (er["domain"], f["id"],
                                                                          f["subject"]))
                    except Fail as e:
                        problems.append(str(e))
    if rc != exp["exit"]:
        problems.append("exit status %d, expected %d" % (rc, exp["exit"]))
    if problems:
        raise Fail("%s run of stage %s:\n%s\n%s" % (label, stage, "\n".join(problems),
                                                   run.describe()))


# --- servers on loopback ----------------------------------------------------------

def port_free(addr, port):
    """True if both UDP and TCP addr:port can be bound now."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((addr, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def free_port(addr="127.0.0.1"):
    """A high port free for both UDP and TCP on addr (bounded attempts)."""
    for _ in range(100):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((addr, 0))
            port = s.getsockname()[1]
        finally:
            s.close()
        if port >= 1024 and port_free(addr, port):
            return port
    raise Fail("no free port on %s" % addr)


def dns_probe(port, qname, qtype=6, timeout=0.5):
    """One UDP query to 127.0.0.1:port; returns (rcode, aa, ancount) or None on
    timeout.  Test scaffolding to see that knotd serves a zone."""
    qid = int.from_bytes(os.urandom(2), "big")
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in qname.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode("ascii")
    q += b"\x00" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(q, ("127.0.0.1", port))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data, _ = s.recvfrom(4096)
            except (socket.timeout, ConnectionRefusedError):
                return None
            if len(data) >= 12:
                rid, flags, _, an, _, _ = struct.unpack(">HHHHHH", data[:12])
                if rid == qid and flags & 0x8000:
                    return flags & 0xF, bool(flags & 0x0400), an
        return None
    finally:
        s.close()


def stop_process(p, name, grace=5.0):
    """Terminates a child we started; kills it if it does not exit in time."""
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        p.kill()
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            print("warning: %s (pid %d) did not exit after SIGKILL" % (name, p.pid))


def read_log(path, limit=4000):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()[-limit:]
    except OSError:
        return "(no log)"


class Knot:
    """A knotd on 127.0.0.1 at a free high port serving the given zone files."""

    def __init__(self, workdir, zone_paths):
        self.dir = workdir
        self.zones = [(parse_zone(p)[0], os.path.abspath(p)) for p in zone_paths]
        self.proc = None
        self.port = None
        self.log = os.path.join(workdir, "knotd.log")

    def start(self, ready_timeout=15.0):
        knotd = find_tool("knotd")
        if not knotd:
            raise Skip("knotd is not installed (Debian package knot)")
        for sub in ("run", "db", "zones"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.port = free_port()
        conf = os.path.join(self.dir, "knot.conf")
        lines = [
            "server:",
            "    listen: 127.0.0.1@%d" % self.port,
            '    rundir: "%s"' % os.path.join(self.dir, "run"),
            "log:",
            "  - target: stderr",
            "    any: info",
            "database:",
            '    storage: "%s"' % os.path.join(self.dir, "db"),
            "template:",
            "  - id: default",
            '    storage: "%s"' % os.path.join(self.dir, "zones"),
            "    zonefile-sync: -1",
            "    zonefile-load: whole",
            "    journal-content: none",
            "    semantic-checks: on",
            "zone:",
        ]
        for origin, path in self.zones:
            lines += ["  - domain: %s." % origin, '    file: "%s"' % path]
        with open(conf, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        logf = open(self.log, "wb")
        try:
            self.proc = subprocess.Popen([knotd, "-c", conf], stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=subprocess.STDOUT)
        finally:
            logf.close()
        deadline = time.monotonic() + ready_timeout
        pending = [o for o, _ in self.zones]
        while pending:
            if self.proc.poll() is not None:
                raise Fail("knotd exited with %d:\n%s" % (self.proc.returncode, read_log(self.log)))
            if time.monotonic() > deadline:
                raise Fail("knotd did not serve %s within %.0f s:\n%s" % (
                    ", ".join(pending), ready_timeout, read_log(self.log)))
            ans = dns_probe(self.port, pending[0])
            if ans and ans[0] == 0 and ans[1] and ans[2] >= 1:
                pending.pop(0)
            else:
                time.sleep(0.1)
        return self.port

    def stop(self):
        stop_process(self.proc, "knotd")


def pem_blocks(path):
    with open(path, encoding="ascii") as f:
        text = f.read()
    return re.findall(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", text, re.S)


class TlsServer:
    """openssl s_server on addr:port presenting leaf + intermediate."""

    def __init__(self, workdir, addr, port, leaf, inter, key, sni):
        self.addr, self.port, self.leaf, self.inter, self.key, self.sni = (
            addr, port, leaf, inter, key, sni)
        self.proc = None
        self.log = os.path.join(workdir, "s_server-%s-%d.log" % (addr, port))

    def start(self, ready_timeout=15.0):
        openssl = find_tool("openssl")
        if not openssl:
            raise Skip("openssl is not installed")
        logf = open(self.log, "wb")
        try:
            self.proc = subprocess.Popen(
                [openssl, "s_server", "-accept", "%s:%d" % (self.addr, self.port),
                 "-cert", self.leaf, "-cert_chain", self.inter, "-key", self.key,
                 "-www", "-quiet"],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
        finally:
            logf.close()
        want = ssl.PEM_cert_to_DER_cert(pem_blocks(self.leaf)[0])
        deadline = time.monotonic() + ready_timeout
        last = None
        while True:
            if self.proc.poll() is not None:
                raise Fail("s_server on %s:%d exited with %d:\n%s" % (
                    self.addr, self.port, self.proc.returncode, read_log(self.log)))
            got = None
            try:
                got = tls_peer_cert(self.addr, self.port, self.sni)
            except OSError as e:
                last = e
            if got is not None:
                if got != want:
                    raise Fail("%s:%d presents another certificate than %s: is another "
                               "server listening there?" % (self.addr, self.port, self.leaf))
                return
            if time.monotonic() > deadline:
                raise Fail("s_server on %s:%d not ready within %.0f s (%s):\n%s" % (
                    self.addr, self.port, ready_timeout, last, read_log(self.log)))
            time.sleep(0.1)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        stop_process(self.proc, "s_server %s:%d" % (self.addr, self.port))


def tls_peer_cert(addr, port, sni, timeout=2.0):
    """DER of the leaf a TLS server presents (no verification)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((addr, port), timeout=timeout) as s:
        with ctx.wrap_socket(s, server_hostname=sni) as t:
            return t.getpeercert(binary_form=True)


class _WebHandler(http.server.BaseHTTPRequestHandler):
    """Answers the autodiscover path with the body for the Host header, 404 else."""
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.request.settimeout(5)
        if self.server.ssl_ctx is not None:
            # The handshake happens here; one the client cuts short ends in handle_error.
            self.request = self.server.ssl_ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def do_GET(self):
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        path = self.path.split("?", 1)[0].lower()
        body = self.server.bodies.get(host) if path == AUTODISCOVER_PATH else None
        code, ctype = 200, "application/json; charset=utf-8"
        if body is None:
            code, ctype, body = 404, "text/html", b"<html>404 not found</html>"
        self.server.requests.append((self.server.scheme, host, self.path, code))
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _WebHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # TLS probes (no SNI, closed early) are expected


class WebServer:
    """An HTTP or HTTPS server on addr:port (threads of this process) serving the
    Lync autodiscover answers {host: body}; HTTPS presents certfile (leaf and
    intermediate) with keyfile.  Listening when start() returns."""

    def __init__(self, addr, port, bodies, certfile=None, keyfile=None):
        self.addr, self.port, self.bodies = addr, port, dict(bodies)
        self.certfile, self.keyfile = certfile, keyfile
        self.srv = None
        self.thread = None

    def start(self):
        import threading
        ctx = None
        if self.certfile:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.certfile, self.keyfile)
        try:
            self.srv = _WebHTTPServer((self.addr, self.port), _WebHandler)
        except OSError as e:
            raise Fail("cannot listen on %s:%d: %s" % (self.addr, self.port, e))
        self.srv.ssl_ctx = ctx
        self.srv.bodies = self.bodies
        self.srv.scheme = "https" if ctx else "http"
        self.srv.requests = []
        self.thread = threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.2},
                                       daemon=True)
        self.thread.start()

    def requests(self):
        return list(self.srv.requests) if self.srv else []

    def stop(self):
        if self.srv is not None:
            self.srv.shutdown()
            self.srv.server_close()
            self.thread.join(timeout=5)
            self.srv = None


def run_on_pty(argv, env, timeout=30.0):
    """Runs sipfed with stdout on a pseudo-terminal; returns (rc, bytes written)."""
    import pty
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([sipfed_bin()] + list(argv), stdin=subprocess.DEVNULL,
                             stdout=slave, stderr=subprocess.DEVNULL, env=env)
    finally:
        os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                p.kill()
                p.wait(timeout=5)
                raise Fail("sipfed %s on a terminal did not finish within %.0f s" % (
                    " ".join(argv), timeout))
            r, _, _ = select.select([master], [], [], min(left, 0.5))
            if r:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    data = b""
                if not data:
                    break
                chunks.append(data)
            elif p.poll() is not None:
                # Drain what is left without blocking.
                r, _, _ = select.select([master], [], [], 0.2)
                if not r:
                    break
        p.wait(timeout=10)
    finally:
        os.close(master)
    return p.returncode, b"".join(chunks)
