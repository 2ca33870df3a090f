/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window-record.c: recording from the window: the record dialog,
 * the recorder on its worker, the live flame graph, the final profile */

#include "config.h"

#define G_LOG_DOMAIN "scorch-window-record"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "scorch-app-util.h"
#include "scorch-host-recorder.h"
#include "scorch-live-session.h"
#include "scorch-loader.h"
#include "scorch-record-dialog.h"
#include "scorch-recorder.h"
#include "scorch-recording-view.h"
#include "scorch-text.h"
#include "scorch-util.h"
#include "scorch-window-private.h"

/* The live flame graph is refreshed this often. */
#define LIVE_INTERVAL_MSEC 500

/* -- a recording session -- */

typedef struct _Session Session;

struct _Session
{
  ScorchWindow        *window;          /* borrowed: the session ends before the window */
  ScorchRecordingView *view;            /* borrowed */
  ScorchRecordOptions *options;
  ScorchRecorder      *recorder;
  ScorchHostRecorder  *host_recorder;
  GCancellable        *cancellable;
  char                *output_path;
  char                *title;
  ScorchLiveSession   *live;            /* the recorder's records, analyzed as they come */

  /* the program's output, through a FIFO */
  char                *fifo_dir;
  char                *fifo_path;
  GInputStream        *output_stream;
  char                 output_buf[4096];

  /* host recording has no progress signal: a timer shows the time */
  guint                host_timer;
  gint64               host_started;

  gint64               stop_requested_at; /* monotonic, when Stop was pressed */
  gint64               finished_at;     /* monotonic, when the target stopped */
  gboolean             stopping;
};

/* The record part's state; the window holds it (_scorch_window_get_record). */
struct _ScorchWindowRecord
{
  ScorchRecordDialog  *dialog;          /* while open */
  ScorchRecordingView *view;
  Session             *session;
  gint64               last_finish_usec;
  char                *last_error;
};

typedef struct _ScorchWindowRecord WindowRecord;

static WindowRecord *
get_state (ScorchWindow *self)
{
  return _scorch_window_get_record (self);
}

static void
session_free (Session *s)
{
  if (s == NULL)
    return;
  if (s->live != NULL)
    {
      /* Dropping it ends its thread; a pending end still returns to
       * final_profile_done, which finds no session. */
      g_signal_handlers_disconnect_by_data (s->live, s);
      g_clear_object (&s->live);
    }
  if (s->cancellable != NULL)
    g_cancellable_cancel (s->cancellable);
  g_clear_handle_id (&s->host_timer, g_source_remove);
  g_clear_object (&s->output_stream);
  if (s->fifo_path != NULL)
    g_unlink (s->fifo_path);
  if (s->fifo_dir != NULL)
    g_rmdir (s->fifo_dir);
  g_free (s->fifo_path);
  g_free (s->fifo_dir);
  g_clear_object (&s->recorder);
  g_clear_object (&s->host_recorder);
  g_clear_object (&s->cancellable);
  g_clear_pointer (&s->options, scorch_record_options_free);
  g_free (s->output_path);
  g_free (s->title);
  g_free (s);
}

static void
set_last_error (ScorchWindow *self,
                const char   *message)
{
  WindowRecord *state = get_state (self);

  g_free (state->last_error);
  state->last_error = g_strdup (message);
}

static void
update_actions (ScorchWindow *self)
{
  WindowRecord *state = get_state (self);
  gboolean busy = state->session != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.record", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.record-demo", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop-recording",
                                 busy && !state->session->stopping && state->session->finished_at == 0);
}

static void
end_session (ScorchWindow *self)
{
  WindowRecord *state = get_state (self);

  g_clear_pointer (&state->session, session_free);
  update_actions (self);
}

/* A recording that did not produce a profile: back to where we were, with
 * the reason in plain words. */
static void
fail_session (ScorchWindow *self,
              const char   *message)
{
  AdwToast *toast;

  set_last_error (self, message);
  end_session (self);
  _scorch_window_show_previous (self);
  {
    /* Toast titles are markup; the message may quote paths. */
    g_autofree char *markup = scorch_text_to_xml (message);

    toast = adw_toast_new (markup);
  }
  adw_toast_set_timeout (toast, 0);
  scorch_window_add_toast (self, toast);
}

