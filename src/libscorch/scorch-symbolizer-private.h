/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbolizer-private.h: the symbolizer's state, shared by
 * the files of the façade (scorch-symbolizer.c: modules, chains,
 * lookups).  Its parts (scorch-dwarf-inline.c, ...) do not include it:
 * they get what they need as arguments. */

#pragma once

#include <glib.h>

#include <elfutils/libdwfl.h>

#include "scorch-addr-map.h"
#include "scorch-debug-files.h"
#include "scorch-dwarf-inline.h"
#include "scorch-elf-symbols.h"
#include "scorch-kallsyms.h"
#include "scorch-module.h"
#include "scorch-symbolizer.h"
#include "scorch-symbolizer-answers.h"

G_BEGIN_DECLS

/* Largest build id we keep (SHA-1 is 20; allow some slack). */
#define SCORCH_SYMBOLIZER_MAX_BUILD_ID SCORCH_MODULE_MAX_BUILD_ID

typedef enum
{
  MODULE_UNOPENED,
  MODULE_OK,
  MODULE_FAILED,
} ModuleState;


/* The symbolizer's state for one module of the capture, over the module
 * cache's ScorchModule (the file, mapped once for every user) */
typedef struct
{
  ScorchModuleKey    key;           /* first: the table's key; key.path is path */
  const char        *path;          /* interned */

  ModuleState        state;
  ScorchModule      *file;          /* NULL unless state is MODULE_OK */
  Dwfl              *dwfl;          /* ours, over the file's descriptor */
  ScorchDebugFilesModule debug;     /* dw.mod's userdata: its debug file, found once per file */
  ScorchDwarfModule  dw;            /* dw.mod: the Dwfl_Module; dw.path: path */
  GElf_Addr          bias;
  gboolean           has_symbols;

  ScorchAddrMap      cache;         /* (0, file offset) -> chain */

  ScorchElfSymbols  *syms;          /* NULL until the first lookup; the module's
                                     * (shared by every symbolizer), held under syms_key */
  char              *syms_key;
  const char       **sym_names;     /* demangled name of each of syms, ours, filled on use */

  /* the persistent answers (scorch-symbolizer-answers.h) */
  ScorchSymbolizerAnswers *answers; /* NULL until the first lookup, or without a build id */
  gboolean           answers_tried;
  gboolean           dwarf_used;    /* a chain was made from DWARF */
} Module;

struct _ScorchSymbolizer
{
  GStringChunk   *strings;
  GHashTable     *modules;       /* Module* (key = itself) */
  GHashTable     *demangled;     /* mangled (owned) -> interned demangled */
  GHashTable     *jit_maps;      /* pid -> ScorchPerfMap* */
  GHashTable     *problem_set;   /* owned strings */
  GPtrArray      *problems;      /* borrowed from problem_set, in order */
  GArray         *chains;        /* ScorchSymbol */
  ScorchSymbolizerLineMode line_mode;
  ScorchDwarfContext dwarf_context;  /* strings, line_mode, demangling for scorch-dwarf-inline.c */

  char           *debuginfo_path;
  Dwfl_Callbacks  callbacks;

  char           *kallsyms_path;
  gboolean        kallsyms_forced;
  char           *kernel_release;
  gboolean        kernel_release_set;
  gboolean        kernel_loaded;
  ScorchKallsyms *kallsyms;      /* NULL: kernel frames stay addresses */
  ScorchAddrMap   kcache;        /* (0, ip) -> chain */
  GThread        *kernel_prefetch;   /* reading kallsyms_path: returns a KernelPrefetch* */

  char           *jit_dir;

  char           *symbol_cache_dir;   /* NULL: no persistent symbol cache */
  guint           symbol_cache_min;   /* modules with fewer raw symbols are not cached */

  /* one-entry cache of the last mapping -> module */
  const ScorchMapping *last_map;
  ScorchMapping        last_map_copy;
  Module              *last_module;

  const char     *unknown_module;
  const char     *kernel_module;
};

static inline const char *
_scorch_symbolizer_intern (ScorchSymbolizer *self,
                           const char       *str)
{
  if (str == NULL)
    return NULL;
  return g_string_chunk_insert_const (self->strings, str);
}

/* Demangles once per distinct symbol name; the result is interned. */
const char *_scorch_symbolizer_demangle (ScorchSymbolizer *self,
                                         const char       *name);

G_END_DECLS
