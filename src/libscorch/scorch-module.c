/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "scorch-module"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <gio/gio.h>

#include "scorch-module.h"
#include "scorch-symbol-paths.h"
#include "scorch-util.h"
#include "scorch-vdso.h"

/* Far above any real program header count: a bound on a corrupt header */
#define MAX_PHDRS 4096

/* ------------------------------------------------------------------------ */
/* Identity                                                                 */

void
scorch_module_key_init (ScorchModuleKey *key,
                        const char      *path,
                        const guint8    *build_id,
                        guint            build_id_len,
                        guint32          maj,
                        guint32          min,
                        guint64          ino)
{
  g_return_if_fail (key != NULL);

  memset (key, 0, sizeof *key);
  if (build_id != NULL && build_id_len > 0 && build_id_len <= SCORCH_MODULE_MAX_BUILD_ID)
    {
      memcpy (key->build_id, build_id, build_id_len);
      key->build_id_len = build_id_len;
    }
  key->maj = maj;
  key->min = min;
  key->ino = ino;
  key->path = path != NULL ? path : "";
}

guint
scorch_module_key_hash (gconstpointer p)
{
  const ScorchModuleKey *k = p;
  guint h = 5381;

  if (k->build_id_len > 0)
    {
      for (guint i = 0; i < k->build_id_len; i++)
        h = h * 33 + k->build_id[i];
      return h;
    }
  h ^= g_str_hash (k->path);
  h = h * 31 + k->maj;
  h = h * 31 + k->min;
  return h * 31 + (guint) (k->ino ^ (k->ino >> 32));
}

gboolean
scorch_module_key_equal (gconstpointer a,
                         gconstpointer b)
{
  const ScorchModuleKey *x = a, *y = b;

  if (x->build_id_len != y->build_id_len)
    return FALSE;
  if (x->build_id_len > 0)
    return memcmp (x->build_id, y->build_id, x->build_id_len) == 0;
  return x->maj == y->maj && x->min == y->min && x->ino == y->ino && strcmp (x->path, y->path) == 0;
}

gboolean
scorch_module_build_ids_match (const guint8 *recorded,
                               guint         recorded_len,
                               const guint8 *actual,
                               guint         actual_len)
{
  if (recorded == NULL || actual == NULL || actual_len == 0 || actual_len > recorded_len)
    return FALSE;
  if (memcmp (recorded, actual, actual_len) != 0)
    return FALSE;
  for (guint i = actual_len; i < recorded_len; i++)
    if (recorded[i] != 0)
      return FALSE;
  return TRUE;
}

char *
scorch_module_build_id_to_hex (const guint8 *id,
                               guint         len)
{
  return scorch_hex_encode (id, len);
}

/* ------------------------------------------------------------------------ */
/* Modules                                                                  */

/* What makes two opens the same file */
typedef struct
{
  guint64 dev, ino, size;
  gint64  mtime_sec, mtime_nsec;
  gboolean vdso;
} FileId;

struct _ScorchModule
{
  FileId               id;          /* first: the cache's key */
  ScorchModuleCache   *cache;       /* strong */
  guint                ref_count;   /* under cache->lock */

  char                *path;
  const guint8        *data;
  gsize                size;
  gboolean             data_borrowed; /* the vDSO's image */
  guint8               build_id[SCORCH_MODULE_MAX_BUILD_ID];
  guint                build_id_len;
  ScorchModuleSegment *segments;
  guint                n_segments;
  guint64              entry;
  guint                elf_class;
  guint                machine;

  /* built on first use, under lock */
  GMutex               lock;
  gboolean             index_built;   /* atomic once set */
  ScorchModuleFunction *funcs[2];     /* .symtab, .dynsym: sorted by start */
  gsize                n_funcs[2];
  gboolean             has_cfi;

  /* scorch_module_acquire_shared(): key -> Shared*, under lock */
  GHashTable          *shared;
};

/* A value derived from the module, held by its users */
typedef struct
{
  char           *key;
  guint           users;       /* under the module's lock */
  GMutex          build_lock;  /* held while building */
  gboolean        built;       /* under build_lock */
  gpointer        value;
  GDestroyNotify  free_func;
} Shared;

