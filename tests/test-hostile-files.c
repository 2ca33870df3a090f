/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-hostile-files.c: files that are not what they claim. A capture
 * whose MMAP2 names a FIFO (or a symlink to one), a FIFO, a device or a
 * directory given as the capture, debug files that are FIFOs, folded files
 * with a long or broken first line, binary garbage. Nothing may block, and
 * every error says what is wrong. The hostile files are made here. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <glib/gstdio.h>

#include "elf-test-util.h"
#include "scorch-capture-reader.h"
#include "scorch-elf-check.h"
#include "scorch-folded.h"
#include "scorch-loader.h"
#include "scorch-symbolizer.h"
#include "scorch-util.h"

/* A hang is forever; a load of these small files takes well under a
 * second (the figure is printed). The deadline only tells a hang from a
 * slow machine, so it is generous. */
#define DEADLINE_SECONDS 30

static char *tmpdir;
static char *fifo;
static char *fifo_link;

/* -- running something that must not block ------------------------------- */

typedef struct
{
  GMutex     mutex;
  GCond      cond;
  gboolean   done;
  GThreadFunc func;
  gpointer   data;
  gpointer   result;
} Deadline;

static gpointer
deadline_thread (gpointer user_data)
{
  Deadline *d = user_data;
  gpointer result = d->func (d->data);

  g_mutex_lock (&d->mutex);
  d->result = result;
  d->done = TRUE;
  g_cond_signal (&d->cond);
  g_mutex_unlock (&d->mutex);
  return NULL;
}

/* Runs FUNC (DATA) on a thread; aborts the test when it has not returned
 * after DEADLINE_SECONDS (it is blocked, and cannot be interrupted). */
static gpointer
run_with_deadline (const char  *what,
                   GThreadFunc  func,
                   gpointer     data)
{
  Deadline d = { .func = func, .data = data };
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + DEADLINE_SECONDS * G_TIME_SPAN_SECOND;
  GThread *thread;

  g_mutex_init (&d.mutex);
  g_cond_init (&d.cond);
  thread = g_thread_new ("deadline", deadline_thread, &d);
  g_mutex_lock (&d.mutex);
  while (!d.done)
    if (!g_cond_wait_until (&d.cond, &d.mutex, end))
      g_error ("%s: still blocked after %d s", what, DEADLINE_SECONDS);
  g_mutex_unlock (&d.mutex);
  g_thread_join (thread);
  g_mutex_clear (&d.mutex);
  g_cond_clear (&d.cond);
  g_test_message ("%s: returned in %.3f s", what, (g_get_monotonic_time () - start) / 1e6);
  return d.result;
}

typedef struct
{
  const char    *path;
  ScorchProfile *profile;
  GError        *error;
} LoadJob;

static gpointer
load_job (gpointer data)
{
  LoadJob *job = data;

  job->profile = scorch_load_sync (job->path, 0, NULL, NULL, NULL, &job->error);
  return NULL;
}

static ScorchProfile *
load_with_deadline (const char  *path,
                    GError     **error)
{
  LoadJob job = { .path = path };
  g_autofree char *what = g_strdup_printf ("load %s", path);

  run_with_deadline (what, load_job, &job);
  if (job.error != NULL)
    g_propagate_error (error, job.error);
  return job.profile;
}

/* Runs scorch-cli under timeout(1); returns the exit status, *err its stderr. */
static int
run_cli (const char * const *args,
         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *limit = g_strdup_printf ("%d", DEADLINE_SECONDS);
  g_autofree char *what = NULL;
  gint64 start = g_get_monotonic_time ();
  int status = 0;

  g_ptr_array_add (argv, (gpointer) "timeout");
  g_ptr_array_add (argv, limit);
  g_ptr_array_add (argv, (gpointer) g_getenv ("SCORCH_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  what = g_strjoinv (" ", (char **) argv->pdata + 2);

  g_assert_nonnull (g_getenv ("SCORCH_CLI"));
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &out, err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s: returned in %.3f s: %s", what,
                  (g_get_monotonic_time () - start) / 1e6, *err);
  g_assert_true (WIFEXITED (status));
  if (WEXITSTATUS (status) == 124)
    g_error ("%s: still blocked after %d s", what, DEADLINE_SECONDS);
  return WEXITSTATUS (status);
}

/* -- the open helper ------------------------------------------------------ */

static void
assert_open_fails (const char *path,
                   gint64      max_size,
                   int         code,
                   const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  int fd = scorch_open_regular_file (path, max_size, NULL, &error);

  g_assert_cmpint (fd, ==, -1);
  g_assert_error (error, G_IO_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, display));
  if (reason != NULL)
    g_assert_nonnull (strstr (error->message, reason));
}

