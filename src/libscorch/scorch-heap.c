/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-heap.c: the heap of a process that loads captures, grown once and backed by huge pages */

#include "config.h"

#define G_LOG_DOMAIN "scorch-heap"

#include <glib.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scorch-heap.h"
#include "scorch-util.h"

/* What a load of a capture allocates goes to the main heap in one go of
 * this size; the first huge-page-aligned part is marked for huge pages. */
#define HEAP_RESERVE    (64u << 20)
#define HUGE_PAGE_SIZE  (2u << 20)
/* Blocks below this stay in the heap instead of getting their own
 * mapping (the growing arrays of the profile builder and the batches). */
#define MMAP_THRESHOLD  (32u << 20)

/* Where the marked range starts (huge-page aligned), 0: not prepared. */
static guintptr heap_base;
/* a GMutex that ThreadSanitizer sees (scorch_mutex_lock): loads on two
 * threads refill and populate at once */
static GMutex heap_refill;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14 */
#endif

/* The range populate_thread maps; one at a time (populating says busy). */
static guintptr populate_start, populate_end;
static gint populating;
/* The free range the next load will use, for scorch_heap_populate(). */
static guintptr reserve_start, reserve_end;

/* A fresh huge page is zeroed by the kernel on its first touch: 2 MiB at
 * once, ~100 ms of the loading thread's CPU for the ~64 MB an fp-1M load
 * touches on this VM (clear_page_erms, 17% of that thread's samples). The
 * loading thread is the load's bottleneck while the other CPU waits, so
 * the free range is faulted in (MADV_POPULATE_WRITE: pages made present,
 * their contents untouched) on a thread of its own while the load starts.
 * A plain pthread: it allocates nothing (GLib's thread wrapper would, and
 * glibc would give the thread an arena of its own). Pages the load would
 * not have touched cost resident memory (at most the range), not time on
 * the loading thread. Older kernels refuse the advice: nothing happens. */
static void *
populate_thread (void *data)
{
  madvise ((void *) populate_start, populate_end - populate_start, MADV_POPULATE_WRITE);
  g_atomic_int_set (&populating, 0);
  return NULL;
}

static void
populate_async (guintptr start,
                guintptr end)
{
  pthread_attr_t attr;
  pthread_t thread;

  if (end <= start || !g_atomic_int_compare_and_exchange (&populating, 0, 1))
    return;
  populate_start = start;
  populate_end = end;
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create (&thread, &attr, populate_thread, NULL) != 0)
    g_atomic_int_set (&populating, 0);
  pthread_attr_destroy (&attr);
}

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
  if (madvise ((void *) start, end - start, MADV_HUGEPAGE) != 0)
    return FALSE;
  heap_base = start;
  scorch_mutex_lock (&heap_refill);
  reserve_start = start;
  reserve_end = end;
  scorch_mutex_unlock (&heap_refill);
  return TRUE;
#else
  return FALSE;
#endif
}

/* A process that lives on (the app) has used the prepared range for
 * other things by the time it loads: its window, its earlier profiles. A
 * load then grows the heap past the marked range, and that memory is
 * ordinary 4 KiB pages again (the break grows a mapping without the mark):
 * an fp-1M open in the app took 6.8k minor faults against the CLI's 2.2k,
 * 5.0k of them in the heap past the marked range. Before a load, this
 * makes the heap's free top at least REFILL_BLOCKS * REFILL_BLOCK (blocks
 * the heap must hold, as they are below the mmap threshold, freed at
 * once: the trim threshold is raised until scorch_heap_release(), or the
 * free would give them back) and marks the whole heap again, up to the
 * new break. Touches no page but the blocks' headers. A no-op unless
 * scorch_heap_prepare() marked the heap. */
#define REFILL_BLOCK        (30u << 20)
#define REFILL_BLOCKS       4
#define TRIM_WHILE_LOADING  (REFILL_BLOCKS * REFILL_BLOCK + HEAP_RESERVE)
#define TRIM_DEFAULT        (128u << 10)   /* glibc's M_TRIM_THRESHOLD */

static guint n_loading;

