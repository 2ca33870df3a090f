/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-transform.c: tests for scorch-transform.c, each transform on a
 * hand-built profile with a known answer, the undo stack and the sidecar */

#include "config.h"

#include <math.h>
#include <string.h>

#include "scorch-transform.h"

/* Builds a profile from "a;b;c N" lines (root first); module of a frame
 * given as "func@module" (default /usr/bin/prog). Thread 1 unless a line
 * starts with "t2 ". */
static ScorchProfile *
make_profile (const char *spec)
{
  ScorchProfileBuilder *b = scorch_profile_builder_new ();
  g_auto(GStrv) lines = g_strsplit (spec, "\n", -1);
  guint64 time = 1;

  scorch_profile_builder_set_thread_name (b, 1, 1, "prog");
  scorch_profile_builder_set_thread_name (b, 1, 2, "worker");
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *space;
      g_auto(GStrv) names = NULL;
      g_autofree char *stack = NULL;
      g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (guint32));
      gint32 tid = 1;
      guint64 n;

      if (*line == '\0')
        continue;
      if (g_str_has_prefix (line, "t2 "))
        {
          tid = 2;
          line += 3;
        }
      space = strrchr (line, ' ');
      g_assert_nonnull (space);
      stack = g_strndup (line, space - line);
      n = g_ascii_strtoull (space + 1, NULL, 10);
      names = g_strsplit (stack, ";", -1);
      for (guint j = 0; names[j] != NULL; j++)
        {
          char *at = strchr (names[j], '@');
          guint32 f;

          if (at != NULL)
            *at = '\0';
          f = scorch_profile_builder_intern_frame (b, names[j], at != NULL ? at + 1 : "/usr/bin/prog",
                                                   NULL, 0, SCORCH_FRAME_KIND_USER);
          g_array_append_val (frames, f);
        }
      for (guint64 k = 0; k < n; k++)
        scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = time++, .pid = 1, .tid = tid,
                                                                       .frames = (const guint32 *) (gpointer) frames->data, .n_frames = frames->len, .weight = 1 });
    }
  return scorch_profile_builder_end (b);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The profile as sorted "a;b;c SELF" lines, one per node with self samples;
 * samples left at the root are "- N". */
static char *
dump (ScorchProfile *p)
{
  guint n_nodes;
  const guint64 *self = scorch_profile_get_node_self (p);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  GString *out = g_string_new (NULL);

  scorch_profile_get_nodes (p, &n_nodes);

  for (guint32 n = 0; n < n_nodes; n++)
    {
      GString *line;

      if (self[n] == 0)
        continue;
      line = g_string_new (NULL);
      scorch_profile_node_get_stack (p, n, stack);
      for (guint i = stack->len; i-- > 0;)
        {
          g_string_append (line, scorch_profile_get_frame (p, g_array_index (stack, guint32, i))->function);
          if (i > 0)
            g_string_append_c (line, ';');
        }
      if (line->len == 0)
        g_string_append_c (line, '-');
      g_string_append_printf (line, " %" G_GUINT64_FORMAT, self[n]);
      g_ptr_array_add (lines, g_string_free (line, FALSE));
    }
  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "\n" : "", (char *) g_ptr_array_index (lines, i));
  return g_string_free (out, FALSE);
}

static void
check (ScorchTransform *t,
       const char      *input,
       const char      *expected)
{
  g_autoptr(ScorchProfile) p = make_profile (input);
  g_autoptr(ScorchProfile) q = NULL;
  g_autofree char *got = NULL;

  g_assert_nonnull (t);
  q = scorch_transform_apply (t, p);
  got = dump (q);
  g_assert_cmpstr (got, ==, expected);
  scorch_transform_unref (t);
}

static const char *simple =
  "main;a;b 3\n"
  "main;a 1\n"
  "main;c;b 2\n"
  "main;c;d;b 1\n";

static void
test_focus_subtree (void)
{
  const char *path[] = { "main", "c" };
  const char *bad[] = { "main", "b" };
  const char *top[] = { "main" };

  check (scorch_transform_new_focus_subtree (path, 2), simple, "c;b 2\nc;d;b 1");
  check (scorch_transform_new_focus_subtree (bad, 2), simple, "");
  check (scorch_transform_new_focus_subtree (top, 1), simple, "main;a 1\nmain;a;b 3\nmain;c;b 2\nmain;c;d;b 1");
  g_assert_null (scorch_transform_new_focus_subtree (path, 0));
}

static void
test_focus_function (void)
{
  /* Both call sites of b become one top frame; d (not above b) is gone. */
  check (scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, "b"), simple, "b 6");
  check (scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, "c"), simple, "c;b 2\nc;d;b 1");
  /* Outermost call: b's recursion stays below it. */
  check (scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, "b"),
         "main;b;x;b 2\nmain;x;b;y 1", "b;x;b 2\nb;y 1");
  check (scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, "nothere"), simple, "");
}

