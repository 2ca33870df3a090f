/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include "scorch-util.h"

const char *
scorch_get_version (void)
{
  return PACKAGE_VERSION;
}
