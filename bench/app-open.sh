#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/app-open.sh: how long opening a capture in a running Scorch window
# takes (the Open action → the profile shown → the main loop idle again),
# beside `scorch-cli report --tsv` on the same file, in the same run.
#
# The app runs under its own Xvfb and D-Bus session with
# SCORCH_TRACE_TIMING=1, which makes the window print, per opened capture:
#   scorch-timing: open load=L shown=S idle=I main-cpu=C majflt=M minflt=N
# (seconds since the open: the loader returned, the views were given the
# profile, the main loop was idle after the first frame painted with it;
# C: CPU seconds the main thread spent from the open to idle, which does
# not grow when other jobs share the machine, as wall times do; M and N:
# the process's major and minor page faults from the open to idle, a major
# one a page read from disk).
# Each run starts the app with no file, waits until its window is up, then
# opens FILE through a second `scorch FILE` (GApplication's remote open:
# the same path as the Open action, in the running app), reads the line
# and ends the app. "cold" runs start the app with FILE on its command
# line instead (window creation and first show inside the measure).
#
# Like for like: the CLI and the app's open are both timed after the same
# idle gap of WARM seconds (nothing of this script running), with the
# capture read (cat) just before.  On a VM that hands freed memory back to
# its host, a process that faults fresh memory after a few idle seconds
# spends 0.1-0.15 s more system time than one that runs right after
# another big process freed memory (bench/README.md "Why the same fp-1M
# load reads 0.33 s or 0.45 s"); the app's open always came after the
# empty window's WARM seconds, and until stop 25 the CLI ran right after
# the previous app stopped, so the CLI column was the fast case and the
# app's the slow one.  With EACH=1 the CLI is also timed that old way,
# right after the previous app stopped (cli-b2b in each run's line), to
# show what the gap costs on the machine at hand.
#
# Frames and the X server: cycles and paints are the window's frame-clock
# cycles and paints from the open to idle (the counts in the phases line:
# every before-paint mark is a cycle, every paint mark a paint); x-cpu is
# the X server's CPU (Xvfb here, a compositor on a desktop) from the remote
# open to the timing line, in ms (from /proc, 10 ms ticks).
#
# The CLI's load alone: cli-load is the seconds of its load (the line
# `scorch-cli report` prints with SCORCH_TRACE_TIMING=1: scorch_load_sync,
# without the process's start, dynamic linking and output), and load-cli
# the app's load-s minus that: the same loader, in the app's process
# beside its window and the X server, against the CLI's.
#
# With PHASES=1, the window's "scorch-phases:" line of each file's last
# run follows the table: the main thread's CPU ms per span (loading frames,
# D: the views given the profile, S: the first frame, I: up to idle).
#
# Usage: bench/app-open.sh [BUILD_DIR] FILE...     (default BUILD_DIR: build)
# Env:   RUNS=5  WARM=2 (the idle gap before each timed run, seconds)  COLD=1  PHASES=0
#        EACH=1: each run's figures on stderr as it ends (and the CLI also timed
#        right after the previous app stopped, cli-b2b)
set -eu
cd "$(dirname "$0")/.."

BUILD=build
if [ $# -gt 0 ] && [ -d "$1" ] && [ ! -f "$1" ]; then BUILD=$1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [BUILD_DIR] FILE..." >&2; exit 2; }
RUNS=${RUNS:-5}
WARM=${WARM:-2}
COLD=${COLD:-1}
APP=$BUILD/src/app/scorch
CLI=$BUILD/src/cli/scorch-cli
for f in "$APP" "$CLI"; do
  [ -x "$f" ] || { echo "missing $f: meson compile -C $BUILD" >&2; exit 1; }
done

# One D-Bus session and one X server for the whole run.
if [ -z "${SCORCH_APP_OPEN_INNER:-}" ]; then
  command -v Xvfb >/dev/null || { echo "Xvfb is not installed" >&2; exit 1; }
  command -v dbus-run-session >/dev/null || { echo "dbus-run-session is not installed" >&2; exit 1; }
  SCORCH_APP_OPEN_INNER=1 exec dbus-run-session -- "$0" "$BUILD" "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scorch-app-open.XXXXXX")
