#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# loader-stress.sh: the loader test's stress mode pinned to one CPU beside
# busy loops on that CPU, so that the worker, the cancelling thread and the
# caller interleave in as many ways as possible.
#   bench/loader-stress.sh [BUILDDIR] [ITERATIONS] [BUSY_LOOPS]
set -u
builddir=${1:-build}
iterations=${2:-1000}
n_busy=${3:-2}
src=$(cd "$(dirname "$0")/.." && pwd)
exe=$builddir/tests/test-loader
log=$builddir/loader-stress.log

[ -x "$exe" ] || { echo "$exe is not built" >&2; exit 2; }

pids=
cleanup () {
  for pid in $pids; do kill "$pid" 2>/dev/null; done
}
trap cleanup EXIT INT TERM

i=0
while [ "$i" -lt "$n_busy" ]; do
  taskset -c 0 sh -c 'while :; do :; done' &
  pids="$pids $!"
  i=$((i + 1))
done

start=$(date +%s)
G_TEST_SRCDIR=$src/tests G_TEST_BUILDDIR=$builddir/tests G_DEBUG=gc-friendly \
  SCORCH_LOADER_STRESS=$iterations MALLOC_PERTURB_=141 \
  taskset -c 0 "$exe" -p /libscorch/loader/stress >"$log" 2>&1
status=$?
end=$(date +%s)

passed=$(grep -c '^# iteration .* passed' "$log")
echo "loader stress: $passed of $iterations iterations passed, exit status $status," \
     "$((end - start)) s, on CPU 0 beside $n_busy busy loops (log: $log)"
grep -a -m 3 'ERROR\|Bail out\|Sanitizer' "$log"
exit $status
