/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-session.c: ScorchSession, the one owner of what a window explores:
 * filters, the filtered profile, selection, search and its matched share,
 * title, and what a recording leaves (output, exit status). */

#include "config.h"

#include "explore-test-util.h"
#include "scorch-app-util.h"
#include "scorch-session.h"

typedef struct
{
  guint filtered;
  guint selected;
  guint matched;
  guint title;
} Counts;

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          Counts     *counts)
{
  if (g_str_equal (pspec->name, "filtered-profile"))
    counts->filtered++;
  else if (g_str_equal (pspec->name, "selected-frame"))
    counts->selected++;
  else if (g_str_equal (pspec->name, "matched-fraction"))
    counts->matched++;
  else if (g_str_equal (pspec->name, "title"))
    counts->title++;
}

static void
test_filters (void)
{
  g_autoptr(ScorchSession) session = scorch_session_new ();
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  const gint32 worker[] = { 101 };
  Counts counts = { 0, };

  g_signal_connect (session, "notify", G_CALLBACK (count_cb), &counts);
  g_assert_null (scorch_session_get_filtered_profile (session));

  scorch_session_set_profile (session, profile);
  g_assert_true (scorch_session_get_filtered_profile (session) == profile);
  g_assert_cmpuint (counts.filtered, ==, 1);

  /* Setting the same profile again changes nothing. */
  scorch_session_set_profile (session, profile);
  g_assert_cmpuint (counts.filtered, ==, 1);

  scorch_session_set_thread_filter (session, worker, 1);
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 15);
  g_assert_cmpuint (counts.filtered, ==, 2);

  /* No thread: nothing, not everything. */
  scorch_session_set_thread_filter (session, NULL, 0);
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 0);

  /* Every thread: the capture itself again. */
  scorch_session_set_thread_filter (session, NULL, -1);
  g_assert_true (scorch_session_get_filtered_profile (session) == profile);

  /* Time: the main thread's second, [1 s, 2 s). */
  scorch_session_set_time_range (session, G_GUINT64_CONSTANT (1000000000), G_GUINT64_CONSTANT (1999999999));
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 85);
  scorch_session_set_time_range (session, 0, G_MAXUINT64);
  g_assert_true (scorch_session_get_filtered_profile (session) == profile);
}

static void
test_selection (void)
{
  g_autoptr(ScorchSession) session = scorch_session_new ();
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  g_autoptr(ScorchProfile) other = explore_test_profile ();
  guint32 hot = explore_test_frame (profile, "hot_leaf");
  const gint32 main_thread[] = { 100 };
  Counts counts = { 0, };

  scorch_session_set_profile (session, profile);
  g_signal_connect (session, "notify", G_CALLBACK (count_cb), &counts);
  scorch_session_set_selected_frame (session, hot);
  scorch_session_set_selected_frame (session, hot);
  g_assert_cmpuint (counts.selected, ==, 1);

  /* Filtering keeps the selected function. */
  scorch_session_set_thread_filter (session, main_thread, 1);
  g_assert_cmpuint (scorch_session_get_selected_frame (session), ==, hot);

  /* A new capture starts unselected and unfiltered. */
  scorch_session_set_profile (session, other);
  g_assert_cmpuint (scorch_session_get_selected_frame (session), ==, SCORCH_NODE_NONE);
  g_assert_true (scorch_session_get_filtered_profile (session) == other);
}

