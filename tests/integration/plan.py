#!/usr/bin/env python3
"""plan.py CASE: `sipfed plan` and `sipfed plan --check` as a user runs them.

Cases:
  examples          plan (text and --json) on every file of examples/plan/
  seed-lab-san      the seed-lab plan's Edge SAN lists are those of stage cisco-fixed
  bad-plan          bad plan files: exit 2, one stderr line naming the field
  usage             help, missing file, options that need --check, jsonl
  stage-<stage>     plan --check offline (the lab's zones and fresh certificates)
                    against examples/plan/seed-lab.json: the gaps each stage has
  roundtrip-dns     zones written from `plan --json` pass `plan --check` with no gap
  roundtrip-certs   ... and certificates issued from the planned SAN lists, too;
                    one name left off the reverse proxy certificate is reported
  live-<stage>      plan --check LIVE (--resolver) against knotd serving the stage's
                    zones rewritten to 127.0.0.x and openssl s_server presenting its
                    certificates (live.py's servers): the same result as offline on
                    the same rewritten zones and certificates; the seed's gaps, plus
                    a PLAN-003 warning per planned address that the rewrite changed;
                    exactly the seed's gaps with the plan's addresses mapped too

Live and addresses: the rewrite gives every lab address a 127.0.0.x, so the
planned Edge addresses of seed-lab.json (10.48.36.x) are "other addresses"
(PLAN-003 warnings, no change of the exit status).  The live run is compared
with the offline run of the *same rewritten* zones (one code path, two
sources), and a copy of the plan with its addresses mapped the same way must
give exactly the gaps of stage-<stage>.
"""

import datetime
import difflib
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402
from offline import offline_args  # noqa: E402


def plan_dir():
    return os.path.join(sflab.srcdir(), "examples", "plan")


def plan_file(name):
    return os.path.join(plan_dir(), name)


def load_json(run):
    try:
        return json.loads(run.out)
    except ValueError as e:
        raise sflab.Fail("stdout is not one JSON document (%s)\n%s" % (e, run.describe()))


def plan_json(path):
    run = sflab.run_sipfed(["plan", "--json", path])
    check(run.rc == 0, "plan --json exit %d\n%s" % (run.rc, run.describe()))
    doc = load_json(run)
    for k in ("version", "plan", "domains", "zones", "certificates", "dialin_url",
              "hosting_providers", "options", "notes", "summary"):
        check(k in doc, 'plan JSON lacks "%s"\n%s' % (k, run.describe()))
    return doc


# --- examples ------------------------------------------------------------------------

def case_examples(tmp):
    files = sorted(f for f in os.listdir(plan_dir()) if f.endswith(".json"))
    check(len(files) >= 3, "examples/plan/ holds %r" % files)
    for f in files:
        path = plan_file(f)
        doc = plan_json(path)
        text = sflab.run_sipfed(["plan", path])
        check(text.rc == 0, "plan %s exit %d\n%s" % (f, text.rc, text.describe()))
        check("\x1b" not in text.out, "escape codes with NO_COLOR on a pipe")
        # Every record of the JSON is a line of the text's zone snippets.
        for z in doc["zones"]:
            for r in z["records"]:
                if r["placeholder"]:
                    continue
                want = "%s." % r["owner"]
                lines = [ln for ln in text.out.splitlines()
                         if ln.startswith(want + " ") and (" %s " % r["type"]) in ln
                         and ln.rstrip().endswith(r["data"])]
                check(lines, "%s: record %s %s %s not in the text output"
                      % (f, r["owner"], r["type"], r["data"]))
        total = sum(c["san_count"] for c in doc["certificates"])
        check(total == doc["summary"]["san_total"], "%s: san_total %d, certificates add up "
              "to %d" % (f, doc["summary"]["san_total"], total))
        for c in doc["certificates"]:
            check(c["san"][0] == c["subject"], "%s: the subject %s is not the first SAN"
                  % (f, c["subject"]))
            check(len(set(c["san"])) == len(c["san"]), "%s: duplicate SAN in %s" % (f, c["san"]))
            check("SAN (%d)" % c["san_count"] in text.out,
                  "%s: text lacks 'SAN (%d)'" % (f, c["san_count"]))
        # DNS-005 as planned: every federation target is one label below or a hosting FQDN.
        for d in doc["domains"]:
            t = d["federation_target"]
            if d["federation"] == "direct":
                check(t.endswith("." + d["domain"]) and t.count(".") == d["domain"].count(".") + 1,
                      "%s: %s -> %s is not one label below" % (f, d["domain"], t))
        print("%s: %d domains, %d records, %d SAN entries" % (
            f, doc["summary"]["domains"], doc["summary"]["records"], total))
    three = plan_json(plan_file("three-domains.json"))
    sans = {c["subject"]: c["san_count"] for c in three["certificates"]}
    check(sans.get("sip.contoso.com") == 4 and sans.get("webext.contoso.com") == 8,
          "three-domains: SAN counts %r" % sans)
    hoster = plan_json(plan_file("hoster.json"))
    opts = {o["name"]: o for o in hoster["options"]}
    check(opts["lyncdiscover_over_http"]["in_use"] and opts["shared_meet_host"]["in_use"],
          "hoster: the options it uses are not reported in use: %r" % opts)
    rp = [c for c in hoster["certificates"] if c["kind"] == "reverse-proxy"][0]
    check(rp["san_count"] == 3, "hoster: reverse proxy SAN %r" % rp["san"])
    ld = opts["lyncdiscover_over_http"]
    n = len(hoster["domains"])
    check(ld["san_toggled"]["reverse-proxy"] - ld["san_now"]["reverse-proxy"] == n,
          "hoster: lyncdiscover over HTTP keeps %r off the reverse proxy, want one name per "
          "domain (%d)" % (ld, n))
    # lyncdiscover.<d> would be on the reverse proxy and the Front End certificates.
    check(ld["saves"] == 2 * n, "hoster: lyncdiscover over HTTP saves %r names, want %d"
          % (ld["saves"], 2 * n))


