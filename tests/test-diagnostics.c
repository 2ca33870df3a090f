/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-diagnostics.c: the unwind diagnostics' classification and advice on
 * hand-built samples with a fake module check, and Scorch's feature
 * section (exit status, call-graph mode) written and read back. */

#include "config.h"

#include <fcntl.h>
#include <gelf.h>
#include <glib/gstdio.h>
#include <libelf.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture-notes-util.h"
#include "scorch-capture-reader.h"
#include "scorch-diagnostics.h"
#include "scorch-loader.h"
#include "scorch-elf-check.h"
#include "scorch-perf-writer.h"

#define PROG    "/opt/fake/prog"
#define LIBCXX  "/usr/lib/fake/libstdc++.so.6"
#define LIBC    "/usr/lib/fake/libc.so.6"
#define NOCFI   "/usr/lib/fake/libnocfi.so.1"
#define NOFP_PROG "/opt/fake/nofp-prog"
#define MISSING "/nonexistent/scorch-test/missing-prog"

/* The fake binaries: PROG keeps frame pointers except in leaf_nofp;
 * LIBCXX and LIBC have none; NOCFI has no .eh_frame. Function offsets
 * below 0x1000 are "found", above are not covered by a symbol. */
static gboolean
fake_check (const char *module,
            guint64     offset,
            gboolean   *found,
            gboolean   *frame,
            gboolean   *cfi,
            gboolean   *module_fp,
            gpointer    user_data)
{
  guint *calls = user_data;

  (*calls)++;
  if (g_str_equal (module, PROG))
    {
      *module_fp = TRUE;
      *found = TRUE;
      *frame = offset != 0x500; /* leaf_nofp */
      *cfi = TRUE;
      return TRUE;
    }
  if (g_str_equal (module, NOFP_PROG))
    {
      *module_fp = FALSE;
      *found = TRUE;
      *frame = FALSE;
      *cfi = TRUE;
      return TRUE;
    }
  if (g_str_equal (module, LIBCXX) || g_str_equal (module, LIBC) || g_str_equal (module, NOCFI))
    {
      *module_fp = FALSE;
      *found = offset < 0x1000;
      *frame = FALSE;
      *cfi = !g_str_equal (module, NOCFI);
      return TRUE;
    }
  return FALSE;
}

static ScorchStackAddress
addr (const char        *module,
      const char        *function,
      guint64            offset,
      ScorchMappingKind  mapping)
{
  ScorchStackAddress a = { module, function, offset, mapping, function != NULL };

  return a;
}

static ScorchDiagnostics *
new_diagnostics (ScorchStackMode  mode,
                 guint            copy,
                 guint           *calls)
{
  ScorchDiagnostics *d = scorch_diagnostics_new ();

  scorch_diagnostics_set_module_check (d, fake_check, calls);
  scorch_diagnostics_set_stack_mode (d, mode, copy);
  return d;
}

static void
add_n (ScorchDiagnostics      *d,
       const ScorchStackFacts *f,
       guint                   n)
{
  for (guint i = 0; i < n; i++)
    scorch_diagnostics_add_sample (d, f);
}

static ScorchStackFacts complete_main (void);

/* The stacks of a frame-pointer capture, one of each kind the counts
 * tell apart, and a DWARF one (not repeatable). */
static guint
repeat_facts (ScorchStackFacts *f)
{
  guint n = 0;

  memset (f, 0, 8 * sizeof *f);
  f[n] = complete_main (); n++;
  f[n].n_user = 4;                          /* stops in a library without frame pointers */
  f[n].leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  f[n].before_outer = addr (PROG, "std::thread::_State_impl::_M_run", 0x300, SCORCH_MAPPING_FILE);
  f[n].outer = addr (LIBCXX, NULL, 0xd44a3, SCORCH_MAPPING_FILE);
  f[n].max_depth = 127;
  n++;
  f[n].n_user = 3;                          /* a chain broken into a non-address */
  f[n].leaf = addr (PROG, "leaf_nofp", 0x500, SCORCH_MAPPING_FILE);
  f[n].before_outer = addr (PROG, "caller", 0x600, SCORCH_MAPPING_FILE);
  f[n].outer = addr ("", NULL, 0x1234, SCORCH_MAPPING_NONE);
  n++;
  f[n].n_user = 1;                          /* JIT code, at the leaf */
  f[n].leaf = f[n].outer = addr ("[anon]", NULL, 0x77, SCORCH_MAPPING_ANON);
  n++;
  f[n].n_kernel = 5;                        /* kernel only */
  n++;
  n++;                                      /* empty */
  f[n].n_user = 2;                          /* failed to unwind */
  f[n].unwind_failed = TRUE;
  f[n].leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  n++;
  f[n].n_user = 2;                          /* DWARF: the copy was too small */
  f[n].dwarf = TRUE;
  f[n].leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  f[n].outer = addr (PROG, "deep", 0x180, SCORCH_MAPPING_FILE);
  f[n].copy_requested = 8192;
  f[n].copy_valid = 8192;
  f[n].stack_needed = 20000;
  n++;
  return n;
}

/* scorch_diagnostics_repeat_sample counts a sample as add_sample would
 * count one with the same facts: everything read back is the same. */
