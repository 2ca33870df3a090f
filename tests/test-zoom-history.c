/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-zoom-history.c: ScorchZoomHistory, back and forward through zoom roots */

#include "config.h"

#include "scorch-zoom-history.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_back_forward (void)
{
  g_autoptr(ScorchZoomHistory) h = scorch_zoom_history_new (0);
  guint32 node = 1234;
  guint back_notified = 0, current_notified = 0;

  g_signal_connect (h, "notify::can-go-back", G_CALLBACK (count_notify), &back_notified);
  g_signal_connect (h, "notify::current", G_CALLBACK (count_notify), &current_notified);

  g_assert_cmpuint (scorch_zoom_history_get_current (h), ==, 0);
  g_assert_false (scorch_zoom_history_get_can_go_back (h));
  g_assert_false (scorch_zoom_history_get_can_go_forward (h));
  g_assert_false (scorch_zoom_history_go_back (h, &node));
  g_assert_cmpuint (node, ==, 1234);

  scorch_zoom_history_push (h, 5);
  scorch_zoom_history_push (h, 5); /* the same zoom again: no entry */
  scorch_zoom_history_push (h, 9);
  g_assert_cmpuint (back_notified, ==, 1);
  g_assert_cmpuint (current_notified, ==, 2);
  g_assert_true (scorch_zoom_history_get_can_go_back (h));

  g_assert_true (scorch_zoom_history_go_back (h, &node));
  g_assert_cmpuint (node, ==, 5);
  g_assert_true (scorch_zoom_history_get_can_go_forward (h));
  g_assert_true (scorch_zoom_history_go_back (h, &node));
  g_assert_cmpuint (node, ==, 0);
  g_assert_false (scorch_zoom_history_get_can_go_back (h));
  g_assert_true (scorch_zoom_history_go_forward (h, &node));
  g_assert_cmpuint (node, ==, 5);

  /* A new zoom drops the forward entries, as a browser does. */
  scorch_zoom_history_push (h, 7);
  g_assert_false (scorch_zoom_history_get_can_go_forward (h));
  g_assert_false (scorch_zoom_history_go_forward (h, NULL));
  g_assert_true (scorch_zoom_history_go_back (h, &node));
  g_assert_cmpuint (node, ==, 5);

  scorch_zoom_history_reset (h, 0);
  g_assert_cmpuint (scorch_zoom_history_get_current (h), ==, 0);
  g_assert_false (scorch_zoom_history_get_can_go_back (h));
  g_assert_false (scorch_zoom_history_get_can_go_forward (h));
}

static void
test_capped (void)
{
  g_autoptr(ScorchZoomHistory) h = scorch_zoom_history_new (0);
  guint steps = 0;

  for (guint32 i = 1; i <= 10000; i++)
    scorch_zoom_history_push (h, i);
  while (scorch_zoom_history_go_back (h, NULL))
    steps++;
  g_assert_cmpuint (steps, >, 10);
  g_assert_cmpuint (steps, <, 10000);
  g_assert_cmpuint (scorch_zoom_history_get_current (h), ==, 10000 - steps);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/zoom-history/back-forward", test_back_forward);
  g_test_add_func ("/app/zoom-history/capped", test_capped);

  return g_test_run ();
}
