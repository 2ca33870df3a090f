/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-process-picker.h: a searchable list of running processes */

#pragma once

#include <adwaita.h>

#include "scorch-process-list.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_PROCESS_PICKER (scorch_process_picker_get_type ())

G_DECLARE_FINAL_TYPE (ScorchProcessPicker, scorch_process_picker, SCORCH, PROCESS_PICKER, AdwBin)

GtkWidget         *scorch_process_picker_new              (void);
/* The process chosen, or 0. Property "selected-pid". */
int                scorch_process_picker_get_selected_pid (ScorchProcessPicker *self);
/* Selects PID if it is listed; returns whether it was. */
gboolean           scorch_process_picker_select_pid       (ScorchProcessPicker *self,
                                                           int                  pid);
void               scorch_process_picker_set_search       (ScorchProcessPicker *self,
                                                           const char          *text);
ScorchProcessList *scorch_process_picker_get_list         (ScorchProcessPicker *self);
/* Rows after search filtering. */
guint              scorch_process_picker_get_n_visible    (ScorchProcessPicker *self);

G_END_DECLS
