/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-off-cpu-hotspot.c: Scorch's off-CPU numbers against Hotspot's on
 * the same capture.
 *
 * "scorch-cli record --off-cpu" records tests/workloads/wl-offcpu.c (the
 * main thread computes, sleeps in nanosleep and waits in read() on a
 * pipe; a child process "offcpu-peer" mostly waits in read()). Hotspot
 * has no export, so its numbers are computed here from the stream its
 * parser, hotspot-perfparser, writes for the capture (--output FILE),
 * exactly as Hotspot 1.3 computes "off-CPU Time" (perfparser.cpp,
 * addContextSwitch): for each thread, from a PERF_RECORD_SWITCH out to
 * the next switch in, charged to the stack of the thread's latest
 * sched:sched_switch sample.
 *
 * Compared: each thread's share of the total off-CPU time, and the share
 * of each function that is the leaf (its user part: Scorch drops the
 * kernel frames of switch stacks, Hotspot's first frame is the kernel's
 * schedule()) of at least 1 % of Hotspot's off-CPU time; also the totals.
 * Function names are compared without glibc's internal prefixes
 * (Hotspot's "__GI___libc_read" is Scorch's "read").
 *
 * Tolerance: the two differ only at the edges of intervals. Scorch ends a
 * switch-out at the thread's exit or at the end of the capture when no
 * switch-in comes, Hotspot drops such an interval; Scorch starts an
 * interval at the sched_switch sample, Hotspot at the switch record (a
 * few microseconds later). So at most one interval per thread differs:
 * with n intervals in Hotspot's count, the tolerance is two mean
 * intervals, 200/n points (at least 0.5). One run (2 s on a loaded
 * 2-core machine; "meson test off-cpu-hotspot"): n = 161, tolerance 1.24
 * points; totals 3.8788 s (Hotspot) and 3.8794 s (Scorch); threads
 * 53.45/46.55 % in both; leaves read 53.40/53.40, clock_nanosleep
 * 35.12/35.12, offcpu_compute 11.39/11.39 % (preempted while computing).
 *
 * Not run in parallel with other tests (preemption is off-CPU time too). */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "scorch-loader.h"
#include "scorch-profile.h"

#define PERFPARSER_DEFAULT "/usr/lib/x86_64-linux-gnu/libexec/hotspot-perfparser"

/* -- hotspot-perfparser's stream (Qt's QDataStream, big-endian, in
 * frames of a little-endian size) -- */

enum
{
  EV_THREAD_START = 0,
  EV_COMMAND = 2,
  EV_LOCATION = 3,
  EV_SYMBOL = 4,
  EV_STRING = 5,
  EV_ATTRIBUTES = 11,
  EV_CONTEXT_SWITCH = 12,
  EV_SAMPLE = 13,
  EV_TRACEPOINT_SAMPLE = 14,
};

typedef struct
{
  const guint8 *p;
  gsize         len, off;
  gboolean      bad;
} Reader;

static const guint8 *
take (Reader *r,
      gsize   n)
{
  const guint8 *at;

  if (r->bad || r->len - r->off < n)
    {
      r->bad = TRUE;
      return NULL;
    }
  at = r->p + r->off;
  r->off += n;
  return at;
}

static guint64
be (Reader *r,
    guint   n)
{
  const guint8 *at = take (r, n);
  guint64 v = 0;

  for (guint i = 0; at != NULL && i < n; i++)
    v = (v << 8) | at[i];
  return v;
}

#define U8(r)  ((guint8) be (r, 1))
#define U32(r) ((guint32) be (r, 4))
#define I32(r) ((gint32) be (r, 4))
#define U64(r) (be (r, 8))

typedef struct
{
  guint64 address;
  gint32  parent;
} Location;

typedef struct
{
  gboolean off;           /* switched out */
  guint64  last_switch;
  GArray  *stack;         /* gint32 location ids of the latest sched_switch sample */
  guint64  off_ns;
} HotspotThread;

typedef struct
{
  GHashTable *strings;     /* id -> char* */
  GHashTable *locations;   /* id -> Location* */
  GHashTable *symbols;     /* location id -> name string id */
  gint32      switch_attr;
  GHashTable *threads;     /* tid -> HotspotThread* */
  GHashTable *leaf_ns;     /* normalized function -> guint64* */
  guint64     total_ns;
  guint       n_intervals;
} Hotspot;

