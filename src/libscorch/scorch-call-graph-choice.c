/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "scorch-elf-check"

#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "scorch-call-graph-choice.h"
#include "scorch-elf-check.h"
#include "scorch-module.h"
#include "scorch-sysprofd.h"
#include "scorch-util.h"

/* Libraries whose own frames leaf repair handles from their CFI: the C
 * and C++ runtime, built without frame pointers by distributions, whose
 * hot functions are leaves (memcpy, strlen, sqrt) or short frameless
 * chains above them (malloc). */
static gboolean
is_runtime_library (const char *soname)
{
  static const char * const prefixes[] = {
    "libc.so", "libm.so", "libmvec.so", "ld-linux", "libpthread.so", "libdl.so", "librt.so",
    "libgcc_s.so", "libstdc++.so", "libresolv.so", "libutil.so", "libatomic.so",
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (soname, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* The program's DT_NEEDED names and its RUNPATH/RPATH directories, as
 * the program sees them (path is under root, if root is not NULL). */
static void
read_dynamic (const char  *root,
              const char  *path,
              GPtrArray   *needed,
              GPtrArray   *dirs)
{
  g_autofree char *origin = g_path_get_dirname (root != NULL ? path + strlen (root) : path);
  Elf_Scn *scn = NULL;
  g_autoptr(ScorchModule) module = NULL;
  Elf *elf;

  module = scorch_module_cache_open (scorch_module_cache_get_default (), path, NULL);
  if (module == NULL)
    return;
  elf = scorch_module_begin_elf (module);
  while (elf != NULL && elf_kind (elf) == ELF_K_ELF && (scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      if (gelf_getshdr (scn, &shdr) == NULL || shdr.sh_type != SHT_DYNAMIC || shdr.sh_entsize == 0)
        continue;
      data = elf_getdata (scn, NULL);
      if (data == NULL)
        continue;
      for (gsize i = 0; i < MIN (shdr.sh_size / shdr.sh_entsize, 4096); i++)
        {
          GElf_Dyn dyn;
          const char *str;

          if (gelf_getdyn (data, (int) i, &dyn) == NULL || dyn.d_tag == DT_NULL)
            break;
          if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_RPATH)
            continue;
          str = elf_strptr (elf, shdr.sh_link, dyn.d_un.d_val);
          if (str == NULL || *str == '\0')
            continue;
          if (dyn.d_tag == DT_NEEDED)
            {
              /* a name, never a path taken from the file */
              if (strchr (str, '/') == NULL)
                g_ptr_array_add (needed, g_strdup (str));
            }
          else
            {
              g_auto(GStrv) parts = g_strsplit (str, ":", 16);

              for (guint j = 0; parts[j] != NULL; j++)
                {
                  g_autoptr(GString) dir = g_string_new (parts[j]);

                  g_string_replace (dir, "$ORIGIN", origin, 0);
                  g_string_replace (dir, "${ORIGIN}", origin, 0);
                  if (g_path_is_absolute (dir->str))
                    g_ptr_array_add (dirs, g_string_free (g_steal_pointer (&dir), FALSE));
                }
            }
        }
    }
  if (elf != NULL)
    elf_end (elf);
}

/* realpath() of path, which must stay under root (a host's file seen
 * under /run/host: an absolute link would lead to this sandbox's). */
static char *
resolve_under (const char *root,
               const char *path)
{
  g_autofree char *resolved = scorch_elf_check_resolve_program (path);
  g_autofree char *prefix = NULL;

  if (resolved == NULL || root == NULL)
    return g_steal_pointer (&resolved);
  prefix = g_strconcat (root, "/", NULL);
  return g_str_has_prefix (resolved, prefix) ? g_steal_pointer (&resolved) : NULL;
}

static char *
find_library (const char *root,
              const char *soname,
              GPtrArray  *dirs)
{
  static const char * const system_dirs[] = {
#if defined(__x86_64__)
    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
    "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
#endif
    "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
  };

  for (guint i = 0; i < dirs->len + G_N_ELEMENTS (system_dirs); i++)
    {
      const char *dir = i < dirs->len ? g_ptr_array_index (dirs, i) : system_dirs[i - dirs->len];
      g_autofree char *candidate = g_build_filename (root != NULL ? root : "/", dir, soname, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
        return resolve_under (root, candidate);
    }
  return NULL;
}

/* The interpreter of a "#!" script, resolved; NULL when path is no script. */
static char *
script_interpreter (const char *path)
{
  char line[256];
  gssize n;
  char *end, *start;
  int fd = scorch_open_regular_file (path, SCORCH_MAX_ELF_SIZE, NULL, NULL);

  if (fd < 0)
    return NULL;
  n = read (fd, line, sizeof line - 1);
  close (fd);
  if (n < 3 || line[0] != '#' || line[1] != '!')
    return NULL;
  line[n] = '\0';
  start = line + 2;
  while (*start == ' ' || *start == '\t')
    start++;
  end = start + strcspn (start, " \t\n");
  *end = '\0';
  if (*start != '/')
    return NULL;
  /* "#!/usr/bin/env python3": the program env runs */
  if (g_str_has_suffix (start, "/env"))
    {
      char *arg = end + 1;

      if (arg - line < n)
        {
          arg += strspn (arg, " \t");
          arg[strcspn (arg, " \t\n")] = '\0';
          if (*arg != '\0' && *arg != '-')
            return scorch_elf_check_resolve_program (arg);
        }
    }
  return scorch_elf_check_resolve_program (start);
}

/* The decision for program, a resolved path; under root (the host's
 * files seen from a Flatpak, "/run/host") when root is not NULL: its
 * libraries are looked up there too, and named as the host names them. */
static ScorchCallGraph
choose_for_program (const char  *root,
                    const char  *program,
                    char       **reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) needed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) checked = g_string_new (NULL);
  ScorchElfFramePointers fp;
  const char *name = root != NULL ? program + strlen (root) : program;

  if (!scorch_elf_check_frame_pointers (program, &fp, &error))
    {
      /* scripts without an interpreter line, stripped or foreign
       * binaries: DWARF works for all */
      if (reason != NULL)
        *reason = g_strdup_printf (_("DWARF stacks: %s."), error->message);
      return SCORCH_CALL_GRAPH_DWARF;
    }
  if (!fp.frame_pointers)
    {
      if (reason != NULL)
        *reason = g_strdup_printf (_("DWARF stacks: only %u of the %u functions of %s that call others set up a frame pointer."),
                                   fp.n_with_fp, fp.n_functions, name);
      return SCORCH_CALL_GRAPH_DWARF;
    }

  read_dynamic (root, program, needed, dirs);
  for (guint i = 0; i < needed->len; i++)
    {
      const char *soname = g_ptr_array_index (needed, i);
      g_autofree char *lib = NULL;
      g_autoptr(GError) lib_error = NULL;
      ScorchElfFramePointers lfp;

      if (is_runtime_library (soname))
        continue;
      lib = find_library (root, soname, dirs);
      if (lib == NULL)
        continue;   /* the loader will say so */
      if (!scorch_elf_check_frame_pointers (lib, &lfp, &lib_error))
        {
          if (reason != NULL)
            *reason = g_strdup_printf (_("DWARF stacks: %s keeps frame pointers, but the library %s "
                                         "it uses cannot be checked (%s)."),
                                       name, soname, lib_error->message);
          return SCORCH_CALL_GRAPH_DWARF;
        }
      if (!lfp.frame_pointers)
        {
          if (reason != NULL)
            *reason = g_strdup_printf (_("DWARF stacks: %s keeps frame pointers, but the library %s it uses "
                                         "does not (%u of %u functions set one up)."),
                                       name, soname, lfp.n_with_fp, lfp.n_functions);
          return SCORCH_CALL_GRAPH_DWARF;
        }
      g_string_append_printf (checked, "%s%s", checked->len > 0 ? ", " : "", soname);
    }

  if (reason != NULL)
    {
      if (checked->len > 0)
        *reason = g_strdup_printf (_("Frame pointers with leaf repair: %u of the %u functions of %s that call others "
                                     "set up a frame pointer, and so do the libraries it uses (%s)."),
                                   fp.n_with_fp, fp.n_functions, name, checked->str);
      else
        *reason = g_strdup_printf (_("Frame pointers with leaf repair: %u of the %u functions of %s that call others "
                                     "set up a frame pointer, and leaves without one are repaired from their CFI."),
                                   fp.n_with_fp, fp.n_functions, name);
    }
  return SCORCH_CALL_GRAPH_FP_REPAIR;
}

ScorchCallGraph
scorch_elf_check_choose_call_graph (const char  *path,
                                    char       **reason)
{
  g_autofree char *program = NULL;
  g_autofree char *interpreter = NULL;

  g_return_val_if_fail (path != NULL, SCORCH_CALL_GRAPH_DWARF);

  program = scorch_elf_check_resolve_program (path);
  if (program == NULL)
    {
      int errsv = errno;

      if (reason != NULL)
        *reason = g_strdup_printf (_("DWARF stacks: “%s” cannot be examined (%s)."), path, g_strerror (errsv));
      return SCORCH_CALL_GRAPH_DWARF;
    }
  interpreter = script_interpreter (program);
  if (interpreter != NULL)
    {
      g_free (program);
      program = g_steal_pointer (&interpreter);
    }
  return choose_for_program (NULL, program, reason);
}

/* (scorch-call-graph-choice.h) */
char *
_scorch_call_graph_maps_main_executable (const char *maps)
{
  g_auto(GStrv) lines = g_strsplit (maps, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *path = lines[i];

      /* "start-end perms offset dev inode   path": past five fields */
      for (guint field = 0; field < 5 && *path != '\0'; field++)
        {
          path += strcspn (path, " ");
          path += strspn (path, " ");
        }
      if (path[0] != '/')
        continue;   /* anonymous, [heap], [vdso], a short line */
      if (g_str_has_suffix (path, " (deleted)") || strstr (path, "/../") != NULL ||
          g_str_has_suffix (path, "/.."))
        return NULL;
      return g_strdup (path);
    }
  return NULL;
}

/* A host process's program (the PIDs are the host's, through sysprofd):
 * GetProcFile cannot read the /proc/PID/exe link, so the program is the
 * main executable of its maps, seen under /run/host inside a Flatpak. */
static ScorchCallGraph
choose_for_host_pid (int    pid,
                     char **reason)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maps_path = g_strdup_printf ("/proc/%d/maps", pid);
  g_autofree char *maps = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *program = NULL;
  const char *root = scorch_sysprofd_in_flatpak () ? "/run/host" : NULL;

  if (scorch_sysprofd_available (&bus, &error))
    maps = scorch_sysprofd_read_proc_text (bus, maps_path, NULL, &error);
  exe = maps != NULL ? _scorch_call_graph_maps_main_executable (maps) : NULL;
  if (exe != NULL)
    {
      g_autofree char *seen = g_strconcat (root != NULL ? root : "", exe, NULL);

      /* a name from another process: no way out of root, a regular file */
      program = resolve_under (root, seen);
      if (program != NULL && !g_file_test (program, G_FILE_TEST_IS_REGULAR))
        g_clear_pointer (&program, g_free);
    }
  if (program == NULL)
    {
      /* sysprofd records frame-pointer stacks whatever is chosen here */
      if (reason != NULL)
        {
          if (exe != NULL)
            *reason = g_strdup_printf (_("Frame pointers: process %d is the host's, and its program %s "
                                         "cannot be read from here to check it; sysprofd records "
                                         "frame-pointer stacks."), pid, exe);
          else
            *reason = g_strdup_printf (_("Frame pointers: process %d is the host's, and its program "
                                         "is not known here (%s); sysprofd records frame-pointer stacks."),
                                       pid, error != NULL ? error->message : _("no mapped file"));
        }
      return SCORCH_CALL_GRAPH_FP;
    }
  return choose_for_program (root, program, reason);
}

ScorchCallGraph
scorch_elf_check_choose_call_graph_for_pid (int    pid,
                                            char **reason)
{
  g_autofree char *exe = NULL;

  g_return_val_if_fail (pid > 0, SCORCH_CALL_GRAPH_DWARF);

  if (scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD)
    return choose_for_host_pid (pid, reason);
  exe = g_strdup_printf ("/proc/%d/exe", pid);
  return scorch_elf_check_choose_call_graph (exe, reason);
}
