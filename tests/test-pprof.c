/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pprof.c: pprof export and import (scorch-pprof.c): round trips keep
 * stacks, inline frames, threads and counts; every truncation and damaged
 * message gets a clear error, never a crash. */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "scorch-loader.h"
#include "scorch-pprof.h"
#include "scorch-profile-format.h"
#include "scorch-speedscope.h"

/* Two threads; "inl" is inlined into "work", and "kfn" is a kernel frame. */
static ScorchProfile *
make_profile (void)
{
  g_autoptr(ScorchProfileBuilder) b = scorch_profile_builder_new ();
  guint32 main_f = scorch_profile_builder_intern_frame (b, "main", "/usr/bin/app", "app.c", 10, SCORCH_FRAME_KIND_USER);
  guint32 work = scorch_profile_builder_intern_frame (b, "work", "/usr/bin/app", "app.c", 20, SCORCH_FRAME_KIND_USER);
  guint32 inl = scorch_profile_builder_intern_frame (b, "inl", "/usr/bin/app", "inl.h", 3, SCORCH_FRAME_KIND_INLINED);
  guint32 leaf = scorch_profile_builder_intern_frame (b, "memcpy", "/usr/lib/libc.so.6", NULL, 0, SCORCH_FRAME_KIND_USER);
  guint32 kfn = scorch_profile_builder_intern_frame (b, "do_syscall_64", "[kernel.kallsyms]", NULL, 0, SCORCH_FRAME_KIND_KERNEL);
  guint32 hostile = scorch_profile_builder_intern_frame (b, "bad\xff\x01name", "/usr/bin/app", NULL, 0, SCORCH_FRAME_KIND_USER);
  const guint32 s1[] = { main_f, work, inl, leaf };
  const guint32 s2[] = { main_f, work, inl };
  const guint32 s3[] = { main_f, work, kfn };
  const guint32 s4[] = { main_f, hostile };

  scorch_profile_builder_get_info (b)->build_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (scorch_profile_builder_get_info (b)->build_ids, g_strdup ("/usr/bin/app"),
                       g_strdup ("00112233445566778899aabbccddeeff00112233"));
  scorch_profile_builder_set_thread_name (b, 100, 100, "app");
  scorch_profile_builder_set_thread_name (b, 100, 101, "worker");
  for (guint i = 0; i < 5; i++)
    scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 1000 + i, .pid = 100, .tid = 100,
                                                                   .frames = s1, .n_frames = G_N_ELEMENTS (s1), .weight = 1 });
  for (guint i = 0; i < 3; i++)
    scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 2000 + i, .pid = 100, .tid = 101,
                                                                   .frames = s2, .n_frames = G_N_ELEMENTS (s2), .weight = 1 });
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 3000, .pid = 100, .tid = 101,
                                                                 .frames = s3, .n_frames = G_N_ELEMENTS (s3), .weight = 2 });
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 4000, .pid = 100, .tid = 100,
                                                                 .frames = s4, .n_frames = G_N_ELEMENTS (s4), .weight = 1 });
  return scorch_profile_builder_end (g_steal_pointer (&b));
}

