/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-window.c: the main window: opening and loading a capture, the
 * linked views (flame graph, bottom-up, call tree, caller/callee, hotspots),
 * search, thread and time filters, save and export, window state */

#include "config.h"

#define G_LOG_DOMAIN "scorch-window"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "scorch-app-util.h"
#include "scorch-call-tree-view.h"
#include "scorch-caller-callee-view.h"
#include "scorch-flame-breadcrumbs.h"
#include "scorch-flame-graph.h"
#include "scorch-folded.h"
#include "scorch-function-item.h"
#include "scorch-heap.h"
#include "scorch-hotspot-view.h"
#include "scorch-loader.h"
#include "scorch-profile-format.h"
#include "scorch-portable-pack.h"
#include "scorch-preferences-window.h"
#include "scorch-session.h"
#include "scorch-source-view.h"
#include "scorch-text.h"
#include "scorch-capture-processes.h"
#include "scorch-thread-list.h"
#include "scorch-timeline.h"
#include "scorch-window-private.h"
#include "scorch-window.h"
#include "scorch-summary-view.h"

/* Narrower than this, the hotspot table goes under the graph. */
#define STACKED_BELOW_WIDTH 1000
/* The graph's share of the width (side by side) or height (stacked). */
#define GRAPH_SHARE_SIDE_BY_SIDE 0.60
#define GRAPH_SHARE_STACKED      0.62

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
  GtkDropDown            *time_view_dropdown;  /* off-CPU: On-CPU / Off-CPU / Wall clock */
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
  AdwViewSwitcher        *view_switcher;
  AdwViewStack           *view_stack;
  ScorchFlameGraph       *flame_graph;
  ScorchFlameGraph       *icicle_graph;
  ScorchCallTreeView     *call_tree_view;
  ScorchCallerCalleeView *caller_callee_view;
  ScorchHotspotView      *hotspot_view;
  ScorchThreadList       *thread_list;
  ScorchCaptureProcesses *capture_processes;   /* reach */
  ScorchTimeline         *timeline;
  GtkLabel               *status_label;
  GtkLabel               *status_hint;
  ScorchSummaryView      *summary_view;
  GtkInfoBar             *exit_banner;
  GtkLabel               *exit_label;
  AdwViewStackPage       *output_page;
  GtkTextView            *output_text;
  GMenu                  *recent_section;

  /* owned */
  GSettings              *settings;
  ScorchSession          *session;       /* the capture shown, its filters, selection, search */
  GFile                  *loading_file;  /* the capture being loaded */
  GCancellable           *load_cancellable;
  ScorchWindowRecord     *record;        /* recording from the app (scorch-window-record.c) */
  ScorchWindowCompare    *compare;       /* comparing captures (scorch-window-compare.c) */
  gboolean                building_shown; /* the loading page says "Building the profile" */
  gint64                  read_done_at;  /* monotonic, when the loader had read everything */
  guint                   progress_id;   /* shows the latest progress, PROGRESS_INTERVAL after the last */
  gint64                  progress_shown_at;  /* monotonic, when the progress text last changed */
  guint                   loading_page_id;    /* shows the loading page LOADING_PAGE_DELAY after the open */
  double                  progress_fraction;  /* the latest progress, not shown yet */
  guint64                 progress_samples;
  gint64                  open_at;       /* monotonic, when the open began (SCORCH_TRACE_TIMING) */
  gint64                  loaded_at;     /* monotonic, when the loader returned (SCORCH_TRACE_TIMING) */
  gint64                  shown_at;      /* monotonic, the views were given the profile */
  gint64                  open_cpu;      /* the main thread's CPU time at the open (SCORCH_TRACE_TIMING) */
  glong                   open_majflt;   /* the process's page faults at the open (SCORCH_TRACE_TIMING) */
  glong                   open_minflt;

  guint                   layout_idle;
  double                  graph_share[2];        /* side by side, stacked */
  int                     placed_extent;         /* the paned's size when the divider was placed */
  int                     switcher_wide_min;
  int                     allocated_width;     /* the view switcher's minimum width with labels beside icons */

  guint                   loading : 1;
  guint                   stacked : 1;           /* the table under the graph */
  guint                   paned_placed : 1;      /* the divider placed for this layout */
  guint                   placing : 1;
};

G_DEFINE_FINAL_TYPE (ScorchWindow, scorch_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROFILE_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_actions (ScorchWindow *self);
static void update_search_status (ScorchWindow *self);
static void set_stacked (ScorchWindow *self,
                         gboolean      stacked);

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

/* Shows page NAME of the stack; before the window is on screen without a
 * crossfade (a cold start with a file must not show the start page
 * fading out).  The loading and profile pages come at once too: a
 * crossfade draws both pages in every frame for 200 ms, on the main
 * thread, while the loader needs the CPU (and, into the profile page,
 * while the first frame of a new profile is what the person waits for). */
static void
show_page (ScorchWindow *self,
           const char   *name)
{
  const char *shown = gtk_stack_get_visible_child_name (self->stack);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      g_strcmp0 (name, "loading") != 0 && g_strcmp0 (name, "profile") != 0 &&
      g_strcmp0 (shown, "loading") != 0)
    gtk_stack_set_visible_child_name (self->stack, name);
  else
    gtk_stack_set_visible_child_full (self->stack, name, GTK_STACK_TRANSITION_TYPE_NONE);
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

  ScorchProfile *base = scorch_session_get_profile (self->session);
  ScorchProfile *view = scorch_session_get_filtered_profile (self->session);

  if (view == NULL)
    {
      gtk_label_set_text (self->status_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->status_hint), FALSE);
      return;
    }

  info = scorch_profile_get_info (base);
  total = scorch_profile_get_total (view);
  all = scorch_profile_get_n_all_samples (base);
  threads = scorch_profile_get_threads (view, &n_threads);
  for (guint i = 0; i < n_threads; i++)
    if (threads[i].n_samples > 0)
      n_active++;

  samples = scorch_format_count (total);
  /* -- off-CPU: the time views weigh microseconds, not samples -- */
  if (scorch_session_get_time_view (self->session) != SCORCH_PROFILE_VIEW_ON_CPU)
    {
      ScorchProfile *tv = scorch_session_get_view_profile (self->session);
      guint64 tv_all = tv != NULL ? scorch_profile_get_n_all_samples (tv) : total;

      if (scorch_session_get_time_view (self->session) == SCORCH_PROFILE_VIEW_OFF_CPU)
        /* Translators: blocked time in the selection, of all blocked time */
        g_string_append_printf (text, _("%.2f s blocked of %.2f s"), total / 1e6, tv_all / 1e6);
      else
        /* Translators: wall-clock time in the selection, of all */
        g_string_append_printf (text, _("%.2f s of %.2f s wall-clock time"), total / 1e6, tv_all / 1e6);
    }
  else if (total != all)
    {
      g_autofree char *all_text = scorch_format_count (all);
      /* Translators: samples in the current selection, of all samples */
      g_string_append_printf (text, _("%s of %s samples"), samples, all_text);
    }
  else
    /* Translators: number of samples in the capture */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%s sample", "%s samples", total), samples);

  scorch_profile_get_time_bounds (base, &begin, &end);
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
  ScorchProfile *base = scorch_session_get_profile (self->session);
  const ScorchProfileInfo *info;

  if (base == NULL)
    return;
  info = scorch_profile_get_info (base);
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
  ScorchProfile *base = scorch_session_get_profile (self->session);

  if (base == NULL)
    return;
  hotspots = scorch_profile_get_hotspots (base, &n_hotspots);
  total = scorch_profile_get_total (base);
  for (guint i = 0; i < n_hotspots; i++)
    {
      const ScorchFrame *f = scorch_profile_get_frame (base, hotspots[i].frame);

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
      g_autofree char *module = g_path_get_basename (key);

      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, module);
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

