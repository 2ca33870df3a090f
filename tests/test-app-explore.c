/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-explore.c: the real application on a capture recorded by
 * `perf record -g` at test time: load through the application's open
 * handler (as `scorch FILE`), the linked views, search, zoom, thread
 * filter, export; light and dark screenshots in G_TEST_BUILDDIR. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "scorch-application.h"
#include "scorch-flame-graph.h"
#include "scorch-function-item.h"
#include "scorch-hotspot-view.h"
#include "scorch-thread-item.h"
#include "scorch-thread-list.h"
#include "scorch-window.h"
#include "scorch-window-private.h"
#include "explore-test-util.h"
#include "perf-record-util.h"
#include "output-check.h"

static ScorchApplication *app;
static char *tmpdir;
static char *capture;
static char *skip_reason;
static ScorchWindow *window;

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

static const char *
first_row_name (ScorchHotspotView *view)
{
  g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (scorch_hotspot_view_get_model (view), 0);

  return item != NULL ? scorch_function_item_get_name (item) : NULL;
}

static gboolean
record_capture (void)
{
  const char *dir = g_getenv ("SCORCH_TEST_WORKLOADS");
  g_autofree char *workload = NULL;
  g_autofree char *perf = g_find_program_in_path ("perf");
  g_autofree char *err = NULL;
  gboolean ok;

  if (perf == NULL)
    {
      skip_reason = g_strdup ("perf is not installed");
      return FALSE;
    }
  workload = g_build_filename (dir != NULL ? dir : ".", "explore-workload", NULL);
  g_assert_true (g_file_test (workload, G_FILE_TEST_IS_EXECUTABLE));

  capture = g_build_filename (tmpdir, "explore.perf.data", NULL);
  {
    const char *argv[] = { perf, "record", "-g", "-F", "999", "-o", capture, "--", workload, "900", NULL };

    ok = perf_record_util_run (argv, NULL, &err);
  }
  if (!ok)
    {
      /* perf_event_paranoid or a container without perf events */
      skip_reason = g_strdup_printf ("perf record failed (not allowed here?): %s", err);
      return FALSE;
    }
  return TRUE;
}

static void
test_open_from_command_line (void)
{
  g_autoptr(GFile) file = NULL;
  gboolean loaded = FALSE, timed_out = FALSE;
  guint id;
  GList *windows;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  /* As `scorch FILE` does: the application's open handler. */
  file = g_file_new_for_path (capture);
  g_application_open (G_APPLICATION (app), &file, 1, "");
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  g_assert_nonnull (windows);
  window = SCORCH_WINDOW (windows->data);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);

  /* The window shows the loading page and stays responsive meanwhile. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "loading");

  g_signal_connect (window, "profile-loaded", G_CALLBACK (loaded_cb), &loaded);
  id = g_timeout_add_seconds (40, timeout_cb, &timed_out);
  while (!loaded && !timed_out &&
         g_strcmp0 (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), "error") != 0)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (!loaded)
    {
      AdwStatusPage *error = ADW_STATUS_PAGE (scorch_window_get_view_widget (window, "error"));
      g_error ("the capture did not load: %s", timed_out ? "timed out" : adw_status_page_get_description (error));
    }

  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  g_assert_nonnull (scorch_window_get_profile (window));

  /* Listed in the recent files (the Open Recent menu) */
  {
    g_autofree char *uri = g_file_get_uri (file);
    g_autoptr(GtkRecentInfo) info = gtk_recent_manager_lookup_item (gtk_recent_manager_get_default (), uri, NULL);

    g_assert_nonnull (info);
    g_assert_true (gtk_recent_info_has_group (info, "scorch"));
  }
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (window)), >, 100);
  explore_test_wait_drawn (GTK_WIDGET (window));
}

static void
test_hottest_first (void)
{
  ScorchHotspotView *hotspots;
  ScorchProfile *profile;
  g_autoptr(ScorchFunctionItem) first = NULL;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no capture loaded");
      return;
    }

  hotspots = SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (window, "hotspots"));
  profile = scorch_window_get_profile (window);
  g_assert_true (scorch_hotspot_view_get_profile (hotspots) == profile);

  /* The main thread spins in explore_hot_loop three times as long as the
   * worker in explore_worker_loop: it is the hottest function by far. */
  g_assert_cmpstr (first_row_name (hotspots), ==, "explore_hot_loop");
  first = g_list_model_get_item (scorch_hotspot_view_get_model (hotspots), 0);
  g_assert_cmpfloat (scorch_function_item_get_self_percent (first), >, 40.0);

  explore_test_screenshot (GTK_WIDGET (window), "app-explore.png");
}

