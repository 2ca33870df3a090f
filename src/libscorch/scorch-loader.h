/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-loader.h: loads a capture (perf.data or folded stacks) into a
 * ScorchProfile, off the main thread, with progress and cancellation. */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef enum
{
  SCORCH_LOAD_FLAGS_NONE = 0,
} ScorchLoadFlags;

/* fraction in [0, 1]; n_samples loaded so far (0 for folded stacks). */
typedef void (*ScorchLoadProgress) (gdouble  fraction,
                                    guint64  n_samples,
                                    gpointer user_data);

/* Directories searched for separate debug info: SCORCH_DEBUG_DIRS
 * (colon-separated) when set, else the symbolizer's default.
 * SCORCH_LOAD_OFFLINE=1 (benchmarks): no symbolization, no DWARF unwinding.
 * SCORCH_LOAD_THREADS=N: workers that parse, unwind and look up samples
 * (default: one per CPU; 1: all in the loading thread); the profile is the
 * same for any N (scorch_analyzer_load_reader). */

/* What a load takes besides its path and its callback; all optional, so
 * a caller names only what it uses (an all-zero struct, or NULL, is a
 * plain load). */
typedef struct
{
  ScorchLoadFlags     flags;
  GCancellable       *cancellable;
  ScorchLoadProgress  progress;
  gpointer            progress_data;
  GDestroyNotify      progress_destroy;
} ScorchLoadOptions;

/* progress is called in the thread-default main context of the caller of
 * scorch_load_async (at most every 50 ms, and not after callback);
 * progress_destroy is called on progress_data in that context when the
 * load ends, right before callback; nothing of the caller's is used after
 * callback.  When cancellable fires, callback comes at once (in that
 * context) with G_IO_ERROR_CANCELLED, even if the worker is still inside a
 * call that cannot be interrupted: its result is dropped when it returns.
 * OPTIONS (may be NULL) is read during the call only. */
void           scorch_load_async  (const char              *path,
                                   const ScorchLoadOptions *options,
                                   GAsyncReadyCallback      callback,
                                   gpointer                 user_data);
ScorchProfile *scorch_load_finish (GAsyncResult        *result,
                                   GError             **error);

/* The same in the calling thread; progress is called directly. */
ScorchProfile *scorch_load_sync   (const char          *path,
                                   ScorchLoadFlags      flags,
                                   GCancellable        *cancellable,
                                   ScorchLoadProgress   progress,
                                   gpointer             progress_data,
                                   GError             **error);

G_END_DECLS
