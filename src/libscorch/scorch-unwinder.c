/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <dwarf.h>

#include "scorch-unwinder-libunwind.h"
#include "scorch-util.h"
#include "scorch-vdso.h"

/* How it works
 *
 * Two engines (scorch_unwinder_set_engine(), SCORCH_UNWINDER):
 *
 * The cached-CFI stepper (this file): each step looks up the call frame
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
 * Two libdw 0.188 defects are worked around: row starts after
 * DW_CFA_restore_state (cfi_row_start()) and the x86_64 default rule for
 * rbx (is_callee_saved()). */

/* x86_64 DWARF register numbers: RAX RDX RCX RBX RSI RDI RBP RSP R8..R15,
 * then 16, the return address column (RIP). */
enum
{
  DREG_RBP = 6,
  DREG_RSP = 7,
  DREG_RA = 16,
  N_DREGS = 17
};

static const guint8 dwarf_to_perf[N_DREGS] = {
  PREG_AX, PREG_DX, PREG_CX, PREG_BX, PREG_SI, PREG_DI, PREG_BP, PREG_SP,
  PREG_R8, PREG_R9, PREG_R10, PREG_R11, PREG_R12, PREG_R13, PREG_R14, PREG_R15,
  PREG_IP,
};

/* How a register of the caller is recovered */
typedef enum
{
  LOC_SAME,      /* unchanged */
  LOC_UNDEF,     /* not recoverable */
  LOC_AT_CFA,    /* saved at CFA + offset */
  LOC_VAL_CFA,   /* is CFA + offset */
  LOC_EXPR,      /* a DWARF location description (ops) */
} LocKind;

typedef struct
{
  guint8  kind;
  guint8  n_ops;
  guint16 first_op;
  gint64  offset;
} Loc;

typedef enum
{
  CFA_REG,       /* register cfa_reg + offset */
  CFA_EXPR,
} CfaKind;

/* One decoded CFI row, valid for module-relative pcs [start, end) */
typedef struct
{
  guint64  start, end;
  guint8   cfa_kind;
  guint8   cfa_reg;
  guint8   ra_reg;
  gboolean signal;
  gint64   cfa_offset;
  guint16  cfa_first_op, cfa_n_ops;
  Loc      regs[N_DREGS];
  guint    n_ops;
  Dwarf_Op ops[];
} Row;

/* (module, relative pc) -> row; row NULL with module set: no CFI there */
typedef struct
{
  UnwModule *module;
  guint64    pc;
  Row       *row;
} RowSlot;

#define ROW_CACHE_BITS 13

#define MAP_CACHE_SIZE 64

#define RECENT_MAPS 4

struct _ScorchUnwinder
{
  ScorchFindMappingFunc find_mapping;
  gpointer              user_data;
  GHashTable           *modules;    /* UnwModule* set */

  RowSlot              *row_cache;  /* 1 << ROW_CACHE_BITS */
  UnwMapSlot            map_cache[MAP_CACHE_SIZE];
  /* the mappings found during the current sample, most recent first: the
   * maps do not change within a sample, so an address inside one of them
   * needs no call to find_mapping */
  struct
  {
    guint64              start, end;
    const ScorchMapping *map;
    UnwMapSlot          *slot;
  }                     recent[RECENT_MAPS];

  /* the capture's kernel, for the [vdso] (see vdso_usable()) */
  gboolean              kernel_release_set;
  char                 *kernel_release;

  ScorchUnwindEngine    engine;
  ScorchLibunwind      *libunwind;  /* created on first use */
  guint64              *lu_ips;     /* libunwind's stack in AUTO */
  guint                 lu_ips_len;
  gboolean              unsupported; /* the last step met a rule it does not handle */
  guint64               n_samples;
  guint64               n_libunwind;

  /* the sample being unwound */
  gint32                pid;
  const guint8         *stack;
  gsize                 stack_len;
  guint64               stack_sp;
};