/* The toggle button labelled LABEL under WIDGET, or NULL. */
static GtkToggleButton *
find_toggle_button (GtkWidget  *widget,
                    const char *label)
{
  if (GTK_IS_TOGGLE_BUTTON (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return GTK_TOGGLE_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkToggleButton *found = find_toggle_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  ScorchFlameGraph  *graph;
  ScorchHotspotView *hotspots;
  const char        *text;
  gboolean           valid;
} SearchApplied;

/* Both views search for TEXT, and the search is (in)valid as expected:
 * GtkSearchEntry sends search-changed a little after the text changes. */
static gboolean
search_applied (gpointer data)
{
  SearchApplied *s = data;

  const char *in_graph = scorch_flame_graph_get_search_text (s->graph);
  const char *in_table = scorch_hotspot_view_get_search_text (s->hotspots);

  /* (no search may be NULL or "") */
  return g_strcmp0 (in_graph != NULL ? in_graph : "", s->text) == 0 &&
         g_strcmp0 (in_table != NULL ? in_table : "", s->text) == 0 &&
         (s->text[0] == '\0' || scorch_flame_graph_get_search_valid (s->graph) == s->valid);
}

static void
wait_for_search (ScorchFlameGraph  *graph,
                 ScorchHotspotView *hotspots,
                 const char        *text,
                 gboolean           valid)
{
  SearchApplied s = { graph, hotspots, text, valid };
  g_autofree char *what = g_strdup_printf ("the search for \"%s\" in both views", text);

  explore_test_wait_for (search_applied, &s, what);
}

static void
test_search_and_zoom (void)
{
  ScorchHotspotView *hotspots;
  ScorchFlameGraph *graph;
  GtkEditable *entry;
  ScorchProfile *shown;
  const ScorchNode *nodes;
  guint32 zoom;
  GListModel *model;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no capture loaded");
      return;
    }

  hotspots = SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (window, "hotspots"));
  graph = SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "flame-graph"));
  entry = GTK_EDITABLE (scorch_window_get_view_widget (window, "search-entry"));
  model = scorch_hotspot_view_get_model (hotspots);

  /* Ctrl+F's action opens the search; one search drives every view. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  explore_test_run_for (100);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (entry)) || gtk_widget_is_focus (GTK_WIDGET (entry)) ||
                 gtk_widget_get_mapped (GTK_WIDGET (entry)));
  gtk_editable_set_text (entry, "explore_");
  wait_for_search (graph, hotspots, "explore_", TRUE);
  g_assert_cmpstr (scorch_flame_graph_get_search_text (graph), ==, "explore_");
  g_assert_cmpstr (scorch_hotspot_view_get_search_text (hotspots), ==, "explore_");
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, 2);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (model, i);
      g_assert_nonnull (strstr (scorch_function_item_get_name (item), "explore_"));
    }
  g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (graph), >, 0.5);
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-search.png");

  /* One ScorchSearch for every view; the hidden icicle graph has it but
   * has not searched (it is not mapped). */
  {
    ScorchFlameGraph *icicle = SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "icicle"));

    g_assert_nonnull (scorch_flame_graph_get_search (graph));
    g_assert_true (scorch_flame_graph_get_search (icicle) == scorch_flame_graph_get_search (graph));
    g_assert_true (scorch_hotspot_view_get_search (hotspots) == scorch_flame_graph_get_search (graph));
    g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (icicle)));
  }

  /* An invalid expression is invalid everywhere: no highlight in the
   * graph, no row in the table (never the text searched as it is). */
  {
    GtkToggleButton *regex_button = find_toggle_button (GTK_WIDGET (window), ".*");
    g_assert_nonnull (regex_button);
    gtk_toggle_button_set_active (regex_button, TRUE);
    gtk_editable_set_text (entry, "explore_(");
    wait_for_search (graph, hotspots, "explore_(", FALSE);
    g_assert_false (scorch_flame_graph_get_search_valid (graph));
    g_assert_false (scorch_search_is_valid (scorch_hotspot_view_get_search (hotspots)));
    g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (graph), ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
    explore_test_screenshot (GTK_WIDGET (window), "app-explore-search-invalid.png");
    gtk_toggle_button_set_active (regex_button, FALSE);
    gtk_editable_set_text (entry, "explore_");
    wait_for_search (graph, hotspots, "explore_", TRUE);
    g_assert_true (scorch_flame_graph_get_search_valid (graph));
    g_assert_cmpuint (g_list_model_get_n_items (model), >=, 2);
  }

  /* Selecting the hottest row and activating it zooms the graph to the
   * function's hottest frame. */
  {
    g_autoptr(ScorchFunctionItem) first = g_list_model_get_item (model, 0);
    guint32 frame = scorch_function_item_get_frame (first);

    g_assert_cmpstr (scorch_function_item_get_name (first), ==, "explore_hot_loop");
    scorch_hotspot_view_set_selected_frame (hotspots, frame);
    /* Selecting the row highlights all the function's frames in both graphs. */
    g_assert_cmpuint (scorch_flame_graph_get_highlight_frame (graph), ==, frame);
    g_assert_cmpuint (scorch_flame_graph_get_highlight_frame (SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "icicle"))),
                      ==, frame);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (hotspots), "hotspots.activate", NULL));

    shown = scorch_flame_graph_get_displayed_profile (graph);
    nodes = scorch_profile_get_nodes (shown, NULL);
    zoom = scorch_flame_graph_get_zoom_node (graph);
    g_assert_cmpuint (zoom, !=, SCORCH_PROFILE_ROOT);
    g_assert_cmpuint (nodes[zoom].frame, ==, frame);
    g_assert_cmpuint (scorch_flame_graph_get_selected_node (graph), ==, zoom);
  }
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-zoom.png");

  /* Back out: the flame graph's own action */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (graph), "flame.zoom-reset", NULL));
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (graph), ==, SCORCH_PROFILE_ROOT);
  gtk_editable_set_text (entry, "");
  wait_for_search (graph, hotspots, "", TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 2);
  /* The hottest function's frames stay highlighted, without the search. */
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-highlight.png");
}

