/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-loader.c: scorch_load_async / _finish / _sync: perf.data and folded
 * stacks, progress in the caller's main context, cancellation, errors. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "scorch-loader.h"

typedef struct
{
  GMainLoop     *loop;
  ScorchProfile *profile;
  GError        *error;
  GThread       *main_thread;
  guint          n_progress;
  gdouble        last_fraction;
  gboolean       destroyed;
  gboolean       done;
} LoadState;

static void
progress_cb (gdouble  fraction,
             guint64  n_samples,
             gpointer user_data)
{
  LoadState *st = user_data;

  g_assert_true (g_thread_self () == st->main_thread);
  g_assert_false (st->done);
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  st->n_progress++;
  st->last_fraction = fraction;
}

static void
progress_destroy (gpointer user_data)
{
  LoadState *st = user_data;

  st->destroyed = TRUE;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadState *st = user_data;

  g_assert_true (g_thread_self () == st->main_thread);
  st->profile = scorch_load_finish (result, &st->error);
  st->done = TRUE;
  g_main_loop_quit (st->loop);
}

static void
load_async (const char   *path,
            GCancellable *cancellable,
            LoadState    *st)
{
  memset (st, 0, sizeof *st);
  st->loop = g_main_loop_new (NULL, FALSE);
  st->main_thread = g_thread_self ();
  scorch_load_async (path, SCORCH_LOAD_FLAGS_NONE, cancellable, progress_cb, st, progress_destroy, load_cb, st);
  g_main_loop_run (st->loop);
  /* let the idle that drops the worker's references run */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_main_loop_unref (st->loop);
}

static void
test_perf_data (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "corpus", "fp-small.data", NULL);
  LoadState st;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) sync = NULL;

  load_async (path, NULL, &st);
  g_assert_no_error (st.error);
  g_assert_nonnull (st.profile);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (st.profile), >, 0);

  sync = scorch_load_sync (path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (sync), ==, scorch_profile_get_n_all_samples (st.profile));
  g_object_unref (st.profile);
}

static void
test_folded (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("scorch-loader-XXXXXX.folded", &path, &error);
  LoadState st;

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "main;a;b 3\nmain;c 1\n", -1, &error));
  load_async (path, NULL, &st);
  g_assert_no_error (st.error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (st.profile), ==, 4);
  g_assert_cmpuint (st.n_progress, >=, 0);
  g_object_unref (st.profile);
  g_unlink (path);
}

static void
test_cancel (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "corpus", "dwarf-small.data", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LoadState st;

  g_cancellable_cancel (cancellable);
  load_async (path, cancellable, &st);
  g_assert_null (st.profile);
  g_assert_error (st.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&st.error);
}

static void
test_errors (void)
{
  LoadState st;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  load_async ("/nonexistent/perf.data", NULL, &st);
  g_assert_null (st.profile);
  g_assert_nonnull (st.error);
  g_clear_error (&st.error);

  fd = g_file_open_tmp ("scorch-loader-XXXXXX.data", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "\x01\x02\x03 this is neither", -1, &error));
  load_async (path, NULL, &st);
  g_assert_null (st.profile);
  g_assert_nonnull (st.error);
  g_test_message ("%s", st.error->message);
  g_clear_error (&st.error);
  g_unlink (path);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/loader/perf-data", test_perf_data);
  g_test_add_func ("/libscorch/loader/folded", test_folded);
  g_test_add_func ("/libscorch/loader/cancel", test_cancel);
  g_test_add_func ("/libscorch/loader/errors", test_errors);

  return g_test_run ();
}
