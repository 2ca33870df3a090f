/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-recorder-private.h: what the recorder's files share: the
 * recorder's fields, the recording session of the worker thread, and the
 * functions of each part (permissions, spawn, event setup, synthesis) that
 * scorch-recorder.c calls. Include only from those files. */

#pragma once

#include <gio/gio.h>
#include <linux/perf_event.h>
#include <sys/types.h>

#include "scorch-leaf-repair.h"
#include "scorch-perf-record.h"
#include "scorch-perf-writer.h"
#include "scorch-recorder.h"

G_BEGIN_DECLS

#define DRAIN_INTERVAL_MS     50
/* fp+repair samples are ~800 bytes in the ring: at 4999 Hz a 512 KiB ring
 * (the default perf_event_mlock_kb) fills in about 0.1 s per busy CPU */
#define REPAIR_DRAIN_INTERVAL_MS 10
#define PROGRESS_INTERVAL_US  (G_USEC_PER_SEC / 10)
#define KILL_GRACE_MS         500

#define CAP_SYS_PTRACE_BIT 19
#define CAP_SYS_ADMIN_BIT  21
#define CAP_IPC_LOCK_BIT   14
#define CAP_PERFMON_BIT    38

struct _ScorchRecorder
{
  GObject                 parent_instance;

  /* configuration */
  GStrv                   argv;
  char                   *cwd;
  GStrv                   envp;
  GPid                    pid;
  char                   *event;
  guint                   frequency;
  guint64                 period;
  ScorchCallGraph         call_graph;
  guint                   stack_size;
  gboolean                kernel;
  double                  duration;
  char                   *output_path;
  GOutputStream          *output_stream;
  GStrv                   cmdline;
  gboolean                off_cpu;
  ScorchRecorderSinkFunc  sink;
  ScorchRecorderAttrsSinkFunc attrs_sink; /* instead of sink (scorch-record-off-cpu.c) */
  gpointer                sink_data;
  /* reach (scorch-record-reach.c) */
  ScorchRecordVia         via;
  gboolean                system_wide;
  ScorchRecordVia         via_used;
  GDestroyNotify          sink_destroy;

  /* shared with the worker */
  GMutex                  lock;
  int                     wake_fd;
  gint                    stop_request;   /* ScorchStopReason, atomic */
  gboolean                running;
  GMainContext           *context;
  gboolean                progress_pending;
  ScorchRecorderProgress  progress;

  /* results */
  ScorchStopReason        stop_reason;
  GPtrArray              *messages;
  GPid                    child_pid;
  int                     exit_status;
};

/* ---- the recording session (worker thread) ----------------------------- */

typedef struct
{
  int                          fd;
  guint8                      *base;
  gsize                        map_size;
  struct perf_event_mmap_page *page;
  guint8                      *data;
  guint64                      size;
  gboolean                     hup;
} ScorchRecordRing;

typedef struct
{
  ScorchRecorder         *self;
  GCancellable           *cancellable;

  struct perf_event_attr  attr;
  ScorchCaptureAttrs     *attrs;      /* of attr: to decode drained records */
  const char             *event_name;
  GArray                 *cpus;       /* of int */
  GArray                 *fds;        /* of int: every event */
  GArray                 *ids;        /* of guint64 */
  GArray                 *rings;      /* of ScorchRecordRing, one per CPU */
  GHashTable             *tids;       /* attach: tids with events */
  gsize                   ring_pages;

  ScorchPerfWriter       *writer;
  GByteArray             *scratch;
  ScorchLeafRepairer     *repairer;   /* fp+repair */
  GByteArray             *repaired;   /* the batch as written */

  /* target */
  gboolean                launch;
  pid_t                   target;
  int                     pidfd;
  int                     gate_fd;
  int                     err_fd;
  char                   *program;
  gboolean                target_exited;
  gboolean                reaped;

  gint64                  start_time;
  gint64                  last_progress;
  guint64                 samples;
  guint64                 lost;
  guint64                 throttled;

  /* off-CPU (scorch-record-off-cpu.c): NULL/zero without --off-cpu */
  struct perf_event_attr  switch_attr;
  GArray                 *switch_ids;   /* of guint64 */
  ScorchCaptureAttrs     *switch_attrs; /* the sink's events, as written: for the attrs sink and to
                                         * filter the plain sink's batches */
  /* reach (scorch-record-reach.c): sysprofd, per-CPU events, the filter */
  GDBusConnection        *sysprofd;   /* set when events go through sysprofd */
  gboolean                cpu_wide;   /* one event per CPU for every process */
  GHashTable             *filter;     /* pids kept from cpu-wide events, or NULL */
  gboolean                other_user; /* attach: the target is another user's */
  gboolean                host_procs; /* attach, -a: PIDs and /proc are the host's, via sysprofd */
  gboolean                host_child_resolved; /* launch in a sandbox: the child's host PID was looked up */
  GHashTable             *host_files; /* -a, host_procs: /proc path → contents, read in one call */
} ScorchRecordSession;

