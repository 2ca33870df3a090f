/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-perf-agree.c: perf record captures of programs and options the
 * other comparisons do not cover, where Scorch once disagreed with perf
 * report on the same capture. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis-helpers.h"
#include "perf-record-util.h"

/* perf report's total (children) percentage of the user symbol NAME,
 * or -1 when perf does not list it */
static double
perf_total_of (const char *file,
               const char *name)
{
  const char *argv[] = { "perf", "report", "-i", file, "--children", "--sort", "sym", "--stdio",
                         "-g", "none", NULL };
  g_autofree char *out = run (argv, NULL, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *tail = g_strdup_printf ("[.] %s", name);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '#' && g_str_has_suffix (lines[i], tail))
        return g_ascii_strtod (lines[i], NULL);
    }
  return -1;
}

/* A shell that execs /bin/true in a loop spends a fifth of its time in
 * execve. Samples taken there after the kernel mapped the new image (in
 * load_elf_binary and later) still return to the old image's execve:
 * perf names that frame from the old maps, and so must Scorch, or half
 * of execve's time goes to [unknown]+0x7f... frames, one per process. */
static void
test_exec_syscall (void)
{
  g_autofree char *file = g_build_filename (tmpdir, "exec-loop.data", NULL);
  const char *rec[] = { "perf", "record", "-q", "-e", "cpu-clock", "-c", "50000", "-g", "-o", file, "--",
                        "sh", "-c", "i=0; while [ $i -lt 120 ]; do /bin/true; i=$((i+1)); done", NULL };
  g_autoptr(GHashTable) ours = NULL;
  const Entry *e;
  double perf_total;

  SKIP_WITHOUT_PERF ();
  perf_record_util_run_ok (rec, NULL);
  perf_total = perf_total_of (file, "__GI___execve");
  if (perf_total < 0)
    perf_total = perf_total_of (file, "__execve");
  if (perf_total < 0)
    perf_total = perf_total_of (file, "execve");
  if (perf_total < 2.0)
    {
      /* no kernel samples (perf_event_paranoid > 1 for this user):
       * nothing is sampled inside the syscall */
      g_test_skip ("perf recorded (almost) no samples inside execve; kernel sampling is not allowed here");
      return;
    }
  ours = scorch_report (file, NULL);
  e = g_hash_table_lookup (ours, "execve");
  g_assert_nonnull (e);
  g_test_message ("execve total: perf %.2f %%, Scorch %.2f %%", perf_total, e->total);
  /* the same samples of the same capture: only the first exec (perf's
   * child, whose maps were never recorded) may differ */
  g_assert_cmpfloat (fabs (perf_total - e->total), <=, 1.0);
}

/* perf record keeps a copy of each binary in its build-id cache; a
 * binary replaced by a stripped one after the recording (an install step)
 * is named from that copy by perf report, and must be by Scorch. */
static void
test_stripped_after_recording (void)
{
  g_autofree char *bin = g_build_filename (tmpdir, "strip-me", NULL);
  g_autofree char *home = g_build_filename (tmpdir, "home", NULL);
  g_autofree char *old_home = g_strdup (g_getenv ("HOME"));
  const char *cmd[] = { bin, "0.5", NULL };
  const char * const expected[] = { "hot_a", "hot_b", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  g_free (copy_file (workload ("analysis-c-fp"), bin));
  /* perf record fills, and perf report and Scorch read, $HOME/.debug
   * (perf reads no $PERF_BUILDID_DIR, only sets it for its children):
   * a home of the test's own keeps the user's cache out of it */
  g_assert_cmpint (g_mkdir_with_parents (home, 0755), ==, 0);
  g_setenv ("HOME", home, TRUE);
  g_unsetenv ("PERF_BUILDID_DIR");
  file = record ("stripped-after", FALSE, cmd);
  {
    /* as `install -s` does: a new, stripped file in its place (perf's
     * cache may hold a hard link to the old one, which must not change) */
    g_autofree char *stripped = g_strconcat (bin, ".new", NULL);
    const char *argv[] = { "strip", "--strip-all", "-o", stripped, bin, NULL };

    g_free (run (argv, NULL, NULL));
    g_assert_cmpint (g_rename (stripped, bin), ==, 0);
  }
  compare_with_perf (file, expected, NULL);
  if (old_home != NULL)
    g_setenv ("HOME", old_home, TRUE);
  else
    g_unsetenv ("HOME");
}

/* Samples of each event in FILE, as perf script lists them. */
static guint
perf_samples_of (const char *file,
                 const char *event)
{
  const char *argv[] = { "perf", "script", "-i", file, "-F", "event", NULL };
  g_autofree char *out = run (argv, NULL, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strconcat (event, ":", NULL);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (g_strstrip (lines[i]), prefix))
      n++;
  return n;
}

/* Two events in one capture (perf record -e cpu-clock,task-clock): perf
 * report shows each apart; Scorch's profile is of the first, and its
 * diagnostics say how many samples of which other event it leaves out
 * rather than mixing them in. */
static void
test_two_events (void)
{
  g_autofree char *file = g_build_filename (tmpdir, "two-events.data", NULL);
  const char *rec[] = { "perf", "record", "-q", "-e", "cpu-clock,task-clock", "-c", "200000", "-g", "-o", file, "--",
                        workload ("analysis-c-fp"), "0.3", NULL };
  const char *json_argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
  const char *diag_argv[] = { g_getenv ("SCORCH_CLI"), "report", "--diagnostics", file, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *diag = NULL;
  g_autofree char *expected = NULL;
  guint n_cpu, n_task;
  JsonObject *root;

  SKIP_WITHOUT_PERF ();
  perf_record_util_run_ok (rec, NULL);
  n_cpu = perf_samples_of (file, "cpu-clock");
  n_task = perf_samples_of (file, "task-clock");
  g_assert_cmpuint (n_cpu, >, 100);
  g_assert_cmpuint (n_task, >, 100);

  json = run (json_argv, NULL, NULL);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "event"), ==, "cpu-clock");
  g_assert_cmpint (json_object_get_int_member (root, "samples"), ==, n_cpu);

  diag = run (diag_argv, NULL, NULL);
  expected = g_strdup_printf ("%u samples of other events (task-clock) are not shown: this profile is of cpu-clock only",
                              n_task);
  if (strstr (diag, expected) == NULL)
    g_error ("no \"%s\" in:\n%s", expected, diag);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  analysis_helpers_init ("scorch-perf-agree-XXXXXX");

  g_test_add_func ("/cli/perf-agree/exec-syscall", test_exec_syscall);
  g_test_add_func ("/cli/perf-agree/stripped-after-recording", test_stripped_after_recording);
  g_test_add_func ("/cli/perf-agree/two-events", test_two_events);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
