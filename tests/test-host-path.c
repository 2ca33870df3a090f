/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the Flatpak host-path resolution (scorch-host-path.c): a host
 * capture's /usr/... file is found under the host root (/run/host in the
 * sandbox) only when its build id is the recorded one; a runtime copy of
 * the same path with another build id never lends its names, and a hostile
 * path or file is refused. */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "scorch-host-path.h"
#include "scorch-module.h"

static char *tmpdir;

static void
run (const char *cmd)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_test_message ("$ %s", cmd);
  if (!g_spawn_command_line_sync (cmd, &out, &err, &status, &error))
    g_error ("%s: %s", cmd, error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", cmd, out, err);
}

/* A shared library at path with the build id given in hex. */
static void
build_lib (const char *path,
           const char *build_id_hex)
{
  g_autofree char *src = g_build_filename (tmpdir, "lib.c", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *cmd = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (src, "int host_path_fn (int x) { return x + 1; }\n", -1, NULL));
  cmd = g_strdup_printf ("cc -O1 -shared -fPIC -Wl,--build-id=0x%s -o %s %s", build_id_hex, path, src);
  run (cmd);
}

static guint8 *
id_from_hex (const char *hex,
             guint      *len)
{
  guint n = strlen (hex) / 2;
  guint8 *id = g_new (guint8, n);

  for (guint i = 0; i < n; i++)
    id[i] = (g_ascii_xdigit_value (hex[2 * i]) << 4) | g_ascii_xdigit_value (hex[2 * i + 1]);
  *len = n;
  return id;
}

#define HOST_ID    "11223344556677889900aabbccddeeff00112233"
#define RUNTIME_ID "ffeeddccbbaa00998877665544332211ffeeddcc"

static void
test_by_build_id (void)
{
  g_autofree char *root = g_build_filename (tmpdir, "run-host", NULL);
  g_autofree char *host_lib = g_build_filename (root, "usr/lib/libhp.so", NULL);
  /* the same path under another root stands for the runtime's copy */
  g_autofree char *rt_root = g_build_filename (tmpdir, "runtime", NULL);
  g_autofree char *rt_lib = g_build_filename (rt_root, "usr/lib/libhp.so", NULL);
  g_autofree guint8 *host_id = NULL;
  g_autofree guint8 *rt_id = NULL;
  guint host_len, rt_len;
  ScorchModule *m;

  build_lib (host_lib, HOST_ID);
  build_lib (rt_lib, RUNTIME_ID);
  host_id = id_from_hex (HOST_ID, &host_len);
  rt_id = id_from_hex (RUNTIME_ID, &rt_len);

  /* The recorded build id is the host file's: found under the root. */
  m = _scorch_host_path_open_under (root, "/usr/lib/libhp.so", host_id, host_len);
  g_assert_nonnull (m);
  g_assert_cmpstr (scorch_module_get_path (m), ==, host_lib);
  g_assert_true (scorch_module_matches_build_id (m, host_id, host_len));
  scorch_module_unref (m);

  /* Recorded with the runtime copy's id: the host file is not it. */
  g_assert_null (_scorch_host_path_open_under (root, "/usr/lib/libhp.so", rt_id, rt_len));
  /* And the runtime's root never answers for the host's id. */
  g_assert_null (_scorch_host_path_open_under (rt_root, "/usr/lib/libhp.so", host_id, host_len));

  /* No build id recorded: nothing to check against, so no guess. */
  g_assert_null (_scorch_host_path_open_under (root, "/usr/lib/libhp.so", NULL, 0));
  /* A missing file. */
  g_assert_null (_scorch_host_path_open_under (root, "/usr/lib/libnone.so", host_id, host_len));
}

static void
test_hostile_paths (void)
{
  g_autofree char *root = g_build_filename (tmpdir, "run-host", NULL);
  g_autofree char *fifo = g_build_filename (root, "usr/lib/fifo.so", NULL);
  g_autofree char *dir = g_build_filename (root, "usr/lib/dir.so", NULL);
  g_autofree guint8 *host_id = NULL;
  guint host_len;

  host_id = id_from_hex (HOST_ID, &host_len);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  /* Relative, or climbing out of the root: refused before any open. */
  g_assert_null (_scorch_host_path_open_under (root, "usr/lib/libhp.so", host_id, host_len));
  g_assert_null (_scorch_host_path_open_under (root, "/usr/../usr/lib/libhp.so", host_id, host_len));
  g_assert_null (_scorch_host_path_open_under (root, "/usr/lib/./libhp.so", host_id, host_len));
  g_assert_null (_scorch_host_path_open_under (root, "", host_id, host_len));
  g_assert_null (_scorch_host_path_open_under (root, NULL, host_id, host_len));
  /* A FIFO (must not block) and a directory are not modules. */
  g_assert_null (_scorch_host_path_open_under (root, "/usr/lib/fifo.so", host_id, host_len));
  g_assert_null (_scorch_host_path_open_under (root, "/usr/lib/dir.so", host_id, host_len));
  /* A path already under the root is not looked up twice. */
  {
    g_autofree char *under = g_build_filename (root, "usr/lib/libhp.so", NULL);
    g_assert_null (_scorch_host_path_open_under (root, under, host_id, host_len));
  }
}

static void
test_outside_flatpak (void)
{
  g_autofree guint8 *host_id = NULL;
  guint host_len;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("running inside a Flatpak");
      return;
    }
  host_id = id_from_hex (HOST_ID, &host_len);
  g_assert_false (scorch_host_path_in_flatpak ());
  /* /usr/lib/x86_64-linux-gnu/libc.so.6 exists, but outside a Flatpak no
   * /run/host lookup happens at all. */
  g_assert_null (scorch_host_path_open_module ("/usr/lib/x86_64-linux-gnu/libc.so.6", host_id, host_len));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-host-path-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/host-path/by-build-id", test_by_build_id);
  g_test_add_func ("/libscorch/host-path/hostile-paths", test_hostile_paths);
  g_test_add_func ("/libscorch/host-path/outside-flatpak", test_outside_flatpak);
  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmpdir);
    run (cmd);
  }
  g_free (tmpdir);
  return ret;
}
