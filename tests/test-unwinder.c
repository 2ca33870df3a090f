/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <glib/gstdio.h>

#include "scorch-capture-reader.h"
#include "scorch-perf-file.h"
#include "scorch-proc-table.h"
#include "scorch-symbolizer.h"
#include "scorch-unwinder.h"
#include "unwind-chain.h"

static GArray *maps;    /* ScorchMapping, paths owned */

static void
load_maps (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  maps = g_array_new (FALSE, TRUE, sizeof (ScorchMapping));
  g_assert_true (g_file_get_contents ("/proc/self/maps", &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end, pgoff, ino;
      unsigned int maj, min;
      char perms[8];
      int pos = 0;
      ScorchMapping m = { 0 };

      if (sscanf (lines[i], "%llx-%llx %7s %llx %x:%x %llu %n",
                  &start, &end, perms, &pgoff, &maj, &min, &ino, &pos) < 7)
        continue;
      m.start = start;
      m.end = end;
      m.pgoff = pgoff;
      m.maj = maj;
      m.min = min;
      m.ino = ino;
      m.path = g_strdup (pos > 0 ? lines[i] + pos : "");
      g_array_append_val (maps, m);
    }
}

static const ScorchMapping *
find_mapping (gpointer user_data,
              gint32   pid,
              guint64  addr)
{
  for (guint i = 0; i < maps->len; i++)
    {
      const ScorchMapping *m = &g_array_index (maps, ScorchMapping, i);
      if (addr >= m->start && addr < m->end)
        return m;
    }
  return NULL;
}

static UnwindChainSample sample;

static ScorchUnwinder *
new_unwinder (gconstpointer data)
{
  ScorchUnwinder *unw = scorch_unwinder_new (find_mapping, NULL);

  scorch_unwinder_set_engine (unw, GPOINTER_TO_INT (data));
  return unw;
}

static void
check_stats (ScorchUnwinder *unw,
             gconstpointer   data)
{
  guint64 n_samples = 0, n_libunwind = 0;

  scorch_unwinder_get_stats (unw, &n_samples, &n_libunwind);
  g_test_message ("%" G_GUINT64_FORMAT " samples, %" G_GUINT64_FORMAT " by libunwind",
                  n_samples, n_libunwind);
  g_assert_cmpuint (n_libunwind, <=, n_samples);
  switch (GPOINTER_TO_INT (data))
    {
    case SCORCH_UNWIND_ENGINE_CACHED_CFI:
      g_assert_cmpuint (n_libunwind, ==, 0);
      break;
    case SCORCH_UNWIND_ENGINE_LIBUNWIND:
      g_assert_cmpuint (n_libunwind, ==, n_samples);
      break;
    default:
      break;
    }
}

static void
test_deep_chain (gconstpointer data)
{
  static const char *expected[] = {
    "unwind_chain_e", "unwind_chain_d", "unwind_chain_c", "unwind_chain_b",
    "unwind_chain_a", "unwind_chain_run", "test_deep_chain",
  };
  ScorchUnwinder *unw = new_unwinder (data);
  ScorchSymbolizer *sym = scorch_symbolizer_new ();
  guint64 ips[SCORCH_UNWIND_MAX_DEPTH];
  gboolean truncated = TRUE;
  gboolean saw_main = FALSE;
  guint n;

  unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
  n = scorch_unwinder_unwind (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                              sample.stack, sample.stack_len, sample.sp, ips, G_N_ELEMENTS (ips),
                              &truncated);
  g_assert_cmpuint (n, >=, G_N_ELEMENTS (expected));

  for (guint i = 0; i < n; i++)
    {
      ScorchSymbol out[8];
      guint k = scorch_symbolizer_lookup_user (sym, getpid (), find_mapping (NULL, 0, ips[i]), ips[i],
                                               out, G_N_ELEMENTS (out));
      const char *name = out[k - 1].function;

      g_test_message ("#%u 0x%" G_GINT64_MODIFIER "x %s %s", i, ips[i], name, out[k - 1].module);
      if (i < G_N_ELEMENTS (expected))
        g_assert_cmpstr (name, ==, expected[i]);
      if (g_strcmp0 (name, "main") == 0)
        saw_main = TRUE;
    }
  g_assert_true (saw_main);
  if (sample.reached_top)
    g_assert_false (truncated);

  /* a second unwind of the same sample, from the caches, is identical */
  {
    guint64 ips2[SCORCH_UNWIND_MAX_DEPTH];
    gboolean t2;
    guint n2 = scorch_unwinder_unwind (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed,
                                       sample.n_packed, sample.stack, sample.stack_len, sample.sp,
                                       ips2, G_N_ELEMENTS (ips2), &t2);
    g_assert_cmpuint (n2, ==, n);
    g_assert_cmpmem (ips, n * 8, ips2, n2 * 8);
    g_assert_cmpint (t2, ==, truncated);
  }

  /* max_ips reached: truncated */
  n = scorch_unwinder_unwind (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                              sample.stack, sample.stack_len, sample.sp, ips, 3, &truncated);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (truncated);

  scorch_symbolizer_free (sym);
  check_stats (unw, data);
  if (GPOINTER_TO_INT (data) == SCORCH_UNWIND_ENGINE_AUTO)
    {
      guint64 n_libunwind = G_MAXUINT64;

      /* all of this chain has CFI the stepper handles */
      scorch_unwinder_get_stats (unw, NULL, &n_libunwind);
      g_assert_cmpuint (n_libunwind, ==, 0);
    }
  scorch_unwinder_free (unw);
}

/* Unwinds sample and returns the function names, outermost last. */
static GPtrArray *
unwind_names (ScorchUnwinder    *unw,
              UnwindChainSample *s,
              gboolean          *truncated)
{
  ScorchSymbolizer *sym = scorch_symbolizer_new ();
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint64 ips[SCORCH_UNWIND_MAX_DEPTH];
  guint n;

  n = scorch_unwinder_unwind (unw, getpid (), UNWIND_CHAIN_REGS_MASK, s->packed, s->n_packed,
                              s->stack, s->stack_len, s->sp, ips, G_N_ELEMENTS (ips), truncated);
  for (guint i = 0; i < n; i++)
    {
      ScorchSymbol out[8];
      const ScorchMapping *map = find_mapping (NULL, 0, ips[i]);
      const char *name = NULL;

      if (map != NULL)
        {
          guint k = scorch_symbolizer_lookup_user (sym, getpid (), map, ips[i], out, G_N_ELEMENTS (out));
          name = out[k - 1].function;
        }
      g_test_message ("#%u 0x%" G_GINT64_MODIFIER "x %s", i, ips[i], name);
      g_ptr_array_add (names, g_strdup (name != NULL ? name : "?"));
    }
  scorch_symbolizer_free (sym);
  return names;
}

static guint
index_of (GPtrArray  *names,
          const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), name) == 0)
      return i;
  return G_MAXUINT;
}

