/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-recorder.c: samples a launched or attached process with perf_event
 * into a perf.data file, on a worker thread */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scorch-kallsyms.h"
#include "scorch-leaf-repair.h"
#include "scorch-perf-file.h"
#include "scorch-perf-writer.h"
#include "scorch-recorder.h"
#include "scorch-util.h"

#define DRAIN_INTERVAL_MS     50
/* fp+repair samples are ~800 bytes in the ring: at 4999 Hz a 512 KiB ring
 * (the default perf_event_mlock_kb) fills in about 0.1 s per busy CPU */
#define REPAIR_DRAIN_INTERVAL_MS 10
#define PROGRESS_INTERVAL_US  (G_USEC_PER_SEC / 10)
#define KILL_GRACE_MS         500

#define CAP_SYS_PTRACE_BIT 19
#define CAP_SYS_ADMIN_BIT  21
#define CAP_IPC_LOCK_BIT   14
#define CAP_PERFMON_BIT    38

extern char **environ;

struct _ScorchRecorder
{
  GObject                 parent_instance;

  /* configuration */
  GStrv                   argv;
  char                   *cwd;
  GStrv                   envp;
  GPid                    pid;
  char                   *event;
  guint                   frequency;
  guint64                 period;
  ScorchCallGraph         call_graph;
  guint                   stack_size;
  gboolean                kernel;
  double                  duration;
  char                   *output_path;
  GOutputStream          *output_stream;
  GStrv                   cmdline;
  ScorchRecorderSinkFunc  sink;
  gpointer                sink_data;
  GDestroyNotify          sink_destroy;

  /* shared with the worker */
  GMutex                  lock;
  int                     wake_fd;
  gint                    stop_request;   /* ScorchStopReason, atomic */
  gboolean                running;
  GMainContext           *context;
  gboolean                progress_pending;
  ScorchRecorderProgress  progress;

  /* results */
  ScorchStopReason        stop_reason;
  GPtrArray              *messages;
  GPid                    child_pid;
  int                     exit_status;
};

G_DEFINE_FINAL_TYPE (ScorchRecorder, scorch_recorder, G_TYPE_OBJECT)
G_DEFINE_QUARK (scorch-recorder-error-quark, scorch_recorder_error)

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- small helpers ----------------------------------------------------- */

static int
sys_perf_event_open (struct perf_event_attr *attr,
                     pid_t                   pid,
                     int                     cpu,
                     int                     group_fd,
                     unsigned long           flags)
{
  return syscall (SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

static int
sys_pidfd_open (pid_t pid)
{
#ifdef SYS_pidfd_open
  return syscall (SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

static int
read_int_file (const char *path,
               int         fallback)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return fallback;
  return atoi (contents);
}

static guint64
read_cap_eff (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nCapEff:");
  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("\nCapEff:"), NULL, 16);
}

static GArray *
online_cpus (void)
{
  g_autofree char *contents = NULL;
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (int));

  if (g_file_get_contents ("/sys/devices/system/cpu/online", &contents, NULL, NULL))
    {
      g_auto(GStrv) ranges = g_strsplit (g_strstrip (contents), ",", -1);

      for (guint i = 0; ranges[i] != NULL; i++)
        {
          char *end = NULL;
          int first = strtol (ranges[i], &end, 10);
          int last = first;

          if (end == ranges[i])
            continue;
          if (*end == '-')
            last = strtol (end + 1, NULL, 10);
          for (int c = first; c <= last && c - first < 4096; c++)
            g_array_append_val (cpus, c);
        }
    }
  if (cpus->len == 0)
    for (int c = 0; c < get_nprocs (); c++)
      g_array_append_val (cpus, c);
  return cpus;
}

/* ---- permissions ------------------------------------------------------- */

ScorchRecorderPermissions *
scorch_recorder_check_permissions (void)
{
  ScorchRecorderPermissions *perms = g_new0 (ScorchRecorderPermissions, 1);
  guint64 caps = read_cap_eff ();
  gboolean privileged;

  perms->paranoid = read_int_file ("/proc/sys/kernel/perf_event_paranoid", G_MININT);
  perms->cap_perfmon = (caps >> CAP_PERFMON_BIT) & 1;
  perms->cap_sys_admin = (caps >> CAP_SYS_ADMIN_BIT) & 1;
  perms->cap_sys_ptrace = (caps >> CAP_SYS_PTRACE_BIT) & 1;
  privileged = perms->cap_perfmon || perms->cap_sys_admin;

  if (perms->paranoid == G_MININT)
    {
      perms->can_record = FALSE;
      perms->message = g_strdup (_("perf events are not available: /proc/sys/kernel/perf_event_paranoid "
                                   "cannot be read (is this a container or sandbox without perf support?)"));
      return perms;
    }

  perms->can_record = privileged || perms->paranoid <= 2;
  perms->can_kernel = privileged || perms->paranoid <= 1;
  perms->can_other_users = perms->cap_sys_ptrace;

  if (!perms->can_record)
    {
      perms->message = g_strdup_printf (_("Profiling is not allowed: kernel.perf_event_paranoid is %d. "
                                          "Allow it for your processes (user space only) with the command below, "
                                          "or give the recorder CAP_PERFMON."),
                                        perms->paranoid);
      perms->command = g_strdup ("sudo sysctl kernel.perf_event_paranoid=2");
    }
  else if (!perms->can_kernel)
    {
      perms->message = g_strdup_printf (_("Kernel stacks are not recorded: kernel.perf_event_paranoid is %d. "
                                          "Allow them with the command below, or give the recorder CAP_PERFMON."),
                                        perms->paranoid);
      perms->command = g_strdup ("sudo sysctl kernel.perf_event_paranoid=1");
    }
  return perms;
}

void
scorch_recorder_permissions_free (ScorchRecorderPermissions *perms)
{
  if (perms == NULL)
    return;
  g_free (perms->message);
  g_free (perms->command);
  g_free (perms);
}

/* ---- GObject ----------------------------------------------------------- */

static void
scorch_recorder_finalize (GObject *object)
{
  ScorchRecorder *self = SCORCH_RECORDER (object);

  g_strfreev (self->argv);
  g_free (self->cwd);
  g_strfreev (self->envp);
  g_free (self->event);
  g_free (self->output_path);
  g_clear_object (&self->output_stream);
  g_strfreev (self->cmdline);
  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_ptr_array_unref (self->messages);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (scorch_recorder_parent_class)->finalize (object);
}

static void
scorch_recorder_class_init (ScorchRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scorch_recorder_finalize;

  /**
   * ScorchRecorder::progress:
   * @progress: a const ScorchRecorderProgress *
   *
   * Emitted in the main context that started the recording, at most about
   * ten times a second, and once at the end.
   */
  signals[PROGRESS] = g_signal_new ("progress",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
scorch_recorder_init (ScorchRecorder *self)
{
  g_mutex_init (&self->lock);
  self->event = g_strdup ("cpu-clock");
  self->frequency = SCORCH_RECORDER_DEFAULT_FREQUENCY;
  self->call_graph = SCORCH_CALL_GRAPH_FP;
  self->stack_size = 0;
  self->kernel = TRUE;
  self->output_path = g_strdup ("scorch.data");
  self->messages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->messages, NULL);
  self->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  self->exit_status = -1;
}

ScorchRecorder *
scorch_recorder_new (void)
{
  return g_object_new (SCORCH_TYPE_RECORDER, NULL);
}

void
scorch_recorder_set_command (ScorchRecorder     *self,
                             const char * const *argv,
                             const char         *cwd,
                             const char * const *envp)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_strfreev (self->argv);
  self->argv = g_strdupv ((char **) argv);
  g_free (self->cwd);
  self->cwd = g_strdup (cwd);
  g_strfreev (self->envp);
  self->envp = g_strdupv ((char **) envp);
  self->pid = 0;
}

void
scorch_recorder_set_pid (ScorchRecorder *self,
                         GPid            pid)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->pid = pid;
  g_clear_pointer (&self->argv, g_strfreev);
}

