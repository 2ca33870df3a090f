/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-graph.c: the zoomable, searchable flame graph widget
 *
 * Drawing goes through ScorchFlameLayout and ScorchFlameRenderer (the same
 * code as export) on gtk_snapshot_append_cairo.  The widget is a
 * GtkScrollable: the vertical adjustment scrolls through the rows (no
 * canvas height limit, only the visible rows are laid out); the horizontal
 * adjustment maps the zoomed-in x range, so a GtkScrolledWindow gives
 * scrollbars and touchpad panning for free. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-flame"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "scorch-app-util.h"
#include "scorch-flame-export.h"
#include "scorch-flame-graph.h"
#include "scorch-text.h"
#include "scorch-zoom-history.h"

#define MIN_SPAN 1e-6

struct _ScorchFlameGraph
{
  GtkWidget               parent_instance;

  ScorchProfile          *profile;
  ScorchProfile          *displayed;
  ScorchFlameLayout      *layout;
  ScorchFlameRenderer    *renderer;
  gboolean                inverted;
  ScorchFlameOrientation  orientation;
  ScorchFlameColorScheme  color_scheme;
  double                  row_height;

  guint32                 zoom_node;
  guint32                 selected_node;
  guint32                 hovered_node;
  double                  x_begin;
  double                  x_end;

  ScorchAppSearch         query;
  gboolean                search_pending;  /* matches not computed: hidden since it changed */
  double                  matched_fraction;

  GtkAdjustment          *hadjustment;
  GtkAdjustment          *vadjustment;
  GtkScrollablePolicy     hscroll_policy;
  GtkScrollablePolicy     vscroll_policy;
  gboolean                updating_adjustments;

  /* gestures */
  double                  drag_x_begin;
  double                  drag_vvalue;
  double                  pinch_span;
  double                  pinch_center;
  double                  pointer_x;

  GtkWidget              *popover;

  /* owned; may be shared with a session object */
  ScorchZoomHistory      *history;
};

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_INVERTED,
  PROP_ORIENTATION,
  PROP_COLOR_SCHEME,
  PROP_SEARCH_TEXT,
  PROP_SEARCH_REGEX,
  PROP_SEARCH_CASE_SENSITIVE,
  PROP_SEARCH_VALID,
  PROP_SEARCH,
  PROP_ZOOM_NODE,
  PROP_SELECTED_NODE,
  PROP_MATCHED_FRACTION,
  PROP_HIGHLIGHT_FRAME,
  PROP_ZOOM_HISTORY,
  N_PROPS,
  /* GtkScrollable */
  PROP_HADJUSTMENT,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

