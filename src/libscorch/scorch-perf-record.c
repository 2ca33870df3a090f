/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-perf-record.c: the one decoder of perf record layouts (see
 * scorch-perf-record.h). Layouts: include/uapi/linux/perf_event.h and
 * tools/perf/util/event.h (user types).
 *
 * Every layout is described once, as data: the sample_type bits of
 * PERF_RECORD_SAMPLE in record order (sample_items), the sample_id trailer
 * (trailer_items) and the fixed fields and tail of every other record type
 * (body_layouts). One loop reads each. The sample and trailer descriptions
 * are compiled per attr when it is added (the offset of every field for its
 * sample_type), so decoding a sample is a few bounds checks and copies. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-perf-record"

#include <glib/gi18n.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "scorch-perf-record.h"

G_DEFINE_QUARK (scorch-capture-error-quark, scorch_capture_error)

#ifndef PERF_FORMAT_LOST
# define PERF_FORMAT_LOST (1u << 4)
#endif
#define BRANCH_HW_INDEX (1u << 17) /* PERF_SAMPLE_BRANCH_HW_INDEX */

/* ------------------------------------------------------------------ */
/* Fields                                                              */

/* One fixed field: size bytes at src (from the start of its block) copied
 * to dst, an offset in the decoded struct; FIELD_PTR stores a pointer to
 * src instead. size 0 ends a list. A pid and the tid after it are one
 * 8-byte field (the structs keep them side by side, as records do). */
typedef struct
{
  guint16 src;
  guint16 dst;
  guint8  size;
} Field;

#define FIELD_PTR 0xff
#define NO_DST    G_MAXUINT16

#define FLD_N(src, T, m, n) { (src), offsetof (T, m), (n) }
#define FLD(src, T, m)      FLD_N (src, T, m, sizeof (((T *) NULL)->m))
#define FLD_PTR(src, T, m)  FLD_N (src, T, m, FIELD_PTR)

G_STATIC_ASSERT (offsetof (ScorchRecord, tid) == offsetof (ScorchRecord, pid) + 4);
G_STATIC_ASSERT (offsetof (ScorchSampleData, tid) == offsetof (ScorchSampleData, pid) + 4);
G_STATIC_ASSERT (offsetof (ScorchPerfMmap, tid) == offsetof (ScorchPerfMmap, pid) + 4);
G_STATIC_ASSERT (offsetof (ScorchPerfComm, tid) == offsetof (ScorchPerfComm, pid) + 4);
G_STATIC_ASSERT (offsetof (ScorchPerfTask, ptid) == offsetof (ScorchPerfTask, pid) + 12);
G_STATIC_ASSERT (offsetof (ScorchPerfMmap, min) == offsetof (ScorchPerfMmap, maj) + 4);
G_STATIC_ASSERT (offsetof (ScorchPerfMmap, ino_generation) == offsetof (ScorchPerfMmap, ino) + 8);
G_STATIC_ASSERT (offsetof (ScorchPerfMmap, flags) == offsetof (ScorchPerfMmap, prot) + 4);
G_STATIC_ASSERT (sizeof (ScorchPerfIdIndexEntry) == 32);
G_STATIC_ASSERT (offsetof (ScorchPerfSwitch, next_prev_tid) == offsetof (ScorchPerfSwitch, next_prev_pid) + 4);

