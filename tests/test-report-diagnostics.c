/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report-diagnostics.c: scorch-cli report --diagnostics on captures
 * recorded at test time: a C++ program built with frame pointers whose
 * threads start in libstdc++ (built without), recorded with perf record -g
 * and with scorch-cli record --call-graph fp, must be told that its stacks
 * stop in libstdc++, never to rebuild itself with frame pointers; the
 * exit status of a launched program is stored in Scorch's feature
 * section, which perf report and perf script read past without a word. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "analysis-helpers.h"

/* Runs argv; returns stdout, stores stderr and the wait status. */
static char *
run_full (const char * const *argv,
          char              **err_out,
          int                *status_out)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, err_out, status_out, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  return out;
}

static char *
diagnostics_of (const char *file)
{
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--diagnostics", file, NULL };
  g_autofree char *err = NULL;
  int status = 0;
  char *out = run_full (argv, &err, &status);

  g_test_message ("%s", out);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("report --diagnostics failed: %s", err);
  /* names from the capture are printed without control bytes */
  for (const char *p = out; *p; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  return out;
}

/* The lines of the section that starts with header, up to a blank line. */
static char *
section (const char *text,
         const char *header)
{
  const char *start = strstr (text, header);
  const char *end;

  g_assert_nonnull (start);
  start = strchr (start, '\n');
  g_assert_nonnull (start);
  start++;
  end = strstr (start, "\n\n");
  return g_strndup (start, end != NULL ? (gsize) (end - start) : strlen (start));
}

static void
check_cpp_threads (const char *file)
{
  g_autofree char *out = diagnostics_of (file);
  g_autofree char *stops = section (out, "Where stacks stop");
  g_autofree char *advice = section (out, "Advice");
  g_auto(GStrv) stop_lines = g_strsplit (stops, "\n", -1);
  double share = 0;

  /* the first place where stacks stop is libstdc++, for want of frame pointers */
  g_assert_nonnull (stop_lines[0]);
  g_assert_nonnull (strstr (stop_lines[0], "libstdc++"));
  g_assert_nonnull (strstr (stop_lines[0], "no frame pointer"));
  share = g_ascii_strtod (stop_lines[0], NULL);
  /* two worker threads out of three run the whole time: most samples */
  g_assert_cmpfloat (share, >, 50.0);

  g_assert_nonnull (strstr (advice, "libstdc++"));
  g_assert_nonnull (strstr (advice, "has no frame pointers"));
  /* the program has frame pointers: never ask to rebuild it */
  g_assert_null (strstr (out, "-fno-omit-frame-pointer"));
  g_assert_null (strstr (out, "rebuild"));
}

static void
test_cpp_threads_perf_record (void)
{
  const char *cmd[] = { workload ("analysis-cpp"), "0.6", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record ("cpp-threads-perf", FALSE, cmd);
  check_cpp_threads (file);
  {
    g_autofree char *out = diagnostics_of (file);

    g_assert_nonnull (strstr (out, "frame pointers (fp)"));
    g_assert_nonnull (strstr (out, "Written by               perf "));
    /* perf record -g cannot repair leaves: the diagnostics list them */
    g_assert_nonnull (strstr (out, "callers of these leaves are missing"));
    g_assert_nonnull (strstr (out, "add_squares"));
    /* perf says nothing of the launched program's exit */
    g_assert_null (strstr (out, "Exit status"));
  }
}

static char *
scorch_record (const char         *name,
               const char * const *cmd,
               int                *status_out)
{
  g_autofree char *out = g_strdup_printf ("%s/%s.data", tmpdir, name);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *stdout_ = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("SCORCH_CLI"));
  g_ptr_array_add (argv, (char *) "record");
  g_ptr_array_add (argv, (char *) "--call-graph");
  g_ptr_array_add (argv, (char *) "fp");
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, out);
  g_ptr_array_add (argv, (char *) "--");
  for (guint i = 0; cmd[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) cmd[i]);
  g_ptr_array_add (argv, NULL);
  stdout_ = run_full ((const char * const *) argv->pdata, &err, status_out);
  g_test_message ("scorch-cli record: %s%s", stdout_, err);
  return g_steal_pointer (&out);
}

static void
test_cpp_threads_scorch_record (void)
{
  const char *cmd[] = { workload ("analysis-cpp"), "0.6", NULL };
  g_autofree char *file = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  SKIP_WITHOUT_PERF ();
  file = scorch_record ("cpp-threads-scorch", cmd, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  check_cpp_threads (file);
  out = diagnostics_of (file);
  g_assert_nonnull (strstr (out, "Written by               Scorch "));
  g_assert_nonnull (strstr (out, "exited with status 0"));
}

/* A program that exits with 3: the status travels in the capture. perf
 * reads the file with Scorch's section without complaint. */
static void
test_exit_status (void)
{
  /* the command line carries a terminal escape (retitle) and a BEL:
   * diagnostics_of() checks that none reaches the terminal */
  const char *cmd[] = { "/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3 # \033]0;pwned\007", NULL };
  g_autofree char *file = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  SKIP_WITHOUT_PERF ();
  file = scorch_record ("exit-3", cmd, &status);
  /* scorch-cli passes the status on or not: only the capture matters here */
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  out = diagnostics_of (file);
  g_assert_nonnull (strstr (out, "Exit status              exited with status 3"));
  g_assert_nonnull (strstr (out, "exit 3 # \\x1b]0;pwned\\x07"));

  {
    const char *report[] = { "perf", "report", "--stdio", "-i", file, NULL };
    const char *script[] = { "perf", "script", "-i", file, NULL };
    const char *header[] = { "perf", "report", "--header-only", "-i", file, NULL };
    const char * const *cmds[] = { report, script, header };

    for (guint i = 0; i < G_N_ELEMENTS (cmds); i++)
      {
        g_autofree char *perf_out = NULL;
        g_autofree char *perf_err = NULL;
        int perf_status = 0;

        perf_out = run_full (cmds[i], &perf_err, &perf_status);
        g_test_message ("%s: stderr \"%s\"", cmds[i][1], perf_err);
        g_assert_true (g_spawn_check_wait_status (perf_status, NULL));
        g_assert_cmpstr (g_strstrip (perf_err), ==, "");
      }
  }
}

static void
test_options (void)
{
  g_autofree char *folded = g_build_filename (tmpdir, "stacks.folded", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_file_set_contents (folded, "main;a 3\nmain;b 2\n", -1, NULL));
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--diagnostics", folded, NULL };

    out = run_full (argv, &err, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "No diagnostics"));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--diagnostics", "--json", folded, NULL };

    out = run_full (argv, &err, &status);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
    g_assert_nonnull (strstr (err, "--diagnostics"));
  }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  analysis_helpers_init ("scorch-test-XXXXXX");

  g_test_add_func ("/cli/report/diagnostics/cpp-threads-perf-record", test_cpp_threads_perf_record);
  g_test_add_func ("/cli/report/diagnostics/cpp-threads-scorch-record", test_cpp_threads_scorch_record);
  g_test_add_func ("/cli/report/diagnostics/exit-status", test_exit_status);
  g_test_add_func ("/cli/report/diagnostics/options", test_options);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
