#!/usr/bin/env python3
"""edge.py CASE: `sipfed edge`, the emulated Access Edge, on 127.0.0.x.

The Edge runs with a seed-lab stage's zones (--zone), the lab root as its only
trust (--trust, --no-system-trust) and the certificate of sip.skype.lab; the
client is a python ssl socket presenting the Expressway-E certificate
vcse.steven.lab (leaf + intermediate, its key) and sending OPTIONS over ONE
connection with From steven.lab, acano.steven.lab and cms.steven.lab.

seed-dns     stage cisco-dns: 200 for steven.lab, 504 + ms-diagnostics 1009 for
             acano (fqdn1 vcse.steven.lab:5061) and cms; the --log file read by
             `sipfed logs --json` names DNS-005 with Result-Code 0xC3E93D6F.
seed-cert    stage cisco-cert: 504 + 1010 for acano and cms (tls-target the SRV
             target), logs name CERT-001 (0xC3E93D67).
seed-fixed   stage cisco-fixed: 200 for all three.
no-cert      a client without certificate: the handshake is refused, no answer.
untrusted    a self-signed client certificate: refused with alert 48 unknown_ca;
             the log has the refusal (CERT_E_UNTRUSTEDROOT).
garbage      bytes that are no SIP, then oversized headers, then a request
             missing Call-ID: 400 or close; the Edge still answers a new client.
slow         a client sending a byte a second is closed after --header-timeout;
             an idle client after --idle-timeout; a normal client still served.
policy       --block acano.steven.lab and --allow-list: 403 + 1027.
sigterm      SIGTERM with a connection open: the Edge exits 0 within seconds.
"""

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402

ADDR = "127.0.0.41"
DOMAINS = ["steven.lab", "acano.steven.lab", "cms.steven.lab"]


class Edge:
    """A `sipfed edge` on ADDR at a free port; stopped by stop() (in finally)."""

    def __init__(self, tmp, lab, stage, extra=()):
        self.tmp, self.lab, self.stage = tmp, lab, stage
        self.log = os.path.join(tmp, "edge-%s.log" % stage)
        self.errf = os.path.join(tmp, "edge-%s.err" % stage)
        args = ["edge", "--listen", "%s:0" % ADDR,
                "--cert", os.path.join(lab, stage, "certs", "sip.skype.lab.pem"),
                "--key", os.path.join(lab, stage, "keys", "sip.skype.lab.key"),
                "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust",
                "--log", self.log] + sflab.zone_args(sflab.stage_zones(stage)) + list(extra)
        self.err = open(self.errf, "wb")
        self.p = subprocess.Popen([sflab.sipfed_bin()] + args, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=self.err)
        line = b""
        deadline = time.monotonic() + 10
        import select
        while time.monotonic() < deadline and not line.endswith(b"\n"):
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                b = os.read(self.p.stdout.fileno(), 1)
                if not b:
                    break
                line += b
            elif self.p.poll() is not None:
                break
        text = line.decode(errors="replace").strip()
        if not text.startswith("listening "):
            self.stop()
            raise sflab.Fail("sipfed edge did not start: %r\n%s" % (text, sflab.read_log(self.errf)))
        self.port = int(text.rsplit(":", 1)[1])

    def stop(self):
        sflab.stop_process(self.p, "sipfed edge")
        self.err.close()
        if self.p.stdout:
            self.p.stdout.close()

    def alive(self):
        return self.p.poll() is None


