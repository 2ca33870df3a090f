/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-diff.c: two profiles matched by call path, with normalized
 * before/after/delta figures per call-tree node and per function
 *
 * Frames of both sides are first reduced to function keys: the function
 * name and a module key (the module's base name, or one shared key for the
 * two main executables).  Addresses, build ids and directories never take
 * part, so a rebuilt or renamed binary matches its earlier build.  The
 * merged tree then has one node per (parent, function key); each side's
 * nodes map onto it in one pass, since a parent's index is always lower
 * than its children's. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-diff"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scorch-diff.h"
#include "scorch-text.h"

#define NO_FRAME G_MAXUINT32
#define MAIN_MODULE_ID 0u

struct _ScorchDiff
{
  GObject         parent_instance;

  ScorchProfile  *profiles[2];
  ScorchDiffMode  mode;
  guint64         n_samples[2];
  double          duration[2];

  GArray         *nodes;         /* of ScorchDiffNode */
  guint32        *node_map[2];   /* profile node -> merged node */
  GArray         *functions;     /* of ScorchDiffFunction, in key order */
  guint32        *frame_map[2];  /* profile frame -> function key index */
  gint           *position;      /* key index -> sorted position */
  ScorchDiffFunction *sorted_functions;
  guint           n_listed;      /* functions with samples on either side */
};

G_DEFINE_FINAL_TYPE (ScorchDiff, scorch_diff, G_TYPE_OBJECT)

static void
scorch_diff_finalize (GObject *object)
{
  ScorchDiff *self = SCORCH_DIFF (object);

  for (guint s = 0; s < 2; s++)
    {
      g_clear_object (&self->profiles[s]);
      g_clear_pointer (&self->node_map[s], g_free);
      g_clear_pointer (&self->frame_map[s], g_free);
    }
  g_clear_pointer (&self->nodes, g_array_unref);
  g_clear_pointer (&self->functions, g_array_unref);
  g_clear_pointer (&self->position, g_free);
  g_clear_pointer (&self->sorted_functions, g_free);

  G_OBJECT_CLASS (scorch_diff_parent_class)->finalize (object);
}

static void
scorch_diff_class_init (ScorchDiffClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scorch_diff_finalize;
}

