/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>
#include <libunwind.h>

#include "scorch-unwinder.h"

/* Not in the public headers (perf declares it the same way). */
extern int UNW_OBJ (dwarf_search_unwind_table) (unw_addr_space_t  as,
                                                unw_word_t        ip,
                                                unw_dyn_info_t   *di,
                                                unw_proc_info_t  *pi,
                                                int               need_unwind_info,
                                                void             *arg);

/* x86_64 perf register numbers (asm/perf_regs.h) */
enum
{
  PREG_AX = 0, PREG_BX, PREG_CX, PREG_DX, PREG_SI, PREG_DI, PREG_BP, PREG_SP,
  PREG_IP, PREG_FLAGS, PREG_CS, PREG_SS, PREG_DS, PREG_ES, PREG_FS, PREG_GS,
  PREG_R8, PREG_R9, PREG_R10, PREG_R11, PREG_R12, PREG_R13, PREG_R14, PREG_R15,
  N_PREGS
};

/* libunwind's x86_64 numbering (DWARF order) -> perf's */
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

typedef struct
{
  guint64 offset;
  guint64 filesz;
  guint64 vaddr;
  guint64 memsz;
} Segment;

typedef struct
{
  /* key */
  guint8       build_id[64];
  guint        build_id_len;
  guint32      maj, min;
  guint64      ino;
  char        *path;

  gboolean     opened;
  gboolean     usable;       /* has an eh_frame_hdr binary-search table */
  const guint8 *data;        /* the file, mapped read-only */
  gsize        size;
  Segment     *segments;
  guint        n_segments;
  guint64      lo_vaddr, hi_vaddr;
  guint64      hdr_vaddr;    /* .eh_frame_hdr */
  guint64      table_vaddr;  /* its search table */
  guint64      fde_count;
} UnwModule;

typedef struct
{
  gint32           pid;
  unw_addr_space_t as;
} Proc;

struct _ScorchUnwinder
{
  ScorchFindMappingFunc find_mapping;
  gpointer              user_data;
  unw_accessors_t       accessors;
  GHashTable           *modules;    /* UnwModule* set */
  GHashTable           *procs;      /* pid -> Proc* */

  /* one-entry cache mapping -> module */
  const ScorchMapping  *last_map;
  guint64               last_map_start;
  UnwModule            *last_module;

  /* the sample being unwound */
  gint32                pid;
  guint64               regs[N_PREGS];
  guint32               regs_valid;
  const guint8         *stack;
  gsize                 stack_len;
  guint64               stack_sp;
  UnwModule            *cur_module;    /* module of the last find_proc_info */
  guint64               cur_bias;
  gboolean              last_lookup_failed;
};

/* ------------------------------------------------------------------------ */

static guint
unw_module_hash (gconstpointer p)
{
  const UnwModule *m = p;
  guint h = 5381;

  if (m->build_id_len > 0)
    {
      for (guint i = 0; i < m->build_id_len; i++)
        h = h * 33 + m->build_id[i];
      return h;
    }
  h ^= g_str_hash (m->path);
  h = h * 31 + m->maj;
  h = h * 31 + m->min;
  return h * 31 + (guint) (m->ino ^ (m->ino >> 32));
}

static gboolean
unw_module_equal (gconstpointer a,
                  gconstpointer b)
{
  const UnwModule *x = a, *y = b;

  if (x->build_id_len != y->build_id_len)
    return FALSE;
  if (x->build_id_len > 0)
    return memcmp (x->build_id, y->build_id, x->build_id_len) == 0;
  return x->maj == y->maj && x->min == y->min && x->ino == y->ino && strcmp (x->path, y->path) == 0;
}

static void
unw_module_free (gpointer p)
{
  UnwModule *m = p;

  if (m->data != NULL)
    munmap ((void *) m->data, m->size);
  g_free (m->segments);
  g_free (m->path);
  g_free (m);
}

static void
proc_free (gpointer p)
{
  Proc *proc = p;

  unw_destroy_addr_space (proc->as);
  g_free (proc);
}

/* Reads an encoded eh_frame_hdr value at data[*pos]; pcrel/datarel
 * applied against the runtime-independent vaddrs given. */
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

