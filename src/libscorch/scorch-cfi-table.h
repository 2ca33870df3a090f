/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cfi-table.h (internal to the unwinder): the call frame
 * information of one ELF file -- rows of .eh_frame, else .debug_frame,
 * parsed by libdw on first use and decoded into Rows, and .eh_frame_hdr's
 * search table for libunwind -- held by the module cache's ScorchModule
 * and shared by every unwinder (both engines, every loader worker). */

#pragma once

#include <glib.h>

#include <elfutils/libdw.h>

#include "scorch-module.h"

G_BEGIN_DECLS

/* x86_64 DWARF register numbers: RAX RDX RCX RBX RSI RDI RBP RSP R8..R15,
 * then 16, the return address column (RIP). */
enum
{
  DREG_RBP = 6,
  DREG_RSP = 7,
  DREG_RA = 16,
  N_DREGS = 17
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

typedef struct _ScorchCfiTable ScorchCfiTable;

/* The call frame information of one ELF file, shared by every unwinder
 * that maps it (held by the module: scorch_module_acquire_shared()).
 * Rows are decoded on first use, under lock, and never change or move
 * once in rows; libdw's handles (not thread-safe) are used only under
 * lock.  The .eh_frame_hdr fields are set when the table is made. */
struct _ScorchCfiTable
{
  GMutex     lock;
  Elf       *elf;               /* over the module's bytes */
  Dwarf_CFI *eh_cfi;            /* .eh_frame */
  Dwarf     *dwarf;             /* for .debug_frame, opened on demand */
  Dwarf_CFI *debug_cfi;         /* owned by dwarf */
  gboolean   tried_debug_frame;
  GPtrArray *rows;              /* Row*, sorted by start */
  guint      n_decoded;         /* rows decoded so far (tests) */

  /* for libunwind: the .eh_frame_hdr binary-search table */
  gboolean   eh_hdr_ok;
  guint64    lo_vaddr, hi_vaddr;
  guint64    hdr_vaddr;
  guint64    table_vaddr;
  guint64    fde_count;
};

/* The module's CFI table, made on first use (NULL when libelf refuses the
 * file); every acquire is paired with a release before the module is
 * dropped. */
ScorchCfiTable *scorch_cfi_table_acquire   (ScorchModule   *module);
void            scorch_cfi_table_release   (ScorchModule   *module);
/* The row of module-relative pc (decoded now if needed), or NULL. */
const Row      *scorch_cfi_table_find_row  (ScorchCfiTable *self,
                                            guint64         pc);
/* How many rows have been decoded (tests). */
guint           scorch_cfi_table_get_n_decoded (ScorchCfiTable *self);

G_END_DECLS
