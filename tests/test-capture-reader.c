/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-capture-reader.c: ScorchCaptureReader on hand-built perf.data files
 * (valid and malformed) and on truncated real captures. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "scorch-analyzer.h"
#include "scorch-capture-reader.h"

/* ------------------------------------------------------------------ */
/* A tiny perf.data writer for tests                                   */

typedef struct
{
  GByteArray *data;    /* records */
  GArray     *attrs;   /* struct perf_event_attr */
  GPtrArray  *ids;     /* GArray of guint64 per attr */
  GPtrArray  *features; /* GByteArray per feature bit (NULL: absent) */
} FileBuilder;

static void
byte_array_unref0 (gpointer p)
{
  if (p != NULL)
    g_byte_array_unref (p);
}

static FileBuilder *
fb_new (void)
{
  FileBuilder *fb = g_new0 (FileBuilder, 1);

  fb->data = g_byte_array_new ();
  fb->attrs = g_array_new (FALSE, TRUE, sizeof (struct perf_event_attr));
  fb->ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  fb->features = g_ptr_array_new_full (32, byte_array_unref0);
  g_ptr_array_set_size (fb->features, 32);
  return fb;
}

static void
fb_free (FileBuilder *fb)
{
  g_byte_array_unref (fb->data);
  g_array_unref (fb->attrs);
  g_ptr_array_unref (fb->ids);
  g_ptr_array_unref (fb->features);
  g_free (fb);
}

static void
fb_add_attr (FileBuilder *fb,
             guint64      sample_type,
             guint64      config,
             guint64      id)
{
  struct perf_event_attr attr = { 0 };
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint64));

  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = config;
  attr.size = sizeof attr;
  attr.sample_type = sample_type;
  attr.sample_id_all = 1;
  attr.sample_freq = 999;
  attr.freq = 1;
  g_array_append_val (fb->attrs, attr);
  g_array_append_val (ids, id);
  g_ptr_array_add (fb->ids, ids);
}

static void
put (GByteArray *b,
     const void *p,
     gsize       n)
{
  g_byte_array_append (b, p, n);
}

static void
put64 (GByteArray *b,
       guint64     v)
{
  put (b, &v, 8);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  put (b, &v, 4);
}

static void
pad8 (GByteArray *b)
{
  static const guint8 zero[8];

  if (b->len % 8)
    put (b, zero, 8 - b->len % 8);
}

/* The sample_id trailer for sample_type TID|TIME|IDENTIFIER(optional) */
static void
put_trailer (GByteArray *b,
             guint64     sample_type,
             gint32      pid,
             gint32      tid,
             guint64     time,
             guint64     id)
{
  if (sample_type & PERF_SAMPLE_TID)
    {
      put32 (b, pid);
      put32 (b, tid);
    }
  if (sample_type & PERF_SAMPLE_TIME)
    put64 (b, time);
  if (sample_type & PERF_SAMPLE_IDENTIFIER)
    put64 (b, id);
}

static void
fb_record (FileBuilder *fb,
           guint32      type,
           guint16      misc,
           GByteArray  *body)
{
  struct perf_event_header h = { type, misc, (guint16) (sizeof h + body->len) };

  put (fb->data, &h, sizeof h);
  put (fb->data, body->data, body->len);
  g_byte_array_unref (body);
}

static void
fb_comm (FileBuilder *fb,
         guint64      st,
         gint32       pid,
         gint32       tid,
         const char  *comm,
         gboolean     exec,
         guint64      time,
         guint64      id)
{
  GByteArray *b = g_byte_array_new ();

  put32 (b, pid);
  put32 (b, tid);
  put (b, comm, strlen (comm) + 1);
  pad8 (b);
  put_trailer (b, st, pid, tid, time, id);
  fb_record (fb, PERF_RECORD_COMM, exec ? (1 << 13) : 0, b);
}

