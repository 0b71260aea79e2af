#!/usr/bin/env python3
"""bulk.py CASE [STAGE]: `sipfed check` as a bulk tool (the run API underneath).

Cases:
  offline            every seed-lab stage offline: --concurrency 1 and 16 give the
                     same text output byte for byte (input order) and the same
                     JSON document; the JSON "summary" agrees with the results
  live STAGE         the same for one stage against knotd + openssl s_server on
                     loopback (as live.py serves it)
  genlab             1,000 generated domains (bench/genlab.py) offline: --concurrency
                     1 and 64 give the same findings domain by domain (json, and
                     jsonl written as results complete: each domain exactly once)
  resume             a jsonl run with --resume FILE killed with SIGKILL half way on a
                     slow lab (TLS endpoints that stay silent), then resumed: every
                     domain exactly once, results equal to a one-shot run; a last
                     line cut without its newline is dropped
  signal             SIGINT / SIGTERM during a run: exit 130 / 143, "interrupted
                     after N of M domains", stdout only whole lines
  shard              --shard I/N for N = 1, 3, 7: together the whole list, no domain
                     twice, each in the shard of the documented hash (64-bit FNV-1a)
  shard-parallel     GNU parallel running 4 shards: their JSONL concatenated equals
                     an unsharded run (same domains, same findings)
  faults             on loopback: a resolver that never answers; a TLS endpoint that
                     accepts and stays silent, one that resets: each affected job
                     ends with its own error within --timeout, the other domains of
                     the same run get the results they get in a run without them
  file-format        -f with a BOM, CRLF, comments, blank lines, sip: URIs and
                     user@domain = the same domains as arguments
  usage              bad --concurrency, bad --shard, --resume with --format text or
                     json, an unreadable -f file, an over-long -f line (file and
                     stdin): exit 2 and one stderr line naming the problem

All traffic on 127.0.0.0/8; every server is stopped in a finally block; every
wait is bounded.  Skips (77) when knotd or openssl is missing (live cases).
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402
from offline import offline_args  # noqa: E402

LAB_NOW = "2026-11-23T12:00:00Z"


# --- helpers ---------------------------------------------------------------------

def fnv1a64(name):
    """The shard hash as documented: 64-bit FNV-1a of the lowercased name
    without its trailing dot."""
    h = 14695981039346656037
    for b in name.lower().rstrip(".").encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def jsonl_results(run_or_text, label):
    """The results of a jsonl output (every line complete and one object)."""
    text = run_or_text if isinstance(run_or_text, str) else run_or_text.out
    out = []
    check(text == "" or text.endswith("\n"), "%s: output does not end with a newline" % label)
    for n, line in enumerate(text.splitlines(), 1):
        try:
            r = json.loads(line)
        except ValueError as e:
            raise Fail("%s: line %d is not one JSON result (%s): %r" % (label, n, e, line[:200]))
        check(isinstance(r, dict) and "domain" in r and "verdict" in r,
              "%s: line %d is not a result: %r" % (label, n, line[:200]))
        out.append(r)
    return out


def result_key(r):
    """What must be equal between two runs for one domain."""
    return (r["verdict"], r.get("reason") is not None,
            sorted((f["id"], f["severity"], f["subject"], f["message"]) for f in r["findings"]),
            sflab.srv_tuples(r["srv"]), r.get("links"))


def by_domain_once(results, label):
    out = {}
    for r in results:
        check(r["domain"] not in out, "%s: domain %s reported twice" % (label, r["domain"]))
        out[r["domain"]] = r
    return out


def same_results(a, b, la, lb):
    """Two {domain: result} maps with the same domains and equal results."""
    check(sorted(a) == sorted(b), "%s and %s report different domains: only in %s: %s; only "
          "in %s: %s" % (la, lb, la, sorted(set(a) - set(b))[:10], lb,
                         sorted(set(b) - set(a))[:10]))
    diff = [d for d in a if result_key(a[d]) != result_key(b[d])]
    if diff:
        d = diff[0]
        raise Fail("%d domains differ between %s and %s, e.g. %s:\n  %s: %s\n  %s: %s" % (
            len(diff), la, lb, d, la, json.dumps(a[d])[:1500], lb, json.dumps(b[d])[:1500]))


def check_summary(doc, run):
    """The json "summary" member agrees with the results."""
    s = doc.get("summary")
    check(isinstance(s, dict), 'no "summary" member\n' + run.describe())
    res = doc["results"]
    want = {"domains": len(res)}
    for v in ("pass", "warn", "fail", "error"):
        want[v] = sum(1 for r in res if r["verdict"] == v)
    checks = {}
    for r in res:
        for fid in {f["id"] for f in r["findings"] if f["severity"] in ("error", "warning")}:
            checks[fid] = checks.get(fid, 0) + 1
    for k, v in want.items():
        check(s.get(k) == v, 'summary "%s" is %r, the results give %r\n%s'
              % (k, s.get(k), v, run.describe()))
    check(s.get("checks") == checks, 'summary "checks" %r, the results give %r'
          % (s.get("checks"), checks))
    return checks, want


def check_text_summary(text, doc, run):
    checks, counts = check_summary(doc, run)
    lines = [ln for ln in text.splitlines() if ln.startswith("summary: ")]
    if len(doc["results"]) < 2:
        check(not lines, "a summary line for one domain\n" + run.describe())
        return
    check(len(lines) == 1 and text.splitlines()[-1] == lines[0],
          "the text output does not end with one summary line\n" + run.describe())
    want = "summary: %d domains: %d pass, %d warn, %d fail, %d error" % (
        counts["domains"], counts["pass"], counts["warn"], counts["fail"], counts["error"])
    check(lines[0].startswith(want), "summary line %r, want it to start with %r"
          % (lines[0], want))
    top = sorted(checks.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    if top:
        tail = "; most frequent: " + ", ".join("%s (%d)" % kv for kv in top)
        check(lines[0] == want + tail, "summary line %r, want %r" % (lines[0], want + tail))


def compare_concurrency(base, label, low=1, high=16):
    """Text and json with --concurrency low and high: byte-identical text,
    identical documents; returns the json document."""
    runs = {}
    if "--at" not in base:
        # one instant for every run: facts that depend on the time (a certificate's
        # days left) must not differ because the runs were a second apart
        base = base + ["--at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())]
    for n in (low, high):
        for fmt in ("text", "json"):
            # --no-lab: the text summary counts what json has (lab findings included)
            runs[(n, fmt)] = sflab.run_sipfed(base + ["--format", fmt, "--concurrency", str(n)]
                                              + (["--no-lab"] if fmt == "text" else []),
                                              timeout=180)
    t1, th = runs[(low, "text")], runs[(high, "text")]
    j1, jh = runs[(low, "json")], runs[(high, "json")]
    check(t1.rc == th.rc == j1.rc == jh.rc, "%s: exit status differs: text %d/%d json %d/%d"
          % (label, t1.rc, th.rc, j1.rc, jh.rc))
    check(t1.out == th.out, "%s: text output with --concurrency %d differs from %d:\n--- %d:\n%s"
          "\n--- %d:\n%s" % (label, high, low, low, t1.out[:3000], high, th.out[:3000]))
    d1, dh = sflab.parse_json_doc(j1), sflab.parse_json_doc(jh)
    check(d1 == dh, "%s: json document with --concurrency %d differs from %d" % (label, high, low))
    check(j1.rc == sflab.exit_for(d1), "%s: exit %d does not agree with the results"
          % (label, j1.rc))
    check_text_summary(t1.out, d1, t1)
    return d1


# --- (a) (b) the seed lab ------------------------------------------------------------

def case_offline(tmp):
    for stage in sflab.stages():
        lab = os.path.join(tmp, stage)
        sflab.gen(lab, [stage])
        base = (["check"] + offline_args(stage, lab) + sflab.stage_check_args(stage)
                + sflab.stage_domains(stage))
        doc = compare_concurrency(base, "offline " + stage)
        check([r["domain"] for r in doc["results"]] == sflab.stage_domains(stage),
              "offline %s: results not in input order" % stage)
        print("%s: --concurrency 1 == 16 (%d domains, %d findings)" % (
            stage, len(doc["results"]), len(sflab.finding_keys(doc))))


def case_live(tmp, stage):
    import live
    if stage not in sflab.stages():
        raise Fail("no stage %r" % stage)
    for tool in ("knotd", "openssl"):
        if not sflab.find_tool(tool):
            raise sflab.Skip("%s is not installed" % tool)
    args = sflab.stage_check_args(stage)
    if "--client" in args:
        raise sflab.Skip("client stages need ports 80/443 (live.py covers them); the "
                         "offline case compares this stage")
    domains = sflab.stage_domains(stage)
    zones = sflab.stage_zones(stage)
    n_addr = len({r[2][0] for r in sflab.stage_records(zones) if r[1] == "A"})
    ports = {int(r[2][2]) for r in sflab.stage_records(zones) if r[1] == "SRV"} or {5061}
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [stage])
    # A block of its own, clear of live.py's (which may run at the same time).
    first_x = live.pick_block(n_addr, ports, 150 + 5 * sflab.stages().index(stage))
    rzones, _ = sflab.rewrite_zones(zones, os.path.join(tmp, "zones"), first_x)
    eps = live.endpoints(rzones, sflab.stage_hosts(stage), lab, stage)
    with live.serve_stage(tmp, lab, stage, rzones, eps) as knot:
        base = (["check", "--resolver", "127.0.0.1:%d" % knot.port, "--timeout", "3000",
                 "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust"]
                + args + domains)
        doc = compare_concurrency(base, "live " + stage)
        live.check_alive(knot)
    print("%s live: --concurrency 1 == 16 (%d domains, %d findings)" % (
        stage, len(doc["results"]), len(sflab.finding_keys(doc))))


# --- (c) 1,000 generated domains ---------------------------------------------------

def genlab(tmp, n=1000):
    script = os.path.join(sflab.srcdir(), "bench", "genlab.py")
    check(os.path.exists(script), "bench/genlab.py is missing")
    out = os.path.join(tmp, "gl")
    try:
        p = subprocess.run([sys.executable, script, str(n), out, "--now", LAB_NOW],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
    except subprocess.TimeoutExpired:
        raise Fail("genlab.py %d did not finish within 300 s" % n)
    if p.returncode != 0:
        raise Fail("genlab.py failed (exit %d): %s" % (p.returncode,
                                                       p.stderr.decode(errors="replace")))
    zones = sorted(os.path.join(out, "zones", f) for f in os.listdir(os.path.join(out, "zones"))
                   if f.endswith(".zone"))
    args = (sflab.zone_args(zones) + ["--certs", os.path.join(out, "certs"), "--trust",
                                      os.path.join(out, "root.pem"), "--no-system-trust",
                                      "--at", LAB_NOW])
    with open(os.path.join(out, "domains.txt"), encoding="utf-8") as f:
        domains = [ln.strip() for ln in f if ln.strip()]
    check(len(domains) == n, "genlab wrote %d domains, not %d" % (len(domains), n))
    return out, args, domains


def case_genlab(tmp):
    out, args, domains = genlab(tmp)
    dfile = os.path.join(out, "domains.txt")
    docs = {}
    for n in (1, 64):
        run = sflab.run_sipfed(["check"] + args + ["--json", "--concurrency", str(n), "-f",
                                                    dfile], timeout=300)
        doc = sflab.parse_json_doc(run)
        check([r["domain"] for r in doc["results"]] == domains,
              "--concurrency %d: json results not in the order of the file" % n)
        check(run.rc == sflab.exit_for(doc), "exit %d does not agree with the results" % run.rc)
        check_summary(doc, run)
        docs[n] = (run, by_domain_once(doc["results"], "json %d" % n))
    same_results(docs[1][1], docs[64][1], "--concurrency 1", "--concurrency 64")
    jl = sflab.run_sipfed(["check"] + args + ["--format", "jsonl", "--concurrency", "64", "-f",
                                               dfile], timeout=300)
    check(jl.rc == docs[1][0].rc, "jsonl exit %d, json %d" % (jl.rc, docs[1][0].rc))
    check(jl.err == "", "jsonl on a pipe wrote to stderr: %r" % jl.err[:500])
    same_results(docs[1][1], by_domain_once(jsonl_results(jl, "jsonl"), "jsonl"),
                 "json --concurrency 1", "jsonl --concurrency 64")
    verdicts = {}
    for r in docs[1][1].values():
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    print("1000 domains: --concurrency 1 == 64 (json and jsonl); verdicts %s" % verdicts)


# --- a lab on loopback with slow and faulty endpoints ---------------------------------

class Holder:
    """TCP listener on addr:port: 'silent' accepts and never answers, 'reset'
    accepts and resets the connection.  Threads of this process."""

    def __init__(self, addr, port, mode):
        self.addr, self.port, self.mode = addr, port, mode
        self.stop_ev = threading.Event()
        self.conns = []
        self.accepted = 0
        self.sock = None
        self.thread = None

    def start(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.addr, self.port))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        import struct
        while not self.stop_ev.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            if self.mode == "reset":
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
            else:
                self.conns.append(c)

    def stop(self):
        self.stop_ev.set()
        if self.thread:
            self.thread.join(timeout=5)
        for c in self.conns:
            c.close()
        if self.sock:
            self.sock.close()


class SilentResolver:
    """A UDP (and TCP) socket on 127.0.0.1 that reads queries and never replies."""

    def __init__(self):
        self.port = sflab.free_port()
        self.u = self.t = None
        self.stop_ev = threading.Event()
        self.thread = None
        self.queries = 0

    def start(self):
        self.u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.u.bind(("127.0.0.1", self.port))
        self.u.settimeout(0.2)
        self.t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.t.bind(("127.0.0.1", self.port))
        self.t.listen(16)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop_ev.is_set():
            try:
                self.u.recvfrom(4096)
                self.queries += 1
            except socket.timeout:
                continue
            except OSError:
                return

    def stop(self):
        self.stop_ev.set()
        if self.thread:
            self.thread.join(timeout=5)
        for s in (self.u, self.t):
            if s:
                s.close()


ZONE_HEAD = """$ORIGIN bulk.lab.
$TTL 3600
@	IN	SOA	ns1.bulk.lab. hostmaster.bulk.lab. 1 3600 900 604800 300
	IN	NS	ns1.bulk.lab.
