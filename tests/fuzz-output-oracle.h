/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-output-oracle.h: output-validity oracles for the fuzz targets.
 *
 * Whatever names a profile holds, what Scorch writes from it must be valid
 * for its format; a violation aborts (libFuzzer saves the input):
 *   - the SVG export parses as XML with libxml2 (well-formed XML 1.0);
 *   - report's JSON is strict RFC 8259 (checked by the small grammar below,
 *     since json-glib's parser also takes single quotes, raw control
 *     characters and leading zeros) and loads with json-glib;
 *   - folded stacks read back with the same total;
 *   - names escaped for a terminal hold no control character. */

#pragma once

#include <json-glib/json-glib.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scorch-flame-export.h"
#include "scorch-folded.h"
#include "scorch-report-json.h"
#include "scorch-text.h"

static void
oracle_fail (const char *what,
             const char *text,
             gsize       len)
{
  fprintf (stderr, "output oracle: %s\n", what);
  if (text != NULL)
    fprintf (stderr, "--- output (%" G_GSIZE_FORMAT " bytes) ---\n%.*s\n---\n", len,
             (int) MIN (len, 4096), text);
  abort ();
}

/* ---- a strict JSON grammar (RFC 8259) ---- */

typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
} Json;

static gboolean json_value (Json *j);

static void
json_ws (Json *j)
{
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    j->p++;
}

static gboolean
json_lit (Json       *j,
          const char *lit)
{
  gsize n = strlen (lit);

  if ((gsize) (j->end - j->p) < n || memcmp (j->p, lit, n) != 0)
    return FALSE;
  j->p += n;
  return TRUE;
}

static gboolean
json_string (Json *j)
{
  if (j->p >= j->end || *j->p != '"')
    return FALSE;
  j->p++;
  while (j->p < j->end)
    {
      guchar c = (guchar) *j->p++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          if (j->p >= j->end)
            return FALSE;
          c = (guchar) *j->p++;
          if (c == 'u')
            {
              for (int i = 0; i < 4; i++)
                if (j->p >= j->end || !g_ascii_isxdigit (*j->p++))
                  return FALSE;
            }
          else if (strchr ("\"\\/bfnrt", c) == NULL || c == 0)
            return FALSE;
        }
    }
  return FALSE;
}

static gboolean
json_digits (Json *j)
{
  const char *start = j->p;

  while (j->p < j->end && g_ascii_isdigit (*j->p))
    j->p++;
  return j->p > start;
}

static gboolean
json_number (Json *j)
{
  if (j->p < j->end && *j->p == '-')
    j->p++;
  if (j->p < j->end && *j->p == '0')
    j->p++;
  else if (!json_digits (j))
    return FALSE;
  if (j->p < j->end && *j->p == '.')
    {
      j->p++;
      if (!json_digits (j))
        return FALSE;
    }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E'))
    {
      j->p++;
      if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
        j->p++;
      if (!json_digits (j))
        return FALSE;
    }
  return TRUE;
}

static gboolean
json_container (Json *j,
                char  close,
                gboolean object)
{
  j->p++;
  if (++j->depth > 64)
    return FALSE;
  json_ws (j);
  if (j->p < j->end && *j->p == close)
    {
      j->p++;
      j->depth--;
      return TRUE;
    }
  for (;;)
    {
      if (object)
        {
          json_ws (j);
          if (!json_string (j))
            return FALSE;
          json_ws (j);
          if (j->p >= j->end || *j->p++ != ':')
            return FALSE;
        }
      if (!json_value (j))
        return FALSE;
      if (j->p >= j->end)
        return FALSE;
      if (*j->p == ',')
        {
          j->p++;
          continue;
        }
      if (*j->p == close)
        {
          j->p++;
          j->depth--;
          return TRUE;
        }
      return FALSE;
    }
}

static gboolean
json_value (Json *j)
{
  gboolean ok;

  json_ws (j);
  if (j->p >= j->end)
    return FALSE;
  switch (*j->p)
    {
    case '{':
      ok = json_container (j, '}', TRUE);
      break;
    case '[':
      ok = json_container (j, ']', FALSE);
      break;
    case '"':
      ok = json_string (j);
      break;
    case 't':
      ok = json_lit (j, "true");
      break;
    case 'f':
      ok = json_lit (j, "false");
      break;
    case 'n':
      ok = json_lit (j, "null");
      break;
    default:
      ok = json_number (j);
      break;
    }
  json_ws (j);
  return ok;
}

