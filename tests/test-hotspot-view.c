/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-hotspot-view.c: the hotspot table: rows, sorting, search, selection, activation, tooltips */

#include "config.h"

#include <string.h>

#include "explore-test-util.h"
#include "scorch-function-item.h"
#include "scorch-hotspot-model.h"
#include "scorch-hotspot-view.h"

static const char *
row_name (GListModel *model,
          guint       i)
{
  g_autoptr(ScorchFunctionItem) item = g_list_model_get_item (model, i);

  g_assert_nonnull (item);
  /* Names are owned by the profile, which outlives the item here. */
  return scorch_function_item_get_name (item);
}

static void
test_rows_and_sorting (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchHotspotView *view = SCORCH_HOTSPOT_VIEW (scorch_hotspot_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 900, 360);
  GListModel *model = scorch_hotspot_view_get_model (view);
  g_autoptr(ScorchFunctionItem) first = NULL;

  scorch_hotspot_view_set_profile (view, profile);
  g_assert_true (scorch_hotspot_view_get_profile (view) == profile);

  /* 6 functions; by default the hottest self first */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
  g_assert_cmpstr (row_name (model, 0), ==, "hot_leaf");
  g_assert_cmpstr (row_name (model, 1), ==, "warm");
  g_assert_cmpstr (row_name (model, 2), ==, "io_wait");

  first = g_list_model_get_item (model, 0);
  g_assert_cmpuint (scorch_function_item_get_self (first), ==, 60);
  g_assert_cmpuint (scorch_function_item_get_total (first), ==, 60);
  g_assert_cmpfloat_with_epsilon (scorch_function_item_get_self_percent (first), 60.0, 1e-9);
  g_assert_cmpstr (scorch_function_item_get_module (first), ==, "/usr/bin/workload");
  g_assert_cmpstr (scorch_function_item_get_source (first), ==, "workload.c:30");

  /* Total descending: main (100) then compute (85) */
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_TOTAL, GTK_SORT_DESCENDING);
  g_assert_cmpstr (row_name (model, 0), ==, "main");
  g_assert_cmpstr (row_name (model, 1), ==, "compute");
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_TOTAL_PERCENT, GTK_SORT_ASCENDING);
  g_assert_cmpstr (row_name (model, 0), ==, "Parse_Config");

  /* Function name, ascending (the string sorter ignores case) */
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_FUNCTION, GTK_SORT_ASCENDING);
  g_assert_cmpstr (row_name (model, 0), ==, "compute");
  g_assert_cmpstr (row_name (model, 5), ==, "warm");

  /* Module descending, in the locale's collation */
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_MODULE, GTK_SORT_DESCENDING);
  for (guint i = 1; i < 6; i++)
    {
      g_autoptr(ScorchFunctionItem) a = g_list_model_get_item (model, i - 1);
      g_autoptr(ScorchFunctionItem) b = g_list_model_get_item (model, i);
      g_autofree char *ka = g_utf8_collate_key (scorch_function_item_get_module (a), -1);
      g_autofree char *kb = g_utf8_collate_key (scorch_function_item_get_module (b), -1);

      g_assert_cmpint (strcmp (ka, kb), >=, 0);
    }

  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_SOURCE, GTK_SORT_DESCENDING);
  g_assert_cmpstr (row_name (model, 0), ==, "hot_leaf"); /* workload.c:30 */

  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_SELF_PERCENT, GTK_SORT_DESCENDING);
  g_assert_cmpstr (row_name (model, 0), ==, "hot_leaf");
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (view), "hotspot-view.png"), >, 0.02);

  explore_test_set_dark (TRUE);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (view), "hotspot-view-dark.png"), >, 0.02);
  explore_test_set_dark (FALSE);

  /* A new profile (e.g. another thread filter) replaces the rows */
  scorch_hotspot_view_set_profile (view, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  gtk_window_destroy (window);
}

