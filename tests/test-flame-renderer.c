/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-flame-renderer.c: tests of scorch-flame-renderer.c and scorch-flame-export.c */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "scorch-flame-export.h"
#include "scorch-flame-renderer.h"
#include "scorch-folded.h"
#include "output-check.h"
#include "gregex-reference.h"

#define FOLDED "main;a;b 30\nmain;a;c 10\nmain;d 60\nmain;d;e_with_a_rather_long_name_that_will_not_fit 1\n"

static ScorchProfile *
parse (const char *folded)
{
  g_autoptr(GError) error = NULL;
  ScorchProfile *profile = scorch_folded_parse (folded, strlen (folded), &error);

  g_assert_no_error (error);
  return profile;
}

static const ScorchFlameRect *
find_rect (ScorchFlameLayout *layout,
           const char        *name)
{
  ScorchProfile *profile = scorch_flame_layout_get_profile (layout);
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
  const ScorchFlameRect *rects;
  guint n;

  rects = scorch_flame_layout_get_rects (layout, &n);
  for (guint i = 0; i < n; i++)
    if (!(rects[i].flags & SCORCH_FLAME_RECT_MERGED) &&
        strcmp (scorch_profile_get_frame (profile, nodes[rects[i].node].frame)->function, name) == 0)
      return &rects[i];

  return NULL;
}

typedef struct
{
  cairo_surface_t *surface;
  int              width, height, stride;
  guchar          *data;
} Image;

static void
image_init (Image *img,
            int    width,
            int    height)
{
  img->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  img->width = width;
  img->height = height;
}

static void
image_clear (Image *img)
{
  cairo_surface_destroy (img->surface);
}

static void
image_render (Image               *img,
              ScorchFlameRenderer *renderer,
              ScorchFlameLayout   *layout)
{
  cairo_t *cr = cairo_create (img->surface);

  scorch_flame_renderer_render (renderer, cr, layout);
  cairo_destroy (cr);
  cairo_surface_flush (img->surface);
  img->data = cairo_image_surface_get_data (img->surface);
  img->stride = cairo_image_surface_get_stride (img->surface);
}

static void
pixel_at (Image            *img,
          int               x,
          int               y,
          ScorchFlameColor *out)
{
  guint32 px;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, img->width);
  g_assert_cmpint (y, <, img->height);
  px = *(guint32 *) (gpointer) (img->data + y * img->stride + x * 4);
  out->red = ((px >> 16) & 0xff) / 255.0;
  out->green = ((px >> 8) & 0xff) / 255.0;
  out->blue = (px & 0xff) / 255.0;
}

static gboolean
same_color (const ScorchFlameColor *a,
            const ScorchFlameColor *b)
{
  return fabs (a->red - b->red) < 1.5 / 255 &&
         fabs (a->green - b->green) < 1.5 / 255 &&
         fabs (a->blue - b->blue) < 1.5 / 255;
}

static void
assert_pixel (Image                  *img,
              int                     x,
              int                     y,
              const ScorchFlameColor *expected)
{
  ScorchFlameColor got;

  pixel_at (img, x, y, &got);
  if (!same_color (&got, expected))
    g_error ("pixel (%d, %d) is (%.0f, %.0f, %.0f), expected (%.0f, %.0f, %.0f)", x, y,
             got.red * 255, got.green * 255, got.blue * 255,
             expected->red * 255, expected->green * 255, expected->blue * 255);
}

/* Pixels inside the rect that are not its fill: its label. */
static guint
count_label_pixels (Image                  *img,
                    const ScorchFlameRect  *rect,
                    const ScorchFlameColor *fill,
                    double                  row_height)
{
  guint n = 0;

  for (int y = (int) rect->y; y < (int) (rect->y + row_height - 1); y++)
    for (int x = (int) rect->x; x < (int) (rect->x + rect->width - 1); x++)
      {
        ScorchFlameColor c;

        pixel_at (img, x, y, &c);
        if (!same_color (&c, fill))
          n++;
      }

  return n;
}

static void
viewport_init (ScorchFlameViewport    *vp,
               double                  width,
               double                  height,
               ScorchFlameOrientation  orientation)
{
  memset (vp, 0, sizeof *vp);
  vp->x_end = 1;
  vp->width = width;
  vp->height = height;
  vp->row_height = 18;
  vp->orientation = orientation;
}

/* Every rect's fill where the layout puts it, gaps and background around. */
static void
check_frames (Image               *img,
              ScorchFlameRenderer *renderer,
              ScorchFlameLayout   *layout)
{
  ScorchProfile *profile = scorch_flame_layout_get_profile (layout);
  const ScorchFlameRect *rects;
  ScorchFlameColor bg;
  guint n;

  scorch_flame_renderer_get_background (renderer, &bg);
  rects = scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      ScorchFlameColor fill;

      if (rects[i].width < 4)
        continue;
      scorch_flame_renderer_get_rect_colors (renderer, profile, &rects[i], &fill, NULL);
      /* right end of the frame, past the label's padding */
      assert_pixel (img, (int) lround (rects[i].x + rects[i].width) - 3, (int) rects[i].y + 9, &fill);
      /* the one-pixel gaps: right and bottom */
      assert_pixel (img, (int) lround (rects[i].x + rects[i].width) - 1, (int) rects[i].y + 9, &bg);
      assert_pixel (img, (int) lround (rects[i].x) + 1, (int) rects[i].y + 17, &bg);
    }
}