/* -- filtering and linked views --
 *
 * The session owns the capture, the filters, the selected function and the
 * search; the views are bound to its properties (scorch_window_init). What
 * is left here turns a view's own vocabulary (a graph node, a call tree
 * row, a thread list) into the session's. */

static void
threads_changed_cb (ScorchWindow *self)
{
  g_autoptr(GArray) tids = scorch_thread_list_dup_selected_tids (self->thread_list);

  if (tids != NULL)
    {
      scorch_timeline_set_active_tids (self->timeline, (const gint32 *) (gpointer) tids->data, tids->len);
      scorch_session_set_thread_filter (self->session, (const gint32 *) (gpointer) tids->data, tids->len);
    }
  else
    {
      scorch_timeline_set_active_tids (self->timeline, NULL, 0);
      scorch_session_set_thread_filter (self->session, NULL, -1);
    }
}

static void
range_changed_cb (ScorchWindow *self,
                  guint64       begin,
                  guint64       end)
{
  if (!scorch_timeline_get_range (self->timeline, &begin, &end))
    {
      begin = 0;
      end = G_MAXUINT64;
    }
  scorch_session_set_time_range (self->session, begin, end);
}

/* Selects FRAME's hottest node in GRAPH, unless the node selected there
 * already is one of FRAME's (the click that selected the function). */
static void
select_in_graph (ScorchWindow     *self,
                 ScorchFlameGraph *graph,
                 guint32           frame)
{
  ScorchProfile *shown = scorch_flame_graph_get_displayed_profile (graph);
  guint32 node = scorch_flame_graph_get_selected_node (graph);
  const ScorchNode *nodes;
  guint n_nodes = 0;

  if (shown == NULL)
    return;
  nodes = scorch_profile_get_nodes (shown, &n_nodes);
  if (frame != SCORCH_NODE_NONE && node != SCORCH_NODE_NONE && node < n_nodes && nodes[node].frame == frame)
    return;

  scorch_flame_graph_set_selected_node (graph, hottest_node (shown, frame));
}

static void
selected_frame_changed_cb (ScorchWindow *self)
{
  guint32 frame = scorch_session_get_selected_frame (self->session);

  /* The highlight (every frame of the function) is bound; the graphs'
   * selected node and the caller/callee page follow here. */
  select_in_graph (self, self->flame_graph, frame);
  select_in_graph (self, self->icicle_graph, frame);
  if (frame != SCORCH_NODE_NONE)
    scorch_caller_callee_view_set_frame (self->caller_callee_view, frame);
}

/* -- lazy views --
 *
 * The pages of the view stack that are not shown (icicle graph, call tree,
 * caller/callee) are given the filtered profile when they are shown, not
 * when it changes: opening a capture builds the visible views only.  A
 * hidden view whose profile is no longer the session's lets it go. */

static void
sync_lazy_views (ScorchWindow *self)
{
  ScorchProfile *filtered = scorch_session_get_filtered_profile (self->session);
  ScorchProfile *base = scorch_session_get_profile (self->session);
  const char *page = adw_view_stack_get_visible_child_name (self->view_stack);
  guint32 frame = scorch_session_get_selected_frame (self->session);

  scorch_app_trace_mark ("pre-lazy-views");

  if (g_strcmp0 (page, "icicle") == 0)
    {
      if (scorch_flame_graph_get_profile (self->icicle_graph) != filtered)
        {
          scorch_flame_graph_set_profile (self->icicle_graph, filtered);
          select_in_graph (self, self->icicle_graph, frame);
        }
    }
  else if (scorch_flame_graph_get_profile (self->icicle_graph) != filtered)
    scorch_flame_graph_set_profile (self->icicle_graph, NULL);

  if (g_strcmp0 (page, "call-tree") == 0 ||
      scorch_call_tree_view_get_profile (self->call_tree_view) != filtered)
    scorch_call_tree_view_set_profile (self->call_tree_view,
                                       g_strcmp0 (page, "call-tree") == 0 ? filtered : NULL);

  if (g_strcmp0 (page, "caller-callee") == 0 ||
      scorch_caller_callee_view_get_profile (self->caller_callee_view) != filtered)
    scorch_caller_callee_view_set_profile (self->caller_callee_view,
                                           g_strcmp0 (page, "caller-callee") == 0 ? filtered : NULL);

  /* The summary is of the whole capture (not filtered). A hidden page
   * costs even when nobody looks at it: AdwViewStack measures every page,
   * and the summary's rows wrap their text. */
  if (g_strcmp0 (page, "summary") == 0 ||
      scorch_summary_view_get_profile (self->summary_view) != base)
    scorch_summary_view_set_profile (self->summary_view,
                                     g_strcmp0 (page, "summary") == 0 ? base : NULL);
  scorch_app_trace_mark ("lazy-views");
}

static void
filtered_profile_changed_cb (ScorchWindow *self)
{
  /* The views have the new profile (bindings run first); the selected
   * function stays selected in the graphs. */
  scorch_app_trace_mark ("pre-filtered-cb");
  selected_frame_changed_cb (self);
  update_status (self);
  update_search_status (self);
  scorch_app_trace_mark ("filtered-cb");
}

/* -- a recording's program: its output and how it ended -- */

/* "“ls” exited with status 2", "“prog” was killed by signal 11
 * (Segmentation fault)", or NULL for a normal end. */
static char *
describe_exit (const char *program,
               int         status)
{
  if (status < 0)
    return NULL;
  if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
    /* Translators: %s is a program name, %d its exit status */
    return g_strdup_printf (_("“%s” exited with status %d"), program, WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    /* Translators: %s is a program name, %d a signal number, the last %s its name */
    return g_strdup_printf (_("“%s” was killed by signal %d (%s)"), program, WTERMSIG (status),
                            g_strsignal (WTERMSIG (status)));
  return NULL;
}

static void
recording_changed_cb (ScorchWindow *self)
{
  const char *output = scorch_session_get_program_output (self->session);
  const char *program = scorch_session_get_program (self->session);
  g_autofree char *exit_text = describe_exit (program != NULL ? program : "?",
                                              scorch_session_get_exit_status (self->session));
  gboolean have_output = output != NULL && output[0] != '\0';

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_text), have_output ? output : "", -1);
  adw_view_stack_page_set_visible (self->output_page, have_output);
  if (!have_output && g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "output") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, "flame-graph");

  gtk_label_set_text (self->exit_label, exit_text != NULL ? exit_text : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-output", have_output);
  gtk_info_bar_set_revealed (self->exit_banner, exit_text != NULL);
}

static void
exit_banner_response_cb (ScorchWindow *self,
                         int           response)
{
  if (response == GTK_RESPONSE_CLOSE)
    gtk_info_bar_set_revealed (self->exit_banner, FALSE);
}

static void
show_output_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "output");
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

  if (shown == NULL || node == SCORCH_NODE_NONE)
    return;

  nodes = scorch_profile_get_nodes (shown, &n_nodes);
  if (node == SCORCH_PROFILE_ROOT || node >= n_nodes)
    return;

  scorch_session_set_selected_frame (self->session, nodes[node].frame);
}

static void
call_tree_selected_cb (ScorchWindow *self)
{
  guint32 frame = scorch_call_tree_view_get_selected_frame (self->call_tree_view);

  if (frame != SCORCH_NODE_NONE)
    scorch_session_set_selected_frame (self->session, frame);
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

  if (frame != SCORCH_NODE_NONE)
    scorch_session_set_selected_frame (self->session, frame);
}

