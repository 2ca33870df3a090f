/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <gelf.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "scorch-capture-reader.h"
#include "scorch-perf-file.h"
#include "scorch-proc-table.h"
#include "scorch-symbolizer.h"
#include "scorch-unwinder.h"
#include "unwind-chain.h"

/* The unwinder reads a sample as one ScorchUnwindRegs; the tests below vary
 * its fields one by one, so they pass them positionally. */
static guint
unwind_packed (ScorchUnwinder *unw,
               gint32          pid,
               guint64         regs_mask,
               const guint64  *regs,
               guint           n_regs,
               const guint8   *stack,
               gsize           stack_len,
               guint64         stack_sp,
               guint64        *ips,
               guint           max_ips,
               gboolean       *truncated)
{
  ScorchUnwindRegs sample = { regs_mask, regs, n_regs, stack, stack_len, stack_sp };

  return scorch_unwinder_unwind (unw, pid, &sample, ips, max_ips, truncated);
}

static GArray *maps;    /* ScorchMapping, paths owned */
static GArray *maps_code;   /* gboolean per map: executable, or anonymous (may be JIT code) */

static void
load_maps (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  maps = g_array_new (FALSE, TRUE, sizeof (ScorchMapping));
  maps_code = g_array_new (FALSE, TRUE, sizeof (gboolean));
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
      {
        gboolean code = perms[2] == 'x' || m.path[0] == '\0';
        g_array_append_val (maps_code, code);
      }
    }
}

/* Whether addr may be code, by the test's own reading of its maps */
static gboolean
is_code (guint64 addr)
{
  for (guint i = 0; i < maps->len; i++)
    {
      const ScorchMapping *m = &g_array_index (maps, ScorchMapping, i);
      if (addr >= m->start && addr < m->end)
        return g_array_index (maps_code, gboolean, i);
    }
  return FALSE;
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

/* check_stats(), and with the automatic engine nothing went to libunwind
 * (the stepper handled every frame of the chain) */
static void
check_stats_stepper_only (ScorchUnwinder *unw,
                          gconstpointer   data)
{
  check_stats (unw, data);
  if (GPOINTER_TO_INT (data) == SCORCH_UNWIND_ENGINE_AUTO)
    {
      guint64 n_libunwind = G_MAXUINT64;

      scorch_unwinder_get_stats (unw, NULL, &n_libunwind);
      g_assert_cmpuint (n_libunwind, ==, 0);
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
  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
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
    guint n2 = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed,
                              sample.n_packed, sample.stack, sample.stack_len, sample.sp,
                              ips2, G_N_ELEMENTS (ips2), &t2);
    g_assert_cmpuint (n2, ==, n);
    g_assert_cmpmem (ips, n * 8, ips2, n2 * 8);
    g_assert_cmpint (t2, ==, truncated);
  }

  /* stack_sp 0: the copy starts at the sampled SP (as perf's does) */
  {
    ScorchUnwindRegs at_sp = { UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                               sample.stack, sample.stack_len, 0 };
    guint64 ips2[SCORCH_UNWIND_MAX_DEPTH];
    gboolean t2;
    guint n2;

    g_assert_cmpuint (sample.packed[7], ==, sample.sp);
    n2 = scorch_unwinder_unwind (unw, getpid (), &at_sp, ips2, G_N_ELEMENTS (ips2), &t2);
    g_assert_cmpuint (n2, ==, n);
    g_assert_cmpmem (ips, n * 8, ips2, n2 * 8);
    g_assert_cmpint (t2, ==, truncated);
  }

  /* max_ips reached: truncated */
  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                     sample.stack, sample.stack_len, sample.sp, ips, 3, &truncated);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (truncated);

  scorch_symbolizer_free (sym);
  /* all of this chain has CFI the stepper handles */
  check_stats_stepper_only (unw, data);
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

  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, s->packed, s->n_packed,
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
  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                     sample.stack, sample.stack_len, sample.sp, ips, G_N_ELEMENTS (ips),
                     &truncated);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <, 10);
  g_assert_true (truncated);
  g_assert_cmpuint (ips[0], ==, sample.regs[8]);

  /* no stack at all: the leaf only */
  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                     NULL, 0, sample.sp, ips, G_N_ELEMENTS (ips), &truncated);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (truncated);

  /* no IP in the mask */
  n = unwind_packed (unw, getpid (), 0x7, sample.packed, 3,
                     sample.stack, sample.stack_len, sample.sp, ips, G_N_ELEMENTS (ips),
                     &truncated);
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (truncated);

  /* fewer registers than the mask says */
  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, 4,
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
      n = unwind_packed (unw, 1000 + iter % 5, UNWIND_CHAIN_REGS_MASK, regs, sample.n_packed,
                         junk, len, sample.sp, ips, G_N_ELEMENTS (ips), &truncated);
      g_assert_cmpuint (n, <=, G_N_ELEMENTS (ips));
      /* the stepper checks itself: every caller it reports returns into
       * code (libunwind alone is not checked) */
      if (GPOINTER_TO_INT (data) != SCORCH_UNWIND_ENGINE_LIBUNWIND)
        for (guint i = 1; i < n; i++)
          g_assert_true (is_code (ips[i]));
      if (iter % 100 == 0)
        scorch_unwinder_invalidate (unw, 1000 + iter % 5);
    }
  scorch_unwinder_forget (unw, 1000);
  g_rand_free (rand);
  check_stats (unw, data);
  scorch_unwinder_free (unw);
}

