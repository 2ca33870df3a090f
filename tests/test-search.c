/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-search.c: tests of scorch-search.c */

#include "config.h"

#include <string.h>

#include "scorch-folded.h"
#include "scorch-search.h"

static ScorchProfile *
parse (const char *folded)
{
  g_autoptr(GError) error = NULL;
  ScorchProfile *profile = scorch_folded_parse (folded, strlen (folded), &error);

  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

static gboolean
matches (const char       *pattern,
         ScorchSearchMode  mode,
         gboolean          case_sensitive,
         const char       *text)
{
  g_autoptr(ScorchSearch) search = scorch_search_new (pattern, mode, case_sensitive);

  g_assert_true (scorch_search_is_valid (search));
  return scorch_search_match (search, text);
}

static void
test_substring (void)
{
  g_autoptr(ScorchSearch) search = scorch_search_new ("Alloc", SCORCH_SEARCH_SUBSTRING, FALSE);

  g_assert_cmpstr (scorch_search_get_pattern (search), ==, "Alloc");
  g_assert_cmpint (scorch_search_get_mode (search), ==, SCORCH_SEARCH_SUBSTRING);
  g_assert_false (scorch_search_get_case_sensitive (search));
  g_assert_false (scorch_search_is_empty (search));
  g_assert_true (scorch_search_is_valid (search));
  g_assert_null (scorch_search_get_error_message (search));
  g_assert_true (scorch_search_check (search, NULL));

  g_assert_true (scorch_search_match (search, "_int_malloc"));
  g_assert_true (scorch_search_match (search, "ALLOC"));
  g_assert_false (scorch_search_match (search, "allo"));
  g_assert_false (scorch_search_match (search, ""));

  /* Regex metacharacters are plain text in substring mode. */
  g_assert_true (matches ("a.b(", SCORCH_SEARCH_SUBSTRING, TRUE, "xa.b(y"));
  g_assert_false (matches ("a.b(", SCORCH_SEARCH_SUBSTRING, TRUE, "axb("));
  g_assert_true (matches ("(", SCORCH_SEARCH_SUBSTRING, FALSE, "f(int)"));
  g_assert_false (matches ("Alloc", SCORCH_SEARCH_SUBSTRING, TRUE, "malloc"));
  g_assert_true (matches ("alloc", SCORCH_SEARCH_SUBSTRING, TRUE, "malloc"));
}

static void
test_substring_unicode (void)
{
  /* Non-ASCII text is folded as Unicode, not byte by byte. */
  g_assert_true (matches ("größe", SCORCH_SEARCH_SUBSTRING, FALSE, "Vector::GRÖßE"));
  g_assert_true (matches ("ÉTÉ", SCORCH_SEARCH_SUBSTRING, FALSE, "saison_été"));
  g_assert_true (matches ("ε", SCORCH_SEARCH_SUBSTRING, FALSE, "ΕΨΙΛΟΝ"));
  g_assert_false (matches ("ÉTÉ", SCORCH_SEARCH_SUBSTRING, TRUE, "saison_été"));
  g_assert_true (matches ("été", SCORCH_SEARCH_SUBSTRING, TRUE, "saison_été"));
  /* "." from the pattern is still a literal dot on the Unicode path. */
  g_assert_false (matches ("é.x", SCORCH_SEARCH_SUBSTRING, FALSE, "éax"));
  g_assert_true (matches ("é.x", SCORCH_SEARCH_SUBSTRING, FALSE, "É.X"));
  /* A name that is not valid UTF-8 does not match on the Unicode path,
   * and does not crash the ASCII one. */
  g_assert_false (matches ("é", SCORCH_SEARCH_SUBSTRING, FALSE, "caf\xc3"));
  g_assert_true (matches ("caf", SCORCH_SEARCH_SUBSTRING, FALSE, "CAF\xc3"));
}

static void
test_regex (void)
{
  g_autoptr(ScorchSearch) search = scorch_search_new ("^[ab]+$", SCORCH_SEARCH_REGEX, TRUE);

  g_assert_true (scorch_search_is_valid (search));
  g_assert_cmpint (scorch_search_get_mode (search), ==, SCORCH_SEARCH_REGEX);
  g_assert_true (scorch_search_match (search, "abba"));
  g_assert_false (scorch_search_match (search, "abc"));
  g_assert_false (scorch_search_match (search, "AB"));

  g_assert_true (matches ("^[ab]+$", SCORCH_SEARCH_REGEX, FALSE, "AB"));
  g_assert_true (matches ("\\w+::\\w+", SCORCH_SEARCH_REGEX, TRUE, "Größe::été"));
  g_assert_true (matches ("\\p{Lu}", SCORCH_SEARCH_REGEX, TRUE, "éÉ"));
  g_assert_false (matches ("\\p{Lu}", SCORCH_SEARCH_REGEX, TRUE, "éé"));
  g_assert_false (matches ("bad", SCORCH_SEARCH_REGEX, TRUE, "bad\xff"));
  /* Any newline, as with GRegex. */
  g_assert_true (matches ("^b", SCORCH_SEARCH_REGEX, TRUE, "a\rb") ==
                 g_regex_match_simple ("^b", "a\rb", 0, 0));
  g_assert_false (matches ("a.b", SCORCH_SEARCH_REGEX, TRUE, "a\rb"));
}

static void
test_invalid (void)
{
  const char *patterns[] = { "(", "[a-", "a{2,1}", "\\", "(?<n>a)(?<n>b)", "*" };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autoptr(ScorchSearch) search = scorch_search_new (patterns[i], SCORCH_SEARCH_REGEX, FALSE);
      g_autoptr(ScorchProfile) profile = parse ("main;a 1\nmain;( 2\n");
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) gerror = NULL;
      g_autoptr(GRegex) regex = g_regex_new (patterns[i], 0, 0, &gerror);
      guint8 frame_matches[8];
      guint n_frames;

      /* Rejected as GRegex rejects it. */
      g_assert_null (regex);
      g_assert_false (scorch_search_is_valid (search));
      g_assert_nonnull (scorch_search_get_error_message (search));
      g_assert_nonnull (strstr (scorch_search_get_error_message (search), patterns[i]));
      g_assert_false (scorch_search_check (search, &error));
      g_assert_error (error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE);
      g_assert_cmpstr (error->message, ==, scorch_search_get_error_message (search));

      /* Matches nothing anywhere: never as plain text. */
      g_assert_false (scorch_search_match (search, patterns[i]));
      g_assert_false (scorch_search_match (search, "("));
      scorch_profile_get_frames (profile, &n_frames);
      g_assert_cmpuint (n_frames, <=, sizeof frame_matches);
      memset (frame_matches, 0xff, sizeof frame_matches);
      g_assert_cmpuint (scorch_search_match_frames (search, profile, frame_matches), ==, 0);
      for (guint f = 0; f < n_frames; f++)
        g_assert_cmpuint (frame_matches[f], ==, 0);
    }

  /* The same text is fine as a substring. */
  {
    g_autoptr(ScorchSearch) search = scorch_search_new ("(", SCORCH_SEARCH_SUBSTRING, FALSE);

    g_assert_true (scorch_search_is_valid (search));
    g_assert_true (scorch_search_match (search, "f(x)"));
  }

  /* Text that is not UTF-8 is invalid in both modes. */
  for (guint m = 0; m < 2; m++)
    {
      g_autoptr(ScorchSearch) search = scorch_search_new ("a\xff", m, FALSE);

      g_assert_false (scorch_search_is_valid (search));
      g_assert_false (scorch_search_match (search, "a\xff"));
    }
}

