/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window.c: the main window: opening and loading a capture, the
 * linked views (flame graph, icicle, call tree, caller/callee, hotspots),
 * search, thread and time filters, save and export, window state */

#include "config.h"

#define G_LOG_DOMAIN "scorch-window"

#include <glib/gi18n.h>
#include <string.h>

#include "scorch-call-tree-view.h"
#include "scorch-caller-callee-view.h"
#include "scorch-flame-breadcrumbs.h"
#include "scorch-flame-graph.h"
#include "scorch-folded.h"
#include "scorch-function-item.h"
#include "scorch-hotspot-view.h"
#include "scorch-loader.h"
#include "scorch-preferences-window.h"
#include "scorch-text.h"
#include "scorch-thread-list.h"
#include "scorch-timeline.h"
#include "scorch-window-private.h"
#include "scorch-window.h"
#include "scorch-summary-view.h"

/* A share of truncated stacks above which the status line explains why. */
#define TRUNCATED_HINT_THRESHOLD 0.10

struct _ScorchWindow
{
  AdwApplicationWindow    parent_instance;

  /* template widgets */
  AdwHeaderBar           *header_bar;
  GtkButton              *record_button;
  GtkButton              *open_button;
  GtkMenuButton          *primary_menu_button;
  GtkMenuButton          *export_menu_button;
  GtkToggleButton        *search_button;
  AdwWindowTitle         *window_title;
  AdwToastOverlay        *toast_overlay;
  GtkStack               *stack;
  AdwStatusPage          *empty_page;
  AdwStatusPage          *loading_page;
  GtkProgressBar         *load_progress;
  AdwStatusPage          *error_page;
  GtkSearchBar           *search_bar;
  GtkSearchEntry         *search_entry;
  GtkToggleButton        *regex_button;
  GtkToggleButton        *case_button;
  GtkLabel               *search_status;
  GtkPaned               *main_paned;
  AdwViewStack           *view_stack;
  ScorchFlameGraph       *flame_graph;
  ScorchFlameGraph       *icicle_graph;
  ScorchCallTreeView     *call_tree_view;
  ScorchCallerCalleeView *caller_callee_view;
  ScorchHotspotView      *hotspot_view;
  ScorchThreadList       *thread_list;
  ScorchTimeline         *timeline;
  GtkLabel               *status_label;
  GtkLabel               *status_hint;
  ScorchSummaryView      *summary_view;
  GMenu                  *recent_section;

  /* owned */
  GSettings              *settings;
  GFile                  *file;          /* the capture shown, or being loaded */
  GFile                  *loaded_file;   /* the capture shown */
  ScorchProfile          *base_profile;  /* the whole capture */
  ScorchProfile          *view_profile;  /* filtered by threads and time */
  GCancellable           *load_cancellable;

  guint                   syncing_selection : 1;
  guint                   loading : 1;
};

