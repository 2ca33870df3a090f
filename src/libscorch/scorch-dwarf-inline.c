/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "scorch-dwarf-cu-index.h"
#include "scorch-dwarf-inline.h"
#include "scorch-line-table.h"
#include "scorch-sorted.h"

#define MAX_CHAIN SCORCH_SYMBOLIZER_MAX_CHAIN

static inline const char *
intern (ScorchDwarfContext *self,
        const char         *str)
{
  return str != NULL ? g_string_chunk_insert_const (self->strings, str) : NULL;
}

/* A DW_TAG_subprogram or DW_TAG_inlined_subroutine of an indexed CU. */
typedef struct
{
  Dwarf_Die   die;
  gint32      parent;        /* enclosing inlined/subprogram node, -1 for a subprogram */
  gboolean    inlined;
  gboolean    resolved;      /* call_file and call_line are filled */
  const char *name;
  const char *call_file;
  guint       call_line;
  gboolean    decl_resolved; /* the two below are filled */
  const char *decl_file;
  guint       decl_line;
} ScopeNode;

/* One address range of an inlined subroutine. */
typedef struct
{
  guint64 lo, hi;
  guint32 node;
  guint32 depth;
} ScopeRange;

/* One address range of a subprogram, with the slice of the CU's inlined
 * ranges (in walk order) that lie inside that subprogram. */
typedef struct
{
  guint64 lo, hi;
  guint32 node;
  guint32 first, last;
} RootRange;

/* Per compilation unit, built on its first lookup: every code scope with
 * its ranges, so an address costs two binary searches and a scan of one
 * function's inlined ranges instead of walks of the whole CU. */
typedef struct
{
  Dwarf_Die    cu;
  Dwarf_Files *files;
  gboolean     files_loaded;
  GArray      *nodes;        /* ScopeNode */
  GArray      *ranges;       /* ScopeRange */
  GArray      *roots;        /* RootRange, sorted by lo */
} CuIndex;

/* The file names of one line program header, as dwarf_filesrc gives them
 * (scorch-line-table.c). */
typedef struct
{
  const char **names;        /* interned; NULL where the index names nothing */
  guint        n_names;
  gboolean     ok;           /* FALSE: fall back to libdw's dwarf_decl_file */
} FileTable;

struct _ScorchDwarfInline
{
  GHashTable  *cus;           /* CU DIE offset -> CuIndex* */
  GHashTable  *file_tables;   /* Dwarf_CU* -> FileTable*, for decl_file */

  /* Address ranges of every CU, for objects without .debug_aranges (clang
   * does not emit it, and libdw 0.188 then finds no CU by address);
   * built on the first address no arange covers. */
  ScorchDwarfCuIndex *cu_index;
};

static void
cu_index_free (gpointer p)
{
  CuIndex *ci = p;

  g_array_unref (ci->nodes);
  g_array_unref (ci->ranges);
  g_array_unref (ci->roots);
  g_free (ci);
}

static void
file_table_free (gpointer p)
{
  FileTable *t = p;

  g_free (t->names);
  g_free (t);
}

void
_scorch_dwarf_inline_free (ScorchDwarfInline *self)
{
  if (self == NULL)
    return;
  if (self->file_tables != NULL)
    g_hash_table_destroy (self->file_tables);
  if (self->cus != NULL)
    g_hash_table_destroy (self->cus);
  g_clear_pointer (&self->cu_index, scorch_dwarf_cu_index_free);
  g_free (self);
}

/* ------------------------------------------------------------------------ */
/* Inline chains: a scope index per compilation unit                        */

/* Deeper nesting than this in DWARF is garbage; stop descending. */
#define MAX_SCOPE_DEPTH 256

static void
cu_add_ranges (CuIndex   *ci,
               Dwarf_Die *die,
               guint32    node,
               guint32    depth,
               gboolean   root)
{
  Dwarf_Addr base, start, end;
  ptrdiff_t off = 0;

  while ((off = dwarf_ranges (die, off, &base, &start, &end)) > 0)
    {
      if (end <= start)
        continue;
      if (root)
        {
          RootRange r = { start, end, node, 0, 0 };
          g_array_append_val (ci->roots, r);
        }
      else
        {
          ScopeRange r = { start, end, node, depth };
          g_array_append_val (ci->ranges, r);
        }
    }
}

