/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-pprof.c: pprof (profile.proto) export and import
 *
 * The message is encoded and decoded by protobuf-c, with the code that
 * protoc-c generates at build time from third_party/pprof/profile.proto;
 * gzip is zlib's.  Scorch's frames are interned per function, not per
 * address, so a pprof location here is one function together with the
 * functions inlined into it at that point of the stack (one pprof line
 * each, leaf-most first, as pprof wants them). */

#include "config.h"

#define G_LOG_DOMAIN "scorch-pprof"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#if HAVE_PPROF
#include <zlib.h>

#include "profile.pb-c.h"
#endif

#include "scorch-pprof.h"
#include "scorch-profile-format.h"
#include "scorch-text.h"
#include "scorch-util.h"

G_DEFINE_QUARK (scorch-pprof-error-quark, scorch_pprof_error)

/* What a file may decompress to, and how deep a stack may be. */
#define MAX_PPROF_SIZE   ((gsize) 1024 * 1024 * 1024)
#define MAX_PPROF_DEPTH  65536

/* TRUE for gzip data (perf.data and folded stacks never are) or for a bare
 * profile.proto message (binary, starting with a field of Profile). */
static gboolean
sniff (const guint8 *data,
       gsize         len)
{
  if (data == NULL || len < 2)
    return FALSE;
  if (data[0] == 0x1f && data[1] == 0x8b)
    return TRUE;
  /* A bare message starts with one of Profile's fields: length-delimited
   * 1-6 (sample_type, sample, mapping, location, function, string_table)
   * or a varint 7-14; and it is binary: tags and lengths below 0x20 that
   * text (folded stacks) never holds, but for tab, newline and CR. */
  if (!(((data[0] & 7) == 2 && (data[0] >> 3) >= 1 && (data[0] >> 3) <= 6) ||
        ((data[0] & 7) == 0 && (data[0] >> 3) >= 7 && (data[0] >> 3) <= 14)))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
      return TRUE;
  return !g_utf8_validate ((const char *) data, len, NULL);
}

gint64
scorch_pprof_capture_time_nanos (ScorchProfile *profile,
                                 GFile         *file)
{
  g_autoptr(GFileInfo) info = NULL;
  guint64 begin = 0, end = 0;
  gint64 t;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), 0);

  if (file == NULL)
    return 0;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED))
    return 0;
  t = (gint64) MIN (g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED),
                    (guint64) (G_MAXINT64 / 1000000000)) * 1000000000;
  scorch_profile_get_time_bounds (profile, &begin, &end);
  if (end > begin && end - begin < (guint64) t)
    t -= (gint64) (end - begin);
  return t;
}

guint64
scorch_pprof_period_nanos (ScorchProfile *profile)
{
  const ScorchProfileInfo *info = scorch_profile_get_info (profile);
  gboolean freq = FALSE;
  guint64 value = 0;

  if (info->diagnostics == NULL ||
      !scorch_diagnostics_get_sampling (info->diagnostics, &freq, &value) || value == 0)
    return 0;
  if (freq)
    return 1000000000 / value;
  if (info->event_name != NULL && g_str_has_suffix (info->event_name, "-clock"))
    return value;
  return 0;
}

#if !HAVE_PPROF
/* What every entry point answers in a build without protobuf-c (each is
 * defined once, the unsupported build a branch inside it). */
static gboolean
unsupported (GError **error)
{
  g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_UNSUPPORTED,
               _("This Scorch was built without pprof support (protobuf-c)"));
  return FALSE;
}
#endif

#if HAVE_PPROF

typedef Perftools__Profiles__Profile   PbProfile;
typedef Perftools__Profiles__Sample    PbSample;
typedef Perftools__Profiles__Location  PbLocation;
typedef Perftools__Profiles__Function  PbFunction;
typedef Perftools__Profiles__Mapping   PbMapping;
typedef Perftools__Profiles__Line      PbLine;
typedef Perftools__Profiles__Label     PbLabel;
typedef Perftools__Profiles__ValueType PbValueType;

/* ------------------------------------------------------------------ */
/* Export */

typedef struct
{
  guint32 node;
  gint32  pid;
  gint32  tid;
  guint64 weight;
} Agg;

typedef struct
{
  guint64 mapping_id;
  guint   first_line;
  guint   n_lines;
} Loc;

typedef struct
{
  GPtrArray  *strings;      /* char *, owned; [0] = "" */
  GHashTable *string_index; /* borrowed char * -> index */
  GArray     *functions;    /* PbFunction */
  GHashTable *function_ids; /* frame + 1 -> id */
  GArray     *mappings;     /* PbMapping */
  GHashTable *mapping_ids;  /* borrowed module -> id */
  GArray     *locs;         /* Loc */
  GArray     *lines;        /* PbLine */
  GHashTable *loc_ids;      /* GBytes (frame ids of the run) -> id */
  GHashTable *build_ids;    /* borrowed: the profile's module -> hex build id, or NULL */
  gboolean    have_files;
  gboolean    have_inline;
} Writer;

