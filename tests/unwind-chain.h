/* SPDX-License-Identifier: GPL-3.0-or-later */
/* unwind-chain.h: a known call chain built without frame pointers that
 * captures its registers and a copy of its stack the way perf samples them
 * (PERF_SAMPLE_REGS_USER + PERF_SAMPLE_STACK_USER), for the unwinder's test
 * and benchmark. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define UNWIND_CHAIN_STACK_MAX 65528

/* perf's x86_64 DWARF register mask: AX..SS and R8..R15 */
#define UNWIND_CHAIN_REGS_MASK G_GUINT64_CONSTANT (0xff0fff)

typedef struct
{
  guint64 regs[24];           /* indexed by PERF_REG_X86_* */
  guint64 packed[24];         /* regs in mask order, as in a sample record */
  guint   n_packed;
  guint64 sp;
  gsize   stack_len;
  gboolean reached_top;       /* the copy reached the top of the stack */
  guint8  stack[UNWIND_CHAIN_STACK_MAX];
} UnwindChainSample;

/* Calls unwind_chain_a -> _b -> _c -> _d -> _e, which captures. */
int unwind_chain_run (UnwindChainSample *sample,
                      gsize              max_stack);

/* The same with unwind_chain_df_a .. _e, whose CFI is only in .debug_frame. */
int unwind_chain_df_run (UnwindChainSample *sample,
                         gsize              max_stack);

/* Addresses inside unwind_chain_epilogue (never called): in its body
 * (CFA rsp+80, rbx saved at CFA-16) and at the ret of its mid-body
 * epilogue (CFA rsp+8), whose CFI rows DW_CFA_remember_state /
 * DW_CFA_restore_state delimit. */
extern const char unwind_chain_epilogue_body[];
extern const char unwind_chain_epilogue_ret[];

/* In unwind_chain_rbx_leaf (r13 pushed, no rule for rbx), and the return
 * address into unwind_chain_rbx_cfa, whose CFA is rbx + 16 (rbx saved at
 * CFA-16) with 32 bytes of aligned locals below.  Never called. */
extern const char unwind_chain_rbx_leaf_body[];
extern const char unwind_chain_rbx_cfa_ret[];

G_END_DECLS
