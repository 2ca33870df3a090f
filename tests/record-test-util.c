/* SPDX-License-Identifier: GPL-3.0-or-later */
/* record-test-util.c: building perf records in tests (see the header) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-test"

#include <string.h>

#include "record-test-util.h"

void
test_rec_put (GByteArray *b,
              const void *data,
              gsize       len)
{
  g_byte_array_append (b, data, len);
}

void
test_rec_put16 (GByteArray *b,
                guint16     v)
{
  test_rec_put (b, &v, sizeof v);
}

void
test_rec_put32 (GByteArray *b,
                guint32     v)
{
  test_rec_put (b, &v, sizeof v);
}

void
test_rec_put64 (GByteArray *b,
                guint64     v)
{
  test_rec_put (b, &v, sizeof v);
}

void
test_rec_put_string (GByteArray *b,
                     const char *s)
{
  static const guint8 zeros[8] = { 0 };

  test_rec_put (b, s, strlen (s) + 1);
  if (b->len % 8 != 0)
    test_rec_put (b, zeros, 8 - b->len % 8);
}

gsize
test_rec_begin (GByteArray *b,
                guint32     type,
                guint16     misc)
{
  struct perf_event_header h = { type, misc, 0 };
  gsize start = b->len;

  test_rec_put (b, &h, sizeof h);
  return start;
}

void
test_rec_end (GByteArray *b,
              gsize       start)
{
  struct perf_event_header *h = (struct perf_event_header *) (gpointer) (b->data + start);

  h->size = b->len - start;
}

guint64
test_rec_header_word (guint32 type,
                      guint16 misc,
                      guint   n_words)
{
  return (guint64) type | ((guint64) misc << 32) | ((guint64) (n_words * 8) << 48);
}

guint64
test_rec_pid_tid (gint32 pid,
                  gint32 tid)
{
  return (guint64) (guint32) pid | ((guint64) (guint32) tid << 32);
}

void
test_rec_put_words (GByteArray    *b,
                    const guint64 *words,
                    guint          n_words)
{
  g_byte_array_append (b, (const guint8 *) words, n_words * 8);
}

void
test_rec_put_switch (GByteArray *b,
                     gboolean    out,
                     gint32      pid,
                     gint32      tid,
                     guint64     time,
                     guint64     id)
{
  guint64 w[] = {
    test_rec_header_word (PERF_RECORD_SWITCH, out ? PERF_RECORD_MISC_SWITCH_OUT : 0, 4),
    test_rec_pid_tid (pid, tid), time, id,
  };

  test_rec_put_words (b, w, G_N_ELEMENTS (w));
}