static void
test_repeat_sample (void)
{
  guint calls_a = 0, calls_b = 0;
  g_autoptr(ScorchDiagnostics) a = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls_a);
  g_autoptr(ScorchDiagnostics) b = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls_b);
  ScorchStackFacts f[8];
  ScorchDiagnosticsRepeat r[8];
  guint n = repeat_facts (f);
  const ScorchUnwindStopEntry *sa, *sb;
  const ScorchLeafEntry *la, *lb;
  const ScorchAdvice *aa, *ab;
  guint n_sa, n_sb, n_la, n_lb, n_aa, n_ab;
  guint n_repeated = 0;

  for (guint i = 0; i < n; i++)
    {
      scorch_diagnostics_add_sample (a, &f[i]);
      scorch_diagnostics_add_sample_full (b, &f[i], &r[i]);
      g_assert_cmpint (r[i].repeatable, ==, !f[i].dwarf);
    }
  for (guint round = 1; round < 5; round++)
    for (guint i = 0; i < n; i++)
      for (guint k = 0; k < round * (i + 1); k++)
        {
          scorch_diagnostics_add_sample (a, &f[i]);
          if (r[i].repeatable)
            {
              scorch_diagnostics_repeat_sample (b, &r[i]);
              n_repeated++;
            }
          else
            scorch_diagnostics_add_sample (b, &f[i]);
        }
  g_assert_cmpuint (n_repeated, >, 0);
  scorch_diagnostics_finish (a);
  scorch_diagnostics_finish (b);

  g_assert_cmpuint (scorch_diagnostics_get_n_samples (a), ==, scorch_diagnostics_get_n_samples (b));
  g_assert_cmpuint (scorch_diagnostics_get_n_complete (a), ==, scorch_diagnostics_get_n_complete (b));
  g_assert_cmpuint (scorch_diagnostics_get_n_truncated (a), ==, scorch_diagnostics_get_n_truncated (b));
  g_assert_cmpuint (scorch_diagnostics_get_n_kernel_only (a), ==, scorch_diagnostics_get_n_kernel_only (b));
  g_assert_cmpuint (scorch_diagnostics_get_n_kernel_only (a), >, 0);

  sa = scorch_diagnostics_get_stops (a, &n_sa);
  sb = scorch_diagnostics_get_stops (b, &n_sb);
  g_assert_cmpuint (n_sa, ==, n_sb);
  g_assert_cmpuint (n_sa, >=, 4);
  for (guint i = 0; i < n_sa; i++)
    {
      g_assert_cmpstr (sa[i].module, ==, sb[i].module);
      g_assert_cmpstr (sa[i].function, ==, sb[i].function);
      g_assert_cmpint (sa[i].reason, ==, sb[i].reason);
      g_assert_cmpuint (sa[i].n_samples, ==, sb[i].n_samples);
      g_assert_cmpuint (sa[i].max_needed, ==, sb[i].max_needed);
      g_assert_cmpuint (sa[i].example_offset, ==, sb[i].example_offset);
      g_assert_cmpint (sa[i].at_leaf, ==, sb[i].at_leaf);
    }
  la = scorch_diagnostics_get_frameless_leaves (a, &n_la);
  lb = scorch_diagnostics_get_frameless_leaves (b, &n_lb);
  g_assert_cmpuint (n_la, ==, n_lb);
  for (guint i = 0; i < n_la; i++)
    {
      g_assert_cmpstr (la[i].module, ==, lb[i].module);
      g_assert_cmpstr (la[i].function, ==, lb[i].function);
      g_assert_cmpuint (la[i].n_samples, ==, lb[i].n_samples);
    }
  aa = scorch_diagnostics_get_advice (a, &n_aa);
  ab = scorch_diagnostics_get_advice (b, &n_ab);
  g_assert_cmpuint (n_aa, ==, n_ab);
  for (guint i = 0; i < n_aa; i++)
    g_assert_cmpstr (aa[i].text, ==, ab[i].text);
}

