/* SPDX-License-Identifier: GPL-3.0-or-later */
/* capture-notes-util.h: a small capture with a Scorch section, made in
 * memory by ScorchPerfWriter, for test-capture-notes{,-perf}.c */

#pragma once

#include <gio/gio.h>
#include <string.h>
#include <sys/mman.h>

#include "scorch-capture-notes.h"
#include "scorch-perf-file.h"
#include "scorch-perf-writer.h"

#define NOTES_PID 4242

static inline void
notes_put (GByteArray *b, const void *data, gsize len)
{
  g_byte_array_append (b, data, len);
}

static inline void
notes_put64 (GByteArray *b, guint64 v)
{
  notes_put (b, &v, 8);
}

/* COMM + MMAP2 + n samples; attr: IP|TID|TIME|PERIOD, sample_id_all. */
static inline GBytes *
notes_make_capture (void (*fill) (ScorchCaptureNotes *notes),
                    guint  n_samples)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new (out, "memory");
  g_autoptr(GByteArray) rec = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  struct perf_event_attr attr = { 0 };
  struct perf_event_header h;
  const guint64 pidtid = (guint64) NOTES_PID << 32 | NOTES_PID;
  gsize start;

  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD;
  attr.sample_period = 1000000;
  attr.sample_id_all = 1;
  attr.mmap2 = 1;
  attr.comm = 1;
  scorch_perf_writer_add_attr (writer, &attr, "cpu-clock", NULL, 0);
  if (fill != NULL)
    fill (scorch_perf_writer_get_notes (writer));
  g_assert_true (scorch_perf_writer_begin (writer, &error));

  /* COMM "notes" */
  h = (struct perf_event_header) { PERF_RECORD_COMM, 0, 8 + 8 + 8 + 16 };
  notes_put (rec, &h, sizeof h);
  notes_put64 (rec, pidtid);
  notes_put (rec, "notes\0\0\0", 8);
  notes_put64 (rec, pidtid);
  notes_put64 (rec, 1000);
  /* MMAP2 of /usr/bin/true at 0x400000 */
  start = rec->len;
  h = (struct perf_event_header) { PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER, 8 + 64 + 16 + 16 };
  notes_put (rec, &h, sizeof h);
  notes_put64 (rec, pidtid);
  notes_put64 (rec, 0x400000);
  notes_put64 (rec, 0x10000);
  notes_put64 (rec, 0);
  notes_put64 (rec, 0); notes_put64 (rec, 0); notes_put64 (rec, 0);
  notes_put64 (rec, (guint64) MAP_PRIVATE << 32 | (PROT_READ | PROT_EXEC));
  notes_put (rec, "/usr/bin/true\0\0\0", 16);
  notes_put64 (rec, pidtid);
  notes_put64 (rec, 1001);
  g_assert_cmpuint (rec->len - start, ==, h.size);
  for (guint i = 0; i < n_samples; i++)
    {
      h = (struct perf_event_header) { PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 8 + 32 };
      notes_put (rec, &h, sizeof h);
      notes_put64 (rec, 0x401000 + 16 * (i % 4));
      notes_put64 (rec, pidtid);
      notes_put64 (rec, 2000 + i);
      notes_put64 (rec, 1000000);
    }

  g_assert_true (scorch_perf_writer_add_records (writer, rec->data, rec->len, &error));
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* The Scorch section of a capture made above (the last feature section:
 * bit 200 is the highest bit written). */
static inline ScorchPerfFileSection *
notes_find_section (guint8 *file,
                    gsize   len)
{
  ScorchPerfFileHeader *hdr = (ScorchPerfFileHeader *) (gpointer) file;
  guint n = 0;

  g_assert_true (hdr->adds_features[SCORCH_PERF_FEAT_SCORCH / 64] &
                 (G_GUINT64_CONSTANT (1) << (SCORCH_PERF_FEAT_SCORCH % 64)));
  for (guint i = 0; i < 4; i++)
    n += __builtin_popcountll (hdr->adds_features[i]);
  g_assert_cmpuint (hdr->data.offset + hdr->data.size + n * sizeof (ScorchPerfFileSection), <=, len);
  return (ScorchPerfFileSection *) (gpointer) (file + hdr->data.offset + hdr->data.size) + (n - 1);
}
