/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-list-util.c: cells and sorters of the function tables, built in
 * C, and the first fill of the lists in panes (ScorchListFill)
 *
 * GTK 4.8's list views keep up to 200 rows around their anchor, so a
 * table's first fill makes 200 rows of cells whatever the window's height.
 * A GtkBuilderListItemFactory parses its template and sets up expression
 * watches for every cell, and a GtkInscription with min-chars/min-lines
 * asks Pango for the font's metrics (which shapes a sample text) on every
 * measure. Here the cells are made directly, filled once when bound, and
 * ask for a size computed once per font: the first fill costs a fraction
 * of what it did, and text is shaped only for the cells that are drawn.
 */

#include "config.h"

#define G_LOG_DOMAIN "scorch-list-util"

#include "scorch-function-item.h"
#include "scorch-list-util.h"

/* -- the size of a cell, from the font: computed once per font -- */

typedef struct
{
  int char_width;   /* pixels, approximate */
  int line_height;  /* pixels */
  /* The same in Pango units, as GtkInscription's measure uses them. */
  int char_units;   /* the wider of a character and a digit */
  int ascent_units;
  int descent_units;
} FontSize;

static const FontSize *
font_size_for (GtkWidget *widget)
{
  static GHashTable *sizes;  /* font description string → FontSize; main thread */
  PangoContext *context = gtk_widget_get_pango_context (widget);
  const PangoFontDescription *font = pango_context_get_font_description (context);
  g_autofree char *key = pango_font_description_to_string (font);
  FontSize *size;

  if (sizes == NULL)
    sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  size = g_hash_table_lookup (sizes, key);
  if (size == NULL)
    {
      PangoFontMetrics *metrics = pango_context_get_metrics (context, font, pango_context_get_language (context));
      int char_width = MAX (pango_font_metrics_get_approximate_char_width (metrics),
                            pango_font_metrics_get_approximate_digit_width (metrics));

      size = g_new0 (FontSize, 1);
      size->char_units = char_width;
      size->ascent_units = pango_font_metrics_get_ascent (metrics);
      size->descent_units = pango_font_metrics_get_descent (metrics);
      size->char_width = PANGO_PIXELS_CEIL (char_width);
      size->line_height = PANGO_PIXELS_CEIL (size->ascent_units + size->descent_units);
      pango_font_metrics_unref (metrics);
      g_hash_table_insert (sizes, g_steal_pointer (&key), size);
    }
  return size;
}

GtkWidget *
scorch_list_text_cell_new (float    xalign,
                           guint    chars,
                           gboolean numeric)
{
  GtkWidget *inscription = gtk_inscription_new (NULL);
  const FontSize *size;

  gtk_inscription_set_xalign (GTK_INSCRIPTION (inscription), xalign);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (inscription), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  /* No chars and no lines: GtkInscription's measure returns at once; the
   * size request below stands for them. */
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (inscription), 0);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (inscription), 0);
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (inscription), 0);
  gtk_inscription_set_nat_lines (GTK_INSCRIPTION (inscription), 0);
  if (numeric)
    gtk_widget_add_css_class (inscription, "numeric");
  size = font_size_for (inscription);
  gtk_widget_set_size_request (inscription, chars * size->char_width, size->line_height);
  return inscription;
}

int
scorch_function_cell_line_height (GtkWidget *widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), 0);

  return font_size_for (widget)->line_height;
}

/* -- the first fill -- */

/* GTK 4.8's list views make up to 200 rows around their anchor: a slice
 * past this many rows makes no more of them, and grows to all at once. */
#define SLICE_ALL_AFTER 256

int
scorch_list_drawn_row_height (GtkColumnView *view)
{
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  GtkSelectionModel *model = gtk_column_view_get_model (view);
  guint n_rows = model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;

  if (vadjustment == NULL || n_rows == 0 || gtk_adjustment_get_upper (vadjustment) <= 0)
    return 0;
  return MAX ((int) (gtk_adjustment_get_upper (vadjustment) / n_rows), 1);
}

