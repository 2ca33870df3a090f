/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-host-recorder.c: tests for scorch-host-recorder.c, with a fake
 * sandbox description and a fake flatpak-spawn */

#include "config.h"

#include <glib/gstdio.h>

#include "scorch-host-recorder.h"

typedef struct
{
  char *dir;
  char *info;
  char *spawn;
  char *log;
  char *output;
} Fixture;

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* The fake flatpak-spawn logs its arguments one a line, then behaves as
 * SCORCH_FAKE_MODE says: "ok" writes the -o file, "noperf" exits 127 as
 * flatpak-spawn does for a missing host command, "wait" writes the file
 * only when interrupted. */
static const char fake_spawn[] =
  "#!/bin/sh\n"
  "for a in \"$@\"; do echo \"$a\"; done > \"$SCORCH_FAKE_LOG\"\n"
  "out=\n"
  "prev=\n"
  "for a in \"$@\"; do [ \"$prev\" = -o ] && out=$a; prev=$a; done\n"
  "case \"$SCORCH_FAKE_MODE\" in\n"
  "  ok) printf PERFILE2 > \"$out\"; exit 0;;\n"
  "  noperf) echo 'flatpak-spawn: perf: command not found' >&2; exit 127;;\n"
  "  wait) trap 'printf PERFILE2 > \"$out\"; exit 130' INT; echo ready > \"$SCORCH_FAKE_LOG.ready\";\n"
  "        while :; do sleep 0.05; done;;\n"
  "esac\n";

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("scorch-host-XXXXXX", &error);
  g_assert_no_error (error);
  f->info = g_build_filename (f->dir, "flatpak-info", NULL);
  f->spawn = g_build_filename (f->dir, "flatpak-spawn", NULL);
  f->log = g_build_filename (f->dir, "log", NULL);
  f->output = g_build_filename (f->dir, "out.data", NULL);
  write_file (f->spawn, fake_spawn, 0755);
  g_setenv ("SCORCH_FLATPAK_INFO", f->info, TRUE);
  g_setenv ("SCORCH_FLATPAK_SPAWN", f->spawn, TRUE);
  g_setenv ("SCORCH_FAKE_LOG", f->log, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *ready = g_strconcat (f->log, ".ready", NULL);

  g_unlink (f->info);
  g_unlink (f->spawn);
  g_unlink (f->log);
  g_unlink (ready);
  g_unlink (f->output);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->info);
  g_free (f->spawn);
  g_free (f->log);
  g_free (f->output);
}

static const char info_with_permission[] =
  "[Application]\nname=io.github.scorchprof.Scorch\n\n"
  "[Session Bus Policy]\norg.freedesktop.Flatpak=talk\n";
static const char info_without_permission[] =
  "[Application]\nname=io.github.scorchprof.Scorch\n\n"
  "[Context]\nshared=network;ipc;\n";

static void
test_detect (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (scorch_host_recorder_is_sandboxed ());
  g_assert_false (scorch_host_recorder_check_permission (&error));
  g_assert_error (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NOT_SANDBOXED);
  g_clear_error (&error);

  write_file (f->info, info_without_permission, 0644);
  g_assert_true (scorch_host_recorder_is_sandboxed ());
  g_assert_false (scorch_host_recorder_check_permission (&error));
  g_assert_error (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NO_PERMISSION);
  /* The message gives the command that grants it. */
  g_assert_nonnull (strstr (error->message,
                            "flatpak override --user --talk-name=org.freedesktop.Flatpak io.github.scorchprof.Scorch"));
  g_clear_error (&error);

  write_file (f->info, info_with_permission, 0644);
  g_assert_true (scorch_host_recorder_check_permission (&error));
  g_assert_no_error (error);
}

