/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-perf-writer.c: writes perf.data (PERFILE2) files that perf 6.1 reads */

#include "config.h"

#define G_LOG_DOMAIN "scorch-perf-writer"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "scorch-capture-notes.h"
#include "scorch-perf-file.h"
#include "scorch-module.h"
#include "scorch-perf-record.h"
#include "scorch-perf-writer.h"
#include "scorch-proc-table.h"
#include "scorch-util.h"

#define BUFFER_SIZE         (1024 * 1024)
#define CHECKPOINT_INTERVAL (G_USEC_PER_SEC / 2)
#define NAME_ALIGN          64
#define BUILD_ID_MAX        20

typedef struct
{
  struct perf_event_attr attr;
  char                  *name;
  GArray                *ids;   /* of guint64 */
} Attr;

/* A binary that samples may hit, keyed by the path the process table
 * interned. */
typedef struct
{
  const char *filename;
  guint8      build_id[BUILD_ID_MAX];
  guint8      build_id_len;
  gboolean    hit;
  gboolean    looked_up;
} Dso;

struct _ScorchPerfWriter
{
  GOutputStream *stream;        /* or fd */
  int            fd;
  char          *name;
  GArray        *attrs;         /* of Attr */
  GStrv          cmdline;
  ScorchCaptureNotes *notes;    /* the Scorch feature section */
  GBytes        *tracing_data;  /* TRACING_DATA feature (tracepoint events), or NULL */

  GByteArray    *buffer;        /* whole records not yet written */
  guint64        data_offset;
  guint64        data_on_disk;  /* bytes of whole records in the file */
  guint64        data_accepted; /* data_on_disk + buffer->len */
  gint64         last_checkpoint;
  GError        *failed;        /* first write error */
  guint          begun : 1;
  guint          finished : 1;
  guint          closed : 1;

  /* Which binaries samples hit, for the BUILD_ID feature */
  ScorchCaptureAttrs *decoder;  /* the attrs, to decode records */
  gboolean       dwarf;
  ScorchProcTable *procs;
  GHashTable    *dsos;          /* interned filename -> Dso */
  GHashTable    *sampled;       /* pids sampled since their last exec (DWARF) */
  gboolean       kernel_hit;
  guint          n_build_ids;
};

static gboolean io_close (ScorchPerfWriter  *self,
                          GError           **error);

static void
attr_clear (gpointer data)
{
  Attr *attr = data;

  g_free (attr->name);
  g_array_unref (attr->ids);
}

guint
scorch_perf_id_header_size (const struct perf_event_attr *attr)
{
  return scorch_perf_record_id_header_size (attr);
}

static ScorchPerfWriter *
writer_new (GOutputStream *stream,
            int            fd,
            const char    *name)
{
  ScorchPerfWriter *self;

  self = g_new0 (ScorchPerfWriter, 1);
  self->stream = stream ? g_object_ref (stream) : NULL;
  self->fd = fd;
  self->name = g_strdup (name ? name : "perf.data");
  self->attrs = g_array_new (FALSE, TRUE, sizeof (Attr));
  g_array_set_clear_func (self->attrs, attr_clear);
  self->buffer = g_byte_array_sized_new (BUFFER_SIZE);
  self->notes = scorch_capture_notes_new ();
  self->decoder = scorch_capture_attrs_new ();
  self->procs = scorch_proc_table_new ();
  self->dsos = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->sampled = g_hash_table_new (NULL, NULL);
  return self;
}

ScorchPerfWriter *
scorch_perf_writer_new (GOutputStream *stream,
                        const char    *name)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);
  g_return_val_if_fail (G_IS_SEEKABLE (stream), NULL);

  return writer_new (stream, -1, name);
}

ScorchPerfWriter *
scorch_perf_writer_new_for_path (const char  *path,
                                 GError     **error)
{
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Write in place (no temporary file renamed at close), so that what was
   * written before a crash or a full disk is there under its name. Plain
   * file descriptor I/O: no GVfs modules to load before the target starts. */
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Cannot create “%s”: %s"), path, g_strerror (errsv));
      return NULL;
    }
  return writer_new (NULL, fd, path);
}

