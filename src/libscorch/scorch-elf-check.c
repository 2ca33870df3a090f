/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-elf-check.c: frame-pointer prologue check with libelf */

#include "config.h"

#define G_LOG_DOMAIN "scorch-elf-check"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "scorch-elf-check.h"
#include "scorch-module.h"
#include "scorch-util.h"

G_DEFINE_QUARK (scorch-elf-check-error-quark, scorch_elf_check_error)

/* The file through the module cache: the symbolizer, the unwinder and
 * this check share one open of it. */
static ScorchModule *
open_module (const char  *path,
             GError     **error)
{
  return scorch_module_cache_open (scorch_module_cache_get_default (), path, error);
}

/* Functions shorter than this (thunks, trivial getters) say nothing. */
#define MIN_FUNCTION_SIZE 8
/* Bytes at the start of each function where its prologue is looked for */
#define PROLOGUE_BYTES 64
/* Bytes of each function searched for calls */
#define BODY_BYTES 4096

/* The C runtime's start files are built without frame pointers whatever the
 * program uses. */
static const char * const crt_functions[] = {
  "_start", "_init", "_fini", "deregister_tm_clones", "register_tm_clones",
  "__do_global_dtors_aux", "frame_dummy", "__libc_csu_init", "__libc_csu_fini",
  "_dl_relocate_static_pie", "__x86.get_pc_thunk.bx",
};

static gboolean
is_crt_function (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (crt_functions); i++)
    if (strcmp (name, crt_functions[i]) == 0)
      return TRUE;
  return FALSE;
}

/* push %rbp, then mov %rsp,%rbp (48 89 e5 or 48 8b ec) in the first bytes:
 * GCC schedules other instructions between the two at -O2, and shrink-wraps
 * the prologue behind an early exit. */
static gboolean
x86_64_has_fp_prologue (const guint8 *code,
                        gsize         len)
{
  gboolean pushed = FALSE;

  len = MIN (len, PROLOGUE_BYTES);
  for (gsize i = 0; i < len; i++)
    {
      if (code[i] == 0x55)
        pushed = TRUE;
      else if (pushed && i + 3 <= len && code[i] == 0x48 &&
               ((code[i + 1] == 0x89 && code[i + 2] == 0xe5) ||
                (code[i + 1] == 0x8b && code[i + 2] == 0xec)))
        return TRUE;
    }
  return FALSE;
}

/* Whether the function's code (at vaddr) looks like it calls: a call rel32
 * into the same section, or an indirect call through memory or a register.
 * Leaves keep no frame even with -fno-omit-frame-pointer, so only callers
 * tell how a binary was built. */
