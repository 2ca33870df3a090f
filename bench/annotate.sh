#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/annotate.sh: opening the source view of a function in a capture of
# about 1M samples (target: at most 200 ms).  Records, once, the annotate
# workload (tests/workloads/annotate-workload.c, built with gcc -O2 -g)
# with perf record -g at 50 kHz of cpu-clock, then times
# scorch_annotation_new() for its functions (bench-annotate: the capture
# is loaded once, each run reads the module, line tables, disassembly and
# source afresh), and the source view window (bench-source-view, under
# Xvfb) when built with -Dgtk=true.
#
# Usage: bench/annotate.sh [BUILD_DIR]     (default: build)
# Env:   OUT=/tmp/scorch-bench-annotate  RUNS=10  SECONDS_=70 (recording length)
set -eu
cd "$(dirname "$0")/.."

BUILD=${1:-build}
BENCH=$BUILD/bench/bench-annotate
OUT=${OUT:-/tmp/scorch-bench-annotate}
RUNS=${RUNS:-10}
mkdir -p "$OUT"
[ -x "$BENCH" ] || { echo "missing $BENCH: meson compile -C $BUILD" >&2; exit 1; }

if [ ! -f "$OUT/annotate-1M.data" ]; then
  gcc -O2 -g -fno-omit-frame-pointer -o "$OUT/annotate-workload" tests/workloads/annotate-workload.c
  echo "recording (${SECONDS_:-70} s)..." >&2
  perf record -q -e cpu-clock -c 20000 -g -o "$OUT/annotate-1M.data" -- \
    sh -c "$OUT/annotate-workload ${SECONDS_:-70} & python3 bench/bench-workload.py ${SECONDS_:-70} & wait" >/dev/null 2>&1
fi

export XDG_CACHE_HOME="$OUT/cache"
rm -rf "$XDG_CACHE_HOME"
for f in hot_loop split_work with_inline ${EXTRA_FUNCTIONS:-_PyEval_EvalFrameDefault}; do
  "$BENCH" "$OUT/annotate-1M.data" "$f" "$RUNS"
done

# The app's source view window, from scorch_source_view_new() until shown
# and drawn (under Xvfb), when built with -Dgtk=true.
if [ -x "$BUILD/bench/bench-source-view" ]; then
  for f in hot_loop split_work ${EXTRA_FUNCTIONS:-_PyEval_EvalFrameDefault}; do
    GSETTINGS_SCHEMA_DIR="$BUILD/data" GSETTINGS_BACKEND=memory GSK_RENDERER=cairo NO_AT_BRIDGE=1 \
      tests/run-under-xvfb.sh "$BUILD/bench/bench-source-view" "$OUT/annotate-1M.data" "$f" 5 2>/dev/null |
      grep "source view"
  done
fi