static void
test_open_helper (void)
{
  g_autofree char *file = g_build_filename (tmpdir, "regular", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  struct stat st;
  gsize len = 0;
  char buf[16];
  int fd;

  g_assert_true (g_file_set_contents (file, "0123456789", 10, NULL));
  fd = scorch_open_regular_file (file, 10, &st, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (st.st_size, ==, 10);
  /* Blocking again, and not inherited. */
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_NONBLOCK, ==, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  g_assert_cmpint (read (fd, buf, sizeof buf), ==, 10);
  close (fd);

  g_assert_true (scorch_read_regular_file (file, 10, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "0123456789");
  g_assert_cmpuint (len, ==, 10);

  assert_open_fails (file, 9, G_IO_ERROR_MESSAGE_TOO_LARGE, "too large");
  g_assert_false (scorch_read_regular_file (file, 9, &contents, &len, NULL));
  assert_open_fails (fifo, G_MAXINT64, G_IO_ERROR_NOT_REGULAR_FILE, "FIFO");
  assert_open_fails (fifo_link, G_MAXINT64, G_IO_ERROR_NOT_REGULAR_FILE, "FIFO");
  assert_open_fails ("/dev/zero", G_MAXINT64, G_IO_ERROR_NOT_REGULAR_FILE, "character device");
  assert_open_fails (tmpdir, G_MAXINT64, G_IO_ERROR_IS_DIRECTORY, "directory");
  {
    g_autofree char *missing = g_build_filename (tmpdir, "missing", NULL);
    assert_open_fails (missing, G_MAXINT64, G_IO_ERROR_NOT_FOUND, NULL);
  }
}

/* -- the symbolizer: modules and debug files ------------------------------ */

static const char program_src[] =
  "volatile int sink;\n"

  "static __attribute__((noinline)) int hidden_static (int x) { sink = x; return sink; }\n"
  "int main (int argc, char **argv) { return hidden_static (argc); }\n";

static char *
build_program_with (const char *name,
                    const char *flags)
{
  return test_elf_build_program (tmpdir, "prog.c", program_src, name, flags);
}

static char *
build_program (const char *name)
{
  return build_program_with (name, "-Wl,--build-id");
}

typedef struct
{
  ScorchSymbolizer    *sym;
  const ScorchMapping *map;
  guint64              ip;
  ScorchSymbol         out[8];
  guint                n;
} LookupJob;

static gpointer
lookup_job (gpointer data)
{
  LookupJob *job = data;

  job->n = scorch_symbolizer_lookup_user (job->sym, 1, job->map, job->ip, job->out, G_N_ELEMENTS (job->out));
  return NULL;
}

static const char *
lookup_function (ScorchSymbolizer    *sym,
                 const ScorchMapping *map,
                 guint64              ip,
                 const char          *what)
{
  LookupJob job = { .sym = sym, .map = map, .ip = ip };

  run_with_deadline (what, lookup_job, &job);
  g_assert_cmpuint (job.n, >=, 1);
  return job.out[job.n - 1].function;
}

static gboolean
problems_mention (ScorchSymbolizer *sym,
                  const char       *a,
                  const char       *b)
{
  g_autoptr(GPtrArray) problems = scorch_symbolizer_dup_problems (sym);

  for (guint i = 0; i < problems->len; i++)
    {
      const char *p = g_ptr_array_index (problems, i);

      g_test_message ("problem: %s", p);
      if (strstr (p, a) != NULL && (b == NULL || strstr (p, b) != NULL))
        return TRUE;
    }
  return FALSE;
}

static void
test_symbolizer_fifo_module (void)
{
  const char *paths[] = { fifo, fifo_link };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      ScorchSymbolizer *sym = scorch_symbolizer_new ();
      ScorchMapping map = { .path = paths[i], .start = 0x400000, .end = 0x500000 };

      g_assert_null (lookup_function (sym, &map, 0x400123, paths[i]));
      g_assert_true (problems_mention (sym, paths[i], "FIFO"));
      scorch_symbolizer_free (sym);
    }
}

typedef struct
{
  ScorchSymbolizer *sym;
  ScorchSymbol      out[2];
} KernelJob;

static gpointer
kernel_job (gpointer data)
{
  KernelJob *job = data;

  scorch_symbolizer_lookup_kernel (job->sym, 0xffffffff81001234, job->out, G_N_ELEMENTS (job->out));
  return NULL;
}

/* perf-PID.map of a JIT (PID 1, as lookup_function asks) and the
 * kallsyms file, FIFOs. */
static void
test_symbolizer_fifo_maps (void)
{
  g_autofree char *jitdir = g_build_filename (tmpdir, "jit", NULL);
  g_autofree char *jitmap = g_build_filename (jitdir, "perf-1.map", NULL);
  ScorchMapping anon = { .path = "//anon", .start = 0x10000000, .end = 0x20000000 };
  ScorchSymbolizer *sym = scorch_symbolizer_new ();
  KernelJob kjob = { 0, };

  g_assert_cmpint (g_mkdir_with_parents (jitdir, 0755), ==, 0);
  g_assert_cmpint (mkfifo (jitmap, 0600), ==, 0);
  scorch_symbolizer_set_jit_map_dir (sym, jitdir);
  g_assert_null (lookup_function (sym, &anon, 0x10001010, "JIT map FIFO"));
  g_assert_true (problems_mention (sym, jitmap, "FIFO"));
  scorch_symbolizer_free (sym);
  g_unlink (jitmap);

  kjob.sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_kallsyms_path (kjob.sym, fifo_link);
  run_with_deadline ("kallsyms FIFO", kernel_job, &kjob);
  g_assert_null (kjob.out[0].function);
  g_assert_true (problems_mention (kjob.sym, fifo_link, NULL));
  scorch_symbolizer_free (kjob.sym);
}

/* Separate debug files: found by .gnu_debuglink (in the binary's
 * directory, its .debug subdirectory, or DEBUGDIR/<binary's directory>)
 * or by build id; each of those places holding a FIFO is passed over. */
static void
test_symbolizer_debug_files (void)
{
  g_autofree char *bin = build_program ("linked");
  g_autofree char *hex = test_elf_dup_build_id_hex (bin);
  g_autofree char *dotdebug = g_build_filename (tmpdir, ".debug", NULL);
  g_autofree char *debugroot = g_build_filename (tmpdir, "debugroot", NULL);
  g_autofree char *iddir = NULL;
  g_autofree char *idfile = NULL;
  g_autofree char *linked_real = NULL;
  g_autofree char *spare = g_build_filename (tmpdir, "spare.debug", NULL);
  g_autofree char *cmd = NULL;
  guint64 vaddr = test_elf_symbol (bin, "hidden_static", NULL);
  const char *dirs[] = { "", ".debug", debugroot, NULL };
  const char *fifo_places[4];
  ScorchSymbolizer *sym;
  ScorchMapping map;
  guint64 ip;

  g_assert_cmpint (g_mkdir_with_parents (dotdebug, 0755), ==, 0);
  iddir = g_build_filename (debugroot, ".build-id", (char[]) { hex[0], hex[1], 0 }, NULL);
  g_assert_cmpint (g_mkdir_with_parents (iddir, 0755), ==, 0);
  idfile = g_strdup_printf ("%s/%s.debug", iddir, hex + 2);

  /* A debug file by build id, in the binary's directory and below
   * DEBUGROOT/<the binary's directory>: FIFOs, all of them. */
  fifo_places[0] = idfile;
  fifo_places[1] = g_build_filename (tmpdir, "linked.debug", NULL);
  fifo_places[2] = g_build_filename (debugroot, tmpdir, "linked.debug", NULL);
  fifo_places[3] = NULL;
  {
    g_autofree char *parent = g_path_get_dirname (fifo_places[2]);
    g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  }
  for (guint i = 0; fifo_places[i] != NULL; i++)
    g_assert_cmpint (mkfifo (fifo_places[i], 0600), ==, 0);

  /* The real one goes to .debug/, found last, named by the debuglink. */
  linked_real = g_build_filename (dotdebug, "linked.debug", NULL);
  cmd = g_strdup_printf ("objcopy --only-keep-debug %s %s", bin, linked_real);
  test_elf_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("objcopy --only-keep-debug %s %s", bin, spare);
  test_elf_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("strip --strip-all %s", bin);
  test_elf_run_command (cmd);
  g_free (cmd);
  /* objcopy reads the debuglink target from the current directory. */
  cmd = g_strdup_printf ("sh -c 'cd %s && objcopy --add-gnu-debuglink=linked.debug %s'", dotdebug, bin);
  test_elf_run_command (cmd);

  ip = test_elf_map_vaddr (bin, vaddr, &map);

  sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_debug_dirs (sym, dirs);
  g_assert_cmpstr (lookup_function (sym, &map, ip + 1, "debuglink past FIFOs"), ==, "hidden_static");
  scorch_symbolizer_free (sym);

  /* With only FIFOs: no name, and no hang. */
  g_assert_cmpint (g_unlink (linked_real), ==, 0);
  sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_debug_dirs (sym, dirs);
  g_assert_cmpstr (lookup_function (sym, &map, ip + 1, "only FIFOs"), !=, "hidden_static");
  scorch_symbolizer_free (sym);

  /* A debug file by build id, the only one: used. */
  g_assert_cmpint (g_unlink (idfile), ==, 0);
  g_assert_cmpint (g_rename (spare, idfile), ==, 0);
  sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_debug_dirs (sym, dirs);
  g_assert_cmpstr (lookup_function (sym, &map, ip + 1, "build id past FIFOs"), ==, "hidden_static");
  scorch_symbolizer_free (sym);

  g_unlink (idfile);
  for (guint i = 1; fifo_places[i] != NULL; i++)
    {
      g_unlink (fifo_places[i]);
      g_free ((char *) fifo_places[i]);
    }
}

/* Without a build id, a .gnu_debuglink match is checked by its CRC. */
static void
test_symbolizer_debuglink_crc (void)
{
  g_autofree char *bin = build_program_with ("no-id", "-Wl,--build-id=none");
  g_autofree char *other = build_program_with ("no-id-other", "-Wl,--build-id=none -g3");
  g_autofree char *dotdebug = g_build_filename (tmpdir, ".debug", NULL);
  g_autofree char *debugfile = g_build_filename (dotdebug, "no-id.debug", NULL);
  g_autofree char *cmd = NULL;
  guint64 vaddr = test_elf_symbol (bin, "hidden_static", NULL);
  const char *dirs[] = { "", ".debug", NULL };
  ScorchSymbolizer *sym;
  ScorchMapping map;
  guint64 ip;

  g_assert_cmpint (g_mkdir_with_parents (dotdebug, 0755), ==, 0);
  cmd = g_strdup_printf ("objcopy --only-keep-debug %s %s", bin, debugfile);
  test_elf_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("strip --strip-all %s", bin);
  test_elf_run_command (cmd);
  g_free (cmd);
  cmd = g_strdup_printf ("sh -c 'cd %s && objcopy --add-gnu-debuglink=no-id.debug %s'", dotdebug, bin);
  test_elf_run_command (cmd);
  ip = test_elf_map_vaddr (bin, vaddr, &map);

  sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_debug_dirs (sym, dirs);
  g_assert_cmpstr (lookup_function (sym, &map, ip + 1, "debuglink, CRC matches"), ==, "hidden_static");
  scorch_symbolizer_free (sym);

  /* A debug file of the same code built with -g3 (more DWARF, same
   * addresses) under the same name: only the CRC tells it apart. */
  g_free (cmd);
  cmd = g_strdup_printf ("objcopy --only-keep-debug %s %s", other, debugfile);
  test_elf_run_command (cmd);
  sym = scorch_symbolizer_new ();
  scorch_symbolizer_set_debug_dirs (sym, dirs);
  g_assert_cmpstr (lookup_function (sym, &map, ip + 1, "debuglink, CRC differs"), !=, "hidden_static");
  scorch_symbolizer_free (sym);
  g_unlink (debugfile);
}

/* -- captures naming a FIFO ----------------------------------------------- */

static char *
corpus_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "corpus", name, NULL);
}

