/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-recorder.c: samples a launched or attached process with perf_event
 * into a perf.data file, on a worker thread */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scorch-leaf-repair.h"
#include "scorch-perf-record.h"
#include "scorch-perf-writer.h"
#include "scorch-recorder-private.h"
#include "scorch-util.h"

G_DEFINE_FINAL_TYPE (ScorchRecorder, scorch_recorder, G_TYPE_OBJECT)
G_DEFINE_QUARK (scorch-recorder-error-quark, scorch_recorder_error)

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
scorch_recorder_finalize (GObject *object)
{
  ScorchRecorder *self = SCORCH_RECORDER (object);

  g_strfreev (self->argv);
  g_free (self->cwd);
  g_strfreev (self->envp);
  g_free (self->event);
  g_free (self->output_path);
  g_clear_object (&self->output_stream);
  g_strfreev (self->cmdline);
  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_ptr_array_unref (self->messages);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (scorch_recorder_parent_class)->finalize (object);
}

static void
scorch_recorder_class_init (ScorchRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scorch_recorder_finalize;

  /**
   * ScorchRecorder::progress:
   * @progress: a const ScorchRecorderProgress *
   *
   * Emitted in the main context that started the recording, at most about
   * ten times a second, and once at the end.
   */
  signals[PROGRESS] = g_signal_new ("progress",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
scorch_recorder_init (ScorchRecorder *self)
{
  g_mutex_init (&self->lock);
  self->event = g_strdup ("cpu-clock");
  self->frequency = SCORCH_RECORDER_DEFAULT_FREQUENCY;
  self->call_graph = SCORCH_CALL_GRAPH_FP;
  self->stack_size = 0;
  self->kernel = TRUE;
  self->output_path = g_strdup ("scorch.data");
  self->messages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->messages, NULL);
  self->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  self->exit_status = -1;
}

ScorchRecorder *
scorch_recorder_new (void)
{
  return g_object_new (SCORCH_TYPE_RECORDER, NULL);
}

void
scorch_recorder_set_command (ScorchRecorder     *self,
                             const char * const *argv,
                             const char         *cwd,
                             const char * const *envp)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_strfreev (self->argv);
  self->argv = g_strdupv ((char **) argv);
  g_free (self->cwd);
  self->cwd = g_strdup (cwd);
  g_strfreev (self->envp);
  self->envp = g_strdupv ((char **) envp);
  self->pid = 0;
}

void
scorch_recorder_set_pid (ScorchRecorder *self,
                         GPid            pid)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->pid = pid;
  g_clear_pointer (&self->argv, g_strfreev);
}

void
scorch_recorder_set_event (ScorchRecorder *self,
                           const char     *event)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_free (self->event);
  self->event = g_strdup (event ? event : "cpu-clock");
}

void
scorch_recorder_set_frequency (ScorchRecorder *self,
                               guint           hz)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->frequency = hz;
  self->period = 0;
}

void
scorch_recorder_set_period (ScorchRecorder *self,
                            guint64         period)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->period = period;
}

void
scorch_recorder_set_call_graph (ScorchRecorder  *self,
                                ScorchCallGraph  mode,
                                guint            stack_size)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  self->call_graph = mode;
  self->stack_size = stack_size;
}

void
scorch_recorder_set_kernel (ScorchRecorder *self,
                            gboolean        kernel)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  self->kernel = !!kernel;
}

/* --off-cpu: sched:sched_switch events with callchains and switch records */
void
scorch_recorder_set_off_cpu (ScorchRecorder *self,
                             gboolean        off_cpu)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  self->off_cpu = !!off_cpu;
}

void
scorch_recorder_set_duration (ScorchRecorder *self,
                              double          seconds)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  self->duration = MAX (seconds, 0);
}

void
scorch_recorder_set_output_path (ScorchRecorder *self,
                                 const char     *path)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_free (self->output_path);
  self->output_path = g_strdup (path);
  g_clear_object (&self->output_stream);
}

