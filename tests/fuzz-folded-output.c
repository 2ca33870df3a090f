/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-folded-output.c: libFuzzer target: arbitrary bytes through the
 * folded-stacks reader, and as raw names (any byte, invalid UTF-8
 * included, which the folded reader refuses) through a profile builder;
 * every profile then goes through the SVG, JSON, folded and terminal
 * writers with an output-validity oracle (fuzz-output-oracle.h). Any
 * crash, leak, sanitizer report or invalid output is a bug. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-fuzz"

#include <glib.h>

#include "fuzz-output-oracle.h"

#define MAX_LINES  64
#define MAX_FRAMES 64

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
silence (const gchar   *log_domain,
         GLogLevelFlags log_level,
         const gchar   *message,
         gpointer       user_data)
{
}

/* Lines of ';'-separated names, taken as they are: no count, no check. */
static ScorchProfile *
profile_from_raw_names (const char *data,
                        gsize       size,
                        char      **title)
{
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  const char *end = data + size;
  const char *line = data;
  guint32 stack[MAX_FRAMES];

  for (guint n_lines = 0; line < end && n_lines < MAX_LINES; n_lines++)
    {
      const char *nl = memchr (line, '\n', end - line);
      const char *line_end = nl != NULL ? nl : end;
      const char *p = line;
      guint depth = 0;

      if (*title == NULL)
        *title = g_strndup (line, MIN (line_end - line, 200));

      while (p <= line_end && depth < MAX_FRAMES)
        {
          const char *semi = memchr (p, ';', line_end - p);
          const char *name_end = semi != NULL ? semi : line_end;
          g_autofree char *name = g_strndup (p, name_end - p);

          stack[depth] = scorch_profile_builder_intern_frame (builder, name, depth == 0 ? name : "/bin/x",
                                                              depth % 3 == 0 ? name : NULL, depth,
                                                              (ScorchFrameKind) (depth % SCORCH_FRAME_KIND_ROOT));
          depth++;
          if (semi == NULL)
            break;
          p = semi + 1;
        }
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = n_lines, .pid = 1, .tid = 1,
                                                                           .frames = stack, .n_frames = depth, .weight = 1 + n_lines });
      line = line_end + 1;
    }
  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) folded = NULL;
  g_autoptr(ScorchProfile) raw = NULL;
  g_autofree char *title = NULL;
  static gboolean initialized;

  if (!initialized)
    {
      g_log_set_default_handler (silence, NULL);
      initialized = TRUE;
    }

  if (size > 64 * 1024)
    return 0;

  folded = scorch_folded_parse ((const char *) data, size, &error);
  if (folded != NULL)
    oracle_check_profile (folded, NULL, size % 2 == 1, TRUE);
  else
    g_assert (error != NULL);

  if (size > 0)
    {
      raw = profile_from_raw_names ((const char *) data, size, &title);
      oracle_check_profile (raw, title, size % 2 == 0, TRUE);
    }

  return 0;
}
