/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-session.h: the one owner of what a window explores: the capture
 * and its file, thread and time filters, the filtered profile, the selected
 * function and the search, each a property the views bind to */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"
#include "scorch-search.h"
#include "scorch-transform.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_SESSION (scorch_session_get_type ())

G_DECLARE_FINAL_TYPE (ScorchSession, scorch_session, SCORCH, SESSION, GObject)

/*
 * Properties (all notify on change only):
 *   profile            ScorchProfile  the whole capture, or NULL
 *   file               GFile          the capture on disk (Save As, Export names), or NULL
 *   title, subtitle    string         what the window's title says about it
 *   filtered-profile   ScorchProfile  (read-only) the capture filtered by threads and time:
 *                                     what every view shows
 *   selected-frame     uint           the selected function (frame id), SCORCH_NODE_NONE: none
 *   search-text        string         NULL or "": no search
 *   search-regex       boolean        search-text is a regular expression
 *   search-case-sensitive boolean
 *   search-valid       boolean        (read-only) FALSE while search-text is not a valid expression
 *   search             ScorchSearch   (read-only) the compiled search every view uses, NULL: none;
 *                                     an invalid one matches nothing
 *   matched-fraction   double         (read-only) share of the filtered samples under a matching
 *                                     function, each sample counted once
 *   program            string         (read-only) the recorded program's name, for a recording
 *   program-output     string         (read-only) what it wrote (stdout and stderr), or NULL
 *   exit-status        int            (read-only) its wait status, -1: not known (not a recording,
 *                                     attached, or stopped before it ended)
 *
 * -- off-CPU: (scorch-off-cpu.h) --
 *   time-view          uint           ScorchProfileView: On-CPU (default), Off-CPU or Wall clock;
 *                                     filtered-profile is made from that view of profile
 *   has-time-views     boolean        (read-only) the capture has switch events (Off-CPU, Wall)
 *   view-profile       ScorchProfile  (read-only) that view of profile, unfiltered (thread list,
 *                                     timeline); profile itself for On-CPU
 *
 * -- zoom history: the flame graph's zoom history object is added here as
 *    a "zoom-history" property (see scorch-zoom-history.h); it is reset with
 *    the profile, like the selection. --
 */

ScorchSession *scorch_session_new                  (void);

ScorchProfile *scorch_session_get_profile          (ScorchSession *self);
/* Shows a new capture: the filters, the selection and the search matches
 * start over (the search text stays). */
void           scorch_session_set_profile          (ScorchSession *self,
                                                    ScorchProfile *profile);
GFile         *scorch_session_get_file             (ScorchSession *self);
/* Also sets the title (the file's name) and subtitle (its folder). */
void           scorch_session_set_file             (ScorchSession *self,
                                                    GFile         *file);
const char    *scorch_session_get_title            (ScorchSession *self);
void           scorch_session_set_title            (ScorchSession *self,
                                                    const char    *title);
const char    *scorch_session_get_subtitle         (ScorchSession *self);
void           scorch_session_set_subtitle         (ScorchSession *self,
                                                    const char    *subtitle);
/* Forgets the capture: profile, file, title, filters and selection. */
void           scorch_session_clear                (ScorchSession *self);

/* A recording just shown (after set_profile(), which forgets these):
 * PROGRAM's output and wait status (-1: unknown). */
void           scorch_session_set_recording        (ScorchSession *self,
                                                    const char    *program,
                                                    const char    *output,
                                                    int            exit_status);
const char    *scorch_session_get_program          (ScorchSession *self);
const char    *scorch_session_get_program_output   (ScorchSession *self);
int            scorch_session_get_exit_status      (ScorchSession *self);

ScorchProfile *scorch_session_get_filtered_profile (ScorchSession *self);
/* -- off-CPU -- */
gboolean       scorch_session_has_time_views       (ScorchSession *self);
guint          scorch_session_get_time_view        (ScorchSession *self);
void           scorch_session_set_time_view        (ScorchSession *self,
                                                    guint          view);
ScorchProfile *scorch_session_get_view_profile     (ScorchSession *self);
/* Only the samples of these threads (N_TIDS < 0: every thread; 0: none). */
void           scorch_session_set_thread_filter    (ScorchSession *self,
                                                    const gint32  *tids,
                                                    int            n_tids);
/* Only samples in [BEGIN, END] (0, G_MAXUINT64: all). */
void           scorch_session_set_time_range       (ScorchSession *self,
                                                    guint64        begin,
                                                    guint64        end);

guint32        scorch_session_get_selected_frame   (ScorchSession *self);
void           scorch_session_set_selected_frame   (ScorchSession *self,
                                                    guint32        frame);

const char    *scorch_session_get_search_text      (ScorchSession *self);
void           scorch_session_set_search_text      (ScorchSession *self,
                                                    const char    *text);
/* "search-regex" and "search-case-sensitive" are properties only. */
gboolean       scorch_session_get_search_valid     (ScorchSession *self);
/* The current search (borrowed), NULL without search text. */
ScorchSearch  *scorch_session_get_search           (ScorchSession *self);
double         scorch_session_get_matched_fraction (ScorchSession *self);
/* TRUE when FUNCTION matches the search (always without one). */
gboolean       scorch_session_search_matches       (ScorchSession *self,
                                                    const char    *function);

/* -- transforms: the stack (borrowed; lives as long as the session) whose
 *    applied transforms filtered-profile shows, after the thread and time
 *    filters; a new profile clears it. Saved beside a capture as
 *    CAPTURE.scorch-transforms (JSON, scorch-transform.h). -- */
ScorchTransformStack *scorch_session_get_transforms (ScorchSession   *self);
void           scorch_session_push_transform       (ScorchSession   *self,
                                                    ScorchTransform *transform);
/* CAPTURE's sidecar file, or NULL (a file with no name). */
GFile         *scorch_session_dup_transforms_file  (GFile           *capture);
/* Writes the applied transforms beside CAPTURE (removes the sidecar when
 * there is none). */
gboolean       scorch_session_save_transforms      (ScorchSession   *self,
                                                    GFile           *capture,
                                                    GError         **error);
/* Applies the transforms saved beside CAPTURE: TRUE when there are none
 * or they were applied; FALSE with ERROR for a file that is not a valid
 * list (nothing is applied then). */
gboolean       scorch_session_load_transforms      (ScorchSession   *self,
                                                    GFile           *capture,
                                                    GError         **error);

G_END_DECLS
