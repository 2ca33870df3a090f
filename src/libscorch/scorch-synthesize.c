/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-synthesize.c: COMM and MMAP2 records of an attached process
 * and the kernel map, synthesized from /proc as perf record does */

#include "config.h"

#define G_LOG_DOMAIN "scorch-recorder"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "scorch-kallsyms.h"
#include "scorch-perf-file.h"
#include "scorch-recorder-private.h"
#include "scorch-util.h"

static void
append_padded (GByteArray *rec,
               const char *str)
{
  static const guint8 zeros[8] = { 0 };
  gsize len = strlen (str) + 1;

  g_byte_array_append (rec, (const guint8 *) str, len - 1);
  g_byte_array_append (rec, zeros, 8 - (len - 1) % 8);
}

static void
finish_record (GByteArray *rec,
               gsize       start,
               guint       id_size)
{
  gsize old = rec->len;
  guint16 size;

  g_byte_array_set_size (rec, old + id_size);
  memset (rec->data + old, 0, id_size);
  /* The record is built here: its size goes into the header begun by
   * begin_record. */
  size = rec->len - start;
  memcpy (rec->data + start + G_STRUCT_OFFSET (struct perf_event_header, size), &size, sizeof size);
}

static void
begin_record (GByteArray *rec,
              guint32     type,
              guint16     misc)
{
  struct perf_event_header header = { type, misc, 0 };
  g_byte_array_append (rec, (const guint8 *) &header, sizeof header);
}

static void
append_u32 (GByteArray *rec,
            guint32     v)
{
  g_byte_array_append (rec, (const guint8 *) &v, sizeof v);
}

static void
append_u64 (GByteArray *rec,
            guint64     v)
{
  g_byte_array_append (rec, (const guint8 *) &v, sizeof v);
}

static void
synthesize_thread (ScorchRecordSession *s,
                   GByteArray          *rec,
                   guint                id_size,
                   pid_t                pid,
                   pid_t                tid,
                   pid_t                ppid)
{
  g_autofree char *comm_path = g_strdup_printf ("/proc/%d/task/%d/comm", (int) pid, (int) tid);
  g_autofree char *comm = NULL;
  gsize start;

  /* reach: the host's processes' comm comes through sysprofd */
  comm = _scorch_recorder_read_proc_file (s, comm_path);
  if (comm == NULL)
    return;
  g_strchomp (comm);

  start = rec->len;
  begin_record (rec, PERF_RECORD_FORK, 0);
  append_u32 (rec, pid);
  append_u32 (rec, tid == pid ? ppid : pid);
  append_u32 (rec, tid);
  append_u32 (rec, tid == pid ? ppid : pid);
  append_u64 (rec, 0);
  finish_record (rec, start, id_size);

  start = rec->len;
  begin_record (rec, PERF_RECORD_COMM, 0);
  append_u32 (rec, pid);
  append_u32 (rec, tid);
  append_padded (rec, comm);
  finish_record (rec, start, id_size);
}

static void
synthesize_maps (ScorchRecordSession *s,
                 GByteArray          *rec,
                 guint                id_size,
                 pid_t                pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", (int) pid);
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  /* reach: another user's maps come through sysprofd when it is used */
  maps = _scorch_recorder_read_proc_file (s, path);
  if (maps == NULL)
    return;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 start, end, pgoff, ino;
      unsigned int maj, min;
      char perms[8] = "";
      int name_off = 0;
      const char *name;
      guint32 prot = 0;
      guint16 misc = PERF_RECORD_MISC_USER;
      gsize rstart;
      guint8 bid[20];
      guint bid_len;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %7s %" G_GINT64_MODIFIER "x %x:%x %" G_GINT64_MODIFIER "u %n",
                  &start, &end, perms, &pgoff, &maj, &min, &ino, &name_off) < 7)
        continue;
      name = lines[i] + name_off;
      if (perms[0] == 'r')
        prot |= PROT_READ;
      if (perms[1] == 'w')
        prot |= PROT_WRITE;
      if (perms[2] == 'x')
        prot |= PROT_EXEC;
      if (!(prot & PROT_EXEC))
        misc |= PERF_RECORD_MISC_MMAP_DATA;
      if (*name == '\0')
        {
          if (!(prot & PROT_EXEC))
            continue;
          name = "//anon";
        }

      /* reach: a host process's file, as the host has it (its build id
       * tells it from the sandbox runtime's file of the same path) */
      bid_len = (prot & PROT_EXEC) ? _scorch_recorder_host_build_id (s, name, bid) : 0;
      if (bid_len > 0)
        misc |= PERF_RECORD_MISC_MMAP_BUILD_ID;

      rstart = rec->len;
      begin_record (rec, PERF_RECORD_MMAP2, misc);
      append_u32 (rec, pid);
      append_u32 (rec, pid);
      append_u64 (rec, start);
      append_u64 (rec, end - start);
      append_u64 (rec, pgoff);
      if (bid_len > 0)
        {
          guint8 id_block[24] = { (guint8) bid_len, 0, };

          memcpy (id_block + 4, bid, bid_len);
          g_byte_array_append (rec, id_block, sizeof id_block);
        }
      else
        {
          append_u32 (rec, maj);
          append_u32 (rec, min);
          append_u64 (rec, ino);
          append_u64 (rec, 0);
        }
      append_u32 (rec, prot);
      append_u32 (rec, perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE);
      append_padded (rec, name);
      finish_record (rec, rstart, id_size);
    }
}

/* The kernel map perf uses to place kernel samples ("[kernel.kallsyms]_text",
 * starting at _text, which also gives perf the KASLR relocation). */
void
_scorch_recorder_synthesize_kernel_map (GByteArray *rec,
                                        guint       id_size)
{
  guint64 text = 0;
  gsize start;

  /* FALSE also when kptr_restrict hides the addresses */
  if (!scorch_kallsyms_find ("/proc/kallsyms", "_text", 10000, &text))
    return;

  start = rec->len;
  begin_record (rec, PERF_RECORD_MMAP, PERF_RECORD_MISC_KERNEL);
  append_u32 (rec, (guint32) -1);
  append_u32 (rec, 0);
  append_u64 (rec, text);
  append_u64 (rec, G_MAXUINT64 - text);
  append_u64 (rec, text);
  append_padded (rec, "[kernel.kallsyms]_text");
  finish_record (rec, start, id_size);
}

GByteArray *
_scorch_recorder_synthesize_process (ScorchRecordSession *s)
{
  return _scorch_recorder_synthesize_pid (s, s->target);
}

GByteArray *
_scorch_recorder_synthesize_pid (ScorchRecordSession *s,
                                 pid_t                target)
{
  GByteArray *rec = g_byte_array_new ();
  guint id_size = scorch_perf_id_header_size (&s->attr);
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", (int) target);
  g_autofree char *status = NULL;
  g_autoptr(GArray) tids = _scorch_recorder_list_target_tids (s, target);
  pid_t ppid = 0;

  status = _scorch_recorder_read_proc_file (s, status_path);
  if (status != NULL)
    {
      const char *line = strstr (status, "\nPPid:");
      if (line != NULL)
        ppid = atoi (line + 6);
    }

  synthesize_thread (s, rec, id_size, target, target, ppid);
  for (guint i = 0; i < tids->len; i++)
    if (g_array_index (tids, pid_t, i) != target)
      synthesize_thread (s, rec, id_size, target, g_array_index (tids, pid_t, i), ppid);
  synthesize_maps (s, rec, id_size, target);
  return rec;
}
