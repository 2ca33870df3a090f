/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-export.c: "scorch-cli export FILE -o OUT.{svg,png,pdf,folded}", built as the module
 * scorch-cli-export.so that scorch-cli opens for it (scorch-cli-module.c) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "scorch-cli.h"
#include "scorch-cli-transforms.h"
#include "scorch-diff.h"
#include "scorch-flame-export.h"
#include "scorch-loader.h"
#include "scorch-profile-format.h"
#include "scorch-util.h"

static const struct
{
  const char       *name;
  ScorchFlameFormat format;
} formats[] = {
  { "svg", SCORCH_FLAME_FORMAT_SVG },
  { "png", SCORCH_FLAME_FORMAT_PNG },
  { "pdf", SCORCH_FLAME_FORMAT_PDF },
  { "folded", SCORCH_FLAME_FORMAT_FOLDED },
  { "html", SCORCH_FLAME_FORMAT_HTML },
};

/* -- formats beyond the flame graph (scorch-profile-format.h) -- */
static const ScorchProfileFormat *
profile_format (const char *format_name,
                const char *output)
{
  if (format_name != NULL)
    return scorch_profile_format_lookup (format_name);
  return scorch_profile_format_for_path (output);
}

typedef struct
{
  ScorchProfile             *profile;
  const ScorchProfileFormat *format;
  const char                *input;
} ProfileExport;

static gboolean
write_profile (GOutputStream  *stream,
               gpointer        user_data,
               GError        **error)
{
  ProfileExport *e = user_data;
  g_autoptr(GFile) in = g_file_new_for_path (e->input);

  return e->format->write (e->profile, in, stream, NULL, error);
}

static gboolean
export_profile (ScorchProfile             *profile,
                const ScorchProfileFormat *format,
                const char                *input,
                const char                *output,
                GError                   **error)
{
  ProfileExport e = { profile, format, input };

  return scorch_write_file (output, write_profile, &e, error);
}

static gboolean
parse_format (const char        *name,
              ScorchFlameFormat *format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strcasecmp (name, formats[i].name) == 0)
      {
        *format = formats[i].format;
        return TRUE;
      }
  return FALSE;
}

