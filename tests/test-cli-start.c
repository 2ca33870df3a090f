/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-start.c: what a loading scorch-cli command costs before it reads
 * a record (issue 13):
 *  - scorch_heap_prepare() (src/libscorch/scorch-heap.c) leaves a heap
 *    range marked for huge pages ("hg" in its smaps VmFlags), so that a
 *    load's fresh memory is not one page fault per 4 KiB; with one arena
 *    (the app, whose loads run on worker threads) a thread's blocks come
 *    from that heap too; before a load in the app, scorch_heap_refill()
 *    marks the heap again up to where it has grown, and between loads
 *    scorch_heap_prefault() faults the next load's range in ahead of it;
 *  - "report" loads neither cairo nor pango (nor their font and X11
 *    libraries) nor Capstone: only "export" and "annotate" do, from their
 *    modules (src/cli/scorch-cli-module.c), and export still draws;
 *  - with SCORCH_TRACE_TIMING=1, "report" says on stderr how long its
 *    load took (bench/app-open.sh's cli-load), and prints the same. */

#include "config.h"

#include <glib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <glib/gstdio.h>
#include <string.h>

#include "scorch-heap.h"

/* Whether a VMA of [heap] in /proc/self/smaps has FLAG in its VmFlags. */
static gboolean
heap_has_vm_flag (const char *flag)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_heap = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      /* a VMA's first line: "start-end perms offset dev inode [path]" */
      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') != NULL && strchr (line, ':') != NULL &&
          !g_str_has_prefix (line, "VmFlags"))
        {
          in_heap = g_str_has_suffix (line, "[heap]");
          continue;
        }
      if (in_heap && g_str_has_prefix (line, "VmFlags:"))
        {
          g_auto(GStrv) flags = g_strsplit (line + strlen ("VmFlags:"), " ", -1);

          if (g_strv_contains ((const char * const *) flags, flag))
            return TRUE;
        }
    }
  return FALSE;
}

/* Whether the VMA that holds P in /proc/self/smaps has FLAG in its
 * VmFlags. */
static gboolean
vma_has_vm_flag (gconstpointer p,
                 const char   *flag)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean here = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;

      if (g_ascii_isxdigit (lines[i][0]) &&
          sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x", &start, &end) == 2)
        {
          here = (guintptr) p >= start && (guintptr) p < end;
          continue;
        }
      if (here && g_str_has_prefix (lines[i], "VmFlags:"))
        {
          g_auto(GStrv) flags = g_strsplit (lines[i] + strlen ("VmFlags:"), " ", -1);

          return g_strv_contains ((const char * const *) flags, flag);
        }
    }
  return FALSE;
}

/* Whether P lies in the [heap] mapping of /proc/self/maps. */
static gboolean
in_main_heap (gconstpointer p)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end;

      /* the marks split [heap] into several mappings */
      if (g_str_has_suffix (lines[i], "[heap]") &&
          sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x", &start, &end) == 2 &&
          (guintptr) p >= start && (guintptr) p < end)
        return TRUE;
    }
  return FALSE;
}

static gpointer
thread_block (gpointer data)
{
  return g_malloc (1000);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* gcc defines __SANITIZE_THREAD__, clang has the feature test */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

/* Skips the test and returns TRUE when malloc is not glibc's: mallopt()
 * and the [heap] these tests look at are glibc's, and the sanitizers'
 * own allocators never grow that heap. */
static gboolean
skip_unless_glibc_malloc (void)
{
#ifndef __GLIBC__
  g_test_skip ("mallopt() is glibc's");
  return TRUE;
#endif
#ifdef UNDER_ASAN
  g_test_skip ("AddressSanitizer has its own allocator");
  return TRUE;
#endif
#ifdef UNDER_TSAN
  g_test_skip ("ThreadSanitizer has its own allocator: blocks never come from glibc's [heap]");
  return TRUE;
#endif
  return FALSE;
}

/* The huge-page heap's tests: glibc's malloc and the kernel's
 * transparent huge pages. */
static gboolean
skip_unless_huge_page_heap (void)
{
  if (skip_unless_glibc_malloc ())
    return TRUE;
  if (!g_file_test ("/sys/kernel/mm/transparent_hugepage/enabled", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the kernel has no transparent huge pages");
      return TRUE;
    }
  return FALSE;
}

static void
test_heap_huge_pages (void)
{
  if (skip_unless_huge_page_heap ())
    return;
  /* the heap is not marked before (the test process did nothing to it) */
  g_assert_false (heap_has_vm_flag ("hg"));
  g_assert_true (scorch_heap_prepare (FALSE));
  g_assert_true (heap_has_vm_flag ("hg"));
}

/* With one arena, a block a new thread allocates comes from the prepared
 * heap; glibc would otherwise give the thread an arena of its own, mapped
 * apart from [heap]. */
static void
test_heap_one_arena (void)
{
  GThread *thread;
  gpointer block;

  if (skip_unless_glibc_malloc ())
    return;
  /* no thread has been started in this process yet; the heap was grown
   * by the test before, so whether a range is marked again does not
   * matter here */
  scorch_heap_prepare (TRUE);
  thread = g_thread_new ("one-arena", thread_block, NULL);
  block = g_thread_join (thread);
  g_assert_true (in_main_heap (block));
  g_free (block);
}

/* The app's heap serves its window before a load: once the load has
 * grown the heap past the range prepared at start, its memory was 4 KiB
 * pages again. After scorch_heap_refill() the heap's free top is marked
 * for huge pages, wherever the break is by then. */
static void
test_heap_refill (void)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);
  gpointer block;

  if (skip_unless_huge_page_heap ())
    return;
  /* prepared by the tests before, or here when run alone */
  scorch_heap_prepare (TRUE);
  /* what the window and earlier loads hold: more than the prepared range */
  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (held, g_malloc (1u << 20));
  block = g_malloc (1u << 20);
  g_assert_true (in_main_heap (block));
  g_assert_false (vma_has_vm_flag (block, "hg"));
  g_free (block);

  g_assert_true (scorch_heap_refill ());
  block = g_malloc (1u << 20);
  g_assert_true (in_main_heap (block));
  g_assert_true (vma_has_vm_flag (block, "hg"));
  g_free (block);
  scorch_heap_release ();
}

