/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-compare.c: `scorch --compare BASE NEW` under Xvfb: the compare
 * page, its diff table and differential flame graph, linked both ways, the
 * baseline's shape one (real) click away; screenshots light and dark */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "app-test-util.h"
#include "scorch-compare-view.h"
#include "scorch-diff-item.h"
#include "scorch-folded.h"
#include "scorch-window-private.h"
#include "xdo-test-util.h"

static char *tmpdir;
static char *base_path;
static char *new_path;
static gboolean checked;

/* hot doubles (30 % -> 600/1300 = 46.15 %), cold stays at 500 samples
 * (50 % -> 38.46 %), only_base goes, only_new comes. */
static const char base_folded[] =
  "main;work;hot 300\n"
  "main;work;cold 500\n"
  "main;memcpy 150\n"
  "main;only_base 50\n";
static const char new_folded[] =
  "main;work;hot 600\n"
  "main;work;cold 500\n"
  "main;memcpy 150\n"
  "main;only_new 50\n";

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static ScorchWindow *
find_window (GApplication *app)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  return windows != NULL && SCORCH_IS_WINDOW (windows->data) ? windows->data : NULL;
}

static gboolean
comparing (gpointer data)
{
  ScorchWindow *w = find_window (data);

  return w != NULL &&
         g_strcmp0 (gtk_stack_get_visible_child_name (scorch_window_get_stack (w)), "compare") == 0 &&
         scorch_compare_view_get_diff (SCORCH_COMPARE_VIEW (_scorch_window_compare_get_view (w))) != NULL;
}

static ScorchDiffItem *
row (ScorchCompareView *view,
     guint              i)
{
  return g_list_model_get_item (G_LIST_MODEL (scorch_compare_view_get_selection (view)), i);
}

static const char *
row_function (ScorchCompareView *view,
              guint              i)
{
  g_autoptr(ScorchDiffItem) item = row (view, i);

  return scorch_diff_item_get_function (item)->function;
}

/* The node of the shown profile on path main;work;NAME. */
static guint32
find_node (ScorchProfile *profile,
           const char    *name)
{
  guint n;
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, &n);

  for (guint i = 1; i < n; i++)
    if (strcmp (scorch_profile_get_frame (profile, nodes[i].frame)->function, name) == 0)
      return i;
  return SCORCH_NODE_NONE;
}

