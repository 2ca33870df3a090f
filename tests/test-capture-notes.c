/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-capture-notes.c: Scorch's feature section (scorch-capture-notes.c):
 * entries round-trip through the writer and the reader, version 1 sections
 * of older captures still read, and hostile sections give a clear error
 * (or are skipped with a warning), never a crash. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <glib.h>

#include "scorch-capture-notes.h"
#include "scorch-capture-reader.h"
#include "capture-notes-util.h"

static const guint8 blob[] = { 0, 1, 2, 0xff, 0xfe, 0, 7 };

static void
fill_notes (ScorchCaptureNotes *notes)
{
  scorch_capture_notes_set_int (notes, SCORCH_CAPTURE_NOTE_EXIT_STATUS, 3 << 8);
  scorch_capture_notes_set_string (notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH, "dwarf,8192");
  scorch_capture_notes_set (notes, "test.blob", blob, sizeof blob);
  scorch_capture_notes_set_string (notes, "test.empty", "");
  scorch_capture_notes_set_string (notes, "test.replaced", "first");
  scorch_capture_notes_set_string (notes, "test.replaced", "second");
}

static void
check_notes (ScorchCaptureNotes *notes)
{
  gint64 v = 0;
  gsize len = 0;
  const guint8 *data;

  g_assert_cmpuint (scorch_capture_notes_get_n_entries (notes), ==, 5);
  g_assert_cmpstr (scorch_capture_notes_get_key (notes, 0), ==, SCORCH_CAPTURE_NOTE_EXIT_STATUS);
  g_assert_cmpstr (scorch_capture_notes_get_key (notes, 4), ==, "test.replaced");
  g_assert_true (scorch_capture_notes_get_int (notes, SCORCH_CAPTURE_NOTE_EXIT_STATUS, &v));
  g_assert_cmpint (v, ==, 3 << 8);
  g_assert_cmpstr (scorch_capture_notes_get_string (notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH), ==, "dwarf,8192");
  data = scorch_capture_notes_get (notes, "test.blob", &len);
  g_assert_cmpmem (data, len, blob, sizeof blob);
  g_assert_null (scorch_capture_notes_get_string (notes, "test.blob")); /* has NULs */
  g_assert_false (scorch_capture_notes_get_int (notes, "test.blob", NULL));
  g_assert_cmpstr (scorch_capture_notes_get_string (notes, "test.empty"), ==, "");
  g_assert_cmpstr (scorch_capture_notes_get_string (notes, "test.replaced"), ==, "second");
  g_assert_null (scorch_capture_notes_get (notes, "missing", &len));
  g_assert_cmpuint (len, ==, 0);
}

static void
test_round_trip (void)
{
  g_autoptr(ScorchCaptureNotes) notes = scorch_capture_notes_new ();
  g_autoptr(ScorchCaptureNotes) parsed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  fill_notes (notes);
  check_notes (notes);
  bytes = scorch_capture_notes_serialize (notes);
  g_assert_cmpuint (g_bytes_get_size (bytes) % 8, ==, 0);
  parsed = scorch_capture_notes_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 0, &error);
  g_assert_no_error (error);
  check_notes (parsed);

  g_assert_true (scorch_capture_notes_remove (parsed, "test.blob"));
  g_assert_false (scorch_capture_notes_remove (parsed, "test.blob"));
  g_assert_cmpuint (scorch_capture_notes_get_n_entries (parsed), ==, 4);

  g_assert_true (scorch_capture_notes_key_is_valid ("portable.symbols-1"));
  g_assert_false (scorch_capture_notes_key_is_valid ("Exit"));
  g_assert_false (scorch_capture_notes_key_is_valid ("a=b"));
  g_assert_false (scorch_capture_notes_key_is_valid (""));
}

