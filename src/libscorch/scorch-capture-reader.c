/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-capture-reader.c: perf.data reader (see scorch-capture-reader.h) */

#include "config.h"

#define G_LOG_DOMAIN "scorch-capture-reader"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "scorch-capture-notes.h"
#include "scorch-capture-reader.h"
#include "scorch-util.h"

/* ------------------------------------------------------------------ */
/* Reader                                                              */

typedef struct
{
  guint64 time;
  guint64 offset; /* relative to the data section */
} QueuedRecord;

typedef struct _Rewrite Rewrite;

struct _ScorchCaptureReader
{
  GBytes               *bytes;
  const guint8         *base;
  gsize                 len;
  ScorchPerfFileHeader  header;
  ScorchCaptureAttrs   *attrs;
  const ScorchRecordLayout *layout; /* the attrs', kept current by them */

  char                 *hostname;
  char                 *osrelease;
  char                 *arch;
  char                 *version;
  char                 *cmdline;
  ScorchCaptureNotes   *notes;      /* the Scorch feature section (empty without one) */
  guint                 nr_cpus_online;
  guint                 nr_cpus_avail;
  GArray               *build_ids;  /* of ScorchCaptureBuildId */
  GStringChunk         *strings;

  /* Walk state */
  const guint8         *data;       /* start of the data section */
  guint64               data_size;
  guint64               pos;
  GArray               *queue;      /* of QueuedRecord, not yet flushable */
  guint                 queue_cap;  /* QueuedRecords queue holds without growing */
  GArray               *ready;      /* of QueuedRecord, sorted, to deliver */
  guint                 ready_pos;
  guint64               next_flush;
  guint64               max_time;
  gboolean              eof;

  /* Pages of a mapped file already read are given back (MADV_DONTNEED),
   * so that peak RSS does not grow with the file. */
  gboolean              mapped;
  guint64               dropped_until; /* data-relative */
  guint64               next_drop;     /* data-relative position of the next check */
  guint64               mapped_until;  /* data-relative: pages mapped ahead up to here */

  /* Damage that was read around */
  GPtrArray            *warnings;      /* of char* */
  gboolean              warned_unfinished;
  guint64               dropped_features[4];
  gboolean              unfinished;    /* data.size 0: perf record was killed */
  guint64               n_records;     /* read from the data section */
  gboolean              stopped_early; /* unfinished: the last record was cut */

  /* Pipe-mode and compressed captures: their records rewritten as a plain
   * record stream as they are read (header records applied,
   * PERF_RECORD_COMPRESSED expanded); data points into it then. */
  Rewrite              *rewrite;
  gboolean              pipe;
};

#define DROP_STEP (16u << 20)
#define KEEP_BEHIND (16u << 20)
#define MAP_AHEAD (8u << 20)

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22   /* Linux 5.14 */
#endif

/* The records of a mapped file are read once, in order: page by page,
 * that is a page fault per 16 pages (the kernel maps that many around a
 * fault), ~900 of them on a 57 MB capture, each a trip through the
 * kernel that costs microseconds on a virtual machine and is paid by the
 * thread that reads the records, the load's busiest. Here the next
 * MAP_AHEAD bytes are mapped in one call when the reader comes within
 * half of them of the end of what is mapped. An older kernel refuses
 * MADV_POPULATE_READ and the faults happen as before. */
static void
map_ahead (ScorchCaptureReader *self)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  guint64 to = MIN (self->data_size, self->pos + MAP_AHEAD);
  guintptr from_addr, to_addr;

  from_addr = (guintptr) (self->data + MAX (self->mapped_until, self->pos)) & ~(guintptr) (page - 1);
  to_addr = ((guintptr) (self->data + to) + page - 1) & ~(guintptr) (page - 1);
  if (to_addr > from_addr && madvise ((void *) from_addr, to_addr - from_addr, MADV_POPULATE_READ) != 0)
    self->mapped_until = G_MAXUINT64;  /* refused: not again */
  else
    self->mapped_until = to;
}

static gboolean
in_file (ScorchCaptureReader *self,
         guint64              offset,
         guint64              size)
{
  return offset <= self->len && size <= self->len - offset;
}

static gboolean
check_section (ScorchCaptureReader         *self,
               const ScorchPerfFileSection *section,
               guint64                      where,
               const char                  *what,
               GError                     **error)
{
  if (!in_file (self, section->offset, section->size))
    return scorch_capture_malformed (error, where,
                      _("%s section [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT ") lies outside the file (%" G_GSIZE_FORMAT " bytes; truncated?)"),
                      what, section->offset, section->size, self->len);
  return TRUE;
}

/* A perf header string: u32 len, then len bytes holding a NUL. */
static char *
read_string (ScorchCaptureReader  *self,
             const guint8        **p,
             const guint8         *end,
             GError              **error)
{
  guint32 slen;
  guint64 where = *p - self->base;

  if (end - *p < 4)
    {
      scorch_capture_malformed (error, where, _("string length cut short"));
      return NULL;
    }
  slen = scorch_perf_rd32 (*p);
  if (slen > (gsize) (end - *p) - 4)
    {
      scorch_capture_malformed (error, where, _("string of %u bytes runs past its section"), slen);
      return NULL;
    }
  *p += 4;
  {
    char *s = g_strndup ((const char *) *p, slen);
    *p += slen;
    if (!g_utf8_validate (s, -1, NULL))
      {
        char *v = g_utf8_make_valid (s, -1);
        g_free (s);
        s = v;
      }
    return s;
  }
}

static gboolean
parse_string_feature (ScorchCaptureReader         *self,
                      const ScorchPerfFileSection *sec,
                      char                       **out,
                      GError                     **error)
{
  const guint8 *p = self->base + sec->offset;

  g_clear_pointer (out, g_free);
  *out = read_string (self, &p, p + sec->size, error);
  return *out != NULL;
}

static gboolean
parse_cmdline (ScorchCaptureReader         *self,
               const ScorchPerfFileSection *sec,
               GError                     **error)
{
  const guint8 *p = self->base + sec->offset;
  const guint8 *end = p + sec->size;
  g_autoptr(GString) str = g_string_new (NULL);
  guint32 nr;

  if (sec->size < 4)
    return scorch_capture_malformed (error, sec->offset, _("CMDLINE section too short"));
  nr = scorch_perf_rd32 (p);
  p += 4;
  if (nr > sec->size / 4)
    return scorch_capture_malformed (error, sec->offset, _("CMDLINE has %u arguments, more than its size allows"), nr);
  for (guint32 i = 0; i < nr; i++)
    {
      g_autofree char *arg = read_string (self, &p, end, error);

      if (arg == NULL)
        return FALSE;
      if (str->len > 0)
        g_string_append_c (str, ' ');
      g_string_append (str, arg);
    }
  /* a pipe-mode stream may carry the section twice */
  g_free (self->cmdline);
  self->cmdline = g_string_free (g_steal_pointer (&str), FALSE);
  return TRUE;
}