static gboolean
advice_contains (ScorchDiagnostics *d,
                 const char        *needle)
{
  guint n;
  const ScorchAdvice *a = scorch_diagnostics_get_advice (d, &n);

  for (guint i = 0; i < n; i++)
    if (strstr (a[i].text, needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
dump_advice (ScorchDiagnostics *d)
{
  guint n;
  const ScorchAdvice *a = scorch_diagnostics_get_advice (d, &n);

  for (guint i = 0; i < n; i++)
    g_test_message ("advice: %s", a[i].text);
}

static ScorchStackFacts
complete_main (void)
{
  ScorchStackFacts f = { 0, };

  f.n_user = 3;
  f.complete = TRUE;
  f.leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  f.outer = addr (LIBC, "__libc_start_call_main", 0x200, SCORCH_MAPPING_FILE);
  return f;
}

/* std::thread: the program keeps frame pointers, its threads start in
 * libstdc++, which has none: say so, and never "rebuild with frame
 * pointers". */
static void
test_thread_start_in_library (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts thread = { 0, };
  ScorchStackFacts main_thread = complete_main ();
  const ScorchUnwindStopEntry *stops;
  guint n_stops;

  thread.n_user = 4;
  thread.leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  thread.before_outer = addr (PROG, "std::thread::_State_impl::_M_run", 0x300, SCORCH_MAPPING_FILE);
  thread.outer = addr (LIBCXX, NULL, 0xd44a3, SCORCH_MAPPING_FILE);
  add_n (d, &thread, 90);
  add_n (d, &main_thread, 10);
  scorch_diagnostics_finish (d);
  dump_advice (d);

  g_assert_cmpuint (scorch_diagnostics_get_n_samples (d), ==, 100);
  g_assert_cmpuint (scorch_diagnostics_get_n_complete (d), ==, 10);
  g_assert_cmpuint (scorch_diagnostics_get_n_truncated (d), ==, 90);
  stops = scorch_diagnostics_get_stops (d, &n_stops);
  g_assert_cmpuint (n_stops, ==, 1);
  g_assert_cmpstr (stops[0].module, ==, LIBCXX);
  g_assert_null (stops[0].function);
  g_assert_cmpint (stops[0].reason, ==, SCORCH_UNWIND_STOP_NO_FRAME_POINTER);
  g_assert_cmpuint (stops[0].n_samples, ==, 90);
  g_assert_true (stops[0].checked);
  g_assert_false (stops[0].at_leaf);

  g_assert_true (advice_contains (d, "libstdc++.so.6 has no frame pointers; 90.0 % of stacks stop in it"));
  g_assert_false (advice_contains (d, "-fno-omit-frame-pointer"));
  g_assert_false (advice_contains (d, "rebuild"));
  /* one check per distinct place, not per sample */
  g_assert_cmpuint (calls, <=, 3);
}

/* The program itself has no frame pointers: then rebuilding is the advice. */
static void
test_program_without_frame_pointers (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts f = { 0, };
  const ScorchUnwindStopEntry *stops;
  guint n_stops;

  f.n_user = 2;
  f.leaf = addr (NOFP_PROG, "leaf", 0x100, SCORCH_MAPPING_FILE);
  f.outer = addr (NOFP_PROG, "middle", 0x200, SCORCH_MAPPING_FILE);
  add_n (d, &f, 50);
  scorch_diagnostics_finish (d);
  dump_advice (d);
  stops = scorch_diagnostics_get_stops (d, &n_stops);
  g_assert_cmpuint (n_stops, ==, 1);
  g_assert_true (stops[0].checked);
  g_assert_cmpint (stops[0].reason, ==, SCORCH_UNWIND_STOP_NO_FRAME_POINTER);
  g_assert_true (advice_contains (d, "nofp-prog has no frame pointers; 100.0 % of stacks stop in it"));
  g_assert_true (advice_contains (d, "rebuild it with -fno-omit-frame-pointer"));
}

/* A module whose file cannot be read here (missing, or a FIFO a hostile
 * capture names) is not blamed for missing frame pointers: the advice says
 * it cannot be read, and never to rebuild it. */
static void
test_unreadable_module (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts f = { 0, };
  const ScorchUnwindStopEntry *stops;
  guint n_stops;

  f.n_user = 2;
  f.leaf = addr (MISSING, NULL, 0x100, SCORCH_MAPPING_FILE);
  f.outer = addr (MISSING, NULL, 0x200, SCORCH_MAPPING_FILE);
  add_n (d, &f, 50);
  scorch_diagnostics_finish (d);
  dump_advice (d);
  stops = scorch_diagnostics_get_stops (d, &n_stops);
  g_assert_cmpuint (n_stops, ==, 1);
  g_assert_false (stops[0].checked);
  g_assert_cmpint (stops[0].reason, ==, SCORCH_UNWIND_STOP_MODULE_UNREADABLE);
  g_assert_true (advice_contains (d, "missing-prog, whose file cannot be read on this machine (no such file)"));
  g_assert_false (advice_contains (d, "rebuild"));
}

/* Samples with only kernel frames (execve, kernel threads) are not cut
 * short and ask for nothing. */
static void
test_kernel_only (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts f = { 0, };
  ScorchStackFacts main_thread = complete_main ();
  guint n_stops;

  f.n_kernel = 7;
  add_n (d, &f, 30);
  add_n (d, &main_thread, 70);
  scorch_diagnostics_finish (d);
  dump_advice (d);
  g_assert_cmpuint (scorch_diagnostics_get_n_kernel_only (d), ==, 30);
  g_assert_cmpuint (scorch_diagnostics_get_n_truncated (d), ==, 0);
  scorch_diagnostics_get_stops (d, &n_stops);
  g_assert_cmpuint (n_stops, ==, 0);
  g_assert_false (advice_contains (d, "frame pointer"));
  g_assert_true (advice_contains (d, "Every stack reaches its thread's entry"));
  /* only the complete samples' leaf was looked at (for frameless leaves) */
  g_assert_cmpuint (calls, ==, 1);
}

/* A chain that ends in a word that is no code address broke in the
 * function before it; a chain that stops in a function with a frame was
 * broken by a caller; an anonymous executable mapping is JIT code. */
static void
test_broken_chains (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP_REPAIR, 0, &calls);
  ScorchStackFacts garbage = { 0, }, broken = { 0, }, jit = { 0, }, unmapped = { 0, };
  const ScorchUnwindStopEntry *stops;
  guint n_stops;
  gboolean seen[SCORCH_N_UNWIND_STOPS] = { 0, };

  garbage.n_user = 3;
  garbage.leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  garbage.before_outer = addr (LIBC, "start_worker", 0x400, SCORCH_MAPPING_FILE);
  garbage.outer = addr ("", NULL, 0x4141414141, SCORCH_MAPPING_NONE);
  add_n (d, &garbage, 40);

  broken.n_user = 2;
  broken.leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  broken.outer = addr (PROG, "callback", 0x600, SCORCH_MAPPING_FILE);
  add_n (d, &broken, 30);

  jit.n_user = 2;
  jit.leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  jit.outer = addr ("//anon", NULL, 0x7000, SCORCH_MAPPING_ANON);
  add_n (d, &jit, 20);

  unmapped.n_user = 1;
  unmapped.leaf = unmapped.outer = addr ("", NULL, 0x1234, SCORCH_MAPPING_NONE);
  add_n (d, &unmapped, 10);

  scorch_diagnostics_finish (d);
  dump_advice (d);
  stops = scorch_diagnostics_get_stops (d, &n_stops);
  g_assert_cmpuint (n_stops, ==, 4);
  g_assert_cmpstr (stops[0].module, ==, LIBC);
  g_assert_cmpstr (stops[0].function, ==, "start_worker");
  g_assert_cmpint (stops[0].reason, ==, SCORCH_UNWIND_STOP_NO_FRAME_POINTER);
  for (guint i = 0; i < n_stops; i++)
    seen[stops[i].reason] = TRUE;
  g_assert_true (seen[SCORCH_UNWIND_STOP_BROKEN_CHAIN]);
  g_assert_true (seen[SCORCH_UNWIND_STOP_UNKNOWN_MAPPING]);
  g_assert_true (seen[SCORCH_UNWIND_STOP_UNMAPPED]);
  g_assert_true (advice_contains (d, "30.0 % of stacks stop in callback"));
  g_assert_true (advice_contains (d, "perf-PID.map"));
  g_assert_false (advice_contains (d, "rebuild it with -fno-omit-frame-pointer"));
  /* fp+repair: no list of frameless leaves */
  {
    guint n_leaves;

    scorch_diagnostics_get_frameless_leaves (d, &n_leaves);
    g_assert_cmpuint (n_leaves, ==, 0);
  }
}

/* perf record -g: leaves without a frame lose their caller. */
static void
test_frameless_leaves (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts nofp = complete_main (), withfp = complete_main ();
  const ScorchLeafEntry *leaves;
  guint n_leaves;

  nofp.leaf = addr (PROG, "leaf_nofp", 0x500, SCORCH_MAPPING_FILE);
  add_n (d, &nofp, 25);
  add_n (d, &withfp, 75);
  scorch_diagnostics_finish (d);
  dump_advice (d);
  leaves = scorch_diagnostics_get_frameless_leaves (d, &n_leaves);
  g_assert_cmpuint (n_leaves, ==, 1);
  g_assert_cmpstr (leaves[0].function, ==, "leaf_nofp");
  g_assert_cmpuint (leaves[0].n_samples, ==, 25);
  g_assert_true (advice_contains (d, "Callers of these leaves are missing (25.0 % of samples): leaf_nofp"));
}

/* The summary the app's view and report --diagnostics read holds what the
 * single getters give, every part filled. */
static void
test_summary (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts nofp = complete_main (), withfp = complete_main ();
  ScorchDiagnosticsSummary sum;
  guint n;

  nofp.leaf = addr (PROG, "leaf_nofp", 0x500, SCORCH_MAPPING_FILE);
  add_n (d, &nofp, 25);
  add_n (d, &withfp, 75);
  scorch_diagnostics_add_unnamed_module (d, "/usr/lib/libstripped.so", 7);
  scorch_diagnostics_finish (d);
  memset (&sum, 0xaa, sizeof sum);
  scorch_diagnostics_get_summary (d, &sum);

  g_assert_cmpuint (sum.n_samples, ==, 100);
  g_assert_true (sum.facts == scorch_diagnostics_get_facts (d, &n));
  g_assert_cmpuint (sum.n_facts, ==, n);
  g_assert_cmpuint (sum.n_facts, >, 0);
  g_assert_true (sum.stops == scorch_diagnostics_get_stops (d, &n));
  g_assert_cmpuint (sum.n_stops, ==, n);
  g_assert_true (sum.leaves == scorch_diagnostics_get_frameless_leaves (d, &n));
  g_assert_cmpuint (sum.n_leaves, ==, 1);
  g_assert_cmpstr (sum.leaves[0].function, ==, "leaf_nofp");
  g_assert_true (sum.unnamed == scorch_diagnostics_get_unnamed_modules (d, &n));
  g_assert_cmpuint (sum.n_unnamed, ==, 1);
  g_assert_cmpuint (sum.unnamed[0].n_samples, ==, 7);
  g_assert_true (sum.advice == scorch_diagnostics_get_advice (d, &n));
  g_assert_cmpuint (sum.n_advice, ==, n);
  g_assert_cmpuint (sum.n_advice, >, 0);
}

/* ---- captures recorded through sysprofd ---- */

static void
fill_via_sysprofd (ScorchCaptureNotes *notes)
{
  scorch_capture_notes_set_string (notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH, "fp");
  scorch_capture_notes_set_string (notes, SCORCH_CAPTURE_NOTE_RECORDED_VIA, "sysprofd");
}

static void
fill_via_direct (ScorchCaptureNotes *notes)
{
  scorch_capture_notes_set_string (notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH, "fp");
  scorch_capture_notes_set_string (notes, SCORCH_CAPTURE_NOTE_RECORDED_VIA, "direct");
}

static const char *
fact_value (ScorchDiagnostics *d,
            const char        *id)
{
  guint n;
  const ScorchCaptureFact *facts = scorch_diagnostics_get_facts (d, &n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (facts[i].id, id))
      return facts[i].value;
  return NULL;
}

/* The diagnostics of a capture whose note says VIA (as the analyzer
 * passes it on), with a quarter of the samples in a frameless leaf and a
 * fifth stopping in a library without frame pointers. */
static ScorchDiagnostics *
diagnostics_for_note (const char *dir,
                      void      (*fill) (ScorchCaptureNotes *notes))
{
  g_autoptr(GBytes) bytes = notes_make_capture (fill, 4);
  g_autofree char *path = g_build_filename (dir, "via.data", NULL);
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  guint calls = 0;
  ScorchDiagnostics *d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts nofp = complete_main (), withfp = complete_main (), lib = complete_main ();
  const ScorchProfileInfo *info;
  const char *via;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error));
  reader = scorch_capture_reader_new (path, &error);
  g_assert_no_error (error);
  via = scorch_capture_notes_get_string (scorch_capture_reader_get_notes (reader), SCORCH_CAPTURE_NOTE_RECORDED_VIA);
  g_assert_nonnull (via);

  /* the loader passes the note on to the capture's own diagnostics */
  profile = scorch_load_sync (path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  info = scorch_profile_get_info (profile);
  g_assert_nonnull (info->diagnostics);
  g_assert_cmpint (scorch_diagnostics_get_via_broker (info->diagnostics), ==, g_str_equal (via, "sysprofd"));
  g_assert_nonnull (fact_value (info->diagnostics, "recorded-via"));
  g_unlink (path);

  scorch_diagnostics_set_recorded_via (d, via);
  nofp.leaf = addr (PROG, "leaf_nofp", 0x500, SCORCH_MAPPING_FILE);
  lib.complete = FALSE;
  lib.outer = addr (LIBCXX, "execute_native_thread_routine", 0x300, SCORCH_MAPPING_FILE);
  add_n (d, &nofp, 25);
  add_n (d, &lib, 20);
  add_n (d, &withfp, 55);
  scorch_diagnostics_finish (d);
  dump_advice (d);
  return d;
}

/* Through sysprofd no registers or stacks are copied: the advice says
 * which callers are missing, that the broker cannot repair them, and that
 * direct access allows fp+repair or DWARF.  A direct capture keeps the
 * usual advice. */
static void
test_recorded_via_sysprofd (void)
{
  g_autofree char *dir = g_dir_make_tmp ("scorch-diag-XXXXXX", NULL);
  g_autoptr(ScorchDiagnostics) broker = diagnostics_for_note (dir, fill_via_sysprofd);
  g_autoptr(ScorchDiagnostics) direct = diagnostics_for_note (dir, fill_via_direct);

  g_assert_true (scorch_diagnostics_get_via_broker (broker));
  g_assert_true (advice_contains (broker, "Callers of these leaves are missing (25.0 % of samples): leaf_nofp"));
  g_assert_true (advice_contains (broker, "cannot be repaired in a capture recorded through sysprofd"));
  g_assert_true (advice_contains (broker, "CAP_PERFMON) record with --call-graph fp+repair or dwarf"));
  g_assert_false (advice_contains (broker, "plain frame-pointer chains cannot repair them"));
  /* every advice that asks for another mode says the broker cannot do it */
  {
    guint n;
    const ScorchAdvice *a = scorch_diagnostics_get_advice (broker, &n);

    for (guint i = 0; i < n; i++)
      if (strstr (a[i].text, "--call-graph") != NULL)
        g_assert_nonnull (strstr (a[i].text, "sysprofd"));
  }
  g_assert_nonnull (strstr (fact_value (broker, "recorded-via"), "sysprofd"));

  g_assert_false (scorch_diagnostics_get_via_broker (direct));
  g_assert_true (advice_contains (direct, "plain frame-pointer chains cannot repair them"));
  g_assert_false (advice_contains (direct, "sysprofd"));
  g_assert_nonnull (strstr (fact_value (direct, "recorded-via"), "directly"));
  g_rmdir (dir);
}

/* DWARF: copies that were full when unwinding stopped were too small;
 * the suggestion covers the stacks seen. A module without CFI is named. */
static void
test_dwarf (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_DWARF, 8192, &calls);
  ScorchStackFacts deep = { 0, }, nocfi = { 0, }, main_thread = complete_main ();
  const ScorchUnwindStopEntry *stops;
  guint n_stops;

  deep.dwarf = TRUE;
  deep.n_user = 30;
  deep.copy_requested = deep.copy_valid = 8192;
  deep.stack_needed = 20000;
  deep.leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  deep.outer = addr (PROG, "recurse", 0x200, SCORCH_MAPPING_FILE);
  add_n (d, &deep, 3);

  nocfi.dwarf = TRUE;
  nocfi.n_user = 2;
  nocfi.copy_requested = 8192;
  nocfi.copy_valid = 3000; /* reached the top of the stack: not the copy's fault */
  nocfi.leaf = addr (PROG, "work", 0x100, SCORCH_MAPPING_FILE);
  nocfi.outer = addr (NOCFI, "asm_loop", 0x300, SCORCH_MAPPING_FILE);
  add_n (d, &nocfi, 7);

  main_thread.dwarf = TRUE;
  add_n (d, &main_thread, 90);

  scorch_diagnostics_finish (d);
  dump_advice (d);
  stops = scorch_diagnostics_get_stops (d, &n_stops);
  g_assert_cmpuint (n_stops, ==, 2);
  g_assert_cmpint (stops[0].reason, ==, SCORCH_UNWIND_STOP_NO_CFI);
  g_assert_cmpstr (stops[0].module, ==, NOCFI);
  g_assert_cmpint (stops[1].reason, ==, SCORCH_UNWIND_STOP_STACK_COPY);
  g_assert_cmpuint (stops[1].max_needed, ==, 20000);
  g_assert_true (advice_contains (d, "stack copy of 8192 bytes too small for 3.0 % of samples (their stacks held up to 20000 bytes): "
                                    "use --call-graph dwarf,20480"));
  g_assert_true (advice_contains (d, "libnocfi.so.1 has no unwind information"));
  g_assert_false (advice_contains (d, "frame pointers;"));
}