/* -- search -- */

static void
update_search_status (ScorchWindow *self)
{
  const char *text = scorch_session_get_search_text (self->session);
  g_autofree char *status = NULL;

  if (text == NULL || text[0] == '\0')
    status = g_strdup ("");
  else if (!scorch_session_get_search_valid (self->session))
    status = g_strdup (_("Not a valid regular expression"));
  else
    /* Translators: share of the samples under functions matching the search */
    status = g_strdup_printf (_("%.1f %% of samples match"),
                              100.0 * scorch_session_get_matched_fraction (self->session));

  gtk_label_set_text (self->search_status, status);
}

static void
search_changed_cb (ScorchWindow *self)
{
  scorch_session_set_search_text (self->session, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
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
stop_progress (ScorchWindow *self)
{
  self->building_shown = FALSE;
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_handle_id (&self->loading_page_id, g_source_remove);
}

/* A load into a window on screen shows the loading page only when it is
 * not over after LOADING_PAGE_DELAY: below that a progress page is only a
 * flash between two pages, and its frames (the page, then the progress
 * text) are main-thread and X server CPU taken from the loader's threads
 * on a small machine.  Meanwhile the window goes on showing what it
 * showed; the progress is kept, not drawn. */
#define LOADING_PAGE_DELAY 300

/* The loader's progress is shown at most every PROGRESS_INTERVAL: each
 * new text is 2-3 frame-clock cycles of the whole window (the label's new
 * size is measured up to the toplevel, ~4-6 ms of main thread on fp-1M),
 * CPU taken from the loader's threads on a small machine.  Four texts a
 * second still move faster than a reader can read them. */
#define PROGRESS_INTERVAL (250 * G_TIME_SPAN_MILLISECOND)

static void show_progress (ScorchWindow *self,
                           double        fraction,
                           guint64       n_samples);

static gboolean
progress_timeout_cb (gpointer data)
{
  ScorchWindow *self = data;

  self->progress_id = 0;
  show_progress (self, self->progress_fraction, self->progress_samples);
  return G_SOURCE_REMOVE;
}

static void
load_progress_cb (double   fraction,
                  guint64  n_samples,
                  gpointer user_data)
{
  ScorchWindow *self = user_data;
  gint64 now = g_get_monotonic_time ();

  /* The page is not shown yet: keep the latest for when it is. */
  if (self->loading_page_id != 0)
    {
      self->progress_fraction = fraction;
      self->progress_samples = n_samples;
      if (fraction >= 1.0 && self->read_done_at == 0)
        {
          self->read_done_at = now;
          scorch_app_trace_mark ("reading");
          scorch_app_trace_stage ("B");
        }
      return;
    }

  /* The first (0 %) and the last (every record read) at once; between,
   * the latest when the interval is over. */
  if (fraction > 0.0 && fraction < 1.0 && self->progress_shown_at != 0 &&
      now - self->progress_shown_at < PROGRESS_INTERVAL)
    {
      self->progress_fraction = fraction;
      self->progress_samples = n_samples;
      if (self->progress_id == 0)
        self->progress_id = g_timeout_add ((guint) ((self->progress_shown_at + PROGRESS_INTERVAL - now) / 1000) + 1,
                                           progress_timeout_cb, self);
      return;
    }
  g_clear_handle_id (&self->progress_id, g_source_remove);
  show_progress (self, fraction, n_samples);
}

static void
show_progress (ScorchWindow *self,
               double        fraction,
               guint64       n_samples)
{
  g_autofree char *text = NULL;
  g_autofree char *count = scorch_format_count (n_samples);

  self->progress_shown_at = g_get_monotonic_time ();

  /* 100 %: every record is read; building the call tree, the hotspots and
   * the views still takes a while on big captures.  Say so in the text,
   * over a full bar that does not pulse: GTK 4.8 animates a pulsing bar
   * on every frame (60 frames a second of the whole page, main-thread CPU
   * taken from the threads that build the profile; bench/README.md
   * "Stop 24: the window's part of an open"). */
  if (fraction >= 1.0 && self->loading)
    {
      if (!self->building_shown)
        {
          self->building_shown = TRUE;
          if (self->read_done_at == 0)
            {
              self->read_done_at = g_get_monotonic_time ();
              /* The loading frames from here on are stage B (building). */
              scorch_app_trace_mark ("reading");
              scorch_app_trace_stage ("B");
            }
          /* Translators: loading phase after all samples were read, %s is a number of samples */
          text = g_strdup_printf (_("Building the profile — %s samples"), count);
          gtk_progress_bar_set_fraction (self->load_progress, 1.0);
          gtk_progress_bar_set_text (self->load_progress, text);
        }
      return;
    }

  gtk_progress_bar_set_fraction (self->load_progress, CLAMP (fraction, 0.0, 1.0));
  if (n_samples > 0)
    /* Translators: progress while loading, %s is a number of samples */
    text = g_strdup_printf (_("%.0f %% — %s samples"), 100.0 * CLAMP (fraction, 0.0, 1.0), count);
  else
    text = g_strdup_printf (_("%.0f %%"), 100.0 * CLAMP (fraction, 0.0, 1.0));
  gtk_progress_bar_set_text (self->load_progress, text);
  scorch_app_trace_mark ("progress");
}

void
_scorch_window_load_progress (ScorchWindow *self,
                              double        fraction,
                              guint64       n_samples)
{
  load_progress_cb (fraction, n_samples, self);
}

GtkProgressBar *
_scorch_window_get_load_progress (ScorchWindow *self)
{
  return self->load_progress;
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
  /* Honest states: the capture shown stays shown (its title, Save As and
   * Export still refer to it), and a toast says what failed. With nothing
   * shown, the error page does, and nothing refers to the failed file. */
  if (scorch_session_get_profile (self->session) != NULL)
    {
      /* Translators: %s is a file name, the second %s the reason */
      g_autofree char *message = g_strdup_printf (_("Could not open “%s”: %s"), name, error->message);

      show_page (self, "profile");
      toast (self, message);
      return;
    }

  scorch_session_clear (self->session);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  show_page (self, "error");
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

/* -- SCORCH_TRACE_TIMING=1: one line on stderr per opened capture, for
 * bench/app-open.sh: open → loader done → views given the profile →
 * first frame painted → main loop idle again (seconds since the open). */

static gboolean
trace_timing_enabled (void)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_strcmp0 (g_getenv ("SCORCH_TRACE_TIMING"), "1") == 0;
  return enabled;
}

/* The calling thread's CPU time, in microseconds: what the main thread
 * spends does not depend on how busy the machine is, wall time does. */
gint64
_scorch_window_thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The page faults of the whole process so far: major ones read a page
 * from disk (a binary, library or font not in the page cache). */
static void
process_faults (glong *majflt,
                glong *minflt)
{
  struct rusage usage;

  *majflt = *minflt = 0;
  if (getrusage (RUSAGE_SELF, &usage) == 0)
    {
      *majflt = usage.ru_majflt;
      *minflt = usage.ru_minflt;
    }
}

static void trace_phase_cb (GdkFrameClock *clock,
                            const char    *what);

static gboolean
trace_idle_cb (gpointer data)
{
  ScorchWindow *self = data;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *phases = NULL;
  GdkFrameClock *clock;
  glong majflt, minflt;

  scorch_app_trace_mark ("idle");
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock != NULL)
    g_signal_handlers_disconnect_matched (clock, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, trace_phase_cb, NULL);
  phases = scorch_app_trace_end ();
  process_faults (&majflt, &minflt);
  g_printerr ("scorch-timing: open load=%.3f shown=%.3f idle=%.3f main-cpu=%.3f majflt=%ld minflt=%ld\n",
              (self->loaded_at - self->open_at) / 1e6,
              (self->shown_at - self->open_at) / 1e6,
              (now - self->open_at) / 1e6,
              (_scorch_window_thread_cpu_time () - self->open_cpu) / 1e6,
              majflt - self->open_majflt, minflt - self->open_minflt);
  g_printerr ("scorch-phases: open: (main-thread CPU ms) %s\n", phases);
  self->open_at = 0;
  return G_SOURCE_REMOVE;
}

static void
trace_phase_cb (GdkFrameClock *clock,
                const char    *what)
{
  scorch_app_trace_mark (what);
}

/* Where the main thread's time goes from the open to idle: the marks
 * (scorch_app_trace_mark) and the phases of every frame. */
static void
trace_begin (ScorchWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  scorch_app_trace_begin ();
  if (clock == NULL)
    return;
  g_signal_handlers_disconnect_matched (clock, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, trace_phase_cb, NULL);
  /* GDK's own before-paint work is small: this span is the time before
   * the frame (events, idles, the window's size computation) */
  g_signal_connect_after (clock, "before-paint", G_CALLBACK (trace_phase_cb), (gpointer) "before-paint");
  g_signal_connect_after (clock, "update", G_CALLBACK (trace_phase_cb), (gpointer) "update");
  g_signal_connect_after (clock, "layout", G_CALLBACK (trace_phase_cb), (gpointer) "layout");
  g_signal_connect_after (clock, "paint", G_CALLBACK (trace_phase_cb), (gpointer) "paint");
}

/* The open ended without a profile: no line, no marks from now on. */
static void
trace_end_early (ScorchWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->open_at == 0)
    return;
  self->open_at = 0;
  if (clock != NULL)
    g_signal_handlers_disconnect_matched (clock, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, trace_phase_cb, NULL);
  g_free (scorch_app_trace_end ());
}