static void
live_snapshot_cb (ScorchLiveSession *live,
                  ScorchProfile     *profile,
                  Session           *s)
{
  if (s->finished_at != 0)
    return;
  scorch_recording_view_set_live_profile (s->view, profile);
}

/* SCORCH_TRACE_TIMING=1: one line on stderr per recording, for
 * bench/stop-latency.sh: when the final profile was ready, handed to the
 * window, and first drawn, after the recorder ended and after Stop. */
typedef struct
{
  char    *how;
  gint64   finished_at;
  gint64   stop_requested_at;
  gint64   ready_at;
  gint64   shown_at;
  gint64   ready_cpu;   /* the main thread's CPU time when the profile was ready */
  guint64  n_samples;
} Timing;

static void
timing_free (gpointer data)
{
  Timing *t = data;

  g_free (t->how);
  g_free (t);
}

static void
timing_after_paint (GdkFrameClock *clock,
                    Timing        *t)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *phases = NULL;

  g_signal_handlers_disconnect_by_data (clock, t);
  scorch_app_trace_mark ("drawn");
  phases = scorch_app_trace_end ();
  g_printerr ("scorch-timing: %s: %" G_GUINT64_FORMAT " samples; after the recording ended: "
              "ready %.1f ms, in the window %.1f ms, drawn %.1f ms; after Stop: drawn %.1f ms; "
              "ready to drawn: main CPU %.1f ms\n",
              t->how, t->n_samples,
              (t->ready_at - t->finished_at) / 1e3, (t->shown_at - t->finished_at) / 1e3,
              (now - t->finished_at) / 1e3,
              t->stop_requested_at != 0 ? (now - t->stop_requested_at) / 1e3 : -1.0,
              (_scorch_window_thread_cpu_time () - t->ready_cpu) / 1e3);
  g_printerr ("scorch-phases: %s: (main-thread CPU ms) %s\n", t->how, phases);
  timing_free (t);
}

static Timing *
timing_begin (Session       *s,
              const char    *how,
              ScorchProfile *profile)
{
  Timing *t;

  if (g_strcmp0 (g_getenv ("SCORCH_TRACE_TIMING"), "1") != 0)
    return NULL;
  t = g_new0 (Timing, 1);
  t->how = g_strdup (how);
  t->finished_at = s->finished_at;
  t->stop_requested_at = s->stop_requested_at;
  t->ready_at = g_get_monotonic_time ();
  t->ready_cpu = _scorch_window_thread_cpu_time ();
  scorch_app_trace_begin ();
  t->n_samples = scorch_profile_get_n_all_samples (profile);
  return t;
}

static void
timing_shown (ScorchWindow *self,
              Timing       *t)
{
  GdkFrameClock *clock;

  if (t == NULL)
    return;
  t->shown_at = g_get_monotonic_time ();
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL)
    {
      timing_free (t);
      return;
    }
  g_signal_connect (clock, "after-paint", G_CALLBACK (timing_after_paint), t);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The final profile goes to the window's session as a loaded capture
 * does, with what only the recording knows (output, exit status). */
static void
show_final_profile (ScorchWindow  *self,
                    Session       *s,
                    ScorchProfile *profile,
                    const char    *how)
{
  WindowRecord *state = get_state (self);
  Timing *timing = timing_begin (s, how, profile);
  g_autoptr(GFile) file = g_file_new_for_path (s->output_path);
  /* The program's output and how it ended stay with the profile
   * (an Output page, a notice when it failed). */
  g_autofree char *output = s->fifo_path != NULL ? scorch_recording_view_dup_output (s->view) : NULL;
  g_autofree char *program = s->options->pid > 0 || s->options->argv == NULL
                               ? NULL : g_path_get_basename (s->options->argv[0]);
  int exit_status = -1;

  state->last_finish_usec = g_get_monotonic_time () - s->finished_at;
  g_debug ("profile ready %.3f s after the recording ended (%" G_GUINT64_FORMAT " samples, %s)",
           state->last_finish_usec / 1e6, scorch_profile_get_total (profile), how);

  if (s->recorder != NULL && scorch_recorder_get_stop_reason (s->recorder) == SCORCH_STOP_REASON_TARGET_EXITED)
    exit_status = scorch_recorder_get_exit_status (s->recorder);

  end_session (self);
  _scorch_window_show_profile (self, profile, file);
  scorch_session_set_recording (_scorch_window_get_session (self), program, output, exit_status);
  timing_shown (self, timing);
}

