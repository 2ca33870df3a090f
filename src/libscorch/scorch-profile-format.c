/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile-format.c: the table of profile formats (see the header) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-profile-format"

#include "scorch-pprof.h"
#include "scorch-profile-format.h"
#include "scorch-speedscope.h"

static gboolean
write_pprof (ScorchProfile  *profile,
             GFile          *source,
             GOutputStream  *stream,
             GCancellable   *cancellable,
             GError        **error)
{
  ScorchPprofWriteOptions options = { 0 };

  options.time_nanos = scorch_pprof_capture_time_nanos (profile, source);
  return scorch_pprof_write (profile, &options, stream, cancellable, error);
}

static gboolean
write_speedscope (ScorchProfile  *profile,
                  GFile          *source,
                  GOutputStream  *stream,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_autofree char *name = source != NULL ? g_file_get_basename (source) : NULL;

  return scorch_speedscope_write (profile, name, stream, cancellable, error);
}

static const ScorchProfileFormat formats[] = {
  { "pprof", { ".pb.gz", ".pprof", ".pb", NULL }, write_pprof },
  { "speedscope", { ".speedscope.json", NULL }, write_speedscope },
};

const ScorchProfileFormat *
scorch_profile_format_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strcasecmp (name, formats[i].name) == 0)
      return &formats[i];
  return NULL;
}

const ScorchProfileFormat *
scorch_profile_format_for_path (const char *path)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    for (guint j = 0; formats[i].extensions[j] != NULL; j++)
      if (g_str_has_suffix (lower, formats[i].extensions[j]))
        return &formats[i];
  return NULL;
}
