/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-forkexec: forks a child that execs scorch-wl-shares (next to this
 * program) for SECONDS (argv[1], default 1.5) while the parent spins in
 * parent_spin; waits for the child. */

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wl-common.h"

void parent_spin (double seconds);

void
parent_spin (double seconds)
{
  double end = wl_now () + seconds;
  do
    WL_SPIN (200000UL);
  while (wl_now () < end);
}

int
main (int argc, char **argv)
{
  double seconds = wl_seconds (argc, argv, 1.5);
  char self[PATH_MAX], path[PATH_MAX + 32], arg[32];
  ssize_t len = readlink ("/proc/self/exe", self, sizeof self - 1);
  pid_t pid;
  int status;

  if (len < 0)
    return 1;
  self[len] = '\0';
  snprintf (path, sizeof path, "%s/scorch-wl-shares", dirname (self));
  snprintf (arg, sizeof arg, "%g", seconds);

  pid = fork ();
  if (pid == 0)
    {
      execl (path, "scorch-wl-shares", arg, (char *) NULL);
      perror (path);
      _exit (127);
    }
  parent_spin (seconds);
  waitpid (pid, &status, 0);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 1;
}
