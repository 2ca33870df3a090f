/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-symbol-sources.c: where a capture's symbols come from when they are
 * not where it was recorded, end to end with `perf record` at test time and
 * `scorch-cli report --tsv`:
 *  - `perf archive` of a DWARF capture: the binary's directory renamed, the
 *    report (names and unwound stacks) is the same with CAPTURE.tar.bz2
 *    beside the capture or given with --symfs-archive, and has no names
 *    without it;
 *  - debuginfod: a local `debuginfod -F DIR` serves a binary that was
 *    removed, and the debug file of a stripped one; names with
 *    DEBUGINFOD_URLS, none without; a DWARF capture of a binary without
 *    frame pointers unwinds through the served executable;
 *  - --kallsyms FILE: kernel frames are named from FILE (a copy of
 *    /proc/kallsyms with every name marked);
 *  - --debug-dirs: a stripped binary's separate debug file found by build id
 *    and by name (DIR/<binary's directory>/<debuglink>);
 *  - a DWARF capture whose binary is only at a debug dir's .build-id/xx/yyyy
 *    link (its path gone, or holding another build) unwinds as before.
 * Every scorch-cli run gets a fresh XDG_CACHE_HOME and an empty
 * PERF_BUILDID_DIR, and no DEBUGINFOD_URLS unless the test sets it. */

#include "config.h"

#include <fcntl.h>
#include <gelf.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perf-record-util.h"
#include "scorch-module.h"

static char *tmp;
static guint n_runs;

static const char workload_src[] =
  "#include <stdlib.h>\n"
  "#include <unistd.h>\n"
  "#include <sys/syscall.h>\n"
  "__attribute__((noinline)) static double LEAF (double x)\n"
  "{ for (int i = 0; i < 20000; i++) x = x * 1.0000001 + 0.5; return x; }\n"
  "__attribute__((noinline)) double mid (double x) { return LEAF (x) + 1; }\n"
  "int main (int argc, char **argv)\n"
  "{ double s = 0; long n = atol (argv[1]); int sys = argc > 2;\n"
  "  for (long i = 0; i < n; i++)\n"
  "    { s += mid (i); if (sys) for (int k = 0; k < 50; k++) syscall (SYS_getppid); }\n"
  "  return s == 42; }\n";

/* Runs argv in tmp; returns the exit status, stdout in *out. */
static int
run (const char * const *argv,
     char              **envp,
     char              **out,
     char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (tmp, (char **) argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return status;
}

static char *
run_ok (const char * const *argv,
        char              **envp)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = run (argv, envp, &out, &err);

  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);

      g_error ("%s failed: %s", cmd, err);
    }
  return out;
}

/* The environment of one scorch-cli run: its own empty cache, an empty
 * perf build-id cache, no debuginfod unless given. */
