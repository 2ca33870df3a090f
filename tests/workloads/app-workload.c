/* SPDX-License-Identifier: GPL-3.0-or-later */
/* app-workload.c: the program recorded by the app tests.
 *
 *   main ── run ─┬─ hot_loop (about 80% of the time) ── hot_leaf
 *                └─ cold_loop
 *
 * Usage: app-workload [SECONDS] (default 30; stops earlier on SIGTERM/SIGINT).
 * Prints a line a second on stdout, so the app's output view has text. */

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static NOINLINE uint64_t
hot_leaf (uint64_t x)
{
  for (int i = 0; i < 2000; i++)
    x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

static NOINLINE void
hot_loop (void)
{
  for (int i = 0; i < 40; i++)
    sink += hot_leaf (sink + i);
}

static NOINLINE void
cold_loop (void)
{
  for (int i = 0; i < 20000; i++)
    sink ^= (sink >> 3) + i;
}

static NOINLINE void
run (double seconds)
{
  double start = now_seconds ();
  double last = start;

  while (now_seconds () - start < seconds)
    {
      hot_loop ();
      cold_loop ();
      if (now_seconds () - last >= 1.0)
        {
          last = now_seconds ();
          printf ("app-workload: working (%.0f s)\n", last - start);
          fflush (stdout);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  double seconds = argc > 1 ? strtod (argv[1], NULL) : 30.0;

  printf ("app-workload: start\n");
  fflush (stdout);
  fprintf (stderr, "app-workload: this line goes to stderr\n");
  run (seconds);
  printf ("app-workload: done\n");
  return 0;
}
