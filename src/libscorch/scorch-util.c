/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include "scorch-util.h"

const char *
scorch_get_version (void)
{
  return PACKAGE_VERSION;
}

void
scorch_main_context_post (GMainContext   *context,
                          GSourceFunc     func,
                          gpointer        data,
                          GDestroyNotify  destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[scorch] post");
  g_source_attach (source, context);
  g_source_unref (source);
}