static gboolean
parse_event_desc (ScorchCaptureReader         *self,
                  const ScorchPerfFileSection *sec,
                  GError                     **error)
{
  const guint8 *p = self->base + sec->offset;
  const guint8 *end = p + sec->size;
  guint32 nr, attr_size;

  if (sec->size < 8)
    return scorch_capture_malformed (error, sec->offset, _("EVENT_DESC section too short"));
  nr = scorch_perf_rd32 (p);
  attr_size = scorch_perf_rd32 (p + 4);
  p += 8;
  if (nr > SCORCH_CAPTURE_MAX_ATTRS || attr_size < PERF_ATTR_SIZE_VER0 || attr_size > SCORCH_CAPTURE_MAX_ATTR_SIZE)
    return scorch_capture_malformed (error, sec->offset, _("EVENT_DESC has %u events of %u bytes"), nr, attr_size);

  for (guint32 i = 0; i < nr; i++)
    {
      g_autofree char *name = NULL;
      guint32 nr_ids;

      if ((gsize) (end - p) < (gsize) attr_size + 4)
        return scorch_capture_malformed (error, p - self->base, _("EVENT_DESC entry %u cut short"), i);
      p += attr_size;
      nr_ids = scorch_perf_rd32 (p);
      p += 4;
      if (!(name = read_string (self, &p, end, error)))
        return FALSE;
      if (nr_ids > (gsize) (end - p) / 8)
        return scorch_capture_malformed (error, p - self->base, _("EVENT_DESC entry %u has %u ids, more than its size allows"), i, nr_ids);
      p += 8 * (gsize) nr_ids;

      scorch_capture_attrs_set_name (self->attrs, i, name);
    }
  return TRUE;
}

static gboolean
parse_build_ids (ScorchCaptureReader         *self,
                 const ScorchPerfFileSection *sec,
                 GError                     **error)
{
  const guint8 *p = self->base + sec->offset;
  const guint8 *end = p + sec->size;

  while ((gsize) (end - p) >= sizeof (ScorchPerfBuildIdEvent))
    {
      ScorchCaptureBuildId bid = { 0 };
      ScorchPerfBuildId entry;
      gsize size;

      if (!scorch_perf_record_parse_build_id (p, end - p, p - self->base, &entry, &size, error))
        return FALSE;
      bid.pid = entry.pid;
      bid.kernel = entry.kernel;
      memcpy (bid.build_id, entry.build_id, entry.build_id_len);
      bid.build_id_len = entry.build_id_len;
      bid.filename = g_string_chunk_insert_len (self->strings, entry.filename, entry.filename_len);
      g_array_append_val (self->build_ids, bid);
      p += size;
    }
  return TRUE;
}

static void add_warning (ScorchCaptureReader *self,
                         char                *message);

/* Scorch's own section (scorch-capture-notes.h). A section that is not
 * ours (another tool using the bit) or of a later version is skipped with
 * a warning; a damaged one is dropped by the caller. */
static gboolean
parse_scorch_section (ScorchCaptureReader         *self,
                      const ScorchPerfFileSection *sec,
                      GError                     **error)
{
  g_autoptr(GError) local_error = NULL;
  ScorchCaptureNotes *notes;

  notes = scorch_capture_notes_parse (self->base + sec->offset, sec->size, sec->offset, &local_error);
  if (notes == NULL)
    {
      if (g_error_matches (local_error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED))
        {
          add_warning (self, g_strdup_printf (_("%s; it was skipped"), local_error->message));
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  scorch_capture_notes_free (self->notes);
  self->notes = notes;
  return TRUE;
}

static const char *
feature_name (guint bit)
{
  static const char * const names[] = {
    [SCORCH_PERF_FEAT_TRACING_DATA] = "TRACING_DATA", [SCORCH_PERF_FEAT_BUILD_ID] = "BUILD_ID",
    [SCORCH_PERF_FEAT_HOSTNAME] = "HOSTNAME", [SCORCH_PERF_FEAT_OSRELEASE] = "OSRELEASE",
    [SCORCH_PERF_FEAT_VERSION] = "VERSION", [SCORCH_PERF_FEAT_ARCH] = "ARCH",
    [SCORCH_PERF_FEAT_NRCPUS] = "NRCPUS", [SCORCH_PERF_FEAT_CPUDESC] = "CPUDESC",
    [SCORCH_PERF_FEAT_CPUID] = "CPUID", [SCORCH_PERF_FEAT_TOTAL_MEM] = "TOTAL_MEM",
    [SCORCH_PERF_FEAT_CMDLINE] = "CMDLINE", [SCORCH_PERF_FEAT_EVENT_DESC] = "EVENT_DESC",
    [SCORCH_PERF_FEAT_CPU_TOPOLOGY] = "CPU_TOPOLOGY", [SCORCH_PERF_FEAT_NUMA_TOPOLOGY] = "NUMA_TOPOLOGY",
    [SCORCH_PERF_FEAT_BRANCH_STACK] = "BRANCH_STACK", [SCORCH_PERF_FEAT_PMU_MAPPINGS] = "PMU_MAPPINGS",
    [SCORCH_PERF_FEAT_GROUP_DESC] = "GROUP_DESC", [SCORCH_PERF_FEAT_AUXTRACE] = "AUXTRACE",
    [SCORCH_PERF_FEAT_STAT] = "STAT", [SCORCH_PERF_FEAT_CACHE] = "CACHE",
    [SCORCH_PERF_FEAT_SAMPLE_TIME] = "SAMPLE_TIME", [SCORCH_PERF_FEAT_MEM_TOPOLOGY] = "MEM_TOPOLOGY",
    [SCORCH_PERF_FEAT_CLOCKID] = "CLOCKID", [SCORCH_PERF_FEAT_DIR_FORMAT] = "DIR_FORMAT",
    [SCORCH_PERF_FEAT_BPF_PROG_INFO] = "BPF_PROG_INFO", [SCORCH_PERF_FEAT_BPF_BTF] = "BPF_BTF",
    [SCORCH_PERF_FEAT_COMPRESSED] = "COMPRESSED", [SCORCH_PERF_FEAT_CPU_PMU_CAPS] = "CPU_PMU_CAPS",
    [SCORCH_PERF_FEAT_CLOCK_DATA] = "CLOCK_DATA", [SCORCH_PERF_FEAT_HYBRID_TOPOLOGY] = "HYBRID_TOPOLOGY",
    [SCORCH_PERF_FEAT_PMU_CAPS] = "PMU_CAPS",
  };

  return bit < G_N_ELEMENTS (names) ? names[bit] : NULL;
}

static void
add_warning (ScorchCaptureReader *self,
             char                *message)
{
  g_ptr_array_add (self->warnings, message);
}

/* Parses one feature section; FALSE with error set when it is damaged. */
static gboolean
parse_feature (ScorchCaptureReader         *self,
               guint                        bit,
               const ScorchPerfFileSection *sec,
               GError                     **error)
{
  switch (bit)
    {
    case SCORCH_PERF_FEAT_HOSTNAME:
      return parse_string_feature (self, sec, &self->hostname, error);
    case SCORCH_PERF_FEAT_OSRELEASE:
      return parse_string_feature (self, sec, &self->osrelease, error);
    case SCORCH_PERF_FEAT_ARCH:
      return parse_string_feature (self, sec, &self->arch, error);
    case SCORCH_PERF_FEAT_VERSION:
      return parse_string_feature (self, sec, &self->version, error);
    case SCORCH_PERF_FEAT_NRCPUS:
      if (sec->size < 8)
        return scorch_capture_malformed (error, sec->offset, _("NRCPUS section too short"));
      self->nr_cpus_avail = scorch_perf_rd32 (self->base + sec->offset);
      self->nr_cpus_online = scorch_perf_rd32 (self->base + sec->offset + 4);
      return TRUE;
    case SCORCH_PERF_FEAT_CMDLINE:
      return parse_cmdline (self, sec, error);
    case SCORCH_PERF_FEAT_EVENT_DESC:
      return parse_event_desc (self, sec, error);
    case SCORCH_PERF_FEAT_BUILD_ID:
      return parse_build_ids (self, sec, error);
    case SCORCH_PERF_FEAT_SCORCH:
      return parse_scorch_section (self, sec, error);
    default:
      return TRUE;
    }
}

/* Feature sections are optional: as perf report does, a damaged one is
 * dropped with a warning and the rest of the capture is read. Only a table
 * whose first entry points back into the capture (or is no offset at all)
 * is an error: then data.offset or data.size, which locate it, are wrong. */
static gboolean
parse_features (ScorchCaptureReader *self,
                GError             **error)
{
  const ScorchPerfFileHeader *h = &self->header;
  guint64 table = h->data.offset + h->data.size;
  guint64 table_end;
  g_autoptr(GString) damaged = g_string_new (NULL);
  guint n = 0, n_damaged = 0;

  for (guint bit = 0; bit < SCORCH_PERF_FEAT_LAST; bit++)
    if (h->adds_features[bit / 64] & (G_GUINT64_CONSTANT (1) << (bit % 64)))
      n++;

  if (n == 0)
    return TRUE;
  table_end = table + (guint64) n * sizeof (ScorchPerfFileSection);

  for (guint bit = 0, i = 0; bit < SCORCH_PERF_FEAT_LAST; bit++)
    {
      g_autoptr(GError) local_error = NULL;
      ScorchPerfFileSection sec;
      guint64 where;
      gboolean ok;

      if (!(h->adds_features[bit / 64] & (G_GUINT64_CONSTANT (1) << (bit % 64))))
        continue;

      where = table + (guint64) i * sizeof sec;
      i++;
      if (!in_file (self, where, sizeof sec))
        ok = FALSE;
      else
        {
          memcpy (&sec, self->base + where, sizeof sec);
          /* Offsets are off_t: one above 2^63 is no file offset at all. */
          if (i == 1 && (sec.offset < table_end || sec.offset > G_MAXINT64 || sec.size > G_MAXINT64))
            return scorch_capture_malformed (error, 40,
                              _("data.offset (%" G_GUINT64_FORMAT ") or data.size (%" G_GUINT64_FORMAT ") in the header "
                                "is wrong: the feature table they locate at offset %" G_GUINT64_FORMAT
                                " starts with the section [%" G_GUINT64_FORMAT ", +%" G_GUINT64_FORMAT "), which is not after it"),
                              h->data.offset, h->data.size, table, sec.offset, sec.size);
          ok = sec.offset >= table_end && in_file (self, sec.offset, sec.size) &&
               parse_feature (self, bit, &sec, &local_error);
        }

      if (!ok)
        {
          const char *name = feature_name (bit);

          self->dropped_features[bit / 64] |= G_GUINT64_CONSTANT (1) << (bit % 64);
          if (damaged->len > 0)
            g_string_append (damaged, ", ");
          if (name != NULL)
            g_string_append (damaged, name);
          else
            g_string_append_printf (damaged, "%u", bit);
          if (local_error != NULL)
            g_debug ("feature %u: %s", bit, local_error->message);
          n_damaged++;
        }
    }

  if (n_damaged > 0)
    /* Translators: %s is a list of perf.data header section names (HOSTNAME, CMDLINE, ...) */
    add_warning (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "The capture's %s header section is damaged or cut off and was skipped; the rest was read",
                                                     "The capture's %s header sections are damaged or cut off and were skipped; the rest was read",
                                                     n_damaged),
                                        damaged->str));
  return TRUE;
}

