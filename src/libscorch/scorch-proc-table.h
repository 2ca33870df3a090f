/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-proc-table.h: processes, threads and their memory maps, as the
 * COMM, MMAP/MMAP2, FORK and EXIT records of a capture describe them.
 * Records are applied in time order, so a lookup answers with the maps the
 * process had at the time of the record being processed. */

#pragma once

#include <glib.h>

#include "scorch-perf-record.h"
#include "scorch-symbolizer.h"

G_BEGIN_DECLS

#define SCORCH_PROC_MODULE_NONE G_MAXUINT32

/* One mapping of a process. map.path and map.build_id are interned by the
 * table; module identifies the file (build id, else path+dev+inode; anonymous
 * and special mappings are per process) for caches shared across processes. */
typedef struct
{
  ScorchMapping map;
  guint32       module;
  guint32       prot;
  guint64       time;    /* when it was mapped */
} ScorchProcMap;

typedef struct _ScorchProcTable ScorchProcTable;

ScorchProcTable     *scorch_proc_table_new       (void);
void                 scorch_proc_table_free      (ScorchProcTable *self);

/* Build ids by path (BUILD_ID feature of the capture), used for mappings
 * whose record carries none. */
void                 scorch_proc_table_add_build_id (ScorchProcTable *self,
                                                     const char      *path,
                                                     const guint8    *build_id,
                                                     guint            build_id_len);

/* exec: the process image was replaced (PERF_RECORD_MISC_COMM_EXEC); its
 * maps are dropped at the first mapping of the new image (samples inside
 * execve still show the old image). Returns TRUE when maps will be dropped. */
gboolean             scorch_proc_table_comm      (ScorchProcTable *self,
                                                  gint32           pid,
                                                  gint32           tid,
                                                  const char      *comm,
                                                  gboolean         exec,
                                                  guint64          time);
/* Applies one decoded MMAP/MMAP2 record (kernel and ino_generation fields
 * are not looked at; map->filename need not end in a NUL).  Overlapping
 * older mappings are trimmed or removed (dlclose + dlopen of another library
 * at the same place, exec without COMM_EXEC...). */
void                 scorch_proc_table_mmap      (ScorchProcTable      *self,
                                                  const ScorchPerfMmap *map,
                                                  guint64               time);
/* A new process (pid != ppid) gets a copy of its parent's maps; a new thread
 * (pid == ppid) shares its process's and inherits its parent's name. */
void                 scorch_proc_table_fork      (ScorchProcTable *self,
                                                  gint32           pid,
                                                  gint32           ppid,
                                                  gint32           tid,
                                                  gint32           ptid,
                                                  guint64          time);
void                 scorch_proc_table_exit      (ScorchProcTable *self,
                                                  gint32           pid,
                                                  gint32           tid,
                                                  guint64          time);

const ScorchProcMap *scorch_proc_table_find_map  (ScorchProcTable *self,
                                                  gint32           pid,
                                                  guint64          addr);
/* The same without touching the table's lookup caches: safe from several
 * threads at once while nothing changes the table (the loader's workers). */
const ScorchProcMap *scorch_proc_table_lookup_map (ScorchProcTable *self,
                                                   gint32           pid,
                                                   guint64          addr);
/* scorch_proc_table_find_map() as a ScorchFindMappingFunc (user_data is
 * the table): what an unwinder fed from this table is made with. */
const ScorchMapping *scorch_proc_table_find_mapping (gpointer        table,
                                                     gint32          pid,
                                                     guint64         addr);
/* The thread's current name, or NULL. */
const char          *scorch_proc_table_get_comm  (ScorchProcTable *self,
                                                  gint32           tid);
guint                scorch_proc_table_get_n_maps (ScorchProcTable *self,
                                                   gint32           pid);
/* The process's maps, sorted by start; borrowed until the table changes. */
const ScorchProcMap *scorch_proc_table_get_maps  (ScorchProcTable *self,
                                                  gint32           pid,
                                                  guint           *n_maps);
guint                scorch_proc_table_get_n_modules (ScorchProcTable *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchProcTable, scorch_proc_table_free)

G_END_DECLS
