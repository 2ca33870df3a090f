/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol-paths.c: see scorch-symbol-paths.h */

#include "config.h"

#define G_LOG_DOMAIN "scorch-symbol-paths"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

#include "scorch-symbol-paths.h"
#include "scorch-util.h"

struct _ScorchSymbolPaths
{
  gint       ref_count;
  char      *sysroot;
  GPtrArray *from;        /* char*, without trailing '/' */
  GPtrArray *to;
  char      *kallsyms;
  GStrv      debug_dirs;
  char      *archive;            /* --symfs-archive */
  GPtrArray *build_id_dirs;      /* char*: extracted archives */
  char      *archive_kallsyms;   /* the last loaded capture's archive's */
};

ScorchSymbolPaths *
scorch_symbol_paths_new (void)
{
  ScorchSymbolPaths *self = g_new0 (ScorchSymbolPaths, 1);

  self->ref_count = 1;
  self->from = g_ptr_array_new_with_free_func (g_free);
  self->to = g_ptr_array_new_with_free_func (g_free);
  self->build_id_dirs = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  return self;
}

static ScorchSymbolPaths *
copy (ScorchSymbolPaths *other)
{
  ScorchSymbolPaths *self = scorch_symbol_paths_new ();

  self->sysroot = g_strdup (other->sysroot);
  for (guint i = 0; i < other->from->len; i++)
    {
      g_ptr_array_add (self->from, g_strdup (g_ptr_array_index (other->from, i)));
      g_ptr_array_add (self->to, g_strdup (g_ptr_array_index (other->to, i)));
    }
  self->kallsyms = g_strdup (other->kallsyms);
  self->debug_dirs = g_strdupv (other->debug_dirs);
  self->archive = g_strdup (other->archive);
  for (guint i = 0; i < other->build_id_dirs->len; i++)
    g_ptr_array_add (self->build_id_dirs, g_strdup (g_ptr_array_index (other->build_id_dirs, i)));
  self->archive_kallsyms = g_strdup (other->archive_kallsyms);
  return self;
}

