/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol-paths.c: see scorch-symbol-paths.h */

#include "config.h"

#define G_LOG_DOMAIN "scorch-symbol-paths"

#include <glib/gi18n.h>
#include <string.h>

#include "scorch-symbol-paths.h"

struct _ScorchSymbolPaths
{
  gint       ref_count;
  char      *sysroot;
  GPtrArray *from;        /* char*, without trailing '/' */
  GPtrArray *to;
  char      *kallsyms;
  GStrv      debug_dirs;
};

ScorchSymbolPaths *
scorch_symbol_paths_new (void)
{
  ScorchSymbolPaths *self = g_new0 (ScorchSymbolPaths, 1);

  self->ref_count = 1;
  self->from = g_ptr_array_new_with_free_func (g_free);
  self->to = g_ptr_array_new_with_free_func (g_free);
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
  return self->kallsyms;
}

const char * const *
scorch_symbol_paths_get_debug_dirs (ScorchSymbolPaths *self)
{
  return (const char * const *) self->debug_dirs;
}

gboolean
scorch_symbol_paths_is_empty (ScorchSymbolPaths *self)
{
  return self->sysroot == NULL && self->from->len == 0 && self->kallsyms == NULL && self->debug_dirs == NULL;
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

static GMutex default_lock;
static ScorchSymbolPaths *default_paths;

void
scorch_symbol_paths_set_default (ScorchSymbolPaths *paths)
{
  ScorchSymbolPaths *old;

  g_mutex_lock (&default_lock);
  old = default_paths;
  default_paths = paths != NULL ? scorch_symbol_paths_ref (paths) : scorch_symbol_paths_new ();
  g_mutex_unlock (&default_lock);
  g_clear_pointer (&old, scorch_symbol_paths_unref);
}

ScorchSymbolPaths *
scorch_symbol_paths_dup_default (void)
{
  ScorchSymbolPaths *p;

  g_mutex_lock (&default_lock);
  if (default_paths == NULL)
    default_paths = scorch_symbol_paths_new_from_env ();
  p = scorch_symbol_paths_ref (default_paths);
  g_mutex_unlock (&default_lock);
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
scorch_symbol_paths_build_id_cache_candidates (const char *path)
{
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) out = NULL;
  const char *name;

  if (path == NULL || path[0] != '/' || strstr (path, "/../") != NULL || g_str_has_suffix (path, "/.."))
    return NULL;
  root = build_id_cache_dir ();
  dir = g_strconcat (root, path, NULL);
  if (!(d = g_dir_open (dir, 0, NULL)))
    return NULL;
  out = g_ptr_array_new_with_free_func (g_free);
  /* <cache><path>/<build id hex>/elf, as perf buildid-cache and perf
   * archive (extracted into the cache) lay them out */
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gboolean hex = name[0] != '\0' && strlen (name) <= 128;

      for (const char *c = name; hex && *c != '\0'; c++)
        hex = g_ascii_isxdigit (*c);
      if (hex)
        g_ptr_array_add (out, g_build_filename (dir, name, "elf", NULL));
    }
  if (out->len == 0)
    return NULL;
  g_ptr_array_set_free_func (out, NULL);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
