/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile.c: the immutable profile and its builder (DESIGN.md, "Profile") */

#include "config.h"

#define G_LOG_DOMAIN "scorch-profile"

#include <string.h>

#include "scorch-heap.h"
#include "scorch-profile-private.h"
#include "scorch-util.h"

/* ------------------------------------------------------------------------ */
/* String pool                                                               */

ScorchStringPool *
_scorch_string_pool_new (void)
{
  ScorchStringPool *pool = g_atomic_rc_box_new0 (ScorchStringPool);

  pool->chunk = g_string_chunk_new (64 * 1024);
  return pool;
}

ScorchStringPool *
_scorch_string_pool_ref (ScorchStringPool *pool)
{
  return g_atomic_rc_box_acquire (pool);
}

static void
string_pool_clear (gpointer data)
{
  ScorchStringPool *pool = data;

  g_string_chunk_free (pool->chunk);
}

void
_scorch_string_pool_unref (ScorchStringPool *pool)
{
  if (pool != NULL)
    g_atomic_rc_box_release_full (pool, string_pool_clear);
}

static const char *
pool_intern (ScorchStringPool *pool,
             const char       *str)
{
  if (str == NULL)
    return NULL;
  return g_string_chunk_insert_const (pool->chunk, str);
}

/* ------------------------------------------------------------------------ */
/* A small open-addressing map from 64-bit keys to 32-bit values, used to find
 * a node's child by frame without allocating per entry.                      */

#define KEY_EMPTY G_MAXUINT64

/* A key and its value side by side: a lookup in a table larger than the
 * caches costs one miss, not two. */
typedef struct
{
  guint64 key;
  guint32 value;
} U64Slot;

typedef struct
{
  U64Slot *slots;
  gsize    mask;
  gsize    n_items;
} U64Map;

static void
u64_map_init (U64Map *map,
              gsize   capacity_pow2)
{
  map->mask = capacity_pow2 - 1;
  map->slots = g_new (U64Slot, capacity_pow2);
  for (gsize i = 0; i < capacity_pow2; i++)
    map->slots[i].key = KEY_EMPTY;
  map->n_items = 0;
}

static void
u64_map_clear (U64Map *map)
{
  g_clear_pointer (&map->slots, g_free);
  map->n_items = 0;
}

static inline gsize
u64_hash (guint64 key)
{
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  key *= 0xc4ceb9fe1a85ec53ULL;
  key ^= key >> 33;
  return (gsize) key;
}

static void u64_map_insert (U64Map *map, guint64 key, guint32 value);

static void
u64_map_grow (U64Map *map)
{
  U64Map bigger;

  u64_map_init (&bigger, (map->mask + 1) * 2);
  for (gsize i = 0; i <= map->mask; i++)
    if (map->slots[i].key != KEY_EMPTY)
      u64_map_insert (&bigger, map->slots[i].key, map->slots[i].value);
  u64_map_clear (map);
  *map = bigger;
}

static void
u64_map_insert (U64Map  *map,
                guint64  key,
                guint32  value)
{
  gsize i;

  if ((map->n_items + 1) * 2 > map->mask + 1)
    u64_map_grow (map);

  for (i = u64_hash (key) & map->mask; map->slots[i].key != KEY_EMPTY; i = (i + 1) & map->mask)
    {
      if (map->slots[i].key == key)
        {
          map->slots[i].value = value;
          return;
        }
    }
  map->slots[i].key = key;
  map->slots[i].value = value;
  map->n_items++;
}

static inline gboolean
u64_map_lookup (const U64Map *map,
                guint64       key,
                guint32      *value)
{
  for (gsize i = u64_hash (key) & map->mask; map->slots[i].key != KEY_EMPTY; i = (i + 1) & map->mask)
    {
      if (map->slots[i].key == key)
        {
          *value = map->slots[i].value;
          return TRUE;
        }
    }
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Shared, immutable capture data                                            */

typedef struct
{
  gint32      pid;
  gint32      tid;
  const char *name;
} ThreadName;

typedef struct
{
  ScorchStringPool *pool;
  GArray           *frames;   /* ScorchFrame */
  GArray           *nodes;    /* ScorchNode */
  GArray           *samples;  /* ScorchSample, every sample of the capture */
  GArray           *threads;  /* ThreadName, sorted by tid */
  GHashTable       *process_names; /* pid -> const char * */
  ScorchProfileInfo info;
  guint64           time_begin;
  guint64           time_end;
  guint64           n_all;     /* sum of weights */
  ScorchAddrSamples *addr_samples; /* or NULL */
} ProfileData;

static void
profile_info_clear (ScorchProfileInfo *info)
{
  g_clear_pointer (&info->event_name, g_free);
  g_clear_pointer (&info->hostname, g_free);
  g_clear_pointer (&info->command_line, g_free);
  g_clear_pointer (&info->truncated_by_module, g_hash_table_unref);
  g_clear_pointer (&info->warnings, g_ptr_array_unref);
  g_clear_pointer (&info->diagnostics, scorch_diagnostics_unref);
  g_clear_pointer (&info->build_ids, g_hash_table_unref);
}

static void
profile_info_copy (ScorchProfileInfo       *dst,
                   const ScorchProfileInfo *src)
{
  *dst = *src;
  dst->event_name = g_strdup (src->event_name);
  dst->hostname = g_strdup (src->hostname);
  dst->command_line = g_strdup (src->command_line);
  if (src->warnings != NULL)
    {
      dst->warnings = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < src->warnings->len; i++)
        g_ptr_array_add (dst->warnings, g_strdup (g_ptr_array_index (src->warnings, i)));
    }
  if (src->diagnostics != NULL)
    scorch_diagnostics_ref (src->diagnostics);
  if (src->build_ids != NULL)
    g_hash_table_ref (src->build_ids);
  if (src->truncated_by_module != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      dst->truncated_by_module = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_iter_init (&iter, src->truncated_by_module);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (dst->truncated_by_module, g_strdup (key), value);
    }
}

