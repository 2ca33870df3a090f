/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-perf-record.c: the one decoder of perf record layouts (see
 * scorch-perf-record.h). Layouts: include/uapi/linux/perf_event.h and
 * tools/perf/util/event.h (user types). */

#include "config.h"

#define G_LOG_DOMAIN "scorch-perf-record"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/mman.h>

#include "scorch-perf-record.h"

G_DEFINE_QUARK (scorch-capture-error-quark, scorch_capture_error)

#ifndef PERF_FORMAT_LOST
# define PERF_FORMAT_LOST (1u << 4)
#endif
#define BRANCH_HW_INDEX (1u << 17) /* PERF_SAMPLE_BRANCH_HW_INDEX */

/* ------------------------------------------------------------------ */
/* Attrs                                                               */

struct _ScorchCaptureAttrs
{
  gatomicrefcount    ref_count;
  GPtrArray         *attrs;     /* of ScorchCaptureAttr* */
  GHashTable        *by_id;     /* guint64 id -> ScorchCaptureAttr* */
  gboolean           all_identifier;
  int                sample_id_pos;   /* index (u64) of ID in a sample body, -1 unknown */
  int                trailer_id_pos;  /* index (u64) from the end of the trailer, -1 unknown */
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
  pos = 0;
  if (st & PERF_SAMPLE_IP) pos++;
  if (st & PERF_SAMPLE_TID) pos++;
  if (st & PERF_SAMPLE_TIME) pos++;
  if (st & PERF_SAMPLE_ADDR) pos++;
  self->sample_id_pos = (st & PERF_SAMPLE_ID) ? pos : -1;

  pos = 1;
  if (st & PERF_SAMPLE_CPU) pos++;
  if (st & PERF_SAMPLE_STREAM_ID) pos++;
  self->trailer_id_pos = (st & PERF_SAMPLE_ID) ? pos : -1;
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

  attr = g_new0 (ScorchCaptureAttr, 1);
  memcpy (&attr->attr, attr_data, MIN (attr_size, sizeof attr->attr));
  attr->attr.size = sizeof attr->attr;
  attr->n_regs_user = __builtin_popcountll (attr->attr.sample_regs_user);
  attr->n_regs_intr = __builtin_popcountll (attr->attr.sample_regs_intr);
  attr->id_hdr_size = scorch_perf_record_id_header_size (&attr->attr);
  if (n_ids > 0)
    attr->ids = g_memdup2 (ids, sizeof (guint64) * n_ids);
  attr->n_ids = n_ids;
  g_ptr_array_add (self->attrs, attr);

  for (guint i = 0; i < n_ids; i++)
    g_hash_table_insert (self->by_id, &attr->ids[i], attr);

  update_id_positions (self);
  return TRUE;
}

static inline guint64
rd64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return v;
}

static inline guint32
rd32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return v;
}

static inline guint16
rd16 (const guint8 *p)
{
  guint16 v;
  memcpy (&v, p, 2);
  return v;
}

static gboolean
malformed (GError    **error,
           guint64     offset,
           const char *format,
           ...) G_GNUC_PRINTF (3, 4);