/* Memory that no file backs (a thread's anonymous mappings, memfd code in
 * a system-wide capture) has no file to read and no symbols to install:
 * no advice names it as unreadable or as missing a -dbgsym package; a
 * file that is gone still gets its reason. */
static void
test_anonymous_memory (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts main_thread = complete_main ();

  add_n (d, &main_thread, 100);
  scorch_diagnostics_add_unnamed_module (d, "//anon", 30);
  scorch_diagnostics_add_unnamed_module (d, "/memfd:jit (deleted)", 20);
  scorch_diagnostics_add_unnamed_module (d, "/SYSV00000000", 10);
  scorch_diagnostics_add_unnamed_module (d, "/dev/zero", 10);
  scorch_diagnostics_add_unnamed_module (d, "/nonexistent/scorch-test/gone.so (deleted)", 10);
  scorch_diagnostics_set_totals (d, 100, 2500000000u, 1, 1);
  scorch_diagnostics_finish (d);
  dump_advice (d);

  g_assert_false (advice_contains (d, "anon"));
  g_assert_false (advice_contains (d, "memfd"));
  g_assert_false (advice_contains (d, "SYSV"));
  g_assert_false (advice_contains (d, "zero"));
  g_assert_true (advice_contains (d, "gone.so (deleted) cannot be read on this machine (no such file)"));
}

