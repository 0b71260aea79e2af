#!/usr/bin/env python3
"""genlab.py: a lab of N SIP federation domains for benchmarks and tests.

Usage (a stable command line: bench/run-check and the integration tests use it):

    genlab.py N OUTDIR [--seed S] [--key rsa2048|ec256] [--now RFC3339]
              [--addresses K] [--addr-base A.B.C.D] [--port P] [--per-zone M] [--keys K]

    N             number of SIP domains (1 .. 1000000)
    OUTDIR        created if missing; files of an earlier lab there are overwritten
    --seed S      seed of the mix (default 1): same seed, same domains, kinds, targets
                  and addresses (keys are fresh on every run)
    --key T       leaf key type: rsa2048 (default) or ec256 (the CAs are ECDSA P-256)
    --now T       the lab's "now" (RFC 3339, default the current time): leaf
                  certificates are valid from now-1d to now+396d (expired ones from
                  now-400d to now-35d), CAs from now-2d to now+3650d; run sipfed
                  with --at T for results that do not depend on the day
    --addresses K number of Edge addresses (default 50)
    --addr-base A first address (default 127.0.0.10): the hosting provider's
                  endpoint is A, the K Edge addresses follow (A+1 .. A+K), and A-1
                  is the address where nothing listens (connection refused)
    --port P      the SRV port and the port of every endpoint (default 5061)
    --per-zone M  domains per parent zone (default 1000)
    --keys K      leaf keys in the pool, shared by the certificates (default 4)

Needs python3 (standard library) and the `openssl` command (key generation
only: certificates are built and signed here, ECDSA P-256 with SHA-256).

What OUTDIR holds:
    domains.txt     the SIP domains, one a line: d000000.p00.example, ...
    expected.tsv    tab-separated: domain, expected verdict (pass/warn/fail), kind,
                    the IDs of its error findings, exactly ("-" = none)
    zones/*.zone    RFC 1035 master files: one parent zone per M domains
                    (p00.example, p01.example, ...) and online.lync.com
    zones.txt       "ORIGIN PATH" a line (PATH relative to OUTDIR): what knotd serves
    root.pem        the lab root CA (pass it to sipfed --trust, with --no-system-trust)
    pki/            root and intermediate keys and certificates
    keys/           the leaf key pool (leaf-K.key)
    certs/FQDN.pem  chain (leaf, intermediate) each SRV target presents, for
                    sipfed --certs (a target where nothing listens has no file)
    tls/            default certificates of the Edge addresses (no SNI)
    endpoints.json  the TLS endpoints for bench/tlsd: keys, certs (chain + key
                    index), endpoints (address, port, default cert, SNI -> cert),
                    refused (where nothing listens)
    lab.json        parameters, the lab's now, counts per kind, an endpoint for s_time

The mix (exact counts, shuffled with the seed):
    own     70%  SRV -> edge.<d> or sip.<d>, its own certificate; verdict warn
    shared  10%  groups of 2-6 domains whose sip.<d> resolve to one address and
                 share one multi-SAN certificate; warn
    hosted   8%  SRV -> sipfed.online.lync.com (zone and endpoint included); warn
    wrongname 3% the certificate names sip.<d>, the target is edge.<d>; fail CERT-001
    otherdomain 3% target sip.c<n>.<parent>, another domain; fail DNS-005
    nosrv    2%  no _sipfederationtls._tcp record; fail DNS-001 (half have a
                 misspelt _sipfederationstls._tcp record: DNS-001 and DNS-002)
    expired  2%  the certificate expired 35 days ago; fail CERT-004
    refused  2%  the target resolves to the address where nothing listens; fail NET-001
Every passing domain is a warn: .example is not under a public suffix (DNS-010)
and the addresses are private (DNS-009); Edge addresses present another
certificate without SNI (TLS-003).
"""

import argparse
import datetime
import hashlib
import hmac
import json
import os
import random
import shutil
import subprocess
import sys

# --- DER -------------------------------------------------------------------


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def der_set(*items):
    return tlv(0x31, b"".join(sorted(items)))


def der_int(v):
    n = (v.bit_length() + 8) // 8 if v >= 0 else (v.bit_length() + 8) // 8
    return tlv(0x02, v.to_bytes(max(n, 1), "big", signed=True))


def oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def utf8(s):
    return tlv(0x0C, s.encode("utf-8"))


def octets(b):
    return tlv(0x04, b)


def bits(b, unused=0):
    return tlv(0x03, bytes([unused]) + b)


def ctx(n, content, constructed=True):
    return tlv((0xA0 if constructed else 0x80) | n, content)


def der_time(t):
    if 1950 <= t.year < 2050:
        return tlv(0x17, t.strftime("%y%m%d%H%M%SZ").encode())
    return tlv(0x18, t.strftime("%Y%m%d%H%M%SZ").encode())


def der_read(buf, off=0):
    """(tag, content start, end) of the TLV at off."""
    tag = buf[off]
    n = buf[off + 1]
    p = off + 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[p:p + k], "big")
        p += k
    return tag, p, p + n


def der_children(buf, start, end):
    out = []
    while start < end:
        t, s, e = der_read(buf, start)
        out.append((t, s, e, buf[start:e]))
        start = e
    return out


OID_EC_PUBKEY = "1.2.840.10045.2.1"
OID_P256 = "1.2.840.10045.3.1.7"
OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"


def name(*rdns):
    """Name from (oid, value) pairs, one RDN each."""
    return seq(*(der_set(seq(oid(o), utf8(v))) for o, v in rdns))


def cn_name(cn):
    return name(("2.5.4.10", "sipfed bench lab"), ("2.5.4.3", cn))


# --- ECDSA P-256 (signing only; fixed-base table for G) ----------------------

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5


def _jdouble(pt):
    x, y, z = pt
    if z == 0 or y == 0:
        return (1, 1, 0)
    delta = z * z % P
    gamma = y * y % P
    beta = x * gamma % P
    alpha = 3 * (x - delta) * (x + delta) % P
    x3 = (alpha * alpha - 8 * beta) % P
    z3 = ((y + z) * (y + z) - gamma - delta) % P
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P
    return (x3, y3, z3)


def _jadd_affine(pt, q):
    """Jacobian pt + affine q (q not infinity)."""
    x1, y1, z1 = pt
    x2, y2 = q
    if z1 == 0:
        return (x2, y2, 1)
    z1z1 = z1 * z1 % P
    u2 = x2 * z1z1 % P
    s2 = y2 * z1 * z1z1 % P
    h = (u2 - x1) % P
    r = (s2 - y1) % P
    if h == 0:
        return _jdouble(pt) if r == 0 else (1, 1, 0)
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    y3 = (r * (v - x3) - y1 * hhh) % P
    return (x3, y3, z1 * h % P)


def _affine(pt):
    x, y, z = pt
    if z == 0:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return (x * zi2 % P, y * zi2 * zi % P)


_GTABLE = []


def _gtable():
    """_GTABLE[i][j] = j * 16^i * G (affine), j = 1..15 at index j."""
    if _GTABLE:
        return _GTABLE
    base = (GX, GY)
    for _ in range(64):
        row = [None, base]
        acc = (base[0], base[1], 1)
        for _ in range(2, 16):
            acc = _jadd_affine(acc, base)
            row.append(_affine(acc))
        _GTABLE.append(row)
        nxt = _jadd_affine(acc, base)  # 16 * base
        base = _affine(nxt)
    return _GTABLE


def mul_g(k):
    t = _gtable()
    acc = (1, 1, 0)
    i = 0
    while k:
        d = k & 15
        if d:
            acc = _jadd_affine(acc, t[i][d])
        k >>= 4
        i += 1
    return _affine(acc)


class EcKey:
    def __init__(self, d):
        self.d = d
        self.pub = mul_g(d)

    def spki(self):
        x, y = self.pub
        point = b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
        return seq(seq(oid(OID_EC_PUBKEY), oid(OID_P256)), bits(point))

    def sign(self, msg):
        e = int.from_bytes(hashlib.sha256(msg).digest(), "big")
        dk = self.d.to_bytes(32, "big")
        ctr = 0
        while True:
            k = int.from_bytes(hmac.new(dk, msg + ctr.to_bytes(4, "big"),
                                        hashlib.sha512).digest(), "big") % (N - 1) + 1
            ctr += 1
            r = mul_g(k)[0] % N
            if r == 0:
                continue
            s = pow(k, -1, N) * (e + r * self.d) % N
            if s == 0:
                continue
            return seq(der_int(r), der_int(s))


