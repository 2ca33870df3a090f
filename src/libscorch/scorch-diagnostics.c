/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-diagnostics.c: where stacks stop, why, and what to do about it */

#include "config.h"

#define G_LOG_DOMAIN "scorch-diagnostics"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scorch-diagnostics.h"
#include "scorch-elf-check.h"
#include "scorch-util.h"

static const char *module_unreadable_reason (ScorchDiagnostics *self,
                                             const char        *module);

/* Distinct stopping places kept per capture; beyond, per module only. */
#define MAX_CANDIDATES 4096
/* Entries below this share of samples give no advice of their own. */
#define ADVICE_MIN_SHARE 0.02
/* The kernel's limit on sample_stack_user (the record size is a u16). */
#define MAX_STACK_COPY 65528

typedef enum
{
  CAT_FP,             /* frame-pointer chain stopped: resolved by reading the code */
  CAT_DWARF,          /* DWARF unwinding stopped: resolved by reading the module */
  CAT_STACK_COPY,
  CAT_UNKNOWN_MAPPING,
  CAT_UNMAPPED,
  CAT_UNWIND_FAILED,
  CAT_MAX_DEPTH,
} Category;

/* Candidates are found by the addresses of the analyzer's interned
 * strings (a module path and a function name are one pointer each for the
 * whole load), so a sample costs no string work; the strings are copied
 * once, when a place is first seen, and merged by value in finish(). */
typedef struct
{
  Category    cat;
  const void *key_module;   /* compared, never dereferenced */
  const void *key_function;
  guint64     key_offset;
} PlaceKey;

typedef struct
{
  PlaceKey  key;
  Category  cat;
  char     *module;
  char     *function;
  guint64   offset;     /* an example address (file offset) */
  guint64   n_samples;
  guint64   n_at_leaf;
  guint64   max_needed;
} Candidate;

typedef struct
{
  PlaceKey  key;
  char     *module;
  char     *function;
  guint64   offset;
  guint64   n_samples;
} LeafCandidate;

#define PLACE_MEMO 2048  /* slots: a capture stops in hundreds to thousands of places */

static guint
place_hash (gconstpointer p)
{
  const PlaceKey *k = p;
  guint64 h = (guint64) (gsize) k->key_module * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

  h ^= ((guint64) (gsize) k->key_function + k->key_offset + k->cat) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  return (guint) (h ^ (h >> 32));
}

static gboolean
place_equal (gconstpointer a,
             gconstpointer b)
{
  const PlaceKey *ka = a, *kb = b;

  return ka->cat == kb->cat && ka->key_module == kb->key_module &&
         ka->key_function == kb->key_function && ka->key_offset == kb->key_offset;
}

struct _ScorchDiagnostics
{
  gatomicrefcount        ref;

  ScorchModuleCheckFunc  check;
  gpointer               check_data;
  GHashTable            *module_fp;     /* module -> GINT_TO_POINTER (1 + verdict), default check */
  GHashTable            *unreadable;    /* module -> why it cannot be read here, "" when it can */

  ScorchStackMode        mode;
  guint                  copy_size;
  char                  *command_line;
  char                  *hostname;
  char                  *osrelease;
  char                  *arch;
  char                  *perf_version;
  char                  *event_name;
  gboolean               freq;
  guint64                freq_or_period;
  gboolean               has_exit_status;
  int                    exit_status;
  char                  *recorded_via;  /* "direct", "sysprofd" or NULL */

  guint64                n_samples;
  guint64                n_complete;
  guint64                n_truncated;
  guint64                n_kernel_only;
  guint64                n_lost;
  guint64                n_other_events;
  char                  *other_events;
  guint64                n_stack_copy;
  guint64                n_samples_total;
  guint64                duration_ns;
  guint                  n_threads;
  guint                  n_processes;
  gboolean               have_totals;

  GHashTable            *candidates;    /* Candidate (its PlaceKey) -> itself */
  GHashTable            *leaves;        /* LeafCandidate (its PlaceKey) -> itself */
  /* The candidate or leaf last found per slot (its place_hash modulo
   * PLACE_MEMO): most samples stop where one of a few recent ones did. */
  Candidate             *candidate_memo[PLACE_MEMO];
  LeafCandidate         *leaf_memo[PLACE_MEMO];
  GArray                *needed;        /* guint64: stack bytes of samples whose copy was too small */

  /* results of finish() */
  GArray                *stops;         /* ScorchUnwindStopEntry */
  GArray                *frameless;     /* ScorchLeafEntry */
  GArray                *unnamed;       /* ScorchUnnamedModule */
  GArray                *advice;        /* ScorchAdvice */
  GArray                *facts;         /* ScorchCaptureFact */
};

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->module);
  g_free (c->function);
  g_free (c);
}

static void
leaf_candidate_free (gpointer data)
{
  LeafCandidate *c = data;

  g_free (c->module);
  g_free (c->function);
  g_free (c);
}

static void
stop_entry_clear (gpointer data)
{
  ScorchUnwindStopEntry *e = data;

  g_free (e->module);
  g_free (e->function);
}

static void
leaf_entry_clear (gpointer data)
{
  ScorchLeafEntry *e = data;

  g_free (e->module);
  g_free (e->function);
}

static void
unnamed_clear (gpointer data)
{
  ScorchUnnamedModule *e = data;

  g_free (e->module);
}

static void
advice_clear (gpointer data)
{
  ScorchAdvice *a = data;

  g_free (a->text);
}

static void
fact_clear (gpointer data)
{
  ScorchCaptureFact *f = data;

  g_free (f->title);
  g_free (f->value);
}

/* The default module check: reads the file (regular files only). */
static gboolean
default_module_check (const char *module,
                      guint64     offset,
                      gboolean   *function_found,
                      gboolean   *function_sets_up_frame,
                      gboolean   *module_has_cfi,
                      gboolean   *module_has_fp,
                      gpointer    user_data)
{
  ScorchDiagnostics *self = user_data;
  ScorchElfFunctionFrame ff;
  gpointer cached;
  g_autoptr(GError) error = NULL;

  if (module == NULL || module[0] != '/')
    return FALSE;
  if (!scorch_elf_check_function_frame (module, offset, &ff, &error))
    {
      g_debug ("%s", error->message);
      return FALSE;
    }
  *function_found = ff.found;
  *function_sets_up_frame = ff.sets_up_frame;
  *module_has_cfi = ff.has_cfi;

  cached = g_hash_table_lookup (self->module_fp, module);
  if (cached == NULL)
    {
      ScorchElfFramePointers fp;

      cached = GINT_TO_POINTER (scorch_elf_check_frame_pointers (module, &fp, NULL) && fp.frame_pointers ? 2 : 1);
      g_hash_table_insert (self->module_fp, g_strdup (module), cached);
    }
  *module_has_fp = GPOINTER_TO_INT (cached) == 2;
  return TRUE;
}

