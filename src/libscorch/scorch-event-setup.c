/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-event-setup.c: the recorder's perf events: the attribute (event,
 * frequency, call graph, kernel), one event and ring buffer per CPU or per
 * thread, enabling them */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <dirent.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "scorch-perf-file.h"
#include "scorch-recorder-private.h"
#include "scorch-util.h"

static GArray *
online_cpus (void)
{
  g_autofree char *contents = NULL;
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (int));

  if (g_file_get_contents ("/sys/devices/system/cpu/online", &contents, NULL, NULL))
    {
      g_auto(GStrv) ranges = g_strsplit (g_strstrip (contents), ",", -1);

      for (guint i = 0; ranges[i] != NULL; i++)
        {
          char *end = NULL;
          int first = strtol (ranges[i], &end, 10);
          int last = first;

          if (end == ranges[i])
            continue;
          if (*end == '-')
            last = strtol (end + 1, NULL, 10);
          for (int c = first; c <= last && c - first < 4096; c++)
            g_array_append_val (cpus, c);
        }
    }
  if (cpus->len == 0)
    for (int c = 0; c < get_nprocs (); c++)
      g_array_append_val (cpus, c);
  return cpus;
}

GArray *
_scorch_recorder_list_tids (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task", (int) pid);
  GArray *tids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  DIR *dir = opendir (path);
  struct dirent *de;

  if (dir == NULL)
    return tids;
  while ((de = readdir (dir)) != NULL)
    {
      pid_t tid = atoi (de->d_name);
      if (tid > 0)
        g_array_append_val (tids, tid);
    }
  closedir (dir);
  return tids;
}

gboolean
_scorch_recorder_setup_attr (ScorchRecordSession  *s,
                             GError              **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
  struct perf_event_attr *attr = &s->attr;
  gboolean privileged;

  /* reach: directly or through sysprofd (scorch-record-reach.c) */
  if (!_scorch_recorder_choose_path (s, perms, error))
    return FALSE;

  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;

  if (g_strcmp0 (self->event, "cpu-clock") == 0)
    {
      attr->type = PERF_TYPE_SOFTWARE;
      attr->config = PERF_COUNT_SW_CPU_CLOCK;
      s->event_name = "cpu-clock";
    }
  else if (g_strcmp0 (self->event, "task-clock") == 0)
    {
      attr->type = PERF_TYPE_SOFTWARE;
      attr->config = PERF_COUNT_SW_TASK_CLOCK;
      s->event_name = "task-clock";
    }
  else if (g_strcmp0 (self->event, "cycles") == 0 || g_strcmp0 (self->event, "cpu-cycles") == 0)
    {
      attr->type = PERF_TYPE_HARDWARE;
      attr->config = PERF_COUNT_HW_CPU_CYCLES;
      s->event_name = "cycles";
    }
  else
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                   _("Unknown event “%s” (known: cpu-clock, task-clock, cycles)"), self->event);
      return FALSE;
    }

  if (self->period > 0)
    attr->sample_period = self->period;
  else
    {
      int max_rate = _scorch_recorder_read_int_file ("/proc/sys/kernel/perf_event_max_sample_rate", 100000);
      guint hz = self->frequency ? self->frequency : SCORCH_RECORDER_DEFAULT_FREQUENCY;

      if (max_rate > 0 && hz > (guint) max_rate)
        {
          _scorch_recorder_add_message (self, g_strdup_printf (_("Frequency %u Hz is above kernel.perf_event_max_sample_rate; "
                                                "recording at %d Hz"), hz, max_rate));
          hz = max_rate;
        }
      attr->freq = 1;
      attr->sample_freq = hz;
    }

  attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                      PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN;
  if (self->call_graph == SCORCH_CALL_GRAPH_DWARF || self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR)
    {
      gboolean repair = self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR;
      guint stack = self->stack_size;

      if (stack == 0)
        stack = repair ? SCORCH_RECORDER_DEFAULT_REPAIR_STACK_SIZE : SCORCH_RECORDER_DEFAULT_STACK_SIZE;
      if (stack % 8 != 0 || stack < 8 || stack > 65528)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                       _("Stack copy size %u is invalid: use a multiple of 8 up to 65528"), stack);
          return FALSE;
        }
#if !defined(__x86_64__)
      if (repair)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_INVALID,
                       _("Frame-pointer leaf repair is only available on x86_64: use fp or dwarf"));
          return FALSE;
        }
