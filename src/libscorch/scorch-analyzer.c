/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-analyzer.c: records -> stacks -> symbols -> profile */

#include "config.h"

#define G_LOG_DOMAIN "scorch-analyzer"

#include <glib/gi18n.h>
#include <string.h>
#include <sys/mman.h>

#include "scorch-addr-map.h"
#include "scorch-addr-samples.h"
#include "scorch-analyzer.h"
#include "scorch-off-cpu.h"
#include "scorch-diagnostics.h"
#include "scorch-heap.h"
#include "scorch-module.h"
#include "scorch-portable.h"
#include "scorch-unwinder.h"
#include "scorch-util.h"

#define MAX_CALLCHAIN   1024  /* entries used from one callchain */
#define MAX_INLINE      16    /* frames of one inline chain */
#define MAX_STACK       4096  /* frames of one sample */

#define KEY_KERNEL      G_GUINT64_CONSTANT (0xfffffffe00000000)
#define KEY_UNMAPPED    G_GUINT64_CONSTANT (0xffffffff00000000)

typedef struct _Worker Worker;   /* the parallel sample path, below */

/* A stack committed before, by the parallel path: the same address
 * entries (a cache entry is one module and offset, looked up in the maps
 * of the sample's process when it was prepared, so a changed map gives
 * other entries, not a stale stack) build the same frames, the same
 * node in the tree and the same facts for the diagnostics. A repeat only
 * adds the sample at the node and counts itself in hits: its addresses'
 * counts are added hits at a time (stack_memo_flush_hits). */
typedef struct
{
  guint64 hash;          /* 0: empty slot */
  guint32 key;           /* offset in stack_memo_keys */
  guint32 n;             /* entries in the key */
  guint32 node;          /* the sample's node in the profile tree */
  guint32 leaf_addr;     /* cur_leaf_addr */
  guint32 outer;         /* outermost frame id, SCORCH_NODE_NONE: no frame */
  guint16 n_user;        /* <= n <= STACK_MEMO_MAX_DEPTH */
  guint16 n_kernel;
  guint32 leaf_i, outer_i, before_outer_i;  /* the user addresses' positions in the key */
  guint32 leaf_frame, outer_frame, before_outer_frame;
  guint32 diag;          /* its StackMemoDiag in stack_memo_diag */
  guint32 hits;          /* repeats not yet counted in its addresses' entries */
} StackMemo;

G_STATIC_ASSERT (sizeof (StackMemo) == 64);

/* What the diagnostics counted for a memo's stack, and what that
 * depended on beyond the stack: the event, and the modules of the three
 * user addresses (interned paths, NULL: unmapped), which another process
 * may map from elsewhere. Kept apart, one per stack (not per slot), so
 * that the slots stay 64 bytes. */
typedef struct
{
  ScorchDiagnosticsRepeat  repeat;
  const ScorchCaptureAttr *attr;
  const char              *leaf_path, *outer_path, *before_outer_path;
} StackMemoDiag;

#define STACK_MEMO_MIN       4096
#define STACK_MEMO_MAX       (1u << 18)   /* slots (~15 MB), at most half used */
#define STACK_MEMO_MAX_KEYS  (4u << 20)   /* entries of all keys (16 MB) */
#define STACK_MEMO_MAX_DEPTH 512          /* longer stacks are not kept */
#define MEMO_AHEAD           6            /* samples: how far commit_batch prefetches memo slots */

#define RECENT_MAPS 16

/* A user address of the current sample as pushed; made a
 * ScorchStackAddress only for the three the diagnostics see. */
typedef struct
{
  const ScorchProcMap *pm;
  guint64              offset;
  guint32              frame;
} RawAddress;

enum {
  ENTRY_UNKNOWN = 0,
  ENTRY_YES,
  ENTRY_NO,
};

struct _ScorchAnalyzer
{
  ScorchCaptureAttrs   *attrs;
  ScorchProcTable      *procs;
  ScorchSymbolizer     *symbolizer;
  ScorchUnwinder       *unwinder;
  ScorchProfileBuilder *builder;

  /* (module key, module-relative address) -> offset of a run in runs[]:
   * runs[v] = n, runs[v+1..v+n] = frame ids, innermost (leaf) first. */
  ScorchAddrMap         cache;
  /* While workers read the cache (a batch prepared as the one before it
   * is committed), new addresses go here; merged into cache after. */
  ScorchAddrMap         fresh;
  gboolean              use_fresh;
  GArray               *runs;          /* guint32 */
  /* Per unique address (the cache's values index it): its run and its
   * self/total counts, for the annotation (ScorchAddrSamples). */
  GArray               *addrs;         /* AddrEntry */
  GHashTable           *addr_modules;  /* proc-table module key -> index + 1 into addr_module_list */
  GArray               *addr_module_list; /* ScorchAddrModule (paths owned) */
  guint32               cur_leaf_addr; /* the current sample's first address, or G_MAXUINT32 */
  GByteArray           *entry_class;   /* per frame id: ENTRY_* */
  GPtrArray            *frame_module;  /* per frame id: module (builder-owned string) */

  guint32              *stack;         /* frame ids of the current sample, leaf first (MAX_STACK) */
  guint                 stack_len;
  guint64              *ips;           /* unwinder output */

  guint64               n_samples;
  guint64               n_lost;
  guint64               n_truncated;
  guint64               n_unwind_failed;
  GArray               *truncated_by_frame; /* guint64 per outermost frame id: stacks cut there */

  /* Unwind diagnostics: the user addresses of the current sample that
   * tell where and why its stack stops (see scorch-diagnostics.h). */
  ScorchDiagnostics    *diagnostics;
  GPtrArray            *frame_function;  /* per frame id: function name (owned) or NULL when unnamed */
  guint                 cur_n_user;
  guint                 cur_n_kernel;
  RawAddress            cur_leaf;
  RawAddress            cur_outer;
  RawAddress            cur_before_outer;
  ScorchDiagnosticsRepeat cur_diag;    /* what diagnose_sample counted last */
  gboolean              finished;
  const ScorchCaptureAttr *main_attr;
  gboolean              offline;
  guint64               n_other_events;  /* samples of events other than main_attr: skipped */
  GPtrArray            *other_attrs;     /* the events they were of (not owned) */
  const ScorchCaptureAttr *last_other_attr;
  guint64               n_unknown_id;  /* samples whose id matches no event: dropped */
  GPtrArray            *warnings;      /* of char*: from the reader */

  /* Portable captures (scorch-portable.h): the stored answers used before
   * the symbolizer and unwinder; the builder collects them for `pack`. */
  ScorchPortable        *portable;
  ScorchPortableBuilder *portable_out;  /* not owned */
  guint64               portable_stack_index;
  /* off-CPU time (scorch-off-cpu.c): made at the first scheduler event */
  ScorchOffCpu         *off_cpu;
  int                   has_switch_attr; /* -1: not looked yet */

  /* Live feeding (scorch_analyzer_queue_raw_record): records from several
   * ring buffers arrive out of time order; they wait here until a round
   * boundary says nothing earlier can still come, as perf does with
   * FINISHED_ROUND. */
  GByteArray           *live_bytes;
  GArray               *live_queue;    /* LiveQueued */
  guint64               live_seq;
  guint64               live_max_time;
  guint64               live_next_flush;

  /* Stacks committed before (see StackMemo): most samples repeat one. */
  StackMemo            *stack_memo;    /* stack_memo_cap slots */
  guint                 stack_memo_cap;
  guint                 stack_memo_len;
  GArray               *stack_memo_keys; /* guint32: the address entries of each stack */
  GArray               *stack_memo_diag; /* StackMemoDiag, one per stack */
  guint64               n_memo_hits;
  guint64               flush_stamp;     /* stack_memo_flush_slot's next stamp, counting down */

  /* The parallel sample path (see PreparedSample) */
  guint                 n_workers;     /* 1: every sample analyzed as it comes */
  Worker               *workers;       /* n_workers, threads started on the first batch */
  char                 *kernel_release;
  GArray               *batch;         /* PreparedSample: queued, then prepared */
  GArray               *pending;       /* PreparedSample: prepared (overlap: being prepared while
                                        * pending_open), committed with the next batch */
  gboolean              pending_open;  /* the workers prepare pending */
  gboolean              overlap;       /* a batch is prepared while this thread reads the next one
                                        * and commits the one before */
  GArray               *pool_batch;    /* what the workers prepare: batch or pending */
  guint                 batch_max;     /* samples: BATCH_SAMPLES, or SCORCH_LOAD_BATCH (tests) */
  gsize                 batch_bytes;   /* record bytes in batch */
  GMutex                pool_mutex;
  GCond                 pool_cond;
  guint                 pool_generation;
  guint                 pool_active;   /* workers inside the open batch */
  gboolean              pool_open;     /* workers may still join the batch */
  gboolean              pool_quit;
  gboolean              pool_started;
  gint                  pool_next;     /* atomic: next sample of the batch to take */
};

typedef struct
{
  guint32 run;       /* offset in runs[] */
  guint32 module;    /* index into addr_module_list; G_MAXUINT32: kernel or unmapped */
  guint64 offset;    /* file offset */
  guint64 self;
  guint64 total;
  guint64 stamp;     /* n_samples + 1 of the last sample that counted it in total */
} AddrEntry;

typedef struct
{
  guint64 time;
  guint64 seq;
  gsize   offset;
  gsize   size;
} LiveQueued;

/* The parallel sample path (scorch_analyzer_load_reader with more than
 * one worker): samples wait in a batch until a record that changes the
 * process table (or a full batch) comes; then every worker takes samples
 * of the batch, parses them, unwinds them with its own unwinder, finds
 * their mappings and the addresses already symbolized (all read-only on
 * shared state); then the loading thread commits them in sample order:
 * symbolizes what was new, builds the stacks, counts the diagnostics and
 * adds them to the profile, exactly as the serial path does. */
typedef struct
{
  guint64              ip;
  const ScorchProcMap *pm;
  guint64              k1, k2;
  guint32              entry;    /* index in addrs[]; ENTRY_NONE: not in the cache when prepared */
  guint8               kernel;
  guint8               discard;  /* symbolized, not pushed (before a failed unwind) */
} PreparedAddr;

typedef struct
{
  ScorchRecord     record;       /* data in the reader's mapping */
  ScorchSampleData s;
  GError          *error;        /* the sample could not be parsed */
  guint            worker;
  guint            first, n;     /* in that worker's addrs */
  guint64          sp;
  guint8           dwarf_tried;
  guint8           unwind_failed;
  guint64          stack_hash;   /* of the entries, 0: not for the memo (see StackMemo) */
} PreparedSample;

struct _Worker
{
  ScorchAnalyzer      *analyzer;
  guint                index;
  ScorchUnwinder      *unwinder;  /* worker 0: the analyzer's own */
  GArray              *addrs;     /* PreparedAddr, of the batch being prepared */
  guint                addrs_cap; /* addrs' allocated length (emit_prepare) */
  GArray              *done_addrs; /* PreparedAddr, of the pending batch */
  guint                done_cap;
  guint64             *ips;
  /* The maps found last, with their pids (valid during one batch): a
   * stack goes back and forth between a few modules, and samples of two
   * processes interleave. */
  guint                n_recent;
  guint                next_recent;
  gint32               recent_pid[RECENT_MAPS];
  const ScorchProcMap *recent[RECENT_MAPS];
  GThread             *thread;
};

#define ENTRY_NONE      G_MAXUINT32
#define BATCH_SAMPLES   4096
#define BATCH_BYTES     (4u << 20)  /* of records: DWARF samples are ~8 KiB, and
                                     * their pages stay resident while they wait */
#define BATCH_CHUNK     64
#define MAX_WORKERS     16
#define FRESH_SLOTS     1024        /* the fresh map's size between batches */

/* ------------------------------------------------------------------ */

gboolean
scorch_analyzer_is_thread_entry (const char *function)
{
  static const char * const entries[] = {
    "_start", "__libc_start_main", "__libc_start_main_impl", "__libc_start_call_main",
    "clone", "clone3", "__clone", "__clone3", "__clone_internal", "__GI___clone", "__GI___clone3",
    "start_thread", "thread_start", "_dl_start", "_dl_start_user", "_dl_start_final",
    "ret_from_fork", "ret_from_fork_asm", "kthread", "secondary_startup_64",
    "secondary_startup_64_no_verify", "start_kernel", "x86_64_start_kernel", "cpu_startup_entry",
  };

  gsize len;

  if (function == NULL)
    return FALSE;
  /* "__libc_start_main@@GLIBC_2.34": compare the name before the version */
  len = strcspn (function, "@");
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (strlen (entries[i]) == len && strncmp (function, entries[i], len) == 0)
      return TRUE;
  return FALSE;
}

static const ScorchMapping *
find_mapping_cb (gpointer user_data,
                 gint32   pid,
                 guint64  addr)
{
  ScorchAnalyzer *self = user_data;
  /* read-only: the loader's workers unwind at the same time */
  const ScorchProcMap *m = scorch_proc_table_lookup_map (self->procs, pid, addr);

  return m != NULL ? &m->map : NULL;
}

