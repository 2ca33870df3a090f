/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-export-open.c: "scorch-cli export" runs from a module opened on first use */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "scorch-cli.h"

/* The flame graph export draws with cairo and measures text with pango:
 * linked into scorch-cli, they and their font and X11 stack (26 of its 50
 * libraries) were loaded and relocated by every run, report included.
 * "export" is built as a module instead (scorch-cli-export.so, the whole
 * command with its own copy of the core) and opened here, so only
 * "export" loads them. The module is looked for beside the running
 * program first (the build tree), then where it is installed
 * (SCORCH_CLI_MODULE_DIR). */
#define EXPORT_MODULE "scorch-cli-export.so"

typedef int (*ExportFunc) (int    argc,
                           char **argv);

static GModule *
open_export_module (GError **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *installed = g_build_filename (SCORCH_CLI_MODULE_DIR, EXPORT_MODULE, NULL);
  GModule *module;

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *beside = g_build_filename (dir, EXPORT_MODULE, NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_REGULAR) &&
          (module = g_module_open (beside, G_MODULE_BIND_LOCAL)) != NULL)
        return module;
    }
  module = g_module_open (installed, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("The export module cannot be loaded (%s): reinstall Scorch"),
                 g_module_error ());
  return module;
}

int
scorch_cli_export_from_module (int    argc,
                               char **argv)
{
  g_autoptr(GError) error = NULL;
  GModule *module = open_export_module (&error);
  ExportFunc func = NULL;

  if (module == NULL)
    {
      scorch_cli_print_error (error->message);
      return 1;
    }
  if (!g_module_symbol (module, "scorch_cli_export", (gpointer *) &func) || func == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The export module %s has no export command: reinstall Scorch"),
                                                  g_module_name (module));

      scorch_cli_print_error (message);
      return 1;
    }
  /* The module stays loaded until the process exits: the command may
   * leave threads or destroy notifiers that point into it. */
  g_module_make_resident (module);
  return func (argc, argv);
}
