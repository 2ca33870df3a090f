/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-summary-view.c: the capture summary page in the real window, on a
 * capture that scorch-cli records at test time (a shell that runs the C++
 * thread workload and exits with 3): the rows say the sample count and the
 * exit status, the status line links to the page; light and dark
 * screenshots of the window (summary-light.png, summary-dark.png) and of
 * the whole page (summary-page-*.png) in G_TEST_BUILDDIR. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "scorch-application.h"
#include "scorch-summary-view.h"
#include "scorch-window.h"
#include "explore-test-util.h"

static ScorchApplication *app;
static char *tmpdir;
static char *capture;
static char *skip_reason;

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
loaded_cb (ScorchWindow *w,
           gboolean     *loaded)
{
  *loaded = TRUE;
}

static void
record_capture (void)
{
  const char *cli = g_getenv ("SCORCH_CLI");
  const char *dir = g_getenv ("SCORCH_TEST_WORKLOADS");
  g_autofree char *workload = g_build_filename (dir != NULL ? dir : ".", "analysis-cpp", NULL);
  g_autofree char *script = g_strdup_printf ("'%s' 0.6; exit 3", workload);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_nonnull (cli);
  g_assert_true (g_file_test (workload, G_FILE_TEST_IS_EXECUTABLE));
  capture = g_build_filename (tmpdir, "exit-3.data", NULL);
  {
    const char *argv[] = { cli, "record", "--call-graph", "fp", "-o", capture, "--", "/bin/sh", "-c", script, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
      g_error ("cannot run scorch-cli: %s", error->message);
  }
  if (!g_file_test (capture, G_FILE_TEST_IS_REGULAR))
    skip_reason = g_strdup_printf ("scorch-cli record failed (perf events not allowed here?): %s", err);
}

static GtkScrolledWindow *
find_scrolled_window (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget))
    return GTK_SCROLLED_WINDOW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = find_scrolled_window (child);

      if (found != NULL && gtk_widget_get_mapped (GTK_WIDGET (found)))
        return found;
    }
  return NULL;
}

static const char *
row_value (ScorchSummaryView *view,
           const char        *id)
{
  AdwActionRow *row = scorch_summary_view_get_fact_row (view, id);

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row)));
  return adw_action_row_get_subtitle (row);
}

static void
test_summary_rows (void)
{
  g_autoptr(GFile) file = NULL;
  ScorchWindow *window;
  ScorchSummaryView *view;
  gboolean loaded = FALSE, timed_out = FALSE;
  g_autofree char *samples = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWidget *hint;
  guint id;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  window = scorch_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  file = g_file_new_for_path (capture);
  g_signal_connect (window, "profile-loaded", G_CALLBACK (loaded_cb), &loaded);
  scorch_window_open_file (window, file);
  id = g_timeout_add_seconds (40, timeout_cb, &timed_out);
  while (!loaded && !timed_out &&
         g_strcmp0 (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), "error") != 0)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_true (loaded);

  view = SCORCH_SUMMARY_VIEW (scorch_window_get_view_widget (window, "summary"));
  g_assert_nonnull (view);
  /* Built when its page is shown (a hidden page costs every open). */
  g_assert_null (scorch_summary_view_get_profile (view));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-summary", NULL);
  g_assert_true (scorch_summary_view_get_profile (view) == scorch_window_get_profile (window));

  /* The rows say what the capture holds */
  samples = g_strdup_printf ("%" G_GUINT64_FORMAT, scorch_profile_get_n_all_samples (scorch_window_get_profile (window)));
  g_assert_cmpuint (scorch_profile_get_n_all_samples (scorch_window_get_profile (window)), >, 0);
  g_assert_cmpstr (row_value (view, "samples"), ==, samples);
  g_assert_cmpstr (row_value (view, "exit-status"), ==, "exited with status 3");
  g_assert_cmpstr (row_value (view, "stack-mode"), ==, "frame pointers (fp)");
  g_assert_cmpstr (row_value (view, "lost"), ==, "0");
  g_assert_nonnull (strstr (row_value (view, "command"), "exit 3"));
  {
    /* the C++ workload's 3 threads at least, as the profile counts them */
    guint n_threads = 0;
    const ScorchThread *threads = scorch_profile_get_threads (scorch_window_get_profile (window), &n_threads);
    g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);
    g_autofree char *expected = NULL;

    for (guint i = 0; i < n_threads; i++)
      g_hash_table_add (pids, GINT_TO_POINTER (threads[i].pid));
    g_assert_cmpuint (n_threads, >=, 3);
    expected = g_strdup_printf ("%u threads in %u process%s", n_threads, g_hash_table_size (pids),
                                g_hash_table_size (pids) == 1 ? "" : "es");
    g_assert_cmpstr (row_value (view, "threads"), ==, expected);
  }

  /* The status line's hint names what the diagnostics found and links to
   * the page: its link switches the view. */
  hint = scorch_window_get_view_widget (window, "status-hint");
  g_assert_true (gtk_widget_get_visible (hint));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (hint)), "libstdc++"));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (hint)), "rebuild"));
  {
    gboolean handled = FALSE;

    scorch_window_set_view (window, "flame-graph");
    g_signal_emit_by_name (hint, "activate-link", "summary", &handled);
    g_assert_true (handled);
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  }

  explore_test_run_for (300);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (window), "summary-light.png"), >, 0.02);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  explore_test_run_for (300);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (window), "summary-dark.png"), >, 0.02);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  /* The whole page at once, in a window of its own. */
  {
    ScorchSummaryView *page = SCORCH_SUMMARY_VIEW (scorch_summary_view_new ());
    GtkWindow *w = explore_test_window (GTK_WIDGET (page), 760, 1000);

    GtkScrolledWindow *scrolled;
    GtkAdjustment *adj;

    scorch_summary_view_set_profile (page, scorch_window_get_profile (window));
    explore_test_run_for (300);
    g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (page), "summary-page-light.png"), >, 0.02);
    /* and its lower half: where stacks stop, leaves, symbols */
    scrolled = find_scrolled_window (GTK_WIDGET (page));
    g_assert_nonnull (scrolled);
    adj = gtk_scrolled_window_get_vadjustment (scrolled);
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    explore_test_run_for (300);
    g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (page), "summary-page-end-light.png"), >, 0.02);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
    explore_test_run_for (300);
    g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (page), "summary-page-end-dark.png"), >, 0.02);
    gtk_adjustment_set_value (adj, 0);
    explore_test_run_for (300);
    g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (page), "summary-page-dark.png"), >, 0.02);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    gtk_window_destroy (w);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A profile without capture facts (folded stacks) shows the empty page. */
static void
test_no_facts (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchSummaryView *view = SCORCH_SUMMARY_VIEW (scorch_summary_view_new ());
  GtkWindow *w = explore_test_window (GTK_WIDGET (view), 600, 400);

  scorch_summary_view_set_profile (view, profile);
  g_assert_null (scorch_summary_view_get_fact_row (view, "samples"));
  scorch_summary_view_set_profile (view, NULL);
  gtk_window_destroy (w);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-summary-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);

  record_capture ();

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/summary/rows", test_summary_rows);
  g_test_add_func ("/app/summary/no-facts", test_no_facts);

  status = g_test_run ();

  g_clear_object (&app);
  if (capture != NULL)
    g_unlink (capture);
  {
    g_autofree char *recent = g_build_filename (tmpdir, "recently-used.xbel", NULL);

    g_unlink (recent);
  }
  g_rmdir (tmpdir);
  g_free (capture);
  g_free (tmpdir);
  g_free (skip_reason);
  return status;
}
