/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-symbol-paths.c: --sysroot, --substitute-path, --kallsyms,
 * --debug-dirs and --symfs-archive for the commands that load captures;
 * they set the process-wide symbol paths (scorch-symbol-paths.h) once
 * parsed. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>

#include "scorch-cli.h"
#include "scorch-symbol-paths.h"

static gboolean
on_option (const char *name,
           const char *value,
           gpointer    data,
           GError    **error)
{
  ScorchSymbolPaths *paths = data;

  if (g_str_equal (name, "--sysroot"))
    scorch_symbol_paths_set_sysroot (paths, value);
  else if (g_str_equal (name, "--substitute-path"))
    return scorch_symbol_paths_add_substitution (paths, value, error);
  else if (g_str_equal (name, "--kallsyms"))
    scorch_symbol_paths_set_kallsyms (paths, value);
  else if (g_str_equal (name, "--debug-dirs"))
    scorch_symbol_paths_set_debug_dirs (paths, value);
  else if (g_str_equal (name, "--symfs-archive"))
    scorch_symbol_paths_set_archive (paths, value);
  return TRUE;
}

static gboolean
post_parse (GOptionContext *context,
            GOptionGroup   *group,
            gpointer        data,
            GError        **error)
{
  const char *archive = scorch_symbol_paths_get_archive (data);

  if (archive != NULL && !g_file_test (archive, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--symfs-archive: “%s” is not a file"), archive);
      return FALSE;
    }
  scorch_symbol_paths_set_default (data);
  return TRUE;
}

GOptionGroup *
scorch_cli_symbol_paths_group (void)
{
  static const GOptionEntry entries[] = {
    { "sysroot", 0, 0, G_OPTION_ARG_CALLBACK, on_option,
      N_("Look for the capture's files under DIR first (DIR/usr/lib/… for /usr/lib/…)"), N_("DIR") },
    { "substitute-path", 0, 0, G_OPTION_ARG_CALLBACK, on_option,
      N_("Look for the capture's files under FROM in TO (may be repeated)"), N_("FROM=TO") },
    { "kallsyms", 0, 0, G_OPTION_ARG_CALLBACK, on_option,
      N_("Kernel symbols from FILE (a copy of the recording machine's /proc/kallsyms)"), N_("FILE") },
    { "debug-dirs", 0, 0, G_OPTION_ARG_CALLBACK, on_option,
      N_("Directories with separate debug info, instead of /usr/lib/debug"), N_("D1:D2") },
    { "symfs-archive", 0, 0, G_OPTION_ARG_CALLBACK, on_option,
      N_("The capture's files from a `perf archive` tarball (CAPTURE.tar.bz2 beside the capture is read without it)"),
      N_("FILE") },
    { NULL }
  };
  GOptionGroup *group = scorch_cli_option_group_new ("symbol-paths", _("Where the capture’s files are found:"),
                                                     _("Show where the capture’s files are looked for"), entries,
                                                     scorch_symbol_paths_new_from_env (),
                                                     (GDestroyNotify) scorch_symbol_paths_unref);

  g_option_group_set_parse_hooks (group, NULL, post_parse);
  return group;
}
