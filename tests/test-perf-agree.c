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

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  analysis_helpers_init ("scorch-perf-agree-XXXXXX");

  g_test_add_func ("/cli/perf-agree/exec-syscall", test_exec_syscall);
  g_test_add_func ("/cli/perf-agree/stripped-after-recording", test_stripped_after_recording);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
