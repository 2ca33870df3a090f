#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/report.sh: how fast "scorch-cli report --tsv" loads, unwinds,
# symbolizes and aggregates perf.data files, against "perf report --stdio -g"
# and Hotspot's perfparser (hotspot-perfparser) on the same files, in the
# same run; optionally against a second Scorch build (BEFORE=DIR).
#
# Captures (made here with perf record, cpu-clock at a fixed period, two
# processes at once: a C program with many distinct functions and python3
# running code with many distinct frames):
#   fp-10k fp-100k fp-1M         perf record -g
#   dwarf-10k dwarf-100k         perf record --call-graph dwarf (8 KiB stacks)
# Each tool runs RUNS times per file (median reported); files of 100k samples
# and more RUNS_BIG times (default 1). Peak RSS: total from GNU time (max
# resident set, file pages included); anonymous (RssAnon, what the process
# allocated itself) polled from /proc/PID/status in one extra run of each
# Scorch build.
#
# perfparser comes with Debian's "hotspot" package; when it is missing the
# script installs it (apt-get install --no-install-recommends hotspot, as
# root or with sudo -n) unless INSTALL_PERFPARSER=0; PERFPARSER=PATH picks
# another binary; PERFPARSER=none skips it.
#
# Usage: bench/report.sh [BUILD_DIR]     (default: build)
# Env:   OUT=/tmp/scorch-bench-report  RUNS=3  RUNS_BIG=1  SIZES="fp-10k fp-100k fp-1M dwarf-10k dwarf-100k"
#        SCALE=1 (multiplies the recording lengths, when other jobs share the CPUs)
#        BEFORE=DIR (another build dir, e.g. of an older commit, timed on the same files,
#        its runs alternating with this build's)
#        EXTRA=1 (also scorch with SCORCH_LOAD_OFFLINE=1 and perf script)
#        COLD=0 (skips the cold column)
# Scorch keeps a persistent cache (symbol tables, symbolized addresses and
# kallsyms, under $XDG_CACHE_HOME/scorch/symbols): the "scorch" and
# "before" columns are warm (one run of each build on the file first),
# "cold" is this build with an empty cache directory each run
# (SCORCH_SYMBOL_CACHE_DIR=a new temporary directory; its writes included).
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
if [ -n "${BEFORE:-}" ] && [ ! -x "$BEFORE/src/cli/scorch-cli" ]; then
  echo "missing $BEFORE/src/cli/scorch-cli" >&2; exit 1
fi
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }
mkdir -p "$OUT"

find_perfparser () {
  for p in $(command -v hotspot-perfparser 2>/dev/null) \
           /usr/lib/x86_64-linux-gnu/libexec/hotspot-perfparser /usr/libexec/hotspot-perfparser; do
    [ -x "$p" ] && { echo "$p"; return 0; }
  done
  p=$(dpkg -L hotspot 2>/dev/null | grep '/hotspot-perfparser$' | head -1)
  [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return 0; }
  return 1
}
PERFPARSER=${PERFPARSER:-}
if [ -z "$PERFPARSER" ]; then
  if ! PERFPARSER=$(find_perfparser); then
    if [ "${INSTALL_PERFPARSER:-1}" = 1 ]; then
      echo "installing hotspot (for hotspot-perfparser)..." >&2
      if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hotspot >&2 || :
      else
        sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hotspot >&2 || :
      fi
    fi
    PERFPARSER=$(find_perfparser) || { echo "hotspot-perfparser not found: its column is skipped" >&2; PERFPARSER=none; }
  fi
fi

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

# This VM gives cached file pages back within seconds even with most of
# its memory free (fincore: 10 of fp-1M's 77 MB gone 20 s after a read),
# so a "warm" run was warm or half cold depending on what ran just before
# it.  Every timed run of every tool reads the capture first (WARM_FILE,
# set per file below), so each starts with it cached.
warm () { if [ -n "${WARM_FILE:-}" ]; then cat "$WARM_FILE" >/dev/null; fi; }

