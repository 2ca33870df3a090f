/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-export.c: flame graphs to SVG, PNG, PDF and folded stacks
 *
 * PNG and PDF go through the same ScorchFlameRenderer as the widget.  SVG
 * is written by hand from the same layout, colours and label fitting,
 * because each frame needs a <title> (function, samples, percentage) that
 * cairo's SVG surface cannot write. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-flame"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "scorch-flame-export.h"
#include "scorch-flame-export-resources.h"
#include "scorch-folded.h"
#include "scorch-text.h"
#include "scorch-util.h"

#define CAIRO_MAX_SIZE 32767
#define PDF_MAX_HEIGHT (14400 * 10)

G_DEFINE_QUARK (scorch-flame-export-error-quark, scorch_flame_export_error)

typedef struct
{
  ScorchProfile       *profile;   /* owned: the inverted one when asked */
  ScorchFlameLayout   *layout;
  ScorchFlameRenderer *renderer;
  ScorchSearch        *search;
  guint64              matched;
  gboolean             searching;
  double               width;
  double               row_height;
  double               header;    /* px above the graph (title) */
  double               footer;    /* px below it (search result) */
  double               legend;    /* px of the diff legend under the title (0: none) */
  double               graph_height;
  char                *title;
} Export;

static void
export_clear (Export *e)
{
  g_clear_pointer (&e->layout, scorch_flame_layout_free);
  g_clear_pointer (&e->renderer, scorch_flame_renderer_free);
  g_clear_object (&e->profile);
  g_clear_pointer (&e->search, scorch_search_unref);
  g_clear_pointer (&e->title, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Export, export_clear)

static gboolean
export_prepare (Export                         *e,
                ScorchProfile                  *profile,
                const ScorchFlameExportOptions *options,
                GError                        **error)
{
  ScorchFlameViewport vp = { 0 };
  guint n_nodes;
  guint32 zoom;

  memset (e, 0, sizeof *e);

  e->profile = options->inverted ? scorch_profile_dup_inverted (profile) : g_object_ref (profile);
  e->renderer = scorch_flame_renderer_new ();
  scorch_flame_renderer_set_color_scheme (e->renderer, options->color_scheme);
  scorch_flame_renderer_set_dark (e->renderer, options->dark);

  if (options->search_object != NULL)
    e->search = scorch_search_ref (options->search_object);
  else if (options->search != NULL && options->search[0] != '\0')
    e->search = scorch_search_new (options->search, SCORCH_SEARCH_REGEX, options->case_sensitive);

  if (e->search != NULL && !scorch_search_is_empty (e->search))
    {
      g_autoptr(GBytes) bytes = NULL;

      if (!scorch_search_is_valid (e->search))
        {
          g_set_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_SEARCH,
                       _("Invalid search expression “%s”: %s"),
                       scorch_search_get_pattern (e->search),
                       scorch_search_get_error_message (e->search));
          return FALSE;
        }
      bytes = scorch_search_dup_frame_matches (e->search, e->profile, &e->matched);
      e->searching = TRUE;
      scorch_flame_renderer_set_matches (e->renderer, bytes);
    }

  e->width = options->width > 0 ? options->width : 1200;
  e->row_height = options->row_height > 0 ? options->row_height : 18;
  e->layout = scorch_flame_layout_new (e->profile);

  scorch_profile_get_nodes (e->profile, &n_nodes);
  zoom = options->zoom_root < n_nodes ? options->zoom_root : SCORCH_PROFILE_ROOT;

  e->header = e->row_height * 2;
  if (options->diff != NULL)
    {
      if (options->inverted ||
          scorch_diff_get_profile (options->diff, options->diff_side) != profile)
        {
          g_set_error_literal (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_FAILED,
                               _("A differential flame graph draws one of the compared profiles as it is "
                                 "(not inverted)"));
          return FALSE;
        }
      scorch_flame_renderer_set_diff (e->renderer, options->diff, options->diff_side);
      e->legend = e->row_height * 1.5;
      e->header += e->legend;
    }
  e->footer = e->searching ? e->row_height * 1.5 : e->row_height * 0.5;

  /* First pass to learn the number of rows, then lay out all of them. */
  vp.x_begin = 0;
  vp.x_end = 1;
  vp.width = e->width;
  vp.row_height = e->row_height;
  vp.height = e->row_height;
  vp.orientation = options->orientation;
  scorch_flame_layout_compute (e->layout, zoom, &vp);
  vp.height = MAX (scorch_flame_layout_get_n_rows (e->layout), 1) * e->row_height;
  scorch_flame_layout_compute (e->layout, zoom, &vp);

  /* Rows deeper than the last drawn one hold only sub-pixel frames: cut them. */
  {
    const ScorchFlameRect *rects;
    guint n_rects, max_row = 0;
    double content;

    rects = scorch_flame_layout_get_rects (e->layout, &n_rects);
    for (guint i = 0; i < n_rects; i++)
      max_row = MAX (max_row, rects[i].row);
    content = scorch_flame_layout_get_content_height (e->layout);
    vp.height = (max_row + 1) * e->row_height;
    if (options->orientation == SCORCH_FLAME_ORIENTATION_FLAME)
      vp.scroll_y = content - vp.height;
  }
  e->graph_height = vp.height;
  scorch_flame_layout_compute (e->layout, zoom, &vp);

  if (options->title != NULL)
    e->title = g_strdup (options->title);
  else if (options->diff != NULL)
    e->title = g_strdup (options->diff_side == SCORCH_DIFF_NEW ? _("Differential Flame Graph")
                                                               : _("Differential Flame Graph (baseline’s shape)"));
  else
    e->title = g_strdup (options->inverted ? _("Inverted Flame Graph") : _("Flame Graph"));

  return TRUE;
}

