/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-leaf-repair.c: the leaf repair decision of fp+repair
 * (scorch_leaf_repair_chain, scorch_unwinder_repair_leaf) on synthetic
 * registers and stack copies, with the CFI of leaf-repair-funcs.S */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "record-test-util.h"
#include "scorch-leaf-repair.h"

extern const char t_leaf_body[], t_fp_pushed[], t_fp_body[], t_fp_ret[], t_fp_epilogue[];
extern const char t_clobber_body[], t_frameless_caller_ret[], t_big_body[], t_outer_ret[];

#define A(label) ((guint64) (guintptr) (label))

/* the sampled stack pointer: not a real mapping, only the copy is read */
#define SP G_GUINT64_CONSTANT (0x7ffe00010000)
#define USER ((guint64) PERF_CONTEXT_USER)
#define KERNEL ((guint64) PERF_CONTEXT_KERNEL)
/* what the kernel read at bp + 8 and above: two return addresses */
#define X1 G_GUINT64_CONSTANT (0x5555500001111)
#define X2 G_GUINT64_CONSTANT (0x5555500002222)

static GArray *maps;   /* of ScorchMapping: this process's maps */

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

static void
read_maps (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  maps = g_array_new (FALSE, TRUE, sizeof (ScorchMapping));
  g_assert_true (g_file_get_contents ("/proc/self/maps", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      ScorchMapping m = { 0 };
      char perms[8];
      unsigned int maj, min;
      int name = 0;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %7s %" G_GINT64_MODIFIER "x %x:%x %" G_GINT64_MODIFIER "u %n",
                  &m.start, &m.end, perms, &m.pgoff, &maj, &min, &m.ino, &name) < 7)
        continue;
      if (perms[2] != 'x' || lines[i][name] != '/')
        continue;
      m.maj = maj;
      m.min = min;
      m.path = g_strdup (lines[i] + name);   /* leaked with the array: test lifetime */
      g_array_append_val (maps, m);
    }
}

typedef struct
{
  ScorchUnwinder *unwinder;
  guint64         stack[256];
  guint64         out[64];
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->unwinder = scorch_unwinder_new (find_mapping, NULL);
  memset (f->stack, 0, sizeof f->stack);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  scorch_unwinder_free (f->unwinder);
}

static guint
repair (Fixture          *f,
        const guint64    *chain,
        guint             nr,
        guint64           ip,
        guint64           bp,
        gsize             stack_len,
        ScorchLeafRepair *result)
{
  ScorchLeafRegs regs = { ip, SP, bp, (const guint8 *) f->stack, stack_len };

  return scorch_leaf_repair_chain (f->unwinder, getpid (), chain, nr, &regs, f->out, result);
}

#define ASSERT_CHAIN(f, n, ...) G_STMT_START {                             \
    const guint64 expected_[] = { __VA_ARGS__ };                           \
    g_assert_cmpmem ((f)->out, (n) * sizeof (guint64), expected_, sizeof expected_); \
  } G_STMT_END

/* A frameless leaf: rbp is still its caller's frame, the kernel's chain[1]
 * is the grandparent; the caller comes from the stack copy at CFA - 8. */
static void
test_frameless_leaf (Fixture       *f,
                     gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_leaf_body), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_fp_ret);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_leaf_body), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_INSERTED);
  ASSERT_CHAIN (f, n, USER, A (t_leaf_body), A (t_fp_ret), X1, X2);
}

/* Recursion: the recovered caller equals the kernel's next address and
 * both are kept (never deduplicated by address). */
static void
test_recursion_same_address (Fixture       *f,
                             gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_leaf_body), A (t_fp_ret), X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_fp_ret);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_leaf_body), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_INSERTED);
  ASSERT_CHAIN (f, n, USER, A (t_leaf_body), A (t_fp_ret), A (t_fp_ret), X2);
}

