/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-module.c: "export" and "annotate" run from modules opened on first use */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "scorch-cli.h"

/* Two sub-commands need large libraries the others never use: the flame
 * graph export draws with cairo and measures text with pango (with their
 * font and X11 stack, 26 of scorch-cli's 50 libraries), and annotate
 * disassembles with Capstone (77k relocations the dynamic loader applied
 * at every start, 90% of them all). Linked into scorch-cli, they were
 * loaded and relocated by every run, report included. Each of the two is
 * built as a module instead (the whole command with its own copy of the
 * core), opened here when it is run. A module is looked for beside the
 * running program first (the build tree), then where it is installed
 * (SCORCH_CLI_MODULE_DIR). */

typedef int (*CommandFunc) (int    argc,
                            char **argv);

static GModule *
open_module (const char  *name,
             GError     **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *installed = g_build_filename (SCORCH_CLI_MODULE_DIR, name, NULL);
  GModule *module;

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *beside = g_build_filename (dir, name, NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_REGULAR) &&
          (module = g_module_open (beside, G_MODULE_BIND_LOCAL)) != NULL)
        return module;
    }
  module = g_module_open (installed, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("A module of scorch-cli cannot be loaded (%s): reinstall Scorch"),
                 g_module_error ());
  return module;
}

/* Opens the module NAME and runs its command SYMBOL with ARGC, ARGV. */
static int
run_module (const char  *name,
            const char  *symbol,
            int          argc,
            char       **argv)
{
  g_autoptr(GError) error = NULL;
  GModule *module = open_module (name, &error);
  CommandFunc func = NULL;

  if (module == NULL)
    {
      scorch_cli_print_error (error->message);
      return 1;
    }
  if (!g_module_symbol (module, symbol, (gpointer *) &func) || func == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The module %s of scorch-cli has no command %s: reinstall Scorch"),
                                                  g_module_name (module), symbol);

      scorch_cli_print_error (message);
      return 1;
    }
  /* The module stays loaded until the process exits: the command may
   * leave threads or destroy notifiers that point into it. */
  g_module_make_resident (module);
  return func (argc, argv);
}

int
scorch_cli_export_from_module (int    argc,
                               char **argv)
{
  return run_module ("scorch-cli-export.so", "scorch_cli_export", argc, argv);
}

int
scorch_cli_annotate_from_module (int    argc,
                                 char **argv)
{
  return run_module ("scorch-cli-annotate.so", "scorch_cli_annotate", argc, argv);
}
