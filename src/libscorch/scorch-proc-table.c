/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-proc-table.c: processes and their maps over time */

#include "config.h"

#define G_LOG_DOMAIN "scorch-proc-table"

#include <string.h>

#include "scorch-module.h"
#include "scorch-proc-table.h"

typedef struct
{
  gint32  pid;
  GArray *maps;      /* of ScorchProcMap, sorted by start, not overlapping */
  guint   last_hit;  /* index of the last map found */
  gboolean exec_pending; /* exec seen; old maps go at the first new mmap */
  GArray *pre_exec;  /* the image before the last exec, or NULL: found
                      * only where the new image maps nothing */
} Process;

typedef struct
{
  guint8 build_id[20];
  guint  len;
} BuildId;

struct _ScorchProcTable
{
  GHashTable   *processes;  /* pid -> Process* */
  GHashTable   *comms;      /* tid -> interned comm */
  GHashTable   *strings;    /* interned strings (set) */
  GHashTable   *modules;    /* ScorchModuleKey* (owned, interned path) -> module index + 1 */
  GHashTable   *build_ids_by_path; /* interned path -> BuildId* */
  GPtrArray    *build_id_store;    /* owns interned build ids (guint8[len]) */
  guint         n_modules;
  Process      *last;       /* one-entry cache */
};

static void
process_free (gpointer data)
{
  Process *p = data;

  g_array_unref (p->maps);
  g_clear_pointer (&p->pre_exec, g_array_unref);
  g_free (p);
}

ScorchProcTable *
scorch_proc_table_new (void)
{
  ScorchProcTable *self = g_new0 (ScorchProcTable, 1);

  self->processes = g_hash_table_new_full (NULL, NULL, NULL, process_free);
  self->comms = g_hash_table_new (NULL, NULL);
  self->strings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->modules = g_hash_table_new_full (scorch_module_key_hash, scorch_module_key_equal, g_free, NULL);
  self->build_ids_by_path = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->build_id_store = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
scorch_proc_table_free (ScorchProcTable *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->processes);
  g_hash_table_unref (self->comms);
  g_hash_table_unref (self->modules);
  g_hash_table_unref (self->build_ids_by_path);
  g_ptr_array_unref (self->build_id_store);
  g_hash_table_unref (self->strings);
  g_free (self);
}

static const char *
intern (ScorchProcTable *self,
        const char      *str)
{
  const char *found = g_hash_table_lookup (self->strings, str);

  if (found == NULL)
    {
      char *copy = g_strdup (str);

      g_hash_table_add (self->strings, copy);
      found = copy;
    }
  return found;
}

static Process *
get_process (ScorchProcTable *self,
             gint32           pid,
             gboolean         create)
{
  Process *p;

  if (self->last != NULL && self->last->pid == pid)
    return self->last;

  p = g_hash_table_lookup (self->processes, GINT_TO_POINTER (pid));
  if (p == NULL && create)
    {
      p = g_new0 (Process, 1);
      p->pid = pid;
      p->maps = g_array_new (FALSE, FALSE, sizeof (ScorchProcMap));
      g_hash_table_insert (self->processes, GINT_TO_POINTER (pid), p);
    }
  if (p != NULL)
    self->last = p;
  return p;
}

void
scorch_proc_table_add_build_id (ScorchProcTable *self,
                                const char      *path,
                                const guint8    *build_id,
                                guint            build_id_len)
{
  BuildId *bid;

  if (path == NULL || build_id_len == 0)
    return;
  bid = g_new0 (BuildId, 1);
  bid->len = MIN (build_id_len, sizeof bid->build_id);
  memcpy (bid->build_id, build_id, bid->len);
  g_hash_table_replace (self->build_ids_by_path, (gpointer) intern (self, path), bid);
}

