/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: entry point of the scorch application */

#include "config.h"

#define G_LOG_DOMAIN "scorch"

#include <glib/gi18n.h>
#include <locale.h>

#include "scorch-application.h"
#include "scorch-heap.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(ScorchApplication) app = NULL;

  /* before any thread: the loader's threads then allocate from one heap
   * backed by huge pages (scorch-heap.c) */
  scorch_heap_prepare (TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Scorch"));

  app = scorch_application_new (APPLICATION_ID,
                                G_APPLICATION_HANDLES_OPEN);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
