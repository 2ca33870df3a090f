/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-caller-callee-view.c: callers and callees of the selected function */

#include "config.h"

#include "explore-test-util.h"
#include "scorch-caller-callee-view.h"
#include "scorch-function-item.h"

static void
assert_pair (GListModel *model,
             guint       i,
             const char *name,
             guint64     total)
{
  g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (model, i);

  g_assert_nonnull (item);
  g_assert_cmpstr (scorch_function_item_get_name (item), ==, name);
  g_assert_cmpuint (scorch_function_item_get_total (item), ==, total);
}

static void
test_pairs (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchCallerCalleeView *view = SCORCH_CALLER_CALLEE_VIEW (scorch_caller_callee_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 700, 420);
  GListModel *callers = scorch_caller_callee_view_get_callers (view);
  GListModel *callees = scorch_caller_callee_view_get_callees (view);

  scorch_caller_callee_view_set_profile (view, profile);
  g_assert_cmpuint (g_list_model_get_n_items (callers), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (callees), ==, 0);
  explore_test_screenshot (GTK_WIDGET (view), "caller-callee-view-empty.png");

  /* main calls compute (85), io_wait (10), Parse_Config (5); nobody calls main */
  scorch_caller_callee_view_set_frame (view, explore_test_frame (profile, "main"));
  g_assert_cmpuint (g_list_model_get_n_items (callers), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (callees), ==, 3);
  assert_pair (callees, 0, "compute", 85);
  assert_pair (callees, 1, "io_wait", 10);
  assert_pair (callees, 2, "Parse_Config", 5);

  /* compute: called by main, calls hot_leaf and warm */
  g_object_set (view, "frame", explore_test_frame (profile, "compute"), NULL);
  g_assert_cmpuint (g_list_model_get_n_items (callers), ==, 1);
  assert_pair (callers, 0, "main", 85);
  g_assert_cmpuint (g_list_model_get_n_items (callees), ==, 2);
  assert_pair (callees, 0, "hot_leaf", 60);
  assert_pair (callees, 1, "warm", 25);

  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (view), "caller-callee-view.png"), >, 0.02);

  /* Another view of the capture keeps the function and recounts */
  {
    g_autoptr(ScorchProfile) worker = scorch_profile_filter (profile, (gint32[]) { 101 }, 1, 0, G_MAXUINT64);

    scorch_caller_callee_view_set_profile (view, worker);
    g_assert_cmpuint (scorch_caller_callee_view_get_frame (view), ==, explore_test_frame (profile, "compute"));
    g_assert_cmpuint (g_list_model_get_n_items (callers), ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (callees), ==, 0);
  }

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/caller-callee-view/pairs", test_pairs);

  return g_test_run ();
}
