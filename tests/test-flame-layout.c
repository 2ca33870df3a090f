/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-flame-layout.c: tests of scorch-flame-layout.c */

#include "config.h"

#include <math.h>
#include <string.h>

#include "scorch-flame-layout.h"
#include "scorch-folded.h"
#include "gregex-reference.h"

static ScorchProfile *
parse (const char *folded)
{
  g_autoptr(GError) error = NULL;
  ScorchProfile *profile = scorch_folded_parse (folded, strlen (folded), &error);

  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

static const char *
rect_name (ScorchProfile         *profile,
           const ScorchFlameRect *rect)
{
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);

  return scorch_profile_get_frame (profile, nodes[rect->node].frame)->function;
}

static const ScorchFlameRect *
find_rect (ScorchFlameLayout *layout,
           const char        *name)
{
  ScorchProfile *profile = scorch_flame_layout_get_profile (layout);
  const ScorchFlameRect *rects;
  guint n;

  rects = scorch_flame_layout_get_rects (layout, &n);
  for (guint i = 0; i < n; i++)
    if (!(rects[i].flags & SCORCH_FLAME_RECT_MERGED) && strcmp (rect_name (profile, &rects[i]), name) == 0)
      return &rects[i];

  return NULL;
}

static void
viewport_init (ScorchFlameViewport    *vp,
               double                  width,
               double                  height,
               ScorchFlameOrientation  orientation)
{
  memset (vp, 0, sizeof *vp);
  vp->x_begin = 0;
  vp->x_end = 1;
  vp->width = width;
  vp->height = height;
  vp->row_height = 20;
  vp->orientation = orientation;
}

static void
check_sorted_and_hits (ScorchFlameLayout *layout)
{
  const ScorchFlameRect *rects;
  guint n;

  rects = scorch_flame_layout_get_rects (layout, &n);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_assert_true (rects[i - 1].row < rects[i].row ||
                       (rects[i - 1].row == rects[i].row && rects[i - 1].x + rects[i - 1].width <= rects[i].x + 1e-6));
      g_assert_cmpint (scorch_flame_layout_hit_test (layout,
                                                     rects[i].x + rects[i].width / 2,
                                                     rects[i].y + 10), ==, (gint) i);
    }
}

static void
test_proportional (void)
{
  g_autoptr(ScorchProfile) profile = parse ("a;b 30\na;c 10\nd 60\n");
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  ScorchFlameViewport vp;
  const ScorchFlameRect *r;
  guint n;

  viewport_init (&vp, 1000, 400, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, ==, 5); /* root, d, a, b, c */
  g_assert_cmpuint (scorch_flame_layout_get_n_rows (layout), ==, 3);

  r = find_rect (layout, "d");
  g_assert_nonnull (r);
  g_assert_cmpfloat_with_epsilon (r->x, 0, 1e-9);      /* widest first */
  g_assert_cmpfloat_with_epsilon (r->width, 600, 1e-9);
  g_assert_cmpuint (r->row, ==, 1);
  g_assert_cmpfloat_with_epsilon (r->y, 20, 1e-9);

  r = find_rect (layout, "a");
  g_assert_cmpfloat_with_epsilon (r->x, 600, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->width, 400, 1e-9);
  r = find_rect (layout, "b");
  g_assert_cmpfloat_with_epsilon (r->x, 600, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->width, 300, 1e-9);
  g_assert_cmpuint (r->total, ==, 30);
  r = find_rect (layout, "c");
  g_assert_cmpfloat_with_epsilon (r->x, 900, 1e-9);
  g_assert_cmpfloat_with_epsilon (r->width, 100, 1e-9);
  g_assert_cmpuint (r->row, ==, 2);

  check_sorted_and_hits (layout);
  g_assert_cmpint (scorch_flame_layout_hit_test (layout, 950, 70), ==, -1); /* nothing in row 3 */
  g_assert_cmpint (scorch_flame_layout_hit_test (layout, 950, 50), ==,
                   scorch_flame_layout_find_node (layout, find_rect (layout, "c")->node));
}

