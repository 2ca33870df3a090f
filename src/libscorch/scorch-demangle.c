/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#define G_LOG_DOMAIN "Scorch"

#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "scorch-demangle.h"

/* Bounds the work libiberty may do on hostile names (deep templates in a
 * garbage .symtab): its own recursion limit is on by default, this only
 * avoids feeding it absurdly long strings. */
#define SCORCH_DEMANGLE_MAX_LEN 16384

static gboolean
looks_mangled (const char *name)
{
  /* Itanium C++ and Rust legacy: _Z...; Rust v0: _R...  Some platforms
   * add one more leading underscore (__Z, __R). */
  if (name[0] == '_' && name[1] == '_')
    name++;
  return name[0] == '_' && (name[1] == 'Z' || name[1] == 'R');
}

char *
scorch_demangle (const char *name)
{
  char *res;
  char *copy;

  g_return_val_if_fail (name != NULL, NULL);

  if (!looks_mangled (name) || strnlen (name, SCORCH_DEMANGLE_MAX_LEN + 1) > SCORCH_DEMANGLE_MAX_LEN)
    return NULL;

  /* DMGL_AUTO tries Rust (legacy and v0) before Itanium C++; Rust legacy
   * hashes are dropped unless DMGL_VERBOSE. */
  res = cplus_demangle (name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
  if (res == NULL)
    return NULL;
  if (res[0] == '\0')
    {
      /* Some garbage "demangles" to nothing: keep the raw name instead. */
      free (res);
      return NULL;
    }

  /* libiberty allocates with malloc(); hand back GLib memory. */
  copy = g_strdup (res);
  free (res);
  return copy;
}

char *
scorch_demangle_or_dup (const char *name)
{
  char *res;

  g_return_val_if_fail (name != NULL, NULL);

  res = scorch_demangle (name);
  return res != NULL ? res : g_strdup (name);
}

/* -- display names --
 *
 * A small scanner over the demangled text: it tracks bracket depth, treats
 * "operator…" tokens, "(anonymous namespace)" and lambda braces as parts of
 * a name, and finds the parameter list: the first top-level "(" that
 * follows a name.  What comes before the name's first top-level space is
 * the return type. */

#define IS_IDENT(c) (g_ascii_isalnum (c) || (c) == '_' || (c) == '$')
/* Longer names are shown as they are: nobody reads them either way, and
 * the scanner's bracket matching is quadratic on hostile input. */
#define SCORCH_DISPLAY_NAME_MAX_LEN 4096
#define ANONYMOUS_NAMESPACE "(anonymous namespace)"

static gboolean
is_word_at (const char *s,
            gsize       len,
            gsize       i,
            const char *word)
{
  gsize n = strlen (word);

  if (i + n > len || strncmp (s + i, word, n) != 0)
    return FALSE;
  if (i > 0 && IS_IDENT (s[i - 1]))
    return FALSE;
  return i + n == len || !IS_IDENT (s[i + n]);
}

/* I is at "operator": returns the index after the operator's symbol
 * ("operator()", "operator<<=", "operator new[]", "operator char const*"). */
static gsize
skip_operator (const char *s,
               gsize       len,
               gsize       i)
{
  i += strlen ("operator");
  if (i >= len)
    return len;

  if ((s[i] == '(' && i + 1 < len && s[i + 1] == ')') ||
      (s[i] == '[' && i + 1 < len && s[i + 1] == ']'))
    return i + 2;

  if (s[i] == '"')
    {
      /* operator"" _suffix */
      i++;
      while (i < len && s[i] != '"')
        i++;
      if (i < len)
        i++;
      if (i + 1 < len && s[i] == ' ' && IS_IDENT (s[i + 1]))
        i++;
      while (i < len && IS_IDENT (s[i]))
        i++;
      return i;
    }

  if (s[i] == ' ')
    {
      /* new, delete, new[], delete[] and conversions: up to the
       * parameter list (a conversion's type may hold templates). */
      int angle = 0;

      while (i < len)
        {
          if (s[i] == '<')
            angle++;
          else if (s[i] == '>' && angle > 0)
            angle--;
          else if (s[i] == '(' && angle == 0)
            break;
          i++;
        }
      return i;
    }

  while (i < len && strchr ("+-*/%^&|~!=<>,", s[i]) != NULL)
    i++;
  return i;
}

/* The index of the ")" matching the "(" at I, or LEN. */
static gsize
match_paren (const char *s,
             gsize       len,
             gsize       i)
{
  int depth = 0;

  for (; i < len; i++)
    {
      if (s[i] == '(')
        depth++;
      else if (s[i] == ')' && --depth == 0)
        return i;
    }
  return len;
}

/* The index of the ">" matching the "<" at I, or LEN. */
static gsize
match_angle (const char *s,
             gsize       len,
             gsize       i)
{
  int depth = 0, parens = 0;

  for (; i < len; i++)
    {
      if (is_word_at (s, len, i, "operator"))
        {
          i = skip_operator (s, len, i) - 1;
          continue;
        }
      if (s[i] == '(')
        parens++;
      else if (s[i] == ')' && parens > 0)
        parens--;
      else if (parens > 0)
        continue;
      else if (s[i] == '<')
        depth++;
      else if (s[i] == '>' && (i == 0 || s[i - 1] != '-') && --depth == 0)
        return i;
    }
  return len;
}

/* Finds the name before the top-level parameter list of S[0..LEN). */
static gboolean
find_function_name (const char *s,
                    gsize       len,
                    guint       recursion,
                    gsize      *begin,
                    gsize      *end)
{
  gsize seg = 0;
  gsize i = 0;
  int depth = 0;

  if (recursion > 8)
    return FALSE;

  while (i < len)
    {
      char c = s[i];

      if (is_word_at (s, len, i, "operator"))
        {
          i = skip_operator (s, len, i);
          continue;
        }
      if (c == '(' && len - i >= strlen (ANONYMOUS_NAMESPACE) &&
          strncmp (s + i, ANONYMOUS_NAMESPACE, strlen (ANONYMOUS_NAMESPACE)) == 0)
        {
          i += strlen (ANONYMOUS_NAMESPACE);
          continue;
        }

      if (depth == 0 && c == ' ')
        {
          /* "operator< <int>": a space before a template argument list
           * does not end a type. */
          if (i + 1 >= len || s[i + 1] != '<')
            seg = i + 1;
          i++;
          continue;
        }

      if (depth == 0 && c == '(')
        {
          gsize close = match_paren (s, len, i);

          /* A function's local scope: "f(int)::{lambda()#1}",
           * "X::f() const::Local". */
          if (close < len)
            {
              gsize j = close + 1;

              if (len - j >= 6 && strncmp (s + j, " const", 6) == 0)
                j += 6;
              if (len - j >= 2 && s[j] == ':' && s[j + 1] == ':')
                {
                  i = j;
                  continue;
                }
            }

          if (i > seg && s[i - 1] != '*' && s[i - 1] != '&')
            {
              *begin = seg;
              *end = i;
              return TRUE;
            }

          /* A declarator in parentheses, in a function that returns a
           * function pointer: "void (*f<int>(int))(double)". */
          if (close < len && i + 1 < len)
            {
              gsize j = i + 1;
              const char *member = g_strstr_len (s + j, close - j, "::*");

              /* a pointer to member: "void (Foo::*f(int))(double)" */
              if (s[j] != '*' && s[j] != '&' && member != NULL &&
                  memchr (s + j, '(', member - (s + j)) == NULL)
                j = member - s + 2;
              if (s[j] != '*' && s[j] != '&')
                j = close;

              while (j < close && (s[j] == '*' || s[j] == '&' || s[j] == ' '))
                j++;
              if (find_function_name (s + j, close - j, recursion + 1, begin, end))
                {
                  *begin += j;
                  *end += j;
                  return TRUE;
                }
            }

          /* "decltype (…)" and the like: part of the return type. */
          i = close < len ? close + 1 : len;
          continue;
        }

      switch (c)
        {
        case '<': case '[': case '{': case '(':
          depth++;
          break;
        case '>':
          if (depth > 0 && (i == 0 || s[i - 1] != '-'))
            depth--;
          break;
        case ']': case '}': case ')':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
      i++;
    }

  return FALSE;
}

static gboolean
is_hex_run (const char *s,
            gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* Appends the name S[0..LEN) without ABI tags and Rust hashes, with its
 * template arguments collapsed when FLAGS ask for it. */
static void
append_name (GString                *out,
             const char             *s,
             gsize                   len,
             ScorchDisplayNameFlags  flags)
{
  gsize i = 0;

  /* Rust legacy: "::h" and 16 hex digits */
  if (len > 19 && strncmp (s + len - 19, "::h", 3) == 0 && is_hex_run (s + len - 16, 16))
    len -= 19;

  while (i < len)
    {
      char c = s[i];

      if (is_word_at (s, len, i, "operator"))
        {
          gsize e = skip_operator (s, len, i);

          g_string_append_len (out, s + i, e - i);
          i = e;
          /* "operator()<int>": template arguments of the operator */
          if (i < len && s[i] == '<' && (s[i - 1] == ')' || s[i - 1] == ']') &&
              (flags & SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES) != 0)
            {
              gsize close = match_angle (s, len, i);

              if (close < len)
                {
                  g_string_append (out, "<…>");
                  i = close + 1;
                }
            }
          continue;
        }

      if (c == '[' && i > 0 && IS_IDENT (s[i - 1]))
        {
          const char *close = memchr (s + i, ']', len - i);

          /* "[abi:cxx11]" and Rust v0 crate disambiguators "[1a2b3c]" */
          if (close != NULL &&
              (strncmp (s + i, "[abi:", 5) == 0 || is_hex_run (s + i + 1, close - (s + i + 1))))
            {
              i = close - s + 1;
              continue;
            }
        }

      if (c == '<' && (flags & SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES) != 0 &&
          i > 0 && IS_IDENT (s[i - 1]))
        {
          gsize close = match_angle (s, len, i);

          if (close < len)
            {
              g_string_append (out, "<…>");
              i = close + 1;
              continue;
            }
        }

      g_string_append_c (out, c);
      i++;
    }
}

char *
scorch_display_name (const char             *name,
                     ScorchDisplayNameFlags  flags)
{
  /* Special symbols keep what they are for, and show the function they
   * belong to as short as any other. */
  static const char * const prefixes[] = {
    "non-virtual thunk to ", "virtual thunk to ", "covariant return thunk to ",
    "construction vtable for ", "vtable for ", "VTT for ", "typeinfo name for ",
    "typeinfo for ", "guard variable for ", "TLS init function for ",
    "TLS wrapper function for ", "transaction clone for ",
  };
  g_autoptr(GString) out = NULL;
  const char *s = name;
  gsize len, begin = 0, end = 0;

  g_return_val_if_fail (name != NULL, NULL);

  if (strnlen (name, SCORCH_DISPLAY_NAME_MAX_LEN + 1) > SCORCH_DISPLAY_NAME_MAX_LEN)
    return g_strdup (name);

  out = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (s, prefixes[i]))
      {
        g_string_append (out, prefixes[i]);
        s += strlen (prefixes[i]);
        break;
      }

  len = strlen (s);
  if (find_function_name (s, len, 0, &begin, &end))
    {
      /* The cold or specialised part of a function is other code: say so. */
      const char *clone = strstr (s + end, " [clone ");

      append_name (out, s + begin, end - begin, flags);
      if (clone != NULL)
        g_string_append (out, clone);
    }
  else
    append_name (out, s, len, flags);

  if (out->len == 0)
    return g_strdup (name);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
