/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-source.c: the source view, opened from the hotspot table with
 * the keyboard (Ctrl+Enter on the hottest row) on a capture recorded here
 * of a workload built here: the hottest line is the known one and is
 * visible; the disassembly is there; light and dark screenshots; with the
 * source gone, the view says so and shows the disassembly. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "app-test-util.h"
#include "perf-record-util.h"
#include "scorch-application.h"
#include "scorch-hotspot-view.h"
#include "scorch-session.h"
#include "scorch-source-view.h"
#include "scorch-window-private.h"
#include "scorch-window.h"
#include "xdo-test-util.h"

static ScorchApplication *app;
static char *tmpdir;

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static guint
marker_line (const char *marker)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "workloads", "annotate-workload.c", NULL),
                                      &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], marker) != NULL)
      return i + 1;
  g_assert_not_reached ();
}

/* Builds the workload from a copy of its source in DIR and records it:
 * returns the capture; *source_out the copy's path. */
static char *
build_and_record (const char  *name,
                  char       **source_out)
{
  g_autofree char *dir = g_build_filename (tmpdir, name, NULL);
  g_autofree char *source = g_build_filename (dir, "annotate-workload.c", NULL);
  g_autofree char *binary = g_build_filename (dir, "workload", NULL);
  char *data = g_strdup_printf ("%s/%s.data", tmpdir, name);
  g_autofree char *text = NULL;
  gsize len;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "workloads", "annotate-workload.c", NULL),
                                      &text, &len, NULL));
  g_assert_true (g_file_set_contents (source, text, len, NULL));
  {
    const char *argv[] = { "gcc", "-O2", "-g", "-fno-omit-frame-pointer", "-o", binary, source, NULL };
    g_autofree char *out = run (argv);
  }
  {
    const char *argv[] = { "perf", "record", "-q", "-e", "cpu-clock", "-c", "500000", "-g", "-o", data,
                           "--", binary, "0.6", "hot", NULL };

    perf_record_util_run_ok (argv, NULL);
  }
  *source_out = g_steal_pointer (&source);
  return data;
}

static gboolean
profile_loaded (gpointer data)
{
  return scorch_session_get_profile (_scorch_window_get_session (data)) != NULL;
}

typedef struct
{
  GType      type;
  GtkWindow *found;
} FindToplevel;

