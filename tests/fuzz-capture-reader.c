/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-capture-reader.c: libFuzzer target: arbitrary bytes through the
 * perf.data reader and the analyzer (offline: no file is opened), then the
 * profile's names (from COMM and MMAP2 records) through the SVG, JSON and
 * terminal writers with the output oracle of fuzz-output-oracle.h. Any
 * crash, hang, leak, sanitizer report or invalid output is a bug. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-fuzz"

#include <glib.h>

#include "scorch-analyzer.h"
#include "scorch-capture-reader.h"
#include "fuzz-output-oracle.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
silence (const gchar   *log_domain,
         GLogLevelFlags log_level,
         const gchar   *message,
         gpointer       user_data)
{
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(ScorchAnalyzer) analyzer = NULL;
  g_autoptr(GError) error = NULL;
  static gboolean initialized;

  if (!initialized)
    {
      g_log_set_default_handler (silence, NULL);
      initialized = TRUE;
    }

  bytes = g_bytes_new (data, size);
  reader = scorch_capture_reader_new_from_bytes (bytes, &error);
  if (reader == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }

  analyzer = scorch_analyzer_new (scorch_capture_reader_get_attrs (reader));
  scorch_analyzer_set_offline (analyzer, TRUE);
  if (scorch_analyzer_load_reader (analyzer, reader, NULL, NULL, NULL, &error))
    {
      g_autoptr(ScorchProfile) snapshot = scorch_analyzer_snapshot (analyzer);
      g_autoptr(ScorchProfile) profile = scorch_analyzer_finish (analyzer);
      guint n;

      g_assert (snapshot != NULL && profile != NULL);
      (void) scorch_profile_get_hotspots (profile, &n);
      oracle_check_profile (profile, NULL, size % 2 == 1, FALSE);
    }
  else
    g_assert (error != NULL);

  return 0;
}
