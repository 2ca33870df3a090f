/* SPDX-License-Identifier: GPL-3.0-or-later */
/* scorch-annotate.c: per-line and per-instruction samples of one function
 * (see the header).  The sampled addresses come from the profile's
 * ScorchAddrSamples; lines from a symbolizer of our own in
 * SCORCH_SYMBOLIZER_LINES_ADDRESS mode (the load's symbolizer keeps only
 * declaration lines); bytes from the module's executable section. */

#include "config.h"

#define G_LOG_DOMAIN "scorch-annotate"

#include <glib/gi18n.h>
#include <fcntl.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

#if HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

#include "scorch-annotate.h"
#include "scorch-debug-files.h"
#include "scorch-demangle.h"
#include "scorch-dwarf-cu-index.h"
#include "scorch-symbolizer.h"
#include "scorch-util.h"

#define MAX_CHAIN          32
#define MAX_FUNCTION_BYTES (4u << 20)   /* larger functions are cut */
#define MAX_SOURCE_BYTES   (G_GINT64_CONSTANT (64) << 20)
#define MAX_GAP_LINES      2000         /* a main-file range wider than this is not filled */

G_DEFINE_QUARK (scorch-annotate-error-quark, scorch_annotate_error)

typedef struct
{
  guint64 offset;   /* p_offset */
  guint64 filesz;
  guint64 vaddr;
} Segment;

typedef struct
{
  char    *path;    /* where it was read from */
  char    *text;
  gsize    length;
  GArray  *starts;  /* gsize: offset of each line, line 1 first */
} SourceFile;

struct _ScorchAnnotation
{
  GStringChunk  *strings;
  const char    *function;
  const char    *module;
  guint64        self;
  guint64        total;
  GArray        *lines;     /* ScorchAnnotateLine */
  GArray        *insns;     /* ScorchAnnotateInsn */
  const char    *source_file;
  SourceFile    *source;    /* borrowed from sources */
  GHashTable    *sources;   /* DWARF name (interned) -> SourceFile* or NULL (not found) */
  ScorchAnnotateMissing missing;
  GPtrArray     *messages;
};

/* ------------------------------------------------------------------------ */

static void
source_file_free (gpointer data)
{
  SourceFile *s = data;

  if (s == NULL)
    return;
  g_free (s->path);
  g_free (s->text);
  g_array_unref (s->starts);
  g_free (s);
}

void
scorch_annotation_free (ScorchAnnotation *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->lines, g_array_unref);
  g_clear_pointer (&self->insns, g_array_unref);
  g_clear_pointer (&self->sources, g_hash_table_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  g_free (self);
}

static const char *
intern (ScorchAnnotation *self,
        const char       *s)
{
  return s != NULL ? g_string_chunk_insert_const (self->strings, s) : NULL;
}

static void
add_message (ScorchAnnotation      *self,
             ScorchAnnotateMissing  what,
             char                  *message)
{
  self->missing |= what;
  g_ptr_array_add (self->messages, message);
}

/* ------------------------------------------------------------------------ */
/* Finding the function                                                     */

gboolean
scorch_annotate_find_frame (ScorchProfile  *profile,
                            const char     *name,
                            guint32        *frame,
                            GError        **error)
{
  const ScorchHotspot *hotspots;
  guint n_hotspots;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), FALSE);
  g_return_val_if_fail (name != NULL && frame != NULL, FALSE);

  /* Hotspots are sorted hottest first: the first match is the hottest. */
  hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n_hotspots; i++)
      {
        const ScorchFrame *f = scorch_profile_get_frame (profile, hotspots[i].frame);
        gboolean match;

        if (pass == 0)
          match = g_strcmp0 (f->function, name) == 0;
        else
          {
            g_autofree char *shown = scorch_display_name (f->function, SCORCH_DISPLAY_NAME_DEFAULT);

            match = g_strcmp0 (shown, name) == 0;
          }
        if (match)
          {
            *frame = hotspots[i].frame;
            return TRUE;
          }
      }

  g_set_error (error, SCORCH_ANNOTATE_ERROR, SCORCH_ANNOTATE_ERROR_NOT_FOUND,
               _("No function named “%s” has samples in this capture"), name);
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* The module's ELF file: segments, symbol range, bytes                      */

typedef struct
{
  int      fd;
  Elf     *elf;
  GArray  *segments;  /* Segment */
  guint16  machine;
} ElfFile;

static void
elf_file_clear (ElfFile *f)
{
  g_clear_pointer (&f->elf, elf_end);
  if (f->fd >= 0)
    close (f->fd);
  f->fd = -1;
  g_clear_pointer (&f->segments, g_array_unref);
}

