/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-elf-check.c: frame-pointer prologue check with libelf */

#include "config.h"

#define G_LOG_DOMAIN "scorch-elf-check"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "scorch-elf-check.h"
#include "scorch-elf-symbols.h"
#include "scorch-module.h"
#include "scorch-util.h"

G_DEFINE_QUARK (scorch-elf-check-error-quark, scorch_elf_check_error)

/* The file through the module cache: the symbolizer, the unwinder and
 * this check share one open of it (only ever of a regular file).  FALSE
 * with SCORCH_ELF_CHECK_ERROR_OPEN when it cannot be read; TRUE with
 * *module NULL and no error when it is not an ELF file. */
static gboolean
open_module (const char    *path,
             ScorchModule **module,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  *module = scorch_module_cache_open (scorch_module_cache_get_default (), path, &local_error);
  if (*module != NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    return TRUE;
  g_set_error_literal (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_OPEN, local_error->message);
  return FALSE;
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
  /* every name above starts with one of these: most symbols of a large
   * library are decided by their first byte (this runs for each) */
  if (name[0] != '_' && name[0] != 'd' && name[0] != 'r' && name[0] != 'f')
    return FALSE;
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
      /* (the name last: the cheaper tests above skip most symbols) */
      name = elf_strptr (elf, shdr.sh_link, sym.st_name);
      if (name == NULL || is_crt_function (name))
        continue;

      result->n_functions++;
      if (has_fp)
        result->n_with_fp++;
    }

  return result->n_functions > 0;
}

/* ---- the verdict per build id, in the persistent cache ----------------- */

/* A module's verdict takes a scan of all its functions (libpython: ~10k):
 * it is kept per build id beside the symbol cache
 * (scorch_elf_symbols_dup_default_cache_dir()), one small text file
 * "<build id>.fp": a version line, the build id, "MACHINE N_FUNCTIONS
 * N_WITH_FP", and a checksum of those lines.  Anything else in it (a
 * damaged or foreign file) is ignored and rewritten. */
#define FP_CACHE_HEADER "scorch-fp-check 1"

static guint32
fp_cache_sum (const char *s)
{
  guint32 h = 2166136261u;

  for (; *s != '\0'; s++)
    h = (h ^ (guint8) *s) * 16777619u;
  return h;
}

static char *
fp_cache_path (const char   *dir,
               const guint8 *id,
               guint         id_len)
{
  g_autofree char *hex = scorch_module_build_id_to_hex (id, id_len);
  g_autofree char *name = g_strconcat (hex, ".fp", NULL);

  return g_build_filename (dir, name, NULL);
}

static char *
fp_cache_body (const guint8                 *id,
               guint                         id_len,
               guint                         machine,
               const ScorchElfFramePointers *r)
{
  g_autofree char *hex = scorch_module_build_id_to_hex (id, id_len);

  return g_strdup_printf (FP_CACHE_HEADER "\n%s\n%u %u %u\n", hex, machine, r->n_functions, r->n_with_fp);
}

static gboolean
fp_cache_load (const char             *dir,
               const guint8           *id,
               guint                   id_len,
               guint                   machine,
               ScorchElfFramePointers *r)
{
  g_autofree char *path = fp_cache_path (dir, id, id_len);
  g_autofree char *contents = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *expect = NULL;
  ScorchElfFramePointers got = { 0, };
  guint m = 0;
  guint32 sum = 0;
  char *nl;
  gsize len = 0;

  if (!scorch_read_regular_file (path, 4096, &contents, &len, NULL))
    return FALSE;
  /* BODY, then the checksum line */
  nl = len > 1 ? g_strrstr_len (contents, len - 1, "\n") : NULL;
  if (nl == NULL || contents[len - 1] != '\n')
    return FALSE;
  if (len != (gsize) (nl + 1 - contents) + 9 || sscanf (nl + 1, "%8x", &sum) != 1)
    return FALSE;
  nl[1] = '\0';
  if (fp_cache_sum (contents) != sum)
    return FALSE;
  hex = scorch_module_build_id_to_hex (id, id_len);
  if (sscanf (contents, FP_CACHE_HEADER "\n%*s\n%u %u %u\n", &m, &got.n_functions, &got.n_with_fp) != 3)
    return FALSE;
  got.frame_pointers = got.n_with_fp * 2 >= got.n_functions;
  expect = fp_cache_body (id, id_len, m, &got);
  /* exactly what this build id's entry says, nothing more */
  if (strcmp (expect, contents) != 0 || m != machine || got.n_functions == 0 ||
      got.n_with_fp > got.n_functions)
    return FALSE;
  *r = got;
  return TRUE;
}

