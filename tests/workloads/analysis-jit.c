/* SPDX-License-Identifier: GPL-3.0-or-later */
/* analysis-jit.c: copies a loop into an anonymous executable mapping, names
 * it in /tmp/perf-PID.map (as JITs do) and runs it.
 * Usage: analysis-jit SECONDS */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* x86_64: rdi = n; loop: add rax, rdi... a counted loop, returns in rax
 *   xor eax,eax ; 1: add rax,rdi ; dec rdi ; jnz 1b ; ret */
static const unsigned char code[] = {
  0x31, 0xc0,             /* xor eax, eax */
  0x48, 0x01, 0xf8,       /* add rax, rdi */
  0x48, 0xff, 0xcf,       /* dec rdi */
  0x75, 0xf8,             /* jnz -8 */
  0xc3,                   /* ret */
};

int
main (int    argc,
      char **argv)
{
  double secs = argc > 1 ? atof (argv[1]) : 1.0;
  unsigned char *mem;
  unsigned long (*fn) (unsigned long);
  char path[64];
  FILE *f;
  struct timespec ts;
  double end;
  volatile unsigned long sink = 0;

  mem = mmap (NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED)
    return 1;
  memcpy (mem + 64, code, sizeof code);
  fn = (unsigned long (*) (unsigned long)) (void *) (mem + 64);

  snprintf (path, sizeof path, "/tmp/perf-%d.map", (int) getpid ());
  f = fopen (path, "w");
  if (f == NULL)
    return 1;
  fprintf (f, "%lx %zx jitted_hot_loop\n", (unsigned long) (mem + 64), sizeof code);
  fclose (f);

  clock_gettime (CLOCK_MONOTONIC, &ts);
  end = ts.tv_sec + ts.tv_nsec / 1e9 + secs;
  for (;;)
    {
      sink += fn (1000000);
      clock_gettime (CLOCK_MONOTONIC, &ts);
      if (ts.tv_sec + ts.tv_nsec / 1e9 >= end)
        break;
    }
  return 0;
}
