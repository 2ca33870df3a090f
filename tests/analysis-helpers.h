/* SPDX-License-Identifier: GPL-3.0-or-later */
/* analysis-helpers.h: see analysis-helpers.c */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  double   self;
  double   total;
  char    *module;
  gboolean inlined;
} Entry;

extern char *tmpdir;

const char *workload          (const char         *name);
void        analysis_helpers_init    (const char         *template);
void        analysis_helpers_cleanup (void);
char       *run               (const char * const *argv,
                               const char * const *envp,
                               int                *status_out);
gboolean    have_perf         (void);
char       *record            (const char         *name,
                               gboolean            dwarf,
                               const char * const *cmd);
GHashTable *scorch_report     (const char         *file,
                               const char * const *envp);
void        compare_with_perf (const char         *file,
                               const char * const *expected,
                               const char * const *envp);
char       *copy_file         (const char         *from,
                               const char         *to);
char       *build_id_of       (const char         *path);
JsonObject *json_function     (JsonNode           *root,
                               const char         *function);

#define SKIP_WITHOUT_PERF() G_STMT_START { if (!have_perf ()) { \
      g_test_skip ("perf record cannot run here (perf missing or perf_event_open not permitted)"); return; } } G_STMT_END

G_END_DECLS
