/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-perf-record.c: the record decoder (scorch-perf-record.c): every
 * record type it knows, every sample_type bit it reads, the sample_id_all
 * trailer, id routing between events, and records cut at every byte. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <glib.h>
#include <string.h>
#include <sys/mman.h>

#include "record-test-util.h"
#include "scorch-perf-record.h"

/* ---- building records ---------------------------------------------------- */

static GByteArray *
begin (guint32 type,
       guint16 misc)
{
  GByteArray *b = g_byte_array_new ();

  test_rec_begin (b, type, misc);
  return b;
}

/* The sample_id trailer for st (TID, TIME, ID, STREAM_ID, CPU, IDENTIFIER). */
#define T_PID   4242
#define T_TID   4343
#define T_TIME  G_GUINT64_CONSTANT (123456789)
#define T_ID    G_GUINT64_CONSTANT (77)
#define T_CPU   3

static void
put_trailer (GByteArray *b,
             guint64     st,
             guint64     id)
{
  if (st & PERF_SAMPLE_TID) { test_rec_put32 (b, T_PID); test_rec_put32 (b, T_TID); }
  if (st & PERF_SAMPLE_TIME) test_rec_put64 (b, T_TIME);
  if (st & PERF_SAMPLE_ID) test_rec_put64 (b, id);
  if (st & PERF_SAMPLE_STREAM_ID) test_rec_put64 (b, 0x5757);
  if (st & PERF_SAMPLE_CPU) { test_rec_put32 (b, T_CPU); test_rec_put32 (b, 0); }
  if (st & PERF_SAMPLE_IDENTIFIER) test_rec_put64 (b, id);
}

static guint8 *
finish (GByteArray *b,
        gsize      *len)
{
  struct perf_event_header *h = (struct perf_event_header *) (gpointer) b->data;

  g_assert_cmpuint (b->len % 8, ==, 0);
  h->size = b->len;
  *len = b->len;
  return g_byte_array_free (b, FALSE);
}

#define TRAILER_ST (PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | \
                    PERF_SAMPLE_CPU | PERF_SAMPLE_IDENTIFIER)

static ScorchCaptureAttrs *
attrs_with (guint64  sample_type,
            gboolean sample_id_all,
            guint64  id)
{
  ScorchCaptureAttrs *attrs = scorch_capture_attrs_new ();
  struct perf_event_attr attr = { 0 };

  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.sample_type = sample_type;
  attr.sample_id_all = sample_id_all;
  attr.sample_regs_user = 0x3; /* two registers */
  attr.sample_regs_intr = 0x1;
  attr.read_format = PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED;
  g_assert_true (scorch_capture_attrs_add (attrs, &attr, sizeof attr, &id, 1, NULL));
  return attrs;
}

static void
assert_same_record (const ScorchRecord *a,
                    const ScorchRecord *b)
{
  g_assert_true (a->data == b->data);
  g_assert_cmpuint (a->type, ==, b->type);
  g_assert_cmpuint (a->misc, ==, b->misc);
  g_assert_cmpuint (a->size, ==, b->size);
  g_assert_cmpuint (a->file_offset, ==, b->file_offset);
  g_assert_true (a->attr == b->attr);
  g_assert_cmpint (a->has_time, ==, b->has_time);
  g_assert_cmpuint (a->time, ==, b->time);
  g_assert_cmpint (a->pid, ==, b->pid);
  g_assert_cmpint (a->tid, ==, b->tid);
  g_assert_cmpuint (a->cpu, ==, b->cpu);
  g_assert_cmpuint (a->id, ==, b->id);
}

/* The reader's ways to a record (scorch_capture_attrs_frame_record, and
 * for one event the inline scorch_record_layout_frame / _parse) agree
 * with scorch_capture_attrs_parse_record on every record the tests make
 * and every cut of them: the same fields, the same time, and a failure
 * (with the same error) exactly where it fails. */
static void
check_fast_paths (ScorchCaptureAttrs *attrs,
                  const guint8       *data,
                  gsize               len)
{
  const ScorchRecordLayout *layout = scorch_capture_attrs_get_layout (attrs);
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GError) frame_error = NULL;
  struct perf_event_header hdr;
  ScorchRecord parsed, fast;
  guint64 time = 1;
  gboolean ok;

  ok = scorch_capture_attrs_parse_record (attrs, data, len, 64, &parsed, &parse_error);
  g_assert_true (layout->attr == (scorch_capture_attrs_get_n_attrs (attrs) == 1
                                  ? scorch_capture_attrs_get_attr (attrs, 0) : NULL));

  g_assert_cmpint (scorch_capture_attrs_frame_record (attrs, data, len, 64, &hdr, &time, &frame_error), ==, ok);
  if (ok)
    {
      g_assert_cmpuint (hdr.type, ==, parsed.type);
      g_assert_cmpuint (hdr.size, ==, parsed.size);
      g_assert_cmpuint (time, ==, parsed.has_time ? parsed.time : 0);
    }
  else
    g_assert_cmpstr (frame_error->message, ==, parse_error->message);

  time = 1;
  if (scorch_record_layout_frame (layout, data, len, &hdr, &time))
    {
      g_assert_true (ok);
      g_assert_cmpuint (hdr.type, ==, parsed.type);
      g_assert_cmpuint (hdr.size, ==, parsed.size);
      g_assert_cmpuint (time, ==, parsed.has_time ? parsed.time : 0);
    }
  else
    g_assert_true (!ok || layout->attr == NULL);

  if (scorch_record_layout_parse (layout, data, len, 64, &fast))
    {
      g_assert_true (ok);
      assert_same_record (&fast, &parsed);
    }
  else
    g_assert_true (!ok || layout->attr == NULL);
}

/* Parses data as one record into a copy of exactly len bytes (so that
 * ASan sees any read past it) and decodes its body. */
static gboolean
decode_copy (ScorchCaptureAttrs *attrs,
             const guint8       *data,
             gsize               len,
             ScorchPerfBody     *body,
             ScorchRecord       *record_out,
             GError            **error)
{
  static GPtrArray *kept;
  guint8 *copy = g_memdup2 (data, MAX (len, 1));
  ScorchRecord record;

  /* The body points into the copy: keep it until the next call. */
  if (kept == NULL)
    kept = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_set_size (kept, 0);
  g_ptr_array_add (kept, copy);

  check_fast_paths (attrs, copy, len);
  if (!scorch_capture_attrs_parse_record (attrs, copy, len, 0, &record, error))
    return FALSE;
  if (!scorch_perf_record_decode (attrs, &record, body, error))
    return FALSE;
  if (record_out != NULL)
    *record_out = record;
  return TRUE;
}

