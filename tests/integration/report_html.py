#!/usr/bin/env python3
"""report_html.py CASE: `sipfed check --format html`, the report, in real headless Chromium.

  report    the report of a seed-lab stage (offline, fresh lab keys): one page
            with no external asset (no <link>, no src=/href= to another
            document, no url(...)); loaded with
              chromium --headless --no-sandbox --disable-gpu --dump-dom file://...
            the DOM after the page's script ran has one tr.row per domain
            (data-domain, data-verdict agreeing with `check --json`), the
            verdict chart (svg#chart-verdicts: one rect.verdict-bar per verdict,
            data-count = the number of domains), the checks chart, the expiry
            timeline (one g.cert-mark per certificate drawn), the filter box,
            the verdict buttons and the sortable headers.  A screenshot
            (--screenshot --window-size=1400,1000) is kept under the build
            directory: <build>/html-report/<stage>.png (path printed).
  interact  the same page with a test script appended that uses the controls
            (sort by domain twice, filter by verdict, type into the filter box)
            and writes what it saw into data attributes; the DOM dump is read.
  stream    a list of 40 domains through `-f -` with --concurrency 4: the rows
            come in input order, each domain once, and the page is complete.

Exit 0 pass, 1 fail, 77 skip (no chromium).
"""

import html.parser
import json
import os
import time
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402

STAGE = "msxfaq-client"   # passing and failing domains, client checks, many certificates


def chromium():
    for name in ("chromium", "chromium-browser"):
        p = sflab.find_tool(name)
        if p:
            return p
    raise sflab.Skip("chromium not found (Debian package chromium; scripts/deps installs it)")


def build_root():
    return os.path.dirname(os.path.abspath(sflab.sipfed_bin()))


class Dom(html.parser.HTMLParser):
    """The elements of a DOM dump: [(tag, attrs dict, parent chain)], and text per id."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elems, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elems.append((tag, a, [t for t, _ in self.stack]))
        if tag not in self.VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.elems.append((tag, dict(attrs), [t for t, _ in self.stack]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def find(self, tag, cls=None, **attrs):
        out = []
        for t, a, _ in self.elems:
            if t != tag:
                continue
            if cls and cls not in (a.get("class") or "").split():
                continue
            if all(a.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                out.append(a)
        return out


def parse(text):
    d = Dom()
    d.feed(text)
    return d


def lab_args(lab, stage):
    return (sflab.zone_args(sflab.stage_zones(stage))
            + ["--certs", os.path.join(lab, stage, "certs"),
               "--trust", os.path.join(lab, "ca", "root.pem"), "--no-system-trust"]
            + sflab.stage_check_args(stage))


def make_report(tmp, stage):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [stage])
    # one instant for both runs: a certificate's days left must not differ by a second
    args = ["check"] + lab_args(lab, stage) + [
        "--at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())]
    domains = sflab.stage_domains(stage)
    run = sflab.run_sipfed(args + ["--format", "html"] + domains)
    check(run.rc in (0, 1), "check --format html failed\n" + run.describe())
    js = sflab.run_sipfed(args + ["--json"] + domains)
    doc = sflab.parse_json_doc(js)
    check(run.rc == js.rc, "exit %d with --format html, %d with --json" % (run.rc, js.rc))
    path = os.path.join(tmp, "report.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(run.out)
    return path, run.out, doc


def self_contained(text):
    check(text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"),
          "not one complete HTML document:\n" + text[:300] + "\n...\n" + text[-300:])
    check(text.count("<html") == 1, "more than one <html> in the output")
    check("<link" not in text.lower(), "the report links an external resource (<link>)")
    m = re.search(r"""\b(?:src|href)\s*=\s*["']?(?!#)[^"'\s>]+""", text, re.I)
    check(m is None, "the report refers to another document: %r" % (m.group(0) if m else ""))
    check(not re.search(r"url\(\s*['\"]?(?!#)", text), "the report's CSS loads a url(...)")
    check(not re.search(r"\b(?:fetch|XMLHttpRequest|import\s*\()", text),
          "the report's script makes a request")
    check("<style>" in text and "<script>" in text and "<svg" in text,
          "the report lacks its inline style, script or SVG")


def run_chromium(page, extra=(), timeout=90):
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
           "--no-first-run", "--disable-extensions", "--disable-background-networking",
           "--user-data-dir=" + os.path.join(os.path.dirname(page), "chromium-profile")]
    cmd += list(extra) + ["file://" + page]
    env = dict(os.environ)
    env.setdefault("HOME", os.path.dirname(page))
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise sflab.Fail("chromium did not finish within %d s: %s" % (timeout, " ".join(cmd)))
    out = p.stdout.decode("utf-8", "replace")
    check(p.returncode == 0, "chromium exit %d: %s\n%s" % (
        p.returncode, " ".join(cmd), p.stderr.decode("utf-8", "replace")[-2000:]))
    return out