static void
trace_after_paint_cb (GdkFrameClock *clock,
                      ScorchWindow  *self)
{
  g_signal_handlers_disconnect_by_func (clock, trace_after_paint_cb, self);
  /* Frames up to idle stay in the phases (stage I). */
  scorch_app_trace_mark ("after-paint");
  scorch_app_trace_stage ("I");
  /* After the first frame: when nothing of higher priority is left. */
  g_idle_add_full (G_PRIORITY_LOW, trace_idle_cb, g_object_ref (self), g_object_unref);
}

static void
trace_shown (ScorchWindow *self)
{
  GdkFrameClock *clock;

  if (self->open_at == 0)
    return;
  self->shown_at = g_get_monotonic_time ();
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL)
    {
      trace_idle_cb (self);
      return;
    }
  g_signal_connect (clock, "after-paint", G_CALLBACK (trace_after_paint_cb), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Shows PROFILE, the capture in FILE (NULL: not on disk), in every view. */
static void
show_capture (ScorchWindow  *self,
              ScorchProfile *profile,
              GFile         *file)
{
  g_autofree char *view = NULL;

  /* The page first: only the views shown are built (sync_lazy_views). */
  view = g_settings_get_string (self->settings, "default-view");
  adw_view_stack_set_visible_child_name (self->view_stack, view);
  scorch_app_trace_mark ("page");

  g_object_freeze_notify (G_OBJECT (self->session));
  scorch_session_set_file (self->session, file);
  scorch_session_set_profile (self->session, profile);
  scorch_app_trace_mark ("session");
  _scorch_window_transforms_load (self, file); /* -- transforms: the sidecar's -- */
  scorch_app_trace_mark ("transforms");
  g_object_thaw_notify (G_OBJECT (self->session));
  scorch_app_trace_mark ("thaw");
  scorch_caller_callee_view_set_frame (self->caller_callee_view, SCORCH_NODE_NONE);

  show_page (self, profile != NULL ? "profile" : "empty");
  update_actions (self);
  scorch_app_trace_mark ("show-page");
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

/* The next load's memory is faulted in while the app waits for it
 * (scorch_heap_prefault): HEAP_PREFAULT_DELAY after a window is shown or
 * a load is done, unless a load starts first.  A fresh page costs the
 * kernel's zeroing, and after a few idle seconds on a VM more than that
 * (bench/README.md "Why the same fp-1M load reads 0.33 s or 0.45 s"):
 * paid here, on a thread of its own while nothing is asked of the app,
 * and not by the open that follows.  One for the process, as the heap. */
#define HEAP_PREFAULT_DELAY 1000

static guint heap_prefault_id;

static gboolean
heap_prefault_cb (gpointer data)
{
  heap_prefault_id = 0;
  scorch_heap_prefault ();
  return G_SOURCE_REMOVE;
}

static void
schedule_heap_prefault (void)
{
  g_clear_handle_id (&heap_prefault_id, g_source_remove);
  heap_prefault_id = g_timeout_add_full (G_PRIORITY_LOW, HEAP_PREFAULT_DELAY, heap_prefault_cb, NULL, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, heap_prefault_id),
                            "[scorch] heap prefault");
}

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
  gint64 read_done_at;

  /* A newer load replaced this one: it owns the page now. */
  if (request->cancellable != self->load_cancellable)
    return;
  if (self->open_at != 0)
    self->loaded_at = g_get_monotonic_time ();
  scorch_app_trace_mark ("loading");
  scorch_app_trace_stage ("D");

  self->loading = FALSE;
  stop_progress (self);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->loading_file);
  read_done_at = self->read_done_at;
  self->read_done_at = 0;
  if (read_done_at != 0)
    g_debug ("profile built %.3f s after the last record was read",
             (g_get_monotonic_time () - read_done_at) / 1e6);

  if (profile == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_page (self,
                                          scorch_session_get_profile (self->session) != NULL ? "profile" : "empty");
      else
        show_error (self, file, error);
      update_actions (self);
      trace_end_early (self);
      return;
    }

  show_capture (self, profile, file);
  if (read_done_at != 0)
    g_debug ("views filled %.3f s after the last record was read",
             (g_get_monotonic_time () - read_done_at) / 1e6);
  add_recent (self, file);
  update_actions (self);
  scorch_app_trace_mark ("recent");
  report_capture_warnings (self);
  report_missing_symbols (self);
  scorch_app_trace_mark ("reports");

  g_signal_emit (self, signals[PROFILE_LOADED], 0);
  schedule_heap_prefault ();
  trace_shown (self);
  scorch_app_trace_mark ("load-done-end");
  scorch_app_trace_stage ("S");
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
  gboolean        save;
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
  if (request->save)
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
  request->save = save_name != NULL;