G_DEFINE_FINAL_TYPE (ScorchWindow, scorch_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROFILE_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_actions (ScorchWindow *self);

/* -- helpers -- */

/* MESSAGE is plain text (it may quote file and module names): toast
 * titles are Pango markup, so it is escaped here, XML-safe. */
static void
toast (ScorchWindow *self,
       const char   *message)
{
  g_autofree char *markup = scorch_text_to_xml (message);
  AdwToast *t = adw_toast_new (markup);

  adw_toast_set_timeout (t, 8);
  scorch_window_add_toast (self, t);
}

static char *
display_name (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  return path != NULL ? g_filename_display_basename (path) : g_file_get_uri (file);
}

static ScorchFlameGraph *
current_flame_graph (ScorchWindow *self)
{
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

  return g_strcmp0 (page, "icicle") == 0 ? self->icicle_graph : self->flame_graph;
}

/* The node with the most samples among those of FRAME in PROFILE. */
static guint32
hottest_node (ScorchProfile *profile,
              guint32        frame)
{
  const ScorchNode *nodes;
  const guint64 *total;
  guint n_nodes = 0;
  guint32 best = SCORCH_NODE_NONE;

  if (profile == NULL || frame == SCORCH_NODE_NONE)
    return SCORCH_NODE_NONE;
  nodes = scorch_profile_get_nodes (profile, &n_nodes);
  total = scorch_profile_get_node_total (profile);
  for (guint i = 1; i < n_nodes; i++)
    if (nodes[i].frame == frame && total[i] > 0 &&
        (best == SCORCH_NODE_NONE || total[i] > total[best]))
      best = i;
  return best;
}

/* -- status line -- */

static void
update_status (ScorchWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const ScorchProfileInfo *info;
  const ScorchThread *threads;
  guint n_threads = 0, n_active = 0;
  guint64 begin = 0, end = 0, total, all;
  g_autofree char *samples = NULL;

  if (self->view_profile == NULL)
    {
      gtk_label_set_text (self->status_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->status_hint), FALSE);
      return;
    }

  info = scorch_profile_get_info (self->base_profile);
  total = scorch_profile_get_total (self->view_profile);
  all = scorch_profile_get_n_all_samples (self->base_profile);
  threads = scorch_profile_get_threads (self->view_profile, &n_threads);
  for (guint i = 0; i < n_threads; i++)
    if (threads[i].n_samples > 0)
      n_active++;

  samples = scorch_format_count (total);
  if (total != all)
    {
      g_autofree char *all_text = scorch_format_count (all);
      /* Translators: samples in the current selection, of all samples */
      g_string_append_printf (text, _("%s of %s samples"), samples, all_text);
    }
  else
    /* Translators: number of samples in the capture */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%s sample", "%s samples", total), samples);

  scorch_profile_get_time_bounds (self->base_profile, &begin, &end);
  if (end > begin)
    {
      g_string_append (text, "  ·  ");
      /* Translators: duration of the capture in seconds */
      g_string_append_printf (text, _("%.2f s"), (end - begin) / 1e9);
    }

  g_string_append (text, "  ·  ");
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u thread", "%u threads", n_active), n_active);

  g_string_append (text, "  ·  ");
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%" G_GUINT64_FORMAT " lost sample",
                                             "%" G_GUINT64_FORMAT " lost samples", info->n_lost),
                          info->n_lost);

  if (all > 0)
    {
      double truncated = (double) info->n_truncated / all;

      g_string_append (text, "  ·  ");
      /* Translators: share of stacks that did not reach their thread's start */
      g_string_append_printf (text, _("%.1f %% truncated stacks"), 100.0 * truncated);

      gtk_widget_set_visible (GTK_WIDGET (self->status_hint), truncated > TRUNCATED_HINT_THRESHOLD);
      if (truncated > TRUNCATED_HINT_THRESHOLD)
        {
          /* What the diagnostics found, as a link to the summary page. */
          g_autofree char *markup = scorch_summary_view_dup_hint_markup (info->diagnostics);

          gtk_label_set_markup (self->status_hint, markup);
          gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_hint), _("Open the capture summary"));
        }
    }

  gtk_label_set_text (self->status_label, text->str);
}

/* What the loader read around (an unfinished capture, a damaged header
 * section, samples of unknown events): one toast each. */
static void
report_capture_warnings (ScorchWindow *self)
{
  const ScorchProfileInfo *info = scorch_profile_get_info (self->base_profile);

  for (guint i = 0; info->warnings != NULL && i < info->warnings->len; i++)
    toast (self, g_ptr_array_index (info->warnings, i));
}

/* Functions nothing could name come from modules without symbols: say
 * which, once per capture, and what would fix it. */
static void
report_missing_symbols (ScorchWindow *self)
{
  g_autoptr(GHashTable) modules = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *message = NULL;
  const ScorchHotspot *hotspots;
  guint n_hotspots = 0, n_listed = 0;
  guint64 unknown = 0, total;
  GHashTableIter iter;
  gpointer key;

  hotspots = scorch_profile_get_hotspots (self->base_profile, &n_hotspots);
  total = scorch_profile_get_total (self->base_profile);
  for (guint i = 0; i < n_hotspots; i++)
    {
      const ScorchFrame *f = scorch_profile_get_frame (self->base_profile, hotspots[i].frame);

      if (f->kind != SCORCH_FRAME_KIND_UNKNOWN)
        continue;
      unknown += hotspots[i].self;
      if (f->module != NULL && f->module[0] != '\0')
        g_hash_table_add (modules, (gpointer) f->module);
    }

  /* A few unnamed frames are normal (JIT stubs, vDSO): only speak up when
   * they hold a noticeable share of the time. */
  if (total == 0 || unknown * 20 < total || g_hash_table_size (modules) == 0)
    return;

  g_hash_table_iter_init (&iter, modules);
  while (g_hash_table_iter_next (&iter, &key, NULL) && n_listed < 3)
    {
      g_autofree char *base = g_path_get_basename (key);

      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, base);
      n_listed++;
    }
  if (g_hash_table_size (modules) > n_listed)
    g_string_append (list, ", …");

  /* Translators: %s is a list of programs or libraries */
  message = g_strdup_printf (_("No function names for %s: install their debug symbols "
                               "(the -dbgsym or -debuginfo packages) or set DEBUGINFOD_URLS, "
                               "then open the capture again"),
                             list->str);
  toast (self, message);
}

/* -- filtering and linked views -- */

