/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-app-util.c: small pieces several app views share */

#include "config.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "scorch-app"

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