static void
fb_mmap2 (FileBuilder *fb,
          guint64      st,
          gint32       pid,
          guint64      start,
          guint64      len,
          guint64      pgoff,
          const char  *path,
          guint64      time,
          guint64      id)
{
  GByteArray *b = g_byte_array_new ();

  put32 (b, pid);
  put32 (b, pid);
  put64 (b, start);
  put64 (b, len);
  put64 (b, pgoff);
  put32 (b, 8);   /* maj */
  put32 (b, 1);   /* min */
  put64 (b, 1234); /* ino */
  put64 (b, 0);
  put32 (b, 5);   /* PROT_READ | PROT_EXEC */
  put32 (b, 2);
  put (b, path, strlen (path) + 1);
  pad8 (b);
  put_trailer (b, st, pid, pid, time, id);
  fb_record (fb, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER, b);
}

static void
fb_sample (FileBuilder   *fb,
           guint64        st,
           gint32         pid,
           gint32         tid,
           guint64        time,
           guint64        id,
           const guint64 *chain,
           guint          n_chain)
{
  GByteArray *b = g_byte_array_new ();

  if (st & PERF_SAMPLE_IDENTIFIER)
    put64 (b, id);
  if (st & PERF_SAMPLE_IP)
    put64 (b, n_chain > 1 ? chain[1] : 0);
  if (st & PERF_SAMPLE_TID)
    {
      put32 (b, pid);
      put32 (b, tid);
    }
  if (st & PERF_SAMPLE_TIME)
    put64 (b, time);
  if (st & PERF_SAMPLE_PERIOD)
    put64 (b, 1000);
  if (st & PERF_SAMPLE_CALLCHAIN)
    {
      put64 (b, n_chain);
      for (guint i = 0; i < n_chain; i++)
        put64 (b, chain[i]);
    }
  fb_record (fb, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, b);
}

static void
fb_round (FileBuilder *fb)
{
  fb_record (fb, SCORCH_PERF_RECORD_FINISHED_ROUND, 0, g_byte_array_new ());
}

static void
fb_feature_string (FileBuilder *fb,
                   guint        bit,
                   const char  *s)
{
  GByteArray *b = g_byte_array_new ();
  guint32 len = (strlen (s) + 1 + 7) & ~7u;
  g_autofree char *padded = g_malloc0 (len);

  memcpy (padded, s, strlen (s));
  put32 (b, len);
  put (b, padded, len);
  g_ptr_array_index (fb->features, bit) = b;
}

static GBytes *
fb_build (FileBuilder *fb)
{
  GByteArray *out = g_byte_array_new ();
  ScorchPerfFileHeader h = { 0 };
  guint64 attr_size = sizeof (struct perf_event_attr) + sizeof (ScorchPerfFileSection);
  guint64 ids_offset, n_features = 0;
  GByteArray *feat_data = g_byte_array_new ();
  GArray *sections = g_array_new (FALSE, FALSE, sizeof (ScorchPerfFileSection));

  h.magic = SCORCH_PERF_MAGIC;
  h.size = sizeof h;
  h.attr_size = attr_size;
  put (out, &h, sizeof h);

  /* ids first, then the attrs */
  ids_offset = out->len;
  for (guint i = 0; i < fb->ids->len; i++)
    {
      GArray *ids = g_ptr_array_index (fb->ids, i);
      put (out, ids->data, ids->len * 8);
    }
  h.attrs.offset = out->len;
  h.attrs.size = attr_size * fb->attrs->len;
  {
    guint64 off = ids_offset;

    for (guint i = 0; i < fb->attrs->len; i++)
      {
        GArray *ids = g_ptr_array_index (fb->ids, i);
        ScorchPerfFileSection s = { off, ids->len * 8 };

        put (out, &g_array_index (fb->attrs, struct perf_event_attr, i), sizeof (struct perf_event_attr));
        put (out, &s, sizeof s);
        off += ids->len * 8;
      }
  }
  pad8 (out);
  h.data.offset = out->len;
  h.data.size = fb->data->len;
  put (out, fb->data->data, fb->data->len);

  for (guint bit = 0; bit < fb->features->len; bit++)
    if (g_ptr_array_index (fb->features, bit) != NULL)
      {
        h.adds_features[0] |= 1ull << bit;
        n_features++;
      }
  {
    guint64 payload = out->len + n_features * sizeof (ScorchPerfFileSection);

    for (guint bit = 0; bit < fb->features->len; bit++)
      {
        GByteArray *f = g_ptr_array_index (fb->features, bit);

        if (f == NULL)
          continue;
        {
          ScorchPerfFileSection s = { payload + feat_data->len, f->len };
          g_array_append_val (sections, s);
          put (feat_data, f->data, f->len);
        }
      }
    put (out, sections->data, sections->len * sizeof (ScorchPerfFileSection));
    put (out, feat_data->data, feat_data->len);
  }
  memcpy (out->data, &h, sizeof h);

  g_array_unref (sections);
  g_byte_array_unref (feat_data);
  return g_byte_array_free_to_bytes (out);
}

