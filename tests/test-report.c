/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report.c: records real workloads with perf record (frame pointers and
 * DWARF) and checks that "scorch-cli report --tsv" agrees with perf report:
 * self (--no-children) and total (--children) percentages within 1 point for
 * every function above 1%.  Also: Rust (legacy and v0 mangling), stripped
 * binaries with debug info found by build id, inline frames, fork+exec, JIT
 * map files, deleted and replaced binaries, and the CLI's options. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "scorch-demangle.h"

static char *tmpdir;

typedef struct
{
  double   self;
  double   total;
  char    *module;
  gboolean inlined;
} Entry;

static void
entry_free (gpointer p)
{
  Entry *e = p;

  g_free (e->module);
  g_free (e);
}

static const char *
workload (const char *name)
{
  static GHashTable *paths;
  char *path;

  if (paths == NULL)
    paths = g_hash_table_new (g_str_hash, g_str_equal);
  path = g_hash_table_lookup (paths, name);
  if (path == NULL)
    {
      path = g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), name, NULL);
      g_hash_table_insert (paths, g_strdup (name), path);
    }
  return path;
}

static char *
run (const char * const *argv,
     const char * const *envp,
     int                *status_out)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (status_out != NULL)
    *status_out = status;
  else if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
      g_error ("%s failed: %s", cmd, err);
    }
  return out;
}

static gboolean
have_perf (void)
{
  const char *argv[] = { "perf", "record", "-q", "-o", "/dev/null", "-e", "cpu-clock", "--", "true", NULL };
  int status;
  g_autofree char *out = NULL;

  if (g_find_program_in_path ("perf") == NULL)
    return FALSE;
  out = run (argv, NULL, &status);
  return g_spawn_check_wait_status (status, NULL);
}

/* perf record at a fixed period (2 kHz of cpu-clock), so that perf's
 * period-weighted percentages and Scorch's sample counts agree. */
static char *
record (const char         *name,
        gboolean            dwarf,
        const char * const *cmd)
{
  g_autofree char *out = g_strdup_printf ("%s/%s.data", tmpdir, name);
  GPtrArray *argv = g_ptr_array_new ();
  g_autofree char *stdout_ = NULL;

  g_ptr_array_add (argv, (char *) "perf");
  g_ptr_array_add (argv, (char *) "record");
  g_ptr_array_add (argv, (char *) "-q");
  g_ptr_array_add (argv, (char *) "-e");
  g_ptr_array_add (argv, (char *) "cpu-clock");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) "500000");
  if (dwarf)
    {
      g_ptr_array_add (argv, (char *) "--call-graph");
      g_ptr_array_add (argv, (char *) "dwarf");
    }
  else
    g_ptr_array_add (argv, (char *) "-g");
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, out);
  g_ptr_array_add (argv, (char *) "--");
  for (guint i = 0; cmd[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) cmd[i]);
  g_ptr_array_add (argv, NULL);

  stdout_ = run ((const char * const *) argv->pdata, NULL, NULL);
  g_ptr_array_unref (argv);
  return g_steal_pointer (&out);
}

/* Names as perf prints them, made comparable with Scorch's. */
static char *
normalize (const char *name)
{
  g_autofree char *n = g_strdup (name);
  char *demangled;
  char *p;

  g_strstrip (n);
  if (g_str_has_suffix (n, "(inlined)"))
    {
      n[strlen (n) - strlen ("(inlined)")] = '\0';
      g_strstrip (n);
    }
  /* perf 6.1 does not demangle Rust v0 names */
  if ((g_str_has_prefix (n, "_R") || g_str_has_prefix (n, "_Z")) &&
      (demangled = scorch_demangle (n)) != NULL)
    {
      g_free (n);
      n = demangled;
    }
  if ((p = strstr (n, "@")) != NULL)
    *p = '\0';
  /* perf prints C++ names without their parameter list */
  if (g_str_has_suffix (n, " const"))
    n[strlen (n) - strlen (" const")] = '\0';
  if (g_str_has_suffix (n, ")") && strchr (n, '(') != NULL)
    {
      int depth = 0;

      for (p = n + strlen (n) - 1; p >= n; p--)
        {
          if (*p == ')')
            depth++;
          else if (*p == '(' && --depth == 0)
            break;
        }
      if (p > n && !(p - n >= 8 && strncmp (p - 8, "operator", 8) == 0))
        *p = '\0';
    }
  /* and without the return type of template functions */
  {
    int depth = 0;
    char *last_space = NULL;

    for (p = n; *p; p++)
      {
        if (*p == '<' || *p == '(')
          depth++;
        else if (*p == '>' || *p == ')')
          depth--;
        else if (*p == ' ' && depth == 0)
          last_space = p;
      }
    if (last_space != NULL)
      memmove (n, last_space + 1, strlen (last_space + 1) + 1);
  }
  /* glibc aliases */
  if (strcmp (n, "__clone3") == 0 || strcmp (n, "__clone") == 0)
    memmove (n, n + 2, strlen (n + 2) + 1);
  /* perf names glibc's start routine by its internal alias */
  if (strcmp (n, "__libc_start_main_impl") == 0)
    {
      g_free (n);
      n = g_strdup ("__libc_start_main");
    }
  return g_steal_pointer (&n);
}

