/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-portable.c: portable captures (scorch-portable.h). A C workload
 * with an inline function, built and recorded with DWARF stacks at test
 * time, packed; its binary and debug file deleted and its directory
 * renamed, the portable capture reports the same (--tsv, --folded, --json)
 * while the plain one does not; the portable data adds at most 10 % to a
 * 10k-sample DWARF capture; perf report reads the file; record --portable;
 * damaged portable entries give a warning and no crash. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "scorch-capture-notes.h"
#include "scorch-capture-reader.h"
#include "scorch-module.h"
#include "scorch-perf-record.h"
#include "scorch-portable.h"
#include "scorch-symbol-paths.h"

static char *tmp;

static const char workload_src[] =
  "#include <stdlib.h>\n"
  "static inline __attribute__((always_inline)) double inner_step (double x)\n"
  "{ for (int i = 0; i < 50; i++) x = x * 1.0000001 + 0.5; return x; }\n"
  "__attribute__((noinline)) double work_a (double x)\n"
  "{ for (int i = 0; i < 1000; i++) x = inner_step (x); return x; }\n"
  "__attribute__((noinline)) double work_b (double x) { return work_a (x) + 1; }\n"
  "int main (int argc, char **argv)\n"
  "{ double s = 0; long n = argc > 1 ? atol (argv[1]) : 1000;\n"
  "  for (long i = 0; i < n; i++) s += work_b (i); return s == 42; }\n";

static char *
run_ok (const char * const *argv,
        char              **err_out,
        int                *status_out)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (tmp, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (status_out != NULL)
    *status_out = status;
  else if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

      g_error ("%s failed: %s", cmd, err);
    }
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);
  return out;
}

/* Asked once: each probe is a whole recording (about a second) */
static gboolean
can_record (void)
{
  static int answer = -1;

  if (answer < 0)
    {
      const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "-o", "/dev/null", "--duration", "0.1", "--", "true", NULL };
      int status;
      g_autofree char *out = run_ok (argv, NULL, &status);

      answer = g_spawn_check_wait_status (status, NULL);
    }
  return answer;
}

/* bin/w (stripped, debuglink to bin/w.debug), built from workload_src */
static char *
build_workload (void)
{
  g_autofree char *dir = g_build_filename (tmp, "bin", NULL);
  g_autofree char *src = g_build_filename (tmp, "w.c", NULL);
  char *exe = g_build_filename (dir, "w", NULL);
  g_autofree char *dbg = g_build_filename (dir, "w.debug", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (src, workload_src, -1, &error));
  {
    const char *cc[] = { "cc", "-O2", "-g", "-Wl,--build-id", "-o", exe, src, NULL };
    const char *keep[] = { "objcopy", "--only-keep-debug", exe, dbg, NULL };
    const char *strip[] = { "objcopy", "--strip-debug", "--add-gnu-debuglink", dbg, exe, NULL };
    g_autofree char *o1 = run_ok (cc, NULL, NULL);
    g_autofree char *o2 = run_ok (keep, NULL, NULL);
    g_autofree char *o3 = run_ok (strip, NULL, NULL);
  }
  return exe;
}

