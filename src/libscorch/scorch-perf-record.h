/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-perf-record.h: the one decoder of perf record layouts: record
 * headers, the sample_id_all trailer, PERF_RECORD_SAMPLE for every
 * sample_type bit Scorch reads, and the bodies of the kernel's side-band
 * records and of the user-type records perf writes. Every other file gets
 * typed structs from here; none parses record bytes itself (the data-suite
 * check tools/check-record-decoding.py holds this).
 *
 * Input is untrusted: every function checks sizes against the record and
 * fails with SCORCH_CAPTURE_ERROR_MALFORMED, never reads past it. Pointers
 * in the decoded structs point into the record (no copies); strings are
 * given with their length (bounded by the record, not necessarily
 * NUL-terminated). */

#pragma once

#include <glib.h>
#include <linux/perf_event.h>
#include <string.h>

#include "scorch-perf-file.h"

G_BEGIN_DECLS

#define SCORCH_CAPTURE_ERROR (scorch_capture_error_quark ())

typedef enum
{
  SCORCH_CAPTURE_ERROR_NOT_PERF_DATA, /* wrong magic: not a perf.data file */
  SCORCH_CAPTURE_ERROR_UNSUPPORTED,   /* valid but a variant we do not read (byte-swapped, ...) */
  SCORCH_CAPTURE_ERROR_MALFORMED,     /* a size, offset or count is out of bounds */
} ScorchCaptureError;

GQuark scorch_capture_error_quark (void);

/* Sets error to SCORCH_CAPTURE_ERROR_MALFORMED, "Malformed perf.data at
 * offset N (0xN): " and the formatted text; returns FALSE. */
gboolean scorch_capture_malformed (GError    **error,
                                   guint64     offset,
                                   const char *format,
                                   ...) G_GNUC_PRINTF (3, 4);

/* Native-endian loads of record fields at any alignment. */
static inline guint64
scorch_perf_rd64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline guint32
scorch_perf_rd32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline guint16
scorch_perf_rd16 (const guint8 *p)
{
  guint16 v;
  memcpy (&v, p, sizeof v);
  return v;
}

/* Sanity limits on counts read from files. */
#define SCORCH_CAPTURE_MAX_ATTRS        4096
#define SCORCH_CAPTURE_MAX_IDS          (1u << 20)
#define SCORCH_CAPTURE_MAX_ATTR_SIZE    4096

/* The sample_type bits that make up the sample_id_all trailer. */
#define SCORCH_PERF_SAMPLE_ID_MASK (PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ID | \
                                    PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_IDENTIFIER)

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
 * on its own by the live path (records straight from a recorder) and by
 * the writer. */
typedef struct _ScorchCaptureAttrs ScorchCaptureAttrs;

ScorchCaptureAttrs      *scorch_capture_attrs_new   (void);
ScorchCaptureAttrs      *scorch_capture_attrs_ref   (ScorchCaptureAttrs           *self);
void                     scorch_capture_attrs_unref (ScorchCaptureAttrs           *self);
/* attr_size bytes of a perf_event_attr of any version (smaller ones are
 * zero-extended, larger ones truncated). */
gboolean                 scorch_capture_attrs_add   (ScorchCaptureAttrs           *self,
                                                     const void                   *attr,
                                                     gsize                         attr_size,
                                                     const guint64                *ids,
                                                     guint                         n_ids,
                                                     GError                      **error);
guint                    scorch_capture_attrs_get_n_attrs (ScorchCaptureAttrs     *self);
const ScorchCaptureAttr *scorch_capture_attrs_get_attr    (ScorchCaptureAttrs     *self,
                                                           guint                   i);
/* The attr an event id belongs to, or NULL. */
const ScorchCaptureAttr *scorch_capture_attrs_lookup_id   (ScorchCaptureAttrs     *self,
                                                           guint64                 id);
/* Sets the EVENT_DESC name of attr i (no-op when out of range). */
void                     scorch_capture_attrs_set_name    (ScorchCaptureAttrs     *self,
                                                           guint                   i,
                                                           const char             *name);
