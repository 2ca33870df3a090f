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

GBytes *
scorch_sysprofd_get_proc_file (GDBusConnection *connection,
                               const char      *path,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) contents = NULL;

  reply = g_dbus_connection_call_sync (connection, SCORCH_SYSPROFD_NAME, SCORCH_SYSPROFD_PATH,
                                       SCORCH_SYSPROFD_INTERFACE, "GetProcFile",
                                       g_variant_new ("(^ay)", path),
                                       G_VARIANT_TYPE ("(ay)"),
                                       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                       CALL_TIMEOUT_MS, cancellable, error);
  if (reply == NULL)
    return NULL;
  contents = g_variant_get_child_value (reply, 0);
  return g_variant_get_data_as_bytes (contents);
}