static GBytes *
write_pprof (ScorchProfile *profile,
             gboolean       gzip)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  ScorchPprofWriteOptions options = { 0 };

  options.no_gzip = !gzip;
  options.time_nanos = 1700000000000000000;
  g_assert_true (scorch_pprof_write (profile, &options, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static int
compare_strs (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Per (stack, tid): total weight, so aggregation does not matter. */
static char *
describe_totals (ScorchProfile *profile)
{
  g_autoptr(GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);
  const ScorchSample *samples;
  GHashTableIter iter;
  gpointer k, v;
  guint n;

  samples = scorch_profile_get_samples (profile, &n);
  for (guint i = 0; i < n; i++)
    {
      GString *key = g_string_new (NULL);
      gpointer old;

      scorch_profile_node_get_stack (profile, samples[i].node, stack);
      for (guint j = stack->len; j-- > 0;)
        {
          const ScorchFrame *f = scorch_profile_get_frame (profile, g_array_index (stack, guint32, j));

          g_string_append_printf (key, "%s[%d,%s,%s:%u];", f->function, f->kind, f->module,
                                  f->file ? f->file : "-", f->line);
        }
      g_string_append_printf (key, " tid=%d", samples[i].tid);
      old = g_hash_table_lookup (sums, key->str);
      g_hash_table_insert (sums, g_string_free (key, FALSE),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + samples[i].weight));
    }
  g_hash_table_iter_init (&iter, sums);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_ptr_array_add (keys, g_strdup_printf ("%s %u", (char *) k, GPOINTER_TO_UINT (v)));
  g_ptr_array_sort (keys, compare_strs);
  for (guint i = 0; i < keys->len; i++)
    {
      g_string_append (out, keys->pdata[i]);
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_round_trip (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();

  for (int gzip = 0; gzip <= 1; gzip++)
    {
      g_autoptr(GBytes) bytes = write_pprof (profile, gzip);
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchProfile) back = NULL;
      g_autofree char *want = NULL;
      g_autofree char *got = NULL;
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      const ScorchThread *threads;
      guint n_threads;

      g_assert_true (scorch_pprof_format.sniff (data, len));
      if (gzip)
        g_assert_true (data[0] == 0x1f && data[1] == 0x8b);

      back = scorch_pprof_parse (data, len, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);
      g_assert_cmpuint (scorch_profile_get_total (back), ==, scorch_profile_get_total (profile));

      /* Names are made valid UTF-8 on the way out: compare after that. */
      want = describe_totals (profile);
      got = describe_totals (back);
      {
        g_autofree char *want_valid = g_utf8_make_valid (want, -1);

        g_assert_cmpstr (got, ==, want_valid);
      }

      /* Mappings carry build ids. */
      g_assert_nonnull (scorch_profile_get_info (back)->build_ids);
      g_assert_cmpstr (g_hash_table_lookup (scorch_profile_get_info (back)->build_ids, "/usr/bin/app"), ==,
                       "00112233445566778899aabbccddeeff00112233");
      g_assert_null (g_hash_table_lookup (scorch_profile_get_info (back)->build_ids, "/usr/lib/libc.so.6"));

      threads = scorch_profile_get_threads (back, &n_threads);
      g_assert_cmpuint (n_threads, ==, 2);
      for (guint i = 0; i < n_threads; i++)
        g_assert_cmpstr (threads[i].name, ==, threads[i].tid == 100 ? "app" : "worker");
    }
}

/* A filtered view exports only what it shows. */
static void
test_filtered (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();
  const gint32 tid = 101;
  g_autoptr(ScorchProfile) view = scorch_profile_filter (profile, &tid, 1, 0, G_MAXUINT64);
  g_autoptr(GBytes) bytes = write_pprof (view, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) back = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  back = scorch_pprof_parse (data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_total (back), ==, 5);
}

static void
assert_fails (const guint8 *data,
              gsize         len,
              const char   *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) p = scorch_pprof_parse (data, len, &error);

  g_assert_null (p);
  g_assert_nonnull (error);
  g_assert_true (error->domain == SCORCH_PPROF_ERROR);
  g_assert_cmpuint (strlen (error->message), >, 10);
  if (what != NULL && strstr (error->message, what) == NULL)
    g_error ("expected “%s” in “%s”", what, error->message);
}

/* Every prefix of a gzip file is refused with a clear error; every prefix
 * of a bare message either parses (protobuf may end at a field boundary)
 * or is refused. */
static void
test_truncated (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();
  g_autoptr(GBytes) gz = write_pprof (profile, TRUE);
  g_autoptr(GBytes) raw = write_pprof (profile, FALSE);
  gsize len;
  const guint8 *data = g_bytes_get_data (gz, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, MAX (cut, 1));

      assert_fails (copy, cut, NULL);
    }
  {
    g_autofree guint8 *copy = g_memdup2 (data, len - 8);

    assert_fails (copy, len - 8, "cut short");
  }

  data = g_bytes_get_data (raw, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, MAX (cut, 1));
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchProfile) p = scorch_pprof_parse (copy, cut, &error);

      g_assert_true ((p == NULL) != (error == NULL));
      if (p == NULL)
        g_assert_true (error->domain == SCORCH_PPROF_ERROR);
    }
}

