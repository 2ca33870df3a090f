/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli.h: the sub-commands of scorch-cli */

#pragma once

#include <glib.h>
#include <gmodule.h>
#include <stdio.h>

#include "scorch-profile.h"

#include "scorch-profile.h"

G_BEGIN_DECLS

/* Each sub-command gets argv with argv[0] = "scorch-cli SUBCOMMAND" and
 * returns the process exit status. */
int scorch_cli_record (int    argc,
                       char **argv);
int scorch_cli_report (int    argc,
                       char **argv);
/* "export" is built as a module of its own (scorch-cli-export.so, see
 * scorch-cli-module.c): scorch_cli_export() is its entry point, the
 * only symbol it exports, and scorch-cli calls it through
 * scorch_cli_export_from_module(). */
G_MODULE_EXPORT
int scorch_cli_export (int    argc,
                       char **argv);
int scorch_cli_export_from_module (int    argc,
                                   char **argv);
int scorch_cli_pack   (int    argc,
                       char **argv);

/* --sysroot, --substitute-path, --kallsyms, --debug-dirs
 * (scorch-cli-symbol-paths.c) */
GOptionGroup *scorch_cli_symbol_paths_group (void);
int scorch_cli_diff   (int    argc,
                       char **argv);

/* Applies TRANSFORMS (a ScorchCliTransforms) to both profiles, in place. */
struct _ScorchCliTransforms;
void     _scorch_cli_transform_pair (struct _ScorchCliTransforms  *transforms,
                                     ScorchProfile               **base,
                                     ScorchProfile               **new_profile);
/* Loads two captures at once (BASE in a second thread); prints the errors
 * and returns FALSE if either fails. */
gboolean _scorch_cli_load_pair (const char              *base_path,
                                const char              *new_path,
                                ScorchProfile          **base,
                                ScorchProfile          **new_profile);

/* "annotate" likewise (scorch-cli-annotate.so) */
G_MODULE_EXPORT
int scorch_cli_annotate (int    argc,
                         char **argv);
int scorch_cli_annotate_from_module (int    argc,
                                     char **argv);


/* Prints "scorch-cli: MESSAGE" and a newline to stderr. MESSAGE may quote
 * names from a capture: control characters (but newline and tab) and
 * invalid UTF-8 are escaped, so it cannot drive the terminal. */
void scorch_cli_print_error (const char *message);

/* Parses the command line with CONTEXT (g_option_context_parse()); when
 * it does not parse, says why on stderr as "PROGRAM: MESSAGE" and returns
 * FALSE: the command exits with status 2, as for every usage error. */
gboolean scorch_cli_parse_options (GOptionContext   *context,
                                   int              *argc,
                                   char           ***argv);

/* An option group of ENTRIES, translated in Scorch's text domain; the
 * arguments are g_option_group_new()'s. */
GOptionGroup *scorch_cli_option_group_new (const char         *name,
                                           const char         *description,
                                           const char         *help_description,
                                           const GOptionEntry *entries,
                                           gpointer            user_data,
                                           GDestroyNotify      destroy);

/* Strict parsers for numeric option values: the whole string must be a
 * number in [min, max]; the error names the option and says what is
 * expected. */
gboolean scorch_cli_parse_integer (const char *option,
                                   const char *value,
                                   gint64      min,
                                   gint64      max,
                                   gint64     *out,
                                   GError    **error);
/* A finite number of seconds, > 0 (or >= 0 with allow_zero), at most
 * SCORCH_CLI_MAX_SECONDS (a billion seconds, some 31 years: any longer is
 * a typo). */
#define SCORCH_CLI_MAX_SECONDS 1e9
gboolean scorch_cli_parse_seconds (const char *option,
                                   const char *value,
                                   gboolean    allow_zero,
                                   double     *out,
                                   GError    **error);

/* "report --tsv": the N hottest functions by self (G_MAXUINT: all), one
 * line each: self%, total%, self, total, function, module. */
void scorch_cli_write_tsv (FILE          *out,
                           ScorchProfile *profile,
                           guint          n);

G_END_DECLS
