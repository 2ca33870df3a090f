/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-profile.c: tests for scorch-profile.c */

#include "config.h"

#include <string.h>

#include "scorch-profile.h"
#include "gregex-reference.h"
#include "scorch-search.h"

static guint32
frame (ScorchProfileBuilder *b,
       const char           *name)
{
  return scorch_profile_builder_intern_frame (b, name, "/usr/bin/prog", NULL, 0, SCORCH_FRAME_KIND_USER);
}

static const ScorchHotspot *
find_hotspot (ScorchProfile *profile,
              const char    *name)
{
  guint n;
  const ScorchHotspot *h = scorch_profile_get_hotspots (profile, &n);
  const ScorchFrame *frames = scorch_profile_get_frames (profile, NULL);

  for (guint i = 0; i < n; i++)
    if (strcmp (frames[h[i].frame].function, name) == 0)
      return &h[i];
  return NULL;
}

/* main -> a -> b (x3), main -> a (x1), main -> c (x2); thread 11 has the c samples */
static ScorchProfile *
make_simple (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint32 m = frame (b, "main"), a = frame (b, "a"), bb = frame (b, "b"), c = frame (b, "c");
  guint32 s1[] = { m, a, bb };
  guint32 s2[] = { m, a };
  guint32 s3[] = { c, m }; /* leaf first */

  scorch_profile_builder_set_thread_name (b, 10, 10, "prog");
  scorch_profile_builder_set_thread_name (b, 10, 11, "worker");
  for (guint i = 0; i < 3; i++)
    scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 100 + i, .pid = 10, .tid = 10,
                                                                   .frames = s1, .n_frames = 3, .weight = 1 });
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 200, .pid = 10, .tid = 10,
                                                                 .frames = s2, .n_frames = 2, .weight = 1 });
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 300, .pid = 10, .tid = 11,
                                                                 .frames = s3, .n_frames = 2, .order = SCORCH_FRAME_ORDER_LEAF_FIRST, .weight = 1 });
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 400, .pid = 10, .tid = 11,
                                                                 .frames = s3, .n_frames = 2, .order = SCORCH_FRAME_ORDER_LEAF_FIRST, .weight = 1 });
  return scorch_profile_builder_end (b);
}

static void
test_tree (void)
{
  g_autoptr(ScorchProfile) p = make_simple ();
  guint n_nodes;
  const ScorchNode *nodes = scorch_profile_get_nodes (p, &n_nodes);
  const guint64 *total = scorch_profile_get_node_total (p);
  const guint64 *self = scorch_profile_get_node_self (p);
  guint64 begin, end;

  g_assert_cmpuint (scorch_profile_get_total (p), ==, 6);
  g_assert_cmpuint (n_nodes, ==, 5); /* root, main, a, b, c */
  for (guint i = 1; i < n_nodes; i++)
    g_assert_cmpuint (nodes[i].parent, <, i);
  g_assert_cmpuint (total[0], ==, 6);
  g_assert_cmpuint (self[0], ==, 0);

  scorch_profile_get_time_bounds (p, &begin, &end);
  g_assert_cmpuint (begin, ==, 100);
  g_assert_cmpuint (end, ==, 400);
}

static void
test_hotspots (void)
{
  g_autoptr(ScorchProfile) p = make_simple ();
  const ScorchHotspot *h;
  guint n;
  const ScorchFrame *frames = scorch_profile_get_frames (p, NULL);

  h = scorch_profile_get_hotspots (p, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (frames[h[0].frame].function, ==, "b");
  g_assert_cmpuint (h[0].self, ==, 3);
  g_assert_cmpuint (find_hotspot (p, "main")->total, ==, 6);
  g_assert_cmpuint (find_hotspot (p, "main")->self, ==, 0);
  g_assert_cmpuint (find_hotspot (p, "a")->total, ==, 4);
  g_assert_cmpuint (find_hotspot (p, "a")->self, ==, 1);
  g_assert_cmpuint (find_hotspot (p, "c")->self, ==, 2);
}

static void
test_recursion (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint32 m = frame (b, "main"), f = frame (b, "fib");
  guint32 s1[] = { m, f, f, f };
  guint32 s2[] = { m, f };
  g_autoptr(ScorchProfile) p = NULL;

  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 1, .pid = 1, .tid = 1,
                                                                 .frames = s1, .n_frames = 4, .weight = 1 });
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 2, .pid = 1, .tid = 1,
                                                                 .frames = s2, .n_frames = 2, .weight = 1 });
  p = scorch_profile_builder_end (b);

  /* fib is on both stacks: total 2 (each sample once), not 1+1+1+1 */
  g_assert_cmpuint (find_hotspot (p, "fib")->total, ==, 2);
  g_assert_cmpuint (find_hotspot (p, "fib")->self, ==, 2);
  g_assert_cmpuint (find_hotspot (p, "main")->total, ==, 2);
}

