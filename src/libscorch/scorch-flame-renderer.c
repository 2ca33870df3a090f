/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-renderer.c: draws a flame layout with cairo and pango
 *
 * Speed comes from not laying out text twice: each frame's label keeps its
 * PangoLayout and the width it was ellipsized to, so a redraw at the same
 * zoom (hover, selection, search) reuses every layout; labels that cannot
 * fit even a few characters are skipped by an estimate from the font's
 * average character width, without touching pango.
 *
 * On raster targets (image surfaces, no scaling) each label is also
 * rasterised once into a small A8 mask, and a redraw fills all frames of
 * one colour with one path, then composites each label's mask: cairo's
 * glyph path would build and composite a mask spanning every glyph of a
 * call, i.e. the whole screen, and filling frames one by one costs a full
 * trip through cairo's compositor each.  Vector targets (PDF, SVG) and
 * scaled ones keep real text drawn frame by frame. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-flame"

#include <math.h>
#include <string.h>

#include <pango/pangocairo.h>

#include "scorch-flame-renderer.h"
#include "scorch-demangle.h"
#include "scorch-text.h"

#define LABEL_CACHE_MAX 16384

/* A label's layout.  The cache holds one unellipsized layout per frame
 * (key: frame, FULL_WIDTH) and one per ellipsized width (key: frame, px),
 * so frames drawn at many widths (recursion, deep stacks) all hit. */
typedef struct
{
  cairo_scaled_font_t *font;
  guint                first;
  guint                n_glyphs;
} GlyphRun;

typedef struct
{
  char          *text;
  PangoLayout   *layout;
  int            width;    /* px: the full text's width, or the ellipsized width */
  /* The shaped glyphs, relative to the layout's top left: drawing them with
   * cairo_show_glyphs() is several times cheaper than pango_cairo_show_layout(). */
  cairo_glyph_t *glyphs;
  GlyphRun      *runs;
  guint          n_runs;
  /* The glyphs rasterised once into an A8 coverage mask (raster targets
   * with an integer-translation transform only): a redraw composites it
   * with one cairo_mask_surface() over the label's own pixels.  Drawing
   * many labels with cairo_show_glyphs() instead makes pixman build and
   * composite a mask as large as the whole batch's extents, i.e. the whole
   * screen, which dominated deep profiles' redraws. */
  cairo_surface_t *mask;     /* NULL: not made yet, or no ink */
  int              mask_x;   /* mask origin relative to the label's, px */
  int              mask_y;
  gboolean         mask_made;
} Label;

#define FULL_WIDTH 0xffffffffu

/* On raster targets render() collects the frames and labels first, then
 * fills all frames of one colour with a single path and draws the labels
 * from their masks: a few dozen cairo calls instead of thousands. */
typedef struct
{
  ScorchFlameColor color;
  double           x, y, width, height;
} PendingFill;

typedef struct
{
  Label           *label;
  ScorchFlameColor color;
  double           x, y;  /* whole pixels: the mask's top left */
} PendingLabel;

typedef struct
{
  cairo_scaled_font_t *font;  /* a reference */
  ScorchFlameColor     color;
  GArray              *glyphs; /* of cairo_glyph_t */
} GlyphBatch;

struct _ScorchFlameRenderer
{
  ScorchFlameColorScheme  scheme;
  gboolean                dark;
  PangoContext           *context;
  PangoFontDescription   *font;
  double                  font_px;
  double                  char_width;
  double                  ellipsis_width;
  double                  text_height;
  GHashTable             *labels; /* (frame id << 32 | width) -> Label */
  GBytes                 *matches;
  GlyphBatch              batches[8];
  guint                   n_batches;
  gboolean                text_glyphs;
  gboolean                label_masks;  /* this render() draws from fill and label lists */
  GArray                 *fills;        /* of PendingFill */
  GArray                 *pending;      /* of PendingLabel */
  guint32                 selected;
  guint32                 hovered;
  guint32                 highlight_frame;
  gboolean                short_names;
  ScorchDisplayNameFlags  name_flags;
  GHashTable             *short_cache; /* function name (borrowed pointer) -> ShortName */
  ScorchDiff             *diff;        /* differential colouring, or NULL */
  ScorchDiffSide          diff_side;   /* the diff's profile the layouts draw */
};

/* A function's display name, keyed by the profile's interned name; the
 * full text is kept to check the key was not reused by another profile. */
typedef struct
{
  char *full;
  char *shown;
} ShortName;

static void
short_name_free (gpointer data)
{
  ShortName *n = data;

  g_free (n->full);
  g_free (n->shown);
  g_free (n);
}

static void
label_free (gpointer data)
{
  Label *label = data;

  g_free (label->text);
  g_clear_object (&label->layout);
  for (guint i = 0; i < label->n_runs; i++)
    cairo_scaled_font_destroy (label->runs[i].font);
  g_free (label->runs);
  g_free (label->glyphs);
  g_clear_pointer (&label->mask, cairo_surface_destroy);
  g_free (label);
}