static gboolean
malformed (GError    **error,
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

gboolean
scorch_perf_record_parse_header (const guint8             *data,
                                 gsize                     len,
                                 guint64                   file_offset,
                                 struct perf_event_header *hdr,
                                 GError                  **error)
{
  if (len < sizeof *hdr)
    return malformed (error, file_offset, _("record header cut short"));
  memcpy (hdr, data, sizeof *hdr);
  if (hdr->size < sizeof *hdr)
    return malformed (error, file_offset, _("record size %u is smaller than its header"), hdr->size);
  if (hdr->size > len)
    return malformed (error, file_offset, _("record of %u bytes runs past the end of the data (%" G_GSIZE_FORMAT " bytes left)"),
                      hdr->size, len);
  if (hdr->size % 8 != 0)
    return malformed (error, file_offset, _("record size %u is not a multiple of 8"), hdr->size);
  return TRUE;
}

gboolean
scorch_perf_record_parse_stream_header (const guint8             *data,
                                        gsize                     len,
                                        guint64                   file_offset,
                                        struct perf_event_header *hdr,
                                        GError                  **error)
{
  if (len < sizeof *hdr)
    return malformed (error, file_offset, _("record header cut short"));
  memcpy (hdr, data, sizeof *hdr);
  if (hdr->size < sizeof *hdr)
    return malformed (error, file_offset, _("record size %u is smaller than its header"), hdr->size);
  if (hdr->size > len)
    return malformed (error, file_offset, _("record of %u bytes runs past the end of the data (%" G_GSIZE_FORMAT " bytes left)"),
                      hdr->size, len);
  return TRUE;
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

  if (!scorch_perf_record_parse_header (data, len, file_offset, &hdr, error))
    return FALSE;
  scorch_perf_record_init_raw (record, &hdr, data, file_offset);

  if (hdr.type >= 64 /* PERF_RECORD_USER_TYPE_START */ || self->attrs->len == 0)
    return TRUE;

  if (hdr.type == PERF_RECORD_SAMPLE)
    {
      const guint8 *p = data + sizeof hdr;
      const guint8 *end = data + hdr.size;
      guint64 st;

      if (self->attrs->len == 1)
        attr = g_ptr_array_index (self->attrs, 0);
      else if (self->all_identifier)
        {
          if (p + 8 > end)
            return malformed (error, file_offset, _("sample too short for its identifier"));
          attr = scorch_capture_attrs_lookup_id (self, rd64 (p));
        }
      else if (self->sample_id_pos >= 0)
        {
          if ((gsize) (end - p) < 8 * (gsize) (self->sample_id_pos + 1))
            return malformed (error, file_offset, _("sample too short for its id"));
          attr = scorch_capture_attrs_lookup_id (self, rd64 (p + 8 * self->sample_id_pos));
        }
      else
        attr = g_ptr_array_index (self->attrs, 0);

      record->attr = attr;
      if (attr == NULL)
        return TRUE; /* an id of no event: the consumer drops and counts it */
      st = attr->attr.sample_type;

#define NEED(n) G_STMT_START { if ((gsize) (end - p) < (n)) \
        return malformed (error, file_offset, _("sample shorter than its sample_type says")); } G_STMT_END
      if (st & PERF_SAMPLE_IDENTIFIER) { NEED (8); record->id = rd64 (p); p += 8; }
      if (st & PERF_SAMPLE_IP) { NEED (8); p += 8; }
      if (st & PERF_SAMPLE_TID) { NEED (8); record->pid = (gint32) rd32 (p); record->tid = (gint32) rd32 (p + 4); p += 8; }
      if (st & PERF_SAMPLE_TIME) { NEED (8); record->time = rd64 (p); record->has_time = TRUE; p += 8; }
      if (st & PERF_SAMPLE_ADDR) { NEED (8); p += 8; }
      if (st & PERF_SAMPLE_ID) { NEED (8); record->id = rd64 (p); p += 8; }
      if (st & PERF_SAMPLE_STREAM_ID) { NEED (8); p += 8; }
      if (st & PERF_SAMPLE_CPU) { NEED (8); record->cpu = rd32 (p); p += 8; }
#undef NEED
      return TRUE;
    }

  /* Other kernel records: the sample_id trailer, parsed from the end. */
  if (self->attrs->len == 1)
    attr = g_ptr_array_index (self->attrs, 0);
  else if (self->all_identifier)
    {
      if (hdr.size < sizeof hdr + 8)
        return malformed (error, file_offset, _("record too short for its identifier"));
      attr = scorch_capture_attrs_lookup_id (self, rd64 (data + hdr.size - 8));
    }
  else if (self->trailer_id_pos > 0)
    {
      if (hdr.size < sizeof hdr + 8 * self->trailer_id_pos)
        return malformed (error, file_offset, _("record too short for its id"));
      attr = scorch_capture_attrs_lookup_id (self, rd64 (data + hdr.size - 8 * self->trailer_id_pos));
    }
  else
    attr = g_ptr_array_index (self->attrs, 0);
  /* A side-band record (MMAP2, COMM, ...) of an unknown id is still needed:
   * read its trailer with the first event's layout. */
  if (attr == NULL)
    attr = g_ptr_array_index (self->attrs, 0);

  record->attr = attr;

  if (attr->attr.sample_id_all)
    {
      guint64 st = attr->attr.sample_type;
      const guint8 *p;

      if (hdr.size < sizeof hdr + attr->id_hdr_size)
        return malformed (error, file_offset, _("record of type %u too short for its sample_id trailer"), hdr.type);

      p = data + hdr.size - attr->id_hdr_size;
      if (st & PERF_SAMPLE_TID) { record->pid = (gint32) rd32 (p); record->tid = (gint32) rd32 (p + 4); p += 8; }
      if (st & PERF_SAMPLE_TIME) { record->time = rd64 (p); record->has_time = TRUE; p += 8; }
      if (st & PERF_SAMPLE_ID) { record->id = rd64 (p); p += 8; }
      if (st & PERF_SAMPLE_STREAM_ID) p += 8;
      if (st & PERF_SAMPLE_CPU) { record->cpu = rd32 (p); p += 8; }
      if (st & PERF_SAMPLE_IDENTIFIER) { record->id = rd64 (p); p += 8; }
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* PERF_RECORD_SAMPLE                                                  */

gboolean
scorch_capture_attrs_parse_sample (ScorchCaptureAttrs *self,
                                   const ScorchRecord *record,
                                   ScorchSampleData   *s,
                                   GError            **error)
{
  const ScorchCaptureAttr *attr = record->attr;
  const guint8 *p = record->data + sizeof (struct perf_event_header);
  const guint8 *end = record->data + record->size;
  guint64 st;

  g_return_val_if_fail (record->type == PERF_RECORD_SAMPLE, FALSE);

  memset (s, 0, sizeof *s);
  s->pid = s->tid = -1;

  if (attr == NULL)
    return malformed (error, record->file_offset, _("sample without an event attribute"));
  st = attr->attr.sample_type;

#define LEFT ((gsize) (end - p))
#define NEED(n) G_STMT_START { if (LEFT < (guint64) (n)) \
      return malformed (error, record->file_offset, _("sample shorter than its sample_type says")); } G_STMT_END
#define U64(field) G_STMT_START { NEED (8); (field) = rd64 (p); p += 8; } G_STMT_END

  if (st & PERF_SAMPLE_IDENTIFIER) U64 (s->id);
  if (st & PERF_SAMPLE_IP) U64 (s->ip);
  if (st & PERF_SAMPLE_TID) { NEED (8); s->pid = (gint32) rd32 (p); s->tid = (gint32) rd32 (p + 4); p += 8; }
  if (st & PERF_SAMPLE_TIME) U64 (s->time);
  if (st & PERF_SAMPLE_ADDR) U64 (s->addr);
  if (st & PERF_SAMPLE_ID) U64 (s->id);
  if (st & PERF_SAMPLE_STREAM_ID) U64 (s->stream_id);
  if (st & PERF_SAMPLE_CPU) { NEED (8); s->cpu = rd32 (p); p += 8; }
  if (st & PERF_SAMPLE_PERIOD) U64 (s->period);
  if (st & PERF_SAMPLE_READ)
    {
      guint64 rf = attr->attr.read_format;
      guint64 per_value = 1 + !!(rf & PERF_FORMAT_ID) + !!(rf & PERF_FORMAT_LOST);
      guint64 extra = !!(rf & PERF_FORMAT_TOTAL_TIME_ENABLED) + !!(rf & PERF_FORMAT_TOTAL_TIME_RUNNING);

      if (rf & PERF_FORMAT_GROUP)
        {
          guint64 nr;

          U64 (nr);
          if (nr > LEFT / 8 / per_value)
            return malformed (error, record->file_offset, _("read group count %" G_GUINT64_FORMAT " too large"), nr);
          NEED (8 * (extra + nr * per_value));
          p += 8 * (extra + nr * per_value);
        }
      else
        {
          NEED (8 * (extra + per_value));
          p += 8 * (extra + per_value);
        }
    }
  if (st & PERF_SAMPLE_CALLCHAIN)
    {
      guint64 nr;

      U64 (nr);
      if (nr > LEFT / 8)
        return malformed (error, record->file_offset, _("callchain of %" G_GUINT64_FORMAT " entries runs past the record"), nr);
      s->callchain = (const guint64 *) (gconstpointer) p;
      s->callchain_nr = nr;
      p += 8 * nr;
    }
  if (st & PERF_SAMPLE_RAW)
    {
      guint32 size;

      NEED (4);
      size = rd32 (p);
      if ((guint64) size + 4 > LEFT)
        return malformed (error, record->file_offset, _("raw data of %u bytes runs past the record"), size);
      s->raw = p + 4;
      s->raw_size = size;
      /* u32 size + data, padded to 8 bytes */
      p += MIN (((guint64) size + 4 + 7) & ~(guint64) 7, LEFT);
    }
  if (st & PERF_SAMPLE_BRANCH_STACK)
    {
      guint64 nr;

      U64 (nr);
      if (attr->attr.branch_sample_type & BRANCH_HW_INDEX)
        {
          NEED (8);
          p += 8;
        }
      if (nr > LEFT / 24)
        return malformed (error, record->file_offset, _("branch stack of %" G_GUINT64_FORMAT " entries runs past the record"), nr);
      s->branch_nr = nr;
      p += 24 * nr;
    }
  if (st & PERF_SAMPLE_REGS_USER)
    {
      U64 (s->regs_abi);
      if (s->regs_abi != 0)
        {
          NEED (8 * (guint64) attr->n_regs_user);
          s->regs_mask = attr->attr.sample_regs_user;
          s->regs = (const guint64 *) (gconstpointer) p;
          s->n_regs = attr->n_regs_user;
          p += 8 * attr->n_regs_user;
        }
    }
  if (st & PERF_SAMPLE_STACK_USER)
    {
      guint64 size;

      U64 (size);
      if (size != 0)
        {
          guint64 dyn_size;

          if (size > LEFT || LEFT - size < 8)
            return malformed (error, record->file_offset, _("user stack of %" G_GUINT64_FORMAT " bytes runs past the record"), size);
          s->stack = p;
          p += size;
          dyn_size = rd64 (p);
          p += 8;
          s->stack_size = MIN (size, dyn_size);
        }
    }
  /* What follows is decoded for completeness; a sample cut after the
   * stack is still an error, as perf's parser says. */
  if (st & (PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT)) U64 (s->weight);
  if (st & PERF_SAMPLE_DATA_SRC) U64 (s->data_src);
  if (st & PERF_SAMPLE_TRANSACTION) U64 (s->transaction);
  if (st & PERF_SAMPLE_REGS_INTR)
    {
      U64 (s->intr_regs_abi);
      if (s->intr_regs_abi != 0)
        {
          NEED (8 * (guint64) attr->n_regs_intr);
          p += 8 * attr->n_regs_intr;
        }
    }
  if (st & PERF_SAMPLE_PHYS_ADDR) U64 (s->phys_addr);
  if (st & PERF_SAMPLE_AUX)
    {
      guint64 size;

      U64 (size);
      if (size > LEFT)
        return malformed (error, record->file_offset, _("aux data of %" G_GUINT64_FORMAT " bytes runs past the record"), size);
      p += size;
    }
  if (st & PERF_SAMPLE_CGROUP) U64 (s->cgroup);
  if (st & PERF_SAMPLE_DATA_PAGE_SIZE) { NEED (8); p += 8; }
  if (st & PERF_SAMPLE_CODE_PAGE_SIZE) { NEED (8); p += 8; }

#undef U64
#undef NEED
#undef LEFT
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Side-band bodies                                                    */

static gboolean
too_short (const ScorchRecord *record,
           GError            **error)
{
  return malformed (error, record->file_offset, _("record of type %u is too short"), record->type);
}

static gboolean
wrong_type (const ScorchRecord *record,
            GError            **error)
{
  return malformed (error, record->file_offset, _("record of type %u decoded as another type"), record->type);
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

gboolean
scorch_perf_record_get_mmap (const ScorchRecord *record,
                             ScorchPerfMmap     *out,
                             GError            **error)
{
  const guint8 *d;
  gsize len, fixed;

  if (record->type != PERF_RECORD_MMAP && record->type != PERF_RECORD_MMAP2)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  /* MMAP: pid, tid, addr, len, pgoff; MMAP2 adds maj, min, ino,
   * ino_generation (or build_id_size, 3 reserved bytes, build_id[20]),
   * prot, flags. Then the NUL-padded filename. */
  fixed = record->type == PERF_RECORD_MMAP ? 32 : 64;
  if (len < fixed)
    return too_short (record, error);

  memset (out, 0, sizeof *out);
  out->pid = (gint32) rd32 (d);
  out->tid = (gint32) rd32 (d + 4);
  out->start = rd64 (d + 8);
  out->len = rd64 (d + 16);
  out->pgoff = rd64 (d + 24);
  out->kernel = is_kernel_mode (record->misc);
  if (record->type == PERF_RECORD_MMAP2)
    {
      if (record->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)
        {
          out->build_id_len = MIN (d[32], 20);
          out->build_id = d + 36;
        }
      else
        {
          out->maj = rd32 (d + 32);
          out->min = rd32 (d + 36);
          out->ino = rd64 (d + 40);
          out->ino_generation = rd64 (d + 48);
        }
      out->prot = rd32 (d + 56);
      out->flags = rd32 (d + 60);
    }
  else
    out->prot = (record->misc & PERF_RECORD_MISC_MMAP_DATA) ? PROT_READ : PROT_READ | PROT_EXEC;

  out->filename = (const char *) d + fixed;
  out->filename_len = strnlen (out->filename, len - fixed);
  return TRUE;
}

gboolean
scorch_perf_record_get_comm (const ScorchRecord *record,
                             ScorchPerfComm     *out,
                             GError            **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != PERF_RECORD_COMM)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 8)
    return too_short (record, error);
  out->pid = (gint32) rd32 (d);
  out->tid = (gint32) rd32 (d + 4);
  out->comm = (const char *) d + 8;
  out->comm_len = strnlen (out->comm, len - 8);
  out->exec = (record->misc & PERF_RECORD_MISC_COMM_EXEC) != 0;
  return TRUE;
}

gboolean
scorch_perf_record_get_task (const ScorchRecord *record,
                             ScorchPerfTask     *out,
                             GError            **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != PERF_RECORD_FORK && record->type != PERF_RECORD_EXIT)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  /* pid, ppid, tid, ptid, time (the time may be absent in hand-made files) */
  if (len < 16)
    return too_short (record, error);
  out->pid = (gint32) rd32 (d);
  out->ppid = (gint32) rd32 (d + 4);
  out->tid = (gint32) rd32 (d + 8);
  out->ptid = (gint32) rd32 (d + 12);
  out->time = len >= 24 ? rd64 (d + 16) : record->time;
  return TRUE;
}

