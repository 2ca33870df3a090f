/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol-setup.c: see scorch-symbol-setup.h */

#include "config.h"

#define G_LOG_DOMAIN "scorch-symbol-setup"

#include "scorch-symbol-paths.h"
#include "scorch-symbol-setup.h"

void
scorch_symbol_setup_symbolizer (ScorchSymbolizer *symbolizer)
{
  g_autoptr(ScorchSymbolPaths) paths = scorch_symbol_paths_dup_default ();

  g_return_if_fail (symbolizer != NULL);

  if (scorch_symbol_paths_get_debug_dirs (paths) != NULL)
    scorch_symbolizer_set_debug_dirs (symbolizer, scorch_symbol_paths_get_debug_dirs (paths));
  if (scorch_symbol_paths_get_kallsyms (paths) != NULL)
    scorch_symbolizer_set_kallsyms_path (symbolizer, scorch_symbol_paths_get_kallsyms (paths));
}
