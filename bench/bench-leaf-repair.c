/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-leaf-repair.c: the per-sample cost of the fp+repair rewrite
 * (scorch_leaf_repairer_process()), which runs on the recording path.
 *
 * Builds batches like the recorder drains them (an MMAP2 of this program's
 * code, then samples with a callchain, BP/SP/IP and a stack copy) and
 * times the rewrite:
 *   mapped   samples in mapped code: decode + CFI lookup + rewrite
 *   unmapped samples of a pid without maps: decode + rewrite only
 *
 * Usage: bench-leaf-repair [SAMPLES_PER_BATCH] [BATCHES] [STACK_BYTES] [ROUNDS]
 * Prints ns of thread CPU time per sample, the best of ROUNDS rounds
 * (default 15): on a shared machine the best round is the one least
 * disturbed. */

#include <glib.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scorch-leaf-repair.h"

static void
put64 (GByteArray *b,
       guint64     v)
{
  g_byte_array_append (b, (const guint8 *) &v, 8);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
set_size (GByteArray *b,
          gsize       start)
{
  struct perf_event_header *h = (gpointer) (b->data + start);

  h->size = b->len - start;
}

static void __attribute__((noinline))
bench_leaf (void)
{
  __asm__ volatile ("");
}

/* The mapping of this program's code: start, end, pgoff, path. */
static gboolean
find_self_text (guint64  addr,
                guint64 *start,
                guint64 *end,
                guint64 *pgoff,
                char    *path,
                gsize    path_size)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return FALSE;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long s, e, off;
      char perms[8], p[512] = "";

      if (sscanf (lines[i], "%llx-%llx %7s %llx %*s %*s %511s", &s, &e, perms, &off, p) < 4)
        continue;
      if (addr >= s && addr < e)
        {
          *start = s;
          *end = e;
          *pgoff = off;
          g_strlcpy (path, p, path_size);
          return TRUE;
        }
    }
  return FALSE;
}

static void
add_mmap2 (GByteArray *b,
           guint32     pid,
           guint64     start,
           guint64     end,
           guint64     pgoff,
           const char *path)
{
  struct perf_event_header h = { PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER, 0 };
  char name[512] = { 0 };
  gsize at = b->len;

  g_byte_array_append (b, (const guint8 *) &h, sizeof h);
  put32 (b, pid);
  put32 (b, pid);
  put64 (b, start);
  put64 (b, end - start);
  put64 (b, pgoff);
  put32 (b, 0);
  put32 (b, 0);
  put64 (b, 0);
  put64 (b, 0);
  put32 (b, 5);   /* PROT_READ | PROT_EXEC */
  put32 (b, 2);   /* MAP_PRIVATE */
  g_strlcpy (name, path, sizeof name);
  g_byte_array_append (b, (const guint8 *) name, (strlen (name) + 8) & ~7u);
  put64 (b, pid | ((guint64) pid << 32));   /* sample_id: tid, time, cpu */
  put64 (b, 1000);
  put64 (b, 0);
  set_size (b, at);
}

static void
add_sample (GByteArray *b,
            guint32     pid,
            guint64     ip,
            guint       stack_bytes)
{
  struct perf_event_header h = { PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 0 };
  gsize at = b->len;
  guint64 sp = G_GUINT64_CONSTANT (0x7ffc00001000);

  g_byte_array_append (b, (const guint8 *) &h, sizeof h);
  put64 (b, ip);
  put64 (b, pid | ((guint64) pid << 32));
  put64 (b, 2000);
  put64 (b, 1);
  put64 (b, 1000000);
  put64 (b, 6);
  put64 (b, (guint64) PERF_CONTEXT_USER);
  put64 (b, ip);
  put64 (b, ip + 16);
  put64 (b, ip + 32);
  put64 (b, ip + 48);
  put64 (b, ip + 64);
  put64 (b, PERF_SAMPLE_REGS_ABI_64);
  put64 (b, sp + 64);   /* BP */
  put64 (b, sp);        /* SP */
  put64 (b, ip);        /* IP */
  put64 (b, stack_bytes);
  for (guint i = 0; i < stack_bytes / 8; i++)
    put64 (b, ip + 8 * i);
  put64 (b, stack_bytes);   /* dyn_size */
  set_size (b, at);
}

static gint64
thread_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static double
run (const struct perf_event_attr *attr,
     GByteArray                   *batch,
     guint                         n_samples,
     guint                         batches,
     guint                         rounds)
{
  double best = G_MAXDOUBLE;

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(ScorchLeafRepairer) repairer = scorch_leaf_repairer_new (attr);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      gint64 t0 = thread_ns ();
      double ns;

      for (guint i = 0; i < batches; i++)
        {
          g_byte_array_set_size (out, 0);
          scorch_leaf_repairer_process (repairer, batch->data, batch->len, out);
        }
      ns = (double) (thread_ns () - t0) / ((double) n_samples * batches);
      best = MIN (best, ns);
    }
  return best;
}

int
main (int   argc,
      char *argv[])
{
  guint n_samples = argc > 1 ? atoi (argv[1]) : 256;
  guint batches = argc > 2 ? atoi (argv[2]) : 2000;
  guint stack_bytes = argc > 3 ? atoi (argv[3]) : SCORCH_LEAF_REPAIR_DEFAULT_STACK;
  guint rounds = argc > 4 ? atoi (argv[4]) : 15;
  struct perf_event_attr attr = { 0 };
  g_autoptr(GByteArray) mapped = g_byte_array_new ();
  g_autoptr(GByteArray) unmapped = g_byte_array_new ();
  guint64 ip = (guint64) (guintptr) bench_leaf;
  guint64 start, end, pgoff;
  char path[512];
  guint32 pid = getpid ();

  attr.size = sizeof attr;
  attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
                     PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_REGS_USER |
                     PERF_SAMPLE_STACK_USER;
  attr.sample_regs_user = SCORCH_LEAF_REPAIR_REGS_MASK;
  attr.sample_stack_user = stack_bytes;
  attr.sample_id_all = 1;

  if (!find_self_text (ip, &start, &end, &pgoff, path, sizeof path))
    {
      fprintf (stderr, "cannot find this program's code in /proc/self/maps\n");
      return 1;
    }
  add_mmap2 (mapped, pid, start, end, pgoff, path);
  for (guint i = 0; i < n_samples; i++)
    add_sample (mapped, pid, ip, stack_bytes);
  for (guint i = 0; i < n_samples; i++)
    add_sample (unmapped, pid + 1, ip, stack_bytes);

  printf ("samples/batch %u, batches %u, stack %u bytes\n", n_samples, batches, stack_bytes);
  printf ("mapped    %.1f ns/sample\n", run (&attr, mapped, n_samples, batches, rounds));
  printf ("unmapped  %.1f ns/sample\n", run (&attr, unmapped, n_samples, batches, rounds));
  return 0;
}
