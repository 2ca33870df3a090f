/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-breadcrumbs.h: the zoom path of a flame graph, as buttons */

#pragma once

#include "scorch-flame-graph.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_FLAME_BREADCRUMBS (scorch_flame_breadcrumbs_get_type ())
G_DECLARE_FINAL_TYPE (ScorchFlameBreadcrumbs, scorch_flame_breadcrumbs, SCORCH, FLAME_BREADCRUMBS, GtkWidget)

GtkWidget        *scorch_flame_breadcrumbs_new             (ScorchFlameGraph       *graph);
ScorchFlameGraph *scorch_flame_breadcrumbs_get_flame_graph (ScorchFlameBreadcrumbs *self);
void              scorch_flame_breadcrumbs_set_flame_graph (ScorchFlameBreadcrumbs *self,
                                                            ScorchFlameGraph       *graph);

G_END_DECLS
