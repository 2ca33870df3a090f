/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <string.h>

#include <dwarf.h>

#include "scorch-cfi.h"
#include "scorch-unwind-maps.h"
#include "scorch-unwinder.h"
#include "scorch-unwinder-libunwind.h"

/* How it works
 *
 * Two engines (scorch_unwinder_set_engine(), SCORCH_UNWINDER):
 *
 * The cached-CFI stepper (scorch-cfi.c, driven from here): each step looks up the call frame
 * information (CFI) row that applies at the frame's pc and applies it to
 * the registers by hand: CFA from a register + offset (or a DWARF
 * expression), then each register from its rule (same value, undefined,
 * saved at CFA+N, CFA+N, expression).  libdw parses the CFI (.eh_frame
 * through .eh_frame_hdr, else .debug_frame) only on a cache miss; the
 * decoded rows are kept per module, sorted by their pc range, and a
 * direct-mapped cache maps (module, pc) to its row.  So a warm step is a
 * few hash probes and a few loads from the stack copy (~1 us a sample).
 *
 * libunwind remote unwinding (scorch-unwinder-libunwind.c), over the same
 * per-module data (the ELF mapped once, its .eh_frame_hdr table).  It is
 * the reference, but costs ~50 us a sample on Debian's libunwind 1.6.2:
 * every step goes through its global register-state cache, whose lock
 * costs two sigprocmask system calls (1.6.2 maps UNW_CACHE_PER_THREAD
 * back to the global cache, and UNW_CACHE_NONE re-parses the FDE through
 * access_mem on every step).  It cannot read .debug_frame remotely
 * (dwarf_find_debug_frame is not exported).
 *
 * AUTO runs the stepper, which checks every step (cfi_unwind()); when it
 * is stuck (no CFI row for the pc in a module it can read, a DWARF
 * operation or rule it does not handle, a step that fails a check), the
 * whole sample is unwound again by libunwind -- restarting from the
 * sampled registers keeps libunwind's own leaf/caller pc adjustment and
 * signal-frame detection right -- and its stack, cut at its first caller
 * outside code, is taken when it gets further; otherwise the stepper goes
 * on with the frame-pointer chain.
 *
 * A leaf stopped at a lazy-binding PLT entry without CFI (lld emits none
 * for its .plt) is stepped as the entry is known to be (the return address
 * on top of the stack), as libunwind does (scorch_cfi_is_plt_entry()).
 *
 * Two libdw 0.188 defects are worked around: row starts after
 * DW_CFA_restore_state (cfi_row_start()) and the x86_64 default rule for
 * rbx (is_callee_saved()). */

/* x86_64 DWARF register numbers: RAX RDX RCX RBX RSI RDI RBP RSP R8..R15,
 * then 16, the return address column (RIP). */

/* The engine façade: it picks the engine, runs the stepper with its
 * checks (cfi_unwind()), falls back to libunwind, and repairs leaves of
 * frame-pointer chains.  Files:
 *   scorch-unwind-maps.c         mappings, modules (over ScorchModule), bias, memory reads
 *   scorch-cfi.c                 CFI rows, DWARF expressions, one step
 *   scorch-unwinder-libunwind.c  libunwind remote unwinding over the same maps */

#define MAX_FRAME_SIZE SCORCH_UNWIND_MAX_FRAME_SIZE

struct _ScorchUnwinder
{
  ScorchUnwindMaps      maps;
  ScorchCfi             cfi;

  ScorchUnwindEngine    engine;
  ScorchLibunwind      *libunwind;  /* created on first use */
  guint64              *lu_ips;     /* libunwind's stack in AUTO */
  guint                 lu_ips_len;
  guint64               n_samples;
  guint64               n_libunwind;
};

/* ------------------------------------------------------------------------ */

static ScorchUnwindEngine
engine_from_env (void)
{
  const char *v = g_getenv ("SCORCH_UNWINDER");

  if (v == NULL || *v == '\0' || g_str_equal (v, "auto"))
    return SCORCH_UNWIND_ENGINE_AUTO;
  if (g_str_equal (v, "libunwind"))
    return SCORCH_UNWIND_ENGINE_LIBUNWIND;
  if (g_str_equal (v, "cfi"))
    return SCORCH_UNWIND_ENGINE_CACHED_CFI;
  g_warning ("SCORCH_UNWINDER=%s: unknown engine (auto, cfi or libunwind); using auto", v);
  return SCORCH_UNWIND_ENGINE_AUTO;
}

