/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-demo.c: a small program with a recognisable call structure, so
 * that a first recording shows a real flame graph in one click.
 *
 *   main ─┬─ parse ──── tokenize ── classify_char
 *         ├─ render ─┬─ draw_shapes ─┬─ draw_circle
 *         │          │               └─ draw_rectangle
 *         │          └─ blend_pixels
 *         └─ compress ─ hash ── mix
 *
 * It runs about five seconds (or the number of seconds given as its first
 * argument), then prints what it computed. Built with frame pointers. */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* -- parse: tokenize a text -- */

static const char text[] =
  "let total = sum(values) * 3 + offset; if (total > limit) { warn(\"over\"); } "
  "for item in items { draw(item.x, item.y, item.size); } return total / count;";

static NOINLINE int
classify_char (char c)
{
  if (c >= 'a' && c <= 'z')
    return 1;
  if (c >= '0' && c <= '9')
    return 2;
  if (c == ' ' || c == '\n')
    return 0;
  return 3;
}

static NOINLINE unsigned
tokenize (const char *s,
          size_t      len)
{
  unsigned tokens = 0;
  int prev = 0;

  for (size_t i = 0; i < len; i++)
    {
      int kind = classify_char (s[i]);
      if (kind != prev && kind != 0)
        tokens++;
      prev = kind;
    }
  return tokens;
}

static NOINLINE unsigned
parse (void)
{
  unsigned tokens = 0;

  for (int i = 0; i < 5000; i++)
    tokens += tokenize (text, sizeof text - 1);
  return tokens;
}

/* -- render: draw shapes into a small canvas -- */

#define W 64
#define H 64
static uint8_t canvas[H][W];

static NOINLINE void
draw_circle (int cx,
             int cy,
             int r)
{
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
        canvas[y][x] += 1;
}

static NOINLINE void
draw_rectangle (int x0,
                int y0,
                int w,
                int h)
{
  for (int y = y0; y < y0 + h && y < H; y++)
    for (int x = x0; x < x0 + w && x < W; x++)
      canvas[y][x] ^= 0x5a;
}

static NOINLINE void
draw_shapes (int frame)
{
  draw_circle (frame % W, (frame * 3) % H, 12);
  draw_rectangle ((frame * 5) % W, (frame * 7) % H, 20, 14);
}

static NOINLINE uint64_t
blend_pixels (void)
{
  uint64_t acc = 0;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      acc += canvas[y][x] * (uint64_t) (x + 1);
  return acc;
}

static NOINLINE uint64_t
render (void)
{
  uint64_t acc = 0;

  for (int frame = 0; frame < 3; frame++)
    {
      draw_shapes (frame);
      acc += blend_pixels ();
    }
  return acc;
}

/* -- compress: hash blocks of the canvas -- */

static NOINLINE uint64_t
mix (uint64_t h,
     uint8_t  b)
{
  h ^= b;
  h *= 0x100000001b3ull;
  return h ^ (h >> 29);
}

static NOINLINE uint64_t
hash (const uint8_t *data,
      size_t         len,
      uint64_t       seed)
{
  uint64_t h = 0xcbf29ce484222325ull ^ seed;

  for (size_t i = 0; i < len; i++)
    h = mix (h, data[i]);
  return h;
}

static NOINLINE uint64_t
compress (void)
{
  uint64_t h = 0;

  for (int i = 0; i < 1; i++)
    h = h * 31 + hash (&canvas[0][0], sizeof canvas, h + i);
  return h;
}

int
main (int   argc,
      char *argv[])
{
  double seconds = 5.0;
  double start, last_report;
  unsigned long rounds = 0;
  unsigned tokens = 0;

  if (argc > 1)
    {
      char *end = NULL;
      seconds = strtod (argv[1], &end);
      if (end == argv[1] || seconds <= 0 || seconds > 3600)
        {
          fprintf (stderr, "usage: %s [SECONDS]\n", argv[0]);
          return 2;
        }
    }

  printf ("Scorch demo: parsing, rendering and compressing for %.0f seconds…\n", seconds);
  fflush (stdout);

  start = last_report = now_seconds ();
  while (now_seconds () - start < seconds)
    {
      tokens += parse ();
      sink += render ();
      sink ^= compress ();
      rounds++;

      if (now_seconds () - last_report >= 1.0)
        {
          last_report = now_seconds ();
          printf ("  %lu rounds, %u tokens\n", rounds, tokens);
          fflush (stdout);
        }
    }

  printf ("Done: %lu rounds, checksum %016llx\n", rounds, (unsigned long long) sink);
  return 0;
}
