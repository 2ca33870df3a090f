/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window-compare.c: the window's comparison of two captures (or of
 * two selections of one): its actions, the "compare" page, the baseline
 *
 *   win.compare-with         choose a capture to compare the one shown with
 *   win.compare-previous     the last recording against the one before it
 *   win.set-baseline         the current selection (threads, time) becomes the baseline
 *   win.compare-baseline     the current selection against that baseline
 *   win.close-comparison     back to the profile
 *
 * A file dropped on a window that shows a profile is compared with it, and
 * `scorch --compare BASE NEW` opens NEW and compares it with BASE. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-compare"

#include <glib/gi18n.h>

#include "scorch-compare-view.h"
#include "scorch-loader.h"
#include "scorch-text.h"
#include "scorch-window-private.h"

struct _ScorchWindowCompare
{
  /* borrowed */
  ScorchCompareView *view;

  /* owned */
  ScorchProfile     *baseline;          /* win.set-baseline, or NULL */
  char              *baseline_title;
  ScorchProfile     *last_recording;    /* the latest recording shown */
  ScorchProfile     *previous_recording;/* the one before it */
  GCancellable      *load;              /* loading a baseline */
  GFile             *pending_base;      /* --compare: the base, once NEW is shown */
};

static char *
file_title (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  return path != NULL ? g_filename_display_basename (path) : g_file_get_uri (file);
}

static ScorchWindowCompare *
get_compare (ScorchWindow *self)
{
  return _scorch_window_get_compare (self);
}

static char *
current_title (ScorchWindow *self)
{
  ScorchSession *session = _scorch_window_get_session (self);
  const char *title = scorch_session_get_title (session);

  return g_strdup (title != NULL && title[0] != '\0' ? title : _("This capture"));
}

static void
update_compare_actions (ScorchWindow *self)
{
  ScorchWindowCompare *c = get_compare (self);
  ScorchProfile *profile = scorch_session_get_profile (_scorch_window_get_session (self));
  gboolean shown = profile != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-with", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.set-baseline", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-baseline", shown && c->baseline != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-previous",
                                 c->previous_recording != NULL && c->last_recording == profile);
}

/* Shows the comparison of NEW_PROFILE with BASE on the "compare" page. */
void
_scorch_window_compare_show (ScorchWindow  *self,
                             ScorchProfile *base,
                             ScorchProfile *new_profile,
                             const char    *base_title,
                             const char    *new_title)
{
  ScorchWindowCompare *c = get_compare (self);

  g_return_if_fail (SCORCH_IS_PROFILE (base));
  g_return_if_fail (SCORCH_IS_PROFILE (new_profile));

  scorch_compare_view_set_profiles (c->view, base, new_profile, base_title, new_title);
  scorch_window_set_page (self, "compare");
}

GtkWidget *
_scorch_window_compare_get_view (ScorchWindow *self)
{
  return GTK_WIDGET (get_compare (self)->view);
}

typedef struct
{
  ScorchWindow  *self;
  GFile         *file;
  ScorchProfile *target;  /* the capture shown when asked: compared only if still shown */
} BaseLoad;

static void
base_load_free (BaseLoad *load)
{
  g_clear_object (&load->self);
  g_clear_object (&load->file);
  g_clear_object (&load->target);
  g_free (load);
}

/* The baseline seen as the capture shown is: with the same transforms
 * applied, in order (the stack's own cache stays the shown capture's). */
static ScorchProfile *
apply_session_transforms (ScorchWindow  *self,
                          ScorchProfile *profile)
{
  ScorchTransformStack *stack = scorch_session_get_transforms (_scorch_window_get_session (self));
  guint n = stack != NULL ? scorch_transform_stack_get_n_applied (stack) : 0;
  ScorchProfile *result = g_object_ref (profile);

  for (guint i = 0; i < n; i++)
    {
      ScorchProfile *next = scorch_transform_apply (scorch_transform_stack_get_transform (stack, i), result);

      g_object_unref (result);
      result = next;
    }
  return result;
}