static void
writer_clear (Writer *w)
{
  g_clear_pointer (&w->strings, g_ptr_array_unref);
  g_clear_pointer (&w->string_index, g_hash_table_unref);
  g_clear_pointer (&w->functions, g_array_unref);
  g_clear_pointer (&w->function_ids, g_hash_table_unref);
  g_clear_pointer (&w->mappings, g_array_unref);
  g_clear_pointer (&w->mapping_ids, g_hash_table_unref);
  g_clear_pointer (&w->locs, g_array_unref);
  g_clear_pointer (&w->lines, g_array_unref);
  g_clear_pointer (&w->loc_ids, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Writer, writer_clear)

/* Strings of a proto3 message are UTF-8: names from a capture are made so. */
static gint64
intern_string (Writer     *w,
               const char *s)
{
  gpointer idx;
  char *copy;

  if (s == NULL || s[0] == '\0')
    return 0;
  if (g_hash_table_lookup_extended (w->string_index, s, NULL, &idx))
    return GPOINTER_TO_UINT (idx);
  copy = scorch_text_valid_utf8 (s, -1);
  g_ptr_array_add (w->strings, copy);
  /* Keyed by the original text (the valid copy may differ); both live in
   * the array or the profile as long as the writer. */
  g_hash_table_insert (w->string_index, (gpointer) s, GUINT_TO_POINTER (w->strings->len - 1));
  return w->strings->len - 1;
}

static guint64
intern_function (Writer            *w,
                 ScorchProfile     *profile,
                 guint32            frame_id)
{
  const ScorchFrame *frame = scorch_profile_get_frame (profile, frame_id);
  PbFunction fn = PERFTOOLS__PROFILES__FUNCTION__INIT;
  gpointer id;

  if (g_hash_table_lookup_extended (w->function_ids, GUINT_TO_POINTER (frame_id + 1), NULL, &id))
    return GPOINTER_TO_UINT (id);

  fn.id = w->functions->len + 1;
  fn.name = intern_string (w, frame->function);
  fn.system_name = fn.name;
  fn.filename = intern_string (w, frame->file);
  if (frame->file != NULL)
    w->have_files = TRUE;
  g_array_append_val (w->functions, fn);
  g_hash_table_insert (w->function_ids, GUINT_TO_POINTER (frame_id + 1), GUINT_TO_POINTER ((guint) fn.id));
  return fn.id;
}

static guint64
intern_mapping (Writer     *w,
                const char *module)
{
  PbMapping m = PERFTOOLS__PROFILES__MAPPING__INIT;
  gpointer id;

  if (module == NULL || module[0] == '\0')
    return 0;
  if (g_hash_table_lookup_extended (w->mapping_ids, module, NULL, &id))
    return GPOINTER_TO_UINT (id);

  m.id = w->mappings->len + 1;
  m.filename = intern_string (w, module);
  if (w->build_ids != NULL)
    m.build_id = intern_string (w, g_hash_table_lookup (w->build_ids, module));
  m.has_functions = TRUE;
  g_array_append_val (w->mappings, m);
  g_hash_table_insert (w->mapping_ids, (gpointer) module, GUINT_TO_POINTER ((guint) m.id));
  return m.id;
}

/* The location of frames[0..n): inline frames (leaf-most first), then the
 * function they were inlined into. */
static guint64
intern_location (Writer        *w,
                 ScorchProfile *profile,
                 const guint32 *frames,
                 guint          n)
{
  g_autoptr(GBytes) key = g_bytes_new (frames, n * sizeof (guint32));
  const ScorchFrame *outer = scorch_profile_get_frame (profile, frames[n - 1]);
  gpointer id;
  Loc loc;

  if (g_hash_table_lookup_extended (w->loc_ids, key, NULL, &id))
    return GPOINTER_TO_UINT (id);

  loc.mapping_id = intern_mapping (w, outer->module);
  loc.first_line = w->lines->len;
  loc.n_lines = n;
  for (guint i = 0; i < n; i++)
    {
      PbLine line = PERFTOOLS__PROFILES__LINE__INIT;
      const ScorchFrame *frame = scorch_profile_get_frame (profile, frames[i]);

      line.function_id = intern_function (w, profile, frames[i]);
      line.line = frame->line;
      g_array_append_val (w->lines, line);
    }
  if (n > 1)
    w->have_inline = TRUE;
  g_array_append_val (w->locs, loc);
  g_hash_table_insert (w->loc_ids, g_steal_pointer (&key), GUINT_TO_POINTER (w->locs->len));
  return w->locs->len;
}

static int
compare_agg (gconstpointer a,
             gconstpointer b)
{
  const Agg *x = a, *y = b;

  if (x->node != y->node)
    return x->node < y->node ? -1 : 1;
  if (x->tid != y->tid)
    return x->tid < y->tid ? -1 : 1;
  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  return 0;
}

#endif /* HAVE_PPROF */

gboolean
scorch_pprof_write (ScorchProfile                 *profile,
                    const ScorchPprofWriteOptions *options,
                    GOutputStream                 *stream,
                    GCancellable                  *cancellable,
                    GError                       **error)
{
#if HAVE_PPROF
  g_auto(Writer) w = { 0 };
  g_autoptr(GArray) aggs = NULL;
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) sample_locs = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GArray) loc_offsets = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) thread_names = g_hash_table_new (NULL, NULL);
  g_autofree PbSample *pb_samples = NULL;
  g_autofree PbSample **pb_sample_ptrs = NULL;
  g_autofree PbLabel *pb_labels = NULL;
  g_autofree PbLabel **pb_label_ptrs = NULL;
  g_autofree gint64 *values = NULL;
  g_autofree PbLocation *pb_locs = NULL;
  g_autofree PbLocation **pb_loc_ptrs = NULL;
  g_autofree PbLine **pb_line_ptrs = NULL;
  g_autofree PbFunction **pb_fn_ptrs = NULL;
  g_autofree PbMapping **pb_map_ptrs = NULL;
  g_autofree guint8 *packed = NULL;
  PbValueType types[2] = { PERFTOOLS__PROFILES__VALUE_TYPE__INIT, PERFTOOLS__PROFILES__VALUE_TYPE__INIT };
  PbValueType *type_ptrs[2] = { &types[0], &types[1] };
  PbValueType period_type = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
  PbProfile pb = PERFTOOLS__PROFILES__PROFILE__INIT;
  const ScorchSample *samples;
  const ScorchThread *threads;
  guint n_samples, n_threads, n_values, n_labels_per_sample = 4;
  guint64 period, begin = 0, end = 0;
  gsize packed_len;
  gint64 k_thread, k_tid, k_pid, k_process;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  w.strings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (w.strings, g_strdup (""));
  w.build_ids = scorch_profile_get_info (profile)->build_ids;
  w.string_index = g_hash_table_new (g_str_hash, g_str_equal);
  w.functions = g_array_new (FALSE, FALSE, sizeof (PbFunction));
  w.function_ids = g_hash_table_new (NULL, NULL);
  w.mappings = g_array_new (FALSE, FALSE, sizeof (PbMapping));
  w.mapping_ids = g_hash_table_new (g_str_hash, g_str_equal);
  w.locs = g_array_new (FALSE, FALSE, sizeof (Loc));
  w.lines = g_array_new (FALSE, FALSE, sizeof (PbLine));
  w.loc_ids = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);

  /* mapping[0] is the main binary, says profile.proto: of the modules that
   * are no library and not [kernel], the one that most samples pass through. */
  {
    const ScorchNode *nodes;
    const guint64 *totals = scorch_profile_get_node_total (profile);
    const char *main_module = NULL;
    guint64 best = 0;
    guint n_nodes;

    nodes = scorch_profile_get_nodes (profile, &n_nodes);
    for (guint32 c = 1; c < n_nodes; c++)
      {
        const char *module = scorch_profile_get_frame (profile, nodes[c].frame)->module;

        if (totals[c] > best && module[0] != '\0' && module[0] != '[' && strstr (module, ".so") == NULL)
          {
            best = totals[c];
            main_module = module;
          }
      }
    if (main_module != NULL)
      intern_mapping (&w, main_module);
  }

  /* One pprof sample per (stack, thread) of the current view. */
  samples = scorch_profile_get_samples (profile, &n_samples);
  aggs = g_array_sized_new (FALSE, FALSE, sizeof (Agg), n_samples);
  for (guint i = 0; i < n_samples; i++)
    {
      Agg a = { samples[i].node, samples[i].pid, samples[i].tid, samples[i].weight };

      if (samples[i].weight > 0 && samples[i].node != SCORCH_PROFILE_ROOT)
        g_array_append_val (aggs, a);
    }
  g_array_sort (aggs, compare_agg);
  {
    guint out = 0;

    for (guint i = 0; i < aggs->len; i++)
      {
        Agg *a = &g_array_index (aggs, Agg, i);

        if (out > 0 && compare_agg (&g_array_index (aggs, Agg, out - 1), a) == 0)
          g_array_index (aggs, Agg, out - 1).weight += a->weight;
        else
          g_array_index (aggs, Agg, out++) = *a;
      }
    g_array_set_size (aggs, out);
  }

  threads = scorch_profile_get_threads (profile, &n_threads);
  for (guint i = 0; i < n_threads; i++)
    if (threads[i].name != NULL)
      g_hash_table_insert (thread_names, GINT_TO_POINTER (threads[i].tid), (gpointer) threads[i].name);

  period = scorch_pprof_period_nanos (profile);
  n_values = period > 0 ? 2 : 1;
  types[0].type = intern_string (&w, "samples");
  types[0].unit = intern_string (&w, "count");
  types[1].type = intern_string (&w, "cpu");
  types[1].unit = intern_string (&w, "nanoseconds");
  k_thread = intern_string (&w, "thread");
  k_tid = intern_string (&w, "tid");
  k_pid = intern_string (&w, "pid");
  k_process = intern_string (&w, "process");

  pb_samples = g_new (PbSample, MAX (aggs->len, 1));
  pb_sample_ptrs = g_new (PbSample *, MAX (aggs->len, 1));
  pb_labels = g_new (PbLabel, MAX (aggs->len, 1) * n_labels_per_sample);
  pb_label_ptrs = g_new (PbLabel *, MAX (aggs->len, 1) * n_labels_per_sample);
  values = g_new (gint64, MAX (aggs->len, 1) * n_values);

  for (guint i = 0; i < aggs->len; i++)
    {
      const Agg *a = &g_array_index (aggs, Agg, i);
      PbSample *s = &pb_samples[i];
      PbLabel *labels = &pb_labels[i * n_labels_per_sample];
      const guint32 *frames;
      const char *thread_name = g_hash_table_lookup (thread_names, GINT_TO_POINTER (a->tid));
      const char *process_name = scorch_profile_get_process_name (profile, a->pid);
      guint n = 0, n_frames;

      perftools__profiles__sample__init (s);
      pb_sample_ptrs[i] = s;

      n_frames = scorch_profile_node_get_stack (profile, a->node, stack);
      frames = (const guint32 *) (gpointer) stack->data;
      g_array_append_val (loc_offsets, sample_locs->len);
      for (guint j = 0; j < n_frames;)
        {
          guint k = j;
          guint64 id;

          /* Inline frames are callees of the function they were inlined into. */
          while (k + 1 < n_frames &&
                 scorch_profile_get_frame (profile, frames[k])->kind == SCORCH_FRAME_KIND_INLINED)
            k++;
          id = intern_location (&w, profile, frames + j, k - j + 1);
          g_array_append_val (sample_locs, id);
          j = k + 1;
        }

      values[i * n_values] = MIN (a->weight, (guint64) G_MAXINT64);
      if (n_values > 1)
        values[i * n_values + 1] = a->weight <= (guint64) G_MAXINT64 / period
                                     ? (gint64) (a->weight * period) : G_MAXINT64;
      s->n_value = n_values;
      s->value = &values[i * n_values];

      for (guint j = 0; j < n_labels_per_sample; j++)
        perftools__profiles__label__init (&labels[j]);
      if (thread_name != NULL)
        {
          labels[n].key = k_thread;
          labels[n++].str = intern_string (&w, thread_name);
        }
      if (process_name != NULL)
        {
          labels[n].key = k_process;
          labels[n++].str = intern_string (&w, process_name);
        }
      if (a->tid != 0 || a->pid != 0)
        {
          labels[n].key = k_tid;
          labels[n++].num = a->tid;
          labels[n].key = k_pid;
          labels[n++].num = a->pid;
        }
      for (guint j = 0; j < n; j++)
        pb_label_ptrs[i * n_labels_per_sample + j] = &labels[j];
      s->n_label = n;
      s->label = &pb_label_ptrs[i * n_labels_per_sample];
    }

  /* Location ids of the samples point into sample_locs, which is final now. */
  for (guint i = 0; i < aggs->len; i++)
    {
      guint first = g_array_index (loc_offsets, guint, i);
      guint last = i + 1 < aggs->len ? g_array_index (loc_offsets, guint, i + 1) : sample_locs->len;

      pb_samples[i].n_location_id = last - first;
      pb_samples[i].location_id = (uint64_t *) &g_array_index (sample_locs, guint64, first);
    }

  pb_line_ptrs = g_new (PbLine *, MAX (w.lines->len, 1));
  for (guint i = 0; i < w.lines->len; i++)
    pb_line_ptrs[i] = &g_array_index (w.lines, PbLine, i);
  pb_locs = g_new (PbLocation, MAX (w.locs->len, 1));
  pb_loc_ptrs = g_new (PbLocation *, MAX (w.locs->len, 1));
  for (guint i = 0; i < w.locs->len; i++)
    {
      const Loc *loc = &g_array_index (w.locs, Loc, i);

      perftools__profiles__location__init (&pb_locs[i]);
      pb_locs[i].id = i + 1;
      pb_locs[i].mapping_id = loc->mapping_id;
      pb_locs[i].n_line = loc->n_lines;
      pb_locs[i].line = &pb_line_ptrs[loc->first_line];
      pb_loc_ptrs[i] = &pb_locs[i];
    }
  pb_fn_ptrs = g_new (PbFunction *, MAX (w.functions->len, 1));
  for (guint i = 0; i < w.functions->len; i++)
    pb_fn_ptrs[i] = &g_array_index (w.functions, PbFunction, i);
  pb_map_ptrs = g_new (PbMapping *, MAX (w.mappings->len, 1));
  for (guint i = 0; i < w.mappings->len; i++)
    {
      PbMapping *m = &g_array_index (w.mappings, PbMapping, i);

      m->has_filenames = w.have_files;
      m->has_line_numbers = w.have_files;
      m->has_inline_frames = w.have_inline;
      pb_map_ptrs[i] = m;
    }

  scorch_profile_get_time_bounds (profile, &begin, &end);
  period_type.type = types[1].type;
  period_type.unit = types[1].unit;

  pb.n_sample_type = n_values;
  pb.sample_type = type_ptrs;
  pb.n_sample = aggs->len;
  pb.sample = pb_sample_ptrs;
  pb.n_mapping = w.mappings->len;
  pb.mapping = pb_map_ptrs;
  pb.n_location = w.locs->len;
  pb.location = pb_loc_ptrs;
  pb.n_function = w.functions->len;
  pb.function = pb_fn_ptrs;
  pb.time_nanos = options != NULL ? options->time_nanos : 0;
  pb.duration_nanos = end > begin ? (gint64) MIN (end - begin, (guint64) G_MAXINT64) : 0;
  if (period > 0)
    {
      pb.period_type = &period_type;
      pb.period = period;
    }
  else
    {
      period_type.type = types[0].type;
      period_type.unit = types[0].unit;
      pb.period_type = &period_type;
      pb.period = 1;
    }
  /* Interned last: every string above is in the table now. */
  pb.n_string_table = w.strings->len;
  pb.string_table = (char **) w.strings->pdata;

  packed_len = perftools__profiles__profile__get_packed_size (&pb);
  packed = g_malloc (MAX (packed_len, 1));
  perftools__profiles__profile__pack (&pb, packed);

  if (options != NULL && options->no_gzip)
    return g_output_stream_write_all (stream, packed, packed_len, NULL, cancellable, error);

  {
    g_autoptr(GZlibCompressor) gz = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
    g_autoptr(GOutputStream) out = g_converter_output_stream_new (stream, G_CONVERTER (gz));

    g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (out), FALSE);
    if (!g_output_stream_write_all (out, packed, packed_len, NULL, cancellable, error))
      {
        g_output_stream_close (out, NULL, NULL);
        return FALSE;
      }
    return g_output_stream_close (out, cancellable, error);
  }