static void
test_argv (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ScorchHostRecorder) rec = scorch_host_recorder_new ();
  const char *argv[] = { "/usr/bin/myprog", "--flag", "two words", NULL };
  const char *env[] = { "FOO=bar", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) cmd = NULL;
  g_autofree char *joined = NULL;

  cmd = scorch_host_recorder_build_argv (rec, &error);
  g_assert_null (cmd);
  g_assert_error (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_INVALID);
  g_clear_error (&error);

  scorch_host_recorder_set_program (rec, argv, "/tmp", env);
  scorch_host_recorder_set_frequency (rec, 499);
  scorch_host_recorder_set_dwarf (rec, TRUE);
  scorch_host_recorder_set_output (rec, "/run/user/1000/app/x/rec.data");
  cmd = scorch_host_recorder_build_argv (rec, &error);
  g_assert_no_error (error);
  joined = g_strjoinv ("|", cmd);
  g_assert_cmpstr (strchr (joined, '|'), ==,
                   "|--host|--watch-bus|--directory=/tmp|--env=FOO=bar|perf|record|-e|cpu-clock:u|-F|499"
                   "|--call-graph|dwarf|-o|/run/user/1000/app/x/rec.data|--|/usr/bin/myprog|--flag|two words");
  g_clear_pointer (&cmd, g_strfreev);
  g_clear_pointer (&joined, g_free);

  scorch_host_recorder_set_pid (rec, 4242);
  scorch_host_recorder_set_dwarf (rec, FALSE);
  scorch_host_recorder_set_kernel (rec, TRUE);
  cmd = scorch_host_recorder_build_argv (rec, &error);
  g_assert_no_error (error);
  joined = g_strjoinv ("|", cmd);
  g_assert_cmpstr (strchr (joined, '|'), ==,
                   "|--host|--watch-bus|perf|record|-e|cpu-clock|-F|499|--call-graph|fp"
                   "|-o|/run/user/1000/app/x/rec.data|-p|4242");
}

static void
record_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;
  *out = g_object_ref (result);
}

static gboolean
run_recording (ScorchHostRecorder *rec,
               gboolean            stop,
               const char         *ready,
               GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  scorch_host_recorder_record_async (rec, NULL, record_cb, &result);
  if (stop)
    {
      while (!g_file_test (ready, G_FILE_TEST_EXISTS) && result == NULL)
        g_main_context_iteration (NULL, FALSE), g_usleep (10000);
      scorch_host_recorder_stop (rec);
    }
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return scorch_host_recorder_record_finish (rec, result, error);
}

static void
test_record (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ScorchHostRecorder) rec = scorch_host_recorder_new ();
  const char *argv[] = { "myprog", NULL };
  g_autofree char *ready = g_strconcat (f->log, ".ready", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  scorch_host_recorder_set_program (rec, argv, NULL, NULL);
  scorch_host_recorder_set_output (rec, f->output);

  /* Without the permission, a clear error and nothing is started. */
  write_file (f->info, info_without_permission, 0644);
  g_setenv ("SCORCH_FAKE_MODE", "ok", TRUE);
  g_assert_false (run_recording (rec, FALSE, ready, &error));
  g_assert_error (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NO_PERMISSION);
  g_assert_false (g_file_test (f->log, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  write_file (f->info, info_with_permission, 0644);
  g_assert_true (run_recording (rec, FALSE, ready, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (f->output, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_get_contents (f->log, &log, NULL, NULL));
  g_assert_true (g_str_has_prefix (log, "--host\n--watch-bus\nperf\nrecord\n"));

  /* perf missing on the host. */
  g_setenv ("SCORCH_FAKE_MODE", "noperf", TRUE);
  g_assert_false (run_recording (rec, FALSE, ready, &error));
  g_assert_error (error, SCORCH_HOST_RECORDER_ERROR, SCORCH_HOST_RECORDER_ERROR_NO_PERF);
  g_clear_error (&error);

  /* Stop: SIGINT reaches the host side, which writes the capture. */
  g_setenv ("SCORCH_FAKE_MODE", "wait", TRUE);
  g_assert_true (run_recording (rec, TRUE, ready, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (f->output, G_FILE_TEST_IS_REGULAR));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/app/host-recorder/detect", Fixture, NULL, fixture_setup, test_detect, fixture_teardown);
  g_test_add ("/app/host-recorder/argv", Fixture, NULL, fixture_setup, test_argv, fixture_teardown);
  g_test_add ("/app/host-recorder/record", Fixture, NULL, fixture_setup, test_record, fixture_teardown);

  return g_test_run ();
}
