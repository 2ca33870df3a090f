/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbolizer-answers.h: the symbolizer's answers for one module,
 * kept in the persistent cache between loads.
 *
 * An answer is what the symbolizer made of one file offset of a module:
 * its inline chain (function, file, line, offset and kind of each frame).
 * Making it opens the module's DWARF (for libc, decompressing its separate
 * debug file) and indexes the compilation units it touches: most of the
 * fixed cost of a load.  The answers of a module with a build id are
 * saved under the symbol cache's directory, one entry per build id and
 * line mode (<build id>.<mode>.ans), so that the next load of a capture
 * of the same programs finds them without opening DWARF.
 *
 * An entry is whole or ignored: a header (magic, version, byte order,
 * build id, line mode, sizes, a checksum of the rest), the separate debug
 * file the answers were read from (path, size, mtime, inode: another file
 * there makes the entry stale; "" when the module's own file held the
 * DWARF, which its build id names), then the answers sorted by offset,
 * their frames and the strings.  Every index and string is checked on
 * load; a bad entry is G_IO_ERROR_INVALID_DATA and is rewritten.  Saving
 * merges the loaded answers with the new ones, writes a temporary file
 * and renames it over the entry, so concurrent loads only ever see a
 * whole entry. */

#pragma once

#include <glib.h>

#include "scorch-symbol.h"

G_BEGIN_DECLS

typedef struct _ScorchSymbolizerAnswers ScorchSymbolizerAnswers;

/* An empty set (nothing loaded, nothing new). */
ScorchSymbolizerAnswers *_scorch_symbolizer_answers_new    (void);
void                     _scorch_symbolizer_answers_free   (ScorchSymbolizerAnswers *self);

/* What an entry is for and where it lives: the cache directory, the
 * module's build id and file (module_path), the line mode and the path
 * its debug files are searched in.  module_path and search_path may be
 * NULL (taken as ""). */
typedef struct
{
  const char   *dir;
  const guint8 *build_id;
  guint         build_id_len;
  guint         line_mode;
  const char   *module_path;
  const char   *search_path;
} ScorchSymbolizerAnswersKey;

/* Loads the entry of key from its directory into self (which must hold
 * none yet).  G_IO_ERROR_NOT_FOUND when there is none; INVALID_DATA when
 * it is corrupt, foreign or stale: made with another search path, from
 * another file's DWARF (a copy of the program with the same build id:
 * this one may be stripped), or from a debug file that is no longer the
 * same. */
gboolean                 _scorch_symbolizer_answers_load   (ScorchSymbolizerAnswers          *self,
                                                            const ScorchSymbolizerAnswersKey *key,
                                                            GError                          **error);

/* The stored chain of key (a file offset) into chain (room for
 * SCORCH_SYMBOLIZER_MAX_CHAIN); 0 when there is none.  Strings point into
 * the entry (the caller interns them); module is NULL (the caller's). */
guint                    _scorch_symbolizer_answers_lookup (ScorchSymbolizerAnswers *self,
                                                            guint64                  key,
                                                            ScorchSymbol            *chain);

/* Remembers a new answer; the strings must live until the save. */
void                     _scorch_symbolizer_answers_add    (ScorchSymbolizerAnswers *self,
                                                            guint64                  key,
                                                            const ScorchSymbol      *chain,
                                                            guint                    n);
/* How many answers were added since the load. */
guint                    _scorch_symbolizer_answers_get_n_new (ScorchSymbolizerAnswers *self);
/* How many lookups the loaded entry answered. */
guint                    _scorch_symbolizer_answers_get_n_hits (ScorchSymbolizerAnswers *self);

/* Writes the loaded and the new answers as the entry of key;
 * dwarf_file is the file the DWARF came from (the module's own file at
 * key->module_path, or a separate debug file found in
 * key->search_path). */
gboolean                 _scorch_symbolizer_answers_save   (ScorchSymbolizerAnswers          *self,
                                                            const ScorchSymbolizerAnswersKey *key,
                                                            const char                       *dwarf_file,
                                                            GError                          **error);

/* The entry's path (free with g_free()). */
char                    *_scorch_symbolizer_answers_get_path (const char   *dir,
                                                              const guint8 *build_id,
                                                              guint         build_id_len,
                                                              guint         line_mode);

G_END_DECLS
