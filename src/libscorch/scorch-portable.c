/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-portable.c: the portable entries of the Scorch section (format and
 * design in scorch-portable.h); scorch-portable-pack.c adds them to a capture. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-portable"

#include <glib.h>
#include <glib/gi18n.h>
#include <string.h>

#include "scorch-module.h"
#include "scorch-perf-record.h"
#include "scorch-portable.h"

#define PORTABLE_VERSION 1
/* Bounds for untrusted sections (a frame is 32 bytes, a stack entry 16) */
#define MAX_FRAMES_PER_ADDR SCORCH_SYMBOLIZER_MAX_CHAIN
#define MAX_IPS_PER_STACK   4096

typedef struct
{
  guint32 module;   /* string index or SCORCH_PORTABLE_NONE (kernel) */
  guint64 offset;
} AddrKey;

typedef struct
{
  guint32 function, module, file, line;
  guint64 offset;
  guint32 kind;
} Frame;

static guint
addr_key_hash (gconstpointer p)
{
  const AddrKey *k = p;

  return g_int64_hash (&k->offset) ^ (k->module * 2654435761u);
}

static gboolean
addr_key_equal (gconstpointer a,
                gconstpointer b)
{
  const AddrKey *x = a, *y = b;

  return x->module == y->module && x->offset == y->offset;
}

/* "b:<hex>" for a module with a build id, else "p:<path>" */
static char *
module_key (const ScorchMapping *map)
{
  if (map->build_id != NULL && map->build_id_len > 0)
    {
      g_autofree char *hex = scorch_module_build_id_to_hex (map->build_id, map->build_id_len);

      return g_strconcat ("b:", hex, NULL);
    }
  return g_strconcat ("p:", map->path != NULL ? map->path : "", NULL);
}

/* Builder */

struct _ScorchPortableBuilder
{
  GHashTable *string_index;  /* char* (owned by strings) -> index + 1 */
  GPtrArray  *strings;       /* char* */
  GHashTable *addrs;         /* AddrKey* (owned) -> GUINT_TO_POINTER (index into addr_frames + 1) */
  GArray     *addr_keys;     /* AddrKey, in insertion order */
  GPtrArray  *addr_frames;   /* GArray of Frame */
  GByteArray *stacks;        /* serialized stacks after the header */
  guint32     n_stacks;
};

ScorchPortableBuilder *
scorch_portable_builder_new (void)
{
  ScorchPortableBuilder *self = g_new0 (ScorchPortableBuilder, 1);

  self->string_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->strings = g_ptr_array_new_with_free_func (g_free);
  self->addrs = g_hash_table_new_full (addr_key_hash, addr_key_equal, g_free, NULL);
  self->addr_keys = g_array_new (FALSE, FALSE, sizeof (AddrKey));
  self->addr_frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->stacks = g_byte_array_new ();
  return self;
}

void
scorch_portable_builder_free (ScorchPortableBuilder *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->string_index);
  g_ptr_array_unref (self->strings);
  g_hash_table_unref (self->addrs);
  g_array_unref (self->addr_keys);
  g_ptr_array_unref (self->addr_frames);
  g_byte_array_unref (self->stacks);
  g_free (self);
}

static guint32
builder_string (ScorchPortableBuilder *self,
                const char            *str)
{
  gpointer v;
  char *copy;

  if (str == NULL)
    return SCORCH_PORTABLE_NONE;
  if (g_hash_table_lookup_extended (self->string_index, str, NULL, &v))
    return GPOINTER_TO_UINT (v) - 1;
  copy = g_strdup (str);
  g_ptr_array_add (self->strings, copy);
  g_hash_table_insert (self->string_index, copy, GUINT_TO_POINTER (self->strings->len));
  return self->strings->len - 1;
}

