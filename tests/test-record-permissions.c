/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-record-permissions.c: the one message when recording cannot start
 * (_scorch_recorder_no_access_message), used by the permission check and
 * by the recorder's errors alike: what failed on each path and both fixes
 * (install “sysprof” for polkit-authorized recording, or the sysctl /
 * CAP_PERFMON), and inside a Flatpak the sandbox permissions instead.
 * Also the path a recording will take (scorch_recorder_choose_via and
 * scorch_recorder_predict_via): attach and the whole system go through
 * sysprofd when the PIDs are the host's (SCORCH_PROC_SOURCE=sysprofd). */

#include "config.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scorch-recorder-private.h"

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_plain (void)
{
  ScorchNoAccess na = {
    .paranoid = 3,
    .direct_why = "not allowed: kernel.perf_event_paranoid is 3",
    .broker_why = "sysprofd is not installed",
  };
  g_autofree char *commands = NULL;
  g_autofree char *msg = _scorch_recorder_no_access_message (&na, TRUE, &commands);
  g_autofree char *bare = _scorch_recorder_no_access_message (&na, FALSE, NULL);

  g_test_message ("%s", msg);
  g_assert_true (g_str_has_prefix (msg, "Cannot record.\n"));
  g_assert_nonnull (strstr (msg, "  Directly: not allowed: kernel.perf_event_paranoid is 3\n"));
  g_assert_nonnull (strstr (msg, "  Through sysprofd: sysprofd is not installed\n"));
  /* both fixes */
  g_assert_nonnull (strstr (msg, "install the “sysprof” package"));
  g_assert_nonnull (strstr (msg, "polkit"));
  g_assert_nonnull (strstr (msg, "CAP_PERFMON"));
  g_assert_cmpstr (commands, ==, "sudo sysctl kernel.perf_event_paranoid=2");
  g_assert_true (g_str_has_suffix (msg, "\n  sudo sysctl kernel.perf_event_paranoid=2"));
  /* said once; without commands the same text minus the command */
  g_assert_cmpuint (count (msg, "Cannot record"), ==, 1);
  g_assert_null (strstr (bare, "sudo"));
  g_assert_true (g_str_has_prefix (msg, bare));
  g_assert_null (strstr (msg, "flatpak"));

  /* the whole system: paranoid 0 */
  na.system_wide = TRUE;
  na.paranoid = 2;
  {
    g_autofree char *all = _scorch_recorder_no_access_message (&na, TRUE, NULL);

    g_assert_true (g_str_has_prefix (all, "Cannot record the whole system.\n"));
    g_assert_true (g_str_has_suffix (all, "sudo sysctl kernel.perf_event_paranoid=0"));
  }
  /* unsaid reasons are left out */
  na.system_wide = FALSE;
  na.direct_why = NULL;
  na.broker_why = NULL;
  na.paranoid = 2;
  {
    g_autofree char *short_msg = _scorch_recorder_no_access_message (&na, TRUE, NULL);

    g_assert_null (strstr (short_msg, "Directly:"));
    g_assert_null (strstr (short_msg, "Through sysprofd:"));
    g_assert_true (g_str_has_suffix (short_msg, "sudo sysctl kernel.perf_event_paranoid=1"));
  }
}

/* Inside a Flatpak: the sandbox's permissions, never a sysctl it cannot
 * change. */
static void
test_flatpak (void)
{
  ScorchNoAccess na = {
    .in_flatpak = TRUE,
    .app_id = "org.example.Scorch",
    .paranoid = 2,
    .direct_why = "the sandbox refuses perf_event_open",
    .broker_why = "no system bus",
  };
  g_autofree char *commands = NULL;
  g_autofree char *msg = _scorch_recorder_no_access_message (&na, TRUE, &commands);

  g_test_message ("%s", msg);
  g_assert_null (strstr (msg, "sysctl"));
  g_assert_nonnull (strstr (msg, "“sysprof” package on the host"));
  g_assert_nonnull (strstr (msg, "“devel” permission"));
  g_assert_cmpstr (commands, ==,
                   "flatpak override --user --system-talk-name=org.gnome.Sysprof3 org.example.Scorch\n"
                   "flatpak override --user --allow=devel org.example.Scorch");
  g_assert_nonnull (strstr (msg, "\n  flatpak override --user --system-talk-name=org.gnome.Sysprof3 org.example.Scorch"
                                 "\n  flatpak override --user --allow=devel org.example.Scorch"));

  /* sysprofd answered and polkit refused: no talk-name to add */
  na.broker_reached = TRUE;
  na.app_id = NULL;
  g_clear_pointer (&commands, g_free);
  {
    g_autofree char *reached = _scorch_recorder_no_access_message (&na, TRUE, &commands);

    g_assert_nonnull (strstr (reached, "polkit can ask for your password"));
    g_assert_cmpstr (commands, ==, "flatpak override --user --allow=devel io.github.scorchprof.Scorch");
    g_assert_null (strstr (reached, "system-talk-name"));
    g_assert_null (strstr (reached, "sysctl"));
  }
}

