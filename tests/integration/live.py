#!/usr/bin/env python3
"""live.py STAGE: `sipfed check` on one stage against real servers on loopback.

1. Generates the PKI and rewrites the stage's zones so that every distinct
   address becomes a distinct 127.0.0.x (x >= 2; each stage has its own block
   of x so that the stages can run in parallel, all on the SRV port 5061).
2. Starts knotd on 127.0.0.1:<free high port> serving the rewritten zones, and
   one `openssl s_server` per distinct address on 127.0.0.x:<SRV port>
   presenting that host's leaf + intermediate.  Readiness: an authoritative
   SOA answer per zone, and a TLS handshake per endpoint that returns the
   expected leaf; bounded retries.
3. Runs check --resolver 127.0.0.1:PORT --trust root --no-system-trust --json
   (live), and check --zone <rewritten> --certs ... (offline, same certs).

How DNS-009 is handled: loopback addresses are not public, so the rewritten
lab has DNS-009 warnings where the original (public .de / lync.com addresses)
has none, and may name other addresses in the cisco stages.  Therefore:
  * live and offline-rewritten must agree exactly (findings, verdicts, SRV
    answers, exit status): the same code path with two sources;
  * live minus DNS-009 must equal expected/<stage>.json minus DNS-009, the SRV
    answers must be the expected ones with the addresses mapped, and the exit
    status the expected one (DNS-009 for loopback is a warning in sfb);
  * every domain whose SRV target has an address gets a DNS-009 warning.
offline.py compares the original zones with the expected file exactly.

A stage with `--client` in its check-args (client discovery, CLI-*) also gets
its web endpoints: per address of the stage's hosts that are no SRV target,
an HTTPS server on 443 presenting that box's chain and, where the stage has
*.autodiscover.json answers, an HTTP server on 80; both answer the Lync
autodiscover path by Host header (python3 http.server / ssl, threads of this
script).  Every answer the stage publishes must have been fetched by sipfed.
Skips when ports 80/443 cannot be bound (not root).

knotd and every s_server are stopped in a finally block.  Skips (77) when
knotd or openssl is missing.
"""

import contextlib
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402
from offline import offline_args  # noqa: E402

BLOCK = 20  # 127.0.0.x addresses reserved per stage


def pick_block(n, ports, preferred):
    """First x such that 127.0.0.x .. x+n-1 are free on every port."""
    starts = [preferred] + [10 + BLOCK * k for k in range(12) if 10 + BLOCK * k != preferred]
    for x in starts:
        if x + n - 1 > 254:
            continue
        if all(sflab.port_free("127.0.0.%d" % (x + i), p) for i in range(n) for p in ports):
            return x
    raise Fail("no block of %d free 127.0.0.x addresses on ports %s" % (n, sorted(ports)))


def endpoints(zones, hosts, lab, stage):
    """[(addr, port, fqdn)]: one TLS endpoint per distinct (address, SRV port)."""
    recs = sflab.stage_records(zones)
    addr = {}
    for owner, rtype, rdata in recs:
        if rtype == "A":
            addr.setdefault(owner, []).append(rdata[0])
    ports = {}
    for owner, rtype, rdata in recs:
        if rtype == "SRV":
            ports.setdefault(rdata[3], set()).add(int(rdata[2]))
    out, seen = [], {}
    for fqdn, _ in hosts:
        for a in addr.get(fqdn, ()):
            for p in sorted(ports.get(fqdn, ())):
                leaf = os.path.join(lab, stage, "leaf", fqdn + ".pem")
                if (a, p) in seen:
                    other = seen[(a, p)]
                    check(sflab.pem_blocks(leaf) == sflab.pem_blocks(
                        os.path.join(lab, stage, "leaf", other + ".pem")),
                        "%s and %s share %s:%d but not their certificate" % (fqdn, other, a, p))
                    continue
                seen[(a, p)] = fqdn
                out.append((a, p, fqdn))
    return out


@contextlib.contextmanager
def serve_stage(tmp, lab, stage, rzones, eps):
    """knotd on 127.0.0.1 (a free high port) serving the zones rzones, and one
    openssl s_server per endpoint (addr, port, fqdn) of eps presenting the
    stage's leaf for fqdn + the intermediate; yields the Knot (knot.port is
    its port), all stopped on exit.  Also used by plan.py and its live cases."""
    knot = sflab.Knot(tmp, rzones)
    knot.servers = []
    try:
        knot.start()
        for a, p, fqdn in eps:
            s = sflab.TlsServer(tmp, a, p, os.path.join(lab, stage, "leaf", fqdn + ".pem"),
                                os.path.join(lab, "ca", "inter.pem"),
                                os.path.join(lab, stage, "keys", fqdn + ".key"), fqdn)
            knot.servers.append(s)
            s.start()
        yield knot
    finally:
        for s in knot.servers:
            s.stop()
        knot.stop()