static void
test_empty (void)
{
  g_autoptr(ScorchProfile) profile = parse ("main;a 1\nmain;b 2\n");
  guint8 frame_matches[8];
  guint n_frames;
  const ScorchFrame *frames = scorch_profile_get_frames (profile, &n_frames);

  g_assert_cmpuint (n_frames, <=, sizeof frame_matches);
  for (guint m = 0; m < 2; m++)
    {
      g_autoptr(ScorchSearch) search = scorch_search_new ("", m, FALSE);

      g_assert_true (scorch_search_is_empty (search));
      g_assert_true (scorch_search_is_valid (search));
      g_assert_true (scorch_search_match (search, "anything"));
      /* Everything but the root; each sample once. */
      g_assert_cmpuint (scorch_search_match_frames (search, profile, frame_matches), ==, 3);
      for (guint f = 0; f < n_frames; f++)
        g_assert_cmpuint (frame_matches[f], ==, frames[f].kind != SCORCH_FRAME_KIND_ROOT);
    }
}

/* Catastrophic backtracking is bounded by the match limit: the subject
 * does not match, quickly, instead of running for hours. */
static void
test_hostile (void)
{
  const char *patterns[] = { "(a+)+$", "(a|aa)+$", "(a*)*b", "^(\\w+\\s?)*$" };
  g_autoptr(GString) subject = g_string_new (NULL);
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autoptr(GString) folded = g_string_new (NULL);
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  guint n_frames;

  for (guint i = 0; i < 40; i++)
    g_string_append_c (subject, 'a');
  g_string_append_c (subject, '!');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (long_name, 'a' + i % 3);
  g_string_append_printf (folded, "main;%s 1\nmain;%s 1\nmain;%s;x 1\n",
                          subject->str, long_name->str, subject->str);
  profile = parse (folded->str);
  scorch_profile_get_frames (profile, &n_frames);

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autoptr(ScorchSearch) search = scorch_search_new (patterns[i], SCORCH_SEARCH_REGEX, TRUE);
      g_autofree guint8 *frame_matches = g_malloc0 (n_frames);

      g_assert_true (scorch_search_is_valid (search));
      /* Unbounded, 2^40 steps. */
      g_assert_false (scorch_search_match (search, subject->str));
      scorch_search_match_frames (search, profile, frame_matches);
    }
  /* Generous: the limit makes each subject a few ms at most, even
   * unoptimized under sanitizers; unbounded, this takes hours. */
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 30.0);

  /* Long names and long patterns are fine. */
  {
    g_autofree char *needle = g_strndup (long_name->str + 500, 3000);
    g_autoptr(ScorchSearch) sub = scorch_search_new (needle, SCORCH_SEARCH_SUBSTRING, FALSE);
    g_autoptr(ScorchSearch) re = scorch_search_new (needle, SCORCH_SEARCH_REGEX, TRUE);

    g_assert_true (scorch_search_match (sub, long_name->str));
    g_assert_true (scorch_search_match (re, long_name->str));
  }
}