static void
test_orientation (void)
{
  g_autoptr(ScorchProfile) profile = parse ("a;b 30\na;c 10\nd 60\n");
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  ScorchFlameViewport vp;
  const ScorchFlameRect *r;

  /* Flame: the root on the bottom row of the viewport. */
  viewport_init (&vp, 1000, 400, SCORCH_FLAME_ORIENTATION_FLAME);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  g_assert_cmpfloat (scorch_flame_layout_get_content_height (layout), ==, 400);
  r = scorch_flame_layout_get_rects (layout, &(guint) { 0 });
  g_assert_cmpuint (r[0].row, ==, 0);
  g_assert_cmpfloat_with_epsilon (r[0].y, 380, 1e-9);
  g_assert_cmpfloat_with_epsilon (find_rect (layout, "b")->y, 340, 1e-9);
  check_sorted_and_hits (layout);
  g_assert_cmpint (scorch_flame_layout_hit_test (layout, 10, 390), ==, 0);
  g_assert_cmpint (scorch_flame_layout_hit_test (layout, 10, 10), ==, -1);

  /* Taller than the viewport: scrolling to the bottom shows the root. */
  viewport_init (&vp, 1000, 40, SCORCH_FLAME_ORIENTATION_FLAME);
  vp.scroll_y = 20;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  g_assert_cmpfloat (scorch_flame_layout_get_content_height (layout), ==, 60);
  r = scorch_flame_layout_get_rects (layout, &(guint) { 0 });
  g_assert_cmpuint (r[0].row, ==, 0);
  g_assert_cmpfloat_with_epsilon (r[0].y, 20, 1e-9);
  g_assert_null (find_rect (layout, "b")); /* row 2 scrolled out */
  g_assert_nonnull (find_rect (layout, "d"));
  check_sorted_and_hits (layout);

  /* Icicle scrolled down one row: the root is out, b and c are in. */
  viewport_init (&vp, 1000, 40, SCORCH_FLAME_ORIENTATION_ICICLE);
  vp.scroll_y = 20;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  r = scorch_flame_layout_get_rects (layout, &(guint) { 0 });
  g_assert_cmpuint (r[0].row, ==, 1);
  g_assert_cmpfloat_with_epsilon (r[0].y, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (find_rect (layout, "c")->y, 20, 1e-9);
  check_sorted_and_hits (layout);
}

static void
test_zoom (void)
{
  g_autoptr(ScorchProfile) profile = parse ("main;a;b 30\nmain;a;c 10\nmain;d 60\n");
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  ScorchFlameViewport vp;
  const ScorchFlameRect *rects, *a, *b;
  guint n;

  viewport_init (&vp, 800, 400, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  a = find_rect (layout, "a");
  g_assert_nonnull (a);

  scorch_flame_layout_compute (layout, a->node, &vp);
  rects = scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, ==, 5); /* [all], main (ancestors), a, b, c */
  g_assert_true (rects[0].flags & SCORCH_FLAME_RECT_ANCESTOR);
  g_assert_true (rects[1].flags & SCORCH_FLAME_RECT_ANCESTOR);
  g_assert_cmpstr (rect_name (profile, &rects[1]), ==, "main");
  g_assert_cmpfloat_with_epsilon (rects[1].width, 800, 1e-9);
  g_assert_true (rects[2].flags & SCORCH_FLAME_RECT_ZOOM);
  g_assert_cmpfloat_with_epsilon (rects[2].width, 800, 1e-9);
  g_assert_null (find_rect (layout, "d"));
  b = find_rect (layout, "b");
  g_assert_cmpfloat_with_epsilon (b->width, 600, 1e-9);
  g_assert_cmpuint (scorch_flame_layout_get_n_rows (layout), ==, 4);
  check_sorted_and_hits (layout);

  /* A horizontal zoom into the right half of the whole graph. */
  vp.x_begin = 0.5;
  vp.x_end = 1.0;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  /* d is [0, 0.6): its right sixth shows, clipped to the viewport */
  g_assert_cmpfloat_with_epsilon (find_rect (layout, "d")->x, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (find_rect (layout, "d")->width, 160, 1e-9);
  a = find_rect (layout, "a");              /* a is [0.6, 1.0) */
  g_assert_cmpfloat_with_epsilon (a->x, 160, 1e-9);
  g_assert_cmpfloat_with_epsilon (a->width, 640, 1e-9);
  g_assert_cmpfloat_with_epsilon (find_rect (layout, "c")->width, 160, 1e-9);
  check_sorted_and_hits (layout);
}

static void
test_merge (void)
{
  g_autoptr(GString) folded = g_string_new ("main;hot 1000\n");
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchFlameLayout) layout = NULL;
  const ScorchFlameRect *rects;
  ScorchFlameViewport vp;
  guint n, n_merged = 0;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (folded, "main;cold%u;deeper 1\n", i);
  profile = parse (folded->str);
  layout = scorch_flame_layout_new (profile);

  viewport_init (&vp, 500, 400, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  rects = scorch_flame_layout_get_rects (layout, &n);
  for (guint i = 0; i < n; i++)
    if (rects[i].flags & SCORCH_FLAME_RECT_MERGED)
      {
        n_merged++;
        g_assert_cmpuint (rects[i].n_merged, ==, 1000);
        g_assert_cmpuint (rects[i].total, ==, 1000);
        g_assert_cmpuint (rects[i].row, ==, 2);
        g_assert_cmpfloat_with_epsilon (rects[i].x, 250, 1e-9);
        g_assert_cmpfloat_with_epsilon (rects[i].width, 250, 1e-9);
      }
  g_assert_cmpuint (n_merged, ==, 1);
  g_assert_cmpuint (n, ==, 4); /* [all], main, hot, the merged run */
  g_assert_cmpuint (scorch_flame_layout_get_n_visited (layout), <, 10);
  g_assert_null (find_rect (layout, "deeper"));
  check_sorted_and_hits (layout);

  /* Wide enough, each cold frame is drawn again. */
  viewport_init (&vp, 2000 * 3, 400, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, ==, 3 + 2000);

  /* A higher threshold merges them again. */
  vp.min_width = 4;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, ==, 4);
}

static void
test_inverted (void)
{
  g_autoptr(ScorchProfile) profile = parse ("main;a;leaf1 30\nmain;b;leaf1 20\nmain;leaf2 50\nmain;c;leaf3 5\n");
  g_autoptr(ScorchProfile) inverted = scorch_profile_dup_inverted (profile);
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (inverted);
  const ScorchFlameRect *rects;
  ScorchFlameViewport vp;
  guint begin, end;

  viewport_init (&vp, 1050, 400, SCORCH_FLAME_ORIENTATION_FLAME);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  rects = scorch_flame_layout_get_rects (layout, &(guint) { 0 });
  scorch_flame_layout_get_row_range (layout, 1, &begin, &end);
  g_assert_cmpuint (end - begin, ==, 3);
  /* The hottest leaves at the base: leaf1 (50) and leaf2 (50), leaf3 (5). */
  g_assert_cmpstr (rect_name (inverted, &rects[begin]), ==, "leaf1");
  g_assert_cmpfloat_with_epsilon (rects[begin].width, 500, 1e-9);
  g_assert_cmpstr (rect_name (inverted, &rects[begin + 1]), ==, "leaf2");
  g_assert_cmpstr (rect_name (inverted, &rects[begin + 2]), ==, "leaf3");
  g_assert_cmpfloat_with_epsilon (rects[begin + 2].width, 50, 1e-9);
  /* Above leaf1, its callers a (30) and b (20). */
  scorch_flame_layout_get_row_range (layout, 2, &begin, &end);
  g_assert_cmpstr (rect_name (inverted, &rects[begin]), ==, "a");
  g_assert_cmpfloat_with_epsilon (rects[begin].width, 300, 1e-9);
  g_assert_cmpstr (rect_name (inverted, &rects[begin + 1]), ==, "b");
  check_sorted_and_hits (layout);
}

static void
test_filtered (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchProfile) filtered = NULL;
  g_autoptr(ScorchFlameLayout) layout = NULL;
  const ScorchFlameRect *rects;
  ScorchFlameViewport vp;
  guint32 f[3];
  gint32 tid = 2;
  guint n;

  f[0] = scorch_profile_builder_intern_frame (builder, "main", "app", NULL, 0, SCORCH_FRAME_KIND_USER);
  f[1] = scorch_profile_builder_intern_frame (builder, "one", "app", NULL, 0, SCORCH_FRAME_KIND_USER);
  f[2] = scorch_profile_builder_intern_frame (builder, "two", "app", NULL, 0, SCORCH_FRAME_KIND_USER);
  scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 1, .pid = 1, .tid = 1,
                                                                       .frames = (guint32[]) { f[0], f[1] }, .n_frames = 2, .weight = 10 });
  scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 2, .pid = 1, .tid = 2,
                                                                       .frames = (guint32[]) { f[0], f[2] }, .n_frames = 2, .weight = 10 });
  profile = scorch_profile_builder_end (g_steal_pointer (&builder));
  filtered = scorch_profile_filter (profile, &tid, 1, 0, G_MAXUINT64);
  layout = scorch_flame_layout_new (filtered);

  viewport_init (&vp, 100, 100, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  rects = scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, ==, 3);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (rects[i].total, >, 0);
  g_assert_null (find_rect (layout, "one"));
  g_assert_cmpfloat_with_epsilon (find_rect (layout, "two")->width, 100, 1e-9);
}

