/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-analyzer.h: turns the records of a capture, one by one, into a
 * ScorchProfile: process table, callchains or DWARF unwinding,
 * symbolization (each unique address once), frame interning. */

#pragma once

#include <gio/gio.h>

#include "scorch-capture-reader.h"
#include "scorch-profile.h"
#include "scorch-proc-table.h"
#include "scorch-symbolizer.h"

G_BEGIN_DECLS

typedef struct _ScorchAnalyzer ScorchAnalyzer;

/* Called now and then by scorch_analyzer_load_reader (in its thread). */
typedef void (*ScorchAnalyzerProgress) (gdouble  fraction,
                                        guint64  n_samples,
                                        gpointer user_data);

/* attrs: the events of the records that will be added (referenced). */
ScorchAnalyzer   *scorch_analyzer_new            (ScorchCaptureAttrs     *attrs);
void              scorch_analyzer_free           (ScorchAnalyzer         *self);

/* Hands the capture's header facts to the analyzer: OS release (for
 * kernel symbols), build ids, hostname, command line, event name. */
void              scorch_analyzer_set_capture_info (ScorchAnalyzer      *self,
                                                    ScorchCaptureReader *reader);
ScorchSymbolizer *scorch_analyzer_get_symbolizer (ScorchAnalyzer         *self);
/* Offline: open no file (no symbolization, no DWARF unwinding); frames are
 * named module+0xOFFSET. For fuzzing and for a quick structural load. */
void              scorch_analyzer_set_offline    (ScorchAnalyzer         *self,
                                                  gboolean                offline);
ScorchProcTable  *scorch_analyzer_get_proc_table (ScorchAnalyzer         *self);
typedef struct _ScorchPortableBuilder ScorchPortableBuilder; /* scorch-portable.h */

/* Collects every symbolized address and unwound stack into builder (not
 * owned; for scorch_portable_pack()). Set before loading. */
void              scorch_analyzer_set_portable_builder (ScorchAnalyzer        *self,
                                                        ScorchPortableBuilder *builder);

/* Records must come in time order (as scorch_capture_reader_next gives them). */
gboolean          scorch_analyzer_add_record     (ScorchAnalyzer         *self,
                                                  const ScorchRecord     *record,
                                                  GError                **error);
/* A raw record (8-byte aligned), parsed with the analyzer's attrs; for the
 * live path, fed with what the recorder writes. */
gboolean          scorch_analyzer_add_raw_record (ScorchAnalyzer         *self,
                                                  const guint8           *data,
                                                  gsize                   len,
                                                  GError                **error);

/* The live path: records in ring-buffer order (several buffers, so not in
 * time order). Each is held until the round after the one it came in has
 * ended, then analyzed in time order, as perf orders records between
 * FINISHED_ROUND records. A FINISHED_ROUND record ends a round, as does
 * scorch_analyzer_finish_round() (call it after each drain pass). */
gboolean          scorch_analyzer_queue_raw_record (ScorchAnalyzer       *self,
                                                    const guint8         *data,
                                                    gsize                 len,
                                                    GError              **error);
void              scorch_analyzer_finish_round   (ScorchAnalyzer         *self);
/* Analyzes every record still held (at the end of a recording). */
void              scorch_analyzer_flush_queued   (ScorchAnalyzer         *self);

/* Reads every record of reader. Checks cancellable every few thousand records. */
gboolean          scorch_analyzer_load_reader    (ScorchAnalyzer         *self,
                                                  ScorchCaptureReader    *reader,
                                                  GCancellable           *cancellable,
                                                  ScorchAnalyzerProgress  progress,
                                                  gpointer                progress_data,
                                                  GError                **error);

guint64           scorch_analyzer_get_n_samples  (ScorchAnalyzer         *self);
/* Off-CPU: the sched_switch samples analyzed so far (0 without them). */
guint64           scorch_analyzer_get_n_off_cpu_switches (ScorchAnalyzer *self);

/* The profile of what was added so far; the analyzer goes on. */
ScorchProfile    *scorch_analyzer_snapshot       (ScorchAnalyzer         *self);
/* The final profile. The analyzer accepts no more records afterwards. */
ScorchProfile    *scorch_analyzer_finish         (ScorchAnalyzer         *self);

/* TRUE for functions where a thread's stack legitimately ends
 * (_start, clone, start_thread, ...). */
gboolean          scorch_analyzer_is_thread_entry (const char            *function);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchAnalyzer, scorch_analyzer_free)

G_END_DECLS