static void
base_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  BaseLoad *load = user_data;
  ScorchWindow *self = load->self;
  ScorchWindowCompare *c = get_compare (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) base = scorch_load_finish (result, &error);
  ScorchProfile *current;

  if (base == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *name = file_title (load->file);
          /* Translators: the file name and the reason */
          g_autofree char *text = g_strdup_printf (_("Cannot compare with “%s”: %s"), name, error->message);
          /* A toast's title is markup (libadwaita 1.2); the name and message may hold anything. */
          g_autofree char *markup = scorch_text_to_xml (text);
          AdwToast *toast = adw_toast_new (markup);

          adw_toast_set_timeout (toast, 0);
          scorch_window_add_toast (self, toast);
        }
      base_load_free (load);
      return;
    }

  g_clear_object (&c->load);
  current = scorch_window_get_profile (self);
  /* Another capture was opened meanwhile ("Open Instead"): not this one's baseline. */
  if (current != NULL && scorch_session_get_profile (_scorch_window_get_session (self)) == load->target)
    {
      g_autofree char *base_title = file_title (load->file);
      g_autofree char *new_title = current_title (self);
      g_autoptr(ScorchProfile) seen = apply_session_transforms (self, base);

      _scorch_window_compare_show (self, seen, current, base_title, new_title);
    }
  base_load_free (load);
}

/* Loads FILE and compares the profile shown with it. */
void
_scorch_window_compare_with_file (ScorchWindow *self,
                                  GFile        *file)
{
  ScorchWindowCompare *c = get_compare (self);
  g_autofree char *path = g_file_get_path (file);
  BaseLoad *load;

  if (path == NULL || scorch_session_get_profile (_scorch_window_get_session (self)) == NULL)
    return;
  if (c->load != NULL)
    g_cancellable_cancel (c->load);
  g_clear_object (&c->load);
  c->load = g_cancellable_new ();

  load = g_new0 (BaseLoad, 1);
  load->self = g_object_ref (self);
  load->file = g_object_ref (file);
  load->target = g_object_ref (scorch_session_get_profile (_scorch_window_get_session (self)));
  scorch_load_async (path, &(ScorchLoadOptions) { .cancellable = c->load }, base_loaded_cb, load);
}

gboolean
_scorch_window_compare_drop (ScorchWindow *self,
                             GFile        *file)
{
  /* Onto a window showing a profile, a second capture is compared with it. */
  g_autofree char *uri = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autofree char *markup = NULL;
  AdwToast *toast;

  if (scorch_session_get_profile (_scorch_window_get_session (self)) == NULL)
    return FALSE;
  _scorch_window_compare_with_file (self, file);

  /* Whoever meant to open it gets there in one click. */
  uri = g_file_get_uri (file);
  name = file_title (file);
  /* Translators: the dropped file's name */
  text = g_strdup_printf (_("Comparing with “%s”"), name);
  markup = scorch_text_to_xml (text);
  toast = adw_toast_new (markup);
  adw_toast_set_button_label (toast, _("_Open Instead"));
  adw_toast_set_action_name (toast, "win.open-recent");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
  scorch_window_add_toast (self, toast);
  return TRUE;
}

void
_scorch_window_compare_note_recording (ScorchWindow  *self,
                                       ScorchProfile *profile)
{
  ScorchWindowCompare *c = get_compare (self);

  if (c->last_recording != NULL)
    {
      AdwToast *toast = adw_toast_new (_("Recorded again: compare with the previous recording?"));

      g_clear_object (&c->previous_recording);
      c->previous_recording = g_steal_pointer (&c->last_recording);
      adw_toast_set_button_label (toast, _("_Compare"));
      adw_toast_set_action_name (toast, "win.compare-previous");
      scorch_window_add_toast (self, toast);
    }
  c->last_recording = g_object_ref (profile);
}

