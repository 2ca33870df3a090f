/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-sysprofd.h: GNOME's privileged perf helper (sysprofd, D-Bus system
 * service org.gnome.Sysprof3) as a broker: perf_event_open after polkit
 * authorization, and /proc files the caller may not read itself */

#pragma once

#include <gio/gio.h>
#include <linux/perf_event.h>

G_BEGIN_DECLS

#define SCORCH_SYSPROFD_NAME      "org.gnome.Sysprof3"
#define SCORCH_SYSPROFD_PATH      "/org/gnome/Sysprof3"
#define SCORCH_SYSPROFD_INTERFACE "org.gnome.Sysprof3.Service"
/* sysprofd refuses shorter periods */
#define SCORCH_SYSPROFD_MIN_PERIOD 100000

/* Whether a sysprofd can be reached on the system bus (running, or
 * activatable). Sets error to say why not. */
gboolean scorch_sysprofd_available       (GDBusConnection              **connection,
                                          GError                       **error);

/* The fields of attr sysprofd honours (type, config, sample_period,
 * sample_type, disabled, wakeup_events, sample_id_all, comm, mmap, task,
 * exclude_idle); everything else is dropped. Clears the other fields of
 * attr so that it describes what is really opened. */
void     scorch_sysprofd_restrict_attr   (struct perf_event_attr        *attr);

/* PerfEventOpen: returns the event's fd (close-on-exec) or -1 with error.
 * May ask polkit interactively. */
int      scorch_sysprofd_perf_event_open (GDBusConnection               *connection,
                                          const struct perf_event_attr  *attr,
                                          int                            pid,
                                          int                            cpu,
                                          GCancellable                  *cancellable,
                                          GError                       **error);

/* Whether this process runs inside a Flatpak sandbox. */
gboolean scorch_sysprofd_in_flatpak      (void);

/* Whose processes /proc shows here.  Inside a Flatpak, /proc holds only
 * the sandbox's processes: the host's are listed and described by
 * sysprofd (ListProcesses, GetProcessInfo, GetProcFile), and their PIDs
 * are the host's.  SCORCH_PROC_SOURCE=sysprofd|proc decides instead of
 * /.flatpak-info (tests). */
typedef enum
{
  SCORCH_PROC_SOURCE_LOCAL,     /* this /proc */
  SCORCH_PROC_SOURCE_SYSPROFD,  /* the host's, through sysprofd */
} ScorchProcSource;

ScorchProcSource scorch_sysprofd_get_proc_source (void);

/* ListProcesses: the host's PIDs, sorted (a GArray of gint32). */
GArray  *scorch_sysprofd_list_processes  (GDBusConnection               *connection,
                                          GCancellable                  *cancellable,
                                          GError                       **error);

/* One process as GetProcessInfo and GetProcFile describe it.  comm and
 * cmdline are the process's own words: untrusted. */
typedef struct
{
  gint32  pid;
  char   *comm;
  char   *cmdline;   /* arguments joined by spaces; "" for kernel threads */
  char   *maps;      /* /proc/PID/maps when asked for, else NULL */
} ScorchSysprofdProcess;

void     scorch_sysprofd_process_free    (ScorchSysprofdProcess         *process);

/* GetProcessInfo ("pid,comm,cmdline", and maps with with_maps): every
 * host process in one call, sorted by PID (a GPtrArray of
 * ScorchSysprofdProcess). */
GPtrArray *scorch_sysprofd_get_processes (GDBusConnection               *connection,
                                          gboolean                       with_maps,
                                          GCancellable                  *cancellable,
                                          GError                       **error);

/* GetProcFile: a file under /proc or /sys as root sees it, as a
 * NUL-terminated string (cut at its first NUL, as sysprofd returns it), or
 * NULL with error. */
char    *scorch_sysprofd_read_proc_text  (GDBusConnection               *connection,
                                          const char                    *path,
                                          GCancellable                  *cancellable,
                                          GError                       **error);

/* The real user id in a /proc/PID/status text, or -1. */
gint64   scorch_sysprofd_parse_status_uid (const char                   *status);

G_END_DECLS
