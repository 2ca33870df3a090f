/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#if HAVE_DEBUGINFOD
#include <elfutils/debuginfod.h>
#endif
#include <gelf.h>
#include <glib/gi18n.h>

#include "scorch-demangle.h"
#include "scorch-symbolizer.h"
#include "scorch-util.h"
#include "scorch-vdso.h"

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

/* One function symbol of a module, bounds resolved as perf does. */
typedef struct
{
  guint64     start, end;    /* dwfl addresses, [start, end) */
  const char *raw;           /* borrowed from the ELF string table */
  const char *name;          /* demangled and interned on first use */
  guint64     section_end;   /* bound for a sizeless symbol */
  guint32     index;         /* in the symbol table: the first wins a full tie, as in perf */
  guint8      binding;       /* STB_* */
  guint8      sized;
} FuncSym;

/* A DW_TAG_subprogram or DW_TAG_inlined_subroutine of an indexed CU. */
typedef struct
{
  Dwarf_Die   die;
  gint32      parent;        /* enclosing inlined/subprogram node, -1 for a subprogram */
  gboolean    inlined;
  gboolean    resolved;      /* call_file and call_line are filled */
  const char *name;
  const char *call_file;
  guint       call_line;
  gboolean    decl_resolved; /* the two below are filled */
  const char *decl_file;
  guint       decl_line;
} ScopeNode;

/* One address range of an inlined subroutine. */
typedef struct
{
  guint64 lo, hi;
  guint32 node;
  guint32 depth;
} ScopeRange;

/* One address range of a subprogram, with the slice of the CU's inlined
 * ranges (in walk order) that lie inside that subprogram. */
typedef struct
{
  guint64 lo, hi;
  guint32 node;
  guint32 first, last;
} RootRange;

/* Per compilation unit, built on its first lookup: every code scope with
 * its ranges, so an address costs two binary searches and a scan of one
 * function's inlined ranges instead of walks of the whole CU. */
typedef struct
{
  Dwarf_Die    cu;
  Dwarf_Files *files;
  gboolean     files_loaded;
  GArray      *nodes;        /* ScopeNode */
  GArray      *ranges;       /* ScopeRange */
  GArray      *roots;        /* RootRange, sorted by lo */
} CuIndex;

/* The file names of one line program header, as dwarf_filesrc gives them;
 * read without decoding the line program itself. */
typedef struct
{
  const char **names;        /* interned; NULL where the index names nothing */
  guint        n_names;
  gboolean     ok;           /* FALSE: fall back to libdw's dwarf_decl_file */
} FileTable;

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

  gboolean     syms_built;
  FuncSym     *syms;          /* sorted by start, one per start address */
  gsize        n_syms;
  GHashTable  *cus;           /* CU DIE offset -> CuIndex* */
  GHashTable  *file_tables;   /* Dwarf_CU* -> FileTable*, for decl_file */

  /* Address ranges of every CU, for objects without .debug_aranges (clang
   * does not emit it, and libdw 0.188 then finds no CU by address). */
  gboolean     cu_ranges_built;
  GArray      *cu_ranges;     /* CuRange, sorted by lo */
} Module;

typedef struct
{
  Dwarf_Addr lo;
  Dwarf_Addr hi;
  Dwarf_Addr bias;
  Dwarf_Die  die;
} CuRange;

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
  const char *name;    /* in kstrings; interned when a lookup hits it */
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
  ScorchSymbolizerLineMode line_mode;

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
  GStringChunk   *kstrings;
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
cu_index_free (gpointer p)
{
  CuIndex *ci = p;

  g_array_unref (ci->nodes);
  g_array_unref (ci->ranges);
  g_array_unref (ci->roots);
  g_free (ci);
}

static void
file_table_free (gpointer p)
{
  FileTable *t = p;

  g_free (t->names);
  g_free (t);
}

