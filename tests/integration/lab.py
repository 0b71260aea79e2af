#!/usr/bin/env python3
"""lab.py CASE: checks the seed lab itself, without sipfed.

  pki    gen produces, for every stage, the chains the hosts files describe:
         leaf + intermediate, chaining to the root, RSA 2048, SHA-256, EKU
         serverAuth + clientAuth, a CRL distribution point, CN = first SAN,
         397 days from 24 hours ago; one box (same SAN list or same address)
         = one certificate; every SRV target of the zones has a host line.
  zones  every stage's zone files load in a real knotd, which answers for each
         record the lab's own reader sees (so the live test serves what the
         offline test reads).
"""

import datetime
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402


def openssl(*args, inp=None):
    tool = sflab.find_tool("openssl")
    if not tool:
        raise sflab.Skip("openssl is not installed")
    p = subprocess.run([tool] + list(args), input=inp, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def cert_text(path):
    rc, out, err = openssl("x509", "-in", path, "-noout", "-text", "-nameopt", "RFC2253")
    check(rc == 0, "openssl x509 cannot read %s: %s" % (path, err))
    return out


def parse_time(s):
    return datetime.datetime.strptime(s.strip(), "%b %d %H:%M:%S %Y GMT")


def check_leaf(stage, fqdn, sans, lab):
    where = "%s/%s" % (stage, fqdn)
    chain = os.path.join(lab, stage, "certs", fqdn + ".pem")
    leaf = os.path.join(lab, stage, "leaf", fqdn + ".pem")
    key = os.path.join(lab, stage, "keys", fqdn + ".key")
    root = os.path.join(lab, "ca", "root.pem")
    inter = os.path.join(lab, "ca", "inter.pem")
    for p in (chain, leaf, key):
        check(os.path.isfile(p), "%s: gen did not write %s" % (where, p))
    blocks = sflab.pem_blocks(chain)
    check(len(blocks) == 2, "%s: chain has %d certificates, want leaf + intermediate"
          % (where, len(blocks)))
    check(blocks[0] == sflab.pem_blocks(leaf)[0], "%s: chain does not start with the leaf" % where)
    check(blocks[1] == sflab.pem_blocks(inter)[0], "%s: second certificate is not the "
          "intermediate" % where)
    check(sflab.pem_blocks(root)[0] not in blocks, "%s: the chain contains the root" % where)

    rc, out, err = openssl("verify", "-CAfile", root, "-untrusted", inter, "-purpose", "sslserver",
                           leaf)
    check(rc == 0, "%s: does not verify to the root as a server: %s %s" % (where, out, err))
    rc, out, err = openssl("verify", "-CAfile", root, "-untrusted", inter, "-purpose", "sslclient",
                           leaf)
    check(rc == 0, "%s: does not verify to the root as a client: %s %s" % (where, out, err))
    # The name check the Edge makes (CERT-001), cross-checked with OpenSSL itself.
    rc, out, err = openssl("verify", "-CAfile", root, "-untrusted", inter, "-verify_hostname",
                           fqdn, leaf)
    check((rc == 0) == (fqdn in sans), "%s: openssl -verify_hostname %s gives %d, but the hosts "
          "file SANs are %s" % (where, fqdn, rc, sans))

    t = cert_text(leaf)
    m = re.search(r"Subject: (.*)", t)
    check(m and "CN=%s" % sans[0] in m.group(1).split(","), "%s: subject %s, want CN=%s"
          % (where, m and m.group(1), sans[0]))
    m = re.search(r"Issuer: (.*)", t)
    check(m and "CN=sipfed seed lab issuing CA" in m.group(1),
          "%s: issuer %s" % (where, m and m.group(1)))
    m = re.search(r"X509v3 Subject Alternative Name:.*?\n\s*(.*)", t)
    got = [x.strip()[4:] for x in m.group(1).split(",")] if m else []
    check(got == sans, "%s: SAN %s, want %s (CN first)" % (where, got, sans))
    check("Public-Key: (2048 bit)" in t and "rsaEncryption" in t, "%s: not RSA 2048" % where)
    check(re.search(r"Signature Algorithm: sha256WithRSAEncryption", t), "%s: not SHA-256" % where)
    m = re.search(r"X509v3 Extended Key Usage:.*?\n\s*(.*)", t)
    eku = m.group(1) if m else ""
    check("TLS Web Server Authentication" in eku and "TLS Web Client Authentication" in eku,
          "%s: EKU %r, want serverAuth + clientAuth" % (where, eku))
    check(re.search(r"X509v3 CRL Distribution Points:\s*\n\s*Full Name:\s*\n\s*URI:http", t),
          "%s: no CRL distribution point URI" % where)
    check("CA:FALSE" in t, "%s: not an end-entity certificate" % where)
    nb = parse_time(re.search(r"Not Before: (.*)", t).group(1))
    na = parse_time(re.search(r"Not After : (.*)", t).group(1))
    now = datetime.datetime.utcnow()
    check(abs((now - nb) - datetime.timedelta(days=1)) < datetime.timedelta(hours=1),
          "%s: notBefore %s is not about a day ago" % (where, nb))
    check(abs((na - nb) - datetime.timedelta(days=397)) < datetime.timedelta(minutes=5),
          "%s: validity %s, want 397 days" % (where, na - nb))
    rc1, pub1, _ = openssl("x509", "-in", leaf, "-noout", "-pubkey")
    rc2, pub2, _ = openssl("pkey", "-in", key, "-pubout")
    check(rc1 == 0 and rc2 == 0 and pub1 == pub2, "%s: key does not match the leaf" % where)
    return blocks[0]


def case_pki():
    with sflab.TempDir() as tmp:
        sflab.gen(tmp)
        t = cert_text(os.path.join(tmp, "ca", "root.pem"))
        check("Subject: CN=sipfed seed lab root" in t, "root subject is not CN=sipfed seed lab "
              "root:\n" + t[:600])
        rc, out, err = openssl("verify", "-CAfile", os.path.join(tmp, "ca", "root.pem"),
                               os.path.join(tmp, "ca", "inter.pem"))
        check(rc == 0, "the intermediate does not chain to the root: %s %s" % (out, err))
        for stage in sflab.stages():
            hosts = sflab.stage_hosts(stage)
            check(hosts, "%s: no hosts" % stage)
            recs = sflab.stage_records(sflab.stage_zones(stage))
            addr = {}
            for owner, rtype, rdata in recs:
                if rtype == "A":
                    addr.setdefault(owner, set()).add(rdata[0])
            targets = {r[2][3] for r in recs if r[1] == "SRV"}
            names = {h for h, _ in hosts}
            missing = sorted(t for t in targets if t in addr and t not in names)
            check(not missing, "%s: SRV targets without a hosts line: %s" % (stage, missing))
            # With --client, also the names clients look up (lyncdiscover.<d>, meet.<d>, ...).
            if "--client" in sflab.stage_check_args(stage):
                targets |= {r[0] for r in recs if r[1] in ("A", "CNAME") and
                            r[0].split(".")[0] in ("lyncdiscover", "lyncdiscoverinternal",
                                                   "meet", "dialin")}
            extra = sorted(names - targets)
            check(not extra, "%s: hosts that no SRV record points at: %s" % (stage, extra))
            leafs = {}
            by_sans, by_addr = {}, {}
            for fqdn, sans in hosts:
                der = check_leaf(stage, fqdn, sans, tmp)
                leafs[fqdn] = der
                by_sans.setdefault(",".join(sans), set()).add(der)
                for a in addr.get(fqdn, ()):
                    by_addr.setdefault(a, set()).add(der)
            for k, v in by_sans.items():
                check(len(v) == 1, "%s: hosts with SANs %s do not share one certificate"
                      % (stage, k))
            for k, v in by_addr.items():
                check(len(v) == 1, "%s: hosts on %s present different certificates: one address "
                      "is one TLS endpoint in the live test" % (stage, k))
            # The lab files must not name every host in every chain (fresh per box).
            check(len(set(leafs.values())) == len(by_sans), "%s: boxes share keys" % stage)


def case_zones():
    if not sflab.find_tool("knotd"):
        raise sflab.Skip("knotd is not installed (Debian package knot)")
    for stage in sflab.stages():
        with sflab.TempDir() as tmp:
            zones = sflab.stage_zones(stage)
            knot = sflab.Knot(tmp, zones)
            try:
                port = knot.start()
                recs = sflab.stage_records(zones)
                owners = {r[0] for r in recs}
                for owner, rtype, rdata in recs:
                    qtype = {"SOA": 6, "NS": 2, "A": 1, "SRV": 33, "CNAME": 5}[rtype]
                    ans = sflab.dns_probe(port, owner, qtype)
                    check(ans is not None, "%s: knotd did not answer %s %s" % (stage, owner, rtype))
                    check(ans[0] == 0 and ans[1] and ans[2] >= 1,
                          "%s: knotd answers %s %s with rcode %d aa %s an %d" % (
                              (stage, owner, rtype) + ans))
                for d in sflab.stage_domains(stage):
                    name = "_sipfederationtls._tcp." + d
                    ans = sflab.dns_probe(port, name, 33)
                    check(ans is not None, "%s: no answer for %s" % (stage, name))
                    if name in owners:
                        check(ans[0] == 0 and ans[2] >= 1, "%s: %s SRV: %s" % (stage, name, ans))
                    else:
                        check(ans[0] == 3, "%s: %s should be NXDOMAIN, got %s" % (stage, name, ans))
                check(knot.proc.poll() is None, "%s: knotd died:\n%s" % (
                    stage, sflab.read_log(knot.log)))
            finally:
                knot.stop()
            print("%s: knotd served %d zones on port %d" % (stage, len(zones), port))


CASES = {"pki": case_pki, "zones": case_zones}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: lab.py %s" % "|".join(CASES))
        sys.exit(2)
    sflab.main(CASES[sys.argv[1]])