static void
show_recorder_messages (ScorchWindow   *self,
                        ScorchRecorder *recorder)
{
  const char * const *messages = scorch_recorder_get_messages (recorder);

  for (guint i = 0; messages != NULL && messages[i] != NULL; i++)
    {
      g_autofree char *markup = scorch_text_to_xml (messages[i]);

      scorch_window_add_toast (self, adw_toast_new (markup));
    }
}

static void final_profile_done (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data);

static void
load_capture (ScorchWindow *self,
              Session      *s)
{
  scorch_recording_view_set_finishing (s->view, _("Loading the profile…"));
  scorch_load_async (s->output_path, NULL, final_profile_done, g_object_ref (self));
}

/* The recording's session, or NULL when it ended (or another began)
 * while something of it was still running. */
static Session *
current_session (ScorchWindow *self)
{
  WindowRecord *state = get_state (self);

  return state != NULL ? state->session : NULL;
}

/* The end of the capture's load (no source object), or of the live
 * session's analysis (OBJECT): the final profile, or why there is none. */
static void
final_profile_done (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ScorchWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  gboolean live = object != NULL && SCORCH_IS_LIVE_SESSION (object);
  Session *s;

  if (live)
    profile = scorch_live_session_end_finish (SCORCH_LIVE_SESSION (object), result, &error);
  else
    profile = scorch_load_finish (result, &error);

  s = current_session (self);
  if (s == NULL || (live && s->live != SCORCH_LIVE_SESSION (object)))
    return;
  if (profile != NULL)
    show_final_profile (self, s, profile, live ? "from the live analysis" : "loaded from the file");
  else if (live)
    {
      /* The live analysis could not run: the file still has it all. */
      g_debug ("live analysis failed, loading the capture: %s", error->message);
      load_capture (self, s);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("The recording was saved to %s but cannot be read: %s"),
                                                  s->output_path, error->message);
      fail_session (self, message);
    }
}

/* The live session has analyzed the records as they came; once it has
 * the last ones its profile is the final one. */
static void
finish_live (ScorchWindow *self,
             Session      *s)
{
  scorch_recording_view_set_finishing (s->view, _("Loading the profile…"));
  scorch_live_session_end_async (s->live, s->output_path, NULL, final_profile_done, g_object_ref (self));
}

static void
record_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ScorchWindow) self = user_data;
  Session *s = current_session (self);
  ScorchRecorder *recorder = SCORCH_RECORDER (object);
  g_autoptr(GError) error = NULL;
  ScorchRecorderProgress progress;

  if (s == NULL || s->recorder != recorder)
    {
      scorch_recorder_record_finish (recorder, result, NULL);
      return;
    }

  s->finished_at = g_get_monotonic_time ();
  update_actions (self);

  if (!scorch_recorder_record_finish (recorder, result, &error))
    {
      fail_session (self, error->message);
      return;
    }

  scorch_recorder_get_progress (recorder, &progress);
  scorch_recording_view_set_progress (s->view, &progress);
  show_recorder_messages (self, recorder);

  if (progress.samples == 0)
    {
      g_autofree char *message = NULL;

      if (scorch_recorder_get_stop_reason (recorder) == SCORCH_STOP_REASON_TARGET_EXITED)
        message = g_strdup_printf (_("No samples were recorded: “%s” ended before it used the CPU. "
                                     "The capture is in %s."), s->title, s->output_path);
      else
        message = g_strdup_printf (_("No samples were recorded. The capture is in %s."), s->output_path);
      fail_session (self, message);
      return;
    }

  /* SCORCH_RECORD_RELOAD=1 (bench/stop-latency.sh, for comparison):
   * read the capture again as before the live session had the profile. */
  if (s->live != NULL && g_strcmp0 (g_getenv ("SCORCH_RECORD_RELOAD"), "1") != 0)
    finish_live (self, s);
  else
    load_capture (self, s);
}

