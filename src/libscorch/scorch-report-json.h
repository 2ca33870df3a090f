/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-report-json.h: the hotspots of a profile as JSON ("report --json") */

#pragma once

#include <json-glib/json-glib.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

/* The JSON document of "scorch-cli report --json" (a contract: keep its
 * keys). An object with "samples", "all_samples", "lost", "truncated",
 * "event" (string or null) and "functions": an array, hottest self first,
 * of at most MAX_FUNCTIONS objects (0: all) with "function", "module",
 * "kind", optionally "file" and "line", "self", "total", "self_percent" and
 * "total_percent" (rounded to two decimals). Written with json-glib: every
 * string valid UTF-8 (invalid bytes become U+FFFD), numbers in the C locale
 * whatever the process's locale. Returns a NUL-terminated string ending
 * with a newline. N_TRUNCATED is what "truncated" reports: the count for
 * a filtered selection, or -1 for the capture's own
 * (ScorchProfileInfo.n_truncated). */
char *scorch_report_json_to_data (ScorchProfile *profile,
                                  gint64         n_truncated,
                                  guint          max_functions,
                                  gsize         *length);

/* ROOT as json-glib writes it (pretty, indent 2), made safe and tidy: any
 * control byte json-glib 1.6 leaves raw in a string is escaped, doubles
 * are written with the shortest of 15 digits; ends with a newline.  Shared
 * by every JSON output (report --json, diff --json). */
char *scorch_json_node_to_data   (JsonNode      *root,
                                  gsize         *length);

/* A member of the object being built, shared by every JSON output: a
 * string made valid UTF-8, an unsigned count clamped to G_MAXINT64, a
 * double (0 when not finite). */
void  scorch_json_add_string     (JsonBuilder   *builder,
                                  const char    *name,
                                  const char    *value);
void  scorch_json_add_uint       (JsonBuilder   *builder,
                                  const char    *name,
                                  guint64        value);
void  scorch_json_add_double     (JsonBuilder   *builder,
                                  const char    *name,
                                  double         value);

G_END_DECLS