/* Registers of one frame, by DWARF number */
typedef struct
{
  guint64 r[N_DREGS];
  guint32 valid;
} Regs;

/* ------------------------------------------------------------------------ */

static void
unw_module_free (gpointer p)
{
  UnwModule *m = p;

  if (m->rows != NULL)
    g_ptr_array_unref (m->rows);
  if (m->eh_cfi != NULL)
    dwarf_cfi_end (m->eh_cfi);
  if (m->dwarf != NULL)
    dwarf_end (m->dwarf);
  if (m->elf != NULL)
    elf_end (m->elf);
  g_clear_pointer (&m->module, scorch_module_unref);
  g_free (m->path);
  g_free (m);
}

/* Whether the running vDSO is the one mapped as [vdso] module m in the
 * capture: the same build id when the capture recorded one, else the
 * same kernel release (an unknown release is taken for the running
 * kernel, as for a live capture). */
static gboolean
vdso_usable (ScorchUnwinder  *self,
             const UnwModule *m)
{
  struct utsname u;

  if (m->key.build_id_len > 0)
    return scorch_vdso_build_id_matches (m->key.build_id, m->key.build_id_len);
  if (!self->kernel_release_set || self->kernel_release == NULL)
    return TRUE;
  return uname (&u) == 0 && strcmp (u.release, self->kernel_release) == 0;
}

static void
unw_module_open (ScorchUnwinder *self,
                 UnwModule      *m)
{
  guint64 ino = 0;

  m->opened = TRUE;
  m->rows = g_ptr_array_new_with_free_func (g_free);
  if (g_str_equal (m->path, "[vdso]"))
    {
      /* The kernel's vDSO is not a file: read ours, the same image on the
       * same kernel (perf does the same). */
      if (!vdso_usable (self, m))
        return;
    }
  else if (m->path[0] != '/')
    return;

  m->module = scorch_module_cache_open (scorch_module_cache_get_default (), m->path, NULL);
  if (m->module == NULL)
    return;
  scorch_module_get_file_id (m->module, NULL, &ino);
  m->data = scorch_module_get_data (m->module, &m->size);
  if (m->size < 64 || scorch_module_get_elf_class (m->module) != ELFCLASS64 ||
      (m->key.ino != 0 && ino != 0 && ino != m->key.ino))
    goto fail;

  /* A replaced file must not be used to unwind the old one's stacks. */
  if (m->key.build_id_len > 0 && !g_str_equal (m->path, "[vdso]") &&
      !scorch_module_matches_build_id (m->module, m->key.build_id, m->key.build_id_len))
    goto fail;

  m->segments = scorch_module_get_segments (m->module, &m->n_segments);
  if (m->n_segments == 0)
    goto fail;
  m->entry = scorch_module_get_entry (m->module);

  /* libelf and libdw are not thread-safe: this unwinder's own Elf over
   * the module's bytes (no I/O). */
  m->elf = elf_memory ((char *) m->data, m->size);
  if (m->elf == NULL)
    goto fail;
  m->eh_cfi = dwarf_getcfi_elf (m->elf);
  return;

fail:
  g_clear_pointer (&m->elf, elf_end);
  g_clear_pointer (&m->module, scorch_module_unref);
  m->data = NULL;
  m->size = 0;
  m->segments = NULL;
  m->n_segments = 0;
}

/* x86_64 pages: the loader maps each segment from its offset rounded
 * down to a page */
#define PAGE_SIZE_X86_64 G_GUINT64_CONSTANT (4096)

/* The load bias from the file's lowest mapping in the process: the
 * mappings of the same file contiguously below map, down to the one of
 * its first segment. */