/* ---- pipe mode and compressed records ---------------------------------- */

/* The rewritten stream lives in one reservation of address space (pages
 * appear as they are written and are given back as they are read), so a
 * capture of gigabytes decompressed needs no more memory than a plain one. */
#define MAX_STREAM_SIZE (G_GUINT64_CONSTANT (64) << 30)
#define STREAM_STEP     (1u << 20)

struct _Rewrite
{
  const guint8 *in;           /* the records as perf wrote them */
  gsize         in_size;
  gsize         in_pos;       /* next record to rewrite */
  gsize         applied_until; /* pipe header records before this were applied */
  ZSTD_DCtx    *dctx;
  ZSTD_inBuffer pending;      /* a COMPRESSED record not yet all decompressed */
  guint64       pending_where;
  gboolean      has_pending;
  gboolean      done;
  gboolean      init_done;    /* pipe mode: the header records were read */
  gboolean      warned_cut;
  guint8       *out;          /* the rewritten stream (self->data) */
  gsize         out_len;
  gsize         reserved;
};

static Rewrite *
rewrite_new (const guint8 *in,
             gsize         in_size,
             GError      **error)
{
  Rewrite *rw;
  void *out = MAP_FAILED;

  for (guint64 size = MAX_STREAM_SIZE; size >= (G_GUINT64_CONSTANT (1) << 30) && out == MAP_FAILED; size /= 4)
    {
      out = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (out != MAP_FAILED)
        {
          rw = g_new0 (Rewrite, 1);
          rw->reserved = size;
          rw->out = out;
          rw->in = in;
          rw->in_size = in_size;
          return rw;
        }
    }
  g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED,
               _("Not enough address space to decompress the capture's records: %s"), g_strerror (errno));
  return NULL;
}

static void
rewrite_free (Rewrite *rw)
{
  if (rw == NULL)
    return;
  if (rw->dctx != NULL)
    ZSTD_freeDCtx (rw->dctx);
  munmap (rw->out, rw->reserved);
  g_free (rw);
}

/* Starts over (rewind): the pages read were given back. */
static void
rewrite_restart (Rewrite *rw)
{
  madvise (rw->out, rw->out_len, MADV_DONTNEED);
  rw->out_len = 0;
  rw->in_pos = 0;
  rw->has_pending = FALSE;
  rw->done = FALSE;
  if (rw->dctx != NULL)
    ZSTD_DCtx_reset (rw->dctx, ZSTD_reset_session_only);
}

static gboolean
rewrite_append (Rewrite      *rw,
                const guint8 *data,
                gsize         len,
                GError      **error)
{
  if (len > rw->reserved - rw->out_len)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED,
                   _("The capture's records take more than %" G_GSIZE_FORMAT " GiB once decompressed"),
                   rw->reserved >> 30);
      return FALSE;
    }
  memcpy (rw->out + rw->out_len, data, len);
  rw->out_len += len;
  return TRUE;
}