static gboolean
is_address (const char *name)
{
  if (g_str_has_prefix (name, "0x") || g_str_has_prefix (name, "[unknown]"))
    return TRUE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static GHashTable *
perf_report (const char *file)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  g_autoptr(GRegex) self_re = g_regex_new ("^\\s*([0-9.]+)%\\s+\\[(.)\\]\\s+(.+)$", 0, 0, NULL);
  g_autoptr(GRegex) total_re = g_regex_new ("^\\s*([0-9.]+)%\\s+([0-9.]+)%\\s+\\[(.)\\]\\s+(.+)$", 0, 0, NULL);

  for (int pass = 0; pass < 2; pass++)
    {
      const char *argv[] = { "perf", "report", "-i", file, pass == 0 ? "--no-children" : "--children",
                             "--sort", "sym", "--stdio", "-g", "none", "--percent-limit", "0.5", NULL };
      g_autofree char *out = run (argv, NULL, NULL);
      g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_autoptr(GMatchInfo) mi = NULL;
          g_autofree char *name = NULL;
          g_autofree char *pct = NULL;
          Entry *e;

          if (lines[i][0] == '#' || lines[i][0] == '\0')
            continue;
          if (!g_regex_match (pass == 0 ? self_re : total_re, lines[i], 0, &mi))
            continue;
          g_autofree char *raw = g_match_info_fetch (mi, pass == 0 ? 3 : 4);

          name = normalize (raw);
          pct = g_match_info_fetch (mi, 1);
          e = g_hash_table_lookup (table, name);
          if (e == NULL)
            {
              e = g_new0 (Entry, 1);
              g_hash_table_insert (table, g_strdup (name), e);
            }
          if (g_str_has_suffix (raw, "(inlined)"))
            e->inlined = TRUE;
          /* the same name can appear in kernel and user space; sum */
          if (pass == 0)
            e->self += g_ascii_strtod (pct, NULL);
          else
            e->total = MAX (e->total, g_ascii_strtod (pct, NULL));
        }
    }
  return table;
}

static GHashTable *
scorch_report (const char         *file,
               const char * const *envp)
{
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", file, NULL };
  g_autofree char *out = run (argv, envp, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      Entry *e;

      g_autofree char *name = NULL;

      if (lines[i][0] == '\0')
        continue;
      g_assert_cmpuint (g_strv_length (f), ==, 6);
      name = normalize (f[4]);
      e = g_hash_table_lookup (table, name);
      if (e == NULL)
        {
          e = g_new0 (Entry, 1);
          e->module = g_strdup (f[5]);
          g_hash_table_insert (table, g_strdup (name), e);
        }
      e->self += g_ascii_strtod (f[0], NULL);
      e->total = MAX (e->total, g_ascii_strtod (f[1], NULL));
    }
  return table;
}

/* Self percentages with perf's meaning, from Scorch's folded stacks: perf
 * gives a sample's self to the real (non-inlined) function at its leaf,
 * Scorch's hotspot table to the innermost inline frame. */
static GHashTable *
scorch_self_like_perf (const char *file)
{
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--folded", file, NULL };
  g_autofree char *out = run (argv, NULL, NULL);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  double total = 0;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *sp = strrchr (lines[i], ' ');
      g_auto(GStrv) frames = NULL;
      double n;
      int leaf;
      double *c;
      g_autofree char *name = NULL;

      if (sp == NULL)
        continue;
      *sp = '\0';
      n = g_ascii_strtod (sp + 1, NULL);
      total += n;
      frames = g_strsplit (lines[i], ";", -1);
      for (leaf = (int) g_strv_length (frames) - 1; leaf >= 0; leaf--)
        if (!g_str_has_suffix (frames[leaf], "_[i]"))
          break;
      if (leaf < 0)
        continue;
      if (g_str_has_suffix (frames[leaf], "_[k]") || g_str_has_suffix (frames[leaf], "_[j]"))
        frames[leaf][strlen (frames[leaf]) - 4] = '\0';
      name = normalize (frames[leaf]);
      c = g_hash_table_lookup (counts, name);
      if (c == NULL)
        {
          c = g_new0 (double, 1);
          g_hash_table_insert (counts, g_strdup (name), c);
        }
      *c += n;
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    *(double *) value = total > 0 ? 100.0 * *(double *) value / total : 0;
  return counts;
}

