/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-source-view.c: one function's source and disassembly with their
 * samples (ScorchAnnotation, read in a worker thread) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-source-view"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "scorch-annotate.h"
#include "scorch-app-util.h"
#include "scorch-source-view.h"
#include "scorch-text.h"

/* ------------------------------------------------------------------------ */
/* The gutter: self% and total% of each line, and a heat bar                 */

#define SCORCH_TYPE_HEAT_GUTTER (scorch_heat_gutter_get_type ())
G_DECLARE_FINAL_TYPE (ScorchHeatGutter, scorch_heat_gutter, SCORCH, HEAT_GUTTER, GtkSourceGutterRenderer)

typedef struct
{
  guint64 self;
  guint64 total;
} LineFigures;

struct _ScorchHeatGutter
{
  GtkSourceGutterRenderer parent_instance;

  GArray  *figures;   /* LineFigures, per line (index 0 = line 1) */
  guint64  self;      /* the function's */
  guint64  total;
  guint64  max_self;
};

G_DEFINE_FINAL_TYPE (ScorchHeatGutter, scorch_heat_gutter, GTK_SOURCE_TYPE_GUTTER_RENDERER)

#define GUTTER_WIDTH      200
#define GUTTER_TEXT_WIDTH 134

static void
scorch_heat_gutter_snapshot_line (GtkSourceGutterRenderer *renderer,
                                  GtkSnapshot             *snapshot,
                                  GtkSourceGutterLines    *lines,
                                  guint                    line)
{
  ScorchHeatGutter *self = SCORCH_HEAT_GUTTER (renderer);
  const LineFigures *f;
  int y, height;
  char text[64];
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA fg;
  GdkRGBA heat = { 0.93, 0.33, 0.12, 0.55 };
  double bar;

  if (self->figures == NULL || line >= self->figures->len)
    return;
  f = &g_array_index (self->figures, LineFigures, line);
  if (f->self == 0 && f->total == 0)
    return;

  gtk_source_gutter_lines_get_line_yrange (lines, line, GTK_SOURCE_GUTTER_RENDERER_ALIGNMENT_MODE_CELL, &y, &height);
  bar = self->max_self > 0 ? (double) f->self / (double) self->max_self : 0.0;
  /* the numbers, then the bar in a column of its own */
  if (bar > 0)
    gtk_snapshot_append_color (snapshot, &heat,
                               &GRAPHENE_RECT_INIT (GUTTER_TEXT_WIDTH, y + 2,
                                                    MAX (2.0, bar * (GUTTER_WIDTH - GUTTER_TEXT_WIDTH - 6)),
                                                    MAX (height - 4, 1)));

  g_snprintf (text, sizeof text, "%5.1f%% %5.1f%%",
              self->self > 0 ? 100.0 * (double) f->self / (double) self->self : 0.0,
              self->total > 0 ? 100.0 * (double) f->total / (double) self->total : 0.0);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (renderer), text);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (renderer)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (4, y));
  gtk_snapshot_append_layout (snapshot, layout, &fg);
  gtk_snapshot_restore (snapshot);
}

static void
scorch_heat_gutter_finalize (GObject *object)
{
  ScorchHeatGutter *self = SCORCH_HEAT_GUTTER (object);

  g_clear_pointer (&self->figures, g_array_unref);
  G_OBJECT_CLASS (scorch_heat_gutter_parent_class)->finalize (object);
}

static void
scorch_heat_gutter_class_init (ScorchHeatGutterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = scorch_heat_gutter_finalize;
  GTK_SOURCE_GUTTER_RENDERER_CLASS (klass)->snapshot_line = scorch_heat_gutter_snapshot_line;
}

static void
scorch_heat_gutter_init (ScorchHeatGutter *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), GUTTER_WIDTH, -1);
  gtk_widget_add_css_class (GTK_WIDGET (self), "monospace");
}

/* ------------------------------------------------------------------------ */

struct _ScorchSourceView
{
  AdwWindow          parent_instance;

  /* template widgets */
  AdwViewSwitcherTitle *switcher_title;
  GtkLabel           *message_label;
  GtkLabel           *info_label;
  AdwViewStack       *stack;
  GtkSourceView      *source_view;
  GtkTextView        *asm_view;
  GtkSpinner         *spinner;

