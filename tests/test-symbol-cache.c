/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the persistent symbol cache (scorch_elf_symbols_load_cached /
 * _save_cached, scorch-elf-symbols.c) and of its use by the symbolizer:
 * hit, miss, corrupt and truncated entries, a stale entry (another build
 * id, another source), concurrent writers and readers. */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "scorch-debug-files.h"
#include "scorch-elf-symbols.h"
#include "scorch-module.h"
#include "scorch-symbolizer.h"

static char *tmpdir;
static char *self_exe;

typedef struct
{
  Dwfl_Callbacks    callbacks;
  char             *debuginfo_path;
  Dwfl             *dwfl;
  Dwfl_Module      *mod;
  GElf_Addr         bias;
  ScorchModule     *module;
  ScorchDebugFilesModule debug;
  const guint8     *build_id;
  guint             build_id_len;
} Fixture;

/* libdwfl over this test program (it has a build id and a symbol table) */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  int fd;

  f->debuginfo_path = scorch_debug_files_dup_search_path (NULL);
  scorch_debug_files_init_callbacks (&f->callbacks, &f->debuginfo_path);
  f->module = scorch_module_cache_open (scorch_module_cache_get_default (), self_exe, NULL);
  g_assert_nonnull (f->module);
  f->build_id = scorch_module_get_build_id (f->module, &f->build_id_len);
  g_assert_nonnull (f->build_id);
  fd = scorch_module_dup_fd (f->module);
  f->dwfl = dwfl_begin (&f->callbacks);
  dwfl_report_begin (f->dwfl);
  f->mod = dwfl_report_elf (f->dwfl, self_exe, self_exe, fd, 0, true);
  dwfl_report_end (f->dwfl, NULL, NULL);
  g_assert_nonnull (f->mod);
  scorch_debug_files_attach (&f->debug, f->mod, &f->debuginfo_path, f->module);
  g_assert_nonnull (dwfl_module_getelf (f->mod, &f->bias));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  dwfl_end (f->dwfl);
  scorch_debug_files_detach (&f->debug);
  scorch_module_unref (f->module);
  g_free (f->debuginfo_path);
}