enum {
  FRAME_ACTIVATED,
  SELECTION_CHANGED,
  SHOW_IN_HOTSPOTS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (ScorchFlameOrientation, scorch_flame_orientation,
                    G_DEFINE_ENUM_VALUE (SCORCH_FLAME_ORIENTATION_FLAME, "flame"),
                    G_DEFINE_ENUM_VALUE (SCORCH_FLAME_ORIENTATION_ICICLE, "icicle"))

G_DEFINE_ENUM_TYPE (ScorchFlameColorScheme, scorch_flame_color_scheme,
                    G_DEFINE_ENUM_VALUE (SCORCH_FLAME_COLORS_HOT, "hot"),
                    G_DEFINE_ENUM_VALUE (SCORCH_FLAME_COLORS_MODULE, "module"),
                    G_DEFINE_ENUM_VALUE (SCORCH_FLAME_COLORS_KIND, "kind"))

G_DEFINE_FINAL_TYPE_WITH_CODE (ScorchFlameGraph, scorch_flame_graph, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

static void update_search (ScorchFlameGraph *self);
static void update_accessible (ScorchFlameGraph *self);
static void update_actions (ScorchFlameGraph *self);

/* ------------------------------------------------------------------------ */
/* Geometry                                                                  */

static const ScorchNode *
get_nodes (ScorchFlameGraph *self,
           guint            *n_nodes)
{
  guint n = 0;
  const ScorchNode *nodes = NULL;

  if (self->displayed != NULL)
    nodes = scorch_profile_get_nodes (self->displayed, &n);
  if (n_nodes != NULL)
    *n_nodes = n;
  return nodes;
}

/* The frame of the selected node; FALSE when nothing is selected. */
static gboolean
get_selected_frame (ScorchFlameGraph *self,
                    guint32          *frame)
{
  const ScorchNode *nodes = get_nodes (self, NULL);

  if (self->selected_node == SCORCH_NODE_NONE || nodes == NULL)
    return FALSE;
  *frame = nodes[self->selected_node].frame;
  return TRUE;
}

static gboolean
node_is_valid (ScorchFlameGraph *self,
               guint32           node)
{
  guint n_nodes;

  get_nodes (self, &n_nodes);
  return node < n_nodes && scorch_profile_get_node_total (self->displayed)[node] > 0;
}

/* The height of the rows drawn at width: as the layout counts them, rows
 * of sub-pixel frames only are left out. */
static double
rows_height (ScorchFlameGraph *self,
             int               width)
{
  if (self->layout == NULL)
    return 0;
  return scorch_flame_layout_count_drawn_rows (self->layout, self->zoom_node, MAX (width, 1),
                                               self->x_begin, self->x_end, 0) * self->row_height;
}

static double
content_height (ScorchFlameGraph *self)
{
  return MAX (rows_height (self, gtk_widget_get_width (GTK_WIDGET (self))),
              gtk_widget_get_height (GTK_WIDGET (self)));
}

static void
configure_adjustments (ScorchFlameGraph *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double span = self->x_end - self->x_begin;

  self->updating_adjustments = TRUE;
  if (self->vadjustment != NULL)
    {
      double upper = content_height (self);
      double value = gtk_adjustment_get_value (self->vadjustment);

      /* The flame grows upwards from its root: keep the distance to the
       * bottom when the content or the viewport changes size, so that the
       * root stays where it was (at first: in view). */
      if (self->orientation == SCORCH_FLAME_ORIENTATION_FLAME)
        {
          double old_bottom = gtk_adjustment_get_upper (self->vadjustment)
                              - gtk_adjustment_get_page_size (self->vadjustment) - value;

          value = upper - height - MAX (old_bottom, 0);
        }
      value = CLAMP (value, 0, MAX (upper - height, 0));

      gtk_adjustment_configure (self->vadjustment, value, 0, upper,
                                self->row_height * 3, height * 0.9, height);
    }
  if (self->hadjustment != NULL && width > 0)
    {
      double upper = width / span;

      gtk_adjustment_configure (self->hadjustment, self->x_begin * upper, 0, upper,
                                width * 0.1, width * 0.9, width);
    }
  self->updating_adjustments = FALSE;
}

/* What the content spans changed (profile, zoom, x range): the adjustments
 * follow, and so does measure(), which a scrolled window reads before it
 * allocates (see scorch_flame_graph_measure). */
static void
content_changed (ScorchFlameGraph *self)
{
  configure_adjustments (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
ensure_layout (ScorchFlameGraph *self)
{
  ScorchFlameViewport vp = { 0 };

  if (self->layout == NULL)
    return;

  vp.x_begin = self->x_begin;
  vp.x_end = self->x_end;
  vp.width = gtk_widget_get_width (GTK_WIDGET (self));
  vp.height = gtk_widget_get_height (GTK_WIDGET (self));
  vp.row_height = self->row_height;
  if (self->vadjustment != NULL)
    vp.scroll_y = gtk_adjustment_get_value (self->vadjustment);
  else if (self->orientation == SCORCH_FLAME_ORIENTATION_FLAME)
    vp.scroll_y = MAX (content_height (self) - vp.height, 0); /* not scrollable: the root in view */
  else
    vp.scroll_y = 0;
  vp.orientation = self->orientation;
  if (vp.width <= 0 || vp.height <= 0)
    {
      vp.width = MAX (vp.width, 1);
      vp.height = MAX (vp.height, 1);
    }
  scorch_flame_layout_compute (self->layout, self->zoom_node, &vp);
}

/* Scrolls so that row is on screen (with a little context). */
static void
scroll_to_row (ScorchFlameGraph *self,
               guint             row)
{
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double upper = content_height (self);
  double y, value;

  if (self->vadjustment == NULL || self->layout == NULL)
    return;

  if (self->orientation == SCORCH_FLAME_ORIENTATION_ICICLE)
    y = row * self->row_height;
  else
    y = upper - (row + 1) * self->row_height;

  value = gtk_adjustment_get_value (self->vadjustment);
  if (y < value + self->row_height)
    value = y - self->row_height * 2;
  else if (y + self->row_height > value + height - self->row_height)
    value = y + self->row_height * 3 - height;
  gtk_adjustment_set_value (self->vadjustment, CLAMP (value, 0, MAX (upper - height, 0)));
}

/* The root (flame) or the top (icicle) in view. */
static void
scroll_to_start (ScorchFlameGraph *self)
{
  if (self->vadjustment == NULL)
    return;
  if (self->orientation == SCORCH_FLAME_ORIENTATION_FLAME)
    gtk_adjustment_set_value (self->vadjustment, gtk_adjustment_get_upper (self->vadjustment));
  else
    gtk_adjustment_set_value (self->vadjustment, 0);
}

/* After a zoom: the zoomed frame's row in view at the edge its callees
 * grow from (the bottom of a flame, the top of an icicle), two rows of
 * callers beyond it, so that as much of its subtree as fits is shown. */
static void
scroll_to_zoom_row (ScorchFlameGraph *self,
                    guint             row)
{
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double upper = content_height (self);
  double value;

  if (self->vadjustment == NULL || self->layout == NULL)
    return;

  if (self->orientation == SCORCH_FLAME_ORIENTATION_ICICLE)
    value = row * self->row_height - self->row_height * MIN (row, 2);
  else
    value = upper - (row + 1) * self->row_height + self->row_height * (MIN (row, 2) + 1) - height;
  gtk_adjustment_set_value (self->vadjustment, CLAMP (value, 0, MAX (upper - height, 0)));
}

static void
set_x_range (ScorchFlameGraph *self,
             double            x_begin,
             double            span)
{
  span = CLAMP (span, MIN_SPAN, 1.0);
  x_begin = CLAMP (x_begin, 0.0, 1.0 - span);
  if (x_begin == self->x_begin && x_begin + span == self->x_end)
    return;
  self->x_begin = x_begin;
  self->x_end = x_begin + span;
  content_changed (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Zoom the x range by factor around the widget x coordinate px. */
static void
zoom_x_around (ScorchFlameGraph *self,
               double            factor,
               double            px)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double span = self->x_end - self->x_begin;
  double rel = width > 0 ? CLAMP (px / width, 0, 1) : 0.5;
  double anchor = self->x_begin + rel * span;
  double new_span = CLAMP (span * factor, MIN_SPAN, 1.0);

  set_x_range (self, anchor - rel * new_span, new_span);
}

/* ------------------------------------------------------------------------ */
/* Zoom, selection                                                           */

/* Shows NODE as the zoom root, without touching the history. */
static void
apply_zoom (ScorchFlameGraph *self,
            guint32           node)
{
  const ScorchNode *nodes;

  if (self->displayed == NULL)
    return;
  if (!node_is_valid (self, node))
    node = SCORCH_PROFILE_ROOT;

  nodes = get_nodes (self, NULL);
  self->x_begin = 0;
  self->x_end = 1;
  if (self->zoom_node != node)
    {
      self->zoom_node = node;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM_NODE]);
    }
  content_changed (self);
  scroll_to_zoom_row (self, nodes[node].depth);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_history_current_changed (ScorchZoomHistory *history,
                            GParamSpec        *pspec,
                            ScorchFlameGraph  *self)
{
  apply_zoom (self, scorch_zoom_history_get_current (history));
  update_actions (self);
}

/* A zoom the person asked for: recorded in the history, then shown. */
static void
set_zoom_node_internal (ScorchFlameGraph *self,
                        guint32           node)
{
  if (self->displayed == NULL)
    return;
  if (!node_is_valid (self, node))
    node = SCORCH_PROFILE_ROOT;

  g_signal_handlers_block_by_func (self->history, on_history_current_changed, self);
  scorch_zoom_history_push (self->history, node);
  g_signal_handlers_unblock_by_func (self->history, on_history_current_changed, self);
  apply_zoom (self, node);
  update_actions (self);
}

static void
select_node (ScorchFlameGraph *self,
             guint32           node)
{
  if (node != SCORCH_NODE_NONE && !node_is_valid (self, node))
    return;
  if (self->selected_node == node)
    return;

  self->selected_node = node;
  scorch_flame_renderer_set_selected (self->renderer, node);
  if (node != SCORCH_NODE_NONE)
    {
      const ScorchNode *nodes = get_nodes (self, NULL);
      guint32 zoom_depth = nodes[self->zoom_node].depth;
      gboolean under_zoom = FALSE;

      /* Leaving the zoomed subtree zooms out to a common ancestor. */
      for (guint32 n = node; n != SCORCH_NODE_NONE; n = nodes[n].parent)
        if (n == self->zoom_node)
          {
            under_zoom = TRUE;
            break;
          }
      if (!under_zoom && nodes[node].depth > zoom_depth)
        {
          guint32 a = self->zoom_node;

          while (a != SCORCH_PROFILE_ROOT)
            {
              gboolean found = FALSE;

              for (guint32 n = node; n != SCORCH_NODE_NONE; n = nodes[n].parent)
                if (n == a)
                  found = TRUE;
              if (found)
                break;
              a = nodes[a].parent;
            }
          set_zoom_node_internal (self, a);
        }
      scroll_to_row (self, nodes[node].depth);
    }
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_NODE]);
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
rebuild (ScorchFlameGraph *self)
{
  g_clear_pointer (&self->layout, scorch_flame_layout_free);
  g_clear_object (&self->displayed);

  if (self->profile != NULL)
    {
      self->displayed = self->inverted ? scorch_profile_dup_inverted (self->profile)
                                       : g_object_ref (self->profile);
      self->layout = scorch_flame_layout_new (self->displayed);
    }

  self->zoom_node = SCORCH_PROFILE_ROOT;
  self->selected_node = SCORCH_NODE_NONE;
  self->hovered_node = SCORCH_NODE_NONE;
  self->x_begin = 0;
  self->x_end = 1;
  g_signal_handlers_block_by_func (self->history, on_history_current_changed, self);
  scorch_zoom_history_reset (self->history, SCORCH_PROFILE_ROOT);
  g_signal_handlers_unblock_by_func (self->history, on_history_current_changed, self);
  update_actions (self);
  scorch_flame_renderer_set_selected (self->renderer, SCORCH_NODE_NONE);
  scorch_flame_renderer_set_hovered (self->renderer, SCORCH_NODE_NONE);
  update_search (self);
  content_changed (self);
  scroll_to_start (self);
  update_accessible (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM_NODE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_NODE]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------------ */
/* Search                                                                    */

/* The matches, from the ScorchSearch (cached per profile there: the graph
 * that shows the session's filtered profile reuses what the session
 * computed for the matched share). */
static void
compute_matches (ScorchFlameGraph *self)
{
  double old_fraction = self->matched_fraction;

  self->search_pending = FALSE;
  self->matched_fraction = 0;
  scorch_flame_renderer_set_matches (self->renderer, NULL);

  if (self->displayed != NULL && self->query.search != NULL &&
      scorch_search_is_valid (self->query.search))
    {
      g_autoptr(GBytes) bytes = NULL;
      guint64 matched = 0, total;

      bytes = scorch_search_dup_frame_matches (self->query.search, self->displayed, &matched);
      scorch_flame_renderer_set_matches (self->renderer, bytes);
      total = scorch_profile_get_total (self->displayed);
      self->matched_fraction = total > 0 ? (double) matched / total : 0;
    }

  if (old_fraction != self->matched_fraction)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCHED_FRACTION]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Validity is known at once; the matching waits until the graph is shown
 * (the hidden one of the two graphs does not search on every keystroke). */
static void
update_search (ScorchFlameGraph *self)
{
  gboolean old_valid = self->query.valid;

  self->query.valid = self->query.search == NULL || scorch_search_is_valid (self->query.search);
  if (old_valid != self->query.valid)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_VALID]);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    compute_matches (self);
  else
    self->search_pending = TRUE;
}

/* The one way the matcher changes: validity now, matches when shown. */
static void
apply_search (ScorchFlameGraph *self,
              ScorchSearch     *search)
{
  if (search == self->query.search)
    return;
  if (search != NULL)
    scorch_search_ref (search);
  g_clear_pointer (&self->query.search, scorch_search_unref);
  self->query.search = search;
  update_search (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

/* The text properties, for callers without a session (which hands its
 * matcher over with scorch_flame_graph_set_search()): a changed part makes
 * a new matcher as the session would. */
static void
set_query (ScorchFlameGraph *self,
           const char       *text,
           gboolean          regex,
           gboolean          case_sensitive)
{
  g_autoptr(ScorchSearch) search = NULL;
  gboolean changed = FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  if (scorch_app_set_string (&self->query.text, text))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
    }
  if (scorch_app_set_flag (&self->query.regex, regex))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_REGEX]);
    }
  if (scorch_app_set_flag (&self->query.case_sensitive, case_sensitive))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_CASE_SENSITIVE]);
    }
  if (changed)
    {
      search = scorch_search_new_for_query (text, regex, case_sensitive);
      apply_search (self, search);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
scorch_flame_graph_map (GtkWidget *widget)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  GTK_WIDGET_CLASS (scorch_flame_graph_parent_class)->map (widget);

  if (self->search_pending)
    compute_matches (self);
}

