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
#include "scorch-loader.h"
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

/* Tells perf.data from folded stacks by the magic: "PERFILE2" (also
 * pipe mode) and its byte-swapped form are perf.data, which the capture
 * reader then accepts or refuses with its own clear error; text is folded
 * stacks; anything else is neither. A directory, a FIFO or a device is
 * left to the capture reader, which refuses them without blocking. */
static gboolean
sniff_folded (const char  *path,
              gboolean    *folded,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint8 buf[4096];
  gsize n = 0;
  int fd;

  *folded = FALSE;
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
  if (n > 0 && looks_like_text (buf, n, n == sizeof buf))
    {
      *folded = TRUE;
      return TRUE;
    }
  if (n == 0)
    return TRUE;

  {
    g_autofree char *display = g_filename_display_name (path);

    g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA,
                 _("“%s” is neither a perf.data file (no PERFILE2 magic) nor folded stacks (not text)"),
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
  gboolean folded = FALSE;
  const char *debug_dirs;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (!sniff_folded (path, &folded, error))
    return NULL;

  if (folded)
    {
      ScorchProfile *profile = scorch_folded_load (path, cancellable, error);

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

  debug_dirs = g_getenv ("SCORCH_DEBUG_DIRS");
  if (debug_dirs != NULL && debug_dirs[0] != '\0')
    {
      g_auto(GStrv) dirs = g_strsplit (debug_dirs, ":", -1);

      scorch_symbolizer_set_debug_dirs (scorch_analyzer_get_symbolizer (analyzer), (const char * const *) dirs);
    }

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

typedef struct
{
  gatomicrefcount     ref_count;
  char               *path;
  ScorchLoadFlags     flags;
  GMainContext       *context;
  ScorchLoadProgress  progress;
  gpointer            progress_data;
  GDestroyNotify      progress_destroy;
  gint64              last_report;
  gint                done;        /* atomic: no progress after the callback */
  gint                pending;     /* atomic: a report is queued */
  GMutex              mutex;
  gdouble             fraction;
  guint64             n_samples;
} LoadData;

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
  /* The last reference is dropped in the caller's context (see below). */
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_main_context_unref (data->context);
  g_mutex_clear (&data->mutex);
  g_free (data->path);
  g_free (data);
}

static gboolean
report_progress_cb (gpointer p)
{
  LoadData *data = p;
  gdouble fraction;
  guint64 n_samples;

  g_mutex_lock (&data->mutex);
  fraction = data->fraction;
  n_samples = data->n_samples;
  g_mutex_unlock (&data->mutex);
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

  if (data->progress == NULL)
    return;
  if (fraction < 1.0 && now - data->last_report < 50 * G_TIME_SPAN_MILLISECOND)
    return;
  data->last_report = now;

  g_mutex_lock (&data->mutex);
  data->fraction = fraction;
  data->n_samples = n_samples;
  g_mutex_unlock (&data->mutex);

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

  profile = load (data->path, data->flags, cancellable, worker_progress, data, &error);
  if (profile == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profile, g_object_unref);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *outer = user_data;
  LoadData *data = g_task_get_task_data (G_TASK (result));

  g_atomic_int_set (&data->done, 1);
  (void) object;
  {
    GError *error = NULL;
    ScorchProfile *profile = g_task_propagate_pointer (G_TASK (result), &error);

    if (profile == NULL)
      g_task_return_error (outer, error);
    else
      g_task_return_pointer (outer, profile, g_object_unref);
  }
  g_object_unref (outer);
}

void
scorch_load_async (const char          *path,
                   ScorchLoadFlags      flags,
                   GCancellable        *cancellable,
                   ScorchLoadProgress   progress,
                   gpointer             progress_data,
                   GDestroyNotify       progress_destroy,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (path != NULL);

  data = g_new0 (LoadData, 1);
  g_atomic_ref_count_init (&data->ref_count);
  data->path = g_strdup (path);
  data->flags = flags;
  data->context = g_main_context_ref_thread_default ();
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  g_mutex_init (&data->mutex);

  /* The outer task is what the caller sees; the inner one runs in a
   * worker and finishes (in the caller's context) before the outer one, so
   * that progress reports stop before the callback runs. */
  outer = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (outer, scorch_load_async);
  g_task_set_name (outer, "scorch_load_async");

  task = g_task_new (NULL, cancellable, load_done, g_object_ref (outer));
  g_task_set_source_tag (task, scorch_load_async);
  g_task_set_task_data (task, data, load_data_unref);
  g_task_set_return_on_cancel (task, FALSE);
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
