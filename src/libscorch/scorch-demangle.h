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

G_END_DECLS
