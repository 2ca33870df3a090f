/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <string.h>

#include <dwarf.h>
#include <gelf.h>

#include "scorch-line-table.h"

typedef struct
{
  const guint8 *p, *end;
  gboolean      bad;
} Reader;

static gboolean
rd_need (Reader *r,
         gsize   n)
{
  if (r->bad || (gsize) (r->end - r->p) < n)
    {
      r->bad = TRUE;
      return FALSE;
    }
  return TRUE;
}

static guint64
rd_uint (Reader *r,
         guint   size)
{
  guint64 v = 0;

  if (!rd_need (r, size))
    return 0;
  /* DWARF of the host's byte order: we symbolize local x86-64/aarch64 files */
  for (guint i = 0; i < size; i++)
    v |= (guint64) r->p[i] << (8 * (G_BYTE_ORDER == G_LITTLE_ENDIAN ? i : size - 1 - i));
  r->p += size;
  return v;
}

static guint64
rd_uleb (Reader *r)
{
  guint64 v = 0;
  guint shift = 0;

  while (rd_need (r, 1))
    {
      guint8 b = *r->p++;

      if (shift < 64)
        v |= (guint64) (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0)
        return v;
    }
  return 0;
}

static const char *
rd_cstr (Reader *r)
{
  const guint8 *nul;
  const char *str;

  if (r->bad)
    return NULL;
  nul = memchr (r->p, '\0', r->end - r->p);
  if (nul == NULL)
    {
      r->bad = TRUE;
      return NULL;
    }
  str = (const char *) r->p;
  r->p = nul + 1;
  return str;
}

typedef struct
{
  Elf_Data *str, *line_str;
} StrSections;

static const char *
section_string (Elf_Data *d,
                guint64   off)
{
  const char *base;

  if (d == NULL || d->d_buf == NULL || off >= d->d_size)
    return NULL;
  base = (const char *) d->d_buf + off;
  return memchr (base, '\0', d->d_size - off) != NULL ? base : NULL;
}

/* Reads one attribute of a DWARF 5 directory or file entry.  Sets *str for
 * string forms, *num for constants; FALSE for a form we do not read. */
static gboolean
rd_form (Reader            *r,
         guint64            form,
         guint              offset_size,
         const StrSections *secs,
         const char       **str,
         guint64           *num)
{
  *str = NULL;
  *num = 0;
  switch (form)
    {
    case DW_FORM_string:
      *str = rd_cstr (r);
      return !r->bad;
    case DW_FORM_line_strp:
      *str = section_string (secs->line_str, rd_uint (r, offset_size));
      return !r->bad && *str != NULL;
    case DW_FORM_strp:
      *str = section_string (secs->str, rd_uint (r, offset_size));
      return !r->bad && *str != NULL;
    case DW_FORM_udata:
      *num = rd_uleb (r);
      return !r->bad;
    case DW_FORM_data1:
      *num = rd_uint (r, 1);
      return !r->bad;
    case DW_FORM_data2:
      *num = rd_uint (r, 2);
      return !r->bad;
    case DW_FORM_data4:
      *num = rd_uint (r, 4);
      return !r->bad;
    case DW_FORM_data8:
      *num = rd_uint (r, 8);
      return !r->bad;
    case DW_FORM_data16:
      return rd_need (r, 16) && (r->p += 16, TRUE);
    case DW_FORM_block:
      {
        guint64 len = rd_uleb (r);

        return rd_need (r, len) && (r->p += len, TRUE);
      }
    default:
      return FALSE;
    }
}

static Elf_Data *
debug_section (Elf        *elf,
               const char *name)
{
  size_t shstrndx;
  Elf_Scn *scn = NULL;

  if (elf == NULL || elf_getshdrstrndx (elf, &shstrndx) != 0)
    return NULL;
  while ((scn = elf_nextscn (elf, scn)) != NULL)
    {
      GElf_Shdr sh;
      const char *n;

      if (gelf_getshdr (scn, &sh) == NULL || sh.sh_type == SHT_NOBITS)
        continue;
      n = elf_strptr (elf, shstrndx, sh.sh_name);
      if (n == NULL || strcmp (n, name) != 0)
        continue;
      /* libdw decompressed the section in place when it opened it; one
       * still compressed is not ours to read. */
      if ((sh.sh_flags & SHF_COMPRESSED) != 0)
        return NULL;
      return elf_getdata (scn, NULL);
    }
  return NULL;
}

const char *
scorch_line_table_join_path (GStringChunk *strings,
                             const char   *dir,
                             const char   *name)
{
  g_autofree char *path = NULL;

  if (name == NULL)
    return NULL;
  if (name[0] == '/' || dir == NULL || dir[0] == '\0')
    return g_string_chunk_insert_const (strings, name);
  path = g_strconcat (dir, "/", name, NULL);
  return g_string_chunk_insert_const (strings, path);
}

/* Parses the file table of the line program header at off in .debug_line;
 * names as libdw's dwarf_filesrc builds them (dir "/" name). */