static void
update_metrics (ScorchFlameRenderer *self)
{
  PangoFontMetrics *metrics;
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  pango_context_set_font_description (self->context, self->font);
  metrics = pango_context_get_metrics (self->context, self->font, NULL);
  self->char_width = pango_font_metrics_get_approximate_char_width (metrics) / (double) PANGO_SCALE;
  pango_font_metrics_unref (metrics);

  if (pango_font_description_get_size_is_absolute (self->font))
    self->font_px = pango_font_description_get_size (self->font) / (double) PANGO_SCALE;
  else
    self->font_px = pango_font_description_get_size (self->font) / (double) PANGO_SCALE * 96.0 / 72.0;

  layout = pango_layout_new (self->context);
  pango_layout_set_text (layout, "…", -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  self->ellipsis_width = w;
  self->text_height = h;

  g_hash_table_remove_all (self->labels);
}

ScorchFlameRenderer *
scorch_flame_renderer_new (void)
{
  ScorchFlameRenderer *self = g_new0 (ScorchFlameRenderer, 1);
  cairo_font_options_t *options;

  self->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  pango_cairo_context_set_resolution (self->context, 96.0);
  /* Unhinted metrics: the same label widths on screen, PNG, PDF and SVG. */
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (self->context, options);
  cairo_font_options_destroy (options);

  self->font = pango_font_description_from_string ("Sans 9");
  self->labels = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, label_free);
  self->short_cache = g_hash_table_new_full (NULL, NULL, NULL, short_name_free);
  self->selected = SCORCH_NODE_NONE;
  self->hovered = SCORCH_NODE_NONE;
  self->highlight_frame = G_MAXUINT32;
  for (guint i = 0; i < G_N_ELEMENTS (self->batches); i++)
    self->batches[i].glyphs = g_array_new (FALSE, FALSE, sizeof (cairo_glyph_t));
  self->fills = g_array_new (FALSE, FALSE, sizeof (PendingFill));
  self->pending = g_array_new (FALSE, FALSE, sizeof (PendingLabel));
  update_metrics (self);

  return self;
}

void
scorch_flame_renderer_free (ScorchFlameRenderer *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->labels);
  g_hash_table_unref (self->short_cache);
  for (guint i = 0; i < G_N_ELEMENTS (self->batches); i++)
    g_array_unref (self->batches[i].glyphs);
  g_array_unref (self->fills);
  g_array_unref (self->pending);
  g_clear_pointer (&self->matches, g_bytes_unref);
  g_clear_object (&self->diff);
  pango_font_description_free (self->font);
  g_object_unref (self->context);
  g_free (self);
}

void
scorch_flame_renderer_set_color_scheme (ScorchFlameRenderer    *self,
                                        ScorchFlameColorScheme  scheme)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (scheme < SCORCH_FLAME_N_COLOR_SCHEMES);

  self->scheme = scheme;
}

ScorchFlameColorScheme
scorch_flame_renderer_get_color_scheme (ScorchFlameRenderer *self)
{
  return self->scheme;
}

void
scorch_flame_renderer_set_dark (ScorchFlameRenderer *self,
                                gboolean             dark)
{
  g_return_if_fail (self != NULL);

  self->dark = !!dark;
}

gboolean
scorch_flame_renderer_get_dark (ScorchFlameRenderer *self)
{
  return self->dark;
}

void
scorch_flame_renderer_set_font (ScorchFlameRenderer        *self,
                                const PangoFontDescription *font)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (font != NULL);

  pango_font_description_free (self->font);
  self->font = pango_font_description_copy (font);
  update_metrics (self);
}

void
scorch_flame_renderer_set_matches (ScorchFlameRenderer *self,
                                   GBytes              *matches)
{
  g_return_if_fail (self != NULL);

  if (matches != NULL)
    g_bytes_ref (matches);
  g_clear_pointer (&self->matches, g_bytes_unref);
  self->matches = matches;
}

void
scorch_flame_renderer_set_highlight_frame (ScorchFlameRenderer *self,
                                           guint32              frame)
{
  g_return_if_fail (self != NULL);

  self->highlight_frame = frame;
}

guint32
scorch_flame_renderer_get_highlight_frame (ScorchFlameRenderer *self)
{
  g_return_val_if_fail (self != NULL, G_MAXUINT32);

  return self->highlight_frame;
}

void
scorch_flame_renderer_set_selected (ScorchFlameRenderer *self,
                                    guint32              node)
{
  g_return_if_fail (self != NULL);

  self->selected = node;
}

void
scorch_flame_renderer_set_hovered (ScorchFlameRenderer *self,
                                   guint32              node)
{
  g_return_if_fail (self != NULL);

  self->hovered = node;
}

double
scorch_flame_renderer_get_font_px (ScorchFlameRenderer *self)
{
  return self->font_px;
}

double
scorch_flame_renderer_get_char_width (ScorchFlameRenderer *self)
{
  return self->char_width;
}

guint32
scorch_flame_hash_name (const char *name)
{
  guint32 h = 2166136261u;

  for (const guchar *p = (const guchar *) name; *p; p++)
    {
      h ^= *p;
      h *= 16777619u;
    }

  return h;
}

/* Three independent-looking fractions in [0, 1) from one hash. */
static void
hash_fractions (guint32  h,
                double  *v1,
                double  *v2,
                double  *v3)
{
  guint32 m = h;

  *v1 = (m & 0x3ff) / 1024.0;
  m = m * 2654435761u;
  *v2 = ((m >> 10) & 0x3ff) / 1024.0;
  m = m * 2654435761u;
  *v3 = ((m >> 20) & 0x3ff) / 1024.0;
}

static void
set_rgb (ScorchFlameColor *c,
         double            r,
         double            g,
         double            b)
{
  c->red = r / 255.0;
  c->green = g / 255.0;
  c->blue = b / 255.0;
}

static void
hsl_to_rgb (double            h,
            double            s,
            double            l,
            ScorchFlameColor *c)
{
  double q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  double p = 2 * l - q;
  double t[3] = { h + 1.0 / 3.0, h, h - 1.0 / 3.0 };
  double *out[3] = { &c->red, &c->green, &c->blue };

  for (guint i = 0; i < 3; i++)
    {
      double x = t[i];

      if (x < 0)
        x += 1;
      if (x > 1)
        x -= 1;
      if (x < 1.0 / 6.0)
        *out[i] = p + (q - p) * 6 * x;
      else if (x < 0.5)
        *out[i] = q;
      else if (x < 2.0 / 3.0)
        *out[i] = p + (q - p) * (2.0 / 3.0 - x) * 6;
      else
        *out[i] = p;
    }
}

