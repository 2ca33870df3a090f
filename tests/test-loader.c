/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-loader.c: scorch_load_async / _finish / _sync: perf.data and folded
 * stacks, progress in the caller's main context, cancellation, errors, and
 * a stress mode (SCORCH_LOADER_STRESS=N) that repeats the async cases N
 * times to catch races between the worker and the caller. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "scorch-capture-reader.h"
#include "scorch-loader.h"
#include "scorch-loader-private.h"

/* Heap-allocated and freed as soon as a load has ended, so that anything
 * touching it later is a use after free (ASan, MALLOC_PERTURB_). */
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
  gint64         done_time;
} LoadState;

static void
progress_cb (gdouble  fraction,
             guint64  n_samples,
             gpointer user_data)
{
  LoadState *st = user_data;

  g_assert_true (g_thread_self () == st->main_thread);
  g_assert_false (st->done);
  g_assert_false (st->destroyed);
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  g_assert_cmpfloat (fraction, >=, st->last_fraction);
  st->n_progress++;
  st->last_fraction = fraction;
}

static void
progress_destroy (gpointer user_data)
{
  LoadState *st = user_data;

  /* In the caller's thread, once. */
  g_assert_true (g_thread_self () == st->main_thread);
  g_assert_false (st->destroyed);
  st->destroyed = TRUE;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadState *st = user_data;

  g_assert_true (g_thread_self () == st->main_thread);
  g_assert_false (st->done);
  /* progress_data is released before the callback (scorch-loader.h) */
  g_assert_true (st->destroyed);
  st->profile = scorch_load_finish (result, &st->error);
  st->done = TRUE;
  st->done_time = g_get_monotonic_time ();
  g_main_loop_quit (st->loop);
}

static void
load_state_free (LoadState *st)
{
  g_clear_object (&st->profile);
  g_clear_error (&st->error);
  g_main_loop_unref (st->loop);
  memset (st, 0xaa, sizeof *st);
  g_free (st);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadState, load_state_free)

static LoadState *
load_start (const char   *path,
            GCancellable *cancellable)
{
  LoadState *st = g_new0 (LoadState, 1);

  st->loop = g_main_loop_new (NULL, FALSE);
  st->main_thread = g_thread_self ();
  scorch_load_async (path,
                     &(ScorchLoadOptions) {
                       .cancellable = cancellable,
                       .progress = progress_cb,
                       .progress_data = st,
                       .progress_destroy = progress_destroy,
                     },
                     load_cb, st);
  return st;
}

static void
load_wait (LoadState *st)
{
  g_main_loop_run (st->loop);
  /* let the idles that drop the loader's references run */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (st->done);
  g_assert_true (st->destroyed);
  g_assert_true ((st->profile == NULL) != (st->error == NULL));
}

static LoadState *
load_async (const char   *path,
            GCancellable *cancellable)
{
  LoadState *st = load_start (path, cancellable);

  load_wait (st);
  return st;
}

/* Waits until every load's worker has finished and its state is gone;
 * each was released in this context. */
static void
wait_loads_finished (void)
{
  gint64 end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  while (_scorch_loader_get_n_live () > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_cmpuint (_scorch_loader_get_n_released_elsewhere (), ==, 0);
}

static char *
corpus_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "corpus", name, NULL);
}

/* A temporary file holding CONTENTS (LEN bytes, or a string when -1). */
static char *
temp_file (const char *tmpl,
           const char *contents,
           gssize      len)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp (tmpl, &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, len, &error));
  g_assert_no_error (error);
  return path;
}

/* -- the cases, each usable once (unit) or many times (stress) -- */

static void
check_perf_data (void)
{
  g_autofree char *path = corpus_path ("fp-small.data");
  g_autoptr(LoadState) st = load_async (path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) sync = NULL;

  g_assert_no_error (st->error);
  g_assert_nonnull (st->profile);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (st->profile), >, 0);
  /* the last report, if any, is the complete one */
  if (st->n_progress > 0)
    g_assert_cmpfloat (st->last_fraction, ==, 1.0);

  sync = scorch_load_sync (path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (sync), ==, scorch_profile_get_n_all_samples (st->profile));
}

static void
check_folded (const char *path)
{
  g_autoptr(LoadState) st = load_async (path, NULL);

  g_assert_no_error (st->error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (st->profile), ==, 4);
  /* a folded file reports once, when it is complete */
  g_assert_cmpuint (st->n_progress, ==, 1);
  g_assert_cmpfloat (st->last_fraction, ==, 1.0);
}

static void
check_cancel_before (void)
{
  g_autofree char *path = corpus_path ("dwarf-small.data");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LoadState) st = NULL;

  g_cancellable_cancel (cancellable);
  st = load_async (path, cancellable);
  g_assert_null (st->profile);
  g_assert_error (st->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (st->n_progress, ==, 0);
}

static gpointer
cancel_thread (gpointer data)
{
  GCancellable *cancellable = data;

  g_usleep (g_random_int_range (0, 2000));
  g_cancellable_cancel (cancellable);
  return NULL;
}

/* Cancelled from another thread at a random moment: either outcome is
 * right, but the callback comes exactly once and nothing runs after it. */
