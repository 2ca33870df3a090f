/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gregex-reference.h: the search oracle of the tests and bench-flame
 *
 * The frames of a profile matched with GRegex, one g_regex_match() per
 * frame, as the app did before ScorchSearch: the reference the PCRE2
 * matcher is compared with (same syntax, same results, same sample
 * counts).  Not used by the program. */

#pragma once

#include <glib.h>

#include "scorch-profile.h"

/* matches[frame] is set for frames whose function matches (never the
 * root); returns the samples under matching nodes, each counted once. */
static inline guint64
gregex_match_frames (ScorchProfile *profile,
                     GRegex        *regex,
                     guint8        *matches)
{
  const ScorchFrame *frames;
  const ScorchNode *nodes;
  const guint64 *total;
  guint n_frames = 0, n_nodes = 0;
  g_autofree guint8 *under = NULL;
  guint64 matched = 0;

  frames = scorch_profile_get_frames (profile, &n_frames);
  nodes = scorch_profile_get_nodes (profile, &n_nodes);
  total = scorch_profile_get_node_total (profile);

  for (guint f = 0; f < n_frames; f++)
    matches[f] = frames[f].kind != SCORCH_FRAME_KIND_ROOT &&
                 g_regex_match (regex, frames[f].function, 0, NULL);

  under = g_new0 (guint8, MAX (n_nodes, 1));
  for (guint i = 1; i < n_nodes; i++)
    {
      gboolean parent_under = under[nodes[i].parent];

      under[i] = parent_under || matches[nodes[i].frame];
      if (under[i] && !parent_under)
        matched += total[i];
    }

  return matched;
}