/* Through the writer and the reader, with the capture's records. */
static void
test_capture_round_trip (void)
{
  g_autoptr(GBytes) file = notes_make_capture (fill_notes, 4);
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  reader = scorch_capture_reader_new_from_bytes (file, &error);
  g_assert_no_error (error);
  check_notes (scorch_capture_reader_get_notes (reader));
  g_assert_true (scorch_capture_reader_get_exit_status (reader, &status));
  g_assert_cmpint (status, ==, 3 << 8);
  g_assert_cmpstr (scorch_capture_reader_get_call_graph (reader), ==, "dwarf,8192");
  g_assert_cmpuint (scorch_capture_reader_get_n_warnings (reader), ==, 0);
  g_assert_true (scorch_capture_reader_has_feature (reader, SCORCH_PERF_FEAT_SCORCH));

  /* Without entries: an empty section, no exit status */
  {
    g_autoptr(GBytes) empty = notes_make_capture (NULL, 1);
    g_autoptr(ScorchCaptureReader) r = scorch_capture_reader_new_from_bytes (empty, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (scorch_capture_notes_get_n_entries (scorch_capture_reader_get_notes (r)), ==, 0);
    g_assert_false (scorch_capture_reader_get_exit_status (r, &status));
    g_assert_cmpint (status, ==, -1);
  }
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

/* A perf string: u32 len, NUL-padded to 8 */
static void
put_perf_string (GByteArray *b, const char *s)
{
  static const guint8 zeros[8] = { 0 };
  gsize len = strlen (s) + 1;
  gsize padded = (len + 7) / 8 * 8;

  put_u32 (b, padded);
  g_byte_array_append (b, (const guint8 *) s, len - 1);
  g_byte_array_append (b, zeros, padded - len + 1);
}

/* Version 1, as captures made before version 2 hold it. */
static GByteArray *
make_v1 (void)
{
  GByteArray *b = g_byte_array_new ();

  put_u32 (b, SCORCH_PERF_SCORCH_MAGIC);
  put_u32 (b, 1);
  put_u32 (b, 5);
  put_perf_string (b, "exit-status=256");
  put_perf_string (b, "call-graph=fp+repair,512");
  put_perf_string (b, "no equals sign");
  put_perf_string (b, "Bad Key=1");
  put_perf_string (b, "future.key=x");
  return b;
}

static void
test_version_1 (void)
{
  g_autoptr(GByteArray) v1 = make_v1 ();
  g_autoptr(ScorchCaptureNotes) notes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 status = 0;

  notes = scorch_capture_notes_parse (v1->data, v1->len, 0, &error);
  g_assert_no_error (error);
  g_assert_true (scorch_capture_notes_get_int (notes, SCORCH_CAPTURE_NOTE_EXIT_STATUS, &status));
  g_assert_cmpint (status, ==, 256);
  g_assert_cmpstr (scorch_capture_notes_get_string (notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH), ==, "fp+repair,512");
  g_assert_cmpstr (scorch_capture_notes_get_string (notes, "future.key"), ==, "x");
  g_assert_cmpuint (scorch_capture_notes_get_n_entries (notes), ==, 3);

  /* In a capture: the reader still finds the exit status there. */
  {
    g_autoptr(GBytes) file = notes_make_capture (fill_notes, 2);
    gsize len = g_bytes_get_size (file);
    g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (file, NULL), len);
    ScorchPerfFileSection *sec = notes_find_section (data, len);
    g_autoptr(GBytes) patched = NULL;
    g_autoptr(ScorchCaptureReader) reader = NULL;
    int st = 0;

    g_assert_cmpuint (sec->size, >=, v1->len);
    memcpy (data + sec->offset, v1->data, v1->len);
    sec->size = v1->len;
    patched = g_bytes_new (data, len);
    reader = scorch_capture_reader_new_from_bytes (patched, &error);
    g_assert_no_error (error);
    g_assert_true (scorch_capture_reader_get_exit_status (reader, &st));
    g_assert_cmpint (st, ==, 256);
    g_assert_cmpstr (scorch_capture_reader_get_call_graph (reader), ==, "fp+repair,512");
  }
}

/* Every cut of a section is an error (or, when too short to be ours,
 * not ours); nothing is read past the cut. */
static void
check_cuts (const guint8 *data,
            gsize         len)
{
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, MAX (cut, 1));
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchCaptureNotes) notes = scorch_capture_notes_parse (copy, cut, 100, &error);

      if (notes != NULL)
        {
          /* v1 strings are skipped one by one: a cut at an entry boundary
           * reads fewer entries (v2 counts them, so it never does) */
          g_assert_no_error (error);
          g_assert_cmpuint (scorch_capture_notes_get_n_entries (notes), <, 5);
          continue;
        }
      if (cut < 12)
        g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED);
      else
        g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
      g_assert_nonnull (error->message);
    }
}

