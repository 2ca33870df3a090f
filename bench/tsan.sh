#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tsan.sh: ThreadSanitizer run of the tests with threads in the core: the
# loader (worker, progress, cancel; its stress mode), the recorder (its
# ring-buffer thread, sinks, stop and cancel: the producer of the live
# view) and the analyzer/profile.  Not part of .ci/run.
#   bench/tsan.sh [BUILDDIR] [STRESS_ITERATIONS]
# Builds BUILDDIR (default build-tsan) with clang -fsanitize=thread
# -Dgtk=false, runs each test with bench/tsan.supp, and prints the number
# of reports per test and where they are.  Exit status 1 if any.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$src/build-tsan}
stress=${2:-50}
tests="loader recorder analyzer profile capture-reader stack-memo cli-start"

if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" "$src" -Dgtk=false -Dtests=true \
    -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debugoptimized || exit 2
fi
# everything: the recorder's tests also run scorch-cli and the workloads
ninja -C "$builddir" >"$builddir/tsan-build.log" 2>&1 || { tail "$builddir/tsan-build.log"; exit 2; }

logdir=$builddir/tsan
rm -rf "$logdir"
mkdir -p "$logdir"
# halt_on_error=0: every report; exitcode=0: the tests' own verdict is
# reported separately; history_size: longer memory for the previous access.
export TSAN_OPTIONS="suppressions=$src/bench/tsan.supp halt_on_error=0 exitcode=0 history_size=4 second_deadlock_stack=1 log_path=$logdir/report"
export SCORCH_LOADER_STRESS=$stress
# GLib 2.74's slice allocator (GObject instances) reuses memory without
# free/malloc, so TSan cannot see that an object freed after one thread's
# last use is not the new object at the same address another thread
# writes (test-recorder: a recorder's worker, then the next test's
# recorder). Through malloc, TSan sees the reuse.
export G_SLICE=always-malloc

status=0
for t in $tests; do
  meson test -C "$builddir" --no-rebuild --timeout-multiplier 10 "$t" >"$logdir/$t.meson.log" 2>&1
  result=$?
  n=$(cat "$logdir"/report.* 2>/dev/null | grep -c 'WARNING: ThreadSanitizer')
  verdict=$(grep -o "^ *[0-9]*/[0-9]* scorch:[a-z]* / $t *[A-Z]*.*" "$logdir/$t.meson.log" | tr -s ' ')
  echo "$t: $n ThreadSanitizer reports; meson: $verdict"
  if [ "$n" -gt 0 ]; then
    status=1
    # where: the first frame of each stack that is Scorch's own code
    cat "$logdir"/report.* | grep -E 'WARNING: ThreadSanitizer|^ +#[0-9]+ [a-z_]+ .*/(src|tests)/' |
      awk '/WARNING/ { if (s) print s; s = $0; n = 0; next } n < 2 { s = s " | " $2 " " $3; n++ } END { if (s) print s }' |
      sed "s|$src/||g; s|[^ ]*build-tsan/\.\./||g" | sort | uniq -c | sort -rn | head -20
    mkdir -p "$logdir/$t"
    mv "$logdir"/report.* "$logdir/$t/"
  fi
  [ "$result" -eq 0 ] || status=1
done
exit $status