void
scorch_perf_writer_free (ScorchPerfWriter *self)
{
  if (self == NULL)
    return;

  if (!self->closed)
    io_close (self, NULL);
  g_clear_object (&self->stream);
  g_free (self->name);
  g_array_unref (self->attrs);
  g_strfreev (self->cmdline);
  g_clear_pointer (&self->tracing_data, g_bytes_unref);
  scorch_capture_notes_free (self->notes);
  g_byte_array_unref (self->buffer);
  g_clear_error (&self->failed);
  g_hash_table_unref (self->dsos);
  g_hash_table_unref (self->sampled);
  scorch_proc_table_free (self->procs);
  scorch_capture_attrs_unref (self->decoder);
  g_free (self);
}

void
scorch_perf_writer_add_attr (ScorchPerfWriter             *self,
                             const struct perf_event_attr *attr,
                             const char                   *name,
                             const guint64                *ids,
                             guint                         n_ids)
{
  Attr a = { 0 };

  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->begun);

  a.attr = *attr;
  a.attr.size = sizeof (struct perf_event_attr);
  a.name = g_strdup (name ? name : "");
  a.ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (n_ids > 0)
    g_array_append_vals (a.ids, ids, n_ids);
  g_array_append_val (self->attrs, a);
}

void
scorch_perf_writer_set_tracing_data (ScorchPerfWriter *self,
                                     GBytes           *data)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->tracing_data, g_bytes_unref);
  if (data != NULL)
    self->tracing_data = g_bytes_ref (data);
}

void
scorch_perf_writer_set_cmdline (ScorchPerfWriter   *self,
                                const char * const *argv)
{
  g_return_if_fail (self != NULL);

  g_strfreev (self->cmdline);
  self->cmdline = g_strdupv ((char **) argv);
}

void
scorch_perf_writer_set_exit_status (ScorchPerfWriter *self,
                                    int               status)
{
  g_return_if_fail (self != NULL);

  if (status >= 0)
    scorch_capture_notes_set_int (self->notes, SCORCH_CAPTURE_NOTE_EXIT_STATUS, status);
  else
    scorch_capture_notes_remove (self->notes, SCORCH_CAPTURE_NOTE_EXIT_STATUS);
}

void
scorch_perf_writer_set_call_graph (ScorchPerfWriter *self,
                                   const char       *mode)
{
  g_return_if_fail (self != NULL);

  if (mode != NULL)
    scorch_capture_notes_set_string (self->notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH, mode);
  else
    scorch_capture_notes_remove (self->notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH);
}

ScorchCaptureNotes *
scorch_perf_writer_get_notes (ScorchPerfWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->notes;
}

/* ---- output: a seekable GOutputStream, or a file descriptor ------------ */

static gboolean
io_write_all (ScorchPerfWriter  *self,
              const void        *data,
              gsize              len,
              gsize             *written,
              GError           **error)
{
  gsize done = 0;

  if (self->fd < 0)
    return g_output_stream_write_all (self->stream, data, len, written, NULL, error);

  while (done < len)
    {
      ssize_t r = write (self->fd, (const guint8 *) data + done, len - done);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          int errsv = r < 0 ? errno : ENOSPC;

          if (written != NULL)
            *written = done;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "%s", g_strerror (errsv));
          return FALSE;
        }
      done += r;
    }
  if (written != NULL)
    *written = done;
  return TRUE;
}