static void
fp_cache_save (const char                   *dir,
               const guint8                 *id,
               guint                         id_len,
               guint                         machine,
               const ScorchElfFramePointers *r)
{
  g_autofree char *path = fp_cache_path (dir, id, id_len);
  g_autofree char *body = fp_cache_body (id, id_len, machine, r);
  g_autofree char *contents = g_strdup_printf ("%s%08x\n", body, fp_cache_sum (body));

  /* g_file_set_contents() writes a temporary file and renames it */
  if (g_mkdir_with_parents (dir, 0700) == 0)
    g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
}

gboolean
scorch_elf_check_frame_pointers (const char             *path,
                                 ScorchElfFramePointers *result,
                                 GError                **error)
{
  ScorchElfFramePointers r = { 0, };
  Elf_Scn *scn = NULL;
  Elf_Scn *symtab = NULL;
  Elf_Scn *dynsym = NULL;
  GElf_Ehdr ehdr;
  g_autoptr(ScorchModule) module = NULL;
  g_autofree char *cache_dir = NULL;
  const guint8 *id = NULL;
  guint id_len = 0;
  Elf *elf;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!open_module (path, &module, error))
    return FALSE;

  if (module != NULL)
    {
      cache_dir = scorch_elf_symbols_dup_default_cache_dir ();
      id = scorch_module_get_build_id (module, &id_len);
      if (cache_dir != NULL && id != NULL &&
          fp_cache_load (cache_dir, id, id_len, scorch_module_get_machine (module), &r))
        {
          *result = r;
          return TRUE;
        }
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
  if (cache_dir != NULL && id != NULL)
    fp_cache_save (cache_dir, id, id_len, ehdr.e_machine, &r);
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

gboolean
scorch_elf_check_function_frame (const char             *path,
                                 guint64                 file_offset,
                                 ScorchElfFunctionFrame *result,
                                 GError                **error)
{
  ScorchElfFunctionFrame r = { 0, };
  g_autoptr(ScorchModule) module = NULL;
  const ScorchModuleFunction *f;
  const guint8 *data;
  gsize size = 0;
  guint machine;
  guint64 vaddr = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The path comes from a capture: the module cache only ever reads a
   * regular file, and indexes its function symbols once for all the
   * addresses asked about. */
  if (!open_module (path, &module, error))
    return FALSE;
  machine = module != NULL ? scorch_module_get_machine (module) : EM_NONE;
  if (machine != EM_X86_64 && machine != EM_AARCH64)
    {
      g_set_error (error, SCORCH_ELF_CHECK_ERROR, SCORCH_ELF_CHECK_ERROR_NOT_ELF,
                   _("“%s” is not an ELF program of a supported architecture"), path);
      return FALSE;
    }

  r.has_cfi = scorch_module_has_cfi (module);
  /* The file offset of a sampled address -> its link-time address. */
  if (scorch_module_offset_to_vaddr (module, file_offset, &vaddr) &&
      (f = scorch_module_find_function (module, vaddr)) != NULL)
    {
      data = scorch_module_get_data (module, &size);
      r.found = TRUE;
      r.sets_up_frame = prologue_sets_up_frame ((guint16) machine, data + f->offset,
                                                (gsize) MIN (f->avail, MIN (f->size, PROLOGUE_BYTES)));
      r.symbol_offset = file_offset - (vaddr - f->start);
    }

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
