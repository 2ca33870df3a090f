/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-live-record.c: a real recording's final profile from the live
 * session ("scorch-cli record --live-tsv") is the profile of the written
 * capture ("scorch-cli report --tsv"), line for line; with --off-cpu in
 * the Off-CPU and Wall clock views too. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "scorch-recorder.h"

static char *tmpdir;

static gboolean
can_record (void)
{
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();

  return perms->can_record;
}

static char *
run (const char * const *argv,
     int                *status_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s", argv[1], err);
  *status_out = status;
  return out;
}

static void
check_workload (gconstpointer data)
{
  /* workload, call graph, then the workload's arguments (names of other
   * workloads become their paths) */
  const char * const *spec = data;
  const char *cli = g_getenv ("SCORCH_CLI");
  g_autofree char *workload = g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), spec[0], NULL);
  g_autofree char *base = g_strdup_printf ("%s-%s", spec[0], spec[1]);
  g_autofree char *capture = g_strdup_printf ("%s/%s.data", tmpdir, base);
  g_autofree char *live_tsv = g_strdup_printf ("%s/%s.tsv", tmpdir, base);
  g_autofree char *live = NULL;
  g_autofree char *record_out = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  if (!can_record ())
    {
      g_test_skip ("perf_event_open is not permitted here");
      return;
    }

  {
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
    const char *args[] = { cli, "record", "-o", capture, "--live-tsv", live_tsv, "--live-report", "3",
                           "--call-graph", spec[1], "--duration", "3", "--", workload };

    for (guint i = 0; i < G_N_ELEMENTS (args); i++)
      g_ptr_array_add (argv, g_strdup (args[i]));
    for (guint i = 2; spec[i] != NULL; i++)
      {
        char *path = g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), spec[i], NULL);

        if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
          g_ptr_array_add (argv, path);
        else
          {
            g_free (path);
            g_ptr_array_add (argv, g_strdup (spec[i]));
          }
      }
    g_ptr_array_add (argv, NULL);
    record_out = run ((const char * const *) argv->pdata, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  {
    const char *argv[] = { cli, "report", "--tsv", capture, NULL };

    report = run (argv, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_true (g_file_get_contents (live_tsv, &live, NULL, &error));
  g_assert_no_error (error);

  /* Some samples, and a function of the workload among them. */
  lines = g_strsplit (report, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 2);
  g_assert_nonnull (strstr (report, spec[0]));
  g_assert_cmpstr (live, ==, report);

  /* --live-report printed the final profile's top functions. */
  g_assert_nonnull (strstr (record_out, "final"));

  g_unlink (capture);
  g_unlink (live_tsv);
}

/* Off-CPU: "record --off-cpu --live-tsv FILE" writes the live session's
 * On-CPU, Off-CPU and Wall clock views (FILE, FILE.off-cpu, FILE.wall);
 * each equals what "report --tsv", "report --off-cpu --tsv" and "report
 * --wall --tsv" print for the written capture, line for line. The
 * workload sleeps, waits on a pipe and computes (wl-offcpu.c). */
static void
test_off_cpu (void)
{
  const char *cli = g_getenv ("SCORCH_CLI");
  g_autofree char *workload = g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), "scorch-wl-offcpu", NULL);
  g_autofree char *capture = g_strdup_printf ("%s/off-cpu.data", tmpdir);
  g_autofree char *live_tsv = g_strdup_printf ("%s/off-cpu.tsv", tmpdir);
  const char *views[][2] = { { "", NULL }, { ".off-cpu", "--off-cpu" }, { ".wall", "--wall" } };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!can_record ())
    {
      g_test_skip ("perf_event_open is not permitted here");
      return;
    }

  {
    const char *argv[] = { cli, "record", "--off-cpu", "-o", capture, "--live-tsv", live_tsv,
                           "--call-graph", "fp+repair", "--", workload, "1.5", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      {
        /* no permission for the tracepoint here: say why and skip */
        if (strstr (err, "blocked time") != NULL || strstr (err, "perf_event_paranoid") != NULL)
          {
            g_test_skip (err);
            return;
          }
        g_error ("record --off-cpu failed: %s", err);
      }
    /* the live session had the records: it did not fail over */
    g_assert_null (strstr (err, "live analysis"));
  }

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *path = g_strconcat (live_tsv, views[i][0], NULL);
      g_autofree char *live = NULL;
      g_autofree char *report = NULL;
      const char *argv[] = { cli, "report", "--tsv", capture, NULL, NULL };

      if (views[i][1] != NULL)
        {
          argv[3] = views[i][1];
          argv[4] = capture;
        }
      report = run (argv, &status);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_true (g_file_get_contents (path, &live, NULL, &error));
      g_assert_no_error (error);
      g_test_message ("%s: %u bytes", path, (guint) strlen (live));
      g_assert_cmpstr (live, ==, report);
      /* blocked time of the workload's sleeping and waiting functions */
      if (views[i][1] != NULL)
        {
          g_assert_nonnull (strstr (live, "offcpu_sleep"));
          g_assert_nonnull (strstr (live, "offcpu_wait_pipe"));
        }
      g_unlink (path);
    }
  g_unlink (capture);
}

/* --live-report takes a positive count; nothing is recorded otherwise. */
static void
test_bad_count (void)
{
  const char *values[] = { "0", "-3", "ten", "" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *capture = g_strdup_printf ("%s/bad-%u.data", tmpdir, i);
      const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "-o", capture, "--live-report", values[i],
                             "--", "true", NULL };
      g_autofree char *out = NULL;
      int status;

      out = run (argv, &status);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_false (g_file_test (capture, G_FILE_TEST_EXISTS));
    }
}

int
main (int    argc,
      char **argv)
{
  static const char * const fp[] = { "scorch-wl-shares", "fp", NULL };
  static const char * const repair[] = { "scorch-wl-shares", "fp+repair", NULL };
  static const char * const dwarf[] = { "scorch-wl-shares-nofp", "dwarf", NULL };
  static const char * const forkexec[] = { "analysis-forkexec", "fp", "analysis-c-fp", "0.7", NULL };
  static const char * const threads[] = { "scorch-wl-threads", "fp", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-live-record-XXXXXX", &error);
  g_assert_no_error (error);
  /* A cold symbol cache of the test's own. */
  cache = g_build_filename (tmpdir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  g_test_add_func ("/libscorch/live-record/bad-count", test_bad_count);
  g_test_add_data_func ("/libscorch/live-record/fp", fp, check_workload);
  g_test_add_data_func ("/libscorch/live-record/fp-repair", repair, check_workload);
  g_test_add_data_func ("/libscorch/live-record/dwarf", dwarf, check_workload);
  g_test_add_data_func ("/libscorch/live-record/fork-exec", forkexec, check_workload);
  g_test_add_data_func ("/libscorch/live-record/threads", threads, check_workload);
  g_test_add_func ("/libscorch/live-record/off-cpu", test_off_cpu);

  ret = g_test_run ();

  {
    /* The captures are gone already; the symbol cache may remain. */
    const char *rm_argv[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (tmpdir);
  return ret;
}
