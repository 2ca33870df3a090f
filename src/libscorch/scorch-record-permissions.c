/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-record-permissions.c: what the current process may record (perf_event_paranoid,
 * capabilities), and how to allow the rest */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <glib/gi18n.h>
#include <string.h>
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
