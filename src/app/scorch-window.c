/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window.c: the main window: header bar, pages, window state */

#include "config.h"

#define G_LOG_DOMAIN "scorch-window"

#include <glib/gi18n.h>

#include "scorch-window.h"

struct _ScorchWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwHeaderBar         *header_bar;
  GtkButton            *record_button;
  GtkButton            *open_button;
  GtkMenuButton        *primary_menu_button;
  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwStatusPage        *empty_page;

  /* owned */
  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (ScorchWindow, scorch_window, ADW_TYPE_APPLICATION_WINDOW)

/* -- actions --
 * win.record and win.open exist so that the header bar, the empty state and
 * the accelerators are wired now; they stay disabled until the record dialog
 * and the loader are built (see update_actions). */

static void
record_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  /* -- record from the app: start the record dialog here -- */
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  /* -- explore views: show the open dialog here -- */
}

static void
update_actions (ScorchWindow *self)
{
  /* Enabled by the parts that implement them. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.record", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", FALSE);
}

/* -- window state -- */

static void
restore_window_state (ScorchWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");

  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (ScorchWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  int width, height;

  g_settings_delay (self->settings);
  /* A maximized window keeps the size it had before, to return to it. */
  if (!maximized)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  g_settings_apply (self->settings);
}

static gboolean
scorch_window_close_request (GtkWindow *window)
{
  ScorchWindow *self = SCORCH_WINDOW (window);

  save_window_state (self);

  return GTK_WINDOW_CLASS (scorch_window_parent_class)->close_request (window);
}

static void
scorch_window_dispose (GObject *object)
{
  ScorchWindow *self = SCORCH_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_WINDOW);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scorch_window_parent_class)->dispose (object);
}

static void
scorch_window_class_init (ScorchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = scorch_window_dispose;

  window_class->close_request = scorch_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/scorchprof/Scorch/ui/scorch-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, record_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, empty_page);

  gtk_widget_class_install_action (widget_class, "win.record", NULL, record_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
}

static void
scorch_window_init (ScorchWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  restore_window_state (self);

  update_actions (self);
}

ScorchWindow *
scorch_window_new (ScorchApplication *application)
{
  g_return_val_if_fail (SCORCH_IS_APPLICATION (application), NULL);

  return g_object_new (SCORCH_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

void
scorch_window_open_file (ScorchWindow *self,
                         GFile        *file)
{
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  /* -- explore views: load the capture here -- */
  name = g_file_get_basename (file);
  /* Translators: %s is a file name */
  message = g_strdup_printf (_("Cannot open “%s”: this version of Scorch cannot load captures yet"), name);
  scorch_window_add_toast (self, adw_toast_new (message));
}

GtkStack *
scorch_window_get_stack (ScorchWindow *self)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), NULL);

  return self->stack;
}

void
scorch_window_set_page (ScorchWindow *self,
                        const char   *name)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  gtk_stack_set_visible_child_name (self->stack, name);
}

void
scorch_window_add_toast (ScorchWindow *self,
                         AdwToast     *toast)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
