/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-perf-writer.c: tests of scorch-perf-writer.c (layout, features, write errors) */

#include "config.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record-test-util.h"
#include "scorch-perf-file.h"
#include "scorch-perf-writer.h"

#define FAKE_PID 4242

static void
make_attr (struct perf_event_attr *attr)
{
  memset (attr, 0, sizeof *attr);
  attr->size = sizeof *attr;
  attr->type = PERF_TYPE_SOFTWARE;
  attr->config = PERF_COUNT_SW_CPU_CLOCK;
  attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD;
  attr->sample_period = 1000000;
  attr->sample_id_all = 1;
  attr->mmap2 = 1;
  attr->comm = 1;
}

static void
end_record (GByteArray *rec, gsize start, gboolean trailer)
{
  if (trailer)
    {
      test_rec_put64 (rec, (guint64) FAKE_PID << 32 | FAKE_PID); /* TID */
      test_rec_put64 (rec, 1000);                                  /* TIME */
    }
  test_rec_end (rec, start);
}

/* COMM + MMAP2 of this test binary's text (named FILENAME when not NULL)
 * + n samples inside it. */
static GByteArray *
fake_records_named (guint n_samples, guint64 *text_start, const char *filename)
{
  GByteArray *rec = g_byte_array_new ();
  g_autofree char *maps = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_auto(GStrv) lines = NULL;
  guint64 start = 0, end = 0, pgoff = 0;
  gsize s;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], " r-xp ") != NULL && g_str_has_suffix (lines[i], exe))
      {
        g_assert_cmpint (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x r-xp %" G_GINT64_MODIFIER "x",
                                 &start, &end, &pgoff), ==, 3);
        break;
      }
  g_assert_cmpuint (start, !=, 0);
  *text_start = start;

  s = rec->len;
  test_rec_begin (rec, PERF_RECORD_COMM, 0);
  test_rec_put32 (rec, FAKE_PID);
  test_rec_put32 (rec, FAKE_PID);
  test_rec_put_string (rec, "fake-comm");
  end_record (rec, s, TRUE);

  s = rec->len;
  test_rec_begin (rec, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
  test_rec_put32 (rec, FAKE_PID);
  test_rec_put32 (rec, FAKE_PID);
  test_rec_put64 (rec, start);
  test_rec_put64 (rec, end - start);
  test_rec_put64 (rec, pgoff);
  test_rec_put32 (rec, 0);
  test_rec_put32 (rec, 0);
  test_rec_put64 (rec, 0);
  test_rec_put64 (rec, 0);
  test_rec_put32 (rec, PROT_READ | PROT_EXEC);
  test_rec_put32 (rec, MAP_PRIVATE);
  test_rec_put_string (rec, filename != NULL ? filename : exe);
  end_record (rec, s, TRUE);

  for (guint i = 0; i < n_samples; i++)
    {
      s = rec->len;
      test_rec_begin (rec, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
      test_rec_put64 (rec, start + 16); /* IP in the text */
      test_rec_put32 (rec, FAKE_PID);
      test_rec_put32 (rec, FAKE_PID);
      test_rec_put64 (rec, 2000 + i);
      test_rec_put64 (rec, 1000000);
      end_record (rec, s, FALSE);
    }
  return rec;
}

static GByteArray *
fake_records (guint n_samples, guint64 *text_start)
{
  return fake_records_named (n_samples, text_start, NULL);
}

static gboolean
read_build_id (const char *path, GString *hex)
{
  const guint8 *id = NULL;
  ssize_t len;
  int fd = open (path, O_RDONLY);
  Elf *elf;

  g_assert_cmpint (fd, >=, 0);
  elf_version (EV_CURRENT);
  elf = elf_begin (fd, ELF_C_READ, NULL);
  len = dwelf_elf_gnu_build_id (elf, (const void **) &id);
  for (ssize_t i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", id[i]);
  elf_end (elf);
  close (fd);
  return len > 0;
}

static void
test_layout (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-writer-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "out.data", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(ScorchPerfWriter) writer = NULL;
  g_autoptr(GByteArray) records = NULL;
  struct perf_event_attr attr;
  const guint64 ids[] = { 11, 12 };
  const char *argv[] = { "scorch", "record", NULL };
  const ScorchPerfFileHeader *header;
  const ScorchPerfFileSection *sections;
  guint64 text_start;
  gsize len;
  guint64 expected_features = 0;
  guint features[] = { 2, 3, 4, 5, 6, 7, 11, 12 };
  g_autoptr(GString) build_id = g_string_new (NULL);
  g_autofree char *perf = g_find_program_in_path ("perf");

  g_assert_no_error (error);
  make_attr (&attr);
  writer = scorch_perf_writer_new_for_path (path, &error);
  g_assert_no_error (error);
  scorch_perf_writer_add_attr (writer, &attr, "cpu-clock", ids, G_N_ELEMENTS (ids));
  scorch_perf_writer_set_cmdline (writer, argv);
  g_assert_true (scorch_perf_writer_begin (writer, &error));
  g_assert_no_error (error);

  records = fake_records (50, &text_start);
  g_assert_true (scorch_perf_writer_add_records (writer, records->data, records->len, &error));
  g_assert_true (scorch_perf_writer_finish_round (writer, &error));
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_perf_writer_get_data_size (writer), ==, records->len + 8);
  g_assert_cmpuint (scorch_perf_writer_get_n_build_ids (writer), ==, 1);

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpuint (len, >=, sizeof *header);
  header = (const ScorchPerfFileHeader *) contents;
  g_assert_cmphex (header->magic, ==, SCORCH_PERF_MAGIC);
  g_assert_cmpuint (header->size, ==, 104);
  g_assert_cmpuint (header->attr_size, ==, sizeof (struct perf_event_attr) + 16);
  g_assert_cmpuint (header->attrs.size, ==, header->attr_size);
  g_assert_cmpuint (header->attrs.offset + header->attrs.size, <=, len);
  g_assert_cmpmem (contents + header->attrs.offset, sizeof attr, &attr, sizeof attr);
  {
    const ScorchPerfFileSection *id_sec = (const void *) (contents + header->attrs.offset + sizeof attr);
    g_assert_cmpuint (id_sec->size, ==, sizeof ids);
    g_assert_cmpmem (contents + id_sec->offset, id_sec->size, ids, sizeof ids);
  }
  g_assert_cmpuint (header->data.size, ==, records->len + 8);
  g_assert_cmpmem (contents + header->data.offset, records->len, records->data, records->len);
  for (guint i = 0; i < G_N_ELEMENTS (features); i++)
    expected_features |= G_GUINT64_CONSTANT (1) << features[i];
  g_assert_cmphex (header->adds_features[0], ==, expected_features);

  /* BUILD_ID (first section) names this binary with its build id. */
  sections = (const void *) (contents + header->data.offset + header->data.size);
  g_assert_cmpuint (sections[0].offset + sections[0].size, <=, len);
  {
    const ScorchPerfBuildIdEvent *ev = (const void *) (contents + sections[0].offset);
    g_autoptr(GString) found = g_string_new (NULL);

    g_assert_cmpuint (ev->header.size, <=, sections[0].size);
    g_assert_cmpstr ((const char *) (ev + 1), ==, exe);
    for (guint i = 0; i < ev->build_id[20]; i++)
      g_string_append_printf (found, "%02x", ev->build_id[i]);
    if (read_build_id (exe, build_id))
      g_assert_cmpstr (found->str, ==, build_id->str);
  }

  /* perf itself reads it (no perf_event_open needed). */
  if (perf != NULL)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status;
      const char *perf_argv[] = { "perf", "script", "-i", path, NULL };

      g_assert_true (g_spawn_sync (NULL, (char **) perf_argv, NULL, G_SPAWN_SEARCH_PATH,
                                   NULL, NULL, &out, &err, &status, &error));
      g_assert_no_error (error);
      g_test_message ("perf script stderr: %s", err);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (out, "fake-comm"));
      g_assert_null (strstr (err, "corrupt"));
      {
        g_auto(GStrv) parts = g_strsplit (out, "fake-comm", -1);
        g_assert_cmpuint (g_strv_length (parts) - 1, ==, 50);
      }
    }

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_no_space (void)
{
  guint8 *buffer = g_malloc0 (8192);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new (buffer, 8192, NULL, NULL);
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new (stream, "tiny.data");
  g_autoptr(GByteArray) first = NULL;
  g_autoptr(GByteArray) second = NULL;
  g_autoptr(GError) error = NULL;
  const ScorchPerfFileHeader *header = (const void *) buffer;
  struct perf_event_attr attr;
  guint64 text_start;

  make_attr (&attr);
  scorch_perf_writer_add_attr (writer, &attr, "cpu-clock", NULL, 0);
  g_assert_true (scorch_perf_writer_begin (writer, &error));
  first = fake_records (20, &text_start);
  g_assert_true (scorch_perf_writer_add_records (writer, first->data, first->len, &error));
  g_assert_true (scorch_perf_writer_flush (writer, &error));
  g_assert_no_error (error);
  g_assert_cmphex (header->magic, ==, SCORCH_PERF_MAGIC);
  g_assert_cmpuint (header->data.size, ==, first->len);   /* checkpoint */

  second = fake_records (400, &text_start);
  g_assert_true (scorch_perf_writer_add_records (writer, second->data, second->len, &error));
  g_assert_false (scorch_perf_writer_flush (writer, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "tiny.data"));
  g_clear_error (&error);

  /* Later calls report the same error; the header covers what reached the stream. */
  g_assert_false (scorch_perf_writer_add_records (writer, second->data, second->len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_false (scorch_perf_writer_finish (writer, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmphex (header->magic, ==, SCORCH_PERF_MAGIC);
  g_assert_cmpuint (header->data.offset + header->data.size, <=, 8192);
  g_assert_cmpuint (header->data.size, >=, first->len);
  g_assert_cmphex (header->adds_features[0], ==, 0);

  /* The data section ends on a record boundary. */
  {
    guint64 off = 0;
    while (off < header->data.size)
      {
        const struct perf_event_header *h = (const void *) (buffer + header->data.offset + off);
        g_assert_cmpuint (h->size, >=, 8);
        off += h->size;
      }
    g_assert_cmpuint (off, ==, header->data.size);
  }
  g_clear_object (&stream);
  g_free (buffer);
}

static void
test_malformed (void)
{
  guint8 *buffer = g_malloc0 (65536);
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new (buffer, 65536, NULL, NULL);
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new (stream, "bad.data");
  g_autoptr(GError) error = NULL;
  struct perf_event_attr attr;
  guint64 junk[4] = { 0 };
  struct perf_event_header *h = (struct perf_event_header *) junk;

  make_attr (&attr);
  scorch_perf_writer_add_attr (writer, &attr, "cpu-clock", NULL, 0);
  g_assert_true (scorch_perf_writer_begin (writer, &error));
  g_assert_false (scorch_perf_writer_add_records (writer, junk, sizeof junk, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  h->type = PERF_RECORD_SAMPLE;
  h->size = 64;   /* longer than the batch */
  g_assert_false (scorch_perf_writer_add_records (writer, junk, sizeof junk, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_clear_object (&stream);
  g_free (buffer);
}

static void
test_id_header_size (void)
{
  struct perf_event_attr attr = { 0 };

  attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_CALLCHAIN;
  g_assert_cmpuint (scorch_perf_id_header_size (&attr), ==, 0);
  attr.sample_id_all = 1;
  g_assert_cmpuint (scorch_perf_id_header_size (&attr), ==, 24);
  attr.sample_type |= PERF_SAMPLE_IDENTIFIER;
  g_assert_cmpuint (scorch_perf_id_header_size (&attr), ==, 32);
}

/* The build ids of the modules samples hit are read from the files the
 * MMAP2 records name: one that is a FIFO must not block the writer. */
static void
test_fifo_module (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("scorch-writer-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "out.data", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autoptr(ScorchPerfWriter) writer = NULL;
  g_autoptr(GByteArray) records = NULL;
  struct perf_event_attr attr;
  const guint64 ids[] = { 11 };
  guint64 text_start;

  g_assert_no_error (error);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  make_attr (&attr);
  writer = scorch_perf_writer_new_for_path (path, &error);
  g_assert_no_error (error);
  scorch_perf_writer_add_attr (writer, &attr, "cpu-clock", ids, G_N_ELEMENTS (ids));
  g_assert_true (scorch_perf_writer_begin (writer, &error));
  records = fake_records_named (5, &text_start, fifo);
  g_assert_true (scorch_perf_writer_add_records (writer, records->data, records->len, &error));
  g_assert_true (scorch_perf_writer_finish_round (writer, &error));
  /* Hangs in open() without the regular-file check (the meson timeout
   * then fails the test). */
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_perf_writer_get_n_build_ids (writer), ==, 0);

  g_unlink (fifo);
  g_unlink (path);
  g_rmdir (dir);
}

/* BUILD_ID lists the binaries samples hit: in frame-pointer mode the
 * ones an address falls in; in DWARF mode every binary of a sampled
 * process (the unwinder may read any of them), also after that process
 * exec'd another program. */
static void
check_build_ids_hit (gboolean dwarf,
                     gboolean exec_after,
                     guint    expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(ScorchPerfWriter) writer = scorch_perf_writer_new (out, "memory");
  g_autoptr(GByteArray) records = NULL;
  struct perf_event_attr attr;
  guint64 text_start;
  gsize s;

  make_attr (&attr);
  if (dwarf)
    attr.sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
  scorch_perf_writer_add_attr (writer, &attr, "cpu-clock", NULL, 0);
  g_assert_true (scorch_perf_writer_begin (writer, &error));

  records = fake_records (0, &text_start);
  s = records->len;
  test_rec_begin (records, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
  test_rec_put64 (records, 0x10); /* IP in no mapping */
  test_rec_put32 (records, FAKE_PID);
  test_rec_put32 (records, FAKE_PID);
  test_rec_put64 (records, 2000);
  test_rec_put64 (records, 1000000);
  if (dwarf)
    {
      test_rec_put64 (records, 0); /* regs: ABI none */
      test_rec_put64 (records, 0); /* stack: size 0 */
    }
  end_record (records, s, FALSE);
  if (exec_after)
    {
      s = records->len;
      test_rec_begin (records, PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC);
      test_rec_put32 (records, FAKE_PID);
      test_rec_put32 (records, FAKE_PID);
      test_rec_put_string (records, "other");
      end_record (records, s, TRUE);
      s = records->len;
      test_rec_begin (records, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
      test_rec_put32 (records, FAKE_PID);
      test_rec_put32 (records, FAKE_PID);
      test_rec_put64 (records, text_start);
      test_rec_put64 (records, 0x1000);
      test_rec_put64 (records, 0);
      test_rec_put64 (records, 0); test_rec_put64 (records, 0); test_rec_put64 (records, 0);
      test_rec_put32 (records, PROT_READ | PROT_EXEC);
      test_rec_put32 (records, MAP_PRIVATE);
      test_rec_put_string (records, "/nonexistent/other");
      end_record (records, s, TRUE);
    }

  g_assert_true (scorch_perf_writer_add_records (writer, records->data, records->len, &error));
  g_assert_true (scorch_perf_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (scorch_perf_writer_get_n_build_ids (writer), ==, expected);
}

static void
test_build_ids_hit (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GString) build_id = g_string_new (NULL);

  if (!read_build_id (exe, build_id))
    {
      g_test_skip ("the test binary has no build id");
      return;
    }
  check_build_ids_hit (FALSE, FALSE, 0);
  check_build_ids_hit (TRUE, FALSE, 1);
  check_build_ids_hit (TRUE, TRUE, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libscorch/perf-writer/layout", test_layout);
  g_test_add_func ("/libscorch/perf-writer/no-space", test_no_space);
  g_test_add_func ("/libscorch/perf-writer/malformed", test_malformed);
  g_test_add_func ("/libscorch/perf-writer/id-header-size", test_id_header_size);
  g_test_add_func ("/libscorch/perf-writer/fifo-module", test_fifo_module);
  g_test_add_func ("/libscorch/perf-writer/build-ids-hit", test_build_ids_hit);

  return g_test_run ();
}