static gboolean
file_base_bias (ScorchUnwinder      *self,
                const UnwModule     *m,
                const ScorchMapping *map,
                guint64             *bias)
{
  const ScorchMapping *lo = map;

  for (guint i = 0; i < 64 && lo->start > 0; i++)
    {
      const ScorchMapping *prev = self->find_mapping (self->user_data, self->pid, lo->start - 1);

      if (prev == NULL || prev->end != lo->start || prev->ino != map->ino || prev->maj != map->maj ||
          prev->min != map->min || g_strcmp0 (prev->path, map->path) != 0 || prev->pgoff > lo->pgoff)
        break;
      lo = prev;
    }
  if (lo->pgoff != (m->segments[0].offset & ~(PAGE_SIZE_X86_64 - 1)))
    return FALSE;
  *bias = lo->start - (m->segments[0].vaddr & ~(PAGE_SIZE_X86_64 - 1));
  return TRUE;
}

/* Runtime address minus ELF vaddr for this mapping, or FALSE.
 *
 * The loader maps each segment from its offset rounded down to a page.
 * Without page padding between segments (lld's default) one file page
 * holds the end of a segment and the start of the next (of all of them
 * in a small binary), so the mapping's file offset does not tell its
 * segment: then the bias comes from the file's first mapping. */
static gboolean
mapping_bias (ScorchUnwinder      *self,
              const UnwModule     *m,
              const ScorchMapping *map,
              guint64             *bias)
{
  const UnwSegment *found = NULL;
  guint n_found = 0;

  for (guint i = 0; i < m->n_segments; i++)
    {
      const UnwSegment *s = &m->segments[i];

      if (map->pgoff >= (s->offset & ~(PAGE_SIZE_X86_64 - 1)) &&
          map->pgoff < s->offset + MAX (s->filesz, 1))
        {
          n_found++;
          if (found == NULL || s->offset >= found->offset)
            found = s;
        }
    }
  if (found == NULL)
    return FALSE;
  if (n_found > 1 && file_base_bias (self, m, map, bias))
    return TRUE;
  /* modulo 2^64: pgoff may be below the segment's offset */
  *bias = map->start - map->pgoff + found->offset - found->vaddr;
  return TRUE;
}

static UnwModule *
module_lookup (ScorchUnwinder      *self,
               const ScorchMapping *map)
{
  ScorchModuleKey key;
  UnwModule *m;

  scorch_module_key_init (&key, map->path, map->build_id, map->build_id_len, map->maj, map->min,
                          map->ino);
  m = g_hash_table_lookup (self->modules, &key);
  if (m == NULL)
    {
      m = g_new0 (UnwModule, 1);
      m->key = key;
      m->path = g_strdup (key.path);
      m->key.path = m->path;
      unw_module_open (self, m);
      g_hash_table_add (self->modules, m);
    }
  return m;
}

/* Where code can be in the mapping of slot (see UnwMapSlot) */
static void
slot_code_range (UnwMapSlot          *slot,
                 const ScorchMapping *map)
{
  const UnwModule *m = slot->module;
  const char *path = map->path != NULL ? map->path : "";

  slot->code_lo = slot->code_hi = 0;
  if (m->elf == NULL)
    {
      /* Not an ELF file we can read: only the kernel's named data areas
       * are known not to be code (an anonymous mapping may hold JIT code). */
      if (!g_str_has_prefix (path, "[stack") && !g_str_equal (path, "[heap]") &&
          !g_str_equal (path, "[vvar]"))
        {
          slot->code_lo = map->start;
          slot->code_hi = map->end;
        }
      return;
    }
  if (!slot->bias_ok)
    return;
  for (guint i = 0; i < m->n_segments; i++)
    {
      const UnwSegment *s = &m->segments[i];
      guint64 lo = s->vaddr + slot->bias, hi = lo + s->memsz;

      if (!(s->flags & PF_X))
        continue;
      lo = MAX (lo, map->start);
      hi = MIN (hi, map->end);
      if (lo < hi)
        {
          slot->code_lo = lo;
          slot->code_hi = hi;
          return;
        }
    }
}

/* The mapping containing addr with its module and load bias (bias_ok
 * FALSE when its ELF file cannot be used); NULL when nothing is mapped. */