ScorchSymbolPaths *
scorch_symbol_paths_new_from_env (void)
{
  ScorchSymbolPaths *self = scorch_symbol_paths_new ();
  const char *v;

  if ((v = g_getenv ("SCORCH_SYSROOT")) != NULL && v[0] != '\0')
    scorch_symbol_paths_set_sysroot (self, v);
  if ((v = g_getenv ("SCORCH_SUBSTITUTE_PATH")) != NULL && v[0] != '\0')
    {
      g_auto(GStrv) specs = g_strsplit (v, "\n", -1);

      for (guint i = 0; specs[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;

          if (specs[i][0] != '\0' && !scorch_symbol_paths_add_substitution (self, specs[i], &error))
            g_warning ("SCORCH_SUBSTITUTE_PATH: %s", error->message);
        }
    }
  if ((v = g_getenv ("SCORCH_KALLSYMS")) != NULL && v[0] != '\0')
    scorch_symbol_paths_set_kallsyms (self, v);
  if ((v = g_getenv ("SCORCH_DEBUG_DIRS")) != NULL && v[0] != '\0')
    scorch_symbol_paths_set_debug_dirs (self, v);
  if ((v = g_getenv ("SCORCH_SYMFS_ARCHIVE")) != NULL && v[0] != '\0')
    scorch_symbol_paths_set_archive (self, v);
  return self;
}

ScorchSymbolPaths *
scorch_symbol_paths_ref (ScorchSymbolPaths *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
scorch_symbol_paths_unref (ScorchSymbolPaths *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_free (self->sysroot);
  g_ptr_array_unref (self->from);
  g_ptr_array_unref (self->to);
  g_free (self->kallsyms);
  g_strfreev (self->debug_dirs);
  g_free (self->archive);
  g_ptr_array_unref (self->build_id_dirs);
  g_free (self->archive_kallsyms);
  g_free (self);
}

static char *
strip_slashes (const char *p)
{
  gsize len = strlen (p);

  while (len > 1 && p[len - 1] == '/')
    len--;
  return g_strndup (p, len);
}

void
scorch_symbol_paths_set_sysroot (ScorchSymbolPaths *self,
                                 const char        *sysroot)
{
  g_free (self->sysroot);
  self->sysroot = sysroot != NULL && sysroot[0] != '\0' ? strip_slashes (sysroot) : NULL;
}

gboolean
scorch_symbol_paths_add_substitution (ScorchSymbolPaths *self,
                                      const char        *spec,
                                      GError           **error)
{
  const char *eq = strchr (spec, '=');
  g_autofree char *from = NULL;

  if (eq == NULL || eq == spec || eq[1] == '\0' || spec[0] != '/' || eq[1] != '/')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--substitute-path takes FROM=TO, two absolute paths, not “%s”"), spec);
      return FALSE;
    }
  from = g_strndup (spec, eq - spec);
  g_ptr_array_add (self->from, strip_slashes (from));
  g_ptr_array_add (self->to, strip_slashes (eq + 1));
  return TRUE;
}

void
scorch_symbol_paths_set_kallsyms (ScorchSymbolPaths *self,
                                  const char        *path)
{
  g_free (self->kallsyms);
  self->kallsyms = path != NULL && path[0] != '\0' ? g_strdup (path) : NULL;
}

void
scorch_symbol_paths_set_debug_dirs (ScorchSymbolPaths *self,
                                    const char        *dirs)
{
  g_strfreev (self->debug_dirs);
  self->debug_dirs = dirs != NULL && dirs[0] != '\0' ? g_strsplit (dirs, ":", -1) : NULL;
}

const char *
scorch_symbol_paths_get_sysroot (ScorchSymbolPaths *self)
{
  return self->sysroot;
}

const char *
scorch_symbol_paths_get_kallsyms (ScorchSymbolPaths *self)
{
  return self->kallsyms != NULL ? self->kallsyms : self->archive_kallsyms;
}

const char * const *
scorch_symbol_paths_get_debug_dirs (ScorchSymbolPaths *self)
{
  return (const char * const *) self->debug_dirs;
}

gboolean
scorch_symbol_paths_is_empty (ScorchSymbolPaths *self)
{
  return self->sysroot == NULL && self->from->len == 0 && self->kallsyms == NULL && self->debug_dirs == NULL &&
         self->archive == NULL && self->build_id_dirs->len == 0 && self->archive_kallsyms == NULL;
}

GStrv
scorch_symbol_paths_candidates (ScorchSymbolPaths *self,
                                const char        *path)
{
  g_autoptr(GPtrArray) b = NULL;

  if (self == NULL || path == NULL || path[0] != '/')
    return NULL;
  /* a recorded path is untrusted: no ".." may climb out of a sysroot */
  if (strstr (path, "/../") != NULL || g_str_has_suffix (path, "/.."))
    return NULL;

  b = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->from->len; i++)
    {
      const char *from = g_ptr_array_index (self->from, i);
      gsize flen = strlen (from);

      if (strncmp (path, from, flen) == 0 && (path[flen] == '/' || path[flen] == '\0' || flen == 1))
        {
          const char *rest = flen == 1 ? path : path + flen;

          g_ptr_array_add (b, g_strconcat (g_ptr_array_index (self->to, i), rest, NULL));
        }
    }
  if (self->sysroot != NULL)
    g_ptr_array_add (b, g_strconcat (self->sysroot, path, NULL));
  if (b->len == 0)
    return NULL;
  g_ptr_array_set_free_func (b, NULL);
  g_ptr_array_add (b, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&b), FALSE);
}

/* The default is never changed once published: the loader's workers read
 * the one they hold (scorch_symbol_paths_dup_default()) without a lock,
 * so a change publishes a new object under default_lock. The lock goes
 * through scorch_mutex_lock(): ThreadSanitizer does not see GMutex, and
 * without it reported the fields written here as racing with the
 * workers' reads. */
static GMutex default_lock;
static ScorchSymbolPaths *default_paths;

void
scorch_symbol_paths_set_default (ScorchSymbolPaths *paths)
{
  ScorchSymbolPaths *old;
  /* a copy: the caller may go on changing its own */
  ScorchSymbolPaths *next = paths != NULL ? copy (paths) : scorch_symbol_paths_new ();

  scorch_mutex_lock (&default_lock);
  old = default_paths;
  default_paths = next;
  scorch_mutex_unlock (&default_lock);
  g_clear_pointer (&old, scorch_symbol_paths_unref);
}