xvfb_pid=
app_pid=
cleanup () {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || :
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || :
  rm -rf "$tmp"
}
trap cleanup EXIT
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
i=0
while [ ! -s "$tmp/display" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
DISPLAY=:$(cat "$tmp/display")
export DISPLAY
export GDK_BACKEND=x11 GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$BUILD/data
export NO_AT_BRIDGE=1 GSK_RENDERER=${GSK_RENDERER:-cairo}

median () { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# waits (up to 120 s) for the timing line in $1; prints it
wait_line () {
  i=0
  while ! grep -q '^scorch-timing: open' "$1" 2>/dev/null; do
    sleep 0.05; i=$((i + 1))
    if [ $i -gt 2400 ] || ! kill -0 "$app_pid" 2>/dev/null; then
      echo "no timing line; app log:" >&2; cat "$1" >&2; return 1
    fi
  done
  grep '^scorch-timing: open' "$1" | head -1
}

stop_app () {
  kill "$app_pid" 2>/dev/null || :
  wait "$app_pid" 2>/dev/null || :
  app_pid=
}

field () { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }

# the CLI on $1, wall seconds appended to $2; $tmp/one: wall, $tmp/one.more:
# "(load L sys S majflt M)", its load's seconds (cli-load), system time and
# major page faults, for EACH=1; the load's seconds also appended to $2.load
time_cli () {
  SCORCH_TRACE_TIMING=1 /usr/bin/time -f "%e %S %F" -o "$tmp/one" "$CLI" report --tsv "$1" >/dev/null 2>"$tmp/err" ||
    { echo "scorch-cli failed:" >&2; cat "$tmp/err" >&2; }
  # the load alone (its timing line; none from a CLI before stop 27)
  cli_load=$(grep '^scorch-timing: report' "$tmp/err" | field load) || :
  [ -n "$cli_load" ] && echo "$cli_load" >> "$2.load"
  tail -1 "$tmp/one" | awk -v l="${cli_load:-nan}" '{ printf "(load %s sys %s majflt %s)", l, $2, $3 }' > "$tmp/one.more"
  tail -1 "$tmp/one" | awk '{ print $1 }' > "$tmp/one.e" && mv "$tmp/one.e" "$tmp/one"
  cat "$tmp/one" >> "$2"
}

# the X server's CPU so far, in ms (utime + stime of /proc/PID/stat)
x_cpu () {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) * 1000 / hz }' "/proc/$xvfb_pid/stat"
}

# frame-clock cycles (before-paint marks) and paints in a phases line
count_marks () {
  awk -v what="$1" '{ n = 0
    for (i = 1; i <= NF; i++) {
      split ($i, kv, "="); name = kv[1]; sub (/^[A-Z]:/, "", name)
      if (name != what) continue
      if (match ($i, /\(x[0-9]+\)/)) n += substr ($i, RSTART + 2, RLENGTH - 3); else n++
    }
    print n }'
}

