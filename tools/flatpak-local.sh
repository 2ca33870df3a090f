#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/flatpak-local.sh: a real Flatpak check of Scorch on this machine,
# without Flathub and without an SDK.
#
#  1. installs what it needs (flatpak, Xvfb, ImageMagick, sysprof, ...)
#  2. builds Scorch on the host with --prefix=/app (building inside the
#     sandbox would need a whole SDK)
#  3. makes a small local runtime from the host's /usr: the shared-library
#     closure (ldd) of scorch and scorch-cli, a shell and coreutils,
#     ldconfig, GSettings schemas, the Adwaita icons, gdk-pixbuf loaders,
#     fontconfig and one font; exports it with
#     `flatpak build-export --runtime` into a local repo and installs it
#     (`flatpak --user remote-add --no-gpg-verify`, `flatpak --user install`)
#  4. puts the host build into an app, finishes it with the manifest's
#     finish-args (read from flatpak/*.json: one source of truth), exports
#     and installs it
#  5. runs the `flatpak` tests, printing PASS/FAIL/SKIP per test and a
#     summary; exits non-zero when a test fails.
#
# Usage: tools/flatpak-local.sh [TEST...]     (tests: record denied sysprofd host-attach host-libs window)
# Environment: SCORCH_FLATPAK_WORK (default: _flatpak-local in the source tree),
#              SCORCH_FLATPAK_KEEP_GOING=1 (go on after a failed test; the default).
#
# Runs as root (it installs packages and puts a fixture under
# /usr/local/lib/scorch-flatpak-check, removed at the end) or as a user with sudo.

set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${SCORCH_FLATPAK_WORK:-$SRC/_flatpak-local}
shopt -s nullglob
MANIFESTS=("$SRC"/flatpak/*.json "$SRC"/flatpak/*.yml "$SRC"/flatpak/*.yaml)
shopt -u nullglob
MANIFEST=${MANIFESTS[0]:-}
RUNTIME_ID=io.github.scorchprof.LocalPlatform
BRANCH=local
REMOTE=scorch-local
ARCH=$(uname -m)
HOST_FIXTURE=/usr/local/lib/scorch-flatpak-check
TESTS=("$@")
[ ${#TESTS[@]} -gt 0 ] || TESTS=(record denied sysprofd host-attach host-libs window)

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

log () { printf '== %s\n' "$*" >&2; }
die () { printf 'flatpak-local: %s\n' "$*" >&2; exit 2; }

T0=$(date +%s.%N)
elapsed () { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- manifest
[ -n "$MANIFEST" ] || die "no manifest in $SRC/flatpak"

# Prints the manifest's "id" and then its finish-args, one per line.  JSON
# through python3's json; YAML through a small parser of the two keys
# (top-level `id:` and the `finish-args:` list of `- item` lines).
manifest_read () {
  case "$MANIFEST" in
    *.json)
      python3 - "$MANIFEST" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
print(m.get("id") or m["app-id"])
for a in m.get("finish-args", []):
    print(a)
EOF
      ;;
    *)
      awk '
        /^(id|app-id):/ { v = $0; sub(/^[a-z-]+:[ \t]*/, "", v); gsub(/["'"'"']/, "", v); id = v }
        /^finish-args:/ { fa = 1; next }
        fa && /^[ \t]*-/ { v = $0; sub(/^[ \t]*-[ \t]*/, "", v); gsub(/^["'"'"']|["'"'"']$/, "", v); args[n++] = v; next }
        fa && /^[^ \t#]/ { fa = 0 }
        END { print id; for (i = 0; i < n; i++) print args[i] }' "$MANIFEST"
      ;;
  esac
}
mapfile -t MANIFEST_LINES < <(manifest_read)
APP_ID=${MANIFEST_LINES[0]}
FINISH_ARGS=("${MANIFEST_LINES[@]:1}")
[ -n "$APP_ID" ] || die "no id in $MANIFEST"

# ---------------------------------------------------------------- packages
PACKAGES="flatpak bubblewrap xvfb imagemagick xdotool sysprof dbus dbus-daemon fontconfig fonts-dejavu-core
          adwaita-icon-theme librsvg2-common shared-mime-info gcc meson ninja-build pkg-config"
missing=()
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/scorch-flatpak-runtime-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
mkdir -p "$WORK"

