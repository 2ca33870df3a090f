/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the module cache (scorch-module.c): one module per file, a
 * replaced or deleted file, separate debug files, stripped files, files
 * without a build id, hostile files, and lookups from several threads. */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gelf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "scorch-cfi.h"
#include "scorch-debug-files.h"
#include "scorch-elf-symbols.h"
#include "scorch-module.h"
#include "scorch-symbolizer.h"
#include "scorch-unwind-maps.h"
#include "scorch-util.h"

static char *tmpdir;

static const char prog_src[] =
  "volatile int sink;\n"
  "static __attribute__((noinline)) int hidden_static (int x) { sink = x; return sink; }\n"
  "int main (int argc, char **argv) { return hidden_static (argc) + VARIANT; }\n";

static void
run (const char *cmd)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_test_message ("$ %s", cmd);
  if (!g_spawn_command_line_sync (cmd, &out, &err, &status, &error))
    g_error ("%s: %s", cmd, error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", cmd, out, err);
}

/* tmpdir/name built from prog_src; returns its path. */
static char *
build (const char *name,
       const char *flags,
       int         variant)
{
  g_autofree char *src = g_build_filename (tmpdir, "prog.c", NULL);
  g_autofree char *cmd = NULL;
  char *bin = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (src, prog_src, -1, NULL));
  cmd = g_strdup_printf ("cc -g -O1 %s -DVARIANT=%d -o %s %s", flags, variant, bin, src);
  run (cmd);
  return bin;
}

/* Whether the ELF file at path has a section of type sh_type. */
static gboolean
has_section (ScorchModule *m,
             guint         sh_type)
{
  Elf *elf = scorch_module_begin_elf (m);
  Elf_Scn *scn = NULL;
  gboolean found = FALSE;

  g_assert_nonnull (elf);
  while (!found && (scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;

      found = gelf_getshdr (scn, &shdr) != NULL && shdr.sh_type == sh_type;
    }
  elf_end (elf);
  return found;
}

/* The value of NAME in the symbol table of M, or 0 */
static guint64
symtab_value (ScorchModule *m,
              const char   *name)
{
  Elf *elf = scorch_module_begin_elf (m);
  Elf_Scn *scn = NULL;
  guint64 value = 0;

  g_assert_nonnull (elf);
  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      if (gelf_getshdr (scn, &shdr) == NULL || shdr.sh_type != SHT_SYMTAB)
        continue;
      data = elf_getdata (scn, NULL);
      for (gsize i = 0; i < shdr.sh_size / shdr.sh_entsize; i++)
        {
          GElf_Sym sym;

          if (gelf_getsym (data, (int) i, &sym) != NULL &&
              g_strcmp0 (elf_strptr (elf, shdr.sh_link, sym.st_name), name) == 0)
            value = sym.st_value;
        }
    }
  elf_end (elf);
  return value;
}

static void
test_key (void)
{
  static const guint8 id1[20] = { 1, 2, 3 };
  static const guint8 id2[20] = { 1, 2, 4 };
  ScorchModuleKey a, b;

  /* a build id is the identity, whatever the path */
  scorch_module_key_init (&a, "/usr/lib/libx.so", id1, 20, 8, 1, 100);
  scorch_module_key_init (&b, "/lib/libx.so", id1, 20, 8, 2, 200);
  g_assert_true (scorch_module_key_equal (&a, &b));
  g_assert_cmpuint (scorch_module_key_hash (&a), ==, scorch_module_key_hash (&b));
  scorch_module_key_init (&b, "/usr/lib/libx.so", id2, 20, 8, 1, 100);
  g_assert_false (scorch_module_key_equal (&a, &b));

  /* without one: path, device and inode */
  scorch_module_key_init (&a, "/bin/x", NULL, 0, 8, 1, 100);
  scorch_module_key_init (&b, "/bin/x", NULL, 0, 8, 1, 100);
  g_assert_true (scorch_module_key_equal (&a, &b));
  g_assert_cmpuint (scorch_module_key_hash (&a), ==, scorch_module_key_hash (&b));
  scorch_module_key_init (&b, "/bin/x", NULL, 0, 8, 1, 101);
  g_assert_false (scorch_module_key_equal (&a, &b));
  scorch_module_key_init (&b, "/bin/y", NULL, 0, 8, 1, 100);
  g_assert_false (scorch_module_key_equal (&a, &b));
  /* one with and one without a build id are different modules */
  scorch_module_key_init (&b, "/bin/x", id1, 20, 8, 1, 100);
  g_assert_false (scorch_module_key_equal (&a, &b));
  /* NULL path and an oversized build id are taken safely */
  scorch_module_key_init (&a, NULL, id1, SCORCH_MODULE_MAX_BUILD_ID + 1, 0, 0, 0);
  g_assert_cmpstr (a.path, ==, "");
  g_assert_cmpuint (a.build_id_len, ==, 0);

  /* perf pads to 20 bytes with zeros */
  g_assert_true (scorch_module_build_ids_match (id1, 20, id1, 3));
  g_assert_false (scorch_module_build_ids_match (id2, 20, id1, 3));
  g_assert_false (scorch_module_build_ids_match (id1, 2, id1, 3));
  g_assert_false (scorch_module_build_ids_match (id1, 20, NULL, 0));
}