static gboolean
find_toplevel (gpointer data)
{
  FindToplevel *find = data;
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, find->type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        {
          find->found = w;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
view_loaded (gpointer data)
{
  return scorch_source_view_is_loaded (data);
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

/* TRUE when LINE (1-based) of VIEW lies inside its visible area. */
static gboolean
line_visible (GtkTextView *view,
              guint        line)
{
  GdkRectangle visible;
  GtkTextIter iter;
  int y, height;

  gtk_text_view_get_visible_rect (view, &visible);
  gtk_text_buffer_get_iter_at_line (gtk_text_view_get_buffer (view), &iter, line - 1);
  gtk_text_view_get_line_yrange (view, &iter, &y, &height);
  return visible.height > 0 && y >= visible.y && y + height <= visible.y + visible.height;
}

/* Opens the capture, selects the hottest row of the hotspot table and
 * presses Ctrl+Enter; returns the source view, loaded. */
static ScorchSourceView *
open_source_view (const char    *data,
                  ScorchWindow **window_out)
{
  g_autoptr(GFile) file = g_file_new_for_path (data);
  ScorchWindow *window = scorch_window_new (app);
  ScorchHotspotView *hotspots;
  FindToplevel find = { SCORCH_TYPE_SOURCE_VIEW, NULL };

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  scorch_window_open_file (window, file);
  app_test_wait_for (profile_loaded, window, 30000, "the capture to load");
  app_test_wait_until_drawn (GTK_WIDGET (window));

  hotspots = SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (window, "hotspots"));
  {
    g_autoptr(GObject) first = g_list_model_get_item (scorch_hotspot_view_get_model (hotspots), 0);
    g_assert_nonnull (first);
  }
  /* the keyboard: focus the table, first row, Ctrl+Enter */
  xdo_test_focus (GTK_WINDOW (window));
  run_for (100);
  gtk_widget_grab_focus (GTK_WIDGET (hotspots));
  gtk_widget_child_focus (GTK_WIDGET (hotspots), GTK_DIR_TAB_FORWARD);
  run_for (100);
  xdo_test_key ("Home");
  run_for (200);
  xdo_test_key ("ctrl+Return");
  app_test_wait_for (find_toplevel, &find, 10000, "the source view");
  app_test_wait_for (view_loaded, find.found, 30000, "the annotation");
  app_test_wait_until_drawn (GTK_WIDGET (find.found));
  run_for (300);
  app_test_wait_until_drawn (GTK_WIDGET (find.found));
  *window_out = window;
  return SCORCH_SOURCE_VIEW (find.found);
}

static void
test_hot_line (void)
{
  const char *why = xdo_test_unavailable ();
  g_autofree char *source = NULL;
  g_autofree char *data = NULL;
  ScorchWindow *window = NULL;
  ScorchSourceView *view;
  guint hot = marker_line ("HOT_LINE");

  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }
  if (!perf_record_util_can_record ())
    {
      g_test_skip ("perf record cannot run here");
      return;
    }
  data = build_and_record ("hot", &source);
  view = open_source_view (data, &window);

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (view)), ==, "hot_loop");
  g_assert_cmpstr (scorch_source_view_get_message (view), ==, "");
  g_assert_cmpstr (scorch_source_view_get_page (view), ==, "source");
  g_assert_cmpuint (scorch_source_view_get_hottest_line (view), ==, hot);
  g_assert_true (line_visible (scorch_source_view_get_text_view (view, FALSE), hot));
  {
    GtkTextBuffer *asm_buffer = gtk_text_view_get_buffer (scorch_source_view_get_text_view (view, TRUE));
    g_autofree char *asm_text = NULL;
    GtkTextIter a, b;

    gtk_text_buffer_get_bounds (asm_buffer, &a, &b);
    asm_text = gtk_text_buffer_get_text (asm_buffer, &a, &b, FALSE);
    g_assert_nonnull (strstr (asm_text, "HOT_LINE"));   /* the interleaved source line */
    g_assert_nonnull (strstr (asm_text, "→"));          /* a jump target link */
  }
  app_test_save_screenshot (GTK_WIDGET (view), "source-view-light.png");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  run_for (300);
  app_test_wait_until_drawn (GTK_WIDGET (view));
  app_test_save_screenshot (GTK_WIDGET (view), "source-view-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  {
    AdwViewStack *stack = NULL;
    GtkWidget *w = GTK_WIDGET (scorch_source_view_get_text_view (view, TRUE));

    while (w != NULL && !ADW_IS_VIEW_STACK (w))
      w = gtk_widget_get_parent (w);
    stack = ADW_VIEW_STACK (w);
    g_assert_nonnull (stack);
    adw_view_stack_set_visible_child_name (stack, "disassembly");
    run_for (300);
    app_test_wait_until_drawn (GTK_WIDGET (view));
    app_test_save_screenshot (GTK_WIDGET (view), "source-view-disassembly.png");
  }

  gtk_window_destroy (GTK_WINDOW (view));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_missing_source (void)
{
  const char *why = xdo_test_unavailable ();
  g_autofree char *source = NULL;
  g_autofree char *data = NULL;
  g_autofree char *expected = NULL;
  ScorchWindow *window = NULL;
  ScorchSourceView *view;

  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }
  if (!perf_record_util_can_record ())
    {
      g_test_skip ("perf record cannot run here");
      return;
    }
  data = build_and_record ("gone", &source);
  g_assert_cmpint (g_unlink (source), ==, 0);
  view = open_source_view (data, &window);

  expected = g_strdup_printf ("Source file %s was not found: choose the folder that holds the sources "
                              "(source root), or set DEBUGINFOD_URLS", source);
  g_assert_nonnull (strstr (scorch_source_view_get_message (view), expected));
  g_assert_true (app_test_label_shown (GTK_WIDGET (view), "was not found"));
  g_assert_cmpstr (scorch_source_view_get_page (view), ==, "disassembly");
  app_test_save_screenshot (GTK_WIDGET (view), "source-view-missing-source.png");

  gtk_window_destroy (GTK_WINDOW (view));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-app-source-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  g_unsetenv ("DEBUGINFOD_URLS");

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/source/hot-line", test_hot_line);
  g_test_add_func ("/app/source/missing-source", test_missing_source);

  status = g_test_run ();

  g_clear_object (&app);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmpdir);
  }
  g_free (tmpdir);
  return status;
}