static gboolean
oracle_json_is_strict (const char *text,
                       gsize       len)
{
  Json j = { text, text + len, 0 };

  if (!g_utf8_validate (text, len, NULL))
    return FALSE;
  return json_value (&j) && j.p == j.end;
}

/* ---- the oracles ---- */

static void
oracle_silence_xml (void             *ctx,
                    const xmlError   *error)
{
}

static void
oracle_check_svg (ScorchProfile *profile,
                  const char    *title,
                  gboolean       inverted)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  ScorchFlameExportOptions options = { 0 };
  const char *data;
  gsize len;
  xmlDocPtr doc;

  options.width = 600;
  options.title = title;
  options.inverted = inverted;
  options.zoom_root = SCORCH_PROFILE_ROOT;
  options.orientation = inverted ? SCORCH_FLAME_ORIENTATION_ICICLE : SCORCH_FLAME_ORIENTATION_FLAME;
  if (!scorch_flame_export_svg (profile, &options, out, NULL, &error))
    oracle_fail (error->message, NULL, 0);
  g_output_stream_close (out, NULL, NULL);
  data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
  len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));

  xmlSetStructuredErrorFunc (NULL, (xmlStructuredErrorFunc) oracle_silence_xml);
  doc = xmlReadMemory (data, (int) len, "flame.svg", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    oracle_fail ("the SVG export is not well-formed XML", data, len);
  if (xmlDocGetRootElement (doc) == NULL || strcmp ((const char *) xmlDocGetRootElement (doc)->name, "svg") != 0)
    oracle_fail ("the SVG export has no <svg> root", data, len);
  xmlFreeDoc (doc);
}

static void
oracle_check_json (ScorchProfile *profile)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gsize len;

  json = scorch_report_json_to_data (profile, -1, 50, &len);
  if (!oracle_json_is_strict (json, len))
    oracle_fail ("report's JSON is not strict JSON", json, len);
  if (!json_parser_load_from_data (parser, json, (gssize) len, &error))
    oracle_fail ("json-glib cannot load report's JSON", json, len);
}

static void
oracle_check_folded (ScorchProfile *profile)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) again = NULL;
  const char *data;
  gsize len;

  if (!scorch_folded_write (profile, out, NULL, &error))
    oracle_fail (error->message, NULL, 0);
  g_output_stream_close (out, NULL, NULL);
  data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
  len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  if (len == 0)
    return;  /* no sample: nothing to read back */
  again = scorch_folded_parse (data, len, &error);
  if (again == NULL)
    oracle_fail ("the folded export does not read back", data, len);
  if (scorch_profile_get_total (again) != scorch_profile_get_total (profile))
    oracle_fail ("the folded export reads back with another total", data, len);
}

static void
oracle_check_terminal_text (const char *name)
{
  g_autofree char *safe = scorch_text_to_terminal (name, SCORCH_TEXT_TERMINAL_DEFAULT);

  if (!g_utf8_validate (safe, -1, NULL))
    oracle_fail ("a name escaped for the terminal is not UTF-8", safe, strlen (safe));
  for (const guchar *p = (const guchar *) safe; *p; p++)
    if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
      oracle_fail ("a name escaped for the terminal holds a control character", safe, strlen (safe));
}

/* All of the above for PROFILE (its SVG export INVERTED or not: one export
 * per input keeps the targets fast); FOLDED: also check the folded round
 * trip (profiles from perf.data may hold stacks deeper than folded files
 * take). */
static void
oracle_check_profile (ScorchProfile *profile,
                      const char    *title,
                      gboolean       inverted,
                      gboolean       folded)
{
  const ScorchFrame *frames;
  guint n_frames;

  frames = scorch_profile_get_frames (profile, &n_frames);
  for (guint i = 0; i < n_frames; i++)
    {
      oracle_check_terminal_text (frames[i].function);
      oracle_check_terminal_text (frames[i].module);
    }
  oracle_check_svg (profile, title, inverted);
  oracle_check_json (profile);
  if (folded)
    oracle_check_folded (profile);
}
