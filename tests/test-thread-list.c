/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-thread-list.c: the thread list's rows (name, TID, samples), hottest first, and the name's tooltip */

#include "config.h"

#include "explore-test-util.h"
#include "scorch-list-util.h"
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

/* A cell of scorch_list_inscription_new() asks for the sizes (and the
 * baseline) the GtkInscription it stands for would, in the same place. */
static void
test_cell_size (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWindow *window = explore_test_window (box, 400, 200);
  const struct { float xalign; guint min_chars, nat_chars; gboolean numeric; } cells[] = {
    { 0.0f, 3, 16, FALSE },
    { 1.0f, 3, 6, TRUE },
    { 1.0f, 3, 9, TRUE },
    { 0.0f, 0, 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      GtkWidget *cell = scorch_list_inscription_new (cells[i].xalign, cells[i].min_chars,
                                                     cells[i].nat_chars, cells[i].numeric);
      GtkWidget *plain = gtk_inscription_new ("12345");

      gtk_inscription_set_min_chars (GTK_INSCRIPTION (plain), cells[i].min_chars);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (plain), cells[i].nat_chars);
      if (cells[i].numeric)
        gtk_widget_add_css_class (plain, "numeric");
      gtk_inscription_set_text (scorch_list_inscription_get_text (cell), "12345");
      gtk_box_append (GTK_BOX (box), cell);
      gtk_box_append (GTK_BOX (box), plain);

      for (int o = 0; o < 2; o++)
        {
          int min = -2, nat = -2, min_base = -2, nat_base = -2;
          int pmin = -3, pnat = -3, pmin_base = -3, pnat_base = -3;

          gtk_widget_measure (cell, o, -1, &min, &nat, &min_base, &nat_base);
          gtk_widget_measure (plain, o, -1, &pmin, &pnat, &pmin_base, &pnat_base);
          g_assert_cmpint (min, ==, pmin);
          g_assert_cmpint (nat, ==, pnat);
          g_assert_cmpint (min_base, ==, pmin_base);
          g_assert_cmpint (nat_base, ==, pnat_base);
          if (o == GTK_ORIENTATION_VERTICAL)
            g_assert_cmpint (min, >, 0);
          else if (cells[i].nat_chars > 0)
            g_assert_cmpint (nat, >, min);
        }
    }
  explore_test_wait_drawn (box);
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/thread-list/rows", test_rows);
  g_test_add_func ("/app/thread-list/cell-size", test_cell_size);

  return g_test_run ();
}
