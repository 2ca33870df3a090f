/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-capture-processes.h: the processes of a capture (system-wide
 * recordings hold many), beside the thread list: choosing one keeps only
 * its threads checked there */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"
#include "scorch-thread-list.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_CAPTURE_PROCESSES (scorch_capture_processes_get_type ())

G_DECLARE_FINAL_TYPE (ScorchCaptureProcesses, scorch_capture_processes, SCORCH, CAPTURE_PROCESSES, GtkWidget)

GtkWidget *scorch_capture_processes_new              (void);
/* The whole capture; the widget hides itself when it holds one process. */
void       scorch_capture_processes_set_profile      (ScorchCaptureProcesses *self,
                                                      ScorchProfile          *profile);
/* The thread list that choosing a process filters (not owned). */
void       scorch_capture_processes_set_thread_list  (ScorchCaptureProcesses *self,
                                                      ScorchThreadList       *list);
guint      scorch_capture_processes_get_n_processes  (ScorchCaptureProcesses *self);
/* Chooses PID (-1: all processes), as a click on its row does. */
void       scorch_capture_processes_select           (ScorchCaptureProcesses *self,
                                                      gint32                  pid);

G_END_DECLS
