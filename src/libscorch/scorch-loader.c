/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-loader.c: perf.data / folded stacks -> ScorchProfile */

#include "config.h"

#define G_LOG_DOMAIN "scorch-loader"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "scorch-analyzer.h"
#include "scorch-capture-reader.h"
#include "scorch-folded.h"
#include "scorch-heap.h"
#include "scorch-loader.h"
#include "scorch-loader-private.h"
#include "scorch-profile-format.h"
#include "scorch-symbol-paths.h"
#include "scorch-symbol-setup.h"
#include "scorch-util.h"

/* Whether the first bytes of a file can start folded stacks: text, that
 * is no NUL and valid UTF-8 (a multi-byte character cut by the end of the
 * buffer is fine). Whether it parses is the folded parser's to say, per
 * line, however long the first line is. */
static gboolean
looks_like_text (const guint8 *buf,
                 gsize         n,
                 gboolean      truncated)
{
  const char *end = NULL;

  if (memchr (buf, 0, n) != NULL)
    return FALSE;
  if (g_utf8_validate ((const char *) buf, n, &end))
    return TRUE;
  return truncated && (const guint8 *) end + 4 > buf + n &&
         g_utf8_get_char_validated (end, buf + n - (const guint8 *) end) == (gunichar) -2;
}

/* What a file holds, by its first bytes (not its name): perf.data, folded
 * stacks (*folded) or a format of the table (*profile_format); neither
 * set is perf.data. "PERFILE2" (also pipe mode) and its byte-swapped form
 * are perf.data, which the capture reader then accepts or refuses with its
 * own clear error; a text format (speedscope's JSON) is told by its sniff,
 * other text is folded stacks, and a binary one (pprof) by its sniff;
 * anything else is none of them. A directory, a FIFO or a device is left
 * to the capture reader, which refuses them without blocking. */
static gboolean
sniff_format (const char                 *path,
              gboolean                   *folded,
              const ScorchProfileFormat **profile_format,
              GError                    **error)
{
  g_autoptr(GError) local_error = NULL;
  guint8 buf[4096];
  gsize n = 0;
  int fd;

  *folded = FALSE;
  *profile_format = NULL;
  fd = scorch_open_regular_file (path, G_MAXINT64, NULL, &local_error);
  if (fd < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  while (n < sizeof buf)
    {
      gssize r = read (fd, buf + n, sizeof buf - n);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int errsv = errno;
          g_autofree char *display = g_filename_display_name (path);

          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Cannot read “%s”: %s"), display, g_strerror (errsv));
          return FALSE;
        }
      if (r == 0)
        break;
      n += r;
    }
  close (fd);

  /* Empty, or too short for a magic: the reader says what is wrong. */
  if (n < 8 && !looks_like_text (buf, n, FALSE))
    return TRUE;
  if (n >= 8 && (memcmp (buf, "PERFILE2", 8) == 0 || memcmp (buf, "2ELIFREP", 8) == 0))
    return TRUE;
  if ((*profile_format = scorch_profile_format_sniff (buf, n, TRUE)) != NULL)
    return TRUE;
  if (n > 0 && looks_like_text (buf, n, n == sizeof buf))
    {
      *folded = TRUE;
      return TRUE;
    }
  if ((*profile_format = scorch_profile_format_sniff (buf, n, FALSE)) != NULL)
    return TRUE;
  if (n == 0)
    return TRUE;

  {
    g_autofree char *display = g_filename_display_name (path);

    g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA,
                 _("“%s” is neither a perf.data file (no PERFILE2 magic), nor folded stacks (not text), "
                   "nor a pprof or speedscope profile"),
                 display);
  }
  return FALSE;
}

