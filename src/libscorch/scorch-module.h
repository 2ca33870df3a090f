/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-module.h: the base floor's module cache.
 *
 * ScorchModuleKey is the one definition of a module's identity in a
 * capture (build id when recorded, else path + device + inode); the
 * symbolizer, the unwinder and the process table key their per-module
 * state with it.
 *
 * ScorchModule is one opened ELF file: opened once through
 * scorch_open_regular_file() (never a FIFO or device), mapped read-only,
 * its build id read with dwelf_elf_gnu_build_id(), its PT_LOAD segments
 * and entry point decoded.  Everything a ScorchModule exposes is immutable
 * once it is returned, so any thread may read it; libelf/libdw objects are
 * not thread-safe (elfutils 0.188), so a user that needs one makes its own
 * over scorch_module_get_data() (elf_memory(): no I/O, no copy).
 *
 * ScorchModuleCache hands out one ScorchModule per file (same device,
 * inode, size and modification time), refcounted; lookups are thread-safe.
 * A module stays in the cache while someone holds a reference to it, so a
 * file opened by the symbolizer, the unwinder, the frame-pointer check and
 * the perf writer at the same time is opened and mapped once.  A file
 * replaced or deleted since is a different file: the next lookup opens the
 * new one, and holders of the old module keep its (private) mapping.
 *
 * What is derived from a file is held by its module too, made once for
 * all its users (scorch_module_acquire_shared()): the CFI table of the
 * unwinders (scorch-cfi.h), the ELF symbol table of the symbolizers
 * (scorch-elf-symbols.h) and the separate debug file they look for
 * (scorch-debug-files.h). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Largest build id kept (SHA-1 is 20; allow some slack). */
#define SCORCH_MODULE_MAX_BUILD_ID 64

/* The identity of a module in a capture. */
typedef struct
{
  guint8      build_id[SCORCH_MODULE_MAX_BUILD_ID];
  guint       build_id_len;
  guint32     maj, min;
  guint64     ino;
  const char *path;          /* borrowed; never NULL */
} ScorchModuleKey;

/* Fills key (path is borrowed, NULL taken as ""; a build id longer than
 * SCORCH_MODULE_MAX_BUILD_ID is ignored). */
void         scorch_module_key_init  (ScorchModuleKey *key,
                                      const char      *path,
                                      const guint8    *build_id,
                                      guint            build_id_len,
                                      guint32          maj,
                                      guint32          min,
                                      guint64          ino);
/* GHashFunc / GEqualFunc over ScorchModuleKey* (or structs that start with one):
 * two keys with a build id are equal when the ids are; without, when path,
 * device and inode are. */
guint        scorch_module_key_hash  (gconstpointer key);
gboolean     scorch_module_key_equal (gconstpointer a,
                                      gconstpointer b);

/* perf pads build ids to 20 bytes: the real id matches a recorded one
 * when it is a prefix of it and the rest is zeros. */
gboolean     scorch_module_build_ids_match (const guint8 *recorded,
                                            guint         recorded_len,
                                            const guint8 *actual,
                                            guint         actual_len);
/* Lower-case hex of a build id (free with g_free()). */
char        *scorch_module_build_id_to_hex (const guint8 *id,
                                            guint         len);

typedef struct
{
  guint64 offset;            /* p_offset */
  guint64 filesz;
  guint64 vaddr;
  guint64 memsz;
  guint32 flags;             /* PF_X | PF_W | PF_R */
} ScorchModuleSegment;

typedef struct _ScorchModule      ScorchModule;
typedef struct _ScorchModuleCache ScorchModuleCache;

ScorchModuleCache *scorch_module_cache_new         (void);
void               scorch_module_cache_free        (ScorchModuleCache *self);
/* The process-wide cache that the symbolizer, unwinder, frame-pointer
 * check and perf writer share. */
ScorchModuleCache *scorch_module_cache_get_default (void);
/* How many modules are cached (held by someone) now. */
guint              scorch_module_cache_get_size    (ScorchModuleCache *self);

/* The module of the ELF file at path, or NULL with error
 * (G_IO_ERROR_NOT_FOUND, other G_IO_ERRORs from opening it,
 * G_IO_ERROR_INVALID_DATA when it is not a 32/64-bit ELF file).  "[vdso]"
 * is the running vDSO's image.  Returns a new reference. */
ScorchModule      *scorch_module_cache_open        (ScorchModuleCache *self,
                                                    const char        *path,
                                                    GError           **error);

/* The module of the file at path exactly (no --sysroot or
 * --substitute-path candidates, no build-id cache): a file found by a
 * search of its own, such as a separate debug file. */
ScorchModule      *scorch_module_cache_open_exact  (ScorchModuleCache *self,
                                                    const char        *path,
                                                    GError           **error);

ScorchModule      *scorch_module_ref               (ScorchModule      *self);
void               scorch_module_unref             (ScorchModule      *self);

const char        *scorch_module_get_path          (ScorchModule      *self);
/* The file's bytes, mapped read-only (the running vDSO's copy for [vdso]). */
const guint8      *scorch_module_get_data          (ScorchModule      *self,
                                                    gsize             *size);
