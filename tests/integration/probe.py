#!/usr/bin/env python3
"""probe.py CASE: `sipfed probe` against a SIP-over-TLS responder written here.

The responder (python ssl, on 127.0.0.x) requires a client certificate,
counts connections and requests, and answers each OPTIONS by the From domain:
200 OK, 504 Server time-out with ms-diagnostics 1009 (Server: RTC/6.0), or
nothing at all.  The certificates are the seed lab's (cisco-fixed stage, fresh
keys from examples/seed-lab/gen): we present the Expressway-E vcse.steven.lab
(leaf + intermediate), the responder is the Edge sip.skype.lab.

ok            DNS (zone file) -> SRV -> address; 200; the OPTIONS is well formed
              (RFC 3261: Request-URI, Via branch z9hG4bK, Max-Forwards 70, From
              with tag, To, Call-ID, CSeq, Contact, Content-Length); From domain
              from the certificate; peer certificate trusted and matching; exit 0
msdiag        504 + ms-diagnostics 1009 decoded: code, reason, attrs, DNS-005,
              server_kind skype-edge; exit 1
unknown-ca    the responder trusts another CA: TLS alert 48 unknown_ca named,
              stopped at tls; exit 1
refused       nothing listens: stopped at connect, exit 2
silent        TLS works, no SIP answer: stopped at no-answer within the timeout, exit 1
two-from      --from steven.lab --from acano.steven.lab over ONE connection:
              200 for one, 504/1009 for the other
target        --target HOST:PORT skips DNS (no zone given)
json          JSON / JSONL shape
load          --count 200 --connections 4: figures printed, 4 connections used
bad-cert      the peer presents a certificate without the SRV target: CERT-001, exit 1
kamailio      Kamailio (Debian kamailio, kamailio-tls-modules) on TLS with client
              certificate verification: 200 when it trusts our root (server_kind
              kamailio); alert 48 unknown_ca when it does not; skipped if not installed
usage         missing --cert, bad --target, a key that is not the certificate's
"""

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402

STAGE = "cisco-fixed"
US = "vcse.steven.lab"
EDGE = "sip.skype.lab"


class Lab:
    def __init__(self, tmp):
        sflab.gen(tmp, [STAGE])
        d = os.path.join(tmp, STAGE)
        self.root = os.path.join(tmp, "ca", "root.pem")
        self.inter = os.path.join(tmp, "ca", "inter.pem")
        self.our_chain = os.path.join(d, "certs", US + ".pem")
        self.our_key = os.path.join(d, "keys", US + ".key")
        self.edge_chain = os.path.join(d, "certs", EDGE + ".pem")
        self.edge_key = os.path.join(d, "keys", EDGE + ".key")
        self.other_chain = os.path.join(d, "certs", "vcse.acano.steven.lab.pem")
        self.other_key = os.path.join(d, "keys", "vcse.acano.steven.lab.key")
        self.tmp = tmp

    def zone(self, addr, port):
        path = os.path.join(self.tmp, "skype.lab.zone")
        with open(path, "w", encoding="ascii") as f:
            f.write("$ORIGIN skype.lab.\n$TTL 300\n"
                    "@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n"
                    "  IN NS ns1\nns1 IN A 127.0.0.1\n"
                    "_sipfederationtls._tcp IN SRV 0 0 %d sip.skype.lab.\n"
                    "sip IN A %s\n" % (port, addr))
        return path

    def probe_args(self):
        return ["--cert", self.our_chain, "--key", self.our_key, "--trust", self.root]


def parse_headers(msg):
    lines = msg.split("\r\n")
    hdrs = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            hdrs.setdefault(k.strip().lower(), v.strip())
    return lines[0], hdrs


def from_domain(from_value):
    v = from_value
    if "sip:" not in v:
        return None
    host = v.split("sip:", 1)[1]
    host = host.split(">", 1)[0].split(";", 1)[0]
    return host.split("@", 1)[-1].lower()


