/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-kallsyms.h: kernel symbols from /proc/kallsyms (or a file of
 * its format): the one reader of that format in Scorch. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64     addr;
  const char *name;    /* owned by the table */
  const char *module;  /* owned by the table; NULL for the kernel image */
} ScorchKernelSymbol;

typedef struct _ScorchKallsyms ScorchKallsyms;

typedef enum
{
  SCORCH_KALLSYMS_OK,
  SCORCH_KALLSYMS_UNREADABLE,  /* missing, not a regular file, unreadable */
  SCORCH_KALLSYMS_HIDDEN,      /* every address is zero (kptr_restrict) */
  SCORCH_KALLSYMS_EMPTY,       /* no text symbols */
} ScorchKallsymsStatus;

/* The text symbols (t, T, w, W) of path, sorted by address; NULL unless
 * *status is SCORCH_KALLSYMS_OK.  The file is opened with
 * scorch_open_regular_file() and streamed. */
ScorchKallsyms           *scorch_kallsyms_load   (const char           *path,
                                                  ScorchKallsymsStatus *status);
void                      scorch_kallsyms_free   (ScorchKallsyms       *self);

/* As scorch_kallsyms_load(), through a cache in cache_dir: the table read
 * from path is saved as kallsyms-<key>.bin (a header with a checksum, the
 * sorted symbols, their names; written to a temporary file and renamed),
 * and read from there while key is the same.  key says which kernel
 * symbols path holds: scorch_kallsyms_dup_running_key() for
 * /proc/kallsyms.  Without a key or a cache_dir, or while path shows no
 * address in its first lines (kptr_restrict: the reader must say so), or
 * when the entry is damaged, path is read (and the entry rewritten). */
ScorchKallsyms           *scorch_kallsyms_load_cached (const char           *path,
                                                       const char           *cache_dir,
                                                       const char           *key,
                                                       ScorchKallsymsStatus *status);
/* What the running kernel's symbols depend on: its boot (boot_id; the
 * kernel cannot change without one) and its loaded modules (/proc/modules,
 * with their addresses), hashed.  NULL when the boot id is unreadable.
 * (BPF programs loaded since the entry was made are not in it.) */
char                     *scorch_kallsyms_dup_running_key (void);
/* Whether the last scorch_kallsyms_load_cached() of this table came from
 * the cache (for tests). */
gboolean                  scorch_kallsyms_is_from_cache   (ScorchKallsyms       *self);

/* The symbol holding ip: the last one at or below it, unless ip lies
 * more than a megabyte past the last symbol.  NULL when none. */
const ScorchKernelSymbol *scorch_kallsyms_lookup (ScorchKallsyms       *self,
                                                  guint64               ip);

/* The address of the first symbol called name (of any type) among the
 * first max_lines lines of path; FALSE when it is not there or its
 * address is hidden (zero). */
gboolean                  scorch_kallsyms_find   (const char           *path,
                                                  const char           *name,
                                                  guint                 max_lines,
                                                  guint64              *addr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchKallsyms, scorch_kallsyms_free)

G_END_DECLS