def load_ec_key(path):
    """The private scalar of an EC P-256 key file (PEM, any format openssl reads)."""
    der = run_openssl(["ec", "-in", path, "-outform", "DER"])
    t, s, e = der_read(der)
    kids = der_children(der, s, e)
    # ECPrivateKey: version, privateKey OCTET STRING, [0] parameters, [1] publicKey
    _, ks, ke, _ = kids[1]
    return EcKey(int.from_bytes(der[ks:ke], "big"))


# --- certificates -------------------------------------------------------------

OID_SHA1 = None


def key_id(spki_der):
    """SHA-1 of the subjectPublicKey bits (RFC 5280 method 1)."""
    t, s, e = der_read(spki_der)
    kids = der_children(spki_der, s, e)
    _, bs, be, _ = kids[1]
    return hashlib.sha1(spki_der[bs + 1:be]).digest()


def ext(oid_s, value, critical=False):
    parts = [oid(oid_s)]
    if critical:
        parts.append(tlv(0x01, b"\xff"))
    parts.append(octets(value))
    return seq(*parts)


def make_cert(serial, subject, issuer, not_before, not_after, spki_der, extensions, signer):
    alg = seq(oid(OID_ECDSA_SHA256))
    tbs = seq(ctx(0, der_int(2)), der_int(serial), alg, issuer,
              seq(der_time(not_before), der_time(not_after)), subject, spki_der,
              ctx(3, seq(*extensions)))
    return seq(tbs, alg, bits(signer.sign(tbs)))


def pem(der):
    import base64
    b = base64.b64encode(der).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


CRL_URI = "http://pki.sipfed-bench.invalid/issuing-ca.crl"


def ca_extensions(spki_der, issuer_kid):
    kid = key_id(spki_der)
    exts = [ext("2.5.29.19", seq(tlv(0x01, b"\xff")), critical=True),  # CA:TRUE
            # keyCertSign, cRLSign
            ext("2.5.29.15", bits(b"\x06", 1), critical=True),
            ext("2.5.29.14", octets(kid))]
    if issuer_kid is not None:
        exts.append(ext("2.5.29.35", seq(ctx(0, issuer_kid, constructed=False))))
    return exts


def leaf_extensions(names, spki_der, issuer_kid, rsa):
    san = seq(*(tlv(0x82, n.encode("ascii")) for n in names))
    # digitalSignature (+ keyEncipherment for RSA)
    ku = bits(b"\xa0", 5) if rsa else bits(b"\x80", 7)
    crl = seq(seq(ctx(0, ctx(0, tlv(0x86, CRL_URI.encode())))))
    return [ext("2.5.29.19", seq()),
            ext("2.5.29.15", ku, critical=True),
            ext("2.5.29.37", seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))),
            ext("2.5.29.14", octets(key_id(spki_der))),
            ext("2.5.29.35", seq(ctx(0, issuer_kid, constructed=False))),
            ext("2.5.29.17", san),
            ext("2.5.29.31", crl)]


# --- openssl --------------------------------------------------------------------

