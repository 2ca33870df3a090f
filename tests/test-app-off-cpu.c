/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-app-off-cpu.c: the window's time view selector.  A capture built
 * here (a cpu-clock event and sched:sched_switch with PERF_SAMPLE_IDENTIFIER,
 * context-switch records; stacks in this program's own functions) opens
 * with the selector shown; Off-CPU and Wall Clock switch the profile every
 * view shows; a screenshot of the off-CPU flame graph is saved. */

#include "config.h"

#include <glib/gstdio.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "app-test-util.h"
#include "scorch-application.h"
#include "scorch-off-cpu.h"
#include "scorch-perf-writer.h"
#include "scorch-session.h"
#include "scorch-window-private.h"
#include "scorch-window.h"

#define PID 4242
#define MS G_GUINT64_CONSTANT (1000000)
#define ID_CPU 1
#define ID_SWITCH 2

G_GNUC_NO_INLINE void offcpu_ui_main (void);
G_GNUC_NO_INLINE void offcpu_ui_compute (void);
G_GNUC_NO_INLINE void offcpu_ui_sleep (void);
G_GNUC_NO_INLINE void offcpu_ui_read (void);

#define BODY { __asm__ volatile ("nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop; nop" ::: "memory"); }
G_GNUC_NO_INLINE void offcpu_ui_main (void) BODY
G_GNUC_NO_INLINE void offcpu_ui_compute (void) BODY
G_GNUC_NO_INLINE void offcpu_ui_sleep (void) BODY
G_GNUC_NO_INLINE void offcpu_ui_read (void) BODY

static ScorchApplication *app;
static char *tmpdir;

static guint64 text_start, text_end, text_pgoff;
static char *text_path;

static void
find_text (void)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 addr = (guint64) (guintptr) offcpu_ui_main;

  text_path = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 s, e, off;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %*s %" G_GINT64_MODIFIER "x",
                  &s, &e, &off) == 3 && s <= addr && addr < e)
        {
          text_start = s;
          text_end = e;
          text_pgoff = off;
        }
    }
  g_assert_cmpuint (text_start, !=, 0);
}

static void
put (GByteArray *out, const void *p, gsize n)
{
  g_byte_array_append (out, p, n);
}

static void
put64 (GByteArray *out, guint64 v)
{
  put (out, &v, 8);
}

static void
put32 (GByteArray *out, guint32 v)
{
  put (out, &v, 4);
}

static gsize
begin (GByteArray *out, guint32 type, guint16 misc)
{
  gsize at = out->len;

  put32 (out, type);
  put32 (out, misc);   /* misc, then the size (patched in end()) */
  return at;
}

/* the sample_id trailer: TID, TIME, IDENTIFIER */
static void
end (GByteArray *out, gsize at, gboolean trailer, guint64 time)
{
  guint16 size;

  if (trailer)
    {
      put32 (out, PID);
      put32 (out, PID);
      put64 (out, time);
      put64 (out, ID_CPU);
    }
  size = out->len - at;
  memcpy (out->data + at + 6, &size, 2);
}

static void
put_string (GByteArray *out, const char *s)
{
  static const guint8 zeros[8] = { 0 };
  gsize len = strlen (s);

  put (out, s, len);
  put (out, zeros, 8 - len % 8);
}

static guint64
addr_of (void (*fn) (void))
{
  return (guint64) (guintptr) fn + 4;
}

static void
sample (GByteArray *out, guint64 id, guint64 time, void (*leaf) (void))
{
  gsize at = begin (out, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);

  put64 (out, id);
  put64 (out, addr_of (leaf));
  put32 (out, PID);
  put32 (out, PID);
  put64 (out, time);
  put64 (out, id == ID_CPU ? MS : 1);
  put64 (out, 3);
  put64 (out, (guint64) PERF_CONTEXT_USER);
  put64 (out, addr_of (leaf));
  put64 (out, addr_of (offcpu_ui_main));
  end (out, at, FALSE, time);
}

static void
switch_rec (GByteArray *out, gboolean out_, guint64 time)
{
  gsize at = begin (out, PERF_RECORD_SWITCH, out_ ? PERF_RECORD_MISC_SWITCH_OUT : 0);

  end (out, at, TRUE, time);
}