ScorchAnalyzer *
scorch_analyzer_new (ScorchCaptureAttrs *attrs)
{
  ScorchAnalyzer *self;

  g_return_val_if_fail (attrs != NULL, NULL);

  self = g_new0 (ScorchAnalyzer, 1);
  self->attrs = scorch_capture_attrs_ref (attrs);
  self->procs = scorch_proc_table_new ();
  self->symbolizer = scorch_symbolizer_new ();
  /* The profile keeps one file:line per function: its declaration, which
   * needs no line tables (a third of the memory of a large load). */
  scorch_symbolizer_set_line_mode (self->symbolizer, SCORCH_SYMBOLIZER_LINES_FUNCTION);
  self->unwinder = scorch_unwinder_new (find_mapping_cb, self);
  self->builder = scorch_profile_builder_new ();
  scorch_addr_map_init (&self->cache, 4096);
  scorch_addr_map_init (&self->fresh, FRESH_SLOTS);
  self->runs = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->addrs = g_array_new (FALSE, FALSE, sizeof (AddrEntry));
  self->addr_modules = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->addr_module_list = g_array_new (FALSE, FALSE, sizeof (ScorchAddrModule));
  self->cur_leaf_addr = G_MAXUINT32;
  self->entry_class = g_byte_array_new ();
  self->frame_module = g_ptr_array_new ();
  self->stack = g_new (guint32, MAX_STACK);
  self->ips = g_new (guint64, SCORCH_UNWIND_MAX_DEPTH);
  self->truncated_by_frame = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->other_attrs = g_ptr_array_new ();
  self->diagnostics = scorch_diagnostics_new ();
  self->frame_function = g_ptr_array_new_with_free_func (g_free);
  self->has_switch_attr = -1;
  self->n_workers = 1;
  self->flush_stamp = G_MAXUINT64;
  g_mutex_init (&self->pool_mutex);
  g_cond_init (&self->pool_cond);

  return self;
}

static void workers_stop (ScorchAnalyzer *self);
static void workers_free (ScorchAnalyzer *self);

void
scorch_analyzer_free (ScorchAnalyzer *self)
{
  if (self == NULL)
    return;
  workers_stop (self);
  g_clear_pointer (&self->builder, scorch_profile_builder_free);
  g_clear_pointer (&self->unwinder, scorch_unwinder_free);
  g_clear_pointer (&self->symbolizer, scorch_symbolizer_free);
  g_clear_pointer (&self->procs, scorch_proc_table_free);
  g_clear_pointer (&self->attrs, scorch_capture_attrs_unref);
  scorch_addr_map_clear (&self->cache);
  scorch_addr_map_clear (&self->fresh);
  g_array_unref (self->runs);
  g_array_unref (self->addrs);
  g_hash_table_unref (self->addr_modules);
  for (guint i = 0; i < self->addr_module_list->len; i++)
    g_free (g_array_index (self->addr_module_list, ScorchAddrModule, i).path);
  g_array_unref (self->addr_module_list);
  g_byte_array_unref (self->entry_class);
  g_ptr_array_unref (self->frame_module);
  g_free (self->stack);
  g_free (self->ips);
  g_array_unref (self->truncated_by_frame);
  g_free (self->stack_memo);
  g_clear_pointer (&self->stack_memo_keys, g_array_unref);
  g_clear_pointer (&self->stack_memo_diag, g_array_unref);
  g_ptr_array_unref (self->warnings);
  g_ptr_array_unref (self->other_attrs);
  g_clear_pointer (&self->diagnostics, scorch_diagnostics_unref);
  g_clear_pointer (&self->frame_function, g_ptr_array_unref);
  g_clear_pointer (&self->live_bytes, g_byte_array_unref);
  g_clear_pointer (&self->portable, scorch_portable_free);
  g_clear_pointer (&self->off_cpu, scorch_off_cpu_free);
  g_clear_pointer (&self->live_queue, g_array_unref);
  workers_free (self);
  g_mutex_clear (&self->pool_mutex);
  g_cond_clear (&self->pool_cond);
  g_free (self);
}

ScorchSymbolizer *
scorch_analyzer_get_symbolizer (ScorchAnalyzer *self)
{
  return self->symbolizer;
}

void
scorch_analyzer_set_offline (ScorchAnalyzer *self,
                             gboolean        offline)
{
  self->offline = !!offline;
}

ScorchProcTable *
scorch_analyzer_get_proc_table (ScorchAnalyzer *self)
{
  return self->procs;
}

guint64
scorch_analyzer_get_n_samples (ScorchAnalyzer *self)
{
  return self->n_samples;
}

static char *event_name_for (const ScorchCaptureAttr *a);

/* A sample of an event the profile is not of (choose_main_event()): not
 * shown, but counted and named in the diagnostics, as perf report shows
 * each event apart. */
static void
skip_other_event (ScorchAnalyzer          *self,
                  const ScorchCaptureAttr *attr)
{
  self->n_other_events++;
  if (attr == self->last_other_attr)
    return;
  self->last_other_attr = attr;
  if (!g_ptr_array_find (self->other_attrs, attr, NULL))
    g_ptr_array_add (self->other_attrs, (gpointer) attr);
}

/* The names of the events skip_other_event() saw, ", " between. */
static char *
other_event_names (ScorchAnalyzer *self)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < self->other_attrs->len; i++)
    {
      g_autofree char *name = event_name_for (g_ptr_array_index (self->other_attrs, i));

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, name);
    }
  return g_string_free (names, FALSE);
}

static char *
event_name_for (const ScorchCaptureAttr *a)
{
  static const char * const sw[] = {
    "cpu-clock", "task-clock", "page-faults", "context-switches", "cpu-migrations",
    "minor-faults", "major-faults", "alignment-faults", "emulation-faults", "dummy",
  };
  static const char * const hw[] = {
    "cycles", "instructions", "cache-references", "cache-misses", "branches",
    "branch-misses", "bus-cycles", "stalled-cycles-frontend", "stalled-cycles-backend", "ref-cycles",
  };

  if (a->name != NULL)
    return g_strdup (a->name);
  if (a->attr.type == PERF_TYPE_SOFTWARE && a->attr.config < G_N_ELEMENTS (sw))
    return g_strdup (sw[a->attr.config]);
  if (a->attr.type == PERF_TYPE_HARDWARE && a->attr.config < G_N_ELEMENTS (hw))
    return g_strdup (hw[a->attr.config]);
  return g_strdup_printf ("event %u:%" G_GINT64_MODIFIER "x", a->attr.type, (guint64) a->attr.config);
}

void
scorch_analyzer_set_portable_builder (ScorchAnalyzer        *self,
                                      ScorchPortableBuilder *builder)
{
  self->portable_out = builder;
}

/* The capture's portable entries; damaged ones are dropped with a warning. */
static void
set_portable (ScorchAnalyzer      *self,
              ScorchCaptureReader *reader)
{
  g_autoptr(GError) local_error = NULL;

  g_clear_pointer (&self->portable, scorch_portable_free);
  self->portable = scorch_portable_new_from_notes (scorch_capture_reader_get_notes (reader), &local_error);
  if (local_error != NULL)
    {
      /* shown with the reader's warnings (report prints them) */
      g_debug ("%s", local_error->message);
      g_ptr_array_add (self->warnings, g_strdup (local_error->message));
    }
}

/* The stored frames of an address in a portable capture. */
static gboolean
portable_lookup (ScorchAnalyzer      *self,
                 const ScorchProcMap *pm,
                 gboolean             kernel,
                 guint64              offset,
                 ScorchSymbol        *syms,
                 guint               *n)
{
  if (self->portable == NULL || (!kernel && pm == NULL))
    return FALSE;
  return scorch_portable_lookup (self->portable, kernel ? NULL : &pm->map, offset, syms, MAX_INLINE, n);
}

static void set_diagnostics_capture (ScorchAnalyzer      *self,
                                     ScorchCaptureReader *reader,
                                     const char          *event_name);

enum { SCHED_NONE, SCHED_SWITCH, SCHED_WAKEUP };
static int sched_event_kind (const ScorchCaptureAttr *attr);

void
scorch_analyzer_set_capture_info (ScorchAnalyzer      *self,
                                  ScorchCaptureReader *reader)
{
  ScorchProfileInfo *info = scorch_profile_builder_get_info (self->builder);
  const ScorchCaptureBuildId *bids;
  guint n_bids;
  ScorchCaptureAttrs *attrs = scorch_capture_reader_get_attrs (reader);

  for (guint i = 0; i < scorch_capture_attrs_get_n_attrs (attrs); i++)
    {
      const ScorchCaptureAttr *a = scorch_capture_attrs_get_attr (attrs, i);

      if (!(a->attr.type == PERF_TYPE_SOFTWARE && a->attr.config == PERF_COUNT_SW_DUMMY) &&
          sched_event_kind (a) == SCHED_NONE)
        {
          self->main_attr = a;
          break;
        }
    }

  scorch_symbolizer_set_kernel_release (self->symbolizer, scorch_capture_reader_get_osrelease (reader));
  scorch_unwinder_set_kernel_release (self->unwinder, scorch_capture_reader_get_osrelease (reader));

  bids = scorch_capture_reader_get_build_ids (reader, &n_bids);
  for (guint i = 0; i < n_bids; i++)
    if (!bids[i].kernel && bids[i].filename[0] == '/')
      scorch_proc_table_add_build_id (self->procs, bids[i].filename, bids[i].build_id, bids[i].build_id_len);
  /* For exports that name modules by build id (pprof mappings). */
  g_clear_pointer (&info->build_ids, g_hash_table_unref);
  if (n_bids > 0)
    info->build_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < n_bids; i++)
    if (bids[i].build_id_len > 0 && bids[i].filename[0] != '\0')
      g_hash_table_replace (info->build_ids, g_strdup (bids[i].filename),
                            scorch_hex_encode (bids[i].build_id, bids[i].build_id_len));

  g_free (info->hostname);
  info->hostname = g_strdup (scorch_capture_reader_get_hostname (reader));
  g_free (info->command_line);
  info->command_line = g_strdup (scorch_capture_reader_get_cmdline (reader));
  g_free (info->event_name);
  info->event_name = NULL;
  for (guint i = 0; i < scorch_capture_attrs_get_n_attrs (attrs); i++)
    {
      const ScorchCaptureAttr *a = scorch_capture_attrs_get_attr (attrs, i);

      /* the sampling event, not perf's dummy tracking event */
      if (a->attr.type == PERF_TYPE_SOFTWARE && a->attr.config == PERF_COUNT_SW_DUMMY)
        continue;
      info->event_name = event_name_for (a);
      break;
    }

  set_diagnostics_capture (self, reader, info->event_name);
  set_portable (self, reader);
}

/* What the capture says about itself, for the summary and the diagnostics. */
static void
set_diagnostics_capture (ScorchAnalyzer      *self,
                         ScorchCaptureReader *reader,
                         const char          *event_name)
{
  const ScorchCaptureAttr *a = self->main_attr;
  const char *call_graph = scorch_capture_reader_get_call_graph (reader);
  ScorchStackMode mode = SCORCH_STACK_MODE_UNKNOWN;
  guint copy_size = 0;
  int status;

  scorch_diagnostics_set_capture (self->diagnostics,
                                  scorch_capture_reader_get_cmdline (reader),
                                  scorch_capture_reader_get_hostname (reader),
                                  scorch_capture_reader_get_osrelease (reader),
                                  scorch_capture_reader_get_arch (reader),
                                  scorch_capture_reader_get_perf_version (reader),
                                  event_name);
  if (a != NULL)
    {
      scorch_diagnostics_set_sampling (self->diagnostics, a->attr.freq, a->attr.sample_period);
      if ((a->attr.sample_type & PERF_SAMPLE_STACK_USER) && (a->attr.sample_type & PERF_SAMPLE_REGS_USER))
        {
          mode = SCORCH_STACK_MODE_DWARF;
          copy_size = a->attr.sample_stack_user;
        }
      else if (a->attr.sample_type & PERF_SAMPLE_CALLCHAIN)
        mode = a->attr.exclude_callchain_user ? SCORCH_STACK_MODE_NONE : SCORCH_STACK_MODE_FP;
      else
        mode = SCORCH_STACK_MODE_NONE;
    }
  /* Leaf repair writes plain callchains: only Scorch's section tells. */
  if (mode == SCORCH_STACK_MODE_FP && call_graph != NULL && g_str_has_prefix (call_graph, "fp+repair"))
    mode = SCORCH_STACK_MODE_FP_REPAIR;
  scorch_diagnostics_set_stack_mode (self->diagnostics, mode, copy_size);
  scorch_diagnostics_set_recorded_via (self->diagnostics,
                                       scorch_capture_notes_get_string (scorch_capture_reader_get_notes (reader),
                                                                        SCORCH_CAPTURE_NOTE_RECORDED_VIA));

  if (scorch_capture_reader_get_exit_status (reader, &status))
    scorch_diagnostics_set_exit_status (self->diagnostics, status);
}

/* The index of pm's module in addr_module_list. */
static guint32
addr_module_index (ScorchAnalyzer      *self,
                   const ScorchProcMap *pm)
{
  gpointer key = GUINT_TO_POINTER (pm->module);
  guint32 index = GPOINTER_TO_UINT (g_hash_table_lookup (self->addr_modules, key));
  ScorchAddrModule m = { 0, };

  if (index != 0)
    return index - 1;
  m.path = g_strdup (pm->map.path);
  if (pm->map.build_id != NULL && pm->map.build_id_len <= sizeof m.build_id)
    {
      memcpy (m.build_id, pm->map.build_id, pm->map.build_id_len);
      m.build_id_len = pm->map.build_id_len;
    }
  g_array_append_val (self->addr_module_list, m);
  index = self->addr_module_list->len;
  g_hash_table_insert (self->addr_modules, key, GUINT_TO_POINTER (index));
  return index - 1;
}