static void
test_search (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchHotspotView *view = SCORCH_HOTSPOT_VIEW (scorch_hotspot_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 900, 360);
  GListModel *model = scorch_hotspot_view_get_model (view);

  scorch_hotspot_view_set_profile (view, profile);

  /* Substring, case-insensitive by default */
  scorch_hotspot_view_set_search_text (view, "PARSE");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpstr (row_name (model, 0), ==, "Parse_Config");

  scorch_hotspot_view_set_case_sensitive (view, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  scorch_hotspot_view_set_search_text (view, "Parse");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  scorch_hotspot_view_set_case_sensitive (view, FALSE);

  /* Regular expression */
  scorch_hotspot_view_set_use_regex (view, TRUE);
  scorch_hotspot_view_set_search_text (view, "^(hot|warm)");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (row_name (model, 0), ==, "hot_leaf");
  g_assert_cmpstr (row_name (model, 1), ==, "warm");

  /* An invalid expression (while typing) is invalid here as in the
   * graphs: no row, never the text searched as it is */
  scorch_hotspot_view_set_search_text (view, "comp(");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_nonnull (scorch_hotspot_view_get_search (view));
  g_assert_false (scorch_search_is_valid (scorch_hotspot_view_get_search (view)));
  scorch_hotspot_view_set_search_text (view, "o_w(");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  scorch_hotspot_view_set_use_regex (view, FALSE);
  scorch_hotspot_view_set_search_text (view, "o_w");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpstr (row_name (model, 0), ==, "io_wait");

  /* Through the property, as the window binds it */
  g_object_set (view, "search-text", "", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
  g_assert_null (scorch_hotspot_view_get_search_text (view));
  g_assert_null (scorch_hotspot_view_get_search (view));

  /* A ScorchSearch from the session: the text properties follow it */
  {
    g_autoptr(ScorchSearch) search = scorch_search_new ("^(HOT|warm)", SCORCH_SEARCH_REGEX, FALSE);
    g_autoptr(ScorchSearch) bad = scorch_search_new ("hot_(", SCORCH_SEARCH_REGEX, FALSE);
    g_autoptr(ScorchSearch) text = scorch_search_new ("hot_(", SCORCH_SEARCH_SUBSTRING, FALSE);

    g_object_set (view, "search", search, NULL);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
    g_assert_cmpstr (scorch_hotspot_view_get_search_text (view), ==, "^(HOT|warm)");
    g_assert_true (scorch_hotspot_view_get_use_regex (view));
    g_assert_true (scorch_hotspot_view_get_search (view) == search);
    scorch_hotspot_view_set_search (view, bad);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
    scorch_hotspot_view_set_search (view, text);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
    g_assert_false (scorch_hotspot_view_get_use_regex (view));
    scorch_hotspot_view_set_search (view, NULL);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6);
    g_assert_null (scorch_hotspot_view_get_search_text (view));
  }

  gtk_window_destroy (window);
}

static void
activated_cb (ScorchHotspotView *view,
              guint              frame,
              guint             *out)
{
  *out = frame;
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_selection (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchHotspotView *view = SCORCH_HOTSPOT_VIEW (scorch_hotspot_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 900, 360);
  guint32 warm = explore_test_frame (profile, "warm");
  guint32 parse = explore_test_frame (profile, "Parse_Config");
  guint activated = G_MAXUINT;
  guint n_notify = 0;

  scorch_hotspot_view_set_profile (view, profile);
  g_signal_connect (view, "function-activated", G_CALLBACK (activated_cb), &activated);
  g_signal_connect (view, "notify::selected-frame", G_CALLBACK (notify_cb), &n_notify);

  g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, SCORCH_NODE_NONE);
  /* Nothing selected: nothing to activate */
  gtk_widget_activate_action (GTK_WIDGET (view), "hotspots.activate", NULL);
  g_assert_cmpuint (activated, ==, G_MAXUINT);

  scorch_hotspot_view_set_selected_frame (view, warm);
  g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, warm);
  g_assert_cmpuint (n_notify, ==, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "hotspots.activate", NULL));
  g_assert_cmpuint (activated, ==, warm);

  /* The selection follows the function through a re-sort */
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_FUNCTION, GTK_SORT_DESCENDING);
  g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, warm);

  /* ... and through a new profile of the same capture (a filter) */
  {
    g_autoptr(ScorchProfile) only_main = scorch_profile_filter (profile, (gint32[]) { 100 }, 1, 0, G_MAXUINT64);
    GListModel *model = scorch_hotspot_view_get_model (view);

    scorch_hotspot_view_set_profile (view, only_main);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4); /* main, compute, hot_leaf, warm */
    g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, warm);
    scorch_hotspot_view_set_profile (view, profile);
  }

  g_object_set (view, "selected-frame", parse, NULL);
  g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, parse);
  g_assert_cmpfloat (explore_test_screenshot (GTK_WIDGET (view), "hotspot-view-selected.png"), >, 0.02);

  scorch_hotspot_view_set_selected_frame (view, SCORCH_NODE_NONE);
  g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, SCORCH_NODE_NONE);

  gtk_window_destroy (window);
}

/* -- the first fill: a new profile makes the rows of its first screen
 * (64) before it is drawn, the others after, in the main loop's spare
 * time; a row asked for before then makes them all at once -- */

#define MANY_FUNCTIONS 500