/* A copy of CORPUS in tmpdir with every FROM replaced by TO (same length). */
static char *
rewrite_capture (const char *corpus,
                 const char *from,
                 const char *to,
                 const char *name)
{
  g_autofree char *src = corpus_file (corpus);
  g_autofree char *data = NULL;
  char *out = g_build_filename (tmpdir, name, NULL);
  gsize len = 0;
  guint replaced = 0;

  g_assert_cmpuint (strlen (from), ==, strlen (to));
  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  for (gsize i = 0; i + strlen (from) <= len; i++)
    if (memcmp (data + i, from, strlen (from)) == 0)
      {
        memcpy (data + i, to, strlen (to));
        replaced++;
      }
  g_assert_cmpuint (replaced, >, 0);
  g_assert_true (g_file_set_contents (out, data, len, NULL));
  return out;
}

/* PATH padded with extra slashes to LEN characters. */
static char *
pad_path (const char *path,
          gsize       len)
{
  const char *base = strrchr (path, '/');
  GString *s = g_string_new_len (path, base - path);

  g_assert_cmpuint (strlen (path), <=, len);
  while (s->len + strlen (base) < len)
    g_string_append_c (s, '/');
  g_string_append (s, base);
  return g_string_free (s, FALSE);
}

static gboolean
profile_has_module (ScorchProfile *profile,
                    const char    *module)
{
  guint n = 0;
  const ScorchFrame *frames = scorch_profile_get_frames (profile, &n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (frames[i].module, module) == 0)
      return TRUE;
  return FALSE;
}