gboolean
scorch_perf_record_get_lost (const ScorchRecord *record,
                             ScorchPerfLost     *out,
                             GError            **error)
{
  const guint8 *d;
  gsize len;

  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (record->type == PERF_RECORD_LOST)
    {
      if (len < 16)
        return too_short (record, error);
      out->id = rd64 (d);
      out->lost = rd64 (d + 8);
      return TRUE;
    }
  if (record->type == PERF_RECORD_LOST_SAMPLES)
    {
      if (len < 8)
        return too_short (record, error);
      out->id = record->id;
      out->lost = rd64 (d);
      return TRUE;
    }
  return wrong_type (record, error);
}

gboolean
scorch_perf_record_get_throttle (const ScorchRecord *record,
                                 ScorchPerfThrottle *out,
                                 GError            **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != PERF_RECORD_THROTTLE && record->type != PERF_RECORD_UNTHROTTLE)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 24)
    return too_short (record, error);
  out->time = rd64 (d);
  out->id = rd64 (d + 8);
  out->stream_id = rd64 (d + 16);
  out->throttle = record->type == PERF_RECORD_THROTTLE;
  return TRUE;
}

gboolean
scorch_perf_record_get_switch (const ScorchRecord *record,
                               ScorchPerfSwitch   *out,
                               GError            **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != PERF_RECORD_SWITCH && record->type != PERF_RECORD_SWITCH_CPU_WIDE)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  out->out = (record->misc & PERF_RECORD_MISC_SWITCH_OUT) != 0;
  out->preempt = out->out && (record->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0;
  out->next_prev_pid = out->next_prev_tid = -1;
  if (record->type == PERF_RECORD_SWITCH_CPU_WIDE)
    {
      if (len < 8)
        return too_short (record, error);
      out->next_prev_pid = (gint32) rd32 (d);
      out->next_prev_tid = (gint32) rd32 (d + 4);
    }
  return TRUE;
}