static void
test_damaged (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();
  g_autoptr(GBytes) raw = write_pprof (profile, FALSE);
  gsize len;
  const guint8 *data = g_bytes_get_data (raw, &len);
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  /* A sample naming location 99, which does not exist: field 2 (sample),
   * with field 1 (location_id) = 99 and field 2 (value) = 1; and an empty
   * string table. */
  static const guint8 bad_location[] = { 0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,   /* sample_type {1, 2} */
                                         0x12, 0x04, 0x08, 0x63, 0x10, 0x01,   /* sample */
                                         0x32, 0x00, 0x32, 0x01, 'a', 0x32, 0x01, 'b' };
  static const guint8 no_empty_string[] = { 0x32, 0x01, 'x' };
  static const guint8 bad_string[] = { 0x0a, 0x04, 0x08, 0x07, 0x10, 0x01, 0x32, 0x00 };

  assert_fails (bad_location, sizeof bad_location, "location 99");
  assert_fails (no_empty_string, sizeof no_empty_string, "string table");
  assert_fails (bad_string, sizeof bad_string, "string 7");
  assert_fails ((const guint8 *) "\x1f\x8b\x08\x00garbage-after-gzip-magic", 28, NULL);

  /* Random byte flips: a profile or an error, never a crash. */
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchProfile) p = NULL;

      for (guint j = 0; j < 3; j++)
        copy[g_rand_int_range (rand, 0, len)] = g_rand_int_range (rand, 0, 256);
      p = scorch_pprof_parse (copy, len, &error);
      g_assert_true ((p == NULL) != (error == NULL));
    }
}

static void
test_sniff (void)
{
  g_assert_false (scorch_pprof_format.sniff ((const guint8 *) "PERFILE2", 8));
  g_assert_false (scorch_pprof_format.sniff ((const guint8 *) "main;a 1\n", 9));
  g_assert_false (scorch_pprof_format.sniff ((const guint8 *) "\n\nmain;a 1\n", 11));
  g_assert_true (scorch_pprof_format.sniff ((const guint8 *) "\x1f\x8b\x08", 3));
  g_assert_true (scorch_pprof_format.sniff ((const guint8 *) "\x0a\x04\x08\x01\x10\x02\x32\x00", 8));
}

/* The loader (scorch-cli report, the app) tells pprof and speedscope by
 * their content, whatever the file's name; a cut file gets a clear error. */