/* A big random tree: the layout must look at about as many nodes as it draws. */
static void
test_cost (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchFlameLayout) layout = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  ScorchFlameViewport vp;
  guint32 frames[64], stack[24];
  guint n_nodes, n_rects;

  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autofree char *name = g_strdup_printf ("function_%u", i);
      frames[i] = scorch_profile_builder_intern_frame (builder, name, "mod", NULL, 0, SCORCH_FRAME_KIND_USER);
    }
  for (guint s = 0; s < 60000; s++)
    {
      guint depth = 4 + g_rand_int_range (rand, 0, 20);

      for (guint d = 0; d < depth; d++)
        stack[d] = frames[g_rand_int_range (rand, 0, d < 2 ? 3 : 64)];
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                           .frames = stack, .n_frames = depth, .weight = 1 });
    }
  profile = scorch_profile_builder_end (g_steal_pointer (&builder));
  scorch_profile_get_nodes (profile, &n_nodes);
  g_assert_cmpuint (n_nodes, >, 200000);

  layout = scorch_flame_layout_new (profile);
  viewport_init (&vp, 1000, 100000, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  scorch_flame_layout_get_rects (layout, &n_rects);
  g_test_message ("%u nodes, %u rects, %u visited", n_nodes, n_rects,
                  scorch_flame_layout_get_n_visited (layout));
  g_assert_cmpuint (scorch_flame_layout_get_n_visited (layout), <=, 2 * n_rects);
  g_assert_cmpuint (scorch_flame_layout_get_n_visited (layout), <, n_nodes / 20);
  check_sorted_and_hits (layout);

  /* The substring fast path agrees with gregex_match_frames(). */
  {
    const char *needles[] = { "function_1", "FUNCTION_63", "tion_4", "nothing", "_" };
    guint n_frames;

    scorch_profile_get_frames (profile, &n_frames);
    for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
      for (guint cs = 0; cs < 2; cs++)
        {
          g_autofree guint8 *fast = g_malloc0 (n_frames);
          g_autofree guint8 *slow = g_malloc0 (n_frames);
          g_autofree char *escaped = g_regex_escape_string (needles[i], -1);
          g_autoptr(GRegex) regex = g_regex_new (escaped, cs ? 0 : G_REGEX_CASELESS, 0, NULL);
          g_autoptr(GError) error = NULL;
          guint64 fast_matched = 0, slow_matched;

          g_assert_true (scorch_flame_search (profile, needles[i], FALSE, cs, fast, &fast_matched, &error));
          g_assert_no_error (error);
          slow_matched = gregex_match_frames (profile, regex, slow);
          g_assert_cmpuint (fast_matched, ==, slow_matched);
          g_assert_cmpmem (fast, n_frames, slow, n_frames);
        }
  }
}

