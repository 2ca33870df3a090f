/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-perf-map.h: JIT symbols from a perf-PID.map file (one
 * "START SIZE name" line per symbol, as V8, the JVM's perf-map-agent or
 * Python's perf trampolines write them). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64     start;
  guint64     size;
  const char *raw;    /* as in the file; owned by the map */
  const char *name;   /* NULL until a caller fills it (the symbolizer's demangled name) */
} ScorchPerfMapSymbol;

typedef struct _ScorchPerfMap ScorchPerfMap;

/* Reads path with scorch_read_regular_file(); NULL and error (as that
 * function's: G_IO_ERROR_NOT_FOUND when there is no map) on failure. */
ScorchPerfMap       *scorch_perf_map_load   (const char     *path,
                                             GError        **error);
/* An empty map, for a process that has none. */
ScorchPerfMap       *scorch_perf_map_new    (void);
void                 scorch_perf_map_free   (ScorchPerfMap  *self);

/* The symbol holding ip, or NULL; of overlapping entries the one later
 * in address order wins (re-JITted code). */
ScorchPerfMapSymbol *scorch_perf_map_lookup (ScorchPerfMap  *self,
                                             guint64         ip);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchPerfMap, scorch_perf_map_free)

G_END_DECLS
