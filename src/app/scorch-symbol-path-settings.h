/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol-path-settings.h: the Preferences' Symbol Paths (GSettings
 * keys symbol-*) as the process-wide symbol paths (scorch-symbol-paths.h)
 * that every load uses. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Applies the keys now and whenever they change (for settings' life). */
void scorch_symbol_path_settings_watch (GSettings *settings);

G_END_DECLS