  /* owned */
  ScorchProfile      *profile;
  guint32             frame;
  GCancellable       *cancellable;
  ScorchAnnotation   *annotation;
  ScorchHeatGutter   *gutter;
  GSettings          *settings;
  GArray             *asm_targets;   /* gint per disassembly line: the line a jump goes to, or -1 */
  char               *message;
  guint               hottest_line;
  gboolean            loaded;
  gboolean            asm_filled;    /* the disassembly is filled when first shown */
};

G_DEFINE_FINAL_TYPE (ScorchSourceView, scorch_source_view, ADW_TYPE_WINDOW)

static void
update_style_scheme (ScorchSourceView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleSchemeManager *sm = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (sm, dark ? "Adwaita-dark" : "Adwaita");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));

  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (sm, dark ? "classic-dark" : "classic");
  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (buffer), scheme);
}

static void
scroll_to_line (GtkTextView *view,
                guint        line)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter iter;
  GtkTextMark *mark;

  gtk_text_buffer_get_iter_at_line (buffer, &iter, line);
  gtk_text_buffer_place_cursor (buffer, &iter);
  mark = gtk_text_buffer_get_mark (buffer, "scorch-scroll");
  if (mark == NULL)
    mark = gtk_text_buffer_create_mark (buffer, "scorch-scroll", &iter, TRUE);
  else
    gtk_text_buffer_move_mark (buffer, mark, &iter);
  gtk_text_view_scroll_to_mark (view, mark, 0.0, TRUE, 0.0, 0.4);
}

static void
show_source (ScorchSourceView *self)
{
  ScorchAnnotation *a = self->annotation;
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view)));
  const ScorchAnnotateLine *lines;
  guint n_lines;
  const char *file = scorch_annotation_get_source_file (a);
  gsize length = 0;
  const char *text = scorch_annotation_get_source_text (a, &length);
  g_autofree char *valid = NULL;
  GtkSourceGutter *gutter;
  gint hottest = scorch_annotation_get_hottest_line (a);

  if (text == NULL)
    return;

  valid = scorch_text_valid_utf8 (text, (gssize) length);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), valid, -1);
  {
    GtkSourceLanguageManager *lm = gtk_source_language_manager_get_default ();
    GtkSourceLanguage *lang = gtk_source_language_manager_guess_language (lm, file, NULL);

    gtk_source_buffer_set_language (buffer, lang);
    gtk_source_buffer_set_highlight_syntax (buffer, lang != NULL);
  }

  g_clear_pointer (&self->gutter->figures, g_array_unref);
  self->gutter->max_self = 0;
  self->gutter->figures = g_array_new (FALSE, TRUE, sizeof (LineFigures));
  g_array_set_size (self->gutter->figures, gtk_text_buffer_get_line_count (GTK_TEXT_BUFFER (buffer)));
  self->gutter->self = scorch_annotation_get_self (a);
  self->gutter->total = scorch_annotation_get_total (a);
  lines = scorch_annotation_get_lines (a, &n_lines);
  for (guint i = 0; i < n_lines; i++)
    if (lines[i].file == file && lines[i].line >= 1 && lines[i].line <= self->gutter->figures->len)
      {
        LineFigures *f = &g_array_index (self->gutter->figures, LineFigures, lines[i].line - 1);

        f->self = lines[i].self;
        f->total = lines[i].total;
        self->gutter->max_self = MAX (self->gutter->max_self, f->self);
      }
  gutter = gtk_source_view_get_gutter (self->source_view, GTK_TEXT_WINDOW_LEFT);
  if (gtk_widget_get_parent (GTK_WIDGET (self->gutter)) == NULL)
    gtk_source_gutter_insert (gutter, GTK_SOURCE_GUTTER_RENDERER (self->gutter), -10);
  gtk_widget_queue_draw (GTK_WIDGET (self->gutter));

  if (hottest >= 0 && lines[hottest].file == file)
    {
      self->hottest_line = lines[hottest].line;
      scroll_to_line (GTK_TEXT_VIEW (self->source_view), self->hottest_line - 1);
    }
}

enum { TAG_SOURCE, TAG_HOT, TAG_LINK };

typedef struct
{
  guint tag;
  gsize start;   /* in characters */
  gsize end;
} TagSpan;

/* Appends valid UTF-8 STR to TEXT; returns its length in characters. */
static gsize
append_counted (GString    *text,
                const char *str)
{
  g_string_append (text, str);
  return g_utf8_strlen (str, -1);
}

