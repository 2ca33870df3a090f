/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-transform-bar.h: the row of transform chips above the views */

#pragma once

#include <gtk/gtk.h>

#include "scorch-transform.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_TRANSFORM_BAR (scorch_transform_bar_get_type ())
G_DECLARE_FINAL_TYPE (ScorchTransformBar, scorch_transform_bar, SCORCH, TRANSFORM_BAR, GtkWidget)

/*
 * One chip per applied transform, in order, each with a × that pops the
 * stack back to before it (as Firefox Profiler's breadcrumbs: it and the
 * ones after it go, and Redo brings them back), and a menu with the
 * transforms that need no function (collapse recursion, threshold), undo
 * and redo. Hidden while the stack holds no transform. The chips activate win.pop-transforms (u) and the menu
 * win.push-transform (sas), win.undo-transform and win.redo-transform.
 *
 * Properties:
 *   stack   ScorchTransformStack   the transforms shown, or NULL
 */

GtkWidget            *scorch_transform_bar_new        (void);
ScorchTransformStack *scorch_transform_bar_get_stack  (ScorchTransformBar   *self);
void                  scorch_transform_bar_set_stack  (ScorchTransformBar   *self,
                                                       ScorchTransformStack *stack);
/* The chip text of TRANSFORM, for people (translated). */
char                 *scorch_transform_bar_dup_label  (const ScorchTransform *transform);

G_END_DECLS
