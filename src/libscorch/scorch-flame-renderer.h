/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-renderer.h: draws a flame layout with cairo and pango (no GTK) */

#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "scorch-flame-layout.h"
#include "scorch-demangle.h"
#include "scorch-diff.h"

G_BEGIN_DECLS

typedef enum
{
  SCORCH_FLAME_COLORS_HOT = 0, /* warm palette hashed from the function name */
  SCORCH_FLAME_COLORS_MODULE,  /* one hue per module */
  SCORCH_FLAME_COLORS_KIND,    /* kernel, user, inlined, JIT, unknown */
  SCORCH_FLAME_N_COLOR_SCHEMES
} ScorchFlameColorScheme;

typedef struct
{
  double red, green, blue; /* 0..1 */
} ScorchFlameColor;

typedef struct _ScorchFlameRenderer ScorchFlameRenderer;

ScorchFlameRenderer *scorch_flame_renderer_new              (void);
void                 scorch_flame_renderer_free             (ScorchFlameRenderer    *self);

void                 scorch_flame_renderer_set_color_scheme (ScorchFlameRenderer    *self,
                                                             ScorchFlameColorScheme  scheme);
ScorchFlameColorScheme scorch_flame_renderer_get_color_scheme (ScorchFlameRenderer  *self);
/* A dark background and matching dimming/outline colours. */
void                 scorch_flame_renderer_set_dark         (ScorchFlameRenderer    *self,
                                                             gboolean                dark);
gboolean             scorch_flame_renderer_get_dark         (ScorchFlameRenderer    *self);
/* Labels show names as people read them (scorch_display_name() with
 * FLAGS: no return type or parameters) instead of the full signature.
 * Off by default: exports and tests draw the names as they are. */
void                 scorch_flame_renderer_set_short_names  (ScorchFlameRenderer    *self,
                                                             gboolean                short_names,
                                                             ScorchDisplayNameFlags  flags);
/* The text drawn in RECT before fitting (borrowed, valid until the next
 * render or option change); NULL for merged frames. */
const char          *scorch_flame_renderer_get_shown_label  (ScorchFlameRenderer    *self,
                                                             ScorchProfile          *profile,
                                                             const ScorchFlameRect  *rect);
/* Default "Sans 9" at 96 dpi. */
void                 scorch_flame_renderer_set_font         (ScorchFlameRenderer    *self,
                                                             const PangoFontDescription *font);
/* Search highlight: matches[frame id] != 0 for matching frames (see
 * scorch_search_dup_frame_matches()); NULL clears. The bytes are referenced. */
void                 scorch_flame_renderer_set_matches      (ScorchFlameRenderer    *self,
                                                             GBytes                 *matches);
/* Every node of this frame (function) is filled with the highlight colour
 * and outlined, e.g. for the hotspot table's selected row; distinct from
 * the search highlight, and wins over it.  G_MAXUINT32 for none. */
void                 scorch_flame_renderer_set_highlight_frame (ScorchFlameRenderer *self,
                                                                guint32              frame);
guint32              scorch_flame_renderer_get_highlight_frame (ScorchFlameRenderer *self);
/* Outlined frame; SCORCH_NODE_NONE for none. */
void                 scorch_flame_renderer_set_selected     (ScorchFlameRenderer    *self,
                                                             guint32                 node);
void                 scorch_flame_renderer_set_hovered      (ScorchFlameRenderer    *self,
                                                             guint32                 node);

/* Differential colouring (compare two captures): frames are coloured by
 * the change of their call path's total, new − base (red hotter, blue
 * cooler, intensity by magnitude, grey within the noise), and frames whose
 * path exists only in the drawn side get a dashed outline.  SIDE says which
 * of the diff's profiles the layouts draw (NEW: the new capture's shape;
 * BASE: the inverse view).  Search and highlight still win.  NULL clears. */