# measure RUNS CMD...: prints "median_seconds max_rss_kb"
measure () {
  n=$1; shift
  : > "$OUT/.times"
  i=0
  while [ $i -lt "$n" ]; do
    warm
    /usr/bin/time -f "%e %M" -o "$OUT/.one" "$@" >/dev/null 2>"$OUT/.err" || { echo "failed: $*" >&2; tail -5 "$OUT/.err" >&2; }
    cat "$OUT/.one" >> "$OUT/.times"
    i=$((i + 1))
  done
  t=$(awk '{ print $1 }' "$OUT/.times" | median)
  m=$(awk '{ print $2 }' "$OUT/.times" | sort -n | tail -1)
  echo "$t $m"
}

# measure_ab RUNS "CMD_A" "CMD_B" FILE: the two Scorch builds run in
# alternation (A, B, A, B, ...), so that a change of the machine's load
# hits both; prints "medA maxrssA medB maxrssB"
measure_ab () {
  n=$1; a=$2; b=$3; f=$4
  : > "$OUT/.ta"; : > "$OUT/.tb"
  i=0
  while [ $i -lt "$n" ]; do
    warm
    /usr/bin/time -f "%e %M" -o "$OUT/.one" "$a" report --tsv "$f" >/dev/null 2>"$OUT/.err" || { echo "failed: $a" >&2; tail -5 "$OUT/.err" >&2; }
    cat "$OUT/.one" >> "$OUT/.ta"
    warm
    /usr/bin/time -f "%e %M" -o "$OUT/.one" "$b" report --tsv "$f" >/dev/null 2>"$OUT/.err" || { echo "failed: $b" >&2; tail -5 "$OUT/.err" >&2; }
    cat "$OUT/.one" >> "$OUT/.tb"
    i=$((i + 1))
  done
  echo "$(awk '{ print $1 }' "$OUT/.ta" | median) $(awk '{ print $2 }' "$OUT/.ta" | sort -n | tail -1)" \
       "$(awk '{ print $1 }' "$OUT/.tb" | median) $(awk '{ print $2 }' "$OUT/.tb" | sort -n | tail -1)"
}

# anon_peak CMD...: runs CMD once, prints its peak RssAnon in kB (polled
# every 20 ms with shell builtins only, so that the poll costs little)
anon_peak () {
  "$@" >/dev/null 2>&1 &
  pid=$!
  peak=0
  while [ -r /proc/$pid/status ] && kill -0 $pid 2>/dev/null; do
    while read -r key value rest; do
      if [ "$key" = "RssAnon:" ]; then
        [ "$value" -gt "$peak" ] && peak=$value
        break
      fi
    done < /proc/$pid/status 2>/dev/null || :
    sleep 0.02
  done
  wait $pid 2>/dev/null || :
  echo "$peak"
}

mb () { echo $(( $1 / 1024 )); }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

