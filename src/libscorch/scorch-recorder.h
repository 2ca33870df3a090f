/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-recorder.h: samples a launched or attached process with perf_event
 * into a perf.data file, on a worker thread */

#pragma once

#include <gio/gio.h>
#include <linux/perf_event.h>

G_BEGIN_DECLS

#define SCORCH_RECORDER_ERROR (scorch_recorder_error_quark ())

typedef enum
{
  SCORCH_RECORDER_ERROR_INVALID,          /* bad configuration */
  SCORCH_RECORDER_ERROR_NO_SUCH_PROGRAM,  /* program not found */
  SCORCH_RECORDER_ERROR_NOT_EXECUTABLE,   /* found, but cannot be run */
  SCORCH_RECORDER_ERROR_NO_SUCH_PROCESS,  /* PID does not exist or has gone */
  SCORCH_RECORDER_ERROR_PERMISSION,       /* perf_event_open or ptrace not allowed */
  SCORCH_RECORDER_ERROR_EVENT,            /* the event cannot be opened */
  SCORCH_RECORDER_ERROR_BUSY,             /* already recording */
} ScorchRecorderError;

typedef enum
{
  SCORCH_CALL_GRAPH_FP,         /* the kernel's frame-pointer callchains, as they are */
  SCORCH_CALL_GRAPH_DWARF,      /* user stack copies, unwound with CFI when loaded */
  SCORCH_CALL_GRAPH_FP_REPAIR,  /* frame-pointer callchains whose leaf is repaired at
                                 * record time (see scorch-leaf-repair.h); written as
                                 * plain callchains */
} ScorchCallGraph;

typedef enum
{
  SCORCH_STOP_REASON_NONE,
  SCORCH_STOP_REASON_TARGET_EXITED,
  SCORCH_STOP_REASON_DURATION,
  SCORCH_STOP_REASON_STOPPED,             /* scorch_recorder_stop() */
  SCORCH_STOP_REASON_CANCELLED,
  SCORCH_STOP_REASON_ERROR,
} ScorchStopReason;

/* How perf events are opened. */
typedef enum
{
  SCORCH_RECORD_VIA_AUTO,       /* directly when the kernel allows it, else through sysprofd */
  SCORCH_RECORD_VIA_DIRECT,     /* perf_event_open in this process */
  SCORCH_RECORD_VIA_SYSPROFD,   /* sysprofd's PerfEventOpen after polkit authorization:
                                 * period-based frame-pointer stacks, per CPU, filtered
                                 * to the target */
} ScorchRecordVia;

#define SCORCH_RECORDER_DEFAULT_FREQUENCY  999
#define SCORCH_RECORDER_DEFAULT_STACK_SIZE 8192
/* The stack copy of fp+repair: only the leaf's frame is needed */
#define SCORCH_RECORDER_DEFAULT_REPAIR_STACK_SIZE 512

typedef struct
{
  double  elapsed;     /* seconds since counting started */
  guint64 samples;
  guint64 lost;        /* samples lost (PERF_RECORD_LOST / LOST_SAMPLES) */
  guint64 throttled;   /* PERF_RECORD_THROTTLE records */
  guint64 bytes;       /* bytes of records written */
  /* fp+repair: samples whose leaf's caller was restored, and stacks cut
   * because the leaf had overwritten rbp or the stack copy was too small */
  guint64 repaired;
  guint64 truncated;
} ScorchRecorderProgress;

/* What the current process may record, and how to allow the rest. */
typedef struct
{
  int       paranoid;          /* kernel.perf_event_paranoid, or G_MININT if unreadable */
  gboolean  cap_perfmon;
  gboolean  cap_sys_admin;
  gboolean  cap_sys_ptrace;
  gboolean  can_record;        /* perf_event_open on own processes at all */
  gboolean  can_kernel;        /* kernel samples and callchains */
  gboolean  can_other_users;   /* attach to other users' processes */
  char     *message;           /* what is not allowed; NULL if everything is */
  char     *command;           /* the command that allows it, or NULL */
} ScorchRecorderPermissions;