void
scorch_portable_builder_add_address (ScorchPortableBuilder *self,
                                     const ScorchMapping   *map,
                                     guint64                offset,
                                     const ScorchSymbol    *syms,
                                     guint                  n)
{
  AddrKey key;
  GArray *frames;

  g_return_if_fail (self != NULL);

  if (map != NULL)
    {
      g_autofree char *mk = module_key (map);

      key.module = builder_string (self, mk);
    }
  else
    key.module = SCORCH_PORTABLE_NONE;
  key.offset = offset;
  if (g_hash_table_contains (self->addrs, &key))
    return;

  frames = g_array_sized_new (FALSE, TRUE, sizeof (Frame), n);
  for (guint i = 0; i < MIN (n, MAX_FRAMES_PER_ADDR); i++)
    {
      Frame f;

      f.function = builder_string (self, syms[i].function);
      f.module = builder_string (self, syms[i].module);
      f.file = builder_string (self, syms[i].file);
      f.line = syms[i].line;
      f.offset = syms[i].offset;
      f.kind = syms[i].kind;
      g_array_append_val (frames, f);
    }
  g_ptr_array_add (self->addr_frames, frames);
  g_array_append_val (self->addr_keys, key);
  g_hash_table_insert (self->addrs, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (self->addr_frames->len));
}

static void
put_u32 (GByteArray *b,
         guint32     v)
{
  guint32 le = GUINT32_TO_LE (v);

  g_byte_array_append (b, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *b,
         guint64     v)
{
  guint64 le = GUINT64_TO_LE (v);

  g_byte_array_append (b, (const guint8 *) &le, 8);
}

void
scorch_portable_builder_add_stack (ScorchPortableBuilder *self,
                                   guint64                time,
                                   guint32                tid,
                                   const guint64         *ips,
                                   guint                  n)
{
  g_return_if_fail (self != NULL);

  n = MIN (n, MAX_IPS_PER_STACK);
  put_u64 (self->stacks, time);
  put_u32 (self->stacks, tid);
  put_u32 (self->stacks, n);
  for (guint i = 0; i < n; i++)
    put_u64 (self->stacks, ips[i]);
  self->n_stacks++;
}

void
scorch_portable_builder_write_notes (ScorchPortableBuilder *self,
                                     ScorchCaptureNotes    *notes)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  g_autoptr(GByteArray) s = g_byte_array_new ();

  put_u32 (b, PORTABLE_VERSION);
  put_u32 (b, self->strings->len);
  for (guint i = 0; i < self->strings->len; i++)
    {
      const char *str = g_ptr_array_index (self->strings, i);
      gsize len = strlen (str);

      put_u32 (b, len);
      g_byte_array_append (b, (const guint8 *) str, len);
    }
  put_u32 (b, self->addr_keys->len);
  for (guint i = 0; i < self->addr_keys->len; i++)
    {
      const AddrKey *k = &g_array_index (self->addr_keys, AddrKey, i);
      GArray *frames = g_ptr_array_index (self->addr_frames, i);

      put_u32 (b, k->module);
      put_u64 (b, k->offset);
      put_u32 (b, frames->len);
      for (guint j = 0; j < frames->len; j++)
        {
          const Frame *f = &g_array_index (frames, Frame, j);

          put_u32 (b, f->function);
          put_u32 (b, f->module);
          put_u32 (b, f->file);
          put_u32 (b, f->line);
          put_u64 (b, f->offset);
          put_u32 (b, f->kind);
        }
    }
  scorch_capture_notes_set (notes, SCORCH_CAPTURE_NOTE_PORTABLE_SYMBOLS, b->data, b->len);

  put_u32 (s, PORTABLE_VERSION);
  put_u32 (s, self->n_stacks);
  g_byte_array_append (s, self->stacks->data, self->stacks->len);
  scorch_capture_notes_set (notes, SCORCH_CAPTURE_NOTE_PORTABLE_STACKS, s->data, s->len);
}

/* Reader */

