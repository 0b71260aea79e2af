#!/usr/bin/env python3
"""roles.py CASE: who checks a certificate decides what sipfed says about it.

A federation peer's certificate is checked by a Skype for Business / Lync
Access Edge; a Direct Routing SBC's by Microsoft's SIP proxy (`check
--profile dr --sbc`, `cert --role sbc`); an Exchange UM server's by the Skype
for Business servers (`cert --role um`).  The Edge's codes (ms-diagnostics
1010, Result-Code 0xC3E93D67 SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH, HRESULTs)
and its words ("the Edge", "Access Edge") belong to the first only; Direct
Routing accepts a wildcard of one label; for Exchange UM a wildcard is UM-001
and nothing else.  The Direct Routing data files (data/dr/) are checked
strictly: one cipher suite a line, known names, well-formed root entries.

Every certificate is made at test time with openssl (fresh keys, a root, an
intermediate, and a second root that nothing trusts); the zone is a file
(offline mode: --zone, --certs).  No network.

Exit status: 0 pass, 1 fail, 77 skip (openssl missing).
"""

import json
import os
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import Fail, check  # noqa: E402
from fed import OPENSSL_CNF, openssl, write  # noqa: E402  (the DR lab's PKI helpers)

# The Edge's words and codes: none may reach what is said about an SBC.
EDGE_WORDS = ("Edge", "SIPPROXY", "0xC3E93D", "1010", "0x80090322", "504 Server time-out")


ZONE = """$ORIGIN example.com.
$TTL 3600
@	IN	SOA	ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300
	IN	NS	ns1.example.com.
ns1	IN	A	93.184.216.1
"""

# SBC -> (address, SAN names, subject CN or None for the FQDN, signed by the untrusted root)
SBCS = {
    "sbc1.example.com": ("93.184.216.34", None, None, False),
    "sbc-name.example.com": ("93.184.216.35", ["other.example.com"], None, False),
    "sbc-wild.example.com": ("93.184.216.36", ["*.example.com"], "*.example.com", False),
    "sbc-wild2.example.com": ("93.184.216.38", None, "*.*.example.com", False),
    "sbc-untrusted.example.com": ("93.184.216.39", None, None, True),
}


class Pki:
    """A trusted root and intermediate, an untrusted root and intermediate, and leaves."""

    def __init__(self, d):
        self.d = d
        os.makedirs(os.path.join(d, "certs"), exist_ok=True)
        self.cnf = write(os.path.join(d, "openssl.cnf"), OPENSSL_CNF)
        self.root, self.root_key = self.ca("root", "/O=sipfed roles lab/CN=sipfed roles root")
        self.inter, self.inter_key = self.ca("inter", "/O=sipfed roles lab/CN=sipfed roles CA",
                                             self.root, self.root_key)
        self.oroot, self.oroot_key = self.ca("oroot", "/O=nobody/CN=untrusted roles root")
        self.ointer, self.ointer_key = self.ca("ointer", "/O=nobody/CN=untrusted roles CA",
                                               self.oroot, self.oroot_key)

    def key(self, name):
        path = os.path.join(self.d, name + ".key")
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
        return path

    def sign(self, key, subj, ext, out, ca, ca_key, san):
        csr = out + ".csr"
        env = dict(os.environ, SAN=san)
        openssl("req", "-new", "-config", self.cnf, "-key", key, "-subj", subj, "-out", csr,
                env=env)
        openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                "-days", "397", "-sha256", "-extfile", self.cnf, "-extensions", ext, "-out", out,
                env=env)
        os.unlink(csr)

    def ca(self, name, subj, issuer=None, issuer_key=None):
        key = self.key(name)
        out = os.path.join(self.d, name + ".pem")
        if issuer is None:
            openssl("req", "-x509", "-new", "-config", self.cnf, "-key", key, "-days", "3650",
                    "-subj", subj, "-extensions", "v3_ca", "-out", out,
                    env=dict(os.environ, SAN="DNS:unused.invalid"))
        else:
            self.sign(key, subj, "v3_ca", out, issuer, issuer_key, "DNS:unused.invalid")
        return out, key

    def leaf(self, name, sans, cn=None, untrusted=False):
        """<d>/<name>.pem: the chain (leaf, intermediate; and the untrusted root)."""
        key = self.key(name + ".leaf")
        leaf = os.path.join(self.d, name + ".leaf.pem")
        inter, inter_key = ((self.ointer, self.ointer_key) if untrusted
                            else (self.inter, self.inter_key))
        self.sign(key, "/CN=" + (cn or name), "v3_leaf", leaf, inter, inter_key,
                  ",".join("DNS:" + n for n in sans))
        parts = [leaf, inter] + ([self.oroot] if untrusted else [])
        chain = os.path.join(self.d, name + ".pem")
        write(chain, "".join(open(p, encoding="ascii").read() for p in parts))
        return chain

    def fingerprint(self):
        out = openssl("x509", "-in", self.root, "-noout", "-fingerprint", "-sha256")
        return out.strip().split("=", 1)[1]

    def data_dir(self, ciphers=None, roots=None, name="data"):
        """A data directory: the shipped cipher list (or @ciphers) and a root list with ours."""
        dd = os.path.join(self.d, name)
        os.makedirs(os.path.join(dd, "dr"), exist_ok=True)
        cpath = os.path.join(dd, "dr", "cipher-suites.txt")
        if ciphers is None:
            shutil.copy(os.path.join(sflab.srcdir(), "data", "dr", "cipher-suites.txt"), cpath)
        else:
            write(cpath, ciphers)
        if roots is None:
            roots = "# the lab root\nsha256:%s\n" % self.fingerprint()
        write(os.path.join(dd, "dr", "trusted-roots.txt"), roots)
        return dd


