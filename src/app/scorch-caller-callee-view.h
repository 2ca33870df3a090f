/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-caller-callee-view.h: callers and callees of one function */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_CALLER_CALLEE_VIEW (scorch_caller_callee_view_get_type ())

G_DECLARE_FINAL_TYPE (ScorchCallerCalleeView, scorch_caller_callee_view, SCORCH, CALLER_CALLEE_VIEW, GtkWidget)

GtkWidget     *scorch_caller_callee_view_new         (void);
ScorchProfile *scorch_caller_callee_view_get_profile (ScorchCallerCalleeView *self);
void           scorch_caller_callee_view_set_profile (ScorchCallerCalleeView *self,
                                                      ScorchProfile          *profile);
/* The function shown, or SCORCH_NODE_NONE. Activating a caller or callee
 * makes it the function shown (and notifies "frame"). */
guint32        scorch_caller_callee_view_get_frame   (ScorchCallerCalleeView *self);
void           scorch_caller_callee_view_set_frame   (ScorchCallerCalleeView *self,
                                                      guint32                 frame);
/* Of ScorchFunctionItem, as shown. */
GListModel    *scorch_caller_callee_view_get_callers (ScorchCallerCalleeView *self);
GListModel    *scorch_caller_callee_view_get_callees (ScorchCallerCalleeView *self);

G_END_DECLS
