/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report.c: scorch-cli report on real captures: stripped binaries with
 * debug info found by build id, inline frames, fork+exec, JIT map files,
 * deleted and replaced binaries (compared with perf report where perf can
 * see the same), and the command line's options and errors. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "analysis-helpers.h"
#include "output-check.h"

/* The parsed --json output (checked by Python under a comma-decimal locale
 * first). */
static JsonNode *
parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  output_check_json_data (json, -1);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static guint64
json_samples (const char *json)
{
  g_autoptr(JsonNode) root = parse_json (json);

  return (guint64) json_object_get_int_member (json_node_get_object (root), "samples");
}

static const char * const c_functions[] = { "hot_a", "hot_b", "hot_c", "recurse", "mid", "run", "main", NULL };

static void
test_stripped_debug_by_build_id (void)
{
  g_autofree char *bin = g_strdup_printf ("%s/stripped-c", tmpdir);
  g_autofree char *debugroot = g_strdup_printf ("%s/debug", tmpdir);
  g_autofree char *id = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *debugfile = NULL;
  g_autofree char *file = NULL;
  g_autofree char *env_dirs = NULL;
  g_auto(GStrv) envp = NULL;
  g_autoptr(GHashTable) ours = NULL;
  g_autoptr(GHashTable) plain = NULL;

  SKIP_WITHOUT_PERF ();
  g_free (copy_file (workload ("analysis-c-fp"), bin));
  id = build_id_of (bin);
  dir = g_strdup_printf ("%s/.build-id/%.2s", debugroot, id);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  debugfile = g_strdup_printf ("%s/%s.debug", dir, id + 2);
  {
    const char *a1[] = { "objcopy", "--only-keep-debug", bin, debugfile, NULL };
    const char *a2[] = { "strip", "--strip-all", bin, NULL };
    g_free (run (a1, NULL, NULL));
    g_free (run (a2, NULL, NULL));
  }
  {
    const char *cmd[] = { bin, "0.7", NULL };
    file = record ("stripped", FALSE, cmd);
  }

  /* Without the debug dir: no names from the stripped binary */
  plain = scorch_report (file, NULL);
  g_assert_false (g_hash_table_contains (plain, "hot_a"));

  envp = g_get_environ ();
  env_dirs = g_strdup (debugroot);
  envp = g_environ_setenv (envp, "SCORCH_DEBUG_DIRS", env_dirs, TRUE);
  ours = scorch_report (file, (const char * const *) envp);
  for (guint i = 0; c_functions[i] != NULL; i++)
    if (!g_hash_table_contains (ours, c_functions[i]))
      g_error ("stripped binary: %s not found through the separate debug file", c_functions[i]);
  {
    const Entry *e = g_hash_table_lookup (ours, "run");
    g_assert_cmpfloat (e->total, >, 50.0);
  }
}

static void
test_inline (void)
{
  const char *cmd[] = { workload ("analysis-inline"), "0.7", NULL };
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *f;

  SKIP_WITHOUT_PERF ();
  file = record ("inline", TRUE, cmd);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
    json = run (argv, NULL, NULL);
  }
  root = parse_json (json);
  f = json_function (root, "inlined_square_loop");
  g_assert_nonnull (f);
  g_assert_cmpstr (json_object_get_string_member (f, "kind"), ==, "inlined");
  {
    g_autoptr(GHashTable) ours = scorch_report (file, NULL);
    const Entry *inl = g_hash_table_lookup (ours, "inlined_square_loop");
    const Entry *outer = g_hash_table_lookup (ours, "outer_caller");

    g_assert_nonnull (inl);
    g_assert_nonnull (outer);
    g_assert_cmpfloat (inl->self, >, 50.0);       /* the loop is where time goes */
    g_assert_cmpfloat (outer->total, >=, inl->total);
  }
}

static void
test_fork_exec (void)
{
  const char *cmd[] = { workload ("analysis-forkexec"), workload ("analysis-c-fp"), "0.7", NULL };
  const char * const expected[] = { "parent_burn", "hot_a", "hot_b", "run", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record ("forkexec", FALSE, cmd);
  compare_with_perf (file, expected, NULL);
}

static void
test_jit (void)
{
  const char *cmd[] = { workload ("analysis-jit"), "0.7", NULL };
  const char * const expected[] = { "jitted_hot_loop", NULL };
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *f;

  SKIP_WITHOUT_PERF ();
  file = record ("jit", FALSE, cmd);
  compare_with_perf (file, expected, NULL);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
    json = run (argv, NULL, NULL);
  }
  root = parse_json (json);
  f = json_function (root, "jitted_hot_loop");
  g_assert_nonnull (f);
  g_assert_cmpstr (json_object_get_string_member (f, "kind"), ==, "jit");

  /* the workload's /tmp/perf-PID.map is no longer needed */
  {
    const char *argv[] = { "perf", "script", "-i", file, "-F", "pid", NULL };
    g_autofree char *pids = run (argv, NULL, NULL);
    gint64 pid = g_ascii_strtoll (g_strchug (pids), NULL, 10);

    if (pid > 0)
      {
        g_autofree char *map = g_strdup_printf ("/tmp/perf-%" G_GINT64_FORMAT ".map", pid);
        g_unlink (map);
      }
  }
}

