/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-flame.c: flame graph redraw and search times at 2560x1440
 *
 *   bench-flame [--only=synthetic-1M|deep|capture] [FOLDED]
 *
 * Profiles: a synthetic one with about a million nodes, a deep one
 * (recursive descent, stacks of a few hundred frames) and, when given, a
 * real capture as folded stacks.  For each: layout alone, a full redraw
 * (layout + render, labels cached after the first), the first (cold)
 * redraw, and a search highlight (regex over every frame, samples under
 * matches counted once, then a redraw).  Medians; the reference is a
 * plain fill of the same surface measured in the same run. */

#include "config.h"

#include <string.h>

#include "scorch-flame-renderer.h"
#include "scorch-folded.h"
#include "gregex-reference.h"

#define WIDTH 2560
#define HEIGHT 1440
#define RUNS 31

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof (double), compare_doubles);
  return v[n / 2];
}

static ScorchProfile *
make_wide (guint target_nodes)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  guint n_frames = 200000;
  g_autofree guint32 *frames = g_new (guint32, n_frames);
  guint32 stack[64];
  guint64 approx = 0;

  for (guint i = 0; i < n_frames; i++)
    {
      g_autofree char *name = g_strdup_printf ("project::module_%u::function_%u", i % 97, i);
      frames[i] = scorch_profile_builder_intern_frame (builder, name, "/usr/lib/libsynthetic.so",
                                                       NULL, 0, SCORCH_FRAME_KIND_USER);
    }
  for (guint s = 0; approx < target_nodes; s++)
    {
      guint depth = 8 + g_rand_int_range (rand, 0, 40);

      for (guint d = 0; d < depth; d++)
        {
          guint pool = d < 8 ? (1u << d) + 1 : n_frames;
          stack[d] = frames[g_rand_int_range (rand, 0, pool)];
        }
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                           .frames = stack, .n_frames = depth, .weight = 1 + g_rand_int_range (rand, 0, 3) });
      approx += depth > 9 ? depth - 9 : 1; /* roughly the new nodes */
    }

  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

static ScorchProfile *
make_deep (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);
  const char *names[] = { "parse_expression", "parse_term", "parse_factor", "parse_primary",
                          "eval_node", "visit_children", "apply_rule", "match_pattern" };
  guint32 frames[G_N_ELEMENTS (names) + 3];
  guint32 stack[600];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    frames[i] = scorch_profile_builder_intern_frame (builder, names[i], "/usr/bin/interp", "interp.c", 100 + i,
                                                     SCORCH_FRAME_KIND_USER);
  frames[8] = scorch_profile_builder_intern_frame (builder, "main", "/usr/bin/interp", NULL, 0, SCORCH_FRAME_KIND_USER);
  frames[9] = scorch_profile_builder_intern_frame (builder, "malloc", "/usr/lib/libc.so.6", NULL, 0, SCORCH_FRAME_KIND_USER);
  frames[10] = scorch_profile_builder_intern_frame (builder, "page_fault", "[kernel.kallsyms]", NULL, 0, SCORCH_FRAME_KIND_KERNEL);

  /* A recursive interpreter: 64 code paths of 100 to 500 frames, samples
   * landing anywhere along them, a quarter in malloc and the kernel. */
  {
    guint32 paths[64][500];
    guint lengths[64];

    for (guint p = 0; p < 64; p++)
      {
        lengths[p] = 100 + g_rand_int_range (rand, 0, 400);
        paths[p][0] = frames[8];
        for (guint d = 1; d < lengths[p]; d++)
          paths[p][d] = d < 20 + p ? frames[d % 8] : frames[g_rand_int_range (rand, 0, 8)];
      }
    for (guint s = 0; s < 200000; s++)
      {
        guint p = g_rand_int_range (rand, 0, 64);
        guint n = lengths[p] - g_rand_int_range (rand, 0, 20);

        memcpy (stack, paths[p], n * sizeof (guint32));
        if (g_rand_int_range (rand, 0, 4) == 0)
          {
            stack[n++] = frames[9];
            stack[n++] = frames[10];
          }
        scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                             .frames = stack, .n_frames = n, .weight = 1 });
      }
  }

  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

