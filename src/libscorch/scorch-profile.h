/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-profile.h: the immutable result of a load (see DESIGN.md, "Profile") */

#pragma once

#include <gio/gio.h>

#include "scorch-addr-samples.h"
#include "scorch-diagnostics.h"

G_BEGIN_DECLS

#define SCORCH_NODE_NONE G_MAXUINT32
#define SCORCH_PROFILE_ROOT 0 /* node 0 is the synthetic root ("all samples") */

typedef enum
{
  SCORCH_FRAME_KIND_UNKNOWN = 0, /* nothing names the address: "module+0xOFFSET" or "[unknown]" */
  SCORCH_FRAME_KIND_USER,
  SCORCH_FRAME_KIND_KERNEL,
  SCORCH_FRAME_KIND_INLINED,     /* an inline frame reconstructed from DWARF */
  SCORCH_FRAME_KIND_JIT,         /* named by /tmp/perf-PID.map */
  SCORCH_FRAME_KIND_ROOT,        /* the synthetic root only */
  SCORCH_N_FRAME_KINDS
} ScorchFrameKind;

/* One function: frames are interned by (function, module, kind), so the
 * flame graph merges calls of the same function and the hotspot table has
 * one row per frame id.  Strings are owned by the profile. */
typedef struct
{
  const char      *function;  /* never NULL */
  const char      *module;    /* basename-free path or "[kernel.kallsyms]"; never NULL, may be "" */
  const char      *file;      /* source file of the function, or NULL */
  guint            line;      /* 0 when unknown */
  ScorchFrameKind  kind;
} ScorchFrame;

/* The call tree in flat arrays. Nodes are appended so that a parent's index
 * is always lower than its children's.  self/total count samples. */
typedef struct
{
  guint32 parent;        /* SCORCH_NODE_NONE for the root */
  guint32 frame;         /* index into the frame table */
  guint32 first_child;   /* SCORCH_NODE_NONE when a leaf */
  guint32 next_sibling;  /* SCORCH_NODE_NONE when last */
  guint32 depth;         /* root is 0 */
  guint32 flags;         /* SCORCH_NODE_FLAG_* */
} ScorchNode;

/* Set on a node whose frame also appears in one of its ancestors: its total
 * is already counted in that ancestor's function total. */
#define SCORCH_NODE_FLAG_RECURSIVE (1u << 0)

typedef struct
{
  guint64 time;   /* nanoseconds, perf clock; 0 when unknown (folded stacks) */
  gint32  pid;
  gint32  tid;
  guint32 node;   /* leaf node of the stack */
  guint32 weight; /* number of samples this entry stands for (1 from perf.data, N from folded) */
} ScorchSample;

typedef struct
{
  gint32      pid;
  gint32      tid;
  const char *name;      /* thread name (comm), owned by the profile */
  guint64     n_samples; /* in the current view */
} ScorchThread;

/* Per-function figures. total counts each sample once even under recursion. */
typedef struct
{
  guint32 frame;
  guint64 self;
  guint64 total;
} ScorchHotspot;

typedef struct
{
  guint64 n_lost;              /* samples the kernel reported lost */
  guint64 n_truncated;         /* stacks that did not reach their thread's entry */
  guint64 n_unwind_failed;     /* DWARF unwinds that failed (FP fallback used) */
  char   *event_name;          /* e.g. "cpu-clock"; may be NULL */
  char   *hostname;            /* may be NULL */
  char   *command_line;        /* may be NULL */
  GHashTable *truncated_by_module; /* module name (char *) -> count (GUINT_TO_POINTER) or NULL */
  GPtrArray  *warnings;        /* of char *, or NULL: damage read around, for the user */
  ScorchDiagnostics *diagnostics;  /* capture facts and unwind diagnostics (referenced), or NULL */
  GHashTable *build_ids;       /* module path (char *) -> build id in lowercase hex (char *), from the
                                * capture's build-id table; or NULL. Referenced, never changed once set */
} ScorchProfileInfo;

#define SCORCH_TYPE_PROFILE (scorch_profile_get_type ())
G_DECLARE_FINAL_TYPE (ScorchProfile, scorch_profile, SCORCH, PROFILE, GObject)

typedef struct _ScorchProfileBuilder ScorchProfileBuilder;

/* The order of a stack's frames handed to the builder. */
typedef enum
{
  SCORCH_FRAME_ORDER_ROOT_FIRST = 0, /* frames[0] is the outermost caller, the last the leaf */
  SCORCH_FRAME_ORDER_LEAF_FIRST,     /* frames[0] is the leaf (the order of perf callchains) */
} ScorchFrameOrder;

/* One sample for the builder: the stack frames[0..n_frames) of interned
 * frame ids in ORDER (root first when left 0), counted WEIGHT times. One
 * struct for every caller, so that the order is a field and not a second
 * function with the same seven parameters. */
typedef struct
{
  guint64           time;
  gint32            pid;
  gint32            tid;
  const guint32    *frames;
  guint             n_frames;
  ScorchFrameOrder  order;
  guint32           weight;
} ScorchProfileSample;

/* Building (single thread; the loader owns the builder). */
ScorchProfileBuilder *scorch_profile_builder_new            (void);
void                  scorch_profile_builder_free           (ScorchProfileBuilder *builder);
guint32               scorch_profile_builder_intern_frame   (ScorchProfileBuilder *builder,
                                                             const char           *function,
                                                             const char           *module,
                                                             const char           *file,
                                                             guint                 line,
                                                             ScorchFrameKind       kind);
