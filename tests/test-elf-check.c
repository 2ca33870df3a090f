/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-elf-check.c: tests for scorch-elf-check.c */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scorch-call-graph-choice.h"
#include "scorch-elf-check.h"

static char *
workload_path (const char *name)
{
  const char *dir = g_getenv ("SCORCH_TEST_WORKLOADS");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static void
test_with_frame_pointers (void)
{
  g_autofree char *path = workload_path ("app-workload");
  g_autoptr(GError) error = NULL;
  ScorchElfFramePointers r;

  g_assert_true (scorch_elf_check_frame_pointers (path, &r, &error));
  g_assert_no_error (error);
  /* only functions that call others count: leaves keep no frame with
   * -fno-omit-frame-pointer alone */
  g_assert_cmpuint (r.n_functions, >=, 3);
  g_assert_cmpuint (r.n_with_fp * 2, >=, r.n_functions);
  g_assert_true (r.frame_pointers);
}

static void
test_without_frame_pointers (void)
{
  g_autofree char *path = workload_path ("app-workload-nofp");
  g_autoptr(GError) error = NULL;
  ScorchElfFramePointers r;

  g_assert_true (scorch_elf_check_frame_pointers (path, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.n_functions, >=, 3);
  g_assert_cmpuint (r.n_with_fp, ==, 0);
  g_assert_false (r.frame_pointers);
}

static void
test_demo (void)
{
  /* The demo is built with frame pointers, so "automatic" picks them. */
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "..", "src", "demo",
                                            "scorch-demo", NULL);
  g_autoptr(GError) error = NULL;
  ScorchElfFramePointers r;

  g_assert_true (scorch_elf_check_frame_pointers (path, &r, &error));
  g_assert_no_error (error);
  g_assert_true (r.frame_pointers);
}

static void
test_system_binary (void)
{
  /* Debian builds its packages without frame pointers; the stripped
   * binary has only .dynsym, which names few functions if any. Whatever
   * the verdict, it must be an answer or a clear error, never a crash. */
  g_autoptr(GError) error = NULL;
  ScorchElfFramePointers r;

  if (!scorch_elf_check_frame_pointers ("/bin/sh", &r, &error))
    g_assert_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_NO_SYMBOLS);
  else
    g_assert_cmpuint (r.n_functions, >, 0);
}

static void
test_not_elf (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  ScorchElfFramePointers r;
  int fd;

  fd = g_file_open_tmp ("scorch-elf-check-XXXXXX.sh", &path, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, "#!/bin/sh\necho hello\n", -1, &error));
  close (fd);

  g_assert_false (scorch_elf_check_frame_pointers (path, &r, &error));
  g_assert_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_NOT_ELF);
  g_unlink (path);
  g_clear_error (&error);

  /* Truncated ELF: the magic and little else. */
  g_assert_true (g_file_set_contents (path, "\177ELF\002\001\001", 7, &error));
  g_assert_false (scorch_elf_check_frame_pointers (path, &r, &error));
  g_assert_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_NOT_ELF);
  g_unlink (path);
  g_clear_error (&error);

  g_assert_false (scorch_elf_check_frame_pointers ("/nonexistent/program", &r, &error));
  g_assert_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_OPEN);
}

/* -O2 with -fno-omit-frame-pointer: prologues scheduled and shrink-wrapped,
 * leaves without a frame; automatic picks fp+repair for it, DWARF for the
 * same code built without frame pointers. */
static void
test_choose (void)
{
  g_autofree char *leaves = workload_path ("wl-leaves");
  g_autofree char *nofp = workload_path ("app-workload-nofp");
  g_autofree char *reason = NULL;
  ScorchElfFramePointers r;

  g_assert_true (scorch_elf_check_frame_pointers (leaves, &r, NULL));
  g_assert_true (r.frame_pointers);

  g_assert_cmpint (scorch_elf_check_choose_call_graph (leaves, &reason), ==, SCORCH_CALL_GRAPH_FP_REPAIR);
  g_assert_nonnull (strstr (reason, "leaf repair"));
  g_clear_pointer (&reason, g_free);

  g_assert_cmpint (scorch_elf_check_choose_call_graph (nofp, &reason), ==, SCORCH_CALL_GRAPH_DWARF);
  g_assert_nonnull (strstr (reason, "DWARF"));
  g_clear_pointer (&reason, g_free);

  g_assert_cmpint (scorch_elf_check_choose_call_graph ("/nonexistent/program", &reason), ==,
                   SCORCH_CALL_GRAPH_DWARF);
  g_assert_nonnull (reason);
}

/* A relative symlink target is looked up in the link's directory, not in
 * the working directory: bin/prog -> ../real/prog-fp, run from elsewhere
 * where ../real/prog-fp names a program without frame pointers. */
