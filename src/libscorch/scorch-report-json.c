/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-report-json.c: the hotspots of a profile as JSON ("report --json") */

#include "config.h"

#define G_LOG_DOMAIN "scorch-report"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "scorch-report-json.h"
#include "scorch-text.h"

static double
percent (guint64 part,
         guint64 total)
{
  double pct = total > 0 ? 100.0 * (double) part / (double) total : 0.0;

  /* Two decimals, as the text outputs show them. */
  return round (pct * 100.0) / 100.0;
}

void
scorch_json_add_string (JsonBuilder *builder,
                        const char  *name,
                        const char  *value)
{
  g_autofree char *valid = scorch_text_valid_utf8 (value, -1);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, valid);
}

void
scorch_json_add_uint (JsonBuilder *builder,
                      const char  *name,
                      guint64      value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) MIN (value, (guint64) G_MAXINT64));
}

void
scorch_json_add_double (JsonBuilder *builder,
                        const char  *name,
                        double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, isfinite (value) ? value : 0.0);
}

/* json-glib 1.6 writes doubles with 17 significant digits (33.33 becomes
 * 33.329999999999998): write the shortest of 15 digits instead, which
 * reads back as the same two-decimal value. Integers are left as they are. */
static void
append_number (GString    *out,
               const char *token,
               gsize       len)
{
  g_autofree char *copy = g_strndup (token, len);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char *end = NULL;
  double value;

  if (strpbrk (copy, ".eE") == NULL)
    {
      g_string_append (out, copy);
      return;
    }
  value = g_ascii_strtod (copy, &end);
  if (end == NULL || *end != '\0' || !isfinite (value))
    {
      g_string_append (out, copy);
      return;
    }
  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  g_string_append (out, buf);
  if (strpbrk (buf, ".eE") == NULL)
    g_string_append (out, ".0");
}

char *
scorch_json_node_to_data (JsonNode *root,
                          gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  gsize text_len;
  GString *out;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;

  g_return_val_if_fail (root != NULL, NULL);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);

  text = json_generator_to_data (generator, &text_len);
  out = g_string_sized_new (text_len + 2);
  for (gsize i = 0; i < text_len; i++)
    {
      guchar c = (guchar) text[i];

      if (in_string)
        {
          /* json-glib 1.6 writes U+001F raw inside strings (found by
           * fuzz-folded-output): escape any control byte it leaves. */
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        {
          in_string = TRUE;
          g_string_append_c (out, (char) c);
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          gsize end = i;

          while (end < text_len && strchr ("+-.eE0123456789", text[end]) != NULL)
            end++;
          append_number (out, text + i, end - i);
          i = end - 1;
        }
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '\n');
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

char *
scorch_report_json_to_data (ScorchProfile *profile,
                            gint64         n_truncated,
                            guint          max_functions,
                            gsize         *length)
{
  static const char * const kinds[] = { "unknown", "user", "kernel", "inlined", "jit", "root" };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const ScorchProfileInfo *info;
  const ScorchHotspot *hotspots;
  guint n_hotspots;
  guint64 total;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), NULL);

  total = scorch_profile_get_total (profile);
  hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  info = scorch_profile_get_info (profile);
  if (max_functions > 0 && max_functions < n_hotspots)
    n_hotspots = max_functions;

  json_builder_begin_object (builder);
  scorch_json_add_uint (builder, "samples", total);
  scorch_json_add_uint (builder, "all_samples", scorch_profile_get_n_all_samples (profile));
  scorch_json_add_uint (builder, "lost", info->n_lost);
  scorch_json_add_uint (builder, "truncated", n_truncated >= 0 ? (guint64) n_truncated : info->n_truncated);
  json_builder_set_member_name (builder, "event");
  if (info->event_name != NULL)
    {
      g_autofree char *valid = scorch_text_valid_utf8 (info->event_name, -1);

      json_builder_add_string_value (builder, valid);
    }
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "functions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_hotspots; i++)
    {
      const ScorchFrame *f = scorch_profile_get_frame (profile, hotspots[i].frame);

      json_builder_begin_object (builder);
      scorch_json_add_string (builder, "function", f->function);
      scorch_json_add_string (builder, "module", f->module);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, kinds[MIN ((guint) f->kind, G_N_ELEMENTS (kinds) - 1)]);
      if (f->file != NULL)
        {
          scorch_json_add_string (builder, "file", f->file);
          scorch_json_add_uint (builder, "line", f->line);
        }
      scorch_json_add_uint (builder, "self", hotspots[i].self);
      scorch_json_add_uint (builder, "total", hotspots[i].total);
      scorch_json_add_double (builder, "self_percent", percent (hotspots[i].self, total));
      scorch_json_add_double (builder, "total_percent", percent (hotspots[i].total, total));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return scorch_json_node_to_data (root, length);
}