/* Decompresses at most STREAM_STEP bytes of the pending COMPRESSED record.
 * perf compresses the ring buffers' bytes as one zstd stream over the
 * whole session: a record may be cut between two COMPRESSED records. */
static gboolean
rewrite_decompress (Rewrite  *rw,
                    GError  **error)
{
  ZSTD_outBuffer o;
  size_t r;

  if (rw->out_len == rw->reserved)
    return rewrite_append (rw, NULL, 1, error); /* the error */
  o.dst = rw->out + rw->out_len;
  o.size = MIN (STREAM_STEP, rw->reserved - rw->out_len);
  o.pos = 0;
  r = ZSTD_decompressStream (rw->dctx, &o, &rw->pending);
  if (ZSTD_isError (r))
    return scorch_capture_malformed (error, rw->pending_where, _("compressed records cannot be decompressed: %s"), ZSTD_getErrorName (r));
  rw->out_len += o.pos;
  /* all input read and the output not full: nothing is held back */
  if (rw->pending.pos == rw->pending.size && o.pos < o.size)
    rw->has_pending = FALSE;
  return TRUE;
}

static void
drop_feature_with_warning (ScorchCaptureReader *self,
                           guint64              bit,
                           const GError        *error)
{
  const char *name = feature_name (bit);
  g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, bit);

  if (bit < SCORCH_PERF_FEAT_LAST)
    self->dropped_features[bit / 64] |= G_GUINT64_CONSTANT (1) << (bit % 64);
  g_debug ("feature %" G_GUINT64_FORMAT ": %s", bit, error != NULL ? error->message : "");
  add_warning (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "The capture's %s header section is damaged or cut off and was skipped; the rest was read",
                                                   "The capture's %s header sections are damaged or cut off and were skipped; the rest was read",
                                                   1),
                                      name != NULL ? name : number));
}

/* A header record of a pipe-mode capture, applied as the file header's
 * sections would be. */
static gboolean
apply_pipe_header_record (ScorchCaptureReader *self,
                          const ScorchRecord  *record,
                          GError             **error)
{
  switch (record->type)
    {
    case SCORCH_PERF_RECORD_HEADER_ATTR:
      {
        ScorchPerfHeaderAttr a;
        g_autofree guint64 *ids = NULL;

        if (!scorch_perf_record_get_header_attr (record, &a, error))
          return FALSE;
        if (a.n_ids > SCORCH_CAPTURE_MAX_IDS)
          return scorch_capture_malformed (error, record->file_offset, _("HEADER_ATTR with %u ids"), a.n_ids);
        if (a.n_ids > 0)
          ids = g_memdup2 (a.ids, (gsize) a.n_ids * 8);
        return scorch_capture_attrs_add (self->attrs, a.attr, a.attr_size, ids, a.n_ids, error);
      }

    case SCORCH_PERF_RECORD_HEADER_FEATURE:
      {
        g_autoptr(GError) local_error = NULL;
        ScorchPerfHeaderFeature f;
        ScorchPerfFileSection sec;

        if (!scorch_perf_record_get_header_feature (record, &f, error))
          return FALSE;
        if (f.feature >= SCORCH_PERF_FEAT_LAST)
          return TRUE;
        sec.offset = f.data - self->base;
        sec.size = f.size;
        if (!parse_feature (self, f.feature, &sec, &local_error))
          drop_feature_with_warning (self, f.feature, local_error);
        else
          self->header.adds_features[f.feature / 64] |= G_GUINT64_CONSTANT (1) << (f.feature % 64);
        return TRUE;
      }

    case SCORCH_PERF_RECORD_EVENT_UPDATE:
      {
        ScorchPerfEventUpdate u;
        const ScorchCaptureAttr *attr;

        if (!scorch_perf_record_get_event_update (record, &u, error))
          return FALSE;
        attr = scorch_capture_attrs_lookup_id (self->attrs, u.id);
        if (u.name == NULL || attr == NULL)
          return TRUE;
        for (guint i = 0; i < scorch_capture_attrs_get_n_attrs (self->attrs); i++)
          if (scorch_capture_attrs_get_attr (self->attrs, i) == attr)
            {
              g_autofree char *name = g_utf8_make_valid (u.name, u.name_len);

              scorch_capture_attrs_set_name (self->attrs, i, name);
            }
        return TRUE;
      }

    case SCORCH_PERF_RECORD_HEADER_BUILD_ID:
      {
        ScorchPerfBuildId b;
        ScorchCaptureBuildId bid = { 0 };

        if (!scorch_perf_record_get_build_id (record, &b, error))
          return FALSE;
        bid.pid = b.pid;
        bid.kernel = b.kernel;
        memcpy (bid.build_id, b.build_id, b.build_id_len);
        bid.build_id_len = b.build_id_len;
        bid.filename = g_string_chunk_insert_len (self->strings, b.filename, b.filename_len);
        g_array_append_val (self->build_ids, bid);
        return TRUE;
      }

    default:
      return TRUE;
    }
}

/* Rewrites the records perf wrote (a pipe-mode stream, or the data
 * section of a perf record -z capture) as a plain record stream, a step
 * of about STREAM_STEP bytes at a time: kernel records and FINISHED_ROUND
 * are kept, COMPRESSED records expanded, the header records of pipe mode
 * applied and dropped, the data that TRACING_DATA and AUXTRACE records
 * carry after them skipped. A stream cut inside a record (perf killed)
 * ends there with a warning. */
