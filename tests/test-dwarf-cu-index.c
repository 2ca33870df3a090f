/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CUs by address without .debug_aranges: clang (14, DWARF 5) writes that
 * section only with -gdwarf-aranges, and elfutils 0.188 finds a CU (and
 * so lines and inline scopes) only through it.  Builds a two-CU program
 * with inlined static functions at test time, with and without the
 * flag, and checks the symbolizer says the same for both, and what
 * eu-addr2line -i says on the build with aranges. */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <elfutils/libdw.h>
#include <gelf.h>
#include <glib/gstdio.h>

#include "elf-test-util.h"
#include "scorch-dwarf-cu-index.h"
#include "scorch-symbolizer.h"

static char *tmpdir;

static const char a_src[] =
  "volatile int sink;\n"                                                 /* 1 */
  "int other_fn (int x);\n"                                              /* 2 */
  "static inline __attribute__((always_inline)) int sq (int x)\n"        /* 3 */
  "{\n"                                                                  /* 4 */
  "  sink = x;\n"                                                        /* 5 */
  "  return x * x + sink;\n"                                             /* 6 */
  "}\n"                                                                  /* 7 */
  "__attribute__((noinline)) int outer (int n)\n"                        /* 8 */
  "{\n"                                                                  /* 9 */
  "  int s = 0;\n"                                                       /* 10 */
  "  for (int i = 0; i < n; i++)\n"                                      /* 11 */
  "    s += sq (i);\n"                                                   /* 12 */
  "  return s;\n"                                                        /* 13 */
  "}\n"                                                                  /* 14 */
  "int main (int argc, char **argv)\n"                                   /* 15 */
  "{\n"                                                                  /* 16 */
  "  return (outer (argc * 1000) + other_fn (argc)) & 1;\n"             /* 17 */
  "}\n";

static const char b_src[] =
  "extern volatile int sink;\n"                                          /* 1 */
  "static inline __attribute__((always_inline)) int twice (int x)\n"     /* 2 */
  "{\n"                                                                  /* 3 */
  "  sink = x;\n"                                                        /* 4 */
  "  return 2 * x + sink;\n"                                             /* 5 */
  "}\n"                                                                  /* 6 */
  "__attribute__((noinline)) int other_fn (int x)\n"                     /* 7 */
  "{\n"                                                                  /* 8 */
  "  return twice (x + 1) - 1;\n"                                        /* 9 */
  "}\n";

/* Builds tmpdir/name from a.c and b.c with compiler and flags. */
static char *
build (const char *compiler,
       const char *name,
       const char *flag1,
       const char *flag2)
{
  g_autofree char *a = g_build_filename (tmpdir, "a.c", NULL);
  g_autofree char *b = g_build_filename (tmpdir, "b.c", NULL);
  char *bin = g_build_filename (tmpdir, name, NULL);
  const char *argv[] = { compiler, "-O2", "-g", "-fno-omit-frame-pointer", "-o", bin, a, b,
                         flag1, flag2, NULL };
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (a, a_src, -1, NULL));
  g_assert_true (g_file_set_contents (b, b_src, -1, NULL));
  out = test_elf_dup_output (argv);
  return bin;
}

static gboolean
has_section (const char *bin,
             const char *section)
{
  const char *argv[] = { "readelf", "-S", "-W", bin, NULL };
  g_autofree char *out = test_elf_dup_output (argv);

  return strstr (out, section) != NULL;
}

typedef struct
{
  char  *function;
  char  *file;            /* basename */
  guint  line;
  gboolean inlined;
} Frame;

static void
frame_clear (gpointer p)
{
  Frame *f = p;

  g_free (f->function);
  g_free (f->file);
}

/* The chain of the symbolizer in address mode for vaddr of bin. */
static GArray *
scorch_chain (ScorchSymbolizer *sym,
              const char       *bin,
              guint64           vaddr)
{
  GArray *frames = g_array_new (FALSE, TRUE, sizeof (Frame));
  ScorchMapping map;
  ScorchSymbol out[16];
  guint64 ip = test_elf_map_vaddr (bin, vaddr, &map);
  guint n = scorch_symbolizer_lookup_user (sym, 1, &map, ip, out, G_N_ELEMENTS (out));

  g_array_set_clear_func (frames, frame_clear);
  for (guint i = 0; i < n; i++)
    {
      Frame f = {
        g_strdup (out[i].function),
        out[i].file != NULL ? g_path_get_basename (out[i].file) : NULL,
        out[i].line,
        out[i].kind == SCORCH_FRAME_KIND_INLINED,
      };
      g_array_append_val (frames, f);
    }
  return frames;
}