static void
set_view_profile (ScorchWindow  *self,
                  ScorchProfile *profile)
{
  guint32 frame = scorch_hotspot_view_get_selected_frame (self->hotspot_view);

  g_set_object (&self->view_profile, profile);

  self->syncing_selection = TRUE;
  scorch_flame_graph_set_profile (self->flame_graph, profile);
  scorch_flame_graph_set_profile (self->icicle_graph, profile);
  scorch_call_tree_view_set_profile (self->call_tree_view, profile);
  scorch_caller_callee_view_set_profile (self->caller_callee_view, profile);
  scorch_hotspot_view_set_profile (self->hotspot_view, profile);
  self->syncing_selection = FALSE;

  /* The selected function stays selected in the new view. */
  if (frame != SCORCH_NODE_NONE && profile != NULL)
    scorch_hotspot_view_set_selected_frame (self->hotspot_view, frame);

  update_status (self);
}

static void
apply_filter (ScorchWindow *self)
{
  g_autoptr(GArray) tids = NULL;
  g_autoptr(ScorchProfile) view = NULL;
  guint64 begin = 0, end = G_MAXUINT64;
  gboolean has_range;

  if (self->base_profile == NULL)
    return;

  tids = scorch_thread_list_dup_selected_tids (self->thread_list);
  has_range = scorch_timeline_get_range (self->timeline, &begin, &end);

  if (tids != NULL)
    scorch_timeline_set_active_tids (self->timeline, (const gint32 *) (gpointer) tids->data, tids->len);
  else
    scorch_timeline_set_active_tids (self->timeline, NULL, 0);

  if (tids == NULL && !has_range)
    view = g_object_ref (self->base_profile);
  else if (tids != NULL && tids->len == 0)
    {
      /* No thread checked: an empty view, not "every thread". */
      gint32 none = G_MININT32;
      view = scorch_profile_filter (self->base_profile, &none, 1, begin, end);
    }
  else
    view = scorch_profile_filter (self->base_profile,
                                  tids != NULL ? (const gint32 *) (gpointer) tids->data : NULL,
                                  tids != NULL ? tids->len : 0,
                                  begin, end);

  set_view_profile (self, view);
}

static void
threads_changed_cb (ScorchWindow *self)
{
  apply_filter (self);
}

static void
range_changed_cb (ScorchWindow *self,
                  guint64       begin,
                  guint64       end)
{
  apply_filter (self);
}

static void
select_in_graph (ScorchWindow     *self,
                 ScorchFlameGraph *graph,
                 guint32           frame)
{
  ScorchProfile *shown = scorch_flame_graph_get_displayed_profile (graph);
  guint32 node = hottest_node (shown, frame);

  scorch_flame_graph_set_selected_node (graph, node);
}

static void
hotspot_selected_cb (ScorchWindow *self)
{
  guint32 frame = scorch_hotspot_view_get_selected_frame (self->hotspot_view);

  /* The selected row's function: all its frames, in both graphs, also
   * when the row follows a frame selected in a graph. */
  scorch_flame_graph_set_highlight_frame (self->flame_graph, frame);
  scorch_flame_graph_set_highlight_frame (self->icicle_graph, frame);

  if (self->syncing_selection)
    return;

  self->syncing_selection = TRUE;
  select_in_graph (self, self->flame_graph, frame);
  select_in_graph (self, self->icicle_graph, frame);
  if (frame != SCORCH_NODE_NONE)
    scorch_caller_callee_view_set_frame (self->caller_callee_view, frame);
  self->syncing_selection = FALSE;
}

static void
hotspot_activated_cb (ScorchWindow *self,
                      guint         frame)
{
  ScorchFlameGraph *graph = current_flame_graph (self);
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);
  guint32 node;

  /* From the call tree or caller/callee pages, zoom in the flame graph. */
  if (g_strcmp0 (page, "flame-graph") != 0 && g_strcmp0 (page, "icicle") != 0)
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "flame-graph");
      graph = self->flame_graph;
    }

  node = hottest_node (scorch_flame_graph_get_displayed_profile (graph), frame);
  if (node != SCORCH_NODE_NONE)
    {
      scorch_flame_graph_set_zoom_node (graph, node);
      scorch_flame_graph_set_selected_node (graph, node);
    }
}

static void
graph_selection_changed_cb (ScorchWindow     *self,
                            ScorchFlameGraph *graph)
{
  ScorchProfile *shown = scorch_flame_graph_get_displayed_profile (graph);
  guint32 node = scorch_flame_graph_get_selected_node (graph);
  const ScorchNode *nodes;
  guint n_nodes = 0;

  if (self->syncing_selection || shown == NULL || node == SCORCH_NODE_NONE)
    return;

  nodes = scorch_profile_get_nodes (shown, &n_nodes);
  if (node == SCORCH_PROFILE_ROOT || node >= n_nodes)
    return;

  self->syncing_selection = TRUE;
  scorch_hotspot_view_set_selected_frame (self->hotspot_view, nodes[node].frame);
  scorch_caller_callee_view_set_frame (self->caller_callee_view, nodes[node].frame);
  self->syncing_selection = FALSE;
}

