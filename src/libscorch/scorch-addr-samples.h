/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-addr-samples.h: per sampled address (module, file offset) the
 * samples that stopped there (self) and the samples whose stack passed
 * through it (total), with the frames its inline chain was interned as;
 * kept by the analyzer beside the call tree, read by the annotation
 * (source and disassembly view).  Immutable once made; shared by every
 * view of a profile (the counts cover the whole capture). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SCORCH_ADDR_SAMPLES_MAX_BUILD_ID 64

typedef struct
{
  char   *path;                                      /* as mapped (untrusted) */
  guint8  build_id[SCORCH_ADDR_SAMPLES_MAX_BUILD_ID];
  guint   build_id_len;                              /* 0: unknown */
} ScorchAddrModule;

typedef struct
{
  guint32 module;  /* index into the modules */
  guint32 run;     /* frames: run[0] = n, run[1..n] = frame ids, innermost first */
  guint64 offset;  /* file offset in the module (callers: the return address - 1) */
  guint64 self;
  guint64 total;   /* each sample counted once per address */
} ScorchAddrSample;

typedef struct _ScorchAddrSamples ScorchAddrSamples;

/* Takes the arrays over: modules of ScorchAddrModule (paths owned),
 * samples of ScorchAddrSample, runs of guint32. */
ScorchAddrSamples      *scorch_addr_samples_new         (GArray            *modules,
                                                         GArray            *samples,
                                                         GArray            *runs);
ScorchAddrSamples      *scorch_addr_samples_ref         (ScorchAddrSamples *self);
void                    scorch_addr_samples_unref       (ScorchAddrSamples *self);

const ScorchAddrModule *scorch_addr_samples_get_modules (ScorchAddrSamples *self,
                                                         guint             *n_modules);
const ScorchAddrSample *scorch_addr_samples_get_samples (ScorchAddrSamples *self,
                                                         guint             *n_samples);
/* The run of s: returns n and sets *frames to the n frame ids, innermost first. */
guint                   scorch_addr_samples_get_frames  (ScorchAddrSamples      *self,
                                                         const ScorchAddrSample *s,
                                                         const guint32         **frames);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScorchAddrSamples, scorch_addr_samples_unref)

G_END_DECLS
