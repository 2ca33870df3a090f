/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-record-reach.c: how far the recorder reaches: which privilege path
 * opens the events (perf_event_open here, or sysprofd after polkit
 * authorization), per-CPU events for the whole system or for a target the
 * broker cannot follow with inherit, and the filter that keeps the target's
 * records from them */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <dirent.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scorch-module.h"
#include "scorch-recorder-private.h"
#include "scorch-sysprofd.h"
#include "scorch-util.h"

void
scorch_recorder_set_via (ScorchRecorder  *self,
                         ScorchRecordVia  via)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);
  self->via = via;
}

void
scorch_recorder_set_system_wide (ScorchRecorder *self,
                                 gboolean        system_wide)
{
  g_return_if_fail (SCORCH_IS_RECORDER (self));
  g_return_if_fail (!self->running);
  self->system_wide = !!system_wide;
}

ScorchRecordVia
scorch_recorder_get_via_used (ScorchRecorder *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORDER (self), SCORCH_RECORD_VIA_AUTO);
  return self->via_used;
}

/* Whether this process may open the events itself. */
static gboolean
direct_allowed (const ScorchRecorderPermissions *perms,
                gboolean                         system_wide)
{
  if (!perms->can_record)
    return FALSE;
  /* every process on a CPU: paranoid <= 0 or CAP_PERFMON/CAP_SYS_ADMIN */
  if (system_wide)
    return perms->cap_perfmon || perms->cap_sys_admin || perms->paranoid <= 0;
  return TRUE;
}

/* The order of _scorch_recorder_choose_path and
 * _scorch_recorder_check_process, from facts alone. */
ScorchRecordVia
scorch_recorder_choose_via (const ScorchRecorderPermissions *perms,
                            ScorchRecordVia                  via,
                            ScorchRecordTarget               target,
                            gboolean                         other_user,
                            gboolean                         host_procs,
                            gboolean                         sysprofd_available)
{
  gboolean system_wide = target == SCORCH_RECORD_TARGET_SYSTEM;

  g_return_val_if_fail (perms != NULL, SCORCH_RECORD_VIA_AUTO);

  /* a launched child is this sandbox's own; attach and -a see the host's */
  host_procs = host_procs && target != SCORCH_RECORD_TARGET_LAUNCH;
  if (host_procs && via != SCORCH_RECORD_VIA_DIRECT && sysprofd_available)
    return SCORCH_RECORD_VIA_SYSPROFD;
  if (host_procs && target == SCORCH_RECORD_TARGET_ATTACH)
    return SCORCH_RECORD_VIA_AUTO;   /* a host PID: only sysprofd reaches it */
  if (target == SCORCH_RECORD_TARGET_ATTACH && other_user && !perms->can_other_users)
    ;   /* another user's process: the kernel refuses it without CAP_SYS_PTRACE */
  else if (via != SCORCH_RECORD_VIA_SYSPROFD && direct_allowed (perms, system_wide))
    return SCORCH_RECORD_VIA_DIRECT;
  if (via != SCORCH_RECORD_VIA_DIRECT && sysprofd_available)
    return SCORCH_RECORD_VIA_SYSPROFD;
  return SCORCH_RECORD_VIA_AUTO;
}

/* The one message when neither path works (_scorch_recorder_no_access_message). */
static char *
no_path_message (ScorchRecorderPermissions *perms,
                 gboolean                   system_wide,
                 gboolean                   broker_reached,
                 const char                *direct_why,
                 const char                *broker_why)
{
  ScorchNoAccess na = {
    .system_wide = system_wide,
    .in_flatpak = scorch_sysprofd_in_flatpak (),
    .paranoid = perms->paranoid,
    .broker_reached = broker_reached,
    .direct_why = direct_why,
    .broker_why = broker_why,
  };

  return _scorch_recorder_no_access_message (&na, TRUE, NULL);
}

static char *
direct_refusal (ScorchRecorderPermissions *perms,
                gboolean                   system_wide)
{
  if (perms->paranoid == G_MININT)
    return g_strdup (_("perf events are not available here (/proc/sys/kernel/perf_event_paranoid cannot be read)"));
  if (!perms->can_record)
    return g_strdup_printf (_("not allowed: kernel.perf_event_paranoid is %d"), perms->paranoid);
  if (system_wide)
    return g_strdup_printf (_("not allowed for other users' processes: kernel.perf_event_paranoid is %d "
                              "and there is no CAP_PERFMON"), perms->paranoid);
  return g_strdup (_("refused by the kernel"));
}