static void
show_disassembly (ScorchSourceView *self)
{
  ScorchAnnotation *a = self->annotation;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->asm_view);
  const ScorchAnnotateInsn *insns;
  const ScorchAnnotateLine *lines;
  guint n_insns, n_lines;
  const char *last_file = NULL;
  guint last_line = 0;
  g_autofree gint *insn_line = NULL;
  g_autoptr(GHashTable) line_texts = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GArray) spans = NULL;
  gsize chars = 0;
  guint64 self_total = scorch_annotation_get_self (a);
  guint64 best = 0;
  gint best_line = -1;

  insns = scorch_annotation_get_insns (a, &n_insns);
  lines = scorch_annotation_get_lines (a, &n_lines);
  gtk_text_buffer_set_text (buffer, "", -1);
  g_clear_pointer (&self->asm_targets, g_array_unref);
  if (n_insns == 0)
    {
      gtk_text_buffer_set_text (buffer, _("No disassembly for this function."), -1);
      return;
    }

  if (gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "source") == NULL)
    {
      gtk_text_buffer_create_tag (buffer, "source", "foreground", "#7f7f7f", "style", PANGO_STYLE_ITALIC, NULL);
      gtk_text_buffer_create_tag (buffer, "hot", "weight", PANGO_WEIGHT_BOLD, NULL);
      gtk_text_buffer_create_tag (buffer, "link", "underline", PANGO_UNDERLINE_SINGLE, "foreground", "#3584e4", NULL);
    }
  self->asm_targets = g_array_new (FALSE, FALSE, sizeof (gint));
  insn_line = g_new0 (gint, n_insns);
  /* (file, line) -> source text: file names are interned by the annotation */
  line_texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint k = 0; k < n_lines; k++)
    if (lines[k].file != NULL && lines[k].text != NULL)
      g_hash_table_insert (line_texts, g_strdup_printf ("%u:%p", lines[k].line, (gpointer) lines[k].file),
                           (gpointer) lines[k].text);

  /* One string, set at once; the tags are applied afterwards by character
   * offset (inserting line by line costs ~40 µs a line in GtkTextBuffer). */
  text = g_string_sized_new (n_insns * 48);
  spans = g_array_new (FALSE, FALSE, sizeof (TagSpan));
  for (guint i = 0; i < n_insns; i++)
    {
      const ScorchAnnotateInsn *in = &insns[i];
      g_autofree char *insn_text = scorch_text_to_display (in->text);
      gint none = -1;

      if (in->file != NULL && (in->file != last_file || in->line != last_line))
        {
          const char *source = NULL;
          g_autofree char *shown = NULL;
          g_autofree char *base = g_path_get_basename (in->file);
          g_autofree char *safe_base = scorch_text_to_display (base);
          TagSpan span = { TAG_SOURCE, chars, 0 };

          {
            g_autofree char *key = g_strdup_printf ("%u:%p", in->line, (gpointer) in->file);

            source = g_hash_table_lookup (line_texts, key);
          }
          shown = scorch_text_to_display (source != NULL ? g_strstrip (g_strdup (source)) : "");
          chars += append_counted (text, safe_base);
          {
            g_autofree char *where = g_strdup_printf (":%u  ", in->line);
            chars += append_counted (text, where);
          }
          chars += append_counted (text, shown);
          span.end = chars;
          g_array_append_val (spans, span);
          chars += append_counted (text, "\n");
          g_array_append_val (self->asm_targets, none);
          last_file = in->file;
          last_line = in->line;
        }

      insn_line[i] = (gint) self->asm_targets->len;
      {
        g_autofree char *line_text = NULL;
        TagSpan span = { TAG_HOT, chars, 0 };

        if (in->self > 0)
          line_text = g_strdup_printf ("%6.2f%% %6" G_GUINT64_FORMAT "  %8" G_GINT64_MODIFIER "x:  ",
                                       self_total > 0 ? 100.0 * (double) in->self / (double) self_total : 0.0,
                                       in->self, in->address);
        else
          line_text = g_strdup_printf ("%7s %6s  %8" G_GINT64_MODIFIER "x:  ", "", "", in->address);
        chars += append_counted (text, line_text);
        chars += append_counted (text, insn_text);
        span.end = chars;
        if (in->self > 0)
          g_array_append_val (spans, span);
      }
      if (in->target_insn >= 0)
        {
          g_autofree char *link = g_strdup_printf ("→ %" G_GINT64_MODIFIER "x", insns[in->target_insn].address);
          TagSpan span = { TAG_LINK, 0, 0 };

          chars += append_counted (text, "  ");
          span.start = chars;
          chars += append_counted (text, link);
          span.end = chars;
          g_array_append_val (spans, span);
        }
      chars += append_counted (text, "\n");
      g_array_append_val (self->asm_targets, in->target_insn); /* an instruction index for now */
      if (in->self > best)
        {
          best = in->self;
          best_line = insn_line[i];
        }
    }
  gtk_text_buffer_set_text (buffer, text->str, (int) text->len);
  {
    static const char * const tag_names[] = { "source", "hot", "link" };

    for (guint k = 0; k < spans->len; k++)
      {
        const TagSpan *span = &g_array_index (spans, TagSpan, k);
        GtkTextIter from, to;

        gtk_text_buffer_get_iter_at_offset (buffer, &from, (int) span->start);
        gtk_text_buffer_get_iter_at_offset (buffer, &to, (int) span->end);
        gtk_text_buffer_apply_tag_by_name (buffer, tag_names[span->tag], &from, &to);
      }
  }
  /* instruction indexes to buffer lines (source lines hold -1 already) */
  for (guint i = 0; i < n_insns; i++)
    {
      gint *t = &g_array_index (self->asm_targets, gint, insn_line[i]);

      *t = *t >= 0 && (guint) *t < n_insns ? insn_line[*t] : -1;
    }
  if (best_line >= 0)
    scroll_to_line (self->asm_view, (guint) best_line);
}

