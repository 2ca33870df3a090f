/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-dwarf-inline.h: inline chains from DWARF.  Per compilation unit
 * an index of every code scope and its address ranges, built on the CU's
 * first lookup; per address a walk from the innermost inlined scope out
 * to the subprogram, with file:line as ScorchSymbolizerLineMode says. */

#pragma once

#include <glib.h>

#include <elfutils/libdwfl.h>

#include "scorch-symbol.h"

G_BEGIN_DECLS

/* Per module, built on first use. */
typedef struct _ScorchDwarfInline ScorchDwarfInline;

/* What the chains are made with: the caller's string chunk (every string
 * in a chain is interned there), its demangler (returns an interned
 * name) and the meaning of file:line. */
typedef struct
{
  GStringChunk             *strings;
  const char             *(*demangle) (gpointer    user_data,
                                       const char *name);
  gpointer                  demangle_data;
  ScorchSymbolizerLineMode  line_mode;
} ScorchDwarfContext;

/* One module: its libdwfl module, path (interned) and the index, which
 * starts NULL and is built on the first chain. */
typedef struct
{
  Dwfl_Module       *mod;
  const char        *path;
  ScorchDwarfInline *dwarf;
} ScorchDwarfModule;

void  _scorch_dwarf_inline_free  (ScorchDwarfInline *self);

/* Writes the chain for addr (a dwfl address of the open module m; vaddr
 * the same as an ELF address) into chain[0..SCORCH_SYMBOLIZER_MAX_CHAIN),
 * innermost first; the last frame is function, the ELF symbol's name.
 * Returns the chain's length (at least 1). */
guint _scorch_dwarf_inline_chain (ScorchDwarfContext *self,
                                  ScorchDwarfModule  *m,
                                  GElf_Addr           addr,
                                  guint64             vaddr,
                                  const char         *function,
                                  ScorchSymbol       *chain);

G_END_DECLS