static void
test_debug_frame (gconstpointer data)
{
  static const char *expected[] = {
    "unwind_chain_df_e", "unwind_chain_df_d", "unwind_chain_df_c", "unwind_chain_df_b",
    "unwind_chain_df_a", "unwind_chain_df_run", "test_debug_frame",
  };
  ScorchUnwinder *unw = new_unwinder (data);
  g_autoptr(GPtrArray) names = NULL;
  gboolean truncated = TRUE;

  /* these functions have no .eh_frame entry: only .debug_frame unwinds them */
  unwind_chain_df_run (&sample, UNWIND_CHAIN_STACK_MAX);
  names = unwind_names (unw, &sample, &truncated);
  if (GPOINTER_TO_INT (data) == SCORCH_UNWIND_ENGINE_LIBUNWIND)
    {
      /* libunwind 1.6.2 cannot look up .debug_frame remotely (its
       * dwarf_find_debug_frame is not exported) and these functions keep
       * no frame pointer: it must stop early and say the stack is cut,
       * never invent callers. */
      g_assert_cmpuint (names->len, >=, 1);
      g_assert_cmpstr (g_ptr_array_index (names, 0), ==, expected[0]);
      g_assert_cmpuint (index_of (names, "main"), ==, G_MAXUINT);
      g_assert_true (truncated);
      check_stats (unw, data);
      scorch_unwinder_free (unw);
      return;
    }
  g_assert_cmpuint (names->len, >=, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (names, i), ==, expected[i]);
  g_assert_cmpuint (index_of (names, "main"), <, names->len);
  if (sample.reached_top)
    g_assert_false (truncated);
  check_stats (unw, data);
  scorch_unwinder_free (unw);
}

