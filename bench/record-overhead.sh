#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Recording overhead of "scorch-cli record" against "perf record" on the same
# CPU-bound workload (a fixed amount of work), at 999 and 4999 Hz, with frame
# pointers, frame pointers with leaf repair (scorch only: fp+repair) and
# DWARF: wall, user and user+system CPU time of the whole command as ratios
# to the plain run (medians of RUNS runs, all measured in this one run), lost
# samples (as perf report counts them, for both files), and the start and stop
# latency (command start -> target's first instruction, target's exit ->
# command's exit; medians).
#
# Usage: bench/record-overhead.sh [BUILDDIR] [RUNS] [ROUNDS]
#   BUILDDIR  meson build directory (default: build)
#   RUNS      repetitions per configuration (default: 5)
#   ROUNDS    work of the workload, in rounds of scorch-wl-shares (default: 500, ~1.5 s)
#
# SCORCH_BENCH_USER=nobody runs scorch-cli and perf as that user (setpriv), under the
# unprivileged ring-buffer limit (kernel.perf_event_mlock_kb, 516 KiB per
# CPU by default), which is what decides whether fp+repair loses samples at
# 4999 Hz; as root the rings are 4 MiB.
set -eu

BUILD=${1:-build}
RUNS=${2:-5}
ROUNDS=${3:-500}
CLI=$BUILD/src/cli/scorch-cli
WL=$BUILD/tests/workloads/scorch-wl-shares
STAMP=$BUILD/bench/scorch-bench-stamp

for f in "$CLI" "$WL" "$STAMP"; do
  [ -x "$f" ] || { echo "missing $f: build first (meson compile -C $BUILD)" >&2; exit 1; }
done
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }
TIME=/usr/bin/time
[ -x $TIME ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/scorch-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
AS_USER=
if [ -n "${SCORCH_BENCH_USER:-}" ]; then
  chmod 0777 "$TMP"
  AS_USER="setpriv --reuid=$(id -u "$SCORCH_BENCH_USER") --regid=$(id -g "$SCORCH_BENCH_USER") --clear-groups --"
fi

median () {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run NAME COMMAND...: appends "wall user sys" of one run to $TMP/NAME.times
run () {
  name=$1; shift
  $TIME -f "%e %U %S" -o "$TMP/time.out" "$@" >/dev/null 2>"$TMP/$name.err" || {
    echo "failed: $*" >&2; cat "$TMP/$name.err" >&2; exit 1; }
  cat "$TMP/time.out" >> "$TMP/$name.times"
}

lost () {
  perf report -f -i "$1" --stdio -g none 2>/dev/null | awk '/Total Lost Samples/ { print $NF; exit }'
}

configs="scorch-fp-999 scorch-fp+repair-999 perf-fp-999 scorch-fp-4999 scorch-fp+repair-4999 perf-fp-4999 scorch-dwarf-999 perf-dwarf-999 scorch-dwarf-4999 perf-dwarf-4999"

command_for () {
  tool=${1%%-*}; rest=${1#*-}; mode=${rest%-*}; hz=${rest#*-}
  if [ "$tool" = scorch ]; then
    echo "$AS_USER $CLI record -e cpu-clock -F $hz --call-graph $mode -o $TMP/$1.data --"
  else
    echo "$AS_USER perf record -q -e cpu-clock -F $hz --call-graph $mode -o $TMP/$1.data --"
  fi
}

echo "workload: $WL 0 $ROUNDS; $RUNS runs per configuration, interleaved"
for i in $(seq "$RUNS"); do
  run plain "$WL" 0 "$ROUNDS"
  for c in $configs; do
    # shellcheck disable=SC2046
    run "$c" $(command_for "$c") "$WL" 0 "$ROUNDS"
    lost "$TMP/$c.data" >> "$TMP/$c.lost"
  done
done

pw=$(awk '{ print $1 }' "$TMP/plain.times" | median)
pu=$(awk '{ print $2 }' "$TMP/plain.times" | median)
pc=$(awk '{ print $2 + $3 }' "$TMP/plain.times" | median)
printf "\nplain run: wall %.3f s, user %.3f s, user+sys %.3f s (medians)\n\n" "$pw" "$pu" "$pc"
printf "%-22s %10s %10s %10s %12s %12s\n" configuration "wall/plain" "user/plain" "cpu/plain" "lost(median)" "lost(max)"
for c in $configs; do
  w=$(awk '{ print $1 }' "$TMP/$c.times" | median)
  u=$(awk '{ print $2 }' "$TMP/$c.times" | median)
  cpu=$(awk '{ print $2 + $3 }' "$TMP/$c.times" | median)
  l=$(median < "$TMP/$c.lost")
  m=$(sort -g "$TMP/$c.lost" | tail -1)
  printf "%-22s %10.3f %10.3f %10.3f %12s %12s\n" "$c" "$(echo "$w $pw" | awk '{ print $1 / $2 }')" \
    "$(echo "$u $pu" | awk '{ print ($2 > 0 ? $1 / $2 : 0) }')" \
    "$(echo "$cpu $pc" | awk '{ print ($2 > 0 ? $1 / $2 : 0) }')" "$l" "$m"
done

# Start and stop latency: the target prints the time it starts; it exits at once.
for tool in scorch perf; do
  : > "$TMP/$tool.start"; : > "$TMP/$tool.stop"
  for i in $(seq "$RUNS"); do
    if [ $tool = scorch ]; then
      cmd="$CLI record -o $TMP/lat.data --"
    else
      cmd="perf record -q -o $TMP/lat.data --"
    fi
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    stamp=$($cmd "$STAMP" 2>/dev/null | tail -1)
    t1=$(date +%s%N)
    echo "$stamp $t0" | awk '{ printf "%.4f\n", ($1 - $2) / 1e9 }' >> "$TMP/$tool.start"
    echo "$t1 $stamp" | awk '{ printf "%.4f\n", ($1 - $2) / 1e9 }' >> "$TMP/$tool.stop"
  done
  printf "%-7s start->exec %.3f s   exit->done %.3f s   (medians of %d)\n" "$tool" \
    "$(median < "$TMP/$tool.start")" "$(median < "$TMP/$tool.stop")" "$RUNS"
done
