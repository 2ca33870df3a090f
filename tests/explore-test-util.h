/* SPDX-License-Identifier: GPL-3.0-or-later */
/* explore-test-util.h: shared helpers of the explore views' UI tests */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

/* A profile with a known shape, 100 samples:
 *   tid 100 "main-thread", t in [1 s, 2 s): main;compute;hot_leaf x60, main;compute;warm x25
 *   tid 101 "worker",      t in [2 s, 3 s): main;io_wait x10, main;Parse_Config x5 */
ScorchProfile *explore_test_profile        (void);
/* Frame id of the function NAME in PROFILE (fails the test when absent). */
guint32        explore_test_frame          (ScorchProfile *profile,
                                            const char    *name);
/* A window holding WIDGET at the given size, presented and drawn. */
GtkWindow     *explore_test_window         (GtkWidget     *widget,
                                            int            width,
                                            int            height);
/* The first mapped GtkInscription below WIDGET showing TEXT, or NULL:
 * a list cell a person can see (a recycled row kept unmapped does not count). */
GtkWidget     *explore_test_find_inscription (GtkWidget   *widget,
                                              const char  *text);
/* Iterates the main loop until WIDGET has painted twice. */
void           explore_test_wait_drawn     (GtkWidget     *widget);
/* Iterates the main loop for MS milliseconds. */
void           explore_test_run_for        (guint          ms);
/* Iterates the main loop until COND (DATA) holds; fails the test, naming
 * WHAT, after 30 s (a wait for a state, not a guess at how long it takes
 * on a loaded machine). */
void           explore_test_wait_for       (gboolean     (*cond) (gpointer data),
                                            gpointer       data,
                                            const char    *what);
/* Saves a PNG of WIDGET's window in G_TEST_BUILDDIR; returns the share of
 * pixels differing from the most common colour (a blank shot is ~0). */
double         explore_test_screenshot     (GtkWidget     *widget,
                                            const char    *name);
/* Switches libadwaita-free GTK between light and dark (gtk-application-prefer-dark-theme). */
void           explore_test_set_dark       (gboolean       dark);

G_END_DECLS
