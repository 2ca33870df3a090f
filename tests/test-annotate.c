/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-annotate.c: scorch-cli annotate on captures recorded here, of a
 * workload built here with gcc and clang (tests/workloads/annotate-
 * workload.c): per-instruction shares against perf annotate, per-line
 * sums against eu-addr2line on the same addresses, the known hot lines,
 * an inlined helper counted on its call line, and the messages for a
 * missing source file and for missing debug information. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis-helpers.h"
#include "elf-test-util.h"
#include "scorch-annotate.h"

typedef struct
{
  double   self_pct;
  guint64  self;
  guint64  address;
  char    *location;  /* file:line */
} InsnRow;

typedef struct
{
  double   self_pct;
  double   total_pct;
  guint64  self;
  guint64  total;
  char    *file;
  guint    line;
  char    *text;
} LineRow;

static void
insn_row_clear (gpointer p)
{
  g_free (((InsnRow *) p)->location);
}

static void
line_row_clear (gpointer p)
{
  g_free (((LineRow *) p)->file);
  g_free (((LineRow *) p)->text);
}

static char *
annotate (const char  *file,
          const char  *function,
          gboolean     asm_,
          const char  *source_root,
          char       **err_out,
          int         *status_out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;
  /* a comma-decimal locale: the TSV keeps its dots */
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "LC_ALL", "de_DE.UTF-8", TRUE);

  g_ptr_array_add (argv, (gpointer) g_getenv ("SCORCH_CLI"));
  g_ptr_array_add (argv, (gpointer) "annotate");
  g_ptr_array_add (argv, (gpointer) "--tsv");
  if (asm_)
    g_ptr_array_add (argv, (gpointer) "--asm");
  if (source_root != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--source-root");
      g_ptr_array_add (argv, (gpointer) source_root);
    }
  g_ptr_array_add (argv, (gpointer) file);
  g_ptr_array_add (argv, (gpointer) function);
  g_ptr_array_add (argv, NULL);
  envp = g_environ_unsetenv (envp, "DEBUGINFOD_URLS");
  if (!g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, err_out, &status, &error))
    g_error ("scorch-cli: %s", error->message);
  if (status_out != NULL)
    *status_out = status;
  return out;
}

static double
parse_double (const char *s)
{
  char *end = NULL;
  double v = g_ascii_strtod (s, &end);

  g_assert_true (end != s && *end == '\0');
  return v;
}

static GArray *
parse_insns (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (InsnRow));

  g_array_set_clear_func (rows, insn_row_clear);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      InsnRow r = { 0, };

      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 5);
      g_assert_null (strchr (f[0], ','));
      r.self_pct = parse_double (f[0]);
      r.self = g_ascii_strtoull (f[1], NULL, 10);
      g_assert_true (g_str_has_prefix (f[2], "0x"));
      r.address = g_ascii_strtoull (f[2] + 2, NULL, 16);
      r.location = g_strdup (f[4]);
      g_array_append_val (rows, r);
    }
  return rows;
}

static GArray *
parse_lines (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (LineRow));

  g_array_set_clear_func (rows, line_row_clear);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      LineRow r = { 0, };
      char *colon;

      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 6);
      r.self_pct = parse_double (f[0]);
      r.total_pct = parse_double (f[1]);
      r.self = g_ascii_strtoull (f[2], NULL, 10);
      r.total = g_ascii_strtoull (f[3], NULL, 10);
      colon = strrchr (f[4], ':');
      g_assert_nonnull (colon);
      r.file = g_strndup (f[4], colon - f[4]);
      r.line = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
      r.text = g_strdup (f[5]);
      g_array_append_val (rows, r);
    }
  return rows;
}

/* The line of a marker comment in the workload's source. */
static guint
marker_line (const char *marker)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "workloads", "annotate-workload.c", NULL),
                                      &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], marker) != NULL)
      return i + 1;
  g_assert_not_reached ();
}

/* perf annotate's percentage per instruction address of function. */
static GHashTable *
perf_annotate (const char *file,
               const char *function)
{
  const char *argv[] = { "perf", "annotate", "--stdio", "--no-source", "-i", file, "-s", function, NULL };
  g_autofree char *out = run (argv, NULL, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GHashTable *shares = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GRegex) re = g_regex_new ("^\\s*([0-9]+\\.[0-9]+)\\s*:\\s*([0-9a-f]+):", 0, 0, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) m = NULL;

      if (g_regex_match (re, lines[i], 0, &m))
        {
          g_autofree char *pct = g_match_info_fetch (m, 1);
          g_autofree char *addr = g_match_info_fetch (m, 2);
          gint64 *key = g_new (gint64, 1);
          double *value = g_new (double, 1);

          *key = (gint64) g_ascii_strtoull (addr, NULL, 16);
          *value = g_ascii_strtod (pct, NULL);
          g_hash_table_insert (shares, key, value);
        }
    }
  g_assert_cmpuint (g_hash_table_size (shares), >, 0);
  return shares;
}

