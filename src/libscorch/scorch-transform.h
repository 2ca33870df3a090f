/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-transform.h: transforms of a profile (focus, merge, collapse, drop,
 * threshold), each making a new profile with the same frame ids, and the
 * undoable stack of them that every view and export shows */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

typedef enum
{
  SCORCH_TRANSFORM_FOCUS_SUBTREE,      /* path: only samples under root;a;b;c, with c as the top frame */
  SCORCH_TRANSFORM_FOCUS_FUNCTION,     /* name: samples containing it, from its outermost call on;
                                        * every call site merged into one top frame */
  SCORCH_TRANSFORM_FOCUS_CALLERS,      /* name: samples containing it, the stack from its innermost
                                        * call up to the root, reversed (it on top, callers below) */
  SCORCH_TRANSFORM_MERGE_FUNCTION,     /* name: its frames removed; its time goes to its callers */
  SCORCH_TRANSFORM_MERGE_MODULE,       /* name: every frame of the module (path or base name) removed */
  SCORCH_TRANSFORM_COLLAPSE_RECURSION, /* a frame already on the stack returns there (direct and indirect) */
  SCORCH_TRANSFORM_DROP_FUNCTION,      /* name: samples whose stack contains it removed */
  SCORCH_TRANSFORM_MIN_PERCENT,        /* percent: call-tree nodes under it merged into their parent */
  SCORCH_N_TRANSFORM_KINDS
} ScorchTransformKind;

/* Functions are named as `scorch-cli report --tsv` prints them: the exact
 * function name; every frame with that name matches (all modules). */
typedef struct _ScorchTransform ScorchTransform;

#define SCORCH_TYPE_TRANSFORM (scorch_transform_get_type ())
GType                scorch_transform_get_type     (void) G_GNUC_CONST;

/* For the kinds that take a name (function or module); NULL if NAME is
 * NULL or empty or KIND takes none. */
ScorchTransform     *scorch_transform_new          (ScorchTransformKind  kind,
                                                    const char          *name);
/* PATH: function names from the outermost down; NULL if empty. */
ScorchTransform     *scorch_transform_new_focus_subtree (const char * const *path,
                                                         guint               n_path);
ScorchTransform     *scorch_transform_new_collapse_recursion (void);
/* NULL unless 0 <= PERCENT <= 100. */
ScorchTransform     *scorch_transform_new_min_percent (double percent);
ScorchTransform     *scorch_transform_ref          (ScorchTransform     *self);
void                 scorch_transform_unref        (ScorchTransform     *self);

ScorchTransformKind  scorch_transform_get_kind     (const ScorchTransform *self);
/* The function or module name, or NULL. */
const char          *scorch_transform_get_name     (const ScorchTransform *self);
/* FOCUS_SUBTREE's path (NULL-terminated), or NULL. */
const char * const  *scorch_transform_get_path     (const ScorchTransform *self);
double               scorch_transform_get_percent  (const ScorchTransform *self);
/* A stable identifier: "focus-subtree", "merge-function", ... (the sidecar's "kind"). */
const char          *scorch_transform_kind_to_string (ScorchTransformKind kind);
gboolean             scorch_transform_kind_from_string (const char          *str,
                                                        ScorchTransformKind *kind);
gboolean             scorch_transform_equal        (const ScorchTransform *a,
                                                    const ScorchTransform *b);

/* A new profile: the transform applied to PROFILE's samples (a filtered view
 * is honoured). Frame ids are PROFILE's; the result is never NULL (it may
 * hold no samples). */
ScorchProfile       *scorch_transform_apply        (const ScorchTransform *self,
                                                    ScorchProfile         *profile);

/* The sidecar ("FILE.scorch-transforms"): JSON
 *   { "format": "scorch-transforms", "version": 1,
 *     "transforms": [ { "kind": "focus-subtree", "path": ["main", "run"] },
 *                     { "kind": "merge-function", "name": "memcpy" },
 *                     { "kind": "collapse-recursion" },
 *                     { "kind": "min-percent", "percent": 0.5 } ] }
 * Reading treats the text as untrusted: size, count and lengths are bounded,
 * unknown kinds and wrong types are errors (nothing is half-applied). */
char                *scorch_transforms_to_json     (ScorchTransform * const *transforms,
                                                    guint                    n_transforms,
                                                    gsize                   *length);
/* A GPtrArray of ScorchTransform (owned), or NULL with ERROR set. */
GPtrArray           *scorch_transforms_from_json   (const char             *data,
                                                    gssize                  length,
                                                    GError                **error);

#define SCORCH_TRANSFORMS_MAX 256  /* transforms in one list */
#define SCORCH_TRANSFORMS_MAX_FILE_SIZE (1024 * 1024)

/* ------------------------------------------------------------------------ */
/* The stack: transforms applied in order, with undo and redo. Transforms
 * after the current position are the redo list until a new one is pushed.
 * Results are cached per position for the last base profile, so undo and
 * redo cost no new work. Emits "changed" when the applied list changes. */

#define SCORCH_TYPE_TRANSFORM_STACK (scorch_transform_stack_get_type ())
G_DECLARE_FINAL_TYPE (ScorchTransformStack, scorch_transform_stack, SCORCH, TRANSFORM_STACK, GObject)

ScorchTransformStack *scorch_transform_stack_new       (void);
/* Applies TRANSFORM after the current position; the redo list is dropped. */
void                  scorch_transform_stack_push      (ScorchTransformStack *self,
                                                        ScorchTransform      *transform);
gboolean              scorch_transform_stack_can_undo  (ScorchTransformStack *self);
gboolean              scorch_transform_stack_can_redo  (ScorchTransformStack *self);
gboolean              scorch_transform_stack_undo      (ScorchTransformStack *self);
gboolean              scorch_transform_stack_redo      (ScorchTransformStack *self);
/* Pops back to N applied transforms (a breadcrumb's ×); the rest stay as redo. */
void                  scorch_transform_stack_pop_to    (ScorchTransformStack *self,
                                                        guint                 n_applied);
/* Replaces everything (e.g. from a sidecar); all of them applied. */
void                  scorch_transform_stack_set       (ScorchTransformStack *self,
                                                        ScorchTransform * const *transforms,
                                                        guint                 n_transforms);
void                  scorch_transform_stack_clear     (ScorchTransformStack *self);
guint                 scorch_transform_stack_get_n_applied (ScorchTransformStack *self);
/* Applied and redoable ones together. */
guint                 scorch_transform_stack_get_n_transforms (ScorchTransformStack *self);
/* Borrowed; I < get_n_transforms. */
ScorchTransform      *scorch_transform_stack_get_transform (ScorchTransformStack *self,
                                                            guint                 i);
/* BASE with the applied transforms, in order (a new reference; BASE itself
 * when none is applied). */
ScorchProfile        *scorch_transform_stack_apply     (ScorchTransformStack *self,
                                                        ScorchProfile        *base);
/* The applied transforms as the sidecar's JSON. */
char                 *scorch_transform_stack_to_json   (ScorchTransformStack *self,
                                                        gsize                *length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchTransform, scorch_transform_unref)

G_END_DECLS