def sbc_lab(tmp):
    pki = Pki(os.path.join(tmp, "pki"))
    for fqdn, (_, sans, cn, untrusted) in SBCS.items():
        chain = pki.leaf(fqdn, sans or [fqdn], cn, untrusted)
        shutil.copy(chain, os.path.join(pki.d, "certs", fqdn + ".pem"))
    zone = write(os.path.join(tmp, "example.com.zone"), ZONE + "".join(
        "%s\tIN\tA\t%s\n" % (f.split(".")[0], a) for f, (a, _, _, _) in SBCS.items()))
    args = ["--zone", zone, "--certs", os.path.join(pki.d, "certs"), "--trust", pki.root,
            "--no-system-trust"]
    return pki, args


def ids(findings):
    return sorted((f["id"], f["severity"]) for f in findings)


def the(findings, fid, run):
    fs = [f for f in findings if f["id"] == fid]
    check(len(fs) == 1, "expected one %s, got %s\n%s" % (fid, ids(findings), run.describe()))
    return fs[0]


def no_edge(text, where, run):
    for w in EDGE_WORDS:
        check(w not in (text or ""), "%s speaks of the Edge (%r): %r\n%s"
              % (where, w, text, run.describe()))


def other_side(ms, who, where, run):
    """The microsoft object of a finding that Direct Routing / Exchange UM checks."""
    check(isinstance(ms, dict), "%s: no microsoft object\n%s" % (where, run.describe()))
    for k in ("ms_diagnostics", "result_code", "name", "hresult", "hresult_name"):
        check(ms.get(k, "absent") is None, "%s: microsoft.%s is %r, expected null\n%s"
              % (where, k, ms.get(k, "absent"), run.describe()))
    check(who in (ms.get("reported") or ""), "%s: reported %r lacks %r\n%s"
          % (where, ms.get("reported"), who, run.describe()))
    no_edge(ms.get("reported"), where + " reported", run)


def json_out(run):
    try:
        return json.loads(run.out)
    except ValueError as e:
        raise Fail("stdout is not JSON (%s)\n%s" % (e, run.describe()))


def dr_env(dd):
    return dict(os.environ, SIPFED_DATADIR=dd)


# --- check --profile dr --sbc --------------------------------------------------------