/* Line (in the function itself, the outermost of the inline chain) of
 * each address, from eu-addr2line -i. */
static GHashTable *
addr2line (const char *binary,
           GArray     *insns)
{
  g_autoptr(GArray) addrs = g_array_sized_new (FALSE, FALSE, sizeof (guint64), insns->len);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *result = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  gint64 current = -1;
  char *last = NULL;
  g_autofree char *ref = g_strdup_printf ("%s.aranges", binary);

  for (guint i = 0; i < insns->len; i++)
    g_array_append_val (addrs, g_array_index (insns, InsnRow, i).address);
  /* clang's build has no .debug_aranges, without which eu-addr2line
   * (elfutils 0.188) finds no line: ask the build that has them */
  out = test_elf_eu_addr2line (g_file_test (ref, G_FILE_TEST_IS_REGULAR) ? ref : binary, "-i",
                               (const guint64 *) addrs->data, addrs->len);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; ; i++)
    {
      if (lines[i] == NULL || g_str_has_prefix (lines[i], "0x"))
        {
          if (current >= 0 && last != NULL)
            {
              gint64 *key = g_new (gint64, 1);
              g_auto(GStrv) parts = g_strsplit (last, ":", -1);
              guint n = g_strv_length (parts);

              /* file:line:column; keep file:line */
              const char *line_no;

              *key = current;
              g_assert_cmpuint (n, >=, 2);
              line_no = n >= 3 ? parts[n - 2] : parts[1];
              /* line 0 (code of no line, as clang marks it): no line at all */
              if (strcmp (line_no, "0") == 0)
                g_hash_table_insert (result, key, g_strdup ("??:0"));
              else
                g_hash_table_insert (result, key, g_strdup_printf ("%s:%s", n >= 3 ? parts[n - 3] : parts[0], line_no));
            }
          if (lines[i] == NULL)
            break;
          current = (gint64) g_ascii_strtoull (lines[i] + 2, NULL, 16);
          g_clear_pointer (&last, g_free);
        }
      else if (lines[i][0] != '\0')
        {
          g_free (last);
          last = g_strdup (lines[i]);
        }
    }
  g_free (last);

  /* line 0 belongs to the line before it, in address order (Scorch's rule) */
  {
    const char *prev = NULL;

    for (guint i = 0; i < insns->len; i++)
      {
        gint64 addr = (gint64) g_array_index (insns, InsnRow, i).address;
        const char *where = g_hash_table_lookup (result, &addr);

        g_assert_nonnull (where);
        if (strcmp (where, "??:0") == 0 && prev != NULL)
          {
            gint64 *key = g_new (gint64, 1);

            *key = addr;
            g_hash_table_insert (result, key, g_strdup (prev));
            where = g_hash_table_lookup (result, &addr);
          }
        prev = strcmp (where, "??:0") != 0 ? where : prev;
      }
  }
  return result;
}

static const LineRow *
find_line (GArray *rows,
           guint   line)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_array_index (rows, LineRow, i).line == line)
      return &g_array_index (rows, LineRow, i);
  return NULL;
}

