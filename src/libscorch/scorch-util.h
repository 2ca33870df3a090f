/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-util.h: small helpers shared by the core */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The library's version string, for --version and the About dialog. */
const char *scorch_get_version (void);

G_END_DECLS
