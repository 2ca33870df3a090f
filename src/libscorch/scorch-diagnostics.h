/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-diagnostics.h: what a capture is and how far its stacks can be
 * trusted: per-module unwind diagnostics computed while the capture is
 * analyzed, turned into advice that is true for that capture, plus the
 * facts a capture summary shows (host, kernel, perf version, event, stack
 * mode, exit status of the launched program). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SCORCH_STACK_MODE_UNKNOWN = 0,
  SCORCH_STACK_MODE_NONE,        /* no call chains at all */
  SCORCH_STACK_MODE_FP,          /* frame pointers (perf record -g, --call-graph fp) */
  SCORCH_STACK_MODE_FP_REPAIR,   /* frame pointers with leaf repair at record time */
  SCORCH_STACK_MODE_DWARF,       /* stack copies unwound with CFI */
} ScorchStackMode;

/* Why a stack stopped before its thread's entry. */
typedef enum
{
  SCORCH_UNWIND_STOP_NO_FRAME_POINTER = 0, /* fp: the function where it stops sets up no frame */
  SCORCH_UNWIND_STOP_BROKEN_CHAIN,         /* fp: it stops in a function that does set one up */
  SCORCH_UNWIND_STOP_NO_CFI,               /* DWARF: the module has no .eh_frame/.debug_frame */
  SCORCH_UNWIND_STOP_STACK_COPY,           /* DWARF: the stack copy ended first */
  SCORCH_UNWIND_STOP_UNKNOWN_MAPPING,      /* code outside any file (JIT without a perf map) */
  SCORCH_UNWIND_STOP_UNMAPPED,             /* an address in no mapping the capture recorded */
  SCORCH_UNWIND_STOP_UNWIND_FAILED,        /* DWARF: unwinding gave nothing; frame pointers used */
  SCORCH_UNWIND_STOP_MAX_DEPTH,            /* the chain hit the depth limit */
  SCORCH_UNWIND_STOP_OTHER,                /* DWARF: the unwinder stopped for another reason */
  SCORCH_UNWIND_STOP_MODULE_UNREADABLE,    /* the module's file cannot be read here (missing, not a regular file) */
  SCORCH_N_UNWIND_STOPS
} ScorchUnwindStop;

typedef enum
{
  SCORCH_MAPPING_NONE = 0,  /* the address lies in no mapping of its process */
  SCORCH_MAPPING_FILE,      /* a file-backed mapping */
  SCORCH_MAPPING_ANON,      /* anonymous executable memory (JIT) */
} ScorchMappingKind;

/* One address of a sampled stack, as the analyzer saw it. */
typedef struct
{
  const char        *module;     /* path of the mapping ("" when none); borrowed */
  const char        *function;   /* the function (outermost inline scope), or NULL when unnamed */
  guint64            offset;     /* file offset of the address in module */
  ScorchMappingKind  mapping;
  gboolean           named;      /* a symbol (or a perf map) names it */
} ScorchStackAddress;

/* What the diagnostics need to know of one sample. */
typedef struct
{
  guint              n_kernel;       /* kernel frames */
  guint              n_user;         /* user addresses (not inline frames) */
  gboolean           complete;       /* the outermost frame is a thread entry */
  ScorchStackAddress leaf;           /* innermost user address (when n_user > 0) */
  /* The two below are read only for a stack cut short (neither complete
   * nor unwind_failed): the analyzer leaves them unset otherwise. */
  ScorchStackAddress outer;          /* outermost user address (when n_user > 0) */
  ScorchStackAddress before_outer;   /* the one before it (when n_user > 1) */
  /* DWARF mode */
  gboolean           dwarf;          /* the sample carried registers and a stack copy */
  gboolean           unwind_failed;  /* DWARF unwinding gave nothing */
  guint64            copy_requested; /* sample_stack_user */
  guint64            copy_valid;     /* bytes the kernel copied */
  guint64            stack_needed;   /* bytes from SP to the top of its stack mapping, 0 when unknown */
  guint              max_depth;      /* the callchain depth limit (0: unknown) */
} ScorchStackFacts;

/* An entry of the per-module table: where stacks stop and why. */
typedef struct
{
  char             *module;        /* path */
  char             *function;      /* may be NULL (no symbol) */
  ScorchUnwindStop  reason;
  guint64           n_samples;
  guint64           max_needed;    /* STACK_COPY: the largest stack seen (bytes), 0 when unknown */
  guint64           example_offset; /* file offset of one address where it stops */
  gboolean          checked;       /* the module's code was read to decide the reason */
  gboolean          module_has_fp; /* most functions of the module set up a frame (when checked) */
  gboolean          at_leaf;       /* the stopping function is the sample's leaf in most samples */
} ScorchUnwindStopEntry;

