/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-timeline.c: sample density over time, per thread, with a time range selection
 *
 * The samples are counted into a fixed number of time buckets per row once,
 * when the profile is set; drawing scales the buckets to the width.  The
 * first row sums every thread, then one row per thread, busiest first.
 * Dragging selects a range; Escape or a double click clears it.
 *
 * On a big capture the counting (one pass over every sample, ~5 ms of
 * fp-1M) runs on a thread of its own: the rows and their labels are made
 * at once, the buckets are waited for only when drawn.  A new profile is
 * handed to every view on the main thread at the end of a load, and the
 * window's first frame with it is main-thread work too; meanwhile the
 * loader's CPUs are free, so the count overlaps that work.
 */

#include "config.h"

#define G_LOG_DOMAIN "scorch-timeline"

#include <glib/gi18n.h>
#include <math.h>

#include "scorch-app-util.h"
#include "scorch-timeline.h"

#define N_BUCKETS   512
#define MAX_ROWS    12
#define ROW_HEIGHT  18
#define ROW_GAP     2
#define LABEL_WIDTH 150
#define AXIS_HEIGHT 18
#define PAD         6

/* From this many samples up the buckets are counted on a thread: below,
 * starting the thread costs about what it saves. */
#define COUNT_IN_THREAD_MIN 65536

/* The counting of one profile's samples into the rows' buckets. */
typedef struct
{
  ScorchProfile *profile;              /* owned */
  guint64        time_begin;
  guint64        time_end;
  guint          n_row_tids;
  gint32         row_tids[MAX_ROWS];   /* row_tids[i]: the thread of buckets[i + 1] */
  guint32       *buckets[MAX_ROWS];    /* the rows' buckets, owned by the rows */
  guint64        n_all;                /* out: the weight of every sample counted */
} Count;

typedef struct
{
  gint32   tid;     /* -1 for the row of every thread */
  char    *label;
  guint64  n_samples;
  guint32 *buckets; /* N_BUCKETS */
  guint32  max;
} Row;

struct _ScorchTimeline
{
  GtkWidget        parent_instance;

  /* owned */
  ScorchProfile   *profile;
  GArray          *rows;        /* of Row */
  GHashTable      *active_tids; /* NULL: all */
  GThread         *counting;    /* counts the rows' buckets; joined before they are read */

  guint64          time_begin;
  guint64          time_end;
  guint64          range_begin;
  guint64          range_end;

  /* dragging, in widget x */
  double           drag_start_x;
  double           drag_x;
  guint            dragging : 1;
  guint            counted_in_thread : 1;  /* the last count ran on a thread (tests) */
};

static guint count_in_thread_min = COUNT_IN_THREAD_MIN;

enum {
  RANGE_CHANGED,
  N_SIGNALS
};

static GParamSpec *profile_pspec;
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ScorchTimeline, scorch_timeline, GTK_TYPE_WIDGET)

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_clear_pointer (&row->label, g_free);
  g_clear_pointer (&row->buckets, g_free);
}

static gboolean
has_time (ScorchTimeline *self)
{
  return self->profile != NULL && self->time_end > self->time_begin;
}

static gboolean
has_range (ScorchTimeline *self)
{
  return self->range_begin < self->range_end;
}

/* -- geometry -- */

static void
plot_area (ScorchTimeline *self,
           double         *x0,
           double         *x1)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  *x0 = LABEL_WIDTH;
  *x1 = MAX (width - PAD, LABEL_WIDTH + 1);
}

static guint64
x_to_time (ScorchTimeline *self,
           double          x)
{
  double x0, x1, f;

  plot_area (self, &x0, &x1);
  f = CLAMP ((x - x0) / (x1 - x0), 0.0, 1.0);
  return self->time_begin + (guint64) (f * (double) (self->time_end - self->time_begin));
}

static double
time_to_x (ScorchTimeline *self,
           guint64         t)
{
  double x0, x1, f;

  plot_area (self, &x0, &x1);
  if (self->time_end <= self->time_begin)
    return x0;
  t = CLAMP (t, self->time_begin, self->time_end);
  f = (double) (t - self->time_begin) / (double) (self->time_end - self->time_begin);
  return x0 + f * (x1 - x0);
}

