/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-annotate.c: how long opening the source view of a function takes
 * (ScorchAnnotation: its sampled addresses, line tables, disassembly and
 * source), on a capture loaded once.  See bench/annotate.sh. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "scorch-annotate.h"
#include "scorch-loader.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  guint32 frame;
  int runs = argc > 3 ? atoi (argv[3]) : 10;
  double *times;
  gint64 t0;
  double load;

  if (argc < 3)
    {
      fprintf (stderr, "usage: bench-annotate FILE FUNCTION [RUNS]\n");
      return 2;
    }
  t0 = g_get_monotonic_time ();
  profile = scorch_load_sync (argv[1], SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  if (profile == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  load = (g_get_monotonic_time () - t0) / 1000.0;
  if (!scorch_annotate_find_frame (profile, argv[2], &frame, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  runs = CLAMP (runs, 1, 1000);
  times = g_new (double, runs);
  for (int i = 0; i < runs; i++)
    {
      g_autoptr(ScorchAnnotation) a = NULL;
      ScorchAnnotateOptions options = { 0, };

      t0 = g_get_monotonic_time ();
      a = scorch_annotation_new (profile, frame, &options, NULL, &error);
      times[i] = (g_get_monotonic_time () - t0) / 1000.0;
      if (a == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      if (i == 0)
        {
          guint n_lines, n_insns, n_addr = 0;

          scorch_annotation_get_lines (a, &n_lines);
          scorch_annotation_get_insns (a, &n_insns);
          scorch_addr_samples_get_samples (scorch_profile_get_addr_samples (profile), &n_addr);
          printf ("capture: %" G_GUINT64_FORMAT " samples, %u sampled addresses, loaded in %.0f ms\n",
                  scorch_profile_get_n_all_samples (profile), n_addr, load);
          printf ("%s: %" G_GUINT64_FORMAT " self, %" G_GUINT64_FORMAT " total samples, %u lines, %u instructions\n",
                  argv[2], scorch_annotation_get_self (a), scorch_annotation_get_total (a), n_lines, n_insns);
        }
    }
  printf ("first open %.1f ms\n", times[0]);
  qsort (times, runs, sizeof *times, compare_doubles);
  printf ("annotate %s: median %.1f ms, min %.1f ms, max %.1f ms over %d runs\n",
          argv[2], times[runs / 2], times[0], times[runs - 1], runs);
  g_free (times);
  return 0;
}