ScorchRecordVia
scorch_recorder_predict_via (ScorchRecordVia     via,
                             ScorchRecordTarget  target,
                             char              **why)
{
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
  g_autoptr(GError) broker_error = NULL;
  g_autofree char *direct_why = NULL;
  gboolean system_wide = target == SCORCH_RECORD_TARGET_SYSTEM;
  gboolean host_procs = target != SCORCH_RECORD_TARGET_LAUNCH &&
                        scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD;
  gboolean available = FALSE;
  ScorchRecordVia path;

  /* the bus is asked only when sysprofd could be the answer */
  if (via != SCORCH_RECORD_VIA_DIRECT)
    available = scorch_sysprofd_available (NULL, &broker_error);
  path = scorch_recorder_choose_via (perms, via, target, FALSE, host_procs, available);
  if (path != SCORCH_RECORD_VIA_AUTO || why == NULL)
    return path;

  if (via == SCORCH_RECORD_VIA_SYSPROFD)
    direct_why = g_strdup (_("not chosen"));
  else if (host_procs && target == SCORCH_RECORD_TARGET_ATTACH)
    direct_why = g_strdup (_("the host's processes are outside this sandbox"));
  else
    direct_why = direct_refusal (perms, system_wide);
  *why = no_path_message (perms, system_wide, FALSE, direct_why,
                          broker_error ? broker_error->message : _("not chosen"));
  return SCORCH_RECORD_VIA_AUTO;
}

static gboolean
use_broker (ScorchRecordSession  *s,
            GError              **error)
{
  if (s->sysprofd == NULL && !scorch_sysprofd_available (&s->sysprofd, error))
    return FALSE;
  s->cpu_wide = TRUE;
  s->self->via_used = SCORCH_RECORD_VIA_SYSPROFD;
  return TRUE;
}

gboolean
_scorch_recorder_choose_path (ScorchRecordSession        *s,
                              ScorchRecorderPermissions  *perms,
                              GError                    **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(GError) broker_error = NULL;
  g_autofree char *direct_why = NULL;
  g_autofree char *msg = NULL;

  s->cpu_wide = self->system_wide;
  /* inside a Flatpak the whole system is the host's: only sysprofd sees it */
  if (self->system_wide && self->via != SCORCH_RECORD_VIA_DIRECT &&
      scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD &&
      use_broker (s, &broker_error))
    {
      s->host_procs = TRUE;
      return TRUE;
    }
  if (s->host_procs)
    return use_broker (s, error);   /* connected by _scorch_recorder_check_host_process */
  g_clear_error (&broker_error);
  if (self->via != SCORCH_RECORD_VIA_SYSPROFD && direct_allowed (perms, self->system_wide) && !s->other_user)
    {
      self->via_used = SCORCH_RECORD_VIA_DIRECT;
      return TRUE;
    }
  if (self->via != SCORCH_RECORD_VIA_DIRECT && use_broker (s, &broker_error))
    return TRUE;

  if (self->via == SCORCH_RECORD_VIA_SYSPROFD)
    direct_why = g_strdup (_("not chosen (--via=sysprofd)"));
  else if (s->other_user && perms->can_record)
    direct_why = g_strdup_printf (_("process %d belongs to another user (recording it needs CAP_SYS_PTRACE)"),
                                  (int) s->target);
  else
    direct_why = direct_refusal (perms, self->system_wide);
  msg = no_path_message (perms, self->system_wide, FALSE, direct_why,
                         broker_error ? broker_error->message : _("not chosen (--via=direct)"));
  g_set_error_literal (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION, msg);
  return FALSE;
}

/* What the broker can open: a period instead of a frequency, no inherit or
 * enable_on_exec (hence per-CPU events filtered to the target, enabled
 * before the child's exec), no mmap2, no user registers or stack copies
 * (hence plain frame-pointer stacks). The recorder's settings are adapted
 * and every change is said. */