def case_seed_lab_san(tmp):
    doc = plan_json(plan_file("seed-lab.json"))
    certs = {c["subject"]: c for c in doc["certificates"] if c["kind"] == "edge"}
    for fqdn, sans in sflab.stage_hosts("cisco-fixed"):
        box = [c for c in certs.values() if fqdn in c["san"]]
        check(len(box) == 1, "seed-lab plan: %s on %d Edge certificates" % (fqdn, len(box)))
        check(box[0]["san"] == sans, "seed-lab plan: the certificate for %s has %r; stage "
              "cisco-fixed has %r" % (fqdn, box[0]["san"], sans))
    targets = {d["domain"]: d["federation_target"] for d in doc["domains"]}
    check(targets == {"skype.lab": "sip.skype.lab", "steven.lab": "vcse.steven.lab",
                      "acano.steven.lab": "vcse.acano.steven.lab",
                      "cms.steven.lab": "vcse.cms.steven.lab"},
          "seed-lab plan: SRV targets %r" % targets)


# --- bad input ---------------------------------------------------------------------------

BAD = [
    ('{"domains":["a.com","b.com","foo..bar"],"edge":{"fqdn":"sip.a.com"}}',
     "domains[2]: not a valid domain name"),
    ('{"domains":["a.com"],"edge":{"fqdn":"sip.a.com","addresses":["10.0.0.300"]}}',
     "edge.addresses[0]: not an IPv4 or IPv6 address"),
    ('{"domains":["a.com"],"edge":{"fqdn":"sip.a.com"},"reverse_proxy":{"fqdn":"w.a.com"},'
     '"dialin":["https://d.a.com/","https://d.b.com/"]}',
     "dialin: one dial-in URL for the whole deployment"),
    ('{"domains":["a.com"],"edge":{"fqdn":"sip.a.com"},"um_servers":["*.a.com"]}',
     "um_servers[0]: a wildcard is not allowed"),
    ('{"domains":["a.com"],"edge":{"fqdn":"sip.a.com"},"optoins":{}}',
     "unknown field 'optoins'"),
    ('{"domains":["a.com"', "line 1"),
    (b'\xff\xfe{}', "line 1 column 0: not valid JSON"),
]


def case_bad_plan(tmp):
    for i, (body, want) in enumerate(BAD):
        path = os.path.join(tmp, "plan%d.json" % i)
        with open(path, "wb") as f:
            f.write(body if isinstance(body, bytes) else body.encode())
        for extra in ([], ["--json"], ["--check", "--zone", os.devnull]):
            run = sflab.run_sipfed(["plan"] + extra + [path])
            check(run.rc == 2, "bad plan %d: exit %d, want 2\n%s" % (i, run.rc, run.describe()))
            check(run.out == "", "bad plan %d: something on stdout\n%s" % (i, run.describe()))
            lines = run.err.strip().splitlines()
            check(len(lines) == 1, "bad plan %d: %d stderr lines\n%s" % (i, len(lines),
                                                                     run.describe()))
            check(lines[0].startswith("sipfed: %s: %s" % (path, want)),
                  "bad plan %d: stderr %r, want 'sipfed: %s: %s...'" % (i, lines[0], path, want))
    run = sflab.run_sipfed(["plan", os.path.join(tmp, "missing.json")])
    check(run.rc == 2 and "cannot read" in run.err and "missing.json" in run.err,
          "missing plan file\n" + run.describe())


