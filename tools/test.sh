#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the dependencies, builds Scorch, and runs the whole test suite:
#   1. build/      gcc, every suite (unit, integration, ui, data)
#   2. build-san/  AddressSanitizer + UBSan, unit and integration suites
#   3. build-fuzz/ clang + libFuzzer, the bounded fuzz suite (when there is one)
# Exits non-zero if anything fails. Test logs: */meson-logs/testlog.txt.
# A step that fails before its tests run (setup, compile) is appended to the
# file named by $SCORCH_FAILED_STEPS, if set, so .ci/run can count it.
set -u
cd "$(dirname "$0")/.."

# Elapsed seconds at each step boundary, so a slow suite shows which step
# (install, a tree's setup and compile, its tests) the time went to.
start_time=$(date +%s)
step_time=$start_time
elapsed () {
  now=$(date +%s)
  echo "== time: $1: $((now - step_time)) s (total $((now - start_time)) s)"
  step_time=$now
}

./tools/install-deps.sh || exit 1
elapsed "install-deps"

status=0

step_failed () {
  status=1
  echo "== FAILED: $1" >&2
  if [ -n "${SCORCH_FAILED_STEPS:-}" ]; then
    echo "$1" >>"$SCORCH_FAILED_STEPS"
  fi
}

setup () {
  dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

echo "== build: gcc, all suites"
if setup build -Dgtk=true -Dtests=true && meson compile -C build; then
  elapsed "build: setup and compile"
  meson test -C build --print-errorlogs --num-processes 2 || status=1
  elapsed "build: tests"
else
  step_failed "build: setup or compile"
  elapsed "build: setup and compile (failed)"
fi

echo "== build-san: AddressSanitizer + UBSan, unit and integration suites"
if setup build-san -Dgtk=false -Dtests=true -Db_sanitize=address,undefined -Db_lundef=false \
     -Dc_args=-fno-sanitize-recover=all -Dbuildtype=debug && meson compile -C build-san; then
  elapsed "build-san: setup and compile"
  meson test -C build-san --print-errorlogs --num-processes 2 \
    --suite unit --suite integration || status=1
  elapsed "build-san: tests"
else
  step_failed "build-san: setup or compile"
  elapsed "build-san: setup and compile (failed)"
fi

# (only the fuzz targets and what they link are compiled there: the other
# ~250 of the tree's ~350 compile steps are the tests, CLI and benchmarks
# again, which the two trees above build and run)
fuzz_targets () {
  meson introspect build-fuzz --tests | python3 -c '
import json, os, sys
print(" ".join(os.path.basename(t["cmd"][0]) for t in json.load(sys.stdin) if "scorch:fuzz" in t["suite"]))'
}

if grep -q "'fuzz'" tests/meson.build 2>/dev/null; then
  echo "== build-fuzz: clang + libFuzzer, bounded fuzzing"
  if CC=clang setup build-fuzz -Dgtk=false -Dtests=true -Dfuzzing=true -Db_lundef=false -Dbuildtype=debug \
       && targets=$(fuzz_targets) && [ -n "$targets" ] && meson compile -C build-fuzz $targets; then
    elapsed "build-fuzz: setup and compile"
    meson test -C build-fuzz --no-rebuild --print-errorlogs --suite fuzz || status=1
    elapsed "build-fuzz: tests"
  else
    step_failed "build-fuzz: setup or compile"
    elapsed "build-fuzz: setup and compile (failed)"
  fi
fi

exit $status