void
scorch_recorder_set_event (ScorchRecorder *self,
                           const char     *event)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_free (self->event);
  self->event = g_strdup (event ? event : "cpu-clock");
}

void
scorch_recorder_set_frequency (ScorchRecorder *self,
                               guint           hz)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->frequency = hz;
  self->period = 0;
}

void
scorch_recorder_set_period (ScorchRecorder *self,
                            guint64         period)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->period = period;
}

void
scorch_recorder_set_call_graph (ScorchRecorder  *self,
                                ScorchCallGraph  mode,
                                guint            stack_size)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->call_graph = mode;
  self->stack_size = stack_size;
}

void
scorch_recorder_set_kernel (ScorchRecorder *self,
                            gboolean        kernel)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  self->kernel = !!kernel;
}

void
scorch_recorder_set_duration (ScorchRecorder *self,
                              double          seconds)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  self->duration = MAX (seconds, 0);
}

void
scorch_recorder_set_output_path (ScorchRecorder *self,
                                 const char     *path)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_free (self->output_path);
  self->output_path = g_strdup (path);
  g_clear_object (&self->output_stream);
}

void
scorch_recorder_set_output_stream (ScorchRecorder *self,
                                   GOutputStream  *stream)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (stream == NULL || G_IS_SEEKABLE (stream));
  g_return_if_fail (!self->running);

  g_set_object (&self->output_stream, stream);
}

void
scorch_recorder_set_cmdline (ScorchRecorder     *self,
                             const char * const *argv)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_strfreev (self->cmdline);
  self->cmdline = g_strdupv ((char **) argv);
}

void
scorch_recorder_set_sink (ScorchRecorder         *self,
                          ScorchRecorderSinkFunc  func,
                          gpointer                user_data,
                          GDestroyNotify          destroy)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  self->sink = func;
  self->sink_data = user_data;
  self->sink_destroy = destroy;
}

void
scorch_recorder_get_progress (ScorchRecorder         *self,
                              ScorchRecorderProgress *progress)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));

  scorch_mutex_lock (&self->lock);
  *progress = self->progress;
  scorch_mutex_unlock (&self->lock);
}

ScorchStopReason
scorch_recorder_get_stop_reason (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), SCORCH_STOP_REASON_NONE);
  return self->stop_reason;
}

const char * const *
scorch_recorder_get_messages (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), NULL);
  return (const char * const *) self->messages->pdata;
}

GPid
scorch_recorder_get_child_pid (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), 0);
  return self->child_pid;
}

int
scorch_recorder_get_exit_status (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), -1);
  return self->exit_status;
}

static void
request_stop (ScorchRecorder   *self,
              ScorchStopReason  reason)
{
  guint64 one = 1;

  g_atomic_int_compare_and_exchange (&self->stop_request, SCORCH_STOP_REASON_NONE, reason);
  if (self->wake_fd >= 0 && write (self->wake_fd, &one, sizeof one) < 0)
    {
      /* the counter is already non-zero: the worker wakes anyway */
    }
}

void
scorch_recorder_stop (ScorchRecorder *self)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  request_stop (self, SCORCH_STOP_REASON_STOPPED);
}

static void
add_message (ScorchRecorder *self,
             char           *message)
{
  scorch_mutex_lock (&self->lock);
  g_ptr_array_insert (self->messages, self->messages->len - 1, message);
  scorch_mutex_unlock (&self->lock);
}

/* ---- the recording session (worker thread) ----------------------------- */

typedef struct
{
  int                          fd;
  guint8                      *base;
  gsize                        map_size;
  struct perf_event_mmap_page *page;
  guint8                      *data;
  guint64                      size;
  gboolean                     hup;
} Ring;

typedef struct
{
  ScorchRecorder         *self;
  GCancellable           *cancellable;

  struct perf_event_attr  attr;
  const char             *event_name;
  GArray                 *cpus;       /* of int */
  GArray                 *fds;        /* of int: every event */
  GArray                 *ids;        /* of guint64 */
  GArray                 *rings;      /* of Ring, one per CPU */
  GHashTable             *tids;       /* attach: tids with events */
  gsize                   ring_pages;

  ScorchPerfWriter       *writer;
  GByteArray             *scratch;
  ScorchLeafRepairer     *repairer;   /* fp+repair */
  GByteArray             *repaired;   /* the batch as written */

  /* target */
  gboolean                launch;
  pid_t                   target;
  int                     pidfd;
  int                     gate_fd;
  int                     err_fd;
  char                   *program;
  gboolean                target_exited;
  gboolean                reaped;

  gint64                  start_time;
  gint64                  last_progress;
  guint64                 samples;
  guint64                 lost;
  guint64                 throttled;
} Session;

static void
session_free (Session *s)
{
  if (s->rings != NULL)
    {
      for (guint i = 0; i < s->rings->len; i++)
        {
          Ring *ring = &g_array_index (s->rings, Ring, i);
          if (ring->base != NULL)
            munmap (ring->base, ring->map_size);
        }
      g_array_unref (s->rings);
    }
  if (s->fds != NULL)
    {
      for (guint i = 0; i < s->fds->len; i++)
        close (g_array_index (s->fds, int, i));
      g_array_unref (s->fds);
    }
  g_clear_pointer (&s->ids, g_array_unref);
  g_clear_pointer (&s->cpus, g_array_unref);
  g_clear_pointer (&s->tids, g_hash_table_unref);
  g_clear_pointer (&s->writer, scorch_perf_writer_free);
  g_clear_pointer (&s->scratch, g_byte_array_unref);
  g_clear_pointer (&s->repairer, scorch_leaf_repairer_free);
  g_clear_pointer (&s->repaired, g_byte_array_unref);
  if (s->pidfd >= 0)
    close (s->pidfd);
  if (s->gate_fd >= 0)
    close (s->gate_fd);
  if (s->err_fd >= 0)
    close (s->err_fd);
  g_free (s->program);
  g_clear_object (&s->cancellable);
  g_free (s);
}

