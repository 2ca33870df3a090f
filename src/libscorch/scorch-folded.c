/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-folded.c: folded stacks import and export */

#include "config.h"

#define G_LOG_DOMAIN "scorch-folded"

#include <glib/gi18n.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "scorch-folded.h"
#include "scorch-text.h"
#include "scorch-util.h"

G_DEFINE_QUARK (scorch-folded-error-quark, scorch_folded_error)

#define MAX_FOLDED_DEPTH 4096

/* FlameGraph's annotations (stackcollapse-perf.pl --all). */
static const struct
{
  const char     *suffix;
  ScorchFrameKind kind;
} annotations[] = {
  { "_[k]", SCORCH_FRAME_KIND_KERNEL },
  { "_[j]", SCORCH_FRAME_KIND_JIT },
  { "_[i]", SCORCH_FRAME_KIND_INLINED },
};

gboolean
scorch_folded_sniff (const guint8 *data,
                     gsize         len)
{
  gsize end;
  gsize i;
  gboolean have_digit = FALSE;

  if (data == NULL || len == 0)
    return FALSE;
  if (len >= 8 && memcmp (data, "PERFILE", 7) == 0)
    return FALSE;

  /* Look at the first non-empty line: text, then a space and a count. */
  i = 0;
  while (i < len && (data[i] == '\n' || data[i] == '\r'))
    i++;
  end = i;
  while (end < len && end - i < 64 * 1024 && data[end] != '\n')
    {
      if (data[end] == 0)
        return FALSE;
      end++;
    }
  if (end == i)
    return FALSE;
  if (!g_utf8_validate ((const char *) data + i, end - i, NULL))
    return FALSE;

  while (end > i && (data[end - 1] == '\r' || data[end - 1] == ' ' || data[end - 1] == '\t'))
    end--;
  while (end > i && g_ascii_isdigit (data[end - 1]))
    {
      end--;
      have_digit = TRUE;
    }
  return have_digit && end > i + 1 && (data[end - 1] == ' ' || data[end - 1] == '\t');
}

static guint32
intern_folded_frame (ScorchProfileBuilder *builder,
                     char                 *name,
                     gsize                 len)
{
  ScorchFrameKind kind = SCORCH_FRAME_KIND_USER;
  char saved;
  guint32 id;

  for (guint a = 0; a < G_N_ELEMENTS (annotations); a++)
    {
      gsize slen = strlen (annotations[a].suffix);

      if (len > slen && memcmp (name + len - slen, annotations[a].suffix, slen) == 0)
        {
          kind = annotations[a].kind;
          len -= slen;
          break;
        }
    }

  if (len == 0)
    return scorch_profile_builder_intern_frame (builder, "[unknown]", "", NULL, 0,
                                                SCORCH_FRAME_KIND_UNKNOWN);

  saved = name[len];
  name[len] = 0;
  if (strcmp (name, "[unknown]") == 0)
    kind = SCORCH_FRAME_KIND_UNKNOWN;
  id = scorch_profile_builder_intern_frame (builder, name, "", NULL, 0, kind);
  name[len] = saved;
  return id;
}

