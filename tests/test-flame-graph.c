/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-flame-graph.c: tests of the ScorchFlameGraph widget, under Xvfb */

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <unistd.h>

#include "scorch-flame-breadcrumbs.h"
#include "scorch-flame-graph.h"
#include "scorch-folded.h"
#include "output-check.h"
#include "gregex-reference.h"
#include "render-test-util.h"

typedef struct
{
  GtkWidget        *window;
  ScorchFlameGraph *graph;
  GtkWidget        *crumbs;
  ScorchProfile    *profile;
} Fixture;

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Iterates until the window has been laid out and painted once more. */
static void
wait_for_draw (Fixture *f)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gulong id;

  while (!gtk_widget_get_mapped (f->window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (f->window);
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (f->window);
  while (!painted && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
  g_assert_true (painted);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "flame-gcc.folded", NULL);
  GtkWidget *box, *scrolled;

  f->profile = scorch_folded_load (path, NULL, &error);
  g_assert_no_error (error);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 700);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  f->graph = SCORCH_FLAME_GRAPH (scorch_flame_graph_new ());
  f->crumbs = scorch_flame_breadcrumbs_new (f->graph);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (f->graph));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), f->crumbs);
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_window_set_child (GTK_WINDOW (f->window), box);
  scorch_flame_graph_set_profile (f->graph, f->profile);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_for_draw (f);
  gtk_widget_grab_focus (GTK_WIDGET (f->graph));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->profile);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
activate (Fixture    *f,
          const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->graph), action, NULL));
}

static const char *
node_name (Fixture *f,
           guint32  node)
{
  ScorchProfile *p = scorch_flame_graph_get_displayed_profile (f->graph);
  const ScorchNode *nodes = scorch_profile_get_nodes (p, NULL);

  return scorch_profile_get_frame (p, nodes[node].frame)->function;
}

/* The breadcrumb buttons (those that zoom to a node), in order. */
static void
collect_crumbs (GtkWidget *widget,
                GPtrArray *buttons)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      if (GTK_IS_BUTTON (w) && gtk_widget_has_css_class (w, "crumb"))
        g_ptr_array_add (buttons, w);
      else
        collect_crumbs (w, buttons);
    }
}