static void
test_deleted_and_replaced (void)
{
  g_autofree char *bin = g_strdup_printf ("%s/doomed-c", tmpdir);
  g_autofree char *file = NULL;
  g_autoptr(GHashTable) ours = NULL;
  GHashTableIter iter;
  gpointer key, value;
  double unresolved = 0;

  SKIP_WITHOUT_PERF ();
  g_free (copy_file (workload ("analysis-c-fp"), bin));
  {
    const char *cmd[] = { bin, "0.7", NULL };
    file = record ("doomed", FALSE, cmd);
  }

  for (int round = 0; round < 2; round++)
    {
      if (round == 0)
        g_assert_cmpint (g_unlink (bin), ==, 0);
      else
        g_free (copy_file (workload ("analysis-c-nofp"), bin)); /* same path, other build id */

      {
        /* perf record put a copy in its build-id cache, which Scorch reads
         * too (scorch-symbol-paths.h): an empty one here, so the file is
         * really missing */
        g_autofree char *no_cache = g_strdup_printf ("%s/no-buildid-cache", tmpdir);
        g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "PERF_BUILDID_DIR", no_cache, TRUE);

        ours = scorch_report (file, (const char * const *) env);
      }
      g_assert_false (g_hash_table_contains (ours, "hot_a"));
      unresolved = 0;
      g_hash_table_iter_init (&iter, ours);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (g_str_has_prefix (key, "doomed-c+0x"))
          unresolved += ((Entry *) value)->self;
      g_assert_cmpfloat (unresolved, >, 50.0);
      g_clear_pointer (&ours, g_hash_table_unref);
    }
}

static void
test_cli_options (void)
{
  const char *cmd[] = { workload ("analysis-cpp"), "0.7", NULL };
  g_autofree char *file = NULL;
  const char *cli = g_getenv ("SCORCH_CLI");
  int status;

  SKIP_WITHOUT_PERF ();
  file = record ("cli", FALSE, cmd);

  {
    const char *argv[] = { cli, "report", "--tsv", "--top", "3", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_auto(GStrv) lines = NULL;
    double prev = 101;

    output_check_terminal (out, strlen (out));
    lines = g_strsplit (g_strstrip (out), "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 3);
    for (guint i = 0; lines[i]; i++)
      {
        double self = g_ascii_strtod (lines[i], NULL);
        g_assert_cmpfloat (self, <=, prev);
        prev = self;
      }
  }
  {
    /* a thread of the two workers only */
    const char *argv_json[] = { cli, "report", "--json", file, NULL };
    const char *script[] = { "perf", "script", "-i", file, "-F", "tid", NULL };
    g_autofree char *tids = run (script, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit (tids, "\n", -1);
    g_autofree char *tid = NULL;
    g_autofree char *all = run (argv_json, NULL, NULL);

    for (guint i = 0; lines[i] && tid == NULL; i++)
      if (*g_strstrip (lines[i]))
        tid = g_strdup (lines[i]);
    g_assert_nonnull (tid);
    {
      const char *argv[] = { cli, "report", "--json", "--tid", tid, file, NULL };
      g_autofree char *one = run (argv, NULL, NULL);
      guint64 n_all = json_samples (all);
      guint64 n_one = json_samples (one);

      g_assert_cmpuint (n_one, >, 0);
      g_assert_cmpuint (n_one, <, n_all);
    }
    {
      const char *argv[] = { cli, "report", "--json", "--time", "0,0.2", file, NULL };
      g_autofree char *part = run (argv, NULL, NULL);
      guint64 n_all = json_samples (all);
      guint64 n_part = json_samples (part);

      g_assert_cmpuint (n_part, >, 0);
      g_assert_cmpuint (n_part, <, n_all);
    }
  }
  {
    const char *argv[] = { cli, "report", "--folded", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_autofree char *folded = g_strdup_printf ("%s/cli.folded", tmpdir);
    g_assert_nonnull (strstr (out, ";worker"));
    g_assert_true (g_file_set_contents (folded, out, -1, NULL));
    {
      /* and the folded file loads back */
      const char *argv2[] = { cli, "report", "--tsv", folded, NULL };
      g_autofree char *out2 = run (argv2, NULL, NULL);
      g_assert_nonnull (strstr (out2, "add_squares"));
    }
  }
  {
    const char *argv[] = { cli, "report", "--tree", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);

    output_check_terminal (out, strlen (out));
    g_assert_nonnull (strstr (out, "worker"));
  }
  {
    const char *argv[] = { cli, "report", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);

    output_check_terminal (out, strlen (out));
    g_assert_nonnull (strstr (out, "samples"));
  }
  /* errors: non-zero exit, no crash */
  {
    const char *bad[][6] = {
      { cli, "report", "/nonexistent/perf.data", NULL },
      { cli, "report", "--tsv", "--json", file, NULL },
      { cli, "report", "--tid", "abc", file, NULL },
      { cli, "report", "--time", "5", file, NULL },
      { cli, "report", "--top", "0", file, NULL },
      { cli, "report", NULL },
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *out = run (bad[i], NULL, &status);
        g_assert_false (g_spawn_check_wait_status (status, NULL));
      }
  }
}

/* Runs scorch-cli ARGS under LC_ALL=de_DE.UTF-8 (a comma-decimal locale);
 * returns stdout, and stderr in *ERR. */
static char *
run_cli_de (const char * const *args,
            char              **err,
            gboolean            expect_success)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "LC_ALL", "de_DE.UTF-8", TRUE);
  char *out = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SCORCH_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL) == expect_success);
  return out;
}