def check_alive(knot):
    """Fails if knotd or an s_server of serve_stage died during a run."""
    check(knot.proc.poll() is None, "knotd died during the run:\n" + sflab.read_log(knot.log))
    for s in knot.servers:
        check(s.alive(), "s_server %s:%d died during the run:\n%s" % (
            s.addr, s.port, sflab.read_log(s.log)))


CLIENT_PREFIXES = ("lyncdiscover", "lyncdiscoverinternal", "meet", "dialin")


def web_endpoints(stage, zones, hosts, lab, srv_eps, domains):
    """Client-discovery endpoints: [(addr, port, certfqdn or None, {host: body})],
    HTTPS on 443 for every address of a host that is no SRV target, HTTP on 80
    where the stage answers autodiscover over HTTP.  Checks that the lab is one
    the offline sources can express the same way."""
    recs = sflab.stage_records(zones)
    a_of, cname = {}, {}
    for owner, rtype, rdata in recs:
        if rtype == "A":
            a_of.setdefault(owner, []).append(rdata[0])
        elif rtype == "CNAME":
            cname[owner] = rdata[0]

    def addrs(name):
        for _ in range(8):
            if name not in cname:
                break
            name = cname[name]
        return a_of.get(name, [])

    srv_targets = {r[2][3] for r in recs if r[1] == "SRV"}
    https = {}
    for fqdn, sans in hosts:
        if fqdn in srv_targets:
            continue
        for a in addrs(fqdn):
            if a in https:
                check(https[a][1] == sans, "%s and %s are both on %s:443 with different "
                      "certificates: one address is one TLS endpoint" % (https[a][0], fqdn, a))
            else:
                https[a] = [fqdn, sans, {}]
    for a, p, fqdn in srv_eps:
        check(not (p == 443 and a in https), "%s:443 is both the SRV target %s and a web "
              "server of %s" % (a, fqdn, https.get(a, ["?"])[0]))
    with_cert = {f for f, _ in hosts}
    # Offline, sipfed reads DIR/<name>.pem for each name it asks; live, any server
    # on the name's address answers: they agree only if every such name has a chain.
    for d in domains:
        for pre in CLIENT_PREFIXES:
            name = "%s.%s" % (pre, d)
            if any(a in https for a in addrs(name)):
                check(name in with_cert, "%s is on a TLS endpoint but has no hosts line" % name)
    http = {}
    for (host, scheme), body in sflab.stage_autodiscover(stage).items():
        for a in addrs(host):
            if scheme in (None, "https") and a in https:
                https[a][2][host] = body
            if scheme in (None, "http"):
                http.setdefault(a, {})[host] = body
    out = [(a, 443, v[0], v[2]) for a, v in sorted(https.items())]
    out += [(a, 80, None, b) for a, b in sorted(http.items())]
    return out


def can_bind_low(addr):
    s = sflab.socket.socket(sflab.socket.AF_INET, sflab.socket.SOCK_STREAM)
    try:
        s.bind((addr, 80))
        return True
    except PermissionError:
        return False
    except OSError:
        return True  # in use: pick_block decides
    finally:
        s.close()