static void
module_free (gpointer p)
{
  Module *m = p;

  /* before dwfl_end: the keys point into libdw's CUs */
  if (m->file_tables != NULL)
    g_hash_table_destroy (m->file_tables);

  if (m->dwfl != NULL)
    dwfl_end (m->dwfl);
  g_free (m->segments);
  addr_map_clear (&m->cache);
  g_free (m->syms);
  if (m->cus != NULL)
    g_hash_table_destroy (m->cus);
  g_clear_pointer (&m->cu_ranges, g_array_unref);
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

/* libdwfl's standard find_elf and find_debuginfo callbacks open() every
 * candidate path blocking, and the paths come from the capture (a module's
 * file name) and the environment (SCORCH_DEBUG_DIRS): a FIFO there would
 * hang the load for good. So the main file reaches libdwfl as a checked
 * descriptor, and debug files are found here, each candidate opened with
 * scorch_open_regular_file() and accepted only when its build id is the
 * one wanted. */
static int
find_elf_none (Dwfl_Module  *mod,
               void        **userdata,
               const char   *modname,
               Dwarf_Addr    base,
               char        **file_name,
               Elf         **elfp)
{
  *file_name = NULL;
  *elfp = NULL;
  errno = 0;
  return -1;
}

/* The CRC-32 (IEEE 802.3, as zlib's crc32()) of the whole file, which
 * .gnu_debuglink records for a debug file. */
static gboolean
file_crc32 (int      fd,
            guint32 *out)
{
  static guint32 table[256];
  static gsize table_ready = 0;
  guint8 buf[64 * 1024];
  guint32 crc = 0xffffffff;
  off_t off = 0;

  if (g_once_init_enter (&table_ready))
    {
      for (guint32 i = 0; i < 256; i++)
        {
          guint32 c = i;

          for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320 ^ (c >> 1) : c >> 1;
          table[i] = c;
        }
      g_once_init_leave (&table_ready, 1);
    }
  for (;;)
    {
      gssize n = pread (fd, buf, sizeof buf, off);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      for (gssize i = 0; i < n; i++)
        crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
      off += n;
    }
  *out = crc ^ 0xffffffff;
  return TRUE;
}

static int
open_debug_candidate (const char        *fname,
                      const struct stat *main_st,
                      const void        *want_id,
                      gssize             want_len,
                      guint32            want_crc,
                      char             **debuginfo_file_name)
{
  struct stat st;
  const void *id = NULL;
  gssize len = -1;
  Elf *elf;
  int fd;

  fd = scorch_open_regular_file (fname, SCORCH_MAX_ELF_SIZE, &st, NULL);
  if (fd < 0)
    return -1;
  /* The main file by another name (an empty debug dir entry). */
  if (main_st != NULL && st.st_dev == main_st->st_dev && st.st_ino == main_st->st_ino)
    {
      close (fd);
      return -1;
    }
  if (want_len > 0)
    {
      elf = elf_begin (fd, ELF_C_READ_MMAP, NULL);
      if (elf != NULL)
        len = dwelf_elf_gnu_build_id (elf, &id);
      if (len != want_len || memcmp (id, want_id, want_len) != 0)
        {
          if (elf != NULL)
            elf_end (elf);
          close (fd);
          return -1;
        }
      elf_end (elf);
    }
  else if (want_crc != 0)
    {
      /* No build id to compare: the debuglink's CRC says it is the one. */
      guint32 crc;

      if (!file_crc32 (fd, &crc) || crc != want_crc)
        {
          close (fd);
          return -1;
        }
    }
  *debuginfo_file_name = strdup (fname); /* libdwfl frees it with free() */
  return fd;
}

static char *
build_id_debug_path (const char   *dir,
                     const guint8 *id,
                     gssize        len)
{
  GString *s;

  if (len < 2 || len > 64)
    return NULL;
  s = g_string_new (dir);
  g_string_append_printf (s, "/.build-id/%02x/", id[0]);
  for (gssize i = 1; i < len; i++)
    g_string_append_printf (s, "%02x", id[i]);
  g_string_append (s, ".debug");
  return g_string_free (s, FALSE);
}

/* The separate debug file (build-id tree, then .gnu_debuglink in the
 * file's directory, its .debug subdirectory and DIR/<file's directory>),
 * or with IS_ALT the dwz file a debug file's .gnu_debugaltlink names;
 * the order and places are libdwfl's standard ones. */
static int
find_debug_in_dirs (const char        *debuginfo_path,
                    const char        *file_name,
                    const char        *link,
                    guint32            link_crc,
                    gboolean           is_alt,
                    const struct stat *main_st,
                    const guint8      *id,
                    gssize             id_len,
                    char             **debuginfo_file_name)
{
  g_auto(GStrv) dirs = g_strsplit (debuginfo_path != NULL ? debuginfo_path : ":.debug:/usr/lib/debug", ":", -1);
  g_autofree char *file_dir = file_name != NULL ? g_path_get_dirname (file_name) : NULL;
  g_autofree char *invented = NULL;
  int fd;

  if (link == NULL)
    {
      if (file_name == NULL || is_alt)
        return -1;
      invented = g_strconcat (file_name + (strrchr (file_name, '/') ? strrchr (file_name, '/') - file_name + 1 : 0),
                              ".debug", NULL);
      link = invented;
      link_crc = 0;
    }

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; dirs[i] != NULL; i++)
      {
        const char *dir = dirs[i];
        g_autofree char *fname = NULL;

        if (dir[0] == '+' || dir[0] == '-')
          dir++;
        if (pass == 0)
          {
            /* By build id: DIR/.build-id/xx/yyyy.debug */
            if (dir[0] != '/' || id_len <= 0)
              continue;
            fname = build_id_debug_path (dir, id, id_len);
          }
        else if (is_alt)
          {
            if (dir[0] == '/')
              {
                g_autofree char *base = g_path_get_basename (link);
                fname = g_build_filename (dir, ".dwz", base, NULL);
              }
            else if (dir[0] == '\0')
              fname = g_path_is_absolute (link) ? g_strdup (link)
                      : file_dir != NULL ? g_build_filename (file_dir, link, NULL) : NULL;
          }
        else if (dir[0] == '\0')
          fname = file_dir != NULL ? g_build_filename (file_dir, link, NULL) : NULL;
        else if (dir[0] == '/')
          fname = file_dir != NULL && file_dir[0] == '/' ? g_build_filename (dir, file_dir, link, NULL) : NULL;
        else
          fname = file_dir != NULL ? g_build_filename (file_dir, dir, link, NULL) : NULL;

        if (fname == NULL)
          continue;
        /* The build-id tree is checked by build id only. */
        fd = open_debug_candidate (fname, main_st, id, id_len, pass == 0 ? 0 : link_crc,
                                   debuginfo_file_name);
        if (fd >= 0)
          return fd;
      }
  return -1;
}