static void
test_search (void)
{
  g_autoptr(ScorchSession) session = scorch_session_new ();
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  const gint32 worker[] = { 101 };
  Counts counts = { 0, };

  scorch_session_set_profile (session, profile);
  g_signal_connect (session, "notify", G_CALLBACK (count_cb), &counts);

  g_assert_true (scorch_session_search_matches (session, "anything"));
  scorch_session_set_search_text (session, "hot");
  g_assert_cmpfloat_with_epsilon (scorch_session_get_matched_fraction (session), 0.60, 1e-9);
  g_assert_true (scorch_session_search_matches (session, "hot_leaf"));
  g_assert_false (scorch_session_search_matches (session, "warm"));

  /* Case: "parse" finds Parse_Config unless the case must match. */
  scorch_session_set_search_text (session, "parse");
  g_assert_cmpfloat_with_epsilon (scorch_session_get_matched_fraction (session), 0.05, 1e-9);
  g_object_set (session, "search-case-sensitive", TRUE, NULL);
  g_assert_cmpfloat (scorch_session_get_matched_fraction (session), ==, 0.0);
  g_object_set (session, "search-case-sensitive", FALSE, NULL);

  /* Regular expressions, and text that is not one. */
  g_object_set (session, "search-regex", TRUE, NULL);
  scorch_session_set_search_text (session, "^(warm|io_wait)$");
  g_assert_true (scorch_session_get_search_valid (session));
  g_assert_cmpfloat_with_epsilon (scorch_session_get_matched_fraction (session), 0.35, 1e-9);
  scorch_session_set_search_text (session, "(warm");
  g_assert_false (scorch_session_get_search_valid (session));
  g_assert_cmpfloat (scorch_session_get_matched_fraction (session), ==, 0.0);
  /* One ScorchSearch for every view; invalid matches nothing, never the text. */
  {
    ScorchSearch *search = NULL;

    g_object_get (session, "search", &search, NULL);
    g_assert_nonnull (search);
    g_assert_true (search == scorch_session_get_search (session));
    g_assert_false (scorch_search_is_valid (search));
    g_assert_cmpint (scorch_search_get_mode (search), ==, SCORCH_SEARCH_REGEX);
    g_assert_false (scorch_session_search_matches (session, "(warm"));
    scorch_search_unref (search);
  }
  /* The same text is fine when it is not a regular expression. */
  g_object_set (session, "search-regex", FALSE, NULL);
  g_assert_true (scorch_session_get_search_valid (session));

  /* The share is of the filtered samples: io_wait is 10 of the worker's 15. */
  scorch_session_set_search_text (session, "io_wait");
  scorch_session_set_thread_filter (session, worker, 1);
  g_assert_cmpfloat_with_epsilon (scorch_session_get_matched_fraction (session), 10.0 / 15.0, 1e-9);

  /* "" is no search. */
  scorch_session_set_search_text (session, "");
  g_assert_null (scorch_session_get_search_text (session));
  g_assert_cmpfloat (scorch_session_get_matched_fraction (session), ==, 0.0);
  g_assert_cmpuint (counts.matched, >=, 5);
}

static void
test_title_and_recording (void)
{
  g_autoptr(ScorchSession) session = scorch_session_new ();
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  g_autoptr(ScorchProfile) other = explore_test_profile ();
  g_autoptr(GFile) file = g_file_new_for_path ("/tmp/captures/run 1.perf.data");
  Counts counts = { 0, };

  g_signal_connect (session, "notify", G_CALLBACK (count_cb), &counts);
  scorch_session_set_file (session, file);
  g_assert_cmpstr (scorch_session_get_title (session), ==, "run 1.perf.data");
  g_assert_cmpstr (scorch_session_get_subtitle (session), ==, "/tmp/captures");
  g_assert_cmpuint (counts.title, ==, 1);

  scorch_session_set_profile (session, profile);
  scorch_session_set_recording (session, "ls", "ls: cannot access '/nonexistent'\n", 2 << 8);
  g_assert_cmpstr (scorch_session_get_program (session), ==, "ls");
  g_assert_cmpint (scorch_session_get_exit_status (session), ==, 2 << 8);

  /* Another capture: nothing of the recording stays. */
  scorch_session_set_profile (session, other);
  g_assert_null (scorch_session_get_program_output (session));
  g_assert_cmpint (scorch_session_get_exit_status (session), ==, -1);

  scorch_session_clear (session);
  g_assert_null (scorch_session_get_profile (session));
  g_assert_null (scorch_session_get_file (session));
  g_assert_null (scorch_session_get_title (session));
}

