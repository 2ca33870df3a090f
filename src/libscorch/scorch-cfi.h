/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cfi.h (internal to the unwinder): the cached-CFI stepper.  Call
 * frame information rows (decoded once per file into the module's
 * ScorchCfiTable, scorch-cfi-table.h) found through an unwinder's own
 * direct-mapped (module, pc) cache; a step applies a row to a frame's
 * registers by hand (CFA rule, register rules, DWARF expressions), reading
 * memory through ScorchUnwindMaps. */

#pragma once

#include <glib.h>

#include <elfutils/libdw.h>

#include "scorch-cfi-table.h"
#include "scorch-unwind-maps.h"

G_BEGIN_DECLS

/* perf register number of each DWARF register */
extern const guint8 scorch_cfi_dwarf_to_perf[N_DREGS];

/* (module, relative pc) -> row; row NULL with module set: no CFI there */
typedef struct
{
  UnwModule *module;
  guint64    pc;
  Row       *row;
} RowSlot;

/* Registers of one frame, by DWARF number */
typedef struct
{
  guint64 r[N_DREGS];
  guint32 valid;
} Regs;

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


#define SCORCH_CFI_ROW_CACHE_BITS 13

typedef struct
{
  ScorchUnwindMaps *maps;        /* borrowed */
  RowSlot          *row_cache;   /* 1 << SCORCH_CFI_ROW_CACHE_BITS */
  gboolean          unsupported; /* the last step met a rule it does not handle */
} ScorchCfi;

void        scorch_cfi_init     (ScorchCfi        *self,
                                 ScorchUnwindMaps *maps);
void        scorch_cfi_clear    (ScorchCfi        *self);

/* The row for module-relative pc of m, or NULL when its CFI has none. */
const Row  *scorch_cfi_find_row (ScorchCfi        *self,
                                 UnwModule        *m,
                                 guint64           pc);
/* Recovers the caller's registers from regs with row (sets unsupported
 * when a rule or operation is not handled). */
StepResult  scorch_cfi_step     (ScorchCfi        *self,
                                 const Row        *row,
                                 const Regs       *regs,
                                 Regs             *out);
/* Whether module-relative pc of m is the first instruction of a lazy
 * binding PLT entry ("jmp *GOT(%rip); push $index; jmp PLT0"), read from
 * the file: lld emits no CFI for its .plt, and a program linked by it
 * stopped there has none to step the leaf with. */
gboolean    scorch_cfi_is_plt_entry (const UnwModule *m,
                                     guint64          pc);

/* Steps a frame stopped at a PLT entry's first instruction (see
 * scorch_cfi_is_plt_entry()): the stack is as the call left it, the
 * return address on top and every other register the caller's. */
StepResult  scorch_cfi_step_plt_entry (ScorchCfi  *self,
                                       const Regs *regs,
                                       Regs       *out);

/* No CFI: follows the frame-pointer chain, as libunwind and perf do. */
StepResult  scorch_cfi_step_frame_pointer (ScorchCfi  *self,
                                           const Regs *regs,
                                           Regs       *out);

G_END_DECLS
