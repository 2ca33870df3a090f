/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-timeline.c: the timeline strip and the thread list that filter every view */

#include "config.h"

#include <string.h>

#include "explore-test-util.h"
#include "scorch-folded.h"
#include "scorch-thread-item.h"
#include "scorch-thread-list.h"
#include "scorch-timeline.h"

typedef struct
{
  guint   n;
  guint64 begin;
  guint64 end;
} RangeLog;

static void
range_changed_cb (ScorchTimeline *timeline,
                  guint64         begin,
                  guint64         end,
                  RangeLog       *log)
{
  log->n++;
  log->begin = begin;
  log->end = end;
}

static void
test_timeline_range (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchTimeline *timeline = SCORCH_TIMELINE (scorch_timeline_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (timeline), 800, 120);
  RangeLog log = { 0, };
  guint64 t0, t1, begin, end;

  g_signal_connect (timeline, "range-changed", G_CALLBACK (range_changed_cb), &log);
  scorch_timeline_set_profile (timeline, profile);
  scorch_profile_get_time_bounds (profile, &t0, &t1);
  g_assert_cmpuint (t1, >, t0);

  /* Every thread, then one row per thread */
  g_assert_cmpuint (scorch_timeline_get_n_rows (timeline), ==, 3);
  g_assert_false (scorch_timeline_get_range (timeline, &begin, &end));
  g_assert_cmpuint (begin, ==, 0);
  g_assert_cmpuint (end, ==, G_MAXUINT64);

  /* Select the second half: the worker thread's samples */
  scorch_timeline_set_range (timeline, 2000000000, t1);
  g_assert_cmpuint (log.n, ==, 1);
  g_assert_true (scorch_timeline_get_range (timeline, &begin, &end));
  g_assert_cmpuint (begin, ==, log.begin);
  g_assert_cmpuint (end, ==, log.end);

  {
    g_autoptr(ScorchProfile) part = scorch_profile_filter (profile, NULL, 0, begin, end);
    guint n_threads = 0;
    const ScorchThread *threads = scorch_profile_get_threads (part, &n_threads);

    g_assert_cmpuint (scorch_profile_get_total (part), ==, 15);
    for (guint i = 0; i < n_threads; i++)
      g_assert_cmpuint (threads[i].n_samples, ==, threads[i].tid == 101 ? 15 : 0);
  }

  /* The same range again changes nothing */
  scorch_timeline_set_range (timeline, begin, end);
  g_assert_cmpuint (log.n, ==, 1);

  /* Dimmed threads are drawn but do not change the range */
  scorch_timeline_set_active_tids (timeline, (gint32[]) { 101 }, 1);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (timeline), "timeline.png"), >, 0.05);
  explore_test_set_dark (TRUE);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (timeline), "timeline-dark.png"), >, 0.05);
  explore_test_set_dark (FALSE);
  scorch_timeline_set_active_tids (timeline, NULL, 0);

  /* Escape (the widget's timeline.clear action) clears */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.clear", NULL));
  g_assert_cmpuint (log.n, ==, 2);
  g_assert_cmpuint (log.begin, ==, 0);
  g_assert_cmpuint (log.end, ==, G_MAXUINT64);
  g_assert_false (scorch_timeline_get_range (timeline, NULL, NULL));

  /* Out-of-bounds ranges are clamped; the whole capture is no selection */
  scorch_timeline_set_range (timeline, 0, t0 + 10);
  g_assert_true (scorch_timeline_get_range (timeline, &begin, &end));
  g_assert_cmpuint (begin, ==, t0);
  g_assert_cmpuint (end, ==, t0 + 10);
  scorch_timeline_set_range (timeline, 0, G_MAXUINT64);
  g_assert_false (scorch_timeline_get_range (timeline, NULL, NULL));

  gtk_window_destroy (window);
}

