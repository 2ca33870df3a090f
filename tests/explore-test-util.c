/* SPDX-License-Identifier: GPL-3.0-or-later */
/* explore-test-util.c: shared helpers of the explore views' UI tests */

#include "config.h"

#include <stdlib.h>

#include "explore-test-util.h"
#include "render-test-util.h"

ScorchProfile *
explore_test_profile (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  guint32 main_f, compute, hot, warm, io, parse;
  guint64 t0 = 1000000000;

  main_f = scorch_profile_builder_intern_frame (builder, "main", "/usr/bin/workload", "workload.c", 10, SCORCH_FRAME_KIND_USER);
  compute = scorch_profile_builder_intern_frame (builder, "compute", "/usr/bin/workload", "workload.c", 20, SCORCH_FRAME_KIND_USER);
  hot = scorch_profile_builder_intern_frame (builder, "hot_leaf", "/usr/bin/workload", "workload.c", 30, SCORCH_FRAME_KIND_USER);
  warm = scorch_profile_builder_intern_frame (builder, "warm", "/usr/lib/libwarm.so", NULL, 0, SCORCH_FRAME_KIND_USER);
  io = scorch_profile_builder_intern_frame (builder, "io_wait", "[kernel.kallsyms]", NULL, 0, SCORCH_FRAME_KIND_KERNEL);
  parse = scorch_profile_builder_intern_frame (builder, "Parse_Config", "/usr/bin/workload", "config.c", 5, SCORCH_FRAME_KIND_USER);

  scorch_profile_builder_set_thread_name (builder, 100, 100, "main-thread");
  scorch_profile_builder_set_thread_name (builder, 100, 101, "worker");

  for (guint i = 0; i < 85; i++)
    {
      guint32 stack[3] = { main_f, compute, i < 60 ? hot : warm };
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = t0 + i * (1000000000 / 85), .pid = 100, .tid = 100,
                                                                           .frames = stack, .n_frames = 3, .weight = 1 });
    }
  for (guint i = 0; i < 15; i++)
    {
      guint32 stack[2] = { main_f, i < 10 ? io : parse };
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = t0 + 1000000000 + i * (1000000000 / 15), .pid = 100, .tid = 101,
                                                                           .frames = stack, .n_frames = 2, .weight = 1 });
    }

  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

guint32
explore_test_frame (ScorchProfile *profile,
                    const char    *name)
{
  guint n_frames = 0;
  const ScorchFrame *frames = scorch_profile_get_frames (profile, &n_frames);

  for (guint i = 0; i < n_frames; i++)
    if (g_strcmp0 (frames[i].function, name) == 0)
      return i;
  g_error ("no frame named %s", name);
  return 0;
}

void
explore_test_run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

void
explore_test_wait_for (gboolean  (*cond) (gpointer data),
                       gpointer    data,
                       const char *what)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("waited 30 s for %s", what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *n_frames)
{
  (*n_frames)++;
}

void
explore_test_wait_drawn (GtkWidget *widget)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GdkFrameClock *clock;
  guint n_frames = 0;
  gulong handler;

  while (!gtk_widget_get_mapped (root) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_mapped (root));

  clock = gtk_widget_get_frame_clock (root);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &n_frames);
  for (guint target = 1; target <= 2; target++)
    {
      gtk_widget_queue_draw (root);
      while (n_frames < target && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (n_frames, >=, 2);
}

GtkWindow *
explore_test_window (GtkWidget *widget,
                     int        width,
                     int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, widget);
  gtk_window_present (window);
  explore_test_wait_drawn (widget);
  return window;
}

GtkWidget *
explore_test_find_inscription (GtkWidget  *widget,
                               const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = explore_test_find_inscription (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
explore_test_set_dark (gboolean dark)
{
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", dark, NULL);
}

double
explore_test_screenshot (GtkWidget  *widget,
                         const char *name)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_BUILT), name, NULL);
  g_autofree guchar *pixels = NULL;
  int width, height;
  GskRenderer *renderer;
  guint32 first;
  gsize differ = 0;

  explore_test_wait_drawn (widget);
  width = gtk_widget_get_width (root);
  height = gtk_widget_get_height (root);
  node = render_test_widget_node (root, width, height);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (root));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%dx%d)", path, width, height);

  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  first = ((guint32 *) pixels)[0];
  for (gsize i = 0; i < (gsize) width * height; i++)
    if (((guint32 *) pixels)[i] != first)
      differ++;
  return (double) differ / ((double) width * height);
}