gboolean
scorch_perf_record_get_ksymbol (const ScorchRecord *record,
                                ScorchPerfKsymbol  *out,
                                GError            **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != PERF_RECORD_KSYMBOL)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 16)
    return too_short (record, error);
  out->addr = rd64 (d);
  out->len = rd32 (d + 8);
  out->ksym_type = rd16 (d + 12);
  out->flags = rd16 (d + 14);
  out->name = (const char *) d + 16;
  out->name_len = strnlen (out->name, len - 16);
  return TRUE;
}

gboolean
scorch_perf_record_get_id_index (const ScorchRecord *record,
                                 ScorchPerfIdIndex  *out,
                                 GError            **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != SCORCH_PERF_RECORD_ID_INDEX)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 8)
    return too_short (record, error);
  out->nr = rd64 (d);
  if (out->nr > (len - 8) / 32)
    return malformed (error, record->file_offset, _("ID_INDEX of %" G_GUINT64_FORMAT " entries runs past the record"), out->nr);
  out->entries = d + 8;
  return TRUE;
}

void
scorch_perf_record_get_id_index_entry (const ScorchPerfIdIndex *index,
                                       guint64                  i,
                                       ScorchPerfIdIndexEntry  *entry)
{
  const guint8 *e;

  g_return_if_fail (i < index->nr);
  e = index->entries + 32 * i;
  entry->id = rd64 (e);
  entry->idx = rd64 (e + 8);
  entry->cpu = rd64 (e + 16);
  entry->tid = rd64 (e + 24);
}