static void
test_filter (void)
{
  g_autoptr(ScorchProfile) p = make_simple ();
  gint32 worker = 11;
  g_autoptr(ScorchProfile) only_worker = scorch_profile_filter (p, &worker, 1, 0, G_MAXUINT64);
  g_autoptr(ScorchProfile) early = scorch_profile_filter (p, NULL, 0, 0, 150);
  g_autoptr(ScorchProfile) all = scorch_profile_filter (only_worker, NULL, 0, 0, G_MAXUINT64);
  guint n_threads;
  const ScorchThread *threads;

  g_assert_cmpuint (scorch_profile_get_total (only_worker), ==, 2);
  g_assert_cmpuint (find_hotspot (only_worker, "c")->self, ==, 2);
  g_assert_null (find_hotspot (only_worker, "b"));
  g_assert_cmpuint (scorch_profile_get_n_all_samples (only_worker), ==, 6);

  g_assert_cmpuint (scorch_profile_get_total (early), ==, 3);
  g_assert_cmpuint (find_hotspot (early, "b")->self, ==, 3);

  /* a filter applies to the whole capture, not to the view it is made from */
  g_assert_cmpuint (scorch_profile_get_total (all), ==, 6);

  threads = scorch_profile_get_threads (p, &n_threads);
  g_assert_cmpuint (n_threads, ==, 2);
  g_assert_cmpint (threads[0].tid, ==, 10);
  g_assert_cmpstr (threads[0].name, ==, "prog");
  g_assert_cmpuint (threads[0].n_samples, ==, 4);
  g_assert_cmpstr (threads[1].name, ==, "worker");
  g_assert_cmpstr (scorch_profile_get_process_name (p, 10), ==, "prog");

  threads = scorch_profile_get_threads (only_worker, &n_threads);
  g_assert_cmpuint (n_threads, ==, 2); /* every thread listed, counts of the view */
  g_assert_cmpuint (threads[0].n_samples, ==, 0);
}

/* Many threads whose samples interleave, more than the per-thread count's
 * tid cache holds (scorch-profile.c, profile_compute_counts), and more
 * samples than the sample array's first allocation: every thread's count,
 * the time bounds and the totals as one sample at a time would give them,
 * in the profile and in a view of some of its threads. */
static void
test_many_threads (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint32 m = frame (b, "main");
  guint32 stack[] = { m };
  enum { N_THREADS = 300, N_SAMPLES = 5000 };
  guint64 expected[N_THREADS] = { 0 };
  g_autoptr(ScorchProfile) p = NULL;
  g_autoptr(ScorchProfile) view = NULL;
  gint32 kept[N_THREADS / 2];
  const ScorchThread *threads;
  guint n_threads;
  guint64 sum = 0, begin, end;

  for (guint i = 0; i < N_SAMPLES; i++)
    {
      /* tids 64 apart collide in a direct-mapped cache of any power of
       * two up to 64 slots; the order revisits threads out of step */
      guint t = (i * 7 + i / N_THREADS) % N_THREADS;
      gint32 tid = 1000 + 64 * (gint32) t;

      scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 10 + i, .pid = 1000, .tid = tid,
                                                                     .frames = stack, .n_frames = 1,
                                                                     .weight = 1 + t % 3 });
      expected[t] += 1 + t % 3;
    }
  p = scorch_profile_builder_end (b);

  threads = scorch_profile_get_threads (p, &n_threads);
  g_assert_cmpuint (n_threads, ==, N_THREADS);
  for (guint i = 0; i < n_threads; i++)
    {
      guint t = (guint) (threads[i].tid - 1000) / 64;

      g_assert_cmpint (threads[i].tid, ==, 1000 + 64 * (gint32) t);
      g_assert_cmpint (threads[i].pid, ==, 1000);
      g_assert_cmpuint (threads[i].n_samples, ==, expected[t]);
      sum += threads[i].n_samples;
    }
  g_assert_cmpuint (sum, ==, scorch_profile_get_total (p));
  g_assert_cmpuint (scorch_profile_get_n_all_samples (p), ==, sum);
  scorch_profile_get_time_bounds (p, &begin, &end);
  g_assert_cmpuint (begin, ==, 10);
  g_assert_cmpuint (end, ==, 10 + N_SAMPLES - 1);

  for (guint t = 0; t < G_N_ELEMENTS (kept); t++)
    kept[t] = 1000 + 64 * (gint32) (2 * t);
  view = scorch_profile_filter (p, kept, G_N_ELEMENTS (kept), 0, G_MAXUINT64);
  threads = scorch_profile_get_threads (view, &n_threads);
  /* no thread has a name: those without samples in the view are not listed */
  g_assert_cmpuint (n_threads, ==, G_N_ELEMENTS (kept));
  sum = 0;
  for (guint i = 0; i < n_threads; i++)
    {
      guint t = (guint) (threads[i].tid - 1000) / 64;

      g_assert_cmpuint (t % 2, ==, 0);
      g_assert_cmpuint (threads[i].n_samples, ==, expected[t]);
      sum += threads[i].n_samples;
    }
  g_assert_cmpuint (sum, ==, scorch_profile_get_total (view));
}