static const UnwMapSlot *
map_slot (ScorchUnwinder *self,
          guint64         addr)
{
  const ScorchMapping *map;
  UnwMapSlot *slot;

  for (guint i = 0; i < RECENT_MAPS; i++)
    if (addr >= self->recent[i].start && addr < self->recent[i].end &&
        self->recent[i].slot->map == self->recent[i].map)
      return self->recent[i].slot;

  map = self->find_mapping (self->user_data, self->pid, addr);
  if (map == NULL)
    return NULL;
  slot = &self->map_cache[(GPOINTER_TO_SIZE (map) >> 4) % MAP_CACHE_SIZE];
  memmove (&self->recent[1], &self->recent[0], (RECENT_MAPS - 1) * sizeof self->recent[0]);
  self->recent[0].start = map->start;
  self->recent[0].end = map->end;
  self->recent[0].map = map;
  self->recent[0].slot = slot;
  if (slot->map != map || slot->start != map->start || slot->end != map->end ||
      slot->pgoff != map->pgoff || slot->ino != map->ino)
    {
      slot->map = map;
      slot->start = map->start;
      slot->end = map->end;
      slot->pgoff = map->pgoff;
      slot->ino = map->ino;
      slot->module = module_lookup (self, map);
      slot->bias_ok = mapping_bias (self, slot->module, map, &slot->bias);
      slot_code_range (slot, map);
    }
  return slot;
}

/* The mapping containing addr, its module and load bias; NULL when
 * nothing usable is mapped there. */
static const UnwMapSlot *
map_for_addr (ScorchUnwinder *self,
              guint64         addr)
{
  const UnwMapSlot *slot = map_slot (self, addr);

  return slot != NULL && slot->bias_ok ? slot : NULL;
}

/* Whether addr may be code: in an executable mapping of the process */
static inline gboolean
slot_is_code (const UnwMapSlot *slot,
              guint64           addr)
{
  return slot != NULL && addr >= slot->code_lo && addr < slot->code_hi;
}

const UnwMapSlot *
scorch_unwinder_map_for_addr (ScorchUnwinder *owner,
                              guint64         addr)
{
  return map_for_addr (owner, addr);
}

gboolean
scorch_unwinder_module_read (const UnwModule *m,
                             guint64          vaddr,
                             guint64         *val)
{
  for (guint i = 0; i < m->n_segments; i++)
    {
      const UnwSegment *s = &m->segments[i];

      if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz && s->filesz - (vaddr - s->vaddr) >= 8)
        {
          guint64 off = vaddr - s->vaddr + s->offset;

          if (off > m->size || m->size - off < 8)
            return FALSE;
          memcpy (val, m->data + off, 8);
          return TRUE;
        }
    }
  return FALSE;
}

/* 8 bytes of the sampled process's memory: the stack copy, else a mapped
 * file's contents. */