gboolean
scorch_proc_table_comm (ScorchProcTable *self,
                        gint32           pid,
                        gint32           tid,
                        const char      *comm,
                        gboolean         exec,
                        guint64          time)
{
  g_hash_table_insert (self->comms, GINT_TO_POINTER (tid), (gpointer) intern (self, comm));
  if (exec)
    {
      Process *p = get_process (self, pid, FALSE);

      /* Samples taken in the execve syscall after this point still have
       * the old image on their user stack (perf resolves them against the
       * old maps too): drop the old maps at the first mmap of the new
       * image instead of now. */
      if (p != NULL && p->maps->len > 0)
        {
          p->exec_pending = TRUE;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
is_file_backed (const char *path)
{
  return path[0] == '/' && !g_str_has_prefix (path, "//anon") && !g_str_has_prefix (path, "/dev/zero") &&
         !g_str_has_prefix (path, "/memfd:") && !g_str_has_prefix (path, "/SYSV");
}

/* The module index of a mapping: one per ScorchModuleKey (the identity
 * the symbolizer and unwinder use), anonymous and special mappings one
 * per process. */
static guint32
module_for (ScorchProcTable *self,
            gint32           pid,
            const char      *path,
            guint32          maj,
            guint32          min,
            guint64          ino,
            const guint8    *build_id,
            guint            build_id_len)
{
  ScorchModuleKey key;
  gpointer value;

  if (!is_file_backed (path))
    {
      g_autofree char *per_pid = g_strdup_printf ("%d:%s", pid, path);

      scorch_module_key_init (&key, intern (self, per_pid), NULL, 0, 0, 0, 0);
    }
  else
    scorch_module_key_init (&key, path, build_id, build_id_len, maj, min, ino);

  value = g_hash_table_lookup (self->modules, &key);
  if (value != NULL)
    return GPOINTER_TO_UINT (value) - 1;

  /* key.path is interned: it lives as long as the table */
  g_hash_table_insert (self->modules, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (self->n_modules + 1));
  return self->n_modules++;
}

static const guint8 *
intern_build_id (ScorchProcTable *self,
                 const guint8    *build_id,
                 guint            len)
{
  /* Build ids are few (one per module); keep them alive with the table. */
  guint8 *copy = g_memdup2 (build_id, len);

  g_ptr_array_add (self->build_id_store, copy);
  return copy;
}

static guint
find_index (GArray  *maps,
            guint64  addr)
{
  /* First map with start > addr */
  guint lo = 0, hi = maps->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (maps, ScorchProcMap, mid).map.start <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
scorch_proc_table_mmap (ScorchProcTable      *self,
                        const ScorchPerfMmap *map,
                        guint64               time)
{
  Process *p;
  ScorchProcMap m = { 0 };
  g_autofree char *name = NULL;
  const char *path;
  const guint8 *build_id = map->build_id;
  guint build_id_len = map->build_id != NULL ? map->build_id_len : 0;
  guint64 start = map->start;
  guint64 end;
  guint i;

  if (map->len == 0 || start + map->len < start)
    return;
  end = start + map->len;
  p = get_process (self, map->pid, TRUE);
  if (p->exec_pending)
    {
      /* The kernel maps the new image (and its interpreter) inside
       * execve; samples taken in the rest of the syscall still return
       * to the old image's execve wrapper. perf keeps the old maps
       * wherever the new ones do not cover them; keep them aside for
       * those lookups rather than show the frames as bare addresses. */
      g_clear_pointer (&p->pre_exec, g_array_unref);
      p->pre_exec = g_steal_pointer (&p->maps);
      p->maps = g_array_new (FALSE, FALSE, sizeof (ScorchProcMap));
      p->last_hit = 0;
      p->exec_pending = FALSE;
    }

  /* the record's name is not NUL-terminated; the table keeps one copy */
  name = g_strndup (map->filename != NULL ? map->filename : "", map->filename_len);
  path = intern (self, name);
  if (build_id_len == 0)
    {
      BuildId *bid = g_hash_table_lookup (self->build_ids_by_path, path);

      if (bid != NULL)
        {
          build_id = bid->build_id;
          build_id_len = bid->len;
        }
    }
  build_id_len = MIN (build_id_len, 20);

  m.map.path = path;
  m.map.start = start;
  m.map.end = end;
  m.map.pgoff = map->pgoff;
  m.map.maj = map->maj;
  m.map.min = map->min;
  m.map.ino = map->ino;
  m.map.build_id_len = build_id_len;
  m.map.build_id = build_id_len > 0 ? intern_build_id (self, build_id, build_id_len) : NULL;
  m.module = module_for (self, map->pid, path, map->maj, map->min, map->ino, build_id, build_id_len);
  m.prot = map->prot;
  m.time = time;

  /* Trim or drop what the new mapping covers. */
  i = find_index (p->maps, start);
  if (i > 0)
    i--;
  while (i < p->maps->len)
    {
      ScorchProcMap *o = &g_array_index (p->maps, ScorchProcMap, i);

      if (o->map.start >= end)
        break;
      if (o->map.end <= start)
        {
          i++;
          continue;
        }
      if (o->map.start < start && o->map.end > end)
        {
          /* split: o keeps the left part, a copy takes the right */
          ScorchProcMap right = *o;

          right.map.pgoff += end - o->map.start;
          right.map.start = end;
          o->map.end = start;
          g_array_insert_val (p->maps, i + 1, right);
          i++;
          break;
        }
      if (o->map.start < start)
        {
          o->map.end = start;
          i++;
          continue;
        }
      if (o->map.end > end)
        {
          o->map.pgoff += end - o->map.start;
          o->map.start = end;
          break;
        }
      g_array_remove_index (p->maps, i);
    }

  i = find_index (p->maps, start);
  g_array_insert_val (p->maps, i, m);
  p->last_hit = i;
}

void
scorch_proc_table_fork (ScorchProcTable *self,
                        gint32           pid,
                        gint32           ppid,
                        gint32           tid,
                        gint32           ptid,
                        guint64          time)
{
  const char *parent_comm = g_hash_table_lookup (self->comms, GINT_TO_POINTER (ptid));

  if (parent_comm != NULL)
    g_hash_table_insert (self->comms, GINT_TO_POINTER (tid), (gpointer) parent_comm);

  if (pid != ppid)
    {
      Process *parent = get_process (self, ppid, FALSE);
      Process *child;

      self->last = NULL;
      g_hash_table_remove (self->processes, GINT_TO_POINTER (pid));
      child = get_process (self, pid, TRUE);
      if (parent != NULL && parent != child && !parent->exec_pending)
        g_array_append_vals (child->maps, parent->maps->data, parent->maps->len);
    }
}

void
scorch_proc_table_exit (ScorchProcTable *self,
                        gint32           pid,
                        gint32           tid,
                        guint64          time)
{
  /* Maps stay: samples recorded on other CPUs may still be processed
   * after the exit record. A FORK reusing the pid replaces them. */
}

/* The map of ADDR in MAPS (sorted, not overlapping), or NULL */
static const ScorchProcMap *
find_in (GArray  *maps,
         guint64  addr,
         guint   *index_out)
{
  const ScorchProcMap *m;
  guint i;

  if (maps == NULL || maps->len == 0)
    return NULL;
  i = find_index (maps, addr);
  if (i == 0)
    return NULL;
  m = &g_array_index (maps, ScorchProcMap, i - 1);
  if (addr >= m->map.end)
    return NULL;
  if (index_out != NULL)
    *index_out = i - 1;
  return m;
}

const ScorchProcMap *
scorch_proc_table_find_map (ScorchProcTable *self,
                            gint32           pid,
                            guint64          addr)
{
  Process *p = get_process (self, pid, FALSE);
  const ScorchProcMap *m;

  if (p == NULL)
    return NULL;

  if (p->last_hit < p->maps->len)
    {
      m = &g_array_index (p->maps, ScorchProcMap, p->last_hit);
      if (addr >= m->map.start && addr < m->map.end)
        return m;
    }

  if ((m = find_in (p->maps, addr, &p->last_hit)) != NULL)
    return m;
  return find_in (p->pre_exec, addr, NULL);
}

const ScorchProcMap *
scorch_proc_table_lookup_map (ScorchProcTable *self,
                              gint32           pid,
                              guint64          addr)
{
  Process *p = g_hash_table_lookup (self->processes, GINT_TO_POINTER (pid));
  const ScorchProcMap *m;

  if (p == NULL)
    return NULL;
  if ((m = find_in (p->maps, addr, NULL)) != NULL)
    return m;
  return find_in (p->pre_exec, addr, NULL);
}

const ScorchMapping *
scorch_proc_table_find_mapping (gpointer table,
                                gint32   pid,
                                guint64  addr)
{
  const ScorchProcMap *m = scorch_proc_table_find_map (table, pid, addr);

  return m != NULL ? &m->map : NULL;
}

const char *
scorch_proc_table_get_comm (ScorchProcTable *self,
                            gint32           tid)
{
  return g_hash_table_lookup (self->comms, GINT_TO_POINTER (tid));
}

guint
scorch_proc_table_get_n_maps (ScorchProcTable *self,
                              gint32           pid)
{
  Process *p = get_process (self, pid, FALSE);

  return p != NULL ? p->maps->len : 0;
}

const ScorchProcMap *
scorch_proc_table_get_maps (ScorchProcTable *self,
                            gint32           pid,
                            guint           *n_maps)
{
  Process *p = get_process (self, pid, FALSE);

  *n_maps = p != NULL ? p->maps->len : 0;
  return p != NULL && p->maps->len > 0 ? &g_array_index (p->maps, ScorchProcMap, 0) : NULL;
}

guint
scorch_proc_table_get_n_modules (ScorchProcTable *self)
{
  return self->n_modules;
}
