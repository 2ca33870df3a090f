/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c: starts the real application, checks its main window and
 * saves screenshots of it (light and dark) in G_TEST_BUILDDIR. */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-test-util.h"
#include "scorch-loader-private.h"
#include "scorch-application.h"
#include "scorch-window.h"

static ScorchApplication *app;

/* -- screenshots -- */

typedef struct
{
  double mean;              /* luminance, 0..255 */
  double variance;
  double foreground;        /* share of pixels that differ from the most common colour */
  guint  n_accent;          /* pixels in Adwaita's blue (suggested-action buttons) */
} ImageStats;

static ImageStats
image_stats (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc ((gsize) height * stride);
  g_autoptr(GHashTable) histogram = g_hash_table_new (NULL, NULL);
  ImageStats stats = { 0, };
  guint32 background = 0;
  guint background_count = 0;
  guint n_foreground = 0;
  double sum = 0, sum2 = 0;
  gsize n = (gsize) width * height;

  /* CAIRO_FORMAT_ARGB32: B, G, R, A in memory on little endian. */
  gdk_texture_download (texture, pixels, stride);

  for (gsize i = 0; i < n; i++)
    {
      const guchar *p = pixels + i * 4;
      guint32 key = (p[2] << 16) | (p[1] << 8) | p[0];
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (histogram, GUINT_TO_POINTER (key))) + 1;
      double lum = 0.2126 * p[2] + 0.7152 * p[1] + 0.0722 * p[0];

      g_hash_table_insert (histogram, GUINT_TO_POINTER (key), GUINT_TO_POINTER (count));
      if (count > background_count)
        {
          background_count = count;
          background = key;
        }
      sum += lum;
      sum2 += lum * lum;
      if (p[0] > 140 && p[0] > p[2] + 50 && p[1] > p[2] + 20)
        stats.n_accent++;
    }

  for (gsize i = 0; i < n; i++)
    {
      const guchar *p = pixels + i * 4;
      int dr = abs ((int) p[2] - (int) ((background >> 16) & 0xff));
      int dg = abs ((int) p[1] - (int) ((background >> 8) & 0xff));
      int db = abs ((int) p[0] - (int) (background & 0xff));

      if (dr + dg + db > 48)
        n_foreground++;
    }

  stats.mean = sum / n;
  stats.variance = sum2 / n - stats.mean * stats.mean;
  stats.foreground = (double) n_foreground / n;

  return stats;
}

static ImageStats
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = app_test_save_screenshot (widget, name);
  ImageStats stats;

  stats = image_stats (texture);
  g_test_message ("%s: mean %.1f, variance %.1f, %.1f%% foreground, %u accent pixels",
                  name, stats.mean, stats.variance, 100 * stats.foreground, stats.n_accent);
  return stats;
}

/* -- widget tree helpers -- */

static GtkWidget *
find_button_for_action (GtkWidget  *root,
                        const char *action_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action_name) == 0)
        return child;
      if ((found = find_button_for_action (child, action_name)))
        return found;
    }

  return NULL;
}

static GtkWidget *
find_widget_of_type (GtkWidget *root,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found)
        return found;
    }

  return NULL;
}

typedef struct
{
  GType      type;
  GtkWindow *found;
} FindToplevel;

static gboolean
toplevel_of_type_shown (gpointer data)
{
  FindToplevel *find = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, find->type) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        {
          find->found = window;
          return TRUE;
        }
    }

  return FALSE;
}

/* -- tests -- */

static void
test_window_shown (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  GtkStack *stack = scorch_window_get_stack (window);
  GtkWidget *status_page;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Scorch");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");

  status_page = find_widget_of_type (GTK_WIDGET (stack), ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (status_page);
  g_assert_true (gtk_widget_get_mapped (status_page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==, "Record or Open a Profile");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (status_page)), "allow"));
}

static void
test_window_actions (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  static const char *expected_accels[][2] = {
    { "win.record", "<Control>r" },
    { "win.open", "<Control>o" },
    { "app.quit", "<Control>q" },
  };
  GtkWidget *button;

  /* Record and Open are wired to their actions; Record stays disabled
   * until the record dialog exists, Open works (explore views). */
  button = find_button_for_action (GTK_WIDGET (window), "win.record");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  /* Enabled by the record dialog (record from the app). */
  g_assert_true (gtk_widget_is_sensitive (button));

  button = find_button_for_action (GTK_WIDGET (window), "win.open");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "shortcuts"));

  for (guint i = 0; i < G_N_ELEMENTS (expected_accels); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), expected_accels[i][0]);

      g_assert_nonnull (accels);
      g_assert_cmpstr (accels[0], ==, expected_accels[i][1]);
    }

  /* The help overlay from the resource is attached to the window. */
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))));
}

