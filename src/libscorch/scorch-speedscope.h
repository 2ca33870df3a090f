/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-speedscope.h: speedscope's JSON file format
 * (https://www.speedscope.app/file-format-schema.json), which speedscope
 * and the Firefox Profiler's importer read */

#pragma once

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_SPEEDSCOPE_ERROR (scorch_speedscope_error_quark ())

typedef enum
{
  SCORCH_SPEEDSCOPE_ERROR_INVALID, /* not JSON, or JSON that is not a speedscope file */
  SCORCH_SPEEDSCOPE_ERROR_EMPTY,   /* no samples with a positive weight */
} ScorchSpeedscopeError;

GQuark         scorch_speedscope_error_quark (void);

/* The profile's current view: one "sampled" profile per thread, its
 * samples in time order (consecutive samples of the same stack merged),
 * weighted in nanoseconds when the sampling period is known in time,
 * else in samples; one shared frame table. */
gboolean       scorch_speedscope_write  (ScorchProfile *profile,
                                         const char    *name,
                                         GOutputStream *stream,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* "sampled" and "evented" profiles; each becomes a thread. */
ScorchProfile *scorch_speedscope_parse  (const char    *data,
                                         gsize          len,
                                         GError       **error);

G_END_DECLS