def case_report(tmp):
    page, text, doc = make_report(tmp, STAGE)
    self_contained(text)
    dom_text = run_chromium(page, ["--dump-dom"])
    dom = parse(dom_text)

    body = dom.find("body")
    check(body and body[0].get("data-ready") == "1" and "js" in body[0].get("class", ""),
          "the page's script did not run (body lacks data-ready=1 / class js)")

    rows = dom.find("tr", "row")
    want = {r["domain"]: r["verdict"] for r in doc["results"]}
    got = {}
    for a in rows:
        check(a.get("data-domain") not in got, "domain %s has two rows" % a.get("data-domain"))
        got[a.get("data-domain")] = a.get("data-verdict")
    check(got == want, "table rows: want %s, got %s" % (sorted(want.items()),
                                                        sorted(got.items())))
    groups = dom.find("tbody", "dom")
    check(len(groups) == len(want), "%d tbody.dom groups for %d domains" % (len(groups),
                                                                           len(want)))
    for g in groups:
        r = next(x for x in doc["results"] if x["domain"] == g.get("data-domain"))
        n_err = sum(1 for f in r["findings"] if f["severity"] == "error")
        n_warn = sum(1 for f in r["findings"] if f["severity"] == "warning")
        check(g.get("data-errors") == str(n_err) and g.get("data-warnings") == str(n_warn),
              "%s: data-errors/-warnings %s/%s, the JSON has %d/%d" % (
                  r["domain"], g.get("data-errors"), g.get("data-warnings"), n_err, n_warn))
        days = [c["days_left"] for c in r.get("certificates", []) if c.get("days_left")
                is not None]
        check(g.get("data-days") == (str(min(days)) if days else ""),
              "%s: data-days %r, the JSON's soonest expiry %r" % (r["domain"], g.get("data-days"),
                                                                   min(days) if days else None))
    # every finding is in the details, with its Microsoft codes and fix
    n_findings = sum(len(r["findings"]) for r in doc["results"])
    check(len(dom.find("div", "finding")) >= n_findings,
          "%d finding blocks for %d findings" % (len(dom.find("div", "finding")), n_findings))
    for r in doc["results"]:
        for f in r["findings"]:
            ms = f.get("microsoft") or {}
            if ms.get("ms_diagnostics"):
                check("ms-diagnostics %d" % ms["ms_diagnostics"] in dom_text,
                      "ms-diagnostics %d of %s %s not in the page" % (ms["ms_diagnostics"],
                                                                     r["domain"], f["id"]))
    check(len(dom.find("dd", "fix")) == sum(1 for r in doc["results"] for f in r["findings"]
                                            if f.get("fix")), "not one fix per finding with a fix")

    # the verdict chart: one bar per verdict, the counts of the JSON
    bars = dom.find("rect", "verdict-bar")
    check(sorted(b.get("data-verdict") for b in bars) == ["error", "fail", "pass", "warn"],
          "svg#chart-verdicts: want one bar per verdict, got %r"
          % [b.get("data-verdict") for b in bars])
    for b in bars:
        n = sum(1 for v in want.values() if v == b.get("data-verdict"))
        check(b.get("data-count") == str(n), "verdict bar %s: data-count %s, want %d"
              % (b.get("data-verdict"), b.get("data-count"), n))
    check(dom.find("svg", id="chart-verdicts") and dom.find("svg", id="chart-checks")
          and dom.find("svg", id="chart-expiry"), "a chart (svg) is missing")
    failing = {f["id"] for r in doc["results"] for f in r["findings"]
               if f["severity"] in ("error", "warning")}
    bars = {g.get("data-id") for g in dom.find("g", "check-bar")}
    check(bars and bars <= failing, "checks chart %r, failing checks %r" % (bars, failing))
    check(len(bars) == min(len(failing), 8), "checks chart shows %d of %d failing checks"
          % (len(bars), len(failing)))
    n_hosts = len({c["host"] for r in doc["results"] for c in r.get("certificates", [])})
    marks = dom.find("g", "cert-mark")
    check(len(marks) == min(n_hosts, 12), "expiry timeline: %d marks, %d hosts" % (len(marks),
                                                                                  n_hosts))
    # controls
    check(dom.find("input", id="filter"), "no filter box (input#filter)")
    vb = {a.get("data-filter-verdict") for t, a, _ in dom.elems if "data-filter-verdict" in a}
    check(vb >= {"all", "pass", "warn", "fail", "error"}, "verdict filter buttons: %r" % vb)
    sorts = {a.get("data-sort") for a in dom.find("th") if a.get("data-sort")}
    check(sorts >= {"domain", "verdict", "errors", "days"}, "sortable headers: %r" % sorts)

    # the screenshot, kept under the build directory
    outdir = os.path.join(build_root(), "html-report")
    os.makedirs(outdir, exist_ok=True)
    png = os.path.join(outdir, STAGE + ".png")
    keep = os.path.join(outdir, STAGE + ".html")
    with open(keep, "w", encoding="utf-8") as f:
        f.write(text)
    if os.path.exists(png):
        os.unlink(png)
    run_chromium(page, ["--screenshot=" + png, "--window-size=1400,1000",
                        "--hide-scrollbars"])
    with open(png, "rb") as f:
        head = f.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % png)
    w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    check((w, h) == (1400, 1000), "screenshot is %dx%d, want 1400x1000" % (w, h))
    print("screenshot: %s (report: %s)" % (png, keep))


