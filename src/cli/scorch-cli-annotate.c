/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-cli-annotate.c: "scorch-cli annotate FILE FUNCTION": the samples
 * of one function per source line, or per instruction with --asm, as a
 * table or as TSV (a contract: see --help). */

#include "config.h"

#define G_LOG_DOMAIN "scorch-cli"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "scorch-annotate.h"
#include "scorch-cli.h"
#include "scorch-loader.h"
#include "scorch-text.h"

/* "12.34", with a dot whatever the locale */
static const char *
format_percent (char    *buf,
                gsize    len,
                guint64  part,
                guint64  whole)
{
  double v = whole > 0 ? 100.0 * (double) part / (double) whole : 0.0;

  return g_ascii_formatd (buf, len, "%.2f", v);
}

/* Untrusted text (a source line, a path) for one terminal or TSV cell:
 * tabs expanded to spaces, every control character escaped. */
static char *
cell (const char *text)
{
  g_autoptr(GString) expanded = g_string_new (NULL);
  guint column = 0;

  if (text == NULL)
    return g_strdup ("");
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\t')
        {
          do
            g_string_append_c (expanded, ' ');
          while (++column % 8 != 0);
          continue;
        }
      g_string_append_c (expanded, *p);
      if (((guchar) *p & 0xc0) != 0x80)
        column++;
    }
  return scorch_text_to_terminal (expanded->str, SCORCH_TEXT_TERMINAL_DEFAULT);
}

static char *
location (const char *file,
          guint       line)
{
  g_autofree char *raw = NULL;

  if (file == NULL)
    return g_strdup ("??:0");
  raw = g_strdup_printf ("%s:%u", file, line);
  return cell (raw);
}

