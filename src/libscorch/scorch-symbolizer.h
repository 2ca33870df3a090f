/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbolizer.h: addresses to function names, inline chains and
 * file:line (libdwfl for ELF/DWARF, /proc/kallsyms for the kernel,
 * /tmp/perf-PID.map for JIT code).  Each unique (module, offset) is
 * resolved once and cached for the whole load, shared across processes. */

#pragma once

#include <glib.h>

#include "scorch-symbol.h"

G_BEGIN_DECLS

typedef struct _ScorchSymbolizer ScorchSymbolizer;   /* one per load; not thread-safe */


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
/* The persistent symbol cache (scorch_elf_symbols_load_cached()): the
 * symbol tables of modules with a build id and at least min_symbols
 * symbols are kept in dir, so the next load skips parsing them.  The
 * default is scorch_elf_symbols_dup_default_cache_dir() and 2000; NULL
 * turns it off. */
void              scorch_symbolizer_set_symbol_cache   (ScorchSymbolizer   *self,
                                                        const char         *dir,
                                                        guint               min_symbols);

GPtrArray        *scorch_symbolizer_dup_problems       (ScorchSymbolizer   *self); /* of char*, human-readable */

/* The answers of modules with a build id and DWARF are kept in the
 * symbol cache's directory (scorch-symbolizer-answers.h) so that the next
 * load of the same modules opens no DWARF.  Saves what was made since
 * the last save (scorch_symbolizer_free() does too).  When the line mode
 * changes, the answers of the old mode are dropped unsaved. */
void              scorch_symbolizer_save_cache         (ScorchSymbolizer   *self);
/* How many lookups the stored answers answered (for tests). */
guint             scorch_symbolizer_get_n_cached_answers (ScorchSymbolizer *self);

/* Starts reading the kernel's symbols (kallsyms) on another thread, so
 * that the first kernel lookup finds them read; nothing when they are
 * read already or the capture's kernel is not the running one.  The
 * lookups give the same answers with or without it. */
void              scorch_symbolizer_prefetch_kernel    (ScorchSymbolizer   *self);

G_END_DECLS