printf "%-10s %8s %5s | %6s %5s %5s |" capture samples fileMB scorch anonMB MB
[ "${COLD:-1}" = 1 ] && printf " %6s %5s |" cold MB
[ -n "${BEFORE:-}" ] && printf " %6s %5s %5s |" before anonMB MB
printf " %7s %5s | %7s %5s |" perf-rep MB parser MB
[ "${EXTRA:-0}" = 1 ] && printf " %6s %5s | %7s %5s |" nosym MB perf-scr MB
printf " %6s %6s\n" best/sc target
for size in $SIZES; do
  mode=${size%%-*}
  case ${size#*-} in
    10k) want=10000 ;; 100k) want=100000 ;; 1M) want=1000000 ;;
    *) echo "bad size $size" >&2; exit 1 ;;
  esac
  capture "$size" "$mode" "$want"
  file=$OUT/$size.data
  WARM_FILE=$file
  n=$(perf script -i "$file" -F time 2>/dev/null | wc -l)
  fmb=$(du -m "$file" | cut -f1)
  big=$RUNS
  [ "$want" -ge 100000 ] && big=$RUNS_BIG
  # warm the persistent caches of both builds
  "$CLI" report --tsv "$file" >/dev/null 2>&1 || :
  [ -n "${BEFORE:-}" ] && { "$BEFORE/src/cli/scorch-cli" report --tsv "$file" >/dev/null 2>&1 || :; }
  if [ "${COLD:-1}" = 1 ]; then
    set -- $(measure "$big" sh -c 'd=$(mktemp -d); SCORCH_SYMBOL_CACHE_DIR=$d "$0" report --tsv "$1"; r=$?; rm -rf "$d"; exit $r' "$CLI" "$file"); co_t=$1; co_m=$2
  fi
  if [ -n "${BEFORE:-}" ]; then
    set -- $(measure_ab "$big" "$CLI" "$BEFORE/src/cli/scorch-cli" "$file"); sc_t=$1; sc_m=$2; bf_t=$3; bf_m=$4
    bf_a=$(anon_peak "$BEFORE/src/cli/scorch-cli" report --tsv "$file")
  else
    set -- $(measure "$big" "$CLI" report --tsv "$file"); sc_t=$1; sc_m=$2
  fi
  sc_a=$(anon_peak "$CLI" report --tsv "$file")
  set -- $(measure "$big" perf report -i "$file" --stdio -g); pr_t=$1; pr_m=$2
  if [ "$PERFPARSER" != none ]; then
    set -- $(measure "$big" "$PERFPARSER" --input "$file" --output /dev/null); pp_t=$1; pp_m=$2
    best=$(awk -v a="$pr_t" -v b="$pp_t" 'BEGIN { print (a < b ? a : b) }')
  else
    pp_t=0; pp_m=0; best=$pr_t
  fi
  if [ "$mode" = dwarf ]; then target=5; else target=10; fi
  printf "%-10s %8s %5s | %6.2f %5d %5d |" "$size" "$n" "$fmb" "$sc_t" "$(mb "$sc_a")" "$(mb "$sc_m")"
  [ "${COLD:-1}" = 1 ] && printf " %6.2f %5d |" "$co_t" "$(mb "$co_m")"
  [ -n "${BEFORE:-}" ] && printf " %6.2f %5d %5d |" "$bf_t" "$(mb "$bf_a")" "$(mb "$bf_m")"
  printf " %7.2f %5d | %7.2f %5d |" "$pr_t" "$(mb "$pr_m")" "$pp_t" "$(mb "$pp_m")"
  if [ "${EXTRA:-0}" = 1 ]; then
    set -- $(measure "$big" env SCORCH_LOAD_OFFLINE=1 "$CLI" report --tsv "$file"); so_t=$1; so_m=$2
    set -- $(measure "$big" perf script -i "$file"); ps_t=$1; ps_m=$2
    printf " %6.2f %5d | %7.2f %5d |" "$so_t" "$(mb "$so_m")" "$ps_t" "$(mb "$ps_m")"
  fi
  printf " %6s %6s" "$(ratio "$best" "$sc_t")" "≥$target"
  [ "${COLD:-1}" = 1 ] && printf " cold: %s" "$(ratio "$best" "$co_t")"
  printf "\n"
done
echo "times: median seconds of $RUNS runs ($RUNS_BIG for 100k samples and more); anonMB: peak RssAnon (one run); MB: peak RSS (GNU time)"
echo "parser: $PERFPARSER --input FILE --output /dev/null; best/sc: the faster of perf report -g and perfparser over scorch"
echo "target (issue 13): best/sc ≥ 10 on frame-pointer captures, ≥ 5 on DWARF ones; anonymous RSS ≤ 150 MB"
[ "${EXTRA:-0}" = 1 ] && echo "nosym: scorch-cli report with SCORCH_LOAD_OFFLINE=1 (no symbolization or DWARF unwinding)"
exit 0