static ProfileData *
profile_data_ref (ProfileData *data)
{
  return g_atomic_rc_box_acquire (data);
}

static void
profile_data_clear (gpointer p)
{
  ProfileData *data = p;

  g_clear_pointer (&data->frames, g_array_unref);
  g_clear_pointer (&data->nodes, g_array_unref);
  g_clear_pointer (&data->samples, g_array_unref);
  g_clear_pointer (&data->threads, g_array_unref);
  g_clear_pointer (&data->process_names, g_hash_table_unref);
  profile_info_clear (&data->info);
  g_clear_pointer (&data->addr_samples, scorch_addr_samples_unref);
  _scorch_string_pool_unref (data->pool);
}

static void
profile_data_unref (ProfileData *data)
{
  if (data != NULL)
    g_atomic_rc_box_release_full (data, profile_data_clear);
}

/* ------------------------------------------------------------------------ */
/* ScorchProfile: shared data plus the counts of one view                    */

struct _ScorchProfile
{
  GObject        parent_instance;

  ProfileData   *data;
  GArray        *samples;      /* the view's samples (may be data->samples) */
  guint64       *self;         /* per node */
  guint64       *total;        /* per node */
  ScorchThread  *threads;
  guint          n_threads;
  ScorchHotspot *hotspots;     /* computed on first use */
  guint          n_hotspots;
  GMutex         hotspots_lock;

  /* time views (scorch-off-cpu.c): NULL without switch events */
  ScorchProfile *off_cpu;
  ScorchProfile *wall;
};

G_DEFINE_FINAL_TYPE (ScorchProfile, scorch_profile, G_TYPE_OBJECT)

static void
scorch_profile_finalize (GObject *object)
{
  ScorchProfile *self = SCORCH_PROFILE (object);

  g_clear_pointer (&self->samples, g_array_unref);
  g_clear_pointer (&self->self, g_free);
  g_clear_pointer (&self->total, g_free);
  g_clear_pointer (&self->threads, g_free);
  g_clear_pointer (&self->hotspots, g_free);
  g_clear_pointer (&self->data, profile_data_unref);
  g_mutex_clear (&self->hotspots_lock);
  g_clear_object (&self->off_cpu);
  g_clear_object (&self->wall);

  G_OBJECT_CLASS (scorch_profile_parent_class)->finalize (object);
}

/* ---- time views (off-CPU) ------------------------------------------------ */

ScorchProfile *
scorch_profile_get_view (ScorchProfile     *self,
                         ScorchProfileView  view)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  switch (view)
    {
    case SCORCH_PROFILE_VIEW_OFF_CPU:
      return self->off_cpu;
    case SCORCH_PROFILE_VIEW_WALL:
      return self->wall;
    case SCORCH_PROFILE_VIEW_ON_CPU:
    default:
      return self;
    }
}

void
scorch_profile_set_time_views (ScorchProfile *self,
                               ScorchProfile *off_cpu,
                               ScorchProfile *wall)
{
  g_return_if_fail (SCORCH_IS_PROFILE (self));

  g_set_object (&self->off_cpu, off_cpu);
  g_set_object (&self->wall, wall);
}

static void
scorch_profile_class_init (ScorchProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scorch_profile_finalize;
}

static void
scorch_profile_init (ScorchProfile *self)
{
  g_mutex_init (&self->hotspots_lock);
}

static int
compare_threads (gconstpointer a,
                 gconstpointer b)
{
  const ScorchThread *ta = a;
  const ScorchThread *tb = b;

  if (ta->pid != tb->pid)
    return ta->pid < tb->pid ? -1 : 1;
  if (ta->tid != tb->tid)
    return ta->tid < tb->tid ? -1 : 1;
  return 0;
}

