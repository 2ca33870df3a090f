/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-record-off-cpu.c: the recorder's off-CPU events (--off-cpu):
 * sched:sched_switch with callchains beside the sampling event, and
 * context-switch records (attr.context_switch) that say when each thread
 * runs again.  Both events carry PERF_SAMPLE_IDENTIFIER and the same
 * sample_type, so fp+repair repairs the switch-out stacks too and
 * perf report / perf script tell the two events apart. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scorch-off-cpu.h"
#include "scorch-recorder-private.h"

static const char * const tracefs_dirs[] = {
  "/sys/kernel/tracing",
  "/sys/kernel/debug/tracing",
};

static gboolean
read_tracepoint_id (guint64 *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (tracefs_dirs); i++)
    {
      g_autofree char *path = g_build_filename (tracefs_dirs[i], "events", "sched", "sched_switch", "id", NULL);
      g_autofree char *contents = NULL;
      struct stat st;
      char *end = NULL;
      guint64 v;

      if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      v = g_ascii_strtoull (contents, &end, 10);
      if (end == contents || v == 0)
        continue;
      *id = v;
      return TRUE;
    }
  return FALSE;
}

/* The tracepoint's id from tracefs; as root, mounts tracefs where the
 * kernel provides its mount point and nothing is mounted yet (as perf
 * does). */
static gboolean
find_switch_tracepoint (guint64  *id,
                        GError  **error)
{
  if (read_tracepoint_id (id))
    return TRUE;

  if (geteuid () == 0 && g_file_test ("/sys/kernel/tracing", G_FILE_TEST_IS_DIR) &&
      !g_file_test ("/sys/kernel/tracing/events", G_FILE_TEST_EXISTS) &&
      mount ("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
      read_tracepoint_id (id))
    return TRUE;

  if (!g_file_test ("/sys/kernel/tracing/events", G_FILE_TEST_EXISTS) &&
      !g_file_test ("/sys/kernel/debug/tracing/events", G_FILE_TEST_EXISTS))
    g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                 _("Cannot record blocked time: the kernel’s tracing file system is not mounted or not readable "
                   "(/sys/kernel/tracing/events/sched/sched_switch/id).\n  %s"),
                 "sudo mount -t tracefs nodev /sys/kernel/tracing && sudo chmod -R go+rX /sys/kernel/tracing");
  else
    g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                 _("Cannot record blocked time: the id of the sched:sched_switch tracepoint is not readable "
                   "(/sys/kernel/tracing/events/sched/sched_switch/id).\n  %s"),
                 "sudo chmod -R go+rX /sys/kernel/tracing");
  return FALSE;
}

gboolean
_scorch_recorder_setup_off_cpu (ScorchRecordSession  *s,
                                GError              **error)
{
  struct perf_event_attr *sw = &s->switch_attr;
  guint64 id = 0;

  if (!s->self->off_cpu)
    return TRUE;
  if (!find_switch_tracepoint (&id, error))
    return FALSE;

  /* Records of both events must say which one they are. */
  s->attr.sample_type |= PERF_SAMPLE_IDENTIFIER;
  /* PERF_RECORD_SWITCH in/out for each thread: when it runs again */
  s->attr.context_switch = 1;

  *sw = s->attr;
  sw->type = PERF_TYPE_TRACEPOINT;
  sw->config = id;
  sw->freq = 0;
  sw->sample_period = 1;
  /* side-band records come from the sampling event only */
  sw->mmap = sw->mmap2 = sw->comm = sw->comm_exec = sw->task = 0;
  sw->context_switch = 0;
  sw->build_id = 0;
  sw->mmap_data = 0;
  /* A tracepoint fires in the kernel: exclude_kernel would drop every
   * one.  Its callchain is the user part only, so that an off-CPU stack
   * ends in the function that blocked, not in schedule(). */
  sw->exclude_kernel = 0;
  sw->exclude_callchain_kernel = 1;
  sw->watermark = 1;
  sw->wakeup_watermark = s->attr.wakeup_watermark;

  s->switch_ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  return TRUE;
}