ScorchDiagnostics *
scorch_diagnostics_new (void)
{
  ScorchDiagnostics *self = g_new0 (ScorchDiagnostics, 1);

  g_atomic_ref_count_init (&self->ref);
  self->check = default_module_check;
  self->check_data = self;
  self->module_fp = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->unreadable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->candidates = g_hash_table_new_full (place_hash, place_equal, NULL, candidate_free);
  self->leaves = g_hash_table_new_full (place_hash, place_equal, NULL, leaf_candidate_free);
  self->needed = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->stops = g_array_new (FALSE, TRUE, sizeof (ScorchUnwindStopEntry));
  g_array_set_clear_func (self->stops, stop_entry_clear);
  self->frameless = g_array_new (FALSE, TRUE, sizeof (ScorchLeafEntry));
  g_array_set_clear_func (self->frameless, leaf_entry_clear);
  self->unnamed = g_array_new (FALSE, TRUE, sizeof (ScorchUnnamedModule));
  g_array_set_clear_func (self->unnamed, unnamed_clear);
  self->advice = g_array_new (FALSE, TRUE, sizeof (ScorchAdvice));
  g_array_set_clear_func (self->advice, advice_clear);
  self->facts = g_array_new (FALSE, TRUE, sizeof (ScorchCaptureFact));
  g_array_set_clear_func (self->facts, fact_clear);
  return self;
}

ScorchDiagnostics *
scorch_diagnostics_ref (ScorchDiagnostics *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
scorch_diagnostics_unref (ScorchDiagnostics *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;

  g_hash_table_unref (self->module_fp);
  g_hash_table_unref (self->unreadable);
  g_hash_table_unref (self->candidates);
  g_hash_table_unref (self->leaves);
  g_array_unref (self->needed);
  g_array_unref (self->stops);
  g_array_unref (self->frameless);
  g_array_unref (self->unnamed);
  g_array_unref (self->advice);
  g_array_unref (self->facts);
  g_free (self->command_line);
  g_free (self->hostname);
  g_free (self->osrelease);
  g_free (self->arch);
  g_free (self->perf_version);
  g_free (self->event_name);
  g_free (self->other_events);
  g_free (self->recorded_via);
  g_free (self);
}

void
scorch_diagnostics_set_module_check (ScorchDiagnostics     *self,
                                     ScorchModuleCheckFunc  check,
                                     gpointer               user_data)
{
  g_return_if_fail (self != NULL);

  self->check = check != NULL ? check : default_module_check;
  self->check_data = check != NULL ? user_data : self;
}

void
scorch_diagnostics_set_stack_mode (ScorchDiagnostics *self,
                                   ScorchStackMode    mode,
                                   guint              copy_size)
{
  g_return_if_fail (self != NULL);

  self->mode = mode;
  self->copy_size = copy_size;
}

static void
replace_string (char       **field,
                const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

void
scorch_diagnostics_set_capture (ScorchDiagnostics *self,
                                const char        *command_line,
                                const char        *hostname,
                                const char        *osrelease,
                                const char        *arch,
                                const char        *perf_version,
                                const char        *event_name)
{
  g_return_if_fail (self != NULL);

  replace_string (&self->command_line, command_line);
  replace_string (&self->hostname, hostname);
  replace_string (&self->osrelease, osrelease);
  replace_string (&self->arch, arch);
  replace_string (&self->perf_version, perf_version);
  replace_string (&self->event_name, event_name);
}

void
scorch_diagnostics_set_sampling (ScorchDiagnostics *self,
                                 gboolean           freq,
                                 guint64            freq_or_period)
{
  g_return_if_fail (self != NULL);

  self->freq = !!freq;
  self->freq_or_period = freq_or_period;
}

gboolean
scorch_diagnostics_get_sampling (ScorchDiagnostics *self,
                                 gboolean          *freq,
                                 guint64           *freq_or_period)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (freq != NULL)
    *freq = self->freq;
  if (freq_or_period != NULL)
    *freq_or_period = self->freq_or_period;
  return self->freq_or_period > 0;
}

void
scorch_diagnostics_set_exit_status (ScorchDiagnostics *self,
                                    int                status)
{
  g_return_if_fail (self != NULL);

  self->has_exit_status = status >= 0;
  self->exit_status = status;
}

void
scorch_diagnostics_set_recorded_via (ScorchDiagnostics *self,
                                     const char        *via)
{
  g_return_if_fail (self != NULL);

  g_free (self->recorded_via);
  self->recorded_via = g_strdup (via);
}

gboolean
scorch_diagnostics_get_via_broker (ScorchDiagnostics *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_strcmp0 (self->recorded_via, "sysprofd") == 0;
}

/* Advice that asks for another --call-graph mode, in a capture recorded
 * through sysprofd: the broker cannot do it (takes text). */
static char *
broker_note (ScorchDiagnostics *self,
             char              *text)
{
  char *noted;

  if (!scorch_diagnostics_get_via_broker (self))
    return text;
  noted = g_strdup_printf (_("%s — not through sysprofd, which copies no registers or stacks: "
                             "that needs direct access to perf_event_open (kernel.perf_event_paranoid "
                             "at 2 or less, or CAP_PERFMON)"), text);
  g_free (text);
  return noted;
}

void
scorch_diagnostics_set_lost (ScorchDiagnostics *self,
                             guint64            n_lost)
{
  g_return_if_fail (self != NULL);

  self->n_lost = n_lost;
}

void
scorch_diagnostics_set_other_events (ScorchDiagnostics *self,
                                     guint64            n_samples,
                                     const char        *names)
{
  g_return_if_fail (self != NULL);

  self->n_other_events = n_samples;
  replace_string (&self->other_events, names);
}

void
scorch_diagnostics_set_totals (ScorchDiagnostics *self,
                               guint64            n_samples,
                               guint64            duration_ns,
                               guint              n_threads,
                               guint              n_processes)
{
  g_return_if_fail (self != NULL);

  self->n_samples_total = n_samples;
  self->duration_ns = duration_ns;
  self->n_threads = n_threads;
  self->n_processes = n_processes;
  self->have_totals = TRUE;
}

void
scorch_diagnostics_add_unnamed_module (ScorchDiagnostics *self,
                                       const char        *module,
                                       guint64            n_samples)
{
  ScorchUnnamedModule m;

  g_return_if_fail (self != NULL);
  g_return_if_fail (module != NULL);

  for (guint i = 0; i < self->unnamed->len; i++)
    {
      ScorchUnnamedModule *e = &g_array_index (self->unnamed, ScorchUnnamedModule, i);

      if (g_str_equal (e->module, module))
        {
          e->n_samples = MAX (e->n_samples, n_samples);
          return;
        }
    }
  m.module = g_strdup (module);
  m.n_samples = n_samples;
  g_array_append_val (self->unnamed, m);
}

static Candidate *
add_candidate (ScorchDiagnostics        *self,
               Category                  cat,
               const ScorchStackAddress *where,
               gboolean                  at_leaf,
               guint64                   needed)
{
  const char *module = where != NULL && where->module != NULL ? where->module : "";
  const char *function = where != NULL && where->named ? where->function : NULL;
  guint64 offset = where != NULL ? where->offset : 0;
  PlaceKey key = { cat, module, function, 0 };
  Candidate *c;
  guint slot;

  /* Unnamed code: one entry per address (each may be a different function). */
  if (function == NULL)
    key.key_offset = offset;

  slot = place_hash (&key) % PLACE_MEMO;
  c = self->candidate_memo[slot];
  if (c != NULL && place_equal (&c->key, &key))
    goto found;
  c = g_hash_table_lookup (self->candidates, &key);
  if (c == NULL && g_hash_table_size (self->candidates) >= MAX_CANDIDATES)
    {
      /* Too many distinct places (garbage chains): keep counting per module. */
      key.key_function = NULL;
      key.key_offset = G_MAXUINT64;
      function = NULL;
      c = g_hash_table_lookup (self->candidates, &key);
    }
  if (c == NULL)
    {
      c = g_new0 (Candidate, 1);
      c->key = key;
      c->cat = cat;
      c->module = g_strdup (module);
      c->function = g_strdup (function);
      c->offset = offset;
      g_hash_table_add (self->candidates, c);
    }
  self->candidate_memo[place_hash (&c->key) % PLACE_MEMO] = c;
found:
  c->n_samples++;
  if (at_leaf)
    c->n_at_leaf++;
  c->max_needed = MAX (c->max_needed, needed);
  return c;
}

static LeafCandidate *
add_leaf (ScorchDiagnostics        *self,
          const ScorchStackAddress *leaf)
{
  PlaceKey key = { CAT_FP, leaf->module, leaf->function, 0 };
  LeafCandidate *c;
  guint slot;

  if (leaf->mapping != SCORCH_MAPPING_FILE || !leaf->named || leaf->function == NULL)
    return NULL;
  slot = place_hash (&key) % PLACE_MEMO;
  c = self->leaf_memo[slot];
  if (c != NULL && place_equal (&c->key, &key))
    {
      c->n_samples++;
      return c;
    }
  c = g_hash_table_lookup (self->leaves, &key);
  if (c == NULL)
    {
      if (g_hash_table_size (self->leaves) >= MAX_CANDIDATES)
        return NULL;
      c = g_new0 (LeafCandidate, 1);
      c->key = key;
      c->module = g_strdup (leaf->module);
      c->function = g_strdup (leaf->function);
      c->offset = leaf->offset;
      g_hash_table_add (self->leaves, c);
    }
  self->leaf_memo[slot] = c;
  c->n_samples++;
  return c;
}

enum { TOTAL_NONE, TOTAL_COMPLETE, TOTAL_TRUNCATED, TOTAL_KERNEL_ONLY };

void
scorch_diagnostics_add_sample (ScorchDiagnostics      *self,
                               const ScorchStackFacts *facts)
{
  scorch_diagnostics_add_sample_full (self, facts, NULL);
}

void
scorch_diagnostics_repeat_sample (ScorchDiagnostics             *self,
                                  const ScorchDiagnosticsRepeat *repeat)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (repeat != NULL && repeat->repeatable);

  self->n_samples++;
  if (repeat->leaf != NULL)
    ((LeafCandidate *) repeat->leaf)->n_samples++;
  switch (repeat->total)
    {
    case TOTAL_COMPLETE:    self->n_complete++; break;
    case TOTAL_TRUNCATED:   self->n_truncated++; break;
    case TOTAL_KERNEL_ONLY: self->n_kernel_only++; break;
    default:                break;
    }
  if (repeat->candidate != NULL)
    {
      Candidate *c = repeat->candidate;

      c->n_samples++;
      if (repeat->at_leaf)
        c->n_at_leaf++;
    }
}

