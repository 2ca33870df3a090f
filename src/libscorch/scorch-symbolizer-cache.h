/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbolizer-cache.h: what every entry of the persistent symbol
 * cache ($XDG_CACHE_HOME/scorch/symbols: ELF symbol tables, symbolized
 * addresses, kallsyms) is checked and written with. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* FNV-1a over 64-bit words, then the tail: it finds corruption, not
 * attacks (the directory is the user's own). */
guint64  _scorch_symbolizer_cache_checksum (const guint8  *data,
                                            gsize          len);

/* Writes data as the file at path (in dir, made when missing, 0700): a
 * temporary file in dir renamed over path, so that concurrent writers
 * and readers only ever see a whole entry.  G_IO_ERRORs with the file's
 * name. */
gboolean _scorch_symbolizer_cache_write    (const char    *dir,
                                            const char    *path,
                                            const guint8  *data,
                                            gsize          len,
                                            GError       **error);

/* Maps the entry at path read-only: only ever a regular file of at most
 * max_size bytes, even in our own directory.  NULL with error. */
GMappedFile *_scorch_symbolizer_cache_map  (const char    *path,
                                            gsize          max_size,
                                            GError       **error);

/* Sets G_IO_ERROR_INVALID_DATA "PATH: WHY" (a damaged, foreign or stale
 * entry, to be rewritten); returns FALSE. */
gboolean _scorch_symbolizer_cache_bad_entry (GError      **error,
                                             const char   *path,
                                             const char   *why);

G_END_DECLS
