/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <elf.h>
#include <string.h>
#include <sys/auxv.h>

#include <elfutils/libdwelf.h>
#include <libelf.h>

#include "scorch-vdso.h"

/* Far above any vDSO (a few pages): a bound on a corrupt header */
#define MAX_VDSO_SIZE (1024 * 1024)

typedef struct
{
  guint8 *image;
  gsize   size;
  guint8  build_id[64];
  guint   build_id_len;
} Vdso;

/* The image's extent: its program and section headers, the segments and
 * sections they describe.  Everything the ELF describes is in the mapped
 * image (the kernel maps the whole linked vdso*.so). */
static gsize
image_size (const guint8 *base)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *) base;
  gsize size = sizeof *eh;

  if (memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64)
    return 0;
  if (eh->e_phentsize != sizeof (Elf64_Phdr) || eh->e_phoff > MAX_VDSO_SIZE || eh->e_phnum > 64 ||
      (eh->e_shnum > 0 && (eh->e_shentsize != sizeof (Elf64_Shdr) || eh->e_shoff > MAX_VDSO_SIZE ||
                           eh->e_shnum > 1024)))
    return 0;
  size = MAX (size, eh->e_phoff + (gsize) eh->e_phnum * sizeof (Elf64_Phdr));
  for (guint i = 0; i < eh->e_phnum; i++)
    {
      const Elf64_Phdr *ph = (const Elf64_Phdr *) (base + eh->e_phoff) + i;

      if (ph->p_offset > MAX_VDSO_SIZE || ph->p_filesz > MAX_VDSO_SIZE)
        return 0;
      size = MAX (size, ph->p_offset + ph->p_filesz);
    }
  if (eh->e_shnum > 0)
    {
      size = MAX (size, eh->e_shoff + (gsize) eh->e_shnum * sizeof (Elf64_Shdr));
      for (guint i = 0; i < eh->e_shnum; i++)
        {
          const Elf64_Shdr *sh = (const Elf64_Shdr *) (base + eh->e_shoff) + i;

          if (sh->sh_type == SHT_NOBITS)
            continue;
          if (sh->sh_offset > MAX_VDSO_SIZE || sh->sh_size > MAX_VDSO_SIZE)
            return 0;
          size = MAX (size, sh->sh_offset + sh->sh_size);
        }
    }
  return size <= MAX_VDSO_SIZE ? size : 0;
}

static void
find_build_id (Vdso *v)
{
  const void *id = NULL;
  gssize len;
  Elf *elf;

  elf_version (EV_CURRENT);
  elf = elf_memory ((char *) v->image, v->size);
  if (elf == NULL)
    return;
  len = dwelf_elf_gnu_build_id (elf, &id);
  if (len > 0 && (gsize) len <= sizeof v->build_id)
    {
      memcpy (v->build_id, id, len);
      v->build_id_len = (guint) len;
    }
  elf_end (elf);
}

static const Vdso *
get_vdso (void)
{
  static Vdso *vdso;

  if (g_once_init_enter (&vdso))
    {
      Vdso *v = g_new0 (Vdso, 1);
      const guint8 *base = (const guint8 *) getauxval (AT_SYSINFO_EHDR);

      v->size = base != NULL ? image_size (base) : 0;
      if (v->size > 0)
        {
          v->image = g_memdup2 (base, v->size);
          find_build_id (v);
        }
      g_once_init_leave (&vdso, v);
    }
  return vdso;
}

const guint8 *
scorch_vdso_get_image (gsize *size)
{
  const Vdso *v = get_vdso ();

  g_return_val_if_fail (size != NULL, NULL);
  *size = v->size;
  return v->image;
}

const guint8 *
scorch_vdso_get_build_id (guint *len)
{
  const Vdso *v = get_vdso ();

  g_return_val_if_fail (len != NULL, NULL);
  *len = v->build_id_len;
  return v->build_id_len > 0 ? v->build_id : NULL;
}

gboolean
scorch_vdso_build_id_matches (const guint8 *recorded,
                              guint         recorded_len)
{
  const Vdso *v = get_vdso ();

  if (recorded == NULL || recorded_len == 0 || v->build_id_len == 0 || recorded_len < v->build_id_len)
    return FALSE;
  if (memcmp (recorded, v->build_id, v->build_id_len) != 0)
    return FALSE;
  for (guint i = v->build_id_len; i < recorded_len; i++)
    if (recorded[i] != 0)
      return FALSE;
  return TRUE;
}
