/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-leaf-repair.h: --call-graph fp+repair at record time.  Samples
 * carry the kernel's frame-pointer callchain plus the user BP, SP, IP and
 * a small copy of the top of the user stack; each chain is repaired where
 * the leaf had not linked its frame (scorch_unwinder_repair_leaf()), and
 * the sample is rewritten as a plain callchain sample: the written attr has
 * no PERF_SAMPLE_REGS_USER / PERF_SAMPLE_STACK_USER, so perf and every
 * reader see an ordinary frame-pointer capture with the right stacks. */

#pragma once

#include <glib.h>
#include <linux/perf_event.h>

#include "scorch-unwinder.h"

G_BEGIN_DECLS

/* The user registers fp+repair samples: BP, SP, IP (PERF_REG_X86_*) */
#define SCORCH_LEAF_REPAIR_REGS_MASK       G_GUINT64_CONSTANT (0x1c0)
/* The stack copy fp+repair takes by default */
#define SCORCH_LEAF_REPAIR_DEFAULT_STACK   512
/* Callers one repair may insert */
#define SCORCH_LEAF_REPAIR_MAX_INSERTED    16

typedef struct
{
  guint64 samples;      /* samples looked at */
  guint64 no_user;      /* no user stack (kernel threads, no registers) */
  guint64 linked;       /* the leaf had linked its frame: the chain was right */
  guint64 repaired;     /* callers inserted after the leaf */
  guint64 complete;     /* callers recovered up to the outermost frame */
  guint64 cut;          /* bp was overwritten: the rest of the chain was dropped */
  guint64 short_copy;   /* cut: the stack copy was too small to decide */
  guint64 no_cfi;       /* no CFI at the leaf: left as the kernel made it */
} ScorchLeafRepairStats;

/* The chain rewrite alone (deterministic; for tests and the repairer).
 * chain is the kernel's callchain (context markers included); regs the
 * sampled user registers and stack copy (NULL when the sample has none).
 * Writes the repaired chain to out (room for nr +
 * SCORCH_LEAF_REPAIR_MAX_INSERTED) and returns its length; *result tells
 * what was done (NO_CFI also when there is no user part to repair). */
guint scorch_leaf_repair_chain (ScorchUnwinder       *unwinder,
                                gint32                pid,
                                const guint64        *chain,
                                guint                 nr,
                                const ScorchLeafRegs *regs,
                                guint64              *out,
                                ScorchLeafRepair     *result);

typedef struct _ScorchLeafRepairer ScorchLeafRepairer;   /* one per recording; not thread-safe */

/* attr is the attr the events were opened with (CALLCHAIN, REGS_USER with
 * at least BP, SP, IP, STACK_USER). */
ScorchLeafRepairer           *scorch_leaf_repairer_new              (const struct perf_event_attr *attr);
void                          scorch_leaf_repairer_free             (ScorchLeafRepairer           *self);
/* The attr to write: attr without REGS_USER / STACK_USER. */
const struct perf_event_attr *scorch_leaf_repairer_get_written_attr (ScorchLeafRepairer           *self);
/* Rewrites a batch of whole records (as drained from the rings, of any
 * CPU order) into out: samples with repaired plain callchains, every other
 * record unchanged.  MMAP2, COMM, FORK and EXIT records keep the process
 * maps the repair needs; within a batch they are applied before its
 * samples are repaired. */
void                          scorch_leaf_repairer_process          (ScorchLeafRepairer           *self,
                                                                     const guint8                 *records,
                                                                     gsize                         len,
                                                                     GByteArray                   *out);
void                          scorch_leaf_repairer_get_stats        (ScorchLeafRepairer           *self,
                                                                     ScorchLeafRepairStats        *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchLeafRepairer, scorch_leaf_repairer_free)

G_END_DECLS