static void
test_zoom (Fixture       *f,
           gconstpointer  data)
{
  ScorchProfile *p = scorch_flame_graph_get_displayed_profile (f->graph);
  const ScorchNode *nodes = scorch_profile_get_nodes (p, NULL);
  const guint64 *total = scorch_profile_get_node_total (p);
  ScorchFlameLayout *layout;
  const ScorchFlameRect *rects;
  g_autoptr(GArray) path = NULL;
  guint32 child, grandchild;
  guint n, begin, end;
  double b, e;
  gint idx;

  g_assert_true (scorch_flame_graph_get_profile (f->graph) == f->profile);
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, SCORCH_PROFILE_ROOT);
  layout = scorch_flame_graph_get_layout (f->graph);
  rects = scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, >, 20);
  g_assert_cmpfloat (scorch_flame_layout_get_viewport (layout)->width, >=, 1000);

  /* Zoom to the widest grandchild through the actions. */
  activate (f, "flame.select-child");              /* the zoom root */
  g_assert_cmpuint (scorch_flame_graph_get_selected_node (f->graph), ==, SCORCH_PROFILE_ROOT);
  activate (f, "flame.select-child");
  child = scorch_flame_graph_get_selected_node (f->graph);
  g_assert_cmpuint (nodes[child].parent, ==, SCORCH_PROFILE_ROOT);
  activate (f, "flame.select-child");
  grandchild = scorch_flame_graph_get_selected_node (f->graph);
  g_assert_cmpuint (nodes[grandchild].parent, ==, child);
  activate (f, "flame.zoom-in");
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, grandchild);
  wait_for_draw (f);

  /* The zoomed frame fills the width; its ancestors are dimmed rows. */
  layout = scorch_flame_graph_get_layout (f->graph);
  idx = scorch_flame_layout_find_node (layout, grandchild);
  g_assert_cmpint (idx, >=, 0);
  rects = scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpfloat_with_epsilon (rects[idx].width, gtk_widget_get_width (GTK_WIDGET (f->graph)), 1e-6);
  g_assert_true (rects[0].flags & SCORCH_FLAME_RECT_ANCESTOR);
  scorch_flame_layout_get_row_range (layout, nodes[grandchild].depth + 1, &begin, &end);
  if (end > begin)
    g_assert_cmpfloat_with_epsilon (rects[begin].width,
                                    (double) total[rects[begin].node] / total[grandchild] * rects[idx].width,
                                    1e-6);

  path = scorch_flame_graph_dup_zoom_path (f->graph);
  g_assert_cmpuint (path->len, ==, 3);
  g_assert_cmpuint (g_array_index (path, guint32, 1), ==, child);

  /* The breadcrumbs show the path; the middle one zooms out to child. */
  {
    GPtrArray *buttons = g_ptr_array_new ();

    collect_crumbs (f->crumbs, buttons);
    g_assert_cmpuint (buttons->len, ==, 3);
    g_assert_cmpstr (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, 2)), ==, node_name (f, grandchild));
    g_signal_emit_by_name (g_ptr_array_index (buttons, 1), "clicked");
    g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, child);
    g_ptr_array_unref (buttons);
    scorch_flame_graph_set_zoom_node (f->graph, grandchild);
  }

  /* Horizontal zoom, then out one step at a time. */
  activate (f, "flame.select-parent");
  g_assert_cmpuint (scorch_flame_graph_get_selected_node (f->graph), ==, child);
  scorch_flame_graph_set_selected_node (f->graph, SCORCH_NODE_NONE);
  scorch_flame_graph_set_zoom_node (f->graph, grandchild);
  activate (f, "flame.zoom-in");                   /* nothing selected: 2× */
  scorch_flame_graph_get_visible_range (f->graph, &b, &e);
  g_assert_cmpfloat_with_epsilon (e - b, 0.5, 1e-9);
  activate (f, "flame.zoom-out");                  /* back to the full width */
  scorch_flame_graph_get_visible_range (f->graph, &b, &e);
  g_assert_cmpfloat_with_epsilon (e - b, 1.0, 1e-9);
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, grandchild);
  activate (f, "flame.zoom-out");
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, child);
  activate (f, "flame.zoom-reset");
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, SCORCH_PROFILE_ROOT);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->graph), "flame.zoom-to", "u", grandchild));
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, grandchild);
  wait_for_draw (f);
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GRegex) regex = g_regex_new ("alloc", G_REGEX_CASELESS, 0, NULL);
  g_autofree guint8 *matches = NULL;
  guint n_frames;
  guint64 expected;
  double fraction;

  scorch_profile_get_frames (f->profile, &n_frames);
  matches = g_malloc0 (n_frames);
  expected = gregex_match_frames (f->profile, regex, matches);
  g_assert_cmpuint (expected, >, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->graph), "flame.search", "s", "ALLOC"));
  g_assert_cmpstr (scorch_flame_graph_get_search_text (f->graph), ==, "ALLOC");
  g_object_get (f->graph, "matched-fraction", &fraction, NULL);
  g_assert_cmpfloat_with_epsilon (fraction, (double) expected / scorch_profile_get_total (f->profile), 1e-12);

  /* Case-sensitive: nothing is called ALLOC. */
  scorch_flame_graph_set_search_case_sensitive (f->graph, TRUE);
  g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (f->graph), ==, 0);
  scorch_flame_graph_set_search_case_sensitive (f->graph, FALSE);

  /* Substring mode takes "." literally; regex mode does not. */
  scorch_flame_graph_set_search_text (f->graph, "a.l");
  g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (f->graph), ==, 0);
  scorch_flame_graph_set_search_regex (f->graph, TRUE);
  g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (f->graph), >, 0);
  g_assert_true (scorch_flame_graph_get_search_valid (f->graph));
  scorch_flame_graph_set_search_text (f->graph, "(");
  g_assert_false (scorch_flame_graph_get_search_valid (f->graph));
  g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (f->graph), ==, 0);

  scorch_flame_graph_set_search_text (f->graph, "alloc|memset");
  g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (f->graph), >, (double) expected / scorch_profile_get_total (f->profile));
  wait_for_draw (f);

  /* A hidden graph does not search until it is shown. */
  {
    g_autoptr(ScorchSearch) search = scorch_search_new ("MEMSET", SCORCH_SEARCH_SUBSTRING, FALSE);
    g_autoptr(GRegex) memset_re = g_regex_new ("memset", G_REGEX_CASELESS, 0, NULL);
    guint notified = 0;
    gulong id;

    expected = gregex_match_frames (f->profile, memset_re, matches);
    g_assert_cmpuint (expected, >, 0);
    scorch_flame_graph_set_search_text (f->graph, NULL);
    g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (f->graph), ==, 0);
    gtk_widget_set_visible (GTK_WIDGET (f->graph), FALSE);
    g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (f->graph)));
    id = g_signal_connect (f->graph, "notify::matched-fraction", G_CALLBACK (on_notify_count), &notified);

    scorch_flame_graph_set_search (f->graph, search);
    g_assert_true (scorch_flame_graph_get_search (f->graph) == search);
    g_assert_cmpstr (scorch_flame_graph_get_search_text (f->graph), ==, "MEMSET");
    g_assert_false (scorch_flame_graph_get_search_regex (f->graph));
    g_assert_true (scorch_flame_graph_get_search_valid (f->graph));
    g_assert_cmpuint (notified, ==, 0);

    gtk_widget_set_visible (GTK_WIDGET (f->graph), TRUE);
    wait_for_draw (f);
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->graph)));
    g_assert_cmpuint (notified, ==, 1);
    g_assert_cmpfloat_with_epsilon (scorch_flame_graph_get_matched_fraction (f->graph),
                                    (double) expected / scorch_profile_get_total (f->profile), 1e-12);

    /* Invalid: valid goes FALSE at once, nothing matches. */
    {
      g_autoptr(ScorchSearch) bad = scorch_search_new ("memset(", SCORCH_SEARCH_REGEX, FALSE);

      scorch_flame_graph_set_search (f->graph, bad);
      g_assert_false (scorch_flame_graph_get_search_valid (f->graph));
      g_assert_cmpfloat (scorch_flame_graph_get_matched_fraction (f->graph), ==, 0);
    }
    g_signal_handler_disconnect (f->graph, id);
  }
}

