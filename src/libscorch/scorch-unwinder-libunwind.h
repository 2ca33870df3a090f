/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-unwinder-libunwind.h (private to the unwinder): the state the
 * cached-CFI stepper of scorch-unwinder.c shares with the libunwind remote
 * engine of scorch-unwinder-libunwind.c -- the per-module cache (ELF
 * mapped once, .eh_frame_hdr search table) and the mapping lookup. */

#pragma once

#include <glib.h>

#include <elfutils/libdw.h>
#include <gelf.h>

#include "scorch-module.h"
#include "scorch-unwinder.h"

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
  Elf          *elf;         /* ours, over data */
  Dwarf_CFI    *eh_cfi;      /* .eh_frame; ours to end */
  Dwarf        *dwarf;       /* for .debug_frame, opened on demand */
  Dwarf_CFI    *debug_cfi;   /* owned by dwarf */
  gboolean      tried_debug_frame;
  const UnwSegment *segments; /* PT_LOAD, the module's */
  guint         n_segments;
  guint64       entry;       /* e_entry (vaddr), 0 when none */
  GPtrArray    *rows;        /* cached-CFI rows, sorted by start */

  /* for libunwind, filled on first use: the .eh_frame_hdr search table */
  gboolean      eh_hdr_parsed;
  gboolean      eh_hdr_ok;
  guint64       lo_vaddr, hi_vaddr;
  guint64       hdr_vaddr;
  guint64       table_vaddr;
  guint64       fde_count;
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

/* The mapping of the sample's process containing addr, or NULL when
 * nothing usable is mapped there (through the unwinder's caches). */
const UnwMapSlot *scorch_unwinder_map_for_addr (ScorchUnwinder  *owner,
                                                guint64          addr);
/* 8 bytes at module vaddr, from the file. */
gboolean          scorch_unwinder_module_read  (const UnwModule *m,
                                                guint64          vaddr,
                                                guint64         *val);

/* The libunwind remote engine */
typedef struct _ScorchLibunwind ScorchLibunwind;

ScorchLibunwind *scorch_libunwind_new        (ScorchUnwinder  *owner);
void             scorch_libunwind_free       (ScorchLibunwind *self);
/* pregs/pvalid: the sampled registers by perf number and which are set;
 * the caller has set the owner's current pid.  Same contract as
 * scorch_unwinder_unwind(). */
guint            scorch_libunwind_unwind     (ScorchLibunwind *self,
                                              gint32           pid,
                                              const guint64   *pregs,
                                              guint32          pvalid,
                                              const guint8    *stack,
                                              gsize            stack_len,
                                              guint64          stack_sp,
                                              guint64         *ips,
                                              guint            max_ips,
                                              gboolean        *truncated);
void             scorch_libunwind_invalidate (ScorchLibunwind *self,
                                              gint32           pid);
void             scorch_libunwind_forget     (ScorchLibunwind *self,
                                              gint32           pid);

G_END_DECLS
