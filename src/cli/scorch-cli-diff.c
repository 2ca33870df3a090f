/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-diff.c: "scorch-cli diff BASE NEW": what changed between two
 * captures, per function, as a table, TSV, JSON or difffolded stacks */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scorch-cli.h"
#include "scorch-cli-transforms.h"
#include "scorch-diff.h"
#include "scorch-loader.h"
#include "scorch-report-json.h"
#include "scorch-text.h"

typedef struct
{
  const char    *path;
  ScorchProfile *profile;
  GError        *error;
} LoadJob;

static gpointer
load_thread (gpointer data)
{
  LoadJob *job = data;

  job->profile = scorch_load_sync (job->path, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &job->error);
  return NULL;
}

/* Loads BASE in a second thread while this one loads NEW: a diff is ready
 * in about the time of loading the larger of the two. */
gboolean
_scorch_cli_load_pair (const char     *base_path,
                       const char     *new_path,
                       ScorchProfile **base,
                       ScorchProfile **new_profile)
{
  LoadJob jobs[2] = { { base_path, NULL, NULL }, { new_path, NULL, NULL } };
  GThread *thread = g_thread_new ("scorch-load-base", load_thread, &jobs[0]);
  gboolean ok = TRUE;

  load_thread (&jobs[1]);
  g_thread_join (thread);

  for (guint i = 0; i < 2; i++)
    if (jobs[i].error != NULL)
      {
        scorch_cli_print_error (jobs[i].error->message);
        g_clear_error (&jobs[i].error);
        ok = FALSE;
      }
  if (!ok)
    {
      g_clear_object (&jobs[0].profile);
      g_clear_object (&jobs[1].profile);
      return FALSE;
    }
  *base = jobs[0].profile;
  *new_profile = jobs[1].profile;
  return TRUE;
}

static char *
sanitize (const char *s)
{
  return scorch_text_to_terminal (s, SCORCH_TEXT_TERMINAL_DEFAULT);
}

/* "%.2f" with a decimal point whatever the locale; deltas keep their sign. */
static const char *
format_value (char     *buf,
              gsize     size,
              double    value,
              gboolean  sign)
{
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  /* -0.00 reads as a change: a rounded zero has no sign. */
  if (fabs (value) < 0.005)
    value = 0;
  g_ascii_formatd (num, sizeof num, "%.2f", value);
  g_snprintf (buf, size, "%s%s", sign && value >= 0 ? "+" : "", num);
  return buf;
}

typedef struct
{
  double base_self, new_self, delta_self;
  double base_total, new_total, delta_total;
  ScorchDiffChange change_self;
  ScorchDiffChange change_total;
} Row;

static void
row_of (ScorchDiff               *diff,
        const ScorchDiffFunction *f,
        Row                      *row)
{
  row->base_self = scorch_diff_normalize (diff, SCORCH_DIFF_BASE, f->base_self);
  row->new_self = scorch_diff_normalize (diff, SCORCH_DIFF_NEW, f->new_self);
  row->base_total = scorch_diff_normalize (diff, SCORCH_DIFF_BASE, f->base_total);
  row->new_total = scorch_diff_normalize (diff, SCORCH_DIFF_NEW, f->new_total);
  row->change_self = scorch_diff_compare (diff, f->base_self, f->new_self, &row->delta_self);
  row->change_total = scorch_diff_compare (diff, f->base_total, f->new_total, &row->delta_total);
}

static const char *
change_name (ScorchDiffChange change)
{
  switch (change)
    {
    case SCORCH_DIFF_HOTTER:
      return "hotter";
    case SCORCH_DIFF_COOLER:
      return "cooler";
    case SCORCH_DIFF_NEUTRAL:
    default:
      return "neutral";
    }
}

/* ▲ hotter, ▼ cooler, blank within the noise. */
static const char *
marker (ScorchDiffChange change)
{
  return change == SCORCH_DIFF_HOTTER ? "▲" : change == SCORCH_DIFF_COOLER ? "▼" : " ";
}

/* Four decimals are plenty for percentages and rates. */
static void
json_add_double (JsonBuilder *builder,
                 const char  *name,
                 double       value)
{
  scorch_json_add_double (builder, name, round (value * 1e4) / 1e4 + 0.0);
}

static void
json_add_side (JsonBuilder    *builder,
               ScorchDiff     *diff,
               ScorchDiffSide  side,
               const char     *name,
               const char     *path)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  scorch_json_add_string (builder, "file", path);
  scorch_json_add_uint (builder, "samples", scorch_diff_get_n_samples (diff, side));
  json_add_double (builder, "duration", scorch_diff_get_duration (diff, side));
  json_builder_end_object (builder);
}