def case_sbc_check(tmp):
    pki, args = sbc_lab(tmp)
    env = dr_env(pki.data_dir())
    sbcs = sum((["--sbc", s] for s in SBCS), [])
    run = sflab.run_sipfed(["check", "--profile", "dr"] + args + ["--json"] + sbcs, env=env)
    doc = sflab.parse_json_doc(run)
    by = {r["domain"]: r for r in doc["results"]}
    check(sorted(by) == sorted(SBCS), "results %s\n%s" % (sorted(by), run.describe()))
    check(by["sbc1.example.com"]["findings"] == [], "good SBC\n" + run.describe())
    # A one-label wildcard (SAN and CN) is fine for Direct Routing: no CERT-002, no CERT-003.
    check(by["sbc-wild.example.com"]["findings"] == [],
          "one-label wildcard SBC: %s\n%s" % (ids(by["sbc-wild.example.com"]["findings"]),
                                              run.describe()))
    # CERT-001: what Direct Routing shows, none of the Edge's codes.
    f = the(by["sbc-name.example.com"]["findings"], "CERT-001", run)
    check(f["severity"] == "error", "CERT-001 severity\n" + run.describe())
    other_side(f["microsoft"], "Direct Routing", "sbc-name CERT-001", run)
    # CERT-005: the fix is Direct Routing's (no root to import on Microsoft's side).
    f = the(by["sbc-untrusted.example.com"]["findings"], "CERT-005", run)
    other_side(f["microsoft"], "Direct Routing", "sbc-untrusted CERT-005", run)
    check("Direct Routing" in f["fix"], "CERT-005 fix: %r\n%s" % (f["fix"], run.describe()))
    # A wildcard of two labels in the CN: CERT-003, for the SBC.
    f = the(by["sbc-wild2.example.com"]["findings"], "CERT-003", run)
    check("FQDN of the SBC" in f["fix"], "CERT-003 fix: %r\n%s" % (f["fix"], run.describe()))
    for r in doc["results"]:
        for f in r["findings"]:
            where = "%s %s" % (r["domain"], f["id"])
            no_edge(f["message"], where + " message", run)
            no_edge(f["fix"], where + " fix", run)
            no_edge((f.get("microsoft") or {}).get("reported"), where + " reported", run)
    # The text a user reads.
    txt = sflab.run_sipfed(["check", "--profile", "dr"] + args + ["--format", "text"] + sbcs,
                           env=env)
    check(txt.rc == 1 and "CERT-001" in txt.out and "Microsoft side: Direct Routing" in txt.out,
          "text output\n" + txt.describe())
    no_edge(txt.out, "text output", txt)


# --- cert --role sbc ---------------------------------------------------------------

def case_cert_sbc(tmp):
    pki = Pki(os.path.join(tmp, "pki"))
    wild = pki.leaf("wild", ["*.example.com"], "*.example.com")
    other = pki.leaf("other", ["other.example.com"])
    untrusted = pki.leaf("untrusted", ["sbc1.example.com"], untrusted=True)
    trust = ["--trust", pki.root, "--no-system-trust"]
    env = dr_env(pki.data_dir())
    for profile in ([], ["--profile", "dr"]):
        base = ["cert", "--role", "sbc"] + profile + trust
        where = "cert --role sbc %s" % " ".join(profile)
        run = sflab.run_sipfed(base + ["--name", "sbc1.example.com", "--json", wild], env=env)
        doc = json_out(run)
        check(run.rc == 0 and doc["findings"] == [] and doc["name_match"] is True,
              "%s: one-label wildcard: %s\n%s" % (where, ids(doc["findings"]), run.describe()))
        run = sflab.run_sipfed(base + ["--name", "sbc1.example.com", "--json", other], env=env)
        doc = json_out(run)
        f = the(doc["findings"], "CERT-001", run)
        other_side(f["microsoft"], "Direct Routing", where + " CERT-001", run)
        run = sflab.run_sipfed(base + ["--name", "sbc1.example.com", "--json", untrusted],
                               env=env)
        doc = json_out(run)
        f = the(doc["findings"], "CERT-005", run)
        other_side(f["microsoft"], "Direct Routing", where + " CERT-005", run)
        for f in doc["findings"]:
            no_edge(f["message"], where + " " + f["id"] + " message", run)
            no_edge(f["fix"], where + " " + f["id"] + " fix", run)
        for cert in (wild, other, untrusted):
            txt = sflab.run_sipfed(base + ["--name", "sbc1.example.com", "--format", "text",
                                           cert], env=env)
            check(txt.rc in (0, 1), "%s text\n%s" % (where, txt.describe()))
            no_edge(txt.out, where + " text of " + os.path.basename(cert), txt)


# --- cert --role um ----------------------------------------------------------------

UM = "exum01.example.com"


