/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-process-list.c: the running processes from /proc, or inside a
 * Flatpak the host's through sysprofd (ListProcesses/GetProcessInfo and
 * GetProcFile), whose PIDs Record attaches to */

#include "config.h"

#define G_LOG_DOMAIN "scorch-process-list"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "scorch-process-list.h"
#include "scorch-sysprofd.h"
#include "scorch-text.h"

/* -- ScorchProcessItem -- */

struct _ScorchProcessItem
{
  GObject  parent_instance;

  int      pid;
  guint    uid;
  char    *name;
  char    *user;
  char    *commandline;
  double   cpu;

  /* For CPU deltas and to tell a reused PID from the same process. */
  guint64  starttime;
  guint64  cpu_ticks;
  gint64   sampled_at;
};

enum {
  ITEM_PROP_0,
  ITEM_PROP_PID,
  ITEM_PROP_NAME,
  ITEM_PROP_USER,
  ITEM_PROP_COMMANDLINE,
  ITEM_PROP_CPU,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

G_DEFINE_FINAL_TYPE (ScorchProcessItem, scorch_process_item, G_TYPE_OBJECT)

static void
scorch_process_item_finalize (GObject *object)
{
  ScorchProcessItem *self = SCORCH_PROCESS_ITEM (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->commandline, g_free);

  G_OBJECT_CLASS (scorch_process_item_parent_class)->finalize (object);
}

static void
scorch_process_item_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ScorchProcessItem *self = SCORCH_PROCESS_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_PID:
      g_value_set_int (value, self->pid);
      break;
    case ITEM_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case ITEM_PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case ITEM_PROP_COMMANDLINE:
      g_value_set_string (value, self->commandline);
      break;
    case ITEM_PROP_CPU:
      g_value_set_double (value, self->cpu);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
scorch_process_item_class_init (ScorchProcessItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = scorch_process_item_finalize;
  object_class->get_property = scorch_process_item_get_property;

  item_properties[ITEM_PROP_PID] =
    g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_COMMANDLINE] =
    g_param_spec_string ("commandline", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_CPU] =
    g_param_spec_double ("cpu", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
scorch_process_item_init (ScorchProcessItem *self)
{
}

int
scorch_process_item_get_pid (ScorchProcessItem *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_ITEM (self), 0);
  return self->pid;
}

const char *
scorch_process_item_get_name (ScorchProcessItem *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_ITEM (self), NULL);
  return self->name;
}

const char *
scorch_process_item_get_user (ScorchProcessItem *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_ITEM (self), NULL);
  return self->user;
}

const char *
scorch_process_item_get_commandline (ScorchProcessItem *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_ITEM (self), NULL);
  return self->commandline;
}

double
scorch_process_item_get_cpu (ScorchProcessItem *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_ITEM (self), 0);
  return self->cpu;
}

guint
scorch_process_item_get_uid (ScorchProcessItem *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_ITEM (self), 0);
  return self->uid;
}

/* -- reading /proc -- */

struct _ScorchProcessList
{
  GObject          parent_instance;

  GPtrArray       *items;        /* of ScorchProcessItem, sorted by pid */
  GHashTable      *users;        /* uid → name */
  guint            timeout_id;
  guint            interval_ms;
  long             clock_ticks;
  /* the host's processes (in a Flatpak): sysprofd reads their /proc */
  GDBusConnection *sysprofd;
  struct _HostSnapshot *host;     /* of the merge under way */
  GCancellable    *host_cancellable;
  gboolean         host_reading;  /* a worker reads a snapshot */
};

/* What one refresh of the host's list reads through sysprofd: every
 * GetProcFile is a D-Bus round trip and a polkit check (tens of ms on a
 * busy machine), so the timer's refreshes read it in a worker thread and
 * merge it on the main thread. */
typedef struct _HostSnapshot
{
  GArray     *pids;      /* sorted */
  GHashTable *cmdlines;  /* pid → command line (GetProcessInfo) */
  GHashTable *files;     /* path → contents: each /proc/PID/stat, and the
                          * status of PIDs not listed before */
} HostSnapshot;