/* Adds SAMPLE (its frames are copied into the tree). Returns the node the
 * sample was added to (SCORCH_NODE_NONE when its weight is 0): a later
 * sample of the same stack can be added there with
 * scorch_profile_builder_add_sample_at (the tree only grows). */
guint32               scorch_profile_builder_add_sample     (ScorchProfileBuilder      *builder,
                                                             const ScorchProfileSample *sample);
void                  scorch_profile_builder_add_sample_at  (ScorchProfileBuilder *builder,
                                                             guint64               time,
                                                             gint32                pid,
                                                             gint32                tid,
                                                             guint32               node,
                                                             guint32               weight);
void                  scorch_profile_builder_set_thread_name (ScorchProfileBuilder *builder,
                                                              gint32                pid,
                                                              gint32                tid,
                                                              const char           *name);
/* The info is copied; strings and the hash table are taken over by the builder. */
ScorchProfileInfo    *scorch_profile_builder_get_info       (ScorchProfileBuilder *builder);
/* Per-address counts for the annotation (referenced); NULL: none. */
void                  scorch_profile_builder_set_addr_samples (ScorchProfileBuilder *builder,
                                                               ScorchAddrSamples    *addr_samples);
/* The profile of what was added so far; the builder goes on (live view). */
ScorchProfile        *scorch_profile_builder_snapshot       (ScorchProfileBuilder *builder);
/* The final profile; the builder is freed. */
ScorchProfile        *scorch_profile_builder_end            (ScorchProfileBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchProfileBuilder, scorch_profile_builder_free)

/* Reading. Arrays are borrowed and live as long as the profile. */
const ScorchFrame       *scorch_profile_get_frames      (ScorchProfile *self,
                                                         guint         *n_frames);
const ScorchFrame       *scorch_profile_get_frame       (ScorchProfile *self,
                                                         guint32        frame);
const ScorchNode        *scorch_profile_get_nodes       (ScorchProfile *self,
                                                         guint         *n_nodes);
/* Counts for the current view (filtered profiles share nodes but not counts). */
const guint64           *scorch_profile_get_node_self   (ScorchProfile *self);
const guint64           *scorch_profile_get_node_total  (ScorchProfile *self);
const ScorchSample      *scorch_profile_get_samples     (ScorchProfile *self,
                                                         guint         *n_samples);
guint64                  scorch_profile_get_total       (ScorchProfile *self); /* samples in view */
guint64                  scorch_profile_get_n_all_samples (ScorchProfile *self); /* before filtering */
void                     scorch_profile_get_time_bounds (ScorchProfile *self,
                                                         guint64       *begin,
                                                         guint64       *end);
const ScorchThread      *scorch_profile_get_threads     (ScorchProfile *self,
                                                         guint         *n_threads);
const char              *scorch_profile_get_process_name (ScorchProfile *self,
                                                          gint32         pid);
const ScorchProfileInfo *scorch_profile_get_info        (ScorchProfile *self);

/* Per-address counts of the whole capture (every view shares them), or
 * NULL (folded stacks, live snapshots). */
ScorchAddrSamples       *scorch_profile_get_addr_samples (ScorchProfile *self);

/* Hotspots sorted by self descending (ties: total descending, then name). */
const ScorchHotspot     *scorch_profile_get_hotspots    (ScorchProfile *self,
                                                         guint         *n_hotspots);

/* A new view of the same capture: only samples from the given threads (NULL
 * or n_tids == 0: all) whose time lies in [begin, end] (0, G_MAXUINT64: all).
 * Cheap: no reload, no re-symbolization. */
ScorchProfile           *scorch_profile_filter          (ScorchProfile *self,
                                                         const gint32  *tids,
                                                         guint          n_tids,
                                                         guint64        begin,
                                                         guint64        end);

/* The bottom-up profile: each stack reversed, so the hottest leaf functions
 * are the children of the root. Frame ids are the same. */
ScorchProfile           *scorch_profile_dup_inverted    (ScorchProfile *self);

/* Fills stack (leaf first) with the frame ids from node up to (not
 * including) the root; returns the number of frames. */
guint                    scorch_profile_node_get_stack  (ScorchProfile *self,
                                                         guint32        node,
                                                         GArray        *stack);

/* Callers and callees of a function, aggregated: each entry's self is the
 * samples where the pair is (caller -> frame) or (frame -> callee). */
GArray                  *scorch_profile_dup_callers     (ScorchProfile *self,
                                                         guint32        frame); /* of ScorchHotspot */
GArray                  *scorch_profile_dup_callees     (ScorchProfile *self,
                                                         guint32        frame); /* of ScorchHotspot */

/* Search: see ScorchSearch (scorch-search.h), scorch_search_match_frames(). */

/* Time views (off-CPU, scorch-off-cpu.h).  A capture with scheduler
 * switch events gets an Off-CPU and a Wall clock profile beside the
 * on-CPU one, weighted in microseconds.  get_view returns self for
 * ON_CPU, the attached profile (borrowed) or NULL. */
typedef enum
{
  SCORCH_PROFILE_VIEW_ON_CPU = 0,
  SCORCH_PROFILE_VIEW_OFF_CPU,
  SCORCH_PROFILE_VIEW_WALL,
} ScorchProfileView;

ScorchProfile           *scorch_profile_get_view        (ScorchProfile     *self,
                                                         ScorchProfileView  view);
/* Both referenced; for scorch_off_cpu_finish(). */
void                     scorch_profile_set_time_views  (ScorchProfile     *self,
                                                         ScorchProfile     *off_cpu,
                                                         ScorchProfile     *wall);

G_END_DECLS
