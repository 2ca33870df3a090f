/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-breadcrumbs.c: the zoom path of a flame graph, as buttons
 *
 * One flat button per frame from the root to the zoom node; clicking one
 * zooms the graph out to it.  Long paths keep the root and the last few
 * frames, with an ellipsis between. */

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
  gtk_box_append (GTK_BOX (self->box), label);
}

static void
rebuild (ScorchFlameBreadcrumbs *self)
{
  GtkWidget *child;
  ScorchProfile *profile;
  g_autoptr(GArray) path = NULL;
  const ScorchNode *nodes;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);

  if (self->graph == NULL || (profile = scorch_flame_graph_get_displayed_profile (self->graph)) == NULL)
    return;

  nodes = scorch_profile_get_nodes (profile, NULL);
  path = scorch_flame_graph_dup_zoom_path (self->graph);
  for (guint i = 0; i < path->len; i++)
    {
      guint32 node = g_array_index (path, guint32, i);
      const ScorchFrame *frame = scorch_profile_get_frame (profile, nodes[node].frame);
      g_autofree char *function = NULL;
      GtkWidget *button, *label;

      if (path->len > MAX_CRUMBS && i > 0 && i < path->len - (MAX_CRUMBS - 1))
        {
          if (i == 1)
            add_separator (self, "› … ");
          continue;
        }
      if (i > 0)
        add_separator (self, "›");

      function = scorch_text_to_display (frame->function);
      label = gtk_label_new (node == SCORCH_PROFILE_ROOT ? _("All") : function);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
      button = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_button_set_has_frame (GTK_BUTTON (button), FALSE);
      gtk_widget_set_tooltip_text (button, function);
      g_object_set_data (G_OBJECT (button), "node", GUINT_TO_POINTER (node));
      g_signal_connect (button, "clicked", G_CALLBACK (on_crumb_clicked), self);
      if (i == path->len - 1)
        gtk_widget_add_css_class (label, "heading");
      gtk_box_append (GTK_BOX (self->box), button);
    }
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
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Zoom path"), -1);
}