void
scorch_diagnostics_add_sample_full (ScorchDiagnostics       *self,
                                    const ScorchStackFacts  *facts,
                                    ScorchDiagnosticsRepeat *repeat)
{
  ScorchDiagnosticsRepeat unused;
  const ScorchStackAddress *stop;
  gboolean at_leaf;

  g_return_if_fail (self != NULL);
  g_return_if_fail (facts != NULL);

  if (repeat == NULL)
    repeat = &unused;
  memset (repeat, 0, sizeof *repeat);
  /* a DWARF sample's counts depend on its stack copy, not only its stack */
  repeat->repeatable = !facts->dwarf;

  self->n_samples++;

  /* Frame-pointer chains (not repaired) lose the caller of a frameless leaf. */
  if (self->mode == SCORCH_STACK_MODE_FP && !facts->dwarf && facts->n_user > 0)
    repeat->leaf = add_leaf (self, &facts->leaf);

  if (facts->complete)
    {
      self->n_complete++;
      repeat->total = TOTAL_COMPLETE;
      return;
    }
  if (facts->unwind_failed)
    {
      self->n_truncated++;
      repeat->total = TOTAL_TRUNCATED;
      repeat->candidate = add_candidate (self, CAT_UNWIND_FAILED, facts->n_user > 0 ? &facts->leaf : NULL, TRUE, 0);
      repeat->at_leaf = TRUE;
      return;
    }
  if (facts->n_user == 0)
    {
      /* exec, page faults before the program ran, kernel threads: nothing
       * of the user's stack exists to be cut short. */
      if (facts->n_kernel > 0)
        {
          self->n_kernel_only++;
          repeat->total = TOTAL_KERNEL_ONLY;
        }
      else
        {
          self->n_truncated++;  /* an empty stack */
          repeat->total = TOTAL_TRUNCATED;
        }
      return;
    }

  self->n_truncated++;
  repeat->total = TOTAL_TRUNCATED;

  stop = &facts->outer;
  at_leaf = facts->n_user == 1;
  repeat->at_leaf = at_leaf;
  /* A frame-pointer chain that ran into a word that is no code address:
   * the chain broke in the function before it. */
  if (!facts->dwarf && stop->mapping == SCORCH_MAPPING_NONE && facts->n_user > 1)
    {
      stop = &facts->before_outer;
      at_leaf = facts->n_user == 2;
      repeat->at_leaf = at_leaf;
    }

  if (stop->mapping == SCORCH_MAPPING_NONE && !stop->named)
    {
      repeat->candidate = add_candidate (self, CAT_UNMAPPED, stop, at_leaf, 0);
      return;
    }
  if (stop->mapping != SCORCH_MAPPING_FILE && !stop->named)
    {
      repeat->candidate = add_candidate (self, CAT_UNKNOWN_MAPPING, stop, at_leaf, 0);
      return;
    }
  if (facts->max_depth > 0 && facts->n_user + facts->n_kernel >= facts->max_depth)
    {
      repeat->candidate = add_candidate (self, CAT_MAX_DEPTH, stop, at_leaf, 0);
      return;
    }
  if (facts->dwarf)
    {
      /* The kernel copies less than asked only when it reached the top of
       * the stack: then the copy was not what stopped the unwinding. */
      if (facts->copy_requested > 0 && facts->copy_valid >= facts->copy_requested)
        {
          self->n_stack_copy++;
          if (facts->stack_needed > facts->copy_requested)
            g_array_append_val (self->needed, facts->stack_needed);
          add_candidate (self, CAT_STACK_COPY, stop, at_leaf, facts->stack_needed);
        }
      else
        add_candidate (self, CAT_DWARF, stop, at_leaf, 0);
      return;
    }
  repeat->candidate = add_candidate (self, CAT_FP, stop, at_leaf, 0);
}

