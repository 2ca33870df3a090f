/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-off-cpu.c: off-CPU (blocked) time from context switches; see
 * scorch-off-cpu.h */

#include "config.h"

#define G_LOG_DOMAIN "scorch-off-cpu"

#include <string.h>

#include "scorch-off-cpu.h"
#include "scorch-profile-private.h"

typedef struct
{
  guint64 out_time;
  gint32  pid;
  guint   frames_at;     /* offset in self->frames */
  guint   n_frames;
  gboolean open;
  guint64 on_ns;         /* on-CPU time of the thread's samples */
  guint64 on_samples;
} ThreadState;

typedef struct
{
  guint64 time;
  gint32  pid, tid;
  guint   frames_at;
  guint   n_frames;
  guint64 duration;      /* ns */
} OffSample;

struct _ScorchOffCpu
{
  GHashTable *threads;   /* tid -> ThreadState* */
  GArray     *frames;    /* guint32: the stacks of switch-outs, leaf first */
  GArray     *samples;   /* OffSample */
  guint64     end_time;
  guint64     n_switches;
};

ScorchOffCpu *
scorch_off_cpu_new (void)
{
  ScorchOffCpu *self = g_new0 (ScorchOffCpu, 1);

  self->threads = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->frames = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->samples = g_array_new (FALSE, FALSE, sizeof (OffSample));
  return self;
}

void
scorch_off_cpu_free (ScorchOffCpu *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->threads);
  g_array_unref (self->frames);
  g_array_unref (self->samples);
  g_free (self);
}

static ThreadState *
thread_state (ScorchOffCpu *self,
              gint32        tid)
{
  ThreadState *t = g_hash_table_lookup (self->threads, GINT_TO_POINTER (tid));

  if (t == NULL)
    {
      t = g_new0 (ThreadState, 1);
      g_hash_table_insert (self->threads, GINT_TO_POINTER (tid), t);
    }
  return t;
}

static void
close_interval (ScorchOffCpu *self,
                ThreadState  *t,
                gint32        tid,
                guint64       time)
{
  OffSample s;

  if (!t->open)
    return;
  t->open = FALSE;
  if (time <= t->out_time)
    return;   /* ran again at once (or out of order): no time blocked */
  s.time = t->out_time;
  s.pid = t->pid;
  s.tid = tid;
  s.frames_at = t->frames_at;
  s.n_frames = t->n_frames;
  s.duration = time - t->out_time;
  g_array_append_val (self->samples, s);
}

void
scorch_off_cpu_saw_time (ScorchOffCpu *self,
                         guint64       time)
{
  if (time > self->end_time)
    self->end_time = time;
}

void
scorch_off_cpu_switch_out (ScorchOffCpu  *self,
                           guint64        time,
                           gint32         pid,
                           gint32         tid,
                           const guint32 *frames,
                           guint          n_frames)
{
  ThreadState *t = thread_state (self, tid);

  scorch_off_cpu_saw_time (self, time);
  /* A second switch-out without a sign of running in between (a perf
   * capture without switch records): the thread ran in between, for an
   * unknown time; count the first interval up to here. */
  close_interval (self, t, tid, time);

  t->open = TRUE;
  t->out_time = time;
  t->pid = pid;
  t->frames_at = self->frames->len;
  t->n_frames = n_frames;
  g_array_append_vals (self->frames, frames, n_frames);
  self->n_switches++;
}

void
scorch_off_cpu_switch_in (ScorchOffCpu *self,
                          guint64       time,
                          gint32        tid)
{
  ThreadState *t = g_hash_table_lookup (self->threads, GINT_TO_POINTER (tid));

  scorch_off_cpu_saw_time (self, time);
  if (t != NULL)
    close_interval (self, t, tid, time);
}

void
scorch_off_cpu_on_cpu (ScorchOffCpu *self,
                       guint64       time,
                       gint32        tid,
                       guint64       period_ns)
{
  ThreadState *t = thread_state (self, tid);

  scorch_off_cpu_saw_time (self, time);
  close_interval (self, t, tid, time);
  t->on_ns += period_ns;
  t->on_samples++;
}

void
scorch_off_cpu_exit (ScorchOffCpu *self,
                     guint64       time,
                     gint32        tid)
{
  scorch_off_cpu_switch_in (self, time, tid);
}

gboolean
scorch_off_cpu_has_switches (ScorchOffCpu *self)
{
  return self->n_switches > 0;
}

guint64
scorch_off_cpu_get_n_switches (ScorchOffCpu *self)
{
  return self->n_switches;
}

static guint32
to_weight (guint64 ns)
{
  guint64 us = (ns + 500) / 1000;

  return (guint32) CLAMP (us, 1, G_MAXUINT32);
}