static gboolean
resolve_program (Session  *s,
                 GError  **error)
{
  ScorchRecorder *self = s->self;
  const char *argv0 = self->argv[0];
  g_autofree char *path = NULL;
  struct stat st;

  if (strchr (argv0, '/') != NULL)
    {
      if (!g_path_is_absolute (argv0) && self->cwd != NULL)
        path = g_build_filename (self->cwd, argv0, NULL);
      else
        path = g_strdup (argv0);
    }
  else
    {
      path = g_find_program_in_path (argv0);
      if (path == NULL)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROGRAM,
                       _("Program “%s” was not found in PATH"), argv0);
          return FALSE;
        }
    }

  if (stat (path, &st) != 0)
    {
      int errsv = errno;
      g_set_error (error, SCORCH_RECORDER_ERROR,
                   errsv == ENOENT || errsv == ENOTDIR ? SCORCH_RECORDER_ERROR_NO_SUCH_PROGRAM
                                                       : SCORCH_RECORDER_ERROR_NOT_EXECUTABLE,
                   _("Cannot run “%s”: %s"), argv0, g_strerror (errsv));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NOT_EXECUTABLE,
                   _("Cannot run “%s”: it is a directory"), argv0);
      return FALSE;
    }
  if (access (path, X_OK) != 0)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NOT_EXECUTABLE,
                   _("Cannot run “%s”: it is not executable (%s)"), argv0, g_strerror (errno));
      return FALSE;
    }
  if (self->cwd != NULL && !g_file_test (self->cwd, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                   _("Working directory “%s” does not exist"), self->cwd);
      return FALSE;
    }

  s->program = g_steal_pointer (&path);
  return TRUE;
}

/* Forks the child, which waits on the gate until the events exist. */
static gboolean
spawn_gated (Session  *s,
             GError  **error)
{
  ScorchRecorder *self = s->self;
  char * const *argv = self->argv;
  char * const *envp = self->envp ? self->envp : environ;
  const char *cwd = self->cwd;
  const char *program = s->program;
  int gate[2], err[2];
  pid_t pid, parent = getpid ();

  if (pipe2 (gate, O_CLOEXEC) != 0)
    goto fail;
  if (pipe2 (err, O_CLOEXEC) != 0)
    {
      close (gate[0]);
      close (gate[1]);
      goto fail;
    }

  pid = fork ();
  if (pid < 0)
    {
      close (gate[0]);
      close (gate[1]);
      close (err[0]);
      close (err[1]);
      goto fail;
    }

  if (pid == 0)
    {
      /* Child: only async-signal-safe calls from here on. */
      sigset_t empty;
      char c;
      ssize_t r;
      int errsv;

      sigemptyset (&empty);
      sigprocmask (SIG_SETMASK, &empty, NULL);
      signal (SIGPIPE, SIG_DFL);
      close (gate[1]);
      close (err[0]);
      /* Die with the recorder (even a SIGKILLed one) instead of running on,
       * reparented to init. The parent may have died before prctl: then
       * the signal never comes, and getppid() is no longer it. The death
       * signal follows the forking thread, which reaps the child before it
       * ends. */
      if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != parent)
        _exit (127);
      do
        r = read (gate[0], &c, 1);
      while (r < 0 && errno == EINTR);
      if (r != 1)
        _exit (127);
      if (cwd != NULL && chdir (cwd) != 0)
        {
          errsv = errno;
          if (write (err[1], &errsv, sizeof errsv) < 0)
            _exit (127);
          _exit (127);
        }
      execve (program, argv, envp);
      errsv = errno;
      if (write (err[1], &errsv, sizeof errsv) < 0)
        _exit (127);
      _exit (127);
    }

  close (gate[0]);
  close (err[1]);
  s->gate_fd = gate[1];
  s->err_fd = err[0];
  s->target = pid;
  self->child_pid = pid;
  s->pidfd = sys_pidfd_open (pid);
  return TRUE;

fail:
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               _("Cannot start “%s”: %s"), self->argv[0], g_strerror (errno));
  return FALSE;
}

static void
reap_child (Session *s,
            gboolean kill_it)
{
  ScorchRecorder *self = s->self;
  int status = 0;
  pid_t r;

  if (!s->launch || s->reaped || s->target <= 0)
    return;

  if (kill_it && (r = waitpid (s->target, &status, WNOHANG)) == 0)
    {
      kill (s->target, SIGTERM);
      if (s->pidfd >= 0)
        {
          struct pollfd pfd = { s->pidfd, POLLIN, 0 };
          if (poll (&pfd, 1, KILL_GRACE_MS) == 0)
            kill (s->target, SIGKILL);
        }
      else
        {
          for (int i = 0; i < KILL_GRACE_MS / 10 && waitpid (s->target, &status, WNOHANG) == 0; i++)
            g_usleep (10000);
          kill (s->target, SIGKILL);
        }
    }
  else if (kill_it)
    {
      s->reaped = TRUE;
      self->exit_status = r == s->target ? status : -1;
      return;
    }

  do
    r = waitpid (s->target, &status, 0);
  while (r < 0 && errno == EINTR);
  s->reaped = TRUE;
  self->exit_status = r == s->target ? status : -1;
}

static gboolean
check_process (Session  *s,
               GError  **error)
{
  ScorchRecorder *self = s->self;
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) self->pid);
  g_autofree char *status = NULL;
  const char *uid_line;

  if (self->pid <= 0 || (kill (self->pid, 0) != 0 && errno == ESRCH) ||
      !g_file_get_contents (path, &status, NULL, NULL))
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                   _("No process with PID %d"), (int) self->pid);
      return FALSE;
    }

  uid_line = strstr (status, "\nUid:");
  if (uid_line != NULL)
    {
      guint64 ruid = g_ascii_strtoull (uid_line + 5, NULL, 10);
      g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();

      if (ruid != geteuid () && !perms->can_other_users)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                       _("Process %d belongs to another user: recording it needs CAP_SYS_PTRACE "
                         "(run the recorder as that user, or with sudo)"),
                       (int) self->pid);
          return FALSE;
        }
    }

  s->target = self->pid;
  s->pidfd = sys_pidfd_open (self->pid);
  return TRUE;
}

static GArray *
list_tids (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task", (int) pid);
  GArray *tids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  DIR *dir = opendir (path);
  struct dirent *de;

  if (dir == NULL)
    return tids;
  while ((de = readdir (dir)) != NULL)
    {
      pid_t tid = atoi (de->d_name);
      if (tid > 0)
        g_array_append_val (tids, tid);
    }
  closedir (dir);
  return tids;
}