/* Every cut of the record fails clearly; every smaller header.size (the
 * bytes that remain) either fails clearly or decodes inside the record. */
static void
check_truncations (ScorchCaptureAttrs *attrs,
                   const guint8       *data,
                   gsize               len,
                   gsize               min_ok)
{
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) error = NULL;
      ScorchPerfBody body;

      g_assert_false (decode_copy (attrs, data, cut, &body, NULL, &error));
      g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "offset"));
    }

  for (gsize size = 8; size < len; size += 8)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *copy = g_memdup2 (data, size);
      struct perf_event_header *h = (struct perf_event_header *) (gpointer) copy;
      ScorchPerfBody body;
      gboolean ok;

      h->size = size;
      ok = decode_copy (attrs, copy, size, &body, NULL, &error);
      if (ok)
        {
          g_assert_no_error (error);
          if (size < min_ok)
            g_error ("a record of %" G_GSIZE_FORMAT " bytes decoded; its layout needs %" G_GSIZE_FORMAT,
                     size, min_ok);
        }
      else
        g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
    }
}

static void
check_trailer (const ScorchRecord *record)
{
  g_assert_true (record->has_time);
  g_assert_cmpuint (record->time, ==, T_TIME);
  g_assert_cmpint (record->pid, ==, T_PID);
  g_assert_cmpint (record->tid, ==, T_TID);
  g_assert_cmpuint (record->cpu, ==, T_CPU);
  g_assert_cmpuint (record->id, ==, T_ID);
}

/* ---- side-band records ---------------------------------------------------- */

static void
test_mmap (void)
{
  g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (PERF_SAMPLE_IP | TRAILER_ST, TRUE, T_ID);
  static const guint8 build_id[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

  /* MMAP2 with device and inode */
  {
    g_autoptr(GByteArray) b = begin (PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
    g_autofree guint8 *data = NULL;
    ScorchPerfBody body;
    ScorchRecord record;
    gsize len;

    test_rec_put32 (b, 100); test_rec_put32 (b, 101);
    test_rec_put64 (b, 0x400000); test_rec_put64 (b, 0x1000); test_rec_put64 (b, 0x2000);
    test_rec_put32 (b, 8); test_rec_put32 (b, 1); test_rec_put64 (b, 999); test_rec_put64 (b, 7);
    test_rec_put32 (b, PROT_READ | PROT_EXEC); test_rec_put32 (b, MAP_PRIVATE);
    test_rec_put_string (b, "/usr/bin/true");
    put_trailer (b, TRAILER_ST, T_ID);
    data = finish (g_steal_pointer (&b), &len);

    g_assert_true (decode_copy (attrs, data, len, &body, &record, NULL));
    g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_MMAP);
    check_trailer (&record);
    g_assert_cmpint (body.u.mmap.pid, ==, 100);
    g_assert_cmpint (body.u.mmap.tid, ==, 101);
    g_assert_cmphex (body.u.mmap.start, ==, 0x400000);
    g_assert_cmphex (body.u.mmap.len, ==, 0x1000);
    g_assert_cmphex (body.u.mmap.pgoff, ==, 0x2000);
    g_assert_cmpuint (body.u.mmap.maj, ==, 8);
    g_assert_cmpuint (body.u.mmap.min, ==, 1);
    g_assert_cmpuint (body.u.mmap.ino, ==, 999);
    g_assert_cmpuint (body.u.mmap.ino_generation, ==, 7);
    g_assert_null (body.u.mmap.build_id);
    g_assert_cmpuint (body.u.mmap.prot, ==, PROT_READ | PROT_EXEC);
    g_assert_cmpuint (body.u.mmap.flags, ==, MAP_PRIVATE);
    g_assert_false (body.u.mmap.kernel);
    g_assert_cmpuint (body.u.mmap.filename_len, ==, strlen ("/usr/bin/true"));
    g_assert_cmpmem (body.u.mmap.filename, body.u.mmap.filename_len, "/usr/bin/true", 13);
    check_truncations (attrs, data, len, 8 + 64 + 48);
  }

  /* MMAP2 with a build id */
  {
    g_autoptr(GByteArray) b = begin (PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_BUILD_ID);
    g_autofree guint8 *data = NULL;
    ScorchPerfBody body;
    gsize len;

    test_rec_put32 (b, 100); test_rec_put32 (b, 101);
    test_rec_put64 (b, 0x400000); test_rec_put64 (b, 0x1000); test_rec_put64 (b, 0);
    g_byte_array_append (b, (const guint8 *) "\x14\0\0\0", 4);
    test_rec_put (b, build_id, 20);
    test_rec_put32 (b, PROT_READ); test_rec_put32 (b, 0);
    test_rec_put_string (b, "/lib/libc.so.6");
    put_trailer (b, TRAILER_ST, T_ID);
    data = finish (g_steal_pointer (&b), &len);

    g_assert_true (decode_copy (attrs, data, len, &body, NULL, NULL));
    g_assert_cmpuint (body.u.mmap.build_id_len, ==, 20);
    g_assert_cmpmem (body.u.mmap.build_id, 20, build_id, 20);
    g_assert_cmpuint (body.u.mmap.maj, ==, 0);
    g_assert_cmpuint (body.u.mmap.prot, ==, PROT_READ);
    g_assert_cmpmem (body.u.mmap.filename, body.u.mmap.filename_len, "/lib/libc.so.6", 14);
    check_truncations (attrs, data, len, 8 + 64 + 48);
  }

  /* MMAP of the kernel, a data MMAP, and a name without a NUL */
  {
    g_autoptr(GByteArray) b = begin (PERF_RECORD_MMAP, PERF_RECORD_MISC_KERNEL);
    g_autofree guint8 *data = NULL;
    ScorchPerfBody body;
    gsize len;

    test_rec_put32 (b, (guint32) -1); test_rec_put32 (b, 0);
    test_rec_put64 (b, 0xffffffff81000000); test_rec_put64 (b, 0x1000000); test_rec_put64 (b, 0);
    test_rec_put (b, "[kernel.kallsyms]_text\x01\x01", 24); /* no NUL */
    put_trailer (b, TRAILER_ST, T_ID);
    data = finish (g_steal_pointer (&b), &len);

    g_assert_true (decode_copy (attrs, data, len, &body, NULL, NULL));
    g_assert_true (body.u.mmap.kernel);
    g_assert_cmpint (body.u.mmap.pid, ==, -1);
    g_assert_cmpuint (body.u.mmap.prot, ==, PROT_READ | PROT_EXEC);
    g_assert_cmpuint (body.u.mmap.filename_len, ==, 24); /* bounded by the body, not the trailer */
    check_truncations (attrs, data, len, 8 + 32 + 40);

    ((struct perf_event_header *) (gpointer) data)->misc = PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_DATA;
    g_assert_true (decode_copy (attrs, data, len, &body, NULL, NULL));
    g_assert_false (body.u.mmap.kernel);
    g_assert_cmpuint (body.u.mmap.prot, ==, PROT_READ);
  }
}

static void
test_comm_task (void)
{
  g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (PERF_SAMPLE_IP | TRAILER_ST, TRUE, T_ID);

  {
    g_autoptr(GByteArray) b = begin (PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC);
    g_autofree guint8 *data = NULL;
    ScorchPerfBody body;
    ScorchRecord record;
    gsize len;

    test_rec_put32 (b, 10); test_rec_put32 (b, 11);
    test_rec_put_string (b, "burn");
    put_trailer (b, TRAILER_ST, T_ID);
    data = finish (g_steal_pointer (&b), &len);
    g_assert_true (decode_copy (attrs, data, len, &body, &record, NULL));
    g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_COMM);
    check_trailer (&record);
    g_assert_cmpint (body.u.comm.pid, ==, 10);
    g_assert_cmpint (body.u.comm.tid, ==, 11);
    g_assert_true (body.u.comm.exec);
    g_assert_cmpmem (body.u.comm.comm, body.u.comm.comm_len, "burn", 4);
    check_truncations (attrs, data, len, 8 + 8 + 48);
  }

  for (guint type = PERF_RECORD_EXIT; type <= PERF_RECORD_FORK; type += PERF_RECORD_FORK - PERF_RECORD_EXIT)
    {
      g_autoptr(GByteArray) b = begin (type, 0);
      g_autofree guint8 *data = NULL;
      ScorchPerfBody body;
      ScorchRecord record;
      gsize len;

      test_rec_put32 (b, 20); test_rec_put32 (b, 21); test_rec_put32 (b, 22); test_rec_put32 (b, 23); test_rec_put64 (b, 555);
      put_trailer (b, TRAILER_ST, T_ID);
      data = finish (g_steal_pointer (&b), &len);
      g_assert_true (decode_copy (attrs, data, len, &body, &record, NULL));
      g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_TASK);
      check_trailer (&record);
      g_assert_cmpint (body.u.task.pid, ==, 20);
      g_assert_cmpint (body.u.task.ppid, ==, 21);
      g_assert_cmpint (body.u.task.tid, ==, 22);
      g_assert_cmpint (body.u.task.ptid, ==, 23);
      g_assert_cmpuint (body.u.task.time, ==, 555);
      check_truncations (attrs, data, len, 8 + 16 + 48);
    }
}

