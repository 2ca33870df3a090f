/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-off-cpu-threads.c: an off-CPU capture (cpu-clock, sched_switch
 * and sched_wakeup samples with PERF_SAMPLE_IDENTIFIER, switch records,
 * an EXIT while blocked) loaded by the parallel path (several workers,
 * switch records and scheduler samples waiting in the batch with the CPU
 * samples) gives exactly the On-CPU, Off-CPU and Wall clock views of the
 * serial path (SCORCH_LOAD_THREADS=1), with tiny batches (many batch
 * boundaries between a switch-out and its switch-in) and the default. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "scorch-folded.h"
#include "scorch-loader.h"
#include "scorch-off-cpu.h"
#include "scorch-perf-writer.h"
#include "scorch-report-json.h"

#include "load-variants-util.h"
#include "record-test-util.h"

#define US G_GUINT64_CONSTANT (1000)
#define ID_CPU    11
#define ID_SWITCH 22
#define ID_WAKEUP 33
#define PID       700
#define N_THREADS 3

#define SAMPLE_TYPE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
                     PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

/* A sample of event id: leaf, caller, main. */
static void
sample (GByteArray *b,
        guint64     id,
        guint64     time,
        gint32      tid,
        guint64     leaf,
        guint64     caller)
{
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 11),
    id, leaf, test_rec_pid_tid (PID, tid), time, id == ID_CPU ? 1000 * US : 1,
    4, (guint64) PERF_CONTEXT_USER, leaf, caller, 0x1000,
  };

  test_rec_put_words (b, w, G_N_ELEMENTS (w));
}

static void
switch_record (GByteArray *b,
               gboolean    out,
               guint64     time,
               gint32      tid)
{
  test_rec_put_switch (b, out, PID, tid, time, ID_CPU);
}

static void
exit_record (GByteArray *b,
             guint64     time,
             gint32      tid)
{
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_EXIT, 0, 7),
    (guint64) (guint32) PID | ((guint64) 1 << 32), (guint64) (guint32) tid | ((guint64) PID << 32), time,
    test_rec_pid_tid (PID, tid), time, ID_CPU,
  };

  test_rec_put_words (b, w, G_N_ELEMENTS (w));
}

/* Threads that compute, block in one of four functions, get woken or
 * switched in; one exits while blocked. Deterministic (fixed seed). */
static void
write_capture (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new_for_path (path, &error);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  struct perf_event_attr a = { 0, };
  guint64 id_cpu = ID_CPU, id_switch = ID_SWITCH, id_wakeup = ID_WAKEUP;
  guint64 t[N_THREADS];
  gboolean gone[N_THREADS] = { FALSE, };

  g_assert_no_error (error);
  a.size = sizeof a;
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.sample_type = SAMPLE_TYPE;
  a.sample_period = 1000 * US;
  a.sample_id_all = 1;
  a.context_switch = 1;
  scorch_perf_writer_add_attr (writer, &a, "cpu-clock", &id_cpu, 1);
  a.type = PERF_TYPE_TRACEPOINT;
  a.config = 372;
  a.sample_period = 1;
  a.context_switch = 0;
  scorch_perf_writer_add_attr (writer, &a, SCORCH_OFF_CPU_SWITCH_EVENT, &id_switch, 1);
  a.config = 373;
  scorch_perf_writer_add_attr (writer, &a, SCORCH_OFF_CPU_WAKEUP_EVENT, &id_wakeup, 1);
  g_assert_true (scorch_perf_writer_begin (writer, &error));

  for (guint i = 0; i < N_THREADS; i++)
    t[i] = 1000 * US + i * 7 * US;
  /* round-robin over the threads, in time order per thread; the writer's
   * rounds sort nothing: records go in the order the loader reads them */
  for (guint step = 0; step < 1500; step++)
    {
      guint i = step % N_THREADS;
      gint32 tid = PID + 1 + (gint32) i;
      guint kind = g_rand_int_range (rand, 0, 10);

      if (gone[i])
        continue;
      if (i == 2 && step == 902)
        {
          /* blocks and exits while blocked */
          sample (b, ID_SWITCH, t[i], tid, 0x9000, 0x3000);
          switch_record (b, TRUE, t[i], tid);
          exit_record (b, t[i] + 5000 * US, tid);
          gone[i] = TRUE;
          continue;
        }
      if (kind < 6)
        {
          sample (b, ID_CPU, t[i], tid, 0x2000 + 0x100 * (kind % 3), 0x3000);
          t[i] += 1000 * US;
        }
      else
        {
          guint64 blocked = (guint64) g_rand_int_range (rand, 10, 5000) * US;

          sample (b, ID_SWITCH, t[i], tid, 0x5000 + 0x1000 * (kind - 6), 0x4000);
          switch_record (b, TRUE, t[i] + 2 * US, tid);
          if (kind == 9)
            sample (b, ID_WAKEUP, t[i] + blocked - 3 * US, tid, 0x8000, 0);
          switch_record (b, FALSE, t[i] + blocked, tid);
          t[i] += blocked + 10 * US;
        }
      if (b->len > 4096)
        {
          g_assert_true (scorch_perf_writer_add_records (writer, b->data, b->len, &error));
          g_assert_true (scorch_perf_writer_finish_round (writer, &error));
          g_byte_array_set_size (b, 0);
        }
    }
  /* thread 0 blocks at the end and never runs again */
  sample (b, ID_SWITCH, t[0], PID + 1, 0x6000, 0x4000);
  switch_record (b, TRUE, t[0], PID + 1);
  sample (b, ID_CPU, t[0] + 3000 * US, PID + 2, 0x2000, 0x3000);
  g_assert_true (scorch_perf_writer_add_records (writer, b->data, b->len, &error));
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
}