#if HAVE_DEBUGINFOD
static int
find_debug_debuginfod (const guint8  *id,
                       gssize         id_len,
                       char         **debuginfo_file_name)
{
  const char *urls = g_getenv ("DEBUGINFOD_URLS");
  debuginfod_client *client;
  struct stat st;
  char *path = NULL;
  int fd;

  if (urls == NULL || urls[0] == '\0' || id_len <= 0)
    return -1;
  client = debuginfod_begin ();
  if (client == NULL)
    return -1;
  fd = debuginfod_find_debuginfo (client, id, (int) id_len, &path);
  debuginfod_end (client);
  /* The cache file it returns must be a regular file too. */
  if (fd >= 0 && (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)))
    {
      close (fd);
      fd = -1;
    }
  if (fd < 0)
    free (path);
  else
    *debuginfo_file_name = path;
  return fd < 0 ? -1 : fd;
}
#endif

static int
find_debuginfo_checked (Dwfl_Module  *mod,
                        void        **userdata,
                        const char   *modname,
                        Dwarf_Addr    base,
                        const char   *file_name,
                        const char   *debuglink_file,
                        GElf_Word     debuglink_crc,
                        char        **debuginfo_file_name)
{
  ScorchSymbolizer *self = *userdata;
  const char *main_link = NULL;
  const unsigned char *id = NULL;
  const void *alt_id = NULL;
  gssize id_len = 0;
  gboolean is_alt = FALSE;
  struct stat main_st;
  const struct stat *main_stp = NULL;
  const char *mainfile = NULL;
  GElf_Addr vaddr;
  Dwarf_Addr bias;
  Elf *main_elf;
  int fd;

  *debuginfo_file_name = NULL;
  if (self == NULL)
    return -1;

  /* libdwfl asks for the debug file with the main file's own
   * .gnu_debuglink (or none), and later for the dwz file named by the
   * debug file's .gnu_debugaltlink, with the Dwarf already open. */
  main_elf = dwfl_module_getelf (mod, &bias);
  if (main_elf != NULL)
    {
      GElf_Word crc;
      main_link = dwelf_elf_gnu_debuglink (main_elf, &crc);
    }
  is_alt = debuglink_file != NULL && (main_link == NULL || strcmp (main_link, debuglink_file) != 0);

  if (is_alt)
    {
      Dwarf *dw = dwfl_module_getdwarf (mod, &bias);
      const char *altname;

      if (dw == NULL)
        return -1;
      id_len = dwelf_dwarf_gnu_debugaltlink (dw, &altname, &alt_id);
      if (id_len <= 0)
        return -1;
      id = alt_id;
    }
  else
    id_len = dwfl_module_build_id (mod, &id, &vaddr);

  dwfl_module_info (mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
  if (mainfile != NULL && stat (mainfile, &main_st) == 0)
    main_stp = &main_st;

  fd = find_debug_in_dirs (self->debuginfo_path, file_name, debuglink_file, debuglink_crc, is_alt,
                           main_stp, id, id_len, debuginfo_file_name);
  if (fd < 0 && file_name != NULL && !is_alt)
    {
      /* A symlink's debug file may go by its target's name. */
      g_autofree char *canon = realpath (file_name, NULL);

      if (canon != NULL && strcmp (canon, file_name) != 0)
        fd = find_debug_in_dirs (self->debuginfo_path, canon, debuglink_file, debuglink_crc, FALSE,
                                 main_stp, id, id_len, debuginfo_file_name);
    }
#if HAVE_DEBUGINFOD
  if (fd < 0)
    fd = find_debug_debuginfod (id, id_len, debuginfo_file_name);
#endif
  errno = 0;
  return fd;
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
  self->callbacks.find_elf = find_elf_none;
  self->callbacks.find_debuginfo = find_debuginfo_checked;
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
  if (self->kstrings != NULL)
    g_string_chunk_free (self->kstrings);
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
scorch_symbolizer_set_line_mode (ScorchSymbolizer         *self,
                                 ScorchSymbolizerLineMode  mode)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (self != NULL);
  g_return_if_fail (mode == SCORCH_SYMBOLIZER_LINES_ADDRESS || mode == SCORCH_SYMBOLIZER_LINES_FUNCTION);

  if (self->line_mode == mode)
    return;
  self->line_mode = mode;
  /* Cached user chains carry the other kind of file:line. */
  g_hash_table_iter_init (&iter, self->modules);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Module *m = key;

      addr_map_clear (&m->cache);
      addr_map_init (&m->cache);
    }
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

/* A memfd holding the running vDSO's image (scorch-vdso.c), or -1:
 * libdwfl reads modules from file descriptors. */
static int
running_vdso_fd (void)
{
  gsize size = 0;
  const guint8 *image = scorch_vdso_get_image (&size);
  int fd;

  if (image == NULL)
    return -1;
  fd = memfd_create ("scorch-vdso", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  if (write (fd, image, size) != (gssize) size)
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
  else
    {
      g_autoptr(GError) local_error = NULL;

      /* Never let libdwfl open a capture's path itself: a FIFO there
       * would block the load forever. */
      fd = scorch_open_regular_file (m->path, SCORCH_MAX_ELF_SIZE, NULL, &local_error);
      if (fd < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            add_problem (self, _("%s: file not found; its frames are shown as addresses"), m->path);
          else
            add_problem (self, _("%s: cannot read it (%s); its frames are shown as addresses"),
                         m->path, local_error->message);
          return;
        }
    }

  m->dwfl = dwfl_begin (&self->callbacks);
  if (m->dwfl == NULL)
    {
      close (fd);
      return;
    }
  dwfl_report_begin (m->dwfl);
  /* With add_p_vaddr the module sits at its own link-time addresses, so
   * ELF virtual addresses are dwfl addresses (plus the bias, normally 0).
   * libdwfl takes ownership of fd. */
  m->mod = dwfl_report_elf (m->dwfl, m->path, m->path, fd, 0, true);
  dwfl_report_end (m->dwfl, NULL, NULL);
  if (m->mod != NULL)
    {
      void **userdata = NULL;

      /* For find_debuginfo_checked(). */
      dwfl_module_info (m->mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
      if (userdata != NULL)
        *userdata = self;
    }
  if (m->mod == NULL)
    {
      /* On failure libdwfl leaves a descriptor it was given open. */
      close (fd);
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

/* ------------------------------------------------------------------------ */
/* Function symbols: a sorted table per module                              */

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
func_sym_better (const FuncSym *a,
                 const FuncSym *b)
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
  const FuncSym *a = pa, *b = pb;

  if (a->start != b->start)
    return a->start < b->start ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

static void
module_build_symbols (Module *m)
{
  GArray *syms;
  int n;
  gsize out = 0;

  m->syms_built = TRUE;
  n = dwfl_module_getsymtab (m->mod);
  if (n <= 0)
    return;

  syms = g_array_sized_new (FALSE, FALSE, sizeof (FuncSym), (guint) MIN (n, 1 << 20));
  for (int i = 0; i < n; i++)
    {
      GElf_Sym sym;
      GElf_Addr addr = 0;
      GElf_Word shndx = 0;
      Elf *elf = NULL;
      const char *name;
      int type;
      FuncSym f;

      name = dwfl_module_getsym_info (m->mod, i, &sym, &addr, &shndx, &elf, NULL);
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
      FuncSym *cur = &g_array_index (syms, FuncSym, i);

      if (out > 0 && g_array_index (syms, FuncSym, out - 1).start == cur->start)
        {
          FuncSym *kept = &g_array_index (syms, FuncSym, out - 1);

          if (func_sym_better (kept, cur))
            *kept = *cur;
          continue;
        }
      g_array_index (syms, FuncSym, out++) = *cur;
    }

  /* A sizeless symbol runs to the next one (perf's symbols__fixup_end). */
  for (gsize i = 0; i < out; i++)
    {
      FuncSym *f = &g_array_index (syms, FuncSym, i);

      if (f->sized)
        continue;
      if (i + 1 < out)
        f->end = g_array_index (syms, FuncSym, i + 1).start;
      else
        f->end = ((f->start + 4095) & ~(guint64) 4095) + 4096;
      f->end = MIN (f->end, f->section_end);
    }

  m->n_syms = out;
  g_array_set_size (syms, (guint) out);
  m->syms = (FuncSym *) (gpointer) g_array_free (syms, FALSE);
}

static FuncSym *
module_find_symbol (Module    *m,
                    GElf_Addr  addr)
{
  gsize lo = 0, hi;

  if (!m->syms_built)
    module_build_symbols (m);
  hi = m->n_syms;

  /* last symbol starting at or before addr */
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (m->syms[mid].start <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  /* Nearest first; a few steps back cover a small symbol nested in a
   * larger one (the larger one holds the addresses past the small one). */
  for (gsize i = lo; i > 0 && lo - i < 16; i--)
    {
      FuncSym *f = &m->syms[i - 1];

      if (addr < f->end)
        return f;
    }
  return NULL;
}

static const char *
func_sym_name (ScorchSymbolizer *self,
               FuncSym          *f)
{
  const char *at;

  if (f->name != NULL)
    return f->name;
  /* .symtab names may carry their version ("memcpy@@GLIBC_2.14") */
  at = strchr (f->raw, '@');
  if (at != NULL && at != f->raw)
    {
      g_autofree char *plain = g_strndup (f->raw, at - f->raw);

      f->name = demangle_cached (self, plain);
    }
  else
    {
      f->name = demangle_cached (self, f->raw);
    }
  return f->name;
}

/* ------------------------------------------------------------------------ */
/* Inline chains: a scope index per compilation unit                        */

/* Deeper nesting than this in DWARF is garbage; stop descending. */
#define MAX_SCOPE_DEPTH 256

static void
cu_add_ranges (CuIndex   *ci,
               Dwarf_Die *die,
               guint32    node,
               guint32    depth,
               gboolean   root)
{
  Dwarf_Addr base, start, end;
  ptrdiff_t off = 0;

  while ((off = dwarf_ranges (die, off, &base, &start, &end)) > 0)
    {
      if (end <= start)
        continue;
      if (root)
        {
          RootRange r = { start, end, node, 0, 0 };
          g_array_append_val (ci->roots, r);
        }
      else
        {
          ScopeRange r = { start, end, node, depth };
          g_array_append_val (ci->ranges, r);
        }
    }
}

static void
cu_walk (CuIndex   *ci,
         Dwarf_Die *parent_die,
         gint32     parent_node,
         guint32    depth,
         guint      nesting)
{
  Dwarf_Die child;

  if (nesting > MAX_SCOPE_DEPTH)
    return;
  if (dwarf_child (parent_die, &child) != 0)
    return;

  do
    {
      int tag = dwarf_tag (&child);

      switch (tag)
        {
        case DW_TAG_subprogram:
          {
            ScopeNode n = { .die = child, .parent = -1 };
            guint32 idx = ci->nodes->len;
            guint first_root = ci->roots->len;
            guint32 first = ci->ranges->len;

            g_array_append_val (ci->nodes, n);
            cu_add_ranges (ci, &child, idx, 0, TRUE);
            cu_walk (ci, &child, (gint32) idx, 1, nesting + 1);
            /* Nested subprograms (local classes, GNU nested functions)
             * are roots of their own and were appended after ours. */
            for (guint r = first_root; r < ci->roots->len; r++)
              {
                RootRange *rr = &g_array_index (ci->roots, RootRange, r);

                if (rr->node == idx)
                  {
                    rr->first = first;
                    rr->last = ci->ranges->len;
                  }
              }
          }
          break;

        case DW_TAG_inlined_subroutine:
          if (parent_node >= 0)
            {
              ScopeNode n = { .die = child, .parent = parent_node, .inlined = TRUE };
              guint32 idx = ci->nodes->len;

              g_array_append_val (ci->nodes, n);
              cu_add_ranges (ci, &child, idx, depth, FALSE);
              cu_walk (ci, &child, (gint32) idx, depth + 1, nesting + 1);
            }
          break;

        case DW_TAG_lexical_block:
        case DW_TAG_try_block:
        case DW_TAG_catch_block:
        case DW_TAG_namespace:
        case DW_TAG_module:
        case DW_TAG_class_type:
        case DW_TAG_structure_type:
        case DW_TAG_union_type:
        case DW_TAG_interface_type:
          cu_walk (ci, &child, parent_node, depth, nesting + 1);
          break;

        case DW_TAG_imported_unit:
          {
            Dwarf_Attribute attr;
            Dwarf_Die unit;

            /* dwz moves shared DIEs into partial units */
            if (dwarf_attr (&child, DW_AT_import, &attr) != NULL &&
                dwarf_formref_die (&attr, &unit) != NULL)
              cu_walk (ci, &unit, parent_node, depth, nesting + 1);
          }
          break;

        default:
          break;
        }
    }
  while (dwarf_siblingof (&child, &child) == 0);
}

static int
root_range_compare (gconstpointer pa,
                    gconstpointer pb)
{
  const RootRange *a = pa, *b = pb;

  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  /* the larger range first: a nested root found later wins on a scan back */
  if (a->hi != b->hi)
    return a->hi > b->hi ? -1 : 1;
  return a->node < b->node ? -1 : a->node > b->node ? 1 : 0;
}

static CuIndex *
module_cu_index (Module    *m,
                 Dwarf_Die *cu)
{
  Dwarf_Off off = dwarf_dieoffset (cu);
  CuIndex *ci;

  if (m->cus == NULL)
    m->cus = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, cu_index_free);
  ci = g_hash_table_lookup (m->cus, &off);
  if (ci != NULL)
    return ci;

  ci = g_new0 (CuIndex, 1);
  ci->cu = *cu;
  ci->nodes = g_array_new (FALSE, FALSE, sizeof (ScopeNode));
  ci->ranges = g_array_new (FALSE, FALSE, sizeof (ScopeRange));
  ci->roots = g_array_new (FALSE, FALSE, sizeof (RootRange));
  cu_walk (ci, cu, -1, 0, 0);
  g_array_sort (ci->roots, root_range_compare);
  g_hash_table_insert (m->cus, g_memdup2 (&off, sizeof off), ci);
  return ci;
}

/* The innermost inlined scope at addr (a CU-relative address), or -1;
 * *root_node is the subprogram holding addr, or -1. */
static gint32
cu_innermost_inlined (CuIndex    *ci,
                      Dwarf_Addr  addr,
                      gint32     *root_node)
{
  const RootRange *roots = (const RootRange *) (gpointer) ci->roots->data;
  const ScopeRange *ranges = (const ScopeRange *) (gpointer) ci->ranges->data;
  gsize lo = 0, hi = ci->roots->len;
  const RootRange *root = NULL;
  gint32 best = -1;
  guint32 best_depth = 0;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (roots[mid].lo <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (gsize i = lo; i > 0 && lo - i < 64; i--)
    if (addr < roots[i - 1].hi)
      {
        root = &roots[i - 1];
        break;
      }
  *root_node = -1;
  if (root == NULL)
    return -1;
  *root_node = (gint32) root->node;

  for (guint32 i = root->first; i < root->last; i++)
    if (addr >= ranges[i].lo && addr < ranges[i].hi && ranges[i].depth > best_depth)
      {
        best = (gint32) ranges[i].node;
        best_depth = ranges[i].depth;
      }
  return best;
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

static void
scope_node_resolve_name (ScorchSymbolizer *self,
                         ScopeNode        *n)
{
  if (n->name != NULL)
    return;
  n->name = die_function_name (self, &n->die);
  if (n->name == NULL)
    n->name = intern (self, "[inlined]");
}

/* Name and call site (the call site needs the CU's file table). */
static void
scope_node_resolve (ScorchSymbolizer *self,
                    CuIndex          *ci,
                    ScopeNode        *n)
{
  Dwarf_Attribute attr;
  Dwarf_Word call_file = 0, call_line = 0;

  if (n->resolved)
    return;
  n->resolved = TRUE;
  scope_node_resolve_name (self, n);

  if (!ci->files_loaded)
    {
      size_t n_files = 0;

      ci->files_loaded = TRUE;
      if (dwarf_getsrcfiles (&ci->cu, &ci->files, &n_files) != 0)
        ci->files = NULL;
    }
  if (dwarf_attr (&n->die, DW_AT_call_file, &attr) != NULL &&
      dwarf_formudata (&attr, &call_file) == 0 && ci->files != NULL)
    n->call_file = intern (self, dwarf_filesrc (ci->files, call_file, NULL, NULL));
  if (dwarf_attr (&n->die, DW_AT_call_line, &attr) != NULL &&
      dwarf_formudata (&attr, &call_line) == 0 && call_line <= G_MAXINT)
    n->call_line = (guint) call_line;
}

/* ------------------------------------------------------------------------ */
/* Declaration file:line without decoding line tables                       */

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

static const char *
join_path (ScorchSymbolizer *self,
           const char       *dir,
           const char       *name)
{
  g_autofree char *path = NULL;

  if (name == NULL)
    return NULL;
  if (name[0] == '/' || dir == NULL || dir[0] == '\0')
    return intern (self, name);
  path = g_strconcat (dir, "/", name, NULL);
  return intern (self, path);
}

/* Parses the file table of the line program header at off in .debug_line;
 * names as libdw's dwarf_filesrc builds them (dir "/" name). */
static gboolean
parse_file_table (ScorchSymbolizer  *self,
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
          g_ptr_array_add (names, (gpointer) join_path (self, dir < dirs->len ? g_ptr_array_index (dirs, dir) : NULL, s));
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
            g_ptr_array_add (names, (gpointer) join_path (self, dir < dirs->len ? g_ptr_array_index (dirs, dir) : NULL, path));
        }
    }
  return !r.bad;
}

static FileTable *
module_file_table (ScorchSymbolizer *self,
                   Module           *m,
                   Dwarf_CU         *cu)
{
  FileTable *t;
  Dwarf_Die cudie;
  Dwarf_Attribute attr;
  Dwarf_Word stmt_list;
  Dwarf *dbg;
  Elf *elf;
  StrSections secs;
  g_autoptr(GPtrArray) names = NULL;

  if (m->file_tables == NULL)
    m->file_tables = g_hash_table_new_full (NULL, NULL, NULL, file_table_free);
  t = g_hash_table_lookup (m->file_tables, cu);
  if (t != NULL)
    return t;

  t = g_new0 (FileTable, 1);
  g_hash_table_insert (m->file_tables, cu, t);

  if (dwarf_cu_die (cu, &cudie, NULL, NULL, NULL, NULL, NULL, NULL) == NULL ||
      dwarf_attr (&cudie, DW_AT_stmt_list, &attr) == NULL ||
      dwarf_formudata (&attr, &stmt_list) != 0)
    return t;
  dbg = dwarf_cu_getdwarf (cu);
  elf = dbg != NULL ? dwarf_getelf (dbg) : NULL;
  secs.str = debug_section (elf, ".debug_str");
  secs.line_str = debug_section (elf, ".debug_line_str");
  names = g_ptr_array_new ();
  if (!parse_file_table (self, debug_section (elf, ".debug_line"), stmt_list,
                         dwarf_formstring (dwarf_attr (&cudie, DW_AT_comp_dir, &attr)), &secs, names))
    return t;
  t->n_names = names->len;
  t->names = (const char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  t->ok = TRUE;
  return t;
}

/* Where the function of die is declared, following abstract_origin and
 * specification as dwarf_decl_file does. */
static void
die_decl_location (ScorchSymbolizer *self,
                   Module           *m,
                   Dwarf_Die        *die,
                   const char      **file,
                   guint            *line)
{
  Dwarf_Attribute attr;
  Dwarf_Word idx;
  int l = 0;

  *file = NULL;
  *line = 0;
  if (dwarf_decl_line (die, &l) == 0 && l > 0)
    *line = (guint) l;
  if (dwarf_attr_integrate (die, DW_AT_decl_file, &attr) == NULL ||
      dwarf_formudata (&attr, &idx) != 0)
    return;
  {
    FileTable *t = module_file_table (self, m, attr.cu);

    if (t->ok)
      *file = idx < t->n_names ? t->names[idx] : NULL;
    else
      *file = intern (self, dwarf_decl_file (die));
  }
}

static void
scope_node_resolve_decl (ScorchSymbolizer *self,
                         Module           *m,
                         ScopeNode        *n)
{
  if (n->decl_resolved)
    return;
  n->decl_resolved = TRUE;
  die_decl_location (self, m, &n->die, &n->decl_file, &n->decl_line);
}

/* The CU's own source file, for code whose subprogram DIE (if any) names
 * no file (assembly). */
static const char *
cu_source_file (ScorchSymbolizer *self,
                Dwarf_Die        *cu)
{
  Dwarf_Attribute attr;
  const char *name = dwarf_diename (cu);

  if (name == NULL)
    return NULL;
  return join_path (self, dwarf_formstring (dwarf_attr (cu, DW_AT_comp_dir, &attr)), name);
}

static int
cu_range_compare (gconstpointer pa,
                  gconstpointer pb)
{
  const CuRange *a = pa, *b = pb;

  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  return a->hi < b->hi ? -1 : (a->hi > b->hi);
}

/* The CU holding addr: libdw's lookup (through .debug_aranges), else our
 * own table of every CU's ranges, built once per module. */
static Dwarf_Die *
module_addrdie (Module     *m,
                Dwarf_Addr  addr,
                Dwarf_Addr *bias)
{
  Dwarf_Die *cu = dwfl_module_addrdie (m->mod, addr, bias);
  const CuRange *ranges;
  gsize lo, hi;

  if (cu != NULL)
    return cu;

  if (!m->cu_ranges_built)
    {
      Dwarf_Die *unit = NULL;
      Dwarf_Addr unit_bias = 0;

      m->cu_ranges_built = TRUE;
      m->cu_ranges = g_array_new (FALSE, FALSE, sizeof (CuRange));
      while ((unit = dwfl_module_nextcu (m->mod, unit, &unit_bias)) != NULL)
        {
          Dwarf_Addr base, start, end;
          ptrdiff_t off = 0;

          while ((off = dwarf_ranges (unit, off, &base, &start, &end)) > 0)
            {
              CuRange r = { start, end, unit_bias, *unit };

              if (end > start)
                g_array_append_val (m->cu_ranges, r);
            }
        }
      g_array_sort (m->cu_ranges, cu_range_compare);
    }

  if (m->cu_ranges->len == 0)
    return NULL;

  ranges = (const CuRange *) (gpointer) m->cu_ranges->data;
  /* bias is the same for every CU of a module */
  addr -= ranges[0].bias;
  lo = 0;
  hi = m->cu_ranges->len;
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (ranges[mid].lo <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  /* ranges may nest (a CU's overall range around another's): look back a little */
  for (gsize i = lo; i > 0 && lo - i < 16; i--)
    {
      CuRange *r = &g_array_index (m->cu_ranges, CuRange, i - 1);

      if (addr < r->hi)
        {
          *bias = r->bias;
          return &r->die;
        }
    }
  return NULL;
}

static guint
symbolize_dwarf_functions (ScorchSymbolizer *self,
                           Module           *m,
                           GElf_Addr         addr,
                           guint64           vaddr,
                           const char       *function,
                           ScorchSymbol     *chain)
{
  Dwarf_Addr cu_bias = 0;
  Dwarf_Die *cu;
  const char *file = NULL;
  guint line = 0;
  guint n = 0;

  cu = module_addrdie (m, addr, &cu_bias);
  if (cu != NULL)
    {
      CuIndex *ci = module_cu_index (m, cu);
      gint32 root = -1;
      gint32 node = cu_innermost_inlined (ci, addr - cu_bias, &root);

      while (node >= 0 && n < MAX_CHAIN - 1)
        {
          ScopeNode *s = &g_array_index (ci->nodes, ScopeNode, node);

          if (!s->inlined)
            break;
          scope_node_resolve_name (self, s);
          scope_node_resolve_decl (self, m, s);
          chain[n] = (ScorchSymbol) {
            .function = s->name,
            .module = m->path,
            .file = s->decl_file,
            .line = s->decl_line,
            .offset = vaddr,
            .kind = SCORCH_FRAME_KIND_INLINED,
          };
          n++;
          node = s->parent;
        }
      if (root >= 0)
        {
          ScopeNode *s = &g_array_index (ci->nodes, ScopeNode, root);

          scope_node_resolve_decl (self, m, s);
          file = s->decl_file;
          line = s->decl_line;
        }
      /* Assembly: no subprogram, or one without DW_AT_decl_file */
      if (file == NULL)
        file = cu_source_file (self, cu);
    }

  chain[n] = (ScorchSymbol) {
    .function = function,
    .module = m->path,
    .file = file,
    .line = line,
    .offset = vaddr,
    .kind = SCORCH_FRAME_KIND_USER,
  };
  return n + 1;
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
  Dwfl_Line *line;
  const char *cur_file = NULL;
  int cur_line = 0;
  guint n = 0;

  line = dwfl_module_getsrc (m->mod, addr);
  if (line != NULL)
    {
      const char *f = dwfl_lineinfo (line, NULL, &cur_line, NULL, NULL, NULL);
      cur_file = intern (self, f);
    }

  cu = module_addrdie (m, addr, &cu_bias);
  if (cu != NULL)
    {
      CuIndex *ci = module_cu_index (m, cu);
      gint32 root = -1;
      gint32 node = cu_innermost_inlined (ci, addr - cu_bias, &root);

      while (node >= 0 && n < MAX_CHAIN - 1)
        {
          ScopeNode *s = &g_array_index (ci->nodes, ScopeNode, node);

          if (!s->inlined)
            break;
          scope_node_resolve (self, ci, s);
          chain[n] = (ScorchSymbol) {
            .function = s->name,
            .module = m->path,
            .file = cur_file,
            .line = cur_line > 0 ? (guint) cur_line : 0,
            .offset = vaddr,
            .kind = SCORCH_FRAME_KIND_INLINED,
          };
          n++;

          /* The caller's position is where this scope was inlined. */
          cur_file = s->call_file;
          cur_line = (int) s->call_line;
          node = s->parent;
        }
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
  guint64 vaddr;
  FuncSym *f;

  if (m->state == MODULE_FAILED || !module_offset_to_vaddr (m, file_off, &vaddr))
    return unresolved (self, m->path, file_off, chain);

  addr = vaddr + m->bias;
  f = module_find_symbol (m, addr);
  if (f == NULL)
    return unresolved (self, m->path, vaddr, chain);

  if (self->line_mode == SCORCH_SYMBOLIZER_LINES_FUNCTION)
    return symbolize_dwarf_functions (self, m, addr, vaddr, func_sym_name (self, f), chain);
  return symbolize_dwarf (self, m, addr, vaddr, func_sym_name (self, f), chain);
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
  g_autoptr(GError) local_error = NULL;
  GArray *syms;
  char *line, *next;

  if (j != NULL)
    return j;

  j = g_new0 (JitMap, 1);
  g_hash_table_insert (self->jit_maps, GINT_TO_POINTER (pid), j);

  path = g_strdup_printf ("%s/perf-%d.map", self->jit_dir, (int) pid);
  if (!scorch_read_regular_file (path, MAX_JIT_MAP_SIZE, &contents, &len, &local_error))
    {
      /* No map is the normal case; anything else is worth saying. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        add_problem (self, "%s", local_error->message);
      return j;
    }

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
  FILE *f;
  GArray *syms;
  gboolean any_nonzero = FALSE;
  guint n_lines = 0;
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t len;
  const char *last_mod = NULL;
  char *vbuf;

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

  /* Streamed: /proc/kallsyms is ~10 MB of text for ~100k functions, and
   * only the few that samples hit get interned (on lookup). */
  {
    int kfd = scorch_open_regular_file (self->kallsyms_path, SCORCH_MAX_ELF_SIZE, NULL, NULL);

    f = kfd >= 0 ? fdopen (kfd, "r") : NULL;
    if (f == NULL && kfd >= 0)
      close (kfd);
  }
  if (f == NULL)
    {
      add_problem (self, _("Cannot read %s; kernel frames are shown as addresses"), self->kallsyms_path);
      return;
    }
  vbuf = g_malloc (256 * 1024);
  setvbuf (f, vbuf, _IOFBF, 256 * 1024);
  if (self->kstrings == NULL)
    self->kstrings = g_string_chunk_new (256 * 1024);

  syms = g_array_sized_new (FALSE, FALSE, sizeof (KernelSym), 64 * 1024);
  while ((len = getline (&line, &line_cap, f)) > 0)
    {
      KernelSym s;
      char *end, *name, *mod;
      char type;

      if (line[len - 1] == '\n')
        line[--len] = '\0';

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
          if (*mod == '\0')
            s.module = self->kernel_module;
          else if (last_mod != NULL && strcmp (last_mod, mod) == 0)
            s.module = last_mod;
          else
            s.module = last_mod = intern (self, mod);
        }
      else
        s.module = self->kernel_module;
      g_strchomp (name);
      if (*name == '\0')
        continue;
      s.name = g_string_chunk_insert (self->kstrings, name);
      g_array_append_val (syms, s);
    }
  free (line);
  fclose (f);
  g_free (vbuf);

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
          .function = intern (self, s->name),
          .module = s->module,
          .offset = ip - s->addr,
          .kind = SCORCH_FRAME_KIND_KERNEL,
        };
    }

  packed = store_chain (self, out, 1);
  addr_map_insert (&self->kcache, ip, packed);
  return 1;
}
