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

#define FLATPAK_APP_ID "io.github.scorchprof.Scorch"

char *
_scorch_recorder_no_access_message (const ScorchNoAccess  *na,
                                    gboolean               with_commands,
                                    char                 **commands)
{
  const char *app_id = na->app_id != NULL ? na->app_id : FLATPAK_APP_ID;
  g_autoptr(GString) msg = g_string_new (NULL);
  g_autoptr(GString) cmds = g_string_new (NULL);

  g_string_append (msg, na->system_wide ? _("Cannot record the whole system.") : _("Cannot record."));
  if (na->direct_why != NULL)
    {
      g_string_append_c (msg, '\n');
      g_string_append_printf (msg, _("  Directly: %s"), na->direct_why);
    }
  if (na->broker_why != NULL)
    {
      g_string_append_c (msg, '\n');
      g_string_append_printf (msg, _("  Through sysprofd: %s"), na->broker_why);
    }
  g_string_append_c (msg, '\n');

  if (na->in_flatpak && na->broker_reached)
    {
      /* the sandbox reaches sysprofd: polkit said no (no agent, or refused) */
      g_string_append (msg, _("Either record from a desktop session where polkit can ask for your password, "
                              "or allow perf_event_open inside the sandbox (the “devel” permission):"));
      g_string_append_printf (cmds, "flatpak override --user --allow=devel %s", app_id);
    }
  else if (na->in_flatpak)
    {
      g_string_append (msg, _("Either let the sandbox talk to sysprofd (install the “sysprof” package on the host; "
                              "polkit then asks for your password), or allow perf_event_open inside the sandbox "
                              "(the “devel” permission):"));
      g_string_append_printf (cmds, "flatpak override --user --system-talk-name=org.gnome.Sysprof3 %s\n"
                              "flatpak override --user --allow=devel %s", app_id, app_id);
    }
  else
    {
      g_string_append (msg, _("Either install the “sysprof” package (its sysprofd service records for you after "
                              "polkit asks for your password), or allow perf_event_open for your user with the "
                              "command below (or give the recorder CAP_PERFMON):"));
      g_string_append_printf (cmds, "sudo sysctl kernel.perf_event_paranoid=%d",
                              na->system_wide ? 0 : (na->paranoid > 2 ? 2 : 1));
    }

  if (with_commands)
    {
      g_auto(GStrv) lines = g_strsplit (cmds->str, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        g_string_append_printf (msg, "\n  %s", lines[i]);
    }
  if (commands != NULL)
    *commands = g_string_free (g_steal_pointer (&cmds), FALSE);
  return g_string_free (g_steal_pointer (&msg), FALSE);
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
        ScorchNoAccess na = {
          .in_flatpak = TRUE,
          .app_id = app_id,
          .paranoid = perms->paranoid,
          .direct_why = _("the sandbox refuses perf_event_open (the app lacks the “devel” permission)"),
        };

        perms->can_record = FALSE;
        perms->message = _scorch_recorder_no_access_message (&na, FALSE, &perms->command);
        return perms;
      }
  }

  perms->can_record = privileged || perms->paranoid <= 2;
  perms->can_kernel = privileged || perms->paranoid <= 1;
  perms->can_other_users = perms->cap_sys_ptrace;

  if (!perms->can_record)
    {
      g_autofree char *why = g_strdup_printf (_("not allowed: kernel.perf_event_paranoid is %d"), perms->paranoid);
      ScorchNoAccess na = { .paranoid = perms->paranoid, .direct_why = why };

      perms->message = _scorch_recorder_no_access_message (&na, FALSE, &perms->command);
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
