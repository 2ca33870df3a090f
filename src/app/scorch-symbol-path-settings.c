/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-symbol-path-settings.c: see scorch-symbol-path-settings.h */

#include "config.h"

#define G_LOG_DOMAIN "scorch-symbol-paths"

#include "scorch-symbol-path-settings.h"
#include "scorch-symbol-paths.h"

static void
apply (GSettings *settings)
{
  /* the environment (SCORCH_SYSROOT, ...) first, the preferences over it */
  g_autoptr(ScorchSymbolPaths) paths = scorch_symbol_paths_new_from_env ();
  g_autofree char *sysroot = g_settings_get_string (settings, "symbol-sysroot");
  g_autofree char *kallsyms = g_settings_get_string (settings, "symbol-kallsyms");
  g_autofree char *debug_dirs = g_settings_get_string (settings, "symbol-debug-dirs");
  g_auto(GStrv) subs = g_settings_get_strv (settings, "symbol-substitute-paths");

  if (sysroot[0] != '\0')
    scorch_symbol_paths_set_sysroot (paths, sysroot);
  if (kallsyms[0] != '\0')
    scorch_symbol_paths_set_kallsyms (paths, kallsyms);
  if (debug_dirs[0] != '\0')
    scorch_symbol_paths_set_debug_dirs (paths, debug_dirs);
  for (guint i = 0; subs[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *spec = g_strstrip (g_strdup (subs[i]));

      if (spec[0] != '\0' && !scorch_symbol_paths_add_substitution (paths, spec, &error))
        g_debug ("%s", error->message);
    }
  scorch_symbol_paths_set_default (paths);
}

static void
on_changed (GSettings  *settings,
            const char *key,
            gpointer    user_data)
{
  if (g_str_has_prefix (key, "symbol-"))
    apply (settings);
}

void
scorch_symbol_path_settings_watch (GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_signal_connect (settings, "changed", G_CALLBACK (on_changed), NULL);
  apply (settings);
}
