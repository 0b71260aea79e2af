#!/usr/bin/env python3
"""completion.py CASE: the shell completions of data/completions, as installed.

  bash   `meson install --destdir` puts share/bash-completion/completions/sipfed;
         `bash -c 'source FILE; complete -p sipfed'` names the function; calling
         it with COMP_WORDS/COMP_CWORD completes `sipfed check --for<TAB>` to
         --format, `sipfed check --format <TAB>` to the formats (html among
         them), `sipfed <TAB>` to every command; for every command, the options
         it completes after `-` are exactly those `sipfed help COMMAND` lists.
  zsh    share/zsh/site-functions/_sipfed is installed, starts with #compdef
         sipfed, parses (zsh -n) and names every option of every command
         (skip without zsh).

Exit 0 pass, 1 fail, 77 skip.
"""

import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sflab  # noqa: E402
from sflab import check  # noqa: E402
import install  # noqa: E402

COMMANDS = ("check", "cert", "logs", "plan", "probe", "edge")


def help_options(cmd):
    run = sflab.run_sipfed(["help", cmd])
    check(run.rc == 0, "sipfed help %s failed\n%s" % (cmd, run.describe()))
    # every option the help text names (options, and options in their explanations)
    opts = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", run.out))
    opts.add("--help")
    return opts


def installed(tmp, *rel):
    root, o = install.install(tmp)
    return os.path.join(install.under(root, o["datadir"]), *rel)


def bash_complete(path, words, cword=None):
    cword = len(words) - 1 if cword is None else cword
    arr = " ".join("'%s'" % w for w in words)
    script = ('source "$1" || exit 3\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n'
              'f=$(complete -p sipfed | sed -n "s/.*-F \\([^ ]*\\) .*/\\1/p")\n'
              '"$f" sipfed "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
              'printf "%%s\\n" "${COMPREPLY[@]}"\n') % (arr, cword)
    p = subprocess.run(["bash", "-c", script, "bash", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    check(p.returncode == 0, "completing %r: exit %d %s" % (words, p.returncode,
                                                           p.stderr.decode()))
    return [w for w in p.stdout.decode().split("\n") if w]


def case_bash(tmp):
    if not sflab.find_tool("bash"):
        raise sflab.Skip("no bash")
    path = installed(tmp, "bash-completion", "completions", "sipfed")
    check(os.path.isfile(path), "bash completion not installed: no %s" % path)
    p = subprocess.run(["bash", "-c", 'source "$1"; complete -p sipfed', "bash", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    out = p.stdout.decode()
    check(p.returncode == 0 and re.search(r"complete -F \S+ sipfed", out),
          "complete -p sipfed: exit %d %r %r" % (p.returncode, out, p.stderr.decode()))
    got = bash_complete(path, ["sipfed", "check", "--for"])
    check(got == ["--format"], "sipfed check --for<TAB>: %r, want ['--format']" % got)
    got = set(bash_complete(path, ["sipfed", "check", "--format", ""]))
    check({"text", "json", "jsonl", "html"} <= got, "check --format <TAB>: %r" % got)
    got = set(bash_complete(path, ["sipfed", ""]))
    check(set(COMMANDS) | {"help"} <= got, "sipfed <TAB>: %r" % got)
    got = set(bash_complete(path, ["sipfed", "cert", "--role", ""]))
    check(got == {"edge", "um", "web", "sbc"}, "cert --role <TAB>: %r" % got)
    for cmd in COMMANDS:
        want = help_options(cmd)
        got = set(bash_complete(path, ["sipfed", cmd, "-"]))
        check(got == want, "sipfed %s -<TAB>: missing %s, not options of the command %s"
              % (cmd, sorted(want - got), sorted(got - want)))
    print("bash: %s completes every command's options" % path)


def case_zsh(tmp):
    zsh = sflab.find_tool("zsh")
    if not zsh:
        raise sflab.Skip("no zsh")
    path = installed(tmp, "zsh", "site-functions", "_sipfed")
    check(os.path.isfile(path), "zsh completion not installed: no %s" % path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check(text.startswith("#compdef sipfed"), "%s does not start with #compdef sipfed" % path)
    p = subprocess.run([zsh, "-n", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    check(p.returncode == 0, "zsh -n %s: %s" % (path, p.stderr.decode()))
    for cmd in COMMANDS:
        check("_sipfed_%s()" % cmd in text, "no completion function for %s" % cmd)
        body = text.split("_sipfed_%s()" % cmd, 1)[1].split("\n}", 1)[0]
        shared = text.split("_sipfed_check()", 1)[0]
        missing = [o for o in sorted(help_options(cmd))
                   if not re.search(r"(?:'|\)|\*)%s\[" % re.escape(o), body + shared)]
        check(not missing, "zsh: sipfed %s lacks %s" % (cmd, missing))
    print("zsh: %s names every command's options" % path)


CASES = {"bash": case_bash, "zsh": case_zsh}


def run_case(case):
    sflab.sipfed_bin()
    with sflab.TempDir() as tmp:
        CASES[case](tmp)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print("usage: completion.py bash|zsh")
        sys.exit(2)
    sflab.main(run_case, sys.argv[1])
