/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-transform.c: applying and undoing a transform on 1M-sample profiles
 *
 *   bench-transform [KIND]    (KIND: only that transform, e.g. merge-function)
 *
 * Two profiles of 1,000,000 samples (weight 1, as from perf.data): "wide"
 * (stacks of 10 to 40 frames over 5,000 functions, some recursion) and
 * "deep" (a recursive interpreter, stacks of 100 to 500 frames). For each
 * transform: the transform alone, and what the window does before it
 * redraws (transform, hotspot table figures, flame layout prepared and
 * computed, rendered at 2560x1440). Undo/redo through the stack: the
 * cached result, plus the same table, layout and render. Medians of 7,
 * in CPU time of the thread (the machine is shared). */

#include "config.h"

#include <string.h>
#include <time.h>

#include "scorch-flame-renderer.h"
#include "scorch-transform.h"

#define WIDTH 2560
#define HEIGHT 1440
#define RUNS 7
#define N_SAMPLES 1000000

/* CPU time of this thread, in microseconds: the machine is shared, and
 * wall time under load measures the other processes too. */
static gint64
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

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

static guint32 *
make_frames (ScorchProfileBuilder *b,
             guint                 n,
             const char           *prefix,
             const char           *module)
{
  guint32 *frames = g_new (guint32, n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s_%u", prefix, i);

      frames[i] = scorch_profile_builder_intern_frame (b, name, module, NULL, 0, SCORCH_FRAME_KIND_USER);
    }
  return frames;
}

static ScorchProfile *
make_wide (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autofree guint32 *fns = make_frames (b, 5000, "function", "/usr/lib/libapp.so");
  g_autofree guint32 *libc = make_frames (b, 50, "libc_fn", "/usr/lib/libc.so.6");
  guint32 paths[2000][40];
  guint lengths[2000];
  guint32 stack[48];

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      lengths[p] = 10 + g_rand_int_range (rand, 0, 30);
      for (guint d = 0; d < lengths[p]; d++)
        {
          guint pool = d < 6 ? (1u << d) : 5000;

          paths[p][d] = fns[g_rand_int_range (rand, 0, pool)];
          /* some recursion: a frame repeated two levels down */
          if (d >= 8 && g_rand_int_range (rand, 0, 10) == 0)
            paths[p][d] = paths[p][d - 2];
        }
    }
  for (guint s = 0; s < N_SAMPLES; s++)
    {
      guint p = g_rand_int_range (rand, 0, G_N_ELEMENTS (paths));
      guint n = lengths[p] - g_rand_int_range (rand, 0, 5);

      memcpy (stack, paths[p], n * sizeof (guint32));
      if (g_rand_int_range (rand, 0, 4) == 0)
        stack[n++] = libc[g_rand_int_range (rand, 0, 50)];
      scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                     .frames = stack, .n_frames = n, .weight = 1 });
    }
  return scorch_profile_builder_end (b);
}

static ScorchProfile *
make_deep (void)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);
  g_autofree guint32 *fns = make_frames (b, 8, "parse", "/usr/bin/interp");
  guint32 main_fn = scorch_profile_builder_intern_frame (b, "main", "/usr/bin/interp", NULL, 0,
                                                         SCORCH_FRAME_KIND_USER);
  static guint32 paths[64][500];
  guint lengths[64];

  for (guint p = 0; p < 64; p++)
    {
      lengths[p] = 100 + g_rand_int_range (rand, 0, 400);
      paths[p][0] = main_fn;
      for (guint d = 1; d < lengths[p]; d++)
        paths[p][d] = d < 20 + p ? fns[d % 8] : fns[g_rand_int_range (rand, 0, 8)];
    }
  for (guint s = 0; s < N_SAMPLES; s++)
    {
      guint p = g_rand_int_range (rand, 0, 64);
      guint n = lengths[p] - g_rand_int_range (rand, 0, 20);

      scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                     .frames = paths[p], .n_frames = n, .weight = 1 });
    }
  return scorch_profile_builder_end (b);
}

/* What the window does with a new filtered profile before the redraw. */
static void
redraw (ScorchProfile *profile,
        cairo_t       *cr)
{
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  ScorchFlameViewport vp = { 0 };
  guint n;

  scorch_profile_get_hotspots (profile, &n);
  vp.x_end = 1;
  vp.width = WIDTH;
  vp.height = HEIGHT;
  vp.row_height = 18;
  vp.orientation = SCORCH_FLAME_ORIENTATION_FLAME;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  vp.scroll_y = MAX (0, scorch_flame_layout_get_content_height (layout) - HEIGHT);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  scorch_flame_renderer_render (renderer, cr, layout);
}

