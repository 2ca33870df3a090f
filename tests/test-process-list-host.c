/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-process-list-host.c: the Record dialog's process list inside a
 * Flatpak lists the host's processes through sysprofd (here
 * SCORCH_PROC_SOURCE=sysprofd on a private system bus that activates it,
 * as root): a known child appears with the name, command line and owner
 * that this /proc gives.  Needs root and sysprofd (skips otherwise). */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "proc-wait-util.h"
#include "reach-bus-util.h"
#include "scorch-process-list.h"

#define SYSPROFD "/usr/libexec/sysprofd"

static char *tmpdir;

static void
mark (gboolean *flag)
{
  *flag = TRUE;
}

static void
test_host_list (void)
{
  const char *argv[] = { "sleep", "30", NULL };
  g_autoptr(ScorchProcessList) host = NULL;
  g_autoptr(ScorchProcessList) local = NULL;
  g_autoptr(GError) error = NULL;
  ScorchProcessItem *h, *l;
  GPid pid = 0;
  gint64 t0, t1;

  if (getuid () != 0)
    {
      g_test_skip ("needs root (sysprofd authorizes root without a polkit agent)");
      return;
    }
  if (!g_file_test (SYSPROFD, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("sysprofd is not installed (Debian package sysprof)");
      return;
    }
  if (!start_bus (tmpdir))
    {
      g_test_skip ("cannot start a private system bus");
      return;
    }
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                bus_child_setup, NULL, &pid, &error));
  g_assert_no_error (error);
  proc_wait_for_exec (pid, "sleep");   /* /proc names it sleep */

  g_setenv ("SCORCH_PROC_SOURCE", "proc", TRUE);
  local = scorch_process_list_new ();
  g_assert_false (scorch_process_list_get_host (local));
  scorch_process_list_refresh (local);

  g_setenv ("SCORCH_PROC_SOURCE", "sysprofd", TRUE);
  host = scorch_process_list_new ();
  g_assert_true (scorch_process_list_get_host (host));
  t0 = g_get_monotonic_time ();
  scorch_process_list_refresh (host);
  t1 = g_get_monotonic_time ();
  g_test_message ("host list: %u processes in %.1f ms (this /proc: %u)",
                  g_list_model_get_n_items (G_LIST_MODEL (host)), (t1 - t0) / 1000.0,
                  g_list_model_get_n_items (G_LIST_MODEL (local)));

  h = scorch_process_list_find (host, pid);
  l = scorch_process_list_find (local, pid);
  g_assert_nonnull (l);
  g_assert_nonnull (h);
  g_assert_cmpstr (scorch_process_item_get_name (h), ==, scorch_process_item_get_name (l));
  g_assert_cmpstr (scorch_process_item_get_name (h), ==, "sleep");
  g_assert_cmpstr (scorch_process_item_get_commandline (h), ==, scorch_process_item_get_commandline (l));
  g_assert_cmpstr (scorch_process_item_get_commandline (h), ==, "sleep 30");
  g_assert_cmpuint (scorch_process_item_get_uid (h), ==, scorch_process_item_get_uid (l));
  g_assert_cmpstr (scorch_process_item_get_user (h), ==, scorch_process_item_get_user (l));
  /* kernel threads stay out, as from /proc */
  g_assert_null (scorch_process_list_find (host, 2));

  /* a refresh keeps the item and sees the exit */
  t0 = g_get_monotonic_time ();
  scorch_process_list_refresh (host);
  g_test_message ("host list refreshed in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_true (scorch_process_list_find (host, pid) == h);
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);

  /* the timer's refresh reads in a worker and merges on this thread */
  {
    gboolean refreshed = FALSE;
    gulong id = g_signal_connect_swapped (host, "refreshed", G_CALLBACK (mark), &refreshed);

    scorch_process_list_update (host);
    g_assert_false (refreshed);
    g_assert_nonnull (scorch_process_list_find (host, pid));
    while (!refreshed)
      g_main_context_iteration (NULL, TRUE);
    g_signal_handler_disconnect (host, id);
  }
  g_assert_null (scorch_process_list_find (host, pid));

  stop_bus ();
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-plhost-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  /* polkitd (its own user) reaches the bus socket here */
  g_chmod (tmpdir, 0755);

  g_test_add_func ("/app/process-list/host-through-sysprofd", test_host_list);

  ret = g_test_run ();
  stop_bus ();
  {
    g_autofree char *conf = g_build_filename (tmpdir, "bus.conf", NULL);
    g_autofree char *socket = g_build_filename (tmpdir, "system_bus_socket", NULL);

    g_unlink (conf);
    g_unlink (socket);
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