/* "PREFIX" SEP "VALUE in hex" in BUF, as g_strdup_printf ("%s%s%"
 * G_GINT64_MODIFIER "x") would write it, without the printf machinery;
 * NULL when it does not fit in SIZE bytes. */
static const char *
format_fallback (char       *buf,
                 gsize       size,
                 const char *prefix,
                 const char *sep,
                 guint64     value)
{
  char hex[17];
  guint n = 0;
  gsize len = 0;

  do
    {
      hex[n++] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    }
  while (value != 0);

  if (strlen (prefix) + strlen (sep) + n + 1 > size)
    return NULL;
  for (const char *p = prefix; *p != '\0'; p++)
    buf[len++] = *p;
  for (const char *p = sep; *p != '\0'; p++)
    buf[len++] = *p;
  while (n > 0)
    buf[len++] = hex[--n];
  buf[len] = '\0';
  return buf;
}

/* Interns the symbols of one address into the builder and the cache;
 * returns the address's index in addrs[]. */
static guint32
symbolize (ScorchAnalyzer      *self,
           gint32               pid,
           const ScorchProcMap *pm,
           guint64              ip,
           gboolean             kernel,
           guint64              k1,
           guint64              k2)
{
  ScorchSymbol syms[MAX_INLINE];
  guint n;
  guint32 run = self->runs->len;

  if (self->offline)
    n = 0;
  else if (portable_lookup (self, pm, kernel, k2, syms, &n))
    ;
  else if (kernel)
    n = scorch_symbolizer_lookup_kernel (self->symbolizer, ip, syms, MAX_INLINE);
  else
    n = scorch_symbolizer_lookup_user (self->symbolizer, pid, pm != NULL ? &pm->map : NULL, ip, syms, MAX_INLINE);
  n = MIN (n, MAX_INLINE);
  if (self->portable_out != NULL && !self->offline && (kernel || pm != NULL))
    scorch_portable_builder_add_address (self->portable_out, kernel ? NULL : &pm->map, k2, syms, n);

  if (n == 0)
    {
      memset (&syms[0], 0, sizeof syms[0]);
      syms[0].module = kernel ? "[kernel.kallsyms]" : (pm != NULL ? pm->map.path : "");
      syms[0].offset = pm != NULL ? ip - pm->map.start + pm->map.pgoff : ip;
      syms[0].kind = SCORCH_FRAME_KIND_UNKNOWN;
      n = 1;
    }

  {
    guint32 count = n;
    g_array_append_val (self->runs, count);
  }

  for (guint i = 0; i < n; i++)
    {
      const ScorchSymbol *s = &syms[i];
      char fallback[256];
      g_autofree char *long_fallback = NULL;
      const char *module = s->module != NULL ? s->module : "";
      const char *function = s->function;
      guint32 frame;

      if (function == NULL)
        {
          if (module[0] != '\0')
            {
              const char *base = strrchr (module, '/');

              base = base != NULL ? base + 1 : module;
              function = format_fallback (fallback, sizeof fallback, base, "+0x", s->offset);
              if (function == NULL)
                function = long_fallback = g_strdup_printf ("%s+0x%" G_GINT64_MODIFIER "x", base, s->offset);
            }
          else
            function = format_fallback (fallback, sizeof fallback, "[unknown]", " 0x", ip);
        }

      frame = scorch_profile_builder_intern_frame (self->builder, function, module, s->file, s->line, s->kind);
      if (frame >= self->entry_class->len)
        {
          guint old = self->entry_class->len;

          g_byte_array_set_size (self->entry_class, frame + 1);
          memset (self->entry_class->data + old, ENTRY_UNKNOWN, frame + 1 - old);
          g_ptr_array_set_size (self->frame_module, frame + 1);
          g_ptr_array_set_size (self->frame_function, frame + 1);
        }
      if (self->entry_class->data[frame] == ENTRY_UNKNOWN)
        {
          self->entry_class->data[frame] = scorch_analyzer_is_thread_entry (s->function) ? ENTRY_YES : ENTRY_NO;
          /* module strings are interned by the symbolizer and live as long as it */
          g_ptr_array_index (self->frame_module, frame) = (gpointer) (module[0] != '\0' ? module : "[unknown]");
          g_ptr_array_index (self->frame_function, frame) = g_strdup (s->function);
        }
      g_array_append_val (self->runs, frame);
    }

  {
    AddrEntry e = { 0, };

    e.run = run;
    e.module = (!kernel && pm != NULL) ? addr_module_index (self, pm) : G_MAXUINT32;
    e.offset = k2;
    g_array_append_val (self->addrs, e);
  }
  scorch_addr_map_insert (self->use_fresh ? &self->fresh : &self->cache, k1, k2, self->addrs->len - 1);
  return self->addrs->len - 1;
}

/* Keeps what the diagnostics need of the user addresses of a sample:
 * the first (leaf), the last (where the stack stops) and the one before. */
static inline void
note_user_address (ScorchAnalyzer      *self,
                   const ScorchProcMap *pm,
                   guint64              offset,
                   guint32              frame)
{
  RawAddress a = { pm, offset, frame };

  if (self->cur_n_user == 0)
    self->cur_leaf = a;
  self->cur_before_outer = self->cur_outer;
  self->cur_outer = a;
  self->cur_n_user++;
}

static void
stack_address (ScorchAnalyzer     *self,
               const RawAddress   *raw,
               ScorchStackAddress *a)
{
  const ScorchProcMap *pm = raw->pm;

  a->module = pm != NULL ? pm->map.path : "";
  a->offset = raw->offset;
  a->mapping = pm == NULL ? SCORCH_MAPPING_NONE
             : pm->map.path[0] == '/' ? SCORCH_MAPPING_FILE : SCORCH_MAPPING_ANON;
  a->function = raw->frame < self->frame_function->len ? g_ptr_array_index (self->frame_function, raw->frame) : NULL;
  a->named = a->function != NULL;
}

static inline void
reset_sample_facts (ScorchAnalyzer *self)
{
  self->cur_n_user = 0;
  self->cur_n_kernel = 0;
  self->cur_leaf_addr = G_MAXUINT32;
}

/* The cache keys of an address: its module and offset in it. */
static inline void
address_keys (const ScorchProcMap *pm,
              gint32               pid,
              guint64              ip,
              gboolean             kernel,
              guint64             *k1,
              guint64             *k2)
{
  if (kernel)
    {
      *k1 = KEY_KERNEL;
      *k2 = ip;
    }
  else if (pm != NULL)
    {
      *k1 = pm->module;
      *k2 = ip - pm->map.start + pm->map.pgoff;
    }
  else
    {
      *k1 = KEY_UNMAPPED | (guint32) pid;
      *k2 = ip;
    }
}

/* Counts the address at INDEX of addrs[] in the sample and appends its
 * frames (its inline chain) to the stack. */
static inline void
push_entry (ScorchAnalyzer      *self,
            const ScorchProcMap *pm,
            guint64              k2,
            gboolean             kernel,
            guint32              index)
{
  AddrEntry *e = &g_array_index (self->addrs, AddrEntry, index);
  const guint32 *r = &g_array_index (self->runs, guint32, e->run);

  if (e->stamp != self->n_samples + 1)
    {
      e->stamp = self->n_samples + 1;
      e->total++;
    }
  if (self->stack_len == 0 && self->cur_leaf_addr == G_MAXUINT32)
    self->cur_leaf_addr = index;

  if (self->stack_len + r[0] <= MAX_STACK)
    {
      /* mostly one frame (no inlining): no memcpy call */
      for (guint32 i = 1; i <= r[0]; i++)
        self->stack[self->stack_len++] = r[i];
    }

  if (kernel)
    self->cur_n_kernel++;
  else
    note_user_address (self, pm, k2, r[r[0]]);
}

static inline void
push_address (ScorchAnalyzer *self,
              gint32          pid,
              guint64         ip,
              gboolean        kernel)
{
  const ScorchProcMap *pm = NULL;
  guint64 k1, k2;
  guint64 cached;

  if (!kernel)
    pm = scorch_proc_table_find_map (self->procs, pid, ip);
  address_keys (pm, pid, ip, kernel, &k1, &k2);

  if (!scorch_addr_map_lookup (&self->cache, k1, k2, &cached))
    cached = symbolize (self, pid, pm, ip, kernel, k1, k2);

  push_entry (self, pm, k2, kernel, (guint32) cached);
}


static inline gboolean
is_kernel_mode (guint16 misc)
{
  guint16 mode = misc & PERF_RECORD_MISC_CPUMODE_MASK;

  return mode == PERF_RECORD_MISC_KERNEL || mode == PERF_RECORD_MISC_GUEST_KERNEL;
}

typedef void (*EmitAddress) (gpointer data,
                             gint32   pid,
                             guint64  ip,
                             gboolean kernel);

/* Walks a kernel callchain; want_kernel and want_user select which
 * contexts are used.  Calls emit for each address; returns how many. */
static inline guint
walk_callchain (const ScorchSampleData *s,
                gboolean                want_kernel,
                gboolean                want_user,
                EmitAddress             emit,
                gpointer                data)
{
  gboolean kernel = FALSE;
  gboolean first_in_context = TRUE;
  gboolean first = TRUE;
  guint pushed = 0;
  guint64 n = MIN (s->callchain_nr, MAX_CALLCHAIN);

  for (guint64 i = 0; i < n; i++)
    {
      guint64 ip;

      memcpy (&ip, &s->callchain[i], sizeof ip);
      if (ip >= (guint64) PERF_CONTEXT_MAX)
        {
          kernel = (ip == (guint64) PERF_CONTEXT_KERNEL || ip == (guint64) PERF_CONTEXT_GUEST_KERNEL ||
                    ip == (guint64) PERF_CONTEXT_HV);
          first_in_context = TRUE;
          continue;
        }
      if (first && i == 0)
        kernel = FALSE; /* no marker: user addresses (old kernels) */
      first = FALSE;
      if (ip == 0)
        continue; /* end of a broken frame-pointer chain */

      if ((kernel && want_kernel) || (!kernel && want_user))
        {
          /* Return addresses point after the call: look up the call. */
          emit (data, s->pid, first_in_context ? ip : ip - 1, kernel);
          pushed++;
        }
      first_in_context = FALSE;
    }
  return pushed;
}

static void
emit_push (gpointer data,
           gint32   pid,
           guint64  ip,
           gboolean kernel)
{
  push_address (data, pid, ip, kernel);
}

static guint
push_callchain (ScorchAnalyzer         *self,
                const ScorchSampleData *s,
                gboolean                want_kernel,
                gboolean                want_user)
{
  return walk_callchain (s, want_kernel, want_user, emit_push, self);
}

/* The analyzer's own count of stacks cut short, per outermost frame. */
static inline void
count_truncated (ScorchAnalyzer *self,
                 gboolean        complete,
                 guint           n_user,
                 guint32         outer)
{
  /* Kernel-only samples (exec, kernel threads) have no user stack to cut. */
  if (complete || n_user == 0 || outer == SCORCH_NODE_NONE ||
      outer >= self->entry_class->len)
    return;

  /* counted per frame here, per module in update_info() */
  self->n_truncated++;
  if (outer >= self->truncated_by_frame->len)
    g_array_set_size (self->truncated_by_frame, MAX (outer + 1, self->truncated_by_frame->len * 2));
  g_array_index (self->truncated_by_frame, guint64, outer)++;
}

/* Counts the sample's stack as complete, kernel-only or cut short, and
 * hands the diagnostics where and why it stops. */
static void
diagnose_sample (ScorchAnalyzer         *self,
                 const ScorchSampleData *s,
                 const ScorchCaptureAttr *attr,
                 gboolean                dwarf,
                 gboolean                unwind_failed,
                 guint64                 sp,
                 guint32                 outer)
{
  ScorchStackFacts facts = { 0, };

  facts.n_kernel = self->cur_n_kernel;
  facts.n_user = self->cur_n_user;
  facts.dwarf = dwarf;
  facts.unwind_failed = unwind_failed;
  if (outer != SCORCH_NODE_NONE)
    {
      facts.complete = outer < self->entry_class->len && self->entry_class->data[outer] == ENTRY_YES;
    }
  /* read only when there are user addresses, and the outer two only for
   * a stack cut short (see scorch-diagnostics.h): most stacks are
   * complete, and the two were made for every sample before */
  if (self->cur_n_user > 0)
    stack_address (self, &self->cur_leaf, &facts.leaf);
  if (!facts.complete && !unwind_failed)
    {
      if (self->cur_n_user > 0)
        stack_address (self, &self->cur_outer, &facts.outer);
      if (self->cur_n_user > 1)
        stack_address (self, &self->cur_before_outer, &facts.before_outer);
    }
  if (dwarf)
    {
      const ScorchProcMap *stack_map = scorch_proc_table_find_map (self->procs, s->pid, sp);

      facts.copy_requested = attr->attr.sample_stack_user;
      facts.copy_valid = s->stack_size;
      if (stack_map != NULL && stack_map->map.end > sp)
        facts.stack_needed = stack_map->map.end - sp;
      facts.max_depth = SCORCH_UNWIND_MAX_DEPTH;
    }
  else
    facts.max_depth = attr->attr.sample_max_stack > 0 ? attr->attr.sample_max_stack : 127;

  scorch_diagnostics_add_sample_full (self->diagnostics, &facts, &self->cur_diag);
  count_truncated (self, facts.complete, facts.n_user, outer);
}

