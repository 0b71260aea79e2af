#!/usr/bin/env python3
"""Writes the "-pdf" variants of the log fixtures: text as it comes out of a PDF
or a mail client.  Every line longer than 72 columns is wrapped at its last space
(which is dropped) or after its last '-' (kept), every line is indented by one
space and followed by an empty line (double spacing).  The readers must find the
same events in a variant as in the original, except for line numbers
(tests/unit/test_logs.c checks this).  Run from this directory:
    python3 mkpdf.py expressway.log edge.log uccapi.log sip.txt event.txt
"""
import sys

WIDTH = 72


def wrap(line):
    out = []
    while len(line) > WIDTH:
        sp = line.rfind(' ', 1, WIDTH + 1)
        hy = line.rfind('-', 1, WIDTH)
        if sp < 0 and hy < 0:
            break
        if hy + 1 > sp:
            out.append(line[:hy + 1])
            line = line[hy + 1:]
        else:
            out.append(line[:sp])
            line = line[sp + 1:]
    out.append(line)
    return out


def main():
    for name in sys.argv[1:]:
        stem, dot, ext = name.rpartition('.')
        with open(name, encoding='utf-8') as f:
            lines = f.read().split('\n')
        if lines and lines[-1] == '':
            lines.pop()
        res = []
        for line in lines:
            pieces = wrap(line)
            res.append(' ' + pieces[0] if pieces[0] else '')
            res.extend(pieces[1:])
        with open(stem + '-pdf.' + ext, 'w', encoding='utf-8') as f:
            f.write('\n\n'.join(res) + '\n')


if __name__ == '__main__':
    main()