static void
test_focus_callers (void)
{
  /* b on top, its callers under it, out to main; self ends at the outermost. */
  check (scorch_transform_new (SCORCH_TRANSFORM_FOCUS_CALLERS, "b"), simple,
         "b;a;main 3\nb;c;main 2\nb;d;c;main 1");
  /* Samples below the function count for it; innermost call of a recursion. */
  check (scorch_transform_new (SCORCH_TRANSFORM_FOCUS_CALLERS, "b"),
         "main;b;x;b;z 2\nmain;q 1", "b;x;b;main 2");
}

static void
test_merge_function (void)
{
  /* a's self goes to main; c's callees move up to main. */
  check (scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, "a"), simple,
         "main 1\nmain;b 3\nmain;c;b 2\nmain;c;d;b 1");
}

static void
test_merge_function_paths (void)
{
  /* Merging c: main;c;b joins main;b (a different node from main;a;b). */
  check (scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, "c"), simple,
         "main;a 1\nmain;a;b 3\nmain;b 2\nmain;d;b 1");
}

static void
test_merge_empties (void)
{
  /* Everything under x is x: merging it leaves its samples with main;
   * a stack of x alone is left at the root. */
  check (scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, "x"),
         "main;x;x 2\nmain;x 1\nx 4\nmain;y 1", "- 4\nmain 3\nmain;y 1");
}

static void
test_merge_module (void)
{
  const char *py = "main;PyEval@/usr/lib/libpython3.11.so;call@/usr/lib/libpython3.11.so;work 3\n"
                   "main;PyEval@/usr/lib/libpython3.11.so 2\n"
                   "main;other 1\n";

  check (scorch_transform_new (SCORCH_TRANSFORM_MERGE_MODULE, "libpython3.11.so"), py,
         "main 2\nmain;other 1\nmain;work 3");
  check (scorch_transform_new (SCORCH_TRANSFORM_MERGE_MODULE, "/usr/lib/libpython3.11.so"), py,
         "main 2\nmain;other 1\nmain;work 3");
  /* A module of every frame: all samples at the root. */
  check (scorch_transform_new (SCORCH_TRANSFORM_MERGE_MODULE, "prog"), simple, "- 7");
}

static void
test_collapse_recursion (void)
{
  /* Direct. */
  check (scorch_transform_new_collapse_recursion (), "main;f;f;f;g 2\nmain;f;f 1", "main;f 1\nmain;f;g 2");
  /* Indirect through two functions: a→b→a→b is a;b. */
  check (scorch_transform_new_collapse_recursion (),
         "main;a;b;a;b 3\nmain;a;b;a;b;c 2\nmain;a;b;a 1\nmain;a;b 1",
         "main;a 1\nmain;a;b 4\nmain;a;b;c 2");
  /* No recursion: unchanged. */
  check (scorch_transform_new_collapse_recursion (), simple,
         "main;a 1\nmain;a;b 3\nmain;c;b 2\nmain;c;d;b 1");
}

static void
test_drop (void)
{
  check (scorch_transform_new (SCORCH_TRANSFORM_DROP_FUNCTION, "c"), simple, "main;a 1\nmain;a;b 3");
  check (scorch_transform_new (SCORCH_TRANSFORM_DROP_FUNCTION, "b"), simple, "main;a 1");
  check (scorch_transform_new (SCORCH_TRANSFORM_DROP_FUNCTION, "main"), simple, "");
}

static void
test_min_percent (void)
{
  /* 7 samples: 20% is 1.4, so nodes of 1 sample (main;c;d and main;c;d;b)
   * go to their nearest kept ancestor, main;c; main;a (total 4) stays. */
  check (scorch_transform_new_min_percent (20), simple, "main;a 1\nmain;a;b 3\nmain;c 1\nmain;c;b 2");
  check (scorch_transform_new_min_percent (0), simple, "main;a 1\nmain;a;b 3\nmain;c;b 2\nmain;c;d;b 1");
  check (scorch_transform_new_min_percent (100), simple, "main 7");
  g_assert_null (scorch_transform_new_min_percent (-1));
  g_assert_null (scorch_transform_new_min_percent (101));
  g_assert_null (scorch_transform_new_min_percent (NAN));
}

