#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a UI test program under its own Xvfb server and D-Bus session:
#   run-under-xvfb.sh PROGRAM [ARGS...]
# The program's stdout (TAP) passes through untouched; Xvfb's output goes to
# a log that is printed on stderr only if the server fails. Exits with the
# program's status.
set -u

if [ $# -lt 1 ]; then
  echo "usage: $0 PROGRAM [ARGS...]" >&2
  exit 2
fi

if ! command -v Xvfb >/dev/null 2>&1; then
  echo "run-under-xvfb: Xvfb not found (Debian: apt-get install xvfb)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scorch-xvfb.XXXXXX") || exit 1
xvfb_pid=""

cleanup () {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -displayfd makes the server pick a free display itself and write its
# number once it accepts connections: no race between parallel tests.
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset \
  3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!

tries=0
while [ ! -s "$tmp/display" ]; do
  if ! kill -0 "$xvfb_pid" 2>/dev/null; then
    echo "run-under-xvfb: Xvfb exited before it was ready:" >&2
    cat "$tmp/xvfb.log" >&2
    xvfb_pid=""
    exit 1
  fi
  tries=$((tries + 1))
  if [ "$tries" -gt 300 ]; then
    echo "run-under-xvfb: Xvfb did not start within 15 s" >&2
    exit 1
  fi
  sleep 0.05
done

DISPLAY=":$(head -n 1 "$tmp/display")"
export DISPLAY
GDK_BACKEND=x11
export GDK_BACKEND
: "${GSK_RENDERER:=cairo}"
export GSK_RENDERER
# No accessibility bus in a private session: tests that need one set GTK_A11Y.
: "${GTK_A11Y:=none}"
export GTK_A11Y
unset WAYLAND_DISPLAY

# A private session bus, so the application registers its name without
# touching (or needing) the desktop's.
if command -v dbus-run-session >/dev/null 2>&1; then
  dbus-run-session -- "$@"
else
  "$@"
fi
status=$?
exit $status
