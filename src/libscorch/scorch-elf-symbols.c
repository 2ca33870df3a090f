/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "scorch-elf-symbols.h"
#include "scorch-symbolizer-cache.h"
#include "scorch-module.h"
#include "scorch-sorted.h"
#include "scorch-util.h"

struct _ScorchElfSymbols
{
  ScorchElfSymbol *syms;   /* sorted by start, one per start address */
  gsize            n_syms;
  GBytes          *names;  /* a cache entry's names (raw points into it), or NULL */
  GStringChunk    *chunk;  /* names read from the ELF file, or NULL */
};

static guint n_made;

guint
scorch_elf_symbols_get_n_made (void)
{
  return g_atomic_int_get (&n_made);
}

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
  g_atomic_int_inc (&n_made);
  n = dwfl_module_getsymtab (mod);
  if (n <= 0)
    return self;

  syms = g_array_sized_new (FALSE, FALSE, sizeof (ScorchElfSymbol), (guint) MIN (n, 1 << 20));
  self->chunk = g_string_chunk_new (64 * 1024);
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
      f.raw = name;    /* libdwfl's string until copied below */
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

  /* the names kept, copied: the table outlives the Dwfl it was read from */
  for (gsize i = 0; i < out; i++)
    {
      ScorchElfSymbol *f = &g_array_index (syms, ScorchElfSymbol, i);

      f->raw = g_string_chunk_insert (self->chunk, f->raw);
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
  g_clear_pointer (&self->names, g_bytes_unref);
  if (self->chunk != NULL)
    g_string_chunk_free (self->chunk);
  g_free (self);
}

gsize
scorch_elf_symbols_get_index (ScorchElfSymbols      *self,
                              const ScorchElfSymbol *sym)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (sym >= self->syms && sym < self->syms + self->n_syms, 0);
  return (gsize) (sym - self->syms);
}

gsize
scorch_elf_symbols_get_size (ScorchElfSymbols *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_syms;
}

/* ------------------------------------------------------------------------ */
/* Persistent cache                                                         */

#define CACHE_MAGIC       "SCORCHSY"
#define CACHE_VERSION     1
#define CACHE_BYTE_ORDER  0x01020304u
#define CACHE_MAX_ID      64
/* A bound on what an entry may claim (a corrupt size must not make us
 * allocate gigabytes). */
#define CACHE_MAX_SIZE    (G_GUINT64_CONSTANT (1) << 31)

typedef struct
{
  char    magic[8];
  guint32 version;
  guint32 byte_order;
  guint32 build_id_len;
  guint32 source_len;        /* bytes of source, after the header */
  guint8  build_id[CACHE_MAX_ID];
  guint64 n_syms;
  guint64 names_size;        /* bytes of names, NUL-terminated each */
  guint64 payload_size;      /* everything after the header */
  guint64 checksum;          /* of the payload */
} CacheHeader;

typedef struct
{
  guint64 start, end, section_end;   /* ELF virtual addresses (section_end G_MAXUINT64: none) */
  guint32 index;
  guint32 name;                      /* offset in names */
  guint8  binding;
  guint8  sized;
  guint8  pad[6];
} CacheSymbol;

G_STATIC_ASSERT (sizeof (CacheHeader) % 8 == 0);
G_STATIC_ASSERT (sizeof (CacheSymbol) == 40);

static gsize
pad8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

char *
scorch_elf_symbols_get_cache_path (const char   *dir,
                                   const guint8 *build_id,
                                   guint         build_id_len)
{
  g_autofree char *hex = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  hex = scorch_module_build_id_to_hex (build_id, build_id_len);
  name = g_strconcat (hex, ".sym", NULL);
  return g_build_filename (dir, name, NULL);
}

char *
scorch_elf_symbols_dup_default_cache_dir (void)
{
  const char *env = g_getenv ("SCORCH_SYMBOL_CACHE");
  const char *dir = g_getenv ("SCORCH_SYMBOL_CACHE_DIR");

  if (env != NULL && (g_str_equal (env, "0") || g_str_equal (env, "off")))
    return NULL;
  if (dir != NULL && dir[0] != '\0')
    return g_strdup (dir);
  return g_build_filename (g_get_user_cache_dir (), "scorch", "symbols", NULL);
}