/* A function that is sampled as a leaf without a frame of its own:
 * frame-pointer chains (perf record -g) lose its caller. */
typedef struct
{
  char    *module;
  char    *function;
  guint64  n_samples;
} ScorchLeafEntry;

typedef struct
{
  char    *module;
  guint64  n_samples;   /* samples with at least one unnamed frame of the module */
} ScorchUnnamedModule;

typedef enum
{
  SCORCH_ADVICE_INFO,
  SCORCH_ADVICE_WARNING,
} ScorchAdviceLevel;

typedef struct
{
  ScorchAdviceLevel  level;
  char              *text;
} ScorchAdvice;

/* A line of the capture summary: id is stable (for tests and widget names),
 * title and value are for people. */
typedef struct
{
  const char *id;
  char       *title;
  char       *value;
} ScorchCaptureFact;

/* A module's code as the classifier needs it: does the function at
 * offset set up a frame, does the module have CFI and frame pointers.
 * Returns FALSE when the module cannot be read. Tests give their own. */
typedef gboolean (*ScorchModuleCheckFunc) (const char *module,
                                           guint64     offset,
                                           gboolean   *function_found,
                                           gboolean   *function_sets_up_frame,
                                           gboolean   *module_has_cfi,
                                           gboolean   *module_has_fp,
                                           gpointer    user_data);

typedef struct _ScorchDiagnostics ScorchDiagnostics;

ScorchDiagnostics *scorch_diagnostics_new   (void);
ScorchDiagnostics *scorch_diagnostics_ref   (ScorchDiagnostics *self);
void               scorch_diagnostics_unref (ScorchDiagnostics *self);

/* ---- building (the analyzer, one thread) ---- */

/* The default checks read the module files (regular files only), once per
 * module and function. */
void     scorch_diagnostics_set_module_check (ScorchDiagnostics     *self,
                                              ScorchModuleCheckFunc  check,
                                              gpointer               user_data);
void     scorch_diagnostics_set_stack_mode   (ScorchDiagnostics     *self,
                                              ScorchStackMode        mode,
                                              guint                  copy_size);
/* Capture facts; strings are copied; NULL leaves a fact unknown. */
void     scorch_diagnostics_set_capture      (ScorchDiagnostics     *self,
                                              const char            *command_line,
                                              const char            *hostname,
                                              const char            *osrelease,
                                              const char            *arch,
                                              const char            *perf_version,
                                              const char            *event_name);
void     scorch_diagnostics_set_sampling     (ScorchDiagnostics     *self,
                                              gboolean               freq,
                                              guint64                freq_or_period);
/* How the events were opened (the capture's "recorded-via" note:
 * "direct", "sysprofd"); NULL: unknown (not recorded by Scorch).  Through
 * sysprofd the advice says what the broker cannot do (leaf repair, DWARF)
 * and that direct access allows it. */
void     scorch_diagnostics_set_recorded_via (ScorchDiagnostics     *self,
                                              const char            *via);
/* Whether the capture was recorded through sysprofd. */
gboolean scorch_diagnostics_get_via_broker   (ScorchDiagnostics     *self);
/* status is a wait status (WIFEXITED, WIFSIGNALED), as the recorder reaped it. */
void     scorch_diagnostics_set_exit_status  (ScorchDiagnostics     *self,
                                              int                    status);
void     scorch_diagnostics_add_sample       (ScorchDiagnostics     *self,
                                              const ScorchStackFacts *facts);

/* What scorch_diagnostics_add_sample_full counted for one sample: a later
 * sample with the same facts (a repeated stack of the same event, with
 * the same modules) is counted from it by scorch_diagnostics_repeat_sample,
 * without building its facts or looking its places up; the analyzer keeps
 * one per stack it memoizes. Valid as long as the diagnostics. */
typedef struct
{
  gpointer leaf;        /* the frameless-leaf entry counted, or NULL */
  gpointer candidate;   /* the place where the stack stopped, or NULL */
  guint8   total;       /* which total counted it (private) */
  guint8   at_leaf;
  guint8   repeatable;  /* FALSE (DWARF samples): add each with add_sample */
} ScorchDiagnosticsRepeat;