ScorchRecorderPermissions *scorch_recorder_check_permissions (void);
void                       scorch_recorder_permissions_free  (ScorchRecorderPermissions *perms);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchRecorderPermissions, scorch_recorder_permissions_free)

#define SCORCH_TYPE_RECORDER (scorch_recorder_get_type ())
G_DECLARE_FINAL_TYPE (ScorchRecorder, scorch_recorder, SCORCH, RECORDER, GObject)

/* Called on the worker thread with each batch of whole records as they are
 * written (synthesized ones included), in file order. attr describes the
 * samples. Must not block for long: the ring buffers fill meanwhile. */
typedef void (*ScorchRecorderSinkFunc) (ScorchRecorder               *recorder,
                                        const struct perf_event_attr *attr,
                                        const guint8                 *records,
                                        gsize                         len,
                                        gpointer                      user_data);

/* The same with every event of the records (kernel ids, EVENT_DESC
 * names), as the file has them: what a recording with several events
 * (--off-cpu: the sampling event and sched:sched_switch) needs to tell
 * its records apart. attrs stays valid while the recording runs (ref it
 * to keep it). */
typedef struct _ScorchCaptureAttrs ScorchCaptureAttrs;
typedef void (*ScorchRecorderAttrsSinkFunc) (ScorchRecorder     *recorder,
                                             ScorchCaptureAttrs *attrs,
                                             const guint8       *records,
                                             gsize               len,
                                             gpointer            user_data);

GQuark          scorch_recorder_error_quark       (void);

ScorchRecorder *scorch_recorder_new               (void);

/* Target: either a program to launch (argv[0] is looked up in PATH when it
 * has no slash; cwd and envp may be NULL to inherit) or a running PID. */
void            scorch_recorder_set_command       (ScorchRecorder      *self,
                                                   const char * const  *argv,
                                                   const char          *cwd,
                                                   const char * const  *envp);
void            scorch_recorder_set_pid           (ScorchRecorder      *self,
                                                   GPid                 pid);
/* "cpu-clock" (default), "task-clock" or "cycles" (falls back to cpu-clock). */
void            scorch_recorder_set_event         (ScorchRecorder      *self,
                                                   const char          *event);
/* Samples per second (capped at kernel.perf_event_max_sample_rate)… */
void            scorch_recorder_set_frequency     (ScorchRecorder      *self,
                                                   guint                hz);
/* …or one sample every period events (nanoseconds for the clocks). */
void            scorch_recorder_set_period        (ScorchRecorder      *self,
                                                   guint64              period);
/* stack_size: bytes of stack copied per sample for DWARF and FP_REPAIR
 * (multiple of 8 up to 65528), 0 for the mode's default. */
void            scorch_recorder_set_call_graph    (ScorchRecorder      *self,
                                                   ScorchCallGraph      mode,
                                                   guint                stack_size);
void            scorch_recorder_set_kernel        (ScorchRecorder      *self,
                                                   gboolean             kernel);
/* Seconds; 0 means until the target exits or the recording is stopped. */
/* Also records when threads block and their stacks (off-CPU time):
 * sched:sched_switch with callchains and context-switch records; needs
 * kernel.perf_event_paranoid <= 1 or CAP_PERFMON and a readable tracefs. */
void            scorch_recorder_set_off_cpu       (ScorchRecorder      *self,
                                                   gboolean             off_cpu);
void            scorch_recorder_set_duration      (ScorchRecorder      *self,
                                                   double               seconds);
void            scorch_recorder_set_output_path   (ScorchRecorder      *self,
                                                   const char          *path);
/* A seekable stream instead of a path. */
void            scorch_recorder_set_output_stream (ScorchRecorder      *self,
                                                   GOutputStream       *stream);
