/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-search.c: one search (pattern, mode, case), compiled once
 *
 * Plain substrings take a fast path without PCRE2 (ASCII case folding by
 * table); a regex, or a caseless substring with non-ASCII text (escaped
 * into a regex for Unicode case folding), is compiled once with PCRE2 and
 * JIT-compiled when the platform allows.  GRegex allocates a GMatchInfo
 * and PCRE2 match data on every g_regex_match() (~0.3 us a name), which
 * made a search over 200k functions take 50-70 ms; here one match data
 * block serves a whole profile.  The options are the ones GRegex uses by
 * default, so the syntax and the results are GRegex's (GRegex is PCRE2
 * underneath): UTF-8 with Unicode properties for \w, \d and classes
 * (PCRE2_UCP), and any newline sequence for ".", "^" and "$".  A name
 * that is not valid UTF-8 does not match, as with g_regex_match(). */

#include "config.h"

#define G_LOG_DOMAIN "scorch-search"

#include <string.h>

#include <glib/gi18n.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "scorch-search.h"

/* Backtracking bound for one subject: a hostile pattern such as (a+)+$
 * stops after this many match() calls (a few ms) instead of running for
 * years; the subject then does not match.  Ordinary patterns over
 * function names stay far below it. */
#define SEARCH_MATCH_LIMIT 100000
#define SEARCH_DEPTH_LIMIT 10000

struct _ScorchSearch
{
  gatomicrefcount         ref_count;
  char                   *pattern;
  ScorchSearchMode        mode;
  gboolean                case_sensitive;

  /* Fast path: needle (lower case when caseless), or code when NULL. */
  char                   *needle;
  gsize                   needle_len;

  pcre2_code             *code;
  pcre2_match_context    *mctx;
  gboolean                jit;
  char                   *error_message;

  /* Cache of scorch_search_dup_frame_matches(). */
  GMutex                  lock;
  GWeakRef                cached_profile;
  GBytes                 *cached_matches;
  guint64                 cached_matched;
};

G_DEFINE_BOXED_TYPE (ScorchSearch, scorch_search, scorch_search_ref, scorch_search_unref)

static guchar ascii_lower[256];

static void
init_ascii_lower (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint c = 0; c < 256; c++)
        ascii_lower[c] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
      g_once_init_leave (&done, 1);
    }
}

static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return FALSE;
  return TRUE;
}

/* needle is lower case already. */
G_ALWAYS_INLINE static inline gboolean
contains_ascii_caseless (const char *haystack,
                         const char *needle,
                         gsize       needle_len)
{
  const guchar *h = (const guchar *) haystack;
  const guchar *n = (const guchar *) needle;
  guchar first = n[0];

  for (; *h != '\0'; h++)
    {
      gsize i;

      if (ascii_lower[*h] != first)
        continue;
      for (i = 1; i < needle_len; i++)
        if (ascii_lower[h[i]] != n[i]) /* stops at the NUL too */
          break;
      if (i == needle_len)
        return TRUE;
    }

  return FALSE;
}

static void
compile (ScorchSearch *self,
         const char   *pattern)
{
  pcre2_compile_context *cctx;
  int errcode = 0;
  PCRE2_SIZE erroffset = 0;
  uint32_t options = PCRE2_UTF | PCRE2_UCP;

  if (!self->case_sensitive)
    options |= PCRE2_CASELESS;

  cctx = pcre2_compile_context_create (NULL);
  pcre2_set_newline (cctx, PCRE2_NEWLINE_ANY);
  self->code = pcre2_compile ((PCRE2_SPTR) pattern, PCRE2_ZERO_TERMINATED, options,
                              &errcode, &erroffset, cctx);
  pcre2_compile_context_free (cctx);
  if (self->code == NULL)
    {
      PCRE2_UCHAR buf[256];

      pcre2_get_error_message (errcode, buf, sizeof buf);
      self->error_message =
        g_strdup_printf (_("Error while compiling regular expression “%s” at char %u: %s"),
                         pattern, (guint) erroffset, (const char *) buf);
      return;
    }

  /* No JIT (unsupported CPU, or W^X policy): the interpreter still works. */
  self->jit = pcre2_jit_compile (self->code, PCRE2_JIT_COMPLETE) == 0;
  self->mctx = pcre2_match_context_create (NULL);
  pcre2_set_match_limit (self->mctx, SEARCH_MATCH_LIMIT);
  pcre2_set_depth_limit (self->mctx, SEARCH_DEPTH_LIMIT);
}