static void
call_tree_selected_cb (ScorchWindow *self)
{
  guint32 frame = scorch_call_tree_view_get_selected_frame (self->call_tree_view);

  if (!self->syncing_selection && frame != SCORCH_NODE_NONE)
    scorch_hotspot_view_set_selected_frame (self->hotspot_view, frame);
}

static void
call_tree_activated_cb (ScorchWindow *self,
                        guint         node)
{
  if (node == SCORCH_NODE_NONE)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "flame-graph");
  scorch_flame_graph_set_zoom_node (self->flame_graph, node);
  scorch_flame_graph_set_selected_node (self->flame_graph, node);
}

static void
caller_callee_frame_cb (ScorchWindow *self)
{
  guint32 frame = scorch_caller_callee_view_get_frame (self->caller_callee_view);

  if (!self->syncing_selection && frame != SCORCH_NODE_NONE)
    scorch_hotspot_view_set_selected_frame (self->hotspot_view, frame);
}

/* -- search -- */

static void
update_search_status (ScorchWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  ScorchFlameGraph *graph = current_flame_graph (self);
  g_autofree char *status = NULL;

  if (text == NULL || text[0] == '\0')
    status = g_strdup ("");
  else if (!scorch_flame_graph_get_search_valid (graph))
    status = g_strdup (_("Not a valid regular expression"));
  else
    /* Translators: share of the samples under functions matching the search */
    status = g_strdup_printf (_("%.1f %% of samples match"),
                              100.0 * scorch_flame_graph_get_matched_fraction (graph));

  gtk_label_set_text (self->search_status, status);
}

static void
search_changed_cb (ScorchWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  gboolean regex = gtk_toggle_button_get_active (self->regex_button);
  gboolean case_sensitive = gtk_toggle_button_get_active (self->case_button);
  ScorchFlameGraph *graphs[] = { self->flame_graph, self->icicle_graph };

  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++)
    {
      scorch_flame_graph_set_search_regex (graphs[i], regex);
      scorch_flame_graph_set_search_case_sensitive (graphs[i], case_sensitive);
      scorch_flame_graph_set_search_text (graphs[i], text);
    }

  scorch_hotspot_view_set_use_regex (self->hotspot_view, regex);
  scorch_hotspot_view_set_case_sensitive (self->hotspot_view, case_sensitive);
  scorch_hotspot_view_set_search_text (self->hotspot_view, text);

  update_search_status (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* -- loading -- */

static void
load_progress_cb (double   fraction,
                  guint64  n_samples,
                  gpointer user_data)
{
  ScorchWindow *self = user_data;
  g_autofree char *text = NULL;
  g_autofree char *count = scorch_format_count (n_samples);

  gtk_progress_bar_set_fraction (self->load_progress, CLAMP (fraction, 0.0, 1.0));
  if (n_samples > 0)
    /* Translators: progress while loading, %s is a number of samples */
    text = g_strdup_printf (_("%.0f %% — %s samples"), 100.0 * CLAMP (fraction, 0.0, 1.0), count);
  else
    text = g_strdup_printf (_("%.0f %%"), 100.0 * CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->load_progress, text);
}

static void
show_error (ScorchWindow *self,
            GFile        *file,
            const GError *error)
{
  g_autofree char *name = display_name (file);
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  /* The message may quote names from the capture: valid markup whatever they hold. */
  g_autofree char *escaped_message = scorch_text_to_xml (error->message);
  g_autofree char *escaped_path = scorch_text_to_xml (path != NULL ? path : name);

  /* Translators: %s is a file name */
  title = g_strdup_printf (_("Cannot Open “%s”"), name);
  /* Say where, unless the reason already does. */
  if (path != NULL && strstr (error->message, path) != NULL)
    description = g_steal_pointer (&escaped_message);
  else
    description = g_strdup_printf ("%s\n\n<small>%s</small>", escaped_message, escaped_path);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
show_summary_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "summary");
}

static gboolean
status_hint_link_cb (ScorchWindow *self,
                     const char   *uri)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-summary", NULL);
  return TRUE;
}

static void
set_base_profile (ScorchWindow  *self,
                  ScorchProfile *profile)
{
  g_autofree char *view = NULL;

  g_set_object (&self->base_profile, profile);
  scorch_summary_view_set_profile (self->summary_view, profile);
  scorch_thread_list_set_profile (self->thread_list, profile);
  scorch_timeline_set_profile (self->timeline, profile);
  scorch_hotspot_view_set_selected_frame (self->hotspot_view, SCORCH_NODE_NONE);
  scorch_caller_callee_view_set_frame (self->caller_callee_view, SCORCH_NODE_NONE);
  set_view_profile (self, profile);

  view = g_settings_get_string (self->settings, "default-view");
  adw_view_stack_set_visible_child_name (self->view_stack, view);
}