static void
test_symbols_lost_and_facts (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  ScorchStackFacts main_thread = complete_main ();
  const ScorchCaptureFact *facts;
  guint n_facts;
  gboolean saw_exit = FALSE, saw_samples = FALSE;
  int status = 0;

  add_n (d, &main_thread, 100);
  scorch_diagnostics_add_unnamed_module (d, "/usr/bin/python3.11", 40);
  scorch_diagnostics_set_lost (d, 12);
  scorch_diagnostics_set_exit_status (d, 3 << 8);
  scorch_diagnostics_set_totals (d, 100, 2500000000u, 3, 1);
  scorch_diagnostics_set_capture (d, "prog --flag", "host", "6.1.0-13-amd64", "x86_64", "6.1.187", "cpu-clock");
  scorch_diagnostics_set_sampling (d, TRUE, 999);
  scorch_diagnostics_finish (d);
  dump_advice (d);

  g_assert_true (advice_contains (d, "python3.11 has no symbols: install python3.11-dbgsym or set DEBUGINFOD_URLS"));
  g_assert_true (advice_contains (d, "12 samples were lost"));
  g_assert_true (scorch_diagnostics_get_exit_status (d, &status));
  g_assert_cmpint (status, ==, 3 << 8);

  facts = scorch_diagnostics_get_facts (d, &n_facts);
  for (guint i = 0; i < n_facts; i++)
    {
      if (g_str_equal (facts[i].id, "exit-status"))
        {
          g_assert_cmpstr (facts[i].value, ==, "exited with status 3");
          saw_exit = TRUE;
        }
      else if (g_str_equal (facts[i].id, "samples"))
        {
          g_assert_cmpstr (facts[i].value, ==, "100");
          saw_samples = TRUE;
        }
      else if (g_str_equal (facts[i].id, "event"))
        g_assert_cmpstr (facts[i].value, ==, "cpu-clock at 999 Hz");
      else if (g_str_equal (facts[i].id, "threads"))
        g_assert_cmpstr (facts[i].value, ==, "3 threads in 1 process");
      else if (g_str_equal (facts[i].id, "perf-version"))
        g_assert_cmpstr (facts[i].value, ==, "perf 6.1.187");
    }
  g_assert_true (saw_exit);
  g_assert_true (saw_samples);

  {
    g_autofree char *killed = scorch_diagnostics_format_exit_status (SIGSEGV);
    g_autofree char *exited = scorch_diagnostics_format_exit_status (0);

    g_assert_true (g_str_has_prefix (killed, "killed by signal 11"));
    g_assert_cmpstr (exited, ==, "exited with status 0");
  }
}