/* -- data -- */

static int
compare_threads_by_samples (gconstpointer a,
                            gconstpointer b)
{
  const ScorchThread *ta = *(const ScorchThread * const *) a;
  const ScorchThread *tb = *(const ScorchThread * const *) b;

  if (ta->n_samples != tb->n_samples)
    return ta->n_samples > tb->n_samples ? -1 : 1;
  return ta->tid < tb->tid ? -1 : (ta->tid > tb->tid);
}

/* Counts the samples of COUNT's profile into its buckets; the rows'
 * maxima are the caller's.  On the main thread or the counting thread:
 * it reads the profile (immutable) and writes only COUNT's buckets. */
static void
count_samples (Count *count)
{
  const ScorchSample *samples;
  guint n_samples = 0, last_row = 0;
  gint32 last_tid = 0;
  gboolean have_last = FALSE;
  guint64 span;

  samples = scorch_profile_get_samples (count->profile, &n_samples);
  span = count->time_end > count->time_begin ? count->time_end - count->time_begin : 0;
  for (guint i = 0; i < n_samples; i++)
    {
      const ScorchSample *s = &samples[i];
      guint b;

      if (span == 0 || s->time < count->time_begin || s->time > count->time_end)
        continue;
      b = (guint) ((double) (s->time - count->time_begin) / (double) span * (N_BUCKETS - 1));
      b = MIN (b, N_BUCKETS - 1);

      count->buckets[0][b] += s->weight;
      count->n_all += s->weight;
      /* The thread's row: a few rows, and samples come in runs of a
       * thread (a hash lookup per sample was most of this loop); the
       * last row of a tid, as it was with a table. */
      if (!have_last || s->tid != last_tid)
        {
          have_last = TRUE;
          last_tid = s->tid;
          last_row = 0;
          for (guint k = count->n_row_tids; k > 0 && last_row == 0; k--)
            if (count->row_tids[k - 1] == s->tid)
              last_row = k;
        }
      if (last_row != 0)
        count->buckets[last_row][b] += s->weight;
    }
}

static gpointer
count_thread (gpointer data)
{
  count_samples (data);
  return data;
}

/* The rows' totals and maxima, once COUNT is done. */
static void
count_finish (ScorchTimeline *self,
              Count          *count)
{
  if (self->rows->len > 0)
    g_array_index (self->rows, Row, 0).n_samples += count->n_all;
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *r = &g_array_index (self->rows, Row, i);

      for (guint b = 0; b < N_BUCKETS; b++)
        r->max = MAX (r->max, r->buckets[b]);
    }
  g_clear_object (&count->profile);
  g_free (count);
}

/* Waits for the counting thread, if any: the buckets are complete after. */
static void
join_counting (ScorchTimeline *self)
{
  if (self->counting != NULL)
    count_finish (self, g_thread_join (g_steal_pointer (&self->counting)));
}