static void
hotspot_thread_free (gpointer data)
{
  HotspotThread *t = data;

  g_array_unref (t->stack);
  g_free (t);
}

/* glibc's internal names: "__GI___libc_read" and "read" are one function. */
static char *
normalize (const char *name)
{
  const char *p = name;

  if (g_str_has_prefix (p, "__GI_"))
    p += 5;
  while (*p == '_')
    p++;
  if (g_str_has_prefix (p, "libc_"))
    p += 5;
  return g_strdup (*p != '\0' ? p : name);
}

static const char *
location_name (Hotspot *h,
               gint32   id)
{
  /* the symbol is on the location itself or on its parent (the function's
   * entry), as Hotspot looks it up */
  for (guint depth = 0; depth < 64; depth++)
    {
      Location *l = g_hash_table_lookup (h->locations, GINT_TO_POINTER (id));
      gpointer name_id;

      if (g_hash_table_lookup_extended (h->symbols, GINT_TO_POINTER (id), NULL, &name_id))
        {
          const char *name = g_hash_table_lookup (h->strings, name_id);

          if (name != NULL && name[0] != '\0')
            return name;
        }
      if (l == NULL || l->parent < 0 || l->parent == id)
        break;
      id = l->parent;
    }
  return "[unknown]";
}

static HotspotThread *
hotspot_thread (Hotspot *h,
                guint32  tid)
{
  HotspotThread *t = g_hash_table_lookup (h->threads, GUINT_TO_POINTER (tid));

  if (t == NULL)
    {
      t = g_new0 (HotspotThread, 1);
      t->stack = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_hash_table_insert (h->threads, GUINT_TO_POINTER (tid), t);
    }
  return t;
}

/* Hotspot's addContextSwitch */
static void
hotspot_context_switch (Hotspot *h,
                        guint32  tid,
                        guint64  time,
                        gboolean out)
{
  HotspotThread *t = g_hash_table_lookup (h->threads, GUINT_TO_POINTER (tid));

  if (t == NULL)
    return;   /* Hotspot knows threads from their samples and commands only */
  if (!out && t->off)
    {
      guint64 ns = time - t->last_switch;

      t->off_ns += ns;
      h->total_ns += ns;
      h->n_intervals++;
      /* the leaf's user part: the first frame below the kernel's */
      for (guint i = 0; i < t->stack->len; i++)
        {
          gint32 id = g_array_index (t->stack, gint32, i);
          Location *l = g_hash_table_lookup (h->locations, GINT_TO_POINTER (id));

          if (l != NULL && l->address < G_GUINT64_CONSTANT (0xffff800000000000))
            {
              char *fn = normalize (location_name (h, id));
              guint64 *sum = g_hash_table_lookup (h->leaf_ns, fn);

              if (sum == NULL)
                {
                  sum = g_new0 (guint64, 1);
                  g_hash_table_insert (h->leaf_ns, fn, sum);
                }
              else
                g_free (fn);
              *sum += ns;
              break;
            }
        }
    }
  t->last_switch = time;
  t->off = out;
}

