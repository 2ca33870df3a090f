/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol-paths.h: where a capture's files are found on this machine
 * (Hotspot's paths in one place): a sysroot, path substitutions (A=B:
 * a recorded path starting with A is looked up under B instead), the
 * kallsyms file and the separate debug-info directories.
 *
 * The CLI (--sysroot, --substitute-path, --kallsyms, --debug-dirs) and the
 * app's Symbol Paths preferences set the process-wide default; the module
 * cache (scorch_module_cache_open()) tries its candidates before the path
 * as recorded, so the symbolizer and the unwinder both see them.  The
 * loader applies kallsyms and debug dirs to each load's symbolizer. They are
 * also read from the environment (scorch_symbol_paths_new_from_env()):
 * SCORCH_SYSROOT, SCORCH_SUBSTITUTE_PATH (A=B entries separated by
 * newlines), SCORCH_KALLSYMS, SCORCH_DEBUG_DIRS (D1:D2). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ScorchSymbolPaths ScorchSymbolPaths;

ScorchSymbolPaths *scorch_symbol_paths_new               (void);
ScorchSymbolPaths *scorch_symbol_paths_new_from_env      (void);
ScorchSymbolPaths *scorch_symbol_paths_ref               (ScorchSymbolPaths *self);
void               scorch_symbol_paths_unref             (ScorchSymbolPaths *self);

void               scorch_symbol_paths_set_sysroot       (ScorchSymbolPaths *self,
                                                          const char        *sysroot);
/* "A=B" (A and B absolute, non-empty); FALSE with G_OPTION_ERROR_BAD_VALUE
 * otherwise.  Substitutions are tried in the order added. */
gboolean           scorch_symbol_paths_add_substitution  (ScorchSymbolPaths *self,
                                                          const char        *spec,
                                                          GError           **error);
void               scorch_symbol_paths_set_kallsyms      (ScorchSymbolPaths *self,
                                                          const char        *path);
/* "D1:D2" */
void               scorch_symbol_paths_set_debug_dirs    (ScorchSymbolPaths *self,
                                                          const char        *dirs);

const char        *scorch_symbol_paths_get_sysroot       (ScorchSymbolPaths *self);
const char        *scorch_symbol_paths_get_kallsyms      (ScorchSymbolPaths *self);
/* NULL when none */
const char * const *scorch_symbol_paths_get_debug_dirs   (ScorchSymbolPaths *self);
gboolean           scorch_symbol_paths_is_empty          (ScorchSymbolPaths *self);

/* Where a recorded absolute path may be found, in order (substitutions,
 * then the sysroot); the path itself is not included.  NULL when there is
 * no candidate. */
GStrv              scorch_symbol_paths_candidates        (ScorchSymbolPaths *self,
                                                          const char        *path);

/* perf's build-id cache ($PERF_BUILDID_DIR, else ~/.debug; also what
 * `perf archive` holds): <cache><path>/<build id>/elf for each build id
 * cached for path.  NULL when none. */
GStrv              scorch_symbol_paths_build_id_cache_candidates (const char *path);

/* The process-wide paths (initially from the environment). */
void               scorch_symbol_paths_set_default       (ScorchSymbolPaths *paths);
ScorchSymbolPaths *scorch_symbol_paths_dup_default       (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchSymbolPaths, scorch_symbol_paths_unref)

G_END_DECLS