static inline void
load_fields (const guint8 *block,
             const Field  *fields,
             guint         n,
             void         *out)
{
  guint8 *o = out;

  for (guint i = 0; i < n; i++)
    {
      const Field *f = &fields[i];
      const guint8 *from = block + f->src;

      switch (f->size)
        {
        case FIELD_PTR: memcpy (o + f->dst, &from, sizeof from); break;
        case 4:         memcpy (o + f->dst, from, 4); break;
        case 8:         memcpy (o + f->dst, from, 8); break;
        default:        memcpy (o + f->dst, from, f->size); break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* PERF_RECORD_SAMPLE and sample_id: the descriptions                  */

/* Where a sample's decoding has got to */
typedef struct
{
  const ScorchCaptureAttr *attr;
  const ScorchRecord      *record;
  const guint8            *p;
  const guint8            *end;
  ScorchSampleData        *s;
  GError                 **error;
} SampleCursor;

/* The variable-size fields of a sample, each read by sample_<name> () */
typedef enum
{
  VAR_NONE,
  VAR_READ,
  VAR_CALLCHAIN,
  VAR_RAW,
  VAR_BRANCH,
  VAR_REGS_USER,
  VAR_STACK,
  VAR_REGS_INTR,
  VAR_AUX,
} SampleVarField;

/* A sample_type bit in record order: a fixed field (space bytes in the
 * record, size of them copied to dst in ScorchSampleData and rec_dst in
 * ScorchRecord) or a variable-size one read by decode. bits 0: a mark, a
 * pointer to where the record has got to. */
typedef struct
{
  guint64        bits;
  guint8         space;
  guint8         size;
  guint16        dst;
  guint16        rec_dst;
  SampleVarField decode;
} SampleItem;

/* The bits of the start of a sample that the record's sample_id comes from */
#define SAMPLE_HEAD_BITS (SCORCH_PERF_SAMPLE_ID_MASK | PERF_SAMPLE_IP | PERF_SAMPLE_ADDR)

#define S(m) offsetof (ScorchSampleData, m)
#define R(m) offsetof (ScorchRecord, m)

static const SampleItem sample_items[] = {
  { PERF_SAMPLE_IDENTIFIER,   8, 8, S (id),          R (id),   VAR_NONE },
  { PERF_SAMPLE_IP,           8, 8, S (ip),          NO_DST,   VAR_NONE },
  { PERF_SAMPLE_TID,          8, 8, S (pid),         R (pid),  VAR_NONE },
  { PERF_SAMPLE_TIME,         8, 8, S (time),        R (time), VAR_NONE },
  { PERF_SAMPLE_ADDR,         8, 8, S (addr),        NO_DST,   VAR_NONE },
  { PERF_SAMPLE_ID,           8, 8, S (id),          R (id),   VAR_NONE },
  { PERF_SAMPLE_STREAM_ID,    8, 8, S (stream_id),   NO_DST,   VAR_NONE },
  { PERF_SAMPLE_CPU,          8, 4, S (cpu),         R (cpu),  VAR_NONE },
  { PERF_SAMPLE_PERIOD,       8, 8, S (period),      NO_DST,   VAR_NONE },
  { PERF_SAMPLE_READ,         0, 0, NO_DST,          NO_DST,   VAR_READ },
  { PERF_SAMPLE_CALLCHAIN,    0, 0, NO_DST,          NO_DST,   VAR_CALLCHAIN },
  { PERF_SAMPLE_RAW,          0, 0, NO_DST,          NO_DST,   VAR_RAW },
  { PERF_SAMPLE_BRANCH_STACK, 0, 0, NO_DST,          NO_DST,   VAR_BRANCH },
  { 0,                        0, FIELD_PTR, S (user_start), NO_DST, VAR_NONE },
  { PERF_SAMPLE_REGS_USER,    0, 0, NO_DST,          NO_DST,   VAR_REGS_USER },
  { PERF_SAMPLE_STACK_USER,   0, 0, NO_DST,          NO_DST,   VAR_STACK },
  { 0,                        0, FIELD_PTR, S (user_end), NO_DST, VAR_NONE },
  /* What follows is decoded for completeness; a sample cut after the
   * stack is still an error, as perf's parser says. */
  { PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT, 8, 8, S (weight), NO_DST, VAR_NONE },
  { PERF_SAMPLE_DATA_SRC,     8, 8, S (data_src),    NO_DST,   VAR_NONE },
  { PERF_SAMPLE_TRANSACTION,  8, 8, S (transaction), NO_DST,   VAR_NONE },
  { PERF_SAMPLE_REGS_INTR,    0, 0, NO_DST,          NO_DST,   VAR_REGS_INTR },
  { PERF_SAMPLE_PHYS_ADDR,    8, 8, S (phys_addr),   NO_DST,   VAR_NONE },
  { PERF_SAMPLE_AUX,          0, 0, NO_DST,          NO_DST,   VAR_AUX },
  { PERF_SAMPLE_CGROUP,       8, 8, S (cgroup),      NO_DST,   VAR_NONE },
  { PERF_SAMPLE_DATA_PAGE_SIZE, 8, 0, NO_DST,        NO_DST,   VAR_NONE },
  { PERF_SAMPLE_CODE_PAGE_SIZE, 8, 0, NO_DST,        NO_DST,   VAR_NONE },
};

/* The sample_id trailer of non-sample records (sample_id_all), in order */
static const SampleItem trailer_items[] = {
  { PERF_SAMPLE_TID,        8, 8, NO_DST, R (pid),  VAR_NONE },
  { PERF_SAMPLE_TIME,       8, 8, NO_DST, R (time), VAR_NONE },
  { PERF_SAMPLE_ID,         8, 8, NO_DST, R (id),   VAR_NONE },
  { PERF_SAMPLE_STREAM_ID,  8, 0, NO_DST, NO_DST,   VAR_NONE },
  { PERF_SAMPLE_CPU,        8, 4, NO_DST, R (cpu),  VAR_NONE },
  { PERF_SAMPLE_IDENTIFIER, 8, 8, NO_DST, R (id),   VAR_NONE },
};

#undef S
#undef R

/* ------------------------------------------------------------------ */
/* Attrs                                                               */

/* A run of fixed fields of a sample (need bytes), then a variable one */
typedef struct
{
  guint16        need;
  guint8         first, n;
  SampleVarField decode;
} SampleStep;

#define MAX_SAMPLE_FIELDS G_N_ELEMENTS (sample_items)

/* Where the sample_id fields are (from the start of a sample body or of
 * a trailer), -1: absent */
typedef struct
{
  gint16 id, pid, time, cpu;
} SampleIdAt;

static void
sample_id_at_init (SampleIdAt *at)
{
  at->id = at->pid = at->time = at->cpu = -1;
}

static void
sample_id_at_set (SampleIdAt       *at,
                  const SampleItem *item,
                  guint16           pos)
{
  switch (item->rec_dst)
    {
    case offsetof (ScorchRecord, id):   at->id = pos; break;
    case offsetof (ScorchRecord, pid):  at->pid = pos; break;
    case offsetof (ScorchRecord, time): at->time = pos; break;
    case offsetof (ScorchRecord, cpu):  at->cpu = pos; break;
    default:                            break;
    }
}

static inline void
load_sample_id (const guint8     *p,
                const SampleIdAt *at,
                ScorchRecord     *record)
{
  if (at->id >= 0)
    record->id = scorch_perf_rd64 (p + at->id);
  if (at->pid >= 0)
    memcpy (&record->pid, p + at->pid, 8);   /* pid, tid */
  if (at->time >= 0)
    {
      record->time = scorch_perf_rd64 (p + at->time);
      record->has_time = TRUE;
    }
  if (at->cpu >= 0)
    record->cpu = scorch_perf_rd32 (p + at->cpu);
}

/* An attr with its sample_type compiled: where every field is */
typedef struct
{
  ScorchCaptureAttr pub;
  Field             sample_fields[MAX_SAMPLE_FIELDS];
  SampleStep        steps[MAX_SAMPLE_FIELDS + 1];
  guint             n_steps;
  SampleIdAt        head;        /* the sample_id of a sample, from its body */
  guint16           head_need;
  SampleIdAt        trailer;     /* of other records, from their trailer */
  /* For scorch_capture_attrs_parse_sample_stack (): TRUE when the only
   * variable-size fields are the callchain, user registers and stack;
   * then the offsets of ip, pid and time in the body (-1: absent) */
  gboolean          direct;
  gint16            ip_at, pid_at, time_at;
  guint16           direct_head;   /* bytes before the callchain or user regs */
  guint16           direct_tail;   /* bytes after the stack copy */
} CaptureAttr;

static inline const CaptureAttr *
compiled (const ScorchCaptureAttr *attr)
{
  return (const CaptureAttr *) attr;
}

static guint64
read_size (guint64 read_format,
           guint64 nr)
{
  guint64 per_value = 1 + !!(read_format & PERF_FORMAT_ID) + !!(read_format & PERF_FORMAT_LOST);
  guint64 extra = !!(read_format & PERF_FORMAT_TOTAL_TIME_ENABLED) +
                  !!(read_format & PERF_FORMAT_TOTAL_TIME_RUNNING);

  return 8 * (extra + nr * per_value);
}

static void
compile_attr (CaptureAttr *a)
{
  guint64 st = a->pub.attr.sample_type;
  gboolean group = (a->pub.attr.read_format & PERF_FORMAT_GROUP) != 0;
  SampleStep *step = &a->steps[0];
  guint n_fields = 0;
  guint16 pos = 0, user_end = 0;
  gboolean head_done = FALSE;

  a->n_steps = 1;
  sample_id_at_init (&a->head);
  sample_id_at_init (&a->trailer);
  a->direct = !(st & (PERF_SAMPLE_RAW | PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_REGS_INTR | PERF_SAMPLE_AUX)) &&
              !((st & PERF_SAMPLE_READ) && group);
  a->ip_at = a->pid_at = a->time_at = -1;
  for (guint i = 0; i < G_N_ELEMENTS (sample_items); i++)
    {
      const SampleItem *item = &sample_items[i];
      guint8 space = item->space;

      if (item->bits != 0 && !(st & item->bits))
        continue;
      if (!head_done && ((item->decode != VAR_NONE && item->decode != VAR_READ) ||
                         item->dst == offsetof (ScorchSampleData, user_start)))
        {
          a->direct_head = pos;
          head_done = TRUE;
        }
      if (item->dst == offsetof (ScorchSampleData, user_end))
        user_end = pos;
      if (item->decode == VAR_READ && !group)
        space = read_size (a->pub.attr.read_format, 1);
      else if (item->decode != VAR_NONE)
        {
          step->need = pos;
          step->decode = item->decode;
          step = &a->steps[a->n_steps++];
          step->first = n_fields;
          pos = 0;
          continue;
        }
      if (item->dst != NO_DST && item->size != 0)
        {
          a->sample_fields[n_fields++] = (Field) { pos, item->dst, item->size };
          step->n++;
        }
      if (a->n_steps == 1 && item->dst == offsetof (ScorchSampleData, ip))
        a->ip_at = pos;
      else if (a->n_steps == 1 && item->dst == offsetof (ScorchSampleData, pid))
        a->pid_at = pos;
      else if (a->n_steps == 1 && item->dst == offsetof (ScorchSampleData, time))
        a->time_at = pos;
      if (item->rec_dst != NO_DST)
        sample_id_at_set (&a->head, item, pos);
      pos += space;
      if (item->bits & SAMPLE_HEAD_BITS)
        a->head_need = pos;
    }
  step->need = pos;
  a->direct_tail = pos - user_end;

  pos = 0;
  for (guint i = 0; i < G_N_ELEMENTS (trailer_items); i++)
    {
      const SampleItem *item = &trailer_items[i];

      if (!(st & item->bits))
        continue;
      if (item->rec_dst != NO_DST)
        sample_id_at_set (&a->trailer, item, pos);
      pos += item->space;
    }
}

struct _ScorchCaptureAttrs
{
  gatomicrefcount    ref_count;
  GPtrArray         *attrs;     /* of CaptureAttr* */
  GHashTable        *by_id;     /* guint64 id -> ScorchCaptureAttr* */
  gboolean           all_identifier;
  int                sample_id_pos;   /* index (u64) of ID in a sample body, -1 unknown */
  int                trailer_id_pos;  /* index (u64) from the end of the trailer, -1 unknown */
  ScorchRecordLayout layout;          /* for one event (update_layout) */
};

static void
capture_attr_free (gpointer data)
{
  ScorchCaptureAttr *attr = data;

  g_free (attr->ids);
  g_free (attr->name);
  g_free (attr);
}
ScorchCaptureAttrs *
scorch_capture_attrs_new (void)
{
  ScorchCaptureAttrs *self = g_new0 (ScorchCaptureAttrs, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->attrs = g_ptr_array_new_with_free_func (capture_attr_free);
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->sample_id_pos = -1;
  self->trailer_id_pos = -1;
  return self;
}

ScorchCaptureAttrs *
scorch_capture_attrs_ref (ScorchCaptureAttrs *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
scorch_capture_attrs_unref (ScorchCaptureAttrs *self)
{
  if (self == NULL)
    return;
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_hash_table_unref (self->by_id);
      g_ptr_array_unref (self->attrs);
      g_free (self);
    }
}

guint
scorch_capture_attrs_get_n_attrs (ScorchCaptureAttrs *self)
{
  return self->attrs->len;
}

const ScorchCaptureAttr *
scorch_capture_attrs_get_attr (ScorchCaptureAttrs *self,
                               guint               i)
{
  g_return_val_if_fail (i < self->attrs->len, NULL);
  return g_ptr_array_index (self->attrs, i);
}

const ScorchCaptureAttr *
scorch_capture_attrs_lookup_id (ScorchCaptureAttrs *self,
                                guint64             id)
{
  return g_hash_table_lookup (self->by_id, &id);
}

void
scorch_capture_attrs_set_name (ScorchCaptureAttrs *self,
                               guint               i,
                               const char         *name)
{
  ScorchCaptureAttr *attr;

  if (i >= self->attrs->len)
    return;
  attr = g_ptr_array_index (self->attrs, i);
  g_free (attr->name);
  attr->name = g_strdup (name);
}

static void
update_id_positions (ScorchCaptureAttrs *self)
{
  const ScorchCaptureAttr *first = g_ptr_array_index (self->attrs, 0);
  guint64 st = first->attr.sample_type;
  int pos;

  self->all_identifier = TRUE;
  for (guint i = 0; i < self->attrs->len; i++)
    {
      const ScorchCaptureAttr *a = g_ptr_array_index (self->attrs, i);

      if (!(a->attr.sample_type & PERF_SAMPLE_IDENTIFIER))
        self->all_identifier = FALSE;
    }

  /* PERF_SAMPLE_ID without IDENTIFIER: perf assumes one layout for all. */
  self->sample_id_pos = (st & PERF_SAMPLE_ID)
                        ? __builtin_popcountll (st & (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR))
                        : -1;
  pos = 1 + __builtin_popcountll (st & (PERF_SAMPLE_CPU | PERF_SAMPLE_STREAM_ID));
  self->trailer_id_pos = (st & PERF_SAMPLE_ID) ? pos : -1;
}

static void
sample_id_at_put (gint16           *out,
                  const SampleIdAt *at)
{
  out[SCORCH_SID_ID] = at->id;
  out[SCORCH_SID_PID] = at->pid;
  out[SCORCH_SID_TIME] = at->time;
  out[SCORCH_SID_CPU] = at->cpu;
}

/* The inline readers of scorch-perf-record.h take the attrs' one event
 * from here; with none or several they call the functions below. */
static void
update_layout (ScorchCaptureAttrs *self)
{
  ScorchRecordLayout *l = &self->layout;
  const CaptureAttr *a;

  memset (l, 0, sizeof *l);
  if (self->attrs->len != 1)
    return;
  a = g_ptr_array_index (self->attrs, 0);
  l->attr = &a->pub;
  l->sample_id_all = a->pub.attr.sample_id_all;
  l->head_need = a->head_need;
  l->trailer_size = a->pub.id_hdr_size;
  sample_id_at_put (l->head, &a->head);
  sample_id_at_put (l->trailer, &a->trailer);
}

const ScorchRecordLayout *
scorch_capture_attrs_get_layout (ScorchCaptureAttrs *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->layout;
}

guint
scorch_perf_record_id_header_size (const struct perf_event_attr *attr)
{
  if (!attr->sample_id_all)
    return 0;
  return 8 * __builtin_popcountll (attr->sample_type & SCORCH_PERF_SAMPLE_ID_MASK);
}

gboolean
scorch_capture_attrs_add (ScorchCaptureAttrs *self,
                          const void         *attr_data,
                          gsize               attr_size,
                          const guint64      *ids,
                          guint               n_ids,
                          GError            **error)
{
  ScorchCaptureAttr *attr;

  g_return_val_if_fail (self != NULL, FALSE);

  if (attr_size < PERF_ATTR_SIZE_VER0 || attr_size > SCORCH_CAPTURE_MAX_ATTR_SIZE)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
                   _("Event attribute size %" G_GSIZE_FORMAT " is out of range"), attr_size);
      return FALSE;
    }
  if (self->attrs->len >= SCORCH_CAPTURE_MAX_ATTRS || n_ids > SCORCH_CAPTURE_MAX_IDS)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
                   _("Too many events or event ids"));
      return FALSE;
    }

  attr = (ScorchCaptureAttr *) g_new0 (CaptureAttr, 1);
  memcpy (&attr->attr, attr_data, MIN (attr_size, sizeof attr->attr));
  attr->attr.size = sizeof attr->attr;
  attr->n_regs_user = __builtin_popcountll (attr->attr.sample_regs_user);
  attr->n_regs_intr = __builtin_popcountll (attr->attr.sample_regs_intr);
  attr->id_hdr_size = scorch_perf_record_id_header_size (&attr->attr);
  compile_attr ((CaptureAttr *) attr);
  if (n_ids > 0)
    attr->ids = g_memdup2 (ids, sizeof (guint64) * n_ids);
  attr->n_ids = n_ids;
  g_ptr_array_add (self->attrs, attr);

  for (guint i = 0; i < n_ids; i++)
    g_hash_table_insert (self->by_id, &attr->ids[i], attr);

  update_id_positions (self);
  update_layout (self);
  return TRUE;
}