/* ---- off-CPU: scheduler events (scorch-off-cpu.c) ------------------------ */

static int
sched_event_kind (const ScorchCaptureAttr *attr)
{
  if (attr->attr.type != PERF_TYPE_TRACEPOINT || attr->name == NULL)
    return SCHED_NONE;
  if (strcmp (attr->name, SCORCH_OFF_CPU_SWITCH_EVENT) == 0)
    return SCHED_SWITCH;
  if (strcmp (attr->name, SCORCH_OFF_CPU_WAKEUP_EVENT) == 0 ||
      strcmp (attr->name, SCORCH_OFF_CPU_WAKING_EVENT) == 0)
    return SCHED_WAKEUP;
  return SCHED_NONE;
}

/* The off-CPU tracker when the capture has sched_switch events, else NULL. */
static ScorchOffCpu *
off_cpu_tracker (ScorchAnalyzer *self)
{
  if (self->has_switch_attr < 0)
    {
      self->has_switch_attr = 0;
      for (guint i = 0; i < scorch_capture_attrs_get_n_attrs (self->attrs); i++)
        if (sched_event_kind (scorch_capture_attrs_get_attr (self->attrs, i)) == SCHED_SWITCH)
          self->has_switch_attr = 1;
      if (self->has_switch_attr)
        self->off_cpu = scorch_off_cpu_new ();
    }
  return self->off_cpu;
}

/* The live path: a snapshot gets Off-CPU and Wall clock views too, with
 * the threads still switched out counted up to the latest record. */
static void
off_cpu_snapshot (ScorchAnalyzer *self,
                  ScorchProfile  *profile)
{
  if (self->off_cpu != NULL)
    scorch_off_cpu_snapshot (self->off_cpu, profile);
}

guint64
scorch_analyzer_get_n_off_cpu_switches (ScorchAnalyzer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->off_cpu != NULL ? scorch_off_cpu_get_n_switches (self->off_cpu) : 0;
}

/* The CPU time an on-CPU sample stands for, in ns (0: not a time event). */
static guint64
sample_cpu_ns (const ScorchCaptureAttr *attr,
               const ScorchSampleData  *s)
{
  if (attr->attr.type == PERF_TYPE_SOFTWARE &&
      (attr->attr.config == PERF_COUNT_SW_CPU_CLOCK || attr->attr.config == PERF_COUNT_SW_TASK_CLOCK))
    return s->period != 0 ? s->period   /* 0: not in the sample */
           : attr->attr.freq ? 0 : attr->attr.sample_period;
  if (attr->attr.freq && attr->attr.sample_freq > 0)
    return G_GUINT64_CONSTANT (1000000000) / attr->attr.sample_freq;
  return 0;
}

/* The parallel path (PreparedSample): scheduler samples go into the
 * batch with the CPU samples when the capture has off-CPU data ... */
static gboolean
off_cpu_queues_sample (ScorchAnalyzer          *self,
                       const ScorchCaptureAttr *attr)
{
  return self->off_cpu != NULL && sched_event_kind (attr) != SCHED_NONE;
}

/* ... and so do switch records, whose effect depends on the samples
 * before them (EXIT records run the batch first, as every record that
 * changes the process table does). */
static gboolean
off_cpu_batched_record (ScorchAnalyzer     *self,
                        const ScorchRecord *record)
{
  return self->off_cpu != NULL &&
         (record->type == PERF_RECORD_SWITCH || record->type == PERF_RECORD_SWITCH_CPU_WIDE);
}

/* One profile per event: the first sampling event of the capture (perf's
 * dummy tracking event never samples; scheduler events feed the off-CPU
 * time) becomes the main one.  The one place that decides it, for the
 * serial path (handle_sample) and the batches (queue_sample).  Returns
 * attr's scheduler kind. */
static int
choose_main_event (ScorchAnalyzer          *self,
                   const ScorchCaptureAttr *attr)
{
  int sched = sched_event_kind (attr);

  if (self->main_attr == NULL && !(attr->attr.type == PERF_TYPE_SOFTWARE && attr->attr.config == PERF_COUNT_SW_DUMMY) &&
      sched == SCHED_NONE)
    self->main_attr = attr;
  return sched;
}

/* Adds sample S with the stack built in self->stack (leaf first, as perf
 * gives call chains); both sample paths end here. */
static guint32
add_stack (ScorchAnalyzer         *self,
           const ScorchSampleData *s)
{
  ScorchProfileSample sample = {
    .time = s->time, .pid = s->pid, .tid = s->tid,
    .frames = self->stack, .n_frames = self->stack_len, .order = SCORCH_FRAME_ORDER_LEAF_FIRST,
    .weight = 1,
  };

  return scorch_profile_builder_add_sample (self->builder, &sample);
}

static gboolean
handle_sample (ScorchAnalyzer     *self,
               const ScorchRecord *record,
               GError            **error)
{
  ScorchSampleData s;
  const ScorchCaptureAttr *attr = record->attr;
  gboolean dwarf_done = FALSE;
  gboolean dwarf_tried = FALSE;
  gboolean unwind_failed = FALSE;
  guint64 dwarf_sp = 0;
  int sched;

  /* An id that belongs to no event: not a sample of any of them. */
  if (attr == NULL)
    {
      self->n_unknown_id++;
      return TRUE;
    }

  if (!scorch_capture_attrs_parse_sample (self->attrs, record, &s, error))
    return FALSE;

  /* Other events' samples are skipped (choose_main_event()). */
  sched = choose_main_event (self, attr);
  if (sched == SCHED_WAKEUP && off_cpu_tracker (self) != NULL)
    {
      /* sched_wakeup is delivered to the woken task: it runs again soon */
      scorch_off_cpu_switch_in (self->off_cpu, s.time, s.tid);
      return TRUE;
    }
  if (sched == SCHED_SWITCH ? off_cpu_tracker (self) == NULL : attr != self->main_attr)
    {
      skip_other_event (self, attr);
      return TRUE;
    }

  self->stack_len = 0;
  reset_sample_facts (self);

  if (!self->offline && s.regs_abi != 0 && s.stack != NULL && (s.regs_mask & (1ULL << 7 /* PERF_REG_X86_SP */)) &&
      (attr->attr.sample_type & PERF_SAMPLE_STACK_USER))
    {
      gboolean truncated = FALSE;
      guint sp_index = __builtin_popcountll (s.regs_mask & ((1ULL << 7) - 1));
      guint64 sp;
      guint n;
      guint64 regs_buf[64];

      /* The registers may be unaligned in a hand-made file: copy them. */
      memcpy (regs_buf, s.regs, sizeof (guint64) * MIN (s.n_regs, 64));
      sp = regs_buf[sp_index];
      dwarf_tried = TRUE;
      dwarf_sp = sp;

      /* Kernel part first (leaf side), from the callchain. */
      if (s.callchain != NULL && sched != SCHED_SWITCH)
        push_callchain (self, &s, TRUE, FALSE);

      {
        const guint64 *stored;
        guint n_stored;

        if (self->portable != NULL &&
            scorch_portable_get_stack (self->portable, self->portable_stack_index, s.time, s.tid, &stored, &n_stored))
          {
            n = MIN (n_stored, SCORCH_UNWIND_MAX_DEPTH);
            memcpy (self->ips, stored, n * sizeof (guint64));
          }
        else
          {
            ScorchUnwindRegs ur = { s.regs_mask, regs_buf, MIN (s.n_regs, 64), s.stack, s.stack_size, sp };

            n = scorch_unwinder_unwind (self->unwinder, s.pid, &ur, self->ips, SCORCH_UNWIND_MAX_DEPTH,
                                        &truncated);
          }
        self->portable_stack_index++;
        if (self->portable_out != NULL)
          scorch_portable_builder_add_stack (self->portable_out, s.time, s.tid, self->ips, n);
      }
      if (n > 0)
        {
          for (guint i = 0; i < n; i++)
            push_address (self, s.pid, self->ips[i], FALSE);
          dwarf_done = TRUE;
        }
      else
        {
          self->n_unwind_failed++;
          self->stack_len = 0;
          reset_sample_facts (self);
          unwind_failed = TRUE;
        }
    }

  if (!dwarf_done)
    {
      guint pushed = 0;

      if (s.callchain != NULL)
        pushed = push_callchain (self, &s, sched != SCHED_SWITCH, TRUE);
      if (pushed == 0 && (attr->attr.sample_type & PERF_SAMPLE_IP))
        push_address (self, s.pid, s.ip, is_kernel_mode (record->misc));
    }

  if (sched == SCHED_SWITCH)
    {
      /* the stack the thread blocked in: off-CPU time, not a CPU sample;
       * its user part only (above, no kernel frames), so that it ends in
       * the function that blocked, not in schedule() */
      scorch_off_cpu_switch_out (self->off_cpu, s.time, s.pid, s.tid,
                                 self->stack, self->stack_len);
      return TRUE;
    }
  if (self->off_cpu != NULL || off_cpu_tracker (self) != NULL)
    scorch_off_cpu_on_cpu (self->off_cpu, s.time, s.tid, sample_cpu_ns (attr, &s));

  diagnose_sample (self, &s, attr, dwarf_tried, unwind_failed, dwarf_sp,
                   self->stack_len > 0 ? self->stack[self->stack_len - 1] : SCORCH_NODE_NONE);

  if (self->cur_leaf_addr != G_MAXUINT32)
    g_array_index (self->addrs, AddrEntry, self->cur_leaf_addr).self++;

  add_stack (self, &s);
  self->n_samples++;
  return TRUE;
}

/* ---- the parallel sample path (see PreparedSample) ---- */

/* In a worker: the memo's hash of a prepared stack (a multiply and a
 * shift per entry), or 0 when it cannot be kept: an address not in the
 * cache yet, no address, or too many. */
static guint64
stack_memo_hash (const PreparedAddr *addrs,
                 guint               n)
{
  guint64 h = n;

  if (n == 0 || n > STACK_MEMO_MAX_DEPTH)
    return 0;
  for (guint i = 0; i < n; i++)
    {
      if (addrs[i].entry == ENTRY_NONE)
        return 0;
      h = (h ^ addrs[i].entry) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
      h ^= h >> 29;
    }
  h ^= h >> 32;
  return h != 0 ? h : 1;
}

/* In a worker: what push_address looks up, without changing anything. */
static void
emit_prepare (gpointer data,
              gint32   pid,
              guint64  ip,
              gboolean kernel)
{
  Worker *w = data;
  ScorchAnalyzer *self = w->analyzer;
  PreparedAddr a = { 0, };
  guint64 cached;

  a.ip = ip;
  a.kernel = !!kernel;
  if (!kernel)
    {
      for (guint i = 0; i < w->n_recent; i++)
        if (ip >= w->recent[i]->map.start && ip < w->recent[i]->map.end && w->recent_pid[i] == pid)
          {
            a.pm = w->recent[i];
            break;
          }
      if (a.pm == NULL)
        {
          a.pm = scorch_proc_table_lookup_map (self->procs, pid, ip);
          if (a.pm != NULL)
            {
              w->recent_pid[w->next_recent] = pid;
              w->recent[w->next_recent] = a.pm;
              w->next_recent = (w->next_recent + 1) % RECENT_MAPS;
              w->n_recent = MAX (w->n_recent, w->next_recent == 0 ? RECENT_MAPS : w->next_recent);
            }
        }
    }
  address_keys (a.pm, pid, ip, kernel, &a.k1, &a.k2);
  a.entry = scorch_addr_map_lookup (&self->cache, a.k1, a.k2, &cached) ? (guint32) cached : ENTRY_NONE;
  /* g_array_append_val costs two calls per address: the array grows by
   * doubling here, and the element is stored in place. */
  if G_UNLIKELY (w->addrs->len == w->addrs_cap)
    {
      guint len = w->addrs->len;

      w->addrs_cap *= 2;
      g_array_set_size (w->addrs, w->addrs_cap);
      g_array_set_size (w->addrs, len);
    }
  ((PreparedAddr *) (gpointer) w->addrs->data)[w->addrs->len++] = a;
}