def run_openssl(args, binary=True):
    try:
        p = subprocess.run(["openssl"] + args, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except FileNotFoundError:
        sys.exit("genlab: the openssl command is not installed")
    if p.returncode != 0:
        sys.exit("genlab: openssl %s failed: %s" % (" ".join(args),
                                                    p.stderr.decode(errors="replace")))
    return p.stdout


def gen_key(path, kind):
    if kind == "rsa2048":
        args = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    else:
        args = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    run_openssl(args + ["-out", path])
    os.chmod(path, 0o600)
    return run_openssl(["pkey", "-in", path, "-pubout", "-outform", "DER"])


# --- the lab --------------------------------------------------------------------

MIX = [("own", 0.70), ("shared", 0.10), ("hosted", 0.08), ("wrongname", 0.03),
       ("otherdomain", 0.03), ("nosrv", 0.02), ("expired", 0.02), ("refused", 0.02)]
EXPECT = {"own": ("warn", ""), "shared": ("warn", ""), "hosted": ("warn", ""),
          "wrongname": ("fail", "CERT-001"), "otherdomain": ("fail", "DNS-005"),
          "nosrv": ("fail", "DNS-001"), "expired": ("fail", "CERT-004"),
          "refused": ("fail", "NET-001")}
HOSTED = "sipfed.online.lync.com"


def parse_time(s):
    try:
        t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        sys.exit("genlab: --now '%s' is not an RFC 3339 time" % s)
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(datetime.timezone.utc).replace(microsecond=0)


def ipv4(s):
    parts = s.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        sys.exit("genlab: '%s' is not an IPv4 address" % s)
    return [int(p) for p in parts]


def kinds_for(n, rng):
    counts = [(k, int(n * f)) for k, f in MIX]
    rest = n - sum(c for _, c in counts)
    counts[0] = ("own", counts[0][1] + rest)
    kinds = [k for k, c in counts for _ in range(c)]
    rng.shuffle(kinds)
    return kinds


def write(path, text):
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description="generate a lab of N SIP federation domains")
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--key", choices=("rsa2048", "ec256"), default="rsa2048")
    ap.add_argument("--now")
    ap.add_argument("--addresses", type=int, default=50)
    ap.add_argument("--addr-base", default="127.0.0.10")
    ap.add_argument("--port", type=int, default=5061)
    ap.add_argument("--per-zone", type=int, default=1000)
    ap.add_argument("--keys", type=int, default=4)
    a = ap.parse_args()
    if not 1 <= a.n <= 1000000:
        sys.exit("genlab: N must be 1 .. 1000000")
    if not 1 <= a.addresses <= 250 or not 1 <= a.port <= 65535 or a.per_zone < 1 \
            or not 1 <= a.keys <= 64:
        sys.exit("genlab: --addresses 1..250, --port 1..65535, --per-zone >= 1, --keys 1..64")
    base = ipv4(a.addr_base)
    if base[3] < 1 or base[3] + a.addresses > 255:
        sys.exit("genlab: --addr-base %s leaves no room for %d addresses and the one before"
                 % (a.addr_base, a.addresses))
    pre = "%d.%d.%d." % tuple(base[:3])
    hosted_addr = pre + str(base[3])
    dead_addr = pre + str(base[3] - 1)
    edge_addrs = [pre + str(base[3] + 1 + i) for i in range(a.addresses)]
    now = parse_time(a.now) if a.now else datetime.datetime.now(
        datetime.timezone.utc).replace(microsecond=0)
    day = datetime.timedelta(days=1)
    rsa = a.key == "rsa2048"
    rng = random.Random(a.seed)
    port = a.port

    out = a.outdir
    for sub in ("zones", "certs", "pki", "keys", "tls"):
        d = os.path.join(out, sub)
        if os.path.isdir(d) and sub in ("zones", "certs", "tls"):
            shutil.rmtree(d)
        os.makedirs(d, exist_ok=True)

    # PKI: root and intermediate (ECDSA P-256), a pool of leaf keys.
    run_openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-out", os.path.join(out, "pki", "root.key")])
    run_openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-out", os.path.join(out, "pki", "inter.key")])
    root_key = load_ec_key(os.path.join(out, "pki", "root.key"))
    inter_key = load_ec_key(os.path.join(out, "pki", "inter.key"))
    root_name = cn_name("sipfed bench root CA")
    inter_name = cn_name("sipfed bench issuing CA")
    root_spki, inter_spki = root_key.spki(), inter_key.spki()
    root_der = make_cert(1, root_name, root_name, now - 2 * day, now + 3650 * day, root_spki,
                         ca_extensions(root_spki, None), root_key)
    inter_der = make_cert(2, inter_name, root_name, now - 2 * day, now + 3650 * day,
                          inter_spki, ca_extensions(inter_spki, key_id(root_spki)), root_key)
    inter_pem = pem(inter_der)
    write(os.path.join(out, "root.pem"), pem(root_der))
    write(os.path.join(out, "pki", "root.pem"), pem(root_der))
    write(os.path.join(out, "pki", "inter.pem"), inter_pem)
    inter_kid = key_id(inter_spki)
    leaf_spkis = []
    for k in range(a.keys):
        leaf_spkis.append(gen_key(os.path.join(out, "keys", "leaf-%d.key" % k), a.key))

    serial = [rng.getrandbits(56) << 24]

    certs = []  # {"chain": path, "key": index}

    def issue(names, key_index, expired=False, fname=None):
        """Signs a leaf for names; writes certs/<name>.pem for each name (or
        tls/<fname>.pem); returns the cert index for endpoints.json."""
        serial[0] += 1
        nb, na = (now - 400 * day, now - 35 * day) if expired else (now - day, now + 396 * day)
        spki = leaf_spkis[key_index]
        der = make_cert(serial[0], cn_name(names[0]), inter_name, nb, na, spki,
                        leaf_extensions(names, spki, inter_kid, rsa), inter_key)
        chain = pem(der) + inter_pem
        if fname:
            rel = os.path.join("tls", fname + ".pem")
            write(os.path.join(out, rel), chain)
        else:
            rel = None
            for nm in names:
                r = os.path.join("certs", nm + ".pem")
                write(os.path.join(out, r), chain)
                rel = rel or r
        certs.append({"chain": rel, "key": key_index})
        return len(certs) - 1

    # Endpoints: the hosting provider, then the Edge addresses.
    hosted_cert = issue([HOSTED], 0)
    endpoints = [{"address": hosted_addr, "port": port, "default": hosted_cert,
                  "sni": {HOSTED: hosted_cert}}]
    for i, addr in enumerate(edge_addrs):
        c = issue(["edgepool%d.bench.example" % i], i % a.keys, fname="default-%d" % i)
        endpoints.append({"address": addr, "port": port, "default": c, "sni": {}})

    kinds = kinds_for(a.n, rng)
    nzones = (a.n + a.per_zone - 1) // a.per_zone
    zw = max(2, len(str(nzones - 1)))
    lw = max(6, len(str(a.n - 1)))
    zone_recs = [[] for _ in range(nzones)]
    domains, expected = [], []

    # Shared Edges: groups of 2..6 domains of kind "shared".
    shared_idx = [i for i, k in enumerate(kinds) if k == "shared"]
    groups = []
    j = 0
    while j < len(shared_idx):
        g = rng.randint(2, 6)
        groups.append(shared_idx[j:j + g])
        j += g
    group_of = {i: gi for gi, g in enumerate(groups) for i in g}
    group_addr = [rng.randrange(a.addresses) for _ in groups]
    counts = {}

    def label(i):
        return "d%0*d" % (lw, i)

    def parent(i):
        return "p%0*d.example" % (zw, i // a.per_zone)

    for i, kind in enumerate(kinds):
        counts[kind] = counts.get(kind, 0) + 1
        lab, par = label(i), parent(i)
        d = "%s.%s" % (lab, par)
        recs = zone_recs[i // a.per_zone]
        domains.append(d)
        verdict, errs = EXPECT[kind]
        srv_owner = "_sipfederationtls._tcp." + lab
        ai = rng.randrange(a.addresses)
        ep = endpoints[1 + ai]
        if kind == "own":
            host = rng.choice(("edge", "sip"))
            target = "%s.%s" % (host, d)
            recs.append("%s SRV 0 0 %d %s.%s" % (srv_owner, port, host, lab))
            recs.append("%s.%s A %s" % (host, lab, ep["address"]))
            ep["sni"][target] = issue([target], ai % a.keys)
        elif kind == "shared":
            gi = group_of[i]
            gep = endpoints[1 + group_addr[gi]]
            recs.append("%s SRV 0 0 %d sip.%s" % (srv_owner, port, lab))
            recs.append("sip.%s A %s" % (lab, gep["address"]))
            if i == groups[gi][0]:
                names = ["sip.%s.%s" % (label(m), parent(m)) for m in groups[gi]]
                c = issue(names, group_addr[gi] % a.keys)
                for nm in names:
                    gep["sni"][nm] = c
        elif kind == "hosted":
            recs.append("%s SRV 0 0 %d %s." % (srv_owner, port, HOSTED))
        elif kind == "wrongname":
            target = "edge." + d
            recs.append("%s SRV 0 0 %d edge.%s" % (srv_owner, port, lab))
            recs.append("edge.%s A %s" % (lab, ep["address"]))
            c = issue(["sip." + d], ai % a.keys)
            # The SRV target presents the certificate made for sip.<d>.
            shutil.copyfile(os.path.join(out, "certs", "sip.%s.pem" % d),
                            os.path.join(out, "certs", target + ".pem"))
            os.unlink(os.path.join(out, "certs", "sip.%s.pem" % d))
            certs[c]["chain"] = os.path.join("certs", target + ".pem")
            ep["sni"][target] = c
        elif kind == "otherdomain":
            other = "c%0*d" % (lw, i)
            target = "sip.%s.%s" % (other, par)
            recs.append("%s SRV 0 0 %d sip.%s" % (srv_owner, port, other))
            recs.append("sip.%s A %s" % (other, ep["address"]))
            ep["sni"][target] = issue([target], ai % a.keys)
        elif kind == "nosrv":
            if rng.random() < 0.5:
                errs = "DNS-001,DNS-002"  # the misspelt name is found
                recs.append("_sipfederationstls._tcp.%s SRV 0 0 %d edge.%s" % (lab, port, lab))
                recs.append("edge.%s A %s" % (lab, ep["address"]))
        elif kind == "expired":
            target = "edge." + d
            recs.append("%s SRV 0 0 %d edge.%s" % (srv_owner, port, lab))
            recs.append("edge.%s A %s" % (lab, ep["address"]))
            ep["sni"][target] = issue([target], ai % a.keys, expired=True)
        elif kind == "refused":
            recs.append("%s SRV 0 0 %d edge.%s" % (srv_owner, port, lab))
            recs.append("edge.%s A %s" % (lab, dead_addr))
        expected.append((d, verdict, kind, errs or "-"))

    # Zone files.
    zones = []
    serial_no = int(now.strftime("%Y%m%d")) * 100 + 1

    def zone_text(origin, recs):
        head = ["$ORIGIN %s." % origin, "$TTL 3600",
                "@ SOA ns.%s. hostmaster.%s. %d 7200 3600 1209600 3600"
                % (origin, origin, serial_no, ),
                "@ NS ns", "ns A 127.0.0.1"]
        return "\n".join(head + recs) + "\n"

    for zi, recs in enumerate(zone_recs):
        origin = "p%0*d.example" % (zw, zi)
        rel = os.path.join("zones", origin + ".zone")
        write(os.path.join(out, rel), zone_text(origin, recs))
        zones.append((origin, rel))
    origin = "online.lync.com"
    rel = os.path.join("zones", origin + ".zone")
    write(os.path.join(out, rel), zone_text(origin, ["sipfed A %s" % hosted_addr]))
    zones.append((origin, rel))

    write(os.path.join(out, "zones.txt"), "".join("%s %s\n" % z for z in zones))
    write(os.path.join(out, "domains.txt"), "".join(d + "\n" for d in domains))
    write(os.path.join(out, "expected.tsv"),
          "# domain\tverdict\tkind\terror checks (- = none)\n"
          + "".join("\t".join(e) + "\n" for e in expected))
    doc = {"version": 1,
           "keys": [os.path.join("keys", "leaf-%d.key" % k) for k in range(a.keys)],
           "certs": certs, "endpoints": endpoints,
           "refused": [{"address": dead_addr, "port": port}]}
    with open(os.path.join(out, "endpoints.json"), "w", encoding="ascii") as f:
        json.dump(doc, f, indent=0)
        f.write("\n")
    now_s = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    lab = {"version": 1, "n": a.n, "seed": a.seed, "key": a.key, "now": now_s,
           "port": port, "addresses": {"hosted": hosted_addr, "refused": dead_addr,
                                       "edges": [edge_addrs[0], edge_addrs[-1]]},
           "counts": counts, "zones": [z[1] for z in zones],
           "s_time": {"address": edge_addrs[0], "port": port}}
    with open(os.path.join(out, "lab.json"), "w", encoding="ascii") as f:
        json.dump(lab, f, indent=1)
        f.write("\n")
    print("genlab: %d domains (%s), %d zones, %d certificates, %d endpoints, now %s"
          % (a.n, ", ".join("%s %d" % (k, counts.get(k, 0)) for k, _ in MIX),
             len(zones), len(certs), len(endpoints), now_s))


if __name__ == "__main__":
    main()