static void
assert_same_chain (GArray  *a,
                   GArray  *b,
                   guint64  vaddr)
{
  g_test_message ("0x%" G_GINT64_MODIFIER "x: %u frames", vaddr, a->len);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      Frame *x = &g_array_index (a, Frame, i), *y = &g_array_index (b, Frame, i);

      g_assert_cmpstr (x->function, ==, y->function);
      g_assert_cmpstr (x->file, ==, y->file);
      g_assert_cmpuint (x->line, ==, y->line);
      g_assert_cmpint (x->inlined, ==, y->inlined);
    }
}

/* eu-addr2line -i ends some chains at an inlined frame, whose first line
 * says "NAME inlined at FILE:LINE[:COL] in CALLER": add the caller. */
static void
finish_chain (GArray     *cur,
              const char *inlined_at)
{
  const char *in;
  g_auto(GStrv) loc = NULL;
  Frame f = { 0, };

  if (cur == NULL || inlined_at == NULL)
    return;
  in = strstr (inlined_at, " in ");
  g_assert_nonnull (in);
  {
    g_autofree char *where = g_strndup (inlined_at, in - inlined_at);

    loc = g_strsplit (where, ":", 3);
  }
  f.function = g_strdup (in + strlen (" in "));
  f.file = g_path_get_basename (loc[0]);
  f.line = loc[1] != NULL ? (guint) g_ascii_strtoull (loc[1], NULL, 10) : 0;
  f.inlined = FALSE;
  g_array_append_val (cur, f);
}

/* eu-addr2line -a -i -f on the addresses: per address its frames,
 * innermost first. */
static GPtrArray *
addr2line (const char *bin,
           GArray     *vaddrs)
{
  g_autofree char *out = test_elf_eu_addr2line (bin, "-i -f", (const guint64 *) vaddrs->data, vaddrs->len);
  g_auto(GStrv) lines = NULL;
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  GArray *cur = NULL;
  g_autofree char *last_inlined_at = NULL;

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      if (g_str_has_prefix (lines[i], "0x"))
        {
          finish_chain (cur, last_inlined_at);
          g_clear_pointer (&last_inlined_at, g_free);
          cur = g_array_new (FALSE, TRUE, sizeof (Frame));
          g_array_set_clear_func (cur, frame_clear);
          g_ptr_array_add (result, cur);
          continue;
        }
      g_assert_nonnull (cur);
      g_assert_nonnull (lines[i + 1]);
      {
        Frame f = { 0, };
        const char *at = strstr (lines[i], " inlined at ");
        g_auto(GStrv) loc = g_strsplit (lines[i + 1], ":", 3);
        g_autofree char *base = g_path_get_basename (loc[0]);

        f.function = at != NULL ? g_strndup (lines[i], at - lines[i]) : g_strdup (lines[i]);
        f.inlined = at != NULL;
        g_free (last_inlined_at);
        last_inlined_at = at != NULL ? g_strdup (at + strlen (" inlined at ")) : NULL;
        f.file = strcmp (loc[0], "??") != 0 ? g_strdup (base) : NULL;
        f.line = loc[1] != NULL ? (guint) g_ascii_strtoull (loc[1], NULL, 10) : 0;
        g_array_append_val (cur, f);
        i++;
      }
    }
  finish_chain (cur, last_inlined_at);
  g_assert_cmpuint (result->len, ==, vaddrs->len);
  return result;
}

/* Every 4th byte of outer (CU a.c) and other_fn (CU b.c). */
static GArray *
sample_addresses (const char *bin)
{
  GArray *vaddrs = g_array_new (FALSE, FALSE, sizeof (guint64));
  const char *fns[] = { "outer", "other_fn" };

  for (guint k = 0; k < G_N_ELEMENTS (fns); k++)
    {
      guint64 size = 0;
      guint64 start = test_elf_symbol (bin, fns[k], &size);

      g_assert_cmpuint (size, >, 0);
      for (guint64 off = 0; off < size; off += 4)
        {
          guint64 v = start + off;
          g_array_append_val (vaddrs, v);
        }
    }
  return vaddrs;
}

