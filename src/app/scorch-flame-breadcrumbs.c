/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-breadcrumbs.c: the zoom path of a flame graph, as buttons
 *
 * Back, Forward and Home buttons (the graph's flame.back, flame.forward and
 * flame.zoom-reset), then one flat button per frame from the root to the
 * zoom node; clicking one zooms the graph out to it.  Long paths keep the
 * root and the last few frames, with a menu of the others between.  The
 * buttons stay out of the Tab chain: the graph has a key for each of them
 * (Alt+Left, Alt+Right, Home, Escape). */

#include "config.h"

#define G_LOG_DOMAIN "scorch-flame"

#include <glib/gi18n.h>

#include "scorch-flame-breadcrumbs.h"
#include "scorch-text.h"

#define MAX_CRUMBS 8

struct _ScorchFlameBreadcrumbs
{
  GtkWidget         parent_instance;
  GtkWidget        *box;
  GtkWidget        *back_button;
  GtkWidget        *forward_button;
  GtkWidget        *home_button;
  GtkWidget        *crumbs;
  GtkWidget        *scroller;
  guint             show_end_tick;
  ScorchFlameGraph *graph;
};

enum {
  PROP_0,
  PROP_FLAME_GRAPH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchFlameBreadcrumbs, scorch_flame_breadcrumbs, GTK_TYPE_WIDGET)

static void
on_crumb_clicked (GtkButton              *button,
                  ScorchFlameBreadcrumbs *self)
{
  guint32 node = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "node"));

  if (self->graph != NULL)
    scorch_flame_graph_set_zoom_node (self->graph, node);
}

static void
add_separator (ScorchFlameBreadcrumbs *self,
               const char             *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_accessible_update_state (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_box_append (GTK_BOX (self->crumbs), label);
}

/* The frames left out of a long path, as a menu. */
static void
add_hidden_menu (ScorchFlameBreadcrumbs *self,
                 ScorchProfile          *profile,
                 GArray                 *path,
                 guint                   begin,
                 guint                   end)
{
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *button;

  for (guint i = begin; i < end; i++)
    {
      guint32 node = g_array_index (path, guint32, i);
      const ScorchFrame *frame = scorch_profile_get_frame (profile, nodes[node].frame);
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;
      /* The name comes from the capture: valid UTF-8 (the g_utf8_*()
       * calls below need it) without control characters. */
      g_autofree char *function = scorch_text_to_display (frame->function);

      /* Menu labels take mnemonics: a name's underscores are doubled
       * to be shown as they are. */
      if (g_utf8_strlen (function, -1) > 60)
        {
          g_autofree char *cut = g_utf8_substring (function, 0, 59);

          label = g_strconcat (cut, "…", NULL);
        }
      else
        label = g_strdup (function);
      {
        g_auto(GStrv) parts = g_strsplit (label, "_", -1);

        g_free (label);
        label = g_strjoinv ("__", parts);
      }
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "crumbs.zoom-to", g_variant_new_uint32 (node));
      g_menu_append_item (menu, item);
    }

  add_separator (self, "›");
  button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), "…");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_focusable (button, FALSE);
  {
    g_autofree char *tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u more frame",
                                                             "%u more frames", end - begin),
                                                end - begin);
    gtk_widget_set_tooltip_text (button, tooltip);
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  }
  gtk_box_append (GTK_BOX (self->crumbs), button);
}

static void
zoom_to_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  ScorchFlameBreadcrumbs *self = SCORCH_FLAME_BREADCRUMBS (widget);

  if (self->graph != NULL)
    scorch_flame_graph_set_zoom_node (self->graph, g_variant_get_uint32 (param));
}

static void
on_graph_button_clicked (GtkButton              *button,
                         ScorchFlameBreadcrumbs *self)
{
  const char *action = g_object_get_data (G_OBJECT (button), "graph-action");

  if (self->graph != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->graph), action, NULL);
}

static GtkWidget *
add_graph_button (ScorchFlameBreadcrumbs *self,
                  const char             *icon_name,
                  const char             *tooltip,
                  const char             *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_button_set_has_frame (GTK_BUTTON (button), FALSE);
  gtk_widget_set_focusable (button, FALSE);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  g_object_set_data (G_OBJECT (button), "graph-action", (gpointer) action);
  g_signal_connect (button, "clicked", G_CALLBACK (on_graph_button_clicked), self);
  gtk_box_append (GTK_BOX (self->box), button);
  return button;
}