/* In a worker: handle_sample up to the symbolizer. */
static void
prepare_sample (Worker         *w,
                PreparedSample *ps)
{
  ScorchAnalyzer *self = w->analyzer;
  ScorchSampleData *s = &ps->s;
  const ScorchCaptureAttr *attr = ps->record.attr;
  gboolean dwarf_done = FALSE;
  int sched;

  ps->worker = w->index;
  ps->first = w->addrs->len;
  ps->n = 0;
  ps->stack_hash = 0;
  /* off-CPU: a switch record kept in order with the samples */
  if (ps->record.type != PERF_RECORD_SAMPLE)
    return;
  if (!scorch_capture_attrs_parse_sample (self->attrs, &ps->record, s, &ps->error))
    return;
  /* off-CPU: a switch-out's stack is its user part; a wakeup has none */
  sched = sched_event_kind (attr);
  if (sched == SCHED_WAKEUP)
    return;

  if (!self->offline && s->regs_abi != 0 && s->stack != NULL && (s->regs_mask & (1ULL << 7 /* PERF_REG_X86_SP */)) &&
      (attr->attr.sample_type & PERF_SAMPLE_STACK_USER))
    {
      gboolean truncated = FALSE;
      guint sp_index = __builtin_popcountll (s->regs_mask & ((1ULL << 7) - 1));
      guint n;
      guint64 regs_buf[64];

      memcpy (regs_buf, s->regs, sizeof (guint64) * MIN (s->n_regs, 64));
      ps->sp = regs_buf[sp_index];
      ps->dwarf_tried = TRUE;

      if (s->callchain != NULL && sched != SCHED_SWITCH)
        walk_callchain (s, TRUE, FALSE, emit_prepare, w);

      {
        ScorchUnwindRegs ur = { s->regs_mask, regs_buf, MIN (s->n_regs, 64), s->stack, s->stack_size, ps->sp };

        n = scorch_unwinder_unwind (w->unwinder, s->pid, &ur, w->ips, SCORCH_UNWIND_MAX_DEPTH, &truncated);
      }
      if (n > 0)
        {
          for (guint i = 0; i < n; i++)
            emit_prepare (w, s->pid, w->ips[i], FALSE);
          dwarf_done = TRUE;
        }
      else
        {
          /* The kernel part is symbolized (as the serial path does) but
           * not kept. */
          for (guint i = ps->first; i < w->addrs->len; i++)
            g_array_index (w->addrs, PreparedAddr, i).discard = TRUE;
          ps->unwind_failed = TRUE;
        }
    }

  if (!dwarf_done)
    {
      guint pushed = 0;

      if (s->callchain != NULL)
        pushed = walk_callchain (s, sched != SCHED_SWITCH, TRUE, emit_prepare, w);
      if (pushed == 0 && (attr->attr.sample_type & PERF_SAMPLE_IP))
        emit_prepare (w, s->pid, s->ip, is_kernel_mode (ps->record.misc));
    }
  ps->n = w->addrs->len - ps->first;
  if (!ps->dwarf_tried && sched == SCHED_NONE)
    ps->stack_hash = stack_memo_hash (&g_array_index (w->addrs, PreparedAddr, ps->first), ps->n);
}

/* In a worker: takes samples of the batch until none is left. */
static void
prepare_batch_part (Worker *w)
{
  ScorchAnalyzer *self = w->analyzer;
  GArray *batch = self->pool_batch;
  guint len = batch->len;

  w->n_recent = 0;
  w->next_recent = 0;
  for (;;)
    {
      guint begin = (guint) g_atomic_int_add (&self->pool_next, BATCH_CHUNK);
      guint end;

      if (begin >= len)
        break;
      end = MIN (begin + BATCH_CHUNK, len);
      for (guint i = begin; i < end; i++)
        prepare_sample (w, &g_array_index (batch, PreparedSample, i));
    }
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  ScorchAnalyzer *self = w->analyzer;
  guint seen = 0;

  for (;;)
    {
      scorch_mutex_lock (&self->pool_mutex);
      while (self->pool_generation == seen && !self->pool_quit)
        {
          scorch_tsan_release (&self->pool_mutex);
          g_cond_wait (&self->pool_cond, &self->pool_mutex);
          scorch_tsan_acquire (&self->pool_mutex);
        }
      if (self->pool_quit)
        {
          scorch_mutex_unlock (&self->pool_mutex);
          break;
        }
      seen = self->pool_generation;
      /* Woken after the loading thread did the batch alone (a busy
       * machine): nothing to do, and the batch is not ours to touch. */
      if (!self->pool_open)
        {
          scorch_mutex_unlock (&self->pool_mutex);
          continue;
        }
      self->pool_active++;
      scorch_mutex_unlock (&self->pool_mutex);

      prepare_batch_part (w);

      scorch_mutex_lock (&self->pool_mutex);
      if (--self->pool_active == 0)
        g_cond_broadcast (&self->pool_cond);
      scorch_mutex_unlock (&self->pool_mutex);
    }
  return NULL;
}

static void
workers_start (ScorchAnalyzer *self)
{
  self->pool_started = TRUE;
  g_debug ("unwinding and looking up samples on %u workers", self->n_workers);
  /* The module cache every unwinder shares is made here, before the
   * workers start: GLib's g_once is not instrumented, and this way TSan
   * sees its creation ordered before their first lookup. */
  (void) scorch_module_cache_get_default ();
  for (guint i = 1; i < self->n_workers; i++)
    {
      g_autofree char *name = g_strdup_printf ("scorch-unwind-%u", i);

      self->workers[i].thread = g_thread_new (name, worker_thread, &self->workers[i]);
    }
}

/* Ends the threads (the workers' state stays until workers_free). */
static void
workers_stop (ScorchAnalyzer *self)
{
  if (!self->pool_started)
    return;
  scorch_mutex_lock (&self->pool_mutex);
  self->pool_quit = TRUE;
  g_cond_broadcast (&self->pool_cond);
  scorch_mutex_unlock (&self->pool_mutex);
  for (guint i = 1; i < self->n_workers; i++)
    g_clear_pointer (&self->workers[i].thread, g_thread_join);
  self->pool_started = FALSE;
}

static void
workers_free (ScorchAnalyzer *self)
{
  workers_stop (self);
  for (guint i = 0; self->workers != NULL && i < self->n_workers; i++)
    {
      Worker *w = &self->workers[i];

      if (i > 0)
        g_clear_pointer (&w->unwinder, scorch_unwinder_free);
      g_clear_pointer (&w->addrs, g_array_unref);
      g_clear_pointer (&w->done_addrs, g_array_unref);
      g_free (w->ips);
    }
  g_clear_pointer (&self->workers, g_free);
  if (self->batch != NULL)
    {
      for (guint i = 0; i < self->batch->len; i++)
        g_clear_error (&g_array_index (self->batch, PreparedSample, i).error);
      g_clear_pointer (&self->batch, g_array_unref);
    }
  if (self->pending != NULL)
    {
      for (guint i = 0; i < self->pending->len; i++)
        g_clear_error (&g_array_index (self->pending, PreparedSample, i).error);
      g_clear_pointer (&self->pending, g_array_unref);
    }
  g_clear_pointer (&self->kernel_release, g_free);
}

/* The pid's maps changed (FALSE) or it is a new process (TRUE): every
 * worker's unwinder drops what it cached of it. */
static void
unwinders_invalidate (ScorchAnalyzer *self,
                      gint32          pid,
                      gboolean        forget)
{
  for (guint i = 0; i < MAX (self->n_workers, 1); i++)
    {
      ScorchUnwinder *u = i == 0 ? self->unwinder : (self->workers != NULL ? self->workers[i].unwinder : NULL);

      if (u == NULL)
        continue;
      if (forget)
        scorch_unwinder_forget (u, pid);
      else
        scorch_unwinder_invalidate (u, pid);
    }
}

/* How many threads unwind and look up addresses while loading a file:
 * SCORCH_LOAD_THREADS when set (1: the serial path, as the live path
 * always is), else one per CPU.  The profile is the same either way. */
static guint
default_n_workers (void)
{
  const char *env = g_getenv ("SCORCH_LOAD_THREADS");
  guint64 n = 0;

  if (env != NULL && env[0] != '\0')
    g_ascii_string_to_unsigned (env, 10, 1, MAX_WORKERS, &n, NULL);
  if (n == 0)
    n = CLAMP (g_get_num_processors (), 1, MAX_WORKERS);
  return (guint) n;
}

static void
workers_setup (ScorchAnalyzer *self,
               guint           n_workers)
{
  self->n_workers = MAX (n_workers, 1);
  if (self->n_workers == 1)
    return;
  self->workers = g_new0 (Worker, self->n_workers);
  for (guint i = 0; i < self->n_workers; i++)
    {
      Worker *w = &self->workers[i];

      w->analyzer = self;
      w->index = i;
      w->addrs = g_array_sized_new (FALSE, FALSE, sizeof (PreparedAddr), 4096);
      w->addrs_cap = 4096;
      w->done_addrs = g_array_sized_new (FALSE, FALSE, sizeof (PreparedAddr), 4096);
      w->done_cap = 4096;
      w->ips = g_new (guint64, SCORCH_UNWIND_MAX_DEPTH);
      if (i == 0)
        w->unwinder = self->unwinder;
      else
        {
          w->unwinder = scorch_unwinder_new (find_mapping_cb, self);
          scorch_unwinder_set_engine (w->unwinder, scorch_unwinder_get_engine (self->unwinder));
          scorch_unwinder_set_kernel_release (w->unwinder, self->kernel_release);
        }
    }
  self->batch = g_array_sized_new (FALSE, FALSE, sizeof (PreparedSample), BATCH_SAMPLES);
  self->pending = g_array_sized_new (FALSE, FALSE, sizeof (PreparedSample), BATCH_SAMPLES);
  self->batch_max = BATCH_SAMPLES;
  {
    /* Tests: small batches put many batch boundaries in a small capture. */
    const char *env = g_getenv ("SCORCH_LOAD_BATCH");
    guint64 n;

    if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, BATCH_SAMPLES, &n, NULL))
      self->batch_max = (guint) n;
  }
}

/* off-CPU, at commit: a switch-out takes the stack just built (the
 * serial path's handle_sample, in the same order); an on-CPU sample also
 * counts as its thread running. TRUE when the sample was a switch-out. */
static gboolean
off_cpu_commit_sample (ScorchAnalyzer       *self,
                       const PreparedSample *ps,
                       int                   sched)
{
  if (sched == SCHED_SWITCH)
    {
      scorch_off_cpu_switch_out (self->off_cpu, ps->s.time, ps->s.pid, ps->s.tid,
                                 self->stack, self->stack_len);
      return TRUE;
    }
  if (self->off_cpu != NULL)
    scorch_off_cpu_on_cpu (self->off_cpu, ps->s.time, ps->s.tid, sample_cpu_ns (ps->record.attr, &ps->s));
  return FALSE;
}

/* The memo's slot of a stack: its entry, or an empty slot for it. */
static StackMemo *
stack_memo_find (ScorchAnalyzer     *self,
                 guint64             hash,
                 const PreparedAddr *addrs,
                 guint               n)
{
  guint mask = self->stack_memo_cap - 1;
  const guint32 *keys = (const guint32 *) (gpointer) self->stack_memo_keys->data;

  for (guint i = (guint) hash & mask;; i = (i + 1) & mask)
    {
      StackMemo *m = &self->stack_memo[i];
      guint k;

      if (m->hash == 0)
        return m;
      if (m->hash != hash || m->n != n)
        continue;
      for (k = 0; k < n && keys[m->key + k] == addrs[k].entry; k++)
        ;
      if (k == n)
        return m;
    }
}

/* Adds the repeats of M's stack to its addresses' entries, as
 * commit_sample counts a sample: each entry once to total, the leaf's to
 * self. */
static void
stack_memo_flush_slot (ScorchAnalyzer *self,
                       StackMemo      *m)
{
  AddrEntry *entries = (AddrEntry *) (gpointer) self->addrs->data;
  const guint32 *keys = (const guint32 *) (gpointer) self->stack_memo_keys->data;
  /* a stamp no sample has (theirs are n_samples + 1) */
  guint64 stamp = self->flush_stamp--;

  if (m->hits == 0)
    return;
  for (guint k = 0; k < m->n; k++)
    {
      AddrEntry *e = &entries[keys[m->key + k]];

      if (e->stamp != stamp)
        {
          e->stamp = stamp;
          e->total += m->hits;
        }
    }
  if (m->leaf_addr != G_MAXUINT32)
    entries[m->leaf_addr].self += m->hits;
  m->hits = 0;
}

/* Every slot's repeats: before the slots go, and before the entries'
 * counts are read (scorch_analyzer_finish). */
static void
stack_memo_flush_hits (ScorchAnalyzer *self)
{
  for (guint i = 0; self->stack_memo != NULL && i < self->stack_memo_cap; i++)
    if (self->stack_memo[i].hits != 0)
      stack_memo_flush_slot (self, &self->stack_memo[i]);
}

static void
stack_memo_reset (ScorchAnalyzer *self,
                  guint           cap)
{
  stack_memo_flush_hits (self);
  g_free (self->stack_memo);
  self->stack_memo = g_new0 (StackMemo, cap);
  self->stack_memo_cap = cap;
  self->stack_memo_len = 0;
  g_array_set_size (self->stack_memo_keys, 0);
  g_array_set_size (self->stack_memo_diag, 0);
}

/* Keeps the stack just committed (its facts are in self->cur_*). */
static inline const char *
map_path (const ScorchProcMap *pm)
{
  return pm != NULL ? pm->map.path : NULL;
}

