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
 *   ScorchAppSearch, scorch_app_search_install_properties (pspecs, search_flags),
 *   scorch_app_search_get_property (search, which, value), scorch_app_search_clear (search)
 *       the search state the session and a flame graph each hold (query,
 *       matcher, validity) and its five properties, "search-text",
 *       "search-regex", "search-case-sensitive", "search-valid" and
 *       "search" (a ScorchSearch): installed with the same names and
 *       defaults into pspecs[0..4] ("search" with search_flags, as only a
 *       flame graph takes one from outside), and read by which, their
 *       index (the property id less the first's).
 *   scorch_app_column_view_set_single_selection (view, model)
 *       the tables' selection: model (taken) in a single selection that
 *       starts empty and can be unselected, set on view; returns it (the
 *       caller owns a reference, the view another).
 *   scorch_app_class_set_template (widget_class, children, n_children, actions, n_actions)
 *       a widget's template, named after its type (ScorchFooBar's is
 *       ui/scorch-foo-bar.ui in the app's resources), its children bound
 *       from a table of SCORCH_APP_TEMPLATE_CHILD (ScorchFooBar, field)
 *       entries (the id in the .ui is the field's name), and the actions
 *       its buttons and menus name from a table of { "name", activate }
 *       (no parameter; installed in that order, before any the class
 *       installs afterwards): what class_init spelled out a line each.
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
#include "scorch-search.h"

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
typedef struct
{
  char         *text;            /* NULL: no query */
  ScorchSearch *search;          /* the matcher; NULL: no search */
  gboolean      regex;
  gboolean      case_sensitive;
  gboolean      valid;           /* the matcher is (an invalid regex is not) */
} ScorchAppSearch;

enum
{
  SCORCH_APP_SEARCH_PROP_TEXT,
  SCORCH_APP_SEARCH_PROP_REGEX,
  SCORCH_APP_SEARCH_PROP_CASE_SENSITIVE,
  SCORCH_APP_SEARCH_PROP_VALID,
  SCORCH_APP_SEARCH_PROP_SEARCH,
  SCORCH_APP_SEARCH_N_PROPS
};

void        scorch_app_search_install_properties      (GParamSpec            **pspecs,
                                                       GParamFlags             search_flags);
void        scorch_app_search_get_property            (const ScorchAppSearch  *search,
                                                       guint                   which,
                                                       GValue                 *value);
void        scorch_app_search_clear                   (ScorchAppSearch        *search);
GtkSingleSelection *scorch_app_column_view_set_single_selection (GtkColumnView *view,
                                                                 GListModel    *model);

/* A template child: the id in the .ui (the field's name) and the field's
 * offset in the instance struct. */
typedef struct
{
  const char *name;
  gssize      offset;
} ScorchAppTemplateChild;

#define SCORCH_APP_TEMPLATE_CHILD(TypeName, field) { #field, G_STRUCT_OFFSET (TypeName, field) }

/* An action of a widget class, without a parameter. */
typedef struct
{
  const char                  *name;
  GtkWidgetActionActivateFunc  activate;
} ScorchAppAction;

void        scorch_app_class_set_template             (GtkWidgetClass               *widget_class,
                                                       const ScorchAppTemplateChild *children,
                                                       gsize                         n_children,
                                                       const ScorchAppAction        *actions,
                                                       gsize                         n_actions);

void        scorch_app_trace_begin                    (void);
void        scorch_app_trace_stage                    (const char             *stage);
void        scorch_app_trace_mark                     (const char             *what);
char       *scorch_app_trace_end                      (void);

G_END_DECLS
