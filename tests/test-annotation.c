/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-annotation.c: ScorchAnnotation on a hand-made profile whose sampled
 * addresses lie in this test program (deterministic: no recording): the
 * samples land on the instruction and line holding them, the profile's
 * views share the counts, and a module that is gone, not a regular file
 * or replaced (build id) is reported, never opened blindly. */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "scorch-annotate.h"

static char *tmpdir;

__attribute__((noinline)) int annotation_target (int n);

static const guint target_first_line = __LINE__;
__attribute__((noinline)) int
annotation_target (int n)
{
  volatile int acc = 0;

  for (int i = 0; i < n; i++)
    acc += i * 3;
  return acc;
}
static const guint target_last_line = __LINE__;

/* The path and file offset of this program's code at addr, from
 * /proc/self/maps. */
static char *
module_offset (gconstpointer  addr,
               guint64       *offset)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end, pgoff;
      char path[4096] = "";

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %*s %" G_GINT64_MODIFIER "x %*s %*s %4095s",
                  &start, &end, &pgoff, path) == 4 &&
          (guint64) (gsize) addr >= start && (guint64) (gsize) addr < end)
        {
          *offset = (guint64) (gsize) addr - start + pgoff;
          return g_strdup (path);
        }
    }
  g_assert_not_reached ();
}

/* A profile of one function with one sampled address in module path. */
static ScorchProfile *
make_profile (const char   *path,
              guint64       offset,
              const guint8 *build_id,
              guint         build_id_len,
              guint32      *frame_out)
{
  ScorchProfileBuilder *builder = scorch_profile_builder_new ();
  GArray *modules = g_array_new (FALSE, TRUE, sizeof (ScorchAddrModule));
  GArray *samples = g_array_new (FALSE, TRUE, sizeof (ScorchAddrSample));
  GArray *runs = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(ScorchAddrSamples) addrs = NULL;
  ScorchAddrModule m = { 0, };
  ScorchAddrSample s = { 0, };
  guint32 frames[2];
  guint32 two = 2;

  frames[0] = scorch_profile_builder_intern_frame (builder, "main", path, NULL, 0, SCORCH_FRAME_KIND_USER);
  frames[1] = scorch_profile_builder_intern_frame (builder, "annotation_target", path, NULL, 0, SCORCH_FRAME_KIND_USER);
  scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 1, .pid = 1, .tid = 1,
                                                                       .frames = frames, .n_frames = 2, .weight = 5 });
  scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) { .time = 2, .pid = 1, .tid = 1,
                                                                       .frames = frames, .n_frames = 1, .weight = 2 });

  m.path = g_strdup (path);
  if (build_id != NULL)
    {
      memcpy (m.build_id, build_id, build_id_len);
      m.build_id_len = build_id_len;
    }
  g_array_append_val (modules, m);
  g_array_append_val (runs, two);
  g_array_append_val (runs, frames[1]);   /* innermost first */
  g_array_append_val (runs, frames[0]);
  s.module = 0;
  s.run = 0;
  s.offset = offset;
  s.self = 5;
  s.total = 5;
  g_array_append_val (samples, s);
  addrs = scorch_addr_samples_new (modules, samples, runs);
  scorch_profile_builder_set_addr_samples (builder, addrs);
  *frame_out = frames[1];
  return scorch_profile_builder_end (builder);
}

