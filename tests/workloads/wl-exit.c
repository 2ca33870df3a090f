/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wl-exit: exits at once. */

int
main (void)
{
  return 0;
}
