/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-application.h: the Scorch AdwApplication */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SCORCH_TYPE_APPLICATION (scorch_application_get_type ())

G_DECLARE_FINAL_TYPE (ScorchApplication, scorch_application, SCORCH, APPLICATION, AdwApplication)

/* flags: G_APPLICATION_HANDLES_OPEN for the program; tests add
 * G_APPLICATION_NON_UNIQUE so they need no D-Bus name. */
ScorchApplication *scorch_application_new          (const char        *application_id,
                                                    GApplicationFlags  flags);
/* The application's settings (schema io.github.scorchprof.Scorch). */
GSettings         *scorch_application_get_settings (ScorchApplication *self);

G_END_DECLS