static gboolean
elf_file_open (ElfFile           *f,
               const char        *path,
               const guint8      *build_id,
               guint              build_id_len,
               GError           **error)
{
  GElf_Ehdr ehdr;
  size_t phnum;

  f->fd = scorch_open_regular_file (path, SCORCH_MAX_ELF_SIZE, NULL, error);
  if (f->fd < 0)
    return FALSE;
  elf_version (EV_CURRENT);
  f->elf = elf_begin (f->fd, ELF_C_READ_MMAP, NULL);
  if (f->elf == NULL || elf_kind (f->elf) != ELF_K_ELF || gelf_getehdr (f->elf, &ehdr) == NULL ||
      elf_getphdrnum (f->elf, &phnum) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s is not an ELF file"), path);
      return FALSE;
    }
  f->machine = ehdr.e_machine;

  if (build_id_len > 0)
    {
      const void *id = NULL;
      ssize_t len = dwelf_elf_gnu_build_id (f->elf, &id);

      if (len > 0 && ((gsize) len != build_id_len || memcmp (id, build_id, build_id_len) != 0))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s changed since the capture was made (its build id differs)"), path);
          return FALSE;
        }
    }

  f->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  for (size_t i = 0; i < phnum; i++)
    {
      GElf_Phdr phdr;

      if (gelf_getphdr (f->elf, (int) i, &phdr) != NULL && phdr.p_type == PT_LOAD)
        {
          Segment s = { phdr.p_offset, phdr.p_filesz, phdr.p_vaddr };
          g_array_append_val (f->segments, s);
        }
    }
  return TRUE;
}

/* A file offset to its virtual address (to_vaddr) or back, through the
 * PT_LOAD segment holding it. */
static gboolean
map_through_segments (const ElfFile *f,
                      guint64        value,
                      gboolean       to_vaddr,
                      guint64       *out)
{
  for (guint i = 0; f->segments != NULL && i < f->segments->len; i++)
    {
      const Segment *s = &g_array_index (f->segments, Segment, i);
      guint64 from = to_vaddr ? s->offset : s->vaddr;
      guint64 to = to_vaddr ? s->vaddr : s->offset;

      if (value >= from && value - from < s->filesz)
        {
          *out = value - from + to;
          return TRUE;
        }
    }
  return FALSE;
}

#define offset_to_vaddr(f, offset, vaddr) map_through_segments ((f), (offset), TRUE, (vaddr))
#define vaddr_to_offset(f, vaddr, offset) map_through_segments ((f), (vaddr), FALSE, (offset))

/* The function symbol holding vaddr: [*start, *end). */
static gboolean
find_symbol (const ElfFile *f,
             guint64        vaddr,
             guint64       *start,
             guint64       *end)
{
  for (int pass = 0; pass < 2; pass++)
    {
      Elf_Scn *scn = NULL;

      while ((scn = elf_nextscn (f->elf, scn)) != NULL)
        {
          GElf_Shdr shdr;
          Elf_Data *data;
          gsize n;
          gboolean found = FALSE;

          if (gelf_getshdr (scn, &shdr) == NULL ||
              shdr.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM) || shdr.sh_entsize == 0)
            continue;
          data = elf_getdata (scn, NULL);
          if (data == NULL)
            continue;
          n = data->d_size / shdr.sh_entsize;
          for (gsize i = 0; i < n; i++)
            {
              GElf_Sym sym;

              if (gelf_getsym (data, (int) i, &sym) == NULL || GELF_ST_TYPE (sym.st_info) != STT_FUNC ||
                  sym.st_shndx == SHN_UNDEF || sym.st_size == 0)
                continue;
              if (vaddr >= sym.st_value && vaddr - sym.st_value < sym.st_size)
                {
                  *start = sym.st_value;
                  *end = sym.st_value + sym.st_size;
                  found = TRUE;
                  break;
                }
            }
          if (found)
            return TRUE;
        }
    }
  return FALSE;
}

/* The bytes of [start, end) from the executable section holding start
 * (end is cut to the section). */
static const guint8 *
section_bytes (const ElfFile *f,
               guint64        start,
               guint64       *end)
{
  Elf_Scn *scn = NULL;

  while ((scn = elf_nextscn (f->elf, scn)) != NULL)
    {
      GElf_Shdr shdr;
      Elf_Data *data;

      if (gelf_getshdr (scn, &shdr) == NULL || shdr.sh_type != SHT_PROGBITS ||
          !(shdr.sh_flags & SHF_EXECINSTR) || start < shdr.sh_addr || start - shdr.sh_addr >= shdr.sh_size)
        continue;
      data = elf_getdata (scn, NULL);
      if (data == NULL || data->d_buf == NULL || start - shdr.sh_addr >= data->d_size)
        return NULL;
      *end = MIN (*end, shdr.sh_addr + data->d_size);
      *end = MIN (*end, start + MAX_FUNCTION_BYTES);
      return (const guint8 *) data->d_buf + (start - shdr.sh_addr);
    }
  return NULL;
}

/* The compilation directory of the CU holding vaddr, from the DWARF in
 * the module's own file (relative source names are relative to it), or
 * NULL. */
