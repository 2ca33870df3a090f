/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <gelf.h>

#include "scorch-cfi-table.h"
#include "scorch-util.h"

/* ------------------------------------------------------------------------ */
/* CFI rows                                                                 */

static gboolean
is_cfa_plus (const Dwarf_Op *ops,
             size_t          n,
             gint64         *offset)
{
  if (n == 1 && ops[0].atom == DW_OP_call_frame_cfa)
    {
      *offset = 0;
      return TRUE;
    }
  if (n == 2 && ops[0].atom == DW_OP_call_frame_cfa && ops[1].atom == DW_OP_plus_uconst)
    {
      *offset = (gint64) ops[1].number;
      return TRUE;
    }
  return FALSE;
}

/* Whether DWARF register r is preserved across calls (x86_64 SysV: rbx,
 * rbp, r12-r15).
 *
 * With no rule for them in the CFI, such registers keep their value in the
 * caller.  libdw 0.188 supplies that default from its x86_64 ABI table,
 * which names register 0 (rax) where it means rbx (3): rbx came out
 * "undefined" in every frame that did not save it, and the stepper could
 * not step a caller whose CFA is rbx-based -- ld.so's
 * _dl_runtime_resolve, under every lazy symbol binding.  So an undefined
 * callee-saved register is taken as unchanged (as libunwind does); an
 * explicit DW_CFA_undefined for one cannot be told apart, and is rare. */
static inline gboolean
is_callee_saved (int r)
{
  return r == 3 || r == DREG_RBP || (r >= 12 && r <= 15);
}

/* Decodes the CFI row of frame into a Row we own. */
static Row *
row_new (Dwarf_Frame *frame)
{
  Dwarf_Addr start, end;
  bool signal = FALSE;
  int ra;
  Dwarf_Op *cfa_ops = NULL;
  size_t n_cfa = 0;
  Dwarf_Op mem[N_DREGS][3];
  Dwarf_Op *ops[N_DREGS];
  size_t n_ops[N_DREGS];
  guint total = 0;
  Row *row;

  ra = dwarf_frame_info (frame, &start, &end, &signal);
  if (ra < 0 || ra >= N_DREGS || start >= end)
    return NULL;
  if (dwarf_frame_cfa (frame, &cfa_ops, &n_cfa) != 0 || n_cfa == 0 || n_cfa > 64)
    return NULL;
  if (!(n_cfa == 1 && cfa_ops[0].atom == DW_OP_bregx && cfa_ops[0].number < N_DREGS))
    total += n_cfa;
  for (int r = 0; r < N_DREGS; r++)
    {
      gint64 off;

      if (dwarf_frame_register (frame, r, mem[r], &ops[r], &n_ops[r]) != 0)
        {
          ops[r] = mem[r];   /* unknown: undefined */
          n_ops[r] = 0;
        }
      if (n_ops[r] > 64)
        return NULL;
      if (n_ops[r] > 0 && !is_cfa_plus (ops[r], n_ops[r], &off) &&
          !(n_ops[r] == 3 && is_cfa_plus (ops[r], 2, &off) && ops[r][2].atom == DW_OP_stack_value) &&
          !(n_ops[r] == 2 && is_cfa_plus (ops[r], 1, &off) && ops[r][1].atom == DW_OP_stack_value))
        total += n_ops[r];
    }

  row = g_malloc0 (sizeof (Row) + total * sizeof (Dwarf_Op));
  row->start = start;
  row->end = end;
  row->ra_reg = ra;
  row->signal = signal;

  if (n_cfa == 1 && cfa_ops[0].atom == DW_OP_bregx && cfa_ops[0].number < N_DREGS)
    {
      row->cfa_kind = CFA_REG;
      row->cfa_reg = cfa_ops[0].number;
      row->cfa_offset = (gint64) cfa_ops[0].number2;
    }
  else
    {
      row->cfa_kind = CFA_EXPR;
      row->cfa_first_op = row->n_ops;
      row->cfa_n_ops = n_cfa;
      memcpy (row->ops + row->n_ops, cfa_ops, n_cfa * sizeof (Dwarf_Op));
      row->n_ops += n_cfa;
    }

  for (int r = 0; r < N_DREGS; r++)
    {
      Loc *loc = &row->regs[r];
      gint64 off;

      if (n_ops[r] == 0)
        loc->kind = ops[r] == NULL || is_callee_saved (r) ? LOC_SAME : LOC_UNDEF;
      else if (is_cfa_plus (ops[r], n_ops[r], &off))
        {
          loc->kind = LOC_AT_CFA;
          loc->offset = off;
        }
      else if ((n_ops[r] == 3 && is_cfa_plus (ops[r], 2, &off) && ops[r][2].atom == DW_OP_stack_value) ||
               (n_ops[r] == 2 && is_cfa_plus (ops[r], 1, &off) && ops[r][1].atom == DW_OP_stack_value))
        {
          loc->kind = LOC_VAL_CFA;
          loc->offset = off;
        }
      else
        {
          loc->kind = LOC_EXPR;
          loc->first_op = row->n_ops;
          loc->n_ops = n_ops[r];
          memcpy (row->ops + row->n_ops, ops[r], n_ops[r] * sizeof (Dwarf_Op));
          row->n_ops += n_ops[r];
        }
    }
  return row;
}

