/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

/* The façade: modules (one per ELF file, opened through libdwfl from a
 * checked descriptor), the cache of answers per address, and the lookups.
 * The parts it calls on:
 *   scorch-elf-symbols.c   function symbols of a module, as perf picks them
 *   scorch-dwarf-inline.c  inline chains and their file:line
 *   scorch-line-table.c    .debug_line file tables, for decl_file
 *   scorch-debug-files.c   separate debug files, opened safely
 *   scorch-perf-map.c      JIT symbols from perf-PID.map
 *   scorch-kallsyms.c      kernel symbols */

#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <gelf.h>
#include <glib/gi18n.h>

#include "scorch-debug-files.h"
#include "scorch-demangle.h"
#include "scorch-dwarf-inline.h"
#include "scorch-host-path.h"
#include "scorch-perf-map.h"
#include "scorch-symbolizer-private.h"
#include "scorch-util.h"
#include "scorch-vdso.h"

#define MAX_CHAIN SCORCH_SYMBOLIZER_MAX_CHAIN

/* Address caches start with this many slots. */
#define CACHE_SIZE 256

/* Modules with fewer ELF symbols are parsed faster than a cache entry is
 * read and checked. */
#define DEFAULT_SYMBOL_CACHE_MIN 2000

/* What the kallsyms prefetch thread read, and from which path. */
typedef struct
{
  char                 *path;
  char                 *cache_dir;   /* NULL: not through the cache */
  ScorchKallsyms       *kallsyms;
  ScorchKallsymsStatus  status;
} KernelPrefetch;

static void
kernel_prefetch_free (KernelPrefetch *p)
{
  scorch_kallsyms_free (p->kallsyms);
  g_free (p->path);
  g_free (p->cache_dir);
  g_free (p);
}

/* The running kernel's symbols (kallsyms_path, not forced) go through
 * the persistent cache (scorch_kallsyms_load_cached()): reading
 * /proc/kallsyms is a fixed cost of every load. */
static ScorchKallsyms *
kallsyms_read (const char           *path,
               const char           *cache_dir,
               ScorchKallsymsStatus *status)
{
  g_autofree char *key = cache_dir != NULL ? scorch_kallsyms_dup_running_key () : NULL;

  return scorch_kallsyms_load_cached (path, cache_dir, key, status);
}

/* ------------------------------------------------------------------------ */
/* Module keys                                                              */

static void
module_free (gpointer p)
{
  Module *m = p;

  /* before dwfl_end: they point into libdw's data */
  _scorch_dwarf_inline_free (m->dw.dwarf);
  _scorch_symbolizer_answers_free (m->answers);
  if (m->syms_key != NULL)
    scorch_module_release_shared (m->file, m->syms_key);
  g_free (m->syms_key);
  g_free (m->sym_names);
  if (m->dwfl != NULL)
    dwfl_end (m->dwfl);
  scorch_debug_files_detach (&m->debug);
  g_clear_pointer (&m->file, scorch_module_unref);
  scorch_addr_map_clear (&m->cache);
  g_free (m);
}

/* ------------------------------------------------------------------------ */

