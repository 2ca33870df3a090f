/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-session.c: the one owner of what a window explores (capture,
 * filters, filtered profile, selection, search); the views bind to it */

#include "config.h"

#define G_LOG_DOMAIN "scorch-session"


#include "scorch-app-util.h"
#include "scorch-session.h"

/* -- transforms -- */
#include <glib/gi18n.h>

struct _ScorchSession
{
  GObject        parent_instance;

  /* owned */
  ScorchProfile *profile;
  ScorchProfile *filtered;
  GFile         *file;
  char          *title;
  char          *subtitle;
  GArray        *tids;            /* of gint32; NULL: every thread */
  ScorchAppSearch query;          /* query.search: never NULL with query.text */
  char          *program;
  char          *program_output;
  int            exit_status;

  guint64        time_begin;
  guint64        time_end;
  double         matched_fraction;
  guint32        selected_frame;

  /* -- transforms: applied to the thread- and time-filtered view -- */
  ScorchTransformStack *transforms;
  ScorchProfile        *untransformed; /* the filters' result, before transforms */

  /* -- off-CPU: which time the views show (ScorchProfileView) -- */
  guint                 time_view;
};

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_FILE,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_FILTERED_PROFILE,
  PROP_SELECTED_FRAME,
  PROP_SEARCH_TEXT,
  PROP_SEARCH_REGEX,
  PROP_SEARCH_CASE_SENSITIVE,
  PROP_SEARCH_VALID,
  PROP_SEARCH,
  PROP_MATCHED_FRACTION,
  PROP_PROGRAM,
  PROP_PROGRAM_OUTPUT,
  PROP_EXIT_STATUS,
  /* -- off-CPU -- */
  PROP_TIME_VIEW,
  PROP_HAS_TIME_VIEWS,
  PROP_VIEW_PROFILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchSession, scorch_session, G_TYPE_OBJECT)

/* -- search -- */

static void
update_matched_fraction (ScorchSession *self)
{
  double fraction = 0.0;

  if (self->query.search != NULL && self->filtered != NULL)
    {
      guint64 total = scorch_profile_get_total (self->filtered);
      g_autoptr(GBytes) matches = NULL;
      guint64 matched = 0;

      /* Cached in the search: a graph showing this profile reuses it. */
      matches = scorch_search_dup_frame_matches (self->query.search, self->filtered, &matched);
      if (total > 0)
        fraction = (double) matched / total;
    }

  if (fraction != self->matched_fraction)
    {
      self->matched_fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCHED_FRACTION]);
    }
}

/* One ScorchSearch for the window: built here when the text or an option
 * changes, and taken by every view from the "search" property. */
static void
update_matcher (ScorchSession *self)
{
  gboolean valid = TRUE;

  g_clear_pointer (&self->query.search, scorch_search_unref);
  self->query.search = scorch_search_new_for_query (self->query.text, self->query.regex,
                                                    self->query.case_sensitive);
  if (self->query.search != NULL && !scorch_search_is_valid (self->query.search))
    {
      g_debug ("Not a valid expression: %s", scorch_search_get_error_message (self->query.search));
      valid = FALSE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);

  if (scorch_app_set_flag (&self->query.valid, valid))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_VALID]);
  update_matched_fraction (self);
}

/* A search property changed: notified with the new matcher, in one batch. */
static void
search_changed (ScorchSession *self,
                guint          prop_id)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  update_matcher (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* search-regex and search-case-sensitive: one flag of the query each, set
 * the same way (only through the properties, which the window's toggles bind). */
static void
set_search_flag (ScorchSession *self,
                 guint          prop_id,
                 gboolean       value)
{
  gboolean *flag;

  g_assert (prop_id == PROP_SEARCH_REGEX || prop_id == PROP_SEARCH_CASE_SENSITIVE);

  flag = prop_id == PROP_SEARCH_REGEX ? &self->query.regex : &self->query.case_sensitive;
  if (scorch_app_set_flag (flag, value))
    search_changed (self, prop_id);
}

/* -- transforms -- */

/* filtered-profile: the filters' view with the applied transforms (cached
 * per step by the stack, so undo and redo are instant). */
static void
retransform (ScorchSession *self)
{
  g_autoptr(ScorchProfile) view = NULL;

  if (self->untransformed != NULL)
    view = scorch_transform_stack_apply (self->transforms, self->untransformed);

  if (g_set_object (&self->filtered, view))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTERED_PROFILE]);
      update_matched_fraction (self);
    }
}

