/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-start.c: what a loading scorch-cli command costs before it reads
 * a record (issue 13):
 *  - scorch_cli_prepare_heap() (src/cli/scorch-cli-heap.c) leaves a heap
 *    range marked for huge pages ("hg" in its smaps VmFlags), so that a
 *    load's fresh memory is not one page fault per 4 KiB. */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "../src/cli/scorch-cli.h"

/* Whether a VMA of [heap] in /proc/self/smaps has FLAG in its VmFlags. */
static gboolean
heap_has_vm_flag (const char *flag)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_heap = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL));
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      /* a VMA's first line: "start-end perms offset dev inode [path]" */
      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') != NULL && strchr (line, ':') != NULL &&
          !g_str_has_prefix (line, "VmFlags"))
        {
          in_heap = g_str_has_suffix (line, "[heap]");
          continue;
        }
      if (in_heap && g_str_has_prefix (line, "VmFlags:"))
        {
          g_auto(GStrv) flags = g_strsplit (line + strlen ("VmFlags:"), " ", -1);

          if (g_strv_contains ((const char * const *) flags, flag))
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_heap_huge_pages (void)
{
#ifndef __GLIBC__
  g_test_skip ("mallopt() is glibc's");
  return;
#endif
  if (!g_file_test ("/sys/kernel/mm/transparent_hugepage/enabled", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the kernel has no transparent huge pages");
      return;
    }
  /* the heap is not marked before (the test process did nothing to it) */
  g_assert_false (heap_has_vm_flag ("hg"));
  g_assert_true (scorch_cli_prepare_heap ());
  g_assert_true (heap_has_vm_flag ("hg"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/start/heap-huge-pages", test_heap_huge_pages);
  return g_test_run ();
}
