/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-call-graph-choice.h: the "auto" call-graph mode, decided from the
 * program's and its libraries' prologues (scorch-elf-check.h).  Apart
 * from scorch-elf-check.h because it speaks the recorder's language
 * (ScorchCallGraph), and the frame-pointer check is used below the
 * recorder (by the unwind diagnostics). */

#pragma once

#include <glib.h>

#include "scorch-recorder.h"

G_BEGIN_DECLS

/* What the "auto" call-graph mode records for the program at PATH (a
 * path, or a name looked up in PATH; /proc/PID/exe for a running
 * process): SCORCH_CALL_GRAPH_FP_REPAIR when the program and the
 * libraries it links (its DT_NEEDED libraries but the C and C++ runtime,
 * whose frameless functions leaf repair steps through with their CFI)
 * keep frame pointers, SCORCH_CALL_GRAPH_DWARF otherwise.  A script is
 * judged by its interpreter.  *reason (if not NULL) gets one sentence
 * saying why.  The CLI and the Record dialog both decide with this. */
ScorchCallGraph scorch_elf_check_choose_call_graph (const char  *path,
                                                    char       **reason);

/* The same for the running process PID: its /proc/PID/exe, or when the
 * PIDs are the host's (scorch_sysprofd_get_proc_source(): inside a
 * Flatpak) the main executable of its maps as sysprofd reads them, under
 * /run/host inside a Flatpak (GetProcFile cannot read the exe link).
 * When that file cannot be reached the check is skipped:
 * SCORCH_CALL_GRAPH_FP (sysprofd records frame-pointer stacks in any
 * case), and *reason says so.  May ask sysprofd (D-Bus, blocking). */
ScorchCallGraph scorch_elf_check_choose_call_graph_for_pid (int    pid,
                                                            char **reason);

/* The main executable in a /proc/PID/maps text: the first mapped file
 * (the kernel maps the program before its interpreter and libraries, at
 * lower addresses); NULL if there is none, it was deleted or the name
 * has a ".." component.  Untrusted text; for the tests. */
char           *_scorch_call_graph_maps_main_executable (const char *maps);

G_END_DECLS
