/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-stack-memo.c: the parallel load path keeps the stacks it committed
 * and adds a repeat of one at the node found the first time. The same raw
 * addresses must still go to the new module after a process maps another
 * file over the same range, and after it execs: the report of the
 * parallel path is the serial path's (SCORCH_LOAD_THREADS=1, no memo),
 * and every phase's samples are in its own module. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>

#include "scorch-addr-samples.h"
#include "scorch-folded.h"
#include "scorch-loader.h"
#include "scorch-perf-writer.h"

#include "load-variants-util.h"
#include "record-test-util.h"

#define ID_CPU     11
#define PID        900
#define N_PER      300
#define TEXT_START G_GUINT64_CONSTANT (0x400000)
#define TEXT_LEN   G_GUINT64_CONSTANT (0x10000)

#define SAMPLE_TYPE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
                     PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

/* the sample_id of the other records: tid, time, identifier */
static void
put_sample_id (GByteArray *b,
               guint64     time)
{
  test_rec_put64 (b, test_rec_pid_tid (PID, PID));
  test_rec_put64 (b, time);
  test_rec_put64 (b, ID_CPU);
}

static void
comm (GByteArray *b,
      guint64     time,
      const char *name,
      gboolean    exec)
{
  gsize at = test_rec_begin (b, PERF_RECORD_COMM, exec ? PERF_RECORD_MISC_COMM_EXEC : 0);

  test_rec_put32 (b, PID);
  test_rec_put32 (b, PID);
  test_rec_put_string (b, name);
  put_sample_id (b, time);
  test_rec_end (b, at);
}

static void
mmap2 (GByteArray *b,
       guint64     time,
       const char *path)
{
  gsize at = test_rec_begin (b, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);

  test_rec_put32 (b, PID);
  test_rec_put32 (b, PID);
  test_rec_put64 (b, TEXT_START);
  test_rec_put64 (b, TEXT_LEN);
  test_rec_put64 (b, 0);
  test_rec_put32 (b, 0);
  test_rec_put32 (b, 0);
  test_rec_put64 (b, 0);
  test_rec_put64 (b, 0);
  test_rec_put32 (b, PROT_READ | PROT_EXEC);
  test_rec_put32 (b, MAP_PRIVATE);
  test_rec_put_string (b, path);
  put_sample_id (b, time);
  test_rec_end (b, at);
}

#define BAD_PERIOD G_GUINT64_CONSTANT (0x5ca1ab1e0badbad1)

/* What write_capture puts in the middle of the second phase. */
typedef enum
{
  BAD_NONE,
  BAD_CALLCHAIN,   /* a sample whose callchain runs past its end: the parse fails */
  BAD_SIZE,        /* a record whose size is not a multiple of 8: the reader stops */
} Bad;

/* A sample of one of three stacks (the same raw words in every phase). */
static void
sample (GByteArray *b,
        guint64     time,
        guint       which,
        Bad         bad)
{
  static const guint64 leaves[] = { 0x1100, 0x2200, 0x3300 };
  guint64 leaf = TEXT_START + leaves[which % 3];
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 11),
    ID_CPU, leaf, test_rec_pid_tid (PID, PID), time, 1000000,
    4, (guint64) PERF_CONTEXT_USER, leaf, TEXT_START + 0x5505, TEXT_START + 0x6606,
  };

  /* the third stack recurses: one address twice, counted once a sample */
  if (which % 3 == 2)
    w[10] = TEXT_START + 0x5505;

  if (bad == BAD_CALLCHAIN)
    w[6] = 1000;
  if (bad == BAD_SIZE)
    w[5] = BAD_PERIOD;  /* found in the file by write_capture */
  test_rec_put_words (b, w, G_N_ELEMENTS (w));
}

static void
write_capture (const char *path,
               Bad         bad)
{
  static const char * const modules[] = {
    "/nonexistent/scorch-memo/first.so", "/nonexistent/scorch-memo/second.so",
    "/nonexistent/scorch-memo/exec.so",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new_for_path (path, &error);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  struct perf_event_attr a = { 0, };
  guint64 id_cpu = ID_CPU;
  guint64 t = 1000000;

  g_assert_no_error (error);
  a.size = sizeof a;
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.sample_type = SAMPLE_TYPE;
  a.sample_period = 1000000;
  a.sample_id_all = 1;
  a.mmap = a.mmap2 = a.comm = a.task = 1;
  scorch_perf_writer_add_attr (writer, &a, "cpu-clock", &id_cpu, 1);
  g_assert_true (scorch_perf_writer_begin (writer, &error));

  comm (b, t, "memo-before", FALSE);
  for (guint phase = 0; phase < G_N_ELEMENTS (modules); phase++)
    {
      /* phase 1: another file mapped over the range; phase 2: exec */
      if (phase == 2)
        comm (b, t, "memo-after", TRUE);
      mmap2 (b, t, modules[phase]);
      for (guint i = 0; i < N_PER; i++)
        sample (b, t += 1000000, i, phase == 1 && i == N_PER / 2 ? bad : BAD_NONE);
    }
  g_assert_true (scorch_perf_writer_add_records (writer, b->data, b->len, &error));
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);

  /* the writer checks records: the bad size is made in the file */
  if (bad == BAD_SIZE)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;
      guint64 period = BAD_PERIOD;
      char *at;
      struct perf_event_header h;

      g_assert_true (g_file_get_contents (path, &contents, &len, &error));
      at = memmem (contents, len, &period, sizeof period);
      g_assert_nonnull (at);
      at -= 5 * sizeof (guint64);   /* header, identifier, ip, tid, time */
      memcpy (&h, at, sizeof h);
      g_assert_cmpuint (h.type, ==, PERF_RECORD_SAMPLE);
      h.size -= 4;
      memcpy (at, &h, sizeof h);
      g_assert_true (g_file_set_contents (path, contents, len, &error));
    }
}

