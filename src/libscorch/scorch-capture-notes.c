/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-capture-notes.c: Scorch's own perf.data feature section (see
 * scorch-capture-notes.h) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-capture-notes"

#include <glib/gi18n.h>
#include <string.h>

#include "scorch-capture-notes.h"
#include "scorch-perf-file.h"
#include "scorch-perf-record.h"

#define HEADER_SIZE_V2 16
#define ENTRY_HEAD     8

typedef struct
{
  char   *key;
  GBytes *value;
} Entry;

struct _ScorchCaptureNotes
{
  GArray *entries; /* of Entry, in the order added */
};

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_free (e->key);
  g_bytes_unref (e->value);
}

ScorchCaptureNotes *
scorch_capture_notes_new (void)
{
  ScorchCaptureNotes *self = g_new0 (ScorchCaptureNotes, 1);

  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (self->entries, entry_clear);
  return self;
}

void
scorch_capture_notes_free (ScorchCaptureNotes *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->entries);
  g_free (self);
}

static gboolean
key_is_valid_len (const char *key,
                  gsize       len)
{
  if (len == 0 || len > SCORCH_CAPTURE_NOTES_MAX_KEY)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_islower (key[i]) || g_ascii_isdigit (key[i]) || key[i] == '-' || key[i] == '.'))
      return FALSE;
  return TRUE;
}

gboolean
scorch_capture_notes_key_is_valid (const char *key)
{
  return key != NULL && key_is_valid_len (key, strnlen (key, SCORCH_CAPTURE_NOTES_MAX_KEY + 1));
}

static Entry *
find (ScorchCaptureNotes *self,
      const char         *key,
      guint              *index)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = &g_array_index (self->entries, Entry, i);

      if (strcmp (e->key, key) == 0)
        {
          if (index != NULL)
            *index = i;
          return e;
        }
    }
  return NULL;
}

/* A copy of the value with a NUL after it (outside its length), so that
 * a string value can be handed out as it is. */
static GBytes *
make_value (const void *data,
            gsize       len)
{
  char *copy = g_malloc (len + 1);

  if (len > 0)
    memcpy (copy, data, len);
  copy[len] = '\0';
  return g_bytes_new_take (copy, len);
}

static void
set_bytes (ScorchCaptureNotes *self,
           const char         *key,
           gsize               key_len,
           GBytes             *value)
{
  g_autofree char *k = g_strndup (key, key_len);
  Entry *e = find (self, k, NULL);

  if (e != NULL)
    {
      g_bytes_unref (e->value);
      e->value = value;
    }
  else
    {
      Entry n = { g_steal_pointer (&k), value };

      g_array_append_val (self->entries, n);
    }
}

void
scorch_capture_notes_set (ScorchCaptureNotes *self,
                          const char         *key,
                          const void         *value,
                          gsize               len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (scorch_capture_notes_key_is_valid (key));
  g_return_if_fail (len <= SCORCH_CAPTURE_NOTES_MAX_VALUE);
  g_return_if_fail (value != NULL || len == 0);

  set_bytes (self, key, strlen (key), make_value (value, len));
}

void
scorch_capture_notes_set_string (ScorchCaptureNotes *self,
                                 const char         *key,
                                 const char         *value)
{
  g_return_if_fail (value != NULL);
  scorch_capture_notes_set (self, key, value, strlen (value));
}

void
scorch_capture_notes_set_int (ScorchCaptureNotes *self,
                              const char         *key,
                              gint64              value)
{
  gint64 le = GINT64_TO_LE (value);

  scorch_capture_notes_set (self, key, &le, sizeof le);
}

gboolean
scorch_capture_notes_remove (ScorchCaptureNotes *self,
                             const char         *key)
{
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);
  if (key == NULL || find (self, key, &i) == NULL)
    return FALSE;
  g_array_remove_index (self->entries, i);
  return TRUE;
}