static UnwindChainSample signal_sample;

static volatile int raiser_sink;

__attribute__((noinline)) static void
on_sigusr1 (int signum)
{
  unwind_chain_run (&signal_sample, UNWIND_CHAIN_STACK_MAX);
  raiser_sink++;   /* not a tail call */
}

__attribute__((noinline)) static void
signal_raiser (void)
{
  raise (SIGUSR1);
  raiser_sink++;
}

static void
test_signal_frame (gconstpointer data)
{
  ScorchUnwinder *unw = new_unwinder (data);
  g_autoptr(GPtrArray) names = NULL;
  struct sigaction sa = { 0 }, old;
  gboolean truncated = TRUE;
  guint handler, raiser, caller, main_at;

  sa.sa_handler = on_sigusr1;
  sigemptyset (&sa.sa_mask);
  g_assert_cmpint (sigaction (SIGUSR1, &sa, &old), ==, 0);
  signal_raiser ();
  g_assert_cmpint (sigaction (SIGUSR1, &old, NULL), ==, 0);

  /* handler -> kernel's signal frame (__restore_rt, whose CFI restores
   * every register from the ucontext with DWARF expressions) -> raise ->
   * the interrupted caller and on to main */
  names = unwind_names (unw, &signal_sample, &truncated);
  handler = index_of (names, "on_sigusr1");
  raiser = index_of (names, "signal_raiser");
  caller = index_of (names, "test_signal_frame");
  main_at = index_of (names, "main");
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "unwind_chain_e");
  g_assert_cmpuint (handler, ==, 6);
  g_assert_cmpuint (raiser, >, handler + 1);
  g_assert_cmpuint (raiser, <, names->len);
  g_assert_cmpuint (caller, ==, raiser + 1);
  g_assert_cmpuint (main_at, >, caller);
  g_assert_cmpuint (main_at, <, names->len);
  if (signal_sample.reached_top)
    g_assert_false (truncated);
  check_stats (unw, data);
  scorch_unwinder_free (unw);
}

static void
test_short_stack (gconstpointer data)
{
  ScorchUnwinder *unw = new_unwinder (data);
  guint64 ips[SCORCH_UNWIND_MAX_DEPTH];
  gboolean truncated = FALSE;
  guint n;

  /* only 256 bytes of stack: the unwind stops early and says so */
  unwind_chain_run (&sample, 256);
  n = scorch_unwinder_unwind (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                              sample.stack, sample.stack_len, sample.sp, ips, G_N_ELEMENTS (ips),
                              &truncated);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <, 10);
  g_assert_true (truncated);
  g_assert_cmpuint (ips[0], ==, sample.regs[8]);

  /* no stack at all: the leaf only */
  n = scorch_unwinder_unwind (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                              NULL, 0, sample.sp, ips, G_N_ELEMENTS (ips), &truncated);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (truncated);

  /* no IP in the mask */
  n = scorch_unwinder_unwind (unw, getpid (), 0x7, sample.packed, 3,
                              sample.stack, sample.stack_len, sample.sp, ips, G_N_ELEMENTS (ips),
                              &truncated);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (truncated);

  /* fewer registers than the mask says */
  n = scorch_unwinder_unwind (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, 4,
                              sample.stack, sample.stack_len, sample.sp, ips, G_N_ELEMENTS (ips),
                              &truncated);
  g_assert_cmpuint (n, ==, 0);
  check_stats (unw, data);
  scorch_unwinder_free (unw);
}

