#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs everything Scorch needs to build, test and benchmark on
# Debian 12 / Ubuntu. Idempotent; works as root or through sudo.
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: run as root or install sudo" >&2
    exit 1
  fi
fi

PACKAGES="
  build-essential gcc g++ clang llvm libclang-rt-14-dev
  meson ninja-build pkg-config git
  libglib2.0-dev libglib2.0-bin libpcre2-dev
  libgtk-4-dev libgtk-4-bin libadwaita-1-dev
  libcairo2-dev libpango1.0-dev
  libdw-dev libelf-dev libdebuginfod-dev elfutils
  libunwind-dev
  libiberty-dev binutils
  libjson-glib-dev
  libzstd-dev
  linux-perf
  xvfb xauth xdotool x11-utils
  libxml2-utils locales
  libxml2-dev
  desktop-file-utils appstream gettext itstool
  python3
  rustc lld
  hyperfine time
  adwaita-icon-theme hicolor-icon-theme librsvg2-common shared-mime-info
  fonts-cantarell fonts-dejavu-core
  dbus-daemon dconf-gsettings-backend gsettings-desktop-schemas at-spi2-core
"

# -- formats: pprof (protobuf-c, zlib), and the tests that check exports with
# the tools people run: Go's pprof, headless Chromium, node for puppeteer-core,
# speedscope's schema and ajv (npm packages: see the end of this script) --
PACKAGES="$PACKAGES
  protobuf-c-compiler libprotobuf-c-dev zlib1g-dev
  golang-go chromium nodejs
"

# annotate (source and disassembly view): Capstone for the disassembly,
# GtkSourceView 5 for the source view, eu-addr2line (elfutils) and clang
# for its tests
PACKAGES="$PACKAGES
  libcapstone-dev libgtksourceview-5-dev elfutils clang
"

# reach: sysprofd (GNOME's polkit-authorized perf broker) and polkitd, for
# the reach-record test on a private system bus
PACKAGES="$PACKAGES
  sysprof polkitd
"

# symbol paths: perf archive tarballs are read with libarchive (dlopen()ed
# at run time by its SONAME, as libdebuginfod: the -dev packages give the
# headers and the SONAME at build time, libarchive13 and libdebuginfod1
# the libraries, optional at run time); the
# symbol-sources test serves a binary with a local debuginfod and polls it
# with curl; `perf archive` (in that test) packs with `tar cjf`, which needs
# the bzip2 program (priority standard, so not in a minimal image)
PACKAGES="$PACKAGES
  libarchive-dev debuginfod curl bzip2
"

# Only talk to the network when something is missing.
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  # shellcheck disable=SC2086
  $SUDO apt-get install -y --no-install-recommends $missing
fi

# The output tests check JSON and numbers under a comma-decimal locale.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
  $SUDO localedef -i de_DE -f UTF-8 de_DE.UTF-8 || echo "install-deps: could not generate de_DE.UTF-8" >&2
fi

# -- formats: npm packages of the browser and schema tests, pinned by
# tests/browser/package-lock.json, installed into tests/browser/node_modules
# (offline afterwards). Some nodejs builds bundle npm; Debian's splits it out. --
if ! command -v npm >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends npm
fi
# The lock file is compared by content with a copy kept beside the modules
# when they were installed, not by date: a fresh checkout's files are all
# newer than the modules, and npm ci empties node_modules first (through a
# link, too, into another checkout's modules).
browser_dir="$(dirname "$0")/../tests/browser"
if ! cmp -s "$browser_dir/package-lock.json" "$browser_dir/node_modules/.scorch-installed-lock.json"; then
  (cd "$browser_dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp "$browser_dir/package-lock.json" "$browser_dir/node_modules/.scorch-installed-lock.json"
fi