static char *
comp_dir_of (const ElfFile *f,
             guint64        vaddr)
{
  Dwarf *dbg = dwarf_begin_elf (f->elf, DWARF_C_READ, NULL);
  ScorchDwarfCuIndex *index = NULL;
  Dwarf_Die cu;
  char *dir = NULL;

  if (dbg == NULL)
    return NULL;
  /* without .debug_aranges (clang), by the CUs' own ranges */
  if (scorch_dwarf_cu_find (dbg, &index, vaddr, &cu))
    {
      Dwarf_Attribute attr;
      const char *s = dwarf_formstring (dwarf_attr (&cu, DW_AT_comp_dir, &attr));

      if (s != NULL && g_path_is_absolute (s))
        dir = g_strdup (s);
    }
  scorch_dwarf_cu_index_free (index);
  dwarf_end (dbg);
  return dir;
}

/* ------------------------------------------------------------------------ */
/* Disassembly                                                              */

static gboolean
disassemble (ScorchAnnotation *self,
             guint16           machine,
             const guint8     *bytes,
             guint64           start,
             guint64           end)
{
#if HAVE_CAPSTONE
  csh handle;
  cs_insn *insn = NULL;
  cs_arch arch;
  cs_mode mode;
  size_t count;

  switch (machine)
    {
    case EM_X86_64: arch = CS_ARCH_X86; mode = CS_MODE_64; break;
    case EM_386: arch = CS_ARCH_X86; mode = CS_MODE_32; break;
    case EM_AARCH64: arch = CS_ARCH_ARM64; mode = CS_MODE_ARM; break;
    default:
      add_message (self, SCORCH_ANNOTATE_MISSING_DISASSEMBLER,
                   g_strdup_printf (_("No disassembly: machine type %u is not supported"), machine));
      return FALSE;
    }
  if (cs_open (arch, mode, &handle) != CS_ERR_OK)
    {
      add_message (self, SCORCH_ANNOTATE_MISSING_DISASSEMBLER,
                   g_strdup (_("No disassembly: Capstone could not be started")));
      return FALSE;
    }
  cs_option (handle, CS_OPT_DETAIL, CS_OPT_ON);
  count = cs_disasm (handle, bytes, end - start, start, 0, &insn);
  for (size_t i = 0; i < count; i++)
    {
      ScorchAnnotateInsn a = { 0, };
      g_autofree char *text = NULL;
      gboolean jump = cs_insn_group (handle, &insn[i], CS_GRP_JUMP);
      gboolean call = cs_insn_group (handle, &insn[i], CS_GRP_CALL);

      a.address = insn[i].address;
      a.size = insn[i].size;
      text = insn[i].op_str[0] != '\0' ? g_strdup_printf ("%s %s", insn[i].mnemonic, insn[i].op_str)
                                       : g_strdup (insn[i].mnemonic);
      a.text = intern (self, text);
      a.target_insn = -1;
      a.is_call = call;
      if ((jump || call) && insn[i].detail != NULL)
        {
          if (arch == CS_ARCH_X86)
            {
              const cs_x86 *x = &insn[i].detail->x86;

              if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
                a.target = (guint64) x->operands[0].imm;
            }
          else
            {
              const cs_arm64 *x = &insn[i].detail->arm64;

              for (guint k = 0; k < x->op_count; k++)
                if (x->operands[k].type == ARM64_OP_IMM)
                  a.target = (guint64) x->operands[k].imm;
            }
        }
      g_array_append_val (self->insns, a);
    }
  if (insn != NULL)
    cs_free (insn, count);
  cs_close (&handle);

  /* Jump targets inside the function, as instruction indexes. */
  for (guint i = 0; i < self->insns->len; i++)
    {
      ScorchAnnotateInsn *a = &g_array_index (self->insns, ScorchAnnotateInsn, i);
      guint lo = 0, hi = self->insns->len;

      if (a->target < start || a->target >= end)
        continue;
      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;
          if (g_array_index (self->insns, ScorchAnnotateInsn, mid).address < a->target)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo < self->insns->len && g_array_index (self->insns, ScorchAnnotateInsn, lo).address == a->target)
        a->target_insn = (gint) lo;
    }
  return TRUE;
#else
  (void) machine; (void) bytes; (void) start; (void) end;
  add_message (self, SCORCH_ANNOTATE_MISSING_DISASSEMBLER,
               g_strdup (_("No disassembly: Scorch was built without Capstone (libcapstone-dev)")));
  return FALSE;
#endif
}

/* The instruction holding vaddr, or -1. */
static gint
find_insn (ScorchAnnotation *self,
           guint64           vaddr)
{
  guint lo = 0, hi = self->insns->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      const ScorchAnnotateInsn *a = &g_array_index (self->insns, ScorchAnnotateInsn, mid);

      if (vaddr < a->address)
        hi = mid;
      else if (vaddr >= a->address + a->size)
        lo = mid + 1;
      else
        return (gint) mid;
    }
  return -1;
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */

typedef struct
{
  ScorchSymbolizer *symbolizer;
  ScorchMapping     map;
  const char       *function;  /* the frame's name */
  gboolean          inlined;   /* the frame is an inlined function */
  gboolean          any_line;
} LineLookup;