/* test: built without aranges; ref: the same code with them. */
static void
check_pair (const char *test,
            const char *ref)
{
  g_autoptr(GArray) vaddrs = sample_addresses (ref);
  g_autoptr(GPtrArray) expect = addr2line (ref, vaddrs);
  ScorchSymbolizer *st = scorch_symbolizer_new ();
  ScorchSymbolizer *sr = scorch_symbolizer_new ();
  guint n_inlined = 0, n_compared = 0;

  {
    guint64 s1 = 0, s2 = 0;

    /* the flag changes only the debug sections */
    g_assert_cmpuint (test_elf_symbol (test, "outer", &s1), ==, test_elf_symbol (ref, "outer", &s2));
    g_assert_cmpuint (s1, ==, s2);
    g_assert_cmpuint (test_elf_symbol (test, "other_fn", &s1), ==, test_elf_symbol (ref, "other_fn", &s2));
  }
  scorch_symbolizer_set_line_mode (st, SCORCH_SYMBOLIZER_LINES_ADDRESS);
  scorch_symbolizer_set_line_mode (sr, SCORCH_SYMBOLIZER_LINES_ADDRESS);

  for (guint i = 0; i < vaddrs->len; i++)
    {
      guint64 v = g_array_index (vaddrs, guint64, i);
      g_autoptr(GArray) a = scorch_chain (st, test, v);
      g_autoptr(GArray) b = scorch_chain (sr, ref, v);
      GArray *e = g_ptr_array_index (expect, i);
      Frame *inner;

      assert_same_chain (a, b, v);
      /* every address of these functions has a line */
      inner = &g_array_index (a, Frame, 0);
      g_assert_nonnull (inner->file);
      if (a->len > 1)
        n_inlined++;

      /* eu-addr2line prints line 0 (compiler-made code) with fewer
       * frames; compare where it names a real line */
      if (g_array_index (e, Frame, 0).line == 0)
        continue;
      n_compared++;
      g_assert_cmpuint (a->len, ==, e->len);
      for (guint k = 0; k < a->len; k++)
        {
          Frame *x = &g_array_index (a, Frame, k), *y = &g_array_index (e, Frame, k);

          g_assert_cmpstr (x->function, ==, y->function);
          g_assert_cmpstr (x->file, ==, y->file);
          g_assert_cmpuint (x->line, ==, y->line);
          g_assert_cmpint (x->inlined, ==, y->inlined);
        }
    }
  g_test_message ("%u addresses, %u compared with eu-addr2line, %u inside inlined code",
                  vaddrs->len, n_compared, n_inlined);
  /* the test must see the inlined functions, and most addresses */
  g_assert_cmpuint (n_inlined, >, 0);
  g_assert_cmpuint (n_compared * 2, >, vaddrs->len);
  scorch_symbolizer_free (st);
  scorch_symbolizer_free (sr);
}

static gboolean
have (const char *program)
{
  g_autofree char *p = g_find_program_in_path (program);

  return p != NULL;
}

static void
test_clang (gconstpointer data)
{
  const char *dwarf = data;
  g_autofree char *name = g_strdup_printf ("clang%s", dwarf);
  g_autofree char *name_ref = g_strdup_printf ("clang%s-aranges", dwarf);
  g_autofree char *test = NULL, *ref = NULL;

  if (!have ("clang") || !have ("eu-addr2line"))
    {
      g_test_skip ("clang or eu-addr2line missing (tools/install-deps.sh installs them)");
      return;
    }
  test = build ("clang", name, dwarf, NULL);
  ref = build ("clang", name_ref, dwarf, "-gdwarf-aranges");
  g_assert_true (has_section (ref, ".debug_aranges"));
  if (has_section (test, ".debug_aranges"))
    g_test_message ("this clang writes .debug_aranges anyway: the fallback is not exercised");
  check_pair (test, ref);
}

/* gcc writes .debug_aranges: libdw's own path, for comparison */
static void
test_gcc_dwarf5 (void)
{
  g_autofree char *bin = NULL;

  if (!have ("gcc") || !have ("eu-addr2line"))
    {
      g_test_skip ("gcc or eu-addr2line missing");
      return;
    }
  bin = build ("gcc", "gcc-dwarf5", "-gdwarf-5", NULL);
  check_pair (bin, bin);
}

/* The index alone: each function's CU by its own ranges, nothing
 * outside them. */