static void
test_lost_throttle_switch_ksymbol (void)
{
  g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (PERF_SAMPLE_IP | TRAILER_ST, TRUE, T_ID);
  struct { guint32 type; guint16 misc; gsize min; } cases[] = {
    { PERF_RECORD_LOST, 0, 8 + 16 + 48 },
    { PERF_RECORD_LOST_SAMPLES, 0, 8 + 8 + 48 },
    { PERF_RECORD_THROTTLE, 0, 8 + 24 + 48 },
    { PERF_RECORD_UNTHROTTLE, 0, 8 + 24 + 48 },
    { PERF_RECORD_SWITCH, PERF_RECORD_MISC_SWITCH_OUT | PERF_RECORD_MISC_SWITCH_OUT_PREEMPT, 8 + 48 },
    { PERF_RECORD_SWITCH_CPU_WIDE, 0, 8 + 8 + 48 },
    { PERF_RECORD_KSYMBOL, 0, 8 + 16 + 48 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) b = begin (cases[i].type, cases[i].misc);
      g_autofree guint8 *data = NULL;
      ScorchPerfBody body;
      ScorchRecord record;
      gsize len;

      switch (cases[i].type)
        {
        case PERF_RECORD_LOST: test_rec_put64 (b, T_ID); test_rec_put64 (b, 31); break;
        case PERF_RECORD_LOST_SAMPLES: test_rec_put64 (b, 32); break;
        case PERF_RECORD_THROTTLE:
        case PERF_RECORD_UNTHROTTLE: test_rec_put64 (b, 1000); test_rec_put64 (b, T_ID); test_rec_put64 (b, 0x5757); break;
        case PERF_RECORD_SWITCH: break;
        case PERF_RECORD_SWITCH_CPU_WIDE: test_rec_put32 (b, 61); test_rec_put32 (b, 62); break;
        case PERF_RECORD_KSYMBOL:
          test_rec_put64 (b, 0xffffffffc0000000); test_rec_put32 (b, 256); test_rec_put16 (b, 2 /* PERF_RECORD_KSYMBOL_TYPE_OOL */);
          test_rec_put16 (b, PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER);
          test_rec_put_string (b, "bpf_prog_x");
          break;
        default: g_assert_not_reached ();
        }
      put_trailer (b, TRAILER_ST, T_ID);
      data = finish (g_steal_pointer (&b), &len);
      g_assert_true (decode_copy (attrs, data, len, &body, &record, NULL));
      check_trailer (&record);

      switch (cases[i].type)
        {
        case PERF_RECORD_LOST:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_LOST);
          g_assert_cmpuint (body.u.lost.id, ==, T_ID);
          g_assert_cmpuint (body.u.lost.lost, ==, 31);
          break;
        case PERF_RECORD_LOST_SAMPLES:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_LOST);
          g_assert_cmpuint (body.u.lost.lost, ==, 32);
          break;
        case PERF_RECORD_THROTTLE:
        case PERF_RECORD_UNTHROTTLE:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_THROTTLE);
          g_assert_cmpuint (body.u.throttle.time, ==, 1000);
          g_assert_cmpuint (body.u.throttle.id, ==, T_ID);
          g_assert_cmpuint (body.u.throttle.stream_id, ==, 0x5757);
          g_assert_cmpint (body.u.throttle.throttle, ==, cases[i].type == PERF_RECORD_THROTTLE);
          break;
        case PERF_RECORD_SWITCH:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_SWITCH);
          g_assert_true (body.u.sw.out);
          g_assert_true (body.u.sw.preempt);
          g_assert_cmpint (body.u.sw.next_prev_pid, ==, -1);
          break;
        case PERF_RECORD_SWITCH_CPU_WIDE:
          g_assert_false (body.u.sw.out);
          g_assert_cmpint (body.u.sw.next_prev_pid, ==, 61);
          g_assert_cmpint (body.u.sw.next_prev_tid, ==, 62);
          break;
        case PERF_RECORD_KSYMBOL:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_KSYMBOL);
          g_assert_cmphex (body.u.ksymbol.addr, ==, 0xffffffffc0000000);
          g_assert_cmpuint (body.u.ksymbol.len, ==, 256);
          g_assert_cmpuint (body.u.ksymbol.ksym_type, ==, 2);
          g_assert_cmpuint (body.u.ksymbol.flags, ==, PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER);
          g_assert_cmpmem (body.u.ksymbol.name, body.u.ksymbol.name_len, "bpf_prog_x", 10);
          break;
        default:
          g_assert_not_reached ();
        }
      check_truncations (attrs, data, len, cases[i].min);
    }
}