static void
add_recent (ScorchWindow *self,
            GFile        *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  GtkRecentData data = {
    .display_name = NULL,
    .description = NULL,
    .mime_type = (char *) "application/octet-stream",
    .app_name = (char *) g_get_application_name (),
    .app_exec = (char *) "scorch %u",
    .groups = (char *[]) { (char *) "scorch", NULL },
    .is_private = FALSE,
  };

  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

typedef struct
{
  ScorchWindow *self;
  GCancellable *cancellable;
  GFile        *file;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->file);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadRequest, load_request_free)

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LoadRequest) request = user_data;
  ScorchWindow *self = request->self;
  GFile *file = request->file;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = scorch_load_finish (result, &error);

  /* A newer load replaced this one: it owns the page now. */
  if (request->cancellable != self->load_cancellable)
    return;

  self->loading = FALSE;
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->file);

  if (profile == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_stack_set_visible_child_name (self->stack, self->base_profile != NULL ? "profile" : "empty");
      else
        show_error (self, file, error);
      update_actions (self);
      return;
    }

  g_set_object (&self->loaded_file, file);
  {
    g_autofree char *name = display_name (file);
    g_autoptr(GFile) parent = g_file_get_parent (file);
    g_autofree char *dir = parent != NULL ? g_file_get_parse_name (parent) : NULL;

    adw_window_title_set_title (self->window_title, name);
    adw_window_title_set_subtitle (self->window_title, dir);
    gtk_window_set_title (GTK_WINDOW (self), name);
  }

  set_base_profile (self, profile);
  gtk_stack_set_visible_child_name (self->stack, "profile");
  add_recent (self, file);
  update_actions (self);
  report_capture_warnings (self);
  report_missing_symbols (self);

  g_signal_emit (self, signals[PROFILE_LOADED], 0);
}

static void
cancel_load_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
}

/* -- file dialogs -- */

typedef void (*FileChosenFunc) (ScorchWindow *self,
                                GFile        *file,
                                gpointer      data);

typedef struct
{
  ScorchWindow   *self;
  FileChosenFunc  func;
  char           *data;
} FileRequest;

static void
file_request_free (FileRequest *request)
{
  g_clear_object (&request->self);
  g_clear_pointer (&request->data, g_free);
  g_free (request);
}

#if GTK_CHECK_VERSION(4, 10, 0)
static void
file_dialog_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  FileRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (GPOINTER_TO_INT (g_object_get_data (source, "scorch-save")))
    file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (source), result, &error);
  else
    file = gtk_file_dialog_open_finish (GTK_FILE_DIALOG (source), result, &error);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (file != NULL)
    request->func (request->self, file, request->data);
  file_request_free (request);
}
#else
static void
file_chooser_response_cb (GtkNativeDialog *dialog,
                          int              response,
                          FileRequest     *request)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        request->func (request->self, file, request->data);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  file_request_free (request);
}
#endif

/* Asks for a file to open (SAVE_NAME == NULL) or a name to save under. */
static void
choose_file (ScorchWindow   *self,
             const char     *title,
             const char     *save_name,
             FileChosenFunc  func,
             const char     *data)
{
  FileRequest *request = g_new0 (FileRequest, 1);

  request->self = g_object_ref (self);
  request->func = func;
  request->data = g_strdup (data);

#if GTK_CHECK_VERSION(4, 10, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

    gtk_file_dialog_set_title (dialog, title);
    g_object_set_data (G_OBJECT (dialog), "scorch-save", GINT_TO_POINTER (save_name != NULL));
    if (save_name != NULL)
      {
        gtk_file_dialog_set_initial_name (dialog, save_name);
        gtk_file_dialog_save (dialog, GTK_WINDOW (self), NULL, file_dialog_done_cb, request);
      }
    else
      gtk_file_dialog_open (dialog, GTK_WINDOW (self), NULL, file_dialog_done_cb, request);
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
#else
  {
    GtkFileChooserNative *dialog;

    dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                          save_name != NULL ? GTK_FILE_CHOOSER_ACTION_SAVE
                                                            : GTK_FILE_CHOOSER_ACTION_OPEN,
                                          save_name != NULL ? _("_Save") : _("_Open"),
                                          _("_Cancel"));
    gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
    if (save_name != NULL)
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), save_name);
    g_signal_connect (dialog, "response", G_CALLBACK (file_chooser_response_cb), request);
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
  }
#endif
}