/* Each line of a table or tree after its header starts with a percentage
 * written with a decimal point ("20.00%", never "20,00%"), up to the first
 * empty line. */
static void
check_percent_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++, n++)
    {
      const char *p = lines[i] + strspn (lines[i], " ");
      char *end = NULL;

      g_ascii_strtod (p, &end);
      g_assert_true (end > p && *end == '%');
      g_assert_true (end - p > 3 && end[-3] == '.');
    }
  g_assert_cmpuint (n, >, 2);
}

/* Every output of report for a capture whose names are hostile: the table,
 * the tree and TSV print no control character, TSV keeps six columns, the
 * numbers have a decimal point under de_DE, the JSON parses, the folded
 * stacks load back. */
static void
check_report_outputs (const char *file,
                      const char *expect_in_json)
{
  g_autofree char *table = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *tsv = NULL;
  g_autofree char *json = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *folded_path = g_strdup_printf ("%s/hostile-again.folded", tmpdir);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *functions;
  gboolean found = FALSE;

  {
    const char *args[] = { "report", file, NULL };
    table = run_cli_de (args, NULL, TRUE);
    output_check_terminal (table, strlen (table));
    check_percent_lines (table);
  }
  {
    const char *args[] = { "report", "--tree", file, NULL };
    tree = run_cli_de (args, NULL, TRUE);
    output_check_terminal (tree, strlen (tree));
    check_percent_lines (tree);
  }
  {
    const char *args[] = { "report", "--tsv", file, NULL };
    g_auto(GStrv) lines = NULL;

    tsv = run_cli_de (args, NULL, TRUE);
    output_check_terminal (tsv, strlen (tsv));
    lines = g_strsplit (tsv, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), >, 2);
    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
      {
        g_auto(GStrv) cols = g_strsplit (lines[i], "\t", -1);
        char *end = NULL;

        g_assert_cmpuint (g_strv_length (cols), ==, 6);
        g_ascii_strtod (cols[0], &end);
        g_assert_true (end != cols[0] && *end == '\0'); /* "20.00", not "20,00" */
        g_assert_nonnull (strchr (cols[0], '.'));
        g_ascii_strtod (cols[1], &end);
        g_assert_true (end != cols[1] && *end == '\0');
      }
  }
  {
    const char *args[] = { "report", "--json", file, NULL };
    json = run_cli_de (args, NULL, TRUE);
    g_assert_null (strstr (json, ",00"));
    root = parse_json (json);
    functions = json_object_get_array_member (json_node_get_object (root), "functions");
    for (guint i = 0; i < json_array_get_length (functions); i++)
      {
        JsonObject *f = json_array_get_object_element (functions, i);
        const char *name = json_object_get_string_member (f, "function");

        g_assert_true (g_utf8_validate (name, -1, NULL));
        if (strstr (name, expect_in_json) != NULL)
          found = TRUE;
        g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (f, "self_percent")));
      }
    g_assert_true (found);
  }
  {
    const char *args[] = { "report", "--folded", file, NULL };
    folded = run_cli_de (args, NULL, TRUE);
    g_assert_true (g_utf8_validate (folded, -1, NULL));
    g_assert_true (g_file_set_contents (folded_path, folded, -1, NULL));
  }
  {
    const char *args[] = { "report", "--tsv", folded_path, NULL };
    g_autofree char *again = run_cli_de (args, NULL, TRUE);

    output_check_terminal (again, strlen (again));
  }
  g_unlink (folded_path);
}

