/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-speedscope.c: speedscope JSON export and import (scorch-speedscope.c):
 * a round trip keeps stacks, per-thread profiles and shares; evented
 * profiles and fractional weights import; truncated and malformed files
 * get clear errors. */

#include "config.h"

#include <string.h>

#include "scorch-profile-format.h"
#include "scorch-speedscope.h"

static ScorchProfile *
make_profile (void)
{
  g_autoptr(ScorchProfileBuilder) b = scorch_profile_builder_new ();
  guint32 main_f = scorch_profile_builder_intern_frame (b, "main", "/app", "app.c", 10, SCORCH_FRAME_KIND_USER);
  guint32 work = scorch_profile_builder_intern_frame (b, "work", "/app", "app.c", 20, SCORCH_FRAME_KIND_USER);
  guint32 leaf = scorch_profile_builder_intern_frame (b, "memcpy", "/libc", NULL, 0, SCORCH_FRAME_KIND_USER);
  guint32 odd = scorch_profile_builder_intern_frame (b, "q\"uo\\te\x01\xff", "/app", NULL, 0, SCORCH_FRAME_KIND_USER);
  const guint32 s1[] = { main_f, work, leaf };
  const guint32 s2[] = { main_f, work };
  const guint32 s3[] = { main_f, odd };

  scorch_profile_builder_set_thread_name (b, 7, 7, "app");
  scorch_profile_builder_set_thread_name (b, 7, 8, "worker");
  for (guint i = 0; i < 6; i++)
    scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 100 + i, .pid = 7, .tid = 7,
                                                                   .frames = s1, .n_frames = 3, .weight = 1 });
  for (guint i = 0; i < 3; i++)
    scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 200 + i, .pid = 7, .tid = 8,
                                                                   .frames = s2, .n_frames = 2, .weight = 1 });
  scorch_profile_builder_add_sample (b, &(ScorchProfileSample) { .time = 300, .pid = 7, .tid = 8,
                                                                 .frames = s3, .n_frames = 2, .weight = 1 });
  return scorch_profile_builder_end (g_steal_pointer (&b));
}