static char *
report (const char *format,
        const char *file)
{
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", format, file, NULL };

  return run_ok (argv, NULL, NULL);
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
test_pack_moved_binary (void)
{
  g_autofree char *exe = NULL;
  g_autofree char *cap = g_build_filename (tmp, "cap.data", NULL);
  g_autofree char *port = g_build_filename (tmp, "port.data", NULL);
  g_autofree char *bin = g_build_filename (tmp, "bin", NULL);
  g_autofree char *moved = g_build_filename (tmp, "moved", NULL);
  g_autofree char *tsv = NULL, *folded = NULL, *json = NULL;
  g_autofree char *tsv_p = NULL, *folded_p = NULL, *json_p = NULL, *tsv_plain = NULL;
  g_autofree char *moved_exe = NULL, *moved_dbg = NULL;
  goffset cap_size, port_size;
  g_autofree char *perf = NULL;

  if (!can_record ())
    {
      g_test_skip ("perf_event_open is not permitted here");
      return;
    }
  exe = build_workload ();

  /* about 10k DWARF samples: 4 kHz for 3.5 s (fewer on a busy machine) */
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "--call-graph", "dwarf", "-F", "4000",
                           "--duration", "3.5", "-o", cap, "--", exe, "100000000", NULL };
    g_autofree char *err = NULL;
    g_autofree char *out = run_ok (argv, &err, NULL);

    g_test_message ("%s", err);
  }
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "pack", cap, "-o", port, NULL };
    g_autofree char *out = run_ok (argv, NULL, NULL);
  }

  tsv = report ("--tsv", cap);
  folded = report ("--folded", cap);
  json = report ("--json", cap);
  /* symbolized on this machine, with the inline function as its own frame */
  g_assert_nonnull (strstr (tsv, "\tinner_step\t"));
  g_assert_nonnull (strstr (tsv, "\twork_a\t"));
  g_assert_nonnull (strstr (folded, ";work_a;inner_step_[i]"));

  /* the binary and its debug file gone, their directory renamed */
  g_assert_cmpint (g_rename (bin, moved), ==, 0);
  moved_exe = g_build_filename (moved, "w", NULL);
  moved_dbg = g_build_filename (moved, "w.debug", NULL);
  g_assert_cmpint (g_unlink (moved_exe), ==, 0);
  g_assert_cmpint (g_unlink (moved_dbg), ==, 0);

  tsv_p = report ("--tsv", port);
  folded_p = report ("--folded", port);
  json_p = report ("--json", port);
  g_assert_cmpstr (tsv_p, ==, tsv);
  g_assert_cmpstr (folded_p, ==, folded);
  g_assert_cmpstr (json_p, ==, json);

  /* the plain capture has lost its functions: the comparison can fail */
  tsv_plain = report ("--tsv", cap);
  g_assert_null (strstr (tsv_plain, "\tinner_step\t"));
  g_assert_cmpstr (tsv_plain, !=, tsv);

  /* size: the portable entries add at most 10 % */
  cap_size = file_size (cap);
  port_size = file_size (port);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ScorchCaptureReader) reader = scorch_capture_reader_new (port, &error);
    g_autoptr(ScorchPortable) portable = NULL;
    gsize len = 0;

    g_assert_no_error (error);
    portable = scorch_portable_new_from_notes (scorch_capture_reader_get_notes (reader), &error);
    g_assert_no_error (error);
    g_assert_nonnull (portable);
    /* 10k on an idle machine; what a busy one gives still measures the ratio */
    g_assert_cmpuint (scorch_portable_get_n_stacks (portable), >=, 1000);
    g_assert_cmpuint (scorch_portable_get_n_addresses (portable), >, 0);
    g_assert_nonnull (scorch_capture_notes_get (scorch_capture_reader_get_notes (reader),
                                                SCORCH_CAPTURE_NOTE_PORTABLE_SYMBOLS, &len));
    g_test_message ("%u DWARF samples: capture %" G_GOFFSET_FORMAT " bytes, portable %" G_GOFFSET_FORMAT
                    " bytes (+%.2f %%)", scorch_portable_get_n_stacks (portable), cap_size, port_size,
                    100.0 * (port_size - cap_size) / cap_size);
  }
  g_assert_cmpint (port_size, >, cap_size);
  g_assert_cmpint ((port_size - cap_size) * 10, <=, cap_size);

  /* perf report still reads it */
  perf = g_find_program_in_path ("perf");
  if (perf != NULL)
    {
      const char *argv[] = { "perf", "report", "-i", port, "--stdio", "--sort", "dso", NULL };
      g_autofree char *err = NULL;
      int status;
      g_autofree char *out = run_ok (argv, &err, &status);

      g_test_message ("perf report: %s", err);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (out, "%"));
    }

  /* the portable capture packed again keeps its entries */
  {
    g_autofree char *again = g_build_filename (tmp, "again.data", NULL);
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "pack", port, "-o", again, NULL };
    g_autofree char *out = run_ok (argv, NULL, NULL);
    g_autofree char *tsv_a = report ("--tsv", again);

    g_assert_cmpstr (tsv_a, ==, tsv);
  }

  /* damaged entries: a warning, the capture read without them */
  {
    g_autofree char *bad = g_build_filename (tmp, "bad.data", NULL);
    g_autofree gchar *bytes = NULL;
    gsize len;
    g_autoptr(GError) error = NULL;
    const char *key = SCORCH_CAPTURE_NOTE_PORTABLE_SYMBOLS;
    char *at;
    g_autofree char *err = NULL;
    int status;

    g_assert_true (g_file_get_contents (port, &bytes, &len, &error));
    at = memmem (bytes, len, key, strlen (key));
    g_assert_nonnull (at);
    memset (at + strlen (key), 0xff, 4); /* the version */
    g_assert_true (g_file_set_contents (bad, bytes, len, &error));
    {
      const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", bad, NULL };
      g_autofree char *out = run_ok (argv, &err, &status);

      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (err, "Malformed portable symbol data"));
      g_assert_null (strstr (out, "\tinner_step\t"));
    }
  }
}

