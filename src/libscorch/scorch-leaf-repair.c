/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-leaf-repair.c: repairs frame-pointer callchains at record time
 * and rewrites the samples as plain callchain samples */

#include "config.h"

#define G_LOG_DOMAIN "scorch-leaf-repair"

#include <string.h>
#include <sys/mman.h>

#include "scorch-leaf-repair.h"
#include "scorch-proc-table.h"

#define PREG_X86_BP 6
#define PREG_X86_SP 7
#define PREG_X86_IP 8

struct _ScorchLeafRepairer
{
  struct perf_event_attr attr;      /* as opened */
  struct perf_event_attr written;   /* as written */
  guint                  n_prefix;  /* u64 fields before the callchain */
  guint                  n_regs;    /* popcount (sample_regs_user) */
  int                    bp_index, sp_index, ip_index;
  gsize                  id_size;   /* sample_id trailer of other records */

  ScorchProcTable       *procs;
  ScorchUnwinder        *unwinder;
  GArray                *chain;     /* of guint64, scratch */
  ScorchLeafRepairStats  stats;
};

/* ---- the chain rewrite -------------------------------------------------- */

guint
scorch_leaf_repair_chain (ScorchUnwinder   *unwinder,
                          gint32            pid,
                          const guint64    *chain,
                          guint             nr,
                          gboolean          have_regs,
                          guint64           ip,
                          guint64           sp,
                          guint64           bp,
                          const guint8     *stack,
                          gsize             stack_len,
                          guint64          *out,
                          ScorchLeafRepair *result)
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
  if (have_regs && leaf < nr && chain[leaf] == ip)
    n_callers = scorch_unwinder_repair_leaf (unwinder, pid, ip, sp, bp, stack, stack_len,
                                             callers, G_N_ELEMENTS (callers), &res);

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

static const ScorchMapping *
find_mapping_cb (gpointer user_data,
                 gint32   pid,
                 guint64  addr)
{
  ScorchLeafRepairer *self = user_data;
  const ScorchProcMap *m = scorch_proc_table_find_map (self->procs, pid, addr);

  return m != NULL ? &m->map : NULL;
}

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
  /* the recorder's layouts; anything else is not ours to rewrite */
  g_return_val_if_fail ((st & PERF_SAMPLE_CALLCHAIN) != 0, NULL);
  g_return_val_if_fail ((st & (PERF_SAMPLE_READ | PERF_SAMPLE_RAW | PERF_SAMPLE_BRANCH_STACK)) == 0, NULL);

  self = g_new0 (ScorchLeafRepairer, 1);
  self->attr = *attr;
  self->written = *attr;
  self->written.sample_type &= ~(guint64) (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER);
  self->written.sample_regs_user = 0;
  self->written.sample_stack_user = 0;

  /* IDENTIFIER, IP, TID, TIME, ADDR, ID, STREAM_ID, CPU, PERIOD: one u64 each */
  self->n_prefix = __builtin_popcountll (st & (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
                                               PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_ID |
                                               PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD));

  if (st & PERF_SAMPLE_REGS_USER)
    {
      self->n_regs = __builtin_popcountll (attr->sample_regs_user);
      self->bp_index = reg_index (attr->sample_regs_user, PREG_X86_BP);
      self->sp_index = reg_index (attr->sample_regs_user, PREG_X86_SP);
      self->ip_index = reg_index (attr->sample_regs_user, PREG_X86_IP);
    }
  else
    self->bp_index = self->sp_index = self->ip_index = -1;

  if (attr->sample_id_all)
    {
      guint64 id_flags = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ID |
                         PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_IDENTIFIER;
      self->id_size = 8 * __builtin_popcountll (st & id_flags);
    }

  self->procs = scorch_proc_table_new ();
  self->unwinder = scorch_unwinder_new (find_mapping_cb, self);
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
  g_array_unref (self->chain);
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

static inline guint64
rd64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline guint32
rd32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static char *
body_string (const guint8 *p,
             gsize         max)
{
  return g_strndup ((const char *) p, strnlen ((const char *) p, max));
}

