/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <string.h>

#include "scorch-perf-map.h"
#include "scorch-sorted.h"
#include "scorch-util.h"

/* Sanity limit on the text we parse. */
#define MAX_PERF_MAP_SIZE (512 * 1024 * 1024)

struct _ScorchPerfMap
{
  ScorchPerfMapSymbol *syms;
  gsize                n_syms;
  char                *contents;   /* the names point into it */
};

ScorchPerfMap *
scorch_perf_map_new (void)
{
  return g_new0 (ScorchPerfMap, 1);
}

ScorchPerfMap *
scorch_perf_map_load (const char  *path,
                      GError     **error)
{
  g_autoptr(ScorchPerfMap) self = NULL;
  char *contents = NULL;
  gsize len = 0;
  GArray *syms;
  char *line, *next;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!scorch_read_regular_file (path, MAX_PERF_MAP_SIZE, &contents, &len, error))
    return NULL;
  self = scorch_perf_map_new ();
  self->contents = contents;

  syms = g_array_new (FALSE, FALSE, sizeof (ScorchPerfMapSymbol));
  for (line = contents; line != NULL && line < contents + len; line = next)
    {
      ScorchPerfMapSymbol s;
      char *end;

      next = memchr (line, '\n', contents + len - line);
      if (next != NULL)
        *next++ = '\0';

      /* START SIZE name, hex without 0x (perf accepts an optional 0x) */
      s.start = g_ascii_strtoull (line, &end, 16);
      if (end == line || *end != ' ')
        continue;
      line = end + 1;
      s.size = g_ascii_strtoull (line, &end, 16);
      if (end == line || *end != ' ')
        continue;
      line = end + 1;
      g_strchomp (line);
      if (*line == '\0' || s.size == 0)
        continue;
      s.raw = line;
      s.name = NULL;
      g_array_append_val (syms, s);
    }
  G_STATIC_ASSERT (G_STRUCT_OFFSET (ScorchPerfMapSymbol, start) == 0);
  g_array_sort (syms, scorch_sorted_compare_leading_u64);
  self->n_syms = syms->len;
  self->syms = (ScorchPerfMapSymbol *) (gpointer) g_array_free (syms, FALSE);
  return g_steal_pointer (&self);
}

void
scorch_perf_map_free (ScorchPerfMap *self)
{
  if (self == NULL)
    return;
  g_free (self->syms);
  g_free (self->contents);
  g_free (self);
}

ScorchPerfMapSymbol *
scorch_perf_map_lookup (ScorchPerfMap *self,
                        guint64        ip)
{
  gsize lo;

  g_return_val_if_fail (self != NULL, NULL);

  /* last symbol with start <= ip; later entries win (re-JITted code) */
  lo = scorch_sorted_upper_bound (self->syms, self->n_syms, sizeof (ScorchPerfMapSymbol),
                                  G_STRUCT_OFFSET (ScorchPerfMapSymbol, start), ip);
  for (gsize i = lo; i > 0 && lo - i < 16; i--)
    {
      ScorchPerfMapSymbol *s = &self->syms[i - 1];

      if (ip >= s->start && ip - s->start < s->size)
        return s;
    }
  return NULL;
}