def run_stage(stage):
    all_stages = sflab.stages()
    if stage not in all_stages:
        raise Fail("no stage %r in examples/seed-lab/stages/list" % stage)
    if not sflab.find_tool("knotd"):
        raise sflab.Skip("knotd is not installed (Debian package knot)")
    if not sflab.find_tool("openssl"):
        raise sflab.Skip("openssl is not installed")
    sflab.sipfed_bin()
    domains = sflab.stage_domains(stage)
    zones = sflab.stage_zones(stage)
    n_addr = len({r[2][0] for r in sflab.stage_records(zones) if r[1] == "A"})
    check(n_addr <= BLOCK, "stage %s has more than %d addresses" % (stage, BLOCK))
    srv_ports = {int(r[2][2]) for r in sflab.stage_records(zones) if r[1] == "SRV"} or {5061}
    args = sflab.stage_check_args(stage)
    client = "--client" in args
    if client:
        if not can_bind_low("127.0.0.1"):
            raise sflab.Skip("cannot bind ports 80/443 on loopback (run as root, or lower "
                             "net.ipv4.ip_unprivileged_port_start)")
        srv_ports = srv_ports | {80, 443}

    with sflab.TempDir() as tmp:
        sflab.gen(os.path.join(tmp, "lab"), [stage])
        lab = os.path.join(tmp, "lab")
        first_x = pick_block(n_addr, srv_ports, 10 + BLOCK * all_stages.index(stage))
        rzones, mapping = sflab.rewrite_zones(zones, os.path.join(tmp, "zones"), first_x)
        print("%s: addresses %s" % (
            stage, ", ".join("%s->%s" % kv for kv in sorted(mapping.items()))))
        eps = endpoints(rzones, sflab.stage_hosts(stage), lab, stage)

        webs = []
        if client:
            for a, p, fqdn, bodies in web_endpoints(stage, rzones, sflab.stage_hosts(stage),
                                                    lab, eps, domains):
                cert = key = None
                if fqdn:
                    cert = os.path.join(lab, stage, "certs", fqdn + ".pem")
                    key = os.path.join(lab, stage, "keys", fqdn + ".key")
                webs.append(sflab.WebServer(a, p, bodies, cert, key))

        try:
            for w in webs:
                w.start()
            with serve_stage(tmp, lab, stage, rzones, eps) as knot:
                port = knot.port
                print("%s: knotd on 127.0.0.1:%d, TLS on %s" % (
                    stage, port, ", ".join("%s:%d (%s)" % e for e in eps)))

                live = sflab.run_sipfed(
                    ["check", "--resolver", "127.0.0.1:%d" % port, "--timeout", "3000",
                     "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust",
                     "--json"] + args + domains, timeout=120)
                check_alive(knot)
            # The live HTTP source really asked: every published answer was fetched.
            for w in webs:
                got = {(h, c) for _, h, _, c in w.requests()}
                for h in w.bodies:
                    check((h, 200) in got, "%s:%d never served the autodiscover answer of %s "
                          "(requests: %s)\n%s" % (w.addr, w.port, h, w.requests(),
                                                   live.describe()))
        finally:
            for w in webs:
                w.stop()

        off = sflab.run_sipfed(["check"] + offline_args(stage, lab, rzones) + ["--json"] + args
                               + domains)
        ldoc = sflab.parse_json_doc(live)
        odoc = sflab.parse_json_doc(off)

        # 1. Live and offline-rewritten agree exactly.
        problems = []
        d = sflab.diff_keys(sflab.finding_keys(odoc), sflab.finding_keys(ldoc),
                            "offline-rewritten", "live")
        if d:
            problems.append("findings of live and offline-rewritten differ:\n" + d)
        lby = sflab.results_by_domain(ldoc, live)
        oby = sflab.results_by_domain(odoc, off)
        if sorted(lby) != sorted(oby) or sorted(lby) != sorted(domains):
            problems.append("domains: live %s, offline %s, asked %s" % (sorted(lby), sorted(oby),
                                                                         sorted(domains)))
        for dom in domains:
            lr, orr = lby.get(dom), oby.get(dom)
            if not lr or not orr:
                continue
            if lr["verdict"] != orr["verdict"]:
                problems.append("%s: verdict live %s, offline %s"
                                % (dom, lr["verdict"], orr["verdict"]))
            if lr.get("links") != orr.get("links"):
                problems.append("%s: links live %s, offline %s" % (dom, lr.get("links"),
                                                                    orr.get("links")))
            if sflab.srv_summary(lr) != sflab.srv_summary(orr):
                problems.append("%s: srv live %s, offline %s" % (dom, sflab.srv_summary(lr),
                                                                  sflab.srv_summary(orr)))
        if live.rc != off.rc:
            problems.append("exit status live %d, offline %d" % (live.rc, off.rc))
        if problems:
            raise Fail("live vs offline-rewritten, stage %s:\n%s\n--- live:\n%s\n--- offline:\n%s"
                       % (stage, "\n".join(problems), live.describe(), off.describe()))

        # 2. Live vs expected, except the address-derived DNS-009.
        exp = sflab.load_expected(stage)
        for er in exp["results"]:
            for s in er.get("srv", []):
                s["addresses"] = [mapping.get(a, a) for a in s["addresses"]]
        sflab.compare_with_expected(stage, ldoc, live.rc, live, drop_ids=("DNS-009",),
                                    check_srv=False, check_verdicts=False, label="live")
        for er in exp["results"]:
            lr = lby[er["domain"]]
            want = sflab.srv_tuples(er["srv"])
            check(sflab.srv_summary(lr) == want, "%s: live srv %s, expected (mapped) %s" % (
                er["domain"], sflab.srv_summary(lr), want))
            check(lr["verdict"] == sflab.verdict_for(lr["findings"]),
                  "%s: verdict %s does not agree with its findings" % (er["domain"], lr["verdict"]))

        # 3. Loopback addresses are not public: DNS-009 (a warning in sfb).
        for dom, lr in lby.items():
            if any(s["addresses"] for s in lr["srv"]):
                check(any(f["id"] == "DNS-009" and f["severity"] == "warning"
                          for f in lr["findings"]),
                      "%s: SRV target on a loopback address but no DNS-009 warning\n%s"
                      % (dom, live.describe()))
        print("%s: live == offline-rewritten (%d findings), == expected except DNS-009, exit %d"
              % (stage, len(sflab.finding_keys(ldoc)), live.rc))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: live.py STAGE")
        sys.exit(2)
    sflab.main(run_stage, sys.argv[1])
