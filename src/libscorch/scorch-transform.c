/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-transform.c: profile transforms and their undoable stack.
 *
 * Every transform is a map from the source profile's call-tree nodes to
 * nodes of a new tree, computed in one pass over the nodes in index order
 * (a parent always comes before its children), then one pass over the
 * samples: O(nodes + samples), with no per-sample stack walk.  A node that
 * maps to SCORCH_NODE_NONE drops its samples. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-transform"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "scorch-profile-private.h"
#include "scorch-transform.h"
#include "scorch-util.h"

struct _ScorchTransform
{
  gatomicrefcount      ref;
  ScorchTransformKind  kind;
  char                *name;
  char               **path;
  double               percent;
};

G_DEFINE_BOXED_TYPE (ScorchTransform, scorch_transform, scorch_transform_ref, scorch_transform_unref)

static const char * const kind_names[SCORCH_N_TRANSFORM_KINDS] = {
  [SCORCH_TRANSFORM_FOCUS_SUBTREE] = "focus-subtree",
  [SCORCH_TRANSFORM_FOCUS_FUNCTION] = "focus-function",
  [SCORCH_TRANSFORM_FOCUS_CALLERS] = "focus-callers",
  [SCORCH_TRANSFORM_MERGE_FUNCTION] = "merge-function",
  [SCORCH_TRANSFORM_MERGE_MODULE] = "merge-module",
  [SCORCH_TRANSFORM_COLLAPSE_RECURSION] = "collapse-recursion",
  [SCORCH_TRANSFORM_DROP_FUNCTION] = "drop-function",
  [SCORCH_TRANSFORM_MIN_PERCENT] = "min-percent",
};

static gboolean
kind_takes_name (ScorchTransformKind kind)
{
  return kind == SCORCH_TRANSFORM_FOCUS_FUNCTION || kind == SCORCH_TRANSFORM_FOCUS_CALLERS ||
         kind == SCORCH_TRANSFORM_MERGE_FUNCTION || kind == SCORCH_TRANSFORM_MERGE_MODULE ||
         kind == SCORCH_TRANSFORM_DROP_FUNCTION;
}

const char *
scorch_transform_kind_to_string (ScorchTransformKind kind)
{
  g_return_val_if_fail (kind < SCORCH_N_TRANSFORM_KINDS, NULL);

  return kind_names[kind];
}

gboolean
scorch_transform_kind_from_string (const char          *str,
                                   ScorchTransformKind *kind)
{
  for (guint k = 0; str != NULL && k < SCORCH_N_TRANSFORM_KINDS; k++)
    {
      if (strcmp (str, kind_names[k]) == 0)
        {
          *kind = k;
          return TRUE;
        }
    }
  return FALSE;
}

static ScorchTransform *
transform_alloc (ScorchTransformKind kind)
{
  ScorchTransform *self = g_new0 (ScorchTransform, 1);

  g_atomic_ref_count_init (&self->ref);
  self->kind = kind;
  return self;
}

ScorchTransform *
scorch_transform_new (ScorchTransformKind  kind,
                      const char          *name)
{
  ScorchTransform *self;

  if (!kind_takes_name (kind) || name == NULL || name[0] == '\0')
    return NULL;

  self = transform_alloc (kind);
  self->name = g_strdup (name);
  return self;
}

ScorchTransform *
scorch_transform_new_focus_subtree (const char * const *path,
                                    guint               n_path)
{
  ScorchTransform *self;

  if (path == NULL || n_path == 0)
    return NULL;
  for (guint i = 0; i < n_path; i++)
    if (path[i] == NULL)
      return NULL;

  self = transform_alloc (SCORCH_TRANSFORM_FOCUS_SUBTREE);
  self->path = g_new0 (char *, n_path + 1);
  for (guint i = 0; i < n_path; i++)
    self->path[i] = g_strdup (path[i]);
  return self;
}

ScorchTransform *
scorch_transform_new_collapse_recursion (void)
{
  return transform_alloc (SCORCH_TRANSFORM_COLLAPSE_RECURSION);
}

