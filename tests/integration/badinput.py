#!/usr/bin/env python3
"""badinput.py CASE: bad input and operational failures.

Usage errors and unreadable or malformed input give exit status 2 and one
line on stderr, "sipfed: ...", naming the file or option.  A resolver that is
unreachable or silent gives a result with verdict "error" and a reason, exit
2, within a bound well under 10 s.  A lab host without a chain is a finding
(NET-001), not a crash.
"""

import base64
import os
import re
import socket
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402
from offline import offline_args  # noqa: E402

BAD_ZONE = """$ORIGIN bad.lab.
$TTL 3600
@	IN	SOA	ns1.bad.lab. hostmaster.bad.lab. 1 3600 900 604800 300
	IN	NS	ns1.bad.lab.
ns1	IN	A	10.48.36.999
"""
BAD_ZONE_LINE = 5

GOOD_ZONE = """$ORIGIN good.lab.
$TTL 3600
@	IN	SOA	ns1.good.lab. hostmaster.good.lab. 1 3600 900 604800 300
	IN	NS	ns1.good.lab.
ns1	IN	A	10.48.36.10
"""


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def expect_usage_error(run, *needles, line_re=None):
    """Exit 2 and exactly one stderr line "sipfed: ..." containing every needle."""
    check(run.rc == 2, "exit status %d, want 2\n%s" % (run.rc, run.describe()))
    lines = [ln for ln in run.err.splitlines() if ln.strip()]
    check(len(lines) == 1, "stderr has %d lines, want one message\n%s" % (len(lines),
                                                                        run.describe()))
    msg = lines[0]
    check(msg.startswith("sipfed: "), "stderr message does not start with 'sipfed: ': %r" % msg)
    for n in needles:
        check(n in msg, "stderr message does not name %r: %r" % (n, msg))
    if line_re:
        check(re.search(line_re, msg), "stderr message does not give the line (%s): %r"
              % (line_re, msg))
    print("stderr: %s" % msg)


def case_missing_zone(tmp):
    path = os.path.join(tmp, "no-such.zone")
    expect_usage_error(sflab.run_sipfed(["check", "--zone", path, "steven.lab"]), "no-such.zone")


def case_malformed_zone(tmp):
    path = write(os.path.join(tmp, "bad.lab.zone"), BAD_ZONE)
    run = sflab.run_sipfed(["check", "--zone", path, "bad.lab"])
    expect_usage_error(run, "bad.lab.zone",
                       line_re=r"(\bline\s*%d\b|\.zone:%d\b)" % (BAD_ZONE_LINE, BAD_ZONE_LINE))


def lab_stage(tmp, stage="cisco-fixed"):
    sflab.gen(tmp, [stage])
    return offline_args(stage, tmp)


def replace_certs(args, new):
    i = args.index("--certs")
    return args[:i + 1] + [new] + args[i + 2:]


def case_certs_missing(tmp):
    args = replace_certs(lab_stage(tmp), os.path.join(tmp, "no-such-certs"))
    expect_usage_error(sflab.run_sipfed(["check"] + args + ["steven.lab"]), "no-such-certs")


def case_certs_not_dir(tmp):
    args = replace_certs(lab_stage(tmp), write(os.path.join(tmp, "certs-file"), "x\n"))
    expect_usage_error(sflab.run_sipfed(["check"] + args + ["steven.lab"]), "certs-file")


def case_malformed_pem(tmp):
    args = lab_stage(tmp)
    write(os.path.join(tmp, "cisco-fixed", "certs", "vcse.steven.lab.pem"),
          "-----BEGIN CERTIFICATE-----\nthis is *not* base64 !!\n-----END CERTIFICATE-----\n")
    expect_usage_error(sflab.run_sipfed(["check"] + args + ["steven.lab"]), "vcse.steven.lab.pem")


def case_malformed_der(tmp):
    args = lab_stage(tmp)
    junk = base64.encodebytes(b"\x30\x82\x04\x00" + os.urandom(300)).decode()
    write(os.path.join(tmp, "cisco-fixed", "certs", "vcse.steven.lab.pem"),
          "-----BEGIN CERTIFICATE-----\n%s-----END CERTIFICATE-----\n" % junk)
    expect_usage_error(sflab.run_sipfed(["check"] + args + ["steven.lab"]), "vcse.steven.lab.pem")


