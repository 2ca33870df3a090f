/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-host-path.c: inside a Flatpak, a host capture's files under /run/host */

#include "config.h"

#define G_LOG_DOMAIN "scorch-symbolizer"

#include <string.h>

#include "scorch-host-path.h"

gboolean
scorch_host_path_in_flatpak (void)
{
  static gsize once = 0;
  static gboolean in_flatpak;

  if (g_once_init_enter (&once))
    {
      in_flatpak = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
      g_once_init_leave (&once, 1);
    }
  return in_flatpak;
}

/* An absolute path with no “.” or “..” component: a capture's path is
 * untrusted and must not climb out of the host root. */
static gboolean
path_is_plain_absolute (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || path[0] != '/')
    return FALSE;
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (strcmp (parts[i], ".") == 0 || strcmp (parts[i], "..") == 0)
      return FALSE;
  return TRUE;
}

ScorchModule *
_scorch_host_path_open_under (const char   *host_root,
                              const char   *path,
                              const guint8 *build_id,
                              guint         build_id_len)
{
  g_autofree char *host_path = NULL;
  ScorchModule *m;

  if (build_id == NULL || build_id_len == 0 || !path_is_plain_absolute (path))
    return NULL;
  if (host_root == NULL)
    host_root = "/run/host";
  /* Already a host path (a capture made inside the sandbox). */
  if (g_str_has_prefix (path, host_root) && path[strlen (host_root)] == '/')
    return NULL;

  host_path = g_strconcat (host_root, path, NULL);
  /* The module cache opens it through scorch_open_regular_file(). */
  m = scorch_module_cache_open (scorch_module_cache_get_default (), host_path, NULL);
  if (m == NULL)
    return NULL;
  if (!scorch_module_matches_build_id (m, build_id, build_id_len))
    {
      scorch_module_unref (m);
      return NULL;
    }
  g_debug ("%s: resolved as %s (same build id)", path, host_path);
  return m;
}

ScorchModule *
scorch_host_path_open_module (const char   *path,
                              const guint8 *build_id,
                              guint         build_id_len)
{
  if (!scorch_host_path_in_flatpak ())
    return NULL;
  return _scorch_host_path_open_under (NULL, path, build_id, build_id_len);
}
