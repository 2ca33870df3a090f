/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-live-session.c: tests of scorch-live-session.c: hand-built record
 * sequences fed in batches give the same final profile as the capture the
 * same batches are written to, loaded from the file. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>

#include "record-test-util.h"
#include "scorch-live-session.h"
#include "scorch-loader.h"
#include "scorch-perf-writer.h"
#include "scorch-report-json.h"
#include "scorch-folded.h"

#define PID 4242
#define CHILD 4243

/* Functions of this binary the samples land in. */
G_GNUC_NO_INLINE void live_test_parent_work (void);
G_GNUC_NO_INLINE void live_test_child_work (void);

G_GNUC_NO_INLINE void
live_test_parent_work (void)
{
  __asm__ volatile ("nop; nop; nop; nop; nop; nop; nop; nop" ::: "memory");
}

G_GNUC_NO_INLINE void
live_test_child_work (void)
{
  __asm__ volatile ("nop; nop; nop; nop; nop; nop; nop; nop" ::: "memory");
}

static void
make_attr (struct perf_event_attr *attr)
{
  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;
  attr->type = PERF_TYPE_SOFTWARE;
  attr->config = PERF_COUNT_SW_CPU_CLOCK;
  attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD;
  attr->sample_period = 1000000;
  attr->sample_id_all = 1;
  attr->mmap2 = 1;
  attr->comm = 1;
  attr->task = 1;
}

/* -- records -- */

typedef struct
{
  GByteArray *bytes;
  gsize       start;
} Rec;

static void
begin (Rec *r, GByteArray *out, guint32 type, guint16 misc)
{
  r->bytes = out;
  r->start = test_rec_begin (out, type, misc);
}

/* trailer: the sample_id of non-sample records (TID, TIME) */
static void
end (Rec *r, gboolean trailer, gint32 pid, gint32 tid, guint64 time)
{
  if (trailer)
    {
      test_rec_put32 (r->bytes, pid);
      test_rec_put32 (r->bytes, tid);
      test_rec_put64 (r->bytes, time);
    }
  test_rec_end (r->bytes, r->start);
}

static void
add_comm (GByteArray *out, gint32 pid, gint32 tid, const char *name, guint64 time)
{
  Rec r;

  begin (&r, out, PERF_RECORD_COMM, 0);
  test_rec_put32 (r.bytes, pid);
  test_rec_put32 (r.bytes, tid);
  test_rec_put_string (r.bytes, name);
  end (&r, TRUE, pid, tid, time);
}

typedef struct
{
  guint64 start, end, pgoff;
  char   *path;
} TextMap;

static TextMap text;

static void
find_text (void)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 addr = (guint64) (guintptr) live_test_parent_work;

  text.path = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 s, e, off;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %*s %" G_GINT64_MODIFIER "x",
                  &s, &e, &off) == 3 && s <= addr && addr < e)
        {
          text.start = s;
          text.end = e;
          text.pgoff = off;
        }
    }
  g_assert_cmpuint (text.start, !=, 0);
}

