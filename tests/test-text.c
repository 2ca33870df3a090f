/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-text.c: tests of scorch-text.c, the per-output sanitizers of names */

#include "config.h"

#include <string.h>

#include "output-check.h"
#include "scorch-folded.h"
#include "scorch-text.h"

#define FFFD "\xef\xbf\xbd"

static void
test_valid_utf8 (void)
{
  static const struct { const char *in; gssize len; const char *out; } cases[] = {
    { "plain", -1, "plain" },
    { "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", -1, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80" },
    { "a\xff" "b", -1, "a" FFFD "b" },
    { "x\xf0", -1, "x" FFFD },                   /* truncated sequence at the end */
    { "\xc0\xaf", -1, FFFD FFFD },               /* overlong '/' */
    { "\xed\xa0\x80", -1, FFFD FFFD FFFD },      /* a surrogate */
    { "\xf4\x90\x80\x80", -1, FFFD FFFD FFFD FFFD }, /* beyond U+10FFFF */
    { "a\0b", 3, "a" FFFD "b" },                 /* NUL within LEN */
    { "abcdef", 3, "abc" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = scorch_text_valid_utf8 (cases[i].in, cases[i].len);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  {
    g_autofree char *out = scorch_text_valid_utf8 (NULL, -1);

    g_assert_cmpstr (out, ==, "");
  }
}

static void
test_xml (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "ns::f<int>(a&b, \"c\", 'd')", "ns::f&lt;int&gt;(a&amp;b, &quot;c&quot;, &apos;d&apos;)" },
    { "\001x", FFFD "x" },                        /* the reproducer */
    { "a\tb\nc\rd", "a b c d" },
    { "\x1b]0;title\x07", FFFD "]0;title" FFFD },
    { "\x7f\xc2\x85", FFFD FFFD },                /* DEL, NEL (C1) */
    { "\xef\xbf\xbe\xef\xbf\xbf", FFFD FFFD },    /* U+FFFE U+FFFF */
    { "\xef\xb7\x90", FFFD },                     /* U+FDD0 */
    { "\xf0\x9f\xbf\xbe", FFFD },                 /* U+1FFFE */
    { "\xff\xfe", FFFD FFFD },
    { "\xc3\xa9\xef\xbf\xbd\xf0\x9f\x98\x80", "\xc3\xa9\xef\xbf\xbd\xf0\x9f\x98\x80" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = scorch_text_to_xml (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

/* Every code point, and random bytes, through the XML escaper: the result
 * is a document xmllint accepts, as text and as an attribute value. */
static void
test_xml_exhaustive (void)
{
  g_autoptr(GString) raw = g_string_new (NULL);
  g_autoptr(GString) doc = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<t a=\"");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gsize attr_start, attr_end;
  int fd;

  for (gunichar c = 1; c <= 0x10FFFF; c++)
    if (c < 0xD800 || c > 0xDFFF)
      g_string_append_unichar (raw, c);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (raw, (char) (1 + g_rand_int_range (rand, 0, 255)));

  attr_start = doc->len;
  scorch_text_append_xml (doc, raw->str, raw->len);
  attr_end = doc->len;
  g_string_append (doc, "\">");
  scorch_text_append_xml (doc, raw->str, raw->len);
  g_string_append (doc, "</t>\n");

  g_assert_true (g_utf8_validate (doc->str, doc->len, NULL));
  for (const char *p = doc->str + attr_start; p < doc->str + attr_end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (scorch_text_is_xml_char (c));
      g_assert_true (c != '<' && c != '"' && c != '\'' && c != '\t' && c != '\n');
    }

  fd = g_file_open_tmp ("scorch-text-XXXXXX.xml", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, doc->str, doc->len, &error));
  output_check_svg (path);
  g_unlink (path);
}

static void
test_display (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "ns::f<int>(a&b)", "ns::f<int>(a&b)" },
    { "\001x\ty", FFFD "x y" },
    { "a\xef\xbf\xbe\xff", "a" FFFD FFFD },
    { "caf\xc3\xa9", "caf\xc3\xa9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = scorch_text_to_display (cases[i].in);
      g_autofree char *escaped = g_markup_escape_text (out, -1);
      g_autoptr(GMarkupParseContext) ctx = NULL;
      g_autofree char *doc = g_strdup_printf ("<t>%s</t>", escaped);
      GMarkupParser parser = { 0 };

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_true (scorch_text_is_display_safe (out));
      g_assert_true (scorch_text_is_display_safe (cases[i].in) == (strcmp (cases[i].in, cases[i].out) == 0));
      /* What GTK does with a tooltip text: escape it, parse it as markup. */
      ctx = g_markup_parse_context_new (&parser, 0, NULL, NULL);
      g_assert_true (g_markup_parse_context_parse (ctx, doc, -1, NULL));
      g_assert_true (g_markup_parse_context_end_parse (ctx, NULL));
    }
}

static void
test_terminal (void)
{
  static const struct { const char *in; ScorchTextTerminalFlags flags; const char *out; } cases[] = {
    { "main", SCORCH_TEXT_TERMINAL_DEFAULT, "main" },
    { "\x1b]0;title\x07", SCORCH_TEXT_TERMINAL_DEFAULT, "\\x1b]0;title\\x07" },
    { "a\tb\nc", SCORCH_TEXT_TERMINAL_DEFAULT, "a\\x09b\\x0ac" },
    { "a\tb\nc\r", SCORCH_TEXT_TERMINAL_KEEP_LINES, "a\tb\nc\\x0d" },
    { "\x7f\xc2\x9b" "31m", SCORCH_TEXT_TERMINAL_DEFAULT, "\\x7f\\u009b31m" }, /* DEL, CSI (C1) */
    { "abc\xe2\x80\xae" "fed", SCORCH_TEXT_TERMINAL_DEFAULT, "abc\\u202efed" }, /* RLO */
    { "lib\xff.so", SCORCH_TEXT_TERMINAL_DEFAULT, "lib\\xff.so" },
    { "caf\xc3\xa9", SCORCH_TEXT_TERMINAL_DEFAULT, "caf\xc3\xa9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = scorch_text_to_terminal (cases[i].in, cases[i].flags);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_folded_frame (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "main", "main" },
    { "a;b", "a:b" },
    { "x\ty\nz\r", "x y z " },
    { "foo 123", "foo_123" },
    { "v  1.5", "v__1.5" },
    { "abc123", "abc123" },
    { "12", "12" },
    { "operator new 12 x", "operator new 12 x" },
    { "\x01\xff", FFFD FFFD },
    { "", "[unknown]" },
    { "  ", "[unknown]" },
    { "\t\n", "[unknown]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new ("pre;");

      scorch_text_append_folded_frame (out, cases[i].in);
      g_assert_true (g_str_has_prefix (out->str, "pre;"));
      g_assert_cmpstr (out->str + 4, ==, cases[i].out);
    }
}

/* Random names through every sanitizer: each output keeps its promise. */
static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  static const char alphabet[] = ";\t\n\r \x1b\x07\x01\x7f" "0123456789abc<&>\"'\xc2\x85\x9b\xef\xbf\xbe\xff\xe2\x80\xae";

  for (guint n = 0; n < 3000; n++)
    {
      char name[24];
      guint len = g_rand_int_range (rand, 1, sizeof name);
      g_autofree char *xml = NULL;
      g_autofree char *term = NULL;
      g_autofree char *utf8 = NULL;
      g_autoptr(GString) line = g_string_new ("root;");
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchProfile) profile = NULL;

      for (guint i = 0; i < len; i++)
        name[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      name[len] = 0;
      if (name[0] == 0)
        continue;

      utf8 = scorch_text_valid_utf8 (name, -1);
      g_assert_true (g_utf8_validate (utf8, -1, NULL));

      xml = scorch_text_to_xml (name);
      g_assert_true (g_utf8_validate (xml, -1, NULL));
      for (const char *p = xml; *p; p = g_utf8_next_char (p))
        g_assert_true (scorch_text_is_xml_char (g_utf8_get_char (p)) && *p != '\t' && *p != '\n');

      term = scorch_text_to_terminal (name, SCORCH_TEXT_TERMINAL_DEFAULT);
      output_check_terminal (term, strlen (term));
      g_assert_null (strchr (term, '\n'));
      g_assert_null (strchr (term, '\t'));

      /* The folded line reads back: two frames, the count it was written with. */
      scorch_text_append_folded_frame (line, name);
      g_string_append (line, " 7\n");
      profile = scorch_folded_parse (line->str, line->len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (scorch_profile_get_total (profile), ==, 7);
      {
        guint n_nodes;

        scorch_profile_get_nodes (profile, &n_nodes);
        g_assert_cmpuint (n_nodes, ==, 3); /* the synthetic root, root, the name */
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/text/valid-utf8", test_valid_utf8);
  g_test_add_func ("/libscorch/text/xml", test_xml);
  g_test_add_func ("/libscorch/text/xml-exhaustive", test_xml_exhaustive);
  g_test_add_func ("/libscorch/text/display", test_display);
  g_test_add_func ("/libscorch/text/terminal", test_terminal);
  g_test_add_func ("/libscorch/text/folded-frame", test_folded_frame);
  g_test_add_func ("/libscorch/text/random", test_random);

  return g_test_run ();
}