static char *
write_json (ScorchProfile *profile,
            gsize         *len)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (scorch_speedscope_write (profile, "test \"profile\"", out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  *len = g_bytes_get_size (bytes) - 1;
  return g_bytes_unref_to_data (g_steal_pointer (&bytes), &(gsize) { 0 });
}

static double
self_share (ScorchProfile *profile,
            const char    *function)
{
  const ScorchHotspot *hotspots;
  guint n;

  hotspots = scorch_profile_get_hotspots (profile, &n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (scorch_profile_get_frame (profile, hotspots[i].frame)->function, function))
      return (double) hotspots[i].self / scorch_profile_get_total (profile);
  return -1;
}

static void
test_round_trip (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) back = NULL;
  g_autofree char *json = NULL;
  const ScorchThread *threads;
  guint n_threads;
  gsize len;

  json = write_json (profile, &len);
  g_assert_true (g_utf8_validate (json, len, NULL));
  g_assert_true (scorch_speedscope_format.sniff ((const guint8 *) json, len));
  g_assert_nonnull (strstr (json, "\"$schema\":\"https://www.speedscope.app/file-format-schema.json\""));

  back = scorch_speedscope_parse (json, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpuint (scorch_profile_get_total (back), ==, 10);
  g_assert_cmpfloat_with_epsilon (self_share (back, "memcpy"), 0.6, 1e-9);
  g_assert_cmpfloat_with_epsilon (self_share (back, "work"), 0.3, 1e-9);
  g_assert_cmpfloat_with_epsilon (self_share (back, "main"), 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (self_share (back, "q\"uo\\te\x01\xef\xbf\xbd"), 0.1, 1e-9);

  threads = scorch_profile_get_threads (back, &n_threads);
  g_assert_cmpuint (n_threads, ==, 2);
  g_assert_cmpstr (threads[0].name, ==, "app (7)");
  g_assert_cmpstr (threads[1].name, ==, "worker (8)");
}

static void
test_evented_and_fractions (void)
{
  static const char evented[] =
    "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
    "\"shared\":{\"frames\":[{\"name\":\"a\"},{\"name\":\"b\",\"file\":\"b.js\",\"line\":3}]},"
    "\"profiles\":[{\"type\":\"evented\",\"name\":\"main\",\"unit\":\"milliseconds\",\"startValue\":0,\"endValue\":10,"
    "\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":0},{\"type\":\"O\",\"frame\":1,\"at\":2.5},"
    "{\"type\":\"C\",\"frame\":1,\"at\":10},{\"type\":\"C\",\"frame\":0,\"at\":10}]},"
    "{\"type\":\"sampled\",\"name\":\"t2\",\"unit\":\"milliseconds\",\"startValue\":0,\"endValue\":1,"
    "\"samples\":[[0,1],[0]],\"weights\":[0.25,0.25]}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) p = scorch_speedscope_parse (evented, strlen (evented), &error);

  g_assert_no_error (error);
  /* a: 2.5 + 0.25 of 10.5; b: 7.5 + 0.25 of 10.5 */
  g_assert_cmpfloat_with_epsilon (self_share (p, "a"), 2.75 / 10.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (self_share (p, "b"), 7.75 / 10.5, 1e-6);

  /* Nanoseconds that are whole periods read back as sample counts. */
  {
    static const char ns[] =
      "{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
      "\"unit\":\"nanoseconds\",\"samples\":[[0],[0]],\"weights\":[500000,1000000]}]}";
    g_autoptr(ScorchProfile) q = scorch_speedscope_parse (ns, strlen (ns), &error);

    g_assert_no_error (error);
    g_assert_cmpuint (scorch_profile_get_total (q), ==, 3);
  }
}

static void
assert_fails (const char *json,
              gssize      len,
              const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) p = NULL;

  if (len < 0)
    len = strlen (json);
  p = scorch_speedscope_parse (json, len, &error);
  g_assert_null (p);
  g_assert_nonnull (error);
  g_assert_true (error->domain == SCORCH_SPEEDSCOPE_ERROR);
  if (what != NULL && strstr (error->message, what) == NULL)
    g_error ("expected “%s” in “%s”", what, error->message);
}

static void
test_truncated (void)
{
  g_autoptr(ScorchProfile) profile = make_profile ();
  g_autofree char *json = NULL;
  gsize len;

  json = write_json (profile, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree char *copy = g_strndup (json, cut);

      assert_fails (copy, cut, cut > 0 ? "Not a speedscope file" : NULL);
    }
}

static void
test_malformed (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"shared\":{\"frames\":[]},\"profiles\":");

  assert_fails ("[1,2]", -1, "not an object");
  assert_fails ("{\"profiles\":[]}", -1, "shared.frames");
  assert_fails ("{\"shared\":{\"frames\":[{\"name\":5}]},\"profiles\":[]}", -1, "no “name”");
  assert_fails ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
                "\"samples\":[[3]],\"weights\":[1]}]}", -1, "not in shared.frames");
  assert_fails ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
                "\"samples\":[[0]],\"weights\":[]}]}", -1, "as many weights");
  assert_fails ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
                "\"samples\":[[0]],\"weights\":[-1]}]}", -1, "weight");
  assert_fails ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":5}]}", -1, "neither");
  assert_fails ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"evented\","
                "\"events\":[{\"type\":\"C\",\"frame\":0,\"at\":1}]}]}", -1, "innermost open");
  assert_fails ("{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\","
                "\"samples\":[[0]],\"weights\":[0]}]}", -1, "no samples");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  assert_fails (deep->str, deep->len, "too deeply");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/speedscope/round-trip", test_round_trip);
  g_test_add_func ("/libscorch/speedscope/evented-and-fractions", test_evented_and_fractions);
  g_test_add_func ("/libscorch/speedscope/truncated", test_truncated);
  g_test_add_func ("/libscorch/speedscope/malformed", test_malformed);

  return g_test_run ();
}