static void
rebuild_rows (ScorchTimeline *self)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  const ScorchThread *threads;
  guint n_threads = 0, n_samples = 0;
  Row all = { -1, NULL, 0, NULL, 0 };
  Count *count;

  join_counting (self);
  g_array_set_size (self->rows, 0);
  self->time_begin = self->time_end = 0;
  self->counted_in_thread = FALSE;
  if (self->profile == NULL)
    return;

  scorch_profile_get_time_bounds (self->profile, &self->time_begin, &self->time_end);
  threads = scorch_profile_get_threads (self->profile, &n_threads);
  scorch_profile_get_samples (self->profile, &n_samples);

  count = g_new0 (Count, 1);
  count->profile = g_object_ref (self->profile);
  count->time_begin = self->time_begin;
  count->time_end = self->time_end;

  all.label = g_strdup (_("All threads"));
  all.buckets = g_new0 (guint32, N_BUCKETS);
  count->buckets[0] = all.buckets;
  g_array_append_val (self->rows, all);

  for (guint i = 0; i < n_threads; i++)
    if (threads[i].n_samples > 0)
      g_ptr_array_add (sorted, (gpointer) &threads[i]);
  g_ptr_array_sort (sorted, compare_threads_by_samples);

  for (guint i = 0; i < sorted->len && i < MAX_ROWS - 1; i++)
    {
      const ScorchThread *t = g_ptr_array_index (sorted, i);
      Row row = { t->tid, NULL, t->n_samples, g_new0 (guint32, N_BUCKETS), 0 };

      row.label = g_strdup_printf ("%s %d", t->name != NULL ? t->name : "?", t->tid);
      count->row_tids[count->n_row_tids++] = t->tid;
      count->buckets[count->n_row_tids] = row.buckets;
      g_array_append_val (self->rows, row);
    }

  /* The rows' buckets are not moved or freed before the join: every
   * change of the rows joins first. */
  if (n_samples >= count_in_thread_min)
    {
      self->counting = g_thread_new ("scorch-timeline", count_thread, count);
      self->counted_in_thread = TRUE;
      return;
    }
  count_samples (count);
  count_finish (self, count);
}

/* -- accessibility -- */

/* -- time axis -- */

guint64
scorch_timeline_axis_step (guint64 span,
                           guint   max_ticks)
{
  static const guint64 mantissa[] = { 1, 2, 5 };
  guint64 decade = 1;

  max_ticks = MAX (max_ticks, 1);
  if (span == 0)
    return 1;
  /* The smallest 1, 2, 5 × 10^k step with at most max_ticks intervals. */
  for (;;)
    {
      for (guint i = 0; i < G_N_ELEMENTS (mantissa); i++)
        if (span / (mantissa[i] * decade) <= max_ticks)
          return mantissa[i] * decade;
      if (decade > G_MAXUINT64 / 100)
        return decade * 10;
      decade *= 10;
    }
}

char *
scorch_timeline_format_time (guint64 ns,
                             guint64 step)
{
  const char *unit;
  double scale;
  int decimals = 0;

  /* The unit in which the step is at least 0.1, and as many decimals as
   * the step needs ("0.5 ms" rather than "500 µs"). */
  step = MAX (step, 1);
  if (step >= 100000000)
    scale = 1e9, unit = "s";
  else if (step >= 100000)
    scale = 1e6, unit = "ms";
  else if (step >= 100)
    scale = 1e3, unit = "µs";
  else
    scale = 1, unit = "ns";
  for (double v = step / scale; decimals < 3 && fabs (v - round (v)) > 1e-9; v *= 10)
    decimals++;

  /* Translators: a time and its unit, e.g. "1.25 ms" */
  return g_strdup_printf (_("%.*f %s"), decimals, ns / scale, unit);
}

/* A duration for people (and screen readers): three significant digits
 * in the unit of its size ("1.23 s", "40.0 ms", "512 µs"). */
static char *
format_seconds (guint64 ns)
{
  const char *unit = "ns";
  double v = ns;
  int decimals;

  if (ns >= 1000000000)
    v = ns / 1e9, unit = "s";
  else if (ns >= 1000000)
    v = ns / 1e6, unit = "ms";
  else if (ns >= 1000)
    v = ns / 1e3, unit = "µs";
  decimals = v >= 100 || ns < 1000 ? 0 : v >= 10 ? 1 : 2;

  return g_strdup_printf (_("%.*f %s"), decimals, v, unit);
}

static void
update_accessible (ScorchTimeline *self)
{
  g_autofree char *description = NULL;

  if (!has_time (self))
    description = g_strdup (_("No time information in this capture"));
  else if (has_range (self))
    {
      g_autofree char *from = format_seconds (self->range_begin - self->time_begin);
      g_autofree char *to = format_seconds (self->range_end - self->time_begin);

      /* Translators: the selected time range of the timeline, e.g. "Selected from 1.20 s to 2.40 s" */
      description = g_strdup_printf (_("Selected from %s to %s. Press Escape to select the whole capture."), from, to);
    }
  else
    description = g_strdup (_("The whole capture is selected. Drag across the timeline, or press Shift+Left, to select a time range."));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
}

