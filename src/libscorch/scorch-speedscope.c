/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-speedscope.c: speedscope JSON export and import, with json-glib */

#include "config.h"

#define G_LOG_DOMAIN "scorch-speedscope"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "scorch-pprof.h"
#include "scorch-profile-format.h"
#include "scorch-speedscope.h"
#include "scorch-text.h"
#include "scorch-util.h"

G_DEFINE_QUARK (scorch-speedscope-error-quark, scorch_speedscope_error)

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"
#define MAX_STACK_DEPTH   65536

/* TRUE when the first bytes are a JSON object that names speedscope's
 * schema (or has its "shared" and "profiles" members). */
static gboolean
sniff (const guint8 *data,
       gsize         len)
{
  gsize i = 0;
  gsize n;
  g_autofree char *head = NULL;

  if (data == NULL)
    return FALSE;
  if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf)
    i = 3;
  while (i < len && g_ascii_isspace (data[i]))
    i++;
  if (i >= len || data[i] != '{')
    return FALSE;
  n = MIN (len - i, 64 * 1024);
  head = g_strndup ((const char *) data + i, n);
  return strstr (head, "speedscope.app/file-format-schema") != NULL ||
         (strstr (head, "\"shared\"") != NULL && strstr (head, "\"profiles\"") != NULL);
}

/* ------------------------------------------------------------------ */
/* Export */

