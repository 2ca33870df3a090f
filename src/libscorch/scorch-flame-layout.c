/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-layout.c: the visible frames of a flame graph
 *
 * Children are sorted once per profile, widest first, so that the frames
 * narrower than the merge threshold are always a contiguous tail: the
 * layout draws that tail as one placeholder without looking at it.  Rows
 * are filled breadth first, which leaves the rects sorted by (row, x) for
 * binary-search hit testing, as in Sysprof's flame graph. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-flame"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "scorch-flame-layout.h"
#include "scorch-search.h"

struct _ScorchFlameLayout
{
  ScorchProfile       *profile;
  const ScorchNode    *nodes;
  const guint64       *total;
  const guint64       *self_counts;
  guint                n_nodes;

  /* children of node i: child_list[child_offset[i] .. child_offset[i + 1]) */
  guint32             *child_offset;
  guint32             *child_list;
  guint32             *height;        /* subtree height in rows */

  /* For the last zoom root asked about: widest[k] is the largest sum of
   * children's totals of any node k rows below it, so row k + 1 holds a
   * frame or placeholder at least min_width wide iff widest[k] is that
   * wide.  Non-increasing in k. */
  guint32              widest_root;
  guint64             *widest;
  guint                n_widest;

  ScorchFlameViewport  viewport;
  guint32              zoom_root;
  guint                n_rows;
  double               content_height;
  GArray              *rects;         /* of ScorchFlameRect */
  GArray              *frontier;      /* of Pending, reused */
  GArray              *next;
  guint                n_visited;
};

typedef struct
{
  guint32 node;
  guint32 n_merged;
  double  vx;       /* x in the zoomed-in "virtual" width */
  double  width;
  guint64 total;
} Pending;

typedef struct
{
  const guint64     *total;
  const ScorchNode  *nodes;
  const ScorchFrame *frames;  /* the profile's, indexed by ScorchNode.frame */
} SortData;

/* Widest first; equal totals by function name, then by index: a total
 * order, so every sort gives the same children order. */
static inline int
compare_nodes (const SortData *data,
               guint32         na,
               guint32         nb)
{
  int cmp;

  if (data->total[na] != data->total[nb])
    return data->total[na] > data->total[nb] ? -1 : 1;

  cmp = strcmp (data->frames[data->nodes[na].frame].function,
                data->frames[data->nodes[nb].frame].function);
  if (cmp != 0)
    return cmp;

  return na < nb ? -1 : (na > nb ? 1 : 0);
}

static int
compare_children (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return compare_nodes (user_data, *(const guint32 *) a, *(const guint32 *) b);
}

/* Most nodes have a handful of children: an insertion sort in place is
 * several times cheaper for them than g_qsort_with_data(), which
 * allocates a buffer and calls the comparison through a pointer (this
 * runs for every node while a capture opens). */
#define INSERTION_SORT_MAX 16

static void
sort_children (guint32        *children,
               guint32         count,
               const SortData *data)
{
  if (count > INSERTION_SORT_MAX)
    {
      g_qsort_with_data (children, count, sizeof (guint32), compare_children, (gpointer) data);
      return;
    }
  for (guint32 i = 1; i < count; i++)
    {
      guint32 node = children[i];
      guint32 j = i;

      for (; j > 0 && compare_nodes (data, node, children[j - 1]) < 0; j--)
        children[j] = children[j - 1];
      children[j] = node;
    }
}