static void
scorch_diff_init (ScorchDiff *self)
{
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

/* The profile's main executable, as a module string of its frames, or
 * NULL: the module named by the first word of the command line when a
 * frame lives in it, else the module of the hottest "main". */
static const char *
find_main_module (ScorchProfile *profile)
{
  const ScorchProfileInfo *info = scorch_profile_get_info (profile);
  const ScorchFrame *frames;
  const ScorchHotspot *hotspots;
  guint n_frames, n_hotspots;
  const char *found = NULL;
  guint64 best = 0;

  frames = scorch_profile_get_frames (profile, &n_frames);
  if (info->command_line != NULL && info->command_line[0] != '\0')
    {
      g_autofree char *first = g_strdup (info->command_line);
      char *space = strchr (first, ' ');
      const char *want;

      if (space != NULL)
        *space = '\0';
      want = base_name (first);
      for (guint i = 0; i < n_frames; i++)
        if (frames[i].kind != SCORCH_FRAME_KIND_KERNEL && frames[i].module[0] != '\0' &&
            strcmp (base_name (frames[i].module), want) == 0)
          return frames[i].module;
    }

  hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  for (guint i = 0; i < n_hotspots; i++)
    {
      const ScorchFrame *f = &frames[hotspots[i].frame];

      if (strcmp (f->function, "main") == 0 && f->module[0] != '\0' &&
          f->kind != SCORCH_FRAME_KIND_KERNEL && hotspots[i].total > best)
        {
          best = hotspots[i].total;
          found = f->module;
        }
    }
  return found;
}

typedef struct
{
  GHashTable *modules;   /* module key (char *) -> id + 1 */
  GHashTable *functions; /* "ID:function" -> index + 1 */
} Keys;

static guint32
intern_function (ScorchDiff        *self,
                 Keys              *keys,
                 ScorchDiffSide     side,
                 const ScorchFrame *frame,
                 guint32            frame_id,
                 const char        *main_module)
{
  guint module_id;
  g_autofree char *key = NULL;
  gpointer value;
  guint32 index;

  if (main_module != NULL && frame->module == main_module)
    module_id = MAIN_MODULE_ID;
  else
    {
      const char *bn = base_name (frame->module);

      value = g_hash_table_lookup (keys->modules, bn);
      if (value == NULL)
        {
          value = GUINT_TO_POINTER (g_hash_table_size (keys->modules) + 2);
          g_hash_table_insert (keys->modules, g_strdup (bn), value);
        }
      module_id = GPOINTER_TO_UINT (value) - 1;
    }

  key = g_strdup_printf ("%u:%s", module_id, frame->function);
  value = g_hash_table_lookup (keys->functions, key);
  if (value != NULL)
    index = GPOINTER_TO_UINT (value) - 1;
  else
    {
      ScorchDiffFunction f = { 0 };

      f.function = frame->function;
      f.module = frame->module;
      f.base_frame = NO_FRAME;
      f.new_frame = NO_FRAME;
      index = self->functions->len;
      g_array_append_val (self->functions, f);
      g_hash_table_insert (keys->functions, g_steal_pointer (&key), GUINT_TO_POINTER (index + 1));
    }

  {
    ScorchDiffFunction *f = &g_array_index (self->functions, ScorchDiffFunction, index);
    guint32 *slot = side == SCORCH_DIFF_BASE ? &f->base_frame : &f->new_frame;

    if (*slot == NO_FRAME)
      *slot = frame_id;
    /* Names print as the new capture has them. */
    if (side == SCORCH_DIFF_NEW && f->new_frame == frame_id)
      {
        f->function = frame->function;
        f->module = frame->module;
      }
  }
  return index;
}

static double
view_duration (ScorchProfile *profile)
{
  const ScorchSample *samples;
  guint n;
  guint64 lo = G_MAXUINT64, hi = 0;

  samples = scorch_profile_get_samples (profile, &n);
  for (guint i = 0; i < n; i++)
    {
      if (samples[i].time == 0)
        continue;
      lo = MIN (lo, samples[i].time);
      hi = MAX (hi, samples[i].time);
    }
  return hi > lo ? (double) (hi - lo) / 1e9 : 0;
}

static void
map_side (ScorchDiff     *self,
          ScorchDiffSide  side,
          Keys           *keys,
          GHashTable     *children,
          const char     *main_module)
{
  ScorchProfile *profile = self->profiles[side];
  const ScorchFrame *frames;
  const ScorchNode *nodes;
  const guint64 *pself = scorch_profile_get_node_self (profile);
  const guint64 *ptotal = scorch_profile_get_node_total (profile);
  const ScorchHotspot *hotspots;
  guint n_frames, n_nodes, n_hotspots;
  guint32 *map;

  frames = scorch_profile_get_frames (profile, &n_frames);
  nodes = scorch_profile_get_nodes (profile, &n_nodes);

  self->frame_map[side] = g_new (guint32, MAX (n_frames, 1));
  for (guint i = 0; i < n_frames; i++)
    self->frame_map[side][i] = frames[i].kind == SCORCH_FRAME_KIND_ROOT
                               ? NO_FRAME
                               : intern_function (self, keys, side, &frames[i], i, main_module);

  map = self->node_map[side] = g_new (guint32, MAX (n_nodes, 1));
  for (guint i = 0; i < n_nodes; i++)
    {
      ScorchDiffNode *m;
      guint32 merged;

      if (i == SCORCH_PROFILE_ROOT || nodes[i].parent == SCORCH_NODE_NONE ||
          self->frame_map[side][nodes[i].frame] == NO_FRAME)
        merged = 0;
      else
        {
          guint32 parent = map[nodes[i].parent];
          guint64 key;
          gpointer value;

          g_assert (nodes[i].parent < i);
          key = ((guint64) parent << 32) | self->frame_map[side][nodes[i].frame];
          value = g_hash_table_lookup (children, &key);
          if (value != NULL)
            merged = GPOINTER_TO_UINT (value) - 1;
          else
            {
              ScorchDiffNode n = { 0 };
              guint64 *k = g_new (guint64, 1);

              n.parent = parent;
              n.function = self->frame_map[side][nodes[i].frame];
              n.base_node = SCORCH_NODE_NONE;
              n.new_node = SCORCH_NODE_NONE;
              n.depth = g_array_index (self->nodes, ScorchDiffNode, parent).depth + 1;
              merged = self->nodes->len;
              g_array_append_val (self->nodes, n);
              *k = key;
              g_hash_table_insert (children, k, GUINT_TO_POINTER (merged + 1));
            }
        }
      map[i] = merged;

      m = &g_array_index (self->nodes, ScorchDiffNode, merged);
      if (side == SCORCH_DIFF_BASE)
        {
          if (m->base_node == SCORCH_NODE_NONE)
            m->base_node = i;
          m->base_self += pself[i];
          /* Two nodes of one side on one merged node are siblings (their
           * frames differ only in what the key ignores): their totals add. */
          m->base_total += ptotal[i];
        }
      else
        {
          if (m->new_node == SCORCH_NODE_NONE)
            m->new_node = i;
          m->new_self += pself[i];
          m->new_total += ptotal[i];
        }
    }
  /* The root stands for every sample, once. */
  {
    ScorchDiffNode *root = &g_array_index (self->nodes, ScorchDiffNode, 0);

    if (side == SCORCH_DIFF_BASE)
      root->base_total = self->n_samples[side];
    else
      root->new_total = self->n_samples[side];
  }

  hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  for (guint i = 0; i < n_hotspots; i++)
    {
      ScorchDiffFunction *f;

      if (hotspots[i].frame >= n_frames || self->frame_map[side][hotspots[i].frame] == NO_FRAME)
        continue;
      f = &g_array_index (self->functions, ScorchDiffFunction, self->frame_map[side][hotspots[i].frame]);
      if (side == SCORCH_DIFF_BASE)
        {
          f->base_self += hotspots[i].self;
          f->base_total = MIN (f->base_total + hotspots[i].total, self->n_samples[side]);
        }
      else
        {
          f->new_self += hotspots[i].self;
          f->new_total = MIN (f->new_total + hotspots[i].total, self->n_samples[side]);
        }
    }
}

typedef struct
{
  guint32     index;
  double      delta_self;  /* |new - base|, in the diff's unit */
  double      delta_total;
  const char *function;
  const char *module;
} SortKey;

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const SortKey *ka = a, *kb = b;
  int c;

  if (ka->delta_self != kb->delta_self)
    return ka->delta_self > kb->delta_self ? -1 : 1;
  if (ka->delta_total != kb->delta_total)
    return ka->delta_total > kb->delta_total ? -1 : 1;
  c = strcmp (ka->function, kb->function);
  if (c != 0)
    return c;
  c = strcmp (ka->module, kb->module);
  if (c != 0)
    return c;
  return ka->index < kb->index ? -1 : ka->index > kb->index;
}