static void
test_record_portable (void)
{
  g_autofree char *exe = NULL;
  g_autofree char *cap = g_build_filename (tmp, "rec-portable.data", NULL);
  g_autofree char *tsv = NULL, *tsv_after = NULL;
  g_autofree char *bin = g_build_filename (tmp, "bin", NULL);
  g_autofree char *gone = g_build_filename (tmp, "gone", NULL);

  if (!can_record ())
    {
      g_test_skip ("perf_event_open is not permitted here");
      return;
    }
  exe = build_workload ();
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "--portable", "--call-graph", "dwarf",
                           "--duration", "0.5", "-o", cap, "--", exe, "100000000", NULL };
    g_autofree char *out = run_ok (argv, NULL, NULL);
  }
  tsv = report ("--tsv", cap);
  g_assert_nonnull (strstr (tsv, "\tinner_step\t"));
  g_assert_cmpint (g_rename (bin, gone), ==, 0);
  tsv_after = report ("--tsv", cap);
  g_assert_cmpstr (tsv_after, ==, tsv);
  {
    const char *argv[] = { "rm", "-rf", gone, NULL };
    g_autofree char *out = run_ok (argv, NULL, NULL);
  }
}

/* --sysroot and --substitute-path on a capture whose binary was copied
 * elsewhere and deleted (a new inode: also what the unwinder checks). */
