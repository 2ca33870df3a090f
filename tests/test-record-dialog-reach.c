/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-record-dialog-reach.c: the Record dialog's three targets ("This
 * Program", "Running Process", "Whole System") and its Access row, which
 * says which privilege path a recording takes: directly, through sysprofd,
 * or neither (then Record is disabled and the dialog says both fixes).
 * Inside a Flatpak (SCORCH_PROC_SOURCE=sysprofd) a running process is the
 * host's: the Access row says sysprofd, or not available, never Directly.
 * Saves a screenshot of each page in G_TEST_BUILDDIR. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app-test-util.h"
#include "proc-wait-util.h"
#include "scorch-record-dialog.h"
#include "scorch-recorder-private.h"
#include "reach-bus-util.h"

static AdwViewStack *
find_stack (GtkWidget *widget)
{
  if (ADW_IS_VIEW_STACK (widget))
    return ADW_VIEW_STACK (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      AdwViewStack *found = find_stack (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwComboRow *
find_combo_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_COMBO_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_COMBO_ROW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      AdwComboRow *found = find_combo_row (c, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwComboRow *
find_via_row (GtkWidget *widget)
{
  return find_combo_row (widget, "_Access");
}

static void
test_three_targets (void)
{
  ScorchRecordDialog *dialog = scorch_record_dialog_new (NULL);
  AdwViewStack *stack = find_stack (GTK_WIDGET (dialog));
  AdwComboRow *via = find_via_row (GTK_WIDGET (dialog));
  /* paranoid 2: own processes directly, not the whole system */
  ScorchRecorderPermissions perms = { .paranoid = 2, .can_record = TRUE };
  const char *pages[] = { "program", "process", "system" };
  g_autoptr(GListModel) list = NULL;
  g_autoptr(ScorchRecordOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (stack);
  g_assert_nonnull (via);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 680, 820);
  scorch_record_dialog_set_permissions (dialog, &perms);
  gtk_window_present (GTK_WINDOW (dialog));

  list = G_LIST_MODEL (adw_view_stack_get_pages (stack));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *shot = g_strdup_printf ("screenshot-record-dialog-reach-%s.png", pages[i]);

      scorch_record_dialog_set_mode (dialog, pages[i]);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, pages[i]);
      app_test_wait_until_drawn (GTK_WIDGET (dialog));
      g_object_unref (app_test_save_screenshot (GTK_WIDGET (dialog), shot));
    }

  /* own program at paranoid 2: directly */
  scorch_record_dialog_set_mode (dialog, "program");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (via)), "Directly"));

  /* the whole system at paranoid 2 without sysprofd: neither path */
  scorch_record_dialog_set_mode (dialog, "system");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (via)), "Not available"));

  /* privileged: the whole system directly, and the options say so */
  perms.cap_perfmon = TRUE;
  perms.can_kernel = TRUE;
  scorch_record_dialog_set_permissions (dialog, &perms);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (via)), "Directly"));
  options = scorch_record_dialog_dup_options (dialog, &error);
  g_assert_no_error (error);
  g_assert_true (options->system_wide);
  g_assert_cmpint (options->pid, ==, 0);
  g_assert_null (options->argv);
  g_assert_cmpint (options->via, ==, SCORCH_RECORD_VIA_AUTO);

  /* "Through sysprofd" chosen, not installed: Record is not possible */
  adw_combo_row_set_selected (via, SCORCH_RECORD_VIA_SYSPROFD);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (via)), "Not available"));
  app_test_wait_until_drawn (GTK_WIDGET (dialog));
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-record-dialog-reach-no-sysprofd.png"));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
find_labels (GtkWidget *widget,
             GString   *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    g_string_append_printf (text, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    find_labels (c, text);
}

/* Nothing allowed and no sysprofd: the dialog shows the permission
 * check's one message (both fixes, said once) and its command. */
static void
test_no_access_message (void)
{
  ScorchRecordDialog *dialog = scorch_record_dialog_new (NULL);
  ScorchNoAccess na = { .paranoid = 3, .direct_why = "not allowed: kernel.perf_event_paranoid is 3" };
  ScorchRecorderPermissions perms = { .paranoid = 3 };
  g_autoptr(GString) text = g_string_new (NULL);
  const char *sysprof;

  perms.message = _scorch_recorder_no_access_message (&na, FALSE, &perms.command);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 680, 820);
  scorch_record_dialog_set_permissions (dialog, &perms);
  scorch_record_dialog_set_mode (dialog, "program");
  gtk_window_present (GTK_WINDOW (dialog));
  app_test_wait_until_drawn (GTK_WIDGET (dialog));
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-record-dialog-reach-no-access.png"));

  find_labels (GTK_WIDGET (dialog), text);
  g_test_message ("%s", text->str);
  sysprof = strstr (text->str, "“sysprof” package");
  g_assert_nonnull (sysprof);
  g_assert_null (strstr (sysprof + 1, "“sysprof” package"));   /* said once */
  g_assert_nonnull (strstr (text->str, "CAP_PERFMON"));
  g_assert_nonnull (strstr (text->str, "sudo sysctl kernel.perf_event_paranoid=2"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_free (perms.message);
  g_free (perms.command);
}

static const char *
access_subtitle (ScorchRecordDialog *dialog)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (find_via_row (GTK_WIDGET (dialog))));
}

