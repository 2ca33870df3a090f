/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-clang-dwarf.c: captures of clang-built code without .debug_aranges
 * (clang writes them only with -gdwarf-aranges; elfutils 0.188 finds no
 * CU without them), recorded by scorch-cli with DWARF and frame-pointer
 * call graphs: the inlined function is an inline frame with its file and
 * line, and DWARF unwinding (clang's .eh_frame) gives whole stacks; the
 * same for a clang DWARF 4 build and a gcc DWARF 5 build. */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "analysis-helpers.h"

typedef struct
{
  const char *compiler;
  const char *dwarf_flag;
  gboolean    dwarf_unwind;
} Case;

static char *
build (const Case *c,
       const char *name)
{
  char *bin = g_build_filename (tmpdir, name, NULL);
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "workloads", "analysis-inline.c", NULL);
  const char *argv[] = { c->compiler, "-O2", "-g", c->dwarf_flag, "-fno-omit-frame-pointer", "-o", bin, src, NULL };
  g_autofree char *out = run (argv, NULL, NULL);

  return bin;
}

/* The line of the source whose text starts with prefix (1-based). */
static guint
source_line (const char *prefix)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "workloads", "analysis-inline.c", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return i + 1;
  g_assert_not_reached ();
}

static void
check_function (JsonNode   *root,
                const char *function,
                const char *kind,
                const char *decl_prefix)
{
  JsonObject *f = json_function (root, function);
  const char *file;

  if (f == NULL)
    g_error ("%s missing from report --json", function);
  g_assert_cmpstr (json_object_get_string_member (f, "kind"), ==, kind);
  g_assert_true (json_object_has_member (f, "file"));
  file = json_object_get_string_member (f, "file");
  g_assert_true (g_str_has_suffix (file, "/analysis-inline.c"));
  g_assert_cmpint (json_object_get_int_member (f, "line"), ==, source_line (decl_prefix));
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = g_find_program_in_path (c->compiler);
  g_autofree char *name = g_strdup_printf ("inline-%s%s-%s", c->compiler, c->dwarf_flag,
                                           c->dwarf_unwind ? "dwarf" : "fp");
  g_autofree char *bin = NULL;
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autofree char *folded = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) stacks = NULL;
  guint64 samples = 0, in_loop = 0, whole = 0;

  if (!have_perf ())
    {
      g_test_skip ("perf_event_open not permitted here");
      return;
    }
  if (path == NULL)
    {
      g_test_skip ("compiler missing (tools/install-deps.sh installs gcc and clang)");
      return;
    }
  bin = build (c, name);
  if (strcmp (c->compiler, "clang") == 0)
    {
      const char *argv[] = { "readelf", "-S", "-W", bin, NULL };
      g_autofree char *sections = run (argv, NULL, NULL);

      if (strstr (sections, ".debug_aranges") != NULL)
        g_test_message ("this clang writes .debug_aranges: the fallback is not exercised");
    }

  file = g_strdup_printf ("%s.data", bin);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "--call-graph", c->dwarf_unwind ? "dwarf" : "fp",
                           "-o", file, "--", bin, "0.6", NULL };
    g_autofree char *out = run (argv, NULL, NULL);
  }
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--json", file, NULL };
    json = run (argv, NULL, NULL);
  }
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  check_function (json_parser_get_root (parser), "inlined_square_loop", "inlined", "inlined_square_loop (");
  check_function (json_parser_get_root (parser), "outer_caller", "user", "outer_caller (");
  /* Frame pointers skip the caller of a leaf that sets up no frame (gcc
   * does so for outer_caller even with -fno-omit-frame-pointer): main is
   * only certain with DWARF unwinding. */
  if (c->dwarf_unwind)
    check_function (json_parser_get_root (parser), "main", "user", "main (");

  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--folded", file, NULL };
    folded = run (argv, NULL, NULL);
  }
  /* The loop, as an inline frame under its caller; with DWARF unwinding
   * (clang's and gcc's .eh_frame) every stack through outer_caller
   * reaches main under libc's start (no stack cut short). */
  stacks = g_strsplit (folded, "\n", -1);
  for (guint i = 0; stacks[i] != NULL; i++)
    {
      const char *space = strrchr (stacks[i], ' ');
      guint64 count;

      if (space == NULL)
        continue;
      count = g_ascii_strtoull (space + 1, NULL, 10);
      samples += count;
      if (strstr (stacks[i], "outer_caller;inlined_square_loop_[i]") != NULL)
        in_loop += count;
      if (strstr (stacks[i], "outer_caller") != NULL &&
          (strstr (stacks[i], "__libc_start_call_main;main;outer_caller") != NULL ||
           g_str_has_prefix (stacks[i], "main;outer_caller")))
        whole += count;
      else if (strstr (stacks[i], "outer_caller") != NULL && c->dwarf_unwind)
        g_error ("%s: a stack through outer_caller does not reach main: %s", name, stacks[i]);
    }
  g_test_message ("%s: %" G_GUINT64_FORMAT " samples, %" G_GUINT64_FORMAT " in the inlined loop, %"
                  G_GUINT64_FORMAT " whole stacks", name, samples, in_loop, whole);
  g_assert_cmpuint (samples, >, 0);
  /* the program spends its time in the loop (clock_gettime is a few calls
   * per 200000 iterations) */
  g_assert_cmpuint (in_loop * 2, >, samples);
  if (c->dwarf_unwind)
    g_assert_cmpuint (whole, >=, in_loop);
}

static const Case cases[] = {
  { "clang", "-gdwarf-5", TRUE },
  { "clang", "-gdwarf-5", FALSE },
  { "clang", "-gdwarf-4", TRUE },
  { "gcc", "-gdwarf-5", TRUE },
  { "gcc", "-gdwarf-5", FALSE },
};

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  analysis_helpers_init ("scorch-test-XXXXXX");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/clang-dwarf/%s%s-%s", cases[i].compiler,
                                               cases[i].dwarf_flag, cases[i].dwarf_unwind ? "dwarf" : "fp");

      g_test_add_data_func (path, &cases[i], test_case);
    }

  ret = g_test_run ();
  analysis_helpers_cleanup ();
  return ret;
}