/* All attrs agree on sample_id_all and, unless every one has
 * PERF_SAMPLE_IDENTIFIER, on sample_type (else records cannot be told
 * apart). */
gboolean                 scorch_capture_attrs_check       (ScorchCaptureAttrs     *self,
                                                           GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchCaptureAttrs, scorch_capture_attrs_unref)

/* The header of one record, checked: size >= 8, a multiple of 8, within
 * len. */
gboolean scorch_perf_record_parse_header (const guint8             *data,
                                          gsize                     len,
                                          guint64                   file_offset,
                                          struct perf_event_header *header,
                                          GError                  **error);

/* The same for a record in a stream perf wrote: perf requires only
 * size >= 8 there, and PERF_RECORD_COMPRESSED records (perf record -z)
 * have sizes that are no multiple of 8, so the records after them are not
 * aligned. */
gboolean scorch_perf_record_parse_stream_header (const guint8             *data,
                                                 gsize                     len,
                                                 guint64                   file_offset,
                                                 struct perf_event_header *header,
                                                 GError                  **error);

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

/* The decoder's name for a record with its sample_id. */
typedef ScorchRecord ScorchPerfRecord;

/* Fills the record's header, attr and sample_id fields from data. The
 * record must be 8-byte aligned and len >= its size. */
gboolean scorch_capture_attrs_parse_record (ScorchCaptureAttrs *self,
                                            const guint8       *data,
                                            gsize               len,
                                            guint64             file_offset,
                                            ScorchRecord       *record,
                                            GError            **error);

/* What a reader needs to put a record in time order, with the checks
 * and errors of scorch_capture_attrs_parse_record but nothing else read:
 * its header and its time (0 when it has none). */
gboolean scorch_capture_attrs_frame_record (ScorchCaptureAttrs       *self,
                                            const guint8             *data,
                                            gsize                     len,
                                            guint64                   file_offset,
                                            struct perf_event_header *header,
                                            guint64                  *time,
                                            GError                  **error);

/* Where the sample_id fields of a record are when the capture has one
 * event (almost every capture): the loading thread frames and parses each
 * record inline with it, where a call per record was 60-90 instructions.
 * Made by the decoder and kept current as attrs are added. */
typedef struct
{
  const ScorchCaptureAttr *attr;          /* the one event; NULL: none or several */
  gboolean                 sample_id_all; /* other records have a trailer */
  guint16                  head_need;     /* bytes of a sample body the fields below need */
  guint16                  trailer_size;  /* id_hdr_size */
  gint16                   head[4];       /* id, pid (and tid), time, cpu in a sample body; -1: absent */
  gint16                   trailer[4];    /* the same in the trailer */
} ScorchRecordLayout;

enum { SCORCH_SID_ID, SCORCH_SID_PID, SCORCH_SID_TIME, SCORCH_SID_CPU };

/* Borrowed; stays valid (and current) as long as the attrs. */
const ScorchRecordLayout *scorch_capture_attrs_get_layout (ScorchCaptureAttrs *self);

/* The checks of scorch_capture_attrs_parse_record on the header and the
 * sample_id, for the one-event layout: where the sample_id is (NULL:
 * the record has none) and how to read it. FALSE: not decided here
 * (several events, or a check failed): the caller calls the decoder,
 * which makes the error. */
static inline gboolean
scorch_record_layout_locate (const ScorchRecordLayout  *l,
                             const guint8              *data,
                             gsize                      len,
                             struct perf_event_header  *hdr,
                             const guint8             **sid,
                             const gint16             **at)
{
  *sid = NULL;
  if G_UNLIKELY (l->attr == NULL || len < sizeof *hdr)
    return FALSE;
  memcpy (hdr, data, sizeof *hdr);
  if G_UNLIKELY (hdr->size < sizeof *hdr || hdr->size > len || hdr->size % 8 != 0)
    return FALSE;
  if (hdr->type >= 64 /* PERF_RECORD_USER_TYPE_START */)
    return TRUE;
  if (hdr->type == PERF_RECORD_SAMPLE)
    {
      if G_UNLIKELY (hdr->size - sizeof *hdr < l->head_need)
        return FALSE;
      *sid = data + sizeof *hdr;
      *at = l->head;
      return TRUE;
    }
  if (!l->sample_id_all)
    return TRUE;
  if G_UNLIKELY (hdr->size < sizeof *hdr + l->trailer_size)
    return FALSE;
  *sid = data + hdr->size - l->trailer_size;
  *at = l->trailer;
  return TRUE;
}

