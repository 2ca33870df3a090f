/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-function-item.h: one row of the hotspot table, call tree or caller/callee lists */

#pragma once

#include <gio/gio.h>

#include "scorch-demangle.h"
#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_FUNCTION_ITEM (scorch_function_item_get_type ())

G_DECLARE_FINAL_TYPE (ScorchFunctionItem, scorch_function_item, SCORCH, FUNCTION_ITEM, GObject)

/* An item for FRAME of PROFILE with the given figures; percentages are of
 * the profile's samples in view.  NODE is the call tree node the row
 * stands for, or SCORCH_NODE_NONE for a function row. */
ScorchFunctionItem *scorch_function_item_new              (ScorchProfile      *profile,
                                                           guint32             frame,
                                                           guint32             node,
                                                           guint64             self_samples,
                                                           guint64             total_samples);
ScorchProfile      *scorch_function_item_get_profile      (ScorchFunctionItem *self);
guint32             scorch_function_item_get_frame        (ScorchFunctionItem *self);
guint32             scorch_function_item_get_node         (ScorchFunctionItem *self);
const char         *scorch_function_item_get_name         (ScorchFunctionItem *self);
/* The short form the cells show ("ns::f<int>"); get_name() is the full one. */
const char         *scorch_function_item_get_display_name (ScorchFunctionItem *self);
const char         *scorch_function_item_get_module       (ScorchFunctionItem *self);
/* "file:line", "file" or "" */
const char         *scorch_function_item_get_source       (ScorchFunctionItem *self);
guint64             scorch_function_item_get_self         (ScorchFunctionItem *self);
guint64             scorch_function_item_get_total        (ScorchFunctionItem *self);
double              scorch_function_item_get_self_percent (ScorchFunctionItem *self);
double              scorch_function_item_get_total_percent (ScorchFunctionItem *self);
/* The cells' texts: the module's and source's file names without their
 * directories, the counts and percentages formatted. */
const char         *scorch_function_item_get_module_name  (ScorchFunctionItem *self);
const char         *scorch_function_item_get_source_name  (ScorchFunctionItem *self);
const char         *scorch_function_item_get_self_text    (ScorchFunctionItem *self);
const char         *scorch_function_item_get_total_text   (ScorchFunctionItem *self);
const char         *scorch_function_item_get_self_percent_text  (ScorchFunctionItem *self);
const char         *scorch_function_item_get_total_percent_text (ScorchFunctionItem *self);

/* How items made from now on shorten names (the "collapse-templates"
 * preference); views rebuild their rows when it changes. */
void                scorch_function_item_set_display_flags (ScorchDisplayNameFlags flags);
ScorchDisplayNameFlags scorch_function_item_get_display_flags (void);

/* Formatting shared by the views: "12.34 %" and "1 234". */
char               *scorch_format_percent                 (double              percent);
char               *scorch_format_count                   (guint64             count);

G_END_DECLS
