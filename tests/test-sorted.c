/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sorted.c: scorch-sorted.h, the comparator that sorts address-keyed
 * arrays and the upper bound searched in them */

#include "config.h"

#include <stdlib.h>

#include <glib.h>

#include "scorch-sorted.h"

typedef struct
{
  guint64     addr;
  const char *name;
} Sym;

/* Structs with the address first sort by it, across the whole 64-bit
 * range (a comparator that subtracted would wrap for the top addresses). */
static void
test_compare_structs (void)
{
  Sym syms[] = {
    { G_GUINT64_CONSTANT (0xffffffff81000000), "kernel" },
    { 0x401000, "main" },
    { G_MAXUINT64, "top" },
    { 0, "zero" },
    { 0x400000, "start" },
  };
  const char *expected[] = { "zero", "start", "main", "kernel", "top" };
  GArray *array = g_array_new (FALSE, FALSE, sizeof (Sym));

  g_array_append_vals (array, syms, G_N_ELEMENTS (syms));
  g_array_sort (array, scorch_sorted_compare_leading_u64);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_array_index (array, Sym, i).name, ==, expected[i]);

  /* equal keys compare equal, and the search finds past both */
  g_assert_cmpint (scorch_sorted_compare_leading_u64 (&syms[1], &syms[1]), ==, 0);
  g_assert_cmpuint (scorch_sorted_upper_bound (array->data, array->len, sizeof (Sym),
                                               G_STRUCT_OFFSET (Sym, addr), 0x401000), ==, 3);
  g_assert_cmpuint (scorch_sorted_upper_bound (array->data, array->len, sizeof (Sym),
                                               G_STRUCT_OFFSET (Sym, addr), 0x3fffff), ==, 1);
  g_array_unref (array);
}

/* A bare guint64 array is the degenerate case. */
static void
test_compare_bare (void)
{
  guint64 v[] = { 3, G_MAXUINT64, 1, G_GUINT64_CONSTANT (1) << 63 };

  qsort (v, G_N_ELEMENTS (v), sizeof v[0], scorch_sorted_compare_leading_u64);
  g_assert_cmpuint (v[0], ==, 1);
  g_assert_cmpuint (v[1], ==, 3);
  g_assert_cmpuint (v[2], ==, G_GUINT64_CONSTANT (1) << 63);
  g_assert_cmpuint (v[3], ==, G_MAXUINT64);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/libscorch/sorted/compare-structs", test_compare_structs);
  g_test_add_func ("/libscorch/sorted/compare-bare", test_compare_bare);
  return g_test_run ();
}