ScorchUnwinder *
scorch_unwinder_new (ScorchFindMappingFunc find_mapping,
                     gpointer              user_data)
{
  ScorchUnwinder *self;

  g_return_val_if_fail (find_mapping != NULL, NULL);

  self = g_new0 (ScorchUnwinder, 1);
  scorch_unwind_maps_init (&self->maps, find_mapping, user_data);
  scorch_cfi_init (&self->cfi, &self->maps);
  self->engine = engine_from_env ();
  return self;
}

void
scorch_unwinder_free (ScorchUnwinder *self)
{
  if (self == NULL)
    return;
  /* libunwind's caches refer to nothing of ours past this point */
  g_clear_pointer (&self->libunwind, scorch_libunwind_free);
  g_free (self->lu_ips);
  scorch_cfi_clear (&self->cfi);
  scorch_unwind_maps_clear (&self->maps);
  g_free (self);
}

void
scorch_unwinder_set_engine (ScorchUnwinder     *self,
                            ScorchUnwindEngine  engine)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (engine <= SCORCH_UNWIND_ENGINE_LIBUNWIND);
  self->engine = engine;
}

void
scorch_unwinder_set_kernel_release (ScorchUnwinder *self,
                                    const char     *osrelease)
{
  g_return_if_fail (self != NULL);
  scorch_unwind_maps_set_kernel_release (&self->maps, osrelease);
}

ScorchUnwindEngine
scorch_unwinder_get_engine (ScorchUnwinder *self)
{
  g_return_val_if_fail (self != NULL, SCORCH_UNWIND_ENGINE_AUTO);
  return self->engine;
}

void
scorch_unwinder_get_stats (ScorchUnwinder *self,
                           guint64        *n_samples,
                           guint64        *n_libunwind)
{
  g_return_if_fail (self != NULL);
  if (n_samples != NULL)
    *n_samples = self->n_samples;
  if (n_libunwind != NULL)
    *n_libunwind = self->n_libunwind;
}

static ScorchLibunwind *
get_libunwind (ScorchUnwinder *self)
{
  if (self->libunwind == NULL)
    self->libunwind = scorch_libunwind_new (&self->maps);
  return self->libunwind;
}

/* Where the cached-CFI stepper is in a sample */
typedef struct
{
  Regs              regs;
  gboolean          prev_signal;
  guint             n;          /* frames in ips so far */
  const UnwMapSlot *slot;       /* the mapping of the frame's pc, when known */
  gboolean          have_slot;
} CfiState;

/* Whether module-relative pc, which has no CFI, is the module's entry
 * code (ld.so's _start and _dl_start_user carry none): an outermost frame
 * whose missing CFI is no reason to ask libunwind, which has none either. */
static gboolean
is_entry_code (const UnwModule *m,
               guint64          pc)
{
  return m->entry != 0 && pc >= m->entry && pc - m->entry < 256;
}

/* Runs the cached-CFI stepper from st.
 *
 * The stepper checks itself: a caller's pc outside any executable mapping
 * of the process, a caller's stack pointer not above its callee's (but
 * out of a signal frame) or implausibly far above it, a return address of
 * 0 the CFI did not mark as the outermost frame, or a frame it cannot step
 * (no CFI row in a module it could read, and no frame-pointer chain; a
 * DWARF rule it does not handle) before a known entry: it is stuck.
 *
 * Without allow_fp (AUTO's first pass), the stepper stops where it is
 * stuck, leaves st at that frame and returns TRUE.  With allow_fp, a frame
 * without CFI is stepped by its frame pointer and a failed check ends the
 * unwind (truncated) without the bad frame. */