struct _ScorchPortable
{
  char      **strings;     /* n_strings, owned */
  guint32     n_strings;
  GHashTable *module_index; /* module key (in strings) -> index + 1 */
  GHashTable *addrs;        /* AddrKey* (in keys) -> first frame + 1 */
  AddrKey    *keys;
  guint32    *addr_n_frames;
  guint32    *addr_first;
  guint32     n_addrs;
  Frame      *frames;
  guint32     n_frames;
  /* stacks: offsets into the notes' value (borrowed: the notes outlive
   * nothing, so the bytes are copied) */
  guint8     *stack_bytes;
  gsize       stack_len;
  guint64    *stack_offsets;  /* n_stacks: offset of each entry in stack_bytes */
  guint32     n_stacks;
  guint64    *ips_buf;        /* aligned copy of the last stack's ips */
};

typedef struct
{
  const guint8 *p;
  gsize         len;
  gsize         pos;
} Cursor;

static gboolean
get_u32 (Cursor  *c,
         guint32 *v)
{
  guint32 le;

  if (c->len - c->pos < 4)
    return FALSE;
  memcpy (&le, c->p + c->pos, 4);
  c->pos += 4;
  *v = GUINT32_FROM_LE (le);
  return TRUE;
}

static gboolean
get_u64 (Cursor  *c,
         guint64 *v)
{
  guint64 le;

  if (c->len - c->pos < 8)
    return FALSE;
  memcpy (&le, c->p + c->pos, 8);
  c->pos += 8;
  *v = GUINT64_FROM_LE (le);
  return TRUE;
}

static gboolean
malformed (GError    **error,
           const char *key,
           gsize       pos,
           const char *what)
{
  g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
               _("Malformed portable symbol data (“%s” at byte %" G_GSIZE_FORMAT "): %s; "
                 "the capture is read without it"),
               key, pos, what);
  return FALSE;
}

void
scorch_portable_free (ScorchPortable *self)
{
  if (self == NULL)
    return;
  if (self->strings != NULL)
    for (guint32 i = 0; i < self->n_strings; i++)
      g_free (self->strings[i]);
  g_free (self->strings);
  g_clear_pointer (&self->module_index, g_hash_table_unref);
  g_clear_pointer (&self->addrs, g_hash_table_unref);
  g_free (self->keys);
  g_free (self->addr_n_frames);
  g_free (self->addr_first);
  g_free (self->frames);
  g_free (self->stack_bytes);
  g_free (self->stack_offsets);
  g_free (self->ips_buf);
  g_free (self);
}

static gboolean
check_string_index (guint32 idx,
                    guint32 n_strings,
                    gboolean nullable)
{
  return idx < n_strings || (nullable && idx == SCORCH_PORTABLE_NONE);
}