static gboolean
read_word (ScorchUnwinder *self,
           guint64         addr,
           guint64        *val)
{
  const UnwMapSlot *slot;

  if (addr >= self->stack_sp && addr - self->stack_sp < self->stack_len &&
      self->stack_len - (addr - self->stack_sp) >= 8)
    {
      memcpy (val, self->stack + (addr - self->stack_sp), 8);
      return TRUE;
    }
  slot = map_for_addr (self, addr);
  return slot != NULL && slot->module->data != NULL && scorch_unwinder_module_read (slot->module, addr - slot->bias, val);
}

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
module_debug_cfi (UnwModule *m)
{
  if (!m->tried_debug_frame)
    {
      m->tried_debug_frame = TRUE;
      if (m->elf != NULL)
        m->dwarf = dwarf_begin_elf (m->elf, DWARF_C_READ, NULL);
      if (m->dwarf != NULL)
        m->debug_cfi = dwarf_getcfi (m->dwarf);
    }
  return m->debug_cfi;
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

/* The decoded CFI row for module-relative pc, or NULL. */
static Row *
module_find_row (UnwModule *m,
                 guint64    pc)
{
  GPtrArray *rows = m->rows;
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
  if (m->elf == NULL)
    return NULL;

  row = row_from_cfi (m->eh_cfi, pc);
  if (row == NULL)
    row = row_from_cfi (module_debug_cfi (m), pc);
  if (row == NULL)
    return NULL;
  /* rows from one CFI do not overlap; clip in case two sources disagree */
  if (lo > 0)
    row->start = MAX (row->start, ((Row *) g_ptr_array_index (rows, lo - 1))->end);
  if (lo < rows->len)
    row->end = MIN (row->end, ((Row *) g_ptr_array_index (rows, lo))->start);
  g_ptr_array_insert (rows, lo, row);
  return row;
}

static Row *
find_row (ScorchUnwinder *self,
          UnwModule      *m,
          guint64         pc)
{
  guint64 h = (pc ^ (GPOINTER_TO_SIZE (m) >> 4) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  RowSlot *slot = &self->row_cache[(h * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> (64 - ROW_CACHE_BITS)];

  if (slot->module == m && slot->pc == pc)
    return slot->row;
  slot->module = m;
  slot->pc = pc;
  slot->row = module_find_row (m, pc);
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
eval_ops (ScorchUnwinder *self,
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
          if (!read_word (self, stack[sp - 1], &stack[sp - 1]))
            return FALSE;
          break;
        case DW_OP_deref_size:
          NEED (1);
          if (op->number == 0 || op->number > 8 || !read_word (self, stack[sp - 1], &a))
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

/* ------------------------------------------------------------------------ */
/* Stepping                                                                 */

typedef enum
{
  STEP_OK,
  STEP_END,        /* the CFI says the return address is undefined: outermost */
  STEP_ZERO,       /* a return address of 0: the end, or a wrong rule or chain */
  STEP_OUT,        /* the caller's frame is above the stack copy (too short) */
  STEP_FAIL,       /* a register or memory the rules need is not known */
} StepResult;

/* A caller's frame further than this above its callee's is not believed */
#define MAX_FRAME_SIZE (G_GUINT64_CONSTANT (16) << 20)

/* Whether a needed word at addr was above the stack copy: the copy is too
 * short, which stops the unwind but is nobody's error. */
static inline gboolean
above_copy (ScorchUnwinder *self,
            guint64         addr)
{
  return addr >= self->stack_sp + self->stack_len && addr - self->stack_sp <= MAX_FRAME_SIZE + self->stack_len;
}

/* Recovers the caller's registers from regs with the CFI row for pc. */
static StepResult
step_cfi (ScorchUnwinder *self,
          const Row      *row,
          const Regs     *regs,
          Regs           *out)
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
          if (read_word (self, cfa + loc->offset, &v))
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
              (is_value || read_word (self, v, &v)))
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

      return loc->kind == LOC_AT_CFA && above_copy (self, cfa + loc->offset) ? STEP_OUT : STEP_FAIL;
    }
  out->r[DREG_RA] = out->r[row->ra_reg];
  out->valid |= 1u << DREG_RA;
  return out->r[DREG_RA] == 0 ? STEP_ZERO : STEP_OK;
}

/* No CFI: follow the frame-pointer chain, as libunwind and perf do. */
static StepResult
step_frame_pointer (ScorchUnwinder *self,
                    const Regs     *regs,
                    Regs           *out)
{
  guint64 rbp, prev_rbp, ra;

  if (!reg_value (regs, DREG_RBP, &rbp) || rbp == 0)
    return STEP_FAIL;
  if (!(regs->valid & (1u << DREG_RSP)) || rbp < regs->r[DREG_RSP] || rbp > G_MAXUINT64 - 16)
    return STEP_FAIL;
  if (!read_word (self, rbp, &prev_rbp) || !read_word (self, rbp + 8, &ra))
    return above_copy (self, rbp + 8) ? STEP_OUT : STEP_FAIL;
  *out = *regs;
  out->r[DREG_RBP] = prev_rbp;
  out->r[DREG_RSP] = rbp + 16;
  out->r[DREG_RA] = ra;
  out->valid |= (1u << DREG_RBP) | (1u << DREG_RSP) | (1u << DREG_RA);
  return ra == 0 ? STEP_ZERO : STEP_OK;
}

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

  elf_version (EV_CURRENT);

  self = g_new0 (ScorchUnwinder, 1);
  self->find_mapping = find_mapping;
  self->user_data = user_data;
  self->modules = g_hash_table_new_full (scorch_module_key_hash, scorch_module_key_equal, unw_module_free, NULL);
  self->row_cache = g_new0 (RowSlot, 1u << ROW_CACHE_BITS);
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
  g_free (self->row_cache);
  g_hash_table_destroy (self->modules);
  g_free (self->kernel_release);
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
  self->kernel_release_set = TRUE;
  g_free (self->kernel_release);
  self->kernel_release = g_strdup (osrelease);
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
    self->libunwind = scorch_libunwind_new (self);
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
      const UnwMapSlot *slot = st->have_slot ? st->slot : map_slot (self, lookup);
      const UnwMapSlot *next_slot;
      const Row *row = NULL;
      gboolean entry = FALSE, signal;
      guint64 next_lookup;
      StepResult res;

      st->have_slot = FALSE;
      if (slot != NULL && slot->bias_ok && slot->module->elf != NULL)
        {
          row = find_row (self, slot->module, lookup - slot->bias);
          if (row == NULL)
            {
              entry = is_entry_code (slot->module, lookup - slot->bias);
              if (!entry && !allow_fp)
                return TRUE;
            }
        }
      self->unsupported = FALSE;
      if (row != NULL)
        res = step_cfi (self, row, &st->regs, &next);
      else
        res = step_frame_pointer (self, &st->regs, &next);

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
      next_slot = map_slot (self, next_lookup);
      if (!slot_is_code (next_slot, next_lookup))
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
    if (!slot_is_code (map_slot (self, ips[i]), ips[i]))
      {
        *truncated = TRUE;
        return i;
      }
  return n;
}

guint
scorch_unwinder_unwind (ScorchUnwinder *self,
                        gint32          pid,
                        guint64         regs_mask,
                        const guint64  *regs_in,
                        guint           n_regs,
                        const guint8   *stack,
                        gsize           stack_len,
                        guint64         stack_sp,
                        guint64        *ips,
                        guint           max_ips,
                        gboolean       *truncated)
{
  guint64 pregs[N_PREGS] = { 0 };
  guint32 pvalid = 0;
  CfiState st;
  guint n = 0;
  guint idx = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (truncated != NULL, 0);

  *truncated = TRUE;
  if (max_ips == 0 || regs_in == NULL)
    return 0;

  for (guint bit = 0; bit < 64 && idx < n_regs; bit++)
    {
      if (!(regs_mask & (G_GUINT64_CONSTANT (1) << bit)))
        continue;
      if (bit < N_PREGS)
        {
          pregs[bit] = regs_in[idx];
          pvalid |= 1u << bit;
        }
      idx++;
    }
  if (!(pvalid & (1u << PREG_IP)))
    return 0;

  ips[n++] = pregs[PREG_IP];
  /* Without SP (and a stack) only the leaf is known. */
  if (!(pvalid & (1u << PREG_SP)) || stack == NULL || stack_len == 0 || max_ips == 1)
    return n;
  self->n_samples++;

  self->pid = pid;
  self->stack = stack;
  self->stack_len = stack_len;
  self->stack_sp = stack_sp != 0 ? stack_sp : pregs[PREG_SP];
  memset (self->recent, 0, sizeof self->recent);

  if (self->engine == SCORCH_UNWIND_ENGINE_LIBUNWIND)
    {
      self->n_libunwind++;
      n = scorch_libunwind_unwind (get_libunwind (self), pid, pregs, pvalid, stack, stack_len,
                                   self->stack_sp, ips, max_ips, truncated);
      goto out;
    }

  st.regs.valid = 0;
  for (guint r = 0; r < N_DREGS; r++)
    if (pvalid & (1u << dwarf_to_perf[r]))
      {
        st.regs.r[r] = pregs[dwarf_to_perf[r]];
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
      lu_n = scorch_libunwind_unwind (get_libunwind (self), pid, pregs, pvalid, stack, stack_len,
                                      self->stack_sp, self->lu_ips, max_ips, &lu_truncated);
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
  self->stack = NULL;
  self->stack_len = 0;
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
scorch_unwinder_repair_leaf (ScorchUnwinder   *self,
                             gint32            pid,
                             guint64           ip,
                             guint64           sp,
                             guint64           bp,
                             const guint8     *stack,
                             gsize             stack_len,
                             guint64          *callers,
                             guint             max_callers,
                             ScorchLeafRepair *result)
{
  Regs regs = { { 0 }, 0 };
  guint n = 0;
  ScorchLeafRepair res = SCORCH_LEAF_REPAIR_CUT;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (result != NULL, 0);

  self->pid = pid;
  self->stack = stack;
  self->stack_len = stack != NULL ? stack_len : 0;
  self->stack_sp = sp;
  memset (self->recent, 0, sizeof self->recent);

  regs.r[DREG_RA] = ip;
  regs.r[DREG_RSP] = sp;
  regs.r[DREG_RBP] = bp;
  regs.valid = (1u << DREG_RA) | (1u << DREG_RSP) | (1u << DREG_RBP);

  for (guint depth = 0; depth <= MAX_FRAMELESS; depth++)
    {
      /* callers point after their call: look up the call itself */
      guint64 pc = regs.r[DREG_RA];
      guint64 lookup = depth == 0 ? pc : pc - 1;
      const UnwMapSlot *slot = map_slot (self, lookup);
      const Row *row = NULL;
      const Loc *bp_loc;
      Regs next;
      StepResult step;

      if (slot != NULL && slot->bias_ok && slot->module->elf != NULL)
        row = find_row (self, slot->module, lookup - slot->bias);
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

      self->unsupported = FALSE;
      step = step_cfi (self, row, &regs, &next);
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
               above_copy (self, next.r[DREG_RSP] + bp_loc->offset))
        {
          res = SCORCH_LEAF_REPAIR_SHORT;
          break;
        }

      /* the caller's frame is above the callee's, and it returns into code */
      if (next.r[DREG_RSP] <= regs.r[DREG_RSP] || next.r[DREG_RSP] - regs.r[DREG_RSP] > MAX_FRAME_SIZE ||
          !slot_is_code (map_slot (self, next.r[DREG_RA] - 1), next.r[DREG_RA] - 1))
        {
          res = SCORCH_LEAF_REPAIR_CUT;
          break;
        }

      callers[n++] = next.r[DREG_RA];
      regs = next;
    }

  self->stack = NULL;
  self->stack_len = 0;
  *result = res;
  return n;
}

void
scorch_unwinder_invalidate (ScorchUnwinder *self,
                            gint32          pid)
{
  g_return_if_fail (self != NULL);
  /* Modules and their rows are keyed by file, not by process: only the
   * mapping cache refers to the process's (now stale) maps. */
  memset (self->map_cache, 0, sizeof self->map_cache);
  if (self->libunwind != NULL)
    scorch_libunwind_invalidate (self->libunwind, pid);
}

void
scorch_unwinder_forget (ScorchUnwinder *self,
                        gint32          pid)
{
  g_return_if_fail (self != NULL);
  memset (self->map_cache, 0, sizeof self->map_cache);
  if (self->libunwind != NULL)
    scorch_libunwind_forget (self->libunwind, pid);
}
