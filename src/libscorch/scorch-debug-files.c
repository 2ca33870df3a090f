/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <glib/gi18n.h>

#include "scorch-debug-files.h"
#include "scorch-module.h"
#include "scorch-symbol-paths.h"
#include "scorch-util.h"

char *
scorch_debug_files_dup_search_path (const char * const *dirs)
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
  return g_string_free (s, FALSE);
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
  g_autofree char *hex = NULL;

  if (len < 2 || len > 64)
    return NULL;
  hex = scorch_hex_encode (id, (gsize) len);
  /* .build-id/xx/yyyy….debug: the first byte names the directory */
  return g_strdup_printf ("%s/.build-id/%.2s/%s.debug", dir, hex, hex + 2);
}

/* One question of libdwfl's: the debug file of file_name, named by its
 * .gnu_debuglink (debuglink_file and its CRC; NULL: none), or with is_alt
 * the dwz file a debug file's .gnu_debugaltlink names.  id (id_len <= 0:
 * none) is the build id a candidate must have; main_st the main file's
 * (NULL when unknown), which a candidate must not be again. */
typedef struct
{
  const char        *file_name;
  const char        *debuglink_file;
  guint32            debuglink_crc;
  gboolean           is_alt;
  const struct stat *main_st;
  const guint8      *id;
  gssize             id_len;
} DebugQuery;

/* The separate debug file (build-id tree, then .gnu_debuglink in the
 * file's directory, its .debug subdirectory and DIR/<file's directory>),
 * or the dwz file; the order and places are libdwfl's standard ones. */
static int
find_debug_in_dirs (const char        *debuginfo_path,
                    const DebugQuery  *q,
                    char             **debuginfo_file_name)
{
  g_auto(GStrv) dirs = g_strsplit (debuginfo_path != NULL ? debuginfo_path : ":.debug:/usr/lib/debug", ":", -1);
  const char *file_name = q->file_name;
  g_autofree char *file_dir = file_name != NULL ? g_path_get_dirname (file_name) : NULL;
  const char *link = q->debuglink_file;
  guint32 link_crc = q->debuglink_crc;
  gboolean is_alt = q->is_alt;
  const guint8 *id = q->id;
  gssize id_len = q->id_len;
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
        fd = open_debug_candidate (fname, q->main_st, id, id_len, pass == 0 ? 0 : link_crc,
                                   debuginfo_file_name);
        if (fd >= 0)
          return fd;
      }
  return -1;
}

/* Whether the ELF file at fd has what a debug file is for: a .symtab or
 * DWARF (a stripped copy has neither) */
static gboolean
has_symbols_or_dwarf (int fd)
{
  Elf *elf = elf_begin (fd, ELF_C_READ_MMAP, NULL);
  Elf_Scn *scn = NULL;
  size_t shstrndx;
  gboolean found = FALSE;

  if (elf == NULL)
    return FALSE;
  if (elf_getshdrstrndx (elf, &shstrndx) == 0)
    while (!found && (scn = elf_nextscn (elf, scn)) != NULL)
      {
        GElf_Shdr shdr;
        const char *name;

        if (gelf_getshdr (scn, &shdr) == NULL)
          continue;
        name = elf_strptr (elf, shstrndx, shdr.sh_name);
        found = shdr.sh_type == SHT_SYMTAB ||
                (shdr.sh_type == SHT_PROGBITS && name != NULL && strcmp (name, ".debug_info") == 0);
      }
  elf_end (elf);
  return found;
}

/* perf's build-id cache (~/.debug, and extracted perf archives) keeps
 * each binary as perf record saw it, and a debug file beside it when
 * perf found one: when the binary was stripped since (or the capture
 * names an installed, stripped copy of a binary recorded unstripped),
 * perf report names its functions from there, and so does Scorch. A
 * cached copy without symbols or DWARF is no debug file. */
