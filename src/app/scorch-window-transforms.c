/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window-transforms.c: the window's transform actions (push, undo,
 * redo, pop back to a chip), the chips row and the sidecar on open/save.
 * The session holds the stack; every view shows its filtered-profile. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-window"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "scorch-text.h"
#include "scorch-transform-bar.h"
#include "scorch-window-private.h"

static ScorchTransformStack *
get_stack (GtkWidget *widget)
{
  return scorch_session_get_transforms (_scorch_window_get_session (SCORCH_WINDOW (widget)));
}

static void
update_actions (ScorchWindow *self)
{
  ScorchSession *session = _scorch_window_get_session (self);
  ScorchTransformStack *stack = scorch_session_get_transforms (session);
  gboolean have = scorch_session_get_profile (session) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-transform",
                                 have && scorch_transform_stack_can_undo (stack));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo-transform",
                                 have && scorch_transform_stack_can_redo (stack));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.push-transform", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pop-transforms", have);
}

/* A transform from (KIND, ARGS): a function or module name, a call path
 * (outermost first), a percentage, or nothing. NULL when they do not fit. */
ScorchTransform *
_scorch_window_transform_from_variant (GVariant *parameter)
{
  const char *kind_str;
  g_autofree const char **args = NULL;
  ScorchTransformKind kind;
  gsize n_args;

  if (parameter == NULL || !g_variant_is_of_type (parameter, G_VARIANT_TYPE ("(sas)")))
    return NULL;
  g_variant_get (parameter, "(&s^a&s)", &kind_str, &args);
  n_args = args != NULL ? g_strv_length ((char **) args) : 0;
  if (!scorch_transform_kind_from_string (kind_str, &kind))
    return NULL;

  switch (kind)
    {
    case SCORCH_TRANSFORM_FOCUS_SUBTREE:
      return scorch_transform_new_focus_subtree (args, n_args);
    case SCORCH_TRANSFORM_COLLAPSE_RECURSION:
      return scorch_transform_new_collapse_recursion ();
    case SCORCH_TRANSFORM_MIN_PERCENT:
      {
        char *end = NULL;
        double p;

        if (n_args != 1)
          return NULL;
        p = g_ascii_strtod (args[0], &end);
        return end != args[0] && *end == '\0' ? scorch_transform_new_min_percent (p) : NULL;
      }
    case SCORCH_TRANSFORM_FOCUS_FUNCTION:
    case SCORCH_TRANSFORM_FOCUS_CALLERS:
    case SCORCH_TRANSFORM_MERGE_FUNCTION:
    case SCORCH_TRANSFORM_MERGE_MODULE:
    case SCORCH_TRANSFORM_DROP_FUNCTION:
      return n_args == 1 ? scorch_transform_new (kind, args[0]) : NULL;
    case SCORCH_N_TRANSFORM_KINDS:
    default:
      return NULL;
    }
}

/* win.push-transform (sas): ('merge-function', ['memcpy']), ('focus-subtree',
 * ['main', 'run']), ('collapse-recursion', []), ('min-percent', ['0.5']). */
static void
push_transform_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_autoptr(ScorchTransform) transform = _scorch_window_transform_from_variant (parameter);

  if (transform == NULL)
    {
      g_warning ("win.push-transform: not a transform");
      return;
    }
  scorch_session_push_transform (_scorch_window_get_session (SCORCH_WINDOW (widget)), transform);
}

/* Application accelerators run before the focused widget sees the key:
 * in a text field (the search), Ctrl+Z is the text's own undo. */
static gboolean
forward_to_text (GtkWidget  *widget,
                 const char *text_action)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));

  if (focus == NULL || !GTK_IS_TEXT (focus))
    return FALSE;
  gtk_widget_activate_action (focus, text_action, NULL);
  return TRUE;
}

static void
undo_transform_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  if (!forward_to_text (widget, "text.undo"))
    scorch_transform_stack_undo (get_stack (widget));
}

static void
redo_transform_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  if (!forward_to_text (widget, "text.redo"))
    scorch_transform_stack_redo (get_stack (widget));
}

/* win.pop-transforms (u): back to N applied (a chip's ×: it and the ones after it). */
static void
pop_transforms_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  scorch_transform_stack_pop_to (get_stack (widget), g_variant_get_uint32 (parameter));
}

void
_scorch_window_transforms_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (SCORCH_TYPE_TRANSFORM_BAR);
  /* No field in the window: found by name in _init. */
  gtk_widget_class_bind_template_child_full (widget_class, "transform_bar", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "win.push-transform", "(sas)", push_transform_action);
  gtk_widget_class_install_action (widget_class, "win.undo-transform", NULL, undo_transform_action);
  gtk_widget_class_install_action (widget_class, "win.redo-transform", NULL, redo_transform_action);
  gtk_widget_class_install_action (widget_class, "win.pop-transforms", "u", pop_transforms_action);
}

void
_scorch_window_transforms_init (ScorchWindow *self)
{
  ScorchSession *session = _scorch_window_get_session (self);
  GObject *bar = gtk_widget_get_template_child (GTK_WIDGET (self), SCORCH_TYPE_WINDOW, "transform_bar");

  if (bar != NULL)
    scorch_transform_bar_set_stack (SCORCH_TRANSFORM_BAR (bar), scorch_session_get_transforms (session));
  g_signal_connect_object (scorch_session_get_transforms (session), "changed",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::profile", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  update_actions (self);
}

void
_scorch_window_transforms_load (ScorchWindow *self,
                                GFile        *file)
{
  g_autoptr(GError) error = NULL;

  if (file == NULL)
    return;
  if (!scorch_session_load_transforms (_scorch_window_get_session (self), file, &error))
    {
      g_autoptr(GFile) sidecar = scorch_session_dup_transforms_file (file);
      g_autofree char *name = g_file_get_basename (sidecar);
      /* Translators: %s is a file name, the second %s the reason */
      g_autofree char *message = g_strdup_printf (_("The transforms saved in “%s” were not applied: %s"),
                                                  name, error->message);

      g_autofree char *markup = scorch_text_to_xml (message);
      AdwToast *toast = adw_toast_new (markup);

      g_message ("%s", message);
      adw_toast_set_timeout (toast, 8);
      scorch_window_add_toast (self, toast);
    }
}
