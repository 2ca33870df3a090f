/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-transform-bar.c: the row of transform chips above the views */

#include "config.h"

#define G_LOG_DOMAIN "scorch-transform-bar"

#include <glib/gi18n.h>
#include <string.h>

#include "scorch-app-util.h"
#include "scorch-transform-bar.h"

struct _ScorchTransformBar
{
  GtkWidget             parent_instance;

  /* template widgets */
  GtkWidget            *box;
  GtkBox               *chips;
  GtkWidget            *hint;

  /* owned */
  ScorchTransformStack *stack;
};

enum {
  PROP_0,
  PROP_STACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchTransformBar, scorch_transform_bar, GTK_TYPE_WIDGET)

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

char *
scorch_transform_bar_dup_label (const ScorchTransform *transform)
{
  const char *name = scorch_transform_get_name (transform);

  switch (scorch_transform_get_kind (transform))
    {
    case SCORCH_TRANSFORM_FOCUS_SUBTREE:
      {
        const char * const *path = scorch_transform_get_path (transform);
        guint n = g_strv_length ((char **) path);

        /* Translators: a chip for "focus on the subtree of the call path ending in %s" */
        return g_strdup_printf (_("Subtree: %s"), path[n - 1]);
      }
    case SCORCH_TRANSFORM_FOCUS_FUNCTION:
      /* Translators: a chip: only the samples through function %s */
      return g_strdup_printf (_("Focus: %s"), name);
    case SCORCH_TRANSFORM_FOCUS_CALLERS:
      /* Translators: a chip: the callers of function %s, inverted */
      return g_strdup_printf (_("Callers of: %s"), name);
    case SCORCH_TRANSFORM_MERGE_FUNCTION:
      /* Translators: a chip: function %s merged into its callers */
      return g_strdup_printf (_("Merge: %s"), name);
    case SCORCH_TRANSFORM_MERGE_MODULE:
      /* Translators: a chip: the frames of module (library) %s merged into their callers */
      return g_strdup_printf (_("Merge module: %s"), base_name (name));
    case SCORCH_TRANSFORM_COLLAPSE_RECURSION:
      return g_strdup (_("Collapse recursion"));
    case SCORCH_TRANSFORM_DROP_FUNCTION:
      /* Translators: a chip: samples containing function %s removed */
      return g_strdup_printf (_("Drop: %s"), name);
    case SCORCH_TRANSFORM_MIN_PERCENT:
      {
        char num[G_ASCII_DTOSTR_BUF_SIZE];

        g_snprintf (num, sizeof num, "%g", scorch_transform_get_percent (transform));
        /* Translators: a chip: frames under %s percent hidden; %% is the percent sign */
        return g_strdup_printf (_("Hide below %s %%"), num);
      }
    case SCORCH_N_TRANSFORM_KINDS:
    default:
      break;
    }
  g_return_val_if_reached (NULL);
}

static GtkWidget *
make_chip (ScorchTransformBar    *self,
           const ScorchTransform *transform,
           guint                  index)
{
  g_autofree char *text = scorch_transform_bar_dup_label (transform);
  /* Translators: the accessible name of a transform chip's remove button; %s is the chip's text */
  g_autofree char *remove = g_strdup_printf (_("Remove “%s” and the transforms after it"), text);
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *button = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_widget_add_css_class (chip, "transform-chip");
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
  gtk_widget_set_tooltip_text (label, text);
  gtk_widget_set_margin_start (label, 8);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, remove);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.pop-transforms");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", index);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);

  gtk_accessible_update_property (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_box_append (GTK_BOX (chip), label);
  gtk_box_append (GTK_BOX (chip), button);
  return chip;
}

static void
rebuild (ScorchTransformBar *self)
{
  GtkWidget *child;
  guint n = self->stack != NULL ? scorch_transform_stack_get_n_applied (self->stack) : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips))) != NULL && child != self->hint)
    gtk_box_remove (self->chips, child);
  while ((child = gtk_widget_get_next_sibling (self->hint)) != NULL)
    gtk_box_remove (self->chips, child);

  /* Only while there is something to show or bring back: the graph keeps
   * its height otherwise. */
  gtk_widget_set_visible (GTK_WIDGET (self),
                          self->stack != NULL && scorch_transform_stack_get_n_transforms (self->stack) > 0);
  gtk_widget_set_visible (self->hint, n == 0);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        {
          GtkWidget *sep = gtk_label_new ("›");

          gtk_widget_add_css_class (sep, "dim-label");
          gtk_accessible_update_state (GTK_ACCESSIBLE (sep), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
          gtk_box_append (self->chips, sep);
        }
      gtk_box_append (self->chips, make_chip (self, scorch_transform_stack_get_transform (self->stack, i), i));
    }
}

static void
scorch_transform_bar_dispose (GObject *object)
{
  ScorchTransformBar *self = SCORCH_TRANSFORM_BAR (object);

  scorch_transform_bar_set_stack (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_TRANSFORM_BAR);

  G_OBJECT_CLASS (scorch_transform_bar_parent_class)->dispose (object);
}

static void
scorch_transform_bar_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ScorchTransformBar *self = SCORCH_TRANSFORM_BAR (object);

  switch (prop_id)
    {
    case PROP_STACK:
      g_value_set_object (value, self->stack);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_transform_bar_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ScorchTransformBar *self = SCORCH_TRANSFORM_BAR (object);

  switch (prop_id)
    {
    case PROP_STACK:
      scorch_transform_bar_set_stack (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const ScorchAppTemplateChild transform_bar_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchTransformBar, box),
  SCORCH_APP_TEMPLATE_CHILD (ScorchTransformBar, chips),
  SCORCH_APP_TEMPLATE_CHILD (ScorchTransformBar, hint),
};

static void
scorch_transform_bar_class_init (ScorchTransformBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_transform_bar_dispose;
  object_class->get_property = scorch_transform_bar_get_property;
  object_class->set_property = scorch_transform_bar_set_property;

  properties[PROP_STACK] =
    g_param_spec_object ("stack", NULL, NULL, SCORCH_TYPE_TRANSFORM_STACK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  scorch_app_class_set_template (widget_class,
                                 transform_bar_children, G_N_ELEMENTS (transform_bar_children),
                                 NULL, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "transformbar");
}

static void
scorch_transform_bar_init (ScorchTransformBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
scorch_transform_bar_new (void)
{
  return g_object_new (SCORCH_TYPE_TRANSFORM_BAR, NULL);
}

ScorchTransformStack *
scorch_transform_bar_get_stack (ScorchTransformBar *self)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_BAR (self), NULL);

  return self->stack;
}

void
scorch_transform_bar_set_stack (ScorchTransformBar   *self,
                                ScorchTransformStack *stack)
{
  g_return_if_fail (SCORCH_IS_TRANSFORM_BAR (self));
  g_return_if_fail (stack == NULL || SCORCH_IS_TRANSFORM_STACK (stack));

  if (self->stack == stack)
    return;
  if (self->stack != NULL)
    g_signal_handlers_disconnect_by_func (self->stack, rebuild, self);
  g_set_object (&self->stack, stack);
  if (stack != NULL)
    g_signal_connect_object (stack, "changed", G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  if (self->chips != NULL)
    rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STACK]);
}