/* Stored in the CMDLINE feature (default: the target's argv). */
void            scorch_recorder_set_cmdline       (ScorchRecorder      *self,
                                                   const char * const  *argv);
void            scorch_recorder_set_sink          (ScorchRecorder         *self,
                                                   ScorchRecorderSinkFunc  func,
                                                   gpointer                user_data,
                                                   GDestroyNotify          destroy);

/* Replaces the sink: batches go to func with all events' attrs, switch
 * samples included (the plain sink gets the sampling event's only). */
void            scorch_recorder_set_attrs_sink    (ScorchRecorder              *self,
                                                   ScorchRecorderAttrsSinkFunc  func,
                                                   gpointer                     user_data,
                                                   GDestroyNotify               destroy);

/* Records until the target exits, the duration passes, stop() is called or
 * cancellable is cancelled. The file is finalized in every case. Progress is
 * emitted as the "progress" signal in the thread-default main context of the
 * caller, at most 10 times a second. Cancelling finalizes the file and then
 * fails with G_IO_ERROR_CANCELLED; stop() succeeds. */
void            scorch_recorder_record_async      (ScorchRecorder      *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean        scorch_recorder_record_finish     (ScorchRecorder      *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Thread-safe; returns at once, the recording ends shortly after. */
void            scorch_recorder_stop              (ScorchRecorder      *self);

/* -- reach: privilege path and system-wide recording -- */
void            scorch_recorder_set_via           (ScorchRecorder      *self,
                                                   ScorchRecordVia      via);
/* Every process on every CPU (no target; stops on duration or stop()). */
void            scorch_recorder_set_system_wide   (ScorchRecorder      *self,
                                                   gboolean             system_wide);
/* The path used by the last recording (DIRECT or SYSPROFD; AUTO before). */
ScorchRecordVia scorch_recorder_get_via_used      (ScorchRecorder      *self);
/* What a recording records, for the path it takes. */
typedef enum
{
  SCORCH_RECORD_TARGET_LAUNCH,   /* a program it launches */
  SCORCH_RECORD_TARGET_ATTACH,   /* a running process */
  SCORCH_RECORD_TARGET_SYSTEM,   /* every process (set_system_wide) */
} ScorchRecordTarget;

/* The path a recording would take now, without asking polkit: DIRECT,
 * SYSPROFD, or AUTO when neither is available (then *why says why).
 * Attaching and the whole system go through sysprofd when the processes
 * are the host's (scorch_sysprofd_get_proc_source), as the recorder does. */
ScorchRecordVia scorch_recorder_predict_via       (ScorchRecordVia      via,
                                                   ScorchRecordTarget   target,
                                                   char               **why);
/* The same choice from given facts (the Record dialog's, and tests'):
 * other_user: ATTACH to another user's process of this /proc;
 * host_procs: the PIDs are the host's, which only sysprofd reaches. */
ScorchRecordVia scorch_recorder_choose_via        (const ScorchRecorderPermissions *perms,
                                                   ScorchRecordVia      via,
                                                   ScorchRecordTarget   target,
                                                   gboolean             other_user,
                                                   gboolean             host_procs,
                                                   gboolean             sysprofd_available);

/* Results (valid after record_finish). */
void            scorch_recorder_get_progress      (ScorchRecorder         *self,
                                                   ScorchRecorderProgress *progress);
ScorchStopReason scorch_recorder_get_stop_reason  (ScorchRecorder      *self);
/* Notes such as "cycles are not available; recorded cpu-clock" or what the
 * permissions dropped and how to allow it. Borrowed, NULL-terminated. */
const char * const *scorch_recorder_get_messages  (ScorchRecorder      *self);
/* The launched child's PID (0 before it is started). */
GPid            scorch_recorder_get_child_pid     (ScorchRecorder      *self);
/* The launched child's wait status, if it was reaped (else -1). */
int             scorch_recorder_get_exit_status   (ScorchRecorder      *self);

G_END_DECLS