static void
test_inverted (void)
{
  g_autoptr(ScorchProfile) p = make_simple ();
  g_autoptr(ScorchProfile) inv = scorch_profile_dup_inverted (p);
  const ScorchNode *nodes;
  const guint64 *total;
  const ScorchFrame *frames;
  guint n_nodes;
  guint32 best = SCORCH_NODE_NONE;

  nodes = scorch_profile_get_nodes (inv, &n_nodes);
  total = scorch_profile_get_node_total (inv);
  frames = scorch_profile_get_frames (inv, NULL);
  g_assert_cmpuint (scorch_profile_get_total (inv), ==, 6);

  for (guint32 c = nodes[0].first_child; c != SCORCH_NODE_NONE; c = nodes[c].next_sibling)
    if (best == SCORCH_NODE_NONE || total[c] > total[best])
      best = c;
  /* the hottest leaf is at the base */
  g_assert_cmpstr (frames[nodes[best].frame].function, ==, "b");
  g_assert_cmpuint (total[best], ==, 3);
  /* frame ids are shared */
  g_assert_true (scorch_profile_get_frames (p, NULL)[nodes[best].frame].function == frames[nodes[best].frame].function);
}

static void
test_callers_callees (void)
{
  g_autoptr(ScorchProfile) p = make_simple ();
  guint32 a = find_hotspot (p, "a")->frame;
  guint32 m = find_hotspot (p, "main")->frame;
  g_autoptr(GArray) callers = scorch_profile_dup_callers (p, a);
  g_autoptr(GArray) callees = scorch_profile_dup_callees (p, m);

  g_assert_cmpuint (callers->len, ==, 1);
  g_assert_cmpuint (g_array_index (callers, ScorchHotspot, 0).frame, ==, m);
  g_assert_cmpuint (g_array_index (callers, ScorchHotspot, 0).total, ==, 4);
  g_assert_cmpuint (callees->len, ==, 2);
  g_assert_cmpuint (g_array_index (callees, ScorchHotspot, 0).frame, ==, a);
  g_assert_cmpuint (g_array_index (callees, ScorchHotspot, 0).total, ==, 4);
  g_assert_cmpuint (g_array_index (callees, ScorchHotspot, 1).total, ==, 2);
}

static void
test_match (void)
{
  g_autoptr(ScorchProfile) p = make_simple ();
  guint n_frames;
  g_autofree guint8 *matches = NULL;
  g_autoptr(ScorchSearch) re = scorch_search_new ("^(a|b)$", SCORCH_SEARCH_REGEX, TRUE);
  g_autoptr(ScorchSearch) re2 = scorch_search_new ("nothing", SCORCH_SEARCH_REGEX, TRUE);
  g_autoptr(GRegex) gre = g_regex_new ("^(a|b)$", 0, 0, NULL);
  g_autofree guint8 *reference = NULL;

  scorch_profile_get_frames (p, &n_frames);
  matches = g_new0 (guint8, n_frames);
  reference = g_new0 (guint8, n_frames);
  /* a and b are nested: their 4 samples are counted once */
  g_assert_cmpuint (scorch_search_match_frames (re, p, matches), ==, 4);
  g_assert_true (matches[find_hotspot (p, "b")->frame]);
  g_assert_false (matches[find_hotspot (p, "c")->frame]);
  /* as the GRegex oracle of the tests */
  g_assert_cmpuint (gregex_match_frames (p, gre, reference), ==, 4);
  g_assert_cmpmem (matches, n_frames, reference, n_frames);
  g_assert_cmpuint (scorch_search_match_frames (re2, p, matches), ==, 0);
}

