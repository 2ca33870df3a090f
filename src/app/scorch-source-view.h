/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-source-view.h: a window with one function's source (per-line
 * samples and heat bars in the gutter) and disassembly (per-instruction
 * samples, interleaved source lines, clickable jump targets). */

#pragma once

#include <adwaita.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_SOURCE_VIEW (scorch_source_view_get_type ())
G_DECLARE_FINAL_TYPE (ScorchSourceView, scorch_source_view, SCORCH, SOURCE_VIEW, AdwWindow)

/* Starts reading the function's annotation in a worker thread. */
ScorchSourceView *scorch_source_view_new              (GtkWindow        *parent,
                                                       ScorchProfile    *profile,
                                                       guint32           frame);
/* For tests: TRUE once the annotation is shown (or failed). */
gboolean          scorch_source_view_is_loaded        (ScorchSourceView *self);
/* For tests: the line of the source (1-based) with most self samples, or 0. */
guint             scorch_source_view_get_hottest_line (ScorchSourceView *self);
/* For tests: the text of the message area ("" when nothing is missing). */
const char       *scorch_source_view_get_message      (ScorchSourceView *self);
/* For tests: the visible page, "source", "disassembly" or "loading". */
const char       *scorch_source_view_get_page         (ScorchSourceView *self);
/* For tests: the source widget (a GtkSourceView) and the disassembly's. */
GtkTextView      *scorch_source_view_get_text_view    (ScorchSourceView *self,
                                                       gboolean          disassembly);

G_END_DECLS
