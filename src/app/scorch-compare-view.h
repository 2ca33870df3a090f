/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-compare-view.h: two captures compared: a differential flame graph
 * above a table of functions by change, linked both ways */

#pragma once

#include <gtk/gtk.h>

#include "scorch-diff.h"
#include "scorch-flame-graph.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_COMPARE_VIEW (scorch_compare_view_get_type ())
G_DECLARE_FINAL_TYPE (ScorchCompareView, scorch_compare_view, SCORCH, COMPARE_VIEW, GtkWidget)

/*
 * Actions: compare.baseline-shape (the "baseline-shape" property: draw the
 * baseline's call tree instead of the new capture's), compare.rates (the
 * "rates" property: samples per second instead of shares; disabled when a
 * capture has no sample times), compare.close (emits "close"), compare.export
 * (s: "svg", "png" or "pdf": asks where to write the graph as shown).
 * Signals: close ().
 */

GtkWidget        *scorch_compare_view_new            (void);
/* Compares NEW_PROFILE with BASE; the titles name them (e.g. file names). */
void              scorch_compare_view_set_profiles   (ScorchCompareView *self,
                                                      ScorchProfile     *base,
                                                      ScorchProfile     *new_profile,
                                                      const char        *base_title,
                                                      const char        *new_title);
ScorchDiff       *scorch_compare_view_get_diff       (ScorchCompareView *self);
gboolean          scorch_compare_view_get_baseline_shape (ScorchCompareView *self);
void              scorch_compare_view_set_baseline_shape (ScorchCompareView *self,
                                                          gboolean           baseline_shape);
gboolean          scorch_compare_view_get_rates      (ScorchCompareView *self);
void              scorch_compare_view_set_rates      (ScorchCompareView *self,
                                                      gboolean           rates);
/* Writes the differential flame graph as shown (.svg, .png or .pdf). */
gboolean          scorch_compare_view_export         (ScorchCompareView *self,
                                                      const char        *path,
                                                      GError           **error);
/* Parts, for tests. */
ScorchFlameGraph *scorch_compare_view_get_flame_graph (ScorchCompareView *self);
GtkColumnView    *scorch_compare_view_get_table      (ScorchCompareView *self);
/* The table's rows as shown (sorted, filtered), of ScorchDiffItem. */
GtkSingleSelection *scorch_compare_view_get_selection (ScorchCompareView *self);

G_END_DECLS
