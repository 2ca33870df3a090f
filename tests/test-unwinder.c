/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

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

static void
test_deep_chain (void)
{
  static const char *expected[] = {
    "unwind_chain_e", "unwind_chain_d", "unwind_chain_c", "unwind_chain_b",
    "unwind_chain_a", "unwind_chain_run", "test_deep_chain",
  };
  ScorchUnwinder *unw = scorch_unwinder_new (find_mapping, NULL);
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
test_debug_frame (void)
{
  static const char *expected[] = {
    "unwind_chain_df_e", "unwind_chain_df_d", "unwind_chain_df_c", "unwind_chain_df_b",
    "unwind_chain_df_a", "unwind_chain_df_run", "test_debug_frame",
  };
  ScorchUnwinder *unw = scorch_unwinder_new (find_mapping, NULL);
  g_autoptr(GPtrArray) names = NULL;
  gboolean truncated = TRUE;

  /* these functions have no .eh_frame entry: only .debug_frame unwinds them */
  unwind_chain_df_run (&sample, UNWIND_CHAIN_STACK_MAX);
  names = unwind_names (unw, &sample, &truncated);
  g_assert_cmpuint (names->len, >=, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (names, i), ==, expected[i]);
  g_assert_cmpuint (index_of (names, "main"), <, names->len);
  if (sample.reached_top)
    g_assert_false (truncated);
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
test_signal_frame (void)
{
  ScorchUnwinder *unw = scorch_unwinder_new (find_mapping, NULL);
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
  scorch_unwinder_free (unw);
}

static void
test_short_stack (void)
{
  ScorchUnwinder *unw = scorch_unwinder_new (find_mapping, NULL);
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
  scorch_unwinder_free (unw);
}

static void
test_garbage (void)
{
  ScorchUnwinder *unw = scorch_unwinder_new (find_mapping, NULL);
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
  scorch_unwinder_free (unw);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  load_maps ();
  g_test_add_func ("/libscorch/unwinder/deep-chain", test_deep_chain);
  g_test_add_func ("/libscorch/unwinder/debug-frame", test_debug_frame);
  g_test_add_func ("/libscorch/unwinder/signal-frame", test_signal_frame);
  g_test_add_func ("/libscorch/unwinder/short-stack", test_short_stack);
  g_test_add_func ("/libscorch/unwinder/garbage", test_garbage);
  ret = g_test_run ();
  for (guint i = 0; i < maps->len; i++)
    g_free ((char *) g_array_index (maps, ScorchMapping, i).path);
  g_array_unref (maps);
  return ret;
}