static void
test_same_file_once (void)
{
  g_autofree char *bin = build ("same", "-Wl,--build-id", 1);
  g_autofree char *link = g_build_filename (tmpdir, "same-link", NULL);
  ScorchModuleCache *cache = scorch_module_cache_new ();
  g_autoptr(GError) error = NULL;
  ScorchModule *a, *b, *c;
  const guint8 *data;
  gsize size = 0;
  guint len = 0;
  guint64 vaddr = 0;
  struct stat st;
  guint64 dev = 0, ino = 0;

  a = scorch_module_cache_open (cache, bin, &error);
  g_assert_no_error (error);
  b = scorch_module_cache_open (cache, bin, &error);
  g_assert_no_error (error);
  g_assert_true (a == b);
  /* another name of the same file (as /lib and /usr/lib) is the same module */
  g_assert_cmpint (symlink (bin, link), ==, 0);
  c = scorch_module_cache_open (cache, link, &error);
  g_assert_no_error (error);
  g_assert_true (a == c);
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 1);

  g_assert_cmpint (stat (bin, &st), ==, 0);
  data = scorch_module_get_data (a, &size);
  g_assert_cmpuint (size, ==, st.st_size);
  g_assert_cmpmem (data, 4, "\177ELF", 4);
  scorch_module_get_file_id (a, &dev, &ino);
  g_assert_cmpuint (dev, ==, st.st_dev);
  g_assert_cmpuint (ino, ==, st.st_ino);
  g_assert_nonnull (scorch_module_get_build_id (a, &len));
  g_assert_cmpuint (len, ==, 20);
  g_assert_cmpuint (scorch_module_get_elf_class (a), ==, ELFCLASS64);
  g_assert_cmpuint (scorch_module_get_entry (a), !=, 0);

  /* the entry point is in the file's first executable segment */
  {
    guint n = 0;
    const ScorchModuleSegment *segs = scorch_module_get_segments (a, &n);
    gboolean found = FALSE;

    g_assert_cmpuint (n, >=, 2);
    for (guint i = 0; i < n; i++)
      if ((segs[i].flags & PF_X) != 0)
        {
          g_assert_true (scorch_module_offset_to_vaddr (a, segs[i].offset, &vaddr));
          g_assert_cmpuint (vaddr, ==, segs[i].vaddr);
          found = TRUE;
        }
    g_assert_true (found);
    g_assert_false (scorch_module_offset_to_vaddr (a, G_MAXUINT64 - 1, &vaddr));
  }

  scorch_module_unref (c);
  scorch_module_unref (b);
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 1);
  scorch_module_unref (a);
  /* held by no one: gone from the cache */
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 0);
  scorch_module_cache_free (cache);
}

static void
test_replaced_and_deleted (void)
{
  g_autofree char *bin = build ("replaced", "-Wl,--build-id", 1);
  g_autofree char *other = build ("replaced-new", "-Wl,--build-id", 2);
  ScorchModuleCache *cache = scorch_module_cache_new ();
  g_autoptr(GError) error = NULL;
  guint8 old_id[SCORCH_MODULE_MAX_BUILD_ID];
  ScorchModule *a, *b, *c;
  const guint8 *id;
  guint len = 0, len2 = 0;

  a = scorch_module_cache_open (cache, bin, &error);
  g_assert_no_error (error);
  id = scorch_module_get_build_id (a, &len);
  g_assert_cmpuint (len, >, 0);
  memcpy (old_id, id, len);

  /* replaced (a new inode at the same path): a new module; the old one
   * keeps the old file's bytes */
  g_assert_cmpint (g_rename (other, bin), ==, 0);
  b = scorch_module_cache_open (cache, bin, &error);
  g_assert_no_error (error);
  g_assert_true (a != b);
  id = scorch_module_get_build_id (b, &len2);
  g_assert_cmpuint (len2, ==, len);
  g_assert_cmpmem (scorch_module_get_build_id (a, &len), len, old_id, len);
  g_assert_false (memcmp (id, old_id, len) == 0);
  g_assert_false (scorch_module_matches_build_id (b, old_id, len));
  g_assert_true (scorch_module_matches_build_id (a, old_id, len));
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 2);
  /* a descriptor for libdwfl is the module's file or nothing */
  {
    int fd = scorch_module_dup_fd (b);

    g_assert_cmpint (fd, >=, 0);
    close (fd);
    g_assert_cmpint (scorch_module_dup_fd (a), ==, -1);
  }

  /* deleted: not found; the modules held stay readable */
  g_assert_cmpint (g_unlink (bin), ==, 0);
  c = scorch_module_cache_open (cache, bin, &error);
  g_assert_null (c);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpmem (scorch_module_get_build_id (a, &len), len, old_id, len);
  g_assert_true (has_section (b, SHT_SYMTAB));
  g_assert_cmpint (scorch_module_dup_fd (b), ==, -1);

  scorch_module_unref (a);
  scorch_module_unref (b);
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 0);
  scorch_module_cache_free (cache);
}

/* A stripped program, its debug file under debugdir/.build-id, and a
 * mapping of its code as a process would have it */
typedef struct
{
  char         *bin;
  char         *debugdir;
  char         *debugfile;       /* debugdir/.build-id/xx/yyyy.debug */
  ScorchModule *module;          /* through the default cache */
  ScorchMapping map;
  guint64       addr;            /* a runtime address inside hidden_static */
  guint64       vaddr;           /* its link-time address */
} Stripped;