/* ---- finish: classify, aggregate, advise ---- */

const char *
scorch_diagnostics_module_name (const char *module)
{
  const char *slash;

  if (module == NULL)
    return "";
  slash = strrchr (module, '/');
  return slash != NULL && slash[1] != '\0' ? slash + 1 : module;
}

static gboolean
is_library (const char *module)
{
  const char *name = scorch_diagnostics_module_name (module);

  return strstr (name, ".so") != NULL || g_str_has_prefix (name, "ld-linux");
}

static int
compare_stops (gconstpointer a,
               gconstpointer b)
{
  const ScorchUnwindStopEntry *ea = a;
  const ScorchUnwindStopEntry *eb = b;

  if (ea->n_samples != eb->n_samples)
    return ea->n_samples > eb->n_samples ? -1 : 1;
  if (ea->reason != eb->reason)
    return ea->reason < eb->reason ? -1 : 1;
  if (g_strcmp0 (ea->module, eb->module) != 0)
    return g_strcmp0 (ea->module, eb->module);
  /* ties were left in hash order */
  return g_strcmp0 (ea->function, eb->function);
}

static int
compare_leaves (gconstpointer a,
                gconstpointer b)
{
  const ScorchLeafEntry *ea = a;
  const ScorchLeafEntry *eb = b;

  if (ea->n_samples != eb->n_samples)
    return ea->n_samples > eb->n_samples ? -1 : 1;
  if (g_strcmp0 (ea->function, eb->function) != 0)
    return g_strcmp0 (ea->function, eb->function);
  return g_strcmp0 (ea->module, eb->module);
}

static int
compare_unnamed (gconstpointer a,
                 gconstpointer b)
{
  const ScorchUnnamedModule *ea = a;
  const ScorchUnnamedModule *eb = b;

  if (ea->n_samples != eb->n_samples)
    return ea->n_samples > eb->n_samples ? -1 : 1;
  return g_strcmp0 (ea->module, eb->module);
}

