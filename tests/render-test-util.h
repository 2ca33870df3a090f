/* SPDX-License-Identifier: GPL-3.0-or-later */
/* render-test-util.h: a widget's render node for the screenshot tests.
 *
 * A GtkWidgetPaintable draws the render node the widget kept from its last
 * frame. Any queued redraw (a cursor blink, a late expose from the X
 * server, a tick of a busy machine) drops that node until the next frame,
 * and the paintable then draws nothing; so when it does, wait for a frame
 * and ask again instead of failing on a screenshot that was merely early. */

#pragma once

#include <gtk/gtk.h>

static inline void
render_test_after_paint_cb (GdkFrameClock *clock,
                            gpointer       data)
{
  *(gboolean *) data = TRUE;
}

/* WIDGET's render node at WIDTH × HEIGHT; NULL only if the widget drew
 * nothing for 10 s. */
static inline GskRenderNode *
render_test_widget_node (GtkWidget *widget,
                         int        width,
                         int        height)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      GskRenderNode *node;
      GdkFrameClock *clock;
      gboolean painted = FALSE;
      gulong handler;

      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node != NULL || g_get_monotonic_time () >= deadline)
        return node;

      clock = gtk_widget_get_frame_clock (widget);
      if (clock == NULL)
        return NULL;
      handler = g_signal_connect (clock, "after-paint", G_CALLBACK (render_test_after_paint_cb), &painted);
      gtk_widget_queue_draw (widget);
      while (!painted && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (clock, handler);
    }
}
