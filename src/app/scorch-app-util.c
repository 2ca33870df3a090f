/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-app-util.c: small pieces several app views share */

#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "scorch-app"

#include <time.h>

#include "scorch-app-util.h"

/* What the generic accessors need, kept on the pspec (one per class). */
typedef struct
{
  gsize                  offset;
  ScorchAppProfileSetter set;
} ProfileAccess;

static GQuark
profile_access_quark (void)
{
  return g_quark_from_static_string ("scorch-app-profile-access");
}

static void
profile_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  ProfileAccess *access = g_param_spec_get_qdata (pspec, profile_access_quark ());

  if (access == NULL)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_value_set_object (value, G_STRUCT_MEMBER (ScorchProfile *, object, access->offset));
}

static void
profile_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  ProfileAccess *access = g_param_spec_get_qdata (pspec, profile_access_quark ());

  if (access == NULL)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  access->set (object, g_value_get_object (value));
}

GParamSpec *
scorch_app_class_install_profile_property (GObjectClass           *object_class,
                                           gsize                   offset,
                                           ScorchAppProfileSetter  set)
{
  GParamSpec *pspec;
  ProfileAccess *access;

  g_return_val_if_fail (G_IS_OBJECT_CLASS (object_class), NULL);
  g_return_val_if_fail (set != NULL, NULL);

  pspec = g_param_spec_object ("profile", NULL, NULL, SCORCH_TYPE_PROFILE,
                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  access = g_new0 (ProfileAccess, 1);
  access->offset = offset;
  access->set = set;
  g_param_spec_set_qdata_full (pspec, profile_access_quark (), access, g_free);

  object_class->get_property = profile_get_property;
  object_class->set_property = profile_set_property;
  g_object_class_install_property (object_class, 1, pspec);
  return pspec;
}

gboolean
scorch_app_set_profile (ScorchProfile **slot,
                        ScorchProfile  *profile)
{
  g_return_val_if_fail (slot != NULL, FALSE);
  g_return_val_if_fail (profile == NULL || SCORCH_IS_PROFILE (profile), FALSE);

  return g_set_object (slot, profile);
}

gboolean
scorch_app_set_flag (gboolean *flag,
                     gboolean  value)
{
  g_return_val_if_fail (flag != NULL, FALSE);

  value = !!value;
  if (*flag == value)
    return FALSE;
  *flag = value;
  return TRUE;
}

gboolean
scorch_app_set_string (char       **slot,
                       const char  *value)
{
  g_return_val_if_fail (slot != NULL, FALSE);

  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

void
scorch_app_search_install_properties (GParamSpec  **pspecs,
                                      GParamFlags   search_flags)
{
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  g_return_if_fail (pspecs != NULL);

  pspecs[SCORCH_APP_SEARCH_PROP_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, NULL, rw);
  pspecs[SCORCH_APP_SEARCH_PROP_REGEX] =
    g_param_spec_boolean ("search-regex", NULL, NULL, FALSE, rw);
  pspecs[SCORCH_APP_SEARCH_PROP_CASE_SENSITIVE] =
    g_param_spec_boolean ("search-case-sensitive", NULL, NULL, FALSE, rw);
  pspecs[SCORCH_APP_SEARCH_PROP_VALID] =
    g_param_spec_boolean ("search-valid", NULL, NULL, TRUE, ro);
  pspecs[SCORCH_APP_SEARCH_PROP_SEARCH] =
    g_param_spec_boxed ("search", NULL, NULL, SCORCH_TYPE_SEARCH, search_flags);
}

void
scorch_app_search_get_property (const ScorchAppSearch *search,
                                guint                  which,
                                GValue                *value)
{
  g_return_if_fail (search != NULL);

  switch (which)
    {
    case SCORCH_APP_SEARCH_PROP_TEXT:
      g_value_set_string (value, search->text);
      break;
    case SCORCH_APP_SEARCH_PROP_REGEX:
      g_value_set_boolean (value, search->regex);
      break;
    case SCORCH_APP_SEARCH_PROP_CASE_SENSITIVE:
      g_value_set_boolean (value, search->case_sensitive);
      break;
    case SCORCH_APP_SEARCH_PROP_VALID:
      g_value_set_boolean (value, search->valid);
      break;
    case SCORCH_APP_SEARCH_PROP_SEARCH:
      g_value_set_boxed (value, search->search);
      break;
    default:
      g_return_if_reached ();
    }
}

void
scorch_app_search_clear (ScorchAppSearch *search)
{
  g_return_if_fail (search != NULL);

  g_clear_pointer (&search->text, g_free);
  g_clear_pointer (&search->search, scorch_search_unref);
}

GtkSingleSelection *
scorch_app_column_view_set_single_selection (GtkColumnView *view,
                                             GListModel    *model)
{
  GtkSingleSelection *selection;

  g_return_val_if_fail (GTK_IS_COLUMN_VIEW (view), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  selection = gtk_single_selection_new (model);
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (view, GTK_SELECTION_MODEL (selection));
  return selection;
}

/* -- templates and actions: what each widget's class_init would spell
 * out a line per child and per action -- */

/* "ScorchRecordDialog" → "scorch-record-dialog.ui": each widget's template
 * is named after its type. */
static char *
template_resource (GtkWidgetClass *widget_class)
{
  const char *type_name = G_OBJECT_CLASS_NAME (widget_class);
  GString *path = g_string_new ("/io/github/scorchprof/Scorch/ui/");

  for (const char *c = type_name; *c != '\0'; c++)
    {
      if (g_ascii_isupper (*c) && c != type_name)
        g_string_append_c (path, '-');
      g_string_append_c (path, g_ascii_tolower (*c));
    }
  g_string_append (path, ".ui");
  return g_string_free (path, FALSE);
}

void
scorch_app_class_set_template (GtkWidgetClass               *widget_class,
                               const ScorchAppTemplateChild *children,
                               gsize                         n_children,
                               const ScorchAppAction        *actions,
                               gsize                         n_actions)
{
  g_autofree char *resource = NULL;

  g_return_if_fail (GTK_IS_WIDGET_CLASS (widget_class));
  g_return_if_fail (n_children == 0 || children != NULL);
  g_return_if_fail (n_actions == 0 || actions != NULL);

  resource = template_resource (widget_class);
  gtk_widget_class_set_template_from_resource (widget_class, resource);
  for (gsize i = 0; i < n_children; i++)
    gtk_widget_class_bind_template_child_full (widget_class, children[i].name, FALSE, children[i].offset);
  for (gsize i = 0; i < n_actions; i++)
    gtk_widget_class_install_action (widget_class, actions[i].name, NULL, actions[i].activate);
}

/* -- SCORCH_TRACE_TIMING=1: where the main thread's time goes -- */

typedef struct
{
  const char *what;
  gint64      cpu;
} TraceMark;

static GArray *trace_marks;  /* of TraceMark; NULL: not tracing */
static const char *trace_stage;

void
scorch_app_trace_stage (const char *stage)
{
  trace_stage = stage;
}

static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

void
scorch_app_trace_begin (void)
{
  g_assert (g_main_context_is_owner (g_main_context_default ()));

  if (trace_marks == NULL)
    trace_marks = g_array_new (FALSE, FALSE, sizeof (TraceMark));
  g_array_set_size (trace_marks, 0);
  trace_stage = NULL;
  scorch_app_trace_mark ("begin");
}

void
scorch_app_trace_mark (const char *what)
{
  TraceMark mark = { what, 0 };

  if (trace_marks == NULL || !g_main_context_is_owner (g_main_context_default ()))
    return;
  mark.cpu = thread_cpu_time ();
  if (trace_stage != NULL)
    {
      g_autofree char *name = g_strconcat (trace_stage, ":", what, NULL);

      mark.what = g_intern_string (name);
    }
  g_array_append_val (trace_marks, mark);
}

char *
scorch_app_trace_end (void)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GHashTable) sums = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);

  if (trace_marks == NULL)
    return g_string_free (text, FALSE);
  /* Per name: the CPU time since the mark before, summed (and counted). */
  for (guint i = 1; i < trace_marks->len; i++)
    {
      const TraceMark *a = &g_array_index (trace_marks, TraceMark, i - 1);
      const TraceMark *b = &g_array_index (trace_marks, TraceMark, i);
      gint64 sum = GPOINTER_TO_SIZE (g_hash_table_lookup (sums, b->what));
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, b->what));

      if (count == 0)
        g_ptr_array_add (names, (gpointer) b->what);
      g_hash_table_insert (sums, (gpointer) b->what, GSIZE_TO_POINTER (sum + b->cpu - a->cpu));
      g_hash_table_insert (counts, (gpointer) b->what, GUINT_TO_POINTER (count + 1));
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *what = g_ptr_array_index (names, i);
      gint64 sum = GPOINTER_TO_SIZE (g_hash_table_lookup (sums, what));
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, what));

      g_string_append_printf (text, "%s%s=%.1f", text->len > 0 ? " " : "", what, sum / 1e3);
      if (count > 1)
        g_string_append_printf (text, "(x%u)", count);
    }
  g_clear_pointer (&trace_marks, g_array_unref);
  return g_string_free (text, FALSE);
}