/* -- filtering -- */

/* -- off-CPU: the profile of the time view shown (On-CPU: the capture's) -- */
static ScorchProfile *
time_view_source (ScorchSession *self)
{
  ScorchProfile *view;

  if (self->profile == NULL)
    return NULL;
  view = scorch_profile_get_view (self->profile, self->time_view);
  return view != NULL ? view : self->profile;
}

static void
refilter (ScorchSession *self)
{
  g_autoptr(ScorchProfile) view = NULL;
  gboolean has_range = self->time_begin != 0 || self->time_end != G_MAXUINT64;
  ScorchProfile *source = time_view_source (self);

  if (source == NULL)
    view = NULL;
  else if (self->tids == NULL && !has_range)
    view = g_object_ref (source);
  else if (self->tids != NULL && self->tids->len == 0)
    {
      /* No thread chosen: an empty view, not "every thread". */
      gint32 none = G_MININT32;

      view = scorch_profile_filter (source, &none, 1, self->time_begin, self->time_end);
    }
  else
    view = scorch_profile_filter (source,
                                  self->tids != NULL ? (const gint32 *) (gpointer) self->tids->data : NULL,
                                  self->tids != NULL ? self->tids->len : 0,
                                  self->time_begin, self->time_end);

  g_set_object (&self->untransformed, view);
  retransform (self);
}

/* -- GObject -- */

static void
scorch_session_dispose (GObject *object)
{
  ScorchSession *self = SCORCH_SESSION (object);

  g_clear_object (&self->filtered);
  g_clear_object (&self->profile);
  /* -- transforms -- */
  g_clear_object (&self->untransformed);
  if (self->transforms != NULL)
    g_signal_handlers_disconnect_by_func (self->transforms, retransform, self);
  g_clear_object (&self->transforms);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (scorch_session_parent_class)->dispose (object);
}

static void
scorch_session_finalize (GObject *object)
{
  ScorchSession *self = SCORCH_SESSION (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->subtitle, g_free);
  g_clear_pointer (&self->tids, g_array_unref);
  scorch_app_search_clear (&self->query);
  g_clear_pointer (&self->program, g_free);
  g_clear_pointer (&self->program_output, g_free);

  G_OBJECT_CLASS (scorch_session_parent_class)->finalize (object);
}