/* Keeps the process maps (what the analyzer does with the same records). */
static void
track_record (ScorchLeafRepairer *self,
              const guint8       *rec,
              gsize               size)
{
  const struct perf_event_header *h = (const void *) rec;
  const guint8 *d = rec + sizeof *h;
  gsize body = size - sizeof *h;
  guint mode = h->misc & PERF_RECORD_MISC_CPUMODE_MASK;

  body = body > self->id_size ? body - self->id_size : 0;
  switch (h->type)
    {
    case PERF_RECORD_COMM:
      if (body >= 8)
        {
          g_autofree char *comm = body_string (d + 8, body - 8);
          gint32 pid = rd32 (d);

          if (scorch_proc_table_comm (self->procs, pid, rd32 (d + 4), comm,
                                      (h->misc & PERF_RECORD_MISC_COMM_EXEC) != 0, 0))
            scorch_unwinder_invalidate (self->unwinder, pid);
        }
      break;

    case PERF_RECORD_MMAP2:
      if (body > 64 && mode != PERF_RECORD_MISC_KERNEL)
        {
          gint32 pid = rd32 (d);
          guint32 maj = 0, min = 0, prot = rd32 (d + 56);
          guint64 ino = 0;
          const guint8 *build_id = NULL;
          guint build_id_len = 0;
          g_autofree char *path = body_string (d + 64, body - 64);

          if (pid == -1)
            break;
          if (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)
            {
              build_id_len = MIN (d[32], 20);
              build_id = d + 36;
            }
          else
            {
              maj = rd32 (d + 32);
              min = rd32 (d + 36);
              ino = rd64 (d + 40);
            }
          scorch_proc_table_mmap (self->procs, pid, rd64 (d + 8), rd64 (d + 16), rd64 (d + 24), path,
                                  maj, min, ino, build_id, build_id_len, prot, 0);
          if (prot & PROT_EXEC)
            scorch_unwinder_invalidate (self->unwinder, pid);
        }
      break;

    case PERF_RECORD_FORK:
      if (body >= 16)
        {
          gint32 pid = rd32 (d), ppid = rd32 (d + 4);

          scorch_proc_table_fork (self->procs, pid, ppid, rd32 (d + 8), rd32 (d + 12), 0);
          if (pid != ppid)
            scorch_unwinder_forget (self->unwinder, pid);
        }
      break;

    case PERF_RECORD_EXIT:
      if (body >= 16)
        scorch_proc_table_exit (self->procs, rd32 (d), rd32 (d + 8), 0);
      break;

    default:
      break;
    }
}

/* Appends the rewritten sample rec to out; FALSE (nothing appended) when
 * its layout does not parse. */
