/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window-private.h: what the window's parts share (each part keeps
 * its lines in its own block) */

#pragma once

#include "scorch-profile.h"
#include "scorch-session.h"
#include "scorch-window.h"

G_BEGIN_DECLS

/* -- the window: showing a profile -- */

/* Shows PROFILE, loaded from FILE (the capture on disk, for Save As). */
void _scorch_window_show_profile (ScorchWindow  *self,
                                  ScorchProfile *profile,
                                  GFile         *file);

/* TRUE when the window shows no capture and does nothing (the start page
 * or an error): a file opened from the command line may use it. */
gboolean _scorch_window_is_unused (ScorchWindow *self);

/* Back to what was shown before a recording that produced no profile:
 * the capture (with its title) or the start page. */
void _scorch_window_show_previous (ScorchWindow *self);

/* TRUE from scorch_window_open_file() until its load is over (the
 * loading page shows only after a delay, or not at all). */
gboolean _scorch_window_is_loading (ScorchWindow *self);

/* For tests: the loader's progress, as the loader reports it, and the
 * loading page's bar that shows it. */
void _scorch_window_load_progress (ScorchWindow *self,
                                   double        fraction,
                                   guint64       n_samples);
GtkProgressBar *_scorch_window_get_load_progress (ScorchWindow *self);

/* SCORCH_TRACE_TIMING: the calling thread's CPU time, in microseconds. */
gint64 _scorch_window_thread_cpu_time (void);

/* The session: the capture shown, its filters, selection and search
 * (borrowed; lives as long as the window). */
ScorchSession *_scorch_window_get_session (ScorchWindow *self);

/* -- record from the app (scorch-window-record.c) -- */

/* The record part's state, held by the window: made by
 * _scorch_window_record_init, freed with the window. */
typedef struct _ScorchWindowRecord ScorchWindowRecord;
ScorchWindowRecord *_scorch_window_get_record (ScorchWindow       *self);
void       _scorch_window_set_record         (ScorchWindow       *self,
                                              ScorchWindowRecord *record);
void       _scorch_window_record_free        (ScorchWindowRecord *record);

void       _scorch_window_record_class_init  (GtkWidgetClass *widget_class);
void       _scorch_window_record_init        (ScorchWindow   *self);
void       _scorch_window_record_dispose     (ScorchWindow   *self);
/* win.record: opens the record dialog. */
void       _scorch_window_record_open_dialog (ScorchWindow   *self);
/* For tests: the dialog while it is open, the recording page, and whether
 * a recording (or its loading) is in progress. */
GtkWindow *_scorch_window_record_get_dialog  (ScorchWindow   *self);
GtkWidget *_scorch_window_record_get_view    (ScorchWindow   *self);
gboolean   _scorch_window_record_is_busy     (ScorchWindow   *self);
/* Microseconds from the end of the recording to the profile shown. */
gint64     _scorch_window_record_get_last_finish_time (ScorchWindow *self);
/* The last error shown for a failed recording, or NULL. */
const char *_scorch_window_record_get_last_error (ScorchWindow *self);
/* The demo program, or NULL when it is not installed. */
char      *_scorch_window_record_find_demo   (void);

/* -- transforms (scorch-window-transforms.c): win.push-transform (sas),
 *    win.undo-transform, win.redo-transform, win.pop-transforms (u), the
 *    chips row, the sidecar -- */
void             _scorch_window_transforms_class_init (GtkWidgetClass *widget_class);
void             _scorch_window_transforms_init       (ScorchWindow   *self);
/* Applies the transforms saved beside FILE (a toast says why when they are not). */
void             _scorch_window_transforms_load       (ScorchWindow   *self,
                                                       GFile          *file);
/* (sas) as win.push-transform takes it, or NULL. */
ScorchTransform *_scorch_window_transform_from_variant (GVariant      *parameter);

/* -- compare two captures (scorch-window-compare.c) -- */

typedef struct _ScorchWindowCompare ScorchWindowCompare;
ScorchWindowCompare *_scorch_window_get_compare (ScorchWindow        *self);
void       _scorch_window_set_compare        (ScorchWindow        *self,
                                              ScorchWindowCompare *compare);
void       _scorch_window_compare_free       (ScorchWindowCompare *compare);
void       _scorch_window_compare_class_init (GtkWidgetClass      *widget_class);
void       _scorch_window_compare_init       (ScorchWindow        *self);
/* Shows the comparison of NEW_PROFILE with BASE on the "compare" page. */
void       _scorch_window_compare_show       (ScorchWindow        *self,
                                              ScorchProfile       *base,
                                              ScorchProfile       *new_profile,
                                              const char          *base_title,
                                              const char          *new_title);
/* Loads FILE and compares the profile shown with it. */
void       _scorch_window_compare_with_file  (ScorchWindow        *self,
                                              GFile               *file);
/* A file dropped: compared with the profile shown (TRUE), or FALSE when
 * the window shows none (then it is opened). */
gboolean   _scorch_window_compare_drop       (ScorchWindow        *self,
                                              GFile               *file);
/* A recording is about to be shown (for win.compare-previous). */
void       _scorch_window_compare_note_recording (ScorchWindow    *self,
                                                  ScorchProfile   *profile);
/* Opens NEW_FILE, then compares it with BASE (scorch --compare). */
void       _scorch_window_compare_files      (ScorchWindow        *self,
                                              GFile               *base,
                                              GFile               *new_file);
/* The ScorchCompareView of the "compare" page, for tests. */
GtkWidget *_scorch_window_compare_get_view   (ScorchWindow        *self);

G_END_DECLS