static void
stripped_set_up (Stripped   *s,
                 const char *name)
{
  g_autofree char *hex = NULL;
  g_autofree char *iddir = NULL;
  g_autofree char *cmd = NULL;
  const ScorchModuleSegment *segs;
  const guint8 *id;
  guint n_segs = 0, len = 0;
  struct stat st;

  memset (s, 0, sizeof *s);
  s->bin = build (name, "-Wl,--build-id", 7);
  s->debugdir = g_strdup_printf ("%s/%s-debug", tmpdir, name);
  s->module = scorch_module_cache_open (scorch_module_cache_get_default (), s->bin, NULL);
  g_assert_nonnull (s->module);
  id = scorch_module_get_build_id (s->module, &len);
  g_assert_nonnull (id);
  hex = scorch_module_build_id_to_hex (id, len);
  g_assert_cmpuint (strlen (hex), ==, 2 * len);
  /* the address of hidden_static, from the unstripped file */
  s->vaddr = symtab_value (s->module, "hidden_static");
  g_assert_cmpuint (s->vaddr, !=, 0);
  scorch_module_unref (s->module);

  iddir = g_build_filename (s->debugdir, ".build-id", (char[]) { hex[0], hex[1], 0 }, NULL);
  g_assert_cmpint (g_mkdir_with_parents (iddir, 0755), ==, 0);
  s->debugfile = g_strdup_printf ("%s/%s.debug", iddir, hex + 2);
  cmd = g_strdup_printf ("objcopy --only-keep-debug %s %s", s->bin, s->debugfile);
  run (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("strip --strip-all %s", s->bin);
  run (cmd);

  s->module = scorch_module_cache_open (scorch_module_cache_get_default (), s->bin, NULL);
  g_assert_nonnull (s->module);
  g_assert_cmpint (stat (s->bin, &st), ==, 0);
  segs = scorch_module_get_segments (s->module, &n_segs);
  for (guint i = 0; i < n_segs; i++)
    if ((segs[i].flags & PF_X) != 0 && s->vaddr >= segs[i].vaddr && s->vaddr < segs[i].vaddr + segs[i].filesz)
      {
        s->map.start = 0x7f0000000000 + (segs[i].vaddr & ~0xfffull);
        s->map.end = 0x7f0000000000 + segs[i].vaddr + segs[i].memsz;
        s->map.pgoff = segs[i].offset & ~0xfffull;
      }
  g_assert_cmpuint (s->map.start, !=, 0);
  s->map.path = s->bin;
  s->map.build_id = scorch_module_get_build_id (s->module, &s->map.build_id_len);
  s->map.maj = major (st.st_dev);
  s->map.min = minor (st.st_dev);
  s->map.ino = st.st_ino;
  s->addr = 0x7f0000000000 + s->vaddr + 1;
}

static void
stripped_tear_down (Stripped *s)
{
  scorch_module_unref (s->module);
  g_free (s->bin);
  g_free (s->debugdir);
  g_free (s->debugfile);
}

static ScorchSymbolizer *
stripped_symbolizer (Stripped *s)
{
  ScorchSymbolizer *sym = scorch_symbolizer_new ();
  const char *dirs[] = { s->debugdir, NULL };

  scorch_symbolizer_set_debug_dirs (sym, dirs);
  scorch_symbolizer_set_symbol_cache (sym, NULL, 0);
  return sym;
}

static void
assert_hidden_static (ScorchSymbolizer *sym,
                      Stripped         *s)
{
  ScorchSymbol out[8];
  guint n = scorch_symbolizer_lookup_user (sym, 1, &s->map, s->addr, out, G_N_ELEMENTS (out));

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpstr (out[n - 1].function, ==, "hidden_static");
}

/* A stripped file with its debug file in a build-id tree: the module is
 * the stripped file (one module, its build id), the symbolizer finds the
 * names in the debug file. */
static void
test_separate_debug_file (void)
{
  g_autoptr(GError) error = NULL;
  ScorchModuleCache *cache = scorch_module_cache_get_default ();
  ScorchModule *dm;
  const guint8 *id;
  guint len = 0, dlen = 0;
  const char *dirs[] = { NULL, NULL };
  ScorchSymbolizer *sym;
  Stripped s;

  /* count only what is held (the default cache keeps recent ones too) */
  scorch_module_cache_set_keep (cache, 0);
  stripped_set_up (&s, "separate");

  g_assert_false (has_section (s.module, SHT_SYMTAB));
  id = scorch_module_get_build_id (s.module, &len);
  g_assert_true (scorch_module_matches_build_id (s.module, id, len));
  dm = scorch_module_cache_open (cache, s.debugfile, &error);
  g_assert_no_error (error);
  g_assert_true (dm != s.module);
  g_assert_cmpmem (scorch_module_get_build_id (dm, &dlen), dlen, id, len);

  /* the symbolizer through the cache: the same module, names from the debug file */
  sym = scorch_symbolizer_new ();
  dirs[0] = s.debugdir;
  scorch_symbolizer_set_debug_dirs (sym, dirs);
  assert_hidden_static (sym, &s);
  /* the symbolizer took the cached module: still only these two */
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 2);
  scorch_symbolizer_free (sym);

  scorch_module_unref (dm);
  stripped_tear_down (&s);
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 0);
  scorch_module_cache_set_keep (cache, 64);
}

/* A cache that keeps recent modules: a file asked for again after its
 * users dropped it is not mapped again, until newer ones push it out. */
static void
test_keep_recent (void)
{
  g_autofree char *a_path = build ("keep-a", "-Wl,--build-id", 1);
  g_autofree char *b_path = build ("keep-b", "-Wl,--build-id", 2);
  g_autofree char *c_path = build ("keep-c", "-Wl,--build-id", 3);
  ScorchModuleCache *cache = scorch_module_cache_new ();
  ScorchModule *a, *a2, *b, *c;
  const guint8 *data;
  gsize size = 0;

  scorch_module_cache_set_keep (cache, 2);
  a = scorch_module_cache_open (cache, a_path, NULL);
  data = scorch_module_get_data (a, &size);
  scorch_module_unref (a);
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 1);
  a2 = scorch_module_cache_open (cache, a_path, NULL);
  g_assert_true (a2 == a);
  g_assert_true (scorch_module_get_data (a2, &size) == data);
  scorch_module_unref (a2);

  b = scorch_module_cache_open (cache, b_path, NULL);
  c = scorch_module_cache_open (cache, c_path, NULL);
  /* a, the least recent, is pushed out; b and c are held */
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 2);
  scorch_module_unref (b);
  scorch_module_unref (c);
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 2);
  scorch_module_cache_set_keep (cache, 0);
  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 0);
  scorch_module_cache_free (cache);
}

