/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-recording-view.c: the page shown while recording */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recording-view"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-flame-graph.h"
#include "scorch-recording-view.h"

/* Keep the output view light: drop the oldest text past this. */
#define MAX_OUTPUT_CHARS (256 * 1024)

struct _ScorchRecordingView
{
  AdwBin            parent_instance;

  /* template widgets */
  GtkLabel         *title_label;
  GtkLabel         *subtitle_label;
  GtkLabel         *elapsed_label;
  GtkLabel         *samples_label;
  GtkLabel         *lost_label;
  GtkButton        *stop_button;
  GtkStack         *graph_stack;
  ScorchFlameGraph *flame_graph;
  GtkTextView      *output_view;
  GtkScrolledWindow *output_scroller;
  GtkDropDown      *time_view_dropdown;

  /* owned */
  ScorchProfile    *live_profile;   /* the latest snapshot, all its views */

  guint             n_updates;
};

G_DEFINE_FINAL_TYPE (ScorchRecordingView, scorch_recording_view, ADW_TYPE_BIN)

static void
scorch_recording_view_dispose (GObject *object)
{
  ScorchRecordingView *self = SCORCH_RECORDING_VIEW (object);

  g_clear_object (&self->live_profile);
  gtk_widget_dispose_template (GTK_WIDGET (object), SCORCH_TYPE_RECORDING_VIEW);

  G_OBJECT_CLASS (scorch_recording_view_parent_class)->dispose (object);
}

static const ScorchAppTemplateChild recording_view_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, title_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, subtitle_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, elapsed_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, samples_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, lost_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, stop_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, graph_stack),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, flame_graph),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, output_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, output_scroller),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordingView, time_view_dropdown),
};

static void
scorch_recording_view_class_init (ScorchRecordingViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_recording_view_dispose;

  g_type_ensure (SCORCH_TYPE_FLAME_GRAPH);

  scorch_app_class_set_template (widget_class,
                                 recording_view_children, G_N_ELEMENTS (recording_view_children),
                                 NULL, 0);
}

/* -- off-CPU: the live profile's On-CPU, Off-CPU or Wall clock view -- */
static void
show_live_view (ScorchRecordingView *self)
{
  ScorchProfile *shown = NULL;

  if (self->live_profile != NULL)
    {
      shown = scorch_profile_get_view (self->live_profile, gtk_drop_down_get_selected (self->time_view_dropdown));
      if (shown == NULL)
        shown = self->live_profile;
    }
  scorch_flame_graph_set_profile (self->flame_graph, shown);
  if (shown != NULL && scorch_profile_get_total (shown) > 0)
    gtk_stack_set_visible_child_name (self->graph_stack, "graph");
}

static void
time_view_changed_cb (ScorchRecordingView *self)
{
  show_live_view (self);
}

static void
scorch_recording_view_init (ScorchRecordingView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->time_view_dropdown, "notify::selected",
                           G_CALLBACK (time_view_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
scorch_recording_view_new (void)
{
  return g_object_new (SCORCH_TYPE_RECORDING_VIEW, NULL);
}

void
scorch_recording_view_reset (ScorchRecordingView *self,
                             const char          *title,
                             const char          *subtitle)
{
  ScorchRecorderProgress zero = { 0, };

  g_return_if_fail (SCORCH_IS_RECORDING_VIEW (self));

  gtk_label_set_text (self->title_label, title ? title : "");
  gtk_label_set_text (self->subtitle_label, subtitle ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle != NULL && subtitle[0] != '\0');
  scorch_recording_view_set_progress (self, &zero);
  g_clear_object (&self->live_profile);
  gtk_widget_set_visible (GTK_WIDGET (self->time_view_dropdown), FALSE);
  gtk_drop_down_set_selected (self->time_view_dropdown, SCORCH_PROFILE_VIEW_ON_CPU);
  scorch_flame_graph_set_profile (self->flame_graph, NULL);
  gtk_stack_set_visible_child_name (self->graph_stack, "waiting");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), "", 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), TRUE);
  self->n_updates = 0;
}