static gboolean
setup_attr (Session  *s,
            GError  **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
  struct perf_event_attr *attr = &s->attr;
  gboolean privileged;

  if (!perms->can_record)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                   "%s%s%s", perms->message,
                   perms->command ? "\n  " : "", perms->command ? perms->command : "");
      return FALSE;
    }

  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;

  if (g_strcmp0 (self->event, "cpu-clock") == 0)
    {
      attr->type = PERF_TYPE_SOFTWARE;
      attr->config = PERF_COUNT_SW_CPU_CLOCK;
      s->event_name = "cpu-clock";
    }
  else if (g_strcmp0 (self->event, "task-clock") == 0)
    {
      attr->type = PERF_TYPE_SOFTWARE;
      attr->config = PERF_COUNT_SW_TASK_CLOCK;
      s->event_name = "task-clock";
    }
  else if (g_strcmp0 (self->event, "cycles") == 0 || g_strcmp0 (self->event, "cpu-cycles") == 0)
    {
      attr->type = PERF_TYPE_HARDWARE;
      attr->config = PERF_COUNT_HW_CPU_CYCLES;
      s->event_name = "cycles";
    }
  else
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                   _("Unknown event “%s” (known: cpu-clock, task-clock, cycles)"), self->event);
      return FALSE;
    }

  if (self->period > 0)
    attr->sample_period = self->period;
  else
    {
      int max_rate = read_int_file ("/proc/sys/kernel/perf_event_max_sample_rate", 100000);
      guint hz = self->frequency ? self->frequency : SCORCH_RECORDER_DEFAULT_FREQUENCY;

      if (max_rate > 0 && hz > (guint) max_rate)
        {
          add_message (self, g_strdup_printf (_("Frequency %u Hz is above kernel.perf_event_max_sample_rate; "
                                                "recording at %d Hz"), hz, max_rate));
          hz = max_rate;
        }
      attr->freq = 1;
      attr->sample_freq = hz;
    }

  attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                      PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN;
  if (self->call_graph == SCORCH_CALL_GRAPH_DWARF || self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR)
    {
      gboolean repair = self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR;
      guint stack = self->stack_size;

      if (stack == 0)
        stack = repair ? SCORCH_RECORDER_DEFAULT_REPAIR_STACK_SIZE : SCORCH_RECORDER_DEFAULT_STACK_SIZE;
      if (stack % 8 != 0 || stack < 8 || stack > 65528)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                       _("Stack copy size %u is invalid: use a multiple of 8 up to 65528"), stack);
          return FALSE;
        }
#if !defined(__x86_64__)
      if (repair)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                       _("Frame-pointer leaf repair is only available on x86_64: use fp or dwarf"));
          return FALSE;
        }
#endif
      attr->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
      attr->sample_stack_user = stack;
      if (repair)
        {
          /* BP, SP, IP next to the kernel's callchain */
          attr->sample_regs_user = SCORCH_LEAF_REPAIR_REGS_MASK;
        }
      else
        {
          attr->sample_regs_user = SCORCH_PERF_REGS_USER_X86_64;
          attr->exclude_callchain_user = 1;
          attr->mmap_data = 1;
        }
    }

  attr->disabled = 1;
  attr->inherit = 1;
  attr->enable_on_exec = s->launch ? 1 : 0;
  attr->mmap = 1;
  attr->mmap2 = 1;
  attr->comm = 1;
  attr->comm_exec = 1;
  attr->task = 1;
  attr->sample_id_all = 1;
  attr->exclude_hv = 1;
  attr->build_id = 1;
  attr->watermark = 1;

  if (!self->kernel)
    attr->exclude_kernel = 1;
  else if (!perms->can_kernel)
    {
      attr->exclude_kernel = 1;
      add_message (self, g_strdup_printf ("%s\n  %s", perms->message, perms->command));
    }

  /* Ring buffer: perf_event_mlock_kb per CPU unless privileged. */
  privileged = perms->cap_sys_admin || perms->cap_perfmon ||
               ((read_cap_eff () >> CAP_IPC_LOCK_BIT) & 1) || perms->paranoid < 0;
  if (privileged)
    s->ring_pages = self->call_graph != SCORCH_CALL_GRAPH_FP ? 1024 : 256;
  else
    {
      int kb = read_int_file ("/proc/sys/kernel/perf_event_mlock_kb", 516);
      gsize pages = MAX (kb / 4 - 1, 1);

      s->ring_pages = 1;
      while (s->ring_pages * 2 <= pages && s->ring_pages < 1024)
        s->ring_pages *= 2;
    }
  /* fp+repair fills the rings several times faster: wake earlier */
  attr->wakeup_watermark = s->ring_pages * sysconf (_SC_PAGESIZE) /
                           (self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR ? 8 : 4);
  return TRUE;
}

static int
open_one (Session  *s,
          pid_t     tid,
          int       cpu,
          gboolean  first,
          GError  **error)
{
  ScorchRecorder *self = s->self;
  int fd;

  for (;;)
    {
      fd = sys_perf_event_open (&s->attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd >= 0)
        return fd;
      if (errno == EMFILE)
        {
          /* One event per thread and CPU: many threads need many fds (perf does the same). */
          struct rlimit rl;

          if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
            {
              rl.rlim_cur = rl.rlim_max;
              if (setrlimit (RLIMIT_NOFILE, &rl) == 0)
                continue;
            }
          errno = EMFILE;
        }
      if (!first)
        break;

      if (errno == EINVAL && s->attr.build_id)
        {
          s->attr.build_id = 0;   /* kernel < 5.12 */
          continue;
        }
      if (s->attr.type == PERF_TYPE_HARDWARE &&
          (errno == ENOENT || errno == EOPNOTSUPP || errno == ENODEV || errno == EINVAL))
        {
          add_message (self, g_strdup (_("The “cycles” hardware event is not available here; "
                                         "recorded “cpu-clock” instead")));
          s->attr.type = PERF_TYPE_SOFTWARE;
          s->attr.config = PERF_COUNT_SW_CPU_CLOCK;
          s->event_name = "cpu-clock";
          continue;
        }
      if ((errno == EACCES || errno == EPERM) && !s->attr.exclude_kernel)
        {
          int paranoid = read_int_file ("/proc/sys/kernel/perf_event_paranoid", 2);

          add_message (self, g_strdup_printf (_("Kernel stacks are not recorded: the kernel refused them "
                                                "(kernel.perf_event_paranoid is %d).\n  %s"),
                                              paranoid, "sudo sysctl kernel.perf_event_paranoid=1"));
          s->attr.exclude_kernel = 1;
          continue;
        }
      break;
    }

  if (errno == ESRCH)
    {
      if (first)
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                     _("Process %d has gone"), (int) tid);
      else
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                     _("Thread %d has gone"), (int) tid);
    }
  else if (errno == EACCES || errno == EPERM)
    {
      g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                   _("Not allowed to record process %d: %s (kernel.perf_event_paranoid is %d; "
                     "allow with “sudo sysctl kernel.perf_event_paranoid=1” or CAP_PERFMON, "
                     "and CAP_SYS_PTRACE for other users' processes)"),
                   (int) tid, g_strerror (errno), perms->paranoid);
    }
  else
    g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
                 _("Cannot open the “%s” event on CPU %d: %s"), s->event_name, cpu, g_strerror (errno));
  return -1;
}

