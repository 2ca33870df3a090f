/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-process-list.h: the running processes, read from /proc, as a
 * GListModel of ScorchProcessItem, with CPU use from /proc/PID/stat deltas */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SCORCH_TYPE_PROCESS_ITEM (scorch_process_item_get_type ())

G_DECLARE_FINAL_TYPE (ScorchProcessItem, scorch_process_item, SCORCH, PROCESS_ITEM, GObject)

int         scorch_process_item_get_pid         (ScorchProcessItem *self);
const char *scorch_process_item_get_name        (ScorchProcessItem *self);
const char *scorch_process_item_get_user        (ScorchProcessItem *self);
const char *scorch_process_item_get_commandline (ScorchProcessItem *self);
/* Percent of one CPU over the last refresh interval (can exceed 100). */
double      scorch_process_item_get_cpu         (ScorchProcessItem *self);
guint       scorch_process_item_get_uid         (ScorchProcessItem *self);

#define SCORCH_TYPE_PROCESS_LIST (scorch_process_list_get_type ())

G_DECLARE_FINAL_TYPE (ScorchProcessList, scorch_process_list, SCORCH, PROCESS_LIST, GObject)

ScorchProcessList *scorch_process_list_new          (void);
/* Rereads /proc: adds new processes, drops exited ones, updates CPU use.
 * Items keep their identity across refreshes (selection stays put). */
void               scorch_process_list_refresh      (ScorchProcessList *self);
/* Refreshes without blocking: as refresh() from this /proc; from the
 * host's (sysprofd) in a worker thread, merged when it is read ("refreshed"
 * then). What the picker and the timer use. */
void               scorch_process_list_update       (ScorchProcessList *self);
/* While TRUE, refreshes every INTERVAL_MS milliseconds (the picker turns
 * it on while it is mapped). */
void               scorch_process_list_set_running  (ScorchProcessList *self,
                                                     gboolean           running);
void               scorch_process_list_set_interval (ScorchProcessList *self,
                                                     guint              interval_ms);
ScorchProcessItem *scorch_process_list_find         (ScorchProcessList *self,
                                                     int                pid);
/* TRUE when the list shows the host's processes through sysprofd (inside
 * a Flatpak, or SCORCH_PROC_SOURCE=sysprofd): their PIDs are the host's. */
gboolean           scorch_process_list_get_host     (ScorchProcessList *self);

G_END_DECLS
