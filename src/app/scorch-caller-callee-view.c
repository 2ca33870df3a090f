/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-caller-callee-view.c: callers and callees of one function */

#include "config.h"

#define G_LOG_DOMAIN "scorch-caller-callee-view"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-caller-callee-view.h"
#include "scorch-function-item.h"
#include "scorch-list-util.h"
#include "scorch-text.h"

struct _ScorchCallerCalleeView
{
  GtkWidget           parent_instance;

  /* template widgets */
  GtkBox             *box;
  GtkLabel           *title_label;
  GtkPaned           *paned;
  GtkColumnView      *callers_view;
  GtkColumnView      *callees_view;
  GtkColumnViewColumn *callers_view_samples;
  GtkColumnViewColumn *callees_view_samples;

  /* owned */
  ScorchProfile      *profile;
  GListStore         *callers;
  GListStore         *callees;
  GtkSortListModel   *callers_sorted;
  GtkSortListModel   *callees_sorted;

  guint32             frame;
};

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_FRAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchCallerCalleeView, scorch_caller_callee_view, GTK_TYPE_WIDGET)

static void
fill (ScorchCallerCalleeView *self,
      GListStore             *store,
      GArray                 *pairs)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; pairs != NULL && i < pairs->len; i++)
    {
      const ScorchHotspot *h = &g_array_index (pairs, ScorchHotspot, i);
      g_ptr_array_add (items, scorch_function_item_new (self->profile, h->frame, SCORCH_NODE_NONE,
                                                        h->self, h->total));
    }
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       items->pdata, items->len);
}

static void
rebuild (ScorchCallerCalleeView *self)
{
  g_autoptr(GArray) callers = NULL;
  g_autoptr(GArray) callees = NULL;
  guint n_frames = 0;

  if (self->profile != NULL)
    scorch_profile_get_frames (self->profile, &n_frames);

  if (self->profile != NULL && self->frame < n_frames)
    {
      const ScorchFrame *f = scorch_profile_get_frame (self->profile, self->frame);
      g_autofree char *function = scorch_text_to_display (f->function);
      g_autofree char *shown = scorch_display_name (function, scorch_function_item_get_display_flags ());

      callers = scorch_profile_dup_callers (self->profile, self->frame);
      callees = scorch_profile_dup_callees (self->profile, self->frame);
      gtk_label_set_text (self->title_label, shown);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), function);
      gtk_widget_set_sensitive (GTK_WIDGET (self->paned), TRUE);
    }
  else
    {
      gtk_label_set_text (self->title_label, _("Select a function to see its callers and callees"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), NULL);
      gtk_widget_set_sensitive (GTK_WIDGET (self->paned), FALSE);
    }

  fill (self, self->callers, callers);
  fill (self, self->callees, callees);
}

static void
activate_in (ScorchCallerCalleeView *self,
             GListModel             *model,
             guint                   position)
{
  g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (model, position);

  if (item != NULL)
    scorch_caller_callee_view_set_frame (self, scorch_function_item_get_frame (item));
}

static void
callers_activate_cb (ScorchCallerCalleeView *self,
                     guint                   position)
{
  activate_in (self, G_LIST_MODEL (self->callers_sorted), position);
}

static void
callees_activate_cb (ScorchCallerCalleeView *self,
                     guint                   position)
{
  activate_in (self, G_LIST_MODEL (self->callees_sorted), position);
}

static void
scorch_caller_callee_view_dispose (GObject *object)
{
  ScorchCallerCalleeView *self = SCORCH_CALLER_CALLEE_VIEW (object);

  if (self->callers_view != NULL)
    gtk_column_view_set_model (self->callers_view, NULL);
  if (self->callees_view != NULL)
    gtk_column_view_set_model (self->callees_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_CALLER_CALLEE_VIEW);

  g_clear_object (&self->callers_sorted);
  g_clear_object (&self->callees_sorted);
  g_clear_object (&self->callers);
  g_clear_object (&self->callees);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (scorch_caller_callee_view_parent_class)->dispose (object);
}

static void
scorch_caller_callee_view_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ScorchCallerCalleeView *self = SCORCH_CALLER_CALLEE_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_FRAME:
      g_value_set_uint (value, self->frame);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_caller_callee_view_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ScorchCallerCalleeView *self = SCORCH_CALLER_CALLEE_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      scorch_caller_callee_view_set_profile (self, g_value_get_object (value));
      break;
    case PROP_FRAME:
      scorch_caller_callee_view_set_frame (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const ScorchAppTemplateChild caller_callee_view_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallerCalleeView, box),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallerCalleeView, title_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallerCalleeView, paned),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallerCalleeView, callers_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallerCalleeView, callees_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallerCalleeView, callers_view_samples),
  SCORCH_APP_TEMPLATE_CHILD (ScorchCallerCalleeView, callees_view_samples),
};

