/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-capture-notes.h: what only Scorch knows of a capture, as keyed
 * entries of Scorch's own perf.data feature section (the launched
 * program's exit status, the call-graph mode; later transforms and
 * portable symbol data). The one definition of that section's format: the
 * writer serializes a ScorchCaptureNotes, the reader parses one.
 *
 * The section sits at feature bit SCORCH_PERF_FEAT_SCORCH (200), far above
 * perf's own (31 in perf 6.1, which skips bits it does not know), so perf
 * report and perf script still read the file.
 *
 * Version 2 (written now), all little-endian as the rest of the file:
 *   u32 magic "SCOR" (SCORCH_PERF_SCORCH_MAGIC)
 *   u32 version (2)
 *   u32 number of entries
 *   u32 size in bytes of the entries that follow (bytes after them are
 *       left for later additions and skipped)
 *   entries, each: u32 key_len, u32 value_len, key (key_len bytes, no NUL),
 *                  value (value_len bytes), zero padding to 8 bytes
 * Keys are 1..SCORCH_CAPTURE_NOTES_MAX_KEY bytes of [a-z0-9.-], unique;
 * values are bytes (integers are 8-byte little-endian, strings UTF-8
 * without NUL). Readers skip keys they do not know.
 *
 * Version 1 (captures before this format): u32 magic, u32 version (1),
 * u32 n, then n perf strings (u32 len, NUL-padded) "key=value"; read as
 * string entries, "exit-status" as an integer. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SCORCH_CAPTURE_NOTES_VERSION    2
#define SCORCH_CAPTURE_NOTES_MAX_KEY    255
#define SCORCH_CAPTURE_NOTES_MAX_VALUE  (1u << 30)

/* Keys Scorch writes today */
#define SCORCH_CAPTURE_NOTE_EXIT_STATUS "exit-status" /* integer: the launched program's wait status */
#define SCORCH_CAPTURE_NOTE_CALL_GRAPH  "call-graph"  /* string: "fp", "fp+repair,512", "dwarf,8192" */
/* string: how the events were opened: "direct" (perf_event_open here) or
 * "sysprofd" (the broker: no register or stack copies, so no leaf repair
 * or DWARF) */
#define SCORCH_CAPTURE_NOTE_RECORDED_VIA "recorded-via"

typedef struct _ScorchCaptureNotes ScorchCaptureNotes;

ScorchCaptureNotes *scorch_capture_notes_new        (void);
void                scorch_capture_notes_free       (ScorchCaptureNotes  *self);

/* A valid key: 1..255 bytes of [a-z0-9.-]. */
gboolean            scorch_capture_notes_key_is_valid (const char        *key);

/* Adds or replaces an entry (key must be valid; value at most
 * SCORCH_CAPTURE_NOTES_MAX_VALUE bytes). */
void                scorch_capture_notes_set        (ScorchCaptureNotes  *self,
                                                     const char          *key,
                                                     const void          *value,
                                                     gsize                len);
void                scorch_capture_notes_set_string (ScorchCaptureNotes  *self,
                                                     const char          *key,
                                                     const char          *value);
void                scorch_capture_notes_set_int    (ScorchCaptureNotes  *self,
                                                     const char          *key,
                                                     gint64               value);
gboolean            scorch_capture_notes_remove     (ScorchCaptureNotes  *self,
                                                     const char          *key);

/* The value's bytes, or NULL when there is no such entry. */
const guint8       *scorch_capture_notes_get        (ScorchCaptureNotes  *self,
                                                     const char          *key,
                                                     gsize               *len);
/* NULL when absent, or not valid UTF-8 without NUL. */
const char         *scorch_capture_notes_get_string (ScorchCaptureNotes  *self,
                                                     const char          *key);
/* FALSE when absent or not an 8-byte integer. */
gboolean            scorch_capture_notes_get_int    (ScorchCaptureNotes  *self,
                                                     const char          *key,
                                                     gint64              *value);
guint               scorch_capture_notes_get_n_entries (ScorchCaptureNotes *self);
/* Keys in the order they were added (or read). */
const char         *scorch_capture_notes_get_key    (ScorchCaptureNotes  *self,
                                                     guint                i);

/* The section's payload (version 2). */
GBytes             *scorch_capture_notes_serialize  (ScorchCaptureNotes  *self);
/* Parses a section's payload (version 1 or 2). A section that is not
 * Scorch's (another magic) or of a later version gives NULL with
 * SCORCH_CAPTURE_ERROR_UNSUPPORTED; damage gives NULL with
 * SCORCH_CAPTURE_ERROR_MALFORMED. file_offset is for messages. */
ScorchCaptureNotes *scorch_capture_notes_parse      (const guint8        *data,
                                                     gsize                len,
                                                     guint64              file_offset,
                                                     GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchCaptureNotes, scorch_capture_notes_free)

G_END_DECLS