ScorchFlameLayout *
scorch_flame_layout_new (ScorchProfile *profile)
{
  ScorchFlameLayout *self;
  SortData sort_data;
  guint n;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), NULL);

  self = g_new0 (ScorchFlameLayout, 1);
  self->profile = g_object_ref (profile);
  self->nodes = scorch_profile_get_nodes (profile, &self->n_nodes);
  self->total = scorch_profile_get_node_total (profile);
  self->self_counts = scorch_profile_get_node_self (profile);
  self->rects = g_array_new (FALSE, FALSE, sizeof (ScorchFlameRect));
  self->frontier = g_array_new (FALSE, FALSE, sizeof (Pending));
  self->next = g_array_new (FALSE, FALSE, sizeof (Pending));
  self->zoom_root = SCORCH_PROFILE_ROOT;

  n = self->n_nodes;
  self->child_offset = g_new0 (guint32, n + 1);
  self->height = g_new (guint32, MAX (n, 1));

  /* Count the children with samples in this view; parent < child, so a
   * single pass in index order fills the offsets. */
  for (guint i = 1; i < n; i++)
    {
      guint32 parent = self->nodes[i].parent;

      if (self->total[i] > 0 && parent < n)
        self->child_offset[parent + 1]++;
    }
  for (guint i = 0; i < n; i++)
    self->child_offset[i + 1] += self->child_offset[i];

  self->child_list = g_new (guint32, MAX (self->child_offset[n], 1));
  {
    g_autofree guint32 *fill = g_memdup2 (self->child_offset, sizeof (guint32) * (n + 1));

    for (guint i = 1; i < n; i++)
      {
        guint32 parent = self->nodes[i].parent;

        if (self->total[i] > 0 && parent < n)
          self->child_list[fill[parent]++] = i;
      }
  }

  sort_data.total = self->total;
  sort_data.nodes = self->nodes;
  sort_data.frames = scorch_profile_get_frames (profile, NULL);
  for (guint i = 0; i < n; i++)
    {
      guint32 begin = self->child_offset[i];
      guint32 count = self->child_offset[i + 1] - begin;

      if (count > 1)
        sort_children (self->child_list + begin, count, &sort_data);
    }

  /* Subtree heights, children before parents. */
  for (guint i = 0; i < n; i++)
    self->height[i] = 1;
  for (guint i = n; i-- > 1;)
    {
      guint32 parent = self->nodes[i].parent;

      if (self->total[i] > 0 && parent < n && self->height[i] + 1 > self->height[parent])
        self->height[parent] = self->height[i] + 1;
    }

  return self;
}

void
scorch_flame_layout_free (ScorchFlameLayout *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->profile);
  g_free (self->child_offset);
  g_free (self->child_list);
  g_free (self->height);
  g_free (self->widest);
  g_array_unref (self->rects);
  g_array_unref (self->frontier);
  g_array_unref (self->next);
  g_free (self);
}

ScorchProfile *
scorch_flame_layout_get_profile (ScorchFlameLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->profile;
}

const guint32 *
scorch_flame_layout_get_children (ScorchFlameLayout *self,
                                  guint32            node,
                                  guint             *n_children)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (node >= self->n_nodes)
    {
      *n_children = 0;
      return NULL;
    }

  *n_children = self->child_offset[node + 1] - self->child_offset[node];
  return self->child_list + self->child_offset[node];
}

guint
scorch_flame_layout_get_subtree_height (ScorchFlameLayout *self,
                                        guint32            node)
{
  g_return_val_if_fail (self != NULL, 0);

  return node < self->n_nodes ? self->height[node] : 0;
}

double
scorch_flame_layout_row_to_content_y (ScorchFlameLayout *self,
                                      guint              row)
{
  double rh = self->viewport.row_height;

  if (self->viewport.orientation == SCORCH_FLAME_ORIENTATION_ICICLE)
    return row * rh;
  else
    return self->content_height - (row + 1) * rh;
}

static gboolean
row_is_visible (ScorchFlameLayout *self,
                guint              row)
{
  double y = scorch_flame_layout_row_to_content_y (self, row);

  return y + self->viewport.row_height > self->viewport.scroll_y &&
         y < self->viewport.scroll_y + self->viewport.height;
}

/* TRUE when this row and every deeper row are off screen. */
static gboolean
row_is_past_end (ScorchFlameLayout *self,
                 guint              row)
{
  double y = scorch_flame_layout_row_to_content_y (self, row);

  if (self->viewport.orientation == SCORCH_FLAME_ORIENTATION_ICICLE)
    return y >= self->viewport.scroll_y + self->viewport.height;
  else
    return y + self->viewport.row_height <= self->viewport.scroll_y;
}

