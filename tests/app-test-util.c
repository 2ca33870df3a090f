/* SPDX-License-Identifier: GPL-3.0-or-later */
/* app-test-util.c: main-loop and screenshot helpers for application tests */

#include "config.h"

#include <string.h>

#include "app-test-util.h"
#include "render-test-util.h"

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
app_test_wait_for (AppTestCondition  cond,
                   gpointer          data,
                   guint             timeout_ms,
                   const char       *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("timed out after %u ms waiting for %s", timeout_ms, what);
  g_source_remove (id);
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *n_frames)
{
  (*n_frames)++;
}

static gboolean
painted (gpointer data)
{
  return *(guint *) data >= 1;
}

void
app_test_wait_until_drawn (GtkWidget *widget)
{
  GdkFrameClock *clock;
  guint n_frames = 0;
  gulong handler;

  app_test_wait_for (widget_is_mapped, widget, 10000, "the window to be mapped");

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &n_frames);
  for (guint i = 0; i < 2; i++)
    {
      n_frames = 0;
      gtk_widget_queue_draw (widget);
      app_test_wait_for (painted, &n_frames, 10000, "the window to be painted");
    }
  g_signal_handler_disconnect (clock, handler);
}

ScorchWindow *
app_test_get_main_window (ScorchApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      g_application_activate (G_APPLICATION (app));
      window = gtk_application_get_active_window (GTK_APPLICATION (app));
    }
  g_assert_true (SCORCH_IS_WINDOW (window));
  app_test_wait_until_drawn (GTK_WIDGET (window));

  return SCORCH_WINDOW (window);
}

GdkTexture *
app_test_render_widget (GtkWidget *widget)
{
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  node = render_test_widget_node (widget, width, height);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_assert_nonnull (renderer);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

GdkTexture *
app_test_save_screenshot (GtkWidget  *widget,
                          const char *name)
{
  GdkTexture *texture = app_test_render_widget (widget);
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_BUILT), name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%dx%d)", path,
                  gdk_texture_get_width (texture), gdk_texture_get_height (texture));
  return texture;
}

gboolean
app_test_label_shown (GtkWidget  *widget,
                      const char *text)
{
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_get_child_visible (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (app_test_label_shown (c, text))
      return TRUE;
  return FALSE;
}
