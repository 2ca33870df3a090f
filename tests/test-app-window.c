/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-window.c: the real application on a deep C++ profile: the
 * adaptive layout at 800×600 and 1600×1000 (with screenshots, light and
 * dark), readable names, and honest states driven with real input events
 * (xdotool's XTest) under Xvfb. */

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <string.h>

#include "app-test-util.h"
#include "explore-test-util.h"
#include "scorch-application.h"
#include "scorch-caller-callee-view.h"
#include "scorch-function-item.h"
#include "scorch-hotspot-view.h"
#include "scorch-loader-private.h"
#include "scorch-session.h"
#include "scorch-window-private.h"
#include "scorch-window.h"
#include "xdo-test-util.h"

static ScorchApplication *app;
static char *tmpdir;
static char *good_path;
static ScorchWindow *window;

/* -- a deep C++ profile, as folded stacks --
 *
 * 60 frames at the deepest, long template names, a lambda, an anonymous
 * namespace, operators: what the issue's C++ user saw. */

static const char *deep_leaves[] = {
  "double physics::integrate<double>(std::vector<double, std::allocator<double> >&, int)",
  "matrix_kernel(double*, double const*, unsigned long)",
  "(anonymous namespace)::hash_combine(unsigned long, unsigned long)",
  "std::_Rb_tree<int, std::pair<int const, double>, std::_Select1st<std::pair<int const, double> >, "
    "std::less<int>, std::allocator<std::pair<int const, double> > >::_M_lower_bound("
    "std::_Rb_tree_node<std::pair<int const, double> >*, std::_Rb_tree_node_base*, int const&)",
  "operator new(unsigned long)",
};

static char *
write_profile (const char *name,
               guint       max_depth,
               guint       step)
{
  static const char *base[] = {
    "_start", "__libc_start_main", "main", "app::Application::run(int, char**)",
    "app::Scheduler<app::Job>::dispatch(std::vector<app::Job, std::allocator<app::Job> >&)",
    "std::function<void (app::Job&)>::operator()(app::Job&) const",
    "app::Application::run(int, char**)::{lambda(app::Job&)#1}::operator()(app::Job&) const",
  };
  g_autoptr(GString) text = g_string_new (NULL);
  char *path = g_build_filename (tmpdir, name, NULL);

  for (guint depth = step; depth <= max_depth; depth += step)
    for (guint leaf = 0; leaf < G_N_ELEMENTS (deep_leaves); leaf++)
      {
        for (guint i = 0; i < G_N_ELEMENTS (base); i++)
          g_string_append_printf (text, "%s;", base[i]);
        for (guint i = 0; i < depth; i++)
          g_string_append_printf (text, "physics::detail::Integrator<double, %u>::step("
                                  "std::vector<double, std::allocator<double> >&, int);", i % 4 + 1);
        /* weights: the integrator is the hottest function */
        g_string_append_printf (text, "%s %u\n", deep_leaves[leaf],
                                (leaf == 0 ? 40 : 10) + (depth * 7 + leaf * 13) % 23);
      }
  g_string_append (text, "_start;__libc_start_main;main;app::Loader::parse_config("
                         "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&) 120\n");

  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  return path;
}

/* -- helpers -- */

static gboolean
page_is_not_loading (gpointer data)
{
  /* The loading page shows only when a load takes a while: ask the window. */
  return !_scorch_window_is_loading (data);
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

static void
set_size (int width,
          int height)
{
  /* Twice, as a person keeps dragging the edge: crossing into the stacked
   * layout lowers the minimum width (libadwaita < 1.4 switches layouts
   * on the width it gets). */
  for (guint i = 0; i < 2; i++)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), width, height);
      run_for (150);
      app_test_wait_until_drawn (GTK_WIDGET (window));
      run_for (150);
      app_test_wait_until_drawn (GTK_WIDGET (window));
    }
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  run_for (100);
  app_test_wait_until_drawn (GTK_WIDGET (window));
}

