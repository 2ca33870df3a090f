/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <glib/gi18n.h>

#include "scorch-demangle.h"
#include "scorch-symbolizer.h"

/* Longest inline chain kept for one address. */
#define MAX_CHAIN 32
/* Largest build id we keep (SHA-1 is 20; allow some slack). */
#define MAX_BUILD_ID 64
/* Sanity limits on text files we parse. */
#define MAX_JIT_MAP_SIZE (512 * 1024 * 1024)

/* ------------------------------------------------------------------------ */
/* u64 -> u64 open-addressing map (per module address cache)                */

typedef struct
{
  guint64 *keys;   /* key + 1; 0 = empty */
  guint64 *vals;
  gsize    mask;
  gsize    len;
} AddrMap;

static inline gsize
addr_hash (guint64 k)
{
  k ^= k >> 33;
  k *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  k ^= k >> 33;
  return (gsize) k;
}

static void
addr_map_init (AddrMap *m)
{
  m->mask = 255;
  m->len = 0;
  m->keys = g_new0 (guint64, m->mask + 1);
  m->vals = g_new (guint64, m->mask + 1);
}

static void
addr_map_clear (AddrMap *m)
{
  g_clear_pointer (&m->keys, g_free);
  g_clear_pointer (&m->vals, g_free);
}

static gboolean
addr_map_lookup (const AddrMap *m,
                 guint64        key,
                 guint64       *val)
{
  gsize i = addr_hash (key) & m->mask;

  for (;;)
    {
      guint64 k = m->keys[i];
      if (k == 0)
        return FALSE;
      if (k == key + 1)
        {
          *val = m->vals[i];
          return TRUE;
        }
      i = (i + 1) & m->mask;
    }
}

static void addr_map_insert (AddrMap *m, guint64 key, guint64 val);

static void
addr_map_grow (AddrMap *m)
{
  AddrMap old = *m;

  m->mask = old.mask * 2 + 1;
  m->len = 0;
  m->keys = g_new0 (guint64, m->mask + 1);
  m->vals = g_new (guint64, m->mask + 1);
  for (gsize i = 0; i <= old.mask; i++)
    if (old.keys[i] != 0)
      addr_map_insert (m, old.keys[i] - 1, old.vals[i]);
  addr_map_clear (&old);
}

static void
addr_map_insert (AddrMap *m,
                 guint64  key,
                 guint64  val)
{
  gsize i;

  if ((m->len + 1) * 4 > (m->mask + 1) * 3)
    addr_map_grow (m);
  i = addr_hash (key) & m->mask;
  while (m->keys[i] != 0 && m->keys[i] != key + 1)
    i = (i + 1) & m->mask;
  if (m->keys[i] == 0)
    m->len++;
  m->keys[i] = key + 1;
  m->vals[i] = val;
}

/* ------------------------------------------------------------------------ */

typedef enum
{
  MODULE_UNOPENED,
  MODULE_OK,
  MODULE_FAILED,
} ModuleState;

typedef struct
{
  guint64 offset;  /* p_offset */
  guint64 filesz;
  guint64 vaddr;
} LoadSegment;

typedef struct
{
  /* key */
  guint8       build_id[MAX_BUILD_ID];
  guint        build_id_len;
  guint32      maj, min;
  guint64      ino;
  const char  *path;          /* interned */

  ModuleState  state;
  Dwfl        *dwfl;
  Dwfl_Module *mod;
  GElf_Addr    bias;
  LoadSegment *segments;
  guint        n_segments;
  gboolean     has_symbols;

  AddrMap      cache;         /* ELF vaddr (or file offset when unopened) -> chain */
} Module;

typedef struct
{
  guint64     start;
  guint64     size;
  const char *name;  /* interned */
} JitSym;

typedef struct
{
  JitSym *syms;
  gsize   n_syms;
} JitMap;

typedef struct
{
  guint64     addr;
  const char *name;    /* interned */
  const char *module;  /* interned: "[kernel.kallsyms]" or "[modname]" */
} KernelSym;

struct _ScorchSymbolizer
{
  GStringChunk   *strings;
  GHashTable     *modules;       /* Module* (key = itself) */
  GHashTable     *demangled;     /* mangled (owned) -> interned demangled */
  GHashTable     *jit_maps;      /* pid -> JitMap* */
  GHashTable     *problem_set;   /* owned strings */
  GPtrArray      *problems;      /* borrowed from problem_set, in order */
  GArray         *chains;        /* ScorchSymbol */