static void
test_search (void)
{
  g_autoptr(ScorchProfile) profile = parse ("main;Alloc;alloc 10\nmain;b 5\nmain;x.y 1\n");
  g_autoptr(GError) error = NULL;
  guint8 matches[16];
  guint64 matched = 0;

  g_assert_true (scorch_flame_search (profile, "alloc", FALSE, FALSE, matches, &matched, &error));
  g_assert_cmpuint (matched, ==, 10); /* counted once under Alloc;alloc */
  g_assert_true (scorch_flame_search (profile, "alloc", FALSE, TRUE, matches, &matched, &error));
  g_assert_cmpuint (matched, ==, 10);
  g_assert_true (scorch_flame_search (profile, "x.y", FALSE, TRUE, matches, &matched, &error));
  g_assert_cmpuint (matched, ==, 1);
  g_assert_true (scorch_flame_search (profile, "^[ab]$", TRUE, TRUE, matches, &matched, &error));
  g_assert_cmpuint (matched, ==, 5);
  g_assert_true (scorch_flame_search (profile, "a.l", FALSE, FALSE, matches, &matched, &error));
  g_assert_cmpuint (matched, ==, 0);
  g_assert_false (scorch_flame_search (profile, "(", TRUE, FALSE, matches, &matched, &error));
  g_assert_nonnull (error);
}