gboolean
scorch_capture_malformed (GError    **error,
                          guint64     offset,
                          const char *format,
                          ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
               _("Malformed perf.data at offset %" G_GUINT64_FORMAT " (0x%" G_GINT64_MODIFIER "x): %s"),
               offset, offset, what);
  return FALSE;
}

gboolean
scorch_capture_attrs_check (ScorchCaptureAttrs *self,
                            GError            **error)
{
  for (guint i = 1; i < self->attrs->len; i++)
    {
      const ScorchCaptureAttr *a0 = g_ptr_array_index (self->attrs, 0);
      const ScorchCaptureAttr *ai = g_ptr_array_index (self->attrs, i);

      if (a0->attr.sample_id_all != ai->attr.sample_id_all)
        {
          g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
                       _("Event %u disagrees with the first on sample_id_all"), i);
          return FALSE;
        }
      if (!self->all_identifier && a0->attr.sample_type != ai->attr.sample_type)
        {
          g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
                       _("Event %u has another sample type than the first but no PERF_SAMPLE_IDENTIFIER"), i);
          return FALSE;
        }
    }
  return TRUE;
}


/* ------------------------------------------------------------------ */
/* Record header and sample_id                                         */

/* The two checks below, inlined where a capture's records are parsed
 * (scorch_capture_attrs_parse_record, twice a record on the loading
 * thread): as exported functions of a shared-object-ready build they
 * were two calls a parse, not inlined, 5 % of that thread's
 * instructions on fp-1M. */
