/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-hotspot-view.h: the table of the hottest functions */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"
#include "scorch-search.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_HOTSPOT_VIEW (scorch_hotspot_view_get_type ())

G_DECLARE_FINAL_TYPE (ScorchHotspotView, scorch_hotspot_view, SCORCH, HOTSPOT_VIEW, GtkWidget)

typedef enum
{
  SCORCH_HOTSPOT_COLUMN_FUNCTION,
  SCORCH_HOTSPOT_COLUMN_SELF_PERCENT,
  SCORCH_HOTSPOT_COLUMN_TOTAL_PERCENT,
  SCORCH_HOTSPOT_COLUMN_SELF,
  SCORCH_HOTSPOT_COLUMN_TOTAL,
  SCORCH_HOTSPOT_COLUMN_MODULE,
  SCORCH_HOTSPOT_COLUMN_SOURCE,
  SCORCH_N_HOTSPOT_COLUMNS
} ScorchHotspotColumn;

GtkWidget     *scorch_hotspot_view_new                (void);
ScorchProfile *scorch_hotspot_view_get_profile        (ScorchHotspotView  *self);
void           scorch_hotspot_view_set_profile        (ScorchHotspotView  *self,
                                                       ScorchProfile      *profile);
const char    *scorch_hotspot_view_get_search_text    (ScorchHotspotView  *self);
/* Rows whose function contains TEXT (or matches it, as a regular
 * expression when use-regex is set; no row while it is not a valid one);
 * NULL or "" shows every row. */
void           scorch_hotspot_view_set_search_text    (ScorchHotspotView  *self,
                                                       const char         *text);
gboolean       scorch_hotspot_view_get_use_regex      (ScorchHotspotView  *self);
void           scorch_hotspot_view_set_use_regex      (ScorchHotspotView  *self,
                                                       gboolean            use_regex);
gboolean       scorch_hotspot_view_get_case_sensitive (ScorchHotspotView  *self);
void           scorch_hotspot_view_set_case_sensitive (ScorchHotspotView  *self,
                                                       gboolean            case_sensitive);
/* The search the rows are filtered with (the session's, bound by the
 * window; the text properties above build one too).  An invalid one
 * matches no row, as in the graphs. */
ScorchSearch  *scorch_hotspot_view_get_search         (ScorchHotspotView  *self);
void           scorch_hotspot_view_set_search         (ScorchHotspotView  *self,
                                                       ScorchSearch       *search);
/* The frame id of the selected row, or SCORCH_NODE_NONE. */
guint32        scorch_hotspot_view_get_selected_frame (ScorchHotspotView  *self);
/* Selects the row of FRAME (SCORCH_NODE_NONE: none) and scrolls to it. */
void           scorch_hotspot_view_set_selected_frame (ScorchHotspotView  *self,
                                                       guint32             frame);
/* Sorts by COLUMN, as a click on its header does. */
void           scorch_hotspot_view_sort_by            (ScorchHotspotView  *self,
                                                       ScorchHotspotColumn column,
                                                       GtkSortType         order);
/* The rows as shown (filtered and sorted), of ScorchFunctionItem. */
GListModel    *scorch_hotspot_view_get_model          (ScorchHotspotView  *self);

G_END_DECLS
