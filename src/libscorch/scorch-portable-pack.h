/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-portable-pack.h: make a capture portable (scorch-portable.h). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loads the capture at in_path on this machine and writes out_path: the
 * same file with the portable entries in its Scorch section (in_path ==
 * out_path replaces it). Pipe-mode captures are refused. */
gboolean               scorch_portable_pack                (const char            *in_path,
                                                            const char            *out_path,
                                                            GError               **error);

G_END_DECLS