struct _ScorchModuleCache
{
  GMutex      lock;
  gint        ref_count;  /* atomic: the creator and each module */
  GHashTable *modules;    /* FileId* (in the module) -> ScorchModule* (weak) */
  guint       keep;
  GQueue      recent;     /* ScorchModule* (a reference each), most recent first */
};

static guint
file_id_hash (gconstpointer p)
{
  const FileId *f = p;

  return (guint) (f->ino ^ (f->ino >> 32)) * 31 + (guint) f->dev + (guint) f->mtime_nsec + f->vdso;
}

static gboolean
file_id_equal (gconstpointer a,
               gconstpointer b)
{
  return memcmp (a, b, sizeof (FileId)) == 0;
}

static void
file_id_from_stat (FileId            *id,
                   const struct stat *st)
{
  memset (id, 0, sizeof *id);
  id->dev = st->st_dev;
  id->ino = st->st_ino;
  id->size = st->st_size;
  id->mtime_sec = st->st_mtim.tv_sec;
  id->mtime_nsec = st->st_mtim.tv_nsec;
}

static ScorchModuleCache *
cache_ref (ScorchModuleCache *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

static void
cache_unref (ScorchModuleCache *self)
{
  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_hash_table_destroy (self->modules);
  g_mutex_clear (&self->lock);
  g_free (self);
}

ScorchModuleCache *
scorch_module_cache_new (void)
{
  ScorchModuleCache *self = g_new0 (ScorchModuleCache, 1);

  g_mutex_init (&self->lock);
  self->ref_count = 1;
  self->modules = g_hash_table_new (file_id_hash, file_id_equal);
  return self;
}

void
scorch_module_cache_free (ScorchModuleCache *self)
{
  if (self == NULL)
    return;
  scorch_module_cache_set_keep (self, 0);
  cache_unref (self);
}

/* Trims the recent list to keep; returns what to unref (outside the lock). */
static GList *
trim_recent_locked (ScorchModuleCache *self)
{
  GList *drop = NULL;

  while (self->recent.length > self->keep)
    drop = g_list_prepend (drop, g_queue_pop_tail (&self->recent));
  return drop;
}

static void
unref_list (GList *list)
{
  g_list_free_full (list, (GDestroyNotify) scorch_module_unref);
}

void
scorch_module_cache_set_keep (ScorchModuleCache *self,
                              guint              keep)
{
  GList *drop;

  g_return_if_fail (self != NULL);
  scorch_mutex_lock (&self->lock);
  self->keep = keep;
  drop = trim_recent_locked (self);
  scorch_mutex_unlock (&self->lock);
  unref_list (drop);
}

/* m (referenced by the caller, under the lock) was just opened: it goes to
 * the front of the recent list. */
static GList *
touch_locked (ScorchModuleCache *self,
              ScorchModule      *m)
{
  GList *link;

  if (self->keep == 0)
    return NULL;
  link = g_queue_find (&self->recent, m);
  if (link != NULL)
    {
      g_queue_unlink (&self->recent, link);
      g_queue_push_head_link (&self->recent, link);
      return NULL;
    }
  m->ref_count++;
  g_queue_push_head (&self->recent, m);
  return trim_recent_locked (self);
}

ScorchModuleCache *
scorch_module_cache_get_default (void)
{
  static ScorchModuleCache *cache;

  if (g_once_init_enter (&cache))
    {
      ScorchModuleCache *c = scorch_module_cache_new ();

      c->keep = 64;
      g_once_init_leave (&cache, c);
    }
  return cache;
}

guint
scorch_module_cache_get_size (ScorchModuleCache *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  scorch_mutex_lock (&self->lock);
  n = g_hash_table_size (self->modules);
  scorch_mutex_unlock (&self->lock);
  return n;
}

static void
shared_free (gpointer p)
{
  Shared *s = p;

  if (s->value != NULL && s->free_func != NULL)
    s->free_func (s->value);
  g_mutex_clear (&s->build_lock);
  g_free (s->key);
  g_free (s);
}

static void
module_free (ScorchModule *m)
{
  g_clear_pointer (&m->shared, g_hash_table_destroy);
  if (m->data != NULL && !m->data_borrowed)
    munmap ((void *) m->data, m->size);
  g_free (m->funcs[0]);
  g_free (m->funcs[1]);
  g_mutex_clear (&m->lock);
  g_free (m->segments);
  g_free (m->path);
  g_free (m);
}

/* Decodes what every user needs from the ELF headers; FALSE when the
 * bytes are not an ELF file we can read. */
static gboolean
module_parse (ScorchModule *m)
{
  static gsize elf_ready;
  GElf_Ehdr eh;
  gsize n_phdrs = 0;
  const void *id = NULL;
  gssize id_len;
  Elf *elf;
  gboolean ok = FALSE;

  if (g_once_init_enter (&elf_ready))
    {
      elf_version (EV_CURRENT);
      g_once_init_leave (&elf_ready, 1);
    }

  elf = elf_memory ((char *) m->data, m->size);
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF || gelf_getehdr (elf, &eh) == NULL)
    goto out;
  m->elf_class = gelf_getclass (elf);
  m->machine = eh.e_machine;
  m->entry = eh.e_entry;

  if (elf_getphdrnum (elf, &n_phdrs) != 0 || n_phdrs > MAX_PHDRS)
    goto out;
  m->segments = g_new0 (ScorchModuleSegment, MAX (n_phdrs, 1));
  for (gsize i = 0; i < n_phdrs; i++)
    {
      GElf_Phdr ph;

      if (gelf_getphdr (elf, (int) i, &ph) == NULL || ph.p_type != PT_LOAD)
        continue;
      m->segments[m->n_segments++] = (ScorchModuleSegment) {
        ph.p_offset, ph.p_filesz, ph.p_vaddr, ph.p_memsz, ph.p_flags
      };
    }

  id_len = dwelf_elf_gnu_build_id (elf, &id);
  if (id_len > 0 && id_len <= SCORCH_MODULE_MAX_BUILD_ID)
    {
      memcpy (m->build_id, id, id_len);
      m->build_id_len = (guint) id_len;
    }
  ok = TRUE;

out:
  if (elf != NULL)
    elf_end (elf);
  return ok;
}