/* Unwinds a copy of sample with a frame of unwind_chain_epilogue pushed
 * under it: registers as if unwind_chain_e had called it and it had stopped
 * at ip with frame_size bytes (locals, saved rbx, return address) on the
 * stack.  Returns the depth; ips and truncated as scorch_unwinder_unwind(). */
static guint
unwind_with_leaf (ScorchUnwinder          *unw,
                  const UnwindChainSample *s,
                  guint64                  ip,
                  gsize                    frame_size,
                  guint64                 *ips,
                  gboolean                *truncated)
{
  g_autofree guint8 *stack = g_malloc (s->stack_len + frame_size);
  guint64 packed[24];
  guint64 ra = s->regs[8];

  memset (stack, 0x5a, frame_size);   /* locals and saved rbx: junk */
  memcpy (stack + frame_size - 8, &ra, 8);
  memcpy (stack + frame_size, s->stack, s->stack_len);
  memcpy (packed, s->packed, sizeof packed);
  packed[7] = s->sp - frame_size;     /* SP, in mask order */
  packed[8] = ip;                     /* IP */
  return unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, packed, s->n_packed,
                        stack, s->stack_len + frame_size, packed[7], ips,
                        SCORCH_UNWIND_MAX_DEPTH, truncated);
}

static void
test_epilogue (gconstpointer data)
{
  ScorchUnwinder *unw = new_unwinder (data);
  guint64 ref[SCORCH_UNWIND_MAX_DEPTH], ips[SCORCH_UNWIND_MAX_DEPTH];
  gboolean ref_truncated, truncated;
  guint n_ref, n;

  unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
  n_ref = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                         sample.stack, sample.stack_len, sample.sp, ref, G_N_ELEMENTS (ref),
                         &ref_truncated);
  g_assert_cmpuint (n_ref, >=, 7);

  /* In the body first, which caches the body's CFI row, then at the ret
   * of the epilogue: libdw 0.188 gives the body row (after the
   * restore_state) a start before the epilogue, which must not make the
   * body's CFA (rsp+80) apply at the ret (rsp+8). */
  for (guint pass = 0; pass < 2; pass++)
    {
      guint64 ip = pass == 0 ? (guint64) (guintptr) unwind_chain_epilogue_body
                             : (guint64) (guintptr) unwind_chain_epilogue_ret;

      n = unwind_with_leaf (unw, &sample, ip, pass == 0 ? 80 : 8, ips, &truncated);
      g_test_message ("pass %u: %u frames (reference %u)", pass, n, n_ref);
      g_assert_cmpuint (n, ==, n_ref + 1);
      g_assert_cmpuint (ips[0], ==, ip);
      g_assert_cmpuint (ips[1], ==, ref[0] - 1);
      g_assert_cmpmem (ips + 2, (n_ref - 1) * 8, ref + 1, (n_ref - 1) * 8);
      g_assert_cmpint (truncated, ==, ref_truncated);
    }
  check_stats_stepper_only (unw, data);
  scorch_unwinder_free (unw);
}