static inline gboolean
parse_stream_header (const guint8             *data,
                     gsize                     len,
                     guint64                   file_offset,
                     struct perf_event_header *hdr,
                     GError                  **error)
{
  if (len < sizeof *hdr)
    return scorch_capture_malformed (error, file_offset, _("record header cut short"));
  memcpy (hdr, data, sizeof *hdr);
  if (hdr->size < sizeof *hdr)
    return scorch_capture_malformed (error, file_offset, _("record size %u is smaller than its header"), hdr->size);
  if (hdr->size > len)
    return scorch_capture_malformed (error, file_offset, _("record of %u bytes runs past the end of the data (%" G_GSIZE_FORMAT " bytes left)"),
                      hdr->size, len);
  return TRUE;
}

static inline gboolean
parse_header (const guint8             *data,
              gsize                     len,
              guint64                   file_offset,
              struct perf_event_header *hdr,
              GError                  **error)
{
  if (!parse_stream_header (data, len, file_offset, hdr, error))
    return FALSE;
  if (hdr->size % 8 != 0)
    return scorch_capture_malformed (error, file_offset, _("record size %u is not a multiple of 8"), hdr->size);
  return TRUE;
}

gboolean
scorch_perf_record_parse_stream_header (const guint8             *data,
                                        gsize                     len,
                                        guint64                   file_offset,
                                        struct perf_event_header *hdr,
                                        GError                  **error)
{
  return parse_stream_header (data, len, file_offset, hdr, error);
}

gboolean
scorch_perf_record_parse_header (const guint8             *data,
                                 gsize                     len,
                                 guint64                   file_offset,
                                 struct perf_event_header *hdr,
                                 GError                  **error)
{
  return parse_header (data, len, file_offset, hdr, error);
}

void
scorch_perf_record_init_raw (ScorchRecord                   *record,
                             const struct perf_event_header *hdr,
                             const guint8                   *data,
                             guint64                         file_offset)
{
  record->data = data;
  record->type = hdr->type;
  record->misc = hdr->misc;
  record->size = hdr->size;
  record->file_offset = file_offset;
  record->attr = NULL;
  record->has_time = FALSE;
  record->time = 0;
  record->pid = record->tid = -1;
  record->cpu = 0;
  record->id = 0;
}

/* The attr of the record at data (size bytes, header checked) from the
 * event id at id_pos (in u64 from the start of the sample body, or from
 * the end of the record when from_end), or the first when the attrs need
 * no id. Inlined: once a record on the loading thread, and mostly the
 * one-event case. */
G_ALWAYS_INLINE static inline gboolean
attr_of_record (ScorchCaptureAttrs       *self,
                const guint8             *data,
                gsize                     size,
                guint64                   file_offset,
                gboolean                  from_end,
                const ScorchCaptureAttr **attr,
                GError                  **error)
{
  const guint8 *body = data + sizeof (struct perf_event_header);
  gsize body_len = size - sizeof (struct perf_event_header);
  int pos;

  if G_LIKELY (self->attrs->len == 1)
    {
      *attr = g_ptr_array_index (self->attrs, 0);
      return TRUE;
    }
  pos = from_end ? self->trailer_id_pos : self->sample_id_pos + 1;
  if (self->all_identifier)
    pos = 1;
  else if (pos <= 0)
    {
      *attr = g_ptr_array_index (self->attrs, 0);
      return TRUE;
    }
  if (body_len < 8 * (gsize) pos)
    {
      if (from_end)
        return scorch_capture_malformed (error, file_offset, self->all_identifier ? _("record too short for its identifier")
                                                                                 : _("record too short for its id"));
      return scorch_capture_malformed (error, file_offset, self->all_identifier ? _("sample too short for its identifier")
                                                                               : _("sample too short for its id"));
    }
  *attr = scorch_capture_attrs_lookup_id (self, scorch_perf_rd64 (from_end ? data + size - 8 * pos
                                                                           : body + 8 * (pos - 1)));
  return TRUE;
}

/* What scorch_capture_attrs_parse_record and _frame_record share: the
 * checks (in one order, with one set of errors) and where the record's
 * sample_id is. *attr: the record's event (NULL: none, or an id of no
 * event); *sid: the start of its sample_id fields, read with *at (NULL:
 * the record has none). */
G_ALWAYS_INLINE static inline gboolean
locate_sample_id (ScorchCaptureAttrs        *self,
                  const guint8              *data,
                  gsize                      len,
                  guint64                    file_offset,
                  struct perf_event_header  *hdr,
                  const ScorchCaptureAttr  **attr,
                  const guint8             **sid,
                  const SampleIdAt         **at,
                  GError                   **error)
{
  const CaptureAttr *a;

  *attr = NULL;
  *sid = NULL;
  if (!parse_header (data, len, file_offset, hdr, error))
    return FALSE;

  if (hdr->type >= 64 /* PERF_RECORD_USER_TYPE_START */ || self->attrs->len == 0)
    return TRUE;

  if (!attr_of_record (self, data, hdr->size, file_offset, hdr->type != PERF_RECORD_SAMPLE, attr, error))
    return FALSE;

  if (hdr->type == PERF_RECORD_SAMPLE)
    {
      if (*attr == NULL)
        return TRUE; /* an id of no event: the consumer drops and counts it */
      a = compiled (*attr);
      if (hdr->size - sizeof *hdr < a->head_need)
        return scorch_capture_malformed (error, file_offset, _("sample shorter than its sample_type says"));
      *sid = data + sizeof *hdr;
      *at = &a->head;
      return TRUE;
    }

  /* A side-band record (MMAP2, COMM, ...) of an unknown id is still needed:
   * read its trailer with the first event's layout. */
  if (*attr == NULL)
    *attr = g_ptr_array_index (self->attrs, 0);

  if ((*attr)->attr.sample_id_all)
    {
      a = compiled (*attr);
      if (hdr->size < sizeof *hdr + (*attr)->id_hdr_size)
        return scorch_capture_malformed (error, file_offset, _("record of type %u too short for its sample_id trailer"), hdr->type);
      *sid = data + hdr->size - (*attr)->id_hdr_size;
      *at = &a->trailer;
    }

  return TRUE;
}

gboolean
scorch_capture_attrs_parse_record (ScorchCaptureAttrs *self,
                                   const guint8       *data,
                                   gsize               len,
                                   guint64             file_offset,
                                   ScorchRecord       *record,
                                   GError            **error)
{
  const ScorchCaptureAttr *attr;
  struct perf_event_header hdr;
  const guint8 *sid;
  const SampleIdAt *at = NULL;

  if (!locate_sample_id (self, data, len, file_offset, &hdr, &attr, &sid, &at, error))
    return FALSE;
  scorch_perf_record_init_raw (record, &hdr, data, file_offset);
  record->attr = attr;
  if (sid != NULL)
    load_sample_id (sid, at, record);
  return TRUE;
}