#if GTK_CHECK_VERSION(4, 10, 0)
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  {
    g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();

    gtk_file_dialog_set_title (dialog, title);
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

/* -- portable captures: Make Portable… writes a copy with the symbols the
 * samples hit (scorch-portable.h), on a worker thread -- */

/* The task's data: { capture, portable copy, NULL }. */
static void
pack_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  char **paths = task_data;
  GError *error = NULL;

  if (scorch_portable_pack (paths[0], paths[1], &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
pack_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ScorchWindow *self = SCORCH_WINDOW (object);
  char **paths = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_filename_display_basename (paths[1]);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Translators: %s is a file name, the second %s the reason */
      g_autofree char *message = g_strdup_printf (_("Could not make “%s” portable: %s"), name, error->message);

      toast (self, message);
      return;
    }
  {
    /* Translators: %s is a file name */
    g_autofree char *message = g_strdup_printf (_("Portable capture saved as “%s”: it opens with the same functions on another machine"), name);

    toast (self, message);
  }
}

static void
make_portable_chosen (ScorchWindow *self,
                      GFile        *file,
                      gpointer      data)
{
  GFile *source = scorch_session_get_file (self->session);
  g_autofree char *in_path = source != NULL ? g_file_get_path (source) : NULL;
  g_autofree char *out_path = g_file_get_path (file);
  g_autoptr(GTask) task = NULL;

  if (in_path == NULL || out_path == NULL)
    {
      toast (self, _("Only a local capture file can be made portable"));
      return;
    }
  task = g_task_new (self, NULL, pack_done, NULL);
  g_task_set_task_data (task, g_strdupv ((char *[]) { in_path, out_path, NULL }), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, pack_thread);
}

static void
make_portable_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *dot;

  if (scorch_session_get_file (self->session) == NULL)
    return;
  base = g_file_get_basename (scorch_session_get_file (self->session));
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  name = g_strconcat (base, "-portable.data", NULL);
  choose_file (self, _("Save a Portable Copy of the Capture"), name, make_portable_chosen, NULL);
}

gboolean
scorch_window_save_capture (ScorchWindow  *self,
                            GFile         *file,
                            GError       **error)
{
  GFile *source;

  g_return_val_if_fail (SCORCH_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  source = scorch_session_get_file (self->session);
  if (source == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("This profile has no capture file to save"));
      return FALSE;
    }
  /* Saving over itself: nothing to copy (a copy would truncate it first). */
  if (g_file_equal (file, source))
    return scorch_session_save_transforms (self->session, file, error); /* -- transforms -- */

  if (!g_file_copy (source, file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error))
    return FALSE;
  /* The capture shown is now the saved file: the title says so, and the
   * next Save As starts from it. */
  scorch_session_set_file (self->session, file);
  add_recent (self, file);
  /* -- transforms: the applied list beside the capture, reapplied on open -- */
  return scorch_session_save_transforms (self->session, file, error);
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

  if (scorch_session_get_file (self->session) == NULL)
    return;
  name = g_file_get_basename (scorch_session_get_file (self->session));
  choose_file (self, _("Save the Capture As"), name, save_as_chosen, NULL);
}

gboolean
scorch_window_export (ScorchWindow  *self,
                      const char    *format,
                      GFile         *file,
                      GError       **error)
{
  const ScorchProfileFormat *profile_format;
  g_autofree char *path = NULL;
  ScorchProfile *profile;

  g_return_val_if_fail (SCORCH_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (format != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  profile = scorch_session_get_filtered_profile (self->session);
  if (profile == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No capture is open"));
      return FALSE;
    }

  /* pprof and speedscope: the profile as the views show it (thread and
   * time filters, then the session's transforms). */
  if ((profile_format = scorch_profile_format_lookup (format)) != NULL)
    {
      g_autoptr(GFileOutputStream) stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);

      if (stream == NULL)
        return FALSE;
      if (!profile_format->write (profile, scorch_session_get_file (self->session),
                                  G_OUTPUT_STREAM (stream), NULL, error))
        {
          g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
          return FALSE;
        }
      return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
    }

  if (g_strcmp0 (format, "folded") == 0)
    {
      g_autoptr(GFileOutputStream) stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);

      if (stream == NULL)
        return FALSE;
      if (!scorch_folded_write (profile, G_OUTPUT_STREAM (stream), NULL, error))
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
  const ScorchProfileFormat *profile_format;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *dot;

  if (scorch_session_get_profile (self->session) == NULL)
    return;
  /* A capture not on disk (a test, a live view) exports as "profile.svg". */
  base = scorch_session_get_file (self->session) != NULL
           ? g_file_get_basename (scorch_session_get_file (self->session))
           : g_strdup ("profile");
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';
  if ((profile_format = scorch_profile_format_lookup (format)) != NULL)
    name = g_strconcat (base, profile_format->extensions[0], NULL);
  else
    name = g_strdup_printf ("%s.%s", base, format);
  choose_file (self,
               g_strcmp0 (format, "folded") == 0 ? _("Export Folded Stacks")
               : g_strcmp0 (format, "pprof") == 0 ? _("Export a pprof Profile")
               : g_strcmp0 (format, "speedscope") == 0 ? _("Export a speedscope Profile")
               : _("Export the Flame Graph"),
               name, export_chosen, format);
}

static void
show_in_hotspots_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  scorch_session_set_selected_frame (self->session, g_variant_get_uint32 (parameter));
}

/* win.show-in-flame-graph (u): the function's hottest frame, selected in
 * the Flame Graph (which is shown). */
static void
show_in_flame_graph_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  guint32 frame = g_variant_get_uint32 (parameter);

  scorch_session_set_selected_frame (self->session, frame);
  adw_view_stack_set_visible_child_name (self->view_stack, "flame-graph");
  gtk_widget_grab_focus (GTK_WIDGET (self->flame_graph));
}

/* win.show-source (u): the function's source and disassembly, in a window
 * of their own. */
static void
show_source_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  ScorchProfile *profile = scorch_session_get_profile (self->session);
  guint32 frame = g_variant_get_uint32 (parameter);
  guint n_frames = 0;
  ScorchSourceView *view;

  if (profile == NULL)
    return;
  scorch_profile_get_frames (profile, &n_frames);
  if (frame >= n_frames)
    return;
  view = scorch_source_view_new (GTK_WINDOW (self), profile, frame);
  gtk_window_present (GTK_WINDOW (view));
}

/* win.show-callers (u): the Caller/Callee page for the function. */
static void
show_callers_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);

  scorch_session_set_selected_frame (self->session, g_variant_get_uint32 (parameter));
  scorch_caller_callee_view_set_frame (self->caller_callee_view, g_variant_get_uint32 (parameter));
  adw_view_stack_set_visible_child_name (self->view_stack, "caller-callee");
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
  /* Only what is on screen can be searched, saved or exported: not a
   * capture hidden behind the loading or recording page. */
  gboolean have = scorch_session_get_profile (self->session) != NULL &&
                  g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "profile") == 0;

  /* win.record and win.record-demo follow the recording state
   * (scorch-window-record.c). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", self->loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", have && scorch_session_get_file (self->session) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.make-portable", have && scorch_session_get_file (self->session) != NULL);
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
  /* -- compare: onto a profile, a second capture is compared with it -- */
  if (_scorch_window_compare_drop (self, files->data))
    return TRUE;
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
  /* The graph's share side by side, as a person last left it. */
  self->graph_share[0] = GRAPH_SHARE_SIDE_BY_SIDE;
  self->graph_share[1] = GRAPH_SHARE_STACKED;
  if (position > 0 && width > 0)
    self->graph_share[0] = CLAMP ((double) position / width, 0.2, 0.9);

  /* The layout the window will open with (so that its minimum width is
   * that layout's); the divider is placed once the window knows its size
   * (place_divider). */
  (void) position;
  set_stacked (self, (width > 0 ? width : 1100) < STACKED_BELOW_WIDTH);
}

