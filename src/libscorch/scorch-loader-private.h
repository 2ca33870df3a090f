/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-loader-private.h: hooks for the loader's tests, not for the app */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Tests only: while HOLD is TRUE, each async load's worker waits before
 * it starts, and cancellation cannot interrupt it (as a libdw call
 * reading a slow file); it goes on once HOLD is FALSE again. */
void  _scorch_loader_hold_workers             (gboolean hold);
/* Tests only: async loads whose state is still alive (a worker that has
 * not finished, or a report still queued). */
guint _scorch_loader_get_n_live               (void);
/* Tests only: how often the last reference to a load's state was dropped
 * outside the caller's main context (always 0 unless there is a bug). */
guint _scorch_loader_get_n_released_elsewhere (void);

G_END_DECLS
