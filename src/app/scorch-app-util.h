/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-app-util.h: small pieces several app views share
 *
 * A view that shows one profile has a read-write "profile" property whose
 * get and set are the same everywhere; they live here once:
 *   scorch_app_class_install_profile_property (object_class, offset, set)
 *       installs "profile" (a ScorchProfile, explicit notify) and the
 *       class's get_property/set_property: get reads the ScorchProfile *
 *       at offset in the instance, set calls set (self, profile).
 *       Returns the pspec to notify with.  For classes with no other property.
 *   scorch_app_set_profile (&self->profile, profile)
 *       the checked swap of a view's profile: TRUE when it changed.
 *   scorch_app_set_flag (&self->flag, value), scorch_app_set_string (&self->text, s)
 *       a property's field set (a copy of s; value as 0 or 1): TRUE when it
 *       changed, so the caller updates and notifies.
 *   scorch_app_column_view_set_single_selection (view, model)
 *       the tables' selection: model (taken) in a single selection that
 *       starts empty and can be unselected, set on view; returns it (the
 *       caller owns a reference, the view another).
 *   scorch_app_trace_begin (), scorch_app_trace_mark (what), scorch_app_trace_end ()
 *       SCORCH_TRACE_TIMING=1: the main thread's CPU time between marks.
 *       A mark names the span that ended there (since the mark before);
 *       _end returns "what=ms ..." summed per name (xN: N spans), in the
 *       order first seen, and stops; marks outside a trace, or from
 *       another thread, cost a test. scorch_app_trace_stage (s) prefixes
 *       the names that follow with "s:" (NULL: none). */

#pragma once

#include <gtk/gtk.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef void (*ScorchAppProfileSetter) (gpointer       self,
                                        ScorchProfile *profile);

GParamSpec *scorch_app_class_install_profile_property (GObjectClass           *object_class,
                                                       gsize                   offset,
                                                       ScorchAppProfileSetter  set);
gboolean    scorch_app_set_profile                    (ScorchProfile         **slot,
                                                       ScorchProfile          *profile);
gboolean    scorch_app_set_flag                       (gboolean               *flag,
                                                       gboolean                value);
gboolean    scorch_app_set_string                     (char                  **slot,
                                                       const char             *value);
GtkSingleSelection *scorch_app_column_view_set_single_selection (GtkColumnView *view,
                                                                 GListModel    *model);

void        scorch_app_trace_begin                    (void);
void        scorch_app_trace_stage                    (const char             *stage);
void        scorch_app_trace_mark                     (const char             *what);
char       *scorch_app_trace_end                      (void);

G_END_DECLS
