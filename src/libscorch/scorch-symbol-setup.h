/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol-setup.h: a load's symbolizer set up from the default
 * symbol paths (scorch-symbol-paths.h), the same for every load: the
 * loader and the portable packer. Above both the paths and the symbolizer
 * (the symbolizer's own files read the paths). */

#pragma once

#include "scorch-symbolizer.h"

G_BEGIN_DECLS

/* Gives SYMBOLIZER the default paths' kallsyms file and debug dirs (each
 * only when set; --kallsyms, --debug-dirs, SCORCH_DEBUG_DIRS...). */
void scorch_symbol_setup_symbolizer (ScorchSymbolizer *symbolizer);

G_END_DECLS