static void
open_chosen (ScorchWindow *self,
             GFile        *file,
             gpointer      data)
{
  scorch_window_open_file (self, file);
}

/* -- actions -- */

static void
record_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  /* -- record from the app: start the record dialog here -- */
  _scorch_window_record_open_dialog (SCORCH_WINDOW (widget));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  choose_file (SCORCH_WINDOW (widget), _("Open a Capture"), NULL, open_chosen, NULL);
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  scorch_window_open_file (SCORCH_WINDOW (widget), file);
}

gboolean
scorch_window_save_capture (ScorchWindow  *self,
                            GFile         *file,
                            GError       **error)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->loaded_file == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("This profile has no capture file to save"));
      return FALSE;
    }
  /* Saving over itself: nothing to do (a copy would truncate it first). */
  if (g_file_equal (file, self->loaded_file))
    return TRUE;

  return g_file_copy (self->loaded_file, file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

static void
save_as_chosen (ScorchWindow *self,
                GFile        *file,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!scorch_window_save_capture (self, file, &error))
    {
      g_autofree char *name = display_name (file);
      /* Translators: %s is a file name, the second %s the reason */
      g_autofree char *message = g_strdup_printf (_("Could not save “%s”: %s"), name, error->message);
      toast (self, message);
      return;
    }
  toast (self, _("Capture saved"));
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  g_autofree char *name = NULL;

  if (self->loaded_file == NULL)
    return;
  name = g_file_get_basename (self->loaded_file);
  choose_file (self, _("Save the Capture As"), name, save_as_chosen, NULL);
}

gboolean
scorch_window_export (ScorchWindow  *self,
                      const char    *format,
                      GFile         *file,
                      GError       **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (SCORCH_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (format != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->view_profile == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No capture is open"));
      return FALSE;
    }

  if (g_strcmp0 (format, "folded") == 0)
    {
      g_autoptr(GFileOutputStream) stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);

      if (stream == NULL)
        return FALSE;
      if (!scorch_folded_write (self->view_profile, G_OUTPUT_STREAM (stream), NULL, error))
        return FALSE;
      return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
    }

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Flame graphs can only be exported to local files"));
      return FALSE;
    }
  return scorch_flame_graph_export (current_flame_graph (self), path, 1600, error);
}

static void
export_chosen (ScorchWindow *self,
               GFile        *file,
               gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = display_name (file);
  g_autofree char *message = NULL;

  if (!scorch_window_export (self, data, file, &error))
    /* Translators: %s is a file name, the second %s the reason */
    message = g_strdup_printf (_("Could not export “%s”: %s"), name, error->message);
  else
    /* Translators: %s is a file name */
    message = g_strdup_printf (_("Exported “%s”"), name);
  toast (self, message);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *dot;

  if (self->loaded_file == NULL)
    return;
  base = g_file_get_basename (self->loaded_file);
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  name = g_strdup_printf ("%s.%s", base, format);
  choose_file (self,
               g_strcmp0 (format, "folded") == 0 ? _("Export Folded Stacks") : _("Export the Flame Graph"),
               name, export_chosen, format);
}

static void
show_in_hotspots_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  scorch_hotspot_view_set_selected_frame (self->hotspot_view, g_variant_get_uint32 (parameter));
}

static void
filter_thread_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  scorch_thread_list_select_only (self->thread_list, g_variant_get_int32 (parameter));
}

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GtkWindow *prefs = scorch_preferences_window_new (GTK_WINDOW (widget));

  gtk_window_present (prefs);
}

static void
update_actions (ScorchWindow *self)
{
  gboolean have = self->base_profile != NULL;

  /* win.record and win.record-demo follow the recording state
   * (scorch-window-record.c). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", self->loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", have && self->loaded_file != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", have);
  gtk_widget_set_visible (GTK_WIDGET (self->search_button), have);
  gtk_widget_set_visible (GTK_WIDGET (self->export_menu_button), have);
}

/* -- recent files -- */

static void
update_recent_menu (ScorchWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  guint n = 0;

  g_menu_remove_all (self->recent_section);
  for (GList *l = items; l != NULL && n < 8; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GMenuItem) item = NULL;

      if (!gtk_recent_info_has_group (info, "scorch") || !gtk_recent_info_exists (info))
        continue;
      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_section, item);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);

  if (n == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Captures"), "win.no-recent");
      g_menu_append_item (self->recent_section, item);
    }
}

/* -- drag and drop -- */

static gboolean
drop_cb (ScorchWindow  *self,
         const GValue  *value,
         double         x,
         double         y)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  if (files == NULL)
    return FALSE;
  scorch_window_open_file (self, files->data);
  return TRUE;
}

/* -- window state -- */

