/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-debug-files.h: finding the separate debug file of an ELF module
 * for libdwfl (the build-id tree, .gnu_debuglink, the dwz file of
 * .gnu_debugaltlink, debuginfod), every candidate opened through
 * scorch_open_regular_file() and checked by build id or CRC. */

#pragma once

#include <glib.h>

#include <elfutils/libdwfl.h>

G_BEGIN_DECLS

/* The search path for debug files in libdwfl's syntax (":.debug:DIR..."),
 * with dirs or, when NULL, /usr/lib/debug.  Free with g_free(). */
char *scorch_debug_files_dup_search_path (const char * const *dirs);

/* Fills callbacks so that libdwfl opens no file by itself: find_elf
 * finds nothing (the main file is reported as a checked descriptor) and
 * find_debuginfo searches *debuginfo_path (a string the caller keeps
 * current) with checked opens.  Each Dwfl_Module reported through these
 * callbacks must have its userdata set with
 * scorch_debug_files_set_module_userdata(). */
void  scorch_debug_files_init_callbacks   (Dwfl_Callbacks     *callbacks,
                                           char              **debuginfo_path);
void  scorch_debug_files_set_module_userdata (Dwfl_Module      *mod,
                                              char            **debuginfo_path);

/* The ELF file recorded at PATH with this build id, found elsewhere (the
 * file at PATH is gone or another): perf's build-id caches
 * ($PERF_BUILDID_DIR or ~/.debug, extracted perf archives:
 * <root>PATH/<id>/elf and <root>/.build-id/xx/yyyy/elf), the debug dirs'
 * .build-id/xx/yyyy links to the binary, and debuginfod's executable
 * when DEBUGINFOD_URLS is set.  Only a file whose build id is ID is
 * returned (a new reference); NULL when none is. */
struct _ScorchModule;
struct _ScorchModule *scorch_debug_files_open_module_by_build_id (const char   *path,
                                                                  const guint8 *id,
                                                                  guint         id_len);

G_END_DECLS