static gboolean
cfi_unwind (ScorchUnwinder *self,
            CfiState       *st,
            guint64        *ips,
            guint           max_ips,
            gboolean        allow_fp,
            gboolean       *truncated)
{
  Regs next;

  *truncated = TRUE;
  while (st->n < max_ips)
    {
      /* Callers point after the call: look up (and report) the call
       * itself, except for the leaf and a frame interrupted by a signal. */
      guint64 pc = st->regs.r[DREG_RA];
      guint64 lookup = st->n > 1 && !st->prev_signal ? pc - 1 : pc;
      const UnwMapSlot *slot = st->have_slot ? st->slot : scorch_unwind_maps_slot (&self->maps, lookup);
      const UnwMapSlot *next_slot;
      const Row *row = NULL;
      gboolean entry = FALSE, plt = FALSE, signal;
      guint64 next_lookup;
      StepResult res;

      st->have_slot = FALSE;
      if (slot != NULL && slot->bias_ok && slot->module->cfi != NULL)
        {
          row = scorch_cfi_find_row (&self->cfi, slot->module, lookup - slot->bias);
          if (row == NULL)
            {
              entry = is_entry_code (slot->module, lookup - slot->bias);
              /* A PLT entry without CFI (lld's): only where the frame
               * stopped (the leaf, or one a signal interrupted), as a PLT
               * entry jumps and so is never a caller. */
              plt = !entry && (st->n == 1 || st->prev_signal) &&
                    scorch_cfi_is_plt_entry (slot->module, lookup - slot->bias);
              if (!entry && !plt && !allow_fp)
                return TRUE;
            }
        }
      self->cfi.unsupported = FALSE;
      if (row != NULL)
        res = scorch_cfi_step (&self->cfi, row, &st->regs, &next);
      else if (plt)
        res = scorch_cfi_step_plt_entry (&self->cfi, &st->regs, &next);
      else
        res = scorch_cfi_step_frame_pointer (&self->cfi, &st->regs, &next);

      switch (res)
        {
        case STEP_OK:
          break;
        case STEP_END:
          *truncated = FALSE;
          return FALSE;
        case STEP_ZERO:
          if (!allow_fp && !entry)
            return TRUE;
          *truncated = FALSE;
          return FALSE;
        case STEP_OUT:
          return FALSE;
        case STEP_FAIL:
        default:
          return !allow_fp && !entry;
        }

      /* The stack grows down: a caller's frame is above its callee's (a
       * signal handler may run on another stack). */
      signal = row != NULL && row->signal;
      if (!(next.valid & (1u << DREG_RSP)) ||
          (!signal && (next.r[DREG_RSP] <= st->regs.r[DREG_RSP] ||
                       next.r[DREG_RSP] - st->regs.r[DREG_RSP] > MAX_FRAME_SIZE)))
        return !allow_fp;
      /* and returns into code */
      next_lookup = signal ? next.r[DREG_RA] : next.r[DREG_RA] - 1;
      next_slot = scorch_unwind_maps_slot (&self->maps, next_lookup);
      if (!scorch_unwind_slot_is_code (next_slot, next_lookup))
        return !allow_fp;

      st->prev_signal = signal;
      st->regs = next;
      st->slot = next_slot;
      st->have_slot = TRUE;
      ips[st->n++] = next_lookup;
    }
  return FALSE;
}

/* Cuts libunwind's stack at its first caller outside executable code. */
static guint
check_code (ScorchUnwinder *self,
            const guint64  *ips,
            guint           n,
            gboolean       *truncated)
{
  for (guint i = 1; i < n; i++)
    if (!scorch_unwind_slot_is_code (scorch_unwind_maps_slot (&self->maps, ips[i]), ips[i]))
      {
        *truncated = TRUE;
        return i;
      }
  return n;
}

