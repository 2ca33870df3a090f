/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-record-dialog.c: what to record and how */

#include "config.h"

#define G_LOG_DOMAIN "scorch-record-dialog"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-call-graph-choice.h"
#include "scorch-elf-check.h"
#include "scorch-process-picker.h"
#include "scorch-record-dialog.h"
#include "scorch-sysprofd.h"

struct _ScorchRecordDialog
{
  AdwWindow                  parent_instance;

  /* template widgets */
  AdwViewStack              *view_stack;
  AdwEntryRow               *program_row;
  AdwEntryRow               *arguments_row;
  AdwEntryRow               *directory_row;
  GtkTextView               *environment_view;
  ScorchProcessPicker       *picker;
  GtkRevealer               *permission_revealer;
  GtkLabel                  *permission_label;
  GtkLabel                  *permission_command;
  GtkButton                 *user_only_button;
  GtkRevealer               *error_revealer;
  GtkLabel                  *error_label;
  GtkSpinButton             *frequency_spin;
  AdwComboRow               *call_graph_row;
  GtkSwitch                 *kernel_switch;
  GtkSwitch                 *off_cpu_switch;   /* -- off-CPU: Include blocked time -- */
  GtkSpinButton             *duration_spin;
  AdwComboRow               *via_row;             /* reach */

  /* owned */
  gboolean                   sysprofd_available;  /* reach: checked once */
  GSettings                 *settings;
  ScorchRecorderPermissions *perms;
  char                      *call_graph_subtitle;  /* the .ui's, shown when not Automatic */
  guint                      reason_timeout;
  guint                      reason_serial;   /* drops a host check's stale answer */
#if !GTK_CHECK_VERSION (4, 10, 0)
  GtkFileChooserNative      *chooser;
#endif
};

enum {
  RECORD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ScorchRecordDialog, scorch_record_dialog, ADW_TYPE_WINDOW)

void
scorch_record_options_free (ScorchRecordOptions *options)
{
  if (options == NULL)
    return;
  g_strfreev (options->argv);
  g_strfreev (options->envp);
  g_free (options->program);
  g_free (options->cwd);
  g_free (options->call_graph_reason);
  g_free (options);
}

gboolean
scorch_record_choose_dwarf (const char  *path,
                            char       **reason)
{
  return scorch_elf_check_choose_call_graph (path, reason) == SCORCH_CALL_GRAPH_DWARF;
}

/* -- permissions -- */

/* -- reach: which privilege path a recording will take -- */

static gboolean
is_system_wide (ScorchRecordDialog *self)
{
  return g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "system") == 0;
}

static int selected_pid (ScorchRecordDialog *self);

/* A process of this /proc that belongs to another user (not for host
 * PIDs, which this /proc does not know). */
static gboolean
is_other_users (int pid)
{
  struct stat sb;
  char path[64];

  if (pid <= 0)
    return FALSE;
  g_snprintf (path, sizeof path, "/proc/%d", pid);
  return stat (path, &sb) == 0 && sb.st_uid != getuid ();
}

static ScorchRecordTarget
selected_target (ScorchRecordDialog *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (page, "system") == 0)
    return SCORCH_RECORD_TARGET_SYSTEM;
  if (g_strcmp0 (page, "process") == 0)
    return SCORCH_RECORD_TARGET_ATTACH;
  return SCORCH_RECORD_TARGET_LAUNCH;
}

/* scorch_recorder_predict_via() from the dialog's permissions (which tests
 * may set), sysprofd's availability checked once, the page (launch, attach
 * or the whole system), the process's owner and where PIDs come from (the
 * host's, through sysprofd, inside a Flatpak). */
static ScorchRecordVia
predict_via (ScorchRecordDialog *self)
{
  ScorchRecordTarget target = selected_target (self);
  gboolean host_procs = scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD;
  gboolean other_user = target == SCORCH_RECORD_TARGET_ATTACH && !host_procs &&
                        is_other_users (selected_pid (self));

  return scorch_recorder_choose_via (self->perms, adw_combo_row_get_selected (self->via_row), target,
                                     other_user, host_procs, self->sysprofd_available);
}

