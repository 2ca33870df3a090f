/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-shares: CPU-bound, main calls a (60% of the time), b (30%) and c (10%)
 * until SECONDS (argv[1], default 2) have passed, or exactly ROUNDS rounds
 * when argv[2] gives them (fixed work, for benchmarks). */

#include "wl-common.h"

#define UNIT 20000UL

void a (void);
void b (void);
void c (void);

void
a (void)
{
  WL_SPIN (6 * UNIT);
}

void
b (void)
{
  WL_SPIN (3 * UNIT);
}

void
c (void)
{
  WL_SPIN (1 * UNIT);
}

int
main (int argc, char **argv)
{
  double end = wl_now () + wl_seconds (argc, argv, 2.0);
  long rounds = argc > 2 ? atol (argv[2]) : -1;

  do
    {
      for (int i = 0; i < 16; i++)
        {
          a ();
          b ();
          c ();
        }
    }
  while (rounds > 0 ? --rounds > 0 : (rounds < 0 && wl_now () < end));
  return 0;
}
