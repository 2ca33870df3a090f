/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-pprof.h: Google's pprof format (profile.proto, usually gzip-compressed),
 * as Go's runtime/pprof, Parca, Pyroscope and `go tool pprof` read and write it */

#pragma once

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_PPROF_ERROR (scorch_pprof_error_quark ())

typedef enum
{
  SCORCH_PPROF_ERROR_INVALID,  /* not a profile.proto message, or one that contradicts itself */
  SCORCH_PPROF_ERROR_GZIP,     /* the gzip stream is damaged or cut short */
  SCORCH_PPROF_ERROR_TOO_BIG,  /* it would decompress to more than the limit */
  SCORCH_PPROF_ERROR_EMPTY,    /* no samples with a positive value */
  SCORCH_PPROF_ERROR_UNSUPPORTED, /* built without protobuf-c (-Dpprof=disabled) */
} ScorchPprofError;

typedef struct
{
  gint64 time_nanos;  /* when the capture began (ns since the epoch), 0: unknown */
  gboolean no_gzip;   /* write the bare message (tests); pprof files are gzip-compressed */
} ScorchPprofWriteOptions;

GQuark         scorch_pprof_error_quark (void);

/* The profile's current view (filter and time range), one pprof sample per
 * (stack, thread): locations are a function with the functions inlined into
 * it as several lines, leaf-most first; mappings per module; sample types
 * samples/count and, when the sampling period is known in time, cpu/nanoseconds;
 * labels "thread", "tid", "pid" and "process". */
gboolean       scorch_pprof_write       (ScorchProfile                 *profile,
                                         const ScorchPprofWriteOptions *options,
                                         GOutputStream                 *stream,
                                         GCancellable                  *cancellable,
                                         GError                       **error);

/* When the capture in FILE began, for time_nanos: perf.data holds no wall
 * clock, so the file's last change (the end of recording) less the span of
 * the samples; 0 when FILE is NULL or cannot be asked. */
gint64         scorch_pprof_capture_time_nanos (ScorchProfile *profile,
                                                GFile         *file);

/* Nanoseconds per sample when the capture's event counts time (cpu-clock,
 * task-clock) or was sampled at a frequency; 0 when unknown (folded stacks,
 * a period of events).  Speedscope export weighs with it too. */
guint64        scorch_pprof_period_nanos (ScorchProfile *profile);

/* DATA is gzip-compressed or not. The sample type read is the first whose
 * unit is "count" (the sample counts of a CPU profile), else the default
 * one (pprof's choice: default_sample_type or the last). Labels "tid"/"pid"
 * (numbers) and "thread"/"process" (strings) give threads. */
ScorchProfile *scorch_pprof_parse       (const guint8  *data,
                                         gsize          len,
                                         GError       **error);

G_END_DECLS
