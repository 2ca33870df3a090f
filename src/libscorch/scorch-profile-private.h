/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile-private.h: internals shared by scorch-profile.c and its helpers */

#pragma once

#include "scorch-profile.h"

G_BEGIN_DECLS

/* Interned strings, shared by a builder and every profile made from it
 * (a g_atomic_rc_box). */
typedef struct
{
  GStringChunk    *chunk;
} ScorchStringPool;

ScorchStringPool *_scorch_string_pool_new   (void);
ScorchStringPool *_scorch_string_pool_ref   (ScorchStringPool *pool);
void              _scorch_string_pool_unref (ScorchStringPool *pool);

/* Derived profiles (inverted, transformed): a builder with SRC's strings,
 * frame ids, thread names and info, so that frame ids stay comparable. */
ScorchProfileBuilder *_scorch_profile_builder_new_like   (ScorchProfile        *src);
/* The child of PARENT for FRAME in the builder's tree, made if missing. */
guint32               _scorch_profile_builder_child      (ScorchProfileBuilder *builder,
                                                          guint32               parent,
                                                          guint32               frame);
/* The builder's nodes so far (valid until the next _child call). */
const ScorchNode     *_scorch_profile_builder_get_nodes  (ScorchProfileBuilder *builder,
                                                          guint                *n_nodes);
/* Replaces the builder's samples with SAMPLES (taken; their nodes are the
 * builder's, weights not 0), in one go. */
void                  _scorch_profile_builder_take_samples (ScorchProfileBuilder *builder,
                                                            GArray               *samples);

G_END_DECLS
