/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-off-cpu.c: tests of scorch-off-cpu.c through the analyzer:
 * hand-built records (a cpu-clock event and sched:sched_switch, both with
 * PERF_SAMPLE_IDENTIFIER, as scorch-cli record --off-cpu writes them;
 * PERF_RECORD_SWITCH in/out records; EXIT) give the expected blocked time
 * per thread and stack, and the Wall clock view adds the CPU time. */

#include "config.h"

#include <glib.h>
#include <linux/perf_event.h>
#include <string.h>

#include "scorch-analyzer.h"
#include "scorch-off-cpu.h"

#include "record-test-util.h"

#define MS G_GUINT64_CONSTANT (1000000)
#define ID_CPU    11
#define ID_SWITCH 22

#define SAMPLE_TYPE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
                     PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

#define IP_MAIN    0x1000
#define IP_COMPUTE 0x2000
#define IP_SLEEP   0x5000
#define IP_READ    0x6000
#define IP_WAIT    0x7000

static ScorchAnalyzer *
new_analyzer (gboolean with_switch_event)
{
  g_autoptr(ScorchCaptureAttrs) attrs = scorch_capture_attrs_new ();
  struct perf_event_attr a = { 0 };
  guint64 id_cpu = ID_CPU, id_switch = ID_SWITCH;
  ScorchAnalyzer *analyzer;

  a.size = sizeof a;
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.sample_type = SAMPLE_TYPE;
  a.sample_period = MS;
  a.sample_id_all = 1;
  a.context_switch = 1;
  g_assert_true (scorch_capture_attrs_add (attrs, &a, sizeof a, &id_cpu, 1, NULL));
  if (with_switch_event)
    {
      a.type = PERF_TYPE_TRACEPOINT;
      a.config = 372;
      a.sample_period = 1;
      a.context_switch = 0;
      g_assert_true (scorch_capture_attrs_add (attrs, &a, sizeof a, &id_switch, 1, NULL));
      scorch_capture_attrs_set_name (attrs, 1, SCORCH_OFF_CPU_SWITCH_EVENT);
    }
  analyzer = scorch_analyzer_new (attrs);
  scorch_analyzer_set_offline (analyzer, TRUE);
  return analyzer;
}

static void
feed (ScorchAnalyzer *analyzer,
      const guint64  *words,
      guint           n_words)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (scorch_analyzer_add_raw_record (analyzer, (const guint8 *) words, n_words * 8, &error));
  g_assert_no_error (error);
}

/* A sample of event id with the user callchain leaf, caller. */
static void
sample (ScorchAnalyzer *analyzer,
        guint64         id,
        guint64         time,
        gint32          tid,
        guint64         leaf,
        guint64         caller)
{
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 10),
    id, leaf, test_rec_pid_tid (tid, tid), time, id == ID_CPU ? MS : 1,
    3, (guint64) PERF_CONTEXT_USER, leaf, caller,
  };

  feed (analyzer, w, G_N_ELEMENTS (w));
}

static void
switch_record (ScorchAnalyzer *analyzer,
               gboolean        out,
               guint64         time,
               gint32          tid)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();

  test_rec_put_switch (b, out, tid, tid, time, ID_CPU);
  feed (analyzer, (const guint64 *) b->data, b->len / 8);
}

static void
exit_record (ScorchAnalyzer *analyzer,
             guint64         time,
             gint32          tid)
{
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_EXIT, 0, 7),
    test_rec_pid_tid (tid, 1), test_rec_pid_tid (tid, 1), time,
    test_rec_pid_tid (tid, tid), time, ID_CPU,
  };

  feed (analyzer, w, G_N_ELEMENTS (w));
}

/* Self weight of the frame named "[unknown] 0xIP" (offline names). */
static guint64
self_of (ScorchProfile *profile,
         guint64        ip)
{
  g_autofree char *name = g_strdup_printf ("[unknown] 0x%" G_GINT64_MODIFIER "x", ip);
  const ScorchHotspot *h;
  guint n = 0;

  h = scorch_profile_get_hotspots (profile, &n);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (scorch_profile_get_frame (profile, h[i].frame)->function, name) == 0)
      return h[i].self;
  return 0;
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

/* Switch-out/switch-in pairs, two threads blocked at once, a thread that
 * never comes back before the end, one that exits while switched out. */
