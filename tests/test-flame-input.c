/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-flame-input.c: the flame graph in the real window, driven by real
 * input events (XTest through xdotool) under Xvfb: wheel scrolling to the
 * root of a 60-deep stack, Tab from the header to the graph, arrows, Enter,
 * Alt+Left, the mouse back button and a breadcrumb click; screenshots in
 * light and dark.
 *
 * GTK 4.8 cannot inject events itself, so the events go through the X
 * server as a person's would: `xdotool` moves the pointer and presses keys
 * in the window found by its X id, and the test waits (main loop, with a
 * timeout) until the widget state shows the effect. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "app-test-util.h"
#include "scorch-flame-breadcrumbs.h"
#include "scorch-flame-graph.h"

#define DEPTH 60

static ScorchApplication *app;
static ScorchWindow *window;
static ScorchFlameGraph *graph;
static char *tmpdir;
static char *skip_reason;

/* -- xdotool -- */

static gulong
window_xid (void)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  if (GDK_IS_X11_SURFACE (surface))
    return gdk_x11_surface_get_xid (surface);
#endif
  return 0;
}

/* Runs xdotool with ARGS (NULL-terminated); "%w" stands for the window. */
static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, g_strdup ("xdotool"));
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_str_equal (arg, "%w") ? g_strdup_printf ("%lu", window_xid ()) : g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error))
    g_error ("cannot run xdotool: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("xdotool %s failed: %s (%s)", first, error->message, err);
}

static void
key (const char *keys)
{
  xdotool ("key", "--clearmodifiers", keys, NULL);
}

/* Moves the pointer to the centre of WIDGET (or X, Y in it when x >= 0). */
static void
pointer_to (GtkWidget *widget,
            double     x,
            double     y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t p = GRAPHENE_POINT_INIT (x >= 0 ? x : gtk_widget_get_width (widget) / 2.0,
                                            y >= 0 ? y : gtk_widget_get_height (widget) / 2.0);
  graphene_point_t out;
  double sx, sy;
  g_autofree char *px = NULL, *py = NULL;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &p, &out));
  /* From the native widget to its surface (client-side decorations). */
  gtk_native_get_surface_transform (native, &sx, &sy);
  px = g_strdup_printf ("%d", (int) (out.x + sx));
  py = g_strdup_printf ("%d", (int) (out.y + sy));
  xdotool ("mousemove", "--window", "%w", px, py, NULL);
}

/* -- waiting -- */

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until COND holds or TIMEOUT_MS pass; returns whether it holds. */
static gboolean
wait_until (gboolean (*cond) (gpointer),
            gpointer   data,
            guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

/* The events sent so far have been handled: a round trip to the X server
 * and a painted frame. */
static void
settle (void)
{
  gdk_display_sync (gtk_widget_get_display (GTK_WIDGET (window)));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  app_test_wait_until_drawn (GTK_WIDGET (window));
}

static gboolean
loaded (gpointer data)
{
  return *(gboolean *) data;
}

static void
loaded_cb (ScorchWindow *w,
           gboolean     *flag)
{
  *flag = TRUE;
}

/* -- the graph -- */

static guint32
node_at_depth_visible (guint depth)
{
  ScorchFlameLayout *layout = scorch_flame_graph_get_layout (graph);
  ScorchProfile *profile = scorch_flame_graph_get_displayed_profile (graph);
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
  const ScorchFlameRect *rects;
  double height = gtk_widget_get_height (GTK_WIDGET (graph));
  guint n;

  rects = scorch_flame_layout_get_rects (layout, &n);
  for (guint i = 0; i < n; i++)
    if (!(rects[i].flags & SCORCH_FLAME_RECT_MERGED) && nodes[rects[i].node].depth == depth &&
        rects[i].y >= 0 && rects[i].y + 18 <= height + 0.5)
      return rects[i].node;
  return SCORCH_NODE_NONE;
}

static gboolean
root_visible (gpointer data)
{
  return node_at_depth_visible (0) != SCORCH_NODE_NONE;
}

static GtkAdjustment *
vadjustment (void)
{
  GtkAdjustment *adj = NULL;

  g_object_get (graph, "vadjustment", &adj, NULL);
  g_assert_nonnull (adj);
  g_object_unref (adj); /* the scrolled window holds it */
  return adj;
}

typedef struct
{
  double before;
} ValueChange;

static gboolean
value_changed (gpointer data)
{
  return gtk_adjustment_get_value (vadjustment ()) != ((ValueChange *) data)->before;
}

static gboolean
at_top (gpointer data)
{
  return gtk_adjustment_get_value (vadjustment ()) <= 0;
}

/* One wheel click (4 up, 5 down) over the graph; FALSE when nothing moved. */
static gboolean
wheel (const char *button)
{
  ValueChange change = { gtk_adjustment_get_value (vadjustment ()) };
  gboolean moved;

  xdotool ("click", button, NULL);
  moved = wait_until (value_changed, &change, 5000);
  settle ();
  return moved;
}

static gboolean
x_zoomed (gpointer data)
{
  double b, e;

  scorch_flame_graph_get_visible_range (graph, &b, &e);
  return e - b < 1.0;
}

static gboolean
graph_has_focus (gpointer data)
{
  return gtk_widget_has_focus (GTK_WIDGET (graph));
}

typedef struct
{
  guint32 node;
} NodeWait;

static gboolean
selection_not (gpointer data)
{
  return scorch_flame_graph_get_selected_node (graph) != ((NodeWait *) data)->node;
}

static gboolean
zoom_is (gpointer data)
{
  return scorch_flame_graph_get_zoom_node (graph) == ((NodeWait *) data)->node;
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
widget_hidden (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

/* A GtkLabel (or accelerator label) under WIDGET reads TEXT. */
static gboolean
find_label (GtkWidget  *widget,
            const char *text)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      if (GTK_IS_LABEL (w) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), text) == 0)
        return TRUE;
      if (find_label (w, text))
        return TRUE;
    }
  return FALSE;
}

