/* SPDX-License-Identifier: GPL-3.0-or-later */
/* app-test-util.h: main-loop and screenshot helpers shared by the tests
 * that drive the real application under Xvfb */

#pragma once

#include <gtk/gtk.h>

#include "scorch-application.h"
#include "scorch-window.h"

G_BEGIN_DECLS

typedef gboolean (*AppTestCondition) (gpointer data);

/* Iterates the main context until COND holds; fails after TIMEOUT_MS. */
void          app_test_wait_for          (AppTestCondition  cond,
                                          gpointer          data,
                                          guint             timeout_ms,
                                          const char       *what);
/* Waits until WIDGET is mapped and its surface has painted twice more, so
 * that layout, styles and icons have settled. */
void          app_test_wait_until_drawn  (GtkWidget        *widget);
/* The application's main window, activating the application if needed,
 * once it has been drawn. */
ScorchWindow *app_test_get_main_window   (ScorchApplication *app);
/* WIDGET as its renderer draws it. */
GdkTexture   *app_test_render_widget     (GtkWidget        *widget);
/* Renders WIDGET and saves it as NAME in G_TEST_BUILDDIR; returns the image. */
GdkTexture   *app_test_save_screenshot   (GtkWidget        *widget,
                                          const char       *name);

/* TRUE when a label under WIDGET that is on screen (mapped, not hidden by
 * its parent) contains TEXT. */
gboolean      app_test_label_shown       (GtkWidget        *widget,
                                          const char       *text);

G_END_DECLS
