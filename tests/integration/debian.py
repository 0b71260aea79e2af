#!/usr/bin/env python3
"""debian.py: the Debian package, built and installed into a scratch root.

Copies the source tree (without build directories and .git) into a temporary
directory, runs `dpkg-buildpackage -us -uc -b` there (debian/: debhelper with
the meson build system; slow: a whole release build), checks that the three
packages were made (sipfed, libsipfed0, libsipfed-dev) and what sipfed holds
(binary, man page, completions, data files), unpacks them with `dpkg -x` into
a scratch root and runs `ROOT/usr/bin/sipfed --version` with LD_LIBRARY_PATH
into it.

Exit 0 pass, 1 fail, 77 skip (no dpkg-buildpackage, dh or a build dependency).
"""

import glob
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402

SIPFED_FILES = ("usr/bin/sipfed", "usr/share/man/man1/sipfed.1.gz",
                "usr/share/bash-completion/completions/sipfed",
                "usr/share/zsh/site-functions/_sipfed", "usr/share/sipfed/dr/trusted-roots.txt",
                "usr/share/sipfed/dr/cipher-suites.txt")


def run(argv, cwd=None, timeout=1500, env=None):
    try:
        p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise sflab.Fail("%s did not finish within %d s" % (" ".join(argv), timeout))
    return p.returncode, p.stdout.decode("utf-8", "replace")


def main_case():
    for tool in ("dpkg-buildpackage", "dh", "dpkg-checkbuilddeps", "dpkg-deb"):
        if not sflab.find_tool(tool):
            raise sflab.Skip("%s not found (apt-get install debhelper dpkg-dev)" % tool)
    src = sflab.srcdir()
    check(os.path.isfile(os.path.join(src, "debian", "control")), "no debian/control")
    rc, out = run(["dpkg-checkbuilddeps"], cwd=src, timeout=60)
    if rc != 0:
        raise sflab.Skip("build dependencies missing: " + out.strip())
    with sflab.TempDir() as tmp:
        tree = os.path.join(tmp, "sipfed")
        skip = {".git", "build", "build-asan"}
        shutil.copytree(src, tree, symlinks=True,
                        ignore=lambda d, names: [n for n in names if
                                                 (d == src and (n in skip or n.startswith("build")
                                                                or n.startswith("obj-")))
                                                 or n == "__pycache__"])
        rc, out = run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree)
        check(rc == 0, "dpkg-buildpackage failed (exit %d):\n%s" % (rc, out[-5000:]))
        debs = {}
        for d in glob.glob(os.path.join(tmp, "*.deb")):
            debs[os.path.basename(d).split("_")[0]] = d
        for pkg in ("sipfed", "libsipfed0", "libsipfed-dev"):
            check(pkg in debs, "no %s package built (%s)" % (pkg, sorted(debs)))
        rc, out = run(["dpkg-deb", "-c", debs["sipfed"]], timeout=60)
        listing = {ln.split()[-1].lstrip("./") for ln in out.splitlines() if ln.split()}
        for f in SIPFED_FILES:
            check(f in listing, "package sipfed lacks %s:\n%s" % (f, out))
        root = os.path.join(tmp, "root")
        for pkg in ("sipfed", "libsipfed0", "libsipfed-dev"):
            rc, out = run(["dpkg", "-x", debs[pkg], root], timeout=60)
            check(rc == 0, "dpkg -x %s: %s" % (debs[pkg], out))
        libs = glob.glob(os.path.join(root, "usr", "lib", "*", "libsipfed.so.0"))
        check(libs, "libsipfed0 holds no usr/lib/<triplet>/libsipfed.so.0")
        check(glob.glob(os.path.join(root, "usr", "include", "sipfed", "sipfed.h")) and
              glob.glob(os.path.join(root, "usr", "lib", "*", "pkgconfig", "sipfed.pc")),
              "libsipfed-dev lacks the headers or sipfed.pc")
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = os.path.dirname(libs[0])
        rc, out = run([os.path.join(root, "usr", "bin", "sipfed"), "--version"], timeout=30,
                      env=env)
        check(rc == 0 and out.startswith("sipfed "), "installed sipfed --version: exit %d %r"
              % (rc, out))
        print("built %s; %s" % (", ".join(sorted(os.path.basename(d) for d in debs.values())),
                                out.strip()))


if __name__ == "__main__":
    sflab.main(main_case)