static gboolean
rewrite_more (ScorchCaptureReader *self,
              GError             **error)
{
  Rewrite *rw = self->rewrite;
  gsize goal = rw->out_len + STREAM_STEP;

  while (!rw->done && rw->out_len < goal)
    {
      g_autoptr(GError) local_error = NULL;
      guint64 where;
      struct perf_event_header hdr;
      ScorchRecord record;
      gsize advance;
      gboolean ok = TRUE;

      if (rw->has_pending)
        {
          if (!rewrite_decompress (rw, error))
            return FALSE;
          continue;
        }
      if (rw->in_pos >= rw->in_size)
        {
          rw->done = TRUE;
          break;
        }

      where = (rw->in - self->base) + rw->in_pos;
      if (!scorch_perf_record_parse_stream_header (rw->in + rw->in_pos, rw->in_size - rw->in_pos, where,
                                                   &hdr, &local_error))
        {
          if (rw->in_pos > 0 && (self->pipe || self->unfinished) && rw->in_size - rw->in_pos < G_MAXUINT16)
            {
              rw->done = TRUE;
              if (!rw->warned_cut)
                {
                  rw->warned_cut = TRUE;
                  self->stopped_early = TRUE;
                  add_warning (self, g_strdup_printf (_("The capture ends inside a record at offset %" G_GUINT64_FORMAT
                                                        " (perf record was killed?); the records before it were read"),
                                                      where));
                }
              break;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      scorch_perf_record_init_raw (&record, &hdr, rw->in + rw->in_pos, where);
      advance = hdr.size;

      switch (hdr.type)
        {
        case SCORCH_PERF_RECORD_COMPRESSED:
          {
            ScorchPerfCompressed c;

            if (!scorch_perf_record_get_compressed (&record, &c, error))
              return FALSE;
            if (rw->dctx == NULL)
              rw->dctx = ZSTD_createDCtx ();
            rw->pending.src = c.data;
            rw->pending.size = c.size;
            rw->pending.pos = 0;
            rw->pending_where = where;
            rw->has_pending = TRUE;
          }
          break;

        case SCORCH_PERF_RECORD_HEADER_TRACING_DATA:
        case SCORCH_PERF_RECORD_AUXTRACE:
          {
            ScorchPerfTrailingData t;

            if (!scorch_perf_record_get_trailing_data (&record, &t, error))
              return FALSE;
            if (t.size > rw->in_size - rw->in_pos - hdr.size)
              return scorch_capture_malformed (error, where, _("record of type %u carries %" G_GUINT64_FORMAT " bytes past the end of the capture"),
                                hdr.type, t.size);
            advance += t.size;
          }
          break;

        case SCORCH_PERF_RECORD_FINISHED_ROUND:
          ok = rewrite_append (rw, rw->in + rw->in_pos, hdr.size, error);
          break;

        case SCORCH_PERF_RECORD_FINISHED_INIT:
          rw->init_done = TRUE;
          break;

        default:
          if (hdr.type < 64)
            {
              ok = rewrite_append (rw, rw->in + rw->in_pos, hdr.size, error);
              rw->init_done = TRUE;
            }
          else if (self->pipe && rw->in_pos >= rw->applied_until)
            ok = apply_pipe_header_record (self, &record, error);
          /* other user types (ID_INDEX, THREAD_MAP, ...) carry nothing we read */
          break;
        }
      if (!ok)
        return FALSE;
      rw->in_pos += advance;
      rw->applied_until = MAX (rw->applied_until, rw->in_pos);
    }

  self->data = rw->out;
  self->data_size = rw->out_len;
  return TRUE;
}

static gboolean
reader_init_pipe (ScorchCaptureReader *self,
                  GError             **error)
{
  self->pipe = TRUE;
  memset (&self->header, 0, sizeof self->header);
  self->header.magic = SCORCH_PERF_MAGIC;
  self->header.size = 16;
  self->rewrite = rewrite_new (self->base + 16, self->len - 16, error);
  if (self->rewrite == NULL)
    return FALSE;
  /* The header records (attrs, features) come before the first kernel
   * record or FINISHED_INIT; the records after them are rewritten as they
   * are read. */
  while (!self->rewrite->init_done && !self->rewrite->done)
    if (!rewrite_more (self, error))
      {
        g_prefix_error (error, _("In this capture, written in pipe mode (perf record -o -): "));
        return FALSE;
      }
  if (scorch_capture_attrs_get_n_attrs (self->attrs) == 0)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
                   _("The capture, written in pipe mode (perf record -o -), has no event attributes: "
                     "it is empty or was cut off at its start"));
      return FALSE;
    }
  if (!scorch_capture_attrs_check (self->attrs, error))
    return FALSE;
  self->queue = g_array_new (FALSE, FALSE, sizeof (QueuedRecord));
  self->ready = g_array_new (FALSE, FALSE, sizeof (QueuedRecord));
  return TRUE;
}

/* perf record writes data.size only when it ends: a perf record that was
 * killed leaves 0 there and records up to the end of the file (and no
 * feature sections). A finished empty capture has its feature table there. */
static gboolean
looks_unfinished (ScorchCaptureReader *self)
{
  const ScorchPerfFileHeader *h = &self->header;
  ScorchPerfFileSection first;
  guint n = 0;

  if (h->data.size != 0 || h->data.offset >= self->len)
    return FALSE;
  for (guint bit = 0; bit < SCORCH_PERF_FEAT_LAST; bit++)
    if (h->adds_features[bit / 64] & (G_GUINT64_CONSTANT (1) << (bit % 64)))
      n++;
  if (n == 0 || !in_file (self, h->data.offset, sizeof first))
    return TRUE;
  memcpy (&first, self->base + h->data.offset, sizeof first);
  return !(first.offset >= h->data.offset + (guint64) n * sizeof first &&
           in_file (self, first.offset, first.size));
}

static gboolean
reader_init (ScorchCaptureReader *self,
             GError             **error)
{
  const ScorchPerfFileHeader *h = &self->header;
  guint64 attr_size, n_attrs;

  if (self->len < 16)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA,
                   _("Not a perf.data file: only %" G_GSIZE_FORMAT " bytes"), self->len);
      return FALSE;
    }
  memcpy (&self->header, self->base, MIN (self->len, sizeof self->header));

  if (h->magic == SCORCH_PERF_MAGIC_SWAPPED)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED,
                   _("This perf.data was written on a machine of the other byte order; "
                     "convert it there with “perf inject -i FILE -o NEW”, or open it with perf report"));
      return FALSE;
    }
  if (h->magic != SCORCH_PERF_MAGIC)
    {
      g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA,
                   _("Not a perf.data file (no PERFILE2 magic at offset 0)"));
      return FALSE;
    }
  if (h->size == 16)
    return reader_init_pipe (self, error);
  if (self->len < sizeof self->header)
    return scorch_capture_malformed (error, 0, _("file header cut short (%" G_GSIZE_FORMAT " of 104 bytes)"), self->len);
  if (h->size != sizeof self->header)
    return scorch_capture_malformed (error, 8, _("header size %" G_GUINT64_FORMAT " is not 104"), h->size);

  attr_size = h->attr_size;
  if (attr_size < PERF_ATTR_SIZE_VER0 + sizeof (ScorchPerfFileSection) ||
      attr_size > SCORCH_CAPTURE_MAX_ATTR_SIZE + sizeof (ScorchPerfFileSection) ||
      attr_size % 8 != 0)
    return scorch_capture_malformed (error, 16, _("attribute size %" G_GUINT64_FORMAT " is out of range"), attr_size);
  if (!check_section (self, &h->attrs, 24, _("Attribute"), error))
    return FALSE;
  if (h->data.offset < sizeof self->header || h->data.offset > self->len)
    return scorch_capture_malformed (error, 40, _("data.offset %" G_GUINT64_FORMAT " in the header points %s"),
                      h->data.offset, h->data.offset < sizeof self->header ? _("into the file header")
                                                                            : _("past the end of the file"));
  self->unfinished = looks_unfinished (self);
  if (!self->unfinished && !in_file (self, h->data.offset, h->data.size))
    return scorch_capture_malformed (error, 40,
                      _("the data section (data.offset %" G_GUINT64_FORMAT ", data.size %" G_GUINT64_FORMAT
                        ") ends past the end of the file (%" G_GSIZE_FORMAT " bytes): the file is truncated "
                        "or data.size is corrupt"),
                      h->data.offset, h->data.size, self->len);
  if (h->attrs.size % attr_size != 0)
    return scorch_capture_malformed (error, 32, _("attribute section size %" G_GUINT64_FORMAT " is not a multiple of %" G_GUINT64_FORMAT),
                      h->attrs.size, attr_size);
  n_attrs = h->attrs.size / attr_size;
  if (n_attrs == 0)
    return scorch_capture_malformed (error, 32, _("the capture has no event attributes"));
  if (n_attrs > SCORCH_CAPTURE_MAX_ATTRS)
    return scorch_capture_malformed (error, 32, _("%" G_GUINT64_FORMAT " event attributes is more than Scorch reads"), n_attrs);
  if (h->data.offset % 8 != 0)
    return scorch_capture_malformed (error, 40, _("data.offset %" G_GUINT64_FORMAT " in the header is not 8-byte aligned"), h->data.offset);

  for (guint64 i = 0; i < n_attrs; i++)
    {
      guint64 where = h->attrs.offset + i * attr_size;
      const guint8 *a = self->base + where;
      ScorchPerfFileSection ids;
      g_autofree guint64 *id_values = NULL;

      memcpy (&ids, a + attr_size - sizeof ids, sizeof ids);
      if (!check_section (self, &ids, where + attr_size - sizeof ids, _("Event id"), error))
        return FALSE;
      if (ids.size % 8 != 0 || ids.size / 8 > SCORCH_CAPTURE_MAX_IDS)
        return scorch_capture_malformed (error, where + attr_size - sizeof ids, _("id section size %" G_GUINT64_FORMAT " is invalid"), ids.size);
      if (ids.size > 0)
        {
          id_values = g_malloc (ids.size);
          memcpy (id_values, self->base + ids.offset, ids.size);
        }
      if (!scorch_capture_attrs_add (self->attrs, a, attr_size - sizeof ids, id_values, ids.size / 8, error))
        {
          g_prefix_error (error, _("Attribute at offset %" G_GUINT64_FORMAT ": "), where);
          return FALSE;
        }
    }

  if (!scorch_capture_attrs_check (self->attrs, error))
    {
      g_prefix_error (error, _("Malformed perf.data at offset %" G_GUINT64_FORMAT ": "), h->attrs.offset);
      return FALSE;
    }

  self->data = self->base + h->data.offset;
  if (self->unfinished)
    {
      /* Salvage: the records up to the end of the file; no features. */
      self->data_size = (self->len - h->data.offset) & ~(guint64) 7;
      memcpy (self->dropped_features, h->adds_features, sizeof self->dropped_features);
    }
  else
    {
      self->data_size = h->data.size;
      if (!parse_features (self, error))
        return FALSE;
    }
  /* perf record -z: records in zstd frames (their sizes are no multiple
   * of 8; a killed capture may have them without the feature). */
  if ((h->adds_features[0] & (G_GUINT64_CONSTANT (1) << SCORCH_PERF_FEAT_COMPRESSED)) != 0)
    {
      gsize size = self->unfinished ? self->len - h->data.offset : self->data_size;

      self->rewrite = rewrite_new (self->data, size, error);
      if (self->rewrite == NULL)
        return FALSE;
      self->data = self->rewrite->out;
      self->data_size = 0;
    }
  self->queue = g_array_new (FALSE, FALSE, sizeof (QueuedRecord));
  self->ready = g_array_new (FALSE, FALSE, sizeof (QueuedRecord));
  return TRUE;
}