void
scorch_recorder_set_output_stream (ScorchRecorder *self,
                                   GOutputStream  *stream)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (stream == NULL || G_IS_SEEKABLE (stream));
  g_return_if_fail (!self->running);

  g_set_object (&self->output_stream, stream);
}

void
scorch_recorder_set_cmdline (ScorchRecorder     *self,
                             const char * const *argv)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  g_strfreev (self->cmdline);
  self->cmdline = g_strdupv ((char **) argv);
}

void
scorch_recorder_set_sink (ScorchRecorder         *self,
                          ScorchRecorderSinkFunc  func,
                          gpointer                user_data,
                          GDestroyNotify          destroy)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);

  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  self->attrs_sink = NULL;
  self->sink = func;
  self->sink_data = user_data;
  self->sink_destroy = destroy;
}

void
scorch_recorder_get_progress (ScorchRecorder         *self,
                              ScorchRecorderProgress *progress)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));

  scorch_mutex_lock (&self->lock);
  *progress = self->progress;
  scorch_mutex_unlock (&self->lock);
}

ScorchStopReason
scorch_recorder_get_stop_reason (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), SCORCH_STOP_REASON_NONE);
  return self->stop_reason;
}

const char * const *
scorch_recorder_get_messages (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), NULL);
  return (const char * const *) self->messages->pdata;
}

GPid
scorch_recorder_get_child_pid (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), 0);
  return self->child_pid;
}

int
scorch_recorder_get_exit_status (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), -1);
  return self->exit_status;
}

static void
request_stop (ScorchRecorder   *self,
              ScorchStopReason  reason)
{
  guint64 one = 1;

  g_atomic_int_compare_and_exchange (&self->stop_request, SCORCH_STOP_REASON_NONE, reason);
  if (self->wake_fd >= 0 && write (self->wake_fd, &one, sizeof one) < 0)
    {
      /* the counter is already non-zero: the worker wakes anyway */
    }
}

void
scorch_recorder_stop (ScorchRecorder *self)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  request_stop (self, SCORCH_STOP_REASON_STOPPED);
}

void
_scorch_recorder_add_message (ScorchRecorder *self,
                              char           *message)
{
  scorch_mutex_lock (&self->lock);
  g_ptr_array_insert (self->messages, self->messages->len - 1, message);
  scorch_mutex_unlock (&self->lock);
}

static void
session_free (ScorchRecordSession *s)
{
  if (s->rings != NULL)
    {
      for (guint i = 0; i < s->rings->len; i++)
        {
          ScorchRecordRing *ring = &g_array_index (s->rings, ScorchRecordRing, i);
          if (ring->base != NULL)
            munmap (ring->base, ring->map_size);
        }
      g_array_unref (s->rings);
    }
  if (s->fds != NULL)
    {
      for (guint i = 0; i < s->fds->len; i++)
        close (g_array_index (s->fds, int, i));
      g_array_unref (s->fds);
    }
  g_clear_pointer (&s->ids, g_array_unref);
  g_clear_pointer (&s->attrs, scorch_capture_attrs_unref);
  g_clear_pointer (&s->cpus, g_array_unref);
  g_clear_pointer (&s->tids, g_hash_table_unref);
  g_clear_pointer (&s->writer, scorch_perf_writer_free);
  g_clear_pointer (&s->scratch, g_byte_array_unref);
  g_clear_pointer (&s->repairer, scorch_leaf_repairer_free);
  g_clear_pointer (&s->repaired, g_byte_array_unref);
  g_clear_pointer (&s->switch_ids, g_array_unref);
  g_clear_pointer (&s->switch_attrs, scorch_capture_attrs_unref);
  if (s->pidfd >= 0)
    close (s->pidfd);
  if (s->gate_fd >= 0)
    close (s->gate_fd);
  if (s->err_fd >= 0)
    close (s->err_fd);
  g_free (s->program);
  _scorch_recorder_reach_free (s);
  g_clear_object (&s->cancellable);
  g_free (s);
}

