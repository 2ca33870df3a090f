/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-elf-check.c: tests for scorch-elf-check.c */

#include "config.h"

#include <glib/gstdio.h>

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
  g_assert_cmpuint (r.n_functions, >=, 5);
  /* gcc 12 still omits the frame in leaf functions that need no stack
   * (hot_leaf, cold_loop) despite -mno-omit-leaf-frame-pointer: a majority,
   * not all. */
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
  g_assert_cmpuint (r.n_functions, >=, 5);
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

  return g_test_run ();
}
