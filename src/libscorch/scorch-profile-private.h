/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile-private.h: internals shared by scorch-profile.c and its helpers */

#pragma once

#include "scorch-profile.h"

G_BEGIN_DECLS

/* Interned strings, shared by a builder and every profile made from it. */
typedef struct
{
  gatomicrefcount  ref;
  GStringChunk    *chunk;
} ScorchStringPool;

ScorchStringPool *_scorch_string_pool_new   (void);
ScorchStringPool *_scorch_string_pool_ref   (ScorchStringPool *pool);
void              _scorch_string_pool_unref (ScorchStringPool *pool);

G_END_DECLS