static void
host_snapshot_free (HostSnapshot *snap)
{
  g_clear_pointer (&snap->pids, g_array_unref);
  g_clear_pointer (&snap->cmdlines, g_hash_table_unref);
  g_clear_pointer (&snap->files, g_hash_table_unref);
  g_free (snap);
}

static HostSnapshot *
host_snapshot_read (GDBusConnection *sysprofd,
                    GHashTable      *known,
                    GCancellable    *cancellable,
                    GError         **error)
{
  g_autoptr(GPtrArray) host = scorch_sysprofd_get_processes (sysprofd, FALSE, cancellable, error);
  HostSnapshot *snap;

  if (host == NULL)
    return NULL;
  snap = g_new0 (HostSnapshot, 1);
  snap->pids = g_array_sized_new (FALSE, FALSE, sizeof (int), host->len);
  snap->cmdlines = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  snap->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint k = 0; k < host->len && !g_cancellable_is_cancelled (cancellable); k++)
    {
      ScorchSysprofdProcess *p = g_ptr_array_index (host, k);
      int pid = p->pid;
      char *path;

      g_array_append_val (snap->pids, pid);
      /* kernel threads (no command line) are never listed: no reads */
      if (p->cmdline[0] == '\0')
        continue;
      g_hash_table_insert (snap->cmdlines, GINT_TO_POINTER (pid), g_steal_pointer (&p->cmdline));
      path = g_strdup_printf ("/proc/%d/stat", pid);
      g_hash_table_insert (snap->files, path, scorch_sysprofd_read_proc_text (sysprofd, path, cancellable, NULL));
      if (known == NULL || !g_hash_table_contains (known, GINT_TO_POINTER (pid)))
        {
          path = g_strdup_printf ("/proc/%d/status", pid);
          g_hash_table_insert (snap->files, path, scorch_sysprofd_read_proc_text (sysprofd, path, cancellable, NULL));
        }
    }
  return snap;
}

/* A /proc file: this /proc's, or the host's from the snapshot. */
static char *
read_proc (ScorchProcessList *self,
           const char        *path,
           gsize             *len)
{
  char *contents = NULL;

  if (self->host != NULL)
    {
      contents = g_strdup (g_hash_table_lookup (self->host->files, path));
      if (contents != NULL && len != NULL)
        *len = strlen (contents);
      return contents;
    }
  if (!g_file_get_contents (path, &contents, len, NULL))
    return NULL;
  return contents;
}

typedef struct
{
  char    *name;
  guint64  starttime;
  guint64  cpu_ticks;
  int      ppid;
} ProcStat;

/* /proc/PID/stat: "pid (comm) state ppid ... utime(14) stime(15) ...
 * starttime(22)". comm may hold spaces and parentheses: it ends at the
 * last ')'. */