static void
test_pixels (void)
{
  g_autoptr(ScorchProfile) profile = parse (FOLDED);
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  ScorchFlameViewport vp;
  ScorchFlameColor bg, fill;
  const ScorchFlameRect *d, *e;
  Image img;

  image_init (&img, 1010, 200);
  viewport_init (&vp, 1010, 200, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  image_render (&img, renderer, layout);
  check_frames (&img, renderer, layout);

  scorch_flame_renderer_get_background (renderer, &bg);
  assert_pixel (&img, 500, 190, &bg);     /* below the deepest row */

  /* d is 600 px wide: its label is drawn; e is 10 px: no label. */
  d = find_rect (layout, "d");
  scorch_flame_renderer_get_rect_colors (renderer, profile, d, &fill, NULL);
  g_assert_cmpuint (count_label_pixels (&img, d, &fill, 18), >, 20);
  e = find_rect (layout, "e_with_a_rather_long_name_that_will_not_fit");
  g_assert_nonnull (e);
  g_assert_cmpfloat (e->width, <, 15);
  scorch_flame_renderer_get_rect_colors (renderer, profile, e, &fill, NULL);
  g_assert_cmpuint (count_label_pixels (&img, e, &fill, 18), ==, 0);

  /* Flame orientation: the root on the bottom row. */
  viewport_init (&vp, 1010, 200, SCORCH_FLAME_ORIENTATION_FLAME);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  g_assert_cmpfloat (scorch_flame_layout_get_rects (layout, &(guint) { 0 })[0].y, ==, 200 - 18);
  image_render (&img, renderer, layout);
  check_frames (&img, renderer, layout);
  assert_pixel (&img, 500, 5, &bg);

  /* Dark mode: another background, same geometry. */
  scorch_flame_renderer_set_dark (renderer, TRUE);
  image_render (&img, renderer, layout);
  scorch_flame_renderer_get_background (renderer, &bg);
  g_assert_cmpfloat (bg.red, <, 0.3);
  assert_pixel (&img, 500, 5, &bg);
  check_frames (&img, renderer, layout);

  image_clear (&img);
}

static void
test_schemes (void)
{
  g_autoptr(ScorchProfile) profile = parse (FOLDED);
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  ScorchFlameViewport vp;
  Image img;

  /* The palette's seed does not change between runs. */
  g_assert_cmpuint (scorch_flame_hash_name ("main"), ==, 3935363592u);

  image_init (&img, 800, 120);
  viewport_init (&vp, 800, 120, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  for (guint s = 0; s < SCORCH_FLAME_N_COLOR_SCHEMES; s++)
    {
      ScorchFlameColor a, d;

      scorch_flame_renderer_set_color_scheme (renderer, s);
      image_render (&img, renderer, layout);
      check_frames (&img, renderer, layout);

      scorch_flame_renderer_get_rect_colors (renderer, profile, find_rect (layout, "a"), &a, NULL);
      scorch_flame_renderer_get_rect_colors (renderer, profile, find_rect (layout, "d"), &d, NULL);
      if (s == SCORCH_FLAME_COLORS_HOT)
        {
          g_assert_false (same_color (&a, &d)); /* hashed by name */
          g_assert_cmpfloat (a.red, >, a.blue); /* warm */
          g_assert_cmpfloat (d.red, >, d.blue);
        }
      else if (s == SCORCH_FLAME_COLORS_KIND)
        {
          /* both user frames: shades of the same red */
          g_assert_cmpfloat (a.red, >, a.green);
          g_assert_cmpfloat (d.red, >, d.green);
          g_assert_cmpfloat (fabs (a.red - d.red), <, 0.2);
        }
    }

  /* By module: one colour per module. */
  {
    g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
    g_autoptr(ScorchProfile) mprofile = NULL;
    g_autoptr(ScorchFlameLayout) mlayout = NULL;
    ScorchFlameColor x, y, z;
    guint32 fx, fy, fz;

    fx = scorch_profile_builder_intern_frame (builder, "x", "/usr/lib/libfoo.so", NULL, 0, SCORCH_FRAME_KIND_USER);
    fy = scorch_profile_builder_intern_frame (builder, "y", "/usr/lib/libfoo.so", NULL, 0, SCORCH_FRAME_KIND_USER);
    fz = scorch_profile_builder_intern_frame (builder, "z", "/usr/lib/libbar.so", NULL, 0, SCORCH_FRAME_KIND_KERNEL);
    scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 1, .pid = 1, .tid = 1,
                                                                         .frames = (guint32[]) { fx, fy }, .n_frames = 2, .weight = 5 });
    scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 2, .pid = 1, .tid = 1,
                                                                         .frames = (guint32[]) { fz }, .n_frames = 1, .weight = 3 });
    mprofile = scorch_profile_builder_end (g_steal_pointer (&builder));
    mlayout = scorch_flame_layout_new (mprofile);
    scorch_flame_layout_compute (mlayout, SCORCH_PROFILE_ROOT, &vp);
    scorch_flame_renderer_set_color_scheme (renderer, SCORCH_FLAME_COLORS_MODULE);
    scorch_flame_renderer_get_rect_colors (renderer, mprofile, find_rect (mlayout, "x"), &x, NULL);
    scorch_flame_renderer_get_rect_colors (renderer, mprofile, find_rect (mlayout, "y"), &y, NULL);
    scorch_flame_renderer_get_rect_colors (renderer, mprofile, find_rect (mlayout, "z"), &z, NULL);
    g_assert_true (same_color (&x, &y));
    g_assert_false (same_color (&x, &z));
    image_render (&img, renderer, mlayout);
    check_frames (&img, renderer, mlayout);

    /* By kind: kernel orange apart from user red. */
    scorch_flame_renderer_set_color_scheme (renderer, SCORCH_FLAME_COLORS_KIND);
    scorch_flame_renderer_get_rect_colors (renderer, mprofile, find_rect (mlayout, "x"), &x, NULL);
    scorch_flame_renderer_get_rect_colors (renderer, mprofile, find_rect (mlayout, "z"), &z, NULL);
    g_assert_cmpfloat (z.green, >, x.green);
  }

  image_clear (&img);
}