/* The key's source, "" for the module's own tables */
static const char *
key_source (const ScorchElfSymbolsCacheKey *key)
{
  return key->source != NULL ? key->source : "";
}

/* Checks the entry in bytes; fills the table from it when it is whole,
 * ours and current. */
static gboolean
cache_parse (ScorchElfSymbols               *self,
             GBytes                         *bytes,
             const char                     *path,
             const ScorchElfSymbolsCacheKey *key,
             GError                        **error)
{
  const char *source = key_source (key);
  guint64 bias = key->bias;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  CacheHeader h;
  const guint8 *payload;
  const CacheSymbol *recs;
  const char *names;
  gsize source_len = strlen (source);
  guint64 expect;

  if (len < sizeof h)
    return _scorch_symbolizer_cache_bad_entry (error, path, "truncated header");
  memcpy (&h, data, sizeof h);
  if (memcmp (h.magic, CACHE_MAGIC, 8) != 0 || h.version != CACHE_VERSION ||
      h.byte_order != CACHE_BYTE_ORDER)
    return _scorch_symbolizer_cache_bad_entry (error, path, "not a symbol cache entry of this version");
  if (h.payload_size != len - sizeof h)
    return _scorch_symbolizer_cache_bad_entry (error, path, "truncated or padded entry");
  if (h.n_syms > CACHE_MAX_SIZE / sizeof (CacheSymbol) || h.names_size > CACHE_MAX_SIZE ||
      h.source_len > 4096)
    return _scorch_symbolizer_cache_bad_entry (error, path, "sizes out of range");
  expect = pad8 (h.source_len) + h.n_syms * sizeof (CacheSymbol) + h.names_size;
  if (expect != h.payload_size)
    return _scorch_symbolizer_cache_bad_entry (error, path, "sizes do not add up");
  payload = data + sizeof h;
  if (_scorch_symbolizer_cache_checksum (payload, h.payload_size) != h.checksum)
    return _scorch_symbolizer_cache_bad_entry (error, path, "checksum mismatch");
  /* whole and ours: now is it the table asked for? */
  if (h.build_id_len != key->build_id_len || key->build_id_len > CACHE_MAX_ID ||
      memcmp (h.build_id, key->build_id, key->build_id_len) != 0)
    return _scorch_symbolizer_cache_bad_entry (error, path, "another build id");
  if (h.source_len != source_len || memcmp (payload, source, source_len) != 0)
    return _scorch_symbolizer_cache_bad_entry (error, path, "read from another file");

  recs = (const CacheSymbol *) (gconstpointer) (payload + pad8 (h.source_len));
  names = (const char *) payload + pad8 (h.source_len) + h.n_syms * sizeof (CacheSymbol);
  if (h.n_syms > 0 && (h.names_size == 0 || names[h.names_size - 1] != '\0'))
    return _scorch_symbolizer_cache_bad_entry (error, path, "names not terminated");

  self->syms = g_new (ScorchElfSymbol, MAX (h.n_syms, 1));
  for (guint64 i = 0; i < h.n_syms; i++)
    {
      CacheSymbol r;
      ScorchElfSymbol *f = &self->syms[i];

      memcpy (&r, &recs[i], sizeof r);
      if (r.name >= h.names_size || r.end < r.start ||
          (i > 0 && r.start <= self->syms[i - 1].start - bias))
        {
          g_clear_pointer (&self->syms, g_free);
          return _scorch_symbolizer_cache_bad_entry (error, path, "symbols out of order");
        }
      f->start = r.start + bias;
      f->end = r.end + bias;
      f->section_end = r.section_end == G_MAXUINT64 ? G_MAXUINT64 : r.section_end + bias;
      f->raw = names + r.name;
      f->index = r.index;
      f->binding = r.binding;
      f->sized = r.sized != 0;
    }
  self->n_syms = h.n_syms;
  return TRUE;
}

