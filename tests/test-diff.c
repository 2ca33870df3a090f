/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-diff.c: tests for scorch-diff.c on hand-built profiles with known answers */

#include "config.h"

#include <math.h>
#include <string.h>

#include "scorch-diff.h"
#include "scorch-flame-export.h"

/* Builds a profile from "a;b;c COUNT" lines (root side first).  Frames
 * named "libc:NAME" live in LIBC, the others in EXE.  Samples are spread
 * evenly over DURATION seconds (0: all at time 0, as folded stacks). */
static ScorchProfile *
make_profile (const char *const *lines,
              const char        *exe,
              const char        *libc,
              double             duration)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  guint64 n_lines = g_strv_length ((char **) lines);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space = strrchr (lines[i], ' ');
      g_autofree char *stack = g_strndup (lines[i], space - lines[i]);
      g_auto(GStrv) names = g_strsplit (stack, ";", -1);
      guint64 count = g_ascii_strtoull (space + 1, NULL, 10);
      guint n = g_strv_length (names);
      g_autofree guint32 *frames = g_new (guint32, n);

      for (guint j = 0; j < n; j++)
        {
          if (g_str_has_prefix (names[j], "libc:"))
            frames[j] = scorch_profile_builder_intern_frame (b, names[j] + 5, libc, NULL, 0, SCORCH_FRAME_KIND_USER);
          else
            frames[j] = scorch_profile_builder_intern_frame (b, names[j], exe, NULL, 0, SCORCH_FRAME_KIND_USER);
        }
      /* Two samples per line (first and last time) keep the duration exact. */
      if (duration > 0)
        {
          guint64 t0 = 1000000000ull + (guint64) (duration * 1e9 * i / MAX (n_lines - 1, 1));

          scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = t0, .pid = 1, .tid = 1,
                                                                         .frames = frames, .n_frames = n, .weight = (guint32) (count / 2) });
          scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = i == 0 ? 1000000000ull + (guint64) (duration * 1e9) : t0, .pid = 1, .tid = 1,
                                                                         .frames = frames, .n_frames = n, .weight = (guint32) (count - count / 2) });
        }
      else
        scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 0, .pid = 1, .tid = 1,
                                                                       .frames = frames, .n_frames = n, .weight = (guint32) count });
    }
  return scorch_profile_builder_end (b);
}

static const ScorchDiffFunction *
find_function (ScorchDiff *diff,
               const char *name)
{
  guint n;
  const ScorchDiffFunction *f = scorch_diff_get_functions (diff, &n);

  for (guint i = 0; i < n; i++)
    if (strcmp (f[i].function, name) == 0)
      return &f[i];
  return NULL;
}

/* The merged node at the end of PATH ("main;a;b"), or NULL. */
static const ScorchDiffNode *
find_node (ScorchDiff *diff,
           const char *path)
{
  g_auto(GStrv) names = g_strsplit (path, ";", -1);
  const ScorchDiffNode *nodes;
  const ScorchDiffFunction *functions;
  guint n_nodes, n_functions;
  guint32 at = 0;

  nodes = scorch_diff_get_nodes (diff, &n_nodes);
  functions = scorch_diff_get_functions (diff, &n_functions);
  for (guint d = 0; names[d] != NULL; d++)
    {
      guint32 found = SCORCH_NODE_NONE;

      for (guint i = 1; i < n_nodes && found == SCORCH_NODE_NONE; i++)
        {
          const ScorchDiffFunction *f = NULL;

          if (nodes[i].parent != at)
            continue;
          /* nodes[i].function indexes the unsorted table: go through a frame. */
          if (nodes[i].new_node != SCORCH_NODE_NONE)
            {
              ScorchProfile *p = scorch_diff_get_profile (diff, SCORCH_DIFF_NEW);
              const ScorchNode *pn = scorch_profile_get_nodes (p, NULL);

              f = &functions[scorch_diff_lookup_frame (diff, SCORCH_DIFF_NEW, pn[nodes[i].new_node].frame)];
            }
          else
            {
              ScorchProfile *p = scorch_diff_get_profile (diff, SCORCH_DIFF_BASE);
              const ScorchNode *pn = scorch_profile_get_nodes (p, NULL);

              f = &functions[scorch_diff_lookup_frame (diff, SCORCH_DIFF_BASE, pn[nodes[i].base_node].frame)];
            }
          if (strcmp (f->function, names[d]) == 0)
            found = i;
        }
      if (found == SCORCH_NODE_NONE)
        return NULL;
      at = found;
    }
  return &nodes[at];
}

