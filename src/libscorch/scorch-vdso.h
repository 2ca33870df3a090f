/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-vdso.h: the running process's vDSO image.  On the kernel a
 * capture was made on, every process maps the same vDSO, so ours lends
 * its symbols and call frame information to the [vdso] mappings of the
 * captured processes. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The vDSO's ELF image (a copy made on first use and kept for the life of
 * the process; ET_DYN, virtual addresses from 0, file offsets equal to
 * virtual addresses), or NULL when there is none or it cannot be read.
 * Thread-safe. */
const guint8 *scorch_vdso_get_image    (gsize  *size);

/* Its NT_GNU_BUILD_ID note, or NULL (then *len is 0). */
const guint8 *scorch_vdso_get_build_id (guint  *len);

/* Whether a build id recorded for [vdso] in a capture (perf pads it with
 * zeros to 20 bytes) is the running vDSO's. */
gboolean      scorch_vdso_build_id_matches (const guint8 *recorded,
                                            guint         recorded_len);

G_END_DECLS