static guint64 memo_hits;

static void
analyzer_log_cb (const char     *domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        user_data)
{
  const char *repeated = strstr (message, " samples repeated one of ");

  if (repeated != NULL)
    memo_hits += g_ascii_strtoull (message, NULL, 10);
}

/* The folded stacks of PATH and its samples' times, threads and nodes. */
static char *
describe_load (const char *path,
               gpointer    data)
{
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) folded = g_memory_output_stream_new_resizable ();
  GString *s = g_string_new (NULL);
  const ScorchSample *samples;
  guint n = 0;

  profile = scorch_load_sync (path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (scorch_folded_write (profile, folded, NULL, NULL));
  g_assert_true (g_output_stream_close (folded, NULL, NULL));
  g_string_append_len (s, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (folded)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (folded)));
  samples = scorch_profile_get_samples (profile, &n);
  g_assert_cmpuint (n, ==, 3 * N_PER);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "sample %" G_GUINT64_FORMAT " %d %u\n",
                            samples[i].time, samples[i].tid, samples[i].node);
  /* the per-address counts (annotate's): a repeat of a kept stack counts
   * its addresses later, hits at a time */
  {
    ScorchAddrSamples *as = scorch_profile_get_addr_samples (profile);
    const ScorchAddrModule *modules;
    const ScorchAddrSample *addrs;
    guint n_modules = 0, n_addrs = 0;

    g_assert_nonnull (as);
    modules = scorch_addr_samples_get_modules (as, &n_modules);
    addrs = scorch_addr_samples_get_samples (as, &n_addrs);
    g_assert_cmpuint (n_addrs, >, 0);
    for (guint i = 0; i < n_addrs; i++)
      g_string_append_printf (s, "addr %s+0x%" G_GINT64_MODIFIER "x self %" G_GUINT64_FORMAT " total %" G_GUINT64_FORMAT "\n",
                              modules[addrs[i].module].path, addrs[i].offset, addrs[i].self, addrs[i].total);
  }
  return g_string_free (s, FALSE);
}

/* The error loading PATH gives. */
static char *
describe_error (const char *path,
                gpointer    data)
{
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  profile = scorch_load_sync (path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_null (profile);
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

/* The samples of the folded lines that name MODULE. */
static guint64
samples_in (const char *folded,
            const char *module)
{
  g_auto(GStrv) lines = g_strsplit (folded, "\n", -1);
  guint64 n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strrchr (lines[i], ' ');

      if (g_str_has_prefix (lines[i], "sample ") || g_str_has_prefix (lines[i], "addr ") || space == NULL || strstr (lines[i], module) == NULL)
        continue;
      n += g_ascii_strtoull (space + 1, NULL, 10);
    }
  return n;
}

static void
test_remap_and_exec (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-stack-memo-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "memo.data", NULL);
  g_autofree char *serial = NULL;
  const LoadVariant serial_load = { "1", NULL };
  const LoadVariant variants[] = { { "2", NULL }, { "3", "1" }, { "2", "7" }, { "4", "64" } };

  g_assert_no_error (error);
  write_capture (path, BAD_NONE);
  memo_hits = 0;
  serial = load_variant_describe (path, &serial_load, describe_load, NULL);
  g_assert_cmpuint (memo_hits, ==, 0);
  g_test_message ("%s", serial);
  g_assert_cmpuint (samples_in (serial, "first.so"), ==, N_PER);
  g_assert_cmpuint (samples_in (serial, "second.so"), ==, N_PER);
  g_assert_cmpuint (samples_in (serial, "exec.so"), ==, N_PER);
  /* (each parallel load's counts are then the serial load's) */
  load_variants_assert_same (path, serial, variants, G_N_ELEMENTS (variants), describe_load, NULL);
  /* the memo was used (the phases' first samples come before their
   * addresses are in the cache, and are not kept) */
  g_assert_cmpuint (memo_hits, >, N_PER);
  g_unlink (path);
  g_rmdir (dir);
}

/* A capture that goes bad half-way: the parallel path stops with the
 * serial path's error whatever was queued or being prepared then (and
 * leaves nothing behind: the sanitizer tree checks for leaks). */
static void
test_bad_mid_load (gconstpointer data)
{
  Bad bad = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-stack-memo-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "bad.data", NULL);
  g_autofree char *serial = NULL;
  const LoadVariant serial_load = { "1", NULL };
  const LoadVariant variants[] = { { "2", NULL }, { "3", "1" }, { "2", "7" }, { "4", "64" }, { "2", "500" } };

  g_assert_no_error (error);
  write_capture (path, bad);
  serial = load_variant_describe (path, &serial_load, describe_error, NULL);
  g_test_message ("%s", serial);
  g_assert_true (strstr (serial, "offset") != NULL);
  load_variants_assert_same (path, serial, variants, G_N_ELEMENTS (variants), describe_error, NULL);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  /* addresses stay addresses: no file of the test machine is read */
  g_setenv ("SCORCH_LOAD_OFFLINE", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_log_set_handler ("scorch-analyzer", G_LOG_LEVEL_DEBUG, analyzer_log_cb, NULL);

  g_test_add_func ("/libscorch/stack-memo/remap-and-exec", test_remap_and_exec);
  g_test_add_data_func ("/libscorch/stack-memo/bad-sample-mid-load", GINT_TO_POINTER (BAD_CALLCHAIN), test_bad_mid_load);
  g_test_add_data_func ("/libscorch/stack-memo/bad-record-mid-load", GINT_TO_POINTER (BAD_SIZE), test_bad_mid_load);

  return g_test_run ();
}