def client_ctx(lab, stage, cert=True, certfile=None, keyfile=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if certfile:
        ctx.load_cert_chain(certfile, keyfile)
    elif cert:
        ctx.load_cert_chain(os.path.join(lab, stage, "certs", "vcse.steven.lab.pem"),
                            os.path.join(lab, stage, "keys", "vcse.steven.lab.key"))
    return ctx


def connect(edge, ctx, timeout=10):
    raw = socket.create_connection((ADDR, edge.port), timeout=timeout)
    return ctx.wrap_socket(raw)


def options(domain, n, method="OPTIONS", extra=""):
    return ("%s sip:sip.skype.lab SIP/2.0\r\n"
            "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKedge%d\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:probe@%s>;tag=f%d\r\n"
            "To: <sip:sip.skype.lab>\r\n"
            "Call-ID: edge-test-%d@127.0.0.1\r\n"
            "CSeq: %d %s\r\n%s"
            "Content-Length: 0\r\n\r\n" % (method, n, domain, n, n, n, method, extra)).encode()


def read_response(s, timeout=10):
    """One response (headers; Content-Length 0 expected), or None on close."""
    s.settimeout(timeout)
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        if time.monotonic() > deadline:
            raise sflab.Fail("no response within %d s (got %r)" % (timeout, buf))
        try:
            b = s.recv(65536)
        except (ssl.SSLError, ConnectionError) as e:
            return None if not buf else buf.decode(errors="replace")
        if not b:
            return None if not buf else buf.decode(errors="replace")
        buf += b
    return buf.decode(errors="replace")


def status_of(resp):
    return int(resp.split(" ", 2)[1]) if resp else None


def header(resp, name):
    for line in resp.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return None


def seed(tmp, stage):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [stage])
    edge = Edge(tmp, lab, stage)
    try:
        s = connect(edge, client_ctx(lab, stage))
        got = {}
        try:
            for i, d in enumerate(DOMAINS):
                s.sendall(options(d, i + 1))
                r = read_response(s)
                check(r is not None, "%s: the connection closed instead of an answer" % d)
                check(header(r, "Call-ID") == "edge-test-%d@127.0.0.1" % (i + 1) and
                      header(r, "CSeq") == "%d OPTIONS" % (i + 1) and
                      "z9hG4bKedge%d" % (i + 1) in (header(r, "Via") or "") and
                      ";tag=" in (header(r, "To") or "") and
                      header(r, "Content-Length") == "0" and header(r, "Server"),
                      "%s: malformed answer:\n%s" % (d, r))
                got[d] = r
        finally:
            s.close()
        want = {"cisco-dns": {"steven.lab": 200, "acano.steven.lab": 504, "cms.steven.lab": 504},
                "cisco-cert": {"steven.lab": 200, "acano.steven.lab": 504,
                               "cms.steven.lab": 504},
                "cisco-fixed": {d: 200 for d in DOMAINS}}[stage]
        for d in DOMAINS:
            check(status_of(got[d]) == want[d], "%s %s: status %s, expected %d\n%s"
                  % (stage, d, status_of(got[d]), want[d], got[d]))
        code = {"cisco-dns": "1009", "cisco-cert": "1010"}.get(stage)
        check_id = {"cisco-dns": "DNS-005", "cisco-cert": "CERT-001"}.get(stage)
        rc = {"cisco-dns": "0xC3E93D6F", "cisco-cert": "0xC3E93D67"}.get(stage)
        for d in DOMAINS:
            diag = header(got[d], "ms-diagnostics")
            if want[d] == 200:
                check(diag is None, "%s: ms-diagnostics on a 200: %s" % (d, diag))
                continue
            check(diag and diag.startswith(code + ";") and 'domain="%s"' % d in diag
                  and 'source="sip.skype.lab"' in diag,
                  "%s: ms-diagnostics %r, expected %s for %s" % (d, diag, code, d))
        a = header(got["acano.steven.lab"], "ms-diagnostics") or ""
        if stage == "cisco-dns":
            check('fqdn1="vcse.steven.lab:5061"' in a, "acano: no fqdn1: %s" % a)
        if stage == "cisco-cert":
            check('tls-target="vcse.acano.steven.lab"' in a and "0x80090322" in a,
                  "acano: no tls-target / HRESULT: %s" % a)
        # the Edge's own log, read by `sipfed logs`, names the same check
        run = sflab.run_sipfed(["logs", "--json", edge.log])
        check(run.rc in (0, 1), "logs failed\n" + run.describe())
        doc = json.loads(run.out)
        events = doc["events"]
        if code is None:
            coded = [e for e in events if e.get("code") or e.get("result_code")]
            check(not coded, "a failure in the log of an all-200 stage: %r" % coded)
            return
        for d in ("acano.steven.lab", "cms.steven.lab"):
            ids = lambda e: [c if isinstance(c, str) else c.get("id") for c in e["checks"]]
            recs = [e for e in events if e["kind"] == "edge-record"
                    and (e["attrs"].get("domain") == d)]
            check(recs and recs[0].get("result_code") == rc and check_id in ids(recs[0]),
                  "%s: the log's edge record does not name %s / %s: %r\n%s"
                  % (d, rc, check_id, recs, sflab.read_log(edge.log)))
            msd = [e for e in events if e["kind"] == "ms-diagnostics" and e.get("code") ==
                   int(code) and e["attrs"].get("domain") == d]
            check(msd and check_id in ids(msd[0]),
                  "%s: the log's answer does not name %s: %r" % (d, check_id, msd))
        check(edge.alive(), "the Edge died")
    finally:
        edge.stop()


def case_seed_dns(tmp):
    seed(tmp, "cisco-dns")


def case_seed_cert(tmp):
    seed(tmp, "cisco-cert")


def case_seed_fixed(tmp):
    seed(tmp, "cisco-fixed")


