/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-reach-record.c: recording beyond the user's own perf_event_open:
 * through sysprofd on a private system bus (as root: the shares match a
 * direct recording and the live session gets samples; as uid 65534 with
 * no polkit agent: the one message with both fixes), user-only stacks at
 * perf_event_paranoid=2 as an unprivileged user (the value is restored
 * before anything is checked), and system-wide recording of two processes
 * at once. Needs root (skips otherwise); not run in parallel (it changes
 * perf_event_paranoid). */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc-wait-util.h"
#include "reach-bus-util.h"
#include "scorch-call-graph-choice.h"
#include "scorch-capture-reader.h"
#include "scorch-sysprofd.h"

#define SYSPROFD "/usr/libexec/sysprofd"
#define PARANOID "/proc/sys/kernel/perf_event_paranoid"
#define NOBODY   "65534"
/* wl-shares rounds: a fixed amount of work (about 2 s of CPU), so that the
 * sample count, and with it the resolution of the comparison, does not
 * depend on how busy the machine is */
#define SHARES_ROUNDS "700"

static char *tmpdir;

/* perf_event_paranoid as it was, written back even when the test is
 * aborted or killed while it is changed */
static char saved_paranoid[32];
static gsize saved_paranoid_len;
static volatile sig_atomic_t paranoid_changed;

static void
restore_paranoid (void)
{
  int fd;

  if (!paranoid_changed)
    return;
  fd = open (PARANOID, O_WRONLY);
  if (fd >= 0)
    {
      if (write (fd, saved_paranoid, saved_paranoid_len) < 0)
        {
          /* nothing more can be done here */
        }
      close (fd);
    }
  paranoid_changed = 0;
}

static void
restore_paranoid_on_signal (int sig)
{
  restore_paranoid ();
  signal (sig, SIG_DFL);
  raise (sig);
}

static char *
workload (const char *name)
{
  return g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), name, NULL);
}

/* Runs argv (as uid 65534 when nobody), returns stdout; stderr in *err. */
static char *
run (gboolean             nobody,
     const char * const  *args,
     char               **err,
     int                 *status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (nobody)
    {
      g_ptr_array_add (argv, (gpointer) "setpriv");
      g_ptr_array_add (argv, (gpointer) "--reuid=" NOBODY);
      g_ptr_array_add (argv, (gpointer) "--regid=" NOBODY);
      g_ptr_array_add (argv, (gpointer) "--clear-groups");
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (tmpdir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, err, status, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s", args[1], *err);
  return out;
}

/* self % of FUNC in MODULE from report --tsv, or -1 */
static double
share (const char *tsv,
       const char *func,
       const char *module,
       guint64    *total_samples)
{
  g_auto(GStrv) lines = g_strsplit (tsv, "\n", -1);
  double found = -1;

  *total_samples = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (f) < 6)
        continue;
      *total_samples += g_ascii_strtoull (f[2], NULL, 10);
      if (strcmp (f[4], func) == 0 && found < 0)
        {
          g_autofree char *base = g_path_get_basename (f[5]);

          if (module == NULL || strcmp (base, module) == 0)
            found = g_ascii_strtod (f[0], NULL);
        }
    }
  return found;
}

/* FUNC of scorch-wl-shares, designed to have DESIGNED % of the samples,
 * has more than BOUND % of them in TSV.  The check is worth making only
 * when the bound is 5 binomial standard deviations below the design or
 * more (a chance failure once in 3.5 million), which takes
 *   n >= 25 p (1 - p) / (design - bound)^2
 * samples: 150 for 60 % above 40, 234 for 30 % above 15. */
static void
assert_share_above (const char *tsv,
                    const char *func,
                    double      designed,
                    double      bound)
{
  guint64 n;
  double got = share (tsv, func, "scorch-wl-shares", &n);
  double p = designed / 100, margin = (designed - bound) / 100;
  double needed = ceil (25 * p * (1 - p) / (margin * margin));

  g_test_message ("%s: %.2f %% of %" G_GUINT64_FORMAT " samples (designed %.0f %%, bound %.0f %%, "
                  "at least %.0f samples needed)", func, got, n, designed, bound, needed);
  g_assert_cmpfloat ((double) n, >=, needed);
  g_assert_cmpfloat (got, >, bound);
}