static gboolean
map_ring (Session  *s,
          int       fd,
          Ring     *ring,
          GError  **error)
{
  long page_size = sysconf (_SC_PAGESIZE);

  for (gsize pages = s->ring_pages; pages >= 1; pages /= 2)
    {
      gsize size = (pages + 1) * page_size;
      void *base = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

      if (base != MAP_FAILED)
        {
          ring->fd = fd;
          ring->base = base;
          ring->map_size = size;
          ring->page = base;
          ring->data = (guint8 *) base + page_size;
          ring->size = pages * page_size;
          s->ring_pages = pages;
          return TRUE;
        }
      if (errno != EPERM && errno != ENOMEM)
        break;
    }
  g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
               _("Cannot map the sample buffer: %s (raise kernel.perf_event_mlock_kb)"),
               g_strerror (errno));
  return FALSE;
}

static void
track_fd (Session *s,
          int      fd)
{
  guint64 id = 0;

  g_array_append_val (s->fds, fd);
  if (ioctl (fd, PERF_EVENT_IOC_ID, &id) == 0)
    g_array_append_val (s->ids, id);
}

/* Opens one event per CPU for tid; the first thread's events own the rings. */
static gboolean
open_thread (Session  *s,
             pid_t     tid,
             gboolean  first,
             GError  **error)
{
  for (guint i = 0; i < s->cpus->len; i++)
    {
      int cpu = g_array_index (s->cpus, int, i);
      int fd = open_one (s, tid, cpu, first && i == 0, error);

      if (fd < 0)
        return FALSE;
      track_fd (s, fd);

      if (first)
        {
          Ring ring = { 0 };

          if (!map_ring (s, fd, &ring, error))
            return FALSE;
          g_array_append_val (s->rings, ring);
        }
      else if (ioctl (fd, PERF_EVENT_IOC_SET_OUTPUT, g_array_index (s->rings, Ring, i).fd) != 0)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
                       _("Cannot share the sample buffer of CPU %d: %s"), cpu, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
open_events (Session  *s,
             GError  **error)
{
  s->cpus = online_cpus ();
  s->fds = g_array_new (FALSE, FALSE, sizeof (int));
  s->ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  s->rings = g_array_new (FALSE, TRUE, sizeof (Ring));

  if (s->launch)
    return open_thread (s, s->target, TRUE, error);

  /* Attach: every thread, then the ones that started meanwhile. */
  s->tids = g_hash_table_new (NULL, NULL);
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GArray) tids = list_tids (s->target);

      for (guint i = 0; i < tids->len; i++)
        {
          pid_t tid = g_array_index (tids, pid_t, i);
          g_autoptr(GError) local_error = NULL;

          if (g_hash_table_contains (s->tids, GINT_TO_POINTER (tid)))
            continue;
          if (!open_thread (s, tid, s->rings->len == 0, &local_error))
            {
              if (g_error_matches (local_error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS) &&
                  s->rings->len > 0)
                continue;   /* a thread exited meanwhile */
              if (g_error_matches (local_error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS))
                {
                  g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                               _("Process %d has gone"), (int) s->target);
                  return FALSE;
                }
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_hash_table_add (s->tids, GINT_TO_POINTER (tid));
        }
    }
  if (s->rings->len == 0)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                   _("No process with PID %d"), (int) s->target);
      return FALSE;
    }
  return TRUE;
}

/* ---- synthesized records (attach) -------------------------------------- */

static void
append_padded (GByteArray *rec,
               const char *str)
{
  static const guint8 zeros[8] = { 0 };
  gsize len = strlen (str) + 1;

  g_byte_array_append (rec, (const guint8 *) str, len - 1);
  g_byte_array_append (rec, zeros, 8 - (len - 1) % 8);
}

static void
finish_record (GByteArray *rec,
               gsize       start,
               guint       id_size)
{
  struct perf_event_header *header;
  gsize old = rec->len;

  g_byte_array_set_size (rec, old + id_size);
  memset (rec->data + old, 0, id_size);
  header = (struct perf_event_header *) (rec->data + start);
  header->size = rec->len - start;
}

static void
begin_record (GByteArray *rec,
              guint32     type,
              guint16     misc)
{
  struct perf_event_header header = { type, misc, 0 };
  g_byte_array_append (rec, (const guint8 *) &header, sizeof header);
}

static void
append_u32 (GByteArray *rec,
            guint32     v)
{
  g_byte_array_append (rec, (const guint8 *) &v, sizeof v);
}

static void
append_u64 (GByteArray *rec,
            guint64     v)
{
  g_byte_array_append (rec, (const guint8 *) &v, sizeof v);
}

static void
synthesize_thread (GByteArray *rec,
                   guint       id_size,
                   pid_t       pid,
                   pid_t       tid,
                   pid_t       ppid)
{
  g_autofree char *comm_path = g_strdup_printf ("/proc/%d/task/%d/comm", (int) pid, (int) tid);
  g_autofree char *comm = NULL;
  gsize start;

  if (!g_file_get_contents (comm_path, &comm, NULL, NULL))
    return;
  g_strchomp (comm);

  start = rec->len;
  begin_record (rec, PERF_RECORD_FORK, 0);
  append_u32 (rec, pid);
  append_u32 (rec, tid == pid ? ppid : pid);
  append_u32 (rec, tid);
  append_u32 (rec, tid == pid ? ppid : pid);
  append_u64 (rec, 0);
  finish_record (rec, start, id_size);

  start = rec->len;
  begin_record (rec, PERF_RECORD_COMM, 0);
  append_u32 (rec, pid);
  append_u32 (rec, tid);
  append_padded (rec, comm);
  finish_record (rec, start, id_size);
}

static void
synthesize_maps (GByteArray *rec,
                 guint       id_size,
                 pid_t       pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", (int) pid);
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &maps, NULL, NULL))
    return;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end, pgoff, ino;
      unsigned int maj, min;
      char perms[8] = "";
      int name_off = 0;
      const char *name;
      guint32 prot = 0;
      guint16 misc = PERF_RECORD_MISC_USER;
      gsize rstart;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %7s %" G_GINT64_MODIFIER "x %x:%x %" G_GINT64_MODIFIER "u %n",
                  &start, &end, perms, &pgoff, &maj, &min, &ino, &name_off) < 7)
        continue;
      name = lines[i] + name_off;
      if (perms[0] == 'r')
        prot |= PROT_READ;
      if (perms[1] == 'w')
        prot |= PROT_WRITE;
      if (perms[2] == 'x')
        prot |= PROT_EXEC;
      if (!(prot & PROT_EXEC))
        misc |= PERF_RECORD_MISC_MMAP_DATA;
      if (*name == '\0')
        {
          if (!(prot & PROT_EXEC))
            continue;
          name = "//anon";
        }

      rstart = rec->len;
      begin_record (rec, PERF_RECORD_MMAP2, misc);
      append_u32 (rec, pid);
      append_u32 (rec, pid);
      append_u64 (rec, start);
      append_u64 (rec, end - start);
      append_u64 (rec, pgoff);
      append_u32 (rec, maj);
      append_u32 (rec, min);
      append_u64 (rec, ino);
      append_u64 (rec, 0);
      append_u32 (rec, prot);
      append_u32 (rec, perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE);
      append_padded (rec, name);
      finish_record (rec, rstart, id_size);
    }
}

