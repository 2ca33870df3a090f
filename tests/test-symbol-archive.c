/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-symbol-archive.c: perf archive tarballs and build-id directories
 * (scorch-symbol-paths.h, scorch-debug-files.h) without perf: a hostile
 * tarball written here (../ names, absolute names, symbolic and hard links
 * out, a FIFO, a device, a duplicate name, more data than allowed) extracts
 * only regular files and directories inside the target; an archive beside
 * a capture is extracted once into $XDG_CACHE_HOME/scorch/perf-archives;
 * a fixture build-id tree (perf's cache layout by path and by
 * .build-id/xx/yyyy link, and a debug dir's .build-id link to the binary)
 * resolves a module by build id, and only by the right one. */

#include "config.h"

#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#if HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

#include "scorch-debug-files.h"
#include "scorch-module.h"
#include "scorch-symbol-paths.h"

static char *tmp;

static char *
run_ok (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (tmp, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

      g_error ("%s failed: %s", cmd, err);
    }
  return out;
}

#if HAVE_LIBARCHIVE
typedef struct
{
  const char *name;
  unsigned    type;        /* AE_IF* */
  const char *data;        /* regular files */
  const char *link;        /* symlink target, or hard link target */
  gboolean    hard;
} Entry;

static void
write_tarball (const char  *path,
               const Entry *entries,
               guint        n)
{
  struct archive *a = archive_write_new ();

  archive_write_add_filter_bzip2 (a);
  archive_write_set_format_pax_restricted (a);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      gsize len = entries[i].data != NULL ? strlen (entries[i].data) : 0;

      archive_entry_set_pathname (e, entries[i].name);
      archive_entry_set_filetype (e, entries[i].type);
      archive_entry_set_perm (e, 0644);
      if (entries[i].hard)
        archive_entry_set_hardlink (e, entries[i].link);
      else if (entries[i].type == AE_IFLNK)
        archive_entry_set_symlink (e, entries[i].link);
      if (entries[i].type == AE_IFCHR)
        archive_entry_set_rdev (e, makedev (1, 3));
      archive_entry_set_size (e, len);
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      if (len > 0)
        g_assert_cmpint (archive_write_data (a, entries[i].data, len), ==, (la_ssize_t) len);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

/* Every entry under dir is a directory or a regular file; returns how
 * many regular files. */
static guint
check_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      struct stat st;

      g_assert_cmpint (lstat (p, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        n += check_tree (p);
      else
        {
          if (!S_ISREG (st.st_mode))
            g_error ("%s: not a regular file or directory (mode %o)", p, st.st_mode);
          n++;
        }
    }
  return n;
}
#endif

static void
test_hostile_tarball (void)
{
#if HAVE_LIBARCHIVE
  g_autofree char *box = g_build_filename (tmp, "box", NULL);
  g_autofree char *dest = g_build_filename (box, "dest", NULL);
  g_autofree char *tarball = g_build_filename (tmp, "hostile.tar.bz2", NULL);
  g_autofree char *abs_target = g_build_filename (tmp, "abs-escape", NULL);
  g_autofree char *outside = g_build_filename (tmp, "outside", NULL);
  g_autofree char *outside_file = g_build_filename (outside, "planted", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  guint n_files = 0, n_skipped = 0;
  const Entry entries[] = {
    { "ok/dir/", AE_IFDIR },
    { "ok/dir/elf", AE_IFREG, "first" },
    { "ok/dir/elf", AE_IFREG, "second" },              /* duplicate: the first stays */
    { "./dot/./file", AE_IFREG, "dot" },
    { "../escape", AE_IFREG, "x" },
    { "ok/../../escape2", AE_IFREG, "x" },
    { abs_target, AE_IFREG, "x" },                     /* "/…/abs-escape" as written */
    { ".build-id/ab/cdef", AE_IFLNK, NULL, "../../ok/dir" },
    { "out", AE_IFLNK, NULL, outside },                /* a link out, then a file through it */
    { "out/planted", AE_IFREG, "x" },
    { "hard", AE_IFREG, NULL, "/etc/passwd", TRUE },
    { "fifo", AE_IFIFO },
    { "null", AE_IFCHR },
  };

  g_assert_cmpint (g_mkdir_with_parents (dest, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  write_tarball (tarball, entries, G_N_ELEMENTS (entries));

  g_assert_true (scorch_symbol_paths_extract_archive (tarball, dest, 1 << 20, &n_files, &n_skipped, &error));
  g_assert_no_error (error);
  /* ok/dir/elf, dot/file, out/planted (a directory of ours, not the link) */
  g_assert_cmpuint (n_files, ==, 3);
  g_assert_cmpuint (check_tree (dest), ==, 3);
  g_assert_cmpuint (n_skipped, >=, 8);
  {
    g_autofree char *elf = g_build_filename (dest, "ok", "dir", "elf", NULL);
    g_autofree char *dot = g_build_filename (dest, "dot", "file", NULL);

    g_assert_true (g_file_get_contents (elf, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "first");
    g_assert_true (g_file_test (dot, G_FILE_TEST_IS_REGULAR));
  }
  /* nothing escaped: box holds only dest, tmp no abs-escape, outside is empty */
  {
    g_autoptr(GDir) d = g_dir_open (box, 0, NULL);

    g_assert_cmpstr (g_dir_read_name (d), ==, "dest");
    g_assert_null (g_dir_read_name (d));
  }
  g_assert_false (g_file_test (abs_target, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (outside_file, G_FILE_TEST_EXISTS));

  /* more data than allowed: an error, not a full disk */
  {
    g_autofree char *big = g_strnfill (4096, 'x');
    const Entry too_much[] = { { "big", AE_IFREG, big } };
    g_autofree char *tb = g_build_filename (tmp, "big.tar.bz2", NULL);
    g_autofree char *d2 = g_build_filename (tmp, "dest-big", NULL);

    write_tarball (tb, too_much, 1);
    g_assert_cmpint (g_mkdir_with_parents (d2, 0755), ==, 0);
    g_assert_false (scorch_symbol_paths_extract_archive (tb, d2, 1000, NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
    g_clear_error (&error);
  }

  /* not a tarball, and a FIFO in its place */
  {
    g_autofree char *junk = g_build_filename (tmp, "junk.tar.bz2", NULL);
    g_autofree char *fifo = g_build_filename (tmp, "fifo.tar.bz2", NULL);

    g_assert_true (g_file_set_contents (junk, "BZh9 not really", -1, NULL));
    g_assert_false (scorch_symbol_paths_extract_archive (junk, dest, 1 << 20, NULL, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    g_assert_false (scorch_symbol_paths_extract_archive (fifo, dest, 1 << 20, NULL, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
#else
  g_test_skip ("built without libarchive");
#endif
}

/* An archive beside a capture: extracted once into the cache dir, its
 * directory added to the default paths, the kernel's kallsyms taken. */
static void
test_beside_capture (void)
{
#if HAVE_LIBARCHIVE
  g_autofree char *cap = g_build_filename (tmp, "c.data", NULL);
  g_autofree char *tarball = g_strconcat (cap, ".tar.bz2", NULL);
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "scorch", "perf-archives", NULL);
  g_autofree char *dir1 = NULL;
  g_autofree char *dir2 = NULL;
  g_autofree char *marker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchSymbolPaths) before = NULL;
  g_autoptr(ScorchSymbolPaths) after = NULL;
  const Entry entries[] = {
    { "[kernel.kallsyms]/0123456789abcdef0123456789abcdef01234567/kallsyms", AE_IFREG,
      "ffffffff81000000 T _stext\n" },
    { "usr/bin/x/0123456789abcdef0123456789abcdef01234567/elf", AE_IFREG, "not an elf" },
    /* perf's own links, and hostile entries: none is made */
    { ".build-id/01/23456789abcdef0123456789abcdef01234567", AE_IFLNK, NULL,
      "../../usr/bin/x/0123456789abcdef0123456789abcdef01234567" },
    { "../../../beside-escape", AE_IFREG, "x" },
    { "usr/lib", AE_IFLNK, NULL, "/usr/lib" },
  };

  g_assert_true (g_file_set_contents (cap, "", 0, NULL));
  write_tarball (tarball, entries, G_N_ELEMENTS (entries));
  before = scorch_symbol_paths_dup_default ();
  g_assert_null (scorch_symbol_paths_get_kallsyms (before));

  scorch_symbol_paths_use_capture_archive (cap);
  after = scorch_symbol_paths_dup_default ();
  g_assert_nonnull (scorch_symbol_paths_get_build_id_dirs (after));
  dir1 = g_strdup (scorch_symbol_paths_get_build_id_dirs (after)[0]);
  g_assert_true (g_str_has_prefix (dir1, cache));
  g_assert_cmpuint (check_tree (dir1), ==, 2);
  {
    g_autofree char *escaped = g_build_filename (cache, "..", "..", "..", "beside-escape", NULL);

    g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  }
  g_assert_true (g_str_has_suffix (scorch_symbol_paths_get_kallsyms (after), "/kallsyms"));
  g_assert_true (g_str_has_prefix (scorch_symbol_paths_get_kallsyms (after), dir1));
  {
    g_auto(GStrv) c = scorch_symbol_paths_build_id_cache_candidates ("/usr/bin/x");

    g_assert_nonnull (c);
    g_assert_true (g_str_has_prefix (c[g_strv_length (c) - 1], dir1));
  }

  /* the second time, the same directory, not extracted again */
  marker = g_build_filename (dir1, "marker", NULL);
  g_assert_true (g_file_set_contents (marker, "", 0, NULL));
  dir2 = scorch_symbol_paths_prepare_archive (tarball, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dir1, ==, dir2);
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));

  /* a capture without an archive: no kallsyms left over from the last */
  {
    g_autofree char *other = g_build_filename (tmp, "other.data", NULL);
    g_autoptr(ScorchSymbolPaths) p = NULL;

    scorch_symbol_paths_use_capture_archive (other);
    p = scorch_symbol_paths_dup_default ();
    g_assert_null (scorch_symbol_paths_get_kallsyms (p));
  }
  scorch_symbol_paths_set_default (NULL);
#else
  g_test_skip ("built without libarchive");
#endif
}

static const char program_src[] =
  "int main (void) { return 0; }\n"
  "const char *which = WHICH;\n";

static char *
build (const char *name)
{
  g_autofree char *src = g_strdup_printf ("%s/%s.c", tmp, name);
  g_autofree char *def = g_strdup_printf ("-DWHICH=\"%s\"", name);
  char *exe = g_strdup_printf ("%s/%s", tmp, name);
  const char *cc[] = { "cc", "-O1", def, "-Wl,--build-id", "-o", exe, src, NULL };
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (src, program_src, -1, NULL));
  out = run_ok (cc);
  return exe;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *dir = g_path_get_dirname (to);
  const char *cp[] = { "cp", from, to, NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  out = run_ok (cp);
}

static void
symlink_ok (const char *target,
            const char *link)
{
  g_autofree char *dir = g_path_get_dirname (link);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, link), ==, 0);
}

/* perf's build-id cache layout and a debug dir's .build-id links, built
 * here: the module is found by build id wherever the capture's path
 * points, and never under another build id. */
static void
test_build_id_dirs (void)
{
  g_autofree char *a = build ("bid-a");
  g_autofree char *b = build ("bid-b");
  g_autofree char *c = build ("bid-c");
  g_autofree char *cache = g_build_filename (tmp, "perf-cache", NULL);
  g_autofree char *debug = g_build_filename (tmp, "debug-dir", NULL);
  g_autofree char *empty = g_build_filename (tmp, "empty-cache", NULL);
  guint8 id_a[64], id_b[64], id_c[64], padded[24];
  guint len_a = scorch_module_read_build_id (a, id_a, sizeof id_a);
  guint len_b = scorch_module_read_build_id (b, id_b, sizeof id_b);
  guint len_c = scorch_module_read_build_id (c, id_c, sizeof id_c);
  g_autofree char *hex_a = NULL, *hex_b = NULL, *hex_c = NULL;
  g_autoptr(ScorchSymbolPaths) paths = scorch_symbol_paths_new ();

  g_assert_cmpuint (len_a, ==, 20);
  g_assert_cmpuint (len_b, ==, 20);
  g_assert_cmpuint (len_c, ==, 20);
  hex_a = scorch_module_build_id_to_hex (id_a, len_a);
  hex_b = scorch_module_build_id_to_hex (id_b, len_b);
  hex_c = scorch_module_build_id_to_hex (id_c, len_c);

  /* a: perf's cache by path, <cache>/gone/bin/a/<id>/elf */
  {
    g_autofree char *p = g_strdup_printf ("%s/gone/bin/a/%s/elf", cache, hex_a);

    copy_file (a, p);
  }
  /* b: perf's cache by link, .build-id/xx/yyyy -> ../../elsewhere/<id> */
  {
    g_autofree char *p = g_strdup_printf ("%s/elsewhere/%s/elf", cache, hex_b);
    g_autofree char *l = g_strdup_printf ("%s/.build-id/%.2s/%s", cache, hex_b, hex_b + 2);
    g_autofree char *t = g_strdup_printf ("../../elsewhere/%s", hex_b);

    copy_file (b, p);
    symlink_ok (t, l);
  }
  /* c: a debug dir's .build-id/xx/yyyy link to the binary */
  {
    g_autofree char *p = g_strdup_printf ("%s/usr/bin/c", debug);
    g_autofree char *l = g_strdup_printf ("%s/.build-id/%.2s/%s", debug, hex_c, hex_c + 2);
    g_autofree char *t = g_strdup_printf ("../../usr/bin/c");

    copy_file (c, p);
    symlink_ok (t, l);
  }

  g_setenv ("PERF_BUILDID_DIR", empty, TRUE);
  g_unsetenv ("DEBUGINFOD_URLS");
  scorch_symbol_paths_set_default (NULL);
  /* nothing configured: nothing found */
  g_assert_null (scorch_debug_files_open_module_by_build_id ("/gone/bin/a", id_a, len_a));

  g_setenv ("PERF_BUILDID_DIR", cache, TRUE);
  {
    g_autoptr(ScorchModule) m = scorch_debug_files_open_module_by_build_id ("/gone/bin/a", id_a, len_a);

    g_assert_nonnull (m);
    g_assert_true (scorch_module_matches_build_id (m, id_a, len_a));
  }
  /* perf pads build ids to 24 bytes in its header */
  memset (padded, 0, sizeof padded);
  memcpy (padded, id_b, len_b);
  {
    g_autoptr(ScorchModule) m = scorch_debug_files_open_module_by_build_id ("/any/path", padded, sizeof padded);

    g_assert_nonnull (m);
    g_assert_true (scorch_module_matches_build_id (m, id_b, len_b));
  }
  /* a's entry asked for under b's build id: refused */
  g_assert_null (scorch_debug_files_open_module_by_build_id ("/gone/bin/a", id_c, len_c));
  /* a capture's path does not climb out */
  g_assert_null (scorch_debug_files_open_module_by_build_id ("/../gone/bin/a/../a", id_c, len_c));

  /* c through the debug dir, only when it is one of the debug dirs */
  g_assert_null (scorch_debug_files_open_module_by_build_id ("/usr/bin/c", id_c, len_c));
  scorch_symbol_paths_set_debug_dirs (paths, debug);
  scorch_symbol_paths_set_default (paths);
  {
    g_autoptr(ScorchModule) m = scorch_debug_files_open_module_by_build_id ("/usr/bin/c", id_c, len_c);

    g_assert_nonnull (m);
    g_assert_true (scorch_module_matches_build_id (m, id_c, len_c));
  }

  /* the by-path candidates cover added build-id dirs as well */
  g_setenv ("PERF_BUILDID_DIR", empty, TRUE);
  scorch_symbol_paths_add_build_id_dir (paths, cache);
  scorch_symbol_paths_set_default (paths);
  {
    g_auto(GStrv) cands = scorch_symbol_paths_build_id_cache_candidates ("/gone/bin/a");
    g_autoptr(ScorchModule) m = scorch_debug_files_open_module_by_build_id ("/gone/bin/a", id_a, len_a);

    g_assert_nonnull (cands);
    g_assert_cmpuint (g_strv_length (cands), ==, 1);
    g_assert_nonnull (m);
  }
  g_unsetenv ("PERF_BUILDID_DIR");
  scorch_symbol_paths_set_default (NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp = g_dir_make_tmp ("scorch-symbol-archive-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("PERF_BUILDID_DIR", tmp, TRUE);

  g_test_add_func ("/symbol-paths/archive/hostile", test_hostile_tarball);
  g_test_add_func ("/symbol-paths/archive/beside-capture", test_beside_capture);
  g_test_add_func ("/symbol-paths/build-id-dirs", test_build_id_dirs);
  ret = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", tmp, NULL };
    g_autofree char *out = run_ok (rm);
  }
  return ret;
}
