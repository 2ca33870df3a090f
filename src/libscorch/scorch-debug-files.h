/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-debug-files.h: finding the separate debug file of an ELF module
 * for libdwfl (the build-id tree, .gnu_debuglink, the dwz file of
 * .gnu_debugaltlink, debuginfod), every candidate opened through
 * scorch_open_regular_file() and checked by build id or CRC. */

#pragma once

#include <glib.h>

#include <elfutils/libdwfl.h>
#if HAVE_DEBUGINFOD
#include <elfutils/debuginfod.h>
#endif

G_BEGIN_DECLS

#if HAVE_DEBUGINFOD
/* libdebuginfod is not linked: it pulls in curl, TLS, Kerberos and LDAP,
 * which every scorch-cli start would load for a path few commands take.
 * It is dlopen()ed (its SONAME, found at build time) on first use; these
 * are the functions Scorch calls. */
typedef struct
{
  __typeof__ (debuginfod_begin)           *begin;
  __typeof__ (debuginfod_end)             *end;
  __typeof__ (debuginfod_find_debuginfo)  *find_debuginfo;
  __typeof__ (debuginfod_find_executable) *find_executable;
  __typeof__ (debuginfod_find_source)     *find_source;
} ScorchDebuginfod;

/* The loaded library's functions, or NULL (and the reason, "debuginfod
 * support is not available: ...", in error) when it cannot be loaded.
 * Loaded once per process; thread-safe. */
const ScorchDebuginfod *scorch_debuginfod_get (GError **error);
#endif

/* The search path for debug files in libdwfl's syntax (":.debug:DIR..."),
 * with dirs or, when NULL, /usr/lib/debug.  Free with g_free(). */
char *scorch_debug_files_dup_search_path (const char * const *dirs);

struct _ScorchModule;

/* What find_debuginfo needs of one reported module: the debug dirs (a
 * string the caller keeps current) and the module's file, which keeps
 * what was found for it (see scorch_debug_files_attach()). */
typedef struct
{
  char                 **debuginfo_path;
  struct _ScorchModule  *file;        /* borrowed: held by the caller */
  char                  *memo_key;    /* NULL: not attached */
  gpointer               memo;        /* the file's shared lookups */
} ScorchDebugFilesModule;

/* Fills callbacks so that libdwfl opens no file by itself: find_elf
 * finds nothing (the main file is reported as a checked descriptor) and
 * find_debuginfo searches *debuginfo_path with checked opens.  Each
 * Dwfl_Module reported through these callbacks must be attached with
 * scorch_debug_files_attach(). */
void  scorch_debug_files_init_callbacks   (Dwfl_Callbacks     *callbacks,
                                           char              **debuginfo_path);
/* Sets mod's userdata to dm, for the module of file.  A separate debug
 * file (or dwz file) is then looked for once per file and search path by
 * every Dwfl that attaches the same file at the same time: the module
 * holds what was found (its path and its own ScorchModule, build id
 * checked) until the last of them detaches, and the others get a new
 * descriptor of the same file (re-checked: a file replaced since is
 * looked for again).  dm must stay where it is until
 * scorch_debug_files_detach(), which comes before file is dropped. */
void  scorch_debug_files_attach           (ScorchDebugFilesModule *dm,
                                           Dwfl_Module            *mod,
                                           char                  **debuginfo_path,
                                           struct _ScorchModule   *file);
void  scorch_debug_files_detach           (ScorchDebugFilesModule *dm);
/* How many times a debug file was searched for (tests: a file found once
 * and shared is searched for once). */
guint scorch_debug_files_get_n_searches   (void);

/* The ELF file recorded at PATH with this build id, found elsewhere (the
 * file at PATH is gone or another): perf's build-id caches
 * ($PERF_BUILDID_DIR or ~/.debug, extracted perf archives:
 * <root>PATH/<id>/elf and <root>/.build-id/xx/yyyy/elf), the debug dirs'
 * .build-id/xx/yyyy links to the binary, and debuginfod's executable
 * when DEBUGINFOD_URLS is set.  Only a file whose build id is ID is
 * returned (a new reference); NULL when none is. */
struct _ScorchModule *scorch_debug_files_open_module_by_build_id (const char   *path,
                                                                  const guint8 *id,
                                                                  guint         id_len);

G_END_DECLS