static Dwarf_CFI *
table_debug_cfi (ScorchCfiTable *t)
{
  if (!t->tried_debug_frame)
    {
      t->tried_debug_frame = TRUE;
      t->dwarf = dwarf_begin_elf (t->elf, DWARF_C_READ, NULL);
      if (t->dwarf != NULL)
        t->debug_cfi = dwarf_getcfi (t->dwarf);
    }
  return t->debug_cfi;
}

/* The end of the CFI row libdw gives for pc, or 0. */
static guint64
cfi_row_end (Dwarf_CFI *cfi,
             guint64    pc)
{
  Dwarf_Frame *frame = NULL;
  Dwarf_Addr start = 0, end = 0;
  bool signal = FALSE;

  if (dwarf_cfi_addrframe (cfi, pc, &frame) != 0)
    return 0;
  if (dwarf_frame_info (frame, &start, &end, &signal) < 0)
    end = 0;
  free (frame);
  return end;
}

/* The real start of the row [start, end) libdw gave for pc.
 *
 * libdw (seen with 0.188) reports the wrong start for a row that
 * DW_CFA_restore_state brings back: the start of the row in effect where
 * DW_CFA_remember_state ran, not the address of the advance that led to
 * the restore.  GCC emits exactly that around every mid-function epilogue
 * (remember_state; def_cfa_offset per pop; restore_state after the ret),
 * so the range covered the epilogue, whose rows differ: once such a body
 * row was cached, a sample stopped in the epilogue was stepped with the
 * body's CFA (rsp+144 where rsp+16 was right) and got a wrong caller --
 * a stack slot or 0, i.e. a garbage frame 1 or a false outermost frame.
 *
 * A start is right when libdw gives a row ending at the same place for the
 * start itself.  Otherwise the rows tile the FDE, so "the row at a ends at
 * end" is false below the real start and true from it up to pc: bisect. */
