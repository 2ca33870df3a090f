/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Built with -fomit-frame-pointer -fno-inline -fno-optimize-sibling-calls:
 * only the CFI in .eh_frame can unwind through these functions. */

#include "config.h"

#include <pthread.h>

#include "unwind-chain.h"

#ifdef UNWIND_CHAIN_DEBUG_FRAME
/* The same chain built with -fno-asynchronous-unwind-tables -g: its CFI is
 * only in .debug_frame (it shares the capture helper of the other copy). */
#define unwind_chain_run unwind_chain_df_run
#define unwind_chain_a unwind_chain_df_a
#define unwind_chain_b unwind_chain_df_b
#define unwind_chain_c unwind_chain_df_c
#define unwind_chain_d unwind_chain_df_d
#define unwind_chain_e unwind_chain_df_e
#endif

void unwind_chain_capture_regs (guint64 *regs);

#ifndef UNWIND_CHAIN_DEBUG_FRAME

/* Saves the registers as the caller sees them right after the call
 * returns: IP is the return address, SP the caller's stack pointer. */
__asm__ (
  ".text\n"
  ".globl unwind_chain_capture_regs\n"
  ".type unwind_chain_capture_regs, @function\n"
  "unwind_chain_capture_regs:\n"
  ".cfi_startproc\n"
  "  movq %rax, 0(%rdi)\n"
  "  movq %rbx, 8(%rdi)\n"
  "  movq %rcx, 16(%rdi)\n"
  "  movq %rdx, 24(%rdi)\n"
  "  movq %rsi, 32(%rdi)\n"
  "  movq %rdi, 40(%rdi)\n"
  "  movq %rbp, 48(%rdi)\n"
  "  leaq 8(%rsp), %rax\n"
  "  movq %rax, 56(%rdi)\n"
  "  movq (%rsp), %rax\n"
  "  movq %rax, 64(%rdi)\n"
  "  pushfq\n"
  ".cfi_adjust_cfa_offset 8\n"
  "  popq %rax\n"
  ".cfi_adjust_cfa_offset -8\n"
  "  movq %rax, 72(%rdi)\n"
  "  movq $0x33, 80(%rdi)\n"
  "  movq $0x2b, 88(%rdi)\n"
  "  movq %r8, 128(%rdi)\n"
  "  movq %r9, 136(%rdi)\n"
  "  movq %r10, 144(%rdi)\n"
  "  movq %r11, 152(%rdi)\n"
  "  movq %r12, 160(%rdi)\n"
  "  movq %r13, 168(%rdi)\n"
  "  movq %r14, 176(%rdi)\n"
  "  movq %r15, 184(%rdi)\n"
  "  ret\n"
  ".cfi_endproc\n"
  ".size unwind_chain_capture_regs, .-unwind_chain_capture_regs\n");

/* A function with a mid-body epilogue bracketed by DW_CFA_remember_state /
 * DW_CFA_restore_state, as GCC emits them: the CFA is rsp+80 in the body,
 * rsp+8 at the first ret.  Never called: its CFI is what the test uses. */
__asm__ (
  ".text\n"
  ".globl unwind_chain_epilogue\n"
  ".type unwind_chain_epilogue, @function\n"
  "unwind_chain_epilogue:\n"
  ".cfi_startproc\n"
  "  pushq %rbx\n"
  ".cfi_adjust_cfa_offset 8\n"
  ".cfi_offset %rbx, -16\n"
  "  subq $64, %rsp\n"
  ".cfi_adjust_cfa_offset 64\n"
  "  testq %rdi, %rdi\n"
  "  je 1f\n"
  ".cfi_remember_state\n"
  "  addq $64, %rsp\n"
  ".cfi_adjust_cfa_offset -64\n"
  "  popq %rbx\n"
  ".cfi_adjust_cfa_offset -8\n"
  ".globl unwind_chain_epilogue_ret\n"
  "unwind_chain_epilogue_ret:\n"
  "  ret\n"
  ".cfi_restore_state\n"
  "1:\n"
  "  movq %rdi, %rax\n"
  ".globl unwind_chain_epilogue_body\n"
  "unwind_chain_epilogue_body:\n"
  "  movq %rax, %rbx\n"
  "  addq $64, %rsp\n"
  ".cfi_adjust_cfa_offset -64\n"
  "  popq %rbx\n"
  ".cfi_adjust_cfa_offset -8\n"
  "  ret\n"
  ".cfi_endproc\n"
  ".size unwind_chain_epilogue, .-unwind_chain_epilogue\n");

/* A frame whose CFA is rbx-based (as ld.so's _dl_runtime_resolve), and a
 * leaf that leaves rbx alone (no CFI rule for it).  Never called. */
