/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "scorch-dwarf"

#include <dwarf.h>

#include "scorch-dwarf-cu-index.h"
#include "scorch-sorted.h"

/* A code range of one CU, as found. */
typedef struct
{
  guint64 lo, hi;
  guint32 cu;               /* index into cus */
} Range;

/* One disjoint segment of the flattened index. */
typedef struct
{
  guint64 lo, hi;
  guint32 cu;
} Segment;

struct _ScorchDwarfCuIndex
{
  GArray *cus;              /* Dwarf_Die, one per unit with code ranges */
  GArray *segments;         /* Segment, sorted by lo, disjoint */
};

/* More ranges than this in one CU DIE is garbage. */
#define MAX_CU_RANGES (1u << 20)

static int
range_compare (gconstpointer pa,
               gconstpointer pb)
{
  const Range *a = pa, *b = pb;

  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  /* the outer range first, so the inner one is pushed over it */
  if (a->hi != b->hi)
    return a->hi > b->hi ? -1 : 1;
  return a->cu < b->cu ? -1 : a->cu > b->cu;
}

static void
emit (GArray  *segments,
      guint64  lo,
      guint64  hi,
      guint32  cu)
{
  Segment *last;

  if (hi <= lo)
    return;
  last = segments->len > 0 ? &g_array_index (segments, Segment, segments->len - 1) : NULL;
  if (last != NULL && last->cu == cu && last->hi == lo)
    {
      last->hi = hi;
      return;
    }
  g_array_append_val (segments, ((Segment) { lo, hi, cu }));
}

/* Sweeps the sorted ranges keeping a stack of the open ones: each point
 * belongs to the most recently opened range that still covers it. */
static void
flatten (GArray *ranges,
         GArray *segments)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Range));
  guint64 pos = 0;

  for (guint i = 0; i <= ranges->len; i++)
    {
      const Range *r = i < ranges->len ? &g_array_index (ranges, Range, i) : NULL;

      /* close what ends before r starts (everything at the end) */
      while (stack->len > 0)
        {
          Range *top = &g_array_index (stack, Range, stack->len - 1);
          guint64 boundary;

          if (top->hi <= pos)
            {
              g_array_set_size (stack, stack->len - 1);
              continue;
            }
          boundary = r != NULL ? MIN (top->hi, r->lo) : top->hi;
          emit (segments, pos, boundary, top->cu);
          pos = MAX (pos, boundary);
          if (r != NULL && pos >= r->lo)
            break;
        }
      if (r == NULL)
        break;
      g_array_append_val (stack, *r);
      pos = r->lo;
    }
}

ScorchDwarfCuIndex *
scorch_dwarf_cu_index_new (Dwarf *dbg)
{
  ScorchDwarfCuIndex *self = g_new0 (ScorchDwarfCuIndex, 1);
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  Dwarf_CU *unit = NULL;
  Dwarf_Half version;
  guint8 unit_type;
  Dwarf_Die cudie, subdie;

  self->cus = g_array_new (FALSE, FALSE, sizeof (Dwarf_Die));
  self->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  if (dbg == NULL)
    return self;

  while (dwarf_get_units (dbg, unit, &unit, &version, &unit_type, &cudie, &subdie) == 0)
    {
      Dwarf_Addr base, start, end;
      ptrdiff_t off = 0;
      guint n = 0;
      guint32 idx = self->cus->len;

      /* Type units hold no code; partial units (dwz) are imported by
       * the CUs that own the code.  A skeleton (split DWARF) carries
       * the ranges and the line table of its unit in this file. */
      if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton)
        continue;
      if (dwarf_tag (&cudie) != DW_TAG_compile_unit && dwarf_tag (&cudie) != DW_TAG_skeleton_unit)
        continue;
      while ((off = dwarf_ranges (&cudie, off, &base, &start, &end)) > 0 && n < MAX_CU_RANGES)
        {
          n++;
          if (end > start)
            g_array_append_val (ranges, ((Range) { start, end, idx }));
        }
      if (n > 0)
        g_array_append_val (self->cus, cudie);
    }

  g_array_sort (ranges, range_compare);
  flatten (ranges, self->segments);
  g_debug ("CU index: %u units, %u ranges, %u segments",
           self->cus->len, ranges->len, self->segments->len);
  return self;
}

void
scorch_dwarf_cu_index_free (ScorchDwarfCuIndex *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->cus);
  g_array_unref (self->segments);
  g_free (self);
}

guint
scorch_dwarf_cu_index_get_n_segments (ScorchDwarfCuIndex *self)
{
  return self->segments->len;
}

gboolean
scorch_dwarf_cu_index_lookup (ScorchDwarfCuIndex *self,
                              Dwarf_Addr          addr,
                              Dwarf_Die          *cu_out)
{
  const Segment *s = (const Segment *) (gpointer) self->segments->data;
  gsize i = scorch_sorted_upper_bound (s, self->segments->len, sizeof (Segment),
                                       G_STRUCT_OFFSET (Segment, lo), addr);

  if (i == 0 || addr >= s[i - 1].hi)
    return FALSE;
  *cu_out = g_array_index (self->cus, Dwarf_Die, s[i - 1].cu);
  return TRUE;
}

gboolean
scorch_dwarf_cu_find (Dwarf               *dbg,
                      ScorchDwarfCuIndex **index,
                      Dwarf_Addr           addr,
                      Dwarf_Die           *cu_out)
{
  if (dbg == NULL)
    return FALSE;
  if (dwarf_addrdie (dbg, addr, cu_out) != NULL)
    return TRUE;
  if (*index == NULL)
    *index = scorch_dwarf_cu_index_new (dbg);
  return scorch_dwarf_cu_index_lookup (*index, addr, cu_out);
}