void
_scorch_recorder_adapt_attr_to_path (ScorchRecordSession *s)
{
  ScorchRecorder *self = s->self;
  struct perf_event_attr *attr = &s->attr;

  if (s->cpu_wide)
    {
      /* per-CPU events follow every task on their CPU */
      attr->inherit = 0;
      attr->enable_on_exec = 0;
      if (!self->system_wide)
        {
          s->filter = g_hash_table_new (NULL, NULL);
        }
    }
  if (s->sysprofd == NULL)
    return;

  if (attr->freq)
    {
      guint64 hz = MAX (attr->sample_freq, 1);
      /* the clocks count nanoseconds; for cycles assume a 1 GHz order */
      guint64 period = 1000000000 / hz;

      attr->freq = 0;
      attr->sample_period = period;
    }
  if (attr->sample_period < SCORCH_SYSPROFD_MIN_PERIOD)
    {
      _scorch_recorder_add_message (self, g_strdup_printf (_("sysprofd samples at most every %u events: "
                                                             "the period was raised from %" G_GUINT64_FORMAT),
                                                           SCORCH_SYSPROFD_MIN_PERIOD, (guint64) attr->sample_period));
      attr->sample_period = SCORCH_SYSPROFD_MIN_PERIOD;
    }
  if (attr->sample_type & (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER))
    {
      _scorch_recorder_add_message (self, g_strdup (_("Through sysprofd only frame-pointer stacks are recorded "
                                                      "(it copies no registers or stacks): leaf functions without "
                                                      "a frame lose their caller; the report's diagnostics flag them")));
      attr->sample_type &= ~(guint64) (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER);
      attr->sample_regs_user = 0;
      attr->sample_stack_user = 0;
      attr->exclude_callchain_user = 0;
      self->call_graph = SCORCH_CALL_GRAPH_FP;
    }
  if (!self->kernel)
    _scorch_recorder_add_message (self, g_strdup (_("sysprofd always records kernel stacks")));
  /* sysprofd wakes the reader every wakeup_events samples (no watermark) */
  attr->wakeup_events = 16;
  attr->disabled = 1;
  attr->sample_id_all = 1;
  attr->comm = 1;
  attr->mmap = 1;
  attr->task = 1;
  scorch_sysprofd_restrict_attr (attr);
}

static pid_t host_pid_of_child (ScorchRecordSession *s);

/* Launching inside a sandbox through the broker: before the first event
 * (the child is spawned and gated, not yet exec'd), its host PID goes
 * into the filter instead of its PID here. */
static void
resolve_host_child (ScorchRecordSession *s)
{
  pid_t host_pid;

  if (s->host_child_resolved || !s->launch || s->target <= 0 || s->filter == NULL ||
      scorch_sysprofd_get_proc_source () != SCORCH_PROC_SOURCE_SYSPROFD)
    return;
  s->host_child_resolved = TRUE;
  host_pid = host_pid_of_child (s);
  if (host_pid > 0)
    g_hash_table_add (s->filter, GINT_TO_POINTER (host_pid));
  else
    {
      /* the PIDs are the same here (no sandbox), or it cannot be found */
      g_hash_table_add (s->filter, GINT_TO_POINTER (s->target));
      g_debug ("sysprofd does not list the launched program (PID %d here)", (int) s->target);
    }
}

