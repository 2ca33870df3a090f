/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-source-view.c: opening the source view window of a function, from
 * scorch_source_view_new() until the annotation is shown and the window
 * has drawn (the capture is loaded first).  Needs a display: run it under
 * tests/run-under-xvfb.sh (bench/annotate.sh does with APP=1). */

#include "config.h"

#include <stdio.h>

#include "scorch-annotate.h"
#include "scorch-loader.h"
#include "scorch-source-view.h"

static gboolean drawn;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  drawn = TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  guint32 frame;
  int runs = argc > 3 ? atoi (argv[3]) : 5;

  if (argc < 3)
    {
      fprintf (stderr, "usage: bench-source-view FILE FUNCTION [RUNS]\n");
      return 2;
    }
  gtk_init ();
  adw_init ();
  profile = scorch_load_sync (argv[1], SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  if (profile == NULL || !scorch_annotate_find_frame (profile, argv[2], &frame, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  for (int i = 0; i < CLAMP (runs, 1, 100); i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      ScorchSourceView *view = scorch_source_view_new (NULL, profile, frame);
      GdkFrameClock *clock;
      gulong id;
      double loaded_ms;

      gtk_window_present (GTK_WINDOW (view));
      while (!scorch_source_view_is_loaded (view))
        g_main_context_iteration (NULL, TRUE);
      loaded_ms = (g_get_monotonic_time () - t0) / 1000.0;
      drawn = FALSE;
      clock = gtk_widget_get_frame_clock (GTK_WIDGET (view));
      id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
      gtk_widget_queue_draw (GTK_WIDGET (view));
      while (!drawn)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (clock, id);
      printf ("source view %s: shown %.1f ms, drawn %.1f ms\n", argv[2], loaded_ms,
              (g_get_monotonic_time () - t0) / 1000.0);
      gtk_window_destroy (GTK_WINDOW (view));
      for (int k = 0; k < 20; k++)
        g_main_context_iteration (NULL, FALSE);
    }
  return 0;
}
