/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <gelf.h>

#include "scorch-cfi.h"
#include "scorch-util.h"

#define MAX_FRAME_SIZE SCORCH_UNWIND_MAX_FRAME_SIZE

const guint8 scorch_cfi_dwarf_to_perf[N_DREGS] = {
  PREG_AX, PREG_DX, PREG_CX, PREG_BX, PREG_SI, PREG_DI, PREG_BP, PREG_SP,
  PREG_R8, PREG_R9, PREG_R10, PREG_R11, PREG_R12, PREG_R13, PREG_R14, PREG_R15,
  PREG_IP,
};

void
scorch_cfi_init (ScorchCfi        *self,
                 ScorchUnwindMaps *maps)
{
  self->maps = maps;
  self->row_cache = g_new0 (RowSlot, 1u << SCORCH_CFI_ROW_CACHE_BITS);
  self->unsupported = FALSE;
}

void
scorch_cfi_clear (ScorchCfi *self)
{
  g_clear_pointer (&self->row_cache, g_free);
}

const Row *
scorch_cfi_find_row (ScorchCfi *self,
                     UnwModule *m,
                     guint64    pc)
{
  guint64 h = (pc ^ (GPOINTER_TO_SIZE (m) >> 4) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  RowSlot *slot = &self->row_cache[(h * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> (64 - SCORCH_CFI_ROW_CACHE_BITS)];

  if (slot->module == m && slot->pc == pc)
    return slot->row;
  slot->module = m;
  slot->pc = pc;
  /* a miss: the module's shared table */
  slot->row = m->cfi != NULL ? (Row *) scorch_cfi_table_find_row (m->cfi, pc) : NULL;
  return slot->row;
}

/* ------------------------------------------------------------------------ */
/* DWARF expressions                                                        */

static gboolean
reg_value (const Regs *regs,
           guint64     regno,
           guint64    *val)
{
  if (regno >= N_DREGS || !(regs->valid & (1u << regno)))
    return FALSE;
  *val = regs->r[regno];
  return TRUE;
}

/* Evaluates ops over the frame's registers and cfa; *is_value tells
 * whether the result is a value (DW_OP_stack_value, DW_OP_regN) rather
 * than an address. */
static gboolean
eval_ops (ScorchCfi      *self,
          const Dwarf_Op *ops,
          guint           n_ops,
          const Regs     *regs,
          gboolean        have_cfa,
          guint64         cfa,
          guint64        *result,
          gboolean       *is_value)
{
  guint64 stack[64];
  guint sp = 0;
  guint steps = 0;

  *is_value = FALSE;
  if (n_ops == 1 && ops[0].atom >= DW_OP_reg0 && ops[0].atom <= DW_OP_reg31)
    {
      *is_value = TRUE;
      return reg_value (regs, ops[0].atom - DW_OP_reg0, result);
    }
  if (n_ops == 1 && ops[0].atom == DW_OP_regx)
    {
      *is_value = TRUE;
      return reg_value (regs, ops[0].number, result);
    }

#define PUSH(v) G_STMT_START { guint64 v_ = (v); if (sp >= G_N_ELEMENTS (stack)) return FALSE; stack[sp] = v_; sp++; } G_STMT_END
#define NEED(k) G_STMT_START { if (sp < (k)) return FALSE; } G_STMT_END

  for (guint i = 0; i < n_ops; i++)
    {
      const Dwarf_Op *op = &ops[i];
      guint8 atom = op->atom;
      guint64 a, b;

      if (++steps > 1000)
        return FALSE;

      if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31)
        {
          PUSH (atom - DW_OP_lit0);
          continue;
        }
      if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31)
        {
          if (!reg_value (regs, atom - DW_OP_breg0, &a))
            return FALSE;
          PUSH (a + op->number);
          continue;
        }

      switch (atom)
        {
        case DW_OP_call_frame_cfa:
          if (!have_cfa)
            return FALSE;
          PUSH (cfa);
          break;
        case DW_OP_bregx:
          if (!reg_value (regs, op->number, &a))
            return FALSE;
          PUSH (a + op->number2);
          break;
        case DW_OP_addr:
        case DW_OP_const1u: case DW_OP_const1s:
        case DW_OP_const2u: case DW_OP_const2s:
        case DW_OP_const4u: case DW_OP_const4s:
        case DW_OP_const8u: case DW_OP_const8s:
        case DW_OP_constu: case DW_OP_consts:
          PUSH (op->number);
          break;
        case DW_OP_dup: NEED (1); PUSH (stack[sp - 1]); break;
        case DW_OP_drop: NEED (1); sp--; break;
        case DW_OP_over: NEED (2); PUSH (stack[sp - 2]); break;
        case DW_OP_pick:
          if (op->number >= sp)
            return FALSE;
          PUSH (stack[sp - 1 - op->number]);
          break;
        case DW_OP_swap:
          NEED (2);
          a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = a;
          break;
        case DW_OP_rot:
          NEED (3);
          a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = stack[sp - 3]; stack[sp - 3] = a;
          break;
        case DW_OP_deref:
          NEED (1);
          if (!scorch_unwind_maps_read_word (self->maps, stack[sp - 1], &stack[sp - 1]))
            return FALSE;
          break;
        case DW_OP_deref_size:
          NEED (1);
          if (op->number == 0 || op->number > 8 || !scorch_unwind_maps_read_word (self->maps, stack[sp - 1], &a))
            return FALSE;
          stack[sp - 1] = op->number == 8 ? a : a & ((G_GUINT64_CONSTANT (1) << (op->number * 8)) - 1);
          break;
        case DW_OP_plus_uconst: NEED (1); stack[sp - 1] += op->number; break;
        case DW_OP_neg: NEED (1); stack[sp - 1] = -stack[sp - 1]; break;
        case DW_OP_not: NEED (1); stack[sp - 1] = ~stack[sp - 1]; break;
        case DW_OP_abs:
          NEED (1);
          if ((gint64) stack[sp - 1] < 0)
            stack[sp - 1] = -stack[sp - 1];
          break;
        case DW_OP_and: case DW_OP_or: case DW_OP_xor: case DW_OP_plus: case DW_OP_minus:
        case DW_OP_mul: case DW_OP_div: case DW_OP_mod: case DW_OP_shl: case DW_OP_shr:
        case DW_OP_shra: case DW_OP_eq: case DW_OP_ne: case DW_OP_lt: case DW_OP_le:
        case DW_OP_gt: case DW_OP_ge:
          NEED (2);
          b = stack[--sp];
          a = stack[sp - 1];
          switch (atom)
            {
            case DW_OP_and: a &= b; break;
            case DW_OP_or: a |= b; break;
            case DW_OP_xor: a ^= b; break;
            case DW_OP_plus: a += b; break;
            case DW_OP_minus: a -= b; break;
            case DW_OP_mul: a *= b; break;
            case DW_OP_div:
              if (b == 0 || ((gint64) a == G_MININT64 && (gint64) b == -1))
                return FALSE;
              a = (guint64) ((gint64) a / (gint64) b);
              break;
            case DW_OP_mod:
              if (b == 0)
                return FALSE;
              a %= b;
              break;
            case DW_OP_shl: a = b >= 64 ? 0 : a << b; break;
            case DW_OP_shr: a = b >= 64 ? 0 : a >> b; break;
            case DW_OP_shra: a = (guint64) ((gint64) a >> MIN (b, 63)); break;
            case DW_OP_eq: a = (gint64) a == (gint64) b; break;
            case DW_OP_ne: a = (gint64) a != (gint64) b; break;
            case DW_OP_lt: a = (gint64) a < (gint64) b; break;
            case DW_OP_le: a = (gint64) a <= (gint64) b; break;
            case DW_OP_gt: a = (gint64) a > (gint64) b; break;
            case DW_OP_ge: a = (gint64) a >= (gint64) b; break;
            default: g_assert_not_reached ();
            }
          stack[sp - 1] = a;
          break;
        case DW_OP_skip:
        case DW_OP_bra:
          {
            guint64 target;
            guint j;

            if (atom == DW_OP_bra)
              {
                NEED (1);
                if (stack[--sp] == 0)
                  break;
              }
            target = op->offset + 3 + (guint64) (gint64) (gint16) op->number;
            for (j = 0; j < n_ops && ops[j].offset != target; j++)
              ;
            if (j == n_ops && target != ops[n_ops - 1].offset + 1)
              return FALSE;
            i = j - 1;   /* j == n_ops: past the end, stop */
          }
          break;
        case DW_OP_nop:
          break;
        case DW_OP_stack_value:
          if (i != n_ops - 1)
            return FALSE;
          *is_value = TRUE;
          break;
        default:
          self->unsupported = TRUE;
          return FALSE;
        }
    }
#undef PUSH
#undef NEED

  if (sp == 0)
    return FALSE;
  *result = stack[sp - 1];
  return TRUE;
}

