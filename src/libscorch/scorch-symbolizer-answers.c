/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbolizer-answers.c: a module's symbolized addresses, saved per
 * build id so that the next load needs no DWARF (see the header) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-symbolizer"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "scorch-module.h"
#include "scorch-sorted.h"
#include "scorch-symbolizer-answers.h"
#include "scorch-symbolizer-cache.h"
#include "scorch-util.h"

#define ANSWERS_MAGIC "SCRANSW\1"
#define ANSWERS_VERSION 1
#define ANSWERS_BYTE_ORDER 0x01020304u
#define ANSWERS_MAX_SIZE (256 * 1024 * 1024)
#define ANSWERS_MAX_PATH 4096
#define NO_STRING G_MAXUINT32

typedef struct
{
  char    magic[8];
  guint32 version;
  guint32 byte_order;
  guint32 line_mode;
  guint32 build_id_len;
  guint8  build_id[SCORCH_MODULE_MAX_BUILD_ID];
  guint64 n_answers;
  guint64 n_frames;
  guint64 strings_size;
  guint64 debug_size;
  gint64  debug_mtime_ns;
  guint64 debug_ino;
  guint32 debug_path_len;     /* the DWARF's file, then a NUL, then the search path */
  guint32 debug_is_module;    /* the DWARF came from the module's own file */
  guint64 payload_size;
  guint64 checksum;
} AnswersHeader;

typedef struct
{
  guint64 key;
  guint32 first;             /* index of its first frame */
  guint32 count;
} StoredAnswer;

typedef struct
{
  guint64 offset;
  guint32 function;          /* into the strings, or NO_STRING */
  guint32 file;              /* likewise */
  guint32 line;
  guint32 kind;
} StoredFrame;

typedef struct
{
  guint64 key;
  guint   first;             /* into the new frames */
  guint   count;
} NewAnswer;

struct _ScorchSymbolizerAnswers
{
  /* the loaded entry (mapped), checked */
  GMappedFile        *file;
  const StoredAnswer *answers;
  gsize               n_answers;
  const StoredFrame  *frames;
  gsize               n_frames;
  const char         *strings;
  gsize               strings_size;

  GArray             *new_answers;   /* NewAnswer */
  GArray             *new_frames;    /* ScorchSymbol */
  GHashTable         *new_keys;      /* key set: an address is added once */
  guint               n_hits;
};

/* Of the header (up to the checksum) and the payload. */
static guint64
entry_checksum (const AnswersHeader *h,
                const guint8        *payload)
{
  guint64 head = _scorch_symbolizer_cache_checksum ((const guint8 *) h, G_STRUCT_OFFSET (AnswersHeader, checksum));

  return (head * G_GUINT64_CONSTANT (0x100000001b3)) ^ _scorch_symbolizer_cache_checksum (payload, h->payload_size);
}

static inline gsize
pad8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

ScorchSymbolizerAnswers *
_scorch_symbolizer_answers_new (void)
{
  ScorchSymbolizerAnswers *self = g_new0 (ScorchSymbolizerAnswers, 1);

  self->new_answers = g_array_new (FALSE, FALSE, sizeof (NewAnswer));
  self->new_frames = g_array_new (FALSE, FALSE, sizeof (ScorchSymbol));
  self->new_keys = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  return self;
}

void
_scorch_symbolizer_answers_free (ScorchSymbolizerAnswers *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->file, g_mapped_file_unref);
  g_array_unref (self->new_answers);
  g_array_unref (self->new_frames);
  g_hash_table_destroy (self->new_keys);
  g_free (self);
}

char *
_scorch_symbolizer_answers_get_path (const char   *dir,
                                     const guint8 *build_id,
                                     guint         build_id_len,
                                     guint         line_mode)
{
  g_autofree char *hex = scorch_module_build_id_to_hex (build_id, build_id_len);
  g_autofree char *name = g_strdup_printf ("%s.%s.ans", hex,
                                           line_mode == SCORCH_SYMBOLIZER_LINES_FUNCTION ? "function" : "address");

  return g_build_filename (dir, name, NULL);
}