/* A new descriptor of the file (O_CLOEXEC; a memfd holding the image for
 * [vdso]), for libraries that read a file from a descriptor (libdwfl,
 * whose libelf maps it copy-on-write: it decompresses sections in place,
 * which the shared read-only bytes must not see).  The module keeps no
 * descriptor (a capture may map a thousand files): the path is opened
 * again, checked as the first open was, and refused (-1, errno ESTALE)
 * unless it is still the same file (device, inode, size, mtime). */
int                scorch_module_dup_fd            (ScorchModule      *self);
/* A new libelf handle over the shared bytes (elf_memory(): no I/O, no
 * copy), for reading headers, symbols and section data; free with
 * elf_end() before dropping the module.  It must not be modified
 * (elf_compress(), gelf_update_*): the bytes are read-only and shared --
 * use scorch_module_dup_fd() for libdw's DWARF readers.  NULL when libelf
 * refuses it. */
struct Elf;
struct Elf        *scorch_module_begin_elf         (ScorchModule      *self);
/* The NT_GNU_BUILD_ID of the file, or NULL (then *len is 0). */
const guint8      *scorch_module_get_build_id      (ScorchModule      *self,
                                                    guint             *len);
/* Whether a build id recorded in a capture is this file's (padded as perf
 * pads it); FALSE when the file has none. */
gboolean           scorch_module_matches_build_id  (ScorchModule      *self,
                                                    const guint8      *recorded,
                                                    guint              recorded_len);
/* The file's device and inode (0 for [vdso]). */
void               scorch_module_get_file_id       (ScorchModule      *self,
                                                    guint64           *dev,
                                                    guint64           *ino);
/* The PT_LOAD segments, in program header order. */
const ScorchModuleSegment *scorch_module_get_segments (ScorchModule   *self,
                                                       guint          *n_segments);
/* e_entry (a virtual address), 0 when none; ELFCLASS32/64; e_machine. */
guint64            scorch_module_get_entry         (ScorchModule      *self);
guint              scorch_module_get_elf_class     (ScorchModule      *self);
guint              scorch_module_get_machine       (ScorchModule      *self);
/* File offset -> virtual address through the PT_LOAD segments. */
gboolean           scorch_module_offset_to_vaddr   (ScorchModule      *self,
                                                    guint64            offset,
                                                    guint64           *vaddr);

/* A function symbol (STT_FUNC, sized, in a PROGBITS section) of the file */
typedef struct
{
  guint64 start;             /* st_value (a virtual address) */
  guint64 size;              /* st_size */
  guint64 offset;            /* the file offset of start */
  guint64 avail;             /* bytes of the section from start, within the file */
} ScorchModuleFunction;

/* The function symbol covering vaddr (.symtab, else .dynsym), or NULL.
 * The index is built on the first call (thread-safe) and kept with the
 * module, so the frame-pointer check of many addresses reads the symbol
 * table once. */
const ScorchModuleFunction *scorch_module_find_function (ScorchModule *self,
                                                         guint64       vaddr);
/* Whether the file has call frame information (.eh_frame or .debug_frame). */
gboolean           scorch_module_has_cfi           (ScorchModule      *self);

/* Data derived from a module and shared by its users (the unwinders' CFI
 * rows, the symbolizers' ELF symbol tables, the separate debug file each
 * found once): one value per key, made by build (called once, with no
 * lock of the module held, while other users of the same key wait) and
 * kept while someone holds it.  Each acquire is paired with a release of
 * the same key before the module is dropped; the last release frees the
 * value with free_func, so what depends on the environment (the debug
 * dirs, a debug file installed since) is looked for again by the next
 * load, as without sharing.  The value must be immutable once built, or
 * guard its own changes: any thread may hold it.  build may return NULL
 * (then NULL is what every holder gets). */
typedef gpointer (*ScorchModuleBuildFunc) (ScorchModule *module,
                                           gpointer      user_data);

gpointer           scorch_module_acquire_shared    (ScorchModule         *self,
                                                    const char           *key,
                                                    ScorchModuleBuildFunc build,
                                                    gpointer              user_data,
                                                    GDestroyNotify        free_func);
void               scorch_module_release_shared    (ScorchModule         *self,
                                                    const char           *key);
/* How many keys the module holds a value for now (tests). */
guint              scorch_module_get_n_shared      (ScorchModule         *self);

/* The cache keeps the keep most recently opened modules alive (holding a
 * reference) after their users drop them, so that a file asked for again
 * soon (the diagnostics after a load) is not mapped again.  0 (the default
 * of a new cache) keeps none; the default cache keeps 64. */
void               scorch_module_cache_set_keep    (ScorchModuleCache *self,
                                                    guint              keep);

/* Containers: when pid (alive) is in another mount namespace, opens path
 * as that process sees it (/proc/PID/root/path, a regular file only) and
 * pins it: scorch_module_cache_open (path) then returns it for the rest of
 * this process's life.  TRUE when the path is pinned. */
gboolean           scorch_module_note_process_file (gint32             pid,
                                                    const char        *path);

/* The build id of the ELF file at path, through the default cache (the
 * file is opened once whoever else asks).  Returns its length, 0 when the
 * file has none or cannot be read; at most max bytes are copied. */
guint              scorch_module_read_build_id     (const char        *path,
                                                    guint8            *out,
                                                    guint              max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchModule, scorch_module_unref)

G_END_DECLS