/* Many distinct garbage places: bounded memory, still counted. */
static void
test_many_places (void)
{
  guint calls = 0;
  g_autoptr(ScorchDiagnostics) d = new_diagnostics (SCORCH_STACK_MODE_FP, 0, &calls);
  guint64 sum = 0;
  const ScorchUnwindStopEntry *stops;
  guint n_stops;

  for (guint i = 0; i < 10000; i++)
    {
      ScorchStackFacts f = { 0, };

      f.n_user = 1;
      f.leaf = f.outer = addr (LIBC, NULL, 0x2000 + i, SCORCH_MAPPING_FILE);
      scorch_diagnostics_add_sample (d, &f);
    }
  scorch_diagnostics_finish (d);
  stops = scorch_diagnostics_get_stops (d, &n_stops);
  for (guint i = 0; i < n_stops; i++)
    sum += stops[i].n_samples;
  g_assert_cmpuint (sum, ==, 10000);
  g_assert_cmpuint (calls, <=, 4097);
}

/* ---- the real module check ---- */

/* The file offset of function NAME in the ELF file at PATH (0 if absent). */
static guint64
symbol_file_offset (const char *path,
                    const char *name)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  Elf *elf;
  Elf_Scn *scn = NULL;
  guint64 vaddr = 0, offset = 0;
  gsize n_phdrs = 0;

  g_assert_cmpint (fd, >=, 0);
  elf_version (EV_CURRENT);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  g_assert_nonnull (elf);
  while ((scn = elf_nextscn (elf, scn)) != NULL && vaddr == 0)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      if (gelf_getshdr (scn, &shdr) == NULL || shdr.sh_type != SHT_SYMTAB || shdr.sh_entsize == 0)
        continue;
      data = elf_getdata (scn, NULL);
      for (gsize i = 0; i < shdr.sh_size / shdr.sh_entsize; i++)
        {
          GElf_Sym sym;
          const char *n;

          if (gelf_getsym (data, (int) i, &sym) == NULL || GELF_ST_TYPE (sym.st_info) != STT_FUNC)
            continue;
          n = elf_strptr (elf, shdr.sh_link, sym.st_name);
          if (n != NULL && g_str_equal (n, name))
            {
              vaddr = sym.st_value;
              break;
            }
        }
    }
  g_assert_cmpuint (elf_getphdrnum (elf, &n_phdrs), ==, 0);
  for (gsize i = 0; i < n_phdrs && vaddr != 0; i++)
    {
      GElf_Phdr phdr;

      if (gelf_getphdr (elf, (int) i, &phdr) != NULL && phdr.p_type == PT_LOAD &&
          vaddr >= phdr.p_vaddr && vaddr < phdr.p_vaddr + phdr.p_filesz)
        offset = vaddr - phdr.p_vaddr + phdr.p_offset;
    }
  elf_end (elf);
  close (fd);
  g_assert_cmpuint (offset, !=, 0);
  return offset;
}