/* ------------------------------------------------------------------ */

#define ST_BASIC (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

static GBytes *
build_basic (void)
{
  FileBuilder *fb = fb_new ();
  guint64 chain[] = { (guint64) PERF_CONTEXT_USER, 0x401010, 0x401110, 0x401210 };
  GBytes *bytes;

  fb_add_attr (fb, ST_BASIC, PERF_COUNT_SW_CPU_CLOCK, 42);
  fb_comm (fb, ST_BASIC, 100, 100, "basic", TRUE, 0, 0);
  fb_mmap2 (fb, ST_BASIC, 100, 0x400000, 0x10000, 0, "/nonexistent/basic", 10, 0);
  /* out of order inside the window FINISHED_ROUND bounds */
  fb_sample (fb, ST_BASIC, 100, 100, 300, 0, chain, G_N_ELEMENTS (chain));
  fb_sample (fb, ST_BASIC, 100, 101, 200, 0, chain, G_N_ELEMENTS (chain));
  fb_round (fb);
  fb_sample (fb, ST_BASIC, 100, 100, 250, 0, chain, G_N_ELEMENTS (chain));
  fb_sample (fb, ST_BASIC, 100, 100, 400, 0, chain, G_N_ELEMENTS (chain));
  fb_round (fb);
  fb_sample (fb, ST_BASIC, 100, 100, 350, 0, chain, 2);
  fb_feature_string (fb, SCORCH_PERF_FEAT_HOSTNAME, "testhost");
  fb_feature_string (fb, SCORCH_PERF_FEAT_OSRELEASE, "6.1.0-test");
  {
    GByteArray *b = g_byte_array_new ();
    put32 (b, 4);
    put32 (b, 2);
    g_ptr_array_index (fb->features, SCORCH_PERF_FEAT_NRCPUS) = b;
  }
  {
    GByteArray *b = g_byte_array_new ();
    put32 (b, 2);
    put32 (b, 8);
    put (b, "perf\0\0\0\0", 8);
    put32 (b, 8);
    put (b, "record\0\0", 8);
    g_ptr_array_index (fb->features, SCORCH_PERF_FEAT_CMDLINE) = b;
  }
  bytes = fb_build (fb);
  fb_free (fb);
  return bytes;
}

