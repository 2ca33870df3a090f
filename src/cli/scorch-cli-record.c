/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-record.c: "scorch-cli record": sample a program or a process into perf.data */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "scorch-cli.h"
#include "scorch-call-graph-choice.h"
#include "scorch-elf-check.h"
#include "scorch-live-session.h"
#include "scorch-portable-pack.h"
#include "scorch-recorder.h"
#include "scorch-text.h"

typedef struct
{
  GMainLoop    *loop;
  gboolean      ok;
  GError       *error;
} RecordState;

static void
record_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  RecordState *state = data;

  state->ok = scorch_recorder_record_finish (SCORCH_RECORDER (object), result, &state->error);
  g_main_loop_quit (state->loop);
}

/* --live-tsv: the final profile as "report --tsv" prints it; with
 * --off-cpu also its Off-CPU and Wall clock views, in FILE.off-cpu and
 * FILE.wall, as "report --off-cpu --tsv" and "report --wall --tsv". */
static gboolean
write_live_tsv (const char    *path,
                ScorchProfile *final)
{
  const struct { ScorchProfileView view; const char *suffix; } views[] = {
    { SCORCH_PROFILE_VIEW_ON_CPU, "" },
    { SCORCH_PROFILE_VIEW_OFF_CPU, ".off-cpu" },
    { SCORCH_PROFILE_VIEW_WALL, ".wall" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      ScorchProfile *profile = scorch_profile_get_view (final, views[i].view);
      g_autofree char *file = g_strconcat (path, views[i].suffix, NULL);
      FILE *f;

      if (profile == NULL)
        continue;
      f = fopen (file, "w");
      if (f == NULL)
        {
          fprintf (stderr, "%s: %s: %s\n", g_get_prgname (), file, g_strerror (errno));
          return FALSE;
        }
      scorch_cli_write_tsv (f, profile, G_MAXUINT);
      if (fclose (f) != 0)
        {
          fprintf (stderr, "%s: %s: %s\n", g_get_prgname (), file, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* --live-report: the N hottest functions of the live session's profile,
 * by self samples, to stdout. */
static void
print_live_report (ScorchProfile *profile,
                   guint          n,
                   const char    *title)
{
  guint64 total = scorch_profile_get_total (profile);
  guint64 begin = 0, end = 0;
  guint n_hotspots;
  const ScorchHotspot *hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);

  scorch_profile_get_time_bounds (profile, &begin, &end);
  printf (_("── %s: %" G_GUINT64_FORMAT " samples over %.1f s ──\n"), title, total,
          end > begin ? (end - begin) / 1e9 : 0.0);
  for (guint i = 0; i < MIN (n, n_hotspots); i++)
    {
      const ScorchFrame *f = scorch_profile_get_frame (profile, hotspots[i].frame);
      const char *base = strrchr (f->module, '/');
      /* Names come from the target: nothing in them may drive the terminal. */
      g_autofree char *fn = scorch_text_to_terminal (f->function, SCORCH_TEXT_TERMINAL_DEFAULT);
      g_autofree char *mod = scorch_text_to_terminal (base != NULL ? base + 1 : f->module,
                                                      SCORCH_TEXT_TERMINAL_DEFAULT);
      char sp[G_ASCII_DTOSTR_BUF_SIZE], tp[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (sp, sizeof sp, "%6.2f", total > 0 ? 100.0 * hotspots[i].self / total : 0.0);
      g_ascii_formatd (tp, sizeof tp, "%6.2f", total > 0 ? 100.0 * hotspots[i].total / total : 0.0);
      printf ("%s%% %s%%  %s  (%s)\n", sp, tp, fn, mod);
    }
  fflush (stdout);
}

typedef struct
{
  guint n;
  gint64 started;
} LiveReport;

static void
live_snapshot_cb (ScorchLiveSession *live,
                  ScorchProfile     *profile,
                  LiveReport        *report)
{
  g_autofree char *title = g_strdup_printf (_("%.0f s"), (g_get_monotonic_time () - report->started) / 1e6);

  print_live_report (profile, report->n, title);
}

static gboolean
on_signal (gpointer data)
{
  scorch_recorder_stop (SCORCH_RECORDER (data));
  return G_SOURCE_CONTINUE;
}

/* fp | fp+repair[,BYTES] | dwarf[,BYTES] | auto; *is_auto for auto */
static gboolean
parse_call_graph (const char       *value,
                  ScorchCallGraph  *mode,
                  guint            *stack_size,
                  gboolean         *is_auto,
                  GError          **error)
{
  const char *size_text = NULL;

  *stack_size = 0;   /* the mode's default */
  *is_auto = FALSE;

  if (value == NULL || strcmp (value, "auto") == 0)
    {
      *is_auto = TRUE;
      *mode = SCORCH_CALL_GRAPH_FP_REPAIR;
      return TRUE;
    }
  if (strcmp (value, "fp") == 0)
    {
      *mode = SCORCH_CALL_GRAPH_FP;
      return TRUE;
    }
  if (strcmp (value, "dwarf") == 0 || g_str_has_prefix (value, "dwarf,"))
    {
      *mode = SCORCH_CALL_GRAPH_DWARF;
      size_text = value[5] == ',' ? value + 6 : NULL;
    }
  else if (strcmp (value, "fp+repair") == 0 || g_str_has_prefix (value, "fp+repair,"))
    {
      *mode = SCORCH_CALL_GRAPH_FP_REPAIR;
      size_text = value[9] == ',' ? value + 10 : NULL;
    }
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid call graph mode “%s”: use auto, fp, fp+repair[,BYTES] or dwarf[,BYTES]"), value);
      return FALSE;
    }

  if (size_text != NULL)
    {
      guint64 size;

      if (!g_ascii_string_to_unsigned (size_text, 10, 8, 65528, &size, NULL) || size % 8 != 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Invalid stack copy size “%s”: use a multiple of 8 from 8 to 65528"), size_text);
          return FALSE;
        }
      *stack_size = size;
    }
  return TRUE;
}

/* What scorch-cli returns for a target that ended by itself, as perf
 * record and shells do: its exit status, or 128 + the signal that killed it. */
static int
target_status (int status)
{
  if (status < 0)
    return 0;
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  return 0;
}

static void
print_exit_status (const char *program,
                   int         status)
{
  if (status < 0)
    return;
  if (WIFSIGNALED (status))
    fprintf (stderr, _("%s: %s was killed by signal %d (%s)\n"), g_get_prgname (), program,
             WTERMSIG (status), strsignal (WTERMSIG (status)));
  else if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
    fprintf (stderr, _("%s: %s exited with status %d\n"), g_get_prgname (), program, WEXITSTATUS (status));
}

int
scorch_cli_record (int    argc,
                   char **argv)
{
  gint64 frequency = 0;
  gint64 period = 0;
  char *event = NULL;
  char *call_graph = NULL;
  gboolean no_kernel = FALSE;
  gboolean off_cpu = FALSE;
  gint64 pid = 0;
  double duration = 0;
  char *output = NULL;
  g_autofree char *freq_str = NULL;
  g_autofree char *count_str = NULL;
  g_autofree char *pid_str = NULL;
  g_autofree char *duration_str = NULL;
  g_autofree char *live_report_str = NULL;
  g_autofree char *live_tsv = NULL;
  gint64 live_report = 0;
  gboolean portable = FALSE;
  /* reach: privilege path, system-wide */
  char *via_str = NULL;
  gboolean all_cpus = FALSE;
  ScorchRecordVia via = SCORCH_RECORD_VIA_AUTO;
  /* Numbers are taken as strings and parsed strictly below: GOption's own
   * parsers take 0, negatives, "nan" and "inf" without a word. */
  const GOptionEntry entries[] = {
    { "freq", 'F', 0, G_OPTION_ARG_STRING, &freq_str, N_("Samples per second (default 999)"), N_("HZ") },
    { "count", 'c', 0, G_OPTION_ARG_STRING, &count_str, N_("Sample every PERIOD events (nanoseconds for cpu-clock) instead of a frequency"), N_("PERIOD") },
    { "event", 'e', 0, G_OPTION_ARG_STRING, &event, N_("Event: cpu-clock (default), task-clock or cycles"), N_("EVENT") },
    { "call-graph", 0, 0, G_OPTION_ARG_STRING, &call_graph, N_("Call graphs: auto (default: fp+repair when the program and its libraries keep frame pointers, else dwarf), "
                                                                          "fp (the kernel's frame-pointer chains as they are), fp+repair (frame pointers, each leaf's caller "
                                                                          "restored from a stack copy of 512 bytes) or dwarf (stack copies of 8192 bytes, unwound with debug info)"),
      "auto|fp|fp+repair[,BYTES]|dwarf[,BYTES]" },
    { "no-kernel", 0, 0, G_OPTION_ARG_NONE, &no_kernel, N_("Do not record kernel stacks"), NULL },
    { "off-cpu", 0, 0, G_OPTION_ARG_NONE, &off_cpu,
      N_("Also record blocked time: sched:sched_switch with stacks and context switches "
         "(for report --off-cpu and --wall; needs kernel.perf_event_paranoid 1 or less)"), NULL },
    { "pid", 'p', 0, G_OPTION_ARG_STRING, &pid_str, N_("Attach to a running process and its threads"), N_("PID") },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &duration_str, N_("Stop after this many seconds"), N_("SECONDS") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Output file (default scorch.data)"), N_("FILE") },
    { "via", 0, 0, G_OPTION_ARG_STRING, &via_str,
      N_("How to open the perf events: auto (default: directly when the kernel allows it, else through sysprofd), "
         "direct (perf_event_open here) or sysprofd (GNOME's sysprof service after polkit authorization: "
         "period-based frame-pointer stacks)"), "auto|direct|sysprofd" },
    { "all-cpus", 'a', 0, G_OPTION_ARG_NONE, &all_cpus,
      N_("Record the whole system: every process on every CPU, until --duration or Ctrl+C"), NULL },
    { "live-report", 0, 0, G_OPTION_ARG_STRING, &live_report_str,
      N_("While recording, print the N hottest functions every second, and at the end those of the final profile, "
         "analyzed as the records come (the capture is not read again)"), N_("N") },
    { "live-tsv", 0, 0, G_OPTION_ARG_FILENAME, &live_tsv,
      N_("Write every function of the live analysis's final profile to FILE, as “report --tsv” prints them "
         "(with --off-cpu also FILE.off-cpu and FILE.wall, as “report --off-cpu/--wall --tsv”)"), N_("FILE") },
    { "portable", 0, 0, G_OPTION_ARG_NONE, &portable,
      N_("Store the symbols and unwound stacks the samples hit in the capture, so it opens with the same "
         "functions on another machine"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchRecorder) recorder = NULL;
  g_autoptr(ScorchLiveSession) live = NULL;
  LiveReport report = { 0 };
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *output_path = NULL;
  g_autoptr(GPtrArray) cmdline = NULL;
  ScorchRecorderProgress progress;
  RecordState state = { 0 };
  const char * const *messages;
  ScorchCallGraph mode;
  guint stack_size;
  gboolean is_auto;
  char **program;
  guint sigint, sigterm;
  int status = 0;

  /* The command line as typed, for the CMDLINE feature ("scorch-cli record …"). */
  cmdline = g_ptr_array_new ();
  g_ptr_array_add (cmdline, (gpointer) "scorch-cli");
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (cmdline, (gpointer) (i == 0 ? "record" : argv[i]));
  g_ptr_array_add (cmdline, NULL);

  context = g_option_context_new (_("[-- PROGRAM ARGS…]"));
  g_option_context_set_summary (context, _("Record a profile of a program or a running process into a perf.data file."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, TRUE);
  if (!scorch_cli_parse_options (context, &argc, &argv))
    {
      status = 2;
      goto out;
    }

  program = argv + 1;
  if (program[0] != NULL && strcmp (program[0], "--") == 0)
    program++;

  if ((freq_str != NULL && !scorch_cli_parse_integer ("--freq (-F)", freq_str, 1, G_MAXINT32, &frequency, &error)) ||
      (count_str != NULL && !scorch_cli_parse_integer ("--count (-c)", count_str, 1, G_MAXINT64, &period, &error)) ||
      (duration_str != NULL && !scorch_cli_parse_seconds ("--duration", duration_str, FALSE, &duration, &error)) ||
      (live_report_str != NULL && !scorch_cli_parse_integer ("--live-report", live_report_str, 1, G_MAXINT32, &live_report, &error)))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      status = 2;
      goto out;
    }
  if (pid_str != NULL)
    {
      if (!scorch_cli_parse_integer ("--pid (-p)", pid_str, G_MININT32, G_MAXINT32, &pid, &error))
        {
          fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
          status = 2;
          goto out;
        }
      if (pid <= 0)
        {
          fprintf (stderr, _("%s: --pid (-p): %s is not a process ID; give the PID of a running process "
                             "(see “pidof NAME”)\n"), g_get_prgname (), pid_str);
          status = 2;
          goto out;
        }
    }
  if (via_str != NULL)
    {
      if (g_strcmp0 (via_str, "auto") == 0)
        via = SCORCH_RECORD_VIA_AUTO;
      else if (g_strcmp0 (via_str, "direct") == 0)
        via = SCORCH_RECORD_VIA_DIRECT;
      else if (g_strcmp0 (via_str, "sysprofd") == 0)
        via = SCORCH_RECORD_VIA_SYSPROFD;
      else
        {
          fprintf (stderr, _("%s: --via: “%s” is not auto, direct or sysprofd\n"), g_get_prgname (), via_str);
          status = 2;
          goto out;
        }
    }
  if (all_cpus && (pid_str != NULL || program[0] != NULL))
    {
      fprintf (stderr, _("%s: -a records the whole system: give no program and no -p PID\n"), g_get_prgname ());
      status = 2;
      goto out;
    }
  if (pid_str != NULL && program[0] != NULL)
    {
      fprintf (stderr, _("%s: give either a program to run or -p PID, not both\n"), g_get_prgname ());
      status = 2;
      goto out;
    }
  if (pid_str == NULL && program[0] == NULL && !all_cpus)
    {
      fprintf (stderr, _("%s: give a program to run (after --) or -p PID\n"), g_get_prgname ());
      status = 2;
      goto out;
    }
  if (!parse_call_graph (call_graph, &mode, &stack_size, &is_auto, &error))
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
      status = 2;
      goto out;
    }
  if (is_auto && all_cpus)
    mode = SCORCH_CALL_GRAPH_FP;   /* reach: no one program to check */
  else if (is_auto)
    {
      /* the same decision as the Record dialog's "Automatic" (for a
       * host PID inside a Flatpak: the host's program, see _for_pid) */
      g_autofree char *reason = NULL;

      if (pid > 0 && pid <= G_MAXINT)
        mode = scorch_elf_check_choose_call_graph_for_pid ((int) pid, &reason);
      else
        mode = scorch_elf_check_choose_call_graph (program[0], &reason);
      fprintf (stderr, "%s: %s\n", g_get_prgname (), reason);
    }

  output_path = g_strdup (output ? output : "scorch.data");

  recorder = scorch_recorder_new ();
  scorch_recorder_set_via (recorder, via);
  if (all_cpus)
    scorch_recorder_set_system_wide (recorder, TRUE);
  else if (pid != 0)
    scorch_recorder_set_pid (recorder, (GPid) pid);
  else
    scorch_recorder_set_command (recorder, (const char * const *) program, NULL, NULL);
  if (event != NULL)
    scorch_recorder_set_event (recorder, event);
  if (frequency > 0)
    scorch_recorder_set_frequency (recorder, (guint) frequency);
  if (period > 0)
    scorch_recorder_set_period (recorder, period);
  scorch_recorder_set_call_graph (recorder, mode, stack_size);
  scorch_recorder_set_kernel (recorder, !no_kernel);
  scorch_recorder_set_off_cpu (recorder, off_cpu);
  scorch_recorder_set_duration (recorder, duration);
  scorch_recorder_set_output_path (recorder, output_path);
  scorch_recorder_set_cmdline (recorder, (const char * const *) cmdline->pdata);

  if (live_report > 0 || live_tsv != NULL)
    {
      live = scorch_live_session_new ();
      scorch_live_session_attach (live, recorder);
      report.n = (guint) live_report;
      report.started = g_get_monotonic_time ();
      if (live_report > 0)
        {
          scorch_live_session_set_snapshot_interval (live, 1000);
          g_signal_connect (live, "snapshot", G_CALLBACK (live_snapshot_cb), &report);
        }
      else
        scorch_live_session_set_snapshot_interval (live, 0);
    }

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  sigint = g_unix_signal_add (SIGINT, on_signal, recorder);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, recorder);
  scorch_recorder_record_async (recorder, NULL, record_done, &state);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  messages = scorch_recorder_get_messages (recorder);
  for (guint i = 0; messages[i] != NULL; i++)
    fprintf (stderr, "%s: %s\n", g_get_prgname (), messages[i]);

  if (!state.ok)
    {
      fprintf (stderr, "%s: %s\n", g_get_prgname (), state.error->message);
      g_clear_error (&state.error);
      status = 1;
      goto out;
    }

  if (live != NULL)
    {
      g_autoptr(ScorchProfile) final = NULL;

      g_signal_handlers_disconnect_by_data (live, &report);
      final = scorch_live_session_end (live, output_path, &error);
      if (final == NULL)
        {
          fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
          g_clear_error (&error);
        }
      else
        {
          if (live_report > 0)
            print_live_report (final, (guint) live_report, _("final"));
          if (live_tsv != NULL && !write_live_tsv (live_tsv, final))
            {
              status = 1;
              goto out;
            }
        }
    }

  if (portable)
    {
      /* portable captures: scorch-portable.h */
      if (!scorch_portable_pack (output_path, output_path, &error))
        {
          fprintf (stderr, "%s: %s\n", g_get_prgname (), error->message);
          g_clear_error (&error);
          status = 1;
          goto out;
        }
    }

  if (pid == 0 && !all_cpus)
    {
      /* The target's own end is passed on; one we brought about (--duration,
       * Ctrl+C) is not a failure. */
      if (scorch_recorder_get_stop_reason (recorder) == SCORCH_STOP_REASON_TARGET_EXITED)
        {
          print_exit_status (program[0], scorch_recorder_get_exit_status (recorder));
          status = target_status (scorch_recorder_get_exit_status (recorder));
        }
    }

  if (scorch_recorder_get_via_used (recorder) == SCORCH_RECORD_VIA_SYSPROFD)
    fprintf (stderr, _("%s: recorded through sysprofd (per-CPU events, frame-pointer stacks)\n"), g_get_prgname ());
  scorch_recorder_get_progress (recorder, &progress);
  fprintf (stderr, _("%s: %" G_GUINT64_FORMAT " samples, %" G_GUINT64_FORMAT " lost, %.2f s, "
                     "%.1f MB written to %s\n"),
           g_get_prgname (), progress.samples, progress.lost, progress.elapsed,
           progress.bytes / 1e6, output_path);
  if (mode == SCORCH_CALL_GRAPH_FP_REPAIR && scorch_recorder_get_via_used (recorder) != SCORCH_RECORD_VIA_SYSPROFD)
    fprintf (stderr, _("%s: leaf repair: %" G_GUINT64_FORMAT " stacks repaired, %" G_GUINT64_FORMAT " cut short\n"),
             g_get_prgname (), progress.repaired, progress.truncated);
  if (progress.throttled > 0)
    fprintf (stderr, _("%s: the kernel throttled sampling %" G_GUINT64_FORMAT " times "
                       "(kernel.perf_event_max_sample_rate); use a lower -F\n"),
             g_get_prgname (), progress.throttled);

out:
  g_free (event);
  g_free (call_graph);
  g_free (output);
  g_free (via_str);
  return status;
}