/* The line of the module's file offset in the function: the address's own
 * line when the function is the innermost frame there, else the line of the
 * call to what is inlined into it.  position: the function's index in the
 * address's chain as the profile has it (from the leaf), or -1. */
static gboolean
line_of (LineLookup  *lk,
         guint64      offset,
         gint         position,
         const char **file,
         guint       *line)
{
  ScorchSymbol chain[MAX_CHAIN];
  guint n = scorch_symbolizer_lookup_user (lk->symbolizer, 0, &lk->map, offset, chain, MAX_CHAIN);
  gint k = -1;

  if (n == 0)
    return FALSE;
  /* Outermost match first: a recursive inline chain names this function
   * by its real frame. */
  for (gint i = (gint) n - 1; i >= 0; i--)
    if (chain[i].function != NULL && g_strcmp0 (chain[i].function, lk->function) == 0)
      {
        k = i;
        break;
      }
  if (k < 0 && position >= 0 && (guint) position < n)
    k = position;
  if (k < 0 && !lk->inlined)
    k = (gint) n - 1;
  if (k < 0 || chain[k].file == NULL || chain[k].line == 0)
    return FALSE;
  *file = chain[k].file;
  *line = chain[k].line;
  lk->any_line = TRUE;
  return TRUE;
}

typedef struct
{
  const char *file;
  guint       line;
  guint64     self;
  guint64     total;
  guint       n_insns;
} LineCount;

static LineCount *
line_count (GHashTable       *counts,
            ScorchAnnotation *self,
            const char       *file,
            guint             line)
{
  g_autofree char *key = g_strdup_printf ("%u:%s", line, file);
  LineCount *c = g_hash_table_lookup (counts, key);

  if (c == NULL)
    {
      c = g_new0 (LineCount, 1);
      c->file = intern (self, file);
      c->line = line;
      g_hash_table_insert (counts, g_steal_pointer (&key), c);
    }
  return c;
}

/* ------------------------------------------------------------------------ */
/* Sources                                                                  */

static SourceFile *
source_read (const char *path)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  SourceFile *s;

  if (!scorch_read_regular_file (path, MAX_SOURCE_BYTES, &text, &length, NULL))
    return NULL;
  s = g_new0 (SourceFile, 1);
  s->path = g_strdup (path);
  s->text = g_steal_pointer (&text);
  s->length = length;
  s->starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  {
    gsize zero = 0;
    g_array_append_val (s->starts, zero);
  }
  for (gsize i = 0; i < length; i++)
    if (s->text[i] == '\n' && i + 1 < length)
      {
        gsize next = i + 1;
        g_array_append_val (s->starts, next);
      }
  return s;
}

static SourceFile *
source_find (const char                  *name,
             const ScorchAnnotateOptions *options,
             const ScorchAddrModule      *module,
             const char                  *comp_dir)
{
  SourceFile *s;

  if (name == NULL || name[0] == '\0')
    return NULL;
  if (g_path_is_absolute (name) && (s = source_read (name)) != NULL)
    return s;
  if (!g_path_is_absolute (name) && comp_dir != NULL)
    {
      g_autofree char *path = g_build_filename (comp_dir, name, NULL);

      if ((s = source_read (path)) != NULL)
        return s;
    }

  for (guint r = 0; options != NULL && options->source_roots != NULL && options->source_roots[r] != NULL; r++)
    {
      const char *tail = name;

      /* root/dir/file.c, then root/file.c for shorter tails of the path */
      while (tail != NULL && tail[0] != '\0')
        {
          g_autofree char *path = NULL;

          while (tail[0] == '/')
            tail++;
          if (tail[0] == '\0')
            break;
          path = g_build_filename (options->source_roots[r], tail, NULL);
          if ((s = source_read (path)) != NULL)
            return s;
          tail = strchr (tail, '/');
        }
    }

#if HAVE_DEBUGINFOD
  if (options != NULL && options->use_debuginfod && module != NULL && module->build_id_len > 0 &&
      g_getenv ("DEBUGINFOD_URLS") != NULL && g_getenv ("DEBUGINFOD_URLS")[0] != '\0' &&
      g_path_is_absolute (name))
    {
      const ScorchDebuginfod *fns = scorch_debuginfod_get (NULL);
      debuginfod_client *client = fns != NULL ? fns->begin () : NULL;

      if (client != NULL)
        {
          char *path = NULL;
          int fd = fns->find_source (client, module->build_id, (int) module->build_id_len, name, &path);

          fns->end (client);
          if (fd >= 0)
            close (fd);
          /* the cached copy, read like any other untrusted path */
          s = path != NULL ? source_read (path) : NULL;
          free (path);
          if (s != NULL)
            return s;
        }
    }
#else
  (void) module;
#endif
  return NULL;
}