/* The kernel map perf uses to place kernel samples ("[kernel.kallsyms]_text",
 * starting at _text, which also gives perf the KASLR relocation). */
static void
synthesize_kernel_map (GByteArray *rec,
                       guint       id_size)
{
  guint64 text = 0;
  gsize start;

  /* FALSE also when kptr_restrict hides the addresses */
  if (!scorch_kallsyms_find ("/proc/kallsyms", "_text", 10000, &text))
    return;

  start = rec->len;
  begin_record (rec, PERF_RECORD_MMAP, PERF_RECORD_MISC_KERNEL);
  append_u32 (rec, (guint32) -1);
  append_u32 (rec, 0);
  append_u64 (rec, text);
  append_u64 (rec, G_MAXUINT64 - text);
  append_u64 (rec, text);
  append_padded (rec, "[kernel.kallsyms]_text");
  finish_record (rec, start, id_size);
}

static GByteArray *
synthesize_process (Session *s)
{
  GByteArray *rec = g_byte_array_new ();
  guint id_size = scorch_perf_id_header_size (&s->attr);
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", (int) s->target);
  g_autofree char *status = NULL;
  g_autoptr(GArray) tids = list_tids (s->target);
  pid_t ppid = 0;

  if (g_file_get_contents (status_path, &status, NULL, NULL))
    {
      const char *line = strstr (status, "\nPPid:");
      if (line != NULL)
        ppid = atoi (line + 6);
    }

  synthesize_thread (rec, id_size, s->target, s->target, ppid);
  for (guint i = 0; i < tids->len; i++)
    if (g_array_index (tids, pid_t, i) != s->target)
      synthesize_thread (rec, id_size, s->target, g_array_index (tids, pid_t, i), ppid);
  synthesize_maps (rec, id_size, s->target);
  return rec;
}

/* ---- draining ---------------------------------------------------------- */

static void
count_records (Session      *s,
               const guint8 *data,
               gsize         len)
{
  gsize off = 0;

  while (off + sizeof (struct perf_event_header) <= len)
    {
      const struct perf_event_header *h = (const void *) (data + off);
      guint64 v;

      if (h->size < sizeof *h)
        break;
      switch (h->type)
        {
        case PERF_RECORD_SAMPLE:
          s->samples++;
          break;
        case PERF_RECORD_LOST:
          if (h->size >= 24)
            {
              memcpy (&v, data + off + 16, sizeof v);
              s->lost += v;
            }
          break;
        case PERF_RECORD_LOST_SAMPLES:
          if (h->size >= 16)
            {
              memcpy (&v, data + off + 8, sizeof v);
              s->lost += v;
            }
          break;
        case PERF_RECORD_THROTTLE:
          s->throttled++;
          break;
        default:
          break;
        }
      off += h->size;
    }
}

static void
drain_ring (Session *s,
            Ring    *ring)
{
  guint64 head = __atomic_load_n (&ring->page->data_head, __ATOMIC_ACQUIRE);
  guint64 tail = ring->page->data_tail;
  guint64 avail = head - tail;
  guint64 start, first;
  gsize old = s->scratch->len;

  if (avail == 0)
    return;
  if (avail > ring->size)
    avail = ring->size;   /* cannot happen with a writable mapping */

  start = tail & (ring->size - 1);
  first = MIN (avail, ring->size - start);
  g_byte_array_append (s->scratch, ring->data + start, first);
  if (avail > first)
    g_byte_array_append (s->scratch, ring->data, avail - first);

  __atomic_store_n (&ring->page->data_tail, head, __ATOMIC_RELEASE);
  count_records (s, s->scratch->data + old, s->scratch->len - old);
}

static gboolean
write_batch (Session  *s,
             GError  **error)
{
  ScorchRecorder *self = s->self;
  const struct perf_event_attr *attr = &s->attr;
  GByteArray *batch = s->scratch;

  if (s->scratch->len == 0)
    return TRUE;
  if (s->repairer != NULL)
    {
      /* fp+repair: the samples are written with their repaired chains and
       * without registers and stack copies */
      g_byte_array_set_size (s->repaired, 0);
      scorch_leaf_repairer_process (s->repairer, s->scratch->data, s->scratch->len, s->repaired);
      attr = scorch_leaf_repairer_get_written_attr (s->repairer);
      batch = s->repaired;
      g_byte_array_set_size (s->scratch, 0);
      if (batch->len == 0)
        return TRUE;
    }
  if (!scorch_perf_writer_add_records (s->writer, batch->data, batch->len, error))
    return FALSE;
  if (self->sink != NULL)
    self->sink (self, attr, batch->data, batch->len, self->sink_data);
  g_byte_array_set_size (batch, 0);
  return scorch_perf_writer_finish_round (s->writer, error);
}

static gboolean
drain_all (Session  *s,
           GError  **error)
{
  for (guint i = 0; i < s->rings->len; i++)
    drain_ring (s, &g_array_index (s->rings, Ring, i));
  return write_batch (s, error);
}

/* ---- progress ---------------------------------------------------------- */

static gboolean
emit_progress_cb (gpointer data)
{
  ScorchRecorder *self = data;
  ScorchRecorderProgress progress;

  scorch_mutex_lock (&self->lock);
  progress = self->progress;
  self->progress_pending = FALSE;
  scorch_mutex_unlock (&self->lock);

  g_signal_emit (self, signals[PROGRESS], 0, &progress);
  return G_SOURCE_REMOVE;
}

static void
update_progress (Session  *s,
                 gboolean  force)
{
  ScorchRecorder *self = s->self;
  gint64 now = g_get_monotonic_time ();
  gboolean schedule;

  if (!force && now - s->last_progress < PROGRESS_INTERVAL_US)
    return;
  s->last_progress = now;

  scorch_mutex_lock (&self->lock);
  self->progress.elapsed = s->start_time ? (now - s->start_time) / (double) G_USEC_PER_SEC : 0;
  self->progress.samples = s->samples;
  self->progress.lost = s->lost;
  self->progress.throttled = s->throttled;
  self->progress.bytes = s->writer ? scorch_perf_writer_get_data_size (s->writer) : 0;
  if (s->repairer != NULL)
    {
      ScorchLeafRepairStats st;

      scorch_leaf_repairer_get_stats (s->repairer, &st);
      self->progress.repaired = st.repaired + st.complete;
      self->progress.truncated = st.cut + st.short_copy;
    }
  schedule = !self->progress_pending;
  self->progress_pending = TRUE;
  scorch_mutex_unlock (&self->lock);

  if (schedule)
    scorch_main_context_post (self->context, emit_progress_cb,
                              g_object_ref (self), g_object_unref);
}

/* ---- the worker -------------------------------------------------------- */