static gboolean
io_seek (ScorchPerfWriter  *self,
         guint64            offset,
         GError           **error)
{
  if (self->fd < 0)
    return g_seekable_seek (G_SEEKABLE (self->stream), offset, G_SEEK_SET, NULL, error);
  if (lseek (self->fd, offset, SEEK_SET) < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s", g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
io_flush (ScorchPerfWriter  *self,
          GError           **error)
{
  if (self->fd < 0)
    return g_output_stream_flush (self->stream, NULL, error);
  return TRUE;
}

static gboolean
io_close (ScorchPerfWriter  *self,
          GError           **error)
{
  if (self->fd < 0)
    return g_output_stream_close (self->stream, NULL, error);
  if (close (self->fd) != 0)
    {
      int errsv = errno;
      self->fd = -1;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s", g_strerror (errsv));
      return FALSE;
    }
  self->fd = -1;
  return TRUE;
}

static void
set_failed (ScorchPerfWriter *self,
            const GError     *error,
            const char       *what)
{
  if (self->failed != NULL)
    return;
  self->failed = g_error_new (error->domain, error->code,
                              _("Cannot write %s to “%s”: %s"),
                              what, self->name, error->message);
}

static gboolean
propagate_failed (ScorchPerfWriter  *self,
                  GError           **error)
{
  if (self->failed == NULL)
    return TRUE;
  if (error != NULL)
    *error = g_error_copy (self->failed);
  return FALSE;
}

static gboolean
write_at (ScorchPerfWriter  *self,
          guint64            offset,
          const void        *data,
          gsize              len,
          GError           **error)
{
  if (!io_seek (self, offset, error))
    return FALSE;
  return io_write_all (self, data, len, NULL, error);
}

/* Writes the header: data size as it is on disk; with features only at the end. */
static gboolean
write_header (ScorchPerfWriter  *self,
              const guint64      features[4],
              GError           **error)
{
  ScorchPerfFileHeader header = { 0 };
  guint64 attrs_offset = sizeof header;

  for (guint i = 0; i < self->attrs->len; i++)
    attrs_offset += g_array_index (self->attrs, Attr, i).ids->len * sizeof (guint64);

  header.magic = SCORCH_PERF_MAGIC;
  header.size = sizeof header;
  header.attr_size = sizeof (struct perf_event_attr) + sizeof (ScorchPerfFileSection);
  header.attrs.offset = attrs_offset;
  header.attrs.size = self->attrs->len * header.attr_size;
  header.data.offset = self->data_offset;
  header.data.size = self->data_on_disk;
  if (features != NULL)
    memcpy (header.adds_features, features, sizeof header.adds_features);

  if (!write_at (self, 0, &header, sizeof header, error))
    return FALSE;
  return io_flush (self, error);
}

gboolean
scorch_perf_writer_begin (ScorchPerfWriter  *self,
                          GError           **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  ScorchPerfFileHeader zero = { 0 };
  guint64 ids_offset = sizeof (ScorchPerfFileHeader);

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->begun, FALSE);
  g_return_val_if_fail (self->attrs->len > 0, FALSE);

  self->begun = TRUE;
  for (guint i = 0; i < self->attrs->len; i++)
    {
      Attr *a = &g_array_index (self->attrs, Attr, i);

      /* Our own attrs: only a caller's bug makes them invalid. */
      if (!scorch_capture_attrs_add (self->decoder, &a->attr, sizeof a->attr,
                                     (const guint64 *) (gpointer) a->ids->data, a->ids->len, &local_error))
        {
          g_critical ("%s", local_error->message);
          g_clear_error (&local_error);
        }
      if (a->attr.sample_type & PERF_SAMPLE_STACK_USER)
        self->dwarf = TRUE;
    }

  g_byte_array_append (bytes, (const guint8 *) &zero, sizeof zero);
  for (guint i = 0; i < self->attrs->len; i++)
    {
      Attr *a = &g_array_index (self->attrs, Attr, i);
      g_byte_array_append (bytes, (const guint8 *) a->ids->data, a->ids->len * sizeof (guint64));
    }
  for (guint i = 0; i < self->attrs->len; i++)
    {
      Attr *a = &g_array_index (self->attrs, Attr, i);
      ScorchPerfFileSection ids = { ids_offset, a->ids->len * sizeof (guint64) };

      g_byte_array_append (bytes, (const guint8 *) &a->attr, sizeof a->attr);
      g_byte_array_append (bytes, (const guint8 *) &ids, sizeof ids);
      ids_offset += ids.size;
    }
  self->data_offset = bytes->len;

  if (!io_write_all (self, bytes->data, bytes->len, NULL, &local_error))
    {
      set_failed (self, local_error, _("the header"));
      return propagate_failed (self, error);
    }
  self->last_checkpoint = g_get_monotonic_time ();
  return TRUE;
}

/* ---- which binaries samples hit ---------------------------------------- */

static Dso *
get_dso (ScorchPerfWriter    *self,
         const ScorchProcMap *map)
{
  Dso *dso = g_hash_table_lookup (self->dsos, map->map.path);

  if (dso == NULL)
    {
      dso = g_new0 (Dso, 1);
      dso->filename = map->map.path;
      g_hash_table_insert (self->dsos, (gpointer) dso->filename, dso);
    }
  if (map->map.build_id_len > 0 && map->map.build_id_len <= BUILD_ID_MAX && dso->build_id_len == 0)
    {
      memcpy (dso->build_id, map->map.build_id, map->map.build_id_len);
      dso->build_id_len = map->map.build_id_len;
      dso->looked_up = TRUE;
    }
  return dso;
}

static void
mark_map (ScorchPerfWriter    *self,
          const ScorchProcMap *map)
{
  if (map->map.path[0] == '\0' || !(map->prot & PROT_EXEC))
    return;
  get_dso (self, map)->hit = TRUE;
}

/* DWARF: the unwinder may need every binary of a sampled process. */
static void
mark_all_maps (ScorchPerfWriter *self,
               gint32            pid)
{
  const ScorchProcMap *maps;
  guint n;

  maps = scorch_proc_table_get_maps (self->procs, pid, &n);
  for (guint i = 0; i < n; i++)
    mark_map (self, &maps[i]);
}

static void
mark_hit (ScorchPerfWriter *self,
          gint32            pid,
          guint64           ip)
{
  const ScorchProcMap *map = scorch_proc_table_find_map (self->procs, pid, ip);

  if (map != NULL)
    mark_map (self, map);
}

static void
note_sample (ScorchPerfWriter   *self,
             const ScorchRecord *record)
{
  ScorchSampleData s;
  guint cpumode = record->misc & PERF_RECORD_MISC_CPUMODE_MASK;
  guint64 context = PERF_CONTEXT_USER;
  const ScorchCaptureAttr *attr = record->attr;

  if (attr == NULL || !scorch_capture_attrs_parse_sample (self->decoder, record, &s, NULL))
    return;

  if (cpumode == PERF_RECORD_MISC_KERNEL)
    self->kernel_hit = TRUE;
  else if (attr->attr.sample_type & PERF_SAMPLE_IP)
    mark_hit (self, s.pid, s.ip);

  if (self->dwarf && s.pid >= 0 && scorch_proc_table_get_n_maps (self->procs, s.pid) > 0)
    g_hash_table_add (self->sampled, GINT_TO_POINTER (s.pid));

  for (guint64 i = 0; i < s.callchain_nr; i++)
    {
      guint64 addr;

      memcpy (&addr, &s.callchain[i], sizeof addr);
      if (addr >= (guint64) PERF_CONTEXT_MAX)
        context = addr;
      else if (context == PERF_CONTEXT_KERNEL)
        self->kernel_hit = TRUE;
      else if (context == PERF_CONTEXT_USER)
        mark_hit (self, s.pid, addr);
    }
}

static void
note_record (ScorchPerfWriter *self,
             const guint8     *rec,
             gsize             size)
{
  ScorchRecord record;

  /* Records come from the kernel (or our own synthesis): one we cannot
   * decode is still written, but tells us nothing. */
  if (!scorch_capture_attrs_parse_record (self->decoder, rec, size, 0, &record, NULL))
    return;

  switch (record.type)
    {
    case PERF_RECORD_SAMPLE:
      note_sample (self, &record);
      break;

    case PERF_RECORD_MMAP:
    case PERF_RECORD_MMAP2:
      {
        ScorchPerfMmap m;
        g_autofree char *filename = NULL;

        if (!scorch_perf_record_get_mmap (&record, &m, NULL) ||
            m.kernel || !(m.prot & PROT_EXEC) || m.filename_len == 0 || m.len == 0)
          return;
        filename = g_strndup (m.filename, m.filename_len);
        /* containers: the process's own view of its files, while it lives */
        scorch_module_note_process_file (m.pid, filename);
        scorch_proc_table_mmap (self->procs, &m, record.time);
      }
      break;

    case PERF_RECORD_FORK:
      {
        ScorchPerfTask t;

        if (scorch_perf_record_get_task (&record, &t, NULL) && t.pid != t.ppid &&
            scorch_proc_table_get_n_maps (self->procs, t.pid) == 0)
          scorch_proc_table_fork (self->procs, t.pid, t.ppid, t.tid, t.ptid, record.time);
      }
      break;

    case PERF_RECORD_COMM:
      {
        ScorchPerfComm c;
        g_autofree char *comm = NULL;

        if (!scorch_perf_record_get_comm (&record, &c, NULL) || !c.exec)
          return;
        if (g_hash_table_remove (self->sampled, GINT_TO_POINTER (c.pid)))
          mark_all_maps (self, c.pid);
        comm = g_strndup (c.comm, c.comm_len);
        scorch_proc_table_comm (self->procs, c.pid, c.tid, comm, TRUE, record.time);
      }
      break;

    default:
      break;
    }
}

/* ---- data section ------------------------------------------------------ */

static gboolean
flush_buffer (ScorchPerfWriter  *self,
              GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize written = 0;

  if (self->failed != NULL)
    return propagate_failed (self, error);
  if (self->buffer->len == 0)
    return TRUE;

  if (!io_write_all (self, self->buffer->data, self->buffer->len, &written, &local_error))
    {
      gsize whole = 0;

      /* Keep the records that reached the file whole; the header says where they end. */
      for (;;)
        {
          struct perf_event_header h;

          if (!scorch_perf_record_parse_header (self->buffer->data + whole, written - whole, 0, &h, NULL))
            break;
          whole += h.size;
        }
      self->data_on_disk += whole;
      self->data_accepted = self->data_on_disk;
      g_byte_array_set_size (self->buffer, 0);
      set_failed (self, local_error, _("the capture"));
      write_header (self, NULL, NULL);
      return propagate_failed (self, error);
    }

  self->data_on_disk += self->buffer->len;
  g_byte_array_set_size (self->buffer, 0);
  return TRUE;
}

static gboolean
checkpoint (ScorchPerfWriter  *self,
            GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 end = self->data_offset + self->data_on_disk;

  if (!write_header (self, NULL, &local_error) ||
      !io_seek (self, end, &local_error))
    {
      set_failed (self, local_error, _("the header"));
      return propagate_failed (self, error);
    }
  self->last_checkpoint = g_get_monotonic_time ();
  return TRUE;
}

gboolean
scorch_perf_writer_add_records (ScorchPerfWriter  *self,
                                const void        *data,
                                gsize              len,
                                GError           **error)
{
  const guint8 *p = data;
  gsize off = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->begun && !self->finished, FALSE);

  if (self->failed != NULL)
    return propagate_failed (self, error);

  while (off < len)
    {
      struct perf_event_header header;
      gsize size;

      if (!scorch_perf_record_parse_header (p + off, len - off, off, &header, NULL))
        break;
      size = header.size;
      note_record (self, p + off, size);

      if (self->buffer->len + size > BUFFER_SIZE && !flush_buffer (self, error))
        return FALSE;
      g_byte_array_append (self->buffer, p + off, size);
      self->data_accepted += size;
      off += size;
    }

  if (off != len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Malformed record at offset %" G_GSIZE_FORMAT " of a batch of %" G_GSIZE_FORMAT " bytes"),
                   off, len);
      return FALSE;
    }
  return TRUE;
}