const guint8 *
scorch_capture_notes_get (ScorchCaptureNotes *self,
                          const char         *key,
                          gsize              *len)
{
  Entry *e;
  gsize n = 0;
  const guint8 *data = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  e = key != NULL ? find (self, key, NULL) : NULL;
  if (e != NULL)
    {
      data = g_bytes_get_data (e->value, &n);
      if (data == NULL)
        data = (const guint8 *) "";
    }
  if (len != NULL)
    *len = n;
  return data;
}

const char *
scorch_capture_notes_get_string (ScorchCaptureNotes *self,
                                 const char         *key)
{
  Entry *e;
  const char *data;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);

  e = key != NULL ? find (self, key, NULL) : NULL;
  if (e == NULL)
    return NULL;
  data = g_bytes_get_data (e->value, &len);
  if (data == NULL)
    return "";
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    return NULL;
  return data; /* make_value put a NUL after it */
}

gboolean
scorch_capture_notes_get_int (ScorchCaptureNotes *self,
                              const char         *key,
                              gint64             *value)
{
  const guint8 *data;
  gsize len;
  gint64 le;

  data = scorch_capture_notes_get (self, key, &len);
  if (data == NULL || len != sizeof le)
    return FALSE;
  memcpy (&le, data, sizeof le);
  if (value != NULL)
    *value = GINT64_FROM_LE (le);
  return TRUE;
}

guint
scorch_capture_notes_get_n_entries (ScorchCaptureNotes *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->entries->len;
}

const char *
scorch_capture_notes_get_key (ScorchCaptureNotes *self,
                              guint               i)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->entries->len, NULL);
  return g_array_index (self->entries, Entry, i).key;
}

static void
append_u32 (GByteArray *b,
            guint32     v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

GBytes *
scorch_capture_notes_serialize (ScorchCaptureNotes *self)
{
  static const guint8 zeros[8] = { 0 };
  GByteArray *b = g_byte_array_new ();

  g_return_val_if_fail (self != NULL, NULL);

  append_u32 (b, SCORCH_PERF_SCORCH_MAGIC);
  append_u32 (b, SCORCH_CAPTURE_NOTES_VERSION);
  append_u32 (b, self->entries->len);
  append_u32 (b, 0); /* size of the entries, patched below */
  for (guint i = 0; i < self->entries->len; i++)
    {
      const Entry *e = &g_array_index (self->entries, Entry, i);
      gsize key_len = strlen (e->key);
      gsize value_len;
      const guint8 *value = g_bytes_get_data (e->value, &value_len);

      append_u32 (b, key_len);
      append_u32 (b, value_len);
      g_byte_array_append (b, (const guint8 *) e->key, key_len);
      if (value_len > 0)
        g_byte_array_append (b, value, value_len);
      if (b->len % 8 != 0)
        g_byte_array_append (b, zeros, 8 - b->len % 8);
    }
  {
    guint32 size = GUINT32_TO_LE (b->len - HEADER_SIZE_V2);

    memcpy (b->data + 12, &size, 4);
  }
  return g_byte_array_free_to_bytes (b);
}

static inline guint32
rd32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static gboolean
malformed (GError    **error,
           guint64     offset,
           const char *what)
{
  g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
               _("Malformed Scorch section at offset %" G_GUINT64_FORMAT ": %s"), offset, what);
  return FALSE;
}

/* Version 1: n perf strings "key=value". */
static gboolean
parse_v1 (ScorchCaptureNotes *self,
          const guint8       *data,
          gsize               len,
          guint64             file_offset,
          GError            **error)
{
  gsize off = 12;
  guint32 n = rd32 (data + 8);

  if (n > len / 4)
    return malformed (error, file_offset + 8, _("more entries than its size allows"));
  for (guint32 i = 0; i < n; i++)
    {
      guint32 slen;
      gsize text_len;
      const char *text, *eq;

      if (len - off < 4)
        return malformed (error, file_offset + off, _("entry cut short"));
      slen = rd32 (data + off);
      off += 4;
      if (slen > len - off)
        return malformed (error, file_offset + off, _("entry runs past the section"));
      text = (const char *) data + off;
      text_len = strnlen (text, slen);
      off += slen;
      eq = memchr (text, '=', text_len);
      if (eq == NULL || !key_is_valid_len (text, eq - text) ||
          !g_utf8_validate (eq + 1, text_len - (eq + 1 - text), NULL))
        continue; /* not ours to judge: skip */
      if (strncmp (text, SCORCH_CAPTURE_NOTE_EXIT_STATUS "=", strlen (SCORCH_CAPTURE_NOTE_EXIT_STATUS) + 1) == 0)
        {
          g_autofree char *digits = g_strndup (eq + 1, text_len - (eq + 1 - text));
          char *end = NULL;
          gint64 status = g_ascii_strtoll (digits, &end, 10);

          if (end != digits && *end == '\0' && status >= 0 && status <= G_MAXINT)
            {
              gint64 le = GINT64_TO_LE (status);

              set_bytes (self, text, eq - text, make_value (&le, sizeof le));
            }
          continue;
        }
      set_bytes (self, text, eq - text, make_value (eq + 1, text_len - (eq + 1 - text)));
    }
  return TRUE;
}

