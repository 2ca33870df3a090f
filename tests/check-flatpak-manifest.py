#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks flatpak/io.github.scorchprof.Scorch.json (TAP output).

The manifest must parse, its app id and command must agree with meson.build,
the desktop file, the metainfo and the GSettings schema, it must carry the
permissions a profiler needs, and every downloaded source must be pinned
(flatpak-builder refuses archives without a checksum).

Usage: check-flatpak-manifest.py SOURCE_ROOT"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))


def read(rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


meson = read("meson.build")
m = re.search(r"^app_id\s*=\s*'([^']+)'", meson, re.M)
app_id = m.group(1) if m else None
check("meson.build defines app_id", app_id, "no app_id = '...' line in meson.build")

manifest_rel = f"flatpak/{app_id}.json"
try:
    manifest = json.loads(read(manifest_rel))
    check("manifest parses as JSON", True)
except (OSError, ValueError) as e:
    manifest = {}
    check("manifest parses as JSON", False, f"{manifest_rel}: {e}")

mid = manifest.get("id") or manifest.get("app-id")
check("manifest id is the app id", mid == app_id, f"manifest id {mid!r} != {app_id!r}")

desktop_rel = f"data/{app_id}.desktop.in"
try:
    desktop = read(desktop_rel)
    exec_line = re.search(r"^Exec=(\S+)", desktop, re.M)
    icon_line = re.search(r"^Icon=(\S+)", desktop, re.M)
    check("desktop file is named after the app id", True)
    check("manifest command is the desktop Exec",
          exec_line and manifest.get("command") == exec_line.group(1),
          f"command {manifest.get('command')!r}, Exec {exec_line.group(1) if exec_line else None!r}")
    check("desktop Icon is the app id", icon_line and icon_line.group(1) == app_id,
          f"Icon {icon_line.group(1) if icon_line else None!r}")
except OSError as e:
    check("desktop file is named after the app id", False, str(e))

try:
    meta = ET.parse(os.path.join(root, f"data/{app_id}.metainfo.xml.in")).getroot()
    check("metainfo id is the app id", meta.findtext("id") == app_id, f"metainfo id {meta.findtext('id')!r}")
    launchable = meta.findtext("launchable")
    check("metainfo launchable is the desktop file", launchable == f"{app_id}.desktop", f"launchable {launchable!r}")
    binaries = [b.text for b in meta.iter("binary")]
    check("metainfo provides the manifest command", manifest.get("command") in binaries,
          f"binaries {binaries}")
except (OSError, ET.ParseError) as e:
    check("metainfo id is the app id", False, str(e))

try:
    schema = ET.parse(os.path.join(root, f"data/{app_id}.gschema.xml")).getroot()
    ids = [s.get("id") for s in schema.findall("schema")]
    check("GSettings schema id is the app id", app_id in ids, f"schema ids {ids}")
    paths = [s.get("path") for s in schema.findall("schema") if s.get("id") == app_id]
    want_path = "/" + app_id.replace(".", "/") + "/"
    check("GSettings schema path follows the app id", paths == [want_path], f"paths {paths}, want {want_path}")
except (OSError, ET.ParseError) as e:
    check("GSettings schema id is the app id", False, str(e))

check("manifest uses the GNOME runtime",
      manifest.get("runtime") == "org.gnome.Platform" and manifest.get("sdk") == "org.gnome.Sdk",
      f"runtime {manifest.get('runtime')!r}, sdk {manifest.get('sdk')!r}")
try:
    rv = int(str(manifest.get("runtime-version")))
except ValueError:
    rv = 0
check("runtime version is a current GNOME release (>= 48)", rv >= 48, f"runtime-version {manifest.get('runtime-version')!r}")

args = manifest.get("finish-args", [])
for need in ("--allow=devel", "--share=ipc", "--socket=wayland", "--socket=fallback-x11", "--device=dri"):
    check(f"finish-args has {need}", need in args, f"finish-args {args}")
check("finish-args can read host binaries",
      any(a in ("--filesystem=host:ro", "--filesystem=host", "--filesystem=host-os:ro", "--filesystem=host-os") for a in args),
      f"finish-args {args}")
# Recording goes through sysprofd (polkit) when the sandbox or the kernel
# refuses perf_event_open: no host perf, no sandbox escape. Running host
# commands (flatpak-spawn --host) is only for launching a host program, and
# is off by default: the user grants it with flatpak override.
check("finish-args can reach sysprofd (--system-talk-name=org.gnome.Sysprof3)",
      "--system-talk-name=org.gnome.Sysprof3" in args, f"finish-args {args}")
check("finish-args do not escape the sandbox by default (no --talk-name=org.freedesktop.Flatpak)",
      "--talk-name=org.freedesktop.Flatpak" not in args, f"finish-args {args}")

modules = manifest.get("modules", [])
names = [mod.get("name") for mod in modules if isinstance(mod, dict)]
check("libunwind is bundled", "libunwind" in names, f"modules {names}")
check("the last module is scorch", names[-1:] == ["scorch"], f"modules {names}")
for mod in modules:
    if not isinstance(mod, dict):
        continue
    for src in mod.get("sources", []):
        kind = src.get("type")
        if kind in ("archive", "file") and "url" in src:
            check(f"{mod['name']}: {src['url']} is pinned by sha256",
                  re.fullmatch(r"[0-9a-f]{64}", src.get("sha256", "")), "missing or malformed sha256")
        elif kind == "git":
            check(f"{mod['name']}: git source is pinned by commit", re.fullmatch(r"[0-9a-f]{40}", src.get("commit", "")),
                  "git sources need a commit")
        elif kind == "dir":
            check(f"{mod['name']}: dir source points at the project root",
                  os.path.isfile(os.path.join(root, "flatpak", src.get("path", ""), "meson.build")), src.get("path"))
scorch_mod = next((mod for mod in modules if isinstance(mod, dict) and mod.get("name") == "scorch"), {})
check("scorch module builds with meson without tests",
      scorch_mod.get("buildsystem") == "meson" and "-Dtests=false" in scorch_mod.get("config-opts", []),
      f"{scorch_mod.get('buildsystem')!r} {scorch_mod.get('config-opts')}")

# -- pprof in the Flatpak: protobuf-c (and protobuf, for protoc-c at build
# time) are modules before scorch, and scorch builds with pprof --
check("protobuf-c is bundled before scorch (pprof export/import)",
      "protobuf-c" in names and names.index("protobuf-c") < names.index("scorch") if "scorch" in names else False,
      f"modules {names}")
check("protoc-c's protobuf is built before protobuf-c",
      "protobuf" in names and "protobuf-c" in names and names.index("protobuf") < names.index("protobuf-c"),
      f"modules {names}")
check("scorch builds with pprof", "-Dpprof=disabled" not in scorch_mod.get("config-opts", []),
      f"{scorch_mod.get('config-opts')}")

print(f"1..{len(results)}")
failed = 0
for i, (name, ok, detail) in enumerate(results, 1):
    if ok:
        print(f"ok {i} - {name}")
    else:
        failed += 1
        print(f"not ok {i} - {name}")
        print(f"# {detail}")
sys.exit(1 if failed else 0)
