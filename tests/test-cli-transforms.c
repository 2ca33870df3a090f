/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-transforms.c: scorch-cli report's transform options on a capture
 * recorded at test time (analysis-c-fp: main → run → hot_a, mid → hot_b,
 * recurse ×6 → hot_c). Every check is an exact relation between two
 * reports of the same file, so no statistics are involved. */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "analysis-helpers.h"

typedef struct
{
  guint64 self;
  guint64 total;
} Counts;

static char *capture;

/* report --tsv with ARGS (NULL-terminated) before the file: function → Counts. */
static GHashTable *
report_tsv (const char *first,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  va_list ap;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SCORCH_CLI"));
  g_ptr_array_add (argv, (gpointer) "report");
  g_ptr_array_add (argv, (gpointer) "--tsv");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, capture);
  g_ptr_array_add (argv, NULL);

  out = run ((const char * const *) argv->pdata, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = NULL;
      Counts *c;

      if (lines[i][0] == '\0')
        continue;
      cols = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (cols), ==, 6);
      c = g_new0 (Counts, 1);
      c->self = g_ascii_strtoull (cols[2], NULL, 10);
      c->total = g_ascii_strtoull (cols[3], NULL, 10);
      /* The same function in two modules: add them up. */
      if (g_hash_table_contains (table, cols[4]))
        {
          Counts *old = g_hash_table_lookup (table, cols[4]);
          c->self += old->self;
          c->total += old->total;
        }
      g_hash_table_insert (table, g_strdup (cols[4]), c);
    }
  return table;
}

static guint64
self_of (GHashTable *t,
         const char *fn)
{
  Counts *c = g_hash_table_lookup (t, fn);
  return c != NULL ? c->self : 0;
}

static guint64
total_of (GHashTable *t,
          const char *fn)
{
  Counts *c = g_hash_table_lookup (t, fn);
  return c != NULL ? c->total : 0;
}

static guint64
sum_self (GHashTable *t)
{
  GHashTableIter iter;
  gpointer value;
  guint64 n = 0;

  g_hash_table_iter_init (&iter, t);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += ((Counts *) value)->self;
  return n;
}

static gboolean
ensure_capture (void)
{
  if (capture == NULL)
    {
      g_autofree char *out = g_build_filename (tmpdir, "transforms.data", NULL);
      const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "-o", out, "--",
                             workload ("analysis-c-fp"), "0.8", NULL };
      g_autofree char *text = NULL;
      int status = -1;

      text = run (argv, NULL, &status);
      if (status != 0)
        return FALSE;
      capture = g_steal_pointer (&out);
    }
  return TRUE;
}

#define SKIP_WITHOUT_CAPTURE() G_STMT_START { if (!ensure_capture ()) { \
      g_test_skip ("scorch-cli record cannot run here (perf_event_open not permitted)"); return; } } G_STMT_END

static void
test_focus (void)
{
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GHashTable) focus = NULL;

  SKIP_WITHOUT_CAPTURE ();
  all = report_tsv (NULL, NULL);
  focus = report_tsv ("--focus", "mid", NULL);
  g_assert_cmpuint (total_of (all, "mid"), >, 0);
  /* Only mid's samples are left, mid is the top of every stack, and what
   * it calls keeps its figures; run and hot_a are gone. */
  g_assert_cmpuint (sum_self (focus), ==, total_of (all, "mid"));
  g_assert_cmpuint (total_of (focus, "mid"), ==, total_of (all, "mid"));
  g_assert_cmpuint (self_of (focus, "hot_b"), ==, self_of (all, "hot_b"));
  g_assert_cmpuint (total_of (focus, "recurse"), ==, total_of (all, "recurse"));
  g_assert_false (g_hash_table_contains (focus, "run"));
  g_assert_false (g_hash_table_contains (focus, "hot_a"));
  g_assert_false (g_hash_table_contains (focus, "main"));

  {
    g_autoptr(GHashTable) a = report_tsv ("--focus", "hot_c", NULL);

    g_assert_cmpuint (sum_self (a), ==, total_of (all, "hot_c"));
    g_assert_cmpuint (total_of (a, "hot_c"), ==, total_of (all, "hot_c"));
  }

  /* --focus-subtree with one call path of mid (from the folded output):
   * only that path's samples, mid on top. */
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--folded", capture, NULL };
    g_autofree char *folded = run (argv, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit (folded, "\n", -1);
    g_autofree char *path = NULL;
    g_autoptr(GHashTable) sub = NULL;

    for (guint i = 0; lines[i] != NULL && path == NULL; i++)
      {
        char *at = strstr (lines[i], ";mid;");

        if (at != NULL)
          path = g_strndup (lines[i], at + strlen (";mid") - lines[i]);
      }
    g_assert_nonnull (path);
    g_test_message ("focus-subtree %s", path);
    sub = report_tsv ("--focus-subtree", path, NULL);
    g_assert_cmpuint (sum_self (sub), >, 0);
    g_assert_cmpuint (sum_self (sub), <=, total_of (all, "mid"));
    g_assert_cmpuint (total_of (sub, "mid"), ==, sum_self (sub));
    g_assert_false (g_hash_table_contains (sub, "run"));
  }
}