ScorchSymbolPaths *
scorch_symbol_paths_dup_default (void)
{
  ScorchSymbolPaths *p;

  scorch_mutex_lock (&default_lock);
  if (default_paths == NULL)
    default_paths = scorch_symbol_paths_new_from_env ();
  p = scorch_symbol_paths_ref (default_paths);
  scorch_mutex_unlock (&default_lock);
  return p;
}

/* perf's build-id cache: $PERF_BUILDID_DIR, else ~/.debug */
static char *
build_id_cache_dir (void)
{
  const char *env = g_getenv ("PERF_BUILDID_DIR");

  if (env != NULL && env[0] == '/')
    return g_strdup (env);
  return g_build_filename (g_get_home_dir (), ".debug", NULL);
}

GStrv
scorch_symbol_paths_dup_build_id_roots (void)
{
  g_autoptr(ScorchSymbolPaths) paths = scorch_symbol_paths_dup_default ();
  GPtrArray *roots = g_ptr_array_new ();

  g_ptr_array_add (roots, build_id_cache_dir ());
  for (guint i = 0; i < paths->build_id_dirs->len; i++)
    g_ptr_array_add (roots, g_strdup (g_ptr_array_index (paths->build_id_dirs, i)));
  g_ptr_array_add (roots, NULL);
  return (GStrv) g_ptr_array_free (roots, FALSE);
}

GStrv
scorch_symbol_paths_build_id_cache_candidates (const char *path)
{
  g_auto(GStrv) roots = NULL;
  g_autoptr(GPtrArray) out = NULL;

  if (path == NULL || path[0] != '/' || strstr (path, "/../") != NULL || g_str_has_suffix (path, "/.."))
    return NULL;
  roots = scorch_symbol_paths_dup_build_id_roots ();
  out = g_ptr_array_new_with_free_func (g_free);
  for (guint r = 0; roots[r] != NULL; r++)
    {
      g_autofree char *dir = g_strconcat (roots[r], path, NULL);
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;

      /* <cache><path>/<build id hex>/elf, as perf buildid-cache and perf
       * archive (extracted into the cache) lay them out */
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          gboolean hex = name[0] != '\0' && strlen (name) <= 128;

          for (const char *c = name; hex && *c != '\0'; c++)
            hex = g_ascii_isxdigit (*c);
          if (hex)
            g_ptr_array_add (out, g_build_filename (dir, name, "elf", NULL));
        }
    }
  if (out->len == 0)
    return NULL;
  g_ptr_array_set_free_func (out, NULL);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------ */
/* perf archive tarballs */

void
scorch_symbol_paths_set_archive (ScorchSymbolPaths *self,
                                 const char        *tarball)
{
  g_free (self->archive);
  self->archive = tarball != NULL && tarball[0] != '\0' ? g_strdup (tarball) : NULL;
}

const char *
scorch_symbol_paths_get_archive (ScorchSymbolPaths *self)
{
  return self->archive;
}

void
scorch_symbol_paths_add_build_id_dir (ScorchSymbolPaths *self,
                                      const char        *dir)
{
  g_autofree char *stripped = NULL;

  g_return_if_fail (dir != NULL && dir[0] == '/');

  stripped = strip_slashes (dir);
  for (guint i = 0; i < self->build_id_dirs->len; i++)
    if (strcmp (g_ptr_array_index (self->build_id_dirs, i), stripped) == 0)
      return;
  g_ptr_array_add (self->build_id_dirs, g_steal_pointer (&stripped));
}

const char * const *
scorch_symbol_paths_get_build_id_dirs (ScorchSymbolPaths *self)
{
  if (self->build_id_dirs->len == 0)
    return NULL;
  return (const char * const *) self->build_id_dirs->pdata;
}

#if HAVE_LIBARCHIVE
/* libarchive is not linked: it pulls in libxml2 and ICU, which every
 * scorch-cli start would load for the rare perf archive. It is
 * dlopen()ed (its SONAME, found at build time) on first use. */