static ScorchProfile *
many_functions_profile (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  guint32 main_f = scorch_profile_builder_intern_frame (builder, "main", "/usr/bin/many", "many.c", 1, SCORCH_FRAME_KIND_USER);

  /* f_i has MANY_FUNCTIONS - i samples: sorted by self, f_i is row i
   * (main, with none of its own, the last). */
  for (guint i = 0; i < MANY_FUNCTIONS; i++)
    {
      g_autofree char *name = g_strdup_printf ("f_%u", i);
      guint32 stack[2] = { main_f, scorch_profile_builder_intern_frame (builder, name, "/usr/bin/many", "many.c", 10 + i,
                                                                        SCORCH_FRAME_KIND_USER) };

      for (guint j = 0; j < MANY_FUNCTIONS - i; j++)
        scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 1000 + i * 1000 + j, .pid = 1, .tid = 1,
                                                                             .frames = stack, .n_frames = 2, .weight = 1 });
    }
  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

static GtkColumnView *
find_column_view (GtkWidget *widget)
{
  if (GTK_IS_COLUMN_VIEW (widget))
    return GTK_COLUMN_VIEW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkColumnView *found = find_column_view (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The rows the column view has made (its list view's children). */
static guint
n_row_widgets (GtkColumnView *column_view)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (column_view)); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LIST_VIEW (c))
      for (GtkWidget *row = gtk_widget_get_first_child (c); row != NULL; row = gtk_widget_get_next_sibling (row))
        n++;
  return n;
}

static void
test_first_fill (void)
{
  g_autoptr(ScorchProfile) profile = many_functions_profile ();
  g_autoptr(ScorchProfile) again = scorch_profile_filter (profile, (gint32[]) { 1 }, 1, 0, G_MAXUINT64);
  ScorchHotspotView *view = SCORCH_HOTSPOT_VIEW (scorch_hotspot_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 900, 360);
  GtkColumnView *column_view = find_column_view (GTK_WIDGET (view));
  GListModel *shown = G_LIST_MODEL (gtk_column_view_get_model (column_view));
  guint32 f_400 = explore_test_frame (profile, "f_400");

  scorch_hotspot_view_set_profile (view, profile);
  /* Every row is in the view's model; the column view has the first ones. */
  g_assert_cmpuint (g_list_model_get_n_items (scorch_hotspot_view_get_model (view)), ==, MANY_FUNCTIONS + 1);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <=, 64);
  g_assert_cmpuint (n_row_widgets (column_view), <=, 64);
  g_assert_cmpstr (row_name (shown, 0), ==, "f_0");
  g_assert_cmpstr (row_name (shown, 1), ==, "f_1");

  /* Drawn, then the rest comes. */
  explore_test_wait_drawn (GTK_WIDGET (view));
  /* (up to 30 s: a loaded machine may take far longer than the usual
   * fraction of a second) */
  for (guint i = 0; i < 1500 && g_list_model_get_n_items (shown) < MANY_FUNCTIONS + 1; i++)
    explore_test_run_for (20);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, MANY_FUNCTIONS + 1);
  /* GTK 4.8 keeps up to 200 rows around the top row; a later GTK fewer. */
  g_assert_cmpuint (n_row_widgets (column_view), >, 64);

  /* A new profile starts with the first rows again; selecting a row
   * beyond them makes them all. */
  scorch_hotspot_view_set_profile (view, again);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <=, 64);
  scorch_hotspot_view_set_selected_frame (view, f_400);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, MANY_FUNCTIONS + 1);
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (shown)), ==, 400);
  g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, f_400);

  /* Few rows: all at once. */
  {
    g_autoptr(ScorchProfile) small = explore_test_profile ();

    scorch_hotspot_view_set_profile (view, small);
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 6);
  }
  gtk_window_destroy (window);
}

/* -- rows on demand: in the hotspot order (self, descending) with no
 * search, only the rows asked for have an item; another sort or a search
 * makes them all, with the same rows as before in the same order -- */

static ScorchHotspotModel *
hotspot_model (ScorchHotspotView *view)
{
  GListModel *model = scorch_hotspot_view_get_model (view);

  model = gtk_sort_list_model_get_model (GTK_SORT_LIST_MODEL (model));
  model = gtk_filter_list_model_get_model (GTK_FILTER_LIST_MODEL (model));
  g_assert_true (SCORCH_IS_HOTSPOT_MODEL (model));
  return SCORCH_HOTSPOT_MODEL (model);
}

