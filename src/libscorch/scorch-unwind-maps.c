/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <string.h>
#include <sys/utsname.h>

#include "scorch-debug-files.h"
#include "scorch-host-path.h"
#include "scorch-unwind-maps.h"
#include "scorch-vdso.h"

static void
unw_module_free (gpointer p)
{
  UnwModule *m = p;

  if (m->cfi != NULL)
    scorch_cfi_table_release (m->module);
  g_clear_pointer (&m->module, scorch_module_unref);
  g_free (m->path);
  g_free (m);
}

/* Whether the running vDSO is the one mapped as [vdso] module m in the
 * capture: the same build id when the capture recorded one, else the
 * same kernel release (an unknown release is taken for the running
 * kernel, as for a live capture). */
static gboolean
vdso_usable (ScorchUnwindMaps *self,
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
unw_module_open (ScorchUnwindMaps *self,
                 UnwModule      *m)
{
  guint64 ino = 0;

  m->opened = TRUE;
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

  /* Gone from its path or replaced there: the copy with the recorded
   * build id elsewhere (the host's under /run/host in a Flatpak, perf's
   * build-id caches and archives, debug dirs' .build-id links,
   * debuginfod), as the symbolizer finds it. */
  if (m->key.build_id_len > 0 && !g_str_equal (m->path, "[vdso]") &&
      (m->module == NULL || !scorch_module_matches_build_id (m->module, m->key.build_id, m->key.build_id_len)))
    {
      ScorchModule *copy = scorch_host_path_open_module (m->path, m->key.build_id, m->key.build_id_len);

      if (copy == NULL)
        copy = scorch_debug_files_open_module_by_build_id (m->path, m->key.build_id, m->key.build_id_len);
      if (copy != NULL)
        {
          g_clear_pointer (&m->module, scorch_module_unref);
          m->module = copy;
        }
    }
  if (m->module == NULL)
    return;
  scorch_module_get_file_id (m->module, NULL, &ino);
  m->data = scorch_module_get_data (m->module, &m->size);
  if (m->size < 64 || scorch_module_get_elf_class (m->module) != ELFCLASS64)
    goto fail;
  /* The recorded file: by build id when the capture has one (a copy found
   * through --sysroot or a perf archive has another inode), else by inode. */
  if (m->key.build_id_len == 0 && m->key.ino != 0 && ino != 0 && ino != m->key.ino)
    goto fail;

  /* A replaced file must not be used to unwind the old one's stacks. */
  if (m->key.build_id_len > 0 && !g_str_equal (m->path, "[vdso]") &&
      !scorch_module_matches_build_id (m->module, m->key.build_id, m->key.build_id_len))
    goto fail;

  m->segments = scorch_module_get_segments (m->module, &m->n_segments);
  if (m->n_segments == 0)
    goto fail;
  m->entry = scorch_module_get_entry (m->module);

  /* the CFI rows, decoded once for every unwinder of this file */
  m->cfi = scorch_cfi_table_acquire (m->module);
  if (m->cfi == NULL)
    goto fail;
  return;

fail:
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
file_base_bias (ScorchUnwindMaps    *self,
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
mapping_bias (ScorchUnwindMaps    *self,
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
module_lookup (ScorchUnwindMaps    *self,
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
  if (m->cfi == NULL)
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

const UnwMapSlot *
scorch_unwind_maps_slot (ScorchUnwindMaps *self,
                         guint64           addr)
{
  const ScorchMapping *map;
  UnwMapSlot *slot;

  for (guint i = 0; i < SCORCH_UNWIND_RECENT_MAPS; i++)
    if (addr >= self->recent[i].start && addr < self->recent[i].end &&
        self->recent[i].slot->map == self->recent[i].map)
      return self->recent[i].slot;

  map = self->find_mapping (self->user_data, self->pid, addr);
  if (map == NULL)
    return NULL;
  slot = &self->map_cache[(GPOINTER_TO_SIZE (map) >> 4) % SCORCH_UNWIND_MAP_CACHE_SIZE];
  memmove (&self->recent[1], &self->recent[0], (SCORCH_UNWIND_RECENT_MAPS - 1) * sizeof self->recent[0]);
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

const UnwMapSlot *
scorch_unwind_maps_for_addr (ScorchUnwindMaps *self,
                             guint64           addr)
{
  const UnwMapSlot *slot = scorch_unwind_maps_slot (self, addr);

  return slot != NULL && slot->bias_ok ? slot : NULL;
}

gboolean
scorch_unwind_maps_module_read (const UnwModule *m,
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

gboolean
scorch_unwind_maps_read_mapped (ScorchUnwindMaps *self,
                                guint64           addr,
                                guint64          *val)
{
  const UnwMapSlot *slot = scorch_unwind_maps_for_addr (self, addr);

  return slot != NULL && slot->module->data != NULL && scorch_unwind_maps_module_read (slot->module, addr - slot->bias, val);
}

gboolean
scorch_unwind_maps_read_word (ScorchUnwindMaps *self,
                              guint64           addr,
                              guint64          *val)
{
  return scorch_unwind_maps_read_stack (self, addr, val) || scorch_unwind_maps_read_mapped (self, addr, val);
}

void
scorch_unwind_maps_init (ScorchUnwindMaps      *self,
                         ScorchFindMappingFunc  find_mapping,
                         gpointer               user_data)
{
  memset (self, 0, sizeof *self);
  elf_version (EV_CURRENT);
  self->find_mapping = find_mapping;
  self->user_data = user_data;
  self->modules = g_hash_table_new_full (scorch_module_key_hash, scorch_module_key_equal, unw_module_free, NULL);
}

void
scorch_unwind_maps_clear (ScorchUnwindMaps *self)
{
  g_clear_pointer (&self->modules, g_hash_table_destroy);
  g_clear_pointer (&self->kernel_release, g_free);
}

void
scorch_unwind_maps_set_kernel_release (ScorchUnwindMaps *self,
                                       const char       *osrelease)
{
  self->kernel_release_set = TRUE;
  g_free (self->kernel_release);
  self->kernel_release = g_strdup (osrelease);
}

void
scorch_unwind_maps_begin_sample (ScorchUnwindMaps *self,
                                 gint32            pid,
                                 const guint8     *stack,
                                 gsize             stack_len,
                                 guint64           stack_sp)
{
  self->pid = pid;
  self->stack = stack;
  self->stack_len = stack != NULL ? stack_len : 0;
  self->stack_sp = stack_sp;
  memset (self->recent, 0, sizeof self->recent);
}

void
scorch_unwind_maps_end_sample (ScorchUnwindMaps *self)
{
  self->stack = NULL;
  self->stack_len = 0;
}

void
scorch_unwind_maps_invalidate (ScorchUnwindMaps *self)
{
  /* Modules and their rows are keyed by file, not by process: only the
   * mapping cache refers to the process's (now stale) maps. */
  memset (self->map_cache, 0, sizeof self->map_cache);
  memset (self->recent, 0, sizeof self->recent);
}