static void
test_index (void)
{
  g_autofree char *bin = NULL;
  g_autoptr(ScorchDwarfCuIndex) index = NULL;
  int fd;
  Dwarf *dbg;
  Dwarf_Die cu;
  guint64 size = 0, start;
  const struct { const char *fn; const char *cu; } cases[] = {
    { "outer", "a.c" }, { "other_fn", "b.c" }, { "main", "a.c" },
  };

  if (!have ("clang"))
    {
      g_test_skip ("clang missing");
      return;
    }
  bin = build ("clang", "clang-index", NULL, NULL);
  fd = open (bin, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  dbg = dwarf_begin (fd, DWARF_C_READ);
  g_assert_nonnull (dbg);
  index = scorch_dwarf_cu_index_new (dbg);
  g_assert_cmpuint (scorch_dwarf_cu_index_get_n_segments (index), >=, 2);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *base = NULL;

      start = test_elf_symbol (bin, cases[i].fn, &size);
      g_assert_true (scorch_dwarf_cu_index_lookup (index, start, &cu));
      base = g_path_get_basename (dwarf_diename (&cu));
      g_assert_cmpstr (base, ==, cases[i].cu);
      g_assert_true (scorch_dwarf_cu_index_lookup (index, start + size - 1, &cu));
    }
  /* _start comes from crt1.o, which has no DWARF here */
  start = test_elf_symbol (bin, "_start", &size);
  g_assert_false (scorch_dwarf_cu_index_lookup (index, start, &cu));
  g_assert_false (scorch_dwarf_cu_index_lookup (index, 0, &cu));
  g_assert_false (scorch_dwarf_cu_index_lookup (index, G_MAXUINT64, &cu));

  /* an empty index (no DWARF) finds nothing */
  {
    g_autoptr(ScorchDwarfCuIndex) empty = scorch_dwarf_cu_index_new (NULL);

    g_assert_cmpuint (scorch_dwarf_cu_index_get_n_segments (empty), ==, 0);
    g_assert_false (scorch_dwarf_cu_index_lookup (empty, start, &cu));
  }
  g_clear_pointer (&index, scorch_dwarf_cu_index_free);
  dwarf_end (dbg);
  close (fd);
}

/* Split DWARF: the skeleton unit in the executable holds the ranges and
 * the line table (its .dwo the scopes); DWARF 5 tags it
 * DW_TAG_skeleton_unit, DWARF 4 (GNU) DW_TAG_compile_unit. */
static void
test_split (gconstpointer data)
{
  const char *dwarf = data;
  g_autofree char *name = g_strdup_printf ("clang-split%s", dwarf);
  g_autofree char *plain_name = g_strdup_printf ("clang-plain%s", dwarf);
  g_autofree char *bin = NULL, *plain = NULL;
  const char *fns[] = { "outer", "other_fn" };

  if (!have ("clang"))
    {
      g_test_skip ("clang missing");
      return;
    }
  {
    /* clang writes the .dwo files into the current directory */
    g_autofree char *cwd = g_get_current_dir ();

    g_assert_cmpint (g_chdir (tmpdir), ==, 0);
    bin = build ("clang", name, dwarf, "-gsplit-dwarf");
    g_assert_cmpint (g_chdir (cwd), ==, 0);
  }
  plain = build ("clang", plain_name, dwarf, NULL);
  for (guint k = 0; k < G_N_ELEMENTS (fns); k++)
    {
      guint64 size = 0;
      guint64 start = test_elf_symbol (bin, fns[k], &size);
      int lines[2] = { 0, 0 };
      const char *paths[2] = { bin, plain };

      g_assert_cmpuint (start, ==, test_elf_symbol (plain, fns[k], &size));
      for (guint b = 0; b < 2; b++)
        {
          int fd = open (paths[b], O_RDONLY);
          Dwarf *dbg = dwarf_begin (fd, DWARF_C_READ);
          ScorchDwarfCuIndex *index = NULL;
          Dwarf_Die cu;
          Dwarf_Line *line;

          g_assert_nonnull (dbg);
          /* through aranges or not, the CU is found */
          g_assert_true (scorch_dwarf_cu_find (dbg, &index, start, &cu));
          line = dwarf_getsrc_die (&cu, start);
          g_assert_nonnull (line);
          g_assert_cmpint (dwarf_lineno (line, &lines[b]), ==, 0);
          scorch_dwarf_cu_index_free (index);
          dwarf_end (dbg);
          close (fd);
        }
      g_assert_cmpint (lines[0], >, 0);
      g_assert_cmpint (lines[0], ==, lines[1]);
    }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-cu-index-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/libscorch/dwarf-cu-index/index", test_index);
  g_test_add_data_func ("/libscorch/dwarf-cu-index/split-dwarf5", "-gdwarf-5", test_split);
  g_test_add_data_func ("/libscorch/dwarf-cu-index/split-dwarf4", "-gdwarf-4", test_split);
  g_test_add_data_func ("/libscorch/dwarf-cu-index/clang-dwarf5", "-gdwarf-5", test_clang);
  g_test_add_data_func ("/libscorch/dwarf-cu-index/clang-dwarf4", "-gdwarf-4", test_clang);
  g_test_add_func ("/libscorch/dwarf-cu-index/gcc-dwarf5", test_gcc_dwarf5);

  ret = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmpdir);

    (void) system (cmd);
  }
  g_free (tmpdir);
  return ret;
}