static void
emit_rect (ScorchFlameLayout *self,
           guint32            node,
           guint              row,
           guint32            flags,
           guint32            n_merged,
           double             x,
           double             width,
           guint64            total)
{
  ScorchFlameRect rect;
  double x_end = x + width;

  x = MAX (x, 0.0);
  x_end = MIN (x_end, self->viewport.width);
  if (x_end <= x)
    return;

  rect.node = node;
  rect.row = row;
  rect.flags = flags;
  rect.n_merged = n_merged;
  rect.x = x;
  rect.width = x_end - x;
  rect.y = scorch_flame_layout_row_to_content_y (self, row) - self->viewport.scroll_y;
  rect.total = total;
  g_array_append_val (self->rects, rect);
}

static void
ensure_widest (ScorchFlameLayout *self,
               guint32            zoom_root)
{
  g_autofree guint8 *in_subtree = NULL;
  guint32 base, n_after;

  if (self->widest != NULL && self->widest_root == zoom_root)
    return;

  g_clear_pointer (&self->widest, g_free);
  self->widest_root = zoom_root;
  self->n_widest = self->height[zoom_root];
  self->widest = g_new0 (guint64, MAX (self->n_widest, 1));
  base = self->nodes[zoom_root].depth;

  /* One pass over the nodes after the zoom root, in index order: a
   * parent comes before its children, so a node is in the subtree when
   * its parent is and it is one of the parent's children here (it has
   * samples). The same nodes as a walk of child_list from the zoom root,
   * without a stack (this runs while a capture opens). */
  n_after = self->n_nodes - zoom_root;
  in_subtree = g_malloc0 (n_after);
  in_subtree[0] = TRUE;
  for (guint32 i = 0; i < n_after; i++)
    {
      guint32 n = zoom_root + i;
      guint k;
      guint64 children;

      if (i > 0)
        {
          guint32 parent = self->nodes[n].parent;

          if (parent < zoom_root || parent >= n || !in_subtree[parent - zoom_root] || self->total[n] == 0)
            continue;
          in_subtree[i] = TRUE;
        }
      k = self->nodes[n].depth - base;
      children = self->total[n] > self->self_counts[n] ? self->total[n] - self->self_counts[n] : 0;
      if (k < self->n_widest && children > self->widest[k])
        self->widest[k] = children;
    }
}

guint
scorch_flame_layout_count_drawn_rows (ScorchFlameLayout *self,
                                      guint32            zoom_root,
                                      double             width,
                                      double             x_begin,
                                      double             x_end,
                                      double             min_width)
{
  double px_per_sample;
  guint rows;

  g_return_val_if_fail (self != NULL, 0);

  if (self->n_nodes == 0)
    return 0;
  if (zoom_root >= self->n_nodes)
    zoom_root = SCORCH_PROFILE_ROOT;
  if (min_width <= 0)
    min_width = 1.0;
  if (!(x_end > x_begin))
    {
      x_begin = 0;
      x_end = 1;
    }
  rows = self->nodes[zoom_root].depth + 1;
  if (self->total[zoom_root] == 0)
    return rows;

  ensure_widest (self, zoom_root);
  /* The same arithmetic as compute(), so that both agree at the edge. */
  px_per_sample = (width / (x_end - x_begin)) / (double) self->total[zoom_root];
  for (guint k = 0; k + 1 < self->n_widest && self->widest[k] * px_per_sample >= min_width; k++)
    rows++;

  return rows;
}