/* The host's processes (SCORCH_PROC_SOURCE=sysprofd) without sysprofd:
 * perf_event_open is allowed here, but a running process is not this
 * sandbox's, so Record is not possible and the dialog says why; a
 * launched program is still recorded directly. */
static void
test_host_process_no_sysprofd (void)
{
  ScorchRecordDialog *dialog;
  ScorchRecorderPermissions perms = { .paranoid = 2, .can_record = TRUE, .cap_perfmon = TRUE,
                                      .can_kernel = TRUE, .cap_sys_ptrace = TRUE,
                                      .can_other_users = TRUE };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *tmpdir = g_dir_make_tmp ("scorch-dialog-nobus-XXXXXX", NULL);
  g_autofree char *address = g_strdup_printf ("unix:path=%s/no-bus", tmpdir);

  /* the process list asks sysprofd too: a bus that does not answer */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  g_setenv ("SCORCH_PROC_SOURCE", "sysprofd", TRUE);
  dialog = scorch_record_dialog_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 680, 820);
  scorch_record_dialog_set_permissions (dialog, &perms);
  gtk_window_present (GTK_WINDOW (dialog));

  scorch_record_dialog_set_mode (dialog, "program");
  g_assert_nonnull (strstr (access_subtitle (dialog), "Directly"));
  scorch_record_dialog_set_mode (dialog, "process");
  g_test_message ("process: %s", access_subtitle (dialog));
  g_assert_nonnull (strstr (access_subtitle (dialog), "Not available"));
  app_test_wait_until_drawn (GTK_WIDGET (dialog));
  find_labels (GTK_WIDGET (dialog), text);
  g_test_message ("%s", text->str);
  g_assert_nonnull (strstr (text->str, "process of the host"));
  scorch_record_dialog_set_mode (dialog, "system");
  g_assert_nonnull (strstr (access_subtitle (dialog), "Directly"));

  /* the same permissions with this /proc: attach directly */
  g_setenv ("SCORCH_PROC_SOURCE", "proc", TRUE);
  scorch_record_dialog_set_mode (dialog, "program");
  scorch_record_dialog_set_mode (dialog, "process");
  g_assert_nonnull (strstr (access_subtitle (dialog), "Directly"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_unsetenv ("SCORCH_PROC_SOURCE");
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_rmdir (tmpdir);
}

typedef struct
{
  ScorchRecordDialog *dialog;
  AdwComboRow        *call_graph_row;
  GPid                pid;
  const char         *program;
} HostReasonWait;

static gboolean
select_host_pid (gpointer data)
{
  HostReasonWait *wait = data;

  return scorch_record_dialog_select_pid (wait->dialog, wait->pid);
}

static gboolean
host_reason_shown (gpointer data)
{
  HostReasonWait *wait = data;

  return strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (wait->call_graph_row)), wait->program) != NULL;
}

/* With sysprofd on a private system bus (activatable, not started: the
 * dialog only asks whether it exists): attach and the whole system of
 * the host go through it; Directly chosen for a host process is refused. */