static char *
search_summary (Export                         *e,
                const ScorchFlameExportOptions *options)
{
  guint64 total = scorch_profile_get_total (e->profile);
  double pct = total > 0 ? 100.0 * e->matched / total : 0;

  /* TRANSLATORS: the regular expression, the percentage of samples matched */
  return g_strdup_printf (_("Matched “%s”: %.2f%% of samples"),
                          scorch_search_get_pattern (e->search), pct);
}

/* ---- differential flame graph: legend and frame titles ------------------ */

static void append_number_attr (GString *s, const char *name, const char *format, double value);
static void append_color       (GString *s, const ScorchFlameColor *c);
static void append_escaped     (GString *s, const char *text);

static char **
diff_legend_labels (const ScorchFlameExportOptions *options)
{
  char **labels = g_new0 (char *, 4);

  labels[0] = g_strdup (_("blue: cooler"));
  labels[1] = g_strdup (_("red: hotter (grey: within the noise)"));
  labels[2] = g_strdup (options->diff_side == SCORCH_DIFF_NEW ? _("only in the new capture")
                                                              : _("only in the baseline"));
  return labels;
}

/* " — base 12.00% → new 20.00% (+8.00)" for a frame's title, in the
 * diff's unit. */
static void
append_diff_title (GString                   *s,
                   ScorchDiff                *diff,
                   const ScorchFlameRectDiff *d)
{
  gboolean rates = scorch_diff_get_mode (diff) == SCORCH_DIFF_RATES;
  const char *unit = rates ? "/s" : "%";
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *text = NULL;

  g_ascii_formatd (a, sizeof a, "%.2f", d->base_value);
  g_ascii_formatd (b, sizeof b, "%.2f", d->new_value);
  g_ascii_formatd (c, sizeof c, "%+.2f", fabs (d->delta) < 0.005 ? 0 : d->delta);
  /* TRANSLATORS: base value, unit, new value, unit, delta */
  text = g_strdup_printf (_(" — base %s%s → new %s%s (%s)"), a, unit, b, unit, c);
  g_string_append (s, text);
  if (d->only_here)
    g_string_append (s, _(" [only in this capture]"));
}

static const char *
diff_class (const ScorchFlameRectDiff *d)
{
  switch (d->change)
    {
    case SCORCH_DIFF_HOTTER:
      return d->only_here ? "frame hotter only-here" : "frame hotter";
    case SCORCH_DIFF_COOLER:
      return d->only_here ? "frame cooler only-here" : "frame cooler";
    case SCORCH_DIFF_NEUTRAL:
    default:
      return d->only_here ? "frame neutral only-here" : "frame neutral";
    }
}