static const ThreadName *
find_thread_name (ProfileData *data,
                  gint32       tid)
{
  const ThreadName *names = (const ThreadName *) (gpointer) data->threads->data;
  guint lo = 0;
  guint hi = data->threads->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (names[mid].tid == tid)
        return &names[mid];
      if (names[mid].tid < tid)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

/* Counts self per node from the view's samples, then sums totals in one
 * reverse pass (children always have higher indices than their parent).
 * Per thread, a direct-mapped cache of THREAD_CACHE tids stands in front
 * of the hash table: the threads' samples interleave (fp-1M: 685k of its
 * 939k samples are of another thread than the one before), and a hash
 * lookup each was 4 % of the loading thread's instructions. */
#define THREAD_CACHE_BITS 6
static void
profile_compute_counts (ScorchProfile *self)
{
  const ScorchNode *nodes = (const ScorchNode *) (gpointer) self->data->nodes->data;
  guint n_nodes = self->data->nodes->len;
  const ScorchSample *samples = (const ScorchSample *) (gpointer) self->samples->data;
  g_autoptr(GHashTable) per_thread = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) threads = g_array_new (FALSE, FALSE, sizeof (ScorchThread));
  GHashTableIter iter;
  gpointer key, value;

  self->self = g_new0 (guint64, n_nodes);
  self->total = g_new0 (guint64, n_nodes);

  struct
  {
    gint32 tid;
    guint  idx;   /* in threads; G_MAXUINT: empty */
  } cache[1u << THREAD_CACHE_BITS];

  for (guint i = 0; i < G_N_ELEMENTS (cache); i++)
    cache[i].idx = G_MAXUINT;

  for (guint i = 0; i < self->samples->len; i++)
    {
      const ScorchSample *s = &samples[i];
      guint slot = ((guint32) s->tid * 0x9e3779b1u) >> (32 - THREAD_CACHE_BITS);
      gpointer idx;

      self->self[s->node] += s->weight;

      if (cache[slot].idx != G_MAXUINT && cache[slot].tid == s->tid)
        {
          g_array_index (threads, ScorchThread, cache[slot].idx).n_samples += s->weight;
          continue;
        }
      if (g_hash_table_lookup_extended (per_thread, GINT_TO_POINTER (s->tid), NULL, &idx))
        {
          g_array_index (threads, ScorchThread, GPOINTER_TO_UINT (idx)).n_samples += s->weight;
        }
      else
        {
          ScorchThread t = { s->pid, s->tid, NULL, s->weight };

          idx = GUINT_TO_POINTER (threads->len);
          g_hash_table_insert (per_thread, GINT_TO_POINTER (s->tid), idx);
          g_array_append_val (threads, t);
        }
      cache[slot].tid = s->tid;
      cache[slot].idx = GPOINTER_TO_UINT (idx);
    }

  memcpy (self->total, self->self, n_nodes * sizeof (guint64));
  for (guint i = n_nodes; i-- > 1;)
    self->total[nodes[i].parent] += self->total[i];

  /* Threads known by name but without samples in the view are listed too,
   * so that a thread list can show every thread of the capture. */
  for (guint i = 0; i < self->data->threads->len; i++)
    {
      const ThreadName *tn = &g_array_index (self->data->threads, ThreadName, i);

      if (!g_hash_table_contains (per_thread, GINT_TO_POINTER (tn->tid)))
        {
          ScorchThread t = { tn->pid, tn->tid, NULL, 0 };

          g_hash_table_insert (per_thread, GINT_TO_POINTER (tn->tid), GUINT_TO_POINTER (threads->len));
          g_array_append_val (threads, t);
        }
    }

  g_hash_table_iter_init (&iter, per_thread);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ScorchThread *t = &g_array_index (threads, ScorchThread, GPOINTER_TO_UINT (value));
      const ThreadName *tn = find_thread_name (self->data, t->tid);

      t->name = tn != NULL ? tn->name : NULL;
      if (tn != NULL && t->pid == 0)
        t->pid = tn->pid;
    }

  g_array_sort (threads, compare_threads);
  self->n_threads = threads->len;
  self->threads = (ScorchThread *) (gpointer) g_array_free (g_steal_pointer (&threads), FALSE);
}

static ScorchProfile *
profile_new_view (ProfileData *data,
                  GArray      *samples)
{
  ScorchProfile *self = g_object_new (SCORCH_TYPE_PROFILE, NULL);

  self->data = profile_data_ref (data);
  self->samples = g_array_ref (samples);
  profile_compute_counts (self);
  return self;
}

const ScorchFrame *
scorch_profile_get_frames (ScorchProfile *self,
                           guint         *n_frames)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  if (n_frames != NULL)
    *n_frames = self->data->frames->len;
  return (const ScorchFrame *) (gpointer) self->data->frames->data;
}

const ScorchFrame *
scorch_profile_get_frame (ScorchProfile *self,
                          guint32        frame)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);
  g_return_val_if_fail (frame < self->data->frames->len, NULL);

  return &g_array_index (self->data->frames, ScorchFrame, frame);
}

const ScorchNode *
scorch_profile_get_nodes (ScorchProfile *self,
                          guint         *n_nodes)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  if (n_nodes != NULL)
    *n_nodes = self->data->nodes->len;
  return (const ScorchNode *) (gpointer) self->data->nodes->data;
}

const guint64 *
scorch_profile_get_node_self (ScorchProfile *self)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  return self->self;
}

const guint64 *
scorch_profile_get_node_total (ScorchProfile *self)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  return self->total;
}

const ScorchSample *
scorch_profile_get_samples (ScorchProfile *self,
                            guint         *n_samples)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  if (n_samples != NULL)
    *n_samples = self->samples->len;
  return (const ScorchSample *) (gpointer) self->samples->data;
}

guint64
scorch_profile_get_total (ScorchProfile *self)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), 0);

  return self->total[SCORCH_PROFILE_ROOT];
}

guint64
scorch_profile_get_n_all_samples (ScorchProfile *self)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), 0);

  return self->data->n_all;
}

void
scorch_profile_get_time_bounds (ScorchProfile *self,
                                guint64       *begin,
                                guint64       *end)
{
  g_return_if_fail (SCORCH_IS_PROFILE (self));

  if (begin != NULL)
    *begin = self->data->time_begin;
  if (end != NULL)
    *end = self->data->time_end;
}

const ScorchThread *
scorch_profile_get_threads (ScorchProfile *self,
                            guint         *n_threads)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  if (n_threads != NULL)
    *n_threads = self->n_threads;
  return self->threads;
}

const char *
scorch_profile_get_process_name (ScorchProfile *self,
                                 gint32         pid)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  return g_hash_table_lookup (self->data->process_names, GINT_TO_POINTER (pid));
}

const ScorchProfileInfo *
scorch_profile_get_info (ScorchProfile *self)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  return &self->data->info;
}

typedef struct
{
  const ScorchFrame *frames;
} HotspotSortCtx;

static int
compare_hotspots (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const ScorchHotspot *ha = a;
  const ScorchHotspot *hb = b;
  const HotspotSortCtx *ctx = user_data;
  int cmp;

  if (ha->self != hb->self)
    return ha->self > hb->self ? -1 : 1;
  if (ha->total != hb->total)
    return ha->total > hb->total ? -1 : 1;
  cmp = g_strcmp0 (ctx->frames[ha->frame].function, ctx->frames[hb->frame].function);
  if (cmp != 0)
    return cmp;
  return ha->frame < hb->frame ? -1 : (ha->frame > hb->frame);
}