static void
bench_one (const char      *profile_name,
           ScorchProfile   *profile,
           ScorchTransform *t,
           cairo_t         *cr)
{
  double t_apply[RUNS], t_full[RUNS], t_undo[RUNS], t_redo[RUNS];
  g_autoptr(ScorchTransformStack) stack = scorch_transform_stack_new ();
  guint64 left = 0;

  for (guint r = 0; r < RUNS; r++)
    {
      gint64 t0 = now_us ();
      g_autoptr(ScorchProfile) q = scorch_transform_apply (t, profile);

      t_apply[r] = (now_us () - t0) / 1000.0;
      left = scorch_profile_get_total (q);
      g_clear_object (&q);

      t0 = now_us ();
      q = scorch_transform_apply (t, profile);
      redraw (q, cr);
      t_full[r] = (now_us () - t0) / 1000.0;
    }

  scorch_transform_stack_push (stack, t);
  {
    g_autoptr(ScorchProfile) q = scorch_transform_stack_apply (stack, profile);
  }
  for (guint r = 0; r < RUNS; r++)
    {
      gint64 t0 = now_us ();

      scorch_transform_stack_undo (stack);
      {
        g_autoptr(ScorchProfile) q = scorch_transform_stack_apply (stack, profile);
        redraw (q, cr);
      }
      t_undo[r] = (now_us () - t0) / 1000.0;

      t0 = now_us ();
      scorch_transform_stack_redo (stack);
      {
        g_autoptr(ScorchProfile) q = scorch_transform_stack_apply (stack, profile);
        redraw (q, cr);
      }
      t_redo[r] = (now_us () - t0) / 1000.0;
    }

  g_print ("%-6s %-20s %-14s %9.1f %12.1f %11.1f %11.1f %10" G_GUINT64_FORMAT "\n",
           profile_name, scorch_transform_kind_to_string (scorch_transform_get_kind (t)),
           scorch_transform_get_name (t) != NULL ? scorch_transform_get_name (t)
             : scorch_transform_get_path (t) != NULL ? scorch_transform_get_path (t)[0] : "",
           median (t_apply, RUNS), median (t_full, RUNS), median (t_undo, RUNS), median (t_redo, RUNS), left);
}

static const char *only;

static void
bench_profile (const char    *name,
               ScorchProfile *profile,
               const char    *function,
               const char    *module,
               const char    *path0,
               const char    *path1)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  const char *path[] = { path0, path1 };
  ScorchTransform *list[] = {
    scorch_transform_new_focus_subtree (path, 2),
    scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, function),
    scorch_transform_new (SCORCH_TRANSFORM_FOCUS_CALLERS, function),
    scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, function),
    scorch_transform_new (SCORCH_TRANSFORM_MERGE_MODULE, module),
    scorch_transform_new_collapse_recursion (),
    scorch_transform_new (SCORCH_TRANSFORM_DROP_FUNCTION, function),
    scorch_transform_new_min_percent (0.5),
  };
  guint n_nodes;
  double t_base[RUNS];

  scorch_profile_get_nodes (profile, &n_nodes);
  for (guint r = 0; r < RUNS; r++)
    {
      gint64 t0 = now_us ();
      g_autoptr(ScorchProfile) copy = scorch_profile_filter (profile, NULL, 0, 0, G_MAXUINT64);

      redraw (copy, cr);
      t_base[r] = (now_us () - t0) / 1000.0;
    }
  g_print ("\n%s: %" G_GUINT64_FORMAT " samples, %u nodes; the same redraw without a transform "
           "(profile view + table + layout + render): %.1f ms\n",
           name, scorch_profile_get_total (profile), n_nodes, median (t_base, RUNS));
  g_print ("%-6s %-20s %-14s %9s %12s %11s %11s %10s\n", "", "transform", "argument",
           "apply ms", "+redraw ms", "undo+redraw", "redo+redraw", "samples");
  for (guint i = 0; i < G_N_ELEMENTS (list); i++)
    {
      if (only == NULL || g_str_equal (only, scorch_transform_kind_to_string (scorch_transform_get_kind (list[i]))))
        bench_one (name, profile, list[i], cr);
      scorch_transform_unref (list[i]);
    }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
main (int    argc,
      char **argv)
{
  gint64 t0;
  g_autoptr(ScorchProfile) wide = NULL;
  g_autoptr(ScorchProfile) deep = NULL;

  only = argc > 1 ? argv[1] : NULL;
  t0 = now_us ();
  wide = make_wide ();

  g_print ("(built wide in %.0f ms)\n", (now_us () - t0) / 1000.0);
  bench_profile ("wide", wide, "function_3", "libc.so.6", "function_0", "function_1");
  g_clear_object (&wide);
  t0 = now_us ();
  deep = make_deep ();
  g_print ("(built deep in %.0f ms)\n", (now_us () - t0) / 1000.0);
  bench_profile ("deep", deep, "parse_3", "interp", "main", "parse_1");
  return 0;
}
