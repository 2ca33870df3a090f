/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-unwinder-libunwind.h (internal to the unwinder): the libunwind
 * remote engine, reading the sample through ScorchUnwindMaps (the
 * mappings, modules and stack copy the cached-CFI stepper reads too). */

#pragma once

#include <glib.h>

#include <elfutils/libdw.h>
#include <gelf.h>

#include "scorch-unwind-maps.h"

G_BEGIN_DECLS

/* The libunwind remote engine */
typedef struct _ScorchLibunwind ScorchLibunwind;

ScorchLibunwind *scorch_libunwind_new        (ScorchUnwindMaps *maps);
void             scorch_libunwind_free       (ScorchLibunwind *self);
/* pregs/pvalid: the sampled registers by perf number and which are set;
 * the caller has begun the sample on the maps, which hold its stack copy
 * (and its start).  Same contract as scorch_unwinder_unwind(). */
guint            scorch_libunwind_unwind     (ScorchLibunwind *self,
                                              gint32           pid,
                                              const guint64   *pregs,
                                              guint32          pvalid,
                                              guint64         *ips,
                                              guint            max_ips,
                                              gboolean        *truncated);
void             scorch_libunwind_invalidate (ScorchLibunwind *self,
                                              gint32           pid);
void             scorch_libunwind_forget     (ScorchLibunwind *self,
                                              gint32           pid);

G_END_DECLS