static void
test_host_process_sysprofd (void)
{
  g_autofree char *tmpdir = NULL;
  ScorchRecordDialog *dialog;
  ScorchRecorderPermissions perms = { .paranoid = 2, .can_record = TRUE, .cap_perfmon = TRUE,
                                      .can_kernel = TRUE, .cap_sys_ptrace = TRUE,
                                      .can_other_users = TRUE };
  GPid sleeper = 0;

  if (!g_file_test ("/usr/share/dbus-1/system-services/org.gnome.Sysprof3.service", G_FILE_TEST_EXISTS) ||
      g_find_program_in_path ("dbus-daemon") == NULL)
    {
      g_test_skip ("needs dbus-daemon and sysprofd (the “sysprof” package)");
      return;
    }
  tmpdir = g_dir_make_tmp ("scorch-dialog-bus-XXXXXX", NULL);
  g_chmod (tmpdir, 0755);   /* polkitd (its own user) reaches the bus socket here */
  g_assert_true (start_bus (tmpdir));
  if (getuid () == 0)
    {
      /* a process for the list to show (read when the dialog is made) */
      const char *argv1[] = { "sleep", "30", NULL };
      g_autoptr(GError) error = NULL;

      g_assert_true (g_spawn_async (NULL, (char **) argv1, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                    bus_child_setup, NULL, &sleeper, &error));
      g_assert_no_error (error);
      proc_wait_for_exec (sleeper, "sleep");   /* its maps are sleep's */
    }
  g_unsetenv ("SCORCH_TEST_NO_SYSPROFD");
  g_setenv ("SCORCH_PROC_SOURCE", "sysprofd", TRUE);

  dialog = scorch_record_dialog_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 680, 820);
  scorch_record_dialog_set_permissions (dialog, &perms);
  gtk_window_present (GTK_WINDOW (dialog));

  scorch_record_dialog_set_mode (dialog, "program");
  g_assert_nonnull (strstr (access_subtitle (dialog), "Directly"));
  scorch_record_dialog_set_mode (dialog, "process");
  g_test_message ("process: %s", access_subtitle (dialog));
  g_assert_nonnull (strstr (access_subtitle (dialog), "Through sysprofd"));
  app_test_wait_until_drawn (GTK_WIDGET (dialog));
  g_object_unref (app_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-record-dialog-reach-host-process.png"));
  scorch_record_dialog_set_mode (dialog, "system");
  g_assert_nonnull (strstr (access_subtitle (dialog), "Through sysprofd"));
  scorch_record_dialog_set_mode (dialog, "process");

  /* Automatic call stacks check the host process's program (from its maps
   * through sysprofd, in a thread), not this /proc's PID/exe; sysprofd
   * lists processes to root only (polkit without an agent) */
  if (sleeper > 0)
    {
      g_autofree char *sleep_path = g_find_program_in_path ("sleep");
      g_autofree char *program = realpath (sleep_path, NULL);
      HostReasonWait wait = { dialog, find_combo_row (GTK_WIDGET (dialog), "Call _Stacks"), sleeper, program };

      g_assert_nonnull (program);
      g_assert_nonnull (wait.call_graph_row);
      app_test_wait_for (select_host_pid, &wait, 20000, "the host process listed by sysprofd");
      app_test_wait_for (host_reason_shown, &wait, 20000, "the host program's call-stack reason");
      g_test_message ("call stacks: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (wait.call_graph_row)));
      g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (wait.call_graph_row)), "/proc/"));
      kill (sleeper, SIGTERM);
      waitpid (sleeper, NULL, 0);
    }
  adw_combo_row_set_selected (find_via_row (GTK_WIDGET (dialog)), SCORCH_RECORD_VIA_DIRECT);
  g_assert_nonnull (strstr (access_subtitle (dialog), "Not available"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  stop_bus ();
  g_unsetenv ("SCORCH_PROC_SOURCE");
  g_setenv ("SCORCH_TEST_NO_SYSPROFD", "1", TRUE);
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
}

int
main (int    argc,
      char **argv)
{
  /* the answer of a real system bus must not decide this test */
  g_setenv ("SCORCH_TEST_NO_SYSPROFD", "1", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/app/record-dialog/reach/three-targets", test_three_targets);
  g_test_add_func ("/app/record-dialog/reach/no-access-message", test_no_access_message);
  g_test_add_func ("/app/record-dialog/reach/host-process-no-sysprofd", test_host_process_no_sysprofd);
  g_test_add_func ("/app/record-dialog/reach/host-process-sysprofd", test_host_process_sysprofd);
  return g_test_run ();
}