/* Opens, maps and parses a new module for the file behind fd. */
static ScorchModule *
module_new (const char        *path,
            int                fd,
            const struct stat *st,
            GError           **error)
{
  ScorchModule *m = g_new0 (ScorchModule, 1);
  void *base;

  g_mutex_init (&m->lock);
  file_id_from_stat (&m->id, st);
  m->path = g_strdup (path);
  if (st->st_size < (off_t) sizeof (Elf32_Ehdr))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: too short for an ELF file", path);
      module_free (m);
      return NULL;
    }
  base = mmap (NULL, st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (base == MAP_FAILED)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      module_free (m);
      return NULL;
    }
  m->data = base;
  m->size = st->st_size;
  if (!module_parse (m))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not an ELF file (%s)", path,
                   elf_errmsg (-1));
      module_free (m);
      return NULL;
    }
  return m;
}

static ScorchModule *
module_new_vdso (GError **error)
{
  ScorchModule *m;
  gsize size = 0;
  const guint8 *image = scorch_vdso_get_image (&size);

  if (image == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "[vdso]: no vDSO in this process");
      return NULL;
    }
  m = g_new0 (ScorchModule, 1);
  g_mutex_init (&m->lock);
  m->id.vdso = TRUE;
  m->id.size = size;
  m->path = g_strdup ("[vdso]");
  m->data = image;
  m->size = size;
  m->data_borrowed = TRUE;
  if (!module_parse (m))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "[vdso]: not an ELF image");
      module_free (m);
      return NULL;
    }
  return m;
}

/* The cached module for id with a new reference, or NULL. Under the lock. */
static ScorchModule *
cache_lookup_locked (ScorchModuleCache *self,
                     const FileId      *id,
                     GList            **drop)
{
  ScorchModule *m = g_hash_table_lookup (self->modules, id);

  if (m != NULL)
    {
      m->ref_count++;
      *drop = touch_locked (self, m);
    }
  return m;
}