ScorchTransform *
scorch_transform_new_min_percent (double percent)
{
  ScorchTransform *self;

  if (!(percent >= 0 && percent <= 100)) /* also refuses NaN */
    return NULL;

  self = transform_alloc (SCORCH_TRANSFORM_MIN_PERCENT);
  self->percent = percent;
  return self;
}

ScorchTransform *
scorch_transform_ref (ScorchTransform *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
scorch_transform_unref (ScorchTransform *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;

  g_free (self->name);
  g_strfreev (self->path);
  g_free (self);
}

ScorchTransformKind
scorch_transform_get_kind (const ScorchTransform *self)
{
  return self->kind;
}

const char *
scorch_transform_get_name (const ScorchTransform *self)
{
  return self->name;
}

const char * const *
scorch_transform_get_path (const ScorchTransform *self)
{
  return (const char * const *) self->path;
}

double
scorch_transform_get_percent (const ScorchTransform *self)
{
  return self->percent;
}

gboolean
scorch_transform_equal (const ScorchTransform *a,
                        const ScorchTransform *b)
{
  if (a->kind != b->kind || g_strcmp0 (a->name, b->name) != 0 || a->percent != b->percent)
    return FALSE;
  if ((a->path == NULL) != (b->path == NULL))
    return FALSE;
  return a->path == NULL || g_strv_equal ((const char * const *) a->path, (const char * const *) b->path);
}

/* ------------------------------------------------------------------------ */
/* Applying                                                                  */

/* Per frame id: does the frame's function (or module) equal NAME? */
static gboolean *
match_frames (ScorchProfile *profile,
              const char    *name,
              gboolean       by_module)
{
  guint n_frames;
  const ScorchFrame *frames = scorch_profile_get_frames (profile, &n_frames);
  gboolean *hit = g_new0 (gboolean, n_frames);

  for (guint f = 0; f < n_frames; f++)
    {
      if (frames[f].kind == SCORCH_FRAME_KIND_ROOT)
        continue;
      if (by_module)
        {
          const char *base = strrchr (frames[f].module, '/');

          hit[f] = frames[f].module[0] != '\0' &&
                   (strcmp (frames[f].module, name) == 0 ||
                    (base != NULL && strcmp (base + 1, name) == 0));
        }
      else
        hit[f] = strcmp (frames[f].function, name) == 0;
    }
  return hit;
}

/* The new node for old node M, the innermost call of the focused function:
 * M's frame on top, then its callers out to the root. */
static guint32
reversed_path (ScorchProfileBuilder *builder,
               const ScorchNode     *nodes,
               guint32               m)
{
  guint32 node = SCORCH_PROFILE_ROOT;

  for (guint32 i = m; i != SCORCH_PROFILE_ROOT; i = nodes[i].parent)
    node = _scorch_profile_builder_child (builder, node, nodes[i].frame);
  return node;
}

/* One bit of a 64-bit summary of the frames on a path. */
static inline guint64
frame_bit (guint32 frame)
{
  return G_GUINT64_CONSTANT (1) << ((frame * 2654435761u) >> 26);
}

/* The node on the new path ending at NODE (inclusive) whose frame is FRAME,
 * or NONE. PATH_BITS holds, per new node, the bits of the frames on its
 * path: most frames are not there, and that needs no walk. */
static guint32
find_on_new_path (ScorchProfileBuilder *builder,
                  GArray               *path_bits,
                  guint32               node,
                  guint32               frame)
{
  const ScorchNode *nodes = _scorch_profile_builder_get_nodes (builder, NULL);

  if ((g_array_index (path_bits, guint64, node) & frame_bit (frame)) == 0)
    return SCORCH_NODE_NONE;
  for (; node != SCORCH_PROFILE_ROOT; node = nodes[node].parent)
    if (nodes[node].frame == frame)
      return node;
  return SCORCH_NODE_NONE;
}

/* The child of UP for FRAME, its path's bits recorded when it is new. */
static guint32
child_with_bits (ScorchProfileBuilder *builder,
                 GArray               *path_bits,
                 guint32               up,
                 guint32               frame)
{
  guint32 child = _scorch_profile_builder_child (builder, up, frame);

  if (child >= path_bits->len)
    {
      guint64 bits = g_array_index (path_bits, guint64, up) | frame_bit (frame);

      g_assert (child == path_bits->len);
      g_array_append_val (path_bits, bits);
    }
  return child;
}

static gboolean
path_element_matches (const ScorchTransform *self,
                      const ScorchFrame     *frame,
                      guint32                depth)
{
  return depth >= 1 && self->path[depth - 1] != NULL && strcmp (frame->function, self->path[depth - 1]) == 0;
}

ScorchProfile *
scorch_transform_apply (const ScorchTransform *self,
                        ScorchProfile         *profile)
{
  ScorchProfileBuilder *builder;
  const ScorchNode *nodes;
  const ScorchFrame *frames;
  const ScorchSample *samples;
  const guint64 *node_total;
  g_autofree guint32 *map = NULL;
  g_autofree guint32 *aux = NULL;
  g_autofree gboolean *hit = NULL;
  g_autoptr(GArray) path_bits = NULL;
  guint n_nodes, n_samples;
  guint path_len = 0;
  guint64 threshold = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), NULL);

  nodes = scorch_profile_get_nodes (profile, &n_nodes);
  frames = scorch_profile_get_frames (profile, NULL);
  samples = scorch_profile_get_samples (profile, &n_samples);
  node_total = scorch_profile_get_node_total (profile);
  builder = _scorch_profile_builder_new_like (profile);
  map = g_new (guint32, n_nodes);

  if (self->kind == SCORCH_TRANSFORM_MERGE_MODULE)
    hit = match_frames (profile, self->name, TRUE);
  else if (self->name != NULL)
    hit = match_frames (profile, self->name, FALSE);
  if (self->path != NULL)
    path_len = g_strv_length (self->path);
  if (self->kind == SCORCH_TRANSFORM_MIN_PERCENT)
    {
      /* Smallest count at or above the share: total * percent / 100, rounded up. */
      double t = ceil ((double) node_total[SCORCH_PROFILE_ROOT] * self->percent / 100.0);

      threshold = t <= 0 ? 0 : (guint64) t;
    }

  /* The root: kept as the root, except where only some subtree is kept. */
  switch (self->kind)
    {
    case SCORCH_TRANSFORM_FOCUS_SUBTREE:
    case SCORCH_TRANSFORM_FOCUS_FUNCTION:
    case SCORCH_TRANSFORM_FOCUS_CALLERS:
      map[SCORCH_PROFILE_ROOT] = SCORCH_NODE_NONE;
      break;
    case SCORCH_TRANSFORM_MERGE_FUNCTION:
    case SCORCH_TRANSFORM_MERGE_MODULE:
    case SCORCH_TRANSFORM_COLLAPSE_RECURSION:
    case SCORCH_TRANSFORM_DROP_FUNCTION:
    case SCORCH_TRANSFORM_MIN_PERCENT:
    case SCORCH_N_TRANSFORM_KINDS:
    default:
      map[SCORCH_PROFILE_ROOT] = SCORCH_PROFILE_ROOT;
      break;
    }

  if (self->kind == SCORCH_TRANSFORM_COLLAPSE_RECURSION)
    {
      guint64 none = 0;

      path_bits = g_array_sized_new (FALSE, FALSE, sizeof (guint64), n_nodes);
      g_array_append_val (path_bits, none); /* the root */
    }
  if (self->kind == SCORCH_TRANSFORM_FOCUS_SUBTREE || self->kind == SCORCH_TRANSFORM_FOCUS_CALLERS)
    {
      /* FOCUS_SUBTREE: whether the node's path so far follows the focus path.
       * FOCUS_CALLERS: the innermost call of the function at or above the node. */
      aux = g_new (guint32, n_nodes);
      aux[SCORCH_PROFILE_ROOT] = self->kind == SCORCH_TRANSFORM_FOCUS_SUBTREE ? TRUE : SCORCH_NODE_NONE;
    }

  for (guint32 n = 1; n < n_nodes; n++)
    {
      guint32 parent = nodes[n].parent;
      guint32 frame = nodes[n].frame;
      guint32 up = map[parent];

      switch (self->kind)
        {
        case SCORCH_TRANSFORM_FOCUS_SUBTREE:
          aux[n] = aux[parent] && nodes[n].depth <= path_len &&
                   path_element_matches (self, &frames[frame], nodes[n].depth);
          if (nodes[n].depth == path_len)
            map[n] = aux[n] ? _scorch_profile_builder_child (builder, SCORCH_PROFILE_ROOT, frame)
                            : SCORCH_NODE_NONE;
          else if (nodes[n].depth > path_len && up != SCORCH_NODE_NONE)
            map[n] = _scorch_profile_builder_child (builder, up, frame);
          else
            map[n] = SCORCH_NODE_NONE;
          break;

        case SCORCH_TRANSFORM_FOCUS_FUNCTION:
          if (up != SCORCH_NODE_NONE)
            map[n] = _scorch_profile_builder_child (builder, up, frame);
          else if (hit[frame])
            map[n] = _scorch_profile_builder_child (builder, SCORCH_PROFILE_ROOT, frame);
          else
            map[n] = SCORCH_NODE_NONE;
          break;

        case SCORCH_TRANSFORM_FOCUS_CALLERS:
          aux[n] = hit[frame] ? n : aux[parent];
          /* Made when first needed: once per call of the function. */
          if (aux[n] == n)
            map[n] = reversed_path (builder, nodes, n);
          else
            map[n] = aux[n] != SCORCH_NODE_NONE ? map[aux[n]] : SCORCH_NODE_NONE;
          break;

        case SCORCH_TRANSFORM_MERGE_FUNCTION:
        case SCORCH_TRANSFORM_MERGE_MODULE:
          map[n] = hit[frame] ? up : _scorch_profile_builder_child (builder, up, frame);
          break;

        case SCORCH_TRANSFORM_DROP_FUNCTION:
          map[n] = up == SCORCH_NODE_NONE || hit[frame] ? SCORCH_NODE_NONE
                                                        : _scorch_profile_builder_child (builder, up, frame);
          break;

        case SCORCH_TRANSFORM_COLLAPSE_RECURSION:
          {
            guint32 again = find_on_new_path (builder, path_bits, up, frame);

            map[n] = again != SCORCH_NODE_NONE ? again : child_with_bits (builder, path_bits, up, frame);
          }
          break;

        case SCORCH_TRANSFORM_MIN_PERCENT:
          /* Totals shrink going down, so a hidden node's children are hidden too. */
          map[n] = node_total[n] >= threshold && node_total[n] > 0
                   ? _scorch_profile_builder_child (builder, up, frame) : up;
          break;

        case SCORCH_N_TRANSFORM_KINDS:
        default:
          g_assert_not_reached ();
        }
    }

  /* The samples in one array, handed over at once. */
  {
    GArray *kept = g_array_sized_new (FALSE, FALSE, sizeof (ScorchSample), n_samples);
    ScorchSample *out = (ScorchSample *) (gpointer) kept->data;
    guint n_kept = 0;

    for (guint i = 0; i < n_samples; i++)
      {
        guint32 node = map[samples[i].node];

        if (node != SCORCH_NODE_NONE && samples[i].weight > 0)
          {
            out[n_kept] = samples[i];
            out[n_kept].node = node;
            n_kept++;
          }
      }
    g_array_set_size (kept, n_kept);
    _scorch_profile_builder_take_samples (builder, kept);
  }

  return scorch_profile_builder_end (builder);
}

