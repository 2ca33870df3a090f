/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-folded.c: tests for scorch-folded.c */

#include "config.h"

#include <string.h>

#include "scorch-folded.h"

static const char simple[] =
  "main;a;b 3\n"
  "main;a 1\n"
  "main;c;do_syscall_64_[k] 2\n"
  "\n"
  "main;a;b 2\r\n";

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) p = scorch_folded_parse (simple, strlen (simple), &error);
  const ScorchHotspot *h;
  const ScorchFrame *frames;
  guint n;

  g_assert_no_error (error);
  g_assert_nonnull (p);
  g_assert_cmpuint (scorch_profile_get_total (p), ==, 8);

  h = scorch_profile_get_hotspots (p, &n);
  frames = scorch_profile_get_frames (p, NULL);
  g_assert_cmpstr (frames[h[0].frame].function, ==, "b");
  g_assert_cmpuint (h[0].self, ==, 5);
  g_assert_cmpstr (frames[h[1].frame].function, ==, "do_syscall_64");
  g_assert_cmpint (frames[h[1].frame].kind, ==, SCORCH_FRAME_KIND_KERNEL);
}

static void
test_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) p = scorch_folded_parse (simple, strlen (simple), &error);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(ScorchProfile) q = NULL;
  g_auto(GStrv) lines = NULL;
  const char *text;

  g_assert_no_error (error);
  g_assert_true (scorch_folded_write (p, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));

  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4); /* 3 stacks + trailing empty */
  g_assert_true (g_strv_contains ((const char * const *) lines, "main;a;b 5"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "main;a 1"));
  g_assert_true (g_strv_contains ((const char * const *) lines, "main;c;do_syscall_64_[k] 2"));

  q = scorch_folded_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_total (q), ==, 8);
}

static void
test_errors (void)
{
  static const struct
  {
    const char *text;
    int         code;
  } cases[] = {
    { "", SCORCH_FOLDED_ERROR_EMPTY },
    { "\n\n", SCORCH_FOLDED_ERROR_EMPTY },
    { "main;a\n", SCORCH_FOLDED_ERROR_INVALID },
    { "main;a x\n", SCORCH_FOLDED_ERROR_INVALID },
    { "main;a 12x\n", SCORCH_FOLDED_ERROR_INVALID },
    { " 12\n", SCORCH_FOLDED_ERROR_INVALID },
    { "main;a 99999999999999999999999\n", SCORCH_FOLDED_ERROR_INVALID },
    { "main;a 1\nbad\xff line 2\n", SCORCH_FOLDED_ERROR_INVALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ScorchProfile) p = scorch_folded_parse (cases[i].text, strlen (cases[i].text), &error);

      g_assert_null (p);
      g_assert_error (error, SCORCH_FOLDED_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, "") );
    }
}

/* Two lines of the largest count a reader takes merge into one stack:
 * written back, it still reads (over two lines), with the same total. */
static void
test_write_large_count (void)
{
  static const char big[] = "main;f 4294967295\nmain;f 4294967295\nmain;g 3\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) p = scorch_folded_parse (big, strlen (big), &error);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(ScorchProfile) again = NULL;
  const char *text;

  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_total (p), ==, 2 * (guint64) G_MAXUINT32 + 3);
  g_assert_true (scorch_folded_write (p, out, NULL, &error));
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
  again = scorch_folded_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_total (again), ==, scorch_profile_get_total (p));
}

static void
test_sniff (void)
{
  g_assert_true (scorch_folded_sniff ((const guint8 *) simple, strlen (simple)));
  g_assert_true (scorch_folded_sniff ((const guint8 *) "a 1", 3));
  g_assert_false (scorch_folded_sniff ((const guint8 *) "PERFILE2\x68\0\0\0", 12));
  g_assert_false (scorch_folded_sniff ((const guint8 *) "hello world\n", 12));
  g_assert_false (scorch_folded_sniff ((const guint8 *) "", 0));
  g_assert_false (scorch_folded_sniff ((const guint8 *) "a\0b 1\n", 6));
}

static void
test_load_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) p = scorch_folded_load ("/nonexistent/file.folded", NULL, &error);

  g_assert_null (p);
  /* Opened through scorch_open_regular_file(): GIO's error domain. */
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/folded/parse", test_parse);
  g_test_add_func ("/libscorch/folded/roundtrip", test_roundtrip);
  g_test_add_func ("/libscorch/folded/errors", test_errors);
  g_test_add_func ("/libscorch/folded/sniff", test_sniff);
  g_test_add_func ("/libscorch/folded/write-large-count", test_write_large_count);
  g_test_add_func ("/libscorch/folded/load-missing", test_load_missing);

  return g_test_run ();
}