void                 scorch_flame_renderer_set_diff         (ScorchFlameRenderer    *self,
                                                             ScorchDiff             *diff,
                                                             ScorchDiffSide          side);
ScorchDiff          *scorch_flame_renderer_get_diff         (ScorchFlameRenderer    *self,
                                                             ScorchDiffSide         *side);
typedef struct
{
  guint64          base_count;  /* the path's total samples in each side */
  guint64          new_count;
  double           base_value;  /* normalized (the diff's unit) */
  double           new_value;
  double           delta;       /* new − base */
  ScorchDiffChange change;
  gboolean         only_here;   /* the path exists only in the drawn side */
} ScorchFlameRectDiff;
/* FALSE when no diff is set, or for merged frames. */
gboolean             scorch_flame_renderer_get_rect_diff    (ScorchFlameRenderer    *self,
                                                             ScorchProfile          *profile,
                                                             const ScorchFlameRect  *rect,
                                                             ScorchFlameRectDiff    *out);
/* The fill of a change at INTENSITY (0..1). */
void                 scorch_flame_diff_color                (ScorchDiffChange        change,
                                                             double                  intensity,
                                                             gboolean                dark,
                                                             ScorchFlameColor       *color);
/* The legend: seven swatches (cooler … neutral … hotter), then LABELS[0]
 * and [1] (e.g. "blue: cooler", "red: hotter") and a dashed box before
 * LABELS[2] (e.g. "only in new"); empty labels are left out. */
void                 scorch_flame_renderer_draw_diff_legend (ScorchFlameRenderer    *self,
                                                             cairo_t                *cr,
                                                             double                  x,
                                                             double                  y,
                                                             double                  height,
                                                             const char             *const labels[3]);

/* Draws the layout's viewport (0, 0, width, height) on cr: background,
 * frames with one-pixel gaps, labels that fit, highlight and outline. */
void                 scorch_flame_renderer_render           (ScorchFlameRenderer    *self,
                                                             cairo_t                *cr,
                                                             ScorchFlameLayout      *layout);

/* The colours render() uses, for the SVG writer and tests. */
void                 scorch_flame_renderer_get_background   (ScorchFlameRenderer    *self,
                                                             ScorchFlameColor       *color);
void                 scorch_flame_renderer_get_match_color  (ScorchFlameRenderer    *self,
                                                             ScorchFlameColor       *color);
/* Fill and outline of highlighted frames (light or dark as set). */
void                 scorch_flame_renderer_get_highlight_colors (ScorchFlameRenderer *self,
                                                                 ScorchFlameColor    *fill,
                                                                 ScorchFlameColor    *outline);
void                 scorch_flame_renderer_get_rect_colors  (ScorchFlameRenderer    *self,
                                                             ScorchProfile          *profile,
                                                             const ScorchFlameRect  *rect,
                                                             ScorchFlameColor       *fill,
                                                             ScorchFlameColor       *text);
/* Stable 32-bit FNV-1a hash, the palette's seed. */
guint32              scorch_flame_hash_name                 (const char             *name);

/* The label render() would fit in avail_px, estimated with the font's
 * average character width and ended with "…"; NULL when nothing fits. */
char                *scorch_flame_renderer_fit_label        (ScorchFlameRenderer    *self,
                                                             const char             *text,
                                                             double                  avail_px);
/* Font size in px and average char width in px, for the SVG writer. */
double               scorch_flame_renderer_get_font_px      (ScorchFlameRenderer    *self);
double               scorch_flame_renderer_get_char_width   (ScorchFlameRenderer    *self);
/* Horizontal padding of a label inside its frame, px. */
#define SCORCH_FLAME_LABEL_PADDING 3.0

/* The text of a frame's label (the function; "N frames" for a merged run). */
const char          *scorch_flame_rect_get_label            (ScorchProfile          *profile,
                                                             const ScorchFlameRect  *rect);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchFlameRenderer, scorch_flame_renderer_free)

G_END_DECLS