/* ------------------------------------------------------------------------ */
/* The sidecar                                                               */

#define MAX_NAME_LENGTH (64 * 1024)
#define MAX_PATH_LENGTH 4096

char *
scorch_transforms_to_json (ScorchTransform * const *transforms,
                           guint                    n_transforms,
                           gsize                   *length)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *out;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "scorch-transforms");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "transforms");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_transforms; i++)
    {
      const ScorchTransform *t = transforms[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, kind_names[t->kind]);
      if (t->name != NULL)
        {
          /* JSON holds UTF-8 only: a name that is not is written with
           * U+FFFD for its bad bytes (read back, it matches nothing), so
           * that the file stays readable. */
          g_autofree char *valid = g_utf8_make_valid (t->name, -1);

          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, valid);
        }
      if (t->path != NULL)
        {
          json_builder_set_member_name (b, "path");
          json_builder_begin_array (b);
          for (guint j = 0; t->path[j] != NULL; j++)
            {
              g_autofree char *valid = g_utf8_make_valid (t->path[j], -1);

              json_builder_add_string_value (b, valid);
            }
          json_builder_end_array (b);
        }
      if (t->kind == SCORCH_TRANSFORM_MIN_PERCENT)
        {
          json_builder_set_member_name (b, "percent");
          json_builder_add_double_value (b, t->percent);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  out = json_generator_to_data (gen, length);
  return out;
}