  char           *debuginfo_path;
  Dwfl_Callbacks  callbacks;

  char           *kallsyms_path;
  gboolean        kallsyms_forced;
  char           *kernel_release;
  gboolean        kernel_release_set;
  gboolean        kernel_loaded;
  gboolean        kernel_usable;
  KernelSym      *ksyms;
  gsize           n_ksyms;
  AddrMap         kcache;

  char           *jit_dir;

  /* one-entry cache of the last mapping -> module */
  const ScorchMapping *last_map;
  ScorchMapping        last_map_copy;
  Module              *last_module;

  const char     *unknown_module;
  const char     *kernel_module;
};

/* ------------------------------------------------------------------------ */
/* Module keys                                                              */

static guint
module_hash (gconstpointer p)
{
  const Module *m = p;
  guint h = 5381;

  if (m->build_id_len > 0)
    {
      for (guint i = 0; i < m->build_id_len; i++)
        h = h * 33 + m->build_id[i];
      return h;
    }
  h ^= g_str_hash (m->path);
  h = h * 31 + m->maj;
  h = h * 31 + m->min;
  h = h * 31 + (guint) (m->ino ^ (m->ino >> 32));
  return h;
}

static gboolean
module_equal (gconstpointer a,
              gconstpointer b)
{
  const Module *x = a, *y = b;

  if (x->build_id_len != y->build_id_len)
    return FALSE;
  if (x->build_id_len > 0)
    return memcmp (x->build_id, y->build_id, x->build_id_len) == 0;
  return x->maj == y->maj && x->min == y->min && x->ino == y->ino &&
         strcmp (x->path, y->path) == 0;
}

static void
module_free (gpointer p)
{
  Module *m = p;

  if (m->dwfl != NULL)
    dwfl_end (m->dwfl);
  g_free (m->segments);
  addr_map_clear (&m->cache);
  g_free (m);
}

static void
jit_map_free (gpointer p)
{
  JitMap *j = p;

  g_free (j->syms);
  g_free (j);
}

/* ------------------------------------------------------------------------ */

static const char *
intern (ScorchSymbolizer *self,
        const char       *str)
{
  if (str == NULL)
    return NULL;
  return g_string_chunk_insert_const (self->strings, str);
}

const char *
scorch_symbolizer_intern (ScorchSymbolizer *self,
                          const char       *str)
{
  g_return_val_if_fail (self != NULL, NULL);
  return intern (self, str);
}

static void add_problem (ScorchSymbolizer *self,
                         const char       *format,
                         ...) G_GNUC_PRINTF (2, 3);

static void
add_problem (ScorchSymbolizer *self,
             const char       *format,
             ...)
{
  va_list args;
  char *msg;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (g_hash_table_contains (self->problem_set, msg))
    {
      g_free (msg);
      return;
    }
  g_hash_table_add (self->problem_set, msg);
  g_ptr_array_add (self->problems, msg);
}

/* Demangles once per distinct symbol name. */
static const char *
demangle_cached (ScorchSymbolizer *self,
                 const char       *name)
{
  const char *res;
  char *dem;

  if (name == NULL)
    return NULL;
  res = g_hash_table_lookup (self->demangled, name);
  if (res != NULL)
    return res;
  dem = scorch_demangle (name);
  res = intern (self, dem != NULL ? dem : name);
  g_free (dem);
  g_hash_table_insert (self->demangled, g_strdup (name), (gpointer) res);
  return res;
}

static void
update_debuginfo_path (ScorchSymbolizer   *self,
                       const char * const *dirs)
{
  GString *s = g_string_new (":.debug");

  if (dirs == NULL)
    g_string_append (s, ":/usr/lib/debug");
  else
    for (guint i = 0; dirs[i] != NULL; i++)
      {
        g_string_append_c (s, ':');
        g_string_append (s, dirs[i]);
      }
  g_free (self->debuginfo_path);
  self->debuginfo_path = g_string_free (s, FALSE);
}