/* 50 cycles of 100 ms: 30 ms computing, 50 ms asleep, 20 ms reading */
static char *
write_capture (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "offcpu.data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) recs = g_byte_array_new ();
  ScorchPerfWriter *writer;
  struct perf_event_attr a = { 0 };
  guint64 id_cpu = ID_CPU, id_switch = ID_SWITCH;
  gsize at;

  find_text ();
  writer = scorch_perf_writer_new_for_path (path, &error);
  g_assert_no_error (error);

  a.size = sizeof a;
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
                  PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN;
  a.sample_period = MS;
  a.sample_id_all = 1;
  a.mmap = a.mmap2 = a.comm = a.task = 1;
  a.context_switch = 1;
  scorch_perf_writer_add_attr (writer, &a, "cpu-clock", &id_cpu, 1);
  a.type = PERF_TYPE_TRACEPOINT;
  a.config = 372;
  a.sample_period = 1;
  a.mmap = a.mmap2 = a.comm = a.task = 0;
  a.context_switch = 0;
  scorch_perf_writer_add_attr (writer, &a, SCORCH_OFF_CPU_SWITCH_EVENT, &id_switch, 1);
  g_assert_true (scorch_perf_writer_begin (writer, &error));

  at = begin (recs, PERF_RECORD_COMM, 0);
  put32 (recs, PID);
  put32 (recs, PID);
  put_string (recs, "offcpu-demo");
  end (recs, at, TRUE, 1);

  at = begin (recs, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
  put32 (recs, PID);
  put32 (recs, PID);
  put64 (recs, text_start);
  put64 (recs, text_end - text_start);
  put64 (recs, text_pgoff);
  put32 (recs, 0);
  put32 (recs, 0);
  put64 (recs, 0);
  put64 (recs, 0);
  put32 (recs, PROT_READ | PROT_EXEC);
  put32 (recs, MAP_PRIVATE);
  put_string (recs, text_path);
  end (recs, at, TRUE, 1);

  for (guint i = 0; i < 50; i++)
    {
      guint64 t0 = MS + i * 100 * MS;

      for (guint k = 0; k < 30; k++)
        sample (recs, ID_CPU, t0 + k * MS, offcpu_ui_compute);
      sample (recs, ID_SWITCH, t0 + 30 * MS, offcpu_ui_sleep);
      switch_rec (recs, TRUE, t0 + 30 * MS);
      switch_rec (recs, FALSE, t0 + 80 * MS);
      sample (recs, ID_SWITCH, t0 + 80 * MS, offcpu_ui_read);
      switch_rec (recs, TRUE, t0 + 80 * MS);
      switch_rec (recs, FALSE, t0 + 100 * MS);
    }
  g_assert_true (scorch_perf_writer_add_records (writer, recs->data, recs->len, &error));
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
  scorch_perf_writer_free (writer);
  return g_steal_pointer (&path);
}

static gboolean
page_is_not_loading (gpointer data)
{
  /* The loading page shows only when a load takes a while: ask the window. */
  return !_scorch_window_is_loading (data);
}

static void
run_for (guint ms)
{
  gint64 end_time = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end_time)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

static const char *
top_function (ScorchProfile *profile)
{
  const ScorchHotspot *h;
  guint n = 0;
  guint best = 0;

  h = scorch_profile_get_hotspots (profile, &n);
  g_assert_cmpuint (n, >, 0);
  for (guint i = 1; i < n; i++)
    if (h[i].self > h[best].self)
      best = i;
  return scorch_profile_get_frame (profile, h[best].frame)->function;
}

static void
test_selector (void)
{
  g_autofree char *path = write_capture ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ScorchWindow *w = scorch_window_new (app);
  ScorchSession *session = _scorch_window_get_session (w);
  GtkDropDown *dropdown;
  ScorchProfile *profile, *filtered;

  gtk_window_set_default_size (GTK_WINDOW (w), 1280, 800);
  scorch_window_open_file (w, file);
  gtk_window_present (GTK_WINDOW (w));
  app_test_wait_for (page_is_not_loading, w, 30000, "the capture to load");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (scorch_window_get_stack (w)), ==, "profile");

  dropdown = GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (w), SCORCH_TYPE_WINDOW, "time_view_dropdown"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dropdown)));
  g_assert_true (scorch_session_has_time_views (session));
  profile = scorch_session_get_profile (session);

  /* On-CPU: the computing function only */
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, 0);
  filtered = scorch_session_get_filtered_profile (session);
  g_assert_cmpuint (scorch_profile_get_total (filtered), ==, 50 * 30);
  g_assert_cmpstr (top_function (filtered), ==, "offcpu_ui_compute");

  /* Off-CPU, as a person picks it: blocked time in µs, the sleep first */
  gtk_drop_down_set_selected (dropdown, SCORCH_PROFILE_VIEW_OFF_CPU);
  g_assert_cmpuint (scorch_session_get_time_view (session), ==, SCORCH_PROFILE_VIEW_OFF_CPU);
  filtered = scorch_session_get_filtered_profile (session);
  g_assert_cmpuint (scorch_profile_get_total (filtered), ==, 50 * 70 * 1000);
  g_assert_cmpstr (top_function (filtered), ==, "offcpu_ui_sleep");
  run_for (200);
  app_test_wait_until_drawn (GTK_WIDGET (w));
  app_test_save_screenshot (GTK_WIDGET (w), "screenshot-off-cpu-flame-graph.png");

  /* a thread filter applies to the time view too */
  {
    gint32 tid = PID;

    scorch_session_set_thread_filter (session, &tid, 1);
    filtered = scorch_session_get_filtered_profile (session);
    g_assert_cmpuint (scorch_profile_get_total (filtered), ==, 50 * 70 * 1000);
    scorch_session_set_thread_filter (session, NULL, -1);
  }

  /* Wall clock: all 100 ms of each cycle */
  gtk_drop_down_set_selected (dropdown, SCORCH_PROFILE_VIEW_WALL);
  filtered = scorch_session_get_filtered_profile (session);
  g_assert_cmpuint (scorch_profile_get_total (filtered), ==, 50 * 100 * 1000);
  g_assert_true (scorch_session_get_profile (session) == profile);

  /* back to On-CPU */
  gtk_drop_down_set_selected (dropdown, SCORCH_PROFILE_VIEW_ON_CPU);
  g_assert_cmpuint (scorch_profile_get_total (scorch_session_get_filtered_profile (session)), ==, 50 * 30);

  gtk_window_destroy (GTK_WINDOW (w));
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("scorch-app-off-cpu-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);

  app = scorch_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("cannot register the application: %s", error->message);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/app/off-cpu/selector", test_selector);
  status = g_test_run ();

  g_clear_object (&app);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (text_path);
  return status;
}
