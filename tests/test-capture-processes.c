/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-capture-processes.c: the process list beside the thread list: shown
 * for a capture of several processes (a system-wide recording), hidden for
 * one; choosing a process keeps only its threads, whose samples every view
 * then shows; "All Processes" brings everything back. Saves a screenshot. */

#include "config.h"

#include "app-test-util.h"
#include "scorch-application.h"
#include "scorch-capture-processes.h"
#include "scorch-thread-list.h"
#include "scorch-window.h"

static ScorchApplication *app;

/* pid 100 "alpha" (threads 100, 101), pid 200 "beta", pid 300 "gamma" */
static ScorchProfile *
make_profile (gboolean one_process)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint32 main_frame = scorch_profile_builder_intern_frame (b, "main", "prog", NULL, 0, SCORCH_FRAME_KIND_USER);
  guint32 work = scorch_profile_builder_intern_frame (b, "work", "prog", NULL, 0, SCORCH_FRAME_KIND_USER);
  const struct { gint32 pid, tid; const char *name; guint n; } t[] = {
    { 100, 100, "alpha", 40 }, { 100, 101, "alpha-worker", 20 }, { 200, 200, "beta", 30 }, { 300, 300, "gamma", 10 },
  };
  guint64 time = 1000;

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      guint32 frames[] = { main_frame, work };

      if (one_process && t[i].pid != 100)
        continue;
      scorch_profile_builder_set_thread_name (b, t[i].pid, t[i].tid, t[i].name);
      for (guint k = 0; k < t[i].n; k++)
        scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = time += 1000, .pid = t[i].pid, .tid = t[i].tid,
                                                                       .frames = frames, .n_frames = 2, .weight = 1 });
    }
  return scorch_profile_builder_end (b);
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_filter_by_process (void)
{
  ScorchWindow *w = scorch_window_new (app);
  g_autoptr(ScorchProfile) profile = make_profile (FALSE);
  g_autoptr(ScorchProfile) single = make_profile (TRUE);
  ScorchCaptureProcesses *processes;
  g_autoptr(GArray) tids = NULL;

  gtk_window_set_default_size (GTK_WINDOW (w), 1100, 700);
  gtk_window_present (GTK_WINDOW (w));
  scorch_window_set_profile (w, profile);
  processes = SCORCH_CAPTURE_PROCESSES (scorch_window_get_view_widget (w, "processes"));
  g_assert_nonnull (processes);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (processes)));
  g_assert_cmpuint (scorch_capture_processes_get_n_processes (processes), ==, 3);
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (w)), ==, 100);

  /* A name's tooltip (the whole name) is answered when asked for, not set
   * on each row as it is made (an X round trip per row). */
  {
    GtkWidget *beta = find_label (GTK_WIDGET (processes), "beta");
    GtkTooltip *tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
    gboolean shown = FALSE;

    g_assert_nonnull (beta);
    g_assert_true (gtk_widget_get_has_tooltip (beta));
    g_assert_null (gtk_widget_get_tooltip_text (beta));
    g_signal_emit_by_name (beta, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
    g_assert_true (shown);
    g_object_unref (tooltip);
  }

  /* the process, then its threads */
  scorch_capture_processes_select (processes, 100);
  tids = scorch_thread_list_dup_selected_tids (SCORCH_THREAD_LIST (scorch_window_get_view_widget (w, "threads")));
  g_assert_nonnull (tids);
  g_assert_cmpuint (tids->len, ==, 2);
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (w)), ==, 60);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (w), "screenshot-capture-processes.png"));

  scorch_capture_processes_select (processes, 200);
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (w)), ==, 30);
  scorch_capture_processes_select (processes, -1);
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (w)), ==, 100);

  /* one process: nothing to choose, no list */
  scorch_window_set_profile (w, single);
  g_assert_cmpuint (scorch_capture_processes_get_n_processes (processes), ==, 1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (processes)));

  gtk_window_destroy (GTK_WINDOW (w));
}

/* N_PROCESSES processes, pid 1000 + i with 100 - i samples (the last the
 * coolest) */
static ScorchProfile *
make_many_processes (guint n_processes)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint32 frame = scorch_profile_builder_intern_frame (b, "main", "prog", NULL, 0, SCORCH_FRAME_KIND_USER);
  guint64 time = 1000;

  for (guint i = 0; i < n_processes; i++)
    {
      g_autofree char *name = g_strdup_printf ("proc-%u", i);

      scorch_profile_builder_set_thread_name (b, 1000 + i, 1000 + i, name);
      for (guint k = 0; k < 100 - i; k++)
        scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = time += 1000, .pid = 1000 + i, .tid = 1000 + i,
                                                                       .frames = &frame, .n_frames = 1, .weight = 1 });
    }
  return scorch_profile_builder_end (b);
}

static GtkWidget *
find_list_box (GtkWidget *widget)
{
  if (GTK_IS_LIST_BOX (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_list_box (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_rows (ScorchCaptureProcesses *processes)
{
  GtkWidget *list = find_list_box (GTK_WIDGET (processes));
  guint n = 0;

  g_assert_nonnull (list);
  while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), n) != NULL)
    n++;
  return n;
}

static gboolean
all_rows_made (gpointer data)
{
  return count_rows (data) == 41;
}

/* Of a capture of 40 processes, a new profile makes the rows the pane can
 * show, and the others once they are drawn; a process whose row is not
 * made yet can be selected. */
static void
test_first_fill (void)
{
  g_autoptr(ScorchProfile) profile = make_many_processes (40);
  ScorchCaptureProcesses *processes = g_object_new (SCORCH_TYPE_CAPTURE_PROCESSES, NULL);
  GtkWidget *window = gtk_window_new ();
  guint made;

  gtk_window_set_default_size (GTK_WINDOW (window), 400, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (processes));
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_until_drawn (window);

  scorch_capture_processes_set_profile (processes, profile);
  g_assert_cmpuint (scorch_capture_processes_get_n_processes (processes), ==, 40);
  made = count_rows (processes);
  g_assert_cmpuint (made, >=, 8);
  g_assert_cmpuint (made, <, 41);
  app_test_wait_for (all_rows_made, processes, 5000, "every process's row");

  /* Again, and the coolest process chosen before its row is made. */
  scorch_capture_processes_set_profile (processes, NULL);
  scorch_capture_processes_set_profile (processes, profile);
  g_assert_cmpuint (count_rows (processes), <, 41);
  scorch_capture_processes_select (processes, 1039);
  g_assert_cmpuint (count_rows (processes), ==, 41);
  {
    GtkWidget *list = gtk_widget_get_parent (gtk_widget_get_parent (find_label (GTK_WIDGET (processes), "proc-39")));

    g_assert_true (GTK_IS_LIST_BOX_ROW (list));
    g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (list)));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/capture-processes/filter-by-process", test_filter_by_process);
  g_test_add_func ("/app/capture-processes/first-fill", test_first_fill);
  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);
  return status;
}