/* scorch_capture_attrs_frame_record inline, for the one-event layout;
 * FALSE: call that. */
static inline gboolean
scorch_record_layout_frame (const ScorchRecordLayout *l,
                            const guint8             *data,
                            gsize                     len,
                            struct perf_event_header *hdr,
                            guint64                  *time)
{
  const guint8 *sid;
  const gint16 *at = NULL;

  if (!scorch_record_layout_locate (l, data, len, hdr, &sid, &at))
    return FALSE;
  *time = (sid != NULL && at[SCORCH_SID_TIME] >= 0) ? scorch_perf_rd64 (sid + at[SCORCH_SID_TIME]) : 0;
  return TRUE;
}

/* scorch_capture_attrs_parse_record inline, for the one-event layout;
 * FALSE: call that. */
static inline gboolean
scorch_record_layout_parse (const ScorchRecordLayout *l,
                            const guint8             *data,
                            gsize                     len,
                            guint64                   file_offset,
                            ScorchRecord             *record)
{
  struct perf_event_header hdr;
  const guint8 *sid;
  const gint16 *at = NULL;

  if (!scorch_record_layout_locate (l, data, len, &hdr, &sid, &at))
    return FALSE;
  /* as scorch_perf_record_init_raw, which is a call */
  record->data = data;
  record->type = hdr.type;
  record->misc = hdr.misc;
  record->size = hdr.size;
  record->file_offset = file_offset;
  record->attr = hdr.type >= 64 /* PERF_RECORD_USER_TYPE_START */ ? NULL : l->attr;
  record->has_time = FALSE;
  record->time = 0;
  record->pid = record->tid = -1;
  record->cpu = 0;
  record->id = 0;
  if (sid == NULL)
    return TRUE;
  if (at[SCORCH_SID_ID] >= 0)
    record->id = scorch_perf_rd64 (sid + at[SCORCH_SID_ID]);
  if (at[SCORCH_SID_PID] >= 0)
    memcpy (&record->pid, sid + at[SCORCH_SID_PID], 8);   /* pid, tid */
  if (at[SCORCH_SID_TIME] >= 0)
    {
      record->time = scorch_perf_rd64 (sid + at[SCORCH_SID_TIME]);
      record->has_time = TRUE;
    }
  if (at[SCORCH_SID_CPU] >= 0)
    record->cpu = scorch_perf_rd32 (sid + at[SCORCH_SID_CPU]);
  return TRUE;
}

/* The body of a PERF_RECORD_SAMPLE. Pointers point into the record. */
typedef struct
{
  guint64        ip;
  gint32         pid, tid;
  guint64        time;
  guint64        addr;
  guint64        id;
  guint64        stream_id;
  guint32        cpu;
  guint64        period;
  const guint64 *callchain;
  guint64        callchain_nr;
  const guint8  *raw;
  guint32        raw_size;
  guint64        branch_nr;
  guint64        regs_abi;      /* 0: no user registers in this sample */
  guint64        regs_mask;
  const guint64 *regs;
  guint          n_regs;
  const guint8  *stack;
  guint64        stack_size;    /* bytes valid: dyn_size when it is smaller */
  /* The user registers and stack copy (REGS_USER and STACK_USER, with
   * their abi and size fields) span [user_start, user_end) of the record;
   * empty when the sample has neither.  For rewriting samples. */
  const guint8  *user_start;
  const guint8  *user_end;
  guint64        weight;
  guint64        data_src;
  guint64        transaction;
  guint64        intr_regs_abi;
  guint64        phys_addr;
  guint64        cgroup;
} ScorchSampleData;

