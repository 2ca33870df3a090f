/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-process-picker.c: a searchable list of running processes */

#include "config.h"

#define G_LOG_DOMAIN "scorch-process-picker"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-process-picker.h"
#include "scorch-list-util.h"

struct _ScorchProcessPicker
{
  AdwBin              parent_instance;

  /* template widgets */
  GtkSearchEntry     *search_entry;
  GtkColumnView      *column_view;

  /* owned */
  ScorchProcessList  *list;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkSingleSelection *selection;
  char               *search;
};

enum {
  PROP_0,
  PROP_SELECTED_PID,
  N_PROPS
};

enum {
  ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ScorchProcessPicker, scorch_process_picker, ADW_TYPE_BIN)

typedef enum
{
  COLUMN_NAME,
  COLUMN_PID,
  COLUMN_USER,
  COLUMN_CPU,
  COLUMN_COMMANDLINE,
} Column;

/* -- cells -- */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  gboolean numeric = column == COLUMN_PID || column == COLUMN_CPU;
  /* The columns have a fixed width or expand: no width of their own. */
  GtkWidget *label = scorch_list_text_cell_new (numeric ? 1.0f : 0.0f, 0, numeric);

  if (column == COLUMN_COMMANDLINE)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_item_set_child (list_item, label);
}

static void
update_cpu_label (ScorchProcessItem *item,
                  GParamSpec        *pspec,
                  GtkInscription    *label)
{
  char text[32];

  g_snprintf (text, sizeof text, "%.0f %%", scorch_process_item_get_cpu (item));
  gtk_inscription_set_text (label, text);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  ScorchProcessItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *label = GTK_INSCRIPTION (gtk_list_item_get_child (list_item));
  char text[32];

  switch (column)
    {
    case COLUMN_NAME:
      gtk_inscription_set_text (label, scorch_process_item_get_name (item));
      break;
    case COLUMN_PID:
      g_snprintf (text, sizeof text, "%d", scorch_process_item_get_pid (item));
      gtk_inscription_set_text (label, text);
      break;
    case COLUMN_USER:
      gtk_inscription_set_text (label, scorch_process_item_get_user (item));
      break;
    case COLUMN_CPU:
      update_cpu_label (item, NULL, label);
      g_signal_connect_object (item, "notify::cpu", G_CALLBACK (update_cpu_label), label, 0);
      break;
    case COLUMN_COMMANDLINE:
      gtk_inscription_set_text (label, scorch_process_item_get_commandline (item));
      gtk_widget_set_tooltip_text (GTK_WIDGET (label), scorch_process_item_get_commandline (item));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  ScorchProcessItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);

  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, update_cpu_label, label);
}

/* -- sorting and filtering -- */

/* The number a numeric COLUMN of ITEM shows. */
static double
column_number (ScorchProcessItem *item,
               Column             column)
{
  return column == COLUMN_CPU ? scorch_process_item_get_cpu (item) : scorch_process_item_get_pid (item);
}

/* USER_DATA: the Column (PID or CPU). */
static int
compare_number (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  double x = column_number ((ScorchProcessItem *) a, GPOINTER_TO_UINT (user_data));
  double y = column_number ((ScorchProcessItem *) b, GPOINTER_TO_UINT (user_data));

  return (x > y) - (x < y);
}

static int
compare_string (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const char *property = user_data;
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;

  g_object_get ((gpointer) a, property, &sa, NULL);
  g_object_get ((gpointer) b, property, &sb, NULL);
  return g_utf8_collate (sa ? sa : "", sb ? sb : "");
}

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_item (gpointer item,
             gpointer user_data)
{
  ScorchProcessPicker *self = user_data;
  ScorchProcessItem *process = item;
  char pid[16];

  if (self->search == NULL || self->search[0] == '\0')
    return TRUE;

  g_snprintf (pid, sizeof pid, "%d", scorch_process_item_get_pid (process));
  return g_str_has_prefix (pid, self->search) ||
         contains_casefold (scorch_process_item_get_name (process), self->search) ||
         contains_casefold (scorch_process_item_get_user (process), self->search) ||
         contains_casefold (scorch_process_item_get_commandline (process), self->search);
}

static void
search_changed (ScorchProcessPicker *self,
                GtkSearchEntry      *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_free (self->search);
  self->search = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
selection_changed (ScorchProcessPicker *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_PID]);
}

static void
list_refreshed (ScorchProcessPicker *self)
{
  /* CPU use changed in place: sort again (the selection follows its item). */
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

  if (sorter != NULL)
    gtk_sorter_changed (sorter, GTK_SORTER_CHANGE_DIFFERENT);
}

static void
row_activated (ScorchProcessPicker *self,
               guint                position,
               GtkColumnView       *view)
{
  g_signal_emit (self, signals[ACTIVATED], 0);
}

/* Refresh only while shown: reading /proc every second for a hidden
 * widget would be wasted work. */
static void
scorch_process_picker_map (GtkWidget *widget)
{
  ScorchProcessPicker *self = SCORCH_PROCESS_PICKER (widget);

  GTK_WIDGET_CLASS (scorch_process_picker_parent_class)->map (widget);
  scorch_process_list_set_running (self->list, TRUE);
}