static void
scorch_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ScorchSession *self = SCORCH_SESSION (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_object (value, self->profile);
      break;
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_FILTERED_PROFILE:
      g_value_set_object (value, self->filtered);
      break;
    case PROP_SELECTED_FRAME:
      g_value_set_uint (value, self->selected_frame);
      break;
    case PROP_SEARCH_TEXT ... PROP_SEARCH:
      scorch_app_search_get_property (&self->query, prop_id - PROP_SEARCH_TEXT, value);
      break;
    case PROP_MATCHED_FRACTION:
      g_value_set_double (value, self->matched_fraction);
      break;
    case PROP_PROGRAM:
      g_value_set_string (value, self->program);
      break;
    case PROP_PROGRAM_OUTPUT:
      g_value_set_string (value, self->program_output);
      break;
    case PROP_EXIT_STATUS:
      g_value_set_int (value, self->exit_status);
      break;
    case PROP_TIME_VIEW:
      g_value_set_uint (value, self->time_view);
      break;
    case PROP_HAS_TIME_VIEWS:
      g_value_set_boolean (value, scorch_session_has_time_views (self));
      break;
    case PROP_VIEW_PROFILE:
      g_value_set_object (value, time_view_source (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ScorchSession *self = SCORCH_SESSION (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      scorch_session_set_profile (self, g_value_get_object (value));
      break;
    case PROP_FILE:
      scorch_session_set_file (self, g_value_get_object (value));
      break;
    case PROP_TITLE:
      scorch_session_set_title (self, g_value_get_string (value));
      break;
    case PROP_SUBTITLE:
      scorch_session_set_subtitle (self, g_value_get_string (value));
      break;
    case PROP_SELECTED_FRAME:
      scorch_session_set_selected_frame (self, g_value_get_uint (value));
      break;
    case PROP_SEARCH_TEXT:
      scorch_session_set_search_text (self, g_value_get_string (value));
      break;
    case PROP_SEARCH_REGEX:
    case PROP_SEARCH_CASE_SENSITIVE:
      set_search_flag (self, prop_id, g_value_get_boolean (value));
      break;
    case PROP_TIME_VIEW:
      scorch_session_set_time_view (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_session_class_init (ScorchSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = scorch_session_dispose;
  object_class->finalize = scorch_session_finalize;
  object_class->get_property = scorch_session_get_property;
  object_class->set_property = scorch_session_set_property;

  properties[PROP_PROFILE] =
    g_param_spec_object ("profile", NULL, NULL, SCORCH_TYPE_PROFILE, rw);
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE, rw);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_SUBTITLE] =
    g_param_spec_string ("subtitle", NULL, NULL, NULL, rw);
  properties[PROP_FILTERED_PROFILE] =
    g_param_spec_object ("filtered-profile", NULL, NULL, SCORCH_TYPE_PROFILE, ro);
  properties[PROP_SELECTED_FRAME] =
    g_param_spec_uint ("selected-frame", NULL, NULL, 0, G_MAXUINT32, SCORCH_NODE_NONE, rw);
  /* the matcher is the session's own, made from the query */
  scorch_app_search_install_properties (&properties[PROP_SEARCH_TEXT], ro);
  properties[PROP_MATCHED_FRACTION] =
    g_param_spec_double ("matched-fraction", NULL, NULL, 0.0, 1.0, 0.0, ro);
  properties[PROP_PROGRAM] =
    g_param_spec_string ("program", NULL, NULL, NULL, ro);
  properties[PROP_PROGRAM_OUTPUT] =
    g_param_spec_string ("program-output", NULL, NULL, NULL, ro);
  properties[PROP_EXIT_STATUS] =
    g_param_spec_int ("exit-status", NULL, NULL, -1, G_MAXINT, -1, ro);
  /* -- off-CPU -- */
  properties[PROP_TIME_VIEW] =
    g_param_spec_uint ("time-view", NULL, NULL, SCORCH_PROFILE_VIEW_ON_CPU, SCORCH_PROFILE_VIEW_WALL,
                       SCORCH_PROFILE_VIEW_ON_CPU, rw);
  properties[PROP_HAS_TIME_VIEWS] =
    g_param_spec_boolean ("has-time-views", NULL, NULL, FALSE, ro);
  properties[PROP_VIEW_PROFILE] =
    g_param_spec_object ("view-profile", NULL, NULL, SCORCH_TYPE_PROFILE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
scorch_session_init (ScorchSession *self)
{
  self->selected_frame = SCORCH_NODE_NONE;
  self->time_end = G_MAXUINT64;
  self->query.valid = TRUE;
  self->exit_status = -1;
  /* -- transforms -- */
  self->transforms = scorch_transform_stack_new ();
  g_signal_connect_swapped (self->transforms, "changed", G_CALLBACK (retransform), self);
}

ScorchSession *
scorch_session_new (void)
{
  return g_object_new (SCORCH_TYPE_SESSION, NULL);
}

/* -- the capture -- */

ScorchProfile *
scorch_session_get_profile (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->profile;
}

void
scorch_session_set_profile (ScorchSession *self,
                            ScorchProfile *profile)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  if (!scorch_app_set_profile (&self->profile, profile))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  /* A new capture starts unfiltered, with nothing selected. */
  g_clear_pointer (&self->tids, g_array_unref);
  self->time_begin = 0;
  self->time_end = G_MAXUINT64;
  scorch_session_set_selected_frame (self, SCORCH_NODE_NONE);
  scorch_session_set_recording (self, NULL, NULL, -1);
  /* -- transforms: a new capture starts untransformed -- */
  g_signal_handlers_block_by_func (self->transforms, retransform, self);
  scorch_transform_stack_clear (self->transforms);
  g_signal_handlers_unblock_by_func (self->transforms, retransform, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
  /* -- off-CPU: a capture without switch events shows CPU time -- */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_TIME_VIEWS]);
  if (!scorch_session_has_time_views (self) && self->time_view != SCORCH_PROFILE_VIEW_ON_CPU)
    {
      self->time_view = SCORCH_PROFILE_VIEW_ON_CPU;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_VIEW]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_PROFILE]);
  refilter (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* -- off-CPU: On-CPU, Off-CPU or Wall clock time -- */

gboolean
scorch_session_has_time_views (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), FALSE);

  return self->profile != NULL &&
         scorch_profile_get_view (self->profile, SCORCH_PROFILE_VIEW_OFF_CPU) != NULL;
}

guint
scorch_session_get_time_view (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), SCORCH_PROFILE_VIEW_ON_CPU);

  return self->time_view;
}