static void
find_crumbs (GtkWidget *widget,
             GPtrArray *out)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_BUTTON (w) && gtk_widget_has_css_class (w, "crumb"))
      g_ptr_array_add (out, w);
    else
      find_crumbs (w, out);
}

static void
screenshot (const char *name,
            gboolean    dark)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *file = g_strdup_printf ("flame-input-%s-%s.png", name, dark ? "dark" : "light");
  g_autoptr(GdkTexture) texture = NULL;

  adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  settle ();
  texture = app_test_save_screenshot (GTK_WIDGET (window), file);
  g_assert_nonnull (texture);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* -- tests -- */

static void
write_deep_profile (const char *path)
{
  GString *s = g_string_new (NULL);

  /* One 60-frame chain that takes most samples, a few side branches so
   * that rows have siblings for Left/Right. */
  for (guint line = 0; line < 4; line++)
    {
      guint depth = line == 0 ? DEPTH : 20 + line * 8;

      for (guint d = 0; d < depth; d++)
        {
          if (d > 0)
            g_string_append_c (s, ';');
          if (d < 3 || line == 0)
            g_string_append_printf (s, "level_%02u", d);
          else
            g_string_append_printf (s, "side%u_%02u", line, d);
        }
      g_string_append_printf (s, " %u\n", line == 0 ? 600 : 100 * line);
    }
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
  g_string_free (s, TRUE);
}

