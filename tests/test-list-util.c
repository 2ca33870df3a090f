/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-list-util.c: ScorchListFill, the first fill of the hotspot table,
 * the thread list and the process list: the rest of the rows after the
 * first frame, in an idle, as the list's MORE makes them */

#include "config.h"

#include <gtk/gtk.h>

#include "scorch-list-util.h"

typedef struct
{
  guint calls;
  guint steps;      /* calls after which MORE says every row is made */
  guint last_step;  /* as MORE was last called */
} Counter;

static gboolean
count_more (gpointer rows,
            guint    step)
{
  Counter *counter = rows;

  counter->calls++;
  counter->last_step = step;
  return counter->calls < counter->steps;
}

/* Runs the default main context until it has nothing left to do. */
static void
run_idles (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* Runs the default main context until MORE has been called N times (the
 * idle is the lowest priority: other sources may go first). */
static void
run_until_calls (Counter *counter,
                 guint    n)
{
  for (guint i = 0; i < 1000 && counter->calls < n; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (counter->calls, ==, n);
}

static GtkWidget *
new_list (void)
{
  return g_object_ref_sink (gtk_label_new (NULL));
}

/* Nothing is made before the first rows are drawn; then MORE until it
 * says every row is made, and the drawn row height is kept for next time. */
static void
test_fill_steps (void)
{
  Counter counter = { 0, 3 };
  g_autoptr(GtkWidget) list = new_list ();
  ScorchListFill fill;
  int row_height_seen = 0;

  scorch_list_fill_init (&fill, list, count_more, &counter, 7, &row_height_seen);
  /* No fill begun: a frame starts nothing. */
  scorch_list_fill_snapshot (&fill, 21);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 0);
  g_assert_cmpint (row_height_seen, ==, 0);

  scorch_list_fill_begin (&fill);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 0);

  scorch_list_fill_snapshot (&fill, 21);
  g_assert_cmpint (row_height_seen, ==, 21);
  g_assert_cmpuint (fill.idle_id, !=, 0);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 3);
  g_assert_cmpuint (counter.last_step, ==, 7);
  g_assert_cmpuint (fill.idle_id, ==, 0);

  /* A later frame makes nothing more; an unknown height keeps the last. */
  scorch_list_fill_snapshot (&fill, 30);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 3);
  g_assert_cmpint (row_height_seen, ==, 21);

  counter = (Counter) { 0, 1 };
  scorch_list_fill_begin (&fill);
  scorch_list_fill_snapshot (&fill, 0);
  g_assert_cmpint (row_height_seen, ==, 21);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 1);
}

/* Clearing (every row made at once, a new fill, or the list going away)
 * stops what was to come, before or after the first frame. */
static void
test_fill_clear (void)
{
  Counter counter = { 0, 5 };
  g_autoptr(GtkWidget) list = new_list ();
  ScorchListFill fill;
  int row_height_seen = 0;

  scorch_list_fill_init (&fill, list, count_more, &counter, 7, &row_height_seen);
  scorch_list_fill_begin (&fill);
  scorch_list_fill_clear (&fill);
  scorch_list_fill_snapshot (&fill, 12);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 0);
  g_assert_cmpint (row_height_seen, ==, 0);

  scorch_list_fill_begin (&fill);
  scorch_list_fill_snapshot (&fill, 12);
  run_until_calls (&counter, 1);
  scorch_list_fill_clear (&fill);
  g_assert_cmpuint (fill.idle_id, ==, 0);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 1);

  /* A new fill while the last one's idle runs starts over. */
  counter = (Counter) { 0, 5 };
  scorch_list_fill_begin (&fill);
  scorch_list_fill_snapshot (&fill, 12);
  run_until_calls (&counter, 1);
  scorch_list_fill_begin (&fill);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 1);
  scorch_list_fill_snapshot (&fill, 12);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 5);
}

/* Every row now: MORE once, for all of them, and nothing after. */
static void
test_fill_all (void)
{
  Counter counter = { 0, 5 };
  g_autoptr(GtkWidget) list = new_list ();
  ScorchListFill fill;
  int row_height_seen = 0;

  scorch_list_fill_init (&fill, list, count_more, &counter, 7, &row_height_seen);
  scorch_list_fill_begin (&fill);
  scorch_list_fill_all (&fill);
  g_assert_cmpuint (counter.calls, ==, 1);
  g_assert_cmpuint (counter.last_step, ==, G_MAXUINT);
  scorch_list_fill_snapshot (&fill, 12);
  run_idles ();
  g_assert_cmpuint (counter.calls, ==, 1);
  g_assert_cmpint (row_height_seen, ==, 0);
}

/* A slice grows by the step until GTK would make no more rows of it
 * (past 256), then to all; a step of G_MAXUINT is all at once. */
static void
test_grow_slice (void)
{
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  g_autoptr(GtkSliceListModel) slice = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      char text[16];

      g_snprintf (text, sizeof text, "%u", i);
      gtk_string_list_append (strings, text);
    }
  slice = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (strings)), 0, 64);

  g_assert_true (scorch_list_fill_grow_slice (slice, 32));
  g_assert_cmpuint (gtk_slice_list_model_get_size (slice), ==, 96);
  gtk_slice_list_model_set_size (slice, 250);
  g_assert_true (scorch_list_fill_grow_slice (slice, 32));
  g_assert_cmpuint (gtk_slice_list_model_get_size (slice), ==, 282);
  g_assert_false (scorch_list_fill_grow_slice (slice, 32));
  g_assert_cmpuint (gtk_slice_list_model_get_size (slice), ==, G_MAXUINT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slice)), ==, 1000);

  for (guint start = 0; start < 2; start++)
    {
      gtk_slice_list_model_set_size (slice, start * 10);
      g_assert_false (scorch_list_fill_grow_slice (slice, G_MAXUINT));
      g_assert_cmpuint (gtk_slice_list_model_get_size (slice), ==, G_MAXUINT);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/list-util/fill-steps", test_fill_steps);
  g_test_add_func ("/app/list-util/fill-clear", test_fill_clear);
  g_test_add_func ("/app/list-util/fill-all", test_fill_all);
  g_test_add_func ("/app/list-util/grow-slice", test_grow_slice);
  return g_test_run ();
}
