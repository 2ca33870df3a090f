/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The symbolizer's stored answers (scorch-symbolizer-answers.h): an entry
 * round-trips, a damaged, foreign or stale one is refused, and a second
 * symbolizer answers from it without DWARF, with the same chains. */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gelf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "elf-test-util.h"
#include "scorch-symbolizer.h"
#include "scorch-symbolizer-answers.h"


/* g_file_set_contents without its fsync: the damaged-entry loops write
 * hundreds of files, and a sync each made this test take 13–27 s. */
static gboolean
write_quickly (const char *path,
               const char *contents,
               gssize      len,
               GError    **error)
{
  return g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, 0666, error);
}

static char *tmpdir;

static const guint8 id_a[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
static const guint8 id_b[20] = { 9, 9, 9 };

static char *
fresh_dir (const char *name)
{
  char *dir = g_build_filename (tmpdir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

/* A module file to stand for the DWARF's source (any regular file). */
static char *
module_file (const char *name)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (write_quickly (path, "not really ELF", -1, NULL));
  return path;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = fresh_dir ("round-trip");
  g_autofree char *mod = module_file ("mod-rt");
  const ScorchSymbolizerAnswersKey key = { dir, id_a, 20, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug" };
  ScorchSymbolizerAnswers *a = _scorch_symbolizer_answers_new ();
  ScorchSymbol chain[SCORCH_SYMBOLIZER_MAX_CHAIN];
  ScorchSymbol two[2] = {
    { .function = "inner", .file = "a.c", .line = 6, .offset = 0x1234, .kind = SCORCH_FRAME_KIND_INLINED },
    { .function = "outer", .file = "a.c", .line = 14, .offset = 0x1234, .kind = SCORCH_FRAME_KIND_USER },
  };
  ScorchSymbol unnamed = { .function = NULL, .file = NULL, .offset = 0x99, .kind = SCORCH_FRAME_KIND_UNKNOWN };
  g_autoptr(GError) error = NULL;
  guint n;

  /* nothing there yet */
  g_assert_false (_scorch_symbolizer_answers_load (a, &key, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  _scorch_symbolizer_answers_add (a, 0x2000, two, 2);
  _scorch_symbolizer_answers_add (a, 0x1000, &unnamed, 1);
  _scorch_symbolizer_answers_add (a, 0x1000, two, 2); /* a key is added once */
  g_assert_cmpuint (_scorch_symbolizer_answers_get_n_new (a), ==, 2);
  g_assert_true (_scorch_symbolizer_answers_save (a, &key, NULL, &error));
  g_assert_no_error (error);
  _scorch_symbolizer_answers_free (a);

  a = _scorch_symbolizer_answers_new ();
  g_assert_true (_scorch_symbolizer_answers_load (a, &key, &error));
  g_assert_no_error (error);
  n = _scorch_symbolizer_answers_lookup (a, 0x2000, chain);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (chain[0].function, ==, "inner");
  g_assert_cmpstr (chain[0].file, ==, "a.c");
  g_assert_cmpuint (chain[0].line, ==, 6);
  g_assert_cmpint (chain[0].kind, ==, SCORCH_FRAME_KIND_INLINED);
  g_assert_cmpstr (chain[1].function, ==, "outer");
  g_assert_cmpuint (chain[1].line, ==, 14);
  g_assert_cmpuint (chain[1].offset, ==, 0x1234);
  g_assert_null (chain[1].module);
  n = _scorch_symbolizer_answers_lookup (a, 0x1000, chain);
  g_assert_cmpuint (n, ==, 1);
  g_assert_null (chain[0].function);
  g_assert_null (chain[0].file);
  g_assert_cmpuint (chain[0].offset, ==, 0x99);
  g_assert_cmpuint (_scorch_symbolizer_answers_lookup (a, 0x1001, chain), ==, 0);
  g_assert_cmpuint (_scorch_symbolizer_answers_get_n_hits (a), ==, 2);

  /* a new answer is merged with the loaded ones */
  _scorch_symbolizer_answers_add (a, 0x1800, two + 1, 1);
  g_assert_true (_scorch_symbolizer_answers_save (a, &key, NULL, &error));
  _scorch_symbolizer_answers_free (a);
  a = _scorch_symbolizer_answers_new ();
  g_assert_true (_scorch_symbolizer_answers_load (a, &key, NULL));
  g_assert_cmpuint (_scorch_symbolizer_answers_lookup (a, 0x1000, chain), ==, 1);
  g_assert_cmpuint (_scorch_symbolizer_answers_lookup (a, 0x1800, chain), ==, 1);
  g_assert_cmpstr (chain[0].function, ==, "outer");
  g_assert_cmpuint (_scorch_symbolizer_answers_lookup (a, 0x2000, chain), ==, 2);
  _scorch_symbolizer_answers_free (a);
}

/* Loads the entry with these keys: FALSE with G_IO_ERROR_INVALID_DATA. */
static void
assert_refused (const char   *dir,
                const guint8 *id,
                guint         line_mode,
                const char   *mod,
                const char   *search)
{
  const ScorchSymbolizerAnswersKey key = { dir, id, 20, line_mode, mod, search };
  ScorchSymbolizerAnswers *a = _scorch_symbolizer_answers_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (_scorch_symbolizer_answers_load (a, &key, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("refused: %s", error->message);
  _scorch_symbolizer_answers_free (a);
}

static void
test_hostile (void)
{
  g_autofree char *dir = fresh_dir ("hostile");
  g_autofree char *mod = module_file ("mod-h");
  g_autofree char *other = module_file ("mod-h-copy");
  const ScorchSymbolizerAnswersKey key = { dir, id_a, 20, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug" };
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *damaged = NULL;
  ScorchSymbolizerAnswers *a = _scorch_symbolizer_answers_new ();
  ScorchSymbol one = { .function = "f", .file = "f.c", .line = 1, .kind = SCORCH_FRAME_KIND_USER };
  gsize len = 0;

  for (guint64 k = 0; k < 100; k++)
    _scorch_symbolizer_answers_add (a, k * 16, &one, 1);
  g_assert_true (_scorch_symbolizer_answers_save (a, &key, NULL, NULL));
  _scorch_symbolizer_answers_free (a);
  path = _scorch_symbolizer_answers_get_path (dir, id_a, 20, SCORCH_SYMBOLIZER_LINES_FUNCTION);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));

  /* foreign or stale: another search path, another copy of the module
   * (same build id, perhaps stripped) */
  assert_refused (dir, id_a, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug:/elsewhere");
  assert_refused (dir, id_a, SCORCH_SYMBOLIZER_LINES_FUNCTION, other, ":.debug");

  /* an entry copied to another build id's or line mode's name */
  {
    g_autofree char *p = _scorch_symbolizer_answers_get_path (dir, id_b, 20, SCORCH_SYMBOLIZER_LINES_FUNCTION);
    g_autofree char *q = _scorch_symbolizer_answers_get_path (dir, id_a, 20, SCORCH_SYMBOLIZER_LINES_ADDRESS);

    g_assert_true (write_quickly (p, contents, len, NULL));
    g_assert_true (write_quickly (q, contents, len, NULL));
    assert_refused (dir, id_b, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug");
    assert_refused (dir, id_a, SCORCH_SYMBOLIZER_LINES_ADDRESS, mod, ":.debug");
  }

  /* truncated anywhere, a byte flipped anywhere, padded */
  damaged = g_memdup2 (contents, len + 1);
  for (gsize cut = 0; cut < len; cut += 7)
    {
      g_assert_true (write_quickly (path, contents, cut, NULL));
      assert_refused (dir, id_a, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug");
    }
  for (gsize at = 0; at < len; at += 5)
    {
      memcpy (damaged, contents, len);
      damaged[at] ^= 0x5a;
      g_assert_true (write_quickly (path, damaged, len, NULL));
      assert_refused (dir, id_a, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug");
    }
  memcpy (damaged, contents, len);
  damaged[len] = 0;
  g_assert_true (write_quickly (path, damaged, len + 1, NULL));
  assert_refused (dir, id_a, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug");

  /* the module file changed (size, mtime): stale */
  g_assert_true (write_quickly (path, contents, len, NULL));
  g_assert_true (write_quickly (mod, "rewritten, another size", -1, NULL));
  assert_refused (dir, id_a, SCORCH_SYMBOLIZER_LINES_FUNCTION, mod, ":.debug");

  /* a FIFO in its place is not opened as an entry */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  {
    ScorchSymbolizerAnswers *b = _scorch_symbolizer_answers_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (_scorch_symbolizer_answers_load (b, &key, &error));
    g_assert_nonnull (error);
    _scorch_symbolizer_answers_free (b);
  }
}

/* ---- through the symbolizer, with a real program ------------------------ */

static const char inline_src[] =
  "volatile int sink;\n"
  "__attribute__((noinline)) int work (int x) { sink = x; return sink; }\n"
  "static inline __attribute__((always_inline)) int inner (int x) { return work (x * 3) + 7; }\n"
  "static inline __attribute__((always_inline)) int middle (int x) { return inner (x + 1) * 5; }\n"
  "__attribute__((noinline)) int outer (int x) { return middle (x) - 2; }\n"
  "int main (int argc, char **argv) { return outer (argc); }\n";

/* The mapping of the executable segment of path (at a made-up address)
 * and the runtime address of its symbol "outer". */
static guint64
map_outer (const char    *path,
           ScorchMapping *map)
{
  return test_elf_map_vaddr (path, test_elf_symbol (path, "outer", NULL), map);
}

#define N_ADDRS 48

typedef struct
{
  guint        n;
  ScorchSymbol frames[8];
} Answer;

static guint
lookup_all (ScorchSymbolizer    *sym,
            const ScorchMapping *map,
            guint64              ip,
            Answer              *out)
{
  guint longest = 0;

  for (guint i = 0; i < N_ADDRS; i++)
    {
      out[i].n = scorch_symbolizer_lookup_user (sym, 1, map, ip + i, out[i].frames, 8);
      longest = MAX (longest, out[i].n);
    }
  return longest;
}

static void
assert_same (const Answer *a,
             const Answer *b)
{
  for (guint i = 0; i < N_ADDRS; i++)
    {
      g_assert_cmpuint (a[i].n, ==, b[i].n);
      for (guint j = 0; j < a[i].n; j++)
        {
          g_assert_cmpstr (a[i].frames[j].function, ==, b[i].frames[j].function);
          g_assert_cmpstr (a[i].frames[j].module, ==, b[i].frames[j].module);
          g_assert_cmpstr (a[i].frames[j].file, ==, b[i].frames[j].file);
          g_assert_cmpuint (a[i].frames[j].line, ==, b[i].frames[j].line);
          g_assert_cmpuint (a[i].frames[j].offset, ==, b[i].frames[j].offset);
          g_assert_cmpint (a[i].frames[j].kind, ==, b[i].frames[j].kind);
        }
    }
}

static void
test_symbolizer (void)
{
  g_autofree char *dir = fresh_dir ("symbolizer");
  g_autofree char *bin = NULL;
  g_autofree char *cmd = NULL;
  Answer cold[N_ADDRS], warm[N_ADDRS], stripped[N_ADDRS];
  ScorchSymbolizer *sym;
  ScorchMapping map;
  guint64 ip;

  bin = test_elf_build_program (tmpdir, "inl.c", inline_src, "inl", "-Wl,--build-id");
  ip = map_outer (bin, &map);

  for (guint mode = SCORCH_SYMBOLIZER_LINES_ADDRESS; mode <= SCORCH_SYMBOLIZER_LINES_FUNCTION; mode++)
    {
      ScorchSymbolizer *cold_sym = scorch_symbolizer_new ();

      /* cold: made from DWARF (an inline chain of three somewhere), saved
       * (kept alive: the chains' strings are its own) */
      scorch_symbolizer_set_symbol_cache (cold_sym, dir, 1);
      scorch_symbolizer_set_line_mode (cold_sym, mode);
      g_assert_cmpuint (lookup_all (cold_sym, &map, ip, cold), ==, 3);
      g_assert_cmpuint (scorch_symbolizer_get_n_cached_answers (cold_sym), ==, 0);
      scorch_symbolizer_save_cache (cold_sym);

      /* warm: every answer from the entry, the same chains */
      sym = scorch_symbolizer_new ();
      scorch_symbolizer_set_symbol_cache (sym, dir, 1);
      scorch_symbolizer_set_line_mode (sym, mode);
      lookup_all (sym, &map, ip, warm);
      /* (the addresses past the mapping's end are not the module's) */
      g_assert_cmpuint (scorch_symbolizer_get_n_cached_answers (sym), ==, MIN (N_ADDRS, map.end - ip));
      assert_same (cold, warm);
      scorch_symbolizer_free (sym);
      scorch_symbolizer_free (cold_sym);
    }

  /* the same program (same build id) without its DWARF: the entry is
   * not this file's, so no inline frames come back from it */
  cmd = (g_free (cmd), g_strdup_printf ("strip --strip-debug %s", bin));
  test_elf_run_command (cmd);
  ip = map_outer (bin, &map);
  sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_symbol_cache (sym, dir, 1);
  g_assert_cmpuint (lookup_all (sym, &map, ip, stripped), ==, 1);
  g_assert_cmpuint (scorch_symbolizer_get_n_cached_answers (sym), ==, 0);
  scorch_symbolizer_free (sym);

  /* the cache off: nothing read */
  sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_symbol_cache (sym, NULL, 1);
  lookup_all (sym, &map, ip, stripped);
  g_assert_cmpuint (scorch_symbolizer_get_n_cached_answers (sym), ==, 0);
  scorch_symbolizer_free (sym);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-answers-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/symbolizer-answers/round-trip", test_round_trip);
  g_test_add_func ("/libscorch/symbolizer-answers/hostile", test_hostile);
  g_test_add_func ("/libscorch/symbolizer-answers/symbolizer", test_symbolizer);
  ret = g_test_run ();

  if (g_getenv ("SCORCH_TEST_KEEP") == NULL)
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmpdir);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  g_free (tmpdir);
  return ret;
}
