/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-summary-view.c: the capture summary page, rows built from the
 * profile's ScorchDiagnostics */

#include "config.h"

#define G_LOG_DOMAIN "scorch-summary"

#include <glib/gi18n.h>

#include "scorch-app-util.h"
#include "scorch-diagnostics.h"
#include "scorch-summary-view.h"
#include "scorch-text.h"

#define MAX_ROWS 12

struct _ScorchSummaryView
{
  AdwBin                parent_instance;

  /* template widgets (the GtkStack is the bin's child, not bound: AdwBin
   * unparents it) */
  AdwPreferencesPage   *page;
  AdwPreferencesGroup  *advice_group;
  AdwPreferencesGroup  *capture_group;
  AdwPreferencesGroup  *stops_group;
  AdwPreferencesGroup  *leaves_group;
  AdwPreferencesGroup  *symbols_group;

  /* owned */
  ScorchProfile        *profile;
  GPtrArray            *rows;       /* (group, row) pairs added by us */
  GHashTable           *fact_rows;  /* fact id -> AdwActionRow (borrowed from rows) */
};

G_DEFINE_FINAL_TYPE (ScorchSummaryView, scorch_summary_view, ADW_TYPE_BIN)

static GParamSpec *profile_pspec;

/* Names come from the capture: no control characters on screen (the one
 * display sanitizer of libscorch). */
static char *
displayable (const char *s)
{
  return scorch_text_to_display (s);
}

static GtkStack *
get_stack (ScorchSummaryView *self)
{
  return GTK_STACK (adw_bin_get_child (ADW_BIN (self)));
}

static AdwActionRow *
add_row (ScorchSummaryView   *self,
         AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle,
         const char          *icon_name,
         const char          *suffix)
{
  g_autofree char *safe_title = displayable (title);
  g_autofree char *safe_subtitle = subtitle != NULL ? displayable (subtitle) : NULL;
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  /* Function names hold '<' and '&': plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), safe_title);
  adw_action_row_set_title_lines (row, 0);
  if (safe_subtitle != NULL)
    {
      adw_action_row_set_subtitle (row, safe_subtitle);
      adw_action_row_set_subtitle_lines (row, 0);
    }
  if (icon_name != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon_name);

      if (g_str_has_prefix (icon_name, "dialog-warning"))
        gtk_widget_add_css_class (image, "warning");
      else
        gtk_widget_add_css_class (image, "dim-label");
      adw_action_row_add_prefix (row, image);
    }
  if (suffix != NULL)
    {
      GtkWidget *label = gtk_label_new (suffix);

      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_add_css_class (label, "dim-label");
      adw_action_row_add_suffix (row, label);
    }

  adw_preferences_group_add (group, GTK_WIDGET (row));
  g_ptr_array_add (self->rows, group);
  g_ptr_array_add (self->rows, row);
  return row;
}

static void
clear_rows (ScorchSummaryView *self)
{
  for (guint i = 0; i + 1 < self->rows->len; i += 2)
    adw_preferences_group_remove (g_ptr_array_index (self->rows, i), g_ptr_array_index (self->rows, i + 1));
  g_ptr_array_set_size (self->rows, 0);
  g_hash_table_remove_all (self->fact_rows);
}

static char *
percent_text (guint64 part,
              guint64 total)
{
  /* Translators: a share of samples */
  return g_strdup_printf (_("%.1f %%"), total > 0 ? 100.0 * (double) part / (double) total : 0.0);
}

static void
rebuild (ScorchSummaryView *self)
{
  ScorchDiagnostics *d;
  ScorchDiagnosticsSummary sum;
  guint64 n;

  clear_rows (self);

  d = self->profile != NULL ? scorch_profile_get_info (self->profile)->diagnostics : NULL;
  if (d == NULL)
    {
      gtk_stack_set_visible_child_name (get_stack (self), "empty");
      return;
    }
  gtk_stack_set_visible_child_name (get_stack (self), "summary");
  scorch_diagnostics_get_summary (d, &sum);
  n = sum.n_samples;

  for (guint i = 0; i < sum.n_advice; i++)
    add_row (self, self->advice_group, sum.advice[i].text, NULL,
             sum.advice[i].level == SCORCH_ADVICE_WARNING ? "dialog-warning-symbolic" : "dialog-information-symbolic",
             NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->advice_group), sum.n_advice > 0);

  for (guint i = 0; i < sum.n_facts; i++)
    {
      AdwActionRow *row = add_row (self, self->capture_group, sum.facts[i].title, sum.facts[i].value, NULL, NULL);
      g_autofree char *name = g_strconcat ("fact-", sum.facts[i].id, NULL);

      /* the value is what a person looks for: show it as the main text */
      gtk_widget_add_css_class (GTK_WIDGET (row), "property");
      gtk_widget_set_name (GTK_WIDGET (row), name);
      g_hash_table_insert (self->fact_rows, (gpointer) sum.facts[i].id, row);
    }

  for (guint i = 0; i < sum.n_stops && i < MAX_ROWS; i++)
    {
      const char *module = scorch_diagnostics_module_name (sum.stops[i].module);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *pct = percent_text (sum.stops[i].n_samples, n);

      title = g_strdup_printf ("%s — %s", module[0] != '\0' ? module : _("no file"),
                               scorch_unwind_stop_describe (sum.stops[i].reason));
      if (sum.stops[i].function != NULL)
        subtitle = g_strdup_printf (_("in %s"), sum.stops[i].function);
      else if (module[0] != '\0')
        subtitle = g_strdup_printf (_("in %s+0x%" G_GINT64_MODIFIER "x (no symbol)"), module, sum.stops[i].example_offset);
      add_row (self, self->stops_group, title, subtitle, NULL, pct);
    }
  if (sum.n_stops == 0)
    add_row (self, self->stops_group, _("Nowhere: every stack is complete or kernel-only"), NULL,
             "emblem-ok-symbolic", NULL);

  for (guint i = 0; i < sum.n_leaves && i < MAX_ROWS; i++)
    {
      g_autofree char *pct = percent_text (sum.leaves[i].n_samples, n);

      add_row (self, self->leaves_group, sum.leaves[i].function,
               scorch_diagnostics_module_name (sum.leaves[i].module), NULL, pct);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->leaves_group), sum.n_leaves > 0);

  for (guint i = 0; i < sum.n_unnamed && i < MAX_ROWS; i++)
    {
      g_autofree char *samples = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GUINT64_FORMAT " sample",
                                                               "%" G_GUINT64_FORMAT " samples", sum.unnamed[i].n_samples),
                                                  sum.unnamed[i].n_samples);

      add_row (self, self->symbols_group, scorch_diagnostics_module_name (sum.unnamed[i].module),
               sum.unnamed[i].module, NULL, samples);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->symbols_group), sum.n_unnamed > 0);
}

