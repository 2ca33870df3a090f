/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include "scorch-addr-map.h"

void
scorch_addr_map_init (ScorchAddrMap *map,
                      gsize          size)
{
  g_return_if_fail (size >= 2 && (size & (size - 1)) == 0);

  map->slots = g_new0 (ScorchAddrMapSlot, size);
  map->mask = size - 1;
  map->len = 0;
}

void
scorch_addr_map_clear (ScorchAddrMap *map)
{
  g_clear_pointer (&map->slots, g_free);
  map->mask = 0;
  map->len = 0;
}

static void
scorch_addr_map_grow (ScorchAddrMap *map)
{
  ScorchAddrMapSlot *old = map->slots;
  gsize old_size = map->mask + 1;

  scorch_addr_map_init (map, old_size * 2);
  for (gsize i = 0; i < old_size; i++)
    if (old[i].stored != 0)
      scorch_addr_map_insert (map, old[i].k1, old[i].k2, old[i].stored - 1);
  g_free (old);
}

/* Inserts or replaces. */
void
scorch_addr_map_insert (ScorchAddrMap *map,
                        guint64        k1,
                        guint64        k2,
                        guint64        value)
{
  gsize i;

  g_return_if_fail (value != SCORCH_ADDR_MAP_EMPTY);

  /* at most half full: probes stay short */
  if ((map->len + 1) * 2 > map->mask + 1)
    scorch_addr_map_grow (map);
  i = scorch_addr_map_hash (k1, k2) & map->mask;
  while (map->slots[i].stored != 0)
    {
      if (map->slots[i].k1 == k1 && map->slots[i].k2 == k2)
        {
          map->slots[i].stored = value + 1;
          return;
        }
      i = (i + 1) & map->mask;
    }
  map->slots[i].k1 = k1;
  map->slots[i].k2 = k2;
  map->slots[i].stored = value + 1;
  map->len++;
}