static char *
fresh_dir (const char *name)
{
  char *dir = g_build_filename (tmpdir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

/* The key of this program's entry in dir, as read from source */
static ScorchElfSymbolsCacheKey
fixture_key (Fixture    *f,
             const char *dir,
             const char *source)
{
  ScorchElfSymbolsCacheKey key = { dir, f->build_id, f->build_id_len, source, f->bias };

  return key;
}

/* Both tables name every address alike. */
static void
assert_same_table (ScorchElfSymbols *a,
                   ScorchElfSymbols *b,
                   Fixture          *f)
{
  gsize n = scorch_elf_symbols_get_size (a);

  g_assert_cmpuint (n, >, 10);
  g_assert_cmpuint (scorch_elf_symbols_get_size (b), ==, n);
  for (guint64 addr = f->bias; addr < f->bias + 0x40000; addr += 7)
    {
      ScorchElfSymbol *x = scorch_elf_symbols_lookup (a, addr);
      ScorchElfSymbol *y = scorch_elf_symbols_lookup (b, addr);

      g_assert_true ((x == NULL) == (y == NULL));
      if (x == NULL)
        continue;
      g_assert_cmpstr (x->raw, ==, y->raw);
      g_assert_cmpuint (x->start, ==, y->start);
      g_assert_cmpuint (x->end, ==, y->end);
      g_assert_cmpuint (x->index, ==, y->index);
      g_assert_cmpuint (x->binding, ==, y->binding);
      g_assert_cmpuint (x->sized, ==, y->sized);
    }
}

static void
test_miss_then_hit (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir = fresh_dir ("hit");
  g_autoptr(ScorchElfSymbols) parsed = scorch_elf_symbols_new (f->mod);
  g_autoptr(ScorchElfSymbols) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = scorch_elf_symbols_get_cache_path (dir, f->build_id, f->build_id_len);
  g_autofree char *hex = scorch_module_build_id_to_hex (f->build_id, f->build_id_len);
  g_autofree char *base = g_path_get_basename (path);
  ScorchElfSymbolsCacheKey key = fixture_key (f, dir, "");
  ScorchElfSymbolsCacheKey shifted = key;
  struct stat st;

  /* miss: no entry */
  g_assert_null (scorch_elf_symbols_load_cached (&key, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (scorch_elf_symbols_save_cached (parsed, &key, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (base, hex));
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* hit, the same table; also at another bias */
  loaded = scorch_elf_symbols_load_cached (&key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  assert_same_table (parsed, loaded, f);
  g_clear_pointer (&loaded, scorch_elf_symbols_free);
  shifted.bias += 0x1000;
  loaded = scorch_elf_symbols_load_cached (&shifted, &error);
  g_assert_no_error (error);
  {
    ScorchElfSymbol *x = NULL, *y;
    guint64 addr;

    for (addr = f->bias; x == NULL && addr < f->bias + 0x100000; addr += 16)
      x = scorch_elf_symbols_lookup (parsed, addr);
    g_assert_nonnull (x);
    y = scorch_elf_symbols_lookup (loaded, addr - 16 + 0x1000);
    g_assert_nonnull (y);
    g_assert_cmpstr (x->raw, ==, y->raw);
    g_assert_cmpuint (y->start, ==, x->start + 0x1000);
  }
}

static void
test_stale (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *dir = fresh_dir ("stale");
  g_autoptr(ScorchElfSymbols) parsed = scorch_elf_symbols_new (f->mod);
  g_autoptr(GError) error = NULL;
  guint8 other[20];
  g_autofree char *path = NULL;
  g_autofree char *other_path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  ScorchElfSymbols *loaded;
  ScorchElfSymbolsCacheKey key = fixture_key (f, dir, "");
  ScorchElfSymbolsCacheKey other_key = key;
  ScorchElfSymbolsCacheKey debug_key = key;

  g_assert_true (scorch_elf_symbols_save_cached (parsed, &key, NULL));
  path = scorch_elf_symbols_get_cache_path (dir, f->build_id, f->build_id_len);

  /* an entry at another build id's name (copied, or a hash clash) is not
   * that build id's */
  memset (other, 0x5a, sizeof other);
  other_key.build_id = other;
  other_key.build_id_len = sizeof other;
  other_path = scorch_elf_symbols_get_cache_path (dir, other, sizeof other);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (other_path, contents, len, NULL));
  g_assert_null (scorch_elf_symbols_load_cached (&other_key, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "build id"));
  g_clear_error (&error);

  /* read from another source (a debug file installed since) */
  debug_key.source = "/usr/lib/debug/.build-id/ab/cdef.debug#123";
  g_assert_null (scorch_elf_symbols_load_cached (&debug_key, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* rewritten, it is a hit again */
  g_assert_true (scorch_elf_symbols_save_cached (parsed, &other_key, NULL));
  loaded = scorch_elf_symbols_load_cached (&other_key, &error);
  g_assert_no_error (error);
  scorch_elf_symbols_free (loaded);
}

static void
test_corrupt_and_truncated (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *dir = fresh_dir ("corrupt");
  g_autoptr(ScorchElfSymbols) parsed = scorch_elf_symbols_new (f->mod);
  g_autofree char *path = NULL;
  g_autofree char *good = NULL;
  gsize len = 0;
  /* offsets to damage: the magic, the version, a size, the source, a
   * symbol, a name, the last byte */
  gsize spots[7];
  gsize cuts[] = { 0, 7, 100, 200 };
  ScorchElfSymbolsCacheKey key = fixture_key (f, dir, "src#1");

  g_assert_true (scorch_elf_symbols_save_cached (parsed, &key, NULL));
  path = scorch_elf_symbols_get_cache_path (dir, f->build_id, f->build_id_len);
  g_assert_true (g_file_get_contents (path, &good, &len, NULL));
  g_assert_cmpuint (len, >, 1000);
  spots[0] = 0;
  spots[1] = 8;
  spots[2] = 120;
  spots[3] = len / 2 > 200 ? 140 : 130;
  spots[4] = len / 3;
  spots[5] = len - 10;
  spots[6] = len - 1;

  for (guint i = 0; i < G_N_ELEMENTS (spots); i++)
    {
      g_autofree char *bad = g_memdup2 (good, len);
      g_autoptr(GError) error = NULL;

      bad[spots[i]] ^= 0x41;
      g_assert_true (g_file_set_contents (path, bad, len, NULL));
      g_assert_null (scorch_elf_symbols_load_cached (&key, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }

  /* truncated anywhere, or with bytes after the end */
  for (guint i = 0; i < G_N_ELEMENTS (cuts) + 2; i++)
    {
      gsize keep = i < G_N_ELEMENTS (cuts) ? cuts[i] : i == G_N_ELEMENTS (cuts) ? len - 1 : len / 2;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (path, good, keep, NULL));
      g_assert_null (scorch_elf_symbols_load_cached (&key, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
  {
    g_autofree char *longer = g_malloc0 (len + 8);
    g_autoptr(GError) error = NULL;

    memcpy (longer, good, len);
    g_assert_true (g_file_set_contents (path, longer, len + 8, NULL));
    g_assert_null (scorch_elf_symbols_load_cached (&key, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }

  /* not a regular file: refused, never read */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (scorch_elf_symbols_load_cached (&key, &error));
    g_assert_nonnull (error);
  }
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* the good bytes again are a hit: the damage was what was refused */
  g_assert_true (g_file_set_contents (path, good, len, NULL));
  {
    ScorchElfSymbols *loaded = scorch_elf_symbols_load_cached (&key, NULL);
    g_assert_nonnull (loaded);
    scorch_elf_symbols_free (loaded);
  }
}

typedef struct
{
  ScorchElfSymbolsCacheKey key;
  ScorchElfSymbols *parsed;
  gint              bad;
  gint              hits;
} Race;

static gpointer
race_writer (gpointer data)
{
  Race *r = data;

  for (guint i = 0; i < 40; i++)
    if (!scorch_elf_symbols_save_cached (r->parsed, &r->key, NULL))
      g_atomic_int_inc (&r->bad);
  return NULL;
}

static gpointer
race_reader (gpointer data)
{
  Race *r = data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GError) error = NULL;
      ScorchElfSymbols *loaded = scorch_elf_symbols_load_cached (&r->key, &error);

      /* never half an entry: a miss before the first rename, else whole */
      if (loaded != NULL)
        {
          g_atomic_int_inc (&r->hits);
          if (scorch_elf_symbols_get_size (loaded) != scorch_elf_symbols_get_size (r->parsed))
            g_atomic_int_inc (&r->bad);
          scorch_elf_symbols_free (loaded);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_atomic_int_inc (&r->bad);
    }
  return NULL;
}

static void
test_concurrent_writers (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (tmpdir, "race", NULL);   /* created by the writers */
  g_autoptr(ScorchElfSymbols) parsed = scorch_elf_symbols_new (f->mod);
  Race r = { fixture_key (f, dir, ""), parsed, 0, 0 };
  GThread *threads[4];
  GDir *d;
  const char *name;
  guint n_files = 0;

  threads[0] = g_thread_new ("writer", race_writer, &r);
  threads[1] = g_thread_new ("writer", race_writer, &r);
  threads[2] = g_thread_new ("reader", race_reader, &r);
  threads[3] = g_thread_new ("reader", race_reader, &r);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (r.bad, ==, 0);

  /* the last entry is whole, and no temporary file is left behind */
  race_reader (&r);
  g_assert_cmpint (r.bad, ==, 0);
  g_assert_cmpint (r.hits, >=, 200);
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_assert_true (g_str_has_suffix (name, ".sym"));
      n_files++;
    }
  g_dir_close (d);
  g_assert_cmpuint (n_files, ==, 1);
}

/* The symbolizer writes an entry for a large module on the first load and
 * reads it on the next; a corrupt entry is rewritten and names stay right. */
static void
test_symbolizer (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (tmpdir, "symbolizer", NULL);
  g_autofree char *path = scorch_elf_symbols_get_cache_path (dir, f->build_id, f->build_id_len);
  guint64 addr = (guint64) (gsize) &fixture_set_up;
  ScorchMapping map = { 0 };
  struct stat st;
  char line[512];
  FILE *maps;
  guint64 fixture_off = 0;

  /* this program's mapping of the code holding fixture_set_up */
  g_assert_cmpint (stat (self_exe, &st), ==, 0);
  maps = fopen ("/proc/self/maps", "r");
  g_assert_nonnull (maps);
  while (fgets (line, sizeof line, maps) != NULL)
    {
      guint64 lo, hi, off;
      char perms[8];

      if (sscanf (line, "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %4s %" G_GINT64_MODIFIER "x",
                  &lo, &hi, perms, &off) == 4 && addr >= lo && addr < hi)
        {
          map.start = lo;
          map.end = hi;
          map.pgoff = off;
        }
    }
  fclose (maps);
  g_assert_cmpuint (map.start, !=, 0);
  map.path = self_exe;
  map.build_id = f->build_id;
  map.build_id_len = f->build_id_len;
  map.maj = major (st.st_dev);
  map.min = minor (st.st_dev);
  map.ino = st.st_ino;
  fixture_off = addr;

  for (guint round = 0; round < 3; round++)
    {
      ScorchSymbolizer *sym = scorch_symbolizer_new ();
      ScorchSymbol out[8];
      guint n;

      scorch_symbolizer_set_symbol_cache (sym, dir, 1);
      n = scorch_symbolizer_lookup_user (sym, getpid (), &map, fixture_off + 1, out, G_N_ELEMENTS (out));
      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpstr (out[n - 1].function, ==, "fixture_set_up");
      scorch_symbolizer_free (sym);
      /* written on the first round, read on the next */
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      if (round == 1)
        {
          /* damage it: the third round must not trust it */
          g_autofree char *contents = NULL;
          gsize len = 0;

          g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
          memset (contents + len / 2, 0xff, 64);
          g_assert_true (g_file_set_contents (path, contents, len, NULL));
          /* and drop the stored answers (scorch-symbolizer-answers.h),
           * which would answer without the symbol table */
          {
            g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
            const char *name;

            while (d != NULL && (name = g_dir_read_name (d)) != NULL)
              if (g_str_has_suffix (name, ".ans"))
                {
                  g_autofree char *ans = g_build_filename (dir, name, NULL);

                  g_assert_cmpint (g_unlink (ans), ==, 0);
                }
          }
        }
    }

  /* and the third round rewrote it */
  {
    ScorchElfSymbolsCacheKey key = fixture_key (f, dir, NULL);
    ScorchElfSymbols *loaded;
    g_autoptr(GError) error = NULL;

    /* (its source is "#N", not "" (NULL): a stale key, whole entry) */
    key.bias = 0;
    loaded = scorch_elf_symbols_load_cached (&key, NULL);
    g_assert_null (loaded);
    key.source = "";
    loaded = scorch_elf_symbols_load_cached (&key, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "another file"));
  }

  /* off: no entry is written */
  {
    g_autofree char *off_dir = g_build_filename (tmpdir, "symbolizer-off", NULL);
    ScorchSymbolizer *sym = scorch_symbolizer_new ();
    ScorchSymbol out[8];

    scorch_symbolizer_set_symbol_cache (sym, NULL, 1);
    g_assert_cmpuint (scorch_symbolizer_lookup_user (sym, getpid (), &map, fixture_off + 1, out, 8), >=, 1);
    scorch_symbolizer_free (sym);
    g_assert_false (g_file_test (off_dir, G_FILE_TEST_EXISTS));
  }
}

static void
test_default_dir (void)
{
  g_autofree char *dir = NULL;

  /* tests run with their own XDG_CACHE_HOME (tests/meson.build) */
  g_assert_nonnull (g_getenv ("XDG_CACHE_HOME"));
  g_unsetenv ("SCORCH_SYMBOL_CACHE_DIR");
  g_unsetenv ("SCORCH_SYMBOL_CACHE");
  dir = scorch_elf_symbols_dup_default_cache_dir ();
  g_assert_true (g_str_has_prefix (dir, g_get_user_cache_dir ()));
  g_assert_true (g_str_has_suffix (dir, "/scorch/symbols"));
  g_clear_pointer (&dir, g_free);
  g_setenv ("SCORCH_SYMBOL_CACHE", "0", TRUE);
  g_assert_null (scorch_elf_symbols_dup_default_cache_dir ());
  g_unsetenv ("SCORCH_SYMBOL_CACHE");
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (self_exe);
  tmpdir = g_dir_make_tmp ("scorch-symbol-cache-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/symbol-cache/default-dir", test_default_dir);
  g_test_add ("/libscorch/symbol-cache/miss-then-hit", Fixture, NULL, fixture_set_up, test_miss_then_hit, fixture_tear_down);
  g_test_add ("/libscorch/symbol-cache/stale", Fixture, NULL, fixture_set_up, test_stale, fixture_tear_down);
  g_test_add ("/libscorch/symbol-cache/corrupt-and-truncated", Fixture, NULL, fixture_set_up,
              test_corrupt_and_truncated, fixture_tear_down);
  g_test_add ("/libscorch/symbol-cache/concurrent-writers", Fixture, NULL, fixture_set_up,
              test_concurrent_writers, fixture_tear_down);
  g_test_add ("/libscorch/symbol-cache/symbolizer", Fixture, NULL, fixture_set_up, test_symbolizer,
              fixture_tear_down);

  ret = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmpdir);

    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  g_free (tmpdir);
  g_free (self_exe);
  return ret;
}