static void
test_load_by_content (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();
  g_autoptr(GBytes) gz = write_pprof (profile, TRUE);
  g_autoptr(GBytes) raw = write_pprof (profile, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-pprof-XXXXXX", &error);
  g_autofree char *gz_path = g_build_filename (dir, "capture.folded", NULL);
  g_autofree char *raw_path = g_build_filename (dir, "perf.data", NULL);
  g_autofree char *ss_path = g_build_filename (dir, "stacks.txt", NULL);
  g_autofree char *cut_path = g_build_filename (dir, "cut.pb.gz", NULL);
  g_autoptr(GOutputStream) ss = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) ss_bytes = NULL;
  const char *paths[] = { gz_path, raw_path, ss_path };

  g_assert_no_error (error);
  g_assert_true (scorch_speedscope_write (profile, NULL, ss, NULL, &error));
  g_assert_true (g_output_stream_close (ss, NULL, &error));
  ss_bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (ss));
  g_assert_true (g_file_set_contents (gz_path, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), &error));
  g_assert_true (g_file_set_contents (raw_path, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), &error));
  g_assert_true (g_file_set_contents (ss_path, g_bytes_get_data (ss_bytes, NULL), g_bytes_get_size (ss_bytes), &error));
  g_assert_true (g_file_set_contents (cut_path, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz) / 2, &error));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(ScorchProfile) p = scorch_load_sync (paths[i], SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (scorch_profile_get_total (p), ==, scorch_profile_get_total (profile));
    }
  {
    g_autoptr(ScorchProfile) p = scorch_load_sync (cut_path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);

    g_assert_null (p);
    g_assert_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_GZIP);
    g_assert_nonnull (strstr (error->message, "cut.pb.gz"));
    g_assert_nonnull (strstr (error->message, "cut short"));
  }

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    g_unlink (paths[i]);
  g_unlink (cut_path);
  g_rmdir (dir);
}

/* The formats' table: picked by name or by file name, as the CLI's
 * export does; speedscope names the profile after the source file. */
static void
test_format_table (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GFile) source = g_file_new_for_path ("/nowhere/app.perf");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const ScorchProfileFormat *format;

  g_assert_cmpstr (scorch_profile_format_lookup ("pprof")->name, ==, "pprof");
  g_assert_cmpstr (scorch_profile_format_lookup ("SpeedScope")->name, ==, "speedscope");
  g_assert_null (scorch_profile_format_lookup ("svg"));
  g_assert_cmpstr (scorch_profile_format_for_path ("out.PB.GZ")->name, ==, "pprof");
  g_assert_cmpstr (scorch_profile_format_for_path ("out.pprof")->name, ==, "pprof");
  g_assert_cmpstr (scorch_profile_format_for_path ("out.pb")->name, ==, "pprof");
  g_assert_cmpstr (scorch_profile_format_for_path ("a/out.speedscope.json")->name, ==, "speedscope");
  g_assert_null (scorch_profile_format_for_path ("out.json"));
  g_assert_null (scorch_profile_format_for_path ("out.svg"));

  /* By content, text and binary formats apart (the loader sniffs folded
   * stacks between them): speedscope's JSON is text, pprof is not. */
  {
    static const char json[] = "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"}";
    static const guint8 gzip[] = { 0x1f, 0x8b, 0x08 };

    g_assert_true (scorch_profile_format_sniff ((const guint8 *) json, strlen (json), TRUE) == &scorch_speedscope_format);
    g_assert_null (scorch_profile_format_sniff ((const guint8 *) json, strlen (json), FALSE));
    g_assert_true (scorch_profile_format_sniff (gzip, sizeof gzip, FALSE) == &scorch_pprof_format);
    g_assert_null (scorch_profile_format_sniff (gzip, sizeof gzip, TRUE));
    g_assert_null (scorch_profile_format_sniff ((const guint8 *) "main;a 1\n", 9, TRUE));
    g_assert_null (scorch_profile_format_sniff ((const guint8 *) "main;a 1\n", 9, FALSE));
    g_assert_true (scorch_profile_format_lookup ("pprof") == &scorch_pprof_format);
  }

  format = scorch_profile_format_lookup ("speedscope");
  g_assert_true (format->write (profile, source, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "\"app.perf\""));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/pprof/round-trip", test_round_trip);
  g_test_add_func ("/libscorch/pprof/filtered", test_filtered);
  g_test_add_func ("/libscorch/pprof/truncated", test_truncated);
  g_test_add_func ("/libscorch/pprof/damaged", test_damaged);
  g_test_add_func ("/libscorch/pprof/sniff", test_sniff);
  g_test_add_func ("/libscorch/pprof/load-by-content", test_load_by_content);
  g_test_add_func ("/libscorch/pprof/format-table", test_format_table);

  return g_test_run ();
}