class Responder:
    """A SIP-over-TLS server that answers OPTIONS by From domain.

    modes: {domain: "200" | "504" | "silent"}, default for other domains.
    """

    def __init__(self, addr, chain, key, cafile, modes=None, default="200"):
        self.addr = addr
        self.port = sflab.free_port(addr)
        self.modes = modes or {}
        self.default = default
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(chain, key)
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.ctx.load_verify_locations(cafile)
        self.connections = 0
        self.handshakes = 0
        self.requests = []
        self.errors = []
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.threads = []

    def start(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.addr, self.port))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)
        return self

    def _accept(self):
        while not self.stop_flag.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self.threads.append(t)

    def _answer(self, req):
        start, h = parse_headers(req)
        dom = from_domain(h.get("from", ""))
        mode = self.modes.get(dom, self.default)
        with self.lock:
            self.requests.append((req, dom))
        if mode == "silent":
            return None
        common = ("Via: %s\r\nFrom: %s\r\nTo: %s;tag=edge1\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                  % (h.get("via", ""), h.get("from", ""), h.get("to", ""),
                     h.get("call-id", ""), h.get("cseq", "")))
        if mode == "200":
            return ("SIP/2.0 200 OK\r\n" + common + "Server: RTC/6.0\r\n"
                    "Content-Length: 0\r\n\r\n")
        return ("SIP/2.0 100 Trying\r\n" + common + "Content-Length: 0\r\n\r\n"
                "SIP/2.0 504 Server time-out\r\n" + common +
                'ms-diagnostics: 1009;reason="No match for domain in DNS SRV results";'
                'domain="%s";fqdn1="vcse.steven.lab:5061";source="sip.skype.lab"\r\n'
                "Server: RTC/6.0\r\nContent-Length: 0\r\n\r\n" % dom)

    def _serve(self, raw):
        raw.settimeout(10)
        try:
            conn = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with self.lock:
                self.errors.append(str(e))
            raw.close()
            return
        with self.lock:
            self.handshakes += 1
        buf = b""
        try:
            while not self.stop_flag.is_set():
                try:
                    data = conn.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                buf += data
                while b"\r\n\r\n" in buf:
                    head, rest = buf.split(b"\r\n\r\n", 1)
                    buf = rest
                    ans = self._answer(head.decode("utf-8", "replace") + "\r\n")
                    if ans:
                        conn.sendall(ans.encode())
        except (ssl.SSLError, OSError) as e:
            with self.lock:
                self.errors.append(str(e))
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def stop(self):
        self.stop_flag.set()
        try:
            self.sock.close()
        except OSError:
            pass
        for t in self.threads:
            t.join(timeout=5)


def run_probe(args, timeout=60):
    return sflab.run_sipfed(["probe"] + args, timeout=timeout)


def json_result(run):
    try:
        doc = json.loads(run.out)
    except ValueError as e:
        raise Fail("not JSON (%s)\n%s" % (e, run.describe()))
    check(doc.get("version") == 1 and isinstance(doc.get("results"), list)
          and len(doc["results"]) == 1, "JSON shape\n" + run.describe())
    return doc["results"][0]