ScorchProfile *
scorch_folded_parse (const char  *data,
                     gsize        len,
                     GError     **error)
{
  g_autoptr(ScorchProfileBuilder) builder = NULL;
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree char *line = NULL;
  gsize line_alloc = 0;
  gsize pos = 0;
  guint lineno = 0;
  guint n_stacks = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  builder = scorch_profile_builder_new ();

  while (pos < len)
    {
      const char *start = data + pos;
      const char *nl = memchr (start, '\n', len - pos);
      gsize llen = nl != NULL ? (gsize) (nl - start) : len - pos;
      char *count_str;
      char *stack_end;
      char *p;
      guint64 count;
      char *endptr;

      pos += llen + (nl != NULL ? 1 : 0);
      lineno++;

      if (llen > 0 && start[llen - 1] == '\r')
        llen--;
      if (llen == 0)
        continue;

      if (llen + 1 > line_alloc)
        {
          line_alloc = MAX (llen + 1, line_alloc * 2);
          g_free (line);
          line = g_malloc (line_alloc);
        }
      memcpy (line, start, llen);
      line[llen] = 0;

      if (memchr (line, 0, llen) != NULL || !g_utf8_validate (line, llen, NULL))
        {
          g_set_error (error, SCORCH_FOLDED_ERROR, SCORCH_FOLDED_ERROR_INVALID,
                       _("Line %u is not text: folded stacks are lines of “frame;frame;… count”"),
                       lineno);
          return NULL;
        }

      /* The count is the last field, after a space. */
      stack_end = line + llen;
      while (stack_end > line && (stack_end[-1] == ' ' || stack_end[-1] == '\t'))
        stack_end--;
      count_str = stack_end;
      while (count_str > line && count_str[-1] != ' ' && count_str[-1] != '\t')
        count_str--;
      *stack_end = 0;

      if (count_str == line || !g_ascii_isdigit (*count_str))
        {
          g_set_error (error, SCORCH_FOLDED_ERROR, SCORCH_FOLDED_ERROR_INVALID,
                       _("Line %u has no sample count: expected “frame;frame;… count”"),
                       lineno);
          return NULL;
        }

      errno = 0;
      count = g_ascii_strtoull (count_str, &endptr, 10);
      if (*endptr != 0 || errno != 0 || count > G_MAXUINT32)
        {
          g_set_error (error, SCORCH_FOLDED_ERROR, SCORCH_FOLDED_ERROR_INVALID,
                       _("Line %u: “%s” is not a sample count between 0 and %u"),
                       lineno, count_str, G_MAXUINT32);
          return NULL;
        }

      stack_end = count_str;
      while (stack_end > line && (stack_end[-1] == ' ' || stack_end[-1] == '\t'))
        stack_end--;
      *stack_end = 0;

      if (stack_end == line)
        {
          g_set_error (error, SCORCH_FOLDED_ERROR, SCORCH_FOLDED_ERROR_INVALID,
                       _("Line %u has a count but no stack"), lineno);
          return NULL;
        }

      g_array_set_size (stack, 0);
      p = line;
      for (;;)
        {
          char *semi = strchr (p, ';');
          gsize flen = semi != NULL ? (gsize) (semi - p) : strlen (p);

          if (stack->len >= MAX_FOLDED_DEPTH)
            {
              g_set_error (error, SCORCH_FOLDED_ERROR, SCORCH_FOLDED_ERROR_INVALID,
                           _("Line %u has a stack deeper than %u frames"),
                           lineno, MAX_FOLDED_DEPTH);
              return NULL;
            }

          {
            guint32 id = intern_folded_frame (builder, p, flen);
            g_array_append_val (stack, id);
          }

          if (semi == NULL)
            break;
          p = semi + 1;
        }

      if (count > 0)
        {
          ScorchProfileSample sample = {
            .frames = (const guint32 *) (gpointer) stack->data, .n_frames = stack->len,
            .weight = (guint32) count,
          };

          scorch_profile_builder_add_sample (builder, &sample);
        }
      n_stacks++;
    }

  if (n_stacks == 0)
    {
      g_set_error (error, SCORCH_FOLDED_ERROR, SCORCH_FOLDED_ERROR_EMPTY,
                   _("The file holds no stacks"));
      return NULL;
    }

  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

ScorchProfile *
scorch_folded_load (const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return scorch_parse_regular_file (path, cancellable, (ScorchParseFunc) scorch_folded_parse, error);
}

static void
append_frame_name (GString           *out,
                   const ScorchFrame *frame)
{
  /* ';' separates frames, a newline ends the line, a trailing number would
   * read as a count, and the reader wants UTF-8: the name is made safe. */
  scorch_text_append_folded_frame (out, frame->function);

  switch (frame->kind)
    {
    case SCORCH_FRAME_KIND_KERNEL:
      g_string_append (out, "_[k]");
      break;
    case SCORCH_FRAME_KIND_JIT:
      g_string_append (out, "_[j]");
      break;
    case SCORCH_FRAME_KIND_INLINED:
      g_string_append (out, "_[i]");
      break;
    case SCORCH_FRAME_KIND_UNKNOWN:
    case SCORCH_FRAME_KIND_USER:
    case SCORCH_FRAME_KIND_ROOT:
    case SCORCH_N_FRAME_KINDS:
    default:
      break;
    }
}

gboolean
scorch_folded_write (ScorchProfile *profile,
                     GOutputStream *stream,
                     GCancellable  *cancellable,
                     GError       **error)
{
  const ScorchFrame *frames;
  const guint64 *self_counts;
  guint n_nodes;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  gsize line_start, line_end;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  scorch_profile_get_nodes (profile, &n_nodes);
  frames = scorch_profile_get_frames (profile, NULL);
  self_counts = scorch_profile_get_node_self (profile);

  for (guint i = 1; i < n_nodes; i++)
    {
      if (self_counts[i] == 0)
        continue;

      scorch_profile_node_get_stack (profile, i, stack);
      line_start = out->len;
      for (guint j = stack->len; j-- > 0;)
        {
          append_frame_name (out, &frames[g_array_index (stack, guint32, j)]);
          if (j > 0)
            g_string_append_c (out, ';');
        }
      line_end = out->len;

      /* A reader takes counts up to G_MAXUINT32: a larger one (lines merged
       * from several) is written over several lines. */
      for (guint64 left = self_counts[i]; left > 0;)
        {
          guint64 count = MIN (left, (guint64) G_MAXUINT32);

          if (left != self_counts[i])
            g_string_append_len (out, out->str + line_start, line_end - line_start);
          g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", count);
          left -= count;
        }

      if (out->len > 256 * 1024)
        {
          if (!g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error))
            return FALSE;
          g_string_truncate (out, 0);
        }
    }

  return g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error);
}
