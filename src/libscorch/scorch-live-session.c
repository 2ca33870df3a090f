/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-live-session.c: a recording's analysis while it runs, and its
 * final profile without a second read of the capture */

#include "config.h"

#define G_LOG_DOMAIN "scorch-live-session"

#include <string.h>
#include <sys/utsname.h>

#include "scorch-analyzer.h"
#include "scorch-capture-reader.h"
#include "scorch-live-session.h"
#include "scorch-perf-record.h"
#include "scorch-util.h"

#define DEFAULT_INTERVAL_MSEC 500

/* Who touches what:
 *
 * - The recorder's sink (the recorder's worker) and push_records() only
 *   copy records into the queue; they never wait for the analysis.
 * - The live thread owns the analyzer: it takes the queue's items in
 *   order, analyzes them round by round, keeps the newest snapshot (under
 *   the lock) and posts it to the main context.
 * - The ScorchLiveSession object belongs to the main context; the thread
 *   holds a reference to Shared only, so dropping the object ends the
 *   thread (a QUIT item) without waiting for it. */

typedef enum
{
  ITEM_RECORDS,
  ITEM_END,
  ITEM_QUIT,
} ItemKind;

typedef struct
{
  ItemKind                kind;
  struct perf_event_attr  attr;   /* RECORDS */
  ScorchCaptureAttrs     *attrs;  /* RECORDS: every event, or NULL (attr) */
  GBytes                 *bytes;  /* RECORDS */
  GTask                  *task;   /* END */
  char                   *path;   /* END */
} Item;

typedef struct
{
  gatomicrefcount    ref;
  GAsyncQueue       *queue;           /* of Item */
  GMainContext      *main_context;
  gint               interval_msec;   /* atomic */

  GMutex             lock;
  ScorchProfile     *snapshot;        /* under lock */
  guint64            n_samples;       /* under lock */

  ScorchLiveSession *owner;           /* main context only; NULL once disposed */
} Shared;

struct _ScorchLiveSession
{
  GObject  parent_instance;

  Shared  *shared;
  gboolean ended;
};

G_DEFINE_FINAL_TYPE (ScorchLiveSession, scorch_live_session, G_TYPE_OBJECT)

enum {
  SNAPSHOT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
item_free (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->bytes, g_bytes_unref);
  g_clear_pointer (&item->attrs, scorch_capture_attrs_unref);
  g_clear_object (&item->task);
  g_free (item->path);
  g_free (item);
}

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

static void
shared_unref (gpointer data)
{
  Shared *shared = data;

  if (!g_atomic_ref_count_dec (&shared->ref))
    return;
  g_async_queue_unref (shared->queue);
  g_main_context_unref (shared->main_context);
  g_clear_object (&shared->snapshot);
  g_mutex_clear (&shared->lock);
  g_free (shared);
}

/* -- the live thread -- */

typedef struct
{
  Shared        *shared;
  ScorchProfile *profile;
} Delivery;

static gboolean
deliver_cb (gpointer data)
{
  Delivery *d = data;

  if (d->shared->owner != NULL)
    g_signal_emit (d->shared->owner, signals[SNAPSHOT], 0, d->profile);
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer data)
{
  Delivery *d = data;

  g_clear_object (&d->profile);
  shared_unref (d->shared);
  g_free (d);
}

typedef struct
{
  Shared             *shared;
  ScorchCaptureAttrs *attrs;
  ScorchAnalyzer     *analyzer;
  gboolean            broken;
  gint64              last_snapshot;
  guint64             last_samples;
} Worker;

/* The analyzer as the loader makes it (scorch-loader.c), with this
 * machine's kernel release until the capture's header says it. The
 * events are those of the first batch: all of them (attrs, with ids and
 * names: off-CPU's sched_switch beside the sampling event) or the
 * sampling event alone (attr). */