static inline const char *
intern (ScorchSymbolizer *self,
        const char       *str)
{
  return _scorch_symbolizer_intern (self, str);
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

const char *
_scorch_symbolizer_demangle (ScorchSymbolizer *self,
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

static const char *
dwarf_demangle (gpointer    user_data,
                const char *name)
{
  return _scorch_symbolizer_demangle (user_data, name);
}

ScorchSymbolizer *
scorch_symbolizer_new (void)
{
  ScorchSymbolizer *self = g_new0 (ScorchSymbolizer, 1);

  self->strings = g_string_chunk_new (64 * 1024);
  self->dwarf_context.strings = self->strings;
  self->dwarf_context.demangle = dwarf_demangle;
  self->dwarf_context.demangle_data = self;
  self->modules = g_hash_table_new_full (scorch_module_key_hash, scorch_module_key_equal, module_free, NULL);
  self->demangled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->jit_maps = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) scorch_perf_map_free);
  self->problem_set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->problems = g_ptr_array_new ();
  self->chains = g_array_new (FALSE, FALSE, sizeof (ScorchSymbol));
  self->debuginfo_path = scorch_debug_files_dup_search_path (NULL);
  scorch_debug_files_init_callbacks (&self->callbacks, &self->debuginfo_path);
  self->kallsyms_path = g_strdup ("/proc/kallsyms");
  self->jit_dir = g_strdup ("/tmp");
  self->symbol_cache_dir = scorch_elf_symbols_dup_default_cache_dir ();
  self->symbol_cache_min = DEFAULT_SYMBOL_CACHE_MIN;
  scorch_addr_map_init (&self->kcache, CACHE_SIZE);
  self->unknown_module = intern (self, "[unknown]");
  self->kernel_module = intern (self, "[kernel.kallsyms]");
  return self;
}

void
scorch_symbolizer_free (ScorchSymbolizer *self)
{
  if (self == NULL)
    return;
  if (self->kernel_prefetch != NULL)
    kernel_prefetch_free (g_thread_join (g_steal_pointer (&self->kernel_prefetch)));
  scorch_symbolizer_save_cache (self);
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
  g_free (self->symbol_cache_dir);
  scorch_kallsyms_free (self->kallsyms);
  scorch_addr_map_clear (&self->kcache);
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
  self->dwarf_context.line_mode = mode;
  /* Cached user chains carry the other kind of file:line. */
  g_hash_table_iter_init (&iter, self->modules);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Module *m = key;

      scorch_addr_map_clear (&m->cache);
      scorch_addr_map_init (&m->cache, CACHE_SIZE);
      g_clear_pointer (&m->answers, _scorch_symbolizer_answers_free);
      m->answers_tried = FALSE;
    }
}