static const char *const base_lines[] = {
  "main;work;hot 300",
  "main;work;cold 500",
  "main;libc:memcpy 150",
  "main;only_base 50",
  NULL,
};

static const char *const new_lines[] = {
  "main;work;hot 600",
  "main;work;cold 500",
  "main;libc:memcpy 150",
  "main;only_new 50",
  NULL,
};

static void
test_self_is_zero (void)
{
  g_autoptr(ScorchProfile) p = make_profile (base_lines, "/build/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchDiff) diff = scorch_diff_new (p, p, SCORCH_DIFF_SHARES);
  const ScorchDiffNode *nodes;
  const ScorchDiffFunction *f;
  guint n_nodes, n_functions, n_profile_nodes;

  nodes = scorch_diff_get_nodes (diff, &n_nodes);
  scorch_profile_get_nodes (p, &n_profile_nodes);
  g_assert_cmpuint (n_nodes, ==, n_profile_nodes);
  for (guint i = 0; i < n_nodes; i++)
    {
      double delta = 1;

      g_assert_cmpuint (nodes[i].base_node, !=, SCORCH_NODE_NONE);
      g_assert_cmpuint (nodes[i].new_node, !=, SCORCH_NODE_NONE);
      g_assert_cmpuint (nodes[i].base_total, ==, nodes[i].new_total);
      g_assert_cmpuint (nodes[i].base_self, ==, nodes[i].new_self);
      g_assert_cmpint (scorch_diff_compare (diff, nodes[i].base_total, nodes[i].new_total, &delta), ==,
                       SCORCH_DIFF_NEUTRAL);
      g_assert_cmpfloat (delta, ==, 0);
    }

  f = scorch_diff_get_functions (diff, &n_functions);
  g_assert_cmpuint (n_functions, ==, 6); /* main work hot cold memcpy only_base */
  for (guint i = 0; i < n_functions; i++)
    {
      g_assert_cmpuint (f[i].base_self, ==, f[i].new_self);
      g_assert_cmpuint (f[i].base_total, ==, f[i].new_total);
    }

  /* The same in rates. */
  {
    g_autoptr(ScorchDiff) rates = scorch_diff_new (p, p, SCORCH_DIFF_RATES);

    g_assert_cmpint (scorch_diff_get_mode (rates), ==, SCORCH_DIFF_RATES);
    f = scorch_diff_get_functions (rates, &n_functions);
    for (guint i = 0; i < n_functions; i++)
      g_assert_cmpfloat (scorch_diff_normalize (rates, SCORCH_DIFF_NEW, f[i].new_self) -
                         scorch_diff_normalize (rates, SCORCH_DIFF_BASE, f[i].base_self), ==, 0);
  }
}

static void
test_known_answer (void)
{
  /* A rebuilt binary under another name and directory, libc from another
   * directory: both still match. */
  g_autoptr(ScorchProfile) base = make_profile (base_lines, "/build-1/prog-a", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchProfile) new_p = make_profile (new_lines, "/tmp/build-2/prog-b",
                                                 "/lib/x86_64-linux-gnu/libc.so.6", 2);
  g_autoptr(ScorchDiff) diff = scorch_diff_new (base, new_p, SCORCH_DIFF_SHARES);
  const ScorchDiffFunction *hot, *cold, *memcpy_, *work, *first;
  const ScorchDiffNode *n;
  double delta;

  g_assert_cmpuint (scorch_diff_get_n_samples (diff, SCORCH_DIFF_BASE), ==, 1000);
  g_assert_cmpuint (scorch_diff_get_n_samples (diff, SCORCH_DIFF_NEW), ==, 1300);

  hot = find_function (diff, "hot");
  cold = find_function (diff, "cold");
  memcpy_ = find_function (diff, "memcpy");
  work = find_function (diff, "work");
  g_assert_nonnull (hot);
  g_assert_cmpuint (hot->base_self, ==, 300);
  g_assert_cmpuint (hot->new_self, ==, 600);
  g_assert_cmpuint (memcpy_->base_self, ==, 150);
  g_assert_cmpuint (memcpy_->new_self, ==, 150);
  g_assert_cmpuint (work->base_total, ==, 800);
  g_assert_cmpuint (work->new_total, ==, 1100);
  g_assert_cmpuint (work->new_self, ==, 0);

  /* hot: 30 % -> 600/1300 = 46.15 %: the largest |delta self|, first. */
  first = scorch_diff_get_functions (diff, NULL);
  g_assert_true (first == hot);
  g_assert_cmpint (scorch_diff_compare (diff, hot->base_self, hot->new_self, &delta), ==, SCORCH_DIFF_HOTTER);
  g_assert_cmpfloat_with_epsilon (delta, 100.0 * 600 / 1300 - 30.0, 1e-9);
  g_assert_cmpint (scorch_diff_compare (diff, cold->base_self, cold->new_self, &delta), ==, SCORCH_DIFF_COOLER);
  g_assert_cmpfloat_with_epsilon (delta, 100.0 * 500 / 1300 - 50.0, 1e-9);

  /* The path matched through the renamed executable. */
  n = find_node (diff, "main;work;hot");
  g_assert_nonnull (n);
  g_assert_cmpuint (n->base_node, !=, SCORCH_NODE_NONE);
  g_assert_cmpuint (n->new_node, !=, SCORCH_NODE_NONE);
  g_assert_cmpuint (n->base_total, ==, 300);
  g_assert_cmpuint (n->new_total, ==, 600);
  g_assert_cmpuint (n->depth, ==, 3);

  /* Rates: base lasts 1 s, new 2 s: hot 300/s -> 300/s, cold 500/s -> 250/s. */
  {
    g_autoptr(ScorchDiff) rates = scorch_diff_dup_with_mode (diff, SCORCH_DIFF_RATES);

    g_assert_cmpint (scorch_diff_get_mode (rates), ==, SCORCH_DIFF_RATES);
    g_assert_cmpfloat_with_epsilon (scorch_diff_get_duration (rates, SCORCH_DIFF_BASE), 1.0, 1e-9);
    g_assert_cmpfloat_with_epsilon (scorch_diff_get_duration (rates, SCORCH_DIFF_NEW), 2.0, 1e-9);
    g_assert_cmpint (scorch_diff_compare (rates, 300, 600, &delta), ==, SCORCH_DIFF_NEUTRAL);
    g_assert_cmpfloat_with_epsilon (delta, 0, 1e-9);
    g_assert_cmpint (scorch_diff_compare (rates, 500, 500, &delta), ==, SCORCH_DIFF_COOLER);
    g_assert_cmpfloat_with_epsilon (delta, -250, 1e-9);
  }
}

static void
test_swap_negates (void)
{
  g_autoptr(ScorchProfile) base = make_profile (base_lines, "/build-1/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchProfile) new_p = make_profile (new_lines, "/build-2/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchDiff) ab = scorch_diff_new (base, new_p, SCORCH_DIFF_SHARES);
  g_autoptr(ScorchDiff) ba = scorch_diff_new (new_p, base, SCORCH_DIFF_SHARES);
  const ScorchDiffFunction *fa, *fb;
  guint na, nb, nna, nnb;

  fa = scorch_diff_get_functions (ab, &na);
  fb = scorch_diff_get_functions (ba, &nb);
  g_assert_cmpuint (na, ==, nb);
  scorch_diff_get_nodes (ab, &nna);
  scorch_diff_get_nodes (ba, &nnb);
  g_assert_cmpuint (nna, ==, nnb);

  for (guint i = 0; i < na; i++)
    {
      const ScorchDiffFunction *other = NULL;
      double d1, d2;

      for (guint j = 0; j < nb; j++)
        if (strcmp (fa[i].function, fb[j].function) == 0)
          other = &fb[j];
      g_assert_nonnull (other);
      /* Same order: |delta| is the same both ways. */
      g_assert_cmpstr (fa[i].function, ==, fb[i].function);
      {
        ScorchDiffChange c1 = scorch_diff_compare (ab, fa[i].base_self, fa[i].new_self, &d1);
        ScorchDiffChange c2 = scorch_diff_compare (ba, other->base_self, other->new_self, &d2);

        g_assert_cmpint (c1, ==, c2 == SCORCH_DIFF_HOTTER ? SCORCH_DIFF_COOLER :
                                 c2 == SCORCH_DIFF_COOLER ? SCORCH_DIFF_HOTTER : SCORCH_DIFF_NEUTRAL);
      }
      g_assert_cmpfloat_with_epsilon (d1, -d2, 1e-9);
      scorch_diff_compare (ab, fa[i].base_total, fa[i].new_total, &d1);
      scorch_diff_compare (ba, other->base_total, other->new_total, &d2);
      g_assert_cmpfloat_with_epsilon (d1, -d2, 1e-9);
    }
}

static void
test_one_side_only (void)
{
  g_autoptr(ScorchProfile) base = make_profile (base_lines, "/build-1/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchProfile) new_p = make_profile (new_lines, "/build-2/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchDiff) diff = scorch_diff_new (base, new_p, SCORCH_DIFF_SHARES);
  const ScorchDiffNode *only_base = find_node (diff, "main;only_base");
  const ScorchDiffNode *only_new = find_node (diff, "main;only_new");
  const ScorchDiffFunction *f;
  guint n_pn;

  g_assert_nonnull (only_base);
  g_assert_nonnull (only_new);
  g_assert_cmpuint (only_base->new_node, ==, SCORCH_NODE_NONE);
  g_assert_cmpuint (only_base->base_node, !=, SCORCH_NODE_NONE);
  g_assert_cmpuint (only_base->base_total, ==, 50);
  g_assert_cmpuint (only_base->new_total, ==, 0);
  g_assert_cmpuint (only_new->base_node, ==, SCORCH_NODE_NONE);
  g_assert_cmpuint (only_new->new_total, ==, 50);

  f = find_function (diff, "only_new");
  g_assert_cmpuint (f->base_frame, ==, G_MAXUINT32);
  g_assert_cmpuint (f->base_self, ==, 0);
  g_assert_cmpuint (f->new_self, ==, 50);
  g_assert_cmpint (scorch_diff_compare (diff, f->base_self, f->new_self, NULL), ==, SCORCH_DIFF_HOTTER);

  /* Every node of each side maps to a merged node that names it back. */
  for (guint s = SCORCH_DIFF_BASE; s <= SCORCH_DIFF_NEW; s++)
    {
      const ScorchDiffNode *nodes = scorch_diff_get_nodes (diff, NULL);

      scorch_profile_get_nodes (scorch_diff_get_profile (diff, s), &n_pn);
      for (guint i = 0; i < n_pn; i++)
        {
          guint32 m = scorch_diff_lookup_node (diff, s, i);

          g_assert_cmpuint (m, !=, SCORCH_NODE_NONE);
          g_assert_cmpuint (s == SCORCH_DIFF_BASE ? nodes[m].base_node : nodes[m].new_node, ==, i);
        }
      g_assert_cmpuint (scorch_diff_lookup_node (diff, s, n_pn), ==, SCORCH_NODE_NONE);
    }
}

static void
test_threshold (void)
{
  static const char *const ten_k[] = { "main 10000", NULL };
  static const char *const one_m[] = { "main 1000000", NULL };
  g_autoptr(ScorchProfile) a = make_profile (ten_k, "/p", "/libc", 0);
  g_autoptr(ScorchProfile) b = make_profile (ten_k, "/p", "/libc", 0);
  g_autoptr(ScorchDiff) small = scorch_diff_new (a, b, SCORCH_DIFF_RATES);
  g_autoptr(ScorchProfile) c = make_profile (one_m, "/p", "/libc", 0);
  g_autoptr(ScorchProfile) d = make_profile (one_m, "/p", "/libc", 0);
  g_autoptr(ScorchDiff) large = scorch_diff_new (c, d, SCORCH_DIFF_SHARES);
  double expected;

  /* No sample times: rates cannot be used. */
  g_assert_false (scorch_diff_can_use_rates (small));
  g_assert_cmpint (scorch_diff_get_mode (small), ==, SCORCH_DIFF_SHARES);

  /* 10k samples each, 1000 vs 1100: p = 0.105, 3 sd = 3 * 100 *
   * sqrt (0.105 * 0.895 * 2 / 10000) = 1.3006 points. */
  expected = 300 * sqrt (0.105 * 0.895 * 2.0 / 10000);
  g_assert_cmpfloat_with_epsilon (scorch_diff_get_threshold (small, 1000, 1100), expected, 1e-9);
  g_assert_cmpfloat_with_epsilon (expected, 1.3006, 1e-4);
  g_assert_cmpint (scorch_diff_compare (small, 1000, 1100, NULL), ==, SCORCH_DIFF_NEUTRAL);  /* +1.0 */
  g_assert_cmpint (scorch_diff_compare (small, 1000, 1140, NULL), ==, SCORCH_DIFF_HOTTER);   /* +1.4 */
  g_assert_cmpint (scorch_diff_compare (small, 1140, 1000, NULL), ==, SCORCH_DIFF_COOLER);

  /* 1M samples each: 3 sd is tiny, the 0.5-point floor rules. */
  g_assert_cmpfloat (scorch_diff_get_threshold (large, 0, 4000), ==, 0.5);
  g_assert_cmpint (scorch_diff_compare (large, 0, 4900, NULL), ==, SCORCH_DIFF_NEUTRAL);   /* +0.49 */
  g_assert_cmpint (scorch_diff_compare (large, 0, 5100, NULL), ==, SCORCH_DIFF_HOTTER);    /* +0.51 */
  g_assert_cmpint (scorch_diff_compare (large, 5100, 0, NULL), ==, SCORCH_DIFF_COOLER);
}

static void
test_folded (void)
{
  g_autoptr(ScorchProfile) base = make_profile (base_lines, "/build-1/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchProfile) new_p = make_profile (new_lines, "/build-2/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchDiff) diff = scorch_diff_new (base, new_p, SCORCH_DIFF_SHARES);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (scorch_diff_write_folded (diff, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  lines = g_strsplit (text, "\n", -1);
  g_assert_true (g_strv_contains ((const char *const *) lines, "main;work;hot 300 600"));
  g_assert_true (g_strv_contains ((const char *const *) lines, "main;work;cold 500 500"));
  g_assert_true (g_strv_contains ((const char *const *) lines, "main;memcpy 150 150"));
  g_assert_true (g_strv_contains ((const char *const *) lines, "main;only_base 50 0"));
  g_assert_true (g_strv_contains ((const char *const *) lines, "main;only_new 0 50"));
  g_assert_cmpuint (g_strv_length (lines), ==, 5 + 1);
}

/* Names that hold a separator cannot run two frames together. */
static void
test_hostile_names (void)
{
  static const char *const lines_a[] = { "main;a:b 10", NULL };
  g_autoptr(ScorchProfileBuilder) b = scorch_profile_builder_new ();
  g_autoptr(ScorchProfile) evil = NULL;
  g_autoptr(ScorchProfile) plain = make_profile (lines_a, "/p", "/libc", 0);
  g_autoptr(ScorchDiff) diff = NULL;
  guint32 frames[2];
  guint n;

  frames[0] = scorch_profile_builder_intern_frame (b, "main", "/p", NULL, 0, SCORCH_FRAME_KIND_USER);
  frames[1] = scorch_profile_builder_intern_frame (b, "a;b", "/p", NULL, 0, SCORCH_FRAME_KIND_USER);
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 0, .pid = 1, .tid = 1,
                                                                 .frames = frames, .n_frames = 2, .weight = 10 });
  evil = scorch_profile_builder_end (g_steal_pointer (&b));
  diff = scorch_diff_new (plain, evil, SCORCH_DIFF_SHARES);
  scorch_diff_get_functions (diff, &n);
  /* main, "a:b", "a;b": the names differ, so do the functions. */
  g_assert_cmpuint (n, ==, 3);
}

/* Two selections of one capture (two threads, two time ranges) compare as
 * two captures do: filtered profiles share nodes and frames. */
static void
test_selections (void)
{
  g_autoptr(ScorchProfileBuilder) b = scorch_profile_builder_new ();
  g_autoptr(ScorchProfile) all = NULL;
  g_autoptr(ScorchProfile) t1 = NULL, t2 = NULL, early = NULL, late = NULL;
  g_autoptr(ScorchDiff) threads = NULL, times = NULL;
  guint32 m, x, y, s1[2], s2[2];
  const ScorchDiffFunction *f;

  m = scorch_profile_builder_intern_frame (b, "main", "/p", NULL, 0, SCORCH_FRAME_KIND_USER);
  x = scorch_profile_builder_intern_frame (b, "x", "/p", NULL, 0, SCORCH_FRAME_KIND_USER);
  y = scorch_profile_builder_intern_frame (b, "y", "/p", NULL, 0, SCORCH_FRAME_KIND_USER);
  s1[0] = s2[0] = m;
  s1[1] = x;
  s2[1] = y;
  /* thread 1: x 75, y 25 (times 1..100); thread 2: x 25, y 75 (times 101..200) */
  for (guint i = 0; i < 100; i++)
    {
      scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 1 + i, .pid = 1, .tid = 1,
                                                                     .frames = i < 75 ? s1 : s2, .n_frames = 2, .weight = 1 });
      scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 101 + i, .pid = 1, .tid = 2,
                                                                     .frames = i < 25 ? s1 : s2, .n_frames = 2, .weight = 1 });
    }
  all = scorch_profile_builder_end (g_steal_pointer (&b));

  {
    gint32 tid1 = 1, tid2 = 2;

    t1 = scorch_profile_filter (all, &tid1, 1, 0, G_MAXUINT64);
    t2 = scorch_profile_filter (all, &tid2, 1, 0, G_MAXUINT64);
  }
  early = scorch_profile_filter (all, NULL, 0, 0, 100);
  late = scorch_profile_filter (all, NULL, 0, 101, G_MAXUINT64);

  threads = scorch_diff_new (t1, t2, SCORCH_DIFF_SHARES);
  times = scorch_diff_new (early, late, SCORCH_DIFF_RATES);
  g_assert_cmpint (scorch_diff_get_mode (times), ==, SCORCH_DIFF_RATES);

  for (guint k = 0; k < 2; k++)
    {
      ScorchDiff *diff = k == 0 ? threads : times;
      double delta;

      g_assert_cmpuint (scorch_diff_get_n_samples (diff, SCORCH_DIFF_BASE), ==, 100);
      g_assert_cmpuint (scorch_diff_get_n_samples (diff, SCORCH_DIFF_NEW), ==, 100);
      f = find_function (diff, "x");
      g_assert_cmpuint (f->base_self, ==, 75);
      g_assert_cmpuint (f->new_self, ==, 25);
      g_assert_cmpint (scorch_diff_compare (diff, f->base_self, f->new_self, &delta), ==, SCORCH_DIFF_COOLER);
      if (k == 0)
        g_assert_cmpfloat_with_epsilon (delta, -50.0, 1e-9);
      f = find_function (diff, "y");
      g_assert_cmpint (scorch_diff_compare (diff, f->base_self, f->new_self, NULL), ==, SCORCH_DIFF_HOTTER);
      f = find_function (diff, "main");
      g_assert_cmpint (scorch_diff_compare (diff, f->base_total, f->new_total, NULL), ==, SCORCH_DIFF_NEUTRAL);
    }
}