#else
  return unsupported (error);
#endif
}

#if HAVE_PPROF

/* ------------------------------------------------------------------ */
/* Import */

static gboolean
gunzip (const guint8  *data,
        gsize          len,
        GByteArray   **out,
        GError       **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  z_stream zs;
  int ret;

  memset (&zs, 0, sizeof zs);
  if (inflateInit2 (&zs, 15 + 32) != Z_OK)
    {
      g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_GZIP, _("Cannot start zlib"));
      return FALSE;
    }

  zs.next_in = (Bytef *) data;
  zs.avail_in = 0;
  do
    {
      gsize have = buf->len;

      if (zs.avail_in == 0)
        {
          gsize left = len - (gsize) ((const guint8 *) zs.next_in - data);

          zs.avail_in = (uInt) MIN (left, (gsize) G_MAXUINT32 / 2);
        }
      if (buf->len >= MAX_PPROF_SIZE)
        {
          inflateEnd (&zs);
          g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_TOO_BIG,
                       _("The profile decompresses to more than %u MiB"),
                       (guint) (MAX_PPROF_SIZE / (1024 * 1024)));
          return FALSE;
        }
      g_byte_array_set_size (buf, have + 256 * 1024);
      zs.next_out = buf->data + have;
      zs.avail_out = 256 * 1024;
      ret = inflate (&zs, Z_NO_FLUSH);
      g_byte_array_set_size (buf, have + (256 * 1024 - zs.avail_out));
      if (ret == Z_BUF_ERROR && zs.avail_in == 0 &&
          (const guint8 *) zs.next_in == data + len)
        {
          inflateEnd (&zs);
          g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_GZIP,
                       _("The gzip data is cut short (the file is truncated)"));
          return FALSE;
        }
      if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
        {
          g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_GZIP,
                       _("The gzip data is damaged: %s"), zs.msg != NULL ? zs.msg : zError (ret));
          inflateEnd (&zs);
          return FALSE;
        }
    }
  while (ret != Z_STREAM_END);
  inflateEnd (&zs);

  *out = g_steal_pointer (&buf);
  return TRUE;
}

