/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-search.h: one search (pattern, mode, case), compiled once
 *
 * A ScorchSearch is immutable and reference counted: build one when the
 * search text or its options change and share it between views and
 * threads.  An invalid regex gives a search that is_valid() says is not,
 * with the compiler's message; it matches nothing. */

#pragma once

#include <glib-object.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef enum
{
  SCORCH_SEARCH_SUBSTRING,
  SCORCH_SEARCH_REGEX,
} ScorchSearchMode;

typedef struct _ScorchSearch ScorchSearch;

#define SCORCH_TYPE_SEARCH (scorch_search_get_type ())

GType             scorch_search_get_type            (void) G_GNUC_CONST;

/* Compiles pattern (UTF-8).  Substrings are ASCII case folded when not
 * case_sensitive (full Unicode caseless matching for non-ASCII text); a
 * regex has GRegex's default syntax (PCRE2, UTF-8, Unicode properties,
 * any newline).  Matching is bounded: a pattern that backtracks
 * catastrophically stops at a match limit and does not match. */
ScorchSearch     *scorch_search_new                 (const char        *pattern,
                                                     ScorchSearchMode   mode,
                                                     gboolean           case_sensitive);
/* What a search field and its two options ask for: NULL when TEXT is NULL
 * or empty (no search), else TEXT as a regular expression or a substring.
 * The session, the graphs and the tables make their matchers with it. */
ScorchSearch     *scorch_search_new_for_query       (const char        *text,
                                                     gboolean           regex,
                                                     gboolean           case_sensitive);
ScorchSearch     *scorch_search_ref                 (ScorchSearch      *self);
void              scorch_search_unref               (ScorchSearch      *self);

const char       *scorch_search_get_pattern         (ScorchSearch      *self);
ScorchSearchMode  scorch_search_get_mode            (ScorchSearch      *self);
gboolean          scorch_search_get_case_sensitive  (ScorchSearch      *self);
/* TRUE for an empty pattern: callers show no search at all. */
gboolean          scorch_search_is_empty            (ScorchSearch      *self);
gboolean          scorch_search_is_valid            (ScorchSearch      *self);
/* NULL when valid. */
const char       *scorch_search_get_error_message   (ScorchSearch      *self);
/* FALSE with the compile error (G_REGEX_ERROR_COMPILE) when invalid. */
gboolean          scorch_search_check               (ScorchSearch      *self,
                                                     GError           **error);

/* Whether text (NUL-terminated) matches; FALSE for text that is not valid
 * UTF-8 in the regex paths, as with g_regex_match().  Thread safe. */
gboolean          scorch_search_match               (ScorchSearch      *self,
                                                     const char        *text);

/* Sets matches[frame] (one byte per frame of profile) to 1 for the frames
 * whose function matches (never the root) and returns the samples under
 * matching nodes, each sample counted once (at its outermost matching
 * frame).  Nothing matches when the search is invalid. */
guint64           scorch_search_match_frames        (ScorchSearch      *self,
                                                     ScorchProfile     *profile,
                                                     guint8            *matches);

/* The same as a shared byte array, cached: a second call with the same
 * profile (while it lives) returns the same bytes without matching again.
 * *matched (optional) gets the samples under matching nodes. */
GBytes           *scorch_search_dup_frame_matches   (ScorchSearch      *self,
                                                     ScorchProfile     *profile,
                                                     guint64           *matched);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchSearch, scorch_search_unref)

G_END_DECLS