void
scorch_flame_layout_compute (ScorchFlameLayout         *self,
                             guint32                    zoom_root,
                             const ScorchFlameViewport *viewport)
{
  ScorchFlameViewport *vp;
  double span, virtual_width, x_offset, x_limit, px_per_sample;
  guint zoom_depth, row;

  g_return_if_fail (self != NULL);
  g_return_if_fail (viewport != NULL);

  self->viewport = *viewport;
  vp = &self->viewport;
  if (vp->min_width <= 0)
    vp->min_width = 1.0;
  if (vp->row_height <= 0)
    vp->row_height = 16;
  if (!(vp->x_end > vp->x_begin))
    {
      vp->x_begin = 0;
      vp->x_end = 1;
    }

  g_array_set_size (self->rects, 0);
  self->n_visited = 0;

  if (zoom_root >= self->n_nodes)
    zoom_root = SCORCH_PROFILE_ROOT;
  self->zoom_root = zoom_root;

  if (self->n_nodes == 0)
    {
      self->n_rows = 0;
      self->content_height = vp->height;
      return;
    }

  zoom_depth = self->nodes[zoom_root].depth;
  /* Rows that hold only sub-pixel frames are not part of the content. */
  self->n_rows = scorch_flame_layout_count_drawn_rows (self, zoom_root, vp->width,
                                                       vp->x_begin, vp->x_end, vp->min_width);
  self->content_height = MAX (self->n_rows * vp->row_height, vp->height);

  /* Ancestors: full-width, dimmed. */
  {
    g_autofree guint32 *chain = g_new (guint32, zoom_depth + 1);
    guint32 node = zoom_root;

    for (guint i = zoom_depth; i > 0; i--)
      {
        node = self->nodes[node].parent;
        chain[i - 1] = node;
      }
    for (guint i = 0; i < zoom_depth; i++)
      if (row_is_visible (self, i))
        emit_rect (self, chain[i], i, SCORCH_FLAME_RECT_ANCESTOR, 1,
                   0, vp->width, self->total[chain[i]]);
  }

  if (self->total[zoom_root] == 0)
    return;

  span = vp->x_end - vp->x_begin;
  virtual_width = vp->width / span;
  x_offset = vp->x_begin * virtual_width;
  x_limit = vp->x_end * virtual_width;
  px_per_sample = virtual_width / (double) self->total[zoom_root];

  g_array_set_size (self->frontier, 0);
  {
    Pending root = { zoom_root, 1, 0, virtual_width, self->total[zoom_root] };
    g_array_append_val (self->frontier, root);
  }

  for (row = zoom_depth; self->frontier->len > 0 && !row_is_past_end (self, row); row++)
    {
      gboolean visible = row_is_visible (self, row);
      GArray *swap;

      g_array_set_size (self->next, 0);

      for (guint i = 0; i < self->frontier->len; i++)
        {
          const Pending *p = &g_array_index (self->frontier, Pending, i);
          guint32 begin, end;
          double cx;
          guint64 used = 0;

          if (visible)
            {
              guint32 flags = 0;

              if (p->n_merged > 1 || p->width < vp->min_width)
                flags |= SCORCH_FLAME_RECT_MERGED;
              if (p->node == zoom_root)
                flags |= SCORCH_FLAME_RECT_ZOOM;
              emit_rect (self, p->node, row, flags, p->n_merged,
                         p->vx - x_offset, p->width, p->total);
            }

          if (p->n_merged > 1 || p->width < vp->min_width)
            continue;

          begin = self->child_offset[p->node];
          end = self->child_offset[p->node + 1];
          cx = p->vx;

          for (guint32 c = begin; c < end; c++)
            {
              guint32 child = self->child_list[c];
              double w = self->total[child] * px_per_sample;

              self->n_visited++;

              if (cx >= x_limit)
                break;

              if (w < vp->min_width)
                {
                  /* The rest are narrower still: one placeholder for the run. */
                  guint64 rest = 0;

                  if (self->total[p->node] > self->self_counts[p->node] + used)
                    rest = self->total[p->node] - self->self_counts[p->node] - used;
                  w = rest * px_per_sample;
                  if (w >= vp->min_width && cx + w > x_offset)
                    {
                      Pending run = { child, end - c, cx, w, rest };
                      g_array_append_val (self->next, run);
                    }
                  break;
                }

              if (cx + w > x_offset)
                {
                  Pending next = { child, 1, cx, w, self->total[child] };
                  g_array_append_val (self->next, next);
                }
              cx += w;
              used += self->total[child];
            }
        }

      swap = self->frontier;
      self->frontier = self->next;
      self->next = swap;
    }
}

const ScorchFlameRect *
scorch_flame_layout_get_rects (ScorchFlameLayout *self,
                               guint             *n_rects)
{
  g_return_val_if_fail (self != NULL, NULL);

  *n_rects = self->rects->len;
  return (const ScorchFlameRect *) (gpointer) self->rects->data;
}

const ScorchFlameViewport *
scorch_flame_layout_get_viewport (ScorchFlameLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->viewport;
}

guint32
scorch_flame_layout_get_zoom_root (ScorchFlameLayout *self)
{
  g_return_val_if_fail (self != NULL, SCORCH_PROFILE_ROOT);

  return self->zoom_root;
}