/* The switch event of tid on cpu, writing into ring_fd's buffer. */
gboolean
_scorch_recorder_open_off_cpu (ScorchRecordSession  *s,
                               pid_t                 tid,
                               int                   cpu,
                               int                   ring_fd,
                               GError              **error)
{
  guint64 id = 0;
  int fd;

  if (s->switch_ids == NULL)
    return TRUE;

  s->switch_attr.disabled = s->attr.disabled;
  s->switch_attr.enable_on_exec = s->attr.enable_on_exec;
  s->switch_attr.inherit = s->attr.inherit;
  s->switch_attr.sample_type = s->attr.sample_type;
  fd = syscall (SYS_perf_event_open, &s->switch_attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0 && errno == ESRCH)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                   _("Thread %d has gone"), (int) tid);
      return FALSE;
    }
  if (fd < 0)
    {
      int paranoid = _scorch_recorder_read_int_file ("/proc/sys/kernel/perf_event_paranoid", 2);

      if (errno == EACCES || errno == EPERM)
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                     _("Cannot record blocked time: the kernel refused the sched:sched_switch event (%s; "
                       "kernel.perf_event_paranoid is %d, it needs 1 or less, or CAP_PERFMON).\n  %s"),
                     g_strerror (errno), paranoid, "sudo sysctl kernel.perf_event_paranoid=1");
      else
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
                     _("Cannot open the sched:sched_switch event on CPU %d: %s"), cpu, g_strerror (errno));
      return FALSE;
    }
  g_array_append_val (s->fds, fd);
  if (ioctl (fd, PERF_EVENT_IOC_ID, &id) == 0)
    g_array_append_val (s->switch_ids, id);
  if (ioctl (fd, PERF_EVENT_IOC_SET_OUTPUT, ring_fd) != 0)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
                   _("Cannot share the sample buffer of CPU %d: %s"), cpu, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static void
append_file (GByteArray *out,
             const char *dir,
             const char *name,
             gboolean    u64_size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    len = 0;
  if (u64_size)
    {
      guint64 n = len;
      g_byte_array_append (out, (const guint8 *) &n, 8);
    }
  else
    {
      guint32 n = len;
      g_byte_array_append (out, (const guint8 *) &n, 4);
    }
  g_byte_array_append (out, (const guint8 *) contents, len);
}

/* perf's tracing data (tools/perf/util/trace-event-info.c, version 0.6):
 * magic, version, endianness, long and page size, header_page,
 * header_event, no ftrace formats, the sched system with sched_switch's
 * format, no kallsyms, printk formats or saved cmdlines. */