static guint64
cfi_row_start (Dwarf_CFI *cfi,
               guint64    start,
               guint64    end,
               guint64    pc)
{
  guint64 lo, hi;

  if (start == pc || cfi_row_end (cfi, start) == end)
    return start;
  lo = start + 1;
  hi = pc;
  while (lo < hi)
    {
      guint64 mid = lo + (hi - lo) / 2;

      if (cfi_row_end (cfi, mid) == end)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

static Row *
row_from_cfi (Dwarf_CFI *cfi,
              guint64    pc)
{
  Dwarf_Frame *frame = NULL;
  Row *row;

  if (cfi == NULL || dwarf_cfi_addrframe (cfi, pc, &frame) != 0)
    return NULL;
  row = row_new (frame);
  free (frame);
  if (row != NULL && !(pc >= row->start && pc < row->end))
    g_clear_pointer (&row, g_free);
  if (row != NULL)
    row->start = cfi_row_start (cfi, row->start, row->end, pc);
  return row;
}

/* The decoded CFI row for module-relative pc, or NULL; under t->lock. */
static Row *
table_find_row_locked (ScorchCfiTable *t,
                       guint64         pc)
{
  GPtrArray *rows = t->rows;
  guint lo = 0, hi = rows->len;
  Row *row;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      Row *r = g_ptr_array_index (rows, mid);

      if (pc < r->start)
        hi = mid;
      else if (pc >= r->end)
        lo = mid + 1;
      else
        return r;
    }

  row = row_from_cfi (t->eh_cfi, pc);
  if (row == NULL)
    row = row_from_cfi (table_debug_cfi (t), pc);
  if (row == NULL)
    return NULL;
  /* rows from one CFI do not overlap; clip in case two sources disagree */
  if (lo > 0)
    row->start = MAX (row->start, ((Row *) g_ptr_array_index (rows, lo - 1))->end);
  if (lo < rows->len)
    row->end = MIN (row->end, ((Row *) g_ptr_array_index (rows, lo))->start);
  g_ptr_array_insert (rows, lo, row);
  t->n_decoded++;
  return row;
}

const Row *
scorch_cfi_table_find_row (ScorchCfiTable *self,
                           guint64         pc)
{
  const Row *row;

  g_return_val_if_fail (self != NULL, NULL);

  /* the rows are shared by the loader's workers: a row, once in rows, is
   * never changed or freed before the table */
  scorch_mutex_lock (&self->lock);
  row = table_find_row_locked (self, pc);
  scorch_mutex_unlock (&self->lock);
  return row;
}

guint
scorch_cfi_table_get_n_decoded (ScorchCfiTable *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  scorch_mutex_lock (&self->lock);
  n = self->n_decoded;
  scorch_mutex_unlock (&self->lock);
  return n;
}

/* ------------------------------------------------------------------------ */
/* The table of a module                                                    */

#define DW_EH_PE_omit    0xff
#define DW_EH_PE_absptr  0x00
#define DW_EH_PE_udata2  0x02
#define DW_EH_PE_udata4  0x03
#define DW_EH_PE_udata8  0x04
#define DW_EH_PE_sdata2  0x0a
#define DW_EH_PE_sdata4  0x0b
#define DW_EH_PE_sdata8  0x0c
#define DW_EH_PE_pcrel   0x10
#define DW_EH_PE_datarel 0x30

/* Reads an encoded .eh_frame_hdr value at data[*pos]; pcrel/datarel
 * applied against the link-time vaddrs given. */
static gboolean
read_encoded (const guint8 *data,
              gsize         size,
              gsize        *pos,
              guint8        enc,
              guint64       pos_vaddr,
              guint64       data_vaddr,
              guint64      *out)
{
  guint64 v;
  gsize n;

  switch (enc & 0x0f)
    {
    case DW_EH_PE_absptr:
    case DW_EH_PE_udata8:
    case DW_EH_PE_sdata8: n = 8; break;
    case DW_EH_PE_udata4:
    case DW_EH_PE_sdata4: n = 4; break;
    case DW_EH_PE_udata2:
    case DW_EH_PE_sdata2: n = 2; break;
    default: return FALSE;
    }
  if (*pos > size || size - *pos < n)
    return FALSE;

  switch (enc & 0x0f)
    {
    case DW_EH_PE_udata2: { guint16 x; memcpy (&x, data + *pos, 2); v = x; break; }
    case DW_EH_PE_sdata2: { gint16 x; memcpy (&x, data + *pos, 2); v = (guint64) (gint64) x; break; }
    case DW_EH_PE_udata4: { guint32 x; memcpy (&x, data + *pos, 4); v = x; break; }
    case DW_EH_PE_sdata4: { gint32 x; memcpy (&x, data + *pos, 4); v = (guint64) (gint64) x; break; }
    default: memcpy (&v, data + *pos, 8); break;
    }

  switch (enc & 0x70)
    {
    case 0: break;
    case DW_EH_PE_pcrel: v += pos_vaddr; break;
    case DW_EH_PE_datarel: v += data_vaddr; break;
    default: return FALSE;
    }
  *pos += n;
  *out = v;
  return TRUE;
}

/* Finds the .eh_frame_hdr binary-search table libunwind reads. */
static void
table_parse_eh_hdr (ScorchCfiTable *t,
                    const guint8   *data,
                    gsize           size)
{
  gsize n_phdrs = 0;
  GElf_Phdr eh = { 0 };
  gboolean have_eh = FALSE;

  if (elf_getphdrnum (t->elf, &n_phdrs) != 0)
    return;

  t->lo_vaddr = G_MAXUINT64;
  t->hi_vaddr = 0;
  for (gsize i = 0; i < n_phdrs; i++)
    {
      GElf_Phdr ph;

      if (gelf_getphdr (t->elf, (int) i, &ph) == NULL)
        continue;
      if (ph.p_type == PT_GNU_EH_FRAME)
        {
          eh = ph;
          have_eh = TRUE;
        }
      if (ph.p_type == PT_LOAD)
        {
          t->lo_vaddr = MIN (t->lo_vaddr, ph.p_vaddr);
          t->hi_vaddr = MAX (t->hi_vaddr, ph.p_vaddr + ph.p_memsz);
        }
    }

  if (have_eh && t->hi_vaddr > 0 && eh.p_offset < size && size - eh.p_offset >= 4)
    {
      const guint8 *h = data + eh.p_offset;
      gsize len = MIN (eh.p_filesz, size - eh.p_offset);
      gsize pos = 4;
      guint64 eh_frame_ptr, fde_count;

      /* libunwind's remote table lookup wants (sdata4, datarel) pairs */
      if (h[0] == 1 && h[3] == (DW_EH_PE_datarel | DW_EH_PE_sdata4) &&
          read_encoded (h, len, &pos, h[1], eh.p_vaddr + pos, eh.p_vaddr, &eh_frame_ptr) &&
          h[2] != DW_EH_PE_omit &&
          read_encoded (h, len, &pos, h[2], eh.p_vaddr + pos, eh.p_vaddr, &fde_count) &&
          fde_count > 0 && fde_count <= (len - pos) / 8)
        {
          t->hdr_vaddr = eh.p_vaddr;
          t->table_vaddr = eh.p_vaddr + pos;
          t->fde_count = fde_count;
          t->eh_hdr_ok = TRUE;
        }
    }
}

static void
table_free (gpointer p)
{
  ScorchCfiTable *t = p;

  g_ptr_array_unref (t->rows);
  if (t->eh_cfi != NULL)
    dwarf_cfi_end (t->eh_cfi);
  if (t->dwarf != NULL)
    dwarf_end (t->dwarf);
  elf_end (t->elf);
  g_mutex_clear (&t->lock);
  g_free (t);
}

static gpointer
table_new (ScorchModule *module,
           gpointer      user_data)
{
  ScorchCfiTable *t;
  const guint8 *data;
  gsize size = 0;
  Elf *elf;

  /* libelf and libdw are not thread-safe: the table's own Elf over the
   * module's bytes (no I/O), used under the table's lock */
  data = scorch_module_get_data (module, &size);
  elf = elf_memory ((char *) data, size);
  if (elf == NULL)
    return NULL;
  t = g_new0 (ScorchCfiTable, 1);
  g_mutex_init (&t->lock);
  t->elf = elf;
  t->eh_cfi = dwarf_getcfi_elf (elf);
  t->rows = g_ptr_array_new_with_free_func (g_free);
  table_parse_eh_hdr (t, data, size);
  return t;
}

#define CFI_TABLE_KEY "scorch-cfi"

ScorchCfiTable *
scorch_cfi_table_acquire (ScorchModule *module)
{
  g_return_val_if_fail (module != NULL, NULL);
  return scorch_module_acquire_shared (module, CFI_TABLE_KEY, table_new, NULL, table_free);
}

void
scorch_cfi_table_release (ScorchModule *module)
{
  g_return_if_fail (module != NULL);
  scorch_module_release_shared (module, CFI_TABLE_KEY);
}

