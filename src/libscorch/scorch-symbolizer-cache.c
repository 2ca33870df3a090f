/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbolizer-cache.c: checksums and whole-file writes for the
 * persistent symbol cache's entries */

#include "config.h"

#define G_LOG_DOMAIN "scorch-symbolizer"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "scorch-symbolizer-cache.h"
#include "scorch-util.h"

guint64
_scorch_symbolizer_cache_checksum (const guint8 *data,
                                   gsize         len)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, data + i, 8);
      h = (h ^ w) * G_GUINT64_CONSTANT (0x100000001b3);
      h ^= h >> 29;
    }
  for (; i < len; i++)
    h = (h ^ data[i]) * G_GUINT64_CONSTANT (0x100000001b3);
  return h;
}

static gboolean
errno_error (GError     **error,
             const char  *what,
             int          saved)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", what, g_strerror (saved));
  return FALSE;
}

gboolean
_scorch_symbolizer_cache_write (const char    *dir,
                                const char    *path,
                                const guint8  *data,
                                gsize          len,
                                GError       **error)
{
  g_autofree char *tmp = NULL;
  gsize written = 0;
  int fd;

  g_return_val_if_fail (dir != NULL && path != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return errno_error (error, dir, errno);
  /* a temporary file in the same directory, renamed over the entry: a
   * reader sees the old entry or the new one, never half of one */
  tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno_error (error, tmp, errno);
  while (written < len)
    {
      gssize n = write (fd, data + written, len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;

          close (fd);
          g_unlink (tmp);
          return errno_error (error, tmp, saved);
        }
      written += n;
    }
  if (close (fd) != 0 || g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      return errno_error (error, path, saved);
    }
  return TRUE;
}

GMappedFile *
_scorch_symbolizer_cache_map (const char  *path,
                              gsize        max_size,
                              GError     **error)
{
  GMappedFile *file;
  int fd = scorch_open_regular_file (path, max_size, NULL, error);

  if (fd < 0)
    return NULL;
  file = g_mapped_file_new_from_fd (fd, FALSE, error);
  close (fd);
  return file;
}

gboolean
_scorch_symbolizer_cache_bad_entry (GError     **error,
                                    const char  *path,
                                    const char  *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, why);
  return FALSE;
}
