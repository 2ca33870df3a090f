/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-list-util.h: cells and sorters of the function tables (hotspot
 * table, call tree, caller/callee), built in C */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What a cell of a ScorchFunctionItem row shows. */
typedef enum
{
  SCORCH_FUNCTION_CELL_NAME,           /* display name, full name as tooltip */
  SCORCH_FUNCTION_CELL_SELF_PERCENT,   /* "12.34 %" and a bar */
  SCORCH_FUNCTION_CELL_TOTAL_PERCENT,
  SCORCH_FUNCTION_CELL_SELF,           /* sample counts */
  SCORCH_FUNCTION_CELL_TOTAL,
  SCORCH_FUNCTION_CELL_MODULE,         /* file name, full path as tooltip */
  SCORCH_FUNCTION_CELL_SOURCE,
} ScorchFunctionCell;

/* A factory whose cells (GtkInscription, with a bar for the percentages)
 * are made in C and filled from the ScorchFunctionItem when bound: no
 * GtkBuilder template and no expression watch per cell. The cells ask for
 * a size computed once from the font (no text is measured or shaped until
 * a cell is drawn), so that the first fill of a table of 200 rows costs
 * little more than the rows on screen. */
GtkListItemFactory *scorch_function_cell_factory_new (ScorchFunctionCell cell);

/* The same for a GtkTreeListModel of ScorchFunctionItems: the list items
 * are GtkTreeListRows, and the name cell is inside a GtkTreeExpander. */
GtkListItemFactory *scorch_function_tree_cell_factory_new (ScorchFunctionCell cell);

/* A single-line GtkInscription, ellipsized at the end, that asks for
 * CHARS characters' width (0: no width) and one line's height from a size
 * computed once per font, without measuring its text. NUMERIC: tabular
 * digits (the "numeric" style class). */
GtkWidget          *scorch_list_text_cell_new        (float               xalign,
                                                      guint               chars,
                                                      gboolean            numeric);

/* A cell holding a single-line GtkInscription, ellipsized at the end,
 * that measures as that inscription would with MIN_CHARS and NAT_CHARS
 * (GtkInscription's min-chars and nat-chars) and one line, from the font's
 * metrics looked up once per font instead of on every measure. NUMERIC:
 * tabular digits (the "numeric" style class). Its text:
 * scorch_list_inscription_get_text(). */
GtkWidget          *scorch_list_inscription_new      (float               xalign,
                                                      guint               min_chars,
                                                      guint               nat_chars,
                                                      gboolean            numeric);
GtkInscription     *scorch_list_inscription_get_text (GtkWidget          *cell);

/* The height of a line of text in WIDGET's font, in pixels: a row of
 * function cells is at least that tall. */
int                 scorch_function_cell_line_height (GtkWidget         *widget);

/* The first fill of a list in a pane (a new profile makes only the rows
 * the pane can show): the height of VIEW's N_ROWS rows as drawn (0: not
 * known yet), and the rows of ROW_HEIGHT pixels PANE can show, in its
 * height or a quarter of its window's before it has one (at least
 * MIN_ROWS; G_MAXUINT: all, nothing is known). */
int                 scorch_list_drawn_row_height     (GtkScrollable     *view,
                                                      guint              n_rows);
guint               scorch_list_first_fill_rows      (GtkWidget         *pane,
                                                      int                row_height,
                                                      guint              min_rows);

/* A sorter of ScorchFunctionItem by self or total samples, with C
 * comparisons (a GtkNumericSorter reads a property through GValues on
 * every comparison). Other cells: NULL. */
GtkSorter          *scorch_function_sorter_new       (ScorchFunctionCell cell);

/* Sets COLUMN's factory to CELL's cells (of a tree when IN_TREE) and, for
 * the counts, its sorter to scorch_function_sorter_new()'s; a sorter of
 * the other cells (by name, module, source) is left as it is. */
void                scorch_function_column_set_cell  (GtkColumnViewColumn *column,
                                                      ScorchFunctionCell   cell,
                                                      gboolean             in_tree);

G_END_DECLS