/* CFA from rbp: the frame is linked, the chain is left alone. */
static void
test_linked (Fixture       *f,
             gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_fp_body), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_outer_ret);   /* would be taken if the rule were ignored */
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_fp_body), SP + 16, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_LINKED);
  ASSERT_CHAIN (f, n, USER, A (t_fp_body), X1, X2);
}

/* After push %rbp, before mov %rsp,%rbp: rbp saved but unchanged. */
static void
test_prologue (Fixture       *f,
               gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_fp_pushed), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = SP + 64;           /* the saved rbp: the register's value */
  f->stack[1] = A (t_outer_ret);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_fp_pushed), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_INSERTED);
  ASSERT_CHAIN (f, n, USER, A (t_fp_pushed), A (t_outer_ret), X1, X2);
}

/* After pop %rbp, before ret: the CFI still names rbp's slot, now below
 * rsp; the register holds the caller's value again. */
static void
test_epilogue (Fixture       *f,
               gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_fp_epilogue), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_outer_ret);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_fp_epilogue), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_INSERTED);
  ASSERT_CHAIN (f, n, USER, A (t_fp_epilogue), A (t_outer_ret), X1, X2);
}

/* The leaf saved rbp and overwrote it: the kernel walked from garbage.
 * The caller is known from the CFI; the rest is cut. */
static void
test_clobbered_rbp (Fixture       *f,
                    gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_clobber_body), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = SP + 64;           /* the caller's rbp, saved */
  f->stack[1] = A (t_outer_ret);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_clobber_body), 0x1234, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_CUT);
  ASSERT_CHAIN (f, n, USER, A (t_clobber_body), A (t_outer_ret));
}

/* Two frames without a link (a leaf called by a frameless caller): both
 * are recovered, and the kernel's chain is right from the linked frame. */
static void
test_two_frameless (Fixture       *f,
                    gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_leaf_body), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_frameless_caller_ret);
  f->stack[2] = A (t_outer_ret);   /* the frameless caller's CFA is rsp + 16 */
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_leaf_body), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_INSERTED);
  ASSERT_CHAIN (f, n, USER, A (t_leaf_body), A (t_frameless_caller_ret), A (t_outer_ret), X1, X2);
}

/* The return address is beyond the stack copy: cut, counted short. */
static void
test_copy_too_small (Fixture       *f,
                     gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_big_body), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_big_body), SP + 2048, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_SHORT);
  ASSERT_CHAIN (f, n, USER, A (t_big_body));

  /* with a copy large enough it is repaired */
  f->stack[1024 / 8] = A (t_fp_ret);
  g_assert_cmpuint (sizeof f->stack, >=, 1032);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_big_body), SP + 2048, sizeof f->stack, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_INSERTED);
  ASSERT_CHAIN (f, n, USER, A (t_big_body), A (t_fp_ret), X1, X2);
}

/* A frame pointer below the stack pointer is no frame: cut. */
static void
test_implausible_bp (Fixture       *f,
                     gconstpointer  data)
{
  const guint64 chain[] = { USER, A (t_leaf_body), X1, X2 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_fp_ret);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_leaf_body), SP - 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_CUT);
  ASSERT_CHAIN (f, n, USER, A (t_leaf_body), A (t_fp_ret));
}

/* Samples in the kernel: the repair applies at the first user entry. */
static void
test_kernel_sample (Fixture       *f,
                    gconstpointer  data)
{
  const guint64 chain[] = { KERNEL, G_GUINT64_CONSTANT (0xffffffff81000010), G_GUINT64_CONSTANT (0xffffffff81000020),
                            USER, A (t_leaf_body), X1 };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_fp_ret);
  n = repair (f, chain, G_N_ELEMENTS (chain), A (t_leaf_body), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_INSERTED);
  ASSERT_CHAIN (f, n, KERNEL, G_GUINT64_CONSTANT (0xffffffff81000010), G_GUINT64_CONSTANT (0xffffffff81000020),
                USER, A (t_leaf_body), A (t_fp_ret), X1);
}

