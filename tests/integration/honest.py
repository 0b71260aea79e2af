#!/usr/bin/env python3
"""honest.py CASE: a verdict claims no more than was checked (issue 9, items 4 and 6).

Cases:
  dns-only       offline zones without --certs: the text verdict says "(DNS only)",
                 JSON "checked" is ["dns"], "sources" names the zone file and no TLS
                 source; with --certs the same domain's verdict has no such mark,
                 "checked" holds "tls" and "certificates" the chain's facts
  sources-live   against knotd on loopback: "sources.dns" names the resolver's
                 address and port; a live TLS endpoint's certificate facts
                 (version, cipher, days left) are in "certificates"
  deadline       --deadline shorter than a silent TLS endpoint's --timeout: that
                 domain ends with verdict error naming the deadline, the other
                 domain of the run gets its normal result
  many-targets   a domain with 900 SRV targets on an endpoint that accepts TCP and
                 never speaks TLS: the check ends (bounded), probes at most 16
                 targets (the listener counts the connections) and says how many
                 records it did not probe

All traffic on 127.0.0.0/8; every server is stopped in a finally block; every
wait is bounded.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402
from bulk import Holder, pick_addrs, fault_servers  # noqa: E402

LAB_NOW = "2026-11-23T12:00:00Z"
PROBE_MAX = 16


def results(run):
    return sflab.parse_json_doc(run)["results"]


def case_dns_only(tmp):
    stage = "cisco-fixed"
    zones = sflab.zone_args(sflab.stage_zones(stage))
    domain = sflab.stage_domains(stage)[0]
    run = sflab.run_sipfed(["check"] + zones + ["--at", LAB_NOW, domain])
    first = run.out.splitlines()[0] if run.out else ""
    check("(DNS only)" in first, "text verdict without a TLS source: %r\n%s"
          % (first, run.describe()))
    run = sflab.run_sipfed(["check", "--json"] + zones + ["--at", LAB_NOW, domain])
    r = results(run)[0]
    check(r["checked"] == ["dns"], "checked without --certs: %r" % r["checked"])
    check(r["sources"]["tls"] is None and r["sources"]["dns"].startswith("zone file"),
          "sources without --certs: %r" % r["sources"])
    check(r["certificates"] == [], "certificates without TLS: %r" % r["certificates"])

    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [stage])
    args = ["check", "--json"] + zones + [
        "--certs", os.path.join(lab, stage, "certs"),
        "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust",
        "--at", LAB_NOW, domain]
    run = sflab.run_sipfed(args)
    r = results(run)[0]
    check(r["checked"] == ["dns", "tls"], "checked with --certs: %r" % r["checked"])
    check(r["sources"]["tls"] and "lab directory" in r["sources"]["tls"],
          "TLS source with --certs: %r" % r["sources"])
    certs = r["certificates"]
    check(len(certs) >= 1, "no certificate facts with --certs\n%s" % run.describe())
    c = certs[0]
    check(c["host"] == r["srv"][0]["target"] and c["port"] == r["srv"][0]["port"],
          "certificate facts name the target: %r" % c)
    check(isinstance(c["days_left"], int) and c["days_left"] > 0 and c["key_bits"] == 2048
          and len(c["chain_sent"]) >= 1 and c["subject"] and c["not_after"],
          "certificate facts: %r" % c)
    run = sflab.run_sipfed(args[:1] + args[2:])
    first = run.out.splitlines()[0] if run.out else ""
    check("DNS only" not in first, "with --certs the verdict is not DNS only: %r" % first)


def case_sources_live(tmp):
    with fault_servers(tmp, ["good"]) as (kport, domains, kind_of, servers):
        lab = os.path.join(tmp, "seed")
        run = sflab.run_sipfed(["check", "--json", "--resolver", "127.0.0.1:%d" % kport,
                                "--trust", os.path.join(lab, "ca", "root.pem"),
                                "--no-system-trust", "--at", LAB_NOW, "--timeout", "3000",
                                domains[0]], timeout=60)
        r = results(run)[0]
        check(r["sources"]["dns"] == "resolver 127.0.0.1:%d" % kport,
              "the DNS source names the resolver: %r" % r["sources"])
        check(r["sources"]["tls"] == "live TLS", "TLS source: %r" % r["sources"])
        check(r["checked"] == ["dns", "tls"], "checked: %r" % r["checked"])
        c = r["certificates"][0] if r["certificates"] else {}
        check(c.get("tls_version") in ("TLSv1.2", "TLSv1.3") and c.get("cipher")
              and isinstance(c.get("days_left"), int),
              "live certificate facts: %r\n%s" % (c, run.describe()))


def case_many_targets(tmp):
    port = sflab.free_port()
    addr = pick_addrs(1, port)[0]
    lines = ["$ORIGIN many.lab.\n", "$TTL 3600\n",
             "@\tIN\tSOA\tns1.many.lab. hostmaster.many.lab. 1 3600 900 604800 300\n",
             "\tIN\tNS\tns1.many.lab.\n", "ns1\tIN\tA\t127.0.0.1\n"]
    for i in range(900):
        lines.append("_sipfederationtls._tcp\tIN\tSRV\t%d 0 %d t%03d.many.lab.\n"
                     % (i // 100, port, i))
        lines.append("t%03d\tIN\tA\t%s\n" % (i, addr))
    zone = os.path.join(tmp, "many.lab.zone")
    with open(zone, "w", encoding="utf-8") as f:
        f.writelines(lines)
    certs = os.path.join(tmp, "certs")
    os.makedirs(certs)
    holder = Holder(addr, port, "silent")
    knot = sflab.Knot(os.path.join(tmp, "knot"), [zone])
    os.makedirs(knot.dir, exist_ok=True)
    try:
        holder.start()
        kport = knot.start()
        run = sflab.run_sipfed(["check", "--json", "--resolver", "127.0.0.1:%d" % kport,
                                "--no-system-trust", "--timeout", "500", "many.lab"],
                               timeout=120)
        r = results(run)[0]
        check(len(r["srv"]) == PROBE_MAX, "SRV records probed: %d, want %d"
              % (len(r["srv"]), PROBE_MAX))
        # one handshake with SNI per target, the one without SNI shared: 17 at most
        check(holder.accepted <= PROBE_MAX + 1, "connections to the silent endpoint: %d"
              % holder.accepted)
        notp = [f for f in r["findings"] if f["id"] == "DNS-006" and "beyond the" in f["message"]]
        check(notp and "884" in notp[0]["message"],
              "a finding says 884 records were not probed: %r"
              % [f["message"] for f in r["findings"]][:5])
    finally:
        knot.stop()
        holder.stop()


def case_deadline(tmp):
    with fault_servers(tmp, ["silent", "nosrv"]) as (kport, domains, kind_of, servers):
        run = sflab.run_sipfed(["check", "--json", "--resolver", "127.0.0.1:%d" % kport,
                                "--no-system-trust", "--timeout", "4000", "--deadline", "700",
                                "--at", LAB_NOW] + domains, timeout=60)
        rs = {r["domain"]: r for r in results(run)}
        silent = [d for d in domains if kind_of[d] == "silent"][0]
        nosrv = [d for d in domains if kind_of[d] == "nosrv"][0]
        check(rs[silent]["verdict"] == "error" and "deadline of 0.7 s" in rs[silent]["reason"],
              "the silent domain at the deadline: %r\n%s" % (rs[silent], run.describe()))
        check(rs[nosrv]["verdict"] == "fail" and any(f["id"] == "DNS-001"
                                                     for f in rs[nosrv]["findings"]),
              "the other domain's result: %r" % rs[nosrv])
        check(run.rc == 2, "exit status with an error verdict: %d" % run.rc)


CASES = {
    "deadline": case_deadline,
    "dns-only": case_dns_only,
    "sources-live": case_sources_live,
    "many-targets": case_many_targets,
}


def run_case(name=None):
    if name not in CASES:
        raise Fail("usage: honest.py CASE (one of %s)" % ", ".join(sorted(CASES)))
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    sflab.main(run_case, *sys.argv[1:])
