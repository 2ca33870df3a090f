/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-live-session.h: the analysis of a recording while it runs: the
 * recorder's records go to a ScorchAnalyzer on a worker thread, snapshots
 * come out for the live flame graph, and when the recording ends the
 * analyzer's profile becomes the final one (the capture is not read
 * again). */

#pragma once

#include <gio/gio.h>
#include <linux/perf_event.h>

#include "scorch-profile.h"
#include "scorch-recorder.h"

G_BEGIN_DECLS

#define SCORCH_TYPE_LIVE_SESSION (scorch_live_session_get_type ())
G_DECLARE_FINAL_TYPE (ScorchLiveSession, scorch_live_session, SCORCH, LIVE_SESSION, GObject)

/* The "snapshot" signal (ScorchProfile *profile) is emitted in the
 * thread-default main context of the caller of scorch_live_session_new,
 * at most every interval, while records come in and add samples (or
 * off-CPU switch-outs). A recording with off-CPU events gives snapshots
 * with Off-CPU and Wall clock views (scorch_profile_get_view), the
 * threads still blocked counted up to the latest record. */
ScorchLiveSession *scorch_live_session_new                   (void);
/* Milliseconds between snapshots (default 500; 0: no snapshots). */
void               scorch_live_session_set_snapshot_interval (ScorchLiveSession            *self,
                                                              guint                         msec);
/* Feeds the session from recorder (its sink), before recording starts. */
void               scorch_live_session_attach                (ScorchLiveSession            *self,
                                                              ScorchRecorder               *recorder);
/* Whole records in file order, as the recorder's sink gets them; attr
 * describes the samples (the first batch's is used). Thread-safe, never
 * blocks: the records are copied and analyzed on the worker. */
void               scorch_live_session_push_records          (ScorchLiveSession            *self,
                                                              const struct perf_event_attr *attr,
                                                              const guint8                 *records,
                                                              gsize                         len);
/* The same with every event of the records (ids and EVENT_DESC names,
 * as scorch_recorder_set_attrs_sink gives them): what off-CPU records
 * (sched:sched_switch beside the sampling event) need. attrs is
 * referenced; the first batch's is used. */
void               scorch_live_session_push_capture_records  (ScorchLiveSession            *self,
                                                              ScorchCaptureAttrs           *attrs,
                                                              const guint8                 *records,
                                                              gsize                         len);
/* The newest snapshot, or NULL before the first; thread-safe. */
ScorchProfile     *scorch_live_session_dup_snapshot          (ScorchLiveSession            *self);
guint64            scorch_live_session_get_n_samples         (ScorchLiveSession            *self);

/* Ends the session once every record pushed so far is analyzed, and
 * returns the final profile: the same as loading the capture the records
 * were written to. capture_path (may be NULL) is that finished capture:
 * only its header and feature sections are read (host, kernel release,
 * build ids, command line, exit status), not its records. Call once. */
void               scorch_live_session_end_async             (ScorchLiveSession            *self,
                                                              const char                   *capture_path,
                                                              GCancellable                 *cancellable,
                                                              GAsyncReadyCallback           callback,
                                                              gpointer                      user_data);
ScorchProfile     *scorch_live_session_end_finish            (ScorchLiveSession            *self,
                                                              GAsyncResult                 *result,
                                                              GError                      **error);
/* The same, waiting in the calling thread. */
ScorchProfile     *scorch_live_session_end                   (ScorchLiveSession            *self,
                                                              const char                   *capture_path,
                                                              GError                      **error);

G_END_DECLS
