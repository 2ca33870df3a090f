/* SPDX-License-Identifier: GPL-3.0-or-later */
/* elf-test-util.c: real ELF files in tests (see the header) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <gelf.h>

#include "elf-test-util.h"
#include "scorch-util.h"

char *
test_elf_dup_output (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
  char *out = NULL;
  int status = 0;

  g_test_message ("$ %s", cmd);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    g_error ("%s: %s", cmd, error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", cmd, out, err);
  return out;
}

char *
test_elf_dup_command_output (const char *cmd)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  if (!g_shell_parse_argv (cmd, NULL, &argv, &error))
    g_error ("%s: %s", cmd, error->message);
  return test_elf_dup_output ((const char * const *) argv);
}

void
test_elf_run_command (const char *cmd)
{
  g_free (test_elf_dup_command_output (cmd));
}

char *
test_elf_build_program (const char *dir,
                        const char *src_name,
                        const char *source,
                        const char *bin_name,
                        const char *flags)
{
  g_autofree char *src = g_build_filename (dir, src_name, NULL);
  g_autofree char *cmd = NULL;
  char *bin = g_build_filename (dir, bin_name, NULL);

  g_assert_true (g_file_set_contents (src, source, -1, NULL));
  cmd = g_strdup_printf ("cc -g -O2 %s -o %s %s", flags, bin, src);
  test_elf_run_command (cmd);
  return bin;
}

static Elf *
elf_open (const char *path,
          int        *fd)
{
  Elf *elf;

  *fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (*fd, >=, 0);
  elf_version (EV_CURRENT);
  elf = elf_begin (*fd, ELF_C_READ, NULL);
  g_assert_nonnull (elf);
  return elf;
}

static void
elf_close (Elf *elf,
           int  fd)
{
  elf_end (elf);
  close (fd);
}

guint64
test_elf_symbol (const char *path,
                 const char *symbol,
                 guint64    *size)
{
  int fd;
  Elf *elf = elf_open (path, &fd);
  Elf_Scn *scn = NULL;
  guint64 addr = 0;

  while ((scn = elf_nextscn (elf, scn)) != NULL && addr == 0)
    {
      GElf_Shdr sh;
      Elf_Data *data;

      gelf_getshdr (scn, &sh);
      if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM)
        continue;
      data = elf_getdata (scn, NULL);
      for (gsize i = 0; i < sh.sh_size / sh.sh_entsize; i++)
        {
          GElf_Sym sym;
          const char *name;

          gelf_getsym (data, (int) i, &sym);
          name = elf_strptr (elf, sh.sh_link, sym.st_name);
          if (name != NULL && strcmp (name, symbol) == 0 && sym.st_value != 0)
            {
              addr = sym.st_value;
              if (size != NULL)
                *size = sym.st_size;
              break;
            }
        }
    }
  elf_close (elf, fd);
  if (addr == 0)
    g_error ("%s: no symbol %s", path, symbol);
  return addr;
}

guint
test_elf_get_build_id (const char *path,
                       guint8     *id,
                       gsize       id_size)
{
  int fd;
  Elf *elf = elf_open (path, &fd);
  const void *note = NULL;
  gssize len = dwelf_elf_gnu_build_id (elf, &note);

  g_assert_cmpint (len, >, 1);
  g_assert_cmpint (len, <=, (gssize) id_size);
  memcpy (id, note, len);
  elf_close (elf, fd);
  return (guint) len;
}

char *
test_elf_dup_build_id_hex (const char *path)
{
  guint8 id[64];
  guint len = test_elf_get_build_id (path, id, sizeof id);

  return scorch_hex_encode (id, len);
}

guint64
test_elf_map_vaddr (const char    *path,
                    guint64        vaddr,
                    ScorchMapping *map)
{
  int fd;
  Elf *elf = elf_open (path, &fd);
  const guint64 load = 0x7f1234000000;
  struct stat st;
  guint64 ip = 0;
  gsize n = 0;

  g_assert_cmpint (fstat (fd, &st), ==, 0);
  elf_getphdrnum (elf, &n);
  for (gsize i = 0; i < n; i++)
    {
      GElf_Phdr ph;

      gelf_getphdr (elf, (int) i, &ph);
      if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr || vaddr >= ph.p_vaddr + ph.p_memsz)
        continue;
      memset (map, 0, sizeof *map);
      map->path = path;
      map->start = load + (ph.p_vaddr & ~0xfffull);
      map->end = load + ph.p_vaddr + ph.p_memsz;
      map->pgoff = ph.p_offset & ~0xfffull;
      map->ino = st.st_ino;
      map->maj = major (st.st_dev);
      map->min = minor (st.st_dev);
      ip = load + vaddr;
    }
  elf_close (elf, fd);
  g_assert_cmpuint (ip, !=, 0);
  return ip;
}

char *
test_elf_eu_addr2line (const char    *binary,
                       const char    *flags,
                       const guint64 *addrs,
                       guint          n_addrs)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flag_argv = NULL;

  if (!g_shell_parse_argv (flags, NULL, &flag_argv, &error))
    g_error ("%s: %s", flags, error->message);
  g_ptr_array_add (argv, g_strdup ("eu-addr2line"));
  g_ptr_array_add (argv, g_strdup ("-a"));
  for (guint i = 0; flag_argv[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (flag_argv[i]));
  g_ptr_array_add (argv, g_strdup ("-e"));
  g_ptr_array_add (argv, g_strdup (binary));
  for (guint i = 0; i < n_addrs; i++)
    g_ptr_array_add (argv, g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", addrs[i]));
  g_ptr_array_add (argv, NULL);
  return test_elf_dup_output ((const char * const *) argv->pdata);
}