static int
compare_samples (gconstpointer a,
                 gconstpointer b)
{
  const ScorchSample *x = *(const ScorchSample * const *) a;
  const ScorchSample *y = *(const ScorchSample * const *) b;

  if (x->tid != y->tid)
    return x->tid < y->tid ? -1 : 1;
  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

static guint
shared_index (GHashTable    *index,
              JsonBuilder   *frames,
              ScorchProfile *profile,
              guint32        frame_id)
{
  const ScorchFrame *frame;
  gpointer idx;
  g_autofree char *name = NULL;

  if (g_hash_table_lookup_extended (index, GUINT_TO_POINTER (frame_id + 1), NULL, &idx))
    return GPOINTER_TO_UINT (idx);

  frame = scorch_profile_get_frame (profile, frame_id);
  /* JSON strings are UTF-8: names from a capture are made so. */
  name = scorch_text_valid_utf8 (frame->function, -1);
  json_builder_begin_object (frames);
  json_builder_set_member_name (frames, "name");
  json_builder_add_string_value (frames, name);
  if (frame->file != NULL)
    {
      g_autofree char *file = scorch_text_valid_utf8 (frame->file, -1);

      json_builder_set_member_name (frames, "file");
      json_builder_add_string_value (frames, file);
      if (frame->line > 0)
        {
          json_builder_set_member_name (frames, "line");
          json_builder_add_int_value (frames, frame->line);
        }
    }
  json_builder_end_object (frames);

  idx = GUINT_TO_POINTER (g_hash_table_size (index));
  g_hash_table_insert (index, GUINT_TO_POINTER (frame_id + 1), idx);
  return GPOINTER_TO_UINT (idx);
}

gboolean
scorch_speedscope_write (ScorchProfile *profile,
                         const char    *name,
                         GOutputStream *stream,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonBuilder) frames = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) frames_node = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) thread_names = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint32));
  const ScorchSample *samples;
  const ScorchThread *threads;
  guint n_samples, n_threads;
  guint64 period;
  g_autofree char *exporter = g_strdup_printf ("Scorch %s", PACKAGE_VERSION);
  g_autofree char *valid_name = scorch_text_valid_utf8 (name != NULL ? name : "Scorch profile", -1);

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  period = scorch_pprof_period_nanos (profile);
  threads = scorch_profile_get_threads (profile, &n_threads);
  for (guint i = 0; i < n_threads; i++)
    if (threads[i].name != NULL)
      g_hash_table_insert (thread_names, GINT_TO_POINTER (threads[i].tid), (gpointer) threads[i].name);

  samples = scorch_profile_get_samples (profile, &n_samples);
  order = g_ptr_array_sized_new (n_samples);
  for (guint i = 0; i < n_samples; i++)
    if (samples[i].weight > 0 && samples[i].node != SCORCH_PROFILE_ROOT)
      g_ptr_array_add (order, (gpointer) &samples[i]);
  g_ptr_array_sort (order, compare_samples);

  json_builder_begin_array (frames);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "$schema");
  json_builder_add_string_value (b, SPEEDSCOPE_SCHEMA);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, valid_name);
  json_builder_set_member_name (b, "exporter");
  json_builder_add_string_value (b, exporter);
  json_builder_set_member_name (b, "activeProfileIndex");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "profiles");
  json_builder_begin_array (b);

  for (guint i = 0; i < order->len;)
    {
      const ScorchSample *first = order->pdata[i];
      const char *tname = g_hash_table_lookup (thread_names, GINT_TO_POINTER (first->tid));
      g_autofree char *pname = NULL;
      g_autofree char *valid = NULL;
      g_autoptr(GArray) weights = g_array_new (FALSE, FALSE, sizeof (guint64));
      g_autoptr(GArray) nodes = g_array_new (FALSE, FALSE, sizeof (guint32));
      guint64 sum = 0;
      guint j;

      /* This thread's samples, consecutive ones of the same stack merged. */
      for (j = i; j < order->len; j++)
        {
          const ScorchSample *s = order->pdata[j];
          guint64 w = period > 0 ? s->weight * period : s->weight;

          if (s->tid != first->tid || s->pid != first->pid)
            break;
          if (nodes->len > 0 && g_array_index (nodes, guint32, nodes->len - 1) == s->node)
            g_array_index (weights, guint64, weights->len - 1) += w;
          else
            {
              g_array_append_val (nodes, s->node);
              g_array_append_val (weights, w);
            }
          sum += w;
        }

      if (first->tid == 0 && first->pid == 0)
        pname = g_strdup (valid_name);
      else if (tname != NULL)
        pname = g_strdup_printf ("%s (%d)", tname, first->tid);
      else
        pname = g_strdup_printf (_("Thread %d"), first->tid);
      valid = scorch_text_valid_utf8 (pname, -1);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "sampled");
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, valid);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, period > 0 ? "nanoseconds" : "none");
      json_builder_set_member_name (b, "startValue");
      json_builder_add_int_value (b, 0);
      json_builder_set_member_name (b, "endValue");
      json_builder_add_int_value (b, sum);
      json_builder_set_member_name (b, "samples");
      json_builder_begin_array (b);
      for (guint k = 0; k < nodes->len; k++)
        {
          guint n = scorch_profile_node_get_stack (profile, g_array_index (nodes, guint32, k), stack);

          json_builder_begin_array (b);
          for (guint f = n; f-- > 0;)
            json_builder_add_int_value (b, shared_index (index, frames, profile,
                                                         g_array_index (stack, guint32, f)));
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "weights");
      json_builder_begin_array (b);
      for (guint k = 0; k < weights->len; k++)
        json_builder_add_int_value (b, g_array_index (weights, guint64, k));
      json_builder_end_array (b);
      json_builder_end_object (b);

      i = j;
    }
  json_builder_end_array (b);

  json_builder_end_array (frames);
  frames_node = json_builder_get_root (frames);
  json_builder_set_member_name (b, "shared");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "frames");
  json_builder_add_value (b, g_steal_pointer (&frames_node));
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_stream (gen, stream, cancellable, error);
}

/* ------------------------------------------------------------------ */
/* Import */

static gboolean
invalid (GError     **error,
         const char  *what)
{
  g_set_error (error, SCORCH_SPEEDSCOPE_ERROR, SCORCH_SPEEDSCOPE_ERROR_INVALID,
               _("Not a speedscope file: %s"), what);
  return FALSE;
}

typedef struct
{
  guint    tid;
  guint    first;  /* into the frame-id array */
  guint    n;
  double   weight;
  gboolean timed;  /* the profile's unit is a time (weights may be whole periods) */
} Stack;

static gboolean
frame_index (JsonNode  *node,
             guint      n_frames,
             guint32   *out)
{
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (!(d >= 0 && d < n_frames && d == floor (d)))
        return FALSE;
      v = (gint64) d;
    }
  else
    v = json_node_get_int (node);
  if (v < 0 || v >= n_frames)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