static void
on_selection_changed (ScorchFlameGraph *graph,
                      guint            *count)
{
  (*count)++;
}

static void
test_keyboard (Fixture       *f,
               gconstpointer  data)
{
  ScorchProfile *p = scorch_flame_graph_get_displayed_profile (f->graph);
  const ScorchNode *nodes = scorch_profile_get_nodes (p, NULL);
  guint32 a, b, c;
  guint changes = 0;

  g_signal_connect (f->graph, "selection-changed", G_CALLBACK (on_selection_changed), &changes);

  /* Flame orientation: Up goes towards the leaves. */
  activate (f, "flame.select-up");
  activate (f, "flame.select-up");
  activate (f, "flame.select-up");
  a = scorch_flame_graph_get_selected_node (f->graph);
  g_assert_cmpuint (nodes[a].depth, ==, 2);
  g_assert_cmpuint (changes, ==, 3);

  activate (f, "flame.select-next");
  b = scorch_flame_graph_get_selected_node (f->graph);
  g_assert_cmpuint (b, !=, a);
  g_assert_cmpuint (nodes[b].depth, ==, 2); /* same row */
  activate (f, "flame.select-previous");
  g_assert_cmpuint (scorch_flame_graph_get_selected_node (f->graph), ==, a);

  activate (f, "flame.select-down");
  c = scorch_flame_graph_get_selected_node (f->graph);
  g_assert_cmpuint (c, ==, nodes[a].parent);

  /* A screen reader reads the selected frame: name, self and total. */
  {
    guint64 all = scorch_profile_get_total (p);
    g_autofree char *label = g_strdup_printf ("%s, self %.2f %%, total %.2f %%, depth %u",
                                              node_name (f, c),
                                              100.0 * scorch_profile_get_node_self (p)[c] / all,
                                              100.0 * scorch_profile_get_node_total (p)[c] / all,
                                              nodes[c].depth);
    g_autofree char *error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (f->graph),
                                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, label);

    g_assert_null (error);
    g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (f->graph), GTK_ACCESSIBLE_ROLE_WIDGET));
    g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (f->graph)));
  }

  /* Icicle: Down goes towards the leaves. */
  activate (f, "flame.toggle-orientation");
  g_assert_cmpint (scorch_flame_graph_get_orientation (f->graph), ==, SCORCH_FLAME_ORIENTATION_ICICLE);
  activate (f, "flame.select-down");
  g_assert_cmpuint (scorch_flame_graph_get_selected_node (f->graph), ==, a);

  /* Enter zooms and emits frame-activated; Escape zooms out. */
  activate (f, "flame.activate");
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, a);
  activate (f, "flame.zoom-out");
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, c);


  /* Inverted: a new profile, zoom and selection reset. */
  activate (f, "flame.toggle-inverted");
  g_assert_true (scorch_flame_graph_get_inverted (f->graph));
  g_assert_cmpuint (scorch_flame_graph_get_zoom_node (f->graph), ==, SCORCH_PROFILE_ROOT);
  g_assert_cmpuint (scorch_flame_graph_get_selected_node (f->graph), ==, SCORCH_NODE_NONE);
  g_assert_true (scorch_flame_graph_get_displayed_profile (f->graph) != f->profile);
  wait_for_draw (f);
}

