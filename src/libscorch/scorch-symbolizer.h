/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbolizer.h: addresses to function names, inline chains and
 * file:line (libdwfl for ELF/DWARF, /proc/kallsyms for the kernel,
 * /tmp/perf-PID.map for JIT code).  Each unique (module, offset) is
 * resolved once and cached for the whole load, shared across processes. */

#pragma once

#include <glib.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

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

typedef struct _ScorchSymbolizer ScorchSymbolizer;   /* one per load; not thread-safe */

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

ScorchSymbolizer *scorch_symbolizer_new                (void);
void              scorch_symbolizer_free               (ScorchSymbolizer   *self);

/* Kernel symbols from /proc/kallsyms only when the capture's OS release
 * matches uname -r.  NULL: unknown release, kernel frames stay unresolved. */
void              scorch_symbolizer_set_kernel_release (ScorchSymbolizer   *self,
                                                        const char         *osrelease);

/* Default SCORCH_SYMBOLIZER_LINES_ADDRESS.  Changing it drops the answers
 * cached so far. */
void              scorch_symbolizer_set_line_mode      (ScorchSymbolizer         *self,
                                                        ScorchSymbolizerLineMode  mode);

/* Directories searched for separate debug info (each holding
 * .build-id/xx/yyyy.debug and debuglink targets), in order, replacing the
 * default "/usr/lib/debug".  NULL restores the default.  Call before the
 * first lookup. */
void              scorch_symbolizer_set_debug_dirs     (ScorchSymbolizer   *self,
                                                        const char * const *dirs);

/* Where kernel symbols are read (default "/proc/kallsyms"); for tests.
 * Setting a path also makes the symbolizer trust it regardless of the
 * kernel release. */
void              scorch_symbolizer_set_kallsyms_path  (ScorchSymbolizer   *self,
                                                        const char         *path);

/* Directory holding perf-PID.map files (default "/tmp"); for tests. */
void              scorch_symbolizer_set_jit_map_dir    (ScorchSymbolizer   *self,
                                                        const char         *dir);

/* Writes the inline chain for ip, innermost first, into out[0..max);
 * returns how many (>= 1 when max >= 1).  The last entry is the real
 * (non-inlined) function.  map may be NULL (address in no mapping). */
guint             scorch_symbolizer_lookup_user        (ScorchSymbolizer   *self,
                                                        gint32              pid,
                                                        const ScorchMapping *map,
                                                        guint64             ip,
                                                        ScorchSymbol       *out,
                                                        guint               max);
guint             scorch_symbolizer_lookup_kernel      (ScorchSymbolizer   *self,
                                                        guint64             ip,
                                                        ScorchSymbol       *out,
                                                        guint               max);

/* Interns a string in the symbolizer's string pool (for callers that make
 * their own "[unknown]"-style names). */
const char       *scorch_symbolizer_intern             (ScorchSymbolizer   *self,
                                                        const char         *str);

/* Diagnostics: modules whose file was missing, replaced (build id differs)
 * or had no symbols; kernel symbols hidden by kptr_restrict.  Each problem
 * is reported once. */
GPtrArray        *scorch_symbolizer_dup_problems       (ScorchSymbolizer   *self); /* of char*, human-readable */

G_END_DECLS
