/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-transforms.h: the transform options shared by report, export
 * and diff (--focus, --merge, --drop, ...), kept in the order given */

#pragma once

#include <glib.h>

#include "scorch-profile.h"
#include "scorch-transform.h"

G_BEGIN_DECLS

typedef struct _ScorchCliTransforms ScorchCliTransforms;

ScorchCliTransforms *scorch_cli_transforms_new          (void);
void                 scorch_cli_transforms_free         (ScorchCliTransforms *self);

/* Makes the transform options part of CONTEXT's main group (call before
 * g_option_context_add_main_entries), so that --help lists them: their
 * callbacks add each transform as it comes in argv, so that the order
 * given is the order applied. SELF must outlive the parse. */
void                 scorch_cli_transforms_add_to_context (ScorchCliTransforms *self,
                                                           GOptionContext      *context);
/* A sentence for the context's description: how transforms combine. */
const char          *scorch_cli_transforms_get_help      (void);

guint                scorch_cli_transforms_get_n        (ScorchCliTransforms *self);
ScorchTransform     *scorch_cli_transforms_get          (ScorchCliTransforms *self,
                                                         guint                i);

/* PROFILE with every transform applied in order (a new reference; PROFILE
 * itself when there is none). */
ScorchProfile       *scorch_cli_transforms_apply        (ScorchCliTransforms *self,
                                                         ScorchProfile       *profile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchCliTransforms, scorch_cli_transforms_free)

G_END_DECLS