/* Says on the Access row which path will be used; returns it. */
static ScorchRecordVia
update_via (ScorchRecordDialog *self)
{
  ScorchRecordVia path = predict_via (self);
  const char *subtitle;

  if (path == SCORCH_RECORD_VIA_DIRECT)
    subtitle = _("Directly with perf_event_open: every call-stack mode is available");
  else if (path == SCORCH_RECORD_VIA_SYSPROFD)
    subtitle = _("Through sysprofd, which asks for your password: frame-pointer stacks sampled "
                 "per CPU and kept to the target; leaf functions without a frame lose their caller");
  else
    subtitle = _("Not available: see above");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->via_row), subtitle);
  return path;
}

static int
selected_pid (ScorchRecordDialog *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

  if (g_strcmp0 (page, "process") != 0)
    return 0;
  return scorch_process_picker_get_selected_pid (self->picker);
}

static void
update_permissions (ScorchRecordDialog *self)
{
  const ScorchRecorderPermissions *p = self->perms;
  g_autofree char *text = NULL;
  const char *command = NULL;
  gboolean can_start = TRUE;
  gboolean offer_user_only = FALSE;
  int pid = selected_pid (self);
  /* a host PID (inside a Flatpak), or another user's process of this /proc */
  gboolean host_process = selected_target (self) == SCORCH_RECORD_TARGET_ATTACH &&
                          scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD;
  gboolean other_users = !host_process && is_other_users (pid);
  ScorchRecordVia access_path;

  if (p == NULL)
    return;

  /* reach: sysprofd records what the kernel refuses this user */
  access_path = update_via (self);
  if (access_path == SCORCH_RECORD_VIA_AUTO)
    {
      if (host_process)
        text = g_strdup (_("This is a process of the host: from inside the sandbox only sysprofd can "
                           "record it. Install the “sysprof” package on the host and choose Automatic "
                           "or Through sysprofd."));
      else if (p->can_record && adw_combo_row_get_selected (self->via_row) == SCORCH_RECORD_VIA_SYSPROFD)
        text = g_strdup (_("sysprofd is not installed: install the “sysprof” package, or choose "
                           "Automatic or Directly."));
      else if (p->can_record && other_users)
        text = g_strdup (_("This process belongs to another user, and the system only lets you "
                           "record your own processes. Allow recording any process with the command "
                           "below, run Scorch as that user, or install the “sysprof” package "
                           "(sysprofd asks for your password)."));
      else if (is_system_wide (self) && p->can_record)
        text = g_strdup (_("Recording the whole system needs kernel.perf_event_paranoid at 0 or less, "
                           "CAP_PERFMON, or the “sysprof” package (sysprofd asks for your password)."));
      else if (p->message != NULL)
        text = g_strdup (p->message);   /* says both fixes (_scorch_recorder_no_access_message) */
      else
        text = g_strdup (_("This system does not allow profiling. Install the “sysprof” package: its "
                           "sysprofd service records for you after asking for your password."));
      if (is_system_wide (self))
        command = "sudo sysctl kernel.perf_event_paranoid=0";
      else if (p->can_record && other_users)
        command = "sudo sysctl kernel.perf_event_paranoid=-1";
      else if (!host_process)
        command = p->command;
      can_start = FALSE;
    }
  /* sysprofd opens the events as root: any process, kernel stacks */
  if (text == NULL && gtk_switch_get_active (self->kernel_switch) && !p->can_kernel &&
      access_path != SCORCH_RECORD_VIA_SYSPROFD)
    {
      text = g_strdup (p->message != NULL ? p->message
                                          : _("The system does not allow recording kernel stacks."));
      command = p->command;
      offer_user_only = TRUE;
    }

  gtk_label_set_text (self->permission_label, text ? text : "");
  gtk_label_set_text (self->permission_command, command ? command : "");
  gtk_widget_set_visible (GTK_WIDGET (self->permission_command), command != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->user_only_button), offer_user_only);
  gtk_revealer_set_reveal_child (self->permission_revealer, text != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "record-dialog.start", can_start);
}