static void
unw_module_open (UnwModule *m)
{
  struct stat st;
  Elf *elf = NULL;
  gsize n_phdrs = 0;
  GElf_Phdr eh = { 0 };
  gboolean have_eh = FALSE;
  void *base;
  int fd;

  m->opened = TRUE;
  if (m->path[0] != '/')
    return;

  fd = open (m->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size < 64 ||
      (m->ino != 0 && (guint64) st.st_ino != m->ino))
    {
      close (fd);
      return;
    }
  base = mmap (NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (base == MAP_FAILED)
    return;
  m->data = base;
  m->size = st.st_size;

  elf = elf_memory ((char *) m->data, m->size);
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF || gelf_getclass (elf) != ELFCLASS64)
    goto out;

  if (m->build_id_len > 0)
    {
      /* A replaced file must not be used to unwind the old one's stacks. */
      gsize n_ph = 0;
      gboolean matched = FALSE;

      if (elf_getphdrnum (elf, &n_ph) == 0)
        for (gsize i = 0; i < n_ph && !matched; i++)
          {
            GElf_Phdr ph;
            gsize pos;

            if (gelf_getphdr (elf, (int) i, &ph) == NULL || ph.p_type != PT_NOTE)
              continue;
            if (ph.p_offset > m->size || m->size - ph.p_offset < ph.p_filesz)
              continue;
            pos = 0;
            while (pos + 12 <= ph.p_filesz)
              {
                guint32 namesz, descsz, type;
                const guint8 *n = m->data + ph.p_offset + pos;
                gsize adv;

                memcpy (&namesz, n, 4);
                memcpy (&descsz, n + 4, 4);
                memcpy (&type, n + 8, 4);
                adv = 12 + ((namesz + 3ul) & ~3ul) + ((descsz + 3ul) & ~3ul);
                if (adv > ph.p_filesz - pos)
                  break;
                if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp (n + 12, "GNU", 4) == 0 &&
                    descsz <= m->build_id_len &&
                    memcmp (n + 16, m->build_id, descsz) == 0)
                  matched = TRUE;
                pos += adv;
              }
          }
      if (!matched)
        goto out;
    }

  if (elf_getphdrnum (elf, &n_phdrs) != 0 || n_phdrs > 4096)
    goto out;
  m->segments = g_new0 (Segment, n_phdrs);
  m->lo_vaddr = G_MAXUINT64;
  for (gsize i = 0; i < n_phdrs; i++)
    {
      GElf_Phdr ph;

      if (gelf_getphdr (elf, (int) i, &ph) == NULL)
        continue;
      if (ph.p_type == PT_GNU_EH_FRAME)
        {
          eh = ph;
          have_eh = TRUE;
        }
      if (ph.p_type != PT_LOAD)
        continue;
      m->segments[m->n_segments++] = (Segment) { ph.p_offset, ph.p_filesz, ph.p_vaddr, ph.p_memsz };
      m->lo_vaddr = MIN (m->lo_vaddr, ph.p_vaddr);
      m->hi_vaddr = MAX (m->hi_vaddr, ph.p_vaddr + ph.p_memsz);
    }

  if (have_eh && eh.p_offset < m->size && m->size - eh.p_offset >= 4)
    {
      const guint8 *h = m->data + eh.p_offset;
      gsize len = MIN (eh.p_filesz, m->size - eh.p_offset);
      gsize pos = 4;
      guint64 eh_frame_ptr, fde_count;

      if (h[0] == 1 && h[3] == (DW_EH_PE_datarel | DW_EH_PE_sdata4) &&
          read_encoded (h, len, &pos, h[1], eh.p_vaddr + pos, eh.p_vaddr, &eh_frame_ptr) &&
          h[2] != DW_EH_PE_omit &&
          read_encoded (h, len, &pos, h[2], eh.p_vaddr + pos, eh.p_vaddr, &fde_count) &&
          fde_count > 0 && fde_count <= (len - pos) / 8)
        {
          m->hdr_vaddr = eh.p_vaddr;
          m->table_vaddr = eh.p_vaddr + pos;
          m->fde_count = fde_count;
          m->usable = m->n_segments > 0;
        }
    }

out:
  if (elf != NULL)
    elf_end (elf);
}

static UnwModule *
module_for_mapping (ScorchUnwinder      *self,
                    const ScorchMapping *map)
{
  UnwModule key = { 0 };
  UnwModule *m;

  if (map == self->last_map && map->start == self->last_map_start && self->last_module != NULL &&
      map->ino == self->last_module->ino)
    return self->last_module;

  if (map->build_id != NULL && map->build_id_len > 0 && map->build_id_len <= sizeof key.build_id)
    {
      memcpy (key.build_id, map->build_id, map->build_id_len);
      key.build_id_len = map->build_id_len;
    }
  key.maj = map->maj;
  key.min = map->min;
  key.ino = map->ino;
  key.path = (char *) (map->path != NULL ? map->path : "");

  m = g_hash_table_lookup (self->modules, &key);
  if (m == NULL)
    {
      m = g_new0 (UnwModule, 1);
      *m = key;
      m->path = g_strdup (key.path);
      unw_module_open (m);
      g_hash_table_add (self->modules, m);
    }
  self->last_map = map;
  self->last_map_start = map->start;
  self->last_module = m;
  return m;
}