ScorchSearch *
scorch_search_new (const char       *pattern,
                   ScorchSearchMode  mode,
                   gboolean          case_sensitive)
{
  ScorchSearch *self;

  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (mode == SCORCH_SEARCH_SUBSTRING || mode == SCORCH_SEARCH_REGEX, NULL);

  self = g_new0 (ScorchSearch, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->pattern = g_strdup (pattern);
  self->mode = mode;
  self->case_sensitive = !!case_sensitive;
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->cached_profile, NULL);

  if (!g_utf8_validate (pattern, -1, NULL))
    self->error_message = g_strdup (_("The search text is not valid UTF-8"));
  else if (mode == SCORCH_SEARCH_REGEX)
    compile (self, pattern);
  else if (case_sensitive || is_ascii (pattern))
    {
      init_ascii_lower ();
      self->needle = case_sensitive ? g_strdup (pattern) : g_ascii_strdown (pattern, -1);
      self->needle_len = strlen (self->needle);
    }
  else
    {
      g_autofree char *escaped = g_regex_escape_string (pattern, -1);

      compile (self, escaped);
    }

  return self;
}

ScorchSearch *
scorch_search_new_for_query (const char *text,
                             gboolean    regex,
                             gboolean    case_sensitive)
{
  if (text == NULL || text[0] == '\0')
    return NULL;
  return scorch_search_new (text, regex ? SCORCH_SEARCH_REGEX : SCORCH_SEARCH_SUBSTRING, case_sensitive);
}

ScorchSearch *
scorch_search_ref (ScorchSearch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
scorch_search_unref (ScorchSearch *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->cached_matches, g_bytes_unref);
  g_weak_ref_clear (&self->cached_profile);
  g_mutex_clear (&self->lock);
  if (self->mctx != NULL)
    pcre2_match_context_free (self->mctx);
  if (self->code != NULL)
    pcre2_code_free (self->code);
  g_free (self->error_message);
  g_free (self->needle);
  g_free (self->pattern);
  g_free (self);
}

const char *
scorch_search_get_pattern (ScorchSearch *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->pattern;
}

ScorchSearchMode
scorch_search_get_mode (ScorchSearch *self)
{
  g_return_val_if_fail (self != NULL, SCORCH_SEARCH_SUBSTRING);
  return self->mode;
}

gboolean
scorch_search_get_case_sensitive (ScorchSearch *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->case_sensitive;
}

gboolean
scorch_search_is_empty (ScorchSearch *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->pattern[0] == '\0';
}

gboolean
scorch_search_is_valid (ScorchSearch *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->error_message == NULL;
}

const char *
scorch_search_get_error_message (ScorchSearch *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->error_message;
}

gboolean
scorch_search_check (ScorchSearch  *self,
                     GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error_message == NULL)
    return TRUE;
  g_set_error_literal (error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE, self->error_message);
  return FALSE;
}

/* One subject against the compiled pattern.  PCRE2's UTF-8 check costs as
 * much as a JIT match; most names are ASCII, which is valid UTF-8, so only
 * the others are checked (a bad one gives rc < 0: no match).  The same
 * pass gives the length.  A match limit hit is rc < 0 too. */
G_ALWAYS_INLINE static inline gboolean
match_code (ScorchSearch     *self,
            pcre2_match_data *md,
            const char       *name)
{
  const guchar *p;
  guchar bits = 0;
  int rc;

  for (p = (const guchar *) name; *p != '\0'; p++)
    bits |= *p;
  if (bits < 0x80 && self->jit)
    rc = pcre2_jit_match (self->code, (PCRE2_SPTR) name, p - (const guchar *) name, 0,
                          PCRE2_NO_UTF_CHECK, md, self->mctx);
  else
    rc = pcre2_match (self->code, (PCRE2_SPTR) name, p - (const guchar *) name, 0,
                      bits < 0x80 ? PCRE2_NO_UTF_CHECK : 0, md, self->mctx);

  return rc >= 0;
}

static inline gboolean
match_needle (ScorchSearch *self,
              const char   *name)
{
  if (self->needle_len == 0)
    return TRUE;
  if (self->case_sensitive)
    return strstr (name, self->needle) != NULL;
  return contains_ascii_caseless (name, self->needle, self->needle_len);
}