static void
stack_memo_add (ScorchAnalyzer          *self,
                guint64                  hash,
                const PreparedAddr      *addrs,
                guint                    n,
                guint32                  node,
                const ScorchCaptureAttr *attr)
{
  StackMemo *m;
  guint n_user = 0;

  if (node == SCORCH_NODE_NONE)
    return;
  if (self->stack_memo_keys == NULL)
    {
      self->stack_memo_keys = g_array_new (FALSE, FALSE, sizeof (guint32));
      self->stack_memo_diag = g_array_new (FALSE, FALSE, sizeof (StackMemoDiag));
      stack_memo_reset (self, STACK_MEMO_MIN);
    }
  /* Bounded: at the limit, start over (the stacks that repeat come back). */
  if (self->stack_memo_keys->len + n > STACK_MEMO_MAX_KEYS)
    stack_memo_reset (self, self->stack_memo_cap);
  if ((self->stack_memo_len + 1) * 2 > self->stack_memo_cap)
    {
      StackMemo *old = self->stack_memo;
      guint old_cap = self->stack_memo_cap;

      if (old_cap >= STACK_MEMO_MAX)
        stack_memo_reset (self, old_cap);
      else
        {
          self->stack_memo_cap = old_cap * 2;
          self->stack_memo = g_new0 (StackMemo, self->stack_memo_cap);
          for (guint i = 0; i < old_cap; i++)
            if (old[i].hash != 0)
              {
                guint mask = self->stack_memo_cap - 1;
                guint j = (guint) old[i].hash & mask;

                while (self->stack_memo[j].hash != 0)
                  j = (j + 1) & mask;
                self->stack_memo[j] = old[i];
              }
          g_free (old);
        }
    }

  m = stack_memo_find (self, hash, addrs, n);
  if (m->hash != 0)
    return;
  m->hash = hash;
  m->key = self->stack_memo_keys->len;
  m->n = n;
  for (guint i = 0; i < n; i++)
    g_array_append_val (self->stack_memo_keys, addrs[i].entry);
  m->node = node;
  m->leaf_addr = self->cur_leaf_addr;
  m->outer = self->stack_len > 0 ? self->stack[self->stack_len - 1] : SCORCH_NODE_NONE;
  m->n_user = self->cur_n_user;
  m->n_kernel = self->cur_n_kernel;
  m->leaf_i = m->outer_i = m->before_outer_i = 0;
  /* the positions of the user addresses note_user_address kept */
  for (guint i = 0; i < n; i++)
    if (!addrs[i].kernel)
      {
        if (n_user == 0)
          m->leaf_i = i;
        m->before_outer_i = m->outer_i;
        m->outer_i = i;
        n_user++;
      }
  m->leaf_frame = self->cur_leaf.frame;
  m->outer_frame = self->cur_outer.frame;
  m->before_outer_frame = self->cur_before_outer.frame;
  {
    StackMemoDiag d;

    d.repeat = self->cur_diag;
    d.attr = attr;
    d.leaf_path = m->n_user > 0 ? map_path (addrs[m->leaf_i].pm) : NULL;
    d.outer_path = m->n_user > 0 ? map_path (addrs[m->outer_i].pm) : NULL;
    d.before_outer_path = m->n_user > 1 ? map_path (addrs[m->before_outer_i].pm) : NULL;
    m->diag = self->stack_memo_diag->len;
    m->hits = 0;
    g_array_append_val (self->stack_memo_diag, d);
  }
  self->stack_memo_len++;
}

/* A repeat of a memo's stack: what commit_sample does from "counts its
 * addresses" on, without building the frames or walking the tree. */
static void
stack_memo_replay (ScorchAnalyzer       *self,
                   StackMemo            *m,
                   const PreparedSample *ps,
                   const PreparedAddr   *addrs)
{
  const StackMemoDiag *d;

  /* Its addresses' counts wait in the slot: adding one to each entry of
   * the stack here was a cache miss per address, on most samples. */
  if G_UNLIKELY (m->hits == G_MAXUINT32)
    stack_memo_flush_slot (self, m);
  m->hits++;

  if (self->off_cpu != NULL)
    scorch_off_cpu_on_cpu (self->off_cpu, ps->s.time, ps->s.tid, sample_cpu_ns (ps->record.attr, &ps->s));

  /* The same facts as the memo's first sample: counted again as they
   * were then (most samples; looking their places up by module and
   * function name was 15 % of this thread's instructions on fp-1M). */
  d = &g_array_index (self->stack_memo_diag, StackMemoDiag, m->diag);
  if (d->repeat.repeatable && d->attr == ps->record.attr &&
      (m->n_user == 0 || (map_path (addrs[m->leaf_i].pm) == d->leaf_path &&
                          map_path (addrs[m->outer_i].pm) == d->outer_path)) &&
      (m->n_user <= 1 || map_path (addrs[m->before_outer_i].pm) == d->before_outer_path))
    {
      scorch_diagnostics_repeat_sample (self->diagnostics, &d->repeat);
      count_truncated (self, m->outer != SCORCH_NODE_NONE && m->outer < self->entry_class->len &&
                             self->entry_class->data[m->outer] == ENTRY_YES,
                       m->n_user, m->outer);
    }
  else
    {
      self->cur_n_user = m->n_user;
      self->cur_n_kernel = m->n_kernel;
      if (m->n_user > 0)
        {
          self->cur_leaf = (RawAddress) { addrs[m->leaf_i].pm, addrs[m->leaf_i].k2, m->leaf_frame };
          self->cur_outer = (RawAddress) { addrs[m->outer_i].pm, addrs[m->outer_i].k2, m->outer_frame };
        }
      if (m->n_user > 1)
        self->cur_before_outer = (RawAddress) { addrs[m->before_outer_i].pm, addrs[m->before_outer_i].k2,
                                                m->before_outer_frame };
      diagnose_sample (self, &ps->s, ps->record.attr, FALSE, FALSE, ps->sp, m->outer);
    }

  scorch_profile_builder_add_sample_at (self->builder, ps->s.time, ps->s.pid, ps->s.tid, m->node, 1);
  self->n_samples++;
}

/* PS's prepared addresses: in its worker's done_addrs when PENDING (the
 * batch prepared the call before), else in its addrs. */
static inline const PreparedAddr *
prepared_addrs (ScorchAnalyzer       *self,
                const PreparedSample *ps,
                gboolean              pending)
{
  const Worker *w = &self->workers[ps->worker];

  return &g_array_index (pending ? w->done_addrs : w->addrs, PreparedAddr, ps->first);
}

/* In the loading thread, in sample order: the rest of handle_sample. */
static gboolean
commit_sample (ScorchAnalyzer *self,
               PreparedSample *ps,
               gboolean        pending,
               GError        **error)
{
  const PreparedAddr *addrs = prepared_addrs (self, ps, pending);
  guint32 node;
  int sched;

  if (ps->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&ps->error));
      return FALSE;
    }
  /* off-CPU: switch records and scheduler samples, in order */
  if (ps->record.type != PERF_RECORD_SAMPLE)
    return scorch_analyzer_add_record (self, &ps->record, error);
  sched = sched_event_kind (ps->record.attr);
  if (sched == SCHED_WAKEUP)
    {
      scorch_off_cpu_switch_in (self->off_cpu, ps->s.time, ps->s.tid);
      return TRUE;
    }

  if (ps->stack_hash != 0 && self->stack_memo != NULL && !ps->unwind_failed)
    {
      StackMemo *m = stack_memo_find (self, ps->stack_hash, addrs, ps->n);

      if (m->hash != 0)
        {
          stack_memo_replay (self, m, ps, addrs);
          self->n_memo_hits++;
          return TRUE;
        }
    }

  self->stack_len = 0;
  reset_sample_facts (self);

  for (guint i = 0; i <= ps->n; i++)
    {
      const PreparedAddr *a = i < ps->n ? &addrs[i] : NULL;
      guint32 entry;

      /* The unwind failed after the kernel part was pushed: as the serial
       * path, start the sample over before the fallback's addresses. */
      if (ps->unwind_failed && (a == NULL || !a->discard) && (i == 0 || addrs[i - 1].discard))
        {
          self->stack_len = 0;
          reset_sample_facts (self);
        }
      if (a == NULL)
        break;

      entry = a->entry;
      if (entry == ENTRY_NONE)
        {
          guint64 cached;

          /* maybe symbolized by an earlier sample of this batch */
          if (scorch_addr_map_lookup (&self->cache, a->k1, a->k2, &cached) ||
              (self->use_fresh && scorch_addr_map_lookup (&self->fresh, a->k1, a->k2, &cached)))
            entry = (guint32) cached;
          else
            entry = symbolize (self, ps->s.pid, a->pm, a->ip, a->kernel, a->k1, a->k2);
        }
      push_entry (self, a->pm, a->k2, a->kernel, entry);
    }
  if (ps->unwind_failed)
    self->n_unwind_failed++;

  if (off_cpu_commit_sample (self, ps, sched))
    return TRUE;

  diagnose_sample (self, &ps->s, ps->record.attr, ps->dwarf_tried, ps->unwind_failed, ps->sp,
                   self->stack_len > 0 ? self->stack[self->stack_len - 1] : SCORCH_NODE_NONE);

  if (self->cur_leaf_addr != G_MAXUINT32)
    g_array_index (self->addrs, AddrEntry, self->cur_leaf_addr).self++;

  node = add_stack (self, &ps->s);
  if (ps->stack_hash != 0 && !ps->unwind_failed)
    stack_memo_add (self, ps->stack_hash, addrs, ps->n, node, ps->record.attr);
  self->n_samples++;
  return TRUE;
}

/* Commits the prepared samples of BATCH in order (their addresses are in
 * each worker's done_addrs when PENDING, else in its addrs) and empties it. */
/* The addresses a sample will push, as commit_sample will read them;
 * RUNS: also their runs of frames (their entries must be in cache by
 * now, or this reads them). Memory only: the commit waits on these
 * loads, in arrays larger than the caches. */
/* PREFETCH_FN: GCC takes a function that only loads and prefetches for a
 * pure one (a prefetch counts as no side effect) and drops every call to
 * it, as its result is unused: these two did nothing until they were
 * inlined by force. */
#define PREFETCH_FN static inline __attribute__ ((always_inline)) void

PREFETCH_FN
commit_prefetch (ScorchAnalyzer       *self,
                 const PreparedSample *ps,
                 gboolean              pending,
                 gboolean              runs)
{
  const PreparedAddr *addrs = prepared_addrs (self, ps, pending);
  const AddrEntry *entries = (const AddrEntry *) (gpointer) self->addrs->data;
  const guint32 *run_data = (const guint32 *) (gpointer) self->runs->data;
  guint n = MIN (ps->n, 32);

  for (guint k = 0; k < n; k++)
    {
      guint32 entry = addrs[k].entry;

      if (entry == ENTRY_NONE || entry >= self->addrs->len)
        continue;
      if (runs)
        __builtin_prefetch (&run_data[entries[entry].run]);
      else
        __builtin_prefetch (&entries[entry]);
    }
}

/* The memo's slot a sample's stack hashes to (DEEP: also the key the
 * slot holds, when the slot is that stack's, read from the slot prefetched
 * before): most samples are memo hits, and the memo (up to 16 MB) and its
 * keys are read at random, a cache miss each that the commit waited on. */
PREFETCH_FN
memo_prefetch (ScorchAnalyzer       *self,
               const PreparedSample *ps,
               gboolean              deep)
{
  const StackMemo *m;

  if (ps->stack_hash == 0 || self->stack_memo == NULL)
    return;
  m = &self->stack_memo[(guint) ps->stack_hash & (self->stack_memo_cap - 1)];
  if (!deep)
    __builtin_prefetch (m);
  else if (m->hash == ps->stack_hash)
    {
      __builtin_prefetch (&g_array_index (self->stack_memo_keys, guint32, m->key));
      /* what stack_memo_replay reads first: the diagnostics' record */
      __builtin_prefetch (&g_array_index (self->stack_memo_diag, StackMemoDiag, m->diag));
    }
}

/* Whether the memo's slot of the sample's stack (prefetched MEMO_AHEAD
 * samples before) holds that stack: then it is most likely a repeat. */
static inline gboolean
memo_likely_hit (ScorchAnalyzer       *self,
                 const PreparedSample *ps)
{
  return ps->stack_hash != 0 && self->stack_memo != NULL &&
         self->stack_memo[(guint) ps->stack_hash & (self->stack_memo_cap - 1)].hash == ps->stack_hash;
}

/* The sample's prepared addresses, as stack_memo_find will compare them. */
PREFETCH_FN
addrs_prefetch (ScorchAnalyzer       *self,
                const PreparedSample *ps,
                gboolean              pending)
{
  const guint8 *p = (const guint8 *) prepared_addrs (self, ps, pending);
  gsize len = MIN (ps->n, 32) * sizeof (PreparedAddr);

  for (gsize off = 0; off < len; off += 64)
    __builtin_prefetch (p + off);
}

