/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-portable-pack.c: `pack` -- a capture loaded here, rewritten with
 * the portable entries (scorch-portable.h) in its Scorch section. Apart
 * from scorch-portable.c, which the analyzer uses, so that no include
 * cycle joins them. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-portable"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "scorch-analyzer.h"
#include "scorch-capture-reader.h"
#include "scorch-perf-file.h"
#include "scorch-perf-record.h"
#include "scorch-portable.h"
#include "scorch-portable-pack.h"
#include "scorch-symbol-setup.h"

static gboolean
write_all (GOutputStream *out,
           const void    *data,
           gsize          len,
           GError       **error)
{
  return g_output_stream_write_all (out, data, len, NULL, NULL, error);
}

static gboolean
write_padding (GOutputStream *out,
               guint64       *pos,
               GError       **error)
{
  static const guint8 zeros[8];
  gsize pad = (8 - (*pos % 8)) % 8;

  *pos += pad;
  return pad == 0 || write_all (out, zeros, pad, error);
}

/* Copies in_path's bytes up to its feature table, then its feature
 * sections with the Scorch section replaced by notes. */
static gboolean
rewrite_with_notes (const char         *in_path,
                    const char         *out_path,
                    ScorchCaptureNotes *notes,
                    GError            **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (out_path);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GBytes) section = scorch_capture_notes_serialize (notes);
  ScorchPerfFileHeader h;
  const guint8 *base;
  gsize size;
  guint64 table_off, pos;
  guint n_old = 0, n_new = 0;
  gboolean had_scorch;
  g_autofree ScorchPerfFileSection *old = NULL;
  g_autofree ScorchPerfFileSection *neu = NULL;
  guint bits[SCORCH_PERF_FEAT_LAST];
  g_autofree char *display = g_filename_display_name (in_path);

  if (!(mapped = g_mapped_file_new (in_path, FALSE, error)))
    return FALSE;
  base = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = g_mapped_file_get_length (mapped);
  if (size < sizeof h)
    goto unsupported;
  memcpy (&h, base, sizeof h);
  if (h.magic != SCORCH_PERF_MAGIC || h.size != sizeof h)
    goto unsupported;
  if (h.data.offset > size || h.data.size > size - h.data.offset)
    goto unsupported;
  table_off = h.data.offset + h.data.size;

  for (guint bit = 1; bit < SCORCH_PERF_FEAT_LAST; bit++)
    if (h.adds_features[bit / 64] & (G_GUINT64_CONSTANT (1) << (bit % 64)))
      n_old++;
  if ((guint64) n_old * sizeof (ScorchPerfFileSection) > size - table_off)
    goto unsupported;
  old = g_new0 (ScorchPerfFileSection, n_old + 1);
  memcpy (old, base + table_off, n_old * sizeof (ScorchPerfFileSection));
  for (guint i = 0; i < n_old; i++)
    if (old[i].offset > size || old[i].size > size - old[i].offset)
      goto unsupported;

  had_scorch = (h.adds_features[SCORCH_PERF_FEAT_SCORCH / 64] & (G_GUINT64_CONSTANT (1) << (SCORCH_PERF_FEAT_SCORCH % 64))) != 0;
  h.adds_features[SCORCH_PERF_FEAT_SCORCH / 64] |= G_GUINT64_CONSTANT (1) << (SCORCH_PERF_FEAT_SCORCH % 64);
  for (guint bit = 1; bit < SCORCH_PERF_FEAT_LAST; bit++)
    if (h.adds_features[bit / 64] & (G_GUINT64_CONSTANT (1) << (bit % 64)))
      bits[n_new++] = bit;
  neu = g_new0 (ScorchPerfFileSection, n_new);

  /* lay out: sections after the new table, each 8-byte aligned */
  pos = table_off + (guint64) n_new * sizeof (ScorchPerfFileSection);
  {
    guint oi = 0;

    for (guint i = 0; i < n_new; i++)
      {
        pos = (pos + 7) & ~G_GUINT64_CONSTANT (7);
        neu[i].offset = pos;
        if (bits[i] == SCORCH_PERF_FEAT_SCORCH)
          {
            neu[i].size = g_bytes_get_size (section);
            /* the old Scorch section, if any, is replaced */
            if (had_scorch)
              oi++;
          }
        else
          neu[i].size = old[oi++].size;
        pos += neu[i].size;
      }
  }

  if (!(out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error)))
    return FALSE;
  if (!write_all (G_OUTPUT_STREAM (out), &h, sizeof h, error) ||
      !write_all (G_OUTPUT_STREAM (out), base + sizeof h, table_off - sizeof h, error) ||
      !write_all (G_OUTPUT_STREAM (out), neu, (gsize) n_new * sizeof (ScorchPerfFileSection), error))
    return FALSE;
  pos = table_off + (guint64) n_new * sizeof (ScorchPerfFileSection);
  {
    guint oi = 0;

    for (guint i = 0; i < n_new; i++)
      {
        if (!write_padding (G_OUTPUT_STREAM (out), &pos, error))
          return FALSE;
        g_assert (pos == neu[i].offset);
        if (bits[i] == SCORCH_PERF_FEAT_SCORCH)
          {
            if (had_scorch)
              oi++;
            if (!write_all (G_OUTPUT_STREAM (out), g_bytes_get_data (section, NULL), neu[i].size, error))
              return FALSE;
          }
        else if (!write_all (G_OUTPUT_STREAM (out), base + old[oi++].offset, neu[i].size, error))
          return FALSE;
        pos += neu[i].size;
      }
  }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);

unsupported:
  g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED,
               _("“%s” cannot be made portable: only perf.data files with a header and feature table "
                 "(not pipe-mode streams) can; run “perf inject -i FILE -o OUT” first"),
               display);
  return FALSE;
}

gboolean
scorch_portable_pack (const char  *in_path,
                      const char  *out_path,
                      GError     **error)
{
  g_autoptr(ScorchCaptureReader) reader = NULL;
  g_autoptr(ScorchAnalyzer) analyzer = NULL;
  g_autoptr(ScorchPortableBuilder) builder = scorch_portable_builder_new ();
  g_autoptr(ScorchCaptureNotes) notes = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autoptr(ScorchProfile) profile = NULL;

  g_return_val_if_fail (in_path != NULL && out_path != NULL, FALSE);

  if (!(reader = scorch_capture_reader_new (in_path, error)))
    return FALSE;
  analyzer = scorch_analyzer_new (scorch_capture_reader_get_attrs (reader));
  /* --debug-dirs, --kallsyms (scorch-symbol-paths.h; SCORCH_DEBUG_DIRS) */
  scorch_symbol_setup_symbolizer (scorch_analyzer_get_symbolizer (analyzer));
  scorch_analyzer_set_portable_builder (analyzer, builder);
  if (!scorch_analyzer_load_reader (analyzer, reader, NULL, NULL, NULL, error))
    return FALSE;
  profile = scorch_analyzer_finish (analyzer);

  /* a copy of the capture's notes with the portable entries */
  serialized = scorch_capture_notes_serialize (scorch_capture_reader_get_notes (reader));
  if (!(notes = scorch_capture_notes_parse (g_bytes_get_data (serialized, NULL), g_bytes_get_size (serialized), 0, error)))
    return FALSE;
  scorch_portable_builder_write_notes (builder, notes);

  return rewrite_with_notes (in_path, out_path, notes, error);
}