static void
test_symbol_paths (void)
{
  g_autofree char *exe = NULL;
  g_autofree char *cap = g_build_filename (tmp, "paths.data", NULL);
  g_autofree char *sysroot = g_build_filename (tmp, "sysroot", NULL);
  g_autofree char *copy_dir = NULL, *copy_exe = NULL, *copy_dbg = NULL, *exe_dbg = NULL;
  g_autofree char *tsv = NULL, *tsv_gone = NULL, *tsv_root = NULL, *tsv_sub = NULL;
  g_autofree char *bin = g_build_filename (tmp, "bin", NULL);
  g_autofree char *sub = NULL;

  if (!can_record ())
    {
      g_test_skip ("perf_event_open is not permitted here");
      return;
    }
  exe = build_workload ();
  exe_dbg = g_strconcat (exe, ".debug", NULL);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "--call-graph", "dwarf",
                           "--duration", "0.5", "-o", cap, "--", exe, "100000000", NULL };
    g_autofree char *out = run_ok (argv, NULL, NULL);
  }
  tsv = report ("--tsv", cap);
  g_assert_nonnull (strstr (tsv, "\tinner_step\t"));

  copy_dir = g_strconcat (sysroot, bin, NULL);
  copy_exe = g_build_filename (copy_dir, "w", NULL);
  copy_dbg = g_build_filename (copy_dir, "w.debug", NULL);
  g_assert_cmpint (g_mkdir_with_parents (copy_dir, 0755), ==, 0);
  {
    const char *cp[] = { "cp", exe, exe_dbg, copy_dir, NULL };
    const char *rm[] = { "rm", "-rf", bin, NULL };
    g_autofree char *o1 = run_ok (cp, NULL, NULL);
    g_autofree char *o2 = run_ok (rm, NULL, NULL);
  }
  tsv_gone = report ("--tsv", cap);
  g_assert_null (strstr (tsv_gone, "\tinner_step\t"));
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", "--sysroot", sysroot, cap, NULL };

    tsv_root = run_ok (argv, NULL, NULL);
  }
  g_assert_cmpstr (tsv_root, ==, tsv);
  sub = g_strconcat (bin, "=", copy_dir, NULL);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", "--substitute-path", "/nowhere=/nothing",
                           "--substitute-path", sub, cap, NULL };

    tsv_sub = run_ok (argv, NULL, NULL);
  }
  g_assert_cmpstr (tsv_sub, ==, tsv);
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", "--substitute-path", "relative", cap, NULL };
    g_autofree char *err = NULL;
    int status;
    g_autofree char *out = run_ok (argv, &err, &status);

    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "FROM=TO"));
  }

  /* perf's build-id cache: <PERF_BUILDID_DIR><path>/<build id>/elf */
  {
    g_autofree char *cache = g_build_filename (tmp, "buildid-cache", NULL);
    guint8 id[64];
    guint id_len = scorch_module_read_build_id (copy_exe, id, sizeof id);
    g_autofree char *hex = NULL;
    g_autofree char *entry_dir = NULL;
    g_autofree char *entry = NULL;
    g_autofree char *tsv_cache = NULL;

    g_assert_cmpuint (id_len, >, 0);
    hex = scorch_module_build_id_to_hex (id, id_len);
    entry_dir = g_strconcat (cache, exe, "/", hex, NULL);
    entry = g_build_filename (entry_dir, "elf", NULL);
    g_assert_cmpint (g_mkdir_with_parents (entry_dir, 0755), ==, 0);
    {
      const char *cp[] = { "cp", copy_exe, entry, NULL };
      g_autofree char *o = run_ok (cp, NULL, NULL);
    }
    g_setenv ("PERF_BUILDID_DIR", cache, TRUE);
    tsv_cache = report ("--tsv", cap);
    g_unsetenv ("PERF_BUILDID_DIR");
    g_assert_nonnull (strstr (tsv_cache, "\twork_b\t"));
  }

  {
    const char *rm[] = { "rm", "-rf", sysroot, NULL };
    g_autofree char *o = run_ok (rm, NULL, NULL);
  }
}