static void
test_window_screenshot (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  AdwStyleManager *style = adw_style_manager_get_default ();
  ImageStats light, dark;

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  app_test_wait_until_drawn (GTK_WIDGET (window));
  light = save_screenshot (GTK_WIDGET (window), "screenshot-window.png");

  /* Not blank: a real window has text, icons and edges on a background. */
  g_assert_cmpfloat (light.variance, >, 100.0);
  g_assert_cmpfloat (light.foreground, >, 0.01);
  g_assert_cmpfloat (light.mean, >, 150.0);
  /* The suggested-action Record buttons are drawn in the accent colour. */
  g_assert_cmpuint (light.n_accent, >, 200);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  app_test_wait_until_drawn (GTK_WIDGET (window));
  dark = save_screenshot (GTK_WIDGET (window), "screenshot-window-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  g_assert_cmpfloat (dark.variance, >, 100.0);
  g_assert_cmpfloat (dark.foreground, >, 0.01);
  g_assert_cmpfloat (dark.mean, <, 100.0);
}

static void
test_about (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  FindToplevel find = { ADW_TYPE_ABOUT_WINDOW, NULL };

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  app_test_wait_for (toplevel_of_type_shown, &find, 10000, "the About window");

  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (find.found)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (find.found)), ==, APPLICATION_ID);
  g_assert_true (gtk_window_get_transient_for (find.found) == GTK_WINDOW (window));

  app_test_wait_until_drawn (GTK_WIDGET (find.found));
  save_screenshot (GTK_WIDGET (find.found), "screenshot-about.png");
  gtk_window_destroy (find.found);
}

/* Every GtkShortcutsGroup and GtkShortcutsShortcut under ROOT */
static void
collect_shortcuts (GtkWidget *root,
                   GPtrArray *groups,
                   GPtrArray *shortcuts)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_SHORTCUTS_GROUP (child))
        g_ptr_array_add (groups, child);
      else if (GTK_IS_SHORTCUTS_SHORTCUT (child))
        g_ptr_array_add (shortcuts, child);
      collect_shortcuts (child, groups, shortcuts);
    }
}

/* Whether a shortcut controller of ROOT or of a widget under it has a
 * key trigger for KEYVAL + MODS. */
static gboolean
widget_tree_binds (GtkWidget       *root,
                   guint            keyval,
                   GdkModifierType  mods)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (root);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods)
            return TRUE;
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (widget_tree_binds (child, keyval, mods))
      return TRUE;
  return FALSE;
}

static void
test_shortcuts (void)
{
  FindToplevel find = { GTK_TYPE_SHORTCUTS_WINDOW, NULL };
  ScorchWindow *window = app_test_get_main_window (app);
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new ();
  gboolean seen_general = FALSE, seen_exploring = FALSE;

  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  app_test_wait_for (toplevel_of_type_shown, &find, 10000, "the Keyboard Shortcuts window");
  app_test_wait_until_drawn (GTK_WIDGET (find.found));
  save_screenshot (GTK_WIDGET (find.found), "screenshot-shortcuts.png");
  g_assert_true (gtk_window_get_transient_for (find.found) == GTK_WINDOW (window));

  /* The two sections of help-overlay.ui */
  collect_shortcuts (GTK_WIDGET (find.found), groups, shortcuts);
  for (guint i = 0; i < groups->len; i++)
    {
      g_autofree char *title = NULL;

      g_object_get (groups->pdata[i], "title", &title, NULL);
      seen_general |= g_strcmp0 (title, "General") == 0;
      seen_exploring |= g_strcmp0 (title, "Exploring a Capture") == 0;
    }
  g_assert_true (seen_general);
  g_assert_true (seen_exploring);
  g_assert_cmpuint (shortcuts->len, >=, 10);
  /* (the lookup below can say no) */
  g_assert_false (widget_tree_binds (GTK_WIDGET (window), GDK_KEY_j, GDK_CONTROL_MASK | GDK_ALT_MASK));

  /* Each entry shows a key that really does what it says: an action with
   * an accelerator in the application, or a key bound in the window. */
  for (guint i = 0; i < shortcuts->len; i++)
    {
      g_autofree char *title = NULL, *accelerator = NULL, *action_name = NULL;

      g_object_get (shortcuts->pdata[i], "title", &title, "accelerator", &accelerator,
                    "action-name", &action_name, NULL);
      g_test_message ("shortcut “%s”: %s", title, accelerator != NULL && accelerator[0] != '\0' ? accelerator : action_name);
      g_assert_nonnull (title);
      g_assert_cmpstr (title, !=, "");
      if (action_name != NULL && action_name[0] != '\0')
        {
          g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action_name);

          g_assert_nonnull (accels);
          g_assert_nonnull (accels[0]);
        }
      else
        {
          /* one key or several, separated by spaces ("Up Down") */
          g_auto(GStrv) keys = g_strsplit (accelerator != NULL ? accelerator : "", " ", -1);
          guint n_keys = 0;

          for (guint k = 0; keys[k] != NULL; k++)
            {
              guint keyval = 0;
              GdkModifierType mods = 0;

              if (keys[k][0] == '\0')
                continue;
              n_keys++;
              if (!gtk_accelerator_parse (keys[k], &keyval, &mods) || keyval == 0)
                g_error ("“%s” shows %s, which is not a key", title, keys[k]);
              if (!widget_tree_binds (GTK_WIDGET (window), keyval, mods))
                g_error ("“%s” shows %s, which nothing in the window binds", title, keys[k]);
            }
          g_assert_cmpuint (n_keys, >, 0);
        }
    }
  gtk_window_close (find.found);
}

