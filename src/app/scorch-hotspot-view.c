/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-hotspot-view.c: the table of the hottest functions
 *
 * A ScorchHotspotModel (one row per function of the profile, its item
 * made when first asked for) goes through a GtkFilterListModel (the
 * search), a GtkSortListModel (the column view's sorter) and a
 * GtkSliceListModel (the first fill, below) into a GtkSingleSelection.
 *
 * The profile's hotspots are sorted by self already, the table's default
 * order: while the column view is sorted by self (or self %), descending,
 * on one column (as set here, not by a click on a header, whose sort
 * GTK 4.8 does not tell), the sort model has no sorter, and with no
 * search the filter model no filter; both then pass rows through, and
 * opening a capture makes the items of the rows shown only. Any other
 * sort or a search gives them the column view's sorter and the search
 * filter, which ask for every item: the same rows in the same order
 * (the sorts are stable over the hotspot order).
 *
 * The first fill: GTK 4.8's list views make 200 rows around their anchor,
 * whatever the height of the window. A new profile shows as many rows as
 * the window's height could hold (first_fill_rows) in its first frame;
 * once that is drawn, the slice grows by FILL_STEP_ROWS rows per
 * low-priority idle until it holds every row. The rows nobody sees yet
 * cost nothing before the profile is on screen, and the rest never blocks
 * input or a frame for long. Positions in the slice are those of the
 * sorted model; a row selected beyond the slice opens it at once.
 */

#include "config.h"

#define G_LOG_DOMAIN "scorch-hotspot-view"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-function-item.h"
#include "scorch-hotspot-model.h"
#include "scorch-hotspot-view.h"
#include "scorch-list-util.h"

#define FIRST_FILL_ROWS 64
#define FILL_STEP_ROWS  32
#define FILL_MAX_ROWS   256  /* GTK 4.8 makes 200 rows at the most */

/* The height of a table row as last drawn (main thread), 0: none yet. */
static int row_height_seen;

struct _ScorchHotspotView
{
  GtkWidget            parent_instance;

  /* template widgets */
  GtkScrolledWindow   *scrolled_window;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *columns[SCORCH_N_HOTSPOT_COLUMNS];  /* the template's, in order */
  GMenuModel          *context_menu;
  GtkPopover          *popover;       /* the context menu, made on first use */
  double               menu_x;        /* where the right button went down, -1: not */
  double               menu_y;

  /* owned */
  ScorchProfile       *profile;
  ScorchHotspotModel  *hotspots;
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filter_model;
  GtkSortListModel    *sort_model;
  GtkSliceListModel   *slice_model;  /* the rows made so far (first fill) */
  GtkSingleSelection  *selection;
  char                *search_text;
  ScorchSearch        *search;     /* NULL: every row */

  ScorchListFill       fill;         /* growing the slice after the first frame */
  guint32              selected_frame;
  guint                rebuilding : 1;
  guint                sorting : 1;      /* sort_by is setting the column view's sort */
  guint                sorted_by_self : 1; /* the sort is the hotspot order (above) */
  guint                use_regex : 1;
  guint                case_sensitive : 1;
};

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_SEARCH_TEXT,
  PROP_USE_REGEX,
  PROP_CASE_SENSITIVE,
  PROP_SEARCH,
  PROP_SELECTED_FRAME,
  N_PROPS
};

enum {
  FUNCTION_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ScorchHotspotView, scorch_hotspot_view, GTK_TYPE_WIDGET)

/* -- filtering -- */

/* The session's ScorchSearch (or one built from the text properties): an
 * invalid expression matches nothing here as in the graphs, never the text
 * as it is. */
static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  ScorchHotspotView *self = user_data;

  if (self->search == NULL)
    return TRUE;
  return scorch_search_match (self->search, scorch_function_item_get_name (item));
}