def case_unknown_option(tmp):
    expect_usage_error(sflab.run_sipfed(["check", "--no-such-option", "steven.lab"]),
                       "--no-such-option")


def case_bad_format(tmp):
    zone = write(os.path.join(tmp, "good.lab.zone"), GOOD_ZONE)
    expect_usage_error(sflab.run_sipfed(["check", "--zone", zone, "--format", "yaml",
                                         "good.lab"]), "yaml")


def case_cert_not_pem(tmp):
    path = write(os.path.join(tmp, "not-a-cert.txt"), "this is not a certificate\n")
    expect_usage_error(sflab.run_sipfed(["cert", path]), "not-a-cert.txt")


def case_no_domain(tmp):
    zone = write(os.path.join(tmp, "good.lab.zone"), GOOD_ZONE)
    run = sflab.run_sipfed(["check", "--zone", zone])
    expect_usage_error(run)
    check("domain" in run.err.lower(), "the message does not say a domain is missing: %r"
          % run.err.strip())


def expect_resolver_error(run, bound):
    check(run.elapsed < bound, "took %.1f s with --timeout 500, want < %.0f s\n%s"
          % (run.elapsed, bound, run.describe()))
    check(run.rc == 2, "exit status %d, want 2\n%s" % (run.rc, run.describe()))
    doc = sflab.parse_json_doc(run)
    check(len(doc["results"]) == 1, "want one result\n" + run.describe())
    r = doc["results"][0]
    check(r["domain"] == "steven.lab", "result for %r" % r["domain"])
    check(r["verdict"] == "error", 'verdict %r, want "error"\n%s' % (r["verdict"], run.describe()))
    check(isinstance(r.get("reason"), str) and r["reason"].strip(),
          'no "reason"\n' + run.describe())
    print("%.2f s, reason: %s" % (run.elapsed, r["reason"]))


def case_resolver_unreachable(tmp):
    port = sflab.free_port()
    run = sflab.run_sipfed(["check", "--resolver", "127.0.0.1:%d" % port, "--timeout", "500",
                            "--json", "steven.lab"], timeout=30)
    expect_resolver_error(run, 10.0)


def case_resolver_timeout(tmp):
    # A resolver that accepts queries (UDP and TCP) and never answers.
    port = sflab.free_port()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        u.bind(("127.0.0.1", port))
        t.bind(("127.0.0.1", port))
        t.listen(16)
        run = sflab.run_sipfed(["check", "--resolver", "127.0.0.1:%d" % port, "--timeout", "500",
                                "--json", "steven.lab"], timeout=30)
    finally:
        u.close()
        t.close()
    expect_resolver_error(run, 10.0)


def case_no_chain(tmp):
    args = lab_stage(tmp)
    os.unlink(os.path.join(tmp, "cisco-fixed", "certs", "vcse.acano.steven.lab.pem"))
    run = sflab.run_sipfed(["check"] + args + ["--json", "acano.steven.lab"])
    check(run.rc in (0, 1), "exit status %d, want a result (0 or 1)\n%s" % (run.rc, run.describe()))
    doc = sflab.parse_json_doc(run)
    check(run.rc == sflab.exit_for(doc), "exit status %d does not agree with the findings\n%s"
          % (run.rc, run.describe()))
    r = doc["results"][0]
    net = [f for f in r["findings"] if f["id"] == "NET-001"]
    check(net and net[0]["subject"] == "vcse.acano.steven.lab",
          "no NET-001 for vcse.acano.steven.lab\n" + run.describe())
    check(not [f for f in r["findings"] if f["id"] == "CERT-001"],
          "CERT-001 without a certificate\n" + run.describe())
    print("NET-001 %s: %s" % (net[0]["severity"], net[0]["message"]))


CASES = {
    "missing-zone": case_missing_zone,
    "malformed-zone": case_malformed_zone,
    "certs-missing": case_certs_missing,
    "certs-not-dir": case_certs_not_dir,
    "malformed-pem": case_malformed_pem,
    "malformed-der": case_malformed_der,
    "unknown-option": case_unknown_option,
    "bad-format": case_bad_format,
    "cert-not-pem": case_cert_not_pem,
    "no-domain": case_no_domain,
    "resolver-unreachable": case_resolver_unreachable,
    "resolver-timeout": case_resolver_timeout,
    "no-chain": case_no_chain,
}


def run_case(name):
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[name](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: badinput.py %s" % "|".join(CASES))
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
