/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report.c: scorch-cli report on real captures: stripped binaries with
 * debug info found by build id, inline frames, fork+exec, JIT map files,
 * deleted and replaced binaries (compared with perf report where perf can
 * see the same), and the command line's options and errors. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "analysis-helpers.h"

static const char * const c_functions[] = { "hot_a", "hot_b", "hot_c", "recurse", "mid", "run", "main", NULL };

static void
test_stripped_debug_by_build_id (void)
{
  g_autofree char *bin = g_strdup_printf ("%s/stripped-c", tmpdir);
  g_autofree char *debugroot = g_strdup_printf ("%s/debug", tmpdir);
  g_autofree char *id = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *debugfile = NULL;
  g_autofree char *file = NULL;
  g_autofree char *env_dirs = NULL;
  g_auto(GStrv) envp = NULL;
  g_autoptr(GHashTable) ours = NULL;
  g_autoptr(GHashTable) plain = NULL;

  SKIP_WITHOUT_PERF ();
  g_free (copy_file (workload ("analysis-c-fp"), bin));
  id = build_id_of (bin);
  dir = g_strdup_printf ("%s/.build-id/%.2s", debugroot, id);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  debugfile = g_strdup_printf ("%s/%s.debug", dir, id + 2);
  {
    const char *a1[] = { "objcopy", "--only-keep-debug", bin, debugfile, NULL };
    const char *a2[] = { "strip", "--strip-all", bin, NULL };
    g_free (run (a1, NULL, NULL));
    g_free (run (a2, NULL, NULL));
  }
  {
    const char *cmd[] = { bin, "0.7", NULL };
    file = record ("stripped", FALSE, cmd);
  }

  /* Without the debug dir: no names from the stripped binary */
  plain = scorch_report (file, NULL);
  g_assert_false (g_hash_table_contains (plain, "hot_a"));

  envp = g_get_environ ();
  env_dirs = g_strdup (debugroot);
  envp = g_environ_setenv (envp, "SCORCH_DEBUG_DIRS", env_dirs, TRUE);
  ours = scorch_report (file, (const char * const *) envp);
  for (guint i = 0; c_functions[i] != NULL; i++)
    if (!g_hash_table_contains (ours, c_functions[i]))
      g_error ("stripped binary: %s not found through the separate debug file", c_functions[i]);
  {
    const Entry *e = g_hash_table_lookup (ours, "run");
    g_assert_cmpfloat (e->total, >, 50.0);
  }
}

static void
test_inline (void)
{
  const char *cmd[] = { workload ("analysis-inline"), "0.7", NULL };
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  const char *p;

  SKIP_WITHOUT_PERF ();
  file = record ("inline", TRUE, cmd);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
    json = run (argv, NULL, NULL);
  }
  p = strstr (json, "\"function\": \"inlined_square_loop\"");
  g_assert_nonnull (p);
  g_assert_true (g_str_has_prefix (strstr (p, "\"kind\""), "\"kind\": \"inlined\""));
  {
    g_autoptr(GHashTable) ours = scorch_report (file, NULL);
    const Entry *inl = g_hash_table_lookup (ours, "inlined_square_loop");
    const Entry *outer = g_hash_table_lookup (ours, "outer_caller");

    g_assert_nonnull (inl);
    g_assert_nonnull (outer);
    g_assert_cmpfloat (inl->self, >, 50.0);       /* the loop is where time goes */
    g_assert_cmpfloat (outer->total, >=, inl->total);
  }
}

static void
test_fork_exec (void)
{
  const char *cmd[] = { workload ("analysis-forkexec"), workload ("analysis-c-fp"), "0.7", NULL };
  const char * const expected[] = { "parent_burn", "hot_a", "hot_b", "run", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record ("forkexec", FALSE, cmd);
  compare_with_perf (file, expected, NULL);
}

static void
test_jit (void)
{
  const char *cmd[] = { workload ("analysis-jit"), "0.7", NULL };
  const char * const expected[] = { "jitted_hot_loop", NULL };
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  const char *p;

  SKIP_WITHOUT_PERF ();
  file = record ("jit", FALSE, cmd);
  compare_with_perf (file, expected, NULL);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
    json = run (argv, NULL, NULL);
  }
  p = strstr (json, "\"function\": \"jitted_hot_loop\"");
  g_assert_nonnull (p);
  g_assert_true (g_str_has_prefix (strstr (p, "\"kind\""), "\"kind\": \"jit\""));

  /* the workload's /tmp/perf-PID.map is no longer needed */
  {
    const char *argv[] = { "perf", "script", "-i", file, "-F", "pid", NULL };
    g_autofree char *pids = run (argv, NULL, NULL);
    gint64 pid = g_ascii_strtoll (g_strchug (pids), NULL, 10);

    if (pid > 0)
      {
        g_autofree char *map = g_strdup_printf ("/tmp/perf-%" G_GINT64_FORMAT ".map", pid);
        g_unlink (map);
      }
  }
}