static void
save_window_state (ScorchWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  int width = 0, height = 0;

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
  /* The graph's share side by side, as pixels of the saved window width. */
  if (!maximized && width > 0)
    g_settings_set_int (self->settings, "paned-position", (int) (width * self->graph_share[0]));
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
  if (key == NULL || g_strcmp0 (key, "collapse-templates") == 0)
    {
      ScorchProfile *shown = scorch_session_get_filtered_profile (self->session);

      ScorchDisplayNameFlags name_flags = g_settings_get_boolean (self->settings, "collapse-templates")
                                            ? SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES
                                            : SCORCH_DISPLAY_NAME_DEFAULT;

      scorch_function_item_set_display_flags (name_flags);
      scorch_flame_graph_set_name_flags (self->flame_graph, name_flags);
      scorch_flame_graph_set_name_flags (self->icicle_graph, name_flags);
      /* The rows name their function once: make them again. */
      if (key != NULL && shown != NULL)
        {
          scorch_hotspot_view_set_profile (self->hotspot_view, NULL);
          scorch_hotspot_view_set_profile (self->hotspot_view, shown);
          scorch_call_tree_view_set_profile (self->call_tree_view, NULL);
          scorch_caller_callee_view_set_profile (self->caller_callee_view, NULL);
          sync_lazy_views (self);
          scorch_caller_callee_view_set_frame (self->caller_callee_view,
                                               scorch_session_get_selected_frame (self->session));
        }
    }
}

static gboolean
frame_to_highlight (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  /* Both say "none" with G_MAXUINT32 today; keep the mapping explicit. */
  guint32 frame = g_value_get_uint (from);

  g_value_set_uint (to, frame == SCORCH_NODE_NONE ? G_MAXUINT32 : frame);
  return TRUE;
}

static gboolean
title_or_default (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  const char *title = g_value_get_string (from);

  g_value_set_string (to, title != NULL ? title : _("Scorch"));
  return TRUE;
}

/* The views show the session's state through bindings; the window's own
 * handlers are connected after them, so they see the views updated. */
static void
bind_session (ScorchWindow *self)
{
  GObject *session = G_OBJECT (self->session);
  GObject *graphs[] = { G_OBJECT (self->flame_graph), G_OBJECT (self->icicle_graph) };
  const GBindingFlags sync = G_BINDING_SYNC_CREATE;

  /* -- off-CPU: the time view selector, shown for captures with switch events -- */
  g_object_bind_property (session, "time-view", self->time_view_dropdown, "selected",
                          sync | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (session, "has-time-views", self->time_view_dropdown, "visible", sync);

  /* the capture and its title */
  /* the thread list and timeline follow the time view (off-CPU) */
  g_object_bind_property (session, "view-profile", self->thread_list, "profile", sync);
  /* reach: after the thread list, whose threads choosing a process checks */
  g_object_bind_property (session, "view-profile", self->capture_processes, "profile", sync);
  g_object_bind_property (session, "view-profile", self->timeline, "profile", sync);
  /* the summary page gets the profile when it is shown (sync_lazy_views) */
  g_object_bind_property_full (session, "title", self->window_title, "title", sync,
                               title_or_default, NULL, NULL, NULL);
  g_object_bind_property_full (session, "title", self, "title", sync,
                               title_or_default, NULL, NULL, NULL);
  g_object_bind_property (session, "subtitle", self->window_title, "subtitle", sync);

  /* what every view shows; the pages not shown get it when shown */
  g_object_bind_property (session, "filtered-profile", self->flame_graph, "profile", sync);
  g_object_bind_property (session, "filtered-profile", self->hotspot_view, "profile", sync);
  g_signal_connect_object (session, "notify::filtered-profile", G_CALLBACK (sync_lazy_views), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::profile", G_CALLBACK (sync_lazy_views), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name", G_CALLBACK (sync_lazy_views), self, G_CONNECT_SWAPPED);
  sync_lazy_views (self);

  /* the selected function */
  g_object_bind_property (session, "selected-frame", self->hotspot_view, "selected-frame",
                          sync | G_BINDING_BIDIRECTIONAL);
  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++)
    g_object_bind_property_full (session, "selected-frame", graphs[i], "highlight-frame", sync,
                                 frame_to_highlight, NULL, NULL, NULL);

  /* the search */
  g_object_bind_property (self->regex_button, "active", session, "search-regex",
                          sync | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->case_button, "active", session, "search-case-sensitive",
                          sync | G_BINDING_BIDIRECTIONAL);
  /* One ScorchSearch, compiled once by the session, for every view. */
  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++)
    g_object_bind_property (session, "search", graphs[i], "search", sync);
  g_object_bind_property (session, "search", self->hotspot_view, "search", sync);

  g_signal_connect_object (session, "notify::filtered-profile", G_CALLBACK (filtered_profile_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::selected-frame", G_CALLBACK (selected_frame_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::search-text", G_CALLBACK (update_search_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::search-valid", G_CALLBACK (update_search_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::matched-fraction", G_CALLBACK (update_search_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::program-output", G_CALLBACK (recording_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::exit-status", G_CALLBACK (recording_changed_cb), self, G_CONNECT_SWAPPED);
}

/* -- adaptive layout --
 *
 * Side by side (graph | table) from STACKED_BELOW_WIDTH up, the table under
 * the graph below it, with the view switcher's narrow form. libadwaita 1.4
 * does it with a breakpoint; older versions switch on the window's width
 * from size_allocate (in an idle: not while allocating). */

/* The divider keeps the graph's share of the paned (the default, or what
 * a person chose by dragging it) when the window is resized. */
static int
paned_extent (ScorchWindow *self)
{
  return self->stacked ? gtk_widget_get_height (GTK_WIDGET (self->main_paned))
                       : gtk_widget_get_width (GTK_WIDGET (self->main_paned));
}

static void
place_divider (ScorchWindow *self)
{
  int extent = paned_extent (self);

  if (extent <= 0)
    return;
  self->placing = TRUE;
  gtk_paned_set_position (self->main_paned, extent * self->graph_share[self->stacked]);
  self->placing = FALSE;
  self->placed_extent = extent;
  self->paned_placed = TRUE;
  g_debug ("divider placed at %d of %d (%s)", gtk_paned_get_position (self->main_paned), extent,
           self->stacked ? "stacked" : "side by side");
}

static void
divider_moved_cb (ScorchWindow *self)
{
  int extent = paned_extent (self);

  /* Moved by a person (not by place_divider nor by a resize). */
  if (self->placing || !self->paned_placed || extent != self->placed_extent || extent <= 0)
    return;
  self->graph_share[self->stacked] = CLAMP ((double) gtk_paned_get_position (self->main_paned) / extent, 0.2, 0.9);
  g_debug ("divider moved to %d of %d", gtk_paned_get_position (self->main_paned), extent);
}

static void
set_stacked (ScorchWindow *self,
             gboolean      stacked)
{
  if (self->paned_placed && (guint) !!stacked == self->stacked)
    return;
  self->stacked = !!stacked;
  self->paned_placed = FALSE;
#if !ADW_CHECK_VERSION(1, 4, 0)
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->main_paned),
                                  stacked ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
#endif
}

/* The view switcher's wide form (labels beside icons, 650+ px with six
 * pages) only where the graph’s pane has room for it: a window
 * at its minimum width could not get narrower, so the narrow form comes
 * before the window reaches it. */
static void
update_switcher_policy (ScorchWindow *self)
{
  int pane = self->stacked ? gtk_widget_get_width (GTK_WIDGET (self))
                           : gtk_widget_get_width (GTK_WIDGET (self)) * self->graph_share[0];
  gboolean wide;

  if (adw_view_switcher_get_policy (self->view_switcher) == ADW_VIEW_SWITCHER_POLICY_WIDE)
    gtk_widget_measure (GTK_WIDGET (self->view_switcher), GTK_ORIENTATION_HORIZONTAL, -1,
                        &self->switcher_wide_min, NULL, NULL, NULL);
  wide = self->switcher_wide_min > 0 && pane >= self->switcher_wide_min + 16;
  adw_view_switcher_set_policy (self->view_switcher,
                                wide ? ADW_VIEW_SWITCHER_POLICY_WIDE : ADW_VIEW_SWITCHER_POLICY_NARROW);
}

static gboolean
layout_idle_cb (gpointer data)
{
  ScorchWindow *self = data;

  self->layout_idle = 0;
#if !ADW_CHECK_VERSION(1, 4, 0)
  {
    gboolean stacked = gtk_widget_get_width (GTK_WIDGET (self)) < STACKED_BELOW_WIDTH;

    /* A new orientation: the divider is placed after the paned has been
     * allocated in it (size_allocate comes back here). */
    if ((guint) stacked != self->stacked)
      {
        set_stacked (self, stacked);
        return G_SOURCE_REMOVE;
      }
  }
#endif
  update_switcher_policy (self);
  if (!self->paned_placed || paned_extent (self) != self->placed_extent)
    place_divider (self);
  return G_SOURCE_REMOVE;
}

static void
scorch_window_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  ScorchWindow *self = SCORCH_WINDOW (widget);
  gboolean relayout;

  GTK_WIDGET_CLASS (scorch_window_parent_class)->size_allocate (widget, width, height, baseline);

  /* The divider placed in the frame that gives the paned its size (the
   * first frame of a capture opened in a running window), and the paned
   * allocated again at once in the same place (the allocation queued
   * while the window allocates is not run before the paint): that frame
   * paints the divider where it goes instead of GtkPaned's own position
   * followed by a second frame (5-15 ms) that moves it from the idle. A
   * new orientation first goes through the idle (the paned is allocated
   * in it before the divider is placed). */
  if ((!self->paned_placed || paned_extent (self) != self->placed_extent)
#if !ADW_CHECK_VERSION(1, 4, 0)
      && (guint) (width < STACKED_BELOW_WIDTH) == self->stacked
#endif
      && gtk_widget_get_mapped (GTK_WIDGET (self->main_paned)))
    {
      GtkAllocation paned;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_widget_get_allocation (GTK_WIDGET (self->main_paned), &paned);
      G_GNUC_END_IGNORE_DEPRECATIONS
      place_divider (self);
      gtk_widget_size_allocate (GTK_WIDGET (self->main_paned), &paned, -1);
    }

  relayout = !self->paned_placed || paned_extent (self) != self->placed_extent ||
             width != self->allocated_width;
  self->allocated_width = width;
#if !ADW_CHECK_VERSION(1, 4, 0)
  relayout |= (guint) (width < STACKED_BELOW_WIDTH) != self->stacked;
#endif
  if (relayout && self->layout_idle == 0)
    self->layout_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, layout_idle_cb, self, NULL);
}

