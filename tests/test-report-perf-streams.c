/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report-perf-streams.c: what perf record writes besides a plain
 * perf.data opens in Scorch with the report perf report gives: zstd
 * compressed captures (perf record -z), pipe-mode captures (perf record
 * -o -, header as records), and both at once; frame pointers and DWARF.
 * Each is recorded here, at test time. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <glib.h>
#include <string.h>

#include "analysis-helpers.h"
#include "perf-record-util.h"

static const char * const c_functions[] = { "hot_a", "hot_b", "hot_c", "recurse", "mid", "run", "main", NULL };

/* perf record as analysis-helpers' record() does (cpu-clock at a fixed
 * period, -D 100), with extra options; pipe mode writes to stdout, which
 * goes to the file. */
static char *
record_variant (const char *name,
                gboolean    dwarf,
                gboolean    compressed,
                gboolean    pipe)
{
  g_autofree char *out = g_strdup_printf ("%s/%s.data", tmpdir, name);
  g_autoptr(GString) cmd = g_string_new ("exec perf record -q -e cpu-clock -c 500000 -D 100");

  g_string_append (cmd, dwarf ? " --call-graph dwarf" : " -g");
  if (compressed)
    g_string_append (cmd, " -z");
  if (pipe)
    g_string_append_printf (cmd, " -o - -- \"$0\" 0.7 > '%s'", out);
  else
    g_string_append_printf (cmd, " -o '%s' -- \"$0\" 0.7", out);
  {
    const char *argv[] = { "sh", "-c", cmd->str, workload ("analysis-c-fp"), NULL };

    perf_record_util_run_ok (argv, NULL);
  }
  return g_steal_pointer (&out);
}

/* The file is of the kind asked for: pipe-mode header, compressed records. */
static void
check_kind (const char *file,
            gboolean    compressed,
            gboolean    pipe)
{
  const char *argv[] = { "perf", "report", "-D", "-i", file, NULL };
  g_autofree char *dump = NULL;
  g_autofree char *head = NULL;
  gsize len = 0;
  guint64 header_size;

  g_assert_true (g_file_get_contents (file, &head, &len, NULL));
  g_assert_cmpuint (len, >=, 16);
  memcpy (&header_size, head + 8, 8);
  g_assert_cmpuint (header_size, ==, pipe ? 16 : 104);
  /* perf report -D ends with a count of each record type */
  dump = run (argv, NULL, NULL);
  g_assert_cmpint (strstr (dump, "COMPRESSED events:") != NULL, ==, compressed);
}

static void
check_variant (const char *name,
               gboolean    dwarf,
               gboolean    compressed,
               gboolean    pipe)
{
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record_variant (name, dwarf, compressed, pipe);
  check_kind (file, compressed, pipe);
  {
    /* for the log, should the comparison fail */
    const char *argv[] = { "perf", "report", "-i", file, "--no-children", "--sort", "sym", "--stdio",
                           "-g", "none", NULL };
    const char *ours[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_autofree char *tsv = run (ours, NULL, NULL);

    g_test_message ("perf report:\n%s\nscorch-cli report --tsv:\n%s", out, tsv);
  }
  /* In pipe mode perf report shows no children (total) column: perf sets
   * up its columns before the stream's attrs say there are callchains
   * (perf 6.1), so only self shares are compared there; the compressed
   * file variants compare totals too. */
  compare_with_perf (file, c_functions, NULL);
}

static void
test_compressed_fp (void)
{
  check_variant ("z-fp", FALSE, TRUE, FALSE);
}

static void
test_compressed_dwarf (void)
{
  check_variant ("z-dwarf", TRUE, TRUE, FALSE);
}

static void
test_pipe_fp (void)
{
  check_variant ("pipe-fp", FALSE, FALSE, TRUE);
}

static void
test_pipe_dwarf (void)
{
  check_variant ("pipe-dwarf", TRUE, FALSE, TRUE);
}

static void
test_pipe_compressed (void)
{
  check_variant ("pipe-z", FALSE, TRUE, TRUE);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  analysis_helpers_init ("scorch-test-XXXXXX");

  g_test_add_func ("/cli/report/perf-compressed-fp", test_compressed_fp);
  g_test_add_func ("/cli/report/perf-compressed-dwarf", test_compressed_dwarf);
  g_test_add_func ("/cli/report/perf-pipe-fp", test_pipe_fp);
  g_test_add_func ("/cli/report/perf-pipe-dwarf", test_pipe_dwarf);
  g_test_add_func ("/cli/report/perf-pipe-compressed", test_pipe_compressed);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