static ScorchRecorderPermissions *
copy_permissions (const ScorchRecorderPermissions *p)
{
  ScorchRecorderPermissions *copy = g_new0 (ScorchRecorderPermissions, 1);

  *copy = *p;
  copy->message = g_strdup (p->message);
  copy->command = g_strdup (p->command);
  return copy;
}

void
scorch_record_dialog_set_permissions (ScorchRecordDialog              *self,
                                      const ScorchRecorderPermissions *perms)
{
  g_return_if_fail (SCORCH_IS_RECORD_DIALOG (self));
  g_return_if_fail (perms != NULL);

  g_clear_pointer (&self->perms, scorch_recorder_permissions_free);
  self->perms = copy_permissions (perms);
  update_permissions (self);
}

/* -- validation -- */

static char *
get_environment_text (ScorchRecordDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->environment_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
parse_environment (const char  *text,
                   char      ***envp,
                   GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  char **env = g_get_environ ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      eq = strchr (line, '=');
      if (eq == NULL || eq == line)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Environment line %u, “%s”, is not KEY=VALUE"), i + 1, line);
          g_strfreev (env);
          return FALSE;
        }
      *eq = '\0';
      env = g_environ_setenv (env, line, eq + 1, TRUE);
    }
  *envp = env;
  return TRUE;
}

static char *
expand_home (const char *path)
{
  if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
    return g_build_filename (g_get_home_dir (), path + 1, NULL);
  return g_strdup (path);
}

/* -- why Automatic chooses what it chooses -- */

/* The executable the dialog would record, or NULL */
static char *
current_executable (ScorchRecordDialog *self)
{
  g_autofree char *expanded = NULL;
  const char *program;

  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "process") == 0)
    {
      int pid = scorch_process_picker_get_selected_pid (self->picker);

      return pid > 0 ? g_strdup_printf ("/proc/%d/exe", pid) : NULL;
    }
  program = gtk_editable_get_text (GTK_EDITABLE (self->program_row));
  while (g_ascii_isspace (*program))
    program++;
  if (program[0] == '\0')
    return NULL;
  expanded = expand_home (program);
  if (strchr (expanded, '/') != NULL)
    return g_canonicalize_filename (expanded, NULL);
  return g_find_program_in_path (expanded);
}

/* A host process's check asks sysprofd (D-Bus, maybe polkit): in a thread. */
static void
host_reason_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  char *reason = NULL;

  scorch_elf_check_choose_call_graph_for_pid (GPOINTER_TO_INT (task_data), &reason);
  g_task_return_pointer (task, reason, g_free);
}

static void
host_reason_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ScorchRecordDialog *self = SCORCH_RECORD_DIALOG (object);
  g_autofree char *reason = g_task_propagate_pointer (G_TASK (result), NULL);

  if (GPOINTER_TO_UINT (user_data) == self->reason_serial && reason != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->call_graph_row), reason);
}

static gboolean
update_call_graph_reason (gpointer data)
{
  ScorchRecordDialog *self = data;
  g_autofree char *exe = NULL;
  g_autofree char *reason = NULL;

  self->reason_timeout = 0;
  self->reason_serial++;
  if (adw_combo_row_get_selected (self->call_graph_row) != SCORCH_RECORD_CALL_GRAPH_AUTO)
    ;
  else if (selected_pid (self) > 0 && scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD)
    {
      g_autoptr(GTask) task = g_task_new (self, NULL, host_reason_done, GUINT_TO_POINTER (self->reason_serial));

      g_task_set_task_data (task, GINT_TO_POINTER (selected_pid (self)), NULL);
      g_task_run_in_thread (task, host_reason_thread);
    }
  else if (selected_pid (self) > 0)
    scorch_elf_check_choose_call_graph_for_pid (selected_pid (self), &reason);
  else
    exe = current_executable (self);
  if (exe != NULL && g_file_test (exe, G_FILE_TEST_EXISTS))
    scorch_elf_check_choose_call_graph (exe, &reason);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->call_graph_row),
                               reason != NULL ? reason : self->call_graph_subtitle);
  return G_SOURCE_REMOVE;
}