/* Every function above 1% in perf report is in Scorch's report with self
 * and total within 1 point. */
static void
compare_with_perf (const char         *file,
                   const char * const *expected,
                   const char * const *envp)
{
  g_autoptr(GHashTable) perf = perf_report (file);
  g_autoptr(GHashTable) ours = scorch_report (file, envp);
  g_autoptr(GHashTable) self_like_perf = envp == NULL ? scorch_self_like_perf (file) : NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint compared = 0;

  g_hash_table_iter_init (&iter, perf);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *name = key;
      const Entry *p = value;
      const Entry *s;

      if (p->self <= 1.0 && p->total <= 1.0)
        continue;
      if (is_address (name))
        continue;
      s = g_hash_table_lookup (ours, name);
      /* ld.so's _start ends with "call _dl_start"; the return address is
       * the first byte of _dl_start_user. perf names return addresses as
       * they are in frame-pointer chains, Scorch looks up the call (ip - 1,
       * as perf itself does for DWARF unwinding) and names _start. */
      if (s == NULL && strcmp (name, "_dl_start_user") == 0 && p->total < 3.0)
        continue;
      /* perf names inline frames by their DWARF name (short, no scope:
       * "_M_invoke"), Scorch by the demangled linkage name of the abstract
       * origin; only real functions are compared by name. */
      if (s == NULL && p->inlined)
        continue;
      if (s == NULL)
        g_error ("%s: perf reports %s (self %.2f%%, total %.2f%%), Scorch does not", file, name, p->self, p->total);
      {
        double *ps = self_like_perf != NULL ? g_hash_table_lookup (self_like_perf, name) : NULL;
        double our_self = ps != NULL ? *ps : (self_like_perf != NULL ? 0.0 : s->self);

        g_test_message ("%-60s perf %6.2f %6.2f  scorch %6.2f (%6.2f) %6.2f", name, p->self, p->total,
                        s->self, our_self, s->total);
        if (fabs (p->self - our_self) > 1.0)
          g_error ("%s: %s self: perf %.2f%%, Scorch %.2f%% (%.2f%% with inline frames apart)",
                   file, name, p->self, our_self, s->self);
      }
      if (p->total > 0 && fabs (p->total - s->total) > 1.0)
        g_error ("%s: %s total: perf %.2f%%, Scorch %.2f%%", file, name, p->total, s->total);
      compared++;
    }
  g_assert_cmpuint (compared, >, 0);

  for (guint i = 0; expected != NULL && expected[i] != NULL; i++)
    if (!g_hash_table_contains (ours, expected[i]))
      g_error ("%s: Scorch's report lacks %s", file, expected[i]);
}

#define SKIP_WITHOUT_PERF() G_STMT_START { if (!have_perf ()) { \
      g_test_skip ("perf record cannot run here (perf missing or perf_event_open not permitted)"); return; } } G_STMT_END

static const char * const c_functions[] = { "hot_a", "hot_b", "hot_c", "recurse", "mid", "run", "main", NULL };