static gboolean
bad (GError    **error,
     guint       index,
     const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("Transform %u of the list is not valid: %s"), index + 1, what);
  return FALSE;
}

static const char *
get_string_member (JsonObject *obj,
                   const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static ScorchTransform *
transform_from_json (JsonNode  *node,
                     guint      index,
                     GError   **error)
{
  JsonObject *obj;
  const char *kind_str;
  ScorchTransformKind kind;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, index, _("not an object")), NULL;
  obj = json_node_get_object (node);
  kind_str = get_string_member (obj, "kind");
  if (kind_str == NULL || !scorch_transform_kind_from_string (kind_str, &kind))
    return bad (error, index, _("unknown kind")), NULL;

  if (kind_takes_name (kind))
    {
      const char *name = get_string_member (obj, "name");

      if (name == NULL || name[0] == '\0' || strlen (name) > MAX_NAME_LENGTH)
        return bad (error, index, _("no valid name")), NULL;
      return scorch_transform_new (kind, name);
    }

  switch (kind)
    {
    case SCORCH_TRANSFORM_FOCUS_SUBTREE:
      {
        JsonNode *path_node = json_object_get_member (obj, "path");
        JsonArray *arr;
        g_autoptr(GPtrArray) path = g_ptr_array_new ();
        guint n;

        if (path_node == NULL || !JSON_NODE_HOLDS_ARRAY (path_node))
          return bad (error, index, _("no path")), NULL;
        arr = json_node_get_array (path_node);
        n = json_array_get_length (arr);
        if (n == 0 || n > MAX_PATH_LENGTH)
          return bad (error, index, _("the path is empty or too long")), NULL;
        for (guint i = 0; i < n; i++)
          {
            JsonNode *el = json_array_get_element (arr, i);
            const char *s;

            if (!JSON_NODE_HOLDS_VALUE (el) || json_node_get_value_type (el) != G_TYPE_STRING)
              return bad (error, index, _("a path element is not a string")), NULL;
            s = json_node_get_string (el);
            if (s[0] == '\0' || strlen (s) > MAX_NAME_LENGTH)
              return bad (error, index, _("a path element is empty or too long")), NULL;
            g_ptr_array_add (path, (gpointer) s);
          }
        return scorch_transform_new_focus_subtree ((const char * const *) path->pdata, path->len);
      }

    case SCORCH_TRANSFORM_COLLAPSE_RECURSION:
      return scorch_transform_new_collapse_recursion ();

    case SCORCH_TRANSFORM_MIN_PERCENT:
      {
        JsonNode *p = json_object_get_member (obj, "percent");
        ScorchTransform *t = NULL;

        if (p != NULL && JSON_NODE_HOLDS_VALUE (p) &&
            (json_node_get_value_type (p) == G_TYPE_DOUBLE || json_node_get_value_type (p) == G_TYPE_INT64))
          t = scorch_transform_new_min_percent (json_node_get_double (p));
        if (t == NULL)
          return bad (error, index, _("the percentage is not between 0 and 100")), NULL;
        return t;
      }

    case SCORCH_TRANSFORM_FOCUS_FUNCTION:
    case SCORCH_TRANSFORM_FOCUS_CALLERS:
    case SCORCH_TRANSFORM_MERGE_FUNCTION:
    case SCORCH_TRANSFORM_MERGE_MODULE:
    case SCORCH_TRANSFORM_DROP_FUNCTION:
    case SCORCH_N_TRANSFORM_KINDS:
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

GPtrArray *
scorch_transforms_from_json (const char  *data,
                             gssize       length,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) scorch_transform_unref);
  JsonObject *root;
  JsonNode *node;
  JsonArray *arr;
  guint n;

  g_return_val_if_fail (data != NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (length > SCORCH_TRANSFORMS_MAX_FILE_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The list of transforms is too large"));
      return NULL;
    }
  /* A sidecar file beside a capture is untrusted: deep nesting would
   * overflow json-glib's recursive parser. */
  if (!scorch_json_nesting_ok (data, length, SCORCH_MAX_JSON_DEPTH))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The list of transforms is nested too deeply"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;

  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    goto not_a_list;
  root = json_node_get_object (node);
  if (g_strcmp0 (get_string_member (root, "format"), "scorch-transforms") != 0)
    goto not_a_list;
  node = json_object_get_member (root, "version");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The list of transforms has a version this program does not read"));
      return NULL;
    }
  node = json_object_get_member (root, "transforms");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    goto not_a_list;
  arr = json_node_get_array (node);
  n = json_array_get_length (arr);
  if (n > SCORCH_TRANSFORMS_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The list holds too many transforms"));
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    {
      ScorchTransform *t = transform_from_json (json_array_get_element (arr, i), i, error);

      if (t == NULL)
        return NULL;
      g_ptr_array_add (list, t);
    }
  return g_steal_pointer (&list);

not_a_list:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The file is not a list of Scorch transforms"));
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* The stack                                                                 */

struct _ScorchTransformStack
{
  GObject        parent_instance;

  GPtrArray     *transforms; /* ScorchTransform, applied ones first */
  guint          n_applied;
  ScorchProfile *base;       /* the profile results[] were made from */
  GPtrArray     *results;    /* ScorchProfile or NULL, per transform: base with 0..i applied */
};

G_DEFINE_FINAL_TYPE (ScorchTransformStack, scorch_transform_stack, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
unref_profile (gpointer profile)
{
  if (profile != NULL)
    g_object_unref (profile);
}

static void
scorch_transform_stack_dispose (GObject *object)
{
  ScorchTransformStack *self = SCORCH_TRANSFORM_STACK (object);

  g_clear_object (&self->base);
  if (self->results != NULL)
    g_ptr_array_set_size (self->results, 0);

  G_OBJECT_CLASS (scorch_transform_stack_parent_class)->dispose (object);
}

static void
scorch_transform_stack_finalize (GObject *object)
{
  ScorchTransformStack *self = SCORCH_TRANSFORM_STACK (object);

  g_clear_pointer (&self->transforms, g_ptr_array_unref);
  g_clear_pointer (&self->results, g_ptr_array_unref);

  G_OBJECT_CLASS (scorch_transform_stack_parent_class)->finalize (object);
}

static void
scorch_transform_stack_class_init (ScorchTransformStackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = scorch_transform_stack_dispose;
  object_class->finalize = scorch_transform_stack_finalize;

  /* The applied list, or the redo list, changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
scorch_transform_stack_init (ScorchTransformStack *self)
{
  self->transforms = g_ptr_array_new_with_free_func ((GDestroyNotify) scorch_transform_unref);
  self->results = g_ptr_array_new_with_free_func (unref_profile);
}

ScorchTransformStack *
scorch_transform_stack_new (void)
{
  return g_object_new (SCORCH_TYPE_TRANSFORM_STACK, NULL);
}

static void
truncate_to (ScorchTransformStack *self,
             guint                 n)
{
  /* Nothing left to cache: the base profile need not stay alive either. */
  if (n == 0)
    g_clear_object (&self->base);
  if (self->transforms->len > n)
    g_ptr_array_set_size (self->transforms, n);
  if (self->results->len > n)
    g_ptr_array_set_size (self->results, n);
  self->n_applied = MIN (self->n_applied, n);
}

void
scorch_transform_stack_push (ScorchTransformStack *self,
                             ScorchTransform      *transform)
{
  g_return_if_fail (SCORCH_IS_TRANSFORM_STACK (self));
  g_return_if_fail (transform != NULL);

  truncate_to (self, self->n_applied);
  if (self->transforms->len >= SCORCH_TRANSFORMS_MAX)
    return;
  g_ptr_array_add (self->transforms, scorch_transform_ref (transform));
  self->n_applied++;
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
scorch_transform_stack_can_undo (ScorchTransformStack *self)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), FALSE);

  return self->n_applied > 0;
}

gboolean
scorch_transform_stack_can_redo (ScorchTransformStack *self)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), FALSE);

  return self->n_applied < self->transforms->len;
}