printf "%-28s %8s %8s | %8s %8s %8s %8s %6s %6s %6s %6s | %8s | %8s %8s\n" file cli-s cli-load load-s shown-s idle-s main-cpu majflt cycles paints x-cpu cold-s "idle-cli" "load-cli"
for file in "$@"; do
  : > "$tmp/cli"; : > "$tmp/cli.load"; : > "$tmp/cli-b2b"; : > "$tmp/cli-b2b.load"; : > "$tmp/load"; : > "$tmp/shown"; : > "$tmp/idle"; : > "$tmp/cold"; : > "$tmp/cpu"; : > "$tmp/majflt"
  : > "$tmp/cycles"; : > "$tmp/paints"; : > "$tmp/xcpu"
  r=0
  while [ $r -lt "$RUNS" ]; do
    # The condition before stop 25, for comparison only: right after the
    # previous app (or CLI) freed its memory.
    b2b=
    if [ "${EACH:-0}" = 1 ]; then
      time_cli "$file" "$tmp/cli-b2b"
      b2b=" cli-b2b=$(cat "$tmp/one")$(cat "$tmp/one.more")"
    fi
    # The CLI after the idle gap the app's open gets, its input read just before.
    sleep "$WARM"
    cat "$file" > /dev/null
    time_cli "$file" "$tmp/cli"
    cli_one=$(cat "$tmp/one")$(cat "$tmp/one.more")

    # In a running app: an empty window first, then (after the same gap
    # and read) a remote open.
    SCORCH_TRACE_TIMING=1 "$APP" >"$tmp/app.log" 2>&1 &
    app_pid=$!
    sleep "$WARM"
    cat "$file" > /dev/null
    x0=$(x_cpu)
    "$APP" "$file" >/dev/null 2>&1 || :
    line=$(wait_line "$tmp/app.log") || { stop_app; r=$((r + 1)); continue; }
    x1=$(x_cpu)
    echo "$line" | field load >> "$tmp/load"
    echo "$line" | field shown >> "$tmp/shown"
    echo "$line" | field idle >> "$tmp/idle"
    echo "$line" | field main-cpu >> "$tmp/cpu"
    echo "$line" | field majflt >> "$tmp/majflt"
    xcpu=$(awk -v a="$x0" -v b="$x1" 'BEGIN { print b - a }')
    echo "$xcpu" >> "$tmp/xcpu"
    # the phases line comes right after the timing line
    i=0
    while ! grep -q '^scorch-phases: open' "$tmp/app.log" && [ $i -lt 20 ]; do sleep 0.05; i=$((i + 1)); done
    phases=$(grep '^scorch-phases: open' "$tmp/app.log" | head -1)
    cycles=nan; paints=nan
    if [ -n "$phases" ]; then
      cycles=$(echo "$phases" | count_marks before-paint); paints=$(echo "$phases" | count_marks paint)
    fi
    echo "$cycles" >> "$tmp/cycles"; echo "$paints" >> "$tmp/paints"
    [ "${EACH:-0}" = 1 ] && echo "  $(basename "$file") run $r: cli=$cli_one$b2b ${line#scorch-timing: open } cycles=$cycles paints=$paints x-cpu=$xcpu" >&2
    stop_app
    echo "$phases" | sed -n "s|^scorch-phases: open:|$(basename "$file"):|p" > "$tmp/phases.last" || :

    if [ "$COLD" = 1 ]; then
      # Cold: the file on the command line (window creation included),
      # after the same gap and read.
      sleep "$WARM"
      cat "$file" > /dev/null
      SCORCH_TRACE_TIMING=1 "$APP" "$file" >"$tmp/app.log" 2>&1 &
      app_pid=$!
      if line=$(wait_line "$tmp/app.log"); then
        echo "$line" | field idle >> "$tmp/cold"
      fi
      stop_app
    fi
    r=$((r + 1))
  done
  cat "$tmp/phases.last" >> "$tmp/phases" 2>/dev/null || :
  cli=$(median < "$tmp/cli"); idle=$(median < "$tmp/idle")
  cli_load=$(median < "$tmp/cli.load"); load=$(median < "$tmp/load")
  printf "%-28s %8.3f %8s | %8.3f %8.3f %8.3f %8s %6s %6s %6s %6s | %8s | %+8.3f %8s\n" "$(basename "$file")" "$cli" "$cli_load" \
    "$load" "$(median < "$tmp/shown")" "$idle" "$(median < "$tmp/cpu")" "$(median < "$tmp/majflt")" \
    "$(median < "$tmp/cycles")" "$(median < "$tmp/paints")" "$(median < "$tmp/xcpu")" \
    "$(median < "$tmp/cold")" \
    "$(awk -v a="$idle" -v b="$cli" 'BEGIN { print a - b }')" \
    "$(awk -v a="$load" -v b="$cli_load" 'BEGIN { if (b == "nan") print "nan"; else printf "%+.3f", a - b }')"
  [ "${EACH:-0}" = 1 ] && echo "  $(basename "$file"): cli-b2b median $(median < "$tmp/cli-b2b") s (right after the previous app stopped)" >&2
done
echo "medians of $RUNS runs; both the CLI and the open in the app are timed after an idle gap of $WARM s"
echo "with the capture read just before; cli-s: scorch-cli report --tsv (whole process); load/shown/idle: seconds from"
echo "the open in a running window to the loader's result / the views given the profile / the main loop idle"
echo "after the first frame; main-cpu: the main thread's CPU seconds from the open to idle (nan: an app"
echo "without it); majflt: the app's major page faults from the open to idle (pages read from disk;"
echo "nan: an app without it); cycles/paints: the window's frame-clock cycles and paints from the open to"
echo "idle; x-cpu: the X server's CPU ms from the open to the timing line; cold-s: idle with the file on the"
echo "app's command line; idle-cli: idle - cli-s; cli-load: the CLI's load alone (its SCORCH_TRACE_TIMING line:"
echo "scorch_load_sync, without the process's start and the output; nan: a CLI without it); load-cli: load-s - cli-load"
if [ "${PHASES:-0}" = 1 ] && [ -s "$tmp/phases" ]; then
  echo "phases of each file's last run:"
  cat "$tmp/phases"
fi