def case_cert_um(tmp):
    pki = Pki(os.path.join(tmp, "pki"))
    trust = ["--trust", pki.root, "--no-system-trust"]
    base = ["cert", "--role", "um", "--name", UM] + trust
    # A wildcard certificate: UM-001, and not the Edge's CERT-002 / CERT-003 on top.
    wild = pki.leaf("wild", ["*.example.com"], "*.example.com")
    run = sflab.run_sipfed(base + ["--json", wild])
    doc = json_out(run)
    check(run.rc == 1 and ids(doc["findings"]) == [("UM-001", "error")],
          "UM wildcard: %s\n%s" % (ids(doc["findings"]), run.describe()))
    txt = sflab.run_sipfed(base + ["--format", "text", wild])
    for w in ("Access Edge", "CERT-002", "CERT-003", "Edge external interface"):
        check(w not in txt.out, "UM wildcard text has %r\n%s" % (w, txt.describe()))
    # The subject is not the server FQDN: UM-001 with the Front End's code, not "Edge <code>".
    subj = pki.leaf("subject", ["mail.example.com", UM], "mail.example.com")
    run = sflab.run_sipfed(base + ["--json", subj])
    doc = json_out(run)
    f = the(doc["findings"], "UM-001", run)
    check(f["microsoft"]["result_code"] == "0xC3E93C2F", "UM-001 code\n" + run.describe())
    txt = sflab.run_sipfed(base + ["--format", "text", subj])
    check("32263" in txt.out and "Edge 0xC3E93C2F" not in txt.out,
          "UM-001 text\n" + txt.describe())
    # An untrusted chain: what the Skype for Business servers report, no Edge code or root store.
    untrusted = pki.leaf("untrusted", [UM], untrusted=True)
    run = sflab.run_sipfed(base + ["--json", untrusted])
    doc = json_out(run)
    f = the(doc["findings"], "CERT-005", run)
    other_side(f["microsoft"], "Exchange UM", "UM CERT-005", run)
    check("14428" in f["microsoft"]["reported"], "UM CERT-005 reported\n" + run.describe())
    check("Skype for Business" in f["fix"] and "Edge" not in f["fix"],
          "UM CERT-005 fix: %r\n%s" % (f["fix"], run.describe()))


# --- cert --role edge: the Edge keeps its codes and words ---------------------------

def case_cert_edge(tmp):
    pki = Pki(os.path.join(tmp, "pki"))
    trust = ["--trust", pki.root, "--no-system-trust"]
    base = ["cert", "--name", "sip.example.com"] + trust
    other = pki.leaf("other", ["other.example.com"])
    run = sflab.run_sipfed(base + ["--json", other])
    f = the(json_out(run)["findings"], "CERT-001", run)
    ms = f["microsoft"]
    check(ms["ms_diagnostics"] == 1010 and ms["result_code"] == "0xC3E93D67"
          and ms["name"] == "SIPPROXY_E_ROUTING_MSG_CERT_MISMATCH"
          and ms["hresult"] == "0x80090322", "Edge CERT-001 codes %r\n%s" % (ms, run.describe()))
    wild = pki.leaf("wild", ["*.example.com"], "*.example.com")
    run = sflab.run_sipfed(base + ["--json", wild])
    doc = json_out(run)
    check(ids(doc["findings"]) == [("CERT-002", "warning"), ("CERT-003", "warning")],
          "Edge wildcard: %s\n%s" % (ids(doc["findings"]), run.describe()))
    f = the(doc["findings"], "CERT-003", run)
    check("FQDN of the Access Edge" in f["fix"], "Edge CERT-003 fix %r" % f["fix"])
    untrusted = pki.leaf("untrusted", ["sip.example.com"], untrusted=True)
    run = sflab.run_sipfed(base + ["--json", untrusted])
    f = the(json_out(run)["findings"], "CERT-005", run)
    check("into the Edge's trusted root store" in f["fix"] and "untrusted roles root" in f["fix"],
          "Edge CERT-005 fix %r\n%s" % (f["fix"], run.describe()))
    check(f["microsoft"]["hresult"] == "0x800B0109", "Edge CERT-005 code\n" + run.describe())


# --- data/dr files ---------------------------------------------------------------------

IANA1 = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
OSSL1 = "ECDHE-RSA-AES256-GCM-SHA384"
IANA2 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
OSSL2 = "ECDHE-RSA-AES128-GCM-SHA256"

# (cipher file, the line number, a word the message must quote); every one is exit 2.
BAD_CIPHERS = [
    ("TLS_A TLS_B TLS_C\n", 1, "TLS_A"),
    ("%s\nTLS_NOT_A_SUITE\n" % IANA1, 2, "TLS_NOT_A_SUITE"),
    ("# c\n%s %s\n" % (IANA1, IANA2), 2, IANA2),
    ("%s %s\n" % (IANA1, OSSL2), 1, OSSL2),
    ("%s %s %s\n" % (IANA1, OSSL1, IANA1), 1, IANA1),
    ("%s\nTLS_FALLBACK_SCSV\n" % IANA1, 2, "TLS_FALLBACK_SCSV"),
    ("ECDHE-RSA-AES256-GCM-SHA999\n", 1, "ECDHE-RSA-AES256-GCM-SHA999"),
]
GOOD_CIPHERS = [
    "%s\n%s\n" % (IANA1, IANA2),
    "%s\n%s\n" % (OSSL1, OSSL2),
    "%s %s\n%s   %s  # both names\n" % (OSSL1, IANA1, IANA2, OSSL2),
    "%s\n" % IANA1.lower(),
    "TLS_AES_128_GCM_SHA256\n",
]