static void
cu_walk (CuIndex   *ci,
         Dwarf_Die *parent_die,
         gint32     parent_node,
         guint32    depth,
         guint      nesting)
{
  Dwarf_Die child;

  if (nesting > MAX_SCOPE_DEPTH)
    return;
  if (dwarf_child (parent_die, &child) != 0)
    return;

  do
    {
      int tag = dwarf_tag (&child);

      switch (tag)
        {
        case DW_TAG_subprogram:
          {
            ScopeNode n = { .die = child, .parent = -1 };
            guint32 idx = ci->nodes->len;
            guint first_root = ci->roots->len;
            guint32 first = ci->ranges->len;

            g_array_append_val (ci->nodes, n);
            cu_add_ranges (ci, &child, idx, 0, TRUE);
            cu_walk (ci, &child, (gint32) idx, 1, nesting + 1);
            /* Nested subprograms (local classes, GNU nested functions)
             * are roots of their own and were appended after ours. */
            for (guint r = first_root; r < ci->roots->len; r++)
              {
                RootRange *rr = &g_array_index (ci->roots, RootRange, r);

                if (rr->node == idx)
                  {
                    rr->first = first;
                    rr->last = ci->ranges->len;
                  }
              }
          }
          break;

        case DW_TAG_inlined_subroutine:
          if (parent_node >= 0)
            {
              ScopeNode n = { .die = child, .parent = parent_node, .inlined = TRUE };
              guint32 idx = ci->nodes->len;

              g_array_append_val (ci->nodes, n);
              cu_add_ranges (ci, &child, idx, depth, FALSE);
              cu_walk (ci, &child, (gint32) idx, depth + 1, nesting + 1);
            }
          break;

        case DW_TAG_lexical_block:
        case DW_TAG_try_block:
        case DW_TAG_catch_block:
        case DW_TAG_namespace:
        case DW_TAG_module:
        case DW_TAG_class_type:
        case DW_TAG_structure_type:
        case DW_TAG_union_type:
        case DW_TAG_interface_type:
          cu_walk (ci, &child, parent_node, depth, nesting + 1);
          break;

        case DW_TAG_imported_unit:
          {
            Dwarf_Attribute attr;
            Dwarf_Die unit;

            /* dwz moves shared DIEs into partial units */
            if (dwarf_attr (&child, DW_AT_import, &attr) != NULL &&
                dwarf_formref_die (&attr, &unit) != NULL)
              cu_walk (ci, &unit, parent_node, depth, nesting + 1);
          }
          break;

        default:
          break;
        }
    }
  while (dwarf_siblingof (&child, &child) == 0);
}

static int
root_range_compare (gconstpointer pa,
                    gconstpointer pb)
{
  const RootRange *a = pa, *b = pb;

  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  /* the larger range first: a nested root found later wins on a scan back */
  if (a->hi != b->hi)
    return a->hi > b->hi ? -1 : 1;
  return a->node < b->node ? -1 : a->node > b->node ? 1 : 0;
}

static CuIndex *
module_cu_index (ScorchDwarfModule *m,
                 Dwarf_Die         *cu)
{
  Dwarf_Off off = dwarf_dieoffset (cu);
  CuIndex *ci;

  if (m->dwarf->cus == NULL)
    m->dwarf->cus = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, cu_index_free);
  ci = g_hash_table_lookup (m->dwarf->cus, &off);
  if (ci != NULL)
    return ci;

  ci = g_new0 (CuIndex, 1);
  ci->cu = *cu;
  ci->nodes = g_array_new (FALSE, FALSE, sizeof (ScopeNode));
  ci->ranges = g_array_new (FALSE, FALSE, sizeof (ScopeRange));
  ci->roots = g_array_new (FALSE, FALSE, sizeof (RootRange));
  cu_walk (ci, cu, -1, 0, 0);
  g_array_sort (ci->roots, root_range_compare);
  g_hash_table_insert (m->dwarf->cus, g_memdup2 (&off, sizeof off), ci);
  return ci;
}

/* The innermost inlined scope at addr (a CU-relative address), or -1;
 * *root_node is the subprogram holding addr, or -1. */
static gint32
cu_innermost_inlined (CuIndex    *ci,
                      Dwarf_Addr  addr,
                      gint32     *root_node)
{
  const RootRange *roots = (const RootRange *) (gpointer) ci->roots->data;
  const ScopeRange *ranges = (const ScopeRange *) (gpointer) ci->ranges->data;
  gsize lo;
  const RootRange *root = NULL;
  gint32 best = -1;
  guint32 best_depth = 0;

  lo = scorch_sorted_upper_bound (roots, ci->roots->len, sizeof (RootRange),
                                  G_STRUCT_OFFSET (RootRange, lo), addr);
  for (gsize i = lo; i > 0 && lo - i < 64; i--)
    if (addr < roots[i - 1].hi)
      {
        root = &roots[i - 1];
        break;
      }
  *root_node = -1;
  if (root == NULL)
    return -1;
  *root_node = (gint32) root->node;

  for (guint32 i = root->first; i < root->last; i++)
    if (addr >= ranges[i].lo && addr < ranges[i].hi && ranges[i].depth > best_depth)
      {
        best = (gint32) ranges[i].node;
        best_depth = ranges[i].depth;
      }
  return best;
}

