/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-session-transforms.c: the session's transform block: filtered-profile
 * is the filters' view with the applied transforms, undo/redo notify it,
 * a new profile starts untransformed, and the sidecar is written, read
 * back and refused when it is not a regular file or not a valid list. */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "explore-test-util.h"
#include "scorch-session.h"

static guint
count_notifies (ScorchSession *session)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (session), "n-filtered"));
}

static void
on_filtered (ScorchSession *session)
{
  g_object_set_data (G_OBJECT (session), "n-filtered", GUINT_TO_POINTER (count_notifies (session) + 1));
}

static void
test_filters_and_transforms (void)
{
  g_autoptr(ScorchSession) session = scorch_session_new ();
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  g_autoptr(ScorchTransform) drop = scorch_transform_new (SCORCH_TRANSFORM_DROP_FUNCTION, "compute");
  g_autoptr(ScorchTransform) merge = scorch_transform_new (SCORCH_TRANSFORM_MERGE_FUNCTION, "main");
  ScorchTransformStack *stack = scorch_session_get_transforms (session);
  const gint32 main_thread[] = { 100 };
  ScorchProfile *before_undo;

  g_signal_connect (session, "notify::filtered-profile", G_CALLBACK (on_filtered), NULL);
  scorch_session_set_profile (session, profile);
  g_assert_cmpuint (count_notifies (session), ==, 1);

  scorch_session_push_transform (session, drop);
  g_assert_cmpuint (count_notifies (session), ==, 2);
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 15);
  /* The unfiltered capture stays what it was. */
  g_assert_true (scorch_session_get_profile (session) == profile);

  /* Thread filter first, transforms on its result: the main thread's
   * samples all run compute, so none is left. */
  scorch_session_set_thread_filter (session, main_thread, 1);
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 0);
  scorch_session_set_thread_filter (session, NULL, -1);
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 15);

  scorch_session_push_transform (session, merge);
  before_undo = g_object_ref (scorch_session_get_filtered_profile (session));
  g_assert_true (scorch_transform_stack_undo (stack));
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 15);
  g_assert_true (scorch_transform_stack_undo (stack));
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 100);
  g_assert_true (scorch_session_get_filtered_profile (session) == profile);
  g_assert_true (scorch_transform_stack_redo (stack));
  g_assert_true (scorch_transform_stack_redo (stack));
  /* Redo is the cached result itself. */
  g_assert_true (scorch_session_get_filtered_profile (session) == before_undo);
  g_object_unref (before_undo);

  /* A new capture starts untransformed (and is shown once). */
  {
    g_autoptr(ScorchProfile) other = explore_test_profile ();
    guint n = count_notifies (session);

    scorch_session_set_profile (session, other);
    g_assert_cmpuint (count_notifies (session), ==, n + 1);
    g_assert_cmpuint (scorch_transform_stack_get_n_transforms (stack), ==, 0);
    g_assert_true (scorch_session_get_filtered_profile (session) == other);
  }
}

static void
test_sidecar (void)
{
  g_autoptr(ScorchSession) session = scorch_session_new ();
  g_autoptr(ScorchProfile) profile = explore_test_profile ();
  g_autoptr(ScorchTransform) focus = scorch_transform_new (SCORCH_TRANSFORM_FOCUS_FUNCTION, "compute");
  g_autoptr(ScorchTransform) below = scorch_transform_new_min_percent (30);
  g_autofree char *dir = g_dir_make_tmp ("scorch-session-transforms-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "capture.data", NULL);
  g_autofree char *sidecar_path = g_strconcat (path, ".scorch-transforms", NULL);
  g_autoptr(GFile) capture = g_file_new_for_path (path);
  g_autoptr(GFile) sidecar = scorch_session_dup_transforms_file (capture);
  g_autoptr(GError) error = NULL;
  g_autofree char *sidecar_got = g_file_get_path (sidecar);

  g_assert_cmpstr (sidecar_got, ==, sidecar_path);
  scorch_session_set_profile (session, profile);

  /* No sidecar: nothing to do. */
  g_assert_true (scorch_session_load_transforms (session, capture, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_transform_stack_get_n_transforms (scorch_session_get_transforms (session)), ==, 0);

  scorch_session_push_transform (session, focus);
  scorch_session_push_transform (session, below);
  g_assert_true (scorch_session_save_transforms (session, capture, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (sidecar_path, G_FILE_TEST_IS_REGULAR));

  /* Read back into a fresh session: same list, same view. */
  {
    g_autoptr(ScorchSession) again = scorch_session_new ();
    ScorchTransformStack *stack = scorch_session_get_transforms (again);

    scorch_session_set_profile (again, profile);
    g_assert_true (scorch_session_load_transforms (again, capture, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (scorch_transform_stack_get_n_applied (stack), ==, 2);
    g_assert_true (scorch_transform_equal (scorch_transform_stack_get_transform (stack, 0), focus));
    g_assert_true (scorch_transform_equal (scorch_transform_stack_get_transform (stack, 1), below));
    g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (again)), ==,
                      scorch_profile_get_total (scorch_session_get_filtered_profile (session)));
  }

  /* Hostile: not a list, a FIFO, too large; nothing is applied. */
  {
    g_autoptr(ScorchSession) s = scorch_session_new ();
    g_autofree char *big = g_strnfill (2 * 1024 * 1024, ' ');

    scorch_session_set_profile (s, profile);
    g_assert_true (g_file_set_contents (sidecar_path, "{\"format\":\"scorch-transforms\",\"version\":1,"
                                        "\"transforms\":[{\"kind\":\"drop-function\",\"name\":\"main\"},"
                                        "{\"kind\":\"min-percent\",\"percent\":1e400}]}", -1, NULL));
    g_assert_false (scorch_session_load_transforms (s, capture, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
    g_assert_cmpuint (scorch_transform_stack_get_n_transforms (scorch_session_get_transforms (s)), ==, 0);

    g_assert_true (g_file_set_contents (sidecar_path, big, -1, NULL));
    g_assert_false (scorch_session_load_transforms (s, capture, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);

    g_unlink (sidecar_path);
    g_assert_cmpint (mkfifo (sidecar_path, 0600), ==, 0);
    /* Would block forever if it were opened. */
    g_assert_false (scorch_session_load_transforms (s, capture, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
    g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (s)), ==, 100);
    g_unlink (sidecar_path);
  }

  /* Saving with no transform removes a stale sidecar. */
  g_assert_true (g_file_set_contents (sidecar_path, "stale", -1, NULL));
  scorch_transform_stack_clear (scorch_session_get_transforms (session));
  g_assert_true (scorch_session_save_transforms (session, capture, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (sidecar_path, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/session/transforms/filters-and-transforms", test_filters_and_transforms);
  g_test_add_func ("/app/session/transforms/sidecar", test_sidecar);

  return g_test_run ();
}
