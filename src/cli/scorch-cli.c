/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli.c: entry point of scorch-cli, dispatching to sub-commands */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "scorch-cli.h"
#include "scorch-heap.h"

typedef struct
{
  const char *name;
  int       (*func) (int argc, char **argv);
  const char *summary;
  /* reads a capture: its heap is prepared for that (scorch-heap.c) */
  gboolean    loads;
} Command;

static const Command commands[] = {
  { "record", scorch_cli_record, N_("Record a profile of a program or process into perf.data"), FALSE },
  { "report", scorch_cli_report, N_("Print the hottest functions of a capture or folded stacks"), TRUE },
  { "export", scorch_cli_export_from_module, N_("Export a flame graph as SVG, PNG, PDF or folded stacks"), TRUE },
  { "pack", scorch_cli_pack, N_("Make a capture portable: store the symbols its samples hit in it"), TRUE },
  { "diff", scorch_cli_diff, N_("Compare two captures: what got hotter or cooler, per function"), TRUE },
  { "annotate", scorch_cli_annotate_from_module, N_("Samples per source line or instruction of one function"), TRUE },
};

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
            scorch_heap_prepare (FALSE);
          status = commands[i].func (argc - 1, argv + 1);
          return status;
        }
    }

  fprintf (stderr, _("scorch-cli: unknown command “%s”\n\n"), argv[1]);
  usage (stderr);
  return 2;
}