PROBE = r"""
<script>
(function(){
  var d=document, b=d.body, tbl=d.getElementById('domain-table');
  function order(){return Array.prototype.map.call(tbl.tBodies,function(g){return g.dataset.domain;}).join(',');}
  function shown(){return Array.prototype.filter.call(tbl.tBodies,function(g){
    return getComputedStyle(g).display!=='none';}).map(function(g){return g.dataset.domain;}).join(',');}
  var th=tbl.querySelector('th[data-sort=domain]');
  th.click(); b.dataset.sortAsc=order(); b.dataset.sortAscAria=th.getAttribute('aria-sort');
  th.click(); b.dataset.sortDesc=order();
  tbl.querySelector('th[data-sort=verdict]').click(); b.dataset.sortVerdict=order();
  d.querySelector('[data-filter-verdict=fail]').click(); b.dataset.onlyFail=shown();
  b.dataset.countText=d.getElementById('shown').textContent;
  d.querySelector('[data-filter-verdict=all]').click();
  var q=d.getElementById('filter'); q.value='CLI-003'; q.dispatchEvent(new Event('input'));
  b.dataset.textFilter=shown();
  q.value=''; q.dispatchEvent(new Event('input')); b.dataset.cleared=shown();
  var first=tbl.tBodies[0], det=first.querySelector('tr.detail');
  b.dataset.detailBefore=getComputedStyle(det).display;
  first.querySelector('tr.row').click(); b.dataset.detailAfter=getComputedStyle(det).display;
  b.dataset.probed='1';
})();
</script>
"""