/* scorch-recorder.c */
void
_scorch_recorder_add_message (ScorchRecorder *self,
                              char           *message);

/* scorch-record-permissions.c */
int
_scorch_recorder_read_int_file (const char *path,
                                int         fallback);
guint64
_scorch_recorder_read_cap_eff (void);

/* Why recording cannot start, for the one message that says it (the
 * permission check's and the recorder's errors alike). */
typedef struct
{
  gboolean    system_wide;
  gboolean    in_flatpak;
  const char *app_id;          /* in a Flatpak; NULL: Scorch's */
  int         paranoid;        /* kernel.perf_event_paranoid; G_MININT: unknown */
  gboolean    broker_reached;  /* sysprofd answered, and polkit refused */
  const char *direct_why;      /* why perf_event_open here fails; NULL: unsaid */
  const char *broker_why;      /* why sysprofd fails; NULL: unsaid */
} ScorchNoAccess;

/* The message: what failed on each path, then both fixes (install
 * “sysprof” for polkit-authorized recording, or the sysctl / CAP_PERFMON;
 * inside a Flatpak the sandbox permissions instead of a sysctl).  The
 * commands that apply, one a line, go to *commands (may be NULL); with
 * with_commands they also end the message, indented. */
char *
_scorch_recorder_no_access_message (const ScorchNoAccess  *na,
                                    gboolean               with_commands,
                                    char                 **commands);

/* scorch-spawn.c */
gboolean
_scorch_recorder_resolve_program (ScorchRecordSession  *s,
                                  GError              **error);
gboolean
_scorch_recorder_spawn_gated (ScorchRecordSession  *s,
                              GError              **error);
void
_scorch_recorder_reap_child (ScorchRecordSession *s,
                             gboolean             kill_it);
gboolean
_scorch_recorder_check_process (ScorchRecordSession  *s,
                                GError              **error);
gboolean
_scorch_recorder_target_has_exited (ScorchRecordSession *s,
                                    short                pidfd_revents);
gboolean
_scorch_recorder_release_child (ScorchRecordSession  *s,
                                GError              **error);

/* scorch-event-setup.c */
GArray *
_scorch_recorder_list_tids (pid_t pid);
gboolean
_scorch_recorder_setup_attr (ScorchRecordSession  *s,
                             GError              **error);
gboolean
_scorch_recorder_open_events (ScorchRecordSession  *s,
                              GError              **error);
void
_scorch_recorder_set_enabled (ScorchRecordSession *s,
                              gboolean             enabled);

/* scorch-record-off-cpu.c */
gboolean
_scorch_recorder_setup_off_cpu (ScorchRecordSession  *s,
                                GError              **error);
gboolean
_scorch_recorder_open_off_cpu (ScorchRecordSession  *s,
                               pid_t                 tid,
                               int                   cpu,
                               int                   ring_fd,
                               GError              **error);
void
_scorch_recorder_add_off_cpu_attr (ScorchRecordSession *s);
/* Hands a written batch to the sink (plain or attrs); written: the
 * sampling event's attr as in the file. */
void
_scorch_recorder_sink_batch (ScorchRecordSession          *s,
                             const struct perf_event_attr *written,
                             const guint8                 *data,
                             gsize                         len);
/* scorch-record-reach.c */
gboolean
_scorch_recorder_choose_path (ScorchRecordSession        *s,
                              ScorchRecorderPermissions  *perms,
                              GError                    **error);
void
_scorch_recorder_adapt_attr_to_path (ScorchRecordSession *s);
int
_scorch_recorder_perf_event_open (ScorchRecordSession  *s,
                                  pid_t                 tid,
                                  int                   cpu,
                                  GError              **error);
gboolean
_scorch_recorder_fall_back_to_broker (ScorchRecordSession  *s,
                                      GError               *direct_error,
                                      GError              **error);
void
_scorch_recorder_filter_records (ScorchRecordSession *s,
                                 GByteArray          *batch,
                                 gsize                from);
GByteArray *
_scorch_recorder_synthesize_system (ScorchRecordSession *s);
void
_scorch_recorder_reach_free (ScorchRecordSession *s);
char *
_scorch_recorder_read_proc_file (ScorchRecordSession *s,
                                 const char          *path);
gboolean
_scorch_recorder_check_host_process (ScorchRecordSession  *s,
                                     GError              **error);
GArray *
_scorch_recorder_list_target_tids (ScorchRecordSession *s,
                                   pid_t                pid);
guint
_scorch_recorder_host_build_id (ScorchRecordSession *s,
                                const char          *path,
                                guint8              *build_id);

/* scorch-synthesize.c */
GByteArray *
_scorch_recorder_synthesize_pid (ScorchRecordSession *s,
                                 pid_t                pid);
void
_scorch_recorder_synthesize_kernel_map (GByteArray *rec,
                                        guint       id_size);
GByteArray *
_scorch_recorder_synthesize_process (ScorchRecordSession *s);

G_END_DECLS