static gboolean
commit_batch (ScorchAnalyzer *self,
              GArray         *batch,
              gboolean        pending,
              GError        **error)
{
  const PreparedSample *samples = (const PreparedSample *) (gpointer) batch->data;
  gboolean ok = TRUE;
  guint i;

  for (i = 0; i < batch->len && ok; i++)
    {
      if (i + MEMO_AHEAD < batch->len)
        memo_prefetch (self, &samples[i + MEMO_AHEAD], FALSE);
      /* A repeat of a kept stack (most samples) reads its prepared
       * addresses (stack_memo_find) but no entry of the cache: only a
       * new stack's entries and runs are worth loading ahead. */
      if (i + 2 < batch->len)
        {
          if (memo_likely_hit (self, &samples[i + 2]))
            addrs_prefetch (self, &samples[i + 2], pending);
          else
            commit_prefetch (self, &samples[i + 2], pending, FALSE);
          memo_prefetch (self, &samples[i + 2], TRUE);
        }
      if (i + 1 < batch->len && !memo_likely_hit (self, &samples[i + 1]))
        commit_prefetch (self, &samples[i + 1], pending, TRUE);
      ok = commit_sample (self, &g_array_index (batch, PreparedSample, i), pending, error);
    }
  for (; i < batch->len; i++)
    g_clear_error (&g_array_index (batch, PreparedSample, i).error);
  g_array_set_size (batch, 0);
  return ok;
}

/* Opens BATCH to the workers. */
static void
prepare_open (ScorchAnalyzer *self,
              GArray         *batch)
{
  if (!self->pool_started)
    workers_start (self);
  self->pool_batch = batch;

  for (guint i = 0; i < self->n_workers; i++)
    g_array_set_size (self->workers[i].addrs, 0);
  g_atomic_int_set (&self->pool_next, 0);

  scorch_mutex_lock (&self->pool_mutex);
  self->pool_open = TRUE;
  self->pool_generation++;
  g_cond_broadcast (&self->pool_cond);
  scorch_mutex_unlock (&self->pool_mutex);
}

/* The loading thread takes samples too, until none is left; then it
 * waits only for the workers that joined (not for those a busy machine
 * has not scheduled yet). */
static void
prepare_close (ScorchAnalyzer *self)
{
  prepare_batch_part (&self->workers[0]);

  scorch_mutex_lock (&self->pool_mutex);
  self->pool_open = FALSE;
  while (self->pool_active > 0)
    {
      scorch_tsan_release (&self->pool_mutex);
      g_cond_wait (&self->pool_cond, &self->pool_mutex);
      scorch_tsan_acquire (&self->pool_mutex);
    }
  scorch_mutex_unlock (&self->pool_mutex);
}

/* Puts what the commit added to fresh into the cache: only while no
 * worker reads the cache. Emptied in the same pass, slot by slot: freeing
 * it and calloc'ing 1024 slots again after each batch was fresh memory (and
 * a memset) for every batch of the load. A map grown large by one batch of
 * many new addresses is made small again, so that the pass stays short. */
static void
merge_fresh (ScorchAnalyzer *self)
{
  self->use_fresh = FALSE;
  if (self->fresh.len == 0)
    return;
  for (gsize i = 0; i <= self->fresh.mask; i++)
    {
      ScorchAddrMapSlot *slot = &self->fresh.slots[i];

      if (slot->stored != 0)
        {
          scorch_addr_map_insert (&self->cache, slot->k1, slot->k2, slot->stored - 1);
          slot->stored = 0;
        }
    }
  if (self->fresh.mask + 1 > FRESH_SLOTS)
    {
      scorch_addr_map_clear (&self->fresh);
      scorch_addr_map_init (&self->fresh, FRESH_SLOTS);
    }
  self->fresh.len = 0;
}

/* Waits for the workers to finish pending (this thread takes samples of
 * it too); its addresses are then in each worker's done_addrs. */
static void
pending_close (ScorchAnalyzer *self)
{
  if (!self->pending_open)
    return;
  prepare_close (self);
  self->pending_open = FALSE;
  for (guint i = 0; i < self->n_workers; i++)
    {
      Worker *w = &self->workers[i];
      GArray *t = w->done_addrs;
      guint cap = w->done_cap;

      w->done_addrs = w->addrs;
      w->done_cap = w->addrs_cap;
      w->addrs = t;
      w->addrs_cap = cap;
    }
}

/* Prepares the batch on every worker and commits it in order. With
 * overlap (and not SYNC), the batch just queued is prepared while this
 * thread commits the one before it and then reads the next: it waits in
 * pending (pending_open), and the next call commits it. Before, the
 * workers started on a batch only when this thread was done reading it,
 * and this thread, the bottleneck, took a fifth of the samples to prepare
 * itself at the end of each batch (fp-1M). SYNC: everything queued is
 * committed on return (the process table is about to change, or the load
 * ends). */
static gboolean
run_batch_full (ScorchAnalyzer *self,
                gboolean        sync,
                GError        **error)
{
  gboolean ok;

  if (self->batch == NULL)
    return TRUE;
  if (self->batch->len == 0 && (!sync || (self->pending->len == 0 && !self->pending_open)))
    return TRUE;

  /* The workers read the address cache and the process table: while they
   * run, the commit adds new addresses to fresh, and no record changes the
   * process table before everything queued is committed (sync). */
  pending_close (self);
  merge_fresh (self);

  if (sync || !self->overlap)
    {
      if (self->pending->len > 0 && !commit_batch (self, self->pending, TRUE, error))
        return FALSE;
      if (self->batch->len == 0)
        return TRUE;
      prepare_open (self, self->batch);
      prepare_close (self);
      ok = commit_batch (self, self->batch, FALSE, error);
      self->batch_bytes = 0;
      return ok;
    }

  prepare_open (self, self->batch);
  self->pending_open = TRUE;
  self->use_fresh = TRUE;
  ok = self->pending->len == 0 || commit_batch (self, self->pending, TRUE, error);
  {
    GArray *t = self->pending;

    self->pending = self->batch;
    self->batch = t;
  }
  self->batch_bytes = 0;
  return ok;
}

static gboolean
run_batch (ScorchAnalyzer *self,
           GError        **error)
{
  return run_batch_full (self, TRUE, error);
}

/* A record for the batch: a sample, or (off-CPU) a switch record that
 * waits after the samples before it (commit_sample hands it to
 * scorch_analyzer_add_record). */
static gboolean
queue_record (ScorchAnalyzer     *self,
              const ScorchRecord *record,
              GError            **error)
{
  GArray *batch = self->batch;
  PreparedSample *ps;

  /* Once per sample, on the committing thread: both batch arrays were
   * made for BATCH_SAMPLES (workers_setup) and a batch runs at
   * batch_max <= BATCH_SAMPLES, so the slot is there; g_array_set_size
   * was two calls a sample (5 % of that thread's instructions on fp-1M
   * with the copy below). */
  if G_LIKELY (batch->len < BATCH_SAMPLES)
    ps = &((PreparedSample *) (gpointer) batch->data)[batch->len++];
  else
    {
      g_array_set_size (batch, batch->len + 1);
      ps = &g_array_index (batch, PreparedSample, batch->len - 1);
    }
  /* Not the whole struct: s is set by the parse in prepare_sample, and
   * read only after it succeeded. */
  ps->record = *record;
  ps->error = NULL;
  ps->worker = 0;
  ps->first = 0;
  ps->n = 0;
  ps->sp = 0;
  ps->dwarf_tried = FALSE;
  ps->unwind_failed = FALSE;
  self->batch_bytes += record->size;
  if (self->batch->len >= self->batch_max || self->batch_bytes >= BATCH_BYTES)
    return run_batch_full (self, FALSE, error);
  return TRUE;
}

/* A sample for the batch; what handle_sample decides before parsing is
 * decided here, in record order. */
static gboolean
queue_sample (ScorchAnalyzer     *self,
              const ScorchRecord *record,
              GError            **error)
{
  const ScorchCaptureAttr *attr = record->attr;

  if (attr == NULL)
    {
      self->n_unknown_id++;
      return TRUE;
    }
  choose_main_event (self, attr);
  if (self->off_cpu != NULL && record->has_time)
    scorch_off_cpu_saw_time (self->off_cpu, record->time);
  if (attr != self->main_attr && !off_cpu_queues_sample (self, attr))
    {
      ScorchSampleData s;

      /* The serial path parses it before it skips it: the same error, after
       * those of the samples before it. */
      if (!scorch_capture_attrs_parse_sample (self->attrs, record, &s, NULL))
        return run_batch (self, error) && scorch_capture_attrs_parse_sample (self->attrs, record, &s, error);
      skip_other_event (self, attr);
      return TRUE;
    }

  return queue_record (self, record, error);
}

/* Records after which the samples waiting must see the new state. */
static inline gboolean
changes_sample_state (guint32 type)
{
  return type == PERF_RECORD_COMM || type == PERF_RECORD_MMAP || type == PERF_RECORD_MMAP2 ||
         type == PERF_RECORD_FORK || type == PERF_RECORD_EXIT;
}

gboolean
scorch_analyzer_add_record (ScorchAnalyzer     *self,
                            const ScorchRecord *record,
                            GError            **error)
{
  g_return_val_if_fail (!self->finished, FALSE);

  if (self->off_cpu != NULL && record->has_time)
    scorch_off_cpu_saw_time (self->off_cpu, record->time);
  if (record->type == PERF_RECORD_SAMPLE)
    return handle_sample (self, record, error);

  switch (record->type)
    {
    case PERF_RECORD_COMM:
      {
        ScorchPerfComm c;
        g_autofree char *comm = NULL;

        if (!scorch_perf_record_get_comm (record, &c, error))
          return FALSE;
        comm = g_strndup (c.comm, c.comm_len);
        if (scorch_proc_table_comm (self->procs, c.pid, c.tid, comm, c.exec, record->time))
          unwinders_invalidate (self, c.pid, FALSE);
        scorch_profile_builder_set_thread_name (self->builder, c.pid, c.tid, comm);
      }
      break;

    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2:
      {
        ScorchPerfMmap m;

        if (!scorch_perf_record_get_mmap (record, &m, error))
          return FALSE;

        /* Kernel maps: the symbolizer reads kallsyms itself. */
        if (m.kernel || m.pid == -1)
          break;

        scorch_proc_table_mmap (self->procs, &m, record->time);
        if (m.prot & PROT_EXEC)
          unwinders_invalidate (self, m.pid, FALSE);
      }
      break;

    case PERF_RECORD_FORK:
      {
        ScorchPerfTask t;

        if (!scorch_perf_record_get_task (record, &t, error))
          return FALSE;
        scorch_proc_table_fork (self->procs, t.pid, t.ppid, t.tid, t.ptid, record->time);
        if (t.pid != t.ppid)
          unwinders_invalidate (self, t.pid, TRUE);
        {
          const char *comm = scorch_proc_table_get_comm (self->procs, t.tid);

          if (comm != NULL)
            scorch_profile_builder_set_thread_name (self->builder, t.pid, t.tid, comm);
        }
      }
      break;

    case PERF_RECORD_EXIT:
      {
        ScorchPerfTask t;

        if (!scorch_perf_record_get_task (record, &t, error))
          return FALSE;
        scorch_proc_table_exit (self->procs, t.pid, t.tid, record->time);
        if (self->off_cpu != NULL && record->has_time)
          scorch_off_cpu_exit (self->off_cpu, record->time, t.tid);
      }
      break;

    case PERF_RECORD_SWITCH:
    case PERF_RECORD_SWITCH_CPU_WIDE:
      if (off_cpu_tracker (self) != NULL)
        {
          ScorchPerfSwitch sw;

          if (!scorch_perf_record_get_switch (record, &sw, error))
            return FALSE;
          /* in: this thread runs again; out (CPU-wide): the next one does */
          if (!sw.out && record->has_time)
            scorch_off_cpu_switch_in (self->off_cpu, record->time, record->tid);
          else if (sw.out && record->has_time && record->type == PERF_RECORD_SWITCH_CPU_WIDE)
            scorch_off_cpu_switch_in (self->off_cpu, record->time, sw.next_prev_tid);
        }
      break;

    case PERF_RECORD_LOST:
    case PERF_RECORD_LOST_SAMPLES:
      {
        ScorchPerfLost l;

        if (!scorch_perf_record_get_lost (record, &l, error))
          return FALSE;
        self->n_lost += l.lost;
      }
      break;

    default:
      break;
    }

  return TRUE;
}

gboolean
scorch_analyzer_add_raw_record (ScorchAnalyzer *self,
                                const guint8   *data,
                                gsize           len,
                                GError        **error)
{
  ScorchRecord record;

  if (!scorch_capture_attrs_parse_record (self->attrs, data, len, 0, &record, error))
    return FALSE;
  return scorch_analyzer_add_record (self, &record, error);
}

static int
compare_live_queued (gconstpointer a,
                     gconstpointer b)
{
  const LiveQueued *qa = a;
  const LiveQueued *qb = b;

  if (qa->time != qb->time)
    return qa->time < qb->time ? -1 : 1;
  return qa->seq < qb->seq ? -1 : (qa->seq > qb->seq);
}

/* Analyzes the queued records with a time up to limit, in time order, and
 * keeps the others. */
static void
live_flush (ScorchAnalyzer *self,
            guint64         limit)
{
  g_autoptr(GByteArray) rest = NULL;
  guint kept = 0;

  if (self->live_queue == NULL || self->live_queue->len == 0)
    return;

  g_array_sort (self->live_queue, compare_live_queued);
  rest = g_byte_array_new ();

  for (guint i = 0; i < self->live_queue->len; i++)
    {
      LiveQueued *q = &g_array_index (self->live_queue, LiveQueued, i);

      if (q->time <= limit)
        {
          g_autoptr(GError) error = NULL;

          if (!scorch_analyzer_add_raw_record (self, self->live_bytes->data + q->offset, q->size, &error))
            g_debug ("live record skipped: %s", error->message);
        }
      else
        {
          LiveQueued moved = *q;

          moved.offset = rest->len;
          g_byte_array_append (rest, self->live_bytes->data + q->offset, q->size);
          g_array_index (self->live_queue, LiveQueued, kept++) = moved;
        }
    }

  g_array_set_size (self->live_queue, kept);
  g_byte_array_unref (self->live_bytes);
  self->live_bytes = g_steal_pointer (&rest);
}