static void
test_capture_mmap_fifo (void)
{
  const char *libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  const char *corpora[] = { "fp-small.data", "dwarf-small.data" };
  const char *targets[] = { fifo, fifo_link };

  for (guint c = 0; c < G_N_ELEMENTS (corpora); c++)
    for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
      {
        g_autofree char *orig_path = corpus_file (corpora[c]);
        g_autofree char *padded = pad_path (targets[t], strlen (libc));
        g_autofree char *name = g_strdup_printf ("mmap-fifo-%u-%u.data", c, t);
        g_autofree char *capture = rewrite_capture (corpora[c], libc, padded, name);
        g_autofree char *svg = g_build_filename (tmpdir, "out.svg", NULL);
        g_autoptr(ScorchProfile) orig = NULL;
        g_autoptr(ScorchProfile) profile = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *err = NULL;

        orig = scorch_load_sync (orig_path, 0, NULL, NULL, NULL, &error);
        g_assert_no_error (error);

        /* The rest of the profile loads; the FIFO's frames are addresses. */
        profile = load_with_deadline (capture, &error);
        g_assert_no_error (error);
        g_assert_nonnull (profile);
        g_assert_cmpuint (scorch_profile_get_n_all_samples (profile), ==,
                          scorch_profile_get_n_all_samples (orig));
        g_assert_true (profile_has_module (profile, "ld-linux-x86-64.so.2") ||
                       profile_has_module (profile, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));

        {
          const char *args[] = { "report", capture, NULL };
          g_assert_cmpint (run_cli (args, &err), ==, 0);
          /* stacks stop in the FIFO's frames in the fp capture: said clearly */
          if (c == 0)
            g_assert_nonnull (strstr (err, "cannot be read on this machine"));
          g_clear_pointer (&err, g_free);
        }
        {
          const char *args[] = { "export", capture, "-o", svg, NULL };
          g_assert_cmpint (run_cli (args, &err), ==, 0);
          g_assert_true (g_file_test (svg, G_FILE_TEST_IS_REGULAR));
          g_unlink (svg);
        }
      }
}

