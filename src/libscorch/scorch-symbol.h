/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol.h: the types the symbolizer and its parts speak -- a
 * mapping of a process, a symbolized frame, what file:line means -- kept
 * apart from scorch-symbolizer.h so that the parts (DWARF inline chains,
 * ...) and the process table need not include the façade that includes
 * them. */

#pragma once

#include <glib.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

/* Longest inline chain kept for one address. */
#define SCORCH_SYMBOLIZER_MAX_CHAIN 32

/* One mapping of a process, as recorded in MMAP/MMAP2.  Borrowed: the
 * symbolizer copies what it keeps. */
typedef struct
{
  const char   *path;          /* filename as recorded in MMAP/MMAP2 ("//anon", "[vdso]", ...) */
  const guint8 *build_id;      /* from MMAP2 with PERF_RECORD_MISC_MMAP_BUILD_ID or the BUILD_ID feature; may be NULL */
  guint         build_id_len;
  guint64       start, end;    /* runtime address range [start, end) */
  guint64       pgoff;         /* file offset mapped at start */
  guint32       maj, min;
  guint64       ino;
} ScorchMapping;

/* Returns the mapping of pid containing addr at the time of the sample
 * being unwound, or NULL.  Called during an unwind
 * (scorch_unwinder_unwind()) only;
 * the result must stay valid until that call returns. */
typedef const ScorchMapping *(*ScorchFindMappingFunc) (gpointer user_data,
                                                       gint32   pid,
                                                       guint64  addr);

/* One frame of a symbolized address.  All strings are interned by the
 * symbolizer and live as long as it does. */
typedef struct
{
  const char      *function;   /* demangled, interned by the symbolizer; NULL when nothing names it */
  const char      *module;     /* module path, interned ("[kernel.kallsyms]" for the kernel) */
  const char      *file;       /* source file or NULL */
  guint            line;
  guint64          offset;     /* module-relative address, for "module+0xOFFSET" */
  ScorchFrameKind  kind;       /* USER, KERNEL, INLINED, JIT, UNKNOWN */
} ScorchSymbol;

/* What ScorchSymbol.file/line mean for user frames. */
typedef enum
{
  /* The source line of the address itself (from the line table); for an
   * inlined frame's callers, the line of the call.  As addr2line -i. */
  SCORCH_SYMBOLIZER_LINES_ADDRESS,
  /* Where each function of the chain is declared (DW_AT_decl_file/line of
   * its DIE, through abstract_origin/specification).  No line table is
   * decoded, which saves time and memory when only the function's
   * location is wanted (the profile stores one file:line per function). */
  SCORCH_SYMBOLIZER_LINES_FUNCTION,
} ScorchSymbolizerLineMode;

G_END_DECLS
