/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scorch-kallsyms.h"
#include "scorch-sorted.h"
#include "scorch-util.h"

/* Longest a symbol may lie past the last one and still be kernel text. */
#define MAX_PAST_LAST (1024 * 1024)

struct _ScorchKallsyms
{
  ScorchKernelSymbol *syms;
  gsize               n_syms;
  GStringChunk       *strings;
};

/* One line is "ADDR TYPE NAME[\tMODULE]" (MODULE as "[name]"). */
typedef struct
{
  guint64  addr;
  char     type;
  char    *name;
  char    *module; /* NULL when the line names none */
} KallsymsLine;

typedef struct
{
  FILE  *file;
  char  *vbuf;
  char  *line;
  size_t line_cap;
} KallsymsStream;

/* Streamed: /proc/kallsyms is ~10 MB of text for ~100k functions. */
static gboolean
stream_open (KallsymsStream *st,
             const char     *path)
{
  int fd = scorch_open_regular_file (path, SCORCH_MAX_ELF_SIZE, NULL, NULL);

  memset (st, 0, sizeof *st);
  if (fd < 0)
    return FALSE;
  st->file = fdopen (fd, "r");
  if (st->file == NULL)
    {
      close (fd);
      return FALSE;
    }
  st->vbuf = g_malloc (256 * 1024);
  setvbuf (st->file, st->vbuf, _IOFBF, 256 * 1024);
  return TRUE;
}

static void
stream_close (KallsymsStream *st)
{
  free (st->line);
  if (st->file != NULL)
    fclose (st->file);
  g_free (st->vbuf);
  memset (st, 0, sizeof *st);
}

/* The next line that starts with an address; *type is '\0' and
 * name NULL on a line with nothing after it.  The name still holds the
 * module: split_module() takes it off, for the lines the caller keeps.
 * FALSE at the end. */
G_ALWAYS_INLINE static inline gboolean
stream_next (KallsymsStream *st,
             KallsymsLine   *out)
{
  ssize_t len;

  while ((len = getline (&st->line, &st->line_cap, st->file)) > 0)
    {
      char *line = st->line, *end;

      if (line[len - 1] == '\n')
        line[--len] = '\0';
      out->addr = g_ascii_strtoull (line, &end, 16);
      if (end == line || *end != ' ')
        continue;
      out->type = end[1];
      out->name = NULL;
      out->module = NULL;
      if (out->type == '\0' || end[2] != ' ')
        {
          out->type = '\0';
          return TRUE;
        }
      out->name = end + 3;
      return TRUE;
    }
  return FALSE;
}

G_ALWAYS_INLINE static inline void
split_module (KallsymsLine *l)
{
  l->module = strchr (l->name, '\t');
  if (l->module != NULL)
    {
      *l->module++ = '\0';
      g_strstrip (l->module);
    }
  g_strchomp (l->name);
}

static int
ksym_compare (gconstpointer a,
              gconstpointer b)
{
  const ScorchKernelSymbol *x = a, *y = b;

  return x->addr < y->addr ? -1 : x->addr > y->addr ? 1 : 0;
}

ScorchKallsyms *
scorch_kallsyms_load (const char           *path,
                      ScorchKallsymsStatus *status)
{
  KallsymsStream st;
  KallsymsLine l;
  ScorchKallsyms *self;
  GArray *syms;
  gboolean any_nonzero = FALSE;
  guint n_lines = 0;
  const char *last_mod = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (status != NULL, NULL);

  if (!stream_open (&st, path))
    {
      *status = SCORCH_KALLSYMS_UNREADABLE;
      return NULL;
    }

  self = g_new0 (ScorchKallsyms, 1);
  /* Only the few names that samples hit are copied out by the caller. */
  self->strings = g_string_chunk_new (256 * 1024);
  syms = g_array_sized_new (FALSE, FALSE, sizeof (ScorchKernelSymbol), 64 * 1024);
  while (stream_next (&st, &l))
    {
      ScorchKernelSymbol s;

      n_lines++;
      if (l.addr != 0)
        any_nonzero = TRUE;
      if (l.type != 't' && l.type != 'T' && l.type != 'w' && l.type != 'W')
        continue;
      split_module (&l);
      if (l.module == NULL || *l.module == '\0')
        s.module = NULL;
      else if (last_mod != NULL && strcmp (last_mod, l.module) == 0)
        s.module = last_mod;
      else
        s.module = last_mod = g_string_chunk_insert_const (self->strings, l.module);
      if (*l.name == '\0')
        continue;
      s.addr = l.addr;
      s.name = g_string_chunk_insert (self->strings, l.name);
      g_array_append_val (syms, s);
    }
  stream_close (&st);

  if (n_lines > 0 && !any_nonzero)
    {
      g_array_unref (syms);
      scorch_kallsyms_free (self);
      *status = SCORCH_KALLSYMS_HIDDEN;
      return NULL;
    }
  if (syms->len == 0)
    {
      g_array_unref (syms);
      scorch_kallsyms_free (self);
      *status = SCORCH_KALLSYMS_EMPTY;
      return NULL;
    }

  g_array_sort (syms, ksym_compare);
  self->n_syms = syms->len;
  self->syms = (ScorchKernelSymbol *) (gpointer) g_array_free (syms, FALSE);
  *status = SCORCH_KALLSYMS_OK;
  return self;
}

void
scorch_kallsyms_free (ScorchKallsyms *self)
{
  if (self == NULL)
    return;
  g_free (self->syms);
  g_string_chunk_free (self->strings);
  g_free (self);
}

const ScorchKernelSymbol *
scorch_kallsyms_lookup (ScorchKallsyms *self,
                        guint64         ip)
{
  gsize lo;
  const ScorchKernelSymbol *s;

  g_return_val_if_fail (self != NULL, NULL);

  lo = scorch_sorted_upper_bound (self->syms, self->n_syms, sizeof (ScorchKernelSymbol),
                                  G_STRUCT_OFFSET (ScorchKernelSymbol, addr), ip);
  if (lo == 0)
    return NULL;
  s = &self->syms[lo - 1];
  /* Past the last symbol by more than a megabyte: not kernel text we know. */
  if (lo == self->n_syms && ip - s->addr > MAX_PAST_LAST)
    return NULL;
  return s;
}

gboolean
scorch_kallsyms_find (const char *path,
                      const char *name,
                      guint       max_lines,
                      guint64    *addr)
{
  KallsymsStream st;
  KallsymsLine l;
  gboolean found = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (addr != NULL, FALSE);

  if (!stream_open (&st, path))
    return FALSE;
  for (guint i = 0; i < max_lines && stream_next (&st, &l); i++)
    {
      if (l.name == NULL)
        continue;
      split_module (&l);
      if (strcmp (l.name, name) == 0)
        {
          *addr = l.addr;
          found = l.addr != 0;
          break;
        }
    }
  stream_close (&st);
  return found;
}
