/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-unwind: per-sample cost of scorch_unwinder_unwind() on a real
 * self-sampled stack (registers + 8 KiB stack copy, as perf's default
 * --call-graph dwarf), warm caches, median of several rounds.
 *
 *   bench-unwind [N_SAMPLES] [STACK_BYTES] [auto|cfi|libunwind]
 *
 * bench/bench-unwind.sh compares it with perf report on a DWARF capture. */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "scorch-unwinder.h"
#include "unwind-chain.h"

static GArray *maps;

static void
load_maps (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  maps = g_array_new (FALSE, TRUE, sizeof (ScorchMapping));
  g_file_get_contents ("/proc/self/maps", &contents, NULL, NULL);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end, pgoff, ino;
      unsigned int maj, min;
      char perms[8];
      int pos = 0;
      ScorchMapping m = { 0 };

      if (sscanf (lines[i], "%llx-%llx %7s %llx %x:%x %llu %n",
                  &start, &end, perms, &pgoff, &maj, &min, &ino, &pos) < 7)
        continue;
      m = (ScorchMapping) { .start = start, .end = end, .pgoff = pgoff, .maj = maj, .min = min, .ino = ino };
      m.path = g_strdup (pos > 0 ? lines[i] + pos : "");
      g_array_append_val (maps, m);
    }
}

/* Binary search, as the reader's process table does. */
static const ScorchMapping *
find_mapping (gpointer user_data,
              gint32   pid,
              guint64  addr)
{
  guint lo = 0, hi = maps->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      const ScorchMapping *m = &g_array_index (maps, ScorchMapping, mid);

      if (addr < m->start)
        hi = mid;
      else if (addr >= m->end)
        lo = mid + 1;
      else
        return m;
    }
  return NULL;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static UnwindChainSample sample;

int
main (int    argc,
      char **argv)
{
  guint n_samples = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  gsize stack_bytes = argc > 2 ? (gsize) atoi (argv[2]) : 8192;
  const char *engine_name = argc > 3 ? argv[3] : "auto";
  ScorchUnwindEngine engine;
  guint64 n_unwound = 0, n_libunwind = 0;
  ScorchUnwinder *unw;
  guint64 ips[SCORCH_UNWIND_MAX_DEPTH];
  double rounds[7];
  guint depth = 0;
  gboolean truncated = FALSE;
  gint32 pid = getpid ();   /* a system call: not in the timed loop */
  ScorchUnwindRegs regs;

  if (g_str_equal (engine_name, "auto"))
    engine = SCORCH_UNWIND_ENGINE_AUTO;
  else if (g_str_equal (engine_name, "cfi"))
    engine = SCORCH_UNWIND_ENGINE_CACHED_CFI;
  else if (g_str_equal (engine_name, "libunwind"))
    engine = SCORCH_UNWIND_ENGINE_LIBUNWIND;
  else
    {
      fprintf (stderr, "unknown engine %s (auto, cfi or libunwind)\n", engine_name);
      return 1;
    }
  load_maps ();
  unwind_chain_run (&sample, stack_bytes);
  regs = (ScorchUnwindRegs) { UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                              sample.stack, sample.stack_len, sample.sp };
  unw = scorch_unwinder_new (find_mapping, NULL);
  scorch_unwinder_set_engine (unw, engine);

  for (guint r = 0; r < G_N_ELEMENTS (rounds); r++)
    {
      gint64 t0 = g_get_monotonic_time ();

      for (guint i = 0; i < n_samples; i++)
        depth = scorch_unwinder_unwind (unw, pid, &regs, ips, G_N_ELEMENTS (ips), &truncated);
      rounds[r] = (double) (g_get_monotonic_time () - t0) * 1000.0 / n_samples;
    }
  qsort (rounds, G_N_ELEMENTS (rounds), sizeof (double), cmp_double);
  scorch_unwinder_get_stats (unw, &n_unwound, &n_libunwind);
  printf ("engine %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " samples unwound by libunwind\n",
          engine_name, n_libunwind, n_unwound);
  printf ("unwind: %u samples x %u rounds, depth %u frames%s, stack copy %zu bytes\n",
          n_samples, (guint) G_N_ELEMENTS (rounds), depth, truncated ? " (truncated)" : "",
          sample.stack_len);
  printf ("median %.0f ns/sample (%.1f ns/frame), min %.0f, max %.0f\n",
          rounds[G_N_ELEMENTS (rounds) / 2], rounds[G_N_ELEMENTS (rounds) / 2] / MAX (depth, 1),
          rounds[0], rounds[G_N_ELEMENTS (rounds) - 1]);
  scorch_unwinder_free (unw);
  return 0;
}