StepResult
scorch_cfi_step (ScorchCfi  *self,
                 const Row  *row,
                 const Regs *regs,
                 Regs       *out)
{
  guint64 cfa;
  gboolean is_value;

  if (row->cfa_kind == CFA_REG)
    {
      if (!reg_value (regs, row->cfa_reg, &cfa))
        return STEP_FAIL;
      cfa += row->cfa_offset;
    }
  else if (!eval_ops (self, row->ops + row->cfa_first_op, row->cfa_n_ops, regs, FALSE, 0, &cfa, &is_value))
    return STEP_FAIL;

  if (row->regs[row->ra_reg].kind == LOC_UNDEF)
    return STEP_END;

  out->valid = 0;
  for (guint r = 0; r < N_DREGS; r++)
    {
      const Loc *loc = &row->regs[r];
      guint64 v;

      switch (loc->kind)
        {
        case LOC_SAME:
          if (r == DREG_RSP)
            {
              /* the CFA is the caller's stack pointer */
              out->r[r] = cfa;
              out->valid |= 1u << r;
            }
          else if (regs->valid & (1u << r))
            {
              out->r[r] = regs->r[r];
              out->valid |= 1u << r;
            }
          break;
        case LOC_UNDEF:
          break;
        case LOC_AT_CFA:
          if (scorch_unwind_maps_read_word (self->maps, cfa + loc->offset, &v))
            {
              out->r[r] = v;
              out->valid |= 1u << r;
            }
          break;
        case LOC_VAL_CFA:
          out->r[r] = cfa + loc->offset;
          out->valid |= 1u << r;
          break;
        case LOC_EXPR:
          if (eval_ops (self, row->ops + loc->first_op, loc->n_ops, regs, TRUE, cfa, &v, &is_value) &&
              (is_value || scorch_unwind_maps_read_word (self->maps, v, &v)))
            {
              out->r[r] = v;
              out->valid |= 1u << r;
            }
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* the return address column becomes the caller's pc */
  if (!(out->valid & (1u << row->ra_reg)))
    {
      const Loc *loc = &row->regs[row->ra_reg];

      return loc->kind == LOC_AT_CFA && scorch_unwind_maps_above_copy (self->maps, cfa + loc->offset) ? STEP_OUT : STEP_FAIL;
    }
  out->r[DREG_RA] = out->r[row->ra_reg];
  out->valid |= 1u << DREG_RA;
  return out->r[DREG_RA] == 0 ? STEP_ZERO : STEP_OK;
}

/* x86_64 opcodes of a lazy-binding PLT entry (16 bytes):
 *   ff 25 d32   jmp *d32(%rip)    the GOT slot
 *   68 i32      push $i32         the relocation index
 *   e9 d32      jmp d32           PLT0 */
#define PLT_ENTRY_SIZE 16

gboolean
scorch_cfi_is_plt_entry (const UnwModule *m,
                         guint64          pc)
{
  guint8 code[PLT_ENTRY_SIZE];

  if (m->data == NULL)
    return FALSE;
  /* the whole entry, from the file's bytes of an executable segment */
  for (guint i = 0; i < m->n_segments; i++)
    {
      const UnwSegment *s = &m->segments[i];
      guint64 off;

      if (!(s->flags & PF_X) || pc < s->vaddr || pc - s->vaddr >= s->filesz ||
          s->filesz - (pc - s->vaddr) < PLT_ENTRY_SIZE)
        continue;
      off = pc - s->vaddr + s->offset;
      if (off > m->size || m->size - off < PLT_ENTRY_SIZE)
        return FALSE;
      memcpy (code, m->data + off, PLT_ENTRY_SIZE);
      return code[0] == 0xff && code[1] == 0x25 && code[6] == 0x68 && code[11] == 0xe9;
    }
  return FALSE;
}

StepResult
scorch_cfi_step_plt_entry (ScorchCfi  *self,
                           const Regs *regs,
                           Regs       *out)
{
  guint64 rsp, ra;

  if (!reg_value (regs, DREG_RSP, &rsp) || rsp > G_MAXUINT64 - 8)
    return STEP_FAIL;
  if (!scorch_unwind_maps_read_word (self->maps, rsp, &ra))
    return scorch_unwind_maps_above_copy (self->maps, rsp) ? STEP_OUT : STEP_FAIL;
  /* CFA = rsp + 8, the return address at CFA - 8, nothing else saved */
  *out = *regs;
  out->r[DREG_RSP] = rsp + 8;
  out->r[DREG_RA] = ra;
  out->valid |= (1u << DREG_RSP) | (1u << DREG_RA);
  return ra == 0 ? STEP_ZERO : STEP_OK;
}

StepResult
scorch_cfi_step_frame_pointer (ScorchCfi  *self,
                               const Regs *regs,
                               Regs       *out)
{
  guint64 rbp, prev_rbp, ra;

  if (!reg_value (regs, DREG_RBP, &rbp) || rbp == 0)
    return STEP_FAIL;
  if (!(regs->valid & (1u << DREG_RSP)) || rbp < regs->r[DREG_RSP] || rbp > G_MAXUINT64 - 16)
    return STEP_FAIL;
  if (!scorch_unwind_maps_read_word (self->maps, rbp, &prev_rbp) || !scorch_unwind_maps_read_word (self->maps, rbp + 8, &ra))
    return scorch_unwind_maps_above_copy (self->maps, rbp + 8) ? STEP_OUT : STEP_FAIL;
  *out = *regs;
  out->r[DREG_RBP] = prev_rbp;
  out->r[DREG_RSP] = rbp + 16;
  out->r[DREG_RA] = ra;
  out->valid |= (1u << DREG_RBP) | (1u << DREG_RSP) | (1u << DREG_RA);
  return ra == 0 ? STEP_ZERO : STEP_OK;
}

