#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bench/flatpak-local.sh: runs the local Flatpak check (tools/flatpak-local.sh)
# from bench/, not from .ci/run: it installs packages, a runtime and an app
# for the user, and needs root (or sudo), so it is no part of the test suite.
#
# Usage: bench/flatpak-local.sh [TEST...]   (record denied sysprofd host-libs window)
# Env:   SCORCH_FLATPAK_WORK (default: _flatpak-local in the source tree)
# Output: PASS/FAIL/SKIP per test, a summary, and the wall time; exit status
#         non-zero when a test fails.
set -eu
cd "$(dirname "$0")/.."
start=$(date +%s)
status=0
tools/flatpak-local.sh "$@" || status=$?
echo "bench/flatpak-local.sh: $(( $(date +%s) - start )) s wall, exit $status"
exit $status
