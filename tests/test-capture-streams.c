/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-capture-streams.c: the reader on captures made by hand the way perf
 * record writes them with -o - (pipe mode: header records in the stream)
 * and with -z (records in zstd frames, compressed records of odd sizes,
 * a record cut between two frames); cut and damaged streams give a clear
 * error or a warning, never a crash. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include <zstd.h>

#include "scorch-capture-reader.h"

#define PID 77
#define N_SAMPLES 25

static void
put (GByteArray *b, const void *data, gsize len)
{
  g_byte_array_append (b, data, len);
}

static void
put64 (GByteArray *b, guint64 v)
{
  put (b, &v, 8);
}

static void
put_header (GByteArray *b, guint32 type, guint16 misc, guint16 size)
{
  struct perf_event_header h = { type, misc, size };

  put (b, &h, sizeof h);
}

static void
make_attr (struct perf_event_attr *attr)
{
  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;
  attr->type = PERF_TYPE_SOFTWARE;
  attr->config = PERF_COUNT_SW_CPU_CLOCK;
  attr->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME;
  attr->sample_id_all = 1;
}

/* COMM, MMAP2 and samples (kernel records), one FINISHED_ROUND. */
static GByteArray *
kernel_records_n (guint n_samples)
{
  GByteArray *b = g_byte_array_new ();
  const guint64 pidtid = (guint64) PID << 32 | PID;

  put_header (b, PERF_RECORD_COMM, 0, 8 + 16 + 24);
  put64 (b, pidtid);
  put (b, "stream\0\0", 8);
  put64 (b, 7); put64 (b, pidtid); put64 (b, 10); /* IDENTIFIER, TID, TIME trailer */
  put_header (b, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER, 8 + 64 + 16 + 24);
  put64 (b, pidtid); put64 (b, 0x400000); put64 (b, 0x1000); put64 (b, 0);
  put64 (b, 0); put64 (b, 0); put64 (b, 0);
  put64 (b, (guint64) MAP_PRIVATE << 32 | (PROT_READ | PROT_EXEC));
  put (b, "/bin/stream-test", 16);
  put64 (b, 7); put64 (b, pidtid); put64 (b, 11);
  for (guint i = 0; i < n_samples; i++)
    {
      put_header (b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 8 + 32);
      put64 (b, 7); put64 (b, 0x400100 + i); put64 (b, pidtid); put64 (b, 100 + i);
    }
  put_header (b, SCORCH_PERF_RECORD_FINISHED_ROUND, 0, 8);
  return b;
}

static GByteArray *
kernel_records (void)
{
  return kernel_records_n (N_SAMPLES);
}

/* perf record -o -: a 16-byte header, then HEADER_ATTR, a HEADER_FEATURE
 * (HOSTNAME), an EVENT_UPDATE naming the event, a TRACING_DATA record with
 * its data after it, FINISHED_INIT, then the kernel records. */
static GByteArray *
pipe_capture (void)
{
  GByteArray *b = g_byte_array_new ();
  g_autoptr(GByteArray) k = kernel_records ();
  struct perf_event_attr attr;
  const guint32 len = 8;

  make_attr (&attr);
  put64 (b, SCORCH_PERF_MAGIC);
  put64 (b, 16);
  put_header (b, SCORCH_PERF_RECORD_HEADER_ATTR, 0, 8 + sizeof attr + 8);
  put (b, &attr, sizeof attr);
  put64 (b, 7);
  put_header (b, SCORCH_PERF_RECORD_HEADER_FEATURE, 0, 8 + 8 + 4 + 8 + 4);
  put64 (b, SCORCH_PERF_FEAT_HOSTNAME);
  put (b, &len, 4);
  put (b, "pipebox\0", 8);
  put (b, "\0\0\0\0", 4);
  /* CMDLINE twice (a stream may repeat a section): the last one counts */
  for (guint i = 0; i < 2; i++)
    {
      const guint32 one = 1, eight = 8;

      put_header (b, SCORCH_PERF_RECORD_HEADER_FEATURE, 0, 8 + 8 + 16);
      put64 (b, SCORCH_PERF_FEAT_CMDLINE);
      put (b, &one, 4);
      put (b, &eight, 4);
      put (b, i == 0 ? "first\0\0\0" : "second\0\0", 8);
    }
  put_header (b, SCORCH_PERF_RECORD_EVENT_UPDATE, 0, 8 + 16 + 16);
  put64 (b, 2); put64 (b, 7);
  put (b, "cpu-clock\0\0\0\0\0\0\0", 16);
  put_header (b, SCORCH_PERF_RECORD_HEADER_TRACING_DATA, 0, 16);
  put (b, "\x0c\0\0\0\0\0\0\0", 8);
  put (b, "tracingdata!\0\0\0\0", 16); /* 12 bytes, padded to 16, outside the record */
  put_header (b, SCORCH_PERF_RECORD_FINISHED_INIT, 0, 8);
  put (b, k->data, k->len);
  return b;
}