const ScorchHotspot *
scorch_profile_get_hotspots (ScorchProfile *self,
                             guint         *n_hotspots)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  scorch_mutex_lock (&self->hotspots_lock);

  if (self->hotspots == NULL)
    {
      const ScorchNode *nodes = (const ScorchNode *) (gpointer) self->data->nodes->data;
      guint n_nodes = self->data->nodes->len;
      guint n_frames = self->data->frames->len;
      g_autofree guint64 *fself = g_new0 (guint64, n_frames);
      g_autofree guint64 *ftotal = g_new0 (guint64, n_frames);
      g_autoptr(GArray) hotspots = g_array_new (FALSE, FALSE, sizeof (ScorchHotspot));
      HotspotSortCtx ctx = { (const ScorchFrame *) (gpointer) self->data->frames->data };

      for (guint i = 1; i < n_nodes; i++)
        {
          fself[nodes[i].frame] += self->self[i];
          if ((nodes[i].flags & SCORCH_NODE_FLAG_RECURSIVE) == 0)
            ftotal[nodes[i].frame] += self->total[i];
        }

      for (guint f = 0; f < n_frames; f++)
        {
          if (ftotal[f] > 0 && ctx.frames[f].kind != SCORCH_FRAME_KIND_ROOT)
            {
              ScorchHotspot h = { f, fself[f], ftotal[f] };
              g_array_append_val (hotspots, h);
            }
        }

      g_array_sort_with_data (hotspots, compare_hotspots, &ctx);
      self->n_hotspots = hotspots->len;
      self->hotspots = (ScorchHotspot *) (gpointer) g_array_free (g_steal_pointer (&hotspots), FALSE);
    }

  scorch_mutex_unlock (&self->hotspots_lock);

  if (n_hotspots != NULL)
    *n_hotspots = self->n_hotspots;
  return self->hotspots;
}

ScorchProfile *
scorch_profile_filter (ScorchProfile *self,
                       const gint32  *tids,
                       guint          n_tids,
                       guint64        begin,
                       guint64        end)
{
  g_autoptr(GHashTable) keep = NULL;
  g_autoptr(GArray) samples = NULL;
  const ScorchSample *all;
  guint n_all;

  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);
  g_return_val_if_fail (n_tids == 0 || tids != NULL, NULL);

  if (n_tids > 0)
    {
      keep = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < n_tids; i++)
        g_hash_table_add (keep, GINT_TO_POINTER (tids[i]));
    }

  all = (const ScorchSample *) (gpointer) self->data->samples->data;
  n_all = self->data->samples->len;
  samples = g_array_sized_new (FALSE, FALSE, sizeof (ScorchSample), n_all);

  for (guint i = 0; i < n_all; i++)
    {
      if (all[i].time < begin || all[i].time > end)
        continue;
      if (keep != NULL && !g_hash_table_contains (keep, GINT_TO_POINTER (all[i].tid)))
        continue;
      g_array_append_val (samples, all[i]);
    }

  return profile_new_view (self->data, samples);
}

guint
scorch_profile_node_get_stack (ScorchProfile *self,
                               guint32        node,
                               GArray        *stack)
{
  const ScorchNode *nodes;
  guint n = 0;

  g_return_val_if_fail (SCORCH_IS_PROFILE (self), 0);
  g_return_val_if_fail (node < self->data->nodes->len, 0);
  g_return_val_if_fail (stack != NULL, 0);

  nodes = (const ScorchNode *) (gpointer) self->data->nodes->data;
  g_array_set_size (stack, 0);
  for (guint32 i = node; i != SCORCH_PROFILE_ROOT && i != SCORCH_NODE_NONE; i = nodes[i].parent)
    {
      g_array_append_val (stack, nodes[i].frame);
      n++;
    }
  return n;
}

static int
compare_pairs (gconstpointer a,
               gconstpointer b)
{
  const ScorchHotspot *ha = a;
  const ScorchHotspot *hb = b;

  if (ha->total != hb->total)
    return ha->total > hb->total ? -1 : 1;
  return ha->frame < hb->frame ? -1 : (ha->frame > hb->frame);
}

static GArray *
collect_pairs (ScorchProfile *self,
               guint32        frame,
               gboolean       callers)
{
  const ScorchNode *nodes = (const ScorchNode *) (gpointer) self->data->nodes->data;
  guint n_nodes = self->data->nodes->len;
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);
  GArray *result = g_array_new (FALSE, FALSE, sizeof (ScorchHotspot));

  for (guint i = 1; i < n_nodes; i++)
    {
      if (nodes[i].frame != frame || self->total[i] == 0)
        continue;

      if (callers)
        {
          guint32 parent = nodes[i].parent;
          guint32 other = nodes[parent].frame;
          guint64 weight = self->total[i];
          gpointer idx;

          if (parent == SCORCH_PROFILE_ROOT)
            continue;
          if (g_hash_table_lookup_extended (index, GUINT_TO_POINTER (other), NULL, &idx))
            {
              ScorchHotspot *h = &g_array_index (result, ScorchHotspot, GPOINTER_TO_UINT (idx));
              h->total += weight;
              h->self += self->self[i];
            }
          else
            {
              ScorchHotspot h = { other, self->self[i], weight };
              g_hash_table_insert (index, GUINT_TO_POINTER (other), GUINT_TO_POINTER (result->len));
              g_array_append_val (result, h);
            }
        }
      else
        {
          for (guint32 c = nodes[i].first_child; c != SCORCH_NODE_NONE; c = nodes[c].next_sibling)
            {
              guint32 other = nodes[c].frame;
              gpointer idx;

              if (self->total[c] == 0)
                continue;
              if (g_hash_table_lookup_extended (index, GUINT_TO_POINTER (other), NULL, &idx))
                {
                  ScorchHotspot *h = &g_array_index (result, ScorchHotspot, GPOINTER_TO_UINT (idx));
                  h->total += self->total[c];
                  h->self += self->self[c];
                }
              else
                {
                  ScorchHotspot h = { other, self->self[c], self->total[c] };
                  g_hash_table_insert (index, GUINT_TO_POINTER (other), GUINT_TO_POINTER (result->len));
                  g_array_append_val (result, h);
                }
            }
        }
    }

  g_array_sort (result, compare_pairs);
  return result;
}