static const char *
source_line (SourceFile *s,
             guint       line,
             GString    *buf)
{
  gsize begin, end;

  if (s == NULL || line == 0 || line > s->starts->len)
    return NULL;
  begin = g_array_index (s->starts, gsize, line - 1);
  end = line < s->starts->len ? g_array_index (s->starts, gsize, line) : s->length;
  while (end > begin && (s->text[end - 1] == '\n' || s->text[end - 1] == '\r'))
    end--;
  g_string_truncate (buf, 0);
  g_string_append_len (buf, s->text + begin, end - begin);
  return buf->str;
}

/* ------------------------------------------------------------------------ */
/* Debian's debug packages                                                  */

char *
scorch_annotate_dup_package (const char *path)
{
  const char *argv[] = { "dpkg", "-S", NULL, NULL };
  g_autofree char *out = NULL;
  g_autofree char *resolved = NULL;
  int status = 0;
  char *colon;

  g_return_val_if_fail (path != NULL, NULL);

  /* Only plain absolute paths: no option lookalikes, no patterns. */
  if (!g_path_is_absolute (path) || strpbrk (path, "*?[]\n\\") != NULL)
    return NULL;
  argv[2] = path;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL) || out == NULL)
    {
      /* /lib is a symlink to /usr/lib on merged-/usr systems; dpkg knows one of them. */
      resolved = g_canonicalize_filename (path, NULL);
      if (g_str_has_prefix (path, "/usr/") || g_strcmp0 (resolved, path) == 0)
        return NULL;
      {
        g_autofree char *usr = g_strconcat ("/usr", path, NULL);
        return scorch_annotate_dup_package (usr);
      }
    }
  /* "libfoo1:amd64: /usr/lib/..." */
  colon = strstr (out, ": ");
  if (colon == NULL)
    return NULL;
  *colon = '\0';
  colon = strchr (out, ':');
  if (colon != NULL)
    *colon = '\0';
  if (out[0] == '\0' || strpbrk (out, ", \t\n") != NULL)
    return NULL;
  return g_strdup (out);
}

static char *
debug_info_message (const char *module)
{
  g_autofree char *package = scorch_annotate_dup_package (module);
  g_autofree char *name = g_path_get_basename (module);

  if (package != NULL)
    return g_strdup_printf (_("No debug information for %s, so no source lines: install %s-dbgsym "
                              "(from the debian-debug archive), or set DEBUGINFOD_URLS so that "
                              "Scorch downloads it"), name, package);
  return g_strdup_printf (_("No debug information for %s, so no source lines: rebuild it with -g, "
                            "or put its debug file under /usr/lib/debug/.build-id, or set "
                            "DEBUGINFOD_URLS so that Scorch downloads it"), name);
}

/* ------------------------------------------------------------------------ */

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  const ScorchAnnotateLine *la = a;
  const ScorchAnnotateLine *lb = b;
  int c = g_strcmp0 (la->file, lb->file);

  if (c != 0)
    return c;
  return la->line < lb->line ? -1 : la->line > lb->line;
}