guint
scorch_list_first_fill_rows (GtkWidget *pane,
                             int        row_height,
                             guint      min_rows)
{
  GtkRoot *root = gtk_widget_get_root (pane);
  int height = gtk_widget_get_height (pane);

  if (height <= 0 && root != NULL)
    height = gtk_widget_get_height (GTK_WIDGET (root)) / 4;
  if (row_height <= 0 || height <= 0)
    return G_MAXUINT;
  return MAX ((guint) (height / row_height + 2), min_rows);
}

static gboolean
fill_idle_cb (gpointer data)
{
  ScorchListFill *fill = data;

  if (fill->more (fill->rows, fill->step))
    return G_SOURCE_CONTINUE;
  fill->idle_id = 0;
  return G_SOURCE_REMOVE;
}

void
scorch_list_fill_init (ScorchListFill     *fill,
                       GtkWidget          *list,
                       ScorchListFillMore  more,
                       gpointer            rows,
                       guint               step,
                       int                *row_height_seen)
{
  g_return_if_fail (GTK_IS_WIDGET (list));
  g_return_if_fail (more != NULL);
  g_return_if_fail (step > 0);
  g_return_if_fail (row_height_seen != NULL);

  *fill = (ScorchListFill) {
    .list = list,
    .more = more,
    .rows = rows,
    .step = step,
    .row_height_seen = row_height_seen,
  };
}

gboolean
scorch_list_fill_grow_slice (gpointer rows,
                             guint    step)
{
  GtkSliceListModel *slice = rows;
  guint size = gtk_slice_list_model_get_size (slice);

  if (size >= SLICE_ALL_AFTER || step >= G_MAXUINT - size)
    {
      gtk_slice_list_model_set_size (slice, G_MAXUINT);
      return FALSE;
    }
  gtk_slice_list_model_set_size (slice, size + step);
  return TRUE;
}

void
scorch_list_fill_begin (ScorchListFill *fill)
{
  scorch_list_fill_clear (fill);
  fill->pending = TRUE;
  gtk_widget_queue_draw (fill->list);
}

void
scorch_list_fill_snapshot (ScorchListFill *fill,
                           int             drawn_row_height)
{
  if (!fill->pending)
    return;
  /* The rows' real height, for the next first fill. */
  if (drawn_row_height > 0)
    *fill->row_height_seen = drawn_row_height;
  fill->pending = FALSE;
  fill->idle_id = g_idle_add_full (G_PRIORITY_LOW + 10, fill_idle_cb, fill, NULL);
}

void
scorch_list_fill_all (ScorchListFill *fill)
{
  scorch_list_fill_clear (fill);
  fill->more (fill->rows, G_MAXUINT);
}

void
scorch_list_fill_clear (ScorchListFill *fill)
{
  g_clear_handle_id (&fill->idle_id, g_source_remove);
  fill->pending = FALSE;
}

/* -- the percentage bar: drawn in C by the cell that holds the share's
 * text (a GtkLevelBar is four widgets, with their CSS nodes; a widget of
 * its own and a box around the two were two more per cell) -- */

#define PERCENT_BAR_WIDTH   30
#define PERCENT_BAR_HEIGHT  6
#define PERCENT_BAR_SPACING 6

/* The bar of FRACTION in WIDGET's colours, at X, vertically centered in
 * WIDGET. */
static void
snapshot_percent_bar (GtkWidget   *widget,
                      GtkSnapshot *snapshot,
                      int          x,
                      double       fraction)
{
  int width = PERCENT_BAR_WIDTH;
  int height = MIN (gtk_widget_get_height (widget), PERCENT_BAR_HEIGHT);
  int y = (gtk_widget_get_height (widget) - height) / 2;
  GtkStyleContext *context;
  GdkRGBA color, trough, accent;
  GskRoundedRect rect;
  graphene_size_t radius = GRAPHENE_SIZE_INIT (height / 2.0f, height / 2.0f);

  if (height <= 0)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  gtk_style_context_get_color (context, &color);
  /* libadwaita's accent; GTK's own theme has the selection colour */
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", &accent) &&
      !gtk_style_context_lookup_color (context, "theme_selected_bg_color", &accent))
    accent = color;
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* On a selected row (the accent behind it) the bar is drawn in the
   * text's colour; the row is a few levels up, below the list view. */
  for (GtkWidget *w = widget; w != NULL && !GTK_IS_LIST_VIEW (w); w = gtk_widget_get_parent (w))
    if (gtk_widget_get_state_flags (w) & GTK_STATE_FLAG_SELECTED)
      {
        accent = color;
        break;
      }
  trough = color;
  trough.alpha *= 0.15f;

  gsk_rounded_rect_init (&rect, &GRAPHENE_RECT_INIT (x, y, width, height), &radius, &radius, &radius, &radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, &trough, &GRAPHENE_RECT_INIT (x, y, width, height));
  if (fraction > 0)
    gtk_snapshot_append_color (snapshot, &accent,
                               &GRAPHENE_RECT_INIT (x, y, (float) (width * fraction), height));
  gtk_snapshot_pop (snapshot);
}

