/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-export.c: the app opens a pprof profile (told by its content,
 * whatever its name) and exports the current view (thread filter) as
 * pprof, speedscope and interactive HTML from the Export menu's actions;
 * the menu lists them (screenshot app-export-menu.png). */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "app-test-util.h"
#include "explore-test-util.h"
#include "scorch-application.h"
#include "scorch-pprof.h"
#include "scorch-profile-format.h"
#include "scorch-window-private.h"
#include "scorch-window.h"

static ScorchApplication *app;
static char *tmpdir;

static gboolean
page_is_not_loading (gpointer data)
{
  /* The loading page shows only when a load takes a while: ask the window. */
  return !_scorch_window_is_loading (data);
}

static gboolean
menu_has_export (GMenuModel *model,
                 const char *target)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autofree char *action = NULL;
      g_autofree char *value = NULL;

      if (section != NULL && menu_has_export (section, target))
        return TRUE;
      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action) &&
          g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_TARGET, "s", &value) &&
          g_str_equal (action, "win.export") && g_str_equal (value, target))
        return TRUE;
    }
  return FALSE;
}

static GtkMenuButton *
find_export_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)) != NULL &&
      menu_has_export (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)), "svg"))
    return GTK_MENU_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *found = find_export_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_open_and_export (void)
{
  g_autoptr(ScorchProfile) source = explore_test_profile ();
  g_autofree char *input = g_build_filename (tmpdir, "from-production.data", NULL);
  g_autoptr(GFile) input_file = g_file_new_for_path (input);
  g_autoptr(GError) error = NULL;
  ScorchWindow *window;
  GtkMenuButton *button;
  gint32 worker = 101;

  /* A pprof profile named like a perf.data capture: content decides. */
  {
    g_autoptr(GFileOutputStream) out = g_file_replace (input_file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (scorch_pprof_write (source, NULL, G_OUTPUT_STREAM (out), NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  }

  window = app_test_get_main_window (app);
  scorch_window_open_file (window, input_file);
  app_test_wait_for (page_is_not_loading, window, 30000, "the pprof profile to load");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), ==, "profile");
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (window)), ==, 100);
  app_test_wait_until_drawn (GTK_WIDGET (window));
  app_test_save_screenshot (GTK_WIDGET (window), "app-export-pprof-open.png");

  /* The current view: the worker thread only. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-thread", "i", worker));
  g_assert_cmpuint (scorch_profile_get_total (scorch_window_get_profile (window)), ==, 15);

  {
    g_autofree char *pb = g_build_filename (tmpdir, "worker.pb.gz", NULL);
    g_autofree char *ss = g_build_filename (tmpdir, "worker.speedscope.json", NULL);
    g_autofree char *html = g_build_filename (tmpdir, "worker.html", NULL);
    g_autoptr(GFile) pb_file = g_file_new_for_path (pb);
    g_autoptr(GFile) ss_file = g_file_new_for_path (ss);
    g_autoptr(GFile) html_file = g_file_new_for_path (html);
    g_autoptr(ScorchProfile) pb_back = NULL;
    g_autoptr(ScorchProfile) ss_back = NULL;
    g_autofree char *contents = NULL;

    g_assert_true (scorch_window_export (window, "pprof", pb_file, &error));
    g_assert_no_error (error);
    g_assert_true (scorch_window_export (window, "speedscope", ss_file, &error));
    g_assert_no_error (error);
    g_assert_true (scorch_window_export (window, "html", html_file, &error));
    g_assert_no_error (error);

    pb_back = scorch_pprof_format.load (pb, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (scorch_profile_get_total (pb_back), ==, 15);
    ss_back = scorch_speedscope_format.load (ss, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (scorch_profile_get_total (ss_back), ==, 15);

    g_assert_true (g_file_get_contents (html, &contents, NULL, NULL));
    g_assert_true (g_str_has_prefix (contents, "<!DOCTYPE html>"));
    g_assert_nonnull (strstr (contents, "data-f=\"io_wait\""));
    g_assert_null (strstr (contents, "hot_leaf"));
    g_assert_nonnull (strstr (contents, "<table id=\"scorch-hotspots\">"));

    g_unlink (pb);
    g_unlink (ss);
    g_unlink (html);
  }

  /* The Export menu offers them. */
  button = find_export_button (GTK_WIDGET (window));
  g_assert_nonnull (button);
  g_assert_true (menu_has_export (gtk_menu_button_get_menu_model (button), "pprof"));
  g_assert_true (menu_has_export (gtk_menu_button_get_menu_model (button), "speedscope"));
  g_assert_true (menu_has_export (gtk_menu_button_get_menu_model (button), "html"));
  gtk_menu_button_popup (button);
  explore_test_run_for (300);
  app_test_save_screenshot (GTK_WIDGET (gtk_menu_button_get_popover (button)), "app-export-menu.png");
  gtk_menu_button_popdown (button);

  g_unlink (input);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-app-export-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmpdir, TRUE);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/export/open-pprof-and-export", test_open_and_export);

  status = g_test_run ();

  g_clear_object (&app);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