/* scorch_elf_check_function_frame on the analysis workloads: "run" sets up
 * a frame with -fno-omit-frame-pointer and none without; the hot leaf
 * sets up none in either build (gcc -O1 omits a leaf's frame); an offset
 * inside a function finds that function; FIFOs and missing files are
 * errors, not hangs. */
static void
test_function_frame (void)
{
  const char *dir = g_getenv ("SCORCH_TEST_WORKLOADS");
  g_autofree char *fp = g_build_filename (dir != NULL ? dir : ".", "analysis-c-fp", NULL);
  g_autofree char *nofp = g_build_filename (dir != NULL ? dir : ".", "analysis-c-nofp", NULL);
  g_autoptr(GError) error = NULL;
  ScorchElfFunctionFrame r;
  guint64 run_fp, run_nofp;

  if (!g_file_test (fp, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("analysis workloads not built");
      return;
    }
  run_fp = symbol_file_offset (fp, "run");
  run_nofp = symbol_file_offset (nofp, "run");

  g_assert_true (scorch_elf_check_function_frame (fp, run_fp + 5, &r, &error));
  g_assert_no_error (error);
  g_assert_true (r.found);
  g_assert_true (r.sets_up_frame);
  g_assert_true (r.has_cfi);
  g_assert_cmpuint (r.symbol_offset, ==, run_fp);

  g_assert_true (scorch_elf_check_function_frame (nofp, run_nofp + 5, &r, &error));
  g_assert_true (r.found);
  g_assert_false (r.sets_up_frame);

  g_assert_true (scorch_elf_check_function_frame (fp, symbol_file_offset (fp, "hot_a"), &r, &error));
  g_assert_true (r.found);
  g_assert_false (r.sets_up_frame);

  /* the ELF header: no function there */
  g_assert_true (scorch_elf_check_function_frame (fp, 0, &r, &error));
  g_assert_false (r.found);

  g_assert_false (scorch_elf_check_function_frame ("/nonexistent/binary", 0, &r, &error));
  g_assert_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_OPEN);
  g_clear_error (&error);
  {
    g_autofree char *tmp = g_dir_make_tmp ("scorch-diag-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename (tmp, "fifo.so", NULL);

    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    g_assert_false (scorch_elf_check_function_frame (fifo, 0, &r, &error));
    g_assert_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_OPEN);
    g_unlink (fifo);
    g_rmdir (tmp);
  }
}

/* ---- Scorch's feature section ---- */