static gboolean
parse_v2 (ScorchCaptureNotes *self,
          const guint8       *data,
          gsize               len,
          guint64             file_offset,
          GError            **error)
{
  gsize off = HEADER_SIZE_V2;
  guint32 n;

  if (len < HEADER_SIZE_V2)
    return malformed (error, file_offset, _("header cut short"));
  /* Bytes after the entries (a later minor addition) are not read. */
  if (rd32 (data + 12) > len - HEADER_SIZE_V2)
    return malformed (error, file_offset + 12, _("its entries run past the section"));
  len = HEADER_SIZE_V2 + rd32 (data + 12);
  n = rd32 (data + 8);
  if (n > (len - HEADER_SIZE_V2) / ENTRY_HEAD)
    return malformed (error, file_offset + 8, _("more entries than its size allows"));
  for (guint32 i = 0; i < n; i++)
    {
      guint32 key_len, value_len;
      gsize entry_len;

      if (len - off < ENTRY_HEAD)
        return malformed (error, file_offset + off, _("entry cut short"));
      key_len = rd32 (data + off);
      value_len = rd32 (data + off + 4);
      /* the padding to 8 bytes is part of the entry */
      entry_len = ((gsize) ENTRY_HEAD + key_len + value_len + 7) & ~(gsize) 7;
      if (key_len > SCORCH_CAPTURE_NOTES_MAX_KEY || value_len > SCORCH_CAPTURE_NOTES_MAX_VALUE ||
          entry_len > len - off)
        return malformed (error, file_offset + off, _("entry runs past the section"));
      if (!key_is_valid_len ((const char *) data + off + ENTRY_HEAD, key_len))
        return malformed (error, file_offset + off, _("entry key is not a key"));
      {
        g_autofree char *key = g_strndup ((const char *) data + off + ENTRY_HEAD, key_len);

        if (find (self, key, NULL) != NULL)
          return malformed (error, file_offset + off, _("a key appears twice"));
        set_bytes (self, key, key_len, make_value (data + off + ENTRY_HEAD + key_len, value_len));
      }
      off += entry_len;
    }
  return TRUE;
}

ScorchCaptureNotes *
scorch_capture_notes_parse (const guint8 *data,
                            gsize         len,
                            guint64       file_offset,
                            GError      **error)
{
  g_autoptr(ScorchCaptureNotes) self = NULL;
  guint32 version;
  gboolean ok;

  if (len < 12 || rd32 (data) != SCORCH_PERF_SCORCH_MAGIC)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED,
                   _("The section at feature bit %d is not Scorch's"), SCORCH_PERF_FEAT_SCORCH);
      return NULL;
    }
  version = rd32 (data + 4);
  self = scorch_capture_notes_new ();
  if (version == 1)
    ok = parse_v1 (self, data, len, file_offset, error);
  else if (version == 2)
    ok = parse_v2 (self, data, len, file_offset, error);
  else
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED,
                   _("The capture's Scorch section is of version %u, newer than this Scorch reads (%d)"),
                   version, SCORCH_CAPTURE_NOTES_VERSION);
      return NULL;
    }
  return ok ? g_steal_pointer (&self) : NULL;
}