gboolean
scorch_perf_record_get_header_attr (const ScorchRecord   *record,
                                    ScorchPerfHeaderAttr *out,
                                    GError              **error)
{
  const guint8 *d;
  gsize len;
  guint32 attr_size;

  if (record->type != SCORCH_PERF_RECORD_HEADER_ATTR)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 8)
    return too_short (record, error);
  attr_size = rd32 (d + 4); /* perf_event_attr.size */
  if (attr_size == 0)
    attr_size = PERF_ATTR_SIZE_VER0;
  if (attr_size < PERF_ATTR_SIZE_VER0 || attr_size > SCORCH_CAPTURE_MAX_ATTR_SIZE || attr_size > len ||
      attr_size % 8 != 0)
    return malformed (error, record->file_offset, _("HEADER_ATTR with an attribute of %u bytes"), attr_size);
  out->attr = d;
  out->attr_size = attr_size;
  out->ids = d + attr_size;
  out->n_ids = (len - attr_size) / 8;
  return TRUE;
}

gboolean
scorch_perf_record_get_header_feature (const ScorchRecord      *record,
                                       ScorchPerfHeaderFeature *out,
                                       GError                 **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != SCORCH_PERF_RECORD_HEADER_FEATURE)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 8)
    return too_short (record, error);
  out->feature = rd64 (d);
  out->data = d + 8;
  out->size = len - 8;
  return TRUE;
}

