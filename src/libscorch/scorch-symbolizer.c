/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Work in progress: the libdwfl implementation lands in the next commits.
 * For now every address resolves to "module+0xOFFSET". */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include "scorch-symbolizer.h"

struct _ScorchSymbolizer
{
  GStringChunk *strings;
  GHashTable   *interned;
};

ScorchSymbolizer *
scorch_symbolizer_new (void)
{
  ScorchSymbolizer *self = g_new0 (ScorchSymbolizer, 1);

  self->strings = g_string_chunk_new (4096);
  return self;
}

void
scorch_symbolizer_free (ScorchSymbolizer *self)
{
  if (self == NULL)
    return;
  g_string_chunk_free (self->strings);
  g_free (self);
}

void
scorch_symbolizer_set_kernel_release (ScorchSymbolizer *self,
                                      const char       *osrelease)
{
}

void
scorch_symbolizer_set_debug_dirs (ScorchSymbolizer   *self,
                                  const char * const *dirs)
{
}

void
scorch_symbolizer_set_kallsyms_path (ScorchSymbolizer *self,
                                     const char       *path)
{
}

void
scorch_symbolizer_set_jit_map_dir (ScorchSymbolizer *self,
                                   const char       *dir)
{
}

const char *
scorch_symbolizer_intern (ScorchSymbolizer *self,
                          const char       *str)
{
  return str != NULL ? g_string_chunk_insert_const (self->strings, str) : NULL;
}

guint
scorch_symbolizer_lookup_user (ScorchSymbolizer    *self,
                               gint32               pid,
                               const ScorchMapping *map,
                               guint64              ip,
                               ScorchSymbol        *out,
                               guint                max)
{
  if (max == 0)
    return 0;
  out[0] = (ScorchSymbol) { 0 };
  out[0].kind = SCORCH_FRAME_KIND_UNKNOWN;
  if (map != NULL)
    {
      out[0].module = scorch_symbolizer_intern (self, map->path);
      out[0].offset = ip - map->start + map->pgoff;
    }
  else
    {
      out[0].module = scorch_symbolizer_intern (self, "[unknown]");
      out[0].offset = ip;
    }
  return 1;
}

guint
scorch_symbolizer_lookup_kernel (ScorchSymbolizer *self,
                                 guint64           ip,
                                 ScorchSymbol     *out,
                                 guint             max)
{
  if (max == 0)
    return 0;
  out[0] = (ScorchSymbol) { 0 };
  out[0].kind = SCORCH_FRAME_KIND_UNKNOWN;
  out[0].module = scorch_symbolizer_intern (self, "[kernel.kallsyms]");
  out[0].offset = ip;
  return 1;
}

GPtrArray *
scorch_symbolizer_dup_problems (ScorchSymbolizer *self)
{
  return g_ptr_array_new_with_free_func (g_free);
}
