/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-capture-reader.h: reads a perf.data file (PERFILE2) made by perf
 * record or by Scorch, validates it and walks its records in time order. */

#pragma once

#include <gio/gio.h>
#include <linux/perf_event.h>

#include "scorch-capture-notes.h"
#include "scorch-perf-file.h"
#include "scorch-perf-record.h"

G_BEGIN_DECLS

typedef struct
{
  gint32       pid;
  gboolean     kernel;
  guint8       build_id[20];
  guint        build_id_len;
  const char  *filename;
} ScorchCaptureBuildId;

typedef struct _ScorchCaptureReader ScorchCaptureReader;

ScorchCaptureReader *scorch_capture_reader_new          (const char           *path,
                                                         GError              **error);
/* The bytes are referenced (copied when not 8-byte aligned). */
ScorchCaptureReader *scorch_capture_reader_new_from_bytes (GBytes             *bytes,
                                                           GError            **error);
void                 scorch_capture_reader_free         (ScorchCaptureReader  *self);

ScorchCaptureAttrs  *scorch_capture_reader_get_attrs    (ScorchCaptureReader  *self);
const char          *scorch_capture_reader_get_hostname (ScorchCaptureReader  *self);
const char          *scorch_capture_reader_get_osrelease (ScorchCaptureReader *self);
const char          *scorch_capture_reader_get_arch     (ScorchCaptureReader  *self);
const char          *scorch_capture_reader_get_perf_version (ScorchCaptureReader *self);
/* From Scorch's feature section: the launched program's wait status
 * (FALSE when the capture does not say), the call-graph mode as recorded
 * ("fp+repair,512"; NULL when unknown). */
gboolean             scorch_capture_reader_get_exit_status (ScorchCaptureReader *self,
                                                            int                 *status);
const char          *scorch_capture_reader_get_call_graph (ScorchCaptureReader  *self);
/* Every entry of Scorch's feature section (empty when the capture has
 * none); borrowed. */
ScorchCaptureNotes  *scorch_capture_reader_get_notes    (ScorchCaptureReader  *self);
/* Joined with spaces, or NULL. */
const char          *scorch_capture_reader_get_cmdline  (ScorchCaptureReader  *self);
guint                scorch_capture_reader_get_nr_cpus_online (ScorchCaptureReader *self);
guint                scorch_capture_reader_get_nr_cpus_avail  (ScorchCaptureReader *self);
const ScorchCaptureBuildId *scorch_capture_reader_get_build_ids (ScorchCaptureReader *self,
                                                                 guint               *n_build_ids);
gboolean             scorch_capture_reader_has_feature  (ScorchCaptureReader  *self,
                                                         ScorchPerfFeature     feature);
guint64              scorch_capture_reader_get_data_size (ScorchCaptureReader *self);
/* Damage read around (a skipped feature section, an unfinished capture),
 * for the user. More may come while the records are read. */
guint                scorch_capture_reader_get_n_warnings (ScorchCaptureReader *self);
const char          *scorch_capture_reader_get_warning  (ScorchCaptureReader  *self,
                                                         guint                 i);
/* data.size was 0 (a killed perf record): records are read up to the end
 * of the file, and the feature sections are not there. */
gboolean             scorch_capture_reader_is_unfinished (ScorchCaptureReader *self);

/* Next record in time order (perf's rule: records are sorted within the
 * window that FINISHED_ROUND bounds; records without a time are delivered
 * in file order).  Returns FALSE at the end (error unset) or on error. */
gboolean             scorch_capture_reader_next         (ScorchCaptureReader  *self,
                                                         ScorchRecord         *record,
                                                         GError              **error);
/* Bytes of the data section read so far, for progress. */
guint64              scorch_capture_reader_get_position (ScorchCaptureReader  *self);
/* Starts the walk over. */
void                 scorch_capture_reader_rewind       (ScorchCaptureReader  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchCaptureReader, scorch_capture_reader_free)

G_END_DECLS