static ScorchProfile *
load (const char         *path,
      ScorchLoadFlags     flags,
      GCancellable       *cancellable,
      ScorchLoadProgress  progress,
      gpointer            progress_data,
      GError            **error)
{
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(ScorchAnalyzer) analyzer = NULL;
  const ScorchProfileFormat *profile_format = NULL;
  gboolean folded = FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!sniff_format (path, &folded, &profile_format, error))
    return NULL;

  if (folded || profile_format != NULL)
    {
      ScorchProfile *profile;

      if (profile_format != NULL)
        profile = profile_format->load (path, cancellable, error);
      else
        profile = scorch_folded_load (path, cancellable, error);

      if (profile != NULL && progress != NULL)
        progress (1.0, scorch_profile_get_n_all_samples (profile), progress_data);
      return profile;
    }

  if (!(reader = scorch_capture_reader_new (path, error)))
    return NULL;

  analyzer = scorch_analyzer_new (scorch_capture_reader_get_attrs (reader));
  /* For benchmarks: the pipeline without symbolization and unwinding. */
  if (g_strcmp0 (g_getenv ("SCORCH_LOAD_OFFLINE"), "1") == 0)
    scorch_analyzer_set_offline (analyzer, TRUE);

  /* --debug-dirs, --kallsyms (scorch-symbol-paths.h; SCORCH_DEBUG_DIRS) */
  /* a perf archive beside the capture or given with --symfs-archive */
  scorch_symbol_paths_use_capture_archive (path);
  scorch_symbol_setup_symbolizer (scorch_analyzer_get_symbolizer (analyzer));

  if (!scorch_analyzer_load_reader (analyzer, reader, cancellable, progress, progress_data, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  return scorch_analyzer_finish (analyzer);
}

ScorchProfile *
scorch_load_sync (const char          *path,
                  ScorchLoadFlags      flags,
                  GCancellable        *cancellable,
                  ScorchLoadProgress   progress,
                  gpointer             progress_data,
                  GError             **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return load (path, flags, cancellable, progress, progress_data, error);
}

/* ------------------------------------------------------------------ */

/* The async load, and who may touch what:
 *
 * - The worker (load_thread) runs load() and reads path and flags; its
 *   progress goes into fraction/n_samples under the mutex, and a source
 *   posted to the caller's context reports it there.
 * - Everything else happens in the caller's context (the thread-default
 *   main context of the caller of scorch_load_async): progress reports,
 *   progress_destroy, the outer task's callback, and every release of a
 *   reference to LoadData.  Each reference belongs to something that ends
 *   in that context: the outer task (until it returns), the worker (until
 *   the inner task's callback, load_done, runs), the cancellation source,
 *   and each posted progress report.  The inner GTask object itself may be
 *   finalized on the worker thread (GLib drops the worker's reference
 *   there after the callback may already have run), so it holds no
 *   reference with a destroy notify.
 * - The outer task returns once: with the worker's result, or as soon as
 *   the cancellable fires (through a GCancellableSource in the caller's
 *   context), whichever comes first.  A worker stuck in a call that cannot
 *   be interrupted (libdw reading a file) finishes later; its result is
 *   then dropped. */

typedef struct
{
  gatomicrefcount     ref_count;
  char               *path;
  ScorchLoadFlags     flags;
  GMainContext       *context;

  /* The caller's context only */
  GTask              *outer;        /* until it has returned */
  GSource            *cancel_source;
  ScorchLoadProgress  progress;
  gpointer            progress_data;
  GDestroyNotify      progress_destroy;

  /* The worker only */
  gint64              last_report;

  /* Shared */
  gint                done;        /* atomic: the outer task has returned */
  gint                pending;     /* atomic: a report is queued */
  GMutex              mutex;       /* guards fraction and n_samples */
  gdouble             fraction;
  guint64             n_samples;
} LoadData;

/* Test hooks (scorch-loader-private.h) */
static gint test_hold;          /* atomic */
static gint n_live;             /* atomic */
static gint n_released_elsewhere;  /* atomic */

void
_scorch_loader_hold_workers (gboolean hold)
{
  g_atomic_int_set (&test_hold, hold ? 1 : 0);
}

guint
_scorch_loader_get_n_live (void)
{
  return (guint) g_atomic_int_get (&n_live);
}

guint
_scorch_loader_get_n_released_elsewhere (void)
{
  return (guint) g_atomic_int_get (&n_released_elsewhere);
}

static LoadData *
load_data_ref (LoadData *data)
{
  g_atomic_ref_count_inc (&data->ref_count);
  return data;
}

static void
load_data_unref (gpointer p)
{
  LoadData *data = p;

  if (!g_atomic_ref_count_dec (&data->ref_count))
    return;
  /* Every reference ends in the caller's context (see above). */
  if (!g_main_context_is_owner (data->context))
    g_atomic_int_inc (&n_released_elsewhere);
  g_assert (data->outer == NULL);
  g_assert (data->cancel_source == NULL);
  g_assert (data->progress_destroy == NULL);
  g_main_context_unref (data->context);
  g_mutex_clear (&data->mutex);
  g_free (data->path);
  g_free (data);
  g_atomic_int_add (&n_live, -1);
}

/* In the caller's context: returns the outer task, once; takes PROFILE and
 * ERROR (exactly one of them is set). */
static void
return_outer (LoadData      *data,
              ScorchProfile *profile,
              GError        *error)
{
  g_autoptr(GTask) outer = g_steal_pointer (&data->outer);
  GDestroyNotify progress_destroy = g_steal_pointer (&data->progress_destroy);

  g_assert ((profile == NULL) != (error == NULL));

  if (outer == NULL)
    {
      /* Returned already (cancelled): the late result is dropped. */
      g_clear_object (&profile);
      g_clear_error (&error);
      return;
    }

  /* No progress report from now on. */
  g_atomic_int_set (&data->done, 1);
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_clear_pointer (&data->cancel_source, g_source_unref);
    }
  if (progress_destroy != NULL)
    progress_destroy (data->progress_data);

  if (profile == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, profile, g_object_unref);
  /* The outer task's reference */
  load_data_unref (data);
}

