/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-lazy.c: opening a capture builds the views that are shown
 * (flame graph, hotspot table) and not the pages behind the view switcher
 * (icicle graph, call tree, caller/callee), which get the profile when
 * they are shown and let a replaced one go while hidden. */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "scorch-application.h"
#include "scorch-call-tree-view.h"
#include "scorch-caller-callee-view.h"
#include "scorch-flame-graph.h"
#include "scorch-hotspot-view.h"
#include "scorch-summary-view.h"
#include "scorch-window-private.h"
#include "scorch-window.h"
#include "explore-test-util.h"

static ScorchApplication *app;
static char *tmpdir;

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

/* The first widget of TYPE under widget (depth first), or NULL. */
static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_type (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
open_and_wait (ScorchWindow *w,
               GFile        *file)
{
  gboolean loaded = FALSE, timed_out = FALSE;
  gulong handler = g_signal_connect (w, "profile-loaded", G_CALLBACK (loaded_cb), &loaded);
  guint id;

  scorch_window_open_file (w, file);
  id = g_timeout_add_seconds (30, timeout_cb, &timed_out);
  while (!loaded && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_signal_handler_disconnect (w, handler);
  g_assert_true (loaded);
}

static void
test_hidden_views_wait (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "corpus", "fp-small.data", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ScorchWindow *w;
  AdwViewStack *stack;
  ScorchFlameGraph *flame, *icicle;
  ScorchCallTreeView *tree;
  ScorchCallerCalleeView *cc;
  ScorchHotspotView *hotspots;
  ScorchSummaryView *summary;
  ScorchProfile *shown, *first;

  w = scorch_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (w), 1000, 700);
  gtk_window_present (GTK_WINDOW (w));

  stack = ADW_VIEW_STACK (find_type (GTK_WIDGET (w), ADW_TYPE_VIEW_STACK));
  flame = SCORCH_FLAME_GRAPH (find_type (adw_view_stack_get_child_by_name (stack, "flame-graph"), SCORCH_TYPE_FLAME_GRAPH));
  icicle = SCORCH_FLAME_GRAPH (find_type (adw_view_stack_get_child_by_name (stack, "icicle"), SCORCH_TYPE_FLAME_GRAPH));
  tree = SCORCH_CALL_TREE_VIEW (find_type (GTK_WIDGET (w), SCORCH_TYPE_CALL_TREE_VIEW));
  cc = SCORCH_CALLER_CALLEE_VIEW (find_type (GTK_WIDGET (w), SCORCH_TYPE_CALLER_CALLEE_VIEW));
  hotspots = SCORCH_HOTSPOT_VIEW (find_type (GTK_WIDGET (w), SCORCH_TYPE_HOTSPOT_VIEW));
  summary = SCORCH_SUMMARY_VIEW (find_type (GTK_WIDGET (w), SCORCH_TYPE_SUMMARY_VIEW));
  g_assert_true (flame != icicle);

  open_and_wait (w, file);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "flame-graph");
  shown = scorch_flame_graph_get_profile (flame);
  g_assert_nonnull (shown);
  g_assert_true (scorch_hotspot_view_get_profile (hotspots) == shown);
  /* the pages behind the switcher are not built */
  g_assert_null (scorch_flame_graph_get_profile (icicle));
  g_assert_null (scorch_call_tree_view_get_profile (tree));
  g_assert_null (scorch_caller_callee_view_get_profile (cc));
  /* the summary too (AdwViewStack measures hidden pages: its rows cost on every open) */
  g_assert_null (scorch_summary_view_get_profile (summary));

  /* shown: built with the session's profile */
  adw_view_stack_set_visible_child_name (stack, "call-tree");
  g_assert_true (scorch_call_tree_view_get_profile (tree) == shown);
  g_assert_null (scorch_caller_callee_view_get_profile (cc));
  explore_test_wait_drawn (GTK_WIDGET (w));
  explore_test_screenshot (GTK_WIDGET (w), "app-lazy-call-tree.png");

  adw_view_stack_set_visible_child_name (stack, "icicle");
  g_assert_true (scorch_flame_graph_get_profile (icicle) == shown);
  /* hidden again, with a profile that is still current: kept */
  g_assert_true (scorch_call_tree_view_get_profile (tree) == shown);

  adw_view_stack_set_visible_child_name (stack, "caller-callee");
  g_assert_true (scorch_caller_callee_view_get_profile (cc) == shown);

  /* the summary is of the whole capture (the session's unfiltered profile) */
  adw_view_stack_set_visible_child_name (stack, "summary");
  g_assert_true (scorch_summary_view_get_profile (summary) == scorch_session_get_profile (_scorch_window_get_session (w)));

  /* a new capture: the hidden pages let the old profile go */
  first = g_object_ref (shown);
  open_and_wait (w, file);
  shown = scorch_flame_graph_get_profile (flame);
  g_assert_nonnull (shown);
  g_assert_true (shown != first);
  g_assert_null (scorch_flame_graph_get_profile (icicle));
  g_assert_null (scorch_call_tree_view_get_profile (tree));
  g_assert_null (scorch_caller_callee_view_get_profile (cc));
  g_assert_null (scorch_summary_view_get_profile (summary));
  g_object_unref (first);

  adw_view_stack_set_visible_child_name (stack, "call-tree");
  g_assert_true (scorch_call_tree_view_get_profile (tree) == shown);

  gtk_window_destroy (GTK_WINDOW (w));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-lazy-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/lazy/hidden-views-wait", test_hidden_views_wait);

  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmpdir);
  }
  g_free (tmpdir);
  return status;
}
