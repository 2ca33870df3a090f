/* SPDX-License-Identifier: GPL-3.0-or-later */
/* reach-bus-util.h: a private system bus that activates sysprofd on demand
 * (DBUS_SYSTEM_BUS_ADDRESS points at it), for the reach tests.  Its socket
 * is in the caller's tmpdir, which polkitd (running as its own user) must
 * be able to reach: without polkit, sysprofd refuses every call that
 * needs authorization ("Not authorized to make request"), even root's. */

#pragma once

#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static GPid bus_pid;

/* ---- the private system bus ------------------------------------------- */

/* The bus ends with the test, even when an assertion aborts it; sysprofd
 * and polkitd, which it starts, exit when their bus goes. */
static inline void
bus_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static inline gboolean
start_bus (const char *tmpdir)
{
  g_autofree char *conf = g_build_filename (tmpdir, "bus.conf", NULL);
  g_autofree char *socket = g_build_filename (tmpdir, "system_bus_socket", NULL);
  g_autofree char *xml = g_strdup_printf ("<busconfig><type>system</type><listen>unix:path=%s</listen>"
                                          "<auth>EXTERNAL</auth>"
                                          "<servicedir>/usr/share/dbus-1/system-services</servicedir>"
                                          "<policy context=\"default\"><allow send_destination=\"*\"/>"
                                          "<allow receive_sender=\"*\"/><allow own=\"*\"/><allow user=\"*\"/>"
                                          "</policy></busconfig>", socket);
  g_autofree char *config_arg = g_strdup_printf ("--config-file=%s", conf);
  g_autofree char *address = g_strdup_printf ("unix:path=%s", socket);
  const char *argv[] = { "dbus-daemon", config_arg, "--nofork", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (conf, xml, -1, NULL));
  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      bus_child_setup, NULL, &bus_pid, &error))
    return FALSE;
  for (int i = 0; i < 100 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  return g_file_test (socket, G_FILE_TEST_EXISTS);
}

/* The bus and what it activated (sysprofd, polkitd), by PID. */
static inline void
stop_bus (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  if (bus_pid <= 0)
    return;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/stat", name);
      g_autofree char *stat = NULL;
      const char *paren;
      int ppid = 0;
      char state;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      paren = strrchr (stat, ')');
      if (paren != NULL && sscanf (paren + 1, " %c %d", &state, &ppid) == 2 && ppid == bus_pid)
        kill (atoi (name), SIGTERM);
    }
  kill (bus_pid, SIGTERM);
  waitpid (bus_pid, NULL, 0);
  bus_pid = 0;
}

