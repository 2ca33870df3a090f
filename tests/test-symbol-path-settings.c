/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-symbol-path-settings.c: the Preferences "Symbols" page's keys
 * (symbol-kallsyms, symbol-debug-dirs, symbol-sysroot,
 * symbol-substitute-paths) become the process-wide symbol paths that
 * every load reads (scorch_symbol_path_settings_watch()), at once and
 * again when a key changes; an invalid substitution is dropped, not
 * fatal; the environment is the base they override. */

#include "config.h"

#include <gio/gio.h>

#include "scorch-symbol-path-settings.h"
#include "scorch-symbol-paths.h"

static void
wait_for_kallsyms (const char *want)
{
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(ScorchSymbolPaths) p = scorch_symbol_paths_dup_default ();

      if (g_strcmp0 (scorch_symbol_paths_get_kallsyms (p), want) == 0)
        return;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_error ("the symbol paths never got kallsyms %s", want);
}

static void
test_settings_apply (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  const char *subs[] = { "/opt/app=/home/me/app", "relative=/x", NULL };

  g_settings_set_string (settings, "symbol-kallsyms", "/copies/kallsyms");
  g_settings_set_string (settings, "symbol-debug-dirs", "/dbg/one:/dbg/two");
  g_settings_set_string (settings, "symbol-sysroot", "/srv/root");
  g_settings_set_strv (settings, "symbol-substitute-paths", subs);
  scorch_symbol_path_settings_watch (settings);

  {
    g_autoptr(ScorchSymbolPaths) p = scorch_symbol_paths_dup_default ();
    const char * const *dirs = scorch_symbol_paths_get_debug_dirs (p);
    g_auto(GStrv) c = scorch_symbol_paths_candidates (p, "/opt/app/bin/x");

    g_assert_cmpstr (scorch_symbol_paths_get_kallsyms (p), ==, "/copies/kallsyms");
    g_assert_nonnull (dirs);
    g_assert_cmpstr (dirs[0], ==, "/dbg/one");
    g_assert_cmpstr (dirs[1], ==, "/dbg/two");
    g_assert_null (dirs[2]);
    g_assert_cmpstr (scorch_symbol_paths_get_sysroot (p), ==, "/srv/root");
    /* the valid substitution, then the sysroot; "relative=/x" dropped */
    g_assert_cmpuint (g_strv_length (c), ==, 2);
    g_assert_cmpstr (c[0], ==, "/home/me/app/bin/x");
    g_assert_cmpstr (c[1], ==, "/srv/root/opt/app/bin/x");
  }

  /* a change is applied without restarting */
  g_settings_set_string (settings, "symbol-kallsyms", "/other/kallsyms");
  wait_for_kallsyms ("/other/kallsyms");

  /* emptied: back to the environment's (SCORCH_KALLSYMS, set in main) */
  g_settings_set_string (settings, "symbol-kallsyms", "");
  wait_for_kallsyms ("/env/kallsyms");
  g_settings_set_string (settings, "symbol-debug-dirs", "");
  for (guint i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  {
    g_autoptr(ScorchSymbolPaths) p = scorch_symbol_paths_dup_default ();

    g_assert_null (scorch_symbol_paths_get_debug_dirs (p));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("SCORCH_KALLSYMS", "/env/kallsyms", TRUE);
  g_unsetenv ("SCORCH_DEBUG_DIRS");
  g_unsetenv ("SCORCH_SYSROOT");
  g_unsetenv ("SCORCH_SUBSTITUTE_PATH");

  g_test_add_func ("/symbol-path-settings/apply", test_settings_apply);
  return g_test_run ();
}