static void
add_mmap (GByteArray *out, gint32 pid, guint64 time)
{
  Rec r;

  begin (&r, out, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
  test_rec_put32 (r.bytes, pid);
  test_rec_put32 (r.bytes, pid);
  test_rec_put64 (r.bytes, text.start);
  test_rec_put64 (r.bytes, text.end - text.start);
  test_rec_put64 (r.bytes, text.pgoff);
  test_rec_put32 (r.bytes, 0);
  test_rec_put32 (r.bytes, 0);
  test_rec_put64 (r.bytes, 0);
  test_rec_put64 (r.bytes, 0);
  test_rec_put32 (r.bytes, PROT_READ | PROT_EXEC);
  test_rec_put32 (r.bytes, MAP_PRIVATE);
  test_rec_put_string (r.bytes, text.path);
  end (&r, TRUE, pid, pid, time);
}

static void
add_task (GByteArray *out, guint32 type, gint32 pid, gint32 ppid, guint64 time)
{
  Rec r;

  begin (&r, out, type, 0);
  test_rec_put32 (r.bytes, pid);
  test_rec_put32 (r.bytes, ppid);
  test_rec_put32 (r.bytes, pid);
  test_rec_put32 (r.bytes, ppid);
  test_rec_put64 (r.bytes, time);
  end (&r, TRUE, pid, pid, time);
}

static void
add_lost (GByteArray *out, guint64 n, guint64 time)
{
  Rec r;

  begin (&r, out, PERF_RECORD_LOST, 0);
  test_rec_put64 (r.bytes, 0);
  test_rec_put64 (r.bytes, n);
  end (&r, TRUE, PID, PID, time);
}

static void
add_sample (GByteArray *out, gint32 pid, gpointer func, guint64 time)
{
  Rec r;

  begin (&r, out, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
  test_rec_put64 (r.bytes, (guint64) (guintptr) func + 2);
  test_rec_put32 (r.bytes, pid);
  test_rec_put32 (r.bytes, pid);
  test_rec_put64 (r.bytes, time);
  test_rec_put64 (r.bytes, 1000000);
  end (&r, FALSE, 0, 0, 0);
}

/* -- a capture: batches (one per drain pass), written and fed -- */

typedef struct
{
  struct perf_event_attr  attr;
  GPtrArray              *batches;  /* of GByteArray */
  char                   *dir;
  char                   *path;
} Capture;

static Capture *
capture_new (void)
{
  Capture *c = g_new0 (Capture, 1);
  g_autoptr(GError) error = NULL;

  make_attr (&c->attr);
  c->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  c->dir = g_dir_make_tmp ("scorch-live-XXXXXX", &error);
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

/* As the recorder writes: each batch, then a FINISHED_ROUND. */
static void
capture_write (Capture *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new_for_path (c->path, &error);
  const char *argv[] = { "live-test", "--work", NULL };

  g_assert_no_error (error);
  scorch_perf_writer_add_attr (writer, &c->attr, "cpu-clock", NULL, 0);
  scorch_perf_writer_set_cmdline (writer, argv);
  scorch_perf_writer_set_call_graph (writer, "fp");
  scorch_perf_writer_set_exit_status (writer, 3 << 8);
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
              ScorchLiveSession *live)
{
  for (guint i = 0; i < c->batches->len; i++)
    {
      GByteArray *b = g_ptr_array_index (c->batches, i);

      scorch_live_session_push_records (live, &c->attr, b->data, b->len);
    }
}

/* -- comparing profiles -- */

/* Everything a view or a report shows of a profile, as text. */
static char *
describe (ScorchProfile *profile)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GOutputStream) folded = g_memory_output_stream_new_resizable ();
  g_autofree char *json = scorch_report_json_to_data (profile, -1, 0, NULL);
  const ScorchProfileInfo *info = scorch_profile_get_info (profile);
  const ScorchSample *samples;
  const ScorchThread *threads;
  guint n = 0;

  g_string_append (s, json);
  g_assert_true (scorch_folded_write (profile, folded, NULL, NULL));
  g_assert_true (g_output_stream_close (folded, NULL, NULL));
  g_string_append_len (s, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (folded)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (folded)));

  samples = scorch_profile_get_samples (profile, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "sample %" G_GUINT64_FORMAT " %d %d %u\n",
                            samples[i].time, samples[i].pid, samples[i].tid, samples[i].node);
  threads = scorch_profile_get_threads (profile, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "thread %d %d %s %" G_GUINT64_FORMAT "\n",
                            threads[i].pid, threads[i].tid, threads[i].name, threads[i].n_samples);

  g_string_append_printf (s, "lost %" G_GUINT64_FORMAT " truncated %" G_GUINT64_FORMAT
                          " unwind_failed %" G_GUINT64_FORMAT " event %s host %s cmdline %s\n",
                          info->n_lost, info->n_truncated, info->n_unwind_failed,
                          info->event_name, info->hostname, info->command_line);
  for (guint i = 0; info->warnings != NULL && i < info->warnings->len; i++)
    g_string_append_printf (s, "warning %s\n", (const char *) g_ptr_array_index (info->warnings, i));
  g_assert_nonnull (info->diagnostics);
  {
    const ScorchCaptureFact *facts = scorch_diagnostics_get_facts (info->diagnostics, &n);
    const ScorchAdvice *advice;
    int status = 0;

    for (guint i = 0; i < n; i++)
      g_string_append_printf (s, "fact %s %s %s\n", facts[i].id, facts[i].title, facts[i].value);
    advice = scorch_diagnostics_get_advice (info->diagnostics, &n);
    for (guint i = 0; i < n; i++)
      g_string_append_printf (s, "advice %d %s\n", advice[i].level, advice[i].text);
    g_string_append_printf (s, "diag samples %" G_GUINT64_FORMAT " complete %" G_GUINT64_FORMAT
                            " lost %" G_GUINT64_FORMAT " exit %d %d\n",
                            scorch_diagnostics_get_n_samples (info->diagnostics),
                            scorch_diagnostics_get_n_complete (info->diagnostics),
                            scorch_diagnostics_get_n_lost (info->diagnostics),
                            scorch_diagnostics_get_exit_status (info->diagnostics, &status), status);
  }
  return g_string_free (s, FALSE);
}

