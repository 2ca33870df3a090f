/* SPDX-License-Identifier: GPL-3.0-or-later */
/* load-variants-util.h: see load-variants-util.c */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many loading threads (SCORCH_LOAD_THREADS) and how many records a
 * batch (SCORCH_LOAD_BATCH; NULL: the default) */
typedef struct
{
  const char *threads;
  const char *batch;
} LoadVariant;

/* Loads PATH and describes the result in text; the loader's settings are
 * in the environment when it is called */
typedef char *(*LoadDescribeFunc) (const char *path,
                                   gpointer    data);

char *load_variant_describe    (const char        *path,
                                const LoadVariant *variant,
                                LoadDescribeFunc   describe,
                                gpointer           data);
void  load_variants_assert_same (const char        *path,
                                 const char        *serial,
                                 const LoadVariant *variants,
                                 guint              n_variants,
                                 LoadDescribeFunc   describe,
                                 gpointer           data);

G_END_DECLS
