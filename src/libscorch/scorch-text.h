/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-text.h: untrusted names made safe for each output
 *
 * Every name that comes from a capture (function, module, file, comm) may
 * hold any byte its producer put there: invalid UTF-8, control characters,
 * terminal escape sequences, XML's forbidden code points. Each output has
 * its own rules; they are all here, so that one place decides. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SCORCH_TEXT_TERMINAL_DEFAULT    = 0,
  /* Keep newline and tab as they are (messages of several lines);
   * otherwise they are escaped like every other control character. */
  SCORCH_TEXT_TERMINAL_KEEP_LINES = 1 << 0,
} ScorchTextTerminalFlags;

/* TEXT (LEN bytes, or up to its NUL when LEN < 0) as valid UTF-8: every
 * invalid sequence, and every NUL within LEN, becomes U+FFFD. NULL gives "".
 * For JSON strings and GTK's plain-text labels. */
char    *scorch_text_valid_utf8          (const char              *text,
                                          gssize                   len);

/* Appends TEXT as XML 1.0 character data that is also safe inside a quoted
 * attribute value and in Pango markup: & < > " ' are escaped; tab, newline
 * and carriage return become a space (a name is one line); every code point
 * XML 1.0 forbids or discourages (other C0 controls, DEL, C1 controls,
 * U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) and every invalid UTF-8 sequence
 * becomes U+FFFD. */
void     scorch_text_append_xml          (GString                 *out,
                                          const char              *text,
                                          gssize                   len);
char    *scorch_text_to_xml              (const char              *text);

/* TEXT for GTK labels, tooltips (GTK turns a plain tooltip text into
 * markup by escaping it) and accessible names: the characters of
 * scorch_text_append_xml() (U+FFFD for control characters, forbidden code
 * points and invalid UTF-8; a space for tab, newline and CR), unescaped.
 * scorch_text_is_display_safe() tells whether TEXT is already so (no copy
 * needed); NULL is safe, and gives "". */
char    *scorch_text_to_display          (const char              *text);
gboolean scorch_text_is_display_safe     (const char              *text);

/* Appends TEXT so that printing it to a terminal shows it and cannot
 * control the terminal: C0 controls and DEL become "\xNN", C1 controls and
 * the bidirectional overrides become "\uNNNN", invalid UTF-8 bytes become
 * "\xNN". The result is valid UTF-8 and holds no byte below 0x20 (but
 * newline and tab with SCORCH_TEXT_TERMINAL_KEEP_LINES). */
void     scorch_text_append_terminal     (GString                 *out,
                                          const char              *text,
                                          gssize                   len,
                                          ScorchTextTerminalFlags  flags);
char    *scorch_text_to_terminal         (const char              *text,
                                          ScorchTextTerminalFlags  flags);

/* Appends NAME as one frame of a folded-stacks line ("a;b;c 42"), so that
 * the line still parses whatever the name holds: ';' becomes ':', tab,
 * newline and carriage return become a space, other control characters and
 * invalid UTF-8 become U+FFFD, the spaces before a trailing number
 * ("name 123") become '_' (a reader would take that number for a count),
 * and an empty or blank name becomes "[unknown]". */
void     scorch_text_append_folded_frame (GString                 *out,
                                          const char              *name);

/* TRUE when C may appear in XML 1.0 output as written by
 * scorch_text_append_xml() (that is: allowed and not discouraged). */
gboolean scorch_text_is_xml_char         (gunichar                 c);

G_END_DECLS