static void
apply_search (ScorchHotspotView *self,
              ScorchSearch      *search)
{
  const char *text = search != NULL ? scorch_search_get_pattern (search) : NULL;
  gboolean use_regex = search != NULL && scorch_search_get_mode (search) == SCORCH_SEARCH_REGEX;
  gboolean case_sensitive = search != NULL && scorch_search_get_case_sensitive (search);

  if (search != NULL && scorch_search_is_empty (search))
    search = NULL;
  if (search != NULL)
    scorch_search_ref (search);
  g_clear_pointer (&self->search, scorch_search_unref);
  self->search = search;
  /* No search: rows pass through, none is asked for. */
  if (search == NULL)
    gtk_filter_list_model_set_filter (self->filter_model, NULL);
  else if (gtk_filter_list_model_get_filter (self->filter_model) == NULL)
    gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);

  g_object_freeze_notify (G_OBJECT (self));
  if (search != NULL && g_strcmp0 (text, self->search_text) != 0)
    {
      g_free (self->search_text);
      self->search_text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
    }
  else if (search == NULL && self->search_text != NULL)
    {
      g_clear_pointer (&self->search_text, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
    }
  if (search != NULL && (guint) use_regex != self->use_regex)
    {
      self->use_regex = use_regex;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USE_REGEX]);
    }
  if (search != NULL && (guint) case_sensitive != self->case_sensitive)
    {
      self->case_sensitive = case_sensitive;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CASE_SENSITIVE]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The text properties, for callers without a session: one search made
 * of them (apply_search keeps the text and says what changed). */
static void
set_search_fields (ScorchHotspotView *self,
                   const char        *text,
                   gboolean           use_regex,
                   gboolean           case_sensitive)
{
  g_autoptr(ScorchSearch) search = NULL;

  if (text != NULL && text[0] == '\0')
    text = NULL;
  use_regex = !!use_regex;
  case_sensitive = !!case_sensitive;
  if (g_strcmp0 (text, self->search_text) == 0 &&
      (guint) use_regex == self->use_regex && (guint) case_sensitive == self->case_sensitive)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if ((guint) use_regex != self->use_regex)
    {
      self->use_regex = use_regex;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USE_REGEX]);
    }
  if ((guint) case_sensitive != self->case_sensitive)
    {
      self->case_sensitive = case_sensitive;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CASE_SENSITIVE]);
    }
  search = scorch_search_new_for_query (text, use_regex, case_sensitive);
  apply_search (self, search);
  g_object_thaw_notify (G_OBJECT (self));
}

/* -- selection -- */

/* GtkColumnView has no scroll_to before GTK 4.12: its inner list view has
 * the "list.scroll-to-item" action. */
static void
scroll_to_position (GtkColumnView *column_view,
                    guint          position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        {
          gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
          return;
        }
    }
}

static guint
find_position (ScorchHotspotView *self,
               guint32            frame)
{
  GListModel *model = G_LIST_MODEL (self->sort_model);
  guint n = g_list_model_get_n_items (model);

  /* Rows passed through: the hotspot order, no item made. */
  if (gtk_sort_list_model_get_sorter (self->sort_model) == NULL &&
      gtk_filter_list_model_get_filter (self->filter_model) == NULL)
    {
      guint position = scorch_hotspot_model_find_frame (self->hotspots, frame);

      return position != G_MAXUINT ? position : GTK_INVALID_LIST_POSITION;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (model, i);

      if (scorch_function_item_get_frame (item) == frame)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
selection_changed_cb (ScorchHotspotView *self)
{
  ScorchFunctionItem *item = gtk_single_selection_get_selected_item (self->selection);
  guint32 frame = item != NULL ? scorch_function_item_get_frame (item) : SCORCH_NODE_NONE;

  /* While the rows are replaced, the selection is briefly empty: that is
   * no change of the selected function. */
  if (self->rebuilding)
    return;
  if (frame != self->selected_frame)
    {
      self->selected_frame = frame;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_FRAME]);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hotspots.activate", item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hotspots.copy-name", item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hotspots.copy-full-name", item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hotspots.show-in-flame-graph", item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hotspots.show-callers", item != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hotspots.show-source", item != NULL);
}

