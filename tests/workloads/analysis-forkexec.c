/* SPDX-License-Identifier: GPL-3.0-or-later */
/* analysis-forkexec.c: forks; the child execs PROGRAM SECONDS while the
 * parent burns in parent_burn. Usage: analysis-forkexec PROGRAM SECONDS */

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void parent_burn (double secs);

static volatile unsigned long sink;

__attribute__((noinline)) void
parent_burn (double secs)
{
  struct timespec ts;
  double end;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  end = ts.tv_sec + ts.tv_nsec / 1e9 + secs;
  for (;;)
    {
      for (unsigned long i = 0; i < 100000; i++)
        sink += i;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      if (ts.tv_sec + ts.tv_nsec / 1e9 >= end)
        break;
    }
}

int
main (int    argc,
      char **argv)
{
  pid_t pid;
  int status;

  if (argc < 3)
    return 2;
  pid = fork ();
  if (pid == 0)
    {
      execl (argv[1], argv[1], argv[2], (char *) NULL);
      _exit (127);
    }
  parent_burn (atof (argv[2]));
  waitpid (pid, &status, 0);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
}
