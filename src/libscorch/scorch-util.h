/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-util.h: small helpers shared by the core */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The library's version string, for --version and the About dialog. */
const char *scorch_get_version (void);

/* Runs FUNC in CONTEXT's thread through an idle source, always. Unlike
 * g_main_context_invoke(), it never calls FUNC directly on the calling
 * thread, which happens for a worker thread when CONTEXT is the global
 * default context and nobody holds it at that moment. */
void        scorch_main_context_post (GMainContext   *context,
                                      GSourceFunc     func,
                                      gpointer        data,
                                      GDestroyNotify  destroy);

G_END_DECLS
