/* SPDX-License-Identifier: GPL-3.0-or-later */
/* record-test-util.h: building perf records in tests, field by field, in
 * native byte order (what the kernel and ScorchPerfWriter write). Shared
 * by the decoder, writer, leaf-repair and live-session tests. */

#pragma once

#include <glib.h>
#include <linux/perf_event.h>

G_BEGIN_DECLS

void  test_rec_put        (GByteArray *b,
                           const void *data,
                           gsize       len);
void  test_rec_put16      (GByteArray *b,
                           guint16     v);
void  test_rec_put32      (GByteArray *b,
                           guint32     v);
void  test_rec_put64      (GByteArray *b,
                           guint64     v);
/* NUL-terminated and zero-padded to a multiple of 8 bytes from the start
 * of B (records and their strings start 8-aligned) */
void  test_rec_put_string (GByteArray *b,
                           const char *s);
/* A record header of size 0 at the end of B; returns where it starts, for
 * test_rec_end() */
gsize test_rec_begin      (GByteArray *b,
                           guint32     type,
                           guint16     misc);
/* Sets the size of the record begun at START to what B holds after it */
void  test_rec_end        (GByteArray *b,
                           gsize       start);

/* Records written as whole 64-bit words (the tests' sample_id layouts):
 * the header word of a record of N_WORDS words, a pid/tid word, and
 * appending N words to B */
guint64 test_rec_header_word (guint32     type,
                              guint16     misc,
                              guint       n_words);
guint64 test_rec_pid_tid     (gint32      pid,
                              gint32      tid);
void    test_rec_put_words   (GByteArray    *b,
                              const guint64 *words,
                              guint          n_words);
/* A PERF_RECORD_SWITCH (OUT: switch-out) of PID/TID at TIME, with the
 * sample_id of the tests' layout: pid/tid, time, the event's ID */
void    test_rec_put_switch  (GByteArray    *b,
                              gboolean       out,
                              gint32         pid,
                              gint32         tid,
                              guint64        time,
                              guint64        id);

G_END_DECLS