static void
test_search_and_zoom (void)
{
  g_autoptr(ScorchProfile) profile = parse (FOLDED);
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  g_autoptr(GRegex) regex = g_regex_new ("^[bc]$", 0, 0, NULL);
  g_autoptr(GBytes) bytes = NULL;
  ScorchFlameViewport vp;
  ScorchFlameColor magenta, fill, plain, sel;
  const ScorchFlameRect *a, *b, *main_rect;
  guint8 *matches;
  guint n_frames;
  guint64 matched;
  Image img;

  scorch_profile_get_frames (profile, &n_frames);
  matches = g_malloc0 (n_frames);
  matched = gregex_match_frames (profile, regex, matches);
  g_assert_cmpuint (matched, ==, 40);
  bytes = g_bytes_new_take (matches, n_frames);

  image_init (&img, 1010, 120);
  viewport_init (&vp, 1010, 120, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  scorch_flame_renderer_set_matches (renderer, bytes);
  image_render (&img, renderer, layout);
  check_frames (&img, renderer, layout);

  scorch_flame_renderer_get_match_color (renderer, &magenta);
  b = find_rect (layout, "b");
  assert_pixel (&img, (int) (b->x + b->width) - 3, (int) b->y + 9, &magenta);
  a = find_rect (layout, "a");
  scorch_flame_renderer_get_rect_colors (renderer, profile, a, &fill, NULL);
  g_assert_false (same_color (&fill, &magenta));
  assert_pixel (&img, (int) (a->x + a->width) - 3, (int) a->y + 9, &fill);

  /* Zoom into a: main and the root above it, dimmed. */
  scorch_flame_renderer_set_matches (renderer, NULL);
  scorch_flame_layout_compute (layout, a->node, &vp);
  image_render (&img, renderer, layout);
  check_frames (&img, renderer, layout);
  scorch_flame_renderer_set_selected (renderer, find_rect (layout, "b")->node);
  image_render (&img, renderer, layout);
  main_rect = find_rect (layout, "main");
  g_assert_true (main_rect->flags & SCORCH_FLAME_RECT_ANCESTOR);
  scorch_flame_renderer_get_rect_colors (renderer, profile, main_rect, &fill, NULL);
  {
    ScorchFlameRect undimmed = *main_rect;

    undimmed.flags = 0;
    scorch_flame_renderer_get_rect_colors (renderer, profile, &undimmed, &plain, NULL);
  }
  g_assert_cmpfloat (fill.green + fill.blue, >, plain.green + plain.blue); /* toward white */

  /* The selection outline on b's left edge. */
  b = find_rect (layout, "b");
  sel.red = 0x1c / 255.0;
  sel.green = 0x71 / 255.0;
  sel.blue = 0xd8 / 255.0;
  assert_pixel (&img, (int) b->x + 1, (int) b->y + 9, &sel);

  image_clear (&img);
}

/* Every node of the highlighted function, in the highlight fill with its
 * outline; other frames keep their colours, search matches their magenta. */
static void
test_highlight_frame (void)
{
  g_autoptr(ScorchProfile) profile = parse ("main;a;c 10\nmain;b;c 20\nmain;b 5\nmain;c 7\nmain;d;e;c 8\n");
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
  g_autoptr(GRegex) regex = g_regex_new ("^[bc]$", 0, 0, NULL);
  g_autoptr(GBytes) bytes = NULL;
  const ScorchFlameRect *rects;
  ScorchFlameViewport vp;
  ScorchFlameColor hl_fill, hl_outline, magenta;
  guint32 c_frame = G_MAXUINT32;
  guint8 *matches;
  guint n_frames, n_rects;
  Image img;

  scorch_profile_get_frames (profile, &n_frames);
  matches = g_malloc0 (n_frames);
  gregex_match_frames (profile, regex, matches);
  bytes = g_bytes_new_take (matches, n_frames);

  for (guint dark = 0; dark < 2; dark++)
    for (guint orientation = 0; orientation < 2; orientation++)
      {
        guint n_highlighted = 0;

        image_init (&img, 1000, 120);
        viewport_init (&vp, 1000, 120, orientation);
        scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
        rects = scorch_flame_layout_get_rects (layout, &n_rects);
        c_frame = nodes[find_rect (layout, "c")->node].frame;
        scorch_flame_renderer_set_dark (renderer, dark);
        scorch_flame_renderer_set_matches (renderer, bytes);
        scorch_flame_renderer_set_highlight_frame (renderer, c_frame);
        g_assert_cmpuint (scorch_flame_renderer_get_highlight_frame (renderer), ==, c_frame);
        image_render (&img, renderer, layout);
        check_frames (&img, renderer, layout);

        scorch_flame_renderer_get_highlight_colors (renderer, &hl_fill, &hl_outline);
        scorch_flame_renderer_get_match_color (renderer, &magenta);
        g_assert_false (same_color (&hl_fill, &magenta));
        for (guint i = 0; i < n_rects; i++)
          {
            ScorchFlameColor fill;
            int x0 = (int) floor (rects[i].x + 0.5);
            int x1 = (int) floor (rects[i].x + rects[i].width + 0.5);
            const char *name = scorch_profile_get_frame (profile, nodes[rects[i].node].frame)->function;

            if (nodes[rects[i].node].frame == c_frame)
              {
                /* c also matches the search: the highlight wins. */
                assert_pixel (&img, x1 - 3, (int) rects[i].y + 9, &hl_fill);
                assert_pixel (&img, x0, (int) rects[i].y + 9, &hl_outline);
                assert_pixel (&img, x1 - 2, (int) rects[i].y + 9, &hl_outline);
                assert_pixel (&img, x0 + 4, (int) rects[i].y, &hl_outline);
                n_highlighted++;
              }
            else
              {
                scorch_flame_renderer_get_rect_colors (renderer, profile, &rects[i], &fill, NULL);
                g_assert_false (same_color (&fill, &hl_fill));
                assert_pixel (&img, x0, (int) rects[i].y + 9, &fill);
                if (strcmp (name, "b") == 0 && !dark) /* dark: a deeper magenta */
                  assert_pixel (&img, x1 - 3, (int) rects[i].y + 9, &magenta);
              }
          }
        g_assert_cmpuint (n_highlighted, ==, 4);

        /* None: c is back to the search's magenta. */
        scorch_flame_renderer_set_highlight_frame (renderer, G_MAXUINT32);
        image_render (&img, renderer, layout);
        for (guint i = 0; i < n_rects; i++)
          if (nodes[rects[i].node].frame == c_frame)
            {
              ScorchFlameColor fill;

              scorch_flame_renderer_get_rect_colors (renderer, profile, &rects[i], &fill, NULL);
              g_assert_false (same_color (&fill, &hl_fill));
              if (!dark)
                g_assert_true (same_color (&fill, &magenta));
              assert_pixel (&img, (int) floor (rects[i].x + 0.5), (int) rects[i].y + 9, &fill);
            }
        image_clear (&img);
      }
}

static void
test_fit_label (void)
{
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  double cw = scorch_flame_renderer_get_char_width (renderer);
  g_autofree char *full = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *none = NULL;

  g_assert_cmpfloat (cw, >, 2);
  g_assert_cmpfloat (cw, <, 20);
  full = scorch_flame_renderer_fit_label (renderer, "short", 100 * cw);
  g_assert_cmpstr (full, ==, "short");
  cut = scorch_flame_renderer_fit_label (renderer, "a_function_with_a_long_name", 10 * cw);
  g_assert_nonnull (cut);
  g_assert_true (g_str_has_suffix (cut, "…"));
  g_assert_true (g_str_has_prefix (cut, "a_func"));
  g_assert_cmpint (g_utf8_strlen (cut, -1), <=, 10);
  none = scorch_flame_renderer_fit_label (renderer, "a_function", cw);
  g_assert_null (none);
}

/* With short names on (the widget's default), a C++ frame is labelled
 * without return type and parameters; off (exports, the default), the
 * full signature is drawn. */
static void
test_short_names (void)
{
  g_autoptr(ScorchProfile) profile =
    parse ("main;double physics::integrate<double>(std::vector<double, std::allocator<double> >&, int) 10\n");
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  const char *full = "double physics::integrate<double>(std::vector<double, std::allocator<double> >&, int)";
  const ScorchFlameRect *rect;
  ScorchFlameViewport vp;

  viewport_init (&vp, 800, 200, SCORCH_FLAME_ORIENTATION_ICICLE);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  rect = find_rect (layout, full);
  g_assert_nonnull (rect);
  g_assert_cmpstr (scorch_flame_renderer_get_shown_label (renderer, profile, rect), ==, full);
  scorch_flame_renderer_set_short_names (renderer, TRUE, SCORCH_DISPLAY_NAME_DEFAULT);
  g_assert_cmpstr (scorch_flame_renderer_get_shown_label (renderer, profile, rect), ==, "physics::integrate<double>");
  scorch_flame_renderer_set_short_names (renderer, TRUE, SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES);
  g_assert_cmpstr (scorch_flame_renderer_get_shown_label (renderer, profile, rect), ==, "physics::integrate<…>");
  scorch_flame_renderer_set_short_names (renderer, FALSE, SCORCH_DISPLAY_NAME_DEFAULT);
  g_assert_cmpstr (scorch_flame_renderer_get_shown_label (renderer, profile, rect), ==, full);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
start_element (GMarkupParseContext  *context,
               const char           *element_name,
               const char          **attribute_names,
               const char          **attribute_values,
               gpointer              user_data,
               GError              **error)
{
  guint *counts = user_data;

  if (strcmp (element_name, "title") == 0)
    counts[0]++;
  else if (strcmp (element_name, "rect") == 0)
    counts[1]++;
}

static void
test_export (void)
{
  g_autoptr(ScorchProfile) profile = parse (FOLDED);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-flame-XXXXXX", &error);
  g_autofree char *svg_path = g_build_filename (dir, "out.svg", NULL);
  g_autofree char *png_path = g_build_filename (dir, "out.png", NULL);
  g_autofree char *pdf_path = g_build_filename (dir, "out.pdf", NULL);
  g_autofree char *folded_path = g_build_filename (dir, "out.folded", NULL);
  g_autofree char *svg = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *folded = NULL;
  ScorchFlameExportOptions options = { 0 };
  ScorchFlameFormat format;
  GMarkupParser parser = { start_element, NULL, NULL, NULL, NULL };
  GMarkupParseContext *ctx;
  guint counts[2] = { 0, 0 };
  cairo_surface_t *png;

  g_assert_no_error (error);
  options.width = 1000;
  options.search = "^b$";

  g_assert_true (scorch_flame_format_from_path (svg_path, &format, &error));
  g_assert_cmpint (format, ==, SCORCH_FLAME_FORMAT_SVG);
  g_assert_true (scorch_flame_export_to_file (profile, &options, format, svg_path, &error));
  g_assert_no_error (error);
  output_check_svg (svg_path);
  svg = read_file (svg_path);
  g_assert_nonnull (strstr (svg, "<title>b (30 samples, 29.70%)</title>"));
  g_assert_nonnull (strstr (svg, "<title>main (101 samples, 100.00%)</title>"));
  g_assert_nonnull (strstr (svg, "rgb(230,0,230)")); /* b highlighted */
  g_assert_nonnull (strstr (svg, ">main</text>"));
  g_assert_nonnull (strstr (svg, "29.70% of samples"));
  ctx = g_markup_parse_context_new (&parser, 0, counts, NULL);
  g_assert_true (g_markup_parse_context_parse (ctx, svg, -1, &error));
  g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (ctx);
  g_assert_cmpuint (counts[0], ==, 7); /* [all] main a d b c e */
  g_assert_cmpuint (counts[1], ==, 8); /* and the background */

  g_assert_true (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_PNG, png_path, &error));
  g_assert_no_error (error);
  png = cairo_image_surface_create_from_png (png_path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 1000);
  g_assert_cmpint (cairo_image_surface_get_height (png), >, 4 * 18);
  {
    guchar *data = cairo_image_surface_get_data (png);
    int stride = cairo_image_surface_get_stride (png);
    guint n_magenta = 0;

    for (int y = 0; y < cairo_image_surface_get_height (png); y++)
      for (int x = 0; x < 1000; x++)
        if ((*(guint32 *) (gpointer) (data + y * stride + x * 4) & 0xffffff) == 0xe600e6)
          n_magenta++;
    g_assert_cmpuint (n_magenta, >, 200 * 10);
  }
  cairo_surface_destroy (png);

  options.inverted = TRUE;
  options.search = NULL;
  g_assert_true (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_PDF, pdf_path, &error));
  g_assert_no_error (error);
  pdf = read_file (pdf_path);
  g_assert_true (g_str_has_prefix (pdf, "%PDF"));

  options.inverted = FALSE;
  g_assert_true (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_FOLDED, folded_path, &error));
  folded = read_file (folded_path);
  {
    g_autoptr(ScorchProfile) again = parse (folded);
    g_assert_cmpuint (scorch_profile_get_total (again), ==, 101);
  }

  /* Bad input: a clear error, no file. */
  options.search = "(unclosed";
  g_assert_false (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_PNG, png_path, &error));
  g_assert_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_SEARCH);
  g_clear_error (&error);
  g_assert_false (scorch_flame_format_from_path ("graph.bmp", &format, &error));
  g_assert_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_FORMAT);

  g_unlink (svg_path);
  g_unlink (png_path);
  g_unlink (pdf_path);
  g_unlink (folded_path);
  g_rmdir (dir);
}