/* Checks one function of one capture; returns its line rows. */
static GArray *
check_function (const char *file,
                const char *binary,
                const char *function)
{
  g_autofree char *asm_out = annotate (file, function, TRUE, NULL, NULL, NULL);
  g_autofree char *line_out = annotate (file, function, FALSE, NULL, NULL, NULL);
  g_autoptr(GArray) insns = parse_insns (asm_out);
  GArray *rows = parse_lines (line_out);
  g_autoptr(GHashTable) perf = perf_annotate (file, function);
  g_autoptr(GHashTable) lines = addr2line (binary, insns);
  g_autoptr(GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint64 self = 0;
  double max_diff = 0;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (insns->len, >, 0);

  /* per instruction: what perf annotate prints for the same capture, to
   * its two decimals (a sample's instruction is its IP, unwinding plays no
   * part: nothing may differ; 2 points were allowed before, and the
   * largest difference seen was 0.00) */
  for (guint i = 0; i < insns->len; i++)
    {
      const InsnRow *r = &g_array_index (insns, InsnRow, i);
      gint64 addr = (gint64) r->address;
      double *p = g_hash_table_lookup (perf, &addr);
      double theirs = p != NULL ? *p : 0.0;

      max_diff = MAX (max_diff, fabs (r->self_pct - theirs));
      if (fabs (r->self_pct - theirs) > 0.011)
        g_error ("%s %s 0x%" G_GINT64_MODIFIER "x: Scorch %.2f%%, perf annotate %.2f%%",
                 file, function, r->address, r->self_pct, theirs);
      self += r->self;
    }
  g_hash_table_iter_init (&iter, perf);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean ours = FALSE;

      for (guint i = 0; i < insns->len && !ours; i++)
        ours = (gint64) g_array_index (insns, InsnRow, i).address == *(gint64 *) key;
      if (!ours)
        g_assert_cmpfloat (*(double *) value, <=, 2.0);
    }
  g_test_message ("%s: largest difference with perf annotate: %.2f points", function, max_diff);
  g_assert_cmpuint (self, >, 50);

  /* per line: the sums of the instructions' samples by eu-addr2line's line */
  for (guint i = 0; i < insns->len; i++)
    {
      const InsnRow *r = &g_array_index (insns, InsnRow, i);
      gint64 addr = (gint64) r->address;
      const char *where;
      guint64 *sum;

      if (r->self == 0)
        continue;
      where = g_hash_table_lookup (lines, &addr);
      g_assert_nonnull (where);
      sum = g_hash_table_lookup (sums, where);
      if (sum == NULL)
        {
          sum = g_new0 (guint64, 1);
          g_hash_table_insert (sums, g_strdup (where), sum);
        }
      *sum += r->self;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      const LineRow *r = &g_array_index (rows, LineRow, i);
      g_autofree char *where = g_strdup_printf ("%s:%u", r->file, r->line);
      guint64 *sum = g_hash_table_lookup (sums, where);

      if (r->self != (sum != NULL ? *sum : 0))
        g_error ("%s %s %s: Scorch %" G_GUINT64_FORMAT " self samples, eu-addr2line's sum %" G_GUINT64_FORMAT,
                 file, function, where, r->self, sum != NULL ? *sum : 0);
      if (sum != NULL)
        g_hash_table_remove (sums, where);
    }
  g_assert_cmpuint (g_hash_table_size (sums), ==, 0);
  return rows;
}

/* A tolerance for a share of n samples against the design: 5 binomial
 * standard deviations (a chance failure once in 1.7 million checks; 4
 * were allowed before, once in 16 000) plus 6 points for the cost
 * difference between the two loops' bodies.  At 50 samples it is 38.5
 * points, still short of the 40 by which swapped lines (30/70) miss. */
static double
tolerance (double  share,
           guint64 n)
{
  return 500.0 * sqrt (share / 100.0 * (1.0 - share / 100.0) / (double) MAX (n, 1)) + 6.0;
}

static char *
build (const char *compiler,
       const char *name,
       gboolean    debug,
       char      **source_out)
{
  g_autofree char *dir = g_build_filename (tmpdir, name, NULL);
  g_autofree char *source = g_build_filename (dir, "annotate-workload.c", NULL);
  g_autofree char *text = NULL;
  char *binary = g_build_filename (tmpdir, name, NULL);
  gsize len;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "workloads", "annotate-workload.c", NULL),
                                      &text, &len, NULL));
  g_assert_true (g_file_set_contents (source, text, len, NULL));
  g_free (binary);
  binary = g_strdup_printf ("%s/%s.bin", tmpdir, name);
  {
    /* clang writes no .debug_aranges unless asked (-gdwarf-aranges), and
     * elfutils 0.188 finds a CU only by them: built without, so Scorch's
     * own CU index (scorch-dwarf-cu-index.c) is what finds clang's lines. */
    const char *argv[] = { compiler, "-O2", debug ? "-g" : "-g0", "-fno-omit-frame-pointer", "-o", binary, source, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
  }
  if (debug && strcmp (compiler, "clang") == 0)
    {
      /* the same code with .debug_aranges, for eu-addr2line (the reference) */
      g_autofree char *ref = g_strdup_printf ("%s.aranges", binary);
      const char *argv[] = { compiler, "-O2", "-g", "-gdwarf-aranges", "-fno-omit-frame-pointer", "-o", ref, source, NULL };
      g_autofree char *out = run (argv, NULL, NULL);
    }
  if (source_out != NULL)
    *source_out = g_steal_pointer (&source);
  return binary;
}