static GtkWidget *
find_by_id (GtkWidget  *widget,
            const char *id)
{
  if (GTK_IS_BUILDABLE (widget) && g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_id (c, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Widgets whose minimum width is at least MIN, for the log: what forces
 * the window's minimum width. */
static void
log_wide_widgets (GtkWidget *widget,
                  int        min_width,
                  int        depth)
{
  int min = 0, nat = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  if (min < min_width || depth > 12)
    return;
  g_test_message ("%*s%s%s%s min %d nat %d", depth, "", G_OBJECT_TYPE_NAME (widget),
                  GTK_IS_BUILDABLE (widget) && gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) ? " #" : "",
                  GTK_IS_BUILDABLE (widget) && gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget))
                    ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) : "",
                  min, nat);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    log_wide_widgets (c, min_width, depth + 1);
}

/* -- tests -- */

static void
test_open (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (good_path);

  /* As `scorch FILE` does. */
  g_application_open (G_APPLICATION (app), &file, 1, "");
  window = SCORCH_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  app_test_wait_for (page_is_not_loading, window, 30000, "the deep profile to load");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "deep-cpp.folded");
  app_test_wait_until_drawn (GTK_WIDGET (window));
}

static void
check_layout (int         width,
              int         height,
              const char *name)
{
  GtkWidget *paned = find_by_id (GTK_WIDGET (window), "main_paned");
  GtkWidget *graph = scorch_window_get_view_widget (window, "flame-graph");
  GtkWidget *table = scorch_window_get_view_widget (window, "hotspots");
  g_autofree char *light = g_strdup_printf ("%s-%dx%d.png", name, width, height);
  g_autofree char *dark = g_strdup_printf ("%s-%dx%d-dark.png", name, width, height);

  set_size (width, height);
  g_assert_nonnull (paned);
  /* What shows of the graph: its viewport when it scrolls. */
  if (gtk_widget_get_ancestor (graph, GTK_TYPE_SCROLLED_WINDOW) != NULL)
    graph = gtk_widget_get_ancestor (graph, GTK_TYPE_SCROLLED_WINDOW);
  /* (the default size counts the client-side shadow; the widget does not) */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, width - 24);
  g_test_message ("%dx%d: paned %s, graph %dx%d, table %dx%d", width, height,
                  gtk_orientable_get_orientation (GTK_ORIENTABLE (paned)) == GTK_ORIENTATION_HORIZONTAL
                    ? "side by side" : "stacked",
                  gtk_widget_get_width (graph), gtk_widget_get_height (graph),
                  gtk_widget_get_width (table), gtk_widget_get_height (table));

  /* The graph is the larger part, in both layouts. */
  g_assert_true (gtk_widget_get_mapped (graph));
  g_assert_true (gtk_widget_get_mapped (table));
  g_assert_cmpint (gtk_widget_get_width (graph) * gtk_widget_get_height (graph), >,
                   gtk_widget_get_width (table) * gtk_widget_get_height (table));
  g_assert_cmpint (gtk_widget_get_height (graph), >=, 150);
  g_assert_cmpint (gtk_widget_get_height (table), >=, 100);

  set_dark (FALSE);
  app_test_save_screenshot (GTK_WIDGET (window), light);
  set_dark (TRUE);
  app_test_save_screenshot (GTK_WIDGET (window), dark);
  set_dark (FALSE);

  /* The call tree, whose Total column was cut off. */
  {
    g_autofree char *tree = g_strdup_printf ("%s-%dx%d-call-tree.png", name, width, height);

    scorch_window_set_view (window, "call-tree");
    run_for (100);
    app_test_wait_until_drawn (GTK_WIDGET (window));
    app_test_save_screenshot (GTK_WIDGET (window), tree);
    scorch_window_set_view (window, "flame-graph");
    run_for (100);
    app_test_wait_until_drawn (GTK_WIDGET (window));
  }
}