static void
print_lines (ScorchAnnotation *annotation,
             gboolean          tsv)
{
  const ScorchAnnotateLine *lines;
  guint n_lines;
  guint64 self = scorch_annotation_get_self (annotation);
  guint64 total = scorch_annotation_get_total (annotation);

  lines = scorch_annotation_get_lines (annotation, &n_lines);
  for (guint i = 0; i < n_lines; i++)
    {
      const ScorchAnnotateLine *l = &lines[i];
      char sp[G_ASCII_DTOSTR_BUF_SIZE], tp[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *where = location (l->file, l->line);
      g_autofree char *text = cell (l->text);

      format_percent (sp, sizeof sp, l->self, self);
      format_percent (tp, sizeof tp, l->total, total);
      if (tsv)
        printf ("%s\t%s\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%s\t%s\n",
                sp, tp, l->self, l->total, where, text);
      else if (l->self == 0 && l->total == 0)
        printf ("%7s %7s %8s %8s  %-24s %s\n", "", "", "", "", where, text);
      else
        printf ("%6s%% %6s%% %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT "  %-24s %s\n",
                sp, tp, l->self, l->total, where, text);
    }
}

static void
print_insns (ScorchAnnotation *annotation,
             gboolean          tsv)
{
  const ScorchAnnotateInsn *insns;
  const ScorchAnnotateLine *lines;
  guint n_insns, n_lines;
  guint64 self = scorch_annotation_get_self (annotation);
  const char *last_file = NULL;
  guint last_line = 0;

  insns = scorch_annotation_get_insns (annotation, &n_insns);
  lines = scorch_annotation_get_lines (annotation, &n_lines);
  for (guint i = 0; i < n_insns; i++)
    {
      const ScorchAnnotateInsn *a = &insns[i];
      char sp[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *where = location (a->file, a->line);
      g_autofree char *text = cell (a->text);

      format_percent (sp, sizeof sp, a->self, self);
      if (tsv)
        {
          printf ("%s\t%" G_GUINT64_FORMAT "\t0x%" G_GINT64_MODIFIER "x\t%s\t%s\n",
                  sp, a->self, a->address, text, where);
          continue;
        }
      /* the source line above the first of its instructions */
      if (a->file != NULL && (a->file != last_file || a->line != last_line))
        {
          const char *source = NULL;

          for (guint k = 0; k < n_lines; k++)
            if (lines[k].file == a->file && lines[k].line == a->line)
              source = lines[k].text;
          {
            g_autofree char *src = cell (source);
            printf ("%27s %s  %s\n", "", where, src);
          }
          last_file = a->file;
          last_line = a->line;
        }
      if (a->target_insn >= 0)
        printf ("%6s%% %8" G_GUINT64_FORMAT "  %12" G_GINT64_MODIFIER "x:   %s   ↓ %d\n",
                a->self > 0 ? sp : "", a->self, a->address, text, a->target_insn);
      else if (a->self > 0)
        printf ("%6s%% %8" G_GUINT64_FORMAT "  %12" G_GINT64_MODIFIER "x:   %s\n", sp, a->self, a->address, text);
      else
        printf ("%7s %8s  %12" G_GINT64_MODIFIER "x:   %s\n", "", "", a->address, text);
    }
}

int
scorch_cli_annotate (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ScorchProfile) profile = NULL;
  g_autoptr(ScorchAnnotation) annotation = NULL;
  g_auto(GStrv) roots = NULL;
  gboolean tsv = FALSE, asm_ = FALSE;
  ScorchAnnotateOptions options = { 0, };
  guint32 frame;
  GPtrArray *messages;
  GOptionEntry entries[] = {
    { "asm", 0, 0, G_OPTION_ARG_NONE, &asm_, N_("Per instruction (disassembly) instead of per source line"), NULL },
    { "tsv", 0, 0, G_OPTION_ARG_NONE, &tsv,
      N_("Tab-separated, one line per source line: self%, total%, self samples, total samples, "
         "file:line, source text; with --asm one line per instruction: self%, self samples, "
         "address, instruction, file:line"), NULL },
    { "source-root", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &roots,
      N_("Look for source files under DIR too (may be repeated)"), N_("DIR") },
    { NULL }
  };

  context = g_option_context_new (_("FILE FUNCTION — samples per source line or instruction of a function"));
  g_option_context_set_summary (context,
                                _("FUNCTION is a name as the hotspot table of “scorch-cli report” shows it.\n"
                                  "self% is of the function's self samples (its code and code inlined into it), "
                                  "total% of its total samples; code inlined from another function counts on the "
                                  "line of the call.  Counts cover the whole capture."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!scorch_cli_parse_options (context, &argc, &argv))
    return 2;
  if (argc != 3)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fprintf (stderr, "%s\n%s", _("Give a capture file and a function name."), help);
      return 2;
    }

  profile = scorch_load_sync (argv[1], SCORCH_LOAD_FLAGS_NONE, NULL, NULL, NULL, &error);
  if (profile == NULL)
    {
      scorch_cli_print_error (error->message);
      return 1;
    }
  if (!scorch_annotate_find_frame (profile, argv[2], &frame, &error))
    {
      scorch_cli_print_error (error->message);
      return 1;
    }

  options.source_roots = (const char * const *) roots;
  options.use_debuginfod = TRUE;
  annotation = scorch_annotation_new (profile, frame, &options, NULL, &error);
  if (annotation == NULL)
    {
      scorch_cli_print_error (error->message);
      return 1;
    }

  messages = scorch_annotation_get_messages (annotation);
  for (guint i = 0; i < messages->len; i++)
    scorch_cli_print_error (g_ptr_array_index (messages, i));

  if (!tsv)
    {
      g_autofree char *function = cell (scorch_annotation_get_function (annotation));
      g_autofree char *module = cell (scorch_annotation_get_module (annotation));

      printf (_("%s in %s: %" G_GUINT64_FORMAT " self samples, %" G_GUINT64_FORMAT " total\n"),
              function, module, scorch_annotation_get_self (annotation), scorch_annotation_get_total (annotation));
    }
  if (asm_)
    {
      guint n_insns;

      scorch_annotation_get_insns (annotation, &n_insns);
      if (n_insns == 0)
        {
          scorch_cli_print_error (_("No instructions to show"));
          return 1;
        }
      print_insns (annotation, tsv);
    }
  else
    {
      guint n_lines;

      scorch_annotation_get_lines (annotation, &n_lines);
      print_lines (annotation, tsv);
      if (n_lines == 0)
        return 1;
    }
  return 0;
}
