#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Stop → final profile in the app (issue 13): records the app workload from
# the window's record dialog for each of SECONDS..., presses Stop, and
# prints how long the final profile took to appear, with the live session
# (the default) and, for comparison, with SCORCH_RECORD_RELOAD=1 (the
# capture read again, as before). Not part of the test suite.
#
#   bench/stop-latency.sh BUILDDIR RUNS SECONDS...
#   bench/stop-latency.sh build 3 5 60
#   MODES=live bench/stop-latency.sh build 3 5 60     (without the reload runs)
#
# Needs Xvfb and permission to use perf_event_open. Each run has its own
# XDG_CACHE_HOME (recordings and the symbol cache start cold).
set -eu

build=${1:?usage: $0 BUILDDIR RUNS SECONDS...}
runs=${2:?usage: $0 BUILDDIR RUNS SECONDS...}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
bench=$build/bench/bench-stop-latency
workload=$build/tests/workloads/app-workload
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scorch-stop-latency.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

export GSETTINGS_BACKEND=memory GSK_RENDERER=cairo GDK_DEBUG=gl-disable NO_AT_BRIDGE=1
export SCORCH_FLATPAK_INFO=/nonexistent/flatpak-info
export GSETTINGS_SCHEMA_DIR="$build/data"

median () {
  sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# scorch-timing: HOW: N samples; after the recording ended: ready A ms,
# in the window B ms, drawn C ms; after Stop: drawn D ms; ready to drawn:
# main CPU E ms (the main thread's CPU time from the profile ready to drawn)
field () {
  sed -n "s/.*scorch-timing:.*$1 \([0-9.]*\) ms.*/\1/p" "$tmp/err"
}

printf '%-7s %-6s %8s %9s %8s %8s %8s %8s  %s\n' seconds mode samples "end→ready" "→window" "→drawn" "Stop→drawn" "main-cpu" runs
for secs in "$@"; do
  for mode in ${MODES:-live reload}; do
    for f in ready window drawn stop cpu samples; do : > "$tmp/$f"; done
    i=0
    while [ "$i" -lt "$runs" ]; do
      i=$((i + 1))
      rm -rf "$tmp/cache"; mkdir -p "$tmp/cache"
      if [ "$mode" = reload ]; then reload=1; else reload=0; fi
      XDG_CACHE_HOME="$tmp/cache" SCORCH_RECORD_RELOAD=$reload SCORCH_TRACE_TIMING=1 \
        "$here/../tests/run-under-xvfb.sh" "$bench" "$secs" "$workload" $((secs + 60)) \
        > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
      field "ready" >> "$tmp/ready"
      field "in the window" >> "$tmp/window"
      field "ms, drawn" >> "$tmp/drawn"
      field "Stop: drawn" >> "$tmp/stop"
      field "main CPU" >> "$tmp/cpu"
      awk '/^samples/ { print $2 }' "$tmp/out" >> "$tmp/samples"
    done
    printf '%-7s %-6s %8s %9s %8s %8s %8s %8s  %s\n' "$secs" "$mode" "$(median < "$tmp/samples")" \
      "$(median < "$tmp/ready")" "$(median < "$tmp/window")" "$(median < "$tmp/drawn")" \
      "$(median < "$tmp/stop")" "$(median < "$tmp/cpu")" "$runs"
  done
done
