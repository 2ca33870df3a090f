/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-host-recorder.c: `perf record` on the host, from the sandbox */

#include "config.h"

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "scorch-host-recorder"
#endif

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "scorch-host-recorder.h"

struct _ScorchHostRecorder
{
  GObject      parent_instance;

  GStrv        argv;
  char        *cwd;
  GStrv        env;
  int          pid;
  guint        frequency;
  gboolean     dwarf;
  gboolean     kernel;
  char        *output;

  GSubprocess *subprocess;
};

G_DEFINE_FINAL_TYPE (ScorchHostRecorder, scorch_host_recorder, G_TYPE_OBJECT)

G_DEFINE_QUARK (scorch-host-recorder-error-quark, scorch_host_recorder_error)

static const char *
flatpak_info_path (void)
{
  const char *path = g_getenv ("SCORCH_FLATPAK_INFO");
  return path != NULL ? path : "/.flatpak-info";
}

static const char *
flatpak_spawn_command (void)
{
  const char *cmd = g_getenv ("SCORCH_FLATPAK_SPAWN");
  return cmd != NULL ? cmd : "flatpak-spawn";
}

gboolean
scorch_host_recorder_is_sandboxed (void)
{
  return g_file_test (flatpak_info_path (), G_FILE_TEST_EXISTS);
}

gboolean
scorch_host_recorder_check_permission (GError **error)
{
  g_autoptr(GKeyFile) info = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *app_id = NULL;

  if (!scorch_host_recorder_is_sandboxed ())
    {
      g_set_error_literal (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NOT_SANDBOXED,
                           _("Scorch does not run in a Flatpak sandbox"));
      return FALSE;
    }
  if (!g_key_file_load_from_file (info, flatpak_info_path (), G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NO_PERMISSION,
                   _("Cannot read the sandbox description %s: %s"),
                   flatpak_info_path (), local_error->message);
      return FALSE;
    }

  app_id = g_key_file_get_string (info, "Application", "name", NULL);
  policy = g_key_file_get_string (info, "Session Bus Policy", "org.freedesktop.Flatpak", NULL);
  if (policy == NULL || (g_strcmp0 (policy, "talk") != 0 && g_strcmp0 (policy, "own") != 0))
    {
      g_set_error (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NO_PERMISSION,
                   _("Scorch runs in a Flatpak sandbox that does not let it start programs on your "
                     "system, so it can only record programs inside the sandbox. To record programs "
                     "of your system, allow it with:\n"
                     "flatpak override --user --talk-name=org.freedesktop.Flatpak %s"),
                   app_id != NULL ? app_id : APPLICATION_ID);
      return FALSE;
    }
  return TRUE;
}

char *
scorch_host_recorder_dup_shared_dir (GError **error)
{
  g_autofree char *dir = NULL;
  const char *app_id = g_getenv ("FLATPAK_ID");

  /* $XDG_RUNTIME_DIR/app/$FLATPAK_ID is bind-mounted into the sandbox at
   * the same path as on the host. */
  dir = g_build_filename (g_get_user_runtime_dir (), "app",
                          app_id != NULL ? app_id : APPLICATION_ID, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot create %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }
  return g_steal_pointer (&dir);
}

static void
scorch_host_recorder_finalize (GObject *object)
{
  ScorchHostRecorder *self = SCORCH_HOST_RECORDER (object);

  g_clear_pointer (&self->argv, g_strfreev);
  g_clear_pointer (&self->env, g_strfreev);
  g_clear_pointer (&self->cwd, g_free);
  g_clear_pointer (&self->output, g_free);
  g_clear_object (&self->subprocess);

  G_OBJECT_CLASS (scorch_host_recorder_parent_class)->finalize (object);
}

static void
scorch_host_recorder_class_init (ScorchHostRecorderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scorch_host_recorder_finalize;
}

static void
scorch_host_recorder_init (ScorchHostRecorder *self)
{
  self->frequency = 999;
}

ScorchHostRecorder *
scorch_host_recorder_new (void)
{
  return g_object_new (SCORCH_TYPE_HOST_RECORDER, NULL);
}

void
scorch_host_recorder_set_program (ScorchHostRecorder *self,
                                  const char * const *argv,
                                  const char         *cwd,
                                  const char * const *env)
{
  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));

  g_clear_pointer (&self->argv, g_strfreev);
  g_clear_pointer (&self->env, g_strfreev);
  g_clear_pointer (&self->cwd, g_free);
  self->argv = g_strdupv ((char **) argv);
  self->env = g_strdupv ((char **) env);
  self->cwd = g_strdup (cwd);
  self->pid = 0;
}

void
scorch_host_recorder_set_pid (ScorchHostRecorder *self,
                              int                 pid)
{
  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));

  g_clear_pointer (&self->argv, g_strfreev);
  self->pid = pid;
}

void
scorch_host_recorder_set_frequency (ScorchHostRecorder *self,
                                    guint               hz)
{
  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));
  self->frequency = hz;
}

void
scorch_host_recorder_set_dwarf (ScorchHostRecorder *self,
                                gboolean            dwarf)
{
  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));
  self->dwarf = !!dwarf;
}

