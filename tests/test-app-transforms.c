/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-transforms.c: transforms in the real application under Xvfb,
 * with real input (xdotool): Merge Function from a flame graph frame's
 * context menu, Drop Samples With Function from a hotspot row's, the
 * chips row, Ctrl+Z / Ctrl+Shift+Z, a chip's ×, and the sidecar that
 * Save As writes and Open reads (a hostile one is refused). The graph and
 * the table are checked after every step. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "app-test-util.h"
#include "scorch-application.h"
#include "scorch-flame-graph.h"
#include "scorch-function-item.h"
#include "scorch-hotspot-view.h"
#include "scorch-session.h"
#include "scorch-window-private.h"
#include "scorch-window.h"
#include "xdo-test-util.h"

static ScorchApplication *app;
static char *tmpdir;
static char *capture_path;
static ScorchWindow *window;

static const char *capture_text =
  "main;compute;hot_leaf 60\n"
  "main;compute;warm 25\n"
  "main;io_wait 10\n"
  "main;parse 5\n";

/* -- helpers -- */

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

static gboolean
page_is_not_loading (gpointer data)
{
  /* The loading page shows only when a load takes a while: ask the window. */
  return !_scorch_window_is_loading (data);
}

static ScorchFlameGraph *
graph (void)
{
  return SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "flame-graph"));
}

static ScorchTransformStack *
stack (void)
{
  return scorch_session_get_transforms (_scorch_window_get_session (window));
}

/* The rect of the frame of function NAME drawn in the flame graph, or -1. */
static gint
graph_rect (const char *name)
{
  ScorchFlameLayout *layout = scorch_flame_graph_get_layout (graph ());
  ScorchProfile *shown = scorch_flame_graph_get_displayed_profile (graph ());
  const ScorchFlameRect *rects;
  const ScorchNode *nodes;
  guint n;

  if (layout == NULL || shown == NULL)
    return -1;
  nodes = scorch_profile_get_nodes (shown, NULL);
  rects = scorch_flame_layout_get_rects (layout, &n);
  for (guint i = 0; i < n; i++)
    if (rects[i].n_merged <= 1 &&
        g_strcmp0 (scorch_profile_get_frame (shown, nodes[rects[i].node].frame)->function, name) == 0)
      return (gint) i;
  return -1;
}

static gboolean
graph_shows (const char *name)
{
  return graph_rect (name) >= 0;
}

/* The self count of the hotspot row of NAME, or -1 without such a row. */
static gint64
table_self (const char *name)
{
  GListModel *rows = scorch_hotspot_view_get_model (SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (window,
                                                                                                         "hotspots")));

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (rows, i);

      if (g_strcmp0 (scorch_function_item_get_name (item), name) == 0)
        return (gint64) scorch_function_item_get_self (item);
    }
  return -1;
}

static void
settle (void)
{
  run_for (150);
  app_test_wait_until_drawn (GTK_WIDGET (window));
}

/* Graph and table as expected: COMPUTE_MERGED and IO_DROPPED say which
 * transforms are in effect. */
static void
check_views (gboolean    compute_merged,
             gboolean    io_dropped,
             const char *step)
{
  g_test_message ("%s: %u applied", step, scorch_transform_stack_get_n_applied (stack ()));
  settle ();
  g_assert_cmpint (graph_shows ("compute"), ==, !compute_merged);
  g_assert_cmpint (graph_shows ("io_wait"), ==, !io_dropped);
  g_assert_true (graph_shows ("hot_leaf"));
  g_assert_cmpint (table_self ("compute"), ==, compute_merged ? -1 : 0);
  g_assert_cmpint (table_self ("io_wait"), ==, io_dropped ? -1 : 10);
  g_assert_cmpint (table_self ("hot_leaf"), ==, 60);
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (_scorch_window_get_session (window))),
                    ==, io_dropped ? 90 : 100);
  g_assert_cmpint (app_test_label_shown (GTK_WIDGET (window), "Merge: compute"), ==, compute_merged);
  g_assert_cmpint (app_test_label_shown (GTK_WIDGET (window), "Drop: io_wait"), ==, io_dropped);
}

