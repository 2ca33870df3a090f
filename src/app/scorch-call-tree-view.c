/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-call-tree-view.c: the top-down call tree
 *
 * A GtkTreeListModel whose children are made when a row is expanded, from
 * the profile's node arrays: children with samples in the current view,
 * hottest first.  The column view's sorter sorts siblings through a
 * GtkTreeListRowSorter.
 */

#include "config.h"

#define G_LOG_DOMAIN "scorch-call-tree-view"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-call-tree-view.h"
#include "scorch-function-item.h"
#include "scorch-list-util.h"

struct _ScorchCallTreeView
{
  GtkWidget            parent_instance;

  /* template widgets */
  GtkScrolledWindow   *scrolled_window;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *function_column;
  GtkColumnViewColumn *self_percent_column;
  GtkColumnViewColumn *total_percent_column;
  GtkColumnViewColumn *self_column;
  GtkColumnViewColumn *total_column;

  /* owned */
  ScorchProfile       *profile;
  GtkTreeListModel    *tree_model;
  GtkSortListModel    *sort_model;
  GtkSingleSelection  *selection;

  guint32              selected_node;
};

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_SELECTED_NODE,
  PROP_SELECTED_FRAME,
  N_PROPS
};

enum {
  NODE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ScorchCallTreeView, scorch_call_tree_view, GTK_TYPE_WIDGET)

static int
compare_by_total (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const guint64 *total = user_data;
  guint32 na = *(const guint32 *) a;
  guint32 nb = *(const guint32 *) b;

  if (total[na] != total[nb])
    return total[na] > total[nb] ? -1 : 1;
  return na < nb ? -1 : (na > nb);
}

/* Children of NODE with samples in view, as items, hottest first; NULL
 * when there are none (the row then shows no expander). */
static GListModel *
dup_children (ScorchProfile *profile,
              guint32        node)
{
  const ScorchNode *nodes = scorch_profile_get_nodes (profile, NULL);
  const guint64 *self_counts = scorch_profile_get_node_self (profile);
  const guint64 *total = scorch_profile_get_node_total (profile);
  g_autoptr(GArray) children = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GPtrArray) items = NULL;
  GListStore *store;

  for (guint32 c = nodes[node].first_child; c != SCORCH_NODE_NONE; c = nodes[c].next_sibling)
    if (total[c] > 0)
      g_array_append_val (children, c);

  if (children->len == 0)
    return NULL;

  g_array_sort_with_data (children, compare_by_total, (gpointer) total);

  items = g_ptr_array_new_full (children->len, g_object_unref);
  for (guint i = 0; i < children->len; i++)
    {
      guint32 c = g_array_index (children, guint32, i);
      g_ptr_array_add (items, scorch_function_item_new (profile, nodes[c].frame, c, self_counts[c], total[c]));
    }

  store = g_list_store_new (SCORCH_TYPE_FUNCTION_ITEM);
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  return G_LIST_MODEL (store);
}

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  ScorchFunctionItem *fitem = item;

  return dup_children (scorch_function_item_get_profile (fitem),
                       scorch_function_item_get_node (fitem));
}

static ScorchFunctionItem *
row_item (GtkTreeListRow *row)
{
  return row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
}

static void
selection_changed_cb (ScorchCallTreeView *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->selection);
  g_autoptr(ScorchFunctionItem) item = row_item (row);
  guint32 node = item != NULL ? scorch_function_item_get_node (item) : SCORCH_NODE_NONE;

  if (node != self->selected_node)
    {
      self->selected_node = node;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_NODE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_FRAME]);
    }
}

/* On the selected row's function: call-tree.copy-name (Ctrl+C) and
 * call-tree.copy-full-name (Ctrl+Shift+C) copy it, as shown or with its
 * full signature; call-tree.show-source (Ctrl+Enter) shows it in the
 * source view (the window's action). */
static void
selected_row_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ScorchCallTreeView *self = SCORCH_CALL_TREE_VIEW (widget);
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->selection);
  g_autoptr(ScorchFunctionItem) item = row_item (row);

  if (item == NULL)
    return;
  if (g_str_equal (action_name, "call-tree.show-source"))
    gtk_widget_activate_action (widget, "win.show-source", "u", scorch_function_item_get_frame (item));
  else
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                            g_str_equal (action_name, "call-tree.copy-full-name")
                              ? scorch_function_item_get_name (item)
                              : scorch_function_item_get_display_name (item));
}

static void
activate_cb (ScorchCallTreeView *self,
             guint               position)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);
  g_autoptr(ScorchFunctionItem) item = row_item (row);

  if (item != NULL)
    g_signal_emit (self, signals[NODE_ACTIVATED], 0, scorch_function_item_get_node (item));
}