static void
host_record_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ScorchWindow) self = user_data;
  Session *s = current_session (self);
  g_autoptr(GError) error = NULL;

  if (!scorch_host_recorder_record_finish (SCORCH_HOST_RECORDER (object), result, &error))
    {
      if (s != NULL)
        fail_session (self, error->message);
      return;
    }
  if (s == NULL)
    return;
  s->finished_at = g_get_monotonic_time ();
  update_actions (self);
  load_capture (self, s);
}

static void
progress_cb (ScorchRecorder               *recorder,
             const ScorchRecorderProgress *progress,
             gpointer                      user_data)
{
  ScorchWindow *self = user_data;
  WindowRecord *state = get_state (self);

  if (state->session != NULL && state->session->recorder == recorder)
    scorch_recording_view_set_progress (state->session->view, progress);
}

static gboolean
host_timer_cb (gpointer user_data)
{
  Session *s = user_data;
  ScorchRecorderProgress progress = { 0, };
  struct stat st;

  progress.elapsed = (g_get_monotonic_time () - s->host_started) / 1e6;
  if (stat (s->output_path, &st) == 0)
    progress.bytes = st.st_size;
  scorch_recording_view_set_progress (s->view, &progress);
  if (s->options->duration > 0 && progress.elapsed >= s->options->duration && !s->stopping)
    {
      s->stopping = TRUE;
      scorch_host_recorder_stop (s->host_recorder);
    }
  return G_SOURCE_CONTINUE;
}

/* -- the program's output -- */

static void read_output (Session *s);

static void
output_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ScorchWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  Session *s;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  s = current_session (self);
  if (s == NULL || s->output_stream != G_INPUT_STREAM (object))
    {
      g_object_unref (self);
      return;
    }
  if (n > 0)
    {
      scorch_recording_view_append_output (s->view, s->output_buf, n);
      read_output (s);
    }
  else if (n == 0 || error != NULL)
    {
      /* EOF: the program closed its output (it has exited). */
      g_clear_object (&s->output_stream);
    }
  g_object_unref (self);
}

static void
read_output (Session *s)
{
  g_input_stream_read_async (s->output_stream, s->output_buf, sizeof s->output_buf,
                             G_PRIORITY_DEFAULT, s->cancellable, output_read_cb,
                             g_object_ref (s->window));
}

/* The recorder passes its own stdout and stderr to the program. To show
 * the program's output, the program runs through /bin/sh, which redirects
 * both into a FIFO that Scorch reads, then execs the program (so the
 * profile is the program's; the shell's few microseconds before the exec
 * are all it adds). Returns the argv to launch. */
static char **
setup_output_capture (Session  *s,
                      GError  **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *quoted = NULL;
  g_autofree char *script = NULL;
  int fd;

  s->fifo_dir = g_dir_make_tmp ("scorch-output-XXXXXX", error);
  if (s->fifo_dir == NULL)
    return NULL;
  s->fifo_path = g_build_filename (s->fifo_dir, "output", NULL);
  if (mkfifo (s->fifo_path, 0600) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "mkfifo %s: %s", s->fifo_path, g_strerror (errsv));
      return NULL;
    }
  /* Opening the read side without blocking lets the shell's open for
   * writing go through as soon as it happens. */
  fd = open (s->fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "open %s: %s", s->fifo_path, g_strerror (errsv));
      return NULL;
    }
  s->output_stream = g_unix_input_stream_new (fd, TRUE);

  quoted = g_shell_quote (s->fifo_path);
  script = g_strdup_printf ("exec \"$0\" \"$@\" <>/dev/null >%s 2>&1", quoted);
  /* <>/dev/null: no stdin; read-write so it never blocks. */
  g_strv_builder_add_many (b, "/bin/sh", "-c", script, NULL);
  g_strv_builder_addv (b, (const char **) s->options->argv);
  return g_strv_builder_end (b);
}

/* While recording, the title says what is recorded (not the capture shown
 * before); the profile's file names it once loaded. */
static void
show_recording_title (ScorchWindow *self,
                      Session      *s)
{
  ScorchSession *session = _scorch_window_get_session (self);

  scorch_session_set_title (session, s->title);
  scorch_session_set_subtitle (session, NULL);
}