static void
test_thread_filter (void)
{
  ScorchHotspotView *hotspots;
  ScorchThreadList *threads;
  GtkLabel *status;
  g_autofree char *status_before = NULL;
  GListModel *thread_model;
  gint32 worker_tid = 0;
  guint64 worker_samples = 0, all;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no capture loaded");
      return;
    }

  hotspots = SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (window, "hotspots"));
  threads = SCORCH_THREAD_LIST (scorch_window_get_view_widget (window, "threads"));
  status = GTK_LABEL (scorch_window_get_view_widget (window, "status"));
  status_before = g_strdup (gtk_label_get_text (status));
  all = scorch_profile_get_total (scorch_window_get_profile (window));

  thread_model = scorch_thread_list_get_model (threads);
  for (guint i = 0; i < g_list_model_get_n_items (thread_model); i++)
    {
      g_autoptr(ScorchThreadItem) item = g_list_model_get_item (thread_model, i);

      if (g_strcmp0 (scorch_thread_item_get_name (item), "explore-worker") == 0)
        {
          worker_tid = scorch_thread_item_get_tid (item);
          worker_samples = scorch_thread_item_get_n_samples (item);
        }
    }
  g_assert_cmpint (worker_tid, >, 0);
  /* the filter is checked by exact totals below: it needs samples in the
   * worker and elsewhere, not many (a 0.9 s recording on a machine loaded
   * by other tests gave the worker 17) */
  g_assert_cmpuint (worker_samples, >, 0);
  g_assert_cmpuint (worker_samples, <, all);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-thread", "i", worker_tid));

  /* Every view shows the worker's samples only */
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (window)), ==, worker_samples);
  g_assert_true (scorch_hotspot_view_get_profile (hotspots) == scorch_window_get_profile (window));
  g_assert_cmpstr (first_row_name (hotspots), ==, "explore_worker_loop");
  g_assert_cmpstr (gtk_label_get_text (status), !=, status_before);
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-thread.png");

  /* Exports follow the selection */
  {
    g_autofree char *svg = g_build_filename (tmpdir, "worker.svg", NULL);
    g_autofree char *folded = g_build_filename (tmpdir, "worker.folded", NULL);
    g_autoptr(GFile) svg_file = g_file_new_for_path (svg);
    g_autoptr(GFile) folded_file = g_file_new_for_path (folded);
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;

    g_assert_true (scorch_window_export (window, "svg", svg_file, &error));
    g_assert_no_error (error);
    g_assert_true (scorch_window_export (window, "folded", folded_file, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (folded, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "explore_worker_loop"));
    g_assert_null (strstr (contents, "explore_hot_loop"));
    g_clear_pointer (&contents, g_free);
    g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "<svg"));
    output_check_svg (svg);
  }

  /* Every thread again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-thread", "i", -1));
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (window)), ==, all);
  g_assert_cmpstr (first_row_name (hotspots), ==, "explore_hot_loop");
}

static void
test_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  ScorchHotspotView *hotspots;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no capture loaded");
      return;
    }

  hotspots = SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (window, "hotspots"));
  scorch_hotspot_view_set_selected_frame (hotspots, SCORCH_NODE_NONE);
  g_assert_cmpuint (scorch_flame_graph_get_highlight_frame (SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "flame-graph"))),
                    ==, G_MAXUINT32);
  /* The search bar closes as its close button does. */
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (gtk_widget_get_ancestor (scorch_window_get_view_widget (window, "search-entry"),
                                                                           GTK_TYPE_SEARCH_BAR)),
                                  FALSE);
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-light.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  explore_test_run_for (200);
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-dark.png");
  scorch_window_set_view (window, "call-tree");
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-call-tree-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-call-tree.png");
  scorch_window_set_view (window, "icicle");
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-icicle.png");
  scorch_window_set_view (window, "caller-callee");
  explore_test_screenshot (GTK_WIDGET (window), "app-explore-caller-callee.png");
  scorch_window_set_view (window, "flame-graph");
}

