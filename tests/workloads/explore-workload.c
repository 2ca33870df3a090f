/* SPDX-License-Identifier: GPL-3.0-or-later */
/* explore-workload.c: a program with a known profile for the app's tests.
 *
 * The main thread ("explore-main") spends its time in explore_hot_loop;
 * a second thread ("explore-worker") in explore_worker_loop, for about a
 * third as long.  Runs for argv[1] milliseconds (default 800).
 */

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

__attribute__((noinline)) static void
explore_hot_loop (double until)
{
  while (now_ms () < until)
    for (unsigned long i = 0; i < 20000; i++)
      sink += i * i;
}

__attribute__((noinline)) static void
explore_worker_loop (double until)
{
  while (now_ms () < until)
    for (unsigned long i = 0; i < 20000; i++)
      sink ^= i + (sink << 1);
}

static void *
worker_main (void *data)
{
  double until = *(double *) data;

  pthread_setname_np (pthread_self (), "explore-worker");
  explore_worker_loop (until);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  double duration = argc > 1 ? atof (argv[1]) : 800;
  double start = now_ms ();
  double worker_until = start + duration / 3;
  pthread_t worker;

  pthread_setname_np (pthread_self (), "explore-main");
  if (pthread_create (&worker, NULL, worker_main, &worker_until) != 0)
    return 1;
  explore_hot_loop (start + duration);
  pthread_join (worker, NULL);
  return 0;
}
