/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-perf-writer.h: writes perf.data (PERFILE2) files that perf 6.1 reads */

#pragma once

#include <gio/gio.h>
#include <linux/perf_event.h>

#include "scorch-capture-notes.h"

G_BEGIN_DECLS

/* The writer streams records into the data section of a perf.data file.
 *
 * Layout: a header (written zeroed first, patched at the end and at
 * checkpoints), the attributes with their id arrays, the data section
 * (records verbatim), then the feature sections (BUILD_ID, HOSTNAME,
 * OSRELEASE, VERSION, ARCH, NRCPUS, CMDLINE, EVENT_DESC, and Scorch's own).
 *
 * The header is rewritten at most every half second with the size of the
 * data written so far (and no feature bits), so a crash leaves a file that
 * perf loads up to that point; a failed write (ENOSPC…) finalizes the header
 * at the last whole record that reached the file and returns the error.
 *
 * Not thread-safe: use it from one thread at a time. */
typedef struct _ScorchPerfWriter ScorchPerfWriter;

/* stream must be seekable (a GFileOutputStream, a GMemoryOutputStream…).
 * name is used in error messages (e.g. the path). */
ScorchPerfWriter *scorch_perf_writer_new            (GOutputStream                 *stream,
                                                     const char                    *name);
/* Creates (replacing) the file at path. */
ScorchPerfWriter *scorch_perf_writer_new_for_path   (const char                    *path,
                                                     GError                       **error);
void              scorch_perf_writer_free           (ScorchPerfWriter              *self);

/* Before scorch_perf_writer_begin(). name is the event name for EVENT_DESC
 * ("cpu-clock"); ids are the kernel ids of the events (PERF_EVENT_IOC_ID). */
void              scorch_perf_writer_add_attr       (ScorchPerfWriter              *self,
                                                     const struct perf_event_attr  *attr,
                                                     const char                    *name,
                                                     const guint64                 *ids,
                                                     guint                          n_ids);
/* The TRACING_DATA feature (perf's trace-event-info layout: the formats
 * of the tracepoints recorded), which perf needs to read a capture with
 * tracepoint events; NULL: none. */
void              scorch_perf_writer_set_tracing_data (ScorchPerfWriter            *self,
                                                       GBytes                      *data);
/* The command line stored in the CMDLINE feature. */
void              scorch_perf_writer_set_cmdline    (ScorchPerfWriter              *self,
                                                     const char * const            *argv);

/* What only Scorch knows, stored in its own feature section (see
 * scorch-capture-notes.h); both may be set until scorch_perf_writer_finish().
 * status is the launched program's wait status (-1: unknown). */
void              scorch_perf_writer_set_exit_status (ScorchPerfWriter             *self,
                                                      int                           status);
/* "fp", "fp+repair,512", "dwarf,8192"… */
void              scorch_perf_writer_set_call_graph (ScorchPerfWriter              *self,
                                                     const char                    *mode);

/* The entries of that section, for other parts to add theirs (keys of
 * [a-z0-9.-]) until scorch_perf_writer_finish(); borrowed. */
ScorchCaptureNotes *scorch_perf_writer_get_notes    (ScorchPerfWriter              *self);

/* Writes the placeholder header and the attributes; records follow. */
gboolean          scorch_perf_writer_begin          (ScorchPerfWriter              *self,
                                                     GError                       **error);
/* data holds whole records (struct perf_event_header each, self-sized,
 * 8-byte multiples), copied verbatim into the data section. */
gboolean          scorch_perf_writer_add_records    (ScorchPerfWriter              *self,
                                                     const void                    *data,
                                                     gsize                          len,
                                                     GError                       **error);
/* Appends a PERF_RECORD_FINISHED_ROUND: no reordering across this point. */
gboolean          scorch_perf_writer_finish_round   (ScorchPerfWriter              *self,
                                                     GError                       **error);
/* Writes buffered records and patches the header (a loadable checkpoint). */
gboolean          scorch_perf_writer_flush          (ScorchPerfWriter              *self,
                                                     GError                       **error);
/* Writes the feature sections and the final header, and closes the stream.
 * After a failed write it still finalizes what reached the file and returns
 * the first error. */
gboolean          scorch_perf_writer_finish         (ScorchPerfWriter              *self,
                                                     GError                       **error);

/* Bytes of records accepted so far (data section size once flushed). */
guint64           scorch_perf_writer_get_data_size  (ScorchPerfWriter              *self);
/* Number of build ids written by finish(). */
guint             scorch_perf_writer_get_n_build_ids (ScorchPerfWriter             *self);

/* The size of the sample_id trailer of non-sample records for this attr
 * (what synthesized records must carry, zero-filled). */
guint             scorch_perf_id_header_size        (const struct perf_event_attr  *attr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchPerfWriter, scorch_perf_writer_free)

G_END_DECLS
