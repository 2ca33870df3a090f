/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-leaves.c: a workload with a known call structure for the leaf repair
 * of frame-pointer stacks (--call-graph fp+repair).  Built with the
 * distribution's default flags plus -fno-omit-frame-pointer, which keeps
 * the frame in every function that calls another but not in leaves: a
 * sample in a leaf has the leaf's caller missing from the kernel's
 * frame-pointer chain.
 *
 * The call structure (caller -> callee), and nothing else between these
 * functions:
 *   main          -> update_world, spawn (pthread_create, not sampled)
 *   update_world  -> physics_step, render, draw_leaf (render's tail call),
 *                    recurse
 *   physics_step  -> leaf_sqrtish
 *   render        -> draw_leaf (a tail call: render's frame is gone)
 *   recurse       -> recurse, leaf_hash
 *   thread_main   -> leaf_hash, leaf_mix
 * Leaves (no frame): leaf_sqrtish, draw_leaf, leaf_hash, leaf_mix.
 *
 * Usage: wl-leaves [SECONDS]  (default 2) */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__ ((noinline, noclone))

static volatile int stop;
volatile double sink_d;
volatile unsigned long sink_u;

NOINLINE static double
leaf_sqrtish (double x)
{
  double y = x;

  for (int i = 0; i < 400; i++)
    y = (y + x / y) * 0.5;
  return y;
}

NOINLINE static double
physics_step (double x)
{
  double r = leaf_sqrtish (x);

  /* keep the frame: work after the call */
  return r + x * 0.25;
}

NOINLINE static unsigned long
draw_leaf (unsigned long x)
{
  for (int i = 0; i < 600; i++)
    x = x * 6364136223846793005ul + 1442695040888963407ul;
  return x;
}

NOINLINE static unsigned long
render (unsigned long x)
{
  /* a little work of its own, then a tail call */
  for (int i = 0; i < 200; i++)
    x ^= (x >> 7) + (unsigned long) i;
  return draw_leaf (x);
}

NOINLINE static unsigned long
leaf_hash (unsigned long x)
{
  for (int i = 0; i < 500; i++)
    {
      x ^= x >> 33;
      x *= 0xff51afd7ed558ccdul;
    }
  return x;
}

NOINLINE static unsigned long
leaf_mix (unsigned long x)
{
  for (int i = 0; i < 300; i++)
    x = (x << 13 | x >> 51) + 0x9e3779b97f4a7c15ul;
  return x;
}

NOINLINE static unsigned long
recurse (int depth,
         unsigned long x)
{
  unsigned long r;

  if (depth == 0)
    return leaf_hash (x);
  r = recurse (depth - 1, x ^ (unsigned long) depth);
  /* no accumulator form for the compiler to turn into a loop */
  __asm__ volatile ("" : "+r" (r));
  return r + (unsigned long) depth;
}

NOINLINE static void
update_world (unsigned long i)
{
  sink_d = physics_step ((double) (i % 1000) + 2.0);
  sink_u = render (i);
  sink_u = recurse (3, i);
}

static void *
thread_main (void *data)
{
  unsigned long x = (unsigned long) data;

  while (!stop)
    {
      x = leaf_hash (x);
      x = leaf_mix (x);
    }
  sink_u = x;
  return NULL;
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
  double seconds = argc > 1 ? atof (argv[1]) : 2.0;
  double end = now () + seconds;
  pthread_t thread;
  unsigned long i = 1;

  if (pthread_create (&thread, NULL, thread_main, (void *) 12345ul) != 0)
    return 1;
  while (now () < end)
    for (int k = 0; k < 64; k++)
      update_world (i++);
  stop = 1;
  pthread_join (thread, NULL);
  return 0;
}
