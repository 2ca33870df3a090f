/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-proc-table.c: ScorchProcTable follows COMM/MMAP/FORK/EXIT */

#include "config.h"

#include <string.h>

#include "scorch-proc-table.h"

/* The tables below read best one mapping a line: build the decoded record
 * the table takes from the fields the tests vary. */
static void
map_file (ScorchProcTable *t,
          gint32           pid,
          guint64          start,
          guint64          len,
          guint64          pgoff,
          const char      *path,
          guint32          maj,
          guint32          min,
          guint64          ino,
          const guint8    *build_id,
          guint            build_id_len,
          guint32          prot,
          guint64          time)
{
  ScorchPerfMmap m = {
    .pid = pid, .tid = pid,
    .start = start, .len = len, .pgoff = pgoff,
    .maj = maj, .min = min, .ino = ino,
    .build_id = build_id, .build_id_len = build_id_len,
    .prot = prot,
    .filename = path, .filename_len = strlen (path),
  };

  scorch_proc_table_mmap (t, &m, time);
}

static void
test_maps (void)
{
  g_autoptr(ScorchProcTable) t = scorch_proc_table_new ();
  const ScorchProcMap *m;
  guint32 libfoo;

  scorch_proc_table_comm (t, 10, 10, "prog", TRUE, 1);
  map_file (t, 10, 0x1000, 0x3000, 0, "/usr/bin/prog", 8, 1, 100, NULL, 0, 5, 2);
  map_file (t, 10, 0x10000, 0x4000, 0x2000, "/usr/lib/libfoo.so", 8, 1, 200, NULL, 0, 5, 3);

  m = scorch_proc_table_find_map (t, 10, 0x1800);
  g_assert_nonnull (m);
  g_assert_cmpstr (m->map.path, ==, "/usr/bin/prog");
  g_assert_null (scorch_proc_table_find_map (t, 10, 0x4000));
  g_assert_null (scorch_proc_table_find_map (t, 11, 0x1800));
  /* the same lookup as a ScorchFindMappingFunc */
  g_assert_true (scorch_proc_table_find_mapping (t, 10, 0x1800) == &scorch_proc_table_find_map (t, 10, 0x1800)->map);
  g_assert_null (scorch_proc_table_find_mapping (t, 10, 0x4000));
  m = scorch_proc_table_find_map (t, 10, 0x13fff);
  g_assert_nonnull (m);
  g_assert_cmpuint (m->map.pgoff, ==, 0x2000);
  libfoo = m->module;

  /* dlclose + dlopen of another library over the middle of libfoo: split */
  map_file (t, 10, 0x11000, 0x1000, 0, "/usr/lib/libbar.so", 8, 1, 300, NULL, 0, 5, 4);
  g_assert_cmpuint (scorch_proc_table_get_n_maps (t, 10), ==, 4);
  g_assert_cmpstr (scorch_proc_table_find_map (t, 10, 0x10fff)->map.path, ==, "/usr/lib/libfoo.so");
  g_assert_cmpstr (scorch_proc_table_find_map (t, 10, 0x11000)->map.path, ==, "/usr/lib/libbar.so");
  m = scorch_proc_table_find_map (t, 10, 0x12000);
  g_assert_cmpstr (m->map.path, ==, "/usr/lib/libfoo.so");
  g_assert_cmpuint (m->map.pgoff, ==, 0x2000 + 0x2000);
  g_assert_cmpuint (m->module, ==, libfoo);

  /* fork: the child gets a copy; later changes do not leak back */
  scorch_proc_table_fork (t, 20, 10, 20, 10, 5);
  g_assert_cmpstr (scorch_proc_table_get_comm (t, 20), ==, "prog");
  g_assert_nonnull (scorch_proc_table_find_map (t, 20, 0x1800));
  g_assert_true (scorch_proc_table_comm (t, 20, 20, "child", TRUE, 6));  /* exec */
  /* inside execve the old image is still on the stack */
  g_assert_nonnull (scorch_proc_table_find_map (t, 20, 0x1800));
  map_file (t, 20, 0x50000, 0x1000, 0, "/lib/ld.so", 8, 1, 500, NULL, 0, 5, 7);
  /* ... and after the kernel mapped the new image, until execve returns:
   * the old maps answer where the new ones map nothing (as perf's do),
   * but are not the process's maps any more */
  g_assert_cmpstr (scorch_proc_table_find_map (t, 20, 0x1800)->map.path, ==, "/usr/bin/prog");
  g_assert_cmpstr (scorch_proc_table_lookup_map (t, 20, 0x1800)->map.path, ==, "/usr/bin/prog");
  g_assert_cmpuint (scorch_proc_table_get_n_maps (t, 20), ==, 1);
  g_assert_nonnull (scorch_proc_table_find_map (t, 10, 0x1800));
  map_file (t, 20, 0x1000, 0x1000, 0, "/usr/bin/child", 8, 1, 400, NULL, 0, 5, 7);
  g_assert_cmpstr (scorch_proc_table_find_map (t, 20, 0x1000)->map.path, ==, "/usr/bin/child");
  g_assert_cmpstr (scorch_proc_table_lookup_map (t, 20, 0x1000)->map.path, ==, "/usr/bin/child");
  g_assert_cmpstr (scorch_proc_table_find_map (t, 10, 0x1000)->map.path, ==, "/usr/bin/prog");
  g_assert_cmpstr (scorch_proc_table_find_map (t, 20, 0x12000)->map.path, ==, "/usr/lib/libfoo.so");
  /* a second exec: the first image is gone for good */
  g_assert_true (scorch_proc_table_comm (t, 20, 20, "grandchild", TRUE, 8));
  map_file (t, 20, 0x60000, 0x1000, 0, "/lib/ld.so", 8, 1, 500, NULL, 0, 5, 9);
  g_assert_cmpstr (scorch_proc_table_find_map (t, 20, 0x1000)->map.path, ==, "/usr/bin/child");
  g_assert_null (scorch_proc_table_find_map (t, 20, 0x12000));
  g_assert_null (scorch_proc_table_lookup_map (t, 20, 0x12000));

  /* a thread shares the process's maps and inherits the name */
  scorch_proc_table_fork (t, 10, 10, 11, 10, 8);
  g_assert_cmpstr (scorch_proc_table_get_comm (t, 11), ==, "prog");
  scorch_proc_table_comm (t, 10, 11, "worker", FALSE, 9);
  g_assert_cmpstr (scorch_proc_table_get_comm (t, 11), ==, "worker");
  g_assert_cmpstr (scorch_proc_table_get_comm (t, 10), ==, "prog");
  g_assert_nonnull (scorch_proc_table_find_map (t, 10, 0x1800));

  scorch_proc_table_exit (t, 10, 11, 10);
  g_assert_nonnull (scorch_proc_table_find_map (t, 10, 0x1800));
}