/* Nothing known, nothing changed: no mapping at the ip, a chain whose
 * leaf is not the sampled ip, no user part, no registers. */
static void
test_left_alone (Fixture       *f,
                 gconstpointer  data)
{
  const guint64 unmapped[] = { USER, 0x1000, X1 };
  const guint64 other_leaf[] = { USER, A (t_leaf_body), X1 };
  const guint64 kernel_only[] = { KERNEL, G_GUINT64_CONSTANT (0xffffffff81000010) };
  ScorchLeafRepair result;
  guint n;

  f->stack[0] = A (t_fp_ret);
  n = repair (f, unmapped, G_N_ELEMENTS (unmapped), 0x1000, SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_NO_CFI);
  ASSERT_CHAIN (f, n, USER, 0x1000, X1);

  n = repair (f, other_leaf, G_N_ELEMENTS (other_leaf), A (t_fp_body), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_NO_CFI);
  ASSERT_CHAIN (f, n, USER, A (t_leaf_body), X1);

  n = repair (f, kernel_only, G_N_ELEMENTS (kernel_only), A (t_leaf_body), SP + 64, 512, &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_NO_CFI);
  ASSERT_CHAIN (f, n, KERNEL, G_GUINT64_CONSTANT (0xffffffff81000010));

  n = scorch_leaf_repair_chain (f->unwinder, getpid (), other_leaf, G_N_ELEMENTS (other_leaf), NULL, f->out,
                                &result);
  g_assert_cmpint (result, ==, SCORCH_LEAF_REPAIR_NO_CFI);
  ASSERT_CHAIN (f, n, USER, A (t_leaf_body), X1);
}

/* The record rewrite: a batch of an MMAP2 (this test's code) and a sample
 * with registers and a stack copy becomes the MMAP2 unchanged and a plain
 * callchain sample with the repaired chain; the written attr has no
 * registers and no stack. */