/* The renderer's diff colouring: red for hot's path node, blue for cold,
 * grey within the noise, the one-sided frame flagged; in the inverse view
 * (baseline's shape) the same changes, seen from the base's nodes. */
static void
test_renderer_colours (void)
{
  g_autoptr(ScorchProfile) base = make_profile (base_lines, "/build-1/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchProfile) new_p = make_profile (new_lines, "/build-2/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchDiff) diff = scorch_diff_new (base, new_p, SCORCH_DIFF_SHARES);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();

  for (guint side = SCORCH_DIFF_BASE; side <= SCORCH_DIFF_NEW; side++)
    {
      ScorchProfile *shown = scorch_diff_get_profile (diff, side);
      const ScorchNode *nodes;
      guint n;

      scorch_flame_renderer_set_diff (renderer, diff, side);
      nodes = scorch_profile_get_nodes (shown, &n);
      for (guint i = 1; i < n; i++)
        {
          const char *name = scorch_profile_get_frame (shown, nodes[i].frame)->function;
          ScorchFlameRect rect = { .node = i, .n_merged = 1 };
          ScorchFlameRectDiff d;
          ScorchFlameColor fill;

          g_assert_true (scorch_flame_renderer_get_rect_diff (renderer, shown, &rect, &d));
          scorch_flame_renderer_get_rect_colors (renderer, shown, &rect, &fill, NULL);
          if (g_str_equal (name, "hot") || g_str_equal (name, "only_new"))
            {
              g_assert_cmpint (d.change, ==, SCORCH_DIFF_HOTTER);
              g_assert_cmpfloat (fill.red, >, fill.blue + 0.1);
            }
          else if (g_str_equal (name, "cold") || g_str_equal (name, "only_base"))
            {
              g_assert_cmpint (d.change, ==, SCORCH_DIFF_COOLER);
              g_assert_cmpfloat (fill.blue, >, fill.red + 0.1);
            }
          else
            {
              /* main 100 % both; work 80 -> 84.6 and memcpy 15 -> 11.5 are
               * within 3 sd at 1000 and 1300 samples */
              g_assert_cmpint (d.change, ==, SCORCH_DIFF_NEUTRAL);
              g_assert_cmpfloat (fabs (fill.red - fill.blue), <, 0.1);
            }
          g_assert_cmpint (d.only_here, ==, g_str_has_prefix (name, "only_"));
        }
      /* Another profile than the diff's side: no diff figures, grey. */
      {
        ScorchFlameRect rect = { .node = 1, .n_merged = 1 };
        ScorchFlameRectDiff d;

        g_assert_false (scorch_flame_renderer_get_rect_diff (renderer, scorch_diff_get_profile (diff, !side),
                                                             &rect, &d));
      }
    }

  /* Stronger change, stronger colour. */
  {
    ScorchFlameColor weak, strong;

    scorch_flame_diff_color (SCORCH_DIFF_HOTTER, 0.25, FALSE, &weak);
    scorch_flame_diff_color (SCORCH_DIFF_HOTTER, 1.0, FALSE, &strong);
    g_assert_cmpfloat (strong.green, <, weak.green);
  }
}