/* The check reads the program's symbols: not at every keystroke. */
static void
queue_call_graph_reason (ScorchRecordDialog *self)
{
  g_clear_handle_id (&self->reason_timeout, g_source_remove);
  self->reason_timeout = g_timeout_add (300, update_call_graph_reason, self);
}

ScorchRecordOptions *
scorch_record_dialog_dup_options (ScorchRecordDialog *self,
                                  GError            **error)
{
  g_autoptr(ScorchRecordOptions) o = g_new0 (ScorchRecordOptions, 1);
  g_autofree char *exe = NULL;

  g_return_val_if_fail (SCORCH_IS_RECORD_DIALOG (self), NULL);

  o->frequency = (guint) gtk_spin_button_get_value_as_int (self->frequency_spin);
  o->call_graph = adw_combo_row_get_selected (self->call_graph_row);
  o->kernel = gtk_switch_get_active (self->kernel_switch);
  o->off_cpu = gtk_switch_get_active (self->off_cpu_switch);
  o->duration = (guint) gtk_spin_button_get_value_as_int (self->duration_spin);
  /* reach */
  o->via = adw_combo_row_get_selected (self->via_row);
  o->system_wide = is_system_wide (self);

  if (o->system_wide)
    {
      /* no one program to check: frame pointers as they are */
      o->mode = SCORCH_CALL_GRAPH_FP;
      o->dwarf = FALSE;
      return g_steal_pointer (&o);
    }
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "process") == 0)
    {
      o->pid = scorch_process_picker_get_selected_pid (self->picker);
      if (o->pid <= 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Choose a process in the list to record"));
          return NULL;
        }
      exe = g_strdup_printf ("/proc/%d/exe", o->pid);
    }
  else
    {
      const char *program = gtk_editable_get_text (GTK_EDITABLE (self->program_row));
      const char *arguments = gtk_editable_get_text (GTK_EDITABLE (self->arguments_row));
      const char *directory = gtk_editable_get_text (GTK_EDITABLE (self->directory_row));
      g_autofree char *env_text = get_environment_text (self);
      g_autofree char *expanded = NULL;
      g_auto(GStrv) args = NULL;
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_autoptr(GError) local_error = NULL;

      while (g_ascii_isspace (*program))
        program++;
      if (program[0] == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Choose a program to record"));
          return NULL;
        }
      expanded = expand_home (program);
      if (strchr (expanded, '/') != NULL)
        o->program = g_canonicalize_filename (expanded, NULL);
      else
        o->program = g_find_program_in_path (expanded);
      if (o->program == NULL || !g_file_test (o->program, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("Cannot start “%s”: there is no such program"), program);
          return NULL;
        }
      if (g_file_test (o->program, G_FILE_TEST_IS_DIR) || access (o->program, X_OK) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       _("Cannot start “%s”: it is not an executable program"), o->program);
          return NULL;
        }

      if (arguments[0] != '\0' && !g_shell_parse_argv (arguments, NULL, &args, &local_error))
        {
          /* An empty or whitespace-only line is no arguments. */
          if (!g_error_matches (local_error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Cannot read the arguments: %s"), local_error->message);
              return NULL;
            }
        }
      g_strv_builder_add (b, o->program);
      if (args != NULL)
        g_strv_builder_addv (b, (const char **) args);
      o->argv = g_strv_builder_end (b);

      while (g_ascii_isspace (*directory))
        directory++;
      if (directory[0] != '\0')
        {
          g_autofree char *dir = expand_home (directory);

          if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The working directory “%s” does not exist"), directory);
              return NULL;
            }
          o->cwd = g_steal_pointer (&dir);
        }

      if (!parse_environment (env_text, &o->envp, error))
        return NULL;
      exe = g_strdup (o->program);
    }

  switch (o->call_graph)
    {
    case SCORCH_RECORD_CALL_GRAPH_FP:
      o->mode = SCORCH_CALL_GRAPH_FP;
      break;
    case SCORCH_RECORD_CALL_GRAPH_DWARF:
      o->mode = SCORCH_CALL_GRAPH_DWARF;
      break;
    case SCORCH_RECORD_CALL_GRAPH_FP_REPAIR:
      o->mode = SCORCH_CALL_GRAPH_FP_REPAIR;
      break;
    case SCORCH_RECORD_CALL_GRAPH_AUTO:
    default:
      /* the same decision as scorch-cli record's --call-graph auto */
      if (o->pid > 0)
        o->mode = scorch_elf_check_choose_call_graph_for_pid (o->pid, &o->call_graph_reason);
      else
        o->mode = scorch_elf_check_choose_call_graph (exe, &o->call_graph_reason);
      break;
    }
  o->dwarf = o->mode == SCORCH_CALL_GRAPH_DWARF;

  return g_steal_pointer (&o);
}

