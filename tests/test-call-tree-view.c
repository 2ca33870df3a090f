/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-call-tree-view.c: the top-down call tree: lazy children, order, selection */

#include "config.h"

#include "explore-test-util.h"
#include "scorch-call-tree-view.h"
#include "scorch-function-item.h"

static ScorchFunctionItem *
row_item (GListModel *model,
          guint       i,
          guint      *depth)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);

  g_assert_nonnull (row);
  if (depth != NULL)
    *depth = gtk_tree_list_row_get_depth (row);
  return gtk_tree_list_row_get_item (row);
}

static void
assert_row (GListModel *model,
            guint       i,
            const char *name,
            guint       depth,
            guint64     self,
            guint64     total)
{
  guint d;
  g_autoptr(ScorchFunctionItem) item = row_item (model, i, &d);

  g_assert_cmpstr (scorch_function_item_get_name (item), ==, name);
  g_assert_cmpuint (d, ==, depth);
  g_assert_cmpuint (scorch_function_item_get_self (item), ==, self);
  g_assert_cmpuint (scorch_function_item_get_total (item), ==, total);
}

static void
test_tree (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchCallTreeView *view = SCORCH_CALL_TREE_VIEW (scorch_call_tree_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 800, 320);
  GListModel *model = scorch_call_tree_view_get_model (view);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  scorch_call_tree_view_set_profile (view, profile);

  /* Paths above 50 % open by themselves: main (100) and compute (85);
   * siblings hottest first. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
  assert_row (model, 0, "main", 0, 0, 100);
  assert_row (model, 1, "compute", 1, 0, 85);
  assert_row (model, 2, "hot_leaf", 2, 60, 60);
  assert_row (model, 3, "warm", 2, 25, 25);
  assert_row (model, 4, "io_wait", 1, 10, 10);
  assert_row (model, 5, "Parse_Config", 1, 5, 5);

  /* Leaves have no expander */
  {
    g_autoptr(GtkTreeListRow) leaf = g_list_model_get_item (model, 2);
    g_autoptr(GtkTreeListRow) compute = g_list_model_get_item (model, 1);

    g_assert_false (gtk_tree_list_row_is_expandable (leaf));
    g_assert_true (gtk_tree_list_row_is_expandable (compute));
    gtk_tree_list_row_set_expanded (compute, FALSE);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  }

  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (view), "call-tree-view-collapsed.png"), >, 0.01);

  /* Selecting a node opens the path to it */
  {
    const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
    guint n_nodes = 0;
    guint32 warm_node = SCORCH_NODE_NONE;
    guint32 warm = explore_test_frame (profile, "warm");

    scorch_profile_get_nodes (profile, &n_nodes);
    for (guint i = 0; i < n_nodes; i++)
      if (nodes[i].frame == warm)
        warm_node = i;
    g_assert_cmpuint (warm_node, !=, SCORCH_NODE_NONE);

    scorch_call_tree_view_select_node (view, warm_node);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
    g_assert_cmpuint (scorch_call_tree_view_get_selected_node (view), ==, warm_node);
    g_assert_cmpuint (scorch_call_tree_view_get_selected_frame (view), ==, warm);

    /* Ctrl+Shift+C's action copies the selected row's function. */
    {
      GdkContentProvider *content;
      GValue value = G_VALUE_INIT;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "call-tree.copy-full-name", NULL));
      content = gdk_clipboard_get_content (gtk_widget_get_clipboard (GTK_WIDGET (view)));
      g_assert_nonnull (content);
      g_value_init (&value, G_TYPE_STRING);
      g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
      g_assert_cmpstr (g_value_get_string (&value), ==, "warm");
      g_value_unset (&value);
    }
  }

  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (view), "call-tree-view.png"), >, 0.01);
  explore_test_set_dark (TRUE);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (view), "call-tree-view-dark.png"), >, 0.01);
  explore_test_set_dark (FALSE);

  /* A filtered view of the capture: only the worker thread's paths */
  {
    g_autoptr(ScorchProfile) worker = scorch_profile_filter (profile, (gint32[]) { 101 }, 1, 0, G_MAXUINT64);

    scorch_call_tree_view_set_profile (view, worker);
    g_assert_cmpuint (scorch_call_tree_view_get_selected_node (view), ==, SCORCH_NODE_NONE);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
    assert_row (model, 0, "main", 0, 0, 15);
    assert_row (model, 1, "io_wait", 1, 10, 10);
    assert_row (model, 2, "Parse_Config", 1, 5, 5);
  }

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/call-tree-view/tree", test_tree);

  return g_test_run ();
}