/* The same, taking the lock; the modules the touch evicted are unreffed
 * after it is released (their last unref takes it again). */
static ScorchModule *
cache_lookup (ScorchModuleCache *self,
              const FileId      *id)
{
  ScorchModule *m;
  GList *drop = NULL;

  scorch_mutex_lock (&self->lock);
  m = cache_lookup_locked (self, id, &drop);
  scorch_mutex_unlock (&self->lock);
  unref_list (drop);
  return m;
}

/* Adds fresh (refcount 0, not yet cached), or returns the module another
 * thread cached for the same file meanwhile (fresh is freed). */
static ScorchModule *
cache_insert (ScorchModuleCache *self,
              ScorchModule      *fresh)
{
  ScorchModule *m;
  GList *drop = NULL;

  scorch_mutex_lock (&self->lock);
  m = cache_lookup_locked (self, &fresh->id, &drop);
  if (m == NULL)
    {
      m = fresh;
      m->ref_count = 1;
      m->cache = cache_ref (self);
      g_hash_table_insert (self->modules, &m->id, m);
      drop = touch_locked (self, m);
      fresh = NULL;
    }
  scorch_mutex_unlock (&self->lock);
  if (fresh != NULL)
    module_free (fresh);
  unref_list (drop);
  return m;
}

static ScorchModule *cache_open_path (ScorchModuleCache *self,
                                      const char        *path,
                                      GError           **error);

/* ---- containers: a live process's files through /proc/PID/root ---------
 * A process in another mount namespace (a container) maps files at paths
 * that do not exist, or are other files, outside it.  While it lives, its
 * files are opened through /proc/PID/root and pinned under the recorded
 * path for the rest of this process's life (with a descriptor, so the
 * symbolizer can open them again after the process and its namespace are
 * gone): the writer's build ids, the live analysis and `record --portable`
 * then read the container's files. */

typedef struct
{
  ScorchModule *module;
  int           fd;
} Pinned;

static GMutex pinned_lock;
static GHashTable *pinned_files; /* recorded path -> Pinned* */

static ScorchModule *
pinned_lookup (const char *path)
{
  ScorchModule *m = NULL;
  Pinned *p;

  g_mutex_lock (&pinned_lock);
  p = pinned_files != NULL ? g_hash_table_lookup (pinned_files, path) : NULL;
  if (p != NULL)
    m = p->module;
  g_mutex_unlock (&pinned_lock);
  return m != NULL ? scorch_module_ref (m) : NULL;
}

/* A descriptor of a pinned module's file, or -1 */
static int
pinned_fd (ScorchModule *module)
{
  GHashTableIter iter;
  gpointer v;
  int fd = -1;

  g_mutex_lock (&pinned_lock);
  if (pinned_files != NULL)
    {
      g_hash_table_iter_init (&iter, pinned_files);
      while (g_hash_table_iter_next (&iter, NULL, &v))
        if (((Pinned *) v)->module == module)
          {
            fd = ((Pinned *) v)->fd;
            break;
          }
    }
  g_mutex_unlock (&pinned_lock);
  return fd;
}

static gboolean
same_mount_namespace (gint32 pid)
{
  g_autofree char *link = g_strdup_printf ("/proc/%d/ns/mnt", pid);
  g_autofree char *theirs = g_file_read_link (link, NULL);
  g_autofree char *ours = g_file_read_link ("/proc/self/ns/mnt", NULL);

  /* unknown (the process is gone, or no permission): take the path as it is */
  return theirs == NULL || ours == NULL || strcmp (theirs, ours) == 0;
}