void
scorch_session_set_time_view (ScorchSession *self,
                              guint          view)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));
  g_return_if_fail (view <= SCORCH_PROFILE_VIEW_WALL);

  if (self->time_view == view)
    return;
  self->time_view = view;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_VIEW]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_PROFILE]);
  /* the frame ids are the same in every view: the selection stays */
  refilter (self);
  g_object_thaw_notify (G_OBJECT (self));
}

ScorchProfile *
scorch_session_get_view_profile (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return time_view_source (self);
}

GFile *
scorch_session_get_file (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->file;
}

void
scorch_session_set_file (ScorchSession *self,
                         GFile         *file)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_set_object (&self->file, file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);

  if (file != NULL)
    {
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *name = path != NULL ? g_filename_display_basename (path) : g_file_get_uri (file);
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *dir = parent != NULL ? g_file_get_parse_name (parent) : NULL;

      scorch_session_set_title (self, name);
      scorch_session_set_subtitle (self, dir);
    }
  else
    {
      scorch_session_set_title (self, NULL);
      scorch_session_set_subtitle (self, NULL);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
scorch_session_get_title (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->title;
}

void
scorch_session_set_title (ScorchSession *self,
                          const char    *title)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  if (scorch_app_set_string (&self->title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
scorch_session_get_subtitle (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->subtitle;
}

void
scorch_session_set_subtitle (ScorchSession *self,
                             const char    *subtitle)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  if (scorch_app_set_string (&self->subtitle, subtitle))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

void
scorch_session_clear (ScorchSession *self)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  g_object_freeze_notify (G_OBJECT (self));
  scorch_session_set_profile (self, NULL);
  scorch_session_set_file (self, NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

/* -- a recording's program -- */

void
scorch_session_set_recording (ScorchSession *self,
                              const char    *program,
                              const char    *output,
                              int            exit_status)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (scorch_app_set_string (&self->program, program))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRAM]);
  if (scorch_app_set_string (&self->program_output, output))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRAM_OUTPUT]);
  if (exit_status != self->exit_status)
    {
      self->exit_status = exit_status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_STATUS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
scorch_session_get_program (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->program;
}

const char *
scorch_session_get_program_output (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->program_output;
}

int
scorch_session_get_exit_status (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), -1);

  return self->exit_status;
}

/* -- filters -- */

ScorchProfile *
scorch_session_get_filtered_profile (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->filtered;
}

void
scorch_session_set_thread_filter (ScorchSession *self,
                                  const gint32  *tids,
                                  int            n_tids)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));
  g_return_if_fail (n_tids <= 0 || tids != NULL);

  g_clear_pointer (&self->tids, g_array_unref);
  if (n_tids >= 0)
    {
      self->tids = g_array_sized_new (FALSE, FALSE, sizeof (gint32), n_tids);
      g_array_append_vals (self->tids, tids, n_tids);
    }
  refilter (self);
}

void
scorch_session_set_time_range (ScorchSession *self,
                               guint64        begin,
                               guint64        end)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  if (begin == self->time_begin && end == self->time_end)
    return;
  self->time_begin = begin;
  self->time_end = end;
  refilter (self);
}

/* -- selection -- */

guint32
scorch_session_get_selected_frame (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), SCORCH_NODE_NONE);

  return self->selected_frame;
}

void
scorch_session_set_selected_frame (ScorchSession *self,
                                   guint32        frame)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  if (frame == self->selected_frame)
    return;
  self->selected_frame = frame;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_FRAME]);
}

/* -- search -- */

const char *
scorch_session_get_search_text (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->query.text;
}