static void
hot_color (const char       *name,
           ScorchFlameColor *c)
{
  double v1, v2, v3;

  hash_fractions (scorch_flame_hash_name (name), &v1, &v2, &v3);
  /* FlameGraph's "hot", with the darkest reds left out so labels stay readable. */
  set_rgb (c, 215 + 40 * v3, 80 + 150 * v1, 30 + 50 * v2);
}

static void
kind_color (const ScorchFrame *frame,
            ScorchFlameColor  *c)
{
  double v1, v2, v3;

  hash_fractions (scorch_flame_hash_name (frame->function), &v1, &v2, &v3);
  switch (frame->kind)
    {
    case SCORCH_FRAME_KIND_USER:
      set_rgb (c, 220 + 35 * v3, 90 + 110 * v1, 60 + 40 * v2);   /* red */
      break;
    case SCORCH_FRAME_KIND_KERNEL:
      set_rgb (c, 225 + 30 * v1, 160 + 50 * v1, 40 + 20 * v2);   /* orange */
      break;
    case SCORCH_FRAME_KIND_INLINED:
      set_rgb (c, 80 + 60 * v1, 190 + 45 * v1, 200 + 45 * v2);   /* aqua */
      break;
    case SCORCH_FRAME_KIND_JIT:
      set_rgb (c, 90 + 60 * v1, 200 + 45 * v1, 90 + 50 * v2);    /* green */
      break;
    case SCORCH_FRAME_KIND_ROOT:
      set_rgb (c, 200, 200, 190);
      break;
    case SCORCH_FRAME_KIND_UNKNOWN:
    default:
      set_rgb (c, 175 + 30 * v1, 175 + 30 * v1, 175 + 30 * v1); /* grey */
      break;
    }
}

static void
module_color (const ScorchFrame *frame,
              ScorchFlameColor  *c)
{
  double v1, v2, v3;
  const char *module = frame->module != NULL && frame->module[0] ? frame->module : frame->function;

  hash_fractions (scorch_flame_hash_name (module), &v1, &v2, &v3);
  hsl_to_rgb (v1, 0.55 + 0.2 * v2, 0.70 + 0.08 * v3, c);
}

static double
luminance (const ScorchFlameColor *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

void
scorch_flame_renderer_get_background (ScorchFlameRenderer *self,
                                      ScorchFlameColor    *color)
{
  if (self->dark)
    set_rgb (color, 0x24, 0x24, 0x24);
  else
    set_rgb (color, 0xff, 0xff, 0xff);
}

void
scorch_flame_renderer_get_match_color (ScorchFlameRenderer *self,
                                       ScorchFlameColor    *color)
{
  set_rgb (color, 230, 0, 230); /* FlameGraph's search magenta */
}

/* Teal: away from the warm palette, the search's magenta and the
 * selection's blue, and readable with dark text. */
void
scorch_flame_renderer_get_highlight_colors (ScorchFlameRenderer *self,
                                            ScorchFlameColor    *fill,
                                            ScorchFlameColor    *outline)
{
  if (fill != NULL)
    {
      if (self->dark)
        set_rgb (fill, 0x2a, 0xb8, 0xa8);
      else
        set_rgb (fill, 0x5c, 0xdb, 0xc8);
    }
  if (outline != NULL)
    {
      if (self->dark)
        set_rgb (outline, 0xb6, 0xf5, 0xea);
      else
        set_rgb (outline, 0x00, 0x5a, 0x50);
    }
}

static gboolean
frame_matches (ScorchFlameRenderer *self,
               guint32              frame)
{
  const guint8 *m;
  gsize n;

  if (self->matches == NULL)
    return FALSE;
  m = g_bytes_get_data (self->matches, &n);

  return frame < n && m[frame] != 0;
}

/* ---- differential colouring (compare two captures) ---------------------- */

void
scorch_flame_renderer_set_diff (ScorchFlameRenderer *self,
                                ScorchDiff          *diff,
                                ScorchDiffSide       side)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (diff == NULL || SCORCH_IS_DIFF (diff));

  g_set_object (&self->diff, diff);
  self->diff_side = side;
}

ScorchDiff *
scorch_flame_renderer_get_diff (ScorchFlameRenderer *self,
                                ScorchDiffSide      *side)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (side != NULL)
    *side = self->diff_side;
  return self->diff;
}

void
scorch_flame_diff_color (ScorchDiffChange  change,
                         double            intensity,
                         gboolean          dark,
                         ScorchFlameColor *color)
{
  /* From a light tint (just beyond the noise) to a saturated colour (a
   * change of a tenth of all samples or more). */
  static const double hot[2][3] = { { 250, 212, 200 }, { 200, 28, 28 } };
  static const double cool[2][3] = { { 208, 220, 250 }, { 30, 80, 205 } };
  const double (*ends)[3];
  double t;

  if (change == SCORCH_DIFF_NEUTRAL)
    {
      if (dark)
        set_rgb (color, 110, 110, 106);
      else
        set_rgb (color, 222, 220, 212);
      return;
    }
  ends = change == SCORCH_DIFF_HOTTER ? hot : cool;
  t = CLAMP (intensity, 0, 1);
  set_rgb (color,
           ends[0][0] + (ends[1][0] - ends[0][0]) * t,
           ends[0][1] + (ends[1][1] - ends[0][1]) * t,
           ends[0][2] + (ends[1][2] - ends[0][2]) * t);
}

/* A tenth of all samples (10 points, or a tenth of the larger overall
 * rate) is full intensity; anything beyond the threshold starts at 0.25. */
