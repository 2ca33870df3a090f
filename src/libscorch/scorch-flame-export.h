/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-flame-export.h: flame graphs to SVG, PNG, PDF and folded stacks */

#pragma once

#include "scorch-flame-renderer.h"
#include "scorch-search.h"

G_BEGIN_DECLS

#define SCORCH_FLAME_EXPORT_ERROR (scorch_flame_export_error_quark ())

typedef enum
{
  SCORCH_FLAME_EXPORT_ERROR_FORMAT,  /* unknown output format / extension */
  SCORCH_FLAME_EXPORT_ERROR_SEARCH,  /* the search expression does not compile */
  SCORCH_FLAME_EXPORT_ERROR_TOO_BIG, /* the image would exceed cairo's limits */
  SCORCH_FLAME_EXPORT_ERROR_FAILED,  /* cairo or I/O failure */
} ScorchFlameExportError;

typedef enum
{
  SCORCH_FLAME_FORMAT_SVG,
  SCORCH_FLAME_FORMAT_PNG,
  SCORCH_FLAME_FORMAT_PDF,
  SCORCH_FLAME_FORMAT_FOLDED,
} ScorchFlameFormat;

typedef struct
{
  guint32                width;          /* px; 0: 1200 */
  double                 row_height;     /* px; 0: 18 */
  guint32                zoom_root;      /* node of the (maybe inverted) profile; SCORCH_PROFILE_ROOT: all */
  gboolean               inverted;       /* export the bottom-up graph */
  const char            *search;         /* regular expression to highlight, or NULL */
  gboolean               case_sensitive; /* for search */
  ScorchFlameOrientation orientation;
  ScorchFlameColorScheme color_scheme;
  gboolean               dark;
  const char            *title;          /* NULL: "Flame Graph" / "Inverted Flame Graph" */
  ScorchSearch          *search_object;  /* the search to highlight as the views have it
                                          * (overrides search/case_sensitive), or NULL */
  /* Differential flame graph: the profile passed is the diff's DIFF_SIDE
   * profile (NEW: the new capture's shape), coloured by change, with a
   * legend.  Not with inverted.  NULL: an ordinary flame graph. */
  ScorchDiff            *diff;
  ScorchDiffSide         diff_side;
} ScorchFlameExportOptions;

GQuark   scorch_flame_export_error_quark   (void);

/* The format from the file name's extension (.svg .png .pdf .folded, any
 * case); any other name is an error that lists them. */
gboolean scorch_flame_format_from_path     (const char                     *path,
                                            ScorchFlameFormat              *format,
                                            GError                        **error);

/* Draws the whole height of the graph (every row, no vertical scrolling)
 * through ScorchFlameLayout and ScorchFlameRenderer, as the widget does. */
gboolean scorch_flame_export_to_file       (ScorchProfile                  *profile,
                                            const ScorchFlameExportOptions *options,
                                            ScorchFlameFormat               format,
                                            const char                     *path,
                                            GError                        **error);

/* SVG only, to a stream: each frame is a <g> with a <title> "function
 * (N samples, P%)", its <rect> and its label fitted like the renderer's. */
gboolean scorch_flame_export_svg           (ScorchProfile                  *profile,
                                            const ScorchFlameExportOptions *options,
                                            GOutputStream                  *stream,
                                            GCancellable                   *cancellable,
                                            GError                        **error);

G_END_DECLS
