/* SPDX-License-Identifier: GPL-3.0-or-later */
/* perf-record-util.c: the one place tests run `perf record`.
 *
 * perf record itself aborts now and then ("assertion failed at
 * util/build-id.c:1010" while it writes the capture's header; perf's bug,
 * seen under parallel test runs): a failed run is tried once more, with a
 * test message that says so, and only a second failure counts. */

#include "config.h"

#include "perf-record-util.h"

/* Whether the test runs in the sanitizer tree (SCORCH_TEST_QUICK=1, set by
 * tests/meson.build there): that tree looks for memory errors and undefined
 * behaviour, where a test whose checks are exact whatever the capture's
 * length (load-threads) may record for less time. */
gboolean
perf_record_util_quick (void)
{
  return g_strcmp0 (g_getenv ("SCORCH_TEST_QUICK"), "1") == 0;
}

/* One run of ARGV; its exit status, its stderr in ERR (stdout is dropped:
 * in pipe mode the caller redirects it through sh). */
static int
run_once (const char * const *argv,
          const char * const *envp,
          char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  return status;
}

/* Runs ARGV (a perf record command line, or sh -c around one) in ENVP
 * (NULL: this process's environment) and tells whether it succeeded, at
 * the first or the second try.  ERR_OUT, when not NULL, gets the stderr of
 * the last try, for a skip or failure message. */
gboolean
perf_record_util_run (const char * const *argv,
                      const char * const *envp,
                      char              **err_out)
{
  g_autofree char *err = NULL;
  int status = run_once (argv, envp, &err);

  g_autoptr(GError) why = NULL;

  if (!g_spawn_check_wait_status (status, &why))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

      g_test_message ("perf record failed (%s), running it once more (perf itself aborts now and then, "
                      "e.g. \"assertion failed at util/build-id.c\"): %s\n%s",
                      why->message, cmd, err != NULL ? err : "");
      g_clear_pointer (&err, g_free);
      status = run_once (argv, envp, &err);
    }
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);
  return g_spawn_check_wait_status (status, NULL);
}

/* As perf_record_util_run(), for a test that cannot go on without the
 * capture: a second failure fails the test, with perf's stderr. */
void
perf_record_util_run_ok (const char * const *argv,
                         const char * const *envp)
{
  g_autofree char *err = NULL;

  if (!perf_record_util_run (argv, envp, &err))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

      g_error ("perf record failed twice: %s\n%s", cmd, err != NULL ? err : "");
    }
}

/* Asked once per test program: the answer does not change between its
 * test cases, and each probe is a whole perf record (about a second: perf
 * reads /proc/kallsyms several times at start). */
gboolean
perf_record_util_can_record (void)
{
  static int answer = -1;

  if (answer < 0)
    {
      const char *argv[] = { "perf", "record", "-q", "-o", "/dev/null", "-e", "cpu-clock", "--", "true", NULL };
      g_autofree char *perf = g_find_program_in_path ("perf");

      /* (with the retry: perf's own abort must not skip the test) */
      answer = perf != NULL && perf_record_util_run (argv, NULL, NULL);
    }
  return answer;
}