gboolean
scorch_analyzer_queue_raw_record (ScorchAnalyzer *self,
                                  const guint8   *data,
                                  gsize           len,
                                  GError        **error)
{
  struct perf_event_header header;
  ScorchRecord record;
  LiveQueued q;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  if (!scorch_perf_record_parse_header (data, len, 0, &header, error))
    return FALSE;
  if (header.type == SCORCH_PERF_RECORD_FINISHED_ROUND)
    {
      scorch_analyzer_finish_round (self);
      return TRUE;
    }

  if (!scorch_capture_attrs_parse_record (self->attrs, data, len, 0, &record, error))
    return FALSE;

  /* As perf: records without a time go through at once, in arrival order. */
  if (!record.has_time || record.time == 0 || record.time == G_MAXUINT64)
    return scorch_analyzer_add_record (self, &record, error);

  if (self->live_queue == NULL)
    {
      self->live_queue = g_array_new (FALSE, FALSE, sizeof (LiveQueued));
      self->live_bytes = g_byte_array_new ();
    }

  q.time = record.time;
  q.seq = self->live_seq++;
  q.offset = self->live_bytes->len;
  q.size = record.size;
  g_byte_array_append (self->live_bytes, data, record.size);
  g_array_append_val (self->live_queue, q);
  if (record.time > self->live_max_time)
    self->live_max_time = record.time;

  return TRUE;
}

void
scorch_analyzer_finish_round (ScorchAnalyzer *self)
{
  g_return_if_fail (self != NULL);

  live_flush (self, self->live_next_flush);
  self->live_next_flush = self->live_max_time;
}

void
scorch_analyzer_flush_queued (ScorchAnalyzer *self)
{
  g_return_if_fail (self != NULL);

  live_flush (self, G_MAXUINT64);
}

gboolean
scorch_analyzer_load_reader (ScorchAnalyzer         *self,
                             ScorchCaptureReader    *reader,
                             GCancellable           *cancellable,
                             ScorchAnalyzerProgress  progress,
                             gpointer                progress_data,
                             GError                **error)
{
  ScorchRecord record;
  guint64 count = 0;
  guint64 data_size = MAX (1, scorch_capture_reader_get_data_size (reader));
  GError *local_error = NULL;
  gboolean parallel;

  g_return_val_if_fail (!self->finished, FALSE);

  scorch_analyzer_set_capture_info (self, reader);
  /* kallsyms is read on another thread while the records are */
  if (!self->offline)
    scorch_symbolizer_prefetch_kernel (self->symbolizer);

  /* Records are read in order here; samples are unwound and looked up by
   * several workers in batches, and committed in order (run_batch). */
  if (self->workers == NULL)
    {
      g_free (self->kernel_release);
      self->kernel_release = g_strdup (scorch_capture_reader_get_osrelease (reader));
      workers_setup (self, default_n_workers ());
    }
  /* Off-CPU time pairs scheduler samples with the records around them in
   * file order, which the batches would reorder: such captures (only those
   * recorded with --off-cpu or perf's sched events) load on one thread.
   * So do portable captures and packing (scorch-portable.h): their stored
   * stacks are matched to DWARF samples in file order. */
  parallel = self->n_workers > 1 && self->portable == NULL && self->portable_out == NULL;
  /* off-CPU captures too: switch records wait in the batch with the
   * samples (queue_record) */
  (void) off_cpu_tracker (self);
  /* Frame-pointer captures: a batch is prepared while the one before it
   * is committed (run_batch_full), so that the workers are busy while
   * this thread reads and commits. Not with DWARF unwinding (the
   * unwinders and the symbolizer would then run at once) nor off-CPU
   * records (committed through scorch_analyzer_add_record). */
  self->overlap = parallel && self->off_cpu == NULL;
  for (guint i = 0; self->overlap && i < scorch_capture_attrs_get_n_attrs (self->attrs); i++)
    if (scorch_capture_attrs_get_attr (self->attrs, i)->attr.sample_type & PERF_SAMPLE_STACK_USER)
      self->overlap = FALSE;
  /* This thread will be the bottleneck and another CPU mostly idle: the
   * memory the load will touch is faulted in there (scorch-heap.c). A
   * frame-pointer load touches about 1 to 4 times the size of its
   * records (fp-1M: 66 MB for 55, fp-100k: 45 MB for 13). */
  if (self->overlap)
    scorch_heap_populate (4 * data_size);

  while (scorch_capture_reader_next (reader, &record, &local_error))
    {
      if (parallel && record.type == PERF_RECORD_SAMPLE)
        {
          if (!queue_sample (self, &record, error))
            goto failed;
        }
      else if (parallel && off_cpu_batched_record (self, &record))
        {
          if (!queue_record (self, &record, error))
            goto failed;
        }
      else
        {
          if (parallel && changes_sample_state (record.type) && !run_batch (self, error))
            goto failed;
          if (!scorch_analyzer_add_record (self, &record, error))
            goto failed;
        }
      if (++count % 8192 == 0)
        {
          if (parallel && !run_batch_full (self, FALSE, error))
            goto failed;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto failed;
          if (progress != NULL)
            progress ((gdouble) scorch_capture_reader_get_position (reader) / data_size,
                      self->n_samples, progress_data);
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      goto failed;
    }
  if (parallel)
    {
      if (!run_batch (self, error))
        goto failed;
      /* the threads end with the load; the workers' unwinders stay */
      workers_stop (self);
    }
  for (guint i = 0; i < scorch_capture_reader_get_n_warnings (reader); i++)
    g_ptr_array_add (self->warnings, g_strdup (scorch_capture_reader_get_warning (reader, i)));
  if (progress != NULL)
    progress (1.0, self->n_samples, progress_data);
  return TRUE;

failed:
  /* no worker may still read the batch, the cache or the process table */
  if (parallel)
    pending_close (self);
  return FALSE;
}

/* The parts of the diagnostics that need the built profile: totals and
 * modules without symbols; then the classification and advice. */
static void
finish_diagnostics (ScorchAnalyzer *self,
                    ScorchProfile  *profile)
{
  g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) unnamed = g_hash_table_new (g_str_hash, g_str_equal);
  const ScorchThread *threads;
  const ScorchHotspot *hotspots;
  guint n_threads = 0, n_hotspots = 0;
  guint64 begin = 0, end = 0;
  GHashTableIter iter;
  gpointer key, value;

  threads = scorch_profile_get_threads (profile, &n_threads);
  for (guint i = 0; i < n_threads; i++)
    g_hash_table_add (pids, GINT_TO_POINTER (threads[i].pid));
  scorch_profile_get_time_bounds (profile, &begin, &end);
  scorch_diagnostics_set_totals (self->diagnostics, scorch_profile_get_n_all_samples (profile),
                                 end > begin ? end - begin : 0, n_threads, g_hash_table_size (pids));
  scorch_diagnostics_set_lost (self->diagnostics, self->n_lost);
  if (self->n_other_events > 0)
    {
      g_autofree char *names = other_event_names (self);

      scorch_diagnostics_set_other_events (self->diagnostics, self->n_other_events, names);
    }

  /* A module's unnamed code: the samples under its hottest unnamed frame
   * (a lower bound of the samples that touch it). */
  hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  for (guint i = 0; i < n_hotspots; i++)
    {
      const ScorchFrame *f = scorch_profile_get_frame (profile, hotspots[i].frame);
      guint64 seen;

      if (f->kind != SCORCH_FRAME_KIND_UNKNOWN || f->module == NULL || f->module[0] != '/')
        continue;
      seen = GPOINTER_TO_SIZE (g_hash_table_lookup (unnamed, f->module));
      if (hotspots[i].total > seen)
        g_hash_table_insert (unnamed, (gpointer) f->module, GSIZE_TO_POINTER (hotspots[i].total));
    }
  g_hash_table_iter_init (&iter, unnamed);
  while (g_hash_table_iter_next (&iter, &key, &value))
    scorch_diagnostics_add_unnamed_module (self->diagnostics, key, GPOINTER_TO_SIZE (value));

  scorch_diagnostics_finish (self->diagnostics);
}

static void
update_info (ScorchAnalyzer *self)
{
  ScorchProfileInfo *info = scorch_profile_builder_get_info (self->builder);
  GHashTableIter iter;
  gpointer key, value;


  info->n_lost = self->n_lost;
  info->n_truncated = self->n_truncated;
  info->n_unwind_failed = self->n_unwind_failed;
  g_clear_pointer (&info->warnings, g_ptr_array_unref);
  if (self->warnings->len > 0 || self->n_unknown_id > 0)
    {
      info->warnings = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < self->warnings->len; i++)
        g_ptr_array_add (info->warnings, g_strdup (g_ptr_array_index (self->warnings, i)));
      if (self->n_unknown_id > 0)
        g_ptr_array_add (info->warnings,
                         g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "%" G_GUINT64_FORMAT " sample had an event id that matches no event of the capture and was dropped",
                                                       "%" G_GUINT64_FORMAT " samples had an event id that matches no event of the capture and were dropped",
                                                       self->n_unknown_id),
                                          self->n_unknown_id));
    }
  g_clear_pointer (&info->truncated_by_module, g_hash_table_unref);
  info->truncated_by_module = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  {
    /* module strings are interned: one count per pointer, then per name */
    g_autoptr(GHashTable) by_module = g_hash_table_new (NULL, NULL);
    const guint64 *counts = (const guint64 *) (gpointer) self->truncated_by_frame->data;

    for (guint frame = 0; frame < self->truncated_by_frame->len; frame++)
      {
        const char *module;

        if (counts[frame] == 0)
          continue;
        module = g_ptr_array_index (self->frame_module, frame);
        g_hash_table_insert (by_module, (gpointer) module,
                             GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (by_module, module)) + counts[frame]));
      }
    g_hash_table_iter_init (&iter, by_module);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_hash_table_insert (info->truncated_by_module, g_strdup (key), value);
  }
}

ScorchProfile *
scorch_analyzer_snapshot (ScorchAnalyzer *self)
{
  g_return_val_if_fail (!self->finished, NULL);

  /* No diagnostics on snapshots: they are read on another thread while
   * the analyzer goes on. */
  update_info (self);
  {
    ScorchProfile *profile = scorch_profile_builder_snapshot (self->builder);

    off_cpu_snapshot (self, profile);
    return profile;
  }
}

/* The per-address counts of the user addresses in a file mapping, for
 * the annotation; the analyzer's arrays are handed over (it takes no more
 * records once finished). */
static ScorchAddrSamples *
make_addr_samples (ScorchAnalyzer *self)
{
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (ScorchAddrSample));
  GArray *modules = g_steal_pointer (&self->addr_module_list);

  for (guint i = 0; i < self->addrs->len; i++)
    {
      const AddrEntry *e = &g_array_index (self->addrs, AddrEntry, i);
      ScorchAddrSample s;

      if (e->module == G_MAXUINT32 || e->total == 0)
        continue;
      s.module = e->module;
      s.run = e->run;
      s.offset = e->offset;
      s.self = e->self;
      s.total = e->total;
      g_array_append_val (samples, s);
    }
  self->addr_module_list = g_array_new (FALSE, FALSE, sizeof (ScorchAddrModule));
  g_hash_table_remove_all (self->addr_modules);
  return scorch_addr_samples_new (modules, samples, g_array_ref (self->runs));
}

ScorchProfile *
scorch_analyzer_finish (ScorchAnalyzer *self)
{
  g_return_val_if_fail (!self->finished, NULL);

  update_info (self);
  scorch_profile_builder_get_info (self->builder)->diagnostics = scorch_diagnostics_ref (self->diagnostics);
  {
    g_autoptr(GPtrArray) problems = scorch_symbolizer_dup_problems (self->symbolizer);

    for (guint i = 0; problems != NULL && i < problems->len; i++)
      g_debug ("%s", (const char *) g_ptr_array_index (problems, i));
    g_debug ("%" G_GUINT64_FORMAT " samples, %u unique addresses symbolized, %u modules",
             self->n_samples, (guint) self->cache.len, scorch_proc_table_get_n_modules (self->procs));
    if (self->stack_memo != NULL)
      g_debug ("%" G_GUINT64_FORMAT " samples repeated one of %u stacks kept", self->n_memo_hits,
               self->stack_memo_len);
  }
  self->finished = TRUE;
  stack_memo_flush_hits (self);
  {
    g_autoptr(ScorchAddrSamples) addr_samples = make_addr_samples (self);
    ScorchProfile *profile;

    scorch_profile_builder_set_addr_samples (self->builder, addr_samples);
    profile = scorch_profile_builder_end (g_steal_pointer (&self->builder));

    finish_diagnostics (self, profile);
    if (self->off_cpu != NULL)
      scorch_off_cpu_finish (self->off_cpu, profile);
    return profile;
  }
}