void
scorch_record_dialog_show_error (ScorchRecordDialog *self,
                                 const char         *message)
{
  g_return_if_fail (SCORCH_IS_RECORD_DIALOG (self));

  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

const char *
scorch_record_dialog_get_error (ScorchRecordDialog *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORD_DIALOG (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

/* -- settings -- */

static void
load_settings (ScorchRecordDialog *self)
{
  g_autofree char *program = g_settings_get_string (self->settings, "record-program");
  g_autofree char *arguments = g_settings_get_string (self->settings, "record-arguments");
  g_autofree char *directory = g_settings_get_string (self->settings, "record-directory");
  g_autofree char *environment = g_settings_get_string (self->settings, "record-environment");

  gtk_spin_button_set_value (self->frequency_spin, g_settings_get_uint (self->settings, "record-frequency"));
  adw_combo_row_set_selected (self->call_graph_row, g_settings_get_enum (self->settings, "record-call-graph"));
  gtk_switch_set_active (self->kernel_switch, g_settings_get_boolean (self->settings, "record-kernel"));
  gtk_spin_button_set_value (self->duration_spin, g_settings_get_uint (self->settings, "record-duration"));
  gtk_editable_set_text (GTK_EDITABLE (self->program_row), program);
  gtk_editable_set_text (GTK_EDITABLE (self->arguments_row), arguments);
  gtk_editable_set_text (GTK_EDITABLE (self->directory_row), directory);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->environment_view), environment, -1);
}

void
scorch_record_dialog_save_settings (ScorchRecordDialog *self)
{
  g_autofree char *environment = NULL;

  g_return_if_fail (SCORCH_IS_RECORD_DIALOG (self));

  environment = get_environment_text (self);
  g_settings_delay (self->settings);
  g_settings_set_uint (self->settings, "record-frequency",
                       (guint) gtk_spin_button_get_value_as_int (self->frequency_spin));
  g_settings_set_enum (self->settings, "record-call-graph", adw_combo_row_get_selected (self->call_graph_row));
  g_settings_set_boolean (self->settings, "record-kernel", gtk_switch_get_active (self->kernel_switch));
  g_settings_set_uint (self->settings, "record-duration",
                       (guint) gtk_spin_button_get_value_as_int (self->duration_spin));
  g_settings_set_string (self->settings, "record-program",
                         gtk_editable_get_text (GTK_EDITABLE (self->program_row)));
  g_settings_set_string (self->settings, "record-arguments",
                         gtk_editable_get_text (GTK_EDITABLE (self->arguments_row)));
  g_settings_set_string (self->settings, "record-directory",
                         gtk_editable_get_text (GTK_EDITABLE (self->directory_row)));
  g_settings_set_string (self->settings, "record-environment", environment);
  g_settings_apply (self->settings);
}

/* -- actions -- */

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ScorchRecordDialog *self = SCORCH_RECORD_DIALOG (widget);
  g_autoptr(ScorchRecordOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  options = scorch_record_dialog_dup_options (self, &error);
  if (options == NULL)
    {
      scorch_record_dialog_show_error (self, error->message);
      return;
    }
  scorch_record_dialog_show_error (self, NULL);
  scorch_record_dialog_save_settings (self);
  g_signal_emit (self, signals[RECORD], 0);
}

static void
user_space_only_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ScorchRecordDialog *self = SCORCH_RECORD_DIALOG (widget);

  gtk_switch_set_active (self->kernel_switch, FALSE);
}