/* Counts what a drained batch holds, for the progress: samples, lost
 * samples, throttling. */
static void
count_records (ScorchRecordSession *s,
               const guint8        *data,
               gsize                len)
{
  gsize off = 0;

  if (s->attrs == NULL)
    {
      s->attrs = scorch_capture_attrs_new ();
      scorch_capture_attrs_add (s->attrs, &s->attr, sizeof s->attr, NULL, 0, NULL);
    }

  while (off < len)
    {
      struct perf_event_header header;

      if (!scorch_perf_record_parse_header (data + off, len - off, 0, &header, NULL))
        break;
      switch (header.type)
        {
        case PERF_RECORD_SAMPLE:
          s->samples++;
          break;
        case PERF_RECORD_LOST:
        case PERF_RECORD_LOST_SAMPLES:
          {
            ScorchRecord record;
            ScorchPerfLost lost;

            if (scorch_capture_attrs_parse_record (s->attrs, data + off, header.size, 0, &record, NULL) &&
                scorch_perf_record_get_lost (&record, &lost, NULL))
              s->lost += lost.lost;
          }
          break;
        case PERF_RECORD_THROTTLE:
          s->throttled++;
          break;
        default:
          break;
        }
      off += header.size;
    }
}

static void
drain_ring (ScorchRecordSession *s,
            ScorchRecordRing    *ring)
{
  guint64 head = __atomic_load_n (&ring->page->data_head, __ATOMIC_ACQUIRE);
  guint64 tail = ring->page->data_tail;
  guint64 avail = head - tail;
  guint64 start, first;
  gsize old = s->scratch->len;

  if (avail == 0)
    return;
  if (avail > ring->size)
    avail = ring->size;   /* cannot happen with a writable mapping */

  start = tail & (ring->size - 1);
  first = MIN (avail, ring->size - start);
  g_byte_array_append (s->scratch, ring->data + start, first);
  if (avail > first)
    g_byte_array_append (s->scratch, ring->data, avail - first);

  __atomic_store_n (&ring->page->data_tail, head, __ATOMIC_RELEASE);
  /* reach: per-CPU events for a target keep only its records */
  _scorch_recorder_filter_records (s, s->scratch, old);
  count_records (s, s->scratch->data + old, s->scratch->len - old);
}

static gboolean
write_batch (ScorchRecordSession  *s,
             GError              **error)
{
  ScorchRecorder *self = s->self;
  const struct perf_event_attr *attr = &s->attr;
  GByteArray *batch = s->scratch;

  if (s->scratch->len == 0)
    return TRUE;
  if (s->repairer != NULL)
    {
      /* fp+repair: the samples are written with their repaired chains and
       * without registers and stack copies */
      g_byte_array_set_size (s->repaired, 0);
      scorch_leaf_repairer_process (s->repairer, s->scratch->data, s->scratch->len, s->repaired);
      attr = scorch_leaf_repairer_get_written_attr (s->repairer);
      batch = s->repaired;
      g_byte_array_set_size (s->scratch, 0);
      if (batch->len == 0)
        return TRUE;
    }
  if (!scorch_perf_writer_add_records (s->writer, batch->data, batch->len, error))
    return FALSE;
  if (self->sink != NULL || self->attrs_sink != NULL)
    _scorch_recorder_sink_batch (s, attr, batch->data, batch->len);   /* scorch-record-off-cpu.c */
  g_byte_array_set_size (batch, 0);
  return scorch_perf_writer_finish_round (s->writer, error);
}

static gboolean
drain_all (ScorchRecordSession  *s,
           GError              **error)
{
  for (guint i = 0; i < s->rings->len; i++)
    drain_ring (s, &g_array_index (s->rings, ScorchRecordRing, i));
  return write_batch (s, error);
}

