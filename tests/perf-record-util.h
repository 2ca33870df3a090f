/* SPDX-License-Identifier: GPL-3.0-or-later */
/* perf-record-util.h: see perf-record-util.c */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean perf_record_util_can_record (void);
gboolean perf_record_util_run     (const char * const *argv,
                                   const char * const *envp,
                                   char              **err_out);
void     perf_record_util_run_ok  (const char * const *argv,
                                   const char * const *envp);
gboolean perf_record_util_quick   (void);

G_END_DECLS