GArray *
scorch_profile_dup_callers (ScorchProfile *self,
                            guint32        frame)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);
  g_return_val_if_fail (frame < self->data->frames->len, NULL);

  return collect_pairs (self, frame, TRUE);
}

GArray *
scorch_profile_dup_callees (ScorchProfile *self,
                            guint32        frame)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);
  g_return_val_if_fail (frame < self->data->frames->len, NULL);

  return collect_pairs (self, frame, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Builder                                                                   */

/* The last path added per thread (a slot per tid modulo N_PATH_CACHE):
 * its frames, root first, and the node of each. A thread's next sample
 * mostly shares its outer frames, whose nodes are then taken from here
 * instead of being looked up frame by frame. Nodes are never removed, so
 * a cached (path -> node) stays true. */
#define N_PATH_CACHE 16

/* A direct-mapped table of the (parent, frame) -> node edges used last,
 * small enough to stay in the CPU's cache, looked at before children:
 * in a large tree each lookup there is a cache miss, and the same few
 * edges near the leaves are taken again and again. */
#define N_RECENT_CHILDREN 8192

typedef struct
{
  gint32   tid;
  guint    len;
  guint    cap;
  guint32 *frames;
  guint32 *nodes;
} PathCache;

struct _ScorchProfileBuilder
{
  ScorchStringPool *pool;
  GArray           *frames;   /* ScorchFrame */
  GHashTable       *frame_index; /* FrameKey* -> id + 1 */
  GArray           *nodes;    /* ScorchNode */
  U64Map            children; /* (parent << 32 | frame) -> node */
  U64Slot          *recent_children; /* N_RECENT_CHILDREN slots in front of children */
  GArray           *samples;  /* ScorchSample */
  guint             samples_cap; /* elements samples holds without growing (builder_add_at) */
  GHashTable       *threads;  /* tid -> ThreadName* */
  GHashTable       *process_names; /* pid -> const char * (interned) */
  GArray           *scratch;  /* guint32, for leaf-first stacks */
  PathCache         paths[N_PATH_CACHE];
  /* The module and file interned last: consecutive frames mostly share
   * them, and a string compare is cheaper than hashing them again. */
  const char       *last_module;
  const char       *last_file;
  ScorchProfileInfo info;
  guint64           time_begin;
  guint64           time_end;
  guint64           n_all;
  ScorchAddrSamples *addr_samples;
};

typedef struct
{
  const char     *function;
  const char     *module;
  ScorchFrameKind kind;
} FrameKey;

static guint
frame_key_hash (gconstpointer p)
{
  const FrameKey *k = p;

  return (guint) (u64_hash ((guint64) (gsize) k->function ^
                            ((guint64) (gsize) k->module << 1) ^
                            (guint64) k->kind));
}

static gboolean
frame_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const FrameKey *ka = a;
  const FrameKey *kb = b;

  return ka->function == kb->function && ka->module == kb->module && ka->kind == kb->kind;
}

ScorchProfileBuilder *
scorch_profile_builder_new (void)
{
  ScorchProfileBuilder *builder = g_new0 (ScorchProfileBuilder, 1);
  ScorchNode root = { SCORCH_NODE_NONE, 0, SCORCH_NODE_NONE, SCORCH_NODE_NONE, 0, 0 };

  builder->pool = _scorch_string_pool_new ();
  builder->frames = g_array_new (FALSE, FALSE, sizeof (ScorchFrame));
  builder->frame_index = g_hash_table_new_full (frame_key_hash, frame_key_equal, g_free, NULL);
  builder->nodes = g_array_new (FALSE, FALSE, sizeof (ScorchNode));
  builder->samples = g_array_new (FALSE, FALSE, sizeof (ScorchSample));
  builder->threads = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  builder->process_names = g_hash_table_new (NULL, NULL);
  builder->scratch = g_array_new (FALSE, FALSE, sizeof (guint32));
  builder->time_begin = G_MAXUINT64;
  builder->time_end = 0;
  u64_map_init (&builder->children, 1024);
  builder->recent_children = g_new (U64Slot, N_RECENT_CHILDREN);
  for (guint i = 0; i < N_RECENT_CHILDREN; i++)
    builder->recent_children[i].key = KEY_EMPTY;

  /* Frame 0 and node 0: the synthetic root. */
  scorch_profile_builder_intern_frame (builder, "[all]", "", NULL, 0, SCORCH_FRAME_KIND_ROOT);
  g_array_append_val (builder->nodes, root);

  return builder;
}

void
scorch_profile_builder_free (ScorchProfileBuilder *builder)
{
  if (builder == NULL)
    return;

  g_clear_pointer (&builder->frames, g_array_unref);
  g_clear_pointer (&builder->frame_index, g_hash_table_unref);
  g_clear_pointer (&builder->nodes, g_array_unref);
  g_clear_pointer (&builder->samples, g_array_unref);
  g_clear_pointer (&builder->threads, g_hash_table_unref);
  g_clear_pointer (&builder->process_names, g_hash_table_unref);
  g_clear_pointer (&builder->scratch, g_array_unref);
  for (guint i = 0; i < N_PATH_CACHE; i++)
    {
      g_free (builder->paths[i].frames);
      g_free (builder->paths[i].nodes);
    }
  u64_map_clear (&builder->children);
  g_free (builder->recent_children);
  profile_info_clear (&builder->info);
  g_clear_pointer (&builder->addr_samples, scorch_addr_samples_unref);
  _scorch_string_pool_unref (builder->pool);
  g_free (builder);
}

/* STR interned, through LAST (the string this field interned last). */
static inline const char *
intern_again (ScorchProfileBuilder  *builder,
              const char           **last,
              const char            *str)
{
  if (str == NULL)
    return NULL;
  if (*last == NULL || strcmp (*last, str) != 0)
    *last = pool_intern (builder->pool, str);
  return *last;
}

