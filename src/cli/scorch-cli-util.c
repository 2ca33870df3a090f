/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-util.c: option groups, strict number parsing and error output the sub-commands share */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scorch-cli.h"
#include "scorch-text.h"

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

gboolean
scorch_cli_parse_options (GOptionContext   *context,
                          int              *argc,
                          char           ***argv)
{
  g_autoptr(GError) error = NULL;

  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  /* As it is, not through scorch_cli_print_error(): GLib's message about
   * what the user typed, printed so since the first release. */
  fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
  return FALSE;
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
  if (v > SCORCH_CLI_MAX_SECONDS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s must be at most %g seconds, not %s"), option, SCORCH_CLI_MAX_SECONDS, value);
      return FALSE;
    }
  *out = v;
  return TRUE;

not_number:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s: “%s” is not a number of seconds"), option, value);
  return FALSE;
}

void
scorch_cli_print_error (const char *message)
{
  g_autofree char *safe = scorch_text_to_terminal (message, SCORCH_TEXT_TERMINAL_KEEP_LINES);

  fprintf (stderr, "%s: %s\n", g_get_prgname (), safe);
}
