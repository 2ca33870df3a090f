/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-thread-list.c: the threads of a capture, with check boxes
 *
 * Emits "changed" when the set of checked threads changes; the window
 * then re-filters the profile (scorch_profile_filter) for every view.
 */

#include "config.h"

#define G_LOG_DOMAIN "scorch-thread-list"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-list-util.h"
#include "scorch-thread-item.h"
#include "scorch-thread-list.h"

struct _ScorchThreadList
{
  GtkWidget            parent_instance;

  /* template widgets */
  GtkScrolledWindow   *scrolled_window;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *tid_column;
  GtkColumnViewColumn *samples_column;

  /* owned */
  ScorchProfile       *profile;
  GListStore          *store;
  GtkSortListModel    *sort_model;
  GtkSliceListModel   *slice_model;  /* the rows made so far (first fill) */
  ScorchListFill       fill;

  guint                in_bulk_change : 1;
};

/* The first fill (as the hotspot table's): a new profile's first frame
 * makes the rows the pane can show, the others come in an idle after it. */
#define FIRST_FILL_MIN_ROWS 8

/* The height of a thread row as last drawn (main thread), 0: none yet. */
static int row_height_seen;

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *profile_pspec;
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ScorchThreadList, scorch_thread_list, GTK_TYPE_WIDGET)

static void
item_active_cb (ScorchThreadList *self)
{
  if (!self->in_bulk_change)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
check_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ScorchThreadList         *self)
{
  GtkWidget *check = gtk_check_button_new ();

  gtk_list_item_set_child (list_item, check);
}

static void
check_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ScorchThreadList         *self)
{
  ScorchThreadItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *check = gtk_list_item_get_child (list_item);
  g_autofree char *label = NULL;
  GBinding *binding;

  binding = g_object_bind_property (item, "active", check, "active",
                                    G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_set_data (G_OBJECT (list_item), "scorch-binding", binding);

  /* Translators: accessible name of a thread's check box; %s is the thread name, %d its id */
  label = g_strdup_printf (_("Include thread %s (%d)"),
                           scorch_thread_item_get_name (item), scorch_thread_item_get_tid (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
check_unbind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 ScorchThreadList         *self)
{
  GBinding *binding = g_object_steal_data (G_OBJECT (list_item), "scorch-binding");

  if (binding != NULL)
    g_binding_unbind (binding);
}

/* -- the text cells: made and filled in C (a GtkBuilder template per
 * cell, with an expression watch per property, cost more than the rows
 * of a new capture's first frame); the name's tooltip is answered when
 * asked for, as gtk_widget_set_tooltip_text() asks the X server where the
 * pointer is on every bind -- */

typedef enum
{
  THREAD_CELL_NAME,
  THREAD_CELL_TID,
  THREAD_CELL_SAMPLES,
} ThreadCell;

static gboolean
name_query_tooltip_cb (GtkWidget   *widget,
                       int          x,
                       int          y,
                       gboolean     keyboard,
                       GtkTooltip  *tooltip,
                       GtkListItem *list_item)
{
  ScorchThreadItem *item = gtk_list_item_get_item (list_item);

  if (item == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, scorch_thread_item_get_name (item));
  return TRUE;
}

static void
text_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  data)
{
  ThreadCell cell = GPOINTER_TO_UINT (data);
  GtkWidget *child;

  /* GtkInscription's sizes (3 chars at least, 16, 6 or 9 wide), without
   * asking Pango for them on every measure (scorch_list_inscription_new). */
  if (cell == THREAD_CELL_NAME)
    {
      GtkWidget *text;

      child = scorch_list_inscription_new (0.0f, 3, 16, FALSE);
      text = GTK_WIDGET (scorch_list_inscription_get_text (child));
      gtk_widget_set_has_tooltip (text, TRUE);
      g_signal_connect_object (text, "query-tooltip", G_CALLBACK (name_query_tooltip_cb), list_item, 0);
    }
  else
    child = scorch_list_inscription_new (1.0f, 3, cell == THREAD_CELL_TID ? 6 : 9, TRUE);
  gtk_list_item_set_child (list_item, child);
}

static void
text_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  data)
{
  ThreadCell cell = GPOINTER_TO_UINT (data);
  ScorchThreadItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *text = scorch_list_inscription_get_text (gtk_list_item_get_child (list_item));
  g_autofree char *value = NULL;

  if (cell == THREAD_CELL_NAME)
    {
      gtk_inscription_set_text (text, scorch_thread_item_get_name (item));
      return;
    }
  /* The item's texts, as formatted for every view. */
  g_object_get (item, cell == THREAD_CELL_TID ? "tid-text" : "samples-text", &value, NULL);
  gtk_inscription_set_text (text, value);
}

static void
set_text_factory (GtkColumnViewColumn *column,
                  ThreadCell           cell)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (text_setup_cb), GUINT_TO_POINTER (cell));
  g_signal_connect (factory, "bind", G_CALLBACK (text_bind_cb), GUINT_TO_POINTER (cell));
  gtk_column_view_column_set_factory (column, factory);
}