static void
test_garbage (gconstpointer data)
{
  ScorchUnwinder *unw = new_unwinder (data);
  GRand *rand = g_rand_new_with_seed (7);
  static guint8 junk[8192];
  guint64 ips[SCORCH_UNWIND_MAX_DEPTH];

  unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
  for (guint iter = 0; iter < 2000; iter++)
    {
      guint64 regs[24];
      gboolean truncated;
      gsize len = g_rand_int_range (rand, 0, sizeof junk / 8) * 8;
      guint n;

      for (gsize i = 0; i < sizeof junk; i++)
        junk[i] = g_rand_int_range (rand, 0, 256);
      /* plant plausible return addresses and stack pointers among the junk */
      for (guint i = 0; i < 32; i++)
        {
          guint64 v = g_rand_boolean (rand) ? sample.regs[8] + g_rand_int_range (rand, -64, 64)
                                            : sample.sp + g_rand_int_range (rand, 0, 8192);
          memcpy (junk + g_rand_int_range (rand, 0, sizeof junk / 8) * 8, &v, 8);
        }
      memcpy (regs, sample.packed, sizeof regs);
      for (guint i = 0; i < sample.n_packed; i++)
        if (i != 8 && g_rand_boolean (rand))
          regs[i] = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      if (iter % 3 == 0)
        regs[8] = sample.regs[8] + g_rand_int_range (rand, -256, 256);
      n = scorch_unwinder_unwind (unw, 1000 + iter % 5, UNWIND_CHAIN_REGS_MASK, regs, sample.n_packed,
                                  junk, len, sample.sp, ips, G_N_ELEMENTS (ips), &truncated);
      g_assert_cmpuint (n, <=, G_N_ELEMENTS (ips));
      if (iter % 100 == 0)
        scorch_unwinder_invalidate (unw, 1000 + iter % 5);
    }
  scorch_unwinder_forget (unw, 1000);
  g_rand_free (rand);
  check_stats (unw, data);
  scorch_unwinder_free (unw);
}

/* Cross-check on a real capture: perf record --call-graph dwarf of
 * programs built without frame pointers, every sample unwound by both
 * engines from the same registers and stack copy. */

typedef struct
{
  ScorchProcTable *procs;
} CrossCtx;

static const ScorchMapping *
cross_find_mapping (gpointer user_data,
                    gint32   pid,
                    guint64  addr)
{
  CrossCtx *ctx = user_data;
  const ScorchProcMap *m = scorch_proc_table_find_map (ctx->procs, pid, addr);

  return m != NULL ? &m->map : NULL;
}

static gboolean
perf_available (void)
{
  g_autofree char *out = NULL;
  int status = -1;

  if (!g_spawn_command_line_sync ("perf --version", &out, NULL, &status, NULL) || status != 0)
    return FALSE;
  return TRUE;
}

/* Records argv into path; FALSE (with the reason) when perf cannot. */
static gboolean
record_dwarf (const char  *path,
              const char **argv,
              char       **reason)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (args, (char *) "perf");
  g_ptr_array_add (args, (char *) "record");
  g_ptr_array_add (args, (char *) "-q");
  g_ptr_array_add (args, (char *) "-e");
  g_ptr_array_add (args, (char *) "cpu-clock");
  g_ptr_array_add (args, (char *) "-F");
  g_ptr_array_add (args, (char *) "2000");
  g_ptr_array_add (args, (char *) "--call-graph");
  g_ptr_array_add (args, (char *) "dwarf,8192");
  g_ptr_array_add (args, (char *) "-o");
  g_ptr_array_add (args, (char *) path);
  g_ptr_array_add (args, (char *) "--");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);
  if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      *reason = g_strdup_printf ("perf record failed: %s", error != NULL ? error->message : err);
      return FALSE;
    }
  return TRUE;
}