static const char *
die_function_name (ScorchDwarfContext *self,
                   Dwarf_Die          *die)
{
  Dwarf_Attribute attr;
  const char *name = NULL;

  if (dwarf_attr_integrate (die, DW_AT_linkage_name, &attr) != NULL ||
      dwarf_attr_integrate (die, DW_AT_MIPS_linkage_name, &attr) != NULL)
    name = dwarf_formstring (&attr);
  if (name == NULL)
    name = dwarf_diename (die);
  if (name == NULL && dwarf_attr_integrate (die, DW_AT_name, &attr) != NULL)
    name = dwarf_formstring (&attr);
  return name != NULL ? self->demangle (self->demangle_data, name) : NULL;
}

static void
scope_node_resolve_name (ScorchDwarfContext *self,
                         ScopeNode          *n)
{
  if (n->name != NULL)
    return;
  n->name = die_function_name (self, &n->die);
  if (n->name == NULL)
    n->name = intern (self, "[inlined]");
}

/* Name and call site (the call site needs the CU's file table). */
static void
scope_node_resolve (ScorchDwarfContext *self,
                    CuIndex            *ci,
                    ScopeNode          *n)
{
  Dwarf_Attribute attr;
  Dwarf_Word call_file = 0, call_line = 0;

  if (n->resolved)
    return;
  n->resolved = TRUE;
  scope_node_resolve_name (self, n);

  if (!ci->files_loaded)
    {
      size_t n_files = 0;

      ci->files_loaded = TRUE;
      if (dwarf_getsrcfiles (&ci->cu, &ci->files, &n_files) != 0)
        ci->files = NULL;
    }
  if (dwarf_attr (&n->die, DW_AT_call_file, &attr) != NULL &&
      dwarf_formudata (&attr, &call_file) == 0 && ci->files != NULL)
    n->call_file = intern (self, dwarf_filesrc (ci->files, call_file, NULL, NULL));
  if (dwarf_attr (&n->die, DW_AT_call_line, &attr) != NULL &&
      dwarf_formudata (&attr, &call_line) == 0 && call_line <= G_MAXINT)
    n->call_line = (guint) call_line;
}

/* ------------------------------------------------------------------------ */
/* Declaration file:line without decoding line tables                       */

static FileTable *
module_file_table (ScorchDwarfContext *self,
                   ScorchDwarfModule  *m,
                   Dwarf_CU           *cu)
{
  FileTable *t;

  if (m->dwarf->file_tables == NULL)
    m->dwarf->file_tables = g_hash_table_new_full (NULL, NULL, NULL, file_table_free);
  t = g_hash_table_lookup (m->dwarf->file_tables, cu);
  if (t != NULL)
    return t;

  t = g_new0 (FileTable, 1);
  g_hash_table_insert (m->dwarf->file_tables, cu, t);
  t->names = scorch_line_table_read_files (cu, self->strings, &t->n_names);
  t->ok = t->names != NULL;
  return t;
}

/* Where the function of die is declared, following abstract_origin and
 * specification as dwarf_decl_file does. */
static void
die_decl_location (ScorchDwarfContext  *self,
                   ScorchDwarfModule   *m,
                   Dwarf_Die           *die,
                   const char         **file,
                   guint               *line)
{
  Dwarf_Attribute attr;
  Dwarf_Word idx;
  int l = 0;

  *file = NULL;
  *line = 0;
  if (dwarf_decl_line (die, &l) == 0 && l > 0)
    *line = (guint) l;
  if (dwarf_attr_integrate (die, DW_AT_decl_file, &attr) == NULL ||
      dwarf_formudata (&attr, &idx) != 0)
    return;
  {
    FileTable *t = module_file_table (self, m, attr.cu);

    if (t->ok)
      *file = idx < t->n_names ? t->names[idx] : NULL;
    else
      *file = intern (self, dwarf_decl_file (die));
  }
}

static void
scope_node_resolve_decl (ScorchDwarfContext *self,
                         ScorchDwarfModule  *m,
                         ScopeNode          *n)
{
  if (n->decl_resolved)
    return;
  n->decl_resolved = TRUE;
  die_decl_location (self, m, &n->die, &n->decl_file, &n->decl_line);
}

/* The CU's own source file, for code whose subprogram DIE (if any) names
 * no file (assembly). */
static const char *
cu_source_file (ScorchDwarfContext *self,
                Dwarf_Die          *cu)
{
  Dwarf_Attribute attr;
  const char *name = dwarf_diename (cu);

  if (name == NULL)
    return NULL;
  return scorch_line_table_join_path (self->strings, dwarf_formstring (dwarf_attr (cu, DW_AT_comp_dir, &attr)), name);
}

