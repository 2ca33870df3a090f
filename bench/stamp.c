/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stamp: prints CLOCK_REALTIME in nanoseconds as it starts, then exits.
 * record-overhead.sh runs it under a recorder to time start and stop. */

#include <stdio.h>
#include <time.h>

int
main (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  printf ("%lld\n", (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
  return 0;
}