static void
append_svg_legend (GString                        *s,
                   Export                         *e,
                   const ScorchFlameExportOptions *options,
                   const ScorchFlameColor         *fg,
                   double                          font_px)
{
  g_auto(GStrv) labels = diff_legend_labels (options);
  double h = e->row_height - 4, sw = h * 1.4;
  double x = SCORCH_FLAME_LABEL_PADDING, y = e->header - e->legend;

  g_string_append (s, "<g class=\"legend\">");
  for (int i = -3; i <= 3; i++)
    {
      ScorchDiffChange change = i < 0 ? SCORCH_DIFF_COOLER : i > 0 ? SCORCH_DIFF_HOTTER : SCORCH_DIFF_NEUTRAL;
      ScorchFlameColor c;

      scorch_flame_diff_color (change, 0.25 + 0.75 * (abs (i) - 1) / 2.0, options->dark, &c);
      g_string_append (s, "<rect");
      append_number_attr (s, "x", "%.1f", x);
      append_number_attr (s, "y", "%.1f", y);
      append_number_attr (s, "width", "%.1f", sw - 1);
      append_number_attr (s, "height", "%.1f", h);
      g_string_append (s, " fill=\"");
      append_color (s, &c);
      g_string_append (s, "\"/>");
      x += sw;
    }
  x += 6;
  for (guint i = 0; i < 3; i++)
    {
      if (i == 2)
        {
          g_string_append (s, "<rect");
          append_number_attr (s, "x", "%.1f", x);
          append_number_attr (s, "y", "%.1f", y);
          append_number_attr (s, "width", "%.1f", sw * 1.5);
          append_number_attr (s, "height", "%.1f", h);
          g_string_append (s, " fill=\"none\" stroke-dasharray=\"3,2\" stroke=\"");
          append_color (s, fg);
          g_string_append (s, "\"/>");
          x += sw * 1.5 + 4;
        }
      g_string_append (s, "<text");
      append_number_attr (s, "x", "%.1f", x);
      append_number_attr (s, "y", "%.1f", y + h / 2 + font_px * 0.35);
      g_string_append (s, " fill=\"");
      append_color (s, fg);
      g_string_append (s, "\">");
      append_escaped (s, labels[i]);
      g_string_append (s, "</text>");
      x += scorch_flame_renderer_get_char_width (e->renderer) * g_utf8_strlen (labels[i], -1) + 14;
    }
  g_string_append (s, "</g>\n");
}

static double
export_total_height (Export *e)
{
  return e->header + e->graph_height + e->footer;
}

static void
draw_text_line (ScorchFlameRenderer *renderer,
                cairo_t             *cr,
                const char          *text,
                double               x,
                double               y,
                double               width,
                gboolean             bold,
                gboolean             centered)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 10");
  g_autofree char *valid = scorch_text_valid_utf8 (text, -1);
  ScorchFlameColor bg;
  int w, h;

  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, valid, -1);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (layout, (int) width * PANGO_SCALE);
  pango_layout_get_pixel_size (layout, &w, &h);

  scorch_flame_renderer_get_background (renderer, &bg);
  if (bg.red > 0.5)
    cairo_set_source_rgb (cr, 0.12, 0.12, 0.12);
  else
    cairo_set_source_rgb (cr, 0.95, 0.95, 0.95);
  cairo_move_to (cr, centered ? x + (width - w) / 2 : x, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
export_draw (Export                         *e,
             const ScorchFlameExportOptions *options,
             cairo_t                        *cr)
{
  ScorchFlameColor bg;

  scorch_flame_renderer_get_background (e->renderer, &bg);
  cairo_set_source_rgb (cr, bg.red, bg.green, bg.blue);
  cairo_paint (cr);

  draw_text_line (e->renderer, cr, e->title, 0, (e->header - e->legend) / 2, e->width, TRUE, TRUE);
  if (e->legend > 0)
    {
      g_auto(GStrv) labels = diff_legend_labels (options);

      scorch_flame_renderer_draw_diff_legend (e->renderer, cr, SCORCH_FLAME_LABEL_PADDING,
                                              e->header - e->legend, e->row_height - 4,
                                              (const char *const *) labels);
    }

  cairo_save (cr);
  cairo_translate (cr, 0, e->header);
  scorch_flame_renderer_render (e->renderer, cr, e->layout);
  cairo_restore (cr);

  if (e->searching)
    {
      g_autofree char *summary = search_summary (e, options);

      draw_text_line (e->renderer, cr, summary, SCORCH_FLAME_LABEL_PADDING,
                      e->header + e->graph_height + e->footer / 2,
                      e->width - 2 * SCORCH_FLAME_LABEL_PADDING, FALSE, FALSE);
    }
}

static gboolean
check_cairo (cairo_status_t   status,
             const char      *path,
             GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;

  g_set_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_FAILED,
               _("Could not write “%s”: %s"), path, cairo_status_to_string (status));
  return FALSE;
}