/* Resident KiB of the [heap] mappings (/proc/self/smaps). */
static guint64
heap_rss_kib (void)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_heap = FALSE;
  guint64 total = 0;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end, kib;

      if (g_ascii_isxdigit (lines[i][0]) &&
          sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x", &start, &end) == 2)
        in_heap = g_str_has_suffix (lines[i], "[heap]");
      else if (in_heap && sscanf (lines[i], "Rss: %" G_GINT64_MODIFIER "u kB", &kib) == 1)
        total += kib;
    }
  return total;
}

/* Whether the heap's resident size reaches BEFORE + KIB within 5 s: the
 * populate thread faults the range in while this one waits. */
static gboolean
heap_grows_to (guint64 before,
               guint64 kib)
{
  for (guint i = 0; i < 500; i++)
    {
      if (heap_rss_kib () >= before + kib)
        return TRUE;
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  return heap_rss_kib () >= before + kib;
}

/* scorch_heap_populate() faults the free range in on another thread: the
 * heap's resident size grows by what was asked without this thread
 * touching it (the kernel zeroes the pages there). */
static void
test_heap_populate (void)
{
  guint64 before;

  if (skip_unless_huge_page_heap ())
    return;
  /* in a process of its own: the tests before touched the heap */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }
  g_assert_true (scorch_heap_prepare (FALSE));
  before = heap_rss_kib ();
  scorch_heap_populate (16u << 20);
  g_assert_true (heap_grows_to (before, 14 * 1024));
}

/* scorch_heap_prefault() (the app between loads) faults the next load's
 * range in on another thread, so that the load finds it present; while a
 * load runs it does nothing (the load chose its range and populates it). */
static void
test_heap_prefault (void)
{
  guint64 before;

  if (skip_unless_huge_page_heap ())
    return;
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }
  g_assert_true (scorch_heap_prepare (TRUE));
#ifdef M_PERTURB
  /* meson's MALLOC_PERTURB_ fills freed blocks, the refill's too: they
   * would be resident before any prefault */
  mallopt (M_PERTURB, 0);
#endif

  /* a load in progress */
  g_assert_true (scorch_heap_refill ());
  before = heap_rss_kib ();
  scorch_heap_prefault ();
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (heap_rss_kib (), <, before + 8 * 1024);
  scorch_heap_release ();

  /* between loads: 64 MB less the huge-page alignment at its ends */
  before = heap_rss_kib ();
  scorch_heap_prefault ();
  g_assert_true (heap_grows_to (before, 56 * 1024));
}

/* Runs scorch-cli with ARGS and LD_DEBUG=files (the dynamic loader names
 * every object it loads, on stderr); returns that stderr. */