static void
restore_window_state (ScorchWindow *self)
{
  int width = g_settings_get_int (self->settings, "window-width");
  int height = g_settings_get_int (self->settings, "window-height");
  int position = g_settings_get_int (self->settings, "paned-position");

  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  /* -1: the flame graph and the table share the width (the table a little more). */
  gtk_paned_set_position (self->main_paned, position > 0 ? position : MAX (width, 900) * 9 / 20);
}

static void
save_window_state (ScorchWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  int width, height;

  g_settings_delay (self->settings);
  /* A maximized window keeps the size it had before, to return to it. */
  if (!maximized)
    {
      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      if (width > 0 && height > 0)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (gtk_widget_get_mapped (GTK_WIDGET (self->main_paned)))
    g_settings_set_int (self->settings, "paned-position", gtk_paned_get_position (self->main_paned));
  g_settings_apply (self->settings);
}

static void
settings_changed_cb (ScorchWindow *self,
                     const char   *key)
{
  if (key == NULL || g_strcmp0 (key, "color-scheme") == 0)
    {
      ScorchFlameColorScheme scheme = g_settings_get_enum (self->settings, "color-scheme");

      scorch_flame_graph_set_color_scheme (self->flame_graph, scheme);
      scorch_flame_graph_set_color_scheme (self->icicle_graph, scheme);
    }
  if (key == NULL || g_strcmp0 (key, "orientation") == 0)
    scorch_flame_graph_set_orientation (self->flame_graph, g_settings_get_enum (self->settings, "orientation"));
}

static gboolean
scorch_window_close_request (GtkWindow *window)
{
  ScorchWindow *self = SCORCH_WINDOW (window);

  save_window_state (self);

  return GTK_WINDOW_CLASS (scorch_window_parent_class)->close_request (window);
}

static void
scorch_window_dispose (GObject *object)
{
  ScorchWindow *self = SCORCH_WINDOW (object);

  _scorch_window_record_dispose (self);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_WINDOW);

  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->view_profile);
  g_clear_object (&self->base_profile);
  g_clear_object (&self->file);
  g_clear_object (&self->loaded_file);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scorch_window_parent_class)->dispose (object);
}