/* PNG or PDF: the same drawing on an image or a PDF surface. */
static gboolean
export_cairo (Export                         *e,
              const ScorchFlameExportOptions *options,
              const char                     *path,
              gboolean                        pdf,
              GError                        **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  /* PDF user units are points; keep one pixel = one point. */
  double height = ceil (export_total_height (e));

  if (!pdf && (e->width > CAIRO_MAX_SIZE || height > CAIRO_MAX_SIZE))
    {
      g_set_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_TOO_BIG,
                   _("The flame graph is too large for a PNG image: it would be %.0f × %.0f pixels, "
                     "and a PNG image can be at most %d pixels wide and high. Export SVG or PDF instead"),
                   e->width, height, CAIRO_MAX_SIZE);
      return FALSE;
    }
  if (pdf && height > PDF_MAX_HEIGHT)
    {
      g_set_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_TOO_BIG,
                   _("The flame graph is too tall for a PDF page: it would be %.0f points high, "
                     "and the page can be at most %d. Export SVG instead"),
                   height, PDF_MAX_HEIGHT);
      return FALSE;
    }

  if (pdf)
    surface = cairo_pdf_surface_create (path, e->width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) e->width, (int) height);
  cr = cairo_create (surface);
  export_draw (e, options, cr);
  if (pdf)
    cairo_show_page (cr);
  cairo_destroy (cr);
  if (pdf)
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  else
    status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);

  return check_cairo (status, path, error);
}

/* Appends ` NAME="VALUE"` with FORMAT ("%.1f"): a decimal point whatever
 * the locale (the app and the CLI run with the user's; "12,5" is no SVG
 * number). */
static void
append_number_attr (GString    *s,
                    const char *name,
                    const char *format,
                    double      value)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, " %s=\"%s\"", name, g_ascii_formatd (num, sizeof num, format, value));
}

static void
append_color (GString                *s,
              const ScorchFlameColor *c)
{
  g_string_append_printf (s, "rgb(%d,%d,%d)",
                          (int) lround (c->red * 255),
                          (int) lround (c->green * 255),
                          (int) lround (c->blue * 255));
}

/* Every name may hold anything (control characters, invalid UTF-8, XML's
 * forbidden code points): the output stays well-formed XML 1.0. */
static void
append_escaped (GString    *s,
                const char *text)
{
  scorch_text_append_xml (s, text, -1);
}

static gboolean
flush_string (GString       *s,
              GOutputStream *stream,
              GCancellable  *cancellable,
              GError       **error)
{
  gboolean ok = g_output_stream_write_all (stream, s->str, s->len, NULL, cancellable, error);

  g_string_truncate (s, 0);
  return ok;
}

/* The interactive part (scorch-flame-export.js, embedded as a resource):
 * the same script for the SVG and the HTML page.  It holds neither "]]>"
 * (the end of the SVG's CDATA section) nor "</" (the end of HTML's
 * <script>): checked here, and by the tests. */