/* -- captures that are not files ------------------------------------------ */

static void
assert_load_fails (const char *path,
                   const char *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = load_with_deadline (path, &error);
  g_autofree char *err = NULL;
  const char *args[] = { "report", path, NULL };

  g_assert_null (profile);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", path, error->message);
  if (strstr (error->message, expect) == NULL)
    g_error ("loading %s: “%s” does not say “%s”", path, error->message, expect);

  g_assert_cmpint (run_cli (args, &err), !=, 0);
  if (strstr (err, expect) == NULL)
    g_error ("scorch-cli report %s: “%s” does not say “%s”", path, err, expect);
}

static void
test_capture_not_a_file (void)
{
  g_autofree char *plain_dir = g_build_filename (tmpdir, "plain-dir", NULL);
  g_autofree char *threads_dir = g_build_filename (tmpdir, "threads.data", NULL);
  g_autofree char *corpus = corpus_file ("fp-small.data");

  assert_load_fails (fifo, "FIFO");
  assert_load_fails (fifo_link, "FIFO");
  assert_load_fails ("/dev/zero", "not a regular file");

  g_assert_cmpint (g_mkdir_with_parents (plain_dir, 0755), ==, 0);
  assert_load_fails (plain_dir, "is a directory, not a capture");

  /* perf record --threads: DIR/data (the header, a perf.data) and one
   * DIR/data.N per recording thread. */
  g_assert_cmpint (g_mkdir_with_parents (threads_dir, 0755), ==, 0);
  {
    g_autofree char *data = NULL;
    g_autofree char *header = g_build_filename (threads_dir, "data", NULL);
    g_autofree char *part = g_build_filename (threads_dir, "data.0", NULL);
    gsize len = 0;

    g_assert_true (g_file_get_contents (corpus, &data, &len, NULL));
    g_assert_true (g_file_set_contents (header, data, len, NULL));
    g_assert_true (g_file_set_contents (part, "", 0, NULL));
  }
  assert_load_fails (threads_dir, "perf record --threads");

  /* perf record --kcore: DIR/data is a whole capture, next to kcore_dir. */
  {
    g_autofree char *kcore_dir = g_build_filename (tmpdir, "kcore.data", NULL);
    g_autofree char *data = NULL;
    g_autofree char *header = g_build_filename (kcore_dir, "data", NULL);
    g_autofree char *sub = g_build_filename (kcore_dir, "kcore_dir", NULL);
    g_autofree char *inner = NULL;
    gsize len = 0;

    g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
    g_assert_true (g_file_get_contents (corpus, &data, &len, NULL));
    g_assert_true (g_file_set_contents (header, data, len, NULL));
    inner = g_strdup_printf ("%s/data", kcore_dir);
    assert_load_fails (kcore_dir, inner);
  }

  /* The reader alone, as the app's and CLI's other paths use it. */
  {
    const char *paths[] = { fifo, fifo_link, "/dev/zero", plain_dir, threads_dir };
    const char *expect[] = { "FIFO", "FIFO", "character device", "not a capture", "--threads" };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(GError) error = NULL;
        ScorchCaptureReader *reader = scorch_capture_reader_new (paths[i], &error);

        g_assert_null (reader);
        g_assert_nonnull (error);
        g_test_message ("reader %s: %s", paths[i], error->message);
        g_assert_nonnull (strstr (error->message, expect[i]));
      }
  }
}