def case_ok(tmp):
    lab = Lab(tmp)
    srv = Responder("127.0.0.61", lab.edge_chain, lab.edge_key, lab.root).start()
    try:
        zone = lab.zone(srv.addr, srv.port)
        run = run_probe(["skype.lab", "--zone", zone, "--timeout", "3000", "--json"]
                        + lab.probe_args())
        check(run.rc == 0, "exit %d, want 0\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        check(r["target"] == EDGE and r["port"] == srv.port and r["address"] == srv.addr,
              "target/port/address\n" + run.describe())
        check(r["stopped_at"] == "answered" and r["verdict"] == "pass", run.describe())
        check(len(r["replies"]) == 1, run.describe())
        rep = r["replies"][0]
        check(rep["from"] == "steven.lab", "From domain from the certificate: %r" % rep["from"])
        check(rep["status"] == 200 and rep["server_kind"] == "skype-edge", run.describe())
        sc = r["server_certificate"]
        check(sc and sc["name_match"] is True and sc["chain_trusted"] is True,
              "peer certificate\n" + run.describe())
        check(r["tls"]["client_cert_requested"] is True, "client cert request not seen")
        check(len(srv.requests) == 1, "requests: %d" % len(srv.requests))
        req, dom = srv.requests[0]
        start, h = parse_headers(req)
        check(start == "OPTIONS sip:skype.lab SIP/2.0", "start line %r" % start)
        check(h.get("via", "").startswith("SIP/2.0/TLS ") and ";branch=z9hG4bK" in h["via"],
              "Via %r" % h.get("via"))
        check(h.get("max-forwards") == "70", "Max-Forwards %r" % h.get("max-forwards"))
        check(dom == "steven.lab" and ";tag=" in h.get("from", ""), "From %r" % h.get("from"))
        check(h.get("to") == "<sip:skype.lab>", "To %r" % h.get("to"))
        check(h.get("cseq") == "1 OPTIONS" and h.get("call-id"), "CSeq/Call-ID")
        check(h.get("contact", "").startswith("<sip:"), "Contact %r" % h.get("contact"))
        check(h.get("content-length") == "0", "Content-Length")
        # text output names the status and the server
        run = run_probe(["skype.lab", "--zone", zone, "--timeout", "3000"] + lab.probe_args())
        check(run.rc == 0 and "200 OK" in run.out and "RTC/6.0" in run.out, run.describe())
    finally:
        srv.stop()


def case_msdiag(tmp):
    lab = Lab(tmp)
    srv = Responder("127.0.0.62", lab.edge_chain, lab.edge_key, lab.root, default="504").start()
    try:
        zone = lab.zone(srv.addr, srv.port)
        run = run_probe(["skype.lab", "--zone", zone, "--timeout", "3000", "--json"]
                        + lab.probe_args())
        check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        rep = r["replies"][0]
        check(rep["status"] == 504, run.describe())
        md = rep["ms_diagnostics"]
        check(md and md["code"] == 1009 and md["header"] == "ms-diagnostics", run.describe())
        check(md["reason"] == "No match for domain in DNS SRV results", run.describe())
        check(md["attrs"].get("fqdn1") == "vcse.steven.lab:5061", run.describe())
        check("DNS-005" in rep["checks"], "1009 not decoded to DNS-005\n" + run.describe())
        check(rep["server_kind"] == "skype-edge" and rep["fix"], run.describe())
        check(r["verdict"] == "fail", run.describe())
        run = run_probe(["skype.lab", "--zone", zone, "--timeout", "3000"] + lab.probe_args())
        check(run.rc == 1 and "504" in run.out and "1009" in run.out and "DNS-005" in run.out,
              run.describe())
    finally:
        srv.stop()


def case_unknown_ca(tmp):
    lab = Lab(tmp)
    # the responder trusts only its own leaf as a "CA": our chain is unknown to it
    leaf_only = os.path.join(tmp, "edge-leaf.pem")
    with open(lab.edge_chain, encoding="ascii") as f:
        blocks = f.read().split("-----END CERTIFICATE-----")
    with open(leaf_only, "w", encoding="ascii") as f:
        f.write(blocks[0] + "-----END CERTIFICATE-----\n")
    srv = Responder("127.0.0.63", lab.edge_chain, lab.edge_key, leaf_only).start()
    try:
        target = "%s:%d" % (srv.addr, srv.port)
        run = run_probe(["skype.lab", "--target", target, "--timeout", "3000", "--json"]
                        + lab.probe_args())
        check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        check(r["stopped_at"] == "tls", run.describe())
        al = r["tls"]["alert"]
        check(al and al["number"] == 48 and al["name"] == "unknown_ca", "alert\n" + run.describe())
        check(srv.handshakes == 0, "the responder accepted our certificate")
        run = run_probe(["skype.lab", "--target", target, "--timeout", "3000"] + lab.probe_args())
        check(run.rc == 1 and "48" in run.out and "unknown CA" in run.out, run.describe())
    finally:
        srv.stop()