static void
test_keeps_frames_and_filters (void)
{
  g_autoptr(ScorchProfile) p = make_profile ("main;a 3\nt2 main;b 2\n");
  g_autoptr(ScorchProfile) view = NULL;
  g_autoptr(ScorchProfile) q = NULL;
  g_autoptr(ScorchTransform) t = scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, "main");
  g_autofree char *got = NULL;
  gint32 tid = 2;
  guint n_threads;

  /* A thread-filtered view is what is transformed. */
  view = scorch_profile_filter (p, &tid, 1, 0, G_MAXUINT64);
  q = scorch_transform_apply (t, view);
  got = dump (q);
  g_assert_cmpstr (got, ==, "b 2");
  g_assert_cmpuint (scorch_profile_get_total (q), ==, 2);
  /* Same frame ids, threads named. */
  g_assert_cmpstr (scorch_profile_get_frame (q, 1)->function, ==, scorch_profile_get_frame (p, 1)->function);
  scorch_profile_get_threads (q, &n_threads);
  g_assert_cmpuint (n_threads, ==, 2);
}

static void
count_changed (guint *changed)
{
  (*changed)++;
}

static void
test_stack_undo_redo (void)
{
  g_autoptr(ScorchProfile) p = make_profile (simple);
  g_autoptr(ScorchTransformStack) stack = scorch_transform_stack_new ();
  g_autoptr(ScorchTransform) drop = scorch_transform_new (SCORCH_TRANSFORM_DROP_FUNCTION, "a");
  g_autoptr(ScorchTransform) merge = scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, "c");
  g_autoptr(ScorchTransform) focus = scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, "d");
  guint changed = 0;
  ScorchProfile *first, *again;

#define DUMP_IS(expected) G_STMT_START { \
    g_autoptr(ScorchProfile) q_ = scorch_transform_stack_apply (stack, p); \
    g_autofree char *got_ = dump (q_); \
    g_assert_cmpstr (got_, ==, expected); \
  } G_STMT_END

  g_signal_connect_swapped (stack, "changed", G_CALLBACK (count_changed), &changed);
  g_assert_false (scorch_transform_stack_can_undo (stack));
  g_assert_false (scorch_transform_stack_undo (stack));
  {
    g_autoptr(ScorchProfile) q = scorch_transform_stack_apply (stack, p);

    g_assert_true (q == p);
  }

  scorch_transform_stack_push (stack, drop);
  scorch_transform_stack_push (stack, merge);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpuint (scorch_transform_stack_get_n_applied (stack), ==, 2);
  DUMP_IS ("main;b 2\nmain;d;b 1");

  /* Undo: one step back, cached (the same object as before). */
  first = scorch_transform_stack_apply (stack, p);
  g_assert_true (scorch_transform_stack_undo (stack));
  DUMP_IS ("main;c;b 2\nmain;c;d;b 1");
  g_assert_true (scorch_transform_stack_can_redo (stack));
  g_assert_true (scorch_transform_stack_undo (stack));
  DUMP_IS ("main;a 1\nmain;a;b 3\nmain;c;b 2\nmain;c;d;b 1");
  g_assert_false (scorch_transform_stack_can_undo (stack));

  /* Redo both: the same result object, nothing recomputed. */
  g_assert_true (scorch_transform_stack_redo (stack));
  g_assert_true (scorch_transform_stack_redo (stack));
  g_assert_false (scorch_transform_stack_redo (stack));
  again = scorch_transform_stack_apply (stack, p);
  g_assert_true (first == again);
  g_object_unref (first);
  g_object_unref (again);
  g_assert_cmpuint (changed, ==, 6);

  /* Pop back to one (a breadcrumb), then push: the redo list is gone. */
  scorch_transform_stack_pop_to (stack, 1);
  g_assert_cmpuint (scorch_transform_stack_get_n_transforms (stack), ==, 2);
  scorch_transform_stack_push (stack, focus);
  g_assert_cmpuint (scorch_transform_stack_get_n_transforms (stack), ==, 2);
  g_assert_false (scorch_transform_stack_can_redo (stack));
  DUMP_IS ("d;b 1");
  g_assert_true (scorch_transform_stack_get_transform (stack, 1) == focus);

  /* Another base profile: results are redone for it. */
  {
    g_autoptr(ScorchProfile) other = make_profile ("x;c;d;y 2\nx;a 1\n");
    g_autoptr(ScorchProfile) q = scorch_transform_stack_apply (stack, other);
    g_autofree char *got = dump (q);

    g_assert_cmpstr (got, ==, "d;y 2");
  }

  scorch_transform_stack_clear (stack);
  g_assert_cmpuint (scorch_transform_stack_get_n_transforms (stack), ==, 0);
  DUMP_IS ("main;a 1\nmain;a;b 3\nmain;c;b 2\nmain;c;d;b 1");
#undef DUMP_IS
}