/* ------------------------------------------------------------------------ */
/* Accessibility and tooltips                                                */

static void append_diff_description (ScorchFlameGraph *self,
                                     guint32           node,
                                     GString          *s,
                                     gboolean          markup);

static char *
describe_node (ScorchFlameGraph *self,
               guint32           node,
               gboolean          markup)
{
  const ScorchNode *nodes = get_nodes (self, NULL);
  const ScorchFrame *frame = scorch_profile_get_frame (self->displayed, nodes[node].frame);
  const guint64 *total = scorch_profile_get_node_total (self->displayed);
  guint64 all = scorch_profile_get_total (self->displayed);
  guint64 zoom_total = total[self->zoom_node];
  GString *s = g_string_new (NULL);
  /* Names come from the capture: XML-safe markup, or display-safe text. */
  g_autofree char *function = markup ? scorch_text_to_xml (frame->function) : scorch_text_to_display (frame->function);

  if (markup)
    g_string_append_printf (s, "<b>%s</b>", function);
  else
    g_string_append (s, function);

  if (frame->module != NULL && frame->module[0] != '\0')
    {
      g_autofree char *module = markup ? scorch_text_to_xml (frame->module) : scorch_text_to_display (frame->module);
      g_string_append_printf (s, "\n%s", module);
    }
  if (frame->file != NULL)
    {
      g_autofree char *file = markup ? scorch_text_to_xml (frame->file) : scorch_text_to_display (frame->file);
      if (frame->line > 0)
        g_string_append_printf (s, "\n%s:%u", file, frame->line);
      else
        g_string_append_printf (s, "\n%s", file);
    }
  g_string_append_c (s, '\n');
  g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%" G_GUINT64_FORMAT " sample",
                                          "%" G_GUINT64_FORMAT " samples", total[node]),
                          total[node]);
  g_string_append_printf (s, _(", %.2f%% of all"), all > 0 ? 100.0 * total[node] / all : 0.0);
  if (self->zoom_node != SCORCH_PROFILE_ROOT)
    g_string_append_printf (s, _(", %.2f%% of the zoomed frame"),
                            zoom_total > 0 ? 100.0 * total[node] / zoom_total : 0.0);
  append_diff_description (self, node, s, markup);

  return g_string_free (s, FALSE);
}

static void
update_accessible (ScorchFlameGraph *self)
{
  if (self->displayed != NULL && self->selected_node != SCORCH_NODE_NONE)
    {
      const ScorchNode *nodes = get_nodes (self, NULL);
      const ScorchFrame *frame = scorch_profile_get_frame (self->displayed, nodes[self->selected_node].frame);
      g_autofree char *function = scorch_text_to_display (frame->function);
      guint64 self_samples = scorch_profile_get_node_self (self->displayed)[self->selected_node];
      guint64 total_samples = scorch_profile_get_node_total (self->displayed)[self->selected_node];
      guint64 all = MAX (scorch_profile_get_total (self->displayed), 1);
      /* Translators: what a screen reader says for the selected frame, e.g.
       * "main, self 2.50 %, total 98.00 %, depth 1" */
      g_autofree char *label = g_strdup_printf (_("%s, self %.2f %%, total %.2f %%, depth %u"),
                                                function,
                                                100.0 * self_samples / all,
                                                100.0 * total_samples / all,
                                                nodes[self->selected_node].depth);
      g_autofree char *description = describe_node (self, self->selected_node, FALSE);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                      -1);
    }
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Flame graph"),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    _("Arrow keys move between frames, Enter zooms in, Escape zooms out, Alt+Left goes back"),
                                    -1);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  const ScorchFlameRect *rects;
  g_autofree char *text = NULL;
  guint n;
  gint idx;

  if (self->layout == NULL)
    return FALSE;
  /* Never over the frame's context menu. */
  if (self->popover != NULL && gtk_widget_get_visible (self->popover))
    return FALSE;

  if (keyboard)
    {
      if (self->selected_node == SCORCH_NODE_NONE)
        return FALSE;
      text = describe_node (self, self->selected_node, TRUE);
      gtk_tooltip_set_markup (tooltip, text);
      return TRUE;
    }

  idx = scorch_flame_layout_hit_test (self->layout, x, y);
  if (idx < 0)
    return FALSE;
  rects = scorch_flame_layout_get_rects (self->layout, &n);
  if (rects[idx].flags & SCORCH_FLAME_RECT_MERGED)
    {
      guint64 all = scorch_profile_get_total (self->displayed);

      text = g_strdup_printf (_("<b>%u small frames</b>\n%" G_GUINT64_FORMAT " samples, %.2f%% of all\nZoom in to see them"),
                              rects[idx].n_merged, rects[idx].total,
                              all > 0 ? 100.0 * rects[idx].total / all : 0.0);
    }
  else
    text = describe_node (self, rects[idx].node, TRUE);

  gtk_tooltip_set_markup (tooltip, text);
  {
    GdkRectangle area = { (int) rects[idx].x, (int) rects[idx].y, (int) MAX (rects[idx].width, 1), (int) self->row_height };
    gtk_tooltip_set_tip_area (tooltip, &area);
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Drawing                                                                   */

static void
scorch_flame_graph_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->layout != NULL)
    {
      ensure_layout (self);
      scorch_flame_renderer_render (self->renderer, cr, self->layout);
    }
  else
    {
      ScorchFlameColor bg;

      scorch_flame_renderer_get_background (self->renderer, &bg);
      cairo_set_source_rgb (cr, bg.red, bg.green, bg.blue);
      cairo_paint (cr);
    }
  cairo_destroy (cr);

  if (gtk_widget_has_visible_focus (widget) && self->selected_node != SCORCH_NODE_NONE &&
      self->layout != NULL)
    {
      gint idx = scorch_flame_layout_find_node (self->layout, self->selected_node);
      guint n_rects;

      if (idx >= 0)
        {
          const ScorchFlameRect *rect = &scorch_flame_layout_get_rects (self->layout, &n_rects)[idx];
          AdwStyleManager *manager = adw_style_manager_get_default ();
          GdkRGBA focus = adw_style_manager_get_dark (manager)
                          ? (GdkRGBA) { 0.47, 0.68, 0.93, 0.9 }
                          : (GdkRGBA) { 0.21, 0.52, 0.89, 0.9 };
          GskRoundedRect ring;
          float w[4] = { 2, 2, 2, 2 };
          GdkRGBA colors[4] = { focus, focus, focus, focus };
          double x = MAX (rect->x - 2, 0);
          double right = MIN (rect->x + MAX (rect->width, 4) + 2, width);

          /* Just outside the frame, as GTK draws focus rings. */
          gsk_rounded_rect_init_from_rect (&ring,
                                           &GRAPHENE_RECT_INIT (x, rect->y - 2,
                                                                MAX (right - x, 4),
                                                                self->row_height + 3),
                                           3);
          gtk_snapshot_append_border (snapshot, &ring, w, colors);
        }
    }
  else if (gtk_widget_has_visible_focus (widget) && self->selected_node == SCORCH_NODE_NONE)
    {
      GdkRGBA focus = { 0.21, 0.52, 0.89, 0.6 };
      GskRoundedRect outline;
      float w[4] = { 2, 2, 2, 2 };
      GdkRGBA colors[4] = { focus, focus, focus, focus };

      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (0, 0, width, height), 0);
      gtk_snapshot_append_border (snapshot, &outline, w, colors);
    }
}

static void
scorch_flame_graph_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  configure_adjustments (self);
  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