static char *
report_tsv (const char *capture)
{
  const char *args[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", capture, NULL };
  g_autofree char *err = NULL;
  int status;
  char *out = run (FALSE, args, &err, &status);

  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* self samples of FUNC in MODULE from report --tsv (0 when absent) */
static guint64
samples_of (const char *tsv,
            const char *func,
            const char *module)
{
  g_auto(GStrv) lines = g_strsplit (tsv, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      g_autofree char *base = NULL;

      if (g_strv_length (f) < 6 || strcmp (f[4], func) != 0)
        continue;
      base = g_path_get_basename (f[5]);
      if (strcmp (base, module) == 0)
        return g_ascii_strtoull (f[2], NULL, 10);
    }
  return 0;
}

static gboolean
have_broker (void)
{
  if (getuid () != 0)
    {
      g_test_skip ("needs root (the broker's root path, setpriv, perf_event_paranoid)");
      return FALSE;
    }
  if (!g_file_test (SYSPROFD, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("sysprofd is not installed (Debian package sysprof)");
      return FALSE;
    }
  if (bus_pid <= 0 && !start_bus (tmpdir))
    {
      g_test_skip ("cannot start a private system bus");
      return FALSE;
    }
  return TRUE;
}

/* ---- tests ---------------------------------------------------------- */

static void
test_broker_shares (void)
{
  g_autofree char *wl = workload ("scorch-wl-shares");
  g_autofree char *direct = g_build_filename (tmpdir, "direct.data", NULL);
  g_autofree char *broker = g_build_filename (tmpdir, "broker.data", NULL);
  g_autofree char *live = g_build_filename (tmpdir, "broker-live.tsv", NULL);
  g_autofree char *err = NULL, *err2 = NULL;
  g_autofree char *out = NULL, *out2 = NULL;
  g_autofree char *tsv_direct = NULL, *tsv_broker = NULL, *tsv_live = NULL;
  const char *funcs[] = { "a", "b", "c" };
  int status;

  if (!have_broker ())
    return;
  {
    const char *args[] = { g_getenv ("SCORCH_CLI"), "record", "--via=direct", "--call-graph=fp", "-F", "1999",
                           "-o", direct, "--", wl, "0", SHARES_ROUNDS, NULL };
    out = run (FALSE, args, &err, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  {
    const char *args[] = { g_getenv ("SCORCH_CLI"), "record", "--via=sysprofd", "--call-graph=fp", "-F", "1999",
                           "--live-tsv", live, "-o", broker, "--", wl, "0", SHARES_ROUNDS, NULL };
    out2 = run (FALSE, args, &err2, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err2, "through sysprofd"));
  }

  tsv_direct = report_tsv (direct);
  tsv_broker = report_tsv (broker);
  g_assert_true (g_file_get_contents (live, &tsv_live, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (funcs); i++)
    {
      guint64 n_direct, n_broker, n_live;
      double p_direct = share (tsv_direct, funcs[i], "scorch-wl-shares", &n_direct);
      double p_broker = share (tsv_broker, funcs[i], "scorch-wl-shares", &n_broker);
      double p_live = share (tsv_live, funcs[i], "scorch-wl-shares", &n_live);
      double p = MAX (p_direct, 1) / 100;
      /* 3 sigma of the difference of two independent shares */
      double tol = 300 * sqrt (p * (1 - p) / MAX (n_direct, 1) + p * (1 - p) / MAX (n_broker, 1));

      g_test_message ("%s: direct %.2f %% of %" G_GUINT64_FORMAT ", sysprofd %.2f %% of %" G_GUINT64_FORMAT
                      ", live %.2f %% (3 sigma %.2f points)",
                      funcs[i], p_direct, n_direct, p_broker, n_broker, p_live, tol);
      g_assert_cmpfloat (p_direct, >, 0);
      g_assert_cmpfloat (p_broker, >, 0);
      /* the comparison must be able to resolve 5 points */
      g_assert_cmpfloat (tol, <=, 5.0);
      g_assert_cmpfloat (fabs (p_direct - p_broker), <=, 5.0);
      /* the live session got the broker's samples: its profile is the capture's */
      g_assert_cmpuint (n_live, ==, n_broker);
      g_assert_cmpfloat (fabs (p_live - p_broker), <, 0.01);
    }
}

/* attaching through the broker: per-CPU events kept to the process (of
 * another user: uid 65534) and its children */
static void
test_broker_attach (void)
{
  g_autofree char *wl = workload ("scorch-wl-shares");
  g_autofree char *capture = g_build_filename (tmpdir, "attach.data", NULL);
  const char *argv1[] = { "setpriv", "--reuid=" NOBODY, "--regid=" NOBODY, "--clear-groups", wl, "4", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *tsv = NULL;
  g_autofree char *pid_arg = NULL;
  GPid pid = 0;
  int status;

  if (!have_broker ())
    return;
  g_assert_true (g_spawn_async (NULL, (char **) argv1, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                G_SPAWN_STDOUT_TO_DEV_NULL, bus_child_setup, NULL, &pid, &error));
  proc_wait_for_exec (pid, wl);   /* setpriv execs the workload: same PID */
  pid_arg = g_strdup_printf ("%d", (int) pid);
  {
    const char *args[] = { g_getenv ("SCORCH_CLI"), "record", "--via=sysprofd", "--call-graph=fp",
                           "-p", pid_arg, "--duration", "1.5", "-o", capture, NULL };
    out = run (FALSE, args, &err, &status);
  }
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "through sysprofd"));

  tsv = report_tsv (capture);
  /* only the target: its functions, nothing of other processes' programs */
  assert_share_above (tsv, "a", 60, 40);
  assert_share_above (tsv, "b", 30, 15);
  g_assert_null (strstr (tsv, "scorch-cli"));
}

static void
test_broker_denied (void)
{
  g_autofree char *wl = workload ("scorch-wl-shares");
  g_autofree char *capture = g_build_filename (tmpdir, "denied.data", NULL);
  const char *args[] = { g_getenv ("SCORCH_CLI"), "record", "--via=sysprofd",
                         "-o", capture, "--", wl, "0.2", NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  if (!have_broker ())
    return;
  out = run (TRUE, args, &err, &status);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  /* why, and both fixes */
  g_assert_nonnull (strstr (err, "Not authorized"));
  g_assert_nonnull (strstr (err, "“sysprof” package"));
  g_assert_nonnull (strstr (err, "sudo sysctl kernel.perf_event_paranoid="));
  g_assert_nonnull (strstr (err, "CAP_PERFMON"));
  /* one message: the error is said once */
  g_assert_null (strstr (strstr (err, "Cannot record") + 1, "Cannot record"));
  g_assert_false (g_file_test (capture, G_FILE_TEST_EXISTS));
}

/* inside a Flatpak the fixes are the sandbox's permissions, not a sysctl */
static void
test_broker_denied_flatpak (void)
{
  g_autofree char *wl = workload ("scorch-wl-shares");
  g_autofree char *capture = g_build_filename (tmpdir, "denied-flatpak.data", NULL);
  g_autofree char *info = g_build_filename (tmpdir, "flatpak-info", NULL);
  g_autofree char *info_env = g_strdup_printf ("SCORCH_FLATPAK_INFO=%s", info);
  const char *args[] = { "env", info_env, g_getenv ("SCORCH_CLI"), "record", "--via=sysprofd",
                         "-o", capture, "--", wl, "0.2", NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status;

  if (!have_broker ())
    return;
  g_assert_true (g_file_set_contents (info, "[Application]\nname=io.github.scorchprof.Scorch\n", -1, NULL));
  g_chmod (info, 0644);
  out = run (TRUE, args, &err, &status);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  /* sysprofd was reached (polkit said no): the other permission, and no
   * sysctl the sandbox cannot change */
  g_assert_nonnull (strstr (err, "Not authorized"));
  g_assert_nonnull (strstr (err, "polkit can ask for your password"));
  g_assert_nonnull (strstr (err, "flatpak override --user --allow=devel"));
  g_assert_null (strstr (err, "sysctl"));

  /* no way to the bus (the sandbox lacks --system-talk-name): that permission */
  {
    g_autofree char *no_bus = g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=unix:path=%s/no-such-bus", tmpdir);
    const char *args2[] = { "env", info_env, no_bus, g_getenv ("SCORCH_CLI"), "record", "--via=sysprofd",
                            "-o", capture, "--", wl, "0.2", NULL };
    g_autofree char *err2 = NULL;
    g_autofree char *out2 = run (TRUE, args2, &err2, &status);

    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    g_assert_nonnull (strstr (err2, "flatpak override --user --system-talk-name=org.gnome.Sysprof3"));
    g_assert_nonnull (strstr (err2, "flatpak override --user --allow=devel"));
    g_assert_null (strstr (err2, "sysctl"));
  }
}

static void
test_paranoid_2_user (void)
{
  g_autofree char *wl = workload ("scorch-wl-shares");
  g_autofree char *capture = g_build_filename (tmpdir, "user.data", NULL);
  const char *args[] = { g_getenv ("SCORCH_CLI"), "record", "--via=direct", "--call-graph=fp",
                         "-o", capture, "--", wl, "1", NULL };
  g_autofree char *saved = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *tsv = NULL;
  g_autofree char *restored = NULL;
  gboolean set;
  int status;

  if (getuid () != 0)
    {
      g_test_skip ("needs root to set perf_event_paranoid and become uid 65534");
      return;
    }
  g_assert_true (g_file_get_contents (PARANOID, &saved, &saved_paranoid_len, NULL));
  g_assert_cmpuint (saved_paranoid_len, <, sizeof saved_paranoid);
  memcpy (saved_paranoid, saved, saved_paranoid_len);
  signal (SIGABRT, restore_paranoid_on_signal);
  signal (SIGTERM, restore_paranoid_on_signal);
  signal (SIGINT, restore_paranoid_on_signal);
  paranoid_changed = 1;
  set = g_file_set_contents_full (PARANOID, "2\n", -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL);
  if (set)
    out = run (TRUE, args, &err, &status);
  /* restored before anything is checked */
  restore_paranoid ();
  signal (SIGABRT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  g_assert_true (g_file_get_contents (PARANOID, &restored, NULL, NULL));
  g_assert_cmpstr (restored, ==, saved);
  if (!set)
    {
      g_test_skip ("cannot write " PARANOID);
      return;
    }

  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "Kernel stacks are not recorded"));
  tsv = report_tsv (capture);
  assert_share_above (tsv, "a", 60, 30);
  g_assert_null (strstr (tsv, "[kernel.kallsyms]"));
}

/* The host's processes as a Flatpak sees them (SCORCH_PROC_SOURCE=sysprofd
 * stands for /.flatpak-info): sysprofd lists a known child as /proc does,
 * and attaching to its PID (auto: through sysprofd, since the PID is not
 * this namespace's) records its samples, synthesizes its maps from
 * GetProcFile, and ends when it exits (seen in its EXIT record). */
static void
test_host_processes (void)
{
  g_autofree char *wl = workload ("scorch-wl-shares");
  g_autofree char *capture = g_build_filename (tmpdir, "host-attach.data", NULL);
  const char *argv1[] = { wl, "2.5", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GArray) pids = NULL;
  g_autoptr(GPtrArray) procs = NULL;
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *tsv = NULL;
  g_autofree char *pid_arg = NULL;
  g_autofree char *path = NULL;
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *comm = NULL;
  g_autofree char *joined = NULL;
  ScorchSysprofdProcess *child = NULL;
  gboolean listed = FALSE;
  GPid pid = 0;
  gint64 start;
  int status;

  if (!have_broker ())
    return;
  g_assert_true (g_spawn_async (NULL, (char **) argv1, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                bus_child_setup, NULL, &pid, &error));
  g_assert_no_error (error);
  proc_wait_for_exec (pid, wl);

  /* the list: the child, with /proc's name, command line and owner */
  g_assert_true (scorch_sysprofd_available (&bus, &error));
  pids = scorch_sysprofd_list_processes (bus, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < pids->len; i++)
    listed |= g_array_index (pids, gint32, i) == pid;
  g_assert_true (listed);
  procs = scorch_sysprofd_get_processes (bus, FALSE, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < procs->len; i++)
    if (((ScorchSysprofdProcess *) g_ptr_array_index (procs, i))->pid == pid)
      child = g_ptr_array_index (procs, i);
  g_assert_nonnull (child);
  path = g_strdup_printf ("/proc/%d/comm", (int) pid);
  g_assert_true (g_file_get_contents (path, &comm, NULL, NULL));
  g_strchomp (comm);
  g_assert_cmpstr (child->comm, ==, comm);
  joined = g_strjoinv (" ", (char **) argv1);
  g_assert_cmpstr (child->cmdline, ==, joined);
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_assert_true (g_file_get_contents (path, &local, NULL, NULL));
  remote = scorch_sysprofd_read_proc_text (bus, path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (scorch_sysprofd_parse_status_uid (remote), ==, scorch_sysprofd_parse_status_uid (local));
  g_assert_cmpint (scorch_sysprofd_parse_status_uid (remote), ==, (gint64) getuid ());

  /* attach by that PID: no --via, no --duration (its exit ends it) */
  pid_arg = g_strdup_printf ("%d", (int) pid);
  start = g_get_monotonic_time ();
  {
    const char *args[] = { "env", "SCORCH_PROC_SOURCE=sysprofd", g_getenv ("SCORCH_CLI"), "record", "--call-graph=fp",
                           "-p", pid_arg, "-o", capture, NULL };
    out = run (FALSE, args, &err, &status);
  }
  waitpid (pid, NULL, 0);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "through sysprofd"));
  /* it stopped when the child exited (2.5 s after its start), not later */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);

  tsv = report_tsv (capture);
  assert_share_above (tsv, "a", 60, 40);
  g_assert_null (strstr (tsv, "scorch-cli"));

  /* the capture says how it was made */
  reader = scorch_capture_reader_new (capture, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (scorch_capture_notes_get_string (scorch_capture_reader_get_notes (reader),
                                                    SCORCH_CAPTURE_NOTE_RECORDED_VIA), ==, "sysprofd");

  /* a program launched "in the sandbox" through sysprofd: its host PID is
   * looked up (NSpid; here the same PID) and its samples are kept */
  {
    g_autofree char *launched = g_build_filename (tmpdir, "host-launch.data", NULL);
    const char *args[] = { "env", "SCORCH_PROC_SOURCE=sysprofd", "G_MESSAGES_DEBUG=scorch-recorder",
                           g_getenv ("SCORCH_CLI"), "record", "--via=sysprofd", "-o", launched,
                           "--", wl, "0", "150", NULL };
    g_autofree char *err2 = NULL;
    g_autofree char *out2 = run (FALSE, args, &err2, &status);
    g_autofree char *tsv2 = NULL;

    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_null (strstr (err2, "does not list the launched program"));
    g_assert_null (strstr (out2, "does not list the launched program"));
    tsv2 = report_tsv (launched);
    assert_share_above (tsv2, "a", 60, 20);
  }
}

/* --call-graph auto for a host PID (SCORCH_PROC_SOURCE=sysprofd): the
 * program is the main executable of the maps sysprofd reads (GetProcFile
 * cannot read the /proc/PID/exe link, and this /proc is not the host's),
 * checked as the program itself is; inside a Flatpak it is looked for
 * under /run/host, and when it is not there the check is skipped with a
 * message that says so (frame pointers: what sysprofd records). */
static void
test_host_call_graph_choice (void)
{
  g_autofree char *wl = workload ("analysis-c-fp");
  g_autofree char *real = NULL;
  g_autofree char *capture = g_build_filename (tmpdir, "host-auto.data", NULL);
  g_autofree char *flatpak_info = g_build_filename (tmpdir, "flatpak-info", NULL);
  g_autofree char *reason = NULL;
  g_autofree char *local_reason = NULL;
  g_autofree char *sandbox_reason = NULL;
  g_autofree char *proc_exe = NULL;
  g_autofree char *pid_arg = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  const char *argv1[] = { wl, "3", NULL };
  g_autoptr(GError) error = NULL;
  ScorchCallGraph local_mode, mode;
  GPid pid = 0;
  int status;

  if (!have_broker ())
    return;
  real = realpath (wl, NULL);
  g_assert_nonnull (real);
  g_assert_true (g_spawn_async (NULL, (char **) argv1, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                bus_child_setup, NULL, &pid, &error));
  g_assert_no_error (error);
  proc_wait_for_exec (pid, wl);
  proc_exe = g_strdup_printf ("/proc/%d/exe", (int) pid);
  local_mode = scorch_elf_check_choose_call_graph (real, &local_reason);

  /* the host's program through sysprofd: the same decision and wording */
  g_setenv ("SCORCH_PROC_SOURCE", "sysprofd", TRUE);
  mode = scorch_elf_check_choose_call_graph_for_pid (pid, &reason);
  g_test_message ("host: %s", reason);
  g_assert_cmpint (mode, ==, local_mode);
  g_assert_cmpstr (reason, ==, local_reason);
  g_assert_null (strstr (reason, "/proc/"));

  /* "inside a Flatpak": /run/host/<its path> is not there on this machine */
  if (!g_file_test ("/run/host", G_FILE_TEST_EXISTS))
    {
      g_assert_true (g_file_set_contents (flatpak_info, "[Application]\n", -1, NULL));
      g_setenv ("SCORCH_FLATPAK_INFO", flatpak_info, TRUE);
      mode = scorch_elf_check_choose_call_graph_for_pid (pid, &sandbox_reason);
      g_test_message ("sandbox: %s", sandbox_reason);
      g_assert_cmpint (mode, ==, SCORCH_CALL_GRAPH_FP);
      g_assert_nonnull (strstr (sandbox_reason, "cannot be read from here"));
      g_assert_nonnull (strstr (sandbox_reason, real));
      g_assert_null (strstr (sandbox_reason, "/proc/"));
      g_unsetenv ("SCORCH_FLATPAK_INFO");
    }
  g_unsetenv ("SCORCH_PROC_SOURCE");

  /* scorch-cli record -p PID with the default (auto) call graph, in a PID
   * namespace of its own as in a Flatpak (this /proc does not have the
   * PID), says the host program's reason, never that /proc/PID/exe cannot
   * be examined */
  pid_arg = g_strdup_printf ("%d", (int) pid);
  {
    const char *args[] = { "unshare", "--pid", "--fork", "--mount-proc",
                           "env", "SCORCH_PROC_SOURCE=sysprofd", g_getenv ("SCORCH_CLI"), "record",
                           "-p", pid_arg, "--duration", "0.5", "-o", capture, NULL };
    g_autofree char *unshare = g_find_program_in_path ("unshare");

    out = run (FALSE, unshare != NULL ? args : args + 4, &err, &status);
  }
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_test_message ("%s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (err, "cannot be examined"));
  g_assert_null (strstr (err, proc_exe));
  g_assert_nonnull (strstr (err, local_reason));
}

static void
test_system_wide (gconstpointer data)
{
  const char *via = data;
  g_autofree char *wl1 = workload ("scorch-wl-shares");
  g_autofree char *wl2 = workload ("analysis-c-fp");
  g_autofree char *capture = g_strdup_printf ("%s/all-%s.data", tmpdir, via);
  /* host: the whole system as a Flatpak records it (auto: sysprofd, PIDs from ListProcesses) */
  gboolean host = strcmp (via, "host") == 0;
  g_autofree char *via_arg = host ? g_strdup ("SCORCH_PROC_SOURCE=sysprofd") : g_strdup_printf ("--via=%s", via);
  const char *args[] = { g_getenv ("SCORCH_CLI"), "record", "-a", via_arg, "--duration", "1.5",
                         "-o", capture, NULL };
  const char *host_args[] = { "env", via_arg, g_getenv ("SCORCH_CLI"), "record", "-a", "--duration", "1.5",
                              "-o", capture, NULL };
  const char *argv1[] = { wl1, "3", NULL };
  const char *argv2[] = { wl2, "3", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *tsv = NULL;
  GPid pid1 = 0, pid2 = 0;
  int status;

  if (strcmp (via, "direct") != 0 ? !have_broker () : getuid () != 0)
    {
      if (getuid () != 0)
        g_test_skip ("needs root (or perf_event_paranoid <= 0) for the whole system");
      return;
    }
  g_assert_true (g_spawn_async (NULL, (char **) argv1, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                bus_child_setup, NULL, &pid1, &error));
  g_assert_true (g_spawn_async (NULL, (char **) argv2, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                bus_child_setup, NULL, &pid2, &error));
  /* both running: symbols come from their synthesized maps */
  proc_wait_for_exec (pid1, wl1);
  proc_wait_for_exec (pid2, wl2);
  out = run (FALSE, host ? host_args : args, &err, &status);
  kill (pid1, SIGTERM);
  kill (pid2, SIGTERM);
  waitpid (pid1, NULL, 0);
  waitpid (pid2, NULL, 0);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  if (host)
    g_assert_nonnull (strstr (err, "through sysprofd"));

  tsv = report_tsv (capture);
  /* each process with its own functions, from its own module (counts,
   * not shares: the rest of a busy machine is in the capture too) */
  g_test_message ("a %" G_GUINT64_FORMAT ", b %" G_GUINT64_FORMAT ", hot_a %" G_GUINT64_FORMAT
                  ", hot_b %" G_GUINT64_FORMAT " samples",
                  samples_of (tsv, "a", "scorch-wl-shares"), samples_of (tsv, "b", "scorch-wl-shares"),
                  samples_of (tsv, "hot_a", "analysis-c-fp"), samples_of (tsv, "hot_b", "analysis-c-fp"));
  g_assert_cmpuint (samples_of (tsv, "a", "scorch-wl-shares"), >=, 10);
  g_assert_cmpuint (samples_of (tsv, "b", "scorch-wl-shares"), >=, 3);
  g_assert_cmpuint (samples_of (tsv, "hot_a", "analysis-c-fp"), >=, 10);
  g_assert_cmpuint (samples_of (tsv, "hot_b", "analysis-c-fp"), >=, 3);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-reach-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  /* uid 65534 writes its captures here */
  g_chmod (tmpdir, 01777);
  g_setenv ("XDG_CACHE_HOME", tmpdir, TRUE);

  g_test_add_func ("/reach/sysprofd/shares-match-direct", test_broker_shares);
  g_test_add_func ("/reach/sysprofd/attach", test_broker_attach);
  g_test_add_func ("/reach/sysprofd/denied-message", test_broker_denied);
  g_test_add_func ("/reach/sysprofd/denied-message-flatpak", test_broker_denied_flatpak);
  g_test_add_func ("/reach/paranoid-2/user-stacks", test_paranoid_2_user);
  g_test_add_data_func ("/reach/system-wide/direct", "direct", test_system_wide);
  g_test_add_data_func ("/reach/system-wide/sysprofd", "sysprofd", test_system_wide);
  g_test_add_func ("/reach/host/list-and-attach", test_host_processes);
  g_test_add_func ("/reach/host/call-graph-choice", test_host_call_graph_choice);
  g_test_add_data_func ("/reach/system-wide/host", "host", test_system_wide);

  ret = g_test_run ();
  stop_bus ();
  if (ret == 0)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (tmpdir);
      g_autoptr(GFileEnumerator) e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, NULL);
      GFileInfo *info;

      while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
        {
          g_autofree char *path = g_build_filename (tmpdir, g_file_info_get_name (info), NULL);
          g_unlink (path);
          g_object_unref (info);
        }
      g_rmdir (tmpdir);
    }
  g_free (tmpdir);
  return ret;
}
