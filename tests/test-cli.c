/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c: scorch-cli's contracts with scripts and shells: record passes
 * the target's exit status on and takes its target down with it, leaves
 * no file after a failed start, rejects bad numbers with messages that
 * name the option; report reads what a killed perf record left and counts
 * truncated stacks of the selection only. */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis-helpers.h"
#include "scorch-loader.h"
#include "scorch-perf-file.h"
#include "scorch-profile.h"

/* Runs scorch-cli with args; returns the exit status (128 + signal when
 * killed) and stderr in err_out. */
static int
cli (const char * const *args,
     char              **out_out,
     char              **err_out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SCORCH_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (tmpdir, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("cannot run scorch-cli: %s", error->message);
  g_test_message ("scorch-cli %s: status 0x%x, stderr: %s", args[0], status, err);
  if (out_out != NULL)
    *out_out = g_steal_pointer (&out);
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

/* Asked once: each probe is a whole recording (about a second) */
static gboolean
can_record (void)
{
  static int answer = -1;

  if (answer < 0)
    {
      const char *args[] = { "record", "-o", "/dev/null", "--", "true", NULL };

      answer = cli (args, NULL, NULL) == 0;
    }
  return answer;
}

#define SKIP_WITHOUT_RECORDING() G_STMT_START { if (!can_record ()) { \
      g_test_skip ("scorch-cli record cannot run here (perf_event_open not permitted)"); return; } } G_STMT_END

static void
test_exit_status (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "status.data", NULL);
  struct { const char *script; int expected; } cases[] = {
    { "exit 42", 42 },
    { "exit 0", 0 },
    { "kill -SEGV $$", 128 + SIGSEGV },
    { "kill -TERM $$", 128 + SIGTERM },
  };

  SKIP_WITHOUT_RECORDING ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { "record", "-o", out, "--", "sh", "-c", cases[i].script, NULL };

      g_assert_cmpint (cli (args, NULL, NULL), ==, cases[i].expected);
      /* the capture itself is kept */
      g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
    }

  /* a target we stop (--duration) is not a failure */
  {
    const char *args[] = { "record", "--duration", "0.3", "-o", out, "--", "sleep", "30", NULL };
    g_assert_cmpint (cli (args, NULL, NULL), ==, 0);
  }
}

/* The children of pid, from /proc (the first one, or 0). */
static pid_t
first_child (pid_t pid)
{
  g_autoptr(GDir) dir = NULL;
  g_autofree char *task = g_strdup_printf ("/proc/%d/task", (int) pid);
  const char *name;

  dir = g_dir_open (task, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/children", task, name);
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && g_ascii_isdigit (text[0]))
        return (pid_t) g_ascii_strtoll (text, NULL, 10);
    }
  return 0;
}

/* Gone: no such process, or a zombie nobody reaped yet. */
static gboolean
is_gone (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *p;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  p = strrchr (stat, ')');
  return p != NULL && (p[2] == 'Z' || p[2] == 'X');
}

static void
test_target_dies_with_cli (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "pdeath.data", NULL);
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "-o", out, "--", "sleep", "60", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  pid_t child = 0;
  gint64 deadline;
  int status;

  SKIP_WITHOUT_RECORDING ();
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);

  /* wait for the target to run sleep (a loaded machine may take seconds) */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *path = NULL;
      g_autofree char *comm = NULL;

      child = first_child (pid);
      if (child > 0)
        {
          path = g_strdup_printf ("/proc/%d/comm", (int) child);
          if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "sleep"))
            break;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }

  g_assert_false (is_gone (child));
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (!is_gone (child) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  if (!is_gone (child))
    {
      kill (child, SIGKILL);
      g_error ("the target %d outlived scorch-cli record by more than 1 s", (int) child);
    }
  g_spawn_close_pid (pid);
}