gboolean
scorch_module_note_process_file (gint32      pid,
                                 const char *path)
{
  g_autofree char *proc_path = NULL;
  ScorchModule *m;
  struct stat st;
  Pinned *p;
  int fd;

  if (pid <= 0 || path == NULL || path[0] != '/' || strstr (path, "/../") != NULL)
    return FALSE;
  g_mutex_lock (&pinned_lock);
  if (pinned_files != NULL && g_hash_table_contains (pinned_files, path))
    {
      g_mutex_unlock (&pinned_lock);
      return TRUE;
    }
  g_mutex_unlock (&pinned_lock);
  if (same_mount_namespace (pid))
    return FALSE;

  /* a path from the process is untrusted: a regular file only */
  proc_path = g_strdup_printf ("/proc/%d/root%s", pid, path);
  fd = scorch_open_regular_file (proc_path, SCORCH_MAX_ELF_SIZE, &st, NULL);
  if (fd < 0)
    return FALSE;
  m = cache_open_path (scorch_module_cache_get_default (), proc_path, NULL);
  if (m == NULL)
    {
      close (fd);
      return FALSE;
    }
  p = g_new0 (Pinned, 1);
  p->module = m;
  p->fd = fd;
  g_mutex_lock (&pinned_lock);
  if (pinned_files == NULL)
    pinned_files = g_hash_table_new (g_str_hash, g_str_equal);
  if (g_hash_table_contains (pinned_files, path))
    {
      g_mutex_unlock (&pinned_lock);
      scorch_module_unref (m);
      close (fd);
      g_free (p);
      return TRUE;
    }
  g_hash_table_insert (pinned_files, g_strdup (path), p);
  g_mutex_unlock (&pinned_lock);
  g_debug ("%s: read through %s (another mount namespace)", path, proc_path);
  return TRUE;
}

/* A capture's path, first where the symbol paths (scorch-symbol-paths.h:
 * --sysroot, --substitute-path) say it is on this machine. */
ScorchModule *
scorch_module_cache_open (ScorchModuleCache *self,
                          const char        *path,
                          GError           **error)
{
  g_autoptr(ScorchSymbolPaths) paths = NULL;
  g_auto(GStrv) candidates = NULL;
  ScorchModule *pinned = pinned_lookup (path);

  if (pinned != NULL)
    return pinned;
  paths = scorch_symbol_paths_dup_default ();
  candidates = scorch_symbol_paths_candidates (paths, path);
  for (guint i = 0; candidates != NULL && candidates[i] != NULL; i++)
    {
      ScorchModule *m = cache_open_path (self, candidates[i], NULL);

      if (m != NULL)
        return m;
    }
  {
    GError *local_error = NULL;
    ScorchModule *m = cache_open_path (self, path, &local_error);
    g_auto(GStrv) cached = NULL;

    if (m != NULL)
      return m;
    /* gone from its path: perf's build-id cache may hold a copy */
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
      cached = scorch_symbol_paths_build_id_cache_candidates (path);
    for (guint i = 0; cached != NULL && cached[i] != NULL; i++)
      if ((m = cache_open_path (self, cached[i], NULL)) != NULL)
        {
          g_clear_error (&local_error);
          return m;
        }
    g_propagate_error (error, local_error);
    return NULL;
  }
}

ScorchModule *
scorch_module_cache_open_exact (ScorchModuleCache *self,
                                const char        *path,
                                GError           **error)
{
  return cache_open_path (self, path, error);
}

static ScorchModule *
cache_open_path (ScorchModuleCache *self,
                 const char        *path,
                 GError           **error)
{
  struct stat st;
  FileId id;
  ScorchModule *m;
  int fd;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (strcmp (path, "[vdso]") == 0)
    {
      gsize size = 0;

      scorch_vdso_get_image (&size);
      memset (&id, 0, sizeof id);
      id.vdso = TRUE;
      id.size = size;
      m = cache_lookup (self, &id);
      if (m != NULL)
        return m;
      m = module_new_vdso (error);
      return m != NULL ? cache_insert (self, m) : NULL;
    }

  /* A known regular file needs no open: the module opened it (checked)
   * before.  Anything else goes through the checked open for its error. */
  if (stat (path, &st) == 0 && S_ISREG (st.st_mode))
    {
      file_id_from_stat (&id, &st);
      m = cache_lookup (self, &id);
      if (m != NULL)
        return m;
    }

  fd = scorch_open_regular_file (path, SCORCH_MAX_ELF_SIZE, &st, error);
  if (fd < 0)
    return NULL;
  m = module_new (path, fd, &st, error);
  /* The mapping stays; the descriptor need not (a capture may map a
   * thousand files). */
  close (fd);
  return m != NULL ? cache_insert (self, m) : NULL;
}