static void
check_capture (ScorchCaptureReader *reader,
               gboolean             pipe)
{
  g_autoptr(GError) error = NULL;
  ScorchRecord record;
  guint n_samples = 0, n_other = 0;
  guint64 last_time = 0;

  while (scorch_capture_reader_next (reader, &record, &error))
    {
      if (record.type == PERF_RECORD_SAMPLE)
        {
          ScorchSampleData s;

          g_assert_true (scorch_capture_attrs_parse_sample (scorch_capture_reader_get_attrs (reader), &record, &s, &error));
          g_assert_no_error (error);
          g_assert_cmpint (s.pid, ==, PID);
          g_assert_cmphex (s.ip, ==, 0x400100 + n_samples);
          g_assert_cmpuint (s.time, >=, last_time);
          last_time = s.time;
          n_samples++;
        }
      else
        {
          g_assert_cmpuint (record.type, <, 64); /* header records are not delivered */
          n_other++;
        }
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n_samples, ==, N_SAMPLES);
  g_assert_cmpuint (n_other, ==, 2);
  if (pipe)
    {
      g_assert_cmpstr (scorch_capture_reader_get_hostname (reader), ==, "pipebox");
      g_assert_cmpstr (scorch_capture_reader_get_cmdline (reader), ==, "second");
      g_assert_true (scorch_capture_reader_has_feature (reader, SCORCH_PERF_FEAT_HOSTNAME));
      g_assert_cmpstr (scorch_capture_attrs_get_attr (scorch_capture_reader_get_attrs (reader), 0)->name, ==, "cpu-clock");
    }
}