static void
sort_functions (ScorchDiff *self)
{
  guint n = self->functions->len;
  g_autofree SortKey *keys = g_new (SortKey, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const ScorchDiffFunction *f = &g_array_index (self->functions, ScorchDiffFunction, i);

      keys[i].index = i;
      keys[i].delta_self = fabs (scorch_diff_normalize (self, SCORCH_DIFF_NEW, f->new_self) -
                                 scorch_diff_normalize (self, SCORCH_DIFF_BASE, f->base_self));
      keys[i].delta_total = fabs (scorch_diff_normalize (self, SCORCH_DIFF_NEW, f->new_total) -
                                  scorch_diff_normalize (self, SCORCH_DIFF_BASE, f->base_total));
      keys[i].function = f->function;
      keys[i].module = f->module;
    }
  qsort (keys, n, sizeof (SortKey), compare_keys);

  /* Functions with no sample on either side (frames a filter or transform
   * left without samples) are not listed. */
  self->position = g_new (gint, MAX (n, 1));
  self->sorted_functions = g_new (ScorchDiffFunction, MAX (n, 1));
  self->n_listed = 0;
  for (guint i = 0; i < n; i++)
    {
      const ScorchDiffFunction *f = &g_array_index (self->functions, ScorchDiffFunction, keys[i].index);

      if (f->base_total == 0 && f->new_total == 0)
        {
          self->position[keys[i].index] = -1;
          continue;
        }
      self->position[keys[i].index] = (gint) self->n_listed;
      self->sorted_functions[self->n_listed++] = *f;
    }
}