/* The button of NODE on the path, which zooms the graph out to it; the
 * LAST one is the zoom node itself, marked as the current one. */
static void
add_crumb (ScorchFlameBreadcrumbs *self,
           ScorchProfile          *profile,
           guint32                 node,
           gboolean                last)
{
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
  const ScorchFrame *frame = scorch_profile_get_frame (profile, nodes[node].frame);
  g_autofree char *function = scorch_text_to_display (frame->function);
  GtkWidget *label = gtk_label_new (node == SCORCH_PROFILE_ROOT ? _("All") : function);
  GtkWidget *button = gtk_button_new ();

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_button_set_child (GTK_BUTTON (button), label);
  gtk_button_set_has_frame (GTK_BUTTON (button), FALSE);
  gtk_widget_set_focusable (button, FALSE);
  gtk_widget_add_css_class (button, "crumb");
  gtk_widget_set_tooltip_text (button, node == SCORCH_PROFILE_ROOT ? _("All samples") : function);
  g_object_set_data (G_OBJECT (button), "node", GUINT_TO_POINTER (node));
  g_signal_connect (button, "clicked", G_CALLBACK (on_crumb_clicked), self);
  if (last)
    {
      gtk_widget_add_css_class (label, "heading");
      gtk_accessible_update_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_SELECTED, TRUE, -1);
    }
  gtk_box_append (GTK_BOX (self->crumbs), button);
}

static void
rebuild (ScorchFlameBreadcrumbs *self)
{
  GtkWidget *child;
  ScorchProfile *profile;
  g_autoptr(GArray) path = NULL;

  while ((child = gtk_widget_get_first_child (self->crumbs)) != NULL)
    gtk_box_remove (GTK_BOX (self->crumbs), child);

  if (self->graph == NULL || (profile = scorch_flame_graph_get_displayed_profile (self->graph)) == NULL)
    {
      gtk_widget_set_sensitive (self->back_button, FALSE);
      gtk_widget_set_sensitive (self->forward_button, FALSE);
      gtk_widget_set_sensitive (self->home_button, FALSE);
      return;
    }
  {
    ScorchZoomHistory *history = scorch_flame_graph_get_zoom_history (self->graph);

    gtk_widget_set_sensitive (self->back_button, scorch_zoom_history_get_can_go_back (history));
    gtk_widget_set_sensitive (self->forward_button, scorch_zoom_history_get_can_go_forward (history));
    gtk_widget_set_sensitive (self->home_button,
                              scorch_flame_graph_get_zoom_node (self->graph) != SCORCH_PROFILE_ROOT);
  }

  path = scorch_flame_graph_dup_zoom_path (self->graph);
  for (guint i = 0; i < path->len; i++)
    {
      if (path->len > MAX_CRUMBS && i > 0 && i < path->len - (MAX_CRUMBS - 1))
        {
          if (i == 1)
            add_hidden_menu (self, profile, path, 1, path->len - (MAX_CRUMBS - 1));
          continue;
        }
      if (i > 0)
        add_separator (self, "›");
      add_crumb (self, profile, g_array_index (path, guint32, i), i == path->len - 1);
    }
}

static gboolean
show_end_tick (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  ScorchFlameBreadcrumbs *self = SCORCH_FLAME_BREADCRUMBS (widget);
  GtkAdjustment *adj = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (self->scroller));

  self->show_end_tick = 0;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  return G_SOURCE_REMOVE;
}

/* The path's size changed (during the viewport's allocation, when a
 * scroll would be lost): scroll to its end at the next frame. */
static void
show_end (ScorchFlameBreadcrumbs *self)
{
  if (self->show_end_tick == 0)
    self->show_end_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), show_end_tick, NULL, NULL);
}

static void
on_graph_changed (ScorchFlameGraph       *graph,
                  GParamSpec             *pspec,
                  ScorchFlameBreadcrumbs *self)
{
  rebuild (self);
}