typedef struct
{
  const PbProfile *pb;
  GHashTable      *functions; /* id -> PbFunction */
  GHashTable      *mappings;  /* id -> PbMapping */
  GHashTable      *locations; /* id -> GArray of guint32 frame ids, root first */
  GHashTable      *build_ids; /* module -> build id, for the profile's info */
} Reader;

static void
reader_clear (Reader *r)
{
  GHashTable **tables[] = { &r->functions, &r->mappings, &r->locations, &r->build_ids };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_clear_pointer (tables[i], g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reader, reader_clear)

static gboolean
check_string (const PbProfile  *pb,
              gint64            idx,
              const char       *what,
              GError          **error)
{
  if (idx >= 0 && (guint64) idx < pb->n_string_table)
    return TRUE;
  g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
               _("The profile is inconsistent: %s names string %" G_GINT64_FORMAT
                 " of a table of %" G_GSIZE_FORMAT),
               what, idx, pb->n_string_table);
  return FALSE;
}

static const char *
string_at (const PbProfile *pb,
           gint64           idx)
{
  return idx > 0 && (guint64) idx < pb->n_string_table && pb->string_table[idx] != NULL
           ? pb->string_table[idx] : "";
}

static gboolean
is_kernel_module (const char *module)
{
  return g_str_has_prefix (module, "[kernel") || g_str_has_prefix (module, "[vmlinux") ||
         g_str_has_suffix (module, ".ko");
}

