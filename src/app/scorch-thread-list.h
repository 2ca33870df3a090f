/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-thread-list.h: the threads of a capture, with check boxes */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_THREAD_LIST (scorch_thread_list_get_type ())

G_DECLARE_FINAL_TYPE (ScorchThreadList, scorch_thread_list, SCORCH, THREAD_LIST, GtkWidget)

GtkWidget     *scorch_thread_list_new              (void);
ScorchProfile *scorch_thread_list_get_profile      (ScorchThreadList *self);
/* The whole capture (not a filtered view): every thread is listed, checked. */
void           scorch_thread_list_set_profile      (ScorchThreadList *self,
                                                    ScorchProfile    *profile);
/* The tids of checked threads, or NULL when every thread is checked (no
 * filter). When none is checked, an empty array. */
GArray        *scorch_thread_list_dup_selected_tids (ScorchThreadList *self);
/* Checks only TID (or every thread when TID is -1). */
void           scorch_thread_list_select_only      (ScorchThreadList *self,
                                                    gint32            tid);
/* Checks only the threads of process PID (or every thread when PID is -1). */
void           scorch_thread_list_select_process   (ScorchThreadList *self,
                                                    gint32            pid);
void           scorch_thread_list_set_thread_active (ScorchThreadList *self,
                                                    gint32            tid,
                                                    gboolean          active);
/* Of ScorchThreadItem, as shown. */
GListModel    *scorch_thread_list_get_model        (ScorchThreadList *self);

G_END_DECLS