/* The PCRE2 regex path agrees with gregex_match_frames() (GRegex)
 * on random patterns over names with Unicode, odd bytes and punctuation:
 * same matching frames, same sample count, same patterns rejected. */
static void
test_search_regex_random (void)
{
  static const char *names[] = {
    "main", "malloc", "Malloc", "_int_malloc", "std::vector<int>::push_back(int const&)",
    "Größe", "GRÖSSE", "naïve_sort", "été", "ÉTÉ", "x٣y", "digit9", "a.b", "a\rb",
    "bad\xff" "name", "caf\xc3", "[unknown]", "foo::bar::baz", "ABC", "abc", "a b", "ε",
  };
  static const char *atoms[] = {
    "a", "b", "c", "m", "M", "l", "o", "é", "É", "ö", "Ö", "ß", "ε", "Ε", "::", "<", "(", "\\(",
    ".", "\\w", "\\W", "\\d", "\\s", "\\b", "[a-f]", "[^a-z]", "[[:alpha:]]", "[[:upper:]]",
    "\\p{Lu}", "\\p{L}", "^", "$", "(a|b)", "(?:ma|ba)", "(?i)", "\\R", "\\x{e9}", "\\",
    "[", "]", ")", "*", "+", "?", "{2}", "|",
  };
  static const char *quantifiers[] = { "", "", "", "*", "+", "?", "{1,2}", "*?" };
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(ScorchProfile) profile = NULL;
  guint32 frames[G_N_ELEMENTS (names)];
  guint n_frames, n_compared = 0, n_rejected = 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    frames[i] = scorch_profile_builder_intern_frame (builder, names[i], i % 2 ? "libx.so" : "mod",
                                                     NULL, 0, SCORCH_FRAME_KIND_USER);
  /* The same function in another module: a second frame, same name. */
  scorch_profile_builder_intern_frame (builder, "malloc", "libc.so", NULL, 0, SCORCH_FRAME_KIND_USER);
  for (guint s = 0; s < 2000; s++)
    {
      guint32 stack[8];
      guint depth = 1 + g_test_rand_int_range (0, 8);

      for (guint d = 0; d < depth; d++)
        stack[d] = frames[g_test_rand_int_range (0, G_N_ELEMENTS (names))];
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                           .frames = stack, .n_frames = depth, .weight = 1 + s % 3 });
    }
  profile = scorch_profile_builder_end (g_steal_pointer (&builder));
  scorch_profile_get_frames (profile, &n_frames);

  for (guint t = 0; t < 600; t++)
    {
      g_autoptr(GString) pattern = g_string_new (NULL);
      guint n_atoms = 1 + g_test_rand_int_range (0, 4);
      gboolean cs = g_test_rand_bit ();
      g_autoptr(GRegex) regex = NULL;
      g_autoptr(GError) slow_error = NULL;
      g_autoptr(GError) fast_error = NULL;
      g_autofree guint8 *fast = g_malloc0 (n_frames);
      g_autofree guint8 *slow = g_malloc0 (n_frames);
      guint64 fast_matched = 0, slow_matched;
      gboolean ok;

      for (guint a = 0; a < n_atoms; a++)
        {
          g_string_append (pattern, atoms[g_test_rand_int_range (0, G_N_ELEMENTS (atoms))]);
          g_string_append (pattern, quantifiers[g_test_rand_int_range (0, G_N_ELEMENTS (quantifiers))]);
        }

      regex = g_regex_new (pattern->str, cs ? 0 : G_REGEX_CASELESS, 0, &slow_error);
      ok = scorch_flame_search (profile, pattern->str, TRUE, cs, fast, &fast_matched, &fast_error);
      if (regex == NULL)
        {
          g_assert_false (ok);
          g_assert_error (fast_error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE);
          n_rejected++;
          continue;
        }
      if (!ok)
        g_error ("/%s/ (case %s): GRegex compiles it, the fast path says %s",
                 pattern->str, cs ? "sensitive" : "folded", fast_error->message);
      slow_matched = gregex_match_frames (profile, regex, slow);
      for (guint f = 0; f < n_frames; f++)
        if (fast[f] != slow[f])
          g_error ("/%s/ (case %s) on \"%s\": fast %d, GRegex %d", pattern->str,
                   cs ? "sensitive" : "folded",
                   scorch_profile_get_frames (profile, &n_frames)[f].function, fast[f], slow[f]);
      g_assert_cmpuint (fast_matched, ==, slow_matched);
      n_compared++;
    }
  g_test_message ("%u patterns compared, %u rejected by both", n_compared, n_rejected);
  g_assert_cmpuint (n_compared, >, 300);
  g_assert_cmpuint (n_rejected, >, 10);
}