scorch_flame_graph_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  double span = self->x_end - self->x_begin;
  int width = gtk_widget_get_width (widget);

  /* In a scrolled window (it gave us adjustments) the natural size is the
   * content's, as the adjustments will say once allocated: wider than the
   * view only when zoomed in x, as tall as the rows drawn at the width.
   * The scrolled window decides its scrollbars from it before allocating;
   * when the adjustments then disagreed, it queued a resize in the middle
   * of the window's layout, and GTK 4.8 painted the next frame with the
   * window's contents unallocated ("Trying to snapshot AdwGizmo without a
   * current allocation"). */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 100;
      *natural = 800;
      if (self->hadjustment != NULL)
        *natural = span < 1.0 && width > 0 ? (int) MIN (ceil (width / span), G_MAXINT / 2) : 0;
    }
  else
    {
      *minimum = (int) self->row_height * 4;
      *natural = (int) self->row_height * 24;
      if (self->vadjustment != NULL)
        {
          /* for_size is the content's width: the view's is span of it */
          if (for_size > 0)
            width = span < 1.0 ? (int) (for_size * span) : for_size;
          *natural = (int) MIN (ceil (rows_height (self, width)), G_MAXINT / 2);
        }
    }
  *natural = MAX (*natural, *minimum);
}

static GtkSizeRequestMode
scorch_flame_graph_get_request_mode (GtkWidget *widget)
{
  /* the rows drawn, so the natural height, depend on the width */
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* ------------------------------------------------------------------------ */
/* Input                                                                     */

/* GTK 4.8 labels the main Enter key "Return" in menus; people know it as
 * Enter.  Relabels the accelerator labels of the menu's items. */
static void
relabel_enter (GtkWidget  *widget,
               const char *gtk_label,
               const char *label)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      if (GTK_IS_LABEL (w) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), gtk_label) == 0)
        gtk_label_set_label (GTK_LABEL (w), label);
      relabel_enter (w, gtk_label, label);
    }
}

/* The context menu; the hover tooltip stays away while it is open. */
static void
popup_menu (ScorchFlameGraph *self)
{
  g_autofree char *enter = gtk_accelerator_get_label (GDK_KEY_Return, 0);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "flame.focus-subtree", !self->inverted); /* -- transforms -- */
  gtk_popover_popup (GTK_POPOVER (self->popover));
  /* Translators: the Enter key, as shown next to a menu item */
  relabel_enter (self->popover, enter, C_("keyboard key", "Enter"));
}