static void
test_symlink (void)
{
  g_autofree char *fp = workload_path ("wl-leaves");
  g_autofree char *nofp = workload_path ("app-workload-nofp");
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("scorch-elf-link-XXXXXX", &error);
  g_autofree char *a = NULL, *a_bin = NULL, *a_real = NULL, *b = NULL, *b_real = NULL;
  g_autofree char *link = NULL, *target_a = NULL, *resolved = NULL, *reason = NULL;
  g_autofree char *old_cwd = g_get_current_dir ();
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_no_error (error);
  a = g_build_filename (root, "a", NULL);
  a_bin = g_build_filename (a, "bin", NULL);
  a_real = g_build_filename (a, "real", NULL);
  b = g_build_filename (root, "b", "cwd", NULL);
  b_real = g_build_filename (root, "b", "real", NULL);
  g_assert_cmpint (g_mkdir_with_parents (a_bin, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (a_real, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (b, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (b_real, 0700), ==, 0);

  /* a/real/prog: the frame-pointer program; b/real/prog: the other one */
  target_a = g_build_filename (a_real, "prog", NULL);
  g_assert_true (g_file_get_contents (fp, &contents, &len, &error));
  g_assert_true (g_file_set_contents (target_a, contents, len, &error));
  g_clear_pointer (&contents, g_free);
  {
    g_autofree char *target_b = g_build_filename (b_real, "prog", NULL);

    g_assert_true (g_file_get_contents (nofp, &contents, &len, &error));
    g_assert_true (g_file_set_contents (target_b, contents, len, &error));
  }
  link = g_build_filename (a_bin, "prog", NULL);
  g_assert_cmpint (symlink ("../real/prog", link), ==, 0);

  g_assert_cmpint (chdir (b), ==, 0);
  resolved = scorch_elf_check_resolve_program (link);
  g_assert_cmpstr (resolved, ==, target_a);
  g_assert_cmpint (scorch_elf_check_choose_call_graph (link, &reason), ==, SCORCH_CALL_GRAPH_FP_REPAIR);
  g_assert_nonnull (strstr (reason, target_a));
  g_assert_cmpint (chdir (old_cwd), ==, 0);

  /* /bin/sh on Debian: a link to dash, relative */
  if (g_file_test ("/bin/sh", G_FILE_TEST_IS_SYMLINK))
    {
      g_autofree char *sh = scorch_elf_check_resolve_program ("/bin/sh");
      g_autofree char *t = g_file_read_link ("/bin/sh", NULL);

      g_assert_nonnull (sh);
      g_assert_true (g_path_is_absolute (sh));
      if (t != NULL && !g_path_is_absolute (t))
        {
          g_autofree char *base = g_path_get_basename (t);
          g_assert_true (g_str_has_suffix (sh, base));
        }
    }

  g_unlink (link);
  g_unlink (target_a);
  {
    g_autofree char *target_b = g_build_filename (b_real, "prog", NULL);
    g_autofree char *b_parent = g_build_filename (root, "b", NULL);

    g_unlink (target_b);
    g_rmdir (b_real);
    g_rmdir (b);
    g_rmdir (b_parent);
  }
  g_rmdir (a_bin);
  g_rmdir (a_real);
  g_rmdir (a);
  g_rmdir (root);
}


/* The verdict kept per build id (SCORCH_SYMBOL_CACHE_DIR): written on the
 * first check, believed on the next (a forged entry shows it is read),
 * ignored and rewritten when damaged. */
static guint32
fnv32 (const char *s)
{
  guint32 h = 2166136261u;

  for (; *s != '\0'; s++)
    h = (h ^ (guint8) *s) * 16777619u;
  return h;
}

static void
test_cache (void)
{
  g_autofree char *path = workload_path ("app-workload");
  g_autofree char *dir = g_dir_make_tmp ("scorch-fp-cache-XXXXXX", NULL);
  g_autofree char *entry = NULL;
  g_autofree char *original = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GDir) d = NULL;
  ScorchElfFramePointers r1, r;
  const char *name;
  char *nl;

  g_assert_nonnull (dir);
  g_setenv ("SCORCH_SYMBOL_CACHE_DIR", dir, TRUE);
  g_assert_true (scorch_elf_check_frame_pointers (path, &r1, NULL));
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".fp"))
      entry = g_build_filename (dir, name, NULL);
  g_assert_nonnull (entry);
  g_assert_true (g_file_get_contents (entry, &original, NULL, NULL));

  g_assert_true (scorch_elf_check_frame_pointers (path, &r, NULL));
  g_assert_cmpuint (r.n_functions, ==, r1.n_functions);
  g_assert_cmpuint (r.n_with_fp, ==, r1.n_with_fp);
  g_assert_cmpint (r.frame_pointers, ==, r1.frame_pointers);

  /* a forged entry (valid checksum) is what the check believes */
  {
    g_autofree char *body = g_strdup (original);
    g_autofree char *figures = NULL;
    guint machine;
    g_autofree char *forged = NULL;

    /* drop the checksum line, replace the figures */
    body[strlen (body) - 9] = '\0';
    nl = strrchr (body, '\n');
    nl[0] = '\0';
    nl = strrchr (body, '\n');
    machine = (guint) strtoul (nl + 1, NULL, 10);
    nl[1] = '\0';
    figures = g_strdup_printf ("%s%u 1000 1\n", body, machine);
    forged = g_strdup_printf ("%s%08x\n", figures, fnv32 (figures));
    g_assert_true (g_file_set_contents (entry, forged, -1, NULL));
    g_assert_true (scorch_elf_check_frame_pointers (path, &r, NULL));
    g_assert_cmpuint (r.n_functions, ==, 1000);
    g_assert_cmpuint (r.n_with_fp, ==, 1);
    g_assert_false (r.frame_pointers);
  }

  /* damaged: a figure changed without its checksum, cut short, garbage */
  {
    const char *bad[3];
    g_autofree char *flipped = g_strdup (original);
    g_autofree char *cut = g_strndup (original, strlen (original) - 3);

    flipped[strlen (flipped) - 12] = flipped[strlen (flipped) - 12] == '1' ? '2' : '1';
    bad[0] = flipped;
    bad[1] = cut;
    bad[2] = "scorch-fp-check 1\n\n\n\n";
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_true (g_file_set_contents (entry, bad[i], -1, NULL));
        g_assert_true (scorch_elf_check_frame_pointers (path, &r, NULL));
        g_assert_cmpuint (r.n_functions, ==, r1.n_functions);
        g_assert_cmpuint (r.n_with_fp, ==, r1.n_with_fp);
        g_free (again);
        g_assert_true (g_file_get_contents (entry, &again, NULL, NULL));
        g_assert_cmpstr (again, ==, original);
      }
  }

  g_unsetenv ("SCORCH_SYMBOL_CACHE_DIR");
  g_unlink (entry);
  g_rmdir (dir);
}