static gboolean
worker_create_analyzer (Worker *w,
                        Item   *item)
{
  g_autoptr(GError) error = NULL;
  const char *debug_dirs;
  struct utsname uts;

  if (item->attrs != NULL)
    {
      w->attrs = scorch_capture_attrs_ref (item->attrs);
      if (!scorch_capture_attrs_check (w->attrs, &error))
        {
          g_warning ("Live analysis disabled: %s", error->message);
          return FALSE;
        }
    }
  else
    {
      w->attrs = scorch_capture_attrs_new ();
      if (!scorch_capture_attrs_add (w->attrs, &item->attr, sizeof item->attr, NULL, 0, &error))
        {
          g_warning ("Live analysis disabled: %s", error->message);
          return FALSE;
        }
    }
  w->analyzer = scorch_analyzer_new (w->attrs);
  if (g_strcmp0 (g_getenv ("SCORCH_LOAD_OFFLINE"), "1") == 0)
    scorch_analyzer_set_offline (w->analyzer, TRUE);
  debug_dirs = g_getenv ("SCORCH_DEBUG_DIRS");
  if (debug_dirs != NULL && debug_dirs[0] != '\0')
    {
      g_auto(GStrv) dirs = g_strsplit (debug_dirs, ":", -1);

      scorch_symbolizer_set_debug_dirs (scorch_analyzer_get_symbolizer (w->analyzer),
                                        (const char * const *) dirs);
    }
  /* The records come from this machine: its kernel symbols apply. */
  if (uname (&uts) == 0)
    scorch_symbolizer_set_kernel_release (scorch_analyzer_get_symbolizer (w->analyzer), uts.release);
  return TRUE;
}

static void
worker_add_records (Worker *w,
                    Item   *item)
{
  const guint8 *p;
  gsize len, off = 0;

  if (w->broken)
    return;
  if (w->analyzer == NULL && !worker_create_analyzer (w, item))
    {
      w->broken = TRUE;
      return;
    }

  p = g_bytes_get_data (item->bytes, &len);
  while (off < len)
    {
      g_autoptr(GError) error = NULL;
      struct perf_event_header header;

      /* The recorder hands whole records; a header that does not check
       * out ends the batch, a record whose body does not parse is
       * skipped alone, as the loader skips it. */
      if (!scorch_perf_record_parse_header (p + off, len - off, 0, &header, &error))
        {
          g_debug ("live analysis: rest of a batch skipped: %s", error->message);
          break;
        }
      if (!scorch_analyzer_queue_raw_record (w->analyzer, p + off, header.size, &error))
        g_debug ("live analysis: record skipped: %s", error->message);
      off += header.size;
    }
  /* A batch is one drain pass over every ring buffer: a round. */
  scorch_analyzer_finish_round (w->analyzer);

  scorch_mutex_lock (&w->shared->lock);
  w->shared->n_samples = scorch_analyzer_get_n_samples (w->analyzer);
  scorch_mutex_unlock (&w->shared->lock);
}

static void
worker_maybe_snapshot (Worker *w)
{
  gint interval = g_atomic_int_get (&w->shared->interval_msec);
  gint64 now = g_get_monotonic_time ();
  Delivery *d;
  guint64 n;

  if (w->analyzer == NULL || w->broken || interval <= 0 ||
      now - w->last_snapshot < (gint64) interval * 1000)
    return;
  /* off-CPU: a thread that only sleeps adds switches, not samples */
  n = scorch_analyzer_get_n_samples (w->analyzer) + scorch_analyzer_get_n_off_cpu_switches (w->analyzer);
  w->last_snapshot = now;
  if (n == w->last_samples)
    return;
  w->last_samples = n;

  d = g_new0 (Delivery, 1);
  d->shared = shared_ref (w->shared);
  d->profile = scorch_analyzer_snapshot (w->analyzer);
  scorch_mutex_lock (&w->shared->lock);
  g_set_object (&w->shared->snapshot, d->profile);
  scorch_mutex_unlock (&w->shared->lock);
  scorch_main_context_post (w->shared->main_context, deliver_cb, d, delivery_free);
}

