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
 * newlines), SCORCH_KALLSYMS, SCORCH_DEBUG_DIRS (D1:D2),
 * SCORCH_SYMFS_ARCHIVE (a perf archive tarball). */

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

/* perf's build-id cache ($PERF_BUILDID_DIR, else ~/.debug, then the
 * extracted `perf archive`s and other build-id dirs):
 * <cache><path>/<build id>/elf for each build id cached for path.  NULL
 * when none. */
GStrv              scorch_symbol_paths_build_id_cache_candidates (const char *path);

/* perf archive (`perf archive FILE` writes FILE.tar.bz2: perf's build-id
 * cache entries of the modules the capture hit, <path>/<build id>/elf and
 * .build-id/xx/yyyy links).  An archive given with --symfs-archive (or the
 * "symbol-archive" preference), and the one beside a capture, is
 * extracted once into $XDG_CACHE_HOME/scorch/perf-archives/<key>/ and
 * that directory searched like perf's own cache. */
void               scorch_symbol_paths_set_archive       (ScorchSymbolPaths *self,
                                                          const char        *tarball);
const char        *scorch_symbol_paths_get_archive       (ScorchSymbolPaths *self);
/* More roots laid out as perf's build-id cache, searched after
 * $PERF_BUILDID_DIR (or ~/.debug). */
void               scorch_symbol_paths_add_build_id_dir  (ScorchSymbolPaths *self,
                                                          const char        *dir);
/* NULL when none */
const char * const *scorch_symbol_paths_get_build_id_dirs (ScorchSymbolPaths *self);
/* $PERF_BUILDID_DIR (or ~/.debug), then the default paths' build-id dirs. */
GStrv              scorch_symbol_paths_dup_build_id_roots (void);

/* Extracts a tar archive (any compression libarchive reads) into DEST, an
 * existing empty directory, keeping only directories and regular files
 * whose names stay inside DEST: absolute names and ".." components are
 * refused, links, devices and FIFOs skipped (counted in *n_skipped).  At
 * most max_bytes are written.  FALSE with G_IO_ERROR_NOT_SUPPORTED
 * when Scorch was built without libarchive. */
gboolean           scorch_symbol_paths_extract_archive   (const char        *tarball,
                                                          const char        *dest,
                                                          gint64             max_bytes,
                                                          guint             *n_files,
                                                          guint             *n_skipped,
                                                          GError           **error);
/* The directory TARBALL is extracted to (extracting it unless done
 * before): $XDG_CACHE_HOME/scorch/perf-archives/<key of the file's path,
 * size, mtime and inode>. */
char              *scorch_symbol_paths_prepare_archive   (const char        *tarball,
                                                          GError           **error);
/* For a capture about to be loaded: the default paths' archive, and
 * CAPTURE.tar.bz2 when it sits beside CAPTURE, are prepared and their
 * directories added to the default paths' build-id dirs; a kernel's
 * kallsyms in the capture's archive becomes the default paths' kallsyms
 * when no --kallsyms is set (the recording machine's symbols).  Problems
 * are logged, not fatal. */
void               scorch_symbol_paths_use_capture_archive (const char      *capture);

/* The process-wide paths (initially from the environment).  set_default
 * publishes a copy of paths: later changes to paths do not reach it. */
void               scorch_symbol_paths_set_default       (ScorchSymbolPaths *paths);
ScorchSymbolPaths *scorch_symbol_paths_dup_default       (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchSymbolPaths, scorch_symbol_paths_unref)

G_END_DECLS
