/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-dwarf-cu-index.h: which compilation unit holds an address,
 * for DWARF without .debug_aranges.
 *
 * elfutils 0.188 finds a CU by address only through .debug_aranges
 * (dwarf_addrdie, dwfl_module_addrdie, dwfl_module_getsrc), and clang
 * writes that section only with -gdwarf-aranges.  This index walks every
 * unit once (type units and partial units skipped; a split-DWARF
 * skeleton stands for its unit), takes the ranges of each CU DIE
 * (DW_AT_low_pc/high_pc or DW_AT_ranges, DWARF 4 .debug_ranges or
 * DWARF 5 .debug_rnglists) and flattens them into disjoint, sorted
 * segments: one binary search per lookup.
 *
 * libdw objects are not thread-safe in elfutils 0.188, so an index
 * belongs to the one user of its Dwarf (each symbolizer has its own
 * Dwfl); it is not locked. */

#pragma once

#include <glib.h>

#include <elfutils/libdw.h>

G_BEGIN_DECLS

typedef struct _ScorchDwarfCuIndex ScorchDwarfCuIndex;

/* Walks every unit of dbg (which must outlive the index). */
ScorchDwarfCuIndex *scorch_dwarf_cu_index_new    (Dwarf              *dbg);
void                scorch_dwarf_cu_index_free   (ScorchDwarfCuIndex *self);
/* Number of disjoint address segments (0: no CU has code ranges). */
guint               scorch_dwarf_cu_index_get_n_segments (ScorchDwarfCuIndex *self);
/* The CU DIE whose ranges hold addr (a DWARF address, without any
 * load bias); where CU ranges overlap, the unit whose range starts
 * last wins.  FALSE if no CU covers addr. */
gboolean            scorch_dwarf_cu_index_lookup (ScorchDwarfCuIndex *self,
                                                  Dwarf_Addr          addr,
                                                  Dwarf_Die          *cu_out);

/* The CU holding addr: dwarf_addrdie (through .debug_aranges) first,
 * then *index, built on first need (*index starts NULL; free it with
 * scorch_dwarf_cu_index_free). */
gboolean            scorch_dwarf_cu_find         (Dwarf               *dbg,
                                                  ScorchDwarfCuIndex **index,
                                                  Dwarf_Addr           addr,
                                                  Dwarf_Die           *cu_out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchDwarfCuIndex, scorch_dwarf_cu_index_free)

G_END_DECLS
