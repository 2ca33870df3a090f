/* SPDX-License-Identifier: GPL-3.0-or-later */
/* output-check.h: validity oracles for what Scorch writes, shared by the
 * tests that export or report (header-only, so that any test can include it
 * without a change to its build rule):
 *   - every SVG passes "xmllint --noout" (well-formed XML 1.0);
 *   - every JSON parses with Python's json module under LC_ALL=de_DE.UTF-8
 *     (strict UTF-8, no locale-dependent numbers);
 *   - text meant for a terminal holds no control character but newline and
 *     tab, no DEL, no C1 control, and is valid UTF-8.
 * A missing xmllint or python3 fails the test: install-deps.sh installs them. */

#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* Runs ARGV; fails the test with its output unless it exits 0. */
G_GNUC_UNUSED static void
output_check_run (const char * const *argv,
                  char              **envp,
                  const char         *file,
                  const char         *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s is not valid %s:\n%s%s", file, what, out, err);
}

/* PATH is well-formed XML 1.0 (xmllint --noout, no network). */
G_GNUC_UNUSED static void
output_check_svg (const char *path)
{
  const char *argv[] = { "xmllint", "--noout", "--nonet", path, NULL };

  output_check_run (argv, NULL, path, "XML");
}

/* PATH parses as JSON with Python's strict decoder, read as UTF-8 under a
 * comma-decimal locale (LC_ALL=de_DE.UTF-8). */
G_GNUC_UNUSED static void
output_check_json (const char *path)
{
  const char *argv[] = {
    "python3", "-c",
    "import json, sys\n"
    "with open(sys.argv[1], encoding='utf-8', errors='strict') as f:\n"
    "    json.load(f)\n",
    path, NULL
  };
  g_auto(GStrv) envp = g_get_environ ();

  envp = g_environ_setenv (envp, "LC_ALL", "de_DE.UTF-8", TRUE);
  output_check_run (argv, envp, path, "JSON");
}

/* The same for JSON held in memory. */
G_GNUC_UNUSED static void
output_check_json_data (const char *data,
                        gssize      len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("scorch-check-XXXXXX.json", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, data, len, &error));
  output_check_json (path);
  g_unlink (path);
}

/* TEXT (LEN bytes) can go to a terminal: valid UTF-8, no byte below 0x20
 * but newline and tab, no DEL, no C1 control (U+0080..U+009F). */
G_GNUC_UNUSED static void
output_check_terminal (const char *text,
                       gsize       len)
{
  const char *end = NULL;

  if (!g_utf8_validate (text, len, &end))
    g_error ("terminal output is not valid UTF-8 at byte %" G_GSIZE_FORMAT, (gsize) (end - text));
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
        g_error ("terminal output holds the control byte 0x%02x at %" G_GSIZE_FORMAT, c, i);
      if (c == 0xc2 && i + 1 < len && (guchar) text[i + 1] >= 0x80 && (guchar) text[i + 1] <= 0x9f)
        g_error ("terminal output holds the C1 control U+%04X at %" G_GSIZE_FORMAT,
                 (guchar) text[i + 1], i);
    }
}
