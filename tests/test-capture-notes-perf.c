/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-capture-notes-perf.c: perf report and perf script (perf 6.1) still
 * read a capture with Scorch's feature section (bit 200), holding entries
 * of every kind and a large one. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <glib.h>
#include <glib/gstdio.h>

#include "capture-notes-util.h"

#define N_SAMPLES 37

static void
fill_notes (ScorchCaptureNotes *notes)
{
  g_autofree guint8 *big = g_malloc (64 * 1024);

  for (guint i = 0; i < 64 * 1024; i++)
    big[i] = (guint8) (i * 7);
  scorch_capture_notes_set_int (notes, SCORCH_CAPTURE_NOTE_EXIT_STATUS, 0);
  scorch_capture_notes_set_string (notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH, "fp");
  scorch_capture_notes_set (notes, "test.big", big, 64 * 1024 - 3); /* odd size: padding */
}

static char *
run_perf (const char * const *argv,
          char              **err)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &out, err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s stderr: %s", argv[1], *err);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("perf %s failed: %s\n%s", argv[1], error->message, *err);
  return out;
}

static void
test_perf_reads (void)
{
  g_autofree char *perf = g_find_program_in_path ("perf");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) file = NULL;

  if (perf == NULL)
    {
      g_test_skip ("perf is not installed");
      return;
    }

  dir = g_dir_make_tmp ("scorch-notes-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "notes.data", NULL);
  file = notes_make_capture (fill_notes, N_SAMPLES);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (file, NULL), g_bytes_get_size (file), &error));
  g_assert_no_error (error);

  {
    const char *argv[] = { "perf", "script", "-i", path, "-F", "comm,tid,ip", NULL };
    g_autofree char *err = NULL;
    g_autofree char *out = run_perf (argv, &err);
    g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
    guint n = 0;

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], "notes") != NULL && strstr (lines[i], "4242") != NULL)
        n++;
    g_assert_cmpuint (n, ==, N_SAMPLES);
    g_assert_null (strstr (err, "corrupt"));
    g_assert_null (strstr (err, "rror"));
  }
  {
    const char *argv[] = { "perf", "report", "-i", path, "--stdio", "--sort", "comm", NULL };
    g_autofree char *err = NULL;
    g_autofree char *out = run_perf (argv, &err);
    g_autofree char *samples = g_strdup_printf ("# Samples: %u", N_SAMPLES);

    g_assert_nonnull (strstr (out, samples));
    g_assert_nonnull (strstr (out, "100.00%  notes"));
    g_assert_null (strstr (err, "corrupt"));
  }

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/capture-notes/perf-reads", test_perf_reads);

  return g_test_run ();
}