static void
test_load (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "deep.folded", NULL);
  g_autoptr(GFile) file = NULL;
  gboolean done = FALSE;
  gulong id;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }

  write_deep_profile (path);
  window = app_test_get_main_window (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_unmaximize (GTK_WINDOW (window));
  id = g_signal_connect (window, "profile-loaded", G_CALLBACK (loaded_cb), &done);
  file = g_file_new_for_path (path);
  scorch_window_open_file (window, file);
  g_assert_true (wait_until (loaded, &done, 20000));
  g_signal_handler_disconnect (window, id);

  graph = SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "flame-graph"));
  scorch_window_set_view (window, "flame-graph");
  settle ();
  g_assert_cmpuint (window_xid (), !=, 0);
  /* No window manager under Xvfb: give the window the input focus. */
  xdotool ("windowfocus", "--sync", "%w", NULL);
  settle ();

  /* Deeper than the pane: the content scrolls. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment ()), >=, DEPTH * 18.0);
  g_assert_cmpfloat (gtk_adjustment_get_page_size (vadjustment ()), <, DEPTH * 18.0);
}

static void
test_wheel_to_root (void)
{
  guint clicks = 0;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no window");
      return;
    }

  /* A flame graph opens with its root in view. */
  g_assert_true (root_visible (NULL));
  screenshot ("root", FALSE);

  /* The wheel scrolls up to the leaves: the root leaves the pane. */
  pointer_to (GTK_WIDGET (graph), -1, -1);
  while (!at_top (NULL) && clicks++ < 100)
    g_assert_true (wheel ("4"));
  g_assert_true (at_top (NULL));
  g_assert_false (root_visible (NULL));
  g_assert_cmpuint (node_at_depth_visible (DEPTH - 1), !=, SCORCH_NODE_NONE);
  screenshot ("scrolled-to-leaves", FALSE);
  screenshot ("scrolled-to-leaves", TRUE);

  /* And back down to the root. */
  clicks = 0;
  while (!root_visible (NULL) && clicks++ < 100)
    g_assert_true (wheel ("5"));
  g_assert_true (root_visible (NULL));
  g_test_message ("root reached again after %u wheel clicks", clicks);

  /* Ctrl+wheel still zooms the width around the pointer, without scrolling. */
  {
    double before = gtk_adjustment_get_value (vadjustment ());
    double b, e;

    xdotool ("keydown", "ctrl", "click", "4", "keyup", "ctrl", NULL);
    g_assert_true (wait_until (x_zoomed, NULL, 5000));
    settle ();
    scorch_flame_graph_get_visible_range (graph, &b, &e);
    g_assert_cmpfloat (e - b, <, 1.0);
    g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment ()), ==, before);
    gtk_widget_activate_action (GTK_WIDGET (graph), "flame.zoom-reset", NULL);
    settle ();
  }

  /* The icicle (callers) view opens at its top, where its root is. */
  {
    ScorchFlameGraph *flame = graph;

    scorch_window_set_view (window, "icicle");
    graph = SCORCH_FLAME_GRAPH (scorch_window_get_view_widget (window, "icicle"));
    settle ();
    g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment ()), ==, 0);
    g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment ()), >, gtk_adjustment_get_page_size (vadjustment ()));
    g_assert_true (root_visible (NULL));
    screenshot ("icicle", FALSE);
    scorch_window_set_view (window, "flame-graph");
    graph = flame;
    settle ();
  }
}