static void
test_timeline_no_time (void)
{
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchProfile) timed = explore_test_profile ();
  ScorchTimeline *timeline = SCORCH_TIMELINE (scorch_timeline_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (timeline), 600, 80);
  const char folded[] = "main;a 3\nmain;b 2\n";
  RangeLog log = { 0, };
  guint64 begin = 1, end = 1;
  double blank, shown;

  g_signal_connect (timeline, "range-changed", G_CALLBACK (range_changed_cb), &log);
  /* Nothing loaded: a strip that says so */
  g_assert_cmpuint (scorch_timeline_get_n_rows (timeline), ==, 0);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (timeline)), ==, "No time information in this capture");
  blank = explore_test_screenshot (GTK_WIDGET (timeline), "timeline-no-capture.png");

  /* Folded stacks carry no time: nothing to select */
  profile = scorch_folded_parse (folded, sizeof folded - 1, NULL);
  g_assert_nonnull (profile);
  scorch_timeline_set_profile (timeline, profile);
  scorch_timeline_set_range (timeline, 1, 2);
  g_assert_false (scorch_timeline_get_range (timeline, &begin, &end));
  g_assert_cmpuint (begin, ==, 0);
  g_assert_cmpuint (end, ==, G_MAXUINT64);
  /* neither the call nor Escape's action announces a range */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.clear", NULL));
  scorch_timeline_clear_range (timeline);
  g_assert_cmpuint (log.n, ==, 0);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (timeline)), ==, "No time information in this capture");
  /* the message is drawn (text on the background, more than nothing) */
  shown = explore_test_screenshot (GTK_WIDGET (timeline), "timeline-no-time.png");
  g_assert_cmpfloat (shown, >, 0.002);

  /* A profile with time after one without: selectable again */
  scorch_timeline_set_profile (timeline, timed);
  scorch_timeline_set_range (timeline, 2000000000, 2500000000);
  g_assert_cmpuint (log.n, ==, 1);
  g_assert_true (scorch_timeline_get_range (timeline, &begin, &end));
  g_assert_cmpuint (begin, ==, 2000000000);
  g_assert_cmpuint (end, ==, 2500000000);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (timeline)), "Selected from 1.00 s to 1.50 s"));
  /* and back to the one without: the selection goes with it */
  scorch_timeline_set_profile (timeline, profile);
  g_assert_false (scorch_timeline_get_range (timeline, NULL, NULL));
  g_test_message ("no capture: %.4f of the pixels drawn; no time: %.4f", blank, shown);

  gtk_window_destroy (window);
}

/* -- time axis and keyboard range selection (flame graph / timeline work) -- */

static void
test_timeline_axis (void)
{
  struct { guint64 span; guint max; guint64 step; } steps[] = {
    { 4000000000ull, 4, 1000000000 },  /* 4 s: 0, 1, 2, 3, 4 s */
    { 2000000, 4, 500000 },            /* 2 ms: 0, 0.5, … 2 ms */
    { 1700, 5, 500 },                  /* 1.7 µs */
    { 999, 10, 100 },
    { 3, 10, 1 },
    { 0, 4, 1 },
  };
  struct { guint64 ns, step; const char *text; } labels[] = {
    { 0, 500000, "0.0 ms" },
    { 1500000, 500000, "1.5 ms" },
    { 2000000000, 1000000000, "2 s" },
    { 250000, 250000, "0.25 ms" },
    { 40000, 20000, "40 µs" },
    { 7, 1, "7 ns" },
  };
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  ScorchTimeline *timeline = SCORCH_TIMELINE (scorch_timeline_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (timeline), 800, 80);
  guint32 frame;
  guint64 begin, end, t0 = 5000000000ull;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      guint64 step = scorch_timeline_axis_step (steps[i].span, steps[i].max);

      g_assert_cmpuint (step, ==, steps[i].step);
      g_assert_cmpuint (steps[i].span / step, <=, steps[i].max);
    }
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autofree char *text = scorch_timeline_format_time (labels[i].ns, labels[i].step);
      g_assert_cmpstr (text, ==, labels[i].text);
    }
  /* Consecutive ticks of any span never read the same. */
  for (guint64 span = 1; span < G_GUINT64_CONSTANT (100000000000); span = span * 3 + 1)
    {
      guint64 step = scorch_timeline_axis_step (span, 8);
      g_autofree char *a = scorch_timeline_format_time (step, step);
      g_autofree char *b = scorch_timeline_format_time (2 * step, step);

      g_assert_cmpstr (a, !=, b);
    }

  /* A capture of two samples 2 ms apart: a readable axis, and the range
   * selected with the keyboard. */
  frame = scorch_profile_builder_intern_frame (builder, "main", "/usr/bin/x", NULL, 0, SCORCH_FRAME_KIND_USER);
  scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = t0, .pid = 1, .tid = 1,
                                                                       .frames = &frame, .n_frames = 1, .weight = 1 });
  scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = t0 + 2000000, .pid = 1, .tid = 1,
                                                                       .frames = &frame, .n_frames = 1, .weight = 1 });
  profile = scorch_profile_builder_end (g_steal_pointer (&builder));
  scorch_timeline_set_profile (timeline, profile);
  explore_test_screenshot (GTK_WIDGET (timeline), "timeline-two-samples.png");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.move-right", NULL));
  g_assert_false (scorch_timeline_get_range (timeline, NULL, NULL)); /* nothing to move */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.shrink", NULL));
  g_assert_true (scorch_timeline_get_range (timeline, &begin, &end));
  g_assert_cmpuint (begin, ==, t0);
  g_assert_cmpuint (end, ==, t0 + 2000000 - 100000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.move-right", NULL));
  g_assert_true (scorch_timeline_get_range (timeline, &begin, &end));
  g_assert_cmpuint (begin, ==, t0 + 100000);
  g_assert_cmpuint (end, ==, t0 + 2000000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.move-left", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.grow", NULL));
  g_assert_false (scorch_timeline_get_range (timeline, NULL, NULL)); /* the whole capture again */
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (timeline)));

  gtk_window_destroy (window);
}

static void
changed_cb (ScorchThreadList *list,
            guint            *n)
{
  (*n)++;
}