static double
diff_intensity (ScorchDiff *diff,
                double      delta)
{
  double scale = 0.1 * MAX (scorch_diff_normalize (diff, SCORCH_DIFF_BASE,
                                                   scorch_diff_get_n_samples (diff, SCORCH_DIFF_BASE)),
                            scorch_diff_normalize (diff, SCORCH_DIFF_NEW,
                                                   scorch_diff_get_n_samples (diff, SCORCH_DIFF_NEW)));

  if (scale <= 0)
    return 1;
  return 0.25 + 0.75 * MIN (fabs (delta) / scale, 1.0);
}

gboolean
scorch_flame_renderer_get_rect_diff (ScorchFlameRenderer   *self,
                                     ScorchProfile         *profile,
                                     const ScorchFlameRect *rect,
                                     ScorchFlameRectDiff   *out)
{
  const ScorchDiffNode *dn;
  guint32 m;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (self->diff == NULL || (rect->flags & SCORCH_FLAME_RECT_MERGED) ||
      profile != scorch_diff_get_profile (self->diff, self->diff_side))
    return FALSE;
  m = scorch_diff_lookup_node (self->diff, self->diff_side, rect->node);
  if (m == SCORCH_NODE_NONE)
    return FALSE;

  dn = &scorch_diff_get_nodes (self->diff, NULL)[m];
  out->base_count = dn->base_total;
  out->new_count = dn->new_total;
  out->base_value = scorch_diff_normalize (self->diff, SCORCH_DIFF_BASE, dn->base_total);
  out->new_value = scorch_diff_normalize (self->diff, SCORCH_DIFF_NEW, dn->new_total);
  out->change = scorch_diff_compare (self->diff, dn->base_total, dn->new_total, &out->delta);
  out->only_here = self->diff_side == SCORCH_DIFF_NEW ? dn->base_node == SCORCH_NODE_NONE
                                                      : dn->new_node == SCORCH_NODE_NONE;
  return TRUE;
}

static void
diff_rect_color (ScorchFlameRenderer   *self,
                 ScorchProfile         *profile,
                 const ScorchFlameRect *rect,
                 ScorchFlameColor      *color)
{
  ScorchFlameRectDiff d;

  if (!scorch_flame_renderer_get_rect_diff (self, profile, rect, &d))
    scorch_flame_diff_color (SCORCH_DIFF_NEUTRAL, 0, self->dark, color);
  else
    scorch_flame_diff_color (d.change, diff_intensity (self->diff, d.delta), self->dark, color);
}

/* Frames whose path exists only in the drawn side get a dashed outline in
 * their text colour. */