/* Follows the jump on the cursor's line (Enter) or under a click. */
static gboolean
follow_jump_at (ScorchSourceView  *self,
                const GtkTextIter *iter)
{
  guint line = gtk_text_iter_get_line (iter);

  if (self->asm_targets == NULL || line >= self->asm_targets->len ||
      g_array_index (self->asm_targets, gint, line) < 0)
    return FALSE;
  scroll_to_line (self->asm_view, (guint) g_array_index (self->asm_targets, gint, line));
  return TRUE;
}

static void
asm_click_cb (ScorchSourceView *self,
              int               n_press,
              double            x,
              double            y,
              GtkGestureClick  *gesture)
{
  GtkTextIter iter;
  int bx, by;
  GtkTextTag *link = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (self->asm_view)),
                                                "link");

  gtk_text_view_window_to_buffer_coords (self->asm_view, GTK_TEXT_WINDOW_WIDGET, (int) x, (int) y, &bx, &by);
  if (gtk_text_view_get_iter_at_location (self->asm_view, &iter, bx, by) && link != NULL &&
      gtk_text_iter_has_tag (&iter, link))
    follow_jump_at (self, &iter);
}

static void
follow_jump_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ScorchSourceView *self = SCORCH_SOURCE_VIEW (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->asm_view);
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  follow_jump_at (self, &iter);
}

static void
set_message (ScorchSourceView *self,
             const char       *message)
{
  g_autofree char *safe = scorch_text_to_display (message);

  g_free (self->message);
  self->message = g_strdup (message != NULL ? message : "");
  gtk_label_set_text (self->message_label, safe);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && message[0] != '\0');
}

static void load (ScorchSourceView *self);

/* The disassembly of a large function takes a while to lay out: it is
 * filled when its page is first shown. */
static void
page_changed_cb (ScorchSourceView *self)
{
  gint64 t0;

  if (self->asm_filled || self->annotation == NULL ||
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "disassembly") != 0)
    return;
  t0 = g_get_monotonic_time ();
  self->asm_filled = TRUE;
  show_disassembly (self);
  g_debug ("disassembly filled in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
}

static void
annotate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ScorchSourceView *self = source_object;
  g_autoptr(GError) error = NULL;
  const char *root = task_data;   /* read in the main thread: GSettings stays there */
  const char *roots[] = { root, NULL };
  ScorchAnnotateOptions options = { 0, };
  ScorchAnnotation *a;

  options.source_roots = root[0] != '\0' ? roots : NULL;
  options.use_debuginfod = TRUE;
  a = scorch_annotation_new (self->profile, self->frame, &options, cancellable, &error);
  if (a == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, a, (GDestroyNotify) scorch_annotation_free);
}