int
_scorch_recorder_perf_event_open (ScorchRecordSession  *s,
                                  pid_t                 tid,
                                  int                   cpu,
                                  GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd;

  if (s->sysprofd == NULL)
    return syscall (SYS_perf_event_open, &s->attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  resolve_host_child (s);

  fd = scorch_sysprofd_perf_event_open (s->sysprofd, &s->attr, tid, cpu, s->cancellable, &local_error);
  if (fd >= 0)
    return fd;
  if (g_dbus_error_is_remote_error (local_error))
    g_dbus_error_strip_remote_error (local_error);
  if (g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    {
      g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
      g_autofree char *why = g_strdup_printf (_("polkit did not authorize it (%s)"), local_error->message);
      g_autofree char *direct_why = s->self->via == SCORCH_RECORD_VIA_SYSPROFD
                                    ? g_strdup (_("not chosen (--via=sysprofd)"))
                                    : direct_refusal (perms, s->self->system_wide);
      g_autofree char *msg = no_path_message (perms, s->self->system_wide, TRUE, direct_why, why);

      g_set_error_literal (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION, msg);
    }
  else
    g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_EVENT,
                 _("sysprofd cannot open the “%s” event on CPU %d: %s"),
                 s->event_name, cpu, local_error->message);
  errno = EPERM;
  return -1;
}

/* auto: the kernel refused what the permissions promised (a sandbox's
 * seccomp filter, an LSM): try the broker before giving up. */
gboolean
_scorch_recorder_fall_back_to_broker (ScorchRecordSession  *s,
                                      GError               *direct_error,
                                      GError              **error)
{
  g_autoptr(GError) broker_error = NULL;

  if (s->self->via != SCORCH_RECORD_VIA_AUTO || s->sysprofd != NULL ||
      !g_error_matches (direct_error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION))
    return FALSE;
  if (!use_broker (s, &broker_error))
    {
      g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
      g_autofree char *msg = no_path_message (perms, s->self->system_wide, FALSE, direct_error->message,
                                              broker_error->message);

      g_set_error_literal (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION, msg);
      return FALSE;
    }
  _scorch_recorder_adapt_attr_to_path (s);
  return TRUE;
}

/* The last PID of a /proc/PID/status' NSpid line (the PID in the
 * innermost namespace), or 0. */
static pid_t
innermost_pid (const char *status)
{
  const char *line = status != NULL ? strstr (status, "\nNSpid:") : NULL;
  g_auto(GStrv) fields = NULL;
  guint n;

  if (line == NULL)
    return 0;
  line += strlen ("\nNSpid:");
  {
    g_autofree char *rest = g_strndup (line, strcspn (line, "\n"));

    fields = g_strsplit_set (g_strstrip (rest), " \t", -1);
  }
  n = g_strv_length (fields);
  while (n > 0 && fields[n - 1][0] == '\0')
    n--;
  return n > 0 ? (pid_t) atoi (fields[n - 1]) : 0;
}

/* A child launched inside a sandbox (its own PID namespace) through the
 * broker: sysprofd's events carry host PIDs.  Its host PID is the one whose
 * NSpid ends in the child's PID here and whose parent's ends in ours; the
 * gated child has not exec'd yet, so it still has this thread's name. */
static pid_t
host_pid_of_child (ScorchRecordSession *s)
{
  g_autoptr(GPtrArray) procs = scorch_sysprofd_get_processes (s->sysprofd, FALSE, s->cancellable, NULL);
  g_autofree char *comm = NULL;

  if (procs == NULL || !g_file_get_contents ("/proc/thread-self/comm", &comm, NULL, NULL))
    return 0;
  g_strchomp (comm);
  for (guint i = 0; i < procs->len; i++)
    {
      ScorchSysprofdProcess *p = g_ptr_array_index (procs, i);
      g_autofree char *path = NULL;
      g_autofree char *status = NULL;
      g_autofree char *parent_status = NULL;
      const char *ppid_line;

      if (strcmp (p->comm, comm) != 0)
        continue;
      path = g_strdup_printf ("/proc/%d/status", (int) p->pid);
      status = scorch_sysprofd_read_proc_text (s->sysprofd, path, s->cancellable, NULL);
      if (innermost_pid (status) != s->target)
        continue;
      ppid_line = strstr (status, "\nPPid:");
      if (ppid_line == NULL)
        continue;
      g_free (path);
      path = g_strdup_printf ("/proc/%d/status", atoi (ppid_line + strlen ("\nPPid:")));
      parent_status = scorch_sysprofd_read_proc_text (s->sysprofd, path, s->cancellable, NULL);
      if (innermost_pid (parent_status) == getpid ())
        return p->pid;
    }
  return 0;
}

/* Keeps, of the records drained from per-CPU events since from, those of
 * the target and the processes it forks. */
void
_scorch_recorder_filter_records (ScorchRecordSession *s,
                                 GByteArray          *batch,
                                 gsize                from)
{
  gsize in = from, out = from;

  if (s->filter == NULL)
    return;
  if (s->host_child_resolved)
    ;   /* the child's host PID is in the filter (resolve_host_child) */
  else if (s->target > 0)
    g_hash_table_add (s->filter, GINT_TO_POINTER (s->target));   /* spawned after the setup */
  if (s->attrs == NULL)
    {
      s->attrs = scorch_capture_attrs_new ();
      scorch_capture_attrs_add (s->attrs, &s->attr, sizeof s->attr, NULL, 0, NULL);
    }

  while (in < batch->len)
    {
      struct perf_event_header header;
      ScorchRecord record;
      gboolean keep = TRUE;

      if (!scorch_perf_record_parse_header (batch->data + in, batch->len - in, 0, &header, NULL))
        break;
      if (scorch_capture_attrs_parse_record (s->attrs, batch->data + in, header.size, 0, &record, NULL))
        {
          switch (header.type)
            {
            case PERF_RECORD_FORK:
              {
                ScorchPerfTask task;

                if (!scorch_perf_record_get_task (&record, &task, NULL))
                  break;
                if (g_hash_table_contains (s->filter, GINT_TO_POINTER (task.ppid)))
                  g_hash_table_add (s->filter, GINT_TO_POINTER (task.pid));
                keep = g_hash_table_contains (s->filter, GINT_TO_POINTER (task.pid));
              }
              break;
            case PERF_RECORD_EXIT:
              {
                ScorchPerfTask task;

                /* host_procs: the target's PID is not in this PID namespace,
                 * so its exit is seen here */
                if (scorch_perf_record_get_task (&record, &task, NULL) &&
                    s->host_procs && task.pid == s->target && task.tid == s->target)
                  s->target_exited = TRUE;
                keep = record.pid < 0 || g_hash_table_contains (s->filter, GINT_TO_POINTER (record.pid));
              }
              break;
            case PERF_RECORD_LOST:
            case PERF_RECORD_LOST_SAMPLES:
            case PERF_RECORD_THROTTLE:
            case PERF_RECORD_UNTHROTTLE:
              break;
            default:
              keep = record.pid < 0 || g_hash_table_contains (s->filter, GINT_TO_POINTER (record.pid));
              break;
            }
        }
      if (keep)
        {
          if (out != in)
            memmove (batch->data + out, batch->data + in, header.size);
          out += header.size;
        }
      in += header.size;
    }
  g_byte_array_set_size (batch, out);
}

/* Every process's threads and maps, as perf record -a synthesizes them. */
GByteArray *
_scorch_recorder_synthesize_system (ScorchRecordSession *s)
{
  GByteArray *all = g_byte_array_new ();
  DIR *dir;
  struct dirent *de;

  if (s->host_procs)
    {
      /* the host's processes, as sysprofd lists them: names and maps of
       * all in one call (a call per file takes seconds on a busy machine) */
      g_autoptr(GPtrArray) procs = scorch_sysprofd_get_processes (s->sysprofd, TRUE, s->cancellable, NULL);

      s->host_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (guint i = 0; procs != NULL && i < procs->len; i++)
        {
          ScorchSysprofdProcess *p = g_ptr_array_index (procs, i);

          g_hash_table_insert (s->host_files, g_strdup_printf ("/proc/%d/task/%d/comm", p->pid, p->pid),
                               g_strdup_printf ("%s\n", p->comm));
          g_hash_table_insert (s->host_files, g_strdup_printf ("/proc/%d/maps", p->pid),
                               g_strdup (p->maps != NULL ? p->maps : ""));
          /* no status: the parent PID is unknown (0) */
          g_hash_table_insert (s->host_files, g_strdup_printf ("/proc/%d/status", p->pid), NULL);
        }
      for (guint i = 0; procs != NULL && i < procs->len; i++)
        {
          ScorchSysprofdProcess *p = g_ptr_array_index (procs, i);
          g_autoptr(GByteArray) one = _scorch_recorder_synthesize_pid (s, p->pid);

          g_byte_array_append (all, one->data, one->len);
        }
      g_clear_pointer (&s->host_files, g_hash_table_unref);
      return all;
    }
  dir = opendir ("/proc");
  if (dir == NULL)
    return all;
  while ((de = readdir (dir)) != NULL)
    {
      char *end = NULL;
      long pid = strtol (de->d_name, &end, 10);
      g_autoptr(GByteArray) one = NULL;

      if (end == de->d_name || *end != '\0' || pid <= 0 || pid > G_MAXINT32)
        continue;
      one = _scorch_recorder_synthesize_pid (s, (pid_t) pid);
      g_byte_array_append (all, one->data, one->len);
    }
  closedir (dir);
  return all;
}

/* A /proc file, read here or (another user's, when the broker is used)
 * through sysprofd's GetProcFile. NUL-terminated, or NULL. */
char *
_scorch_recorder_read_proc_file (ScorchRecordSession *s,
                                 const char          *path)
{
  char *contents = NULL;

  if (s->host_files != NULL && g_hash_table_contains (s->host_files, path))
    return g_strdup (g_hash_table_lookup (s->host_files, path));
  /* host_procs: this /proc is another PID namespace's; never read it */
  if (!s->host_procs && g_file_get_contents (path, &contents, NULL, NULL))
    return contents;
  if (s->sysprofd == NULL)
    return NULL;
  return scorch_sysprofd_read_proc_text (s->sysprofd, path, s->cancellable, NULL);
}

/* Attach inside a Flatpak (or SCORCH_PROC_SOURCE=sysprofd): the PID is a
 * host PID, which this /proc and kill() know nothing of (or take for
 * another process of the sandbox).  sysprofd says whether it exists, opens
 * its events (per-CPU, filtered to it) and reads its /proc; its end is
 * seen in the EXIT record (_scorch_recorder_filter_records). */
gboolean
_scorch_recorder_check_host_process (ScorchRecordSession  *s,
                                     GError              **error)
{
  ScorchRecorder *self = s->self;
  g_autoptr(GError) broker_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *status = NULL;

  if (self->via == SCORCH_RECORD_VIA_DIRECT)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION,
                   _("Process %d is a process of the host: from inside the sandbox only sysprofd "
                     "can record it (--via=sysprofd or auto)"), (int) self->pid);
      return FALSE;
    }
  if (s->sysprofd == NULL && !scorch_sysprofd_available (&s->sysprofd, &broker_error))
    {
      g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
      g_autofree char *direct_why = g_strdup_printf (_("process %d is the host's, outside this sandbox"),
                                                     (int) self->pid);
      g_autofree char *msg = no_path_message (perms, FALSE, FALSE, direct_why, broker_error->message);

      g_set_error_literal (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_PERMISSION, msg);
      return FALSE;
    }
  s->host_procs = TRUE;
  path = g_strdup_printf ("/proc/%d/status", (int) self->pid);
  status = self->pid > 0 ? _scorch_recorder_read_proc_file (s, path) : NULL;
  if (status == NULL)
    {
      g_set_error (error, SCORCH_RECORDER_ERROR, SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,
                   _("No process with PID %d"), (int) self->pid);
      return FALSE;
    }
  s->target = self->pid;
  s->pidfd = -1;
  s->other_user = FALSE;   /* sysprofd records any user's */
  return TRUE;
}

