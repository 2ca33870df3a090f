/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-heap.c: the heap of a process that loads captures, grown once and backed by huge pages */

#include "config.h"

#define G_LOG_DOMAIN "scorch-heap"

#include <glib.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <unistd.h>

#include "scorch-heap.h"

/* What a load of a capture allocates goes to the main heap in one go of
 * this size; the first huge-page-aligned part is marked for huge pages. */
#define HEAP_RESERVE    (64u << 20)
#define HUGE_PAGE_SIZE  (2u << 20)
/* Blocks below this stay in the heap instead of getting their own
 * mapping (the growing arrays of the profile builder and the batches). */
#define MMAP_THRESHOLD  (32u << 20)

/* A load touches tens of megabytes of fresh memory (batches, the call
 * tree, the address tables, arrays that grow by doubling). With 4 KiB
 * pages that is one page fault per 4 KiB, and on a virtual machine a fault
 * costs microseconds: a third of a frame-pointer load's CPU time went to
 * them. Here the heap is grown once by HEAP_RESERVE (and keeps that much
 * free at its top when it shrinks), and that range is marked
 * MADV_HUGEPAGE, so that the kernel backs it with 2 MiB pages where it can
 * (transparent huge pages "always" or "madvise"); large blocks come from
 * that heap too. Memory beyond the reserve gets ordinary pages. Only what
 * is touched becomes resident, so the resident size grows by less than a
 * huge page per region touched. A no-op where mallopt() or
 * MADV_HUGEPAGE are missing. Returns whether the range was marked.
 *
 * ONE_ARENA is for a process whose loads run on other threads (the app's
 * loader is a GTask): glibc gives each new thread its own arena, a
 * separately mapped heap that none of this reaches, so the app's loads
 * paid every fault again (14k minor faults per fp-100k open against the
 * CLI's ~2.6k). With one arena every thread allocates from the prepared
 * heap; the price is one lock for all threads' allocations, small beside
 * the faults. Call it before any thread is started. */
gboolean
scorch_heap_prepare (gboolean one_arena)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  guintptr start, end;
  void *first;

  if (one_arena && mallopt (M_ARENA_MAX, 1) == 0)
    return FALSE;

  /* the threshold first: where it is refused (a 32-bit glibc caps it
   * far lower), the heap is left as it was */
  if (mallopt (M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 0 ||
      mallopt (M_TOP_PAD, HEAP_RESERVE) == 0)
    return FALSE;
  /* The next block the heap cannot hold moves the break by the reserve;
   * sbrk (0) only reads where the break is. */
  start = (guintptr) sbrk (0);
  first = malloc (HUGE_PAGE_SIZE);
  if (first == NULL)
    return FALSE;
  free (first);
  end = (guintptr) sbrk (0);
  start = (start + HUGE_PAGE_SIZE - 1) & ~(guintptr) (HUGE_PAGE_SIZE - 1);
  end &= ~(guintptr) (HUGE_PAGE_SIZE - 1);
  if (end <= start)
    return FALSE;
  return madvise ((void *) start, end - start, MADV_HUGEPAGE) == 0;
#else
  return FALSE;
#endif
}