void
scorch_symbolizer_set_debug_dirs (ScorchSymbolizer   *self,
                                  const char * const *dirs)
{
  g_return_if_fail (self != NULL);
  g_free (self->debuginfo_path);
  self->debuginfo_path = scorch_debug_files_dup_search_path (dirs);
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

void
scorch_symbolizer_set_symbol_cache (ScorchSymbolizer *self,
                                    const char       *dir,
                                    guint             min_symbols)
{
  g_return_if_fail (self != NULL);
  g_free (self->symbol_cache_dir);
  self->symbol_cache_dir = g_strdup (dir);
  self->symbol_cache_min = min_symbols;
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
  g_autoptr(GError) local_error = NULL;
  Elf *elf;
  int fd;
  gboolean is_vdso = g_strcmp0 (m->path, "[vdso]") == 0;

  m->state = MODULE_FAILED;

  if (is_vdso)
    {
      if (!kernel_matches_running (self))
        return;
    }
  else if (!scorch_path_is_file_backed (m->path) || g_str_has_suffix (m->path, " (deleted)"))
    return;

  /* The module cache opens the file through scorch_open_regular_file():
   * a FIFO at a capture's path never blocks the load. */
  m->file = scorch_module_cache_open (scorch_module_cache_get_default (), m->path, &local_error);

  /* Inside a Flatpak, a host capture's file is under /run/host; the
   * runtime's copy of the same path (if any) is used only when its build
   * id is the recorded one. */
  if (!is_vdso && map->build_id != NULL && map->build_id_len > 0 &&
      (m->file == NULL || !scorch_module_matches_build_id (m->file, map->build_id, map->build_id_len)))
    {
      ScorchModule *host = scorch_host_path_open_module (m->path, map->build_id, map->build_id_len);

      /* perf's build-id caches and archives, .build-id links, debuginfod */
      if (host == NULL)
        host = scorch_debug_files_open_module_by_build_id (m->path, map->build_id, map->build_id_len);

      if (host != NULL)
        {
          g_clear_pointer (&m->file, scorch_module_unref);
          g_clear_error (&local_error);
          m->file = host;
        }
    }

  if (m->file == NULL)
    {
      if (is_vdso)
        return;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        add_problem (self, _("%s: file not found; its frames are shown as addresses"), m->path);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
        add_problem (self, _("%s: cannot read it as ELF (%s); its frames are shown as addresses"),
                     m->path, local_error->message);
      else
        add_problem (self, _("%s: cannot read it (%s); its frames are shown as addresses"),
                     m->path, local_error->message);
      return;
    }

  /* A binary replaced since the capture must not lend its names. */
  if (map->build_id != NULL && map->build_id_len > 0 && !is_vdso &&
      !scorch_module_matches_build_id (m->file, map->build_id, map->build_id_len))
    {
      guint id_len = 0;
      const guint8 *id = scorch_module_get_build_id (m->file, &id_len);
      g_autofree char *want = scorch_module_build_id_to_hex (map->build_id, map->build_id_len);
      g_autofree char *have = id != NULL ? scorch_module_build_id_to_hex (id, id_len) : g_strdup (_("none"));

      add_problem (self,
                   _("%s: the file changed since the capture (build id %s, recorded %s); "
                     "its frames are shown as addresses"),
                   m->path, have, want);
      g_clear_pointer (&m->file, scorch_module_unref);
      return;
    }

  /* libdwfl reads the module's descriptor (no second open of the path);
   * the Dwfl is ours, since libdw objects are not thread-safe. */
  fd = scorch_module_dup_fd (m->file);
  m->dwfl = fd >= 0 ? dwfl_begin (&self->callbacks) : NULL;
  if (m->dwfl == NULL)
    {
      if (fd >= 0)
        close (fd);
      g_clear_pointer (&m->file, scorch_module_unref);
      return;
    }
  dwfl_report_begin (m->dwfl);
  /* With add_p_vaddr the module sits at its own link-time addresses, so
   * ELF virtual addresses are dwfl addresses (plus the bias, normally 0).
   * libdwfl takes ownership of fd, but leaves it open on failure. */
  /* the file's own path: where --sysroot/--substitute-path found it, for
   * its .gnu_debuglink next to it */
  m->dw.mod = dwfl_report_elf (m->dwfl, m->path, scorch_module_get_path (m->file), fd, 0, true);
  dwfl_report_end (m->dwfl, NULL, NULL);
  if (m->dw.mod == NULL)
    close (fd);
  if (m->dw.mod != NULL)
    scorch_debug_files_attach (&m->debug, m->dw.mod, &self->debuginfo_path, m->file);
  elf = m->dw.mod != NULL ? dwfl_module_getelf (m->dw.mod, &m->bias) : NULL;
  if (elf == NULL)
    {
      add_problem (self, _("%s: cannot read it as ELF (%s); its frames are shown as addresses"),
                   m->path, dwfl_errmsg (-1));
      g_clear_pointer (&m->dwfl, dwfl_end);
      scorch_debug_files_detach (&m->debug);
      g_clear_pointer (&m->file, scorch_module_unref);
      m->dw.mod = NULL;
      return;
    }

  m->has_symbols = dwfl_module_getsymtab (m->dw.mod) > 0;
  if (!m->has_symbols)
    add_problem (self, _("%s: no symbol table; its frames are shown as addresses"), m->path);

  m->state = MODULE_OK;
}

static Module *
module_for_mapping (ScorchSymbolizer    *self,
                    const ScorchMapping *map)
{
  ScorchModuleKey key;
  Module *m;
  const char *path = map->path != NULL ? map->path : "";

  if (self->last_map == map && self->last_module != NULL &&
      self->last_map_copy.start == map->start &&
      self->last_map_copy.ino == map->ino &&
      self->last_map_copy.path == map->path &&
      self->last_map_copy.build_id == map->build_id)
    return self->last_module;

  scorch_module_key_init (&key, path, map->build_id, map->build_id_len, map->maj, map->min,
                          map->ino);
  m = g_hash_table_lookup (self->modules, &key);
  if (m == NULL)
    {
      m = g_new0 (Module, 1);
      m->key = key;
      m->path = intern (self, path);
      m->key.path = m->path;
      m->dw.path = m->path;
      m->state = MODULE_UNOPENED;
      scorch_addr_map_init (&m->cache, CACHE_SIZE);
      g_hash_table_add (self->modules, m);
    }

  self->last_map = map;
  self->last_map_copy = *map;
  self->last_module = m;
  return m;
}

/* The demangled name of an ELF symbol, made on its first use (the table
 * is shared by every symbolizer; the names are interned in ours). */
static const char *
func_sym_name (ScorchSymbolizer      *self,
               Module                *m,
               const ScorchElfSymbol *f)
{
  gsize i = scorch_elf_symbols_get_index (m->syms, f);
  const char *at;

  if (m->sym_names == NULL)
    m->sym_names = g_new0 (const char *, MAX (scorch_elf_symbols_get_size (m->syms), 1));
  if (m->sym_names[i] != NULL)
    return m->sym_names[i];
  /* .symtab names may carry their version ("memcpy@@GLIBC_2.14") */
  at = strchr (f->raw, '@');
  if (at != NULL && at != f->raw)
    {
      g_autofree char *plain = g_strndup (f->raw, at - f->raw);

      m->sym_names[i] = _scorch_symbolizer_demangle (self, plain);
    }
  else
    {
      m->sym_names[i] = _scorch_symbolizer_demangle (self, f->raw);
    }
  return m->sym_names[i];
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

/* What module_symbols_build() reads with: the first symbolizer's own
 * Dwfl (libdw is not thread-safe) and cache settings */
typedef struct
{
  ScorchSymbolizer *self;
  Module           *m;
  const char       *source;      /* NULL: not through the persistent cache */
} SymbolsBuild;

/* The module's function symbols: from the persistent cache when it holds
 * a current entry for the build id, else parsed (and saved for a large
 * module). */
static gpointer
module_symbols_build (ScorchModule *file,
                      gpointer      user_data)
{
  SymbolsBuild *b = user_data;
  g_autoptr(GError) local_error = NULL;
  ScorchElfSymbolsCacheKey key = { 0 };
  ScorchElfSymbols *syms;

  if (b->source == NULL)
    return scorch_elf_symbols_new (b->m->dw.mod);
  key.dir = b->self->symbol_cache_dir;
  key.build_id = scorch_module_get_build_id (file, &key.build_id_len);
  key.source = b->source;
  key.bias = b->m->bias;
  syms = scorch_elf_symbols_load_cached (&key, &local_error);
  if (syms != NULL)
    return syms;
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("symbol cache: %s (rewritten)", local_error->message);
  g_clear_error (&local_error);

  syms = scorch_elf_symbols_new (b->m->dw.mod);
  if (!scorch_elf_symbols_save_cached (syms, &key, &local_error))
    g_debug ("symbol cache: %s", local_error->message);
  return syms;
}

/* The module's symbol table, shared with every symbolizer that reads the
 * same file the same way at the same time: the key is where libdwfl read
 * the table (the file's own tables or a separate debug file, and how many
 * symbols), the bias, and the persistent cache it goes through -- so a
 * table is made once per load, and a later load with other settings (or
 * after a debug file was installed) makes its own, as it did alone. */
static ScorchElfSymbols *
module_symbols (ScorchSymbolizer *self,
                Module           *m)
{
  g_autofree char *source = NULL;
  const char *debugfile = NULL;
  const guint8 *id;
  guint id_len = 0;
  gboolean cached;
  SymbolsBuild b;
  int n_raw;

  id = scorch_module_get_build_id (m->file, &id_len);
  n_raw = dwfl_module_getsymtab (m->dw.mod);
  cached = self->symbol_cache_dir != NULL && id != NULL && n_raw >= 0 &&
           (guint) n_raw >= self->symbol_cache_min;

  /* The table depends on where libdwfl read it: the file's own tables or
   * a separate debug file (one installed since makes the entry stale). */
  dwfl_module_info (m->dw.mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
  source = g_strdup_printf ("%s#%d", debugfile != NULL ? debugfile : "", n_raw);
  g_free (m->syms_key);
  m->syms_key = g_strdup_printf ("scorch-elf-symbols\n%s\n%" G_GUINT64_FORMAT "\n%s", source,
                                 (guint64) m->bias, cached ? self->symbol_cache_dir : "");
  b.self = self;
  b.m = m;
  b.source = cached ? source : NULL;
  return scorch_module_acquire_shared (m->file, m->syms_key, module_symbols_build, &b,
                                       (GDestroyNotify) scorch_elf_symbols_free);
}

/* The entry of the module's answers: its build id (NULL when it has
 * none) and file, with the symbolizer's cache directory, line mode and
 * debug search path. */
static ScorchSymbolizerAnswersKey
module_answers_key (ScorchSymbolizer *self,
                    Module           *m)
{
  ScorchSymbolizerAnswersKey key = {
    .dir = self->symbol_cache_dir,
    .line_mode = self->line_mode,
    .module_path = scorch_module_get_path (m->file),
    .search_path = self->debuginfo_path,
  };

  key.build_id = scorch_module_get_build_id (m->file, &key.build_id_len);
  return key;
}

/* The module's answers from an earlier load (scorch-symbolizer-answers.h):
 * kept with the persistent symbol cache, for modules with a build id. */
static void
module_answers_load (ScorchSymbolizer *self,
                     Module           *m)
{
  g_autoptr(GError) local_error = NULL;
  ScorchSymbolizerAnswersKey key;

  m->answers_tried = TRUE;
  if (self->symbol_cache_dir == NULL || m->state != MODULE_OK)
    return;
  key = module_answers_key (self, m);
  if (key.build_id == NULL || key.build_id_len == 0)
    return;
  m->answers = _scorch_symbolizer_answers_new ();
  if (!_scorch_symbolizer_answers_load (m->answers, &key, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_debug ("answer cache: %s (rewritten)", local_error->message);
}

/* Saves the answers made from DWARF since the load. */
static void
module_answers_save (ScorchSymbolizer *self,
                     Module           *m)
{
  g_autoptr(GError) local_error = NULL;
  const char *debugfile = NULL;
  ScorchSymbolizerAnswersKey key;
  GElf_Addr bias;

  if (m->answers == NULL || _scorch_symbolizer_answers_get_n_new (m->answers) == 0 ||
      !m->dwarf_used || self->symbol_cache_dir == NULL)
    return;
  /* without DWARF the answers are cheap to make again, and a debug file
   * installed later must not be hidden by them */
  if (dwfl_module_getdwarf (m->dw.mod, &bias) == NULL)
    return;
  dwfl_module_info (m->dw.mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
  key = module_answers_key (self, m);
  if (!_scorch_symbolizer_answers_save (m->answers, &key, debugfile, &local_error))
    g_debug ("answer cache: %s", local_error->message);
}

void
scorch_symbolizer_save_cache (ScorchSymbolizer *self)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (self != NULL);

  g_hash_table_iter_init (&iter, self->modules);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Module *m = key;

      module_answers_save (self, m);
      /* saved once */
      g_clear_pointer (&m->answers, _scorch_symbolizer_answers_free);
    }
}

guint
scorch_symbolizer_get_n_cached_answers (ScorchSymbolizer *self)
{
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_hash_table_iter_init (&iter, self->modules);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Module *m = key;

      if (m->answers != NULL)
        n += _scorch_symbolizer_answers_get_n_hits (m->answers);
    }
  return n;
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
  const ScorchElfSymbol *f;
  guint n;

  if (m->state == MODULE_FAILED || !scorch_module_offset_to_vaddr (m->file, file_off, &vaddr))
    return unresolved (self, m->path, file_off, chain);

  if (!m->answers_tried)
    module_answers_load (self, m);
  if (m->answers != NULL && (n = _scorch_symbolizer_answers_lookup (m->answers, file_off, chain)) > 0)
    {
      for (guint i = 0; i < n; i++)
        {
          chain[i].function = intern (self, chain[i].function);
          chain[i].file = intern (self, chain[i].file);
          chain[i].module = m->path;
        }
      return n;
    }

  addr = vaddr + m->bias;
  if (m->syms == NULL)
    m->syms = module_symbols (self, m);
  f = scorch_elf_symbols_lookup (m->syms, addr);
  if (f == NULL)
    n = unresolved (self, m->path, vaddr, chain);
  else
    {
      n = _scorch_dwarf_inline_chain (&self->dwarf_context, &m->dw, addr, vaddr, func_sym_name (self, m, f), chain);
      m->dwarf_used = TRUE;
    }
  if (m->answers != NULL)
    {
      /* only chains of this module's own frames are stored */
      for (guint i = 0; i < n; i++)
        if (chain[i].module != m->path)
          return n;
      _scorch_symbolizer_answers_add (m->answers, file_off, chain, n);
    }
  return n;
}

/* ------------------------------------------------------------------------ */
/* JIT maps                                                                 */

static ScorchPerfMap *
perf_map_for_pid (ScorchSymbolizer *self,
                  gint32            pid)
{
  ScorchPerfMap *j = g_hash_table_lookup (self->jit_maps, GINT_TO_POINTER (pid));
  g_autofree char *path = NULL;
  g_autoptr(GError) local_error = NULL;

  if (j != NULL)
    return j;

  path = g_strdup_printf ("%s/perf-%d.map", self->jit_dir, (int) pid);
  j = scorch_perf_map_load (path, &local_error);
  if (j == NULL)
    {
      /* No map is the normal case; anything else is worth saying. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        add_problem (self, "%s", local_error->message);
      j = scorch_perf_map_new ();
    }
  g_hash_table_insert (self->jit_maps, GINT_TO_POINTER (pid), j);
  return j;
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
      ScorchPerfMapSymbol *s = scorch_perf_map_lookup (perf_map_for_pid (self, pid), ip);

      if (s != NULL)
        {
          if (s->name == NULL)
            s->name = _scorch_symbolizer_demangle (self, s->raw);
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
  if (scorch_addr_map_lookup (&m->cache, 0, file_off, &packed))
    return copy_chain (self, packed, out, max);

  n = module_symbolize (self, m, file_off, chain);
  packed = store_chain (self, chain, n);
  scorch_addr_map_insert (&m->cache, 0, file_off, packed);
  return copy_chain (self, packed, out, max);
}
/* ------------------------------------------------------------------------ */
/* Kernel                                                                   */

static gpointer
kernel_prefetch_thread (gpointer data)
{
  KernelPrefetch *p = data;

  p->kallsyms = kallsyms_read (p->path, p->cache_dir, &p->status);
  return p;
}

void
scorch_symbolizer_prefetch_kernel (ScorchSymbolizer *self)
{
  KernelPrefetch *p;

  g_return_if_fail (self != NULL);

  /* /proc/kallsyms is ~10 MB of text the kernel formats line by line:
   * a fixed cost of every load that the second CPU can take while this
   * one reads the capture. */
  if (self->kernel_loaded || self->kernel_prefetch != NULL ||
      (!self->kallsyms_forced && !kernel_matches_running (self)))
    return;
  p = g_new0 (KernelPrefetch, 1);
  p->path = g_strdup (self->kallsyms_path);
  p->cache_dir = !self->kallsyms_forced ? g_strdup (self->symbol_cache_dir) : NULL;
  self->kernel_prefetch = g_thread_try_new ("scorch-kallsyms", kernel_prefetch_thread, p, NULL);
  if (self->kernel_prefetch == NULL)
    {
      g_free (p->path);
      g_free (p);
    }
}

/* The prefetched table when it was read from path; NULL (and nothing
 * left behind) otherwise. */
static KernelPrefetch *
kernel_prefetch_join (ScorchSymbolizer *self)
{
  KernelPrefetch *p;

  if (self->kernel_prefetch == NULL)
    return NULL;
  p = g_thread_join (g_steal_pointer (&self->kernel_prefetch));
  if (g_strcmp0 (p->path, self->kallsyms_path) == 0)
    return p;
  kernel_prefetch_free (p);
  return NULL;
}

static void
kernel_load (ScorchSymbolizer *self)
{
  ScorchKallsymsStatus status;
  KernelPrefetch *prefetched = kernel_prefetch_join (self);

  self->kernel_loaded = TRUE;
  g_clear_pointer (&self->kallsyms, scorch_kallsyms_free);

  if (!self->kallsyms_forced && !kernel_matches_running (self))
    {
      if (prefetched != NULL)
        kernel_prefetch_free (prefetched);
      add_problem (self,
                   _("The capture comes from another kernel (%s); kernel frames are shown as addresses"),
                   self->kernel_release != NULL ? self->kernel_release : _("unknown release"));
      return;
    }

  if (prefetched != NULL)
    {
      self->kallsyms = g_steal_pointer (&prefetched->kallsyms);
      status = prefetched->status;
      kernel_prefetch_free (prefetched);
    }
  else
    self->kallsyms = kallsyms_read (self->kallsyms_path,
                                    !self->kallsyms_forced ? self->symbol_cache_dir : NULL, &status);
  switch (status)
    {
    case SCORCH_KALLSYMS_OK:
      break;
    case SCORCH_KALLSYMS_UNREADABLE:
      add_problem (self, _("Cannot read %s; kernel frames are shown as addresses"), self->kallsyms_path);
      break;
    case SCORCH_KALLSYMS_HIDDEN:
      add_problem (self,
                   _("Kernel symbol addresses are hidden (%s shows only zeros): "
                     "kernel frames are shown as addresses. Set "
                     "/proc/sys/kernel/kptr_restrict to 0, or load as root"),
                   self->kallsyms_path);
      break;
    case SCORCH_KALLSYMS_EMPTY:
    default:
      add_problem (self, _("%s has no kernel symbols; kernel frames are shown as addresses"),
                   self->kallsyms_path);
      break;
    }
}

guint
scorch_symbolizer_lookup_kernel (ScorchSymbolizer *self,
                                 guint64           ip,
                                 ScorchSymbol     *out,
                                 guint             max)
{
  guint64 packed;
  const ScorchKernelSymbol *s;

  g_return_val_if_fail (self != NULL, 0);

  if (max == 0)
    return 0;

  if (!self->kernel_loaded)
    kernel_load (self);

  if (self->kallsyms == NULL)
    return unresolved (self, self->kernel_module, ip, out);

  if (scorch_addr_map_lookup (&self->kcache, 0, ip, &packed))
    return copy_chain (self, packed, out, max);

  s = scorch_kallsyms_lookup (self->kallsyms, ip);
  if (s == NULL)
    unresolved (self, self->kernel_module, ip, out);
  else
    out[0] = (ScorchSymbol) {
      .function = intern (self, s->name),
      .module = s->module != NULL ? intern (self, s->module) : self->kernel_module,
      .offset = ip - s->addr,
      .kind = SCORCH_FRAME_KIND_KERNEL,
    };

  packed = store_chain (self, out, 1);
  scorch_addr_map_insert (&self->kcache, 0, ip, packed);
  return 1;
}
