/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-unwinder.h: DWARF unwinding of PERF_SAMPLE_STACK_USER samples over
 * the sampled registers and stack copy, with each module's call frame
 * information (.eh_frame, else .debug_frame) parsed by libdw and the
 * decoded rows cached per module, or with libunwind remote unwinding over
 * the modules' .eh_frame_hdr tables; frame-pointer chain where there is
 * no CFI.
 *
 * Engines: the cached-CFI stepper is fast (~1 us a sample); libunwind is
 * the reference (~50 us a sample on libunwind 1.6.2, which also cannot
 * read .debug_frame remotely).  AUTO, the default, uses the stepper and
 * hands a sample to libunwind only when the stepper is stuck: no CFI row
 * for a pc in a readable module (but its entry code), a DWARF rule it does
 * not handle, or a step that fails its checks (a caller's pc outside
 * executable mappings, a CFA not above the previous one, a return address
 * of 0 the CFI did not mark as outermost).  libunwind's stack is checked
 * the same way, and the deeper of the two is kept.
 *
 * The environment variable SCORCH_UNWINDER=cfi|libunwind|auto picks the
 * engine of every new unwinder, for diagnostics and for comparing the two
 * (scorch_unwinder_set_engine() overrides it). */

#pragma once

#include <glib.h>

#include "scorch-symbolizer.h"

G_BEGIN_DECLS

/* Maximum frames one unwind produces (perf's default max stack is 127). */
#define SCORCH_UNWIND_MAX_DEPTH 256

typedef struct _ScorchUnwinder ScorchUnwinder;   /* one per load; not thread-safe */

typedef enum
{
  SCORCH_UNWIND_ENGINE_AUTO,        /* cached CFI, libunwind where it cannot go on */
  SCORCH_UNWIND_ENGINE_CACHED_CFI,  /* cached CFI only (then frame pointers) */
  SCORCH_UNWIND_ENGINE_LIBUNWIND,   /* libunwind remote unwinding only */
} ScorchUnwindEngine;

ScorchUnwinder *scorch_unwinder_new        (ScorchFindMappingFunc  find_mapping,
                                            gpointer               user_data);
void            scorch_unwinder_free       (ScorchUnwinder        *self);

/* What an unwind reads of a sample: its user registers in perf's order for
 * regs_mask (x86_64 PERF_REG_X86_*: one u64 per set bit, lowest bit first;
 * regs aligned) and the copy of its user stack, whose first byte is at
 * stack_sp (0: at the sampled SP; stack may be NULL). */
typedef struct
{
  guint64        regs_mask;
  const guint64 *regs;
  guint          n_regs;
  const guint8  *stack;
  gsize          stack_len;
  guint64        stack_sp;
} ScorchUnwindRegs;

/* Writes instruction pointers, leaf first (callers already adjusted by -1),
 * returns how many.  *truncated is set when the unwind stopped before an
 * outermost frame (bad CFI, stack copy too short, max_ips reached). */
guint           scorch_unwinder_unwind     (ScorchUnwinder         *self,
                                            gint32                  pid,
                                            const ScorchUnwindRegs *sample,
                                            guint64                *ips,
                                            guint                   max_ips,
                                            gboolean               *truncated);

void            scorch_unwinder_set_engine (ScorchUnwinder        *self,
                                            ScorchUnwindEngine     engine);
ScorchUnwindEngine scorch_unwinder_get_engine (ScorchUnwinder     *self);

/* The OS release (uname -r) of the kernel the capture was made on, or
 * NULL when unknown; call before the first unwind.  A [vdso] mapping is
 * unwound with the running vDSO's call frame information when it is the
 * same vDSO: the same build id when the capture recorded one for [vdso],
 * else the same release (or an unknown one, as for a live capture). */
void            scorch_unwinder_set_kernel_release (ScorchUnwinder *self,
                                                    const char     *osrelease);

/* Diagnostics: samples unwound so far (with registers and a stack), and how many of
 * them were unwound by libunwind (all with the LIBUNWIND engine; with AUTO
 * those where the cached-CFI stepper could not go on). */
void            scorch_unwinder_get_stats  (ScorchUnwinder        *self,
                                            guint64               *n_samples,
                                            guint64               *n_libunwind);

/* Leaf repair of a frame-pointer callchain (--call-graph fp+repair).
 *
 * The kernel's user callchain is [ip, *(bp+8), *(*bp+8), ...]: when the
 * function at ip has not linked its frame (a leaf built without one, a
 * prologue, an epilogue, a function of a library without frame pointers),
 * bp is still its caller's frame and the caller is missing from the chain.
 * Given the sampled ip, sp, bp and a copy of the top of the user stack,
 * this decides by the CFI rows at ip (and, when the caller has no frame
 * either, at the callers' pcs): while a frame's CFA is computed from rsp,
 * its return address is read from the stack copy; the first frame whose
 * CFA is computed from rbp is where the kernel's walk is right again,
 * provided bp is that frame's rbp (no frame in between changed it).
 * Addresses are never compared with the chain: a recovered caller may
 * legitimately equal the kernel's next address (recursion). */
typedef enum
{
  SCORCH_LEAF_REPAIR_LINKED,    /* the leaf's CFA is from rbp: the kernel's chain is right */
  SCORCH_LEAF_REPAIR_INSERTED,  /* callers recovered; the kernel's chain goes on after them */
  SCORCH_LEAF_REPAIR_COMPLETE,  /* callers recovered up to the outermost frame */
  SCORCH_LEAF_REPAIR_CUT,       /* callers recovered (maybe none), but bp is not the frame
                                 * the kernel needed (overwritten): the rest is garbage */
  SCORCH_LEAF_REPAIR_SHORT,     /* a word that was needed is beyond the stack copy: cut */
  SCORCH_LEAF_REPAIR_NO_CFI,    /* nothing known at ip (no module, no CFI): left alone */
} ScorchLeafRepair;

/* What the repair reads of a sample: its user ip, sp and bp, and the copy
 * of its user stack from sp (stack may be NULL). */
typedef struct
{
  guint64       ip;
  guint64       sp;
  guint64       bp;
  const guint8 *stack;
  gsize         stack_len;
} ScorchLeafRegs;

/* Writes the recovered callers (return addresses, as the kernel stores
 * them) to callers and returns how many; *result says what to do with the
 * kernel's chain after the leaf. */
guint           scorch_unwinder_repair_leaf (ScorchUnwinder       *self,
                                             gint32                pid,
                                             const ScorchLeafRegs *sample,
                                             guint64              *callers,
                                             guint                 max_callers,
                                             ScorchLeafRepair     *result);

/* The pid's maps changed (exec, munmap): drop cached per-process state. */
void            scorch_unwinder_invalidate (ScorchUnwinder        *self,
                                            gint32                 pid);

/* The pid exited: free its address space. */
void            scorch_unwinder_forget     (ScorchUnwinder        *self,
                                            gint32                 pid);

G_END_DECLS