static void
test_layout (void)
{
  GtkWidget *paned = find_by_id (GTK_WIDGET (window), "main_paned");
  int min = 0, nat = 0;

  /* Narrow: the table goes under the graph. */
  check_layout (800, 600, "window-deep-cpp");
  g_assert_cmpint (gtk_orientable_get_orientation (GTK_ORIENTABLE (paned)), ==, GTK_ORIENTATION_VERTICAL);

  /* Stacked, the window narrows well under the 872 px it used to need. */
  for (int w = 760; w >= 640; w -= 40)
    {
      set_size (w, 600);
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_test_message ("narrowed to %d: %d px wide, minimum %d", w, gtk_widget_get_width (GTK_WIDGET (window)), min);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, w);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, w - 24);
    }
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_test_message ("window minimum width %d px stacked", min);
  log_wide_widgets (GTK_WIDGET (window), MAX (min - 60, 200), 0);
  g_assert_cmpint (min, <=, 640);

  /* Wide: side by side, the graph the larger part. */
  check_layout (1600, 1000, "window-deep-cpp");
  g_assert_cmpint (gtk_orientable_get_orientation (GTK_ORIENTABLE (paned)), ==, GTK_ORIENTATION_HORIZONTAL);
  g_assert_cmpint (gtk_widget_get_width (scorch_window_get_view_widget (window, "flame-graph")), >,
                   gtk_widget_get_width (scorch_window_get_view_widget (window, "hotspots")));

  /* A person drags the edge from 1600 px down to 800: the window follows
   * every step (the switcher narrows and then the table goes under the
   * graph before the window reaches its minimum width). */
  for (int w = 1500; w >= 800; w -= 100)
    {
      set_size (w, 1000);
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_test_message ("dragged to %d: %d px wide, minimum %d, %s", w, gtk_widget_get_width (GTK_WIDGET (window)), min,
                      gtk_orientable_get_orientation (GTK_ORIENTABLE (paned)) == GTK_ORIENTATION_HORIZONTAL
                        ? "side by side" : "stacked");
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, w);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, w - 24);
      g_assert_cmpint (min, <=, w);
    }
  g_assert_cmpint (gtk_orientable_get_orientation (GTK_ORIENTABLE (paned)), ==, GTK_ORIENTATION_VERTICAL);
}

/* -- honest states, with real input -- */

typedef struct
{
  GType      type;
  GtkWindow *found;
} FindToplevel;

static gboolean
find_toplevel (gpointer data)
{
  FindToplevel *find = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, find->type) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        {
          find->found = w;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
no_file_chooser (gpointer data)
{
  FindToplevel find = { GTK_TYPE_FILE_CHOOSER_DIALOG, NULL };

  return !find_toplevel (&find);
}

static gboolean
toast_shown (gpointer data)
{
  return app_test_label_shown (GTK_WIDGET (window), data);
}

/* Ctrl+O, the location typed into the file chooser, Enter: as a person
 * opens a file. Returns once the load ended. */
static void
open_with_keyboard (const char *path)
{
  FindToplevel find = { GTK_TYPE_FILE_CHOOSER_DIALOG, NULL };

  xdo_test_focus (GTK_WINDOW (window));
  xdo_test_key ("ctrl+o");
  app_test_wait_for (find_toplevel, &find, 10000, "the file chooser");
  app_test_wait_until_drawn (GTK_WIDGET (find.found));
  xdo_test_focus (find.found);
  xdo_test_key ("ctrl+l");
  run_for (200);
  xdo_test_type (path);
  /* The chooser checks the typed location asynchronously before it
   * accepts Enter. */
  run_for (1000);
  app_test_wait_until_drawn (GTK_WIDGET (find.found));
  app_test_save_screenshot (GTK_WIDGET (find.found), "window-open-chooser.png");
  xdo_test_key ("Return");
  app_test_wait_for (no_file_chooser, NULL, 10000, "the file chooser to close");
  run_for (100);
  app_test_wait_for (page_is_not_loading, window, 30000, "the load to end");
}

static void
test_invalid_after_good (void)
{
  const char *why = xdo_test_unavailable ();
  g_autofree char *bad = g_build_filename (tmpdir, "broken.data", NULL);
  ScorchSession *session;

  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }
  g_assert_true (g_file_set_contents (bad, "PERFILE2\x01\x02\x03garbage", 19, NULL));
  session = _scorch_window_get_session (window);
  g_assert_nonnull (scorch_session_get_profile (session));

  open_with_keyboard (bad);

  /* The good capture is still what is shown, and everything that names a
   * capture names it: the title, Save As, Export. A toast says what failed. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "deep-cpp.folded");
  {
    g_autofree char *path = g_file_get_path (scorch_session_get_file (session));

    g_assert_cmpstr (path, ==, good_path);
  }
  g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (window), "export_menu_button")));
  app_test_wait_for (toast_shown, (gpointer) "broken.data", 5000, "a toast naming the failed file");
  g_assert_true (toast_shown ((gpointer) "Could not open"));
  app_test_wait_until_drawn (GTK_WIDGET (window));
  app_test_save_screenshot (GTK_WIDGET (window), "window-open-failed.png");

  /* Save As offers the capture shown, not the broken file. */
  {
    FindToplevel find = { GTK_TYPE_FILE_CHOOSER_DIALOG, NULL };
    g_autofree char *name = NULL;

    xdo_test_focus (GTK_WINDOW (window));
    xdo_test_key ("ctrl+shift+s");
    app_test_wait_for (find_toplevel, &find, 10000, "the Save As dialog");
    name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (find.found));
    g_assert_cmpstr (name, ==, "deep-cpp.folded");
    app_test_wait_until_drawn (GTK_WIDGET (find.found));
    xdo_test_focus (find.found);
    xdo_test_key ("Escape");
    app_test_wait_for (no_file_chooser, NULL, 10000, "the Save As dialog to close");
  }
  g_unlink (bad);
}