static void
diff_mark_one_sided (ScorchFlameRenderer   *self,
                     cairo_t               *cr,
                     ScorchProfile         *profile,
                     const ScorchFlameRect *rects,
                     guint                  n_rects,
                     double                 rh)
{
  static const double dashes[] = { 3, 2 };

  if (self->diff == NULL)
    return;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  for (guint i = 0; i < n_rects; i++)
    {
      ScorchFlameRectDiff d;
      ScorchFlameColor text;
      double x0 = floor (rects[i].x + 0.5), x1 = floor (rects[i].x + rects[i].width + 0.5);

      if (x1 - x0 < 4 || !scorch_flame_renderer_get_rect_diff (self, profile, &rects[i], &d) || !d.only_here)
        continue;
      scorch_flame_renderer_get_rect_colors (self, profile, &rects[i], NULL, &text);
      cairo_set_source_rgb (cr, text.red, text.green, text.blue);
      cairo_rectangle (cr, x0 + 0.5, rects[i].y + 0.5, x1 - x0 - 2, rh - 2);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

void
scorch_flame_renderer_draw_diff_legend (ScorchFlameRenderer *self,
                                        cairo_t             *cr,
                                        double               x,
                                        double               y,
                                        double               height,
                                        const char          *const labels[3])
{
  g_autoptr(PangoLayout) layout = NULL;
  ScorchFlameColor c, fg;
  double cx = x, sw = height * 1.4;

  g_return_if_fail (self != NULL);

  layout = pango_layout_new (self->context);
  pango_layout_set_font_description (layout, self->font);
  if (self->dark)
    set_rgb (&fg, 0xee, 0xee, 0xee);
  else
    set_rgb (&fg, 0x1e, 0x1e, 0x1e);

  /* cooler (strong to light) | neutral | hotter (light to strong) */
  for (int i = -3; i <= 3; i++)
    {
      ScorchDiffChange change = i < 0 ? SCORCH_DIFF_COOLER : i > 0 ? SCORCH_DIFF_HOTTER : SCORCH_DIFF_NEUTRAL;

      scorch_flame_diff_color (change, 0.25 + 0.75 * (abs (i) - 1) / 2.0, self->dark, &c);
      cairo_set_source_rgb (cr, c.red, c.green, c.blue);
      cairo_rectangle (cr, cx, y, sw - 1, height);
      cairo_fill (cr);
      cx += sw;
    }
  cx += 6;
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *valid = scorch_text_valid_utf8 (labels[i], -1);
      int w, h;

      if (valid[0] == '\0')
        continue;
      pango_layout_set_text (layout, valid, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      if (i == 2)
        {
          /* the one-sided marker: a dashed box */
          static const double dashes[] = { 3, 2 };

          cairo_save (cr);
          cairo_set_source_rgb (cr, fg.red, fg.green, fg.blue);
          cairo_set_line_width (cr, 1);
          cairo_set_dash (cr, dashes, 2, 0);
          cairo_rectangle (cr, floor (cx) + 0.5, floor (y) + 0.5, sw * 1.5, height - 1);
          cairo_stroke (cr);
          cairo_restore (cr);
          cx += sw * 1.5 + 4;
        }
      cairo_set_source_rgb (cr, fg.red, fg.green, fg.blue);
      cairo_move_to (cr, cx, y + (height - h) / 2);
      pango_cairo_show_layout (cr, layout);
      cx += w + 14;
    }
}

void
scorch_flame_renderer_get_rect_colors (ScorchFlameRenderer   *self,
                                       ScorchProfile         *profile,
                                       const ScorchFlameRect *rect,
                                       ScorchFlameColor      *fill,
                                       ScorchFlameColor      *text)
{
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
  const ScorchFrame *frame = scorch_profile_get_frame (profile, nodes[rect->node].frame);
  ScorchFlameColor bg, f;

  if (rect->flags & SCORCH_FLAME_RECT_MERGED)
    {
      if (self->dark)
        set_rgb (&f, 85, 85, 85);
      else
        set_rgb (&f, 218, 218, 218);
    }
  else if (nodes[rect->node].frame == self->highlight_frame)
    scorch_flame_renderer_get_highlight_colors (self, &f, NULL);
  else if (frame_matches (self, nodes[rect->node].frame))
    scorch_flame_renderer_get_match_color (self, &f);
  else if (self->diff != NULL)
    diff_rect_color (self, profile, rect, &f);
  else
    switch (self->scheme)
      {
      case SCORCH_FLAME_COLORS_MODULE:
        module_color (frame, &f);
        break;
      case SCORCH_FLAME_COLORS_KIND:
        kind_color (frame, &f);
        break;
      case SCORCH_FLAME_COLORS_HOT:
      case SCORCH_FLAME_N_COLOR_SCHEMES:
      default:
        if (frame->kind == SCORCH_FRAME_KIND_ROOT)
          set_rgb (&f, 200, 200, 190);
        else
          hot_color (frame->function, &f);
        break;
      }

  if (self->dark && !(rect->flags & SCORCH_FLAME_RECT_MERGED) &&
      nodes[rect->node].frame != self->highlight_frame)
    {
      /* Slightly deeper colours sit better on a dark background. */
      f.red *= 0.85;
      f.green *= 0.85;
      f.blue *= 0.85;
    }

  if (rect->flags & SCORCH_FLAME_RECT_ANCESTOR)
    {
      scorch_flame_renderer_get_background (self, &bg);
      f.red = 0.45 * f.red + 0.55 * bg.red;
      f.green = 0.45 * f.green + 0.55 * bg.green;
      f.blue = 0.45 * f.blue + 0.55 * bg.blue;
    }

  if (fill != NULL)
    *fill = f;

  if (text != NULL)
    {
      if (luminance (&f) > 0.45)
        set_rgb (text, 0x1e, 0x1e, 0x1e);
      else
        set_rgb (text, 0xf6, 0xf6, 0xf6);
      if (rect->flags & SCORCH_FLAME_RECT_ANCESTOR)
        {
          text->red = 0.6 * text->red + 0.4 * f.red;
          text->green = 0.6 * text->green + 0.4 * f.green;
          text->blue = 0.6 * text->blue + 0.4 * f.blue;
        }
    }
}

const char *
scorch_flame_rect_get_label (ScorchProfile         *profile,
                             const ScorchFlameRect *rect)
{
  const ScorchNode *nodes;

  if (rect->flags & SCORCH_FLAME_RECT_MERGED)
    return NULL;

  nodes = scorch_profile_get_nodes (profile, NULL);
  return scorch_profile_get_frame (profile, nodes[rect->node].frame)->function;
}

char *
scorch_flame_renderer_fit_label (ScorchFlameRenderer *self,
                                 const char          *text,
                                 double               avail_px)
{
  g_autofree char *valid = NULL;
  glong len, fit;
  const char *end;
  GString *s;

  g_return_val_if_fail (self != NULL, NULL);

  if (text == NULL || avail_px < self->char_width * 2 + self->ellipsis_width)
    return NULL;

  /* The g_utf8_*() walks below need valid UTF-8; names may not be. The
   * label is what get_label() draws: control characters as U+FFFD. */
  valid = scorch_text_to_display (text);
  text = valid;
  len = g_utf8_strlen (text, -1);
  if (len * self->char_width <= avail_px)
    return g_strdup (text);

  fit = (glong) floor ((avail_px - self->ellipsis_width) / self->char_width);
  if (fit < 2)
    return NULL;

  end = g_utf8_offset_to_pointer (text, fit);
  s = g_string_new_len (text, end - text);
  g_string_append (s, "…");

  return g_string_free (s, FALSE);
}

static void
extract_glyphs (Label *label)
{
  PangoLayoutIter *iter = pango_layout_get_iter (label->layout);
  GArray *glyphs = g_array_new (FALSE, FALSE, sizeof (cairo_glyph_t));
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (GlyphRun));

  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);
      PangoRectangle logical;
      GlyphRun grun;
      int x, baseline;

      if (run == NULL)
        continue;
      pango_layout_iter_get_run_extents (iter, NULL, &logical);
      baseline = pango_layout_iter_get_baseline (iter);
      x = logical.x;
      grun.font = pango_cairo_font_get_scaled_font (PANGO_CAIRO_FONT (run->item->analysis.font));
      if (grun.font == NULL)
        continue;
      grun.font = cairo_scaled_font_reference (grun.font);
      grun.first = glyphs->len;
      for (int i = 0; i < run->glyphs->num_glyphs; i++)
        {
          const PangoGlyphInfo *gi = &run->glyphs->glyphs[i];

          if (gi->glyph != PANGO_GLYPH_EMPTY && !(gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG))
            {
              cairo_glyph_t g;

              g.index = gi->glyph;
              g.x = (double) (x + gi->geometry.x_offset) / PANGO_SCALE;
              g.y = (double) (baseline + gi->geometry.y_offset) / PANGO_SCALE;
              g_array_append_val (glyphs, g);
            }
          x += gi->geometry.width;
        }
      grun.n_glyphs = glyphs->len - grun.first;
      g_array_append_val (runs, grun);
    }
  while (pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);

  label->n_runs = runs->len;
  label->runs = (GlyphRun *) (gpointer) g_array_free (runs, FALSE);
  label->glyphs = (cairo_glyph_t *) (gpointer) g_array_free (glyphs, FALSE);
}