ScorchElfSymbols *
scorch_elf_symbols_load_cached (const ScorchElfSymbolsCacheKey  *key,
                                GError                         **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) file = NULL;
  ScorchElfSymbols *self;
  GBytes *bytes;

  g_return_val_if_fail (key != NULL && key->dir != NULL, NULL);
  g_return_val_if_fail (key->build_id != NULL && key->build_id_len > 0, NULL);

  path = scorch_elf_symbols_get_cache_path (key->dir, key->build_id, key->build_id_len);
  file = _scorch_symbolizer_cache_map (path, CACHE_MAX_SIZE, error);
  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  self = g_new0 (ScorchElfSymbols, 1);
  if (!cache_parse (self, bytes, path, key, error))
    {
      g_bytes_unref (bytes);
      scorch_elf_symbols_free (self);
      return NULL;
    }
  self->names = bytes;
  g_atomic_int_inc (&n_made);
  return self;
}

gboolean
scorch_elf_symbols_save_cached (ScorchElfSymbols                *self,
                                const ScorchElfSymbolsCacheKey  *key,
                                GError                         **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GByteArray) names = NULL;
  g_autoptr(GHashTable) name_offsets = NULL;
  static const guint8 zeros[8] = { 0 };
  const char *source;
  guint64 bias;
  CacheHeader h = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL && key->dir != NULL, FALSE);
  g_return_val_if_fail (key->build_id != NULL && key->build_id_len > 0 && key->build_id_len <= CACHE_MAX_ID,
                        FALSE);

  source = key_source (key);
  bias = key->bias;
  memcpy (h.magic, CACHE_MAGIC, 8);
  h.version = CACHE_VERSION;
  h.byte_order = CACHE_BYTE_ORDER;
  h.build_id_len = key->build_id_len;
  memcpy (h.build_id, key->build_id, key->build_id_len);
  h.source_len = strlen (source);
  h.n_syms = self->n_syms;

  /* names, each once */
  names = g_byte_array_new ();
  name_offsets = g_hash_table_new (g_str_hash, g_str_equal);
  out = g_byte_array_sized_new (sizeof h + pad8 (h.source_len) + self->n_syms * (sizeof (CacheSymbol) + 16));
  g_byte_array_append (out, (const guint8 *) &h, sizeof h);
  g_byte_array_append (out, (const guint8 *) source, h.source_len);
  g_byte_array_append (out, zeros, pad8 (h.source_len) - h.source_len);
  for (gsize i = 0; i < self->n_syms; i++)
    {
      const ScorchElfSymbol *f = &self->syms[i];
      CacheSymbol r = { 0 };
      gpointer off;

      if (!g_hash_table_lookup_extended (name_offsets, f->raw, NULL, &off))
        {
          off = GUINT_TO_POINTER (names->len);
          g_hash_table_insert (name_offsets, (gpointer) f->raw, off);
          g_byte_array_append (names, (const guint8 *) f->raw, strlen (f->raw) + 1);
        }
      r.start = f->start - bias;
      r.end = f->end - bias;
      r.section_end = f->section_end == G_MAXUINT64 ? G_MAXUINT64 : f->section_end - bias;
      r.index = f->index;
      r.name = GPOINTER_TO_UINT (off);
      r.binding = f->binding;
      r.sized = f->sized;
      g_byte_array_append (out, (const guint8 *) &r, sizeof r);
    }
  g_byte_array_append (out, names->data, names->len);
  h.names_size = names->len;
  h.payload_size = out->len - sizeof h;
  h.checksum = _scorch_symbolizer_cache_checksum (out->data + sizeof h, h.payload_size);
  memcpy (out->data, &h, sizeof h);

  path = scorch_elf_symbols_get_cache_path (key->dir, key->build_id, key->build_id_len);
  return _scorch_symbolizer_cache_write (key->dir, path, out->data, out->len, error);
}
