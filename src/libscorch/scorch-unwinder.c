/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Work in progress: the libunwind implementation lands in the next commits.
 * For now only the sampled leaf ip is returned. */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include "scorch-unwinder.h"

struct _ScorchUnwinder
{
  ScorchFindMappingFunc find_mapping;
  gpointer              user_data;
};

ScorchUnwinder *
scorch_unwinder_new (ScorchFindMappingFunc find_mapping,
                     gpointer              user_data)
{
  ScorchUnwinder *self = g_new0 (ScorchUnwinder, 1);

  self->find_mapping = find_mapping;
  self->user_data = user_data;
  return self;
}

void
scorch_unwinder_free (ScorchUnwinder *self)
{
  g_free (self);
}

guint
scorch_unwinder_unwind (ScorchUnwinder *self,
                        gint32          pid,
                        guint64         regs_mask,
                        const guint64  *regs,
                        guint           n_regs,
                        const guint8   *stack,
                        gsize           stack_len,
                        guint64         stack_sp,
                        guint64        *ips,
                        guint           max_ips,
                        gboolean       *truncated)
{
  guint idx = 0;

  *truncated = TRUE;
  /* PERF_REG_X86_IP is bit 8 */
  if (max_ips == 0 || !(regs_mask & (G_GUINT64_CONSTANT (1) << 8)))
    return 0;
  for (guint bit = 0; bit < 8; bit++)
    if (regs_mask & (G_GUINT64_CONSTANT (1) << bit))
      idx++;
  if (idx >= n_regs)
    return 0;
  ips[0] = regs[idx];
  return 1;
}

void
scorch_unwinder_invalidate (ScorchUnwinder *self,
                            gint32          pid)
{
}

void
scorch_unwinder_forget (ScorchUnwinder *self,
                        gint32          pid)
{
}