static void
bench_profile (const char    *what,
               ScorchProfile *profile,
               const char    *pattern,
               double         reference_ms)
{
  g_autoptr(ScorchFlameLayout) layout = NULL;
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_OPTIMIZE | G_REGEX_CASELESS, 0, NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  ScorchFlameViewport vp = { 0 };
  double t_layout[RUNS], t_redraw[RUNS], t_match[RUNS], t_search[RUNS], t_regex[RUNS];
  double t_fast_regex[RUNS], t_fast_regex_redraw[RUNS];
  double t_prepare, t_cold, t0;
  guint n_nodes, n_frames, n_rects;
  guint64 matched = 0;

  scorch_profile_get_nodes (profile, &n_nodes);
  scorch_profile_get_frames (profile, &n_frames);

  t0 = g_get_monotonic_time ();
  layout = scorch_flame_layout_new (profile);
  t_prepare = (g_get_monotonic_time () - t0) / 1000.0;

  vp.x_end = 1;
  vp.width = WIDTH;
  vp.height = HEIGHT;
  vp.row_height = 18;
  vp.orientation = SCORCH_FLAME_ORIENTATION_FLAME;
  /* Flame graphs open scrolled to the root: the bottom of the content. */
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  vp.scroll_y = scorch_flame_layout_get_content_height (layout) - HEIGHT;

  t0 = g_get_monotonic_time ();
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  scorch_flame_renderer_render (renderer, cr, layout);
  cairo_surface_flush (surface);
  t_cold = (g_get_monotonic_time () - t0) / 1000.0;
  scorch_flame_layout_get_rects (layout, &n_rects);

  for (guint r = 0; r < RUNS; r++)
    {
      t0 = g_get_monotonic_time ();
      scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
      t_layout[r] = (g_get_monotonic_time () - t0) / 1000.0;

      t0 = g_get_monotonic_time ();
      scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
      scorch_flame_renderer_render (renderer, cr, layout);
      cairo_surface_flush (surface);
      t_redraw[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }

  for (guint r = 0; r < RUNS / 3; r++)
    {
      guint8 *matches = g_malloc0 (n_frames);
      g_autoptr(GBytes) bytes = NULL;

      t0 = g_get_monotonic_time ();
      scorch_flame_search (profile, pattern, FALSE, FALSE, matches, &matched, NULL);
      t_match[r] = (g_get_monotonic_time () - t0) / 1000.0;
      bytes = g_bytes_new_take (matches, n_frames);
      scorch_flame_renderer_set_matches (renderer, bytes);
      scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
      scorch_flame_renderer_render (renderer, cr, layout);
      cairo_surface_flush (surface);
      t_search[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }

  for (guint r = 0; r < RUNS / 3; r++)
    {
      g_autofree guint8 *matches = g_malloc0 (n_frames);

      t0 = g_get_monotonic_time ();
      gregex_match_frames (profile, regex, matches);
      t_regex[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }

  /* The widget's regex path (PCRE2 with JIT), then the redraw with it. */
  for (guint r = 0; r < RUNS / 3; r++)
    {
      guint8 *matches = g_malloc0 (n_frames);
      g_autoptr(GBytes) bytes = NULL;
      guint64 regex_matched = 0;

      t0 = g_get_monotonic_time ();
      scorch_flame_search (profile, pattern, TRUE, FALSE, matches, &regex_matched, NULL);
      t_fast_regex[r] = (g_get_monotonic_time () - t0) / 1000.0;
      bytes = g_bytes_new_take (matches, n_frames);
      scorch_flame_renderer_set_matches (renderer, bytes);
      scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
      scorch_flame_renderer_render (renderer, cr, layout);
      cairo_surface_flush (surface);
      t_fast_regex_redraw[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }

  g_print ("%s: %u nodes, %u frames, %u rects drawn, %.1f%% matched by /%s/\n",
           what, n_nodes, n_frames, n_rects,
           100.0 * matched / MAX (scorch_profile_get_total (profile), 1), pattern);
  g_print ("  prepare (once per profile)     %8.2f ms\n", t_prepare);
  g_print ("  layout                median   %8.3f ms\n", median (t_layout, RUNS));
  g_print ("  first redraw (cold labels)     %8.2f ms\n", t_cold);
  g_print ("  full redraw           median   %8.3f ms  (%.1fx the reference fill; target 8 ms)\n",
           median (t_redraw, RUNS), median (t_redraw, RUNS) / reference_ms);
  g_print ("  substring search      median   %8.3f ms\n", median (t_match, RUNS / 3));
  g_print ("  substring + redraw    median   %8.3f ms  (target 30 ms)\n", median (t_search, RUNS / 3));
  g_print ("  regex, GRegex (ref)   median   %8.3f ms\n", median (t_regex, RUNS / 3));
  g_print ("  regex, flame search   median   %8.3f ms  (%.2fx GRegex)\n",
           median (t_fast_regex, RUNS / 3), median (t_fast_regex, RUNS / 3) / median (t_regex, RUNS / 3));
  g_print ("  regex + redraw        median   %8.3f ms  (target 30 ms)\n", median (t_fast_regex_redraw, RUNS / 3));

  {
    g_autofree char *png = g_strdup_printf ("bench-flame-%s.png", what);
    cairo_surface_write_to_png (surface, png);
  }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *only = NULL;
  const GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only,
      "Run only this profile (synthetic-1M, deep or capture), e.g. under callgrind", "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[FOLDED] - flame graph redraw benchmark");
  g_autoptr(GError) option_error = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  double t_fill[RUNS], reference, t0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &option_error))
    {
      g_printerr ("%s\n", option_error->message);
      return 1;
    }

  /* Reference: one opaque fill of the whole surface. */
  for (guint r = 0; r < RUNS; r++)
    {
      t0 = g_get_monotonic_time ();
      cairo_set_source_rgb (cr, r / (double) RUNS, 0.5, 0.5);
      cairo_paint (cr);
      cairo_surface_flush (surface);
      t_fill[r] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  reference = median (t_fill, RUNS);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  g_print ("reference: fill %dx%d  median %.3f ms\n", WIDTH, HEIGHT, reference);

  if (only == NULL || g_str_equal (only, "synthetic-1M"))
    {
      g_autoptr(ScorchProfile) wide = NULL;

      t0 = g_get_monotonic_time ();
      wide = make_wide (1000000);
      g_print ("(built the synthetic profile in %.0f ms)\n", (g_get_monotonic_time () - t0) / 1000.0);
      bench_profile ("synthetic-1M", wide, "function_1234", reference);
    }
  if (only == NULL || g_str_equal (only, "deep"))
    {
      g_autoptr(ScorchProfile) deep = make_deep ();
      bench_profile ("deep", deep, "malloc", reference);
    }
  if (argc > 1 && (only == NULL || g_str_equal (only, "capture")))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchProfile) real = scorch_folded_load (argv[1], NULL, &error);

      if (real == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      bench_profile ("capture", real, "alloc", reference);
    }

  return 0;
}