/* -- elf-check --------------------------------------------------------------- */

typedef struct
{
  const char *path;
  gboolean    ok;
  GError     *error;
} ElfCheckJob;

static gpointer
elf_check_job (gpointer data)
{
  ElfCheckJob *job = data;
  ScorchElfFramePointers result;

  job->ok = scorch_elf_check_frame_pointers (job->path, &result, &job->error);
  return NULL;
}

static void
test_elf_check_fifo (void)
{
  ElfCheckJob job = { .path = fifo_link };

  run_with_deadline ("elf-check FIFO", elf_check_job, &job);
  g_assert_false (job.ok);
  g_assert_nonnull (job.error);
  g_assert_nonnull (strstr (job.error->message, "FIFO"));
  g_clear_error (&job.error);
}

/* -- folded stacks vs perf.data: by the magic ------------------------------ */

static char *
write_file (const char *name,
            const char *data,
            gssize      len)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, len, NULL));
  return path;
}

static void
assert_file_fails (const char *name,
                   const char *data,
                   gssize      len,
                   const char *expect)
{
  g_autofree char *path = write_file (name, data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = scorch_load_sync (path, 0, NULL, NULL, NULL, &error);

  g_assert_null (profile);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", name, error->message);
  if (strstr (error->message, expect) == NULL)
    g_error ("%s: “%s” does not say “%s”", name, error->message, expect);
}

static void
test_folded_first_line (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n_frames = 0;

  /* A deep C++ stack: the first line is far longer than 4 KiB. */
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (deep, "%sstd::vector<std::basic_string<char>>::frame_%03u()", i ? ";" : "", i);
  g_string_append (deep, " 7\nmain;leaf 3\n");
  g_assert_cmpuint (deep->len, >, 8192);
  path = write_file ("deep.folded", deep->str, deep->len);
  profile = scorch_load_sync (path, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_profile_get_n_all_samples (profile), ==, 10);
  scorch_profile_get_frames (profile, &n_frames);
  g_assert_cmpuint (n_frames, >=, 202);

  /* Line 1 gets the same clear errors as line 2. */
  assert_file_fails ("no-count.folded", "main;a;b\nmain;a 2\n", -1, "Line 1 has no sample count");
  assert_file_fails ("bad-count.folded", "main;a;b 12x\n", -1, "Line 1: “12x” is not a sample count");
  assert_file_fails ("no-count-2.folded", "main;a 2\nmain;b\n", -1, "Line 2 has no sample count");
  g_string_truncate (deep, 0);
  for (guint i = 0; i < 500; i++)
    g_string_append_printf (deep, "%sframe_%03u", i ? ";" : "", i);
  assert_file_fails ("long-no-count.folded", deep->str, deep->len, "Line 1 has no sample count");

  /* Read directly, a folded FIFO is refused, not waited on. */
  {
    g_autoptr(ScorchProfile) p = scorch_folded_load (fifo_link, NULL, &error);

    g_assert_null (p);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
    g_clear_error (&error);
  }

  /* Neither: binary garbage; perf.data variants keep their own errors. */
  assert_file_fails ("garbage.bin", "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0", 18,
                     "neither a perf.data file");
  assert_file_fails ("garbage2.bin", "\xff\xfe\xfd\xfc garbage", 12, "neither a perf.data file");
  assert_file_fails ("swapped.data", "2ELIFREP\0\0\0\0\0\0\0\x68", 16, "other byte order");
  assert_file_fails ("pipe.data", "PERFILE2\x10\0\0\0\0\0\0\0", 16, "pipe mode");
  assert_file_fails ("short.data", "PERFILE2\x68\0\0\0\0\0\0\0", 16, "cut short");
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* Short, fixed: the FIFO's padded path must fit where a library's was. */
  tmpdir = g_strdup ("/tmp/shf-XXXXXX");
  g_assert_nonnull (g_mkdtemp (tmpdir));
  fifo = g_build_filename (tmpdir, "fifo", NULL);
  fifo_link = g_build_filename (tmpdir, "link", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink (fifo, fifo_link), ==, 0);

  g_test_add_func ("/libscorch/hostile-files/open-helper", test_open_helper);
  g_test_add_func ("/libscorch/hostile-files/symbolizer-fifo-module", test_symbolizer_fifo_module);
  g_test_add_func ("/libscorch/hostile-files/symbolizer-fifo-maps", test_symbolizer_fifo_maps);
  g_test_add_func ("/libscorch/hostile-files/symbolizer-debug-files", test_symbolizer_debug_files);
  g_test_add_func ("/libscorch/hostile-files/symbolizer-debuglink-crc", test_symbolizer_debuglink_crc);
  g_test_add_func ("/libscorch/hostile-files/capture-mmap-fifo", test_capture_mmap_fifo);
  g_test_add_func ("/libscorch/hostile-files/capture-not-a-file", test_capture_not_a_file);
  g_test_add_func ("/libscorch/hostile-files/elf-check-fifo", test_elf_check_fifo);
  g_test_add_func ("/libscorch/hostile-files/folded-first-line", test_folded_first_line);

  ret = g_test_run ();

  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmpdir);
    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  return ret;
}
