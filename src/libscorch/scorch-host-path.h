/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-host-path.h: inside a Flatpak, a host capture's files under /run/host
 *
 * A capture recorded on the host names its modules by host paths
 * (/usr/lib/x86_64-linux-gnu/libc.so.6).  Inside the sandbox the same
 * path is the runtime's copy, or nothing; the host's file is at
 * /run/host/usr/lib/... (permission --filesystem=host-os, which
 * --filesystem=host includes).  The host file is used only when its build
 * id is the recorded one, so the runtime's copy of the same path never
 * lends its names. */

#pragma once

#include "scorch-module.h"

G_BEGIN_DECLS

/* TRUE inside a Flatpak sandbox (/.flatpak-info exists). */
gboolean      scorch_host_path_in_flatpak  (void);

/* Inside a Flatpak: the module at /run/host/PATH if it is a regular ELF
 * file whose build id is the recorded one, else NULL.  Outside a Flatpak,
 * or without a recorded build id: NULL. */
ScorchModule *scorch_host_path_open_module (const char   *path,
                                            const guint8 *build_id,
                                            guint         build_id_len);

/* The same under an explicit host root (tests); NULL host_root means
 * /run/host.  Does not check for a Flatpak. */
ScorchModule *_scorch_host_path_open_under (const char   *host_root,
                                            const char   *path,
                                            const guint8 *build_id,
                                            guint         build_id_len);

G_END_DECLS
