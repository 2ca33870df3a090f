/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-demangle.h: C++ and Rust (legacy and v0) demangling through
 * libiberty's maintained demangler. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the demangled form of a C++ or Rust symbol name (Rust legacy
 * names lose their "::h<hash>" suffix), or NULL when name is not a mangled
 * name (plain C symbols) or cannot be demangled.  Free with g_free(). */
char *scorch_demangle         (const char *name);

/* Like scorch_demangle() but returns a copy of name when it is not
 * mangled.  Never NULL for a non-NULL name. */
char *scorch_demangle_or_dup  (const char *name);

typedef enum
{
  SCORCH_DISPLAY_NAME_DEFAULT            = 0,
  /* "f<std::vector<int>>" -> "f<…>" (every template argument list of the
   * name; a Rust "<T as Trait>" qualifier keeps its shape). */
  SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES = 1 << 0,
} ScorchDisplayNameFlags;

/* Shortens a demangled C++ or Rust function name the way people read it:
 * without return type, parameter list, cv/ref qualifiers, ABI tags and
 * Rust hashes ("double ns::f<double>(std::vector<double>&, int) const" ->
 * "ns::f<double>").  Operators, lambdas ("{lambda(int)#1}"), "(anonymous
 * namespace)", functions returning function pointers and "[clone .cold]"
 * suffixes are understood.  Names it cannot parse come back unchanged.
 * Never NULL for a non-NULL name; free with g_free(). */
char *scorch_display_name     (const char             *name,
                               ScorchDisplayNameFlags  flags);

G_END_DECLS