/* The permission check's message is the builder's (one wording). */
/* The permission check's verdict and message for the user it runs as:
 * refused (paranoid above 2, no CAP_PERFMON/CAP_SYS_ADMIN), the message is
 * the builder's; allowed without kernel stacks, it says so with the sysctl;
 * fully allowed, no message. */
static void
check_permissions_as_this_user (void)
{
  g_autoptr(ScorchRecorderPermissions) perms = scorch_recorder_check_permissions ();
  gboolean privileged = perms->cap_perfmon || perms->cap_sys_admin;

  g_assert_cmpint (perms->paranoid, !=, G_MININT);
  g_assert_cmpint (perms->can_record, ==, privileged || perms->paranoid <= 2);
  g_assert_cmpint (perms->can_kernel, ==, privileged || perms->paranoid <= 1);
  if (!perms->can_record)
    {
      ScorchNoAccess na = { .paranoid = perms->paranoid };
      g_autofree char *why = g_strdup_printf ("not allowed: kernel.perf_event_paranoid is %d", perms->paranoid);
      g_autofree char *commands = NULL;
      g_autofree char *msg = NULL;

      na.direct_why = why;
      msg = _scorch_recorder_no_access_message (&na, FALSE, &commands);
      g_assert_cmpstr (perms->message, ==, msg);
      g_assert_cmpstr (perms->command, ==, commands);
    }
  else if (!perms->can_kernel)
    {
      g_assert_nonnull (perms->message);
      g_assert_nonnull (strstr (perms->message, "perf_event_paranoid"));
      g_assert_cmpstr (perms->command, ==, "sudo sysctl kernel.perf_event_paranoid=1");
    }
  else
    g_assert_null (perms->message);
}

