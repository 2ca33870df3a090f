/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "scorch-util.h"

const char *
scorch_get_version (void)
{
  return PACKAGE_VERSION;
}

void
scorch_main_context_post (GMainContext   *context,
                          GSourceFunc     func,
                          gpointer        data,
                          GDestroyNotify  destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[scorch] post");
  g_source_attach (source, context);
  g_source_unref (source);
}

static const char *
file_type_name (mode_t mode)
{
  if (S_ISFIFO (mode))
    return _("a FIFO (named pipe)");
  if (S_ISCHR (mode))
    return _("a character device");
  if (S_ISBLK (mode))
    return _("a block device");
  if (S_ISSOCK (mode))
    return _("a socket");
  return _("not a regular file");
}

static gboolean
check_stat (const char         *path,
            const struct stat  *st,
            gint64              max_size,
            GError            **error)
{
  g_autofree char *display = NULL;

  if (S_ISREG (st->st_mode) && st->st_size >= 0 && (gint64) st->st_size <= max_size)
    return TRUE;

  display = g_filename_display_name (path);
  if (S_ISDIR (st->st_mode))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                 _("“%s” is a directory, not a file"), display);
  else if (!S_ISREG (st->st_mode))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("“%s” is not a regular file: it is %s"), display, file_type_name (st->st_mode));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                 _("“%s” is too large (%" G_GINT64_FORMAT " bytes)"), display, (gint64) st->st_size);
  return FALSE;
}

gboolean
scorch_path_is_file_backed (const char *path)
{
  return path != NULL && path[0] == '/' && !g_str_has_prefix (path, "//") &&
         !g_str_has_prefix (path, "/memfd:") && !g_str_has_prefix (path, "/dev/") &&
         !g_str_has_prefix (path, "/SYSV");
}

static void
set_errno_error (GError     **error,
                 const char  *path,
                 int          errsv)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Cannot open “%s”: %s"), display, g_strerror (errsv));
}

int
scorch_open_regular_file (const char   *path,
                          gint64        max_size,
                          struct stat  *out_stat,
                          GError      **error)
{
  struct stat before;
  struct stat st;
  int flags;
  int fd;

  g_return_val_if_fail (path != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  /* Refuse what is not a regular file before opening it at all: opening
   * some devices has side effects, and a FIFO's open() waits for a writer. */
  if (stat (path, &before) != 0)
    {
      set_errno_error (error, path, errno);
      return -1;
    }
  if (!check_stat (path, &before, max_size, error))
    return -1;

  /* The file can be swapped between stat() and open(): O_NONBLOCK keeps
   * the open of a FIFO from waiting, and fstat() checks what was opened. */
  do
    fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    {
      set_errno_error (error, path, errno);
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, path, errno);
      close (fd);
      return -1;
    }
  if (!check_stat (path, &st, max_size, error))
    {
      close (fd);
      return -1;
    }

  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fcntl (fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
    {
      set_errno_error (error, path, errno);
      close (fd);
      return -1;
    }

  if (out_stat != NULL)
    *out_stat = st;
  return fd;
}

gboolean
scorch_read_regular_file (const char   *path,
                          gint64        max_size,
                          char        **contents,
                          gsize        *length,
                          GError      **error)
{
  g_autoptr(GByteArray) buf = NULL;
  int fd;

  g_return_val_if_fail (contents != NULL, FALSE);

  fd = scorch_open_regular_file (path, max_size, NULL, error);
  if (fd < 0)
    return FALSE;

  buf = g_byte_array_new ();
  for (;;)
    {
      guint8 chunk[16 * 1024];
      gssize n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_autofree char *display = g_filename_display_name (path);

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Cannot read “%s”: %s"), display, g_strerror (errsv));
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      /* The file may grow after fstat(): MAX_SIZE still holds. */
      if ((gint64) (buf->len + n) > max_size)
        {
          g_autofree char *display = g_filename_display_name (path);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("“%s” is too large"), display);
          close (fd);
          return FALSE;
        }
      g_byte_array_append (buf, chunk, n);
    }
  close (fd);

  if (length != NULL)
    *length = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  *contents = (char *) g_byte_array_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

char *
scorch_hex_encode (const guint8 *data,
                   gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 15];
    }
  out[len * 2] = '\0';
  return out;
}

gpointer
scorch_parse_regular_file (const char       *path,
                           GCancellable     *cancellable,
                           ScorchParseFunc   parse,
                           GError          **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  gpointer result;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (parse != NULL, NULL);

  /* Not g_mapped_file_new(): it would block on a FIFO. */
  fd = scorch_open_regular_file (path, G_MAXINT64, NULL, error);
  if (fd < 0)
    return NULL;
  mapped = g_mapped_file_new_from_fd (fd, FALSE, error);
  close (fd);
  if (mapped == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  result = parse (g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped), &local_error);
  if (result == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, local_error->domain, local_error->code,
                   "%s: %s", display, local_error->message);
    }
  return result;
}

gboolean
scorch_write_file (const char      *path,
                   ScorchWriteFunc  write,
                   gpointer         user_data,
                   GError         **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (write != NULL, FALSE);

  file = g_file_new_for_path (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;
  if (!write (G_OUTPUT_STREAM (out), user_data, error))
    {
      g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

gboolean
scorch_json_nesting_ok (const char *data,
                        gsize       len,
                        guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}
