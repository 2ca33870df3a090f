/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-offcpu.c: the off-CPU test's workload.  The main thread repeats a
 * 100 ms cycle: 30 ms computing (offcpu_compute), 50 ms in nanosleep
 * (offcpu_sleep) and 20 ms blocked in read() on a pipe (offcpu_wait_pipe)
 * that a child process ("offcpu-peer") answers 20 ms after each request.
 * Usage: scorch-wl-offcpu [SECONDS] (default 2).  At the end it prints the
 * wall-clock seconds each phase took, as it measured them:
 * "compute S sleep S wait S" (a busy machine stretches them). */

#include <stdio.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double
now (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Computes for a wall-clock time: on a busy machine the time it is
 * preempted counts here too, so the wall-clock shares stay 30/50/20. */
__attribute__((noinline)) void
offcpu_compute (double seconds)
{
  double end = now (CLOCK_MONOTONIC) + seconds;

  while (now (CLOCK_MONOTONIC) < end)
    for (int i = 0; i < 10000; i++)
      sink += i * sink + 1;
}

__attribute__((noinline)) void
offcpu_sleep (double seconds)
{
  struct timespec ts = { 0, (long) (seconds * 1e9) };

  nanosleep (&ts, NULL);
}

__attribute__((noinline)) void
offcpu_wait_pipe (int request, int answer)
{
  char c = 'r';

  if (write (request, &c, 1) != 1 || read (answer, &c, 1) != 1)
    exit (3);
}

static void
peer (int request, int answer)
{
  char c;

  prctl (PR_SET_NAME, "offcpu-peer");
  while (read (request, &c, 1) == 1)
    {
      struct timespec ts = { 0, 20 * 1000 * 1000 };

      nanosleep (&ts, NULL);
      if (write (answer, &c, 1) != 1)
        break;
    }
  _exit (0);
}

int
main (int    argc,
      char **argv)
{
  double seconds = argc > 1 ? atof (argv[1]) : 2.0;
  int req[2], ans[2];
  pid_t child;
  double end;
  double spent[3] = { 0 };

  if (pipe (req) != 0 || pipe (ans) != 0)
    return 2;
  child = fork ();
  if (child < 0)
    return 2;
  if (child == 0)
    {
      close (req[1]);
      close (ans[0]);
      peer (req[0], ans[1]);
    }
  close (req[0]);
  close (ans[1]);

  end = now (CLOCK_MONOTONIC) + seconds;
  while (now (CLOCK_MONOTONIC) < end)
    {
      double t0 = now (CLOCK_MONOTONIC), t1, t2;

      offcpu_compute (0.030);
      t1 = now (CLOCK_MONOTONIC);
      offcpu_sleep (0.050);
      t2 = now (CLOCK_MONOTONIC);
      offcpu_wait_pipe (req[1], ans[0]);
      spent[0] += t1 - t0;
      spent[1] += t2 - t1;
      spent[2] += now (CLOCK_MONOTONIC) - t2;
    }
  printf ("compute %.6f sleep %.6f wait %.6f\n", spent[0], spent[1], spent[2]);
  fflush (stdout);
  close (req[1]);
  waitpid (child, NULL, 0);
  return 0;
}