guint32
scorch_profile_builder_intern_frame (ScorchProfileBuilder *builder,
                                     const char           *function,
                                     const char           *module,
                                     const char           *file,
                                     guint                 line,
                                     ScorchFrameKind       kind)
{
  FrameKey key;
  gpointer found;
  ScorchFrame frame;

  g_return_val_if_fail (builder != NULL, 0);
  g_return_val_if_fail (function != NULL, 0);

  key.function = pool_intern (builder->pool, function);
  key.module = intern_again (builder, &builder->last_module, module != NULL ? module : "");
  key.kind = kind;

  found = g_hash_table_lookup (builder->frame_index, &key);
  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;

  frame.function = key.function;
  frame.module = key.module;
  frame.file = intern_again (builder, &builder->last_file, file);
  frame.line = line;
  frame.kind = kind;
  g_array_append_val (builder->frames, frame);
  g_hash_table_insert (builder->frame_index, g_memdup2 (&key, sizeof key),
                       GUINT_TO_POINTER (builder->frames->len));

  return builder->frames->len - 1;
}

static guint32
builder_child (ScorchProfileBuilder *builder,
               guint32               parent,
               guint32               frame)
{
  guint64 key = ((guint64) parent << 32) | frame;
  U64Slot *recent = &builder->recent_children[u64_hash (key) % N_RECENT_CHILDREN];
  guint32 node;
  ScorchNode *p;
  ScorchNode n;

  if (recent->key == key)
    return recent->value;
  if (u64_map_lookup (&builder->children, key, &node))
    {
      recent->key = key;
      recent->value = node;
      return node;
    }

  p = &g_array_index (builder->nodes, ScorchNode, parent);
  n.parent = parent;
  n.frame = frame;
  n.first_child = SCORCH_NODE_NONE;
  n.next_sibling = p->first_child;
  n.depth = p->depth + 1;
  n.flags = 0;
  node = builder->nodes->len;
  p->first_child = node;
  g_array_append_val (builder->nodes, n);
  u64_map_insert (&builder->children, key, node);
  recent->key = key;
  recent->value = node;

  return node;
}

/* From this size on, the sample array's growth asks for huge pages. */
#define HUGE_SAMPLE_ARRAY (8u << 20)

static void
builder_add_at (ScorchProfileBuilder *builder,
                guint64               time,
                gint32                pid,
                gint32                tid,
                guint32               node,
                guint32               weight)
{
  GArray *samples = builder->samples;
  ScorchSample *sample;

  /* Once per sample of a load: g_array_append_val is two calls (the
   * growth check and the copy), 3 % of the committing thread's
   * instructions on fp-1M; the array still grows by doubling. */
  if G_UNLIKELY (samples->len >= builder->samples_cap)
    {
      guint len = samples->len;

      builder->samples_cap = MAX (2 * len, 1024);
      if ((gsize) builder->samples_cap * sizeof (ScorchSample) >= HUGE_SAMPLE_ARRAY)
        {
          /* A new block, asked for as huge pages before anything is
           * written to it (scorch_heap_advise_huge), not a realloc: a
           * realloc that moves the array copies it into 4 KiB pages
           * first. */
          GArray *bigger = g_array_sized_new (FALSE, FALSE, sizeof (ScorchSample), builder->samples_cap);

          scorch_heap_advise_huge (bigger->data, (gsize) builder->samples_cap * sizeof (ScorchSample));
          g_array_append_vals (bigger, samples->data, len);
          g_array_unref (samples);
          builder->samples = samples = bigger;
        }
      else
        {
          g_array_set_size (samples, builder->samples_cap);
          g_array_set_size (samples, len);
        }
    }
  sample = &((ScorchSample *) (gpointer) samples->data)[samples->len++];
  sample->time = time;
  sample->pid = pid;
  sample->tid = tid;
  sample->node = node;
  sample->weight = weight;

  builder->n_all += weight;
  if (time < builder->time_begin)
    builder->time_begin = time;
  if (time > builder->time_end)
    builder->time_end = time;
}

/* Returns the sample's node (SCORCH_NODE_NONE when WEIGHT is 0). */
static guint32
builder_add (ScorchProfileBuilder *builder,
             guint64               time,
             gint32                pid,
             gint32                tid,
             const guint32        *frames,
             guint                 n_frames,
             gboolean              leaf_first,
             guint32               weight)
{
  guint32 node = SCORCH_PROFILE_ROOT;
  PathCache *path = &builder->paths[(guint32) tid % N_PATH_CACHE];
  guint depth = 0;
  gboolean same = TRUE;

  if (weight == 0)
    return SCORCH_NODE_NONE;

  if (path->tid != tid)
    {
      path->tid = tid;
      path->len = 0;
    }
  if (path->cap < n_frames)
    {
      path->cap = MAX (n_frames, 64);
      path->frames = g_renew (guint32, path->frames, path->cap);
      path->nodes = g_renew (guint32, path->nodes, path->cap);
    }

  /* The common case in tight loops: a leaf-first stack of valid ids,
   * whose outer frames match the thread's last path. */
  if (leaf_first)
    {
      guint n_valid = builder->frames->len;
      guint i = 0;

      for (; i < n_frames; i++)
        if G_UNLIKELY (frames[i] - 1u >= n_valid - 1u)
          break;
      if (i == n_frames)
        {
          const guint32 *top = frames + n_frames - 1;
          guint limit = MIN (n_frames, path->len);

          while (depth < limit && top[-(gssize) depth] == path->frames[depth])
            depth++;
          if (depth > 0)
            node = path->nodes[depth - 1];
          for (; depth < n_frames; depth++)
            {
              guint32 frame = top[-(gssize) depth];

              node = builder_child (builder, node, frame);
              path->frames[depth] = frame;
              path->nodes[depth] = node;
            }
          path->len = depth;
          goto add;
        }
    }

  for (guint i = 0; i < n_frames; i++)
    {
      guint32 frame = leaf_first ? frames[n_frames - 1 - i] : frames[i];

      if G_UNLIKELY (frame == 0 || frame >= builder->frames->len)
        {
          g_critical ("Invalid frame id %u in a stack", frame);
          continue;
        }
      if (same && depth < path->len && path->frames[depth] == frame)
        node = path->nodes[depth];
      else
        {
          same = FALSE;
          node = builder_child (builder, node, frame);
          path->frames[depth] = frame;
          path->nodes[depth] = node;
        }
      depth++;
    }
  path->len = depth;

add:
  builder_add_at (builder, time, pid, tid, node, weight);
  return node;
}