static void
test_c_fp (void)
{
  const char *cmd[] = { workload ("analysis-c-fp"), "0.5", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record ("c-fp", FALSE, cmd);
  compare_with_perf (file, c_functions, NULL);
}

static void
test_c_fp_dwarf (void)
{
  const char *cmd[] = { workload ("analysis-c-fp"), "0.5", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record ("c-fp-dwarf", TRUE, cmd);
  compare_with_perf (file, c_functions, NULL);
}

static void
test_c_nofp_dwarf (void)
{
  const char *cmd[] = { workload ("analysis-c-nofp"), "0.5", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record ("c-nofp-dwarf", TRUE, cmd);
  compare_with_perf (file, c_functions, NULL);
}

static void
test_c_nofp_fp (void)
{
  /* Frame-pointer call graphs of a binary without frame pointers are
   * wrong in the same way in perf and Scorch: compare anyway. */
  const char *cmd[] = { workload ("analysis-c-nofp"), "0.5", NULL };
  g_autofree char *file = NULL;
  const char * const expected[] = { "hot_a", "hot_b", "hot_c", NULL };

  SKIP_WITHOUT_PERF ();
  file = record ("c-nofp-fp", FALSE, cmd);
  compare_with_perf (file, expected, NULL);
}

static void
test_cpp (gconstpointer data)
{
  gboolean dwarf = GPOINTER_TO_INT (data);
  const char *cmd[] = { workload ("analysis-cpp"), "0.5", NULL };
  g_autofree char *file = NULL;
  g_autoptr(GHashTable) ours = NULL;
  gboolean template_seen = FALSE, lambda_seen = FALSE;
  GHashTableIter iter;
  gpointer key;

  SKIP_WITHOUT_PERF ();
  file = record (dwarf ? "cpp-dwarf" : "cpp-fp", dwarf, cmd);
  compare_with_perf (file, NULL, NULL);

  ours = scorch_report (file, NULL);
  g_hash_table_iter_init (&iter, ours);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (strstr (key, "work::Accumulator<unsigned long>::add_squares") != NULL)
        template_seen = TRUE;
      if (strstr (key, "{lambda") != NULL)
        lambda_seen = TRUE;
    }
  g_assert_true (template_seen);
  g_assert_true (lambda_seen);
}

static char *
build_rust (gboolean v0)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "workloads", "analysis-rust.rs", NULL);
  char *out = g_strdup_printf ("%s/analysis-rust-%s", tmpdir, v0 ? "v0" : "legacy");
  const char *argv[] = { "rustc", "-C", "opt-level=1", "-C", "debuginfo=2", "-C", "force-frame-pointers=yes",
                         "-C", v0 ? "symbol-mangling-version=v0" : "debug-assertions=no", "-o", out, src, NULL };
  g_autofree char *o = run (argv, NULL, NULL);

  return out;
}

static void
test_rust (gconstpointer data)
{
  gboolean v0 = GPOINTER_TO_INT (data);
  g_autofree char *bin = NULL;
  g_autofree char *file = NULL;
  g_autoptr(GHashTable) ours = NULL;
  GHashTableIter iter;
  gpointer key;
  gboolean seen = FALSE;

  SKIP_WITHOUT_PERF ();
  if (g_find_program_in_path ("rustc") == NULL)
    {
      g_test_skip ("rustc is not installed");
      return;
    }
  bin = build_rust (v0);
  {
    const char *cmd[] = { bin, "0.5", NULL };
    file = record (v0 ? "rust-v0" : "rust-legacy", TRUE, cmd);
  }
  compare_with_perf (file, NULL, NULL);

  ours = scorch_report (file, NULL);
  g_hash_table_iter_init (&iter, ours);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *name = key;

      g_assert_false (g_str_has_prefix (name, "_R"));
      g_assert_false (g_str_has_prefix (name, "_ZN"));
      if (strstr (name, "Squares>::rust_sum_squares") != NULL || strstr (name, "Squares::rust_sum_squares") != NULL)
        {
          g_assert_null (strstr (name, "::h")); /* hash removed */
          seen = TRUE;
        }
    }
  g_assert_true (seen);
}

static char *
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (from, &contents, &len, &error));
  g_assert_true (g_file_set_contents (to, contents, len, &error));
  g_chmod (to, 0755);
  return g_strdup (to);
}

static char *
build_id_of (const char *path)
{
  const char *argv[] = { "readelf", "-n", path, NULL };
  g_autofree char *out = run (argv, NULL, NULL);
  const char *p = strstr (out, "Build ID: ");

  g_assert_nonnull (p);
  p += strlen ("Build ID: ");
  return g_strndup (p, strspn (p, "0123456789abcdef"));
}

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
    const char *cmd[] = { bin, "0.5", NULL };
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
  const char *cmd[] = { workload ("analysis-inline"), "0.5", NULL };
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  const char *p;

  SKIP_WITHOUT_PERF ();
  file = record ("inline", TRUE, cmd);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
    json = run (argv, NULL, NULL);
  }
  p = strstr (json, "\"function\": \"inlined_square_loop\"");
  g_assert_nonnull (p);
  g_assert_true (g_str_has_prefix (strstr (p, "\"kind\""), "\"kind\": \"inlined\""));
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
  const char *cmd[] = { workload ("analysis-forkexec"), workload ("analysis-c-fp"), "0.5", NULL };
  const char * const expected[] = { "parent_burn", "hot_a", "hot_b", "run", NULL };
  g_autofree char *file = NULL;

  SKIP_WITHOUT_PERF ();
  file = record ("forkexec", FALSE, cmd);
  compare_with_perf (file, expected, NULL);
}

