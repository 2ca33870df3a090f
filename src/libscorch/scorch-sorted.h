/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-sorted.h: binary search in arrays of structs sorted by a
 * 64-bit address (symbol tables, scope and CU ranges). */

#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* How many of the n elements (of stride bytes, sorted by the guint64 at
 * key_offset) have a key at or below key: the index just past the last
 * one that could hold key.  Callers step back from there. */
static inline gsize
scorch_sorted_upper_bound (gconstpointer base,
                           gsize         n,
                           gsize         stride,
                           gsize         key_offset,
                           guint64       key)
{
  const guint8 *p = base;
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      guint64 k;

      memcpy (&k, p + mid * stride + key_offset, sizeof k);
      if (k <= key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

G_END_DECLS
