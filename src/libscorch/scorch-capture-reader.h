/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-capture-reader.h: reads a perf.data file (PERFILE2) made by perf
 * record or by Scorch, validates it and walks its records in time order. */

#pragma once

#include <gio/gio.h>
#include <linux/perf_event.h>

#include "scorch-perf-file.h"

G_BEGIN_DECLS

#define SCORCH_CAPTURE_ERROR (scorch_capture_error_quark ())

typedef enum
{
  SCORCH_CAPTURE_ERROR_NOT_PERF_DATA, /* wrong magic: not a perf.data file */
  SCORCH_CAPTURE_ERROR_UNSUPPORTED,   /* valid but a variant we do not read (pipe mode, byte-swapped, compressed) */
  SCORCH_CAPTURE_ERROR_MALFORMED,     /* a size, offset or count is out of bounds */
} ScorchCaptureError;

GQuark scorch_capture_error_quark (void);

/* Sanity limits on counts read from files. */
#define SCORCH_CAPTURE_MAX_ATTRS        4096
#define SCORCH_CAPTURE_MAX_IDS          (1u << 20)
#define SCORCH_CAPTURE_MAX_ATTR_SIZE    4096

/* One event of the capture: its perf_event_attr (zero-extended to this
 * build's size), the kernel ids that belong to it, its name. */
typedef struct
{
  struct perf_event_attr attr;
  guint64               *ids;
  guint                  n_ids;
  char                  *name;        /* from EVENT_DESC, or NULL */
  guint                  n_regs_user; /* popcount (sample_regs_user) */
  guint                  n_regs_intr;
  guint                  id_hdr_size; /* bytes of the sample_id trailer */
} ScorchCaptureAttr;

/* The attrs of a capture and how to tell records apart by them; also used
 * on its own by the live path (records straight from a recorder). */
typedef struct _ScorchCaptureAttrs ScorchCaptureAttrs;

ScorchCaptureAttrs      *scorch_capture_attrs_new   (void);
ScorchCaptureAttrs      *scorch_capture_attrs_ref   (ScorchCaptureAttrs           *self);
void                     scorch_capture_attrs_unref (ScorchCaptureAttrs           *self);
/* attr_size bytes of a perf_event_attr of any version (smaller ones are
 * zero-extended, larger ones truncated if the extra bytes are zero). */
gboolean                 scorch_capture_attrs_add   (ScorchCaptureAttrs           *self,
                                                     const void                   *attr,
                                                     gsize                         attr_size,
                                                     const guint64                *ids,
                                                     guint                         n_ids,
                                                     GError                      **error);
guint                    scorch_capture_attrs_get_n_attrs (ScorchCaptureAttrs     *self);
const ScorchCaptureAttr *scorch_capture_attrs_get_attr    (ScorchCaptureAttrs     *self,
                                                           guint                   i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchCaptureAttrs, scorch_capture_attrs_unref)

/* One record. data points into the mapped file (or the caller's buffer)
 * and is 8-byte aligned; the sample_id fields are filled from the trailer
 * (non-sample records with sample_id_all) or the sample body. */
typedef struct
{
  const guint8            *data;
  guint32                  type;
  guint16                  misc;
  guint16                  size;
  guint64                  file_offset;
  const ScorchCaptureAttr *attr;     /* NULL when the record has no event (user types) */
  gboolean                 has_time;
  guint64                  time;
  gint32                   pid, tid; /* -1 when absent */
  guint32                  cpu;
  guint64                  id;
} ScorchRecord;

/* The body of a PERF_RECORD_SAMPLE. Pointers point into the record. */
typedef struct
{
  guint64        ip;
  gint32         pid, tid;
  guint64        time;
  guint64        addr;
  guint64        id;
  guint32        cpu;
  guint64        period;
  const guint64 *callchain;
  guint64        callchain_nr;
  guint64        regs_abi;      /* 0: no user registers in this sample */
  guint64        regs_mask;
  const guint64 *regs;
  guint          n_regs;
  const guint8  *stack;
  guint64        stack_size;    /* bytes valid: dyn_size when it is smaller */
} ScorchSampleData;

/* Fills the record's header, attr and sample_id fields from data. The
 * record must be 8-byte aligned and len >= its size. */
gboolean scorch_capture_attrs_parse_record (ScorchCaptureAttrs *self,
                                            const guint8       *data,
                                            gsize               len,
                                            guint64             file_offset,
                                            ScorchRecord       *record,
                                            GError            **error);
gboolean scorch_capture_attrs_parse_sample (ScorchCaptureAttrs *self,
                                            const ScorchRecord *record,
                                            ScorchSampleData   *sample,
                                            GError            **error);

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
