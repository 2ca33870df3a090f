/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-compare-view.c: two captures compared: a differential flame graph
 * above a table of functions by change, linked both ways
 *
 * The graph is the ordinary ScorchFlameGraph in its diff colouring mode, so
 * search, zoom, keyboard and export work as everywhere.  Selecting a row
 * highlights that function in the graph; selecting a frame selects its
 * function's row. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-compare"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "scorch-app-util.h"
#include "scorch-compare-view.h"
#include "scorch-diff-item.h"
#include "scorch-text.h"

struct _ScorchCompareView
{
  GtkWidget           parent_instance;

  /* template widgets */
  GtkLabel           *title_label;
  GtkSearchEntry     *search_entry;
  GtkDrawingArea     *legend;
  ScorchFlameGraph   *flame_graph;
  GtkColumnView      *table;

  /* owned */
  ScorchProfile      *profiles[2];
  char               *titles[2];
  ScorchDiff         *diff;
  GtkSingleSelection *selection;
  GtkFilterListModel *filtered;
  GtkStringFilter    *filter;
  GtkColumnViewColumn *delta_self_column;
  ScorchFlameRenderer *legend_renderer;
  gboolean            baseline_shape;
  gboolean            rates;
};

G_DEFINE_FINAL_TYPE (ScorchCompareView, scorch_compare_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BASELINE_SHAPE,
  PROP_RATES,
  N_PROPS
};

enum {
  CLOSE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum
{
  COLUMN_TEXT,
  COLUMN_VALUE,
  COLUMN_DELTA,
} ColumnKind;

static ScorchDiffSide
shown_side (ScorchCompareView *self)
{
  return self->baseline_shape ? SCORCH_DIFF_BASE : SCORCH_DIFF_NEW;
}

static void
update_title (ScorchCompareView *self)
{
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *b = scorch_text_to_display (self->titles[SCORCH_DIFF_BASE]);
  g_autofree char *n = scorch_text_to_display (self->titles[SCORCH_DIFF_NEW]);

  if (self->diff == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      return;
    }
  /* Translators: the baseline's name, the new capture's name */
  title = g_strdup_printf (_("%s → %s"), b, n);
  /* Translators: baseline name, its samples, new capture's name, its samples */
  text = g_strdup_printf (_("Baseline: %s, %" G_GUINT64_FORMAT " samples\nNew: %s, %" G_GUINT64_FORMAT " samples"),
                          b, scorch_diff_get_n_samples (self->diff, SCORCH_DIFF_BASE),
                          n, scorch_diff_get_n_samples (self->diff, SCORCH_DIFF_NEW));
  gtk_label_set_text (self->title_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), text);
}

static void
rebuild (ScorchCompareView *self)
{
  g_autoptr(GListModel) items = NULL;
  ScorchDiffSide side = shown_side (self);

  if (self->profiles[0] == NULL || self->profiles[1] == NULL)
    return;

  g_clear_object (&self->diff);
  self->diff = scorch_diff_new (self->profiles[SCORCH_DIFF_BASE], self->profiles[SCORCH_DIFF_NEW],
                                self->rates ? SCORCH_DIFF_RATES : SCORCH_DIFF_SHARES);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.rates", scorch_diff_can_use_rates (self->diff));

  scorch_flame_graph_set_diff (self->flame_graph, NULL, SCORCH_DIFF_NEW);
  scorch_flame_graph_set_profile (self->flame_graph, self->profiles[side]);
  scorch_flame_graph_set_diff (self->flame_graph, self->diff, side);
  scorch_flame_graph_set_highlight_frame (self->flame_graph, G_MAXUINT32);

  items = scorch_diff_item_list_new (self->diff);
  gtk_filter_list_model_set_model (self->filtered, items);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  update_title (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->legend));
}