static int
compare_u64 (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* What merge_stop merges by: a reason, a module and a function (NULL
 * apart from ""), by value; the strings are the entry's own. */
typedef struct
{
  ScorchUnwindStop  reason;
  const char       *module;
  const char       *function;
} StopKey;

static guint
stop_key_hash (gconstpointer p)
{
  const StopKey *k = p;
  guint h = g_str_hash (k->module) * 31u + (guint) k->reason;

  return h * 31u + (k->function != NULL ? g_str_hash (k->function) : 0x9e3779b9u);
}

static gboolean
stop_key_equal (gconstpointer a,
                gconstpointer b)
{
  const StopKey *ka = a, *kb = b;

  return ka->reason == kb->reason && g_str_equal (ka->module, kb->module) &&
         g_strcmp0 (ka->function, kb->function) == 0;
}

/* Adds a candidate to the stop with its reason, module and function, or
 * makes that stop (appended: the entries keep the candidates' order).
 * INDEX maps a StopKey to the entry's index + 1. */
static void
merge_stop (ScorchDiagnostics *self,
            GHashTable        *index,
            const Candidate   *c,
            ScorchUnwindStop   reason,
            gboolean           checked,
            gboolean           module_has_fp)
{
  ScorchUnwindStopEntry e = { 0, };
  StopKey key = { reason, c->module, c->function };
  StopKey *owned;
  guint found = GPOINTER_TO_UINT (g_hash_table_lookup (index, &key));

  if (found != 0)
    {
      ScorchUnwindStopEntry *s = &g_array_index (self->stops, ScorchUnwindStopEntry, found - 1);

      /* at_leaf holds a count while merging; made a verdict below */
      s->at_leaf += c->n_at_leaf;
      s->n_samples += c->n_samples;
      s->max_needed = MAX (s->max_needed, c->max_needed);
      s->checked |= checked;
      s->module_has_fp |= module_has_fp;
      /* the candidates come in hash order: the lowest address is the
       * example, so the report is the same in every run */
      s->example_offset = MIN (s->example_offset, c->offset);
      return;
    }
  e.module = g_strdup (c->module);
  e.function = g_strdup (c->function);
  e.reason = reason;
  e.n_samples = c->n_samples;
  e.max_needed = c->max_needed;
  e.example_offset = c->offset;
  e.checked = checked;
  e.module_has_fp = module_has_fp;
  e.at_leaf = c->n_at_leaf;
  g_array_append_val (self->stops, e);
  owned = g_new (StopKey, 1);
  owned->reason = reason;
  owned->module = e.module;
  owned->function = e.function;
  g_hash_table_insert (index, owned, GUINT_TO_POINTER (self->stops->len));
}

static void
classify (ScorchDiagnostics *self)
{
  g_autoptr(GHashTable) stop_index = g_hash_table_new_full (stop_key_hash, stop_key_equal, g_free, NULL);
  g_autoptr(GHashTable) leaf_index = g_hash_table_new_full (stop_key_hash, stop_key_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer value;

  g_array_set_size (self->stops, 0);
  g_hash_table_iter_init (&iter, self->candidates);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const Candidate *c = value;
      gboolean found = FALSE, frame = FALSE, cfi = FALSE, module_fp = FALSE;
      gboolean checked = FALSE;
      ScorchUnwindStop reason;

      switch (c->cat)
        {
        case CAT_FP:
          checked = self->check (c->module, c->offset, &found, &frame, &cfi, &module_fp, self->check_data);
          /* No symbol covers it: the module's verdict stands for it. */
          if (checked && !found)
            frame = module_fp;
          reason = checked && frame ? SCORCH_UNWIND_STOP_BROKEN_CHAIN : SCORCH_UNWIND_STOP_NO_FRAME_POINTER;
          if (!checked && module_unreadable_reason (self, c->module) != NULL)
            reason = SCORCH_UNWIND_STOP_MODULE_UNREADABLE;
          break;
        case CAT_DWARF:
          checked = self->check (c->module, c->offset, &found, &frame, &cfi, &module_fp, self->check_data);
          reason = checked && !cfi ? SCORCH_UNWIND_STOP_NO_CFI : SCORCH_UNWIND_STOP_OTHER;
          if (!checked && module_unreadable_reason (self, c->module) != NULL)
            reason = SCORCH_UNWIND_STOP_MODULE_UNREADABLE;
          break;
        case CAT_STACK_COPY:
          reason = SCORCH_UNWIND_STOP_STACK_COPY;
          break;
        case CAT_UNKNOWN_MAPPING:
          reason = SCORCH_UNWIND_STOP_UNKNOWN_MAPPING;
          break;
        case CAT_UNMAPPED:
          reason = SCORCH_UNWIND_STOP_UNMAPPED;
          break;
        case CAT_UNWIND_FAILED:
          reason = SCORCH_UNWIND_STOP_UNWIND_FAILED;
          break;
        case CAT_MAX_DEPTH:
        default:
          reason = SCORCH_UNWIND_STOP_MAX_DEPTH;
          break;
        }
      merge_stop (self, stop_index, c, reason, checked, module_fp);
    }

  for (guint i = 0; i < self->stops->len; i++)
    {
      ScorchUnwindStopEntry *s = &g_array_index (self->stops, ScorchUnwindStopEntry, i);
      guint64 n_at_leaf = s->at_leaf;

      s->at_leaf = n_at_leaf * 2 > s->n_samples;
    }
  g_array_sort (self->stops, compare_stops);

  g_array_set_size (self->frameless, 0);
  if (self->mode == SCORCH_STACK_MODE_FP)
    {
      g_hash_table_iter_init (&iter, self->leaves);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          const LeafCandidate *c = value;
          gboolean found = FALSE, frame = FALSE, cfi = FALSE, module_fp = FALSE;
          StopKey key = { 0, c->module, c->function };
          StopKey *owned;
          guint merged;
          ScorchLeafEntry e;

          if (!self->check (c->module, c->offset, &found, &frame, &cfi, &module_fp, self->check_data) ||
              !found || frame)
            continue;
          merged = GPOINTER_TO_UINT (g_hash_table_lookup (leaf_index, &key));
          if (merged != 0)
            {
              g_array_index (self->frameless, ScorchLeafEntry, merged - 1).n_samples += c->n_samples;
              continue;
            }
          e.module = g_strdup (c->module);
          e.function = g_strdup (c->function);
          e.n_samples = c->n_samples;
          g_array_append_val (self->frameless, e);
          owned = g_new0 (StopKey, 1);
          owned->module = e.module;
          owned->function = e.function;
          g_hash_table_insert (leaf_index, owned, GUINT_TO_POINTER (self->frameless->len));
        }
      g_array_sort (self->frameless, compare_leaves);
    }

  g_array_sort (self->unnamed, compare_unnamed);
}

static void
add_advice (ScorchDiagnostics *self,
            ScorchAdviceLevel  level,
            char              *text)
{
  ScorchAdvice a = { level, text };

  g_array_append_val (self->advice, a);
}

static double
share (guint64 part,
       guint64 total)
{
  return total > 0 ? 100.0 * (double) part / (double) total : 0.0;
}

/* The stack the copies should have held: enough for 95 % of the samples
 * that needed more (0 when no sample told). */
static guint64
needed_bytes (ScorchDiagnostics *self)
{
  if (self->needed->len == 0)
    return 0;
  g_array_sort (self->needed, compare_u64);
  return g_array_index (self->needed, guint64, (self->needed->len - 1) * 95 / 100);
}

static guint
suggest_copy_size (ScorchDiagnostics *self,
                   guint64            max_needed)
{
  guint64 want;

  if (self->needed->len > 0)
    want = MAX (needed_bytes (self), self->copy_size + 1);
  else if (max_needed > 0)
    want = max_needed;
  else
    want = (guint64) MAX (self->copy_size, 1024) * 4;

  want = (want + 4095) / 4096 * 4096;
  return (guint) MIN (want, MAX_STACK_COPY);
}

/* Why a module's file cannot be opened here, or NULL when it can; asked
 * once per module. Only through scorch_open_regular_file(): a name from a
 * capture may point at a FIFO or a device. */
static const char *
module_unreadable_reason (ScorchDiagnostics *self,
                          const char        *module)
{
  const char *cached;
  g_autoptr(GError) error = NULL;
  char *why = NULL;
  int fd;

  if (!scorch_path_is_file_backed (module))
    return NULL;
  cached = g_hash_table_lookup (self->unreadable, module);
  if (cached != NULL)
    return cached[0] != '\0' ? cached : NULL;
  fd = scorch_open_regular_file (module, SCORCH_MAX_ELF_SIZE, NULL, &error);
  if (fd >= 0)
    close (fd);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    why = g_strdup (_("no such file"));
  else
    why = g_strdup (error->message);
  g_hash_table_insert (self->unreadable, g_strdup (module), why != NULL ? why : g_strdup (""));
  return why;
}

