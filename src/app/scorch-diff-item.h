/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-diff-item.h: one function of a comparison, a row of the diff table */

#pragma once

#include <glib-object.h>

#include "scorch-diff.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_DIFF_ITEM (scorch_diff_item_get_type ())
G_DECLARE_FINAL_TYPE (ScorchDiffItem, scorch_diff_item, SCORCH, DIFF_ITEM, GObject)

/* Properties (read-only, for sorters and cells): "function" (display-safe
 * text), "module", "base-self", "new-self", "delta-self", "base-total",
 * "new-total", "delta-total" (in the diff's unit), "abs-delta-self",
 * "abs-delta-total", "change-self", "change-total" (ScorchDiffChange as
 * int), "position" (the index in scorch_diff_get_functions()). */
ScorchDiffItem           *scorch_diff_item_new          (ScorchDiff     *diff,
                                                         guint           position);
ScorchDiff               *scorch_diff_item_get_diff     (ScorchDiffItem *self);
guint                     scorch_diff_item_get_position (ScorchDiffItem *self);
const ScorchDiffFunction *scorch_diff_item_get_function (ScorchDiffItem *self);
/* A list of every function of DIFF, in its order (|delta self| descending). */
GListModel               *scorch_diff_item_list_new     (ScorchDiff     *diff);

G_END_DECLS
