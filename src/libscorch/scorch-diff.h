/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-diff.h: two profiles matched by call path, with normalized
 * before/after/delta figures per call-tree node and per function */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef enum
{
  SCORCH_DIFF_SHARES = 0, /* percent of each side's samples */
  SCORCH_DIFF_RATES,      /* samples per second of each side's duration */
} ScorchDiffMode;

typedef enum
{
  SCORCH_DIFF_BASE = 0,
  SCORCH_DIFF_NEW,
} ScorchDiffSide;

typedef enum
{
  SCORCH_DIFF_NEUTRAL = 0, /* the difference is below the threshold */
  SCORCH_DIFF_HOTTER,
  SCORCH_DIFF_COOLER,
} ScorchDiffChange;

/* One node of the merged call tree: the union of both trees, where a node
 * is a path of (function, module) pairs from the root.  Modules compare by
 * base name, and each side's main executable matches the other's, so
 * rebuilt or renamed binaries match.  Node 0 is the root. */
typedef struct
{
  guint32     parent;     /* SCORCH_NODE_NONE for the root */
  guint32     function;   /* index into scorch_diff_get_functions()' unsorted table */
  guint32     base_node;  /* a node of the base profile on this path, or SCORCH_NODE_NONE */
  guint32     new_node;   /* the same for the new profile */
  guint32     depth;
  guint64     base_self;
  guint64     base_total;
  guint64     new_self;
  guint64     new_total;
} ScorchDiffNode;

/* One function (function name + module key), summed over the call tree;
 * total counts a sample once even under recursion. */
typedef struct
{
  const char *function;   /* as the profiles hold it (borrowed) */
  const char *module;     /* the module as one side holds it (borrowed) */
  guint32     base_frame; /* a frame id of the base profile, or G_MAXUINT32 */
  guint32     new_frame;  /* the same for the new profile */
  guint64     base_self;
  guint64     base_total;
  guint64     new_self;
  guint64     new_total;
} ScorchDiffFunction;

#define SCORCH_TYPE_DIFF (scorch_diff_get_type ())
G_DECLARE_FINAL_TYPE (ScorchDiff, scorch_diff, SCORCH, DIFF, GObject)

/* Matches both profiles' current views.  RATES needs both sides to have
 * sample times spanning more than zero; otherwise the diff falls back to
 * SHARES (see scorch_diff_get_mode()). */
ScorchDiff             *scorch_diff_new               (ScorchProfile  *base,
                                                       ScorchProfile  *new_profile,
                                                       ScorchDiffMode  mode);
ScorchProfile          *scorch_diff_get_profile       (ScorchDiff     *self,
                                                       ScorchDiffSide  side);
ScorchDiffMode          scorch_diff_get_mode          (ScorchDiff     *self);
/* Whether RATES can be used (both durations known). */
gboolean                scorch_diff_can_use_rates     (ScorchDiff     *self);
/* A copy of this diff in another mode (shares the matching). */
ScorchDiff             *scorch_diff_dup_with_mode     (ScorchDiff     *self,
                                                       ScorchDiffMode  mode);
guint64                 scorch_diff_get_n_samples     (ScorchDiff     *self,
                                                       ScorchDiffSide  side);
/* Seconds between the first and last sample of a side (0 when unknown). */
double                  scorch_diff_get_duration      (ScorchDiff     *self,
                                                       ScorchDiffSide  side);

/* COUNT samples of SIDE in the diff's unit: percent (SHARES) or samples
 * per second (RATES). */
double                  scorch_diff_normalize         (ScorchDiff     *self,
                                                       ScorchDiffSide  side,
                                                       guint64         count);
/* The smallest difference (in the diff's unit) that counts as a change for
 * these counts: max (0.5 points, 3 standard deviations).  SHARES: the
 * binomial standard deviation of the difference of two shares with the
 * pooled share at the two sample counts.  RATES: the Poisson standard
 * deviation of the difference of the two rates; 0.5 points of the larger
 * overall sample rate. */
double                  scorch_diff_get_threshold     (ScorchDiff     *self,
                                                       guint64         base_count,
                                                       guint64         new_count);
/* Classifies new − base; delta (in the diff's unit) may be NULL. */
ScorchDiffChange        scorch_diff_compare           (ScorchDiff     *self,
                                                       guint64         base_count,
                                                       guint64         new_count,
                                                       double         *delta);

const ScorchDiffNode   *scorch_diff_get_nodes         (ScorchDiff     *self,
                                                       guint          *n_nodes);
/* The merged node of a node of one side's profile, or SCORCH_NODE_NONE. */
guint32                 scorch_diff_lookup_node       (ScorchDiff     *self,
                                                       ScorchDiffSide  side,
                                                       guint32         node);
/* Functions with samples on either side, sorted by |delta self|
 * descending (ties: |delta total| descending, then name and module). */
const ScorchDiffFunction *scorch_diff_get_functions   (ScorchDiff     *self,
                                                       guint          *n_functions);
/* The sorted index of a frame of one side's profile, or -1 (no such
 * frame, or its function has no samples on either side). */
gint                    scorch_diff_lookup_frame      (ScorchDiff     *self,
                                                       ScorchDiffSide  side,
                                                       guint32         frame);

/* difffolded.pl's format: "stack base_count new_count" for every merged
 * node with self samples on either side; names as scorch_folded_write()
 * writes them. */
gboolean                scorch_diff_write_folded      (ScorchDiff     *self,
                                                       GOutputStream  *stream,
                                                       GCancellable   *cancellable,
                                                       GError        **error);

G_END_DECLS
