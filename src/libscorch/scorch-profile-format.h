/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile-format.h: the profile formats Scorch reads and writes
 * besides perf.data, folded stacks and its flame graphs (pprof, speedscope)
 * as one table, so that every exporter (the CLI's export, the app's) picks
 * a format by name or by file name and writes it the same way, and the
 * loader tells them by their first bytes and reads them the same way.
 * Each format's file defines its entry, declared here; its sniff and load
 * are reached only through it. */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef struct
{
  /* what --format and the app's export action call it */
  const char      *name;
  /* lower-case endings of the file names it is written to, NULL-terminated */
  const char      *extensions[4];
  /* TRUE for a text format: sniffed before folded stacks, which take any
   * other text; a binary format is sniffed only on data that is not text */
  gboolean         text;
  /* TRUE when DATA, the first LEN bytes of a file (or all of a shorter
   * one), starts a file of this format: by its content, not its name */
  gboolean       (*sniff) (const guint8   *data,
                           gsize           len);
  /* Reads the regular file at PATH */
  ScorchProfile *(*load)  (const char     *path,
                           GCancellable   *cancellable,
                           GError        **error);
  /* Writes the profile's current view to STREAM; SOURCE (may be NULL) is
   * the file it was loaded from, for what the format records of it (the
   * capture's name and start time) */
  gboolean       (*write) (ScorchProfile  *profile,
                           GFile          *source,
                           GOutputStream  *stream,
                           GCancellable   *cancellable,
                           GError        **error);
} ScorchProfileFormat;

/* The entries, in the table's order: scorch-pprof.c (load: the
 * file's bytes to scorch_pprof_parse; write: options from the source
 * file) and scorch-speedscope.c (load: scorch_speedscope_parse; write:
 * named after the source file). */
extern const ScorchProfileFormat scorch_pprof_format;
extern const ScorchProfileFormat scorch_speedscope_format;

/* By NAME (ASCII case ignored); NULL when none is called so */
const ScorchProfileFormat *scorch_profile_format_lookup   (const char *name);
/* By the ending of PATH (ASCII case ignored); NULL when none */
const ScorchProfileFormat *scorch_profile_format_for_path (const char *path);
/* By content: the first of the text (TEXT) or binary formats whose sniff
 * takes DATA; NULL when none */
const ScorchProfileFormat *scorch_profile_format_sniff    (const guint8 *data,
                                                           gsize         len,
                                                           gboolean      text);

G_END_DECLS