/* Without sample_id_all no trailer is read, and the body is the whole
 * record. */
static void
test_no_sample_id_all (void)
{
  g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (PERF_SAMPLE_IP | TRAILER_ST, FALSE, T_ID);
  g_autoptr(GByteArray) b = begin (PERF_RECORD_COMM, 0);
  g_autofree guint8 *data = NULL;
  ScorchPerfBody body;
  ScorchRecord record;
  gsize len;

  test_rec_put32 (b, 1); test_rec_put32 (b, 2);
  test_rec_put_string (b, "abcdefghijklmno"); /* 16 bytes */
  data = finish (g_steal_pointer (&b), &len);
  g_assert_true (decode_copy (attrs, data, len, &body, &record, NULL));
  g_assert_false (record.has_time);
  g_assert_cmpint (record.pid, ==, -1);
  g_assert_cmpmem (body.u.comm.comm, body.u.comm.comm_len, "abcdefghijklmno", 15);
  check_truncations (attrs, data, len, 16);
}

/* ---- user types ------------------------------------------------------------ */

static void
test_user_types (void)
{
  g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (PERF_SAMPLE_IP | TRAILER_ST, TRUE, T_ID);
  struct perf_event_attr pattr = { 0 };

  pattr.size = sizeof pattr;
  pattr.sample_type = PERF_SAMPLE_IP;

  for (guint32 type = 64; type <= 82; type++)
    {
      g_autoptr(GByteArray) b = begin (type, 0);
      g_autofree guint8 *data = NULL;
      g_autoptr(GError) error = NULL;
      ScorchPerfBody body;
      ScorchRecord record;
      gsize len, min = 8;

      switch (type)
        {
        case SCORCH_PERF_RECORD_ID_INDEX:
          test_rec_put64 (b, 2);
          test_rec_put64 (b, 5); test_rec_put64 (b, 0); test_rec_put64 (b, 1); test_rec_put64 (b, 100);
          test_rec_put64 (b, 6); test_rec_put64 (b, 0); test_rec_put64 (b, 2); test_rec_put64 (b, 101);
          min = 8 + 8 + 64;
          break;
        case SCORCH_PERF_RECORD_HEADER_ATTR:
          test_rec_put (b, &pattr, sizeof pattr);
          test_rec_put64 (b, 41); test_rec_put64 (b, 42);
          min = 8 + sizeof pattr;
          break;
        case SCORCH_PERF_RECORD_HEADER_FEATURE:
          test_rec_put64 (b, SCORCH_PERF_FEAT_HOSTNAME);
          test_rec_put32 (b, 4); test_rec_put (b, "box", 4);
          min = 16;
          break;
        case SCORCH_PERF_RECORD_COMPRESSED:
          test_rec_put64 (b, 0x1122334455667788);
          break;
        case SCORCH_PERF_RECORD_HEADER_TRACING_DATA:
          test_rec_put32 (b, 13); test_rec_put32 (b, 0);
          min = 16;
          break;
        case SCORCH_PERF_RECORD_AUXTRACE:
          test_rec_put64 (b, 64); test_rec_put64 (b, 0); test_rec_put64 (b, 0); test_rec_put32 (b, 0); test_rec_put32 (b, 1); test_rec_put32 (b, 2); test_rec_put32 (b, 0);
          min = 16;
          break;
        case SCORCH_PERF_RECORD_TIME_CONV:
          test_rec_put64 (b, 10); test_rec_put64 (b, 20); test_rec_put64 (b, 30);
          min = 32;
          break;
        case SCORCH_PERF_RECORD_EVENT_UPDATE:
          test_rec_put64 (b, SCORCH_PERF_EVENT_UPDATE_NAME); test_rec_put64 (b, 77);
          test_rec_put_string (b, "cpu-clock");
          min = 24;
          break;
        case SCORCH_PERF_RECORD_HEADER_BUILD_ID:
          {
            guint8 id[24] = { 0xab, 0xcd, 0xef };

            ((struct perf_event_header *) (gpointer) b->data)->misc = PERF_RECORD_MISC_KERNEL | SCORCH_PERF_BUILD_ID_MISC_SIZE;
            id[20] = 3;
            test_rec_put32 (b, (guint32) -1);
            test_rec_put (b, id, 24);
            test_rec_put_string (b, "[kernel.kallsyms]");
            min = 8 + 4 + 24 + 4; /* padding of the fixed part */
          }
          break;
        default:
          test_rec_put64 (b, 0);
          break;
        }
      data = finish (g_steal_pointer (&b), &len);
      g_assert_true (decode_copy (attrs, data, len, &body, &record, &error));
      g_assert_no_error (error);
      g_assert_null (record.attr);
      g_assert_false (record.has_time);

      switch (type)
        {
        case SCORCH_PERF_RECORD_ID_INDEX:
          {
            ScorchPerfIdIndexEntry e;

            g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_ID_INDEX);
            g_assert_cmpuint (body.u.id_index.nr, ==, 2);
            scorch_perf_record_get_id_index_entry (&body.u.id_index, 1, &e);
            g_assert_cmpuint (e.id, ==, 6);
            g_assert_cmpuint (e.cpu, ==, 2);
            g_assert_cmpuint (e.tid, ==, 101);
          }
          break;
        case SCORCH_PERF_RECORD_HEADER_ATTR:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_HEADER_ATTR);
          g_assert_cmpuint (body.u.header_attr.attr_size, ==, sizeof pattr);
          g_assert_cmpuint (body.u.header_attr.n_ids, ==, 2);
          g_assert_cmpmem (body.u.header_attr.attr, sizeof pattr, &pattr, sizeof pattr);
          break;
        case SCORCH_PERF_RECORD_HEADER_FEATURE:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_HEADER_FEATURE);
          g_assert_cmpuint (body.u.header_feature.feature, ==, SCORCH_PERF_FEAT_HOSTNAME);
          g_assert_cmpuint (body.u.header_feature.size, ==, 8);
          break;
        case SCORCH_PERF_RECORD_COMPRESSED:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_COMPRESSED);
          g_assert_cmpuint (body.u.compressed.size, ==, 8);
          break;
        case SCORCH_PERF_RECORD_HEADER_TRACING_DATA:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_TRAILING_DATA);
          g_assert_cmpuint (body.u.trailing.size, ==, 16);
          break;
        case SCORCH_PERF_RECORD_AUXTRACE:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_TRAILING_DATA);
          g_assert_cmpuint (body.u.trailing.size, ==, 64);
          break;
        case SCORCH_PERF_RECORD_TIME_CONV:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_TIME_CONV);
          g_assert_cmpuint (body.u.time_conv.time_mult, ==, 20);
          break;
        case SCORCH_PERF_RECORD_EVENT_UPDATE:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_EVENT_UPDATE);
          g_assert_cmpuint (body.u.event_update.id, ==, 77);
          g_assert_cmpmem (body.u.event_update.name, body.u.event_update.name_len, "cpu-clock", 9);
          break;
        case SCORCH_PERF_RECORD_HEADER_BUILD_ID:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_BUILD_ID);
          g_assert_cmpint (body.u.build_id.pid, ==, -1);
          g_assert_true (body.u.build_id.kernel);
          g_assert_cmpuint (body.u.build_id.build_id_len, ==, 3);
          g_assert_cmphex (body.u.build_id.build_id[2], ==, 0xef);
          g_assert_cmpmem (body.u.build_id.filename, body.u.build_id.filename_len, "[kernel.kallsyms]", 17);
          break;
        case SCORCH_PERF_RECORD_FINISHED_ROUND:
        case SCORCH_PERF_RECORD_FINISHED_INIT:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_EMPTY);
          break;
        default:
          g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_NONE);
          break;
        }
      check_truncations (attrs, data, len, min);
    }

  /* A HEADER_ATTR whose attr.size is larger than the record */
  {
    g_autoptr(GByteArray) b = begin (SCORCH_PERF_RECORD_HEADER_ATTR, 0);
    g_autofree guint8 *data = NULL;
    g_autoptr(GError) error = NULL;
    ScorchPerfBody body;
    gsize len;

    test_rec_put32 (b, 0); test_rec_put32 (b, 4000); test_rec_put64 (b, 0);
    data = finish (g_steal_pointer (&b), &len);
    g_assert_false (decode_copy (attrs, data, len, &body, NULL, &error));
    g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  }
  /* An ID_INDEX whose count is larger than the record */
  {
    g_autoptr(GByteArray) b = begin (SCORCH_PERF_RECORD_ID_INDEX, 0);
    g_autofree guint8 *data = NULL;
    g_autoptr(GError) error = NULL;
    ScorchPerfBody body;
    gsize len;

    test_rec_put64 (b, G_GUINT64_CONSTANT (1) << 60);
    test_rec_put64 (b, 1); test_rec_put64 (b, 2); test_rec_put64 (b, 3); test_rec_put64 (b, 4);
    data = finish (g_steal_pointer (&b), &len);
    g_assert_false (decode_copy (attrs, data, len, &body, NULL, &error));
    g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  }
}