/* Whether the debug file is still the one recorded. */
static gboolean
debug_file_matches (const char    *path,
                    const AnswersHeader *h)
{
  struct stat st;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  return (guint64) st.st_size == h->debug_size && (guint64) st.st_ino == h->debug_ino &&
         (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec == h->debug_mtime_ns;
}

static gboolean
answers_parse (ScorchSymbolizerAnswers          *self,
               const guint8                     *data,
               gsize                             len,
               const char                       *path,
               const ScorchSymbolizerAnswersKey *key,
               GError                          **error)
{
  const char *module_path = key->module_path != NULL ? key->module_path : "";
  const char *search_path = key->search_path != NULL ? key->search_path : "";
  AnswersHeader h;
  const guint8 *payload;
  const StoredAnswer *answers;
  const StoredFrame *frames;
  const char *strings;
  guint64 expect;

  if (len < sizeof h)
    return _scorch_symbolizer_cache_bad_entry (error, path, "truncated header");
  memcpy (&h, data, sizeof h);
  if (memcmp (h.magic, ANSWERS_MAGIC, 8) != 0 || h.version != ANSWERS_VERSION ||
      h.byte_order != ANSWERS_BYTE_ORDER)
    return _scorch_symbolizer_cache_bad_entry (error, path, "not an answer entry of this version");
  if (h.payload_size != len - sizeof h)
    return _scorch_symbolizer_cache_bad_entry (error, path, "truncated or padded entry");
  if (h.n_answers > ANSWERS_MAX_SIZE / sizeof (StoredAnswer) ||
      h.n_frames > ANSWERS_MAX_SIZE / sizeof (StoredFrame) ||
      h.strings_size > ANSWERS_MAX_SIZE || h.debug_path_len > ANSWERS_MAX_PATH)
    return _scorch_symbolizer_cache_bad_entry (error, path, "sizes out of range");
  expect = pad8 (h.debug_path_len) + h.n_answers * sizeof (StoredAnswer) +
           h.n_frames * sizeof (StoredFrame) + h.strings_size;
  if (expect != h.payload_size)
    return _scorch_symbolizer_cache_bad_entry (error, path, "sizes do not add up");
  payload = data + sizeof h;
  if (entry_checksum (&h, payload) != h.checksum)
    return _scorch_symbolizer_cache_bad_entry (error, path, "checksum mismatch");
  if (h.debug_is_module > 1)
    return _scorch_symbolizer_cache_bad_entry (error, path, "bad flags");
  if (h.build_id_len != key->build_id_len || key->build_id_len > SCORCH_MODULE_MAX_BUILD_ID ||
      memcmp (h.build_id, key->build_id, key->build_id_len) != 0)
    return _scorch_symbolizer_cache_bad_entry (error, path, "another build id");
  if (h.line_mode != key->line_mode)
    return _scorch_symbolizer_cache_bad_entry (error, path, "another line mode");
  {
    /* "DWARF FILE\0SEARCH PATH" */
    const char *dwarf_file = (const char *) payload;
    gsize dwarf_len = h.debug_path_len > 0 ? strnlen (dwarf_file, h.debug_path_len) : 0;
    const char *stored_search = dwarf_file + dwarf_len + 1;
    g_autofree char *dwarf_path = NULL;

    if (dwarf_len == 0 || dwarf_len >= h.debug_path_len ||
        h.debug_path_len - dwarf_len - 1 != strlen (search_path) ||
        memcmp (stored_search, search_path, h.debug_path_len - dwarf_len - 1) != 0)
      return _scorch_symbolizer_cache_bad_entry (error, path, "made with another debug search path");
    dwarf_path = g_strndup (dwarf_file, dwarf_len);
    if (h.debug_is_module && strcmp (dwarf_path, module_path) != 0)
      return _scorch_symbolizer_cache_bad_entry (error, path, "made from another copy of the module");
    if (!debug_file_matches (dwarf_path, &h))
      return _scorch_symbolizer_cache_bad_entry (error, path, "its DWARF file changed");
  }

  answers = (const StoredAnswer *) (gconstpointer) (payload + pad8 (h.debug_path_len));
  frames = (const StoredFrame *) (gconstpointer) (answers + h.n_answers);
  strings = (const char *) (frames + h.n_frames);
  if (h.strings_size > 0 && strings[h.strings_size - 1] != '\0')
    return _scorch_symbolizer_cache_bad_entry (error, path, "strings not terminated");
  for (guint64 i = 0; i < h.n_answers; i++)
    {
      StoredAnswer a;

      memcpy (&a, &answers[i], sizeof a);
      if (a.count == 0 || a.count > SCORCH_SYMBOLIZER_MAX_CHAIN || a.first > h.n_frames ||
          a.count > h.n_frames - a.first)
        return _scorch_symbolizer_cache_bad_entry (error, path, "an answer out of range");
      if (i > 0 && a.key <= answers[i - 1].key)
        return _scorch_symbolizer_cache_bad_entry (error, path, "answers out of order");
    }
  for (guint64 i = 0; i < h.n_frames; i++)
    {
      StoredFrame f;

      memcpy (&f, &frames[i], sizeof f);
      if ((f.function != NO_STRING && f.function >= h.strings_size) ||
          (f.file != NO_STRING && f.file >= h.strings_size) ||
          f.kind >= SCORCH_FRAME_KIND_ROOT)
        return _scorch_symbolizer_cache_bad_entry (error, path, "a frame out of range");
    }

  self->answers = answers;
  self->n_answers = h.n_answers;
  self->frames = frames;
  self->n_frames = h.n_frames;
  self->strings = strings;
  self->strings_size = h.strings_size;
  return TRUE;
}

gboolean
_scorch_symbolizer_answers_load (ScorchSymbolizerAnswers          *self,
                                 const ScorchSymbolizerAnswersKey *key,
                                 GError                          **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) file = NULL;

  g_return_val_if_fail (self != NULL && self->file == NULL, FALSE);
  g_return_val_if_fail (key != NULL && key->build_id != NULL && key->build_id_len > 0, FALSE);

  path = _scorch_symbolizer_answers_get_path (key->dir, key->build_id, key->build_id_len, key->line_mode);
  file = _scorch_symbolizer_cache_map (path, ANSWERS_MAX_SIZE, error);
  if (file == NULL)
    return FALSE;
  /* GMappedFile maps with mmap(): the contents are page-aligned */
  if (!answers_parse (self, (const guint8 *) g_mapped_file_get_contents (file),
                      g_mapped_file_get_length (file), path, key, error))
    return FALSE;
  self->file = g_steal_pointer (&file);
  return TRUE;
}