static void
check_comparison (GApplication *app)
{
  ScorchWindow *w = find_window (app);
  ScorchCompareView *view;
  ScorchFlameGraph *graph;
  ScorchDiff *diff;
  GtkSingleSelection *selection;
  ScorchProfile *shown;
  const char *unavailable;
  guint n;

  app_test_wait_for (comparing, app, 30000, "the comparison to show");
  view = SCORCH_COMPARE_VIEW (_scorch_window_compare_get_view (w));
  graph = scorch_compare_view_get_flame_graph (view);
  diff = scorch_compare_view_get_diff (view);
  selection = scorch_compare_view_get_selection (view);
  gtk_window_set_default_size (GTK_WINDOW (w), 1200, 800);
  app_test_wait_until_drawn (GTK_WIDGET (w));

  /* The table: every function of both captures, largest |Δ self| first. */
  n = g_list_model_get_n_items (G_LIST_MODEL (selection));
  g_assert_cmpuint (n, ==, 7); /* main work hot cold memcpy only_base only_new */
  g_assert_cmpstr (row_function (view, 0), ==, "hot");
  g_assert_cmpstr (row_function (view, 1), ==, "cold");
  {
    g_autoptr(ScorchDiffItem) hot = row (view, 0);
    double delta, before, after;

    g_object_get (hot, "delta-self", &delta, "base-self", &before, "new-self", &after, NULL);
    g_assert_cmpfloat_with_epsilon (before, 30.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (after, 100.0 * 600 / 1300, 1e-9);
    g_assert_cmpfloat_with_epsilon (delta, after - before, 1e-9);
  }

  /* The graph draws the new capture's shape in diff colours. */
  shown = scorch_flame_graph_get_displayed_profile (graph);
  g_assert_true (shown == scorch_diff_get_profile (diff, SCORCH_DIFF_NEW));
  g_assert_true (scorch_flame_graph_get_diff (graph, NULL) == diff);

  app_test_wait_until_drawn (GTK_WIDGET (w));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  run_for (100);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  app_test_save_screenshot (GTK_WIDGET (w), "screenshot-compare.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  run_for (100);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  app_test_save_screenshot (GTK_WIDGET (w), "screenshot-compare-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);

  /* Table -> graph: the selected row's function is highlighted. */
  gtk_single_selection_set_selected (selection, 0);
  run_for (50);
  {
    const ScorchNode *nodes = scorch_profile_get_nodes (shown, NULL);

    g_assert_cmpuint (scorch_flame_graph_get_highlight_frame (graph), ==, nodes[find_node (shown, "hot")].frame);
  }
  /* Graph -> table: selecting a frame selects its function's row. */
  scorch_flame_graph_set_selected_node (graph, find_node (shown, "cold"));
  run_for (50);
  g_assert_cmpstr (row_function (view, gtk_single_selection_get_selected (selection)), ==, "cold");

  /* Export what is shown: a differential SVG of the new capture's shape. */
  {
    g_autofree char *svg_path = g_build_filename (tmpdir, "comparison.svg", NULL);
    g_autofree char *svg = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (scorch_compare_view_export (view, svg_path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (svg_path, &svg, NULL, NULL));
    g_assert_nonnull (strstr (svg, "Differential Flame Graph"));
    g_assert_nonnull (strstr (svg, "<g class=\"frame hotter\"><title>hot (600 samples"));
    g_assert_nonnull (strstr (svg, "<g class=\"frame cooler\"><title>cold (500 samples"));
    g_unlink (svg_path);
  }

  /* The inverse view, one real click away: the baseline's shape. */
  unavailable = xdo_test_unavailable ();
  if (unavailable == NULL)
    {
      GtkWidget *button = NULL;

      for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (view)); c != NULL && button == NULL;
           c = gtk_widget_get_next_sibling (c))
        for (GtkWidget *b = gtk_widget_get_first_child (c); b != NULL; b = gtk_widget_get_next_sibling (b))
          if (GTK_IS_TOGGLE_BUTTON (b) &&
              g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (b)), "compare.baseline-shape") == 0)
            button = b;
      g_assert_nonnull (button);
      xdo_test_focus (GTK_WINDOW (w));
      xdo_test_click (button, 1);
      run_for (300);
    }
  else
    {
      g_test_message ("no real input (%s): switching by the action", unavailable);
      gtk_widget_activate_action (GTK_WIDGET (view), "compare.baseline-shape", NULL);
      run_for (100);
    }
  g_assert_true (scorch_compare_view_get_baseline_shape (view));
  shown = scorch_flame_graph_get_displayed_profile (graph);
  g_assert_true (shown == scorch_diff_get_profile (diff, SCORCH_DIFF_BASE));
  g_assert_cmpuint (find_node (shown, "only_base"), !=, SCORCH_NODE_NONE);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  app_test_save_screenshot (GTK_WIDGET (w), "screenshot-compare-baseline-shape.png");

  /* Closing the comparison goes back to the profile. */
  gtk_widget_activate_action (GTK_WIDGET (view), "compare.close", NULL);
  run_for (50);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (w)), ==, "profile");

  /* A file dropped on the window showing a profile is compared with it. */
  {
    g_autoptr(GFile) base = g_file_new_for_path (base_path);
    ScorchDiff *before = diff;

    g_assert_true (_scorch_window_compare_drop (w, base));
    app_test_wait_for (comparing, app, 30000, "the dropped file's comparison");
    diff = scorch_compare_view_get_diff (view);
    g_assert_true (diff != before || scorch_compare_view_get_diff (view) != NULL);
    g_assert_cmpuint (scorch_diff_get_n_samples (diff, SCORCH_DIFF_BASE), ==, 1000);
    g_assert_cmpuint (scorch_diff_get_n_samples (diff, SCORCH_DIFF_NEW), ==, 1300);
    gtk_widget_activate_action (GTK_WIDGET (w), "win.close-comparison", NULL);
    run_for (50);
  }

  /* Two selections of one capture: the baseline set, then compared. */
  gtk_widget_activate_action (GTK_WIDGET (w), "win.set-baseline", NULL);
  gtk_widget_activate_action (GTK_WIDGET (w), "win.compare-baseline", NULL);
  run_for (50);
  g_assert_true (comparing (app));
  diff = scorch_compare_view_get_diff (view);
  g_assert_true (scorch_diff_get_profile (diff, SCORCH_DIFF_NEW) == scorch_window_get_profile (w));
  {
    const ScorchDiffFunction *f = scorch_diff_get_functions (diff, &n);

    for (guint i = 0; i < n; i++)
      {
        g_assert_cmpuint (f[i].base_self, ==, f[i].new_self);
        g_assert_cmpuint (f[i].base_total, ==, f[i].new_total);
      }
  }
  gtk_widget_activate_action (GTK_WIDGET (w), "win.close-comparison", NULL);

  /* Two recordings shown one after the other: the last against the one
   * before it. */
  {
    g_autoptr(ScorchProfile) first = scorch_folded_parse (base_folded, strlen (base_folded), NULL);
    g_autoptr(ScorchProfile) second = scorch_folded_parse (new_folded, strlen (new_folded), NULL);

    _scorch_window_show_profile (w, first, NULL);
    _scorch_window_show_profile (w, second, NULL);
    run_for (50);
    gtk_widget_activate_action (GTK_WIDGET (w), "win.compare-previous", NULL);
    run_for (50);
    g_assert_true (comparing (app));
    diff = scorch_compare_view_get_diff (view);
    g_assert_true (scorch_diff_get_profile (diff, SCORCH_DIFF_BASE) == first);
    g_assert_true (scorch_diff_get_profile (diff, SCORCH_DIFF_NEW) == second);
  }

  checked = TRUE;
}

static gboolean
start_checks (gpointer data)
{
  GApplication *app = data;

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  check_comparison (app);
  g_application_quit (app);
  return G_SOURCE_REMOVE;
}

static void
test_compare_command_line (void)
{
  g_autoptr(ScorchApplication) app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN |
                                                                             G_APPLICATION_NON_UNIQUE);
  char *argv[] = { (char *) "scorch", (char *) "--compare", base_path, new_path, NULL };
  int status;

  g_timeout_add (100, start_checks, app);
  status = g_application_run (G_APPLICATION (app), 4, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (checked);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-app-compare-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  base_path = g_build_filename (tmpdir, "base.folded", NULL);
  new_path = g_build_filename (tmpdir, "new.folded", NULL);
  g_assert_true (g_file_set_contents (base_path, base_folded, -1, NULL));
  g_assert_true (g_file_set_contents (new_path, new_folded, -1, NULL));
  g_test_add_func ("/app/compare/command-line", test_compare_command_line);

  status = g_test_run ();

  g_unlink (base_path);
  g_unlink (new_path);
  g_rmdir (tmpdir);
  g_free (base_path);
  g_free (new_path);
  g_free (tmpdir);
  return status;
}