static gboolean
stack_left_loading (gpointer data)
{
  ScorchWindow *window = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (scorch_window_get_stack (window)), "loading") != 0;
}

static gboolean
stack_shows_loading (gpointer data)
{
  return !stack_left_loading (data);
}

static gboolean
loads_finished (gpointer data)
{
  return _scorch_loader_get_n_live () == 0;
}

typedef struct
{
  ScorchWindow *window;
  gint64        painted;     /* first paint without the loading page */
} PaintWatch;

static void
after_paint_cb (GdkFrameClock *clock,
                PaintWatch    *watch)
{
  if (watch->painted == 0 && stack_left_loading (watch->window))
    watch->painted = g_get_monotonic_time ();
}

/* Cancel gives the window back at once, even while the loader's worker is
 * inside a call that cannot be interrupted (a libdw call on a slow file;
 * here held by the loader's test hook): within 200 ms, and the worker's late
 * result does not replace the page. */
static void
test_cancel_load (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  GtkStack *stack = scorch_window_get_stack (window);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "corpus", "fp-small.data", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *before = g_strdup (gtk_stack_get_visible_child_name (stack));
  GdkFrameClock *clock;
  PaintWatch watch = { window, 0 };
  GtkWidget *button;
  gint64 start, back;
  gulong handler;

  _scorch_loader_hold_workers (TRUE);
  scorch_window_open_file (window, file);
  /* The loading page comes when the load is not over after a while. */
  app_test_wait_for (stack_shows_loading, window, 10000, "the loading page");
  app_test_wait_until_drawn (GTK_WIDGET (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "loading");

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &watch);
  /* the loading page's Cancel button, clicked (a pointer release emits
   * "clicked"; gtk_widget_activate() would add GtkButton's 250 ms
   * keyboard-activation animation first) */
  button = find_button_for_action (GTK_WIDGET (window), "win.cancel-load");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_is_drawable (button));
  start = g_get_monotonic_time ();
  g_signal_emit_by_name (button, "clicked");
  app_test_wait_for (stack_left_loading, window, 2000, "the loading page to go");
  back = g_get_monotonic_time ();
  while (watch.painted == 0 && g_get_monotonic_time () - start < 2 * G_TIME_SPAN_SECOND)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_test_message ("Cancel: page switched after %.1f ms, drawn after %.1f ms",
                  (back - start) / 1000.0, watch.painted > 0 ? (watch.painted - start) / 1000.0 : -1.0);
  /* Back, and drawn so, within 200 ms */
  g_assert_cmpint (watch.painted, >, 0);
  g_assert_cmpint (watch.painted - start, <, 200 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, before);
  /* nothing left to cancel */
  g_assert_false (gtk_widget_is_sensitive (button));

  /* The worker ends later; its result changes nothing. */
  g_assert_cmpuint (_scorch_loader_get_n_live (), >, 0);
  _scorch_loader_hold_workers (FALSE);
  app_test_wait_for (loads_finished, NULL, 10000, "the loader's worker to finish");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, before);
}

static gboolean
no_windows (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static void
test_window_size_remembered (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  GSettings *settings = scorch_application_get_settings (app);
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  app_test_wait_until_drawn (GTK_WIDGET (window));
  gtk_window_close (GTK_WINDOW (window));
  app_test_wait_for (no_windows, NULL, 10000, "the window to close");

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* A new window comes back at that size. */
  window = app_test_get_main_window (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
}

static void
test_quit (void)
{
  ScorchWindow *window = app_test_get_main_window (app);
  GSettings *settings = scorch_application_get_settings (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 820, 560);
  app_test_wait_until_drawn (GTK_WIDGET (window));

  /* app.quit closes every window, and each saves its state. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  app_test_wait_for (no_windows, NULL, 10000, "the windows to close");

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 820);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 560);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);

  g_test_add_func ("/app/window/shown", test_window_shown);
  g_test_add_func ("/app/window/actions", test_window_actions);
  g_test_add_func ("/app/window/screenshot", test_window_screenshot);
  g_test_add_func ("/app/window/about", test_about);
  g_test_add_func ("/app/window/shortcuts", test_shortcuts);
  g_test_add_func ("/app/window/cancel-load", test_cancel_load);
  g_test_add_func ("/app/window/size-remembered", test_window_size_remembered);
  g_test_add_func ("/app/quit", test_quit);

  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_clear_object (&app);

  return status;
}
