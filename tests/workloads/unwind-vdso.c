/* SPDX-License-Identifier: GPL-3.0-or-later */
/* unwind-vdso: spends its time in the vDSO's clock_gettime, called from
 * vdso_spin(), for the unwinder's test (built without frame pointers, so
 * only the vDSO's CFI leads out of it).  Usage: unwind-vdso [SECONDS] */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) long vdso_spin (long n);

__attribute__((noinline)) long
vdso_spin (long n)
{
  struct timespec ts;
  long acc = 0;

  for (long i = 0; i < n; i++)
    {
      clock_gettime (CLOCK_MONOTONIC, &ts);
      acc += ts.tv_nsec & 1;
    }
  return acc;
}

int
main (int    argc,
      char **argv)
{
  double seconds = argc > 1 ? atof (argv[1]) : 0.5;
  struct timespec start, now;
  long acc = 0;

  clock_gettime (CLOCK_MONOTONIC, &start);
  do
    {
      acc += vdso_spin (10000);
      clock_gettime (CLOCK_MONOTONIC, &now);
    }
  while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) * 1e-9 < seconds);
  printf ("%ld\n", acc & 1);
  return 0;
}