static void
test_symbol_path_candidates (void)
{
  g_autoptr(ScorchSymbolPaths) p = scorch_symbol_paths_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) c1 = NULL;
  g_auto(GStrv) c2 = NULL;
  g_auto(GStrv) c3 = NULL;

  g_assert_null (scorch_symbol_paths_candidates (p, "/usr/lib/x.so"));
  scorch_symbol_paths_set_sysroot (p, "/srv/root/");
  g_assert_true (scorch_symbol_paths_add_substitution (p, "/opt/app=/home/me/app", &error));
  g_assert_false (scorch_symbol_paths_add_substitution (p, "opt=/x", &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  c1 = scorch_symbol_paths_candidates (p, "/opt/app/bin/x");
  g_assert_cmpuint (g_strv_length (c1), ==, 2);
  g_assert_cmpstr (c1[0], ==, "/home/me/app/bin/x");
  g_assert_cmpstr (c1[1], ==, "/srv/root/opt/app/bin/x");
  c2 = scorch_symbol_paths_candidates (p, "/opt/application");
  g_assert_cmpuint (g_strv_length (c2), ==, 1);
  /* untrusted paths do not climb out, relative ones are not looked up */
  g_assert_null (scorch_symbol_paths_candidates (p, "/../../etc/shadow"));
  g_assert_null (scorch_symbol_paths_candidates (p, "[vdso]"));
  c3 = scorch_symbol_paths_candidates (p, "/a/..");
  g_assert_null (c3);
}

/* Containers: the program runs in its own mount namespace from a private
 * copy bind-mounted at a path that is empty outside; record --portable
 * reads it through /proc/PID/root while it runs. */
static void
test_mount_namespace (void)
{
  g_autofree char *exe = NULL;
  g_autofree char *cap = g_build_filename (tmp, "ns.data", NULL);
  g_autofree char *plain = g_build_filename (tmp, "ns-plain.data", NULL);
  g_autofree char *shadow = g_build_filename (tmp, "shadow", NULL);
  g_autofree char *bin = g_build_filename (tmp, "bin", NULL);
  g_autofree char *inside = g_build_filename (shadow, "w", NULL);
  g_autofree char *script = NULL;
  g_autofree char *tsv = NULL, *tsv_plain = NULL;
  g_autofree char *unshare = g_find_program_in_path ("unshare");

  if (!can_record ())
    {
      g_test_skip ("perf_event_open is not permitted here");
      return;
    }
  if (unshare == NULL || getuid () != 0)
    {
      g_test_skip ("unshare -m needs unshare(1) and root");
      return;
    }
  exe = build_workload ();
  g_assert_cmpint (g_mkdir_with_parents (shadow, 0755), ==, 0);
  script = g_strdup_printf ("mount --bind '%s' '%s' && exec '%s' 100000000", bin, shadow, inside);
  g_assert_false (g_file_test (inside, G_FILE_TEST_EXISTS));
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "--portable", "--call-graph", "dwarf",
                           "--duration", "0.7", "-o", cap, "--", "unshare", "-m", "sh", "-c", script, NULL };
    g_autofree char *out = run_ok (argv, NULL, NULL);
  }
  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "--call-graph", "dwarf",
                           "--duration", "0.3", "-o", plain, "--", "unshare", "-m", "sh", "-c", script, NULL };
    g_autofree char *out = run_ok (argv, NULL, NULL);
  }
  /* the path exists only inside */
  g_assert_false (g_file_test (inside, G_FILE_TEST_EXISTS));
  tsv = report ("--tsv", cap);
  g_test_message ("%s", tsv);
  /* symbols from the binary (its separate debug file, found next to it
   * through the debuglink, is not reached once the process is gone: no
   * inline frames here) */
  g_assert_nonnull (strstr (tsv, "\twork_a\t"));
  g_assert_nonnull (strstr (tsv, "\twork_b\t"));
  g_assert_nonnull (strstr (tsv, inside));
  /* read later, without the portable entries, the path is not there */
  tsv_plain = report ("--tsv", plain);
  g_assert_null (strstr (tsv_plain, "\twork_a\t"));
  {
    const char *rm[] = { "rm", "-rf", bin, shadow, NULL };
    g_autofree char *o = run_ok (rm, NULL, NULL);
  }
}

/* Every truncation and single-byte corruption of valid entries: an error
 * or a table, never a crash or a read out of bounds (ASan). */