/* ---- samples --------------------------------------------------------------- */

/* The sample_type bits the decoder reads, in the kernel's order. */
static const guint64 sample_bits[] = {
  PERF_SAMPLE_IDENTIFIER, PERF_SAMPLE_IP, PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ADDR,
  PERF_SAMPLE_ID, PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_PERIOD, PERF_SAMPLE_READ,
  PERF_SAMPLE_CALLCHAIN, PERF_SAMPLE_RAW, PERF_SAMPLE_BRANCH_STACK, PERF_SAMPLE_REGS_USER,
  PERF_SAMPLE_STACK_USER, PERF_SAMPLE_WEIGHT, PERF_SAMPLE_DATA_SRC, PERF_SAMPLE_TRANSACTION,
  PERF_SAMPLE_REGS_INTR, PERF_SAMPLE_PHYS_ADDR, PERF_SAMPLE_AUX, PERF_SAMPLE_CGROUP,
  PERF_SAMPLE_DATA_PAGE_SIZE, PERF_SAMPLE_CODE_PAGE_SIZE,
};

static const guint8 stack_bytes[24] = "0123456789abcdefghijklm";

/* A sample with every field of st set to a value that names it. */
static guint8 *
build_sample (guint64  st,
              gsize   *len)
{
  GByteArray *b = begin (PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);

  if (st & PERF_SAMPLE_IDENTIFIER) test_rec_put64 (b, T_ID);
  if (st & PERF_SAMPLE_IP) test_rec_put64 (b, 0x401000);
  if (st & PERF_SAMPLE_TID) { test_rec_put32 (b, T_PID); test_rec_put32 (b, T_TID); }
  if (st & PERF_SAMPLE_TIME) test_rec_put64 (b, T_TIME);
  if (st & PERF_SAMPLE_ADDR) test_rec_put64 (b, 0xadd4);
  if (st & PERF_SAMPLE_ID) test_rec_put64 (b, T_ID);
  if (st & PERF_SAMPLE_STREAM_ID) test_rec_put64 (b, 0x5757);
  if (st & PERF_SAMPLE_CPU) { test_rec_put32 (b, T_CPU); test_rec_put32 (b, 0); }
  if (st & PERF_SAMPLE_PERIOD) test_rec_put64 (b, 1000001);
  if (st & PERF_SAMPLE_READ) { test_rec_put64 (b, 9); test_rec_put64 (b, 8); test_rec_put64 (b, T_ID); } /* value, enabled, id */
  if (st & PERF_SAMPLE_CALLCHAIN) { test_rec_put64 (b, 3); test_rec_put64 (b, PERF_CONTEXT_USER); test_rec_put64 (b, 0x401000); test_rec_put64 (b, 0x402000); }
  if (st & PERF_SAMPLE_RAW) { test_rec_put32 (b, 4); test_rec_put (b, "rawx", 4); }
  if (st & PERF_SAMPLE_BRANCH_STACK) { test_rec_put64 (b, 1); test_rec_put64 (b, 1); test_rec_put64 (b, 2); test_rec_put64 (b, 3); }
  if (st & PERF_SAMPLE_REGS_USER) { test_rec_put64 (b, PERF_SAMPLE_REGS_ABI_64); test_rec_put64 (b, 0x7ff0); test_rec_put64 (b, 0x7ff8); }
  if (st & PERF_SAMPLE_STACK_USER) { test_rec_put64 (b, sizeof stack_bytes); test_rec_put (b, stack_bytes, sizeof stack_bytes); test_rec_put64 (b, 16); }
  if (st & PERF_SAMPLE_WEIGHT) test_rec_put64 (b, 0x3e);
  if (st & PERF_SAMPLE_DATA_SRC) test_rec_put64 (b, 0xd5);
  if (st & PERF_SAMPLE_TRANSACTION) test_rec_put64 (b, 0x7a);
  if (st & PERF_SAMPLE_REGS_INTR) { test_rec_put64 (b, PERF_SAMPLE_REGS_ABI_64); test_rec_put64 (b, 0x1); }
  if (st & PERF_SAMPLE_PHYS_ADDR) test_rec_put64 (b, 0xfa);
  if (st & PERF_SAMPLE_AUX) { test_rec_put64 (b, 8); test_rec_put64 (b, 0); }
  if (st & PERF_SAMPLE_CGROUP) test_rec_put64 (b, 0xc6);
  if (st & PERF_SAMPLE_DATA_PAGE_SIZE) test_rec_put64 (b, 4096);
  if (st & PERF_SAMPLE_CODE_PAGE_SIZE) test_rec_put64 (b, 4096);
  return finish (b, len);
}