static void
test_pairs (void)
{
  g_autoptr(ScorchAnalyzer) analyzer = new_analyzer (TRUE);
  g_autoptr(ScorchProfile) profile = NULL;
  ScorchProfile *off, *wall;

  sample (analyzer, ID_CPU, 0, 100, IP_COMPUTE, IP_MAIN);
  /* 100 sleeps 1..11 ms */
  sample (analyzer, ID_SWITCH, 1 * MS, 100, IP_SLEEP, IP_MAIN);
  switch_record (analyzer, TRUE, 1 * MS, 100);
  /* 200 waits 2..5 ms, overlapping 100 */
  sample (analyzer, ID_SWITCH, 2 * MS, 200, IP_READ, IP_MAIN);
  switch_record (analyzer, TRUE, 2 * MS, 200);
  /* 300 blocks at 3 ms and exits at 8 ms */
  sample (analyzer, ID_SWITCH, 3 * MS, 300, IP_WAIT, IP_MAIN);
  switch_record (analyzer, TRUE, 3 * MS, 300);
  switch_record (analyzer, FALSE, 5 * MS, 200);
  /* 200 blocks again at 6 ms and never comes back */
  sample (analyzer, ID_SWITCH, 6 * MS, 200, IP_READ, IP_MAIN);
  switch_record (analyzer, TRUE, 6 * MS, 200);
  exit_record (analyzer, 8 * MS, 300);
  switch_record (analyzer, FALSE, 11 * MS, 100);
  sample (analyzer, ID_CPU, 12 * MS, 100, IP_COMPUTE, IP_MAIN);
  sample (analyzer, ID_CPU, 20 * MS, 100, IP_COMPUTE, IP_MAIN);

  profile = scorch_analyzer_finish (analyzer);
  /* the on-CPU view is what it was: the switch samples are not in it */
  g_assert_cmpuint (scorch_profile_get_total (profile), ==, 3);
  g_assert_true (scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_ON_CPU) == profile);

  off = scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (off);
  /* microseconds: 10 + 3 + 14 (to the end, 20 ms) + 5 (to the exit) */
  g_assert_cmpuint (scorch_profile_get_total (off), ==, 32000);
  g_assert_cmpuint (self_of (off, IP_SLEEP), ==, 10000);
  g_assert_cmpuint (self_of (off, IP_READ), ==, 3000 + 14000);
  g_assert_cmpuint (self_of (off, IP_WAIT), ==, 5000);
  g_assert_cmpuint (self_of (off, IP_COMPUTE), ==, 0);
  g_assert_cmpuint (thread_total (off, 100), ==, 10000);
  g_assert_cmpuint (thread_total (off, 200), ==, 17000);
  g_assert_cmpuint (thread_total (off, 300), ==, 5000);

  /* wall clock: 3 CPU samples of 1 ms each beside the blocked time */
  wall = scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_WALL);
  g_assert_nonnull (wall);
  g_assert_cmpuint (scorch_profile_get_total (wall), ==, 35000);
  g_assert_cmpuint (self_of (wall, IP_COMPUTE), ==, 3000);
  g_assert_cmpuint (self_of (wall, IP_SLEEP), ==, 10000);
  g_assert_cmpuint (thread_total (wall, 100), ==, 13000);
}

/* A perf capture without switch records (perf record -e
 * sched:sched_switch -g): the thread's next sample ends its blocked
 * time; a second switch-out ends the first interval. */
static void
test_no_switch_records (void)
{
  g_autoptr(ScorchAnalyzer) analyzer = new_analyzer (TRUE);
  g_autoptr(ScorchProfile) profile = NULL;
  ScorchProfile *off;

  sample (analyzer, ID_SWITCH, 1 * MS, 400, IP_SLEEP, IP_MAIN);
  sample (analyzer, ID_CPU, 4 * MS, 400, IP_COMPUTE, IP_MAIN);
  sample (analyzer, ID_SWITCH, 5 * MS, 400, IP_READ, IP_MAIN);
  sample (analyzer, ID_SWITCH, 7 * MS, 400, IP_SLEEP, IP_MAIN);
  sample (analyzer, ID_CPU, 9 * MS, 400, IP_COMPUTE, IP_MAIN);

  profile = scorch_analyzer_finish (analyzer);
  off = scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (off);
  g_assert_cmpuint (self_of (off, IP_SLEEP), ==, 3000 + 2000);
  g_assert_cmpuint (self_of (off, IP_READ), ==, 2000);
  g_assert_cmpuint (scorch_profile_get_total (profile), ==, 2);
}

/* Out of order or unpaired records cost nothing: a switch-in with no
 * switch-out, a switch-in before the switch-out's time. */
static void
test_unpaired (void)
{
  g_autoptr(ScorchAnalyzer) analyzer = new_analyzer (TRUE);
  g_autoptr(ScorchProfile) profile = NULL;
  ScorchProfile *off;

  switch_record (analyzer, FALSE, 1 * MS, 500);
  sample (analyzer, ID_SWITCH, 5 * MS, 500, IP_SLEEP, IP_MAIN);
  switch_record (analyzer, FALSE, 4 * MS, 500);
  sample (analyzer, ID_CPU, 6 * MS, 500, IP_COMPUTE, IP_MAIN);

  profile = scorch_analyzer_finish (analyzer);
  off = scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (off);
  g_assert_cmpuint (scorch_profile_get_total (off), ==, 0);
}

/* Without a sched_switch event there are no time views. */
static void
test_no_switch_event (void)
{
  g_autoptr(ScorchAnalyzer) analyzer = new_analyzer (FALSE);
  g_autoptr(ScorchProfile) profile = NULL;

  sample (analyzer, ID_CPU, 0, 100, IP_COMPUTE, IP_MAIN);
  switch_record (analyzer, TRUE, 1 * MS, 100);
  switch_record (analyzer, FALSE, 3 * MS, 100);
  profile = scorch_analyzer_finish (analyzer);
  g_assert_null (scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU));
  g_assert_null (scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_WALL));
  g_assert_cmpuint (scorch_profile_get_total (profile), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/off-cpu/pairs", test_pairs);
  g_test_add_func ("/off-cpu/no-switch-records", test_no_switch_records);
  g_test_add_func ("/off-cpu/unpaired", test_unpaired);
  g_test_add_func ("/off-cpu/no-switch-event", test_no_switch_event);
  return g_test_run ();
}
