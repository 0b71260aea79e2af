#!/usr/bin/env python3
"""readme.py: every command block of README.md runs against the files the repository ships.

Convention (README.md, "Examples in this README"): a block fenced ```sh is a
script that runs as it stands from the top of a copy of the repository, with
the built binary as build/sipfed and as sipfed on PATH, offline, using only
files the repository ships (examples/, bench/) or files an earlier command of
the block makes.  Commands that need the network, root, a partner or a long
running server are fenced ```console and not run.

The test copies the tree (without build directories and .git) into a temporary
directory, then runs each ```sh block with `sh -eu` in its own fresh copy of that
tree; `sipfed` is a wrapper that records each invocation's exit status.  A block
passes when the shell exits 0 (a failing command other than sipfed stops it:
a missing file, a typo) and every sipfed invocation exits 0 or 1 (1: error
findings, which the examples show on purpose; 2 would be a usage error, a
missing file or an operational failure).  A block must call sipfed at least once.

Exit 0 pass, 1 fail.
"""

import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402

WRAPPER = """#!/bin/sh
"%s" "$@"
rc=$?
echo "$rc $*" >> "%s"
[ $rc -le 1 ] && exit 0
exit $rc
"""


def blocks(text):
    """[(line number, fence info, body)] of the fenced blocks."""
    out, cur, start, info = [], None, 0, ""
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if cur is None:
                cur, start, info = [], n, line[3:].strip()
            else:
                out.append((start, info, "\n".join(cur) + "\n"))
                cur = None
        elif cur is not None:
            cur.append(line)
    check(cur is None, "README.md: a block opened at line %d is not closed" % start)
    return out


def copy_tree(src, dst):
    skip = {".git", "build", "build-asan"}
    shutil.copytree(src, dst, symlinks=True,
                    ignore=lambda d, names: [n for n in names if
                                             (d == src and (n in skip or n.startswith("build")
                                                            or n.startswith("obj-")))
                                             or n == "__pycache__"])


def main_case():
    binary = os.path.abspath(sflab.sipfed_bin())
    src = sflab.srcdir()
    with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    runnable = [(n, body) for n, info, body in blocks(readme) if info == "sh"]
    check(runnable, "README.md has no ```sh block")
    for n, body in runnable:
        check(not re.search(r"^\s*\$ ", body, re.M),
              "README.md line %d: a ```sh block holds a transcript ('$ ...'): fence it "
              "```console" % n)
    with sflab.TempDir() as tmp:
        base = os.path.join(tmp, "tree")
        copy_tree(src, base)
        for n, body in runnable:
            work = os.path.join(tmp, "block-%d" % n)
            shutil.copytree(base, work, symlinks=True)
            log = os.path.join(tmp, "block-%d.log" % n)
            bindir = os.path.join(work, "build")
            os.makedirs(bindir, exist_ok=True)
            wrapper = os.path.join(bindir, "sipfed")
            with open(wrapper, "w", encoding="utf-8") as f:
                f.write(WRAPPER % (binary, log))
            os.chmod(wrapper, 0o755)
            env = dict(os.environ)
            env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
            env.pop("SIPFED_DATADIR", None)
            try:
                p = subprocess.run(["sh", "-eu", "-c", body], cwd=work, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=300)
            except subprocess.TimeoutExpired:
                raise sflab.Fail("README.md line %d: the block did not finish within 300 s"
                                 % n)
            calls = []
            if os.path.exists(log):
                with open(log, encoding="utf-8") as f:
                    calls = [ln.rstrip("\n").split(" ", 1) for ln in f if ln.strip()]
            where = "README.md line %d:\n%s  exit %d\n  stderr: %s\n  stdout: %s" % (
                n, body, p.returncode, p.stderr.decode(errors="replace")[-2000:],
                p.stdout.decode(errors="replace")[-1500:])
            check(p.returncode == 0, "the block failed\n" + where)
            check(calls, "the block runs no sipfed command\n" + where)
            bad = [c for c in calls if int(c[0]) > 1]
            check(not bad, "sipfed %s exited %s\n%s" % (bad[0][1] if len(bad[0]) > 1 else "",
                                                       bad[0][0], where) if bad else "")
            print("README.md line %d: %d sipfed commands, exit %s" % (
                n, len(calls), ", ".join(c[0] for c in calls)))


if __name__ == "__main__":
    sflab.main(main_case)
