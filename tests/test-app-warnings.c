/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-warnings.c: what the loader read around reaches the person:
 * a capture that perf record never finished (killed: data.size 0, the
 * last record cut) opens, and a toast says how many records were read.
 * Every GTK warning is fatal here, and the flame graphs' scrolled windows
 * must guess the scrollbars their adjustments then ask for. */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "scorch-application.h"
#include "scorch-flame-graph.h"
#include "scorch-perf-file.h"
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

/* A label under widget whose text holds fragment, or NULL. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *fragment)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), fragment) != NULL)
    return GTK_LABEL (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *l = find_label (c, fragment);

      if (l != NULL)
        return l;
    }
  return NULL;
}

/* Every flame graph shown in a scrolled window: the scrollbars the scrolled
 * window guesses from the graph's natural size (before allocating it) are
 * those its adjustments ask for once allocated. When they differed, the
 * scrolled window queued a resize in the middle of the window's layout and
 * GTK 4.8 painted the window's contents unallocated ("Trying to snapshot
 * AdwGizmo without a current allocation", under load only). Returns how
 * many graphs were checked. */
static guint
check_scrollbar_guess (GtkWidget *widget)
{
  guint n = 0;

  if (SCORCH_IS_FLAME_GRAPH (widget) && gtk_widget_get_mapped (widget) &&
      GTK_IS_SCROLLED_WINDOW (gtk_widget_get_parent (widget)))
    {
      GtkScrollable *scrollable = GTK_SCROLLABLE (widget);
      GtkAdjustment *h = gtk_scrollable_get_hadjustment (scrollable);
      GtkAdjustment *v = gtk_scrollable_get_vadjustment (scrollable);
      int width = gtk_widget_get_width (widget);
      int height = gtk_widget_get_height (widget);
      int min, nat, guess_width, guess_height;

      /* as GtkScrolledWindow guesses: the minimum or natural size, by policy */
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      guess_width = gtk_scrollable_get_hscroll_policy (scrollable) == GTK_SCROLL_MINIMUM ? min : nat;
      gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, MAX (width, guess_width), &min, &nat, NULL, NULL);
      guess_height = gtk_scrollable_get_vscroll_policy (scrollable) == GTK_SCROLL_MINIMUM ? min : nat;
      g_test_message ("flame graph %dx%d: guessed %dx%d, vadjustment upper %.0f page %.0f",
                      width, height, guess_width, guess_height,
                      gtk_adjustment_get_upper (v), gtk_adjustment_get_page_size (v));
      g_assert_cmpint (guess_height > height, ==,
                       gtk_adjustment_get_upper (v) - gtk_adjustment_get_lower (v) > gtk_adjustment_get_page_size (v));
      g_assert_cmpint (guess_width > width, ==,
                       gtk_adjustment_get_upper (h) - gtk_adjustment_get_lower (h) > gtk_adjustment_get_page_size (h));
      n++;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += check_scrollbar_guess (c);
  return n;
}

/* The test corpus's frame-pointer capture, as a killed perf record leaves
 * it: data.size 0, no feature table, the last record half written.
 * Returns the number of whole records. */
static guint
make_unfinished (const char *path)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "corpus", "fp-small.data", NULL);
  g_autofree char *contents = NULL;
  ScorchPerfFileHeader h;
  gsize len, end;
  guint n = 0;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  memcpy (&h, contents, sizeof h);
  end = h.data.offset + h.data.size - 4;
  for (guint64 pos = h.data.offset; pos + 8 <= end; n++)
    {
      struct perf_event_header eh;

      memcpy (&eh, contents + pos, sizeof eh);
      if (eh.size > end - pos)
        break;
      pos += eh.size;
    }
  h.data.size = 0;
  memcpy (contents, &h, sizeof h);
  g_assert_true (g_file_set_contents (path, contents, end, NULL));
  return n;
}

static void
test_unfinished_capture (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "killed.data", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *expected = NULL;
  ScorchWindow *w;
  gboolean loaded = FALSE, timed_out = FALSE;
  GtkLabel *label;
  guint id;

  expected = g_strdup_printf ("%u records read", make_unfinished (path));

  w = scorch_window_new (app);
  g_signal_connect (w, "profile-loaded", G_CALLBACK (loaded_cb), &loaded);
  gtk_window_set_default_size (GTK_WINDOW (w), 1000, 700);
  gtk_window_present (GTK_WINDOW (w));
  scorch_window_open_file (w, file);

  id = g_timeout_add_seconds (30, timeout_cb, &timed_out);
  while (!loaded && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_true (loaded);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (w)), ==, "profile");

  explore_test_wait_drawn (GTK_WIDGET (w));
  g_assert_cmpuint (check_scrollbar_guess (GTK_WIDGET (w)), >=, 1);
  label = find_label (GTK_WIDGET (w), "not finished");
  g_assert_nonnull (label);
  g_test_message ("toast: %s", gtk_label_get_text (label));
  g_assert_nonnull (strstr (gtk_label_get_text (label), expected));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (label)));
  explore_test_screenshot (GTK_WIDGET (w), "app-warnings-unfinished.png");
  gtk_window_destroy (GTK_WINDOW (w));
}

/* A capture whose binary's path holds markup and control characters
 * ("<&", ESC, invalid UTF-8): its frames stay unnamed, so a toast lists the
 * module. Toast titles are Pango markup: the name must neither break them
 * (a markup error is a fatal warning here) nor be read as markup. */
static void
test_hostile_module_name (void)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "corpus", "fp-small.data", NULL);
  g_autofree char *path = g_build_filename (tmpdir, "hostile.data", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  ScorchWindow *w;
  gboolean loaded = FALSE, timed_out = FALSE;
  GtkLabel *label;
  guint n_patched = 0;
  gsize len;
  guint id;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  for (char *p = contents; (p = memmem (p, len - (p - contents), "/tmp/rd/tiny", 12)) != NULL; p += 12)
    {
      memcpy (p, "/tmp/<&\x1b]0;\xff", 12);
      n_patched++;
    }
  g_assert_cmpuint (n_patched, >, 0);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));

  w = scorch_window_new (app);
  g_signal_connect (w, "profile-loaded", G_CALLBACK (loaded_cb), &loaded);
  gtk_window_set_default_size (GTK_WINDOW (w), 1000, 700);
  gtk_window_present (GTK_WINDOW (w));
  scorch_window_open_file (w, file);
  id = g_timeout_add_seconds (30, timeout_cb, &timed_out);
  while (!loaded && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_true (loaded);
  explore_test_wait_drawn (GTK_WIDGET (w));

  label = find_label (GTK_WIDGET (w), "No function names");
  g_assert_nonnull (label);
  g_test_message ("toast: %s", gtk_label_get_text (label));
  g_assert_nonnull (strstr (gtk_label_get_text (label), "<&\xef\xbf\xbd]0;\xef\xbf\xbd"));
  explore_test_screenshot (GTK_WIDGET (w), "app-warnings-hostile-module.png");
  gtk_window_destroy (GTK_WINDOW (w));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* every warning and critical is fatal (g_test_init), GTK's too: the
   * "Trying to snapshot AdwGizmo without a current allocation" a loaded
   * machine showed came from the flame graph's measure (see
   * scorch_flame_graph_measure) and is no longer tolerated */
  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-warnings-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/warnings/unfinished-capture", test_unfinished_capture);
  g_test_add_func ("/app/warnings/hostile-module-name", test_hostile_module_name);

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
