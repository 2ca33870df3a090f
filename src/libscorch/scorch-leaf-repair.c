/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-leaf-repair.c: repairs frame-pointer callchains at record time
 * and rewrites the samples as plain callchain samples */

#include "config.h"

#define G_LOG_DOMAIN "scorch-leaf-repair"

#include <string.h>
#include <sys/mman.h>

#include "scorch-leaf-repair.h"
#include "scorch-perf-record.h"
#include "scorch-proc-table.h"

#define PREG_X86_BP 6
#define PREG_X86_SP 7
#define PREG_X86_IP 8

struct _ScorchLeafRepairer
{
  ScorchCaptureAttrs    *attrs;     /* the attr as opened, for the decoder */
  const ScorchCaptureAttr *attr;    /* the one in attrs */
  struct perf_event_attr written;   /* as written */
  int                    bp_index, sp_index, ip_index;   /* in the user registers */

  ScorchProcTable       *procs;
  ScorchUnwinder        *unwinder;
  GArray                *chain;     /* of guint64, scratch */
  ScorchLeafRepairStats  stats;
};

/* ---- the chain rewrite -------------------------------------------------- */

guint
scorch_leaf_repair_chain (ScorchUnwinder       *unwinder,
                          gint32                pid,
                          const guint64        *chain,
                          guint                 nr,
                          const ScorchLeafRegs *regs,
                          guint64              *out,
                          ScorchLeafRepair     *result)
{
  guint64 callers[SCORCH_LEAF_REPAIR_MAX_INSERTED];
  ScorchLeafRepair res = SCORCH_LEAF_REPAIR_NO_CFI;
  guint leaf = G_MAXUINT;
  guint n_callers = 0;
  guint n = 0;

  /* The user part: [PERF_CONTEXT_USER, ip, *(bp+8), ...]; for a sample
   * taken in the kernel it follows the kernel part, and the user
   * registers are the ones the task entered the kernel with. */
  for (guint i = 0; i < nr; i++)
    if (chain[i] == (guint64) PERF_CONTEXT_USER)
      {
        leaf = i + 1;
        break;
      }

  /* The chain already holds the leaf: its ip is never prepended. */
  if (regs != NULL && leaf < nr && chain[leaf] == regs->ip)
    n_callers = scorch_unwinder_repair_leaf (unwinder, pid, regs, callers, G_N_ELEMENTS (callers), &res);

  if (res == SCORCH_LEAF_REPAIR_NO_CFI || res == SCORCH_LEAF_REPAIR_LINKED)
    {
      memcpy (out, chain, nr * sizeof (guint64));
      *result = res;
      return nr;
    }

  memcpy (out, chain, (leaf + 1) * sizeof (guint64));
  n = leaf + 1;
  memcpy (out + n, callers, n_callers * sizeof (guint64));
  n += n_callers;
  if (res == SCORCH_LEAF_REPAIR_INSERTED)
    {
      memcpy (out + n, chain + leaf + 1, (nr - leaf - 1) * sizeof (guint64));
      n += nr - leaf - 1;
    }
  /* CUT, SHORT: the rest was walked from a wrong bp; COMPLETE: there is
   * no rest.  Either way nothing after the recovered callers is kept. */
  *result = res;
  return n;
}

/* ---- the repairer ------------------------------------------------------- */

static int
reg_index (guint64 mask,
           guint   reg)
{
  if (!(mask & (G_GUINT64_CONSTANT (1) << reg)))
    return -1;
  return __builtin_popcountll (mask & ((G_GUINT64_CONSTANT (1) << reg) - 1));
}