static void
check_sample (guint64                 st,
              const ScorchSampleData *s)
{
  guint64 v;

  g_assert_cmphex (s->ip, ==, (st & PERF_SAMPLE_IP) ? 0x401000 : 0);
  g_assert_cmpint (s->pid, ==, (st & PERF_SAMPLE_TID) ? T_PID : -1);
  g_assert_cmpint (s->tid, ==, (st & PERF_SAMPLE_TID) ? T_TID : -1);
  g_assert_cmpuint (s->time, ==, (st & PERF_SAMPLE_TIME) ? T_TIME : 0);
  g_assert_cmphex (s->addr, ==, (st & PERF_SAMPLE_ADDR) ? 0xadd4 : 0);
  g_assert_cmpuint (s->id, ==, (st & (PERF_SAMPLE_ID | PERF_SAMPLE_IDENTIFIER)) ? T_ID : 0);
  g_assert_cmphex (s->stream_id, ==, (st & PERF_SAMPLE_STREAM_ID) ? 0x5757 : 0);
  g_assert_cmpuint (s->cpu, ==, (st & PERF_SAMPLE_CPU) ? T_CPU : 0);
  g_assert_cmpuint (s->period, ==, (st & PERF_SAMPLE_PERIOD) ? 1000001 : 0);
  if (st & PERF_SAMPLE_CALLCHAIN)
    {
      g_assert_cmpuint (s->callchain_nr, ==, 3);
      memcpy (&v, &s->callchain[2], 8);
      g_assert_cmphex (v, ==, 0x402000);
    }
  else
    g_assert_null (s->callchain);
  if (st & PERF_SAMPLE_RAW)
    {
      g_assert_cmpuint (s->raw_size, ==, 4);
      g_assert_cmpmem (s->raw, 4, "rawx", 4);
    }
  g_assert_cmpuint (s->branch_nr, ==, (st & PERF_SAMPLE_BRANCH_STACK) ? 1 : 0);
  if (st & PERF_SAMPLE_REGS_USER)
    {
      g_assert_cmpuint (s->regs_abi, ==, PERF_SAMPLE_REGS_ABI_64);
      g_assert_cmpuint (s->n_regs, ==, 2);
      g_assert_cmphex (s->regs_mask, ==, 0x3);
      memcpy (&v, &s->regs[1], 8);
      g_assert_cmphex (v, ==, 0x7ff8);
    }
  else
    g_assert_null (s->regs);
  if (st & PERF_SAMPLE_STACK_USER)
    {
      g_assert_cmpuint (s->stack_size, ==, 16); /* dyn_size */
      g_assert_cmpmem (s->stack, 16, stack_bytes, 16);
    }
  else
    g_assert_null (s->stack);
  /* the span a rewrite leaves out: abi and 2 registers, size, copy, dyn_size */
  g_assert_cmpuint (s->user_end - s->user_start, ==,
                    ((st & PERF_SAMPLE_REGS_USER) ? 8 + 2 * 8 : 0) +
                    ((st & PERF_SAMPLE_STACK_USER) ? 8 + sizeof stack_bytes + 8 : 0));
  if (st & PERF_SAMPLE_REGS_USER)
    g_assert_true (s->user_start + 8 == (const guint8 *) s->regs);
  g_assert_cmphex (s->weight, ==, (st & PERF_SAMPLE_WEIGHT) ? 0x3e : 0);
  g_assert_cmphex (s->data_src, ==, (st & PERF_SAMPLE_DATA_SRC) ? 0xd5 : 0);
  g_assert_cmphex (s->transaction, ==, (st & PERF_SAMPLE_TRANSACTION) ? 0x7a : 0);
  g_assert_cmphex (s->intr_regs_abi, ==, (st & PERF_SAMPLE_REGS_INTR) ? PERF_SAMPLE_REGS_ABI_64 : 0);
  g_assert_cmphex (s->phys_addr, ==, (st & PERF_SAMPLE_PHYS_ADDR) ? 0xfa : 0);
  g_assert_cmphex (s->cgroup, ==, (st & PERF_SAMPLE_CGROUP) ? 0xc6 : 0);
}

/* scorch_capture_attrs_parse_sample_stack() accepts and rejects the
 * samples parse_sample() does, with the same fields; the record is made as
 * the leaf repairer makes it (header and attr, no sample_id). */