/* The string value of MEMBER, or FALLBACK when it is absent or no string. */
static const char *
string_member (JsonObject *o,
               const char *member,
               const char *fallback)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string (node);
}

static gboolean
number (JsonNode *node,
        double   *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;
  return isfinite (*out);
}

static gboolean
read_sampled (JsonObject  *prof,
              guint        tid,
              guint        n_frames,
              GArray      *stacks,
              GArray      *ids,
              GError     **error)
{
  JsonNode *sn = json_object_get_member (prof, "samples");
  JsonNode *wn = json_object_get_member (prof, "weights");
  JsonArray *samples, *weights;
  guint n;

  if (sn == NULL || !JSON_NODE_HOLDS_ARRAY (sn) || wn == NULL || !JSON_NODE_HOLDS_ARRAY (wn))
    return invalid (error, _("a sampled profile needs the arrays “samples” and “weights”"));
  samples = json_node_get_array (sn);
  weights = json_node_get_array (wn);
  n = json_array_get_length (samples);
  if (json_array_get_length (weights) != n)
    return invalid (error, _("a sampled profile has not as many weights as samples"));

  for (guint i = 0; i < n; i++)
    {
      JsonNode *stack = json_array_get_element (samples, i);
      Stack s = { tid, ids->len, 0, 0, FALSE };
      JsonArray *frames;

      if (!JSON_NODE_HOLDS_ARRAY (stack) || !number (json_array_get_element (weights, i), &s.weight) ||
          s.weight < 0)
        return invalid (error, _("a sample is not an array of frame indices with a weight of 0 or more"));
      frames = json_node_get_array (stack);
      s.n = json_array_get_length (frames);
      if (s.n > MAX_STACK_DEPTH)
        return invalid (error, _("a stack is too deep"));
      for (guint j = 0; j < s.n; j++)
        {
          guint32 f;

          if (!frame_index (json_array_get_element (frames, j), n_frames, &f))
            return invalid (error, _("a sample names a frame that is not in shared.frames"));
          g_array_append_val (ids, f);
        }
      g_array_append_val (stacks, s);
    }
  return TRUE;
}

/* Evented profiles: the time between two events goes to the stack open then. */
static gboolean
read_evented (JsonObject  *prof,
              guint        tid,
              guint        n_frames,
              GArray      *stacks,
              GArray      *ids,
              GError     **error)
{
  JsonNode *en = json_object_get_member (prof, "events");
  g_autoptr(GArray) open = g_array_new (FALSE, FALSE, sizeof (guint32));
  JsonArray *events;
  double last = 0;

  if (en == NULL || !JSON_NODE_HOLDS_ARRAY (en))
    return invalid (error, _("an evented profile needs the array “events”"));
  events = json_node_get_array (en);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonNode *ev = json_array_get_element (events, i);
      JsonObject *o;
      const char *type;
      guint32 f;
      double at;

      if (!JSON_NODE_HOLDS_OBJECT (ev))
        return invalid (error, _("an event is not an object"));
      o = json_node_get_object (ev);
      type = string_member (o, "type", "");
      if (!frame_index (json_object_get_member (o, "frame"), n_frames, &f) ||
          !number (json_object_get_member (o, "at"), &at) ||
          (!g_str_equal (type, "O") && !g_str_equal (type, "C")))
        return invalid (error, _("an event needs a type “O” or “C”, a frame and a time “at”"));
      if (i > 0 && at < last)
        return invalid (error, _("events go back in time"));
      if (open->len > 0 && at > last)
        {
          Stack s = { tid, ids->len, open->len, at - last, FALSE };

          g_array_append_vals (ids, open->data, open->len);
          g_array_append_val (stacks, s);
        }
      last = at;
      if (type[0] == 'O')
        {
          if (open->len >= MAX_STACK_DEPTH)
            return invalid (error, _("a stack is too deep"));
          g_array_append_val (open, f);
        }
      else
        {
          if (open->len == 0 || g_array_index (open, guint32, open->len - 1) != f)
            return invalid (error, _("an event closes a frame that is not the innermost open one"));
          g_array_set_size (open, open->len - 1);
        }
    }
  return TRUE;
}