static GBytes *
build_tracing_data (void)
{
  static const guint8 magic[] = { 23, 8, 68, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
  GByteArray *out = g_byte_array_new ();
  const char *dir = NULL;
  guint8 b;
  guint32 u32;
  guint64 zero64 = 0;

  for (guint i = 0; i < G_N_ELEMENTS (tracefs_dirs) && dir == NULL; i++)
    {
      g_autofree char *probe = g_build_filename (tracefs_dirs[i], "events", "header_page", NULL);

      if (g_file_test (probe, G_FILE_TEST_IS_REGULAR))
        dir = tracefs_dirs[i];
    }
  if (dir == NULL)
    dir = tracefs_dirs[0];

  g_byte_array_append (out, magic, sizeof magic);
  g_byte_array_append (out, (const guint8 *) "0.6", 4);
  b = G_BYTE_ORDER == G_BIG_ENDIAN;
  g_byte_array_append (out, &b, 1);
  b = sizeof (long);
  g_byte_array_append (out, &b, 1);
  u32 = sysconf (_SC_PAGESIZE);
  g_byte_array_append (out, (const guint8 *) &u32, 4);

  {
    g_autofree char *events = g_build_filename (dir, "events", NULL);
    g_autofree char *sched = g_build_filename (dir, "events", "sched", "sched_switch", NULL);

    g_byte_array_append (out, (const guint8 *) "header_page", 12);
    append_file (out, events, "header_page", TRUE);
    g_byte_array_append (out, (const guint8 *) "header_event", 13);
    append_file (out, events, "header_event", TRUE);
    u32 = 0;                                   /* ftrace formats */
    g_byte_array_append (out, (const guint8 *) &u32, 4);
    u32 = 1;                                   /* event systems */
    g_byte_array_append (out, (const guint8 *) &u32, 4);
    g_byte_array_append (out, (const guint8 *) "sched", 6);
    u32 = 1;                                   /* events of sched */
    g_byte_array_append (out, (const guint8 *) &u32, 4);
    append_file (out, sched, "format", TRUE);
  }
  u32 = 0;                                     /* kallsyms */
  g_byte_array_append (out, (const guint8 *) &u32, 4);
  g_byte_array_append (out, (const guint8 *) &u32, 4);   /* printk formats */
  g_byte_array_append (out, (const guint8 *) &zero64, 8); /* saved cmdlines */
  return g_byte_array_free_to_bytes (out);
}

/* The switch event's attr as written (fp+repair writes no registers or
 * stack copies). */
static void
switch_written_attr (ScorchRecordSession    *s,
                     struct perf_event_attr *written)
{
  *written = s->switch_attr;
  if (s->repairer != NULL)
    {
      written->sample_type = scorch_leaf_repairer_get_written_attr (s->repairer)->sample_type;
      written->sample_regs_user = 0;
      written->sample_stack_user = 0;
    }
}

/* The switch event's attr in the file, with its ids. */
void
_scorch_recorder_add_off_cpu_attr (ScorchRecordSession *s)
{
  struct perf_event_attr written;

  if (s->switch_ids == NULL)
    return;
  switch_written_attr (s, &written);
  scorch_perf_writer_add_attr (s->writer, &written, SCORCH_OFF_CPU_SWITCH_EVENT,
                               (const guint64 *) (gpointer) s->switch_ids->data, s->switch_ids->len);
  {
    g_autoptr(GBytes) tracing = build_tracing_data ();

    scorch_perf_writer_set_tracing_data (s->writer, tracing);
  }
}

/* The events of the sink's batches as the file has them: the sampling
 * event and, with --off-cpu, sched_switch, with their ids and names. */
static ScorchCaptureAttrs *
sink_attrs (ScorchRecordSession          *s,
            const struct perf_event_attr *written)
{
  if (s->switch_attrs == NULL)
    {
      s->switch_attrs = scorch_capture_attrs_new ();
      scorch_capture_attrs_add (s->switch_attrs, written, sizeof *written,
                                (const guint64 *) (gpointer) s->ids->data, s->ids->len, NULL);
      scorch_capture_attrs_set_name (s->switch_attrs, 0, s->event_name);
      if (s->switch_ids != NULL)
        {
          struct perf_event_attr sw;

          switch_written_attr (s, &sw);
          scorch_capture_attrs_add (s->switch_attrs, &sw, sizeof sw,
                                    (const guint64 *) (gpointer) s->switch_ids->data, s->switch_ids->len, NULL);
          scorch_capture_attrs_set_name (s->switch_attrs, 1, SCORCH_OFF_CPU_SWITCH_EVENT);
        }
    }
  return s->switch_attrs;
}

void
scorch_recorder_set_attrs_sink (ScorchRecorder              *self,
                                ScorchRecorderAttrsSinkFunc  func,
                                gpointer                     user_data,
                                GDestroyNotify               destroy)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));

  /* the plain sink's data and destroy notify, without its function */
  scorch_recorder_set_sink (self, NULL, user_data, destroy);
  self->attrs_sink = func;
}

void
_scorch_recorder_sink_batch (ScorchRecordSession          *s,
                             const struct perf_event_attr *written,
                             const guint8                 *data,
                             gsize                         len)
{
  ScorchRecorder *self = s->self;
  ScorchCaptureAttrs *attrs = sink_attrs (s, written);
  g_autoptr(GByteArray) out = NULL;
  gsize off = 0;

  if (self->attrs_sink != NULL)
    {
      self->attrs_sink (self, attrs, data, len, self->sink_data);
      return;
    }
  if (self->sink == NULL)
    return;
  if (s->switch_ids == NULL)
    {
      self->sink (self, written, data, len, self->sink_data);
      return;
    }

  /* --off-cpu: the plain sink knows the sampling event only */
  out = g_byte_array_sized_new (len);
  while (off < len)
    {
      ScorchRecord record;

      if (!scorch_capture_attrs_parse_record (attrs, data + off, len - off, 0, &record, NULL))
        break;
      if (record.type != PERF_RECORD_SAMPLE || record.attr == NULL ||
          record.attr->attr.type != PERF_TYPE_TRACEPOINT)
        g_byte_array_append (out, data + off, record.size);
      off += record.size;
    }
  self->sink (self, written, out->data, out->len, self->sink_data);
}