guint
scorch_unwinder_unwind (ScorchUnwinder         *self,
                        gint32                  pid,
                        const ScorchUnwindRegs *sample,
                        guint64                *ips,
                        guint                   max_ips,
                        gboolean               *truncated)
{
  guint64 pregs[N_PREGS] = { 0 };
  guint32 pvalid = 0;
  CfiState st;
  guint n = 0;
  guint idx = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (sample != NULL, 0);
  g_return_val_if_fail (truncated != NULL, 0);

  *truncated = TRUE;
  if (max_ips == 0 || sample->regs == NULL)
    return 0;

  for (guint bit = 0; bit < 64 && idx < sample->n_regs; bit++)
    {
      if (!(sample->regs_mask & (G_GUINT64_CONSTANT (1) << bit)))
        continue;
      if (bit < N_PREGS)
        {
          pregs[bit] = sample->regs[idx];
          pvalid |= 1u << bit;
        }
      idx++;
    }
  if (!(pvalid & (1u << PREG_IP)))
    return 0;

  ips[n++] = pregs[PREG_IP];
  /* Without SP (and a stack) only the leaf is known. */
  if (!(pvalid & (1u << PREG_SP)) || sample->stack == NULL || sample->stack_len == 0 || max_ips == 1)
    return n;
  self->n_samples++;

  scorch_unwind_maps_begin_sample (&self->maps, pid, sample->stack, sample->stack_len,
                                   sample->stack_sp != 0 ? sample->stack_sp : pregs[PREG_SP]);

  if (self->engine == SCORCH_UNWIND_ENGINE_LIBUNWIND)
    {
      self->n_libunwind++;
      n = scorch_libunwind_unwind (get_libunwind (self), pid, pregs, pvalid, ips, max_ips, truncated);
      goto out;
    }

  st.regs.valid = 0;
  for (guint r = 0; r < N_DREGS; r++)
    if (pvalid & (1u << scorch_cfi_dwarf_to_perf[r]))
      {
        st.regs.r[r] = pregs[scorch_cfi_dwarf_to_perf[r]];
        st.regs.valid |= 1u << r;
      }
  st.prev_signal = FALSE;
  st.n = n;
  st.have_slot = FALSE;

  if (cfi_unwind (self, &st, ips, max_ips, self->engine == SCORCH_UNWIND_ENGINE_CACHED_CFI, truncated))
    {
      gboolean lu_truncated = TRUE;
      guint lu_n;

      /* The stepper is stuck at frame st.n - 1: let libunwind do the
       * whole sample (from the sampled registers, which keeps its own
       * caller-pc and signal-frame handling right), checked the same way. */
      self->n_libunwind++;
      if (self->lu_ips_len < max_ips)
        {
          g_free (self->lu_ips);
          self->lu_ips = g_new (guint64, max_ips);
          self->lu_ips_len = max_ips;
        }
      lu_n = scorch_libunwind_unwind (get_libunwind (self), pid, pregs, pvalid, self->lu_ips, max_ips,
                                      &lu_truncated);
      lu_n = check_code (self, self->lu_ips, lu_n, &lu_truncated);
      if (lu_n > st.n && !lu_truncated)
        {
          memcpy (ips, self->lu_ips, lu_n * sizeof (guint64));
          st.n = lu_n;
          *truncated = FALSE;
        }
      else
        {
          /* libunwind did not finish either: the stepper goes on by frame
           * pointers, and the deeper of the two stacks is kept (libunwind's
           * when they tie, but for a finished one of the stepper's) */
          cfi_unwind (self, &st, ips, max_ips, TRUE, truncated);
          if (lu_n > st.n || (lu_n == st.n && (*truncated || !lu_truncated)))
            {
              memcpy (ips, self->lu_ips, lu_n * sizeof (guint64));
              st.n = lu_n;
              *truncated = lu_truncated;
            }
        }
    }
  n = st.n;

out:
  scorch_unwind_maps_end_sample (&self->maps);
  return n;
}

/* ------------------------------------------------------------------------ */
/* Leaf repair of frame-pointer callchains                                  */

/* Frames without a linked frame that one repair steps through at most */
#define MAX_FRAMELESS 16

/* Whether the CFA of row is computed from rbp: the frame is linked, and a
 * walk of the frame-pointer chain from it is right (a realigned frame's
 * CFA is an expression over rbp: DW_OP_breg6 N; DW_OP_deref). */
static gboolean
row_cfa_from_rbp (const Row *row)
{
  if (row->cfa_kind == CFA_REG)
    return row->cfa_reg == DREG_RBP;
  return row->cfa_n_ops > 0 &&
         (row->ops[row->cfa_first_op].atom == DW_OP_breg6 ||
          (row->ops[row->cfa_first_op].atom == DW_OP_bregx && row->ops[row->cfa_first_op].number == DREG_RBP));
}

/* Where the kernel's walk from bp is right again, at a frame whose CFA is
 * computed from rbp (regs are that frame's): bp must be its rbp, and a
 * frame pointer cannot be below its stack pointer. */
static ScorchLeafRepair
repair_sync (const Regs *regs,
             guint64     bp)
{
  if (!(regs->valid & (1u << DREG_RBP)) || regs->r[DREG_RBP] != bp)
    return SCORCH_LEAF_REPAIR_CUT;
  if ((regs->valid & (1u << DREG_RSP)) && bp < regs->r[DREG_RSP])
    return SCORCH_LEAF_REPAIR_CUT;
  return SCORCH_LEAF_REPAIR_INSERTED;
}

