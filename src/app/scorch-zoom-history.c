/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-zoom-history.c: the zoom roots a person went through, with back and forward
 *
 * One array of node ids and a position in it.  Entries after the position
 * are the forward history; pushing a new zoom drops them, as a browser
 * does.  The array is capped so a long session cannot grow it without end. */

#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "scorch-flame"

#include "scorch-zoom-history.h"

#define MAX_ENTRIES 256

struct _ScorchZoomHistory
{
  GObject  parent_instance;

  GArray  *entries;  /* of guint32, never empty */
  guint    position; /* index of the current entry */
};

enum {
  PROP_0,
  PROP_CAN_GO_BACK,
  PROP_CAN_GO_FORWARD,
  PROP_CURRENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchZoomHistory, scorch_zoom_history, G_TYPE_OBJECT)

typedef struct
{
  gboolean back;
  gboolean forward;
  guint32  current;
} State;

static State
get_state (ScorchZoomHistory *self)
{
  return (State) {
    .back = self->position > 0,
    .forward = self->position + 1 < self->entries->len,
    .current = g_array_index (self->entries, guint32, self->position),
  };
}

/* Notifies what changed between OLD and now. */
static void
notify_changes (ScorchZoomHistory *self,
                State              old)
{
  State now = get_state (self);

  if (old.back != now.back)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_GO_BACK]);
  if (old.forward != now.forward)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_GO_FORWARD]);
  if (old.current != now.current)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
}

static void
scorch_zoom_history_finalize (GObject *object)
{
  ScorchZoomHistory *self = SCORCH_ZOOM_HISTORY (object);

  g_clear_pointer (&self->entries, g_array_unref);

  G_OBJECT_CLASS (scorch_zoom_history_parent_class)->finalize (object);
}

static void
scorch_zoom_history_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ScorchZoomHistory *self = SCORCH_ZOOM_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CAN_GO_BACK:
      g_value_set_boolean (value, scorch_zoom_history_get_can_go_back (self));
      break;
    case PROP_CAN_GO_FORWARD:
      g_value_set_boolean (value, scorch_zoom_history_get_can_go_forward (self));
      break;
    case PROP_CURRENT:
      g_value_set_uint (value, scorch_zoom_history_get_current (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_zoom_history_class_init (ScorchZoomHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scorch_zoom_history_finalize;
  object_class->get_property = scorch_zoom_history_get_property;

  properties[PROP_CAN_GO_BACK] =
    g_param_spec_boolean ("can-go-back", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_GO_FORWARD] =
    g_param_spec_boolean ("can-go-forward", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT] =
    g_param_spec_uint ("current", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scorch_zoom_history_init (ScorchZoomHistory *self)
{
  guint32 root = 0;

  self->entries = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_val (self->entries, root);
}

ScorchZoomHistory *
scorch_zoom_history_new (guint32 root)
{
  ScorchZoomHistory *self = g_object_new (SCORCH_TYPE_ZOOM_HISTORY, NULL);

  g_array_index (self->entries, guint32, 0) = root;
  return self;
}

void
scorch_zoom_history_reset (ScorchZoomHistory *self,
                           guint32            root)
{
  State old;

  g_return_if_fail (SCORCH_IS_ZOOM_HISTORY (self));

  old = get_state (self);
  g_array_set_size (self->entries, 1);
  g_array_index (self->entries, guint32, 0) = root;
  self->position = 0;
  notify_changes (self, old);
}

void
scorch_zoom_history_push (ScorchZoomHistory *self,
                          guint32            node)
{
  State old;

  g_return_if_fail (SCORCH_IS_ZOOM_HISTORY (self));

  old = get_state (self);
  if (old.current == node)
    return;
  g_array_set_size (self->entries, self->position + 1);
  g_array_append_val (self->entries, node);
  if (self->entries->len > MAX_ENTRIES)
    g_array_remove_index (self->entries, 0);
  self->position = self->entries->len - 1;
  notify_changes (self, old);
}

guint32
scorch_zoom_history_get_current (ScorchZoomHistory *self)
{
  g_return_val_if_fail (SCORCH_IS_ZOOM_HISTORY (self), 0);

  return g_array_index (self->entries, guint32, self->position);
}

gboolean
scorch_zoom_history_get_can_go_back (ScorchZoomHistory *self)
{
  g_return_val_if_fail (SCORCH_IS_ZOOM_HISTORY (self), FALSE);

  return self->position > 0;
}

gboolean
scorch_zoom_history_get_can_go_forward (ScorchZoomHistory *self)
{
  g_return_val_if_fail (SCORCH_IS_ZOOM_HISTORY (self), FALSE);

  return self->position + 1 < self->entries->len;
}

gboolean
scorch_zoom_history_go_back (ScorchZoomHistory *self,
                             guint32           *node)
{
  State old;

  g_return_val_if_fail (SCORCH_IS_ZOOM_HISTORY (self), FALSE);

  if (self->position == 0)
    return FALSE;
  old = get_state (self);
  self->position--;
  if (node != NULL)
    *node = scorch_zoom_history_get_current (self);
  notify_changes (self, old);
  return TRUE;
}

gboolean
scorch_zoom_history_go_forward (ScorchZoomHistory *self,
                                guint32           *node)
{
  State old;

  g_return_val_if_fail (SCORCH_IS_ZOOM_HISTORY (self), FALSE);

  if (self->position + 1 >= self->entries->len)
    return FALSE;
  old = get_state (self);
  self->position++;
  if (node != NULL)
    *node = scorch_zoom_history_get_current (self);
  notify_changes (self, old);
  return TRUE;
}