static void
rebuild (ScorchCallTreeView *self)
{
  g_autoptr(GListModel) roots = NULL;

  self->selected_node = SCORCH_NODE_NONE;
  if (self->profile != NULL)
    roots = dup_children (self->profile, SCORCH_PROFILE_ROOT);
  if (roots == NULL)
    roots = G_LIST_MODEL (g_list_store_new (SCORCH_TYPE_FUNCTION_ITEM));

  g_clear_object (&self->tree_model);
  self->tree_model = gtk_tree_list_model_new (g_steal_pointer (&roots), FALSE, FALSE,
                                              create_child_model, NULL, NULL);
  gtk_sort_list_model_set_model (self->sort_model, G_LIST_MODEL (self->tree_model));

  /* Open the first levels of a single hot path, as people expect to see
   * where the time goes without clicking. */
  scorch_call_tree_view_expand_hot (self, 50.0);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_NODE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_FRAME]);
}

static void
scorch_call_tree_view_dispose (GObject *object)
{
  ScorchCallTreeView *self = SCORCH_CALL_TREE_VIEW (object);

  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_CALL_TREE_VIEW);

  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->tree_model);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (scorch_call_tree_view_parent_class)->dispose (object);
}

static void
scorch_call_tree_view_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ScorchCallTreeView *self = SCORCH_CALL_TREE_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_SELECTED_NODE:
      g_value_set_uint (value, self->selected_node);
      break;
    case PROP_SELECTED_FRAME:
      g_value_set_uint (value, scorch_call_tree_view_get_selected_frame (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_call_tree_view_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ScorchCallTreeView *self = SCORCH_CALL_TREE_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      scorch_call_tree_view_set_profile (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_NODE:
      scorch_call_tree_view_select_node (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const ScorchAppTemplateChild call_tree_view_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallTreeView, scrolled_window),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallTreeView, column_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallTreeView, function_column),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallTreeView, self_percent_column),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallTreeView, total_percent_column),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallTreeView, self_column),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallTreeView, total_column),
};

static const ScorchAppAction call_tree_view_actions[] = {
  { "call-tree.copy-name", selected_row_action },
  { "call-tree.copy-full-name", selected_row_action },
  { "call-tree.show-source", selected_row_action },
};

static void
scorch_call_tree_view_class_init (ScorchCallTreeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = scorch_call_tree_view_dispose;
  object_class->get_property = scorch_call_tree_view_get_property;
  object_class->set_property = scorch_call_tree_view_set_property;

  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SCORCH_TYPE_PROFILE, flags);
  properties[PROP_SELECTED_NODE] =
    g_param_spec_uint ("selected-node", NULL, NULL, 0, G_MAXUINT32, SCORCH_NODE_NONE, flags);
  properties[PROP_SELECTED_FRAME] =
    g_param_spec_uint ("selected-frame", NULL, NULL, 0, G_MAXUINT32, SCORCH_NODE_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ScorchCallTreeView::node-activated:
   * @node: the call tree node of the row
   */
  signals[NODE_ACTIVATED] =
    g_signal_new ("node-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  scorch_app_class_set_template (widget_class,
                                 call_tree_view_children, G_N_ELEMENTS (call_tree_view_children),
                                 call_tree_view_actions, G_N_ELEMENTS (call_tree_view_actions));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "call-tree.show-source", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "call-tree.copy-name", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "call-tree.copy-full-name", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "calltreeview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (SCORCH_TYPE_FUNCTION_ITEM);
}

static void
scorch_call_tree_view_init (ScorchCallTreeView *self)
{
  GtkSorter *row_sorter;

  self->selected_node = SCORCH_NODE_NONE;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The cells and count sorters of the hotspot table (scorch-list-util.c). */
  scorch_function_column_set_cell (self->function_column, SCORCH_FUNCTION_CELL_NAME, TRUE);
  scorch_function_column_set_cell (self->self_percent_column, SCORCH_FUNCTION_CELL_SELF_PERCENT, TRUE);
  scorch_function_column_set_cell (self->total_percent_column, SCORCH_FUNCTION_CELL_TOTAL_PERCENT, TRUE);
  scorch_function_column_set_cell (self->self_column, SCORCH_FUNCTION_CELL_SELF, TRUE);
  scorch_function_column_set_cell (self->total_column, SCORCH_FUNCTION_CELL_TOTAL, TRUE);

  row_sorter = GTK_SORTER (gtk_tree_list_row_sorter_new (g_object_ref (gtk_column_view_get_sorter (self->column_view))));
  self->sort_model = gtk_sort_list_model_new (NULL, row_sorter);
  self->selection = scorch_app_column_view_set_single_selection (self->column_view,
                                                                 g_object_ref (G_LIST_MODEL (self->sort_model)));

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->column_view, "activate",
                           G_CALLBACK (activate_cb), self, G_CONNECT_SWAPPED);

  gtk_column_view_sort_by_column (self->column_view, self->total_column, GTK_SORT_DESCENDING);
  rebuild (self);
}