static void
test_keyboard (void)
{
  ScorchProfile *profile;
  const ScorchNode *nodes;
  GtkWidget *header;
  NodeWait wait;
  guint presses = 0;
  guint32 first, second, sibling;
  g_autoptr(GPtrArray) crumbs = g_ptr_array_new ();

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no window");
      return;
    }
  profile = scorch_flame_graph_get_displayed_profile (graph);
  nodes = scorch_profile_get_nodes (profile, NULL);

  /* Start in the header bar, then Tab until the graph has the focus. */
  header = gtk_widget_get_first_child (GTK_WIDGET (window));
  while (header != NULL && !ADW_IS_HEADER_BAR (header) && !GTK_IS_HEADER_BAR (header))
    header = gtk_widget_get_first_child (header);
  g_assert_nonnull (header);
  g_assert_true (gtk_widget_child_focus (header, GTK_DIR_TAB_FORWARD));
  settle ();
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), header));
  /* Header, view switcher, then the graph: before the tables. */
  while (!graph_has_focus (NULL) && presses++ < 30)
    {
      GtkWidget *before = gtk_window_get_focus (GTK_WINDOW (window));
      GtkWidget *now;

      key ("Tab");
      settle ();
      now = gtk_window_get_focus (GTK_WINDOW (window));
      g_assert_true (now != before);
      g_assert_false (gtk_widget_is_ancestor (now, scorch_window_get_view_widget (window, "hotspots")));
      g_assert_false (gtk_widget_is_ancestor (now, scorch_window_get_view_widget (window, "threads")));
    }
  g_assert_true (graph_has_focus (NULL));
  g_test_message ("the graph took the focus after %u Tab presses from the header", presses);

  /* Page Up and Page Down scroll the graph (the scrolled window's keys). */
  {
    ValueChange change = { gtk_adjustment_get_value (vadjustment ()) };

    key ("Prior");
    g_assert_true (wait_until (value_changed, &change, 5000));
    g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment ()), <, change.before);
    change.before = gtk_adjustment_get_value (vadjustment ());
    key ("Next");
    g_assert_true (wait_until (value_changed, &change, 5000));
    g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment ()), >, change.before);
    g_assert_true (graph_has_focus (NULL));
  }

  /* Up (towards the leaves in a flame graph): first the zoom root, then
   * its widest child; Right moves along the row. */
  wait.node = SCORCH_NODE_NONE;
  key ("Up");
  g_assert_true (wait_until (selection_not, &wait, 5000));
  first = scorch_flame_graph_get_selected_node (graph);
  g_assert_cmpuint (first, ==, SCORCH_PROFILE_ROOT);
  for (guint i = 0; i < 4; i++)
    {
      wait.node = scorch_flame_graph_get_selected_node (graph);
      key ("Up");
      g_assert_true (wait_until (selection_not, &wait, 5000));
    }
  second = scorch_flame_graph_get_selected_node (graph);
  g_assert_cmpuint (nodes[second].depth, ==, 4);
  wait.node = second;
  key ("Right");
  if (wait_until (selection_not, &wait, 3000))
    {
      sibling = scorch_flame_graph_get_selected_node (graph);
      g_assert_cmpuint (nodes[sibling].depth, ==, 4);
      wait.node = sibling;
      key ("Left");
      g_assert_true (wait_until (selection_not, &wait, 5000));
    }
  else
    {
      /* The widest frame may be the last of its row; then Left finds one. */
      key ("Left");
      g_assert_true (wait_until (selection_not, &wait, 5000));
      sibling = scorch_flame_graph_get_selected_node (graph);
      g_assert_cmpuint (nodes[sibling].depth, ==, 4);
      wait.node = sibling;
      key ("Right");
      g_assert_true (wait_until (selection_not, &wait, 5000));
    }
  g_assert_cmpuint (scorch_flame_graph_get_selected_node (graph), ==, second);
  settle ();
  screenshot ("focus-ring", FALSE);
  screenshot ("focus-ring", TRUE);

  /* The frame's menu (Menu key): no hover tooltip over it while it is
   * open, and its Zoom item shows the key as people type it. */
  {
    GtkWidget *popover = NULL;

    for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (graph)); w != NULL; w = gtk_widget_get_next_sibling (w))
      if (GTK_IS_POPOVER (w))
        popover = w;
    g_assert_nonnull (popover);
    key ("Menu");
    g_assert_true (wait_until (widget_visible, popover, 5000));
    g_assert_false (gtk_widget_get_has_tooltip (GTK_WIDGET (graph)));
    app_test_wait_until_drawn (popover);
    {
      /* "Enter", as people call the key: neither the keypad's "KP Enter"
       * nor GTK 4.8's "Return". */
      g_autofree char *gtk_enter = gtk_accelerator_get_label (GDK_KEY_Return, 0);
      g_autofree char *kp_enter = gtk_accelerator_get_label (GDK_KEY_KP_Enter, 0);

      g_assert_true (find_label (popover, "Enter"));
      g_assert_false (find_label (popover, gtk_enter));
      g_assert_false (find_label (popover, kp_enter));
    }
    g_object_unref (app_test_save_screenshot (popover, "flame-input-menu-light.png"));
    key ("Escape");
    g_assert_true (wait_until (widget_hidden, popover, 5000));
    g_assert_true (gtk_widget_get_has_tooltip (GTK_WIDGET (graph)));
    gtk_widget_grab_focus (GTK_WIDGET (graph));
    g_assert_cmpuint (scorch_flame_graph_get_selected_node (graph), ==, second);
  }

  /* Enter zooms to the selection; Alt+Left goes back to the root. */
  wait.node = second;
  key ("Return");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  settle ();
  g_assert_cmpuint (node_at_depth_visible (4), ==, second); /* the zoomed row is in view */
  screenshot ("zoomed", FALSE);
  wait.node = SCORCH_PROFILE_ROOT;
  key ("alt+Left");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  /* Deeper, then a click on a breadcrumb zooms out to that frame. */
  wait.node = second;
  key ("Return");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  settle ();
  find_crumbs (gtk_widget_get_ancestor (GTK_WIDGET (graph), GTK_TYPE_BOX), crumbs);
  g_assert_cmpuint (crumbs->len, ==, 5); /* All, level_01 … the zoom node */
  pointer_to (g_ptr_array_index (crumbs, 2), -1, -1);
  xdotool ("click", "1", NULL);
  wait.node = nodes[nodes[second].parent].parent;
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  settle ();
  screenshot ("breadcrumb", FALSE);

  /* Alt+Right goes forward again (to the zoom before the breadcrumb
   * click), the mouse's back button back.  The mouse buttons come last:
   * GTK 4.8 on X11 sends the first button 1 click after a button 8 click
   * to the widget that got button 8 (a plain GtkButton loses that click
   * too), so a breadcrumb click right after it would be lost. */
  wait.node = second;
  key ("alt+Left");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  wait.node = nodes[nodes[second].parent].parent;
  key ("alt+Right");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  pointer_to (GTK_WIDGET (graph), -1, -1);
  wait.node = second;
  xdotool ("click", "8", NULL);
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  wait.node = nodes[nodes[second].parent].parent;
  xdotool ("click", "9", NULL);
  g_assert_true (wait_until (zoom_is, &wait, 5000));

  /* A long path keeps the root and the last frames; a menu holds the rest. */
  {
    guint32 deep = second;
    GtkWidget *more = NULL;
    g_autoptr(GPtrArray) long_crumbs = g_ptr_array_new ();

    while (nodes[deep].depth < 40 && nodes[deep].first_child != SCORCH_NODE_NONE)
      deep = nodes[deep].first_child;
    g_assert_cmpuint (nodes[deep].depth, ==, 40);
    scorch_flame_graph_set_zoom_node (graph, deep);
    settle ();
    find_crumbs (gtk_widget_get_ancestor (GTK_WIDGET (graph), GTK_TYPE_BOX), long_crumbs);
    g_assert_cmpuint (long_crumbs->len, ==, 8);
    for (GtkWidget *c = gtk_widget_get_first_child (gtk_widget_get_parent (g_ptr_array_index (long_crumbs, 0)));
         c != NULL; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_MENU_BUTTON (c))
        more = c;
    g_assert_nonnull (more);
    /* 41 frames from the root: 8 shown, 33 in the menu */
    g_assert_cmpint (g_menu_model_get_n_items (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (more))), ==, 41 - 8);
    {
      g_autofree char *hidden0 = NULL;

      /* level_00, its underscore kept (doubled: menus take mnemonics) */
      g_assert_true (g_menu_model_get_item_attribute (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (more)),
                                                      0, G_MENU_ATTRIBUTE_LABEL, "s", &hidden0));
      g_assert_cmpstr (hidden0, ==, "level__00");
    }
    /* The zoomed frame's crumb is in view: the path scrolls to its end. */
    {
      GtkWidget *last = g_ptr_array_index (long_crumbs, long_crumbs->len - 1);
      GtkWidget *scroller = gtk_widget_get_ancestor (last, GTK_TYPE_SCROLLED_WINDOW);
      graphene_point_t p;

      g_assert_true (gtk_widget_compute_point (last, scroller, &GRAPHENE_POINT_INIT (gtk_widget_get_width (last), 0), &p));
      g_assert_cmpfloat (p.x, <=, gtk_widget_get_width (scroller) + 0.5);
      g_assert_cmpfloat (p.x, >, 0);
    }
    screenshot ("long-path", FALSE);
    screenshot ("long-path", TRUE);
  }

  /* Escape from 40 deep: every caller up to level_03 is as wide, so the
   * first press goes to the first wider one, the next to the root. */
  gtk_widget_grab_focus (GTK_WIDGET (graph));
  wait.node = nodes[second].parent;
  key ("Escape");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  wait.node = SCORCH_PROFILE_ROOT;
  key ("Escape");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
  scorch_flame_graph_set_zoom_node (graph, second);

  /* Home shows the whole graph. */
  wait.node = SCORCH_PROFILE_ROOT;
  key ("Home");
  g_assert_true (wait_until (zoom_is, &wait, 5000));
}