static ScorchCaptureReader *
reader_new (GBytes  *bytes,
            GError **error)
{
  ScorchCaptureReader *self = g_new0 (ScorchCaptureReader, 1);

  self->bytes = bytes;
  self->base = g_bytes_get_data (bytes, &self->len);
  self->attrs = scorch_capture_attrs_new ();
  self->layout = scorch_capture_attrs_get_layout (self->attrs);
  self->build_ids = g_array_new (FALSE, TRUE, sizeof (ScorchCaptureBuildId));
  self->strings = g_string_chunk_new (1024);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->notes = scorch_capture_notes_new ();
  if (self->base == NULL)
    self->base = (const guint8 *) "";

  if (!reader_init (self, error))
    {
      scorch_capture_reader_free (self);
      return NULL;
    }
  return self;
}

/* perf record writes a directory in two cases (tools/perf/util/data.c,
 * open_dir and perf_data__create_dir): with --threads (perf 5.17+) the
 * header and main stream go to DIR/data and each recording thread's
 * records to DIR/data.N; with --kcore DIR/data is a whole capture next to
 * DIR/kcore_dir. */
typedef enum
{
  DIR_OTHER,
  DIR_PERF_KCORE,
  DIR_PERF_THREADS,
} DirKind;

static DirKind
classify_dir (const char *path)
{
  g_autofree char *header = g_build_filename (path, "data", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  char magic[8];
  gssize n;
  int fd;

  fd = scorch_open_regular_file (header, G_MAXINT64, NULL, NULL);
  if (fd < 0)
    return DIR_OTHER;
  do
    n = read (fd, magic, sizeof magic);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n != sizeof magic || memcmp (magic, "PERFILE2", 8) != 0)
    return DIR_OTHER;

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      const char *digits = name + 5;

      if (!g_str_has_prefix (name, "data.") || *digits == '\0')
        continue;
      while (g_ascii_isdigit (*digits))
        digits++;
      if (*digits == '\0')
        return DIR_PERF_THREADS;
    }
  return DIR_PERF_KCORE;
}

ScorchCaptureReader *
scorch_capture_reader_new (const char *path,
                           GError    **error)
{
  g_autoptr(GMappedFile) mf = NULL;
  g_autoptr(GError) local_error = NULL;
  ScorchCaptureReader *self;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Never block on, or map, what is not a regular file (a FIFO would
   * hang the open; /dev/zero would map endless zeros). */
  fd = scorch_open_regular_file (path, G_MAXINT64, NULL, &local_error);
  if (fd < 0)
    {
      g_autofree char *display = g_filename_display_name (path);

      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("Cannot open the capture: "));
          return NULL;
        }
      switch (classify_dir (path))
        {
        case DIR_PERF_THREADS:
          g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_UNSUPPORTED,
                       _("“%s” is a directory: captures split per thread (perf record --threads) are not supported; "
                         "merge them with “perf data convert” or record without --threads"), display);
          break;
        case DIR_PERF_KCORE:
          g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA,
                       _("“%s” is a directory, not a capture; open the capture in it, “%s/data”"),
                       display, display);
          break;
        case DIR_OTHER:
        default:
          g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_NOT_PERF_DATA,
                       _("“%s” is a directory, not a capture"), display);
          break;
        }
      return NULL;
    }

  mf = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mf == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("Cannot open the capture: "));
      return NULL;
    }

  self = reader_new (g_mapped_file_get_bytes (mf), error);
  if (self == NULL)
    g_prefix_error (error, "%s: ", path);
  else
    {
      self->mapped = g_mapped_file_get_length (mf) > 0;
      self->next_drop = DROP_STEP;
    }
  return self;
}

ScorchCaptureReader *
scorch_capture_reader_new_from_bytes (GBytes  *bytes,
                                      GError **error)
{
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (((guintptr) data % 8) != 0)
    return reader_new (g_bytes_new (data, len), error);
  return reader_new (g_bytes_ref (bytes), error);
}

