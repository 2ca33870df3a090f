/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-text.c: untrusted names made safe for each output */

#include "config.h"

#define G_LOG_DOMAIN "scorch-text"

#include <string.h>

#include "scorch-text.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

static const char *
text_end (const char *text,
          gssize      len)
{
  return text + (len < 0 ? strlen (text) : (gsize) len);
}

/* The code point at *P (reading no further than END), advancing *P past
 * it; or -1 for a byte that starts no valid UTF-8 sequence (NUL included),
 * advancing by that one byte. */
static gint32
next_char (const char **p,
           const char  *end)
{
  const guchar c = (guchar) **p;
  gunichar u;

  if (c != 0 && c < 0x80)
    {
      (*p)++;
      return c;
    }
  if (c == 0)
    {
      (*p)++;
      return -1;
    }

  u = g_utf8_get_char_validated (*p, end - *p);
  if (u == (gunichar) -1 || u == (gunichar) -2 || u == 0)
    {
      (*p)++;
      return -1;
    }
  *p = g_utf8_next_char (*p);
  return (gint32) u;
}

char *
scorch_text_valid_utf8 (const char *text,
                        gssize      len)
{
  const char *end;
  GString *out;

  if (text == NULL)
    return g_strdup ("");

  end = text_end (text, len);
  if (g_utf8_validate (text, end - text, NULL))
    return g_strndup (text, end - text);

  out = g_string_sized_new ((end - text) + 16);
  for (const char *p = text; p < end;)
    {
      const char *start = p;
      gint32 c = next_char (&p, end);

      if (c < 0)
        g_string_append (out, REPLACEMENT);
      else
        g_string_append_len (out, start, p - start);
    }
  return g_string_free (out, FALSE);
}

gboolean
scorch_text_is_xml_char (gunichar c)
{
  if (c == 0x9 || c == 0xA || c == 0xD)
    return TRUE;
  if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
    return FALSE;
  if (c <= 0xD7FF)
    return TRUE;
  if (c < 0xE000)
    return FALSE;                  /* surrogates */
  if (c >= 0xFDD0 && c <= 0xFDEF)
    return FALSE;                  /* non-characters */
  if ((c & 0xFFFE) == 0xFFFE)
    return FALSE;                  /* U+FFFE, U+FFFF and their kin in every plane */
  return c <= 0x10FFFF;
}

/* The entity of a markup character, or NULL. */
static const char *
xml_entity (gint32 c)
{
  switch (c)
    {
    case '&':  return "&amp;";
    case '<':  return "&lt;";
    case '>':  return "&gt;";
    case '"':  return "&quot;";
    case '\'': return "&apos;";
    default:   return NULL;
    }
}

/* Appends TEXT (LEN bytes, or up to its NUL when LEN < 0) to OUT one
 * character at a time: what ESCAPE appends for it, or the character as it
 * is when ESCAPE returns FALSE. c < 0 is an invalid byte (*start). */
typedef gboolean (*EscapeFunc) (GString    *out,
                                gint32      c,
                                const char *start,
                                guint       flags);

static void
append_escaped (GString    *out,
                const char *text,
                gssize      len,
                EscapeFunc  escape,
                guint       flags)
{
  const char *end;

  if (text == NULL)
    return;

  end = text_end (text, len);
  for (const char *p = text; p < end;)
    {
      const char *start = p;
      gint32 c = next_char (&p, end);

      if (!escape (out, c, start, flags))
        g_string_append_len (out, start, p - start);
    }
}

/* XML-legal characters; with flags TRUE, the markup ones as entities. */
static gboolean
escape_xml (GString    *out,
            gint32      c,
            const char *start,
            guint       markup)
{
  const char *entity = xml_entity (c);

  if (entity != NULL && markup)
    g_string_append (out, entity);
  else if (entity != NULL)
    return FALSE;
  else if (c == '\t' || c == '\n' || c == '\r')
    g_string_append_c (out, ' ');
  else if (c < 0 || !scorch_text_is_xml_char ((gunichar) c))
    g_string_append (out, REPLACEMENT);
  else
    return FALSE;
  return TRUE;
}

