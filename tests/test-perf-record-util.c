/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-perf-record-util.c: the tests' perf record runner tries a failed run
 * once more (perf itself aborts now and then), and only a second failure
 * counts.  A shell command stands in for perf: it counts its runs in a file
 * and fails the first N of them. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "perf-record-util.h"

static char *tmpdir;

/* sh -c: append a line to COUNT, fail (with a message on stderr, as
 * perf's abort does) while COUNT has no more than FAILS lines. */
static const char script[] =
  "echo run >> \"$0\"; "
  "if [ \"$(wc -l < \"$0\")\" -le \"$1\" ]; then echo \"perf: assertion failed at util/build-id.c:1010\" >&2; "
  "exit 134; fi";

static guint
runs_in (const char *count)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (count, &text, NULL, NULL))
    return 0;
  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

static char *
fresh_count (const char *name)
{
  char *count = g_build_filename (tmpdir, name, NULL);

  g_unlink (count);
  return count;
}

static void
test_first_try (void)
{
  g_autofree char *count = fresh_count ("first");
  const char *argv[] = { "sh", "-c", script, count, "0", NULL };
  g_autofree char *err = NULL;

  g_assert_true (perf_record_util_run (argv, NULL, &err));
  g_assert_cmpuint (runs_in (count), ==, 1);
}

static void
test_second_try (void)
{
  g_autofree char *count = fresh_count ("second");
  const char *argv[] = { "sh", "-c", script, count, "1", NULL };
  g_autofree char *err = NULL;

  g_assert_true (perf_record_util_run (argv, NULL, &err));
  g_assert_cmpuint (runs_in (count), ==, 2);
  /* the err of the try that counted, not of the one that aborted */
  g_assert_cmpstr (err, ==, "");

  g_unlink (count);
  perf_record_util_run_ok (argv, NULL);
  g_assert_cmpuint (runs_in (count), ==, 2);
}

static void
test_fails_twice (void)
{
  g_autofree char *count = fresh_count ("twice");
  const char *argv[] = { "sh", "-c", script, count, "2", NULL };
  g_autofree char *err = NULL;

  g_assert_false (perf_record_util_run (argv, NULL, &err));
  g_assert_cmpuint (runs_in (count), ==, 2);
  g_assert_nonnull (strstr (err, "util/build-id.c"));
}

/* run_ok fails the test on a second failure, with perf's message. */
static void
test_fails_twice_ok (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *count = fresh_count ("twice-ok");
      const char *argv[] = { "sh", "-c", script, count, "2", NULL };

      perf_record_util_run_ok (argv, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*perf record failed twice*util/build-id.c*");
}

/* The environment given is the one perf runs in (PERF_BUILDID_DIR). */
static void
test_environment (void)
{
  g_autofree char *count = fresh_count ("env");
  const char *argv[] = { "sh", "-c", "[ \"$PERF_BUILDID_DIR\" = /nowhere ] && echo run >> \"$0\"", count, NULL };
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "PERF_BUILDID_DIR", "/nowhere", TRUE);

  g_assert_true (perf_record_util_run (argv, (const char * const *) env, NULL));
  g_assert_cmpuint (runs_in (count), ==, 1);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-perf-record-util-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/tests/perf-record-util/first-try", test_first_try);
  g_test_add_func ("/tests/perf-record-util/second-try", test_second_try);
  g_test_add_func ("/tests/perf-record-util/fails-twice", test_fails_twice);
  g_test_add_func ("/tests/perf-record-util/fails-twice-ok", test_fails_twice_ok);
  g_test_add_func ("/tests/perf-record-util/environment", test_environment);
  ret = g_test_run ();

  {
    const char *argv_rm[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (tmpdir);
  return ret;
}