static void
test_json_roundtrip (void)
{
  const char *path[] = { "main", "a \"quoted\"\tname" };
  ScorchTransform *list[] = {
    scorch_transform_new_focus_subtree (path, 2),
    scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, "f"),
    scorch_transform_new (SCORCH_TRANSFORM_FOCUS_CALLERS, "g"),
    scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, "h"),
    scorch_transform_new (SCORCH_TRANSFORM_MERGE_MODULE, "libc.so.6"),
    scorch_transform_new_collapse_recursion (),
    scorch_transform_new (SCORCH_TRANSFORM_DROP_FUNCTION, "i"),
    scorch_transform_new_min_percent (0.25),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autofree char *json = NULL;
  gsize len;

  json = scorch_transforms_to_json (list, G_N_ELEMENTS (list), &len);
  back = scorch_transforms_from_json (json, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, G_N_ELEMENTS (list));
  for (guint i = 0; i < G_N_ELEMENTS (list); i++)
    {
      g_assert_true (scorch_transform_equal (list[i], g_ptr_array_index (back, i)));
      scorch_transform_unref (list[i]);
    }
}

static void
test_json_hostile (void)
{
  const char *bad[] = {
    "",
    "[]",
    "{}",
    "not json at all",
    "{\"format\":\"scorch-transforms\",\"version\":2,\"transforms\":[]}",
    "{\"format\":\"scorch-transforms\",\"version\":\"1\",\"transforms\":[]}",
    "{\"format\":\"other\",\"version\":1,\"transforms\":[]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":{}}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[1]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"explode\"}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"merge-function\"}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"merge-function\",\"name\":\"\"}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"merge-function\",\"name\":7}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"focus-subtree\",\"path\":[]}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"focus-subtree\",\"path\":[\"a\",null]}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"min-percent\",\"percent\":1e999}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"min-percent\",\"percent\":-3}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"min-percent\",\"percent\":\"5\"}]}",
    "{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[{\"kind\":\"collapse-recursion\"},{\"kind\":\"drop-function\"}]}",
  };
  GString *many = g_string_new ("{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":[");
  g_autofree char *big = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) list = scorch_transforms_from_json (bad[i], -1, &error);

      g_test_message ("%s", bad[i]);
      g_assert_null (list);
      g_assert_nonnull (error);
    }

  /* Too many transforms. */
  for (guint i = 0; i <= SCORCH_TRANSFORMS_MAX; i++)
    g_string_append_printf (many, "%s{\"kind\":\"collapse-recursion\"}", i > 0 ? "," : "");
  g_string_append (many, "]}");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = scorch_transforms_from_json (many->str, many->len, &error);

    g_assert_null (list);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
  g_string_free (many, TRUE);

  /* Nested deeper than any list of transforms, within the size limit: an
   * error, not json-glib's recursion overflowing the stack. */
  {
    g_autoptr(GString) deep = g_string_new ("{\"format\":\"scorch-transforms\",\"version\":1,\"transforms\":");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;

    for (guint i = 0; i < 400000; i++)
      g_string_append_c (deep, '[');
    g_assert_cmpuint (deep->len, <=, SCORCH_TRANSFORMS_MAX_FILE_SIZE);
    list = scorch_transforms_from_json (deep->str, deep->len, &error);
    g_assert_null (list);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
  /* Brackets inside a string (an escaped quote does not end it) are text,
   * not nesting. */
  {
    g_autoptr(GString) name = g_string_new ("{\"format\":\"scorch-transforms\",\"version\":1,"
                                            "\"transforms\":[{\"kind\":\"merge-function\",\"name\":\"\\\"");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;

    for (guint i = 0; i < 100; i++)
      g_string_append (name, "[{");
    g_string_append (name, "\"}]}");
    list = scorch_transforms_from_json (name->str, name->len, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
  }

  /* Too large a file. */
  big = g_strnfill (SCORCH_TRANSFORMS_MAX_FILE_SIZE + 1, ' ');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = scorch_transforms_from_json (big, -1, &error);

    g_assert_null (list);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/transform/focus-subtree", test_focus_subtree);
  g_test_add_func ("/libscorch/transform/focus-function", test_focus_function);
  g_test_add_func ("/libscorch/transform/focus-callers", test_focus_callers);
  g_test_add_func ("/libscorch/transform/merge-function", test_merge_function);
  g_test_add_func ("/libscorch/transform/merge-function-paths", test_merge_function_paths);
  g_test_add_func ("/libscorch/transform/merge-empties", test_merge_empties);
  g_test_add_func ("/libscorch/transform/merge-module", test_merge_module);
  g_test_add_func ("/libscorch/transform/collapse-recursion", test_collapse_recursion);
  g_test_add_func ("/libscorch/transform/drop", test_drop);
  g_test_add_func ("/libscorch/transform/min-percent", test_min_percent);
  g_test_add_func ("/libscorch/transform/keeps-frames-and-filters", test_keeps_frames_and_filters);
  g_test_add_func ("/libscorch/transform/stack-undo-redo", test_stack_undo_redo);
  g_test_add_func ("/libscorch/transform/json-roundtrip", test_json_roundtrip);
  g_test_add_func ("/libscorch/transform/json-hostile", test_json_hostile);

  return g_test_run ();
}
