/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-report.c: "scorch-cli report FILE": the hottest functions of a
 * capture (perf.data or folded stacks) as a table, TSV, JSON, folded stacks
 * or a call tree. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "scorch-analyzer.h"
#include "scorch-cli.h"
#include "scorch-cli-transforms.h"
#include "scorch-diagnostics.h"
#include "scorch-folded.h"
#include "scorch-loader.h"
#include "scorch-profile.h"
#include "scorch-report-json.h"
#include "scorch-text.h"

typedef enum
{
  FORMAT_TABLE,
  FORMAT_TSV,
  FORMAT_JSON,
  FORMAT_FOLDED,
  FORMAT_TREE,
} Format;

static double
percent (guint64 part,
         guint64 total)
{
  return total > 0 ? 100.0 * (double) part / (double) total : 0.0;
}

/* Names may hold anything the binary's symbol table held: escape control
 * characters (tab and newline too, for TSV's columns) and invalid UTF-8,
 * so that printing a name can neither drive the terminal nor break a line. */
static char *
sanitize (const char *s)
{
  return scorch_text_to_terminal (s, SCORCH_TEXT_TERMINAL_DEFAULT);
}

/* VALUE with FORMAT ("%.2f"), right-aligned in WIDTH columns: a decimal
 * point whatever the locale, so that scripts read the same figures
 * everywhere. */
static const char *
format_fixed (char       *buf,
              gsize       size,
              int         width,
              const char *format,
              double      value)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (num, sizeof num, format, value);
  g_snprintf (buf, size, "%*s", width, num);
  return buf;
}

static const char *
format_percent (char   *buf,
                gsize   size,
                int     width,
                double  value)
{
  return format_fixed (buf, size, width, "%.2f", value);
}

/* Printable ASCII only: what sanitize() would return unchanged. */
static gboolean
is_plain (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || (guchar) *s > 0x7E)
      return FALSE;
  return TRUE;
}

/* Appends S as sanitize() makes it, without a copy when it is plain. */
static void
append_sanitized (GString    *line,
                  const char *s)
{
  if (s == NULL)
    return;
  if (is_plain (s))
    g_string_append (line, s);
  else
    {
      g_autofree char *safe = sanitize (s);

      g_string_append (line, safe);
    }
}

static void
append_u64 (GString *line,
            guint64  v)
{
  char buf[24];
  guint i = sizeof buf;

  do
    {
      buf[--i] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  g_string_append_len (line, buf + i, sizeof buf - i);
}

/* Percentages of small counts repeat on most rows: each is formatted once. */
#define TSV_PERCENT_MEMO 4096

typedef struct
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean set;
} PercentMemo;

static void
append_percent (GString     *line,
                PercentMemo *memo,
                guint64      part,
                guint64      total)
{
  char buf[32];

  if (part < TSV_PERCENT_MEMO)
    {
      PercentMemo *m = &memo[part];

      if (!m->set)
        {
          format_percent (m->text, sizeof m->text, 0, percent (part, total));
          m->set = TRUE;
        }
      g_string_append (line, m->text);
      return;
    }
  g_string_append (line, format_percent (buf, sizeof buf, 0, percent (part, total)));
}

void
scorch_cli_write_tsv (FILE          *out,
                      ScorchProfile *profile,
                      guint          n)
{
  guint64 total = scorch_profile_get_total (profile);
  guint n_hotspots;
  const ScorchHotspot *hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  g_autofree PercentMemo *memo = g_new0 (PercentMemo, TSV_PERCENT_MEMO);
  g_autoptr(GString) text = g_string_sized_new (64 * 1024);

  /* One line per hotspot: self %, total %, self, total, function, module;
   * built here rather than by fprintf, and written in large pieces. */
  for (guint i = 0; i < MIN (n, n_hotspots); i++)
    {
      const ScorchFrame *f = scorch_profile_get_frame (profile, hotspots[i].frame);

      append_percent (text, memo, hotspots[i].self, total);
      g_string_append_c (text, '\t');
      append_percent (text, memo, hotspots[i].total, total);
      g_string_append_c (text, '\t');
      append_u64 (text, hotspots[i].self);
      g_string_append_c (text, '\t');
      append_u64 (text, hotspots[i].total);
      g_string_append_c (text, '\t');
      append_sanitized (text, f->function);
      g_string_append_c (text, '\t');
      append_sanitized (text, f->module);
      g_string_append_c (text, '\n');
      if (text->len >= 60 * 1024)
        {
          fwrite (text->str, 1, text->len, out);
          g_string_truncate (text, 0);
        }
    }
  fwrite (text->str, 1, text->len, out);
}

