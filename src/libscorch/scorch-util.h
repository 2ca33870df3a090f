/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-util.h: small helpers shared by the core */

#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* The library's version string, for --version and the About dialog. */
const char *scorch_get_version (void);

/* Runs FUNC in CONTEXT's thread through an idle source, always. Unlike
 * g_main_context_invoke(), it never calls FUNC directly on the calling
 * thread, which happens for a worker thread when CONTEXT is the global
 * default context and nobody holds it at that moment. */
void        scorch_main_context_post (GMainContext   *context,
                                      GSourceFunc     func,
                                      gpointer        data,
                                      GDestroyNotify  destroy);

/* The largest file the core opens for symbols, unwind tables or build
 * ids (an ELF binary or a separate debug file). */
#define SCORCH_MAX_ELF_SIZE (G_GINT64_CONSTANT (16) << 30)

/* Whether a mapping's path names a file (which may since have been
 * deleted: "… (deleted)"), not memory that no file backs: anonymous
 * memory ("//anon"), memfd and SysV shared memory ("/memfd:…", "/SYSV…"),
 * devices ("/dev/zero"), pseudo-names ("[heap]", "[vdso]"). */
gboolean    scorch_path_is_file_backed (const char *path);

/* Opens PATH for reading when, and only when, it is a regular file of at
 * most MAX_SIZE bytes (G_MAXINT64: any size). Every path that comes from a
 * capture or its environment goes through here: a FIFO, a device or a
 * socket is refused before anything can block on it, since it is never
 * opened (stat first) and the open itself does not wait (O_NONBLOCK,
 * cleared again on the returned descriptor). Returns the descriptor
 * (O_CLOEXEC) and fills OUT_STAT when not NULL; on failure returns -1 and
 * sets ERROR in G_IO_ERROR naming PATH and the reason
 * (G_IO_ERROR_IS_DIRECTORY, G_IO_ERROR_NOT_REGULAR_FILE,
 * G_IO_ERROR_MESSAGE_TOO_LARGE, or the open()'s errno). */
int         scorch_open_regular_file (const char   *path,
                                      gint64        max_size,
                                      struct stat  *out_stat,
                                      GError      **error);

/* Reads all of PATH through scorch_open_regular_file(): a regular file
 * of at most MAX_SIZE bytes, NUL-terminated in *CONTENTS (free with
 * g_free()). */
gboolean    scorch_read_regular_file (const char   *path,
                                      gint64        max_size,
                                      char        **contents,
                                      gsize        *length,
                                      GError      **error);

/* ThreadSanitizer sees only what instrumented code does.  GLib is not
 * instrumented, and Debian's GMutex is a futex with atomics inside libglib,
 * so TSan does not see a GMutex order anything: every correctly locked
 * access would be reported.  In a TSan build (bench/tsan.sh) the wrappers
 * below tell it, and scorch_tsan_release()/_acquire() mark the other
 * hand-offs that go through GLib (a GTask's data to its worker and its
 * result back, a GAsyncQueue item).  Elsewhere they are plain calls. */
#if defined(__SANITIZE_THREAD__)
# define SCORCH_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define SCORCH_TSAN 1
# endif
#endif

#ifdef SCORCH_TSAN
void __tsan_acquire (void *addr);
void __tsan_release (void *addr);
# define scorch_tsan_acquire(addr) __tsan_acquire ((void *) (addr))
# define scorch_tsan_release(addr) __tsan_release ((void *) (addr))
#else
# define scorch_tsan_acquire(addr) ((void) (addr))
# define scorch_tsan_release(addr) ((void) (addr))
#endif

/* g_mutex_lock()/g_mutex_unlock() that ThreadSanitizer understands */
static inline void
scorch_mutex_lock (GMutex *mutex)
{
  g_mutex_lock (mutex);
  scorch_tsan_acquire (mutex);
}

static inline void
scorch_mutex_unlock (GMutex *mutex)
{
  scorch_tsan_release (mutex);
  g_mutex_unlock (mutex);
}

/* Maps PATH read-only through scorch_open_regular_file() (so a FIFO is
 * refused, never waited on) and returns what PARSE makes of its bytes
 * (DATA may be NULL when the file is empty); an error of PARSE is prefixed
 * with PATH's display name ("path: message"). For the profile formats. */
typedef gpointer (*ScorchParseFunc) (const char  *data,
                                     gsize        len,
                                     GError     **error);
gpointer    scorch_parse_regular_file (const char      *path,
                                       GCancellable    *cancellable,
                                       ScorchParseFunc  parse,
                                       GError         **error);

/* Writes PATH (replacing it) with what WRITE puts on the stream; the
 * stream is closed either way, and WRITE's error wins over the close's.
 * For the export formats. */
typedef gboolean (*ScorchWriteFunc) (GOutputStream  *stream,
                                     gpointer        user_data,
                                     GError        **error);
gboolean    scorch_write_file         (const char      *path,
                                       ScorchWriteFunc  write,
                                       gpointer         user_data,
                                       GError         **error);

/* LEN bytes as lowercase hex ("a1b2..."), as build ids are written. */
char       *scorch_hex_encode        (const guint8 *data,
                                      gsize         len);

/* json-glib parses recursively: an untrusted document nested some ten
 * thousand deep overflows the stack. Every reader of JSON from a file
 * first asks scorch_json_nesting_ok() whether DATA (LEN bytes of JSON
 * text) nests arrays and objects at most MAX_DEPTH deep; brackets inside
 * strings do not count. SCORCH_MAX_JSON_DEPTH is far more than any
 * document Scorch reads needs. */
#define SCORCH_MAX_JSON_DEPTH 64
gboolean    scorch_json_nesting_ok   (const char   *data,
                                      gsize         len,
                                      guint         max_depth);

G_END_DECLS
