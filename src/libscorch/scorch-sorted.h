/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-sorted.h: sorting arrays of structs by a 64-bit address, and
 * binary search in them (symbol tables, scope and CU ranges). */

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

/* The GCompareFunc that sorts such an array when the address is the
 * struct's first member (or the element a bare guint64); a caller
 * G_STATIC_ASSERTs that offset is 0. */
static inline int
scorch_sorted_compare_leading_u64 (gconstpointer a,
                                   gconstpointer b)
{
  guint64 x, y;

  memcpy (&x, a, sizeof x);
  memcpy (&y, b, sizeof y);
  return x < y ? -1 : x > y ? 1 : 0;
}

G_END_DECLS
