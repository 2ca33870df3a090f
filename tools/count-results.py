#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints "N passed, N failed, N skipped" from meson's testlog.json files.

Counts each TAP sub-test when the log holds them, else the test program."""
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        result = t.get("result", "")
        out = t.get("stdout") or ""
        oks = len(re.findall(r"^ok \d+(?! .*# SKIP)", out, re.M))
        nots = len(re.findall(r"^not ok \d+(?! .*# TODO)", out, re.M))
        skips = len(re.findall(r"^ok \d+ .*# SKIP", out, re.M))
        if result in ("OK", "EXPECTEDFAIL") and oks + skips > 0:
            passed += oks
            skipped += skips
        elif result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += max(1, skips)
        else:
            # The program failed: count its failed sub-tests (at least one).
            failed += max(1, nots)
            passed += oks
            skipped += skips
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
