/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window.h: the main window */

#pragma once

#include <adwaita.h>

#include "scorch-application.h"
#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_WINDOW (scorch_window_get_type ())

G_DECLARE_FINAL_TYPE (ScorchWindow, scorch_window, SCORCH, WINDOW, AdwApplicationWindow)

/* Signals: "profile-loaded" () once a capture is loaded and shown. */

ScorchWindow *scorch_window_new       (ScorchApplication *application);
/* Opens a capture (perf.data or folded stacks) in this window. */
void          scorch_window_open_file (ScorchWindow      *self,
                                       GFile             *file);
/* The stack of pages: "empty" now; "loading", "profile" and "recording"
 * are added by the parts that build them (see ui/scorch-window.ui). */
GtkStack     *scorch_window_get_stack (ScorchWindow      *self);
/* Shows page NAME of the stack. */
void          scorch_window_set_page  (ScorchWindow      *self,
                                       const char        *name);
/* Shows a capture already in memory (a recording, a test), as if loaded. */
void          scorch_window_set_profile (ScorchWindow    *self,
                                         ScorchProfile   *profile);
/* The profile every view shows: the capture filtered by the thread and
 * time selection; NULL before a load. */
ScorchProfile *scorch_window_get_profile (ScorchWindow   *self);
/* Shows view NAME: "flame-graph", "icicle", "call-tree", "caller-callee". */
void          scorch_window_set_view  (ScorchWindow      *self,
                                       const char        *name);
/* A part of the window, for tests: "flame-graph", "icicle", "call-tree",
 * "caller-callee", "hotspots", "threads", "processes", "timeline", "search-entry",
 * "status" (the status line's GtkLabel), "status-hint" (its hint about
 * truncated stacks), "error" (the error page). */
GtkWidget    *scorch_window_get_view_widget (ScorchWindow *self,
                                             const char   *name);
/* Exports the view: FORMAT "svg", "png", "pdf" (the flame graph shown) or
 * "folded" (stacks of the current thread and time selection). */
gboolean      scorch_window_export    (ScorchWindow      *self,
                                       const char        *format,
                                       GFile             *file,
                                       GError           **error);
/* Copies the capture shown (perf.data or folded stacks) to FILE. */
gboolean      scorch_window_save_capture (ScorchWindow   *self,
                                          GFile          *file,
                                          GError        **error);
/* Shows a transient message (errors that need no decision). */
void          scorch_window_add_toast (ScorchWindow      *self,
                                       AdwToast          *toast);

G_END_DECLS