#endif
      attr->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
      attr->sample_stack_user = stack;
      if (repair)
        {
          /* BP, SP, IP next to the kernel's callchain */
          attr->sample_regs_user = SCORCH_LEAF_REPAIR_REGS_MASK;
        }
      else
        {
          attr->sample_regs_user = SCORCH_PERF_REGS_USER_X86_64;
          attr->exclude_callchain_user = 1;
          attr->mmap_data = 1;
        }
    }

  attr->disabled = 1;
  attr->inherit = 1;
  attr->enable_on_exec = s->launch ? 1 : 0;
  attr->mmap = 1;
  attr->mmap2 = 1;
  attr->comm = 1;
  attr->comm_exec = 1;
  attr->task = 1;
  attr->sample_id_all = 1;
  attr->exclude_hv = 1;
  attr->build_id = 1;
  attr->watermark = 1;

  if (!self->kernel)
    attr->exclude_kernel = 1;
  else if (!perms->can_kernel && s->sysprofd == NULL)   /* reach: sysprofd records them */
    {
      attr->exclude_kernel = 1;
      _scorch_recorder_add_message (self, g_strdup_printf ("%s\n  %s", perms->message, perms->command));
    }

  /* ScorchRecordRing buffer: perf_event_mlock_kb per CPU unless privileged. */
  privileged = perms->cap_sys_admin || perms->cap_perfmon ||
               ((_scorch_recorder_read_cap_eff () >> CAP_IPC_LOCK_BIT) & 1) || perms->paranoid < 0;
  if (privileged)
    s->ring_pages = self->call_graph != SCORCH_CALL_GRAPH_FP ? 1024 : 256;
  else
    {
      int kb = _scorch_recorder_read_int_file ("/proc/sys/kernel/perf_event_mlock_kb", 516);
      gsize pages = MAX (kb / 4 - 1, 1);

      s->ring_pages = 1;
      while (s->ring_pages * 2 <= pages && s->ring_pages < 1024)
        s->ring_pages *= 2;
    }
  /* fp+repair fills the rings several times faster: wake earlier */
  attr->wakeup_watermark = s->ring_pages * sysconf (_SC_PAGESIZE) /
                           (self->call_graph == SCORCH_CALL_GRAPH_FP_REPAIR ? 8 : 4);
  /* reach: what per-CPU events and the broker allow */
  _scorch_recorder_adapt_attr_to_path (s);
  return TRUE;
}

static int
open_one (ScorchRecordSession  *s,
          pid_t                 tid,
          int                   cpu,
          gboolean              first,
          GError              **error)
{
  ScorchRecorder *self = s->self;
  int fd;

  for (;;)
    {
      if (s->sysprofd != NULL)   /* reach: through the broker */
        return _scorch_recorder_perf_event_open (s, tid, cpu, error);
      fd = _scorch_recorder_perf_event_open (s, tid, cpu, NULL);
      if (fd >= 0)
        return fd;
      if (errno == EMFILE)
        {
          /* One event per thread and CPU: many threads need many fds (perf does the same). */
          struct rlimit rl;

          if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
            {
              rl.rlim_cur = rl.rlim_max;
              if (setrlimit (RLIMIT_NOFILE, &rl) == 0)
                continue;
            }
          errno = EMFILE;
        }
      if (!first)
        break;

      if (errno == EINVAL && s->attr.build_id)
        {
          s->attr.build_id = 0;   /* kernel < 5.12 */
          continue;
        }
      if (s->attr.type == PERF_TYPE_HARDWARE &&
          (errno == ENOENT || errno == EOPNOTSUPP || errno == ENODEV || errno == EINVAL))
        {
          _scorch_recorder_add_message (self, g_strdup (_("The “cycles” hardware event is not available here; "
                                         "recorded “cpu-clock” instead")));
          s->attr.type = PERF_TYPE_SOFTWARE;
          s->attr.config = PERF_COUNT_SW_CPU_CLOCK;
          s->event_name = "cpu-clock";
          continue;
        }
      if ((errno == EACCES || errno == EPERM) && !s->attr.exclude_kernel)
        {
          int paranoid = _scorch_recorder_read_int_file ("/proc/sys/kernel/perf_event_paranoid", 2);

          _scorch_recorder_add_message (self, g_strdup_printf (_("Kernel stacks are not recorded: the kernel refused them "
                                                "(kernel.perf_event_paranoid is %d).\n  %s"),
                                              paranoid, "sudo sysctl kernel.perf_event_paranoid=1"));
          s->attr.exclude_kernel = 1;
          continue;
        }
      break;
    }

  if (errno == ESRCH)
    {
      if (first)
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                     _("Process %d has gone"), (int) tid);
      else
        g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                     _("Thread %d has gone"), (int) tid);
    }
  else if (errno == EACCES || errno == EPERM)
    {
      g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                   _("Not allowed to record process %d: %s (kernel.perf_event_paranoid is %d; "
                     "allow with “sudo sysctl kernel.perf_event_paranoid=1” or CAP_PERFMON, "
                     "and CAP_SYS_PTRACE for other users' processes)"),
                   (int) tid, g_strerror (errno), perms->paranoid);
    }
  else
    g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
                 _("Cannot open the “%s” event on CPU %d: %s"), s->event_name, cpu, g_strerror (errno));
  return -1;
}

