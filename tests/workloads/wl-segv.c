/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-segv: spins in doomed for SECONDS (argv[1], default 0.5), then
 * dereferences a null pointer. */

#include "wl-common.h"

void doomed (double seconds);

void
doomed (double seconds)
{
  double end = wl_now () + seconds;
  volatile int *volatile nowhere = NULL;

  do
    WL_SPIN (200000UL);
  while (wl_now () < end);
  *nowhere = 42;
}

int
main (int argc, char **argv)
{
  doomed (wl_seconds (argc, argv, 0.5));
  return 0;
}