gboolean
scorch_transform_stack_undo (ScorchTransformStack *self)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), FALSE);

  if (self->n_applied == 0)
    return FALSE;
  self->n_applied--;
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
scorch_transform_stack_redo (ScorchTransformStack *self)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), FALSE);

  if (self->n_applied >= self->transforms->len)
    return FALSE;
  self->n_applied++;
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

void
scorch_transform_stack_pop_to (ScorchTransformStack *self,
                               guint                 n_applied)
{
  g_return_if_fail (SCORCH_IS_TRANSFORM_STACK (self));

  if (n_applied >= self->n_applied)
    return;
  self->n_applied = n_applied;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
scorch_transform_stack_set (ScorchTransformStack    *self,
                            ScorchTransform * const *transforms,
                            guint                    n_transforms)
{
  g_return_if_fail (SCORCH_IS_TRANSFORM_STACK (self));
  g_return_if_fail (n_transforms == 0 || transforms != NULL);

  truncate_to (self, 0);
  for (guint i = 0; i < n_transforms && i < SCORCH_TRANSFORMS_MAX; i++)
    g_ptr_array_add (self->transforms, scorch_transform_ref (transforms[i]));
  self->n_applied = self->transforms->len;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
scorch_transform_stack_clear (ScorchTransformStack *self)
{
  g_return_if_fail (SCORCH_IS_TRANSFORM_STACK (self));

  if (self->transforms->len == 0)
    return;
  truncate_to (self, 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint
scorch_transform_stack_get_n_applied (ScorchTransformStack *self)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), 0);

  return self->n_applied;
}

guint
scorch_transform_stack_get_n_transforms (ScorchTransformStack *self)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), 0);

  return self->transforms->len;
}