static void
test_cancel_load (void)
{
  g_autoptr(GFile) file = NULL;
  ScorchProfile *before;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no capture loaded");
      return;
    }

  /* Cancel while loading: the window goes back to the capture it showed. */
  before = scorch_window_get_profile (window);
  file = g_file_new_for_path (capture);
  scorch_window_open_file (window, file);
  /* Before the loading page shows (it waits a while): the capture stays. */
  g_assert_true (_scorch_window_is_loading (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-load", NULL));
  while (_scorch_window_is_loading (window))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  g_assert_true (scorch_window_get_profile (window) == before);
}

static gboolean
find_toplevel (GType type,
               GtkWindow **out)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        {
          *out = w;
          return TRUE;
        }
    }
  return FALSE;
}

static AdwComboRow *
find_combo_row (GtkWidget  *root,
                const char *title)
{
  if (ADW_IS_COMBO_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return ADW_COMBO_ROW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo_row (child, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWindow *prefs = NULL;
  AdwComboRow *colors;
  ScorchFlameGraph *graph;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no capture loaded");
      return;
    }
  graph = SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "flame-graph"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL));
  g_assert_true (find_toplevel (ADW_TYPE_PREFERENCES_WINDOW, &prefs));
  explore_test_wait_drawn (GTK_WIDGET (prefs));
  explore_test_screenshot (GTK_WIDGET (prefs), "app-explore-preferences.png");

  /* Choosing "By Kind" stores the key and recolours the graph */
  colors = find_combo_row (GTK_WIDGET (prefs), "_Colours");
  g_assert_nonnull (colors);
  adw_combo_row_set_selected (colors, 2);
  {
    g_autofree char *scheme = g_settings_get_string (settings, "color-scheme");
    g_assert_cmpstr (scheme, ==, "kind");
  }
  g_assert_cmpint (scorch_flame_graph_get_color_scheme (graph), ==, SCORCH_FLAME_COLORS_KIND);
  g_settings_reset (settings, "color-scheme");
  g_assert_cmpuint (adw_combo_row_get_selected (colors), ==, 0);
  g_assert_cmpint (scorch_flame_graph_get_color_scheme (graph), ==, SCORCH_FLAME_COLORS_HOT);

  gtk_window_destroy (prefs);
}

static void
test_save_and_drop (void)
{
  g_autofree char *copy = NULL;
  g_autoptr(GFile) copy_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL;
  gsize la, lb;
  GtkDropTarget *drop = NULL;
  GListModel *controllers;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE, loaded = FALSE;
  gulong handler;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no capture loaded");
      return;
    }

  /* Save As copies the capture byte for byte */
  copy = g_build_filename (tmpdir, "saved.perf.data", NULL);
  copy_file = g_file_new_for_path (copy);
  g_assert_true (scorch_window_save_capture (window, copy_file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (capture, &a, &la, NULL));
  g_assert_true (g_file_get_contents (copy, &b, &lb, NULL));
  g_assert_cmpmem (a, la, b, lb);

  /* Dropping that file on the window opens it */
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && drop == NULL; i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        drop = GTK_DROP_TARGET (c);
    }
  g_object_unref (controllers);
  g_assert_nonnull (drop);

  handler = g_signal_connect (window, "profile-loaded", G_CALLBACK (loaded_cb), &loaded);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  {
    GSList *files = g_slist_prepend (NULL, copy_file);

    g_value_set_boxed (&value, files);
    g_slist_free (files);
  }
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  /* -- compare: onto a profile, a drop compares; its toast's "Open
   * Instead" (win.open-recent) opens the file -- */
  {
    g_autofree char *uri = g_file_get_uri (copy_file);

    gtk_widget_activate_action (GTK_WIDGET (window), "win.open-recent", "s", uri);
  }
  while (!loaded && g_strcmp0 (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), "error") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (window, handler);
  g_assert_true (loaded);
  g_assert_cmpstr (first_row_name (SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (window, "hotspots"))), ==,
                   "explore_hot_loop");
}