static void
test_jit (void)
{
  const char *cmd[] = { workload ("analysis-jit"), "0.5", NULL };
  const char * const expected[] = { "jitted_hot_loop", NULL };
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  const char *p;

  SKIP_WITHOUT_PERF ();
  file = record ("jit", FALSE, cmd);
  compare_with_perf (file, expected, NULL);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
    json = run (argv, NULL, NULL);
  }
  p = strstr (json, "\"function\": \"jitted_hot_loop\"");
  g_assert_nonnull (p);
  g_assert_true (g_str_has_prefix (strstr (p, "\"kind\""), "\"kind\": \"jit\""));
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
    const char *cmd[] = { bin, "0.5", NULL };
    file = record ("doomed", FALSE, cmd);
  }

  for (int round = 0; round < 2; round++)
    {
      if (round == 0)
        g_assert_cmpint (g_unlink (bin), ==, 0);
      else
        g_free (copy_file (workload ("analysis-c-nofp"), bin)); /* same path, other build id */

      ours = scorch_report (file, NULL);
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
  const char *cmd[] = { workload ("analysis-cpp"), "0.5", NULL };
  g_autofree char *file = NULL;
  const char *cli = g_getenv ("SCORCH_CLI");
  int status;

  SKIP_WITHOUT_PERF ();
  file = record ("cli", FALSE, cmd);

  {
    const char *argv[] = { cli, "report", "--tsv", "--top", "3", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
    double prev = 101;

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
      guint64 n_all = g_ascii_strtoull (strstr (all, "\"samples\": ") + 11, NULL, 10);
      guint64 n_one = g_ascii_strtoull (strstr (one, "\"samples\": ") + 11, NULL, 10);

      g_assert_cmpuint (n_one, >, 0);
      g_assert_cmpuint (n_one, <, n_all);
    }
    {
      const char *argv[] = { cli, "report", "--json", "--time", "0,0.2", file, NULL };
      g_autofree char *part = run (argv, NULL, NULL);
      guint64 n_all = g_ascii_strtoull (strstr (all, "\"samples\": ") + 11, NULL, 10);
      guint64 n_part = g_ascii_strtoull (strstr (part, "\"samples\": ") + 11, NULL, 10);

      g_assert_cmpuint (n_part, >, 0);
      g_assert_cmpuint (n_part, <, n_all);
    }
  }
  {
    const char *argv[] = { cli, "report", "--folded", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_autofree char *folded = g_strdup_printf ("%s/cli.folded", tmpdir);
    g_assert_nonnull (strstr (out, ";main;"));
    g_assert_true (g_file_set_contents (folded, out, -1, NULL));
    {
      /* and the folded file loads back */
      const char *argv2[] = { cli, "report", "--tsv", folded, NULL };
      g_autofree char *out2 = run (argv2, NULL, NULL);
      g_assert_nonnull (strstr (out2, "main"));
    }
  }
  {
    const char *argv[] = { cli, "report", "--tree", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
    g_assert_nonnull (strstr (out, "main"));
  }
  {
    const char *argv[] = { cli, "report", file, NULL };
    g_autofree char *out = run (argv, NULL, NULL);
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

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("scorch-test-report-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/analyzer/c-fp", test_c_fp);
  g_test_add_func ("/libscorch/analyzer/c-fp-dwarf", test_c_fp_dwarf);
  g_test_add_func ("/libscorch/analyzer/c-nofp-dwarf", test_c_nofp_dwarf);
  g_test_add_func ("/libscorch/analyzer/c-nofp-fp", test_c_nofp_fp);
  g_test_add_data_func ("/libscorch/analyzer/cpp-fp", GINT_TO_POINTER (FALSE), test_cpp);
  g_test_add_data_func ("/libscorch/analyzer/cpp-dwarf", GINT_TO_POINTER (TRUE), test_cpp);
  g_test_add_data_func ("/libscorch/analyzer/rust-legacy", GINT_TO_POINTER (FALSE), test_rust);
  g_test_add_data_func ("/libscorch/analyzer/rust-v0", GINT_TO_POINTER (TRUE), test_rust);
  g_test_add_func ("/libscorch/analyzer/stripped-debug-by-build-id", test_stripped_debug_by_build_id);
  g_test_add_func ("/libscorch/analyzer/inline", test_inline);
  g_test_add_func ("/libscorch/analyzer/fork-exec", test_fork_exec);
  g_test_add_func ("/libscorch/analyzer/jit", test_jit);
  g_test_add_func ("/libscorch/analyzer/deleted-and-replaced", test_deleted_and_replaced);
  g_test_add_func ("/cli/report/options", test_cli_options);

  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