static void
describe_view (GString       *s,
               ScorchProfile *profile,
               const char    *title)
{
  g_autoptr(GOutputStream) folded = g_memory_output_stream_new_resizable ();
  g_autofree char *json = NULL;
  const ScorchSample *samples;
  guint n = 0;

  g_assert_nonnull (profile);
  g_string_append_printf (s, "== %s\n", title);
  json = scorch_report_json_to_data (profile, -1, 0, NULL);
  g_string_append (s, json);
  g_assert_true (scorch_folded_write (profile, folded, NULL, NULL));
  g_assert_true (g_output_stream_close (folded, NULL, NULL));
  g_string_append_len (s, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (folded)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (folded)));
  samples = scorch_profile_get_samples (profile, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "sample %" G_GUINT64_FORMAT " %d %u %u\n",
                            samples[i].time, samples[i].tid, samples[i].node, samples[i].weight);
}

static gboolean parallel_seen;

static void
analyzer_log_cb (const char     *domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        user_data)
{
  if (strstr (message, "workers") != NULL)
    parallel_seen = TRUE;
}

/* The On-CPU, Off-CPU and Wall clock views of PATH. */
static char *
describe_load (const char *path,
               gpointer    data)
{
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  GString *s = g_string_new (NULL);

  parallel_seen = FALSE;
  profile = scorch_load_sync (path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* the parallel path ran when (and only when) asked for */
  g_assert_true (parallel_seen == (strcmp (g_getenv ("SCORCH_LOAD_THREADS"), "1") != 0));
  describe_view (s, profile, "on-cpu");
  describe_view (s, scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU), "off-cpu");
  describe_view (s, scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_WALL), "wall");
  return g_string_free (s, FALSE);
}

static void
test_same_as_serial (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-off-cpu-threads-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "off-cpu.data", NULL);
  g_autofree char *serial = NULL;
  const LoadVariant serial_load = { "1", NULL };
  const LoadVariant variants[] = { { "4", "7" }, { "3", "1" }, { "2", NULL } };

  g_assert_no_error (error);
  write_capture (path);
  serial = load_variant_describe (path, &serial_load, describe_load, NULL);
  /* blocked time of every kind is there */
  g_assert_nonnull (strstr (serial, "0x5000"));
  g_assert_nonnull (strstr (serial, "0x9000"));

  load_variants_assert_same (path, serial, variants, G_N_ELEMENTS (variants), describe_load, NULL);
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

  g_test_add_func ("/libscorch/off-cpu/parallel-load", test_same_as_serial);

  return g_test_run ();
}