gboolean
scorch_perf_record_get_compressed (const ScorchRecord   *record,
                                   ScorchPerfCompressed *out,
                                   GError              **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != SCORCH_PERF_RECORD_COMPRESSED)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  out->data = d;
  out->size = len;
  return TRUE;
}

gboolean
scorch_perf_record_get_trailing_data (const ScorchRecord     *record,
                                      ScorchPerfTrailingData *out,
                                      GError                **error)
{
  const guint8 *d;
  gsize len;

  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (record->type == SCORCH_PERF_RECORD_HEADER_TRACING_DATA)
    {
      /* u32 size, padded; the data (size bytes, 8-aligned) follows */
      if (len < 4)
        return too_short (record, error);
      out->size = ((guint64) rd32 (d) + 7) & ~(guint64) 7;
      return TRUE;
    }
  if (record->type == SCORCH_PERF_RECORD_AUXTRACE)
    {
      /* u64 size, offset, reference; u32 idx, tid, cpu, reserved */
      if (len < 8)
        return too_short (record, error);
      out->size = rd64 (d);
      if (out->size > G_MAXINT64 || out->size % 8 != 0)
        return malformed (error, record->file_offset, _("AUXTRACE data size %" G_GUINT64_FORMAT " is invalid"), out->size);
      return TRUE;
    }
  return wrong_type (record, error);
}