/* Once the first rows are drawn, the others all at once
 * (scorch_list_fill_init, in _init). */
static void
scorch_thread_list_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  ScorchThreadList *self = SCORCH_THREAD_LIST (widget);

  GTK_WIDGET_CLASS (scorch_thread_list_parent_class)->snapshot (widget, snapshot);
  scorch_list_fill_snapshot (&self->fill, scorch_list_drawn_row_height (self->column_view));
}

/* Rows as high as last drawn, or a line and a half before any (a row is
 * a line and the cell's padding: 30 px for a 16 px line with Adwaita, so
 * too many rows rather than too few), as many as the pane is high, or a
 * quarter of the window before the pane has a size (the window gives it
 * less: the graph and the table take the most). Counting rows of a line
 * made 13 rows for the 3 a new window's pane shows, each a check button
 * and three texts to make, style, measure and draw in the first frame. */
static guint
first_fill_rows (ScorchThreadList *self)
{
  int row = row_height_seen;

  if (row <= 0)
    row = scorch_function_cell_line_height (GTK_WIDGET (self)) * 3 / 2;
  return scorch_list_first_fill_rows (GTK_WIDGET (self), row, FIRST_FILL_MIN_ROWS);
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  scorch_thread_list_select_only (SCORCH_THREAD_LIST (widget), -1);
}

static void
scorch_thread_list_dispose (GObject *object)
{
  ScorchThreadList *self = SCORCH_THREAD_LIST (object);

  scorch_list_fill_clear (&self->fill);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_THREAD_LIST);

  g_clear_object (&self->slice_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->store);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (scorch_thread_list_parent_class)->dispose (object);
}

static const ScorchAppTemplateChild thread_list_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchThreadList, scrolled_window),
  SCORCH_APP_TEMPLATE_CHILD (ScorchThreadList, column_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchThreadList, name_column),
  SCORCH_APP_TEMPLATE_CHILD (ScorchThreadList, tid_column),
  SCORCH_APP_TEMPLATE_CHILD (ScorchThreadList, samples_column),
};