/* Everything queued is analyzed; the header of the finished capture adds
 * what the loader takes from it (scorch_analyzer_set_capture_info). */
static ScorchProfile *
worker_finish (Worker      *w,
               const char  *capture_path,
               GError     **error)
{
  g_autoptr(ScorchCaptureReader) reader = NULL;
  ScorchProfile *profile;

  if (w->broken || w->analyzer == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           w->broken ? "The live analysis could not start"
                                     : "No records were recorded");
      return NULL;
    }

  scorch_analyzer_flush_queued (w->analyzer);
  if (capture_path != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      /* Maps the file and parses its header and feature sections; the
       * records are not walked. */
      reader = scorch_capture_reader_new (capture_path, &local_error);
      if (reader == NULL)
        g_debug ("live analysis: no capture header: %s", local_error->message);
      else
        scorch_analyzer_set_capture_info (w->analyzer, reader);
    }
  profile = scorch_analyzer_finish (w->analyzer);
  /* The analyzer may point into the reader's attrs: free it first. */
  g_clear_pointer (&w->analyzer, scorch_analyzer_free);
  return profile;
}

static gpointer
live_thread (gpointer data)
{
  Worker w = { 0, };

  w.shared = data;
  w.last_snapshot = g_get_monotonic_time ();

  for (;;)
    {
      Item *item = g_async_queue_timeout_pop (w.shared->queue, 100 * 1000);

      if (item != NULL && item->kind == ITEM_QUIT)
        {
          item_free (item);
          break;
        }
      if (item != NULL && item->kind == ITEM_END)
        {
          GError *error = NULL;
          ScorchProfile *profile = worker_finish (&w, item->path, &error);

          if (profile != NULL)
            g_task_return_pointer (item->task, profile, g_object_unref);
          else
            g_task_return_error (item->task, error);
          item_free (item);
          break;
        }
      if (item != NULL)
        {
          worker_add_records (&w, item);
          item_free (item);
        }
      worker_maybe_snapshot (&w);
    }

  g_clear_pointer (&w.analyzer, scorch_analyzer_free);
  g_clear_pointer (&w.attrs, scorch_capture_attrs_unref);
  shared_unref (w.shared);
  return NULL;
}

/* -- the object -- */

static void
scorch_live_session_dispose (GObject *object)
{
  ScorchLiveSession *self = SCORCH_LIVE_SESSION (object);

  if (self->shared != NULL)
    {
      Item *quit = g_new0 (Item, 1);

      self->shared->owner = NULL;
      quit->kind = ITEM_QUIT;
      /* After an END the thread has gone already; the item is freed with
       * the queue. */
      g_async_queue_push (self->shared->queue, quit);
      g_clear_pointer (&self->shared, shared_unref);
    }

  G_OBJECT_CLASS (scorch_live_session_parent_class)->dispose (object);
}

static void
scorch_live_session_class_init (ScorchLiveSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = scorch_live_session_dispose;

  signals[SNAPSHOT] = g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, SCORCH_TYPE_PROFILE);
}

static void
scorch_live_session_init (ScorchLiveSession *self)
{
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref);
  g_mutex_init (&shared->lock);
  shared->queue = g_async_queue_new_full (item_free);
  shared->main_context = g_main_context_ref_thread_default ();
  shared->interval_msec = DEFAULT_INTERVAL_MSEC;
  shared->owner = self;
  self->shared = shared;

  g_thread_unref (g_thread_new ("scorch-live", live_thread, shared_ref (shared)));
}

ScorchLiveSession *
scorch_live_session_new (void)
{
  return g_object_new (SCORCH_TYPE_LIVE_SESSION, NULL);
}

void
scorch_live_session_set_snapshot_interval (ScorchLiveSession *self,
                                           guint              msec)
{
  g_return_if_fail (SCORCH_IS_LIVE_SESSION (self));

  g_atomic_int_set (&self->shared->interval_msec, (gint) MIN (msec, G_MAXINT));
}