static void
cross_check_capture (const char *path,
                     guint      *out_samples,
                     guint      *out_same,
                     guint      *out_deep,
                     guint      *out_lu_short)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new (path, &error);
  CrossCtx ctx = { scorch_proc_table_new () };
  ScorchUnwinder *cfi = scorch_unwinder_new (cross_find_mapping, &ctx);
  ScorchUnwinder *lu = scorch_unwinder_new (cross_find_mapping, &ctx);
  ScorchUnwinder *autou = scorch_unwinder_new (cross_find_mapping, &ctx);
  ScorchCaptureAttrs *attrs;
  ScorchRecord rec;
  guint n_samples = 0, n_same = 0, n_deep = 0, n_auto_same = 0, n_lu_short = 0;
  guint64 auto_lu = 0;
  g_autoptr(GHashTable) execed = g_hash_table_new (NULL, NULL);

  g_assert_no_error (error);
  attrs = scorch_capture_reader_get_attrs (reader);
  scorch_unwinder_set_engine (cfi, SCORCH_UNWIND_ENGINE_CACHED_CFI);
  scorch_unwinder_set_engine (lu, SCORCH_UNWIND_ENGINE_LIBUNWIND);
  scorch_unwinder_set_engine (autou, SCORCH_UNWIND_ENGINE_AUTO);

  while (scorch_capture_reader_next (reader, &rec, &error))
    {
      const guint8 *d = rec.data + sizeof (struct perf_event_header);

      if (rec.type == PERF_RECORD_MMAP2 && rec.size >= 8 + 64)
        {
          gint32 pid;
          guint64 addr, len, pgoff, ino = 0;
          guint32 maj = 0, min = 0, prot;
          g_autofree char *name = NULL;
          gsize body = rec.size - 8 - (rec.attr != NULL ? rec.attr->id_hdr_size : 0);

          memcpy (&pid, d, 4);
          memcpy (&addr, d + 8, 8);
          memcpy (&len, d + 16, 8);
          memcpy (&pgoff, d + 24, 8);
          if (!(rec.misc & PERF_RECORD_MISC_MMAP_BUILD_ID))
            {
              memcpy (&maj, d + 32, 4);
              memcpy (&min, d + 36, 4);
              memcpy (&ino, d + 40, 8);
            }
          memcpy (&prot, d + 56, 4);
          name = g_strndup ((const char *) d + 64, body > 64 ? body - 64 : 0);
          if (pid != -1)
            scorch_proc_table_mmap (ctx.procs, pid, addr, len, pgoff, name, maj, min, ino,
                                    (rec.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) ? d + 36 : NULL,
                                    (rec.misc & PERF_RECORD_MISC_MMAP_BUILD_ID) ? MIN (d[32], 20) : 0,
                                    prot, rec.time);
        }
      else if (rec.type == PERF_RECORD_COMM && rec.size >= 16)
        {
          gint32 pid, tid;
          g_autofree char *comm = g_strndup ((const char *) d + 8, rec.size - 16);

          memcpy (&pid, d, 4);
          memcpy (&tid, d + 4, 4);
          if (rec.misc & PERF_RECORD_MISC_COMM_EXEC)
            g_hash_table_add (execed, GINT_TO_POINTER (pid));
          if (scorch_proc_table_comm (ctx.procs, pid, tid, comm, (rec.misc & PERF_RECORD_MISC_COMM_EXEC) != 0,
                                      rec.time))
            {
              scorch_unwinder_invalidate (cfi, pid);
              scorch_unwinder_invalidate (lu, pid);
              scorch_unwinder_invalidate (autou, pid);
            }
        }
      else if (rec.type == PERF_RECORD_FORK && rec.size >= 24)
        {
          gint32 pid, ppid, tid, ptid;

          memcpy (&pid, d, 4);
          memcpy (&ppid, d + 4, 4);
          memcpy (&tid, d + 8, 4);
          memcpy (&ptid, d + 12, 4);
          scorch_proc_table_fork (ctx.procs, pid, ppid, tid, ptid, rec.time);
        }
      else if (rec.type == PERF_RECORD_SAMPLE)
        {
          ScorchSampleData s;
          guint64 regs[64], ips_a[SCORCH_UNWIND_MAX_DEPTH], ips_b[SCORCH_UNWIND_MAX_DEPTH];
          guint64 ips_c[SCORCH_UNWIND_MAX_DEPTH];
          gboolean ta, tb, tc;
          guint na, nb, nc, sp_index;

          g_assert_true (scorch_capture_attrs_parse_sample (attrs, &rec, &s, &error));
          if (s.regs_abi == 0 || s.stack == NULL || !(s.regs_mask & (1u << 7)))
            continue;
          /* the workload, not perf's own forked child before its exec */
          if (!g_hash_table_contains (execed, GINT_TO_POINTER (s.pid)))
            continue;
          memcpy (regs, s.regs, 8 * MIN (s.n_regs, 64));
          sp_index = __builtin_popcountll (s.regs_mask & ((1u << 7) - 1));
          na = scorch_unwinder_unwind (cfi, s.pid, s.regs_mask, regs, MIN (s.n_regs, 64), s.stack,
                                       s.stack_size, regs[sp_index], ips_a, G_N_ELEMENTS (ips_a), &ta);
          nb = scorch_unwinder_unwind (lu, s.pid, s.regs_mask, regs, MIN (s.n_regs, 64), s.stack,
                                       s.stack_size, regs[sp_index], ips_b, G_N_ELEMENTS (ips_b), &tb);
          nc = scorch_unwinder_unwind (autou, s.pid, s.regs_mask, regs, MIN (s.n_regs, 64), s.stack,
                                       s.stack_size, regs[sp_index], ips_c, G_N_ELEMENTS (ips_c), &tc);
          n_samples++;
          if (na >= 3)
            n_deep++;
          if (na == nb && ta == tb && memcmp (ips_a, ips_b, na * 8) == 0)
            n_same++;
          else
            {
              /* The one difference seen: libunwind goes wrong one frame
               * out of a process's exit path (__run_exit_handlers, main
               * calling exit) and stops, marked truncated, where the
               * stepper reaches _start; both agree up to there. */
              if (tb && !ta && na > nb && nb >= 2 && memcmp (ips_a, ips_b, 2 * 8) == 0)
                n_lu_short++;
              GString *msg = g_string_new (NULL);

              g_string_append_printf (msg, "differ: pid %d cfi %u%s libunwind %u%s:", s.pid, na, ta ? " (truncated)" : "",
                                      nb, tb ? " (truncated)" : "");
              for (guint i = 0; i < MAX (na, nb); i++)
                g_string_append_printf (msg, " [%#" G_GINT64_MODIFIER "x %#" G_GINT64_MODIFIER "x]",
                                        i < na ? ips_a[i] : 0, i < nb ? ips_b[i] : 0);
              g_test_message ("%s", msg->str);
              g_string_free (msg, TRUE);
            }
          if (nc == nb && tc == tb && memcmp (ips_c, ips_b, nc * 8) == 0)
            n_auto_same++;
        }
    }
  g_assert_no_error (error);
  scorch_unwinder_get_stats (autou, NULL, &auto_lu);
  g_test_message ("%s: %u samples, %u with >= 3 frames, %u identical (cfi vs libunwind), "
                  "%u where libunwind stopped early, "
                  "%u identical (auto vs libunwind), auto used libunwind for %" G_GUINT64_FORMAT,
                  path, n_samples, n_deep, n_same, n_lu_short, n_auto_same, auto_lu);
  /* AUTO is never worse than the stepper alone against the reference */
  g_assert_cmpuint (n_auto_same, >=, n_same);
  *out_samples = n_samples;
  *out_same = n_same;
  *out_lu_short = n_lu_short;
  *out_deep = n_deep;
  scorch_unwinder_free (autou);
  scorch_unwinder_free (lu);
  scorch_unwinder_free (cfi);
  scorch_proc_table_free (ctx.procs);
}