def case_refused(tmp):
    lab = Lab(tmp)
    port = sflab.free_port("127.0.0.64")
    run = run_probe(["skype.lab", "--target", "127.0.0.64:%d" % port, "--timeout", "2000",
                     "--json"] + lab.probe_args())
    check(run.rc == 2, "exit %d, want 2\n%s" % (run.rc, run.describe()))
    r = json_result(run)
    check(r["stopped_at"] == "connect" and "refused" in (r["stop_reason"] or "").lower(),
          run.describe())
    check(r["attempts"] and r["attempts"][0]["address"] == "127.0.0.64", run.describe())
    check(r["replies"][0]["status"] is None and r["replies"][0]["error"], run.describe())


def case_silent(tmp):
    lab = Lab(tmp)
    srv = Responder("127.0.0.65", lab.edge_chain, lab.edge_key, lab.root,
                    default="silent").start()
    try:
        run = run_probe(["skype.lab", "--target", "%s:%d" % (srv.addr, srv.port),
                         "--timeout", "1000", "--json"] + lab.probe_args(), timeout=30)
        check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
        check(run.elapsed < 10, "took %.1f s with --timeout 1000" % run.elapsed)
        r = json_result(run)
        check(r["stopped_at"] == "no-answer", run.describe())
        check("no SIP answer" in r["replies"][0]["error"], run.describe())
        check(len(srv.requests) == 1, "the OPTIONS did not arrive")
    finally:
        srv.stop()


def case_two_from(tmp):
    lab = Lab(tmp)
    srv = Responder("127.0.0.66", lab.edge_chain, lab.edge_key, lab.root,
                    modes={"acano.steven.lab": "504"}).start()
    try:
        zone = lab.zone(srv.addr, srv.port)
        run = run_probe(["skype.lab", "--zone", zone, "--timeout", "3000", "--json",
                         "--from", "steven.lab", "--from", "acano.steven.lab"]
                        + lab.probe_args())
        check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        reps = {x["from"]: x for x in r["replies"]}
        check(list(reps) == ["steven.lab", "acano.steven.lab"], run.describe())
        check(reps["steven.lab"]["status"] == 200, run.describe())
        check(reps["acano.steven.lab"]["status"] == 504
              and "DNS-005" in reps["acano.steven.lab"]["checks"], run.describe())
        check(srv.connections == 1, "%d connections, want 1 (one connection reused)"
              % srv.connections)
        check([d for _, d in srv.requests] == ["steven.lab", "acano.steven.lab"],
              "requests: %r" % [d for _, d in srv.requests])
    finally:
        srv.stop()


