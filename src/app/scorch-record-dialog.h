/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-record-dialog.h: what to record (a program or a running process)
 * and how (frequency, call stacks, kernel, time limit) */

#pragma once

#include <adwaita.h>

#include "scorch-recorder.h"

G_BEGIN_DECLS

typedef enum
{
  SCORCH_RECORD_CALL_GRAPH_FP,
  SCORCH_RECORD_CALL_GRAPH_DWARF,
  SCORCH_RECORD_CALL_GRAPH_AUTO,
  SCORCH_RECORD_CALL_GRAPH_FP_REPAIR,
} ScorchRecordCallGraph;  /* the values of the record-call-graph setting */

/* A recording request, validated. */
typedef struct
{
  char                 **argv;        /* program and arguments, or NULL with pid */
  char                  *program;     /* argv[0] resolved to a path */
  char                  *cwd;         /* or NULL */
  char                 **envp;        /* the full environment for the child, or NULL */
  int                    pid;         /* running process, or 0 */
  guint                  frequency;
  ScorchRecordCallGraph  call_graph;  /* as chosen */
  gboolean               dwarf;       /* resolved: DWARF stacks */
  ScorchCallGraph        mode;        /* resolved: what the recorder records */
  char                  *call_graph_reason; /* why "automatic" chose what it chose */
  gboolean               kernel;
  guint                  duration;    /* seconds, 0 = no limit */
  gboolean               off_cpu;     /* also blocked time (sched_switch) */
  /* reach */
  gboolean               system_wide; /* every process (no argv, no pid) */
  ScorchRecordVia        via;         /* how the events are opened */
} ScorchRecordOptions;

void                 scorch_record_options_free (ScorchRecordOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchRecordOptions, scorch_record_options_free)

/* Resolves "automatic" for the binary at PATH with
 * scorch_elf_check_choose_call_graph(), as the CLI does: TRUE for DWARF
 * (FALSE: frame pointers with leaf repair); sets *reason to a sentence. */
gboolean             scorch_record_choose_dwarf (const char  *path,
                                                 char       **reason);

#define SCORCH_TYPE_RECORD_DIALOG (scorch_record_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ScorchRecordDialog, scorch_record_dialog, SCORCH, RECORD_DIALOG, AdwWindow)

/* Signal "record" (no arguments): Record was pressed and the options are
 * valid; read them with scorch_record_dialog_dup_options(). */
ScorchRecordDialog  *scorch_record_dialog_new             (GtkWindow          *parent);
ScorchRecordOptions *scorch_record_dialog_dup_options     (ScorchRecordDialog *self,
                                                           GError            **error);
/* Shows why the recording could not start (in the dialog, which stays open). */
void                 scorch_record_dialog_show_error      (ScorchRecordDialog *self,
                                                           const char         *message);
/* The error shown, or NULL. */
const char          *scorch_record_dialog_get_error       (ScorchRecordDialog *self);
/* What the kernel allows (the dialog checks by itself when it opens; tests
 * and the window may set another answer). Copied. */
void                 scorch_record_dialog_set_permissions (ScorchRecordDialog *self,
                                                           const ScorchRecorderPermissions *perms);
/* "program", "process" or "system". */
void                 scorch_record_dialog_set_mode        (ScorchRecordDialog *self,
                                                           const char         *mode);
void                 scorch_record_dialog_set_program     (ScorchRecordDialog *self,
                                                           const char         *program,
                                                           const char         *arguments);
gboolean             scorch_record_dialog_select_pid      (ScorchRecordDialog *self,
                                                           int                 pid);
GtkWidget           *scorch_record_dialog_get_picker      (ScorchRecordDialog *self);
/* Saves the choices to GSettings (done when Record is pressed). */
void                 scorch_record_dialog_save_settings   (ScorchRecordDialog *self);

G_END_DECLS