static void
scorch_thread_list_class_init (ScorchThreadListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_thread_list_dispose;
  widget_class->snapshot = scorch_thread_list_snapshot;

  profile_pspec = scorch_app_class_install_profile_property (object_class, G_STRUCT_OFFSET (ScorchThreadList, profile),
                                                             (ScorchAppProfileSetter) scorch_thread_list_set_profile);

  /**
   * ScorchThreadList::changed:
   *
   * The set of checked threads changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  scorch_app_class_set_template (widget_class,
                                 thread_list_children, G_N_ELEMENTS (thread_list_children),
                                 NULL, 0);
  gtk_widget_class_bind_template_callback (widget_class, check_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_unbind_cb);

  gtk_widget_class_install_action (widget_class, "threads.select-all", NULL, select_all_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "threadlist");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (SCORCH_TYPE_THREAD_ITEM);
}

static void
scorch_thread_list_init (ScorchThreadList *self)
{
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));
  set_text_factory (self->name_column, THREAD_CELL_NAME);
  set_text_factory (self->tid_column, THREAD_CELL_TID);
  set_text_factory (self->samples_column, THREAD_CELL_SAMPLES);

  self->store = g_list_store_new (SCORCH_TYPE_THREAD_ITEM);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->slice_model = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)), 0, G_MAXUINT);
  scorch_list_fill_init (&self->fill, GTK_WIDGET (self), scorch_list_fill_grow_slice, self->slice_model,
                         G_MAXUINT, &row_height_seen);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->slice_model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_column_view_sort_by_column (self->column_view, self->samples_column, GTK_SORT_DESCENDING);
}

GtkWidget *
scorch_thread_list_new (void)
{
  return g_object_new (SCORCH_TYPE_THREAD_LIST, NULL);
}

ScorchProfile *
scorch_thread_list_get_profile (ScorchThreadList *self)
{
  g_return_val_if_fail (SCORCH_IS_THREAD_LIST (self), NULL);

  return self->profile;
}

void
scorch_thread_list_set_profile (ScorchThreadList *self,
                                ScorchProfile    *profile)
{
  g_autoptr(GPtrArray) items = NULL;
  guint first;

  g_return_if_fail (SCORCH_IS_THREAD_LIST (self));

  if (!scorch_app_set_profile (&self->profile, profile))
    return;
  scorch_app_trace_mark ("pre-threads");

  items = g_ptr_array_new_with_free_func (g_object_unref);
  if (profile != NULL)
    {
      guint n_threads = 0;
      const ScorchThread *threads = scorch_profile_get_threads (profile, &n_threads);

      for (guint i = 0; i < n_threads; i++)
        {
          ScorchThreadItem *item = scorch_thread_item_new (threads[i].pid, threads[i].tid,
                                                           threads[i].name, threads[i].n_samples);

          g_signal_connect_object (item, "notify::active",
                                   G_CALLBACK (item_active_cb), self, G_CONNECT_SWAPPED);
          g_ptr_array_add (items, item);
        }
    }
  first = first_fill_rows (self);
  if (items->len > first)
    {
      gtk_slice_list_model_set_size (self->slice_model, first);
      scorch_list_fill_begin (&self->fill);
    }
  else
    scorch_list_fill_all (&self->fill);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);

  g_object_notify_by_pspec (G_OBJECT (self), profile_pspec);
  scorch_app_trace_mark ("threads");
}

GArray *
scorch_thread_list_dup_selected_tids (ScorchThreadList *self)
{
  GListModel *model;
  GArray *tids;
  guint n;

  g_return_val_if_fail (SCORCH_IS_THREAD_LIST (self), NULL);

  model = G_LIST_MODEL (self->store);
  n = g_list_model_get_n_items (model);
  tids = g_array_new (FALSE, FALSE, sizeof (gint32));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScorchThreadItem) item = g_list_model_get_item (model, i);

      if (scorch_thread_item_get_active (item))
        {
          gint32 tid = scorch_thread_item_get_tid (item);
          g_array_append_val (tids, tid);
        }
    }

  if (tids->len == n)
    g_clear_pointer (&tids, g_array_unref);
  return tids;
}

/* Checks the threads whose tid (or pid) is id, all of them when id is -1,
 * and unchecks the others: one "changed" for the whole change, not one per
 * thread. */
static void
select_matching (ScorchThreadList *self,
                 gint32            id,
                 gboolean          by_pid)
{
  GListModel *model = G_LIST_MODEL (self->store);
  guint n = g_list_model_get_n_items (model);

  self->in_bulk_change = TRUE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScorchThreadItem) item = g_list_model_get_item (model, i);
      gint32 item_id = by_pid ? scorch_thread_item_get_pid (item) : scorch_thread_item_get_tid (item);

      scorch_thread_item_set_active (item, id == -1 || item_id == id);
    }
  self->in_bulk_change = FALSE;

  g_signal_emit (self, signals[CHANGED], 0);
}

void
scorch_thread_list_select_only (ScorchThreadList *self,
                                gint32            tid)
{
  g_return_if_fail (SCORCH_IS_THREAD_LIST (self));

  select_matching (self, tid, FALSE);
}

/* reach: the process list filters by process, then the threads by thread */
void
scorch_thread_list_select_process (ScorchThreadList *self,
                                   gint32            pid)
{
  g_return_if_fail (SCORCH_IS_THREAD_LIST (self));

  select_matching (self, pid, TRUE);
}

void
scorch_thread_list_set_thread_active (ScorchThreadList *self,
                                      gint32            tid,
                                      gboolean          active)
{
  GListModel *model;
  guint n;

  g_return_if_fail (SCORCH_IS_THREAD_LIST (self));

  model = G_LIST_MODEL (self->store);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScorchThreadItem) item = g_list_model_get_item (model, i);

      if (scorch_thread_item_get_tid (item) == tid)
        scorch_thread_item_set_active (item, active);
    }
}

GListModel *
scorch_thread_list_get_model (ScorchThreadList *self)
{
  g_return_val_if_fail (SCORCH_IS_THREAD_LIST (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}