void
scorch_capture_reader_free (ScorchCaptureReader *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->attrs, scorch_capture_attrs_unref);
  g_clear_pointer (&self->queue, g_array_unref);
  g_clear_pointer (&self->ready, g_array_unref);
  g_clear_pointer (&self->build_ids, g_array_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_free (self->hostname);
  g_free (self->osrelease);
  g_free (self->arch);
  g_free (self->version);
  g_free (self->cmdline);
  g_clear_pointer (&self->notes, scorch_capture_notes_free);
  g_clear_pointer (&self->rewrite, rewrite_free);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_free (self);
}

ScorchCaptureAttrs *
scorch_capture_reader_get_attrs (ScorchCaptureReader *self)
{
  return self->attrs;
}

const char *
scorch_capture_reader_get_hostname (ScorchCaptureReader *self)
{
  return self->hostname;
}

const char *
scorch_capture_reader_get_osrelease (ScorchCaptureReader *self)
{
  return self->osrelease;
}

const char *
scorch_capture_reader_get_arch (ScorchCaptureReader *self)
{
  return self->arch;
}

const char *
scorch_capture_reader_get_perf_version (ScorchCaptureReader *self)
{
  return self->version;
}

gboolean
scorch_capture_reader_get_exit_status (ScorchCaptureReader *self,
                                       int                 *status)
{
  gint64 value = -1;
  gboolean has;

  g_return_val_if_fail (self != NULL, FALSE);

  has = scorch_capture_notes_get_int (self->notes, SCORCH_CAPTURE_NOTE_EXIT_STATUS, &value) &&
        value >= 0 && value <= G_MAXINT;
  if (status != NULL)
    *status = has ? (int) value : -1;
  return has;
}

const char *
scorch_capture_reader_get_call_graph (ScorchCaptureReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return scorch_capture_notes_get_string (self->notes, SCORCH_CAPTURE_NOTE_CALL_GRAPH);
}

ScorchCaptureNotes *
scorch_capture_reader_get_notes (ScorchCaptureReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->notes;
}

const char *
scorch_capture_reader_get_cmdline (ScorchCaptureReader *self)
{
  return self->cmdline;
}

guint
scorch_capture_reader_get_nr_cpus_online (ScorchCaptureReader *self)
{
  return self->nr_cpus_online;
}

guint
scorch_capture_reader_get_nr_cpus_avail (ScorchCaptureReader *self)
{
  return self->nr_cpus_avail;
}

const ScorchCaptureBuildId *
scorch_capture_reader_get_build_ids (ScorchCaptureReader *self,
                                     guint               *n_build_ids)
{
  *n_build_ids = self->build_ids->len;
  return (const ScorchCaptureBuildId *) (gpointer) self->build_ids->data;
}

gboolean
scorch_capture_reader_has_feature (ScorchCaptureReader *self,
                                   ScorchPerfFeature    feature)
{
  if ((guint) feature >= SCORCH_PERF_FEAT_LAST)
    return FALSE;
  return ((self->header.adds_features[feature / 64] & ~self->dropped_features[feature / 64]) &
          (G_GUINT64_CONSTANT (1) << (feature % 64))) != 0;
}

guint64
scorch_capture_reader_get_data_size (ScorchCaptureReader *self)
{
  return self->data_size;
}

guint
scorch_capture_reader_get_n_warnings (ScorchCaptureReader *self)
{
  return self->warnings->len;
}

const char *
scorch_capture_reader_get_warning (ScorchCaptureReader *self,
                                   guint                i)
{
  g_return_val_if_fail (i < self->warnings->len, NULL);
  return g_ptr_array_index (self->warnings, i);
}

gboolean
scorch_capture_reader_is_unfinished (ScorchCaptureReader *self)
{
  return self->unfinished;
}

guint64
scorch_capture_reader_get_position (ScorchCaptureReader *self)
{
  return self->pos;
}

/* Gives back the pages of the data section below the oldest record still
 * to be delivered. */
static void
drop_consumed (ScorchCaptureReader *self)
{
  guint64 low = self->pos;
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  guintptr from, to;

  for (guint i = 0; i < self->queue->len; i++)
    low = MIN (low, g_array_index (self->queue, QueuedRecord, i).offset);
  for (guint i = self->ready_pos; i < self->ready->len; i++)
    low = MIN (low, g_array_index (self->ready, QueuedRecord, i).offset);
  /* Records already delivered may still be in use: the analyzer keeps up
   * to two batches of them (4 MB each) before it is done with them, and a
   * rewritten stream's pages would read back as zeros. */
  low = low > KEEP_BEHIND ? low - KEEP_BEHIND : 0;

  from = ((guintptr) (self->data + self->dropped_until) + page - 1) & ~(guintptr) (page - 1);
  to = (guintptr) (self->data + low) & ~(guintptr) (page - 1);
  if (to > from)
    {
      madvise ((void *) from, to - from, MADV_DONTNEED);
      self->dropped_until = low;
    }
}

void
scorch_capture_reader_rewind (ScorchCaptureReader *self)
{
  if (self->rewrite != NULL)
    {
      rewrite_restart (self->rewrite);
      self->data_size = 0;
    }
  self->pos = 0;
  self->dropped_until = 0;
  self->next_drop = DROP_STEP;
  if (self->mapped_until != G_MAXUINT64)
    self->mapped_until = 0;
  self->eof = FALSE;
  self->ready_pos = 0;
  self->next_flush = 0;
  self->max_time = 0;
  g_array_set_size (self->queue, 0);
  g_array_set_size (self->ready, 0);
}

static inline gboolean
queued_before (const QueuedRecord *a,
               const QueuedRecord *b)
{
  return a->time < b->time || (a->time == b->time && a->offset < b->offset);
}

/* Sorts the queue by (time, offset). A round holds a few runs already in
 * order (one per ring buffer, and what the last round left), so this is a
 * natural merge sort: it finds the runs, then merges neighbours until one
 * is left, in O(n log runs) with the comparison inlined. The keys are
 * distinct (offsets are), so the order is the one any sort gives. */
static void
sort_queue (ScorchCaptureReader *self)
{
  QueuedRecord *a = (QueuedRecord *) (gpointer) self->queue->data;
  guint n = self->queue->len;
  g_autofree QueuedRecord *tmp = NULL;
  g_autoptr(GArray) runs = NULL;   /* guint: start of each run, then n */
  QueuedRecord *src, *dst;

  if (n < 2)
    return;
  runs = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n;)
    {
      guint j = i + 1;

      while (j < n && queued_before (&a[j - 1], &a[j]))
        j++;
      g_array_append_val (runs, i);
      i = j;
    }
  if (runs->len == 1)
    return;
  g_array_append_val (runs, n);

  tmp = g_new (QueuedRecord, n);
  src = a;
  dst = tmp;
  while (runs->len > 2)
    {
      guint *r = (guint *) (gpointer) runs->data;
      guint n_runs = runs->len - 1;
      guint out = 0;

      for (guint k = 0; k < n_runs; k += 2)
        {
          guint lo = r[k], mid = r[k + 1], hi = k + 2 <= n_runs ? r[k + 2] : mid;
          guint i = lo, j = mid, o = lo;

          while (i < mid && j < hi)
            dst[o++] = queued_before (&src[j], &src[i]) ? src[j++] : src[i++];
          if (i < mid)
            memcpy (&dst[o], &src[i], (mid - i) * sizeof *src);
          else if (j < hi)
            memcpy (&dst[o], &src[j], (hi - j) * sizeof *src);
          r[out++] = lo;
        }
      r[out++] = n;
      g_array_set_size (runs, out);
      {
        QueuedRecord *t = src;

        src = dst;
        dst = t;
      }
    }
  if (src != a)
    memcpy (a, src, n * sizeof *a);
}

