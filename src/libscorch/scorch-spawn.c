/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-spawn.c: the recorder's target: a program launched behind a gate
 * (counting starts at its exec) or a running process, and its end */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scorch-recorder-private.h"
#include "scorch-sysprofd.h"
#include "scorch-util.h"

extern char **environ;

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

gboolean
_scorch_recorder_resolve_program (ScorchRecordSession  *s,
                                  GError              **error)
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
gboolean
_scorch_recorder_spawn_gated (ScorchRecordSession  *s,
                              GError              **error)
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

void
_scorch_recorder_reap_child (ScorchRecordSession *s,
                             gboolean             kill_it)
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

gboolean
_scorch_recorder_check_process (ScorchRecordSession  *s,
                                GError              **error)
{
  ScorchRecorder *self = s->self;
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) self->pid);
  g_autofree char *status = NULL;
  const char *uid_line;

  /* reach: inside a Flatpak the PID is the host's, which sysprofd knows */
  if (scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD)
    return _scorch_recorder_check_host_process (s, error);
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

      /* reach: sysprofd may record it (the path is chosen next) */
      s->other_user = ruid != geteuid () && !perms->can_other_users;
      if (s->other_user && self->via == SCORCH_RECORD_VIA_DIRECT)
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

gboolean
_scorch_recorder_target_has_exited (ScorchRecordSession *s,
                                    short                pidfd_revents)
{
  if (s->target_exited)
    return TRUE;
  if (s->self->system_wide)
    return FALSE;   /* no target: duration or stop() */
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
  else if (!s->host_procs && kill (s->target, 0) != 0 && errno == ESRCH)
    s->target_exited = TRUE;
  return s->target_exited;
}

/* Opens the gate and waits for the child's exec (or its failure). */
gboolean
_scorch_recorder_release_child (ScorchRecordSession  *s,
                                GError              **error)
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
      _scorch_recorder_reap_child (s, FALSE);
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