ScorchAnnotation *
scorch_annotation_new (ScorchProfile               *profile,
                       guint32                      frame_id,
                       const ScorchAnnotateOptions *options,
                       GCancellable                *cancellable,
                       GError                     **error)
{
  g_autoptr(ScorchAnnotation) self = NULL;
  ScorchAddrSamples *addrs;
  const ScorchFrame *frame;
  const ScorchAddrSample *samples;
  const ScorchAddrModule *modules;
  guint n_samples, n_modules, n_frames;
  g_autoptr(GArray) chosen = NULL;   /* guint: sample indexes in the module */
  g_autoptr(GArray) positions = NULL; /* gint: the frame's position in each chosen run */
  g_autofree guint64 *module_total = NULL;
  guint module = G_MAXUINT;
  ElfFile elf = { -1, NULL, NULL, 0 };
  g_autoptr(GError) elf_error = NULL;
  gboolean have_elf;
  LineLookup lk = { 0, };
  g_autoptr(GHashTable) counts = NULL;
  guint64 start = 0, end = 0;
  gboolean have_range = FALSE;
  const ScorchHotspot *hotspots;
  guint n_hotspots;
  g_autofree char *comp_dir = NULL;
  gint64 t_begin = g_get_monotonic_time (), t_disasm = 0, t_lines = 0;

  g_return_val_if_fail (SCORCH_IS_PROFILE (profile), NULL);

  scorch_profile_get_frames (profile, &n_frames);
  g_return_val_if_fail (frame_id < n_frames, NULL);
  frame = scorch_profile_get_frame (profile, frame_id);

  if (frame->kind == SCORCH_FRAME_KIND_KERNEL || frame->kind == SCORCH_FRAME_KIND_JIT ||
      frame->kind == SCORCH_FRAME_KIND_ROOT)
    {
      g_set_error (error, SCORCH_ANNOTATE_ERROR, SCORCH_ANNOTATE_ERROR_UNSUPPORTED,
                   _("%s is a kernel, JIT or synthetic frame: only functions of ELF modules can be annotated"),
                   frame->function);
      return NULL;
    }
  addrs = scorch_profile_get_addr_samples (profile);
  if (addrs == NULL)
    {
      g_set_error (error, SCORCH_ANNOTATE_ERROR, SCORCH_ANNOTATE_ERROR_NO_ADDRESSES,
                   _("This capture keeps no sampled addresses (folded stacks, or a recording still "
                     "running): open a perf.data file to see source lines"));
      return NULL;
    }

  self = g_new0 (ScorchAnnotation, 1);
  self->strings = g_string_chunk_new (4096);
  self->lines = g_array_new (FALSE, TRUE, sizeof (ScorchAnnotateLine));
  self->insns = g_array_new (FALSE, TRUE, sizeof (ScorchAnnotateInsn));
  self->sources = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, source_file_free);
  self->messages = g_ptr_array_new_with_free_func (g_free);
  self->function = intern (self, frame->function);
  self->module = intern (self, frame->module);

  /* The sampled addresses where this function is on the inline chain; the
   * module with most samples (one, but for a name in two modules). */
  samples = scorch_addr_samples_get_samples (addrs, &n_samples);
  modules = scorch_addr_samples_get_modules (addrs, &n_modules);
  module_total = g_new0 (guint64, MAX (n_modules, 1));
  chosen = g_array_new (FALSE, FALSE, sizeof (guint));
  positions = g_array_new (FALSE, FALSE, sizeof (gint));
  for (guint i = 0; i < n_samples; i++)
    {
      const guint32 *run;
      guint n = scorch_addr_samples_get_frames (addrs, &samples[i], &run);

      for (guint k = 0; k < n; k++)
        if (run[k] == frame_id && samples[i].module < n_modules)
          {
            module_total[samples[i].module] += samples[i].total;
            break;
          }
    }
  for (guint m = 0; m < n_modules; m++)
    if (module_total[m] > 0 && (module == G_MAXUINT || module_total[m] > module_total[module]))
      module = m;
  if (module == G_MAXUINT)
    {
      g_set_error (error, SCORCH_ANNOTATE_ERROR, SCORCH_ANNOTATE_ERROR_UNSUPPORTED,
                   _("No sampled address of %s lies in a file-backed module"), frame->function);
      return NULL;
    }
  self->module = intern (self, modules[module].path);
  for (guint i = 0; i < n_samples; i++)
    {
      const guint32 *run;
      guint n;

      if (samples[i].module != module)
        continue;
      n = scorch_addr_samples_get_frames (addrs, &samples[i], &run);
      for (gint k = (gint) n - 1; k >= 0; k--)
        if (run[k] == frame_id)
          {
            g_array_append_val (chosen, i);
            g_array_append_val (positions, k);
            self->self += samples[i].self;
            break;
          }
    }
  hotspots = scorch_profile_get_hotspots (profile, &n_hotspots);
  for (guint i = 0; i < n_hotspots; i++)
    if (hotspots[i].frame == frame_id)
      self->total = hotspots[i].total;

  /* The module's file: range and bytes of the function. */
  have_elf = elf_file_open (&elf, modules[module].path, modules[module].build_id,
                            modules[module].build_id_len, &elf_error);
  if (!have_elf)
    add_message (self, SCORCH_ANNOTATE_MISSING_BINARY,
                 g_strdup_printf (_("Cannot read the module: %s"), elf_error->message));

  if (have_elf && frame->kind != SCORCH_FRAME_KIND_INLINED)
    {
      for (guint c = 0; c < chosen->len && !have_range; c++)
        {
          const ScorchAddrSample *s = &samples[g_array_index (chosen, guint, c)];
          const guint32 *run;
          guint n = scorch_addr_samples_get_frames (addrs, s, &run);
          guint64 vaddr;

          if (g_array_index (positions, gint, c) == (gint) n - 1 && offset_to_vaddr (&elf, s->offset, &vaddr))
            have_range = find_symbol (&elf, vaddr, &start, &end);
        }
      if (!have_range)
        {
          /* No symbol (stripped): from the first to past the last sampled address. */
          for (guint c = 0; c < chosen->len; c++)
            {
              const ScorchAddrSample *s = &samples[g_array_index (chosen, guint, c)];
              guint64 vaddr;

              if (!offset_to_vaddr (&elf, s->offset, &vaddr))
                continue;
              if (!have_range || vaddr < start)
                start = vaddr;
              if (!have_range || vaddr + 16 > end)
                end = vaddr + 16;
              have_range = TRUE;
            }
        }
      if (have_range)
        {
          const guint8 *bytes = section_bytes (&elf, start, &end);

          if (bytes != NULL && end > start)
            disassemble (self, elf.machine, bytes, start, end);
        }
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      elf_file_clear (&elf);
      return NULL;
    }
  t_disasm = g_get_monotonic_time ();

  /* Lines, through a symbolizer in address mode. */
  lk.symbolizer = scorch_symbolizer_new ();
  scorch_symbolizer_set_line_mode (lk.symbolizer, SCORCH_SYMBOLIZER_LINES_ADDRESS);
  if (options != NULL && options->debug_dirs != NULL)
    scorch_symbolizer_set_debug_dirs (lk.symbolizer, options->debug_dirs);
  else if (g_getenv ("SCORCH_DEBUG_DIRS") != NULL && g_getenv ("SCORCH_DEBUG_DIRS")[0] != '\0')
    {
      g_auto(GStrv) dirs = g_strsplit (g_getenv ("SCORCH_DEBUG_DIRS"), ":", -1);
      scorch_symbolizer_set_debug_dirs (lk.symbolizer, (const char * const *) dirs);
    }
  lk.map.path = modules[module].path;
  lk.map.build_id = modules[module].build_id_len > 0 ? modules[module].build_id : NULL;
  lk.map.build_id_len = modules[module].build_id_len;
  lk.map.start = 0;
  lk.map.end = G_MAXUINT64;
  lk.map.pgoff = 0;
  lk.function = frame->function;
  lk.inlined = frame->kind == SCORCH_FRAME_KIND_INLINED;

  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* An instruction of line 0 (code the compiler made for no line, as
   * clang marks much of an unrolled loop) belongs to the line before it. */
  {
    const char *prev_file = NULL;
    guint prev_line = 0;

    for (guint i = 0; have_elf && i < self->insns->len; i++)
      {
        ScorchAnnotateInsn *a = &g_array_index (self->insns, ScorchAnnotateInsn, i);
        guint64 offset;
        const char *file = NULL;
        guint line = 0;

        if (!vaddr_to_offset (&elf, a->address, &offset) || !line_of (&lk, offset, -1, &file, &line))
          {
            file = prev_file;
            line = prev_line;
          }
        if (file != NULL)
          {
            LineCount *lc = line_count (counts, self, file, line);

            a->file = lc->file;
            a->line = line;
            lc->n_insns++;
          }
        prev_file = a->file;
        prev_line = a->line;
      }
  }

  for (guint c = 0; c < chosen->len; c++)
    {
      const ScorchAddrSample *s = &samples[g_array_index (chosen, guint, c)];
      gint position = g_array_index (positions, gint, c);
      guint64 vaddr = 0;
      gint insn = -1;
      const char *file = NULL;
      guint line = 0;

      if (have_elf && offset_to_vaddr (&elf, s->offset, &vaddr))
        insn = find_insn (self, vaddr);
      if (insn >= 0)
        {
          ScorchAnnotateInsn *a = &g_array_index (self->insns, ScorchAnnotateInsn, insn);

          a->self += s->self;
          a->total += s->total;
          file = a->file;
          line = a->line;
        }
      else if (!line_of (&lk, s->offset, position, &file, &line))
        file = NULL;

      {
        LineCount *lc = line_count (counts, self, file != NULL ? file : "", file != NULL ? line : 0);

        lc->self += s->self;
        lc->total += s->total;
      }
    }
  t_lines = g_get_monotonic_time ();
  if (have_elf && have_range)
    comp_dir = comp_dir_of (&elf, start);
  elf_file_clear (&elf);

  if (have_elf && !lk.any_line)
    add_message (self, SCORCH_ANNOTATE_MISSING_DEBUG_INFO, debug_info_message (modules[module].path));
  {
    g_autoptr(GPtrArray) problems = scorch_symbolizer_dup_problems (lk.symbolizer);

    for (guint i = 0; problems != NULL && i < problems->len; i++)
      g_debug ("%s", (const char *) g_ptr_array_index (problems, i));
  }
  scorch_symbolizer_free (lk.symbolizer);

  /* The rows: the main file from the first line to the last, then the
   * lines of other files. */
  {
    GHashTableIter iter;
    gpointer value;
    const char *main_file = NULL;
    guint64 best = 0;
    guint first = G_MAXUINT, last = 0;
    g_autoptr(GString) buf = g_string_new (NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

    /* the declaration's file when it has code here, else the busiest file */
    g_hash_table_iter_init (&iter, counts);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        LineCount *lc = value;
        guint64 weight = lc->n_insns + lc->total;

        if (lc->line == 0)
          continue;
        if (frame->file != NULL && g_strcmp0 (lc->file, frame->file) == 0)
          weight = G_MAXUINT64;
        if (main_file == NULL || weight > best)
          {
            main_file = lc->file;
            best = weight;
          }
      }
    g_hash_table_iter_init (&iter, counts);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        LineCount *lc = value;

        if (lc->line == 0 || lc->file != main_file)
          continue;
        first = MIN (first, lc->line);
        last = MAX (last, lc->line);
      }
    if (main_file != NULL && frame->file != NULL && g_strcmp0 (frame->file, main_file) == 0 &&
        frame->line > 0 && frame->line < first && first - frame->line < MAX_GAP_LINES)
      first = frame->line;

    if (main_file != NULL)
      {
        SourceFile *src = source_find (main_file, options, &modules[module], comp_dir);

        self->source_file = main_file;
        self->source = src;
        g_hash_table_insert (self->sources, (gpointer) main_file, src);
        if (src == NULL)
          add_message (self, SCORCH_ANNOTATE_MISSING_SOURCE,
                       g_strdup_printf (_("Source file %s was not found: choose the folder that holds "
                                          "the sources (source root), or set DEBUGINFOD_URLS"), main_file));
        if (last - first >= MAX_GAP_LINES)
          first = last; /* only lines with code then, below */
        for (guint l = first; l <= last && main_file != NULL; l++)
          {
            g_autofree char *key = g_strdup_printf ("%u:%s", l, main_file);
            LineCount *lc = g_hash_table_lookup (counts, key);
            ScorchAnnotateLine row = { 0, };

            row.file = main_file;
            row.line = l;
            if (lc != NULL)
              {
                row.self = lc->self;
                row.total = lc->total;
                row.n_insns = lc->n_insns;
                g_hash_table_add (seen, lc);
              }
            row.text = intern (self, source_line (src, l, buf));
            g_array_append_val (self->lines, row);
          }
      }

    {
      g_autoptr(GArray) others = g_array_new (FALSE, TRUE, sizeof (ScorchAnnotateLine));

      g_hash_table_iter_init (&iter, counts);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          LineCount *lc = value;
          ScorchAnnotateLine row = { 0, };

          if (g_hash_table_contains (seen, lc))
            continue;
          row.file = lc->line > 0 ? lc->file : NULL;
          row.line = lc->line;
          row.self = lc->self;
          row.total = lc->total;
          row.n_insns = lc->n_insns;
          g_array_append_val (others, row);
        }
      g_array_sort (others, compare_lines);
      for (guint i = 0; i < others->len; i++)
        {
          ScorchAnnotateLine *row = &g_array_index (others, ScorchAnnotateLine, i);
          SourceFile *src = NULL;

          if (row->file != NULL)
            {
              if (!g_hash_table_lookup_extended (self->sources, row->file, NULL, (gpointer *) &src))
                {
                  src = source_find (row->file, options, &modules[module], comp_dir);
                  g_hash_table_insert (self->sources, (gpointer) row->file, src);
                }
              row->text = intern (self, source_line (src, row->line, buf));
            }
          g_array_append_val (self->lines, *row);
        }
    }
  }

  g_debug ("%s: %u instructions, %u lines; %.1f ms: addresses and disassembly %.1f, lines %.1f, rows and sources %.1f",
           self->function, self->insns->len, self->lines->len, (g_get_monotonic_time () - t_begin) / 1000.0,
           (t_disasm - t_begin) / 1000.0, (t_lines - t_disasm) / 1000.0, (g_get_monotonic_time () - t_lines) / 1000.0);
  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------------ */

