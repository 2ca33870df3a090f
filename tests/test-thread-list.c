/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-thread-list.c: the thread list's rows (name, TID, samples), hottest first, and the name's tooltip */

#include "config.h"

#include "explore-test-util.h"
#include "scorch-thread-list.h"

static void
test_rows (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchThreadList *list = SCORCH_THREAD_LIST (scorch_thread_list_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (list), 400, 200);
  g_autoptr(GArray) tids = NULL;
  GtkWidget *name;
  GtkTooltip *tooltip;
  gboolean shown = FALSE;

  scorch_thread_list_set_profile (list, profile);
  explore_test_wait_drawn (GTK_WIDGET (list));

  /* Every thread checked (NULL: all). */
  tids = scorch_thread_list_dup_selected_tids (list);
  g_assert_null (tids);

  /* The cells: name, TID, samples as every view formats them. */
  g_assert_nonnull (explore_test_find_inscription (GTK_WIDGET (list), "main-thread"));
  g_assert_nonnull (explore_test_find_inscription (GTK_WIDGET (list), "worker"));
  g_assert_nonnull (explore_test_find_inscription (GTK_WIDGET (list), "101"));
  g_assert_nonnull (explore_test_find_inscription (GTK_WIDGET (list), "85"));
  g_assert_nonnull (explore_test_find_inscription (GTK_WIDGET (list), "15"));

  /* The name's tooltip is answered when asked for (no tooltip set per
   * row: each would ask the X server where the pointer is). */
  name = explore_test_find_inscription (GTK_WIDGET (list), "worker");
  g_assert_true (gtk_widget_get_has_tooltip (name));
  g_assert_null (gtk_widget_get_tooltip_text (name));
  tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  g_signal_emit_by_name (name, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
  g_assert_true (shown);
  g_object_unref (tooltip);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (list), "thread-list.png"), >, 0.02);

  scorch_thread_list_set_profile (list, NULL);
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/thread-list/rows", test_rows);

  return g_test_run ();
}
