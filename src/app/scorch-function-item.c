/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-function-item.c: one row of the hotspot table, call tree or caller/callee lists */

#include "config.h"

#define G_LOG_DOMAIN "scorch-function-item"

#include <glib/gi18n.h>

#include "scorch-demangle.h"
#include "scorch-function-item.h"
#include "scorch-text.h"

/* The display preference (collapse template arguments), for items made
 * from now on; the main thread only. */
static ScorchDisplayNameFlags display_flags = SCORCH_DISPLAY_NAME_DEFAULT;

struct _ScorchFunctionItem
{
  GObject        parent_instance;

  /* owned */
  ScorchProfile *profile;
  char          *source;
  char          *short_name;    /* scorch_display_name() of name, made on first use */
  char          *module_name;
  char          *source_name;
  char          *self_text;
  char          *total_text;
  char          *self_percent_text;
  char          *total_percent_text;
  char          *display_name;   /* only when the frame's names need it */
  char          *display_module;

  /* borrowed from the profile (or the display copies above) */
  const char    *name;
  const char    *module;

  guint32        frame;
  guint32        node;
  guint64        self;
  guint64        total;
  double         self_percent;
  double         total_percent;
};

enum {
  PROP_0,
  PROP_FRAME,
  PROP_NODE,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_MODULE,
  PROP_SOURCE,
  PROP_MODULE_NAME,
  PROP_SOURCE_NAME,
  PROP_SELF,
  PROP_TOTAL,
  PROP_SELF_PERCENT,
  PROP_TOTAL_PERCENT,
  PROP_SELF_FRACTION,
  PROP_TOTAL_FRACTION,
  PROP_SELF_TEXT,
  PROP_TOTAL_TEXT,
  PROP_SELF_PERCENT_TEXT,
  PROP_TOTAL_PERCENT_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchFunctionItem, scorch_function_item, G_TYPE_OBJECT)

char *
scorch_format_percent (double percent)
{
  /* Translators: a share of the samples, e.g. "12.34 %" */
  return g_strdup_printf (_("%.2f %%"), percent);
}

char *
scorch_format_count (guint64 count)
{
  /* %'  groups thousands as the locale does */
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, count);
}

/* source, source_name and module_name, made on first use */
static void
ensure_source (ScorchFunctionItem *self)
{
  const ScorchFrame *f;

  if (self->source != NULL)
    return;
  f = scorch_profile_get_frame (self->profile, self->frame);
  if (f->file != NULL && f->line > 0)
    self->source = g_strdup_printf ("%s:%u", f->file, f->line);
  else
    self->source = g_strdup (f->file != NULL ? f->file : "");
  if (!scorch_text_is_display_safe (self->source))
    {
      char *safe = scorch_text_to_display (self->source);

      g_free (self->source);
      self->source = safe;
    }
  self->module_name = self->module[0] == '/' ? g_path_get_basename (self->module) : g_strdup (self->module);
  self->source_name = strchr (self->source, '/') != NULL ? g_path_get_basename (self->source) : g_strdup (self->source);
}

static void
scorch_function_item_finalize (GObject *object)
{
  ScorchFunctionItem *self = SCORCH_FUNCTION_ITEM (object);

  g_clear_object (&self->profile);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->short_name, g_free);
  g_clear_pointer (&self->module_name, g_free);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->self_text, g_free);
  g_clear_pointer (&self->total_text, g_free);
  g_clear_pointer (&self->self_percent_text, g_free);
  g_clear_pointer (&self->total_percent_text, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->display_module, g_free);

  G_OBJECT_CLASS (scorch_function_item_parent_class)->finalize (object);
}

