#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the dependencies, builds Scorch, and launches it from the build
# tree (arguments are passed to scorch, e.g. a perf.data file to open).
set -eu
cd "$(dirname "$0")/.."
./tools/install-deps.sh
if [ -f build/build.ninja ]; then
  # A tree configured for servers (-Dgtk=false) has no app: turn it on.
  meson configure build -Dgtk=true >/dev/null
else
  meson setup build -Dgtk=true
fi
meson compile -C build

# Uninstalled, the app finds its GSettings schema in the build tree.
GSETTINGS_SCHEMA_DIR="$PWD/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
export GSETTINGS_SCHEMA_DIR

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run.sh: no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)." >&2
  echo "run.sh: Scorch is built: ./build/src/app/scorch. Checking that it starts on a virtual display..." >&2
  GSETTINGS_BACKEND=memory exec ./tests/run-under-xvfb.sh ./build/tests/test-window
fi

exec ./build/src/app/scorch "$@"