static gboolean
parse_file_table (GStringChunk      *strings,
                  Elf_Data          *line,
                  guint64            off,
                  const char        *comp_dir,
                  const StrSections *secs,
                  GPtrArray         *names)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new ();
  Reader r;
  guint64 unit_length, opcode_base;
  guint offset_size = 4, version;

  if (line == NULL || line->d_buf == NULL || off >= line->d_size)
    return FALSE;
  r.p = (const guint8 *) line->d_buf + off;
  r.end = (const guint8 *) line->d_buf + line->d_size;
  r.bad = FALSE;

  unit_length = rd_uint (&r, 4);
  if (unit_length == 0xffffffff)
    {
      offset_size = 8;
      unit_length = rd_uint (&r, 8);
    }
  if (!rd_need (&r, unit_length))
    return FALSE;
  r.end = r.p + unit_length;

  version = (guint) rd_uint (&r, 2);
  if (version < 2 || version > 5)
    return FALSE;
  if (version >= 5)
    rd_uint (&r, 2);             /* address_size, segment_selector_size */
  rd_uint (&r, offset_size);     /* header_length */
  rd_uint (&r, 1);               /* minimum_instruction_length */
  if (version >= 4)
    rd_uint (&r, 1);             /* maximum_operations_per_instruction */
  rd_uint (&r, 3);               /* default_is_stmt, line_base, line_range */
  opcode_base = rd_uint (&r, 1);
  if (opcode_base == 0 || !rd_need (&r, opcode_base - 1))
    return FALSE;
  r.p += opcode_base - 1;

  if (version < 5)
    {
      const char *s;

      /* directory 0 is the compilation directory, file 0 names nothing */
      g_ptr_array_add (dirs, (gpointer) comp_dir);
      while ((s = rd_cstr (&r)) != NULL && s[0] != '\0')
        g_ptr_array_add (dirs, (gpointer) s);
      g_ptr_array_add (names, NULL);
      while ((s = rd_cstr (&r)) != NULL && s[0] != '\0')
        {
          guint64 dir = rd_uleb (&r);

          rd_uleb (&r);          /* mtime */
          rd_uleb (&r);          /* length */
          if (r.bad)
            return FALSE;
          g_ptr_array_add (names, (gpointer) scorch_line_table_join_path (strings, dir < dirs->len ? g_ptr_array_index (dirs, dir) : NULL, s));
        }
      return !r.bad;
    }

  for (guint pass = 0; pass < 2; pass++)
    {
      guint64 formats[2 * 16];
      guint n_formats = (guint) rd_uint (&r, 1);
      guint64 count;

      if (n_formats > G_N_ELEMENTS (formats) / 2)
        return FALSE;
      for (guint i = 0; i < 2 * n_formats; i++)
        formats[i] = rd_uleb (&r);
      count = rd_uleb (&r);
      if (r.bad || count > (guint64) (r.end - r.p))
        return FALSE;
      for (guint64 e = 0; e < count; e++)
        {
          const char *path = NULL;
          guint64 dir = 0;

          for (guint i = 0; i < n_formats; i++)
            {
              const char *str;
              guint64 num;

              if (!rd_form (&r, formats[2 * i + 1], offset_size, secs, &str, &num))
                return FALSE;
              if (formats[2 * i] == DW_LNCT_path)
                path = str;
              else if (formats[2 * i] == DW_LNCT_directory_index)
                dir = num;
            }
          if (pass == 0)
            g_ptr_array_add (dirs, (gpointer) path);
          else
            g_ptr_array_add (names, (gpointer) scorch_line_table_join_path (strings, dir < dirs->len ? g_ptr_array_index (dirs, dir) : NULL, path));
        }
    }
  return !r.bad;
}

const char **
scorch_line_table_read_files (Dwarf_CU     *cu,
                              GStringChunk *strings,
                              guint        *n_names)
{
  Dwarf_Die cudie;
  Dwarf_Attribute attr;
  Dwarf_Word stmt_list;
  Dwarf *dbg;
  Elf *elf;
  StrSections secs;
  g_autoptr(GPtrArray) names = NULL;

  g_return_val_if_fail (cu != NULL, NULL);
  g_return_val_if_fail (strings != NULL, NULL);
  g_return_val_if_fail (n_names != NULL, NULL);

  *n_names = 0;
  if (dwarf_cu_die (cu, &cudie, NULL, NULL, NULL, NULL, NULL, NULL) == NULL ||
      dwarf_attr (&cudie, DW_AT_stmt_list, &attr) == NULL ||
      dwarf_formudata (&attr, &stmt_list) != 0)
    return NULL;
  dbg = dwarf_cu_getdwarf (cu);
  elf = dbg != NULL ? dwarf_getelf (dbg) : NULL;
  secs.str = debug_section (elf, ".debug_str");
  secs.line_str = debug_section (elf, ".debug_line_str");
  names = g_ptr_array_new ();
  if (!parse_file_table (strings, debug_section (elf, ".debug_line"), stmt_list,
                         dwarf_formstring (dwarf_attr (&cudie, DW_AT_comp_dir, &attr)), &secs, names))
    return NULL;
  *n_names = names->len;
  return (const char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