/* With nothing shown, a failed open leaves nothing that refers to it. */
static void
test_invalid_first (void)
{
  g_autofree char *bad = g_build_filename (tmpdir, "broken-first.data", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (bad);
  ScorchWindow *w;

  g_assert_true (g_file_set_contents (bad, "not a capture at all\n\x01", 22, NULL));
  w = scorch_window_new (app);
  gtk_window_present (GTK_WINDOW (w));
  scorch_window_open_file (w, file);
  app_test_wait_for (page_is_not_loading, w, 30000, "the load to fail");

  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (w)), ==, "error");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (w)), ==, "Scorch");
  g_assert_null (scorch_session_get_file (_scorch_window_get_session (w)));
  g_assert_null (scorch_session_get_profile (_scorch_window_get_session (w)));
  /* Save and Export are not offered. */
  g_assert_false (gtk_widget_get_visible (find_by_id (GTK_WIDGET (w), "export_menu_button")));
  gtk_window_destroy (GTK_WINDOW (w));
  g_unlink (bad);
}

/* `scorch DIR` while Scorch shows a capture: no second window; the window
 * in use says why a directory cannot be opened. */
static void
test_open_directory (void)
{
  g_autoptr(GFile) dir = g_file_new_for_path (tmpdir);
  guint n_windows = g_list_length (gtk_application_get_windows (GTK_APPLICATION (app)));

  gtk_window_present (GTK_WINDOW (window));
  app_test_wait_until_drawn (GTK_WIDGET (window));
  g_application_open (G_APPLICATION (app), &dir, 1, "");
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, n_windows);
  app_test_wait_for (page_is_not_loading, window, 30000, "the directory to be refused");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "deep-cpp.folded");
}

static gboolean
progress_text_is (gpointer data)
{
  return g_str_has_prefix (gtk_progress_bar_get_text (_scorch_window_get_load_progress (window)), data);
}

/* The loader's progress is shown at most every 250 ms (each new text is
 * frames of the whole window), the latest when the interval is over; the
 * first and the last (every record read) at once. */
static void
test_progress_interval (void)
{
  GtkProgressBar *bar = _scorch_window_get_load_progress (window);
  gint64 start;

  _scorch_window_load_progress (window, 0.0, 0);
  g_assert_cmpstr (gtk_progress_bar_get_text (bar), ==, "0 %");
  _scorch_window_load_progress (window, 0.1, 1000);
  _scorch_window_load_progress (window, 0.2, 2000);
  /* Not yet: the text of 0 % is younger than the interval. */
  g_assert_cmpstr (gtk_progress_bar_get_text (bar), ==, "0 %");
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 0.0);
  start = g_get_monotonic_time ();
  app_test_wait_for (progress_text_is, (gpointer) "20 % — ", 2000, "the latest progress");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 0.2);
  /* Every 250 ms at most, without being asked again. */
  _scorch_window_load_progress (window, 0.5, 5000);
  g_assert_true (progress_text_is ((gpointer) "20 % — "));
  app_test_wait_for (progress_text_is, (gpointer) "50 % — ", 2000, "the next progress");
  /* A new load's 0 % replaces what waits. */
  _scorch_window_load_progress (window, 0.6, 6000);
  _scorch_window_load_progress (window, 0.0, 0);
  g_assert_cmpstr (gtk_progress_bar_get_text (bar), ==, "0 %");
  {
    gint64 until = g_get_monotonic_time () + 350 * G_TIME_SPAN_MILLISECOND;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpstr (gtk_progress_bar_get_text (bar), ==, "0 %");
}

