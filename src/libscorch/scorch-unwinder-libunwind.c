/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libunwind remote engine of the unwinder: libunwind steps over the
 * sampled registers and stack copy, reading each module's .eh_frame_hdr
 * search table and FDEs from the file the unwinder mapped once (shared with
 * the cached-CFI stepper), one address space per process with libunwind's
 * global cache.
 *
 * libunwind 1.6.2 does not export its remote .debug_frame lookup
 * (dwarf_find_debug_frame), so this engine unwinds code whose CFI is only
 * in .debug_frame by libunwind's frame-pointer heuristic; the cached-CFI
 * stepper reads .debug_frame itself (through libdw). */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <string.h>

#include <libunwind.h>

#include "scorch-unwinder-libunwind.h"

/* Not in the public headers (perf declares it the same way). */
extern int UNW_OBJ (dwarf_search_unwind_table) (unw_addr_space_t  as,
                                                unw_word_t        ip,
                                                unw_dyn_info_t   *di,
                                                unw_proc_info_t  *pi,
                                                int               need_unwind_info,
                                                void             *arg);

/* libunwind's x86_64 numbering (DWARF order) -> perf's; -1: none */
static const gint8 unw_to_perf[] = {
  [UNW_X86_64_RAX] = PREG_AX,
  [UNW_X86_64_RDX] = PREG_DX,
  [UNW_X86_64_RCX] = PREG_CX,
  [UNW_X86_64_RBX] = PREG_BX,
  [UNW_X86_64_RSI] = PREG_SI,
  [UNW_X86_64_RDI] = PREG_DI,
  [UNW_X86_64_RBP] = PREG_BP,
  [UNW_X86_64_RSP] = PREG_SP,
  [UNW_X86_64_R8] = PREG_R8,
  [UNW_X86_64_R9] = PREG_R9,
  [UNW_X86_64_R10] = PREG_R10,
  [UNW_X86_64_R11] = PREG_R11,
  [UNW_X86_64_R12] = PREG_R12,
  [UNW_X86_64_R13] = PREG_R13,
  [UNW_X86_64_R14] = PREG_R14,
  [UNW_X86_64_R15] = PREG_R15,
  [UNW_X86_64_RIP] = PREG_IP,
};

typedef struct
{
  gint32           pid;
  unw_addr_space_t as;
} Proc;

struct _ScorchLibunwind
{
  ScorchUnwindMaps *owner;
  unw_accessors_t  accessors;
  GHashTable      *procs;       /* pid -> Proc* */

  /* the sample being unwound */
  guint64          regs[N_PREGS];
  guint32          regs_valid;
  const UnwModule *cur_module;  /* module of the last find_proc_info */
  guint64          cur_bias;
  gboolean         last_lookup_failed;
};

static void
proc_free (gpointer p)
{
  Proc *proc = p;

  unw_destroy_addr_space (proc->as);
  g_free (proc);
}

/* ------------------------------------------------------------------------ */
/* libunwind accessors                                                      */

static int
find_proc_info (unw_addr_space_t  as,
                unw_word_t        ip,
                unw_proc_info_t  *pi,
                int               need_unwind_info,
                void             *arg)
{
  ScorchLibunwind *self = arg;
  const UnwMapSlot *slot;
  unw_dyn_info_t di;
  int ret;

  self->last_lookup_failed = TRUE;
  slot = scorch_unwind_maps_for_addr (self->owner, ip);
  /* the module's .eh_frame_hdr, found once for every unwinder */
  if (slot == NULL || slot->module->cfi == NULL || !slot->module->cfi->eh_hdr_ok)
    return -UNW_ENOINFO;

  self->cur_module = slot->module;
  self->cur_bias = slot->bias;

  memset (&di, 0, sizeof di);
  di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
  di.start_ip = slot->module->cfi->lo_vaddr + slot->bias;
  di.end_ip = slot->module->cfi->hi_vaddr + slot->bias;
  di.u.rti.name_ptr = 0;
  di.u.rti.segbase = slot->module->cfi->hdr_vaddr + slot->bias;
  di.u.rti.table_data = slot->module->cfi->table_vaddr + slot->bias;
  di.u.rti.table_len = slot->module->cfi->fde_count * 8 / sizeof (unw_word_t);

  ret = UNW_OBJ (dwarf_search_unwind_table) (as, ip, &di, pi, need_unwind_info, arg);
  if (ret >= 0)
    self->last_lookup_failed = FALSE;
  return ret;
}

