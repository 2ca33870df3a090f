/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-summary-view.h: the capture summary page: what the capture is
 * (command, host, perf version, event, duration, samples, stack mode,
 * exit status) and how far its stacks can be trusted (the unwind
 * diagnostics with their advice, modules without symbols). */

#pragma once

#include <adwaita.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_SUMMARY_VIEW (scorch_summary_view_get_type ())
G_DECLARE_FINAL_TYPE (ScorchSummaryView, scorch_summary_view, SCORCH, SUMMARY_VIEW, AdwBin)

GtkWidget     *scorch_summary_view_new         (void);
/* The whole capture's profile (its info holds the diagnostics), or NULL. */
void           scorch_summary_view_set_profile (ScorchSummaryView *self,
                                                ScorchProfile     *profile);
ScorchProfile *scorch_summary_view_get_profile (ScorchSummaryView *self);
/* The row of a capture fact ("samples", "exit-status", … as in
 * ScorchCaptureFact.id), or NULL when the capture does not say. */
AdwActionRow  *scorch_summary_view_get_fact_row (ScorchSummaryView *self,
                                                 const char        *id);
/* For the window's status line: the most important advice of the
 * capture (or a general note without diagnostics) as a link to the
 * summary page (href "summary"). */
char          *scorch_summary_view_dup_hint_markup (ScorchDiagnostics *diagnostics);

G_END_DECLS