static void
test_snapshot (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint32 m = frame (b, "main");
  g_autoptr(ScorchProfile) snap = NULL;
  g_autoptr(ScorchProfile) final = NULL;

  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 1, .pid = 1, .tid = 1,
                                                                 .frames = &m, .n_frames = 1, .weight = 1 });
  snap = scorch_profile_builder_snapshot (b);
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 2, .pid = 1, .tid = 1,
                                                                 .frames = &m, .n_frames = 1, .weight = 1 });
  scorch_profile_builder_get_info (b)->n_lost = 7;
  final = scorch_profile_builder_end (b);

  g_assert_cmpuint (scorch_profile_get_total (snap), ==, 1);
  g_assert_cmpuint (scorch_profile_get_total (final), ==, 2);
  g_assert_cmpuint (scorch_profile_get_info (final)->n_lost, ==, 7);
  g_assert_cmpstr (scorch_profile_get_frames (snap, NULL)[m].function, ==, "main");
}

static void
test_large (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  g_autoptr(ScorchProfile) p = NULL;
  guint32 frames[64];
  guint32 stack[32];
  GRand *rand = g_rand_new_with_seed (42);
  guint64 sum = 0;
  const ScorchHotspot *h;
  guint n;

  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u", i);
      frames[i] = frame (b, name);
    }
  for (guint s = 0; s < 20000; s++)
    {
      guint depth = g_rand_int_range (rand, 1, 32);
      for (guint d = 0; d < depth; d++)
        stack[d] = frames[g_rand_int_range (rand, 0, 64)];
      scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                     .frames = stack, .n_frames = depth, .weight = 1 });
    }
  g_rand_free (rand);
  p = scorch_profile_builder_end (b);

  h = scorch_profile_get_hotspots (p, &n);
  for (guint i = 0; i < n; i++)
    {
      sum += h[i].self;
      g_assert_cmpuint (h[i].total, <=, 20000);
      g_assert_cmpuint (h[i].self, <=, h[i].total);
      if (i > 0)
        g_assert_cmpuint (h[i - 1].self, >=, h[i].self);
    }
  g_assert_cmpuint (sum, ==, 20000);
}

/* More samples than fit in the sample array's last small block: from
 * 8 MiB on it grows into new blocks asked for as huge pages
 * (builder_add_at), which must keep every sample in its place. */
static void
test_huge_sample_array (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint32 m = frame (b, "main");
  guint32 stack[] = { m };
  enum { N_SAMPLES = 1200000 };
  g_autoptr(ScorchProfile) p = NULL;
  const ScorchSample *samples;
  guint n;

  for (guint i = 0; i < N_SAMPLES; i++)
    scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 100 + i, .pid = 7, .tid = 7 + (gint32) (i % 5),
                                                                   .frames = stack, .n_frames = 1,
                                                                   .weight = 1 + i % 3 });
  p = scorch_profile_builder_end (b);
  samples = scorch_profile_get_samples (p, &n);
  g_assert_cmpuint (n, ==, N_SAMPLES);
  for (guint i = 0; i < N_SAMPLES; i++)
    {
      if (samples[i].time != 100 + i || samples[i].tid != 7 + (gint32) (i % 5) ||
          samples[i].weight != 1 + i % 3 || samples[i].pid != 7)
        g_error ("sample %u: time %" G_GUINT64_FORMAT " tid %d weight %u", i,
                 samples[i].time, samples[i].tid, samples[i].weight);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/profile/tree", test_tree);
  g_test_add_func ("/libscorch/profile/hotspots", test_hotspots);
  g_test_add_func ("/libscorch/profile/recursion", test_recursion);
  g_test_add_func ("/libscorch/profile/filter", test_filter);
  g_test_add_func ("/libscorch/profile/many-threads", test_many_threads);
  g_test_add_func ("/libscorch/profile/inverted", test_inverted);
  g_test_add_func ("/libscorch/profile/callers-callees", test_callers_callees);
  g_test_add_func ("/libscorch/profile/match", test_match);
  g_test_add_func ("/libscorch/profile/snapshot", test_snapshot);
  g_test_add_func ("/libscorch/profile/large", test_large);
  g_test_add_func ("/libscorch/profile/huge-sample-array", test_huge_sample_array);

  return g_test_run ();
}