static void
set_chosen_path (ScorchRecordDialog *self,
                 GFile              *file,
                 gboolean            directory)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (directory ? self->directory_row : self->program_row), path);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
file_dialog_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ScorchRecordDialog) self = user_data;
  GtkFileDialog *dialog = GTK_FILE_DIALOG (object);
  gboolean directory = GPOINTER_TO_INT (g_object_get_data (object, "directory"));
  g_autoptr(GFile) file = NULL;

  if (directory)
    file = gtk_file_dialog_select_folder_finish (dialog, result, NULL);
  else
    file = gtk_file_dialog_open_finish (dialog, result, NULL);
  if (file != NULL)
    set_chosen_path (self, file, directory);
}

static void
choose (ScorchRecordDialog *self,
        gboolean            directory)
{
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

  gtk_file_dialog_set_title (dialog, directory ? _("Choose a Working Directory") : _("Choose a Program"));
  g_object_set_data (G_OBJECT (dialog), "directory", GINT_TO_POINTER (directory));
  if (directory)
    gtk_file_dialog_select_folder (dialog, GTK_WINDOW (self), NULL, file_dialog_done, g_object_ref (self));
  else
    gtk_file_dialog_open (dialog, GTK_WINDOW (self), NULL, file_dialog_done, g_object_ref (self));
}
#else
static void
chooser_response (ScorchRecordDialog   *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      gboolean directory = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) ==
                           GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;

      if (file != NULL)
        set_chosen_path (self, file, directory);
    }
  g_clear_object (&self->chooser);
}

static void
choose (ScorchRecordDialog *self,
        gboolean            directory)
{
  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (directory ? _("Choose a Working Directory") : _("Choose a Program"),
                                               GTK_WINDOW (self),
                                               directory ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                         : GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}
#endif

/* record-dialog.choose-program and record-dialog.choose-directory */
static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  choose (SCORCH_RECORD_DIALOG (widget), g_str_equal (action_name, "record-dialog.choose-directory"));
}

/* A process activated in the picker, or Enter in the program or its arguments. */
static void
start_activated (ScorchRecordDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "record-dialog.start", NULL);
}

/* -- GObject -- */

static void
scorch_record_dialog_dispose (GObject *object)
{
  ScorchRecordDialog *self = SCORCH_RECORD_DIALOG (object);

#if !GTK_CHECK_VERSION (4, 10, 0)
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
#endif

  g_clear_handle_id (&self->reason_timeout, g_source_remove);
  g_clear_pointer (&self->call_graph_subtitle, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_RECORD_DIALOG);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->perms, scorch_recorder_permissions_free);

  G_OBJECT_CLASS (scorch_record_dialog_parent_class)->dispose (object);
}

static const ScorchAppTemplateChild record_dialog_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, view_stack),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, program_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, arguments_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, directory_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, environment_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, picker),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, permission_revealer),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, permission_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, permission_command),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, user_only_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, error_revealer),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, error_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, frequency_spin),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, call_graph_row),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, kernel_switch),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, off_cpu_switch),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, duration_spin),
  SCORCH_APP_TEMPLATE_CHILD (ScorchRecordDialog, via_row),
};

static const ScorchAppAction record_dialog_actions[] = {
  { "record-dialog.start", start_action },
  { "record-dialog.user-space-only", user_space_only_action },
  { "record-dialog.choose-program", choose_action },
  { "record-dialog.choose-directory", choose_action },
};