static void
test_check_permissions (void)
{
  pid_t pid;
  int status = 0;

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("inside a Flatpak the sandbox decides (see message-flatpak)");
      return;
    }
  /* as this user */
  check_permissions_as_this_user ();
  if (geteuid () != 0)
    return;

  /* as root, also as an unprivileged user (no capabilities after setuid):
   * the verdict the kernel's paranoid level gives a normal user */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (setgroups (0, NULL) != 0 || setgid (65534) != 0 || setuid (65534) != 0)
        _exit (3);
      check_permissions_as_this_user ();
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* The choice from facts: every target, path choice and process source. */
static void
test_choose_via (void)
{
  /* paranoid 2: own processes directly, not the whole system */
  ScorchRecorderPermissions user = { .paranoid = 2, .can_record = TRUE };
  ScorchRecorderPermissions root = { .paranoid = 2, .can_record = TRUE, .cap_perfmon = TRUE,
                                     .cap_sys_admin = TRUE, .cap_sys_ptrace = TRUE,
                                     .can_other_users = TRUE };
  ScorchRecorderPermissions none = { .paranoid = 3 };
  const ScorchRecordVia AUTO = SCORCH_RECORD_VIA_AUTO, DIRECT = SCORCH_RECORD_VIA_DIRECT,
                        SYSPROFD = SCORCH_RECORD_VIA_SYSPROFD;
  const ScorchRecordTarget LAUNCH = SCORCH_RECORD_TARGET_LAUNCH, ATTACH = SCORCH_RECORD_TARGET_ATTACH,
                           SYSTEM = SCORCH_RECORD_TARGET_SYSTEM;
  struct {
    const ScorchRecorderPermissions *perms;
    ScorchRecordVia via;
    ScorchRecordTarget target;
    gboolean other_user, host_procs, available;
    ScorchRecordVia expected;
  } cases[] = {
    /* this /proc */
    { &user, AUTO, LAUNCH, FALSE, FALSE, TRUE, DIRECT },
    { &user, AUTO, ATTACH, FALSE, FALSE, TRUE, DIRECT },
    { &user, AUTO, SYSTEM, FALSE, FALSE, TRUE, SYSPROFD },
    { &user, AUTO, SYSTEM, FALSE, FALSE, FALSE, AUTO },
    { &root, AUTO, SYSTEM, FALSE, FALSE, TRUE, DIRECT },
    { &user, SYSPROFD, LAUNCH, FALSE, FALSE, TRUE, SYSPROFD },
    { &user, SYSPROFD, LAUNCH, FALSE, FALSE, FALSE, AUTO },
    { &none, AUTO, LAUNCH, FALSE, FALSE, TRUE, SYSPROFD },
    { &none, DIRECT, LAUNCH, FALSE, FALSE, TRUE, AUTO },
    /* another user's process: the kernel refuses it without CAP_SYS_PTRACE */
    { &user, AUTO, ATTACH, TRUE, FALSE, TRUE, SYSPROFD },
    { &user, AUTO, ATTACH, TRUE, FALSE, FALSE, AUTO },
    { &user, DIRECT, ATTACH, TRUE, FALSE, TRUE, AUTO },
    { &root, AUTO, ATTACH, TRUE, FALSE, TRUE, DIRECT },
    /* the host's PIDs (inside a Flatpak): attach and -a only through
     * sysprofd, even when perf_event_open is allowed here */
    { &root, AUTO, ATTACH, FALSE, TRUE, TRUE, SYSPROFD },
    { &root, AUTO, SYSTEM, FALSE, TRUE, TRUE, SYSPROFD },
    { &user, AUTO, ATTACH, FALSE, TRUE, TRUE, SYSPROFD },
    { &root, AUTO, ATTACH, FALSE, TRUE, FALSE, AUTO },
    { &root, DIRECT, ATTACH, FALSE, TRUE, TRUE, AUTO },
    /* -a without sysprofd: perf_event_open if allowed, as the recorder does */
    { &root, AUTO, SYSTEM, FALSE, TRUE, FALSE, DIRECT },
    { &root, DIRECT, SYSTEM, FALSE, TRUE, TRUE, DIRECT },
    /* a launched child is the sandbox's own */
    { &root, AUTO, LAUNCH, FALSE, TRUE, TRUE, DIRECT },
    { &user, AUTO, LAUNCH, FALSE, TRUE, TRUE, DIRECT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      g_assert_cmpint (scorch_recorder_choose_via (cases[i].perms, cases[i].via, cases[i].target,
                                                   cases[i].other_user, cases[i].host_procs,
                                                   cases[i].available), ==, cases[i].expected);
    }
}

/* predict_via with SCORCH_PROC_SOURCE=sysprofd and no sysprofd (a system
 * bus address that does not answer): attaching is not possible whatever
 * perf_event_open allows here, and the reason says why; launching is as
 * without the variable. */
static void
test_predict_host_source (void)
{
  g_autofree char *dir = g_dir_make_tmp ("scorch-predict-XXXXXX", NULL);
  g_autofree char *address = g_strdup_printf ("unix:path=%s/no-bus", dir);
  g_autofree char *why = NULL;
  g_autofree char *why_direct = NULL;
  ScorchRecordVia launch_local, launch_host;

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  g_setenv ("SCORCH_PROC_SOURCE", "proc", TRUE);
  launch_local = scorch_recorder_predict_via (SCORCH_RECORD_VIA_AUTO, SCORCH_RECORD_TARGET_LAUNCH, NULL);

  g_setenv ("SCORCH_PROC_SOURCE", "sysprofd", TRUE);
  g_assert_cmpint (scorch_recorder_predict_via (SCORCH_RECORD_VIA_AUTO, SCORCH_RECORD_TARGET_ATTACH, &why),
                   ==, SCORCH_RECORD_VIA_AUTO);
  g_test_message ("%s", why);
  g_assert_nonnull (strstr (why, "outside this sandbox"));
  g_assert_cmpint (scorch_recorder_predict_via (SCORCH_RECORD_VIA_DIRECT, SCORCH_RECORD_TARGET_ATTACH,
                                                &why_direct), ==, SCORCH_RECORD_VIA_AUTO);
  g_assert_nonnull (strstr (why_direct, "outside this sandbox"));
  launch_host = scorch_recorder_predict_via (SCORCH_RECORD_VIA_AUTO, SCORCH_RECORD_TARGET_LAUNCH, NULL);
  g_assert_cmpint (launch_host, ==, launch_local);

  g_unsetenv ("SCORCH_PROC_SOURCE");
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/record-permissions/message", test_plain);
  g_test_add_func ("/libscorch/record-permissions/message-flatpak", test_flatpak);
  g_test_add_func ("/libscorch/record-permissions/check-permissions", test_check_permissions);
  g_test_add_func ("/libscorch/record-permissions/choose-via", test_choose_via);
  g_test_add_func ("/libscorch/record-permissions/predict-host-source", test_predict_host_source);
  return g_test_run ();
}
