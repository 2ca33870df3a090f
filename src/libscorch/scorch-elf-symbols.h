/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-elf-symbols.h: the function symbols of one ELF module (through
 * libdwfl), sorted by address, one per address, with bounds resolved as
 * perf resolves them: the same aliases win and sizeless symbols end where
 * perf ends them. */

#pragma once

#include <glib.h>

#include <elfutils/libdwfl.h>

G_BEGIN_DECLS

typedef struct
{
  guint64     start, end;    /* dwfl addresses, [start, end) */
  const char *raw;           /* the table's own copy (or its cache entry's) */
  guint64     section_end;   /* bound for a sizeless symbol */
  guint32     index;         /* in the symbol table: the first wins a full tie, as in perf */
  guint8      binding;       /* STB_* */
  guint8      sized;
} ScorchElfSymbol;

typedef struct _ScorchElfSymbols ScorchElfSymbols;

/* Reads mod's symbol table (.symtab, else .dynsym).  The table copies
 * the names it keeps: it does not depend on mod once made, and is
 * immutable, so a module's table is shared by every symbolizer
 * (scorch_module_acquire_shared()). */
ScorchElfSymbols *scorch_elf_symbols_new    (Dwfl_Module      *mod);
void              scorch_elf_symbols_free   (ScorchElfSymbols *self);

/* The symbol perf would name for addr (a dwfl address), or NULL. */
ScorchElfSymbol  *scorch_elf_symbols_lookup (ScorchElfSymbols *self,
                                             GElf_Addr         addr);

/* The position of sym (returned by scorch_elf_symbols_lookup()) in the
 * table, below scorch_elf_symbols_get_size(): a caller's own per-symbol
 * data (the symbolizer's demangled names) goes in an array by it. */
gsize             scorch_elf_symbols_get_index (ScorchElfSymbols      *self,
                                                const ScorchElfSymbol *sym);

/* How many tables were made (parsed or loaded) so far (tests: a table
 * shared by several symbolizers is made once). */
guint             scorch_elf_symbols_get_n_made (void);

/* How many symbols the table holds. */
gsize             scorch_elf_symbols_get_size (ScorchElfSymbols *self);

/* The persistent cache: a parsed table saved per build id under dir
 * ($XDG_CACHE_HOME/scorch/symbols by default), so that the next load of a
 * large module skips reading and sorting its ELF symbols.
 *
 * An entry is one file, <build id in hex>.sym, holding a header (magic,
 * version, byte order, build id, sizes, a checksum of the rest), the
 * source the table was read from (source: the separate debug file, or ""
 * for the module's own tables, with the raw symbol count -- a debug file
 * installed since makes the entry stale), then the symbols and their
 * names.  Symbols are stored as ELF virtual addresses: bias is added on
 * load (the Dwfl's bias), subtracted on save.
 *
 * Loading checks everything and trusts nothing: a missing entry is
 * G_IO_ERROR_NOT_FOUND; a truncated, corrupt, foreign or stale one (other
 * build id, other source) is G_IO_ERROR_INVALID_DATA and must be
 * rewritten.  Saving writes a temporary file in dir and renames it over
 * the entry, so concurrent writers (two loads at once) and readers only
 * ever see a whole entry. */
typedef struct
{
  const char   *dir;           /* the cache directory */
  const guint8 *build_id;      /* the module's (names the entry) */
  guint         build_id_len;
  const char   *source;        /* where the table was read from; NULL is "" */
  guint64       bias;          /* added on load, subtracted on save */
} ScorchElfSymbolsCacheKey;

ScorchElfSymbols *scorch_elf_symbols_load_cached (const ScorchElfSymbolsCacheKey  *key,
                                                  GError                         **error);
gboolean          scorch_elf_symbols_save_cached (ScorchElfSymbols                *self,
                                                  const ScorchElfSymbolsCacheKey  *key,
                                                  GError                         **error);
/* The entry's path (free with g_free()). */
char             *scorch_elf_symbols_get_cache_path (const char   *dir,
                                                     const guint8 *build_id,
                                                     guint         build_id_len);
/* The default directory: $SCORCH_SYMBOL_CACHE_DIR, else
 * g_get_user_cache_dir()/scorch/symbols; NULL when SCORCH_SYMBOL_CACHE=0
 * turns the cache off.  Free with g_free(). */
char             *scorch_elf_symbols_dup_default_cache_dir (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchElfSymbols, scorch_elf_symbols_free)

G_END_DECLS
