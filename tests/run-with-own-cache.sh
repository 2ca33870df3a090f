#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-with-own-cache.sh DIR PROGRAM [ARGS...]: runs PROGRAM with
# XDG_CACHE_HOME=DIR, emptied first, so that no test depends on a cache
# (Scorch's persistent symbol cache lives in $XDG_CACHE_HOME/scorch) left
# by an earlier run or another test.  DIR must be a directory of the build
# tree named after the test (tests/meson.build passes it).
#
# HOME becomes DIR/home as well: perf record writes its build-id cache to
# ~/.debug, and two perf records of parallel tests writing one ~/.debug
# can fail ("assertion failed at util/build-id.c"); a test that reads
# perf's build-id cache then also sees only what it recorded itself.
set -eu
dir=$1
shift
case "$dir" in
  */xdg-cache/*) ;;
  *) echo "run-with-own-cache.sh: refusing to empty $dir" >&2; exit 99 ;;
esac
rm -rf "$dir"
mkdir -p "$dir"
mkdir -p "$dir/home"
XDG_CACHE_HOME=$dir
# rustup finds its toolchains under the real home (tests build Rust
# workloads with rustc): keep them there
if [ -n "${HOME:-}" ]; then
  RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
  CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
  export RUSTUP_HOME CARGO_HOME
fi
HOME=$dir/home
export XDG_CACHE_HOME HOME
exec "$@"