/* -- the factory -- */

/* The tooltip of a cell: asked for when shown.
 * gtk_widget_set_tooltip_text() on a visible widget makes GTK look for
 * the widget under the pointer (on X11 two round trips to the server),
 * once per cell bound. */
static const char *
tooltip_text (ScorchFunctionCell  cell,
              ScorchFunctionItem *item)
{
  switch (cell)
    {
    case SCORCH_FUNCTION_CELL_SELF:
      return scorch_function_item_get_self_text (item);
    case SCORCH_FUNCTION_CELL_TOTAL:
      return scorch_function_item_get_total_text (item);
    case SCORCH_FUNCTION_CELL_MODULE:
      return scorch_function_item_get_module (item);
    case SCORCH_FUNCTION_CELL_SOURCE:
      return scorch_function_item_get_source (item);
    case SCORCH_FUNCTION_CELL_NAME:
      /* The full signature, where the cell shows it shortened. */
      return scorch_function_item_get_name (item);
    case SCORCH_FUNCTION_CELL_SELF_PERCENT:
    case SCORCH_FUNCTION_CELL_TOTAL_PERCENT:
    default:
      return NULL;
    }
}

/* The cell's flags, beside the ScorchFunctionCell in the factory's data. */
#define CELL_IN_TREE 0x100  /* the items are GtkTreeListRows of function items */
#define CELL_MASK    0xff

/* The ScorchFunctionItem a list item shows, or NULL: the item itself, or
 * the item of its GtkTreeListRow. */
static ScorchFunctionItem *
cell_item (GtkListItem *list_item)
{
  gpointer item = gtk_list_item_get_item (list_item);

  if (GTK_IS_TREE_LIST_ROW (item))
    {
      /* The row holds a reference while it is the list item's. */
      g_autoptr(GObject) inner = gtk_tree_list_row_get_item (item);

      return (ScorchFunctionItem *) inner;
    }
  return item;
}