gboolean scorch_capture_attrs_parse_sample (ScorchCaptureAttrs *self,
                                            const ScorchRecord *record,
                                            ScorchSampleData   *sample,
                                            GError            **error);

/* What the record path reads of a sample: the fields of ScorchSampleData
 * of the same names. Accepts and rejects the same samples as
 * scorch_capture_attrs_parse_sample(), but reads the fields at offsets
 * computed once per attr and copies no others: for the per-sample rewrite
 * of fp+repair. */
typedef struct
{
  guint64        ip;
  gint32         pid, tid;
  guint64        time;
  const guint64 *callchain;     /* maybe unaligned */
  guint64        callchain_nr;
  const guint64 *regs;          /* NULL: no user registers in this sample */
  guint          n_regs;
  const guint8  *stack;
  guint64        stack_size;
  const guint8  *user_start;
  const guint8  *user_end;
} ScorchSampleStack;

gboolean scorch_capture_attrs_parse_sample_stack (ScorchCaptureAttrs *self,
                                                  const ScorchRecord *record,
                                                  ScorchSampleStack  *sample,
                                                  GError            **error);

/* ---- side-band records (kernel types) ---------------------------------- */

/* PERF_RECORD_MMAP and PERF_RECORD_MMAP2 */
typedef struct
{
  gint32        pid, tid;
  guint64       start, len, pgoff;
  guint32       maj, min;        /* MMAP2 without build id; 0 otherwise */
  guint64       ino, ino_generation;
  const guint8 *build_id;        /* MMAP2 with PERF_RECORD_MISC_MMAP_BUILD_ID, else NULL */
  guint         build_id_len;
  guint32       prot, flags;     /* MMAP: PROT_READ|PROT_EXEC, or PROT_READ for data maps */
  const char   *filename;
  gsize         filename_len;    /* up to the first NUL inside the record */
  gboolean      kernel;          /* cpumode KERNEL or GUEST_KERNEL */
} ScorchPerfMmap;

/* PERF_RECORD_COMM */
typedef struct
{
  gint32      pid, tid;
  const char *comm;
  gsize       comm_len;
  gboolean    exec;              /* PERF_RECORD_MISC_COMM_EXEC */
} ScorchPerfComm;

/* PERF_RECORD_FORK and PERF_RECORD_EXIT */
typedef struct
{
  gint32  pid, ppid, tid, ptid;
  guint64 time;
} ScorchPerfTask;

/* PERF_RECORD_LOST (id, lost) and PERF_RECORD_LOST_SAMPLES (lost) */
typedef struct
{
  guint64 id;
  guint64 lost;
} ScorchPerfLost;

/* PERF_RECORD_THROTTLE and PERF_RECORD_UNTHROTTLE */
typedef struct
{
  guint64  time, id, stream_id;
  gboolean throttle;
} ScorchPerfThrottle;

/* PERF_RECORD_SWITCH and PERF_RECORD_SWITCH_CPU_WIDE */
typedef struct
{
  gboolean out;                  /* PERF_RECORD_MISC_SWITCH_OUT */
  gboolean preempt;              /* out while still runnable */
  gint32   next_prev_pid;        /* CPU_WIDE only, else -1 */
  gint32   next_prev_tid;
} ScorchPerfSwitch;

/* PERF_RECORD_KSYMBOL */
typedef struct
{
  guint64     addr;
  guint32     len;
  guint16     ksym_type;
  guint16     flags;             /* PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER */
  const char *name;
  gsize       name_len;
} ScorchPerfKsymbol;

/* ---- user-type records that perf writes (type >= 64) ------------------ */

/* PERF_RECORD_ID_INDEX: nr entries of (id, idx, cpu, tid) */
typedef struct
{
  guint64 id, idx, cpu, tid;
} ScorchPerfIdIndexEntry;

typedef struct
{
  guint64       nr;
  const guint8 *entries;         /* nr * 32 bytes; read with _get_id_index_entry */
} ScorchPerfIdIndex;

