/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-layout.h: the visible frames of a flame graph (no GTK) */

#pragma once

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef enum
{
  SCORCH_FLAME_ORIENTATION_FLAME = 0, /* root at the bottom, stacks grow up */
  SCORCH_FLAME_ORIENTATION_ICICLE,    /* root at the top, stacks grow down */
} ScorchFlameOrientation;

/* What part of the graph is on screen.  x_begin/x_end are fractions of the
 * zoom root's width (0..1: all of it); scroll_y is the offset in pixels of
 * the viewport's top edge inside the content (see
 * scorch_flame_layout_get_content_height()). */
typedef struct
{
  double                 x_begin;
  double                 x_end;
  double                 width;       /* px */
  double                 height;      /* px of the viewport */
  double                 row_height;  /* px */
  double                 scroll_y;    /* px */
  double                 min_width;   /* px; narrower subtrees merge (0: default 1 px) */
  ScorchFlameOrientation orientation;
} ScorchFlameViewport;

typedef enum
{
  SCORCH_FLAME_RECT_ANCESTOR = 1 << 0, /* an ancestor of the zoom root, drawn dimmed */
  SCORCH_FLAME_RECT_MERGED   = 1 << 1, /* a run of sibling subtrees too narrow to draw */
  SCORCH_FLAME_RECT_ZOOM     = 1 << 2, /* the zoom root itself */
} ScorchFlameRectFlags;

/* One visible frame.  x, y, width are viewport pixels; y is the top edge. */
typedef struct
{
  guint32 node;     /* the node, or the first node of a merged run */
  guint32 row;      /* node depth: 0 is the profile's root */
  guint32 flags;    /* ScorchFlameRectFlags */
  guint32 n_merged; /* nodes in a merged run, 1 otherwise */
  double  x;
  double  y;
  double  width;
  guint64 total;    /* samples this rect stands for */
} ScorchFlameRect;

typedef struct _ScorchFlameLayout ScorchFlameLayout;

/* The layout keeps a ref on the profile and prepares, once, each node's
 * children sorted by total (widest first) and its subtree height, so that
 * scorch_flame_layout_compute() only walks frames at least min_width wide. */
ScorchFlameLayout     *scorch_flame_layout_new                (ScorchProfile             *profile);
void                   scorch_flame_layout_free               (ScorchFlameLayout         *self);
ScorchProfile         *scorch_flame_layout_get_profile        (ScorchFlameLayout         *self);

/* Lays out the frames visible in viewport with zoom_root as full width
 * (SCORCH_PROFILE_ROOT: the whole graph).  Ancestors of zoom_root come out
 * as full-width ANCESTOR rows.  Rects are sorted by (row, x). */
void                   scorch_flame_layout_compute            (ScorchFlameLayout         *self,
                                                               guint32                    zoom_root,
                                                               const ScorchFlameViewport *viewport);
const ScorchFlameRect *scorch_flame_layout_get_rects          (ScorchFlameLayout         *self,
                                                               guint                     *n_rects);
const ScorchFlameViewport *scorch_flame_layout_get_viewport   (ScorchFlameLayout         *self);
guint32                scorch_flame_layout_get_zoom_root      (ScorchFlameLayout         *self);
/* Rows from the profile root to the deepest row under zoom_root that holds
 * a frame or merged placeholder at least min_width px wide when the zoom
 * root's x_begin..x_end spans width px (whether or not it is in the
 * visible x range).  compute() uses it for n_rows and the content height;
 * the first call for a zoom root walks its subtree once. */
guint                  scorch_flame_layout_count_drawn_rows   (ScorchFlameLayout         *self,
                                                               guint32                    zoom_root,
                                                               double                     width,
                                                               double                     x_begin,
                                                               double                     x_end,
                                                               double                     min_width);
/* Rows from the profile root to the deepest drawn row under the zoom root
 * (see scorch_flame_layout_count_drawn_rows()). */
guint                  scorch_flame_layout_get_n_rows         (ScorchFlameLayout         *self);
/* MAX (n_rows * row_height, viewport height): the scrollable height. */
double                 scorch_flame_layout_get_content_height (ScorchFlameLayout         *self);
/* Content y (top edge, before scrolling) of a row. */
double                 scorch_flame_layout_row_to_content_y   (ScorchFlameLayout         *self,
                                                               guint                      row);
/* Height of the subtree under node, in rows (1 for a leaf). */
guint                  scorch_flame_layout_get_subtree_height (ScorchFlameLayout         *self,
                                                               guint32                    node);

/* Index of the rect under (x, y) in viewport pixels, or -1.  Binary search. */
gint                   scorch_flame_layout_hit_test           (ScorchFlameLayout         *self,
                                                               double                     x,
                                                               double                     y);
/* Index of the rect drawing node (not merged), or -1. */
gint                   scorch_flame_layout_find_node          (ScorchFlameLayout         *self,
                                                               guint32                    node);
/* The first and one-past-last rect index of a row (empty when equal). */
void                   scorch_flame_layout_get_row_range      (ScorchFlameLayout         *self,
                                                               guint                      row,
                                                               guint                     *begin,
                                                               guint                     *end);

/* Children of node sorted as drawn (widest first; zero-total children left
 * out).  The array is borrowed from the layout. */
const guint32         *scorch_flame_layout_get_children       (ScorchFlameLayout         *self,
                                                               guint32                    node,
                                                               guint                     *n_children);

/* How many nodes the last compute() looked at: for tests of the cost bound. */
guint                  scorch_flame_layout_get_n_visited      (ScorchFlameLayout         *self);

/* Search for the flame graph: a one-shot ScorchSearch (see scorch-search.h)
 * and scorch_search_match_frames().  FALSE with an error if the regex does
 * not compile. */
gboolean               scorch_flame_search                    (ScorchProfile             *profile,
                                                               const char                *text,
                                                               gboolean                   regex,
                                                               gboolean                   case_sensitive,
                                                               guint8                    *matches,
                                                               guint64                   *matched,
                                                               GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchFlameLayout, scorch_flame_layout_free)

G_END_DECLS