static int
find_debug_in_build_id_cache (const DebugQuery  *q,
                              char             **debuginfo_file_name)
{
  g_auto(GStrv) roots = NULL;
  g_autofree char *hex = NULL;

  if (q->is_alt || q->id == NULL || q->id_len < 2 || q->id_len > 64)
    return -1;
  hex = scorch_hex_encode (q->id, (gsize) q->id_len);
  roots = scorch_symbol_paths_dup_build_id_roots ();
  for (guint r = 0; roots[r] != NULL; r++)
    for (guint k = 0; k < 2; k++)
      {
        g_autofree char *fname = g_strdup_printf ("%s/.build-id/%.2s/%s/%s", roots[r], hex, hex + 2,
                                                  k == 0 ? "debug" : "elf");
        int fd = open_debug_candidate (fname, q->main_st, q->id, q->id_len, 0, debuginfo_file_name);

        if (fd < 0)
          continue;
        if (has_symbols_or_dwarf (fd))
          return fd;
        close (fd);
        g_clear_pointer (debuginfo_file_name, free);
      }
  return -1;
}

#if HAVE_DEBUGINFOD
static ScorchDebuginfod debuginfod_fns;
static char *debuginfod_error;

static gpointer
load_debuginfod (gpointer data)
{
  /* RTLD_LOCAL: its symbols stay out of the global scope (libdw's own
   * dlopen of the same library gets the same handle) */
  void *lib = dlopen (SCORCH_DEBUGINFOD_SONAME, RTLD_NOW | RTLD_LOCAL);
  void **slots[] = {
    (void **) &debuginfod_fns.begin, (void **) &debuginfod_fns.end,
    (void **) &debuginfod_fns.find_debuginfo, (void **) &debuginfod_fns.find_executable,
    (void **) &debuginfod_fns.find_source,
  };
  const char *names[] = {
    "debuginfod_begin", "debuginfod_end", "debuginfod_find_debuginfo",
    "debuginfod_find_executable", "debuginfod_find_source",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (slots) == G_N_ELEMENTS (names));
  if (lib == NULL)
    {
      debuginfod_error = g_strdup (dlerror ());
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    if ((*slots[i] = dlsym (lib, names[i])) == NULL)
      {
        const char *why = dlerror ();

        debuginfod_error = g_strdup (why != NULL ? why : names[i]);
        dlclose (lib);
        memset (&debuginfod_fns, 0, sizeof debuginfod_fns);
        return NULL;
      }
  return &debuginfod_fns;
}

const ScorchDebuginfod *
scorch_debuginfod_get (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  const ScorchDebuginfod *fns = g_once (&once, load_debuginfod, NULL);

  if (fns == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 _("debuginfod support is not available: %s"), debuginfod_error);
  return fns;
}

/* The client of one request, or NULL; says once why when the library
 * cannot be loaded although DEBUGINFOD_URLS asks for it. */
static debuginfod_client *
begin_debuginfod (const ScorchDebuginfod **fns)
{
  static gsize told;
  g_autoptr(GError) error = NULL;

  if ((*fns = scorch_debuginfod_get (&error)) == NULL)
    {
      if (g_once_init_enter (&told))
        {
          g_message ("%s", error->message);
          g_once_init_leave (&told, 1);
        }
      return NULL;
    }
  return (*fns)->begin ();
}

/* The parallel loader's workers may ask for the same build id at once:
 * two debuginfod clients downloading one file into the shared client cache
 * at the same time can make one of them fail (a DWARF capture then lost
 * the callers of some samples). One request at a time; the later ones are
 * answered from the client cache. */
static GMutex debuginfod_lock;

static int
find_debug_debuginfod (const guint8  *id,
                       gssize         id_len,
                       char         **debuginfo_file_name)
{
  const char *urls = g_getenv ("DEBUGINFOD_URLS");
  const ScorchDebuginfod *fns;
  debuginfod_client *client;
  struct stat st;
  char *path = NULL;
  int fd;

  if (urls == NULL || urls[0] == '\0' || id_len <= 0)
    return -1;
  client = begin_debuginfod (&fns);
  if (client == NULL)
    return -1;
  g_mutex_lock (&debuginfod_lock);
  fd = fns->find_debuginfo (client, id, (int) id_len, &path);
  g_mutex_unlock (&debuginfod_lock);
  fns->end (client);
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

/* ---- what was found, shared by the Dwfls of one file -------------------
 * A separate debug file is searched for once per (file, search path)
 * while some Dwfl of the file is attached: the search opens and checks
 * candidates (build id, or the CRC of a whole debug file), and may ask
 * debuginfod. */

typedef struct
{
  char         *path;    /* the name libdwfl is given; NULL: none found */
  ScorchModule *file;    /* the debug file, mapped and build id read once */
} Found;

typedef struct
{
  GMutex      lock;      /* held while searching: one search per query */
  char       *search_path;
  GHashTable *found;     /* query -> Found* */
} Memo;

static guint n_searches;

static void
found_free (gpointer p)
{
  Found *f = p;

  g_clear_pointer (&f->file, scorch_module_unref);
  g_free (f->path);
  g_free (f);
}

static void
memo_free (gpointer p)
{
  Memo *memo = p;

  g_hash_table_destroy (memo->found);
  g_free (memo->search_path);
  g_mutex_clear (&memo->lock);
  g_free (memo);
}

static gpointer
memo_new (ScorchModule *file,
          gpointer      user_data)
{
  Memo *memo = g_new0 (Memo, 1);

  g_mutex_init (&memo->lock);
  memo->search_path = g_strdup (user_data);
  memo->found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, found_free);
  return memo;
}

guint
scorch_debug_files_get_n_searches (void)
{
  return g_atomic_int_get (&n_searches);
}

/* The search itself: the dirs of debuginfo_path, the symlink's target's
 * name, debuginfod. */
static int
search_debuginfo (const char        *debuginfo_path,
                  const DebugQuery  *q,
                  char             **debuginfo_file_name)
{
  int fd;

  g_atomic_int_inc (&n_searches);
  fd = find_debug_in_dirs (debuginfo_path, q, debuginfo_file_name);
  if (fd < 0 && q->file_name != NULL && !q->is_alt)
    {
      /* A symlink's debug file may go by its target's name. */
      g_autofree char *canon = realpath (q->file_name, NULL);

      if (canon != NULL && strcmp (canon, q->file_name) != 0)
        {
          DebugQuery by_target = *q;

          by_target.file_name = canon;
          fd = find_debug_in_dirs (debuginfo_path, &by_target, debuginfo_file_name);
        }
    }
  if (fd < 0)
    fd = find_debug_in_build_id_cache (q, debuginfo_file_name);
#if HAVE_DEBUGINFOD
  if (fd < 0)
    fd = find_debug_debuginfod (q->id, q->id_len, debuginfo_file_name);
#endif
  return fd;
}

/* Everything the answer depends on besides the search path (the memo's)
 * and the main file (the memo's module) */
static char *
query_key (const DebugQuery *q)
{
  g_autofree char *hex = q->id != NULL && q->id_len > 0 ? scorch_hex_encode (q->id, (gsize) q->id_len) : NULL;

  return g_strdup_printf ("%d\n%s\n%s\n%08x\n%s", q->is_alt, q->file_name != NULL ? q->file_name : "",
                          q->debuglink_file != NULL ? q->debuglink_file : "", (guint) q->debuglink_crc,
                          hex != NULL ? hex : "");
}

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
  ScorchDebugFilesModule *dm = *userdata;
  DebugQuery q = { file_name, debuglink_file, debuglink_crc, FALSE, NULL, NULL, 0 };
  const char *main_link = NULL;
  const unsigned char *id = NULL;
  const void *alt_id = NULL;
  gssize id_len = 0;
  gboolean is_alt = FALSE;
  struct stat main_st;
  const char *mainfile = NULL;
  GElf_Addr vaddr;
  Dwarf_Addr bias;
  Elf *main_elf;
  Memo *memo;
  g_autofree char *key = NULL;
  Found *found;
  int fd;

  *debuginfo_file_name = NULL;
  if (dm == NULL || dm->debuginfo_path == NULL)
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
    q.main_st = &main_st;
  q.is_alt = is_alt;
  q.id = id;
  q.id_len = id_len;

  /* the search path changed since attaching: a search of our own */
  memo = dm->memo;
  if (memo == NULL || g_strcmp0 (memo->search_path, *dm->debuginfo_path) != 0)
    {
      fd = search_debuginfo (*dm->debuginfo_path, &q, debuginfo_file_name);
      errno = 0;
      return fd;
    }

  key = query_key (&q);
  scorch_mutex_lock (&memo->lock);
  found = g_hash_table_lookup (memo->found, key);
  if (found != NULL && found->file == NULL)
    {
      /* searched for, none found */
      scorch_mutex_unlock (&memo->lock);
      errno = 0;
      return -1;
    }
  if (found != NULL)
    {
      /* found before: the same file again (refused when replaced since) */
      fd = scorch_module_dup_fd (found->file);
      if (fd >= 0)
        {
          *debuginfo_file_name = strdup (found->path); /* libdwfl frees it with free() */
          scorch_mutex_unlock (&memo->lock);
          errno = 0;
          return fd;
        }
    }

  fd = search_debuginfo (*dm->debuginfo_path, &q, debuginfo_file_name);
  found = g_new0 (Found, 1);
  if (fd >= 0)
    {
      /* the file just checked (the descriptor is libdwfl's): a module of
       * its own, which later Dwfls get a new descriptor of */
      found->file = scorch_module_cache_open_exact (scorch_module_cache_get_default (),
                                                    *debuginfo_file_name, NULL);
      found->path = g_strdup (*debuginfo_file_name);
    }
  if (fd < 0 || found->file != NULL)
    g_hash_table_replace (memo->found, g_strdup (key), found);
  else
    found_free (found);   /* cannot be kept: the next Dwfl searches again */
  scorch_mutex_unlock (&memo->lock);
  errno = 0;
  return fd;
}

