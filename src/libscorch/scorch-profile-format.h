/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile-format.h: the profile formats Scorch writes besides its
 * flame graphs (pprof, speedscope) as one table, so that every exporter
 * (the CLI's export, the app's) picks a format by name or by file name and
 * writes it the same way */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef struct
{
  /* what --format and the app's export action call it */
  const char  *name;
  /* lower-case endings of the file names it is written to, NULL-terminated */
  const char  *extensions[4];
  /* Writes the profile's current view to STREAM; SOURCE (may be NULL) is
   * the file it was loaded from, for what the format records of it (the
   * capture's name and start time) */
  gboolean   (*write) (ScorchProfile  *profile,
                       GFile          *source,
                       GOutputStream  *stream,
                       GCancellable   *cancellable,
                       GError        **error);
} ScorchProfileFormat;

/* By NAME (ASCII case ignored); NULL when none is called so */
const ScorchProfileFormat *scorch_profile_format_lookup   (const char *name);
/* By the ending of PATH (ASCII case ignored); NULL when none */
const ScorchProfileFormat *scorch_profile_format_for_path (const char *path);

G_END_DECLS
