/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-addr-map.c: the address caches' hash map. */

#include "config.h"

#include <glib.h>

#include "scorch-addr-map.h"

static void
test_basic (void)
{
  ScorchAddrMap map;
  guint64 v = 0;

  scorch_addr_map_init (&map, 2);
  g_assert_false (scorch_addr_map_lookup (&map, 0, 0, &v));
  scorch_addr_map_insert (&map, 0, 0, 0);
  scorch_addr_map_insert (&map, 1, 0, 10);
  scorch_addr_map_insert (&map, 0, 1, 20);
  g_assert_true (scorch_addr_map_lookup (&map, 0, 0, &v));
  g_assert_cmpuint (v, ==, 0);
  /* both keys count */
  g_assert_true (scorch_addr_map_lookup (&map, 1, 0, &v));
  g_assert_cmpuint (v, ==, 10);
  g_assert_true (scorch_addr_map_lookup (&map, 0, 1, &v));
  g_assert_cmpuint (v, ==, 20);
  g_assert_false (scorch_addr_map_lookup (&map, 1, 1, &v));
  /* a second insert replaces */
  scorch_addr_map_insert (&map, 1, 0, 11);
  g_assert_true (scorch_addr_map_lookup (&map, 1, 0, &v));
  g_assert_cmpuint (v, ==, 11);
  g_assert_cmpuint (map.len, ==, 3);
  /* the largest storable value and key */
  scorch_addr_map_insert (&map, G_MAXUINT64, G_MAXUINT64, SCORCH_ADDR_MAP_EMPTY - 1);
  g_assert_true (scorch_addr_map_lookup (&map, G_MAXUINT64, G_MAXUINT64, &v));
  g_assert_cmpuint (v, ==, SCORCH_ADDR_MAP_EMPTY - 1);
  scorch_addr_map_clear (&map);
  g_assert_null (map.slots);
}

static void
test_grow (void)
{
  ScorchAddrMap map;
  guint64 v = 0;
  const guint n = 100000;

  scorch_addr_map_init (&map, 16);
  /* addresses of the same shape as code: close together, aligned */
  for (guint i = 0; i < n; i++)
    scorch_addr_map_insert (&map, i % 7, 0x400000 + (guint64) i * 16, i);
  g_assert_cmpuint (map.len, ==, n);
  g_assert_cmpuint (map.mask + 1, >=, 2 * n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (scorch_addr_map_lookup (&map, i % 7, 0x400000 + (guint64) i * 16, &v));
      g_assert_cmpuint (v, ==, i);
    }
  for (guint i = 0; i < 1000; i++)
    g_assert_false (scorch_addr_map_lookup (&map, (i % 7) + 1, 0x400000 + (guint64) i * 16 + 8, &v));
  scorch_addr_map_clear (&map);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/libscorch/addr-map/basic", test_basic);
  g_test_add_func ("/libscorch/addr-map/grow", test_grow);
  return g_test_run ();
}
