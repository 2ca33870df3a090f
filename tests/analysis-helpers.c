/* SPDX-License-Identifier: GPL-3.0-or-later */
/* analysis-helpers.c: shared by test-analyzer and test-report: run perf
 * record / perf report / scorch-cli report and compare their figures. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis-helpers.h"
#include "perf-record-util.h"
#include "scorch-demangle.h"

char *tmpdir;

static void
entry_free (gpointer p)
{
  Entry *e = p;

  g_free (e->module);
  g_free (e);
}

static GHashTable *paths;

/* A test program's start: its own directory for captures and copies,
 * tmpdir, made from TEMPLATE (g_dir_make_tmp) */
void
analysis_helpers_init (const char *template)
{
  tmpdir = g_dir_make_tmp (template, NULL);
  g_assert_nonnull (tmpdir);
}

/* Its end: tmpdir and everything in it go */
void
analysis_helpers_cleanup (void)
{
  if (tmpdir != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);

      if (system (cmd) != 0)
        g_warning ("could not remove %s", tmpdir);
      g_clear_pointer (&tmpdir, g_free);
    }
  g_clear_pointer (&paths, g_hash_table_unref);
}

const char *
workload (const char *name)
{
  char *path;

  if (paths == NULL)
    paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  path = g_hash_table_lookup (paths, name);
  if (path == NULL)
    {
      path = g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), name, NULL);
      g_hash_table_insert (paths, g_strdup (name), path);
    }
  return path;
}

char *
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

gboolean
have_perf (void)
{
  return perf_record_util_can_record ();
}

/* perf record at a fixed period (2 kHz of cpu-clock), so that perf's
 * period-weighted percentages and Scorch's sample counts agree. */
char *
record (const char         *name,
        gboolean            dwarf,
        const char * const *cmd)
{
  g_autofree char *out = g_strdup_printf ("%s/%s.data", tmpdir, name);
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) "perf");
  g_ptr_array_add (argv, (char *) "record");
  g_ptr_array_add (argv, (char *) "-q");
  g_ptr_array_add (argv, (char *) "-e");
  g_ptr_array_add (argv, (char *) "cpu-clock");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) "500000");
  /* skip the dynamic loader's start-up, where a handful of samples make
   * a few percent of a short run and the two unwinders differ most */
  g_ptr_array_add (argv, (char *) "-D");
  g_ptr_array_add (argv, (char *) "100");
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

  perf_record_util_run_ok ((const char * const *) argv->pdata, NULL);
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
  /* glibc aliases: perf and Scorch may pick different names at one address */
  if (g_str_has_prefix (n, "__GI_"))
    memmove (n, n + 5, strlen (n + 5) + 1);
  while (n[0] == '_' && n[1] == '_' && g_ascii_isalpha (n[2]) && strcmp (n, "__libc_start_main") != 0 &&
         strcmp (n, "__libc_start_call_main") != 0)
    memmove (n, n + 2, strlen (n + 2) + 1);
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
                             "--sort", "sym", "--stdio", "-g", "none", "--percent-limit", "0.7", NULL };
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
          /* perf sometimes lists one symbol twice (two symbol objects for
           * the same function, e.g. in two threads' maps): sum */
          if (pass == 0)
            e->self += g_ascii_strtod (pct, NULL);
          else
            e->total = MIN (100.0, e->total + g_ascii_strtod (pct, NULL));
        }
    }
  return table;
}

GHashTable *
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
      /* perf's --sort sym merges functions of the same name (main of two
       * programs): do the same */
      e->self += g_ascii_strtod (f[0], NULL);
      e->total = MIN (100.0, e->total + g_ascii_strtod (f[1], NULL));
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
void
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


char *
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

char *
build_id_of (const char *path)
{
  const char *argv[] = { "readelf", "-n", path, NULL };
  g_autofree char *out = run (argv, NULL, NULL);
  const char *p = strstr (out, "Build ID: ");

  g_assert_nonnull (p);
  p += strlen ("Build ID: ");
  return g_strndup (p, strspn (p, "0123456789abcdef"));
}

/* The entry of scorch-cli report --json's "functions" for FUNCTION, or
 * NULL */
JsonObject *
json_function (JsonNode   *root,
               const char *function)
{
  JsonArray *functions = json_object_get_array_member (json_node_get_object (root), "functions");

  for (guint i = 0; i < json_array_get_length (functions); i++)
    {
      JsonObject *f = json_array_get_object_element (functions, i);

      if (g_strcmp0 (json_object_get_string_member (f, "function"), function) == 0)
        return f;
    }
  return NULL;
}
