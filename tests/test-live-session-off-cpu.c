/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-live-session-off-cpu.c: off-CPU records (a cpu-clock event and
 * sched:sched_switch, both with PERF_SAMPLE_IDENTIFIER, context-switch
 * and EXIT records, as "scorch-cli record --off-cpu" writes them) fed to
 * a live session in batches, out of time order within a batch as two ring
 * buffers give them: the final profile's On-CPU, Off-CPU and Wall clock
 * views are those of the capture the same batches are written to, loaded
 * from the file; snapshots carry the Off-CPU and Wall clock views while
 * the records come in, a thread still blocked counted up to the latest
 * record. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "scorch-folded.h"
#include "scorch-live-session.h"
#include "scorch-loader.h"
#include "scorch-off-cpu.h"
#include "scorch-perf-record.h"
#include "scorch-perf-writer.h"
#include "scorch-report-json.h"

#include "record-test-util.h"

#define MS G_GUINT64_CONSTANT (1000000)
#define ID_CPU    11
#define ID_SWITCH 22
#define PID       500

#define SAMPLE_TYPE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
                     PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

#define IP_MAIN    0x1000
#define IP_COMPUTE 0x2000
#define IP_SLEEP   0x5000
#define IP_READ    0x6000
#define IP_WAIT    0x7000

static void
make_attrs (struct perf_event_attr *cpu,
            struct perf_event_attr *sw)
{
  memset (cpu, 0, sizeof *cpu);
  cpu->size = sizeof *cpu;
  cpu->type = PERF_TYPE_SOFTWARE;
  cpu->config = PERF_COUNT_SW_CPU_CLOCK;
  cpu->sample_type = SAMPLE_TYPE;
  cpu->sample_period = MS;
  cpu->sample_id_all = 1;
  cpu->context_switch = 1;
  cpu->comm = 1;
  cpu->task = 1;

  *sw = *cpu;
  sw->type = PERF_TYPE_TRACEPOINT;
  sw->config = 372;
  sw->sample_period = 1;
  sw->context_switch = 0;
  sw->comm = 0;
  sw->task = 0;
}

/* -- records -- */

/* A sample of event id with the user callchain leaf, caller. */
static void
sample (GByteArray *b,
        guint64     id,
        guint64     time,
        gint32      tid,
        guint64     leaf,
        guint64     caller)
{
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 10),
    id, leaf, test_rec_pid_tid (PID, tid), time, id == ID_CPU ? MS : 1,
    3, (guint64) PERF_CONTEXT_USER, leaf, caller,
  };

  test_rec_put_words (b, w, G_N_ELEMENTS (w));
}

/* sched_switch sample and the switch-out record at the same time */
static void
block (GByteArray *b,
       guint64     time,
       gint32      tid,
       guint64     leaf)
{
  sample (b, ID_SWITCH, time, tid, leaf, IP_MAIN);
  test_rec_put_switch (b, TRUE, PID, tid, time, ID_CPU);
}

static void
run_again (GByteArray *b,
           guint64     time,
           gint32      tid)
{
  test_rec_put_switch (b, FALSE, PID, tid, time, ID_CPU);
}

static void
comm (GByteArray *b,
      guint64     time,
      gint32      tid,
      const char *name)
{
  guint64 w[7] = { 0, };

  w[0] = test_rec_header_word (PERF_RECORD_COMM, 0, 7);
  w[1] = test_rec_pid_tid (PID, tid);
  g_strlcpy ((char *) &w[2], name, 16);
  w[4] = test_rec_pid_tid (PID, tid);
  w[5] = time;
  w[6] = ID_CPU;
  test_rec_put_words (b, w, G_N_ELEMENTS (w));
}

static void
exit_record (GByteArray *b,
             guint64     time,
             gint32      tid)
{
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_EXIT, 0, 7),
    test_rec_pid_tid (PID, 1), test_rec_pid_tid (tid, PID), time,
    test_rec_pid_tid (PID, tid), time, ID_CPU,
  };

  test_rec_put_words (b, w, G_N_ELEMENTS (w));
}

/* -- a capture: batches, written as the recorder writes them -- */

typedef struct
{
  struct perf_event_attr cpu, sw;
  ScorchCaptureAttrs    *attrs;
  GPtrArray             *batches;
  char                  *dir;
  char                  *path;
} Capture;

static Capture *
capture_new (void)
{
  Capture *c = g_new0 (Capture, 1);
  g_autoptr(GError) error = NULL;
  guint64 id_cpu = ID_CPU, id_switch = ID_SWITCH;

  make_attrs (&c->cpu, &c->sw);
  /* as scorch_recorder_set_attrs_sink hands them */
  c->attrs = scorch_capture_attrs_new ();
  g_assert_true (scorch_capture_attrs_add (c->attrs, &c->cpu, sizeof c->cpu, &id_cpu, 1, NULL));
  scorch_capture_attrs_set_name (c->attrs, 0, "cpu-clock");
  g_assert_true (scorch_capture_attrs_add (c->attrs, &c->sw, sizeof c->sw, &id_switch, 1, NULL));
  scorch_capture_attrs_set_name (c->attrs, 1, SCORCH_OFF_CPU_SWITCH_EVENT);
  c->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  c->dir = g_dir_make_tmp ("scorch-live-off-cpu-XXXXXX", &error);
  g_assert_no_error (error);
  c->path = g_build_filename (c->dir, "live.data", NULL);
  return c;
}