def case_usage(tmp):
    run = sflab.run_sipfed(["help", "plan"])
    check(run.rc == 0 and "--check" in run.out, "help plan\n" + run.describe())
    run = sflab.run_sipfed(["--help"])
    check("plan" in run.out, "--help does not list plan\n" + run.describe())
    p = plan_file("seed-lab.json")
    for argv, want in ((["plan"], "no plan file"),
                       (["plan", p, p], "one plan file"),
                       (["plan", "--zone", "x.zone", p], "go with --check"),
                       (["plan", "--format", "jsonl", p], "--format json"),
                       (["plan", "--profile", "o365", p], "--profile goes with --check"),
                       (["plan", "--bogus", p], "unknown option")):
        run = sflab.run_sipfed(argv)
        check(run.rc == 2 and want in run.err, "%r: exit %d, want 2 and %r\n%s"
              % (argv, run.rc, want, run.describe()))


# --- plan --check on the seed lab ------------------------------------------------------------

# (gap id, subject) per stage, and the exit status (SPEC §3).
STAGE_GAPS = {
    "cisco-dns": ([("PLAN-001", "_sipfederationtls._tcp.acano.steven.lab"),
                   ("PLAN-003", "vcse.acano.steven.lab"),
                   ("PLAN-001", "_sipfederationtls._tcp.cms.steven.lab"),
                   ("PLAN-003", "vcse.cms.steven.lab"),
                   ("PLAN-004", "vcse.acano.steven.lab"),
                   ("PLAN-004", "vcse.cms.steven.lab")], 1),
    "cisco-cert": ([("PLAN-004", "vcse.acano.steven.lab"),
                    ("PLAN-004", "vcse.cms.steven.lab")], 1),
    "cisco-fixed": ([], 0),
}


def all_gaps(doc):
    gaps = []
    for r in doc["results"]:
        gaps += [(g["id"], g["subject"], g["severity"]) for g in r["gaps"]]
    for z in doc["zones"]:
        gaps += [(g["id"], g["subject"], g["severity"]) for g in z["gaps"]]
    for c in doc["certificates"]:
        gaps += [(g["id"], g["subject"], g["severity"]) for g in c["gaps"]]
    return gaps


def case_stage(tmp, stage):
    want_gaps, want_rc = STAGE_GAPS[stage]
    sflab.gen(tmp, [stage])
    args = offline_args(stage, tmp)
    run = sflab.run_sipfed(["plan", "--check", "--json"] + args + [plan_file("seed-lab.json")])
    doc = load_json(run)
    check(run.rc == want_rc, "%s: exit %d, want %d\n%s" % (stage, run.rc, want_rc,
                                                         run.describe()))
    for k in ("version", "plan", "results", "zones", "certificates", "summary"):
        check(k in doc, 'plan --check JSON lacks "%s"' % k)
    for r in doc["results"]:
        sflab.check_result_shape(r, run)
    got = sorted((g[0], g[1]) for g in all_gaps(doc))
    problems = sflab.diff_keys([(a, b, "-", "-") for a, b in sorted(want_gaps)],
                               [(a, b, "-", "-") for a, b in got])
    check(not problems, "%s: gaps differ from the seed's story:\n%s\n%s"
          % (stage, problems, run.describe()))
    for g in all_gaps(doc):
        check(g[2] == "error", "%s: gap %s %s is %s, want error" % (stage, g[0], g[1], g[2]))
    # The findings are exactly those of `sipfed check` on the same domains.
    chk = sflab.run_sipfed(["check", "--json"] + args + sflab.stage_domains(stage))
    want = sflab.finding_keys(sflab.parse_json_doc(chk))
    have = sflab.finding_keys({"results": doc["results"]})
    problems = sflab.diff_keys(want, have, "check", "plan --check")
    check(not problems, "%s: findings differ from check:\n%s" % (stage, problems))
    if stage == "cisco-fixed":
        ids = {f["id"] for r in doc["results"] for f in r["findings"]}
        check(ids <= {"DNS-009", "DNS-010"}, "cisco-fixed: findings %r beyond the lab "
              "warnings DNS-009/DNS-010" % ids)
        check(all(c["verified"] and not c["missing"] for c in doc["certificates"]),
              "cisco-fixed: certificates %r" % doc["certificates"])
    check(doc["summary"]["gaps"] == len(want_gaps), "summary gaps %r" % doc["summary"])
    # The text output says the same.
    text = sflab.run_sipfed(["plan", "--check"] + args + [plan_file("seed-lab.json")])
    check(text.rc == want_rc, "%s text: exit %d\n%s" % (stage, text.rc, text.describe()))
    for gid, subject in want_gaps:
        check(any(gid in ln and subject in ln for ln in text.out.splitlines()),
              "%s text: no line with %s %s\n%s" % (stage, gid, subject, text.describe()))
    print("%s: %d gaps as expected, exit %d" % (stage, len(got), run.rc))


