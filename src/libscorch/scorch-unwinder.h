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

/* Returns the mapping of pid containing addr at the time of the sample
 * being unwound, or NULL.  Called during scorch_unwinder_unwind() only;
 * the result must stay valid until that call returns. */
typedef const ScorchMapping *(*ScorchFindMappingFunc) (gpointer user_data,
                                                       gint32   pid,
                                                       guint64  addr);

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

/* regs are the sampled user registers in perf's order for regs_mask
 * (x86_64 PERF_REG_X86_*: one u64 per set bit, lowest bit first).
 * Writes instruction pointers, leaf first (callers already adjusted by -1),
 * returns how many.  *truncated is set when the unwind stopped before an
 * outermost frame (bad CFI, stack copy too short, max_ips reached). */
guint           scorch_unwinder_unwind     (ScorchUnwinder        *self,
                                            gint32                 pid,
                                            guint64                regs_mask,
                                            const guint64         *regs,
                                            guint                  n_regs,
                                            const guint8          *stack,
                                            gsize                  stack_len,
                                            guint64                stack_sp,
                                            guint64               *ips,
                                            guint                  max_ips,
                                            gboolean              *truncated);

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

/* The pid's maps changed (exec, munmap): drop cached per-process state. */
void            scorch_unwinder_invalidate (ScorchUnwinder        *self,
                                            gint32                 pid);

/* The pid exited: free its address space. */
void            scorch_unwinder_forget     (ScorchUnwinder        *self,
                                            gint32                 pid);

G_END_DECLS