static void
capture_free (Capture *c)
{
  g_unlink (c->path);
  g_rmdir (c->dir);
  g_free (c->path);
  g_free (c->dir);
  g_ptr_array_unref (c->batches);
  scorch_capture_attrs_unref (c->attrs);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Capture, capture_free)

static GByteArray *
capture_batch (Capture *c)
{
  GByteArray *b = g_byte_array_new ();

  g_ptr_array_add (c->batches, b);
  return b;
}

static void
capture_write (Capture *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new_for_path (c->path, &error);
  const char *argv[] = { "live-off-cpu-test", NULL };
  guint64 id_cpu = ID_CPU, id_switch = ID_SWITCH;

  g_assert_no_error (error);
  scorch_perf_writer_add_attr (writer, &c->cpu, "cpu-clock", &id_cpu, 1);
  scorch_perf_writer_add_attr (writer, &c->sw, SCORCH_OFF_CPU_SWITCH_EVENT, &id_switch, 1);
  scorch_perf_writer_set_cmdline (writer, argv);
  scorch_perf_writer_set_call_graph (writer, "fp");
  g_assert_true (scorch_perf_writer_begin (writer, &error));
  for (guint i = 0; i < c->batches->len; i++)
    {
      GByteArray *b = g_ptr_array_index (c->batches, i);

      g_assert_true (scorch_perf_writer_add_records (writer, b->data, b->len, &error));
      g_assert_true (scorch_perf_writer_finish_round (writer, &error));
    }
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
}

static void
capture_feed (Capture           *c,
              ScorchLiveSession *live,
              guint              first,
              guint              end)
{
  for (guint i = first; i < MIN (end, c->batches->len); i++)
    {
      GByteArray *b = g_ptr_array_index (c->batches, i);

      scorch_live_session_push_capture_records (live, c->attrs, b->data, b->len);
    }
}

/* Two threads of PID: 501 sleeps, computes, waits on a read and is still
 * blocked at the end; 502 computes, blocks, and exits while blocked.
 * Records of a batch out of time order (two rings). */
static void
capture_fill (Capture *c)
{
  GByteArray *b;

  b = capture_batch (c);
  comm (b, 1 * MS, 501, "sleeper");
  comm (b, 1 * MS, 502, "worker");
  sample (b, ID_CPU, 2 * MS, 501, IP_COMPUTE, IP_MAIN);
  block (b, 3 * MS, 501, IP_SLEEP);
  /* ring 1: older records after newer ones of ring 0 */
  sample (b, ID_CPU, 2 * MS + 500, 502, IP_COMPUTE, IP_MAIN);
  sample (b, ID_CPU, 3 * MS + 500, 502, IP_COMPUTE, IP_MAIN);

  b = capture_batch (c);
  block (b, 5 * MS, 502, IP_WAIT);
  run_again (b, 13 * MS, 501);
  sample (b, ID_CPU, 14 * MS, 501, IP_COMPUTE, IP_MAIN);
  sample (b, ID_CPU, 15 * MS, 501, IP_COMPUTE, IP_MAIN);

  b = capture_batch (c);
  block (b, 16 * MS, 501, IP_READ);
  exit_record (b, 19 * MS, 502);
  run_again (b, 22 * MS, 501);
  sample (b, ID_CPU, 23 * MS, 501, IP_COMPUTE, IP_MAIN);
  block (b, 24 * MS, 501, IP_READ);

  b = capture_batch (c);
  /* a record of the other thread ends the capture at 30 ms: 501 is
   * still blocked */
  sample (b, ID_CPU, 30 * MS, 503, IP_COMPUTE, IP_MAIN);
}

/* -- comparing profiles -- */

static void
describe_view (GString       *s,
               ScorchProfile *profile,
               const char    *title)
{
  g_autoptr(GOutputStream) folded = g_memory_output_stream_new_resizable ();
  g_autofree char *json = NULL;
  const ScorchSample *samples;
  const ScorchThread *threads;
  guint n = 0;

  g_string_append_printf (s, "== %s\n", title);
  if (profile == NULL)
    {
      g_string_append (s, "none\n");
      return;
    }
  json = scorch_report_json_to_data (profile, -1, 0, NULL);
  g_string_append (s, json);
  g_assert_true (scorch_folded_write (profile, folded, NULL, NULL));
  g_assert_true (g_output_stream_close (folded, NULL, NULL));
  g_string_append_len (s, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (folded)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (folded)));
  samples = scorch_profile_get_samples (profile, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "sample %" G_GUINT64_FORMAT " %d %d %u %u\n",
                            samples[i].time, samples[i].pid, samples[i].tid, samples[i].node, samples[i].weight);
  threads = scorch_profile_get_threads (profile, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "thread %d %d %s %" G_GUINT64_FORMAT "\n",
                            threads[i].pid, threads[i].tid, threads[i].name, threads[i].n_samples);
  g_string_append_printf (s, "total %" G_GUINT64_FORMAT "\n", scorch_profile_get_total (profile));
}