/* The function (or mapping) with id that location loc names; NULL with
 * error set when the profile does not hold it. */
static gconstpointer
location_lookup (Reader            *r,
                 const PbLocation  *loc,
                 guint64            id,
                 gboolean           function,
                 GError           **error)
{
  gconstpointer found = g_hash_table_lookup (function ? r->functions : r->mappings, &id);

  if (found != NULL)
    return found;
  if (function)
    g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                 _("The profile is inconsistent: location %" G_GUINT64_FORMAT
                   " names function %" G_GUINT64_FORMAT ", which it does not hold"),
                 (guint64) loc->id, id);
  else
    g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                 _("The profile is inconsistent: location %" G_GUINT64_FORMAT
                   " names mapping %" G_GUINT64_FORMAT ", which it does not hold"),
                 (guint64) loc->id, id);
  return NULL;
}

/* The frames of one location, root first: the function the others were
 * inlined into, then the inlined ones (pprof lists them leaf-most first). */
static GArray *
read_location (Reader                *r,
               ScorchProfileBuilder  *builder,
               const PbLocation      *loc,
               GError               **error)
{
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (guint32));
  const PbMapping *mapping = NULL;
  const char *module = "";
  gboolean kernel;

  if (loc->mapping_id != 0)
    {
      mapping = location_lookup (r, loc, loc->mapping_id, FALSE, error);
      if (mapping == NULL)
        return NULL;
      module = string_at (r->pb, mapping->filename);
      if (mapping->build_id > 0 && module[0] != '\0' && r->build_ids != NULL)
        g_hash_table_replace (r->build_ids, g_strdup (module), g_strdup (string_at (r->pb, mapping->build_id)));
    }
  kernel = is_kernel_module (module);

  if (loc->n_line == 0)
    {
      /* Not symbolized: the address names it, as perf does. */
      g_autofree char *name = NULL;
      guint32 id;

      if (module[0] != '\0' && mapping != NULL && loc->address >= mapping->memory_start)
        name = g_strdup_printf ("%s+0x%" G_GINT64_MODIFIER "x",
                                scorch_diagnostics_module_name (module),
                                (guint64) (loc->address - mapping->memory_start + mapping->file_offset));
      else
        name = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", (guint64) loc->address);
      id = scorch_profile_builder_intern_frame (builder, name, module, NULL, 0,
                                                kernel ? SCORCH_FRAME_KIND_KERNEL : SCORCH_FRAME_KIND_UNKNOWN);
      g_array_append_val (frames, id);
      return g_steal_pointer (&frames);
    }

  for (gsize i = loc->n_line; i-- > 0;)
    {
      const PbLine *line = loc->line[i];
      const PbFunction *fn = location_lookup (r, loc, line->function_id, TRUE, error);
      const char *name, *file;
      ScorchFrameKind kind;
      guint32 id;

      if (fn == NULL)
        return NULL;
      name = string_at (r->pb, fn->name);
      if (name[0] == '\0')
        name = string_at (r->pb, fn->system_name);
      if (name[0] == '\0')
        name = "[unknown]";
      file = string_at (r->pb, fn->filename);
      /* line[0] is the leaf-most inlined function, the last line the
       * function they were all inlined into. */
      if (i + 1 < loc->n_line)
        kind = SCORCH_FRAME_KIND_INLINED;
      else if (kernel)
        kind = SCORCH_FRAME_KIND_KERNEL;
      else
        kind = SCORCH_FRAME_KIND_USER;
      id = scorch_profile_builder_intern_frame (builder, name, module, file[0] != '\0' ? file : NULL,
                                                line->line > 0 && line->line <= G_MAXUINT ? (guint) line->line : 0,
                                                kind);
      g_array_append_val (frames, id);
    }
  return g_steal_pointer (&frames);
}