static void
test_compiler (gconstpointer data)
{
  const char *compiler = data;
  g_autofree char *path = g_find_program_in_path (compiler);
  g_autofree char *binary = NULL;
  g_autofree char *name = g_strdup_printf ("aw-%s", compiler);

  SKIP_WITHOUT_PERF ();
  if (path == NULL)
    {
      g_test_skip ("compiler missing (tools/install-deps.sh installs gcc and clang)");
      return;
    }
  binary = build (compiler, name, TRUE, NULL);

  for (int dwarf = 0; dwarf < 2; dwarf++)
    {
      const char *cmd[] = { binary, "1.2", NULL };
      g_autofree char *rec = g_strdup_printf ("%s-%s", name, dwarf ? "dwarf" : "fp");
      g_autofree char *file = record (rec, dwarf, cmd);
      g_autoptr(GArray) hot = NULL, split = NULL, inl = NULL;
      const LineRow *r70, *r30, *call, *hot_row;
      guint64 n;

      g_test_message ("%s, %s", compiler, dwarf ? "DWARF" : "frame pointers");

      hot = check_function (file, binary, "hot_loop");
      hot_row = find_line (hot, marker_line ("HOT_LINE"));
      g_assert_nonnull (hot_row);
      g_assert_nonnull (strstr (hot_row->text, "HOT_LINE"));
      /* the loop is on one line: it has (nearly) everything */
      g_assert_cmpfloat (hot_row->self_pct, >=, 95.0);

      split = check_function (file, binary, "split_work");
      r70 = find_line (split, marker_line ("SPLIT70_LINE"));
      r30 = find_line (split, marker_line ("SPLIT30_LINE"));
      g_assert_nonnull (r70);
      g_assert_nonnull (r30);
      n = r70->self + r30->self;
      g_test_message ("split_work: %.2f%% / %.2f%% of %" G_GUINT64_FORMAT ", tolerance %.2f points",
                      r70->self_pct, r30->self_pct, n, tolerance (70.0, n));
      g_assert_cmpuint (n, >=, 50);
      g_assert_cmpfloat (fabs (r70->self_pct - 70.0), <=, tolerance (70.0, n));
      g_assert_cmpfloat (fabs (r30->self_pct - 30.0), <=, tolerance (30.0, n));

      /* the inlined helper's cost is on the line that calls it */
      inl = check_function (file, binary, "with_inline");
      call = find_line (inl, marker_line ("CALL_LINE"));
      g_assert_nonnull (call);
      g_assert_cmpfloat (call->self_pct, >=, 95.0);
      g_assert_cmpfloat (call->total_pct, >=, 95.0);
      for (guint i = 0; i < inl->len; i++)
        g_assert_cmpuint (g_array_index (inl, LineRow, i).line, !=, marker_line ("HELPER_LINE"));
    }
}

static void
test_missing_source (void)
{
  g_autofree char *source = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *file = NULL;
  g_autofree char *root = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GArray) rows = NULL;
  const LineRow *hot;
  int status;

  SKIP_WITHOUT_PERF ();
  binary = build ("gcc", "aw-nosource", TRUE, &source);
  {
    const char *cmd[] = { binary, "0.5", NULL };
    file = record ("aw-nosource", FALSE, cmd);
  }
  /* the source moves away: named, with what to do */
  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  g_assert_cmpint (g_unlink (source), ==, 0);
  out = annotate (file, "hot_loop", FALSE, NULL, &err, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  expected = g_strdup_printf ("Source file %s was not found: choose the folder that holds the sources "
                              "(source root), or set DEBUGINFOD_URLS", source);
  g_assert_nonnull (strstr (err, expected));
  rows = parse_lines (out);
  hot = find_line (rows, marker_line ("HOT_LINE"));
  g_assert_nonnull (hot);
  g_assert_cmpstr (hot->text, ==, "");
  g_assert_cmpuint (hot->self, >, 0);
  g_clear_pointer (&rows, g_array_unref);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* a source root holding it: found by a tail of the DWARF path */
  root = g_build_filename (tmpdir, "roots", NULL);
  {
    g_autofree char *copy = g_build_filename (root, "aw-nosource", "annotate-workload.c", NULL);
    g_autofree char *dir = g_path_get_dirname (copy);

    g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
    g_assert_true (g_file_set_contents (copy, text, -1, NULL));
  }
  out = annotate (file, "hot_loop", FALSE, root, &err, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (err, "was not found"));
  rows = parse_lines (out);
  hot = find_line (rows, marker_line ("HOT_LINE"));
  g_assert_nonnull (hot);
  g_assert_nonnull (strstr (hot->text, "HOT_LINE"));
  g_clear_pointer (&rows, g_array_unref);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* a FIFO where the source was: not opened, reported missing */
  g_assert_cmpint (mkfifo (source, 0600), ==, 0);
  out = annotate (file, "hot_loop", FALSE, NULL, &err, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, expected));
}