void
scorch_flame_breadcrumbs_set_flame_graph (ScorchFlameBreadcrumbs *self,
                                          ScorchFlameGraph       *graph)
{
  g_return_if_fail (SCORCH_IS_FLAME_BREADCRUMBS (self));
  g_return_if_fail (graph == NULL || SCORCH_IS_FLAME_GRAPH (graph));

  if (self->graph == graph)
    return;
  if (self->graph != NULL)
    g_signal_handlers_disconnect_by_func (self->graph, on_graph_changed, self);
  g_set_object (&self->graph, graph);
  if (graph != NULL)
    {
      g_signal_connect (graph, "notify::zoom-node", G_CALLBACK (on_graph_changed), self);
      g_signal_connect (graph, "notify::profile", G_CALLBACK (on_graph_changed), self);
      g_signal_connect (graph, "notify::inverted", G_CALLBACK (on_graph_changed), self);
      g_signal_connect (graph, "notify::zoom-history", G_CALLBACK (on_graph_changed), self);
    }
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAME_GRAPH]);
}

ScorchFlameGraph *
scorch_flame_breadcrumbs_get_flame_graph (ScorchFlameBreadcrumbs *self)
{
  g_return_val_if_fail (SCORCH_IS_FLAME_BREADCRUMBS (self), NULL);
  return self->graph;
}

GtkWidget *
scorch_flame_breadcrumbs_new (ScorchFlameGraph *graph)
{
  return g_object_new (SCORCH_TYPE_FLAME_BREADCRUMBS, "flame-graph", graph, NULL);
}

static void
scorch_flame_breadcrumbs_dispose (GObject *object)
{
  ScorchFlameBreadcrumbs *self = SCORCH_FLAME_BREADCRUMBS (object);

  scorch_flame_breadcrumbs_set_flame_graph (self, NULL);
  if (self->show_end_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->show_end_tick);
      self->show_end_tick = 0;
    }
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (scorch_flame_breadcrumbs_parent_class)->dispose (object);
}

static void
scorch_flame_breadcrumbs_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  ScorchFlameBreadcrumbs *self = SCORCH_FLAME_BREADCRUMBS (object);

  switch (prop_id)
    {
    case PROP_FLAME_GRAPH:
      g_value_set_object (value, self->graph);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_flame_breadcrumbs_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  ScorchFlameBreadcrumbs *self = SCORCH_FLAME_BREADCRUMBS (object);

  switch (prop_id)
    {
    case PROP_FLAME_GRAPH:
      scorch_flame_breadcrumbs_set_flame_graph (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_flame_breadcrumbs_class_init (ScorchFlameBreadcrumbsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_flame_breadcrumbs_dispose;
  object_class->get_property = scorch_flame_breadcrumbs_get_property;
  object_class->set_property = scorch_flame_breadcrumbs_set_property;

  properties[PROP_FLAME_GRAPH] =
    g_param_spec_object ("flame-graph", NULL, NULL, SCORCH_TYPE_FLAME_GRAPH,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "crumbs.zoom-to", "u", zoom_to_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "flamebreadcrumbs");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
scorch_flame_breadcrumbs_init (ScorchFlameBreadcrumbs *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  self->back_button = add_graph_button (self, "go-previous-symbolic", _("Back (Alt+Left)"), "flame.back");
  self->forward_button = add_graph_button (self, "go-next-symbolic", _("Forward (Alt+Right)"), "flame.forward");
  self->home_button = add_graph_button (self, "go-home-symbolic", _("Whole Graph (Home)"), "flame.zoom-reset");
  gtk_box_append (GTK_BOX (self->box), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  /* The path scrolls sideways rather than squeezing every name to "l…";
   * it shows its end (the zoomed frame) after each change. */
  self->crumbs = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_EXTERNAL, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_widget_set_hexpand (self->scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->crumbs);
  gtk_scrollable_set_hscroll_policy (GTK_SCROLLABLE (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (self->scroller))),
                                     GTK_SCROLL_NATURAL);
  g_signal_connect_swapped (gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (self->scroller)),
                            "changed", G_CALLBACK (show_end), self);
  gtk_box_append (GTK_BOX (self->box), self->scroller);
  rebuild (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Zoom path"), -1);
}