gboolean
scorch_perf_record_get_time_conv (const ScorchRecord *record,
                                  ScorchPerfTimeConv *out,
                                  GError            **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != SCORCH_PERF_RECORD_TIME_CONV)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 24)
    return too_short (record, error);
  out->time_shift = rd64 (d);
  out->time_mult = rd64 (d + 8);
  out->time_zero = rd64 (d + 16);
  return TRUE;
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
  guint16 mode;

  if (len < fixed)
    return malformed (error, file_offset, _("build id entry cut short"));
  memcpy (&hdr, data, sizeof hdr);
  if (hdr.size < fixed || hdr.size > len)
    return malformed (error, file_offset, _("build id entry of size %u does not fit (%" G_GSIZE_FORMAT " bytes left)"),
                      hdr.size, len);
  mode = hdr.misc & PERF_RECORD_MISC_CPUMODE_MASK;
  out->pid = (gint32) rd32 (data + 8);
  out->kernel = mode == PERF_RECORD_MISC_KERNEL || mode == PERF_RECORD_MISC_GUEST_KERNEL;
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
scorch_perf_record_get_build_id (const ScorchRecord *record,
                                 ScorchPerfBuildId  *out,
                                 GError            **error)
{
  if (record->type != SCORCH_PERF_RECORD_HEADER_BUILD_ID)
    return wrong_type (record, error);
  return scorch_perf_record_parse_build_id (record->data, record->size, record->file_offset, out, NULL, error);
}

gboolean
scorch_perf_record_get_event_update (const ScorchRecord    *record,
                                     ScorchPerfEventUpdate *out,
                                     GError               **error)
{
  const guint8 *d;
  gsize len;

  if (record->type != SCORCH_PERF_RECORD_EVENT_UPDATE)
    return wrong_type (record, error);
  if (!scorch_perf_record_get_body (record, &d, &len, error))
    return FALSE;
  if (len < 16)
    return too_short (record, error);
  out->type = rd64 (d);
  out->id = rd64 (d + 8);
  out->name = NULL;
  out->name_len = 0;
  if (out->type == SCORCH_PERF_EVENT_UPDATE_NAME)
    {
      out->name = (const char *) d + 16;
      out->name_len = strnlen (out->name, len - 16);
    }
  return TRUE;
}