static void
test_deleted_and_replaced (void)
{
  g_autofree char *bin = g_strdup_printf ("%s/doomed-c", tmpdir);
  g_autofree char *file = NULL;
  g_autoptr(GHashTable) ours = NULL;
  GHashTableIter iter;
  gpointer key, value;
  double unresolved = 0;

  SKIP_WITHOUT_PERF ();
  g_free (copy_file (workload ("analysis-c-fp"), bin));
  {
    const char *cmd[] = { bin, "0.7", NULL };
    file = record ("doomed", FALSE, cmd);
  }

  for (int round = 0; round < 2; round++)
    {
      if (round == 0)
        g_assert_cmpint (g_unlink (bin), ==, 0);
      else
        g_free (copy_file (workload ("analysis-c-nofp"), bin)); /* same path, other build id */

      ours = scorch_report (file, NULL);
      g_assert_false (g_hash_table_contains (ours, "hot_a"));
      unresolved = 0;
      g_hash_table_iter_init (&iter, ours);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (g_str_has_prefix (key, "doomed-c+0x"))
          unresolved += ((Entry *) value)->self;
      g_assert_cmpfloat (unresolved, >, 50.0);
      g_clear_pointer (&ours, g_hash_table_unref);
    }
}

static void
test_cli_options (void)
{
  const char *cmd[] = { workload ("analysis-cpp"), "0.7", NULL };
  g_autofree char *file = NULL;
  const char *cli = g_getenv ("SCORCH_CLI");
  int status;

  SKIP_WITHOUT_PERF ();
  file = record ("cli", FALSE, cmd);

  {
    const char *argv[] = { cli, "report", "--tsv", "--top", "3", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
    double prev = 101;

    g_assert_cmpuint (g_strv_length (lines), ==, 3);
    for (guint i = 0; lines[i]; i++)
      {
        double self = g_ascii_strtod (lines[i], NULL);
        g_assert_cmpfloat (self, <=, prev);
        prev = self;
      }
  }
  {
    /* a thread of the two workers only */
    const char *argv_json[] = { cli, "report", "--json", file, NULL };
    const char *script[] = { "perf", "script", "-i", file, "-F", "tid", NULL };
    g_autofree char *tids = run (script, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit (tids, "\n", -1);
    g_autofree char *tid = NULL;
    g_autofree char *all = run (argv_json, NULL, NULL);

    for (guint i = 0; lines[i] && tid == NULL; i++)
      if (*g_strstrip (lines[i]))
        tid = g_strdup (lines[i]);
    g_assert_nonnull (tid);
    {
      const char *argv[] = { cli, "report", "--json", "--tid", tid, file, NULL };
      g_autofree char *one = run (argv, NULL, NULL);
      guint64 n_all = g_ascii_strtoull (strstr (all, "\"samples\": ") + 11, NULL, 10);
      guint64 n_one = g_ascii_strtoull (strstr (one, "\"samples\": ") + 11, NULL, 10);

      g_assert_cmpuint (n_one, >, 0);
      g_assert_cmpuint (n_one, <, n_all);
    }
    {
      const char *argv[] = { cli, "report", "--json", "--time", "0,0.2", file, NULL };
      g_autofree char *part = run (argv, NULL, NULL);
      guint64 n_all = g_ascii_strtoull (strstr (all, "\"samples\": ") + 11, NULL, 10);
      guint64 n_part = g_ascii_strtoull (strstr (part, "\"samples\": ") + 11, NULL, 10);

      g_assert_cmpuint (n_part, >, 0);
      g_assert_cmpuint (n_part, <, n_all);
    }
  }
  {
    const char *argv[] = { cli, "report", "--folded", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_autofree char *folded = g_strdup_printf ("%s/cli.folded", tmpdir);
    g_assert_nonnull (strstr (out, ";worker"));
    g_assert_true (g_file_set_contents (folded, out, -1, NULL));
    {
      /* and the folded file loads back */
      const char *argv2[] = { cli, "report", "--tsv", folded, NULL };
      g_autofree char *out2 = run (argv2, NULL, NULL);
      g_assert_nonnull (strstr (out2, "add_squares"));
    }
  }
  {
    const char *argv[] = { cli, "report", "--tree", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_assert_nonnull (strstr (out, "worker"));
  }
  {
    const char *argv[] = { cli, "report", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_assert_nonnull (strstr (out, "samples"));
  }
  /* errors: non-zero exit, no crash */
  {
    const char *bad[][6] = {
      { cli, "report", "/nonexistent/perf.data", NULL },
      { cli, "report", "--tsv", "--json", file, NULL },
      { cli, "report", "--tid", "abc", file, NULL },
      { cli, "report", "--time", "5", file, NULL },
      { cli, "report", "--top", "0", file, NULL },
      { cli, "report", NULL },
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *out = run (bad[i], NULL, &status);
        g_assert_false (g_spawn_check_wait_status (status, NULL));
      }
  }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-test-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/cli/report/stripped-debug-by-build-id", test_stripped_debug_by_build_id);
  g_test_add_func ("/cli/report/inline", test_inline);
  g_test_add_func ("/cli/report/fork-exec", test_fork_exec);
  g_test_add_func ("/cli/report/jit", test_jit);
  g_test_add_func ("/cli/report/deleted-and-replaced", test_deleted_and_replaced);
  g_test_add_func ("/cli/report/options", test_cli_options);

  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmpdir);
  }
  g_free (tmpdir);
  analysis_helpers_cleanup ();
  return ret;
}