static void
test_basic (void)
{
  g_autoptr(GBytes) bytes = build_basic ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (bytes, &error);
  ScorchRecord rec;
  guint64 times[16];
  guint32 types[16];
  guint n = 0;

  g_assert_no_error (error);
  g_assert_nonnull (reader);
  g_assert_cmpstr (scorch_capture_reader_get_hostname (reader), ==, "testhost");
  g_assert_cmpstr (scorch_capture_reader_get_osrelease (reader), ==, "6.1.0-test");
  g_assert_cmpstr (scorch_capture_reader_get_cmdline (reader), ==, "perf record");
  g_assert_cmpuint (scorch_capture_reader_get_nr_cpus_avail (reader), ==, 4);
  g_assert_cmpuint (scorch_capture_reader_get_nr_cpus_online (reader), ==, 2);
  g_assert_cmpuint (scorch_capture_attrs_get_n_attrs (scorch_capture_reader_get_attrs (reader)), ==, 1);

  while (scorch_capture_reader_next (reader, &rec, &error))
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (times));
      times[n] = rec.time;
      types[n] = rec.type;
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 7);
  /* COMM (time 0) at once; then sorted: mmap 10, 200, 250, 300, 350, 400 */
  g_assert_cmpuint (types[0], ==, PERF_RECORD_COMM);
  g_assert_cmpuint (types[1], ==, PERF_RECORD_MMAP2);
  for (guint i = 2; i < n; i++)
    {
      g_assert_cmpuint (types[i], ==, PERF_RECORD_SAMPLE);
      g_assert_cmpuint (times[i], >, times[i - 1]);
    }

  /* And through the analyzer */
  {
    g_autoptr(ScorchAnalyzer) analyzer = scorch_analyzer_new (scorch_capture_reader_get_attrs (reader));
    g_autoptr(ScorchProfile) profile = NULL;
    const ScorchThread *threads;
    guint n_threads;

    scorch_capture_reader_rewind (reader);
    g_assert_true (scorch_analyzer_load_reader (analyzer, reader, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    profile = scorch_analyzer_finish (analyzer);
    g_assert_cmpuint (scorch_profile_get_n_all_samples (profile), ==, 5);
    threads = scorch_profile_get_threads (profile, &n_threads);
    g_assert_cmpuint (n_threads, >=, 1);
    g_assert_cmpstr (scorch_profile_get_process_name (profile, 100), ==, "basic");
    (void) threads;
  }
}

/* Resident KiB of the mapping that holds P (/proc/self/smaps): the
 * pages of it that have page table entries. */
static guint64
mapping_rss_kib (gconstpointer p)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean here = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end, kib;

      if (g_ascii_isxdigit (lines[i][0]) &&
          sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x", &start, &end) == 2)
        here = (guintptr) p >= start && (guintptr) p < end;
      else if (here && sscanf (lines[i], "Rss: %" G_GINT64_MODIFIER "u kB", &kib) == 1)
        return kib;
    }
  g_assert_not_reached ();
  return 0;
}

/* A capture file is mapped, and its records are read once in order: the
 * reader maps the pages ahead in large steps (MADV_POPULATE_READ), so
 * that the reading thread does not take a page fault per 16 pages (the
 * kernel's fault-around), ~900 on a 57 MB capture. Once the first record
 * is read, megabytes after it are mapped already. */
