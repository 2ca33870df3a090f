/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-threads: three threads spin in thread_one, thread_two, thread_three
 * for SECONDS (argv[1], default 1.5), main waits for them. */

#include <pthread.h>

#include "wl-common.h"

static double duration;

void *thread_one (void *data);
void *thread_two (void *data);
void *thread_three (void *data);

#define THREAD_FUNC(name)                     \
  void *                                      \
  name (void *data)                           \
  {                                           \
    double end = wl_now () + duration;        \
    do                                        \
      WL_SPIN (200000UL);                     \
    while (wl_now () < end);                  \
    return data;                              \
  }

THREAD_FUNC (thread_one)
THREAD_FUNC (thread_two)
THREAD_FUNC (thread_three)

int
main (int argc, char **argv)
{
  void *(*funcs[]) (void *) = { thread_one, thread_two, thread_three };
  pthread_t threads[3];

  duration = wl_seconds (argc, argv, 1.5);
  for (int i = 0; i < 3; i++)
    pthread_create (&threads[i], NULL, funcs[i], NULL);
  for (int i = 0; i < 3; i++)
    pthread_join (threads[i], NULL);
  return 0;
}