guint
_scorch_symbolizer_answers_lookup (ScorchSymbolizerAnswers *self,
                                   guint64                  key,
                                   ScorchSymbol            *chain)
{
  gsize lo = 0, hi;
  const StoredAnswer *a;

  if (self->n_answers == 0)
    return 0;
  hi = self->n_answers;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (self->answers[mid].key < key)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == self->n_answers || self->answers[lo].key != key)
    return 0;
  a = &self->answers[lo];
  for (guint i = 0; i < a->count; i++)
    {
      const StoredFrame *f = &self->frames[a->first + i];

      chain[i] = (ScorchSymbol) {
        .function = f->function != NO_STRING ? self->strings + f->function : NULL,
        .module = NULL,
        .file = f->file != NO_STRING ? self->strings + f->file : NULL,
        .line = f->line,
        .offset = f->offset,
        .kind = (ScorchFrameKind) f->kind,
      };
    }
  self->n_hits++;
  return a->count;
}

void
_scorch_symbolizer_answers_add (ScorchSymbolizerAnswers *self,
                                guint64                  key,
                                const ScorchSymbol      *chain,
                                guint                    n)
{
  NewAnswer a;

  if (n == 0 || n > SCORCH_SYMBOLIZER_MAX_CHAIN)
    return;
  if (!g_hash_table_add (self->new_keys, g_memdup2 (&key, sizeof key)))
    return;
  a.key = key;
  a.first = self->new_frames->len;
  a.count = n;
  g_array_append_vals (self->new_frames, chain, n);
  g_array_append_val (self->new_answers, a);
}

guint
_scorch_symbolizer_answers_get_n_new (ScorchSymbolizerAnswers *self)
{
  return self->new_answers->len;
}

guint
_scorch_symbolizer_answers_get_n_hits (ScorchSymbolizerAnswers *self)
{
  return self->n_hits;
}

typedef struct
{
  GByteArray *bytes;
  GHashTable *offsets;       /* string -> offset + 1 */
} StringTable;

static guint32
string_offset (StringTable *t,
               const char  *s)
{
  gpointer off;

  if (s == NULL)
    return NO_STRING;
  off = g_hash_table_lookup (t->offsets, s);
  if (off == NULL)
    {
      off = GUINT_TO_POINTER (t->bytes->len + 1);
      g_hash_table_insert (t->offsets, (gpointer) s, off);
      g_byte_array_append (t->bytes, (const guint8 *) s, strlen (s) + 1);
    }
  return GPOINTER_TO_UINT (off) - 1;
}

static void
append_frames (GByteArray         *frames,
               StringTable        *strings,
               const ScorchSymbol *chain,
               guint               n)
{
  for (guint i = 0; i < n; i++)
    {
      StoredFrame f = {
        .offset = chain[i].offset,
        .function = string_offset (strings, chain[i].function),
        .file = string_offset (strings, chain[i].file),
        .line = chain[i].line,
        .kind = chain[i].kind,
      };

      g_byte_array_append (frames, (const guint8 *) &f, sizeof f);
    }
}