static GBytes *
dup_script (void)
{
  GBytes *bytes = g_resource_lookup_data (scorch_flame_export_get_resource (),
                                          "/io/github/scorchprof/Scorch/export/scorch-flame-export.js",
                                          G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize len;
  const char *data;

  g_assert (bytes != NULL);
  data = g_bytes_get_data (bytes, &len);
  g_assert (g_strstr_len (data, len, "]]>") == NULL);
  g_assert (g_strstr_len (data, len, "</") == NULL);
  return bytes;
}

const char *
scorch_flame_export_get_script (gsize *len)
{
  static GBytes *script;

  if (g_once_init_enter (&script))
    g_once_init_leave (&script, dup_script ());
  return g_bytes_get_data (script, len);
}

/* <text ATTRS display="none" x y fill>TEXT (escaped) TAIL</text>: a control
 * of the interactive SVG, hidden until the script shows it. */
static void
append_control (GString                *s,
                const char             *attrs,
                double                  x,
                double                  y,
                const ScorchFlameColor *fg,
                const char             *text,
                const char             *tail)
{
  g_string_append_printf (s, "<text %s display=\"none\"", attrs);
  append_number_attr (s, "x", "%.1f", x);
  append_number_attr (s, "y", "%.1f", y);
  g_string_append (s, " fill=\"");
  append_color (s, fg);
  g_string_append (s, "\">");
  append_escaped (s, text);
  g_string_append_printf (s, "%s</text>\n", tail);
}

/* The <svg> element: standalone (an .svg file, with the XML declaration and
 * the script in CDATA) or inline in the HTML page (which adds the script). */
static gboolean
write_svg (Export                         *e_ptr,
           const ScorchFlameExportOptions *options,
           gboolean                        standalone,
           GString                        *s,
           GOutputStream                  *stream,
           GCancellable                   *cancellable,
           GError                        **error)
{
  Export e = *e_ptr;
  const ScorchFlameRect *rects;
  const ScorchNode *nodes;
  ScorchFlameColor bg, fg;
  guint n_rects;
  guint64 total;
  double height, font_px;
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  height = ceil (export_total_height (&e));
  font_px = scorch_flame_renderer_get_font_px (e.renderer);
  scorch_flame_renderer_get_background (e.renderer, &bg);
  if (bg.red > 0.5)
    fg.red = fg.green = fg.blue = 0.12;
  else
    fg.red = fg.green = fg.blue = 0.95;

  if (standalone)
    g_string_append (s, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
  g_string_append (s, "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" id=\"scorch-flame\"");
  append_number_attr (s, "width", "%.0f", e.width);
  append_number_attr (s, "height", "%.0f", height);
  g_string_append_printf (s, " viewBox=\"0 0 %s", g_ascii_formatd (num, sizeof num, "%.0f", e.width));
  g_string_append_printf (s, " %s\"", g_ascii_formatd (num, sizeof num, "%.0f", height));
  /* What the script needs: graph width, samples in view, font, padding. */
  append_number_attr (s, "data-width", "%.3f", e.width);
  g_string_append_printf (s, " data-total=\"%" G_GUINT64_FORMAT "\"", scorch_profile_get_total (e.profile));
  append_number_attr (s, "data-font", "%.1f", font_px);
  append_number_attr (s, "data-pad", "%.1f", SCORCH_FLAME_LABEL_PADDING);
  g_string_append (s, " data-prompt=\"");
  append_escaped (s, _("Search functions (regular expression)"));
  g_string_append (s, "\">\n");
  g_string_append_printf (s, "<style>text { font-family: sans-serif; font-size: %spx; } "
                          "g.frame { cursor: pointer; } "
                          "g.frame:hover rect { stroke: black; stroke-width: 0.5; } "
                          "g.scorch-ancestor { opacity: 0.6; } "
                          ".scorch-control { cursor: pointer; text-decoration: underline; }</style>\n",
                          g_ascii_formatd (num, sizeof num, "%.1f", font_px));
  g_string_append (s, "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"");
  append_color (s, &bg);
  g_string_append (s, "\"/>\n");

  g_string_append (s, "<text");
  append_number_attr (s, "x", "%.1f", e.width / 2);
  append_number_attr (s, "y", "%.1f", (e.header - e.legend) / 2 + font_px * 0.35);
  g_string_append (s, " text-anchor=\"middle\" font-weight=\"bold\" fill=\"");
  append_color (s, &fg);
  g_string_append (s, "\">");
  append_escaped (s, e.title);
  g_string_append (s, "</text>\n");
  if (e.legend > 0)
    append_svg_legend (s, &e, options, &fg, font_px);

  /* Controls, hidden until the script shows them: without scripts the
   * picture is the static one. */
  append_control (s, "id=\"scorch-reset\" class=\"scorch-control\"", SCORCH_FLAME_LABEL_PADDING,
                  e.header / 2 + font_px * 0.35, &fg, _("Reset Zoom"), "");
  append_control (s, "id=\"scorch-search\" class=\"scorch-control\" text-anchor=\"end\"",
                  e.width - SCORCH_FLAME_LABEL_PADDING, e.header / 2 + font_px * 0.35, &fg, _("Search"), "");
  append_control (s, "id=\"scorch-matched\" text-anchor=\"end\"", e.width - SCORCH_FLAME_LABEL_PADDING,
                  e.header - 2, &fg, _("Matched:"), " <tspan id=\"scorch-share\"></tspan>");

  rects = scorch_flame_layout_get_rects (e.layout, &n_rects);
  nodes = scorch_profile_get_nodes (e.profile, NULL);
  total = scorch_profile_get_total (e.profile);

  for (guint i = 0; i < n_rects; i++)
    {
      const ScorchFlameRect *r = &rects[i];
      const ScorchFrame *frame = scorch_profile_get_frame (e.profile, nodes[r->node].frame);
      ScorchFlameColor fill, text;
      double pct = total > 0 ? 100.0 * r->total / total : 0;
      double y = r->y + e.header;
      double w = r->width >= 2 ? r->width - 1 : r->width;
      g_autofree char *label = NULL;

      ScorchFlameRectDiff d;
      gboolean has_diff;

      scorch_flame_renderer_get_rect_colors (e.renderer, e.profile, r, &fill, &text);
      has_diff = scorch_flame_renderer_get_rect_diff (e.renderer, e.profile, r, &d);

      /* Every class starts with "frame" (the script's selector). */
      g_string_append_printf (s, "<g class=\"%s\"><title>", has_diff ? diff_class (&d) : "frame");
      if (r->flags & SCORCH_FLAME_RECT_MERGED)
        {
          g_autofree char *what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u small frame",
                                                                "%u small frames", r->n_merged),
                                                   r->n_merged);
          append_escaped (s, what);
        }
      else
        append_escaped (s, frame->function);
      g_string_append_printf (s, " (%" G_GUINT64_FORMAT " %s, %s%%)</title>",
                              r->total,
                              g_dngettext (GETTEXT_PACKAGE, "sample", "samples", r->total),
                              g_ascii_formatd (num, sizeof num, "%.2f", pct));
      if (has_diff)
        {
          /* the title's text ends before "</title>": put the change inside */
          g_string_truncate (s, s->len - strlen ("</title>"));
          append_diff_title (s, options->diff, &d);
          g_string_append (s, "</title>");
        }
      g_string_append (s, "<rect");
      /* Geometry and name for the script (zoom, search, matched share). */
      append_number_attr (s, "data-x", "%.3f", r->x);
      append_number_attr (s, "data-w", "%.3f", r->width);
      g_string_append_printf (s, " data-row=\"%u\" data-s=\"%" G_GUINT64_FORMAT "\"", r->row, r->total);
      if (!(r->flags & SCORCH_FLAME_RECT_MERGED))
        {
          g_string_append (s, " data-f=\"");
          append_escaped (s, frame->function);
          g_string_append (s, "\"");
        }
      append_number_attr (s, "x", "%.1f", r->x);
      append_number_attr (s, "y", "%.1f", y);
      append_number_attr (s, "width", "%.1f", w);
      append_number_attr (s, "height", "%.1f", e.row_height - 1);
      g_string_append (s, " fill=\"");
      append_color (s, &fill);
      if (has_diff && d.only_here && w >= 4)
        {
          g_string_append (s, "\" stroke-dasharray=\"3,2\" stroke=\"");
          append_color (s, &text);
        }
      g_string_append (s, "\"/>");

      if (!(r->flags & SCORCH_FLAME_RECT_MERGED))
        label = scorch_flame_renderer_fit_label (e.renderer, frame->function,
                                                 r->width - 1 - 2 * SCORCH_FLAME_LABEL_PADDING);
      /* Every named frame has a <text>, empty when its label does not
       * fit: the script fills it when a zoom makes the frame wider. */
      if (label == NULL && !(r->flags & SCORCH_FLAME_RECT_MERGED))
        label = g_strdup ("");
      if (label != NULL)
        {
          g_string_append (s, "<text");
          append_number_attr (s, "x", "%.1f", r->x + SCORCH_FLAME_LABEL_PADDING);
          append_number_attr (s, "y", "%.1f", y + (e.row_height - 1) / 2 + font_px * 0.35);
          g_string_append (s, " fill=\"");
          append_color (s, &text);
          g_string_append (s, "\">");
          append_escaped (s, label);
          g_string_append (s, "</text>");
        }
      g_string_append (s, "</g>\n");

      if (s->len > 60000 && !flush_string (s, stream, cancellable, error))
        return FALSE;
    }

  if (e.searching)
    {
      g_autofree char *summary = search_summary (&e, options);

      g_string_append (s, "<text");
      append_number_attr (s, "x", "%.1f", SCORCH_FLAME_LABEL_PADDING);
      append_number_attr (s, "y", "%.1f", e.header + e.graph_height + e.footer / 2 + font_px * 0.35);
      g_string_append (s, " fill=\"");
      append_color (s, &fg);
      g_string_append (s, "\">");
      append_escaped (s, summary);
      g_string_append (s, "</text>\n");
    }

  if (standalone)
    {
      const char *script;
      gsize len;

      script = scorch_flame_export_get_script (&len);
      g_string_append (s, "<script type=\"text/ecmascript\"><![CDATA[\n");
      g_string_append_len (s, script, len);
      g_string_append (s, "]]></script>\n");
    }

  g_string_append (s, "</svg>\n");

  return flush_string (s, stream, cancellable, error);
}

gboolean
scorch_flame_export_svg (ScorchProfile                  *profile,
                         const ScorchFlameExportOptions *options,
                         GOutputStream                  *stream,
                         GCancellable                   *cancellable,
                         GError                        **error)
{
  g_auto(Export) e = { 0 };
  g_autoptr(GString) s = g_string_sized_new (65536);

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  if (!export_prepare (&e, profile, options, error))
    return FALSE;
  return write_svg (&e, options, TRUE, s, stream, cancellable, error);
}

/* The HTML page: the graph inline, a search box, and the hotspot table. */
gboolean
scorch_flame_export_html (ScorchProfile                  *profile,
                          const ScorchFlameExportOptions *options,
                          GOutputStream                  *stream,
                          GCancellable                   *cancellable,
                          GError                        **error)
{
  static const char *columns[] = { N_("Self"), N_("Total"), N_("Samples"), N_("Function"), N_("Module") };
  g_auto(Export) e = { 0 };
  g_autoptr(GString) s = g_string_sized_new (65536);
  const ScorchHotspot *hotspots;
  const char *script;
  guint n_hotspots;
  guint64 total;
  gsize len;
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  if (!export_prepare (&e, profile, options, error))
    return FALSE;

  g_string_append (s, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>");
  append_escaped (s, e.title);
  g_string_append (s, "</title>\n<style>\n"
                      "body { font-family: sans-serif; margin: 1em; }\n"
                      ".bar { display: flex; gap: 1em; align-items: center; margin-bottom: 0.5em; }\n"
                      "#scorch-search-box { width: 24em; }\n"
                      "table { border-collapse: collapse; margin-top: 1em; }\n"
                      "th, td { padding: 0.15em 0.8em; text-align: left; }\n"
                      "td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
                      "tbody tr { cursor: pointer; }\n"
                      "tbody tr:hover { background: #eee; }\n"
                      "</style>\n</head>\n<body>\n<div class=\"bar\">\n<input id=\"scorch-search-box\" type=\"search\" placeholder=\"");
  append_escaped (s, _("Search functions (regular expression)"));
  g_string_append (s, "\" aria-label=\"");
  append_escaped (s, _("Search functions (regular expression)"));
  g_string_append (s, "\">\n<button id=\"scorch-reset-button\" type=\"button\">");
  append_escaped (s, _("Reset Zoom"));
  g_string_append (s, "</button>\n<span>");
  append_escaped (s, _("Matched:"));
  g_string_append (s, " <span id=\"scorch-page-share\"></span></span>\n</div>\n");

  if (!write_svg (&e, options, FALSE, s, stream, cancellable, error))
    return FALSE;

  g_string_append (s, "<h2>");
  append_escaped (s, _("Hotspots"));
  g_string_append (s, "</h2>\n<table id=\"scorch-hotspots\">\n<thead><tr>");
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      g_string_append (s, "<th>");
      append_escaped (s, _(columns[i]));
      g_string_append (s, "</th>");
    }
  g_string_append (s, "</tr></thead>\n<tbody>\n");

  hotspots = scorch_profile_get_hotspots (e.profile, &n_hotspots);
  total = scorch_profile_get_total (e.profile);
  for (guint i = 0; i < n_hotspots && i < 200; i++)
    {
      const ScorchFrame *frame = scorch_profile_get_frame (e.profile, hotspots[i].frame);

      g_string_append (s, "<tr data-f=\"");
      append_escaped (s, frame->function);
      g_string_append (s, "\"><td class=\"num\">");
      g_string_append (s, g_ascii_formatd (num, sizeof num, "%.2f",
                                           total > 0 ? 100.0 * hotspots[i].self / total : 0));
      g_string_append (s, "%</td><td class=\"num\">");
      g_string_append (s, g_ascii_formatd (num, sizeof num, "%.2f",
                                           total > 0 ? 100.0 * hotspots[i].total / total : 0));
      g_string_append_printf (s, "%%</td><td class=\"num\">%" G_GUINT64_FORMAT "</td><td>", hotspots[i].self);
      append_escaped (s, frame->function);
      g_string_append (s, "</td><td>");
      append_escaped (s, frame->module);
      g_string_append (s, "</td></tr>\n");
      if (s->len > 60000 && !flush_string (s, stream, cancellable, error))
        return FALSE;
    }
  g_string_append (s, "</tbody>\n</table>\n<script>\n");
  script = scorch_flame_export_get_script (&len);
  g_string_append_len (s, script, len);
  g_string_append (s, "</script>\n</body>\n</html>\n");

  return flush_string (s, stream, cancellable, error);
}

gboolean
scorch_flame_format_from_path (const char         *path,
                               ScorchFlameFormat  *format,
                               GError            **error)
{
  static const struct { const char *ext; ScorchFlameFormat format; } table[] = {
    { ".svg", SCORCH_FLAME_FORMAT_SVG },
    { ".png", SCORCH_FLAME_FORMAT_PNG },
    { ".pdf", SCORCH_FLAME_FORMAT_PDF },
    { ".folded", SCORCH_FLAME_FORMAT_FOLDED },
    { ".html", SCORCH_FLAME_FORMAT_HTML },
    { ".htm", SCORCH_FLAME_FORMAT_HTML },
  };
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_has_suffix (lower, table[i].ext))
      {
        *format = table[i].format;
        return TRUE;
      }

  g_set_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_FORMAT,
               _("Cannot tell the format of “%s”: use a name ending in .html, .svg, .png, .pdf or .folded"),
               path);
  return FALSE;
}

