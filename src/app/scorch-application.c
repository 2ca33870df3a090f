/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-application.c: application actions, accelerators, windows */

#include "config.h"

#define G_LOG_DOMAIN "scorch-application"

#include <glib/gi18n.h>

#include "scorch-application.h"
#include "scorch-window-private.h"
#include "scorch-window.h"

struct _ScorchApplication
{
  AdwApplication  parent_instance;

  /* owned */
  GSettings      *settings;
  GFile          *compare_base;  /* --compare BASE: compared with the file opened */
};

G_DEFINE_FINAL_TYPE (ScorchApplication, scorch_application, ADW_TYPE_APPLICATION)

/* Accelerators of app and window actions, in one place so the shortcuts
 * window (ui/help-overlay.ui) and this table can be compared at a glance. */
static const struct
{
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit",   { "<Control>q", NULL } },
  { "win.record", { "<Control>r", NULL } },
  { "win.open",   { "<Control>o", NULL } },
  { "window.close", { "<Control>w", NULL } },

  /* -- transforms -- */
  { "win.undo-transform", { "<Control>z", NULL } },
  { "win.redo-transform", { "<Control><Shift>z", NULL } },

  /* -- flame graph widget -- */

  /* -- explore views -- */

  /* -- record dialog -- */

};

static ScorchWindow *
scorch_application_new_window (ScorchApplication *self)
{
  return scorch_window_new (self);
}

static void
scorch_application_activate (GApplication *app)
{
  ScorchApplication *self = SCORCH_APPLICATION (app);
  GtkWindow *window;

  /* -- compare: --compare BASE without NEW -- */
  if (self->compare_base != NULL)
    {
      g_printerr ("%s\n", _("--compare BASE needs the capture to compare with it: scorch --compare BASE NEW"));
      g_clear_object (&self->compare_base);
    }

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (scorch_application_new_window (self));

  gtk_window_present (window);
}

/* A window that shows nothing yet (the start page, or an error), to open
 * a file in rather than adding a window beside it. */
static ScorchWindow *
find_unused_window (ScorchApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (SCORCH_IS_WINDOW (l->data) && _scorch_window_is_unused (l->data))
      return l->data;
  return NULL;
}

/* `scorch FILE…`, also when Scorch already runs: one window per capture,
 * reusing a window that shows nothing. A directory is not a capture of
 * its own (unless the loader reads it, e.g. perf record --threads): it is
 * opened where the person is, whose window then says why it cannot be
 * read, instead of opening a second window for an error. */
static void
scorch_application_open (GApplication  *app,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  ScorchApplication *self = SCORCH_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      gboolean is_dir = g_file_query_file_type (files[i], G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY;
      ScorchWindow *window = find_unused_window (self);

      if (window == NULL && is_dir)
        {
          GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

          window = SCORCH_IS_WINDOW (active) ? SCORCH_WINDOW (active) : NULL;
        }
      if (window == NULL)
        window = scorch_application_new_window (self);

      /* The load starts before the window shows: it opens on the loading
       * page, not on the start page. */
      if (self->compare_base != NULL)
        {
          /* -- compare: --compare BASE NEW -- */
          g_autoptr(GFile) base = g_steal_pointer (&self->compare_base);

          _scorch_window_compare_files (window, base, files[i]);
        }
      else
        scorch_window_open_file (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  ScorchApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  /* Close (not destroy) each window, so that each saves its state and may
   * refuse, e.g. to confirm stopping a recording. The application ends
   * when its last window is gone. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  ScorchApplication *self = user_data;
  static const char *developers[] = {
    "The Scorch developers https://github.com/scorchprof/scorch",
    NULL
  };
  GtkWindow *parent;
  GtkWidget *about;

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application-name", _("Scorch"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("The Scorch developers"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/scorchprof/scorch",
                        "issue-url", "https://github.com/scorchprof/scorch/issues",
                        "comments", _("A sampling profiler for Linux desktops: record a program, "
                                      "then explore where it spends its time in a flame graph."),
                        "copyright", _("© 2025 The Scorch developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        "transient-for", parent,
                        "modal", parent != NULL,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  ScorchApplication *self = user_data;
  GtkWindow *window;

  /* GtkApplicationWindow provides win.show-help-overlay from
   * /io/github/scorchprof/Scorch/gtk/help-overlay.ui. */
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "about", .activate = about_action },
  { .name = "shortcuts", .activate = shortcuts_action },

  /* -- explore views (preferences) -- */

  /* -- record dialog -- */

};

static void
scorch_application_startup (GApplication *app)
{
  ScorchApplication *self = SCORCH_APPLICATION (app);
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (scorch_application_parent_class)->startup (app);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    g_error ("The GSettings schema %s is not installed. Install Scorch with “meson install”, "
             "or run it from the build tree with GSETTINGS_SCHEMA_DIR=BUILDDIR/data "
             "(./tools/run.sh does this).", APPLICATION_ID);
  self->settings = g_settings_new (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action,
                                           accels[i].accels);

  gtk_window_set_default_icon_name (APPLICATION_ID);
}

static void
scorch_application_dispose (GObject *object)
{
  ScorchApplication *self = SCORCH_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->compare_base);

  G_OBJECT_CLASS (scorch_application_parent_class)->dispose (object);
}

static int
scorch_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("scorch %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* -- compare: --compare BASE NEW -- */
  {
    ScorchApplication *self = SCORCH_APPLICATION (app);
    g_autofree char *base = NULL;

    if (g_variant_dict_lookup (options, "compare", "^ay", &base))
      {
        self->compare_base = g_file_new_for_commandline_arg (base);
        /* The comparison is this process's: a running Scorch would not see
         * the option. */
        g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
      }
  }

  return -1;
}

static void
scorch_application_class_init (ScorchApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = scorch_application_dispose;

  app_class->startup = scorch_application_startup;
  app_class->activate = scorch_application_activate;
  app_class->open = scorch_application_open;
  app_class->handle_local_options = scorch_application_handle_local_options;
}

static void
scorch_application_init (ScorchApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { "compare", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Compare the capture opened with BASE (a differential flame graph and table)"), N_("BASE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Open perf.data captures or folded stacks, "
                                              "or start Scorch to record a program."));
}

ScorchApplication *
scorch_application_new (const char        *application_id,
                        GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (SCORCH_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", "/io/github/scorchprof/Scorch",
                       NULL);
}

GSettings *
scorch_application_get_settings (ScorchApplication *self)
{
  g_return_val_if_fail (SCORCH_IS_APPLICATION (self), NULL);

  return self->settings;
}