static char *
run_cli_loader_trace (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "LD_DEBUG", "files", TRUE);
  g_autoptr(GError) error = NULL;
  char *err = NULL;
  int status = -1;

  g_assert_nonnull (g_getenv ("SCORCH_CLI"));
  g_ptr_array_add (argv, (gpointer) g_getenv ("SCORCH_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* the trace is there: the C library was loaded */
  g_assert_nonnull (strstr (err, "libc.so"));
  return err;
}

static void
test_report_without_heavy_libraries (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-cli-start-XXXXXX", &error);
  g_autofree char *folded = NULL;
  g_autofree char *svg = NULL;
  g_autofree char *trace = NULL;
  g_autofree char *drawn = NULL;

  g_assert_no_error (error);
  folded = g_build_filename (dir, "stacks.folded", NULL);
  svg = g_build_filename (dir, "flame.svg", NULL);
  g_assert_true (g_file_set_contents (folded, "main;work;leaf 3\nmain;idle 1\n", -1, NULL));

  trace = run_cli_loader_trace ((const char * const[]) { "report", "--tsv", folded, NULL });
  g_assert_null (strstr (trace, "libcairo"));
  g_assert_null (strstr (trace, "libpango"));
  g_assert_null (strstr (trace, "libfontconfig"));
  g_assert_null (strstr (trace, "libX11"));
  g_assert_null (strstr (trace, "libcapstone"));
  g_assert_null (strstr (trace, "scorch-cli-"));
  g_clear_pointer (&trace, g_free);

  /* export opens its module, which loads them, and draws */
  trace = run_cli_loader_trace ((const char * const[]) { "export", "-o", svg, folded, NULL });
  g_assert_nonnull (strstr (trace, "scorch-cli-export.so"));
  g_assert_nonnull (strstr (trace, "libcairo"));
  g_assert_nonnull (strstr (trace, "libpango"));
  g_assert_true (g_file_get_contents (svg, &drawn, NULL, NULL));
  g_assert_nonnull (strstr (drawn, "<svg"));
  g_assert_nonnull (strstr (drawn, "leaf"));

  g_clear_pointer (&trace, g_free);

  /* annotate opens its own module (its options are parsed there) */
  trace = run_cli_loader_trace ((const char * const[]) { "annotate", "--help", NULL });
  g_assert_nonnull (strstr (trace, "scorch-cli-annotate.so"));
#if HAVE_CAPSTONE
  g_assert_nonnull (strstr (trace, "libcapstone"));
#endif

  g_unlink (folded);
  g_unlink (svg);
  g_rmdir (dir);
}

/* Runs scorch-cli report --tsv on PATH, with SCORCH_TRACE_TIMING set to
 * TRACE or unset; returns stdout, stderr in err_out. */
static char *
run_report (const char  *path,
            const char  *trace,
            char       **err_out)
{
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", path, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = -1;

  g_assert_nonnull (argv[0]);
  envp = trace != NULL ? g_environ_setenv (envp, "SCORCH_TRACE_TIMING", trace, TRUE)
                       : g_environ_unsetenv (envp, "SCORCH_TRACE_TIMING");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT,
                               NULL, NULL, &out, err_out, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
test_report_timing_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-cli-start-XXXXXX", &error);
  g_autofree char *folded = NULL;
  g_autofree char *plain = NULL, *plain_err = NULL;
  g_autofree char *traced = NULL, *traced_err = NULL;
  g_autofree char *other = NULL, *other_err = NULL;
  g_autoptr(GRegex) line = NULL;

  g_assert_no_error (error);
  folded = g_build_filename (dir, "stacks.folded", NULL);
  g_assert_true (g_file_set_contents (folded, "main;work;leaf 3\nmain;idle 1\n", -1, NULL));

  plain = run_report (folded, NULL, &plain_err);
  traced = run_report (folded, "1", &traced_err);
  other = run_report (folded, "0", &other_err);

  /* the output does not change; the line is on stderr, once, only when asked */
  g_assert_cmpstr (traced, ==, plain);
  g_assert_cmpstr (other, ==, plain);
  g_assert_null (strstr (plain_err, "scorch-timing:"));
  g_assert_null (strstr (other_err, "scorch-timing:"));
  line = g_regex_new ("^scorch-timing: report load=[0-9]+\\.[0-9]{3} load-cpu=[0-9]+\\.[0-9]{3}\n$",
                      G_REGEX_MULTILINE, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_regex_match (line, traced_err, 0, NULL));
  g_assert_null (strstr (strstr (traced_err, "scorch-timing:") + 1, "scorch-timing:"));

  g_unlink (folded);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/start/heap-huge-pages", test_heap_huge_pages);
  g_test_add_func ("/cli/start/heap-one-arena", test_heap_one_arena);
  g_test_add_func ("/cli/start/heap-refill", test_heap_refill);
  g_test_add_func ("/cli/start/heap-populate", test_heap_populate);
  g_test_add_func ("/cli/start/heap-prefault", test_heap_prefault);
  g_test_add_func ("/cli/start/report-without-heavy-libraries", test_report_without_heavy_libraries);
  g_test_add_func ("/cli/start/report-timing-line", test_report_timing_line);
  return g_test_run ();
}