static void
check_cancel_racing (const char *name)
{
  g_autofree char *path = corpus_path (name);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LoadState) st = load_start (path, cancellable);
  GThread *thread = g_thread_new ("cancel", cancel_thread, g_object_ref (cancellable));

  load_wait (st);
  g_thread_join (thread);
  g_object_unref (cancellable);
  if (st->profile == NULL)
    g_assert_error (st->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_cmpuint (scorch_profile_get_n_all_samples (st->profile), >, 0);
}

/* The worker is stuck (in a call that cannot be interrupted; here held
 * by the loader's test hook): the caller still gets G_IO_ERROR_CANCELLED,
 * before the worker can have finished, and the worker's late result is
 * dropped without touching the caller's state (freed by then).  With
 * WAIT, waits for the worker; else it finishes while the next cases run. */
static void
check_cancel_stuck (gboolean wait)
{
  g_autofree char *path = corpus_path ("fp-small.data");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LoadState) st = NULL;
  gint64 cancelled;

  _scorch_loader_hold_workers (TRUE);
  st = load_start (path, cancellable);
  g_main_context_iteration (NULL, FALSE);
  cancelled = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  load_wait (st);
  g_assert_null (st->profile);
  g_assert_error (st->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* the worker is still held, so its state is alive */
  g_assert_cmpuint (_scorch_loader_get_n_live (), >, 0);
  if (wait)
    g_test_message ("cancelled: the callback came %.1f ms after cancel, the worker still busy",
                    (st->done_time - cancelled) / 1000.0);
  g_clear_pointer (&st, load_state_free);
  _scorch_loader_hold_workers (FALSE);
  if (wait)
    wait_loads_finished ();
}

static void
check_error_missing (void)
{
  g_autoptr(LoadState) st = load_async ("/nonexistent/perf.data", NULL);

  g_assert_null (st->profile);
  g_assert_nonnull (st->error);
  /* the reader's error for a file that is not there, naming it */
  g_assert_true (g_error_matches (st->error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
                 g_error_matches (st->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  g_assert_nonnull (strstr (st->error->message, "/nonexistent/perf.data"));
}

static void
check_error_garbage (const char *path)
{
  g_autoptr(LoadState) st = load_async (path, NULL);

  g_assert_null (st->profile);
  /* neither perf.data nor folded stacks: the reader says so, naming the file */
  g_assert_error (st->error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA);
  g_assert_nonnull (strstr (st->error->message, path));
  g_assert_nonnull (strstr (st->error->message, "perf.data"));
}

/* -- unit tests -- */

static void
test_perf_data (void)
{
  check_perf_data ();
}

static void
test_folded (void)
{
  g_autofree char *path = temp_file ("scorch-loader-XXXXXX.folded", "main;a;b 3\nmain;c 1\n", -1);

  check_folded (path);
  g_unlink (path);
}

static void
test_cancel (void)
{
  check_cancel_before ();
  check_cancel_racing ("dwarf-small.data");
  check_cancel_stuck (TRUE);
}

/* 64 bytes that are neither perf.data (no magic) nor text */
static char *
garbage_file (void)
{
  guint8 bytes[64];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (i * 37 + 1) & 0x7f;
  bytes[10] = 0;
  return temp_file ("scorch-loader-XXXXXX.data", (const char *) bytes, sizeof bytes);
}

static void
test_errors (void)
{
  g_autofree char *path = garbage_file ();

  check_error_missing ();
  check_error_garbage (path);
  g_unlink (path);
  wait_loads_finished ();
}

static void
null_options_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ScorchProfile **profile = user_data;
  g_autoptr(GError) error = NULL;

  *profile = scorch_load_finish (result, &error);
  g_assert_no_error (error);
}

/* NULL options: a plain load, no progress, nothing of the caller's
 * touched; the profile is the one the same load with options gives. */
static void
test_null_options (void)
{
  g_autofree char *path = corpus_path ("fp-small.data");
  g_autoptr(LoadState) st = load_async (path, NULL);
  g_autoptr(ScorchProfile) plain = NULL;

  scorch_load_async (path, NULL, null_options_cb, &plain);
  while (plain == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (st->error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (plain), ==,
                    scorch_profile_get_n_all_samples (st->profile));
  g_assert_cmpuint (scorch_profile_get_n_all_samples (plain), >, 0);
  wait_loads_finished ();
}

/* The async cases again and again, mixed: SCORCH_LOADER_STRESS=N times
 * (the unit suite runs a few; the 'stress' suite many, under load). */
static void
test_stress (void)
{
  const char *env = g_getenv ("SCORCH_LOADER_STRESS");
  guint n = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 10;
  g_autofree char *folded = temp_file ("scorch-loader-XXXXXX.folded", "main;a;b 3\nmain;c 1\n", -1);
  g_autofree char *garbage = garbage_file ();
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      check_perf_data ();
      check_folded (folded);
      check_cancel_before ();
      check_cancel_racing ("dwarf-small.data");
      check_cancel_racing ("fp-small.data");
      check_error_missing ();
      check_error_garbage (garbage);
      check_cancel_stuck (FALSE);
      /* which iteration failed, when one does */
      if (env != NULL)
        g_test_message ("iteration %u passed", i + 1);
    }
  wait_loads_finished ();
  g_test_message ("%u iterations in %.1f s", n, (g_get_monotonic_time () - start) / 1e6);
  g_unlink (folded);
  g_unlink (garbage);
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
  g_test_add_func ("/libscorch/loader/null-options", test_null_options);
  g_test_add_func ("/libscorch/loader/stress", test_stress);

  return g_test_run ();
}