static void
scorch_caller_callee_view_class_init (ScorchCallerCalleeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = scorch_caller_callee_view_dispose;
  object_class->get_property = scorch_caller_callee_view_get_property;
  object_class->set_property = scorch_caller_callee_view_set_property;

  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SCORCH_TYPE_PROFILE, flags);
  properties[PROP_FRAME] =
    g_param_spec_uint ("frame", NULL, NULL, 0, G_MAXUINT32, SCORCH_NODE_NONE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  scorch_app_class_set_template (widget_class,
                                 caller_callee_view_children, G_N_ELEMENTS (caller_callee_view_children),
                                 NULL, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "callercalleeview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (SCORCH_TYPE_FUNCTION_ITEM);
}

static GtkSortListModel *
setup_list (ScorchCallerCalleeView *self,
            GtkColumnView          *view,
            GListStore             *store,
            GtkColumnViewColumn    *sort_column,
            GCallback               activate)
{
  /* The template's columns, in order: the hotspot table's cells. */
  static const ScorchFunctionCell cells[] = {
    SCORCH_FUNCTION_CELL_NAME,
    SCORCH_FUNCTION_CELL_TOTAL_PERCENT,
    SCORCH_FUNCTION_CELL_TOTAL,
  };
  GListModel *columns = gtk_column_view_get_columns (view);
  GtkSortListModel *sorted;
  GtkNoSelection *selection;

  g_assert (g_list_model_get_n_items (columns) == G_N_ELEMENTS (cells));
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      scorch_function_column_set_cell (column, cells[i], FALSE);
    }

  sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (store)),
                                    g_object_ref (gtk_column_view_get_sorter (view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (sorted)));
  gtk_column_view_set_model (view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_column_view_set_single_click_activate (view, FALSE);
  gtk_column_view_sort_by_column (view, sort_column, GTK_SORT_DESCENDING);
  g_signal_connect_object (view, "activate", activate, self, G_CONNECT_SWAPPED);
  return sorted;
}

static void
scorch_caller_callee_view_init (ScorchCallerCalleeView *self)
{
  self->frame = SCORCH_NODE_NONE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->callers = g_list_store_new (SCORCH_TYPE_FUNCTION_ITEM);
  self->callees = g_list_store_new (SCORCH_TYPE_FUNCTION_ITEM);
  self->callers_sorted = setup_list (self, self->callers_view, self->callers,
                                     self->callers_view_samples, G_CALLBACK (callers_activate_cb));
  self->callees_sorted = setup_list (self, self->callees_view, self->callees,
                                     self->callees_view_samples, G_CALLBACK (callees_activate_cb));
  rebuild (self);
}

GtkWidget *
scorch_caller_callee_view_new (void)
{
  return g_object_new (SCORCH_TYPE_CALLER_CALLEE_VIEW, NULL);
}

ScorchProfile *
scorch_caller_callee_view_get_profile (ScorchCallerCalleeView *self)
{
  g_return_val_if_fail (SCORCH_IS_CALLER_CALLEE_VIEW (self), NULL);

  return self->profile;
}

void
scorch_caller_callee_view_set_profile (ScorchCallerCalleeView *self,
                                       ScorchProfile          *profile)
{
  g_return_if_fail (SCORCH_IS_CALLER_CALLEE_VIEW (self));
  g_return_if_fail (profile == NULL || SCORCH_IS_PROFILE (profile));

  if (g_set_object (&self->profile, profile))
    {
      rebuild (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
    }
}

guint32
scorch_caller_callee_view_get_frame (ScorchCallerCalleeView *self)
{
  g_return_val_if_fail (SCORCH_IS_CALLER_CALLEE_VIEW (self), SCORCH_NODE_NONE);

  return self->frame;
}

void
scorch_caller_callee_view_set_frame (ScorchCallerCalleeView *self,
                                     guint32                 frame)
{
  g_return_if_fail (SCORCH_IS_CALLER_CALLEE_VIEW (self));

  if (self->frame == frame)
    return;
  self->frame = frame;
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
}

GListModel *
scorch_caller_callee_view_get_callers (ScorchCallerCalleeView *self)
{
  g_return_val_if_fail (SCORCH_IS_CALLER_CALLEE_VIEW (self), NULL);

  return G_LIST_MODEL (self->callers_sorted);
}

GListModel *
scorch_caller_callee_view_get_callees (ScorchCallerCalleeView *self)
{
  g_return_val_if_fail (SCORCH_IS_CALLER_CALLEE_VIEW (self), NULL);

  return G_LIST_MODEL (self->callees_sorted);
}
