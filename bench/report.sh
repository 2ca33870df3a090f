#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/report.sh: how fast "scorch-cli report --tsv" loads, unwinds,
# symbolizes and aggregates perf.data files, against "perf report --stdio -g"
# and "perf script" on the same files, in the same run.
#
# Captures (made here with perf record, cpu-clock at a fixed period, two
# processes at once: a C program with many distinct functions and python3
# running code with many distinct frames):
#   fp-10k fp-100k fp-1M         perf record -g
#   dwarf-10k dwarf-100k         perf record --call-graph dwarf (8 KiB stacks)
# Each tool runs RUNS times per file (median reported); files of 100k samples
# and more RUNS_BIG times (default 1); peak RSS from /usr/bin/time.
#
# Usage: bench/report.sh [BUILD_DIR]     (default: build)
# Env:   OUT=/tmp/scorch-bench-report  RUNS=3  RUNS_BIG=1  SIZES="fp-10k fp-100k fp-1M dwarf-10k dwarf-100k"
#        SCALE=1 (multiplies the recording lengths, when other jobs share the CPUs)
set -eu
cd "$(dirname "$0")/.."

BUILD=${1:-build}
CLI=$BUILD/src/cli/scorch-cli
WL=$BUILD/bench/bench-report-workload
PY=bench/bench-workload.py
OUT=${OUT:-/tmp/scorch-bench-report}
RUNS=${RUNS:-3}
RUNS_BIG=${RUNS_BIG:-1}
SIZES=${SIZES:-"fp-10k fp-100k fp-1M dwarf-10k dwarf-100k"}
PERIOD=20000            # ns of cpu-clock: 50 kHz per busy CPU

for f in "$CLI" "$WL"; do
  [ -x "$f" ] || { echo "missing $f: meson compile -C $BUILD" >&2; exit 1; }
done
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }
mkdir -p "$OUT"


# samples per second this machine gives (CPUs may be shared): measured once
RATE=
calibrate () {
  [ -n "$RATE" ] && return
  perf record -q -e cpu-clock -c $PERIOD -g -o "$OUT/.calib.data" -- \
    sh -c "$WL 2 & python3 $PY 2 & wait" >/dev/null 2>&1
  n=$(perf script -i "$OUT/.calib.data" -F time 2>/dev/null | wc -l)
  RATE=$(awk -v n="$n" 'BEGIN { r = n / 2.0; if (r < 1000) r = 1000; printf "%d", r }')
  echo "calibration: about $RATE samples/s" >&2
  rm -f "$OUT/.calib.data"
}

capture () {
  name=$1; mode=$2; want=$3
  file=$OUT/$name.data
  if [ -f "$file" ]; then return; fi
  calibrate
  secs=$(awk -v n="$want" -v r="$RATE" -v k="${SCALE:-1}" 'BEGIN { printf "%.2f", n / r * 1.1 * k }')
  if [ "$mode" = dwarf ]; then cg="--call-graph dwarf"; else cg="-g"; fi
  echo "recording $name ($secs s)..." >&2
  perf record -q -e cpu-clock -c $PERIOD $cg -o "$file" -- \
    sh -c "$WL $secs & python3 $PY $secs & wait" >/dev/null 2>&1
}

# median of the numbers on stdin
median () { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# measure RUNS CMD...: prints "median_seconds max_rss_kb"
measure () {
  n=$1; shift
  : > "$OUT/.times"
  i=0
  while [ $i -lt "$n" ]; do
    /usr/bin/time -f "%e %M" -o "$OUT/.one" "$@" >/dev/null 2>"$OUT/.err" || { echo "failed: $*" >&2; cat "$OUT/.err" >&2; }
    cat "$OUT/.one" >> "$OUT/.times"
    i=$((i + 1))
  done
  t=$(awk '{ print $1 }' "$OUT/.times" | median)
  m=$(awk '{ print $2 }' "$OUT/.times" | sort -n | tail -1)
  echo "$t $m"
}

printf "%-11s %8s %6s | %8s %6s | %8s %6s | %8s %6s | %8s %6s | %7s %7s\n" \
  capture samples fileMB scorch MB sc-nosym MB perf-rep MB perf-scr MB rep/sc scr/sc
for size in $SIZES; do
  mode=${size%%-*}
  case ${size#*-} in
    10k) want=10000 ;; 100k) want=100000 ;; 1M) want=1000000 ;;
    *) echo "bad size $size" >&2; exit 1 ;;
  esac
  capture "$size" "$mode" "$want"
  file=$OUT/$size.data
  n=$(perf script -i "$file" -F time 2>/dev/null | wc -l)
  mb=$(du -m "$file" | cut -f1)
  runs=$RUNS; big=$RUNS
  [ "$want" -ge 100000 ] && big=$RUNS_BIG
  set -- $(measure "$big" "$CLI" report --tsv "$file");  sc_t=$1; sc_m=$2
  set -- $(measure "$big" env SCORCH_LOAD_OFFLINE=1 "$CLI" report --tsv "$file"); so_t=$1; so_m=$2
  set -- $(measure "$big" perf report -i "$file" --stdio -g); pr_t=$1; pr_m=$2
  set -- $(measure "$big" perf script -i "$file");         ps_t=$1; ps_m=$2
  printf "%-11s %8s %6s | %8.2f %6d | %8.2f %6d | %8.2f %6d | %8.2f %6d | %7.2f %7.2f\n" \
    "$size" "$n" "$mb" "$sc_t" $((sc_m / 1024)) "$so_t" $((so_m / 1024)) "$pr_t" $((pr_m / 1024)) "$ps_t" $((ps_m / 1024)) \
    "$(awk -v a="$pr_t" -v b="$sc_t" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
    "$(awk -v a="$ps_t" -v b="$sc_t" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done
echo "times: median seconds of $RUNS runs ($RUNS_BIG for 100k samples and more); MB: peak RSS"
echo "sc-nosym: scorch-cli report with SCORCH_LOAD_OFFLINE=1 (reader, process table, analyzer, profile; no symbolization or DWARF unwinding)"
echo "rep/sc = perf report -g time / scorch time (higher is better for Scorch); scr/sc likewise for perf script"