static void
on_popover_closed (GtkPopover       *popover,
                   ScorchFlameGraph *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

static gint
hit (ScorchFlameGraph *self,
     double            x,
     double            y,
     const ScorchFlameRect **rect)
{
  const ScorchFlameRect *rects;
  guint n;
  gint idx;

  if (self->layout == NULL)
    return -1;
  ensure_layout (self);
  idx = scorch_flame_layout_hit_test (self->layout, x, y);
  if (idx >= 0 && rect != NULL)
    {
      rects = scorch_flame_layout_get_rects (self->layout, &n);
      *rect = &rects[idx];
    }
  return idx;
}

static void
activate_node (ScorchFlameGraph *self,
               guint32           node)
{
  if (!node_is_valid (self, node))
    return;
  select_node (self, node);
  set_zoom_node_internal (self, node);
  g_signal_emit (self, signals[FRAME_ACTIVATED], 0, node);
}

/* A click focuses the graph; the rect under it, or NULL. */
static const ScorchFlameRect *
click_hit (ScorchFlameGraph *self,
           double            x,
           double            y)
{
  const ScorchFlameRect *rect = NULL;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (hit (self, x, y, &rect) < 0)
    return NULL;
  return rect;
}

static void
on_click_released (GtkGestureClick  *gesture,
                   int               n_press,
                   double            x,
                   double            y,
                   ScorchFlameGraph *self)
{
  const ScorchFlameRect *rect = click_hit (self, x, y);

  if (rect == NULL)
    return;
  if (rect->flags & SCORCH_FLAME_RECT_MERGED)
    {
      /* Zoom to the parent of the run, 4× around the pointer. */
      zoom_x_around (self, 0.25, x);
      return;
    }
  activate_node (self, rect->node);
}

/* Mouse buttons 8 and 9 (back and forward, as in a browser). */
static void
on_history_button (GtkGestureClick  *gesture,
                   int               n_press,
                   double            x,
                   double            y,
                   ScorchFlameGraph *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  if (button == 8)
    gtk_widget_activate_action (GTK_WIDGET (self), "flame.back", NULL);
  else if (button == 9)
    gtk_widget_activate_action (GTK_WIDGET (self), "flame.forward", NULL);
  else
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
on_right_click (GtkGestureClick  *gesture,
                int               n_press,
                double            x,
                double            y,
                ScorchFlameGraph *self)
{
  const ScorchFlameRect *rect = click_hit (self, x, y);

  if (rect == NULL || (rect->flags & SCORCH_FLAME_RECT_MERGED))
    return;

  select_node (self, rect->node);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                               &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  popup_menu (self);
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           ScorchFlameGraph         *self)
{
  const ScorchFlameRect *rect = NULL;
  guint32 node = SCORCH_NODE_NONE;

  self->pointer_x = x;
  if (hit (self, x, y, &rect) >= 0 && !(rect->flags & SCORCH_FLAME_RECT_MERGED))
    node = rect->node;
  if (node != self->hovered_node)
    {
      self->hovered_node = node;
      scorch_flame_renderer_set_hovered (self->renderer, node);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *controller,
          ScorchFlameGraph         *self)
{
  if (self->hovered_node != SCORCH_NODE_NONE)
    {
      self->hovered_node = SCORCH_NODE_NONE;
      scorch_flame_renderer_set_hovered (self->renderer, SCORCH_NODE_NONE);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           ScorchFlameGraph         *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (state & GDK_CONTROL_MASK)
    {
      zoom_x_around (self, pow (1.25, dy), self->pointer_x);
      return TRUE;
    }

  if (self->vadjustment == NULL)
    {
      /* Not in a scrolled window: scroll and pan ourselves. */
      double width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
      double span = self->x_end - self->x_begin;

      if (dx != 0)
        set_x_range (self, self->x_begin + dx * 40 / width * span, span);
      return dx != 0;
    }

  return FALSE; /* the scrolled window scrolls the adjustments */
}

static void
on_drag_begin (GtkGestureDrag   *gesture,
               double            x,
               double            y,
               ScorchFlameGraph *self)
{
  self->drag_x_begin = self->x_begin;
  self->drag_vvalue = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
}

static void
on_drag_update (GtkGestureDrag   *gesture,
                double            dx,
                double            dy,
                ScorchFlameGraph *self)
{
  double width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
  double span = self->x_end - self->x_begin;

  if (fabs (dx) < 3 && fabs (dy) < 3)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  set_x_range (self, self->drag_x_begin - dx / width * span, span);
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, self->drag_vvalue - dy);
}

static void
on_pinch_begin (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                ScorchFlameGraph *self)
{
  double x, y;

  self->pinch_span = self->x_end - self->x_begin;
  if (gtk_gesture_get_bounding_box_center (gesture, &x, &y))
    self->pinch_center = x;
  else
    self->pinch_center = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
}

static void
on_pinch_scale_changed (GtkGestureZoom   *gesture,
                        double            scale,
                        ScorchFlameGraph *self)
{
  double span = self->x_end - self->x_begin;

  if (scale <= 0)
    return;
  zoom_x_around (self, (self->pinch_span / scale) / span, self->pinch_center);
}

static void
on_vadjustment_changed (GtkAdjustment    *adjustment,
                        ScorchFlameGraph *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_hadjustment_changed (GtkAdjustment    *adjustment,
                        ScorchFlameGraph *self)
{
  double upper = gtk_adjustment_get_upper (adjustment);
  double span = self->x_end - self->x_begin;

  if (self->updating_adjustments || upper <= 0)
    return;
  self->x_begin = CLAMP (gtk_adjustment_get_value (adjustment) / upper, 0, 1 - span);
  self->x_end = self->x_begin + span;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_dark_changed (AdwStyleManager  *manager,
                 GParamSpec       *pspec,
                 ScorchFlameGraph *self)
{
  scorch_flame_renderer_set_dark (self->renderer, adw_style_manager_get_dark (manager));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                   */

static void
action_zoom_in (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  if (self->selected_node != SCORCH_NODE_NONE && self->selected_node != self->zoom_node &&
      node_is_valid (self, self->selected_node))
    activate_node (self, self->selected_node);
  else
    zoom_x_around (self, 0.5, gtk_widget_get_width (widget) / 2.0);
}

static void
action_zoom_out (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  const ScorchNode *nodes = get_nodes (self, NULL);

  if (self->displayed == NULL)
    return;
  if (self->x_end - self->x_begin < 1.0)
    {
      double span = MIN ((self->x_end - self->x_begin) * 2, 1.0);
      zoom_x_around (self, span / (self->x_end - self->x_begin), gtk_widget_get_width (widget) / 2.0);
      return;
    }
  if (self->zoom_node != SCORCH_PROFILE_ROOT)
    {
      const guint64 *total = scorch_profile_get_node_total (self->displayed);
      guint32 target = nodes[self->zoom_node].parent;

      /* Callers as wide as the zoomed frame (a chain of single calls) would
       * look the same: skip them, so that each press changes what is seen. */
      while (target != SCORCH_PROFILE_ROOT && total[target] == total[self->zoom_node])
        target = nodes[target].parent;
      set_zoom_node_internal (self, target);
    }
}

static void
action_zoom_reset (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  set_zoom_node_internal (SCORCH_FLAME_GRAPH (widget), SCORCH_PROFILE_ROOT);
}

static void
action_back (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  /* The history notifies "current"; on_history_current_changed zooms. */
  if (self->displayed != NULL)
    scorch_zoom_history_go_back (self->history, NULL);
}

static void
action_forward (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  if (self->displayed != NULL)
    scorch_zoom_history_go_forward (self->history, NULL);
}

static void
update_actions (ScorchFlameGraph *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "flame.back",
                                 self->displayed != NULL &&
                                 scorch_zoom_history_get_can_go_back (self->history));
  gtk_widget_action_set_enabled (widget, "flame.forward",
                                 self->displayed != NULL &&
                                 scorch_zoom_history_get_can_go_forward (self->history));
}

static void
on_history_can_go_changed (ScorchFlameGraph *self)
{
  update_actions (self);
}

static void
action_zoom_to (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  set_zoom_node_internal (self, g_variant_get_uint32 (param));
}

static void
action_search (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  scorch_flame_graph_set_search_text (SCORCH_FLAME_GRAPH (widget), g_variant_get_string (param, NULL));
}

static void
action_toggle_orientation (GtkWidget  *widget,
                           const char *name,
                           GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  scorch_flame_graph_set_orientation (self, self->orientation == SCORCH_FLAME_ORIENTATION_FLAME
                                            ? SCORCH_FLAME_ORIENTATION_ICICLE
                                            : SCORCH_FLAME_ORIENTATION_FLAME);
}

static void
action_toggle_inverted (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  scorch_flame_graph_set_inverted (self, !self->inverted);
}

/* The rect of the selection in the current layout, or -1. */
static gint
selected_rect (ScorchFlameGraph *self)
{
  if (self->layout == NULL || self->selected_node == SCORCH_NODE_NONE)
    return -1;
  ensure_layout (self);
  return scorch_flame_layout_find_node (self->layout, self->selected_node);
}

static void
select_parent (ScorchFlameGraph *self)
{
  const ScorchNode *nodes = get_nodes (self, NULL);

  if (self->displayed == NULL)
    return;
  if (self->selected_node == SCORCH_NODE_NONE)
    select_node (self, self->zoom_node);
  else if (self->selected_node != SCORCH_PROFILE_ROOT)
    select_node (self, nodes[self->selected_node].parent);
}

static void
select_child (ScorchFlameGraph *self)
{
  const guint32 *children;
  guint n;

  if (self->displayed == NULL)
    return;
  if (self->selected_node == SCORCH_NODE_NONE)
    {
      select_node (self, self->zoom_node);
      return;
    }
  children = scorch_flame_layout_get_children (self->layout, self->selected_node, &n);
  if (n > 0)
    select_node (self, children[0]); /* the widest */
}

static void
select_sibling (ScorchFlameGraph *self,
                int               direction)
{
  const ScorchFlameRect *rects;
  const ScorchNode *nodes;
  guint n, begin, end;
  gint idx;

  if (self->displayed == NULL)
    return;
  if (self->selected_node == SCORCH_NODE_NONE)
    {
      select_node (self, self->zoom_node);
      return;
    }

  /* Along the row as drawn, across parents. */
  idx = selected_rect (self);
  if (idx >= 0)
    {
      rects = scorch_flame_layout_get_rects (self->layout, &n);
      scorch_flame_layout_get_row_range (self->layout, rects[idx].row, &begin, &end);
      for (gint i = idx + direction; i >= (gint) begin && i < (gint) end; i += direction)
        if (!(rects[i].flags & (SCORCH_FLAME_RECT_MERGED | SCORCH_FLAME_RECT_ANCESTOR)))
          {
            select_node (self, rects[i].node);
            return;
          }
      return;
    }

  /* Not on screen: among the siblings. */
  nodes = get_nodes (self, NULL);
  if (self->selected_node == SCORCH_PROFILE_ROOT)
    return;
  {
    const guint32 *children = scorch_flame_layout_get_children (self->layout,
                                                                nodes[self->selected_node].parent, &n);

    for (guint i = 0; i < n; i++)
      if (children[i] == self->selected_node)
        {
          if ((gint) i + direction >= 0 && i + direction < n)
            select_node (self, children[i + direction]);
          return;
        }
  }
}

static void
action_select (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  gboolean flame = self->orientation == SCORCH_FLAME_ORIENTATION_FLAME;

  if (g_str_equal (name, "flame.select-parent"))
    select_parent (self);
  else if (g_str_equal (name, "flame.select-child"))
    select_child (self);
  else if (g_str_equal (name, "flame.select-up"))
    flame ? select_child (self) : select_parent (self);
  else if (g_str_equal (name, "flame.select-down"))
    flame ? select_parent (self) : select_child (self);
  else if (g_str_equal (name, "flame.select-previous"))
    select_sibling (self, -1);
  else if (g_str_equal (name, "flame.select-next"))
    select_sibling (self, +1);
}

static void
action_activate (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);

  if (self->selected_node != SCORCH_NODE_NONE)
    activate_node (self, self->selected_node);
}

/* The selected frame's function: copied, shown in the hotspots, or shown
 * in the source view (the window's actions). */
static void
action_selected_frame (GtkWidget  *widget,
                       const char *name,
                       GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  guint32 frame;

  if (!get_selected_frame (self, &frame))
    return;
  if (g_str_equal (name, "flame.copy-name"))
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                            scorch_profile_get_frame (self->displayed, frame)->function);
  else if (g_str_equal (name, "flame.show-in-hotspots"))
    {
      g_signal_emit (self, signals[SHOW_IN_HOTSPOTS], 0, frame);
      gtk_widget_activate_action (widget, "win.show-in-hotspots", "u", frame);
    }
  else
    gtk_widget_activate_action (widget, "win.show-source", "u", frame);
}

/* -- transforms: the selected frame's function, module or call path, to
 *    win.push-transform (the window's session applies it) -- */
static void
action_transform (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  const char *kind = param != NULL ? g_variant_get_string (param, NULL) : "focus-subtree";
  g_autoptr(GVariant) transform = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const ScorchFrame *frame;
  guint32 frame_id;

  if (!get_selected_frame (self, &frame_id))
    return;
  frame = scorch_profile_get_frame (self->displayed, frame_id);
  if (g_str_equal (name, "flame.focus-subtree"))
    {
      g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));

      /* A bottom-up graph's paths are not call paths. */
      if (self->inverted)
        return;
      scorch_profile_node_get_stack (self->displayed, self->selected_node, stack);
      for (guint i = stack->len; i-- > 0;)
        g_ptr_array_add (args, (gpointer) scorch_profile_get_frame (self->displayed,
                                                                    g_array_index (stack, guint32, i))->function);
    }
  else if (g_str_equal (kind, "merge-module"))
    {
      if (frame->module[0] == '\0')
        return;
      g_ptr_array_add (args, (gpointer) frame->module);
    }
  else if (!g_str_equal (kind, "collapse-recursion"))
    g_ptr_array_add (args, (gpointer) frame->function);

  g_ptr_array_add (args, NULL);
  transform = g_variant_ref_sink (g_variant_new ("(s^as)", kind, (const char * const *) args->pdata));
  gtk_widget_activate_action_variant (widget, "win.push-transform", transform);
}

static void
action_context_menu (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (widget);
  const ScorchFlameRect *rects;
  GdkRectangle area = { 0, 0, 1, 1 };
  guint n;
  gint idx;

  if (self->selected_node == SCORCH_NODE_NONE)
    return;
  idx = selected_rect (self);
  if (idx >= 0)
    {
      rects = scorch_flame_layout_get_rects (self->layout, &n);
      area.x = (int) (rects[idx].x + MIN (rects[idx].width / 2, 40));
      area.y = (int) (rects[idx].y + self->row_height / 2);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover), &area);
  popup_menu (self);
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */

static void
set_adjustment (ScorchFlameGraph  *self,
                GtkAdjustment    **slot,
                GtkAdjustment     *adjustment,
                GCallback          callback)
{
  if (*slot == adjustment)
    return;
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, callback, self);
      g_clear_object (slot);
    }
  if (adjustment != NULL)
    {
      *slot = g_object_ref_sink (adjustment);
      g_signal_connect (adjustment, "value-changed", callback, self);
    }
  content_changed (self);
}