/* -- table ---------------------------------------------------------------- */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  ColumnKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "kind"));
  GtkWidget *cell = gtk_inscription_new (NULL);

  if (kind != COLUMN_TEXT)
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0);
      gtk_widget_add_css_class (cell, "numeric");
    }
  else
    gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_list_item_set_child (item, cell);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  ColumnKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "kind"));
  const char *property = g_object_get_data (G_OBJECT (factory), "property");
  ScorchDiffItem *row = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);
  gboolean rates = scorch_diff_get_mode (scorch_diff_item_get_diff (row)) == SCORCH_DIFF_RATES;

  gtk_widget_remove_css_class (cell, "error");
  gtk_widget_remove_css_class (cell, "accent");

  if (kind == COLUMN_TEXT)
    {
      g_autofree char *function = NULL;
      g_autofree char *module = NULL;
      const ScorchDiffFunction *f = scorch_diff_item_get_function (row);
      g_autofree char *tooltip = NULL;

      g_object_get (row, "function", &function, "module", &module, NULL);
      if (f->base_frame == G_MAXUINT32 || f->new_frame == G_MAXUINT32)
        {
          /* Translators: a function found in one capture only: "name (new)" or "name (gone)" */
          g_autofree char *marked = g_strdup_printf (f->base_frame == G_MAXUINT32 ? _("%s (new)") : _("%s (gone)"),
                                                     function);
          gtk_inscription_set_text (GTK_INSCRIPTION (cell), marked);
        }
      else
        gtk_inscription_set_text (GTK_INSCRIPTION (cell), function);
      tooltip = module != NULL && module[0] != '\0' ? g_strdup_printf ("%s\n%s", function, module) : g_strdup (function);
      gtk_widget_set_tooltip_text (cell, tooltip);
    }
  else
    {
      double value;
      char num[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *text = NULL;

      g_object_get (row, property, &value, NULL);
      if (fabs (value) < 0.005)
        value = 0;
      if (kind == COLUMN_DELTA)
        {
          int change;

          g_object_get (row, g_str_has_suffix (property, "self") ? "change-self" : "change-total", &change, NULL);
          if (change == SCORCH_DIFF_HOTTER)
            gtk_widget_add_css_class (cell, "error");
          else if (change == SCORCH_DIFF_COOLER)
            gtk_widget_add_css_class (cell, "accent");
          g_snprintf (num, sizeof num, rates ? "%+.1f" : "%+.2f", value);
        }
      else
        g_snprintf (num, sizeof num, rates ? "%.1f" : "%.2f", value);
      text = g_strdup_printf (rates ? _("%s/s") : _("%s %%"), num);
      gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
    }
}

static GtkColumnViewColumn *
add_column (ScorchCompareView *self,
            const char        *title,
            const char        *property,
            const char        *sort_property,
            ColumnKind         kind)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkExpression *expression = gtk_property_expression_new (SCORCH_TYPE_DIFF_ITEM, NULL, sort_property);
  GtkSorter *sorter;

  g_object_set_data (G_OBJECT (factory), "kind", GINT_TO_POINTER (kind));
  g_object_set_data (G_OBJECT (factory), "property", (gpointer) property);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), NULL);

  if (kind == COLUMN_TEXT)
    sorter = GTK_SORTER (gtk_string_sorter_new (expression));
  else
    sorter = GTK_SORTER (gtk_numeric_sorter_new (expression));

  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (kind == COLUMN_TEXT)
    gtk_column_view_column_set_expand (column, TRUE);
  gtk_column_view_append_column (self->table, column);
  g_object_unref (sorter);
  g_object_unref (column);
  return column;
}

static void
selection_changed_cb (ScorchCompareView *self)
{
  ScorchDiffItem *item = gtk_single_selection_get_selected_item (self->selection);
  const ScorchDiffFunction *f;

  if (item == NULL || self->diff == NULL)
    {
      scorch_flame_graph_set_highlight_frame (self->flame_graph, G_MAXUINT32);
      return;
    }
  f = scorch_diff_item_get_function (item);
  scorch_flame_graph_set_highlight_frame (self->flame_graph,
                                          shown_side (self) == SCORCH_DIFF_NEW ? f->new_frame : f->base_frame);
}

static void
graph_selection_changed_cb (ScorchCompareView *self)
{
  guint32 node = scorch_flame_graph_get_selected_node (self->flame_graph);
  ScorchProfile *displayed = scorch_flame_graph_get_displayed_profile (self->flame_graph);
  GListModel *model = G_LIST_MODEL (self->selection);
  const ScorchNode *nodes;
  guint n_nodes, n;
  gint position;

  if (self->diff == NULL || node == SCORCH_NODE_NONE ||
      displayed != scorch_diff_get_profile (self->diff, shown_side (self)))
    return;
  nodes = scorch_profile_get_nodes (displayed, &n_nodes);
  if (node >= n_nodes)
    return;
  position = scorch_diff_lookup_frame (self->diff, shown_side (self), nodes[node].frame);
  if (position < 0)
    return;
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScorchDiffItem) item = g_list_model_get_item (model, i);

      if (scorch_diff_item_get_position (item) == (guint) position)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
}

/* -- legend --------------------------------------------------------------- */

static void
draw_legend (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  ScorchCompareView *self = user_data;
  const char *labels[3];

  labels[0] = _("blue: cooler");
  labels[1] = _("red: hotter (grey: within the noise)");
  labels[2] = self->baseline_shape ? _("only in the baseline") : _("only in the new capture");
  scorch_flame_renderer_set_dark (self->legend_renderer,
                                  adw_style_manager_get_dark (adw_style_manager_get_default ()));
  scorch_flame_renderer_draw_diff_legend (self->legend_renderer, cr, 0, 2, height - 4, labels);
}

