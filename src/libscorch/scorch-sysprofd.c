/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-sysprofd.c: perf_event_open and /proc reads through sysprofd */

#include "config.h"

#define G_LOG_DOMAIN "scorch-sysprofd"

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "scorch-sysprofd.h"

/* A call may wait for the user to type a password in the polkit dialog. */
#define CALL_TIMEOUT_MS (5 * 60 * 1000)

gboolean
scorch_sysprofd_in_flatpak (void)
{
  /* SCORCH_FLATPAK_INFO: the file to test instead (tests), as the app's
   * host recorder does */
  const char *path = g_getenv ("SCORCH_FLATPAK_INFO");

  return g_file_test (path != NULL ? path : "/.flatpak-info", G_FILE_TEST_EXISTS);
}

gboolean
scorch_sysprofd_available (GDBusConnection **connection,
                           GError          **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) activatable = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean has_owner = FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &local_error);
  if (bus == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("no system bus (%s)"), local_error->message);
      return FALSE;
    }

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", SCORCH_SYSPROFD_NAME),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  if (!has_owner)
    {
      g_autofree const char **names = NULL;

      activatable = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                 "org.freedesktop.DBus", "ListActivatableNames",
                                                 NULL, G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE,
                                                 -1, NULL, NULL);
      if (activatable != NULL)
        {
          g_autoptr(GVariant) list = g_variant_get_child_value (activatable, 0);

          names = g_variant_get_strv (list, NULL);
          for (guint i = 0; names[i] != NULL && !has_owner; i++)
            has_owner = strcmp (names[i], SCORCH_SYSPROFD_NAME) == 0;
        }
    }
  if (!has_owner)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("sysprofd is not installed (no %s service on the system bus)"),
                   SCORCH_SYSPROFD_NAME);
      return FALSE;
    }
  if (connection != NULL)
    *connection = g_steal_pointer (&bus);
  return TRUE;
}

void
scorch_sysprofd_restrict_attr (struct perf_event_attr *attr)
{
  struct perf_event_attr kept = { 0 };

  kept.size = sizeof kept;
  kept.type = attr->type;
  kept.config = attr->config;
  kept.sample_period = MAX (attr->sample_period, SCORCH_SYSPROFD_MIN_PERIOD);
  kept.sample_type = attr->sample_type;
  kept.disabled = attr->disabled;
  kept.wakeup_events = attr->wakeup_events;
  kept.sample_id_all = attr->sample_id_all;
  kept.comm = attr->comm;
  kept.mmap = attr->mmap;
  kept.task = attr->task;
  kept.exclude_idle = attr->exclude_idle;
  *attr = kept;
}

int
scorch_sysprofd_perf_event_open (GDBusConnection              *connection,
                                 const struct perf_event_attr *attr,
                                 int                           pid,
                                 int                           cpu,
                                 GCancellable                 *cancellable,
                                 GError                      **error)
{
  g_autoptr(GUnixFDList) in_fds = g_unix_fd_list_new ();
  g_autoptr(GUnixFDList) out_fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder options;
  gint32 handle = -1;
  int fd;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "type", g_variant_new_uint32 (attr->type));
  g_variant_builder_add (&options, "{sv}", "config", g_variant_new_uint64 (attr->config));
  g_variant_builder_add (&options, "{sv}", "sample_period", g_variant_new_uint64 (attr->sample_period));
  g_variant_builder_add (&options, "{sv}", "sample_type", g_variant_new_uint64 (attr->sample_type));
  g_variant_builder_add (&options, "{sv}", "disabled", g_variant_new_boolean (attr->disabled));
  g_variant_builder_add (&options, "{sv}", "wakeup_events", g_variant_new_uint32 (attr->wakeup_events));
  g_variant_builder_add (&options, "{sv}", "sample_id_all", g_variant_new_boolean (attr->sample_id_all));
  g_variant_builder_add (&options, "{sv}", "comm", g_variant_new_boolean (attr->comm));
  g_variant_builder_add (&options, "{sv}", "mmap", g_variant_new_boolean (attr->mmap));
  g_variant_builder_add (&options, "{sv}", "task", g_variant_new_boolean (attr->task));
  g_variant_builder_add (&options, "{sv}", "exclude_idle", g_variant_new_boolean (attr->exclude_idle));

  reply = g_dbus_connection_call_with_unix_fd_list_sync (connection, SCORCH_SYSPROFD_NAME, SCORCH_SYSPROFD_PATH,
                                                         SCORCH_SYSPROFD_INTERFACE, "PerfEventOpen",
                                                         g_variant_new ("(@a{sv}iiht)", g_variant_builder_end (&options),
                                                                        (gint32) pid, (gint32) cpu, (gint32) -1,
                                                                        (guint64) PERF_FLAG_FD_CLOEXEC),
                                                         G_VARIANT_TYPE ("(h)"),
                                                         G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                                         CALL_TIMEOUT_MS, in_fds, &out_fds, cancellable, error);
  if (reply == NULL)
    return -1;
  g_variant_get (reply, "(h)", &handle);
  if (out_fds == NULL || handle < 0 || handle >= g_unix_fd_list_get_length (out_fds))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("sysprofd returned no file descriptor"));
      return -1;
    }
  fd = g_unix_fd_list_get (out_fds, handle, error);
  if (fd >= 0)
    fcntl (fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

ScorchProcSource
scorch_sysprofd_get_proc_source (void)
{
  const char *source = g_getenv ("SCORCH_PROC_SOURCE");

  if (g_strcmp0 (source, "sysprofd") == 0)
    return SCORCH_PROC_SOURCE_SYSPROFD;
  if (g_strcmp0 (source, "proc") == 0)
    return SCORCH_PROC_SOURCE_LOCAL;
  return scorch_sysprofd_in_flatpak () ? SCORCH_PROC_SOURCE_SYSPROFD : SCORCH_PROC_SOURCE_LOCAL;
}

static int
compare_pid (gconstpointer a,
             gconstpointer b)
{
  gint32 pa = *(const gint32 *) a, pb = *(const gint32 *) b;

  return (pa > pb) - (pa < pb);
}

GArray *
scorch_sysprofd_list_processes (GDBusConnection  *connection,
                                GCancellable     *cancellable,
                                GError          **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) list = NULL;
  const gint32 *pids;
  gsize n = 0;
  GArray *out;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  reply = g_dbus_connection_call_sync (connection, SCORCH_SYSPROFD_NAME, SCORCH_SYSPROFD_PATH,
                                       SCORCH_SYSPROFD_INTERFACE, "ListProcesses", NULL,
                                       G_VARIANT_TYPE ("(ai)"),
                                       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                       CALL_TIMEOUT_MS, cancellable, error);
  if (reply == NULL)
    return NULL;
  list = g_variant_get_child_value (reply, 0);
  pids = g_variant_get_fixed_array (list, &n, sizeof (gint32));
  out = g_array_sized_new (FALSE, FALSE, sizeof (gint32), n);
  for (gsize i = 0; i < n; i++)
    if (pids[i] > 0)
      g_array_append_val (out, pids[i]);
  g_array_sort (out, compare_pid);
  return out;
}