static void
test_cli (void)
{
  const char *cli = g_getenv ("SCORCH_CLI");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *err = NULL;
  int status;

  if (cli == NULL)
    {
      g_test_skip ("SCORCH_CLI is not set (run through meson test)");
      return;
    }

  dir = g_dir_make_tmp ("scorch-cli-export-XXXXXX", &error);
  g_assert_no_error (error);
  in = g_build_filename (dir, "in.folded", NULL);
  out = g_build_filename (dir, "out.svg", NULL);
  g_assert_true (g_file_set_contents (in, FOLDED, -1, &error));

  {
    const char *argv[] = { cli, "export", in, "-o", out, "--width", "800", "--inverted", "--search", "leaf|^b$", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  output_check_svg (out);
  svg = read_file (out);
  g_assert_nonnull (strstr (svg, "width=\"800\""));
  g_assert_nonnull (strstr (svg, "Inverted Flame Graph"));
  g_assert_nonnull (strstr (svg, "<title>b (30 samples, 29.70%)</title>"));
  g_clear_pointer (&err, g_free);

  {
    const char *argv[] = { cli, "export", in, "-o", out, "--search", "(", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "Invalid search expression"));
  }

  g_unlink (in);
  g_unlink (out);
  g_rmdir (dir);
}

/* A recursive-descent interpreter's profile: stacks of 60 to 260 frames
 * that branch at every level with skewed odds, names of different lengths:
 * frames of every width down to a pixel, labels ellipsized at many widths. */
static ScorchProfile *
make_deep (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const char *names[] = { "main", "parse_expression", "eval", "visit_children_of_node_recursively",
                          "W", "apply_rule", "match_pattern_against_subject", "malloc" };
  guint32 frames[G_N_ELEMENTS (names)];
  guint32 stack[260];

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    frames[i] = scorch_profile_builder_intern_frame (builder, names[i], "/usr/bin/interp", NULL, 0,
                                                     SCORCH_FRAME_KIND_USER);
  for (guint s = 0; s < 20000; s++)
    {
      guint n = 60 + g_rand_int_range (rand, 0, 200);

      stack[0] = frames[0];
      for (guint d = 1; d < n; d++)
        {
          /* Mostly the same callee, sometimes another: 70%, 20%, 10%. */
          guint r = g_rand_int_range (rand, 0, 10);
          guint pick = r < 7 ? 0 : r < 9 ? 1 : 2 + g_rand_int_range (rand, 0, 5);

          stack[d] = frames[1 + (d + pick) % (G_N_ELEMENTS (names) - 1)];
        }
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = s, .pid = 1, .tid = 1,
                                                                           .frames = stack, .n_frames = n, .weight = 1 });
    }

  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

