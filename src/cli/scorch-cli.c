/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli.c: entry point of scorch-cli, dispatching to sub-commands */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scorch-cli.h"
#include "scorch-text.h"

typedef struct
{
  const char *name;
  int       (*func) (int argc, char **argv);
  const char *summary;
  /* reads a capture: its heap is prepared for that (scorch-cli-heap.c) */
  gboolean    loads;
} Command;

static const Command commands[] = {
  { "record", scorch_cli_record, N_("Record a profile of a program or process into perf.data"), FALSE },
  { "report", scorch_cli_report, N_("Print the hottest functions of a capture or folded stacks"), TRUE },
  { "export", scorch_cli_export, N_("Export a flame graph as SVG, PNG, PDF or folded stacks"), TRUE },
  { "pack", scorch_cli_pack, N_("Make a capture portable: store the symbols its samples hit in it"), TRUE },
  { "diff", scorch_cli_diff, N_("Compare two captures: what got hotter or cooler, per function"), TRUE },
  { "annotate", scorch_cli_annotate, N_("Samples per source line or instruction of one function"), TRUE },
};

GOptionGroup *
scorch_cli_option_group_new (const char         *name,
                             const char         *description,
                             const char         *help_description,
                             const GOptionEntry *entries,
                             gpointer            user_data,
                             GDestroyNotify      destroy)
{
  GOptionGroup *group = g_option_group_new (name, description, help_description, user_data, destroy);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

/* VALUE after its leading white space, where a number must begin */
static const char *
number_start (const char *value)
{
  while (g_ascii_isspace (*value))
    value++;
  return value;
}

gboolean
scorch_cli_parse_integer (const char *option,
                          const char *value,
                          gint64      min,
                          gint64      max,
                          gint64     *out,
                          GError    **error)
{
  const char *p = number_start (value);
  char *end = NULL;
  gint64 v;

  errno = 0;
  v = g_ascii_strtoll (p, &end, 10);
  if (end == p || *end != '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: “%s” is not a whole number"), option, value);
      return FALSE;
    }
  if (errno == ERANGE || v < min || v > max)
    {
      if (v < min && errno != ERANGE && min == 1)
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s must be at least 1, not %s"), option, value);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s must lie between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT ", not %s"),
                     option, min, max, value);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
scorch_cli_parse_seconds (const char *option,
                          const char *value,
                          gboolean    allow_zero,
                          double      max,
                          double     *out,
                          GError    **error)
{
  const char *p = number_start (value);
  char *end = NULL;
  double v;

  /* strtod takes "nan", "inf" and hex floats: a number of seconds is digits. */
  if (!(g_ascii_isdigit (*p) || *p == '.' || *p == '-' || *p == '+') ||
      strpbrk (p, "xXnNiI") != NULL)
    goto not_number;
  v = g_ascii_strtod (p, &end);
  if (end == p || *end != '\0' || !isfinite (v))
    goto not_number;
  if (v < 0 || (v == 0 && !allow_zero))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   allow_zero ? _("%s must not be negative (%s)") : _("%s must be more than 0 seconds, not %s"),
                   option, value);
      return FALSE;
    }
  if (v > max)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s must be at most %g seconds, not %s"), option, max, value);
      return FALSE;
    }
  *out = v;
  return TRUE;

not_number:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s: “%s” is not a number of seconds"), option, value);
  return FALSE;
}

static void
usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: scorch-cli COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “scorch-cli COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("scorch-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        {
          g_autofree char *prgname = g_strdup_printf ("scorch-cli %s", commands[i].name);
          int status;

          g_set_prgname (prgname);
          argv[1] = prgname;
          if (commands[i].loads)
            scorch_cli_prepare_heap ();
          status = commands[i].func (argc - 1, argv + 1);
          return status;
        }
    }

  fprintf (stderr, _("scorch-cli: unknown command “%s”\n\n"), argv[1]);
  usage (stderr);
  return 2;
}

void
scorch_cli_print_error (const char *message)
{
  g_autofree char *safe = scorch_text_to_terminal (message, SCORCH_TEXT_TERMINAL_KEEP_LINES);

  fprintf (stderr, "%s: %s\n", g_get_prgname (), safe);
}