static gboolean
query_tooltip_cb (GtkWidget   *widget,
                  int          x,
                  int          y,
                  gboolean     keyboard,
                  GtkTooltip  *tooltip,
                  GtkListItem *list_item)
{
  ScorchFunctionItem *item = cell_item (list_item);
  const char *text;

  if (item == NULL)
    return FALSE;
  text = tooltip_text (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "scorch-function-cell")), item);
  if (text == NULL || text[0] == '\0')
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* -- the text of a function cell: a GtkInscription in a bin that asks
 * for the size computed from the font (above) without measuring it.
 * GtkInscription's width measure asks Pango for the font's metrics,
 * which shapes a sample text, even with no chars to measure; the table's
 * columns measure every cell's width on the first frame of a profile
 * (about 200 cells, a third of that frame's layout). Its height measure
 * (no lines) returns at once and stays. -- */

#define SCORCH_TYPE_TEXT_BIN (scorch_text_bin_get_type ())
G_DECLARE_FINAL_TYPE (ScorchTextBin, scorch_text_bin, SCORCH, TEXT_BIN, GtkWidget)

struct _ScorchTextBin
{
  GtkWidget parent_instance;
  double    fraction;   /* of the bar beside the text */
  guint     min_chars;  /* with font_measure: GtkInscription's own */
  guint     nat_chars;
  guint     has_bar : 1;
  guint     font_measure : 1;  /* a one-line inscription's size, from font_size_for */
};

G_DEFINE_FINAL_TYPE (ScorchTextBin, scorch_text_bin, GTK_TYPE_WIDGET)

static void
scorch_text_bin_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  ScorchTextBin *self = SCORCH_TEXT_BIN (widget);
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child == NULL)
    return;
  /* What GtkInscription's measure gives for one line and these chars
   * (its CSS box is empty in a cell), without asking Pango for the
   * font's metrics on every measure: a new profile's rows are measured
   * two or three times in its first frame (the window's minimum size,
   * then the layout), each time asking twice, and each asking shapes a
   * sample text. The font is the inscription's own, as styled now. */
  if (self->font_measure)
    {
      const FontSize *size = font_size_for (child);

      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          if (self->min_chars == 0 && self->nat_chars == 0)
            return;
          *minimum = PANGO_PIXELS_CEIL ((int) self->min_chars * size->char_units);
          *natural = PANGO_PIXELS_CEIL ((int) MAX (self->min_chars, self->nat_chars) * size->char_units);
          return;
        }
      /* Its own measure, which returns at once with no lines, so that
       * GTK knows it was measured before it is allocated. */
      gtk_widget_measure (child, orientation, -1, minimum, natural, minimum_baseline, natural_baseline);
      *minimum = *natural = PANGO_PIXELS_CEIL (size->ascent_units + size->descent_units);
      *minimum_baseline = *natural_baseline = size->ascent_units > 0 ? PANGO_PIXELS_CEIL (size->ascent_units) : 0;
      return;
    }
  /* The width is the size request's. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    return;
  gtk_widget_measure (child, orientation, -1, minimum, natural, minimum_baseline, natural_baseline);
}

static void
scorch_text_bin_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  ScorchTextBin *self = SCORCH_TEXT_BIN (widget);
  GtkWidget *child = gtk_widget_get_first_child (widget);
  int text_width = width;
  GskTransform *transform = NULL;

  if (child == NULL)
    return;
  /* The bar at the end, as a box would place it after the text. */
  if (self->has_bar)
    {
      text_width = MAX (width - PERCENT_BAR_WIDTH - PERCENT_BAR_SPACING, 0);
      if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
        transform = gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (width - text_width, 0));
    }
  gtk_widget_allocate (child, text_width, height, baseline, transform);
}

static void
scorch_text_bin_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  ScorchTextBin *self = SCORCH_TEXT_BIN (widget);
  int width = gtk_widget_get_width (widget);

  GTK_WIDGET_CLASS (scorch_text_bin_parent_class)->snapshot (widget, snapshot);
  if (self->has_bar && width >= PERCENT_BAR_WIDTH)
    snapshot_percent_bar (widget, snapshot,
                          gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL ? 0 : width - PERCENT_BAR_WIDTH,
                          self->fraction);
}

static void
scorch_text_bin_set_fraction (ScorchTextBin *self,
                              double         fraction)
{
  fraction = CLAMP (fraction, 0.0, 1.0);
  if (fraction == self->fraction)
    return;
  self->fraction = fraction;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
scorch_text_bin_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (scorch_text_bin_parent_class)->dispose (object);
}

static void
scorch_text_bin_class_init (ScorchTextBinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_text_bin_dispose;
  widget_class->measure = scorch_text_bin_measure;
  widget_class->size_allocate = scorch_text_bin_size_allocate;
  widget_class->snapshot = scorch_text_bin_snapshot;
}

static void
scorch_text_bin_init (ScorchTextBin *self)
{
}

/* A bin holding a text cell (scorch_list_text_cell_new), with its size
 * request; the inscription is its only child. With a bar: the bar after
 * the text (a share). */
static GtkWidget *
text_bin_new (float    xalign,
              guint    chars,
              gboolean numeric,
              gboolean bar)
{
  ScorchTextBin *bin = g_object_new (SCORCH_TYPE_TEXT_BIN, NULL);
  GtkWidget *text = scorch_list_text_cell_new (xalign, chars, numeric);
  int width, height;

  gtk_widget_get_size_request (text, &width, &height);
  gtk_widget_set_size_request (text, -1, -1);
  bin->has_bar = bar;
  if (bar)
    {
      width += PERCENT_BAR_SPACING + PERCENT_BAR_WIDTH;
      height = MAX (height, PERCENT_BAR_HEIGHT);
    }
  gtk_widget_set_size_request (GTK_WIDGET (bin), width, height);
  gtk_widget_set_parent (text, GTK_WIDGET (bin));
  return GTK_WIDGET (bin);
}

