/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-pprof.c: libFuzzer target: arbitrary bytes through the pprof reader
 * (gzip or a bare profile.proto message) and the speedscope reader; every
 * profile read then goes through the output oracle (fuzz-output-oracle.h:
 * SVG, JSON, folded) and back through the pprof and speedscope writers,
 * whose output must read again with the same sample total. A crash, leak,
 * sanitizer report, invalid output or failed round trip is a bug; an error
 * (GError) is the expected answer to a malformed file. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-fuzz"

#include <glib.h>

#include "fuzz-output-oracle.h"
#include "scorch-pprof.h"
#include "scorch-speedscope.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
silence (const gchar   *log_domain,
         GLogLevelFlags log_level,
         const gchar   *message,
         gpointer       user_data)
{
}

static void
round_trip (ScorchProfile *profile)
{
  g_autoptr(GOutputStream) pb = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) ss = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) pb_bytes = NULL;
  g_autoptr(GBytes) ss_bytes = NULL;
  g_autoptr(ScorchProfile) again = NULL;
  g_autoptr(GError) error = NULL;

  if (!scorch_pprof_write (profile, NULL, pb, NULL, &error) || !g_output_stream_close (pb, NULL, &error))
    oracle_fail ("the pprof writer failed on a profile the reader made", NULL, 0);
  pb_bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (pb));
  again = scorch_pprof_parse (g_bytes_get_data (pb_bytes, NULL), g_bytes_get_size (pb_bytes), &error);
  if (again == NULL || scorch_profile_get_total (again) != scorch_profile_get_total (profile))
    oracle_fail ("the pprof writer's output does not read back with the same total", NULL, 0);
  g_clear_object (&again);

  if (!scorch_speedscope_write (profile, "fuzz", ss, NULL, &error) || !g_output_stream_close (ss, NULL, &error))
    oracle_fail ("the speedscope writer failed on a profile the reader made", NULL, 0);
  ss_bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (ss));
  again = scorch_speedscope_parse (g_bytes_get_data (ss_bytes, NULL), g_bytes_get_size (ss_bytes), &error);
  if (again == NULL || scorch_profile_get_total (again) != scorch_profile_get_total (profile))
    oracle_fail ("the speedscope writer's output does not read back with the same total",
                 g_bytes_get_data (ss_bytes, NULL), g_bytes_get_size (ss_bytes));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gboolean initialized;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = NULL;

  if (!initialized)
    {
      g_log_set_default_handler (silence, NULL);
      initialized = TRUE;
    }

  profile = scorch_pprof_parse (data, size, &error);
  if ((profile == NULL) == (error == NULL))
    oracle_fail ("the pprof reader returned neither a profile nor an error (or both)", NULL, 0);
  if (profile != NULL)
    {
      oracle_check_profile (profile, "pprof", FALSE, FALSE);
      round_trip (profile);
    }
  g_clear_object (&profile);
  g_clear_error (&error);

  profile = scorch_speedscope_parse ((const char *) data, size, &error);
  if ((profile == NULL) == (error == NULL))
    oracle_fail ("the speedscope reader returned neither a profile nor an error (or both)", NULL, 0);
  if (profile != NULL)
    {
      oracle_check_profile (profile, "speedscope", FALSE, FALSE);
      round_trip (profile);
    }
  return 0;
}