static void
test_failed_start_leaves_no_file (void)
{
  g_autofree char *script = g_build_filename (tmpdir, "no-shebang", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "failed.data", NULL);
  g_autofree char *err = NULL;

  SKIP_WITHOUT_RECORDING ();
  g_assert_true (g_file_set_contents (script, "echo no shebang\n", -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);

  {
    /* ENOEXEC: nothing was recorded, nothing is left */
    const char *args[] = { "record", "-o", out, "--", script, NULL };
    g_assert_cmpint (cli (args, NULL, &err), !=, 0);
    g_assert_nonnull (strstr (err, "Exec format error"));
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    g_clear_pointer (&err, g_free);
  }
  {
    /* a previous capture under that name is not left half-overwritten */
    const char *args[] = { "record", "-o", out, "--", script, NULL };
    g_assert_true (g_file_set_contents (out, "old", -1, NULL));
    g_assert_cmpint (cli (args, NULL, NULL), !=, 0);
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
  {
    const char *args[] = { "record", "-o", out, "--", "/nonexistent/program", NULL };
    g_assert_cmpint (cli (args, NULL, NULL), !=, 0);
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
  {
    /* a full disk at the start: nothing is left ... */
    g_autofree char *cmd = g_strdup_printf ("trap '' XFSZ; ulimit -f 0; exec '%s' record -o '%s' -- true",
                                            g_getenv ("SCORCH_CLI"), out);
    const char *argv[] = { "sh", "-c", cmd, NULL };
    int status;

    g_free (run (argv, NULL, &status));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
  {
    /* ... but what is not a plain file is never removed */
    struct stat st;
    const char *args[] = { "record", "-o", "/dev/full", "--", "true", NULL };

    g_assert_cmpint (cli (args, NULL, NULL), !=, 0);
    g_assert_cmpint (stat ("/dev/full", &st), ==, 0);
    g_assert_true (S_ISCHR (st.st_mode));
  }
}

static void
expect_usage_error (const char * const *args,
                    const char         *fragment)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (cli (args, NULL, &err), ==, 2);
  if (strstr (err, fragment) == NULL)
    g_error ("scorch-cli %s %s: “%s” not in: %s", args[0], args[1], fragment, err);
}

static void
test_record_bad_numbers (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "bad.data", NULL);
  struct { const char *opt, *value, *fragment; } cases[] = {
    { "-p", "0", "0 is not a process ID" },
    { "-p", "-5", "-5 is not a process ID" },
    { "--pid", "12x", "“12x” is not a whole number" },
    { "-F", "0", "--freq (-F) must be at least 1, not 0" },
    { "-F", "-1", "--freq (-F) must be at least 1" },
    { "-F", "99999999999", "--freq (-F) must lie between" },
    { "-c", "0", "--count (-c) must be at least 1, not 0" },
    { "-c", "-7", "--count (-c) must be at least 1" },
    { "--duration", "0", "--duration must be more than 0 seconds" },
    { "--duration", "-1", "--duration must be more than 0 seconds" },
    { "--duration", "nan", "“nan” is not a number of seconds" },
    { "--duration", "inf", "“inf” is not a number of seconds" },
    { "--duration", "1e999", "is not a number of seconds" },
    { "--duration", "1e12", "--duration must be at most" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* -p alone, the others with a program */
      const char *with_pid[] = { "record", cases[i].opt, cases[i].value, "-o", out, NULL };
      const char *with_program[] = { "record", cases[i].opt, cases[i].value, "-o", out, "--", "true", NULL };

      expect_usage_error (g_str_has_prefix (cases[i].opt, "-p") || g_str_equal (cases[i].opt, "--pid")
                          ? with_pid : with_program, cases[i].fragment);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

/* Every command, the two modules' too, says a command line that does not
 * parse in GLib's words after its name, and exits with status 2. */
static void
test_unknown_option (void)
{
  const char *commands[] = { "record", "report", "export", "pack", "diff", "annotate" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[] = { commands[i], "--no-such-option", NULL };
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("scorch-cli %s: Unknown option --no-such-option\n",
                                                   commands[i]);

      g_assert_cmpint (cli (args, NULL, &err), ==, 2);
      g_assert_cmpstr (err, ==, expected);
    }
}

static void
test_report_bad_numbers (void)
{
  g_autofree char *file = g_build_filename (tmpdir, "never-read.data", NULL);
  struct { const char *opt, *value, *fragment; } cases[] = {
    { "-n", "0", "--top (-n) must be at least 1, not 0" },
    { "-n", "-1", "--top (-n) must be at least 1, not -1" },
    { "--top", "ten", "“ten” is not a whole number" },
    { "--time", "5,1", "the start (5 s) is after the end (1 s)" },
    { "--time", "-1,2", "--time START must not be negative" },
    { "--time", "nan,", "“nan” is not a number of seconds" },
    { "--time", "1,inf", "“inf” is not a number of seconds" },
    { "--time", "5", "is not START,END" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *opt = g_strdup_printf ("%s=%s", cases[i].opt, cases[i].value);
      const char *separate[] = { "report", cases[i].opt, cases[i].value, file, NULL };
      const char *joined[] = { "report", opt, file, NULL };

      expect_usage_error (cases[i].opt[1] == 'n' ? separate : joined, cases[i].fragment);
    }
}

/* Records in an unfinished capture, counted independently of the reader:
 * whole records from data.offset to the end of the file. */
static guint64
count_whole_records (const char *path)
{
  g_autofree char *contents = NULL;
  ScorchPerfFileHeader h;
  gsize len;
  guint64 pos, n = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >=, sizeof h);
  memcpy (&h, contents, sizeof h);
  g_assert_cmpuint (h.data.size, ==, 0);   /* the header was never finalized */
  for (pos = h.data.offset; pos + 8 <= len; n++)
    {
      struct perf_event_header eh;

      memcpy (&eh, contents + pos, sizeof eh);
      if (eh.size < 8 || eh.size % 8 != 0 || eh.size > len - pos)
        break;
      pos += eh.size;
    }
  return n;
}

static guint64
footer_samples (const char *out)
{
  const char *line = g_strrstr (out, "\n\n");

  g_assert_nonnull (line);
  return g_ascii_strtoull (line + 2, NULL, 10);
}

static guint64
footer_truncated (const char *out)
{
  const char *line = g_strrstr (out, "\n\n");
  const char *t;

  g_assert_nonnull (line);
  t = strstr (line, " stacks truncated");
  if (t == NULL)
    return 0;
  while (t > line && t[-1] != ' ')
    t--;
  return g_ascii_strtoull (t, NULL, 10);
}

static void
test_salvage_killed_perf_record (void)
{
  g_autofree char *data = g_build_filename (tmpdir, "killed.data", NULL);
  const char *argv[] = { "perf", "record", "-q", "-F", "999", "-g", "-m", "4", "-o", data, "--",
                         workload ("analysis-c-fp"), "30", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  const ScorchProfileInfo *info;
  GPid perf;
  pid_t target;
  guint64 n_records;
  gboolean found = FALSE;
  int status;

  SKIP_WITHOUT_PERF ();
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                NULL, NULL, &perf, &error));
  g_assert_no_error (error);
  /* kill it once it has written some records (perf writes as its ring
   * buffers fill), at least 1 s in; a loaded machine may take far longer
   * than the 1 s that is usual to fill them, so the deadline is 60 s */
  {
    gint64 start = g_get_monotonic_time ();
    GStatBuf st;

    while (g_get_monotonic_time () - start < 60 * G_USEC_PER_SEC &&
           (g_get_monotonic_time () - start < G_USEC_PER_SEC ||
            g_stat (data, &st) != 0 || st.st_size < 48 * 1024))
      g_usleep (20000);
  }
  target = first_child (perf);
  kill (perf, SIGKILL);
  g_assert_cmpint (waitpid (perf, &status, 0), ==, perf);
  g_spawn_close_pid (perf);
  if (target > 0)
    kill (target, SIGKILL);  /* perf's workload outlives it */

  n_records = count_whole_records (data);
  g_test_message ("%" G_GUINT64_FORMAT " whole records in the killed capture", n_records);
  g_assert_cmpuint (n_records, >, 10);

  /* report: the records that are there, and a warning on stderr */
  {
    const char *args[] = { "report", data, NULL };

    g_assert_cmpint (cli (args, &out, &err), ==, 0);
  }
  expected = g_strdup_printf ("warning: The capture was not finished (perf record was killed?): "
                              "%" G_GUINT64_FORMAT " records read", n_records);
  g_assert_nonnull (strstr (err, expected));
  g_assert_cmpuint (footer_samples (out), >, 0);
  g_assert_nonnull (strstr (out, "hot_"));

  /* the library (the app's loader) carries the same warning */
  profile = scorch_load_sync (data, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  info = scorch_profile_get_info (profile);
  g_assert_nonnull (info->warnings);
  for (guint i = 0; i < info->warnings->len; i++)
    found |= strstr (g_ptr_array_index (info->warnings, i), expected + strlen ("warning: ")) != NULL;
  g_assert_true (found);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (profile), ==, footer_samples (out));
}

/* --tid: the footer's truncated count is that of the selected threads. A
 * shell without frame pointers (truncated stacks) runs beside a program
 * with them (whole stacks). */
static void
test_tid_truncated (void)
{
  g_autofree char *data = NULL;
  g_autofree char *script = g_strdup_printf ("'%s' 0.6 & i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; wait",
                                             workload ("analysis-c-fp"));
  const char *cmd[] = { "sh", "-c", script, NULL };
  g_autofree char *all = NULL;
  g_autofree char *tids_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint64 n_all, t_all, n_sum = 0, t_sum = 0;
  guint n_threads = 0;

  SKIP_WITHOUT_PERF ();
  data = record ("tid-truncated", FALSE, cmd);
  {
    const char *args[] = { "report", data, NULL };
    g_assert_cmpint (cli (args, &all, NULL), ==, 0);
  }
  n_all = footer_samples (all);
  t_all = footer_truncated (all);
  g_test_message ("whole capture: %" G_GUINT64_FORMAT " samples, %" G_GUINT64_FORMAT " truncated", n_all, t_all);
  g_assert_cmpuint (t_all, >, 0);
  g_assert_cmpuint (t_all, <, n_all);

  {
    const char *script_argv[] = { "perf", "script", "-i", data, "-F", "tid", NULL };
    tids_text = run (script_argv, NULL, NULL);
  }
  lines = g_strsplit (tids_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *tid = g_strstrip (lines[i]);
      g_autofree char *out = NULL;
      const char *args[] = { "report", "--tid", tid, data, NULL };
      guint64 n, t;

      if (*tid == '\0' || g_hash_table_contains (seen, tid))
        continue;
      g_hash_table_add (seen, g_strdup (tid));
      g_assert_cmpint (cli (args, &out, NULL), ==, 0);
      n = footer_samples (out);
      t = footer_truncated (out);
      g_test_message ("tid %s: %" G_GUINT64_FORMAT " samples, %" G_GUINT64_FORMAT " truncated", tid, n, t);
      g_assert_cmpuint (t, <=, n);
      {
        /* --json reports the same count for the selection */
        const char *json_args[] = { "report", "--json", "--tid", tid, data, NULL };
        g_autofree char *json = NULL;
        g_autofree char *expected = g_strdup_printf ("\"truncated\" : %" G_GUINT64_FORMAT ",", t);

        g_assert_cmpint (cli (json_args, &json, NULL), ==, 0);
        g_assert_nonnull (strstr (json, expected));
      }
      n_sum += n;
      t_sum += t;
      n_threads++;
    }
  g_assert_cmpuint (n_threads, >=, 2);
  g_assert_cmpuint (n_sum, ==, n_all);
  g_assert_cmpuint (t_sum, ==, t_all);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  analysis_helpers_init ("scorch-test-cli-XXXXXX");

  g_test_add_func ("/cli/record/exit-status", test_exit_status);
  g_test_add_func ("/cli/record/target-dies-with-cli", test_target_dies_with_cli);
  g_test_add_func ("/cli/record/failed-start-leaves-no-file", test_failed_start_leaves_no_file);
  g_test_add_func ("/cli/record/bad-numbers", test_record_bad_numbers);
  g_test_add_func ("/cli/report/bad-numbers", test_report_bad_numbers);
  g_test_add_func ("/cli/unknown-option", test_unknown_option);
  g_test_add_func ("/cli/report/salvage-killed-perf-record", test_salvage_killed_perf_record);
  g_test_add_func ("/cli/report/tid-truncated", test_tid_truncated);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