static gboolean
target_has_exited (Session *s,
                   short    pidfd_revents)
{
  if (s->target_exited)
    return TRUE;
  if (s->pidfd >= 0)
    {
      if (pidfd_revents & (POLLIN | POLLHUP))
        s->target_exited = TRUE;
    }
  else if (s->launch)
    {
      int status;
      if (waitpid (s->target, &status, WNOHANG) == s->target)
        {
          s->reaped = TRUE;
          s->self->exit_status = status;
          s->target_exited = TRUE;
        }
    }
  else if (kill (s->target, 0) != 0 && errno == ESRCH)
    s->target_exited = TRUE;
  return s->target_exited;
}

static void
set_enabled (Session  *s,
             gboolean  enabled)
{
  for (guint i = 0; i < s->fds->len; i++)
    ioctl (g_array_index (s->fds, int, i), enabled ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0);
}

static gboolean
run_loop (Session  *s,
          GError  **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(GArray) pfds = g_array_new (FALSE, TRUE, sizeof (struct pollfd));
  gint64 deadline = self->duration > 0 ? s->start_time + (gint64) (self->duration * G_USEC_PER_SEC) : 0;
  struct pollfd pfd;

  pfd = (struct pollfd) { self->wake_fd, POLLIN, 0 };
  g_array_append_val (pfds, pfd);
  pfd = (struct pollfd) { s->pidfd, POLLIN, 0 };
  g_array_append_val (pfds, pfd);
  for (guint i = 0; i < s->rings->len; i++)
    {
      pfd = (struct pollfd) { g_array_index (s->rings, Ring, i).fd, POLLIN, 0 };
      g_array_append_val (pfds, pfd);
    }

  for (;;)
    {
      struct pollfd *fds = (struct pollfd *) pfds->data;
      int timeout = s->repairer != NULL ? REPAIR_DRAIN_INTERVAL_MS : DRAIN_INTERVAL_MS;
      gint64 now;
      int request;

      if (deadline > 0)
        {
          gint64 left = (deadline - g_get_monotonic_time () + 999) / 1000;
          timeout = CLAMP (left, 0, timeout);
        }

      if (poll (fds, pfds->len, timeout) < 0 && errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "poll: %s", g_strerror (errno));
          return FALSE;
        }

      if (fds[0].revents & POLLIN)
        {
          guint64 v;
          if (read (self->wake_fd, &v, sizeof v) < 0)
            {
              /* EAGAIN: nothing to clear */
            }
        }
      for (guint i = 2; i < pfds->len; i++)
        if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL))
          fds[i].fd = -1;   /* the task has gone; keep draining on the timer */

      if (!drain_all (s, error))
        return FALSE;

      if (target_has_exited (s, fds[1].revents))
        {
          self->stop_reason = SCORCH_STOP_REASON_TARGET_EXITED;
          break;
        }
      now = g_get_monotonic_time ();
      if (deadline > 0 && now >= deadline)
        {
          self->stop_reason = SCORCH_STOP_REASON_DURATION;
          break;
        }
      request = g_atomic_int_get (&self->stop_request);
      if (request != SCORCH_STOP_REASON_NONE)
        {
          self->stop_reason = request;
          break;
        }
      update_progress (s, FALSE);
    }
  return TRUE;
}

static gboolean
start_writer (Session  *s,
              GError  **error)
{
  ScorchRecorder *self = s->self;

  if (self->output_stream != NULL)
    s->writer = scorch_perf_writer_new (self->output_stream, self->output_path);
  else
    {
      s->writer = scorch_perf_writer_new_for_path (self->output_path, error);
      if (s->writer == NULL)
        return FALSE;
    }

  if (self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR)
    {
      s->repairer = scorch_leaf_repairer_new (&s->attr);
      s->repaired = g_byte_array_sized_new (1024 * 1024);
    }
  scorch_perf_writer_add_attr (s->writer,
                               s->repairer != NULL ? scorch_leaf_repairer_get_written_attr (s->repairer) : &s->attr,
                               s->event_name,
                               (const guint64 *) s->ids->data, s->ids->len);
  if (self->cmdline != NULL)
    scorch_perf_writer_set_cmdline (s->writer, (const char * const *) self->cmdline);
  else if (self->argv != NULL)
    scorch_perf_writer_set_cmdline (s->writer, (const char * const *) self->argv);
  else
    {
      g_autofree char *pid = g_strdup_printf ("%d", (int) self->pid);
      const char *argv[] = { "scorch", "record", "-p", pid, NULL };
      scorch_perf_writer_set_cmdline (s->writer, argv);
    }
  return scorch_perf_writer_begin (s->writer, error);
}

/* Whether the output path is, or would be, a plain file we may remove
 * again when the recording never starts. */
static gboolean
output_is_ours (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return errno == ENOENT;
  return S_ISREG (st.st_mode);
}

/* Opens the gate and waits for the child's exec (or its failure). */
static gboolean
release_child (Session  *s,
               GError  **error)
{
  ScorchRecorder *self = s->self;
  int errsv = 0;
  ssize_t r;

  if (write (s->gate_fd, "g", 1) != 1)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("Cannot start “%s”: %s"), self->argv[0], g_strerror (errno));
      return FALSE;
    }
  close (s->gate_fd);
  s->gate_fd = -1;

  do
    r = read (s->err_fd, &errsv, sizeof errsv);
  while (r < 0 && errno == EINTR);
  close (s->err_fd);
  s->err_fd = -1;

  if (r == sizeof errsv)
    {
      reap_child (s, FALSE);
      if (errsv == ENOENT)
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROGRAM,
                     _("Cannot run “%s”: %s"), self->argv[0], g_strerror (errsv));
      else
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NOT_EXECUTABLE,
                     _("Cannot run “%s”: %s"), self->argv[0], g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