/* --diagnostics: what the capture is, how far its stacks can be trusted,
 * and what to do about it. */
/* Modules whose file cannot be read here (missing, or not a regular file
 * such as a FIFO a hostile capture names) leave frames as addresses and
 * cut stacks short: say so, once per module, where stacks stop in them. */
static void
warn_unreadable_modules (ScorchProfile *profile)
{
  const ScorchProfileInfo *info = scorch_profile_get_info (profile);
  const ScorchUnwindStopEntry *stops;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_stops = 0;

  if (info->diagnostics == NULL)
    return;
  stops = scorch_diagnostics_get_stops (info->diagnostics, &n_stops);
  for (guint i = 0; i < n_stops; i++)
    {
      g_autofree char *name = NULL;

      if (stops[i].reason != SCORCH_UNWIND_STOP_MODULE_UNREADABLE ||
          !g_hash_table_add (seen, stops[i].module))
        continue;
      name = scorch_text_to_terminal (stops[i].module, SCORCH_TEXT_TERMINAL_DEFAULT);
      fprintf (stderr, _("%s: warning: %s cannot be read on this machine: its frames are shown as addresses "
                         "(--diagnostics says why)\n"), g_get_prgname (), name);
    }
}

static int
print_diagnostics (ScorchProfile *profile)
{
  ScorchDiagnostics *d = scorch_profile_get_info (profile)->diagnostics;
  ScorchDiagnosticsSummary sum;
  guint64 n;

  if (d == NULL)
    {
      /* Folded stacks carry no capture facts and no unwinding to judge. */
      printf ("%s\n", _("No diagnostics: the file holds no perf.data capture."));
      return 0;
    }

  scorch_diagnostics_get_summary (d, &sum);
  n = sum.n_samples;
  printf ("%s\n", _("Capture"));
  for (guint i = 0; i < sum.n_facts; i++)
    {
      g_autofree char *title = sanitize (sum.facts[i].title);
      g_autofree char *value = sanitize (sum.facts[i].value);

      printf ("  %-24s %s\n", title, value);
    }

  printf ("\n%s\n", _("Where stacks stop (samples whose stack does not reach the thread's entry)"));
  if (sum.n_stops == 0)
    printf ("  %s\n", _("nowhere: every stack is complete or kernel-only"));
  for (guint i = 0; i < sum.n_stops && i < 20; i++)
    {
      g_autofree char *module = sanitize (scorch_diagnostics_module_name (sum.stops[i].module));
      g_autofree char *function = sanitize (sum.stops[i].function != NULL ? sum.stops[i].function : _("(no symbol)"));
      char pct[32];

      printf ("  %s %%  %s  %s — %s\n", format_fixed (pct, sizeof pct, 6, "%.1f", percent (sum.stops[i].n_samples, n)),
              module[0] != '\0' ? module : _("(no file)"), function,
              scorch_unwind_stop_describe (sum.stops[i].reason));
    }

  if (sum.n_leaves > 0)
    {
      printf ("\n%s\n", _("Leaf functions without a frame (callers of these leaves are missing)"));
      for (guint i = 0; i < sum.n_leaves && i < 10; i++)
        {
          g_autofree char *module = sanitize (scorch_diagnostics_module_name (sum.leaves[i].module));
          g_autofree char *function = sanitize (sum.leaves[i].function);
          char pct[32];

          printf ("  %s %%  %s  %s\n", format_fixed (pct, sizeof pct, 6, "%.1f", percent (sum.leaves[i].n_samples, n)),
                  module, function);
        }
    }

  if (sum.n_unnamed > 0)
    {
      printf ("\n%s\n", _("Modules without symbols"));
      for (guint i = 0; i < sum.n_unnamed && i < 10; i++)
        {
          g_autofree char *module = sanitize (sum.unnamed[i].module);

          printf ("  %" G_GUINT64_FORMAT " %s  %s\n", sum.unnamed[i].n_samples, _("samples"), module);
        }
    }

  printf ("\n%s\n", _("Advice"));
  if (sum.n_advice == 0)
    printf ("  %s\n", _("none"));
  for (guint i = 0; i < sum.n_advice; i++)
    {
      g_autofree char *text = sanitize (sum.advice[i].text);

      printf ("  %s %s\n", sum.advice[i].level == SCORCH_ADVICE_WARNING ? "!" : "·", text);
    }
  return 0;
}