/* Rasterises the label's glyphs, its origin on a whole pixel, into an A8
 * mask by adding their coverage as pixman does when it composites a glyph
 * run, so that the mask composited in the text colour gives the pixels
 * cairo_show_glyphs() gives at that origin. */
static void
make_label_mask (Label *label)
{
  double x1 = G_MAXDOUBLE, y1 = G_MAXDOUBLE, x2 = -G_MAXDOUBLE, y2 = -G_MAXDOUBLE;
  int mx, my, mw, mh;
  cairo_t *cr;

  label->mask_made = TRUE;
  for (guint r = 0; r < label->n_runs; r++)
    {
      const GlyphRun *run = &label->runs[r];
      cairo_text_extents_t e;
      double gx, gy;

      if (run->n_glyphs == 0)
        continue;
      cairo_scaled_font_glyph_extents (run->font, &label->glyphs[run->first], run->n_glyphs, &e);
      if (e.width <= 0 || e.height <= 0)
        continue;
      /* The extents are relative to the first glyph's origin. */
      gx = label->glyphs[run->first].x + e.x_bearing;
      gy = label->glyphs[run->first].y + e.y_bearing;
      x1 = MIN (x1, gx);
      y1 = MIN (y1, gy);
      x2 = MAX (x2, gx + e.width);
      y2 = MAX (y2, gy + e.height);
    }
  if (x1 >= x2)
    return; /* no ink: nothing to draw */

  /* Two pixels of slack for rounding glyph positions and antialiasing. */
  mx = (int) floor (x1) - 2;
  my = (int) floor (y1) - 2;
  mw = (int) ceil (x2) + 2 - mx;
  mh = (int) ceil (y2) + 2 - my;
  label->mask = cairo_image_surface_create (CAIRO_FORMAT_A8, mw, mh);
  label->mask_x = mx;
  label->mask_y = my;

  cr = cairo_create (label->mask);
  cairo_translate (cr, -mx, -my);
  cairo_set_operator (cr, CAIRO_OPERATOR_ADD);
  for (guint r = 0; r < label->n_runs; r++)
    {
      const GlyphRun *run = &label->runs[r];

      if (run->n_glyphs == 0)
        continue;
      cairo_set_scaled_font (cr, run->font);
      cairo_show_glyphs (cr, &label->glyphs[run->first], run->n_glyphs);
    }
  cairo_destroy (cr);
  cairo_surface_flush (label->mask);
}

void
scorch_flame_renderer_set_short_names (ScorchFlameRenderer    *self,
                                       gboolean                short_names,
                                       ScorchDisplayNameFlags  flags)
{
  g_return_if_fail (self != NULL);

  if (self->short_names == !!short_names && self->name_flags == flags)
    return;
  self->short_names = !!short_names;
  self->name_flags = flags;
  g_hash_table_remove_all (self->short_cache);
  g_hash_table_remove_all (self->labels);
}

/* The name a label shows: shortened once per function (see
 * scorch_display_name()), cached by the profile's interned string. */
static const char *
shown_name (ScorchFlameRenderer *self,
            const char          *full)
{
  ShortName *n = g_hash_table_lookup (self->short_cache, full);

  if (n != NULL && strcmp (n->full, full) == 0)
    return n->shown;
  if (g_hash_table_size (self->short_cache) >= LABEL_CACHE_MAX)
    g_hash_table_remove_all (self->short_cache);
  n = g_new (ShortName, 1);
  n->full = g_strdup (full);
  n->shown = scorch_display_name (full, self->name_flags);
  g_hash_table_replace (self->short_cache, (gpointer) full, n);
  return n->shown;
}

const char *
scorch_flame_renderer_get_shown_label (ScorchFlameRenderer   *self,
                                       ScorchProfile         *profile,
                                       const ScorchFlameRect *rect)
{
  const char *label = scorch_flame_rect_get_label (profile, rect);

  if (label != NULL && self->short_names)
    label = shown_name (self, label);
  return label;
}