static void
activate_cb (ScorchHotspotView *self,
             guint              position)
{
  g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);

  if (item != NULL)
    g_signal_emit (self, signals[FUNCTION_ACTIVATED], 0, scorch_function_item_get_frame (item));
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (widget);
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position != GTK_INVALID_LIST_POSITION)
    activate_cb (self, position);
}

/* -- context menu -- */

static ScorchFunctionItem *
selected_item (ScorchHotspotView *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
copy_text (ScorchHotspotView *self,
           const char        *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
copy_name_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (widget);
  ScorchFunctionItem *item = selected_item (self);

  if (item != NULL)
    copy_text (self, scorch_function_item_get_display_name (item));
}

static void
copy_full_name_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (widget);
  ScorchFunctionItem *item = selected_item (self);

  if (item != NULL)
    copy_text (self, scorch_function_item_get_name (item));
}

/* "Show in Flame Graph" and "Show Callers" are the window's: the row's
 * function goes with them. */
static void
forward_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (widget);
  ScorchFunctionItem *item = selected_item (self);
  const char *target = g_str_equal (action_name, "hotspots.show-callers") ? "win.show-callers"
                     : g_str_equal (action_name, "hotspots.show-source") ? "win.show-source"
                                                                          : "win.show-in-flame-graph";

  if (item != NULL)
    gtk_widget_activate_action (widget, target, "u", scorch_function_item_get_frame (item));
}

/* -- transforms: the row's function (or module) to win.push-transform -- */
static void
transform_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (widget);
  ScorchFunctionItem *item = selected_item (self);
  const char *kind = g_variant_get_string (parameter, NULL);
  const ScorchFrame *frame;
  const char *arg;
  const char *args[2] = { NULL, NULL };

  if (item == NULL || scorch_function_item_get_profile (item) == NULL)
    return;
  /* The raw names (the row shows them made safe for display). */
  frame = scorch_profile_get_frame (scorch_function_item_get_profile (item), scorch_function_item_get_frame (item));
  arg = g_str_equal (kind, "merge-module") ? frame->module : frame->function;
  if (arg == NULL || arg[0] == '\0')
    return;
  args[0] = arg;
  gtk_widget_activate_action (widget, "win.push-transform", "(s^as)", kind, args);
}

static void
popup_menu (ScorchHotspotView *self,
            double             x,
            double             y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  if (self->popover == NULL)
    {
      self->popover = GTK_POPOVER (gtk_popover_menu_new_from_model (self->context_menu));
      gtk_widget_set_parent (GTK_WIDGET (self->popover), GTK_WIDGET (self));
      gtk_popover_set_has_arrow (self->popover, FALSE);
      gtk_widget_set_halign (GTK_WIDGET (self->popover), GTK_ALIGN_START);
    }
  gtk_popover_set_pointing_to (self->popover, &rect);
  gtk_popover_popup (self->popover);
}

static void
context_click_cb (ScorchHotspotView *self,
                  int                n_press,
                  double             x,
                  double             y,
                  GtkGestureClick   *gesture)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  if (picked == NULL)
    return;
  /* The row under the pointer becomes the selected row: every item of
   * the menu acts on it. A cell's list item has the "listitem.select"
   * action (GTK 4.8 has no public row widget). */
  if (!gtk_widget_activate_action (picked, "listitem.select", "(bb)", FALSE, FALSE) ||
      selected_item (self) == NULL)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->menu_x = x;
  self->menu_y = y;
}

/* The menu opens when the button is released: opened while it is down,
 * the popover would get the release (GTK 4.8 then loses count of the
 * pressed widgets). */
static void
context_release_cb (ScorchHotspotView *self,
                    int                n_press,
                    double             x,
                    double             y,
                    GtkGestureClick   *gesture)
{
  if (self->menu_x < 0 || selected_item (self) == NULL)
    return;
  popup_menu (self, self->menu_x, self->menu_y);
  self->menu_x = self->menu_y = -1;
}