# ---------------------------------------------------------------- host build (--prefix=/app)
log "building Scorch on the host with --prefix=/app"
if [ ! -f "$WORK/build/build.ninja" ]; then
  meson setup "$WORK/build" "$SRC" --prefix=/app --libdir=lib -Dtests=false -Dgtk=true \
    -Dbuildtype=debugoptimized -Dc_args=-fno-omit-frame-pointer >"$WORK/setup.log"
fi
meson compile -C "$WORK/build" >"$WORK/compile.log" || { tail -30 "$WORK/compile.log"; die "build failed"; }
rm -rf "$WORK/destdir"
meson install -C "$WORK/build" --no-rebuild --destdir "$WORK/destdir" >"$WORK/install.log"
[ -x "$WORK/destdir/app/bin/scorch-cli" ] || die "no /app/bin/scorch-cli installed"
HOST_CLI=$WORK/build/src/cli/scorch-cli

# A busy loop shipped in the app (sleep alone burns almost no CPU).
cat >"$WORK/spin.c" <<'EOF'
#include <stdlib.h>
#include <time.h>
static volatile unsigned long sink;
__attribute__((noinline)) static void spin_inner (void) { for (int i = 0; i < 1000; i++) sink += i; }
int main (int argc, char **argv)
{
  double secs = argc > 1 ? atof (argv[1]) : 0.5;
  struct timespec a, b;
  clock_gettime (CLOCK_MONOTONIC, &a);
  do { spin_inner (); clock_gettime (CLOCK_MONOTONIC, &b); }
  while ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < secs);
  return 0;
}
EOF
gcc -O1 -g -fno-omit-frame-pointer -o "$WORK/destdir/app/bin/scorch-flatpak-spin" "$WORK/spin.c"

# The host-libs fixture: a program and a library on the host under
# /usr/local (the sandbox sees it at /run/host/usr/local), and a decoy
# library of the same path and another build id in the runtime.
fixture_lib () {   # $1 function name, $2 output
  cat >"$WORK/fixture-$1.c" <<EOF
static volatile unsigned long sink;
__attribute__((noinline)) void $1 (double secs);
#include <time.h>
void $1 (double secs)
{
  struct timespec a, b;
  clock_gettime (CLOCK_MONOTONIC, &a);
  do { for (int i = 0; i < 1000; i++) sink += i; clock_gettime (CLOCK_MONOTONIC, &b); }
  while ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < secs);
}
void scorch_fixture_work (double secs) { $1 (secs); }
EOF
  gcc -O1 -g -fPIC -shared -fno-omit-frame-pointer -Wl,--build-id -Wl,-soname,libscorchfixture.so \
      -o "$2" "$WORK/fixture-$1.c"
}
mkdir -p "$WORK/fixture"
fixture_lib host_side_spin "$WORK/fixture/libscorchfixture.so"
fixture_lib runtime_decoy_spin "$WORK/fixture/libscorchfixture-decoy.so"
cat >"$WORK/fixture/prog.c" <<'EOF'
#include <stdlib.h>
void scorch_fixture_work (double secs);
int main (int argc, char **argv) { scorch_fixture_work (argc > 1 ? atof (argv[1]) : 0.5); return 0; }
EOF
gcc -O1 -g -fno-omit-frame-pointer -o "$WORK/fixture/scorch-fixture-prog" "$WORK/fixture/prog.c" \
    -L"$WORK/fixture" -lscorchfixture -Wl,-rpath,"$HOST_FIXTURE"

# ---------------------------------------------------------------- runtime
log "making the local runtime $RUNTIME_ID//$BRANCH"
RT=$WORK/runtime
rm -rf "$RT"
mkdir -p "$RT/files"