static void
scorch_window_class_init (ScorchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = scorch_window_dispose;

  window_class->close_request = scorch_window_close_request;

  /**
   * ScorchWindow::profile-loaded:
   *
   * A capture was loaded and its views are filled.
   */
  signals[PROFILE_LOADED] =
    g_signal_new ("profile-loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (SCORCH_TYPE_FLAME_GRAPH);
  g_type_ensure (SCORCH_TYPE_FLAME_BREADCRUMBS);
  g_type_ensure (SCORCH_TYPE_HOTSPOT_VIEW);
  g_type_ensure (SCORCH_TYPE_CALL_TREE_VIEW);
  g_type_ensure (SCORCH_TYPE_CALLER_CALLEE_VIEW);
  g_type_ensure (SCORCH_TYPE_THREAD_LIST);
  g_type_ensure (SCORCH_TYPE_TIMELINE);
  g_type_ensure (SCORCH_TYPE_SUMMARY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/scorchprof/Scorch/ui/scorch-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, record_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, export_menu_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, load_progress);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, regex_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, case_button);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, search_status);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, main_paned);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, flame_graph);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, icicle_graph);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, call_tree_view);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, caller_callee_view);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, hotspot_view);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, thread_list);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, status_hint);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, summary_view);
  gtk_widget_class_bind_template_child (widget_class, ScorchWindow, recent_section);

  gtk_widget_class_install_action (widget_class, "win.record", NULL, record_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-load", NULL, cancel_load_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_action);
  gtk_widget_class_install_action (widget_class, "win.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "win.show-in-hotspots", "u", show_in_hotspots_action);
  gtk_widget_class_install_action (widget_class, "win.filter-thread", "i", filter_thread_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.show-summary", NULL, show_summary_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", "s", "svg");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.preferences", NULL);

  _scorch_window_record_class_init (widget_class);
}

static void
scorch_window_init (ScorchWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  restore_window_state (self);

  /* Fixed: the bottom-up graph hangs from the top, as its name says. */
  scorch_flame_graph_set_orientation (self->icicle_graph, SCORCH_FLAME_ORIENTATION_ICICLE);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  settings_changed_cb (self, NULL);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_object_bind_property (self->search_bar, "search-mode-enabled",
                          self->search_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->regex_button, "toggled", G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->case_button, "toggled", G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flame_graph, "notify::matched-fraction", G_CALLBACK (update_search_status), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->thread_list, "changed", G_CALLBACK (threads_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->timeline, "range-changed", G_CALLBACK (range_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->hotspot_view, "notify::selected-frame", G_CALLBACK (hotspot_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->hotspot_view, "function-activated", G_CALLBACK (hotspot_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flame_graph, "selection-changed", G_CALLBACK (graph_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->icicle_graph, "selection-changed", G_CALLBACK (graph_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_tree_view, "notify::selected-frame", G_CALLBACK (call_tree_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_tree_view, "node-activated", G_CALLBACK (call_tree_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->caller_callee_view, "notify::frame", G_CALLBACK (caller_callee_frame_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child", G_CALLBACK (update_search_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->status_hint, "activate-link", G_CALLBACK (status_hint_link_cb), self, G_CONNECT_SWAPPED);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (gtk_recent_manager_get_default (), "changed",
                           G_CALLBACK (update_recent_menu), self, G_CONNECT_SWAPPED);
  update_recent_menu (self);

  update_actions (self);
  _scorch_window_record_init (self);
}

ScorchWindow *
scorch_window_new (ScorchApplication *application)
{
  g_return_val_if_fail (SCORCH_IS_APPLICATION (application), NULL);

  return g_object_new (SCORCH_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

void
scorch_window_open_file (ScorchWindow *self,
                         GFile        *file)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  LoadRequest *request;

  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                     _("Scorch opens captures on this computer only: "
                                                       "copy the file to a local folder first."));
      show_error (self, file, error);
      return;
    }

  /* A load in progress is replaced by this one. */
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  g_set_object (&self->file, file);
  self->loading = TRUE;

  name = display_name (file);
  /* Translators: %s is a file name */
  title = g_strdup_printf (_("Loading “%s”"), name);
  adw_status_page_set_title (self->loading_page, title);
  adw_status_page_set_description (self->loading_page,
                                   _("Reading samples, unwinding stacks and looking up function names"));
  load_progress_cb (0.0, 0, self);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  update_actions (self);

  request = g_new0 (LoadRequest, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->load_cancellable);
  request->file = g_object_ref (file);
  scorch_load_async (path, SCORCH_LOAD_FLAGS_NONE, self->load_cancellable,
                     load_progress_cb, g_object_ref (self), g_object_unref,
                     load_done_cb, request);
}

void
scorch_window_set_profile (ScorchWindow  *self,
                           ScorchProfile *profile)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (profile == NULL || SCORCH_IS_PROFILE (profile));

  set_base_profile (self, profile);
  gtk_stack_set_visible_child_name (self->stack, profile != NULL ? "profile" : "empty");
  update_actions (self);
}

ScorchProfile *
scorch_window_get_profile (ScorchWindow *self)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), NULL);

  return self->view_profile;
}

/* Shows a profile that was made outside the loader (a recording), with
 * FILE the capture on disk for Save As. */
void
_scorch_window_show_profile (ScorchWindow  *self,
                             ScorchProfile *profile,
                             GFile         *file)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (SCORCH_IS_PROFILE (profile));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  g_set_object (&self->loaded_file, file);
  if (file != NULL)
    {
      g_autofree char *name = display_name (file);

      adw_window_title_set_title (self->window_title, name);
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), name);
    }

  scorch_window_set_profile (self, profile);
  report_missing_symbols (self);
}

GtkStack *
scorch_window_get_stack (ScorchWindow *self)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), NULL);

  return self->stack;
}

void
scorch_window_set_page (ScorchWindow *self,
                        const char   *name)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  gtk_stack_set_visible_child_name (self->stack, name);
}

void
scorch_window_set_view (ScorchWindow *self,
                        const char   *name)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

void
scorch_window_add_toast (ScorchWindow *self,
                         AdwToast     *toast)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

GtkWidget *
scorch_window_get_view_widget (ScorchWindow *self,
                               const char   *name)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "flame-graph"))
    return GTK_WIDGET (self->flame_graph);
  if (g_str_equal (name, "icicle"))
    return GTK_WIDGET (self->icicle_graph);
  if (g_str_equal (name, "call-tree"))
    return GTK_WIDGET (self->call_tree_view);
  if (g_str_equal (name, "caller-callee"))
    return GTK_WIDGET (self->caller_callee_view);
  if (g_str_equal (name, "hotspots"))
    return GTK_WIDGET (self->hotspot_view);
  if (g_str_equal (name, "threads"))
    return GTK_WIDGET (self->thread_list);
  if (g_str_equal (name, "timeline"))
    return GTK_WIDGET (self->timeline);
  if (g_str_equal (name, "search-entry"))
    return GTK_WIDGET (self->search_entry);
  if (g_str_equal (name, "status"))
    return GTK_WIDGET (self->status_label);
  if (g_str_equal (name, "status-hint"))
    return GTK_WIDGET (self->status_hint);
  if (g_str_equal (name, "summary"))
    return GTK_WIDGET (self->summary_view);
  if (g_str_equal (name, "error"))
    return GTK_WIDGET (self->error_page);
  return NULL;
}
