/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-preferences-window.c: colour scheme, orientation, default view and
 * how function names are shortened, each a row bound to its GSettings key */

#include "config.h"

#define G_LOG_DOMAIN "scorch-preferences-window"

#include <glib/gi18n.h>

#include "scorch-preferences-window.h"

struct _ScorchPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwComboRow          *color_scheme_row;
  AdwComboRow          *orientation_row;
  AdwComboRow          *default_view_row;
  GtkSwitch            *collapse_templates_switch;
  AdwEntryRow          *editor_command_row;
  AdwEntryRow          *source_root_row;

  /* owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (ScorchPreferencesWindow, scorch_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The rows list the schema's enum values in order, so an enum key's value
 * is the row's index. */
static gboolean
enum_to_index (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_enum (const GValue       *value,
               const GVariantType *expected_type,
               gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[index]);
}

static const char * const color_schemes[] = { "warm", "module", "kind", NULL };
static const char * const orientations[] = { "flame", "icicle", NULL };
static const char * const views[] = { "flame-graph", "icicle", "call-tree", "caller-callee", NULL };

static void
bind_row (ScorchPreferencesWindow *self,
          const char              *key,
          AdwComboRow             *row,
          const char * const      *nicks)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                enum_to_index, index_to_enum, (gpointer) nicks, NULL);
}

static void
scorch_preferences_window_dispose (GObject *object)
{
  ScorchPreferencesWindow *self = SCORCH_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scorch_preferences_window_parent_class)->dispose (object);
}

static void
scorch_preferences_window_class_init (ScorchPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/scorchprof/Scorch/ui/scorch-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScorchPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, ScorchPreferencesWindow, orientation_row);
  gtk_widget_class_bind_template_child (widget_class, ScorchPreferencesWindow, default_view_row);
  gtk_widget_class_bind_template_child (widget_class, ScorchPreferencesWindow, collapse_templates_switch);
  gtk_widget_class_bind_template_child (widget_class, ScorchPreferencesWindow, editor_command_row);
  gtk_widget_class_bind_template_child (widget_class, ScorchPreferencesWindow, source_root_row);
}

static void
scorch_preferences_window_init (ScorchPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  bind_row (self, "color-scheme", self->color_scheme_row, color_schemes);
  bind_row (self, "orientation", self->orientation_row, orientations);
  bind_row (self, "default-view", self->default_view_row, views);
  g_settings_bind (self->settings, "collapse-templates", self->collapse_templates_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "editor-command", self->editor_command_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "source-root", self->source_root_row, "text", G_SETTINGS_BIND_DEFAULT);
}

GtkWindow *
scorch_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (SCORCH_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
