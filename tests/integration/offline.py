#!/usr/bin/env python3
"""offline.py STAGE: `sipfed check --json` on one stage of the seed lab, offline.

Generates the lab's PKI (fresh keys) into a temporary directory, runs

  sipfed check --zone <stage zones>... --certs <tmp>/<stage>/certs
               --trust <tmp>/ca/root.pem --no-system-trust --json [check-args] <domains>

(check-args: the stage's optional file of extra arguments, e.g. --client)

and compares with expected/<stage>.json: the multiset of (domain, id,
severity, subject) exactly (missing and unexpected findings both fail), each
domain's verdict and SRV answer, the Microsoft fields pinned there, the exit
status, and the document's shape (message on every finding, fix on every
error, reason on every "error" verdict).
"""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402


# The seed documents' own failures, pinned here independently of the expected
# files (SPEC section 1 and 4; seed 001: the Edge log and ms-diagnostics lines).
SEED_PINS = {
    "cisco-dns": [
        ("acano.steven.lab", "DNS-005", "vcse.steven.lab",
         {"ms_diagnostics": 1009, "result_code": "0xC3E93D6F"}),
        ("cms.steven.lab", "DNS-005", "vcse.sub.cms.steven.lab",
         {"ms_diagnostics": 1009, "result_code": "0xC3E93D6F"}),
    ],
    "cisco-cert": [
        ("acano.steven.lab", "CERT-001", "vcse.acano.steven.lab",
         {"ms_diagnostics": 1010, "result_code": "0xC3E93D67", "hresult": "0x80090322"}),
        ("cms.steven.lab", "CERT-001", "vcse.cms.steven.lab",
         {"ms_diagnostics": 1010, "result_code": "0xC3E93D67", "hresult": "0x80090322"}),
    ],
}


def check_seed_pins(stage, doc, run):
    by = sflab.results_by_domain(doc, run)
    for domain, fid, subject, ms in SEED_PINS.get(stage, []):
        r = by.get(domain)
        check(r is not None, "no result for %s\n%s" % (domain, run.describe()))
        hits = [f for f in r["findings"] if f["id"] == fid and f["subject"] == subject]
        check(hits, "%s: no %s for %s (the seed's failure)\n%s" % (domain, fid, subject,
                                                                   run.describe()))
        check(hits[0]["severity"] == "error", "%s: %s is %s, not an error"
              % (domain, fid, hits[0]["severity"]))
        sflab.check_microsoft(hits[0], ms, "%s %s %s" % (domain, fid, subject))


def offline_args(stage, lab, zones=None):
    return (sflab.zone_args(zones or sflab.stage_zones(stage))
            + ["--certs", os.path.join(lab, stage, "certs"),
               "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust"])


def run_stage(stage):
    if stage not in sflab.stages():
        raise sflab.Fail("no stage %r in examples/seed-lab/stages/list" % stage)
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        sflab.gen(tmp, [stage])
        run = sflab.run_sipfed(["check"] + offline_args(stage, tmp) + ["--json"]
                               + sflab.stage_check_args(stage) + sflab.stage_domains(stage))
        doc = sflab.parse_json_doc(run)
        check(run.rc == sflab.exit_for(doc), "exit status %d does not agree with the findings "
              "(want %d)\n%s" % (run.rc, sflab.exit_for(doc), run.describe()))
        for r in doc["results"]:
            check(r["verdict"] == sflab.verdict_for(r["findings"]) or r["verdict"] == "error",
                  "%s: verdict %s does not agree with its findings\n%s"
                  % (r["domain"], r["verdict"], run.describe()))
            check(r["profile"] == "sfb", "%s: profile %r, want the default sfb"
                  % (r["domain"], r["profile"]))
        check_seed_pins(stage, doc, run)
        sflab.compare_with_expected(stage, doc, run.rc, run)
        print("%s: %d findings as expected, exit %d" % (stage, len(sflab.finding_keys(doc)),
                                                         run.rc))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: offline.py STAGE")
        sys.exit(2)
    sflab.main(run_stage, sys.argv[1])