gboolean
scorch_capture_attrs_frame_record (ScorchCaptureAttrs       *self,
                                   const guint8             *data,
                                   gsize                     len,
                                   guint64                   file_offset,
                                   struct perf_event_header *header,
                                   guint64                  *time,
                                   GError                  **error)
{
  const ScorchCaptureAttr *attr;
  const guint8 *sid;
  const SampleIdAt *at = NULL;

  if (!locate_sample_id (self, data, len, file_offset, header, &attr, &sid, &at, error))
    return FALSE;
  *time = (sid != NULL && at->time >= 0) ? scorch_perf_rd64 (sid + at->time) : 0;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* PERF_RECORD_SAMPLE                                                  */

static gboolean
sample_too_short (const ScorchRecord *record,
                  GError            **error)
{
  return scorch_capture_malformed (error, record->file_offset, _("sample shorter than its sample_type says"));
}

static inline gsize
left (const SampleCursor *c)
{
  return c->end - c->p;
}

/* n more bytes, which are skipped */
static inline gboolean
skip (SampleCursor *c,
      guint64       n)
{
  if (left (c) < n)
    return sample_too_short (c->record, c->error);
  c->p += n;
  return TRUE;
}

/* The u64 a variable field starts with */
static inline gboolean
take_u64 (SampleCursor *c,
          guint64      *v)
{
  if (left (c) < 8)
    return sample_too_short (c->record, c->error);
  *v = scorch_perf_rd64 (c->p);
  c->p += 8;
  return TRUE;
}

/* A count of entries of entry_size bytes that the rest of the sample must
 * hold; what is a name for the error. */
static inline gboolean
take_count (SampleCursor *c,
            guint64       entry_size,
            const char   *what,
            guint64      *nr)
{
  if (!take_u64 (c, nr))
    return FALSE;
  if (*nr > left (c) / entry_size)
    {
      /* what is one of the N_() formats below, each with one u64 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      return scorch_capture_malformed (c->error, c->record->file_offset, _(what), *nr);
#pragma GCC diagnostic pop
    }
  return TRUE;
}

/* PERF_FORMAT_GROUP: nr, then the values (without GROUP a fixed field) */
static gboolean
sample_read (SampleCursor *c)
{
  guint64 rf = c->attr->attr.read_format;
  guint64 per_value = read_size (rf & ~(guint64) (PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING), 1);
  guint64 nr = 0;

  return take_count (c, per_value, N_("read group count %" G_GUINT64_FORMAT " too large"), &nr) &&
         skip (c, read_size (rf, nr));
}

/* inline: the record path reads it for every sample */
G_ALWAYS_INLINE static inline gboolean
sample_callchain (SampleCursor *c)
{
  guint64 nr = 0;

  if (!take_count (c, 8, N_("callchain of %" G_GUINT64_FORMAT " entries runs past the record"), &nr))
    return FALSE;
  c->s->callchain = (const guint64 *) (gconstpointer) c->p;
  c->s->callchain_nr = nr;
  c->p += 8 * nr;
  return TRUE;
}

static gboolean
sample_raw (SampleCursor *c)
{
  guint32 size;

  if (left (c) < 4)
    return sample_too_short (c->record, c->error);
  size = scorch_perf_rd32 (c->p);
  if ((guint64) size + 4 > left (c))
    return scorch_capture_malformed (c->error, c->record->file_offset, _("raw data of %u bytes runs past the record"), size);
  c->s->raw = c->p + 4;
  c->s->raw_size = size;
  /* u32 size + data, padded to 8 bytes */
  c->p += MIN (((guint64) size + 4 + 7) & ~(guint64) 7, left (c));
  return TRUE;
}

static gboolean
sample_branch (SampleCursor *c)
{
  guint64 nr = 0;

  if (!take_u64 (c, &nr))
    return FALSE;
  if ((c->attr->attr.branch_sample_type & BRANCH_HW_INDEX) && !skip (c, 8))
    return FALSE;
  if (nr > left (c) / 24)
    return scorch_capture_malformed (c->error, c->record->file_offset, _("branch stack of %" G_GUINT64_FORMAT " entries runs past the record"), nr);
  c->s->branch_nr = nr;
  c->p += 24 * nr;
  return TRUE;
}

G_ALWAYS_INLINE static inline gboolean
sample_regs_user (SampleCursor *c)
{
  if (!take_u64 (c, &c->s->regs_abi))
    return FALSE;
  if (c->s->regs_abi == 0)
    return TRUE;
  c->s->regs_mask = c->attr->attr.sample_regs_user;
  c->s->regs = (const guint64 *) (gconstpointer) c->p;
  c->s->n_regs = c->attr->n_regs_user;
  return skip (c, 8 * (guint64) c->attr->n_regs_user);
}

G_ALWAYS_INLINE static inline gboolean
sample_stack (SampleCursor *c)
{
  guint64 size = 0, dyn_size;

  if (!take_u64 (c, &size))
    return FALSE;
  if (size == 0)
    return TRUE;
  if (size > left (c) || left (c) - size < 8)
    return scorch_capture_malformed (c->error, c->record->file_offset, _("user stack of %" G_GUINT64_FORMAT " bytes runs past the record"), size);
  c->s->stack = c->p;
  c->p += size;
  dyn_size = scorch_perf_rd64 (c->p);
  c->p += 8;
  c->s->stack_size = MIN (size, dyn_size);
  return TRUE;
}

static gboolean
sample_regs_intr (SampleCursor *c)
{
  if (!take_u64 (c, &c->s->intr_regs_abi))
    return FALSE;
  return c->s->intr_regs_abi == 0 || skip (c, 8 * (guint64) c->attr->n_regs_intr);
}

static gboolean
sample_aux (SampleCursor *c)
{
  guint64 size = 0;

  if (!take_count (c, 1, N_("aux data of %" G_GUINT64_FORMAT " bytes runs past the record"), &size))
    return FALSE;
  c->p += size;
  return TRUE;
}

static inline gboolean
sample_var_field (SampleCursor   *c,
                  SampleVarField  field)
{
  switch (field)
    {
    case VAR_READ:      return sample_read (c);
    case VAR_CALLCHAIN: return sample_callchain (c);
    case VAR_RAW:       return sample_raw (c);
    case VAR_BRANCH:    return sample_branch (c);
    case VAR_REGS_USER: return sample_regs_user (c);
    case VAR_STACK:     return sample_stack (c);
    case VAR_REGS_INTR: return sample_regs_intr (c);
    case VAR_AUX:       return sample_aux (c);
    case VAR_NONE:
    default:            return TRUE;
    }
}

static const ScorchSampleData sample_defaults = { .pid = -1, .tid = -1 };

gboolean
scorch_capture_attrs_parse_sample (ScorchCaptureAttrs *self,
                                   const ScorchRecord *record,
                                   ScorchSampleData   *s,
                                   GError            **error)
{
  SampleCursor c = { record->attr, record, record->data + sizeof (struct perf_event_header),
                     record->data + record->size, s, error };
  const CaptureAttr *a;

  g_return_val_if_fail (record->type == PERF_RECORD_SAMPLE, FALSE);

  *s = sample_defaults;
  if (record->attr == NULL)
    return scorch_capture_malformed (error, record->file_offset, _("sample without an event attribute"));
  a = compiled (record->attr);

  for (guint i = 0; i < a->n_steps; i++)
    {
      const SampleStep *step = &a->steps[i];

      if (left (&c) < step->need)
        return sample_too_short (record, error);
      load_fields (c.p, a->sample_fields + step->first, step->n, s);
      c.p += step->need;
      if (step->decode != VAR_NONE && !sample_var_field (&c, step->decode))
        return FALSE;
    }
  return TRUE;
}

gboolean
scorch_capture_attrs_parse_sample_stack (ScorchCaptureAttrs *self,
                                         const ScorchRecord *record,
                                         ScorchSampleStack  *out,
                                         GError            **error)
{
  ScorchSampleData s;   /* only the fields copied to out are set */
  SampleCursor c = { record->attr, record, record->data + sizeof (struct perf_event_header),
                     record->data + record->size, &s, error };
  const CaptureAttr *a;
  guint64 st;

  g_return_val_if_fail (record->type == PERF_RECORD_SAMPLE, FALSE);

  if (record->attr == NULL || !compiled (record->attr)->direct)
    {
      if (!scorch_capture_attrs_parse_sample (self, record, &s, error))
        return FALSE;
    }
  else
    {
      /* the layout parse_sample () reads, with the fields it would check
       * but not copy taken as the sizes the attr gives them */
      a = compiled (record->attr);
      st = record->attr->attr.sample_type;
      if (left (&c) < a->direct_head)
        return sample_too_short (record, error);
      s.ip = a->ip_at >= 0 ? scorch_perf_rd64 (c.p + a->ip_at) : 0;
      s.pid = s.tid = -1;
      if (a->pid_at >= 0)
        memcpy (&s.pid, c.p + a->pid_at, 8);
      s.time = a->time_at >= 0 ? scorch_perf_rd64 (c.p + a->time_at) : 0;
      s.callchain = s.regs = NULL;
      s.callchain_nr = s.regs_abi = 0;
      s.n_regs = 0;
      s.stack = NULL;
      s.stack_size = 0;
      c.p += a->direct_head;
      if ((st & PERF_SAMPLE_CALLCHAIN) && !sample_callchain (&c))
        return FALSE;
      s.user_start = c.p;
      if ((st & PERF_SAMPLE_REGS_USER) && !sample_regs_user (&c))
        return FALSE;
      if ((st & PERF_SAMPLE_STACK_USER) && !sample_stack (&c))
        return FALSE;
      s.user_end = c.p;
      if (left (&c) < a->direct_tail)
        return sample_too_short (record, error);
    }

  *out = (ScorchSampleStack) {
    .ip = s.ip, .pid = s.pid, .tid = s.tid, .time = s.time,
    .callchain = s.callchain, .callchain_nr = s.callchain_nr,
    .regs = s.regs, .n_regs = s.n_regs, .stack = s.stack, .stack_size = s.stack_size,
    .user_start = s.user_start, .user_end = s.user_end,
  };
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Side-band bodies                                                    */

static gboolean
too_short (const ScorchRecord *record,
           GError            **error)
{
  scorch_capture_malformed (error, record->file_offset, _("record of type %u is too short"), record->type);
  return FALSE;
}

static gboolean
wrong_type (const ScorchRecord *record,
            GError            **error)
{
  scorch_capture_malformed (error, record->file_offset, _("record of type %u decoded as another type"), record->type);
  return FALSE;
}

gboolean
scorch_perf_record_get_body (const ScorchRecord  *record,
                             const guint8       **body,
                             gsize               *body_len,
                             GError             **error)
{
  gsize len, trailer;

  if (record->size < sizeof (struct perf_event_header))
    return too_short (record, error);
  len = record->size - sizeof (struct perf_event_header);
  trailer = (record->type < 64 && record->type != PERF_RECORD_SAMPLE && record->attr != NULL)
            ? record->attr->id_hdr_size : 0;
  if (trailer > len)
    return too_short (record, error);
  *body = record->data + sizeof (struct perf_event_header);
  *body_len = len - trailer;
  return TRUE;
}

static gboolean
is_kernel_mode (guint16 misc)
{
  guint16 mode = misc & PERF_RECORD_MISC_CPUMODE_MASK;

  return mode == PERF_RECORD_MISC_KERNEL || mode == PERF_RECORD_MISC_GUEST_KERNEL;
}

/* What a layout's fixed fields cannot say: flags from misc, fields that
 * depend on another, checks of counts against the body. */
typedef struct
{
  const ScorchRecord *record;
  const guint8       *d;     /* the body */
  gsize               len;
  void               *out;
  GError            **error;
} BodyCursor;

typedef gboolean (*BodyFinish) (const BodyCursor *c);

static gboolean
finish_mmap (const BodyCursor *c)
{
  ScorchPerfMmap *m = c->out;

  m->kernel = is_kernel_mode (c->record->misc);
  if (c->record->type == PERF_RECORD_MMAP)
    m->prot = (c->record->misc & PERF_RECORD_MISC_MMAP_DATA) ? PROT_READ : PROT_READ | PROT_EXEC;
  else if (c->record->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)
    {
      /* build_id_size, 3 reserved bytes, build_id[20] instead of maj,
       * min, ino, ino_generation */
      m->maj = m->min = 0;
      m->ino = m->ino_generation = 0;
      m->build_id_len = MIN (c->d[32], 20);
      m->build_id = c->d + 36;
    }
  return TRUE;
}

static gboolean
finish_comm (const BodyCursor *c)
{
  ((ScorchPerfComm *) c->out)->exec = (c->record->misc & PERF_RECORD_MISC_COMM_EXEC) != 0;
  return TRUE;
}

static gboolean
finish_task (const BodyCursor *c)
{
  /* the time may be absent in hand-made files */
  ((ScorchPerfTask *) c->out)->time = c->len >= 24 ? scorch_perf_rd64 (c->d + 16) : c->record->time;
  return TRUE;
}

static gboolean
finish_lost_samples (const BodyCursor *c)
{
  ((ScorchPerfLost *) c->out)->id = c->record->id;
  return TRUE;
}

static gboolean
finish_throttle (const BodyCursor *c)
{
  ((ScorchPerfThrottle *) c->out)->throttle = c->record->type == PERF_RECORD_THROTTLE;
  return TRUE;
}

static gboolean
finish_switch (const BodyCursor *c)
{
  ScorchPerfSwitch *sw = c->out;

  sw->out = (c->record->misc & PERF_RECORD_MISC_SWITCH_OUT) != 0;
  sw->preempt = sw->out && (c->record->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0;
  if (c->record->type == PERF_RECORD_SWITCH)
    sw->next_prev_pid = sw->next_prev_tid = -1;
  return TRUE;
}

static gboolean
finish_id_index (const BodyCursor *c)
{
  ScorchPerfIdIndex *index = c->out;

  if (index->nr > (c->len - 8) / 32)
    return scorch_capture_malformed (c->error, c->record->file_offset, _("ID_INDEX of %" G_GUINT64_FORMAT " entries runs past the record"), index->nr);
  return TRUE;
}

static gboolean
finish_header_attr (const BodyCursor *c)
{
  ScorchPerfHeaderAttr *ha = c->out;
  guint32 attr_size = scorch_perf_rd32 (c->d + 4); /* perf_event_attr.size */

  if (attr_size == 0)
    attr_size = PERF_ATTR_SIZE_VER0;
  if (attr_size < PERF_ATTR_SIZE_VER0 || attr_size > SCORCH_CAPTURE_MAX_ATTR_SIZE || attr_size > c->len ||
      attr_size % 8 != 0)
    return scorch_capture_malformed (c->error, c->record->file_offset, _("HEADER_ATTR with an attribute of %u bytes"), attr_size);
  ha->attr = c->d;
  ha->attr_size = attr_size;
  ha->ids = c->d + attr_size;
  ha->n_ids = (c->len - attr_size) / 8;
  return TRUE;
}

static gboolean
finish_tracing_data (const BodyCursor *c)
{
  /* u32 size, padded; the data (size bytes, 8-aligned) follows */
  ((ScorchPerfTrailingData *) c->out)->size = ((guint64) scorch_perf_rd32 (c->d) + 7) & ~(guint64) 7;
  return TRUE;
}

static gboolean
finish_auxtrace (const BodyCursor *c)
{
  /* u64 size, offset, reference; u32 idx, tid, cpu, reserved */
  guint64 size = ((ScorchPerfTrailingData *) c->out)->size;

  if (size > G_MAXINT64 || size % 8 != 0)
    return scorch_capture_malformed (c->error, c->record->file_offset, _("AUXTRACE data size %" G_GUINT64_FORMAT " is invalid"), size);
  return TRUE;
}

static gboolean
finish_build_id (const BodyCursor *c)
{
  return scorch_perf_record_parse_build_id (c->record->data, c->record->size, c->record->file_offset, c->out, NULL, c->error);
}

static gboolean
finish_event_update (const BodyCursor *c)
{
  ScorchPerfEventUpdate *eu = c->out;

  if (eu->type == SCORCH_PERF_EVENT_UPDATE_NAME)
    {
      eu->name = (const char *) c->d + 16;
      eu->name_len = strnlen (eu->name, c->len - 16);
    }
  return TRUE;
}

typedef enum
{
  TAIL_NONE,
  TAIL_STRING,   /* NUL-padded: its length is up to the first NUL */
  TAIL_BYTES,
} TailKind;

/* One record type's body: min_len bytes of fixed fields, then maybe a
 * tail from min_len to the end of the body (its pointer and length go to
 * tail_ptr and tail_len), then finish. The decoded struct (out_size
 * bytes) is zeroed first. */
typedef struct
{
  guint32            type;
  ScorchPerfBodyKind kind;
  guint16            out_size;
  guint16            min_len;
  Field              fields[7];
  TailKind           tail;
  guint16            tail_ptr, tail_len;
  BodyFinish         finish;
} BodyLayout;

#define TAIL(kind, T, ptr, n) (kind), offsetof (T, ptr), offsetof (T, n)
#define NO_TAIL               TAIL_NONE, 0, 0

static const BodyLayout body_layouts[] = {
  /* pid, tid, addr, len, pgoff, filename */
  { PERF_RECORD_MMAP, SCORCH_PERF_BODY_MMAP, sizeof (ScorchPerfMmap), 32,
    { FLD_N (0, ScorchPerfMmap, pid, 8), FLD (8, ScorchPerfMmap, start), FLD (16, ScorchPerfMmap, len),
      FLD (24, ScorchPerfMmap, pgoff) },
    TAIL (TAIL_STRING, ScorchPerfMmap, filename, filename_len), finish_mmap },
  /* and maj, min, ino, ino_generation, prot, flags before the filename */
  { PERF_RECORD_MMAP2, SCORCH_PERF_BODY_MMAP, sizeof (ScorchPerfMmap), 64,
    { FLD_N (0, ScorchPerfMmap, pid, 8), FLD (8, ScorchPerfMmap, start), FLD (16, ScorchPerfMmap, len),
      FLD (24, ScorchPerfMmap, pgoff), FLD_N (32, ScorchPerfMmap, maj, 8), FLD_N (40, ScorchPerfMmap, ino, 16),
      FLD_N (56, ScorchPerfMmap, prot, 8) },
    TAIL (TAIL_STRING, ScorchPerfMmap, filename, filename_len), finish_mmap },
  { PERF_RECORD_COMM, SCORCH_PERF_BODY_COMM, sizeof (ScorchPerfComm), 8,
    { FLD_N (0, ScorchPerfComm, pid, 8) },
    TAIL (TAIL_STRING, ScorchPerfComm, comm, comm_len), finish_comm },
  /* pid, ppid, tid, ptid, time */
  { PERF_RECORD_FORK, SCORCH_PERF_BODY_TASK, sizeof (ScorchPerfTask), 16,
    { FLD_N (0, ScorchPerfTask, pid, 16) }, NO_TAIL, finish_task },
  { PERF_RECORD_EXIT, SCORCH_PERF_BODY_TASK, sizeof (ScorchPerfTask), 16,
    { FLD_N (0, ScorchPerfTask, pid, 16) }, NO_TAIL, finish_task },
  { PERF_RECORD_LOST, SCORCH_PERF_BODY_LOST, sizeof (ScorchPerfLost), 16,
    { FLD (0, ScorchPerfLost, id), FLD (8, ScorchPerfLost, lost) }, NO_TAIL, NULL },
  { PERF_RECORD_LOST_SAMPLES, SCORCH_PERF_BODY_LOST, sizeof (ScorchPerfLost), 8,
    { FLD (0, ScorchPerfLost, lost) }, NO_TAIL, finish_lost_samples },
  { PERF_RECORD_THROTTLE, SCORCH_PERF_BODY_THROTTLE, sizeof (ScorchPerfThrottle), 24,
    { FLD (0, ScorchPerfThrottle, time), FLD (8, ScorchPerfThrottle, id), FLD (16, ScorchPerfThrottle, stream_id) },
    NO_TAIL, finish_throttle },
  { PERF_RECORD_UNTHROTTLE, SCORCH_PERF_BODY_THROTTLE, sizeof (ScorchPerfThrottle), 24,
    { FLD (0, ScorchPerfThrottle, time), FLD (8, ScorchPerfThrottle, id), FLD (16, ScorchPerfThrottle, stream_id) },
    NO_TAIL, finish_throttle },
  { PERF_RECORD_SWITCH, SCORCH_PERF_BODY_SWITCH, sizeof (ScorchPerfSwitch), 0,
    { { 0 } }, NO_TAIL, finish_switch },
  { PERF_RECORD_SWITCH_CPU_WIDE, SCORCH_PERF_BODY_SWITCH, sizeof (ScorchPerfSwitch), 8,
    { FLD_N (0, ScorchPerfSwitch, next_prev_pid, 8) }, NO_TAIL, finish_switch },
  /* addr, len, ksym_type, flags, name */
  { PERF_RECORD_KSYMBOL, SCORCH_PERF_BODY_KSYMBOL, sizeof (ScorchPerfKsymbol), 16,
    { FLD (0, ScorchPerfKsymbol, addr), FLD (8, ScorchPerfKsymbol, len), FLD (12, ScorchPerfKsymbol, ksym_type),
      FLD (14, ScorchPerfKsymbol, flags) },
    TAIL (TAIL_STRING, ScorchPerfKsymbol, name, name_len), NULL },
  { SCORCH_PERF_RECORD_ID_INDEX, SCORCH_PERF_BODY_ID_INDEX, sizeof (ScorchPerfIdIndex), 8,
    { FLD (0, ScorchPerfIdIndex, nr), FLD_PTR (8, ScorchPerfIdIndex, entries) }, NO_TAIL, finish_id_index },
  { SCORCH_PERF_RECORD_HEADER_ATTR, SCORCH_PERF_BODY_HEADER_ATTR, sizeof (ScorchPerfHeaderAttr), 8,
    { { 0 } }, NO_TAIL, finish_header_attr },
  { SCORCH_PERF_RECORD_HEADER_FEATURE, SCORCH_PERF_BODY_HEADER_FEATURE, sizeof (ScorchPerfHeaderFeature), 8,
    { FLD (0, ScorchPerfHeaderFeature, feature) },
    TAIL (TAIL_BYTES, ScorchPerfHeaderFeature, data, size), NULL },
  { SCORCH_PERF_RECORD_COMPRESSED, SCORCH_PERF_BODY_COMPRESSED, sizeof (ScorchPerfCompressed), 0,
    { { 0 } }, TAIL (TAIL_BYTES, ScorchPerfCompressed, data, size), NULL },
  { SCORCH_PERF_RECORD_HEADER_TRACING_DATA, SCORCH_PERF_BODY_TRAILING_DATA, sizeof (ScorchPerfTrailingData), 4,
    { { 0 } }, NO_TAIL, finish_tracing_data },
  { SCORCH_PERF_RECORD_AUXTRACE, SCORCH_PERF_BODY_TRAILING_DATA, sizeof (ScorchPerfTrailingData), 8,
    { FLD (0, ScorchPerfTrailingData, size) }, NO_TAIL, finish_auxtrace },
  { SCORCH_PERF_RECORD_TIME_CONV, SCORCH_PERF_BODY_TIME_CONV, sizeof (ScorchPerfTimeConv), 24,
    { FLD (0, ScorchPerfTimeConv, time_shift), FLD (8, ScorchPerfTimeConv, time_mult),
      FLD (16, ScorchPerfTimeConv, time_zero) },
    NO_TAIL, NULL },
  { SCORCH_PERF_RECORD_HEADER_BUILD_ID, SCORCH_PERF_BODY_BUILD_ID, sizeof (ScorchPerfBuildId), 0,
    { { 0 } }, NO_TAIL, finish_build_id },
  /* type, id, then a name for type NAME */
  { SCORCH_PERF_RECORD_EVENT_UPDATE, SCORCH_PERF_BODY_EVENT_UPDATE, sizeof (ScorchPerfEventUpdate), 16,
    { FLD (0, ScorchPerfEventUpdate, type), FLD (8, ScorchPerfEventUpdate, id) }, NO_TAIL, finish_event_update },
  { SCORCH_PERF_RECORD_FINISHED_ROUND, SCORCH_PERF_BODY_EMPTY, 0, 0, { { 0 } }, NO_TAIL, NULL },
  { SCORCH_PERF_RECORD_FINISHED_INIT, SCORCH_PERF_BODY_EMPTY, 0, 0, { { 0 } }, NO_TAIL, NULL },
};

static const BodyLayout *
layout_of (guint32 type)
{
  for (guint i = 0; i < G_N_ELEMENTS (body_layouts); i++)
    if (body_layouts[i].type == type)
      return &body_layouts[i];
  return NULL;
}

static gboolean
decode_layout (const ScorchRecord *record,
               const BodyLayout   *layout,
               void               *out,
               GError            **error)
{
  const guint8 *d;
  gsize len, n;
  guint8 *o = out;

  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < layout->min_len)
    return too_short (record, error);

  memset (out, 0, layout->out_size);
  for (n = 0; n < G_N_ELEMENTS (layout->fields) && layout->fields[n].size != 0; n++)
    ;
  load_fields (d, layout->fields, n, out);
  if (layout->tail != TAIL_NONE)
    {
      const guint8 *tail = d + layout->min_len;
      gsize tail_len = len - layout->min_len;

      if (layout->tail == TAIL_STRING)
        tail_len = strnlen ((const char *) tail, tail_len);
      memcpy (o + layout->tail_ptr, &tail, sizeof tail);
      memcpy (o + layout->tail_len, &tail_len, sizeof tail_len);
    }
  return layout->finish == NULL ||
         layout->finish (&(BodyCursor) { record, d, len, out, error });
}

/* The body of a record of one kind */
static gboolean
decode_kind (const ScorchRecord *record,
             ScorchPerfBodyKind  kind,
             void               *out,
             GError            **error)
{
  const BodyLayout *layout = layout_of (record->type);

  if (layout == NULL || layout->kind != kind)
    return wrong_type (record, error);
  return decode_layout (record, layout, out, error);
}

#define DEFINE_GETTER(name, Type, kind)                                     \
  gboolean                                                                  \
  scorch_perf_record_get_##name (const ScorchRecord *record,                \
                                 Type               *out,                   \
                                 GError            **error)                 \
  {                                                                         \
    return decode_kind (record, kind, out, error);                          \
  }

DEFINE_GETTER (mmap, ScorchPerfMmap, SCORCH_PERF_BODY_MMAP)
DEFINE_GETTER (comm, ScorchPerfComm, SCORCH_PERF_BODY_COMM)
DEFINE_GETTER (task, ScorchPerfTask, SCORCH_PERF_BODY_TASK)
DEFINE_GETTER (lost, ScorchPerfLost, SCORCH_PERF_BODY_LOST)
DEFINE_GETTER (throttle, ScorchPerfThrottle, SCORCH_PERF_BODY_THROTTLE)
DEFINE_GETTER (switch, ScorchPerfSwitch, SCORCH_PERF_BODY_SWITCH)
DEFINE_GETTER (ksymbol, ScorchPerfKsymbol, SCORCH_PERF_BODY_KSYMBOL)
DEFINE_GETTER (id_index, ScorchPerfIdIndex, SCORCH_PERF_BODY_ID_INDEX)
DEFINE_GETTER (header_attr, ScorchPerfHeaderAttr, SCORCH_PERF_BODY_HEADER_ATTR)
DEFINE_GETTER (header_feature, ScorchPerfHeaderFeature, SCORCH_PERF_BODY_HEADER_FEATURE)
DEFINE_GETTER (compressed, ScorchPerfCompressed, SCORCH_PERF_BODY_COMPRESSED)
DEFINE_GETTER (trailing_data, ScorchPerfTrailingData, SCORCH_PERF_BODY_TRAILING_DATA)
DEFINE_GETTER (time_conv, ScorchPerfTimeConv, SCORCH_PERF_BODY_TIME_CONV)
DEFINE_GETTER (build_id, ScorchPerfBuildId, SCORCH_PERF_BODY_BUILD_ID)
DEFINE_GETTER (event_update, ScorchPerfEventUpdate, SCORCH_PERF_BODY_EVENT_UPDATE)

void
scorch_perf_record_get_id_index_entry (const ScorchPerfIdIndex *index,
                                       guint64                  i,
                                       ScorchPerfIdIndexEntry  *entry)
{
  g_return_if_fail (i < index->nr);
  /* id, idx, cpu, tid: four u64, as the struct */
  memcpy (entry, index->entries + 32 * i, sizeof *entry);
}

gboolean
scorch_perf_record_parse_build_id (const guint8      *data,
                                   gsize              len,
                                   guint64            file_offset,
                                   ScorchPerfBuildId *out,
                                   gsize             *entry_size,
                                   GError           **error)
{
  struct perf_event_header hdr;
  const gsize fixed = sizeof (ScorchPerfBuildIdEvent);

  if (len < fixed)
    return scorch_capture_malformed (error, file_offset, _("build id entry cut short"));
  memcpy (&hdr, data, sizeof hdr);
  if (hdr.size < fixed || hdr.size > len)
    return scorch_capture_malformed (error, file_offset, _("build id entry of size %u does not fit (%" G_GSIZE_FORMAT " bytes left)"),
                      hdr.size, len);
  out->pid = (gint32) scorch_perf_rd32 (data + 8);
  out->kernel = is_kernel_mode (hdr.misc);
  out->build_id = data + 12;
  out->build_id_len = 20;
  if (hdr.misc & SCORCH_PERF_BUILD_ID_MISC_SIZE)
    out->build_id_len = MIN (data[12 + 20], 20);
  out->filename = (const char *) data + fixed;
  out->filename_len = strnlen (out->filename, hdr.size - fixed);
  if (entry_size != NULL)
    *entry_size = hdr.size;
  return TRUE;
}

gboolean
scorch_perf_record_decode (ScorchCaptureAttrs *attrs,
                           const ScorchRecord *record,
                           ScorchPerfBody     *body,
                           GError            **error)
{
  const BodyLayout *layout;

  memset (body, 0, sizeof *body);
  if (record->type == PERF_RECORD_SAMPLE)
    {
      body->kind = SCORCH_PERF_BODY_SAMPLE;
      return scorch_capture_attrs_parse_sample (attrs, record, &body->u.sample, error);
    }
  layout = layout_of (record->type);
  if (layout == NULL)
    {
      body->kind = SCORCH_PERF_BODY_NONE;
      return TRUE;
    }
  body->kind = layout->kind;
  if (layout->kind == SCORCH_PERF_BODY_EMPTY)
    return TRUE;
  return decode_layout (record, layout, &body->u, error);
}
