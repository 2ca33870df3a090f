/* SPDX-License-Identifier: GPL-3.0-or-later */
/* xdo-test-util.h: real input events for UI tests under Xvfb: xdotool
 * sends them through XTest, as a keyboard and mouse would (GTK 4.8 cannot
 * inject events itself). GDK_BACKEND=x11 only. */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* NULL when real input works here, else why not (to skip the test). */
const char *xdo_test_unavailable   (void);
/* Gives WINDOW the keyboard focus (XSetInputFocus: Xvfb has no window manager). */
void        xdo_test_focus         (GtkWindow  *window);
/* Presses and releases KEYS, e.g. "ctrl+o", "Return", "alt+Left". */
void        xdo_test_key           (const char *keys);
/* Types TEXT as key presses. */
void        xdo_test_type          (const char *text);
/* Moves the pointer to the centre of WIDGET and clicks BUTTON (1, 2, 3). */
void        xdo_test_click         (GtkWidget  *widget,
                                    int         button);

/* Clicks BUTTON at (X, Y) in WIDGET's coordinates. */
void        xdo_test_click_at      (GtkWidget  *widget,
                                    double      x,
                                    double      y,
                                    int         button);

G_END_DECLS