static void
test_map_ahead (void)
{
  FileBuilder *fb = fb_new ();
  guint64 chain[32] = { (guint64) PERF_CONTEXT_USER, };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-map-ahead-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "perf.data", NULL);
  ScorchRecord rec;
  guint64 n = 1, rss;

  for (guint i = 1; i < G_N_ELEMENTS (chain); i++)
    chain[i] = 0x401010 + 0x100 * i;
  fb_add_attr (fb, ST_BASIC, PERF_COUNT_SW_CPU_CLOCK, 42);
  fb_comm (fb, ST_BASIC, 100, 100, "many", TRUE, 0, 0);
  /* ~24 MB of samples, in rounds as perf writes them */
  for (guint i = 0; i < 80000; i++)
    {
      fb_sample (fb, ST_BASIC, 100, 100, 100 + i, 0, chain, G_N_ELEMENTS (chain));
      if (i % 1000 == 999)
        fb_round (fb);
    }
  bytes = fb_build (fb);
  fb_free (fb);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL));

  reader = scorch_capture_reader_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (scorch_capture_reader_next (reader, &rec, &error));
  rss = mapping_rss_kib (rec.data);
  g_test_message ("%" G_GUINT64_FORMAT " KiB of the capture mapped after its first record", rss);
  /* fault-around alone: tens of KiB; large page-cache folios: their size */
  g_assert_cmpuint (rss, >=, 4096);
  /* and every record is still read */
  while (scorch_capture_reader_next (reader, &rec, &error))
    n++;
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 80000 + 1);  /* the rounds are not records to the reader's caller */

  g_clear_pointer (&reader, scorch_capture_reader_free);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_identifier (void)
{
  const guint64 st = ST_BASIC | PERF_SAMPLE_IDENTIFIER;
  FileBuilder *fb = fb_new ();
  guint64 chain[] = { (guint64) PERF_CONTEXT_USER, 0x401010 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  ScorchRecord rec;
  guint n_a = 0, n_b = 0;

  fb_add_attr (fb, st, PERF_COUNT_SW_CPU_CLOCK, 7);
  fb_add_attr (fb, st, PERF_COUNT_SW_TASK_CLOCK, 9);
  fb_comm (fb, st, 5, 5, "ids", FALSE, 1, 9);
  fb_sample (fb, st, 5, 5, 10, 7, chain, 2);
  fb_sample (fb, st, 5, 5, 11, 9, chain, 2);
  fb_sample (fb, st, 5, 5, 12, 9, chain, 2);
  bytes = fb_build (fb);
  fb_free (fb);

  reader = scorch_capture_reader_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  while (scorch_capture_reader_next (reader, &rec, &error))
    {
      g_assert_nonnull (rec.attr);
      if (rec.attr->attr.config == PERF_COUNT_SW_CPU_CLOCK)
        n_a++;
      else
        n_b++;
      if (rec.type == PERF_RECORD_COMM)
        {
          g_assert_cmpuint (rec.attr->attr.config, ==, PERF_COUNT_SW_TASK_CLOCK);
          g_assert_cmpint (rec.pid, ==, 5);
          g_assert_cmpuint (rec.time, ==, 1);
        }
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n_a, ==, 1);
  g_assert_cmpuint (n_b, ==, 3);
}

/* Loads bytes through reader and analyzer; returns the error, if any,
 * else the profile in profile_out (when not NULL). */
static GError *
load_bytes_full (GBytes         *bytes,
                 ScorchProfile **profile_out)
{
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(ScorchAnalyzer) analyzer = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  GError *error = NULL;

  reader = scorch_capture_reader_new_from_bytes (bytes, &error);
  if (reader == NULL)
    return error;
  analyzer = scorch_analyzer_new (scorch_capture_reader_get_attrs (reader));
  if (!scorch_analyzer_load_reader (analyzer, reader, NULL, NULL, NULL, &error))
    return error;
  profile = scorch_analyzer_finish (analyzer);
  g_assert_nonnull (profile);
  if (profile_out != NULL)
    *profile_out = g_steal_pointer (&profile);
  return NULL;
}

static GError *
load_bytes (GBytes *bytes)
{
  return load_bytes_full (bytes, NULL);
}

/* The one warning of the profile's info that holds fragment, or NULL. */
static const char *
find_warning (ScorchProfile *profile,
              const char    *fragment)
{
  const ScorchProfileInfo *info = scorch_profile_get_info (profile);

  for (guint i = 0; info->warnings != NULL && i < info->warnings->len; i++)
    if (strstr (g_ptr_array_index (info->warnings, i), fragment) != NULL)
      return g_ptr_array_index (info->warnings, i);
  return NULL;
}

/* Loads with a warning holding fragment, and n_samples samples. */
static void
expect_warning (GBytes     *bytes,
                guint64     n_samples,
                const char *fragment)
{
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GError) error = load_bytes_full (bytes, &profile);
  const char *w;

  g_assert_no_error (error);
  w = find_warning (profile, fragment);
  if (w == NULL)
    g_error ("no warning with “%s”", fragment);
  g_test_message ("warning: %s", w);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (profile), ==, n_samples);
}

static GBytes *
patched (GBytes *orig,
         gsize   offset,
         const void *value,
         gsize   n)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (orig, &len);
  guint8 *copy = g_memdup2 (d, len);

  g_assert_cmpuint (offset + n, <=, len);
  memcpy (copy + offset, value, n);
  return g_bytes_new_take (copy, len);
}

