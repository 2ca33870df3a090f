/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-preferences-window.h: colour scheme, orientation and default view */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SCORCH_TYPE_PREFERENCES_WINDOW (scorch_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ScorchPreferencesWindow, scorch_preferences_window, SCORCH, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWindow *scorch_preferences_window_new (GtkWindow *parent);

G_END_DECLS