/* The search state's five properties (scorch-app-util.c, shared by the
 * session and the flame graph): names, types, defaults, which are
 * writable, and the values read from a state. */
static void
test_search_properties (void)
{
  GParamSpec *pspecs[SCORCH_APP_SEARCH_N_PROPS] = { NULL };
  const char *names[] = { "search-text", "search-regex", "search-case-sensitive", "search-valid", "search" };
  ScorchAppSearch state = { 0 };
  g_autoptr(ScorchSession) session = scorch_session_new ();
  g_autoptr(ScorchSearch) got = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  scorch_app_search_install_properties (pspecs, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  for (guint i = 0; i < SCORCH_APP_SEARCH_N_PROPS; i++)
    {
      GParamSpec *installed = g_object_class_find_property (G_OBJECT_GET_CLASS (session), names[i]);

      g_assert_cmpstr (g_param_spec_get_name (pspecs[i]), ==, names[i]);
      g_assert_nonnull (installed);
      g_assert_true (G_PARAM_SPEC_VALUE_TYPE (installed) == G_PARAM_SPEC_VALUE_TYPE (pspecs[i]));
      /* only the query is written; validity and matcher follow from it */
      g_assert_cmpint (!!(pspecs[i]->flags & G_PARAM_WRITABLE), ==, i <= SCORCH_APP_SEARCH_PROP_CASE_SENSITIVE);
      g_assert_cmpint (!!(installed->flags & G_PARAM_WRITABLE), ==, i <= SCORCH_APP_SEARCH_PROP_CASE_SENSITIVE);
      g_param_spec_unref (g_param_spec_ref_sink (pspecs[i]));
    }
  /* no search is a valid one */
  g_assert_true (g_value_get_boolean (g_param_spec_get_default_value (
    g_object_class_find_property (G_OBJECT_GET_CLASS (session), "search-valid"))));

  state.text = g_strdup ("parse");
  state.case_sensitive = TRUE;
  state.valid = TRUE;
  state.search = scorch_search_new_for_query (state.text, FALSE, TRUE);
  g_value_init (&value, G_TYPE_STRING);
  scorch_app_search_get_property (&state, SCORCH_APP_SEARCH_PROP_TEXT, &value);
  g_assert_cmpstr (g_value_get_string (&value), ==, "parse");
  g_value_unset (&value);
  g_value_init (&value, G_TYPE_BOOLEAN);
  scorch_app_search_get_property (&state, SCORCH_APP_SEARCH_PROP_CASE_SENSITIVE, &value);
  g_assert_true (g_value_get_boolean (&value));
  scorch_app_search_get_property (&state, SCORCH_APP_SEARCH_PROP_REGEX, &value);
  g_assert_false (g_value_get_boolean (&value));
  g_value_unset (&value);
  g_value_init (&value, SCORCH_TYPE_SEARCH);
  scorch_app_search_get_property (&state, SCORCH_APP_SEARCH_PROP_SEARCH, &value);
  g_assert_true (g_value_get_boxed (&value) == state.search);
  scorch_app_search_clear (&state);
  g_assert_null (state.text);
  g_assert_null (state.search);

  /* the session answers through it */
  scorch_session_set_search_text (session, "hot");
  g_object_set (session, "search-case-sensitive", TRUE, NULL);
  {
    g_autofree char *text = NULL;
    gboolean case_sensitive = FALSE, valid = FALSE;

    g_object_get (session, "search-text", &text, "search-case-sensitive", &case_sensitive,
                  "search-valid", &valid, "search", &got, NULL);
    g_assert_cmpstr (text, ==, "hot");
    g_assert_true (case_sensitive);
    g_assert_true (valid);
    g_assert_true (got == scorch_session_get_search (session));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/session/filters", test_filters);
  g_test_add_func ("/app/session/selection", test_selection);
  g_test_add_func ("/app/session/search", test_search);
  g_test_add_func ("/app/session/search-properties", test_search_properties);
  g_test_add_func ("/app/session/title-and-recording", test_title_and_recording);
  return g_test_run ();
}