static void
context_menu_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (widget);

  if (selected_item (self) != NULL)
    popup_menu (self, gtk_widget_get_width (widget) / 3.0, gtk_widget_get_height (widget) / 3.0);
}

/* -- sorting -- */

/* The sort model sorts unless the rows are in the hotspot order already. */
static void
update_sorter (ScorchHotspotView *self)
{
  GtkSorter *sorter;

  /* disposed */
  if (self->column_view == NULL || self->sort_model == NULL)
    return;
  sorter = self->sorted_by_self ? NULL : gtk_column_view_get_sorter (self->column_view);
  if (gtk_sort_list_model_get_sorter (self->sort_model) != sorter)
    gtk_sort_list_model_set_sorter (self->sort_model, sorter);
}

/* A click on a column's header: from now on the column view's sorter
 * sorts (GTK 4.8 cannot say which columns it sorts by). */
static void
sort_changed_cb (ScorchHotspotView *self)
{
  if (self->sorting)
    return;
  self->sorted_by_self = FALSE;
  update_sorter (self);
}

/* -- the first fill -- */

/* Once the first rows are drawn, the slice grows by FILL_STEP_ROWS per
 * idle (scorch_list_fill_init, in _init). */
static void
scorch_hotspot_view_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (widget);

  GTK_WIDGET_CLASS (scorch_hotspot_view_parent_class)->snapshot (widget, snapshot);
  scorch_list_fill_snapshot (&self->fill, scorch_list_drawn_row_height (self->column_view));
}

/* As many rows as the table can show: the window's height (the table is
 * never higher) over the height of a row; FIRST_FILL_ROWS before the
 * window has a size. A row is a line of text and the cell's padding: as
 * seen on the last first fill, or a line and a half before any (less than
 * the theme's padding: too many rows rather than too few). */
static guint
first_fill_rows (ScorchHotspotView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  int height = root != NULL ? gtk_widget_get_height (GTK_WIDGET (root)) : 0;
  int row = row_height_seen;

  if (row <= 0)
    row = scorch_function_cell_line_height (GTK_WIDGET (self)) * 3 / 2;
  if (height <= 0 || row <= 0)
    return FIRST_FILL_ROWS;
  return CLAMP (height / row + 2, 16, FILL_MAX_ROWS);
}

/* Before new rows: only the first ones are made now. */
static void
start_first_fill (ScorchHotspotView *self,
                  guint              n_rows)
{
  guint first = first_fill_rows (self);

  if (n_rows <= first)
    {
      scorch_list_fill_all (&self->fill);
      return;
    }
  gtk_slice_list_model_set_size (self->slice_model, first);
  scorch_list_fill_begin (&self->fill);
}

/* -- model -- */

static void
rebuild (ScorchHotspotView *self)
{
  guint32 keep = self->selected_frame;
  guint n_hotspots = 0;

  if (self->profile != NULL)
    scorch_profile_get_hotspots (self->profile, &n_hotspots);

  self->rebuilding = TRUE;
  start_first_fill (self, n_hotspots);
  scorch_app_trace_mark ("hs-first-fill");
  scorch_hotspot_model_set_profile (self->hotspots, self->profile);
  scorch_app_trace_mark ("hs-splice");
  self->rebuilding = FALSE;

  /* Keep the selected function selected when the view is re-filtered. */
  scorch_hotspot_view_set_selected_frame (self, keep);
}

/* -- GObject -- */

static void
scorch_hotspot_view_dispose (GObject *object)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (object);

  scorch_list_fill_clear (&self->fill);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  if (self->popover != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->popover));
  self->popover = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_HOTSPOT_VIEW);

  g_clear_object (&self->selection);
  g_clear_object (&self->slice_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->hotspots);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (scorch_hotspot_view_parent_class)->dispose (object);
}

static void
scorch_hotspot_view_finalize (GObject *object)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (object);

  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->search, scorch_search_unref);

  G_OBJECT_CLASS (scorch_hotspot_view_parent_class)->finalize (object);
}