static void
test_timeline_focus (void)
{
  GtkWidget *timeline, *header;
  guint presses = 0;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no window");
      return;
    }
  timeline = scorch_window_get_view_widget (window, "timeline");

  /* The timeline is the last stop before the status line: Shift+Tab from
   * the header reaches it in a few presses. */
  header = gtk_widget_get_first_child (GTK_WIDGET (window));
  while (header != NULL && !ADW_IS_HEADER_BAR (header) && !GTK_IS_HEADER_BAR (header))
    header = gtk_widget_get_first_child (header);
  g_assert_true (gtk_widget_child_focus (header, GTK_DIR_TAB_FORWARD));
  settle ();
  while (!gtk_widget_has_focus (timeline) && presses++ < 6)
    {
      key ("shift+Tab");
      settle ();
    }
  g_test_message ("the timeline took the focus after %u Shift+Tab presses from the header", presses);
  g_assert_true (gtk_widget_has_focus (timeline));
  g_assert_true (gtk_widget_has_visible_focus (timeline));
}

static gboolean
help_overlay_shown (gpointer data)
{
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));

  return overlay != NULL && gtk_widget_get_mapped (GTK_WIDGET (overlay));
}

/* Walks WIDGET for a GtkShortcutsShortcut with this accelerator. */
static gboolean
lists_accelerator (GtkWidget  *widget,
                   const char *accelerator)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      if (GTK_IS_SHORTCUTS_SHORTCUT (w))
        {
          g_autofree char *accel = NULL;

          g_object_get (w, "accelerator", &accel, NULL);
          if (g_strcmp0 (accel, accelerator) == 0)
            return TRUE;
        }
      if (lists_accelerator (w, accelerator))
        return TRUE;
    }
  return FALSE;
}