# A host path under /usr as the runtime sees it (/lib -> /usr/lib ...).
usr_path () {
  case "$1" in
    /usr/*) printf '%s\n' "$1" ;;
    /lib/*|/lib64/*|/bin/*|/sbin/*) printf '/usr%s\n' "$1" ;;
    *) return 1 ;;
  esac
}
declare -A copied=()
add_file () {   # host path; copies the file (dereferenced) to its /usr path in the runtime
  local p=$1 u
  [ -z "${copied[$p]:-}" ] || return 0
  copied[$p]=1
  u=$(usr_path "$p") || return 0
  [ -e "$p" ] || return 0
  mkdir -p "$RT/files/$(dirname "${u#/usr/}")"
  cp -L "$p" "$RT/files/${u#/usr/}"
  local real
  real=$(readlink -f "$p")
  if [ "$real" != "$p" ] && u=$(usr_path "$real"); then
    mkdir -p "$RT/files/$(dirname "${u#/usr/}")"
    [ -e "$RT/files/${u#/usr/}" ] || cp -L "$p" "$RT/files/${u#/usr/}"
  fi
}
add_closure () {   # ELF files: themselves and every library ldd resolves
  local f lib
  for f in "$@"; do
    add_file "$f"
    while read -r lib; do
      add_file "$lib"
    done < <(ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]*ld-linux/ { print $1 }')
  done
}
ELFS=("$WORK/destdir/app/bin/scorch" "$WORK/destdir/app/bin/scorch-cli")
add_closure "${ELFS[@]}"
for f in "${ELFS[@]}"; do   # their closure, from the app side
  while read -r lib; do add_file "$lib"; done < <(ldd "$f" | awk '/=> \// { print $3 }')
done
# A shell, coreutils, ldconfig (flatpak regenerates ld.so.cache with it).
for b in sh bash dash env cat ls sleep true false echo id mkdir rm cp ln readlink head grep sed; do
  p=$(command -v "$b" 2>/dev/null || true)
  [ -n "$p" ] && add_closure "$(readlink -f "$p")" && add_file "/usr/bin/$b" || true
done
add_closure /usr/sbin/ldconfig
cp "$RT/files/sbin/ldconfig" "$RT/files/bin/ldconfig"
mkdir -p "$RT/files/etc/ld.so.conf.d"
cp /etc/ld.so.conf.d/*.conf "$RT/files/etc/ld.so.conf.d/" 2>/dev/null || true
echo 'include /etc/ld.so.conf.d/*.conf' >"$RT/files/etc/ld.so.conf"
# gdk-pixbuf loaders (icons) and their closure.
PIXBUF=$(pkg-config --variable=gdk_pixbuf_moduledir gdk-pixbuf-2.0 2>/dev/null || true)
if [ -n "$PIXBUF" ] && [ -d "$PIXBUF" ]; then
  add_closure "$PIXBUF"/*.so
  add_file "$(dirname "$PIXBUF")/loaders.cache"
fi
# GTK's data: schemas, icons, fontconfig and one font.
mkdir -p "$RT/files/share/glib-2.0" "$RT/files/share/icons" "$RT/files/share/fonts/truetype" "$RT/files/etc"
cp -r /usr/share/glib-2.0/schemas "$RT/files/share/glib-2.0/"
glib-compile-schemas "$RT/files/share/glib-2.0/schemas"
cp -r /usr/share/icons/Adwaita /usr/share/icons/hicolor "$RT/files/share/icons/"
cp -r /usr/share/fonts/truetype/dejavu "$RT/files/share/fonts/truetype/"
cp -r /etc/fonts "$RT/files/etc/"
# The MIME database (gdk-pixbuf picks the SVG loader for icons by MIME
# type) and the C.UTF-8 locale.
cp -r /usr/share/mime "$RT/files/share/"
mkdir -p "$RT/files/lib/locale"
[ ! -d /usr/lib/locale/C.utf8 ] || cp -r /usr/lib/locale/C.utf8 "$RT/files/lib/locale/"
# GtkSourceView's languages and styles (the source view), when linked.
[ ! -d /usr/share/gtksourceview-5 ] || cp -r /usr/share/gtksourceview-5 "$RT/files/share/"
# The decoy: same path as the host fixture, another build id and names.
mkdir -p "$RT/files/local/lib/scorch-flatpak-check"
cp "$WORK/fixture/libscorchfixture-decoy.so" "$RT/files/local/lib/scorch-flatpak-check/libscorchfixture.so"

cat >"$RT/metadata" <<EOF
[Runtime]
name=$RUNTIME_ID
runtime=$RUNTIME_ID/$ARCH/$BRANCH
sdk=$RUNTIME_ID/$ARCH/$BRANCH
EOF
log "runtime: $(du -sh "$RT/files" | cut -f1)"

REPO=$WORK/repo
flatpak build-export --runtime --files=files "$REPO" "$RT" "$BRANCH" >"$WORK/export-runtime.log"
flatpak --user remote-add --if-not-exists --no-gpg-verify "$REMOTE" "file://$REPO"
# a remote left by a run from another source tree points at that tree's repo
flatpak --user remote-modify --url="file://$REPO" "$REMOTE"
flatpak --user install -y --noninteractive --reinstall "$REMOTE" "runtime/$RUNTIME_ID/$ARCH/$BRANCH" >"$WORK/install-runtime.log"

# ---------------------------------------------------------------- app
log "making the app $APP_ID (finish-args: ${FINISH_ARGS[*]})"
APPDIR=$WORK/app
rm -rf "$APPDIR"
flatpak build-init "$APPDIR" "$APP_ID" "$RUNTIME_ID" "$RUNTIME_ID" "$BRANCH" >/dev/null
cp -a "$WORK/destdir/app/." "$APPDIR/files/"
[ -d "$APPDIR/files/share/glib-2.0/schemas" ] && glib-compile-schemas "$APPDIR/files/share/glib-2.0/schemas"
flatpak build-finish "$APPDIR" --command=scorch "${FINISH_ARGS[@]}" >/dev/null
flatpak build-export "$REPO" "$APPDIR" "$BRANCH" >"$WORK/export-app.log"
flatpak --user install -y --noninteractive --reinstall "$REMOTE" "app/$APP_ID/$ARCH/$BRANCH" >"$WORK/install-app.log"
flatpak --user info --show-permissions "$APP_ID" >"$WORK/permissions.txt" 2>&1 || true
SETUP_TIME=$(elapsed "$T0")
log "set up in ${SETUP_TIME} s"

# ---------------------------------------------------------------- tests
# The app's data dir is bound at the same path inside the sandbox.
DATA=$HOME/.var/app/$APP_ID/data/flatpak-local
rm -rf "$DATA"
mkdir -p "$DATA"
OUT=$WORK/out
rm -rf "$OUT"
mkdir -p "$OUT"

frun () { flatpak run --branch="$BRANCH" "$@"; }
pass=0 fail=0 skip=0
declare -a RESULTS=()
result () {   # STATUS name reason
  local line
  line=$(printf '%-4s %-10s %s' "$1" "$2" "$3")
  RESULTS+=("$line")
  echo "$line"
  case "$1" in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; SKIP) skip=$((skip + 1)) ;; esac
}

test_record () {
  local t0 rc=0 n
  t0=$(date +%s.%N)
  frun --command=scorch-cli "$APP_ID" record -o "$DATA/sleep.data" -- /usr/bin/sleep 0.3 \
    >"$OUT/record-sleep.out" 2>&1 || rc=$?
  if [ $rc -ne 0 ] || [ ! -s "$DATA/sleep.data" ]; then
    result FAIL record "record -- /usr/bin/sleep 0.3 exited $rc: $(tail -n2 "$OUT/record-sleep.out" | tr '\n' ' ')"
    return
  fi
  rc=0
  frun --command=scorch-cli "$APP_ID" record -o "$DATA/spin.data" -- /app/bin/scorch-flatpak-spin 0.5 \
    >"$OUT/record-spin.out" 2>&1 || rc=$?
  frun --command=scorch-cli "$APP_ID" report "$DATA/spin.data" >"$OUT/report-spin.txt" 2>&1 || rc=$?
  # the report's last line: "N samples (event), ..."
  n=$(grep -Eo '^[0-9]+ samples' "$OUT/report-spin.txt" | head -n1 | cut -d' ' -f1 || true)
  if [ $rc -eq 0 ] && [ "${n:-0}" -gt 50 ] && grep -q spin_inner "$OUT/report-spin.txt"; then
    result PASS record "sleep 0.3 recorded; busy loop: $n samples, spin_inner named ($(elapsed "$t0") s)"
  else
    result FAIL record "busy loop: rc $rc, ${n:-0} samples, spin_inner $(grep -c spin_inner "$OUT/report-spin.txt" || true)x (see $OUT/report-spin.txt)"
  fi
}

OVERRIDE_FILE=$HOME/.local/share/flatpak/overrides/$APP_ID
restore_override () {
  if [ -f "$OUT/override.saved" ]; then
    cp "$OUT/override.saved" "$OVERRIDE_FILE"
  elif [ -f "$OUT/override.none" ]; then
    rm -f "$OVERRIDE_FILE"
  fi
  rm -f "$OUT/override.saved" "$OUT/override.none"
}
test_denied () {
  local rc=0 msg
  if [ -f "$OVERRIDE_FILE" ]; then cp "$OVERRIDE_FILE" "$OUT/override.saved"; else touch "$OUT/override.none"; fi
  trap 'restore_override' EXIT
  flatpak override --user --disallow=devel "$APP_ID"
  frun --command=scorch-cli "$APP_ID" record -o "$DATA/denied.data" -- /usr/bin/sleep 0.1 \
    >"$OUT/record-denied.out" 2>&1 || rc=$?
  restore_override
  trap - EXIT
  msg=$(tr '\n' ' ' <"$OUT/record-denied.out")
  if [ $rc -eq 0 ]; then
    result FAIL denied "recording succeeded without --allow=devel (seccomp filter not applied?)"
  elif grep -q 'perf_event_paranoid=\|sudo sysctl' "$OUT/record-denied.out"; then
    result FAIL denied "advises the sysctl inside the sandbox: $msg"
  elif grep -q -- '--allow=devel' "$OUT/record-denied.out" && grep -qi 'sysprof' "$OUT/record-denied.out"; then
    result PASS denied "exit $rc; names --allow=devel and sysprofd, no sysctl advice"
  else
    result FAIL denied "message does not name the devel permission and sysprofd: $msg"
  fi
}

# A private system bus that activates sysprofd on demand (as the
# integration tests do); the sandbox reaches it through flatpak's proxy.
# $1: the token its processes carry, $2: its address.
start_system_bus () {
  cat >"$OUT/system-bus.conf" <<EOC
<busconfig><type>system</type><listen>$2</listen><auth>EXTERNAL</auth>
<servicedir>/usr/share/dbus-1/system-services</servicedir>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/><allow user="*"/></policy>
</busconfig>
EOC
  SCORCH_FLATPAK_LOCAL_TOKEN=$1 dbus-daemon --config-file="$OUT/system-bus.conf" --nofork >"$OUT/system-bus.log" 2>&1 &
  sleep 0.5
}

test_sysprofd () {
  if ! frun --command=scorch-cli "$APP_ID" record --help 2>&1 | grep -q -- '--via'; then
    result SKIP sysprofd "scorch-cli record has no --via=sysprofd yet (the broker is not on this branch)"
    return
  fi
  if ! grep -q -- '--system-talk-name=org.gnome.Sysprof3' "$WORK/permissions.txt" &&
     ! printf '%s\n' "${FINISH_ARGS[@]}" | grep -q -- '--system-talk-name=org.gnome.Sysprof3'; then
    result FAIL sysprofd "the manifest's finish-args lack --system-talk-name=org.gnome.Sysprof3"
    return
  fi
  local rc=0 token=$$-$RANDOM-sysprofd addr=unix:path=$OUT/system_bus_socket
  start_system_bus "$token" "$addr"
  SCORCH_FLATPAK_LOCAL_TOKEN=$token DBUS_SYSTEM_BUS_ADDRESS=$addr \
    flatpak run --branch="$BRANCH" --command=scorch-cli "$APP_ID" record --via=sysprofd -o "$DATA/sysprofd.data" \
    -- /app/bin/scorch-flatpak-spin 0.5 >"$OUT/record-sysprofd.out" 2>&1 || rc=$?
  kill_token "$token"
  wait 2>/dev/null || true
  if [ $rc -eq 0 ] && frun --command=scorch-cli "$APP_ID" report "$DATA/sysprofd.data" 2>&1 | grep -q spin_inner; then
    result PASS sysprofd "recorded through sysprofd over --system-talk-name=org.gnome.Sysprof3"
  else
    result FAIL sysprofd "rc $rc: $(tail -n2 "$OUT/record-sysprofd.out" | tr '\n' ' ')"
  fi
}

remove_fixture () { $SUDO rm -rf "$HOST_FIXTURE"; }

# A process of the host, outside the sandbox's PID namespace: inside, its
# PID comes from sysprofd, and attaching to it (-p) and recording the whole
# system (-a) go through sysprofd, with its maps from GetProcFile /
# GetProcessInfo -- no flatpak-spawn, no --talk-name=org.freedesktop.Flatpak.
test_host_attach () {
  local rc=0 rc2=0 token=$$-$RANDOM-hostattach addr=unix:path=$OUT/system_bus_socket hpid
  if ! frun --command=scorch-cli "$APP_ID" record --help 2>&1 | grep -q -- '--via'; then
    result SKIP host-attach "scorch-cli record has no --via (the broker is not on this branch)"
    return
  fi
  $SUDO mkdir -p "$HOST_FIXTURE"
  trap 'remove_fixture' EXIT
  $SUDO cp "$WORK/fixture/libscorchfixture.so" "$WORK/fixture/scorch-fixture-prog" "$HOST_FIXTURE/"
  "$HOST_FIXTURE/scorch-fixture-prog" 6 &
  hpid=$!
  start_system_bus "$token" "$addr"
  SCORCH_FLATPAK_LOCAL_TOKEN=$token DBUS_SYSTEM_BUS_ADDRESS=$addr \
    flatpak run --branch="$BRANCH" --command=scorch-cli "$APP_ID" record -p "$hpid" --duration 1.5 \
    -o "$DATA/host-attach.data" >"$OUT/record-host-attach.out" 2>&1 || rc=$?
  SCORCH_FLATPAK_LOCAL_TOKEN=$token DBUS_SYSTEM_BUS_ADDRESS=$addr \
    flatpak run --branch="$BRANCH" --command=scorch-cli "$APP_ID" record -a --duration 1.5 \
    -o "$DATA/host-all.data" >"$OUT/record-host-all.out" 2>&1 || rc2=$?
  kill_token "$token"
  kill "$hpid" 2>/dev/null || true
  wait 2>/dev/null || true
  frun --command=scorch-cli "$APP_ID" report "$DATA/host-attach.data" >"$OUT/report-host-attach.txt" 2>&1 || true
  frun --command=scorch-cli "$APP_ID" report "$DATA/host-all.data" >"$OUT/report-host-all.txt" 2>&1 || true
  remove_fixture
  trap - EXIT
  if [ $rc -ne 0 ]; then
    result FAIL host-attach "record -p $hpid: rc $rc: $(tail -n2 "$OUT/record-host-attach.out" | tr '\n' ' ')"
  elif ! grep -q 'through sysprofd' "$OUT/record-host-attach.out"; then
    result FAIL host-attach "record -p $hpid did not go through sysprofd (see $OUT/record-host-attach.out)"
  elif ! grep -q host_side_spin "$OUT/report-host-attach.txt"; then
    result FAIL host-attach "record -p $hpid: host_side_spin not named (see $OUT/report-host-attach.txt)"
  elif [ $rc2 -ne 0 ]; then
    result FAIL host-attach "record -a: rc $rc2: $(tail -n2 "$OUT/record-host-all.out" | tr '\n' ' ')"
  elif ! grep -q host_side_spin "$OUT/report-host-all.txt"; then
    result FAIL host-attach "record -a: host_side_spin not named (see $OUT/report-host-all.txt)"
  else
    result PASS host-attach "host PID $hpid attached, and -a, through sysprofd from inside the sandbox; host_side_spin named"
  fi
}
test_host_libs () {
  local rc=0 host_id rt_id
  $SUDO mkdir -p "$HOST_FIXTURE"
  trap 'remove_fixture' EXIT
  $SUDO cp "$WORK/fixture/libscorchfixture.so" "$WORK/fixture/scorch-fixture-prog" "$HOST_FIXTURE/"
  host_id=$(readelf -n "$HOST_FIXTURE/libscorchfixture.so" | awk '/Build ID/ { print $3 }')
  rt_id=$(readelf -n "$RT/files/local/lib/scorch-flatpak-check/libscorchfixture.so" | awk '/Build ID/ { print $3 }')
  # Recorded on the host, by the host build of scorch-cli.
  "$HOST_CLI" record -o "$DATA/host.data" -- "$HOST_FIXTURE/scorch-fixture-prog" 0.5 >"$OUT/record-host.out" 2>&1 || rc=$?
  # Reported inside the sandbox: /usr/local/lib/... is the runtime's decoy there.
  frun --command=scorch-cli --env=G_MESSAGES_DEBUG=scorch-symbolizer "$APP_ID" report "$DATA/host.data" \
    >"$OUT/report-host.txt" 2>"$OUT/report-host.err" || rc=$?
  remove_fixture
  trap - EXIT
  if [ $rc -ne 0 ]; then
    result FAIL host-libs "rc $rc: $(tail -n2 "$OUT/report-host.err" | tr '\n' ' ')"
  elif [ "$host_id" = "$rt_id" ]; then
    result FAIL host-libs "the fixture and its decoy have the same build id"
  elif grep -q runtime_decoy_spin "$OUT/report-host.txt"; then
    result FAIL host-libs "named by the runtime's copy of the same path (build id $rt_id)"
  elif ! grep -q host_side_spin "$OUT/report-host.txt"; then
    result FAIL host-libs "host_side_spin not named (see $OUT/report-host.txt, $OUT/report-host.err)"
  elif ! cat "$OUT/report-host.txt" "$OUT/report-host.err" | grep -q "resolved as /run/host$HOST_FIXTURE/libscorchfixture.so"; then
    result FAIL host-libs "named, but not through /run/host (see $OUT/report-host.err)"
  else
    result PASS host-libs "host_side_spin named through /run/host$HOST_FIXTURE (build id ${host_id:0:12}…, runtime copy ${rt_id:0:12}… ignored)"
  fi
}

# Ends the processes started with SCORCH_FLATPAK_LOCAL_TOKEN=$1 in their
# environment (flatpak run, the sandbox, the session bus and the helpers
# it activated), and nothing else.
kill_token () {
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" != "$$" ] || continue
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "SCORCH_FLATPAK_LOCAL_TOKEN=$1"; then
      kill "$pid" 2>/dev/null || true
    fi
  done
}

test_window () {
  local disp=:$((90 + RANDOM % 9)) xpid apid colors named token
  [ -s "$DATA/spin.data" ] ||
    frun --command=scorch-cli "$APP_ID" record -o "$DATA/spin.data" -- /app/bin/scorch-flatpak-spin 0.5 \
      >"$OUT/record-spin.out" 2>&1 || true
  Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp -ac >"$OUT/xvfb.log" 2>&1 &
  xpid=$!
  sleep 1.5
  # A session bus of its own (the app is a GApplication); everything started
  # here, the bus's activated helpers included, carries the token.
  token=$$-$RANDOM-$(date +%s)
  SCORCH_FLATPAK_LOCAL_TOKEN=$token DISPLAY=$disp dbus-run-session -- flatpak run --branch="$BRANCH" --env=GDK_BACKEND=x11 --env=GSK_RENDERER=cairo \
    "$APP_ID" "$DATA/spin.data" >"$OUT/window.out" 2>&1 &
  apid=$!
  sleep 8
  DISPLAY=$disp import -window root "$OUT/window.png" 2>/dev/null || true
  # The window is titled after the capture once the profile is shown
  # (an error page keeps the title "Scorch").
  named=$(DISPLAY=$disp xdotool search --name '^spin\.data' 2>/dev/null | head -n1 || true)
  local alive=no
  kill -0 "$apid" 2>/dev/null && alive=yes
  kill_token "$token"
  wait "$apid" 2>/dev/null || true
  kill "$xpid" 2>/dev/null || true
  wait "$xpid" 2>/dev/null || true
  colors=$(identify -format '%k' "$OUT/window.png" 2>/dev/null || echo 0)
  if [ "$alive" = yes ] && [ -n "$named" ] && [ "${colors:-0}" -gt 50 ]; then
    result PASS window "window titled after the capture under Xvfb; screenshot $OUT/window.png ($colors colours)"
  else
    result FAIL window "app alive: $alive, window titled spin.data: ${named:-none}, screenshot colours: ${colors:-0} (see $OUT/window.out)"
  fi
}

log "running tests: ${TESTS[*]}"
for t in "${TESTS[@]}"; do
  case "$t" in
    record) test_record ;;
    denied) test_denied ;;
    sysprofd) test_sysprofd ;;
    host-attach) test_host_attach ;;
    host-libs) test_host_libs ;;
    window) test_window ;;
    *) result FAIL "$t" "unknown test" ;;
  esac
done

echo
echo "flatpak-local: $pass passed, $fail failed, $skip skipped (setup ${SETUP_TIME} s, total $(elapsed "$T0") s)"
[ $fail -eq 0 ]