/* -- drawing -- */

static void
get_fg (GtkWidget *widget,
        GdkRGBA   *fg)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
draw_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      max_width,
           double      xalign,
           gboolean    small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int w, h;

  if (small)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x + xalign * (max_width - w), y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static gboolean
row_active (ScorchTimeline *self,
            const Row      *row)
{
  if (self->active_tids == NULL)
    return TRUE;
  if (row->tid == -1)
    return TRUE;
  return g_hash_table_contains (self->active_tids, GINT_TO_POINTER (row->tid));
}

static void
scorch_timeline_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  ScorchTimeline *self = SCORCH_TIMELINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean dark = FALSE;
  GdkRGBA fg;
  double x0, x1;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  join_counting (self);
  get_fg (widget, &fg);
  /* Light text means a dark background. */
  dark = (fg.red + fg.green + fg.blue) / 3.0 > 0.5;
  plot_area (self, &x0, &x1);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (!has_time (self))
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.55);
      draw_text (widget, cr,
                 self->profile == NULL ? _("No capture") : _("No time information in this capture"),
                 PAD, height / 2.0, width - 2 * PAD, 0.5, FALSE);
      cairo_destroy (cr);
      return;
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      double y = PAD + i * (ROW_HEIGHT + ROW_GAP);
      double alpha = row_active (self, row) ? 1.0 : 0.3;
      double bucket_w = (x1 - x0) / N_BUCKETS;

      if (y + ROW_HEIGHT > height - AXIS_HEIGHT)
        break;

      /* Row background */
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.05);
      cairo_rectangle (cr, x0, y, x1 - x0, ROW_HEIGHT);
      cairo_fill (cr);

      /* Label */
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, (i == 0 ? 0.9 : 0.75) * alpha);
      draw_text (widget, cr, row->label, PAD, y + ROW_HEIGHT / 2.0, LABEL_WIDTH - 2 * PAD, 0.0, TRUE);

      if (row->max == 0)
        continue;

      /* Density: bar height and colour follow the share of the row's
       * busiest bucket; the flame palette ties the strip to the graph. */
      for (guint b = 0; b < N_BUCKETS; b++)
        {
          double f;

          if (row->buckets[b] == 0)
            continue;
          f = (double) row->buckets[b] / row->max;
          if (dark)
            cairo_set_source_rgba (cr, 1.0, 0.47 + 0.25 * (1 - f), 0.18, alpha * (0.45 + 0.55 * f));
          else
            cairo_set_source_rgba (cr, 0.90, 0.38 + 0.3 * (1 - f), 0.0, alpha * (0.45 + 0.55 * f));
          cairo_rectangle (cr, x0 + b * bucket_w, y + ROW_HEIGHT * (1 - f),
                           MAX (bucket_w, 1.0), ROW_HEIGHT * f);
          cairo_fill (cr);
        }
    }

  /* Axis: round times from the start of the capture, the step and its
   * unit chosen from the span (a 2 ms capture reads 0, 0.5 ms, 1 ms…). */
  {
    guint64 span = self->time_end - self->time_begin;
    guint max_ticks = (guint) CLAMP ((x1 - x0) / 90, 1, 10);
    guint64 step = scorch_timeline_axis_step (span, max_ticks);
    double y = height - AXIS_HEIGHT / 2.0;

    cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
    for (guint64 t = 0; t <= span; t += step)
      {
        g_autofree char *label = scorch_timeline_format_time (t, step);
        double x = x0 + (x1 - x0) * ((double) t / span);

        cairo_rectangle (cr, x - 0.5, height - AXIS_HEIGHT, 1, 3);
        cairo_fill (cr);
        /* Labels stay inside the plot: the first left-aligned, the ones
         * near the right edge right-aligned. */
        if (t == 0)
          draw_text (widget, cr, label, x + 2, y, 80, 0.0, TRUE);
        else if (x + 40 > x1)
          draw_text (widget, cr, label, x - 80, y, 80, 1.0, TRUE);
        else
          draw_text (widget, cr, label, x - 40, y, 80, 0.5, TRUE);
        if (t > G_MAXUINT64 - step)
          break;
      }
  }

  /* Selection (or the range being dragged). */
  if (self->dragging || has_range (self))
    {
      double sx0, sx1;

      if (self->dragging)
        {
          sx0 = CLAMP (MIN (self->drag_start_x, self->drag_x), x0, x1);
          sx1 = CLAMP (MAX (self->drag_start_x, self->drag_x), x0, x1);
        }
      else
        {
          sx0 = time_to_x (self, self->range_begin);
          sx1 = time_to_x (self, self->range_end);
        }

      /* Dim what is outside the selection, outline what is in. */
      cairo_set_source_rgba (cr, dark ? 0 : 1, dark ? 0 : 1, dark ? 0 : 1, 0.55);
      cairo_rectangle (cr, x0, 0, sx0 - x0, height - AXIS_HEIGHT);
      cairo_rectangle (cr, sx1, 0, x1 - sx1, height - AXIS_HEIGHT);
      cairo_fill (cr);

      cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.18);
      cairo_rectangle (cr, sx0, 0, sx1 - sx0, height - AXIS_HEIGHT);
      cairo_fill (cr);
      cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 1.0);
      cairo_set_line_width (cr, 2);
      cairo_move_to (cr, sx0, 0);
      cairo_line_to (cr, sx0, height - AXIS_HEIGHT);
      cairo_move_to (cr, sx1, 0);
      cairo_line_to (cr, sx1, height - AXIS_HEIGHT);
      cairo_stroke (cr);
    }

  cairo_destroy (cr);

  if (gtk_widget_has_visible_focus (widget))
    {
      GdkRGBA focus = { 0.21, 0.52, 0.89, 0.5 };
      GskRoundedRect outline;

      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, 1, width - 2, height - 2), 6);
      gtk_snapshot_append_border (snapshot, &outline,
                                  (float[4]) { 2, 2, 2, 2 },
                                  (GdkRGBA[4]) { focus, focus, focus, focus });
    }
}

