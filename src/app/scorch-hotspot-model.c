/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-hotspot-model.c: a profile's hotspots as a GListModel of ScorchFunctionItem, items made on demand
 *
 * The hotspot table of a capture has one row per function, tens of
 * thousands of them, and shows a few dozen. The rows are the profile's
 * hotspot array as it is (already sorted by self, the table's default
 * order); a row's ScorchFunctionItem is made the first time someone asks
 * for it and kept while the profile is the same, so that the same row is
 * always the same object (selections and list views compare them). A
 * sort by another column or a search asks for every item, as a
 * GListStore of them would have cost up front.
 */

#include "config.h"

#define G_LOG_DOMAIN "scorch-hotspot-model"

#include "scorch-function-item.h"
#include "scorch-hotspot-model.h"

struct _ScorchHotspotModel
{
  GObject              parent_instance;

  /* owned */
  ScorchProfile       *profile;
  ScorchFunctionItem **items;     /* per row, NULL: not made yet */

  /* borrowed from the profile */
  const ScorchHotspot *hotspots;
  guint                n_hotspots;
  guint                n_made;
};

static GType
scorch_hotspot_model_get_item_type (GListModel *model)
{
  return SCORCH_TYPE_FUNCTION_ITEM;
}

static guint
scorch_hotspot_model_get_n_items (GListModel *model)
{
  return SCORCH_HOTSPOT_MODEL (model)->n_hotspots;
}

static gpointer
scorch_hotspot_model_get_item (GListModel *model,
                               guint       position)
{
  ScorchHotspotModel *self = SCORCH_HOTSPOT_MODEL (model);
  const ScorchHotspot *h;

  if (position >= self->n_hotspots)
    return NULL;
  if (self->items[position] == NULL)
    {
      h = &self->hotspots[position];
      self->items[position] = scorch_function_item_new (self->profile, h->frame, SCORCH_NODE_NONE,
                                                        h->self, h->total);
      self->n_made++;
    }
  return g_object_ref (self->items[position]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = scorch_hotspot_model_get_item_type;
  iface->get_n_items = scorch_hotspot_model_get_n_items;
  iface->get_item = scorch_hotspot_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ScorchHotspotModel, scorch_hotspot_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
clear_rows (ScorchHotspotModel *self)
{
  if (self->items != NULL)
    for (guint i = 0; i < self->n_hotspots; i++)
      g_clear_object (&self->items[i]);
  g_clear_pointer (&self->items, g_free);
  g_clear_object (&self->profile);
  self->hotspots = NULL;
  self->n_hotspots = 0;
  self->n_made = 0;
}

static void
scorch_hotspot_model_dispose (GObject *object)
{
  clear_rows (SCORCH_HOTSPOT_MODEL (object));

  G_OBJECT_CLASS (scorch_hotspot_model_parent_class)->dispose (object);
}

static void
scorch_hotspot_model_class_init (ScorchHotspotModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = scorch_hotspot_model_dispose;
}

static void
scorch_hotspot_model_init (ScorchHotspotModel *self)
{
}

ScorchHotspotModel *
scorch_hotspot_model_new (void)
{
  return g_object_new (SCORCH_TYPE_HOTSPOT_MODEL, NULL);
}

ScorchProfile *
scorch_hotspot_model_get_profile (ScorchHotspotModel *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_MODEL (self), NULL);

  return self->profile;
}

void
scorch_hotspot_model_set_profile (ScorchHotspotModel *self,
                                  ScorchProfile      *profile)
{
  guint removed;

  g_return_if_fail (SCORCH_IS_HOTSPOT_MODEL (self));
  g_return_if_fail (profile == NULL || SCORCH_IS_PROFILE (profile));

  removed = self->n_hotspots;
  if (profile != NULL)
    g_object_ref (profile);
  clear_rows (self);
  self->profile = profile;
  if (profile != NULL)
    {
      self->hotspots = scorch_profile_get_hotspots (profile, &self->n_hotspots);
      self->items = g_new0 (ScorchFunctionItem *, MAX (self->n_hotspots, 1));
    }
  if (removed > 0 || self->n_hotspots > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->n_hotspots);
}

guint
scorch_hotspot_model_find_frame (ScorchHotspotModel *self,
                                 guint32             frame)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_MODEL (self), G_MAXUINT);

  for (guint i = 0; i < self->n_hotspots; i++)
    if (self->hotspots[i].frame == frame)
      return i;
  return G_MAXUINT;
}

guint
scorch_hotspot_model_get_n_made (ScorchHotspotModel *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_MODEL (self), 0);

  return self->n_made;
}
