/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-heap.h: the heap of a process that loads captures */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Grows the heap once for loads and asks for huge pages there; ONE_ARENA:
 * every thread allocates from that heap (for loads on worker threads).
 * Called before a loading command runs, or at the app's start. */
gboolean scorch_heap_prepare (gboolean one_arena);
/* Before a load in a process that lives on: free heap for it at the top,
 * and the whole heap marked for huge pages again (scorch-heap.c). */
gboolean scorch_heap_refill  (void);
void     scorch_heap_release (void);
/* A load that leaves a CPU idle: up to BYTES of the heap's free range
 * faulted in on another thread (scorch-heap.c). */
void     scorch_heap_populate (gsize bytes);
/* Between loads (the app, idle): the next load's free range faulted in
 * ahead of it, on another thread (scorch-heap.c). */
void     scorch_heap_prefault (void);
/* A large block that grows (a load's sample array): its whole huge pages
 * asked for as huge pages, wherever malloc put it (scorch-heap.c). */
void     scorch_heap_advise_huge (gpointer data,
                                  gsize    bytes);

G_END_DECLS