static void
test_merge (void)
{
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GHashTable) merged = NULL;

  SKIP_WITHOUT_CAPTURE ();
  all = report_tsv (NULL, NULL);
  merged = report_tsv ("--merge", "mid", NULL);
  /* mid disappears; its own samples count for run; nothing is lost. */
  g_assert_false (g_hash_table_contains (merged, "mid"));
  g_assert_cmpuint (sum_self (merged), ==, sum_self (all));
  g_assert_cmpuint (self_of (merged, "run"), ==, self_of (all, "run") + self_of (all, "mid"));
  g_assert_cmpuint (self_of (merged, "hot_b"), ==, self_of (all, "hot_b"));
  g_assert_cmpuint (total_of (merged, "run"), ==, total_of (all, "run"));

  /* Merging the recursion away: its samples go to mid. */
  {
    g_autoptr(GHashTable) m = report_tsv ("--merge", "recurse", NULL);

    g_assert_false (g_hash_table_contains (m, "recurse"));
    g_assert_cmpuint (self_of (m, "mid"), ==, self_of (all, "mid") + self_of (all, "recurse"));
    g_assert_cmpuint (self_of (m, "hot_c"), ==, self_of (all, "hot_c"));
  }
}

static void
test_drop (void)
{
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GHashTable) dropped = NULL;

  SKIP_WITHOUT_CAPTURE ();
  all = report_tsv (NULL, NULL);
  dropped = report_tsv ("--drop", "hot_a", NULL);
  g_assert_cmpuint (total_of (all, "hot_a"), >, 0);
  g_assert_false (g_hash_table_contains (dropped, "hot_a"));
  g_assert_cmpuint (sum_self (dropped), ==, sum_self (all) - total_of (all, "hot_a"));
  g_assert_cmpuint (self_of (dropped, "hot_b"), ==, self_of (all, "hot_b"));
  g_assert_cmpuint (total_of (dropped, "mid"), ==, total_of (all, "mid"));
}

static void
test_order_and_errors (void)
{
  g_autoptr(GHashTable) all = NULL;

  SKIP_WITHOUT_CAPTURE ();
  all = report_tsv (NULL, NULL);

  /* Applied in the order given: dropping mid after focusing on it leaves
   * nothing; dropping hot_b first leaves mid's other samples. */
  {
    g_autoptr(GHashTable) a = report_tsv ("--focus", "mid", "--drop", "mid", NULL);
    g_autoptr(GHashTable) b = report_tsv ("--drop", "hot_b", "--focus", "mid", NULL);

    g_assert_cmpuint (g_hash_table_size (a), ==, 0);
    g_assert_cmpuint (sum_self (b), ==, total_of (all, "mid") - total_of (all, "hot_b"));
  }

  /* Collapsing recursion: recurse has no recursive self-call left in the tree. */
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--folded", "--collapse-recursion", capture, NULL };
    const char *plain[] = { g_getenv ("SCORCH_CLI"), "report", "--folded", capture, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_autofree char *before = run (plain, NULL, NULL);

    g_assert_nonnull (strstr (before, "recurse;recurse"));
    g_assert_null (strstr (out, "recurse;recurse"));
  }

  /* Bad values name the option and exit 2. */
  {
    const char *bad[][3] = {
      { "--min-percent", "x" }, { "--min-percent", "101" }, { "--focus", "" }, { "--focus-subtree", "a;;b" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", bad[i][0], bad[i][1], capture, NULL };
        int status = -1;
        g_autofree char *out = run (argv, NULL, &status);

        g_assert_true (WIFEXITED (status));
        g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      }
  }

  /* export takes them too: an SVG focused on hot_c names no hot_a. */
  {
    g_autofree char *svg_path = g_build_filename (tmpdir, "focus.svg", NULL);
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "export", "--focus", "mid", "-o", svg_path, capture, NULL };
    g_autofree char *svg = NULL;
    int status = -1;
    g_autofree char *out = run (argv, NULL, &status);

    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_file_get_contents (svg_path, &svg, NULL, NULL));
    g_assert_nonnull (strstr (svg, "hot_b"));
    g_assert_null (strstr (svg, "hot_a"));
  }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  analysis_helpers_init ("scorch-test-cli-transforms-XXXXXX");

  g_test_add_func ("/cli/transforms/focus", test_focus);
  g_test_add_func ("/cli/transforms/merge", test_merge);
  g_test_add_func ("/cli/transforms/drop", test_drop);
  g_test_add_func ("/cli/transforms/order-and-errors", test_order_and_errors);

  ret = g_test_run ();
  analysis_helpers_cleanup ();
  g_free (capture);
  return ret;
}