static void
test_missing_debug_info (void)
{
  g_autofree char *binary = NULL;
  g_autofree char *file = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GArray) insns = NULL;
  guint64 self = 0;
  int status;

  SKIP_WITHOUT_PERF ();
  binary = build ("gcc", "aw-nodebug", FALSE, NULL);
  {
    const char *cmd[] = { binary, "0.5", NULL };
    file = record ("aw-nodebug", FALSE, cmd);
  }
  out = annotate (file, "hot_loop", TRUE, NULL, &err, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* not from a package: rebuild, debug file or debuginfod */
  g_assert_nonnull (strstr (err, "No debug information for aw-nodebug.bin, so no source lines: rebuild it with -g, "
                                 "or put its debug file under /usr/lib/debug/.build-id, or set DEBUGINFOD_URLS "
                                 "so that Scorch downloads it"));
  /* and still the disassembly, with the samples */
  insns = parse_insns (out);
  g_assert_cmpuint (insns->len, >, 3);
  for (guint i = 0; i < insns->len; i++)
    {
      g_assert_cmpstr (g_array_index (insns, InsnRow, i).location, ==, "??:0");
      self += g_array_index (insns, InsnRow, i).self;
    }
  g_assert_cmpuint (self, >, 0);
}

/* A source named relative to the compilation directory (as meson builds
 * name theirs) is found there. */
static void
test_relative_source (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "aw-relative", NULL);
  g_autofree char *sub = g_build_filename (dir, "src", NULL);
  g_autofree char *source = g_build_filename (sub, "annotate-workload.c", NULL);
  g_autofree char *binary = g_build_filename (dir, "aw-relative.bin", NULL);
  g_autofree char *text = NULL;
  g_autofree char *file = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GArray) rows = NULL;
  const LineRow *hot;
  gsize len;
  int status;

  SKIP_WITHOUT_PERF ();
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "workloads", "annotate-workload.c", NULL),
                                      &text, &len, NULL));
  g_assert_true (g_file_set_contents (source, text, len, NULL));
  {
    const char *argv[] = { "gcc", "-O2", "-g", "-fno-omit-frame-pointer", "-o", "aw-relative.bin",
                           "src/annotate-workload.c", NULL };

    g_assert_true (g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  {
    const char *cmd[] = { binary, "0.4", "hot", NULL };
    file = record ("aw-relative", FALSE, cmd);
  }
  out = annotate (file, "hot_loop", FALSE, NULL, &err, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (err, "was not found"));
  rows = parse_lines (out);
  hot = find_line (rows, marker_line ("HOT_LINE"));
  g_assert_nonnull (hot);
  g_assert_cmpstr (hot->file, ==, "src/annotate-workload.c");
  g_assert_nonnull (strstr (hot->text, "HOT_LINE"));
}

static void
test_debian_package (void)
{
  g_autofree char *dpkg = g_find_program_in_path ("dpkg");
  g_autofree char *package = NULL;
  g_autofree char *nothing = NULL;

  if (dpkg == NULL)
    {
      g_test_skip ("not a Debian system");
      return;
    }
  /* libc, under /lib or /usr/lib (merged /usr): dpkg knows one */
  package = scorch_annotate_dup_package ("/lib/x86_64-linux-gnu/libc.so.6");
  if (package == NULL)
    package = scorch_annotate_dup_package ("/usr/lib/x86_64-linux-gnu/libc.so.6");
  if (package != NULL)
    g_assert_cmpstr (package, ==, "libc6");
  nothing = scorch_annotate_dup_package ("/nonexistent/*");
  g_assert_null (nothing);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  analysis_helpers_init ("scorch-test-XXXXXX");

  g_test_add_data_func ("/cli/annotate/gcc", "gcc", test_compiler);
  g_test_add_data_func ("/cli/annotate/clang", "clang", test_compiler);
  g_test_add_func ("/cli/annotate/missing-source", test_missing_source);
  g_test_add_func ("/cli/annotate/missing-debug-info", test_missing_debug_info);
  g_test_add_func ("/cli/annotate/relative-source", test_relative_source);
  g_test_add_func ("/cli/annotate/debian-package", test_debian_package);

  ret = g_test_run ();

  analysis_helpers_cleanup ();
  return ret;
}