static struct
{
  __typeof__ (archive_read_new) *read_new;
  __typeof__ (archive_read_support_filter_all) *read_support_filter_all;
  __typeof__ (archive_read_support_format_tar) *read_support_format_tar;
  __typeof__ (archive_read_open_fd) *read_open_fd;
  __typeof__ (archive_read_next_header) *read_next_header;
  __typeof__ (archive_read_data_block) *read_data_block;
  __typeof__ (archive_error_string) *error_string;
  __typeof__ (archive_read_free) *read_free;
  __typeof__ (archive_entry_pathname) *entry_pathname;
  __typeof__ (archive_entry_filetype) *entry_filetype;
  __typeof__ (archive_entry_hardlink) *entry_hardlink;
  __typeof__ (archive_entry_symlink) *entry_symlink;
} libarchive;
static char *libarchive_error;

static gpointer
load_libarchive (gpointer data)
{
  void *lib = dlopen (SCORCH_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
  struct { void **slot; const char *name; } fns[] = {
    { (void **) &libarchive.read_new, "archive_read_new" },
    { (void **) &libarchive.read_support_filter_all, "archive_read_support_filter_all" },
    { (void **) &libarchive.read_support_format_tar, "archive_read_support_format_tar" },
    { (void **) &libarchive.read_open_fd, "archive_read_open_fd" },
    { (void **) &libarchive.read_next_header, "archive_read_next_header" },
    { (void **) &libarchive.read_data_block, "archive_read_data_block" },
    { (void **) &libarchive.error_string, "archive_error_string" },
    { (void **) &libarchive.read_free, "archive_read_free" },
    { (void **) &libarchive.entry_pathname, "archive_entry_pathname" },
    { (void **) &libarchive.entry_filetype, "archive_entry_filetype" },
    { (void **) &libarchive.entry_hardlink, "archive_entry_hardlink" },
    { (void **) &libarchive.entry_symlink, "archive_entry_symlink" },
  };

  if (lib == NULL)
    {
      libarchive_error = g_strdup (dlerror ());
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fns); i++)
    if ((*fns[i].slot = dlsym (lib, fns[i].name)) == NULL)
      {
        const char *why = dlerror ();

        libarchive_error = g_strdup (why != NULL ? why : fns[i].name);
        dlclose (lib);
        memset (&libarchive, 0, sizeof libarchive);
        return NULL;
      }
  return &libarchive;
}

/* TRUE when libarchive's functions are in libarchive; else FALSE with
 * the reason. Loaded once per process; thread-safe. */
static gboolean
load_libarchive_once (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  if (g_once (&once, load_libarchive, NULL) != NULL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("perf archive support is not available: %s"), libarchive_error);
  return FALSE;
}

/* NAME's components, or NULL when it would leave the directory it is
 * extracted in: absolute, or with a ".." component.  "." and empty
 * components are dropped. */
static GStrv
safe_components (const char *name)
{
  g_auto(GStrv) parts = NULL;
  GPtrArray *out;

  if (name == NULL || name[0] == '/' || name[0] == '\0')
    return NULL;
  parts = g_strsplit (name, "/", -1);
  out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          g_ptr_array_free (out, TRUE);
          return NULL;
        }
      g_ptr_array_add (out, g_strdup (parts[i]));
    }
  if (out->len == 0)
    {
      g_ptr_array_free (out, TRUE);
      return NULL;
    }
  g_ptr_array_set_free_func (out, NULL);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

/* Opens (creating when missing) the directory of components [0, n) under
 * root_fd, refusing anything that is not a real directory: nothing in
 * the tree is a link, and none is followed. */
static int
open_dirs (int           root_fd,
           char * const *parts,
           guint         n)
{
  int fd = dup (root_fd);

  for (guint i = 0; fd >= 0 && i < n; i++)
    {
      int next;

      if (mkdirat (fd, parts[i], 0755) != 0 && errno != EEXIST)
        {
          close (fd);
          return -1;
        }
      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
    }
  return fd;
}

static gboolean
extract_data (struct archive *a,
              int             fd,
              gint64         *budget,
              GError        **error)
{
  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t offset;
      int r = libarchive.read_data_block (a, &buf, &size, &offset);

      if (r == ARCHIVE_EOF)
        return TRUE;
      if (r < ARCHIVE_WARN)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", libarchive.error_string (a));
          return FALSE;
        }
      if (offset < 0 || (gint64) size > *budget || offset > *budget - (gint64) size)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _("the archive holds more data than Scorch extracts"));
          return FALSE;
        }
      *budget -= size;
      for (size_t done = 0; done < size;)
        {
          ssize_t n = pwrite (fd, (const char *) buf + done, size - done, offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              int e = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s", g_strerror (e));
              return FALSE;
            }
          done += n;
        }
    }
}
#endif

