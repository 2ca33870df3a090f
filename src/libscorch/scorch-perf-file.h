/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-perf-file.h: the on-disk layout of perf.data (PERFILE2), shared by
 * the writer and the reader. See tools/perf/Documentation/perf.data-file-format.txt. */

#pragma once

#include <glib.h>
#include <linux/perf_event.h>

G_BEGIN_DECLS

#define SCORCH_PERF_MAGIC         0x32454c4946524550ULL /* "PERFILE2" little-endian */
#define SCORCH_PERF_MAGIC_SWAPPED 0x50455246494c4532ULL

typedef struct
{
  guint64 offset;
  guint64 size;
} ScorchPerfFileSection;

typedef struct
{
  guint64               magic;
  guint64               size;      /* sizeof (ScorchPerfFileHeader) == 104 */
  guint64               attr_size; /* sizeof (struct perf_event_attr) as written + sizeof (section) */
  ScorchPerfFileSection attrs;
  ScorchPerfFileSection data;
  ScorchPerfFileSection event_types;
  guint64               adds_features[4];
} ScorchPerfFileHeader;

G_STATIC_ASSERT (sizeof (ScorchPerfFileHeader) == 104);

/* Feature bits (tools/perf/util/header.h) */
typedef enum
{
  SCORCH_PERF_FEAT_TRACING_DATA = 1,
  SCORCH_PERF_FEAT_BUILD_ID = 2,
  SCORCH_PERF_FEAT_HOSTNAME = 3,
  SCORCH_PERF_FEAT_OSRELEASE = 4,
  SCORCH_PERF_FEAT_VERSION = 5,
  SCORCH_PERF_FEAT_ARCH = 6,
  SCORCH_PERF_FEAT_NRCPUS = 7,
  SCORCH_PERF_FEAT_CPUDESC = 8,
  SCORCH_PERF_FEAT_CPUID = 9,
  SCORCH_PERF_FEAT_TOTAL_MEM = 10,
  SCORCH_PERF_FEAT_CMDLINE = 11,
  SCORCH_PERF_FEAT_EVENT_DESC = 12,
  SCORCH_PERF_FEAT_CPU_TOPOLOGY = 13,
  SCORCH_PERF_FEAT_NUMA_TOPOLOGY = 14,
  SCORCH_PERF_FEAT_BRANCH_STACK = 15,
  SCORCH_PERF_FEAT_PMU_MAPPINGS = 16,
  SCORCH_PERF_FEAT_GROUP_DESC = 17,
  SCORCH_PERF_FEAT_AUXTRACE = 18,
  SCORCH_PERF_FEAT_STAT = 19,
  SCORCH_PERF_FEAT_CACHE = 20,
  SCORCH_PERF_FEAT_SAMPLE_TIME = 21,
  SCORCH_PERF_FEAT_MEM_TOPOLOGY = 22,
  SCORCH_PERF_FEAT_CLOCKID = 23,
  SCORCH_PERF_FEAT_DIR_FORMAT = 24,
  SCORCH_PERF_FEAT_BPF_PROG_INFO = 25,
  SCORCH_PERF_FEAT_BPF_BTF = 26,
  SCORCH_PERF_FEAT_COMPRESSED = 27,
  SCORCH_PERF_FEAT_CPU_PMU_CAPS = 28,
  SCORCH_PERF_FEAT_CLOCK_DATA = 29,
  SCORCH_PERF_FEAT_HYBRID_TOPOLOGY = 30,
  SCORCH_PERF_FEAT_PMU_CAPS = 31,
  SCORCH_PERF_FEAT_LAST = 256,
} ScorchPerfFeature;

/* Scorch's own feature section: what only Scorch knows of a capture. Its
 * payload format is defined in scorch-capture-notes.h. perf 6.1 skips
 * feature bits it does not know (HEADER_LAST_FEATURE is 32 there), so the
 * file still reads in perf report and perf script. */
#define SCORCH_PERF_FEAT_SCORCH   200
#define SCORCH_PERF_SCORCH_MAGIC  0x524f4353u /* "SCOR" */

/* Record types perf itself adds to the data section (user types, >= 64) */
typedef enum
{
  SCORCH_PERF_RECORD_HEADER_ATTR = 64,
  SCORCH_PERF_RECORD_HEADER_EVENT_TYPE = 65,
  SCORCH_PERF_RECORD_HEADER_TRACING_DATA = 66,
  SCORCH_PERF_RECORD_HEADER_BUILD_ID = 67,
  SCORCH_PERF_RECORD_FINISHED_ROUND = 68,
  SCORCH_PERF_RECORD_ID_INDEX = 69,
  SCORCH_PERF_RECORD_AUXTRACE_INFO = 70,
  SCORCH_PERF_RECORD_AUXTRACE = 71,
  SCORCH_PERF_RECORD_AUXTRACE_ERROR = 72,
  SCORCH_PERF_RECORD_THREAD_MAP = 73,
  SCORCH_PERF_RECORD_CPU_MAP = 74,
  SCORCH_PERF_RECORD_STAT_CONFIG = 75,
  SCORCH_PERF_RECORD_STAT = 76,
  SCORCH_PERF_RECORD_STAT_ROUND = 77,
  SCORCH_PERF_RECORD_EVENT_UPDATE = 78,
  SCORCH_PERF_RECORD_TIME_CONV = 79,
  SCORCH_PERF_RECORD_HEADER_FEATURE = 80,
  SCORCH_PERF_RECORD_COMPRESSED = 81,
  SCORCH_PERF_RECORD_FINISHED_INIT = 82,
} ScorchPerfUserRecord;

/* A BUILD_ID feature entry: header, pid, build id padded to 24 bytes, then
 * the NUL-padded filename (to a multiple of 8). */
typedef struct
{
  struct perf_event_header header; /* misc: PERF_RECORD_MISC_USER/KERNEL, | BUILD_ID_SIZE flag */
  gint32                   pid;
  guint8                   build_id[24];
  /* char filename[]; */
} ScorchPerfBuildIdEvent;

#define SCORCH_PERF_BUILD_ID_MISC_SIZE (1 << 15) /* PERF_RECORD_MISC_BUILD_ID_SIZE: data[20] holds the size */

/* x86_64 user register mask perf uses for DWARF unwinding (AX..SS, R8..R15). */
#define SCORCH_PERF_REGS_USER_X86_64 0xff0fffULL

#ifndef PERF_RECORD_MISC_MMAP_BUILD_ID
# define PERF_RECORD_MISC_MMAP_BUILD_ID (1 << 14)
#endif

G_END_DECLS