/* The threads to synthesize for pid: sysprofd reads files only (no
 * /proc/PID/task listing), so for the host's processes the main thread
 * stands for all (their samples carry the process's name). */
GArray *
_scorch_recorder_list_target_tids (ScorchRecordSession *s,
                                   pid_t                pid)
{
  if (s->host_procs)
    {
      GArray *tids = g_array_new (FALSE, FALSE, sizeof (pid_t));

      g_array_append_val (tids, pid);
      return tids;
    }
  return _scorch_recorder_list_tids (pid);
}

/* The build id (at most 20 bytes) of a host process's file at path, for
 * its synthesized MMAP2: inside a Flatpak the host's file is under
 * /run/host, and the runtime may have another file at path itself.  0
 * for this PID namespace's processes (the writer reads those) or when the
 * file cannot be read. */
guint
_scorch_recorder_host_build_id (ScorchRecordSession *s,
                                const char          *path,
                                guint8              *build_id)
{
  g_autofree char *host_path = NULL;

  if (!s->host_procs || path[0] != '/')
    return 0;
  host_path = scorch_sysprofd_in_flatpak () ? g_strconcat ("/run/host", path, NULL) : g_strdup (path);
  return scorch_module_read_build_id (host_path, build_id, 20);
}

void
_scorch_recorder_reach_free (ScorchRecordSession *s)
{
  g_clear_object (&s->sysprofd);
  g_clear_pointer (&s->filter, g_hash_table_unref);
  g_clear_pointer (&s->host_files, g_hash_table_unref);
}