static void
test_module_identity (void)
{
  g_autoptr(ScorchProcTable) t = scorch_proc_table_new ();
  static const guint8 id1[20] = { 1, 2, 3 };
  static const guint8 id2[20] = { 4, 5, 6 };
  guint32 a, b, c, d, e;

  /* the same file in two processes: one module */
  map_file (t, 1, 0x1000, 0x1000, 0, "/lib/x.so", 8, 1, 5, id1, 20, 5, 1);
  map_file (t, 2, 0x9000, 0x1000, 0, "/lib/x.so", 8, 1, 5, id1, 20, 5, 1);
  a = scorch_proc_table_find_map (t, 1, 0x1000)->module;
  b = scorch_proc_table_find_map (t, 2, 0x9000)->module;
  g_assert_cmpuint (a, ==, b);
  /* replaced file (other build id): another module */
  map_file (t, 3, 0x1000, 0x1000, 0, "/lib/x.so", 8, 1, 5, id2, 20, 5, 1);
  c = scorch_proc_table_find_map (t, 3, 0x1000)->module;
  g_assert_cmpuint (c, !=, a);
  /* anonymous memory is per process */
  map_file (t, 1, 0x5000, 0x1000, 0, "//anon", 0, 0, 0, NULL, 0, 7, 1);
  map_file (t, 2, 0x5000, 0x1000, 0, "//anon", 0, 0, 0, NULL, 0, 7, 1);
  d = scorch_proc_table_find_map (t, 1, 0x5000)->module;
  e = scorch_proc_table_find_map (t, 2, 0x5000)->module;
  g_assert_cmpuint (d, !=, e);
  /* build id from the BUILD_ID feature, by path */
  scorch_proc_table_add_build_id (t, "/lib/y.so", id2, 20);
  map_file (t, 4, 0x1000, 0x1000, 0, "/lib/y.so", 8, 1, 9, NULL, 0, 5, 1);
  g_assert_cmpuint (scorch_proc_table_find_map (t, 4, 0x1000)->map.build_id_len, ==, 20);
  g_assert_cmpmem (scorch_proc_table_find_map (t, 4, 0x1000)->map.build_id, 20, id2, 20);
}

/* The record's file name is not NUL-terminated (it is padded to 8 bytes
 * and followed by the sample id): only filename_len bytes are the path. */
static void
test_name_length (void)
{
  g_autoptr(ScorchProcTable) t = scorch_proc_table_new ();
  static const char record_tail[] = "/lib/z.so\0\0\0\0\0\0\0XYZ";
  ScorchPerfMmap m = {
    .pid = 5, .tid = 5, .start = 0x1000, .len = 0x1000, .prot = 5,
    .filename = record_tail + 1, .filename_len = 3,
  };
  const ScorchProcMap *found;

  scorch_proc_table_mmap (t, &m, 1);
  found = scorch_proc_table_find_map (t, 5, 0x1000);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->map.path, ==, "lib");
  g_assert_cmpuint (found->time, ==, 1);

  /* no name at all: an empty path, as an anonymous mapping has */
  m.start = 0x3000;
  m.filename = NULL;
  m.filename_len = 0;
  scorch_proc_table_mmap (t, &m, 2);
  g_assert_cmpstr (scorch_proc_table_find_map (t, 5, 0x3000)->map.path, ==, "");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/proc-table/maps", test_maps);
  g_test_add_func ("/libscorch/proc-table/module-identity", test_module_identity);
  g_test_add_func ("/libscorch/proc-table/name-length", test_name_length);

  return g_test_run ();
}