static void
advise_stop (ScorchDiagnostics           *self,
             const ScorchUnwindStopEntry *s,
             guint64                      n)
{
  const char *name = scorch_diagnostics_module_name (s->module);
  double pct = share (s->n_samples, n);
  g_autofree char *unnamed = g_strdup_printf ("%s+0x%" G_GINT64_MODIFIER "x", name, s->example_offset);
  const char *function = s->function != NULL ? s->function : unnamed;

  switch (s->reason)
    {
    case SCORCH_UNWIND_STOP_NO_FRAME_POINTER:
      if (s->at_leaf && self->mode == SCORCH_STACK_MODE_FP && scorch_diagnostics_get_via_broker (self))
        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("%s in %s sets up no frame; %.1f %% of stacks stop at it and lose its callers, "
                                       "which cannot be repaired in a capture recorded through sysprofd (it copies "
                                       "no registers or stacks): with direct access to perf_event_open "
                                       "(kernel.perf_event_paranoid at 2 or less, or CAP_PERFMON) record with "
                                       "--call-graph fp+repair or dwarf"), function, name, pct));
      else if (s->at_leaf && self->mode == SCORCH_STACK_MODE_FP)
        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("%s in %s sets up no frame; %.1f %% of stacks stop at it and lose its callers: "
                                       "record with --call-graph fp+repair or dwarf"), function, name, pct));
      else if (!is_library (s->module) && !(s->checked && s->module_has_fp))
        add_advice (self, SCORCH_ADVICE_WARNING,
                    broker_note (self, g_strdup_printf (_("%s has no frame pointers; %.1f %% of stacks stop in it: "
                                       "rebuild it with -fno-omit-frame-pointer, or record with --call-graph dwarf"),
                                     name, pct)));
      else if (s->checked && s->module_has_fp)
        add_advice (self, SCORCH_ADVICE_WARNING,
                    broker_note (self, g_strdup_printf (_("%s in %s sets up no frame pointer; %.1f %% of stacks stop in it: "
                                       "record with --call-graph dwarf for the frames above it"), function, name, pct)));
      else
        add_advice (self, SCORCH_ADVICE_WARNING,
                    broker_note (self, g_strdup_printf (_("%s has no frame pointers; %.1f %% of stacks stop in it (at %s): "
                                       "record with --call-graph dwarf for the frames above it"), name, pct, function)));
      break;

    case SCORCH_UNWIND_STOP_BROKEN_CHAIN:
      add_advice (self, SCORCH_ADVICE_WARNING,
                  broker_note (self, g_strdup_printf (_("%.1f %% of stacks stop in %s (%s), which sets up a frame: a caller without "
                                     "frame pointers broke the chain: record with --call-graph dwarf"),
                                   pct, function, name)));
      break;

    case SCORCH_UNWIND_STOP_NO_CFI:
      add_advice (self, SCORCH_ADVICE_WARNING,
                  g_strdup_printf (_("%s has no unwind information (.eh_frame); %.1f %% of stacks stop in it: "
                                     "rebuild it with -fasynchronous-unwind-tables, or record with frame pointers "
                                     "if it keeps them"), name, pct));
      break;

    case SCORCH_UNWIND_STOP_UNKNOWN_MAPPING:
      add_advice (self, SCORCH_ADVICE_WARNING,
                  g_strdup_printf (_("%.1f %% of stacks stop in code that belongs to no file (JIT): have the runtime "
                                     "write /tmp/perf-PID.map (e.g. node --perf-basic-prof)"), pct));
      break;

    case SCORCH_UNWIND_STOP_UNMAPPED:
      add_advice (self, SCORCH_ADVICE_INFO,
                  g_strdup_printf (_("%.1f %% of stacks stop at an address in no mapping the capture recorded "
                                     "(a corrupt chain, or code mapped before recording began)"), pct));
      break;

    case SCORCH_UNWIND_STOP_UNWIND_FAILED:
      add_advice (self, SCORCH_ADVICE_WARNING,
                  g_strdup_printf (_("DWARF unwinding gave nothing for %.1f %% of samples (in %s); "
                                     "their frame-pointer chain is shown instead"), pct, name));
      break;

    case SCORCH_UNWIND_STOP_MAX_DEPTH:
      add_advice (self, SCORCH_ADVICE_WARNING,
                  g_strdup_printf (_("%.1f %% of stacks are deeper than the kernel's limit "
                                     "(kernel.perf_event_max_stack): raise it to see their outer frames"), pct));
      break;

    case SCORCH_UNWIND_STOP_MODULE_UNREADABLE:
      {
        const char *why = module_unreadable_reason (self, s->module);

        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("%.1f %% of stacks stop in %s, whose file cannot be read on this machine (%s): "
                                       "its frames are shown as addresses and the frames above them are unknown; "
                                       "open the capture where it was recorded"), pct, name, why));
      }
      break;

    case SCORCH_UNWIND_STOP_OTHER:
      add_advice (self, SCORCH_ADVICE_INFO,
                  g_strdup_printf (_("%.1f %% of stacks stop in %s (%s): the unwinder could not go on there"),
                                   pct, function, name));
      break;

    case SCORCH_UNWIND_STOP_STACK_COPY:
    case SCORCH_N_UNWIND_STOPS:
    default:
      break;
    }
}

