/* SPDX-License-Identifier: GPL-3.0-or-later */
/* analysis-inline.c: a hot function inlined into its caller (built -O2 -g).
 * Usage: analysis-inline SECONDS */

#include <stdlib.h>
#include <time.h>

void outer_caller (unsigned long n);

static volatile unsigned long sink;

static inline __attribute__((always_inline)) void
inlined_square_loop (unsigned long n)
{
  for (unsigned long i = 0; i < n; i++)
    sink += i * i;
}

__attribute__((noinline)) void
outer_caller (unsigned long n)
{
  inlined_square_loop (n);
  sink++;
}

int
main (int    argc,
      char **argv)
{
  double secs = argc > 1 ? atof (argv[1]) : 1.0;
  struct timespec ts;
  double end;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  end = ts.tv_sec + ts.tv_nsec / 1e9 + secs;
  for (;;)
    {
      outer_caller (200000);
      clock_gettime (CLOCK_MONOTONIC, &ts);
      if (ts.tv_sec + ts.tv_nsec / 1e9 >= end)
        break;
    }
  return 0;
}
