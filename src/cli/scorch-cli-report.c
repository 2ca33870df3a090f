/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-report.c: "scorch-cli report" (not built yet; the issue for it is open) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <stdio.h>

#include "scorch-cli.h"

int
scorch_cli_report (int    argc,
               char **argv)
{
  fprintf (stderr, "%s\n", _("scorch-cli report is not available in this build yet"));
  return 2;
}