static gboolean
x86_64_has_call (const guint8 *code,
                 gsize         len,
                 guint64       vaddr,
                 guint64       sec_start,
                 guint64       sec_end)
{
  for (gsize i = 0; i + 5 <= len; i++)
    {
      if (code[i] == 0xe8)
        {
          gint32 rel = (gint32) ((guint32) code[i + 1] | ((guint32) code[i + 2] << 8) |
                                 ((guint32) code[i + 3] << 16) | ((guint32) code[i + 4] << 24));
          guint64 target = vaddr + i + 5 + (gint64) rel;

          if (target >= sec_start && target < sec_end)
            return TRUE;
        }
      else if (code[i] == 0xff && (code[i + 1] == 0x15 || (code[i + 1] >= 0xd0 && code[i + 1] <= 0xd7)))
        return TRUE;
    }
  return FALSE;
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static gboolean
aarch64_has_fp_prologue (const guint8 *code,
                         gsize         len)
{
  /* Within the first instructions (after an optional bti/paciasp):
   * stp x29, x30, [sp, #-N]! (pre-index 64-bit: 0xa9800000 | imm7 | Rt2=30 |
   * Rn=sp | Rt=29) followed later by mov x29, sp (0x910003fd). */
  gboolean saw_stp = FALSE;

  for (gsize i = 0; i + 4 <= len; i += 4)
    {
      guint32 insn = read_le32 (code + i);

      if ((insn & 0xffc07fff) == (0xa9800000 | (30u << 10) | (31u << 5) | 29u))
        saw_stp = TRUE;
      else if (insn == 0x910003fd && saw_stp)
        return TRUE;
    }
  return FALSE;
}

static gboolean
check_symbols (Elf                    *elf,
               Elf_Scn                *symtab,
               guint16                 machine,
               ScorchElfFramePointers *result)
{
  GElf_Shdr shdr;
  Elf_Data *data;
  gsize n_syms;

  if (gelf_getshdr (symtab, &shdr) == NULL || shdr.sh_entsize == 0)
    return FALSE;
  data = elf_getdata (symtab, NULL);
  if (data == NULL)
    return FALSE;
  n_syms = MIN (shdr.sh_size / shdr.sh_entsize, data->d_size / shdr.sh_entsize);

  for (gsize i = 0; i < n_syms; i++)
    {
      GElf_Sym sym;
      GElf_Shdr text_shdr;
      Elf_Scn *text;
      Elf_Data *text_data;
      const char *name;
      guint64 offset;
      gsize avail;
      const guint8 *code;
      gboolean has_fp;

      if (gelf_getsym (data, (int) i, &sym) == NULL)
        continue;
      if (GELF_ST_TYPE (sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
          sym.st_shndx >= SHN_LORESERVE || sym.st_size < MIN_FUNCTION_SIZE)
        continue;
      name = elf_strptr (elf, shdr.sh_link, sym.st_name);
      if (name == NULL || is_crt_function (name))
        continue;

      text = elf_getscn (elf, sym.st_shndx);
      if (text == NULL || gelf_getshdr (text, &text_shdr) == NULL ||
          text_shdr.sh_type != SHT_PROGBITS || (text_shdr.sh_flags & SHF_EXECINSTR) == 0)
        continue;
      if (sym.st_value < text_shdr.sh_addr)
        continue;
      offset = sym.st_value - text_shdr.sh_addr;
      text_data = elf_getdata (text, NULL);
      if (text_data == NULL || text_data->d_buf == NULL || offset >= text_data->d_size)
        continue;
      avail = MIN (text_data->d_size - offset, (gsize) MIN (sym.st_size, BODY_BYTES));
      code = (const guint8 *) text_data->d_buf + offset;

      if (machine == EM_X86_64)
        {
          if (!x86_64_has_call (code, avail, sym.st_value, text_shdr.sh_addr,
                                text_shdr.sh_addr + text_data->d_size))
            continue;   /* a leaf says nothing */
          has_fp = x86_64_has_fp_prologue (code, avail);
        }
      else
        has_fp = aarch64_has_fp_prologue (code, MIN (avail, 16));

      result->n_functions++;
      if (has_fp)
        result->n_with_fp++;
    }

  return result->n_functions > 0;
}

gboolean
scorch_elf_check_frame_pointers (const char             *path,
                                 ScorchElfFramePointers *result,
                                 GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  ScorchElfFramePointers r = { 0, };
  Elf_Scn *scn = NULL;
  Elf_Scn *symtab = NULL;
  Elf_Scn *dynsym = NULL;
  GElf_Ehdr ehdr;
  g_autoptr(ScorchModule) module = NULL;
  Elf *elf;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  module = open_module (path, &local_error);
  if (module == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    {
      g_set_error_literal (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_OPEN,
                           local_error->message);
      return FALSE;
    }

  elf = module != NULL ? scorch_module_begin_elf (module) : NULL;
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF || gelf_getehdr (elf, &ehdr) == NULL)
    {
      g_set_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_NOT_ELF,
                   _("“%s” is not an ELF program"), path);
      if (elf != NULL)
        elf_end (elf);
      return FALSE;
    }

  if (ehdr.e_machine != EM_X86_64 && ehdr.e_machine != EM_AARCH64)
    {
      g_set_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_UNSUPPORTED,
                   _("Cannot check frame pointers of “%s”: unsupported architecture %u"),
                   path, ehdr.e_machine);
      elf_end (elf);
      return FALSE;
    }

  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;

      if (gelf_getshdr (scn, &shdr) == NULL)
        continue;
      if (shdr.sh_type == SHT_SYMTAB)
        symtab = scn;
      else if (shdr.sh_type == SHT_DYNSYM)
        dynsym = scn;
    }

  ok = (symtab != NULL && check_symbols (elf, symtab, ehdr.e_machine, &r));
  if (!ok)
    {
      r = (ScorchElfFramePointers) { 0, };
      ok = (dynsym != NULL && check_symbols (elf, dynsym, ehdr.e_machine, &r));
    }

  elf_end (elf);

  if (!ok)
    {
      g_set_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_NO_SYMBOLS,
                   _("“%s” has no function symbols to check for frame pointers"), path);
      return FALSE;
    }

  /* Leaf functions may omit the frame even with -fno-omit-frame-pointer
   * (without -mno-omit-leaf-frame-pointer); a half is a safe line between
   * the two builds, which give nearly all or nearly none. */
  r.frame_pointers = r.n_with_fp * 2 >= r.n_functions;
  *result = r;
  return TRUE;
}