static char *
write_capture (const char *dir,
               int         exit_status,
               const char *call_graph)
{
  g_autofree char *path = g_build_filename (dir, "scorch.data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchPerfWriter) w = scorch_perf_writer_new_for_path (path, &error);
  struct perf_event_attr attr = { 0, };

  g_assert_no_error (error);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.size = sizeof attr;
  attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN;
  attr.sample_id_all = 1;
  scorch_perf_writer_add_attr (w, &attr, "cpu-clock", NULL, 0);
  g_assert_true (scorch_perf_writer_begin (w, &error));
  scorch_perf_writer_set_exit_status (w, exit_status);
  scorch_perf_writer_set_call_graph (w, call_graph);
  g_assert_true (scorch_perf_writer_finish (w, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_feature_section (void)
{
  g_autofree char *dir = g_dir_make_tmp ("scorch-diag-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  path = write_capture (dir, 3 << 8, "fp+repair,512");
  reader = scorch_capture_reader_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (scorch_capture_reader_has_feature (reader, SCORCH_PERF_FEAT_SCORCH));
  g_assert_true (scorch_capture_reader_get_exit_status (reader, &status));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 3);
  g_assert_cmpstr (scorch_capture_reader_get_call_graph (reader), ==, "fp+repair,512");
  g_clear_pointer (&reader, scorch_capture_reader_free);
  g_unlink (path);
  g_free (path);

  /* not launched by Scorch: no exit status */
  path = write_capture (dir, -1, "fp");
  reader = scorch_capture_reader_new (path, &error);
  g_assert_no_error (error);
  g_assert_false (scorch_capture_reader_get_exit_status (reader, &status));
  g_assert_cmpint (status, ==, -1);
  g_assert_cmpstr (scorch_capture_reader_get_call_graph (reader), ==, "fp");
  g_clear_pointer (&reader, scorch_capture_reader_free);
  g_unlink (path);
  g_rmdir (dir);
}

/* Hostile sections: bad counts are errors, foreign payloads are skipped,
 * bad values are ignored; nothing crashes. */
static void
test_feature_section_hostile (void)
{
  g_autofree char *dir = g_dir_make_tmp ("scorch-diag-XXXXXX", NULL);
  g_autofree char *path = write_capture (dir, 3 << 8, "fp");
  g_autofree char *contents = NULL;
  gsize len = 0;
  ScorchPerfFileHeader header;
  ScorchPerfFileSection table[16];
  guint n_features = 0;
  ScorchPerfFileSection sec;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  memcpy (&header, contents, sizeof header);
  for (guint bit = 0; bit < 256; bit++)
    if (header.adds_features[bit / 64] & (G_GUINT64_CONSTANT (1) << (bit % 64)))
      n_features++;
  g_assert_cmpuint (n_features, <=, G_N_ELEMENTS (table));
  memcpy (table, contents + header.data.offset + header.data.size, n_features * sizeof (ScorchPerfFileSection));
  sec = table[n_features - 1]; /* bit 200 is the highest */

  for (guint variant = 0; variant < 4; variant++)
    {
      g_autofree char *bad = g_memdup2 (contents, len);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(ScorchCaptureReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      guint32 v;
      int status = -1;

      switch (variant)
        {
        case 0: /* entry count far beyond the section */
          v = 0x7fffffff;
          memcpy (bad + sec.offset + 8, &v, 4);
          break;
        case 1: /* another tool's payload on the same bit */
          v = 0xdeadbeef;
          memcpy (bad + sec.offset, &v, 4);
          break;
        case 2: /* a string longer than the section */
          v = 0x10000;
          memcpy (bad + sec.offset + 12, &v, 4);
          break;
        case 3: /* a value that is no number (7 bytes, not an 8-byte integer) */
          {
            char *p = memmem (bad + sec.offset, sec.size, "exit-status", 11);

            g_assert_nonnull (p);
            v = 7;
            memcpy (p - 4, &v, 4); /* the entry's value length */
          }
          break;
        }
      bytes = g_bytes_new_take (g_steal_pointer (&bad), len);
      reader = scorch_capture_reader_new_from_bytes (bytes, &error);
      if (variant == 0 || variant == 2)
        {
          /* the section is refused or skipped; never a crash */
          if (reader != NULL)
            g_assert_false (scorch_capture_reader_get_exit_status (reader, &status));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_false (scorch_capture_reader_get_exit_status (reader, &status));
        }
    }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/diagnostics/thread-start-in-library", test_thread_start_in_library);
  g_test_add_func ("/libscorch/diagnostics/program-without-frame-pointers", test_program_without_frame_pointers);
  g_test_add_func ("/libscorch/diagnostics/unreadable-module", test_unreadable_module);
  g_test_add_func ("/libscorch/diagnostics/kernel-only", test_kernel_only);
  g_test_add_func ("/libscorch/diagnostics/recorded-via-sysprofd", test_recorded_via_sysprofd);
  g_test_add_func ("/libscorch/diagnostics/broken-chains", test_broken_chains);
  g_test_add_func ("/libscorch/diagnostics/frameless-leaves", test_frameless_leaves);
  g_test_add_func ("/libscorch/diagnostics/summary", test_summary);
  g_test_add_func ("/libscorch/diagnostics/dwarf", test_dwarf);
  g_test_add_func ("/libscorch/diagnostics/symbols-lost-facts", test_symbols_lost_and_facts);
  g_test_add_func ("/libscorch/diagnostics/many-places", test_many_places);
  g_test_add_func ("/libscorch/diagnostics/repeat-sample", test_repeat_sample);
  g_test_add_func ("/libscorch/diagnostics/function-frame", test_function_frame);
  g_test_add_func ("/libscorch/diagnostics/feature-section", test_feature_section);
  g_test_add_func ("/libscorch/diagnostics/anonymous-memory", test_anonymous_memory);
  g_test_add_func ("/libscorch/diagnostics/feature-section-hostile", test_feature_section_hostile);

  return g_test_run ();
}