# --- round trip: publish what the plan says, then check against it ------------------------------

def write_zones(doc, outdir, inside_hosts=()):
    """One master file per zone of the plan, external records only; plus an A
    record for each of `inside_hosts` (the pools and UM servers, which only an
    inside view resolves), so that their certificates can be looked at."""
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for z in doc["zones"]:
        recs = [r for r in z["records"] if r["view"] == "external"]
        extra = [h for h in inside_hosts if h.endswith("." + z["zone"])]
        if not recs and not extra:
            continue
        lines = ["$ORIGIN %s." % z["zone"], "$TTL 3600",
                 "@ IN SOA ns1.%s. hostmaster.%s. 1 3600 900 604800 300" % (z["zone"], z["zone"]),
                 "@ IN NS ns1.%s." % z["zone"], "ns1 IN A 198.51.100.53"]
        for r in recs:
            check(not r["placeholder"], "round trip: %s has no address in the plan" % r["owner"])
            lines.append("%s. %d IN %s %s" % (r["owner"], r["ttl"], r["type"], r["data"]))
        for i, h in enumerate(extra):
            lines.append("%s. 3600 IN A 10.0.0.%d" % (h, 100 + i))
        p = os.path.join(outdir, z["zone"] + ".zone")
        with open(p, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        paths.append(p)
    return paths


def openssl(args, cwd):
    p = subprocess.run(["openssl"] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        raise sflab.Fail("openssl %s failed: %s" % (args[0], p.stderr.decode(errors="replace")))


def issue_certs(doc, outdir, drop=None):
    """A private root and, per planned certificate, a leaf with its SAN list (minus
    `drop`), written as <name>.pem for every name it carries; the Edge and reverse
    proxy last, so that a name on several certificates gets theirs."""
    if sflab.find_tool("openssl") is None:
        raise sflab.Skip("openssl not found")
    certs_dir = os.path.join(outdir, "certs")
    os.makedirs(certs_dir, exist_ok=True)
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key",
             "-out", "root.pem", "-days", "30", "-subj", "/CN=sipfed plan test root",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"], outdir)
    order = {"um": 0, "front-end": 1, "reverse-proxy": 2, "edge": 3}
    for i, c in enumerate(sorted(doc["certificates"], key=lambda c: order[c["kind"]])):
        sans = [n for n in c["san"] if n != drop]
        ext = os.path.join(outdir, "ext%d.cnf" % i)
        with open(ext, "w", encoding="utf-8") as f:
            f.write("basicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth,clientAuth\n"
                    "subjectAltName=%s\n"
                    "crlDistributionPoints=URI:http://crl.sipfed-plan-test.invalid/root.crl\n"
                    % ",".join("DNS:" + n for n in sans))
        openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf%d.key" % i,
                 "-out", "leaf%d.csr" % i, "-subj", "/CN=%s" % c["subject"]], outdir)
        openssl(["x509", "-req", "-in", "leaf%d.csr" % i, "-CA", "root.pem", "-CAkey",
                 "root.key", "-CAcreateserial", "-days", "30", "-sha256", "-extfile", ext,
                 "-out", "leaf%d.pem" % i], outdir)
        with open(os.path.join(outdir, "leaf%d.pem" % i), encoding="ascii") as f:
            pem = f.read()
        for n in c["san"] + [c["host"]]:
            with open(os.path.join(certs_dir, n + ".pem"), "w", encoding="ascii") as f:
                f.write(pem)
    return certs_dir, os.path.join(outdir, "root.pem")


