/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-preferences-window.c: colour scheme, orientation, default view and
 * how function names are shortened, each a row bound to its GSettings key */

#include "config.h"

#define G_LOG_DOMAIN "scorch-preferences-window"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-preferences-window.h"

struct _ScorchPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwComboRow          *color_scheme_row;
  AdwComboRow          *orientation_row;
  AdwComboRow          *default_view_row;
  GtkSwitch            *collapse_templates_switch;
  AdwEntryRow          *sysroot_row;
  AdwEntryRow          *substitute_paths_row;
  AdwEntryRow          *kallsyms_row;
  AdwEntryRow          *debug_dirs_row;
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

/* Symbol Paths: the substitutions' list as one line, "A=B; C=D" */
static gboolean
strv_to_text (GValue   *value,
              GVariant *variant,
              gpointer  user_data)
{
  g_autofree const char **v = g_variant_get_strv (variant, NULL);
  g_autofree char *text = g_strjoinv ("; ", (char **) v);

  g_value_set_string (value, text);
  return TRUE;
}

static GVariant *
text_to_strv (const GValue       *value,
              const GVariantType *expected_type,
              gpointer            user_data)
{
  const char *text = g_value_get_string (value);
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ";", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_ptr_array_add (kept, parts[i]);
    }
  return g_variant_new_strv ((const char * const *) kept->pdata, kept->len);
}

static void
scorch_preferences_window_dispose (GObject *object)
{
  ScorchPreferencesWindow *self = SCORCH_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scorch_preferences_window_parent_class)->dispose (object);
}

static const ScorchAppTemplateChild preferences_window_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, color_scheme_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, orientation_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, default_view_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, collapse_templates_switch),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, sysroot_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, substitute_paths_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, kallsyms_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, debug_dirs_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, editor_command_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchPreferencesWindow, source_root_row),
};

static void
scorch_preferences_window_class_init (ScorchPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_preferences_window_dispose;

  scorch_app_class_set_template (widget_class,
                                 preferences_window_children, G_N_ELEMENTS (preferences_window_children),
                                 NULL, 0);
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
  /* Symbol Paths (scorch-symbol-path-settings.c applies them) */
  g_settings_bind (self->settings, "symbol-sysroot", self->sysroot_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "symbol-kallsyms", self->kallsyms_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "symbol-debug-dirs", self->debug_dirs_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "symbol-substitute-paths", self->substitute_paths_row, "text",
                                G_SETTINGS_BIND_DEFAULT, strv_to_text, text_to_strv, NULL, NULL);
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