/* Feeds c to a live session, ends it, and checks the profile against
 * the written capture loaded from its file. Returns the description. */
static char *
check_same_as_loaded (Capture *c)
{
  g_autoptr(ScorchLiveSession) live = scorch_live_session_new ();
  g_autoptr(ScorchProfile) loaded = NULL;
  g_autoptr(ScorchProfile) final = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *want = NULL;
  char *got;

  scorch_live_session_set_snapshot_interval (live, 0);
  capture_feed (c, live);
  capture_write (c);

  final = scorch_live_session_end (live, c->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (final);
  loaded = scorch_load_sync (c->path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  want = describe (loaded);
  got = describe (final);
  g_assert_cmpstr (got, ==, want);
  return got;
}

/* -- tests -- */

/* A sample before its mapping is known, then samples after it, a fork
 * whose child works elsewhere and exits, a LOST record; records of one
 * batch out of time order (two ring buffers), as the kernel hands them. */
static void
test_sequence (void)
{
  g_autoptr(Capture) c = capture_new ();
  g_autofree char *desc = NULL;
  GByteArray *b;

  b = capture_batch (c);
  add_comm (b, PID, PID, "live-test", 1000);
  add_sample (b, PID, live_test_parent_work, 1500);   /* before the mmap */
  add_mmap (b, PID, 2000);
  add_sample (b, PID, live_test_parent_work, 2500);

  b = capture_batch (c);
  /* ring 1, then ring 0 with older times */
  add_sample (b, PID, live_test_parent_work, 3600);
  add_task (b, PERF_RECORD_FORK, CHILD, PID, 3000);
  add_comm (b, CHILD, CHILD, "live-child", 3100);
  add_sample (b, CHILD, live_test_child_work, 3200);
  add_sample (b, PID, live_test_parent_work, 3300);

  b = capture_batch (c);
  add_sample (b, CHILD, live_test_child_work, 3800);
  add_lost (b, 7, 3900);
  add_task (b, PERF_RECORD_EXIT, CHILD, PID, 4000);
  for (guint i = 0; i < 20; i++)
    add_sample (b, PID, live_test_parent_work, 4100 + i);

  desc = check_same_as_loaded (c);
  g_test_message ("%s", desc);
  /* The profile has what was fed: the functions by name, both threads,
   * the lost samples. */
  g_assert_nonnull (strstr (desc, "live_test_parent_work"));
  g_assert_nonnull (strstr (desc, "live_test_child_work"));
  g_assert_nonnull (strstr (desc, "live-child"));
  g_assert_nonnull (strstr (desc, "\"lost\" : 7"));
  g_assert_nonnull (strstr (desc, "\"all_samples\" : 26"));
}

/* Ending while the worker has many batches still queued: every one is
 * analyzed before the final profile. */
static void
test_end_while_busy (void)
{
  g_autoptr(Capture) c = capture_new ();
  g_autofree char *desc = NULL;
  GByteArray *b = capture_batch (c);
  guint64 t = 1000;
  g_autofree char *expect = NULL;

  add_comm (b, PID, PID, "busy", t++);
  add_mmap (b, PID, t++);
  for (guint i = 0; i < 300; i++)
    {
      b = capture_batch (c);
      for (guint j = 0; j < 200; j++)
        add_sample (b, PID, j % 3 ? live_test_parent_work : live_test_child_work, t++);
    }

  desc = check_same_as_loaded (c);
  expect = g_strdup_printf ("\"all_samples\" : %u", 300 * 200);
  g_assert_nonnull (strstr (desc, expect));
}

static void
snapshot_cb (ScorchLiveSession  *live,
             ScorchProfile      *profile,
             ScorchProfile     **out)
{
  g_set_object (out, profile);
}

/* Snapshots come in the main context while records come in; the final
 * profile does not depend on them. */
static void
test_snapshots (void)
{
  g_autoptr(Capture) c = capture_new ();
  g_autoptr(ScorchLiveSession) live = scorch_live_session_new ();
  g_autoptr(ScorchProfile) snap = NULL;
  g_autoptr(ScorchProfile) dup = NULL;
  g_autoptr(ScorchProfile) final = NULL;
  g_autoptr(GError) error = NULL;
  GByteArray *b = capture_batch (c);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  add_comm (b, PID, PID, "snap", 1000);
  add_mmap (b, PID, 1001);
  for (guint i = 0; i < 10; i++)
    add_sample (b, PID, live_test_parent_work, 2000 + i);

  scorch_live_session_set_snapshot_interval (live, 1);
  g_signal_connect (live, "snapshot", G_CALLBACK (snapshot_cb), &snap);
  g_assert_null (scorch_live_session_dup_snapshot (live));
  capture_feed (c, live);
  /* The first batch is analyzed after the next round ends it, or at a
   * later snapshot; another (empty-of-samples) batch ends the round. */
  b = capture_batch (c);
  add_comm (b, PID, PID, "snap", 5000);
  scorch_live_session_push_records (live, &c->attr, b->data, b->len);
  while (snap == NULL && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_nonnull (snap);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (snap), ==, 10);
  dup = scorch_live_session_dup_snapshot (live);
  g_assert_nonnull (dup);
  g_assert_cmpuint (scorch_live_session_get_n_samples (live), ==, 10);

  final = scorch_live_session_end (live, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (final), ==, 10);
  g_signal_handlers_disconnect_by_data (live, &snap);
}

/* No records: an error, not an empty profile; a second end fails too. */
static void
test_empty (void)
{
  g_autoptr(ScorchLiveSession) live = scorch_live_session_new ();
  g_autoptr(ScorchProfile) final = NULL;
  g_autoptr(GError) error = NULL;

  final = scorch_live_session_end (live, NULL, &error);
  g_assert_null (final);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  final = scorch_live_session_end (live, NULL, &error);
  g_assert_null (final);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

/* Dropped while records are queued: the thread ends by itself. */
static void
test_dispose_busy (void)
{
  g_autoptr(Capture) c = capture_new ();
  ScorchLiveSession *live = scorch_live_session_new ();
  GByteArray *b = capture_batch (c);

  add_comm (b, PID, PID, "drop", 1000);
  add_mmap (b, PID, 1001);
  for (guint i = 0; i < 5000; i++)
    add_sample (b, PID, live_test_parent_work, 2000 + i);
  capture_feed (c, live);
  g_object_unref (live);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  find_text ();

  g_test_add_func ("/libscorch/live-session/sequence", test_sequence);
  g_test_add_func ("/libscorch/live-session/end-while-busy", test_end_while_busy);
  g_test_add_func ("/libscorch/live-session/snapshots", test_snapshots);
  g_test_add_func ("/libscorch/live-session/empty", test_empty);
  g_test_add_func ("/libscorch/live-session/dispose-busy", test_dispose_busy);

  return g_test_run ();
}