static gboolean
parse_tids (const char  *str,
            GArray      *tids,
            GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (str, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 v;
      char *end = NULL;
      const char *p = g_strstrip (parts[i]);

      if (*p == '\0')
        continue;
      v = g_ascii_strtoll (p, &end, 10);
      if (end == p || *end != '\0' || v < 0 || v > G_MAXINT32)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--tid: “%s” is not a thread id"), p);
          return FALSE;
        }
      {
        gint32 tid = (gint32) v;
        g_array_append_val (tids, tid);
      }
    }
  if (tids->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--tid needs at least one thread id"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_time (const char *str,
            double     *start,
            double     *end,
            GError    **error)
{
  const char *comma = strchr (str, ',');
  g_autofree char *a = NULL;

  *start = 0;
  *end = -1;
  if (comma == NULL || strchr (comma + 1, ',') != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--time: “%s” is not START,END in seconds (e.g. 1.5,3 or 2,)"), str);
      return FALSE;
    }
  a = g_strndup (str, comma - str);
  if (*g_strstrip (a) != '\0' && !scorch_cli_parse_seconds ("--time START", a, TRUE, start, error))
    return FALSE;
  if (comma[1] != '\0' && !scorch_cli_parse_seconds ("--time END", comma + 1, TRUE, end, error))
    return FALSE;
  if (*end >= 0 && *end < *start)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--time: the start (%g s) is after the end (%g s)"), *start, *end);
      return FALSE;
    }
  return TRUE;
}

/* Stacks whose outermost frame is not a thread's entry point, among the
 * samples of this (maybe filtered) profile: the analyzer's rule for
 * ScorchProfileInfo.n_truncated, which counts the whole capture. */
static guint64
count_truncated (ScorchProfile *profile)
{
  const guint64 *node_total = scorch_profile_get_node_total (profile);
  const ScorchNode *nodes;
  guint n_nodes;
  guint64 n = 0;

  nodes = scorch_profile_get_nodes (profile, &n_nodes);
  for (guint32 c = nodes[SCORCH_PROFILE_ROOT].first_child; c != SCORCH_NODE_NONE; c = nodes[c].next_sibling)
    if (!scorch_analyzer_is_thread_entry (scorch_profile_get_frame (profile, nodes[c].frame)->function))
      n += node_total[c];
  return n;
}

static void
print_tree_node (ScorchProfile *profile,
                 guint32        node,
                 guint64        total,
                 guint          indent,
                 double         min_percent,
                 guint          max_depth)
{
  const ScorchNode *nodes;
  const guint64 *node_total = scorch_profile_get_node_total (profile);
  const guint64 *node_self = scorch_profile_get_node_self (profile);
  g_autoptr(GArray) children = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint n_nodes;

  nodes = scorch_profile_get_nodes (profile, &n_nodes);
  for (guint32 c = nodes[node].first_child; c != SCORCH_NODE_NONE; c = nodes[c].next_sibling)
    if (percent (node_total[c], total) >= min_percent)
      g_array_append_val (children, c);

  /* hottest first */
  for (guint i = 1; i < children->len; i++)
    for (guint j = i; j > 0; j--)
      {
        guint32 *a = &g_array_index (children, guint32, j - 1);
        guint32 *b = &g_array_index (children, guint32, j);

        if (node_total[*a] >= node_total[*b])
          break;
        { guint32 t = *a; *a = *b; *b = t; }
      }

  for (guint i = 0; i < children->len; i++)
    {
      guint32 c = g_array_index (children, guint32, i);
      const ScorchFrame *f = scorch_profile_get_frame (profile, nodes[c].frame);
      g_autofree char *fn = sanitize (f->function);
      char t[32], p[32];

      printf ("%*s%s%% %s%%  %s%s%s\n", indent * 2, "",
              format_percent (t, sizeof t, 6, percent (node_total[c], total)),
              format_percent (p, sizeof p, 6, percent (node_self[c], total)), fn,
              f->kind == SCORCH_FRAME_KIND_INLINED ? _(" (inlined)") : "",
              f->kind == SCORCH_FRAME_KIND_KERNEL ? " [k]" : "");
      if (indent + 1 < max_depth)
        print_tree_node (profile, c, total, indent + 1, min_percent, max_depth);
    }
}