gboolean
scorch_perf_writer_finish_round (ScorchPerfWriter  *self,
                                 GError           **error)
{
  struct perf_event_header round = { SCORCH_PERF_RECORD_FINISHED_ROUND, 0, sizeof round };

  g_return_val_if_fail (self != NULL, FALSE);

  if (!scorch_perf_writer_add_records (self, &round, sizeof round, error))
    return FALSE;
  if (g_get_monotonic_time () - self->last_checkpoint >= CHECKPOINT_INTERVAL)
    return scorch_perf_writer_flush (self, error);
  return TRUE;
}

gboolean
scorch_perf_writer_flush (ScorchPerfWriter  *self,
                          GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->begun, FALSE);

  if (!flush_buffer (self, error))
    return FALSE;
  return checkpoint (self, error);
}

guint64
scorch_perf_writer_get_data_size (ScorchPerfWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->data_accepted;
}

guint
scorch_perf_writer_get_n_build_ids (ScorchPerfWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_build_ids;
}

/* ---- feature sections -------------------------------------------------- */

static void
append_u32 (GByteArray *bytes,
            guint32     v)
{
  g_byte_array_append (bytes, (const guint8 *) &v, sizeof v);
}

static void
append_string (GByteArray *bytes,
               const char *str)
{
  static const guint8 zeros[NAME_ALIGN] = { 0 };
  gsize len = strlen (str) + 1;
  gsize padded = (len + NAME_ALIGN - 1) / NAME_ALIGN * NAME_ALIGN;

  append_u32 (bytes, padded);
  g_byte_array_append (bytes, (const guint8 *) str, len - 1);
  g_byte_array_append (bytes, zeros, padded - len + 1);
}