static void
scorch_timeline_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  ScorchTimeline *self = SCORCH_TIMELINE (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LABEL_WIDTH + 100;
      *natural = LABEL_WIDTH + 600;
    }
  else
    {
      guint rows = MAX (self->rows->len, 1);

      *minimum = PAD + MIN (rows, 2) * (ROW_HEIGHT + ROW_GAP) + AXIS_HEIGHT;
      *natural = PAD + rows * (ROW_HEIGHT + ROW_GAP) + AXIS_HEIGHT;
    }
}

/* -- input -- */

static void
drag_begin_cb (ScorchTimeline *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  double x0, x1;

  plot_area (self, &x0, &x1);
  if (!has_time (self) || x < x0 - 4)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_start_x = self->drag_x = x;
}

static void
drag_update_cb (ScorchTimeline *self,
                double          dx,
                double          dy,
                GtkGestureDrag *gesture)
{
  if (!self->dragging && fabs (dx) < 3)
    return;
  self->dragging = TRUE;
  self->drag_x = self->drag_start_x + dx;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end_cb (ScorchTimeline *self,
             double          dx,
             double          dy,
             GtkGestureDrag *gesture)
{
  guint64 a, b;

  if (!self->dragging)
    return;
  self->dragging = FALSE;
  self->drag_x = self->drag_start_x + dx;
  a = x_to_time (self, MIN (self->drag_start_x, self->drag_x));
  b = x_to_time (self, MAX (self->drag_start_x, self->drag_x));
  scorch_timeline_set_range (self, a, b);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
click_pressed_cb (ScorchTimeline *self,
                  int             n_press,
                  double          x,
                  double          y,
                  GtkGestureClick *gesture)
{
  if (n_press == 2)
    scorch_timeline_clear_range (self);
}

/* Left / Right move the selected range by a twentieth of the capture;
 * Shift+Left / Shift+Right move its end (selecting from the start of the
 * capture when nothing is selected). */
static void
keyboard_range_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ScorchTimeline *self = SCORCH_TIMELINE (widget);
  guint64 span, step, begin, end;

  if (!has_time (self))
    return;
  span = self->time_end - self->time_begin;
  step = MAX (span / 20, 1);
  begin = has_range (self) ? self->range_begin : self->time_begin;
  end = has_range (self) ? self->range_end : self->time_end;

  if (g_str_equal (action_name, "timeline.move-left"))
    {
      if (!has_range (self))
        return;
      step = MIN (step, begin - self->time_begin);
      begin -= step;
      end -= step;
    }
  else if (g_str_equal (action_name, "timeline.move-right"))
    {
      if (!has_range (self))
        return;
      step = MIN (step, self->time_end - end);
      begin += step;
      end += step;
    }
  else if (g_str_equal (action_name, "timeline.shrink"))
    end = end - begin > step ? end - step : begin + MIN (step, end - begin) / 2;
  else if (g_str_equal (action_name, "timeline.grow"))
    end = MIN (end + step, self->time_end);

  scorch_timeline_set_range (self, begin, end);
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  scorch_timeline_clear_range (SCORCH_TIMELINE (widget));
}

/* -- GObject -- */

static void
scorch_timeline_dispose (GObject *object)
{
  ScorchTimeline *self = SCORCH_TIMELINE (object);

  join_counting (self);
  g_clear_object (&self->profile);
  g_clear_pointer (&self->active_tids, g_hash_table_unref);

  G_OBJECT_CLASS (scorch_timeline_parent_class)->dispose (object);
}

static void
scorch_timeline_finalize (GObject *object)
{
  ScorchTimeline *self = SCORCH_TIMELINE (object);

  join_counting (self);
  g_clear_pointer (&self->rows, g_array_unref);

  G_OBJECT_CLASS (scorch_timeline_parent_class)->finalize (object);
}

static void
scorch_timeline_class_init (ScorchTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_timeline_dispose;
  object_class->finalize = scorch_timeline_finalize;

  widget_class->snapshot = scorch_timeline_snapshot;
  widget_class->measure = scorch_timeline_measure;

  profile_pspec = scorch_app_class_install_profile_property (object_class, G_STRUCT_OFFSET (ScorchTimeline, profile),
                                                             (ScorchAppProfileSetter) scorch_timeline_set_profile);

  /**
   * ScorchTimeline::range-changed:
   * @begin: start of the range (perf clock ns), 0 when cleared
   * @end: end of the range, G_MAXUINT64 when cleared
   */
  signals[RANGE_CHANGED] =
    g_signal_new ("range-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);

  gtk_widget_class_install_action (widget_class, "timeline.clear", NULL, clear_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "timeline.clear", NULL);
  gtk_widget_class_install_action (widget_class, "timeline.move-left", NULL, keyboard_range_action);
  gtk_widget_class_install_action (widget_class, "timeline.move-right", NULL, keyboard_range_action);
  gtk_widget_class_install_action (widget_class, "timeline.shrink", NULL, keyboard_range_action);
  gtk_widget_class_install_action (widget_class, "timeline.grow", NULL, keyboard_range_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "timeline.move-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "timeline.move-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK, "timeline.shrink", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK, "timeline.grow", NULL);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  /* Interactive (focus, keyboard range selection), not a picture. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_WIDGET);
}

static void
scorch_timeline_init (ScorchTimeline *self)
{
  GtkGesture *drag;
  GtkGesture *click;

  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  self->range_begin = 0;
  self->range_end = 0;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "text");

  drag = gtk_gesture_drag_new ();
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (drag_update_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-end", G_CALLBACK (drag_end_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  click = gtk_gesture_click_new ();
  g_signal_connect_object (click, "pressed", G_CALLBACK (click_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sample timeline"),
                                  GTK_ACCESSIBLE_PROPERTY_ROLE_DESCRIPTION, _("timeline"),
                                  -1);
  update_accessible (self);
}

GtkWidget *
scorch_timeline_new (void)
{
  return g_object_new (SCORCH_TYPE_TIMELINE, NULL);
}

ScorchProfile *
scorch_timeline_get_profile (ScorchTimeline *self)
{
  g_return_val_if_fail (SCORCH_IS_TIMELINE (self), NULL);

  return self->profile;
}

void
scorch_timeline_set_profile (ScorchTimeline *self,
                             ScorchProfile  *profile)
{
  g_return_if_fail (SCORCH_IS_TIMELINE (self));

  if (!scorch_app_set_profile (&self->profile, profile))
    return;

  scorch_app_trace_mark ("pre-timeline");
  self->range_begin = self->range_end = 0;
  rebuild_rows (self);
  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), profile_pspec);
  scorch_app_trace_mark ("timeline");
}

void
scorch_timeline_set_active_tids (ScorchTimeline *self,
                                 const gint32   *tids,
                                 guint           n_tids)
{
  g_return_if_fail (SCORCH_IS_TIMELINE (self));

  g_clear_pointer (&self->active_tids, g_hash_table_unref);
  if (tids != NULL)
    {
      self->active_tids = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < n_tids; i++)
        g_hash_table_add (self->active_tids, GINT_TO_POINTER (tids[i]));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
scorch_timeline_get_range (ScorchTimeline *self,
                           guint64        *begin,
                           guint64        *end)
{
  g_return_val_if_fail (SCORCH_IS_TIMELINE (self), FALSE);

  if (begin != NULL)
    *begin = has_range (self) ? self->range_begin : 0;
  if (end != NULL)
    *end = has_range (self) ? self->range_end : G_MAXUINT64;
  return has_range (self);
}

void
scorch_timeline_set_range (ScorchTimeline *self,
                           guint64         begin,
                           guint64         end)
{
  g_return_if_fail (SCORCH_IS_TIMELINE (self));

  if (!has_time (self) || begin >= end)
    begin = end = 0;
  else
    {
      begin = CLAMP (begin, self->time_begin, self->time_end);
      end = CLAMP (end, self->time_begin, self->time_end);
      /* The whole capture is no selection. */
      if (begin >= end || (begin == self->time_begin && end == self->time_end))
        begin = end = 0;
    }

  if (begin == self->range_begin && end == self->range_end)
    return;

  self->range_begin = begin;
  self->range_end = end;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (has_range (self))
    g_signal_emit (self, signals[RANGE_CHANGED], 0, begin, end);
  else
    g_signal_emit (self, signals[RANGE_CHANGED], 0, (guint64) 0, G_MAXUINT64);
}

void
scorch_timeline_clear_range (ScorchTimeline *self)
{
  g_return_if_fail (SCORCH_IS_TIMELINE (self));

  scorch_timeline_set_range (self, 0, 0);
}

guint
scorch_timeline_get_n_rows (ScorchTimeline *self)
{
  g_return_val_if_fail (SCORCH_IS_TIMELINE (self), 0);

  return self->rows->len;
}

/* Tests: from how many samples up the buckets are counted on a thread
 * (0: always), and whether the last profile's were. */
void
_scorch_timeline_set_count_in_thread_min (guint n_samples)
{
  count_in_thread_min = n_samples;
}

gboolean
_scorch_timeline_counted_in_thread (ScorchTimeline *self)
{
  g_return_val_if_fail (SCORCH_IS_TIMELINE (self), FALSE);

  return self->counted_in_thread;
}

/* Tests: the counted samples of row ROW and bucket BUCKET (after the
 * counting thread, if any, is done). */
guint32
_scorch_timeline_get_bucket (ScorchTimeline *self,
                             guint           row,
                             guint           bucket)
{
  g_return_val_if_fail (SCORCH_IS_TIMELINE (self), 0);
  g_return_val_if_fail (bucket < N_BUCKETS, 0);

  join_counting (self);
  if (row >= self->rows->len)
    return 0;
  return g_array_index (self->rows, Row, row).buckets[bucket];
}