static void
save_screenshot (Fixture    *f,
                 GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  node = render_test_widget_node (widget, w, h);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  path = g_test_build_filename (G_TEST_BUILT, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *svg = g_test_build_filename (G_TEST_BUILT, "flame-graph-export.svg", NULL);
  g_autofree char *contents = NULL;

  scorch_flame_graph_set_search_text (f->graph, "memset");
  wait_for_draw (f);
  save_screenshot (f, f->window, "flame-graph-screenshot.png");

  /* Zoomed, icicle, by kind: a second look. */
  scorch_flame_graph_set_orientation (f->graph, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_graph_set_color_scheme (f->graph, SCORCH_FLAME_COLORS_KIND);
  activate (f, "flame.select-child");
  activate (f, "flame.select-child");
  activate (f, "flame.select-child");
  activate (f, "flame.activate");
  wait_for_draw (f);
  save_screenshot (f, f->window, "flame-graph-screenshot-zoomed.png");

  /* Export what is shown. */
  g_assert_true (scorch_flame_graph_export (f->graph, svg, 1000, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, &error));
  g_assert_nonnull (strstr (contents, "<title>"));
  g_assert_nonnull (strstr (contents, "memset"));
  output_check_svg (svg);
}

/* Names as a capture may hold them: control characters, an OSC sequence,
 * XML's forbidden code points, invalid UTF-8 (also cut at the very end). */
static ScorchProfile *
make_hostile (void)
{
  static const char * const names[] = {
    "\001x<b>", "\x1b]0;title\x07", "a\xef\xbf\xbe&amp;", "\xff\xfe bad", "tab\there",
    "\x1b[2Jclear_screen", "deep_\xc0_under", "cut\xf0",
  };
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  guint32 stack[G_N_ELEMENTS (names) + 1];

  stack[0] = scorch_profile_builder_intern_frame (builder, "main", "/bin/\x1b[31m\xff", "/src/\x01.c", 1,
                                                  SCORCH_FRAME_KIND_USER);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    stack[i + 1] = scorch_profile_builder_intern_frame (builder, names[i], "/lib/\x02\xfe.so", "/src/\x1b.c", 2,
                                                        SCORCH_FRAME_KIND_USER);
  /* One deep stack (breadcrumbs show every name) and a sibling of each depth. */
  scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 0, .pid = 1, .tid = 1,
                                                                       .frames = stack, .n_frames = G_N_ELEMENTS (stack), .weight = 100 });
  for (guint i = 1; i < G_N_ELEMENTS (stack); i++)
    {
      guint32 two[2] = { stack[0], stack[i] };

      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = i, .pid = 1, .tid = 1,
                                                                           .frames = two, .n_frames = 2, .weight = 10 });
    }
  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

/* Tooltips are Pango markup and labels want valid UTF-8: whatever the names
 * hold, no markup error and no Pango warning (either would abort here, as
 * GTest makes warnings fatal), for the tooltip, the accessible description,
 * the breadcrumbs (deep enough for their menu of hidden frames) and the
 * drawing. */
