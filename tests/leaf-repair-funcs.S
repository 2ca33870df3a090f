/* SPDX-License-Identifier: GPL-3.0-or-later */
/* leaf-repair-funcs.S: functions with known call frame information for
 * test-leaf-repair.c.  They are never run: the test takes the addresses of
 * the labels as sampled instruction pointers and return addresses. */

        .text

#define FUNC(name) .globl name; .type name, @function; name:
#define LABEL(name) .globl name; name:

/* a leaf without a frame: CFA = rsp + 8 throughout */
FUNC (t_leaf)
        .cfi_startproc
        nop
LABEL (t_leaf_body)
        nop
        ret
        .cfi_endproc
        .size t_leaf, .-t_leaf

/* a function that keeps a frame pointer */
FUNC (t_fp)
        .cfi_startproc
        push %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
LABEL (t_fp_pushed)                  /* CFA = rsp + 16, rbp saved, not yet changed */
        mov %rsp, %rbp
        .cfi_def_cfa_register %rbp
LABEL (t_fp_body)                    /* CFA = rbp + 16: linked */
        call t_leaf
LABEL (t_fp_ret)
        nop
        pop %rbp
        .cfi_def_cfa %rsp, 8
LABEL (t_fp_epilogue)                /* CFA = rsp + 8, rbp popped (its slot is below rsp) */
        ret
        .cfi_endproc
        .size t_fp, .-t_fp

/* code built without frame pointers that uses rbp as a register */
FUNC (t_clobber)
        .cfi_startproc
        push %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        mov $0x1234, %ebp
LABEL (t_clobber_body)
        nop
        pop %rbp
        .cfi_def_cfa_offset 8
        ret
        .cfi_endproc
        .size t_clobber, .-t_clobber

/* a frameless function that calls: two frames without a link */
FUNC (t_frameless_caller)
        .cfi_startproc
        sub $8, %rsp
        .cfi_def_cfa_offset 16
        call t_leaf
LABEL (t_frameless_caller_ret)
        add $8, %rsp
        .cfi_def_cfa_offset 8
        ret
        .cfi_endproc
        .size t_frameless_caller, .-t_frameless_caller

/* a frameless function with a large frame */
FUNC (t_big)
        .cfi_startproc
        sub $1024, %rsp
        .cfi_def_cfa_offset 1032
LABEL (t_big_body)
        nop
        add $1024, %rsp
        .cfi_def_cfa_offset 8
        ret
        .cfi_endproc
        .size t_big, .-t_big

/* a linked caller of the frameless caller */
FUNC (t_outer)
        .cfi_startproc
        push %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        mov %rsp, %rbp
        .cfi_def_cfa_register %rbp
        call t_frameless_caller
LABEL (t_outer_ret)
        pop %rbp
        .cfi_def_cfa %rsp, 8
        ret
        .cfi_endproc
        .size t_outer, .-t_outer

        .section .note.GNU-stack,"",@progbits