guint
scorch_unwinder_repair_leaf (ScorchUnwinder       *self,
                             gint32                pid,
                             const ScorchLeafRegs *sample,
                             guint64              *callers,
                             guint                 max_callers,
                             ScorchLeafRepair     *result)
{
  Regs regs = { { 0 }, 0 };
  guint n = 0;
  ScorchLeafRepair res = SCORCH_LEAF_REPAIR_CUT;
  guint64 bp;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (sample != NULL, 0);
  g_return_val_if_fail (result != NULL, 0);

  scorch_unwind_maps_begin_sample (&self->maps, pid, sample->stack, sample->stack_len, sample->sp);

  bp = sample->bp;
  regs.r[DREG_RA] = sample->ip;
  regs.r[DREG_RSP] = sample->sp;
  regs.r[DREG_RBP] = bp;
  regs.valid = (1u << DREG_RA) | (1u << DREG_RSP) | (1u << DREG_RBP);

  for (guint depth = 0; depth <= MAX_FRAMELESS; depth++)
    {
      /* callers point after their call: look up the call itself */
      guint64 pc = regs.r[DREG_RA];
      guint64 lookup = depth == 0 ? pc : pc - 1;
      const UnwMapSlot *slot = scorch_unwind_maps_slot (&self->maps, lookup);
      const Row *row = NULL;
      const Loc *bp_loc;
      Regs next;
      StepResult step;

      if (slot != NULL && slot->bias_ok && slot->module->cfi != NULL)
        row = scorch_cfi_find_row (&self->cfi, slot->module, lookup - slot->bias);
      if (row == NULL)
        {
          /* Nothing known at the leaf: the chain stays as the kernel
           * made it.  A caller without CFI (JIT code, an unreadable
           * module) is taken to link its frame, as the kernel did. */
          res = depth == 0 ? SCORCH_LEAF_REPAIR_NO_CFI : repair_sync (&regs, bp);
          break;
        }
      if (row_cfa_from_rbp (row))
        {
          res = depth == 0 ? SCORCH_LEAF_REPAIR_LINKED : repair_sync (&regs, bp);
          break;
        }
      if (n >= max_callers)
        {
          res = SCORCH_LEAF_REPAIR_CUT;
          break;
        }

      self->cfi.unsupported = FALSE;
      step = scorch_cfi_step (&self->cfi, row, &regs, &next);
      if (step == STEP_END || step == STEP_ZERO)
        {
          res = SCORCH_LEAF_REPAIR_COMPLETE;
          break;
        }
      if (step == STEP_OUT)
        {
          res = SCORCH_LEAF_REPAIR_SHORT;
          break;
        }
      if (step != STEP_OK || !(next.valid & (1u << DREG_RSP)))
        {
          res = SCORCH_LEAF_REPAIR_CUT;
          break;
        }

      /* rbp saved below the current stack pointer has been popped: the
       * register holds the caller's value again (an epilogue after
       * "pop %rbp", whose CFI still names the slot). */
      bp_loc = &row->regs[DREG_RBP];
      if (bp_loc->kind == LOC_AT_CFA && next.r[DREG_RSP] + bp_loc->offset < regs.r[DREG_RSP])
        {
          next.r[DREG_RBP] = regs.r[DREG_RBP];
          next.valid |= 1u << DREG_RBP;
        }
      else if (bp_loc->kind == LOC_AT_CFA && !(next.valid & (1u << DREG_RBP)) &&
               scorch_unwind_maps_above_copy (&self->maps, next.r[DREG_RSP] + bp_loc->offset))
        {
          res = SCORCH_LEAF_REPAIR_SHORT;
          break;
        }

      /* the caller's frame is above the callee's, and it returns into code */
      if (next.r[DREG_RSP] <= regs.r[DREG_RSP] || next.r[DREG_RSP] - regs.r[DREG_RSP] > MAX_FRAME_SIZE ||
          !scorch_unwind_slot_is_code (scorch_unwind_maps_slot (&self->maps, next.r[DREG_RA] - 1), next.r[DREG_RA] - 1))
        {
          res = SCORCH_LEAF_REPAIR_CUT;
          break;
        }

      callers[n++] = next.r[DREG_RA];
      regs = next;
    }

  scorch_unwind_maps_end_sample (&self->maps);
  *result = res;
  return n;
}

void
scorch_unwinder_invalidate (ScorchUnwinder *self,
                            gint32          pid)
{
  g_return_if_fail (self != NULL);
  scorch_unwind_maps_invalidate (&self->maps);
  if (self->libunwind != NULL)
    scorch_libunwind_invalidate (self->libunwind, pid);
}

void
scorch_unwinder_forget (ScorchUnwinder *self,
                        gint32          pid)
{
  g_return_if_fail (self != NULL);
  scorch_unwind_maps_invalidate (&self->maps);
  if (self->libunwind != NULL)
    scorch_libunwind_forget (self->libunwind, pid);
}