ns1	IN	A	127.0.0.1
"""


def pick_addrs(n, port):
    for base in range(200, 250 - n):
        addrs = ["127.0.0.%d" % (base + i) for i in range(n)]
        if all(sflab.port_free(a, port) for a in addrs):
            return addrs
    raise Fail("no %d free loopback addresses for port %d" % (n, port))


def write_fault_lab(tmp, kinds, port, addr):
    """Zone bulk.lab with one domain per kind in @kinds (in order): 'nosrv' (no
    SRV record), or an SRV target sip.<d> on addr[kind]:port.  Returns
    (zone path, [domains], {domain: kind})."""
    lines, domains, kind_of = [ZONE_HEAD], [], {}
    for i, k in enumerate(kinds):
        d = "%s%03d.bulk.lab" % (k, i)
        label = d[:-len(".bulk.lab")]
        domains.append(d)
        kind_of[d] = k
        if k == "nosrv":
            lines.append("%s\tIN\tTXT\t\"no federation\"\n" % label)
            continue
        lines.append("_sipfederationtls._tcp.%s\tIN\tSRV\t0 0 %d sip.%s.bulk.lab.\n"
                     % (label, port, label))
        lines.append("sip.%s\tIN\tA\t%s\n" % (label, addr[k]))
    path = os.path.join(tmp, "bulk.lab.zone")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)
    return path, domains, kind_of


@contextlib.contextmanager
def fault_servers(tmp, kinds):
    """knotd serving a fault lab, a silent and a resetting endpoint, and (if a
    'good' kind is asked) an openssl s_server presenting a seed-lab chain.
    Yields (knot port, domains, kind_of, servers)."""
    for tool in ("knotd", "openssl"):
        if not sflab.find_tool(tool):
            raise sflab.Skip("%s is not installed" % tool)
    port = sflab.free_port()
    a = pick_addrs(4, port)
    addr = {"good": a[0], "silent": a[1], "reset": a[2], "refused": a[3]}
    zone, domains, kind_of = write_fault_lab(tmp, kinds, port, addr)
    servers = [Holder(addr["silent"], port, "silent"), Holder(addr["reset"], port, "reset")]
    knot = sflab.Knot(os.path.join(tmp, "knot"), [zone])
    os.makedirs(knot.dir, exist_ok=True)
    tls = None
    try:
        for s in servers:
            s.start()
        if "good" in kinds:
            lab = os.path.join(tmp, "seed")
            sflab.gen(lab, ["cisco-fixed"])
            host = sflab.stage_hosts("cisco-fixed")[0][0]
            tls = sflab.TlsServer(tmp, addr["good"], port,
                                  os.path.join(lab, "cisco-fixed", "leaf", host + ".pem"),
                                  os.path.join(lab, "ca", "inter.pem"),
                                  os.path.join(lab, "cisco-fixed", "keys", host + ".key"), host)
            tls.start()
        yield knot.start(), domains, kind_of, {"holders": servers, "tls": tls, "knot": knot}
    finally:
        if tls:
            tls.stop()
        knot.stop()
        for s in servers:
            s.stop()


# --- (d) resume after SIGKILL ----------------------------------------------------------

def wait_lines(path, n, proc, deadline):
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                got = f.read().count(b"\n")
        except FileNotFoundError:
            got = 0
        if got >= n:
            return got
        if proc.poll() is not None:
            raise Fail("sipfed exited (%d) before %d results were written" % (proc.returncode, n))
        time.sleep(0.05)
    raise Fail("fewer than %d results written within the bound" % n)


def case_resume(tmp):
    kinds = (["silent", "refused", "nosrv"] * 8)
    with fault_servers(tmp, kinds) as (kport, domains, kind_of, _):
        dfile = os.path.join(tmp, "domains.txt")
        with open(dfile, "w", encoding="utf-8") as f:
            f.write("\n".join(domains) + "\n")
        base = ["check", "--resolver", "127.0.0.1:%d" % kport, "--timeout", "400",
                "--no-system-trust", "-f", dfile]
        out = os.path.join(tmp, "out.jsonl")
        cmd = [sflab.sipfed_bin()] + base + ["--concurrency", "2", "--resume", out]
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            got = wait_lines(out, len(domains) // 3, p, time.monotonic() + 120)
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        with open(out, "rb") as f:
            data = f.read()
        first = jsonl_results(data.decode()[:data.rfind(b"\n") + 1], "killed run")
        check(len(first) < len(domains), "the killed run had already finished (%d results): "
              "the lab is too fast for this test" % len(first))
        print("killed after %d lines (%d seen before the kill)" % (len(first), got))
        # A line cut by the kill (no newline): dropped on resume.
        with open(out, "ab") as f:
            f.write(b'{"domain":"' + domains[-1].encode() + b'","profile":"sfb","verd')
        r2 = sflab.run_sipfed(base + ["--concurrency", "4", "--resume", out], timeout=180)
        check(r2.rc in (0, 1, 2) and r2.out == "",
              "resumed run: exit %d, stdout %r\n%s" % (r2.rc, r2.out[:200], r2.describe()))
        with open(out, encoding="utf-8") as f:
            text = f.read()
        resumed = by_domain_once(jsonl_results(text, "resumed file"), "resumed file")
        check(sorted(resumed) == sorted(domains), "after --resume the file has %d domains, "
              "want %d: missing %s" % (len(resumed), len(domains),
                                       sorted(set(domains) - set(resumed))[:10]))
        for r in first:
            check(json.loads(json.dumps(resumed[r["domain"]])) == r,
                  "%s: the result of the first run was rewritten" % r["domain"])
        one = sflab.run_sipfed(base + ["--format", "jsonl", "--concurrency", "4"], timeout=180)
        oneshot = by_domain_once(jsonl_results(one, "one-shot"), "one-shot")
        same_results(oneshot, resumed, "one-shot run", "killed + resumed run")
        check(r2.rc == one.rc, "resumed run exit %d, one-shot %d" % (r2.rc, one.rc))
        # Resuming a complete file checks nothing more and appends nothing.
        r3 = sflab.run_sipfed(base + ["--resume", out], timeout=60)
        with open(out, encoding="utf-8") as f:
            check(f.read() == text, "a third --resume changed the complete file")
        check(r3.rc == one.rc, "third run exit %d, want %d (the verdicts in the file)"
              % (r3.rc, one.rc))
    print("resume: %d domains exactly once, equal to a one-shot run" % len(domains))


# --- signals ------------------------------------------------------------------------------

def case_signal(tmp):
    kinds = ["silent", "nosrv", "refused"] * 6
    with fault_servers(tmp, kinds) as (kport, domains, _, _s):
        base = [sflab.sipfed_bin(), "check", "--resolver", "127.0.0.1:%d" % kport,
                "--timeout", "500", "--no-system-trust", "--concurrency", "1"]
        for sig, want in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
            for fmt in ("jsonl", "json"):
                outf = os.path.join(tmp, "sig-%d-%s.out" % (sig, fmt))
                with open(outf, "wb") as o:
                    p = subprocess.Popen(base + ["--format", fmt] + domains,
                                         stdin=subprocess.DEVNULL, stdout=o,
                                         stderr=subprocess.PIPE)
                    try:
                        time.sleep(1.2)
                        p.send_signal(sig)
                        _, err = p.communicate(timeout=30)
                    finally:
                        if p.poll() is None:
                            p.kill()
                            p.wait(timeout=10)
                err = err.decode(errors="replace")
                with open(outf, encoding="utf-8") as f:
                    text = f.read()
                label = "%s, --format %s" % (signal.Signals(sig).name, fmt)
                check(p.returncode == want, "%s: exit %d, want %d\nstderr: %s"
                      % (label, p.returncode, want, err))
                msgs = [ln for ln in err.splitlines() if "interrupted" in ln]
                check(len(msgs) == 1 and msgs[0].startswith("sipfed: interrupted after ")
                      and msgs[0].endswith(" of %d domains" % len(domains)),
                      "%s: no 'interrupted after N of %d domains' line: %r"
                      % (label, len(domains), err))
                n = int(msgs[0].split()[3])
                if fmt == "jsonl":
                    res = jsonl_results(text, label)
                else:
                    doc = json.loads(text)
                    res = doc["results"]
                check(len(res) == n and n < len(domains), "%s: %d results written, the message "
                      "says %d (of %d)" % (label, len(res), n, len(domains)))
                print("%s: exit %d, %s" % (label, want, msgs[0]))


# --- (e) shards -------------------------------------------------------------------------

def case_shard(tmp):
    out, args, domains = genlab(tmp, 300)
    dfile = os.path.join(out, "domains.txt")
    whole = sflab.run_sipfed(["check"] + args + ["--format", "jsonl", "-f", dfile])
    wres = by_domain_once(jsonl_results(whole, "unsharded"), "unsharded")
    check(sorted(wres) == sorted(domains), "the unsharded run misses domains")
    for n in (1, 3, 7):
        seen = {}
        for i in range(n):
            r = sflab.run_sipfed(["check"] + args + ["--format", "jsonl", "--shard",
                                                      "%d/%d" % (i, n), "-f", dfile])
            for x in jsonl_results(r, "shard %d/%d" % (i, n)):
                d = x["domain"]
                check(d not in seen, "%s in shard %s/%d and in shard %d/%d" % (d, seen.get(d),
                                                                              n, i, n))
                check(fnv1a64(d) % n == i, "%s in shard %d/%d, its FNV-1a hash says %d"
                      % (d, i, n, fnv1a64(d) % n))
                seen[d] = i
                check(result_key(x) == result_key(wres[d]), "%s: result in shard %d/%d differs "
                      "from the unsharded run" % (d, i, n))
        check(sorted(seen) == sorted(domains), "shards 0..%d of %d: %d domains, want %d"
              % (n - 1, n, len(seen), len(domains)))
        if n > 1:
            sizes = [list(seen.values()).count(i) for i in range(n)]
            check(min(sizes) > 0, "an empty shard of %d: %s" % (n, sizes))
    # The hash is of the lowercased, dot-stripped name: the spelling does not move a domain.
    d = domains[0]
    i = fnv1a64(d) % 5
    for spelt in (d.upper() + ".", d):
        r = sflab.run_sipfed(["check"] + args + ["--format", "jsonl", "--shard", "%d/5" % i,
                                                  spelt])
        check(len(jsonl_results(r, "shard")) == 1, "%s not kept by shard %d/5" % (spelt, i))
        r = sflab.run_sipfed(["check"] + args + ["--format", "jsonl", "--shard",
                                                  "%d/5" % ((i + 1) % 5), spelt])
        check(r.out == "", "%s kept by shard %d/5" % (spelt, (i + 1) % 5))
    print("shards 1, 3, 7 of %d domains: each domain once, in its FNV-1a shard" % len(domains))


def case_shard_parallel(tmp):
    par = sflab.find_tool("parallel")
    if not par:
        raise sflab.Skip("GNU parallel is not installed (scripts/deps installs it)")
    v = subprocess.run([par, "--version"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    if b"GNU parallel" not in v.stdout:
        raise sflab.Skip("'parallel' is not GNU parallel")
    out, args, domains = genlab(tmp, 400)
    dfile = os.path.join(out, "domains.txt")
    n = 4
    cmd = ([par, "--will-cite", "-j", str(n), sflab.sipfed_bin(), "check"] + args
           + ["--format", "jsonl", "--concurrency", "16", "--shard", "{}/%d" % n, "-f", dfile,
              ":::"] + [str(i) for i in range(n)])
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
    except subprocess.TimeoutExpired:
        raise Fail("parallel did not finish within 300 s")
    # parallel's status is the number of jobs that exited non-zero: sipfed exits 1
    # for a shard with an error finding, so 0..n; a usage error (2) would say so on stderr.
    check(0 <= p.returncode <= n and not p.stderr.strip(), "parallel exit %d, stderr: %s"
          % (p.returncode, p.stderr.decode(errors="replace")[:2000]))
    sharded = by_domain_once(jsonl_results(p.stdout.decode(), "parallel"), "parallel shards")
    whole = sflab.run_sipfed(["check"] + args + ["--format", "jsonl", "-f", dfile], timeout=300)
    same_results(by_domain_once(jsonl_results(whole, "unsharded"), "unsharded"), sharded,
                 "unsharded run", "%d shards under GNU parallel" % n)
    print("GNU parallel, %d shards: %d domains, equal to an unsharded run" % (n, len(sharded)))


# --- (f) faults ------------------------------------------------------------------------------

def case_faults(tmp):
    timeout_ms = 800
    # 1. A resolver that never answers: each domain ends with its own error, in bounded time.
    res = SilentResolver()
    try:
        res.start()
        doms = ["a%d.bulk.lab" % i for i in range(4)]
        run = sflab.run_sipfed(["check", "--resolver", "127.0.0.1:%d" % res.port, "--timeout",
                                str(timeout_ms), "--json", "--concurrency", "4"] + doms,
                               timeout=120)
    finally:
        res.stop()
    doc = sflab.parse_json_doc(run)
    check(res.queries > 0, "the silent resolver got no query")
    check([r["domain"] for r in doc["results"]] == doms, "silent resolver: results %s"
          % [r["domain"] for r in doc["results"]])
    for r in doc["results"]:
        check(r["verdict"] == "error" and r.get("reason"), "%s: verdict %s with a silent "
              "resolver\n%s" % (r["domain"], r["verdict"], run.describe()))
    bound = len(doms) * 4 * timeout_ms / 1000.0 + 5
    check(run.elapsed < bound and run.rc == 2, "silent resolver: exit %d after %.1f s (bound "
          "%.1f s)" % (run.rc, run.elapsed, bound))
    print("silent resolver: %d error results in %.1f s" % (len(doms), run.elapsed))

    # 2. Silent and resetting TLS endpoints among good ones, in one run.
    kinds = ["good", "silent", "refused", "reset", "nosrv", "good", "silent", "reset"]
    with fault_servers(tmp, kinds) as (kport, domains, kind_of, srv):
        base = ["check", "--resolver", "127.0.0.1:%d" % kport, "--timeout", str(timeout_ms),
                "--no-system-trust", "--json"]
        run = sflab.run_sipfed(base + ["--concurrency", "8"] + domains, timeout=180)
        others = [d for d in domains if kind_of[d] not in ("silent", "reset")]
        ref = sflab.run_sipfed(base + others, timeout=180)
        for h in srv["holders"]:
            check(h.accepted > 0, "the %s endpoint was never connected to" % h.mode)
        check(srv["tls"].alive() and srv["knot"].proc.poll() is None, "a server died")
    doc = sflab.parse_json_doc(run)
    by = by_domain_once(doc["results"], "faults")
    check(sorted(by) == sorted(domains), "faults: results for %s" % sorted(by))
    n_faulty = sum(1 for d in domains if kind_of[d] in ("silent", "reset"))
    bound = n_faulty * 4 * timeout_ms / 1000.0 + 10
    check(run.elapsed < bound, "faults: %.1f s, bound %.1f s" % (run.elapsed, bound))
    for d in domains:
        r = by[d]
        if kind_of[d] in ("silent", "reset"):
            target = "sip." + d
            errs = [f for f in r["findings"] if f["severity"] == "error"
                    and f["subject"].startswith(target)]
            check(r["verdict"] == "error" or errs, "%s (%s endpoint): no error verdict and no "
                  "error finding for %s: %s" % (d, kind_of[d], target, json.dumps(r)[:1500]))
            print("%s (%s): %s" % (d, kind_of[d], r.get("reason") or ", ".join(
                "%s %s" % (f["id"], f["message"][:80]) for f in errs)))
    same_results({d: by[d] for d in others}, by_domain_once(sflab.parse_json_doc(ref)["results"],
                                                             "reference"),
                 "the run with the faulty endpoints", "a run without them")
    goods = [d for d in domains if kind_of[d] == "good"]
    check(all(by[d]["verdict"] != "error" for d in goods), "a good endpoint gave verdict error")
    print("faults: %d domains in %.1f s; the others as in a run without the faulty ones"
          % (len(domains), run.elapsed))


# --- -f format and (g) usage errors -----------------------------------------------------------

def case_file_format(tmp):
    stage = "msxfaq"
    sflab.gen(tmp, [stage])
    base = ["check"] + offline_args(stage, tmp) + ["--format", "jsonl", "--concurrency", "1"]
    doms = sflab.stage_domains(stage)
    want = jsonl_results(sflab.run_sipfed(base + doms), "arguments")
    body = "\ufeff# the partner list\r\n\r\n   %s   # first\r\n\t# indented comment\r\n" % doms[0]
    for i, d in enumerate(doms[1:]):
        body += ("sip:alice@%s;transport=tls\r\n" if i % 2 == 0 else "bob@%s.\r\n") % d.upper()
    path = os.path.join(tmp, "list.txt")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(body)
    for label, run in (("-f FILE", sflab.run_sipfed(base + ["-f", path])),
                       ("-f -", sflab.run_sipfed(base + ["-f", "-"], stdin_data=body))):
        got = jsonl_results(run, label)
        check([r["domain"] for r in got] == [r["domain"] for r in want],
              "%s: domains %s, want %s\n%s" % (label, [r["domain"] for r in got],
                                               [r["domain"] for r in want], run.describe()))
        check([result_key(r) for r in got] == [result_key(r) for r in want],
              "%s: results differ from the same domains as arguments" % label)
    print("-f with BOM, CRLF, comments, sip: URIs and user@domain: %d domains" % len(doms))


def expect_usage(run, *needles):
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    check(run.rc == 2 and len(lines) == 1 and lines[0].startswith("sipfed: ")
          and all(n in lines[0] for n in needles) and run.out == "",
          "want exit 2, no output and one stderr line naming %s\n%s" % (needles, run.describe()))
    print("ok: %s" % lines[0])


def case_usage(tmp):
    zone = os.path.join(tmp, "u.lab.zone")
    with open(zone, "w", encoding="utf-8") as f:
        f.write(ZONE_HEAD.replace("bulk.lab", "u.lab"))
    z = ["check", "--zone", zone]
    for bad in ("0", "100001", "-3", "abc", "4x", ""):
        expect_usage(sflab.run_sipfed(z + ["--concurrency", bad, "u.lab"]), "--concurrency",
                     "'%s'" % bad)
    for bad in ("3/3", "1", "a/b", "-1/4", "0/0", "1/1000001", "2/1", "1/2/3", " 1/2"):
        expect_usage(sflab.run_sipfed(z + ["--shard", bad, "u.lab"]), "--shard", "'%s'" % bad)
    out = os.path.join(tmp, "r.jsonl")
    for fmt in (["--format", "text"], ["--format", "json"], ["--json"]):
        expect_usage(sflab.run_sipfed(z + ["--resume", out] + fmt + ["u.lab"]), "--resume",
                     "jsonl")
        check(not os.path.exists(out), "a refused --resume created %s" % out)
    expect_usage(sflab.run_sipfed(z + ["-f", os.path.join(tmp, "none.txt")]), "none.txt")
    unreadable = os.path.join(tmp, "dir.txt")
    os.mkdir(unreadable)
    expect_usage(sflab.run_sipfed(z + ["-f", unreadable]), "dir.txt")
    long_name = ".".join(["a" * 50] * 5) + ".u.lab"  # 254 + 6 = 260 bytes
    listf = os.path.join(tmp, "long.txt")
    with open(listf, "w", encoding="utf-8") as f:
        f.write("u.lab\n# ok\n%s\n" % long_name)
    expect_usage(sflab.run_sipfed(z + ["-f", listf]), "long.txt", "line 3")
    r = sflab.run_sipfed(z + ["--format", "jsonl", "-f", "-"],
                         stdin_data="%s\nu.lab\n" % long_name)
    check(r.rc == 2 and "line 1" in r.err and "standard input" in r.err,
          "an over-long line on stdin: exit 2 naming the line\n" + r.describe())
    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('{"domain":"u.lab","verdict":"pass","findings":[]}\nnot json\n')
    expect_usage(sflab.run_sipfed(z + ["--resume", bad, "u.lab"]), "bad.jsonl", "line 2")
    run = sflab.run_sipfed(["help", "check"])
    for opt in ("--concurrency", "--resume", "--shard", "--quiet", "FNV-1a"):
        check(opt in run.out, "help check does not name %s" % opt)


CASES = {
    "offline": case_offline,
    "live": case_live,
    "genlab": case_genlab,
    "resume": case_resume,
    "signal": case_signal,
    "shard": case_shard,
    "shard-parallel": case_shard_parallel,
    "faults": case_faults,
    "file-format": case_file_format,
    "usage": case_usage,
}


def run_case(name, *args):
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[name](tmp, *args)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CASES or (sys.argv[1] == "live") != (
            len(sys.argv) == 3):
        print("usage: bulk.py %s | live STAGE" % "|".join(c for c in CASES if c != "live"))
        sys.exit(2)
    sflab.main(run_case, *sys.argv[1:])