static char *
make_output_path (GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *dir = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;
  char *path;

  if (scorch_host_recorder_is_sandboxed () && scorch_host_recorder_check_permission (NULL))
    {
      /* The host's perf may write it: use the directory both sides see. */
      dir = scorch_host_recorder_dup_shared_dir (error);
      if (dir == NULL)
        return NULL;
    }
  else
    dir = g_build_filename (g_get_user_cache_dir (), "scorch", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot create the folder for recordings, %s: %s"), dir, g_strerror (errsv));
      return NULL;
    }
  stamp = g_date_time_format (now, "%Y-%m-%d-%H%M%S");
  name = g_strdup_printf ("recording-%s.data", stamp);
  path = g_build_filename (dir, name, NULL);
  /* Two recordings in the same second: number them. */
  for (guint i = 2; g_file_test (path, G_FILE_TEST_EXISTS) && i < 1000; i++)
    {
      g_free (path);
      g_free (name);
      name = g_strdup_printf ("recording-%s-%u.data", stamp, i);
      path = g_build_filename (dir, name, NULL);
    }
  return path;
}

static gboolean
start_recording (ScorchWindow         *self,
                 ScorchRecordOptions  *options,
                 GError              **error)
{
  WindowRecord *state = get_state (self);
  Session *s;
  g_autofree char *subtitle = NULL;
  g_autoptr(ScorchRecorderPermissions) perms = NULL;

  g_return_val_if_fail (state->session == NULL, FALSE);

  s = g_new0 (Session, 1);
  s->window = self;
  s->view = state->view;
  s->options = options;
  s->cancellable = g_cancellable_new ();
  s->output_path = make_output_path (error);
  if (s->output_path == NULL)
    {
      session_free (s);
      return FALSE;
    }
  if (options->system_wide)   /* reach */
    s->title = g_strdup (_("Recording the whole system"));
  else if (options->pid > 0)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/%d/comm", options->pid);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (comm_path, &comm, NULL, NULL))
        g_strstrip (comm);
      s->title = g_strdup_printf (_("Recording %s (process %d)"), comm ? comm : "?", options->pid);
    }
  else
    {
      g_autofree char *base = g_path_get_basename (options->argv[0]);
      s->title = g_strdup_printf (_("Recording %s"), base);
    }
  subtitle = g_strdup_printf ("%s · %u Hz · %s",
                              s->output_path, options->frequency,
                              options->call_graph_reason != NULL ? options->call_graph_reason
                              : options->dwarf ? _("DWARF stacks") : _("Frame-pointer stacks"));

  /* reach: inside the Flatpak, perf record on the host only to launch a
   * program when the user granted flatpak-spawn --host (off by default);
   * everything else records in the sandbox, directly or through sysprofd */
  if (scorch_host_recorder_is_sandboxed () && !options->system_wide && options->pid <= 0 &&
      scorch_host_recorder_check_permission (NULL))
    {
      /* Inside the Flatpak: perf record on the host. */
      s->host_recorder = scorch_host_recorder_new ();
      if (options->pid > 0)
        scorch_host_recorder_set_pid (s->host_recorder, options->pid);
      else
        scorch_host_recorder_set_program (s->host_recorder, (const char * const *) options->argv,
                                          options->cwd, NULL);
      scorch_host_recorder_set_frequency (s->host_recorder, options->frequency);
      scorch_host_recorder_set_dwarf (s->host_recorder, options->dwarf);
      scorch_host_recorder_set_kernel (s->host_recorder, options->kernel);
      scorch_host_recorder_set_output (s->host_recorder, s->output_path);
      if (!scorch_host_recorder_check_permission (error))
        {
          session_free (s);
          return FALSE;
        }
      state->session = s;
      scorch_recording_view_reset (s->view, s->title, subtitle);
      show_recording_title (self, s);
      scorch_recording_view_set_output_note (s->view,
                                             _("Recording on the host with perf: the live flame graph "
                                               "and the program’s output are not available from the "
                                               "Flatpak sandbox. The profile appears when you stop."));
      s->host_started = g_get_monotonic_time ();
      s->host_timer = g_timeout_add (500, host_timer_cb, s);
      scorch_host_recorder_record_async (s->host_recorder, s->cancellable, host_record_done,
                                         g_object_ref (self));
      scorch_window_set_page (self, "recording");
      update_actions (self);
      return TRUE;
    }

  s->recorder = scorch_recorder_new ();
  scorch_recorder_set_via (s->recorder, options->via);   /* reach */
  if (options->system_wide)
    scorch_recorder_set_system_wide (s->recorder, TRUE);
  else if (options->pid > 0)
    scorch_recorder_set_pid (s->recorder, options->pid);
  else
    {
      g_auto(GStrv) argv = setup_output_capture (s, error);

      if (argv == NULL)
        {
          session_free (s);
          return FALSE;
        }
      scorch_recorder_set_command (s->recorder, (const char * const *) argv, options->cwd,
                                   (const char * const *) options->envp);
      scorch_recorder_set_cmdline (s->recorder, (const char * const *) options->argv);
    }
  scorch_recorder_set_frequency (s->recorder, options->frequency);
  scorch_recorder_set_call_graph (s->recorder, options->mode, 0);
  /* Record what is allowed: kernel stacks only where the kernel lets us. */
  perms = scorch_recorder_check_permissions ();
  scorch_recorder_set_kernel (s->recorder, options->kernel && perms->can_kernel);
  scorch_recorder_set_duration (s->recorder, options->duration);
  scorch_recorder_set_off_cpu (s->recorder, options->off_cpu);   /* -- off-CPU -- */
  scorch_recorder_set_output_path (s->recorder, s->output_path);

  s->live = scorch_live_session_new ();
  scorch_live_session_set_snapshot_interval (s->live, LIVE_INTERVAL_MSEC);
  scorch_live_session_attach (s->live, s->recorder);
  g_signal_connect (s->live, "snapshot", G_CALLBACK (live_snapshot_cb), s);

  g_signal_connect_object (s->recorder, "progress", G_CALLBACK (progress_cb), self, 0);

  state->session = s;
  scorch_recording_view_reset (s->view, s->title, subtitle);
  show_recording_title (self, s);
  if (s->output_stream != NULL)
    read_output (s);
  else
    scorch_recording_view_set_output_note (s->view,
                                           _("The process writes its output where it did before "
                                             "recording started."));

  scorch_recorder_record_async (s->recorder, s->cancellable, record_done, g_object_ref (self));
  scorch_window_set_page (self, "recording");
  update_actions (self);
  return TRUE;
}