gboolean
scorch_perf_record_decode (ScorchCaptureAttrs *attrs,
                           const ScorchRecord *record,
                           ScorchPerfBody     *body,
                           GError            **error)
{
  memset (body, 0, sizeof *body);

  switch (record->type)
    {
    case PERF_RECORD_SAMPLE:
      body->kind = SCORCH_PERF_BODY_SAMPLE;
      return scorch_capture_attrs_parse_sample (attrs, record, &body->u.sample, error);
    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2:
      body->kind = SCORCH_PERF_BODY_MMAP;
      return scorch_perf_record_get_mmap (record, &body->u.mmap, error);
    case PERF_RECORD_COMM:
      body->kind = SCORCH_PERF_BODY_COMM;
      return scorch_perf_record_get_comm (record, &body->u.comm, error);
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT:
      body->kind = SCORCH_PERF_BODY_TASK;
      return scorch_perf_record_get_task (record, &body->u.task, error);
    case PERF_RECORD_LOST:
    case PERF_RECORD_LOST_SAMPLES:
      body->kind = SCORCH_PERF_BODY_LOST;
      return scorch_perf_record_get_lost (record, &body->u.lost, error);
    case PERF_RECORD_THROTTLE:
    case PERF_RECORD_UNTHROTTLE:
      body->kind = SCORCH_PERF_BODY_THROTTLE;
      return scorch_perf_record_get_throttle (record, &body->u.throttle, error);
    case PERF_RECORD_SWITCH:
    case PERF_RECORD_SWITCH_CPU_WIDE:
      body->kind = SCORCH_PERF_BODY_SWITCH;
      return scorch_perf_record_get_switch (record, &body->u.sw, error);
    case PERF_RECORD_KSYMBOL:
      body->kind = SCORCH_PERF_BODY_KSYMBOL;
      return scorch_perf_record_get_ksymbol (record, &body->u.ksymbol, error);
    case SCORCH_PERF_RECORD_ID_INDEX:
      body->kind = SCORCH_PERF_BODY_ID_INDEX;
      return scorch_perf_record_get_id_index (record, &body->u.id_index, error);
    case SCORCH_PERF_RECORD_HEADER_ATTR:
      body->kind = SCORCH_PERF_BODY_HEADER_ATTR;
      return scorch_perf_record_get_header_attr (record, &body->u.header_attr, error);
    case SCORCH_PERF_RECORD_HEADER_FEATURE:
      body->kind = SCORCH_PERF_BODY_HEADER_FEATURE;
      return scorch_perf_record_get_header_feature (record, &body->u.header_feature, error);
    case SCORCH_PERF_RECORD_COMPRESSED:
      body->kind = SCORCH_PERF_BODY_COMPRESSED;
      return scorch_perf_record_get_compressed (record, &body->u.compressed, error);
    case SCORCH_PERF_RECORD_HEADER_TRACING_DATA:
    case SCORCH_PERF_RECORD_AUXTRACE:
      body->kind = SCORCH_PERF_BODY_TRAILING_DATA;
      return scorch_perf_record_get_trailing_data (record, &body->u.trailing, error);
    case SCORCH_PERF_RECORD_TIME_CONV:
      body->kind = SCORCH_PERF_BODY_TIME_CONV;
      return scorch_perf_record_get_time_conv (record, &body->u.time_conv, error);
    case SCORCH_PERF_RECORD_HEADER_BUILD_ID:
      body->kind = SCORCH_PERF_BODY_BUILD_ID;
      return scorch_perf_record_get_build_id (record, &body->u.build_id, error);
    case SCORCH_PERF_RECORD_EVENT_UPDATE:
      body->kind = SCORCH_PERF_BODY_EVENT_UPDATE;
      return scorch_perf_record_get_event_update (record, &body->u.event_update, error);
    case SCORCH_PERF_RECORD_FINISHED_ROUND:
    case SCORCH_PERF_RECORD_FINISHED_INIT:
      body->kind = SCORCH_PERF_BODY_EMPTY;
      return TRUE;
    default:
      body->kind = SCORCH_PERF_BODY_NONE;
      return TRUE;
    }
}
