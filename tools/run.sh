#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the dependencies, builds Scorch, and launches it (arguments are
# passed to scorch, e.g. a perf.data file to open).
set -eu
cd "$(dirname "$0")/.."
./tools/install-deps.sh
if [ ! -f build/build.ninja ]; then
  meson setup build
fi
meson compile -C build
exec ./build/src/app/scorch "$@"
