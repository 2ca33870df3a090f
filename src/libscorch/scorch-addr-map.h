/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-addr-map.h: an open-addressing hash map from a pair of 64-bit
 * keys (a module and an address in it) to a 64-bit value: the address
 * caches of the symbolizer and the analyzer. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The one value that cannot be stored. */
#define SCORCH_ADDR_MAP_EMPTY G_MAXUINT64

typedef struct
{
  guint64 k1;
  guint64 k2;
  guint64 stored;  /* value + 1; 0: a free slot (so new slots are calloc'ed pages) */
} ScorchAddrMapSlot;

typedef struct
{
  ScorchAddrMapSlot *slots;
  gsize              mask;
  gsize              len;
} ScorchAddrMap;

/* size: the first number of slots, a power of two. */
void scorch_addr_map_init   (ScorchAddrMap *map,
                             gsize          size);
void scorch_addr_map_clear  (ScorchAddrMap *map);
void scorch_addr_map_insert (ScorchAddrMap *map,
                             guint64        k1,
                             guint64        k2,
                             guint64        value);

static inline gsize
scorch_addr_map_hash (guint64 k1,
                      guint64 k2)
{
  guint64 h = k1 * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^
              (k2 + (k2 >> 29)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);

  return (gsize) (h ^ (h >> 32));
}

/* Inline: the analyzer looks up every frame of every sample. */
static inline gboolean
scorch_addr_map_lookup (const ScorchAddrMap *map,
                        guint64              k1,
                        guint64              k2,
                        guint64             *value)
{
  gsize i = scorch_addr_map_hash (k1, k2) & map->mask;

  for (;;)
    {
      const ScorchAddrMapSlot *s = &map->slots[i];

      if (s->stored == 0)
        return FALSE;
      if (s->k1 == k1 && s->k2 == k2)
        {
          *value = s->stored - 1;
          return TRUE;
        }
      i = (i + 1) & map->mask;
    }
}

G_END_DECLS