static void
profile_loaded_cb (ScorchWindow *self)
{
  ScorchWindowCompare *c = get_compare (self);
  g_autoptr(GFile) base = g_steal_pointer (&c->pending_base);

  if (base != NULL)
    _scorch_window_compare_with_file (self, base);
}

void
_scorch_window_compare_files (ScorchWindow *self,
                              GFile        *base,
                              GFile        *new_file)
{
  ScorchWindowCompare *c = get_compare (self);

  g_set_object (&c->pending_base, base);
  scorch_window_open_file (self, new_file);
}

/* -- actions -- */

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  ScorchWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        _scorch_window_compare_with_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
compare_with_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Compare With a Baseline Capture"), GTK_WINDOW (widget),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Compare"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response_cb), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
compare_previous_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  ScorchWindowCompare *c = get_compare (self);

  if (c->previous_recording == NULL || c->last_recording == NULL)
    return;
  _scorch_window_compare_show (self, c->previous_recording, c->last_recording,
                               _("Previous recording"), _("Last recording"));
}

static void
set_baseline_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  ScorchWindowCompare *c = get_compare (self);
  ScorchProfile *profile = scorch_window_get_profile (self);
  AdwToast *toast;

  if (profile == NULL)
    return;
  g_set_object (&c->baseline, profile);
  g_free (c->baseline_title);
  /* Translators: %s is the capture's title */
  c->baseline_title = g_strdup_printf (_("Baseline selection of %s"),
                                       scorch_session_get_title (_scorch_window_get_session (self)));
  update_compare_actions (self);

  toast = adw_toast_new (_("Selection set as baseline: select other threads or another time range, then "
                           "“Compare Selection With Baseline”"));
  scorch_window_add_toast (self, toast);
}

static void
compare_baseline_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  ScorchWindowCompare *c = get_compare (self);
  ScorchProfile *profile = scorch_window_get_profile (self);

  if (profile == NULL || c->baseline == NULL)
    return;
  _scorch_window_compare_show (self, c->baseline, profile, c->baseline_title, _("Current selection"));
}

static void
close_comparison_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  scorch_window_set_page (self, scorch_session_get_profile (_scorch_window_get_session (self)) != NULL
                                ? "profile" : "empty");
}

static void
view_close_cb (ScorchWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.close-comparison", NULL);
}

void
_scorch_window_compare_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (SCORCH_TYPE_COMPARE_VIEW);

  gtk_widget_class_install_action (widget_class, "win.compare-with", NULL, compare_with_action);
  gtk_widget_class_install_action (widget_class, "win.compare-previous", NULL, compare_previous_action);
  gtk_widget_class_install_action (widget_class, "win.set-baseline", NULL, set_baseline_action);
  gtk_widget_class_install_action (widget_class, "win.compare-baseline", NULL, compare_baseline_action);
  gtk_widget_class_install_action (widget_class, "win.close-comparison", NULL, close_comparison_action);
}

void
_scorch_window_compare_init (ScorchWindow *self)
{
  ScorchWindowCompare *c = g_new0 (ScorchWindowCompare, 1);
  GtkWidget *view = scorch_compare_view_new ();
  ScorchSession *session = _scorch_window_get_session (self);

  c->view = SCORCH_COMPARE_VIEW (view);
  _scorch_window_set_compare (self, c);
  gtk_stack_add_named (scorch_window_get_stack (self), view, "compare");

  g_signal_connect_object (view, "close", G_CALLBACK (view_close_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "profile-loaded", G_CALLBACK (profile_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify", G_CALLBACK (update_compare_actions), self, G_CONNECT_SWAPPED);
  update_compare_actions (self);
}

void
_scorch_window_compare_free (ScorchWindowCompare *c)
{
  if (c == NULL)
    return;
  if (c->load != NULL)
    g_cancellable_cancel (c->load);
  g_clear_object (&c->load);
  g_clear_object (&c->baseline);
  g_clear_pointer (&c->baseline_title, g_free);
  g_clear_object (&c->last_recording);
  g_clear_object (&c->previous_recording);
  g_clear_object (&c->pending_base);
  g_free (c);
}
