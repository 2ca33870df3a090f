/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-record-permissions.c: what the current process may record (perf_event_paranoid,
 * capabilities), and how to allow the rest */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <errno.h>
#include <glib/gi18n.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scorch-recorder-private.h"
#include "scorch-util.h"

int
_scorch_recorder_read_int_file (const char *path,
                                int         fallback)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return fallback;
  return atoi (contents);
}

guint64
_scorch_recorder_read_cap_eff (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nCapEff:");
  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("\nCapEff:"), NULL, 16);
}

/* Inside a Flatpak (/.flatpak-info exists), the sandbox's seccomp filter
 * refuses perf_event_open with EPERM unless the app has the “devel”
 * permission, whatever kernel.perf_event_paranoid says: advising a sysctl
 * there is wrong.  Probes with the least event there is (a disabled
 * software dummy event on this process, user space only), which any
 * paranoid level up to 2 allows.  Returns the app id when the sandbox
 * refuses it, else NULL. */
static char *
flatpak_refuses_perf (void)
{
  struct perf_event_attr attr;
  g_autoptr(GKeyFile) info = NULL;
  char *app_id;
  int fd;

  if (!g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return NULL;

  memset (&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_DUMMY;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  fd = syscall (SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd >= 0)
    {
      close (fd);
      return NULL;
    }
  if (errno != EPERM)
    return NULL;

  info = g_key_file_new ();
  app_id = NULL;
  if (g_key_file_load_from_file (info, "/.flatpak-info", G_KEY_FILE_NONE, NULL))
    app_id = g_key_file_get_string (info, "Application", "name", NULL);
  return app_id != NULL ? app_id : g_strdup ("io.github.scorchprof.Scorch");
}

ScorchRecorderPermissions *
scorch_recorder_check_permissions (void)
{
  ScorchRecorderPermissions *perms = g_new0 (ScorchRecorderPermissions, 1);
  guint64 caps = _scorch_recorder_read_cap_eff ();
  gboolean privileged;

  perms->paranoid = _scorch_recorder_read_int_file ("/proc/sys/kernel/perf_event_paranoid", G_MININT);
  perms->cap_perfmon = (caps >> CAP_PERFMON_BIT) & 1;
  perms->cap_sys_admin = (caps >> CAP_SYS_ADMIN_BIT) & 1;
  perms->cap_sys_ptrace = (caps >> CAP_SYS_PTRACE_BIT) & 1;
  privileged = perms->cap_perfmon || perms->cap_sys_admin;

  if (perms->paranoid == G_MININT)
    {
      perms->can_record = FALSE;
      perms->message = g_strdup (_("perf events are not available: /proc/sys/kernel/perf_event_paranoid "
                                   "cannot be read (is this a container or sandbox without perf support?)"));
      return perms;
    }

  /* Flatpak without --allow=devel: name the missing permission. */
  {
    g_autofree char *app_id = flatpak_refuses_perf ();

    if (app_id != NULL)
      {
        perms->can_record = FALSE;
        perms->message = g_strdup (_("Profiling is not allowed inside this Flatpak: the sandbox refuses "
                                     "perf_event_open because the app lacks the “devel” permission. "
                                     "Grant it with the command below, or install “sysprof” on the host "
                                     "so that Scorch can record through sysprofd "
                                     "(permission --system-talk-name=org.gnome.Sysprof3)."));
        perms->command = g_strdup_printf ("flatpak override --user --allow=devel %s", app_id);
        return perms;
      }
  }

  perms->can_record = privileged || perms->paranoid <= 2;
  perms->can_kernel = privileged || perms->paranoid <= 1;
  perms->can_other_users = perms->cap_sys_ptrace;

  if (!perms->can_record)
    {
      perms->message = g_strdup_printf (_("Profiling is not allowed: kernel.perf_event_paranoid is %d. "
                                          "Allow it for your processes (user space only) with the command below, "
                                          "or give the recorder CAP_PERFMON."),
                                        perms->paranoid);
      perms->command = g_strdup ("sudo sysctl kernel.perf_event_paranoid=2");
    }
  else if (!perms->can_kernel)
    {
      perms->message = g_strdup_printf (_("Kernel stacks are not recorded: kernel.perf_event_paranoid is %d. "
                                          "Allow them with the command below, or give the recorder CAP_PERFMON."),
                                        perms->paranoid);
      perms->command = g_strdup ("sudo sysctl kernel.perf_event_paranoid=1");
    }
  return perms;
}

void
scorch_recorder_permissions_free (ScorchRecorderPermissions *perms)
{
  if (perms == NULL)
    return;
  g_free (perms->message);
  g_free (perms->command);
  g_free (perms);
}