static void
expect_error (GBytes     *bytes,
              int         code,
              const char *fragment)
{
  g_autoptr(GError) error = load_bytes (bytes);

  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_error (error, SCORCH_CAPTURE_ERROR, code);
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_malformed (void)
{
  g_autoptr(GBytes) good = build_basic ();
  gsize len;
  const guint8 *d = g_bytes_get_data (good, &len);
  ScorchPerfFileHeader h;
  guint64 v;

  memcpy (&h, d, sizeof h);
  g_assert_null (load_bytes (good));

  {
    g_autoptr(GBytes) b = patched (good, 0, "NOTPERF!", 8);
    expect_error (b, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA, NULL);
  }
  {
    guint64 swapped = SCORCH_PERF_MAGIC_SWAPPED;
    g_autoptr(GBytes) b = patched (good, 0, &swapped, 8);
    expect_error (b, SCORCH_CAPTURE_ERROR_UNSUPPORTED, "byte order");
  }
  {
    /* header size 16 means pipe mode (read since pipe mode is supported):
     * what follows is no record stream, and the error says it was read as one */
    guint64 sixteen = 16;
    g_autoptr(GBytes) b = patched (good, 8, &sixteen, 8);
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "pipe mode");
  }
  {
    v = 7;
    g_autoptr(GBytes) b = patched (good, 16, &v, 8);   /* attr_size */
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "offset 16");
  }
  {
    v = len * 2;
    g_autoptr(GBytes) b = patched (good, 48, &v, 8);   /* data.size */
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "offset 40");
  }
  {
    v = G_MAXUINT64 - 8;
    g_autoptr(GBytes) b = patched (good, 24, &v, 8);   /* attrs.offset overflow */
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, NULL);
  }
  {
    /* first record (COMM) with size 0: must not loop */
    guint16 zero = 0;
    g_autoptr(GBytes) b = patched (good, h.data.offset + 6, &zero, 2);
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "smaller than its header");
  }
  {
    guint16 odd = 12;
    g_autoptr(GBytes) b = patched (good, h.data.offset + 6, &odd, 2);
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "multiple of 8");
  }
  {
    guint16 big = 0xfff8;
    g_autoptr(GBytes) b = patched (good, h.data.offset + 6, &big, 2);
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "past the end");
  }
  {
    /* a huge callchain count in the first sample */
    const guint8 *p = d + h.data.offset;
    gsize off = h.data.offset;
    struct perf_event_header eh;

    for (;;)
      {
        memcpy (&eh, p, sizeof eh);
        if (eh.type == PERF_RECORD_SAMPLE)
          break;
        p += eh.size;
        off += eh.size;
      }
    v = G_MAXUINT64 / 2;
    /* ip, tid, time, period, then nr */
    g_autoptr(GBytes) b = patched (good, off + 8 + 32, &v, 8);
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "callchain");
  }
  {
    /* a feature section pointing outside the file: only it is dropped */
    guint64 table = h.data.offset + h.data.size;
    ScorchPerfFileSection s = { len - 4, 4096 };
    g_autoptr(GBytes) b = patched (good, table, &s, sizeof s);
    expect_warning (b, 5, "HOSTNAME header section");
  }
  {
    /* a string feature whose length runs past its section: dropped too */
    guint64 table = h.data.offset + h.data.size;
    ScorchPerfFileSection s;
    guint32 huge = 0x7fffffff;

    memcpy (&s, d + table, sizeof s);
    g_autoptr(GBytes) b = patched (good, s.offset, &huge, 4);
    expect_warning (b, 5, "HOSTNAME header section");
  }
  {
    /* data.offset moved back by a record: the feature table it locates is
     * garbage; the error names data.offset, not a feature section */
    v = h.data.offset - 8;
    g_autoptr(GBytes) b = patched (good, 40, &v, 8);
    expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "data.offset");
  }
  {
    /* data.offset into the header, past the end, unaligned */
    guint64 bad[] = { 64, len + 64, h.data.offset + 4 };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GBytes) b = patched (good, 40, &bad[i], 8);
        expect_error (b, SCORCH_CAPTURE_ERROR_MALFORMED, "data.offset");
      }
  }
  {
    /* the table as the probe's corrupt data.offset found it: an entry
     * at 2^64 - 128 */
    guint64 table = h.data.offset + h.data.size;
    ScorchPerfFileSection s = { G_MAXUINT64 - 127, 64 };
    g_autoptr(GBytes) b = patched (good, table, &s, sizeof s);
    g_autoptr(GError) error = load_bytes (b);

    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "data.offset"));
    g_assert_null (strstr (error->message, "Feature section"));
  }
  {
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    expect_error (empty, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA, NULL);
  }
}

/* A capture missing only its last byte: perf report loads it; so do we,
 * without the one damaged feature section (CMDLINE, the last). */
