/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-thread-item.c: one row of the thread list */

#include "config.h"

#define G_LOG_DOMAIN "scorch-thread-item"

#include <glib/gi18n.h>

#include "scorch-function-item.h"
#include "scorch-thread-item.h"
#include "scorch-text.h"

struct _ScorchThreadItem
{
  GObject  parent_instance;

  /* owned */
  char    *name;
  char    *tid_text;
  char    *samples_text;

  gint32   pid;
  gint32   tid;
  guint64  n_samples;
  gboolean active;
};

enum {
  PROP_0,
  PROP_PID,
  PROP_TID,
  PROP_NAME,
  PROP_TID_TEXT,
  PROP_N_SAMPLES,
  PROP_SAMPLES_TEXT,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchThreadItem, scorch_thread_item, G_TYPE_OBJECT)

static void
scorch_thread_item_finalize (GObject *object)
{
  ScorchThreadItem *self = SCORCH_THREAD_ITEM (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->tid_text, g_free);
  g_clear_pointer (&self->samples_text, g_free);

  G_OBJECT_CLASS (scorch_thread_item_parent_class)->finalize (object);
}

static void
scorch_thread_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ScorchThreadItem *self = SCORCH_THREAD_ITEM (object);

  switch (prop_id)
    {
    case PROP_PID:
      g_value_set_int (value, self->pid);
      break;
    case PROP_TID:
      g_value_set_int (value, self->tid);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TID_TEXT:
      g_value_set_string (value, self->tid_text);
      break;
    case PROP_N_SAMPLES:
      g_value_set_uint64 (value, self->n_samples);
      break;
    case PROP_SAMPLES_TEXT:
      g_value_set_string (value, self->samples_text);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_thread_item_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ScorchThreadItem *self = SCORCH_THREAD_ITEM (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      scorch_thread_item_set_active (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_thread_item_class_init (ScorchThreadItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = scorch_thread_item_finalize;
  object_class->get_property = scorch_thread_item_get_property;
  object_class->set_property = scorch_thread_item_set_property;

  properties[PROP_PID] = g_param_spec_int ("pid", NULL, NULL, G_MININT32, G_MAXINT32, 0, ro);
  properties[PROP_TID] = g_param_spec_int ("tid", NULL, NULL, G_MININT32, G_MAXINT32, 0, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_TID_TEXT] = g_param_spec_string ("tid-text", NULL, NULL, NULL, ro);
  properties[PROP_N_SAMPLES] = g_param_spec_uint64 ("n-samples", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_SAMPLES_TEXT] = g_param_spec_string ("samples-text", NULL, NULL, NULL, ro);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scorch_thread_item_init (ScorchThreadItem *self)
{
  self->active = TRUE;
}

ScorchThreadItem *
scorch_thread_item_new (gint32      pid,
                        gint32      tid,
                        const char *name,
                        guint64     n_samples)
{
  ScorchThreadItem *self = g_object_new (SCORCH_TYPE_THREAD_ITEM, NULL);

  self->pid = pid;
  self->tid = tid;
  /* Translators: the name of a thread whose name the capture does not record */
  /* The name (comm) comes from the capture. */
  self->name = name != NULL && name[0] != '\0' ? scorch_text_to_display (name) : g_strdup (_("Unnamed thread"));
  self->tid_text = g_strdup_printf ("%d", tid);
  self->n_samples = n_samples;
  self->samples_text = scorch_format_count (n_samples);
  return self;
}

gint32
scorch_thread_item_get_pid (ScorchThreadItem *self)
{
  g_return_val_if_fail (SCORCH_IS_THREAD_ITEM (self), 0);
  return self->pid;
}

gint32
scorch_thread_item_get_tid (ScorchThreadItem *self)
{
  g_return_val_if_fail (SCORCH_IS_THREAD_ITEM (self), 0);
  return self->tid;
}

const char *
scorch_thread_item_get_name (ScorchThreadItem *self)
{
  g_return_val_if_fail (SCORCH_IS_THREAD_ITEM (self), NULL);
  return self->name;
}

guint64
scorch_thread_item_get_n_samples (ScorchThreadItem *self)
{
  g_return_val_if_fail (SCORCH_IS_THREAD_ITEM (self), 0);
  return self->n_samples;
}

gboolean
scorch_thread_item_get_active (ScorchThreadItem *self)
{
  g_return_val_if_fail (SCORCH_IS_THREAD_ITEM (self), FALSE);
  return self->active;
}

void
scorch_thread_item_set_active (ScorchThreadItem *self,
                               gboolean          active)
{
  g_return_if_fail (SCORCH_IS_THREAD_ITEM (self));

  active = !!active;
  if (self->active == active)
    return;
  self->active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}