#if ADW_CHECK_VERSION(1, 4, 0)
static void
breakpoint_apply_cb (ScorchWindow *self)
{
  set_stacked (self, TRUE);
}

static void
breakpoint_unapply_cb (ScorchWindow *self)
{
  set_stacked (self, FALSE);
}
#endif

static void
setup_adaptive_layout (ScorchWindow *self)
{
#if ADW_CHECK_VERSION(1, 4, 0)
  g_autofree char *condition = g_strdup_printf ("max-width: %dpx", STACKED_BELOW_WIDTH - 1);
  AdwBreakpoint *breakpoint = adw_breakpoint_new (adw_breakpoint_condition_parse (condition));
  GValue vertical = G_VALUE_INIT;

  g_value_init (&vertical, GTK_TYPE_ORIENTATION);
  g_value_set_enum (&vertical, GTK_ORIENTATION_VERTICAL);
  adw_breakpoint_add_setter (breakpoint, G_OBJECT (self->main_paned), "orientation", &vertical);
  g_signal_connect_object (breakpoint, "apply", G_CALLBACK (breakpoint_apply_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (breakpoint, "unapply", G_CALLBACK (breakpoint_unapply_cb), self, G_CONNECT_SWAPPED);
  adw_application_window_add_breakpoint (ADW_APPLICATION_WINDOW (self), breakpoint);
  /* With breakpoints the window's minimum is its size request. */
  gtk_widget_set_size_request (GTK_WIDGET (self), 600, 420);
#else
  (void) self;
#endif
}

static gboolean
scorch_window_close_request (GtkWindow *window)
{
  ScorchWindow *self = SCORCH_WINDOW (window);

  save_window_state (self);

  return GTK_WINDOW_CLASS (scorch_window_parent_class)->close_request (window);
}

static void
scorch_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (scorch_window_parent_class)->map (widget);
  /* a window opened with a file is loading: nothing then */
  if (!SCORCH_WINDOW (widget)->loading)
    schedule_heap_prefault ();
}

static void
scorch_window_dispose (GObject *object)
{
  ScorchWindow *self = SCORCH_WINDOW (object);

  _scorch_window_record_dispose (self);
  g_clear_handle_id (&self->layout_idle, g_source_remove);
  stop_progress (self);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_WINDOW);

  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->loading_file);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (scorch_window_parent_class)->dispose (object);
}

static void
scorch_window_finalize (GObject *object)
{
  ScorchWindow *self = SCORCH_WINDOW (object);

  /* Late callbacks of a recording (holding a reference) read it until
   * the window goes. */
  g_clear_pointer (&self->record, _scorch_window_record_free);
  /* -- compare: late baseline loads hold a reference too -- */
  g_clear_pointer (&self->compare, _scorch_window_compare_free);

  G_OBJECT_CLASS (scorch_window_parent_class)->finalize (object);
}

static const ScorchAppTemplateChild window_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, header_bar),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, record_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, open_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, primary_menu_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, export_menu_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, search_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, time_view_dropdown),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, window_title),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, toast_overlay),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, stack),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, empty_page),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, loading_page),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, load_progress),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, error_page),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, search_bar),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, search_entry),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, regex_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, case_button),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, search_status),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, main_paned),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, view_switcher),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, view_stack),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, flame_graph),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, icicle_graph),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, call_tree_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, caller_callee_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, hotspot_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, thread_list),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, capture_processes),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, timeline),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, status_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, status_hint),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, summary_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, exit_banner),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, exit_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, output_page),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, output_text),
  SCORCH_APP_TEMPLATE_CHILD (ScorchWindow, recent_section),
};

static const ScorchAppAction window_actions[] = {
  { "win.record",        record_action },
  { "win.open",          open_action },
  { "win.cancel-load",   cancel_load_action },
  { "win.search",        search_action },
  { "win.save-as",       save_as_action },
  { "win.make-portable", make_portable_action },
  { "win.show-output",   show_output_action },
  { "win.preferences",   preferences_action },
  { "win.show-summary",  show_summary_action },
};