/* -- GObject -------------------------------------------------------------- */

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_signal_emit (widget, signals[CLOSE], 0);
}

/* -- export ---------------------------------------------------------------- */

static void
show_export_error (ScorchCompareView *self,
                   const char        *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *safe = scorch_text_to_display (message);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Could Not Export the Comparison"), NULL);

  /* The body is plain text: the message may quote a path. */
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), safe);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
export_response_cb (GtkNativeDialog   *dialog,
                    int                response,
                    ScorchCompareView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path != NULL && !scorch_compare_view_export (self, path, &error))
        show_export_error (self, error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ScorchCompareView *self = SCORCH_COMPARE_VIEW (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *name = NULL;
  GtkFileChooserNative *dialog;

  if (!g_str_equal (format, "svg") && !g_str_equal (format, "png") && !g_str_equal (format, "pdf"))
    return;
  /* Translators: the default file name of an exported comparison; keep the extension */
  name = g_strdup_printf (_("comparison.%s"), format);
  dialog = gtk_file_chooser_native_new (_("Export the Comparison"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

gboolean
scorch_compare_view_export (ScorchCompareView  *self,
                            const char         *path,
                            GError            **error)
{
  g_return_val_if_fail (SCORCH_IS_COMPARE_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* The graph exports what it shows: the zoom, the search, the diff colours. */
  return scorch_flame_graph_export (self->flame_graph, path, 0, error);
}

static void
scorch_compare_view_dispose (GObject *object)
{
  ScorchCompareView *self = SCORCH_COMPARE_VIEW (object);

  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_COMPARE_VIEW);
  /* The rows of the box layout, bound to no field, go too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->diff);
  g_clear_object (&self->profiles[0]);
  g_clear_object (&self->profiles[1]);

  G_OBJECT_CLASS (scorch_compare_view_parent_class)->dispose (object);
}

static void
scorch_compare_view_finalize (GObject *object)
{
  ScorchCompareView *self = SCORCH_COMPARE_VIEW (object);

  g_clear_pointer (&self->titles[0], g_free);
  g_clear_pointer (&self->titles[1], g_free);
  g_clear_pointer (&self->legend_renderer, scorch_flame_renderer_free);

  G_OBJECT_CLASS (scorch_compare_view_parent_class)->finalize (object);
}

static void
scorch_compare_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ScorchCompareView *self = SCORCH_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_BASELINE_SHAPE:
      g_value_set_boolean (value, self->baseline_shape);
      break;
    case PROP_RATES:
      g_value_set_boolean (value, self->rates);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_compare_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ScorchCompareView *self = SCORCH_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_BASELINE_SHAPE:
      scorch_compare_view_set_baseline_shape (self, g_value_get_boolean (value));
      break;
    case PROP_RATES:
      scorch_compare_view_set_rates (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const ScorchAppTemplateChild compare_view_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchCompareView, title_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCompareView, search_entry),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCompareView, legend),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCompareView, flame_graph),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCompareView, table),
};

static void
scorch_compare_view_class_init (ScorchCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_compare_view_dispose;
  object_class->finalize = scorch_compare_view_finalize;
  object_class->get_property = scorch_compare_view_get_property;
  object_class->set_property = scorch_compare_view_set_property;

  properties[PROP_BASELINE_SHAPE] =
    g_param_spec_boolean ("baseline-shape", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RATES] =
    g_param_spec_boolean ("rates", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ScorchCompareView::close:
   *
   * The person asked to leave the comparison (compare.close).
   */
  signals[CLOSE] = g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (SCORCH_TYPE_FLAME_GRAPH);
  scorch_app_class_set_template (widget_class,
                                 compare_view_children, G_N_ELEMENTS (compare_view_children),
                                 NULL, 0);

  gtk_widget_class_install_property_action (widget_class, "compare.baseline-shape", "baseline-shape");
  gtk_widget_class_install_property_action (widget_class, "compare.rates", "rates");
  gtk_widget_class_install_action (widget_class, "compare.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "compare.export", "s", export_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
scorch_compare_view_init (ScorchCompareView *self)
{
  GtkSortListModel *sorted;
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->legend_renderer = scorch_flame_renderer_new ();
  gtk_drawing_area_set_draw_func (self->legend, draw_legend, self, NULL);

  add_column (self, _("Function"), "function", "function", COLUMN_TEXT);
  add_column (self, _("Self Before"), "base-self", "base-self", COLUMN_VALUE);
  add_column (self, _("Self After"), "new-self", "new-self", COLUMN_VALUE);
  self->delta_self_column = add_column (self, _("Δ Self"), "delta-self", "abs-delta-self", COLUMN_DELTA);
  add_column (self, _("Total Before"), "base-total", "base-total", COLUMN_VALUE);
  add_column (self, _("Total After"), "new-total", "new-total", COLUMN_VALUE);
  add_column (self, _("Δ Total"), "delta-total", "abs-delta-total", COLUMN_DELTA);

  /* search: the graph highlights, the table keeps the matching rows */
  expression = gtk_property_expression_new (SCORCH_TYPE_DIFF_ITEM, NULL, "function");
  self->filter = gtk_string_filter_new (expression);
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                    g_object_ref (gtk_column_view_get_sorter (self->table)));
  self->selection = scorch_app_column_view_set_single_selection (self->table, G_LIST_MODEL (sorted));
  g_object_ref (self->selection);
  /* Sorted by |Δ self|, largest first, until the person picks a column. */
  gtk_column_view_sort_by_column (self->table, self->delta_self_column, GTK_SORT_DESCENDING);

  g_object_bind_property (self->search_entry, "text", self->filter, "search", G_BINDING_DEFAULT);
  g_object_bind_property (self->search_entry, "text", self->flame_graph, "search-text", G_BINDING_DEFAULT);

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flame_graph, "selection-changed",
                           G_CALLBACK (graph_selection_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
scorch_compare_view_new (void)
{
  return g_object_new (SCORCH_TYPE_COMPARE_VIEW, NULL);
}

void
scorch_compare_view_set_profiles (ScorchCompareView *self,
                                  ScorchProfile     *base,
                                  ScorchProfile     *new_profile,
                                  const char        *base_title,
                                  const char        *new_title)
{
  g_return_if_fail (SCORCH_IS_COMPARE_VIEW (self));
  g_return_if_fail (SCORCH_IS_PROFILE (base));
  g_return_if_fail (SCORCH_IS_PROFILE (new_profile));

  g_set_object (&self->profiles[SCORCH_DIFF_BASE], base);
  g_set_object (&self->profiles[SCORCH_DIFF_NEW], new_profile);
  g_free (self->titles[SCORCH_DIFF_BASE]);
  self->titles[SCORCH_DIFF_BASE] = g_strdup (base_title != NULL ? base_title : _("Baseline"));
  g_free (self->titles[SCORCH_DIFF_NEW]);
  self->titles[SCORCH_DIFF_NEW] = g_strdup (new_title != NULL ? new_title : _("New"));
  rebuild (self);
}

ScorchDiff *
scorch_compare_view_get_diff (ScorchCompareView *self)
{
  g_return_val_if_fail (SCORCH_IS_COMPARE_VIEW (self), NULL);

  return self->diff;
}

gboolean
scorch_compare_view_get_baseline_shape (ScorchCompareView *self)
{
  g_return_val_if_fail (SCORCH_IS_COMPARE_VIEW (self), FALSE);

  return self->baseline_shape;
}

void
scorch_compare_view_set_baseline_shape (ScorchCompareView *self,
                                        gboolean           baseline_shape)
{
  ScorchDiffSide side;

  g_return_if_fail (SCORCH_IS_COMPARE_VIEW (self));

  baseline_shape = !!baseline_shape;
  if (self->baseline_shape == baseline_shape)
    return;
  self->baseline_shape = baseline_shape;
  side = shown_side (self);
  if (self->diff != NULL)
    {
      scorch_flame_graph_set_diff (self->flame_graph, NULL, SCORCH_DIFF_NEW);
      scorch_flame_graph_set_profile (self->flame_graph, self->profiles[side]);
      scorch_flame_graph_set_diff (self->flame_graph, self->diff, side);
      selection_changed_cb (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self->legend));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASELINE_SHAPE]);
}

gboolean
scorch_compare_view_get_rates (ScorchCompareView *self)
{
  g_return_val_if_fail (SCORCH_IS_COMPARE_VIEW (self), FALSE);

  return self->rates;
}

void
scorch_compare_view_set_rates (ScorchCompareView *self,
                               gboolean           rates)
{
  g_return_if_fail (SCORCH_IS_COMPARE_VIEW (self));

  rates = !!rates;
  if (self->rates == rates)
    return;
  self->rates = rates;
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATES]);
}

ScorchFlameGraph *
scorch_compare_view_get_flame_graph (ScorchCompareView *self)
{
  g_return_val_if_fail (SCORCH_IS_COMPARE_VIEW (self), NULL);

  return self->flame_graph;
}

GtkColumnView *
scorch_compare_view_get_table (ScorchCompareView *self)
{
  g_return_val_if_fail (SCORCH_IS_COMPARE_VIEW (self), NULL);

  return self->table;
}

GtkSingleSelection *
scorch_compare_view_get_selection (ScorchCompareView *self)
{
  g_return_val_if_fail (SCORCH_IS_COMPARE_VIEW (self), NULL);

  return self->selection;
}
