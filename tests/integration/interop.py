#!/usr/bin/env python3
"""interop.py CASE: `sipfed edge` against other people's SIP (issue 10,
"Interoperability").

torture        the 49 RFC 4475 torture messages, read at test time from
               $SIPFED_CORPORA/rfc4475 (MANIFEST.tsv; never copied here), each
               sent over its own TLS connection presenting the seed lab's
               vcse.steven.lab certificate to an Edge on the cisco-fixed stage.
               A request the manifest calls valid (or semantic-app(valid)) gets
               a SIP response other than 400; a semantic-* one a SIP response
               (insuf.dat, without From, To and Call-ID, cannot be answered: 400
               or close); an invalid one gets 400 or the connection is closed (an
               Edge may also answer a request it reads leniently: any status is
               accepted for "invalid(RFC allows robust accept)"); a response
               (noreason, unreason, bcast, scalarlg, bigcode) is never answered.
               inv2543.dat has no Content-Length, which RFC 3261 18.3 requires on
               a stream: 400, close or a response are accepted for it.  dblreq:
               the first message only.  Each message is bounded (--header-timeout
               1: clerr.dat's missing body ends in a close); the Edge never dies
               and answers a normal OPTIONS 200 afterwards.
kamailio-fixed Kamailio as the federating peer (cisco-fixed stage): a UDP OPTIONS
               from here to Kamailio on 127.0.0.x, relayed with t_relay() over
               TLS (Kamailio presents vcse.steven.lab, trusts the lab root) to
               the Edge; the Edge's 200 comes back through Kamailio.
kamailio-dns   the same on the cisco-dns stage: the Edge's 504 with ms-diagnostics
               1009 (domain acano.steven.lab, fqdn1 vcse.steven.lab:5061) arrives
               through Kamailio unchanged.
Both kamailio cases exit 77 when kamailio or its tls module is not installed.
"""

import os
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402
import edge as edge_t  # noqa: E402  (the Edge fixture of edge.py)

STAGE = "cisco-fixed"


def corpus_dir():
    base = os.environ.get("SIPFED_CORPORA") or os.path.join(sflab.srcdir(), "..", "shared",
                                                             "corpora")
    d = os.path.join(base, "rfc4475")
    if not os.path.exists(os.path.join(d, "MANIFEST.tsv")):
        raise sflab.Skip("RFC 4475 corpus not found at %s" % d)
    return d


