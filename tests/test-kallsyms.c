/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kallsyms.c: the kallsyms reader (the symbolizer's kernel symbols,
 * the recorder's _text) on files made here. */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "scorch-kallsyms.h"

static char *tmpdir;

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_load (void)
{
  g_autofree char *path = write_file ("kallsyms",
                                      "ffffffff81000000 T _text\n"
                                      "ffffffff81000500 D some_data\n"
                                      "ffffffff81001000 t do_one_initcall\n"
                                      "ffffffff81002000 W weak_one\n"
                                      "ffffffffc0001000 t ext4_thing\t[ext4]\n"
                                      "ffffffffc0002000 t ext4_other\t[ext4]\n"
                                      "ffffffff81003000 x\n"
                                      "not a line\n");
  g_autoptr(ScorchKallsyms) ks = NULL;
  ScorchKallsymsStatus status = SCORCH_KALLSYMS_EMPTY;
  const ScorchKernelSymbol *s, *t;

  ks = scorch_kallsyms_load (path, &status);
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_OK);
  g_assert_nonnull (ks);

  s = scorch_kallsyms_lookup (ks, 0xffffffff81001234);
  g_assert_cmpstr (s->name, ==, "do_one_initcall");
  g_assert_null (s->module);
  g_assert_cmphex (s->addr, ==, 0xffffffff81001000);
  /* data symbols are not code */
  g_assert_cmpstr (scorch_kallsyms_lookup (ks, 0xffffffff81000600)->name, ==, "_text");
  g_assert_cmpstr (scorch_kallsyms_lookup (ks, 0xffffffff81002001)->name, ==, "weak_one");
  s = scorch_kallsyms_lookup (ks, 0xffffffffc0001010);
  t = scorch_kallsyms_lookup (ks, 0xffffffffc0002010);
  g_assert_cmpstr (s->name, ==, "ext4_thing");
  g_assert_cmpstr (s->module, ==, "[ext4]");
  g_assert_true (s->module == t->module);
  /* before the first symbol, and far past the last */
  g_assert_null (scorch_kallsyms_lookup (ks, 0x1000));
  g_assert_nonnull (scorch_kallsyms_lookup (ks, 0xffffffffc0002000 + 1024 * 1024));
  g_assert_null (scorch_kallsyms_lookup (ks, 0xffffffffc0002000 + 1024 * 1024 + 1));
}

static void
test_status (void)
{
  g_autofree char *zero = write_file ("kallsyms-zero",
                                      "0000000000000000 T _text\n"
                                      "0000000000000000 T schedule\n");
  g_autofree char *data = write_file ("kallsyms-data", "ffffffff81000500 D some_data\n");
  g_autofree char *empty = write_file ("kallsyms-empty", "");
  g_autofree char *missing = g_build_filename (tmpdir, "missing", NULL);
  g_autofree char *fifo = g_build_filename (tmpdir, "fifo", NULL);
  ScorchKallsymsStatus status = SCORCH_KALLSYMS_OK;
  guint64 addr = 0;

  g_assert_null (scorch_kallsyms_load (zero, &status));
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_HIDDEN);
  g_assert_null (scorch_kallsyms_load (data, &status));
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_EMPTY);
  g_assert_null (scorch_kallsyms_load (empty, &status));
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_EMPTY);
  g_assert_null (scorch_kallsyms_load (missing, &status));
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_UNREADABLE);
  /* refused before anything can block on it */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (scorch_kallsyms_load (fifo, &status));
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_UNREADABLE);
  g_assert_false (scorch_kallsyms_find (fifo, "_text", 10, &addr));
  g_assert_false (scorch_kallsyms_find (zero, "_text", 10, &addr));
  g_assert_false (scorch_kallsyms_find (missing, "_text", 10, &addr));
  g_unlink (fifo);
}

static void
test_find (void)
{
  g_autofree char *path = write_file ("kallsyms-find",
                                      "ffffffff81000000 T _stext\n"
                                      "ffffffff81000000 T _text\n"
                                      "ffffffff81000500 D _text_data\n"
                                      "ffffffffc0001000 t mod_text\t[mod]\n");
  guint64 addr = 0;

  g_assert_true (scorch_kallsyms_find (path, "_text", 10, &addr));
  g_assert_cmphex (addr, ==, 0xffffffff81000000);
  g_assert_true (scorch_kallsyms_find (path, "_text_data", 10, &addr));
  g_assert_cmphex (addr, ==, 0xffffffff81000500);
  g_assert_true (scorch_kallsyms_find (path, "mod_text", 10, &addr));
  g_assert_cmphex (addr, ==, 0xffffffffc0001000);
  /* only the first max_lines lines are read */
  g_assert_false (scorch_kallsyms_find (path, "_text", 1, &addr));
  g_assert_false (scorch_kallsyms_find (path, "_tex", 10, &addr));
}


/* The persistent cache (scorch_kallsyms_load_cached()): the key decides,
 * a damaged entry is read again, hidden addresses are never answered
 * from it. */