def roundtrip(tmp, name, with_certs, drop=None):
    path = plan_file(name)
    doc = plan_json(path)
    inside = [c["host"] for c in doc["certificates"]
              if c["kind"] in ("front-end", "um")] if with_certs else []
    zones = write_zones(doc, os.path.join(tmp, name + ".zones"), inside)
    args = sflab.zone_args(zones)
    if with_certs:
        certs, root = issue_certs(doc, os.path.join(tmp, name + ".pki"), drop)
        args += ["--certs", certs, "--trust", root, "--no-system-trust"]
    run = sflab.run_sipfed(["plan", "--check", "--json"] + args + [path])
    out = load_json(run)
    return doc, out, run


def case_roundtrip_dns(tmp):
    for name in ("three-domains.json", "hoster.json"):
        doc, out, run = roundtrip(tmp, name, False)
        gaps = all_gaps(out)
        check(all(g[0] == "PLAN-006" for g in gaps),
              "%s: gaps on zones written from the plan: %r\n%s" % (name, gaps, run.describe()))
        check(len(gaps) == len(doc["certificates"]), "%s: every certificate 'not compared' "
              "without --certs: %r" % (name, gaps))
        errors = [(r["domain"], f["id"]) for r in out["results"] for f in r["findings"]
                  if f["severity"] == "error"]
        check(not errors, "%s: error findings on the planned DNS: %r" % (name, errors))
        check(run.rc == 0, "%s: exit %d\n%s" % (name, run.rc, run.describe()))
        compared = sum(r["compared"] for r in out["results"]) + sum(z["compared"]
                                                                   for z in out["zones"])
        external = sum(1 for z in doc["zones"] for r in z["records"] if r["view"] == "external")
        check(compared == external, "%s: %d records compared, the plan has %d external"
              % (name, compared, external))
        print("%s: %d records compared, no gap" % (name, compared))


def case_roundtrip_certs(tmp):
    name = "three-domains.json"
    doc, out, run = roundtrip(tmp, name, True)
    check(all_gaps(out) == [], "%s: gaps with certificates issued as planned: %r\n%s"
          % (name, all_gaps(out), run.describe()))
    check(all(c["verified"] for c in out["certificates"]),
          "%s: certificates not compared: %r" % (name, [(c["host"], c["reason"])
                                                        for c in out["certificates"]]))
    errors = [(f["id"], f["subject"]) for r in out["results"] for f in r["findings"]
              if f["severity"] == "error"]
    errors += [(f["id"], f["subject"]) for c in out["certificates"] for f in c["findings"]
               if f["severity"] == "error"]
    check(not errors, "%s: error findings: %r" % (name, errors))
    check(run.rc == 0, "%s: exit %d\n%s" % (name, run.rc, run.describe()))
    # One name left off the reverse proxy certificate: that gap, and exit 1.
    doc, out, run = roundtrip(os.path.join(tmp, "drop"), name, True, drop="meet.fabrikam.com")
    gaps = [(g[0], g[1]) for g in all_gaps(out)]
    check(("PLAN-004", "meet.fabrikam.com") in gaps,
          "no PLAN-004 for the name left off: %r\n%s" % (gaps, run.describe()))
    rp = [c for c in out["certificates"] if c["kind"] == "reverse-proxy"][0]
    check(rp["missing"] == ["meet.fabrikam.com"], "reverse proxy missing %r" % rp["missing"])
    check(run.rc == 1, "exit %d with a planned name missing\n%s" % (run.rc, run.describe()))


# --- plan --check live: knotd and s_server on loopback (live.py's servers) ----------------------

# Preferred first 127.0.0.x of each stage's block: apart from live.py's stage
# blocks (10, 30, ... 130) and fed.py's (190), so that the suites run in parallel.
LIVE_BLOCK = {"cisco-dns": 150, "cisco-cert": 170, "cisco-fixed": 210}


def gap_keys(doc, drop=lambda g: False):
    """Sorted (id, subject, severity, planned, found) of every gap of a --check document."""
    out = []
    for part in ("results", "zones", "certificates"):
        for x in doc[part]:
            out += [(g["id"], g["subject"], g["severity"], g["planned"], g["found"])
                    for g in x["gaps"] if not drop(g)]
    return sorted(out, key=repr)


def cert_view(c):
    return {k: c[k] for k in ("kind", "subject", "host", "port", "verified", "reason",
                              "planned_san", "presented_cn", "presented_san", "missing")}


