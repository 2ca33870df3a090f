/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "scorch-kallsyms.h"
#include "scorch-sorted.h"
#include "scorch-symbolizer-cache.h"
#include "scorch-util.h"

/* Longest a symbol may lie past the last one and still be kernel text. */
#define MAX_PAST_LAST (1024 * 1024)

struct _ScorchKallsyms
{
  ScorchKernelSymbol *syms;
  gsize               n_syms;
  GStringChunk       *strings;
  GMappedFile        *mapped;   /* the cache entry the names point into, or NULL */
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

  G_STATIC_ASSERT (G_STRUCT_OFFSET (ScorchKernelSymbol, addr) == 0);
  g_array_sort (syms, scorch_sorted_compare_leading_u64);
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
  if (self->strings != NULL)
    g_string_chunk_free (self->strings);
  g_clear_pointer (&self->mapped, g_mapped_file_unref);
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

/* ---- the cache ---------------------------------------------------------- */

#define KCACHE_MAGIC "SCRKSYM\1"
#define KCACHE_VERSION 1
#define KCACHE_BYTE_ORDER 0x01020304u
#define KCACHE_MAX_SIZE (512 * 1024 * 1024)
#define KCACHE_NO_MODULE G_MAXUINT32
/* Lines of path looked at for a visible (nonzero) address */
#define VISIBLE_LINES 64

typedef struct
{
  char    magic[8];
  guint32 version;
  guint32 byte_order;
  guint64 n_syms;
  guint64 strings_size;
  guint64 payload_size;
  guint64 checksum;
} KcacheHeader;

typedef struct
{
  guint64 addr;
  guint32 name;       /* into the strings */
  guint32 module;     /* likewise, or KCACHE_NO_MODULE */
} KcacheSymbol;

static guint64
kcache_entry_checksum (const KcacheHeader *h,
                       const guint8       *payload)
{
  guint64 head = _scorch_symbolizer_cache_checksum ((const guint8 *) h, G_STRUCT_OFFSET (KcacheHeader, checksum));

  return (head * G_GUINT64_CONSTANT (0x100000001b3)) ^ _scorch_symbolizer_cache_checksum (payload, h->payload_size);
}

gboolean
scorch_kallsyms_is_from_cache (ScorchKallsyms *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->mapped != NULL;
}

char *
scorch_kallsyms_dup_running_key (void)
{
  g_autofree char *boot_id = NULL;
  g_autofree char *modules = NULL;
  gsize modules_len = 0;
  g_autoptr(GChecksum) sum = NULL;

  if (!scorch_read_regular_file ("/proc/sys/kernel/random/boot_id", 4096, &boot_id, NULL, NULL))
    return NULL;
  /* a kernel without modules has no /proc/modules */
  if (!scorch_read_regular_file ("/proc/modules", 16 * 1024 * 1024, &modules, &modules_len, NULL))
    modules_len = 0;
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) boot_id, strlen (boot_id));
  g_checksum_update (sum, (const guchar *) "\n--\n", 4);
  if (modules != NULL)
    g_checksum_update (sum, (const guchar *) modules, modules_len);
  return g_strdup (g_checksum_get_string (sum));
}

/* Whether path shows a nonzero address in its first lines. */
static gboolean
addresses_visible (const char *path)
{
  KallsymsStream st;
  KallsymsLine l;
  gboolean visible = FALSE;

  if (!stream_open (&st, path))
    return FALSE;
  for (guint i = 0; i < VISIBLE_LINES && !visible && stream_next (&st, &l); i++)
    visible = l.addr != 0;
  stream_close (&st);
  return visible;
}

static char *
kcache_path (const char *cache_dir,
             const char *key)
{
  g_autofree char *name = g_strdup_printf ("kallsyms-%s.bin", key);

  return g_build_filename (cache_dir, name, NULL);
}