/* The program of a host process, from its maps (sysprofd's GetProcFile;
 * untrusted text): the first mapped file, not an anonymous or special
 * mapping, never a deleted file or a name that climbs with "..". */
static void
test_maps_main_executable (void)
{
  const struct { const char *maps; const char *expected; } cases[] = {
    { "55d0c0000000-55d0c0002000 r--p 00000000 08:01 1234                       /usr/bin/sleep\n"
      "55d0c0002000-55d0c0006000 r-xp 00002000 08:01 1234                       /usr/bin/sleep\n"
      "7f0000000000-7f0000028000 r--p 00000000 08:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6\n",
      "/usr/bin/sleep" },
    /* anonymous and special mappings first; a name with spaces */
    { "00400000-00401000 rw-p 00000000 00:00 0 \n"
      "00401000-00402000 rw-p 00000000 00:00 0                                  [heap]\n"
      "00600000-00601000 r-xp 00000000 08:01 7                                  /opt/my app/bin/tool x\n",
      "/opt/my app/bin/tool x" },
    { "55d0c0000000-55d0c0002000 r-xp 00000000 08:01 1234 /tmp/gone (deleted)\n", NULL },
    { "55d0c0000000-55d0c0002000 r-xp 00000000 08:01 1234 /usr/../../etc/shadow\n", NULL },
    { "55d0c0000000-55d0c0002000 r-xp 00000000 08:01 1234 /usr/bin/..\n", NULL },
    { "7ffd000-7ffe000 r-xp 00000000 00:00 0                                  [vdso]\n", NULL },
    { "garbage /etc/passwd\n", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *exe = _scorch_call_graph_maps_main_executable (cases[i].maps);

      g_test_message ("case %u", i);
      g_assert_cmpstr (exe, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/elf-check/frame-pointers", test_with_frame_pointers);
  g_test_add_func ("/libscorch/elf-check/no-frame-pointers", test_without_frame_pointers);
  g_test_add_func ("/libscorch/elf-check/demo", test_demo);
  g_test_add_func ("/libscorch/elf-check/system-binary", test_system_binary);
  g_test_add_func ("/libscorch/elf-check/not-elf", test_not_elf);
  g_test_add_func ("/libscorch/elf-check/choose", test_choose);
  g_test_add_func ("/libscorch/elf-check/symlink", test_symlink);
  g_test_add_func ("/libscorch/elf-check/cache", test_cache);

  g_test_add_func ("/libscorch/elf-check/maps-main-executable", test_maps_main_executable);
  return g_test_run ();
}
