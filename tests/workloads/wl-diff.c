/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-diff: main calls work ROUNDS times (argv[1], default 400); work calls
 * hot (HOT_FACTOR units) and steady (2 units) 16 times.  Built twice, with
 * HOT_FACTOR 1 and 2, for the diff test: hot's expected share is
 * HOT_FACTOR / (HOT_FACTOR + 2) of the samples. */

#include "wl-common.h"

#ifndef HOT_FACTOR
#define HOT_FACTOR 1
#endif

#define UNIT 20000UL

void hot (void);
void steady (void);
void work (void);

void
hot (void)
{
  WL_SPIN (HOT_FACTOR * UNIT);
}

void
steady (void)
{
  WL_SPIN (2 * UNIT);
}

void
work (void)
{
  for (int i = 0; i < 16; i++)
    {
      hot ();
      steady ();
    }
}

int
main (int argc, char **argv)
{
  long rounds = argc > 1 ? atol (argv[1]) : 400;

  for (long r = 0; r < rounds; r++)
    work ();
  return 0;
}
