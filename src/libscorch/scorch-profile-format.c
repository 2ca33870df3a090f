/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile-format.c: the table of profile formats (see the header) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-profile-format"

#include "scorch-profile-format.h"

static const ScorchProfileFormat *const formats[] = {
  &scorch_pprof_format,
  &scorch_speedscope_format,
};

const ScorchProfileFormat *
scorch_profile_format_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strcasecmp (name, formats[i]->name) == 0)
      return formats[i];
  return NULL;
}

const ScorchProfileFormat *
scorch_profile_format_for_path (const char *path)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    for (guint j = 0; formats[i]->extensions[j] != NULL; j++)
      if (g_str_has_suffix (lower, formats[i]->extensions[j]))
        return formats[i];
  return NULL;
}

const ScorchProfileFormat *
scorch_profile_format_sniff (const guint8 *data,
                             gsize         len,
                             gboolean      text)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (!formats[i]->text == !text && formats[i]->sniff (data, len))
      return formats[i];
  return NULL;
}
