/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-line-table.h: the file table of a DWARF line program header
 * (.debug_line, versions 2 to 5), read without decoding the line program
 * itself, for DW_AT_decl_file. */

#pragma once

#include <glib.h>

#include <elfutils/libdw.h>

G_BEGIN_DECLS

/* dir "/" name as libdw's dwarf_filesrc builds it (name alone when it is
 * absolute or dir is empty), interned in strings; NULL for a NULL name. */
const char  *scorch_line_table_join_path  (GStringChunk  *strings,
                                           const char    *dir,
                                           const char    *name);

/* The file names of cu's line program, indexed as DW_AT_decl_file counts
 * (entries that name nothing are NULL), interned in strings; free the
 * array with g_free().  NULL when the table cannot be read: then fall back
 * to libdw's dwarf_decl_file. */
const char **scorch_line_table_read_files (Dwarf_CU      *cu,
                                           GStringChunk  *strings,
                                           guint         *n_names);

G_END_DECLS