GtkWidget *
scorch_list_inscription_new (float    xalign,
                             guint    min_chars,
                             guint    nat_chars,
                             gboolean numeric)
{
  ScorchTextBin *bin = g_object_new (SCORCH_TYPE_TEXT_BIN, NULL);
  GtkWidget *text = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (text), xalign);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (text), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  /* The bin measures for it (scorch_text_bin_measure): no chars and no
   * lines, which only its measure reads. */
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (text), 0);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (text), 0);
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (text), 0);
  gtk_inscription_set_nat_lines (GTK_INSCRIPTION (text), 0);
  if (numeric)
    gtk_widget_add_css_class (text, "numeric");
  bin->font_measure = TRUE;
  bin->min_chars = min_chars;
  bin->nat_chars = nat_chars;
  gtk_widget_set_parent (text, GTK_WIDGET (bin));
  return GTK_WIDGET (bin);
}

GtkInscription *
scorch_list_inscription_get_text (GtkWidget *cell)
{
  g_return_val_if_fail (SCORCH_IS_TEXT_BIN (cell), NULL);

  return GTK_INSCRIPTION (gtk_widget_get_first_child (cell));
}

/* The inscription of a cell made by make_cell. */
static GtkInscription *
cell_text (GtkWidget *child)
{
  if (SCORCH_IS_TEXT_BIN (child))
    child = gtk_widget_get_first_child (child);
  return GTK_INSCRIPTION (child);
}

/* The widget of a CELL of LIST_ITEM, made once: bind_cb fills it. */
static GtkWidget *
make_cell (ScorchFunctionCell  cell,
           GtkListItem        *list_item)
{
  GtkWidget *child, *text;

  switch (cell)
    {
    case SCORCH_FUNCTION_CELL_NAME:
      child = text_bin_new (0.0f, 24, FALSE, FALSE);
      break;
    case SCORCH_FUNCTION_CELL_SELF_PERCENT:
    case SCORCH_FUNCTION_CELL_TOTAL_PERCENT:
      return text_bin_new (1.0f, 8, TRUE, TRUE);
    case SCORCH_FUNCTION_CELL_SELF:
    case SCORCH_FUNCTION_CELL_TOTAL:
      child = text_bin_new (1.0f, 8, TRUE, FALSE);
      break;
    case SCORCH_FUNCTION_CELL_MODULE:
    case SCORCH_FUNCTION_CELL_SOURCE:
    default:
      /* These columns have a fixed width. */
      child = text_bin_new (0.0f, 0, FALSE, FALSE);
      break;
    }
  /* Name, counts, module and source: the tooltip, when asked for. */
  text = GTK_WIDGET (cell_text (child));
  g_object_set_data (G_OBJECT (text), "scorch-function-cell", GUINT_TO_POINTER (cell));
  gtk_widget_set_has_tooltip (text, TRUE);
  g_signal_connect_object (text, "query-tooltip", G_CALLBACK (query_tooltip_cb), list_item, 0);
  return child;
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  guint data = GPOINTER_TO_UINT (user_data);
  GtkWidget *child = make_cell (data & CELL_MASK, list_item);

  /* In a tree, the name is indented by depth and has the expander. */
  if ((data & CELL_IN_TREE) != 0 && (data & CELL_MASK) == SCORCH_FUNCTION_CELL_NAME)
    {
      GtkWidget *expander = gtk_tree_expander_new ();

      gtk_widget_set_hexpand (child, TRUE);
      gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), child);
      child = expander;
    }
  gtk_list_item_set_child (list_item, child);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  guint data = GPOINTER_TO_UINT (user_data);
  ScorchFunctionCell cell = data & CELL_MASK;
  ScorchFunctionItem *item = cell_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  GtkInscription *text;

  if (item == NULL || child == NULL)
    return;
  if (GTK_IS_TREE_EXPANDER (child))
    {
      gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (child), gtk_list_item_get_item (list_item));
      child = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (child));
    }
  text = cell_text (child);
  switch (cell)
    {
    case SCORCH_FUNCTION_CELL_NAME:
      gtk_inscription_set_text (text, scorch_function_item_get_display_name (item));
      /* The full signature, as the tooltip shows it, for assistive
       * technologies (a tooltip text set here would also be their
       * description, but costs the X round trips above on every bind). */
      gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      scorch_function_item_get_name (item), -1);
      break;
    case SCORCH_FUNCTION_CELL_SELF_PERCENT:
      gtk_inscription_set_text (text, scorch_function_item_get_self_percent_text (item));
      scorch_text_bin_set_fraction (SCORCH_TEXT_BIN (child), scorch_function_item_get_self_percent (item) / 100.0);
      break;
    case SCORCH_FUNCTION_CELL_TOTAL_PERCENT:
      gtk_inscription_set_text (text, scorch_function_item_get_total_percent_text (item));
      scorch_text_bin_set_fraction (SCORCH_TEXT_BIN (child), scorch_function_item_get_total_percent (item) / 100.0);
      break;
    case SCORCH_FUNCTION_CELL_SELF:
      gtk_inscription_set_text (text, scorch_function_item_get_self_text (item));
      break;
    case SCORCH_FUNCTION_CELL_TOTAL:
      gtk_inscription_set_text (text, scorch_function_item_get_total_text (item));
      break;
    /* The full path, as the tooltip shows it, for assistive technologies. */
    case SCORCH_FUNCTION_CELL_MODULE:
      gtk_inscription_set_text (text, scorch_function_item_get_module_name (item));
      gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      scorch_function_item_get_module (item), -1);
      break;
    case SCORCH_FUNCTION_CELL_SOURCE:
      gtk_inscription_set_text (text, scorch_function_item_get_source_name (item));
      gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      scorch_function_item_get_source (item), -1);
      break;
    default:
      break;
    }
}

