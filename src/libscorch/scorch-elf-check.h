/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-elf-check.h: does an ELF binary keep frame pointers?  (What the
 * "auto" call-graph mode records, which needs the recorder's types, is in
 * scorch-call-graph-choice.h: this file stays below the recorder.) */

#pragma once

#include <glib.h>


G_BEGIN_DECLS

#define SCORCH_ELF_CHECK_ERROR (scorch_elf_check_error_quark ())

typedef enum
{
  SCORCH_ELF_CHECK_ERROR_OPEN,        /* cannot open or read the file */
  SCORCH_ELF_CHECK_ERROR_NOT_ELF,     /* not an ELF file (a script, text, ...) */
  SCORCH_ELF_CHECK_ERROR_UNSUPPORTED, /* an architecture whose prologues we do not know */
  SCORCH_ELF_CHECK_ERROR_NO_SYMBOLS,  /* no function symbols to look at (stripped) */
} ScorchElfCheckError;

typedef struct
{
  guint    n_functions;    /* function symbols whose first bytes were examined */
  guint    n_with_fp;      /* of those, how many set up a frame pointer */
  gboolean frame_pointers; /* the verdict: most functions set one up */
} ScorchElfFramePointers;

GQuark   scorch_elf_check_error_quark     (void);

/* Looks at the prologue of each function symbol of the binary at PATH
 * (.symtab, else .dynsym) that calls another (leaves keep no frame even
 * with -fno-omit-frame-pointer): on x86_64 `push %rbp` then `mov %rsp,%rbp`
 * in its first 64 bytes,
 * on aarch64 `stp x29, x30, [sp, #-N]!; mov x29, sp`. Functions of a few
 * bytes and the C runtime's start files are skipped. A binary built with
 * -fno-omit-frame-pointer gives a large majority; one built without gives
 * few or none. */
gboolean scorch_elf_check_frame_pointers (const char             *path,
                                          ScorchElfFramePointers *result,
                                          GError                **error);

/* What one function of a binary does at its entry. */
typedef struct
{
  gboolean found;          /* a function symbol covers the address */
  gboolean sets_up_frame;  /* its prologue links a frame (only when found) */
  gboolean has_cfi;        /* the binary has .eh_frame or .debug_frame */
  guint64  symbol_offset;  /* the symbol's start, as a file offset (when found) */
} ScorchElfFunctionFrame;

/* Looks up the function symbol (.symtab, else .dynsym) that covers
 * FILE_OFFSET of the regular file at PATH and checks its prologue as
 * scorch_elf_check_frame_pointers() does. Not finding a symbol is no error
 * (result->found is FALSE). */
gboolean scorch_elf_check_function_frame (const char             *path,
                                          guint64                 file_offset,
                                          ScorchElfFunctionFrame *result,
                                          GError                **error);

/* The file a program path names: symbolic links are followed, each
 * relative target looked up in its link's directory (/bin/sh -> dash is
 * /bin/dash, whatever the working directory), and the result made
 * absolute.  NULL with errno set when it cannot be resolved. */
char           *scorch_elf_check_resolve_program  (const char  *path);

G_END_DECLS
