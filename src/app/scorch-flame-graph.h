/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-graph.h: the zoomable, searchable flame graph widget */

#pragma once

#include <gtk/gtk.h>

#include "scorch-flame-renderer.h"
#include "scorch-search.h"
#include "scorch-zoom-history.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_FLAME_ORIENTATION (scorch_flame_orientation_get_type ())
#define SCORCH_TYPE_FLAME_COLOR_SCHEME (scorch_flame_color_scheme_get_type ())
GType scorch_flame_orientation_get_type  (void);
GType scorch_flame_color_scheme_get_type (void);

#define SCORCH_TYPE_FLAME_GRAPH (scorch_flame_graph_get_type ())
G_DECLARE_FINAL_TYPE (ScorchFlameGraph, scorch_flame_graph, SCORCH, FLAME_GRAPH, GtkWidget)

/*
 * Actions (gtk_widget_class_install_action), with their key bindings:
 *   flame.zoom-in           Ctrl+plus     zoom to the selected frame (or 2× around the centre)
 *   flame.zoom-out          Escape, BackSpace, Ctrl+minus   out to the first caller wider
 *                                         than the zoomed frame (one press, one visible change)
 *   flame.zoom-reset        Home, Ctrl+0  the whole graph
 *   flame.back              Alt+Left, Back, mouse button 8     the previous zoom root
 *   flame.forward           Alt+Right, Forward, mouse button 9 the next zoom root
 *   flame.zoom-to  (u)                    zoom to a node
 *   flame.search   (s)                    set the search text
 *   flame.toggle-orientation              flame <-> icicle
 *   flame.toggle-inverted                 top-down <-> bottom-up
 *   flame.select-parent / flame.select-child / flame.select-previous / flame.select-next
 *   flame.select-up / flame.select-down   Up / Down: towards the leaves or the root as drawn
 *                                         Left / Right: previous / next frame in the row
 *   flame.activate          Enter         zoom to the selection (emits frame-activated)
 *   flame.copy-name                       copy the selected function's name
 *   flame.show-in-hotspots                emits show-in-hotspots and activates
 *                                         "win.show-in-hotspots" (u: frame id)
 * Signals: frame-activated (guint node), selection-changed (), show-in-hotspots (guint frame).
 */

GtkWidget          *scorch_flame_graph_new                (void);

ScorchProfile      *scorch_flame_graph_get_profile        (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_profile        (ScorchFlameGraph       *self,
                                                           ScorchProfile          *profile);
/* The profile drawn: the inverted one when inverted is set. Node ids
 * (zoom-node, selected-node) refer to it. */
ScorchProfile      *scorch_flame_graph_get_displayed_profile (ScorchFlameGraph    *self);
gboolean            scorch_flame_graph_get_inverted       (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_inverted       (ScorchFlameGraph       *self,
                                                           gboolean                inverted);
ScorchFlameOrientation scorch_flame_graph_get_orientation (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_orientation    (ScorchFlameGraph       *self,
                                                           ScorchFlameOrientation  orientation);
ScorchFlameColorScheme scorch_flame_graph_get_color_scheme (ScorchFlameGraph      *self);
/* How frame labels shorten names (the "collapse-templates" preference). */
void                scorch_flame_graph_set_name_flags     (ScorchFlameGraph       *self,
                                                           ScorchDisplayNameFlags  flags);
void                scorch_flame_graph_set_color_scheme   (ScorchFlameGraph       *self,
                                                           ScorchFlameColorScheme  scheme);

const char         *scorch_flame_graph_get_search_text    (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_search_text    (ScorchFlameGraph       *self,
                                                           const char             *text);
gboolean            scorch_flame_graph_get_search_regex   (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_search_regex   (ScorchFlameGraph       *self,
                                                           gboolean                regex);
gboolean            scorch_flame_graph_get_search_case_sensitive (ScorchFlameGraph *self);
void                scorch_flame_graph_set_search_case_sensitive (ScorchFlameGraph *self,
                                                                  gboolean          case_sensitive);
/* Share of samples under matching frames, each sample counted once; 0 without a search. */
double              scorch_flame_graph_get_matched_fraction (ScorchFlameGraph     *self);
/* FALSE when the search text is not a valid regular expression. */
gboolean            scorch_flame_graph_get_search_valid   (ScorchFlameGraph       *self);
/* The search (the session's, bound by the window; the text properties
 * above build one too), NULL: none.  The matches are computed when the
 * graph is mapped: a hidden graph does not search. */
ScorchSearch       *scorch_flame_graph_get_search         (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_search         (ScorchFlameGraph       *self,
                                                           ScorchSearch           *search);

guint32             scorch_flame_graph_get_zoom_node      (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_zoom_node      (ScorchFlameGraph       *self,
                                                           guint32                 node);
/* Nodes from the root to the zoom node (of guint32). */
GArray             *scorch_flame_graph_dup_zoom_path      (ScorchFlameGraph       *self);
/* The zoom history behind flame.back / flame.forward ("zoom-history"):
 * every zoom the person asks for is pushed to it, and the graph follows its
 * "current" entry, so an owner (a session) may share one between views. */
ScorchZoomHistory  *scorch_flame_graph_get_zoom_history   (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_zoom_history   (ScorchFlameGraph       *self,
                                                           ScorchZoomHistory      *history);
guint32             scorch_flame_graph_get_selected_node  (ScorchFlameGraph       *self);
void                scorch_flame_graph_set_selected_node  (ScorchFlameGraph       *self,
                                                           guint32                 node);
/* "highlight-frame": every node of this frame id drawn highlighted
 * (G_MAXUINT32: none). */
guint32             scorch_flame_graph_get_highlight_frame (ScorchFlameGraph      *self);
void                scorch_flame_graph_set_highlight_frame (ScorchFlameGraph      *self,
                                                            guint32                frame);
/* The horizontal range shown, as fractions of the zoom node's width. */
void                scorch_flame_graph_get_visible_range  (ScorchFlameGraph       *self,
                                                           double                 *x_begin,
                                                           double                 *x_end);

/* Differential colouring (compare two captures): DIFF's SIDE profile must
 * be the one set with set_profile(); the tooltip then shows both values
 * and the delta.  NULL: the colour scheme again. */
void                scorch_flame_graph_set_diff           (ScorchFlameGraph       *self,
                                                           ScorchDiff             *diff,
                                                           ScorchDiffSide          side);
ScorchDiff         *scorch_flame_graph_get_diff           (ScorchFlameGraph       *self,
                                                           ScorchDiffSide         *side);

/* For tests and export: the layout of the last frame drawn. */
ScorchFlameLayout  *scorch_flame_graph_get_layout         (ScorchFlameGraph       *self);
/* Export what is shown (the zoom node, search, orientation, colours). */
gboolean            scorch_flame_graph_export             (ScorchFlameGraph       *self,
                                                           const char             *path,
                                                           guint                   width,
                                                           GError                **error);

G_END_DECLS
