/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xdo-test-util.c: real input events (xdotool, XTest) for UI tests */

#include "config.h"

#include <gdk/x11/gdkx.h>

#include "xdo-test-util.h"

static void
run_xdotool (const char * const *args)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_strv_builder_add (b, "xdotool");
  g_strv_builder_addv (b, (const char **) args);
  argv = g_strv_builder_end (b);
  /* Let GTK flush what it has queued (a new window's mapping) first. */
  gdk_display_sync (gdk_display_get_default ());
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error))
    g_error ("cannot run xdotool: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("xdotool %s failed: %s %s", args[0], error->message, err != NULL ? err : "");
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

const char *
xdo_test_unavailable (void)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");

  if (path == NULL)
    return "xdotool is not installed";
  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    return "real input events need the X11 backend (GDK_BACKEND=x11)";
  return NULL;
}

static char *
window_id (GtkNative *native)
{
  GdkSurface *surface = gtk_native_get_surface (native);

  g_assert_nonnull (surface);
  return g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
}

void
xdo_test_focus (GtkWindow *window)
{
  g_autofree char *id = window_id (GTK_NATIVE (window));
  const char *args[] = { "windowfocus", "--sync", id, NULL };

  run_xdotool (args);
}

void
xdo_test_key (const char *keys)
{
  const char *args[] = { "key", "--clearmodifiers", "--delay", "30", keys, NULL };

  run_xdotool (args);
}

void
xdo_test_type (const char *text)
{
  const char *args[] = { "type", "--delay", "10", text, NULL };

  run_xdotool (args);
}

void
xdo_test_click (GtkWidget *widget,
                int        button)
{
  xdo_test_click_at (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0, button);
}

void
xdo_test_click_at (GtkWidget *widget,
                   double     wx,
                   double     wy,
                   int        button)
{
  GtkNative *native = gtk_widget_get_native (widget);
  /* Relative to the widget's own surface: a window, or a popover's. */
  g_autofree char *id = window_id (native);
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  g_autofree char *b = g_strdup_printf ("%d", button);
  graphene_point_t p;
  double dx = 0, dy = 0;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (wx, wy),
                                           &p));
  /* From the native widget to its surface (the client-side shadow). */
  gtk_native_get_surface_transform (native, &dx, &dy);
  x = g_strdup_printf ("%d", (int) (p.x + dx));
  y = g_strdup_printf ("%d", (int) (p.y + dy));
  {
    const char *move[] = { "mousemove", "--sync", "--window", id, x, y, NULL };
    const char *down[] = { "mousedown", b, NULL };
    const char *up[] = { "mouseup", b, NULL };

    /* GTK sees the pointer enter and move before the button goes down,
     * and the press before the release, as with a real mouse. */
    run_xdotool (move);
    iterate_for (150);
    run_xdotool (down);
    iterate_for (80);
    run_xdotool (up);
    iterate_for (80);
  }
}