static void
test_rbx_cfa (gconstpointer data)
{
  ScorchUnwinder *unw = new_unwinder (data);
  guint64 ref[SCORCH_UNWIND_MAX_DEPTH], ips[SCORCH_UNWIND_MAX_DEPTH];
  gboolean ref_truncated, truncated;
  g_autofree guint8 *stack = NULL;
  guint64 packed[24], v;
  guint n_ref, n;

  unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
  n_ref = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                         sample.stack, sample.stack_len, sample.sp, ref, G_N_ELEMENTS (ref),
                         &ref_truncated);
  g_assert_cmpuint (n_ref, >=, 7);

  /* unwind_chain_e -> unwind_chain_rbx_cfa -> unwind_chain_rbx_leaf, as
   * ld.so's _dl_fixup under _dl_runtime_resolve: from sample.sp down,
   * the return address into unwind_chain_e, the caller's rbx, 32 bytes of
   * locals, the return address into unwind_chain_rbx_cfa, the saved r13. */
  stack = g_malloc0 (sample.stack_len + 64);
  memcpy (stack + 64, sample.stack, sample.stack_len);
  v = sample.regs[8];
  memcpy (stack + 56, &v, 8);
  v = 0x1234;
  memcpy (stack + 48, &v, 8);
  v = (guint64) (guintptr) unwind_chain_rbx_cfa_ret;
  memcpy (stack + 8, &v, 8);
  memcpy (packed, sample.packed, sizeof packed);
  packed[1] = sample.sp - 16;   /* BX, in mask order: where the caller's rbx is */
  packed[7] = sample.sp - 64;   /* SP */
  packed[8] = (guint64) (guintptr) unwind_chain_rbx_leaf_body;
  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, packed, sample.n_packed, stack,
                     sample.stack_len + 64, packed[7], ips, G_N_ELEMENTS (ips), &truncated);
  g_test_message ("%u frames (reference %u)", n, n_ref);
  g_assert_cmpuint (n, ==, n_ref + 2);
  g_assert_cmpuint (ips[1], ==, (guint64) (guintptr) unwind_chain_rbx_cfa_ret - 1);
  g_assert_cmpuint (ips[2], ==, ref[0] - 1);
  g_assert_cmpmem (ips + 3, (n_ref - 1) * 8, ref + 1, (n_ref - 1) * 8);
  g_assert_cmpint (truncated, ==, ref_truncated);
  /* rbx, which no frame saved, is known without libunwind's help */
  check_stats_stepper_only (unw, data);
  scorch_unwinder_free (unw);
}

/* The vaddr of path's .plt when it has PLT0 and at least one entry
 * (16 bytes each), or 0 */
static guint64
find_plt (const char *path)
{
  guint64 addr = 0;
  size_t shstrndx;
  Elf_Scn *scn = NULL;
  Elf *elf;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  elf_version (EV_CURRENT);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  if (elf != NULL && elf_getshdrstrndx (elf, &shstrndx) == 0)
    while ((scn = elf_nextscn (elf, scn)) != NULL)
      {
        GElf_Shdr sh;
        const char *name;

        if (gelf_getshdr (scn, &sh) != NULL && (name = elf_strptr (elf, shstrndx, sh.sh_name)) != NULL &&
            strcmp (name, ".plt") == 0 && sh.sh_size >= 32)
          addr = sh.sh_addr;
      }
  if (elf != NULL)
    elf_end (elf);
  close (fd);
  return addr;
}

/* The runtime address of ld.so's .plt, or 0 */
static guint64
find_ldso_plt (void)
{
  for (guint i = 0; i < maps->len; i++)
    {
      const ScorchMapping *m = &g_array_index (maps, ScorchMapping, i);
      guint64 addr;

      if (strstr (m->path, "/ld-linux-x86-64.so") == NULL || m->pgoff != 0)
        continue;
      addr = find_plt (m->path);
      return addr != 0 ? m->start + addr : 0;   /* ld.so's first segment is at vaddr 0 */
    }
  return 0;
}

static void
test_plt_leaf (gconstpointer data)
{
  ScorchUnwindEngine engine = GPOINTER_TO_INT (data);
  ScorchUnwinder *unw;
  guint64 ref[SCORCH_UNWIND_MAX_DEPTH], ips[SCORCH_UNWIND_MAX_DEPTH];
  guint64 plt = find_ldso_plt ();
  gboolean ref_truncated, truncated;
  guint n_ref, n;

  if (plt == 0)
    {
      g_test_skip ("no ld-linux-x86-64.so with a .plt is mapped");
      return;
    }
  unw = new_unwinder (data);
  unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
  n_ref = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                         sample.stack, sample.stack_len, sample.sp, ref, G_N_ELEMENTS (ref),
                         &ref_truncated);
  g_assert_cmpuint (n_ref, >=, 7);

  /* Stopped in a stub of ld.so's .plt: at an entry's first instruction
   * (the return address on top; the CFI of the entries is a DWARF
   * expression of rsp and rip), and at PLT0's (after the entry pushed its
   * relocation index; a plain rsp+16 row). */
  for (guint pass = 0; pass < 2; pass++)
    {
      guint64 ip = pass == 0 ? plt + 16 : plt;

      n = unwind_with_leaf (unw, &sample, ip, pass == 0 ? 8 : 16, ips, &truncated);
      g_test_message ("pass %u: %u frames (reference %u)", pass, n, n_ref);
      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (ips[0], ==, ip);
      if (engine == SCORCH_UNWIND_ENGINE_LIBUNWIND)
        continue;   /* libunwind gives up at the entry (see test_cross_check) */
      g_assert_cmpuint (n, ==, n_ref + 1);
      g_assert_cmpuint (ips[1], ==, ref[0] - 1);
      g_assert_cmpmem (ips + 2, (n_ref - 1) * 8, ref + 1, (n_ref - 1) * 8);
      g_assert_cmpint (truncated, ==, ref_truncated);
    }
  check_stats_stepper_only (unw, data);
  scorch_unwinder_free (unw);
}