def case_target(tmp):
    lab = Lab(tmp)
    srv = Responder("127.0.0.67", lab.edge_chain, lab.edge_key, lab.root).start()
    try:
        # a resolver that cannot answer: --target must not need DNS
        run = run_probe(["skype.lab", "--target", "%s:%d" % (srv.addr, srv.port),
                         "--resolver", "127.0.0.67:9", "--timeout", "3000", "--json"]
                        + lab.probe_args())
        check(run.rc == 0, "exit %d, want 0\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        check(r["dns_source"] is None and r["address"] == srv.addr, run.describe())
        check(r["replies"][0]["status"] == 200, run.describe())
    finally:
        srv.stop()


def case_json(tmp):
    lab = Lab(tmp)
    srv = Responder("127.0.0.68", lab.edge_chain, lab.edge_key, lab.root).start()
    try:
        zone = lab.zone(srv.addr, srv.port)
        run = run_probe(["skype.lab", "--zone", zone, "--timeout", "3000", "--format",
                         "jsonl"] + lab.probe_args())
        check(run.rc == 0, run.describe())
        lines = run.out.strip().split("\n")
        check(len(lines) == 1, "jsonl: %d lines" % len(lines))
        r = json.loads(lines[0])
        for k in ("domain", "dns_source", "target", "port", "address", "certificate",
                  "attempts", "tls", "server_certificate", "replies", "stopped_at",
                  "stop_reason", "verdict"):
            check(k in r, "key %r missing\n%s" % (k, run.out))
        for k in ("version", "cipher", "alert", "client_cert_requested", "error"):
            check(k in r["tls"], "tls.%s missing" % k)
        check(r["tls"]["version"] in ("TLSv1.2", "TLSv1.3"), run.out)
        for k in ("from", "status", "reason", "server", "server_kind", "latency_ms",
                  "ms_diagnostics", "checks", "cause", "fix", "error"):
            check(k in r["replies"][0], "replies[].%s missing" % k)
        check(isinstance(r["server_certificate"]["findings"], list), run.out)
        check(r["certificate"] == US, run.out)
        check("load" not in r, "load in single mode")
    finally:
        srv.stop()


def case_load(tmp):
    lab = Lab(tmp)
    srv = Responder("127.0.0.69", lab.edge_chain, lab.edge_key, lab.root).start()
    try:
        target = "%s:%d" % (srv.addr, srv.port)
        run = run_probe(["skype.lab", "--target", target, "--count", "200", "--connections",
                         "4", "--timeout", "3000"] + lab.probe_args(), timeout=120)
        check(run.rc == 0, "exit %d\n%s" % (run.rc, run.describe()))
        check("requests/s" in run.out and "p50" in run.out and "p99" in run.out, run.describe())
        check(srv.connections == 4, "%d connections, want 4" % srv.connections)
        check(len(srv.requests) == 200, "%d requests, want 200" % len(srv.requests))
        run = run_probe(["skype.lab", "--target", target, "--count", "50", "--connections",
                         "2", "--timeout", "3000", "--json"] + lab.probe_args(), timeout=120)
        r = json_result(run)
        ld = r.get("load")
        check(ld and ld["sent"] == 50 and ld["answered"] == 50 and ld["ok"] == 50
              and ld["connected"] == 2 and ld["requests_per_s"] > 0
              and 0 < ld["p50_ms"] <= ld["p99_ms"], run.describe())
    finally:
        srv.stop()


def case_bad_cert(tmp):
    lab = Lab(tmp)
    # the Edge presents the certificate of another host: CERT-001 for sip.skype.lab
    srv = Responder("127.0.0.70", lab.other_chain, lab.other_key, lab.root).start()
    try:
        zone = lab.zone(srv.addr, srv.port)
        run = run_probe(["skype.lab", "--zone", zone, "--timeout", "3000", "--json"]
                        + lab.probe_args())
        check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        ids = [f["id"] for f in r["server_certificate"]["findings"]]
        check("CERT-001" in ids and r["server_certificate"]["name_match"] is False,
              run.describe())
        check(r["replies"][0]["status"] == 200, run.describe())
    finally:
        srv.stop()


def case_usage(tmp):
    lab = Lab(tmp)
    run = run_probe(["skype.lab"])
    check(run.rc == 2 and "--cert" in run.err, run.describe())
    run = run_probe(["skype.lab", "--target", "a:b:c:99999"] + lab.probe_args())
    check(run.rc == 2 and "--target" in run.err, run.describe())
    run = run_probe(["skype.lab", "--target", "127.0.0.1:5061", "--cert", lab.our_chain,
                     "--key", lab.edge_key])
    check(run.rc == 2 and "does not belong" in run.err, run.describe())
    run = run_probe(["skype.lab", "--cert", os.path.join(tmp, "nope.pem")])
    check(run.rc == 2 and "nope.pem" in run.err, run.describe())
    run = run_probe(["skype.lab", "--connections", "3"] + lab.probe_args())
    check(run.rc == 2 and "--count" in run.err, run.describe())
    run = sflab.run_sipfed(["help", "probe"])
    check(run.rc == 0 and "--from" in run.out, run.describe())


KAMAILIO_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=2
enable_tls=yes
auto_aliases=no
listen=tls:%(addr)s:%(port)d
mpath="%(mpath)s"
loadmodule "tls.so"
loadmodule "sl.so"
modparam("tls", "config", "%(tlscfg)s")
request_route {
	if (method=="OPTIONS") { sl_send_reply("200", "OK"); exit; }
	sl_send_reply("403", "Forbidden");
	exit;
}
"""

KAMAILIO_TLS = """[server:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
private_key = %(key)s
certificate = %(chain)s
ca_list = %(ca)s
"""


def kamailio_mpath():
    for d in ("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules",
              "/usr/lib64/kamailio/modules"):
        if os.path.exists(os.path.join(d, "tls.so")):
            return d
    import glob
    for c in glob.glob("/usr/lib/*/kamailio/modules/tls.so"):
        return os.path.dirname(c)
    return None


def start_kamailio(tmp, name, addr, lab, ca):
    kam = sflab.find_tool("kamailio")
    mpath = kamailio_mpath()
    if not kam or not mpath:
        raise sflab.Skip("kamailio or kamailio-tls-modules not installed")
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    port = sflab.free_port(addr)
    tlscfg = os.path.join(d, "tls.cfg")
    with open(tlscfg, "w", encoding="ascii") as f:
        f.write(KAMAILIO_TLS % {"key": lab.edge_key, "chain": lab.edge_chain, "ca": ca})
    cfg = os.path.join(d, "kamailio.cfg")
    with open(cfg, "w", encoding="ascii") as f:
        f.write(KAMAILIO_CFG % {"addr": addr, "port": port, "mpath": mpath, "tlscfg": tlscfg})
    log = open(os.path.join(d, "kamailio.log"), "w")
    p = subprocess.Popen([kam, "-f", cfg, "-DD", "-E", "-Y", d, "-w", d],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise Fail("kamailio exited (%s):\n%s" % (p.returncode, sflab.read_log(
                os.path.join(d, "kamailio.log"))))
        try:
            socket.create_connection((addr, port), timeout=0.5).close()
            return p, port
        except OSError:
            time.sleep(0.2)
    sflab.stop_process(p, "kamailio")
    raise Fail("kamailio did not listen on %s:%d within 15 s" % (addr, port))


def case_kamailio(tmp):
    """Kamailio on TLS with client-certificate verification: 200 when it trusts
    our root; alert 48 unknown_ca when its ca_list lacks our CA."""
    lab = Lab(tmp)
    p, port = start_kamailio(tmp, "kam-ok", "127.0.0.71", lab, lab.root)
    try:
        run = run_probe(["skype.lab", "--target", "127.0.0.71:%d" % port, "--timeout", "3000",
                         "--json"] + lab.probe_args())
        check(run.rc == 0, "exit %d, want 0\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        rep = r["replies"][0]
        check(rep["status"] == 200 and rep["server_kind"] == "kamailio", run.describe())
        check(r["tls"]["client_cert_requested"] is True, run.describe())
    finally:
        sflab.stop_process(p, "kamailio")
    leaf_only = os.path.join(tmp, "edge-leaf.pem")
    with open(lab.edge_chain, encoding="ascii") as f:
        first = f.read().split("-----END CERTIFICATE-----")[0]
    with open(leaf_only, "w", encoding="ascii") as f:
        f.write(first + "-----END CERTIFICATE-----\n")
    p, port = start_kamailio(tmp, "kam-untrusted", "127.0.0.72", lab, leaf_only)
    try:
        run = run_probe(["skype.lab", "--target", "127.0.0.72:%d" % port, "--timeout", "3000",
                         "--json"] + lab.probe_args())
        check(run.rc == 1, "exit %d, want 1\n%s" % (run.rc, run.describe()))
        r = json_result(run)
        al = r["tls"]["alert"]
        check(r["stopped_at"] == "tls" and al and al["number"] == 48
              and al["name"] == "unknown_ca", run.describe())
    finally:
        sflab.stop_process(p, "kamailio")


def server_auth_only_pki(tmp):
    """A root of our own and a leaf for vcse.steven.lab whose EKU is serverAuth only
    (what public CAs issue since 2025-2026): (root, chain, key)."""
    d = os.path.join(tmp, "sa-only")
    os.makedirs(d, exist_ok=True)
    ossl = sflab.find_tool("openssl")

    def run(*args):
        p = subprocess.run([ossl] + list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        check(p.returncode == 0, "openssl %s: %s" % (args[0], p.stderr.decode(errors="replace")))

    root_key, root = os.path.join(d, "root.key"), os.path.join(d, "root.pem")
    key, csr, leaf = (os.path.join(d, n) for n in ("leaf.key", "leaf.csr", "leaf.pem"))
    ext = os.path.join(d, "leaf.ext")
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", root_key, "-out", root,
        "-days", "30", "-subj", "/CN=serverAuth-only test root")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
        "-subj", "/CN=%s" % US)
    with open(ext, "w", encoding="ascii") as f:
        f.write("subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n" % US)
    run("x509", "-req", "-in", csr, "-CA", root, "-CAkey", root_key, "-CAcreateserial",
        "-out", leaf, "-days", "20", "-extfile", ext)
    return root, leaf, key


def case_kamailio_server_auth(tmp):
    """Kamailio verifying client certificates, our certificate with serverAuth
    only: the handshake stops with the alert Kamailio really sends, named as
    RFC 8446 names its number; 200 with a certificate that has clientAuth."""
    lab = Lab(tmp)
    root, leaf, key = server_auth_only_pki(tmp)
    both = os.path.join(tmp, "cas.pem")
    with open(both, "w", encoding="ascii") as f:
        for path in (lab.root, root):
            with open(path, encoding="ascii") as g:
                f.write(g.read())
    p, port = start_kamailio(tmp, "kam-sa", "127.0.0.74", lab, both)
    try:
        run = run_probe(["skype.lab", "--target", "127.0.0.74:%d" % port, "--timeout", "3000",
                         "--json", "--cert", leaf, "--key", key, "--trust", lab.root])
        r = json_result(run)
        al = r["tls"]["alert"]
        check(run.rc == 1 and r["stopped_at"] == "tls" and al,
              "a serverAuth-only client certificate: want a TLS alert\n%s" % run.describe())
        want = ssl.AlertDescription(al["number"]).name.lower().replace("alert_description_", "")
        check(al["name"] == want, "alert %d named %r, RFC 8446 calls it %r\n%s"
              % (al["number"], al["name"], want, run.describe()))
        print("Kamailio refuses a serverAuth-only client certificate with alert %d %s"
              % (al["number"], al["name"]))
        run = run_probe(["skype.lab", "--target", "127.0.0.74:%d" % port, "--timeout", "3000",
                         "--json"] + lab.probe_args())
        check(run.rc == 0 and json_result(run)["replies"][0]["status"] == 200,
              "with clientAuth the same Kamailio answers 200\n%s" % run.describe())
    finally:
        sflab.stop_process(p, "kamailio")


CASES = {
    "kamailio-server-auth": case_kamailio_server_auth,
    "ok": case_ok,
    "msdiag": case_msdiag,
    "unknown-ca": case_unknown_ca,
    "refused": case_refused,
    "silent": case_silent,
    "two-from": case_two_from,
    "target": case_target,
    "json": case_json,
    "load": case_load,
    "bad-cert": case_bad_cert,
    "usage": case_usage,
    "kamailio": case_kamailio,
}


def run_case(name):
    if name not in CASES:
        raise Fail("no case %r (cases: %s)" % (name, ", ".join(sorted(CASES))))
    sflab.sipfed_bin()
    if not sflab.find_tool("openssl"):
        raise sflab.Skip("openssl not found (the lab's PKI)")
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: probe.py CASE")
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