static void
test_truncated_hint (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(ScorchProfile) profile = NULL;
  ScorchWindow *w;
  guint32 f;
  GtkWidget *hint;

  /* A capture where a third of the stacks stopped early */
  f = scorch_profile_builder_intern_frame (builder, "leaf", "/usr/bin/x", NULL, 0, SCORCH_FRAME_KIND_USER);
  for (guint i = 0; i < 30; i++)
    scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 1000 + i, .pid = 1, .tid = 1,
                                                                         .frames = &f, .n_frames = 1, .weight = 1 });
  scorch_profile_builder_get_info (builder)->n_truncated = 10;
  profile = scorch_profile_builder_end (g_steal_pointer (&builder));

  w = scorch_window_new (app);
  gtk_window_present (GTK_WINDOW (w));
  scorch_window_set_profile (w, profile);
  hint = scorch_window_get_view_widget (w, "status-hint");
  g_assert_true (gtk_widget_get_visible (hint));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (hint)), "frame pointers"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (scorch_window_get_view_widget (w, "status"))), "33.3"));
  gtk_window_destroy (GTK_WINDOW (w));
}

static void
test_bad_file (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "not-a-capture.data", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ScorchWindow *w;
  gboolean timed_out = FALSE;
  guint id;

  /* Binary garbage: neither perf.data nor folded stacks */
  g_assert_true (g_file_set_contents (path, "PERFILE2\x01\x02\x03\x04garbage", 20, NULL));
  w = scorch_window_new (app);
  gtk_window_present (GTK_WINDOW (w));
  scorch_window_open_file (w, file);

  id = g_timeout_add_seconds (20, timeout_cb, &timed_out);
  while (!timed_out && _scorch_window_is_loading (w))
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  /* The error page names the file and says why */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (w)), ==, "error");
  {
    AdwStatusPage *error = ADW_STATUS_PAGE (scorch_window_get_view_widget (w, "error"));

    g_assert_nonnull (strstr (adw_status_page_get_title (error), "not-a-capture.data"));
    g_assert_nonnull (strstr (adw_status_page_get_description (error), path));
    g_test_message ("error shown: %s", adw_status_page_get_description (error));
  }
  explore_test_wait_drawn (GTK_WIDGET (w));
  explore_test_screenshot (GTK_WIDGET (w), "app-explore-error.png");
  gtk_window_destroy (GTK_WINDOW (w));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-explore-XXXXXX", &error);
  g_assert_no_error (error);
  /* Recent files go to a private place, not the tester's list. */
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);

  record_capture ();

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);

  /* Screenshots of settled pages, not of a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/explore/open-from-command-line", test_open_from_command_line);
  g_test_add_func ("/app/explore/hottest-first", test_hottest_first);
  g_test_add_func ("/app/explore/search-and-zoom", test_search_and_zoom);
  g_test_add_func ("/app/explore/thread-filter", test_thread_filter);
  g_test_add_func ("/app/explore/dark", test_dark);
  g_test_add_func ("/app/explore/cancel-load", test_cancel_load);
  g_test_add_func ("/app/explore/preferences", test_preferences);
  g_test_add_func ("/app/explore/save-and-drop", test_save_and_drop);
  g_test_add_func ("/app/explore/truncated-hint", test_truncated_hint);
  g_test_add_func ("/app/explore/bad-file", test_bad_file);

  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);

  {
    g_autoptr(GFile) dir = g_file_new_for_path (tmpdir);
    g_autoptr(GFileEnumerator) children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                     G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
    GFileInfo *info;

    /* Flat except the recent-files directory (XDG_DATA_HOME). */
    while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
      {
        g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));
        g_autofree char *p = g_file_get_path (child);
        g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", p);

        if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
          g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
        else
          g_unlink (p);
        g_object_unref (info);
      }
    g_rmdir (tmpdir);
  }
  g_free (capture);
  g_free (tmpdir);
  g_free (skip_reason);

  return status;
}