static void
annotate_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ScorchSourceView *self = SCORCH_SOURCE_VIEW (object);
  g_autoptr(GError) error = NULL;
  ScorchAnnotation *a = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loaded = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_spinner_set_spinning (self->spinner, FALSE);

  if (a == NULL)
    {
      set_message (self, error->message);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "source.open-in-editor", FALSE);
      return;
    }

  g_clear_pointer (&self->annotation, scorch_annotation_free);
  self->annotation = a;
  {
    g_autofree char *function = scorch_text_to_display (scorch_annotation_get_function (a));
    g_autofree char *module = scorch_text_to_display (scorch_annotation_get_module (a));
    g_autofree char *source = scorch_text_to_display (scorch_annotation_get_source_path (a));
    g_autofree char *info = NULL;

    /* Translators: function, module, then two counts of samples */
    info = g_strdup_printf (_("%s in %s — %" G_GUINT64_FORMAT " self samples, %" G_GUINT64_FORMAT
                              " total; columns: self %%, total %%"),
                            function, module, scorch_annotation_get_self (a), scorch_annotation_get_total (a));
    gtk_label_set_text (self->info_label, info);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->info_label), source[0] != '\0' ? source : NULL);
  }
  {
    gint64 t0 = g_get_monotonic_time ();

    show_source (self);
    self->asm_filled = FALSE;
    g_debug ("source filled in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  }

  {
    GPtrArray *messages = scorch_annotation_get_messages (a);
    g_autofree char *joined = NULL;

    g_ptr_array_add (messages, NULL);
    joined = g_strjoinv ("\n", (char **) messages->pdata);
    g_ptr_array_set_size (messages, messages->len - 1);
    set_message (self, joined);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "source.open-in-editor",
                                 scorch_annotation_get_source_path (a) != NULL);
  if (scorch_annotation_get_source_text (a, NULL) == NULL)
    adw_view_stack_set_visible_child_name (self->stack, "disassembly");
  else
    adw_view_stack_set_visible_child_name (self->stack, "source");
  page_changed_cb (self);
}

static void
load (ScorchSourceView *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loaded = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  task = g_task_new (self, self->cancellable, annotate_done_cb, NULL);
  g_task_set_source_tag (task, load);
  g_task_set_task_data (task, g_settings_get_string (self->settings, "source-root"), g_free);
  g_task_run_in_thread (task, annotate_thread);
}

/* -- Open in Editor -- */

static char *
replace_all (const char *text,
             const char *what,
             const char *with)
{
  g_auto(GStrv) parts = g_strsplit (text, what, -1);

  return g_strjoinv (with, parts);
}

static void
open_in_editor_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ScorchSourceView *self = SCORCH_SOURCE_VIEW (widget);
  const char *path = self->annotation != NULL ? scorch_annotation_get_source_path (self->annotation) : NULL;
  g_autofree char *command = g_settings_get_string (self->settings, "editor-command");
  g_autoptr(GError) error = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->source_view));
  GtkTextIter cursor;
  guint line;
  g_autofree char *line_str = NULL;

  if (path == NULL)
    return;
  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  line = gtk_text_iter_get_line (&cursor) + 1;
  line_str = g_strdup_printf ("%u", line);

  if (command != NULL && command[0] != '\0')
    {
      g_auto(GStrv) argv = NULL;

      /* The words are split first, so that a path with spaces or quotes
       * stays one argument: no shell sees it. */
      if (g_shell_parse_argv (command, NULL, &argv, &error))
        {
          for (guint i = 0; argv[i] != NULL; i++)
            {
              g_autofree char *a = replace_all (argv[i], "{file}", path);

              g_free (argv[i]);
              argv[i] = replace_all (a, "{line}", line_str);
            }
          g_spawn_async (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                         NULL, NULL, NULL, &error);
        }
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
#if GTK_CHECK_VERSION(4, 10, 0)
      g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (file);

      gtk_file_launcher_launch (launcher, GTK_WINDOW (self), NULL, NULL, NULL);
#else
      g_autofree char *uri = g_file_get_uri (file);
      g_autoptr(GdkAppLaunchContext) context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

      g_app_info_launch_default_for_uri (uri, G_APP_LAUNCH_CONTEXT (context), &error);
#endif
    }
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the editor: %s"), error->message);
      set_message (self, message);
    }
}

/* -- Source folder -- */

static void
root_chosen_cb (ScorchSourceView     *self,
                int                   response,
                GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        {
          g_settings_set_string (self->settings, "source-root", path);
          load (self);
        }
    }
  g_object_unref (native);
}