gboolean
scorch_search_match (ScorchSearch *self,
                     const char   *text)
{
  pcre2_match_data *md;
  gboolean ret;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (self->error_message != NULL)
    return FALSE;
  if (self->code == NULL)
    return match_needle (self, text);

  md = pcre2_match_data_create (1, NULL);
  ret = match_code (self, md, text);
  pcre2_match_data_free (md);

  return ret;
}

guint64
scorch_search_match_frames (ScorchSearch  *self,
                            ScorchProfile *profile,
                            guint8        *matches)
{
  const ScorchFrame *frames;
  const ScorchNode *nodes;
  const guint64 *total;
  guint n_frames = 0, n_nodes = 0;
  g_autofree guint8 *under = NULL;
  guint64 sum = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), 0);
  g_return_val_if_fail (matches != NULL, 0);

  frames = scorch_profile_get_frames (profile, &n_frames);
  nodes = scorch_profile_get_nodes (profile, &n_nodes);
  total = scorch_profile_get_node_total (profile);

  if (self->error_message != NULL)
    {
      memset (matches, 0, n_frames);
      return 0;
    }

  if (self->code != NULL)
    {
      pcre2_match_data *md = pcre2_match_data_create (1, NULL);
      const char *last_name = NULL;
      guint8 last_result = 0;

      /* A frame whose function is the same interned string as the
       * previous frame's reuses its result; a hash table to find every
       * repeat would cost more than the matches it saves. */
      for (guint f = 0; f < n_frames; f++)
        {
          if (frames[f].kind == SCORCH_FRAME_KIND_ROOT)
            {
              matches[f] = 0;
              continue;
            }
          if (frames[f].function != last_name)
            {
              last_name = frames[f].function;
              last_result = match_code (self, md, last_name);
            }
          matches[f] = last_result;
        }
      pcre2_match_data_free (md);
    }
  else
    {
      /* Locals: the byte stores into matches[] may alias *self, which
       * would make the compiler reload the needle on every frame. */
      const char *needle = self->needle;
      gsize needle_len = self->needle_len;
      gboolean case_sensitive = self->case_sensitive;

      if (needle_len == 0)
        for (guint f = 0; f < n_frames; f++)
          matches[f] = frames[f].kind != SCORCH_FRAME_KIND_ROOT;
      else if (case_sensitive)
        for (guint f = 0; f < n_frames; f++)
          matches[f] = frames[f].kind != SCORCH_FRAME_KIND_ROOT &&
                       strstr (frames[f].function, needle) != NULL;
      else
        for (guint f = 0; f < n_frames; f++)
          matches[f] = frames[f].kind != SCORCH_FRAME_KIND_ROOT &&
                       contains_ascii_caseless (frames[f].function, needle, needle_len);
    }

  /* under[i]: node i or an ancestor matches; parents come first, so each
   * sample is counted once, at its outermost matching frame. */
  under = g_new0 (guint8, MAX (n_nodes, 1));
  for (guint i = 1; i < n_nodes; i++)
    {
      guint8 parent_under = under[nodes[i].parent];

      under[i] = parent_under | matches[nodes[i].frame];
      if (under[i] && !parent_under)
        sum += total[i];
    }

  return sum;
}

GBytes *
scorch_search_dup_frame_matches (ScorchSearch  *self,
                                 ScorchProfile *profile,
                                 guint64       *matched)
{
  g_autoptr(ScorchProfile) cached = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  guint n_frames = 0;
  guint8 *matches;
  guint64 sum;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), NULL);

  locker = g_mutex_locker_new (&self->lock);
  cached = g_weak_ref_get (&self->cached_profile);
  if (cached == profile && self->cached_matches != NULL)
    {
      if (matched != NULL)
        *matched = self->cached_matched;
      return g_bytes_ref (self->cached_matches);
    }

  scorch_profile_get_frames (profile, &n_frames);
  matches = g_malloc0 (MAX (n_frames, 1));
  sum = scorch_search_match_frames (self, profile, matches);

  g_clear_pointer (&self->cached_matches, g_bytes_unref);
  self->cached_matches = g_bytes_new_take (matches, MAX (n_frames, 1));
  self->cached_matched = sum;
  g_weak_ref_set (&self->cached_profile, profile);
  if (matched != NULL)
    *matched = sum;

  return g_bytes_ref (self->cached_matches);
}