static void
test_hostile_entries (void)
{
  g_autoptr(ScorchPortableBuilder) builder = scorch_portable_builder_new ();
  g_autoptr(ScorchCaptureNotes) notes = scorch_capture_notes_new ();
  static const guint8 bid[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
  ScorchMapping map = { .path = "/usr/bin/x", .build_id = bid, .build_id_len = 20,
                        .start = 0x1000, .end = 0x2000 };
  ScorchSymbol syms[2] = {
    { "inlined", "/usr/bin/x", "x.c", 3, 0x10, SCORCH_FRAME_KIND_INLINED },
    { "outer", "/usr/bin/x", NULL, 0, 0x10, SCORCH_FRAME_KIND_USER },
  };
  guint64 ips[3] = { 0x1010, 0x1020, 0x1030 };
  const char *keys[] = { SCORCH_CAPTURE_NOTE_PORTABLE_SYMBOLS, SCORCH_CAPTURE_NOTE_PORTABLE_STACKS };

  scorch_portable_builder_add_address (builder, &map, 0x10, syms, 2);
  scorch_portable_builder_add_address (builder, NULL, 0xffffffff81000000ull, syms + 1, 1);
  scorch_portable_builder_add_stack (builder, 100, 7, ips, 3);
  scorch_portable_builder_write_notes (builder, notes);

  /* valid: round trip */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ScorchPortable) p = scorch_portable_new_from_notes (notes, &error);
    ScorchSymbol out[4];
    guint n = 0;
    const guint64 *sips;

    g_assert_no_error (error);
    g_assert_true (scorch_portable_lookup (p, &map, 0x10, out, 4, &n));
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpstr (out[0].function, ==, "inlined");
    g_assert_cmpstr (out[0].file, ==, "x.c");
    g_assert_cmpint (out[0].kind, ==, SCORCH_FRAME_KIND_INLINED);
    g_assert_null (out[1].file);
    g_assert_false (scorch_portable_lookup (p, &map, 0x11, out, 4, &n));
    g_assert_true (scorch_portable_lookup (p, NULL, 0xffffffff81000000ull, out, 4, &n));
    g_assert_cmpstr (out[0].function, ==, "outer");
    g_assert_true (scorch_portable_get_stack (p, 0, 100, 7, &sips, &n));
    g_assert_cmpuint (n, ==, 3);
    g_assert_cmpuint (sips[2], ==, 0x1030);
    g_assert_false (scorch_portable_get_stack (p, 0, 101, 7, &sips, &n)); /* another sample */
    g_assert_false (scorch_portable_get_stack (p, 1, 100, 7, &sips, &n));
  }

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      gsize len = 0;
      const guint8 *value = scorch_capture_notes_get (notes, keys[k], &len);
      g_autofree guint8 *valid = g_memdup2 (value, len);
      guint n_errors = 0;

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autoptr(ScorchCaptureNotes) n2 = scorch_capture_notes_new ();
          g_autoptr(GError) error = NULL;
          g_autoptr(ScorchPortable) p = NULL;
          g_autofree guint8 *copy = g_memdup2 (valid, cut);

          scorch_capture_notes_set (n2, keys[k], copy, cut);
          p = scorch_portable_new_from_notes (n2, &error);
          g_assert_null (p);
          g_assert_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED);
          n_errors++;
        }
      g_assert_cmpuint (n_errors, ==, len);

      for (gsize at = 0; at < len; at++)
        {
          g_autoptr(ScorchCaptureNotes) n2 = scorch_capture_notes_new ();
          g_autoptr(GError) error = NULL;
          g_autoptr(ScorchPortable) p = NULL;
          g_autofree guint8 *copy = g_memdup2 (valid, len);

          copy[at] ^= 0xa5;
          scorch_capture_notes_set (n2, keys[k], copy, len);
          p = scorch_portable_new_from_notes (n2, &error);
          g_assert_true ((p == NULL) == (error != NULL));
          if (p != NULL)
            {
              ScorchSymbol out[4];
              guint n;
              const guint64 *sips;

              scorch_portable_lookup (p, &map, 0x10, out, 4, &n);
              scorch_portable_get_stack (p, 0, 100, 7, &sips, &n);
            }
        }
    }
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp = g_dir_make_tmp ("scorch-portable-XXXXXX", NULL);
  g_assert_nonnull (tmp);

  g_test_add_func ("/libscorch/portable/hostile-entries", test_hostile_entries);
  g_test_add_func ("/libscorch/portable/pack-moved-binary", test_pack_moved_binary);
  g_test_add_func ("/libscorch/portable/record-portable", test_record_portable);
  g_test_add_func ("/libscorch/portable/symbol-paths", test_symbol_paths);
  g_test_add_func ("/libscorch/portable/mount-namespace", test_mount_namespace);
  g_test_add_func ("/libscorch/portable/symbol-path-candidates", test_symbol_path_candidates);
  ret = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", tmp, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (tmp);
  return ret;
}