static Label *
get_label (ScorchFlameRenderer *self,
           guint32              frame_id,
           guint32              width,
           const char          *text)
{
  gint64 key = ((gint64) frame_id << 32) | width;
  Label *label = g_hash_table_lookup (self->labels, &key);
  int w, h;

  if (label != NULL && strcmp (label->text, text) == 0)
    return label;

  if (g_hash_table_size (self->labels) >= LABEL_CACHE_MAX)
    g_hash_table_remove_all (self->labels);

  label = g_new0 (Label, 1);
  label->text = g_strdup (text);
  label->layout = pango_layout_new (self->context);
  pango_layout_set_single_paragraph_mode (label->layout, TRUE);
  {
    /* Names come from the capture: Pango wants valid UTF-8, and control
     * characters would be drawn as hex boxes. */
    g_autofree char *valid = scorch_text_to_display (text);

    pango_layout_set_text (label->layout, valid, -1);
  }
  if (width != FULL_WIDTH)
    {
      pango_layout_set_ellipsize (label->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_width (label->layout, (int) width * PANGO_SCALE);
      label->width = (int) width;
    }
  else
    {
      pango_layout_get_pixel_size (label->layout, &w, &h);
      label->width = w;
    }
  extract_glyphs (label);
  g_hash_table_replace (self->labels, g_memdup2 (&key, sizeof key), label);

  return label;
}

static void
flush_batches (ScorchFlameRenderer *self,
               cairo_t             *cr)
{
  for (guint i = 0; i < self->n_batches; i++)
    {
      GlyphBatch *b = &self->batches[i];

      if (b->glyphs->len > 0)
        {
          cairo_set_source_rgb (cr, b->color.red, b->color.green, b->color.blue);
          cairo_set_scaled_font (cr, b->font);
          cairo_show_glyphs (cr, (cairo_glyph_t *) (gpointer) b->glyphs->data, b->glyphs->len);
        }
      g_array_set_size (b->glyphs, 0);
      g_clear_pointer (&b->font, cairo_scaled_font_destroy);
    }
  self->n_batches = 0;
}

/* Labels are drawn at the end, one cairo_show_glyphs() per font and colour. */
static GlyphBatch *
get_batch (ScorchFlameRenderer    *self,
           cairo_t                *cr,
           cairo_scaled_font_t    *font,
           const ScorchFlameColor *color)
{
  GlyphBatch *b;

  for (guint i = 0; i < self->n_batches; i++)
    {
      b = &self->batches[i];
      if (b->font == font && b->color.red == color->red &&
          b->color.green == color->green && b->color.blue == color->blue)
        return b;
    }
  if (self->n_batches == G_N_ELEMENTS (self->batches))
    flush_batches (self, cr);
  b = &self->batches[self->n_batches++];
  b->font = cairo_scaled_font_reference (font);
  b->color = *color;
  return b;
}

static void
draw_label (ScorchFlameRenderer    *self,
            cairo_t                *cr,
            const ScorchFlameRect  *rect,
            guint32                 frame_id,
            const char             *text,
            const ScorchFlameColor *color,
            double                  row_height)
{
  double avail = rect->width - 1 - 2 * SCORCH_FLAME_LABEL_PADDING;
  double x0, y0;
  int avail_px;
  Label *label;

  /* Estimate first: not even two characters and an ellipsis fit. */
  if (avail < self->char_width * 2 + self->ellipsis_width)
    return;

  avail_px = (int) floor (avail);
  label = get_label (self, frame_id, FULL_WIDTH, text);
  if (label->width > avail_px)
    label = get_label (self, frame_id, (guint32) avail_px, text);

  y0 = rect->y + floor ((row_height - 1 - self->text_height) / 2);

  if (self->label_masks)
    {
      PendingLabel p;

      if (!label->mask_made)
        make_label_mask (label);
      if (label->mask == NULL)
        return;
      /* On the frame's snapped left edge, so that the mask stays on whole
       * pixels (as the frame does) and can be reused at any position. */
      p.label = label;
      p.color = *color;
      p.x = floor (rect->x + 0.5) + SCORCH_FLAME_LABEL_PADDING + label->mask_x;
      p.y = floor (y0 + 0.5) + label->mask_y;
      g_array_append_val (self->pending, p);
      return;
    }

  cairo_set_source_rgb (cr, color->red, color->green, color->blue);
  x0 = rect->x + SCORCH_FLAME_LABEL_PADDING;

  if (self->text_glyphs)
    {
      /* PDF and SVG keep the text itself (searchable, copyable). */
      cairo_move_to (cr, x0, y0);
      pango_cairo_show_layout (cr, label->layout);
      return;
    }

  for (guint r = 0; r < label->n_runs; r++)
    {
      const GlyphRun *run = &label->runs[r];
      GlyphBatch *batch = get_batch (self, cr, run->font, color);
      guint base = batch->glyphs->len;
      cairo_glyph_t *out;

      if (run->n_glyphs == 0)
        continue;
      g_array_set_size (batch->glyphs, base + run->n_glyphs);
      out = &g_array_index (batch->glyphs, cairo_glyph_t, base);
      for (guint i = 0; i < run->n_glyphs; i++)
        {
          out[i].index = label->glyphs[run->first + i].index;
          out[i].x = label->glyphs[run->first + i].x + x0;
          out[i].y = label->glyphs[run->first + i].y + y0;
        }
    }
}

/* User space is device space moved by whole pixels: cached label masks
 * land on whole device pixels, unscaled. */
static gboolean
is_pixel_aligned (cairo_t *cr)
{
  double x = 0, y = 0, ux = 1, uy = 0, vx = 0, vy = 1;

  cairo_user_to_device (cr, &x, &y);
  cairo_user_to_device_distance (cr, &ux, &uy);
  cairo_user_to_device_distance (cr, &vx, &vy);

  return x == floor (x) && y == floor (y) &&
         ux == 1 && uy == 0 && vx == 0 && vy == 1;
}

static int
compare_colors (const ScorchFlameColor *a,
                const ScorchFlameColor *b)
{
  if (a->red != b->red)
    return a->red < b->red ? -1 : 1;
  if (a->green != b->green)
    return a->green < b->green ? -1 : 1;
  if (a->blue != b->blue)
    return a->blue < b->blue ? -1 : 1;
  return 0;
}

static int
compare_fills (gconstpointer a,
               gconstpointer b)
{
  return compare_colors (&((const PendingFill *) a)->color, &((const PendingFill *) b)->color);
}

static int
compare_pending_labels (gconstpointer a,
                        gconstpointer b)
{
  return compare_colors (&((const PendingLabel *) a)->color, &((const PendingLabel *) b)->color);
}

/* Frames do not overlap, so they can be filled in any order: one path
 * per colour.  Then the labels, one mask each, sorted by colour so that
 * the source changes only a few times. */
static void
flush_pending (ScorchFlameRenderer *self,
               cairo_t             *cr)
{
  const PendingFill *fills = (const PendingFill *) (gpointer) self->fills->data;
  const PendingLabel *labels = (const PendingLabel *) (gpointer) self->pending->data;

  g_array_sort (self->fills, compare_fills);
  for (guint i = 0; i < self->fills->len; i++)
    {
      cairo_rectangle (cr, fills[i].x, fills[i].y, fills[i].width, fills[i].height);
      if (i + 1 == self->fills->len || compare_colors (&fills[i].color, &fills[i + 1].color) != 0)
        {
          cairo_set_source_rgb (cr, fills[i].color.red, fills[i].color.green, fills[i].color.blue);
          cairo_fill (cr);
        }
    }
  g_array_set_size (self->fills, 0);

  g_array_sort (self->pending, compare_pending_labels);
  for (guint i = 0; i < self->pending->len; i++)
    {
      if (i == 0 || compare_colors (&labels[i].color, &labels[i - 1].color) != 0)
        cairo_set_source_rgb (cr, labels[i].color.red, labels[i].color.green, labels[i].color.blue);
      cairo_mask_surface (cr, labels[i].label->mask, labels[i].x, labels[i].y);
    }
  g_array_set_size (self->pending, 0);
}

void
scorch_flame_renderer_render (ScorchFlameRenderer *self,
                              cairo_t             *cr,
                              ScorchFlameLayout   *layout)
{
  const ScorchFlameViewport *vp;
  const ScorchFlameRect *rects;
  const ScorchNode *nodes;
  ScorchProfile *profile;
  ScorchFlameColor bg;
  double rh;
  guint n_rects;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (layout != NULL);

  vp = scorch_flame_layout_get_viewport (layout);
  rects = scorch_flame_layout_get_rects (layout, &n_rects);
  profile = scorch_flame_layout_get_profile (layout);
  nodes = scorch_profile_get_nodes (profile, NULL);
  rh = vp->row_height;

  self->n_batches = 0;
  self->text_glyphs = cairo_surface_has_show_text_glyphs (cairo_get_target (cr));
  self->label_masks = !self->text_glyphs && is_pixel_aligned (cr);
  g_array_set_size (self->fills, 0);
  g_array_set_size (self->pending, 0);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, vp->width, vp->height);
  cairo_clip (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);

  scorch_flame_renderer_get_background (self, &bg);
  cairo_set_source_rgb (cr, bg.red, bg.green, bg.blue);
  cairo_paint (cr);

  for (guint i = 0; i < n_rects; i++)
    {
      const ScorchFlameRect *rect = &rects[i];
      ScorchFlameColor fill, text;
      /* Whole pixels: crisp edges and a gap of exactly one pixel. */
      double x0 = floor (rect->x + 0.5);
      double x1 = floor (rect->x + rect->width + 0.5);
      double w = x1 - x0 >= 2 ? x1 - x0 - 1 : 1;
      const char *label;

      scorch_flame_renderer_get_rect_colors (self, profile, rect, &fill, &text);
      if (self->label_masks)
        {
          PendingFill f = { fill, x0, rect->y, w, rh - 1 };

          g_array_append_val (self->fills, f);
        }
      else
        {
          cairo_set_source_rgb (cr, fill.red, fill.green, fill.blue);
          cairo_rectangle (cr, x0, rect->y, w, rh - 1);
          cairo_fill (cr);
        }

      label = scorch_flame_renderer_get_shown_label (self, profile, rect);
      if (label != NULL)
        draw_label (self, cr, rect, nodes[rect->node].frame, label, &text, rh);
    }

  flush_batches (self, cr);
  flush_pending (self, cr);

  diff_mark_one_sided (self, cr, profile, rects, n_rects, rh);

  /* Outlines last, so that neighbours do not paint over them: first every
   * node of the highlighted function, then hover and selection. */
  if (self->highlight_frame != G_MAXUINT32)
    {
      ScorchFlameColor outline;
      gboolean any = FALSE;

      for (guint i = 0; i < n_rects; i++)
        {
          double x0, x1;

          if ((rects[i].flags & SCORCH_FLAME_RECT_MERGED) ||
              nodes[rects[i].node].frame != self->highlight_frame)
            continue;
          x0 = floor (rects[i].x + 0.5);
          x1 = floor (rects[i].x + rects[i].width + 0.5);
          if (x1 - x0 < 3)
            continue; /* the fill alone shows it */
          cairo_rectangle (cr, x0 + 0.5, rects[i].y + 0.5, x1 - x0 - 2, rh - 2);
          any = TRUE;
        }
      if (any)
        {
          scorch_flame_renderer_get_highlight_colors (self, NULL, &outline);
          cairo_set_source_rgb (cr, outline.red, outline.green, outline.blue);
          cairo_set_line_width (cr, 1);
          cairo_stroke (cr);
        }
    }

  for (guint pass = 0; pass < 2; pass++)
    {
      guint32 node = pass == 0 ? self->hovered : self->selected;
      gint idx;

      if (node == SCORCH_NODE_NONE)
        continue;
      if (pass == 0 && node == self->selected)
        continue;
      idx = scorch_flame_layout_find_node (layout, node);
      if (idx < 0)
        continue;

      if (pass == 0)
        {
          if (self->dark)
            cairo_set_source_rgba (cr, 1, 1, 1, 0.6);
          else
            cairo_set_source_rgba (cr, 0, 0, 0, 0.45);
          cairo_set_line_width (cr, 1);
          cairo_rectangle (cr, rects[idx].x + 0.5, rects[idx].y + 0.5,
                           MAX (rects[idx].width - 2, 0), rh - 2);
        }
      else
        {
          if (self->dark)
            set_rgb (&bg, 0x99, 0xc1, 0xf1);
          else
            set_rgb (&bg, 0x1c, 0x71, 0xd8);
          cairo_set_source_rgb (cr, bg.red, bg.green, bg.blue);
          cairo_set_line_width (cr, 2);
          cairo_rectangle (cr, rects[idx].x + 1, rects[idx].y + 1,
                           MAX (rects[idx].width - 3, 0), rh - 3);
        }
      cairo_stroke (cr);
    }

  cairo_restore (cr);
}
