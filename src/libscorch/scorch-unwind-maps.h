/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-unwind-maps.h (internal to the unwinder): what both unwinding
 * engines -- the cached-CFI stepper (scorch-cfi.c) and libunwind
 * (scorch-unwinder-libunwind.c) -- read a sample through: the process's
 * mappings (found by the caller's ScorchFindMappingFunc, cached), each
 * mapped file's module (over the module cache's ScorchModule) and load
 * bias, and the sample's registers and stack copy. */

#pragma once

#include <glib.h>
#include <string.h>

#include <elfutils/libdw.h>
#include <gelf.h>

#include "scorch-cfi-table.h"
#include "scorch-module.h"
#include "scorch-symbol.h"

G_BEGIN_DECLS

/* x86_64 perf register numbers (asm/perf_regs.h) */
enum
{
  PREG_AX = 0, PREG_BX, PREG_CX, PREG_DX, PREG_SI, PREG_DI, PREG_BP, PREG_SP,
  PREG_IP, PREG_FLAGS, PREG_CS, PREG_SS, PREG_DS, PREG_ES, PREG_FS, PREG_GS,
  PREG_R8, PREG_R9, PREG_R10, PREG_R11, PREG_R12, PREG_R13, PREG_R14, PREG_R15,
  N_PREGS
};

/* A PT_LOAD segment, as the module cache decodes it */
/* A PT_LOAD segment, as the module cache decodes it */
typedef ScorchModuleSegment UnwSegment;

/* One ELF file, shared by every process and mapping that maps it: the
 * unwinder's state over the module cache's ScorchModule */
typedef struct
{
  ScorchModuleKey key;       /* first: the table's key; key.path is path */
  char         *path;

  gboolean      opened;
  ScorchModule *module;      /* the file (mapped once for every user); NULL when unusable */
  const guint8 *data;        /* module's bytes; NULL when unusable */
  gsize         size;
  /* the file's CFI, shared by every unwinder (scorch-cfi-table.h); held while
   * this module is, NULL when unusable */
  ScorchCfiTable *cfi;
  const UnwSegment *segments; /* PT_LOAD, the module's */
  guint         n_segments;
  guint64       entry;       /* e_entry (vaddr), 0 when none */
} UnwModule;

/* A mapping with its module and load bias (runtime address - ELF vaddr) */
typedef struct
{
  const ScorchMapping *map;
  guint64              start, end, pgoff, ino;
  UnwModule           *module;
  guint64              bias;
  gboolean             bias_ok;
  /* the runtime addresses of the mapping that can hold code: its part of
   * an executable PT_LOAD segment, or all of it when that cannot be told
   * (no readable ELF: JIT code, [vdso]); empty for data ([stack], [heap],
   * a data segment) */
  guint64              code_lo, code_hi;
} UnwMapSlot;

/* A caller's frame further than this above its callee's is not believed */
#define SCORCH_UNWIND_MAX_FRAME_SIZE (G_GUINT64_CONSTANT (16) << 20)

#define SCORCH_UNWIND_MAP_CACHE_SIZE 64
#define SCORCH_UNWIND_RECENT_MAPS 4

typedef struct
{
  ScorchFindMappingFunc find_mapping;
  gpointer              user_data;
  GHashTable           *modules;    /* UnwModule* set, by ScorchModuleKey */

  UnwMapSlot            map_cache[SCORCH_UNWIND_MAP_CACHE_SIZE];
  /* the mappings found during the current sample, most recent first: the
   * maps do not change within a sample, so an address inside one of them
   * needs no call to find_mapping */
  struct
  {
    guint64              start, end;
    const ScorchMapping *map;
    UnwMapSlot          *slot;
  }                     recent[SCORCH_UNWIND_RECENT_MAPS];

  /* the capture's kernel, for the [vdso] (see vdso_usable()) */
  gboolean              kernel_release_set;
  char                 *kernel_release;

  /* the sample being unwound */
  gint32                pid;
  const guint8         *stack;
  gsize                 stack_len;
  guint64               stack_sp;
} ScorchUnwindMaps;

void              scorch_unwind_maps_init       (ScorchUnwindMaps      *self,
                                                 ScorchFindMappingFunc  find_mapping,
                                                 gpointer               user_data);
void              scorch_unwind_maps_clear      (ScorchUnwindMaps      *self);
void              scorch_unwind_maps_set_kernel_release (ScorchUnwindMaps *self,
                                                         const char       *osrelease);
/* The process's maps changed: drop the mapping cache. */
void              scorch_unwind_maps_invalidate (ScorchUnwindMaps      *self);
/* The sample being unwound (stack may be NULL), until end_sample. */
void              scorch_unwind_maps_begin_sample (ScorchUnwindMaps   *self,
                                                   gint32              pid,
                                                   const guint8       *stack,
                                                   gsize               stack_len,
                                                   guint64             stack_sp);
void              scorch_unwind_maps_end_sample (ScorchUnwindMaps      *self);

/* The mapping containing addr with its module and load bias (bias_ok
 * FALSE when its ELF file cannot be used); NULL when nothing is mapped. */
const UnwMapSlot *scorch_unwind_maps_slot       (ScorchUnwindMaps      *self,
                                                 guint64                addr);
/* The same, NULL unless the bias is known. */
const UnwMapSlot *scorch_unwind_maps_for_addr   (ScorchUnwindMaps      *self,
                                                 guint64                addr);
/* 8 bytes at module vaddr, from the file. */
gboolean          scorch_unwind_maps_module_read (const UnwModule      *m,
                                                  guint64               vaddr,
                                                  guint64              *val);
/* 8 bytes of the file mapped at addr, where its module could be read and
 * its load bias is known (the file's bytes, not what the process may
 * have written there since). */
gboolean          scorch_unwind_maps_read_mapped (ScorchUnwindMaps     *self,
                                                  guint64               addr,
                                                  guint64              *val);
/* 8 bytes of the sampled process's memory: the stack copy, else
 * scorch_unwind_maps_read_mapped(). */
gboolean          scorch_unwind_maps_read_word  (ScorchUnwindMaps      *self,
                                                 guint64                addr,
                                                 guint64               *val);

/* 8 bytes of the sample's stack copy; FALSE when addr is outside it. */
static inline gboolean
scorch_unwind_maps_read_stack (const ScorchUnwindMaps *self,
                               guint64                 addr,
                               guint64                *val)
{
  if (addr < self->stack_sp || addr - self->stack_sp >= self->stack_len ||
      self->stack_len - (addr - self->stack_sp) < 8)
    return FALSE;
  memcpy (val, self->stack + (addr - self->stack_sp), 8);
  return TRUE;
}

/* Whether addr may be code: in an executable mapping of the process */
static inline gboolean
scorch_unwind_slot_is_code (const UnwMapSlot *slot,
                            guint64           addr)
{
  return slot != NULL && addr >= slot->code_lo && addr < slot->code_hi;
}

/* Whether a needed word at addr was above the stack copy: the copy is too
 * short, which stops the unwind but is nobody's error. */
static inline gboolean
scorch_unwind_maps_above_copy (const ScorchUnwindMaps *self,
                               guint64                 addr)
{
  return addr >= self->stack_sp + self->stack_len &&
         addr - self->stack_sp <= SCORCH_UNWIND_MAX_FRAME_SIZE + self->stack_len;
}

G_END_DECLS