static void
put_unwind_info (unw_addr_space_t  as,
                 unw_proc_info_t  *pi,
                 void             *arg)
{
}

static int
get_dyn_info_list_addr (unw_addr_space_t  as,
                        unw_word_t       *dil_addr,
                        void             *arg)
{
  return -UNW_ENOINFO;
}

static int
access_mem (unw_addr_space_t  as,
            unw_word_t        addr,
            unw_word_t       *valp,
            int               write,
            void             *arg)
{
  ScorchLibunwind *self = arg;
  guint64 v;

  if (write)
    return -UNW_EINVAL;

  /* The sampled stack copy (the maps hold the sample being unwound) */
  if (scorch_unwind_maps_read_stack (self->owner, addr, &v))
    {
      *valp = v;
      return 0;
    }

  /* The module whose unwind tables are being read: its .eh_frame_hdr and
   * .eh_frame may lie in a segment that was not recorded as a mapping
   * (perf records only executable mappings without mmap_data). */
  if (self->cur_module != NULL && addr >= self->cur_module->cfi->lo_vaddr + self->cur_bias &&
      addr < self->cur_module->cfi->hi_vaddr + self->cur_bias &&
      scorch_unwind_maps_module_read (self->cur_module, addr - self->cur_bias, &v))
    {
      *valp = v;
      return 0;
    }

  /* Else as every other read of the process's memory
   * (scorch_unwind_maps_read_word): the file mapped there. */
  if (!scorch_unwind_maps_read_mapped (self->owner, addr, &v))
    return -UNW_EINVAL;
  *valp = v;
  return 0;
}

static int
access_reg (unw_addr_space_t  as,
            unw_regnum_t      regnum,
            unw_word_t       *valp,
            int               write,
            void             *arg)
{
  ScorchLibunwind *self = arg;
  int preg;

  if (write || regnum < 0 || (gsize) regnum >= G_N_ELEMENTS (unw_to_perf))
    return -UNW_EBADREG;
  preg = unw_to_perf[regnum];
  if (preg == 0 && regnum != UNW_X86_64_RAX)
    return -UNW_EBADREG;
  if (!(self->regs_valid & (1u << preg)))
    return -UNW_EBADREG;
  *valp = self->regs[preg];
  return 0;
}

static int
access_fpreg (unw_addr_space_t  as,
              unw_regnum_t      regnum,
              unw_fpreg_t      *val,
              int               write,
              void             *arg)
{
  return -UNW_EINVAL;
}

static int
resume (unw_addr_space_t  as,
        unw_cursor_t     *cu,
        void             *arg)
{
  return -UNW_EINVAL;
}

static int
get_proc_name (unw_addr_space_t  as,
               unw_word_t        addr,
               char             *bufp,
               size_t            buf_len,
               unw_word_t       *offp,
               void             *arg)
{
  return -UNW_EINVAL;
}

/* ------------------------------------------------------------------------ */

ScorchLibunwind *
scorch_libunwind_new (ScorchUnwindMaps *owner)
{
  ScorchLibunwind *self = g_new0 (ScorchLibunwind, 1);

  self->owner = owner;
  self->accessors.find_proc_info = find_proc_info;
  self->accessors.put_unwind_info = put_unwind_info;
  self->accessors.get_dyn_info_list_addr = get_dyn_info_list_addr;
  self->accessors.access_mem = access_mem;
  self->accessors.access_reg = access_reg;
  self->accessors.access_fpreg = access_fpreg;
  self->accessors.resume = resume;
  self->accessors.get_proc_name = get_proc_name;
  self->procs = g_hash_table_new_full (NULL, NULL, NULL, proc_free);
  return self;
}

