/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-util.h: small helpers shared by the core */

#pragma once

#include <glib.h>

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

G_END_DECLS