static void
build_advice (ScorchDiagnostics *self)
{
  guint64 n = self->n_samples;
  guint64 max_needed = 0;
  guint advised = 0;

  g_array_set_size (self->advice, 0);

  if (n > 0 && self->n_truncated == 0)
    add_advice (self, SCORCH_ADVICE_INFO,
                g_strdup (_("Every stack reaches its thread's entry (or is kernel-only): no stack is cut short")));

  for (guint i = 0; i < self->stops->len; i++)
    {
      const ScorchUnwindStopEntry *s = &g_array_index (self->stops, ScorchUnwindStopEntry, i);

      if (s->reason == SCORCH_UNWIND_STOP_STACK_COPY)
        {
          max_needed = MAX (max_needed, s->max_needed);
          continue;
        }
      if (advised >= 8 || (double) s->n_samples < ADVICE_MIN_SHARE * (double) n)
        continue;
      advise_stop (self, s, n);
      advised++;
    }

  if (self->n_stack_copy > 0)
    {
      guint size = suggest_copy_size (self, max_needed);

      if (self->copy_size >= MAX_STACK_COPY || size <= self->copy_size)
        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("stack copy of %u bytes, the most the kernel allows, too small for %.1f %% of "
                                       "samples: record with --call-graph fp+repair where the code keeps frame pointers"),
                                     self->copy_size, share (self->n_stack_copy, n)));
      else if (needed_bytes (self) > 0)
        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("stack copy of %u bytes too small for %.1f %% of samples "
                                       "(their stacks held up to %" G_GUINT64_FORMAT " bytes): use --call-graph dwarf,%u"),
                                     self->copy_size, share (self->n_stack_copy, n), needed_bytes (self), size));
      else
        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("stack copy of %u bytes too small for %.1f %% of samples: "
                                       "use --call-graph dwarf,%u"),
                                     self->copy_size, share (self->n_stack_copy, n), size));
    }

  if (self->frameless->len > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);
      guint64 sum = 0;

      for (guint i = 0; i < self->frameless->len; i++)
        {
          const ScorchLeafEntry *e = &g_array_index (self->frameless, ScorchLeafEntry, i);

          sum += e->n_samples;
          if (i < 5)
            g_string_append_printf (list, "%s%s (%.1f %%)", i > 0 ? ", " : "", e->function, share (e->n_samples, n));
        }
      if (self->frameless->len > 5)
        g_string_append (list, ", …");
      if ((double) sum >= ADVICE_MIN_SHARE * (double) n && scorch_diagnostics_get_via_broker (self))
        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("Callers of these leaves are missing (%.1f %% of samples): %s — they cannot be "
                                       "repaired in a capture recorded through sysprofd, which copies no registers "
                                       "or stacks; with direct access to perf_event_open (kernel.perf_event_paranoid "
                                       "at 2 or less, or CAP_PERFMON) record with --call-graph fp+repair or dwarf"),
                                     share (sum, n), list->str));
      else if ((double) sum >= ADVICE_MIN_SHARE * (double) n)
        add_advice (self, SCORCH_ADVICE_WARNING,
                    g_strdup_printf (_("Callers of these leaves are missing (%.1f %% of samples): %s — plain frame-pointer "
                                       "chains cannot repair them: record with --call-graph fp+repair or dwarf"),
                                     share (sum, n), list->str));
    }

  for (guint i = 0; i < self->unnamed->len && i < 8; i++)
    {
      const ScorchUnnamedModule *m = &g_array_index (self->unnamed, ScorchUnnamedModule, i);
      const char *name = scorch_diagnostics_module_name (m->module);

      if ((double) m->n_samples < ADVICE_MIN_SHARE * (double) MAX (n, self->n_samples_total))
        continue;
      /* memory no file backs has no symbols to install or read
       * (code made at run time: named only by a JIT's perf map) */
      if (!scorch_path_is_file_backed (m->module))
        continue;
      if (module_unreadable_reason (self, m->module) != NULL)
        {
          const char *why = module_unreadable_reason (self, m->module);

          add_advice (self, SCORCH_ADVICE_INFO,
                      g_strdup_printf (_("%s cannot be read on this machine (%s): its frames are shown as addresses"),
                                       name, why));
        }
      else if (is_library (m->module))
        add_advice (self, SCORCH_ADVICE_INFO,
                    g_strdup_printf (_("%s has no symbols: install the -dbgsym package of the package that ships it, "
                                       "or set DEBUGINFOD_URLS"), name));
      else
        add_advice (self, SCORCH_ADVICE_INFO,
                    g_strdup_printf (_("%s has no symbols: install %s-dbgsym or set DEBUGINFOD_URLS"), name, name));
    }

  if (self->n_other_events > 0)
    add_advice (self, SCORCH_ADVICE_INFO,
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%" G_GUINT64_FORMAT " sample of another event (%s) is not shown: "
                                              "this profile is of %s only",
                                              "%" G_GUINT64_FORMAT " samples of other events (%s) are not shown: "
                                              "this profile is of %s only", self->n_other_events),
                                 self->n_other_events, self->other_events != NULL ? self->other_events : "?",
                                 self->event_name != NULL ? self->event_name : _("the first event")));
  if (self->n_lost > 0)
    add_advice (self, SCORCH_ADVICE_WARNING,
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%" G_GUINT64_FORMAT " sample was lost (the ring buffer was full): "
                                              "record at a lower frequency (-F)",
                                              "%" G_GUINT64_FORMAT " samples were lost (the ring buffer was full): "
                                              "record at a lower frequency (-F)", self->n_lost),
                                 self->n_lost));
}

char *
scorch_diagnostics_format_exit_status (int status)
{
  if (status < 0)
    return g_strdup (_("unknown"));
  if (WIFSIGNALED (status))
    return g_strdup_printf (_("killed by signal %d (%s)"), WTERMSIG (status), g_strsignal (WTERMSIG (status)));
  if (WIFEXITED (status))
    return g_strdup_printf (_("exited with status %d"), WEXITSTATUS (status));
  return g_strdup_printf (_("wait status 0x%x"), (guint) status);
}

const char *
scorch_unwind_stop_describe (ScorchUnwindStop reason)
{
  switch (reason)
    {
    case SCORCH_UNWIND_STOP_NO_FRAME_POINTER:
      return _("no frame pointer");
    case SCORCH_UNWIND_STOP_BROKEN_CHAIN:
      return _("frame-pointer chain broken by a caller");
    case SCORCH_UNWIND_STOP_NO_CFI:
      return _("no unwind information");
    case SCORCH_UNWIND_STOP_STACK_COPY:
      return _("stack copy too small");
    case SCORCH_UNWIND_STOP_UNKNOWN_MAPPING:
      return _("code outside any file (JIT)");
    case SCORCH_UNWIND_STOP_UNMAPPED:
      return _("address in no mapping");
    case SCORCH_UNWIND_STOP_UNWIND_FAILED:
      return _("DWARF unwinding failed");
    case SCORCH_UNWIND_STOP_MAX_DEPTH:
      return _("depth limit");
    case SCORCH_UNWIND_STOP_MODULE_UNREADABLE:
      return _("file cannot be read here");
    case SCORCH_UNWIND_STOP_OTHER:
    case SCORCH_N_UNWIND_STOPS:
    default:
      return _("unwinder stopped");
    }
}

static void
add_fact (ScorchDiagnostics *self,
          const char        *id,
          const char        *title,
          char              *value)
{
  ScorchCaptureFact f = { id, g_strdup (title), value };

  g_array_append_val (self->facts, f);
}

