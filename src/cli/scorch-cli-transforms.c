/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-transforms.c: --focus, --focus-subtree, --focus-callers,
 * --merge, --merge-module, --collapse-recursion, --drop, --min-percent.
 * Each is a G_OPTION_ARG_CALLBACK, so they are collected in argv order. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <string.h>

#include "scorch-cli.h"
#include "scorch-cli-transforms.h"

struct _ScorchCliTransforms
{
  GPtrArray *list; /* ScorchTransform */
};

ScorchCliTransforms *
scorch_cli_transforms_new (void)
{
  ScorchCliTransforms *self = g_new0 (ScorchCliTransforms, 1);

  self->list = g_ptr_array_new_with_free_func ((GDestroyNotify) scorch_transform_unref);
  return self;
}

void
scorch_cli_transforms_free (ScorchCliTransforms *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->list);
  g_free (self);
}

static gboolean
add (ScorchCliTransforms *self,
     ScorchTransform     *transform,
     const char          *option_name,
     const char          *value,
     GError             **error)
{
  if (transform == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: “%s” is not a valid value"), option_name, value != NULL ? value : "");
      return FALSE;
    }
  if (self->list->len >= SCORCH_TRANSFORMS_MAX)
    {
      scorch_transform_unref (transform);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("At most %u transforms can be given"), SCORCH_TRANSFORMS_MAX);
      return FALSE;
    }
  g_ptr_array_add (self->list, transform);
  return TRUE;
}

static gboolean
on_named (const char  *option_name,
          const char  *value,
          gpointer     data,
          GError     **error)
{
  static const struct { const char *option; ScorchTransformKind kind; } kinds[] = {
    { "--focus", SCORCH_TRANSFORM_FOCUS_FUNCTION },
    { "--focus-callers", SCORCH_TRANSFORM_FOCUS_CALLERS },
    { "--merge", SCORCH_TRANSFORM_MERGE_FUNCTION },
    { "--merge-module", SCORCH_TRANSFORM_MERGE_MODULE },
    { "--drop", SCORCH_TRANSFORM_DROP_FUNCTION },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (option_name, kinds[i].option) == 0)
      return add (data, scorch_transform_new (kinds[i].kind, value), option_name, value, error);

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, _("Unknown option %s"), option_name);
  return FALSE;
}

static gboolean
on_focus_subtree (const char  *option_name,
                  const char  *value,
                  gpointer     data,
                  GError     **error)
{
  g_auto(GStrv) path = g_strsplit (value, ";", -1);
  guint n = g_strv_length (path);

  for (guint i = 0; i < n; i++)
    if (path[i][0] == '\0')
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s: “%s” is not a path of functions separated by “;” (e.g. 'main;run;work')"),
                     option_name, value);
        return FALSE;
      }
  return add (data, scorch_transform_new_focus_subtree ((const char * const *) path, n),
              option_name, value, error);
}

static gboolean
on_collapse_recursion (const char  *option_name,
                       const char  *value,
                       gpointer     data,
                       GError     **error)
{
  return add (data, scorch_transform_new_collapse_recursion (), option_name, value, error);
}

static gboolean
on_min_percent (const char  *option_name,
                const char  *value,
                gpointer     data,
                GError     **error)
{
  char *end = NULL;
  double p;

  p = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: “%s” is not a number between 0 and 100"), option_name, value);
      return FALSE;
    }
  return add (data, scorch_transform_new_min_percent (p), option_name, value, error);
}

void
scorch_cli_transforms_add_to_context (ScorchCliTransforms *self,
                                      GOptionContext      *context)
{
  static const GOptionEntry entries[] = {
    { "focus", 0, 0, G_OPTION_ARG_CALLBACK, on_named,
      N_("Only samples through FUNC, from its outermost call on, every call site merged"), N_("FUNC") },
    { "focus-subtree", 0, 0, G_OPTION_ARG_CALLBACK, on_focus_subtree,
      N_("Only samples under the call path A;B;C (from the outermost frame), C on top"), N_("A;B;C") },
    { "focus-callers", 0, 0, G_OPTION_ARG_CALLBACK, on_named,
      N_("Only samples through FUNC, as the tree of its callers (inverted)"), N_("FUNC") },
    { "merge", 0, 0, G_OPTION_ARG_CALLBACK, on_named,
      N_("Remove FUNC's frames: its time counts for its callers"), N_("FUNC") },
    { "merge-module", 0, 0, G_OPTION_ARG_CALLBACK, on_named,
      N_("Remove every frame of MODULE (path or file name): its time counts for its callers"), N_("MODULE") },
    { "collapse-recursion", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_collapse_recursion,
      N_("Collapse direct and indirect recursion: a function already on the stack returns there"), NULL },
    { "drop", 0, 0, G_OPTION_ARG_CALLBACK, on_named,
      N_("Remove the samples whose stack contains FUNC"), N_("FUNC") },
    { "min-percent", 0, 0, G_OPTION_ARG_CALLBACK, on_min_percent,
      N_("Hide call-tree nodes under P percent of the samples (their time counts for their parent)"), N_("P") },
    { NULL }
  };

  g_option_context_set_main_group (context, scorch_cli_option_group_new (NULL, NULL, NULL, entries, self, NULL));
}

const char *
scorch_cli_transforms_get_help (void)
{
  return _("Transforms (--focus, --focus-subtree, --focus-callers, --merge, --merge-module, "
           "--collapse-recursion, --drop, --min-percent) may be repeated and are applied in the order "
           "given; FUNC is a function name exactly as report --tsv prints it.");
}

guint
scorch_cli_transforms_get_n (ScorchCliTransforms *self)
{
  return self->list->len;
}

ScorchTransform *
scorch_cli_transforms_get (ScorchCliTransforms *self,
                           guint                i)
{
  g_return_val_if_fail (i < self->list->len, NULL);

  return g_ptr_array_index (self->list, i);
}

ScorchProfile *
scorch_cli_transforms_apply (ScorchCliTransforms *self,
                             ScorchProfile       *profile)
{
  ScorchProfile *current = g_object_ref (profile);

  for (guint i = 0; i < self->list->len; i++)
    {
      ScorchProfile *next = scorch_transform_apply (g_ptr_array_index (self->list, i), current);

      g_object_unref (current);
      current = next;
    }
  return current;
}