void
scorch_debug_files_init_callbacks (Dwfl_Callbacks  *callbacks,
                                   char           **debuginfo_path)
{
  memset (callbacks, 0, sizeof *callbacks);
  callbacks->find_elf = find_elf_none;
  callbacks->find_debuginfo = find_debuginfo_checked;
  callbacks->section_address = dwfl_offline_section_address;
  callbacks->debuginfo_path = debuginfo_path;
}

void
scorch_debug_files_attach (ScorchDebugFilesModule  *dm,
                           Dwfl_Module             *mod,
                           char                   **debuginfo_path,
                           ScorchModule            *file)
{
  void **userdata = NULL;

  g_return_if_fail (dm != NULL && mod != NULL && debuginfo_path != NULL && file != NULL);

  memset (dm, 0, sizeof *dm);
  dm->debuginfo_path = debuginfo_path;
  dm->file = file;
  dm->memo_key = g_strconcat ("scorch-debug-files\n", *debuginfo_path != NULL ? *debuginfo_path : "", NULL);
  dm->memo = scorch_module_acquire_shared (file, dm->memo_key, memo_new, *debuginfo_path, memo_free);
  /* For find_debuginfo_checked(). */
  dwfl_module_info (mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
  if (userdata != NULL)
    *userdata = dm;
}

void
scorch_debug_files_detach (ScorchDebugFilesModule *dm)
{
  g_return_if_fail (dm != NULL);

  if (dm->memo_key != NULL)
    scorch_module_release_shared (dm->file, dm->memo_key);
  g_clear_pointer (&dm->memo_key, g_free);
  dm->memo = NULL;
  dm->file = NULL;
}

/* perf writes build ids padded with zeros (to 24 bytes in the header's
 * table); the cache's names use the id itself (20 bytes for SHA-1). */
static char *
build_id_hex (const guint8 *id,
              guint         len)
{
  while (len > 20 && id[len - 1] == 0)
    len--;
  return scorch_hex_encode (id, len);
}

static ScorchModule *
open_if_build_id (const char   *candidate,
                  const guint8 *id,
                  guint         id_len)
{
  ScorchModule *m;

  if (candidate == NULL)
    return NULL;
  /* the module cache opens it through scorch_open_regular_file() */
  m = scorch_module_cache_open (scorch_module_cache_get_default (), candidate, NULL);
  if (m == NULL)
    return NULL;
  if (!scorch_module_matches_build_id (m, id, id_len))
    {
      scorch_module_unref (m);
      return NULL;
    }
  g_debug ("found by build id: %s", candidate);
  return m;
}

#if HAVE_DEBUGINFOD
static ScorchModule *
open_debuginfod_executable (const guint8 *id,
                            guint         id_len)
{
  const char *urls = g_getenv ("DEBUGINFOD_URLS");
  const ScorchDebuginfod *fns;
  debuginfod_client *client;
  ScorchModule *m = NULL;
  char *path = NULL;
  int fd;

  if (urls == NULL || urls[0] == '\0' || id_len == 0)
    return NULL;
  client = begin_debuginfod (&fns);
  if (client == NULL)
    return NULL;
  while (id_len > 20 && id[id_len - 1] == 0)
    id_len--;
  g_mutex_lock (&debuginfod_lock);
  fd = fns->find_executable (client, id, (int) id_len, &path);
  g_mutex_unlock (&debuginfod_lock);
  fns->end (client);
  if (fd >= 0)
    {
      close (fd);
      m = open_if_build_id (path, id, id_len);
    }
  free (path);
  return m;
}
#endif

ScorchModule *
scorch_debug_files_open_module_by_build_id (const char   *path,
                                            const guint8 *id,
                                            guint         id_len)
{
  g_autofree char *hex = NULL;
  g_auto(GStrv) roots = NULL;
  g_autoptr(ScorchSymbolPaths) paths = NULL;
  const char * const *debug_dirs;
  static const char * const default_debug_dirs[] = { "/usr/lib/debug", NULL };
  gboolean plain_path;
  ScorchModule *m;

  if (id == NULL || id_len == 0)
    return NULL;
  hex = build_id_hex (id, id_len);
  if (strlen (hex) < 4)
    return NULL;
  /* a capture's path is untrusted: it must not climb out of a root */
  plain_path = path != NULL && path[0] == '/' && strstr (path, "/../") == NULL && !g_str_has_suffix (path, "/..");

  /* perf's build-id caches and extracted perf archives */
  roots = scorch_symbol_paths_dup_build_id_roots ();
  for (guint r = 0; roots[r] != NULL; r++)
    {
      g_autofree char *by_path = plain_path ? g_strconcat (roots[r], path, "/", hex, "/elf", NULL) : NULL;
      g_autofree char *by_link = g_strdup_printf ("%s/.build-id/%.2s/%s/elf", roots[r], hex, hex + 2);

      if ((m = open_if_build_id (by_path, id, id_len)) != NULL ||
          (m = open_if_build_id (by_link, id, id_len)) != NULL)
        return m;
    }

  /* debug dirs: .build-id/xx/yyyy links to the binary itself (beside
   * yyyy.debug, as Fedora's debuginfo packages and
   * `eu-unstrip`/`debugedit` trees lay them out) */
  paths = scorch_symbol_paths_dup_default ();
  debug_dirs = scorch_symbol_paths_get_debug_dirs (paths);
  if (debug_dirs == NULL)
    debug_dirs = default_debug_dirs;
  for (guint i = 0; debug_dirs[i] != NULL; i++)
    {
      g_autofree char *link = NULL;

      if (debug_dirs[i][0] != '/')
        continue;
      link = g_strdup_printf ("%s/.build-id/%.2s/%s", debug_dirs[i], hex, hex + 2);
      if ((m = open_if_build_id (link, id, id_len)) != NULL)
        return m;
    }

#if HAVE_DEBUGINFOD
  if ((m = open_debuginfod_executable (id, id_len)) != NULL)
    return m;
#endif
  return NULL;
}