/* The differential SVG with hostile names is well-formed, has a legend and
 * says the change in each frame's title. */
static void
test_export_svg (void)
{
  static const char *const evil_lines[] = {
    "main;<script>&\"x\" 30",
    "main;work;hot 600",
    NULL,
  };
  g_autoptr(ScorchProfile) base = make_profile (base_lines, "/build-1/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchProfile) new_p = make_profile (evil_lines, "/build-2/prog", "/usr/lib/libc.so.6", 1);
  g_autoptr(ScorchDiff) diff = scorch_diff_new (base, new_p, SCORCH_DIFF_SHARES);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *svg = NULL;
  ScorchFlameExportOptions options = { 0 };

  options.diff = diff;
  options.diff_side = SCORCH_DIFF_NEW;
  /* the diff's NEW profile must be the one drawn */
  g_assert_false (scorch_flame_export_svg (base, &options, out, NULL, &error));
  g_assert_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_true (scorch_flame_export_svg (new_p, &options, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  svg = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

  g_assert_nonnull (strstr (svg, "<g class=\"legend\">"));
  g_assert_nonnull (strstr (svg, "<g class=\"frame hotter\"><title>hot (600 samples"));
  g_assert_nonnull (strstr (svg, "class=\"frame hotter only-here\"><title>&lt;script&gt;&amp;&quot;x&quot;"));
  g_assert_nonnull (strstr (svg, "stroke-dasharray"));
  /* The hostile name is escaped: the only script is the SVG's own
   * (<script type="text/ecmascript">, the interactive part). */
  g_assert_null (strstr (svg, "<script>"));
  /* hot: 30 % -> 600/630 = 95.24 % */
  g_assert_nonnull (strstr (svg, "base 30.00% → new 95.24% (+65.24)"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/diff/self-is-zero", test_self_is_zero);
  g_test_add_func ("/libscorch/diff/known-answer", test_known_answer);
  g_test_add_func ("/libscorch/diff/swap-negates", test_swap_negates);
  g_test_add_func ("/libscorch/diff/one-side-only", test_one_side_only);
  g_test_add_func ("/libscorch/diff/threshold", test_threshold);
  g_test_add_func ("/libscorch/diff/folded", test_folded);
  g_test_add_func ("/libscorch/diff/hostile-names", test_hostile_names);
  g_test_add_func ("/libscorch/diff/selections", test_selections);
  g_test_add_func ("/libscorch/diff/renderer-colours", test_renderer_colours);
  g_test_add_func ("/libscorch/diff/export-svg", test_export_svg);

  return g_test_run ();
}