ScorchSymbolizer *
scorch_symbolizer_new (void)
{
  ScorchSymbolizer *self = g_new0 (ScorchSymbolizer, 1);

  self->strings = g_string_chunk_new (64 * 1024);
  self->modules = g_hash_table_new_full (module_hash, module_equal, module_free, NULL);
  self->demangled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->jit_maps = g_hash_table_new_full (NULL, NULL, NULL, jit_map_free);
  self->problem_set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->problems = g_ptr_array_new ();
  self->chains = g_array_new (FALSE, FALSE, sizeof (ScorchSymbol));
  update_debuginfo_path (self, NULL);
  self->callbacks.find_elf = dwfl_build_id_find_elf;
  self->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
  self->callbacks.section_address = dwfl_offline_section_address;
  self->callbacks.debuginfo_path = &self->debuginfo_path;
  self->kallsyms_path = g_strdup ("/proc/kallsyms");
  self->jit_dir = g_strdup ("/tmp");
  addr_map_init (&self->kcache);
  self->unknown_module = intern (self, "[unknown]");
  self->kernel_module = intern (self, "[kernel.kallsyms]");
  return self;
}

void
scorch_symbolizer_free (ScorchSymbolizer *self)
{
  if (self == NULL)
    return;
  g_hash_table_destroy (self->modules);
  g_hash_table_destroy (self->demangled);
  g_hash_table_destroy (self->jit_maps);
  g_ptr_array_unref (self->problems);
  g_hash_table_destroy (self->problem_set);
  g_array_unref (self->chains);
  g_free (self->debuginfo_path);
  g_free (self->kallsyms_path);
  g_free (self->kernel_release);
  g_free (self->jit_dir);
  g_free (self->ksyms);
  addr_map_clear (&self->kcache);
  g_string_chunk_free (self->strings);
  g_free (self);
}

void
scorch_symbolizer_set_kernel_release (ScorchSymbolizer *self,
                                      const char       *osrelease)
{
  g_return_if_fail (self != NULL);
  g_free (self->kernel_release);
  self->kernel_release = g_strdup (osrelease);
  self->kernel_release_set = TRUE;
}

void
scorch_symbolizer_set_debug_dirs (ScorchSymbolizer   *self,
                                  const char * const *dirs)
{
  g_return_if_fail (self != NULL);
  update_debuginfo_path (self, dirs);
}

void
scorch_symbolizer_set_kallsyms_path (ScorchSymbolizer *self,
                                     const char       *path)
{
  g_return_if_fail (self != NULL);
  g_free (self->kallsyms_path);
  self->kallsyms_path = g_strdup (path != NULL ? path : "/proc/kallsyms");
  self->kallsyms_forced = path != NULL;
  self->kernel_loaded = FALSE;
}

void
scorch_symbolizer_set_jit_map_dir (ScorchSymbolizer *self,
                                   const char       *dir)
{
  g_return_if_fail (self != NULL);
  g_free (self->jit_dir);
  self->jit_dir = g_strdup (dir != NULL ? dir : "/tmp");
}

GPtrArray *
scorch_symbolizer_dup_problems (ScorchSymbolizer *self)
{
  GPtrArray *ret = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (self != NULL, ret);
  for (guint i = 0; i < self->problems->len; i++)
    g_ptr_array_add (ret, g_strdup (g_ptr_array_index (self->problems, i)));
  return ret;
}

/* ------------------------------------------------------------------------ */
/* Chains                                                                   */

static inline guint64
pack_chain (guint index,
            guint count)
{
  return ((guint64) index << 8) | count;
}

static guint
copy_chain (ScorchSymbolizer *self,
            guint64           packed,
            ScorchSymbol     *out,
            guint             max)
{
  guint index = (guint) (packed >> 8);
  guint count = (guint) (packed & 0xff);
  const ScorchSymbol *src = &g_array_index (self->chains, ScorchSymbol, index);

  if (count > max)
    {
      /* Keep the outermost (real) function when the caller has little room. */
      if (max == 0)
        return 0;
      memcpy (out, src, sizeof (ScorchSymbol) * (max - 1));
      out[max - 1] = src[count - 1];
      return max;
    }
  memcpy (out, src, sizeof (ScorchSymbol) * count);
  return count;
}

static guint64
store_chain (ScorchSymbolizer   *self,
             const ScorchSymbol *chain,
             guint               count)
{
  guint index = self->chains->len;

  g_assert (count > 0 && count <= MAX_CHAIN);
  g_array_append_vals (self->chains, chain, count);
  return pack_chain (index, count);
}

/* ------------------------------------------------------------------------ */
/* ELF modules through libdwfl                                              */