guint32
scorch_profile_builder_add_sample (ScorchProfileBuilder      *builder,
                                   const ScorchProfileSample *sample)
{
  g_return_val_if_fail (builder != NULL, SCORCH_NODE_NONE);
  g_return_val_if_fail (sample != NULL, SCORCH_NODE_NONE);
  g_return_val_if_fail (sample->n_frames == 0 || sample->frames != NULL, SCORCH_NODE_NONE);

  return builder_add (builder, sample->time, sample->pid, sample->tid,
                      sample->frames, sample->n_frames,
                      sample->order == SCORCH_FRAME_ORDER_LEAF_FIRST, sample->weight);
}

void
scorch_profile_builder_add_sample_at (ScorchProfileBuilder *builder,
                                      guint64               time,
                                      gint32                pid,
                                      gint32                tid,
                                      guint32               node,
                                      guint32               weight)
{
  g_return_if_fail (builder != NULL);
  g_return_if_fail (node < builder->nodes->len);

  if (weight > 0)
    builder_add_at (builder, time, pid, tid, node, weight);
}

void
scorch_profile_builder_set_thread_name (ScorchProfileBuilder *builder,
                                        gint32                pid,
                                        gint32                tid,
                                        const char           *name)
{
  ThreadName *tn;
  const char *interned;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (name != NULL);

  interned = pool_intern (builder->pool, name);
  tn = g_hash_table_lookup (builder->threads, GINT_TO_POINTER (tid));
  if (tn == NULL)
    {
      tn = g_new0 (ThreadName, 1);
      g_hash_table_insert (builder->threads, GINT_TO_POINTER (tid), tn);
    }
  tn->pid = pid;
  tn->tid = tid;
  tn->name = interned;

  if (pid == tid || !g_hash_table_contains (builder->process_names, GINT_TO_POINTER (pid)))
    g_hash_table_insert (builder->process_names, GINT_TO_POINTER (pid), (gpointer) interned);
}

ScorchProfileInfo *
scorch_profile_builder_get_info (ScorchProfileBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, NULL);

  return &builder->info;
}

static int
compare_thread_names (gconstpointer a,
                      gconstpointer b)
{
  const ThreadName *ta = a;
  const ThreadName *tb = b;

  return ta->tid < tb->tid ? -1 : (ta->tid > tb->tid);
}

/* Marks nodes whose frame already appears among their ancestors, in one
 * pre-order walk that keeps a count per frame of the nodes on the path. */
static void
mark_recursion (GArray *node_array,
                guint   n_frames)
{
  ScorchNode *nodes = (ScorchNode *) (gpointer) node_array->data;
  g_autofree guint32 *on_path = g_new0 (guint32, n_frames);
  guint32 n = SCORCH_PROFILE_ROOT;

  on_path[nodes[n].frame]++;
  for (;;)
    {
      if (nodes[n].first_child != SCORCH_NODE_NONE)
        {
          n = nodes[n].first_child;
        }
      else
        {
          while (n != SCORCH_PROFILE_ROOT && nodes[n].next_sibling == SCORCH_NODE_NONE)
            {
              on_path[nodes[n].frame]--;
              n = nodes[n].parent;
            }
          if (n == SCORCH_PROFILE_ROOT)
            break;
          on_path[nodes[n].frame]--;
          n = nodes[n].next_sibling;
        }

      if (on_path[nodes[n].frame] > 0)
        nodes[n].flags |= SCORCH_NODE_FLAG_RECURSIVE;
      else
        nodes[n].flags &= ~SCORCH_NODE_FLAG_RECURSIVE;
      on_path[nodes[n].frame]++;
    }
}