static void
hotspot_event (Hotspot *h,
               Reader  *r)
{
  guint8 type = U8 (r);
  guint32 tid;
  guint64 time;

  switch (type)
    {
    case EV_STRING:
      {
        gint32 id = I32 (r);
        guint32 n = U32 (r);
        const guint8 *s = n == G_MAXUINT32 ? NULL : take (r, n);

        g_hash_table_replace (h->strings, GINT_TO_POINTER (id), g_strndup ((const char *) s, s != NULL ? n : 0));
      }
      break;
    case EV_LOCATION:
      {
        gint32 id = I32 (r);
        Location *l = g_new0 (Location, 1);

        l->address = U64 (r);
        (void) I32 (r);   /* file */
        (void) U32 (r);   /* pid */
        (void) I32 (r);   /* line */
        (void) I32 (r);   /* column */
        l->parent = I32 (r);
        g_hash_table_replace (h->locations, GINT_TO_POINTER (id), l);
      }
      break;
    case EV_SYMBOL:
      {
        gint32 id = I32 (r);
        gint32 name = I32 (r);

        g_hash_table_replace (h->symbols, GINT_TO_POINTER (id), GINT_TO_POINTER (name));
      }
      break;
    case EV_ATTRIBUTES:
      {
        gint32 id = I32 (r);
        gint32 name;

        (void) U32 (r);   /* type */
        (void) U64 (r);   /* config */
        name = I32 (r);
        if (!r->bad && g_strcmp0 (g_hash_table_lookup (h->strings, GINT_TO_POINTER (name)), "sched:sched_switch") == 0)
          h->switch_attr = id;
      }
      break;
    case EV_THREAD_START:
    case EV_COMMAND:
      (void) U32 (r);
      tid = U32 (r);
      if (!r->bad)
        hotspot_thread (h, tid);
      break;
    case EV_CONTEXT_SWITCH:
      {
        gboolean out;

        (void) U32 (r);
        tid = U32 (r);
        time = U64 (r);
        (void) U32 (r);
        out = U8 (r) != 0;
        if (!r->bad)
          hotspot_context_switch (h, tid, time, out);
      }
      break;
    case EV_SAMPLE:
    case EV_TRACEPOINT_SAMPLE:
      {
        g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (gint32));
        HotspotThread *t;
        guint32 n;
        gboolean is_switch = FALSE;

        (void) U32 (r);
        tid = U32 (r);
        (void) U64 (r);
        (void) U32 (r);
        n = U32 (r);
        for (guint32 i = 0; i < n && !r->bad; i++)
          {
            gint32 f = I32 (r);
            g_array_append_val (frames, f);
          }
        (void) U8 (r);   /* guessed frames */
        n = U32 (r);
        for (guint32 i = 0; i < n && !r->bad; i++)
          {
            if (I32 (r) == h->switch_attr)
              is_switch = TRUE;
            (void) U64 (r);
          }
        if (r->bad)
          break;
        t = hotspot_thread (h, tid);
        if (is_switch)
          {
            g_array_set_size (t->stack, 0);
            g_array_append_vals (t->stack, frames->data, frames->len);
          }
      }
      break;
    default:
      break;
    }
  g_assert_false (r->bad);
}

static void
hotspot_parse (Hotspot    *h,
               const char *path)
{
  g_autofree guint8 *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0, off;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >=, 16);
  g_assert_cmpmem (data, 12, "QPERFSTREAM", 12);

  h->strings = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  h->locations = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  h->symbols = g_hash_table_new (NULL, NULL);
  h->threads = g_hash_table_new_full (NULL, NULL, NULL, hotspot_thread_free);
  h->leaf_ns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  h->switch_attr = -1;

  for (off = 16; off + 4 <= len;)
    {
      guint32 size = data[off] | data[off + 1] << 8 | data[off + 2] << 16 | (guint32) data[off + 3] << 24;
      Reader r = { data + off + 4, 0, 0, FALSE };

      g_assert_cmpuint (size, <=, len - off - 4);
      r.len = size;
      hotspot_event (h, &r);
      off += 4 + size;
    }
  g_assert_cmpint (h->switch_attr, >=, 0);
}

static void
hotspot_clear (Hotspot *h)
{
  g_clear_pointer (&h->strings, g_hash_table_unref);
  g_clear_pointer (&h->locations, g_hash_table_unref);
  g_clear_pointer (&h->symbols, g_hash_table_unref);
  g_clear_pointer (&h->threads, g_hash_table_unref);
  g_clear_pointer (&h->leaf_ns, g_hash_table_unref);
}

/* -- Scorch's side -- */

static guint64
scorch_thread_us (ScorchProfile *off,
                  gint32         tid)
{
  const ScorchThread *t;
  guint n = 0;

  t = scorch_profile_get_threads (off, &n);
  for (guint i = 0; i < n; i++)
    if (t[i].tid == tid)
      return t[i].n_samples;
  return 0;
}

/* Self time (µs) of the functions whose normalized name is fn. */
static guint64
scorch_leaf_us (ScorchProfile *off,
                const char    *fn)
{
  const ScorchHotspot *hs;
  guint n = 0;
  guint64 sum = 0;

  hs = scorch_profile_get_hotspots (off, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = normalize (scorch_profile_get_frame (off, hs[i].frame)->function);

      if (strcmp (name, fn) == 0)
        sum += hs[i].self;
    }
  return sum;
}