static gboolean
parse_symbols (ScorchPortable *self,
               const guint8   *data,
               gsize           len,
               GError        **error)
{
  const char *key = SCORCH_CAPTURE_NOTE_PORTABLE_SYMBOLS;
  Cursor c = { data, len, 0 };
  guint32 version, n;
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (Frame));

  if (!get_u32 (&c, &version) || !get_u32 (&c, &n))
    return malformed (error, key, c.pos, _("header cut short"));
  if (version != PORTABLE_VERSION)
    return malformed (error, key, 0, _("unknown version"));
  /* each string takes at least 4 bytes */
  if (n > (len - c.pos) / 4)
    return malformed (error, key, c.pos, _("more strings than its size allows"));
  self->strings = g_new0 (char *, n);
  self->n_strings = n;
  for (guint32 i = 0; i < n; i++)
    {
      guint32 slen;

      if (!get_u32 (&c, &slen) || slen > len - c.pos)
        return malformed (error, key, c.pos, _("string cut short"));
      if (memchr (c.p + c.pos, '\0', slen) != NULL || !g_utf8_validate ((const char *) c.p + c.pos, slen, NULL))
        self->strings[i] = g_utf8_make_valid ((const char *) c.p + c.pos, slen);
      else
        self->strings[i] = g_strndup ((const char *) c.p + c.pos, slen);
      /* an embedded NUL cuts the string: never longer than stored */
      c.pos += slen;
    }
  for (guint32 i = 0; i < n; i++)
    if (self->strings[i][0] == 'b' || self->strings[i][0] == 'p')
      g_hash_table_insert (self->module_index, self->strings[i], GUINT_TO_POINTER (i + 1));

  if (!get_u32 (&c, &n))
    return malformed (error, key, c.pos, _("address count missing"));
  /* each address takes at least 16 bytes */
  if (n > (len - c.pos) / 16)
    return malformed (error, key, c.pos, _("more addresses than its size allows"));
  self->keys = g_new0 (AddrKey, n);
  self->addr_n_frames = g_new0 (guint32, n);
  self->addr_first = g_new0 (guint32, n);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 nf;

      if (!get_u32 (&c, &self->keys[i].module) || !get_u64 (&c, &self->keys[i].offset) || !get_u32 (&c, &nf))
        return malformed (error, key, c.pos, _("address cut short"));
      if (!check_string_index (self->keys[i].module, self->n_strings, TRUE))
        return malformed (error, key, c.pos, _("module out of range"));
      if (nf > MAX_FRAMES_PER_ADDR)
        return malformed (error, key, c.pos, _("too many frames for one address"));
      self->addr_first[i] = frames->len;
      self->addr_n_frames[i] = nf;
      for (guint32 j = 0; j < nf; j++)
        {
          Frame f;

          if (!get_u32 (&c, &f.function) || !get_u32 (&c, &f.module) || !get_u32 (&c, &f.file) ||
              !get_u32 (&c, &f.line) || !get_u64 (&c, &f.offset) || !get_u32 (&c, &f.kind))
            return malformed (error, key, c.pos, _("frame cut short"));
          if (!check_string_index (f.function, self->n_strings, TRUE) ||
              !check_string_index (f.module, self->n_strings, TRUE) ||
              !check_string_index (f.file, self->n_strings, TRUE))
            return malformed (error, key, c.pos, _("string index out of range"));
          if (f.kind >= SCORCH_FRAME_KIND_ROOT)
            return malformed (error, key, c.pos, _("unknown frame kind"));
          g_array_append_val (frames, f);
        }
      self->n_addrs = i + 1;
    }
  self->n_frames = frames->len;
  self->frames = (Frame *) (gpointer) g_array_free (g_steal_pointer (&frames), FALSE);
  for (guint32 i = 0; i < self->n_addrs; i++)
    g_hash_table_insert (self->addrs, &self->keys[i], GUINT_TO_POINTER (i + 1));
  return TRUE;
}

static gboolean
parse_stacks (ScorchPortable *self,
              const guint8   *data,
              gsize           len,
              GError        **error)
{
  const char *key = SCORCH_CAPTURE_NOTE_PORTABLE_STACKS;
  Cursor c = { data, len, 0 };
  guint32 version, n;

  if (!get_u32 (&c, &version) || !get_u32 (&c, &n))
    return malformed (error, key, c.pos, _("header cut short"));
  if (version != PORTABLE_VERSION)
    return malformed (error, key, 0, _("unknown version"));
  if (n > (len - c.pos) / 16)
    return malformed (error, key, c.pos, _("more stacks than its size allows"));
  self->stack_bytes = g_memdup2 (data, len);
  self->stack_len = len;
  c.p = self->stack_bytes;
  self->stack_offsets = g_new (guint64, n);
  for (guint32 i = 0; i < n; i++)
    {
      guint64 time;
      guint32 tid, nips;

      self->stack_offsets[i] = c.pos;
      if (!get_u64 (&c, &time) || !get_u32 (&c, &tid) || !get_u32 (&c, &nips))
        return malformed (error, key, c.pos, _("stack cut short"));
      if (nips > MAX_IPS_PER_STACK || (gsize) nips * 8 > len - c.pos)
        return malformed (error, key, c.pos, _("stack longer than its size allows"));
      c.pos += (gsize) nips * 8;
    }
  self->n_stacks = n;
  self->ips_buf = g_new (guint64, MAX_IPS_PER_STACK);
  return TRUE;
}