/* A deep stack holding 1 sample of 10000: at 1000 px its frames are a
 * tenth of a pixel, so its rows are not part of the scrollable content;
 * zoomed in horizontally or into it, they are. */
static void
test_trim_rows (void)
{
  g_autoptr(GString) folded = g_string_new ("main;a;b 9999\n");
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchFlameLayout) layout = NULL;
  const ScorchFlameRect *rects;
  ScorchFlameViewport vp;
  guint n_rects, max_row = 0;
  gint deep;

  g_string_append (folded, "main;a;c");
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (folded, ";deep_%u", i);
  g_string_append (folded, " 1\n");
  profile = parse (folded->str);
  layout = scorch_flame_layout_new (profile);

  viewport_init (&vp, 1000, 2000, SCORCH_FLAME_ORIENTATION_FLAME);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  /* [all], main, a, b (and c's 0.1 px placeholder is not drawn). */
  g_assert_cmpuint (scorch_flame_layout_get_n_rows (layout), ==, 4);
  g_assert_cmpfloat (scorch_flame_layout_get_content_height (layout), ==, 2000);
  rects = scorch_flame_layout_get_rects (layout, &n_rects);
  for (guint i = 0; i < n_rects; i++)
    max_row = MAX (max_row, rects[i].row);
  g_assert_cmpuint (max_row + 1, ==, scorch_flame_layout_get_n_rows (layout));
  /* Flame: the root row sits at the bottom of the content. */
  g_assert_cmpfloat (scorch_flame_layout_row_to_content_y (layout, 0), ==, 2000 - vp.row_height);

  /* A short viewport: the content is the 4 drawn rows, not 44. */
  vp.height = vp.row_height;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  g_assert_cmpfloat (scorch_flame_layout_get_content_height (layout), ==, 4 * vp.row_height);

  /* 10000x horizontal zoom: c's chain is 1 px wide, every row is drawn. */
  vp.x_begin = 0.9999;
  vp.x_end = 1.0;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  g_assert_cmpuint (scorch_flame_layout_get_n_rows (layout), ==, 44);
  g_assert_cmpuint (scorch_flame_layout_count_drawn_rows (layout, SCORCH_PROFILE_ROOT, 1000, 0, 1, 0), ==, 4);

  /* Zoomed into c: all of its chain. */
  vp.x_begin = 0;
  vp.x_end = 1;
  vp.height = 2000;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  rects = scorch_flame_layout_get_rects (layout, &n_rects);
  deep = -1;
  for (guint i = 0; i < n_rects; i++)
    if (rects[i].row == 2)
      deep = (gint) rects[i].node; /* a */
  g_assert_cmpint (deep, >=, 0);
  g_assert_cmpuint (scorch_flame_layout_count_drawn_rows (layout, (guint32) deep, 1000, 0, 1, 0), ==, 4);
  {
    const guint32 *children;
    guint n_children;

    children = scorch_flame_layout_get_children (layout, (guint32) deep, &n_children);
    g_assert_cmpuint (n_children, ==, 2);
    scorch_flame_layout_compute (layout, children[1], &vp); /* c */
    g_assert_cmpuint (scorch_flame_layout_get_n_rows (layout), ==, 44);
  }
}

