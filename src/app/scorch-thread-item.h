/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-thread-item.h: one row of the thread list */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SCORCH_TYPE_THREAD_ITEM (scorch_thread_item_get_type ())

G_DECLARE_FINAL_TYPE (ScorchThreadItem, scorch_thread_item, SCORCH, THREAD_ITEM, GObject)

ScorchThreadItem *scorch_thread_item_new         (gint32            pid,
                                                  gint32            tid,
                                                  const char       *name,
                                                  guint64           n_samples);
gint32            scorch_thread_item_get_pid     (ScorchThreadItem *self);
gint32            scorch_thread_item_get_tid     (ScorchThreadItem *self);
const char       *scorch_thread_item_get_name    (ScorchThreadItem *self);
guint64           scorch_thread_item_get_n_samples (ScorchThreadItem *self);
/* Whether the thread's samples are in the views (its check box). */
gboolean          scorch_thread_item_get_active  (ScorchThreadItem *self);
void              scorch_thread_item_set_active  (ScorchThreadItem *self,
                                                  gboolean          active);

G_END_DECLS
