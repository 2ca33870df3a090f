#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks po/POTFILES.in against the sources.

Fails when a C source or header, .ui file, desktop file, metainfo or
GSettings schema holds translatable strings but is not listed, when a listed
file does not exist (xgettext would fail), or when the list is not sorted.

Usage: check-potfiles.py SOURCE_ROOT"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
root = os.path.abspath(root)

# gettext calls as glib/gi18n.h defines them: _(), N_(), C_(), NC_(), Q_(),
# g_dgettext & co. Matched as whole words outside comments and strings is
# good enough: a false positive only asks to list a file.
C_MARKERS = re.compile(r"(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|g_dgettext|g_dngettext|g_dpgettext2?|ngettext)\s*\(")
UI_MARKER = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
SKIP_DIRS = {".git", "subprojects", "tests", "bench", "po"}


def strip_c_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def has_translatable(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if path.endswith((".c", ".h")):
        return bool(C_MARKERS.search(strip_c_comments(text)))
    if path.endswith(".ui"):
        return bool(UI_MARKER.search(text))
    if path.endswith((".desktop.in", ".metainfo.xml.in", ".gschema.xml")):
        return True
    return False


def main():
    potfiles = os.path.join(root, "po", "POTFILES.in")
    listed = []
    with open(potfiles, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                listed.append(line)

    problems = []
    for name in listed:
        if not os.path.isfile(os.path.join(root, name)):
            problems.append(f"listed in po/POTFILES.in but does not exist: {name}")
    if listed != sorted(listed):
        problems.append("po/POTFILES.in is not sorted (run: sort -o po/POTFILES.in ...)")
    if len(set(listed)) != len(listed):
        problems.append("po/POTFILES.in lists a file twice")

    found = []
    for top in ("src", "data"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for fn in sorted(filenames):
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, root)
                if has_translatable(path):
                    found.append(rel)

    listed_set = set(listed)
    for rel in found:
        if rel not in listed_set:
            problems.append(f"has translatable strings but is missing from po/POTFILES.in: {rel}")

    print(f"1..1")
    if problems:
        for p in problems:
            print(f"# {p}")
        print("not ok 1 - po/POTFILES.in")
        return 1
    print(f"# {len(found)} files with translatable strings, all listed")
    print("ok 1 - po/POTFILES.in")
    return 0


if __name__ == "__main__":
    sys.exit(main())