def data_run(pki, args, dd):
    return sflab.run_sipfed(["check", "--profile", "dr"] + args + ["--sbc", "sbc1.example.com",
                                                                    "--json"], env=dr_env(dd))


def case_dr_data_ciphers(tmp):
    pki, args = sbc_lab(tmp)
    for i, (text, line, word) in enumerate(BAD_CIPHERS):
        dd = pki.data_dir(ciphers=text, name="bad%d" % i)
        path = os.path.join(dd, "dr", "cipher-suites.txt")
        run = data_run(pki, args, dd)
        want = "sipfed: %s line %d: " % (path, line)
        check(run.rc == 2 and run.err.startswith(want) and word in run.err
              and run.out == "", "cipher file %r: want exit 2, %r and %r\n%s"
              % (text, want, word, run.describe()))
    for i, text in enumerate(GOOD_CIPHERS):
        dd = pki.data_dir(ciphers=text, name="good%d" % i)
        run = data_run(pki, args, dd)
        check(run.rc == 0, "cipher file %r: want exit 0\n%s" % (text, run.describe()))
    # The shipped files load.
    run = sflab.run_sipfed(["check", "--profile", "dr"] + args + ["--sbc", "sbc1.example.com"],
                           env=dr_env(os.path.join(sflab.srcdir(), "data")))
    check(run.rc in (0, 1), "shipped data\n" + run.describe())


def case_dr_data_roots(tmp):
    pki, args = sbc_lab(tmp)
    fp = pki.fingerprint()                  # AB:CD:... as openssl writes it
    bare = fp.replace(":", "")
    bad = [
        ("sha256:%s:\n" % fp, 1, fp),                          # trailing colon
        ("sha256:%s\n" % bare[:-2], 1, bare[:-2]),             # 62 digits
        ("sha256:%s00\n" % bare, 1, bare),                     # 66 digits
        ("sha256:%s\n" % fp.replace(":", "::", 1), 1, "::"),   # an empty pair
        ("sha256:%s %s\n" % (bare, "extra"), 1, "extra"),
        ("# ok\ncn:Root One o:Other\n", 2, "o:Other"),
        ("cn:\n", 1, "cn:"),
        ("sha1:%s\n" % bare[:40], 1, "sha1:"),
        ("CN=sipfed roles root\n", 1, "CN=sipfed roles root"),
    ]
    for i, (text, line, word) in enumerate(bad):
        dd = pki.data_dir(roots=text, name="bad%d" % i)
        path = os.path.join(dd, "dr", "trusted-roots.txt")
        run = data_run(pki, args, dd)
        want = "sipfed: %s line %d: " % (path, line)
        check(run.rc == 2 and run.err.startswith(want) and word in run.err,
              "root file %r: want exit 2, %r and %r\n%s" % (text, want, word, run.describe()))
    # Accepted forms, each listing the lab root: the SBC passes (exit 0).
    for i, text in enumerate(["sha256:%s\n" % fp, "SHA256:%s\n" % bare.lower(), "%s\n" % bare,
                              "CN:sipfed roles root\n", "o: sipfed roles lab  # comment\n"]):
        dd = pki.data_dir(roots=text, name="good%d" % i)
        run = data_run(pki, args, dd)
        check(run.rc == 0, "root file %r: want exit 0\n%s" % (text, run.describe()))


CASES = {
    "sbc-check": case_sbc_check,
    "cert-sbc": case_cert_sbc,
    "cert-um": case_cert_um,
    "cert-edge": case_cert_edge,
    "dr-data-ciphers": case_dr_data_ciphers,
    "dr-data-roots": case_dr_data_roots,
}


def run_case(name):
    if name not in CASES:
        raise Fail("unknown case %r (one of %s)" % (name, ", ".join(CASES)))
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: roles.py CASE (%s)" % ", ".join(CASES), file=sys.stderr)
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