/* The vaddr of the first entry (after PLT0) of path's .plt, or 0 */
static guint64
find_plt_entry (const char *path)
{
  guint64 plt = find_plt (path);

  return plt != 0 ? plt + 16 : 0;
}

/* Puts in front of maps (before any stale entry of the test's start that
 * the range may reuse) the mappings the loader would make of path's
 * PT_LOAD segments, each from its offset and vaddr rounded down to a
 * page, at base; the number added, or 0. */
static guint
add_elf_maps (const char *path,
              guint64     base)
{
  struct stat st;
  size_t n_phdrs = 0;
  guint n = 0;
  Elf *elf;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  g_assert_no_errno (fstat (fd, &st));
  elf_version (EV_CURRENT);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  if (elf != NULL && elf_getphdrnum (elf, &n_phdrs) == 0)
    for (size_t i = 0; i < n_phdrs; i++)
      {
        GElf_Phdr ph;
        ScorchMapping m = { 0 };
        gboolean code;

        if (gelf_getphdr (elf, i, &ph) == NULL || ph.p_type != PT_LOAD)
          continue;
        m.start = base + (ph.p_vaddr & ~G_GUINT64_CONSTANT (0xfff));
        m.end = base + ((ph.p_vaddr + ph.p_memsz + 0xfff) & ~G_GUINT64_CONSTANT (0xfff));
        m.pgoff = ph.p_offset & ~G_GUINT64_CONSTANT (0xfff);
        m.maj = major (st.st_dev);
        m.min = minor (st.st_dev);
        m.ino = st.st_ino;
        m.path = g_strdup (path);
        code = (ph.p_flags & PF_X) != 0;
        g_array_insert_val (maps, n, m);
        g_array_insert_val (maps_code, n, code);
        n++;
      }
  if (elf != NULL)
    elf_end (elf);
  close (fd);
  return n;
}

/* lld emits no CFI for its .plt: a sample stopped at a PLT entry of a
 * program linked by it (here the unwind-vdso-lld workload's file, mapped
 * as the loader would at a reserved address range, its code mapping a
 * page below its segment) is stepped as the entry is known to be, the
 * return address on top of the stack. */
static void
test_plt_no_cfi (gconstpointer data)
{
  ScorchUnwindEngine engine = GPOINTER_TO_INT (data);
  g_autofree char *built = g_test_build_filename (G_TEST_BUILT, "workloads", "unwind-vdso-lld", NULL);
  /* as the kernel names a file mapping: by its absolute path */
  g_autofree char *path = g_canonicalize_filename (built, NULL);
  ScorchUnwinder *unw;
  guint64 ref[SCORCH_UNWIND_MAX_DEPTH], ips[SCORCH_UNWIND_MAX_DEPTH];
  guint64 entry = find_plt_entry (path), base, ip;
  gsize reserved = 1 << 20;
  gboolean ref_truncated, truncated;
  guint n_ref, n, n_added;
  void *area;

  if (entry == 0)
    {
      g_test_skip ("the unwind-vdso-lld workload is not built (no lld?)");
      return;
    }
  area = mmap (NULL, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (area != MAP_FAILED);
  base = (guint64) (guintptr) area;
  n_added = add_elf_maps (path, base);
  g_assert_cmpuint (n_added, >=, 2);
  g_assert_cmpuint (g_array_index (maps, ScorchMapping, n_added - 1).end, <=, base + reserved);

  unw = new_unwinder (data);
  unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
  n_ref = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                         sample.stack, sample.stack_len, sample.sp, ref, G_N_ELEMENTS (ref),
                         &ref_truncated);
  g_assert_cmpuint (n_ref, >=, 7);

  ip = base + entry;
  n = unwind_with_leaf (unw, &sample, ip, 8, ips, &truncated);
  g_test_message ("%u frames (reference %u)", n, n_ref);
  g_assert_cmpuint (n, ==, n_ref + 1);
  g_assert_cmpuint (ips[0], ==, ip);
  g_assert_cmpuint (ips[1], ==, ref[0] - 1);
  g_assert_cmpmem (ips + 2, (n_ref - 1) * 8, ref + 1, (n_ref - 1) * 8);
  /* (libunwind, the reference, steps the entry the same way, but calls
   * that stack truncated) */
  if (engine != SCORCH_UNWIND_ENGINE_LIBUNWIND)
    g_assert_cmpint (truncated, ==, ref_truncated);

  /* one byte into the entry is not an entry: no step made up there */
  if (engine == SCORCH_UNWIND_ENGINE_CACHED_CFI)
    {
      n = unwind_with_leaf (unw, &sample, ip + 1, 8, ips, &truncated);
      g_assert_cmpuint (n, ==, 1);
      g_assert_true (truncated);
    }
  check_stats_stepper_only (unw, data);
  scorch_unwinder_free (unw);

  for (guint i = 0; i < n_added; i++)
    g_free ((char *) g_array_index (maps, ScorchMapping, i).path);
  g_array_remove_range (maps, 0, n_added);
  g_array_remove_range (maps_code, 0, n_added);
  munmap (area, reserved);
}