void
scorch_libunwind_free (ScorchLibunwind *self)
{
  if (self == NULL)
    return;
  g_hash_table_destroy (self->procs);
  g_free (self);
}

static Proc *
proc_get (ScorchLibunwind *self,
          gint32           pid)
{
  Proc *proc = g_hash_table_lookup (self->procs, GINT_TO_POINTER (pid));

  if (proc == NULL)
    {
      unw_addr_space_t as = unw_create_addr_space (&self->accessors, 0);

      if (as == NULL)
        return NULL;
      /* Debian's 1.6.2 maps UNW_CACHE_PER_THREAD to the global cache
       * anyway; UNW_CACHE_NONE re-parses every FDE on every step. */
      unw_set_caching_policy (as, UNW_CACHE_GLOBAL);
      proc = g_new0 (Proc, 1);
      proc->pid = pid;
      proc->as = as;
      g_hash_table_insert (self->procs, GINT_TO_POINTER (pid), proc);
    }
  return proc;
}

guint
scorch_libunwind_unwind (ScorchLibunwind *self,
                         gint32           pid,
                         const guint64   *pregs,
                         guint32          pvalid,
                         guint64         *ips,
                         guint            max_ips,
                         gboolean        *truncated)
{
  unw_cursor_t cursor;
  Proc *proc;
  guint n = 0;
  gboolean prev_signal;
  int ret;

  *truncated = TRUE;
  if (max_ips == 0 || !(pvalid & (1u << PREG_IP)))
    return 0;

  ips[n++] = pregs[PREG_IP];
  /* Without SP (and a stack) only the leaf is known. */
  if (!(pvalid & (1u << PREG_SP)) || self->owner->stack == NULL || self->owner->stack_len == 0 ||
      max_ips == 1)
    return n;

  proc = proc_get (self, pid);
  if (proc == NULL)
    return n;

  memcpy (self->regs, pregs, sizeof self->regs);
  self->regs_valid = pvalid;
  self->cur_module = NULL;
  self->last_lookup_failed = FALSE;

  if (unw_init_remote (&cursor, proc->as, self) < 0)
    goto done;

  for (;;)
    {
      unw_word_t ip = 0;

      ret = unw_step (&cursor);
      if (ret == 0)
        {
          /* The outermost frame, unless CFI was missing for the last ip
           * and libunwind gave up. */
          *truncated = self->last_lookup_failed;
          break;
        }
      if (ret < 0)
        break;
      if (unw_get_reg (&cursor, UNW_REG_IP, &ip) < 0)
        break;
      if (ip == 0)
        {
          *truncated = FALSE;
          break;
        }
      /* libunwind tells whether a frame is a signal trampoline only once
       * it has fetched that frame's FDE, i.e. during the step out of it:
       * asked now, it answers for the frame just left. */
      prev_signal = unw_is_signal_frame (&cursor) > 0;
      /* Callers point after the call: report the call itself, except for a
       * frame interrupted by a signal. */
      ips[n++] = prev_signal ? ip : ip - 1;
      if (n >= max_ips)
        break; /* truncated stays TRUE */
    }

done:
  self->cur_module = NULL;
  return n;
}

void
scorch_libunwind_invalidate (ScorchLibunwind *self,
                             gint32           pid)
{
  Proc *proc = g_hash_table_lookup (self->procs, GINT_TO_POINTER (pid));

  if (proc != NULL)
    unw_flush_cache (proc->as, 0, 0);
}

void
scorch_libunwind_forget (ScorchLibunwind *self,
                         gint32           pid)
{
  g_hash_table_remove (self->procs, GINT_TO_POINTER (pid));
}