static void
test_last_byte (void)
{
  g_autoptr(GBytes) good = build_basic ();
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (good, 0, g_bytes_get_size (good) - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (cut, &error);
  const char *w;

  g_assert_no_error (error);
  g_assert_cmpstr (scorch_capture_reader_get_hostname (reader), ==, "testhost");
  g_assert_cmpstr (scorch_capture_reader_get_osrelease (reader), ==, "6.1.0-test");
  g_assert_cmpuint (scorch_capture_reader_get_nr_cpus_avail (reader), ==, 4);
  g_assert_null (scorch_capture_reader_get_cmdline (reader));
  g_assert_true (scorch_capture_reader_has_feature (reader, SCORCH_PERF_FEAT_HOSTNAME));
  g_assert_false (scorch_capture_reader_has_feature (reader, SCORCH_PERF_FEAT_CMDLINE));
  g_assert_cmpuint (scorch_capture_reader_get_n_warnings (reader), ==, 1);
  w = scorch_capture_reader_get_warning (reader, 0);
  g_assert_nonnull (strstr (w, "CMDLINE"));
  g_assert_null (strstr (w, "HOSTNAME"));

  expect_warning (cut, 5, "CMDLINE header section");
}

/* Samples whose id belongs to no event are dropped and counted, not
 * given to the first event. */
static void
test_unknown_id (void)
{
  const guint64 st = ST_BASIC | PERF_SAMPLE_IDENTIFIER;
  FileBuilder *fb = fb_new ();
  guint64 chain[] = { (guint64) PERF_CONTEXT_USER, 0x401010 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  const char *w;

  fb_add_attr (fb, st, PERF_COUNT_SW_CPU_CLOCK, 7);
  fb_add_attr (fb, st, PERF_COUNT_SW_DUMMY, 9);
  fb_comm (fb, st, 5, 5, "ids", FALSE, 1, 9);
  for (guint i = 0; i < 4; i++)
    fb_sample (fb, st, 5, 5, 10 + i, 7, chain, 2);
  for (guint i = 0; i < 3; i++)
    fb_sample (fb, st, 5, 5, 20 + i, 1000 + i, chain, 2);
  bytes = fb_build (fb);
  fb_free (fb);

  error = load_bytes_full (bytes, &profile);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (profile), ==, 4);
  w = find_warning (profile, "dropped");
  g_assert_nonnull (w);
  g_assert_nonnull (strstr (w, "3 samples"));
}

/* perf record killed: data.size 0, records to the end of the file, the
 * last one cut, feature bits set but no table. */
static void
test_unfinished (void)
{
  FileBuilder *fb = fb_new ();
  guint64 chain[] = { (guint64) PERF_CONTEXT_USER, 0x401010, 0x401110 };
  g_autoptr(GBytes) whole = NULL;
  ScorchPerfFileHeader h;
  gsize len;
  guint8 *copy;
  guint n_records = 0;

  fb_add_attr (fb, ST_BASIC, PERF_COUNT_SW_CPU_CLOCK, 42);
  fb_comm (fb, ST_BASIC, 100, 100, "killed", TRUE, 0, 0);
  for (guint i = 0; i < 6; i++)
    fb_sample (fb, ST_BASIC, 100, 100, 100 + i, 0, chain, G_N_ELEMENTS (chain));
  whole = fb_build (fb);
  fb_free (fb);

  len = g_bytes_get_size (whole);
  copy = g_memdup2 (g_bytes_get_data (whole, NULL), len);
  memcpy (&h, copy, sizeof h);
  /* as perf leaves it: the last sample half written */
  len = h.data.offset + h.data.size - 20;
  h.data.size = 0;
  h.adds_features[0] = (1u << SCORCH_PERF_FEAT_HOSTNAME) | (1u << SCORCH_PERF_FEAT_CMDLINE);
  memcpy (copy, &h, sizeof h);

  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (copy, len);
    g_autoptr(GError) error = NULL;
    g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new_from_bytes (bytes, &error);
    ScorchRecord rec;
    g_autofree char *expected = NULL;

    g_assert_no_error (error);
    g_assert_true (scorch_capture_reader_is_unfinished (reader));
    g_assert_false (scorch_capture_reader_has_feature (reader, SCORCH_PERF_FEAT_HOSTNAME));
    while (scorch_capture_reader_next (reader, &rec, &error))
      n_records++;
    g_assert_no_error (error);
    g_assert_cmpuint (n_records, ==, 1 + 5);
    g_assert_cmpuint (scorch_capture_reader_get_n_warnings (reader), ==, 1);
    expected = g_strdup_printf ("not finished (perf record was killed?): %u records read", n_records);
    g_assert_cmpstr (strstr (scorch_capture_reader_get_warning (reader, 0), "not finished"), ==, expected);

    expect_warning (bytes, 5, "6 records read");
  }

  /* a finished capture without records is not taken for an unfinished one */
  {
    FileBuilder *fb2 = fb_new ();
    g_autoptr(GBytes) empty = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ScorchCaptureReader) reader = NULL;

    fb_add_attr (fb2, ST_BASIC, PERF_COUNT_SW_CPU_CLOCK, 42);
    fb_feature_string (fb2, SCORCH_PERF_FEAT_HOSTNAME, "emptyhost");
    empty = fb_build (fb2);
    fb_free (fb2);
    reader = scorch_capture_reader_new_from_bytes (empty, &error);
    g_assert_no_error (error);
    g_assert_false (scorch_capture_reader_is_unfinished (reader));
    g_assert_cmpstr (scorch_capture_reader_get_hostname (reader), ==, "emptyhost");
    g_assert_cmpuint (scorch_capture_reader_get_n_warnings (reader), ==, 0);
  }
}

