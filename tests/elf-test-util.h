/* SPDX-License-Identifier: GPL-3.0-or-later */
/* elf-test-util.h: what the symbolizer tests do around a real ELF file:
 * run a tool, compile a small C program, read a symbol's address and the
 * build id, map a segment as the kernel would, ask eu-addr2line. Shared by
 * the symbolizer, symbolizer-answers, dwarf-cu-index, hostile-files and
 * annotate tests. Every helper fails the test when what it runs fails. */

#pragma once

#include <glib.h>

#include "scorch-symbol.h"

G_BEGIN_DECLS

/* Runs ARGV (searched in PATH) and returns its standard output; the test
 * fails, with the command's output, when it cannot run or exits non-zero */
char    *test_elf_dup_output       (const char * const *argv);
/* The same for a shell-quoted command line */
char    *test_elf_dup_command_output (const char       *cmd);
/* The same, without the output */
void     test_elf_run_command      (const char         *cmd);

/* Writes SOURCE to DIR/SRC_NAME and compiles it with `cc -g -O2 FLAGS`
 * (FLAGS shell-quoted, may be "") into DIR/BIN_NAME; returns that path */
char    *test_elf_build_program    (const char         *dir,
                                    const char         *src_name,
                                    const char         *source,
                                    const char         *bin_name,
                                    const char         *flags);

/* st_value of the first defined SYMBOL in the symbol tables (.symtab or
 * .dynsym) of PATH, and its st_size when SIZE is not NULL; the test fails
 * when there is none */
guint64  test_elf_symbol           (const char         *path,
                                    const char         *symbol,
                                    guint64            *size);
/* The GNU build id of PATH into ID (at most ID_SIZE bytes); returns its
 * length (the test fails when there is none) */
guint    test_elf_get_build_id     (const char         *path,
                                    guint8             *id,
                                    gsize               id_size);
/* The same in lower-case hex */
char    *test_elf_dup_build_id_hex (const char         *path);

/* MAP as the kernel would make it for the PT_LOAD of PATH holding VADDR,
 * at a made-up load address, with the file's identity (inode, device);
 * returns the runtime address of VADDR */
guint64  test_elf_map_vaddr        (const char         *path,
                                    guint64             vaddr,
                                    ScorchMapping      *map);

/* eu-addr2line -a FLAGS (shell-quoted, e.g. "-i -f") -e BINARY on the
 * N_ADDRS addresses: its output, each answer starting with a "0x..." line */
char    *test_elf_eu_addr2line     (const char         *binary,
                                    const char         *flags,
                                    const guint64      *addrs,
                                    guint               n_addrs);

G_END_DECLS
