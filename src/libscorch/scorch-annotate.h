/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-annotate.h: one function of a profile, line by line and
 * instruction by instruction: self and total samples per source line
 * (inlined code counted on the line of the call in this function) and
 * per instruction (Capstone), with the source text found on disk, under a
 * source root or through debuginfod, and, when something is missing, what
 * and how to get it. */

#pragma once

#include <gio/gio.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

#define SCORCH_ANNOTATE_ERROR (scorch_annotate_error_quark ())

typedef enum
{
  SCORCH_ANNOTATE_ERROR_NOT_FOUND,      /* no function of that name */
  SCORCH_ANNOTATE_ERROR_NO_ADDRESSES,   /* the capture keeps no addresses (folded stacks) */
  SCORCH_ANNOTATE_ERROR_UNSUPPORTED,    /* kernel, JIT or unknown frames */
} ScorchAnnotateError;

/* What could not be found; each has a message (scorch_annotation_get_messages). */
typedef enum
{
  SCORCH_ANNOTATE_MISSING_NONE          = 0,
  SCORCH_ANNOTATE_MISSING_BINARY        = 1 << 0, /* the module's file (gone, unreadable or replaced) */
  SCORCH_ANNOTATE_MISSING_DEBUG_INFO    = 1 << 1, /* no line table for the function */
  SCORCH_ANNOTATE_MISSING_SOURCE        = 1 << 2, /* a source file named by DWARF was not found */
  SCORCH_ANNOTATE_MISSING_DISASSEMBLER  = 1 << 3, /* built without Capstone, or another architecture */
} ScorchAnnotateMissing;

typedef struct
{
  const char *file;      /* as DWARF names it (untrusted); NULL: no line known */
  guint       line;
  guint64     self;
  guint64     total;
  const char *text;      /* the source line without its newline (untrusted), or NULL */
  guint       n_insns;   /* instructions of the function on this line */
} ScorchAnnotateLine;

typedef struct
{
  guint64     address;   /* ELF virtual address */
  guint       size;
  const char *text;      /* "mnemonic operands" */
  guint64     target;    /* direct jump or call target, or 0 */
  gboolean    is_call;
  gint        target_insn; /* index of the target instruction in this function, or -1 */
  guint64     self;
  guint64     total;
  const char *file;      /* the instruction's line in this function, or NULL */
  guint       line;
} ScorchAnnotateInsn;

typedef struct
{
  /* Folders where sources are looked up (the DWARF path below each,
   * then its shorter tails), after the path itself. NULL: none. */
  const char * const *source_roots;
  /* Folders for separate debug info, as scorch_symbolizer_set_debug_dirs;
   * NULL: SCORCH_DEBUG_DIRS or the default. */
  const char * const *debug_dirs;
  /* Ask debuginfod for the source when DEBUGINFOD_URLS is set. */
  gboolean            use_debuginfod;
} ScorchAnnotateOptions;

typedef struct _ScorchAnnotation ScorchAnnotation;

GQuark             scorch_annotate_error_quark     (void);

/* The frame the hotspot table shows as NAME (its short display name or
 * its full name); when several modules have one, the hottest. */
gboolean           scorch_annotate_find_frame      (ScorchProfile               *profile,
                                                    const char                  *name,
                                                    guint32                     *frame,
                                                    GError                     **error);

/* Reads the module, its debug info and sources: call it off the main
 * thread. options may be NULL. */
ScorchAnnotation  *scorch_annotation_new           (ScorchProfile               *profile,
                                                    guint32                      frame,
                                                    const ScorchAnnotateOptions *options,
                                                    GCancellable                *cancellable,
                                                    GError                     **error);
void               scorch_annotation_free          (ScorchAnnotation            *self);

const char        *scorch_annotation_get_function  (ScorchAnnotation            *self);
const char        *scorch_annotation_get_module    (ScorchAnnotation            *self);
/* Samples whose leaf lies in the function (its own code and code inlined
 * into it, as perf annotate counts them), and the function's total from
 * the profile's hotspot table. */
guint64            scorch_annotation_get_self      (ScorchAnnotation            *self);
guint64            scorch_annotation_get_total     (ScorchAnnotation            *self);

/* One entry per source line of the function: every line of its main
 * file from its first to its last line, then lines of other files that
 * have code or samples. */
const ScorchAnnotateLine *scorch_annotation_get_lines (ScorchAnnotation     *self,
                                                       guint                *n_lines);
/* Index of the line with the most self samples (then total), or -1. */
gint               scorch_annotation_get_hottest_line (ScorchAnnotation     *self);
const ScorchAnnotateInsn *scorch_annotation_get_insns (ScorchAnnotation     *self,
                                                       guint                *n_insns);

/* The main source file: the name DWARF gives it, the path it was read
 * from and its contents (NULL when not found). */
const char        *scorch_annotation_get_source_file (ScorchAnnotation      *self);
const char        *scorch_annotation_get_source_path (ScorchAnnotation      *self);
const char        *scorch_annotation_get_source_text (ScorchAnnotation      *self,
                                                      gsize                 *length);

ScorchAnnotateMissing scorch_annotation_get_missing (ScorchAnnotation       *self);
/* Human-readable, translated: what is missing and how to get it (of char*). */
GPtrArray         *scorch_annotation_get_messages  (ScorchAnnotation        *self);

/* The Debian package holding PATH (dpkg -S), or NULL. */
char              *scorch_annotate_dup_package     (const char              *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchAnnotation, scorch_annotation_free)

G_END_DECLS