/* The stack copy of sample with the return address into unwind_chain_d
 * replaced by value. */
static void
plant_return_address (UnwindChainSample *s,
                      guint64            ra_into_d,
                      guint64            value)
{
  for (gsize off = 0; off + 8 <= s->stack_len; off += 8)
    {
      guint64 v;

      memcpy (&v, s->stack + off, 8);
      if (v == ra_into_d)
        {
          memcpy (s->stack + off, &value, 8);
          return;
        }
    }
  g_assert_not_reached ();
}

static void
test_self_check (gconstpointer data)
{
  ScorchUnwindEngine engine = GPOINTER_TO_INT (data);
  ScorchUnwinder *unw = new_unwinder (data);
  guint64 ref[SCORCH_UNWIND_MAX_DEPTH], ips[SCORCH_UNWIND_MAX_DEPTH];
  guint64 bad[] = { 0, 0 };   /* 0, then a stack address (below) */
  guint64 n_libunwind = 0;
  gboolean truncated;
  guint n;

  unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
  n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                     sample.stack, sample.stack_len, sample.sp, ref, G_N_ELEMENTS (ref), &truncated);
  g_assert_cmpuint (n, >=, 3);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint64 before = 0, after = 0;

      bad[1] = sample.sp + 64;
      unwind_chain_run (&sample, UNWIND_CHAIN_STACK_MAX);
      plant_return_address (&sample, ref[1] + 1, bad[i]);
      scorch_unwinder_get_stats (unw, NULL, &before);
      n = unwind_packed (unw, getpid (), UNWIND_CHAIN_REGS_MASK, sample.packed, sample.n_packed,
                         sample.stack, sample.stack_len, sample.sp, ips, G_N_ELEMENTS (ips),
                         &truncated);
      scorch_unwinder_get_stats (unw, NULL, &after);
      g_test_message ("return address %#" G_GINT64_MODIFIER "x: %u frames%s, %" G_GUINT64_FORMAT " by libunwind",
                      bad[i], n, truncated ? " (truncated)" : "", after - before);
      g_assert_cmpuint (n, >=, 1);
      if (engine == SCORCH_UNWIND_ENGINE_LIBUNWIND)
        continue;
      /* only the leaf is known: no invented caller */
      g_assert_cmpuint (n, ==, 1);
      /* a stack address as return address: truncated.  0: the end as far
       * as the stack says, but no CFI said so */
      if (bad[i] != 0)
        g_assert_true (truncated);
      /* AUTO does not trust the stepper: it asks libunwind */
      if (engine == SCORCH_UNWIND_ENGINE_AUTO)
        g_assert_cmpuint (after - before, ==, 1);
    }
  scorch_unwinder_get_stats (unw, NULL, &n_libunwind);
  check_stats (unw, data);
  scorch_unwinder_free (unw);
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
    { "epilogue", test_epilogue },
    { "self-check", test_self_check },
    { "plt-leaf", test_plt_leaf },
    { "plt-no-cfi", test_plt_no_cfi },
    { "rbx-cfa", test_rbx_cfa },
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
  ret = g_test_run ();
  for (guint i = 0; i < maps->len; i++)
    g_free ((char *) g_array_index (maps, ScorchMapping, i).path);
  g_array_unref (maps);
  g_array_unref (maps_code);
  return ret;
}