static gboolean
map_ring (ScorchRecordSession  *s,
          int                   fd,
          ScorchRecordRing     *ring,
          GError              **error)
{
  long page_size = sysconf (_SC_PAGESIZE);

  for (gsize pages = s->ring_pages; pages >= 1; pages /= 2)
    {
      gsize size = (pages + 1) * page_size;
      void *base = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

      if (base != MAP_FAILED)
        {
          ring->fd = fd;
          ring->base = base;
          ring->map_size = size;
          ring->page = base;
          ring->data = (guint8 *) base + page_size;
          ring->size = pages * page_size;
          s->ring_pages = pages;
          return TRUE;
        }
      if (errno != EPERM && errno != ENOMEM)
        break;
    }
  g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
               _("Cannot map the sample buffer: %s (raise kernel.perf_event_mlock_kb)"),
               g_strerror (errno));
  return FALSE;
}

static void
track_fd (ScorchRecordSession *s,
          int                  fd)
{
  guint64 id = 0;

  g_array_append_val (s->fds, fd);
  if (ioctl (fd, PERF_EVENT_IOC_ID, &id) == 0)
    g_array_append_val (s->ids, id);
}

/* Opens one event per CPU for tid; the first thread's events own the rings. */
static gboolean
open_thread (ScorchRecordSession  *s,
             pid_t                 tid,
             gboolean              first,
             GError              **error)
{
  for (guint i = 0; i < s->cpus->len; i++)
    {
      int cpu = g_array_index (s->cpus, int, i);
      int fd = open_one (s, tid, cpu, first && i == 0, error);

      if (fd < 0)
        return FALSE;
      track_fd (s, fd);

      if (first)
        {
          ScorchRecordRing ring = { 0 };

          if (!map_ring (s, fd, &ring, error))
            return FALSE;
          g_array_append_val (s->rings, ring);
        }
      else if (ioctl (fd, PERF_EVENT_IOC_SET_OUTPUT, g_array_index (s->rings, ScorchRecordRing, i).fd) != 0)
        {
          g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
                       _("Cannot share the sample buffer of CPU %d: %s"), cpu, g_strerror (errno));
          return FALSE;
        }
      /* --off-cpu: the switch event of this thread and CPU, same ring */
      if (!_scorch_recorder_open_off_cpu (s, tid, cpu, g_array_index (s->rings, ScorchRecordRing, i).fd, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean open_attached (ScorchRecordSession  *s,
                               GError              **error);

gboolean
_scorch_recorder_open_events (ScorchRecordSession  *s,
                              GError              **error)
{
  s->cpus = online_cpus ();
  s->fds = g_array_new (FALSE, FALSE, sizeof (int));
  s->ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  s->rings = g_array_new (FALSE, TRUE, sizeof (ScorchRecordRing));

  /* reach: one event per CPU for every task (system-wide, or the broker,
   * filtered to the target); in auto mode a direct refusal tries the broker */
  if (!s->cpu_wide)
    {
      g_autoptr(GError) direct_error = NULL;

      if (s->launch ? open_thread (s, s->target, TRUE, &direct_error) : open_attached (s, &direct_error))
        return TRUE;
      if (s->fds->len > 0 || !_scorch_recorder_fall_back_to_broker (s, direct_error, error))
        {
          if (error != NULL && *error == NULL)
            g_propagate_error (error, g_steal_pointer (&direct_error));
          return FALSE;
        }
    }
  return open_thread (s, -1, TRUE, error);
}

static gboolean
open_attached (ScorchRecordSession  *s,
               GError              **error)
{
  /* Attach: every thread, then the ones that started meanwhile. */
  s->tids = g_hash_table_new (NULL, NULL);
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GArray) tids = _scorch_recorder_list_tids (s->target);

      for (guint i = 0; i < tids->len; i++)
        {
          pid_t tid = g_array_index (tids, pid_t, i);
          g_autoptr(GError) local_error = NULL;

          if (g_hash_table_contains (s->tids, GINT_TO_POINTER (tid)))
            continue;
          if (!open_thread (s, tid, s->rings->len == 0, &local_error))
            {
              if (g_error_matches (local_error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS) &&
                  s->rings->len > 0)
                continue;   /* a thread exited meanwhile */
              if (g_error_matches (local_error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS))
                {
                  g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                               _("Process %d has gone"), (int) s->target);
                  return FALSE;
                }
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_hash_table_add (s->tids, GINT_TO_POINTER (tid));
        }
    }
  if (s->rings->len == 0)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                   _("No process with PID %d"), (int) s->target);
      return FALSE;
    }
  return TRUE;
}

void
_scorch_recorder_set_enabled (ScorchRecordSession *s,
                              gboolean             enabled)
{
  for (guint i = 0; i < s->fds->len; i++)
    ioctl (g_array_index (s->fds, int, i), enabled ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0);
}
