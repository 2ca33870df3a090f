/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-host-recorder.h: recording a host program from inside the Flatpak
 * sandbox, by running `perf record` on the host through `flatpak-spawn
 * --host`, writing into a directory both sides see.
 *
 * For tests, SCORCH_FLATPAK_INFO names the file that marks the sandbox
 * (default /.flatpak-info) and SCORCH_FLATPAK_SPAWN the command used in
 * place of flatpak-spawn. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SCORCH_HOST_RECORDER_ERROR (scorch_host_recorder_error_quark ())

typedef enum
{
  SCORCH_HOST_RECORDER_ERROR_NOT_SANDBOXED,
  SCORCH_HOST_RECORDER_ERROR_NO_PERMISSION,  /* no --talk-name=org.freedesktop.Flatpak */
  SCORCH_HOST_RECORDER_ERROR_NO_PERF,        /* perf is not installed on the host */
  SCORCH_HOST_RECORDER_ERROR_FAILED,         /* perf record failed; message has its output */
  SCORCH_HOST_RECORDER_ERROR_INVALID,        /* no target */
} ScorchHostRecorderError;

#define SCORCH_TYPE_HOST_RECORDER (scorch_host_recorder_get_type ())

G_DECLARE_FINAL_TYPE (ScorchHostRecorder, scorch_host_recorder, SCORCH, HOST_RECORDER, GObject)

GQuark              scorch_host_recorder_error_quark     (void);

/* Whether Scorch runs inside a Flatpak sandbox. */
gboolean            scorch_host_recorder_is_sandboxed    (void);
/* Whether the sandbox may start host commands: FALSE with a message that
 * names the missing permission and how to grant it. */
gboolean            scorch_host_recorder_check_permission (GError **error);
/* A directory that the host and the sandbox both see under the same path
 * ($XDG_RUNTIME_DIR/app/$FLATPAK_ID), created if needed. */
char               *scorch_host_recorder_dup_shared_dir  (GError **error);

ScorchHostRecorder *scorch_host_recorder_new             (void);
void                scorch_host_recorder_set_program     (ScorchHostRecorder *self,
                                                          const char * const *argv,
                                                          const char         *cwd,
                                                          const char * const *env);
void                scorch_host_recorder_set_pid         (ScorchHostRecorder *self,
                                                          int                 pid);
void                scorch_host_recorder_set_frequency   (ScorchHostRecorder *self,
                                                          guint               hz);
void                scorch_host_recorder_set_dwarf       (ScorchHostRecorder *self,
                                                          gboolean            dwarf);
void                scorch_host_recorder_set_kernel      (ScorchHostRecorder *self,
                                                          gboolean            kernel);
void                scorch_host_recorder_set_output      (ScorchHostRecorder *self,
                                                          const char         *path);
/* The command line that will run, from flatpak-spawn on. */
GStrv               scorch_host_recorder_build_argv      (ScorchHostRecorder *self,
                                                          GError            **error);
void                scorch_host_recorder_record_async    (ScorchHostRecorder *self,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean            scorch_host_recorder_record_finish   (ScorchHostRecorder *self,
                                                          GAsyncResult       *result,
                                                          GError            **error);
/* Asks perf to stop; it writes the capture and the async call completes. */
void                scorch_host_recorder_stop            (ScorchHostRecorder *self);

G_END_DECLS