/* -- the dialog -- */

static void
dialog_record (ScorchWindow       *self,
               ScorchRecordDialog *dialog)
{
  WindowRecord *state = get_state (self);
  g_autoptr(GError) error = NULL;
  ScorchRecordOptions *options;

  options = scorch_record_dialog_dup_options (dialog, &error);
  if (options == NULL)
    {
      set_last_error (self, error->message);
      scorch_record_dialog_show_error (dialog, error->message);
      return;
    }
  if (!start_recording (self, options, &error))
    {
      /* start_recording owns options from here, even on failure. */
      set_last_error (self, error->message);
      scorch_record_dialog_show_error (dialog, error->message);
      return;
    }
  state->dialog = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
dialog_destroyed (ScorchWindow *self,
                  GtkWidget    *dialog)
{
  WindowRecord *state = get_state (self);

  if (state != NULL && state->dialog == SCORCH_RECORD_DIALOG (dialog))
    state->dialog = NULL;
}

void
_scorch_window_record_open_dialog (ScorchWindow *self)
{
  WindowRecord *state = get_state (self);

  if (state->session != NULL)
    return;
  if (state->dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (state->dialog));
      return;
    }
  state->dialog = scorch_record_dialog_new (GTK_WINDOW (self));
  g_signal_connect_object (state->dialog, "record", G_CALLBACK (dialog_record), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (state->dialog, "destroy", G_CALLBACK (dialog_destroyed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (state->dialog));
}

/* -- the demo -- */

char *
_scorch_window_record_find_demo (void)
{
  const char *env = g_getenv ("SCORCH_DEMO");
  g_autofree char *self_exe = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *candidate = NULL;
  char *installed;

  /* tools/run.sh and the tests point at the build tree's demo. */
  if (env != NULL && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);

  /* Running from the build tree: build/src/app/scorch → build/src/demo. */
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe != NULL)
    {
      dir = g_path_get_dirname (self_exe);
      candidate = g_build_filename (dir, "..", "demo", "scorch-demo", NULL);
      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        return g_canonicalize_filename (candidate, NULL);
    }

  installed = g_build_filename (PKGLIBEXECDIR, "scorch-demo", NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return installed;
  g_free (installed);
  return NULL;
}

static void
record_demo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  WindowRecord *state = get_state (self);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;
  ScorchRecordOptions *o;
  g_autofree char *demo = NULL;

  if (state->session != NULL)
    return;

  demo = _scorch_window_record_find_demo ();
  if (demo == NULL)
    {
      fail_session (self, _("The demo program is not installed with this copy of Scorch."));
      return;
    }

  o = g_new0 (ScorchRecordOptions, 1);
  o->program = g_strdup (demo);
  o->argv = g_new0 (char *, 2);
  o->argv[0] = g_strdup (demo);
  o->frequency = g_settings_get_uint (settings, "record-frequency");
  o->call_graph = SCORCH_RECORD_CALL_GRAPH_AUTO;
  o->dwarf = scorch_record_choose_dwarf (demo, &o->call_graph_reason);
  o->mode = o->dwarf ? SCORCH_CALL_GRAPH_DWARF : SCORCH_CALL_GRAPH_FP_REPAIR;
  /* The demo is about the program, not the kernel: user space only keeps
   * it working on systems that forbid kernel profiling. */
  o->kernel = FALSE;

  if (!start_recording (self, o, &error))
    fail_session (self, error->message);
}

/* -- stop -- */

static void
stop_recording_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  WindowRecord *state = get_state (self);
  Session *s = state->session;

  if (s == NULL || s->stopping)
    return;
  s->stopping = TRUE;
  s->stop_requested_at = g_get_monotonic_time ();
  scorch_recording_view_set_finishing (s->view, _("Stopping…"));
  if (s->recorder != NULL)
    scorch_recorder_stop (s->recorder);
  else if (s->host_recorder != NULL)
    scorch_host_recorder_stop (s->host_recorder);
  update_actions (self);
}