static void
scorch_hotspot_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;
    case PROP_USE_REGEX:
      g_value_set_boolean (value, self->use_regex);
      break;
    case PROP_CASE_SENSITIVE:
      g_value_set_boolean (value, self->case_sensitive);
      break;
    case PROP_SEARCH:
      g_value_set_boxed (value, self->search);
      break;
    case PROP_SELECTED_FRAME:
      g_value_set_uint (value, self->selected_frame);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_hotspot_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ScorchHotspotView *self = SCORCH_HOTSPOT_VIEW (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      scorch_hotspot_view_set_profile (self, g_value_get_object (value));
      break;
    case PROP_SEARCH_TEXT:
      scorch_hotspot_view_set_search_text (self, g_value_get_string (value));
      break;
    case PROP_USE_REGEX:
      scorch_hotspot_view_set_use_regex (self, g_value_get_boolean (value));
      break;
    case PROP_CASE_SENSITIVE:
      scorch_hotspot_view_set_case_sensitive (self, g_value_get_boolean (value));
      break;
    case PROP_SEARCH:
      scorch_hotspot_view_set_search (self, g_value_get_boxed (value));
      break;
    case PROP_SELECTED_FRAME:
      scorch_hotspot_view_set_selected_frame (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const ScorchAppTemplateChild hotspot_view_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchHotspotView, scrolled_window),
  SCORCH_APP_TEMPLATE_CHILD (ScorchHotspotView, column_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchHotspotView, context_menu),
};

static const ScorchAppAction hotspot_view_actions[] = {
  { "hotspots.activate", activate_action },
  { "hotspots.copy-name", copy_name_action },
  { "hotspots.copy-full-name", copy_full_name_action },
  { "hotspots.show-in-flame-graph", forward_action },
  { "hotspots.show-callers", forward_action },
  { "hotspots.show-source", forward_action },
};

static void
scorch_hotspot_view_class_init (ScorchHotspotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = scorch_hotspot_view_dispose;
  object_class->finalize = scorch_hotspot_view_finalize;
  object_class->get_property = scorch_hotspot_view_get_property;
  object_class->set_property = scorch_hotspot_view_set_property;
  widget_class->snapshot = scorch_hotspot_view_snapshot;

  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SCORCH_TYPE_PROFILE, flags);
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, NULL, flags);
  properties[PROP_USE_REGEX] =
    g_param_spec_boolean ("use-regex", NULL, NULL, FALSE, flags);
  properties[PROP_CASE_SENSITIVE] =
    g_param_spec_boolean ("case-sensitive", NULL, NULL, FALSE, flags);
  properties[PROP_SEARCH] =
    g_param_spec_boxed ("search", NULL, NULL, SCORCH_TYPE_SEARCH, flags);
  properties[PROP_SELECTED_FRAME] =
    g_param_spec_uint ("selected-frame", NULL, NULL, 0, G_MAXUINT32, SCORCH_NODE_NONE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ScorchHotspotView::function-activated:
   * @frame: the frame id of the row
   *
   * A row was activated (double click, Enter): the window zooms the flame
   * graph to the function's hottest frame.
   */
  signals[FUNCTION_ACTIVATED] =
    g_signal_new ("function-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  scorch_app_class_set_template (widget_class,
                                 hotspot_view_children, G_N_ELEMENTS (hotspot_view_children),
                                 hotspot_view_actions, G_N_ELEMENTS (hotspot_view_actions));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "hotspots.show-source", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "hotspots.show-source", NULL);
  gtk_widget_class_install_action (widget_class, "hotspots.context-menu", NULL, context_menu_action);
  /* -- transforms -- */
  gtk_widget_class_install_action (widget_class, "hotspots.transform", "s", transform_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "hotspots.copy-name", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "hotspots.copy-full-name", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "hotspots.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "hotspots.context-menu", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "hotspotview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  g_type_ensure (SCORCH_TYPE_FUNCTION_ITEM);
}