static gboolean
prologue_sets_up_frame (guint16       machine,
                        const guint8 *code,
                        gsize         len)
{
  if (machine == EM_X86_64)
    return x86_64_has_fp_prologue (code, len);
  return aarch64_has_fp_prologue (code, len);
}

/* Finds the function symbol of symtab covering vaddr and checks it. */
static gboolean
find_function (Elf                    *elf,
               Elf_Scn                *symtab,
               guint16                 machine,
               guint64                 vaddr,
               guint64                 file_offset,
               ScorchElfFunctionFrame *result)
{
  GElf_Shdr shdr;
  Elf_Data *data;
  gsize n_syms;

  if (symtab == NULL || gelf_getshdr (symtab, &shdr) == NULL || shdr.sh_entsize == 0)
    return FALSE;
  data = elf_getdata (symtab, NULL);
  if (data == NULL)
    return FALSE;
  n_syms = MIN (shdr.sh_size / shdr.sh_entsize, data->d_size / shdr.sh_entsize);

  for (gsize i = 0; i < n_syms; i++)
    {
      GElf_Sym sym;
      GElf_Shdr text_shdr;
      Elf_Scn *text;
      Elf_Data *text_data;
      guint64 offset;
      gsize avail;

      if (gelf_getsym (data, (int) i, &sym) == NULL)
        continue;
      if (GELF_ST_TYPE (sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
          sym.st_shndx >= SHN_LORESERVE || sym.st_size == 0)
        continue;
      if (vaddr < sym.st_value || vaddr - sym.st_value >= sym.st_size)
        continue;

      text = elf_getscn (elf, sym.st_shndx);
      if (text == NULL || gelf_getshdr (text, &text_shdr) == NULL ||
          text_shdr.sh_type != SHT_PROGBITS || sym.st_value < text_shdr.sh_addr)
        continue;
      offset = sym.st_value - text_shdr.sh_addr;
      text_data = elf_getdata (text, NULL);
      if (text_data == NULL || text_data->d_buf == NULL || offset >= text_data->d_size)
        continue;
      avail = MIN (text_data->d_size - offset, (gsize) MIN (sym.st_size, PROLOGUE_BYTES));

      result->found = TRUE;
      result->sets_up_frame = prologue_sets_up_frame (machine, (const guint8 *) text_data->d_buf + offset, avail);
      result->symbol_offset = file_offset - (vaddr - sym.st_value);
      return TRUE;
    }
  return FALSE;
}

gboolean
scorch_elf_check_function_frame (const char             *path,
                                 guint64                 file_offset,
                                 ScorchElfFunctionFrame *result,
                                 GError                **error)
{
  ScorchElfFunctionFrame r = { 0, };
  g_autoptr(GError) local_error = NULL;
  Elf_Scn *scn = NULL;
  Elf_Scn *symtab = NULL;
  Elf_Scn *dynsym = NULL;
  GElf_Ehdr ehdr;
  gboolean have_vaddr = FALSE;
  guint64 vaddr = 0;
  gsize n_phdrs = 0;
  gsize shstrndx = 0;
  g_autoptr(ScorchModule) module = NULL;
  Elf *elf;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The path comes from a capture: the module cache only ever reads a
   * regular file. */
  module = open_module (path, &local_error);
  if (module == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    {
      g_set_error_literal (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_OPEN,
                           local_error->message);
      return FALSE;
    }

  elf = module != NULL ? scorch_module_begin_elf (module) : NULL;
  if (elf == NULL || elf_kind (elf) != ELF_K_ELF || gelf_getehdr (elf, &ehdr) == NULL ||
      (ehdr.e_machine != EM_X86_64 && ehdr.e_machine != EM_AARCH64))
    {
      g_set_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_NOT_ELF,
                   _("“%s” is not an ELF program of a supported architecture"), path);
      if (elf != NULL)
        elf_end (elf);
      return FALSE;
    }

  /* The file offset of a sampled address -> its link-time address. */
  if (elf_getphdrnum (elf, &n_phdrs) == 0)
    for (gsize i = 0; i < n_phdrs && !have_vaddr; i++)
      {
        GElf_Phdr phdr;

        if (gelf_getphdr (elf, (int) i, &phdr) == NULL || phdr.p_type != PT_LOAD)
          continue;
        if (file_offset >= phdr.p_offset && file_offset - phdr.p_offset < phdr.p_filesz)
          {
            vaddr = file_offset - phdr.p_offset + phdr.p_vaddr;
            have_vaddr = TRUE;
          }
      }

  elf_getshdrstrndx (elf, &shstrndx);
  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      const char *name;

      if (gelf_getshdr (scn, &shdr) == NULL)
        continue;
      if (shdr.sh_type == SHT_SYMTAB)
        symtab = scn;
      else if (shdr.sh_type == SHT_DYNSYM)
        dynsym = scn;
      name = elf_strptr (elf, shstrndx, shdr.sh_name);
      if (name != NULL && shdr.sh_size > 0 && shdr.sh_type != SHT_NOBITS &&
          (strcmp (name, ".eh_frame") == 0 || strcmp (name, ".debug_frame") == 0))
        r.has_cfi = TRUE;
    }

  if (have_vaddr && !find_function (elf, symtab, ehdr.e_machine, vaddr, file_offset, &r))
    find_function (elf, dynsym, ehdr.e_machine, vaddr, file_offset, &r);

  elf_end (elf);
  *result = r;
  return TRUE;
}