typedef struct
{
  ScorchWindow *window;
  GtkPaned     *paned;
  int           first_position;  /* the divider in the first frame of the profile page; -1 */
} FirstFrame;

static void
first_profile_frame_cb (GdkFrameClock *clock,
                        FirstFrame    *frame)
{
  if (frame->first_position >= 0 ||
      g_strcmp0 (gtk_stack_get_visible_child_name (scorch_window_get_stack (frame->window)), "profile") != 0 ||
      !gtk_widget_get_mapped (GTK_WIDGET (frame->paned)))
    return;
  frame->first_position = gtk_paned_get_position (frame->paned);
}

/* A capture opened in a running window: the divider between the graph
 * and the table is where it goes in the first frame that shows them, not
 * moved there by a second frame. */
static void
test_divider_in_first_frame (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (good_path);
  ScorchWindow *empty = scorch_window_new (app);
  FirstFrame frame = { empty, NULL, -1 };
  GdkFrameClock *clock;
  gulong handler;

  gtk_window_set_default_size (GTK_WINDOW (empty), 1400, 900);
  gtk_window_present (GTK_WINDOW (empty));
  app_test_wait_until_drawn (GTK_WIDGET (empty));
  frame.paned = GTK_PANED (find_by_id (GTK_WIDGET (empty), "main_paned"));
  g_assert_nonnull (frame.paned);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (empty));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (first_profile_frame_cb), &frame);
  scorch_window_open_file (empty, file);
  app_test_wait_for (page_is_not_loading, empty, 30000, "the capture to load");
  app_test_wait_until_drawn (GTK_WIDGET (empty));
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpint (frame.first_position, >, 0);
  g_assert_cmpint (frame.first_position, ==, gtk_paned_get_position (frame.paned));
  gtk_window_destroy (GTK_WINDOW (empty));
}

/* `scorch FILE` with an empty window open: the file opens there, on the
 * loading page from the first frame (no start page fading out). */
static void
test_open_reuses_empty_window (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (good_path);
  ScorchWindow *empty = scorch_window_new (app);
  guint n_windows;

  gtk_window_present (GTK_WINDOW (empty));
  app_test_wait_until_drawn (GTK_WIDGET (empty));
  n_windows = g_list_length (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_application_open (G_APPLICATION (app), &file, 1, "");
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, n_windows);
  g_assert_true (_scorch_window_is_loading (empty));
  app_test_wait_for (page_is_not_loading, empty, 30000, "the capture to load");
  g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (empty), "export_menu_button")));

  /* Loading another capture: until the loading page shows (it waits a
   * while, test_loading_page_delay) the capture shown stays, and so do
   * its Save and Export. */
  scorch_window_open_file (empty, file);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (empty)), ==, "profile");
  g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (empty), "export_menu_button")));
  app_test_wait_for (page_is_not_loading, empty, 30000, "the capture to load again");
  g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (empty), "export_menu_button")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (empty)), ==, "profile");

  /* A second file while both windows show captures: a window of its own. */
  g_application_open (G_APPLICATION (app), &file, 1, "");
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, n_windows + 1);
  {
    ScorchWindow *third = SCORCH_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data);

    /* Not yet drawn, already loading: no start page in between. */
    g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (third)), ==, "loading");
    g_assert_false (gtk_stack_get_transition_running (scorch_window_get_stack (third)));
    app_test_wait_for (page_is_not_loading, third, 30000, "the capture to load");
    gtk_window_destroy (GTK_WINDOW (third));
  }
  gtk_window_destroy (GTK_WINDOW (empty));
}