static void
build_facts (ScorchDiagnostics *self)
{
  g_array_set_size (self->facts, 0);

  if (self->command_line != NULL)
    add_fact (self, "command", _("Command line"), g_strdup (self->command_line));
  if (self->hostname != NULL || self->osrelease != NULL)
    add_fact (self, "host", _("Host and kernel"),
              g_strdup_printf ("%s · Linux %s%s%s%s", self->hostname ? self->hostname : "?",
                               self->osrelease ? self->osrelease : "?",
                               self->arch ? " (" : "", self->arch ? self->arch : "", self->arch ? ")" : ""));
  if (self->perf_version != NULL)
    {
      /* Scorch writes "VERSION (scorch)" where perf writes its version. */
      const char *mark = strstr (self->perf_version, " (scorch)");

      if (mark != NULL)
        add_fact (self, "perf-version", _("Written by"),
                  g_strdup_printf (_("Scorch %.*s"), (int) (mark - self->perf_version), self->perf_version));
      else
        add_fact (self, "perf-version", _("Written by"), g_strdup_printf (_("perf %s"), self->perf_version));
    }
  if (self->event_name != NULL)
    {
      if (self->freq && self->freq_or_period > 0)
        add_fact (self, "event", _("Event"),
                  g_strdup_printf (_("%s at %" G_GUINT64_FORMAT " Hz"), self->event_name, self->freq_or_period));
      else if (self->freq_or_period > 0)
        add_fact (self, "event", _("Event"),
                  g_strdup_printf (_("%s, every %" G_GUINT64_FORMAT " events"), self->event_name, self->freq_or_period));
      else
        add_fact (self, "event", _("Event"), g_strdup (self->event_name));
    }
  if (self->have_totals)
    {
      add_fact (self, "duration", _("Duration"), g_strdup_printf (_("%.2f s"), self->duration_ns / 1e9));
      add_fact (self, "samples", _("Samples"), g_strdup_printf ("%" G_GUINT64_FORMAT, self->n_samples_total));
    }
  add_fact (self, "lost", _("Lost samples"), g_strdup_printf ("%" G_GUINT64_FORMAT, self->n_lost));
  if (self->have_totals)
    {
      g_autofree char *threads = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread", "%u threads",
                                                               self->n_threads), self->n_threads);
      g_autofree char *processes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u process", "%u processes",
                                                                 self->n_processes), self->n_processes);

      /* Translators: "3 threads in 1 process" */
      add_fact (self, "threads", _("Threads and processes"), g_strdup_printf (_("%s in %s"), threads, processes));
    }
  {
    char *mode;

    switch (self->mode)
      {
      case SCORCH_STACK_MODE_NONE:
        mode = g_strdup (_("none (no call chains)"));
        break;
      case SCORCH_STACK_MODE_FP:
        mode = g_strdup (_("frame pointers (fp)"));
        break;
      case SCORCH_STACK_MODE_FP_REPAIR:
        mode = g_strdup (_("frame pointers with leaf repair (fp+repair)"));
        break;
      case SCORCH_STACK_MODE_DWARF:
        mode = g_strdup_printf (_("DWARF, %u-byte stack copies"), self->copy_size);
        break;
      case SCORCH_STACK_MODE_UNKNOWN:
      default:
        mode = g_strdup (_("unknown"));
        break;
      }
    add_fact (self, "stack-mode", _("Stack mode"), mode);
  }
  if (scorch_diagnostics_get_via_broker (self))
    add_fact (self, "recorded-via", _("Recorded through"),
              g_strdup (_("sysprofd, after polkit authorization (frame-pointer stacks only)")));
  else if (g_strcmp0 (self->recorded_via, "direct") == 0)
    add_fact (self, "recorded-via", _("Recorded through"), g_strdup (_("perf_event_open, directly")));
  if (self->n_samples > 0)
    add_fact (self, "complete", _("Complete stacks"),
              g_strdup_printf (_("%.1f %% complete, %.1f %% cut short, %.1f %% kernel-only"),
                               share (self->n_complete, self->n_samples),
                               share (self->n_truncated, self->n_samples),
                               share (self->n_kernel_only, self->n_samples)));
  if (self->has_exit_status)
    add_fact (self, "exit-status", _("Exit status"), scorch_diagnostics_format_exit_status (self->exit_status));
}

void
scorch_diagnostics_finish (ScorchDiagnostics *self)
{
  g_return_if_fail (self != NULL);

  classify (self);
  build_advice (self);
  build_facts (self);
}

/* ---- reading ---- */

ScorchStackMode
scorch_diagnostics_get_stack_mode (ScorchDiagnostics *self,
                                   guint             *copy_size)
{
  g_return_val_if_fail (self != NULL, SCORCH_STACK_MODE_UNKNOWN);

  if (copy_size != NULL)
    *copy_size = self->copy_size;
  return self->mode;
}

guint64
scorch_diagnostics_get_n_samples (ScorchDiagnostics *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_samples;
}

guint64
scorch_diagnostics_get_n_complete (ScorchDiagnostics *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_complete;
}

guint64
scorch_diagnostics_get_n_truncated (ScorchDiagnostics *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_truncated;
}

guint64
scorch_diagnostics_get_n_kernel_only (ScorchDiagnostics *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_kernel_only;
}

guint64
scorch_diagnostics_get_n_lost (ScorchDiagnostics *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_lost;
}

gboolean
scorch_diagnostics_get_exit_status (ScorchDiagnostics *self,
                                    int               *status)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (status != NULL)
    *status = self->exit_status;
  return self->has_exit_status;
}

const ScorchUnwindStopEntry *
scorch_diagnostics_get_stops (ScorchDiagnostics *self,
                              guint             *n_stops)
{
  g_return_val_if_fail (self != NULL, NULL);

  *n_stops = self->stops->len;
  return (const ScorchUnwindStopEntry *) (gpointer) self->stops->data;
}

const ScorchLeafEntry *
scorch_diagnostics_get_frameless_leaves (ScorchDiagnostics *self,
                                         guint             *n_leaves)
{
  g_return_val_if_fail (self != NULL, NULL);

  *n_leaves = self->frameless->len;
  return (const ScorchLeafEntry *) (gpointer) self->frameless->data;
}

const ScorchUnnamedModule *
scorch_diagnostics_get_unnamed_modules (ScorchDiagnostics *self,
                                        guint             *n_modules)
{
  g_return_val_if_fail (self != NULL, NULL);

  *n_modules = self->unnamed->len;
  return (const ScorchUnnamedModule *) (gpointer) self->unnamed->data;
}

const ScorchAdvice *
scorch_diagnostics_get_advice (ScorchDiagnostics *self,
                               guint             *n_advice)
{
  g_return_val_if_fail (self != NULL, NULL);

  *n_advice = self->advice->len;
  return (const ScorchAdvice *) (gpointer) self->advice->data;
}

const ScorchCaptureFact *
scorch_diagnostics_get_facts (ScorchDiagnostics *self,
                              guint             *n_facts)
{
  g_return_val_if_fail (self != NULL, NULL);

  *n_facts = self->facts->len;
  return (const ScorchCaptureFact *) (gpointer) self->facts->data;
}

void
scorch_diagnostics_get_summary (ScorchDiagnostics        *self,
                                ScorchDiagnosticsSummary *summary)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (summary != NULL);

  summary->n_samples = self->n_samples;
  summary->facts = scorch_diagnostics_get_facts (self, &summary->n_facts);
  summary->stops = scorch_diagnostics_get_stops (self, &summary->n_stops);
  summary->leaves = scorch_diagnostics_get_frameless_leaves (self, &summary->n_leaves);
  summary->unnamed = scorch_diagnostics_get_unnamed_modules (self, &summary->n_unnamed);
  summary->advice = scorch_diagnostics_get_advice (self, &summary->n_advice);
}
