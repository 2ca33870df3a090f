/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-call-tree-view.h: the top-down call tree */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_CALL_TREE_VIEW (scorch_call_tree_view_get_type ())

G_DECLARE_FINAL_TYPE (ScorchCallTreeView, scorch_call_tree_view, SCORCH, CALL_TREE_VIEW, GtkWidget)

GtkWidget     *scorch_call_tree_view_new               (void);
ScorchProfile *scorch_call_tree_view_get_profile       (ScorchCallTreeView *self);
void           scorch_call_tree_view_set_profile       (ScorchCallTreeView *self,
                                                        ScorchProfile      *profile);
/* The node of the selected row, or SCORCH_NODE_NONE. */
guint32        scorch_call_tree_view_get_selected_node (ScorchCallTreeView *self);
/* Expands the path to NODE and selects it. */
void           scorch_call_tree_view_select_node       (ScorchCallTreeView *self,
                                                        guint32             node);
/* The frame of the selected row, or SCORCH_NODE_NONE. */
guint32        scorch_call_tree_view_get_selected_frame (ScorchCallTreeView *self);
/* Expands every row whose share of the samples is at least MIN_PERCENT. */
void           scorch_call_tree_view_expand_hot        (ScorchCallTreeView *self,
                                                        double              min_percent);
/* The rows as shown, of GtkTreeListRow (whose items are ScorchFunctionItem). */
GListModel    *scorch_call_tree_view_get_model         (ScorchCallTreeView *self);

G_END_DECLS