/* The process's CPU time (every thread's, user and system), in
 * microseconds: a load's work is spread over its threads. */
static gint64
process_cpu_time (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return ((gint64) usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

int
scorch_cli_report (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) loaded = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GArray) tids = g_array_new (FALSE, FALSE, sizeof (gint32));
  gint64 top = -1;
  gint64 load_started = 0, load_cpu = 0;
  gboolean trace;
  g_autofree char *top_str = NULL;
  guint64 n_truncated;
  gboolean tsv = FALSE, json = FALSE, folded = FALSE, tree = FALSE;
  gboolean diagnostics = FALSE;
  gboolean off_cpu = FALSE, wall = FALSE;
  ScorchProfileView view = SCORCH_PROFILE_VIEW_ON_CPU;
  g_autofree char *tid_str = NULL;
  g_autofree char *time_str = NULL;
  double t_start = 0, t_end = -1;
  Format format = FORMAT_TABLE;
  const ScorchHotspot *hotspots;
  guint n_hotspots;
  guint64 total;
  const ScorchProfileInfo *info;
  GOptionEntry entries[] = {
    { "top", 'n', 0, G_OPTION_ARG_STRING, &top_str, N_("Print only the N hottest functions"), N_("N") },
    { "tsv", 0, 0, G_OPTION_ARG_NONE, &tsv,
      N_("Tab-separated: self%, total%, self samples, total samples, function, module; sorted by self"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("JSON: totals and per-function figures"), NULL },
    { "folded", 0, 0, G_OPTION_ARG_NONE, &folded, N_("Folded stacks (a;b;c COUNT), as FlameGraph reads them"), NULL },
    { "tree", 0, 0, G_OPTION_ARG_NONE, &tree, N_("The call tree, top-down, with total and self percentages"), NULL },
    { "tid", 0, 0, G_OPTION_ARG_STRING, &tid_str, N_("Only samples of these threads"), N_("TID,…") },
    { "time", 0, 0, G_OPTION_ARG_STRING, &time_str,
      N_("Only samples between START and END seconds after the first sample (either may be empty)"), N_("START,END") },
    { "diagnostics", 0, 0, G_OPTION_ARG_NONE, &diagnostics,
      N_("The capture's summary and unwind diagnostics: where stacks stop, why, and what to do"), NULL },
    { "off-cpu", 0, 0, G_OPTION_ARG_NONE, &off_cpu,
      N_("Blocked time instead of CPU samples: the stacks threads were switched out in, weighted by the time "
         "(microseconds); needs sched:sched_switch events (record --off-cpu)"), NULL },
    { "wall", 0, 0, G_OPTION_ARG_NONE, &wall,
      N_("Wall-clock time: CPU samples weighted by their time plus blocked time (microseconds)"), NULL },
    { NULL }
  };
  int n_formats;
  /* -- transforms -- */
  g_autoptr(ScorchCliTransforms) transforms = scorch_cli_transforms_new ();

  context = g_option_context_new (_("FILE — the hottest functions of a capture"));
  scorch_cli_transforms_add_to_context (transforms, context);
  g_option_context_add_group (context, scorch_cli_symbol_paths_group ());
  g_option_context_set_description (context, scorch_cli_transforms_get_help ());
  g_option_context_set_summary (context,
                                _("FILE is a perf.data (from scorch-cli record or perf record, with frame pointer "
                                  "or DWARF call graphs), a folded-stacks file, or a pprof (gzip or not) or speedscope profile,\n"
                                  "told apart by their content.\n"
                                  "Percentages are of all samples in the selection (--tid, --time).\n"
                                  "--time is in seconds relative to the first sample of the capture.\n"
                                  "Transforms apply after --tid and --time; percentages are of the samples left."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!scorch_cli_parse_options (context, &argc, &argv))
    return 2;

  if (argc != 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fprintf (stderr, "%s\n%s", argc < 2 ? _("No capture file given.") : _("Only one capture file can be given."), help);
      return 2;
    }

  n_formats = !!tsv + !!json + !!folded + !!tree;
  if (n_formats > 1)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("--tsv, --json, --folded and --tree are mutually exclusive"));
      return 2;
    }
  format = tsv ? FORMAT_TSV : json ? FORMAT_JSON : folded ? FORMAT_FOLDED : tree ? FORMAT_TREE : FORMAT_TABLE;

  if ((top_str != NULL && !scorch_cli_parse_integer ("--top (-n)", top_str, 1, G_MAXINT32, &top, &error)) ||
      (tid_str != NULL && !parse_tids (tid_str, tids, &error)) ||
      (time_str != NULL && !parse_time (time_str, &t_start, &t_end, &error)))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  if (off_cpu && wall)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("--off-cpu and --wall are mutually exclusive"));
      return 2;
    }
  view = off_cpu ? SCORCH_PROFILE_VIEW_OFF_CPU : wall ? SCORCH_PROFILE_VIEW_WALL : SCORCH_PROFILE_VIEW_ON_CPU;

  if (diagnostics && (n_formats > 0 || top != -1 || tid_str != NULL || time_str != NULL ||
                      scorch_cli_transforms_get_n (transforms) > 0))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("--diagnostics describes the whole capture: it takes no other option"));
      return 2;
    }

  trace = g_strcmp0 (g_getenv ("SCORCH_TRACE_TIMING"), "1") == 0;
  if (trace)
    {
      load_started = g_get_monotonic_time ();
      load_cpu = process_cpu_time ();
    }
  loaded = scorch_load_sync (argv[1], SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  /* bench/app-open.sh sets this against the app's load= (the window's
   * line): the same loader, without the process's start and the output */
  if (trace && loaded != NULL)
    fprintf (stderr, "scorch-timing: report load=%.3f load-cpu=%.3f\n",
             (g_get_monotonic_time () - load_started) / 1e6, (process_cpu_time () - load_cpu) / 1e6);
  if (loaded == NULL)
    {
      scorch_cli_print_error (error->message);
      return 1;
    }
  if (diagnostics)
    return print_diagnostics (loaded);
  /* -- off-CPU: the time view asked for -- */
  if (view != SCORCH_PROFILE_VIEW_ON_CPU)
    {
      ScorchProfile *time_view = scorch_profile_get_view (loaded, view);

      if (time_view == NULL)
        {
          scorch_cli_print_error (_("The capture has no sched:sched_switch events with stacks: record with "
                                    "“scorch-cli record --off-cpu” (or “perf record -e sched:sched_switch "
                                    "--switch-events -g”)"));
          return 1;
        }
      g_object_ref (time_view);
      g_object_unref (loaded);
      loaded = time_view;
    }

  if (tids->len > 0 || time_str != NULL)
    {
      guint64 begin = 0, end = G_MAXUINT64, first, last;

      scorch_profile_get_time_bounds (loaded, &first, &last);
      if (time_str != NULL)
        {
          begin = first + (guint64) (t_start * 1e9);
          if (t_end >= 0)
            end = first + (guint64) (t_end * 1e9);
        }
      profile = scorch_profile_filter (loaded, (const gint32 *) (gpointer) tids->data, tids->len, begin, end);
    }
  else
    profile = g_object_ref (loaded);
  /* -- transforms: applied in the order given, to the selection -- */
  if (scorch_cli_transforms_get_n (transforms) > 0)
    {
      ScorchProfile *transformed = scorch_cli_transforms_apply (transforms, profile);

      g_object_unref (profile);
      profile = transformed;
    }

  total = scorch_profile_get_total (profile);
  hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  info = scorch_profile_get_info (profile);
  /* The info's count is for the whole capture; a selection has its own. */
  n_truncated = profile != loaded && info->n_truncated > 0 ? count_truncated (profile) : info->n_truncated;

  for (guint i = 0; info->warnings != NULL && i < info->warnings->len; i++)
    {
      /* A warning may quote a name from the capture. */
      g_autofree char *warning = scorch_text_to_terminal (g_ptr_array_index (info->warnings, i),
                                                          SCORCH_TEXT_TERMINAL_KEEP_LINES);

      fprintf (stderr, _("%s: warning: %s\n"), g_get_prgname (), warning);
    }
  warn_unreadable_modules (loaded);
  if (top > 0 && (guint) top < n_hotspots)
    n_hotspots = top;

  switch (format)
    {
    case FORMAT_TSV:
      scorch_cli_write_tsv (stdout, profile, n_hotspots);
      break;

    case FORMAT_JSON:
      {
        gsize len;
        g_autofree char *out = scorch_report_json_to_data (profile, (gint64) n_truncated, top > 0 ? (guint) top : 0, &len);

        fwrite (out, 1, len, stdout);
      }
      break;

    case FORMAT_FOLDED:
      {
        g_autoptr(GOutputStream) out = g_unix_output_stream_new (1, FALSE);

        fflush (stdout);
        if (!scorch_folded_write (profile, out, NULL, &error))
          {
            scorch_cli_print_error (error->message);
            return 1;
          }
      }
      break;

    case FORMAT_TREE:
      printf ("%s\n", _("  Total    Self  Function"));
      print_tree_node (profile, SCORCH_PROFILE_ROOT, total, 0, 0.5, top > 0 ? (guint) top : 64);
      break;

    case FORMAT_TABLE:
    default:
      {
        if (top < 0 && n_hotspots > 25)
          n_hotspots = 25;
        printf ("%7s %7s %9s  %-50s %s\n", _("Self"), _("Total"), _("Samples"), _("Function"), _("Module"));
        for (guint i = 0; i < n_hotspots; i++)
          {
            const ScorchFrame *f = scorch_profile_get_frame (profile, hotspots[i].frame);
            const char *base = strrchr (f->module, '/');
            g_autofree char *fn = sanitize (f->function);
            g_autofree char *mod = sanitize (base != NULL ? base + 1 : f->module);
            char sp[32], tp[32];

            /* Pad by characters, not bytes: names are UTF-8. */
            glong pad = MAX (0, 50 - g_utf8_strlen (fn, -1));

            printf ("%s%% %s%% %9" G_GUINT64_FORMAT "  %s%*s %s\n",
                    format_percent (sp, sizeof sp, 6, percent (hotspots[i].self, total)),
                    format_percent (tp, sizeof tp, 6, percent (hotspots[i].total, total)),
                    hotspots[i].self, fn, (int) pad, "", mod);
          }
        printf ("\n");
        if (view == SCORCH_PROFILE_VIEW_OFF_CPU)
          printf (_("%.3f s blocked (off-CPU)"), total / 1e6);
        else if (view == SCORCH_PROFILE_VIEW_WALL)
          printf (_("%.3f s of wall-clock time (on- and off-CPU)"), total / 1e6);
        else
          printf (_("%" G_GUINT64_FORMAT " samples"), total);
        if (view == SCORCH_PROFILE_VIEW_ON_CPU && info->event_name != NULL)
          {
            g_autofree char *event = sanitize (info->event_name);

            printf (" (%s)", event);
          }
        if (info->n_lost > 0)
          printf (_(", %" G_GUINT64_FORMAT " lost"), info->n_lost);
        if (n_truncated > 0)
          printf (_(", %" G_GUINT64_FORMAT " stacks truncated"), n_truncated);
        printf ("\n");
      }
      break;
    }

  if (fflush (stdout) != 0)
    return 1;
  return 0;
}