/* The NT_GNU_BUILD_ID among raw notes (/sys/kernel/notes), read with
 * libelf's note reader. */
static gboolean
parse_build_id_notes (const guint8 *data,
                      gsize         len,
                      guint8       *out,
                      guint8       *out_len)
{
  Elf_Data notes = {
    .d_buf = (void *) data,
    .d_type = ELF_T_NHDR,
    .d_version = EV_CURRENT,
    .d_size = len,
    .d_align = 4,
  };
  GElf_Nhdr nhdr;
  gsize off = 0, next, name_off, desc_off;

  elf_version (EV_CURRENT);
  while (off < len && (next = gelf_getnote (&notes, off, &nhdr, &name_off, &desc_off)) > 0)
    {
      if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
          memcmp (data + name_off, "GNU", 4) == 0 &&
          nhdr.n_descsz > 0 && nhdr.n_descsz <= BUILD_ID_MAX)
        {
          memcpy (out, data + desc_off, nhdr.n_descsz);
          *out_len = nhdr.n_descsz;
          return TRUE;
        }
      off = next;
    }
  return FALSE;
}

/* Through the module cache: the file is opened once, whoever else
 * (symbolizer, unwinder, frame-pointer check) reads it. */
static void
read_build_id_from_file (Dso *dso)
{
  dso->looked_up = TRUE;
  if (dso->filename[0] != '/')
    return;
  dso->build_id_len = scorch_module_read_build_id (dso->filename, dso->build_id, BUILD_ID_MAX);
}