static gboolean
emit_progress_cb (gpointer data)
{
  ScorchRecorder *self = data;
  ScorchRecorderProgress progress;

  scorch_mutex_lock (&self->lock);
  progress = self->progress;
  self->progress_pending = FALSE;
  scorch_mutex_unlock (&self->lock);

  g_signal_emit (self, signals[PROGRESS], 0, &progress);
  return G_SOURCE_REMOVE;
}

static void
update_progress (ScorchRecordSession *s,
                 gboolean             force)
{
  ScorchRecorder *self = s->self;
  gint64 now = g_get_monotonic_time ();
  gboolean schedule;

  if (!force && now - s->last_progress < PROGRESS_INTERVAL_US)
    return;
  s->last_progress = now;

  scorch_mutex_lock (&self->lock);
  self->progress.elapsed = s->start_time ? (now - s->start_time) / (double) G_USEC_PER_SEC : 0;
  self->progress.samples = s->samples;
  self->progress.lost = s->lost;
  self->progress.throttled = s->throttled;
  self->progress.bytes = s->writer ? scorch_perf_writer_get_data_size (s->writer) : 0;
  if (s->repairer != NULL)
    {
      ScorchLeafRepairStats st;

      scorch_leaf_repairer_get_stats (s->repairer, &st);
      self->progress.repaired = st.repaired + st.complete;
      self->progress.truncated = st.cut + st.short_copy;
    }
  schedule = !self->progress_pending;
  self->progress_pending = TRUE;
  scorch_mutex_unlock (&self->lock);

  if (schedule)
    scorch_main_context_post (self->context, emit_progress_cb,
                              g_object_ref (self), g_object_unref);
}

static gboolean
run_loop (ScorchRecordSession  *s,
          GError              **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(GArray) pfds = g_array_new (FALSE, TRUE, sizeof (struct pollfd));
  gint64 deadline = self->duration > 0 ? s->start_time + (gint64) (self->duration * G_USEC_PER_SEC) : 0;
  struct pollfd pfd;

  pfd = (struct pollfd) { self->wake_fd, POLLIN, 0 };
  g_array_append_val (pfds, pfd);
  pfd = (struct pollfd) { s->pidfd, POLLIN, 0 };
  g_array_append_val (pfds, pfd);
  for (guint i = 0; i < s->rings->len; i++)
    {
      pfd = (struct pollfd) { g_array_index (s->rings, ScorchRecordRing, i).fd, POLLIN, 0 };
      g_array_append_val (pfds, pfd);
    }

  for (;;)
    {
      struct pollfd *fds = (struct pollfd *) pfds->data;
      int timeout = s->repairer != NULL ? REPAIR_DRAIN_INTERVAL_MS : DRAIN_INTERVAL_MS;
      gint64 now;
      int request;

      if (deadline > 0)
        {
          gint64 left = (deadline - g_get_monotonic_time () + 999) / 1000;
          timeout = CLAMP (left, 0, timeout);
        }

      if (poll (fds, pfds->len, timeout) < 0 && errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "poll: %s", g_strerror (errno));
          return FALSE;
        }

      if (fds[0].revents & POLLIN)
        {
          guint64 v;
          if (read (self->wake_fd, &v, sizeof v) < 0)
            {
              /* EAGAIN: nothing to clear */
            }
        }
      for (guint i = 2; i < pfds->len; i++)
        if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL))
          fds[i].fd = -1;   /* the task has gone; keep draining on the timer */

      if (!drain_all (s, error))
        return FALSE;

      if (_scorch_recorder_target_has_exited (s, fds[1].revents))
        {
          self->stop_reason = SCORCH_STOP_REASON_TARGET_EXITED;
          break;
        }
      now = g_get_monotonic_time ();
      if (deadline > 0 && now >= deadline)
        {
          self->stop_reason = SCORCH_STOP_REASON_DURATION;
          break;
        }
      request = g_atomic_int_get (&self->stop_request);
      if (request != SCORCH_STOP_REASON_NONE)
        {
          self->stop_reason = request;
          break;
        }
      update_progress (s, FALSE);
    }
  return TRUE;
}