__asm__ (
  ".text\n"
  ".globl unwind_chain_rbx_cfa\n"
  ".type unwind_chain_rbx_cfa, @function\n"
  "unwind_chain_rbx_cfa:\n"
  ".cfi_startproc\n"
  "  pushq %rbx\n"
  ".cfi_adjust_cfa_offset 8\n"
  ".cfi_offset %rbx, -16\n"
  "  movq %rsp, %rbx\n"
  ".cfi_def_cfa_register %rbx\n"
  "  andq $-32, %rsp\n"
  "  subq $32, %rsp\n"
  "  call unwind_chain_rbx_leaf\n"
  ".globl unwind_chain_rbx_cfa_ret\n"
  "unwind_chain_rbx_cfa_ret:\n"
  "  movq %rbx, %rsp\n"
  ".cfi_def_cfa_register %rsp\n"
  "  popq %rbx\n"
  ".cfi_adjust_cfa_offset -8\n"
  ".cfi_restore %rbx\n"
  "  ret\n"
  ".cfi_endproc\n"
  ".size unwind_chain_rbx_cfa, .-unwind_chain_rbx_cfa\n"
  ".globl unwind_chain_rbx_leaf\n"
  ".type unwind_chain_rbx_leaf, @function\n"
  "unwind_chain_rbx_leaf:\n"
  ".cfi_startproc\n"
  "  pushq %r13\n"
  ".cfi_adjust_cfa_offset 8\n"
  ".cfi_offset %r13, -16\n"
  ".globl unwind_chain_rbx_leaf_body\n"
  "unwind_chain_rbx_leaf_body:\n"
  "  popq %r13\n"
  ".cfi_adjust_cfa_offset -8\n"
  ".cfi_restore %r13\n"
  "  ret\n"
  ".cfi_endproc\n"
  ".size unwind_chain_rbx_leaf, .-unwind_chain_rbx_leaf\n");
#endif

/* Reads other frames' memory: must not be instrumented by ASan. */
__attribute__((noinline, no_sanitize_address)) static void
copy_stack (UnwindChainSample *s,
            gsize              max_stack)
{
  pthread_attr_t attr;
  void *addr = NULL;
  size_t size = 0;
  guint64 top = G_MAXUINT64;
  gsize len;

  if (pthread_getattr_np (pthread_self (), &attr) == 0)
    {
      pthread_attr_getstack (&attr, &addr, &size);
      pthread_attr_destroy (&attr);
      top = (guint64) (guintptr) addr + size;
    }
  len = MIN (max_stack, UNWIND_CHAIN_STACK_MAX);
  s->reached_top = FALSE;
  if (top - s->sp <= len)
    {
      len = top - s->sp;
      s->reached_top = TRUE;
    }
  len &= ~(gsize) 7;
  for (gsize i = 0; i < len; i++)
    s->stack[i] = ((const volatile guint8 *) (guintptr) s->sp)[i];
  s->stack_len = len;
}

static volatile int chain_sink;

__attribute__((noinline)) static int
unwind_chain_e (UnwindChainSample *s,
                gsize              max_stack,
                int                x)
{
  unwind_chain_capture_regs (s->regs);
  s->sp = s->regs[7];
  copy_stack (s, max_stack);
  chain_sink = x;
  return chain_sink + 1;
}

__attribute__((noinline)) static int
unwind_chain_d (UnwindChainSample *s, gsize max_stack, int x)
{
  volatile int pad[13] = { x };
  return unwind_chain_e (s, max_stack, pad[0] + 1) * 5 + pad[0];
}

__attribute__((noinline)) static int
unwind_chain_c (UnwindChainSample *s, gsize max_stack, int x)
{
  volatile int pad[3] = { x };
  return unwind_chain_d (s, max_stack, pad[0] + 1) * 3 + pad[0];
}

__attribute__((noinline)) static int
unwind_chain_b (UnwindChainSample *s, gsize max_stack, int x)
{
  return unwind_chain_c (s, max_stack, x + 1) * 7 + x;
}

__attribute__((noinline)) static int
unwind_chain_a (UnwindChainSample *s, gsize max_stack, int x)
{
  volatile int pad[31] = { x };
  return unwind_chain_b (s, max_stack, pad[0] + 1) * 11 + pad[0];
}

int
unwind_chain_run (UnwindChainSample *s,
                  gsize              max_stack)
{
  int ret = unwind_chain_a (s, max_stack, 1) + 1;
  guint n = 0;

  for (guint bit = 0; bit < 24; bit++)
    if (UNWIND_CHAIN_REGS_MASK & (G_GUINT64_CONSTANT (1) << bit))
      s->packed[n++] = s->regs[bit];
  s->n_packed = n;
  return ret;
}