/* Every pixel outside the frames is background, and inside a frame every
 * pixel that is not its fill (its label's ink) lies at least one pixel
 * inside the frame; frames too narrow for two characters and "…" have no
 * label.  Returns the labelled frames. */
static guint
check_labels_fit (Image               *img,
                  ScorchFlameRenderer *renderer,
                  ScorchFlameLayout   *layout)
{
  ScorchProfile *profile = scorch_flame_layout_get_profile (layout);
  const ScorchFlameViewport *vp = scorch_flame_layout_get_viewport (layout);
  g_autofree gint32 *owner = g_new (gint32, img->width);
  const ScorchFlameRect *rects;
  ScorchFlameColor bg;
  guint n, labelled = 0;

  scorch_flame_renderer_get_background (renderer, &bg);
  rects = scorch_flame_layout_get_rects (layout, &n);
  for (int y = 0; y < img->height; y++)
    {
      for (int x = 0; x < img->width; x++)
        owner[x] = -1;
      for (guint i = 0; i < n; i++)
        {
          int x0 = (int) floor (rects[i].x + 0.5);
          int x1 = (int) floor (rects[i].x + rects[i].width + 0.5);
          int w = x1 - x0 >= 2 ? x1 - x0 - 1 : 1;

          if (y < rects[i].y || y >= rects[i].y + vp->row_height - 1)
            continue;
          for (int x = MAX (x0, 0); x < MIN (x0 + w, img->width); x++)
            owner[x] = (gint32) i;
        }
      for (int x = 0; x < img->width; x++)
        {
          ScorchFlameColor fill;
          int x0, x1;

          if (owner[x] < 0)
            {
              assert_pixel (img, x, y, &bg);
              continue;
            }
          scorch_flame_renderer_get_rect_colors (renderer, profile, &rects[owner[x]], &fill, NULL);
          x0 = (int) floor (rects[owner[x]].x + 0.5);
          x1 = (int) floor (rects[owner[x]].x + rects[owner[x]].width + 0.5);
          /* The frame's first and last columns, and its top row: fill only. */
          if (x == x0 || x == x1 - 2 || y == (int) rects[owner[x]].y)
            assert_pixel (img, x, y, &fill);
        }
    }

  for (guint i = 0; i < n; i++)
    {
      const char *text = scorch_flame_rect_get_label (profile, &rects[i]);
      g_autofree char *fit = NULL;
      ScorchFlameColor fill;
      guint ink;

      if (text == NULL)
        continue;
      scorch_flame_renderer_get_rect_colors (renderer, profile, &rects[i], &fill, NULL);
      ink = 0;
      for (int y = (int) rects[i].y; y < (int) (rects[i].y + vp->row_height - 1); y++)
        for (int x = MAX ((int) floor (rects[i].x + 0.5), 0);
             x < MIN ((int) floor (rects[i].x + rects[i].width + 0.5) - 1, img->width); x++)
          {
            ScorchFlameColor c;

            pixel_at (img, x, y, &c);
            if (!same_color (&c, &fill))
              ink++;
          }
      /* Too narrow for two characters and an ellipsis: no label at all. */
      fit = scorch_flame_renderer_fit_label (renderer, text, rects[i].width - 1 - 2 * SCORCH_FLAME_LABEL_PADDING);
      if (fit == NULL)
        g_assert_cmpuint (ink, ==, 0);
      if (ink > 0)
        labelled++;
    }

  return labelled;
}