static gboolean
report_progress_cb (gpointer p)
{
  LoadData *data = p;
  gdouble fraction;
  guint64 n_samples;

  scorch_mutex_lock (&data->mutex);
  fraction = data->fraction;
  n_samples = data->n_samples;
  scorch_mutex_unlock (&data->mutex);
  g_atomic_int_set (&data->pending, 0);

  if (!g_atomic_int_get (&data->done) && data->progress != NULL)
    data->progress (fraction, n_samples, data->progress_data);
  return G_SOURCE_REMOVE;
}

static void
worker_progress (gdouble  fraction,
                 guint64  n_samples,
                 gpointer user_data)
{
  LoadData *data = user_data;
  gint64 now = g_get_monotonic_time ();

  if (data->progress == NULL || g_atomic_int_get (&data->done))
    return;
  if (fraction < 1.0 && now - data->last_report < 50 * G_TIME_SPAN_MILLISECOND)
    return;
  data->last_report = now;

  scorch_mutex_lock (&data->mutex);
  data->fraction = fraction;
  data->n_samples = n_samples;
  scorch_mutex_unlock (&data->mutex);

  /* Always through a source: g_main_context_invoke() would call back right
   * here, in the worker, when no thread owns the context at this moment. */
  if (g_atomic_int_compare_and_exchange (&data->pending, 0, 1))
    scorch_main_context_post (data->context, report_progress_cb,
                              load_data_ref (data), load_data_unref);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;
  ScorchProfile *profile;

  /* what scorch_load_async wrote, handed over by GTask (see scorch-util.h) */
  scorch_tsan_acquire (data);
  /* Tests: a worker busy in a call that cannot be interrupted. */
  while (g_atomic_int_get (&test_hold))
    g_usleep (G_TIME_SPAN_MILLISECOND);

  /* the app's heap has served its window since it was prepared */
  scorch_heap_refill ();
  profile = load (data->path, data->flags, cancellable, worker_progress, data, &error);
  scorch_heap_release ();
  /* the profile and the worker's writes, to load_done */
  scorch_tsan_release (data);
  if (profile == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profile, g_object_unref);
}

/* The inner task's callback, in the caller's context. */
static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  LoadData *data = user_data;
  GError *error = NULL;
  ScorchProfile *profile;

  scorch_tsan_acquire (data);
  profile = g_task_propagate_pointer (G_TASK (result), &error);

  return_outer (data, profile, error);
  /* The worker's reference */
  load_data_unref (data);
}

/* The cancellable fired: in the caller's context. */
static gboolean
load_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  LoadData *data = user_data;
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  g_assert (error != NULL);
  return_outer (data, NULL, error);
  return G_SOURCE_REMOVE;
}

void
scorch_load_async (const char              *path,
                   const ScorchLoadOptions *options,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  static const ScorchLoadOptions defaults = { 0 };
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;
  LoadData *data;

  if (options == NULL)
    options = &defaults;
  cancellable = options->cancellable;

  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (LoadData, 1);
  g_atomic_int_inc (&n_live);
  /* The outer task's reference */
  g_atomic_ref_count_init (&data->ref_count);
  data->path = g_strdup (path);
  data->flags = options->flags;
  data->context = g_main_context_ref_thread_default ();
  data->progress = options->progress;
  data->progress_data = options->progress_data;
  data->progress_destroy = options->progress_destroy;
  g_mutex_init (&data->mutex);

  /* The outer task is what the caller sees; the inner one runs in a
   * worker and reports to load_done (in the caller's context), which
   * returns the outer one unless cancellation did first. */
  data->outer = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (data->outer, scorch_load_async);
  g_task_set_name (data->outer, "scorch_load_async");

  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_priority (data->cancel_source, G_PRIORITY_DEFAULT);
      g_source_set_static_name (data->cancel_source, "[scorch] load cancelled");
      g_source_set_callback (data->cancel_source, (GSourceFunc) (void (*) (void)) load_cancelled_cb,
                             load_data_ref (data), load_data_unref);
      g_source_attach (data->cancel_source, data->context);
    }

  /* The worker's reference, dropped by load_done; the task data has no
   * destroy notify, since the inner task may be finalized in the worker. */
  task = g_task_new (NULL, cancellable, load_done, load_data_ref (data));
  g_task_set_source_tag (task, scorch_load_async);
  g_task_set_name (task, "scorch_load_async worker");
  g_task_set_task_data (task, data, NULL);
  g_task_set_return_on_cancel (task, FALSE);
  scorch_tsan_release (data);
  g_task_run_in_thread (task, load_thread);
}

ScorchProfile *
scorch_load_finish (GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == scorch_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