static void
choose_root_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ScorchSourceView *self = SCORCH_SOURCE_VIEW (widget);
  GtkFileChooserNative *native;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  native = gtk_file_chooser_native_new (_("Source Folder"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Select"), _("_Cancel"));
  g_signal_connect_object (native, "response", G_CALLBACK (root_chosen_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* ------------------------------------------------------------------------ */

static void
scorch_source_view_dispose (GObject *object)
{
  ScorchSourceView *self = SCORCH_SOURCE_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->gutter);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_SOURCE_VIEW);

  G_OBJECT_CLASS (scorch_source_view_parent_class)->dispose (object);
}

static void
scorch_source_view_finalize (GObject *object)
{
  ScorchSourceView *self = SCORCH_SOURCE_VIEW (object);

  g_clear_object (&self->profile);
  g_clear_pointer (&self->annotation, scorch_annotation_free);
  g_clear_pointer (&self->asm_targets, g_array_unref);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (scorch_source_view_parent_class)->finalize (object);
}

static const ScorchAppTemplateChild source_view_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchSourceView, switcher_title),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSourceView, message_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSourceView, info_label),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSourceView, stack),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSourceView, source_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSourceView, asm_view),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSourceView, spinner),
};

static const ScorchAppAction source_view_actions[] = {
  { "source.open-in-editor", open_in_editor_action },
  { "source.choose-root", choose_root_action },
  { "source.follow-jump", follow_jump_action },
};

static void
scorch_source_view_class_init (ScorchSourceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_source_view_dispose;
  object_class->finalize = scorch_source_view_finalize;

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  scorch_app_class_set_template (widget_class,
                                 source_view_children, G_N_ELEMENTS (source_view_children),
                                 source_view_actions, G_N_ELEMENTS (source_view_actions));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static gboolean
asm_key_cb (ScorchSourceView      *self,
            guint                  keyval,
            guint                  keycode,
            GdkModifierType        state,
            GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->asm_view);
      GtkTextIter iter;

      gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
      return follow_jump_at (self, &iter);
    }
  return FALSE;
}

static void
scorch_source_view_init (ScorchSourceView *self)
{
  GtkGesture *click;
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APPLICATION_ID);
  self->gutter = g_object_ref_sink (g_object_new (SCORCH_TYPE_HEAT_GUTTER, NULL));
  update_style_scheme (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (page_changed_cb), self, G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  g_signal_connect_object (click, "released", G_CALLBACK (asm_click_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->asm_view), GTK_EVENT_CONTROLLER (click));
  keys = gtk_event_controller_key_new ();
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (asm_key_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->asm_view), keys);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "source.open-in-editor", FALSE);
}

ScorchSourceView *
scorch_source_view_new (GtkWindow     *parent,
                        ScorchProfile *profile,
                        guint32        frame)
{
  ScorchSourceView *self;
  const ScorchFrame *f;
  g_autofree char *title = NULL;
  g_autofree char *module = NULL;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), NULL);

  self = g_object_new (SCORCH_TYPE_SOURCE_VIEW, "transient-for", parent, NULL);
  self->profile = g_object_ref (profile);
  self->frame = frame;
  f = scorch_profile_get_frame (profile, frame);
  title = scorch_text_to_display (f->function);
  module = g_path_get_basename (f->module[0] != '\0' ? f->module : "?");
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_view_switcher_title_set_title (self->switcher_title, title);
  {
    g_autofree char *safe = scorch_text_to_display (module);
    adw_view_switcher_title_set_subtitle (self->switcher_title, safe);
  }
  load (self);
  return self;
}

gboolean
scorch_source_view_is_loaded (ScorchSourceView *self)
{
  g_return_val_if_fail (SCORCH_IS_SOURCE_VIEW (self), FALSE);
  return self->loaded;
}

guint
scorch_source_view_get_hottest_line (ScorchSourceView *self)
{
  g_return_val_if_fail (SCORCH_IS_SOURCE_VIEW (self), 0);
  return self->hottest_line;
}

const char *
scorch_source_view_get_message (ScorchSourceView *self)
{
  g_return_val_if_fail (SCORCH_IS_SOURCE_VIEW (self), NULL);
  return self->message != NULL ? self->message : "";
}

const char *
scorch_source_view_get_page (ScorchSourceView *self)
{
  g_return_val_if_fail (SCORCH_IS_SOURCE_VIEW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

GtkTextView *
scorch_source_view_get_text_view (ScorchSourceView *self,
                                  gboolean          disassembly)
{
  g_return_val_if_fail (SCORCH_IS_SOURCE_VIEW (self), NULL);
  if (disassembly && !self->asm_filled && self->annotation != NULL)
    {
      self->asm_filled = TRUE;
      show_disassembly (self);
    }
  return disassembly ? self->asm_view : GTK_TEXT_VIEW (self->source_view);
}