static void
scorch_window_class_init (ScorchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = scorch_window_dispose;
  object_class->finalize = scorch_window_finalize;
  widget_class->size_allocate = scorch_window_size_allocate;
  widget_class->map = scorch_window_map;

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
  g_type_ensure (SCORCH_TYPE_CAPTURE_PROCESSES);
  g_type_ensure (SCORCH_TYPE_FLAME_BREADCRUMBS);
  g_type_ensure (SCORCH_TYPE_HOTSPOT_VIEW);
  g_type_ensure (SCORCH_TYPE_CALL_TREE_VIEW);
  g_type_ensure (SCORCH_TYPE_CALLER_CALLEE_VIEW);
  g_type_ensure (SCORCH_TYPE_THREAD_LIST);
  g_type_ensure (SCORCH_TYPE_TIMELINE);
  g_type_ensure (SCORCH_TYPE_SUMMARY_VIEW);

  scorch_app_class_set_template (widget_class,
                                 window_children, G_N_ELEMENTS (window_children),
                                 window_actions, G_N_ELEMENTS (window_actions));
  /* The actions that take a parameter. */
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "win.show-in-hotspots", "u", show_in_hotspots_action);
  gtk_widget_class_install_action (widget_class, "win.filter-thread", "i", filter_thread_action);
  gtk_widget_class_install_action (widget_class, "win.show-in-flame-graph", "u", show_in_flame_graph_action);
  gtk_widget_class_install_action (widget_class, "win.show-callers", "u", show_callers_action);
  gtk_widget_class_install_action (widget_class, "win.show-source", "u", show_source_action);

  /* A keyboard user cancels without the button's 250 ms press animation. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel-load", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.save-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", "s", "svg");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.preferences", NULL);

  _scorch_window_record_class_init (widget_class);
  _scorch_window_transforms_class_init (widget_class);
  /* -- compare two captures -- */
  _scorch_window_compare_class_init (widget_class);
}

static void
scorch_window_init (ScorchWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->session = scorch_session_new ();
  restore_window_state (self);
  setup_adaptive_layout (self);
  g_signal_connect_object (self->main_paned, "notify::position", G_CALLBACK (divider_moved_cb), self, G_CONNECT_SWAPPED);

  /* Fixed: the bottom-up graph hangs from the top, as its name says. */
  scorch_flame_graph_set_orientation (self->icicle_graph, SCORCH_FLAME_ORIENTATION_ICICLE);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  settings_changed_cb (self, NULL);

  bind_session (self);
  g_signal_connect_object (self->stack, "notify::visible-child-name", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->exit_banner, "response", G_CALLBACK (exit_banner_response_cb), self, G_CONNECT_SWAPPED);
  recording_changed_cb (self);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_object_bind_property (self->search_bar, "search-mode-enabled",
                          self->search_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->thread_list, "changed", G_CALLBACK (threads_changed_cb), self, G_CONNECT_SWAPPED);
  scorch_capture_processes_set_thread_list (self->capture_processes, self->thread_list);
  g_signal_connect_object (self->timeline, "range-changed", G_CALLBACK (range_changed_cb), self, G_CONNECT_SWAPPED);

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
  _scorch_window_transforms_init (self);
  /* -- compare two captures -- */
  _scorch_window_compare_init (self);
}

ScorchWindow *
scorch_window_new (ScorchApplication *application)
{
  g_return_val_if_fail (SCORCH_IS_APPLICATION (application), NULL);

  return g_object_new (SCORCH_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/* The loading page of the capture being loaded, with its latest progress. */
static void
show_loading_page (ScorchWindow *self)
{
  g_autofree char *name = display_name (self->loading_file);
  g_autofree char *title = NULL;

  g_clear_handle_id (&self->loading_page_id, g_source_remove);
  /* Translators: %s is a file name */
  title = g_strdup_printf (_("Loading “%s”"), name);
  adw_status_page_set_title (self->loading_page, title);
  adw_status_page_set_description (self->loading_page,
                                   _("Reading samples, unwinding stacks and looking up function names"));
  show_progress (self, self->progress_fraction, self->progress_samples);
  show_page (self, "loading");
  update_actions (self);
  scorch_app_trace_mark ("loading-page");
}

static gboolean
loading_page_timeout_cb (gpointer data)
{
  ScorchWindow *self = data;

  self->loading_page_id = 0;
  if (self->loading)
    show_loading_page (self);
  return G_SOURCE_REMOVE;
}

void
scorch_window_open_file (ScorchWindow *self,
                         GFile        *file)
{
  g_autofree char *path = NULL;
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

  /* the load refills the heap itself (scorch_load_async) */
  g_clear_handle_id (&heap_prefault_id, g_source_remove);
  /* A load in progress is replaced by this one. */
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  g_set_object (&self->loading_file, file);
  self->loading = TRUE;
  self->open_at = trace_timing_enabled () ? g_get_monotonic_time () : 0;
  self->open_cpu = self->open_at != 0 ? _scorch_window_thread_cpu_time () : 0;
  if (self->open_at != 0)
    process_faults (&self->open_majflt, &self->open_minflt);
  if (self->open_at != 0)
    trace_begin (self);
  stop_progress (self);
  self->read_done_at = 0;
  self->progress_fraction = 0.0;
  self->progress_samples = 0;

  /* A window not drawn yet (`scorch FILE`) shows the loading page from
   * its first frame, not the start page first; one that shows a loading
   * page already shows the new file's at once, not an old title.  Other
   * windows wait LOADING_PAGE_DELAY (a quick load never shows it). */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "loading") != 0)
    self->loading_page_id = g_timeout_add (LOADING_PAGE_DELAY, loading_page_timeout_cb, self);
  else
    show_loading_page (self);
  update_actions (self);

  request = g_new0 (LoadRequest, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->load_cancellable);
  request->file = g_object_ref (file);
  scorch_load_async (path,
                     &(ScorchLoadOptions) {
                       .cancellable = self->load_cancellable,
                       .progress = load_progress_cb,
                       .progress_data = g_object_ref (self),
                       .progress_destroy = g_object_unref,
                     },
                     load_done_cb, request);
  scorch_app_trace_mark ("open-call");
}

void
scorch_window_set_profile (ScorchWindow  *self,
                           ScorchProfile *profile)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));
  g_return_if_fail (profile == NULL || SCORCH_IS_PROFILE (profile));

  show_capture (self, profile, NULL);
}

ScorchProfile *
scorch_window_get_profile (ScorchWindow *self)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), NULL);

  return scorch_session_get_filtered_profile (self->session);
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

  /* -- compare: "Compare With Previous Recording" -- */
  _scorch_window_compare_note_recording (self, profile);
  show_capture (self, profile, file);
  report_missing_symbols (self);
}

gboolean
_scorch_window_is_unused (ScorchWindow *self)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), FALSE);

  return scorch_session_get_profile (self->session) == NULL && !self->loading &&
         !_scorch_window_record_is_busy (self) && _scorch_window_record_get_dialog (self) == NULL;
}

gboolean
_scorch_window_is_loading (ScorchWindow *self)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), FALSE);

  return self->loading;
}

void
_scorch_window_show_previous (ScorchWindow *self)
{
  g_return_if_fail (SCORCH_IS_WINDOW (self));

  /* The title said "Recording …": it names the capture again. */
  scorch_session_set_file (self->session, scorch_session_get_file (self->session));
  show_page (self,
                                    scorch_session_get_profile (self->session) != NULL ? "profile" : "empty");
  update_actions (self);
}

ScorchWindowRecord *
_scorch_window_get_record (ScorchWindow *self)
{
  return self->record;
}

void
_scorch_window_set_record (ScorchWindow       *self,
                           ScorchWindowRecord *record)
{
  g_assert (self->record == NULL);
  self->record = record;
}

ScorchSession *
_scorch_window_get_session (ScorchWindow *self)
{
  g_return_val_if_fail (SCORCH_IS_WINDOW (self), NULL);

  return self->session;
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

  show_page (self, name);
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
  if (g_str_equal (name, "processes"))   /* reach */
    return GTK_WIDGET (self->capture_processes);
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

/* -- compare two captures (scorch-window-compare.c) -- */

ScorchWindowCompare *
_scorch_window_get_compare (ScorchWindow *self)
{
  return self->compare;
}

void
_scorch_window_set_compare (ScorchWindow        *self,
                            ScorchWindowCompare *compare)
{
  g_assert (self->compare == NULL);
  self->compare = compare;
}
