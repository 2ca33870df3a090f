/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-capture-reader.c: libFuzzer target: arbitrary bytes through the
 * perf.data reader and the analyzer (offline: no file is opened), through
 * the record decoder (every record of the file, and the bytes themselves
 * as a record stream of an event with every sample_type bit), then the
 * profile's names (from COMM and MMAP2 records) through the SVG, JSON and
 * terminal writers with the output oracle of fuzz-output-oracle.h. Any
 * crash, hang, leak, sanitizer report or invalid output is a bug. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-fuzz"

#include <glib.h>

#include "scorch-analyzer.h"
#include "scorch-capture-reader.h"
#include "scorch-perf-record.h"
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

/* The input as records of one event that has every sample_type bit the
 * decoder reads (its first byte picks sample_id_all and read_format). */
static void
fuzz_record_stream (const guint8 *data,
                    size_t        size)
{
  g_autoptr(ScorchCaptureAttrs) attrs = scorch_capture_attrs_new ();
  struct perf_event_attr attr = { 0 };
  g_autofree guint8 *copy = NULL;
  gsize off = 0;

  if (size < 1)
    return;
  attr.size = sizeof attr;
  attr.sample_type = (PERF_SAMPLE_MAX - 1) & ~(guint64) (data[0] & 0x80 ? PERF_SAMPLE_IDENTIFIER : 0);
  attr.sample_id_all = data[0] & 1;
  attr.read_format = (data[0] >> 1) & 0x1f;
  attr.branch_sample_type = (data[0] & 0x40) ? (1u << 17) : 0;
  attr.sample_regs_user = 0xff0fff;
  attr.sample_regs_intr = 0x3;
  g_assert (scorch_capture_attrs_add (attrs, &attr, sizeof attr, NULL, 0, NULL));

  /* 8-byte aligned, exactly sized: ASan sees any read past the end. */
  size = (size - 1) & ~(size_t) 7;
  if (size == 0)
    return;     /* (copying one byte here read past a 1-byte input) */
  copy = g_memdup2 (data + 1, size);
  while (off < size)
    {
      g_autoptr(GError) error = NULL;
      ScorchRecord record;
      ScorchPerfBody body;

      if (!scorch_capture_attrs_parse_record (attrs, copy + off, size - off, off, &record, &error))
        {
          g_assert (error != NULL);
          break;
        }
      if (!scorch_perf_record_decode (attrs, &record, &body, &error))
        g_assert (error != NULL);
      off += record.size;
    }
}

/* Every record the reader delivers, through the decoder. */
static void
fuzz_decode_all (ScorchCaptureReader *reader)
{
  ScorchCaptureAttrs *attrs = scorch_capture_reader_get_attrs (reader);
  g_autoptr(GError) error = NULL;
  ScorchRecord record;

  while (scorch_capture_reader_next (reader, &record, &error))
    {
      g_autoptr(GError) decode_error = NULL;
      ScorchPerfBody body;

      if (!scorch_perf_record_decode (attrs, &record, &body, &decode_error))
        g_assert (decode_error != NULL);
    }
  scorch_capture_reader_rewind (reader);
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

  fuzz_record_stream (data, size);

  bytes = g_bytes_new (data, size);
  reader = scorch_capture_reader_new_from_bytes (bytes, &error);
  if (reader == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  fuzz_decode_all (reader);

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