static GtkWidget *
find_mapped_popover (GtkWidget *widget)
{
  if (GTK_IS_POPOVER_MENU (widget) && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_mapped_popover (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
popover_shown (gpointer data)
{
  return find_mapped_popover (data) != NULL;
}

/* A widget of POPOVER whose label (mnemonic underscores aside) is TEXT. */
static GtkWidget *
find_menu_item (GtkWidget  *widget,
                const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_menu_item (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
caller_callee_shown (gpointer data)
{
  GtkWidget *view = scorch_window_get_view_widget (window, "caller-callee");

  return gtk_widget_get_mapped (view);
}

/* Right click on a hotspot row, "Show Callers": the Caller/Callee page of
 * that function. Real mouse. */
static void
test_hotspot_context_menu (void)
{
  const char *why = xdo_test_unavailable ();
  GtkWidget *cell, *popover, *item;
  ScorchSession *session = _scorch_window_get_session (window);

  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }
  set_size (1600, 1000);
  scorch_session_set_selected_frame (session, SCORCH_NODE_NONE);
  cell = explore_test_find_inscription (scorch_window_get_view_widget (window, "hotspots"), "matrix_kernel");
  g_assert_nonnull (cell);
  /* The full signature is the cell's tooltip, answered when asked for. */
  {
    GtkTooltip *tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
    gboolean shown = FALSE;

    g_assert_null (gtk_widget_get_tooltip_text (cell));
    g_signal_emit_by_name (cell, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
    g_assert_true (shown);
    g_object_unref (tooltip);
  }

  xdo_test_click (cell, 3);
  app_test_wait_for (popover_shown, scorch_window_get_view_widget (window, "hotspots"), 5000, "the context menu");
  popover = find_mapped_popover (scorch_window_get_view_widget (window, "hotspots"));
  /* The row under the pointer is the row the menu acts on. */
  g_assert_cmpstr (scorch_function_item_get_display_name (
                     gtk_single_selection_get_selected_item (
                       GTK_SINGLE_SELECTION (gtk_column_view_get_model (
                         GTK_COLUMN_VIEW (gtk_widget_get_ancestor (cell, GTK_TYPE_COLUMN_VIEW)))))),
                   ==, "matrix_kernel");
  app_test_wait_until_drawn (GTK_WIDGET (window));
  app_test_save_screenshot (GTK_WIDGET (window), "window-hotspot-menu.png");
  item = find_menu_item (popover, "Show Callers");
  g_assert_nonnull (item);
  g_assert_nonnull (find_menu_item (popover, "Copy Full Name"));
  xdo_test_click (item, 1);
  app_test_wait_for (caller_callee_shown, NULL, 5000, "the Caller/Callee page");
  g_assert_cmpuint (scorch_caller_callee_view_get_frame (
                      SCORCH_CALLER_CALLEE_VIEW (scorch_window_get_view_widget (window, "caller-callee"))),
                    ==, scorch_session_get_selected_frame (session));
  {
    const ScorchFrame *f = scorch_profile_get_frame (scorch_session_get_profile (session),
                                                     scorch_session_get_selected_frame (session));

    g_assert_cmpstr (f->function, ==, "matrix_kernel(double*, double const*, unsigned long)");
  }
  scorch_window_set_view (window, "flame-graph");
}

/* For the metainfo and the README: a C++ profile that fits the window,
 * at 1280x800 (the graph the larger part), light and dark. */
static void
test_screenshots (void)
{
  g_autofree char *path = write_profile ("physics-sim.folded", 18, 3);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ScorchWindow *w = scorch_window_new (app);
  ScorchSession *session = _scorch_window_get_session (w);
  GListModel *rows;

  gtk_window_set_default_size (GTK_WINDOW (w), 1280, 800);
  scorch_window_open_file (w, file);
  gtk_window_present (GTK_WINDOW (w));
  app_test_wait_for (page_is_not_loading, w, 30000, "the profile to load");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (w)), ==, "profile");

  /* The hottest function selected, as after a click on its row. */
  rows = scorch_hotspot_view_get_model (SCORCH_HOTSPOT_VIEW (scorch_window_get_view_widget (w, "hotspots")));
  {
    g_autoptr(ScorchFunctionItem) first = g_list_model_get_item (rows, 0);

    g_assert_cmpstr (scorch_function_item_get_display_name (first), ==, "physics::integrate<double>");
    scorch_session_set_selected_frame (session, scorch_function_item_get_frame (first));
  }
  run_for (200);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  run_for (100);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  app_test_save_screenshot (GTK_WIDGET (w), "screenshot-window-profile.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  run_for (100);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  app_test_save_screenshot (GTK_WIDGET (w), "screenshot-window-profile-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);

  scorch_window_set_view (w, "call-tree");
  run_for (100);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  app_test_save_screenshot (GTK_WIDGET (w), "screenshot-window-call-tree.png");
  gtk_window_destroy (GTK_WINDOW (w));
  g_unlink (path);
}

typedef struct
{
  gboolean saw_loading;
  gint64   loading_at;   /* monotonic, when the stack first showed the loading page */
} PageWatch;

static void
visible_child_cb (GtkStack   *stack,
                  GParamSpec *pspec,
                  PageWatch  *watch)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "loading") == 0 && !watch->saw_loading)
    {
      watch->saw_loading = TRUE;
      watch->loading_at = g_get_monotonic_time ();
    }
}