GtkWidget *
scorch_call_tree_view_new (void)
{
  return g_object_new (SCORCH_TYPE_CALL_TREE_VIEW, NULL);
}

ScorchProfile *
scorch_call_tree_view_get_profile (ScorchCallTreeView *self)
{
  g_return_val_if_fail (SCORCH_IS_CALL_TREE_VIEW (self), NULL);

  return self->profile;
}

void
scorch_call_tree_view_set_profile (ScorchCallTreeView *self,
                                   ScorchProfile      *profile)
{
  g_return_if_fail (SCORCH_IS_CALL_TREE_VIEW (self));
  g_return_if_fail (profile == NULL || SCORCH_IS_PROFILE (profile));

  if (g_set_object (&self->profile, profile))
    {
      rebuild (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
    }
}

guint32
scorch_call_tree_view_get_selected_node (ScorchCallTreeView *self)
{
  g_return_val_if_fail (SCORCH_IS_CALL_TREE_VIEW (self), SCORCH_NODE_NONE);

  return self->selected_node;
}

guint32
scorch_call_tree_view_get_selected_frame (ScorchCallTreeView *self)
{
  const ScorchNode *nodes;

  g_return_val_if_fail (SCORCH_IS_CALL_TREE_VIEW (self), SCORCH_NODE_NONE);

  if (self->selected_node == SCORCH_NODE_NONE || self->profile == NULL)
    return SCORCH_NODE_NONE;
  nodes = scorch_profile_get_nodes (self->profile, NULL);
  return nodes[self->selected_node].frame;
}

/* Position of the row of NODE among the visible rows, or G_MAXUINT. */
static guint
find_row (ScorchCallTreeView *self,
          guint32             node,
          guint               from)
{
  GListModel *model = G_LIST_MODEL (self->sort_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = from; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(ScorchFunctionItem) item = row_item (row);

      if (item != NULL && scorch_function_item_get_node (item) == node)
        return i;
    }
  return G_MAXUINT;
}

void
scorch_call_tree_view_select_node (ScorchCallTreeView *self,
                                   guint32             node)
{
  g_autoptr(GArray) path = NULL;
  const ScorchNode *nodes;
  guint n_nodes = 0;
  guint position = 0;

  g_return_if_fail (SCORCH_IS_CALL_TREE_VIEW (self));

  if (self->profile == NULL || node == SCORCH_NODE_NONE || node == SCORCH_PROFILE_ROOT)
    {
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      return;
    }

  nodes = scorch_profile_get_nodes (self->profile, &n_nodes);
  g_return_if_fail (node < n_nodes);

  /* Root side first, then expand each ancestor on the way down. */
  path = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint32 n = node; n != SCORCH_PROFILE_ROOT && n != SCORCH_NODE_NONE; n = nodes[n].parent)
    g_array_prepend_val (path, n);

  for (guint i = 0; i < path->len; i++)
    {
      guint32 n = g_array_index (path, guint32, i);
      g_autoptr(GtkTreeListRow) row = NULL;

      position = find_row (self, n, position);
      if (position == G_MAXUINT)
        {
          gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
          return;
        }
      if (i + 1 < path->len)
        {
          row = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);
          gtk_tree_list_row_set_expanded (row, TRUE);
        }
    }

  gtk_single_selection_set_selected (self->selection, position);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
}

void
scorch_call_tree_view_expand_hot (ScorchCallTreeView *self,
                                  double              min_percent)
{
  GListModel *model;

  g_return_if_fail (SCORCH_IS_CALL_TREE_VIEW (self));

  model = G_LIST_MODEL (self->sort_model);
  /* Rows appear below an expanded row, so one forward pass reaches them;
   * the depth bound keeps a deep recursion from making thousands of rows. */
  for (guint i = 0; i < g_list_model_get_n_items (model) && i < 2000; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(ScorchFunctionItem) item = row_item (row);

      if (item != NULL &&
          gtk_tree_list_row_get_depth (row) < 64 &&
          scorch_function_item_get_total_percent (item) >= min_percent)
        gtk_tree_list_row_set_expanded (row, TRUE);
    }
}

GListModel *
scorch_call_tree_view_get_model (ScorchCallTreeView *self)
{
  g_return_val_if_fail (SCORCH_IS_CALL_TREE_VIEW (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}
