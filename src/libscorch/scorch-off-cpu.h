/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-off-cpu.h: off-CPU (blocked) time from context switches.
 *
 * The analyzer hands the tracker what a capture says about scheduling:
 * sched:sched_switch samples (a thread leaves the CPU, with the stack it
 * blocked in), PERF_RECORD_SWITCH "in" records, sched_wakeup samples and
 * on-CPU samples (the thread runs again), EXIT records.  Each switch-out
 * closed by the thread's next sign of running becomes one off-CPU sample
 * of that stack weighted by the time switched out; a thread still switched
 * out at the end counts until its exit or the end of the capture.
 *
 * At the end, two profiles derived from the on-CPU profile (same frame
 * ids) are attached to it: Off-CPU (blocked time by stack) and Wall clock
 * (on-CPU samples weighted by their time plus the off-CPU samples).  Their
 * sample weights are microseconds, so percentages are of the selected
 * time. */

#pragma once

#include <glib.h>

#include "scorch-profile.h"

G_BEGIN_DECLS

/* The EVENT_DESC names of the scheduler tracepoints */
#define SCORCH_OFF_CPU_SWITCH_EVENT "sched:sched_switch"
#define SCORCH_OFF_CPU_WAKEUP_EVENT "sched:sched_wakeup"
#define SCORCH_OFF_CPU_WAKING_EVENT "sched:sched_waking"

typedef struct _ScorchOffCpu ScorchOffCpu;

ScorchOffCpu *scorch_off_cpu_new        (void);
void          scorch_off_cpu_free       (ScorchOffCpu  *self);

/* tid leaves the CPU at time; frames are frame ids of the analyzer's
 * builder, leaf first (copied). */
void          scorch_off_cpu_switch_out (ScorchOffCpu  *self,
                                         guint64        time,
                                         gint32         pid,
                                         gint32         tid,
                                         const guint32 *frames,
                                         guint          n_frames);
/* tid runs again at time (a switch-in record, a wakeup, a sample of it);
 * closes its open switch-out, if any. */
void          scorch_off_cpu_switch_in  (ScorchOffCpu  *self,
                                         guint64        time,
                                         gint32         tid);
/* An on-CPU sample of tid standing for period_ns of CPU time (0: unknown). */
void          scorch_off_cpu_on_cpu     (ScorchOffCpu  *self,
                                         guint64        time,
                                         gint32         tid,
                                         guint64        period_ns);
/* tid exited at time: an open switch-out ends there. */
void          scorch_off_cpu_exit       (ScorchOffCpu  *self,
                                         guint64        time,
                                         gint32         tid);
/* Any record's time: the end of the capture is the latest. */
void          scorch_off_cpu_saw_time   (ScorchOffCpu  *self,
                                         guint64        time);
/* Whether any switch-out was seen (the capture has off-CPU data). */
gboolean      scorch_off_cpu_has_switches (ScorchOffCpu *self);
/* How many switch-outs were seen so far. */
guint64       scorch_off_cpu_get_n_switches (ScorchOffCpu *self);

/* Builds the Off-CPU and Wall clock profiles from on_cpu (the analyzer's
 * final profile), a thread still switched out counted to the end, and
 * attaches them to it. No record comes afterwards. */
void          scorch_off_cpu_finish     (ScorchOffCpu  *self,
                                         ScorchProfile *on_cpu);

/* The live path: attaches Off-CPU and Wall clock views to on_cpu (a
 * snapshot of the analyzer's profile) with the switch-outs still open
 * counted up to the latest time seen; the tracker goes on unchanged.
 * The final profile's views (scorch_off_cpu_finish) count them the same
 * way, so the last snapshot of a finished recording equals the final
 * views. */
void          scorch_off_cpu_snapshot   (ScorchOffCpu  *self,
                                         ScorchProfile *on_cpu);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchOffCpu, scorch_off_cpu_free)

G_END_DECLS