char *
scorch_summary_view_dup_hint_markup (ScorchDiagnostics *diagnostics)
{
  const ScorchAdvice *advice;
  guint n_advice = 0;
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;

  advice = diagnostics != NULL ? scorch_diagnostics_get_advice (diagnostics, &n_advice) : NULL;
  for (guint i = 0; i < n_advice && text == NULL; i++)
    if (advice[i].level == SCORCH_ADVICE_WARNING)
      text = displayable (advice[i].text);
  if (text == NULL)
    text = g_strdup (_("Many stacks are cut short (missing frame pointers or unwind information): see the Summary"));
  escaped = g_markup_escape_text (text, -1);
  return g_strdup_printf ("<a href=\"summary\">%s</a>", escaped);
}

void
scorch_summary_view_set_profile (ScorchSummaryView *self,
                                 ScorchProfile     *profile)
{
  g_return_if_fail (SCORCH_IS_SUMMARY_VIEW (self));

  if (!scorch_app_set_profile (&self->profile, profile))
    return;
  rebuild (self);
  /* Without a profile the page is hidden (the window gives it one when it
   * is shown): AdwViewStack measures every page, and the wrapping labels
   * of the empty state and of the group descriptions cost a few ms of
   * text layout on each open. An invisible child is not measured. */
  gtk_widget_set_visible (GTK_WIDGET (get_stack (self)), profile != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), profile_pspec);
}

ScorchProfile *
scorch_summary_view_get_profile (ScorchSummaryView *self)
{
  g_return_val_if_fail (SCORCH_IS_SUMMARY_VIEW (self), NULL);

  return self->profile;
}

AdwActionRow *
scorch_summary_view_get_fact_row (ScorchSummaryView *self,
                                  const char        *id)
{
  g_return_val_if_fail (SCORCH_IS_SUMMARY_VIEW (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->fact_rows, id);
}

GtkWidget *
scorch_summary_view_new (void)
{
  return g_object_new (SCORCH_TYPE_SUMMARY_VIEW, NULL);
}

static void
scorch_summary_view_dispose (GObject *object)
{
  ScorchSummaryView *self = SCORCH_SUMMARY_VIEW (object);

  if (self->fact_rows != NULL)
    g_hash_table_remove_all (self->fact_rows);
  if (self->rows != NULL)
    g_ptr_array_set_size (self->rows, 0);
  g_clear_object (&self->profile);
  gtk_widget_dispose_template (GTK_WIDGET (self), SCORCH_TYPE_SUMMARY_VIEW);

  G_OBJECT_CLASS (scorch_summary_view_parent_class)->dispose (object);
}

static void
scorch_summary_view_finalize (GObject *object)
{
  ScorchSummaryView *self = SCORCH_SUMMARY_VIEW (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->fact_rows, g_hash_table_unref);

  G_OBJECT_CLASS (scorch_summary_view_parent_class)->finalize (object);
}

static const ScorchAppTemplateChild summary_view_children[] = {
  SCORCH_APP_TEMPLATE_CHILD (ScorchSummaryView, page),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSummaryView, advice_group),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSummaryView, capture_group),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSummaryView, stops_group),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSummaryView, leaves_group),
  SCORCH_APP_TEMPLATE_CHILD (ScorchSummaryView, symbols_group),
};

static void
scorch_summary_view_class_init (ScorchSummaryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = scorch_summary_view_dispose;
  object_class->finalize = scorch_summary_view_finalize;

  profile_pspec = scorch_app_class_install_profile_property (object_class, G_STRUCT_OFFSET (ScorchSummaryView, profile),
                                                             (ScorchAppProfileSetter) scorch_summary_view_set_profile);

  scorch_app_class_set_template (widget_class,
                                 summary_view_children, G_N_ELEMENTS (summary_view_children),
                                 NULL, 0);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
scorch_summary_view_init (ScorchSummaryView *self)
{
  self->rows = g_ptr_array_new ();
  self->fact_rows = g_hash_table_new (g_str_hash, g_str_equal);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (get_stack (self), "empty");
  gtk_widget_set_visible (GTK_WIDGET (get_stack (self)), FALSE);
}