static GtkStack *
find_stack (GtkWidget *widget)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkStack *found;

      if (GTK_IS_STACK (w) && gtk_stack_get_child_by_name (GTK_STACK (w), "flame-graph") != NULL)
        return GTK_STACK (w);
      if ((found = find_stack (w)) != NULL)
        return found;
    }
  return NULL;
}

/* The flame graph page is shown, its transition over. */
static gboolean
section_shown (gpointer data)
{
  GtkStack *stack = find_stack (GTK_WIDGET (data));

  return stack != NULL && !gtk_stack_get_transition_running (stack) &&
         g_strcmp0 (gtk_stack_get_visible_child_name (stack), "flame-graph") == 0;
}

static void
test_shortcuts_window (void)
{
  GtkShortcutsWindow *overlay;

  if (window == NULL)
    {
      g_test_skip (skip_reason != NULL ? skip_reason : "no window");
      return;
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  g_assert_true (wait_until (help_overlay_shown, NULL, 5000));
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_object_set (overlay, "section-name", "flame-graph", NULL);
  g_assert_true (wait_until (section_shown, overlay, 5000));
  app_test_wait_until_drawn (GTK_WIDGET (overlay));
  g_assert_true (lists_accelerator (GTK_WIDGET (overlay), "<Alt>Left"));
  g_assert_true (lists_accelerator (GTK_WIDGET (overlay), "Home"));
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (overlay), "flame-input-shortcuts.png"));
  gtk_window_close (GTK_WINDOW (overlay));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xdotool_path = NULL;
  int status;

  /* XTest events reach X11 windows only. */
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_test_init (&argc, &argv, NULL);

  xdotool_path = g_find_program_in_path ("xdotool");
  if (xdotool_path == NULL)
    skip_reason = g_strdup ("xdotool is not installed (tools/install-deps.sh installs it)");
  tmpdir = g_dir_make_tmp ("scorch-flame-input-XXXXXX", &error);
  g_assert_no_error (error);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);

  g_test_add_func ("/app/flame-input/load", test_load);
  g_test_add_func ("/app/flame-input/wheel-to-root", test_wheel_to_root);
  g_test_add_func ("/app/flame-input/keyboard", test_keyboard);
  g_test_add_func ("/app/flame-input/timeline-focus", test_timeline_focus);
  g_test_add_func ("/app/flame-input/shortcuts-window", test_shortcuts_window);

  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);
  {
    g_autofree char *path = g_build_filename (tmpdir, "deep.folded", NULL);
    g_unlink (path);
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  g_free (skip_reason);
  return status;
}
