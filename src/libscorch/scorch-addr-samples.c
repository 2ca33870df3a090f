/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-addr-samples.c: per-address sample counts (see the header) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-annotate"

#include "scorch-addr-samples.h"

struct _ScorchAddrSamples
{
  gatomicrefcount  ref;
  GArray          *modules;  /* ScorchAddrModule */
  GArray          *samples;  /* ScorchAddrSample */
  GArray          *runs;     /* guint32 */
};

static void
clear_module (gpointer data)
{
  ScorchAddrModule *m = data;

  g_clear_pointer (&m->path, g_free);
}

ScorchAddrSamples *
scorch_addr_samples_new (GArray *modules,
                         GArray *samples,
                         GArray *runs)
{
  ScorchAddrSamples *self;

  g_return_val_if_fail (modules != NULL && samples != NULL && runs != NULL, NULL);

  self = g_new0 (ScorchAddrSamples, 1);
  g_atomic_ref_count_init (&self->ref);
  self->modules = modules;
  g_array_set_clear_func (self->modules, clear_module);
  self->samples = samples;
  self->runs = runs;
  return self;
}

ScorchAddrSamples *
scorch_addr_samples_ref (ScorchAddrSamples *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
scorch_addr_samples_unref (ScorchAddrSamples *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_array_unref (self->modules);
  g_array_unref (self->samples);
  g_array_unref (self->runs);
  g_free (self);
}

const ScorchAddrModule *
scorch_addr_samples_get_modules (ScorchAddrSamples *self,
                                 guint             *n_modules)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_modules != NULL)
    *n_modules = self->modules->len;
  return (const ScorchAddrModule *) (gpointer) self->modules->data;
}

const ScorchAddrSample *
scorch_addr_samples_get_samples (ScorchAddrSamples *self,
                                 guint             *n_samples)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_samples != NULL)
    *n_samples = self->samples->len;
  return (const ScorchAddrSample *) (gpointer) self->samples->data;
}

guint
scorch_addr_samples_get_frames (ScorchAddrSamples      *self,
                                const ScorchAddrSample *s,
                                const guint32         **frames)
{
  const guint32 *runs;
  guint n;

  g_return_val_if_fail (self != NULL && s != NULL && frames != NULL, 0);

  runs = (const guint32 *) (gpointer) self->runs->data;
  if (s->run >= self->runs->len)
    {
      *frames = NULL;
      return 0;
    }
  n = runs[s->run];
  g_assert (s->run + (gsize) n < self->runs->len);
  *frames = runs + s->run + 1;
  return n;
}