def refused(edge, ctx):
    """(refused?, what happened): a handshake error, or an alert/close before any answer."""
    try:
        s = connect(edge, ctx)
    except (ssl.SSLError, ConnectionError) as e:
        return True, str(e)
    try:
        # TLS 1.3: the refusal (an alert) follows the client's last flight; read it
        # before sending, so that no unread request turns the close into a reset
        s.settimeout(2)
        try:
            b = s.recv(4096)
            return (not b), "answer %r" % b[:200]
        except socket.timeout:
            pass
        except (ssl.SSLError, ConnectionError) as e:
            return True, str(e)
        try:
            s.sendall(options("steven.lab", 1))
        except (ssl.SSLError, ConnectionError) as e:
            return True, str(e)
        s.settimeout(10)
        try:
            b = s.recv(4096)
        except (ssl.SSLError, ConnectionError) as e:
            return True, str(e)
        return (not b), "answer %r" % b[:200]
    finally:
        s.close()


def served(edge, lab, stage):
    s = connect(edge, client_ctx(lab, stage))
    try:
        s.sendall(options("steven.lab", 99))
        return status_of(read_response(s))
    finally:
        s.close()


def case_no_cert(tmp):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, ["cisco-fixed"])
    edge = Edge(tmp, lab, "cisco-fixed")
    try:
        ok, what = refused(edge, client_ctx(lab, "cisco-fixed", cert=False))
        check(ok, "a client without certificate was served: %s" % what)
        check(served(edge, lab, "cisco-fixed") == 200, "not serving after the refusal")
    finally:
        edge.stop()


def case_untrusted(tmp):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, ["cisco-fixed"])
    key, crt = os.path.join(tmp, "self.key"), os.path.join(tmp, "self.pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", crt, "-days", "30", "-subj", "/CN=vcse.steven.lab",
                        "-addext", "subjectAltName=DNS:vcse.steven.lab"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    check(p.returncode == 0, "openssl req failed: %s" % p.stderr.decode(errors="replace"))
    edge = Edge(tmp, lab, "cisco-fixed")
    try:
        ok, what = refused(edge, client_ctx(lab, "cisco-fixed", certfile=crt, keyfile=key))
        check(ok, "an untrusted client certificate was served: %s" % what)
        check("UNKNOWN_CA" in what.upper(), "not refused with alert 48 unknown_ca: %s" % what)
        check(served(edge, lab, "cisco-fixed") == 200, "not serving after the refusal")
        log = sflab.read_log(edge.log, 100000)
        check("0x800b0109 CERT_E_UNTRUSTEDROOT" in log, "no refusal record in the log:\n" + log)
    finally:
        edge.stop()


def case_garbage(tmp):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, ["cisco-fixed"])
    edge = Edge(tmp, lab, "cisco-fixed")
    ctx = client_ctx(lab, "cisco-fixed")
    try:
        for what, data in (
                ("garbage", b"\x00\xff GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                ("oversized", b"OPTIONS sip:a SIP/2.0\r\nX-Pad: " + b"a" * 40000),
                ("no Call-ID", options("steven.lab", 5).replace(
                    b"Call-ID: edge-test-5@127.0.0.1\r\n", b"")),
                ("huge Content-Length", options("steven.lab", 6).replace(
                    b"Content-Length: 0", b"Content-Length: 99999999"))):
            s = connect(edge, ctx)
            try:
                try:
                    s.sendall(data)
                except (ssl.SSLError, ConnectionError):
                    pass
                r = read_response(s)
                check(r is None or status_of(r) in (400, 413, 513),
                      "%s: answered %r" % (what, r))
            finally:
                s.close()
            check(edge.alive(), "the Edge died on %s" % what)
        check(served(edge, lab, "cisco-fixed") == 200, "not serving after bad input")
    finally:
        edge.stop()


def case_slow(tmp):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, ["cisco-fixed"])
    edge = Edge(tmp, lab, "cisco-fixed", ["--header-timeout", "1.5", "--idle-timeout", "2"])
    ctx = client_ctx(lab, "cisco-fixed")
    try:
        slow = connect(edge, ctx)
        idle = connect(edge, ctx)
        idle.sendall(options("steven.lab", 1))
        check(status_of(read_response(idle)) == 200, "first answer on the idle connection")
        t0 = time.monotonic()
        closed_at = None
        msg = options("steven.lab", 2)
        for i in range(len(msg)):
            try:
                slow.sendall(msg[i:i + 1])
            except (ssl.SSLError, ConnectionError, OSError):
                closed_at = time.monotonic() - t0
                break
            slow.settimeout(0.5)
            try:
                b = slow.recv(4096)
                if not b:
                    closed_at = time.monotonic() - t0
                    break
                raise sflab.Fail("the slow client got an answer: %r" % b)
            except socket.timeout:
                pass
            except (ssl.SSLError, ConnectionError):
                closed_at = time.monotonic() - t0
                break
            if time.monotonic() - t0 > 8:
                break
        check(closed_at is not None and closed_at < 4,
              "the slow client was not closed after --header-timeout 1.5 (%r)" % closed_at)
        check(served(edge, lab, "cisco-fixed") == 200, "a normal client was not served")
        idle.settimeout(6)
        t1 = time.monotonic()
        try:
            b = idle.recv(4096)
        except (ssl.SSLError, ConnectionError):
            b = b""
        except socket.timeout:
            b = None
        check(b == b"", "the idle connection was not closed after --idle-timeout 2 (%r)" % b)
        check(time.monotonic() - t1 < 6, "idle close too late")
        slow.close()
        idle.close()
    finally:
        edge.stop()