static void
check_sample_stack (ScorchCaptureAttrs *attrs,
                    const guint8       *data,
                    gsize               len)
{
  g_autofree guint8 *copy = g_memdup2 (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stack_error = NULL;
  struct perf_event_header hdr;
  ScorchRecord record;
  ScorchSampleData s;
  ScorchSampleStack k;
  gboolean ok;

  g_assert_true (scorch_perf_record_parse_header (copy, len, 0, &hdr, NULL));
  scorch_perf_record_init_raw (&record, &hdr, copy, 0);
  record.attr = scorch_capture_attrs_get_attr (attrs, 0);
  ok = scorch_capture_attrs_parse_sample (attrs, &record, &s, &error);
  g_assert_cmpint (scorch_capture_attrs_parse_sample_stack (attrs, &record, &k, &stack_error), ==, ok);
  if (!ok)
    {
      g_assert_error (stack_error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
      return;
    }
  g_assert_cmphex (k.ip, ==, s.ip);
  g_assert_cmpint (k.pid, ==, s.pid);
  g_assert_cmpint (k.tid, ==, s.tid);
  g_assert_cmpuint (k.time, ==, s.time);
  g_assert_true (k.callchain == s.callchain);
  g_assert_cmpuint (k.callchain_nr, ==, s.callchain_nr);
  g_assert_true (k.regs == s.regs);
  g_assert_cmpuint (k.n_regs, ==, s.n_regs);
  g_assert_true (k.stack == s.stack);
  g_assert_cmpuint (k.stack_size, ==, s.stack_size);
  g_assert_true (k.user_start == s.user_start);
  g_assert_true (k.user_end == s.user_end);
}

static void
check_sample_type (guint64  st,
                   gboolean truncations)
{
  g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (st, TRUE, T_ID);
  g_autofree guint8 *data = NULL;
  g_autoptr(GError) error = NULL;
  ScorchPerfBody body;
  ScorchRecord record;
  gsize len;

  data = build_sample (st, &len);
  if (!decode_copy (attrs, data, len, &body, &record, &error))
    g_error ("sample_type 0x%" G_GINT64_MODIFIER "x: %s", st, error->message);
  g_assert_cmpint (body.kind, ==, SCORCH_PERF_BODY_SAMPLE);
  check_sample (st, &body.u.sample);
  /* the record's sample_id comes from the body */
  g_assert_cmpint (record.has_time, ==, (st & PERF_SAMPLE_TIME) != 0);
  g_assert_cmpint (record.tid, ==, (st & PERF_SAMPLE_TID) ? T_TID : -1);
  check_sample_stack (attrs, data, len);

  if (truncations)
    {
      /* Every smaller size misses a field the sample_type promises. */
      for (gsize size = 8; size < len; size += 8)
        {
          g_autoptr(GError) cut_error = NULL;
          g_autofree guint8 *copy = g_memdup2 (data, size);

          ((struct perf_event_header *) (gpointer) copy)->size = size;
          check_sample_stack (attrs, copy, size);
          if (decode_copy (attrs, copy, size, &body, NULL, &cut_error))
            g_error ("sample_type 0x%" G_GINT64_MODIFIER "x: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                     " bytes decoded", st, size, len);
          g_assert_error (cut_error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
        }
      check_truncations (attrs, data, len, len);
    }
}

static void
test_sample_types (void)
{
  guint64 all = 0;
  GRand *rand = g_rand_new_with_seed (13);

  /* each bit alone, then with all others */
  for (guint i = 0; i < G_N_ELEMENTS (sample_bits); i++)
    {
      check_sample_type (sample_bits[i], TRUE);
      all |= sample_bits[i];
    }
  check_sample_type (all, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (sample_bits); i++)
    check_sample_type (all & ~sample_bits[i], TRUE);

  /* what perf record and Scorch write */
  check_sample_type (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN, TRUE);
  check_sample_type (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |
                     PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER, TRUE);
  check_sample_type (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                     PERF_SAMPLE_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD, TRUE);

  /* a fixed sample of the other combinations (deterministic seed) */
  for (guint n = 0; n < 2000; n++)
    {
      guint64 st = 0;

      for (guint i = 0; i < G_N_ELEMENTS (sample_bits); i++)
        if (g_rand_boolean (rand))
          st |= sample_bits[i];
      check_sample_type (st, n < 100);
    }
  g_rand_free (rand);
}

/* Hostile sizes inside a sample: counts that would run past it. */
static void
test_sample_hostile_counts (void)
{
  struct { guint64 st; guint64 words[4]; guint n; } cases[] = {
    { PERF_SAMPLE_CALLCHAIN, { G_GUINT64_CONSTANT (1) << 61, 0, 0, 0 }, 2 },
    { PERF_SAMPLE_CALLCHAIN, { 2, 1, 0, 0 }, 2 },
    { PERF_SAMPLE_RAW, { 0xffffffff, 0, 0, 0 }, 2 },
    { PERF_SAMPLE_BRANCH_STACK, { G_GUINT64_CONSTANT (1) << 62, 0, 0, 0 }, 2 },
    { PERF_SAMPLE_STACK_USER, { G_MAXUINT64, 0, 0, 0 }, 2 },
    { PERF_SAMPLE_STACK_USER, { 16, 0, 0, 0 }, 3 }, /* no room for dyn_size */
    { PERF_SAMPLE_AUX, { 1 << 20, 0, 0, 0 }, 2 },
    { PERF_SAMPLE_REGS_USER, { 2, 0, 0, 0 }, 2 },   /* two registers promised, one there */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (cases[i].st, TRUE, T_ID);
      GByteArray *b = begin (PERF_RECORD_SAMPLE, 0);
      g_autofree guint8 *data = NULL;
      g_autoptr(GError) error = NULL;
      ScorchPerfBody body;
      gsize len;

      for (guint k = 0; k < cases[i].n; k++)
        test_rec_put64 (b, cases[i].words[k]);
      data = finish (b, &len);
      g_assert_false (decode_copy (attrs, data, len, &body, NULL, &error));
      g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
    }

  /* PERF_FORMAT_GROUP: a count larger than the record */
  {
    g_autoptr(ScorchCaptureAttrs) attrs = scorch_capture_attrs_new ();
    struct perf_event_attr attr = { 0 };
    GByteArray *b = begin (PERF_RECORD_SAMPLE, 0);
    g_autofree guint8 *data = NULL;
    g_autoptr(GError) error = NULL;
    ScorchPerfBody body;
    gsize len;

    attr.size = sizeof attr;
    attr.sample_type = PERF_SAMPLE_READ;
    attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID;
    g_assert_true (scorch_capture_attrs_add (attrs, &attr, sizeof attr, NULL, 0, NULL));
    test_rec_put64 (b, G_GUINT64_CONSTANT (1) << 62);
    test_rec_put64 (b, 1); test_rec_put64 (b, 2);
    data = finish (b, &len);
    g_assert_false (decode_copy (attrs, data, len, &body, NULL, &error));
    g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  }
}

/* ---- several events ---------------------------------------------------------- */

static void
test_id_routing (void)
{
  g_autoptr(ScorchCaptureAttrs) attrs = scorch_capture_attrs_new ();
  struct perf_event_attr a = { 0 }, b2 = { 0 };
  guint64 ids_a[] = { 5, 6 }, ids_b[] = { 9 };
  g_autoptr(GError) error = NULL;

  a.size = b2.size = sizeof a;
  a.sample_id_all = b2.sample_id_all = 1;
  a.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME;
  b2.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
  g_assert_true (scorch_capture_attrs_add (attrs, &a, sizeof a, ids_a, 2, NULL));
  g_assert_true (scorch_capture_attrs_add (attrs, &b2, PERF_ATTR_SIZE_VER0, ids_b, 1, NULL));
  g_assert_true (scorch_capture_attrs_check (attrs, &error));
  g_assert_no_error (error);
  g_assert_true (scorch_capture_attrs_lookup_id (attrs, 6) == scorch_capture_attrs_get_attr (attrs, 0));
  g_assert_true (scorch_capture_attrs_lookup_id (attrs, 9) == scorch_capture_attrs_get_attr (attrs, 1));
  g_assert_null (scorch_capture_attrs_lookup_id (attrs, 7));

  for (guint64 id = 5; id <= 10; id++)
    {
      GByteArray *b = begin (PERF_RECORD_SAMPLE, 0);
      g_autofree guint8 *data = NULL;
      ScorchRecord record;
      gsize len;

      test_rec_put64 (b, id);
      test_rec_put64 (b, 0x1000);
      if (id != 9)
        { test_rec_put32 (b, 1); test_rec_put32 (b, 2); }
      test_rec_put64 (b, 500 + id);
      if (id == 9)
        { test_rec_put32 (b, 1); test_rec_put32 (b, 0); }
      data = finish (b, &len);
      g_assert_true (scorch_capture_attrs_parse_record (attrs, data, len, 0, &record, NULL));
      if (id == 5 || id == 6)
        g_assert_true (record.attr == scorch_capture_attrs_get_attr (attrs, 0));
      else if (id == 9)
        {
          g_assert_true (record.attr == scorch_capture_attrs_get_attr (attrs, 1));
          g_assert_cmpuint (record.cpu, ==, 1);
        }
      else
        g_assert_null (record.attr); /* an id of no event */
      if (record.attr != NULL)
        {
          g_assert_cmpuint (record.time, ==, 500 + id);
          g_assert_cmpuint (record.id, ==, id);
        }
    }

  /* a side-band record of the second event: trailer in its layout */
  {
    GByteArray *b = begin (PERF_RECORD_EXIT, 0);
    g_autofree guint8 *data = NULL;
    ScorchRecord record;
    gsize len;

    test_rec_put32 (b, 1); test_rec_put32 (b, 1); test_rec_put32 (b, 1); test_rec_put32 (b, 1); test_rec_put64 (b, 0);
    test_rec_put64 (b, 700); test_rec_put32 (b, 1); test_rec_put32 (b, 0); test_rec_put64 (b, 9); /* TIME, CPU, IDENTIFIER */
    data = finish (b, &len);
    g_assert_true (scorch_capture_attrs_parse_record (attrs, data, len, 0, &record, NULL));
    g_assert_true (record.attr == scorch_capture_attrs_get_attr (attrs, 1));
    g_assert_cmpuint (record.time, ==, 700);
  }

  /* events that cannot be told apart */
  {
    g_autoptr(ScorchCaptureAttrs) bad = scorch_capture_attrs_new ();
    g_autoptr(GError) bad_error = NULL;

    a.sample_type = PERF_SAMPLE_IP;
    b2.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TIME;
    g_assert_true (scorch_capture_attrs_add (bad, &a, sizeof a, NULL, 0, NULL));
    g_assert_true (scorch_capture_attrs_add (bad, &b2, sizeof b2, NULL, 0, NULL));
    g_assert_false (scorch_capture_attrs_check (bad, &bad_error));
    g_assert_error (bad_error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  }
}

static void
test_wrong_type (void)
{
  g_autoptr(ScorchCaptureAttrs) attrs = attrs_with (PERF_SAMPLE_IP, FALSE, T_ID);
  GByteArray *b = begin (PERF_RECORD_COMM, 0);
  g_autofree guint8 *data = NULL;
  g_autoptr(GError) error = NULL;
  ScorchRecord record;
  ScorchPerfMmap m;
  gsize len;

  test_rec_put64 (b, 0); test_rec_put64 (b, 0);
  data = finish (b, &len);
  g_assert_true (scorch_capture_attrs_parse_record (attrs, data, len, 0, &record, NULL));
  g_assert_false (scorch_perf_record_get_mmap (&record, &m, &error));
  g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
}

/* Header checks: records inside a file must be 8-byte multiples; in a
 * stream perf wrote (COMPRESSED records of perf record -z) any size >= 8. */
static void
test_headers (void)
{
  struct perf_event_header in = { SCORCH_PERF_RECORD_COMPRESSED, 0, 373 }, out;
  g_autofree guint8 *data = g_malloc0 (373);
  g_autoptr(GError) error = NULL;

  memcpy (data, &in, sizeof in);
  g_assert_false (scorch_perf_record_parse_header (data, 373, 0, &out, &error));
  g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_true (scorch_perf_record_parse_stream_header (data, 373, 0, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out.size, ==, 373);
  g_assert_false (scorch_perf_record_parse_stream_header (data, 372, 0, &out, &error));
  g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  g_clear_error (&error);
  in.size = 7;
  memcpy (data, &in, sizeof in);
  g_assert_false (scorch_perf_record_parse_stream_header (data, 373, 0, &out, &error));
  g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (scorch_perf_record_parse_stream_header (data, 7, 0, &out, &error));
  g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/perf-record/mmap", test_mmap);
  g_test_add_func ("/libscorch/perf-record/comm-task", test_comm_task);
  g_test_add_func ("/libscorch/perf-record/lost-throttle-switch-ksymbol", test_lost_throttle_switch_ksymbol);
  g_test_add_func ("/libscorch/perf-record/no-sample-id-all", test_no_sample_id_all);
  g_test_add_func ("/libscorch/perf-record/user-types", test_user_types);
  g_test_add_func ("/libscorch/perf-record/sample-types", test_sample_types);
  g_test_add_func ("/libscorch/perf-record/sample-hostile-counts", test_sample_hostile_counts);
  g_test_add_func ("/libscorch/perf-record/id-routing", test_id_routing);
  g_test_add_func ("/libscorch/perf-record/wrong-type", test_wrong_type);
  g_test_add_func ("/libscorch/perf-record/headers", test_headers);

  return g_test_run ();
}