ScorchLeafRepairer *
scorch_leaf_repairer_new (const struct perf_event_attr *attr)
{
  ScorchLeafRepairer *self;
  guint64 st;

  g_return_val_if_fail (attr != NULL, NULL);
  st = attr->sample_type;
  /* without a callchain there is nothing to repair */
  g_return_val_if_fail ((st & PERF_SAMPLE_CALLCHAIN) != 0, NULL);

  self = g_new0 (ScorchLeafRepairer, 1);
  self->attrs = scorch_capture_attrs_new ();
  /* one attr of this build's size: cannot fail */
  scorch_capture_attrs_add (self->attrs, attr, sizeof *attr, NULL, 0, NULL);
  self->attr = scorch_capture_attrs_get_attr (self->attrs, 0);
  self->written = *attr;
  self->written.sample_type &= ~(guint64) (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER);
  self->written.sample_regs_user = 0;
  self->written.sample_stack_user = 0;

  if (st & PERF_SAMPLE_REGS_USER)
    {
      self->bp_index = reg_index (attr->sample_regs_user, PREG_X86_BP);
      self->sp_index = reg_index (attr->sample_regs_user, PREG_X86_SP);
      self->ip_index = reg_index (attr->sample_regs_user, PREG_X86_IP);
    }
  else
    self->bp_index = self->sp_index = self->ip_index = -1;

  self->procs = scorch_proc_table_new ();
  self->unwinder = scorch_unwinder_new (scorch_proc_table_find_mapping, self->procs);
  scorch_unwinder_set_engine (self->unwinder, SCORCH_UNWIND_ENGINE_CACHED_CFI);
  self->chain = g_array_new (FALSE, FALSE, sizeof (guint64));
  return self;
}

void
scorch_leaf_repairer_free (ScorchLeafRepairer *self)
{
  if (self == NULL)
    return;
  scorch_unwinder_free (self->unwinder);
  scorch_proc_table_free (self->procs);
  g_clear_pointer (&self->chain, g_array_unref);
  scorch_capture_attrs_unref (self->attrs);
  g_free (self);
}

const struct perf_event_attr *
scorch_leaf_repairer_get_written_attr (ScorchLeafRepairer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->written;
}

void
scorch_leaf_repairer_get_stats (ScorchLeafRepairer    *self,
                                ScorchLeafRepairStats *stats)
{
  g_return_if_fail (self != NULL);
  *stats = self->stats;
}

/* Keeps the process maps (what the analyzer does with the same records). */
static void
track_record (ScorchLeafRepairer *self,
              const ScorchRecord *record)
{
  ScorchPerfComm comm;
  ScorchPerfMmap map;
  ScorchPerfTask task;

  switch (record->type)
    {
    case PERF_RECORD_COMM:
      if (scorch_perf_record_get_comm (record, &comm, NULL))
        {
          g_autofree char *name = g_strndup (comm.comm, comm.comm_len);

          if (scorch_proc_table_comm (self->procs, comm.pid, comm.tid, name, comm.exec, 0))
            scorch_unwinder_invalidate (self->unwinder, comm.pid);
        }
      break;

    case PERF_RECORD_MMAP2:
      if (scorch_perf_record_get_mmap (record, &map, NULL) && !map.kernel && map.pid != -1)
        {
          scorch_proc_table_mmap (self->procs, &map, 0);
          if (map.prot & PROT_EXEC)
            scorch_unwinder_invalidate (self->unwinder, map.pid);
        }
      break;

    case PERF_RECORD_FORK:
      if (scorch_perf_record_get_task (record, &task, NULL))
        {
          scorch_proc_table_fork (self->procs, task.pid, task.ppid, task.tid, task.ptid, 0);
          if (task.pid != task.ppid)
            scorch_unwinder_forget (self->unwinder, task.pid);
        }
      break;

    case PERF_RECORD_EXIT:
      if (scorch_perf_record_get_task (record, &task, NULL))
        scorch_proc_table_exit (self->procs, task.pid, task.tid, 0);
      break;

    default:
      break;
    }
}

static inline guint64
user_reg (const ScorchSampleStack *s,
          int                      index)
{
  guint64 v;

  /* the registers may be unaligned in a batch: copy */
  memcpy (&v, (const guint8 *) s->regs + 8 * index, sizeof v);
  return v;
}

static void
count_result (ScorchLeafRepairStats *stats,
              gboolean               have_regs,
              ScorchLeafRepair       result)
{
  stats->samples++;
  if (!have_regs)
    stats->no_user++;
  else
    switch (result)
      {
      case SCORCH_LEAF_REPAIR_LINKED:   stats->linked++; break;
      case SCORCH_LEAF_REPAIR_INSERTED: stats->repaired++; break;
      case SCORCH_LEAF_REPAIR_COMPLETE: stats->complete++; break;
      case SCORCH_LEAF_REPAIR_CUT:      stats->cut++; break;
      case SCORCH_LEAF_REPAIR_SHORT:    stats->short_copy++; break;
      case SCORCH_LEAF_REPAIR_NO_CFI:
      default:                          stats->no_cfi++; break;
      }
}

