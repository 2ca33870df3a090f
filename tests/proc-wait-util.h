/* SPDX-License-Identifier: GPL-3.0-or-later */
/* proc-wait-util.h: waits on another process's state in /proc, for tests
 * that spawn a program and then look at it or record it.  A fixed sleep
 * is a guess at how long the machine takes; on a loaded machine (two tests
 * at once, the sanitizer build) the guess runs out first.  These wait for
 * the state itself, up to a deadline far beyond any normal run, and fail
 * the test with what they waited for when it passes. */

#pragma once

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Seconds: long enough that only a hang reaches it. */
#define PROC_WAIT_DEADLINE 60

/* Polls CHECK (DATA) every 10 ms until it is TRUE; fails the test with
 * WHAT after PROC_WAIT_DEADLINE seconds. */
static inline void
proc_wait_until (gboolean  (*check) (gpointer data),
                 gpointer    data,
                 const char *what)
{
  gint64 end = g_get_monotonic_time () + PROC_WAIT_DEADLINE * G_USEC_PER_SEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("waited %d s for %s", PROC_WAIT_DEADLINE, what);
      g_usleep (10000);
    }
}

typedef struct
{
  GPid  pid;
  char *exe;
} ProcWaitExec;

static inline gboolean
proc_wait_exec_check (gpointer data)
{
  ProcWaitExec *w = data;
  g_autofree char *link = g_strdup_printf ("/proc/%d/exe", (int) w->pid);
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL && strcmp (target, w->exe) == 0;
}

/* Waits until PID runs PROGRAM (a path, or a name looked up in PATH):
 * g_spawn_async() returns before the child has exec'd, and a wrapper
 * such as setpriv execs once more with the same PID. */
static inline void
proc_wait_for_exec (GPid        pid,
                    const char *program)
{
  g_autofree char *found = strchr (program, '/') != NULL ? g_strdup (program) : g_find_program_in_path (program);
  g_autofree char *what = g_strdup_printf ("process %d to exec %s", (int) pid, program);
  ProcWaitExec w = { pid, NULL };

  g_assert_nonnull (found);
  w.exe = realpath (found, NULL);
  g_assert_nonnull (w.exe);
  proc_wait_until (proc_wait_exec_check, &w, what);
  free (w.exe);
}

/* CPU time (user + system) PID has used, in seconds; -1 when it is gone. */
static inline double
proc_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *p;
  unsigned long long utime, stime;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (p = strrchr (stat, ')')) == NULL)
    return -1;
  /* after "(comm)": state, then fields 4..13, then utime and stime */
  if (sscanf (p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
    return -1;
  return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

typedef struct
{
  GPid   pid;
  double seconds;
} ProcWaitCpu;

static inline gboolean
proc_wait_cpu_check (gpointer data)
{
  ProcWaitCpu *w = data;

  return proc_cpu_seconds (w->pid) >= w->seconds;
}

/* Waits until PID has run SECONDS of CPU time: a workload recorded at a
 * known rate of CPU time then has its samples however busy the machine. */
static inline void
proc_wait_for_cpu (GPid   pid,
                   double seconds)
{
  g_autofree char *what = g_strdup_printf ("process %d to run %.2f s of CPU time", (int) pid, seconds);
  ProcWaitCpu w = { pid, seconds };

  proc_wait_until (proc_wait_cpu_check, &w, what);
}

static inline gboolean
proc_wait_child_check (gpointer data)
{
  GPid *pid = data;
  g_autofree char *task_dir = g_strdup_printf ("/proc/%d/task", (int) pid[0]);
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/children", task_dir, name);
      g_autofree char *children = NULL;

      if (g_file_get_contents (path, &children, NULL, NULL) && atoi (children) > 0)
        {
          pid[1] = atoi (children);
          return TRUE;
        }
    }
  return FALSE;
}

/* Waits until PID has a child (of any of its threads: a recorder spawns
 * its workload from a worker thread) and returns the child's PID. */
static inline GPid
proc_wait_for_child (GPid pid)
{
  g_autofree char *what = g_strdup_printf ("process %d to start a child", (int) pid);
  GPid pids[2] = { pid, 0 };

  proc_wait_until (proc_wait_child_check, pids, what);
  return pids[1];
}
