/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "scorch-demangle.h"

/* Bounds the work libiberty may do on hostile names (deep templates in a
 * garbage .symtab): its own recursion limit is on by default, this only
 * avoids feeding it absurdly long strings. */
#define SCORCH_DEMANGLE_MAX_LEN 16384

static gboolean
looks_mangled (const char *name)
{
  /* Itanium C++ and Rust legacy: _Z...; Rust v0: _R...  Some platforms
   * add one more leading underscore (__Z, __R). */
  if (name[0] == '_' && name[1] == '_')
    name++;
  return name[0] == '_' && (name[1] == 'Z' || name[1] == 'R');
}

char *
scorch_demangle (const char *name)
{
  char *res;
  char *copy;

  g_return_val_if_fail (name != NULL, NULL);

  if (!looks_mangled (name) || strnlen (name, SCORCH_DEMANGLE_MAX_LEN + 1) > SCORCH_DEMANGLE_MAX_LEN)
    return NULL;

  /* DMGL_AUTO tries Rust (legacy and v0) before Itanium C++; Rust legacy
   * hashes are dropped unless DMGL_VERBOSE. */
  res = cplus_demangle (name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
  if (res == NULL)
    return NULL;
  if (res[0] == '\0')
    {
      /* Some garbage "demangles" to nothing: keep the raw name instead. */
      free (res);
      return NULL;
    }

  /* libiberty allocates with malloc(); hand back GLib memory. */
  copy = g_strdup (res);
  free (res);
  return copy;
}

char *
scorch_demangle_or_dup (const char *name)
{
  char *res;

  g_return_val_if_fail (name != NULL, NULL);

  res = scorch_demangle (name);
  return res != NULL ? res : g_strdup (name);
}