static gboolean
read_stat (ScorchProcessList *self,
           int                pid,
           ProcStat          *out)
{
  char path[64];
  g_autofree char *contents = NULL;
  gsize len;
  const char *open_paren, *close_paren;
  g_auto(GStrv) fields = NULL;

  g_snprintf (path, sizeof path, "/proc/%d/stat", pid);
  contents = read_proc (self, path, &len);
  if (contents == NULL)
    return FALSE;
  open_paren = strchr (contents, '(');
  close_paren = strrchr (contents, ')');
  if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
    return FALSE;

  /* Fields after ')' start with state (field 3). */
  fields = g_strsplit (close_paren + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return FALSE;

  out->name = g_strndup (open_paren + 1, close_paren - open_paren - 1);
  out->ppid = atoi (fields[1]);
  out->cpu_ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  out->starttime = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

static char *
read_commandline (ScorchProcessList *self,
                  int                pid)
{
  char path[64];
  char *contents = NULL;
  gsize len = 0;

  /* sysprofd's GetProcFile stops at the first NUL: GetProcessInfo's
   * command line, fetched once per refresh */
  if (self->host != NULL)
    return g_strdup (g_hash_table_lookup (self->host->cmdlines, GINT_TO_POINTER (pid)));
  g_snprintf (path, sizeof path, "/proc/%d/cmdline", pid);
  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  /* Arguments are NUL-separated. */
  while (len > 0 && contents[len - 1] == '\0')
    len--;
  for (gsize i = 0; i < len; i++)
    if (contents[i] == '\0')
      contents[i] = ' ';
  contents[len] = '\0';
  return contents;
}

static char *
lookup_user (guint uid)
{
  struct passwd pwd, *result = NULL;
  char buf[1024];

  if (getpwuid_r (uid, &pwd, buf, sizeof buf, &result) == 0 && result != NULL)
    return g_strdup (result->pw_name);
  return g_strdup_printf ("%u", uid);
}

/* -- ScorchProcessList -- */

enum {
  REFRESHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ScorchProcessList, scorch_process_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
list_get_item_type (GListModel *model)
{
  return SCORCH_TYPE_PROCESS_ITEM;
}

static guint
list_get_n_items (GListModel *model)
{
  return SCORCH_PROCESS_LIST (model)->items->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  ScorchProcessList *self = SCORCH_PROCESS_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
scorch_process_list_dispose (GObject *object)
{
  ScorchProcessList *self = SCORCH_PROCESS_LIST (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->host_cancellable);
  g_clear_object (&self->host_cancellable);
  g_clear_object (&self->sysprofd);

  G_OBJECT_CLASS (scorch_process_list_parent_class)->dispose (object);
}

static void
scorch_process_list_finalize (GObject *object)
{
  ScorchProcessList *self = SCORCH_PROCESS_LIST (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->users, g_hash_table_unref);

  G_OBJECT_CLASS (scorch_process_list_parent_class)->finalize (object);
}

static void
scorch_process_list_class_init (ScorchProcessListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = scorch_process_list_dispose;
  object_class->finalize = scorch_process_list_finalize;

  /* After each refresh: CPU use changed in place (no items-changed). */
  signals[REFRESHED] = g_signal_new ("refreshed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
scorch_process_list_init (ScorchProcessList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->users = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->interval_ms = 1500;
  self->clock_ticks = sysconf (_SC_CLK_TCK);
  if (self->clock_ticks <= 0)
    self->clock_ticks = 100;

  /* Inside a Flatpak this /proc shows the sandbox only (SCORCH_PROC_SOURCE
   * decides in tests): list the host's, whose PIDs Record can attach to */
  if (scorch_sysprofd_get_proc_source () == SCORCH_PROC_SOURCE_SYSPROFD)
    {
      g_autoptr(GError) error = NULL;

      if (!scorch_sysprofd_available (&self->sysprofd, &error))
        g_debug ("listing this sandbox's processes: %s", error->message);
    }
}

gboolean
scorch_process_list_get_host (ScorchProcessList *self)
{
  g_return_val_if_fail (SCORCH_IS_PROCESS_LIST (self), FALSE);
  return self->sysprofd != NULL;
}

ScorchProcessList *
scorch_process_list_new (void)
{
  return g_object_new (SCORCH_TYPE_PROCESS_LIST, NULL);
}

static const char *
get_user (ScorchProcessList *self,
          guint              uid)
{
  const char *name = g_hash_table_lookup (self->users, GUINT_TO_POINTER (uid));

  if (name == NULL)
    {
      name = lookup_user (uid);
      g_hash_table_insert (self->users, GUINT_TO_POINTER (uid), (char *) name);
    }
  return name;
}

static int
compare_pids (gconstpointer a,
              gconstpointer b)
{
  int pa = *(const int *) a, pb = *(const int *) b;
  return (pa > pb) - (pa < pb);
}

/* Fills or refreshes ITEM from /proc; FALSE when the process is gone or
 * is a kernel thread (nothing in user space to profile). */
static gboolean
update_item (ScorchProcessList *self,
             ScorchProcessItem *item,
             int                pid,
             gint64             now,
             gboolean           is_new)
{
  ProcStat st = { 0, };
  char path[64];
  struct stat sb;

  if (!read_stat (self, pid, &st))
    return FALSE;

  if (is_new)
    {
      g_autofree char *cmdline = read_commandline (self, pid);

      /* Kernel threads have an empty command line and kthreadd (2) as parent. */
      if (cmdline == NULL || cmdline[0] == '\0' || st.ppid == 2 || pid == 2)
        {
          g_free (st.name);
          return FALSE;
        }
      if (self->host != NULL)
        {
          g_autofree char *status = NULL;
          gint64 uid;

          g_snprintf (path, sizeof path, "/proc/%d/status", pid);
          status = read_proc (self, path, NULL);
          uid = scorch_sysprofd_parse_status_uid (status);
          if (uid < 0)
            {
              g_free (st.name);
              return FALSE;
            }
          sb.st_uid = (uid_t) uid;
        }
      else
        {
          g_snprintf (path, sizeof path, "/proc/%d", pid);
          if (stat (path, &sb) != 0)
            {
              g_free (st.name);
              return FALSE;
            }
        }
      item->pid = pid;
      item->uid = sb.st_uid;
      item->user = g_strdup (get_user (self, sb.st_uid));
      /* Any process sets its own name and arguments: shown, never trusted. */
      item->name = scorch_text_to_display (st.name);
      item->commandline = scorch_text_to_display (cmdline);
      g_free (st.name);
      item->starttime = st.starttime;
      item->cpu_ticks = st.cpu_ticks;
      item->sampled_at = now;
      item->cpu = 0;
      return TRUE;
    }

  if (st.starttime != item->starttime)
    {
      /* The PID was reused by another process. */
      g_free (st.name);
      return FALSE;
    }

  if (now > item->sampled_at)
    {
      double seconds = (now - item->sampled_at) / (double) G_USEC_PER_SEC;
      double cpu_seconds = (st.cpu_ticks - MIN (st.cpu_ticks, item->cpu_ticks)) / (double) self->clock_ticks;
      double cpu = 100.0 * cpu_seconds / seconds;

      item->cpu_ticks = st.cpu_ticks;
      item->sampled_at = now;
      if (cpu != item->cpu)
        {
          item->cpu = cpu;
          g_object_notify_by_pspec (G_OBJECT (item), item_properties[ITEM_PROP_CPU]);
        }
    }
  /* The name changes on exec or prctl(PR_SET_NAME); keep the first. */
  g_free (st.name);
  return TRUE;
}

/* Merges the sorted PIDs with the sorted items, announcing each removal
 * and insertion where it happens (reading through read_proc). */
static void
merge (ScorchProcessList *self,
       GArray            *pids)
{
  gint64 now = g_get_monotonic_time ();
  guint i = 0, j = 0;

  while (i < self->items->len || j < pids->len)
    {
      ScorchProcessItem *item = i < self->items->len ? g_ptr_array_index (self->items, i) : NULL;
      int pid = j < pids->len ? g_array_index (pids, int, j) : G_MAXINT;

      if (item != NULL && item->pid < pid)
        {
          /* Exited. */
          g_ptr_array_remove_index (self->items, i);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
        }
      else if (item != NULL && item->pid == pid)
        {
          if (update_item (self, item, pid, now, FALSE))
            i++;
          else
            {
              g_ptr_array_remove_index (self->items, i);
              g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
              /* Look at the PID again as a new process. */
              continue;
            }
          j++;
        }
      else
        {
          ScorchProcessItem *fresh = g_object_new (SCORCH_TYPE_PROCESS_ITEM, NULL);

          if (update_item (self, fresh, pid, now, TRUE))
            {
              g_ptr_array_insert (self->items, i, fresh);
              g_list_model_items_changed (G_LIST_MODEL (self), i, 0, 1);
              i++;
            }
          else
            g_object_unref (fresh);
          j++;
        }
    }

  g_signal_emit (self, signals[REFRESHED], 0);
}

static void
merge_host (ScorchProcessList *self,
            HostSnapshot      *snap)
{
  self->host = snap;
  merge (self, snap->pids);
  self->host = NULL;
}

/* The PIDs listed now, for the worker (which reads the status of new ones only). */
static GHashTable *
known_pids (ScorchProcessList *self)
{
  GHashTable *known = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    g_hash_table_add (known, GINT_TO_POINTER (((ScorchProcessItem *) g_ptr_array_index (self->items, i))->pid));
  return known;
}

void
scorch_process_list_refresh (ScorchProcessList *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  const char *entry;

  g_return_if_fail (SCORCH_IS_PROCESS_LIST (self));

  if (self->sysprofd != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GHashTable) known = known_pids (self);
      HostSnapshot *snap = host_snapshot_read (self->sysprofd, known, NULL, &error);

      if (snap == NULL)
        {
          g_debug ("sysprofd lists no processes: %s", error->message);
          return;
        }
      merge_host (self, snap);
      host_snapshot_free (snap);
      return;
    }

  if ((dir = g_dir_open ("/proc", 0, NULL)) == NULL)
    return;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      char *end = NULL;
      long pid = strtol (entry, &end, 10);

      if (end != entry && *end == '\0' && pid > 0 && pid <= G_MAXINT)
        {
          int p = (int) pid;
          g_array_append_val (pids, p);
        }
    }
  g_array_sort (pids, compare_pids);
  merge (self, pids);
}

static void
host_snapshot_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  ScorchProcessList *self = source_object;
  GError *error = NULL;
  HostSnapshot *snap = host_snapshot_read (self->sysprofd, task_data, cancellable, &error);

  if (snap == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, snap, (GDestroyNotify) host_snapshot_free);
}

static void
host_snapshot_done (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ScorchProcessList *self = SCORCH_PROCESS_LIST (object);
  g_autoptr(GError) error = NULL;
  HostSnapshot *snap = g_task_propagate_pointer (G_TASK (result), &error);

  self->host_reading = FALSE;
  if (snap == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("sysprofd lists no processes: %s", error->message);
      return;
    }
  if (!g_cancellable_is_cancelled (self->host_cancellable))
    merge_host (self, snap);
  host_snapshot_free (snap);
}

void
scorch_process_list_update (ScorchProcessList *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SCORCH_IS_PROCESS_LIST (self));

  if (self->sysprofd == NULL)
    {
      scorch_process_list_refresh (self);
      return;
    }
  if (self->host_reading)
    return;
  if (self->host_cancellable == NULL)
    self->host_cancellable = g_cancellable_new ();
  self->host_reading = TRUE;
  task = g_task_new (self, self->host_cancellable, host_snapshot_done, NULL);
  g_task_set_source_tag (task, scorch_process_list_update);
  g_task_set_task_data (task, known_pids (self), (GDestroyNotify) g_hash_table_unref);
  g_task_run_in_thread (task, host_snapshot_worker);
}

static gboolean
refresh_timeout (gpointer user_data)
{
  scorch_process_list_update (SCORCH_PROCESS_LIST (user_data));
  return G_SOURCE_CONTINUE;
}

void
scorch_process_list_set_running (ScorchProcessList *self,
                                 gboolean           running)
{
  g_return_if_fail (SCORCH_IS_PROCESS_LIST (self));

  if (running == (self->timeout_id != 0))
    return;
  if (running)
    {
      scorch_process_list_update (self);
      self->timeout_id = g_timeout_add (self->interval_ms, refresh_timeout, self);
    }
  else
    g_clear_handle_id (&self->timeout_id, g_source_remove);
}

void
scorch_process_list_set_interval (ScorchProcessList *self,
                                  guint              interval_ms)
{
  g_return_if_fail (SCORCH_IS_PROCESS_LIST (self));
  g_return_if_fail (interval_ms > 0);

  self->interval_ms = interval_ms;
  if (self->timeout_id != 0)
    {
      g_clear_handle_id (&self->timeout_id, g_source_remove);
      self->timeout_id = g_timeout_add (self->interval_ms, refresh_timeout, self);
    }
}

ScorchProcessItem *
scorch_process_list_find (ScorchProcessList *self,
                          int                pid)
{
  guint lo = 0, hi;

  g_return_val_if_fail (SCORCH_IS_PROCESS_LIST (self), NULL);

  hi = self->items->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      ScorchProcessItem *item = g_ptr_array_index (self->items, mid);

      if (item->pid == pid)
        return item;
      if (item->pid < pid)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}