void     scorch_diagnostics_add_sample_full  (ScorchDiagnostics       *self,
                                              const ScorchStackFacts  *facts,
                                              ScorchDiagnosticsRepeat *repeat);
void     scorch_diagnostics_repeat_sample    (ScorchDiagnostics             *self,
                                              const ScorchDiagnosticsRepeat *repeat);
void     scorch_diagnostics_set_lost         (ScorchDiagnostics     *self,
                                              guint64                n_lost);
/* N_SAMPLES samples of other events (NAMES, ", " between) that the
 * profile, of one event, does not show. */
void     scorch_diagnostics_set_other_events (ScorchDiagnostics     *self,
                                              guint64                n_samples,
                                              const char            *names);
/* Totals over the capture (from the finished profile). */
void     scorch_diagnostics_set_totals       (ScorchDiagnostics     *self,
                                              guint64                n_samples,
                                              guint64                duration_ns,
                                              guint                  n_threads,
                                              guint                  n_processes);
void     scorch_diagnostics_add_unnamed_module (ScorchDiagnostics   *self,
                                                const char          *module,
                                                guint64              n_samples);
/* Classifies what was added (reads module code through the check) and
 * builds the advice. Call again after more samples (live snapshots). */
void     scorch_diagnostics_finish           (ScorchDiagnostics     *self);

/* ---- reading ---- */

ScorchStackMode scorch_diagnostics_get_stack_mode (ScorchDiagnostics *self,
                                                   guint             *copy_size);
guint64  scorch_diagnostics_get_n_samples    (ScorchDiagnostics     *self); /* samples classified */
guint64  scorch_diagnostics_get_n_complete   (ScorchDiagnostics     *self);
guint64  scorch_diagnostics_get_n_truncated  (ScorchDiagnostics     *self);
guint64  scorch_diagnostics_get_n_kernel_only (ScorchDiagnostics    *self);
guint64  scorch_diagnostics_get_n_lost       (ScorchDiagnostics     *self);
/* The sampling frequency (Hz, when *freq) or period (events); FALSE when
 * the capture does not say. */
gboolean scorch_diagnostics_get_sampling     (ScorchDiagnostics     *self,
                                              gboolean              *freq,
                                              guint64               *freq_or_period);
/* FALSE when the capture does not say (not launched by Scorch). */
gboolean scorch_diagnostics_get_exit_status  (ScorchDiagnostics     *self,
                                              int                   *status);
/* Sorted by samples, most first. Borrowed. */
const ScorchUnwindStopEntry *scorch_diagnostics_get_stops   (ScorchDiagnostics *self,
                                                             guint             *n_stops);
const ScorchLeafEntry       *scorch_diagnostics_get_frameless_leaves (ScorchDiagnostics *self,
                                                                      guint             *n_leaves);
const ScorchUnnamedModule   *scorch_diagnostics_get_unnamed_modules (ScorchDiagnostics *self,
                                                                     guint             *n_modules);
const ScorchAdvice          *scorch_diagnostics_get_advice  (ScorchDiagnostics *self,
                                                             guint             *n_advice);
const ScorchCaptureFact     *scorch_diagnostics_get_facts   (ScorchDiagnostics *self,
                                                             guint             *n_facts);

/* Everything a summary of the diagnostics shows (the app's summary view,
 * report --diagnostics), read at once; the arrays are borrowed and sorted
 * as the getters above say. */
typedef struct
{
  guint64                      n_samples; /* samples classified */
  const ScorchCaptureFact     *facts;
  const ScorchUnwindStopEntry *stops;
  const ScorchLeafEntry       *leaves;  /* frameless leaves */
  const ScorchUnnamedModule   *unnamed;
  const ScorchAdvice          *advice;
  guint                        n_facts, n_stops, n_leaves, n_unnamed, n_advice;
} ScorchDiagnosticsSummary;

void                         scorch_diagnostics_get_summary (ScorchDiagnostics        *self,
                                                             ScorchDiagnosticsSummary *summary);

/* "exited with status 3", "killed by signal 11 (Segmentation fault)". */
char       *scorch_diagnostics_format_exit_status (int             status);
const char *scorch_unwind_stop_describe           (ScorchUnwindStop reason);
/* Basename of a module path ("[kernel.kallsyms]" and "" kept). */
const char *scorch_diagnostics_module_name        (const char      *module);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchDiagnostics, scorch_diagnostics_unref)

G_END_DECLS