static char *
diff_to_json (ScorchDiff *diff,
              const char *base_path,
              const char *new_path,
              guint       n_rows)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const ScorchDiffFunction *functions = scorch_diff_get_functions (diff, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, scorch_diff_get_mode (diff) == SCORCH_DIFF_RATES
                                          ? "samples-per-second" : "percent");
  json_add_side (builder, diff, SCORCH_DIFF_BASE, "base", base_path);
  json_add_side (builder, diff, SCORCH_DIFF_NEW, "new", new_path);
  json_builder_set_member_name (builder, "functions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_rows; i++)
    {
      const ScorchDiffFunction *f = &functions[i];
      Row row;

      row_of (diff, f, &row);
      json_builder_begin_object (builder);
      scorch_json_add_string (builder, "function", f->function);
      scorch_json_add_string (builder, "module", f->module);
      json_add_double (builder, "base_self", row.base_self);
      json_add_double (builder, "new_self", row.new_self);
      json_add_double (builder, "delta_self", row.delta_self);
      json_add_double (builder, "base_total", row.base_total);
      json_add_double (builder, "new_total", row.new_total);
      json_add_double (builder, "delta_total", row.delta_total);
      scorch_json_add_uint (builder, "base_self_samples", f->base_self);
      scorch_json_add_uint (builder, "new_self_samples", f->new_self);
      scorch_json_add_uint (builder, "base_total_samples", f->base_total);
      scorch_json_add_uint (builder, "new_total_samples", f->new_total);
      json_builder_set_member_name (builder, "change_self");
      json_builder_add_string_value (builder, change_name (row.change_self));
      json_builder_set_member_name (builder, "change_total");
      json_builder_add_string_value (builder, change_name (row.change_total));
      json_builder_set_member_name (builder, "only_in");
      if (f->base_frame == G_MAXUINT32)
        json_builder_add_string_value (builder, "new");
      else if (f->new_frame == G_MAXUINT32)
        json_builder_add_string_value (builder, "base");
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return scorch_json_node_to_data (root, NULL);
}

/* The transform options (--focus, --merge, …), in the order given, applied
 * to both sides before they are matched: the same view of each. */
void
_scorch_cli_transform_pair (ScorchCliTransforms  *transforms,
                            ScorchProfile       **base,
                            ScorchProfile       **new_profile)
{
  ScorchProfile **sides[2] = { base, new_profile };

  if (scorch_cli_transforms_get_n (transforms) == 0)
    return;
  for (guint i = 0; i < 2; i++)
    {
      ScorchProfile *transformed = scorch_cli_transforms_apply (transforms, *sides[i]);

      g_object_unref (*sides[i]);
      *sides[i] = transformed;
    }
}

int
scorch_cli_diff (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) base = NULL;
  g_autoptr(ScorchProfile) new_profile = NULL;
  g_autoptr(ScorchDiff) diff = NULL;
  g_autofree char *top_str = NULL;
  g_auto(GStrv) files = NULL;
  gint64 top = -1;
  gboolean tsv = FALSE, json = FALSE, folded = FALSE, rates = FALSE;
  const ScorchDiffFunction *functions;
  guint n_functions, n_rows;
  GOptionEntry entries[] = {
    { "top", 'n', 0, G_OPTION_ARG_STRING, &top_str, N_("Print only the N functions that changed most"), N_("N") },
    { "tsv", 0, 0, G_OPTION_ARG_NONE, &tsv,
      N_("Tab-separated: base self%, new self%, delta self, base total%, new total%, delta total, "
         "function, module; sorted by |delta self|"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("JSON: both sides and per-function figures"), NULL },
    { "folded", 0, 0, G_OPTION_ARG_NONE, &folded,
      N_("Stacks with both counts (a;b;c BASE NEW), as difffolded.pl writes them for flamegraph.pl"), NULL },
    { "rates", 0, 0, G_OPTION_ARG_NONE, &rates,
      N_("Compare samples per second of each capture instead of shares of its samples"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("BASE NEW") },
    { NULL }
  };

  /* -- transforms -- */
  g_autoptr(ScorchCliTransforms) transforms = scorch_cli_transforms_new ();

  context = g_option_context_new (_("BASE NEW — what changed between two captures"));
  scorch_cli_transforms_add_to_context (transforms, context);
  g_option_context_set_description (context, scorch_cli_transforms_get_help ());
  g_option_context_set_summary (context,
                                _("BASE and NEW are perf.data captures or folded-stacks files. Functions are "
                                  "matched by name and module (the module by its file name; the two main "
                                  "programs match each other), so a rebuilt program compares with its earlier "
                                  "build. Figures are percentages of each capture’s samples (or samples per "
                                  "second with --rates); delta is NEW − BASE. A change smaller than 0.5 points "
                                  "or three standard deviations of the sampling noise is shown as no change."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!scorch_cli_parse_options (context, &argc, &argv))
    return 2;
  if (files == NULL || g_strv_length (files) != 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fprintf (stderr, "%s\n%s", _("Give two captures: BASE and NEW."), help);
      return 2;
    }
  if (!!tsv + !!json + !!folded > 1)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("--tsv, --json and --folded are mutually exclusive"));
      return 2;
    }
  if (top_str != NULL && !scorch_cli_parse_integer ("--top (-n)", top_str, 1, G_MAXINT32, &top, &error))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  if (!_scorch_cli_load_pair (files[0], files[1], &base, &new_profile))
    return 1;
  _scorch_cli_transform_pair (transforms, &base, &new_profile);

  diff = scorch_diff_new (base, new_profile, rates ? SCORCH_DIFF_RATES : SCORCH_DIFF_SHARES);
  if (rates && scorch_diff_get_mode (diff) != SCORCH_DIFF_RATES)
    fprintf (stderr, _("%s: warning: a capture has no sample times (folded stacks?): comparing shares instead of rates\n"),
             g_get_prgname ());

  functions = scorch_diff_get_functions (diff, &n_functions);
  n_rows = top > 0 && (guint64) top < n_functions ? (guint) top : n_functions;

  if (folded)
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (1, FALSE);

      fflush (stdout);
      if (!scorch_diff_write_folded (diff, out, NULL, &error))
        {
          scorch_cli_print_error (error->message);
          return 1;
        }
      return 0;
    }

  if (json)
    {
      g_autofree char *text = diff_to_json (diff, files[0], files[1], n_rows);

      fputs (text, stdout);
      return fflush (stdout) == 0 ? 0 : 1;
    }

  if (!tsv)
    {
      g_autofree char *b = sanitize (files[0]);
      g_autofree char *n = sanitize (files[1]);
      gboolean r = scorch_diff_get_mode (diff) == SCORCH_DIFF_RATES;

      printf (_("Base: %s (%" G_GUINT64_FORMAT " samples)\nNew:  %s (%" G_GUINT64_FORMAT " samples)\n"),
              b, scorch_diff_get_n_samples (diff, SCORCH_DIFF_BASE),
              n, scorch_diff_get_n_samples (diff, SCORCH_DIFF_NEW));
      printf ("%s\n\n", r ? _("Figures are samples per second; ▲ ▼ mark changes beyond the noise.")
                          : _("Figures are percentages of each capture’s samples; ▲ ▼ mark changes beyond the noise."));
      printf ("%9s %9s %9s    %9s %9s %9s    %s\n", _("Base self"), _("New self"), _("Delta"),
              _("Base tot."), _("New tot."), _("Delta"), _("Function"));
      if (top < 0 && n_rows > 25)
        n_rows = 25;
    }

  for (guint i = 0; i < n_rows; i++)
    {
      const ScorchDiffFunction *f = &functions[i];
      g_autofree char *fn = sanitize (f->function);
      g_autofree char *mod = sanitize (f->module);
      char v[6][48];
      Row row;

      row_of (diff, f, &row);
      format_value (v[0], sizeof v[0], row.base_self, FALSE);
      format_value (v[1], sizeof v[1], row.new_self, FALSE);
      format_value (v[2], sizeof v[2], row.delta_self, !tsv);
      format_value (v[3], sizeof v[3], row.base_total, FALSE);
      format_value (v[4], sizeof v[4], row.new_total, FALSE);
      format_value (v[5], sizeof v[5], row.delta_total, !tsv);
      if (tsv)
        printf ("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v[0], v[1], v[2], v[3], v[4], v[5], fn, mod);
      else
        {
          const char *base_name = strrchr (mod, '/');

          printf ("%9s %9s %9s %s  %9s %9s %9s %s  %s%s  %s\n", v[0], v[1], v[2], marker (row.change_self),
                  v[3], v[4], v[5], marker (row.change_total),
                  fn,
                  f->base_frame == G_MAXUINT32 ? _(" (new)") : f->new_frame == G_MAXUINT32 ? _(" (gone)") : "",
                  base_name != NULL ? base_name + 1 : mod);
        }
    }

  return fflush (stdout) == 0 ? 0 : 1;
}
