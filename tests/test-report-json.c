/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report-json.c: tests of scorch-report-json.c, the JSON of
 * "scorch-cli report --json": its keys (a contract), valid UTF-8 whatever
 * the names hold, numbers in the C locale. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "output-check.h"
#include "scorch-report-json.h"

static ScorchProfile *
make_profile (void)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  guint32 main_frame, a, b;

  main_frame = scorch_profile_builder_intern_frame (builder, "main", "/usr/bin/app", "/src/main.c", 10,
                                                    SCORCH_FRAME_KIND_USER);
  /* Every control character (U+001F is the one json-glib 1.6 leaves raw),
   * DEL, U+FFFE and invalid UTF-8 in a name, a module and a file. */
  a = scorch_profile_builder_intern_frame (builder, "a\x01\x1b]0;t\x07\x1f\x7f\xef\xbf\xbe\xff\"\\",
                                           "/lib/\xfe\x1f.so", "/src/\xc0\xaf.c", 3, SCORCH_FRAME_KIND_INLINED);
  b = scorch_profile_builder_intern_frame (builder, "b", "[kernel.kallsyms]", NULL, 0, SCORCH_FRAME_KIND_KERNEL);
  {
    guint32 s1[] = { main_frame, a };
    guint32 s2[] = { main_frame, b };

    scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 1, .pid = 1, .tid = 1,
                                                                         .frames = s1, .n_frames = 2, .weight = 2000 });
    scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 2, .pid = 1, .tid = 1,
                                                                         .frames = s2, .n_frames = 2, .weight = 1000 });
  }
  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

static void
assert_keys (JsonObject         *object,
             const char * const *expected)
{
  g_autoptr(GList) members = json_object_get_members (object);
  guint i = 0;

  for (GList *l = members; l != NULL; l = l->next, i++)
    {
      g_assert_nonnull (expected[i]);
      g_assert_cmpstr (l->data, ==, expected[i]);
    }
  g_assert_null (expected[i]);
}

static void
test_contract (void)
{
  static const char * const top[] = { "samples", "all_samples", "lost", "truncated", "event", "functions", NULL };
  static const char * const with_file[] = { "function", "module", "kind", "file", "line", "self", "total",
                                            "self_percent", "total_percent", NULL };
  static const char * const without_file[] = { "function", "module", "kind", "self", "total",
                                               "self_percent", "total_percent", NULL };
  g_autoptr(ScorchProfile) profile = make_profile ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonObject *root;
  JsonArray *functions;
  gsize len;

  /* As the CLI runs: with the user's (comma-decimal) locale. */
  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    g_test_message ("de_DE.UTF-8 is missing: the locale part is not exercised in-process");
  json = scorch_report_json_to_data (profile, -1, 0, &len);
  setlocale (LC_ALL, "C");

  g_assert_cmpuint (len, ==, strlen (json));
  g_assert_true (g_str_has_suffix (json, "}\n"));
  /* percentages read as people write them, not json-glib's 17 digits */
  g_assert_nonnull (strstr (json, "\"self_percent\" : 66.67,"));
  g_assert_null (strstr (json, "66.670000"));
  g_assert_null (strstr (json, "33.329999"));
  g_assert_true (g_utf8_validate (json, len, NULL));
  for (gsize i = 0; i < len; i++)
    g_assert_true ((guchar) json[i] >= 0x20 || json[i] == '\n');
  output_check_json_data (json, len);

  json_parser_load_from_data (parser, json, len, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  assert_keys (root, top);
  g_assert_cmpint (json_object_get_int_member (root, "samples"), ==, 3000);
  g_assert_true (json_object_get_null_member (root, "event"));

  functions = json_object_get_array_member (root, "functions");
  g_assert_cmpuint (json_array_get_length (functions), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *f = json_array_get_object_element (functions, i);
      const char *name = json_object_get_string_member (f, "function");

      assert_keys (f, json_object_has_member (f, "file") ? with_file : without_file);
      if (g_str_has_prefix (name, "a"))
        {
          g_assert_cmpstr (name, ==, "a\x01\x1b]0;t\x07\x1f\x7f\xef\xbf\xbe\xef\xbf\xbd\"\\");
          g_assert_cmpstr (json_object_get_string_member (f, "module"), ==, "/lib/\xef\xbf\xbd\x1f.so");
          g_assert_cmpstr (json_object_get_string_member (f, "kind"), ==, "inlined");
          g_assert_cmpint (json_object_get_int_member (f, "self"), ==, 2000);
          g_assert_cmpfloat (json_object_get_double_member (f, "self_percent"), ==, 66.67);
        }
      else if (g_str_equal (name, "b"))
        {
          g_assert_cmpstr (json_object_get_string_member (f, "kind"), ==, "kernel");
          g_assert_cmpfloat (json_object_get_double_member (f, "total_percent"), ==, 33.33);
        }
      else
        {
          g_assert_cmpstr (name, ==, "main");
          g_assert_cmpfloat (json_object_get_double_member (f, "total_percent"), ==, 100.0);
        }
    }

  /* --top */
  g_clear_pointer (&json, g_free);
  json = scorch_report_json_to_data (profile, -1, 1, NULL);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "functions")), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/report-json/contract", test_contract);

  return g_test_run ();
}
