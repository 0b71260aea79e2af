#!/usr/bin/env python3
"""install.py CASE: libsipfed as a product, from an installed tree.

Runs `meson install --destdir TMP` on the build directory that holds
$SIPFED_BIN (without rebuilding: the test suite has just built it), then

  tree     checks what is installed: the binary, the man page, the headers,
           libsipfed.so.0 (its soname), libsipfed.a, sipfed.pc and the data
           files; the shared library exports the functions of the public
           headers (sf_*), all of them and nothing else;
  example  builds examples/run-api with its Makefile, `pkg-config --cflags
           --libs sipfed` finding the installed sipfed.pc (PKG_CONFIG_PATH
           into TMP, PKG_CONFIG_SYSROOT_DIR=TMP), and runs it with
           LD_LIBRARY_PATH into TMP on the seed-lab stages offline: one line
           "DOMAIN VERDICT N" per domain, compared with expected/<stage>.json
           (the verdict its findings give, their number) and its exit status.

Exit 0 pass, 1 fail, 77 skip (no meson, no C compiler, no pkg-config).
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402

HEADERS = ("sipfed.h", "run.h", "logs.h", "plan.h", "probe.h", "edge.h")
DATA_FILES = ("dr/cipher-suites.txt", "dr/trusted-roots.txt")


def run_cmd(argv, env=None, cwd=None, timeout=300):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise sflab.Fail("%s did not finish within %d s" % (" ".join(argv), timeout))
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def need_tool(name):
    p = sflab.find_tool(name)
    if not p:
        raise sflab.Skip("%s not found" % name)
    return p


def build_dir():
    d = os.path.dirname(os.path.abspath(sflab.sipfed_bin()))
    if not os.path.exists(os.path.join(d, "build.ninja")):
        raise sflab.Skip("%s is not a meson build directory" % d)
    return d


def build_options(bdir):
    """prefix, bindir, libdir, includedir, mandir, datadir of the build."""
    path = os.path.join(bdir, "meson-info", "intro-buildoptions.json")
    with open(path, encoding="utf-8") as f:
        opts = {o["name"]: o["value"] for o in json.load(f)}
    prefix = opts["prefix"]
    san = opts.get("b_sanitize", "none")
    if isinstance(san, list):
        san = ",".join(san)
    out = {"prefix": prefix, "sanitize": "" if san in ("", "none") else san}
    for k in ("bindir", "libdir", "includedir", "mandir", "datadir"):
        v = opts[k]
        out[k] = v if os.path.isabs(v) else os.path.join(prefix, v)
    return out


def install(tmp):
    """meson install into TMP/root; returns (root, options)."""
    meson = need_tool("meson")
    bdir = build_dir()
    root = os.path.join(tmp, "root")
    rc, out, err = run_cmd([meson, "install", "-C", bdir, "--no-rebuild", "--destdir", root])
    check(rc == 0, "meson install failed (exit %d)\n%s\n%s" % (rc, out[-3000:], err[-3000:]))
    return root, build_options(bdir)


def under(root, path):
    return os.path.join(root, path.lstrip("/"))


def public_functions(incdir):
    """Names of the functions the installed public headers declare."""
    names = set()
    for h in HEADERS:
        with open(os.path.join(incdir, h), encoding="utf-8") as f:
            text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        names.update(re.findall(r"\b(sf_\w+)\s*\(", text))
    return names


def check_tree(tmp):
    root, o = install(tmp)
    libdir = under(root, o["libdir"])
    files = {
        "binary": os.path.join(under(root, o["bindir"]), "sipfed"),
        "man page": os.path.join(under(root, o["mandir"]), "man1", "sipfed.1"),
        "static library": os.path.join(libdir, "libsipfed.a"),
        "shared library (soname link)": os.path.join(libdir, "libsipfed.so.0"),
        "shared library (link for -lsipfed)": os.path.join(libdir, "libsipfed.so"),
        "pkg-config file": os.path.join(libdir, "pkgconfig", "sipfed.pc"),
    }
    for h in HEADERS:
        files["header " + h] = os.path.join(under(root, o["includedir"]), "sipfed", h)
    for d in DATA_FILES:
        files["data file " + d] = os.path.join(under(root, o["datadir"]), "sipfed", d)
    for what, path in files.items():
        check(os.path.isfile(path), "%s not installed: no %s" % (what, path))
    check(os.access(files["binary"], os.X_OK), "%s is not executable" % files["binary"])
    # the installed binary runs
    rc, out, err = run_cmd([files["binary"], "--version"])
    check(rc == 0 and out.strip(), "installed sipfed --version: exit %d, %r %r" % (rc, out, err))

    # soname
    so = os.path.realpath(files["shared library (soname link)"])
    tool = sflab.find_tool("objdump")
    if tool:
        rc, out, err = run_cmd([tool, "-p", so])
        m = re.search(r"^\s*SONAME\s+(\S+)", out, re.M)
    else:
        tool = need_tool("readelf")
        rc, out, err = run_cmd([tool, "-d", so])
        m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    check(rc == 0 and m, "%s: no SONAME (%s)\n%s" % (so, tool, err))
    check(m.group(1) == "libsipfed.so.0", "SONAME %s, want libsipfed.so.0" % m.group(1))
    check(os.path.basename(os.readlink(files["shared library (soname link)"])).startswith(
        "libsipfed.so.0."), "libsipfed.so.0 does not point at libsipfed.so.0.x.y")

    # exports: the public functions, all of them, nothing else
    nm = need_tool("nm")
    rc, out, err = run_cmd([nm, "-D", "--defined-only", so])
    check(rc == 0, "nm -D %s failed: %s" % (so, err))
    exported = {ln.split()[-1] for ln in out.splitlines() if len(ln.split()) >= 3}
    exported = {s.split("@")[0] for s in exported}
    declared = public_functions(os.path.join(under(root, o["includedir"]), "sipfed"))
    extra = sorted(exported - declared)
    missing = sorted(declared - exported)
    check(not extra, "libsipfed.so exports symbols no public header declares: %s"
          % " ".join(extra[:40]))
    check(not missing, "public functions not exported by libsipfed.so: %s"
          % " ".join(missing[:40]))

    # the pkg-config file
    with open(files["pkg-config file"], encoding="utf-8") as f:
        pc = f.read()
    check(re.search(r"^Libs:.*-lsipfed", pc, re.M), "sipfed.pc has no -lsipfed:\n" + pc)
    check(re.search(r"^Requires\.private:.*\bopenssl\b", pc, re.M),
          "sipfed.pc: Requires.private lacks openssl:\n" + pc)
    check(re.search(r"^Requires\.private:.*\blibevent", pc, re.M),
          "sipfed.pc: Requires.private lacks libevent:\n" + pc)
    print("installed: %d files checked, soname libsipfed.so.0, %d functions exported"
          % (len(files), len(exported)))


def pkg_env(root, o):
    env = dict(os.environ)
    pcdir = os.path.join(under(root, o["libdir"]), "pkgconfig")
    env["PKG_CONFIG_PATH"] = pcdir + (":" + env["PKG_CONFIG_PATH"]
                                      if env.get("PKG_CONFIG_PATH") else "")
    env["PKG_CONFIG_SYSROOT_DIR"] = root
    return env


def stages_for_example():
    """The stages the plain domain check covers (no check-args such as --client)."""
    return [s for s in sflab.stages() if not sflab.stage_check_args(s)]


def check_example(tmp):
    root, o = install(tmp)
    pkg = need_tool("pkg-config")
    env = pkg_env(root, o)
    rc, flags, err = run_cmd([pkg, "--cflags", "--libs", "sipfed"], env=env)
    check(rc == 0, "pkg-config --cflags --libs sipfed failed: %s" % err)
    check("-I" + under(root, o["includedir"]) in flags,
          "pkg-config gives no -I into the installed tree: %s" % flags)
    check("-L" + under(root, o["libdir"]) in flags and "-lsipfed" in flags,
          "pkg-config gives no -L into the installed tree / -lsipfed: %s" % flags)

    # build with the example's own Makefile, out of a copy of it
    src = os.path.join(sflab.srcdir(), "examples", "run-api")
    work = os.path.join(tmp, "run-api")
    shutil.copytree(src, work)
    if os.path.exists(os.path.join(work, "run-api")):
        os.unlink(os.path.join(work, "run-api"))
    cc = sflab.find_tool("cc") or need_tool("gcc")
    make = sflab.find_tool("make")
    # a sanitizer build's library needs the sanitizer runtime in the program too
    cflags = ["-O1", "-g", "-Wall", "-Wextra"]
    ldflags = []
    if o["sanitize"]:
        cflags.append("-fsanitize=" + o["sanitize"])
        ldflags.append("-fsanitize=" + o["sanitize"])
    if make:
        rc, out, err = run_cmd([make, "-C", work, "CC=" + cc, "PKG_CONFIG=" + pkg,
                                "CFLAGS=" + " ".join(cflags), "LDFLAGS=" + " ".join(ldflags)],
                               env=env)
    else:
        rc, out, err = run_cmd([cc] + cflags + ["-o", os.path.join(work, "run-api"),
                                os.path.join(work, "run-api.c")] + ldflags + flags.split(),
                               env=env)
    check(rc == 0, "building examples/run-api against the installed library failed "
          "(exit %d)\n%s\n%s" % (rc, out[-3000:], err[-4000:]))
    exe = os.path.join(work, "run-api")

    # it is linked with the shared library, found in TMP
    renv = dict(os.environ)
    renv["LD_LIBRARY_PATH"] = under(root, o["libdir"])
    tool = sflab.find_tool("readelf")
    if tool:
        rc, out, err = run_cmd([tool, "-d", exe])
        check("[libsipfed.so.0]" in out, "run-api does not need libsipfed.so.0:\n" + out)

    lab = os.path.join(tmp, "lab")
    stages = stages_for_example()
    check(stages, "no seed-lab stage to run")
    sflab.gen(lab, stages)
    at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for stage in stages:
        exp = sflab.load_expected(stage)
        argv = [exe]
        for z in sflab.stage_zones(stage):
            argv += ["-z", z]
        argv += ["-c", os.path.join(lab, stage, "certs"), "-t",
                 os.path.join(lab, "ca", "root.pem"), "-a", at] + sflab.stage_domains(stage)
        rc, out, err = run_cmd(argv, env=renv, timeout=120)
        where = "run-api on stage %s\n  %s\n  exit %d\n  stdout: %s\n  stderr: %s" % (
            stage, " ".join(argv), rc, out.strip(), err.strip())
        got = {}
        for line in out.splitlines():
            w = line.split()
            check(len(w) >= 3 and w[2].isdigit(), "not 'DOMAIN VERDICT N': %r\n%s"
                  % (line, where))
            check(w[0] not in got, "%s reported twice\n%s" % (w[0], where))
            got[w[0]] = (w[1], int(w[2]))
        want = {}
        for r in exp["results"]:
            v = sflab.verdict_for(r["findings"])
            check(r.get("verdict", v) == v, "expected/%s.json: %s: verdict %s, its findings "
                  "give %s" % (stage, r["domain"], r.get("verdict"), v))
            want[r["domain"]] = (v, len(r["findings"]))
        check(got == want, "results differ from expected/%s.json\n  want %s\n  got  %s\n%s"
              % (stage, sorted(want.items()), sorted(got.items()), where))
        check(rc == exp["exit"], "exit %d, want %d\n%s" % (rc, exp["exit"], where))
        print("%s: %d domains as expected, exit %d" % (stage, len(got), rc))


CASES = {"tree": check_tree, "example": check_example}


def run_case(case):
    if case not in CASES:
        raise sflab.Fail("unknown case %r (%s)" % (case, ", ".join(CASES)))
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[case](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: install.py tree|example")
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