static void
append_build_id (ScorchPerfWriter *self,
                 GByteArray       *bytes,
                 const char       *filename,
                 const guint8     *build_id,
                 guint             build_id_len,
                 guint16           cpumode)
{
  static const guint8 zeros[NAME_ALIGN] = { 0 };
  ScorchPerfBuildIdEvent event = { 0 };
  gsize len = strlen (filename) + 1;
  gsize padded = (len + NAME_ALIGN - 1) / NAME_ALIGN * NAME_ALIGN;

  event.header.type = 0;
  event.header.misc = cpumode | SCORCH_PERF_BUILD_ID_MISC_SIZE;
  event.header.size = sizeof event + padded;
  event.pid = -1;
  memcpy (event.build_id, build_id, build_id_len);
  event.build_id[20] = build_id_len;
  g_byte_array_append (bytes, (const guint8 *) &event, sizeof event);
  g_byte_array_append (bytes, (const guint8 *) filename, len - 1);
  g_byte_array_append (bytes, zeros, padded - len + 1);
  self->n_build_ids++;
}

static void
build_feature_build_id (ScorchPerfWriter *self,
                        GByteArray       *bytes)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) dsos = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, self->sampled);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    mark_all_maps (self, GPOINTER_TO_INT (value));

  g_hash_table_iter_init (&iter, self->dsos);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Dso *dso = value;

      if (!dso->hit)
        continue;
      if (!dso->looked_up)
        read_build_id_from_file (dso);
      if (dso->build_id_len > 0)
        g_ptr_array_add (dsos, dso);
    }

  for (guint i = 0; i < dsos->len; i++)
    {
      Dso *dso = g_ptr_array_index (dsos, i);
      append_build_id (self, bytes, dso->filename, dso->build_id, dso->build_id_len,
                       PERF_RECORD_MISC_USER);
    }

  if (self->kernel_hit)
    {
      g_autofree char *notes = NULL;
      gsize notes_len = 0;
      guint8 id[BUILD_ID_MAX];
      guint8 id_len = 0;

      if (g_file_get_contents ("/sys/kernel/notes", &notes, &notes_len, NULL) &&
          parse_build_id_notes ((const guint8 *) notes, notes_len, id, &id_len))
        append_build_id (self, bytes, "[kernel.kallsyms]", id, id_len, PERF_RECORD_MISC_KERNEL);
    }
}

