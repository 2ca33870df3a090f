/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-pack.c: `scorch-cli pack FILE -o OUT`, a portable copy of a
 * capture (scorch-portable.h) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <stdio.h>

#include "scorch-cli.h"
#include "scorch-portable-pack.h"

int
scorch_cli_pack (int    argc,
                 char **argv)
{
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The portable capture to write (may be FILE itself)"), N_("OUT") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;

  context = g_option_context_new (_("FILE"));
  g_option_context_set_summary (context, _("Store in a copy of a capture the symbols, inline frames and unwound stacks "
                                           "its samples hit, so it opens with the same functions on another machine "
                                           "(perf report still reads it)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, scorch_cli_symbol_paths_group ());
  if (!scorch_cli_parse_options (context, &argc, &argv))
    return 2;
  if (argc != 2 || output == NULL)
    {
      fprintf (stderr, _("%s: give one capture and -o OUT\n"), g_get_prgname ());
      return 2;
    }
  if (!scorch_portable_pack (argv[1], output, &error))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }
  return 0;
}