/* Which value of the samples to read: see scorch-pprof.h. */
static gsize
choose_value (const PbProfile *pb)
{
  for (gsize i = 0; i < pb->n_sample_type; i++)
    if (g_str_equal (string_at (pb, pb->sample_type[i]->unit), "count"))
      return i;
  if (pb->default_sample_type != 0)
    for (gsize i = 0; i < pb->n_sample_type; i++)
      if (pb->sample_type[i]->type == pb->default_sample_type)
        return i;
  return pb->n_sample_type - 1;
}

static ScorchProfile *
build_profile (const PbProfile  *pb,
               GError          **error)
{
  g_auto(Reader) r = { 0 };
  g_autoptr(ScorchProfileBuilder) builder = scorch_profile_builder_new ();
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  gint64 k_tid = -1, k_pid = -1, k_thread = -1, k_process = -1;
  guint64 max_value = 0, divisor = 1, n_added = 0;
  gsize vi;

  r.pb = pb;
  if (pb->n_string_table == 0 || pb->string_table[0] == NULL || pb->string_table[0][0] != '\0')
    {
      g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                   _("Not a pprof profile: its string table does not begin with the empty string"));
      return NULL;
    }
  if (pb->n_sample_type == 0)
    {
      g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                   _("The profile names no sample type"));
      return NULL;
    }
  for (gsize i = 0; i < pb->n_sample_type; i++)
    if (!check_string (pb, pb->sample_type[i]->type, _("a sample type"), error) ||
        !check_string (pb, pb->sample_type[i]->unit, _("a sample type"), error))
      return NULL;
  for (gsize i = 1; i < pb->n_string_table; i++)
    {
      const char *s = pb->string_table[i];

      if (g_str_equal (s, "tid") || g_str_equal (s, "thread_id"))
        k_tid = k_tid < 0 ? (gint64) i : k_tid;
      else if (g_str_equal (s, "pid"))
        k_pid = i;
      else if (g_str_equal (s, "thread") || g_str_equal (s, "thread_name"))
        k_thread = k_thread < 0 ? (gint64) i : k_thread;
      else if (g_str_equal (s, "process"))
        k_process = i;
    }

  r.functions = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < pb->n_function; i++)
    {
      const PbFunction *fn = pb->function[i];

      if (!check_string (pb, fn->name, _("a function"), error) ||
          !check_string (pb, fn->system_name, _("a function"), error) ||
          !check_string (pb, fn->filename, _("a function"), error))
        return NULL;
      g_hash_table_insert (r.functions, (gpointer) &fn->id, (gpointer) fn);
    }
  r.mappings = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < pb->n_mapping; i++)
    {
      const PbMapping *m = pb->mapping[i];

      if (!check_string (pb, m->filename, _("a mapping"), error) ||
          !check_string (pb, m->build_id, _("a mapping"), error))
        return NULL;
      g_hash_table_insert (r.mappings, (gpointer) &m->id, (gpointer) m);
    }
  r.locations = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) g_array_unref);
  r.build_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (gsize i = 0; i < pb->n_location; i++)
    {
      GArray *frames = read_location (&r, builder, pb->location[i], error);

      if (frames == NULL)
        return NULL;
      g_hash_table_insert (r.locations, (gpointer) &pb->location[i]->id, frames);
    }

  vi = choose_value (pb);
  for (gsize i = 0; i < pb->n_sample; i++)
    {
      const PbSample *s = pb->sample[i];

      if (s->n_value != pb->n_sample_type)
        {
          g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                       _("The profile is inconsistent: sample %" G_GSIZE_FORMAT " has %" G_GSIZE_FORMAT
                         " values for %" G_GSIZE_FORMAT " sample types"),
                       i + 1, s->n_value, pb->n_sample_type);
          return NULL;
        }
      if (s->value[vi] > 0)
        max_value = MAX (max_value, (guint64) s->value[vi]);
    }
  /* Scorch weighs a sample with 32 bits: larger values (bytes, nanoseconds)
   * are scaled down together, which keeps their shares. */
  if (max_value > G_MAXUINT32)
    divisor = max_value / G_MAXUINT32 + 1;

  for (gsize i = 0; i < pb->n_sample; i++)
    {
      const PbSample *s = pb->sample[i];
      gint32 tid = 0, pid = 0;
      const char *thread = NULL, *process = NULL;
      guint64 weight;

      if (s->value[vi] <= 0)
        continue;
      weight = (guint64) s->value[vi] / divisor;
      if (weight == 0)
        weight = 1;

      g_array_set_size (stack, 0);
      for (gsize j = s->n_location_id; j-- > 0;)
        {
          GArray *frames = g_hash_table_lookup (r.locations, &s->location_id[j]);

          if (frames == NULL)
            {
              g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                           _("The profile is inconsistent: sample %" G_GSIZE_FORMAT " names location %"
                             G_GUINT64_FORMAT ", which it does not hold"),
                           i + 1, (guint64) s->location_id[j]);
              return NULL;
            }
          if (stack->len + frames->len > MAX_PPROF_DEPTH)
            {
              g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                           _("Sample %" G_GSIZE_FORMAT " has a stack deeper than %u frames"),
                           i + 1, MAX_PPROF_DEPTH);
              return NULL;
            }
          g_array_append_vals (stack, frames->data, frames->len);
        }

      for (gsize j = 0; j < s->n_label; j++)
        {
          const PbLabel *l = s->label[j];

          if (l->key == 0)
            continue;
          if (l->key == k_tid && l->num > 0 && l->num <= G_MAXINT32)
            tid = l->num;
          else if (l->key == k_pid && l->num > 0 && l->num <= G_MAXINT32)
            pid = l->num;
          else if (l->key == k_thread && l->str > 0 && (guint64) l->str < pb->n_string_table)
            thread = string_at (pb, l->str);
          else if (l->key == k_process && l->str > 0 && (guint64) l->str < pb->n_string_table)
            process = string_at (pb, l->str);
        }
      if (thread != NULL && tid != 0)
        scorch_profile_builder_set_thread_name (builder, pid, tid, thread);
      else if (process != NULL && pid != 0 && tid == 0)
        {
          tid = pid;
          scorch_profile_builder_set_thread_name (builder, pid, tid, process);
        }

      /* A stack may be empty (pprof allows it): count it at the root. */
      if (stack->len == 0)
        {
          guint32 id = scorch_profile_builder_intern_frame (builder, "[unknown]", "", NULL, 0,
                                                            SCORCH_FRAME_KIND_UNKNOWN);
          g_array_append_val (stack, id);
        }
      while (weight > 0)
        {
          ScorchProfileSample sample = {
            .pid = pid, .tid = tid,
            .frames = (const guint32 *) (gpointer) stack->data, .n_frames = stack->len,
            .weight = (guint32) MIN (weight, (guint64) G_MAXUINT32),
          };

          scorch_profile_builder_add_sample (builder, &sample);
          weight -= sample.weight;
        }
      n_added++;
    }

  if (n_added == 0)
    {
      g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_EMPTY,
                   _("The profile holds no samples"));
      return NULL;
    }

  {
    ScorchProfileInfo *info = scorch_profile_builder_get_info (builder);
    const PbValueType *t = pb->sample_type[vi];

    g_free (info->event_name);
    info->event_name = g_strdup_printf ("%s/%s", string_at (pb, t->type), string_at (pb, t->unit));
    if (g_hash_table_size (r.build_ids) > 0)
      info->build_ids = g_steal_pointer (&r.build_ids);
  }

  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