/* The CU holding addr: libdw's lookup (through .debug_aranges), else our
 * own index of every CU's ranges, built once per module.  *fallback says
 * which: libdw's line lookups fail on the CUs it cannot find itself. */
static Dwarf_Die *
module_addrdie (ScorchDwarfModule *m,
                Dwarf_Addr         addr,
                Dwarf_Addr        *bias,
                Dwarf_Die         *storage,
                gboolean          *fallback)
{
  Dwarf_Die *cu = dwfl_module_addrdie (m->mod, addr, bias);
  Dwarf *dbg;

  *fallback = FALSE;
  if (cu != NULL)
    return cu;
  dbg = dwfl_module_getdwarf (m->mod, bias);
  if (dbg == NULL)
    return NULL;
  if (m->dwarf->cu_index == NULL)
    m->dwarf->cu_index = scorch_dwarf_cu_index_new (dbg);
  if (!scorch_dwarf_cu_index_lookup (m->dwarf->cu_index, addr - *bias, storage))
    return NULL;
  *fallback = TRUE;
  return storage;
}

guint
_scorch_dwarf_inline_chain (ScorchDwarfContext *self,
                            ScorchDwarfModule  *m,
                            GElf_Addr           addr,
                            guint64             vaddr,
                            const char         *function,
                            ScorchSymbol       *chain)
{
  gboolean by_function = self->line_mode == SCORCH_SYMBOLIZER_LINES_FUNCTION;
  Dwarf_Addr cu_bias = 0;
  Dwarf_Die cu_storage;
  Dwarf_Die *cu;
  gboolean fallback = FALSE;
  const char *file = NULL;
  guint line = 0;
  guint n = 0;

  if (m->dwarf == NULL)
    m->dwarf = g_new0 (ScorchDwarfInline, 1);

  cu = module_addrdie (m, addr, &cu_bias, &cu_storage, &fallback);

  if (!by_function)
    {
      /* The address's own line; each caller's is where its callee was
       * inlined.  libdw finds the line table by .debug_aranges: without
       * them, look in the table of the CU our index found. */
      Dwfl_Line *src = fallback ? NULL : dwfl_module_getsrc (m->mod, addr);

      if (src != NULL)
        {
          int l = 0;
          const char *f = dwfl_lineinfo (src, NULL, &l, NULL, NULL, NULL);

          file = intern (self, f);
          line = l > 0 ? (guint) l : 0;
        }
      else if (fallback)
        {
          Dwarf_Line *dl = dwarf_getsrc_die (cu, addr - cu_bias);
          int l = 0;

          if (dl != NULL && dwarf_lineno (dl, &l) == 0)
            {
              file = intern (self, dwarf_linesrc (dl, NULL, NULL));
              line = l > 0 ? (guint) l : 0;
            }
        }
    }

  if (cu != NULL)
    {
      CuIndex *ci = module_cu_index (m, cu);
      gint32 root = -1;
      gint32 node = cu_innermost_inlined (ci, addr - cu_bias, &root);

      while (node >= 0 && n < MAX_CHAIN - 1)
        {
          ScopeNode *s = &g_array_index (ci->nodes, ScopeNode, node);

          if (!s->inlined)
            break;
          if (by_function)
            {
              /* Where each function is declared. */
              scope_node_resolve_name (self, s);
              scope_node_resolve_decl (self, m, s);
              file = s->decl_file;
              line = s->decl_line;
            }
          else
            {
              scope_node_resolve (self, ci, s);
            }
          chain[n++] = (ScorchSymbol) {
            .function = s->name,
            .module = m->path,
            .file = file,
            .line = line,
            .offset = vaddr,
            .kind = SCORCH_FRAME_KIND_INLINED,
          };
          if (!by_function)
            {
              /* The caller's position is where this scope was inlined. */
              file = s->call_file;
              line = s->call_line;
            }
          node = s->parent;
        }

      if (by_function)
        {
          file = NULL;
          line = 0;
          if (root >= 0)
            {
              ScopeNode *s = &g_array_index (ci->nodes, ScopeNode, root);

              scope_node_resolve_decl (self, m, s);
              file = s->decl_file;
              line = s->decl_line;
            }
          /* Assembly: no subprogram, or one without DW_AT_decl_file */
          if (file == NULL)
            file = cu_source_file (self, cu);
        }
    }

  chain[n] = (ScorchSymbol) {
    .function = function,
    .module = m->path,
    .file = file,
    .line = line,
    .offset = vaddr,
    .kind = SCORCH_FRAME_KIND_USER,
  };
  return n + 1;
}
