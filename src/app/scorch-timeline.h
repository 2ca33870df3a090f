/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-timeline.h: sample density over time, per thread, with a time range selection */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_TIMELINE (scorch_timeline_get_type ())

G_DECLARE_FINAL_TYPE (ScorchTimeline, scorch_timeline, SCORCH, TIMELINE, GtkWidget)

GtkWidget     *scorch_timeline_new              (void);
ScorchProfile *scorch_timeline_get_profile      (ScorchTimeline *self);
/* The whole capture; the selection is cleared. */
void           scorch_timeline_set_profile      (ScorchTimeline *self,
                                                 ScorchProfile  *profile);
/* Threads not in TIDS are drawn dimmed (NULL: every thread is active). */
void           scorch_timeline_set_active_tids  (ScorchTimeline *self,
                                                 const gint32   *tids,
                                                 guint           n_tids);
/* The selected range in perf clock nanoseconds; FALSE (and 0, G_MAXUINT64)
 * when nothing is selected. */
gboolean       scorch_timeline_get_range        (ScorchTimeline *self,
                                                 guint64        *begin,
                                                 guint64        *end);
/* Selects [BEGIN, END] (clamped to the capture); begin >= end clears.
 * Emits "range-changed" when the range changes. */
void           scorch_timeline_set_range        (ScorchTimeline *self,
                                                 guint64         begin,
                                                 guint64         end);
void           scorch_timeline_clear_range      (ScorchTimeline *self);
/* Number of thread rows drawn (the first row sums every thread). */
guint          scorch_timeline_get_n_rows       (ScorchTimeline *self);

/* The time axis (public for tests): the 1-2-5 step in ns that divides
 * SPAN into at most MAX_TICKS intervals, and a time formatted in the unit
 * and with the decimals that STEP needs ("0.5 ms", "250 µs", "2 s"). */
guint64        scorch_timeline_axis_step        (guint64         span,
                                                 guint           max_ticks);
char          *scorch_timeline_format_time      (guint64         ns,
                                                 guint64         step);

/* Keys (the timeline has the focus): Escape selects the whole capture;
 * Left/Right move the selected range, Shift+Left/Right move its end. */

/* tests */
void            _scorch_timeline_set_count_in_thread_min (guint n_samples);
gboolean        _scorch_timeline_counted_in_thread       (ScorchTimeline *self);
guint32         _scorch_timeline_get_bucket              (ScorchTimeline *self,
                                                          guint           row,
                                                          guint           bucket);

G_END_DECLS