static void
test_deep_labels_fit (void)
{
  g_autoptr(ScorchProfile) profile = make_deep ();
  g_autoptr(ScorchFlameLayout) layout = scorch_flame_layout_new (profile);
  g_autoptr(ScorchFlameRenderer) renderer = scorch_flame_renderer_new ();
  ScorchFlameViewport vp;
  const ScorchFlameRect *rects;
  guint n, labelled;
  Image img;

  image_init (&img, 1280, 720);
  viewport_init (&vp, 1280, 720, SCORCH_FLAME_ORIENTATION_FLAME);
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  vp.scroll_y = scorch_flame_layout_get_content_height (layout) - vp.height;
  scorch_flame_layout_compute (layout, SCORCH_PROFILE_ROOT, &vp);
  rects = scorch_flame_layout_get_rects (layout, &n);
  g_assert_cmpuint (n, >, 300);

  /* Twice: labels laid out, then from the cache. */
  for (guint pass = 0; pass < 2; pass++)
    {
      image_render (&img, renderer, layout);
      labelled = check_labels_fit (&img, renderer, layout);
      g_assert_cmpuint (labelled, >=, 30);
    }

  /* Zoomed into a frame halfway up: other widths, other ellipsized labels. */
  {
    guint32 zoom = rects[n / 2].node;

    scorch_flame_layout_compute (layout, zoom, &vp);
    vp.scroll_y = scorch_flame_layout_get_content_height (layout) - vp.height;
    scorch_flame_layout_compute (layout, zoom, &vp);
    image_render (&img, renderer, layout);
    g_assert_cmpuint (check_labels_fit (&img, renderer, layout), >, 10);

    /* Dark mode: light text on darkened frames, same fit. */
    scorch_flame_renderer_set_dark (renderer, TRUE);
    image_render (&img, renderer, layout);
    g_assert_cmpuint (check_labels_fit (&img, renderer, layout), >, 10);
  }

  /* Scaled (HiDPI) output: no cached masks; labels still drawn, inside
   * their frames (checked on the frame's first column at 2x). */
  {
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 2 * 1280, 2 * 720);
    cairo_t *cr;
    const ScorchFlameRect *r = NULL;
    ScorchFlameColor fill, got;
    guint ink = 0;
    guchar *data;
    int stride;

    cairo_surface_set_device_scale (surface, 2, 2);
    cr = cairo_create (surface);
    scorch_flame_renderer_render (renderer, cr, layout);
    cairo_destroy (cr);
    cairo_surface_flush (surface);
    data = cairo_image_surface_get_data (surface);
    stride = cairo_image_surface_get_stride (surface);
    rects = scorch_flame_layout_get_rects (layout, &n);
    for (guint i = 0; i < n && r == NULL; i++)
      if (rects[i].width > 200 && scorch_flame_rect_get_label (profile, &rects[i]) != NULL)
        r = &rects[i];
    g_assert_nonnull (r);
    scorch_flame_renderer_get_rect_colors (renderer, profile, r, &fill, NULL);
    for (int y = 2 * (int) r->y; y < 2 * (int) (r->y + 17); y++)
      for (int x = 2 * (int) ceil (r->x); x < 2 * (int) (r->x + r->width - 1); x++)
        {
          guint32 px = *(guint32 *) (gpointer) (data + y * stride + x * 4);

          got.red = ((px >> 16) & 0xff) / 255.0;
          got.green = ((px >> 8) & 0xff) / 255.0;
          got.blue = (px & 0xff) / 255.0;
          if (!same_color (&got, &fill))
            ink++;
        }
    g_assert_cmpuint (ink, >, 40);
    cairo_surface_destroy (surface);
  }

  image_clear (&img);
}