static void
connect_history (ScorchFlameGraph *self)
{
  g_signal_connect (self->history, "notify::current",
                    G_CALLBACK (on_history_current_changed), self);
  g_signal_connect_swapped (self->history, "notify::can-go-back",
                            G_CALLBACK (on_history_can_go_changed), self);
  g_signal_connect_swapped (self->history, "notify::can-go-forward",
                            G_CALLBACK (on_history_can_go_changed), self);
  update_actions (self);
}

static void
scorch_flame_graph_dispose (GObject *object)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (object);

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  set_adjustment (self, &self->hadjustment, NULL, G_CALLBACK (on_hadjustment_changed));
  set_adjustment (self, &self->vadjustment, NULL, G_CALLBACK (on_vadjustment_changed));
  g_signal_handlers_disconnect_by_func (adw_style_manager_get_default (), on_dark_changed, self);
  if (self->history != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->history, self);
      g_clear_object (&self->history);
    }

  G_OBJECT_CLASS (scorch_flame_graph_parent_class)->dispose (object);
}

static void
scorch_flame_graph_finalize (GObject *object)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (object);

  g_clear_pointer (&self->layout, scorch_flame_layout_free);
  g_clear_pointer (&self->renderer, scorch_flame_renderer_free);
  g_clear_object (&self->displayed);
  g_clear_object (&self->profile);
  scorch_app_search_clear (&self->query);

  G_OBJECT_CLASS (scorch_flame_graph_parent_class)->finalize (object);
}

static void
scorch_flame_graph_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_INVERTED:
      g_value_set_boolean (value, self->inverted);
      break;
    case PROP_ORIENTATION:
      g_value_set_enum (value, self->orientation);
      break;
    case PROP_COLOR_SCHEME:
      g_value_set_enum (value, self->color_scheme);
      break;
    case PROP_SEARCH_TEXT ... PROP_SEARCH:
      scorch_app_search_get_property (&self->query, prop_id - PROP_SEARCH_TEXT, value);
      break;
    case PROP_ZOOM_NODE:
      g_value_set_uint (value, self->zoom_node);
      break;
    case PROP_SELECTED_NODE:
      g_value_set_uint (value, self->selected_node);
      break;
    case PROP_MATCHED_FRACTION:
      g_value_set_double (value, scorch_flame_graph_get_matched_fraction (self));
      break;
    case PROP_HIGHLIGHT_FRAME:
      g_value_set_uint (value, scorch_flame_renderer_get_highlight_frame (self->renderer));
      break;
    case PROP_ZOOM_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_flame_graph_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ScorchFlameGraph *self = SCORCH_FLAME_GRAPH (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      scorch_flame_graph_set_profile (self, g_value_get_object (value));
      break;
    case PROP_INVERTED:
      scorch_flame_graph_set_inverted (self, g_value_get_boolean (value));
      break;
    case PROP_ORIENTATION:
      scorch_flame_graph_set_orientation (self, g_value_get_enum (value));
      break;
    case PROP_COLOR_SCHEME:
      scorch_flame_graph_set_color_scheme (self, g_value_get_enum (value));
      break;
    case PROP_SEARCH_TEXT:
      scorch_flame_graph_set_search_text (self, g_value_get_string (value));
      break;
    case PROP_SEARCH_REGEX:
      scorch_flame_graph_set_search_regex (self, g_value_get_boolean (value));
      break;
    case PROP_SEARCH_CASE_SENSITIVE:
      scorch_flame_graph_set_search_case_sensitive (self, g_value_get_boolean (value));
      break;
    case PROP_SEARCH:
      scorch_flame_graph_set_search (self, g_value_get_boxed (value));
      break;
    case PROP_ZOOM_NODE:
      scorch_flame_graph_set_zoom_node (self, g_value_get_uint (value));
      break;
    case PROP_SELECTED_NODE:
      scorch_flame_graph_set_selected_node (self, g_value_get_uint (value));
      break;
    case PROP_HIGHLIGHT_FRAME:
      scorch_flame_graph_set_highlight_frame (self, g_value_get_uint (value));
      break;
    case PROP_ZOOM_HISTORY:
      scorch_flame_graph_set_zoom_history (self, g_value_get_object (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value), G_CALLBACK (on_hadjustment_changed));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value), G_CALLBACK (on_vadjustment_changed));
      break;
    case PROP_HSCROLL_POLICY:
      self->hscroll_policy = g_value_get_enum (value);
      break;
    case PROP_VSCROLL_POLICY:
      self->vscroll_policy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_flame_graph_class_init (ScorchFlameGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *select_actions[] = {
    "flame.select-parent", "flame.select-child", "flame.select-up",
    "flame.select-down", "flame.select-previous", "flame.select-next",
  };

  object_class->dispose = scorch_flame_graph_dispose;
  object_class->finalize = scorch_flame_graph_finalize;
  object_class->get_property = scorch_flame_graph_get_property;
  object_class->set_property = scorch_flame_graph_set_property;

  widget_class->snapshot = scorch_flame_graph_snapshot;
  widget_class->map = scorch_flame_graph_map;
  widget_class->size_allocate = scorch_flame_graph_size_allocate;
  widget_class->measure = scorch_flame_graph_measure;
  widget_class->get_request_mode = scorch_flame_graph_get_request_mode;

  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SCORCH_TYPE_PROFILE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_INVERTED] =
    g_param_spec_boolean ("inverted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORIENTATION] =
    g_param_spec_enum ("orientation", NULL, NULL, SCORCH_TYPE_FLAME_ORIENTATION,
                       SCORCH_FLAME_ORIENTATION_FLAME,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COLOR_SCHEME] =
    g_param_spec_enum ("color-scheme", NULL, NULL, SCORCH_TYPE_FLAME_COLOR_SCHEME,
                       SCORCH_FLAME_COLORS_HOT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* the window's search can be handed over whole (scorch_flame_graph_set_search()) */
  scorch_app_search_install_properties (&properties[PROP_SEARCH_TEXT],
                                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                        G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ZOOM_NODE] =
    g_param_spec_uint ("zoom-node", NULL, NULL, 0, G_MAXUINT32, SCORCH_PROFILE_ROOT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTED_NODE] =
    g_param_spec_uint ("selected-node", NULL, NULL, 0, G_MAXUINT32, SCORCH_NODE_NONE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* A frame (function) id whose every node is drawn highlighted, e.g. the
   * hotspot table's selected row; G_MAXUINT32 for none.  Frame ids are
   * the profile's, so they hold in the inverted and filtered views. */
  properties[PROP_HIGHLIGHT_FRAME] =
    g_param_spec_uint ("highlight-frame", NULL, NULL, 0, G_MAXUINT32, G_MAXUINT32,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The zoom roots gone through, for Back and Forward (flame.back,
   * flame.forward).  The graph makes its own; a session object may give
   * it one to share.  Reset when the displayed profile changes. */
  properties[PROP_ZOOM_HISTORY] =
    g_param_spec_object ("zoom-history", NULL, NULL, SCORCH_TYPE_ZOOM_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MATCHED_FRACTION] =
    g_param_spec_double ("matched-fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  signals[FRAME_ACTIVATED] =
    g_signal_new ("frame-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SHOW_IN_HOTSPOTS] =
    g_signal_new ("show-in-hotspots", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "flame.zoom-in", NULL, action_zoom_in);
  gtk_widget_class_install_action (widget_class, "flame.zoom-out", NULL, action_zoom_out);
  gtk_widget_class_install_action (widget_class, "flame.zoom-reset", NULL, action_zoom_reset);
  gtk_widget_class_install_action (widget_class, "flame.zoom-to", "u", action_zoom_to);
  gtk_widget_class_install_action (widget_class, "flame.back", NULL, action_back);
  gtk_widget_class_install_action (widget_class, "flame.forward", NULL, action_forward);
  gtk_widget_class_install_action (widget_class, "flame.search", "s", action_search);
  gtk_widget_class_install_action (widget_class, "flame.toggle-orientation", NULL, action_toggle_orientation);
  gtk_widget_class_install_action (widget_class, "flame.toggle-inverted", NULL, action_toggle_inverted);
  for (guint i = 0; i < G_N_ELEMENTS (select_actions); i++)
    gtk_widget_class_install_action (widget_class, select_actions[i], NULL, action_select);
  gtk_widget_class_install_action (widget_class, "flame.activate", NULL, action_activate);
  gtk_widget_class_install_action (widget_class, "flame.copy-name", NULL, action_selected_frame);
  gtk_widget_class_install_action (widget_class, "flame.context-menu", NULL, action_context_menu);
  gtk_widget_class_install_action (widget_class, "flame.show-in-hotspots", NULL, action_selected_frame);
  gtk_widget_class_install_action (widget_class, "flame.show-source", NULL, action_selected_frame);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "flame.show-source", NULL);
  /* -- transforms -- */
  gtk_widget_class_install_action (widget_class, "flame.transform", "s", action_transform);
  gtk_widget_class_install_action (widget_class, "flame.focus-subtree", NULL, action_transform);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "flame.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "flame.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "flame.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "flame.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "flame.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "flame.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "flame.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "flame.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "flame.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "flame.select-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "flame.select-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "flame.select-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "flame.select-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "flame.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "flame.forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Back, 0, "flame.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Forward, 0, "flame.forward", NULL);
  /* Keypad Enter first: menus show the last binding of an action, and
   * "KP Enter" is not what people type. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "flame.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "flame.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "flame.copy-name", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "flame.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "flame.context-menu", NULL);

  gtk_widget_class_set_css_name (widget_class, "flamegraph");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_WIDGET);
}

static void
scorch_flame_graph_init (ScorchFlameGraph *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *gesture;
  g_autoptr(GMenu) menu = g_menu_new ();
  AdwStyleManager *style_manager;

  self->renderer = scorch_flame_renderer_new ();
  /* Frames are labelled as people read names; the tooltip has the full one. */
  scorch_flame_renderer_set_short_names (self->renderer, TRUE, SCORCH_DISPLAY_NAME_DEFAULT);
  self->row_height = 18;
  self->zoom_node = SCORCH_PROFILE_ROOT;
  self->selected_node = SCORCH_NODE_NONE;
  self->hovered_node = SCORCH_NODE_NONE;
  self->x_begin = 0;
  self->x_end = 1;
  self->query.valid = TRUE;
  /* a scrolled window decides its scrollbars from the natural size */
  self->hscroll_policy = GTK_SCROLL_NATURAL;
  self->vscroll_policy = GTK_SCROLL_NATURAL;

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_has_tooltip (widget, TRUE);
  g_signal_connect (widget, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_right_click), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_history_button), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_pinch_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_pinch_scale_changed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, controller);

  g_menu_append (menu, _("_Copy Function Name"), "flame.copy-name");
  g_menu_append (menu, _("_Zoom to Frame"), "flame.activate");
  g_menu_append (menu, _("Show in _Hotspots"), "flame.show-in-hotspots");
  g_menu_append (menu, _("Show _Source"), "flame.show-source");
  /* -- transforms: applied to every view, undone with Ctrl+Z -- */
  {
    g_autoptr(GMenu) section = g_menu_new ();

    g_menu_append (section, _("Focus on _Subtree"), "flame.focus-subtree");
    g_menu_append (section, _("_Focus on Function"), "flame.transform::focus-function");
    g_menu_append (section, _("Focus on C_allers"), "flame.transform::focus-callers");
    g_menu_append (section, _("_Merge Function"), "flame.transform::merge-function");
    g_menu_append (section, _("Merge M_odule"), "flame.transform::merge-module");
    g_menu_append (section, _("_Drop Samples With Function"), "flame.transform::drop-function");
    g_menu_append (section, _("Collapse _Recursion"), "flame.transform::collapse-recursion");
    {
      static const char *percents[] = { "0.5", "1", "2", "5" };
      g_autoptr(GMenu) below = g_menu_new ();

      for (guint i = 0; i < G_N_ELEMENTS (percents); i++)
        {
          const char *args[] = { percents[i], NULL };
          g_autoptr(GMenuItem) item = NULL;
          /* Translators: a threshold in the "Hide Frames Below" submenu; %s is a number */
          g_autofree char *label = g_strdup_printf (_("%s %%"), percents[i]);

          item = g_menu_item_new (label, NULL);
          g_menu_item_set_action_and_target_value (item, "win.push-transform",
                                                   g_variant_new ("(s^as)", "min-percent", args));
          g_menu_append_item (below, item);
        }
      g_menu_append_submenu (section, _("_Hide Frames Below"), G_MENU_MODEL (below));
    }
    g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  }
  self->popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->popover, widget);
  g_signal_connect (self->popover, "closed", G_CALLBACK (on_popover_closed), self);

  self->history = scorch_zoom_history_new (SCORCH_PROFILE_ROOT);
  connect_history (self);

  /* What a screen reader calls it, instead of the generic role's name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_ROLE_DESCRIPTION, _("flame graph"),
                                  -1);

  style_manager = adw_style_manager_get_default ();
  scorch_flame_renderer_set_dark (self->renderer, adw_style_manager_get_dark (style_manager));
  g_signal_connect (style_manager, "notify::dark", G_CALLBACK (on_dark_changed), self);

  update_accessible (self);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */

GtkWidget *
scorch_flame_graph_new (void)
{
  return g_object_new (SCORCH_TYPE_FLAME_GRAPH, NULL);
}

ScorchProfile *
scorch_flame_graph_get_profile (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);
  return self->profile;
}