ScorchDiff *
scorch_diff_new (ScorchProfile  *base,
                 ScorchProfile  *new_profile,
                 ScorchDiffMode  mode)
{
  ScorchDiff *self;
  g_autoptr(GHashTable) children = NULL;
  const char *mains[2];
  Keys keys;
  ScorchDiffNode root = { 0 };

  g_return_val_if_fail (SCORCH_IS_PROFILE (base), NULL);
  g_return_val_if_fail (SCORCH_IS_PROFILE (new_profile), NULL);

  self = g_object_new (SCORCH_TYPE_DIFF, NULL);
  self->profiles[SCORCH_DIFF_BASE] = g_object_ref (base);
  self->profiles[SCORCH_DIFF_NEW] = g_object_ref (new_profile);
  for (guint s = 0; s < 2; s++)
    {
      self->n_samples[s] = scorch_profile_get_total (self->profiles[s]);
      self->duration[s] = view_duration (self->profiles[s]);
    }
  self->mode = mode == SCORCH_DIFF_RATES && scorch_diff_can_use_rates (self) ? SCORCH_DIFF_RATES
                                                                             : SCORCH_DIFF_SHARES;

  self->nodes = g_array_new (FALSE, FALSE, sizeof (ScorchDiffNode));
  self->functions = g_array_new (FALSE, FALSE, sizeof (ScorchDiffFunction));
  root.parent = SCORCH_NODE_NONE;
  root.function = G_MAXUINT32;
  root.base_node = SCORCH_PROFILE_ROOT;
  root.new_node = SCORCH_PROFILE_ROOT;
  g_array_append_val (self->nodes, root);

  mains[0] = find_main_module (base);
  mains[1] = find_main_module (new_profile);
  if (mains[0] == NULL || mains[1] == NULL)
    mains[0] = mains[1] = NULL;

  keys.modules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  keys.functions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  children = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  map_side (self, SCORCH_DIFF_BASE, &keys, children, mains[0]);
  map_side (self, SCORCH_DIFF_NEW, &keys, children, mains[1]);

  g_hash_table_unref (keys.modules);
  g_hash_table_unref (keys.functions);

  sort_functions (self);
  return self;
}

ScorchDiff *
scorch_diff_dup_with_mode (ScorchDiff     *self,
                           ScorchDiffMode  mode)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), NULL);

  return scorch_diff_new (self->profiles[SCORCH_DIFF_BASE], self->profiles[SCORCH_DIFF_NEW], mode);
}

ScorchProfile *
scorch_diff_get_profile (ScorchDiff     *self,
                         ScorchDiffSide  side)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), NULL);
  g_return_val_if_fail (side <= SCORCH_DIFF_NEW, NULL);

  return self->profiles[side];
}

ScorchDiffMode
scorch_diff_get_mode (ScorchDiff *self)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), SCORCH_DIFF_SHARES);

  return self->mode;
}

gboolean
scorch_diff_can_use_rates (ScorchDiff *self)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), FALSE);

  return self->duration[0] > 0 && self->duration[1] > 0;
}

guint64
scorch_diff_get_n_samples (ScorchDiff     *self,
                           ScorchDiffSide  side)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), 0);
  g_return_val_if_fail (side <= SCORCH_DIFF_NEW, 0);

  return self->n_samples[side];
}

double
scorch_diff_get_duration (ScorchDiff     *self,
                          ScorchDiffSide  side)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), 0);
  g_return_val_if_fail (side <= SCORCH_DIFF_NEW, 0);

  return self->duration[side];
}

double
scorch_diff_normalize (ScorchDiff     *self,
                       ScorchDiffSide  side,
                       guint64         count)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), 0);
  g_return_val_if_fail (side <= SCORCH_DIFF_NEW, 0);

  if (self->mode == SCORCH_DIFF_RATES)
    return self->duration[side] > 0 ? (double) count / self->duration[side] : 0;
  return self->n_samples[side] > 0 ? 100.0 * (double) count / (double) self->n_samples[side] : 0;
}

double
scorch_diff_get_threshold (ScorchDiff *self,
                           guint64     base_count,
                           guint64     new_count)
{
  double nb, nn, sd, floor_;

  g_return_val_if_fail (SCORCH_IS_DIFF (self), 0);

  nb = (double) self->n_samples[SCORCH_DIFF_BASE];
  nn = (double) self->n_samples[SCORCH_DIFF_NEW];

  if (self->mode == SCORCH_DIFF_RATES)
    {
      double tb = self->duration[SCORCH_DIFF_BASE], tn = self->duration[SCORCH_DIFF_NEW];

      sd = sqrt ((double) base_count / (tb * tb) + (double) new_count / (tn * tn));
      floor_ = 0.005 * MAX (nb / tb, nn / tn);
      return MAX (floor_, 3 * sd);
    }

  if (nb <= 0 || nn <= 0)
    return 0.5;
  {
    double p = ((double) base_count + (double) new_count) / (nb + nn);

    sd = 100.0 * sqrt (p * (1 - p) * (1 / nb + 1 / nn));
  }
  return MAX (0.5, 3 * sd);
}

ScorchDiffChange
scorch_diff_compare (ScorchDiff *self,
                     guint64     base_count,
                     guint64     new_count,
                     double     *delta)
{
  double d;

  g_return_val_if_fail (SCORCH_IS_DIFF (self), SCORCH_DIFF_NEUTRAL);

  d = scorch_diff_normalize (self, SCORCH_DIFF_NEW, new_count) -
      scorch_diff_normalize (self, SCORCH_DIFF_BASE, base_count);
  if (delta != NULL)
    *delta = d;
  if (fabs (d) < scorch_diff_get_threshold (self, base_count, new_count))
    return SCORCH_DIFF_NEUTRAL;
  return d > 0 ? SCORCH_DIFF_HOTTER : SCORCH_DIFF_COOLER;
}