int
scorch_cli_export (int    argc,
                   char **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *search = NULL;
  g_autofree char *orientation = NULL;
  g_autofree char *colors = NULL;
  g_autofree char *title = NULL;
  g_autofree char *format_name = NULL;
  double row_height = 18;
  g_auto(GStrv) files = NULL;
  gint width = 1200;
  gboolean inverted = FALSE;
  gboolean case_sensitive = FALSE;
  gboolean dark = FALSE;
  g_autofree char *baseline = NULL;
  gboolean baseline_shape = FALSE, rates = FALSE;
  GOptionEntry entries[] = {
    { "baseline", 'b', 0, G_OPTION_ARG_FILENAME, &baseline,
      N_("Differential flame graph: FILE's shape coloured by the change since BASE (red hotter, blue cooler)"),
      N_("BASE") },
    { "baseline-shape", 0, 0, G_OPTION_ARG_NONE, &baseline_shape,
      N_("With --baseline: draw BASE's shape instead (what got cooler or disappeared)"), NULL },
    { "rates", 0, 0, G_OPTION_ARG_NONE, &rates,
      N_("With --baseline: compare samples per second instead of shares of samples"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to OUT (.svg, .html, .png, .pdf, .folded, .pb.gz or .speedscope.json)"), N_("OUT") },
    { "width", 'w', 0, G_OPTION_ARG_INT, &width, N_("Width of the image in pixels (default 1200)"), N_("PX") },
    { "inverted", 'i', 0, G_OPTION_ARG_NONE, &inverted, N_("Bottom-up graph: the hottest leaf functions at the base"), NULL },
    { "search", 's', 0, G_OPTION_ARG_STRING, &search, N_("Highlight functions matching the regular expression"), N_("REGEX") },
    { "case-sensitive", 0, 0, G_OPTION_ARG_NONE, &case_sensitive, N_("Match --search case-sensitively"), NULL },
    { "orientation", 0, 0, G_OPTION_ARG_STRING, &orientation, N_("flame (root at the bottom, default) or icicle"), N_("ORIENTATION") },
    { "colors", 0, 0, G_OPTION_ARG_STRING, &colors, N_("Colour scheme: hot (default), module or kind"), N_("SCHEME") },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, N_("Dark background"), NULL },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("Title above the graph"), N_("TEXT") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("Output format: svg, html, png, pdf, folded, pprof or speedscope (default: from OUT’s extension)"), N_("FORMAT") },
    { "row-height", 0, 0, G_OPTION_ARG_DOUBLE, &row_height, N_("Height of a frame in pixels (default 18)"), N_("PX") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  ScorchFlameExportOptions options = { 0 };
  ScorchFlameFormat format = SCORCH_FLAME_FORMAT_SVG;
  const ScorchProfileFormat *profile_fmt = NULL;
  /* -- transforms -- */
  g_autoptr(ScorchCliTransforms) transforms = scorch_cli_transforms_new ();
  g_autofree char *description = NULL;

  context = g_option_context_new (_("FILE — export a flame graph of a capture or folded stacks"));
  scorch_cli_transforms_add_to_context (transforms, context);
  g_option_context_add_group (context, scorch_cli_symbol_paths_group ());
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  description = g_strdup_printf ("%s\n%s",
                                 _("FILE is a perf.data capture, folded stacks (“a;b;c 42” lines), a pprof or a speedscope profile.\n"
                                   "The format of OUT follows its extension: .svg, .html, .png, .pdf, .folded,\n"
                                   ".pb.gz (pprof) or .speedscope.json, unless --format names it."),
                                 scorch_cli_transforms_get_help ());
  g_option_context_set_description (context, description);
  if (!scorch_cli_parse_options (context, &argc, &argv))
    return 2;

  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("give exactly one input FILE"));
      return 2;
    }
  if (output == NULL)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("give the output file with -o OUT"));
      return 2;
    }
  if (width < 16 || width > 32767)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("--width must lie between 16 and 32767 pixels"));
      return 2;
    }
  if (!(row_height >= 4 && row_height <= 200))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("--row-height must lie between 4 and 200 pixels"));
      return 2;
    }
  profile_fmt = profile_format (format_name, output);
  if (profile_fmt != NULL)
    ;
  else if (format_name != NULL)
    {
      if (!parse_format (format_name, &format))
        {
          fprintf (stderr, _("%s: unknown format “%s” (svg, html, png, pdf, folded, pprof or speedscope)\n"), g_get_prgname (), format_name);
          return 2;
        }
    }
  else if (!scorch_flame_format_from_path (output, &format, &error))
    {
      fprintf (stderr, "%s: %s\n%s\n", g_get_prgname (), error->message,
               _("Give OUT one of these extensions (or .pb.gz, .speedscope.json), or name the format with "
                 "--format svg|html|png|pdf|folded|pprof|speedscope."));
      return 2;
    }

  options.width = width;
  options.row_height = row_height;
  options.inverted = inverted;
  options.search = search;
  options.case_sensitive = case_sensitive;
  options.dark = dark;
  options.title = title;
  options.zoom_root = SCORCH_PROFILE_ROOT;
  if (orientation == NULL || g_str_equal (orientation, "flame"))
    options.orientation = SCORCH_FLAME_ORIENTATION_FLAME;
  else if (g_str_equal (orientation, "icicle"))
    options.orientation = SCORCH_FLAME_ORIENTATION_ICICLE;
  else
    {
      fprintf (stderr, _("%s: unknown orientation “%s” (flame or icicle)\n"), g_get_prgname (), orientation);
      return 2;
    }
  if (colors == NULL || g_str_equal (colors, "hot"))
    options.color_scheme = SCORCH_FLAME_COLORS_HOT;
  else if (g_str_equal (colors, "module"))
    options.color_scheme = SCORCH_FLAME_COLORS_MODULE;
  else if (g_str_equal (colors, "kind"))
    options.color_scheme = SCORCH_FLAME_COLORS_KIND;
  else
    {
      fprintf (stderr, _("%s: unknown colour scheme “%s” (hot, module or kind)\n"), g_get_prgname (), colors);
      return 2;
    }

  if (baseline != NULL)
    {
      g_autoptr(ScorchProfile) base = NULL;
      g_autoptr(ScorchProfile) new_profile = NULL;
      g_autoptr(ScorchDiff) diff = NULL;

      if (inverted || format == SCORCH_FLAME_FORMAT_FOLDED || profile_fmt != NULL)
        {
          fprintf (stderr, "%s: %s\n", g_get_prgname (),
                   inverted ? _("--baseline draws a flame graph as captured: it cannot be --inverted")
                            : _("--baseline makes an image (svg, png, pdf); for stacks with both counts "
                                "use “scorch-cli diff --folded BASE NEW”"));
          return 2;
        }
      if (!_scorch_cli_load_pair (baseline, files[0], &base, &new_profile))
        return 1;
      /* -- transforms: the same, in the order given, on both sides -- */
      _scorch_cli_transform_pair (transforms, &base, &new_profile);
      diff = scorch_diff_new (base, new_profile, rates ? SCORCH_DIFF_RATES : SCORCH_DIFF_SHARES);
      options.diff = diff;
      options.diff_side = baseline_shape ? SCORCH_DIFF_BASE : SCORCH_DIFF_NEW;
      if (!scorch_flame_export_to_file (baseline_shape ? base : new_profile, &options, format, output, &error))
        {
          scorch_cli_print_error (error->message);
          return 1;
        }
      return 0;
    }
  if (baseline_shape || rates)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), _("--baseline-shape and --rates need --baseline BASE"));
      return 2;
    }

  profile = scorch_load_sync (files[0], SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  if (profile == NULL)
    {
      scorch_cli_print_error (error->message);
      return 1;
    }
  /* -- transforms: applied in the order given -- */
  if (scorch_cli_transforms_get_n (transforms) > 0)
    {
      ScorchProfile *transformed = scorch_cli_transforms_apply (transforms, profile);

      g_object_unref (profile);
      profile = transformed;
    }

  /* Transforms and filters apply to the profile before this point: the
   * profile formats write its current view. */
  if (profile_fmt != NULL)
    {
      if (!export_profile (profile, profile_fmt, files[0], output, &error))
        {
          scorch_cli_print_error (error->message);
          return 1;
        }
      return 0;
    }

  if (!scorch_flame_export_to_file (profile, &options, format, output, &error))
    {
      scorch_cli_print_error (error->message);
      if (g_error_matches (error, SCORCH_FLAME_EXPORT_ERROR, SCORCH_FLAME_EXPORT_ERROR_TOO_BIG))
        {
          char num[G_ASCII_DTOSTR_BUF_SIZE];

          /* TRANSLATORS: the current --row-height and --width */
          fprintf (stderr, _("The height is the number of stack levels times --row-height (now %s pixels); "
                             "a smaller --row-height or --width (now %d pixels, narrower frames are left out) "
                             "makes it smaller, or name an .svg output.\n"),
                   g_ascii_formatd (num, sizeof num, "%g", row_height), width);
        }
      return 1;
    }

  return 0;
}
