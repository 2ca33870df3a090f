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

G_END_DECLS