/* Runtime address minus ELF vaddr for this mapping, or FALSE. */
static gboolean
mapping_bias (const UnwModule     *m,
              const ScorchMapping *map,
              guint64             *bias)
{
  for (guint i = 0; i < m->n_segments; i++)
    {
      const Segment *s = &m->segments[i];

      if (map->pgoff >= s->offset && map->pgoff < s->offset + MAX (s->filesz, 1))
        {
          *bias = map->start - (map->pgoff - s->offset + s->vaddr);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
module_read (const UnwModule *m,
             guint64          vaddr,
             unw_word_t      *val)
{
  for (guint i = 0; i < m->n_segments; i++)
    {
      const Segment *s = &m->segments[i];

      if (vaddr >= s->vaddr && vaddr - s->vaddr + 8 <= s->filesz)
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

/* ------------------------------------------------------------------------ */
/* libunwind accessors                                                      */

static int
find_proc_info (unw_addr_space_t  as,
                unw_word_t        ip,
                unw_proc_info_t  *pi,
                int               need_unwind_info,
                void             *arg)
{
  ScorchUnwinder *self = arg;
  const ScorchMapping *map;
  UnwModule *m;
  unw_dyn_info_t di;
  guint64 bias;
  int ret;

  self->last_lookup_failed = TRUE;
  map = self->find_mapping (self->user_data, self->pid, ip);
  if (map == NULL)
    return -UNW_ENOINFO;
  m = module_for_mapping (self, map);
  if (!m->usable || !mapping_bias (m, map, &bias))
    return -UNW_ENOINFO;

  self->cur_module = m;
  self->cur_bias = bias;

  memset (&di, 0, sizeof di);
  di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
  di.start_ip = m->lo_vaddr + bias;
  di.end_ip = m->hi_vaddr + bias;
  di.u.rti.name_ptr = 0;
  di.u.rti.segbase = m->hdr_vaddr + bias;
  di.u.rti.table_data = m->table_vaddr + bias;
  di.u.rti.table_len = m->fde_count * 8 / sizeof (unw_word_t);

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
  ScorchUnwinder *self = arg;
  const ScorchMapping *map;
  UnwModule *m;
  guint64 bias;

  if (write)
    return -UNW_EINVAL;

  /* The sampled stack copy */
  if (addr >= self->stack_sp && addr - self->stack_sp + 8 <= self->stack_len)
    {
      memcpy (valp, self->stack + (addr - self->stack_sp), 8);
      return 0;
    }

  /* The module whose unwind tables are being read: its eh_frame_hdr and
   * eh_frame may lie in a segment that was not recorded as a mapping
   * (perf records only executable mappings without mmap_data). */
  if (self->cur_module != NULL && addr >= self->cur_module->lo_vaddr + self->cur_bias &&
      addr < self->cur_module->hi_vaddr + self->cur_bias &&
      module_read (self->cur_module, addr - self->cur_bias, valp))
    return 0;

  map = self->find_mapping (self->user_data, self->pid, addr);
  if (map == NULL)
    return -UNW_EINVAL;
  m = module_for_mapping (self, map);
  if (m->data == NULL || !mapping_bias (m, map, &bias) || !module_read (m, addr - bias, valp))
    return -UNW_EINVAL;
  return 0;
}

static int
access_reg (unw_addr_space_t  as,
            unw_regnum_t      regnum,
            unw_word_t       *valp,
            int               write,
            void             *arg)
{
  ScorchUnwinder *self = arg;
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
  self->accessors.find_proc_info = find_proc_info;
  self->accessors.put_unwind_info = put_unwind_info;
  self->accessors.get_dyn_info_list_addr = get_dyn_info_list_addr;
  self->accessors.access_mem = access_mem;
  self->accessors.access_reg = access_reg;
  self->accessors.access_fpreg = access_fpreg;
  self->accessors.resume = resume;
  self->accessors.get_proc_name = get_proc_name;
  self->modules = g_hash_table_new_full (unw_module_hash, unw_module_equal, unw_module_free, NULL);
  self->procs = g_hash_table_new_full (NULL, NULL, NULL, proc_free);
  return self;
}

void
scorch_unwinder_free (ScorchUnwinder *self)
{
  if (self == NULL)
    return;
  g_hash_table_destroy (self->procs);
  g_hash_table_destroy (self->modules);
  g_free (self);
}

static Proc *
proc_get (ScorchUnwinder *self,
          gint32          pid)
{
  Proc *proc = g_hash_table_lookup (self->procs, GINT_TO_POINTER (pid));

  if (proc == NULL)
    {
      unw_addr_space_t as = unw_create_addr_space (&self->accessors, 0);

      if (as == NULL)
        return NULL;
      unw_set_caching_policy (as, UNW_CACHE_GLOBAL);
      proc = g_new0 (Proc, 1);
      proc->pid = pid;
      proc->as = as;
      g_hash_table_insert (self->procs, GINT_TO_POINTER (pid), proc);
    }
  return proc;
}

guint
scorch_unwinder_unwind (ScorchUnwinder *self,
                        gint32          pid,
                        guint64         regs_mask,
                        const guint64  *regs,
                        guint           n_regs,
                        const guint8   *stack,
                        gsize           stack_len,
                        guint64         stack_sp,
                        guint64        *ips,
                        guint           max_ips,
                        gboolean       *truncated)
{
  unw_cursor_t cursor;
  Proc *proc;
  guint n = 0;
  guint idx = 0;
  gboolean prev_signal = FALSE;
  int ret;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (truncated != NULL, 0);

  *truncated = TRUE;
  if (max_ips == 0 || regs == NULL)
    return 0;

  self->regs_valid = 0;
  for (guint bit = 0; bit < 64 && idx < n_regs; bit++)
    {
      if (!(regs_mask & (G_GUINT64_CONSTANT (1) << bit)))
        continue;
      if (bit < N_PREGS)
        {
          self->regs[bit] = regs[idx];
          self->regs_valid |= 1u << bit;
        }
      idx++;
    }
  if (!(self->regs_valid & (1u << PREG_IP)))
    return 0;

  /* Without SP (and a stack) only the leaf is known. */
  if (!(self->regs_valid & (1u << PREG_SP)) || stack == NULL || stack_len == 0)
    {
      ips[0] = self->regs[PREG_IP];
      return 1;
    }

  proc = proc_get (self, pid);
  if (proc == NULL)
    {
      ips[0] = self->regs[PREG_IP];
      return 1;
    }

  self->pid = pid;
  self->stack = stack;
  self->stack_len = stack_len;
  self->stack_sp = stack_sp != 0 ? stack_sp : self->regs[PREG_SP];
  self->cur_module = NULL;
  self->last_lookup_failed = FALSE;

  if (unw_init_remote (&cursor, proc->as, self) < 0)
    {
      ips[0] = self->regs[PREG_IP];
      n = 1;
      goto done;
    }

  for (;;)
    {
      unw_word_t ip = 0;

      if (unw_get_reg (&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
        {
          *truncated = n == 0;
          break;
        }
      /* Callers point after the call; back up into it, except for the
       * leaf and for a frame interrupted by a signal. */
      if (n > 0 && !prev_signal)
        ip--;
      ips[n++] = ip;
      if (n >= max_ips)
        break; /* truncated stays TRUE */
      prev_signal = unw_is_signal_frame (&cursor) > 0;
      ret = unw_step (&cursor);
      if (ret == 0)
        {
          /* The outermost frame, unless CFI was missing for the last ip and
           * libunwind gave up. */
          *truncated = self->last_lookup_failed;
          break;
        }
      if (ret < 0)
        break;
    }

done:
  self->stack = NULL;
  self->stack_len = 0;
  self->cur_module = NULL;
  return n;
}

void
scorch_unwinder_invalidate (ScorchUnwinder *self,
                            gint32          pid)
{
  Proc *proc;

  g_return_if_fail (self != NULL);
  self->last_map = NULL;
  self->last_module = NULL;
  proc = g_hash_table_lookup (self->procs, GINT_TO_POINTER (pid));
  if (proc != NULL)
    unw_flush_cache (proc->as, 0, 0);
}

void
scorch_unwinder_forget (ScorchUnwinder *self,
                        gint32          pid)
{
  g_return_if_fail (self != NULL);
  self->last_map = NULL;
  self->last_module = NULL;
  g_hash_table_remove (self->procs, GINT_TO_POINTER (pid));
}
