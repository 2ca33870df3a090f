/* SPDX-License-Identifier: GPL-3.0-or-later */
/* annotate-workload.c: known hot lines for test-annotate, compiled at test
 * time with gcc and clang.  The markers in comments name the lines the
 * test looks for; keep each loop on its one line. */

#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static inline __attribute__((always_inline)) unsigned long
helper_mix (unsigned long x)
{
  for (int i = 0; i < 40; i++)
    x = x * 6364136223846793005UL + (x >> 11); /* HELPER_LINE */
  return x;
}

__attribute__((noinline)) unsigned long
hot_loop (unsigned long n)
{
  unsigned long acc = 1;

  for (unsigned long i = 0; i < n; i++) acc = acc * 2862933555777941757UL + (acc >> 7) + i; /* HOT_LINE */
  return acc;
}

__attribute__((noinline)) unsigned long
split_work (unsigned long n)
{
  unsigned long a = 1, b = 3;

  for (unsigned long i = 0; i < 7 * n; i++) a = a * 2862933555777941757UL + (a >> 5) + i; /* SPLIT70_LINE */
  for (unsigned long i = 0; i < 3 * n; i++) b = b * 3202034522624059733UL + (b >> 3) + i; /* SPLIT30_LINE */
  return a ^ b;
}

__attribute__((noinline)) unsigned long
with_inline (unsigned long n)
{
  unsigned long x = 5;

  for (unsigned long i = 0; i < n; i++)
    x = helper_mix (x + i); /* CALL_LINE */
  return x;
}

int
main (int    argc,
      char **argv)
{
  double seconds = argc > 1 ? atof (argv[1]) : 1.0;
  /* "hot": hot_loop only, so that it heads the hotspot table */
  int only_hot = argc > 2 && argv[2][0] == 'h';
  struct timespec t0, t;

  clock_gettime (CLOCK_MONOTONIC, &t0);
  do
    {
      /* the volatile sink in each argument: no call is hoisted out of the loop */
      sink += hot_loop (200000 + (sink & 1));
      if (!only_hot)
        {
          sink += split_work (20000 + (sink & 1));
          sink += with_inline (5000 + (sink & 1));
        }
      clock_gettime (CLOCK_MONOTONIC, &t);
    }
  while ((double) (t.tv_sec - t0.tv_sec) + (double) (t.tv_nsec - t0.tv_nsec) * 1e-9 < seconds);
  return 0;
}