static void
test_rows_on_demand (void)
{
  g_autoptr(ScorchProfile) profile = many_functions_profile ();
  ScorchHotspotView *view = SCORCH_HOTSPOT_VIEW (scorch_hotspot_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 900, 360);
  GtkColumnView *column_view = find_column_view (GTK_WIDGET (view));
  GListModel *model = scorch_hotspot_view_get_model (view);
  ScorchHotspotModel *hotspots = hotspot_model (view);
  guint32 f_300 = explore_test_frame (profile, "f_300");

  scorch_hotspot_view_set_profile (view, profile);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, MANY_FUNCTIONS + 1);
  /* The first fill's rows, not every function's. */
  g_assert_cmpuint (scorch_hotspot_model_get_n_made (hotspots), >, 0);
  g_assert_cmpuint (scorch_hotspot_model_get_n_made (hotspots), <=, 64);
  g_assert_cmpstr (row_name (model, 0), ==, "f_0");
  g_assert_cmpstr (row_name (model, 1), ==, "f_1");

  /* Selecting a function finds its row without making every item. */
  scorch_hotspot_view_set_selected_frame (view, f_300);
  g_assert_cmpuint (scorch_hotspot_view_get_selected_frame (view), ==, f_300);
  g_assert_cmpuint (scorch_hotspot_model_get_n_made (hotspots), <, MANY_FUNCTIONS + 1);
  scorch_hotspot_view_set_selected_frame (view, SCORCH_NODE_NONE);

  /* Another order: sorted as GTK sorts. */
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_SELF, GTK_SORT_ASCENDING);
  g_assert_cmpstr (row_name (model, 0), ==, "main");
  g_assert_cmpstr (row_name (model, 1), ==, "f_499");
  g_assert_cmpuint (scorch_hotspot_model_get_n_made (hotspots), ==, MANY_FUNCTIONS + 1);

  /* Back to the hotspot order (self % is the same order). */
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_SELF_PERCENT, GTK_SORT_DESCENDING);
  g_assert_null (gtk_sort_list_model_get_sorter (GTK_SORT_LIST_MODEL (model)));
  g_assert_cmpstr (row_name (model, 0), ==, "f_0");

  /* A sort set on the column view itself, as a click on a header does. */
  {
    g_autoptr(GtkColumnViewColumn) name_column =
      g_list_model_get_item (gtk_column_view_get_columns (column_view), SCORCH_HOTSPOT_COLUMN_FUNCTION);

    gtk_column_view_sort_by_column (column_view, name_column, GTK_SORT_DESCENDING);
  }
  g_assert_nonnull (gtk_sort_list_model_get_sorter (GTK_SORT_LIST_MODEL (model)));
  g_assert_cmpstr (row_name (model, 0), ==, "main");
  g_assert_cmpstr (row_name (model, 1), ==, "f_99");

  /* A new profile in the hotspot order again, then a search. */
  scorch_hotspot_view_sort_by (view, SCORCH_HOTSPOT_COLUMN_SELF, GTK_SORT_DESCENDING);
  {
    g_autoptr(ScorchProfile) again = scorch_profile_filter (profile, (gint32[]) { 1 }, 1, 0, G_MAXUINT64);

    scorch_hotspot_view_set_profile (view, again);
    g_assert_cmpuint (scorch_hotspot_model_get_n_made (hotspots), <=, 64);
    scorch_hotspot_view_set_search_text (view, "f_49");
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 11);  /* f_49, f_490 ... f_499 */
    g_assert_cmpstr (row_name (model, 0), ==, "f_49");
    g_assert_cmpstr (row_name (model, 10), ==, "f_499");
    scorch_hotspot_view_set_search_text (view, NULL);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, MANY_FUNCTIONS + 1);
    g_assert_cmpstr (row_name (model, 0), ==, "f_0");
  }

  gtk_window_destroy (window);
}

/* The name cell's tooltip (the full signature) is answered when asked
 * for: a tooltip text set on every bind asks the X server where the
 * pointer is, two round trips per row of a new profile's first fill. */
static void
test_name_tooltip (void)
{
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  ScorchHotspotView *view = SCORCH_HOTSPOT_VIEW (scorch_hotspot_view_new ());
  GtkWindow *window = explore_test_window (GTK_WIDGET (view), 900, 360);
  GtkTooltip *tooltip;
  GtkWidget *name;
  gboolean shown = FALSE;

  scorch_hotspot_view_set_profile (view, profile);
  explore_test_wait_drawn (GTK_WIDGET (view));
  name = explore_test_find_inscription (GTK_WIDGET (view), "hot_leaf");
  g_assert_nonnull (name);
  g_assert_true (gtk_widget_get_has_tooltip (name));
  g_assert_null (gtk_widget_get_tooltip_text (name));
  tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  g_signal_emit_by_name (name, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
  g_assert_true (shown);
  g_object_unref (tooltip);

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/hotspot-view/rows-and-sorting", test_rows_and_sorting);
  g_test_add_func ("/app/hotspot-view/search", test_search);
  g_test_add_func ("/app/hotspot-view/selection", test_selection);
  g_test_add_func ("/app/hotspot-view/first-fill", test_first_fill);
  g_test_add_func ("/app/hotspot-view/rows-on-demand", test_rows_on_demand);
  g_test_add_func ("/app/hotspot-view/name-tooltip", test_name_tooltip);

  return g_test_run ();
}