GtkListItemFactory *
scorch_function_cell_factory_new (ScorchFunctionCell cell)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (cell));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (cell));
  return factory;
}

GtkListItemFactory *
scorch_function_tree_cell_factory_new (ScorchFunctionCell cell)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (cell | CELL_IN_TREE));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (cell | CELL_IN_TREE));
  return factory;
}

/* -- sorters -- */

typedef guint64 (*CountFunc) (ScorchFunctionItem *item);

/* USER_DATA: the CountFunc that reads the count compared. */
static int
compare_count (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  CountFunc count = (CountFunc) user_data;
  guint64 x = count ((ScorchFunctionItem *) a);
  guint64 y = count ((ScorchFunctionItem *) b);

  return x < y ? GTK_ORDERING_SMALLER : x > y ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

GtkSorter *
scorch_function_sorter_new (ScorchFunctionCell cell)
{
  switch (cell)
    {
    case SCORCH_FUNCTION_CELL_SELF_PERCENT:
    case SCORCH_FUNCTION_CELL_SELF:
      return GTK_SORTER (gtk_custom_sorter_new (compare_count, (gpointer) scorch_function_item_get_self, NULL));
    case SCORCH_FUNCTION_CELL_TOTAL_PERCENT:
    case SCORCH_FUNCTION_CELL_TOTAL:
      return GTK_SORTER (gtk_custom_sorter_new (compare_count, (gpointer) scorch_function_item_get_total, NULL));
    case SCORCH_FUNCTION_CELL_NAME:
    case SCORCH_FUNCTION_CELL_MODULE:
    case SCORCH_FUNCTION_CELL_SOURCE:
    default:
      return NULL;
    }
}

void
scorch_function_column_set_cell (GtkColumnViewColumn *column,
                                 ScorchFunctionCell   cell,
                                 gboolean             in_tree)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkSorter) sorter = scorch_function_sorter_new (cell);

  g_return_if_fail (GTK_IS_COLUMN_VIEW_COLUMN (column));

  factory = in_tree ? scorch_function_tree_cell_factory_new (cell) : scorch_function_cell_factory_new (cell);
  gtk_column_view_column_set_factory (column, factory);
  if (sorter != NULL)
    gtk_column_view_column_set_sorter (column, sorter);
}