static ProfileData *
builder_make_data (ScorchProfileBuilder *builder,
                   gboolean              steal)
{
  ProfileData *data = g_atomic_rc_box_new0 (ProfileData);
  GHashTableIter iter;
  gpointer key, value;

  data->pool = _scorch_string_pool_ref (builder->pool);
  if (builder->addr_samples != NULL)
    data->addr_samples = scorch_addr_samples_ref (builder->addr_samples);

  if (steal)
    {
      data->frames = g_steal_pointer (&builder->frames);
      data->nodes = g_steal_pointer (&builder->nodes);
      data->samples = g_steal_pointer (&builder->samples);
      data->info = builder->info;
      memset (&builder->info, 0, sizeof builder->info);
    }
  else
    {
      data->frames = g_array_copy (builder->frames);
      data->nodes = g_array_copy (builder->nodes);
      data->samples = g_array_copy (builder->samples);
      profile_info_copy (&data->info, &builder->info);
    }

  mark_recursion (data->nodes, data->frames->len);

  data->threads = g_array_sized_new (FALSE, FALSE, sizeof (ThreadName),
                                     g_hash_table_size (builder->threads));
  g_hash_table_iter_init (&iter, builder->threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_array_append_vals (data->threads, value, 1);
  g_array_sort (data->threads, compare_thread_names);

  data->process_names = g_hash_table_new (NULL, NULL);
  g_hash_table_iter_init (&iter, builder->process_names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (data->process_names, key, value);

  data->n_all = builder->n_all;
  if (builder->time_begin <= builder->time_end)
    {
      data->time_begin = builder->time_begin;
      data->time_end = builder->time_end;
    }

  return data;
}

void
scorch_profile_builder_set_addr_samples (ScorchProfileBuilder *builder,
                                         ScorchAddrSamples    *addr_samples)
{
  g_return_if_fail (builder != NULL);

  if (addr_samples != NULL)
    scorch_addr_samples_ref (addr_samples);
  g_clear_pointer (&builder->addr_samples, scorch_addr_samples_unref);
  builder->addr_samples = addr_samples;
}

ScorchAddrSamples *
scorch_profile_get_addr_samples (ScorchProfile *self)
{
  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  return self->data->addr_samples;
}

ScorchProfile *
scorch_profile_builder_snapshot (ScorchProfileBuilder *builder)
{
  ProfileData *data;
  ScorchProfile *profile;

  g_return_val_if_fail (builder != NULL, NULL);

  data = builder_make_data (builder, FALSE);
  profile = profile_new_view (data, data->samples);
  profile_data_unref (data);
  return profile;
}

ScorchProfile *
scorch_profile_builder_end (ScorchProfileBuilder *builder)
{
  ProfileData *data;
  ScorchProfile *profile;

  g_return_val_if_fail (builder != NULL, NULL);

  data = builder_make_data (builder, TRUE);
  scorch_profile_builder_free (builder);
  profile = profile_new_view (data, data->samples);
  profile_data_unref (data);
  return profile;
}

/* ------------------------------------------------------------------------ */
/* Inverted (bottom-up) profile                                              */

ScorchProfileBuilder *
_scorch_profile_builder_new_like (ScorchProfile *self)
{
  ScorchProfileBuilder *builder;
  ProfileData *src;

  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  src = self->data;
  builder = scorch_profile_builder_new ();

  /* Same strings and the same frame ids as the source profile. */
  _scorch_string_pool_unref (builder->pool);
  builder->pool = _scorch_string_pool_ref (src->pool);
  /* they pointed into the pool just dropped */
  builder->last_module = NULL;
  builder->last_file = NULL;
  g_array_set_size (builder->frames, 0);
  g_hash_table_remove_all (builder->frame_index);
  for (guint f = 0; f < src->frames->len; f++)
    {
      const ScorchFrame *frame = &g_array_index (src->frames, ScorchFrame, f);
      FrameKey key = { frame->function, frame->module, frame->kind };

      g_array_append_val (builder->frames, *frame);
      if (!g_hash_table_contains (builder->frame_index, &key))
        g_hash_table_insert (builder->frame_index, g_memdup2 (&key, sizeof key),
                             GUINT_TO_POINTER (f + 1));
    }

  for (guint i = 0; i < src->threads->len; i++)
    {
      const ThreadName *tn = &g_array_index (src->threads, ThreadName, i);
      scorch_profile_builder_set_thread_name (builder, tn->pid, tn->tid, tn->name);
    }
  profile_info_copy (&builder->info, &src->info);
  scorch_profile_builder_set_addr_samples (builder, src->addr_samples);

  /* A derived tree is at most as large as the source's: no growing on the way. */
  {
    gsize capacity = 1024;

    while (capacity < (gsize) src->nodes->len * 2 + 2)
      capacity *= 2;
    u64_map_clear (&builder->children);
    u64_map_init (&builder->children, capacity);
    for (guint i = 0; i < N_RECENT_CHILDREN; i++)
      builder->recent_children[i].key = KEY_EMPTY;
  }

  return builder;
}

guint32
_scorch_profile_builder_child (ScorchProfileBuilder *builder,
                               guint32               parent,
                               guint32               frame)
{
  return builder_child (builder, parent, frame);
}

const ScorchNode *
_scorch_profile_builder_get_nodes (ScorchProfileBuilder *builder,
                                   guint                *n_nodes)
{
  if (n_nodes != NULL)
    *n_nodes = builder->nodes->len;
  return (const ScorchNode *) (gpointer) builder->nodes->data;
}

void
_scorch_profile_builder_take_samples (ScorchProfileBuilder *builder,
                                      GArray               *samples)
{
  const ScorchSample *s = (const ScorchSample *) (gpointer) samples->data;

  g_array_unref (builder->samples);
  builder->samples = samples;
  /* what it holds beyond its length is not known: grown on the next add */
  builder->samples_cap = samples->len;
  for (guint i = 0; i < samples->len; i++)
    {
      builder->n_all += s[i].weight;
      if (s[i].time < builder->time_begin)
        builder->time_begin = s[i].time;
      if (s[i].time > builder->time_end)
        builder->time_end = s[i].time;
    }
}

ScorchProfile *
scorch_profile_dup_inverted (ScorchProfile *self)
{
  ScorchProfileBuilder *builder;
  const ScorchNode *nodes;
  const ScorchSample *samples;
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  ProfileData *src;

  g_return_val_if_fail (SCORCH_IS_PROFILE (self), NULL);

  src = self->data;
  builder = _scorch_profile_builder_new_like (self);

  nodes = (const ScorchNode *) (gpointer) src->nodes->data;
  samples = (const ScorchSample *) (gpointer) self->samples->data;
  for (guint i = 0; i < self->samples->len; i++)
    {
      const ScorchSample *s = &samples[i];

      g_array_set_size (stack, 0);
      for (guint32 n = s->node; n != SCORCH_PROFILE_ROOT; n = nodes[n].parent)
        g_array_append_val (stack, nodes[n].frame);
      /* stack is leaf first: adding it root-first puts leaves under the root. */
      builder_add (builder, s->time, s->pid, s->tid,
                   (const guint32 *) (gpointer) stack->data, stack->len, FALSE, s->weight);
    }

  return scorch_profile_builder_end (builder);
}
