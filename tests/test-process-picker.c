/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-process-picker.c: the running-process list of the record dialog
 * keeps its order by CPU as the processes' CPU use changes. */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <gtk/gtk.h>

#include "scorch-process-list.h"
#include "scorch-process-picker.h"

static GtkColumnView *
find_column_view (GtkWidget *widget)
{
  if (GTK_IS_COLUMN_VIEW (widget))
    return GTK_COLUMN_VIEW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkColumnView *found = find_column_view (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static int
first_pid (GtkColumnView *view)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr(ScorchProcessItem) item = g_list_model_get_item (model, 0);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  return scorch_process_item_get_pid (item);
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

/* Refreshes over 600 ms windows until PID is listed first, for up to ten
 * windows (on a loaded machine the running one may get no CPU tick in
 * one window); returns the first row's pid at the end. */
static int
wait_for_first_pid (GtkColumnView     *view,
                    ScorchProcessList *list,
                    int                pid)
{
  int first = 0;

  for (guint i = 0; i < 10 && first != pid; i++)
    {
      scorch_process_list_refresh (list);
      run_for (600);
      scorch_process_list_refresh (list);
      run_for (50);
      first = first_pid (view);
    }
  return first;
}

/* A failed assertion must not leave spinning children behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_spinner (const char *marker)
{
  g_autofree char *script = g_strdup_printf (": %s; while :; do :; done", marker);
  const char *argv[] = { "/bin/sh", "-c", script, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  GSubprocess *child;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);

  g_assert_no_error (error);
  return child;
}

/* Two spinning shells; SIGSTOP and SIGCONT decide which one uses the CPU
 * (a stopped process uses none), so the expected order is certain. */
static void
test_resorts_by_cpu (void)
{
  g_autofree char *marker = g_strdup_printf ("scorch-sort-test-%d", (int) getpid ());
  g_autoptr(GSubprocess) a = spawn_spinner (marker);
  g_autoptr(GSubprocess) b = spawn_spinner (marker);
  int pid_a = atoi (g_subprocess_get_identifier (a));
  int pid_b = atoi (g_subprocess_get_identifier (b));
  GtkWidget *picker = scorch_process_picker_new ();
  GtkWidget *window = gtk_window_new ();
  ScorchProcessList *list = scorch_process_picker_get_list (SCORCH_PROCESS_PICKER (picker));
  GtkColumnView *view;

  gtk_window_set_child (GTK_WINDOW (window), picker);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_present (GTK_WINDOW (window));
  view = find_column_view (picker);
  g_assert_nonnull (view);

  /* Only our two (by their command lines), sorted by CPU as it opens.
   * The list's own timer waits an hour (it restarts when the picker is
   * mapped): a refresh of its own just before ours would leave a window
   * too short for either process to have used a tick. */
  scorch_process_list_set_interval (list, 3600 * 1000);
  scorch_process_picker_set_search (SCORCH_PROCESS_PICKER (picker), marker);
  kill (pid_b, SIGSTOP);
  g_assert_cmpint (wait_for_first_pid (view, list, pid_a), ==, pid_a);

  /* B runs, A stops: B goes to the top on the next refresh. */
  kill (pid_a, SIGSTOP);
  kill (pid_b, SIGCONT);
  g_assert_cmpint (wait_for_first_pid (view, list, pid_b), ==, pid_b);

  kill (pid_a, SIGCONT);
  g_subprocess_force_exit (a);
  g_subprocess_force_exit (b);
  g_subprocess_wait (a, NULL, NULL);
  g_subprocess_wait (b, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/process-picker/resorts-by-cpu", test_resorts_by_cpu);
  return g_test_run ();
}