static gboolean
start_writer (ScorchRecordSession  *s,
              GError              **error)
{
  ScorchRecorder *self = s->self;

  if (self->output_stream != NULL)
    s->writer = scorch_perf_writer_new (self->output_stream, self->output_path);
  else
    {
      s->writer = scorch_perf_writer_new_for_path (self->output_path, error);
      if (s->writer == NULL)
        return FALSE;
    }

  if (self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR)
    {
      s->repairer = scorch_leaf_repairer_new (&s->attr);
      s->repaired = g_byte_array_sized_new (1024 * 1024);
    }
  scorch_perf_writer_add_attr (s->writer,
                               s->repairer != NULL ? scorch_leaf_repairer_get_written_attr (s->repairer) : &s->attr,
                               s->event_name,
                               (const guint64 *) s->ids->data, s->ids->len);
  _scorch_recorder_add_off_cpu_attr (s);
  if (self->cmdline != NULL)
    scorch_perf_writer_set_cmdline (s->writer, (const char * const *) self->cmdline);
  else if (self->system_wide)
    {
      const char *argv[] = { "scorch", "record", "-a", NULL };
      scorch_perf_writer_set_cmdline (s->writer, argv);
    }
  else if (self->argv != NULL)
    scorch_perf_writer_set_cmdline (s->writer, (const char * const *) self->argv);
  else
    {
      g_autofree char *pid = g_strdup_printf ("%d", (int) self->pid);
      const char *argv[] = { "scorch", "record", "-p", pid, NULL };
      scorch_perf_writer_set_cmdline (s->writer, argv);
    }
  return scorch_perf_writer_begin (s->writer, error);
}

/* Whether the output path is, or would be, a plain file we may remove
 * again when the recording never starts. */
static gboolean
output_is_ours (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return errno == ENOENT;
  return S_ISREG (st.st_mode);
}

