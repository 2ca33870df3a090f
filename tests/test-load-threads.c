/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-load-threads.c: a capture loaded with several workers unwinding and
 * looking up samples in parallel gives exactly the report of the serial
 * path (SCORCH_LOAD_THREADS=1), with small and default batches, on the
 * corpus files and on fresh frame-pointer, DWARF and fork+exec captures. */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "analysis-helpers.h"
#include "perf-record-util.h"

/* scorch-cli report FORMAT FILE with THREADS workers and BATCH samples per
 * batch (NULL: the default); returns stdout.  With debug, GLib's debug
 * messages of the analyzer are on (they go to stdout). */
static char *
run_with (const char * const *argv,
          const char         *threads,
          const char         *batch,
          gboolean            debug);

static char *
report_with (const char *file,
             const char *format,
             const char *threads,
             const char *batch,
             gboolean    debug)
{
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", format, file, NULL };

  return run_with (argv, threads, batch, debug);
}

/* scorch-cli ARGV... with THREADS workers and BATCH samples per batch. */
static char *
run_with (const char * const *argv,
          const char         *threads,
          const char         *batch,
          gboolean            debug)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  envp = g_environ_setenv (envp, "SCORCH_LOAD_THREADS", threads, TRUE);
  envp = g_environ_unsetenv (envp, "SCORCH_LOAD_BATCH");
  if (batch != NULL)
    envp = g_environ_setenv (envp, "SCORCH_LOAD_BATCH", batch, TRUE);
  if (debug)
    envp = g_environ_setenv (envp, "G_MESSAGES_DEBUG", "scorch-analyzer", TRUE);
  else
    envp = g_environ_unsetenv (envp, "G_MESSAGES_DEBUG");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("scorch-cli %s %s failed: %s", argv[1], argv[2], err);
  return out;
}

static void
check_same (const char *file)
{
  static const char * const formats[] = { "--tsv", "--json" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *serial = report_with (file, formats[f], "1", NULL, FALSE);

      g_assert_cmpuint (strlen (serial), >, 0);
      if (f == 0)
        {
          /* the serial path runs no workers */
          g_autofree char *debug = report_with (file, formats[f], "1", NULL, TRUE);

          g_assert_null (strstr (debug, "workers"));
        }

      {
        static const char * const configs[][2] = {
          { "2", NULL }, { "3", NULL }, { "2", "1" }, { "3", "7" }, { "4", "64" },
        };

        for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
          {
            g_autofree char *parallel = report_with (file, formats[f], configs[c][0], configs[c][1], FALSE);

            if (f == 0 && c < 2)
              {
                /* the parallel path did run */
                g_autofree char *debug = report_with (file, formats[f], configs[c][0], configs[c][1], TRUE);
                g_autofree char *expected = g_strdup_printf ("on %s workers", configs[c][0]);

                g_assert_nonnull (strstr (debug, expected));
              }
            if (g_strcmp0 (serial, parallel) != 0)
              g_error ("%s, %s: %s workers, batch %s differ from the serial load:\n--- serial\n%s\n--- parallel\n%s",
                       file, formats[f], configs[c][0], configs[c][1] ? configs[c][1] : "default",
                       serial, parallel);
          }
      }
    }
}

static void
test_corpus (void)
{
  static const char * const names[] = { "fp-small.data", "dwarf-small.data", "two-events.data", "no-callchain.data" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_test_build_filename (G_TEST_DIST, "corpus", names[i], NULL);

      check_same (file);
    }
}

static void
test_recorded (gconstpointer data)
{
  const char *which = data;
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  /* The workloads run for a wall-clock time. On a machine loaded by other
   * tests they may get so little CPU after perf's start-up delay that the
   * capture holds no sample, and an empty report would compare equal to
   * anything: record again, longer, until there is something to compare. */
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      /* In the sanitizer tree (perf_record_util_quick()) the 16
       * instrumented reports of each capture take most of the test's time,
       * in proportion to its samples, and the comparisons are byte for
       * byte whatever the length: a shorter first try there. */
      static const char * const seconds[] = { "0.5", "1.5", "3" };
      static const char * const quick_seconds[] = { "0.25", "1.5", "3" };
      const char * const *lengths = perf_record_util_quick () ? quick_seconds : seconds;
      g_autofree char *probe = NULL;

      g_clear_pointer (&file, g_free);
      if (g_str_equal (which, "fp"))
        {
          const char *cmd[] = { workload ("analysis-c-fp"), lengths[attempt], NULL };
          file = record ("threads-fp", FALSE, cmd);
        }
      else if (g_str_equal (which, "dwarf"))
        {
          const char *cmd[] = { workload ("analysis-c-nofp"), lengths[attempt], NULL };
          file = record ("threads-dwarf", TRUE, cmd);
        }
      else
        {
          /* the child's exec maps new modules between samples: batch boundaries */
          const char *cmd[] = { workload ("analysis-forkexec"), workload ("analysis-c-fp"), lengths[attempt], NULL };
          file = record ("threads-forkexec", g_str_equal (which, "forkexec-dwarf"), cmd);
        }
      probe = report_with (file, "--tsv", "1", NULL, FALSE);
      if (strlen (probe) > 0)
        break;
      g_test_message ("%s: no samples in a %s s recording; recording again", which, lengths[attempt]);
    }
  check_same (file);

  /* per source line: the per-address counts the commit keeps */
  if (g_str_equal (which, "fp") || g_str_equal (which, "dwarf"))
    {
      const char *argv[] = { g_getenv ("SCORCH_CLI"), "annotate", "--tsv", file, "hot_a", NULL };
      g_autofree char *serial = run_with (argv, "1", NULL, FALSE);
      g_autofree char *parallel = run_with (argv, "3", "7", FALSE);

      g_assert_cmpuint (strlen (serial), >, 0);
      g_assert_cmpstr (serial, ==, parallel);
    }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  analysis_helpers_init ("scorch-test-XXXXXX");

  g_test_add_func ("/load-threads/corpus", test_corpus);
  g_test_add_data_func ("/load-threads/fp", "fp", test_recorded);
  g_test_add_data_func ("/load-threads/dwarf", "dwarf", test_recorded);
  g_test_add_data_func ("/load-threads/forkexec-fp", "forkexec-fp", test_recorded);
  g_test_add_data_func ("/load-threads/forkexec-dwarf", "forkexec-dwarf", test_recorded);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
