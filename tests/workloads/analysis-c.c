/* SPDX-License-Identifier: GPL-3.0-or-later */
/* analysis-c.c: a C workload with a known call structure for the analysis
 * tests: main -> run -> {hot_a, mid -> {hot_b, hot_c}}, plus recursion.
 * Usage: analysis-c SECONDS */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void hot_a (unsigned long n);
void hot_b (unsigned long n);
void hot_c (unsigned long n);
unsigned long recurse (unsigned depth, unsigned long n);
void mid (unsigned long n);
void run (unsigned long n);

static volatile unsigned long sink;

__attribute__((noinline)) void
hot_a (unsigned long n)
{
  for (unsigned long i = 0; i < n; i++)
    sink += i * i;
}

__attribute__((noinline)) void
hot_b (unsigned long n)
{
  for (unsigned long i = 0; i < n; i++)
    sink ^= i * 7;
}

__attribute__((noinline)) void
hot_c (unsigned long n)
{
  for (unsigned long i = 0; i < n; i++)
    sink += i >> 3;
}

__attribute__((noinline)) unsigned long
recurse (unsigned depth,
         unsigned long n)
{
  if (depth == 0)
    {
      hot_c (n);
      return sink;
    }
  return recurse (depth - 1, n) + 1;
}

__attribute__((noinline)) void
mid (unsigned long n)
{
  hot_b (n);
  recurse (5, n / 2);
  sink++;
}

__attribute__((noinline)) void
run (unsigned long n)
{
  hot_a (n);
  mid (n);
  sink++;
}

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int    argc,
      char **argv)
{
  double secs = argc > 1 ? atof (argv[1]) : 1.0;
  double end = now () + secs;

  while (now () < end)
    run (200000);
  return 0;
}
