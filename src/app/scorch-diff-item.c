/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-diff-item.c: one function of a comparison, a row of the diff table */

#include "config.h"

#define G_LOG_DOMAIN "scorch-compare"

#include <gio/gio.h>
#include <math.h>

#include "scorch-diff-item.h"
#include "scorch-text.h"

struct _ScorchDiffItem
{
  GObject     parent_instance;

  /* owned */
  ScorchDiff *diff;
  char       *function;   /* display-safe */
  char       *module;     /* display-safe */

  guint       position;
  double      values[6];  /* base self, new self, delta self, base total, new total, delta total */
  int         change_self;
  int         change_total;
};

G_DEFINE_FINAL_TYPE (ScorchDiffItem, scorch_diff_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FUNCTION,
  PROP_MODULE,
  PROP_BASE_SELF,
  PROP_NEW_SELF,
  PROP_DELTA_SELF,
  PROP_BASE_TOTAL,
  PROP_NEW_TOTAL,
  PROP_DELTA_TOTAL,
  PROP_ABS_DELTA_SELF,
  PROP_ABS_DELTA_TOTAL,
  PROP_CHANGE_SELF,
  PROP_CHANGE_TOTAL,
  PROP_POSITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
scorch_diff_item_finalize (GObject *object)
{
  ScorchDiffItem *self = SCORCH_DIFF_ITEM (object);

  g_clear_object (&self->diff);
  g_clear_pointer (&self->function, g_free);
  g_clear_pointer (&self->module, g_free);

  G_OBJECT_CLASS (scorch_diff_item_parent_class)->finalize (object);
}

static void
scorch_diff_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ScorchDiffItem *self = SCORCH_DIFF_ITEM (object);

  switch (prop_id)
    {
    case PROP_FUNCTION:
      g_value_set_string (value, self->function);
      break;
    case PROP_MODULE:
      g_value_set_string (value, self->module);
      break;
    case PROP_BASE_SELF:
    case PROP_NEW_SELF:
    case PROP_DELTA_SELF:
    case PROP_BASE_TOTAL:
    case PROP_NEW_TOTAL:
    case PROP_DELTA_TOTAL:
      g_value_set_double (value, self->values[prop_id - PROP_BASE_SELF]);
      break;
    case PROP_ABS_DELTA_SELF:
      g_value_set_double (value, fabs (self->values[2]));
      break;
    case PROP_ABS_DELTA_TOTAL:
      g_value_set_double (value, fabs (self->values[5]));
      break;
    case PROP_CHANGE_SELF:
      g_value_set_int (value, self->change_self);
      break;
    case PROP_CHANGE_TOTAL:
      g_value_set_int (value, self->change_total);
      break;
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_diff_item_class_init (ScorchDiffItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  static const char *const names[] = {
    "base-self", "new-self", "delta-self", "base-total", "new-total", "delta-total",
    "abs-delta-self", "abs-delta-total",
  };

  object_class->finalize = scorch_diff_item_finalize;
  object_class->get_property = scorch_diff_item_get_property;

  properties[PROP_FUNCTION] =
    g_param_spec_string ("function", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODULE] =
    g_param_spec_string ("module", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    properties[PROP_BASE_SELF + i] =
      g_param_spec_double (names[i], NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANGE_SELF] =
    g_param_spec_int ("change-self", NULL, NULL, 0, 2, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANGE_TOTAL] =
    g_param_spec_int ("change-total", NULL, NULL, 0, 2, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scorch_diff_item_init (ScorchDiffItem *self)
{
}

ScorchDiffItem *
scorch_diff_item_new (ScorchDiff *diff,
                      guint       position)
{
  ScorchDiffItem *self;
  const ScorchDiffFunction *functions;
  const ScorchDiffFunction *f;
  guint n;

  g_return_val_if_fail (SCORCH_IS_DIFF (diff), NULL);
  functions = scorch_diff_get_functions (diff, &n);
  g_return_val_if_fail (position < n, NULL);

  f = &functions[position];
  self = g_object_new (SCORCH_TYPE_DIFF_ITEM, NULL);
  self->diff = g_object_ref (diff);
  self->position = position;
  self->function = scorch_text_to_display (f->function);
  self->module = scorch_text_to_display (f->module);
  self->values[0] = scorch_diff_normalize (diff, SCORCH_DIFF_BASE, f->base_self);
  self->values[1] = scorch_diff_normalize (diff, SCORCH_DIFF_NEW, f->new_self);
  self->change_self = scorch_diff_compare (diff, f->base_self, f->new_self, &self->values[2]);
  self->values[3] = scorch_diff_normalize (diff, SCORCH_DIFF_BASE, f->base_total);
  self->values[4] = scorch_diff_normalize (diff, SCORCH_DIFF_NEW, f->new_total);
  self->change_total = scorch_diff_compare (diff, f->base_total, f->new_total, &self->values[5]);
  return self;
}

ScorchDiff *
scorch_diff_item_get_diff (ScorchDiffItem *self)
{
  g_return_val_if_fail (SCORCH_IS_DIFF_ITEM (self), NULL);

  return self->diff;
}

guint
scorch_diff_item_get_position (ScorchDiffItem *self)
{
  g_return_val_if_fail (SCORCH_IS_DIFF_ITEM (self), 0);

  return self->position;
}

const ScorchDiffFunction *
scorch_diff_item_get_function (ScorchDiffItem *self)
{
  g_return_val_if_fail (SCORCH_IS_DIFF_ITEM (self), NULL);

  return &scorch_diff_get_functions (self->diff, NULL)[self->position];
}

GListModel *
scorch_diff_item_list_new (ScorchDiff *diff)
{
  GListStore *store = g_list_store_new (SCORCH_TYPE_DIFF_ITEM);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  g_return_val_if_fail (SCORCH_IS_DIFF (diff), NULL);

  scorch_diff_get_functions (diff, &n);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, scorch_diff_item_new (diff, i));
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  return G_LIST_MODEL (store);
}