static gboolean
page_is_loading (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (scorch_window_get_stack (data)), "loading") == 0;
}

/* WIDGET or a widget inside it has CSS class NAME (GtkProgressBar puts
 * "pulse" on its bar while it pulses). */
static gboolean
has_css_class_below (GtkWidget  *widget,
                     const char *name)
{
  if (gtk_widget_has_css_class (widget, name))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_css_class_below (child, name))
      return TRUE;
  return FALSE;
}

/* A window on screen shows the loading page only when the load is not
 * over after a short delay: a quick load goes from the page shown to the
 * profile with no loading page (and no progress drawn) in between; a slow
 * one (the loader's workers held) keeps the capture shown, with its
 * actions, for the delay, then shows the page with its progress and
 * Cancel, as before. */
static void
test_loading_page_delay (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (good_path);
  g_autofree char *uri = g_file_get_uri (file);
  ScorchWindow *w = scorch_window_new (app);
  GtkStack *stack = scorch_window_get_stack (w);
  PageWatch watch = { FALSE, 0 };
  ScorchProfile *before;
  gint64 open_at;
  gulong handler;

  gtk_window_set_default_size (GTK_WINDOW (w), 1000, 700);
  gtk_window_present (GTK_WINDOW (w));
  app_test_wait_until_drawn (GTK_WIDGET (w));
  handler = g_signal_connect (stack, "notify::visible-child-name", G_CALLBACK (visible_child_cb), &watch);

  /* Quick: the start page, then the profile.  A loaded machine may make
   * even this small capture take longer than the delay: then the page
   * may show, but never before the delay. */
  open_at = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.open-recent", "s", uri));
  g_assert_true (_scorch_window_is_loading (w));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  app_test_wait_for (page_is_not_loading, w, 30000, "the quick load");
  if (g_get_monotonic_time () - open_at < 250 * G_TIME_SPAN_MILLISECOND)
    g_assert_false (watch.saw_loading);
  else if (watch.saw_loading)
    g_assert_cmpint (watch.loading_at - open_at, >=, 250 * G_TIME_SPAN_MILLISECOND);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "profile");
  watch.saw_loading = FALSE;

  /* Slow: the capture and its actions stay for the delay... */
  before = scorch_window_get_profile (w);
  _scorch_loader_hold_workers (TRUE);
  open_at = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.open-recent", "s", uri));
  {
    gint64 until = open_at + 150 * G_TIME_SPAN_MILLISECOND;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  if (!watch.saw_loading)
    {
      g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "profile");
      g_assert_true (gtk_widget_get_visible (find_by_id (GTK_WIDGET (w), "export_menu_button")));
      g_assert_true (scorch_window_get_profile (w) == before);
    }
  /* ...then the loading page, with the progress so far and Cancel. */
  app_test_wait_for (page_is_loading, w, 10000, "the loading page of a slow load");
  g_assert_true (watch.saw_loading);
  g_assert_cmpint (watch.loading_at - open_at, >=, 250 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (_scorch_window_is_loading (w));
  g_assert_false (gtk_widget_get_visible (find_by_id (GTK_WIDGET (w), "export_menu_button")));
  g_assert_cmpstr (gtk_progress_bar_get_text (_scorch_window_get_load_progress (w)), ==, "0 %");
  app_test_wait_until_drawn (GTK_WIDGET (w));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (_scorch_window_get_load_progress (w))));
  g_assert_true (app_test_label_shown (GTK_WIDGET (w), "deep-cpp.folded"));
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (w), "app-window-loading-page.png"));

  /* Every record read: the text says the profile is being built, over a
   * full bar that does not pulse (GTK 4.8 animates a pulsing bar on every
   * frame, main-thread CPU taken from the threads that build it). */
  _scorch_window_load_progress (w, 1.0, 1234);
  {
    GtkProgressBar *bar = _scorch_window_get_load_progress (w);

    g_assert_true (g_str_has_prefix (gtk_progress_bar_get_text (bar), "Building the profile — "));
    g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 1.0);
    g_assert_false (has_css_class_below (GTK_WIDGET (bar), "pulse"));
    app_test_wait_until_drawn (GTK_WIDGET (w));
    g_assert_false (has_css_class_below (GTK_WIDGET (bar), "pulse"));
    g_object_unref (app_test_save_screenshot (GTK_WIDGET (w), "app-window-building.png"));
  }

  _scorch_loader_hold_workers (FALSE);
  app_test_wait_for (page_is_not_loading, w, 30000, "the slow load");
  app_test_wait_until_drawn (GTK_WIDGET (w));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "profile");
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (w), "app-window-loaded.png"));

  g_signal_handler_disconnect (stack, handler);
  gtk_window_destroy (GTK_WINDOW (w));
}

