#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints "N passed, N failed, N skipped" from meson's testlog.json files.

Counts each TAP sub-test when a test's output holds them (GTest programs
print "ok 3 /path", "ok 4 /path # SKIP why", "not ok 5 /path"), else the
test program as one. A program that failed counts its failed sub-tests, or
one failure if it died before reporting any (crash, timeout, sanitizer).
With --failed-steps FILE, each line of FILE (a build step that failed before
its tests ran) counts as one failure too. Exits 1 when anything failed."""
import argparse
import json
import re
import sys

OK = re.compile(r"^ok\b(.*)$", re.M)
NOT_OK = re.compile(r"^not ok\b(.*)$", re.M)
SKIP = re.compile(r"#\s*SKIP", re.I)
TODO = re.compile(r"#\s*TODO", re.I)


def count_tap(out):
    passed = failed = skipped = 0
    for m in OK.finditer(out):
        if SKIP.search(m.group(1)):
            skipped += 1
        else:
            passed += 1  # "ok ... # TODO" is an unexpected pass: still a pass
    for m in NOT_OK.finditer(out):
        if TODO.search(m.group(1)) or SKIP.search(m.group(1)):
            skipped += 1  # expected failure (g_test_incomplete)
        else:
            failed += 1
    return passed, failed, skipped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--failed-steps")
    parser.add_argument("logs", nargs="*")
    args = parser.parse_args()

    passed = failed = skipped = 0
    for path in args.logs:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError:
            continue
        for line in lines:
            if not line.strip():
                continue
            t = json.loads(line)
            result = t.get("result", "")
            p, f, s = count_tap(t.get("stdout") or "")
            if result in ("OK", "EXPECTEDFAIL"):
                if p + f + s == 0:
                    p = 1
                passed += p
                skipped += s
            elif result == "SKIP":
                skipped += max(1, s)
                passed += p
            else:
                # FAIL, ERROR, TIMEOUT, UNEXPECTEDPASS: at least one failure.
                passed += p
                skipped += s
                failed += max(1, f)

    if args.failed_steps:
        try:
            with open(args.failed_steps, encoding="utf-8") as f:
                failed += sum(1 for line in f if line.strip())
        except OSError:
            pass

    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