guint
scorch_flame_layout_get_n_rows (ScorchFlameLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_rows;
}

double
scorch_flame_layout_get_content_height (ScorchFlameLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->content_height;
}

guint
scorch_flame_layout_get_n_visited (ScorchFlameLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_visited;
}

/* What the binary searches over the rects (sorted by row, then x) ask */
typedef enum
{
  ROW_BELOW,        /* rect.row < key */
  ROW_AT_MOST,      /* rect.row <= key */
  X_AT_MOST,        /* rect.x <= key */
} RectOrder;

/* The first index in [lo, hi) whose rect is not `order` key (the rects
 * that are come first). */
static guint
partition_point (const ScorchFlameRect *rects,
                 guint                  lo,
                 guint                  hi,
                 RectOrder              order,
                 double                 key)
{
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gboolean before;

      if (order == ROW_BELOW)
        before = rects[mid].row < key;
      else if (order == ROW_AT_MOST)
        before = rects[mid].row <= key;
      else
        before = rects[mid].x <= key;
      if (before)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
scorch_flame_layout_get_row_range (ScorchFlameLayout *self,
                                   guint              row,
                                   guint             *begin,
                                   guint             *end)
{
  const ScorchFlameRect *rects = (const ScorchFlameRect *) (gpointer) self->rects->data;

  /* first rect with rect.row >= row, then the first with rect.row > row */
  *begin = partition_point (rects, 0, self->rects->len, ROW_BELOW, row);
  *end = partition_point (rects, *begin, self->rects->len, ROW_AT_MOST, row);
}

gint
scorch_flame_layout_hit_test (ScorchFlameLayout *self,
                              double             x,
                              double             y)
{
  const ScorchFlameRect *rects;
  double content_y, r;
  guint row, begin, end;

  g_return_val_if_fail (self != NULL, -1);

  if (self->rects->len == 0 || x < 0 || x >= self->viewport.width || y < 0)
    return -1;

  content_y = y + self->viewport.scroll_y;
  if (self->viewport.orientation == SCORCH_FLAME_ORIENTATION_ICICLE)
    r = floor (content_y / self->viewport.row_height);
  else
    r = floor ((self->content_height - content_y) / self->viewport.row_height);
  if (r < 0 || r >= self->n_rows)
    return -1;
  row = (guint) r;

  scorch_flame_layout_get_row_range (self, row, &begin, &end);
  rects = (const ScorchFlameRect *) (gpointer) self->rects->data;

  /* last rect in the row with rect.x <= x */
  begin = partition_point (rects, begin, end, X_AT_MOST, x);
  if (begin == 0)
    return -1;
  begin--;
  if (rects[begin].row != row || x >= rects[begin].x + rects[begin].width)
    return -1;

  return (gint) begin;
}

gint
scorch_flame_layout_find_node (ScorchFlameLayout *self,
                               guint32            node)
{
  const ScorchFlameRect *rects;
  guint begin, end;

  g_return_val_if_fail (self != NULL, -1);

  if (node >= self->n_nodes)
    return -1;

  scorch_flame_layout_get_row_range (self, self->nodes[node].depth, &begin, &end);
  rects = (const ScorchFlameRect *) (gpointer) self->rects->data;
  for (guint i = begin; i < end; i++)
    if (rects[i].node == node && rects[i].n_merged == 1 &&
        !(rects[i].flags & SCORCH_FLAME_RECT_MERGED))
      return (gint) i;

  return -1;
}

/* ------------------------------------------------------------------------ */
/* Search                                                                    */

gboolean
scorch_flame_search (ScorchProfile  *profile,
                     const char     *text,
                     gboolean        regex,
                     gboolean        case_sensitive,
                     guint8         *matches,
                     guint64        *matched,
                     GError        **error)
{
  g_autoptr(ScorchSearch) search = NULL;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (matches != NULL, FALSE);
  g_return_val_if_fail (matched != NULL, FALSE);

  search = scorch_search_new (text, regex ? SCORCH_SEARCH_REGEX : SCORCH_SEARCH_SUBSTRING,
                              case_sensitive);
  if (!scorch_search_check (search, error))
    return FALSE;
  *matched = scorch_search_match_frames (search, profile, matches);

  return TRUE;
}