static void
format_count (GtkLabel *label,
              guint64   n)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, n);
  gtk_label_set_text (label, text);
}

void
scorch_recording_view_set_progress (ScorchRecordingView          *self,
                                    const ScorchRecorderProgress *progress)
{
  char text[32];
  guint seconds;

  g_return_if_fail (SCORCH_IS_RECORDING_VIEW (self));
  g_return_if_fail (progress != NULL);

  seconds = (guint) MAX (0, progress->elapsed);
  if (seconds >= 3600)
    g_snprintf (text, sizeof text, "%u:%02u:%02u", seconds / 3600, (seconds / 60) % 60, seconds % 60);
  else
    g_snprintf (text, sizeof text, "%u:%02u", seconds / 60, seconds % 60);
  gtk_label_set_text (self->elapsed_label, text);
  format_count (self->samples_label, progress->samples);
  format_count (self->lost_label, progress->lost);
  if (progress->lost > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->lost_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->lost_label), "error");
}

void
scorch_recording_view_set_live_profile (ScorchRecordingView *self,
                                        ScorchProfile       *profile)
{
  g_return_if_fail (SCORCH_IS_RECORDING_VIEW (self));

  g_set_object (&self->live_profile, profile);
  /* a recording with blocked time: its snapshots have the time views */
  if (profile != NULL && scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU) != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->time_view_dropdown), TRUE);
  show_live_view (self);
  self->n_updates++;
}

ScorchProfile *
scorch_recording_view_get_live_profile (ScorchRecordingView *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDING_VIEW (self), NULL);
  return scorch_flame_graph_get_profile (self->flame_graph);
}

guint
scorch_recording_view_get_n_updates (ScorchRecordingView *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDING_VIEW (self), 0);
  return self->n_updates;
}

void
scorch_recording_view_append_output (ScorchRecordingView *self,
                                     const char          *text,
                                     gssize               len)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;
  GtkAdjustment *vadj;
  gboolean at_bottom;
  g_autofree char *valid = NULL;

  g_return_if_fail (SCORCH_IS_RECORDING_VIEW (self));

  buffer = gtk_text_view_get_buffer (self->output_view);
  vadj = gtk_scrolled_window_get_vadjustment (self->output_scroller);
  at_bottom = gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj) >=
              gtk_adjustment_get_upper (vadj) - 4;

  /* Programs write any bytes; show them as UTF-8. */
  valid = g_utf8_make_valid (text, len);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, valid, -1);

  if (gtk_text_buffer_get_char_count (buffer) > MAX_OUTPUT_CHARS)
    {
      GtkTextIter start, cut;

      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_get_iter_at_offset (buffer, &cut,
                                          gtk_text_buffer_get_char_count (buffer) - MAX_OUTPUT_CHARS / 2);
      gtk_text_buffer_delete (buffer, &start, &cut);
    }

  if (at_bottom)
    {
      GtkTextMark *mark = gtk_text_buffer_get_insert (buffer);

      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_place_cursor (buffer, &end);
      gtk_text_view_scroll_mark_onscreen (self->output_view, mark);
    }
}

char *
scorch_recording_view_dup_output (ScorchRecordingView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SCORCH_IS_RECORDING_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->output_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
scorch_recording_view_set_output_note (ScorchRecordingView *self,
                                       const char          *note)
{
  g_return_if_fail (SCORCH_IS_RECORDING_VIEW (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), note ? note : "", -1);
}

void
scorch_recording_view_set_finishing (ScorchRecordingView *self,
                                     const char          *status)
{
  g_return_if_fail (SCORCH_IS_RECORDING_VIEW (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), FALSE);
  gtk_label_set_text (self->subtitle_label, status ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), status != NULL);
}

GtkWidget *
scorch_recording_view_get_flame_graph (ScorchRecordingView *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDING_VIEW (self), NULL);
  return GTK_WIDGET (self->flame_graph);
}
