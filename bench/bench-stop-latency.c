/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-stop-latency.c: Stop → final profile in the app. Records PROGRAM
 * (with ARGS) from the window's record dialog for SECONDS, presses Stop,
 * and prints how long the final profile took to be shown: after Stop, and
 * after the recorder finished the capture. Run under Xvfb by
 * stop-latency.sh. */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>

#include "scorch-application.h"
#include "scorch-record-dialog.h"
#include "scorch-window-private.h"

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data,
               gint64     timeout_usec)
{
  gint64 deadline = g_get_monotonic_time () + timeout_usec;

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!done (data))
    {
      g_printerr ("bench-stop-latency: timed out\n");
      exit (1);
    }
}

static gboolean
dialog_shown (gpointer data)
{
  return _scorch_window_record_get_dialog (data) != NULL;
}

static gboolean
not_busy (gpointer data)
{
  return !_scorch_window_record_is_busy (data);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gint64        *painted_at)
{
  if (*painted_at == 0)
    *painted_at = g_get_monotonic_time ();
}

static gboolean
painted (gpointer data)
{
  return *(gint64 *) data != 0;
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(ScorchApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  ScorchRecordDialog *dialog;
  ScorchWindow *window;
  gint64 stop_at, stopped, shown, painted_at = 0;
  gulong paint_id;
  GdkFrameClock *clock;
  double seconds;

  if (argc < 3)
    {
      g_printerr ("Usage: bench-stop-latency SECONDS PROGRAM [ARGS]\n");
      return 2;
    }
  seconds = g_ascii_strtod (argv[1], NULL);

  app = scorch_application_new ("org.scorch.BenchStopLatency", G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("bench-stop-latency: %s\n", error->message);
      return 1;
    }
  g_application_activate (G_APPLICATION (app));
  window = SCORCH_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.record", NULL);
  iterate_until (dialog_shown, window, 10 * G_USEC_PER_SEC);
  dialog = SCORCH_RECORD_DIALOG (_scorch_window_record_get_dialog (window));
  {
    g_autofree char *args = argc > 3 ? g_strjoinv (" ", argv + 3) : NULL;

    scorch_record_dialog_set_program (dialog, argv[2], args);
  }
  gtk_widget_activate_action (GTK_WIDGET (dialog), "record-dialog.start", NULL);

  stop_at = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  iterate_until (time_passed, &stop_at, (gint64) (seconds + 30) * G_USEC_PER_SEC);
  stopped = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop-recording", NULL);
  iterate_until (not_busy, window, 600 * G_USEC_PER_SEC);
  /* The final profile is in the window: until it is drawn. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted_at);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  iterate_until (painted, &painted_at, 60 * G_USEC_PER_SEC);
  g_signal_handler_disconnect (clock, paint_id);
  shown = painted_at;

  if (_scorch_window_record_get_last_error (window) != NULL)
    {
      g_printerr ("bench-stop-latency: %s\n", _scorch_window_record_get_last_error (window));
      return 1;
    }
  printf ("stop_to_profile_ms %.1f\nrecording_end_to_profile_ms %.1f\nsamples %" G_GUINT64_FORMAT "\n",
          (shown - stopped) / 1e3, _scorch_window_record_get_last_finish_time (window) / 1e3,
          scorch_profile_get_n_all_samples (scorch_window_get_profile (window)));
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return 0;
}