static gboolean
record (ScorchRecordSession  *s,
        GError              **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(GError) loop_error = NULL;
  g_autoptr(GError) finish_error = NULL;
  gboolean started = FALSE;
  gboolean keep_output = self->output_stream != NULL; /* not our file to remove */

  /* The target first: a bad one is the error to report, not permissions. */
  if (self->system_wide)
    ;   /* reach: no target */
  else if (s->launch ? !_scorch_recorder_resolve_program (s, error) : !_scorch_recorder_check_process (s, error))
    return FALSE;
  if (!_scorch_recorder_setup_attr (s, error))
    return FALSE;
  if (!_scorch_recorder_setup_off_cpu (s, error))
    return FALSE;
  if (s->launch && !_scorch_recorder_spawn_gated (s, error))
    return FALSE;

  if (!_scorch_recorder_open_events (s, error))
    goto fail;
  if (!keep_output && !output_is_ours (self->output_path))
    keep_output = TRUE;
  if (!start_writer (s, error))
    goto fail;

  if (!s->attr.exclude_kernel)
    _scorch_recorder_synthesize_kernel_map (s->scratch, scorch_perf_id_header_size (&s->attr));

  if (!s->launch)
    {
      /* reach: -a synthesizes every process */
      g_autoptr(GByteArray) synth = self->system_wide ? _scorch_recorder_synthesize_system (s)
                                                      : _scorch_recorder_synthesize_process (s);

      g_byte_array_append (s->scratch, synth->data, synth->len);
      if (!write_batch (s, error))
        goto fail;
      s->start_time = g_get_monotonic_time ();
      _scorch_recorder_set_enabled (s, TRUE);
    }
  else
    {
      if (!write_batch (s, error))
        goto fail;
      s->start_time = g_get_monotonic_time ();
      /* reach: per-CPU events have no enable_on_exec; the gated child
       * has not run a line of its own yet */
      if (s->cpu_wide)
        _scorch_recorder_set_enabled (s, TRUE);
      if (!_scorch_recorder_release_child (s, error))
        goto fail;
    }
  started = TRUE;
  update_progress (s, TRUE);

  if (!run_loop (s, &loop_error))
    self->stop_reason = SCORCH_STOP_REASON_ERROR;

  /* Stop counting, take what is left, end the child if we started it. */
  _scorch_recorder_set_enabled (s, FALSE);
  if (loop_error == NULL)
    drain_all (s, &loop_error);
  if (s->launch)
    _scorch_recorder_reap_child (s, TRUE);

  if (s->repairer != NULL)
    {
      ScorchLeafRepairStats st;
      guint64 user;

      scorch_leaf_repairer_get_stats (s->repairer, &st);
      user = st.samples - st.no_user;
      if (user > 0)
        _scorch_recorder_add_message (self, g_strdup_printf (_("Leaf repair: %.1f %% of the stacks had their leaf’s caller restored, "
                                              "%.1f %% were cut short (%.1f %% because the %u-byte stack copy was too small), "
                                              "%.1f %% had no CFI at the leaf"),
                                            100.0 * (st.repaired + st.complete) / user,
                                            100.0 * (st.cut + st.short_copy) / user,
                                            100.0 * st.short_copy / user,
                                            (guint) s->attr.sample_stack_user,
                                            100.0 * st.no_cfi / user));
    }

  /* What only Scorch knows goes into its feature section, written with
   * the final header. (A new call-graph mode names itself here.) */
  if (s->launch)
    scorch_perf_writer_set_exit_status (s->writer, self->exit_status);
  {
    g_autofree char *mode = self->call_graph == SCORCH_CALL_GRAPH_DWARF
                            ? g_strdup_printf ("dwarf,%u", (guint) s->attr.sample_stack_user)
                            : self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR
                            ? g_strdup_printf ("fp+repair,%u", (guint) s->attr.sample_stack_user)
                            : g_strdup ("fp");

    scorch_perf_writer_set_call_graph (s->writer, mode);
  }
  /* reach: the diagnostics say what a broker's capture cannot repair */
  scorch_capture_notes_set_string (scorch_perf_writer_get_notes (s->writer), SCORCH_CAPTURE_NOTE_RECORDED_VIA,
                                   self->via_used == SCORCH_RECORD_VIA_SYSPROFD ? "sysprofd" : "direct");

  if (!scorch_perf_writer_finish (s->writer, &finish_error) && loop_error == NULL)
    loop_error = g_steal_pointer (&finish_error);

  scorch_mutex_lock (&self->lock);
  self->progress.elapsed = (g_get_monotonic_time () - s->start_time) / (double) G_USEC_PER_SEC;
  scorch_mutex_unlock (&self->lock);
  update_progress (s, TRUE);

  if (loop_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&loop_error));
      return FALSE;
    }
  return TRUE;

fail:
  if (s->launch && s->target > 0 && !s->reaped)
    {
      if (s->gate_fd >= 0)
        {
          close (s->gate_fd);   /* the child exits without exec */
          s->gate_fd = -1;
        }
      _scorch_recorder_reap_child (s, started);
    }
  if (s->writer != NULL)
    {
      scorch_perf_writer_finish (s->writer, NULL);
      /* Nothing was recorded yet (exec failed, full disk, ...): leave no
       * empty capture behind; but never remove what is not a plain file
       * (-o /dev/null). */
      if (!started && !keep_output && output_is_ours (self->output_path))
        g_unlink (self->output_path);
    }
  return FALSE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  request_stop (SCORCH_RECORDER (data), SCORCH_STOP_REASON_CANCELLED);
}