def compare_check_docs(ldoc, lrun, odoc, orun, label):
    """plan --check live and offline on the same zones and certificates agree."""
    problems = []
    d = sflab.diff_keys([g[:3] + ("-",) for g in gap_keys(odoc)],
                        [g[:3] + ("-",) for g in gap_keys(ldoc)], "offline", "live")
    if d:
        problems.append("gaps differ:\n" + d)
    elif gap_keys(odoc) != gap_keys(ldoc):
        problems.append("planned/found of the gaps differ: live %r, offline %r"
                        % (gap_keys(ldoc), gap_keys(odoc)))
    d = sflab.diff_keys(sflab.finding_keys(odoc), sflab.finding_keys(ldoc), "offline", "live")
    if d:
        problems.append("findings differ:\n" + d)
    lby = sflab.results_by_domain(ldoc, lrun)
    oby = sflab.results_by_domain(odoc, orun)
    if sorted(lby) != sorted(oby):
        problems.append("domains: live %s, offline %s" % (sorted(lby), sorted(oby)))
    for dom in sorted(set(lby) & set(oby)):
        for k in ("verdict", "compared"):
            if lby[dom].get(k) != oby[dom].get(k):
                problems.append("%s: %s live %r, offline %r" % (dom, k, lby[dom].get(k),
                                                                 oby[dom].get(k)))
        if sflab.srv_summary(lby[dom]) != sflab.srv_summary(oby[dom]):
            problems.append("%s: srv live %s, offline %s" % (
                dom, sflab.srv_summary(lby[dom]), sflab.srv_summary(oby[dom])))
    lz = sorted((z["zone"], z["compared"]) for z in ldoc["zones"])
    oz = sorted((z["zone"], z["compared"]) for z in odoc["zones"])
    if lz != oz:
        problems.append("zones live %r, offline %r" % (lz, oz))
    lc = [cert_view(c) for c in ldoc["certificates"]]
    oc = [cert_view(c) for c in odoc["certificates"]]
    if lc != oc:
        problems.append("certificates live %r\n  offline %r" % (lc, oc))
    lf = sorted((c["host"], f["id"], f["severity"], f["subject"])
                for c in ldoc["certificates"] for f in c["findings"])
    of = sorted((c["host"], f["id"], f["severity"], f["subject"])
                for c in odoc["certificates"] for f in c["findings"])
    if lf != of:
        problems.append("certificate findings live %r, offline %r" % (lf, of))
    if ldoc["summary"] != odoc["summary"]:
        problems.append("summary live %r, offline %r" % (ldoc["summary"], odoc["summary"]))
    if lrun.rc != orun.rc:
        problems.append("exit status live %d, offline %d" % (lrun.rc, orun.rc))
    check(not problems, "%s: plan --check live vs offline-rewritten:\n%s\n--- live:\n%s\n"
          "--- offline:\n%s" % (label, "\n".join(problems), lrun.describe(), orun.describe()))