void
scorch_host_recorder_set_kernel (ScorchHostRecorder *self,
                                 gboolean            kernel)
{
  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));
  self->kernel = !!kernel;
}

void
scorch_host_recorder_set_output (ScorchHostRecorder *self,
                                 const char         *path)
{
  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));

  g_free (self->output);
  self->output = g_strdup (path);
}

GStrv
scorch_host_recorder_build_argv (ScorchHostRecorder *self,
                                 GError            **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  char buf[64];

  g_return_val_if_fail (SCORCH_IS_HOST_RECORDER (self), NULL);

  if ((self->argv == NULL || self->argv[0] == NULL) && self->pid <= 0)
    {
      g_set_error_literal (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_INVALID,
                           _("Choose a program or a process to record"));
      return NULL;
    }
  if (self->output == NULL)
    {
      g_set_error_literal (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_INVALID,
                           _("No file to write the capture to"));
      return NULL;
    }

  g_strv_builder_add (b, flatpak_spawn_command ());
  g_strv_builder_add (b, "--host");
  /* The host process ends with Scorch. */
  g_strv_builder_add (b, "--watch-bus");
  if (self->argv != NULL && self->cwd != NULL && self->cwd[0] != '\0')
    {
      g_autofree char *dir = g_strconcat ("--directory=", self->cwd, NULL);
      g_strv_builder_add (b, dir);
    }
  for (guint i = 0; self->argv != NULL && self->env != NULL && self->env[i] != NULL; i++)
    {
      g_autofree char *e = g_strconcat ("--env=", self->env[i], NULL);
      g_strv_builder_add (b, e);
    }

  g_strv_builder_add_many (b, "perf", "record", NULL);
  /* cpu-clock works on every machine, VMs included; :u is user space only. */
  g_strv_builder_add_many (b, "-e", self->kernel ? "cpu-clock" : "cpu-clock:u", NULL);
  g_snprintf (buf, sizeof buf, "%u", self->frequency);
  g_strv_builder_add_many (b, "-F", buf, NULL);
  if (self->dwarf)
    g_strv_builder_add_many (b, "--call-graph", "dwarf", NULL);
  else
    g_strv_builder_add_many (b, "--call-graph", "fp", NULL);
  g_strv_builder_add_many (b, "-o", self->output, NULL);
  if (self->argv != NULL)
    {
      g_strv_builder_add (b, "--");
      g_strv_builder_addv (b, (const char **) self->argv);
    }
  else
    {
      g_snprintf (buf, sizeof buf, "%d", self->pid);
      g_strv_builder_add_many (b, "-p", buf, NULL);
    }

  return g_strv_builder_end (b);
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autoptr(GTask) task = user_data;
  ScorchHostRecorder *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!g_subprocess_communicate_utf8_finish (subprocess, result, &out, &err, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* perf exits with the signal's status when stopped by SIGINT, and with
   * the workload's status otherwise: a capture on disk is what counts. */
  if (!g_file_test (self->output, G_FILE_TEST_IS_REGULAR))
    {
      int status = g_subprocess_get_if_exited (subprocess) ? g_subprocess_get_exit_status (subprocess) : -1;
      char *why = err != NULL && err[0] != '\0' ? err : out;

      /* flatpak-spawn reports 127 when the host has no such command. */
      if (status == 127 && (why == NULL || strstr (why, "perf") != NULL || why[0] == '\0'))
        g_task_return_new_error (task, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NO_PERF,
                                 _("“perf” is not installed on your system. Install it (for "
                                   "example “sudo apt install linux-perf” or “sudo dnf install "
                                   "perf”) to record programs from the Flatpak."));
      else
        g_task_return_new_error (task, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_FAILED,
                                 _("Recording on the host failed: %s"),
                                 why != NULL && why[0] != '\0' ? g_strstrip (why) : _("no capture was written"));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
scorch_host_recorder_record_async (ScorchHostRecorder *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));
  g_return_if_fail (self->subprocess == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scorch_host_recorder_record_async);

  if (!scorch_host_recorder_check_permission (&error) ||
      (argv = scorch_host_recorder_build_argv (self, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_unlink (self->output);
  self->subprocess = g_subprocess_newv ((const char * const *) argv,
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                        &error);
  if (self->subprocess == NULL)
    {
      g_task_return_new_error (task, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NO_PERMISSION,
                               _("Cannot start %s: %s"), argv[0], error->message);
      return;
    }

  g_subprocess_communicate_utf8_async (self->subprocess, NULL, cancellable,
                                       communicate_cb, g_steal_pointer (&task));
}

gboolean
scorch_host_recorder_record_finish (ScorchHostRecorder *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (SCORCH_IS_HOST_RECORDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  g_clear_object (&self->subprocess);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
scorch_host_recorder_stop (ScorchHostRecorder *self)
{
  g_return_if_fail (SCORCH_IS_HOST_RECORDER (self));

  /* flatpak-spawn forwards SIGINT to perf, which stops its workload and
   * finishes writing the capture. */
  if (self->subprocess != NULL)
    g_subprocess_send_signal (self->subprocess, SIGINT);
}