void
scorch_text_append_xml (GString    *out,
                        const char *text,
                        gssize      len)
{
  g_return_if_fail (out != NULL);

  append_escaped (out, text, len, escape_xml, TRUE);
}

char *
scorch_text_to_xml (const char *text)
{
  GString *out = g_string_new (NULL);

  scorch_text_append_xml (out, text, -1);
  return g_string_free (out, FALSE);
}

gboolean
scorch_text_is_display_safe (const char *text)
{
  const char *end;

  if (text == NULL)
    return TRUE;

  end = text_end (text, -1);
  for (const char *p = text; p < end;)
    {
      gint32 c = next_char (&p, end);

      if (c < 0 || c == '\t' || c == '\n' || c == '\r' || !scorch_text_is_xml_char ((gunichar) c))
        return FALSE;
    }
  return TRUE;
}

char *
scorch_text_to_display (const char *text)
{
  GString *out = g_string_new (NULL);

  append_escaped (out, text, -1, escape_xml, FALSE);
  return g_string_free (out, FALSE);
}

static gboolean
is_bidi_control (gunichar c)
{
  return c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static gboolean
escape_terminal (GString    *out,
                 gint32      c,
                 const char *start,
                 guint       flags)
{
  if (c < 0)
    g_string_append_printf (out, "\\x%02x", (guchar) *start);
  else if ((c == '\n' || c == '\t') && (flags & SCORCH_TEXT_TERMINAL_KEEP_LINES))
    return FALSE;
  else if (c < 0x20 || c == 0x7F)
    g_string_append_printf (out, "\\x%02x", (guint) c);
  else if ((c >= 0x80 && c <= 0x9F) || is_bidi_control ((gunichar) c))
    g_string_append_printf (out, "\\u%04x", (guint) c);
  else
    return FALSE;
  return TRUE;
}

void
scorch_text_append_terminal (GString                 *out,
                             const char              *text,
                             gssize                   len,
                             ScorchTextTerminalFlags  flags)
{
  g_return_if_fail (out != NULL);

  append_escaped (out, text, len, escape_terminal, flags);
}

char *
scorch_text_to_terminal (const char              *text,
                         ScorchTextTerminalFlags  flags)
{
  GString *out = g_string_new (NULL);

  scorch_text_append_terminal (out, text, -1, flags);
  return g_string_free (out, FALSE);
}

/* ';' separates frames and blanks end the count in folded stacks */
static gboolean
escape_folded (GString    *out,
               gint32      c,
               const char *start,
               guint       flags)
{
  if (c == ';')
    g_string_append_c (out, ':');
  else if (c == '\t' || c == '\n' || c == '\r')
    g_string_append_c (out, ' ');
  else if (c < 0 || c < 0x20 || (c >= 0x7F && c <= 0x9F))
    g_string_append (out, REPLACEMENT);
  else
    return FALSE;
  return TRUE;
}

void
scorch_text_append_folded_frame (GString    *out,
                                 const char *name)
{
  gsize begin, i;

  g_return_if_fail (out != NULL);

  if (name == NULL)
    return;

  begin = out->len;
  append_escaped (out, name, -1, escape_folded, 0);

  /* An empty or blank name would leave a line of a single frame with no
   * stack before its count. */
  for (i = begin; i < out->len && out->str[i] == ' '; i++)
    ;
  if (i == out->len)
    {
      g_string_truncate (out, begin);
      g_string_append (out, "[unknown]");
      return;
    }

  /* "name 123" would end a line as "a;name 123 42": FlameGraph reads two
   * counts (a differential profile). Join the number to the name. */
  i = out->len;
  while (i > begin && (g_ascii_isdigit (out->str[i - 1]) || out->str[i - 1] == '.'))
    i--;
  if (i < out->len && i > begin && out->str[i - 1] == ' ')
    while (i > begin && out->str[i - 1] == ' ')
      out->str[--i] = '_';
}