static void
test_compare (void)
{
  const char *perfparser = g_getenv ("SCORCH_HOTSPOT_PERFPARSER");
  g_autofree char *dir = g_dir_make_tmp ("scorch-offcpu-hotspot-XXXXXX", NULL);
  g_autofree char *capture = g_build_filename (dir, "cap.data", NULL);
  g_autofree char *stream = g_build_filename (dir, "cap.qps", NULL);
  g_autofree char *workload = g_build_filename (g_getenv ("SCORCH_TEST_WORKLOADS"), "scorch-wl-offcpu", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  Hotspot h = { 0, };
  ScorchProfile *off;
  GHashTableIter iter;
  gpointer key, value;
  double tol, scorch_total;
  int status = 0;
  guint n_compared = 0;

  if (perfparser == NULL)
    perfparser = PERFPARSER_DEFAULT;
  if (!g_file_test (perfparser, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("hotspot-perfparser is not installed (Debian package hotspot)");
      goto out;
    }

  {
    const char *argv[] = { g_getenv ("SCORCH_CLI"), "record", "--off-cpu", "--call-graph", "fp+repair",
                           "-o", capture, "--", workload, "2", NULL };

    g_assert_nonnull (argv[0]);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      {
        /* no permission for the tracepoint here: say why and skip */
        if (strstr (err, "blocked time") != NULL || strstr (err, "perf_event_paranoid") != NULL ||
            strstr (err, "not permitted") != NULL)
          {
            g_test_skip (err);
            goto out;
          }
        g_error ("record failed: %s", err);
      }
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { perfparser, "--input", capture, "--output", stream, "--max-frames", "1024", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  hotspot_parse (&h, stream);
  profile = scorch_load_sync (capture, SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  off = scorch_profile_get_view (profile, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_nonnull (off);

  g_assert_cmpuint (h.n_intervals, >=, 10);
  g_assert_cmpuint (h.total_ns, >, 0);
  tol = MAX (0.5, 200.0 / h.n_intervals);
  scorch_total = (double) scorch_profile_get_total (off);
  g_test_message ("Hotspot: %u off-CPU intervals, %.4f s; Scorch: %.4f s; tolerance %.2f points",
                  h.n_intervals, h.total_ns / 1e9, scorch_total / 1e6, tol);
  /* the totals: Scorch may count one unmatched interval per thread more */
  g_assert_cmpfloat (ABS (scorch_total * 1000 - (double) h.total_ns) * 100 / (double) h.total_ns, <=, tol);

  g_hash_table_iter_init (&iter, h.threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const HotspotThread *t = value;
      double hs = 100.0 * t->off_ns / h.total_ns;
      double sc = 100.0 * scorch_thread_us (off, GPOINTER_TO_INT (key)) / scorch_total;

      if (hs < 1.0 && sc < 1.0)
        continue;
      g_test_message ("thread %d: Hotspot %.2f %%, Scorch %.2f %%", GPOINTER_TO_INT (key), hs, sc);
      g_assert_cmpfloat (ABS (hs - sc), <=, tol);
      n_compared++;
    }
  /* the workload's main thread and its peer */
  g_assert_cmpuint (n_compared, >=, 2);

  n_compared = 0;
  g_hash_table_iter_init (&iter, h.leaf_ns);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      double hs = 100.0 * *(guint64 *) value / h.total_ns;
      double sc = 100.0 * scorch_leaf_us (off, key) / scorch_total;

      if (hs < 1.0)
        continue;
      g_test_message ("leaf %s: Hotspot %.2f %%, Scorch %.2f %%", (const char *) key, hs, sc);
      g_assert_cmpfloat (ABS (hs - sc), <=, tol);
      n_compared++;
    }
  /* the pipe read and the sleep, at least */
  g_assert_cmpuint (n_compared, >=, 2);
  g_assert_nonnull (g_hash_table_lookup (h.leaf_ns, "read"));
  g_assert_nonnull (g_hash_table_lookup (h.leaf_ns, "clock_nanosleep"));

out:
  hotspot_clear (&h);
  g_unlink (stream);
  g_unlink (capture);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/off-cpu/hotspot", test_compare);

  return g_test_run ();
}