gboolean
scorch_symbol_paths_extract_archive (const char  *tarball,
                                     const char  *dest,
                                     gint64       max_bytes,
                                     guint       *n_files,
                                     guint       *n_skipped,
                                     GError     **error)
{
#if HAVE_LIBARCHIVE
  struct archive *a = NULL;
  struct archive_entry *entry;
  struct stat st;
  gboolean ok = FALSE;
  guint files = 0, skipped = 0;
  gint64 budget = max_bytes;
  int in_fd = -1;
  int root_fd = -1;

  if (!load_libarchive_once (error))
    return FALSE;
  /* the tarball sits beside a capture: a regular file only */
  in_fd = scorch_open_regular_file (tarball, G_MAXINT64, &st, error);
  if (in_fd < 0)
    return FALSE;
  root_fd = open (dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root_fd < 0)
    {
      int e = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", dest, g_strerror (e));
      goto out;
    }

  a = libarchive.read_new ();
  libarchive.read_support_filter_all (a);
  libarchive.read_support_format_tar (a);
  if (libarchive.read_open_fd (a, in_fd, 64 * 1024) != ARCHIVE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", libarchive.error_string (a));
      goto out;
    }

  for (;;)
    {
      g_auto(GStrv) parts = NULL;
      guint n_parts;
      int r = libarchive.read_next_header (a, &entry);
      int dir_fd, fd;

      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", libarchive.error_string (a));
          goto out;
        }
      parts = safe_components (libarchive.entry_pathname (entry));
      if (parts == NULL)
        {
          g_debug ("%s: “%s” would leave the directory; skipped", tarball, libarchive.entry_pathname (entry));
          skipped++;
          continue;
        }
      n_parts = g_strv_length (parts);

      if (libarchive.entry_filetype (entry) == AE_IFDIR && libarchive.entry_hardlink (entry) == NULL)
        {
          dir_fd = open_dirs (root_fd, parts, n_parts);
          if (dir_fd < 0)
            skipped++;
          else
            close (dir_fd);
          continue;
        }
      /* links (symbolic or hard), devices, FIFOs, sockets: never made */
      if (libarchive.entry_filetype (entry) != AE_IFREG || libarchive.entry_hardlink (entry) != NULL ||
          libarchive.entry_symlink (entry) != NULL)
        {
          skipped++;
          continue;
        }
      dir_fd = open_dirs (root_fd, parts, n_parts - 1);
      if (dir_fd < 0)
        {
          skipped++;
          continue;
        }
      fd = openat (dir_fd, parts[n_parts - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      close (dir_fd);
      if (fd < 0)
        {
          /* a second entry of the same name: the first one stays */
          skipped++;
          continue;
        }
      if (!extract_data (a, fd, &budget, error))
        {
          close (fd);
          g_prefix_error (error, "%s: ", tarball);
          goto out;
        }
      close (fd);
      files++;
    }
  ok = TRUE;

out:
  if (a != NULL)
    libarchive.read_free (a);
  if (root_fd >= 0)
    close (root_fd);
  close (in_fd);
  if (n_files != NULL)
    *n_files = files;
  if (n_skipped != NULL)
    *n_skipped = skipped;
  return ok;
#else
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("%s: Scorch was built without libarchive and cannot read perf archives"), tarball);
  return FALSE;
#endif
}

/* A half-extracted directory of ours: directories and regular files. */
static void
remove_tree (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      rmdir (path);
    }
  else
    unlink (path);
}

/* At most this much is extracted from one archive. */
#define MAX_ARCHIVE_BYTES (G_GINT64_CONSTANT (8) << 30)