#endif /* HAVE_PPROF */

ScorchProfile *
scorch_pprof_parse (const guint8  *data,
                    gsize          len,
                    GError       **error)
{
#if HAVE_PPROF
  g_autoptr(GByteArray) inflated = NULL;
  PbProfile *pb;
  ScorchProfile *profile;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
      if (!gunzip (data, len, &inflated, error))
        return NULL;
      data = inflated->data;
      len = inflated->len;
    }
  if (len == 0)
    {
      g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_EMPTY, _("The profile is empty"));
      return NULL;
    }

  pb = perftools__profiles__profile__unpack (NULL, len, data);
  if (pb == NULL)
    {
      g_set_error (error, SCORCH_PPROF_ERROR, SCORCH_PPROF_ERROR_INVALID,
                   _("Not a pprof profile: the profile.proto message is damaged or cut short"));
      return NULL;
    }
  profile = build_profile (pb, error);
  perftools__profiles__profile__free_unpacked (pb, NULL);
  return profile;
#else
  unsupported (error);
  return NULL;
#endif
}

#if HAVE_PPROF

static gpointer
parse_bytes (const char  *data,
             gsize        len,
             GError     **error)
{
  return scorch_pprof_parse ((const guint8 *) data, len, error);
}

#endif /* HAVE_PPROF */

static ScorchProfile *
load (const char    *path,
      GCancellable  *cancellable,
      GError       **error)
{
#if HAVE_PPROF
  g_return_val_if_fail (path != NULL, NULL);

  return scorch_parse_regular_file (path, cancellable, (ScorchParseFunc) parse_bytes, error);
#else
  unsupported (error);
  return NULL;
#endif
}

static gboolean
write_pprof (ScorchProfile  *profile,
             GFile          *source,
             GOutputStream  *stream,
             GCancellable   *cancellable,
             GError        **error)
{
  ScorchPprofWriteOptions options = { 0 };

  options.time_nanos = scorch_pprof_capture_time_nanos (profile, source);
  return scorch_pprof_write (profile, &options, stream, cancellable, error);
}

const ScorchProfileFormat scorch_pprof_format = {
  .name = "pprof",
  .extensions = { ".pb.gz", ".pprof", ".pb", NULL },
  .text = FALSE,
  .sniff = sniff,
  .load = load,
  .write = write_pprof,
};