/* ---- the automatic call-graph mode -------------------------------------- */

char *
scorch_elf_check_resolve_program (const char *path)
{
  g_autofree char *found = NULL;
  char *resolved;

  g_return_val_if_fail (path != NULL, NULL);

  if (strchr (path, '/') == NULL)
    {
      found = g_find_program_in_path (path);
      if (found == NULL)
        {
          errno = ENOENT;
          return NULL;
        }
      path = found;
    }
  /* realpath() resolves every link of every component, each relative to
   * the directory holding it. */
  resolved = realpath (path, NULL);
  if (resolved == NULL)
    return NULL;
  {
    char *copy = g_strdup (resolved);
    free (resolved);
    return copy;
  }
}

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

/* The program's DT_NEEDED names and its RUNPATH/RPATH directories. */
static void
read_dynamic (const char  *path,
              GPtrArray   *needed,
              GPtrArray   *dirs)
{
  g_autofree char *origin = g_path_get_dirname (path);
  Elf_Scn *scn = NULL;
  g_autoptr(ScorchModule) module = NULL;
  Elf *elf;

  module = open_module (path, NULL);
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

static char *
find_library (const char *soname,
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
      g_autofree char *candidate = g_build_filename (dir, soname, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR))
        return scorch_elf_check_resolve_program (candidate);
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

ScorchCallGraph
scorch_elf_check_choose_call_graph (const char  *path,
                                    char       **reason)
{
  g_autofree char *program = NULL;
  g_autofree char *interpreter = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) needed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) checked = g_string_new (NULL);
  ScorchElfFramePointers fp;
  const char *name;

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
  name = program;

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

  read_dynamic (program, needed, dirs);
  for (guint i = 0; i < needed->len; i++)
    {
      const char *soname = g_ptr_array_index (needed, i);
      g_autofree char *lib = NULL;
      g_autoptr(GError) lib_error = NULL;
      ScorchElfFramePointers lfp;

      if (is_runtime_library (soname))
        continue;
      lib = find_library (soname, dirs);
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