static void
count_cycle_cb (GdkFrameClock *clock,
                guint         *n_cycles)
{
  (*n_cycles)++;
}

/* While the loading page is up and its text does not change, the window
 * draws nothing and runs no frame-clock cycles: the first time a window
 * shows the page, its scrolled window is realized and its scrollbars get
 * their overlay-indicator style, which Adwaita animates for 200 ms
 * ("transition: all" on trough and slider), 12 cycles of the whole
 * window's style and layout for scrollbars that are not drawn, while the
 * loader needs the CPU.  This test runs with GTK's animations on (the
 * others run without, which hides those frames). */
static void
test_loading_page_still (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (good_path);
  g_autofree char *uri = g_file_get_uri (file);
  GtkSettings *settings = gtk_settings_get_default ();
  ScorchWindow *w;
  GdkFrameClock *clock;
  guint n_cycles = 0;
  gulong handler;
  gint64 until;

  g_object_set (settings, "gtk-enable-animations", TRUE, NULL);
  w = scorch_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (w), 1000, 700);
  gtk_window_present (GTK_WINDOW (w));
  app_test_wait_until_drawn (GTK_WIDGET (w));

  _scorch_loader_hold_workers (TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.open-recent", "s", uri));
  app_test_wait_for (page_is_loading, w, 10000, "the loading page");
  app_test_wait_until_drawn (GTK_WIDGET (w));

  /* One more cycle may come (GTK checks the style once more after a
   * frame); an animation is a cycle every 16 ms for 200 ms. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (w));
  handler = g_signal_connect (clock, "before-paint", G_CALLBACK (count_cycle_cb), &n_cycles);
  until = g_get_monotonic_time () + 400 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (n_cycles, <=, 2);
  g_assert_cmpstr (gtk_progress_bar_get_text (_scorch_window_get_load_progress (w)), ==, "0 %");

  _scorch_loader_hold_workers (FALSE);
  app_test_wait_for (page_is_not_loading, w, 30000, "the load");
  g_object_set (settings, "gtk-enable-animations", FALSE, NULL);
  gtk_window_destroy (GTK_WINDOW (w));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-app-window-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  good_path = write_profile ("deep-cpp.folded", 52, 4);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/window/open", test_open);
  g_test_add_func ("/app/window/layout", test_layout);
  g_test_add_func ("/app/window/invalid-after-good", test_invalid_after_good);
  g_test_add_func ("/app/window/invalid-first", test_invalid_first);
  g_test_add_func ("/app/window/open-directory", test_open_directory);
  g_test_add_func ("/app/window/progress-interval", test_progress_interval);
  g_test_add_func ("/app/window/divider-in-first-frame", test_divider_in_first_frame);
  g_test_add_func ("/app/window/open-reuses-empty-window", test_open_reuses_empty_window);
  g_test_add_func ("/app/window/loading-page-delay", test_loading_page_delay);
  g_test_add_func ("/app/window/loading-page-still", test_loading_page_still);
  g_test_add_func ("/app/window/hotspot-context-menu", test_hotspot_context_menu);
  g_test_add_func ("/app/window/screenshots", test_screenshots);

  status = g_test_run ();

  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  g_unlink (good_path);
  g_rmdir (tmpdir);
  g_free (good_path);
  g_free (tmpdir);
  return status;
}