static void
test_thread_list (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchThreadList *list = SCORCH_THREAD_LIST (scorch_thread_list_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (list), 420, 200);
  GListModel *model = scorch_thread_list_get_model (list);
  g_autoptr(GArray) tids = NULL;
  guint n_changed = 0;

  g_signal_connect (list, "changed", G_CALLBACK (changed_cb), &n_changed);
  scorch_thread_list_set_profile (list, profile);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  /* Busiest first, all checked: no filter */
  {
    g_autoptr(ScorchThreadItem) first = g_list_model_get_item (model, 0);

    g_assert_cmpint (scorch_thread_item_get_tid (first), ==, 100);
    g_assert_cmpstr (scorch_thread_item_get_name (first), ==, "main-thread");
    g_assert_cmpuint (scorch_thread_item_get_n_samples (first), ==, 85);
    g_assert_true (scorch_thread_item_get_active (first));
  }
  g_assert_null (scorch_thread_list_dup_selected_tids (list));

  /* Unchecking a box (as a click does, through the item's property) */
  {
    g_autoptr(ScorchThreadItem) first = g_list_model_get_item (model, 0);

    scorch_thread_item_set_active (first, FALSE);
    g_assert_cmpuint (n_changed, ==, 1);
    tids = scorch_thread_list_dup_selected_tids (list);
    g_assert_nonnull (tids);
    g_assert_cmpuint (tids->len, ==, 1);
    g_assert_cmpint (g_array_index (tids, gint32, 0), ==, 101);
    g_clear_pointer (&tids, g_array_unref);
  }
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (list), "thread-list.png"), >, 0.02);

  /* Only one thread: one "changed" */
  scorch_thread_list_select_only (list, 100);
  g_assert_cmpuint (n_changed, ==, 2);
  tids = scorch_thread_list_dup_selected_tids (list);
  g_assert_cmpuint (tids->len, ==, 1);
  g_assert_cmpint (g_array_index (tids, gint32, 0), ==, 100);
  g_clear_pointer (&tids, g_array_unref);

  /* Every thread again, through the action */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "threads.select-all", NULL));
  g_assert_cmpuint (n_changed, ==, 3);
  g_assert_null (scorch_thread_list_dup_selected_tids (list));

  gtk_window_destroy (window);
}

/* A big capture's buckets are counted on a thread of their own, while the
 * main thread goes on handing the profile to the other views: the same
 * counts as on the main thread, the thread joined before a new profile,
 * a draw and the widget's end. */
static void
test_timeline_count_in_thread (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  g_autoptr(ScorchProfile) other = explore_test_profile ();
  ScorchTimeline *inline_count = SCORCH_TIMELINE (scorch_timeline_new ());
  ScorchTimeline *threaded;
  GtkWindow *window;
  guint64 total = 0;

  g_object_ref_sink (inline_count);
  _scorch_timeline_set_count_in_thread_min (G_MAXUINT);
  scorch_timeline_set_profile (inline_count, profile);
  g_assert_false (_scorch_timeline_counted_in_thread (inline_count));

  _scorch_timeline_set_count_in_thread_min (0);
  threaded = SCORCH_TIMELINE (scorch_timeline_new ());
  window = explore_test_window (GTK_WIDGET (threaded), 800, 120);
  /* A new profile while the first count runs, then the one compared. */
  scorch_timeline_set_profile (threaded, other);
  scorch_timeline_set_profile (threaded, profile);
  g_assert_true (_scorch_timeline_counted_in_thread (threaded));
  g_assert_cmpuint (scorch_timeline_get_n_rows (threaded), ==, scorch_timeline_get_n_rows (inline_count));
  g_assert_cmpuint (scorch_timeline_get_n_rows (threaded), >, 1);
  for (guint r = 0; r < scorch_timeline_get_n_rows (threaded); r++)
    for (guint b = 0; b < 512; b++)
      {
        g_assert_cmpuint (_scorch_timeline_get_bucket (threaded, r, b), ==,
                          _scorch_timeline_get_bucket (inline_count, r, b));
        if (r == 0)
          total += _scorch_timeline_get_bucket (threaded, r, b);
      }
  g_assert_cmpuint (total, >, 0);
  /* Drawn from the thread's counts. */
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (threaded), "timeline-threaded.png"), >, 0.05);

  /* The widget ends while its count may still run. */
  scorch_timeline_set_profile (inline_count, other);
  g_object_unref (inline_count);
  inline_count = SCORCH_TIMELINE (scorch_timeline_new ());
  g_object_ref_sink (inline_count);
  scorch_timeline_set_profile (inline_count, profile);
  g_assert_true (_scorch_timeline_counted_in_thread (inline_count));
  g_object_unref (inline_count);

  _scorch_timeline_set_count_in_thread_min (65536);
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/timeline/range", test_timeline_range);
  g_test_add_func ("/app/timeline/no-time", test_timeline_no_time);
  g_test_add_func ("/app/timeline/axis", test_timeline_axis);
  g_test_add_func ("/app/timeline/count-in-thread", test_timeline_count_in_thread);
  g_test_add_func ("/app/thread-list/check", test_thread_list);

  return g_test_run ();
}