void
scorch_flame_graph_set_profile (ScorchFlameGraph *self,
                                ScorchProfile    *profile)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));

  if (!scorch_app_set_profile (&self->profile, profile))
    return;
  scorch_app_trace_mark ("pre-flame");
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
  scorch_app_trace_mark ("flame");
}

ScorchProfile *
scorch_flame_graph_get_displayed_profile (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);
  return self->displayed;
}

gboolean
scorch_flame_graph_get_inverted (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), FALSE);
  return self->inverted;
}

void
scorch_flame_graph_set_inverted (ScorchFlameGraph *self,
                                 gboolean          inverted)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));

  inverted = !!inverted;
  if (self->inverted == inverted)
    return;
  self->inverted = inverted;
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INVERTED]);
}

ScorchFlameOrientation
scorch_flame_graph_get_orientation (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), SCORCH_FLAME_ORIENTATION_FLAME);
  return self->orientation;
}

void
scorch_flame_graph_set_orientation (ScorchFlameGraph       *self,
                                    ScorchFlameOrientation  orientation)
{
  const ScorchNode *nodes;

  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));

  if (self->orientation == orientation)
    return;
  self->orientation = orientation;
  configure_adjustments (self);
  nodes = get_nodes (self, NULL);
  if (nodes != NULL)
    scroll_to_row (self, nodes[self->selected_node != SCORCH_NODE_NONE ? self->selected_node : self->zoom_node].depth);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIENTATION]);
}

ScorchFlameColorScheme
scorch_flame_graph_get_color_scheme (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), SCORCH_FLAME_COLORS_HOT);
  return self->color_scheme;
}

void
scorch_flame_graph_set_name_flags (ScorchFlameGraph       *self,
                                   ScorchDisplayNameFlags  flags)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));

  scorch_flame_renderer_set_short_names (self->renderer, TRUE, flags);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scorch_flame_graph_set_color_scheme (ScorchFlameGraph       *self,
                                     ScorchFlameColorScheme  scheme)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  g_return_if_fail (scheme < SCORCH_FLAME_N_COLOR_SCHEMES);

  if (self->color_scheme == scheme)
    return;
  self->color_scheme = scheme;
  scorch_flame_renderer_set_color_scheme (self->renderer, scheme);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_SCHEME]);
}

const char *
scorch_flame_graph_get_search_text (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);
  return self->query.text;
}

void
scorch_flame_graph_set_search_text (ScorchFlameGraph *self,
                                    const char       *text)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  set_query (self, text, self->query.regex, self->query.case_sensitive);
}

gboolean
scorch_flame_graph_get_search_regex (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), FALSE);
  return self->query.regex;
}

void
scorch_flame_graph_set_search_regex (ScorchFlameGraph *self,
                                     gboolean          regex)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  set_query (self, self->query.text, regex, self->query.case_sensitive);
}

gboolean
scorch_flame_graph_get_search_case_sensitive (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), FALSE);
  return self->query.case_sensitive;
}

void
scorch_flame_graph_set_search_case_sensitive (ScorchFlameGraph *self,
                                              gboolean          case_sensitive)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  set_query (self, self->query.text, self->query.regex, case_sensitive);
}