def manifest(d):
    rows = []
    with open(os.path.join(d, "MANIFEST.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "file":
                continue
            rows.append((cols[0], cols[1], cols[3]))
    return rows


def first_message(data):
    """dblreq.dat: the bytes of the first message (headers + Content-Length body)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    cl = 0
    for ln in head.split(b"\r\n")[1:]:
        k, _, v = ln.partition(b":")
        if k.strip().lower() in (b"content-length", b"l"):
            cl = int(v.strip())
    return head + sep + rest[:cl]


def read_reply(s, timeout):
    """(status or None, text): one response, or None when closed / silent."""
    s.settimeout(timeout)
    buf = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, "silent"
        s.settimeout(left)
        try:
            b = s.recv(65536)
        except socket.timeout:
            return None, "silent"
        except (ssl.SSLError, ConnectionError, OSError) as e:
            return None, "closed (%s)" % e
        if not b:
            return None, "closed"
        buf += b
    text = buf.decode(errors="replace")
    first = text.split("\r\n", 1)[0]
    parts = first.split(" ", 2)
    check(len(parts) >= 2 and parts[0] == "SIP/2.0" and parts[1].isdigit(),
          "not a SIP response: %r" % text[:300])
    return int(parts[1]), text


def case_torture(tmp):
    d = corpus_dir()
    rows = manifest(d)
    check(len(rows) == 49, "MANIFEST.tsv lists %d messages, expected 49" % len(rows))
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [STAGE])
    edge = edge_t.Edge(tmp, lab, STAGE, ["--header-timeout", "1", "--idle-timeout", "3"])
    ctx = edge_t.client_ctx(lab, STAGE)
    problems, seen = [], []
    t_all = time.monotonic()
    try:
        for name, section, expected in rows:
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            if name == "dblreq.dat":
                data = first_message(data)
            is_response = data.startswith(b"SIP/")
            t0 = time.monotonic()
            s = edge_t.connect(edge, ctx)
            try:
                try:
                    s.sendall(data)
                except (ssl.SSLError, ConnectionError):
                    pass
                status, text = read_reply(s, 8)
            finally:
                s.close()
            took = time.monotonic() - t0
            seen.append("%-15s %-8s %-32s -> %s (%.2f s)"
                        % (name, section, expected, status if status else text, took))
            if not edge.alive():
                problems.append("%s: the Edge died (%s)" % (name, edge.p.returncode))
                break
            if is_response:
                if status is not None:
                    problems.append("%s: a response was answered with %d" % (name, status))
            elif name == "inv2543.dat" or expected.startswith("invalid(RFC allows"):
                pass  # any outcome: see the docstring
            elif expected.startswith("invalid"):
                if status not in (None, 400):
                    problems.append("%s (%s, invalid): answered %d, want 400 or close"
                                    % (name, section, status))
            elif name == "insuf.dat":
                if status not in (None, 400):
                    problems.append("%s: answered %d, want 400 or close" % (name, status))
            elif expected.startswith("semantic") and not expected.endswith("(valid)"):
                if status is None:
                    problems.append("%s (%s, %s): no SIP response: %s"
                                    % (name, section, expected, text))
            else:  # valid, semantic-app(valid): answered, and not as bad syntax
                if status is None or status == 400:
                    problems.append("%s (%s, %s): want a SIP response other than 400, got %s"
                                    % (name, section, expected, status or text))
            if took > 9:
                problems.append("%s: took %.1f s" % (name, took))
        sys.stderr.write("\n".join(seen) + "\n")
        check(not problems, "RFC 4475 torture:\n  " + "\n  ".join(problems))
        check(edge.alive(), "the Edge died")
        check(edge_t.served(edge, lab, STAGE) == 200,
              "the Edge does not answer a normal OPTIONS after the torture messages")
        check(time.monotonic() - t_all < 90, "the torture run took too long")
    finally:
        edge.stop()


# --- Kamailio as the federating peer -----------------------------------------------

KAM_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=1
enable_tls=yes
auto_aliases=no
alias="%(addr)s"
listen=udp:%(addr)s:%(udp)d
listen=tls:%(addr)s:%(tls)d
mpath="%(mpath)s"
loadmodule "tls.so"
loadmodule "pv.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
modparam("tls", "config", "%(tlscfg)s")
request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (method=="OPTIONS") {
		$ru = "sip:sip.skype.lab:%(edge_port)d;transport=tls";
		$du = "sip:%(edge_addr)s:%(edge_port)d;transport=tls";
		if (!t_relay()) { sl_send_reply("500", "Relay Failed"); }
		exit;
	}
	sl_send_reply("403", "Forbidden");
	exit;
}
"""

KAM_TLS = """[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
certificate = %(chain)s
private_key = %(key)s
ca_list = %(ca)s

[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = %(chain)s
private_key = %(key)s
ca_list = %(ca)s
"""

KAM_ADDR = "127.0.0.73"


def kamailio_mpath():
    import glob
    for d in ("/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/kamailio/modules",
              "/usr/lib64/kamailio/modules"):
        if os.path.exists(os.path.join(d, "tls.so")):
            return d
    for c in glob.glob("/usr/lib/*/kamailio/modules/tls.so"):
        return os.path.dirname(c)
    return None


def free_udp_port(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_relay(tmp, lab, stage, edge):
    kam = sflab.find_tool("kamailio")
    mpath = kamailio_mpath()
    if not kam or not mpath:
        raise sflab.Skip("kamailio or kamailio-tls-modules not installed")
    d = os.path.join(tmp, "kam-" + stage)
    os.makedirs(d, exist_ok=True)
    tlscfg = os.path.join(d, "tls.cfg")
    with open(tlscfg, "w", encoding="ascii") as f:
        f.write(KAM_TLS % {"chain": os.path.join(lab, stage, "certs", "vcse.steven.lab.pem"),
                           "key": os.path.join(lab, stage, "keys", "vcse.steven.lab.key"),
                           "ca": os.path.join(lab, "ca", "root.pem")})
    udp = free_udp_port(KAM_ADDR)
    tls = sflab.free_port(KAM_ADDR)
    cfg = os.path.join(d, "kamailio.cfg")
    with open(cfg, "w", encoding="ascii") as f:
        f.write(KAM_CFG % {"addr": KAM_ADDR, "udp": udp, "tls": tls, "mpath": mpath,
                           "tlscfg": tlscfg, "edge_addr": edge_t.ADDR,
                           "edge_port": edge.port})
    logp = os.path.join(d, "kamailio.log")
    log = open(logp, "w")
    p = subprocess.Popen([kam, "-f", cfg, "-DD", "-E", "-Y", d, "-w", d],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise Fail("kamailio exited (%s):\n%s" % (p.returncode, sflab.read_log(logp)))
        try:
            socket.create_connection((KAM_ADDR, tls), timeout=0.5).close()
            return p, udp, logp
        except OSError:
            time.sleep(0.2)
    sflab.stop_process(p, "kamailio")
    raise Fail("kamailio did not listen on %s:%d within 15 s" % (KAM_ADDR, tls))


def udp_options(domain, us, kam_udp, n):
    return ("OPTIONS sip:%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKinterop%d;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:probe@%s>;tag=i%d\r\n"
            "To: <sip:sip.skype.lab>\r\n"
            "Call-ID: interop-%d@%s\r\n"
            "CSeq: %d OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
            % (KAM_ADDR, kam_udp, us[0], us[1], n, domain, n, n, us[0], n)).encode()


def relay(tmp, stage, want):
    if not sflab.find_tool("kamailio") or not kamailio_mpath():
        raise sflab.Skip("kamailio or kamailio-tls-modules not installed")
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [stage])
    edge = edge_t.Edge(tmp, lab, stage)
    p = None
    try:
        p, kam_udp, logp = start_relay(tmp, lab, stage, edge)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        try:
            for n, (domain, (status, diag)) in enumerate(want.items(), 1):
                u.sendto(udp_options(domain, u.getsockname(), kam_udp, n), (KAM_ADDR, kam_udp))
                deadline = time.monotonic() + 15
                got = None
                while time.monotonic() < deadline:
                    u.settimeout(max(0.1, deadline - time.monotonic()))
                    try:
                        b, _ = u.recvfrom(65536)
                    except socket.timeout:
                        break
                    t = b.decode(errors="replace")
                    st = int(t.split(" ", 2)[1])
                    if st >= 200:
                        got = t
                        break
                check(got is not None, "%s: no final answer through Kamailio\n%s\n%s"
                      % (domain, sflab.read_log(logp), sflab.read_log(edge.errf)))
                check(edge_t.status_of(got) == status and
                      edge_t.header(got, "Call-ID") == "interop-%d@127.0.0.1" % n and
                      "z9hG4bKinterop%d" % n in (edge_t.header(got, "Via") or ""),
                      "%s: through Kamailio got\n%s\nexpected %d" % (domain, got, status))
                md = edge_t.header(got, "ms-diagnostics")
                # unchanged: the same answer as a direct TLS client of the Edge gets
                direct = edge_t.connect(edge, edge_t.client_ctx(lab, stage))
                try:
                    direct.sendall(edge_t.options(domain, 100 + n))
                    dr = edge_t.read_response(direct)
                finally:
                    direct.close()
                check(edge_t.status_of(dr) == edge_t.status_of(got) and
                      edge_t.header(dr, "ms-diagnostics") == md and
                      edge_t.header(dr, "Server") == edge_t.header(got, "Server") and
                      edge_t.header(got, "Server"),
                      "%s: the answer through Kamailio differs from the Edge's own:\n%s\n%s"
                      % (domain, got, dr))
                if diag is None:
                    check(md is None, "%s: ms-diagnostics on a %d: %s" % (domain, status, md))
                else:
                    for part in diag:
                        check(md and part in md, "%s: ms-diagnostics %r lacks %r"
                              % (domain, md, part))
                check(p.poll() is None, "kamailio died")
        finally:
            u.close()
        check(edge.alive(), "the Edge died")
        # the Edge saw Kamailio's TLS connection (from KAM_ADDR) and answered it
        log = sflab.read_log(edge.log, 1000000)
        check(KAM_ADDR in log, "the Edge's log names no connection from %s:\n%s"
              % (KAM_ADDR, log[-3000:]))
    finally:
        if p is not None:
            sflab.stop_process(p, "kamailio")
        edge.stop()


def case_kamailio_fixed(tmp):
    relay(tmp, "cisco-fixed", {"steven.lab": (200, None), "acano.steven.lab": (200, None)})


def case_kamailio_dns(tmp):
    relay(tmp, "cisco-dns", {
        "steven.lab": (200, None),
        "acano.steven.lab": (504, ("1009;", 'domain="acano.steven.lab"',
                                   'fqdn1="vcse.steven.lab:5061"',
                                   'source="sip.skype.lab"'))})


CASES = {"torture": case_torture, "kamailio-fixed": case_kamailio_fixed,
         "kamailio-dns": case_kamailio_dns}


def run(case):
    if case not in CASES:
        raise Fail("unknown case %r" % case)
    with sflab.TempDir() as tmp:
        CASES[case](tmp)


if __name__ == "__main__":
    sflab.main(run, sys.argv[1] if len(sys.argv) > 1 else "")