ScorchModule *
scorch_module_ref (ScorchModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  scorch_mutex_lock (&self->cache->lock);
  self->ref_count++;
  scorch_mutex_unlock (&self->cache->lock);
  return self;
}

void
scorch_module_unref (ScorchModule *self)
{
  ScorchModuleCache *cache;

  if (self == NULL)
    return;
  cache = self->cache;
  scorch_mutex_lock (&cache->lock);
  g_assert (self->ref_count > 0);
  if (--self->ref_count > 0)
    {
      scorch_mutex_unlock (&cache->lock);
      return;
    }
  if (g_hash_table_lookup (cache->modules, &self->id) == self)
    g_hash_table_remove (cache->modules, &self->id);
  scorch_mutex_unlock (&cache->lock);
  module_free (self);
  cache_unref (cache);
}

const char *
scorch_module_get_path (ScorchModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

const guint8 *
scorch_module_get_data (ScorchModule *self,
                        gsize        *size)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (size != NULL, NULL);
  *size = self->size;
  return self->data;
}

const guint8 *
scorch_module_get_build_id (ScorchModule *self,
                            guint        *len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);
  *len = self->build_id_len;
  return self->build_id_len > 0 ? self->build_id : NULL;
}

gboolean
scorch_module_matches_build_id (ScorchModule *self,
                                const guint8 *recorded,
                                guint         recorded_len)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return scorch_module_build_ids_match (recorded, recorded_len, self->build_id, self->build_id_len);
}

void
scorch_module_get_file_id (ScorchModule *self,
                           guint64      *dev,
                           guint64      *ino)
{
  g_return_if_fail (self != NULL);
  if (dev != NULL)
    *dev = self->id.dev;
  if (ino != NULL)
    *ino = self->id.ino;
}

const ScorchModuleSegment *
scorch_module_get_segments (ScorchModule *self,
                            guint        *n_segments)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_segments != NULL, NULL);
  *n_segments = self->n_segments;
  return self->segments;
}

guint64
scorch_module_get_entry (ScorchModule *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->entry;
}

guint
scorch_module_get_elf_class (ScorchModule *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->elf_class;
}

guint
scorch_module_get_machine (ScorchModule *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->machine;
}

gboolean
scorch_module_offset_to_vaddr (ScorchModule *self,
                               guint64       offset,
                               guint64      *vaddr)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->n_segments; i++)
    {
      const ScorchModuleSegment *s = &self->segments[i];

      if (offset >= s->offset && offset < s->offset + s->filesz)
        {
          *vaddr = offset - s->offset + s->vaddr;
          return TRUE;
        }
    }
  return FALSE;
}

Elf *
scorch_module_begin_elf (ScorchModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return elf_memory ((char *) self->data, self->size);
}