static void
test_samples_on_instruction (void)
{
  guint64 offset;
  g_autofree char *path = module_offset ((gconstpointer) annotation_target, &offset);
  guint32 frame;
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchProfile) filtered = NULL;
  g_autoptr(ScorchProfile) inverted = NULL;
  g_autoptr(ScorchAnnotation) a = NULL;
  g_autoptr(GError) error = NULL;
  const ScorchAnnotateInsn *insns;
  const ScorchAnnotateLine *lines;
  guint n_insns, n_lines;
  guint64 insn_self = 0, line_self = 0;
  gboolean found = FALSE;

  /* a few bytes into the function: inside its loop, not its first byte */
  profile = make_profile (path, offset + 8, NULL, 0, &frame);

  /* every view of the profile shares the counts */
  filtered = scorch_profile_filter (profile, NULL, 0, 2, G_MAXUINT64);
  inverted = scorch_profile_dup_inverted (profile);
  g_assert_true (scorch_profile_get_addr_samples (filtered) == scorch_profile_get_addr_samples (profile));
  g_assert_true (scorch_profile_get_addr_samples (inverted) == scorch_profile_get_addr_samples (profile));

  a = scorch_annotation_new (profile, frame, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_cmpstr (scorch_annotation_get_function (a), ==, "annotation_target");
  g_assert_cmpuint (scorch_annotation_get_self (a), ==, 5);
  g_assert_cmpuint (scorch_annotation_get_total (a), ==, 5);

  insns = scorch_annotation_get_insns (a, &n_insns);
#if HAVE_CAPSTONE
  g_assert_cmpuint (n_insns, >, 3);
  for (guint i = 0; i < n_insns; i++)
    {
      insn_self += insns[i].self;
      if (insns[i].self > 0)
        {
          /* the instruction holding the address, and a line of this file */
          g_assert_cmpuint (insns[i].self, ==, 5);
          g_assert_nonnull (insns[i].file);
          g_assert_true (g_str_has_suffix (insns[i].file, "test-annotation.c"));
          found = TRUE;
        }
      if (i > 0)
        g_assert_cmpuint (insns[i].address, >, insns[i - 1].address);
    }
  g_assert_true (found);
  g_assert_cmpuint (insn_self, ==, 5);
#else
  g_assert_cmpuint (n_insns, ==, 0);
  g_assert_true (scorch_annotation_get_missing (a) & SCORCH_ANNOTATE_MISSING_DISASSEMBLER);
#endif

  lines = scorch_annotation_get_lines (a, &n_lines);
  g_assert_cmpuint (n_lines, >, 0);
  for (guint i = 0; i < n_lines; i++)
    line_self += lines[i].self;
  g_assert_cmpuint (line_self, ==, 5);
  g_assert_cmpint (scorch_annotation_get_hottest_line (a), >=, 0);
  /* the source is this file, found where DWARF says */
  g_assert_nonnull (scorch_annotation_get_source_text (a, NULL));
  {
    const ScorchAnnotateLine *hot = &lines[scorch_annotation_get_hottest_line (a)];

    g_assert_cmpuint (hot->line, >, target_first_line);
    g_assert_cmpuint (hot->line, <, target_last_line);
    /* the source line itself (at -O0 the address may be the "{" line) */
    g_assert_nonnull (hot->text);
  }
}

static void
expect_missing_binary (const char   *path,
                       const guint8 *build_id,
                       guint         build_id_len,
                       const char   *expected)
{
  guint32 frame;
  g_autoptr(ScorchProfile) profile = make_profile (path, 0x1000, build_id, build_id_len, &frame);
  g_autoptr(ScorchAnnotation) a = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *messages;
  gboolean seen = FALSE;

  a = scorch_annotation_new (profile, frame, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (scorch_annotation_get_missing (a) & SCORCH_ANNOTATE_MISSING_BINARY);
  messages = scorch_annotation_get_messages (a);
  for (guint i = 0; i < messages->len; i++)
    seen |= strstr (g_ptr_array_index (messages, i), expected) != NULL;
  if (!seen)
    g_error ("no message holds “%s”", expected);
  /* the samples are still counted, on no line */
  {
    guint n_lines;
    const ScorchAnnotateLine *lines = scorch_annotation_get_lines (a, &n_lines);

    g_assert_cmpuint (n_lines, ==, 1);
    g_assert_null (lines[0].file);
    g_assert_cmpuint (lines[0].self, ==, 5);
  }
}

static void
test_missing_module (void)
{
  g_autofree char *gone = g_build_filename (tmpdir, "gone.so", NULL);
  g_autofree char *fifo = g_build_filename (tmpdir, "fifo.so", NULL);
  g_autofree char *dir = g_build_filename (tmpdir, "dir.so", NULL);
  guint64 offset;
  g_autofree char *self_path = module_offset ((gconstpointer) annotation_target, &offset);
  const guint8 other_id[20] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04,
                                0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e };

  expect_missing_binary (gone, NULL, 0, "Cannot read the module");
  /* a FIFO would block whoever opens it: refused before any open */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  expect_missing_binary (fifo, NULL, 0, "not a regular file");
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  expect_missing_binary (dir, NULL, 0, "Cannot read the module");
  /* this program, but the capture saw another build */
  expect_missing_binary (self_path, other_id, sizeof other_id, "changed since the capture was made");
}

static void
test_not_found (void)
{
  guint64 offset;
  g_autofree char *path = module_offset ((gconstpointer) annotation_target, &offset);
  guint32 frame, found = 0;
  g_autoptr(ScorchProfile) profile = make_profile (path, offset, NULL, 0, &frame);
  g_autoptr(GError) error = NULL;

  g_assert_true (scorch_annotate_find_frame (profile, "annotation_target", &found, &error));
  g_assert_cmpuint (found, ==, frame);
  g_assert_false (scorch_annotate_find_frame (profile, "no_such_function", &found, &error));
  g_assert_error (error, SCORCH_ANNOTATE_ERROR, SCORCH_ANNOTATE_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-annotation-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/annotate/samples-on-instruction", test_samples_on_instruction);
  g_test_add_func ("/libscorch/annotate/missing-module", test_missing_module);
  g_test_add_func ("/libscorch/annotate/find-frame", test_not_found);

  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
