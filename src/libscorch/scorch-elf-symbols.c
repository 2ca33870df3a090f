/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <string.h>

#include <gelf.h>

#include "scorch-elf-symbols.h"
#include "scorch-sorted.h"

struct _ScorchElfSymbols
{
  ScorchElfSymbol *syms;   /* sorted by start, one per start address */
  gsize            n_syms;
};

static guint
count_leading_underscores (const char *s)
{
  guint n = 0;

  while (s[n] == '_')
    n++;
  return n;
}

/* Among symbols at the same address, the one perf reports
 * (tools/perf/util/symbol.c, choose_best_symbol): sized over sizeless,
 * non-weak over weak, global over local, fewer leading underscores, then
 * the longer name.  TRUE when b beats a. */
static gboolean
func_sym_better (const ScorchElfSymbol *a,
                 const ScorchElfSymbol *b)
{
  gsize la, lb;

  if (a->sized != b->sized)
    return b->sized;
  if ((a->binding == STB_WEAK) != (b->binding == STB_WEAK))
    return a->binding == STB_WEAK;
  if ((a->binding == STB_GLOBAL) != (b->binding == STB_GLOBAL))
    return b->binding == STB_GLOBAL;
  if (count_leading_underscores (a->raw) != count_leading_underscores (b->raw))
    return count_leading_underscores (b->raw) < count_leading_underscores (a->raw);
  la = strlen (a->raw);
  lb = strlen (b->raw);
  return lb > la;
}

static int
func_sym_compare (gconstpointer pa,
                  gconstpointer pb)
{
  const ScorchElfSymbol *a = pa, *b = pb;

  if (a->start != b->start)
    return a->start < b->start ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

ScorchElfSymbols *
scorch_elf_symbols_new (Dwfl_Module *mod)
{
  ScorchElfSymbols *self;
  GArray *syms;
  int n;
  gsize out = 0;

  g_return_val_if_fail (mod != NULL, NULL);

  self = g_new0 (ScorchElfSymbols, 1);
  n = dwfl_module_getsymtab (mod);
  if (n <= 0)
    return self;

  syms = g_array_sized_new (FALSE, FALSE, sizeof (ScorchElfSymbol), (guint) MIN (n, 1 << 20));
  for (int i = 0; i < n; i++)
    {
      GElf_Sym sym;
      GElf_Addr addr = 0;
      GElf_Word shndx = 0;
      Elf *elf = NULL;
      const char *name;
      int type;
      ScorchElfSymbol f;

      name = dwfl_module_getsym_info (mod, i, &sym, &addr, &shndx, &elf, NULL);
      if (name == NULL || name[0] == '\0')
        continue;
      if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS)
        continue;
      /* Functions, and labels in code (perf keeps both: "_start" in ld.so
       * is a label). */
      type = GELF_ST_TYPE (sym.st_info);
      if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE)
        continue;
      f.start = addr;
      f.end = addr + sym.st_size;
      f.raw = name;
      f.name = NULL;
      f.index = (guint32) i;
      f.binding = GELF_ST_BIND (sym.st_info);
      f.sized = sym.st_size > 0;
      f.section_end = G_MAXUINT64;
      if (type == STT_NOTYPE || !f.sized)
        {
          /* A label must be in code; a sizeless symbol ends with its
           * section at the latest (not to lend its name to the PLT). */
          Elf_Scn *scn = elf != NULL ? elf_getscn (elf, shndx) : NULL;
          GElf_Shdr shdr;

          if (scn == NULL || gelf_getshdr (scn, &shdr) == NULL)
            continue;
          if (type == STT_NOTYPE && (shdr.sh_flags & SHF_EXECINSTR) == 0)
            continue;
          f.section_end = shdr.sh_addr + shdr.sh_size + (addr - sym.st_value);
        }
      g_array_append_val (syms, f);
    }
  g_array_sort (syms, func_sym_compare);

  /* one entry per address */
  for (guint i = 0; i < syms->len; i++)
    {
      ScorchElfSymbol *cur = &g_array_index (syms, ScorchElfSymbol, i);

      if (out > 0 && g_array_index (syms, ScorchElfSymbol, out - 1).start == cur->start)
        {
          ScorchElfSymbol *kept = &g_array_index (syms, ScorchElfSymbol, out - 1);

          if (func_sym_better (kept, cur))
            *kept = *cur;
          continue;
        }
      g_array_index (syms, ScorchElfSymbol, out++) = *cur;
    }

  /* A sizeless symbol runs to the next one (perf's symbols__fixup_end). */
  for (gsize i = 0; i < out; i++)
    {
      ScorchElfSymbol *f = &g_array_index (syms, ScorchElfSymbol, i);

      if (f->sized)
        continue;
      if (i + 1 < out)
        f->end = g_array_index (syms, ScorchElfSymbol, i + 1).start;
      else
        f->end = ((f->start + 4095) & ~(guint64) 4095) + 4096;
      f->end = MIN (f->end, f->section_end);
    }

  self->n_syms = out;
  g_array_set_size (syms, (guint) out);
  self->syms = (ScorchElfSymbol *) (gpointer) g_array_free (syms, FALSE);
  return self;
}

ScorchElfSymbol *
scorch_elf_symbols_lookup (ScorchElfSymbols *self,
                           GElf_Addr         addr)
{
  gsize lo;

  g_return_val_if_fail (self != NULL, NULL);

  /* last symbol starting at or before addr */
  lo = scorch_sorted_upper_bound (self->syms, self->n_syms, sizeof (ScorchElfSymbol),
                                  G_STRUCT_OFFSET (ScorchElfSymbol, start), addr);
  /* Nearest first; a few steps back cover a small symbol nested in a
   * larger one (the larger one holds the addresses past the small one). */
  for (gsize i = lo; i > 0 && lo - i < 16; i--)
    {
      ScorchElfSymbol *f = &self->syms[i - 1];

      if (addr < f->end)
        return f;
    }
  return NULL;
}

void
scorch_elf_symbols_free (ScorchElfSymbols *self)
{
  if (self == NULL)
    return;
  g_free (self->syms);
  g_free (self);
}