def case_interact(tmp):
    page, text, doc = make_report(tmp, STAGE)
    check("</body>" in text, "no </body> in the report")
    probe = os.path.join(tmp, "probe.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", PROBE + "</body>"))
    dom = parse(run_chromium(probe, ["--dump-dom"]))
    b = dom.find("body")[0]
    check(b.get("data-probed") == "1", "the probe script did not finish (a script error?)")
    rank = {"fail": 0, "error": 1, "warn": 2, "pass": 3}
    domains = [r["domain"] for r in doc["results"]]
    verdict = {r["domain"]: r["verdict"] for r in doc["results"]}
    check(b.get("data-sort-asc") == ",".join(sorted(domains)),
          "sort by domain: %r, want %r" % (b.get("data-sort-asc"), sorted(domains)))
    check(b.get("data-sort-asc-aria") == "ascending", "aria-sort not set on the sorted column")
    check(b.get("data-sort-desc") == ",".join(sorted(domains, reverse=True)),
          "second click: %r, want descending" % b.get("data-sort-desc"))
    got = b.get("data-sort-verdict").split(",")
    check([rank[verdict[x]] for x in got] == sorted(rank[verdict[x]] for x in got),
          "sort by verdict: %r is not worst first" % got)
    fails = sorted(d for d in domains if verdict[d] == "fail")
    check(sorted(filter(None, b.get("data-only-fail").split(","))) == fails,
          "verdict filter 'fail' shows %r, want %r" % (b.get("data-only-fail"), fails))
    check(b.get("data-count-text") == "%d of %d domains" % (len(fails), len(domains)),
          "count text %r" % b.get("data-count-text"))
    with3 = sorted(r["domain"] for r in doc["results"]
                   if any(f["id"] == "CLI-003" for f in r["findings"]))
    check(with3, "the stage has no CLI-003 finding to filter on")
    check(sorted(filter(None, b.get("data-text-filter").split(","))) == with3,
          "text filter CLI-003 shows %r, want %r" % (b.get("data-text-filter"), with3))
    check(len(b.get("data-cleared").split(",")) == len(domains), "clearing the filter: %r"
          % b.get("data-cleared"))
    check(b.get("data-detail-before") == "none" and b.get("data-detail-after") == "table-row",
          "clicking a row: details %s -> %s, want none -> table-row"
          % (b.get("data-detail-before"), b.get("data-detail-after")))
    print("sort, verdict filter, text filter and row details work")


def case_stream(tmp):
    lab = os.path.join(tmp, "lab")
    sflab.gen(lab, [STAGE])
    base = sflab.stage_domains(STAGE)
    # the stage's domains, then names no zone of the stage covers (verdict error)
    names = base + ["nx%02d.%s" % (i, base[0]) for i in range(40 - len(base))]
    run = sflab.run_sipfed(["check"] + lab_args(lab, STAGE)
                           + ["--format", "html", "--concurrency", "4", "-f", "-"],
                           stdin_data="\n".join(names) + "\n", timeout=120)
    check(run.rc in (0, 1), "check --format html -f - failed\n" + run.describe())
    self_contained(run.out)
    rows = re.findall(r'<tr class="row" data-domain="([^"]*)"', run.out)
    check(rows == names, "rows %r, want the input order %r" % (rows[:8], names[:8]))
    page = os.path.join(tmp, "stream.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(run.out)
    dom = parse(run_chromium(page, ["--dump-dom"]))
    check(len(dom.find("tr", "row")) == 40, "40 rows after the script ran")
    total = dom.find("div", id="kpi-total")
    check(total and total[0].get("data-count") == "40", "summary: %r domains" % total)
    print("40 domains streamed in input order")


CASES = {"report": case_report, "interact": case_interact, "stream": case_stream}


def run_case(case):
    if case not in CASES:
        raise sflab.Fail("unknown case %r (%s)" % (case, ", ".join(CASES)))
    sflab.sipfed_bin()
    chromium()
    with sflab.TempDir() as tmp:
        CASES[case](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: report_html.py " + "|".join(CASES))
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
