/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-capture-processes.c: the processes of a capture beside the thread
 * list. A row per process (name, PID, samples), hottest first, and "All
 * Processes"; choosing a row checks only that process's threads in the
 * thread list, where single threads can then be refined.
 *
 * The first fill: a capture of a whole system has dozens of processes,
 * and the pane shows a few rows. A new profile makes as many rows as the
 * pane could show (first_fill_rows); once they are drawn, the others are
 * made in a low-priority idle. Each row is five widgets whose labels shape
 * their text when measured: all 45 rows of a 44-process capture were a
 * fifth of the first frame's measuring, for the 3 rows on screen. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-capture-processes"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-capture-processes.h"
#include "scorch-list-util.h"

#define FIRST_FILL_MIN_ROWS 8
#define ROW_MARGIN_Y        3   /* above and below a row's labels */

/* The height of a process row as last drawn (main thread), 0: none yet. */
static int row_height_seen;

typedef struct
{
  gint32      pid;
  guint64     samples;
  guint       n_threads;
  const char *name;
} ProcessEntry;

struct _ScorchCaptureProcesses
{
  GtkWidget         parent_instance;

  GtkWidget        *scrolled;
  GtkListBox       *list_box;
  ScorchProfile    *profile;
  ScorchThreadList *thread_list;   /* weak */
  guint             n_processes;
  GArray           *pending;        /* of ProcessEntry: rows not made yet */
  ScorchListFill    fill;           /* making them after the first frame */
  guint             in_fill : 1;
};

static GParamSpec *profile_pspec;

G_DEFINE_FINAL_TYPE (ScorchCaptureProcesses, scorch_capture_processes, GTK_TYPE_WIDGET)

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const ProcessEntry *x = *(ProcessEntry * const *) a;
  const ProcessEntry *y = *(ProcessEntry * const *) b;

  if (x->samples != y->samples)
    return x->samples > y->samples ? -1 : 1;
  return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The name's tooltip is the whole name, answered when asked for: each
 * gtk_widget_set_tooltip_text() asks the X server where the pointer is
 * (two round trips per row while a capture opens). */
static gboolean
name_query_tooltip_cb (GtkWidget  *label,
                       int         x,
                       int         y,
                       gboolean    keyboard,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  gtk_tooltip_set_text (tooltip, gtk_label_get_text (GTK_LABEL (label)));
  return TRUE;
}

static GtkWidget *
make_row (gint32      pid,
          const char *name,
          guint64     samples)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *name_label = gtk_label_new (name);
  g_autofree char *pid_text = pid >= 0 ? g_strdup_printf ("%d", pid) : g_strdup ("");
  g_autofree char *samples_text = g_strdup_printf ("%" G_GUINT64_FORMAT, samples);
  GtkWidget *pid_label = gtk_label_new (pid_text);
  GtkWidget *samples_label = gtk_label_new (samples_text);
  g_autofree char *accessible = NULL;

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, ROW_MARGIN_Y);
  gtk_widget_set_margin_bottom (box, ROW_MARGIN_Y);
  gtk_label_set_xalign (GTK_LABEL (name_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name_label, TRUE);
  gtk_widget_set_has_tooltip (name_label, TRUE);
  g_signal_connect (name_label, "query-tooltip", G_CALLBACK (name_query_tooltip_cb), NULL);
  gtk_label_set_width_chars (GTK_LABEL (pid_label), 7);
  gtk_label_set_xalign (GTK_LABEL (pid_label), 1);
  gtk_label_set_width_chars (GTK_LABEL (samples_label), 8);
  gtk_label_set_xalign (GTK_LABEL (samples_label), 1);
  gtk_widget_add_css_class (pid_label, "numeric");
  gtk_widget_add_css_class (samples_label, "numeric");
  gtk_box_append (GTK_BOX (box), name_label);
  gtk_box_append (GTK_BOX (box), pid_label);
  gtk_box_append (GTK_BOX (box), samples_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data (G_OBJECT (row), "scorch-pid", GINT_TO_POINTER (pid));

  if (pid >= 0)
    /* Translators: accessible name of a process row; %s is its name, %d its PID */
    accessible = g_strdup_printf (_("Process %s (%d), %s samples"), name, pid, samples_text);
  else
    accessible = g_strdup_printf (_("All processes, %s samples"), samples_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return row;
}

/* The rows not made by the first fill, all at once (the names point into
 * the profile, which is still the one they were taken from); STEP is
 * G_MAXUINT (scorch_list_fill_init, in _init). */
static gboolean
fill_more (gpointer rows,
           guint    step)
{
  ScorchCaptureProcesses *self = rows;

  if (self->pending == NULL)
    return FALSE;
  self->in_fill = TRUE;
  for (guint i = 0; i < self->pending->len; i++)
    {
      ProcessEntry *e = &g_array_index (self->pending, ProcessEntry, i);

      gtk_list_box_append (self->list_box, make_row (e->pid, e->name ? e->name : "?", e->samples));
    }
  self->in_fill = FALSE;
  g_clear_pointer (&self->pending, g_array_unref);
  return FALSE;
}

static void
scorch_capture_processes_snapshot (GtkWidget   *widget,
                                   GtkSnapshot *snapshot)
{
  ScorchCaptureProcesses *self = SCORCH_CAPTURE_PROCESSES (widget);
  GtkListBoxRow *first;

  GTK_WIDGET_CLASS (scorch_capture_processes_parent_class)->snapshot (widget, snapshot);
  first = gtk_list_box_get_row_at_index (self->list_box, 0);
  scorch_list_fill_snapshot (&self->fill, first != NULL ? gtk_widget_get_height (GTK_WIDGET (first)) : 0);
}

/* As many rows as the pane can show: rows as high as last drawn, or as a
 * line of text and the row's margins before any (the theme's padding
 * makes a row taller: too many rather than too few), in the pane's
 * height, or a quarter of the window's before the pane has a size (the
 * graph and the table take the most of it). */
static guint
first_fill_rows (ScorchCaptureProcesses *self)
{
  int row = row_height_seen;

  if (row <= 0)
    row = scorch_function_cell_line_height (GTK_WIDGET (self)) + 2 * ROW_MARGIN_Y;
  return scorch_list_first_fill_rows (GTK_WIDGET (self), row, FIRST_FILL_MIN_ROWS);
}

static void
fill (ScorchCaptureProcesses *self)
{
  g_autoptr(GHashTable) by_pid = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  const ScorchThread *threads;
  guint n_threads = 0;
  guint64 total = 0;
  guint first;
  GtkWidget *child;

  scorch_list_fill_clear (&self->fill);
  g_clear_pointer (&self->pending, g_array_unref);
  self->in_fill = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  self->n_processes = 0;

  if (self->profile != NULL)
    {
      threads = scorch_profile_get_threads (self->profile, &n_threads);
      for (guint i = 0; i < n_threads; i++)
        {
          ProcessEntry *e = g_hash_table_lookup (by_pid, GINT_TO_POINTER (threads[i].pid));

          if (e == NULL)
            {
              e = g_new0 (ProcessEntry, 1);
              e->pid = threads[i].pid;
              e->name = scorch_profile_get_process_name (self->profile, threads[i].pid);
              if (e->name == NULL)
                e->name = threads[i].name;
              g_hash_table_insert (by_pid, GINT_TO_POINTER (e->pid), e);
              g_ptr_array_add (entries, e);
            }
          e->samples += threads[i].n_samples;
          e->n_threads++;
          total += threads[i].n_samples;
        }
      g_ptr_array_sort (entries, compare_entries);
      gtk_list_box_append (self->list_box, make_row (-1, _("All Processes"), total));
      /* A single process: the pane is hidden, and its row made anyway. */
      first = entries->len > 1 ? first_fill_rows (self) : G_MAXUINT;
      for (guint i = 0; i < entries->len; i++)
        {
          ProcessEntry *e = g_ptr_array_index (entries, i);

          if (i + 1 < first)
            gtk_list_box_append (self->list_box, make_row (e->pid, e->name ? e->name : "?", e->samples));
          else
            {
              if (self->pending == NULL)
                self->pending = g_array_new (FALSE, FALSE, sizeof (ProcessEntry));
              g_array_append_val (self->pending, *e);
            }
        }
      if (self->pending != NULL)
        scorch_list_fill_begin (&self->fill);
      self->n_processes = entries->len;
      gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, 0));
    }
  self->in_fill = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self), self->n_processes > 1);
}