static void
test_frames_and_cache (void)
{
  g_autoptr(ScorchProfile) profile = parse ("main;Alloc;alloc 10\nmain;b 5\nmain;x.y 1\n");
  g_autoptr(ScorchProfile) other = parse ("main;alloc 7\n");
  g_autoptr(ScorchSearch) search = scorch_search_new ("alloc", SCORCH_SEARCH_SUBSTRING, FALSE);
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GBytes) c = NULL;
  guint64 matched = 0;
  guint n_frames;
  const ScorchFrame *frames = scorch_profile_get_frames (profile, &n_frames);
  const guint8 *bits;
  gsize len;

  a = scorch_search_dup_frame_matches (search, profile, &matched);
  g_assert_cmpuint (matched, ==, 10); /* counted once under Alloc;alloc */
  bits = g_bytes_get_data (a, &len);
  g_assert_cmpuint (len, ==, n_frames);
  for (guint f = 0; f < n_frames; f++)
    g_assert_cmpuint (bits[f], ==, frames[f].kind != SCORCH_FRAME_KIND_ROOT &&
                                   g_ascii_strcasecmp (frames[f].function, "alloc") == 0);

  /* Cached per profile. */
  matched = 0;
  b = scorch_search_dup_frame_matches (search, profile, &matched);
  g_assert_true (a == b);
  g_assert_cmpuint (matched, ==, 10);
  c = scorch_search_dup_frame_matches (search, other, &matched);
  g_assert_true (c != a);
  g_assert_cmpuint (matched, ==, 7);
  g_clear_pointer (&c, g_bytes_unref);
  g_clear_object (&other);
  g_assert_true (a != (c = scorch_search_dup_frame_matches (search, profile, NULL)));
  g_assert_true (g_bytes_equal (a, c));
}