void
scorch_session_set_search_text (ScorchSession *self,
                                const char    *text)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));

  if (text != NULL && text[0] == '\0')
    text = NULL;
  if (scorch_app_set_string (&self->query.text, text))
    search_changed (self, PROP_SEARCH_TEXT);
}

gboolean
scorch_session_get_search_valid (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), FALSE);

  return self->query.valid;
}

double
scorch_session_get_matched_fraction (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), 0.0);

  return self->matched_fraction;
}

gboolean
scorch_session_search_matches (ScorchSession *self,
                               const char    *function)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), FALSE);
  g_return_val_if_fail (function != NULL, FALSE);

  if (self->query.search == NULL)
    return TRUE;
  return scorch_search_match (self->query.search, function);
}

ScorchSearch *
scorch_session_get_search (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->query.search;
}

/* -- transforms -- */

ScorchTransformStack *
scorch_session_get_transforms (ScorchSession *self)
{
  g_return_val_if_fail (SCORCH_IS_SESSION (self), NULL);

  return self->transforms;
}

void
scorch_session_push_transform (ScorchSession   *self,
                               ScorchTransform *transform)
{
  g_return_if_fail (SCORCH_IS_SESSION (self));
  g_return_if_fail (transform != NULL);

  scorch_transform_stack_push (self->transforms, transform);
}

GFile *
scorch_session_dup_transforms_file (GFile *capture)
{
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) parent = NULL;

  g_return_val_if_fail (G_IS_FILE (capture), NULL);

  base = g_file_get_basename (capture);
  parent = g_file_get_parent (capture);
  if (base == NULL || parent == NULL)
    return NULL;
  name = g_strconcat (base, ".scorch-transforms", NULL);
  return g_file_get_child (parent, name);
}

typedef gboolean (*SidecarIO) (ScorchSession  *self,
                               GFile          *sidecar,
                               GError        **error);

/* Saving and loading the transforms both check their arguments and find
 * the sidecar; a capture without one (no name or folder) has nothing to do. */
static gboolean
with_sidecar (ScorchSession  *self,
              GFile          *capture,
              SidecarIO       io,
              GError        **error)
{
  g_autoptr(GFile) sidecar = NULL;

  g_return_val_if_fail (SCORCH_IS_SESSION (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (capture), FALSE);

  sidecar = scorch_session_dup_transforms_file (capture);
  if (sidecar == NULL)
    return TRUE;
  return io (self, sidecar, error);
}

static gboolean
save_sidecar (ScorchSession  *self,
              GFile          *sidecar,
              GError        **error)
{
  g_autofree char *json = NULL;
  gsize len;

  if (scorch_transform_stack_get_n_applied (self->transforms) == 0)
    {
      g_autoptr(GError) local = NULL;

      /* No transform: a list left from an earlier save would come back. */
      if (!g_file_delete (sidecar, NULL, &local) && !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return TRUE;
    }
  json = scorch_transform_stack_to_json (self->transforms, &len);
  return g_file_replace_contents (sidecar, json, len, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, error);
}

gboolean
scorch_session_save_transforms (ScorchSession  *self,
                                GFile          *capture,
                                GError        **error)
{
  return with_sidecar (self, capture, save_sidecar, error);
}

static gboolean
load_sidecar (ScorchSession  *self,
              GFile          *sidecar,
              GError        **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *data = NULL;
  gsize len;

  info = g_file_query_info (sidecar, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local);
  if (info == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* Untrusted: a regular file of bounded size only (never a FIFO or device). */
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR ||
      g_file_info_get_size (info) > SCORCH_TRANSFORMS_MAX_FILE_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The saved transforms are not a regular file of at most 1 MiB"));
      return FALSE;
    }
  if (!g_file_load_contents (sidecar, NULL, &data, &len, NULL, error))
    return FALSE;
  list = scorch_transforms_from_json (data, len, error);
  if (list == NULL)
    return FALSE;
  scorch_transform_stack_set (self->transforms, (ScorchTransform * const *) list->pdata, list->len);
  return TRUE;
}

gboolean
scorch_session_load_transforms (ScorchSession  *self,
                                GFile          *capture,
                                GError        **error)
{
  return with_sidecar (self, capture, load_sidecar, error);
}