double
scorch_flame_graph_get_matched_fraction (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), 0);

  /* Asked for while hidden: computed now, once. */
  if (self->search_pending)
    compute_matches (self);
  return self->matched_fraction;
}

ScorchSearch *
scorch_flame_graph_get_search (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);
  return self->query.search;
}

void
scorch_flame_graph_set_search (ScorchFlameGraph *self,
                               ScorchSearch     *search)
{
  const char *text;
  gboolean regex, case_sensitive;

  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));

  if (search != NULL && scorch_search_is_empty (search))
    search = NULL;
  if (search == self->query.search)
    return;

  /* The text properties follow the search. */
  g_object_freeze_notify (G_OBJECT (self));
  text = search != NULL ? scorch_search_get_pattern (search) : NULL;
  if (scorch_app_set_string (&self->query.text, text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
  regex = search != NULL ? scorch_search_get_mode (search) == SCORCH_SEARCH_REGEX : self->query.regex;
  if (scorch_app_set_flag (&self->query.regex, regex))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_REGEX]);
  case_sensitive = search != NULL ? scorch_search_get_case_sensitive (search) : self->query.case_sensitive;
  if (scorch_app_set_flag (&self->query.case_sensitive, case_sensitive))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_CASE_SENSITIVE]);
  apply_search (self, search);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
scorch_flame_graph_get_search_valid (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), FALSE);
  return self->query.valid;
}

guint32
scorch_flame_graph_get_zoom_node (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), SCORCH_PROFILE_ROOT);
  return self->zoom_node;
}

void
scorch_flame_graph_set_zoom_node (ScorchFlameGraph *self,
                                  guint32           node)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  set_zoom_node_internal (self, node);
}

GArray *
scorch_flame_graph_dup_zoom_path (ScorchFlameGraph *self)
{
  const ScorchNode *nodes;
  GArray *path;

  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);

  path = g_array_new (FALSE, FALSE, sizeof (guint32));
  nodes = get_nodes (self, NULL);
  if (nodes == NULL)
    return path;
  for (guint32 n = self->zoom_node; n != SCORCH_NODE_NONE; n = nodes[n].parent)
    g_array_prepend_val (path, n);
  return path;
}

ScorchZoomHistory *
scorch_flame_graph_get_zoom_history (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);
  return self->history;
}

void
scorch_flame_graph_set_zoom_history (ScorchFlameGraph  *self,
                                     ScorchZoomHistory *history)
{
  g_autoptr(ScorchZoomHistory) fresh = NULL;

  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  g_return_if_fail (history == NULL || SCORCH_IS_ZOOM_HISTORY (history));

  if (history == NULL)
    history = fresh = scorch_zoom_history_new (self->zoom_node);
  if (history == self->history)
    return;
  g_signal_handlers_disconnect_by_data (self->history, self);
  g_set_object (&self->history, history);
  connect_history (self);
  /* The history decides where the graph is. */
  apply_zoom (self, scorch_zoom_history_get_current (history));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM_HISTORY]);
}

guint32
scorch_flame_graph_get_selected_node (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), SCORCH_NODE_NONE);
  return self->selected_node;
}

void
scorch_flame_graph_set_selected_node (ScorchFlameGraph *self,
                                      guint32           node)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  select_node (self, node);
}

guint32
scorch_flame_graph_get_highlight_frame (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), G_MAXUINT32);

  return scorch_flame_renderer_get_highlight_frame (self->renderer);
}

void
scorch_flame_graph_set_highlight_frame (ScorchFlameGraph *self,
                                        guint32           frame)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));

  if (scorch_flame_renderer_get_highlight_frame (self->renderer) == frame)
    return;
  scorch_flame_renderer_set_highlight_frame (self->renderer, frame);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGHLIGHT_FRAME]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
scorch_flame_graph_get_visible_range (ScorchFlameGraph *self,
                                      double           *x_begin,
                                      double           *x_end)
{
  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  *x_begin = self->x_begin;
  *x_end = self->x_end;
}

ScorchFlameLayout *
scorch_flame_graph_get_layout (ScorchFlameGraph *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);
  ensure_layout (self);
  return self->layout;
}

gboolean
scorch_flame_graph_export (ScorchFlameGraph  *self,
                           const char        *path,
                           guint              width,
                           GError           **error)
{
  ScorchFlameExportOptions options = { 0 };
  ScorchFlameFormat format;
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), FALSE);

  if (self->displayed == NULL)
    {
      g_set_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_FAILED,
                   _("There is no flame graph to export"));
      return FALSE;
    }
  if (!scorch_flame_format_from_path (path, &format, error))
    return FALSE;

  options.width = width > 0 ? width : (guint) MAX (gtk_widget_get_width (GTK_WIDGET (self)), 200);
  options.row_height = self->row_height;
  options.zoom_root = self->zoom_node;
  options.inverted = FALSE; /* the displayed profile is already inverted */
  /* The search itself, not its text turned back into a regex. */
  if (self->query.search != NULL && scorch_search_is_valid (self->query.search))
    options.search_object = self->query.search;
  options.orientation = self->orientation;
  options.color_scheme = self->color_scheme;
  options.dark = scorch_flame_renderer_get_dark (self->renderer);
  options.title = self->inverted ? _("Inverted Flame Graph") : NULL;
  /* A differential graph exports as one. */
  options.diff = scorch_flame_renderer_get_diff (self->renderer, &options.diff_side);
  if (options.diff != NULL && scorch_diff_get_profile (options.diff, options.diff_side) != self->displayed)
    options.diff = NULL;
  else if (options.diff != NULL)
    options.title = NULL;

  return scorch_flame_export_to_file (self->displayed, &options, format, path, error);
}

/* ------------------------------------------------------------------------ */
/* Differential colouring (compare two captures)                             */

void
scorch_flame_graph_set_diff (ScorchFlameGraph *self,
                             ScorchDiff       *diff,
                             ScorchDiffSide    side)
{
  ScorchDiffSide old_side;
  ScorchDiff *old;

  g_return_if_fail (SCORCH_IS_FLAME_GRAPH (self));
  g_return_if_fail (diff == NULL || SCORCH_IS_DIFF (diff));

  old = scorch_flame_renderer_get_diff (self->renderer, &old_side);
  if (old == diff && old_side == side)
    return;
  scorch_flame_renderer_set_diff (self->renderer, diff, side);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

ScorchDiff *
scorch_flame_graph_get_diff (ScorchFlameGraph *self,
                             ScorchDiffSide   *side)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_GRAPH (self), NULL);

  return scorch_flame_renderer_get_diff (self->renderer, side);
}

/* The tooltip's lines for a differential graph: both values and the delta. */
static void
append_diff_description (ScorchFlameGraph *self,
                         guint32           node,
                         GString          *s,
                         gboolean          markup)
{
  ScorchFlameRect rect = { 0 };
  ScorchFlameRectDiff d;
  ScorchDiff *diff = scorch_flame_renderer_get_diff (self->renderer, NULL);
  gboolean rates;
  const char *change;

  rect.node = node;
  rect.n_merged = 1;
  if (diff == NULL || !scorch_flame_renderer_get_rect_diff (self->renderer, self->displayed, &rect, &d))
    return;
  rates = scorch_diff_get_mode (diff) == SCORCH_DIFF_RATES;
  change = d.change == SCORCH_DIFF_HOTTER ? _("hotter") : d.change == SCORCH_DIFF_COOLER ? _("cooler")
                                                                                        : _("within the noise");
  g_string_append_c (s, '\n');
  if (rates)
    /* Translators: samples per second in the baseline, in the new capture, their difference, and
     * "hotter", "cooler" or "within the noise" */
    g_string_append_printf (s, _("Baseline %.1f/s → new %.1f/s (%+.1f/s, %s)"),
                            d.base_value, d.new_value, d.delta, change);
  else
    /* Translators: percent of samples in the baseline, in the new capture, the difference in
     * points, and "hotter", "cooler" or "within the noise" */
    g_string_append_printf (s, _("Baseline %.2f%% → new %.2f%% (%+.2f points, %s)"),
                            d.base_value, d.new_value, fabs (d.delta) < 0.005 ? 0.0 : d.delta, change);
  if (d.only_here)
    {
      ScorchDiffSide side;

      scorch_flame_renderer_get_diff (self->renderer, &side);
      g_string_append_c (s, '\n');
      if (markup)
        g_string_append (s, "<i>");
      g_string_append (s, side == SCORCH_DIFF_NEW ? _("Only in the new capture") : _("Only in the baseline"));
      if (markup)
        g_string_append (s, "</i>");
    }
}