/* PERF_RECORD_HEADER_ATTR (pipe mode): an attr of attr->size bytes, then
 * the event ids up to the end of the record. */
typedef struct
{
  const guint8  *attr;
  gsize          attr_size;
  const guint8  *ids;            /* n_ids * 8 bytes, maybe unaligned */
  guint          n_ids;
} ScorchPerfHeaderAttr;

/* PERF_RECORD_HEADER_FEATURE (pipe mode): one feature section's payload. */
typedef struct
{
  guint64       feature;
  const guint8 *data;
  gsize         size;
} ScorchPerfHeaderFeature;

/* PERF_RECORD_COMPRESSED (perf record -z): a zstd frame of records. */
typedef struct
{
  const guint8 *data;
  gsize         size;
} ScorchPerfCompressed;

/* PERF_RECORD_HEADER_TRACING_DATA and PERF_RECORD_AUXTRACE: their payload
 * follows the record in the stream, outside header.size. */
typedef struct
{
  guint64 size;
} ScorchPerfTrailingData;

/* One entry of the BUILD_ID feature section, or the body of a
 * PERF_RECORD_HEADER_BUILD_ID (pipe mode): header, pid, build id (20 bytes
 * and, with SCORCH_PERF_BUILD_ID_MISC_SIZE, its size in byte 20, padded to
 * 24), NUL-padded filename. Entries in the feature section need not be
 * 8-byte multiples. */
typedef struct
{
  gint32        pid;
  gboolean      kernel;
  const guint8 *build_id;
  guint         build_id_len;
  const char   *filename;
  gsize         filename_len;
} ScorchPerfBuildId;

gboolean scorch_perf_record_parse_build_id (const guint8      *data,
                                            gsize              len,
                                            guint64            file_offset,
                                            ScorchPerfBuildId *out,
                                            gsize             *entry_size,
                                            GError           **error);

/* PERF_RECORD_EVENT_UPDATE: a name, unit, scale or cpu map for the event
 * of an id (pipe mode). Only the name is decoded. */
#define SCORCH_PERF_EVENT_UPDATE_NAME 2

typedef struct
{
  guint64     type;
  guint64     id;
  const char *name;              /* type NAME, else NULL */
  gsize       name_len;
} ScorchPerfEventUpdate;

/* PERF_RECORD_TIME_CONV */
typedef struct
{
  guint64 time_shift, time_mult, time_zero;
} ScorchPerfTimeConv;

/* The bytes of a non-sample kernel record between its header and its
 * sample_id trailer. */
gboolean scorch_perf_record_get_body   (const ScorchRecord      *record,
                                        const guint8           **body,
                                        gsize                   *body_len,
                                        GError                 **error);

gboolean scorch_perf_record_get_mmap   (const ScorchRecord      *record,
                                        ScorchPerfMmap          *out,
                                        GError                 **error);
gboolean scorch_perf_record_get_comm   (const ScorchRecord      *record,
                                        ScorchPerfComm          *out,
                                        GError                 **error);
gboolean scorch_perf_record_get_task   (const ScorchRecord      *record,
                                        ScorchPerfTask          *out,
                                        GError                 **error);
gboolean scorch_perf_record_get_lost   (const ScorchRecord      *record,
                                        ScorchPerfLost          *out,
                                        GError                 **error);
gboolean scorch_perf_record_get_throttle (const ScorchRecord    *record,
                                          ScorchPerfThrottle    *out,
                                          GError               **error);
gboolean scorch_perf_record_get_switch (const ScorchRecord      *record,
                                        ScorchPerfSwitch        *out,
                                        GError                 **error);
gboolean scorch_perf_record_get_ksymbol (const ScorchRecord     *record,
                                         ScorchPerfKsymbol      *out,
                                         GError                **error);
gboolean scorch_perf_record_get_id_index (const ScorchRecord    *record,
                                          ScorchPerfIdIndex     *out,
                                          GError               **error);
void     scorch_perf_record_get_id_index_entry (const ScorchPerfIdIndex *index,
                                                guint64                  i,
                                                ScorchPerfIdIndexEntry  *entry);