gboolean
_scorch_symbolizer_answers_save (ScorchSymbolizerAnswers          *self,
                                 const ScorchSymbolizerAnswersKey *key,
                                 const char                       *dwarf_file,
                                 GError                          **error)
{
  const char *module_path = key != NULL ? key->module_path : NULL;
  const char *search_path = key != NULL ? key->search_path : NULL;
  static const guint8 zeros[8] = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *source = NULL;
  g_autoptr(GByteArray) answers = g_byte_array_new ();
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GHashTable) offsets = g_hash_table_new (g_str_hash, g_str_equal);
  StringTable strings = { g_byte_array_new (), offsets };
  AnswersHeader h = { 0 };
  struct stat st;
  gsize i = 0, j = 0, n_frames = 0;

  g_return_val_if_fail (self != NULL && key != NULL && key->dir != NULL, FALSE);
  g_return_val_if_fail (key->build_id != NULL && key->build_id_len > 0 &&
                        key->build_id_len <= SCORCH_MODULE_MAX_BUILD_ID, FALSE);

  memcpy (h.magic, ANSWERS_MAGIC, 8);
  h.version = ANSWERS_VERSION;
  h.byte_order = ANSWERS_BYTE_ORDER;
  h.line_mode = key->line_mode;
  h.build_id_len = key->build_id_len;
  memcpy (h.build_id, key->build_id, key->build_id_len);
  if (search_path == NULL)
    search_path = "";
  if (dwarf_file == NULL || dwarf_file[0] == '\0')
    dwarf_file = module_path;
  if (dwarf_file == NULL || dwarf_file[0] == '\0' || g_stat (dwarf_file, &st) != 0 || !S_ISREG (st.st_mode) ||
      strlen (dwarf_file) + 1 + strlen (search_path) > ANSWERS_MAX_PATH)
    {
      g_byte_array_unref (strings.bytes);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: not a regular file",
                   dwarf_file != NULL ? dwarf_file : "");
      return FALSE;
    }
  source = g_strconcat (dwarf_file, "\n", search_path, NULL);
  source[strlen (dwarf_file)] = '\0';
  h.debug_path_len = strlen (dwarf_file) + 1 + strlen (search_path);
  h.debug_is_module = module_path != NULL && strcmp (dwarf_file, module_path) == 0;
  h.debug_size = st.st_size;
  h.debug_ino = st.st_ino;
  h.debug_mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;

  /* the loaded answers and the new ones, merged by key (a new answer of
   * a key the entry holds replaces it) */
  G_STATIC_ASSERT (G_STRUCT_OFFSET (NewAnswer, key) == 0);
  g_array_sort (self->new_answers, scorch_sorted_compare_leading_u64);
  while (i < self->n_answers || j < self->new_answers->len)
    {
      const NewAnswer *na = j < self->new_answers->len ? &g_array_index (self->new_answers, NewAnswer, j) : NULL;
      StoredAnswer a;

      if (na == NULL || (i < self->n_answers && self->answers[i].key < na->key))
        {
          ScorchSymbol chain[SCORCH_SYMBOLIZER_MAX_CHAIN];
          guint saved_hits = self->n_hits;

          a.key = self->answers[i].key;
          a.count = _scorch_symbolizer_answers_lookup (self, a.key, chain);
          self->n_hits = saved_hits;
          append_frames (frames, &strings, chain, a.count);
          i++;
        }
      else
        {
          if (i < self->n_answers && self->answers[i].key == na->key)
            i++;
          a.key = na->key;
          a.count = na->count;
          append_frames (frames, &strings, &g_array_index (self->new_frames, ScorchSymbol, na->first), na->count);
          j++;
        }
      a.first = n_frames;
      n_frames += a.count;
      g_byte_array_append (answers, (const guint8 *) &a, sizeof a);
    }

  h.n_answers = answers->len / sizeof (StoredAnswer);
  h.n_frames = n_frames;
  h.strings_size = strings.bytes->len;
  out = g_byte_array_sized_new (sizeof h + pad8 (h.debug_path_len) + answers->len + frames->len + strings.bytes->len);
  g_byte_array_append (out, (const guint8 *) &h, sizeof h);
  g_byte_array_append (out, (const guint8 *) source, h.debug_path_len);
  g_byte_array_append (out, zeros, pad8 (h.debug_path_len) - h.debug_path_len);
  g_byte_array_append (out, answers->data, answers->len);
  g_byte_array_append (out, frames->data, frames->len);
  g_byte_array_append (out, strings.bytes->data, strings.bytes->len);
  g_byte_array_unref (strings.bytes);
  h.payload_size = out->len - sizeof h;
  h.checksum = entry_checksum (&h, out->data + sizeof h);
  memcpy (out->data, &h, sizeof h);

  path = _scorch_symbolizer_answers_get_path (key->dir, key->build_id, key->build_id_len, key->line_mode);
  return _scorch_symbolizer_cache_write (key->dir, path, out->data, out->len, error);
}