const ScorchDiffNode *
scorch_diff_get_nodes (ScorchDiff *self,
                       guint      *n_nodes)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), NULL);

  if (n_nodes != NULL)
    *n_nodes = self->nodes->len;
  return (const ScorchDiffNode *) (gpointer) self->nodes->data;
}

guint32
scorch_diff_lookup_node (ScorchDiff     *self,
                         ScorchDiffSide  side,
                         guint32         node)
{
  guint n_nodes = 0;

  g_return_val_if_fail (SCORCH_IS_DIFF (self), SCORCH_NODE_NONE);
  g_return_val_if_fail (side <= SCORCH_DIFF_NEW, SCORCH_NODE_NONE);

  scorch_profile_get_nodes (self->profiles[side], &n_nodes);
  if (node >= n_nodes)
    return SCORCH_NODE_NONE;
  return self->node_map[side][node];
}

const ScorchDiffFunction *
scorch_diff_get_functions (ScorchDiff *self,
                           guint      *n_functions)
{
  g_return_val_if_fail (SCORCH_IS_DIFF (self), NULL);

  if (n_functions != NULL)
    *n_functions = self->n_listed;
  return self->sorted_functions;
}

gint
scorch_diff_lookup_frame (ScorchDiff     *self,
                          ScorchDiffSide  side,
                          guint32         frame)
{
  guint n_frames;

  g_return_val_if_fail (SCORCH_IS_DIFF (self), -1);
  g_return_val_if_fail (side <= SCORCH_DIFF_NEW, -1);

  scorch_profile_get_frames (self->profiles[side], &n_frames);
  if (frame >= n_frames || self->frame_map[side][frame] == NO_FRAME)
    return -1;
  return self->position[self->frame_map[side][frame]];
}

static const ScorchFrame *
node_frame (ScorchDiff           *self,
            const ScorchDiffNode *n)
{
  ScorchDiffSide side = n->new_node != SCORCH_NODE_NONE ? SCORCH_DIFF_NEW : SCORCH_DIFF_BASE;
  guint32 node = side == SCORCH_DIFF_NEW ? n->new_node : n->base_node;
  const ScorchNode *nodes = scorch_profile_get_nodes (self->profiles[side], NULL);

  return scorch_profile_get_frame (self->profiles[side], nodes[node].frame);
}

static void
append_folded_name (GString           *out,
                    const ScorchFrame *frame)
{
  /* The suffixes of scorch_folded_write(), so that the stacks read back
   * with the same frame kinds. */
  static const char *const suffix[SCORCH_N_FRAME_KINDS] = {
    [SCORCH_FRAME_KIND_KERNEL] = "_[k]",
    [SCORCH_FRAME_KIND_JIT] = "_[j]",
    [SCORCH_FRAME_KIND_INLINED] = "_[i]",
  };

  scorch_text_append_folded_frame (out, frame->function);
  if (frame->kind < SCORCH_N_FRAME_KINDS && suffix[frame->kind] != NULL)
    g_string_append (out, suffix[frame->kind]);
}

gboolean
scorch_diff_write_folded (ScorchDiff     *self,
                          GOutputStream  *stream,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (guint32));
  const ScorchDiffNode *nodes;
  guint n_nodes = 0;

  g_return_val_if_fail (SCORCH_IS_DIFF (self), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  nodes = scorch_diff_get_nodes (self, &n_nodes);
  for (guint i = 1; i < n_nodes; i++)
    {
      if (nodes[i].base_self == 0 && nodes[i].new_self == 0)
        continue;

      g_array_set_size (path, 0);
      for (guint32 n = i; n != 0 && n != SCORCH_NODE_NONE; n = nodes[n].parent)
        g_array_append_val (path, n);
      for (guint j = path->len; j-- > 0;)
        {
          append_folded_name (out, node_frame (self, &nodes[g_array_index (path, guint32, j)]));
          if (j > 0)
            g_string_append_c (out, ';');
        }
      g_string_append_printf (out, " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                              nodes[i].base_self, nodes[i].new_self);

      if (out->len > 256 * 1024)
        {
          if (!g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error))
            return FALSE;
          g_string_truncate (out, 0);
        }
    }

  return g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error);
}