static void
scorch_record_dialog_class_init (ScorchRecordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_record_dialog_dispose;

  signals[RECORD] = g_signal_new ("record", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (SCORCH_TYPE_PROCESS_PICKER);

  scorch_app_class_set_template (widget_class,
                                 record_dialog_children, G_N_ELEMENTS (record_dialog_children),
                                 record_dialog_actions, G_N_ELEMENTS (record_dialog_actions));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "record-dialog.start", NULL);
}

static void
scorch_record_dialog_init (ScorchRecordDialog *self)
{
  g_autoptr(ScorchRecorderPermissions) perms = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  load_settings (self);

  g_signal_connect_object (self->picker, "activated", G_CALLBACK (start_activated), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->picker, "notify::selected-pid", G_CALLBACK (update_permissions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child", G_CALLBACK (update_permissions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->kernel_switch, "notify::active", G_CALLBACK (update_permissions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->program_row, "entry-activated", G_CALLBACK (start_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->arguments_row, "entry-activated", G_CALLBACK (start_activated), self,
                           G_CONNECT_SWAPPED);
  adw_entry_row_set_show_apply_button (self->program_row, FALSE);

  /* the combo row says why Automatic chooses what it chooses */
  self->call_graph_subtitle = g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (self->call_graph_row)));
  g_signal_connect_object (self->call_graph_row, "notify::selected", G_CALLBACK (queue_call_graph_reason), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->program_row, "changed", G_CALLBACK (queue_call_graph_reason), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->picker, "notify::selected-pid", G_CALLBACK (queue_call_graph_reason), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child", G_CALLBACK (queue_call_graph_reason), self,
                           G_CONNECT_SWAPPED);
  queue_call_graph_reason (self);

  /* reach: the Access row follows the page and the choice (tests that
   * fake the permissions set SCORCH_TEST_NO_SYSPROFD: no real bus answer) */
  self->sysprofd_available = g_getenv ("SCORCH_TEST_NO_SYSPROFD") == NULL &&
                             scorch_sysprofd_available (NULL, NULL);
  g_signal_connect_object (self->via_row, "notify::selected", G_CALLBACK (update_permissions), self,
                           G_CONNECT_SWAPPED);

  perms = scorch_recorder_check_permissions ();
  scorch_record_dialog_set_permissions (self, perms);
}

ScorchRecordDialog *
scorch_record_dialog_new (GtkWindow *parent)
{
  return g_object_new (SCORCH_TYPE_RECORD_DIALOG,
                       "transient-for", parent,
                       NULL);
}

void
scorch_record_dialog_set_mode (ScorchRecordDialog *self,
                               const char         *mode)
{
  g_return_if_fail (SCORCH_IS_RECORD_DIALOG (self));

  adw_view_stack_set_visible_child_name (self->view_stack, mode);
}

void
scorch_record_dialog_set_program (ScorchRecordDialog *self,
                                  const char         *program,
                                  const char         *arguments)
{
  g_return_if_fail (SCORCH_IS_RECORD_DIALOG (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "program");
  gtk_editable_set_text (GTK_EDITABLE (self->program_row), program ? program : "");
  gtk_editable_set_text (GTK_EDITABLE (self->arguments_row), arguments ? arguments : "");
}

gboolean
scorch_record_dialog_select_pid (ScorchRecordDialog *self,
                                 int                 pid)
{
  g_return_val_if_fail (SCORCH_IS_RECORD_DIALOG (self), FALSE);

  adw_view_stack_set_visible_child_name (self->view_stack, "process");
  scorch_process_list_refresh (scorch_process_picker_get_list (self->picker));
  return scorch_process_picker_select_pid (self->picker, pid);
}

GtkWidget *
scorch_record_dialog_get_picker (ScorchRecordDialog *self)
{
  g_return_val_if_fail (SCORCH_IS_RECORD_DIALOG (self), NULL);
  return GTK_WIDGET (self->picker);
}
