/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-list-util.h: cells and sorters of the function tables (hotspot
 * table, call tree, caller/callee), built in C, and the first fill of the
 * lists in panes (hotspot table, thread list, process list) */

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

/* -- the first fill of a list in a pane: a new profile makes only the
 * rows the pane can show in its first frame; once those are drawn, the
 * others are made in a low-priority idle, so that input and frames go
 * first -- */

/* The height of VIEW's rows as drawn (0: not known yet), and the rows of
 * ROW_HEIGHT pixels PANE can show, in its height or a quarter of its
 * window's before it has one (at least MIN_ROWS; G_MAXUINT: all, nothing
 * is known). */
int                 scorch_list_drawn_row_height     (GtkColumnView     *view);
guint               scorch_list_first_fill_rows      (GtkWidget         *pane,
                                                      int                row_height,
                                                      guint              min_rows);

/* Makes up to STEP more of ROWS' rows (G_MAXUINT: all of them); FALSE
 * once every row is made. */
typedef gboolean (*ScorchListFillMore) (gpointer rows,
                                        guint    step);

typedef struct
{
  GtkWidget          *list;             /* borrowed */
  ScorchListFillMore  more;
  gpointer            rows;             /* MORE's, borrowed */
  guint               step;
  int                *row_height_seen;  /* of lists of its kind, as last drawn */
  guint               idle_id;          /* making the other rows, 0: not */
  guint               pending : 1;      /* make them once the first rows are drawn */
} ScorchListFill;

/* LIST's rows after its first ones are made by MORE (ROWS, STEP rows per
 * idle); ROW_HEIGHT_SEEN keeps the height of a row as drawn (0: none yet),
 * for the next first fill of a list of the same kind. */
void                scorch_list_fill_init            (ScorchListFill     *fill,
                                                      GtkWidget          *list,
                                                      ScorchListFillMore  more,
                                                      gpointer            rows,
                                                      guint               step,
                                                      int                *row_height_seen);
/* The MORE of a list whose rows are ROWS, a GtkSliceListModel: the slice
 * grows by STEP rows. */
gboolean            scorch_list_fill_grow_slice      (gpointer            rows,
                                                      guint               step);
/* The list has made its first rows: the others after the next frame. */
void                scorch_list_fill_begin           (ScorchListFill     *fill);
/* From the list's snapshot, after its parent's: DRAWN_ROW_HEIGHT is the
 * height of a row as drawn (0: not known); the rows not made yet are made
 * in an idle once the first ones are drawn. */
void                scorch_list_fill_snapshot        (ScorchListFill     *fill,
                                                      int                 drawn_row_height);
/* Every row now (one asked for, or too few rows to wait for a frame). */
void                scorch_list_fill_all             (ScorchListFill     *fill);
/* Nothing left to make later (the list starts a new fill, or goes away). */
void                scorch_list_fill_clear           (ScorchListFill     *fill);

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