static void
test_cache (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "kcache", NULL);
  g_autofree char *path = write_file ("kallsyms-cached",
                                      "ffffffff81000000 T _text\n"
                                      "ffffffff81001000 t do_one_initcall\n"
                                      "ffffffffc0001000 t ext4_thing\t[ext4]\n"
                                      "ffffffffc0002000 t ext4_other\t[ext4]\n");
  g_autofree char *entry1 = g_build_filename (dir, "kallsyms-k1.bin", NULL);
  g_autofree char *entry2 = g_build_filename (dir, "kallsyms-k2.bin", NULL);
  ScorchKallsymsStatus status = SCORCH_KALLSYMS_EMPTY;
  ScorchKallsyms *ks;
  const ScorchKernelSymbol *s, *t;
  g_autofree char *contents = NULL;
  gsize len = 0;

  /* first read: from the file, saved */
  ks = scorch_kallsyms_load_cached (path, dir, "k1", &status);
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_OK);
  g_assert_false (scorch_kallsyms_is_from_cache (ks));
  scorch_kallsyms_free (ks);
  g_assert_true (g_file_test (entry1, G_FILE_TEST_IS_REGULAR));

  /* second: from the entry, the same answers */
  ks = scorch_kallsyms_load_cached (path, dir, "k1", &status);
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_OK);
  g_assert_true (scorch_kallsyms_is_from_cache (ks));
  g_assert_cmpstr (scorch_kallsyms_lookup (ks, 0xffffffff81001234)->name, ==, "do_one_initcall");
  g_assert_null (scorch_kallsyms_lookup (ks, 0xffffffff81001234)->module);
  s = scorch_kallsyms_lookup (ks, 0xffffffffc0001010);
  t = scorch_kallsyms_lookup (ks, 0xffffffffc0002010);
  g_assert_cmpstr (s->name, ==, "ext4_thing");
  g_assert_cmpstr (s->module, ==, "[ext4]");
  g_assert_true (s->module == t->module);
  g_assert_null (scorch_kallsyms_lookup (ks, 0x1000));
  scorch_kallsyms_free (ks);

  /* the key decides: the same key answers from the entry (so a test can
   * see it is used), another reads the file and drops the old entry */
  g_free (path);
  path = write_file ("kallsyms-cached",
                     "ffffffff81000000 T _text\n"
                     "ffffffff81001000 t do_another_initcall\n");
  ks = scorch_kallsyms_load_cached (path, dir, "k1", &status);
  g_assert_cmpstr (scorch_kallsyms_lookup (ks, 0xffffffff81001234)->name, ==, "do_one_initcall");
  scorch_kallsyms_free (ks);
  ks = scorch_kallsyms_load_cached (path, dir, "k2", &status);
  g_assert_false (scorch_kallsyms_is_from_cache (ks));
  g_assert_cmpstr (scorch_kallsyms_lookup (ks, 0xffffffff81001234)->name, ==, "do_another_initcall");
  scorch_kallsyms_free (ks);
  g_assert_false (g_file_test (entry1, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (entry2, G_FILE_TEST_IS_REGULAR));

  /* damaged anywhere (a byte flipped, cut short): the file is read */
  g_assert_true (g_file_get_contents (entry2, &contents, &len, NULL));
  for (gsize at = 0; at < len; at += 3)
    {
      g_autofree char *bad = g_memdup2 (contents, len);

      bad[at] ^= 0x21;
      g_assert_true (g_file_set_contents (entry2, bad, len, NULL));
      ks = scorch_kallsyms_load_cached (path, dir, "k2", &status);
      g_assert_cmpint (status, ==, SCORCH_KALLSYMS_OK);
      g_assert_false (scorch_kallsyms_is_from_cache (ks));
      g_assert_cmpstr (scorch_kallsyms_lookup (ks, 0xffffffff81001234)->name, ==, "do_another_initcall");
      scorch_kallsyms_free (ks);
      /* and rewritten whole */
      ks = scorch_kallsyms_load_cached (path, dir, "k2", &status);
      g_assert_true (scorch_kallsyms_is_from_cache (ks));
      scorch_kallsyms_free (ks);
      g_assert_true (g_file_set_contents (entry2, contents, at, NULL));
      ks = scorch_kallsyms_load_cached (path, dir, "k2", &status);
      g_assert_false (scorch_kallsyms_is_from_cache (ks));
      scorch_kallsyms_free (ks);
    }

  /* addresses hidden now: no answer from the entry, the reader says why */
  g_free (path);
  path = write_file ("kallsyms-cached",
                     "0000000000000000 T _text\n"
                     "0000000000000000 t do_another_initcall\n");
  g_assert_true (g_file_test (entry2, G_FILE_TEST_IS_REGULAR));
  g_assert_null (scorch_kallsyms_load_cached (path, dir, "k2", &status));
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_HIDDEN);

  /* a key is one file name */
  g_assert_null (scorch_kallsyms_load_cached (path, dir, "../k2", &status));
  g_assert_cmpint (status, ==, SCORCH_KALLSYMS_HIDDEN);

  /* the running kernel's key is stable */
  {
    g_autofree char *a = scorch_kallsyms_dup_running_key ();
    g_autofree char *b = scorch_kallsyms_dup_running_key ();

    if (a != NULL)
      g_assert_cmpstr (a, ==, b);
  }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-kallsyms-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/kallsyms/load", test_load);
  g_test_add_func ("/libscorch/kallsyms/status", test_status);
  g_test_add_func ("/libscorch/kallsyms/find", test_find);
  g_test_add_func ("/libscorch/kallsyms/cache", test_cache);
  ret = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_unlink (p);
      }
  }
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return ret;
}