/* Names as a capture may hold them: control characters, terminal escapes,
 * XML's forbidden code points, invalid UTF-8 (one cut in the middle of a
 * sequence at the very end), separators of the folded format. */
static const char * const hostile_names[] = {
  "\001x",
  "a\xef\xbf\xbe<&>\"'",
  "\x1b]0;title\x07",
  "\xff\xfe bad \xc0\xaf",
  "tab\there\nnewline\r",
  "\xc2\x85 next line \x7f",
  "trailing 123",
  "semi;colon",
  "cut\xf0",
  "cut\xe6\x97",
};

static ScorchProfile *
make_hostile (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  guint32 root = scorch_profile_builder_intern_frame (builder, "main", "/bin/\x1b[31mred\xff", NULL, 0,
                                                      SCORCH_FRAME_KIND_USER);

  for (guint i = 0; i < G_N_ELEMENTS (hostile_names); i++)
    {
      guint32 stack[2];

      stack[0] = root;
      stack[1] = scorch_profile_builder_intern_frame (builder, hostile_names[i], "/lib/\x01\xfe.so",
                                                      "/src/\x1b]0;x\x07.c", 3,
                                                      i % 2 ? SCORCH_FRAME_KIND_USER : SCORCH_FRAME_KIND_KERNEL);
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = i, .pid = 1, .tid = 1,
                                                                           .frames = stack, .n_frames = 2, .weight = 10 + i });
    }
  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

/* The reproducers: every export format stays valid whatever the
 * names hold, and PNG/PDF rendering does not trip on invalid UTF-8 (a
 * Pango warning would abort this test). */
static void
test_export_hostile_names (void)
{
  g_autoptr(ScorchProfile) profile = make_hostile ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-flame-XXXXXX", &error);
  g_autofree char *svg_path = g_build_filename (dir, "hostile.svg", NULL);
  g_autofree char *png_path = g_build_filename (dir, "hostile.png", NULL);
  g_autofree char *pdf_path = g_build_filename (dir, "hostile.pdf", NULL);
  g_autofree char *folded_path = g_build_filename (dir, "hostile.folded", NULL);
  g_autofree char *svg = NULL;
  g_autofree char *folded = NULL;
  ScorchFlameExportOptions options = { 0 };

  g_assert_no_error (error);
  options.width = 2000;
  options.title = "Title \x01 with \x1b[2J & <tags> \xef\xbf\xbf \xff";
  options.search = "x|\\x01";

  for (guint variant = 0; variant < 2; variant++)
    {
      options.inverted = variant == 1;
      options.orientation = variant == 1 ? SCORCH_FLAME_ORIENTATION_ICICLE : SCORCH_FLAME_ORIENTATION_FLAME;
      g_assert_true (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_SVG, svg_path, &error));
      g_assert_no_error (error);
      output_check_svg (svg_path);

      g_clear_pointer (&svg, g_free);
      svg = read_file (svg_path);
      g_assert_true (g_utf8_validate (svg, -1, NULL));
      g_assert_null (strstr (svg, "&#x1;"));
      g_assert_null (strstr (svg, "\xef\xbf\xbe"));
      g_assert_null (strstr (svg, "\x1b"));
      g_assert_nonnull (strstr (svg, "<title>a\xef\xbf\xbd&lt;&amp;&gt;&quot;&apos; ("));
      g_assert_nonnull (strstr (svg, "<title>cut\xef\xbf\xbd ("));
      g_assert_nonnull (strstr (svg, "Title \xef\xbf\xbd with \xef\xbf\xbd[2J &amp; &lt;tags&gt;"));

      g_assert_true (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_PNG, png_path, &error));
      g_assert_no_error (error);
      g_assert_true (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_PDF, pdf_path, &error));
      g_assert_no_error (error);
    }

  /* Folded: every line reads back, with the same stacks and counts. */
  options.inverted = FALSE;
  g_assert_true (scorch_flame_export_to_file (profile, &options, SCORCH_FLAME_FORMAT_FOLDED, folded_path, &error));
  g_assert_no_error (error);
  folded = read_file (folded_path);
  g_assert_true (g_utf8_validate (folded, -1, NULL));
  g_assert_nonnull (strstr (folded, "main;trailing_123_[k] "));
  g_assert_nonnull (strstr (folded, "main;semi:colon "));
  {
    g_auto(GStrv) lines = g_strsplit (folded, "\n", -1);
    g_autoptr(ScorchProfile) again = parse (folded);
    guint n_nodes;

    g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (hostile_names) + 1);
    g_assert_cmpuint (scorch_profile_get_total (again), ==, scorch_profile_get_total (profile));
    scorch_profile_get_nodes (again, &n_nodes);
    g_assert_cmpuint (n_nodes, ==, 2 + G_N_ELEMENTS (hostile_names));
  }

  g_unlink (svg_path);
  g_unlink (png_path);
  g_unlink (pdf_path);
  g_unlink (folded_path);
  g_rmdir (dir);
}