static void
test_pipe (void)
{
  g_autoptr(GByteArray) b = pipe_capture ();
  g_autoptr(GBytes) bytes = g_bytes_new (b->data, b->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  check_capture (reader, TRUE);
  g_assert_cmpuint (scorch_capture_reader_get_n_warnings (reader), ==, 0);
  scorch_capture_reader_rewind (reader);
  check_capture (reader, TRUE);
}

/* Every cut: an error that says what, or the records before the cut with
 * a warning when the cut is inside one. */
static void
test_pipe_cut (void)
{
  g_autoptr(GByteArray) b = pipe_capture ();

  for (gsize cut = 0; cut < b->len; cut++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (b->data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (bytes, &error);
      ScorchRecord record;

      if (reader == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == SCORCH_CAPTURE_ERROR);
          continue;
        }
      while (scorch_capture_reader_next (reader, &record, &error))
        ;
      g_assert_no_error (error);
    }
}

/* A plain file whose data section holds the kernel records as perf -z
 * writes them: COMPRESSED records of a zstd stream, cut at odd places. */
static GByteArray *
compressed_capture_n (gsize    chunk,
                      gboolean corrupt,
                      guint    n_samples)
{
  GByteArray *b = g_byte_array_new ();
  g_autoptr(GByteArray) k = kernel_records_n (n_samples);
  g_autoptr(GByteArray) data = g_byte_array_new ();
  ZSTD_CCtx *cctx = ZSTD_createCCtx ();
  struct perf_event_attr attr;
  ScorchPerfFileHeader h = { 0 };
  ScorchPerfFileSection ids, feature;
  guint64 id = 7;
  gsize off = 0;

  /* a synthesized record before the compressed ones, as perf writes */
  put_header (data, SCORCH_PERF_RECORD_FINISHED_ROUND, 0, 8);
  while (off < k->len)
    {
      gsize n = MIN (chunk, k->len - off);
      guint8 out[1 << 16];
      ZSTD_inBuffer in = { k->data + off, n, 0 };
      ZSTD_outBuffer o = { out, sizeof out, 0 };
      size_t r;

      do
        r = ZSTD_compressStream2 (cctx, &o, &in, ZSTD_e_flush);
      while (r != 0 && !ZSTD_isError (r));
      g_assert_false (ZSTD_isError (r));
      if (corrupt && off == 0 && o.pos > 12)
        out[0] ^= 0xff; /* the frame magic */
      put_header (data, SCORCH_PERF_RECORD_COMPRESSED, 0, 8 + o.pos); /* no padding: perf does not pad */
      put (data, out, o.pos);
      off += n;
    }
  ZSTD_freeCCtx (cctx);

  make_attr (&attr);
  h.magic = SCORCH_PERF_MAGIC;
  h.size = sizeof h;
  h.attr_size = sizeof attr + sizeof (ScorchPerfFileSection);
  h.attrs.offset = sizeof h + 8;
  h.attrs.size = h.attr_size;
  h.data.offset = h.attrs.offset + h.attrs.size;
  h.data.size = data->len;
  h.adds_features[0] = G_GUINT64_CONSTANT (1) << SCORCH_PERF_FEAT_COMPRESSED;
  ids.offset = sizeof h;
  ids.size = 8;
  put (b, &h, sizeof h);
  put64 (b, id);
  put (b, &attr, sizeof attr);
  put (b, &ids, sizeof ids);
  put (b, data->data, data->len);
  feature.offset = b->len + sizeof feature;
  feature.size = 20;
  put (b, &feature, sizeof feature);
  put (b, "\x01\0\0\0\x01\0\0\0\x01\0\0\0\x05\0\0\0\0\0\x08\0", 20); /* version, type zstd, level, ratio, mmap_len */
  return b;
}

static GByteArray *
compressed_capture (gsize    chunk,
                    gboolean corrupt)
{
  return compressed_capture_n (chunk, corrupt, N_SAMPLES);
}

static void
test_compressed (void)
{
  /* whole records per frame, and records cut between frames */
  static const gsize chunks[] = { 1 << 20, 40, 13, 1 };

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      g_autoptr(GByteArray) b = compressed_capture (chunks[i], FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new (b->data, b->len);
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (bytes, &error);

      g_assert_no_error (error);
      check_capture (reader, FALSE);
      g_assert_true (scorch_capture_reader_has_feature (reader, SCORCH_PERF_FEAT_COMPRESSED));
    }
}

/* Larger than the steps the stream is decompressed in (and than the
 * reader's page-release step): every record once, in order, also after a
 * rewind. */
static void
test_compressed_large (void)
{
  const guint n = 600000; /* 24 MB of samples */
  g_autoptr(GByteArray) b = compressed_capture_n (1 << 15, FALSE, n);
  g_autoptr(GBytes) bytes = g_bytes_new (b->data, b->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (b->len, <, 8 << 20);
  for (guint pass = 0; pass < 2; pass++)
    {
      ScorchRecord record;
      guint n_samples = 0;

      while (scorch_capture_reader_next (reader, &record, &error))
        if (record.type == PERF_RECORD_SAMPLE)
          {
            g_assert_cmpuint (record.time, ==, 100 + n_samples);
            n_samples++;
          }
      g_assert_no_error (error);
      g_assert_cmpuint (n_samples, ==, n);
      scorch_capture_reader_rewind (reader);
    }
}

static void
test_compressed_damaged (void)
{
  g_autoptr(GByteArray) b = compressed_capture (64, TRUE);
  g_autoptr(GBytes) bytes = g_bytes_new (b->data, b->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (bytes, &error);
  ScorchRecord damaged;

  /* records are decompressed as they are read: the error comes then */
  g_assert_no_error (error);
  while (scorch_capture_reader_next (reader, &damaged, &error))
    ;
  g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "decompress"));

  /* Without the COMPRESSED feature bit: a clear error at the record */
  {
    g_autoptr(GByteArray) plain = compressed_capture (1 << 20, FALSE);
    ScorchPerfFileHeader *h = (ScorchPerfFileHeader *) (gpointer) plain->data;
    g_autoptr(GBytes) pb = NULL;
    g_autoptr(ScorchCaptureReader) r = NULL;
    g_autoptr(GError) e = NULL;
    ScorchRecord record;

    h->adds_features[0] = 0;
    pb = g_bytes_new (plain->data, plain->len);
    r = scorch_capture_reader_new_from_bytes (pb, &e);
    if (r != NULL)
      while (scorch_capture_reader_next (r, &record, &e))
        ;
    g_assert_error (e, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
  }

  /* Every cut of the compressed stream: never a crash */
  {
    g_autoptr(GByteArray) good = compressed_capture (13, FALSE);
    ScorchPerfFileHeader *h = (ScorchPerfFileHeader *) (gpointer) good->data;
    guint64 data_end = h->data.offset + h->data.size;

    for (guint64 cut = h->data.offset; cut < data_end; cut++)
      {
        g_autofree guint8 *copy = g_memdup2 (good->data, cut);
        g_autoptr(GBytes) cb = NULL;
        g_autoptr(ScorchCaptureReader) r = NULL;
        g_autoptr(GError) e = NULL;
        ScorchRecord record;

        ((ScorchPerfFileHeader *) (gpointer) copy)->data.size = cut - h->data.offset;
        cb = g_bytes_new_take (g_steal_pointer (&copy), cut);
        r = scorch_capture_reader_new_from_bytes (cb, &e);
        if (r == NULL)
          {
            g_assert_nonnull (e);
            continue;
          }
        while (scorch_capture_reader_next (r, &record, &e))
          ;
        if (e != NULL)
          g_assert_true (e->domain == SCORCH_CAPTURE_ERROR);
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/capture-streams/pipe", test_pipe);
  g_test_add_func ("/libscorch/capture-streams/pipe-cut", test_pipe_cut);
  g_test_add_func ("/libscorch/capture-streams/compressed", test_compressed);
  g_test_add_func ("/libscorch/capture-streams/compressed-large", test_compressed_large);
  g_test_add_func ("/libscorch/capture-streams/compressed-damaged", test_compressed_damaged);

  return g_test_run ();
}
