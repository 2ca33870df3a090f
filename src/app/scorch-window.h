/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window.h: the main window */

#pragma once

#include <adwaita.h>

#include "scorch-application.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_WINDOW (scorch_window_get_type ())

G_DECLARE_FINAL_TYPE (ScorchWindow, scorch_window, SCORCH, WINDOW, AdwApplicationWindow)

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
/* Shows a transient message (errors that need no decision); takes TOAST. */
void          scorch_window_add_toast (ScorchWindow      *self,
                                       AdwToast          *toast);

G_END_DECLS
