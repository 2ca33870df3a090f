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

/* What the option's value says, as a transform of KIND; NULL with ERROR
 * set when the value does not read (add() says it when the transform
 * itself refuses it). */
static ScorchTransform *
transform_from_value (ScorchTransformKind   kind,
                      const char           *option_name,
                      const char           *value,
                      GError              **error)
{
  switch (kind)
    {
    case SCORCH_TRANSFORM_FOCUS_SUBTREE:
      {
        g_auto(GStrv) path = g_strsplit (value, ";", -1);
        guint n = g_strv_length (path);

        for (guint i = 0; i < n; i++)
          if (path[i][0] == '\0')
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("%s: “%s” is not a path of functions separated by “;” (e.g. 'main;run;work')"),
                           option_name, value);
              return NULL;
            }
        return scorch_transform_new_focus_subtree ((const char * const *) path, n);
      }

    case SCORCH_TRANSFORM_COLLAPSE_RECURSION:
      return scorch_transform_new_collapse_recursion ();

    case SCORCH_TRANSFORM_MIN_PERCENT:
      {
        char *end = NULL;
        double p = g_ascii_strtod (value, &end);

        if (end == value || *end != '\0')
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("%s: “%s” is not a number between 0 and 100"), option_name, value);
            return NULL;
          }
        return scorch_transform_new_min_percent (p);
      }

    default:
      /* the kinds that take a function or module name as it is */
      return scorch_transform_new (kind, value);
    }
}

/* Every transform option, one callback: the option names its kind, the
 * value is read for that kind, and the transform joins the list in argv
 * order. */
static gboolean
on_transform (const char  *option_name,
              const char  *value,
              gpointer     data,
              GError     **error)
{
  static const struct { const char *option; ScorchTransformKind kind; } kinds[] = {
    { "--focus", SCORCH_TRANSFORM_FOCUS_FUNCTION },
    { "--focus-subtree", SCORCH_TRANSFORM_FOCUS_SUBTREE },
    { "--focus-callers", SCORCH_TRANSFORM_FOCUS_CALLERS },
    { "--merge", SCORCH_TRANSFORM_MERGE_FUNCTION },
    { "--merge-module", SCORCH_TRANSFORM_MERGE_MODULE },
    { "--collapse-recursion", SCORCH_TRANSFORM_COLLAPSE_RECURSION },
    { "--drop", SCORCH_TRANSFORM_DROP_FUNCTION },
    { "--min-percent", SCORCH_TRANSFORM_MIN_PERCENT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (option_name, kinds[i].option) == 0)
      {
        GError *local_error = NULL;
        ScorchTransform *transform = transform_from_value (kinds[i].kind, option_name, value, &local_error);

        if (local_error != NULL)
          {
            g_propagate_error (error, local_error);
            return FALSE;
          }
        return add (data, transform, option_name, value, error);
      }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, _("Unknown option %s"), option_name);
  return FALSE;
}

void
scorch_cli_transforms_add_to_context (ScorchCliTransforms *self,
                                      GOptionContext      *context)
{
  static const GOptionEntry entries[] = {
    { "focus", 0, 0, G_OPTION_ARG_CALLBACK, on_transform,
      N_("Only samples through FUNC, from its outermost call on, every call site merged"), N_("FUNC") },
    { "focus-subtree", 0, 0, G_OPTION_ARG_CALLBACK, on_transform,
      N_("Only samples under the call path A;B;C (from the outermost frame), C on top"), N_("A;B;C") },
    { "focus-callers", 0, 0, G_OPTION_ARG_CALLBACK, on_transform,
      N_("Only samples through FUNC, as the tree of its callers (inverted)"), N_("FUNC") },
    { "merge", 0, 0, G_OPTION_ARG_CALLBACK, on_transform,
      N_("Remove FUNC's frames: its time counts for its callers"), N_("FUNC") },
    { "merge-module", 0, 0, G_OPTION_ARG_CALLBACK, on_transform,
      N_("Remove every frame of MODULE (path or file name): its time counts for its callers"), N_("MODULE") },
    { "collapse-recursion", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_transform,
      N_("Collapse direct and indirect recursion: a function already on the stack returns there"), NULL },
    { "drop", 0, 0, G_OPTION_ARG_CALLBACK, on_transform,
      N_("Remove the samples whose stack contains FUNC"), N_("FUNC") },
    { "min-percent", 0, 0, G_OPTION_ARG_CALLBACK, on_transform,
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
