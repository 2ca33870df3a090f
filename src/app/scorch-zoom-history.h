/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-zoom-history.h: the zoom roots a person went through, with back and forward
 *
 * A browser-like history of zoom roots (call-tree node ids):
 *   scorch_zoom_history_push (h, node)   a new zoom: drops the forward entries,
 *                                        ignored when node is the current entry
 *   scorch_zoom_history_go_back (h, &n)  one step back, TRUE and *n when possible
 *   scorch_zoom_history_go_forward (h, &n)
 *   scorch_zoom_history_reset (h, root)  forget everything, root is the only entry
 * Properties: "can-go-back", "can-go-forward" (read-only, notified on change),
 * "current" (the node of the current entry).  The history only stores ids:
 * the owner resets it when the tree they refer to changes. */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SCORCH_TYPE_ZOOM_HISTORY (scorch_zoom_history_get_type ())
G_DECLARE_FINAL_TYPE (ScorchZoomHistory, scorch_zoom_history, SCORCH, ZOOM_HISTORY, GObject)

ScorchZoomHistory *scorch_zoom_history_new            (guint32            root);
void               scorch_zoom_history_reset          (ScorchZoomHistory *self,
                                                       guint32            root);
void               scorch_zoom_history_push           (ScorchZoomHistory *self,
                                                       guint32            node);
guint32            scorch_zoom_history_get_current    (ScorchZoomHistory *self);
/* Each step with whether it can be taken (the "can-go-*" properties). */
gboolean           scorch_zoom_history_get_can_go_back    (ScorchZoomHistory *self);
gboolean           scorch_zoom_history_go_back            (ScorchZoomHistory *self,
                                                           guint32           *node);
gboolean           scorch_zoom_history_get_can_go_forward (ScorchZoomHistory *self);
gboolean           scorch_zoom_history_go_forward         (ScorchZoomHistory *self,
                                                           guint32           *node);

G_END_DECLS