static void
test_hostile_names (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ScorchProfile) hostile = make_hostile ();

  scorch_flame_graph_set_profile (f->graph, hostile);
  wait_for_draw (f);
  for (guint depth = 0; depth < 9; depth++)
    {
      GtkTooltip *tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
      gboolean shown = FALSE;

      activate (f, "flame.select-child");
      g_signal_emit_by_name (f->graph, "query-tooltip", 10, 10, TRUE, tooltip, &shown);
      g_assert_true (shown);
      g_object_unref (tooltip);
    }
  for (guint depth = 0; depth < 9; depth++)
    {
      activate (f, "flame.activate");
      activate (f, "flame.select-child");
      wait_for_draw (f);
    }
  save_screenshot (f, f->window, "flame-graph-hostile-names.png");
}

/* Outside a scrolled window (the live graph while recording), a stack
 * deeper than the widget still shows its root. */
static void
test_unscrolled_root (void)
{
  GString *folded = g_string_new (NULL);
  g_autoptr(ScorchProfile) profile = NULL;
  GtkWidget *window = gtk_window_new ();
  ScorchFlameGraph *graph = SCORCH_FLAME_GRAPH (scorch_flame_graph_new ());
  ScorchFlameLayout *layout;
  const ScorchFlameRect *rects;
  gboolean painted = FALSE;
  gint idx;
  guint n;

  for (guint d = 0; d < 60; d++)
    g_string_append_printf (folded, "%sframe_%u", d > 0 ? ";" : "", d);
  g_string_append (folded, " 10\n");
  profile = scorch_folded_parse (folded->str, folded->len, NULL);
  g_string_free (folded, TRUE);
  g_assert_nonnull (profile);

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 300);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (graph));
  scorch_flame_graph_set_profile (graph, profile);
  gtk_window_present (GTK_WINDOW (window));
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (!gtk_widget_get_mapped (GTK_WIDGET (graph)) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), &painted);
    gtk_widget_queue_draw (window);
    while (!painted && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (window), on_after_paint, &painted);
  }
  g_assert_true (painted);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (graph)), <, 60 * 18);

  layout = scorch_flame_graph_get_layout (graph);
  idx = scorch_flame_layout_find_node (layout, SCORCH_PROFILE_ROOT);
  g_assert_cmpint (idx, >=, 0);
  rects = scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpfloat (rects[idx].y, >=, 0);
  g_assert_cmpfloat (rects[idx].y + 18, <=, gtk_widget_get_height (GTK_WIDGET (graph)) + 0.5);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  /* Run under our own X server when there is no display. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL &&
      g_getenv ("SCORCH_TEST_UNDER_XVFB") == NULL)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();

      g_setenv ("SCORCH_TEST_UNDER_XVFB", "1", TRUE);
      g_ptr_array_add (args, (char *) "xvfb-run");
      g_ptr_array_add (args, (char *) "-a");
      g_ptr_array_add (args, (char *) "-s");
      g_ptr_array_add (args, (char *) "-screen 0 1600x1000x24");
      if (g_find_program_in_path ("dbus-run-session") != NULL)
        {
          g_ptr_array_add (args, (char *) "dbus-run-session");
          g_ptr_array_add (args, (char *) "--");
        }
      for (int i = 0; i < argc; i++)
        g_ptr_array_add (args, argv[i]);
      g_ptr_array_add (args, NULL);
      execvp ("xvfb-run", (char **) args->pdata);
      /* no xvfb-run: fall through, gtk_init fails with a clear message */
    }

  /* The test AT context: accessible properties can be read back. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_setenv ("GDK_BACKEND", "x11", FALSE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  g_test_add ("/app/flame-graph/zoom", Fixture, NULL, fixture_setup, test_zoom, fixture_teardown);
  g_test_add ("/app/flame-graph/search", Fixture, NULL, fixture_setup, test_search, fixture_teardown);
  g_test_add ("/app/flame-graph/keyboard", Fixture, NULL, fixture_setup, test_keyboard, fixture_teardown);
  g_test_add ("/app/flame-graph/screenshot", Fixture, NULL, fixture_setup, test_screenshot, fixture_teardown);
  g_test_add ("/app/flame-graph/hostile-names", Fixture, NULL, fixture_setup, test_hostile_names, fixture_teardown);
  g_test_add_func ("/app/flame-graph/unscrolled-root", test_unscrolled_root);

  return g_test_run ();
}