static gboolean
rewrite_sample (ScorchLeafRepairer *self,
                const guint8       *rec,
                gsize               size,
                GByteArray         *out)
{
  const struct perf_event_header *h = (const void *) rec;
  guint64 st = self->attr.sample_type;
  gsize off = sizeof *h + 8 * self->n_prefix;
  gsize chain_off, tail;
  guint64 nr, abi = 0, ip = 0, sp = 0, bp = 0, stack_size = 0;
  const guint8 *regs = NULL, *stack = NULL;
  guint64 *chain;
  gint32 pid = -1;
  gboolean have_regs = FALSE;
  ScorchLeafRepair result;
  struct perf_event_header nh;
  guint n;

  if (off + 8 > size)
    return FALSE;
  if (st & PERF_SAMPLE_TID)
    {
      gsize tid_off = sizeof *h + 8 * (((st & PERF_SAMPLE_IDENTIFIER) ? 1 : 0) + ((st & PERF_SAMPLE_IP) ? 1 : 0));
      pid = rd32 (rec + tid_off);
    }

  chain_off = off;
  nr = rd64 (rec + off);
  off += 8;
  if (nr > (size - off) / 8 || nr > 65536)
    return FALSE;
  off += nr * 8;

  if (st & PERF_SAMPLE_REGS_USER)
    {
      if (off + 8 > size)
        return FALSE;
      abi = rd64 (rec + off);
      off += 8;
      if (abi != PERF_SAMPLE_REGS_ABI_NONE)
        {
          if (self->n_regs > (size - off) / 8)
            return FALSE;
          regs = rec + off;
          off += 8 * self->n_regs;
        }
    }
  if (st & PERF_SAMPLE_STACK_USER)
    {
      if (off + 8 > size)
        return FALSE;
      stack_size = rd64 (rec + off);
      off += 8;
      if (stack_size > 0)
        {
          guint64 dyn;

          if (stack_size > size - off || size - off - stack_size < 8)
            return FALSE;
          stack = rec + off;
          off += stack_size;
          dyn = rd64 (rec + off);
          off += 8;
          stack_size = MIN (dyn, stack_size);
        }
    }
  tail = size - off;

  if (regs != NULL && self->bp_index >= 0 && self->sp_index >= 0 && self->ip_index >= 0)
    {
      bp = rd64 (regs + 8 * self->bp_index);
      sp = rd64 (regs + 8 * self->sp_index);
      ip = rd64 (regs + 8 * self->ip_index);
      have_regs = TRUE;
    }

  /* the chain may be unaligned in a batch: copy it */
  g_array_set_size (self->chain, 2 * nr + SCORCH_LEAF_REPAIR_MAX_INSERTED);
  chain = (guint64 *) (gpointer) self->chain->data;
  memcpy (chain, rec + chain_off + 8, nr * 8);

  self->stats.samples++;
  n = scorch_leaf_repair_chain (self->unwinder, pid, chain, nr, have_regs, ip, sp, bp,
                                stack, stack != NULL ? stack_size : 0, chain + nr, &result);
  if (!have_regs)
    self->stats.no_user++;
  else
    switch (result)
      {
      case SCORCH_LEAF_REPAIR_LINKED:   self->stats.linked++; break;
      case SCORCH_LEAF_REPAIR_INSERTED: self->stats.repaired++; break;
      case SCORCH_LEAF_REPAIR_COMPLETE: self->stats.complete++; break;
      case SCORCH_LEAF_REPAIR_CUT:      self->stats.cut++; break;
      case SCORCH_LEAF_REPAIR_SHORT:    self->stats.short_copy++; break;
      case SCORCH_LEAF_REPAIR_NO_CFI:
      default:                          self->stats.no_cfi++; break;
      }

  nh = *h;
  nh.size = chain_off + 8 + 8 * n + tail;
  {
    guint64 n64 = n;

    g_byte_array_append (out, (const guint8 *) &nh, sizeof nh);
    g_byte_array_append (out, rec + sizeof *h, chain_off - sizeof *h);
    g_byte_array_append (out, (const guint8 *) &n64, 8);
    g_byte_array_append (out, (const guint8 *) (chain + nr), 8 * n);
    g_byte_array_append (out, rec + size - tail, tail);
  }
  return TRUE;
}

void
scorch_leaf_repairer_process (ScorchLeafRepairer *self,
                              const guint8       *records,
                              gsize               len,
                              GByteArray         *out)
{
  gsize off;

  g_return_if_fail (self != NULL);

  /* The rings are drained one CPU after the other: a library mapped on
   * one CPU may be sampled on another earlier in the batch. */
  for (off = 0; off + sizeof (struct perf_event_header) <= len;)
    {
      const struct perf_event_header *h = (const void *) (records + off);

      if (h->size < sizeof *h || h->size > len - off)
        break;
      if (h->type != PERF_RECORD_SAMPLE)
        track_record (self, records + off, h->size);
      off += h->size;
    }

  for (off = 0; off + sizeof (struct perf_event_header) <= len;)
    {
      const struct perf_event_header *h = (const void *) (records + off);

      if (h->size < sizeof *h || h->size > len - off)
        break;
      if (h->type != PERF_RECORD_SAMPLE || !rewrite_sample (self, records + off, h->size, out))
        {
          if (h->type == PERF_RECORD_SAMPLE)
            {
              /* an unparsable sample cannot be written with the new attr */
              off += h->size;
              continue;
            }
          g_byte_array_append (out, records + off, h->size);
        }
      off += h->size;
    }
}
