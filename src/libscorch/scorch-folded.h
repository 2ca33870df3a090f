/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-folded.h: folded stacks ("a;b;c 12"), as FlameGraph and inferno write them */

#pragma once

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_FOLDED_ERROR (scorch_folded_error_quark ())

typedef enum
{
  SCORCH_FOLDED_ERROR_INVALID, /* a line is not "stack count" */
  SCORCH_FOLDED_ERROR_EMPTY,   /* no stacks at all */
} ScorchFoldedError;

GQuark         scorch_folded_error_quark (void);

/* TRUE when the first bytes look like folded stacks rather than perf.data. */
gboolean       scorch_folded_sniff       (const guint8  *data,
                                          gsize          len);
ScorchProfile *scorch_folded_parse       (const char    *data,
                                          gsize          len,
                                          GError       **error);
/* Errors opening PATH are G_IO_ERROR (see scorch_open_regular_file()). */
ScorchProfile *scorch_folded_load        (const char    *path,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Writes one line per distinct stack of the profile's current view. Frame
 * kinds are kept with FlameGraph's suffixes: _[k] kernel, _[j] JIT, _[i] inlined.
 * Names are written so that every line parses back (scorch_text_append_folded_frame()):
 * ';' becomes ':', tab/newline/CR a space, other control characters and
 * invalid UTF-8 U+FFFD, the spaces before a trailing number ("f 123") '_',
 * and an empty name "[unknown]". A count above G_MAXUINT32 (what readers
 * take) is split over several lines. */
gboolean       scorch_folded_write       (ScorchProfile *profile,
                                          GOutputStream *stream,
                                          GCancellable  *cancellable,
                                          GError       **error);

G_END_DECLS