ScorchProfile *
scorch_speedscope_parse (const char  *data,
                         gsize        len,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(ScorchProfileBuilder) builder = NULL;
  g_autoptr(GArray) frame_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) stacks = g_array_new (FALSE, FALSE, sizeof (Stack));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) mapped = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GError) json_error = NULL;
  JsonNode *root, *shared, *fnode, *pnode;
  JsonArray *frames, *profiles;
  guint n_frames;
  double max_w = 0, scale = 1;
  gboolean integral = TRUE;
  guint n_added = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > G_MAXSSIZE)
    return NULL;
  if (!scorch_json_nesting_ok (data, len, SCORCH_MAX_JSON_DEPTH))
    return invalid (error, _("the JSON is nested too deeply")), NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error))
    {
      g_set_error (error, SCORCH_SPEEDSCOPE_ERROR, SCORCH_SPEEDSCOPE_ERROR_INVALID,
                   _("Not a speedscope file: the JSON does not parse (%s)"), json_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, _("the JSON is not an object")), NULL;
  shared = json_object_get_member (json_node_get_object (root), "shared");
  fnode = shared != NULL && JSON_NODE_HOLDS_OBJECT (shared)
            ? json_object_get_member (json_node_get_object (shared), "frames") : NULL;
  pnode = json_object_get_member (json_node_get_object (root), "profiles");
  if (fnode == NULL || !JSON_NODE_HOLDS_ARRAY (fnode) || pnode == NULL || !JSON_NODE_HOLDS_ARRAY (pnode))
    return invalid (error, _("it needs “shared.frames” and “profiles” arrays")), NULL;
  frames = json_node_get_array (fnode);
  profiles = json_node_get_array (pnode);
  n_frames = json_array_get_length (frames);

  builder = scorch_profile_builder_new ();
  for (guint i = 0; i < n_frames; i++)
    {
      JsonNode *fn = json_array_get_element (frames, i);
      JsonObject *o;
      JsonNode *name_node, *line_node;
      const char *name, *file;
      double line = 0;
      guint32 id;

      if (!JSON_NODE_HOLDS_OBJECT (fn))
        return invalid (error, _("a frame is not an object")), NULL;
      o = json_node_get_object (fn);
      name_node = json_object_get_member (o, "name");
      if (name_node == NULL || !JSON_NODE_HOLDS_VALUE (name_node) ||
          json_node_get_value_type (name_node) != G_TYPE_STRING)
        return invalid (error, _("a frame has no “name”")), NULL;
      name = json_node_get_string (name_node);
      file = string_member (o, "file", NULL);
      line_node = json_object_get_member (o, "line");
      if (line_node != NULL && (!number (line_node, &line) || line < 0))
        line = 0;
      id = scorch_profile_builder_intern_frame (builder, name[0] != '\0' ? name : "[unknown]", "",
                                                file != NULL && file[0] != '\0' ? file : NULL,
                                                line <= G_MAXUINT ? (guint) line : 0,
                                                name[0] != '\0' ? SCORCH_FRAME_KIND_USER
                                                                : SCORCH_FRAME_KIND_UNKNOWN);
      g_array_append_val (frame_ids, id);
    }

  for (guint i = 0; i < json_array_get_length (profiles); i++)
    {
      JsonNode *pn = json_array_get_element (profiles, i);
      JsonObject *prof;
      const char *type, *name;
      guint first_stack = stacks->len;
      gboolean ok;

      if (!JSON_NODE_HOLDS_OBJECT (pn))
        return invalid (error, _("a profile is not an object")), NULL;
      prof = json_node_get_object (pn);
      type = string_member (prof, "type", "");
      name = string_member (prof, "name", NULL);
      if (g_str_equal (type, "sampled"))
        ok = read_sampled (prof, i + 1, n_frames, stacks, ids, error);
      else if (g_str_equal (type, "evented"))
        ok = read_evented (prof, i + 1, n_frames, stacks, ids, error);
      else
        return invalid (error, _("a profile is neither “sampled” nor “evented”")), NULL;
      if (!ok)
        return NULL;
      {
        const char *unit = string_member (prof, "unit", "none");
        gboolean timed = g_str_equal (unit, "nanoseconds") || g_str_equal (unit, "microseconds") ||
                         g_str_equal (unit, "milliseconds") || g_str_equal (unit, "seconds");

        for (guint k = first_stack; k < stacks->len; k++)
          g_array_index (stacks, Stack, k).timed = timed;
      }
      if (name != NULL)
        {
          g_autofree char *thread = g_strdup (name);

          scorch_profile_builder_set_thread_name (builder, 1, i + 1, thread);
        }
    }

  /* Weights may be fractions (milliseconds) or exceed Scorch's 32 bits:
   * scale them all together, which keeps the shares. */
  for (guint i = 0; i < stacks->len; i++)
    {
      double w = g_array_index (stacks, Stack, i).weight;

      max_w = MAX (max_w, w);
      /* whole numbers beyond 64 bits are not counted as integers below */
      if (w != floor (w) || w < 0 || w >= 0x1p64)
        integral = FALSE;
    }
  /* Time weights that are whole multiples of one period (nanoseconds of a
   * sampling profile, Scorch's own export) become sample counts. */
  if (integral)
    {
      guint64 g = 0;

      for (guint i = 0; i < stacks->len && g != 1; i++)
        {
          guint64 a = (guint64) g_array_index (stacks, Stack, i).weight;

          if (!g_array_index (stacks, Stack, i).timed)
            {
              g = 1;
              break;
            }
          while (a != 0)
            {
              guint64 t = g % a;

              g = a;
              a = t;
            }
        }
      if (g > 1)
        {
          scale = 1.0 / (double) g;
          max_w /= (double) g;
        }
    }
  if (!integral || max_w > G_MAXUINT32)
    scale = max_w > 0 ? scale * 1e9 / max_w : 1;

  for (guint i = 0; i < stacks->len; i++)
    {
      const Stack *s = &g_array_index (stacks, Stack, i);
      double w = floor (s->weight * scale + 0.5);

      if (w <= 0)
        continue;
      g_array_set_size (mapped, s->n);
      for (guint j = 0; j < s->n; j++)
        g_array_index (mapped, guint32, j) =
          g_array_index (frame_ids, guint32, g_array_index (ids, guint32, s->first + j));
      if (s->n == 0)
        {
          guint32 id = scorch_profile_builder_intern_frame (builder, "[unknown]", "", NULL, 0,
                                                            SCORCH_FRAME_KIND_UNKNOWN);
          g_array_append_val (mapped, id);
        }
      scorch_profile_builder_add_sample (builder, &(ScorchProfileSample) {
                                           .pid = 1, .tid = s->tid,
                                           .frames = (const guint32 *) (gpointer) mapped->data,
                                           .n_frames = mapped->len,
                                           .weight = (guint32) MIN (w, (double) G_MAXUINT32) });
      n_added++;
    }

  if (n_added == 0)
    {
      g_set_error (error, SCORCH_SPEEDSCOPE_ERROR, SCORCH_SPEEDSCOPE_ERROR_EMPTY,
                   _("The speedscope file holds no samples"));
      return NULL;
    }
  return scorch_profile_builder_end (g_steal_pointer (&builder));
}

static ScorchProfile *
load (const char    *path,
      GCancellable  *cancellable,
      GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return scorch_parse_regular_file (path, cancellable, (ScorchParseFunc) scorch_speedscope_parse, error);
}

static gboolean
write_speedscope (ScorchProfile  *profile,
                  GFile          *source,
                  GOutputStream  *stream,
                  GCancellable   *cancellable,
                  GError        **error)
{
  g_autofree char *name = source != NULL ? g_file_get_basename (source) : NULL;

  return scorch_speedscope_write (profile, name, stream, cancellable, error);
}

const ScorchProfileFormat scorch_speedscope_format = {
  .name = "speedscope",
  .extensions = { ".speedscope.json", NULL },
  .text = TRUE,
  .sniff = sniff,
  .load = load,
  .write = write_speedscope,
};