/* The children order and the drawn rows on random trees with many equal
 * totals (ties sorted by name, then by node), against a plain reference:
 * small families take the insertion sort, large ones g_qsort_with_data,
 * and the rows under every zoom root the one-pass widest[] computation. */
typedef struct
{
  ScorchProfile    *profile;
  const ScorchNode *nodes;
  const guint64    *total;
} RefData;

static int
ref_compare (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const RefData *ref = user_data;
  guint32 na = *(const guint32 *) a, nb = *(const guint32 *) b;
  int cmp;

  if (ref->total[na] != ref->total[nb])
    return ref->total[na] > ref->total[nb] ? -1 : 1;
  cmp = strcmp (scorch_profile_get_frame (ref->profile, ref->nodes[na].frame)->function,
                scorch_profile_get_frame (ref->profile, ref->nodes[nb].frame)->function);
  return cmp != 0 ? cmp : (na < nb ? -1 : na > nb);
}

/* Rows drawn under ZOOM: its depth + 1, and one more per level below it
 * where some node's children together are at least MIN_PX wide. */
static guint
ref_drawn_rows (ScorchProfile *profile,
                guint32        zoom,
                double         width,
                double         min_px)
{
  guint n_nodes;
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, &n_nodes);
  const guint64 *total = scorch_profile_get_node_total (profile);
  const guint64 *self = scorch_profile_get_node_self (profile);
  g_autofree guint64 *widest = g_new0 (guint64, 256);
  guint rows = nodes[zoom].depth + 1, max_k = 0;

  if (total[zoom] == 0)
    return rows;
  for (guint32 n = zoom; n < n_nodes; n++)
    {
      guint32 a = n;
      guint k;

      /* in the subtree through nodes with samples */
      while (a != zoom && a != SCORCH_NODE_NONE && total[a] > 0 && a > zoom)
        a = nodes[a].parent;
      if (a != zoom || total[n] == 0)
        continue;
      k = nodes[n].depth - nodes[zoom].depth;
      widest[k] = MAX (widest[k], total[n] - self[n]);
      max_k = MAX (max_k, k);
    }
  for (guint k = 0; k < max_k && widest[k] * (width / (double) total[zoom]) >= min_px; k++)
    rows++;
  return rows;
}