typedef struct
{
  ScorchProfile                  *profile;
  const ScorchFlameExportOptions *options;
  ScorchFlameFormat               format;
} ToFile;

/* The formats written to a stream */
static gboolean
write_to_file (GOutputStream  *stream,
               gpointer        user_data,
               GError        **error)
{
  ToFile *to = user_data;
  g_autoptr(ScorchProfile) inverted = NULL;

  if (to->format == SCORCH_FLAME_FORMAT_SVG)
    return scorch_flame_export_svg (to->profile, to->options, stream, NULL, error);
  if (to->format == SCORCH_FLAME_FORMAT_HTML)
    return scorch_flame_export_html (to->profile, to->options, stream, NULL, error);
  if (to->options->inverted)
    inverted = scorch_profile_dup_inverted (to->profile);
  return scorch_folded_write (inverted != NULL ? inverted : to->profile, stream, NULL, error);
}

gboolean
scorch_flame_export_to_file (ScorchProfile                  *profile,
                             const ScorchFlameExportOptions *options,
                             ScorchFlameFormat               format,
                             const char                     *path,
                             GError                        **error)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  switch (format)
    {
    case SCORCH_FLAME_FORMAT_SVG:
    case SCORCH_FLAME_FORMAT_HTML:
    case SCORCH_FLAME_FORMAT_FOLDED:
      {
        ToFile to_file = { profile, options, format };

        return scorch_write_file (path, write_to_file, &to_file, error);
      }

    case SCORCH_FLAME_FORMAT_PNG:
    case SCORCH_FLAME_FORMAT_PDF:
      {
        g_auto(Export) e = { 0 };

        if (!export_prepare (&e, profile, options, error))
          return FALSE;
        return export_cairo (&e, options, path, format == SCORCH_FLAME_FORMAT_PDF, error);
      }

    default:
      g_set_error (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_FORMAT,
                   _("Unknown export format"));
      return FALSE;
    }
}