def mapped_plan(path, mapping, out):
    """A copy of the plan file with every Edge address mapped (the zones' rewrite)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    edges = doc["edge"] if isinstance(doc["edge"], list) else [doc["edge"]]
    n = 0
    for e in edges:
        addrs = e.get("addresses", [])
        for i, a in enumerate(addrs):
            check(a in mapping, "%s: planned address %s of %s is no address of the lab "
                  "(mapping %r)" % (path, a, e["fqdn"], mapping))
            addrs[i] = mapping[a]
            n += 1
    check(n > 0, "%s: no planned address to map" % path)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    return out


def case_live(tmp, stage):
    want_gaps, want_rc = STAGE_GAPS[stage]
    if not sflab.find_tool("knotd"):
        raise sflab.Skip("knotd is not installed (Debian package knot)")
    if not sflab.find_tool("openssl"):
        raise sflab.Skip("openssl is not installed")
    import live  # noqa: E402  (the live stages' servers)
    path = plan_file("seed-lab.json")
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [stage])
    zones = sflab.stage_zones(stage)
    recs = sflab.stage_records(zones)
    n_addr = len({r[2][0] for r in recs if r[1] == "A"})
    srv_ports = {int(r[2][2]) for r in recs if r[1] == "SRV"} or {5061}
    first_x = live.pick_block(n_addr, srv_ports, LIVE_BLOCK[stage])
    rzones, mapping = sflab.rewrite_zones(zones, os.path.join(tmp, "zones"), first_x)
    eps = live.endpoints(rzones, sflab.stage_hosts(stage), lab, stage)
    mapped = mapped_plan(path, mapping, os.path.join(tmp, "seed-lab-loopback.json"))
    # One instant for both sources: certificate validity evaluated alike.
    at = ["--at", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")]

    planned = plan_json(path)
    a_of = {}
    for owner, rtype, rdata in sflab.stage_records(rzones):
        if rtype == "A":
            a_of.setdefault(owner, set()).add(rdata[0])
    served = {(a, p) for a, p, _ in eps}
    certs_served = [(c["host"], c["port"]) for c in planned["certificates"]
                    if any((a, c["port"]) in served for a in a_of.get(c["host"], ()))]
    check(len(certs_served) == len(planned["certificates"]),
          "%s: not every planned certificate has a TLS endpoint in the lab: %r of %r"
          % (stage, certs_served, [(c["host"], c["port"]) for c in planned["certificates"]]))

    with live.serve_stage(tmp, lab, stage, rzones, eps) as knot:
        print("%s: addresses %s; knotd on 127.0.0.1:%d, TLS on %s" % (
            stage, ", ".join("%s->%s" % kv for kv in sorted(mapping.items())), knot.port,
            ", ".join("%s:%d (%s)" % e for e in eps)))
        largs = (["--resolver", "127.0.0.1:%d" % knot.port, "--timeout", "3000",
                  "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust"] + at)
        lrun = sflab.run_sipfed(["plan", "--check", "--json"] + largs + [path], timeout=120)
        lmap = sflab.run_sipfed(["plan", "--check", "--json"] + largs + [mapped], timeout=120)
        ltext = sflab.run_sipfed(["plan", "--check"] + largs + [path], timeout=120)
        lchk = sflab.run_sipfed(["check", "--json"] + largs + sflab.stage_domains(stage),
                                timeout=120)
        live.check_alive(knot)

    oargs = offline_args(stage, lab, rzones) + at
    orun = sflab.run_sipfed(["plan", "--check", "--json"] + oargs + [path])
    omap = sflab.run_sipfed(["plan", "--check", "--json"] + oargs + [mapped])
    otext = sflab.run_sipfed(["plan", "--check"] + oargs + [path])

    ldoc, odoc = load_json(lrun), load_json(orun)
    lmdoc, omdoc = load_json(lmap), load_json(omap)
    for doc, run in ((ldoc, lrun), (lmdoc, lmap)):
        for k in ("version", "plan", "results", "zones", "certificates", "summary"):
            check(k in doc, 'plan --check JSON lacks "%s"\n%s' % (k, run.describe()))
        for r in doc["results"]:
            sflab.check_result_shape(r, run)

    # 1. Live and offline on the same rewritten zones and certificates agree.
    compare_check_docs(ldoc, lrun, odoc, orun, stage + " (seed-lab.json)")
    compare_check_docs(lmdoc, lmap, omdoc, omap, stage + " (addresses mapped)")
    check(ltext.rc == otext.rc == lrun.rc, "%s: text exit live %d, offline %d, JSON %d"
          % (stage, ltext.rc, otext.rc, lrun.rc))
    check(ltext.out == otext.out, "%s: the text of live and offline-rewritten differs:\n%s"
          % (stage, "\n".join(difflib.unified_diff(otext.out.splitlines(),
                                                   ltext.out.splitlines(), "offline", "live",
                                                   lineterm=""))))
    # The findings are those of `sipfed check` live on the same domains.
    by = sflab.results_by_domain(ldoc, lrun)
    check(sorted(by) == sorted(sflab.stage_domains(stage)), "%s: domains %s, the stage has %s"
          % (stage, sorted(by), sorted(sflab.stage_domains(stage))))
    problems = sflab.diff_keys(sflab.finding_keys(sflab.parse_json_doc(lchk)),
                               sflab.finding_keys(ldoc), "check", "plan --check")
    check(not problems, "%s live: findings differ from check:\n%s" % (stage, problems))

    # 2. Every certificate was fetched live and compared, none "not compared".
    for c in ldoc["certificates"]:
        check(c["verified"] and c["reason"] is None and c["presented_san"],
              "%s: live certificate of %s:%d not compared (reason %r)\n%s"
              % (stage, c["host"], c["port"], c["reason"], lrun.describe()))
        check(not any(g["id"] == "PLAN-006" for g in c["gaps"]),
              "%s: PLAN-006 for %s live" % (stage, c["host"]))
    check(ldoc["summary"]["not_verified"] == 0, "%s: summary %r" % (stage, ldoc["summary"]))
    lines = ltext.out.splitlines()
    for c in ldoc["certificates"]:
        where = "%s:%d" % (c["host"], c["port"])
        heads = [i for i, ln in enumerate(lines) if not ln.startswith(" ") and where in ln]
        check(len(heads) == 1, "%s text: %d section headers for %s\n%s"
              % (stage, len(heads), where, ltext.describe()))
        block = [lines[heads[0]]]
        for ln in lines[heads[0] + 1:]:
            if not ln.strip():
                break
            block.append(ln)
        check("not compared" not in "\n".join(block), "%s text: %s live is 'not compared':\n%s"
              % (stage, where, "\n".join(block)))
        check(any(ln.strip().startswith("presented") and c["presented_cn"] in ln
                  for ln in block[1:]), "%s text: no 'presented ... %s' line for %s:\n%s"
              % (stage, c["presented_cn"], where, "\n".join(block)))
    check("not compared" not in ltext.out, "%s text: 'not compared' live\n%s"
          % (stage, ltext.describe()))

    # 3. The plan with the addresses mapped: exactly the seed's gaps (stage-<stage>).
    got = sorted((g[0], g[1]) for g in gap_keys(lmdoc))
    problems = sflab.diff_keys([(a, b, "-", "-") for a, b in sorted(want_gaps)],
                               [(a, b, "-", "-") for a, b in got])
    check(not problems, "%s live, addresses mapped: gaps differ from the seed's story:\n%s\n%s"
          % (stage, problems, lmap.describe()))
    check(all(g[2] == "error" for g in gap_keys(lmdoc)), "%s live, addresses mapped: %r"
          % (stage, gap_keys(lmdoc)))
    check(lmap.rc == want_rc, "%s live, addresses mapped: exit %d, want %d\n%s"
          % (stage, lmap.rc, want_rc, lmap.describe()))

    # 4. seed-lab.json as is: the same, plus a PLAN-003 warning for each planned
    #    address the rewrite changed (a name that resolves, but elsewhere).
    want_other = []
    for z in planned["zones"]:
        for r in z["records"]:
            if r["view"] == "external" and r["type"] == "A" and r["owner"] in a_of:
                check(r["address"] not in a_of[r["owner"]], "%s: %s is still %s after the "
                      "rewrite" % (stage, r["owner"], r["address"]))
                want_other.append((r["owner"], r["address"], mapping[r["address"]]))
    other = [g for g in gap_keys(ldoc) if g[0] == "PLAN-003" and g[2] == "warning"]
    check(sorted(g[1] for g in other) == sorted(o for o, _, _ in want_other),
          "%s live: PLAN-003 warnings for %r, want one for each planned address the rewrite "
          "changed: %r\n%s" % (stage, [g[1] for g in other], want_other, lrun.describe()))
    for owner, was, now in want_other:
        g = [g for g in other if g[1] == owner][0]
        check(was in (g[3] or "") and now in (g[4] or ""), "%s live: PLAN-003 %s planned %r "
              "found %r, want %s and %s in them" % (stage, owner, g[3], g[4], was, now))
    rest = sorted((g[0], g[1]) for g in gap_keys(ldoc) if g not in other)
    check(rest == sorted(want_gaps) and all(g[2] == "error" for g in gap_keys(ldoc)
                                            if g not in other),
          "%s live: gaps besides the PLAN-003 warnings %r, want %r\n%s"
          % (stage, rest, sorted(want_gaps), lrun.describe()))
    check(lrun.rc == want_rc, "%s live: exit %d, want %d (PLAN-003 other-address is a "
          "warning)\n%s" % (stage, lrun.rc, want_rc, lrun.describe()))
    for gid, subject in want_gaps:
        check(any(gid in ln and subject in ln for ln in lines),
              "%s live text: no line with %s %s\n%s" % (stage, gid, subject, ltext.describe()))
    print("%s: live == offline-rewritten (%d gaps, %d with addresses mapped), %d certificates "
          "compared live, exit %d" % (stage, len(gap_keys(ldoc)), len(gap_keys(lmdoc)),
                                      len(ldoc["certificates"]), lrun.rc))


def run_case(case):
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        if case.startswith("stage-"):
            stage = case[len("stage-"):]
            check(stage in STAGE_GAPS, "no stage case %r" % case)
            case_stage(tmp, stage)
            return
        if case.startswith("live-"):
            stage = case[len("live-"):]
            check(stage in STAGE_GAPS and stage in LIVE_BLOCK, "no live case %r" % case)
            case_live(tmp, stage)
            return
        fn = globals().get("case_" + case.replace("-", "_"))
        check(fn is not None, "no case %r" % case)
        fn(tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: plan.py CASE")
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
