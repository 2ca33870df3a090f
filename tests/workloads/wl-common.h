/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-common.h: shared helpers of the recorder's workload programs */

#pragma once

#include <stdlib.h>
#include <time.h>

/* The same loop body in every hot function, so that time is proportional
 * to the iteration count. volatile keeps the compiler from folding it. */
#define WL_SPIN(iterations)                         \
  do {                                              \
    volatile unsigned long wl_acc = 0;              \
    for (unsigned long wl_i = 0; wl_i < (iterations); wl_i++) \
      wl_acc += wl_i ^ (wl_acc >> 3);               \
  } while (0)

static inline double
wl_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double
wl_seconds (int argc, char **argv, double fallback)
{
  return argc > 1 ? atof (argv[1]) : fallback;
}