static void
test_rewrite_records (void)
{
  struct perf_event_attr attr = { 0 };
  g_autoptr(ScorchLeafRepairer) repairer = NULL;
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const struct perf_event_attr *written;
  const ScorchMapping *m = find_mapping (NULL, 0, A (t_leaf_body));
  ScorchLeafRepairStats stats;
  guint32 pid = getpid ();
  gsize mmap_size, start;
  guint64 stack[8] = { A (t_fp_ret) };
  const guint64 *sample;

  g_assert_nonnull (m);
  attr.size = sizeof attr;
  attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
                     PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_REGS_USER |
                     PERF_SAMPLE_STACK_USER;
  attr.sample_regs_user = SCORCH_LEAF_REPAIR_REGS_MASK;
  attr.sample_stack_user = sizeof stack;
  attr.sample_id_all = 1;
  repairer = scorch_leaf_repairer_new (&attr);
  written = scorch_leaf_repairer_get_written_attr (repairer);
  g_assert_cmphex (written->sample_type, ==, attr.sample_type & ~(guint64) (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER));
  g_assert_cmphex (written->sample_regs_user, ==, 0);
  g_assert_cmpuint (written->sample_stack_user, ==, 0);

  /* MMAP2 of the code, with the sample_id trailer (tid, time, cpu) */
  test_rec_begin (in, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
  test_rec_put32 (in, pid);
  test_rec_put32 (in, pid);
  test_rec_put64 (in, m->start);
  test_rec_put64 (in, m->end - m->start);
  test_rec_put64 (in, m->pgoff);
  test_rec_put32 (in, m->maj);
  test_rec_put32 (in, m->min);
  test_rec_put64 (in, m->ino);
  test_rec_put64 (in, 0);
  test_rec_put32 (in, 5);   /* PROT_READ | PROT_EXEC */
  test_rec_put32 (in, 2);   /* MAP_PRIVATE */
  test_rec_put_string (in, m->path);
  test_rec_put64 (in, pid | ((guint64) pid << 32));
  test_rec_put64 (in, 1000);
  test_rec_put64 (in, 0);
  test_rec_end (in, 0);
  mmap_size = in->len;

  /* the sample */
  start = test_rec_begin (in, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
  test_rec_put64 (in, A (t_leaf_body));
  test_rec_put64 (in, pid | ((guint64) pid << 32));
  test_rec_put64 (in, 2000);
  test_rec_put64 (in, 1);
  test_rec_put64 (in, 1000000);
  test_rec_put64 (in, 4);
  test_rec_put64 (in, USER);
  test_rec_put64 (in, A (t_leaf_body));
  test_rec_put64 (in, X1);
  test_rec_put64 (in, X2);
  test_rec_put64 (in, PERF_SAMPLE_REGS_ABI_64);
  test_rec_put64 (in, SP + 64);       /* BP */
  test_rec_put64 (in, SP);            /* SP */
  test_rec_put64 (in, A (t_leaf_body));
  test_rec_put64 (in, sizeof stack);
  test_rec_put (in, stack, sizeof stack);
  test_rec_put64 (in, sizeof stack);  /* dyn_size */
  test_rec_end (in, start);

  scorch_leaf_repairer_process (repairer, in->data, in->len, out);

  g_assert_cmpuint (out->len, ==, mmap_size + 8 + 5 * 8 + 8 + 5 * 8);
  g_assert_cmpmem (out->data, mmap_size, in->data, mmap_size);
  sample = (const guint64 *) (gconstpointer) (out->data + mmap_size);
  g_assert_cmpuint (((const struct perf_event_header *) sample)->type, ==, PERF_RECORD_SAMPLE);
  g_assert_cmpuint (((const struct perf_event_header *) sample)->size, ==, 8 + 5 * 8 + 8 + 5 * 8);
  g_assert_cmphex (sample[1], ==, A (t_leaf_body));
  g_assert_cmpuint (sample[3], ==, 2000);
  g_assert_cmpuint (sample[6], ==, 5);
  g_assert_cmphex (sample[7], ==, USER);
  g_assert_cmphex (sample[8], ==, A (t_leaf_body));
  g_assert_cmphex (sample[9], ==, A (t_fp_ret));
  g_assert_cmphex (sample[10], ==, X1);
  g_assert_cmphex (sample[11], ==, X2);

  scorch_leaf_repairer_get_stats (repairer, &stats);
  g_assert_cmpuint (stats.samples, ==, 1);
  g_assert_cmpuint (stats.repaired, ==, 1);

  /* a truncated sample is dropped, never written half */
  g_byte_array_set_size (out, 0);
  ((struct perf_event_header *) (gpointer) (in->data + start))->size = 8 + 5 * 8 + 8 + 2 * 8;
  g_byte_array_set_size (in, start + 8 + 5 * 8 + 8 + 2 * 8);
  scorch_leaf_repairer_process (repairer, in->data, in->len, out);
  g_assert_cmpuint (out->len, ==, mmap_size);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  read_maps ();

#define ADD(path, func) g_test_add ("/libscorch/leaf-repair/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("frameless-leaf", test_frameless_leaf);
  ADD ("recursion-same-address", test_recursion_same_address);
  ADD ("linked", test_linked);
  ADD ("prologue", test_prologue);
  ADD ("epilogue", test_epilogue);
  ADD ("clobbered-rbp", test_clobbered_rbp);
  ADD ("two-frameless", test_two_frameless);
  ADD ("copy-too-small", test_copy_too_small);
  ADD ("implausible-bp", test_implausible_bp);
  ADD ("kernel-sample", test_kernel_sample);
  ADD ("left-alone", test_left_alone);
#undef ADD
  g_test_add_func ("/libscorch/leaf-repair/rewrite-records", test_rewrite_records);

  return g_test_run ();
}