/* -- the window's hooks -- */

void
_scorch_window_record_free (ScorchWindowRecord *state)
{
  if (state == NULL)
    return;

  g_clear_pointer (&state->session, session_free);
  g_free (state->last_error);
  g_free (state);
}

void
_scorch_window_record_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (SCORCH_TYPE_RECORDING_VIEW);

  gtk_widget_class_install_action (widget_class, "win.record-demo", NULL, record_demo_action);
  gtk_widget_class_install_action (widget_class, "win.stop-recording", NULL, stop_recording_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.stop-recording", NULL);
}

void
_scorch_window_record_init (ScorchWindow *self)
{
  WindowRecord *state = g_new0 (WindowRecord, 1);
  GtkStack *stack = scorch_window_get_stack (self);
  GtkStackPage *page;
  g_autofree char *demo = NULL;

  _scorch_window_set_record (self, state);

  state->view = SCORCH_RECORDING_VIEW (scorch_recording_view_new ());
  page = gtk_stack_add_named (stack, GTK_WIDGET (state->view), "recording");
  gtk_stack_page_set_title (page, _("Recording"));

  demo = _scorch_window_record_find_demo ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.record-demo", demo != NULL);
  update_actions (self);
}

void
_scorch_window_record_dispose (ScorchWindow *self)
{
  WindowRecord *state = get_state (self);

  if (state == NULL)
    return;
  if (state->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (state->dialog));
  state->dialog = NULL;
  /* Cancelling finalizes the capture and kills a launched program. */
  if (state->session != NULL && state->session->recorder != NULL)
    scorch_recorder_stop (state->session->recorder);
  g_clear_pointer (&state->session, session_free);
}

GtkWindow *
_scorch_window_record_get_dialog (ScorchWindow *self)
{
  WindowRecord *state = get_state (self);
  return state->dialog != NULL ? GTK_WINDOW (state->dialog) : NULL;
}

GtkWidget *
_scorch_window_record_get_view (ScorchWindow *self)
{
  return GTK_WIDGET (get_state (self)->view);
}

gboolean
_scorch_window_record_is_busy (ScorchWindow *self)
{
  return get_state (self)->session != NULL;
}

gint64
_scorch_window_record_get_last_finish_time (ScorchWindow *self)
{
  return get_state (self)->last_finish_usec;
}

const char *
_scorch_window_record_get_last_error (ScorchWindow *self)
{
  return get_state (self)->last_error;
}