/* The command line: a control character in a folded name, exported
 * by scorch-cli, passes xmllint; out.txt is no longer written as folded
 * stacks without being asked; a PNG too large names its options. */
static void
test_cli_output_errors (void)
{
  const char *cli = g_getenv ("SCORCH_CLI");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *in = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *txt = NULL;
  g_autofree char *png = NULL;
  g_autoptr(GString) deep_stack = g_string_new ("a 1\n");
  int status;

  if (cli == NULL)
    {
      g_test_skip ("SCORCH_CLI is not set (run through meson test)");
      return;
    }

  dir = g_dir_make_tmp ("scorch-cli-export-XXXXXX", &error);
  g_assert_no_error (error);
  in = g_build_filename (dir, "c.folded", NULL);
  svg = g_build_filename (dir, "c.svg", NULL);
  txt = g_build_filename (dir, "out.txt", NULL);
  png = g_build_filename (dir, "deep.png", NULL);
  deep = g_build_filename (dir, "deep.folded", NULL);
  g_assert_true (g_file_set_contents (in, "main;\001x 1\nmain;\x1b]0;t\x07 2\nmain;\xef\xbf\xbe 3\n", -1, &error));

  {
    /* Under a comma-decimal locale: coordinates keep their decimal point. */
    const char *argv[] = { cli, "export", in, "-o", svg, NULL };
    g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "LC_ALL", "de_DE.UTF-8", TRUE);
    g_autofree char *written = NULL;

    g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    output_check_svg (svg);
    written = read_file (svg);
    g_assert_true (g_regex_match_simple ("=\"[0-9.]+\"", written, 0, 0));
    g_assert_false (g_regex_match_simple ("=\"-?[0-9]+,[0-9]", written, 0, 0));
  }

  {
    const char *argv[] = { cli, "export", in, "-o", txt, NULL };
    g_autofree char *err = NULL;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, ".svg, .png, .pdf or .folded"));
    g_assert_nonnull (strstr (err, "--format"));
    g_assert_false (g_file_test (txt, G_FILE_TEST_EXISTS));
  }

  {
    const char *argv[] = { cli, "export", in, "-o", txt, "--format", "folded", NULL };
    g_autofree char *written = NULL;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    written = read_file (txt);
    g_assert_true (g_str_has_prefix (written, "main;"));
  }

  {
    const char *argv[] = { cli, "export", in, "-o", txt, "--format", "bmp", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
  }

  /* 2000 levels of 18 px: taller than a PNG can be. */
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (deep_stack, "%sf%u", i > 0 ? ";" : "", i);
  g_string_append (deep_stack, " 5\n");
  g_assert_true (g_file_set_contents (deep, deep_stack->str, deep_stack->len, &error));
  {
    const char *argv[] = { cli, "export", deep, "-o", png, NULL };
    g_autofree char *err = NULL;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_null (strstr (err, "zoom in"));
    g_assert_nonnull (strstr (err, "32767"));
    g_assert_nonnull (strstr (err, "--row-height"));
    g_assert_nonnull (strstr (err, "--width"));
  }
  {
    const char *argv[] = { cli, "export", deep, "-o", png, "--row-height", "8", NULL };
    cairo_surface_t *image;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    image = cairo_image_surface_create_from_png (png);
    g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
    g_assert_cmpint (cairo_image_surface_get_height (image), >, 2000 * 8);
    cairo_surface_destroy (image);
  }

  g_unlink (in);
  g_unlink (svg);
  g_unlink (txt);
  g_unlink (png);
  g_unlink (deep);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/flame-renderer/pixels", test_pixels);
  g_test_add_func ("/libscorch/flame-renderer/schemes", test_schemes);
  g_test_add_func ("/libscorch/flame-renderer/search-and-zoom", test_search_and_zoom);
  g_test_add_func ("/libscorch/flame-renderer/highlight-frame", test_highlight_frame);
  g_test_add_func ("/libscorch/flame-renderer/fit-label", test_fit_label);
  g_test_add_func ("/libscorch/flame-renderer/short-names", test_short_names);
  g_test_add_func ("/libscorch/flame-renderer/deep-labels-fit", test_deep_labels_fit);
  g_test_add_func ("/libscorch/flame-renderer/export", test_export);
  g_test_add_func ("/libscorch/flame-renderer/cli", test_cli);
  g_test_add_func ("/libscorch/flame-renderer/export-hostile-names", test_export_hostile_names);
  g_test_add_func ("/libscorch/flame-renderer/cli-output-errors", test_cli_output_errors);

  return g_test_run ();
}