/* Appends the rewritten sample to out: the same fields but the callchain,
 * which is the repaired one, and the user registers and stack copy, which
 * are left out; FALSE (nothing appended) when the sample does not
 * decode. */
static gboolean
rewrite_sample (ScorchLeafRepairer *self,
                const ScorchRecord *record,
                GByteArray         *out)
{
  ScorchSampleStack s;
  const guint8 *nr_field, *chain_end, *end = record->data + record->size;
  guint8 *w;
  gsize at;
  guint64 n64;
  guint64 *chain;
  ScorchLeafRegs regs = { 0 };
  gboolean have_regs = FALSE;
  ScorchLeafRepair result;
  struct perf_event_header nh = { .type = record->type, .misc = record->misc };
  guint nr, n;

  if (!scorch_capture_attrs_parse_sample_stack (self->attrs, record, &s, NULL) || s.callchain == NULL ||
      s.callchain_nr > 65536)
    return FALSE;
  nr = s.callchain_nr;
  nr_field = (const guint8 *) s.callchain - 8;
  chain_end = (const guint8 *) s.callchain + 8 * nr;

  if (s.regs != NULL && self->bp_index >= 0 && self->sp_index >= 0 && self->ip_index >= 0)
    {
      regs.bp = user_reg (&s, self->bp_index);
      regs.sp = user_reg (&s, self->sp_index);
      regs.ip = user_reg (&s, self->ip_index);
      regs.stack = s.stack;
      regs.stack_len = s.stack != NULL ? s.stack_size : 0;
      have_regs = TRUE;
    }

  /* the chain may be unaligned in a batch: copy it */
  if (self->chain->len < 2 * nr + SCORCH_LEAF_REPAIR_MAX_INSERTED)
    g_array_set_size (self->chain, 2 * nr + SCORCH_LEAF_REPAIR_MAX_INSERTED);
  chain = (guint64 *) (gpointer) self->chain->data;
  memcpy (chain, s.callchain, nr * 8);

  n = scorch_leaf_repair_chain (self->unwinder, s.pid, chain, nr, have_regs ? &regs : NULL, chain + nr,
                                &result);
  count_result (&self->stats, have_regs, result);

  /* header, fields before the chain, chain, fields between the chain and
   * the registers (RAW, BRANCH_STACK), fields after the stack copy */
  n64 = n;
  nh.size = (nr_field - record->data) + 8 + 8 * n + (s.user_start - chain_end) + (end - s.user_end);
  at = out->len;
  g_byte_array_set_size (out, at + nh.size);
  w = out->data + at;
  w = mempcpy (w, &nh, sizeof nh);
  w = mempcpy (w, record->data + sizeof nh, nr_field - record->data - sizeof nh);
  w = mempcpy (w, &n64, 8);
  w = mempcpy (w, chain + nr, 8 * n);
  w = mempcpy (w, chain_end, s.user_start - chain_end);
  memcpy (w, s.user_end, end - s.user_end);
  return TRUE;
}

void
scorch_leaf_repairer_process (ScorchLeafRepairer *self,
                              const guint8       *records,
                              gsize               len,
                              GByteArray         *out)
{
  struct perf_event_header hdr;
  ScorchRecord record;
  gsize off;

  g_return_if_fail (self != NULL);

  /* The rings are drained one CPU after the other: a library mapped on
   * one CPU may be sampled on another earlier in the batch.  A header
   * that does not parse ends the batch (the rest is not records). */
  for (off = 0; off < len && scorch_perf_record_parse_header (records + off, len - off, off, &hdr, NULL);
       off += hdr.size)
    if (hdr.type != PERF_RECORD_SAMPLE &&
        scorch_capture_attrs_parse_record (self->attrs, records + off, len - off, off, &record, NULL))
      track_record (self, &record);

  /* Samples have the one attr the repairer was made for: their
   * sample_id is not needed, only the sample's stack. */
  for (off = 0; off < len && scorch_perf_record_parse_header (records + off, len - off, off, &hdr, NULL);
       off += hdr.size)
    {
      if (hdr.type != PERF_RECORD_SAMPLE)
        {
          g_byte_array_append (out, records + off, hdr.size);
          continue;
        }
      scorch_perf_record_init_raw (&record, &hdr, records + off, off);
      record.attr = self->attr;
      /* a sample that does not decode is dropped: it cannot be written
       * with the new attr */
      rewrite_sample (self, &record, out);
    }
}