static void
test_random_trees (void)
{
  static const char *names[] = { "b", "a", "c", "aa", "d", "b2" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1313);

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(GString) folded = g_string_new (NULL);
      g_autoptr(ScorchProfile) profile = NULL;
      g_autoptr(ScorchFlameLayout) layout = NULL;
      const ScorchNode *nodes;
      guint n_nodes;
      RefData ref;

      for (guint i = 0; i < 60; i++)
        {
          guint depth = g_rand_int_range (rand, 1, 7);

          g_string_append (folded, "main");
          for (guint d = 0; d < depth; d++)
            g_string_append_printf (folded, ";%s", names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))]);
          g_string_append_printf (folded, " %d\n", g_rand_int_range (rand, 1, 4));
        }
      /* a family of 30, larger than the insertion sort takes */
      for (guint i = 0; i < 30; i++)
        g_string_append_printf (folded, "main;wide;f%u %d\n", i % 23, g_rand_int_range (rand, 1, 3));
      profile = parse (folded->str);
      layout = scorch_flame_layout_new (profile);
      nodes = scorch_profile_get_nodes (profile, &n_nodes);
      ref.profile = profile;
      ref.nodes = nodes;
      ref.total = scorch_profile_get_node_total (profile);

      for (guint32 node = 0; node < n_nodes; node++)
        {
          g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (guint32));
          const guint32 *children;
          guint n_children;

          for (guint32 c = node + 1; c < n_nodes; c++)
            if (nodes[c].parent == node && ref.total[c] > 0)
              g_array_append_val (expected, c);
          g_array_sort_with_data (expected, ref_compare, &ref);
          children = scorch_flame_layout_get_children (layout, node, &n_children);
          g_assert_cmpuint (n_children, ==, expected->len);
          for (guint i = 0; i < n_children; i++)
            g_assert_cmpuint (children[i], ==, g_array_index (expected, guint32, i));
        }
      /* every zoom root, in an order that changes the cached one */
      for (guint32 node = n_nodes; node-- > 0;)
        for (double width = 50; width <= 5000; width *= 10)
          g_assert_cmpuint (scorch_flame_layout_count_drawn_rows (layout, node, width, 0, 1, 1.0), ==,
                            ref_drawn_rows (profile, node, width, 1.0));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/flame-layout/proportional", test_proportional);
  g_test_add_func ("/libscorch/flame-layout/orientation", test_orientation);
  g_test_add_func ("/libscorch/flame-layout/zoom", test_zoom);
  g_test_add_func ("/libscorch/flame-layout/merge", test_merge);
  g_test_add_func ("/libscorch/flame-layout/inverted", test_inverted);
  g_test_add_func ("/libscorch/flame-layout/filtered", test_filtered);
  g_test_add_func ("/libscorch/flame-layout/cost", test_cost);
  g_test_add_func ("/libscorch/flame-layout/search", test_search);
  g_test_add_func ("/libscorch/flame-layout/trim-rows", test_trim_rows);
  g_test_add_func ("/libscorch/flame-layout/search-regex-random", test_search_regex_random);
  g_test_add_func ("/libscorch/flame-layout/random-trees", test_random_trees);

  return g_test_run ();
}
