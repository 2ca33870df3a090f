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

/* GetProcFile: a file under /proc or /sys as root sees it. */
GBytes  *scorch_sysprofd_get_proc_file   (GDBusConnection               *connection,
                                          const char                    *path,
                                          GCancellable                  *cancellable,
                                          GError                       **error);

/* Whether this process runs inside a Flatpak sandbox. */
gboolean scorch_sysprofd_in_flatpak      (void);

G_END_DECLS