static void
row_selected_cb (ScorchCaptureProcesses *self,
                 GtkListBoxRow          *row)
{
  if (self->in_fill || row == NULL || self->thread_list == NULL)
    return;
  scorch_thread_list_select_process (self->thread_list,
                                     GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "scorch-pid")));
}

void
scorch_capture_processes_set_profile (ScorchCaptureProcesses *self,
                                      ScorchProfile          *profile)
{
  g_return_if_fail (SCORCH_IS_CAPTURE_PROCESSES (self));

  if (!scorch_app_set_profile (&self->profile, profile))
    return;
  fill (self);
  g_object_notify_by_pspec (G_OBJECT (self), profile_pspec);
}

void
scorch_capture_processes_set_thread_list (ScorchCaptureProcesses *self,
                                          ScorchThreadList       *list)
{
  g_return_if_fail (SCORCH_IS_CAPTURE_PROCESSES (self));

  g_set_weak_pointer (&self->thread_list, list);
}

guint
scorch_capture_processes_get_n_processes (ScorchCaptureProcesses *self)
{
  g_return_val_if_fail (SCORCH_IS_CAPTURE_PROCESSES (self), 0);
  return self->n_processes;
}

void
scorch_capture_processes_select (ScorchCaptureProcesses *self,
                                 gint32                  pid)
{
  g_return_if_fail (SCORCH_IS_CAPTURE_PROCESSES (self));

  /* The process may be one of the rows not made yet. */
  scorch_list_fill_all (&self->fill);
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, i);

      if (row == NULL)
        break;
      if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "scorch-pid")) == pid)
        {
          gtk_list_box_select_row (self->list_box, row);
          break;
        }
    }
}

static void
scorch_capture_processes_dispose (GObject *object)
{
  ScorchCaptureProcesses *self = SCORCH_CAPTURE_PROCESSES (object);

  scorch_list_fill_clear (&self->fill);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->profile);
  g_clear_weak_pointer (&self->thread_list);

  G_OBJECT_CLASS (scorch_capture_processes_parent_class)->dispose (object);
}

static void
scorch_capture_processes_class_init (ScorchCaptureProcessesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_capture_processes_dispose;
  widget_class->snapshot = scorch_capture_processes_snapshot;

  profile_pspec = scorch_app_class_install_profile_property (object_class, G_STRUCT_OFFSET (ScorchCaptureProcesses, profile),
                                                             (ScorchAppProfileSetter) scorch_capture_processes_set_profile);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "scorch-capture-processes");
}

static void
scorch_capture_processes_init (ScorchCaptureProcesses *self)
{
  scorch_list_fill_init (&self->fill, GTK_WIDGET (self), fill_more, self, G_MAXUINT, &row_height_seen);
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_SINGLE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Processes"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), GTK_WIDGET (self->list_box));
  g_signal_connect_object (self->list_box, "row-selected", G_CALLBACK (row_selected_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
scorch_capture_processes_new (void)
{
  return g_object_new (SCORCH_TYPE_CAPTURE_PROCESSES, NULL);
}
