/* SPDX-License-Identifier: GPL-3.0-or-later */
/* load-variants-util.c: the parallel load path must give the serial path's
 * profile whatever its number of workers and its batch size; tests load
 * one capture both ways and compare descriptions of the results. */

#include "config.h"

#include "load-variants-util.h"

/* The description of PATH loaded as VARIANT says. */
char *
load_variant_describe (const char        *path,
                       const LoadVariant *variant,
                       LoadDescribeFunc   describe,
                       gpointer           data)
{
  g_setenv ("SCORCH_LOAD_THREADS", variant->threads, TRUE);
  if (variant->batch != NULL)
    g_setenv ("SCORCH_LOAD_BATCH", variant->batch, TRUE);
  else
    g_unsetenv ("SCORCH_LOAD_BATCH");
  return describe (path, data);
}

/* Each of VARIANTS describes PATH as SERIAL (the serial path's, loaded
 * with one thread) does. */
void
load_variants_assert_same (const char        *path,
                           const char        *serial,
                           const LoadVariant *variants,
                           guint              n_variants,
                           LoadDescribeFunc   describe,
                           gpointer           data)
{
  for (guint i = 0; i < n_variants; i++)
    {
      g_autofree char *parallel = load_variant_describe (path, &variants[i], describe, data);

      g_test_message ("%s workers, batch %s", variants[i].threads,
                      variants[i].batch != NULL ? variants[i].batch : "default");
      g_assert_cmpstr (parallel, ==, serial);
    }
}