/* The path of node, root side first, into frames. */
static void
node_path (const ScorchNode *nodes,
           guint32           node,
           GArray           *frames)
{
  g_array_set_size (frames, 0);
  for (guint32 n = node; n != SCORCH_PROFILE_ROOT && n != SCORCH_NODE_NONE; n = nodes[n].parent)
    g_array_append_val (frames, nodes[n].frame);
  /* reverse: leaf first -> root first */
  for (guint i = 0, j = frames->len; i + 1 < j; i++, j--)
    {
      guint32 tmp = g_array_index (frames, guint32, i);

      g_array_index (frames, guint32, i) = g_array_index (frames, guint32, j - 1);
      g_array_index (frames, guint32, j - 1) = tmp;
    }
}

static int
compare_off_samples (gconstpointer a,
                     gconstpointer b)
{
  const OffSample *sa = a;
  const OffSample *sb = b;

  if (sa->time != sb->time)
    return sa->time < sb->time ? -1 : 1;
  return sa->tid < sb->tid ? -1 : (sa->tid > sb->tid);
}

static void
add_off_samples (ScorchOffCpu         *self,
                 GArray               *samples,
                 ScorchProfileBuilder *builder)
{
  for (guint i = 0; i < samples->len; i++)
    {
      const OffSample *s = &g_array_index (samples, OffSample, i);
      ScorchProfileSample sample = {
        .time = s->time, .pid = s->pid, .tid = s->tid,
        .frames = s->n_frames > 0 ? &g_array_index (self->frames, guint32, s->frames_at) : NULL,
        .n_frames = s->n_frames, .order = SCORCH_FRAME_ORDER_LEAF_FIRST,
        .weight = to_weight (s->duration),
      };

      scorch_profile_builder_add_sample (builder, &sample);
    }
}

/* The switch-outs still open, as if closed at the end of what was seen
 * so far (the tracker's state is left as it is). */
static GArray *
open_samples (ScorchOffCpu *self)
{
  GArray *open = g_array_new (FALSE, FALSE, sizeof (OffSample));
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const ThreadState *t = value;
      OffSample s;

      if (!t->open || self->end_time <= t->out_time)
        continue;
      s.time = t->out_time;
      s.pid = t->pid;
      s.tid = GPOINTER_TO_INT (key);
      s.frames_at = t->frames_at;
      s.n_frames = t->n_frames;
      s.duration = self->end_time - t->out_time;
      g_array_append_val (open, s);
    }
  /* hash order is not an order: as the final profile, by start time */
  g_array_sort (open, compare_off_samples);
  return open;
}

/* Builds the Off-CPU and Wall clock profiles of on_cpu from the closed
 * intervals and open (may be NULL), and attaches them. */
static void
attach_views (ScorchOffCpu  *self,
              ScorchProfile *on_cpu,
              GArray        *open)
{
  g_autoptr(ScorchProfile) off = NULL;
  g_autoptr(ScorchProfile) wall = NULL;
  g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (guint32));
  ScorchProfileBuilder *builder;
  const ScorchSample *samples;
  const ScorchNode *nodes;
  guint n_samples = 0, n_nodes = 0;

  builder = _scorch_profile_builder_new_like (on_cpu);
  add_off_samples (self, self->samples, builder);
  if (open != NULL)
    add_off_samples (self, open, builder);
  off = scorch_profile_builder_end (builder);

  /* Wall clock: each on-CPU sample weighs its thread's mean CPU time per
   * sample (the period of a time event), then the blocked time. */
  builder = _scorch_profile_builder_new_like (on_cpu);
  samples = scorch_profile_get_samples (on_cpu, &n_samples);
  nodes = scorch_profile_get_nodes (on_cpu, &n_nodes);
  for (guint i = 0; i < n_samples; i++)
    {
      ThreadState *t = g_hash_table_lookup (self->threads, GINT_TO_POINTER (samples[i].tid));
      ScorchProfileSample sample = { .time = samples[i].time, .pid = samples[i].pid, .tid = samples[i].tid };
      guint64 ns = 0;

      if (t != NULL && t->on_samples > 0)
        ns = t->on_ns / t->on_samples;
      node_path (nodes, samples[i].node, path);
      sample.frames = (const guint32 *) (gpointer) path->data;
      sample.n_frames = path->len;
      sample.weight = (guint32) MIN ((guint64) to_weight (ns) * samples[i].weight, G_MAXUINT32);
      scorch_profile_builder_add_sample (builder, &sample);
    }
  add_off_samples (self, self->samples, builder);
  if (open != NULL)
    add_off_samples (self, open, builder);
  wall = scorch_profile_builder_end (builder);

  scorch_profile_set_time_views (on_cpu, off, wall);
}

void
scorch_off_cpu_snapshot (ScorchOffCpu  *self,
                         ScorchProfile *on_cpu)
{
  g_autoptr(GArray) open = NULL;

  g_return_if_fail (SCORCH_IS_PROFILE (on_cpu));

  if (self->n_switches == 0)
    return;
  open = open_samples (self);
  attach_views (self, on_cpu, open);
}

void
scorch_off_cpu_finish (ScorchOffCpu  *self,
                       ScorchProfile *on_cpu)
{
  /* Still switched out at the end: blocked until the capture ends, as a
   * snapshot counts them (no record comes after this). */
  scorch_off_cpu_snapshot (self, on_cpu);
}