/* The function index behind the frame-pointer check */
static void
test_functions (void)
{
  g_autofree char *bin = build ("functions", "-Wl,--build-id", 1);
  g_autofree char *stripped = build ("functions-stripped", "-Wl,--build-id -s", 1);
  ScorchModuleCache *cache = scorch_module_cache_new ();
  ScorchModule *m = scorch_module_cache_open (cache, bin, NULL);
  ScorchModule *s = scorch_module_cache_open (cache, stripped, NULL);
  const ScorchModuleFunction *f, *g;
  guint64 entry = scorch_module_get_entry (m);

  g_assert_true (scorch_module_has_cfi (m));
  /* _start is a function at the entry point, in the file */
  f = scorch_module_find_function (m, entry);
  g_assert_nonnull (f);
  g_assert_cmpuint (f->start, <=, entry);
  g_assert_cmpuint (entry - f->start, <, f->size);
  g_assert_cmpuint (f->avail, >, 0);
  g_assert_true (scorch_module_find_function (m, f->start + f->size - 1) == f);
  g = scorch_module_find_function (m, f->start + f->size);
  g_assert_true (g != f);
  g_assert_null (scorch_module_find_function (m, 0));
  g_assert_null (scorch_module_find_function (m, G_MAXUINT64));
  /* stripped: only .dynsym, which holds no local function */
  g_assert_null (scorch_module_find_function (s, entry));
  scorch_module_unref (s);
  scorch_module_unref (m);
  scorch_module_cache_free (cache);
}

static void
test_no_build_id (void)
{
  g_autofree char *bin = build ("no-build-id", "-Wl,--build-id=none", 1);
  ScorchModuleCache *cache = scorch_module_cache_new ();
  g_autoptr(GError) error = NULL;
  static const guint8 some_id[20] = { 0xab, 0xcd };
  guint8 buf[SCORCH_MODULE_MAX_BUILD_ID];
  ScorchModule *m;
  guint len = 99;

  m = scorch_module_cache_open (cache, bin, &error);
  g_assert_no_error (error);
  g_assert_null (scorch_module_get_build_id (m, &len));
  g_assert_cmpuint (len, ==, 0);
  /* a capture's recorded id never matches a file without one */
  g_assert_false (scorch_module_matches_build_id (m, some_id, sizeof some_id));
  g_assert_cmpuint (scorch_module_read_build_id (bin, buf, sizeof buf), ==, 0);
  g_assert_true (has_section (m, SHT_SYMTAB));
  scorch_module_unref (m);
  scorch_module_cache_free (cache);
}

static void
test_stripped (void)
{
  g_autofree char *bin = build ("stripped", "-Wl,--build-id -s", 1);
  ScorchModuleCache *cache = scorch_module_cache_new ();
  g_autoptr(GError) error = NULL;
  guint8 buf[SCORCH_MODULE_MAX_BUILD_ID];
  ScorchModule *m;
  guint len = 0;

  m = scorch_module_cache_open (cache, bin, &error);
  g_assert_no_error (error);
  g_assert_false (has_section (m, SHT_SYMTAB));
  g_assert_true (has_section (m, SHT_DYNSYM));
  g_assert_nonnull (scorch_module_get_build_id (m, &len));
  g_assert_cmpuint (len, ==, 20);
  g_assert_cmpuint (scorch_module_read_build_id (bin, buf, sizeof buf), ==, 20);
  g_assert_cmpmem (buf, 20, scorch_module_get_build_id (m, &len), 20);
  /* a smaller buffer gets nothing rather than a cut id */
  g_assert_cmpuint (scorch_module_read_build_id (bin, buf, 4), ==, 0);
  scorch_module_unref (m);
  scorch_module_cache_free (cache);
}