/* The reproducers, without perf: a folded file with control
 * characters and an OSC title sequence (ESC ]0;… BEL), and a real capture
 * whose binary's path was rewritten to hold ESC ]0;X BEL and an invalid
 * UTF-8 byte (its unresolved frames are named after it). */
static void
test_hostile_names (void)
{
  g_autofree char *folded = g_strdup_printf ("%s/hostile.folded", tmpdir);
  g_autofree char *capture = g_strdup_printf ("%s/hostile.data", tmpdir);
  g_autofree char *corpus = g_test_build_filename (G_TEST_DIST, "corpus", "fp-small.data", NULL);
  g_autofree char *data = NULL;
  gsize len;
  guint n_patched = 0;

  g_assert_true (g_file_set_contents (folded,
                                      "main;\001x 1\n"
                                      "main;\x1b]0;title\x07;leaf 2\n"
                                      "main;a\xef\xbf\xbe<&>\"' 3\n"
                                      "main;\xc2\x9b" "31mred\xe2\x80\xae 4\n"
                                      "main;x\x7fy 10\n"
                                      "main;unit\x1fseparator 5\n", -1, NULL));
  check_report_outputs (folded, "31mred");

  g_assert_true (g_file_get_contents (corpus, &data, &len, NULL));
  for (char *p = data; (p = memmem (p, len - (p - data), "/tmp/rd/tiny", 12)) != NULL; p += 12)
    {
      memcpy (p, "/tmp/\x1b]0;X\x07\xff", 12);
      n_patched++;
    }
  g_assert_cmpuint (n_patched, >, 0);
  g_assert_true (g_file_set_contents (capture, data, len, NULL));
  check_report_outputs (capture, "]0;X");

  /* Error messages quote names too. */
  {
    g_autofree char *missing = g_strdup_printf ("%s/\x1b]0;gone\x07\xff.data", tmpdir);
    const char *args[] = { "report", missing, NULL };
    g_autofree char *err = NULL;
    g_autofree char *out = run_cli_de (args, &err, FALSE);

    g_assert_nonnull (strstr (err, "\\x1b]0;gone\\x07"));
    output_check_terminal (err, strlen (err));
  }

  g_unlink (folded);
  g_unlink (capture);
}

/* The reproducer on a real binary: a symbol whose name holds an
 * OSC title sequence (ESC ]0;…BEL), a DEL and an invalid UTF-8 byte, found
 * by the symbolizer in a recorded capture. */
static void
test_hostile_symbol (void)
{
  g_autofree char *bin = g_strdup_printf ("%s/hostile-c", tmpdir);
  g_autofree char *file = NULL;
  const char *hostile = "\x1b]0;pwned\x07hot_a\x7f\xff";
  g_autofree char *redefine = g_strdup_printf ("hot_a=%s", hostile);

  SKIP_WITHOUT_PERF ();

  g_free (copy_file (workload ("analysis-c-fp"), bin));
  {
    const char *argv[] = { "objcopy", "--redefine-sym", redefine, bin, NULL };
    g_free (run (argv, NULL, NULL));
  }
  {
    const char *cmd[] = { bin, "0.7", NULL };
    file = record ("hostile-symbol", FALSE, cmd);
  }
  check_report_outputs (file, "]0;pwned\x07hot_a\x7f\xef\xbf\xbd");
  {
    const char *args[] = { "report", file, NULL };
    g_autofree char *table = run_cli_de (args, NULL, TRUE);

    g_assert_nonnull (strstr (table, "\\x1b]0;pwned\\x07hot_a\\x7f\\xff"));
  }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  analysis_helpers_init ("scorch-test-XXXXXX");

  g_test_add_func ("/cli/report/stripped-debug-by-build-id", test_stripped_debug_by_build_id);
  g_test_add_func ("/cli/report/inline", test_inline);
  g_test_add_func ("/cli/report/fork-exec", test_fork_exec);
  g_test_add_func ("/cli/report/jit", test_jit);
  g_test_add_func ("/cli/report/deleted-and-replaced", test_deleted_and_replaced);
  g_test_add_func ("/cli/report/options", test_cli_options);
  g_test_add_func ("/cli/report/hostile-names", test_hostile_names);
  g_test_add_func ("/cli/report/hostile-symbol", test_hostile_symbol);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