void
scorch_sysprofd_process_free (ScorchSysprofdProcess *process)
{
  if (process == NULL)
    return;
  g_free (process->comm);
  g_free (process->cmdline);
  g_free (process->maps);
  g_free (process);
}

static int
compare_process (gconstpointer a,
                 gconstpointer b)
{
  const ScorchSysprofdProcess *pa = *(ScorchSysprofdProcess * const *) a;
  const ScorchSysprofdProcess *pb = *(ScorchSysprofdProcess * const *) b;

  return (pa->pid > pb->pid) - (pa->pid < pb->pid);
}

GPtrArray *
scorch_sysprofd_get_processes (GDBusConnection  *connection,
                               gboolean          with_maps,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) list = NULL;
  GPtrArray *out;
  GVariantIter iter;
  GVariant *dict;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  reply = g_dbus_connection_call_sync (connection, SCORCH_SYSPROFD_NAME, SCORCH_SYSPROFD_PATH,
                                       SCORCH_SYSPROFD_INTERFACE, "GetProcessInfo",
                                       g_variant_new ("(s)", with_maps ? "pid,comm,cmdline,maps"
                                                                       : "pid,comm,cmdline"),
                                       G_VARIANT_TYPE ("(aa{sv})"),
                                       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                       CALL_TIMEOUT_MS, cancellable, error);
  if (reply == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) scorch_sysprofd_process_free);
  list = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, list);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL)
    {
      ScorchSysprofdProcess *p = g_new0 (ScorchSysprofdProcess, 1);
      const char *comm = NULL, *cmdline = NULL, *maps = NULL;

      /* a process gone meanwhile lacks fields: a missing pid drops it */
      if (!g_variant_lookup (dict, "pid", "i", &p->pid) || p->pid <= 0)
        {
          scorch_sysprofd_process_free (p);
          g_variant_unref (dict);
          continue;
        }
      g_variant_lookup (dict, "comm", "&s", &comm);
      g_variant_lookup (dict, "cmdline", "&s", &cmdline);
      p->comm = g_strdup (comm != NULL ? comm : "");
      p->cmdline = g_strdup (cmdline != NULL ? cmdline : "");
      if (with_maps && g_variant_lookup (dict, "maps", "&s", &maps))
        p->maps = g_strdup (maps);
      g_strchomp (p->comm);
      g_strchomp (p->cmdline);
      g_ptr_array_add (out, p);
      g_variant_unref (dict);
    }
  g_ptr_array_sort (out, compare_process);
  return out;
}

char *
scorch_sysprofd_read_proc_text (GDBusConnection  *connection,
                                const char       *path,
                                GCancellable     *cancellable,
                                GError          **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize len;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  reply = g_dbus_connection_call_sync (connection, SCORCH_SYSPROFD_NAME, SCORCH_SYSPROFD_PATH,
                                       SCORCH_SYSPROFD_INTERFACE, "GetProcFile",
                                       g_variant_new ("(^ay)", path),
                                       G_VARIANT_TYPE ("(ay)"),
                                       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                       CALL_TIMEOUT_MS, cancellable, error);
  if (reply == NULL)
    return NULL;
  contents = g_variant_get_child_value (reply, 0);
  bytes = g_variant_get_data_as_bytes (contents);
  data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

gint64
scorch_sysprofd_parse_status_uid (const char *status)
{
  const char *line;
  char *end = NULL;
  guint64 uid;

  if (status == NULL)
    return -1;
  line = g_str_has_prefix (status, "Uid:") ? status : strstr (status, "\nUid:");
  if (line == NULL)
    return -1;
  line = strchr (line, ':') + 1;
  while (*line == ' ' || *line == '\t')
    line++;
  uid = g_ascii_strtoull (line, &end, 10);
  if (end == line || uid > G_MAXUINT32)
    return -1;
  return (gint64) uid;
}