/* Shared across threads: one search, several matchers at once. */
static gpointer
thread_func (gpointer data)
{
  ScorchSearch *search = data;
  guint n = 0;

  for (guint i = 0; i < 2000; i++)
    n += scorch_search_match (search, i % 2 ? "std::Größe" : "malloc");
  return GUINT_TO_POINTER (n);
}

static void
test_threads (void)
{
  g_autoptr(ScorchSearch) search = scorch_search_new ("g(r|x)össe?", SCORCH_SEARCH_REGEX, FALSE);
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("search", thread_func, scorch_search_ref (search));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==, 0);
      scorch_search_unref (search);
    }

  g_clear_pointer (&search, scorch_search_unref);
  search = scorch_search_new ("größe", SCORCH_SEARCH_SUBSTRING, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("search", thread_func, search);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==, 1000);
}

static void
test_boxed (void)
{
  g_autoptr(ScorchSearch) search = scorch_search_new ("x", SCORCH_SEARCH_REGEX, FALSE);
  ScorchSearch *copy = g_boxed_copy (SCORCH_TYPE_SEARCH, search);

  g_assert_true (copy == search);
  g_boxed_free (SCORCH_TYPE_SEARCH, copy);
  g_assert_true (G_TYPE_IS_BOXED (SCORCH_TYPE_SEARCH));
}

/* What a search field asks for: nothing without text, else its mode. */
static void
test_new_for_query (void)
{
  ScorchSearch *s;

  g_assert_null (scorch_search_new_for_query (NULL, TRUE, TRUE));
  g_assert_null (scorch_search_new_for_query ("", FALSE, FALSE));

  s = scorch_search_new_for_query ("a.c", TRUE, FALSE);
  g_assert_cmpint (scorch_search_get_mode (s), ==, SCORCH_SEARCH_REGEX);
  g_assert_false (scorch_search_get_case_sensitive (s));
  g_assert_true (scorch_search_match (s, "ABC"));
  scorch_search_unref (s);

  s = scorch_search_new_for_query ("a.c", FALSE, TRUE);
  g_assert_cmpint (scorch_search_get_mode (s), ==, SCORCH_SEARCH_SUBSTRING);
  g_assert_true (scorch_search_get_case_sensitive (s));
  g_assert_false (scorch_search_match (s, "abc"));
  g_assert_true (scorch_search_match (s, "xa.c"));
  scorch_search_unref (s);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search/substring", test_substring);
  g_test_add_func ("/search/substring-unicode", test_substring_unicode);
  g_test_add_func ("/search/regex", test_regex);
  g_test_add_func ("/search/invalid", test_invalid);
  g_test_add_func ("/search/empty", test_empty);
  g_test_add_func ("/search/hostile", test_hostile);
  g_test_add_func ("/search/frames-and-cache", test_frames_and_cache);
  g_test_add_func ("/search/threads", test_threads);
  g_test_add_func ("/search/boxed", test_boxed);
  g_test_add_func ("/search/new-for-query", test_new_for_query);

  return g_test_run ();
}