/* The table's columns are the function cells', in the same order. */
G_STATIC_ASSERT ((int) SCORCH_HOTSPOT_COLUMN_FUNCTION == (int) SCORCH_FUNCTION_CELL_NAME);
G_STATIC_ASSERT ((int) SCORCH_HOTSPOT_COLUMN_SELF_PERCENT == (int) SCORCH_FUNCTION_CELL_SELF_PERCENT);
G_STATIC_ASSERT ((int) SCORCH_HOTSPOT_COLUMN_TOTAL_PERCENT == (int) SCORCH_FUNCTION_CELL_TOTAL_PERCENT);
G_STATIC_ASSERT ((int) SCORCH_HOTSPOT_COLUMN_SELF == (int) SCORCH_FUNCTION_CELL_SELF);
G_STATIC_ASSERT ((int) SCORCH_HOTSPOT_COLUMN_TOTAL == (int) SCORCH_FUNCTION_CELL_TOTAL);
G_STATIC_ASSERT ((int) SCORCH_HOTSPOT_COLUMN_MODULE == (int) SCORCH_FUNCTION_CELL_MODULE);
G_STATIC_ASSERT ((int) SCORCH_HOTSPOT_COLUMN_SOURCE == (int) SCORCH_FUNCTION_CELL_SOURCE);

/* The cells are made in C (scorch-list-util.c: no template per cell, a
 * size from the font instead of measured text) and the count columns sort
 * with C comparisons (equal counts keep the profile's order). */
static void
set_cells (ScorchHotspotView *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  g_assert (g_list_model_get_n_items (columns) == SCORCH_N_HOTSPOT_COLUMNS);
  for (guint i = 0; i < SCORCH_N_HOTSPOT_COLUMNS; i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      self->columns[i] = column;  /* owned by the column view */
      scorch_function_column_set_cell (column, i, FALSE);
    }
}

static void
scorch_hotspot_view_init (ScorchHotspotView *self)
{
  self->selected_frame = SCORCH_NODE_NONE;
  self->menu_x = self->menu_y = -1;

  gtk_widget_init_template (GTK_WIDGET (self));
  set_cells (self);

  self->hotspots = scorch_hotspot_model_new ();
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  /* No filter and no sorter until a search or a sort other than the
   * hotspot order (sort_changed_cb) */
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->hotspots)), NULL);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)), NULL);
  self->slice_model = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)), 0, G_MAXUINT);
  scorch_list_fill_init (&self->fill, GTK_WIDGET (self), scorch_list_fill_grow_slice, self->slice_model,
                         FILL_STEP_ROWS, &row_height_seen);
  self->selection = scorch_app_column_view_set_single_selection (self->column_view,
                                                                 g_object_ref (G_LIST_MODEL (self->slice_model)));

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->column_view, "activate",
                           G_CALLBACK (activate_cb), self, G_CONNECT_SWAPPED);

  /* After the sort model's own handler, when it has the sorter (a sorter
   * given to it in this emission then sorts once). */
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  scorch_hotspot_view_sort_by (self, SCORCH_HOTSPOT_COLUMN_SELF, GTK_SORT_DESCENDING);

  {
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect_object (click, "pressed", G_CALLBACK (context_click_cb), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (click, "released", G_CALLBACK (context_release_cb), self, G_CONNECT_SWAPPED);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  }
  selection_changed_cb (self);
}

GtkWidget *
scorch_hotspot_view_new (void)
{
  return g_object_new (SCORCH_TYPE_HOTSPOT_VIEW, NULL);
}

ScorchProfile *
scorch_hotspot_view_get_profile (ScorchHotspotView *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_VIEW (self), NULL);

  return self->profile;
}

void
scorch_hotspot_view_set_profile (ScorchHotspotView *self,
                                 ScorchProfile     *profile)
{
  g_return_if_fail (SCORCH_IS_HOTSPOT_VIEW (self));
  g_return_if_fail (profile == NULL || SCORCH_IS_PROFILE (profile));

  if (g_set_object (&self->profile, profile))
    {
      scorch_app_trace_mark ("pre-hotspots");
      rebuild (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
      scorch_app_trace_mark ("hotspots");
    }
}

const char *
scorch_hotspot_view_get_search_text (ScorchHotspotView *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_VIEW (self), NULL);

  return self->search_text;
}