static void
test_cross_check (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *workload = g_test_build_filename (G_TEST_BUILT, "workloads", "analysis-c-nofp", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  const char *c_argv[] = { workload, "0.4", NULL };
  const char *py_argv[] = { python, "-c",
    "import json, re\n"
    "def f(n):\n"
    "    return n if n < 2 else f(n - 1) + f(n - 2)\n"
    "x = 0\n"
    "for i in range(60):\n"
    "    x += f(18) + len(json.dumps([re.sub('a', 'b', str(k)) for k in range(300)]))\n",
    NULL };
  struct { const char *name; const char **argv; } runs[] = {
    { "c-nofp", c_argv },
    { "python3", py_argv },
  };
  g_autoptr(GError) error = NULL;

  if (!perf_available ())
    {
      g_test_skip ("perf is not installed");
      return;
    }
  if (!g_file_test (workload, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("the analysis-c-nofp workload is not built");
      return;
    }
  dir = g_dir_make_tmp ("scorch-unwind-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      g_autofree char *path = g_build_filename (dir, runs[r].name, NULL);
      g_autofree char *reason = NULL;
      guint n_samples = 0, n_same = 0, n_deep = 0, n_lu_short = 0;

      if (runs[r].argv[0] == NULL)
        continue;
      if (!record_dwarf (path, runs[r].argv, &reason))
        {
          /* perf_event_open refused: nothing to compare */
          g_remove (path);
          g_test_skip (reason);
          break;
        }
      cross_check_capture (path, &n_samples, &n_same, &n_deep, &n_lu_short);
      g_remove (path);
      g_assert_cmpuint (n_samples, >=, 50);
      /* real unwinding happened: most stacks are deeper than leaf + caller */
      g_assert_cmpuint (n_deep, >=, n_samples / 2);
      /* Both engines agree on every sample (ips and truncation), but for
       * at most 1% where libunwind stops early on the exit path (above).
       * Known, not yet explained: in about 1 python3 sample in 500 the
       * two differ otherwise (the stepper stopping after a wrong frame
       * where libunwind goes on; each is logged by cross_check_capture):
       * tolerated for python3 within the same 1%, for the C workload not. */
      if (r == 0)
        g_assert_cmpuint (n_same + n_lu_short, ==, n_samples);
      g_assert_cmpuint (n_samples - n_same, <=, MAX (2, n_samples / 100));
    }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  static const struct { const char *name; ScorchUnwindEngine engine; } engines[] = {
    { "cfi", SCORCH_UNWIND_ENGINE_CACHED_CFI },
    { "libunwind", SCORCH_UNWIND_ENGINE_LIBUNWIND },
    { "auto", SCORCH_UNWIND_ENGINE_AUTO },
  };
  static const struct { const char *name; GTestDataFunc func; } tests[] = {
    { "deep-chain", test_deep_chain },
    { "debug-frame", test_debug_frame },
    { "signal-frame", test_signal_frame },
    { "short-stack", test_short_stack },
    { "garbage", test_garbage },
  };
  int ret;

  g_test_init (&argc, &argv, NULL);
  load_maps ();
  for (guint e = 0; e < G_N_ELEMENTS (engines); e++)
    for (guint t = 0; t < G_N_ELEMENTS (tests); t++)
      {
        g_autofree char *path = g_strdup_printf ("/libscorch/unwinder/%s/%s", engines[e].name, tests[t].name);

        g_test_add_data_func (path, GINT_TO_POINTER (engines[e].engine), tests[t].func);
      }
  g_test_add_func ("/libscorch/unwinder/cross-check-perf", test_cross_check);
  ret = g_test_run ();
  for (guint i = 0; i < maps->len; i++)
    g_free ((char *) g_array_index (maps, ScorchMapping, i).path);
  g_array_unref (maps);
  return ret;
}