static char *
build_id_to_hex (const guint8 *id,
                 guint         len)
{
  GString *s = g_string_sized_new (len * 2 + 1);

  for (guint i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", id[i]);
  return g_string_free (s, FALSE);
}

/* perf pads build ids to 20 bytes; a shorter real id matches when the
 * padding is zero. */
static gboolean
build_ids_match (const guint8 *recorded,
                 guint         recorded_len,
                 const guint8 *actual,
                 guint         actual_len)
{
  if (actual_len > recorded_len)
    return FALSE;
  if (memcmp (recorded, actual, actual_len) != 0)
    return FALSE;
  for (guint i = actual_len; i < recorded_len; i++)
    if (recorded[i] != 0)
      return FALSE;
  return TRUE;
}

static gboolean
is_file_backed (const char *path)
{
  return path != NULL && path[0] == '/' && !g_str_has_prefix (path, "//") &&
         !g_str_has_prefix (path, "/memfd:") && !g_str_has_prefix (path, "/dev/") &&
         !g_str_has_prefix (path, "/SYSV") && !g_str_has_suffix (path, " (deleted)");
}

/* A memfd holding the running kernel's vdso image, or -1. */
static int
running_vdso_fd (void)
{
  const guint8 *base = (const guint8 *) getauxval (AT_SYSINFO_EHDR);
  const GElf_Ehdr *eh;
  gsize size = 0;
  int fd;

  if (base == NULL)
    return -1;
  eh = (const GElf_Ehdr *) base;
  if (memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64)
    return -1;
  /* The image is its sections; the section headers come last. */
  size = eh->e_shoff + (gsize) eh->e_shnum * eh->e_shentsize;
  if (size == 0 || size > 1024 * 1024)
    return -1;
  fd = memfd_create ("scorch-vdso", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  if (write (fd, base, size) != (gssize) size)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static gboolean
kernel_matches_running (ScorchSymbolizer *self)
{
  struct utsname u;

  if (!self->kernel_release_set)
    return TRUE; /* live capture: the running kernel */
  if (self->kernel_release == NULL)
    return FALSE;
  if (uname (&u) != 0)
    return FALSE;
  return strcmp (u.release, self->kernel_release) == 0;
}

static void
module_open (ScorchSymbolizer    *self,
             Module              *m,
             const ScorchMapping *map)
{
  Elf *elf;
  const void *id = NULL;
  gssize id_len;
  gsize n_phdrs = 0;
  int fd = -1;
  gboolean is_vdso = g_strcmp0 (m->path, "[vdso]") == 0;

  m->state = MODULE_FAILED;

  if (is_vdso)
    {
      if (!kernel_matches_running (self))
        return;
      fd = running_vdso_fd ();
      if (fd < 0)
        return;
    }
  else if (!is_file_backed (m->path))
    return;

  m->dwfl = dwfl_begin (&self->callbacks);
  if (m->dwfl == NULL)
    return;
  dwfl_report_begin (m->dwfl);
  /* With add_p_vaddr the module sits at its own link-time addresses, so
   * ELF virtual addresses are dwfl addresses (plus the bias, normally 0).
   * libdwfl takes ownership of fd. */
  m->mod = dwfl_report_elf (m->dwfl, m->path, m->path, fd, 0, true);
  dwfl_report_end (m->dwfl, NULL, NULL);
  if (m->mod == NULL)
    {
      if (errno == ENOENT || !g_file_test (m->path, G_FILE_TEST_EXISTS))
        add_problem (self, _("%s: file not found; its frames are shown as addresses"), m->path);
      else
        add_problem (self, _("%s: cannot read it as ELF (%s); its frames are shown as addresses"),
                     m->path, dwfl_errmsg (-1));
      g_clear_pointer (&m->dwfl, dwfl_end);
      m->mod = NULL;
      return;
    }

  elf = dwfl_module_getelf (m->mod, &m->bias);
  if (elf == NULL)
    {
      add_problem (self, _("%s: cannot read it as ELF (%s); its frames are shown as addresses"),
                   m->path, dwfl_errmsg (-1));
      g_clear_pointer (&m->dwfl, dwfl_end);
      m->mod = NULL;
      return;
    }

  /* A binary replaced since the capture must not lend its names. */
  id_len = dwelf_elf_gnu_build_id (elf, &id);
  if (map->build_id != NULL && map->build_id_len > 0 && !is_vdso)
    {
      if (id_len <= 0 || !build_ids_match (map->build_id, map->build_id_len, id, (guint) id_len))
        {
          g_autofree char *want = build_id_to_hex (map->build_id, map->build_id_len);
          g_autofree char *have = id_len > 0 ? build_id_to_hex (id, (guint) id_len) : g_strdup (_("none"));

          add_problem (self,
                       _("%s: the file changed since the capture (build id %s, recorded %s); "
                         "its frames are shown as addresses"),
                       m->path, have, want);
          g_clear_pointer (&m->dwfl, dwfl_end);
          m->mod = NULL;
          return;
        }
    }

  if (elf_getphdrnum (elf, &n_phdrs) == 0 && n_phdrs < 4096)
    {
      m->segments = g_new0 (LoadSegment, n_phdrs);
      for (gsize i = 0; i < n_phdrs; i++)
        {
          GElf_Phdr ph;

          if (gelf_getphdr (elf, (int) i, &ph) == NULL || ph.p_type != PT_LOAD)
            continue;
          m->segments[m->n_segments].offset = ph.p_offset;
          m->segments[m->n_segments].filesz = ph.p_filesz;
          m->segments[m->n_segments].vaddr = ph.p_vaddr;
          m->n_segments++;
        }
    }

  m->has_symbols = dwfl_module_getsymtab (m->mod) > 0;
  if (!m->has_symbols)
    add_problem (self, _("%s: no symbol table; its frames are shown as addresses"), m->path);

  m->state = MODULE_OK;
}

static Module *
module_for_mapping (ScorchSymbolizer    *self,
                    const ScorchMapping *map)
{
  Module key = { 0 };
  Module *m;

  if (self->last_map == map && self->last_module != NULL &&
      self->last_map_copy.start == map->start &&
      self->last_map_copy.ino == map->ino &&
      self->last_map_copy.path == map->path &&
      self->last_map_copy.build_id == map->build_id)
    return self->last_module;

  if (map->build_id != NULL && map->build_id_len > 0 && map->build_id_len <= MAX_BUILD_ID)
    {
      memcpy (key.build_id, map->build_id, map->build_id_len);
      key.build_id_len = map->build_id_len;
    }
  key.maj = map->maj;
  key.min = map->min;
  key.ino = map->ino;
  key.path = map->path != NULL ? map->path : "";

  m = g_hash_table_lookup (self->modules, &key);
  if (m == NULL)
    {
      m = g_new0 (Module, 1);
      *m = key;
      m->path = intern (self, key.path);
      m->state = MODULE_UNOPENED;
      addr_map_init (&m->cache);
      g_hash_table_add (self->modules, m);
    }

  self->last_map = map;
  self->last_map_copy = *map;
  self->last_module = m;
  return m;
}

/* File offset -> ELF virtual address through the PT_LOAD headers. */
static gboolean
module_offset_to_vaddr (Module  *m,
                        guint64  off,
                        guint64 *vaddr)
{
  for (guint i = 0; i < m->n_segments; i++)
    {
      const LoadSegment *s = &m->segments[i];

      if (off >= s->offset && off < s->offset + s->filesz)
        {
          *vaddr = off - s->offset + s->vaddr;
          return TRUE;
        }
    }
  return FALSE;
}

static const char *
die_function_name (ScorchSymbolizer *self,
                   Dwarf_Die        *die)
{
  Dwarf_Attribute attr;
  const char *name = NULL;

  if (dwarf_attr_integrate (die, DW_AT_linkage_name, &attr) != NULL ||
      dwarf_attr_integrate (die, DW_AT_MIPS_linkage_name, &attr) != NULL)
    name = dwarf_formstring (&attr);
  if (name == NULL)
    name = dwarf_diename (die);
  if (name == NULL && dwarf_attr_integrate (die, DW_AT_name, &attr) != NULL)
    name = dwarf_formstring (&attr);
  return name != NULL ? demangle_cached (self, name) : NULL;
}

static guint
symbolize_dwarf (ScorchSymbolizer *self,
                 Module           *m,
                 GElf_Addr         addr,
                 guint64           vaddr,
                 const char       *function,
                 ScorchSymbol     *chain)
{
  Dwarf_Addr cu_bias = 0;
  Dwarf_Die *cu;
  Dwarf_Die *scopes = NULL;
  Dwarf_Files *files = NULL;
  size_t n_files = 0;
  Dwfl_Line *line;
  const char *cur_file = NULL;
  int cur_line = 0;
  guint n = 0;
  int n_scopes;

  line = dwfl_module_getsrc (m->mod, addr);
  if (line != NULL)
    {
      const char *f = dwfl_lineinfo (line, NULL, &cur_line, NULL, NULL, NULL);
      cur_file = intern (self, f);
    }

  cu = dwfl_module_addrdie (m->mod, addr, &cu_bias);
  if (cu != NULL)
    {
      n_scopes = dwarf_getscopes (cu, addr - cu_bias, &scopes);
      if (n_scopes > 0)
        {
          /* dwarf_getscopes continues from an inlined instance into its
           * abstract definition's parents; the physical nesting (inlined
           * instance inside inlined instance inside the subprogram) comes
           * from the innermost DIE's own parents. */
          Dwarf_Die innermost = scopes[0];

          free (scopes);
          scopes = NULL;
          n_scopes = dwarf_getscopes_die (&innermost, &scopes);
          dwarf_getsrcfiles (cu, &files, &n_files);
        }
      for (int i = 0; i < n_scopes && n < MAX_CHAIN - 1; i++)
        {
          Dwarf_Die *s = &scopes[i];
          int tag = dwarf_tag (s);
          Dwarf_Attribute attr;
          Dwarf_Word call_file = 0, call_line = 0;

          if (tag == DW_TAG_subprogram)
            break;
          if (tag != DW_TAG_inlined_subroutine)
            continue;

          chain[n] = (ScorchSymbol) {
            .function = die_function_name (self, s),
            .module = m->path,
            .file = cur_file,
            .line = cur_line > 0 ? (guint) cur_line : 0,
            .offset = vaddr,
            .kind = SCORCH_FRAME_KIND_INLINED,
          };
          if (chain[n].function == NULL)
            chain[n].function = intern (self, "[inlined]");
          n++;

          /* The caller's position is where this scope was inlined. */
          cur_file = NULL;
          cur_line = 0;
          if (dwarf_attr (s, DW_AT_call_file, &attr) != NULL &&
              dwarf_formudata (&attr, &call_file) == 0 && files != NULL)
            cur_file = intern (self, dwarf_filesrc (files, call_file, NULL, NULL));
          if (dwarf_attr (s, DW_AT_call_line, &attr) != NULL &&
              dwarf_formudata (&attr, &call_line) == 0)
            cur_line = (int) call_line;
        }
      free (scopes);
    }

  chain[n] = (ScorchSymbol) {
    .function = function,
    .module = m->path,
    .file = cur_file,
    .line = cur_line > 0 ? (guint) cur_line : 0,
    .offset = vaddr,
    .kind = SCORCH_FRAME_KIND_USER,
  };
  return n + 1;
}

static guint
unresolved (ScorchSymbolizer *self,
            const char       *module,
            guint64           offset,
            ScorchSymbol     *out)
{
  out[0] = (ScorchSymbol) {
    .function = NULL,
    .module = module,
    .offset = offset,
    .kind = SCORCH_FRAME_KIND_UNKNOWN,
  };
  return 1;
}

/* Symbolizes a module-relative address into chain; returns its length. */
static guint
module_symbolize (ScorchSymbolizer *self,
                  Module           *m,
                  guint64           file_off,
                  ScorchSymbol     *chain)
{
  GElf_Addr addr;
  GElf_Off sym_off = 0;
  GElf_Sym sym;
  guint64 vaddr;
  const char *name;

  if (m->state == MODULE_FAILED || !module_offset_to_vaddr (m, file_off, &vaddr))
    return unresolved (self, m->path, file_off, chain);

  addr = vaddr + m->bias;
  name = dwfl_module_addrinfo (m->mod, addr, &sym_off, &sym, NULL, NULL, NULL);
  if (name == NULL || name[0] == '\0')
    return unresolved (self, m->path, vaddr, chain);

  /* .dynsym names carry their version ("__libc_start_main@@GLIBC_2.34") */
  if (strchr (name, '@') != NULL && name[0] != '@')
    {
      g_autofree char *plain = g_strndup (name, strchr (name, '@') - name);

      return symbolize_dwarf (self, m, addr, vaddr, demangle_cached (self, plain), chain);
    }
  return symbolize_dwarf (self, m, addr, vaddr, demangle_cached (self, name), chain);
}

/* ------------------------------------------------------------------------ */
/* JIT maps                                                                 */

static int
jit_sym_compare (gconstpointer a,
                 gconstpointer b)
{
  const JitSym *x = a, *y = b;

  return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

static JitMap *
jit_map_load (ScorchSymbolizer *self,
              gint32            pid)
{
  JitMap *j = g_hash_table_lookup (self->jit_maps, GINT_TO_POINTER (pid));
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  GArray *syms;
  char *line, *next;
  struct stat st;

  if (j != NULL)
    return j;

  j = g_new0 (JitMap, 1);
  g_hash_table_insert (self->jit_maps, GINT_TO_POINTER (pid), j);

  path = g_strdup_printf ("%s/perf-%d.map", self->jit_dir, (int) pid);
  if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return j;
  if (st.st_size > MAX_JIT_MAP_SIZE)
    {
      add_problem (self, _("%s: too large to read"), path);
      return j;
    }
  if (!g_file_get_contents (path, &contents, &len, NULL))
    return j;

  syms = g_array_new (FALSE, FALSE, sizeof (JitSym));
  for (line = contents; line != NULL && line < contents + len; line = next)
    {
      JitSym s;
      char *end;

      next = memchr (line, '\n', contents + len - line);
      if (next != NULL)
        *next++ = '\0';

      /* START SIZE name, hex without 0x (perf accepts an optional 0x) */
      s.start = g_ascii_strtoull (line, &end, 16);
      if (end == line || *end != ' ')
        continue;
      line = end + 1;
      s.size = g_ascii_strtoull (line, &end, 16);
      if (end == line || *end != ' ')
        continue;
      line = end + 1;
      g_strchomp (line);
      if (*line == '\0' || s.size == 0)
        continue;
      s.name = demangle_cached (self, line);
      g_array_append_val (syms, s);
    }
  g_array_sort (syms, jit_sym_compare);
  j->n_syms = syms->len;
  j->syms = (JitSym *) (gpointer) g_array_free (syms, FALSE);
  return j;
}

static const JitSym *
jit_lookup (JitMap  *j,
            guint64  ip)
{
  gsize lo = 0, hi = j->n_syms;

  /* last symbol with start <= ip; later entries win (re-JITted code) */
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (j->syms[mid].start <= ip)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (gsize i = lo; i > 0 && lo - i < 16; i--)
    {
      const JitSym *s = &j->syms[i - 1];
      if (ip >= s->start && ip - s->start < s->size)
        return s;
    }
  return NULL;
}

static gboolean
is_anon_path (const char *path)
{
  return path == NULL || path[0] == '\0' || g_str_has_prefix (path, "//anon") ||
         g_str_has_prefix (path, "[anon") || g_str_has_prefix (path, "/memfd:") ||
         g_str_has_prefix (path, "[heap]") || g_str_has_prefix (path, "/tmp/perf-");
}

/* ------------------------------------------------------------------------ */

guint
scorch_symbolizer_lookup_user (ScorchSymbolizer    *self,
                               gint32               pid,
                               const ScorchMapping *map,
                               guint64              ip,
                               ScorchSymbol        *out,
                               guint                max)
{
  ScorchSymbol chain[MAX_CHAIN];
  Module *m;
  guint64 file_off;
  guint64 packed;
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (out != NULL || max == 0, 0);

  if (max == 0)
    return 0;

  if (map == NULL || is_anon_path (map->path))
    {
      JitMap *j = jit_map_load (self, pid);
      const JitSym *s = jit_lookup (j, ip);

      if (s != NULL)
        {
          out[0] = (ScorchSymbol) {
            .function = s->name,
            .module = intern (self, "[JIT]"),
            .offset = ip - s->start,
            .kind = SCORCH_FRAME_KIND_JIT,
          };
          return 1;
        }
      if (map == NULL)
        return unresolved (self, self->unknown_module, ip, out);
      return unresolved (self, intern (self, map->path[0] ? map->path : "[anon]"),
                         ip - map->start + map->pgoff, out);
    }

  if (ip < map->start || ip >= map->end)
    return unresolved (self, intern (self, map->path), ip, out);

  m = module_for_mapping (self, map);
  file_off = ip - map->start + map->pgoff;

  if (m->state == MODULE_UNOPENED)
    module_open (self, m, map);

  /* The cache key is the file offset: the symbolizing below maps it to a
   * vaddr, and the vaddr is only known once the module is open. */
  if (addr_map_lookup (&m->cache, file_off, &packed))
    return copy_chain (self, packed, out, max);

  n = module_symbolize (self, m, file_off, chain);
  packed = store_chain (self, chain, n);
  addr_map_insert (&m->cache, file_off, packed);
  return copy_chain (self, packed, out, max);
}

/* ------------------------------------------------------------------------ */
/* Kernel                                                                   */

static int
ksym_compare (gconstpointer a,
              gconstpointer b)
{
  const KernelSym *x = a, *y = b;

  return x->addr < y->addr ? -1 : x->addr > y->addr ? 1 : 0;
}

static void
kernel_load (ScorchSymbolizer *self)
{
  g_autofree char *contents = NULL;
  GArray *syms;
  gsize len = 0;
  gboolean any_nonzero = FALSE;
  guint n_lines = 0;
  char *line, *next;

  self->kernel_loaded = TRUE;
  self->kernel_usable = FALSE;
  g_clear_pointer (&self->ksyms, g_free);
  self->n_ksyms = 0;

  if (!self->kallsyms_forced && !kernel_matches_running (self))
    {
      add_problem (self,
                   _("The capture comes from another kernel (%s); kernel frames are shown as addresses"),
                   self->kernel_release != NULL ? self->kernel_release : _("unknown release"));
      return;
    }

  if (!g_file_get_contents (self->kallsyms_path, &contents, &len, NULL))
    {
      add_problem (self, _("Cannot read %s; kernel frames are shown as addresses"), self->kallsyms_path);
      return;
    }

  syms = g_array_new (FALSE, FALSE, sizeof (KernelSym));
  for (line = contents; line < contents + len; line = next)
    {
      KernelSym s;
      char *end, *name, *mod;
      char type;

      next = memchr (line, '\n', contents + len - line);
      if (next != NULL)
        *next++ = '\0';
      else
        next = contents + len;

      s.addr = g_ascii_strtoull (line, &end, 16);
      if (end == line || *end != ' ')
        continue;
      n_lines++;
      if (s.addr != 0)
        any_nonzero = TRUE;
      type = end[1];
      if (type == '\0' || end[2] != ' ')
        continue;
      if (type != 't' && type != 'T' && type != 'w' && type != 'W')
        continue;
      name = end + 3;
      mod = strchr (name, '\t');
      if (mod != NULL)
        {
          *mod++ = '\0';
          g_strstrip (mod);
          s.module = *mod != '\0' ? intern (self, mod) : self->kernel_module;
        }
      else
        s.module = self->kernel_module;
      g_strchomp (name);
      if (*name == '\0')
        continue;
      s.name = intern (self, name);
      g_array_append_val (syms, s);
    }

  if (n_lines > 0 && !any_nonzero)
    {
      add_problem (self,
                   _("Kernel symbol addresses are hidden (%s shows only zeros): "
                     "kernel frames are shown as addresses. Set "
                     "/proc/sys/kernel/kptr_restrict to 0, or load as root"),
                   self->kallsyms_path);
      g_array_unref (syms);
      return;
    }

  g_array_sort (syms, ksym_compare);
  self->n_ksyms = syms->len;
  self->ksyms = (KernelSym *) (gpointer) g_array_free (syms, FALSE);
  self->kernel_usable = self->n_ksyms > 0;
  if (!self->kernel_usable)
    add_problem (self, _("%s has no kernel symbols; kernel frames are shown as addresses"),
                 self->kallsyms_path);
}

guint
scorch_symbolizer_lookup_kernel (ScorchSymbolizer *self,
                                 guint64           ip,
                                 ScorchSymbol     *out,
                                 guint             max)
{
  gsize lo, hi;
  guint64 packed;
  const KernelSym *s;

  g_return_val_if_fail (self != NULL, 0);

  if (max == 0)
    return 0;

  if (!self->kernel_loaded)
    kernel_load (self);

  if (!self->kernel_usable)
    return unresolved (self, self->kernel_module, ip, out);

  if (addr_map_lookup (&self->kcache, ip, &packed))
    return copy_chain (self, packed, out, max);

  lo = 0;
  hi = self->n_ksyms;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (self->ksyms[mid].addr <= ip)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (lo == 0)
    {
      unresolved (self, self->kernel_module, ip, out);
    }
  else
    {
      s = &self->ksyms[lo - 1];
      /* Past the last symbol by more than a megabyte: not kernel text we know. */
      if (lo == self->n_ksyms && ip - s->addr > 1024 * 1024)
        unresolved (self, self->kernel_module, ip, out);
      else
        out[0] = (ScorchSymbol) {
          .function = s->name,
          .module = s->module,
          .offset = ip - s->addr,
          .kind = SCORCH_FRAME_KIND_KERNEL,
        };
    }

  packed = store_chain (self, out, 1);
  addr_map_insert (&self->kcache, ip, packed);
  return 1;
}
