/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-util.c: scorch_app_class_set_template() as the widgets use it:
 * the template named after the type, its children bound from the table,
 * and the table's actions installed, without a parameter. */

#include "config.h"

#include <adwaita.h>

#include "scorch-app-util.h"
#include "scorch-hotspot-view.h"
#include "scorch-record-dialog.h"
#include "scorch-summary-view.h"
#include "scorch-window.h"

/* The index among WIDGET_CLASS's actions of NAME (-1: none); its
 * parameter type must be NULL. */
static int
action_index (GtkWidgetClass *widget_class,
              const char     *name)
{
  GType owner;
  const char *action_name;
  const GVariantType *parameter_type;
  const char *property_name;

  for (guint i = 0; gtk_widget_class_query_action (widget_class, i, &owner, &action_name,
                                                   &parameter_type, &property_name); i++)
    if (g_str_equal (action_name, name))
      {
        g_assert_null (parameter_type);
        g_assert_null (property_name);
        return (int) i;
      }
  return -1;
}

static void
test_children (void)
{
  GtkWidget *view = g_object_ref_sink (scorch_summary_view_new ());
  GtkWidget *hotspots = g_object_ref_sink (g_object_new (SCORCH_TYPE_HOTSPOT_VIEW, NULL));

  /* ui/scorch-summary-view.ui, from the type's name, and its children */
  g_assert_true (ADW_IS_PREFERENCES_PAGE (gtk_widget_get_template_child (view, SCORCH_TYPE_SUMMARY_VIEW, "page")));
  g_assert_true (ADW_IS_PREFERENCES_GROUP (gtk_widget_get_template_child (view, SCORCH_TYPE_SUMMARY_VIEW,
                                                                          "symbols_group")));
  g_assert_true (GTK_IS_COLUMN_VIEW (gtk_widget_get_template_child (hotspots, SCORCH_TYPE_HOTSPOT_VIEW,
                                                                    "column_view")));
  g_object_unref (hotspots);
  g_object_unref (view);
}

static void
test_actions (void)
{
  static const char *dialog_actions[] = {
    "record-dialog.start", "record-dialog.user-space-only",
    "record-dialog.choose-program", "record-dialog.choose-directory",
  };
  GtkWidgetClass *dialog_class = g_type_class_ref (SCORCH_TYPE_RECORD_DIALOG);
  GtkWidgetClass *hotspot_class = g_type_class_ref (SCORCH_TYPE_HOTSPOT_VIEW);

  for (guint i = 0; i < G_N_ELEMENTS (dialog_actions); i++)
    g_assert_cmpint (action_index (dialog_class, dialog_actions[i]), >=, 0);
  /* the table's, beside those the class installs itself */
  g_assert_cmpint (action_index (hotspot_class, "hotspots.show-source"), >=, 0);
  g_assert_cmpint (action_index (hotspot_class, "hotspots.context-menu"), >=, 0);
  g_assert_cmpint (action_index (hotspot_class, "hotspots.no-such-action"), ==, -1);
  g_type_class_unref (hotspot_class);
  g_type_class_unref (dialog_class);
}

/* The window's template and plain actions come from its tables too; the
 * actions with a parameter it installs itself. */
static void
test_window (void)
{
  static const char *window_actions[] = {
    "win.record", "win.open", "win.cancel-load", "win.search", "win.save-as",
    "win.make-portable", "win.show-output", "win.preferences", "win.show-summary",
  };
  GtkWidgetClass *window_class = g_type_class_ref (SCORCH_TYPE_WINDOW);
  GType owner;
  const char *name;
  const GVariantType *parameter_type;
  const char *property_name;
  gboolean found = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (window_actions); i++)
    g_assert_cmpint (action_index (window_class, window_actions[i]), >=, 0);
  for (guint i = 0; gtk_widget_class_query_action (window_class, i, &owner, &name,
                                                   &parameter_type, &property_name); i++)
    if (g_str_equal (name, "win.open-recent"))
      {
        g_assert_true (g_variant_type_equal (parameter_type, G_VARIANT_TYPE_STRING));
        found = TRUE;
      }
  g_assert_true (found);
  g_type_class_unref (window_class);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/app/app-util/template-children", test_children);
  g_test_add_func ("/app/app-util/template-actions", test_actions);
  g_test_add_func ("/app/app-util/window", test_window);
  return g_test_run ();
}