static void
test_hostile (void)
{
  ScorchModuleCache *cache = scorch_module_cache_new ();
  g_autofree char *text = g_build_filename (tmpdir, "text", NULL);
  g_autofree char *fifo = g_build_filename (tmpdir, "fifo", NULL);
  g_autofree char *elfhdr = g_build_filename (tmpdir, "truncated-elf", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "missing", NULL);
  guint8 hdr[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
  GError *error = NULL;

  g_assert_true (g_file_set_contents (text, "#!/bin/sh\necho hello\n", -1, NULL));
  g_assert_null (scorch_module_cache_open (cache, text, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* a FIFO is refused without blocking */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_null (scorch_module_cache_open (cache, fifo, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);

  g_assert_null (scorch_module_cache_open (cache, tmpdir, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_clear_error (&error);

  g_assert_null (scorch_module_cache_open (cache, missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* an ELF header with program headers beyond the file */
  hdr[32] = 0xff; /* e_phoff */
  hdr[54] = 56;   /* e_phentsize */
  hdr[56] = 200;  /* e_phnum */
  g_assert_true (g_file_set_contents (elfhdr, (const char *) hdr, sizeof hdr, NULL));
  g_assert_null (scorch_module_cache_open (cache, elfhdr, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_cmpuint (scorch_module_cache_get_size (cache), ==, 0);
  scorch_module_cache_free (cache);
}

typedef struct
{
  ScorchModuleCache *cache;
  const char        *path;
  ScorchModule      *first;
  gint               differ;
} ThreadJob;

static gpointer
open_many (gpointer data)
{
  ThreadJob *job = data;

  for (guint i = 0; i < 300; i++)
    {
      ScorchModule *m = scorch_module_cache_open (job->cache, job->path, NULL);

      g_assert_nonnull (m);
      /* while the test holds first, every open answers with it */
      if (m != job->first)
        g_atomic_int_inc (&job->differ);
      scorch_module_unref (m);
    }
  return NULL;
}

static gpointer
open_release (gpointer data)
{
  ThreadJob *job = data;

  for (guint i = 0; i < 300; i++)
    {
      ScorchModule *m = scorch_module_cache_open (job->cache, job->path, NULL);
      ScorchModule *m2 = scorch_module_cache_open (job->cache, job->path, NULL);

      g_assert_nonnull (m);
      if (m != m2)
        g_atomic_int_inc (&job->differ);
      scorch_module_unref (m2);
      scorch_module_unref (m);
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autofree char *bin = build ("threads", "-Wl,--build-id", 1);
  ThreadJob job = { scorch_module_cache_new (), bin, NULL, 0 };
  GThread *threads[4];

  /* held: one module for everyone */
  job.first = scorch_module_cache_open (job.cache, bin, NULL);
  g_assert_nonnull (job.first);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("open", open_many, &job);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (job.differ, ==, 0);
  scorch_module_unref (job.first);
  g_assert_cmpuint (scorch_module_cache_get_size (job.cache), ==, 0);

  /* not held: modules come and go while threads race to open and drop
   * them; a thread's two opens always meet the same module */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("open-release", open_release, &job);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (job.differ, ==, 0);
  g_assert_cmpuint (scorch_module_cache_get_size (job.cache), ==, 0);
  scorch_module_cache_free (job.cache);
}

static void
test_vdso (void)
{
  ScorchModuleCache *cache = scorch_module_cache_new ();
  g_autoptr(GError) error = NULL;
  ScorchModule *a, *b;
  gsize size = 0;
  int fd;
  struct stat st;

  a = scorch_module_cache_open (cache, "[vdso]", &error);
  if (a == NULL)
    {
      g_test_skip ("no vDSO in this process");
      scorch_module_cache_free (cache);
      return;
    }
  b = scorch_module_cache_open (cache, "[vdso]", &error);
  g_assert_true (a == b);
  g_assert_nonnull (scorch_module_get_data (a, &size));
  g_assert_cmpuint (size, >, 0);
  /* a descriptor for libdwfl: a memfd with the image */
  fd = scorch_module_dup_fd (a);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_cmpuint (st.st_size, ==, size);
  close (fd);
  scorch_module_unref (b);
  scorch_module_unref (a);
  scorch_module_cache_free (cache);
}


/* ---- shared derived data (issue 13) -------------------------------------- */

/* n threads meet: each waits until all arrived (GLib has no barrier) */
typedef struct
{
  GMutex lock;
  GCond  cond;
  guint  n, arrived;
} Barrier;

static Barrier *
barrier_new (guint n)
{
  Barrier *b = g_new0 (Barrier, 1);

  g_mutex_init (&b->lock);
  g_cond_init (&b->cond);
  b->n = n;
  return b;
}

static void
barrier_wait (Barrier *b)
{
  scorch_mutex_lock (&b->lock);
  if (++b->arrived >= b->n)
    g_cond_broadcast (&b->cond);
  while (b->arrived < b->n)
    {
      /* (the wait unlocks and locks again, unseen by ThreadSanitizer) */
      scorch_tsan_release (&b->lock);
      g_cond_wait (&b->cond, &b->lock);
      scorch_tsan_acquire (&b->lock);
    }
  scorch_mutex_unlock (&b->lock);
}

static void
barrier_free (Barrier *b)
{
  g_mutex_clear (&b->lock);
  g_cond_clear (&b->cond);
  g_free (b);
}

typedef struct
{
  ScorchModule *module;
  gint          builds;
  gint          frees;
  Barrier     *start;
  gpointer      got[8];
} SharedRace;

static gpointer
count_build (ScorchModule *module,
             gpointer      user_data)
{
  SharedRace *r = user_data;

  g_assert_true (module == r->module);
  g_atomic_int_inc (&r->builds);
  /* long enough for the other threads to arrive and wait */
  g_usleep (20000);
  return g_strdup ("value");
}

static SharedRace *race_for_free;

static void
count_free (gpointer p)
{
  g_atomic_int_inc (&race_for_free->frees);
  g_free (p);
}

typedef struct
{
  SharedRace *race;
  guint       index;
} RaceArg;

static gpointer
shared_thread (gpointer data)
{
  RaceArg *a = data;

  barrier_wait (a->race->start);
  a->race->got[a->index] = scorch_module_acquire_shared (a->race->module, "test", count_build, a->race,
                                                         count_free);
  return NULL;
}

/* A value is built once however many threads ask first at once, kept
 * while someone holds it, and freed by the last release. */
static void
test_shared_once (void)
{
  g_autofree char *bin = build ("shared", "-Wl,--build-id", 1);
  ScorchModuleCache *cache = scorch_module_cache_new ();
  SharedRace r = { 0 };
  GThread *threads[G_N_ELEMENTS (r.got)];
  RaceArg args[G_N_ELEMENTS (r.got)];
  gpointer again;

  r.module = scorch_module_cache_open (cache, bin, NULL);
  g_assert_nonnull (r.module);
  r.start = barrier_new (G_N_ELEMENTS (r.got));
  race_for_free = &r;
  for (guint i = 0; i < G_N_ELEMENTS (r.got); i++)
    {
      args[i] = (RaceArg) { &r, i };
      threads[i] = g_thread_new ("shared", shared_thread, &args[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (r.got); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (r.builds, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (r.got); i++)
    g_assert_true (r.got[i] == r.got[0]);
  g_assert_cmpstr (r.got[0], ==, "value");
  g_assert_cmpuint (scorch_module_get_n_shared (r.module), ==, 1);

  /* released by all but one: still there, not built again */
  for (guint i = 1; i < G_N_ELEMENTS (r.got); i++)
    scorch_module_release_shared (r.module, "test");
  g_assert_cmpint (r.frees, ==, 0);
  again = scorch_module_acquire_shared (r.module, "test", count_build, &r, count_free);
  g_assert_true (again == r.got[0]);
  g_assert_cmpint (r.builds, ==, 1);
  scorch_module_release_shared (r.module, "test");
  scorch_module_release_shared (r.module, "test");
  /* the last release frees it; the next user builds anew */
  g_assert_cmpint (r.frees, ==, 1);
  g_assert_cmpuint (scorch_module_get_n_shared (r.module), ==, 0);
  again = scorch_module_acquire_shared (r.module, "test", count_build, &r, count_free);
  g_assert_cmpint (r.builds, ==, 2);
  scorch_module_release_shared (r.module, "test");
  g_assert_cmpint (r.frees, ==, 2);

  barrier_free (r.start);
  scorch_module_unref (r.module);
  scorch_module_cache_free (cache);
}

/* Two symbolizers at once: the debug file is searched for once, and the
 * symbol table read from it is made once; both are the module's, and go
 * with the last user. */
static void
test_debug_file_and_symbols_shared (void)
{
  Stripped s;
  ScorchSymbolizer *a, *b;
  guint searches, made;

  stripped_set_up (&s, "shared-debug");
  searches = scorch_debug_files_get_n_searches ();
  made = scorch_elf_symbols_get_n_made ();

  a = stripped_symbolizer (&s);
  assert_hidden_static (a, &s);
  g_assert_cmpuint (scorch_debug_files_get_n_searches (), >, searches);
  g_assert_cmpuint (scorch_elf_symbols_get_n_made (), ==, made + 1);
  searches = scorch_debug_files_get_n_searches ();
  /* the debug files' lookups and the symbol table */
  g_assert_cmpuint (scorch_module_get_n_shared (s.module), ==, 2);

  b = stripped_symbolizer (&s);
  assert_hidden_static (b, &s);
  g_assert_cmpuint (scorch_debug_files_get_n_searches (), ==, searches);
  g_assert_cmpuint (scorch_elf_symbols_get_n_made (), ==, made + 1);
  g_assert_cmpuint (scorch_module_get_n_shared (s.module), ==, 2);

  scorch_symbolizer_free (a);
  g_assert_cmpuint (scorch_module_get_n_shared (s.module), ==, 2);
  scorch_symbolizer_free (b);
  g_assert_cmpuint (scorch_module_get_n_shared (s.module), ==, 0);

  /* the next load looks again (a debug file may have been installed) */
  a = stripped_symbolizer (&s);
  assert_hidden_static (a, &s);
  g_assert_cmpuint (scorch_debug_files_get_n_searches (), >, searches);
  g_assert_cmpuint (scorch_elf_symbols_get_n_made (), ==, made + 2);
  scorch_symbolizer_free (a);

  stripped_tear_down (&s);
}

typedef struct
{
  Stripped *s;
  Barrier *looked_up;
  gboolean  ok;
} SymbolizerThread;

static gpointer
symbolizer_thread (gpointer data)
{
  SymbolizerThread *t = data;
  ScorchSymbolizer *sym = stripped_symbolizer (t->s);
  ScorchSymbol out[8];
  guint n = scorch_symbolizer_lookup_user (sym, 1, &t->s->map, t->s->addr, out, G_N_ELEMENTS (out));

  t->ok = n >= 1 && g_strcmp0 (out[n - 1].function, "hidden_static") == 0;
  /* all alive at once: the table and the debug file are shared */
  barrier_wait (t->looked_up);
  scorch_symbolizer_free (sym);
  return NULL;
}

/* Symbolizers on several threads using a module for the first time at
 * once: one search, one table, every one named right. */
static void
test_symbolizers_concurrent (void)
{
  Stripped s;
  SymbolizerThread t[4];
  GThread *threads[G_N_ELEMENTS (t)];
  Barrier *looked_up = barrier_new (G_N_ELEMENTS (t));
  guint made;

  stripped_set_up (&s, "concurrent-debug");
  made = scorch_elf_symbols_get_n_made ();
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      t[i] = (SymbolizerThread) { &s, looked_up, FALSE };
      threads[i] = g_thread_new ("symbolizer", symbolizer_thread, &t[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      g_thread_join (threads[i]);
      g_assert_true (t[i].ok);
    }
  g_assert_cmpuint (scorch_elf_symbols_get_n_made (), ==, made + 1);
  g_assert_cmpuint (scorch_module_get_n_shared (s.module), ==, 0);
  barrier_free (looked_up);
  stripped_tear_down (&s);
}

/* ---- CFI ------------------------------------------------------------------ */

typedef struct
{
  ScorchMapping map;
} OneMapping;

static const ScorchMapping *
one_mapping (gpointer user_data,
             gint32   pid,
             guint64  addr)
{
  OneMapping *o = user_data;

  return addr >= o->map.start && addr < o->map.end ? &o->map : NULL;
}

typedef struct
{
  OneMapping      *o;
  guint64          addr;
  Barrier        *start;
  Barrier        *found;
  Barrier        *checked;
  ScorchCfiTable  *table;
  const Row       *row;
} UnwinderThread;

/* What an unwinder does with an address: its maps find the module and
 * its CFI table, its stepper the row. */
static gpointer
unwinder_thread (gpointer data)
{
  UnwinderThread *t = data;
  ScorchUnwindMaps maps;
  ScorchCfi cfi;
  const UnwMapSlot *slot;

  scorch_unwind_maps_init (&maps, one_mapping, t->o);
  scorch_cfi_init (&cfi, &maps);
  barrier_wait (t->start);
  scorch_unwind_maps_begin_sample (&maps, 1, NULL, 0, 0);
  slot = scorch_unwind_maps_for_addr (&maps, t->addr);
  if (slot != NULL && slot->module->cfi != NULL)
    {
      t->table = slot->module->cfi;
      t->row = scorch_cfi_find_row (&cfi, slot->module, t->addr - slot->bias);
    }
  scorch_unwind_maps_end_sample (&maps);
  /* all alive at once, until the test has looked at the table */
  barrier_wait (t->found);
  barrier_wait (t->checked);
  scorch_cfi_clear (&cfi);
  scorch_unwind_maps_clear (&maps);
  return NULL;
}

static const ScorchMapping *
no_mapping (gpointer  user_data,
            gint32    pid,
            guint64   addr)
{
  return NULL;
}

/* The sample's stack copy is read where a whole word lies in it, and
 * nowhere else (the unwinder and libunwind read through the same check);
 * once the sample ends, not at all. */
static void
test_stack_copy_read (void)
{
  guint8 stack[24];
  ScorchUnwindMaps maps;
  guint64 v = 0;

  for (guint i = 0; i < sizeof stack; i++)
    stack[i] = i + 1;
  scorch_unwind_maps_init (&maps, no_mapping, NULL);
  scorch_unwind_maps_begin_sample (&maps, 1, stack, sizeof stack, 0x1000);
  g_assert_true (scorch_unwind_maps_read_stack (&maps, 0x1000, &v));
  g_assert_cmphex (v, ==, G_GUINT64_CONSTANT (0x0807060504030201));
  g_assert_true (scorch_unwind_maps_read_stack (&maps, 0x1010, &v));
  g_assert_cmphex (v, ==, G_GUINT64_CONSTANT (0x1817161514131211));
  g_assert_false (scorch_unwind_maps_read_stack (&maps, 0x1011, &v));
  g_assert_false (scorch_unwind_maps_read_stack (&maps, 0x1018, &v));
  g_assert_false (scorch_unwind_maps_read_stack (&maps, 0xfff, &v));
  g_assert_false (scorch_unwind_maps_read_stack (&maps, G_MAXUINT64 - 3, &v));
  /* read_word: the copy first, then (here) no mapping */
  g_assert_true (scorch_unwind_maps_read_word (&maps, 0x1008, &v));
  g_assert_cmphex (v, ==, G_GUINT64_CONSTANT (0x100f0e0d0c0b0a09));
  g_assert_false (scorch_unwind_maps_read_word (&maps, 0x2000, &v));
  scorch_unwind_maps_end_sample (&maps);
  g_assert_false (scorch_unwind_maps_read_stack (&maps, 0x1000, &v));
  scorch_unwind_maps_clear (&maps);
}

/* A mapped file is read at the address's file offset, within the
 * mapping only (libunwind's memory reads end in the same read as the
 * CFI stepper's); where the sample's stack copy covers the address too,
 * read_word takes the copy. */
static void
test_mapped_file_read (void)
{
  g_autofree char *bin = build ("mapped", "-Wl,--build-id -fasynchronous-unwind-tables", 4);
  ScorchModule *m = scorch_module_cache_open (scorch_module_cache_get_default (), bin, NULL);
  g_autofree char *bytes = NULL;
  gsize n_bytes = 0;
  const ScorchModuleSegment *segs;
  const ScorchModuleSegment *text = NULL;
  guint n_segs = 0;
  OneMapping o = { 0 };
  ScorchUnwindMaps maps;
  struct stat st;
  guint8 stack[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  guint64 addr, want, v = 0;

  g_assert_nonnull (m);
  g_assert_cmpint (stat (bin, &st), ==, 0);
  g_assert_true (g_file_get_contents (bin, &bytes, &n_bytes, NULL));
  segs = scorch_module_get_segments (m, &n_segs);
  for (guint i = 0; i < n_segs; i++)
    if ((segs[i].flags & PF_X) != 0)
      text = &segs[i];
  g_assert_nonnull (text);
  g_assert_cmpuint (text->filesz, >=, 64);
  o.map.start = 0x7f0000000000 + (text->vaddr & ~0xfffull);
  o.map.end = 0x7f0000000000 + text->vaddr + text->memsz;
  o.map.pgoff = text->offset & ~0xfffull;
  o.map.path = bin;
  o.map.build_id = scorch_module_get_build_id (m, &o.map.build_id_len);
  o.map.maj = major (st.st_dev);
  o.map.min = minor (st.st_dev);
  o.map.ino = st.st_ino;
  addr = 0x7f0000000000 + text->vaddr + 16;
  g_assert_cmpuint (text->offset + 24, <=, n_bytes);
  memcpy (&want, bytes + text->offset + 16, 8);
  g_assert_cmphex (want, !=, G_GUINT64_CONSTANT (0x0807060504030201));

  scorch_unwind_maps_init (&maps, one_mapping, &o);
  scorch_unwind_maps_begin_sample (&maps, 1, NULL, 0, 0);
  g_assert_true (scorch_unwind_maps_read_mapped (&maps, addr, &v));
  g_assert_cmphex (v, ==, want);
  v = 0;
  g_assert_true (scorch_unwind_maps_read_word (&maps, addr, &v));
  g_assert_cmphex (v, ==, want);
  g_assert_false (scorch_unwind_maps_read_mapped (&maps, o.map.start - 8, &v));
  g_assert_false (scorch_unwind_maps_read_mapped (&maps, o.map.end, &v));
  scorch_unwind_maps_end_sample (&maps);

  /* the copy first, the file only through read_mapped */
  scorch_unwind_maps_begin_sample (&maps, 1, stack, sizeof stack, addr);
  g_assert_true (scorch_unwind_maps_read_word (&maps, addr, &v));
  g_assert_cmphex (v, ==, G_GUINT64_CONSTANT (0x0807060504030201));
  g_assert_true (scorch_unwind_maps_read_mapped (&maps, addr, &v));
  g_assert_cmphex (v, ==, want);
  scorch_unwind_maps_end_sample (&maps);
  scorch_unwind_maps_clear (&maps);
  scorch_module_unref (m);
}

/* Unwinders (two, then several threads at once) share the module's CFI:
 * the table is made once, a row is decoded once, and the same row is
 * what each of them steps with. */
static void
test_cfi_shared (void)
{
  g_autofree char *bin = build ("cfi", "-Wl,--build-id -fasynchronous-unwind-tables", 3);
  ScorchModule *m = scorch_module_cache_open (scorch_module_cache_get_default (), bin, NULL);
  const ScorchModuleFunction *f;
  OneMapping o = { 0 };
  UnwinderThread t[4];
  GThread *threads[G_N_ELEMENTS (t)];
  Barrier *start = barrier_new (G_N_ELEMENTS (t));
  Barrier *found = barrier_new (G_N_ELEMENTS (t) + 1);
  Barrier *checked = barrier_new (G_N_ELEMENTS (t) + 1);
  const ScorchModuleSegment *segs;
  guint n_segs = 0;
  struct stat st;
  guint64 vaddr = 0;

  g_assert_nonnull (m);
  g_assert_cmpint (stat (bin, &st), ==, 0);
  /* main: sized, in .text, with .eh_frame rows */
  segs = scorch_module_get_segments (m, &n_segs);
  for (guint i = 0; i < n_segs && vaddr == 0; i++)
    if ((segs[i].flags & PF_X) != 0)
      for (guint64 a = segs[i].vaddr; a < segs[i].vaddr + segs[i].filesz && vaddr == 0; a += 4)
        if ((f = scorch_module_find_function (m, a)) != NULL)
          vaddr = f->start + 1;
  g_assert_cmpuint (vaddr, !=, 0);
  for (guint i = 0; i < n_segs; i++)
    if ((segs[i].flags & PF_X) != 0)
      {
        o.map.start = 0x7f0000000000 + (segs[i].vaddr & ~0xfffull);
        o.map.end = 0x7f0000000000 + segs[i].vaddr + segs[i].memsz;
        o.map.pgoff = segs[i].offset & ~0xfffull;
      }
  o.map.path = bin;
  o.map.build_id = scorch_module_get_build_id (m, &o.map.build_id_len);
  o.map.maj = major (st.st_dev);
  o.map.min = minor (st.st_dev);
  o.map.ino = st.st_ino;

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      t[i] = (UnwinderThread) { &o, 0x7f0000000000 + vaddr, start, found, checked, NULL, NULL };
      threads[i] = g_thread_new ("unwinder", unwinder_thread, &t[i]);
    }
  /* all found their row and still hold the table */
  barrier_wait (found);
  g_assert_nonnull (t[0].table);
  g_assert_nonnull (t[0].row);
  for (guint i = 1; i < G_N_ELEMENTS (t); i++)
    {
      g_assert_true (t[i].table == t[0].table);
      g_assert_true (t[i].row == t[0].row);
    }
  g_assert_cmpuint (scorch_cfi_table_get_n_decoded (t[0].table), ==, 1);
  g_assert_cmpuint (scorch_module_get_n_shared (m), ==, 1);
  barrier_wait (checked);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_thread_join (threads[i]);
  /* gone with the last unwinder */
  g_assert_cmpuint (scorch_module_get_n_shared (m), ==, 0);

  barrier_free (start);
  barrier_free (found);
  barrier_free (checked);
  scorch_module_unref (m);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  elf_version (EV_CURRENT);
  tmpdir = g_dir_make_tmp ("scorch-module-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/module/key", test_key);
  g_test_add_func ("/libscorch/module/same-file-once", test_same_file_once);
  g_test_add_func ("/libscorch/module/replaced-and-deleted", test_replaced_and_deleted);
  g_test_add_func ("/libscorch/module/separate-debug-file", test_separate_debug_file);
  g_test_add_func ("/libscorch/module/no-build-id", test_no_build_id);
  g_test_add_func ("/libscorch/module/stripped", test_stripped);
  g_test_add_func ("/libscorch/module/hostile", test_hostile);
  g_test_add_func ("/libscorch/module/threads", test_threads);
  g_test_add_func ("/libscorch/module/vdso", test_vdso);
  g_test_add_func ("/libscorch/module/keep-recent", test_keep_recent);
  g_test_add_func ("/libscorch/module/functions", test_functions);
  g_test_add_func ("/libscorch/module/shared-once", test_shared_once);
  g_test_add_func ("/libscorch/module/debug-file-and-symbols-shared", test_debug_file_and_symbols_shared);
  g_test_add_func ("/libscorch/module/symbolizers-concurrent", test_symbolizers_concurrent);
  g_test_add_func ("/libscorch/module/cfi-shared", test_cfi_shared);
  g_test_add_func ("/libscorch/module/stack-copy-read", test_stack_copy_read);
  g_test_add_func ("/libscorch/module/mapped-file-read", test_mapped_file_read);

  ret = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmpdir);

    run (cmd);
  }
  g_free (tmpdir);
  return ret;
}