static gboolean
drop_task_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static gpointer
worker (gpointer data)
{
  GTask *task = data;
  ScorchRecordSession *s = g_task_get_task_data (task);
  ScorchRecorder *self = s->self;
  GMainContext *context;
  GError *error = NULL;
  gboolean ok;
  gulong cancel_id = 0;
  sigset_t pipe_set;

  /* A write to the gate of a child that died early must fail with EPIPE,
   * not kill the process; thread-directed, so only this thread blocks it. */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, NULL);

  if (s->cancellable != NULL)
    cancel_id = g_cancellable_connect (s->cancellable, G_CALLBACK (on_cancelled), self, NULL);
  ok = record (s, &error);
  if (cancel_id != 0)
    g_cancellable_disconnect (s->cancellable, cancel_id);

  scorch_mutex_lock (&self->lock);
  self->running = FALSE;
  scorch_mutex_unlock (&self->lock);

  /* Before the task returns: after that, a new recording may replace it. */
  context = g_main_context_ref (self->context);
  /* what this thread did, to scorch_recorder_record_finish (TSan) */
  scorch_tsan_release (self);
  if (!ok)
    g_task_return_error (task, error);
  else if (self->stop_reason == SCORCH_STOP_REASON_CANCELLED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The recording was cancelled"));
  else
    g_task_return_boolean (task, TRUE);
  /* The task holds the session and the recorder (its source object): the
   * last reference must not be dropped here, or the recorder and its sink
   * data could be finalized on this thread once the caller has let go. */
  scorch_main_context_post (context, drop_task_cb, task, g_object_unref);
  g_main_context_unref (context);
  return NULL;
}

void
scorch_recorder_record_async (ScorchRecorder      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ScorchRecordSession *s;
  gboolean busy;

  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, scorch_recorder_record_async);

  scorch_mutex_lock (&self->lock);
  busy = self->running;
  if (!busy)
    {
      self->running = TRUE;
      memset (&self->progress, 0, sizeof self->progress);
      self->progress_pending = FALSE;
    }
  scorch_mutex_unlock (&self->lock);

  if (busy)
    {
      g_task_return_new_error (task, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_BUSY,
                               _("This recorder is already recording"));
      return;
    }

  if ((self->argv == NULL || self->argv[0] == NULL) && self->pid <= 0 && !self->system_wide)
    {
      self->running = FALSE;
      g_task_return_new_error (task, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                               _("Nothing to record: give a program to run or a PID"));
      return;
    }
  if (self->output_stream == NULL && (self->output_path == NULL || self->output_path[0] == '\0'))
    {
      self->running = FALSE;
      g_task_return_new_error (task, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                               _("No output file given"));
      return;
    }

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_atomic_int_set (&self->stop_request, SCORCH_STOP_REASON_NONE);
  self->stop_reason = SCORCH_STOP_REASON_NONE;
  self->child_pid = 0;
  self->exit_status = -1;
  g_ptr_array_set_size (self->messages, 0);
  g_ptr_array_add (self->messages, NULL);

  s = g_new0 (ScorchRecordSession, 1);
  s->self = self;
  s->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  s->launch = !self->system_wide && self->argv != NULL && self->argv[0] != NULL;
  self->via_used = SCORCH_RECORD_VIA_AUTO;
  s->pidfd = -1;
  s->gate_fd = -1;
  s->err_fd = -1;
  s->scratch = g_byte_array_sized_new (1024 * 1024);
  g_task_set_task_data (task, s, (GDestroyNotify) session_free);

  /* Drain any stale wakeup from a previous run. */
  {
    guint64 v;
    if (read (self->wake_fd, &v, sizeof v) < 0)
      {
        /* nothing pending */
      }
  }

  g_thread_unref (g_thread_new ("scorch-recorder", worker, g_steal_pointer (&task)));
}

gboolean
scorch_recorder_record_finish (ScorchRecorder  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  scorch_tsan_acquire (self);
  return g_task_propagate_boolean (G_TASK (result), error);
}