static GtkWidget *
find_mapped_popover (GtkWidget *widget)
{
  if (GTK_IS_POPOVER_MENU (widget) && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_mapped_popover (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
popover_shown (gpointer data)
{
  return find_mapped_popover (data) != NULL;
}

static gboolean
popover_gone (gpointer data)
{
  return find_mapped_popover (data) == NULL;
}

/* A mapped label under WIDGET whose text is TEXT (GtkInscription for table cells). */
static GtkWidget *
find_text (GtkWidget  *widget,
           const char *text)
{
  if (gtk_widget_get_mapped (widget) &&
      ((GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0) ||
       (GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_text (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The × of the chip whose text is TEXT. */
static GtkWidget *
chip_remove_button (const char *text)
{
  GtkWidget *label = find_text (GTK_WIDGET (window), text);

  g_assert_nonnull (label);
  g_assert_true (GTK_IS_BUTTON (gtk_widget_get_next_sibling (label)));
  return gtk_widget_get_next_sibling (label);
}

/* Clicks the menu item TEXT in the open context menu under OWNER. */
static void
click_menu_item (GtkWidget  *owner,
                 const char *text)
{
  GtkWidget *popover = find_mapped_popover (owner);
  GtkWidget *item;

  g_assert_nonnull (popover);
  /* Placed and painted before the pointer goes there. */
  app_test_wait_until_drawn (popover);
  item = find_text (popover, text);
  g_assert_nonnull (item);
  xdo_test_click (item, 1);
  app_test_wait_for (popover_gone, owner, 5000, "the menu to close");
}

static GtkWidget *
find_widget_of_type (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget_of_type (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_bar (void)
{
  GtkWidget *bar = find_widget_of_type (GTK_WIDGET (window), g_type_from_name ("ScorchTransformBar"));

  g_assert_nonnull (bar);
  return bar;
}

static gboolean
toast_shown (gpointer data)
{
  return app_test_label_shown (GTK_WIDGET (window), data);
}

/* -- tests -- */

static void
test_open (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (capture_path);

  window = scorch_window_new (app);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  scorch_window_open_file (window, file);
  app_test_wait_for (page_is_not_loading, window, 30000, "the profile to load");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  scorch_window_set_view (window, "flame-graph");
  check_views (FALSE, FALSE, "opened");
  /* With none, the chips row takes no room. */
  g_assert_false (gtk_widget_get_visible (find_bar ()));
}

static void
test_apply_undo_redo (void)
{
  const char *why = xdo_test_unavailable ();
  GtkWidget *table = scorch_window_get_view_widget (window, "hotspots");
  const ScorchFlameRect *rects;
  GtkWidget *cell;
  guint n;
  gint idx;

  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }

  /* 1. Right click on the "compute" frame, Merge Function (pointer). */
  idx = graph_rect ("compute");
  g_assert_cmpint (idx, >=, 0);
  rects = scorch_flame_layout_get_rects (scorch_flame_graph_get_layout (graph ()), &n);
  xdo_test_click_at (GTK_WIDGET (graph ()), rects[idx].x + rects[idx].width / 2, rects[idx].y + 6, 3);
  app_test_wait_for (popover_shown, graph (), 5000, "the flame graph's context menu");
  app_test_wait_until_drawn (GTK_WIDGET (window));
  app_test_save_screenshot (GTK_WIDGET (window), "transforms-flame-menu.png");
  click_menu_item (GTK_WIDGET (graph ()), "Merge Function");
  g_assert_cmpuint (scorch_transform_stack_get_n_applied (stack ()), ==, 1);
  check_views (TRUE, FALSE, "merged compute");
  /* compute's time went to main: the table says main's self is 0 still
   * (compute had none), hot_leaf unchanged. */
  g_assert_cmpint (table_self ("main"), ==, 0);

  /* 2. A hotspot row: select it with a click, open its menu with the Menu
   *    key, Drop Samples With Function. */
  cell = find_text (table, "io_wait");
  g_assert_nonnull (cell);
  xdo_test_click (cell, 1);
  run_for (100);
  xdo_test_key ("Menu");
  app_test_wait_for (popover_shown, table, 5000, "the hotspot row's context menu");
  app_test_wait_until_drawn (find_mapped_popover (table));
  app_test_save_screenshot (find_mapped_popover (table), "transforms-hotspot-menu.png");
  click_menu_item (table, "Drop Samples With Function");
  g_assert_cmpuint (scorch_transform_stack_get_n_applied (stack ()), ==, 2);
  check_views (TRUE, TRUE, "dropped io_wait");

  /* The chips row, looked at. */
  app_test_save_screenshot (GTK_WIDGET (window), "transforms-window.png");
  app_test_save_screenshot (find_bar (), "transforms-chips.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  settle ();
  app_test_save_screenshot (GTK_WIDGET (window), "transforms-window-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  settle ();
  /* Each × has a name for screen readers. */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (chip_remove_button ("Drop: io_wait")), ==,
                   "Remove “Drop: io_wait” and the transforms after it");

  /* 3. Ctrl+Z twice, Ctrl+Shift+Z twice. */
  xdo_test_focus (GTK_WINDOW (window));
  xdo_test_key ("ctrl+z");
  check_views (TRUE, FALSE, "undo 1");
  xdo_test_key ("ctrl+z");
  check_views (FALSE, FALSE, "undo 2");
  g_assert_false (scorch_transform_stack_can_undo (stack ()));
  xdo_test_key ("ctrl+shift+z");
  check_views (TRUE, FALSE, "redo 1");
  xdo_test_key ("ctrl+shift+z");
  check_views (TRUE, TRUE, "redo 2");
  g_assert_false (scorch_transform_stack_can_redo (stack ()));

  /* 4. The first chip's ×: back to before it (both go); the row stays
   *    (Redo can bring them back) and says so; Redo brings the first back. */
  xdo_test_click (chip_remove_button ("Merge: compute"), 1);
  check_views (FALSE, FALSE, "first chip removed");
  g_assert_cmpuint (scorch_transform_stack_get_n_transforms (stack ()), ==, 2);
  g_assert_true (gtk_widget_get_visible (find_bar ()));
  g_assert_true (app_test_label_shown (GTK_WIDGET (window), "Redo brings them back"));
  xdo_test_focus (GTK_WINDOW (window));
  xdo_test_key ("ctrl+shift+z");
  check_views (TRUE, FALSE, "redo after the chip");
  xdo_test_key ("ctrl+shift+z");
  check_views (TRUE, TRUE, "both again");

  /* 5. In the search field Ctrl+Z undoes typing, not a transform. */
  xdo_test_key ("ctrl+f");
  run_for (200);
  xdo_test_type ("wa");
  run_for (200);
  g_assert_cmpstr (scorch_session_get_search_text (_scorch_window_get_session (window)), ==, "wa");
  xdo_test_key ("ctrl+z");
  run_for (300);
  g_assert_cmpuint (scorch_transform_stack_get_n_applied (stack ()), ==, 2);
  g_assert_cmpstr (scorch_session_get_search_text (_scorch_window_get_session (window)), !=, "wa");
  xdo_test_key ("Escape");
  scorch_session_set_search_text (_scorch_window_get_session (window), NULL);
  check_views (TRUE, TRUE, "after the search");
}

static void
test_sidecar (void)
{
  g_autofree char *saved = g_build_filename (tmpdir, "saved.folded", NULL);
  g_autofree char *sidecar = g_strconcat (saved, ".scorch-transforms", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (saved);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  ScorchWindow *w;

  if (scorch_transform_stack_get_n_applied (stack ()) != 2)
    {
      g_test_skip ("needs the transforms of /app/transforms/apply-undo-redo");
      return;
    }
  g_assert_true (scorch_window_save_capture (window, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (sidecar, &json, NULL, NULL));
  g_test_message ("%s", json);
  g_assert_nonnull (strstr (json, "\"merge-function\""));
  g_assert_nonnull (strstr (json, "\"drop-function\""));

  /* Opened again: the same two transforms, in order. */
  w = scorch_window_new (app);
  gtk_window_present (GTK_WINDOW (w));
  scorch_window_open_file (w, file);
  app_test_wait_for (page_is_not_loading, w, 30000, "the saved capture to load");
  {
    ScorchTransformStack *s = scorch_session_get_transforms (_scorch_window_get_session (w));

    g_assert_cmpuint (scorch_transform_stack_get_n_applied (s), ==, 2);
    g_assert_cmpint (scorch_transform_get_kind (scorch_transform_stack_get_transform (s, 0)), ==,
                     SCORCH_TRANSFORM_MERGE_FUNCTION);
    g_assert_cmpstr (scorch_transform_get_name (scorch_transform_stack_get_transform (s, 1)), ==, "io_wait");
    g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (_scorch_window_get_session (w))),
                      ==, 90);
  }
  gtk_window_destroy (GTK_WINDOW (w));

  /* A hostile sidecar: nothing applied, a toast says so. */
  g_assert_true (g_file_set_contents (sidecar, "{\"format\":\"scorch-transforms\",\"version\":1,"
                                      "\"transforms\":[{\"kind\":\"merge-function\",\"name\":\"x\"},"
                                      "{\"kind\":\"rm -rf\"}]}", -1, NULL));
  scorch_window_open_file (window, file);
  app_test_wait_for (page_is_not_loading, window, 30000, "the capture to load again");
  app_test_wait_for (toast_shown, (gpointer) "were not applied", 5000, "a toast about the sidecar");
  g_assert_cmpuint (scorch_transform_stack_get_n_transforms (stack ()), ==, 0);
  check_views (FALSE, FALSE, "hostile sidecar");

  /* Saving with no transform removes the stale sidecar. */
  g_assert_true (scorch_window_save_capture (window, file, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (sidecar, G_FILE_TEST_EXISTS));
  g_unlink (saved);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-app-transforms-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  capture_path = g_build_filename (tmpdir, "transforms.folded", NULL);
  g_assert_true (g_file_set_contents (capture_path, capture_text, -1, NULL));

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/transforms/open", test_open);
  g_test_add_func ("/app/transforms/apply-undo-redo", test_apply_undo_redo);
  g_test_add_func ("/app/transforms/sidecar", test_sidecar);

  status = g_test_run ();

  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  g_unlink (capture_path);
  g_rmdir (tmpdir);
  g_free (capture_path);
  g_free (tmpdir);
  return status;
}