/* The three views of profile, as text. */
static char *
describe (ScorchProfile *profile)
{
  GString *s = g_string_new (NULL);

  describe_view (s, scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_ON_CPU), "on-cpu");
  describe_view (s, scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU), "off-cpu");
  describe_view (s, scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_WALL), "wall");
  return g_string_free (s, FALSE);
}

static guint64
thread_total (ScorchProfile *profile,
              gint32         tid)
{
  const ScorchThread *t;
  guint n = 0;

  t = scorch_profile_get_threads (profile, &n);
  for (guint i = 0; i < n; i++)
    if (t[i].tid == tid)
      return t[i].n_samples;
  return 0;
}

/* -- tests -- */

/* The final profile equals the loaded capture in all three views, and
 * the views hold the blocked time the records say. */
static void
test_same_as_loaded (void)
{
  g_autoptr(Capture) c = capture_new ();
  g_autoptr(ScorchLiveSession) live = scorch_live_session_new ();
  g_autoptr(ScorchProfile) loaded = NULL;
  g_autoptr(ScorchProfile) final = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  ScorchProfile *off;

  capture_fill (c);
  scorch_live_session_set_snapshot_interval (live, 0);
  capture_feed (c, live, 0, G_MAXUINT);
  capture_write (c);

  final = scorch_live_session_end (live, c->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (final);
  loaded = scorch_load_sync (c->path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  want = describe (loaded);
  got = describe (final);
  g_test_message ("%s", got);
  g_assert_cmpstr (got, ==, want);

  /* 501: 3..13 and 16..22 ms, then 24 ms to the end (30 ms); 502: 5 ms
   * to its exit at 19 ms; in microseconds */
  off = scorch_profile_get_view (final, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (off);
  g_assert_cmpuint (thread_total (off, 501), ==, 10000 + 6000 + 6000);
  g_assert_cmpuint (thread_total (off, 502), ==, 14000);
  g_assert_nonnull (strstr (got, "sleeper"));
  g_assert_nonnull (strstr (got, "0x5000"));
  g_assert_nonnull (scorch_profile_get_view (final, SCORCH_PROFILE_VIEW_WALL));
}

static void
snapshot_cb (ScorchLiveSession  *live,
             ScorchProfile      *profile,
             ScorchProfile     **out)
{
  g_set_object (out, profile);
}

static void
wait_for_snapshot (ScorchProfile **snap)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (*snap == NULL && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_nonnull (*snap);
}

/* While records come in, snapshots have the Off-CPU and Wall clock views;
 * a thread blocked at the latest record counts up to it, and later
 * records do not change a snapshot already delivered. */
static void
test_snapshots (void)
{
  g_autoptr(Capture) c = capture_new ();
  g_autoptr(ScorchLiveSession) live = scorch_live_session_new ();
  g_autoptr(ScorchProfile) snap = NULL;
  g_autoptr(ScorchProfile) final = NULL;
  g_autoptr(GError) error = NULL;
  ScorchProfile *off;
  guint64 first_off;

  capture_fill (c);
  scorch_live_session_set_snapshot_interval (live, 1);
  g_signal_connect (live, "snapshot", G_CALLBACK (snapshot_cb), &snap);

  /* Batches 0 and 1: batch 0 is analyzed when batch 1 ends the round
   * after it (records up to 3.5 ms); 501 blocked since 3 ms. */
  capture_feed (c, live, 0, 2);
  wait_for_snapshot (&snap);
  off = scorch_profile_get_view (snap, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (off);
  g_assert_nonnull (scorch_profile_get_view (snap, SCORCH_PROFILE_VIEW_WALL));
  first_off = thread_total (off, 501);
  g_assert_cmpuint (first_off, >, 0);
  g_assert_cmpuint (first_off, <=, 10000);

  g_clear_object (&snap);
  capture_feed (c, live, 2, G_MAXUINT);
  wait_for_snapshot (&snap);
  off = scorch_profile_get_view (snap, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (off);
  g_assert_cmpuint (thread_total (off, 501), >, first_off);

  final = scorch_live_session_end (live, NULL, &error);
  g_assert_no_error (error);
  off = scorch_profile_get_view (final, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_cmpuint (thread_total (off, 501), ==, 22000);
  g_signal_handlers_disconnect_by_data (live, &snap);
}

int
main (int    argc,
      char **argv)
{
  /* addresses stay addresses: no file of the test machine is read */
  g_setenv ("SCORCH_LOAD_OFFLINE", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/live-session/off-cpu/same-as-loaded", test_same_as_loaded);
  g_test_add_func ("/libscorch/live-session/off-cpu/snapshots", test_snapshots);

  return g_test_run ();
}