static void
push (Shared                       *shared,
      const struct perf_event_attr *attr,
      ScorchCaptureAttrs           *attrs,
      const guint8                 *records,
      gsize                         len)
{
  Item *item;

  if (len == 0)
    return;
  item = g_new0 (Item, 1);
  item->kind = ITEM_RECORDS;
  if (attr != NULL)
    item->attr = *attr;
  if (attrs != NULL)
    item->attrs = scorch_capture_attrs_ref (attrs);
  item->bytes = g_bytes_new (records, len);
  g_async_queue_push (shared->queue, item);
}

static void
sink_cb (ScorchRecorder     *recorder,
         ScorchCaptureAttrs *attrs,
         const guint8       *records,
         gsize               len,
         gpointer            user_data)
{
  push (user_data, NULL, attrs, records, len);
}

void
scorch_live_session_attach (ScorchLiveSession *self,
                            ScorchRecorder    *recorder)
{
  g_return_if_fail (SCORCH_IS_LIVE_SESSION (self));
  g_return_if_fail (SCORCH_IS_RECORDER (recorder));

  scorch_recorder_set_attrs_sink (recorder, sink_cb, shared_ref (self->shared), shared_unref);
}

void
scorch_live_session_push_records (ScorchLiveSession            *self,
                                  const struct perf_event_attr *attr,
                                  const guint8                 *records,
                                  gsize                         len)
{
  g_return_if_fail (SCORCH_IS_LIVE_SESSION (self));
  g_return_if_fail (attr != NULL);
  g_return_if_fail (records != NULL || len == 0);

  push (self->shared, attr, NULL, records, len);
}

void
scorch_live_session_push_capture_records (ScorchLiveSession  *self,
                                          ScorchCaptureAttrs *attrs,
                                          const guint8       *records,
                                          gsize               len)
{
  g_return_if_fail (SCORCH_IS_LIVE_SESSION (self));
  g_return_if_fail (attrs != NULL);
  g_return_if_fail (records != NULL || len == 0);

  push (self->shared, NULL, attrs, records, len);
}

ScorchProfile *
scorch_live_session_dup_snapshot (ScorchLiveSession *self)
{
  ScorchProfile *profile;

  g_return_val_if_fail (SCORCH_IS_LIVE_SESSION (self), NULL);

  scorch_mutex_lock (&self->shared->lock);
  profile = self->shared->snapshot != NULL ? g_object_ref (self->shared->snapshot) : NULL;
  scorch_mutex_unlock (&self->shared->lock);
  return profile;
}

guint64
scorch_live_session_get_n_samples (ScorchLiveSession *self)
{
  guint64 n;

  g_return_val_if_fail (SCORCH_IS_LIVE_SESSION (self), 0);

  scorch_mutex_lock (&self->shared->lock);
  n = self->shared->n_samples;
  scorch_mutex_unlock (&self->shared->lock);
  return n;
}

void
scorch_live_session_end_async (ScorchLiveSession   *self,
                               const char          *capture_path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Item *item;

  g_return_if_fail (SCORCH_IS_LIVE_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scorch_live_session_end_async);
  if (self->ended)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "The live session has ended already");
      return;
    }
  self->ended = TRUE;

  item = g_new0 (Item, 1);
  item->kind = ITEM_END;
  item->task = g_steal_pointer (&task);
  item->path = g_strdup (capture_path);
  g_async_queue_push (self->shared->queue, item);
}

ScorchProfile *
scorch_live_session_end_finish (ScorchLiveSession  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (SCORCH_IS_LIVE_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
end_sync_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

ScorchProfile *
scorch_live_session_end (ScorchLiveSession  *self,
                         const char         *capture_path,
                         GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (SCORCH_IS_LIVE_SESSION (self), NULL);

  g_main_context_push_thread_default (context);
  scorch_live_session_end_async (self, capture_path, NULL, end_sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return scorch_live_session_end_finish (self, result, error);
}