def case_policy(tmp):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, ["cisco-fixed"])
    allow = os.path.join(tmp, "allow.txt")
    with open(allow, "w") as f:
        f.write("steven.lab\nacano.steven.lab\n")
    edge = Edge(tmp, lab, "cisco-fixed", ["--block", "acano.steven.lab", "--allow-list", allow])
    try:
        s = connect(edge, client_ctx(lab, "cisco-fixed"))
        try:
            got = []
            for i, d in enumerate(DOMAINS):
                s.sendall(options(d, i + 1))
                got.append(read_response(s))
        finally:
            s.close()
        check(status_of(got[0]) == 200, "steven.lab (allowed): %r" % got[0])
        for r, why in ((got[1], "blocked"), (got[2], "not on the allow list")):
            check(status_of(r) == 403 and (header(r, "ms-diagnostics") or "").startswith("1027;"),
                  "%s: expected 403 + 1027, got %r" % (why, r))
    finally:
        edge.stop()


def case_sigterm(tmp):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, ["cisco-fixed"])
    edge = Edge(tmp, lab, "cisco-fixed")
    try:
        s = connect(edge, client_ctx(lab, "cisco-fixed"))
        s.sendall(options("steven.lab", 1))
        check(status_of(read_response(s)) == 200, "no answer before SIGTERM")
        edge.p.send_signal(signal.SIGTERM)
        try:
            rc = edge.p.wait(timeout=8)
        except subprocess.TimeoutExpired:
            raise sflab.Fail("the Edge did not exit within 8 s of SIGTERM")
        check(rc == 0, "exit %d after SIGTERM\n%s" % (rc, sflab.read_log(edge.errf)))
        s.close()
    finally:
        edge.stop()


def case_probe_seed(tmp):
    """The seed story with `sipfed probe` as the Expressway-E (issue 10 item 3)."""
    h = sflab.run_sipfed(["probe", "--help"])
    if h.rc != 0:
        raise sflab.Skip("this sipfed has no probe command")
    lab = os.path.join(tmp, "lab")
    stages = ["cisco-dns", "cisco-cert", "cisco-fixed"]
    sflab.gen(lab, stages)
    want = {"cisco-dns": [200, 504, 504], "cisco-cert": [200, 504, 504],
            "cisco-fixed": [200, 200, 200]}
    codes = {"cisco-dns": (1009, "DNS-005"), "cisco-cert": (1010, "CERT-001")}
    for stage in stages:
        edge = Edge(tmp, lab, stage)
        try:
            args = ["probe", "skype.lab", "--target", "%s:%d" % (ADDR, edge.port),
                    "--cert", os.path.join(lab, stage, "certs", "vcse.steven.lab.pem"),
                    "--key", os.path.join(lab, stage, "keys", "vcse.steven.lab.key"),
                    "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust",
                    "--json"] + sflab.zone_args(sflab.stage_zones(stage))
            for d in DOMAINS:
                args += ["--from", d]
            run = sflab.run_sipfed(args, timeout=60)
            check(run.rc == (0 if stage == "cisco-fixed" else 1),
                  "%s: probe exit %d\n%s" % (stage, run.rc, run.describe()))
            res = json.loads(run.out)["results"][0]
            got = [r["status"] for r in res["replies"]]
            check(got == want[stage], "%s: probe got %s, expected %s\n%s"
                  % (stage, got, want[stage], run.describe()))
            if stage in codes:
                code, cid = codes[stage]
                for r in res["replies"][1:]:
                    check((r.get("ms_diagnostics") or {}).get("code") == code and
                          cid in r.get("checks", []),
                          "%s: %s decoded as %r, expected %d / %s"
                          % (stage, r["from"], r.get("ms_diagnostics"), code, cid))
        finally:
            edge.stop()


CASES = {"probe-seed": case_probe_seed, "seed-dns": case_seed_dns, "seed-cert": case_seed_cert, "seed-fixed": case_seed_fixed,
         "no-cert": case_no_cert, "untrusted": case_untrusted, "garbage": case_garbage,
         "slow": case_slow, "policy": case_policy, "sigterm": case_sigterm}


def run(case):
    if case not in CASES:
        raise sflab.Fail("unknown case %r" % case)
    with sflab.TempDir() as tmp:
        CASES[case](tmp)


if __name__ == "__main__":
    sflab.main(run, sys.argv[1] if len(sys.argv) > 1 else "")
