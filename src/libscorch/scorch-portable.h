/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-portable.h: portable captures -- what analysis needs of the
 * modules a capture's samples hit, stored in the capture's Scorch feature
 * section (scorch-capture-notes.h) so the capture opens with the same
 * functions, inline frames and stacks on a machine without its binaries.
 *
 * Design: rather than copying symbol tables, CFI rows and line tables
 * (large, and a second implementation of unwinding and symbolization to
 * keep in step), the capture keeps the answers the analysis gave on the
 * recording machine:
 *
 * - "portable-symbols": for every sampled address, keyed by its module
 *   (build id, else the path as recorded) and module-relative offset (the
 *   kernel's by address: the kallsyms entries samples hit), the
 *   symbolizer's frames, innermost inline frame first (function, module,
 *   file, line, offset, kind).
 * - "portable-stacks": for every sample whose user stack was unwound from
 *   its DWARF stack copy, the unwound instruction pointers (in sample
 *   order, with time and tid to check they belong to that sample).
 *
 * The loader uses them before the binaries: the result is identical by
 * construction, and the size is a few bytes per unique address plus 8
 * bytes per unwound frame (about 1 % of a DWARF capture, whose 8 KiB
 * stack copies per sample dominate). Addresses or samples without an entry
 * go through the ordinary symbolizer and unwinder.
 *
 * Format of both values (little-endian):
 *   portable-symbols: u32 version (1), u32 n_strings, strings (u32 len,
 *     bytes, no NUL), u32 n_addrs, addrs: u32 module (string index of
 *     "b:<hex build id>" or "p:<path>"; 0xffffffff for the kernel), u64
 *     offset (kernel: address), u32 n_frames, frames: u32 function, u32
 *     module, u32 file (string indexes, 0xffffffff for none), u32 line,
 *     u64 offset, u32 kind.
 *   portable-stacks: u32 version (1), u32 n_stacks, stacks: u64 time,
 *     u32 tid, u32 n_ips, u64 ips[n_ips].
 * Both are untrusted input: every count, index and length is checked. */

#pragma once

#include <glib.h>

#include "scorch-capture-notes.h"
#include "scorch-symbol.h"

G_BEGIN_DECLS

#define SCORCH_CAPTURE_NOTE_PORTABLE_SYMBOLS "portable-symbols"
#define SCORCH_CAPTURE_NOTE_PORTABLE_STACKS  "portable-stacks"

#define SCORCH_PORTABLE_NONE 0xffffffffu

typedef struct _ScorchPortableBuilder ScorchPortableBuilder;
typedef struct _ScorchPortable ScorchPortable;

ScorchPortableBuilder *scorch_portable_builder_new         (void);
void                   scorch_portable_builder_free        (ScorchPortableBuilder *self);
/* map NULL: a kernel address (offset is the address). */
void                   scorch_portable_builder_add_address (ScorchPortableBuilder *self,
                                                            const ScorchMapping   *map,
                                                            guint64                offset,
                                                            const ScorchSymbol    *syms,
                                                            guint                  n);
void                   scorch_portable_builder_add_stack   (ScorchPortableBuilder *self,
                                                            guint64                time,
                                                            guint32                tid,
                                                            const guint64         *ips,
                                                            guint                  n);
/* Adds (replaces) the two entries. */
void                   scorch_portable_builder_write_notes (ScorchPortableBuilder *self,
                                                            ScorchCaptureNotes    *notes);

/* NULL without error when the notes have no portable entries; NULL with
 * SCORCH_CAPTURE_ERROR_MALFORMED when they are damaged. */
ScorchPortable        *scorch_portable_new_from_notes      (ScorchCaptureNotes    *notes,
                                                            GError               **error);
void                   scorch_portable_free                (ScorchPortable        *self);
/* TRUE when the address has an entry; then out[0..*n) (strings owned by
 * self) */
gboolean               scorch_portable_lookup              (ScorchPortable        *self,
                                                            const ScorchMapping   *map,
                                                            guint64                offset,
                                                            ScorchSymbol          *out,
                                                            guint                  max,
                                                            guint                 *n);
/* The index-th unwound stack, when its time and tid match. */
gboolean               scorch_portable_get_stack           (ScorchPortable        *self,
                                                            guint64                index,
                                                            guint64                time,
                                                            guint32                tid,
                                                            const guint64        **ips,
                                                            guint                 *n);
guint                  scorch_portable_get_n_addresses     (ScorchPortable        *self);
guint                  scorch_portable_get_n_stacks        (ScorchPortable        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchPortableBuilder, scorch_portable_builder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchPortable, scorch_portable_free)

G_END_DECLS
