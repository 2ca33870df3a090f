/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-recorder.c: integration tests of scorch-recorder.c and scorch-cli record,
 * checked with perf report / perf script (the reference reader). */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <math.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc-wait-util.h"
#include "scorch-recorder.h"

static char *tmpdir;

static void
skip_printf (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static void
skip_printf (const char *format,
             ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_skip (msg);
}

static gboolean
can_record (void)
{
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
  g_autofree char *perf = g_find_program_in_path ("perf");

  if (!perms->can_record)
    {
      skip_printf ("perf_event_open is not allowed: %s", perms->message);
      return FALSE;
    }
  if (perf == NULL)
    {
      g_test_skip ("perf is not installed: it is the reference reader of these tests");
      return FALSE;
    }
  return TRUE;
}

static char *
workload (const char *name)
{
  const char *dir = g_getenv ("SCORCH_TEST_WORKLOADS");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static char *
output_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* Runs argv, returns the wait status; stdout/stderr into out/err. */
static int
run (const char * const *argv,
     char              **out,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return status;
}

static int
run_cli (const char * const *args,
         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SCORCH_CLI"));
  g_ptr_array_add (argv, (gpointer) "record");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_nonnull (g_getenv ("SCORCH_CLI"));
  status = run ((const char * const *) argv->pdata, NULL, err);
  g_test_message ("scorch-cli record stderr: %s", err && *err ? *err : "");
  return status;
}

static void
assert_clean_stderr (const char *err)
{
  static const char *bad[] = { "corrupt", "Corrupt", "unprocessable", "Invalid", "invalid",
                               "failed", "Failed", "unexpected", "Unexpected", "WARNING",
                               "Warning", "error", "Error", "restricted" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    if (strstr (err, bad[i]) != NULL)
      g_error ("perf complained (“%s”): %s", bad[i], err);
}

/* perf script -i path: checks it reads the file cleanly, returns the text. */
static char *
perf_script (const char *path,
             const char *fields)
{
  const char *argv[] = { "perf", "script", "-i", path, fields ? "-F" : NULL, fields, NULL };
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = run (argv, &out, &err);

  g_test_message ("perf script stderr: %s", err);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_clean_stderr (err);
  return out;
}

/* perf report --stdio --no-children --sort sym: symbol -> self percentage */
static GHashTable *
perf_report_shares (const char *path)
{
  const char *argv[] = { "perf", "report", "-i", path, "--stdio", "--no-children",
                         "--sort", "sym", "-g", "none", "--show-nr-samples", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *shares = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = run (argv, &out, &err);

  g_test_message ("perf report stderr: %s", err);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_clean_stderr (err);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      double pct;
      unsigned long n;
      char sym[256];

      if (sscanf (lines[i], " %lf%% %lu [%*[^]]] %255s", &pct, &n, sym) == 3)
        {
          double *v = g_new (double, 1);
          double *total = g_hash_table_lookup (shares, "");

          *v = pct;
          g_hash_table_insert (shares, g_strdup (sym), v);
          if (total == NULL)
            {
              total = g_new0 (double, 1);
              g_hash_table_insert (shares, g_strdup (""), total);
            }
          *total += n;
        }
    }
  return shares;
}

static double
share (GHashTable *shares,
       const char *sym)
{
  double *v = g_hash_table_lookup (shares, sym);
  return v ? *v : 0.0;
}

static void
assert_designed_shares (const char *path)
{
  g_autoptr(GHashTable) shares = perf_report_shares (path);

  double n = share (shares, "");
  const double designed[] = { 60.0, 30.0, 10.0 };
  const char *syms[] = { "a", "b", "c" };

  /* Statistical: a share from n samples has a binomial standard error of
   * sqrt(p(1-p)/n); samples of one time slice are correlated, so allow 5
   * of them, and never less than 5 points.  At least 200 samples (1300 to
   * 3700 are usual), so that a wrong share still fails: the tolerances are
   * then at most 17.3 (a), 16.2 (b) and 10.6 (c) points, short of the 20
   * and 30 points by which swapped functions miss (50 samples, the old
   * floor, allowed 34.6 points for a). */
  g_test_message ("%.0f samples: a %.2f%%  b %.2f%%  c %.2f%%", n,
                  share (shares, "a"), share (shares, "b"), share (shares, "c"));
  g_assert_cmpfloat (n, >=, 200);
  for (guint i = 0; i < G_N_ELEMENTS (syms); i++)
    {
      double p = designed[i] / 100.0;
      double tol = MAX (5.0, 500.0 * sqrt (p * (1 - p) / n));

      g_assert_cmpfloat_with_epsilon (share (shares, syms[i]), designed[i], tol);
    }
}

static guint
count_substr (const char *haystack,
              const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* ---- CLI: launch ------------------------------------------------------- */

static void
test_cli_fp (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("fp.data");
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  g_autofree char *buildids = NULL;
  const char *args[] = { "-F", "2999", "--call-graph", "fp", "-o", out, "--", prog, "2", NULL };
  const char *bid_argv[] = { "perf", "buildid-list", "-i", out, NULL };

  if (!can_record ())
    return;

  g_assert_cmpint (run_cli (args, &err), ==, 0);
  g_assert_nonnull (strstr (err, "samples"));
  g_assert_nonnull (strstr (err, out));
  assert_designed_shares (out);

  /* Frame-pointer chains reach main. */
  script = perf_script (out, "ip,sym");
  g_assert_cmpuint (count_substr (script, " main"), >, 200);

  g_assert_cmpint (run (bid_argv, &buildids, NULL), ==, 0);
  g_assert_nonnull (strstr (buildids, prog));
}

static void
test_cli_dwarf (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares-nofp");
  g_autofree char *out = output_path ("dwarf.data");
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  const char *args[] = { "--call-graph", "dwarf", "-o", out, "--", prog, "2", NULL };

  if (!can_record ())
    return;

  g_assert_cmpint (run_cli (args, &err), ==, 0);
  assert_designed_shares (out);

  /* perf unwinds our stack copies to main and _start. */
  script = perf_script (out, "ip,sym");
  g_assert_cmpuint (count_substr (script, " main"), >, 200);
  g_assert_cmpuint (count_substr (script, " _start"), >, 200);
}

static void
test_cli_dwarf_stack_size (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares-nofp");
  g_autofree char *out = output_path ("dwarf-small.data");
  g_autofree char *err = NULL;
  g_autofree char *header = NULL;
  const char *args[] = { "--call-graph", "dwarf,1024", "--no-kernel", "-o", out, "--", prog, "0.3", NULL };
  const char *bad[] = { "--call-graph", "dwarf,1001", "-o", out, "--", prog, NULL };
  const char *hdr_argv[] = { "perf", "report", "-i", out, "--header-only", NULL };

  if (!can_record ())
    return;

  g_assert_cmpint (run_cli (args, &err), ==, 0);
  g_assert_cmpint (run (hdr_argv, &header, NULL), ==, 0);
  g_assert_nonnull (strstr (header, "sample_stack_user = 1024"));
  g_assert_nonnull (strstr (header, "exclude_kernel = 1"));
  g_assert_nonnull (strstr (header, "name = cpu-clock"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (bad, &err), !=, 0);
  g_assert_nonnull (strstr (err, "1001"));
}

/* Samples each thread or process of a 1.5 s workload must have: enough to
 * show it was followed (inherit, fork, exec), few enough that a machine
 * whose other jobs leave the workload a tenth of a CPU still passes (the
 * workloads run for a wall-clock time, so their CPU time, and with it
 * their sample count, shrinks under load: 89-99 were seen at load 15). */
#define MIN_PER_PART 20

static void
test_cli_threads (void)
{
  g_autofree char *prog = workload ("scorch-wl-threads");
  g_autofree char *out = output_path ("threads.data");
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  g_autoptr(GHashTable) tids = g_hash_table_new (NULL, NULL);
  g_auto(GStrv) lines = NULL;
  const char *args[] = { "-o", out, "--", prog, "1.5", NULL };

  if (!can_record ())
    return;

  g_assert_cmpint (run_cli (args, &err), ==, 0);
  script = perf_script (out, "pid,tid,ip,sym");
  lines = g_strsplit (script, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      int pid, tid;
      if (sscanf (lines[i], " %d/%d", &pid, &tid) == 2)
        g_hash_table_add (tids, GINT_TO_POINTER (tid));
    }
  g_assert_cmpuint (g_hash_table_size (tids), >=, 3);
  g_assert_cmpuint (count_substr (script, "thread_one"), >, MIN_PER_PART);
  g_assert_cmpuint (count_substr (script, "thread_two"), >, MIN_PER_PART);
  g_assert_cmpuint (count_substr (script, "thread_three"), >, MIN_PER_PART);
}

static void
test_cli_fork_exec (void)
{
  g_autofree char *prog = workload ("scorch-wl-forkexec");
  g_autofree char *out = output_path ("forkexec.data");
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);
  g_auto(GStrv) lines = NULL;
  const char *args[] = { "-o", out, "--", prog, "1.5", NULL };

  if (!can_record ())
    return;

  g_assert_cmpint (run_cli (args, &err), ==, 0);
  script = perf_script (out, "comm,pid,tid,ip,sym");
  lines = g_strsplit (script, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char comm[64];
      int pid, tid;
      if (sscanf (lines[i], " %63s %d/%d", comm, &pid, &tid) == 3)
        g_hash_table_add (pids, GINT_TO_POINTER (pid));
    }
  g_assert_cmpuint (g_hash_table_size (pids), >=, 2);
  g_assert_cmpuint (count_substr (script, "parent_spin"), >, MIN_PER_PART);    /* the parent */
  g_assert_cmpuint (count_substr (script, "scorch-wl-share"), >, MIN_PER_PART); /* the exec'd child */
  g_assert_cmpuint (count_substr (script, " a\n"), >, MIN_PER_PART);
}

static void
test_cli_exit_at_once (void)
{
  g_autofree char *prog = workload ("scorch-wl-exit");
  g_autofree char *out = output_path ("exit.data");
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  const char *args[] = { "-o", out, "--", prog, NULL };
  gint64 start = g_get_monotonic_time ();

  if (!can_record ())
    return;

  g_assert_cmpint (run_cli (args, &err), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  script = perf_script (out, NULL);
}

static void
test_cli_segv (void)
{
  g_autofree char *prog = workload ("scorch-wl-segv");
  g_autofree char *out = output_path ("segv.data");
  g_autofree char *err = NULL;
  g_autoptr(GHashTable) shares = NULL;
  const char *args[] = { "-o", out, "--", prog, "0.5", NULL };
  int status;

  if (!can_record ())
    return;

  /* the capture is kept, and the target's death is passed on as a shell
   * would: 128 + SIGSEGV */
  status = run_cli (args, &err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 128 + SIGSEGV);
  g_assert_nonnull (strstr (err, "signal 11"));
  shares = perf_report_shares (out);
  g_assert_cmpfloat (share (shares, "doomed"), >, 80.0);
}

static void
test_cli_bad_input (void)
{
  g_autofree char *out = output_path ("bad.data");
  g_autofree char *err = NULL;
  const char *missing[] = { "-o", out, "--", "/nonexistent/scorch-no-such-program", NULL };
  const char *no_pid[] = { "-p", "4194000", "-o", out, NULL };
  const char *nothing[] = { "-o", out, NULL };

  if (!can_record ())
    return;

  g_assert_cmpint (run_cli (missing, &err), !=, 0);
  g_assert_nonnull (strstr (err, "scorch-no-such-program"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (no_pid, &err), !=, 0);
  g_assert_nonnull (strstr (err, "4194000"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (nothing, &err), !=, 0);
}

static void
test_cli_sigint (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("sigint.data");
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "-o", out, "--", prog, "30", NULL };
  GPid pid;
  int err_fd, status;
  gint64 start;
  char buf[4096];
  gssize n;

  if (!can_record ())
    return;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, NULL, NULL, &err_fd, &error));
  g_assert_no_error (error);
  /* The workload has run long enough for the 100 lines checked below
   * (0.3 s of CPU time is some 300 samples at the default rate), on a
   * machine however busy. */
  proc_wait_for_cpu (proc_wait_for_child (pid), 0.3);
  start = g_get_monotonic_time ();
  kill (pid, SIGINT);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  n = read (err_fd, buf, sizeof buf - 1);
  close (err_fd);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_test_message ("stderr: %s", buf);
  g_assert_nonnull (strstr (buf, "samples"));
  summary = perf_script (out, "sym");
  g_assert_cmpuint (count_substr (summary, "\n"), >, 100);
  g_spawn_close_pid (pid);
}

/* ---- CLI: attach ------------------------------------------------------- */

static void
test_cli_attach (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("attach.data");
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  g_autofree char *pid_str = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { prog, "3", NULL };
  GPid pid;
  int status;
  guint foreign = 0, ours = 0;

  if (!can_record ())
    return;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  proc_wait_for_exec (pid, prog);
  pid_str = g_strdup_printf ("%d", (int) pid);
  {
    const char *args[] = { "-p", pid_str, "-F", "2999", "--duration", "1.5", "-o", out, NULL };
    g_assert_cmpint (run_cli (args, &err), ==, 0);
  }
  assert_designed_shares (out);

  /* All samples are from the attached process; symbols of code mapped
   * before the attach resolve through the synthesized MMAP2 records. */
  script = perf_script (out, "pid");
  lines = g_strsplit (script, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      int p;
      if (sscanf (lines[i], " %d", &p) == 1)
        {
          if (p == pid)
            ours++;
          else
            foreign++;
        }
    }
  g_assert_cmpuint (ours, >, 200);
  g_assert_cmpuint (foreign, ==, 0);

  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
}

/* ---- library: async API, cancel, stop, sink, ENOSPC -------------------- */

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
  guint      n_progress;
  gint64     first_progress;
  gint64     last_progress;
  guint64    sink_bytes;
  guint      sink_calls;
  gboolean   sink_on_main;
  GThread   *main_thread;
  gint64     done_time;
} RunState;

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  RunState *state = data;

  state->ok = scorch_recorder_record_finish (SCORCH_RECORDER (object), result, &state->error);
  state->done_time = g_get_monotonic_time ();
  g_main_loop_quit (state->loop);
}

static void
on_progress (ScorchRecorder               *recorder,
             const ScorchRecorderProgress *progress,
             gpointer                      data)
{
  RunState *state = data;

  g_assert_true (g_thread_self () == state->main_thread);
  if (state->n_progress++ == 0)
    state->first_progress = g_get_monotonic_time ();
  state->last_progress = g_get_monotonic_time ();
}

static void
on_records (ScorchRecorder               *recorder,
            const struct perf_event_attr *attr,
            const guint8                 *records,
            gsize                         len,
            gpointer                      data)
{
  RunState *state = data;

  g_assert_nonnull (attr);
  g_assert_cmpuint (attr->sample_type & PERF_SAMPLE_CALLCHAIN, !=, 0);
  if (g_thread_self () == state->main_thread)
    state->sink_on_main = TRUE;
  state->sink_bytes += len;
  state->sink_calls++;
}

/* Ends a recording (cancels it, or stops it when there is no cancellable)
 * once it has sent 4 progress signals (about 0.4 s at 10 a second) and
 * counted 200 samples: it is running then, however long it took to start
 * on a busy machine, where a fixed delay could end it before it had its
 * samples.  After 60 s it ends it anyway, and the test's checks fail. */
typedef struct
{
  RunState       *state;
  ScorchRecorder *recorder;
  GCancellable   *cancellable;
  gint64          start;
  gint64          time;
} EndWhenRunning;

static gboolean
end_when_running_cb (gpointer data)
{
  EndWhenRunning *e = data;
  ScorchRecorderProgress progress;

  scorch_recorder_get_progress (e->recorder, &progress);
  if ((e->state->n_progress < 4 || progress.samples < 200) &&
      g_get_monotonic_time () - e->start < 60 * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;
  e->time = g_get_monotonic_time ();
  if (e->cancellable != NULL)
    g_cancellable_cancel (e->cancellable);
  else
    scorch_recorder_stop (e->recorder);
  return G_SOURCE_REMOVE;
}

static void
end_when_running (EndWhenRunning *e)
{
  e->start = g_get_monotonic_time ();
  g_timeout_add (20, end_when_running_cb, e);
}

static void
run_recorder (ScorchRecorder *recorder,
              GCancellable   *cancellable,
              RunState       *state)
{
  state->loop = g_main_loop_new (NULL, FALSE);
  state->main_thread = g_thread_self ();
  g_signal_connect (recorder, "progress", G_CALLBACK (on_progress), state);
  scorch_recorder_record_async (recorder, cancellable, on_done, state);
  g_main_loop_run (state->loop);
  /* let the last progress emission run */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_main_loop_unref (state->loop);
}

/* The recorder dies mid-recording (SIGKILL): the header checkpoints make
 * what was written up to about half a second before load. */
static void
test_cli_killed (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("killed.data");
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "-o", out, "--", prog, "30", NULL };
  pid_t workload_pid = 0;
  GPid pid;
  int status;

  if (!can_record ())
    return;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  /* The workload is a child of one of the recorder's threads: end it too.
   * It has run 1 s of CPU time first: the checkpoints keep what was written
   * up to about half a second (of wall-clock time, at least as long) before
   * the kill, some 500 samples at the default rate for the 100 lines
   * checked below, however busy the machine. */
  workload_pid = proc_wait_for_child (pid);
  proc_wait_for_cpu (workload_pid, 1.0);
  g_assert_cmpint (workload_pid, >, 0);
  kill (pid, SIGKILL);
  kill (workload_pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);

  script = perf_script (out, "sym");
  g_assert_cmpuint (count_substr (script, "\n"), >, 100);
}

static void
test_cycles_fallback (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("cycles.data");
  g_autofree char *header = NULL;
  g_autoptr(ScorchRecorder) recorder = scorch_recorder_new ();
  const char *argv[] = { prog, "0.3", NULL };
  const char *hdr_argv[] = { "perf", "report", "-i", out, "--header-only", NULL };
  const char * const *messages;
  RunState state = { 0 };
  gboolean fell_back = FALSE;

  if (!can_record ())
    return;

  scorch_recorder_set_command (recorder, argv, NULL, NULL);
  scorch_recorder_set_output_path (recorder, out);
  scorch_recorder_set_event (recorder, "cycles");
  scorch_recorder_set_frequency (recorder, 1000000);   /* above any max_sample_rate: capped */
  run_recorder (recorder, NULL, &state);
  g_assert_no_error (state.error);
  messages = scorch_recorder_get_messages (recorder);
  for (guint i = 0; messages[i] != NULL; i++)
    {
      g_test_message ("message: %s", messages[i]);
      if (strstr (messages[i], "cycles") != NULL && strstr (messages[i], "cpu-clock") != NULL)
        fell_back = TRUE;
    }
  g_assert_nonnull (messages[0]);   /* at least the frequency cap */
  g_assert_cmpint (run (hdr_argv, &header, NULL), ==, 0);
  g_assert_nonnull (strstr (header, fell_back ? "name = cpu-clock" : "name = cycles"));
}

static void
test_cancel (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("cancel.data");
  g_autofree char *script = NULL;
  g_autoptr(ScorchRecorder) recorder = scorch_recorder_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *argv[] = { prog, "30", NULL };
  RunState state = { 0 };
  EndWhenRunning cancel = { &state, recorder, cancellable, 0, 0 };
  ScorchRecorderProgress progress;
  double seconds, cancel_seconds;
  int status;

  if (!can_record ())
    return;

  scorch_recorder_set_command (recorder, argv, NULL, NULL);
  scorch_recorder_set_output_path (recorder, out);
  end_when_running (&cancel);
  run_recorder (recorder, cancellable, &state);
  g_assert_cmpint (cancel.time, >, 0);
  seconds = (state.done_time - cancel.start) / (double) G_USEC_PER_SEC;
  cancel_seconds = (state.done_time - cancel.time) / (double) G_USEC_PER_SEC;

  g_assert_false (state.ok);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&state.error);
  /* Cancelled promptly: the program would run 30 s; the sanitizer build
   * on a loaded machine ends the recording in well under 10. */
  g_test_message ("cancelled after %.2f s, done %.2f s later", seconds - cancel_seconds, cancel_seconds);
  g_assert_cmpfloat (cancel_seconds, <, 10);
  g_assert_cmpint (scorch_recorder_get_stop_reason (recorder), ==, SCORCH_STOP_REASON_CANCELLED);

  /* The child was ended and reaped. */
  status = scorch_recorder_get_exit_status (recorder);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (kill (scorch_recorder_get_child_pid (recorder), 0), !=, 0);

  /* Progress: at most ~10/s, at least a few. */
  g_test_message ("%u progress signals in %.2f s", state.n_progress, seconds);
  g_assert_cmpuint (state.n_progress, >=, 3);
  g_assert_cmpuint (state.n_progress, <=, seconds * 10 + 3);

  scorch_recorder_get_progress (recorder, &progress);
  g_assert_cmpuint (progress.samples, >, 100);
  script = perf_script (out, "sym");
  g_assert_cmpuint (count_substr (script, "\n"), >=, progress.samples * 9 / 10);
}

static void
test_stop_and_sink (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("stop.data");
  g_autoptr(ScorchRecorder) recorder = scorch_recorder_new ();
  const char *argv[] = { prog, "30", NULL };
  RunState state = { 0 };
  EndWhenRunning stop = { &state, recorder, NULL, 0, 0 };
  ScorchRecorderProgress progress;
  GStatBuf st;

  if (!can_record ())
    return;

  scorch_recorder_set_command (recorder, argv, g_get_tmp_dir (), NULL);
  scorch_recorder_set_output_path (recorder, out);
  scorch_recorder_set_sink (recorder, on_records, &state, NULL);
  end_when_running (&stop);
  run_recorder (recorder, NULL, &state);

  g_assert_no_error (state.error);
  g_assert_true (state.ok);
  g_assert_cmpint (scorch_recorder_get_stop_reason (recorder), ==, SCORCH_STOP_REASON_STOPPED);
  g_assert_false (state.sink_on_main);
  g_assert_cmpuint (state.sink_calls, >, 1);

  scorch_recorder_get_progress (recorder, &progress);
  g_assert_cmpuint (progress.samples, >, 100);
  g_assert_cmpuint (progress.lost, ==, 0);
  /* The sink saw every record written except the FINISHED_ROUND markers (8 bytes each). */
  g_assert_cmpuint (state.sink_bytes, <=, progress.bytes);
  g_assert_cmpuint (state.sink_bytes + 8 * state.sink_calls, ==, progress.bytes);
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpuint (st.st_size, >, progress.bytes);
  g_free (perf_script (out, NULL));
}

static void
test_duration (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *out = output_path ("duration.data");
  g_autoptr(ScorchRecorder) recorder = scorch_recorder_new ();
  const char *argv[] = { prog, "30", NULL };
  RunState state = { 0 };
  ScorchRecorderProgress progress;
  gint64 start;

  if (!can_record ())
    return;

  scorch_recorder_set_command (recorder, argv, NULL, NULL);
  scorch_recorder_set_output_path (recorder, out);
  scorch_recorder_set_duration (recorder, 0.5);
  scorch_recorder_set_period (recorder, 500000);   /* 2000 samples/s of CPU time */
  start = g_get_monotonic_time ();
  run_recorder (recorder, NULL, &state);
  g_assert_no_error (state.error);
  g_assert_cmpint (scorch_recorder_get_stop_reason (recorder), ==, SCORCH_STOP_REASON_DURATION);
  /* The duration ended it, not the program (30 s); the bounds leave room
   * for the start and the end of a recording in the sanitizer build on a
   * loaded machine (they took up to 1 s there). */
  g_assert_cmpint (state.done_time - start, <, 10 * G_USEC_PER_SEC);
  scorch_recorder_get_progress (recorder, &progress);
  g_test_message ("elapsed %.3f s, %.3f s in all", progress.elapsed, (state.done_time - start) / 1e6);
  g_assert_cmpfloat (progress.elapsed, >=, 0.5);
  g_assert_cmpfloat (progress.elapsed, <, 5.5);
  g_assert_cmpuint (progress.samples, >, 100);
  g_assert_cmpuint (progress.samples, <, 1400);
}

static void
test_no_space (void)
{
  g_autofree char *prog = workload ("scorch-wl-shares-nofp");
  g_autofree char *mnt = output_path ("tiny");
  g_autofree char *out = g_build_filename (mnt, "full.data", NULL);
  g_autofree char *script = NULL;
  g_autoptr(ScorchRecorder) recorder = scorch_recorder_new ();
  const char *argv[] = { prog, "30", NULL };
  RunState state = { 0 };
  gint64 start;

  if (!can_record ())
    return;

  g_assert_cmpint (g_mkdir_with_parents (mnt, 0700), ==, 0);
  if (mount ("tmpfs", mnt, "tmpfs", 0, "size=512k") != 0)
    {
      skip_printf ("cannot mount a small tmpfs to fill: %s", g_strerror (errno));
      return;
    }

  scorch_recorder_set_command (recorder, argv, NULL, NULL);
  scorch_recorder_set_output_path (recorder, out);
  scorch_recorder_set_call_graph (recorder, SCORCH_CALL_GRAPH_DWARF, 8192);  /* ~8 MB/s */
  start = g_get_monotonic_time ();
  run_recorder (recorder, NULL, &state);

  g_assert_false (state.ok);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_test_message ("error: %s", state.error->message);
  g_assert_nonnull (strstr (state.error->message, out));
  g_clear_error (&state.error);
  g_assert_cmpint (state.done_time - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (kill (scorch_recorder_get_child_pid (recorder), 0), !=, 0);

  /* What reached the disk loads, samples included. */
  script = perf_script (out, "sym");
  g_assert_cmpuint (count_substr (script, "\n"), >, 10);

  g_unlink (out);
  g_assert_cmpint (umount2 (mnt, MNT_DETACH), ==, 0);
  g_rmdir (mnt);
}

static void
assert_record_error (ScorchRecorder *recorder,
                     int             code,
                     const char     *needle)
{
  RunState state = { 0 };
  gint64 start = g_get_monotonic_time ();

  run_recorder (recorder, NULL, &state);
  g_assert_false (state.ok);
  g_assert_error (state.error, SCORCH_RECORDER_ERROR, code);
  g_test_message ("error: %s", state.error->message);
  g_assert_nonnull (strstr (state.error->message, needle));
  g_assert_cmpint (state.done_time - start, <, G_USEC_PER_SEC);
  g_clear_error (&state.error);
}

static void
test_bad_input (void)
{
  g_autoptr(ScorchRecorder) recorder = scorch_recorder_new ();
  g_autofree char *out = output_path ("bad.data");
  g_autofree char *text = output_path ("not-executable.sh");
  g_autofree char *noexec_fmt = output_path ("garbage-exe");
  const char *missing[] = { "scorch-surely-no-such-program", NULL };
  const char *missing_path[] = { "/nonexistent/dir/prog", NULL };
  const char *not_exec[] = { text, NULL };
  const char *dir[] = { "/tmp", NULL };
  const char *garbage[] = { noexec_fmt, NULL };
  GPid child;
  const char *true_argv[] = { "true", NULL };
  g_autofree char *pid_str = NULL;
  int status;

  if (!can_record ())
    return;

  scorch_recorder_set_output_path (recorder, out);

  scorch_recorder_set_command (recorder, missing, NULL, NULL);
  assert_record_error (recorder, SCORCH_RECORDER_ERROR_NO_SUCH_PROGRAM, "scorch-surely-no-such-program");
  scorch_recorder_set_command (recorder, missing_path, NULL, NULL);
  assert_record_error (recorder, SCORCH_RECORDER_ERROR_NO_SUCH_PROGRAM, "/nonexistent/dir/prog");

  g_assert_true (g_file_set_contents (text, "#!/bin/sh\necho hi\n", -1, NULL));
  g_chmod (text, 0644);
  scorch_recorder_set_command (recorder, not_exec, NULL, NULL);
  assert_record_error (recorder, SCORCH_RECORDER_ERROR_NOT_EXECUTABLE, text);
  scorch_recorder_set_command (recorder, dir, NULL, NULL);
  assert_record_error (recorder, SCORCH_RECORDER_ERROR_NOT_EXECUTABLE, "/tmp");

  /* Executable bit but no valid format: exec itself fails in the child. */
  g_assert_true (g_file_set_contents (noexec_fmt, "\x01\x02\x03garbage", -1, NULL));
  g_chmod (noexec_fmt, 0755);
  scorch_recorder_set_command (recorder, garbage, NULL, NULL);
  assert_record_error (recorder, SCORCH_RECORDER_ERROR_NOT_EXECUTABLE, noexec_fmt);
  /* nothing was recorded: no empty capture is left behind */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* ... but a capture written to the caller's stream is the caller's: the
   * file under the stream's name is not removed */
  {
    g_autoptr(GFile) file = g_file_new_for_path (out);
    g_autoptr(GFileOutputStream) stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL);

    g_assert_nonnull (stream);
    scorch_recorder_set_output_stream (recorder, G_OUTPUT_STREAM (stream));
    assert_record_error (recorder, SCORCH_RECORDER_ERROR_NOT_EXECUTABLE, noexec_fmt);
    g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
    scorch_recorder_set_output_stream (recorder, NULL);
    g_unlink (out);
  }

  /* A PID that has gone: a reaped child's. */
  g_assert_true (g_spawn_async (NULL, (char **) true_argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &child, NULL));
  waitpid (child, &status, 0);
  pid_str = g_strdup_printf ("%d", (int) child);
  scorch_recorder_set_pid (recorder, child);
  assert_record_error (recorder, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS, pid_str);
  scorch_recorder_set_pid (recorder, 4194000);
  assert_record_error (recorder, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS, "4194000");

  g_unlink (text);
  g_unlink (noexec_fmt);
}

/* As an unprivileged user (uid 65534) with perf_event_paranoid 2: the user
 * part is recorded, the kernel part dropped with the command to allow it. */
static void
test_unprivileged (void)
{
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *prog = workload ("scorch-wl-shares");
  g_autofree char *dir = output_path ("nobody");
  g_autofree char *out = g_build_filename (dir, "nobody.data", NULL);
  g_autofree char *err = NULL;
  g_autofree char *report = NULL;
  const char *argv[] = { setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                         g_getenv ("SCORCH_CLI"), "record", "-o", out, "--", prog, "0.5", NULL };
  const char *report_argv[] = { "perf", "report", "-f", "-i", out, "--stdio", "--sort", "sym", "-g", "none", NULL };

  if (!can_record ())
    return;
  if (geteuid () != 0 || setpriv == NULL)
    {
      g_test_skip ("needs root and setpriv to run the recorder as another user");
      return;
    }
  if (perms->paranoid != 2)
    {
      skip_printf ("kernel.perf_event_paranoid is %d, not 2", perms->paranoid);
      return;
    }
  if (access (prog, X_OK) != 0 || g_mkdir_with_parents (dir, 0777) != 0 || g_chmod (dir, 0777) != 0 ||
      g_chmod (tmpdir, 0755) != 0)
    {
      g_test_skip ("cannot make the workloads or an output directory reachable for uid 65534");
      return;
    }

  g_assert_cmpint (run (argv, NULL, &err), ==, 0);
  g_test_message ("stderr: %s", err);
  g_assert_nonnull (strstr (err, "sudo sysctl kernel.perf_event_paranoid=1"));
  g_assert_cmpint (run (report_argv, &report, NULL), ==, 0);
  g_assert_nonnull (strstr (report, "[.] a"));
  g_assert_null (strstr (report, "[k] "));
}

static void
test_permissions (void)
{
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/perf_event_paranoid", &contents, NULL, NULL))
    {
      g_assert_false (perms->can_record);
      g_assert_nonnull (perms->message);
      return;
    }
  g_assert_cmpint (perms->paranoid, ==, atoi (contents));
  if (perms->cap_perfmon || perms->cap_sys_admin)
    {
      g_assert_true (perms->can_record);
      g_assert_true (perms->can_kernel);
    }
  if (!perms->can_kernel)
    {
      g_assert_nonnull (perms->message);
      g_assert_nonnull (strstr (perms->command, "perf_event_paranoid="));
    }
  else
    g_assert_null (perms->message);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-recorder-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/libscorch/recorder/permissions", test_permissions);
  g_test_add_func ("/libscorch/recorder/unprivileged", test_unprivileged);
  g_test_add_func ("/libscorch/recorder/cli-fp", test_cli_fp);
  g_test_add_func ("/libscorch/recorder/cli-dwarf", test_cli_dwarf);
  g_test_add_func ("/libscorch/recorder/cli-dwarf-stack-size", test_cli_dwarf_stack_size);
  g_test_add_func ("/libscorch/recorder/cli-attach", test_cli_attach);
  g_test_add_func ("/libscorch/recorder/cli-threads", test_cli_threads);
  g_test_add_func ("/libscorch/recorder/cli-fork-exec", test_cli_fork_exec);
  g_test_add_func ("/libscorch/recorder/cli-exit-at-once", test_cli_exit_at_once);
  g_test_add_func ("/libscorch/recorder/cli-segv", test_cli_segv);
  g_test_add_func ("/libscorch/recorder/cli-bad-input", test_cli_bad_input);
  g_test_add_func ("/libscorch/recorder/cli-sigint", test_cli_sigint);
  g_test_add_func ("/libscorch/recorder/cli-killed", test_cli_killed);
  g_test_add_func ("/libscorch/recorder/cycles-fallback", test_cycles_fallback);
  g_test_add_func ("/libscorch/recorder/cancel", test_cancel);
  g_test_add_func ("/libscorch/recorder/stop-and-sink", test_stop_and_sink);
  g_test_add_func ("/libscorch/recorder/duration", test_duration);
  g_test_add_func ("/libscorch/recorder/no-space", test_no_space);
  g_test_add_func ("/libscorch/recorder/bad-input", test_bad_input);

  status = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return status;
}
