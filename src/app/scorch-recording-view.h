/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-recording-view.h: the page shown while recording: elapsed time,
 * samples, lost samples, Stop, the program's output and a live flame graph */

#pragma once

#include <adwaita.h>

#include "scorch-profile.h"
#include "scorch-recorder.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_RECORDING_VIEW (scorch_recording_view_get_type ())

G_DECLARE_FINAL_TYPE (ScorchRecordingView, scorch_recording_view, SCORCH, RECORDING_VIEW, AdwBin)

GtkWidget     *scorch_recording_view_new              (void);
/* Back to an empty page for a new recording of TITLE. */
void           scorch_recording_view_reset            (ScorchRecordingView          *self,
                                                       const char                   *title,
                                                       const char                   *subtitle);
void           scorch_recording_view_set_progress     (ScorchRecordingView          *self,
                                                       const ScorchRecorderProgress *progress);
/* The profile so far, drawn by the live flame graph. */
void           scorch_recording_view_set_live_profile (ScorchRecordingView          *self,
                                                       ScorchProfile                *profile);
ScorchProfile *scorch_recording_view_get_live_profile (ScorchRecordingView          *self);
/* How many times the live flame graph was updated. */
guint          scorch_recording_view_get_n_updates    (ScorchRecordingView          *self);
void           scorch_recording_view_append_output    (ScorchRecordingView          *self,
                                                       const char                   *text,
                                                       gssize                        len);
char          *scorch_recording_view_dup_output       (ScorchRecordingView          *self);
/* Replaces the output with a note (e.g. where an attached process writes). */
void           scorch_recording_view_set_output_note  (ScorchRecordingView          *self,
                                                       const char                   *note);
/* "Stopping…" / "Loading the profile…": the Stop button is disabled. */
void           scorch_recording_view_set_finishing    (ScorchRecordingView          *self,
                                                       const char                   *status);
GtkWidget     *scorch_recording_view_get_flame_graph  (ScorchRecordingView          *self);

G_END_DECLS