record (Session  *s,
        GError  **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(GError) loop_error = NULL;
  g_autoptr(GError) finish_error = NULL;
  gboolean started = FALSE;
  gboolean keep_output = self->output_stream != NULL; /* not our file to remove */

  /* The target first: a bad one is the error to report, not permissions. */
  if (s->launch ? !resolve_program (s, error) : !check_process (s, error))
    return FALSE;
  if (!setup_attr (s, error))
    return FALSE;
  if (s->launch && !spawn_gated (s, error))
    return FALSE;

  if (!open_events (s, error))
    goto fail;
  if (!keep_output && !output_is_ours (self->output_path))
    keep_output = TRUE;
  if (!start_writer (s, error))
    goto fail;

  if (!s->attr.exclude_kernel)
    synthesize_kernel_map (s->scratch, scorch_perf_id_header_size (&s->attr));

  if (!s->launch)
    {
      g_autoptr(GByteArray) synth = synthesize_process (s);

      g_byte_array_append (s->scratch, synth->data, synth->len);
      if (!write_batch (s, error))
        goto fail;
      s->start_time = g_get_monotonic_time ();
      set_enabled (s, TRUE);
    }
  else
    {
      if (!write_batch (s, error))
        goto fail;
      s->start_time = g_get_monotonic_time ();
      if (!release_child (s, error))
        goto fail;
    }
  started = TRUE;
  update_progress (s, TRUE);

  if (!run_loop (s, &loop_error))
    self->stop_reason = SCORCH_STOP_REASON_ERROR;

  /* Stop counting, take what is left, end the child if we started it. */
  set_enabled (s, FALSE);
  if (loop_error == NULL)
    drain_all (s, &loop_error);
  if (s->launch)
    reap_child (s, TRUE);

  if (s->repairer != NULL)
    {
      ScorchLeafRepairStats st;
      guint64 user;

      scorch_leaf_repairer_get_stats (s->repairer, &st);
      user = st.samples - st.no_user;
      if (user > 0)
        add_message (self, g_strdup_printf (_("Leaf repair: %.1f %% of the stacks had their leaf’s caller restored, "
                                              "%.1f %% were cut short (%.1f %% because the %u-byte stack copy was too small), "
                                              "%.1f %% had no CFI at the leaf"),
                                            100.0 * (st.repaired + st.complete) / user,
                                            100.0 * (st.cut + st.short_copy) / user,
                                            100.0 * st.short_copy / user,
                                            (guint) s->attr.sample_stack_user,
                                            100.0 * st.no_cfi / user));
    }

  /* What only Scorch knows goes into its feature section, written with
   * the final header. (A new call-graph mode names itself here.) */
  if (s->launch)
    scorch_perf_writer_set_exit_status (s->writer, self->exit_status);
  {
    g_autofree char *mode = self->call_graph == SCORCH_CALL_GRAPH_DWARF
                            ? g_strdup_printf ("dwarf,%u", (guint) s->attr.sample_stack_user)
                            : self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR
                            ? g_strdup_printf ("fp+repair,%u", (guint) s->attr.sample_stack_user)
                            : g_strdup ("fp");

    scorch_perf_writer_set_call_graph (s->writer, mode);
  }

  if (!scorch_perf_writer_finish (s->writer, &finish_error) && loop_error == NULL)
    loop_error = g_steal_pointer (&finish_error);

  scorch_mutex_lock (&self->lock);
  self->progress.elapsed = (g_get_monotonic_time () - s->start_time) / (double) G_USEC_PER_SEC;
  scorch_mutex_unlock (&self->lock);
  update_progress (s, TRUE);

  if (loop_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&loop_error));
      return FALSE;
    }
  return TRUE;

fail:
  if (s->launch && s->target > 0 && !s->reaped)
    {
      if (s->gate_fd >= 0)
        {
          close (s->gate_fd);   /* the child exits without exec */
          s->gate_fd = -1;
        }
      reap_child (s, started);
    }
  if (s->writer != NULL)
    {
      scorch_perf_writer_finish (s->writer, NULL);
      /* Nothing was recorded yet (exec failed, full disk, ...): leave no
       * empty capture behind; but never remove what is not a plain file
       * (-o /dev/null). */
      if (!started && !keep_output && output_is_ours (self->output_path))
        g_unlink (self->output_path);
    }
  return FALSE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  request_stop (SCORCH_RECORDER (data), SCORCH_STOP_REASON_CANCELLED);
}

static gboolean
drop_task_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static gpointer
worker (gpointer data)
{
  GTask *task = data;
  Session *s = g_task_get_task_data (task);
  ScorchRecorder *self = s->self;
  GMainContext *context;
  GError *error = NULL;
  gboolean ok;
  gulong cancel_id = 0;
  sigset_t pipe_set;

  /* A write to the gate of a child that died early must fail with EPIPE,
   * not kill the process; thread-directed, so only this thread blocks it. */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, NULL);

  if (s->cancellable != NULL)
    cancel_id = g_cancellable_connect (s->cancellable, G_CALLBACK (on_cancelled), self, NULL);
  ok = record (s, &error);
  if (cancel_id != 0)
    g_cancellable_disconnect (s->cancellable, cancel_id);

  scorch_mutex_lock (&self->lock);
  self->running = FALSE;
  scorch_mutex_unlock (&self->lock);

  /* Before the task returns: after that, a new recording may replace it. */
  context = g_main_context_ref (self->context);
  /* what this thread did, to scorch_recorder_record_finish (TSan) */
  scorch_tsan_release (self);
  if (!ok)
    g_task_return_error (task, error);
  else if (self->stop_reason == SCORCH_STOP_REASON_CANCELLED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The recording was cancelled"));
  else
    g_task_return_boolean (task, TRUE);
  /* The task holds the session and the recorder (its source object): the
   * last reference must not be dropped here, or the recorder and its sink
   * data could be finalized on this thread once the caller has let go. */
  scorch_main_context_post (context, drop_task_cb, task, g_object_unref);
  g_main_context_unref (context);
  return NULL;
}

void
scorch_recorder_record_async (ScorchRecorder      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Session *s;
  gboolean busy;

  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scorch_recorder_record_async);

  scorch_mutex_lock (&self->lock);
  busy = self->running;
  if (!busy)
    {
      self->running = TRUE;
      memset (&self->progress, 0, sizeof self->progress);
      self->progress_pending = FALSE;
    }
  scorch_mutex_unlock (&self->lock);

  if (busy)
    {
      g_task_return_new_error (task, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_BUSY,
                               _("This recorder is already recording"));
      return;
    }

  if ((self->argv == NULL || self->argv[0] == NULL) && self->pid <= 0)
    {
      self->running = FALSE;
      g_task_return_new_error (task, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                               _("Nothing to record: give a program to run or a PID"));
      return;
    }
  if (self->output_stream == NULL && (self->output_path == NULL || self->output_path[0] == '\0'))
    {
      self->running = FALSE;
      g_task_return_new_error (task, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                               _("No output file given"));
      return;
    }

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_atomic_int_set (&self->stop_request, SCORCH_STOP_REASON_NONE);
  self->stop_reason = SCORCH_STOP_REASON_NONE;
  self->child_pid = 0;
  self->exit_status = -1;
  g_ptr_array_set_size (self->messages, 0);
  g_ptr_array_add (self->messages, NULL);

  s = g_new0 (Session, 1);
  s->self = self;
  s->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  s->launch = self->argv != NULL && self->argv[0] != NULL;
  s->pidfd = -1;
  s->gate_fd = -1;
  s->err_fd = -1;
  s->scratch = g_byte_array_sized_new (1024 * 1024);
  g_task_set_task_data (task, s, (GDestroyNotify) session_free);

  /* Drain any stale wakeup from a previous run. */
  {
    guint64 v;
    if (read (self->wake_fd, &v, sizeof v) < 0)
      {
        /* nothing pending */
      }
  }

  g_thread_unref (g_thread_new ("scorch-recorder", worker, g_steal_pointer (&task)));
}

gboolean
scorch_recorder_record_finish (ScorchRecorder  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  scorch_tsan_acquire (self);
  return g_task_propagate_boolean (G_TASK (result), error);
}