void
scorch_hotspot_view_set_search_text (ScorchHotspotView *self,
                                     const char        *text)
{
  g_return_if_fail (SCORCH_IS_HOTSPOT_VIEW (self));

  set_search_fields (self, text, self->use_regex, self->case_sensitive);
}

gboolean
scorch_hotspot_view_get_use_regex (ScorchHotspotView *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_VIEW (self), FALSE);

  return self->use_regex;
}

void
scorch_hotspot_view_set_use_regex (ScorchHotspotView *self,
                                   gboolean           use_regex)
{
  g_return_if_fail (SCORCH_IS_HOTSPOT_VIEW (self));

  set_search_fields (self, self->search_text, use_regex, self->case_sensitive);
}

gboolean
scorch_hotspot_view_get_case_sensitive (ScorchHotspotView *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_VIEW (self), FALSE);

  return self->case_sensitive;
}

void
scorch_hotspot_view_set_case_sensitive (ScorchHotspotView *self,
                                        gboolean           case_sensitive)
{
  g_return_if_fail (SCORCH_IS_HOTSPOT_VIEW (self));

  set_search_fields (self, self->search_text, self->use_regex, case_sensitive);
}

ScorchSearch *
scorch_hotspot_view_get_search (ScorchHotspotView *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_VIEW (self), NULL);

  return self->search;
}

void
scorch_hotspot_view_set_search (ScorchHotspotView *self,
                                ScorchSearch      *search)
{
  g_return_if_fail (SCORCH_IS_HOTSPOT_VIEW (self));

  if (search == self->search)
    return;
  apply_search (self, search);
}

guint32
scorch_hotspot_view_get_selected_frame (ScorchHotspotView *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_VIEW (self), SCORCH_NODE_NONE);

  return self->selected_frame;
}

void
scorch_hotspot_view_set_selected_frame (ScorchHotspotView *self,
                                        guint32            frame)
{
  guint position = GTK_INVALID_LIST_POSITION;

  g_return_if_fail (SCORCH_IS_HOTSPOT_VIEW (self));

  if (frame != SCORCH_NODE_NONE)
    position = find_position (self, frame);
  /* A row not made yet: make them all now. */
  if (position != GTK_INVALID_LIST_POSITION &&
      position >= gtk_slice_list_model_get_size (self->slice_model))
    scorch_list_fill_all (&self->fill);

  gtk_single_selection_set_selected (self->selection, position);
  if (position != GTK_INVALID_LIST_POSITION)
    scroll_to_position (self->column_view, position);

  /* A function filtered out by the search stays the selected function, so
   * that the flame graph keeps highlighting it. */
  if (position == GTK_INVALID_LIST_POSITION && frame != self->selected_frame)
    {
      self->selected_frame = frame;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_FRAME]);
    }
}

void
scorch_hotspot_view_sort_by (ScorchHotspotView   *self,
                             ScorchHotspotColumn  column,
                             GtkSortType          order)
{
  g_return_if_fail (SCORCH_IS_HOTSPOT_VIEW (self));
  g_return_if_fail (column < SCORCH_N_HOTSPOT_COLUMNS);

  self->sorting = TRUE;
  gtk_column_view_sort_by_column (self->column_view, self->columns[column], order);
  self->sorting = FALSE;
  self->sorted_by_self = order == GTK_SORT_DESCENDING &&
                         (column == SCORCH_HOTSPOT_COLUMN_SELF || column == SCORCH_HOTSPOT_COLUMN_SELF_PERCENT);
  update_sorter (self);
}

GListModel *
scorch_hotspot_view_get_model (ScorchHotspotView *self)
{
  g_return_val_if_fail (SCORCH_IS_HOTSPOT_VIEW (self), NULL);

  return G_LIST_MODEL (self->sort_model);
}
