/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-heap.h: the heap of a process that loads captures */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Grows the heap once for loads and asks for huge pages there; ONE_ARENA:
 * every thread allocates from that heap (for loads on worker threads).
 * Called before a loading command runs, or at the app's start. */
gboolean scorch_heap_prepare (gboolean one_arena);

G_END_DECLS