gboolean
scorch_heap_refill (void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  void *blocks[REFILL_BLOCKS];
  guintptr low = G_MAXSIZE, end;
  gboolean ok;

  if (heap_base == 0)
    return FALSE;
  scorch_mutex_lock (&heap_refill);
  if (n_loading++ == 0)
    mallopt (M_TRIM_THRESHOLD, TRIM_WHILE_LOADING);
  for (guint i = 0; i < REFILL_BLOCKS; i++)
    {
      blocks[i] = malloc (REFILL_BLOCK);
      if (blocks[i] != NULL)
        low = MIN (low, (guintptr) blocks[i]);
    }
  for (guint i = 0; i < REFILL_BLOCKS; i++)
    free (blocks[i]);
  end = (guintptr) sbrk (0) & ~(guintptr) (HUGE_PAGE_SIZE - 1);
  ok = end > heap_base && madvise ((void *) heap_base, end - heap_base, MADV_HUGEPAGE) == 0;
  /* the blocks were the free top (or free space below it): where the
   * load's first HEAP_RESERVE bytes will be */
  if (ok && low != G_MAXSIZE)
    {
      reserve_start = (low + HUGE_PAGE_SIZE - 1) & ~(guintptr) (HUGE_PAGE_SIZE - 1);
      reserve_end = MIN (end, reserve_start + HEAP_RESERVE);
    }
  scorch_mutex_unlock (&heap_refill);
  return ok;
#else
  return FALSE;
#endif
}

/* After a load that called scorch_heap_refill(): the heap may give its
 * free top back again (on a later free). */
void
scorch_heap_release (void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  if (heap_base == 0)
    return;
  scorch_mutex_lock (&heap_refill);
  if (n_loading > 0 && --n_loading == 0)
    mallopt (M_TRIM_THRESHOLD, TRIM_DEFAULT);
  scorch_mutex_unlock (&heap_refill);
#endif
}

/* Faults in up to BYTES of the range the last scorch_heap_prepare() or
 * scorch_heap_refill() left free, beside the caller (populate_thread);
 * once per prepare or refill. For a load that leaves a CPU idle (the
 * analyzer's frame-pointer loads, whose committing thread is the
 * bottleneck): where every CPU unwinds (DWARF), the zeroing would only
 * take CPU time from them. */
void
scorch_heap_populate (gsize bytes)
{
  guintptr start, end;

  scorch_mutex_lock (&heap_refill);
  start = reserve_start;
  end = MIN (reserve_end, reserve_start + (bytes & ~(gsize) (HUGE_PAGE_SIZE - 1)));
  reserve_start = reserve_end = 0;
  scorch_mutex_unlock (&heap_refill);
  populate_async (start, end);
}

/* For a process that waits for its next load (the app, idle): the free
 * top a load would get (scorch_heap_refill()), HEAP_RESERVE of it faulted
 * in now on another thread (scorch_heap_populate()).  The next load then
 * finds those pages present: its populate thread has nothing left to zero
 * and the loading thread does not wait for it (a populate over 64 MB holds
 * the process's mmap lock, and the loading thread stood blocked behind it
 * for ~0.1 s of every fp-1M load, in the CLI and the app alike; perf sched,
 * bench/README.md "Stop 27: app open").  The price is that range resident
 * between loads (at most HEAP_RESERVE: the heap keeps that much at its top
 * anyway, as M_TOP_PAD).  Nothing while a load runs: its refill chose its
 * range already. */
void
scorch_heap_prefault (void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  gboolean loading;

  if (heap_base == 0)
    return;
  scorch_mutex_lock (&heap_refill);
  loading = n_loading > 0;
  scorch_mutex_unlock (&heap_refill);
  if (loading)
    return;
  scorch_heap_refill ();
  scorch_heap_populate (HEAP_RESERVE);
  scorch_heap_release ();
#endif
}

/* A block of MMAP_THRESHOLD or more, or one that realloc could not grow at
 * the heap's top, is a mapping of its own, outside the range
 * scorch_heap_prepare() marked, and is faulted 4 KiB at a time: a load of
 * fp-1M's 939k samples then took 5-7k more minor faults (and, on a VM that
 * hands freed memory back to its host, up to 0.05 s more system time) on
 * the runs where glibc put the sample array there. Marking the block's
 * whole huge pages costs one madvise per doubling; inside the marked heap
 * it changes nothing. */
void
scorch_heap_advise_huge (gpointer data,
                         gsize    bytes)
{
#ifdef MADV_HUGEPAGE
  guintptr start = ((guintptr) data + HUGE_PAGE_SIZE - 1) & ~(guintptr) (HUGE_PAGE_SIZE - 1);
  guintptr end = ((guintptr) data + bytes) & ~(guintptr) (HUGE_PAGE_SIZE - 1);

  if (data != NULL && end > start)
    madvise ((void *) start, end - start, MADV_HUGEPAGE);
#endif
}