ScorchTransform *
scorch_transform_stack_get_transform (ScorchTransformStack *self,
                                      guint                 i)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), NULL);
  g_return_val_if_fail (i < self->transforms->len, NULL);

  return g_ptr_array_index (self->transforms, i);
}

ScorchProfile *
scorch_transform_stack_apply (ScorchTransformStack *self,
                              ScorchProfile        *base)
{
  ScorchProfile *current;

  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), NULL);
  g_return_val_if_fail (SCORCH_IS_PROFILE (base), NULL);

  if (self->base != base)
    {
      g_set_object (&self->base, base);
      g_ptr_array_set_size (self->results, 0);
    }
  if (self->results->len < self->transforms->len)
    g_ptr_array_set_size (self->results, self->transforms->len);

  current = base;
  for (guint i = 0; i < self->n_applied; i++)
    {
      if (g_ptr_array_index (self->results, i) == NULL)
        g_ptr_array_index (self->results, i) =
          scorch_transform_apply (g_ptr_array_index (self->transforms, i), current);
      current = g_ptr_array_index (self->results, i);
    }
  return g_object_ref (current);
}

char *
scorch_transform_stack_to_json (ScorchTransformStack *self,
                                gsize                *length)
{
  g_return_val_if_fail (SCORCH_IS_TRANSFORM_STACK (self), NULL);

  return scorch_transforms_to_json ((ScorchTransform * const *) self->transforms->pdata,
                                    self->n_applied, length);
}