const char *
scorch_annotation_get_function (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->function;
}

const char *
scorch_annotation_get_module (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->module;
}

guint64
scorch_annotation_get_self (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->self;
}

guint64
scorch_annotation_get_total (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->total;
}

const ScorchAnnotateLine *
scorch_annotation_get_lines (ScorchAnnotation *self,
                             guint            *n_lines)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (n_lines != NULL)
    *n_lines = self->lines->len;
  return (const ScorchAnnotateLine *) (gpointer) self->lines->data;
}

gint
scorch_annotation_get_hottest_line (ScorchAnnotation *self)
{
  gint best = -1;

  g_return_val_if_fail (self != NULL, -1);

  for (guint i = 0; i < self->lines->len; i++)
    {
      const ScorchAnnotateLine *l = &g_array_index (self->lines, ScorchAnnotateLine, i);
      const ScorchAnnotateLine *b = best >= 0 ? &g_array_index (self->lines, ScorchAnnotateLine, best) : NULL;

      if (l->file == NULL || (l->self == 0 && l->total == 0))
        continue;
      if (b == NULL || l->self > b->self || (l->self == b->self && l->total > b->total))
        best = (gint) i;
    }
  return best;
}

const ScorchAnnotateInsn *
scorch_annotation_get_insns (ScorchAnnotation *self,
                             guint            *n_insns)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (n_insns != NULL)
    *n_insns = self->insns->len;
  return (const ScorchAnnotateInsn *) (gpointer) self->insns->data;
}

const char *
scorch_annotation_get_source_file (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->source_file;
}

const char *
scorch_annotation_get_source_path (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->source != NULL ? self->source->path : NULL;
}

const char *
scorch_annotation_get_source_text (ScorchAnnotation *self,
                                   gsize            *length)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (length != NULL)
    *length = self->source != NULL ? self->source->length : 0;
  return self->source != NULL ? self->source->text : NULL;
}

ScorchAnnotateMissing
scorch_annotation_get_missing (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, SCORCH_ANNOTATE_MISSING_NONE);
  return self->missing;
}

GPtrArray *
scorch_annotation_get_messages (ScorchAnnotation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->messages;
}