#define DELIVER_AHEAD 8     /* records */
#define FRAME_AHEAD   2048  /* bytes */

/* Moves the queued records with time <= limit, sorted, to the ready list.
 * The sorted queue becomes the ready list and the records that stay are
 * copied to the other array, the new queue: one copy of those, where
 * copying the records that go and then moving those that stay down was
 * two copies of the whole queue a round, on the loading thread. */
static void
flush_queue (ScorchCaptureReader *self,
             guint64              limit)
{
  GArray *sorted = self->queue;
  guint k = 0;

  g_array_set_size (self->ready, 0);
  self->ready_pos = 0;
  if (sorted->len == 0)
    return;

  sort_queue (self);
  while (k < sorted->len && g_array_index (sorted, QueuedRecord, k).time <= limit)
    k++;
  self->queue = self->ready;
  self->ready = sorted;
  g_array_append_vals (self->queue, &g_array_index (sorted, QueuedRecord, k), sorted->len - k);
  g_array_set_size (sorted, k);
  /* what the new queue holds beyond its length is not known here: grown
   * (without a copy, where it has the room) on the next record queued */
  self->queue_cap = self->queue->len;
}

gboolean
scorch_capture_reader_next (ScorchCaptureReader *self,
                            ScorchRecord        *record,
                            GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (;;)
    {
      if (self->ready_pos < self->ready->len)
        {
          const QueuedRecord *q = &g_array_index (self->ready, QueuedRecord, self->ready_pos++);

          /* Delivered in time order, not file order: each record is a
           * cache miss the loading thread would wait on. */
          if (self->ready_pos + DELIVER_AHEAD < self->ready->len)
            __builtin_prefetch (self->data + g_array_index (self->ready, QueuedRecord,
                                                            self->ready_pos + DELIVER_AHEAD).offset);

          if G_LIKELY (scorch_record_layout_parse (self->layout, self->data + q->offset,
                                                   self->data_size - q->offset,
                                                   self->header.data.offset + q->offset, record))
            return TRUE;
          return scorch_capture_attrs_parse_record (self->attrs, self->data + q->offset,
                                                    self->data_size - q->offset,
                                                    self->header.data.offset + q->offset,
                                                    record, error);
        }

      if (self->eof)
        {
          if (self->queue->len == 0)
            return FALSE;
          flush_queue (self, G_MAXUINT64);
          continue;
        }

      /* A rewritten stream is made as it is read: a whole record must be
       * there before it is parsed. */
      if (self->rewrite != NULL && !self->rewrite->done)
        {
          struct perf_event_header hdr;

          if (!scorch_perf_record_parse_stream_header (self->data + self->pos, self->data_size - self->pos,
                                                       0, &hdr, NULL))
            {
              if (!rewrite_more (self, error))
                return FALSE;
              continue;
            }
        }

      if (self->pos >= self->data_size)
        {
          self->eof = TRUE;
          if (self->unfinished && !self->warned_unfinished)
            {
              self->warned_unfinished = TRUE;
              add_warning (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "The capture was not finished (perf record was killed?): "
                                                             "%" G_GUINT64_FORMAT " record read",
                                                             "The capture was not finished (perf record was killed?): "
                                                             "%" G_GUINT64_FORMAT " records read",
                                                             self->n_records),
                                                self->n_records));
            }
          continue;
        }

      /* An unfinished capture ends where the writer was stopped, maybe
       * inside a record: stop cleanly at the first one that is cut. */
      if (self->unfinished)
        {
          struct perf_event_header hdr;

          if (!scorch_perf_record_parse_header (self->data + self->pos, self->data_size - self->pos,
                                                0, &hdr, NULL))
            {
              self->stopped_early = TRUE;
              self->data_size = self->pos;
              continue;
            }
        }

      if ((self->mapped || self->rewrite != NULL) && self->pos >= self->next_drop)
        {
          drop_consumed (self);
          self->next_drop = self->pos + DROP_STEP;
        }
      if (self->mapped && self->rewrite == NULL && self->pos + MAP_AHEAD / 2 >= self->mapped_until &&
          self->mapped_until < self->data_size)
        map_ahead (self);

      {
        guint64 offset = self->pos;
        struct perf_event_header hdr;
        guint64 time;

        /* The file's pages are read once, in order, by this thread, and
         * the hardware prefetcher stops at each page's end. */
        if (offset + FRAME_AHEAD < self->data_size)
          __builtin_prefetch (self->data + offset + FRAME_AHEAD);
        /* Only the header and the time here (inline for one event): a
         * queued record is parsed when it is delivered, and parsing it
         * twice was 7 % of the loading thread's instructions. */
        if (!scorch_record_layout_frame (self->layout, self->data + offset, self->data_size - offset,
                                         &hdr, &time) &&
            !scorch_capture_attrs_frame_record (self->attrs, self->data + offset,
                                                self->data_size - offset,
                                                self->header.data.offset + offset,
                                                &hdr, &time, error))
          {
            if (offset == 0)
              g_prefix_error (error, _("data.offset %" G_GUINT64_FORMAT " in the header does not point at a record: "),
                              self->header.data.offset);
            return FALSE;
          }
        /* size >= 8 is checked by the parser: no endless loop */
        self->pos += hdr.size;
        self->n_records++;

        if (hdr.type == SCORCH_PERF_RECORD_FINISHED_ROUND)
          {
            flush_queue (self, self->next_flush);
            self->next_flush = self->max_time;
            continue;
          }
        if (hdr.type == SCORCH_PERF_RECORD_COMPRESSED)
          {
            g_set_error (error, SCORCH_CAPTURE_ERROR, SCORCH_CAPTURE_ERROR_MALFORMED,
                         _("Malformed perf.data at offset %" G_GUINT64_FORMAT ": compressed records, but the header "
                           "does not say the capture is compressed"), self->header.data.offset + offset);
            return FALSE;
          }

        /* as perf: delivered at once, in file order (the checks passed
         * above: this parse does not fail) */
        if (time == 0 || time == G_MAXUINT64)
          return scorch_capture_attrs_parse_record (self->attrs, self->data + offset,
                                                    self->data_size - offset,
                                                    self->header.data.offset + offset,
                                                    record, error);

        {
          GArray *queue = self->queue;

          /* once per record: stored in place, not through
           * g_array_append_val's two calls (the queue only grows) */
          if G_UNLIKELY (queue->len >= self->queue_cap)
            {
              guint len = queue->len;

              self->queue_cap = MAX (2 * len, 1024);
              g_array_set_size (queue, self->queue_cap);
              g_array_set_size (queue, len);
            }
          ((QueuedRecord *) (gpointer) queue->data)[queue->len++] = (QueuedRecord) { time, offset };
          if (time > self->max_time)
            self->max_time = time;
        }
      }
    }
}