char *
scorch_symbol_paths_prepare_archive (const char  *tarball,
                                     GError     **error)
{
  g_autofree char *canon = NULL;
  g_autofree char *key_src = NULL;
  g_autofree char *key = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *tmp = NULL;
  char *dir;
  struct stat st;
  guint n_files = 0, n_skipped = 0;
  int fd;

  fd = scorch_open_regular_file (tarball, G_MAXINT64, &st, error);
  if (fd < 0)
    return NULL;
  close (fd);
  canon = realpath (tarball, NULL);
  key_src = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT ".%09ld\n%" G_GUINT64_FORMAT,
                             canon != NULL ? canon : tarball, (gint64) st.st_size,
                             (gint64) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec, (guint64) st.st_ino);
  key = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key_src, -1);
  parent = g_build_filename (g_get_user_cache_dir (), "scorch", "perf-archives", NULL);
  dir = g_build_filename (parent, key, NULL);
  if (g_file_test (dir, G_FILE_TEST_IS_DIR) && !g_file_test (dir, G_FILE_TEST_IS_SYMLINK))
    return dir;

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int e = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", parent, g_strerror (e));
      g_free (dir);
      return NULL;
    }
  tmp = g_strconcat (dir, ".tmp-XXXXXX", NULL);
  if (g_mkdtemp (tmp) == NULL)
    {
      int e = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", tmp, g_strerror (e));
      g_free (dir);
      return NULL;
    }
  if (!scorch_symbol_paths_extract_archive (tarball, tmp, MAX_ARCHIVE_BYTES, &n_files, &n_skipped, error))
    {
      remove_tree (tmp);
      g_free (dir);
      return NULL;
    }
  g_debug ("%s: %u files extracted into %s, %u entries skipped", tarball, n_files, dir, n_skipped);
  /* complete or absent: another process may have made it meanwhile */
  if (rename (tmp, dir) != 0)
    remove_tree (tmp);
  return dir;
}

/* The kallsyms of the one kernel in an extracted archive
 * ([kernel.kallsyms]/<build id>/kallsyms), or NULL. */
static char *
archive_kallsyms (const char *dir)
{
  g_autofree char *kdir = g_build_filename (dir, "[kernel.kallsyms]", NULL);
  g_autoptr(GDir) d = g_dir_open (kdir, 0, NULL);
  char *found = NULL;
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      char *path = g_build_filename (kdir, name, "kallsyms", NULL);

      if (found != NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_free (path);
          if (found != NULL)
            {
              /* two kernels: which one is the capture's is not known here */
              g_clear_pointer (&found, g_free);
              break;
            }
          continue;
        }
      found = path;
    }
  return found;
}

void
scorch_symbol_paths_use_capture_archive (const char *capture)
{
  g_autoptr(ScorchSymbolPaths) cur = scorch_symbol_paths_dup_default ();
  g_autofree char *beside = capture != NULL ? g_strconcat (capture, ".tar.bz2", NULL) : NULL;
  const char *tarballs[] = { cur->archive, beside };
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *kallsyms = NULL;
  ScorchSymbolPaths *next;
  ScorchSymbolPaths *old;

  for (guint i = 0; i < G_N_ELEMENTS (tarballs); i++)
    {
      g_autoptr(GError) error = NULL;
      char *dir;

      if (tarballs[i] == NULL)
        continue;
      /* beside the capture: only when it is there (and a regular file) */
      if (i == 1 && !g_file_test (tarballs[i], G_FILE_TEST_EXISTS))
        continue;
      dir = scorch_symbol_paths_prepare_archive (tarballs[i], &error);
      if (dir == NULL)
        {
          g_message (_("Cannot use the perf archive %s: %s"), tarballs[i], error->message);
          continue;
        }
      if (kallsyms == NULL)
        kallsyms = archive_kallsyms (dir);
      g_ptr_array_add (dirs, dir);
    }

  /* one read-modify-write of the default: two loads at once (the compare
   * view) keep both archives */
  scorch_mutex_lock (&default_lock);
  if (default_paths == NULL)
    default_paths = scorch_symbol_paths_new_from_env ();
  next = copy (default_paths);
  for (guint i = 0; i < dirs->len; i++)
    scorch_symbol_paths_add_build_id_dir (next, g_ptr_array_index (dirs, i));
  g_free (next->archive_kallsyms);
  next->archive_kallsyms = g_steal_pointer (&kallsyms);
  old = default_paths;
  default_paths = next;
  scorch_mutex_unlock (&default_lock);
  scorch_symbol_paths_unref (old);
}