static char **
cli_env (const char *debuginfod_urls,
         const char *debuginfod_cache)
{
  char **env = g_get_environ ();
  g_autofree char *xdg = g_strdup_printf ("%s/xdg-%u", tmp, n_runs++);
  g_autofree char *empty = g_build_filename (tmp, "empty-buildid-cache", NULL);

  g_assert_cmpint (g_mkdir_with_parents (xdg, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", xdg, TRUE);
  env = g_environ_setenv (env, "PERF_BUILDID_DIR", empty, TRUE);
  env = g_environ_unsetenv (env, "SCORCH_DEBUG_DIRS");
  env = g_environ_unsetenv (env, "SCORCH_KALLSYMS");
  env = g_environ_unsetenv (env, "SCORCH_SYMFS_ARCHIVE");
  if (debuginfod_urls != NULL)
    {
      env = g_environ_setenv (env, "DEBUGINFOD_URLS", debuginfod_urls, TRUE);
      env = g_environ_setenv (env, "DEBUGINFOD_CACHE_PATH", debuginfod_cache, TRUE);
    }
  else
    env = g_environ_unsetenv (env, "DEBUGINFOD_URLS");
  return env;
}

/* scorch-cli report --tsv [extra...] capture */
static char *
report (const char  *capture,
        char       **env,
        const char  *opt1,
        const char  *arg1)
{
  const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", opt1, arg1, NULL, NULL };
  guint i = opt1 != NULL ? 5 : 3;

  argv[i] = capture;
  return run_ok (argv, env);
}

static gboolean
has_function (const char *tsv,
              const char *name)
{
  g_autofree char *needle = g_strdup_printf ("\t%s\t", name);

  return strstr (tsv, needle) != NULL;
}

/* Whether the report has a row for function name with a total above its
 * self (callees unwound below it) */
static gboolean
has_caller_row (const char *tsv,
                const char *name)
{
  g_auto(GStrv) lines = g_strsplit (tsv, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (f) >= 5 && strcmp (f[4], name) == 0 &&
          g_ascii_strtod (f[3], NULL) > g_ascii_strtod (f[2], NULL))
        return TRUE;
    }
  return FALSE;
}

/* DIR/bin/w built from workload_src with LEAF named leaf, stripped of its
 * debug info into DIR/bin/w.debug when split, without frame pointers
 * unless frame_pointers. */
static char *
build_workload_full (const char *dir,
                     const char *leaf,
                     gboolean    split,
                     gboolean    frame_pointers)
{
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *src = g_build_filename (dir, "w.c", NULL);
  g_autofree char *def = g_strdup_printf ("-DLEAF=%s", leaf);
  char *exe = g_build_filename (bin, "w", NULL);

  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  g_assert_true (g_file_set_contents (src, workload_src, -1, NULL));
  {
    const char *cc[] = { "cc", "-O2", "-g", frame_pointers ? "-fno-omit-frame-pointer" : "-fomit-frame-pointer",
                         def, "-Wl,--build-id",
                         "-o", exe, src, NULL };
    g_autofree char *o = run_ok (cc, NULL);
  }
  if (split)
    {
      g_autofree char *dbg = g_strconcat (exe, ".debug", NULL);
      const char *keep[] = { "objcopy", "--only-keep-debug", exe, dbg, NULL };
      const char *strip[] = { "objcopy", "--strip-all", "--add-gnu-debuglink", dbg, exe, NULL };
      g_autofree char *o1 = run_ok (keep, NULL);
      g_autofree char *o2 = run_ok (strip, NULL);
    }
  return exe;
}

static char *
build_workload (const char *dir,
                const char *leaf,
                gboolean    split)
{
  return build_workload_full (dir, leaf, split, TRUE);
}

/* perf record -g of exe (with syscalls when sys), into cap; perf's own
 * build-id cache at buildid_dir, or none when NULL. */
static void
perf_record_full (const char *exe,
                  const char *cap,
                  gboolean    sys,
                  const char *buildid_dir,
                  gboolean    dwarf)
{
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { "perf", "record", "-q", "--call-graph", dwarf ? "dwarf" : "fp", "-F", "999", "-o", cap,
                         buildid_dir == NULL ? "-N" : "-q",
                         "--", exe, "15000", sys ? "sys" : NULL, NULL };

  if (buildid_dir != NULL)
    env = g_environ_setenv (env, "PERF_BUILDID_DIR", buildid_dir, TRUE);
  perf_record_util_run_ok (argv, (const char * const *) env);
}

static void
perf_record (const char *exe,
             const char *cap,
             gboolean    sys,
             const char *buildid_dir)
{
  perf_record_full (exe, cap, sys, buildid_dir, FALSE);
}

/* Asked once: each probe is a whole perf record (about a second) */
static gboolean
can_record (void)
{
  static int answer = -1;

  if (answer < 0)
    {
      g_autofree char *cap = g_build_filename (tmp, "probe.data", NULL);
      const char *argv[] = { "perf", "record", "-q", "-N", "-o", cap, "--", "true", NULL };
      g_autofree char *perf = g_find_program_in_path ("perf");

      /* (with the retry: perf's own abort must not skip the test) */
      answer = perf != NULL && perf_record_util_run (argv, NULL, NULL);
    }
  return answer;
}

/* TRUE (and the test skipped) when perf record cannot run here */
static gboolean
skip_unless_recording (void)
{
  if (can_record ())
    return FALSE;
  g_test_skip ("perf record is not permitted here");
  return TRUE;
}

/* The build id of the ELF file at PATH, in hex (it must have one) */
static char *
build_id_hex (const char *path)
{
  guint8 id[64];
  guint len = scorch_module_read_build_id (path, id, sizeof id);

  g_assert_cmpuint (len, >, 0);
  return scorch_module_build_id_to_hex (id, len);
}

static void
test_perf_archive (void)
{
  g_autofree char *dir = g_build_filename (tmp, "archive", NULL);
  g_autofree char *cache = g_build_filename (dir, "perf-buildid-cache", NULL);
  g_autofree char *cap = g_build_filename (dir, "cap.data", NULL);
  g_autofree char *tarball = g_strconcat (cap, ".tar.bz2", NULL);
  g_autofree char *aside = g_build_filename (dir, "aside.tar.bz2", NULL);
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *moved = g_build_filename (dir, "bin-moved", NULL);
  g_autofree char *exe = NULL;
  g_autofree char *tsv = NULL, *tsv_none = NULL, *tsv_beside = NULL, *tsv_option = NULL;
  g_auto(GStrv) env1 = NULL, env2 = NULL, env3 = NULL, env4 = NULL;

  if (skip_unless_recording ())
    return;
  exe = build_workload (dir, "leaf_archive", FALSE);
  /* DWARF stacks: the unwinder reads the archive's copy too */
  perf_record_full (exe, cap, FALSE, cache, TRUE);
  env1 = cli_env (NULL, NULL);
  tsv = report (cap, env1, NULL, NULL);
  g_assert_true (has_function (tsv, "leaf_archive"));
  g_assert_true (has_function (tsv, "mid"));

  /* perf 6.1's perf archive: CAPTURE.tar.bz2, and what to do with it */
  {
    g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "PERF_BUILDID_DIR", cache, TRUE);
    const char *argv[] = { "perf", "archive", cap, NULL };
    g_autofree char *out = run_ok (argv, env);

    g_assert_nonnull (strstr (out, "tar xvf"));
    g_assert_true (g_file_test (tarball, G_FILE_TEST_IS_REGULAR));
  }

  g_assert_cmpint (g_rename (bin, moved), ==, 0);
  g_assert_cmpint (g_rename (tarball, aside), ==, 0);
  env2 = cli_env (NULL, NULL);
  tsv_none = report (cap, env2, NULL, NULL);
  g_assert_false (has_function (tsv_none, "leaf_archive"));

  /* beside the capture: read without being asked */
  g_assert_cmpint (g_rename (aside, tarball), ==, 0);
  env3 = cli_env (NULL, NULL);
  tsv_beside = report (cap, env3, NULL, NULL);
  g_assert_cmpstr (tsv_beside, ==, tsv);

  /* elsewhere, with --symfs-archive */
  g_assert_cmpint (g_rename (tarball, aside), ==, 0);
  env4 = cli_env (NULL, NULL);
  tsv_option = report (cap, env4, "--symfs-archive", aside);
  g_assert_cmpstr (tsv_option, ==, tsv);

  /* a missing archive named on the command line is an error */
  {
    g_auto(GStrv) env = cli_env (NULL, NULL);
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "report", "--tsv", "--symfs-archive",
                           "/nonexistent/x.tar.bz2", cap, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_false (g_spawn_check_wait_status (run (argv, env, &out, &err), NULL));
    g_assert_nonnull (strstr (err, "x.tar.bz2"));
  }
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (s);
  g_assert_true (g_socket_bind (s, any, TRUE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_debuginfod (void)
{
#if HAVE_DEBUGINFOD
  g_autofree char *dir = g_build_filename (tmp, "debuginfod", NULL);
  g_autofree char *srv = g_build_filename (dir, "served", NULL);
  g_autofree char *served = g_build_filename (srv, "w", NULL);
  g_autofree char *db = g_build_filename (dir, "index.sqlite", NULL);
  g_autofree char *client_cache = g_build_filename (dir, "client-cache", NULL);
  g_autofree char *cap = g_build_filename (dir, "cap.data", NULL);
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *exe = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autofree char *tsv = NULL, *tsv_off = NULL, *tsv_on = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env1 = NULL, env2 = NULL, env3 = NULL;
  g_autofree char *dir2 = g_build_filename (dir, "split", NULL);
  g_autofree char *cap2 = g_build_filename (dir, "cap2.data", NULL);
  g_autofree char *exe2 = NULL, *hex2 = NULL, *tsv2_off = NULL, *tsv2_on = NULL;
  g_auto(GStrv) env4 = NULL;
  g_autofree char *dir3 = g_build_filename (dir, "dwarf", NULL);
  g_autofree char *bin3 = g_build_filename (dir3, "bin", NULL);
  g_autofree char *cap3 = g_build_filename (dir, "cap3.data", NULL);
  g_autofree char *served3 = g_build_filename (srv, "w3", NULL);
  g_autofree char *exe3 = NULL, *hex3 = NULL, *tsv3 = NULL, *tsv3_on = NULL;
  g_auto(GStrv) env5 = NULL, env6 = NULL;
  GPid pid;
  gboolean ready = FALSE;
  g_autofree char *server = g_find_program_in_path ("debuginfod");
  g_autofree char *curl = g_find_program_in_path ("curl");

  if (server == NULL || curl == NULL)
    {
      g_test_skip ("debuginfod (the server) or curl is not installed");
      return;
    }
  if (skip_unless_recording ())
    return;
  exe = build_workload (dir, "leaf_debuginfod", FALSE);
  hex = build_id_hex (exe);
  perf_record (exe, cap, FALSE, NULL);
  env1 = cli_env (NULL, NULL);
  tsv = report (cap, env1, NULL, NULL);
  g_assert_true (has_function (tsv, "leaf_debuginfod"));

  /* the binary leaves this machine's paths for the server's directory */
  g_assert_cmpint (g_mkdir_with_parents (srv, 0755), ==, 0);
  g_assert_cmpint (g_rename (exe, served), ==, 0);
  {
    const char *rm[] = { "rm", "-rf", bin, NULL };
    g_free (run_ok (rm, NULL));
  }

  /* a stripped binary that stays, its debug file only on the server */
  exe2 = build_workload (dir2, "leaf_debuginfod_dbg", TRUE);
  hex2 = build_id_hex (exe2);
  {
    g_autofree char *dbg = g_strconcat (exe2, ".debug", NULL);
    g_autofree char *served_dbg = g_build_filename (srv, "w2.debug", NULL);

    g_assert_cmpint (g_rename (dbg, served_dbg), ==, 0);
  }
  perf_record (exe2, cap2, FALSE, NULL);

  /* a DWARF capture of a binary without frame pointers: the unwinder
   * reads the served executable's CFI too */
  exe3 = build_workload_full (dir3, "leaf_debuginfod_dwarf", FALSE, FALSE);
  hex3 = build_id_hex (exe3);
  perf_record_full (exe3, cap3, FALSE, NULL, TRUE);
  env5 = cli_env (NULL, NULL);
  tsv3 = report (cap3, env5, NULL, NULL);
  g_assert_true (has_caller_row (tsv3, "mid"));
  g_assert_true (has_caller_row (tsv3, "main"));
  g_assert_cmpint (g_rename (exe3, served3), ==, 0);
  {
    const char *rm[] = { "rm", "-rf", bin3, NULL };
    g_free (run_ok (rm, NULL));
  }

  port = g_strdup_printf ("%u", free_port ());
  {
    const char *argv[] = { "debuginfod", "-F", srv, "-p", port, "-d", db, "-t", "0", "-g", "0", NULL };

    g_assert_true (g_spawn_async (dir, (char **) argv, NULL,
                                  G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                  NULL, NULL, &pid, &error));
    g_assert_no_error (error);
  }
  url = g_strdup_printf ("http://127.0.0.1:%s", port);
  /* until it has scanned the directory (curl, not the client, which would
   * remember a miss in its cache) */
  for (guint i = 0; i < 300 && !ready; i++)
    {
      g_autofree char *u = g_strdup_printf ("%s/buildid/%s/executable", url, hex);
      g_autofree char *u2 = g_strdup_printf ("%s/buildid/%s/debuginfo", url, hex2);
      g_autofree char *u3 = g_strdup_printf ("%s/buildid/%s/executable", url, hex3);
      const char *argv[] = { "curl", "-sf", "-o", "/dev/null", u, NULL };
      const char *argv2[] = { "curl", "-sf", "-o", "/dev/null", u2, NULL };
      const char *argv3[] = { "curl", "-sf", "-o", "/dev/null", u3, NULL };
      g_autofree char *out = NULL, *out2 = NULL, *out3 = NULL;
      g_autofree char *err = NULL, *err2 = NULL, *err3 = NULL;

      ready = g_spawn_check_wait_status (run (argv, NULL, &out, &err), NULL) &&
              g_spawn_check_wait_status (run (argv2, NULL, &out2, &err2), NULL) &&
              g_spawn_check_wait_status (run (argv3, NULL, &out3, &err3), NULL);
      if (!ready)
        g_usleep (100 * 1000);
    }

  env2 = cli_env (NULL, NULL);
  tsv_off = report (cap, env2, NULL, NULL);
  tsv2_off = report (cap2, env2, NULL, NULL);
  env3 = cli_env (url, client_cache);
  tsv_on = ready ? report (cap, env3, NULL, NULL) : NULL;
  env4 = cli_env (url, client_cache);
  tsv2_on = ready ? report (cap2, env4, NULL, NULL) : NULL;
  env6 = cli_env (url, client_cache);
  tsv3_on = ready ? report (cap3, env6, NULL, NULL) : NULL;

  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);

  g_assert_true (ready);
  g_assert_false (has_function (tsv_off, "leaf_debuginfod"));
  g_assert_cmpstr (tsv_on, ==, tsv);
  g_assert_false (has_function (tsv2_off, "leaf_debuginfod_dbg"));
  g_assert_true (has_function (tsv2_on, "leaf_debuginfod_dbg"));
  /* callers intact, not stopping at the leaf */
  g_assert_cmpstr (tsv3_on, ==, tsv3);
#else
  g_test_skip ("built without libdebuginfod");
#endif
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Kernel rows of a report (module [kernel.kallsyms], a name that is not
 * an address), each "self\ttotal\tname", sorted. */
static GPtrArray *
kernel_rows (const char *tsv,
             const char *strip_suffix)
{
  g_auto(GStrv) lines = g_strsplit (tsv, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      char *name;

      if (g_strv_length (f) < 6 || strcmp (f[5], "[kernel.kallsyms]") != 0 || strstr (f[4], "+0x") != NULL)
        continue;
      name = f[4];
      if (strip_suffix != NULL)
        {
          g_assert_true (g_str_has_suffix (name, strip_suffix));
          name[strlen (name) - strlen (strip_suffix)] = '\0';
        }
      g_ptr_array_add (rows, g_strdup_printf ("%s\t%s\t%s", f[2], f[3], name));
    }
  g_ptr_array_sort (rows, compare_rows);
  return rows;
}

static void
test_kallsyms (void)
{
  g_autofree char *dir = g_build_filename (tmp, "kallsyms", NULL);
  g_autofree char *cap = g_build_filename (dir, "cap.data", NULL);
  g_autofree char *fake = g_build_filename (dir, "kallsyms-copy", NULL);
  g_autofree char *real = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *tsv = NULL, *tsv_fake = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) rows_fake = NULL;
  g_auto(GStrv) env1 = NULL, env2 = NULL;
  g_autoptr(GString) copy = g_string_new (NULL);
  gsize len = 0;

  if (skip_unless_recording ())
    return;
  g_assert_true (g_file_get_contents ("/proc/kallsyms", &real, &len, NULL));
  if (g_str_has_prefix (real, "0000000000000000"))
    {
      g_test_skip ("kernel addresses are hidden (kptr_restrict)");
      return;
    }
  /* every name marked: "ADDR T name\t[mod]" -> "ADDR T name_kx\t[mod]"
   * (a suffix keeps perf's alias preferences -- leading underscores, name
   * length -- as they were); lines are walked by hand, since g_strsplit()
   * over 200k lines is quadratic under ASan's strstr() */
  for (const char *p = real, *end = real + len; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *eol = nl != NULL ? nl : end;
      const char *tab = memchr (p, '\t', eol - p);
      const char *name_end = tab != NULL ? tab : eol;

      if (name_end > p)
        {
          g_string_append_len (copy, p, name_end - p);
          g_string_append (copy, "_kx");
          g_string_append_len (copy, name_end, eol - name_end);
          g_string_append_c (copy, '\n');
        }
      p = eol + 1;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (fake, copy->str, copy->len, NULL));

  exe = build_workload (dir, "leaf_kallsyms", FALSE);
  perf_record (exe, cap, TRUE, NULL);
  env1 = cli_env (NULL, NULL);
  tsv = report (cap, env1, NULL, NULL);
  env2 = cli_env (NULL, NULL);
  tsv_fake = report (cap, env2, "--kallsyms", fake);

  rows = kernel_rows (tsv, NULL);
  rows_fake = kernel_rows (tsv_fake, "_kx");
  g_assert_cmpuint (rows->len, >, 0);
  g_ptr_array_add (rows, NULL);
  g_ptr_array_add (rows_fake, NULL);
  {
    g_autofree char *all = g_strjoinv ("\n", (char **) rows->pdata);
    g_autofree char *all_fake = g_strjoinv ("\n", (char **) rows_fake->pdata);

    g_assert_cmpstr (all_fake, ==, all);
  }
  /* the user-space rows stay */
  g_assert_true (has_function (tsv_fake, "leaf_kallsyms"));
}

static void
test_debug_dirs (void)
{
  g_autofree char *dir = g_build_filename (tmp, "debug-dirs", NULL);
  g_autofree char *cap = g_build_filename (dir, "cap.data", NULL);
  g_autofree char *store = g_build_filename (dir, "w.debug.kept", NULL);
  g_autofree char *by_id = g_build_filename (dir, "by-id", NULL);
  g_autofree char *by_name = g_build_filename (dir, "by-name", NULL);
  g_autofree char *exe = NULL;
  g_autofree char *dbg = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *tsv = NULL, *tsv_id = NULL, *tsv_name = NULL, *tsv_both = NULL;
  g_auto(GStrv) env1 = NULL, env2 = NULL, env3 = NULL, env4 = NULL;

  if (skip_unless_recording ())
    return;
  exe = build_workload (dir, "leaf_debug_dirs", TRUE);
  dbg = g_strconcat (exe, ".debug", NULL);
  hex = build_id_hex (exe);
  /* the debug file leaves the binary's side */
  g_assert_cmpint (g_rename (dbg, store), ==, 0);
  perf_record (exe, cap, FALSE, NULL);

  env1 = cli_env (NULL, NULL);
  tsv = report (cap, env1, NULL, NULL);
  g_assert_false (has_function (tsv, "leaf_debug_dirs"));

  /* by build id: DIR/.build-id/xx/yyyy.debug */
  {
    g_autofree char *d = g_strdup_printf ("%s/.build-id/%.2s", by_id, hex);
    g_autofree char *f = g_strdup_printf ("%s/%s.debug", d, hex + 2);
    const char *cp[] = { "cp", store, f, NULL };

    g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
    g_free (run_ok (cp, NULL));
  }
  env2 = cli_env (NULL, NULL);
  tsv_id = report (cap, env2, "--debug-dirs", by_id);
  g_assert_true (has_function (tsv_id, "leaf_debug_dirs"));

  /* by name: DIR/<the binary's directory>/w.debug (its debuglink) */
  {
    g_autofree char *bindir = g_path_get_dirname (exe);
    g_autofree char *d = g_strconcat (by_name, bindir, NULL);
    g_autofree char *f = g_build_filename (d, "w.debug", NULL);
    const char *cp[] = { "cp", store, f, NULL };

    g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
    g_free (run_ok (cp, NULL));
  }
  env3 = cli_env (NULL, NULL);
  tsv_name = report (cap, env3, "--debug-dirs", by_name);
  g_assert_true (has_function (tsv_name, "leaf_debug_dirs"));
  g_assert_cmpstr (tsv_name, ==, tsv_id);

  /* several dirs, the first without it */
  {
    g_autofree char *both = g_strconcat (dir, "/nothing-here:", by_name, NULL);

    env4 = cli_env (NULL, NULL);
    tsv_both = report (cap, env4, "--debug-dirs", both);
    g_assert_cmpstr (tsv_both, ==, tsv_id);
  }
}


/* A DWARF capture of a binary without frame pointers whose binary moved
 * to a debug dir's .build-id/xx/yyyy link (and is served by debuginfod):
 * the unwinder reads its CFI from the copy found by build id, so the
 * report is the one from before the move, callers included. */
static void
test_dwarf_by_build_id (void)
{
  g_autofree char *dir = g_build_filename (tmp, "dwarf-by-id", NULL);
  g_autofree char *cap = g_build_filename (dir, "cap.data", NULL);
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *debug_dir = g_build_filename (dir, "debug", NULL);
  g_autofree char *exe = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *link = NULL;
  g_autofree char *dirs = NULL;
  g_autofree char *tsv = NULL, *tsv_none = NULL, *tsv_link = NULL, *tsv_other = NULL;
  g_auto(GStrv) env1 = NULL, env2 = NULL, env3 = NULL, env4 = NULL;

  if (skip_unless_recording ())
    return;
  exe = build_workload_full (dir, "leaf_unwind_ids", FALSE, FALSE);
  hex = build_id_hex (exe);
  perf_record_full (exe, cap, FALSE, NULL, TRUE);
  env1 = cli_env (NULL, NULL);
  tsv = report (cap, env1, NULL, NULL);
  g_assert_true (has_function (tsv, "leaf_unwind_ids"));
  /* unwound through the binary's CFI: its callers have totals */
  g_assert_true (has_caller_row (tsv, "mid"));
  g_assert_true (has_caller_row (tsv, "main"));

  /* the binary itself becomes DIR/.build-id/xx/yyyy; its directory goes */
  {
    g_autofree char *d = g_strdup_printf ("%s/.build-id/%.2s", debug_dir, hex);
    const char *rm[] = { "rm", "-rf", bin, NULL };

    link = g_strdup_printf ("%s/%s", d, hex + 2);
    g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
    g_assert_cmpint (g_rename (exe, link), ==, 0);
    g_free (run_ok (rm, NULL));
  }
  env2 = cli_env (NULL, NULL);
  tsv_none = report (cap, env2, NULL, NULL);
  g_assert_false (has_function (tsv_none, "leaf_unwind_ids"));

  /* /usr/lib/debug kept, as by default: libc's local names come from it */
  dirs = g_strconcat (debug_dir, ":/usr/lib/debug", NULL);
  env3 = cli_env (NULL, NULL);
  tsv_link = report (cap, env3, "--debug-dirs", dirs);
  g_assert_cmpstr (tsv_link, ==, tsv);

  /* another binary (another build id) at the recorded path: not read, the
   * copy by build id is */
  g_free (build_workload_full (dir, "leaf_replaced", FALSE, FALSE));
  env4 = cli_env (NULL, NULL);
  tsv_other = report (cap, env4, "--debug-dirs", dirs);
  g_assert_cmpstr (tsv_other, ==, tsv);
}

/* libdebuginfod and libarchive are dlopen()ed when used: scorch-cli
 * does not name them (nor, through them, curl, TLS, libxml2, ICU) among
 * the libraries every start loads. */
static void
test_lazy_libraries (void)
{
  const char *cli = g_getenv ("SCORCH_CLI");
  guint n_needed = 0;
  Elf_Scn *scn = NULL;
  Elf *elf;
  int fd;

  g_assert_nonnull (cli);
  elf_version (EV_CURRENT);
  fd = open (cli, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  g_assert_nonnull (elf);
  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      if (gelf_getshdr (scn, &shdr) == NULL || shdr.sh_type != SHT_DYNAMIC)
        continue;
      data = elf_getdata (scn, NULL);
      g_assert_nonnull (data);
      for (gsize i = 0; shdr.sh_entsize > 0 && i < shdr.sh_size / shdr.sh_entsize; i++)
        {
          GElf_Dyn dyn;
          const char *name;

          if (gelf_getdyn (data, (int) i, &dyn) == NULL || dyn.d_tag != DT_NEEDED)
            continue;
          name = elf_strptr (elf, shdr.sh_link, dyn.d_un.d_val);
          g_assert_nonnull (name);
          g_assert_false (g_str_has_prefix (name, "libdebuginfod"));
          g_assert_false (g_str_has_prefix (name, "libarchive"));
          n_needed++;
        }
    }
  /* the check did read the dynamic section */
  g_assert_cmpuint (n_needed, >, 0);
  elf_end (elf);
  close (fd);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp = g_dir_make_tmp ("scorch-symbol-sources-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/symbol-sources/perf-archive", test_perf_archive);
  g_test_add_func ("/symbol-sources/debuginfod", test_debuginfod);
  g_test_add_func ("/symbol-sources/kallsyms", test_kallsyms);
  g_test_add_func ("/symbol-sources/debug-dirs", test_debug_dirs);
  g_test_add_func ("/symbol-sources/dwarf-by-build-id", test_dwarf_by_build_id);
  g_test_add_func ("/symbol-sources/lazy-libraries", test_lazy_libraries);
  ret = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", tmp, NULL };
    g_free (run_ok (rm, NULL));
  }
  return ret;
}