static void
scorch_process_picker_unmap (GtkWidget *widget)
{
  ScorchProcessPicker *self = SCORCH_PROCESS_PICKER (widget);

  scorch_process_list_set_running (self->list, FALSE);
  GTK_WIDGET_CLASS (scorch_process_picker_parent_class)->unmap (widget);
}

static void
add_column (ScorchProcessPicker *self,
            const char          *title,
            Column               column,
            GtkSorter           *sorter,
            gboolean             expand,
            int                  fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), GUINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (col, sorter);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_append_column (self->column_view, col);
  if (column == COLUMN_CPU)
    gtk_column_view_sort_by_column (self->column_view, col, GTK_SORT_DESCENDING);
  g_object_unref (col);
  g_clear_object (&sorter);
}

static void
scorch_process_picker_dispose (GObject *object)
{
  ScorchProcessPicker *self = SCORCH_PROCESS_PICKER (object);

  if (self->list != NULL)
    scorch_process_list_set_running (self->list, FALSE);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_PROCESS_PICKER);

  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->list);

  G_OBJECT_CLASS (scorch_process_picker_parent_class)->dispose (object);
}

static void
scorch_process_picker_finalize (GObject *object)
{
  ScorchProcessPicker *self = SCORCH_PROCESS_PICKER (object);

  g_clear_pointer (&self->search, g_free);

  G_OBJECT_CLASS (scorch_process_picker_parent_class)->finalize (object);
}

static void
scorch_process_picker_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ScorchProcessPicker *self = SCORCH_PROCESS_PICKER (object);

  switch (prop_id)
    {
    case PROP_SELECTED_PID:
      g_value_set_int (value, scorch_process_picker_get_selected_pid (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const ScorchAppTemplateChild process_picker_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchProcessPicker, search_entry),
  SCORCH_APP_TEMPLATE_CHILD (ScorchProcessPicker, column_view),
};

static void
scorch_process_picker_class_init (ScorchProcessPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_process_picker_dispose;
  object_class->finalize = scorch_process_picker_finalize;
  object_class->get_property = scorch_process_picker_get_property;

  widget_class->map = scorch_process_picker_map;
  widget_class->unmap = scorch_process_picker_unmap;

  properties[PROP_SELECTED_PID] =
    g_param_spec_int ("selected-pid", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A row was double-clicked or Enter pressed on it: record it. */
  signals[ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  scorch_app_class_set_template (widget_class,
                                 process_picker_children, G_N_ELEMENTS (process_picker_children),
                                 NULL, 0);
}

static void
scorch_process_picker_init (ScorchProcessPicker *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->list = scorch_process_list_new ();
  self->filter = gtk_custom_filter_new (filter_item, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->list)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, _("Name"), COLUMN_NAME,
              GTK_SORTER (gtk_custom_sorter_new (compare_string, (gpointer) "name", NULL)), FALSE, 160);
  add_column (self, _("PID"), COLUMN_PID,
              GTK_SORTER (gtk_custom_sorter_new (compare_number, GUINT_TO_POINTER (COLUMN_PID), NULL)), FALSE, 70);
  add_column (self, _("User"), COLUMN_USER,
              GTK_SORTER (gtk_custom_sorter_new (compare_string, (gpointer) "user", NULL)), FALSE, 90);
  add_column (self, _("CPU"), COLUMN_CPU,
              GTK_SORTER (gtk_custom_sorter_new (compare_number, GUINT_TO_POINTER (COLUMN_CPU), NULL)), FALSE, 70);
  add_column (self, _("Command Line"), COLUMN_COMMANDLINE,
              GTK_SORTER (gtk_custom_sorter_new (compare_string, (gpointer) "commandline", NULL)), TRUE, -1);

  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (search_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->column_view, "activate",
                           G_CALLBACK (row_activated), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->list, "refreshed",
                           G_CALLBACK (list_refreshed), self, G_CONNECT_SWAPPED);

  scorch_process_list_update (self->list);
}

GtkWidget *
scorch_process_picker_new (void)
{
  return g_object_new (SCORCH_TYPE_PROCESS_PICKER, NULL);
}

int
scorch_process_picker_get_selected_pid (ScorchProcessPicker *self)
{
  ScorchProcessItem *item;

  g_return_val_if_fail (SCORCH_IS_PROCESS_PICKER (self), 0);

  item = gtk_single_selection_get_selected_item (self->selection);
  return item != NULL ? scorch_process_item_get_pid (item) : 0;
}

gboolean
scorch_process_picker_select_pid (ScorchProcessPicker *self,
                                  int                  pid)
{
  guint n;

  g_return_val_if_fail (SCORCH_IS_PROCESS_PICKER (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScorchProcessItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), i);

      if (scorch_process_item_get_pid (item) == pid)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

void
scorch_process_picker_set_search (ScorchProcessPicker *self,
                                  const char          *text)
{
  g_return_if_fail (SCORCH_IS_PROCESS_PICKER (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  /* Apply now rather than after the entry's delay. */
  search_changed (self, self->search_entry);
}

ScorchProcessList *
scorch_process_picker_get_list (ScorchProcessPicker *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_PICKER (self), NULL);
  return self->list;
}

guint
scorch_process_picker_get_n_visible (ScorchProcessPicker *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_PICKER (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}