static void
test_hostile (void)
{
  g_autoptr(ScorchCaptureNotes) notes = scorch_capture_notes_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GByteArray) v1 = make_v1 ();
  gsize len;
  const guint8 *data;

  fill_notes (notes);
  bytes = scorch_capture_notes_serialize (notes);
  data = g_bytes_get_data (bytes, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, MAX (cut, 1));
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchCaptureNotes) parsed = scorch_capture_notes_parse (copy, cut, 100, &error);

      g_assert_null (parsed);
      g_assert_error (error, SCORCH_CAPTURE_ERROR,
                      (cut < 12 ? SCORCH_CAPTURE_ERROR_UNSUPPORTED : SCORCH_CAPTURE_ERROR_MALFORMED));
    }
  check_cuts (v1->data, v1->len);

  /* Each field of a version 2 section set to what it must not be */
  {
    struct { gsize offset; guint32 value; int code; } cases[] = {
      { 0, 0x12345678, SCORCH_CAPTURE_ERROR_UNSUPPORTED },  /* another tool's magic */
      { 4, 3, SCORCH_CAPTURE_ERROR_UNSUPPORTED },           /* a later version */
      { 8, 0xffffffff, SCORCH_CAPTURE_ERROR_MALFORMED },    /* entry count */
      { 8, 6, SCORCH_CAPTURE_ERROR_MALFORMED },             /* one entry too many */
      { 16, 0, SCORCH_CAPTURE_ERROR_MALFORMED },            /* empty key */
      { 16, 0xffffffff, SCORCH_CAPTURE_ERROR_MALFORMED },   /* key length */
      { 20, 0xfffffff0, SCORCH_CAPTURE_ERROR_MALFORMED },   /* value length */
      { 12, 0x10000, SCORCH_CAPTURE_ERROR_MALFORMED },      /* entries size */
      { 12, 8, SCORCH_CAPTURE_ERROR_MALFORMED },            /* entries size too small for them */
      { 24, 0x41414141, SCORCH_CAPTURE_ERROR_MALFORMED },   /* key "AAAA..." */
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree guint8 *copy = g_memdup2 (data, len);
        g_autoptr(GError) error = NULL;
        g_autoptr(ScorchCaptureNotes) parsed = NULL;

        memcpy (copy + cases[i].offset, &cases[i].value, 4);
        parsed = scorch_capture_notes_parse (copy, len, 0, &error);
        g_assert_null (parsed);
        g_assert_error (error, SCORCH_CAPTURE_ERROR, cases[i].code);
      }
  }

  /* A key twice */
  {
    g_autoptr(GByteArray) b = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(ScorchCaptureNotes) parsed = NULL;

    put_u32 (b, SCORCH_PERF_SCORCH_MAGIC); put_u32 (b, 2); put_u32 (b, 2); put_u32 (b, 0);
    for (guint i = 0; i < 2; i++)
      {
        put_u32 (b, 4); put_u32 (b, 4);
        g_byte_array_append (b, (const guint8 *) "key1abcd", 8);
      }
    parsed = scorch_capture_notes_parse (b->data, b->len, 0, &error);
    g_assert_null (parsed);
    g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  }
}

/* In a capture: a damaged section is dropped with a warning, one of a
 * later version or of another tool is skipped with a warning; the records
 * are read either way. */
static void
test_hostile_in_capture (void)
{
  g_autoptr(GBytes) file = notes_make_capture (fill_notes, 3);
  gsize len;
  const guint8 *orig = g_bytes_get_data (file, &len);
  struct { gsize offset; guint32 value; const char *warning; } cases[] = {
    { 8, 0xffffff, "damaged" },
    { 4, 99, "version 99" },
    { 0, 0x4f4f4f4f, "not Scorch" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree guint8 *data = g_memdup2 (orig, len);
      ScorchPerfFileSection *sec = notes_find_section (data, len);
      g_autoptr(GBytes) patched = NULL;
      g_autoptr(ScorchCaptureReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      ScorchRecord record;
      guint n_records = 0;

      memcpy (data + sec->offset + cases[i].offset, &cases[i].value, 4);
      patched = g_bytes_new (data, len);
      reader = scorch_capture_reader_new_from_bytes (patched, &error);
      g_assert_no_error (error);
      g_assert_false (scorch_capture_reader_get_exit_status (reader, NULL));
      g_assert_cmpuint (scorch_capture_reader_get_n_warnings (reader), ==, 1);
      if (strstr (scorch_capture_reader_get_warning (reader, 0), cases[i].warning) == NULL)
        g_error ("warning “%s” does not say “%s”", scorch_capture_reader_get_warning (reader, 0), cases[i].warning);
      while (scorch_capture_reader_next (reader, &record, &error))
        n_records++;
      g_assert_no_error (error);
      g_assert_cmpuint (n_records, ==, 2 + 3); /* COMM, MMAP2, the samples */
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/capture-notes/round-trip", test_round_trip);
  g_test_add_func ("/libscorch/capture-notes/capture-round-trip", test_capture_round_trip);
  g_test_add_func ("/libscorch/capture-notes/version-1", test_version_1);
  g_test_add_func ("/libscorch/capture-notes/hostile", test_hostile);
  g_test_add_func ("/libscorch/capture-notes/hostile-in-capture", test_hostile_in_capture);

  return g_test_run ();
}