ScorchPortable *
scorch_portable_new_from_notes (ScorchCaptureNotes *notes,
                                GError            **error)
{
  g_autoptr(ScorchPortable) self = NULL;
  const guint8 *sym, *stk;
  gsize sym_len = 0, stk_len = 0;

  if (notes == NULL)
    return NULL;
  sym = scorch_capture_notes_get (notes, SCORCH_CAPTURE_NOTE_PORTABLE_SYMBOLS, &sym_len);
  stk = scorch_capture_notes_get (notes, SCORCH_CAPTURE_NOTE_PORTABLE_STACKS, &stk_len);
  if (sym == NULL && stk == NULL)
    return NULL;

  self = g_new0 (ScorchPortable, 1);
  self->module_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->addrs = g_hash_table_new (addr_key_hash, addr_key_equal);
  if (sym != NULL && !parse_symbols (self, sym, sym_len, error))
    return NULL;
  if (stk != NULL && !parse_stacks (self, stk, stk_len, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
scorch_portable_lookup (ScorchPortable      *self,
                        const ScorchMapping *map,
                        guint64              offset,
                        ScorchSymbol        *out,
                        guint                max,
                        guint               *n)
{
  AddrKey key;
  guint idx;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->n_addrs == 0)
    return FALSE;
  if (map != NULL)
    {
      g_autofree char *mk = module_key (map);
      gpointer v = g_hash_table_lookup (self->module_index, mk);

      if (v == NULL)
        return FALSE;
      key.module = GPOINTER_TO_UINT (v) - 1;
    }
  else
    key.module = SCORCH_PORTABLE_NONE;
  key.offset = offset;
  idx = GPOINTER_TO_UINT (g_hash_table_lookup (self->addrs, &key));
  if (idx == 0)
    return FALSE;
  idx--;

  *n = MIN (self->addr_n_frames[idx], max);
  for (guint i = 0; i < *n; i++)
    {
      const Frame *f = &self->frames[self->addr_first[idx] + i];

      out[i].function = f->function != SCORCH_PORTABLE_NONE ? self->strings[f->function] : NULL;
      out[i].module = f->module != SCORCH_PORTABLE_NONE ? self->strings[f->module] : NULL;
      out[i].file = f->file != SCORCH_PORTABLE_NONE ? self->strings[f->file] : NULL;
      out[i].line = f->line;
      out[i].offset = f->offset;
      out[i].kind = f->kind;
    }
  return TRUE;
}

gboolean
scorch_portable_get_stack (ScorchPortable *self,
                           guint64         index,
                           guint64         time,
                           guint32         tid,
                           const guint64 **ips,
                           guint          *n)
{
  Cursor c;
  guint64 t;
  guint32 stid, nips;

  g_return_val_if_fail (self != NULL, FALSE);

  if (index >= self->n_stacks)
    return FALSE;
  /* bounds were checked by parse_stacks */
  c.p = self->stack_bytes;
  c.len = self->stack_len;
  c.pos = self->stack_offsets[index];
  if (!get_u64 (&c, &t) || !get_u32 (&c, &stid) || !get_u32 (&c, &nips))
    return FALSE;
  if (t != time || stid != tid)
    return FALSE;
  memcpy (self->ips_buf, c.p + c.pos, (gsize) nips * 8);
  for (guint32 i = 0; i < nips; i++)
    self->ips_buf[i] = GUINT64_FROM_LE (self->ips_buf[i]);
  *ips = self->ips_buf;
  *n = nips;
  return TRUE;
}

guint
scorch_portable_get_n_addresses (ScorchPortable *self)
{
  return self->n_addrs;
}

guint
scorch_portable_get_n_stacks (ScorchPortable *self)
{
  return self->n_stacks;
}