static char *
corpus_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "corpus", name, NULL);
}

/* Cut a real capture at every offset of its first 4 KiB and at sampled
 * offsets after: each must load with a clean error, never a crash. */
static void
test_truncation (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = corpus_path (name);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  guint n_errors = 0, n_cuts = 0;
  ScorchPerfFileHeader h;
  guint64 data_end, n_all;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);

  {
    g_autoptr(GBytes) all = g_bytes_new_static (contents, len);
    g_autoptr(ScorchProfile) profile = NULL;
    g_autoptr(GError) e = load_bytes_full (all, &profile);
    g_assert_no_error (e);
    g_assert_null (scorch_profile_get_info (profile)->warnings);
    n_all = scorch_profile_get_n_all_samples (profile);
  }

  memcpy (&h, contents, sizeof h);
  data_end = h.data.offset + h.data.size;
  g_assert_cmpuint (data_end, <, len);

  /* Cuts in the records are errors; cuts after them only damage the
   * optional feature sections: the capture loads, with a warning. */
  for (gsize cut = 0; cut < len;
       cut += (cut < MIN (data_end, 4096) || (cut + 8 >= data_end && cut < data_end + 8) || cut + 8 >= len ? 1 :
               97))
    {
      g_autoptr(GBytes) bytes = g_bytes_new (contents, cut);
      g_autoptr(ScorchProfile) profile = NULL;
      g_autoptr(GError) e = load_bytes_full (bytes, &profile);

      n_cuts++;
      if (e != NULL)
        {
          n_errors++;
          g_assert_true (e->domain == SCORCH_CAPTURE_ERROR);
          if (cut >= data_end)
            g_error ("%s cut at %" G_GSIZE_FORMAT " (after the records, at %" G_GUINT64_FORMAT "): %s",
                     name, cut, data_end, e->message);
        }
      else if (cut < data_end)
        g_error ("%s cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes loaded without an error", name, cut, len);
      else
        {
          g_assert_nonnull (find_warning (profile, "header section"));
          g_assert_cmpuint (scorch_profile_get_n_all_samples (profile), ==, n_all);
        }
    }
  g_test_message ("%s: %u cuts, %u errors", name, n_cuts, n_errors);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/capture-reader/basic", test_basic);
  g_test_add_func ("/libscorch/capture-reader/map-ahead", test_map_ahead);
  g_test_add_func ("/libscorch/capture-reader/identifier", test_identifier);
  g_test_add_func ("/libscorch/capture-reader/malformed", test_malformed);
  g_test_add_func ("/libscorch/capture-reader/last-byte", test_last_byte);
  g_test_add_func ("/libscorch/capture-reader/unknown-id", test_unknown_id);
  g_test_add_func ("/libscorch/capture-reader/unfinished", test_unfinished);
  g_test_add_data_func ("/libscorch/capture-reader/truncation/fp", "fp-small.data", test_truncation);
  g_test_add_data_func ("/libscorch/capture-reader/truncation/dwarf", "dwarf-small.data", test_truncation);
  g_test_add_data_func ("/libscorch/capture-reader/truncation/two-events", "two-events.data", test_truncation);

  return g_test_run ();
}