static void
build_feature (ScorchPerfWriter *self,
               guint             feature,
               GByteArray       *bytes)
{
  struct utsname uts;

  uname (&uts);

  switch (feature)
    {
    case SCORCH_PERF_FEAT_BUILD_ID:
      build_feature_build_id (self, bytes);
      break;

    case SCORCH_PERF_FEAT_HOSTNAME:
      append_string (bytes, uts.nodename);
      break;

    case SCORCH_PERF_FEAT_OSRELEASE:
      append_string (bytes, uts.release);
      break;

    case SCORCH_PERF_FEAT_VERSION:
      append_string (bytes, PACKAGE_VERSION " (scorch)");
      break;

    case SCORCH_PERF_FEAT_ARCH:
      append_string (bytes, uts.machine);
      break;

    case SCORCH_PERF_FEAT_NRCPUS:
      append_u32 (bytes, get_nprocs_conf ());
      append_u32 (bytes, get_nprocs ());
      break;

    case SCORCH_PERF_FEAT_CMDLINE:
      {
        guint n = self->cmdline ? g_strv_length (self->cmdline) : 0;

        if (n == 0)
          {
            append_u32 (bytes, 1);
            append_string (bytes, "scorch");
          }
        else
          {
            append_u32 (bytes, n);
            for (guint i = 0; i < n; i++)
              append_string (bytes, self->cmdline[i]);
          }
      }
      break;

    case SCORCH_PERF_FEAT_EVENT_DESC:
      append_u32 (bytes, self->attrs->len);
      append_u32 (bytes, sizeof (struct perf_event_attr));
      for (guint i = 0; i < self->attrs->len; i++)
        {
          Attr *a = &g_array_index (self->attrs, Attr, i);

          g_byte_array_append (bytes, (const guint8 *) &a->attr, sizeof a->attr);
          append_u32 (bytes, a->ids->len);
          append_string (bytes, a->name);
          g_byte_array_append (bytes, (const guint8 *) a->ids->data, a->ids->len * sizeof (guint64));
        }
      break;

    case SCORCH_PERF_FEAT_TRACING_DATA:
      g_byte_array_append (bytes, g_bytes_get_data (self->tracing_data, NULL),
                           g_bytes_get_size (self->tracing_data));
      break;

    case SCORCH_PERF_FEAT_SCORCH:
      {
        g_autoptr(GBytes) payload = scorch_capture_notes_serialize (self->notes);

        g_byte_array_append (bytes, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

gboolean
scorch_perf_writer_finish (ScorchPerfWriter  *self,
                           GError           **error)
{
  /* in bit order; TRACING_DATA only with tracepoint events */
  static const guint all_features[] = {
    SCORCH_PERF_FEAT_TRACING_DATA,
    SCORCH_PERF_FEAT_BUILD_ID, SCORCH_PERF_FEAT_HOSTNAME, SCORCH_PERF_FEAT_OSRELEASE,
    SCORCH_PERF_FEAT_VERSION, SCORCH_PERF_FEAT_ARCH, SCORCH_PERF_FEAT_NRCPUS,
    SCORCH_PERF_FEAT_CMDLINE, SCORCH_PERF_FEAT_EVENT_DESC,
    SCORCH_PERF_FEAT_SCORCH,
  };
  const guint *features = self->tracing_data != NULL ? all_features : all_features + 1;
  const guint n_features = G_N_ELEMENTS (all_features) - (self->tracing_data != NULL ? 0 : 1);
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  ScorchPerfFileSection sections[G_N_ELEMENTS (all_features)];
  guint64 bits[4] = { 0 };
  guint64 base;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->begun, FALSE);

  if (self->finished)
    return propagate_failed (self, error);
  self->finished = TRUE;

  if (!flush_buffer (self, NULL))
    goto out;

  base = self->data_offset + self->data_on_disk;
  for (guint i = 0; i < n_features; i++)
    {
      guint before = payload->len;

      build_feature (self, features[i], payload);
      sections[i].offset = base + n_features * sizeof sections[0] + before;
      sections[i].size = payload->len - before;
      bits[features[i] / 64] |= G_GUINT64_CONSTANT (1) << (features[i] % 64);
    }

  ok = write_at (self, base, sections, n_features * sizeof sections[0], &local_error) &&
       io_write_all (self, payload->data, payload->len, NULL, &local_error) &&
       write_header (self, bits, &local_error);
  if (!ok)
    {
      /* Without the feature sections the data still loads. */
      set_failed (self, local_error, _("the feature sections"));
      write_header (self, NULL, NULL);
    }

out:
  g_clear_error (&local_error);
  if (!self->closed)
    {
      self->closed = TRUE;
      if (!io_close (self, &local_error))
        set_failed (self, local_error, _("the capture"));
    }
  return propagate_failed (self, error);
}
