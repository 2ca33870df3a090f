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
  const char *raw;           /* borrowed from the ELF string table */
  const char *name;          /* NULL until a caller fills it (the symbolizer's demangled name) */
  guint64     section_end;   /* bound for a sizeless symbol */
  guint32     index;         /* in the symbol table: the first wins a full tie, as in perf */
  guint8      binding;       /* STB_* */
  guint8      sized;
} ScorchElfSymbol;

typedef struct _ScorchElfSymbols ScorchElfSymbols;

/* Reads mod's symbol table (.symtab, else .dynsym); the table borrows
 * mod's strings, so it must be freed before the Dwfl. */
ScorchElfSymbols *scorch_elf_symbols_new    (Dwfl_Module      *mod);
void              scorch_elf_symbols_free   (ScorchElfSymbols *self);

/* The symbol perf would name for addr (a dwfl address), or NULL. */
ScorchElfSymbol  *scorch_elf_symbols_lookup (ScorchElfSymbols *self,
                                             GElf_Addr         addr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchElfSymbols, scorch_elf_symbols_free)

G_END_DECLS