int
scorch_module_dup_fd (ScorchModule *self)
{
  struct stat st;
  FileId id;
  int fd;

  g_return_val_if_fail (self != NULL, -1);

  if (!self->id.vdso)
    {
      /* The same file again, checked as the first open was; anything else
       * at the path now (replaced since) is refused. */
      fd = scorch_open_regular_file (self->path, SCORCH_MAX_ELF_SIZE, &st, NULL);
      /* a container's file whose process is gone: through the pinned
       * descriptor (a new open file description, its own offset) */
      if (fd < 0 && pinned_fd (self) >= 0)
        {
          g_autofree char *again = g_strdup_printf ("/proc/self/fd/%d", pinned_fd (self));

          fd = scorch_open_regular_file (again, SCORCH_MAX_ELF_SIZE, &st, NULL);
        }
      if (fd < 0)
        return -1;
      file_id_from_stat (&id, &st);
      if (!file_id_equal (&id, &self->id))
        {
          close (fd);
          errno = ESTALE;
          return -1;
        }
      return fd;
    }
  /* [vdso]: its image in a memfd */
  fd = memfd_create ("scorch-vdso", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  if (write (fd, self->data, self->size) != (gssize) self->size || lseek (fd, 0, SEEK_SET) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* ------------------------------------------------------------------------ */
/* Function index (the frame-pointer check)                                 */

static int
function_compare (gconstpointer pa,
                  gconstpointer pb)
{
  const ScorchModuleFunction *a = pa, *b = pb;

  if (a->start != b->start)
    return a->start < b->start ? -1 : 1;
  return 0;
}

/* The sized function symbols of symtab whose bytes are in the file. */
static ScorchModuleFunction *
index_symtab (ScorchModule *self,
              Elf          *elf,
              Elf_Scn      *symtab,
              gsize        *n_out)
{
  GElf_Shdr shdr;
  Elf_Data *data;
  GArray *funcs;
  gsize n_syms;

  *n_out = 0;
  if (symtab == NULL || gelf_getshdr (symtab, &shdr) == NULL || shdr.sh_entsize == 0)
    return NULL;
  data = elf_getdata (symtab, NULL);
  if (data == NULL)
    return NULL;
  n_syms = MIN (shdr.sh_size / shdr.sh_entsize, data->d_size / shdr.sh_entsize);
  funcs = g_array_new (FALSE, FALSE, sizeof (ScorchModuleFunction));
  for (gsize i = 0; i < n_syms; i++)
    {
      GElf_Sym sym;
      GElf_Shdr text_shdr;
      Elf_Scn *text;
      ScorchModuleFunction f;
      guint64 in_section;

      if (gelf_getsym (data, (int) i, &sym) == NULL)
        continue;
      if (GELF_ST_TYPE (sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
          sym.st_shndx >= SHN_LORESERVE || sym.st_size == 0)
        continue;
      text = elf_getscn (elf, sym.st_shndx);
      if (text == NULL || gelf_getshdr (text, &text_shdr) == NULL ||
          text_shdr.sh_type != SHT_PROGBITS || sym.st_value < text_shdr.sh_addr)
        continue;
      in_section = sym.st_value - text_shdr.sh_addr;
      if (in_section >= text_shdr.sh_size || text_shdr.sh_offset > self->size ||
          in_section >= self->size - text_shdr.sh_offset)
        continue;
      f.start = sym.st_value;
      f.size = sym.st_size;
      f.offset = text_shdr.sh_offset + in_section;
      f.avail = MIN (text_shdr.sh_size - in_section, self->size - f.offset);
      g_array_append_val (funcs, f);
    }
  /* stable: of symbols at one address the first in the table stays first */
  g_array_sort (funcs, function_compare);
  *n_out = funcs->len;
  return (ScorchModuleFunction *) (gpointer) g_array_free (funcs, FALSE);
}

static void
build_index (ScorchModule *self)
{
  Elf *elf;
  Elf_Scn *scn = NULL;
  Elf_Scn *symtab = NULL, *dynsym = NULL;
  gsize shstrndx = 0;

  if (g_atomic_int_get (&self->index_built))
    return;
  scorch_mutex_lock (&self->lock);
  if (self->index_built)
    {
      scorch_mutex_unlock (&self->lock);
      return;
    }
  elf = scorch_module_begin_elf (self);
  if (elf != NULL && elf_getshdrstrndx (elf, &shstrndx) == 0)
    while ((scn = elf_nextscn (elf, scn)) != NULL)
      {
        GElf_Shdr shdr;
        const char *name;

        if (gelf_getshdr (scn, &shdr) == NULL)
          continue;
        if (shdr.sh_type == SHT_SYMTAB && symtab == NULL)
          symtab = scn;
        else if (shdr.sh_type == SHT_DYNSYM && dynsym == NULL)
          dynsym = scn;
        name = elf_strptr (elf, shstrndx, shdr.sh_name);
        if (name != NULL && shdr.sh_size > 0 && shdr.sh_type != SHT_NOBITS &&
            (strcmp (name, ".eh_frame") == 0 || strcmp (name, ".debug_frame") == 0))
          self->has_cfi = TRUE;
      }
  if (elf != NULL)
    {
      self->funcs[0] = index_symtab (self, elf, symtab, &self->n_funcs[0]);
      self->funcs[1] = index_symtab (self, elf, dynsym, &self->n_funcs[1]);
      elf_end (elf);
    }
  g_atomic_int_set (&self->index_built, TRUE);
  scorch_mutex_unlock (&self->lock);
}

static const ScorchModuleFunction *
find_in (const ScorchModuleFunction *funcs,
         gsize                       n,
         guint64                     vaddr)
{
  gsize lo = 0, hi = n;

  /* the first function starting above vaddr */
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (funcs[mid].start <= vaddr)
        lo = mid + 1;
      else
        hi = mid;
    }
  /* nearest start first; a few steps back find a larger function holding
   * a small one */
  for (gsize i = lo; i > 0 && lo - i < 16; i--)
    {
      const ScorchModuleFunction *f = &funcs[i - 1];

      if (vaddr - f->start < f->size)
        {
          /* of symbols at the same address, the first */
          while (f > funcs && (f - 1)->start == f->start && vaddr - (f - 1)->start < (f - 1)->size)
            f--;
          return f;
        }
    }
  return NULL;
}

const ScorchModuleFunction *
scorch_module_find_function (ScorchModule *self,
                             guint64       vaddr)
{
  const ScorchModuleFunction *f;

  g_return_val_if_fail (self != NULL, NULL);
  build_index (self);
  f = find_in (self->funcs[0], self->n_funcs[0], vaddr);
  return f != NULL ? f : find_in (self->funcs[1], self->n_funcs[1], vaddr);
}

gboolean
scorch_module_has_cfi (ScorchModule *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  build_index (self);
  return self->has_cfi;
}

guint
scorch_module_read_build_id (const char *path,
                             guint8     *out,
                             guint       max)
{
  g_autoptr(ScorchModule) m = NULL;
  const guint8 *id;
  guint len = 0;

  g_return_val_if_fail (path != NULL, 0);

  m = scorch_module_cache_open (scorch_module_cache_get_default (), path, NULL);
  if (m == NULL)
    return 0;
  id = scorch_module_get_build_id (m, &len);
  if (id == NULL || len > max)
    return 0;
  memcpy (out, id, len);
  return len;
}

/* ------------------------------------------------------------------------ */
/* Shared derived data                                                      */

gpointer
scorch_module_acquire_shared (ScorchModule         *self,
                              const char           *key,
                              ScorchModuleBuildFunc build,
                              gpointer              user_data,
                              GDestroyNotify        free_func)
{
  Shared *s;
  gpointer value;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (build != NULL, NULL);

  scorch_mutex_lock (&self->lock);
  if (self->shared == NULL)
    self->shared = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, shared_free);
  s = g_hash_table_lookup (self->shared, key);
  if (s == NULL)
    {
      s = g_new0 (Shared, 1);
      s->key = g_strdup (key);
      g_mutex_init (&s->build_lock);
      g_hash_table_insert (self->shared, s->key, s);
    }
  s->users++;
  scorch_mutex_unlock (&self->lock);

  /* s stays while this user holds it; the first user builds, the others
   * wait for the value */
  scorch_mutex_lock (&s->build_lock);
  if (!s->built)
    {
      s->value = build (self, user_data);
      s->free_func = free_func;
      s->built = TRUE;
    }
  value = s->value;
  scorch_mutex_unlock (&s->build_lock);
  return value;
}

void
scorch_module_release_shared (ScorchModule *self,
                              const char   *key)
{
  Shared *s;
  gboolean last = FALSE;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  scorch_mutex_lock (&self->lock);
  s = self->shared != NULL ? g_hash_table_lookup (self->shared, key) : NULL;
  if (s != NULL)
    {
      g_assert (s->users > 0);
      if (--s->users == 0)
        {
          g_hash_table_steal (self->shared, key);
          last = TRUE;
        }
    }
  scorch_mutex_unlock (&self->lock);
  g_return_if_fail (s != NULL);
  /* nobody holds it, and nobody can find it any more */
  if (last)
    shared_free (s);
}

guint
scorch_module_get_n_shared (ScorchModule *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  scorch_mutex_lock (&self->lock);
  n = self->shared != NULL ? g_hash_table_size (self->shared) : 0;
  scorch_mutex_unlock (&self->lock);
  return n;
}
