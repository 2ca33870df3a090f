/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-record.c: "scorch-cli record" (not built yet; the issue for it is open) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <stdio.h>

#include "scorch-cli.h"

int
scorch_cli_record (int    argc,
               char **argv)
{
  fprintf (stderr, "%s\n", _("scorch-cli record is not available in this build yet"));
  return 2;
}