gboolean scorch_perf_record_get_header_attr (const ScorchRecord *record,
                                             ScorchPerfHeaderAttr *out,
                                             GError            **error);
gboolean scorch_perf_record_get_header_feature (const ScorchRecord      *record,
                                                ScorchPerfHeaderFeature *out,
                                                GError                 **error);
gboolean scorch_perf_record_get_compressed (const ScorchRecord   *record,
                                            ScorchPerfCompressed *out,
                                            GError              **error);
gboolean scorch_perf_record_get_trailing_data (const ScorchRecord     *record,
                                               ScorchPerfTrailingData *out,
                                               GError                **error);
gboolean scorch_perf_record_get_build_id (const ScorchRecord *record,
                                          ScorchPerfBuildId  *out,
                                          GError            **error);
gboolean scorch_perf_record_get_event_update (const ScorchRecord    *record,
                                              ScorchPerfEventUpdate *out,
                                              GError              **error);
gboolean scorch_perf_record_get_time_conv (const ScorchRecord  *record,
                                           ScorchPerfTimeConv  *out,
                                           GError             **error);

/* All of the above by type, for callers that want whatever a record holds
 * (tests, the fuzz target, dumps). Types the decoder does not know are
 * SCORCH_PERF_BODY_NONE, not an error. */
typedef enum
{
  SCORCH_PERF_BODY_NONE,
  SCORCH_PERF_BODY_SAMPLE,
  SCORCH_PERF_BODY_MMAP,
  SCORCH_PERF_BODY_COMM,
  SCORCH_PERF_BODY_TASK,
  SCORCH_PERF_BODY_LOST,
  SCORCH_PERF_BODY_THROTTLE,
  SCORCH_PERF_BODY_SWITCH,
  SCORCH_PERF_BODY_KSYMBOL,
  SCORCH_PERF_BODY_ID_INDEX,
  SCORCH_PERF_BODY_HEADER_ATTR,
  SCORCH_PERF_BODY_HEADER_FEATURE,
  SCORCH_PERF_BODY_COMPRESSED,
  SCORCH_PERF_BODY_TRAILING_DATA,
  SCORCH_PERF_BODY_TIME_CONV,
  SCORCH_PERF_BODY_BUILD_ID,
  SCORCH_PERF_BODY_EVENT_UPDATE,
  SCORCH_PERF_BODY_EMPTY,        /* FINISHED_ROUND, FINISHED_INIT */
} ScorchPerfBodyKind;

typedef struct
{
  ScorchPerfBodyKind kind;
  union
  {
    ScorchSampleData        sample;
    ScorchPerfMmap          mmap;
    ScorchPerfComm          comm;
    ScorchPerfTask          task;
    ScorchPerfLost          lost;
    ScorchPerfThrottle      throttle;
    ScorchPerfSwitch        sw;
    ScorchPerfKsymbol       ksymbol;
    ScorchPerfIdIndex       id_index;
    ScorchPerfHeaderAttr    header_attr;
    ScorchPerfHeaderFeature header_feature;
    ScorchPerfCompressed    compressed;
    ScorchPerfTrailingData  trailing;
    ScorchPerfTimeConv      time_conv;
    ScorchPerfBuildId       build_id;
    ScorchPerfEventUpdate   event_update;
  } u;
} ScorchPerfBody;

gboolean scorch_perf_record_decode (ScorchCaptureAttrs *attrs,
                                    const ScorchRecord *record,
                                    ScorchPerfBody     *body,
                                    GError            **error);

/* Makes a record for a fixed-layout body (user types, or a kernel record
 * without attrs), for the callers that only have raw bytes. */
void     scorch_perf_record_init_raw (ScorchRecord                   *record,
                                      const struct perf_event_header *header,
                                      const guint8                   *data,
                                      guint64                         file_offset);

/* The size of the sample_id trailer of non-sample records for attr (what
 * synthesized records must carry, zero-filled). */
guint    scorch_perf_record_id_header_size (const struct perf_event_attr *attr);

G_END_DECLS