static void
scorch_function_item_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ScorchFunctionItem *self = SCORCH_FUNCTION_ITEM (object);

  switch (prop_id)
    {
    case PROP_FRAME:
      g_value_set_uint (value, self->frame);
      break;
    case PROP_NODE:
      g_value_set_uint (value, self->node);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, scorch_function_item_get_display_name (self));
      break;
    case PROP_MODULE:
      g_value_set_string (value, self->module);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, scorch_function_item_get_source (self));
      break;
    case PROP_MODULE_NAME:
      g_value_set_string (value, scorch_function_item_get_module_name (self));
      break;
    case PROP_SOURCE_NAME:
      g_value_set_string (value, scorch_function_item_get_source_name (self));
      break;
    case PROP_SELF:
      g_value_set_uint64 (value, self->self);
      break;
    case PROP_TOTAL:
      g_value_set_uint64 (value, self->total);
      break;
    case PROP_SELF_PERCENT:
      g_value_set_double (value, self->self_percent);
      break;
    case PROP_TOTAL_PERCENT:
      g_value_set_double (value, self->total_percent);
      break;
    case PROP_SELF_FRACTION:
      g_value_set_double (value, self->self_percent / 100.0);
      break;
    case PROP_TOTAL_FRACTION:
      g_value_set_double (value, self->total_percent / 100.0);
      break;
    case PROP_SELF_TEXT:
      g_value_set_string (value, scorch_function_item_get_self_text (self));
      break;
    case PROP_TOTAL_TEXT:
      g_value_set_string (value, scorch_function_item_get_total_text (self));
      break;
    case PROP_SELF_PERCENT_TEXT:
      g_value_set_string (value, scorch_function_item_get_self_percent_text (self));
      break;
    case PROP_TOTAL_PERCENT_TEXT:
      g_value_set_string (value, scorch_function_item_get_total_percent_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_function_item_class_init (ScorchFunctionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = scorch_function_item_finalize;
  object_class->get_property = scorch_function_item_get_property;

  properties[PROP_FRAME] = g_param_spec_uint ("frame", NULL, NULL, 0, G_MAXUINT32, 0, flags);
  properties[PROP_NODE] = g_param_spec_uint ("node", NULL, NULL, 0, G_MAXUINT32, SCORCH_NODE_NONE, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /* The name as people read it: without return type and parameters
   * (scorch_display_name()); "name" is the full signature. */
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_MODULE] = g_param_spec_string ("module", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, flags);
  /* Short forms for the cells: the file names without their directories. */
  properties[PROP_MODULE_NAME] = g_param_spec_string ("module-name", NULL, NULL, NULL, flags);
  properties[PROP_SOURCE_NAME] = g_param_spec_string ("source-name", NULL, NULL, NULL, flags);
  properties[PROP_SELF] = g_param_spec_uint64 ("self", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_TOTAL] = g_param_spec_uint64 ("total", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_SELF_PERCENT] = g_param_spec_double ("self-percent", NULL, NULL, 0, 100, 0, flags);
  properties[PROP_TOTAL_PERCENT] = g_param_spec_double ("total-percent", NULL, NULL, 0, 100, 0, flags);
  properties[PROP_SELF_FRACTION] = g_param_spec_double ("self-fraction", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_TOTAL_FRACTION] = g_param_spec_double ("total-fraction", NULL, NULL, 0, 1, 0, flags);
  properties[PROP_SELF_TEXT] = g_param_spec_string ("self-text", NULL, NULL, NULL, flags);
  properties[PROP_TOTAL_TEXT] = g_param_spec_string ("total-text", NULL, NULL, NULL, flags);
  properties[PROP_SELF_PERCENT_TEXT] = g_param_spec_string ("self-percent-text", NULL, NULL, NULL, flags);
  properties[PROP_TOTAL_PERCENT_TEXT] = g_param_spec_string ("total-percent-text", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scorch_function_item_init (ScorchFunctionItem *self)
{
  self->node = SCORCH_NODE_NONE;
}

ScorchFunctionItem *
scorch_function_item_new (ScorchProfile *profile,
                          guint32        frame,
                          guint32        node,
                          guint64        self_samples,
                          guint64        total_samples)
{
  ScorchFunctionItem *self;
  const ScorchFrame *f;
  guint64 all;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), NULL);

  f = scorch_profile_get_frame (profile, frame);
  g_return_val_if_fail (f != NULL, NULL);

  self = g_object_new (SCORCH_TYPE_FUNCTION_ITEM, NULL);
  self->profile = g_object_ref (profile);
  self->frame = frame;
  self->node = node;
  /* Labels and tooltips want valid UTF-8 without control characters;
   * names from a capture may hold anything. Copy only those that need it. */
  self->name = f->function;
  if (!scorch_text_is_display_safe (self->name))
    self->name = self->display_name = scorch_text_to_display (f->function);
  self->module = f->module != NULL ? f->module : "";
  if (!scorch_text_is_display_safe (self->module))
    self->module = self->display_module = scorch_text_to_display (f->module);
  self->self = self_samples;
  self->total = total_samples;

  all = scorch_profile_get_total (profile);
  self->self_percent = all > 0 ? CLAMP (100.0 * self_samples / all, 0, 100) : 0;
  self->total_percent = all > 0 ? CLAMP (100.0 * total_samples / all, 0, 100) : 0;
  /* The source and the texts of the cells are made when first asked for:
   * a table of ten thousand functions shows a few dozen. */

  return self;
}

ScorchProfile *
scorch_function_item_get_profile (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  return self->profile;
}

guint32
scorch_function_item_get_frame (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), 0);
  return self->frame;
}

guint32
scorch_function_item_get_node (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), SCORCH_NODE_NONE);
  return self->node;
}

const char *
scorch_function_item_get_name (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  return self->name;
}

const char *
scorch_function_item_get_display_name (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);

  /* name is already safe to display; shortening only drops characters. */
  if (self->short_name == NULL)
    self->short_name = scorch_display_name (self->name, display_flags);
  return self->short_name;
}

void
scorch_function_item_set_display_flags (ScorchDisplayNameFlags flags)
{
  display_flags = flags;
}

ScorchDisplayNameFlags
scorch_function_item_get_display_flags (void)
{
  return display_flags;
}

const char *
scorch_function_item_get_module (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  return self->module;
}

const char *
scorch_function_item_get_source (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  ensure_source (self);
  return self->source;
}

guint64
scorch_function_item_get_self (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), 0);
  return self->self;
}

guint64
scorch_function_item_get_total (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), 0);
  return self->total;
}

double
scorch_function_item_get_self_percent (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), 0);
  return self->self_percent;
}

double
scorch_function_item_get_total_percent (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), 0);
  return self->total_percent;
}

const char *
scorch_function_item_get_module_name (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  ensure_source (self);
  return self->module_name;
}

const char *
scorch_function_item_get_source_name (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  ensure_source (self);
  return self->source_name;
}

const char *
scorch_function_item_get_self_text (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  if (self->self_text == NULL)
    self->self_text = scorch_format_count (self->self);
  return self->self_text;
}

const char *
scorch_function_item_get_total_text (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  if (self->total_text == NULL)
    self->total_text = scorch_format_count (self->total);
  return self->total_text;
}

const char *
scorch_function_item_get_self_percent_text (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  if (self->self_percent_text == NULL)
    self->self_percent_text = scorch_format_percent (self->self_percent);
  return self->self_percent_text;
}

const char *
scorch_function_item_get_total_percent_text (ScorchFunctionItem *self)
{
  g_return_val_if_fail (SCORCH_IS_FUNCTION_ITEM (self), NULL);
  if (self->total_percent_text == NULL)
    self->total_percent_text = scorch_format_percent (self->total_percent);
  return self->total_percent_text;
}