static ScorchKallsyms *
kcache_load (const char *entry)
{
  g_autoptr(GMappedFile) file = NULL;
  ScorchKallsyms *self;
  KcacheHeader h;
  const guint8 *data, *payload;
  const KcacheSymbol *recs;
  const char *strings;
  gsize len;

  file = _scorch_symbolizer_cache_map (entry, KCACHE_MAX_SIZE, NULL);
  if (file == NULL)
    return NULL;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  len = g_mapped_file_get_length (file);
  if (len < sizeof h)
    return NULL;
  memcpy (&h, data, sizeof h);
  if (memcmp (h.magic, KCACHE_MAGIC, 8) != 0 || h.version != KCACHE_VERSION ||
      h.byte_order != KCACHE_BYTE_ORDER || h.payload_size != len - sizeof h ||
      h.n_syms == 0 || h.n_syms > KCACHE_MAX_SIZE / sizeof (KcacheSymbol) ||
      h.strings_size == 0 || h.strings_size > KCACHE_MAX_SIZE ||
      h.n_syms * sizeof (KcacheSymbol) + h.strings_size != h.payload_size)
    return NULL;
  payload = data + sizeof h;
  if (kcache_entry_checksum (&h, payload) != h.checksum)
    return NULL;
  recs = (const KcacheSymbol *) (gconstpointer) payload;
  strings = (const char *) (recs + h.n_syms);
  if (strings[h.strings_size - 1] != '\0')
    return NULL;

  self = g_new0 (ScorchKallsyms, 1);
  self->syms = g_new (ScorchKernelSymbol, h.n_syms);
  for (guint64 i = 0; i < h.n_syms; i++)
    {
      KcacheSymbol r;

      memcpy (&r, &recs[i], sizeof r);
      if (r.name >= h.strings_size || (r.module != KCACHE_NO_MODULE && r.module >= h.strings_size) ||
          (i > 0 && r.addr < self->syms[i - 1].addr))
        {
          scorch_kallsyms_free (self);
          return NULL;
        }
      self->syms[i].addr = r.addr;
      self->syms[i].name = strings + r.name;
      self->syms[i].module = r.module != KCACHE_NO_MODULE ? strings + r.module : NULL;
    }
  self->n_syms = h.n_syms;
  self->mapped = g_steal_pointer (&file);
  return self;
}

/* Removes the entries of other keys (older boots, other module sets). */
static void
kcache_prune (const char *cache_dir,
              const char *keep)
{
  g_autoptr(GDir) dir = g_dir_open (cache_dir, 0, NULL);
  g_autofree char *keep_name = g_path_get_basename (keep);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "kallsyms-") && g_str_has_suffix (name, ".bin") &&
        strcmp (name, keep_name) != 0)
      {
        g_autofree char *path = g_build_filename (cache_dir, name, NULL);

        g_unlink (path);
      }
}

static void
kcache_save (ScorchKallsyms *self,
             const char     *cache_dir,
             const char     *entry)
{
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GByteArray) strings = g_byte_array_new ();
  g_autoptr(GHashTable) offsets = g_hash_table_new (g_direct_hash, g_direct_equal);
  KcacheHeader h = { 0 };

  out = g_byte_array_sized_new (sizeof h + self->n_syms * (sizeof (KcacheSymbol) + 24));
  g_byte_array_append (out, (const guint8 *) &h, sizeof h);
  for (gsize i = 0; i < self->n_syms; i++)
    {
      const ScorchKernelSymbol *s = &self->syms[i];
      KcacheSymbol r = { .addr = s->addr, .module = KCACHE_NO_MODULE };
      gpointer off;

      /* names are interned in the table's chunk: modules once each */
      r.name = strings->len;
      g_byte_array_append (strings, (const guint8 *) s->name, strlen (s->name) + 1);
      if (s->module != NULL)
        {
          off = g_hash_table_lookup (offsets, s->module);
          if (off == NULL)
            {
              off = GSIZE_TO_POINTER (strings->len + 1);
              g_hash_table_insert (offsets, (gpointer) s->module, off);
              g_byte_array_append (strings, (const guint8 *) s->module, strlen (s->module) + 1);
            }
          r.module = GPOINTER_TO_SIZE (off) - 1;
        }
      g_byte_array_append (out, (const guint8 *) &r, sizeof r);
    }
  g_byte_array_append (out, strings->data, strings->len);
  memcpy (h.magic, KCACHE_MAGIC, 8);
  h.version = KCACHE_VERSION;
  h.byte_order = KCACHE_BYTE_ORDER;
  h.n_syms = self->n_syms;
  h.strings_size = strings->len;
  h.payload_size = out->len - sizeof h;
  h.checksum = kcache_entry_checksum (&h, out->data + sizeof h);
  memcpy (out->data, &h, sizeof h);

  kcache_prune (cache_dir, entry);
  _scorch_symbolizer_cache_write (cache_dir, entry, out->data, out->len, NULL);
}

ScorchKallsyms *
scorch_kallsyms_load_cached (const char           *path,
                             const char           *cache_dir,
                             const char           *key,
                             ScorchKallsymsStatus *status)
{
  g_autofree char *entry = NULL;
  ScorchKallsyms *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (status != NULL, NULL);

  /* a key from a file name must stay one file name */
  if (cache_dir == NULL || key == NULL || key[0] == '\0' || strchr (key, '/') != NULL ||
      !addresses_visible (path))
    return scorch_kallsyms_load (path, status);

  entry = kcache_path (cache_dir, key);
  self = kcache_load (entry);
  if (self != NULL)
    {
      *status = SCORCH_KALLSYMS_OK;
      return self;
    }
  self = scorch_kallsyms_load (path, status);
  if (self != NULL)
    kcache_save (self, cache_dir, entry);
  return self;
}
