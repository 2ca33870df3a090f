/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-hotspot-model.h: a profile's hotspots as a GListModel of ScorchFunctionItem, items made on demand */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_HOTSPOT_MODEL (scorch_hotspot_model_get_type ())

G_DECLARE_FINAL_TYPE (ScorchHotspotModel, scorch_hotspot_model, SCORCH, HOTSPOT_MODEL, GObject)

ScorchHotspotModel *scorch_hotspot_model_new           (void);
ScorchProfile      *scorch_hotspot_model_get_profile   (ScorchHotspotModel *self);
/* Replaces every row: one per function of PROFILE (NULL: none), in the
 * profile's hotspot order (self descending). */
void                scorch_hotspot_model_set_profile   (ScorchHotspotModel *self,
                                                        ScorchProfile      *profile);
/* The row of FRAME, or G_MAXUINT; makes no item. */
guint               scorch_hotspot_model_find_frame    (ScorchHotspotModel *self,
                                                        guint32             frame);
/* How many rows have an item (tests: the rows nobody asked for have none). */
guint               scorch_hotspot_model_get_n_made    (ScorchHotspotModel *self);

G_END_DECLS
