/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "scorch-demangle.h"

static void
check (const char *mangled,
       const char *expected)
{
  g_autofree char *res = scorch_demangle (mangled);

  g_assert_cmpstr (res, ==, expected);
}

static void
test_cplusplus (void)
{
  check ("_ZNK3BoxIdE3getEv", "Box<double>::get() const");
  check ("_ZNSt6vectorIiSaIiEE9push_backERKi",
         "std::vector<int, std::allocator<int> >::push_back(int const&)");
  check ("_ZZ4mainENKUliiE_clEii", "main::{lambda(int, int)#1}::operator()(int, int) const");
  check ("_ZN9__gnu_cxx5__ops14_Iter_comp_valIZ4mainEUliiE_EclINS_17__normal_iteratorIPiSt6vectorIiSaIiEEEEiEEbT_RT0_",
         "bool __gnu_cxx::__ops::_Iter_comp_val<main::{lambda(int, int)#1}>::operator()"
         "<__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int>"
         "(__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int&)");
  check ("_Z3fooi.cold", "foo(int) [clone .cold]");
}

static void
test_rust_legacy (void)
{
  /* the ::h<hash> suffix is dropped */
  check ("_ZN2rs5inner7example17hd1d814369776ce71E", "rs::inner::example");
  check ("_ZN4core3fmt5write17h2d1d7b0b3b3b3b3bE", "core::fmt::write");
  check ("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17hb6e30565f2a810ddE",
         "std::rt::lang_start::{{closure}}");
}

static void
test_rust_v0 (void)
{
  check ("_RNvNtCsbFYJioi4cCO_2rs5inner7example", "rs::inner::example");
  check ("_RNvCs15kBYyAo9fc_7mycrate7example", "mycrate::example");
  check ("_RNCNvCs15kBYyAo9fc_7mycrate4main0B3_", "mycrate::main::{closure#0}");
}

static void
test_plain_c (void)
{
  g_autofree char *dup = NULL;

  check ("main", NULL);
  check ("memcpy", NULL);
  check ("_start", NULL);
  check ("__libc_start_main", NULL);
  dup = scorch_demangle_or_dup ("main");
  g_assert_cmpstr (dup, ==, "main");
}

static void
test_garbage (void)
{
  static const char *garbage[] = {
    "_Z", "_R", "_ZN", "_ZZZZZZZZ", "_RNvC", "_RINvM", "_Z1", "_Z999999999999999999999foo",
    "_ZN3foo", "_RNvCs_", "_ZSt", "__Z", "_ZNK", "_ZTV", "_Z\xff\xfe", "_RB_",
  };
  GRand *rand = g_rand_new_with_seed (42);
  char buf[64];

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autofree char *res = scorch_demangle (garbage[i]);
      g_autofree char *dup = scorch_demangle_or_dup (garbage[i]);

      g_assert_nonnull (dup);
    }

  /* random tails after a mangling prefix */
  for (guint i = 0; i < 20000; i++)
    {
      guint len = g_rand_int_range (rand, 2, sizeof buf - 1);
      g_autofree char *res = NULL;

      buf[0] = '_';
      buf[1] = g_rand_boolean (rand) ? 'Z' : 'R';
      for (guint j = 2; j < len; j++)
        buf[j] = "NvCsEIKLT0123456789_abcdSt$."[g_rand_int_range (rand, 0, 28)];
      buf[len] = '\0';
      res = scorch_demangle (buf);
      if (res != NULL)
        g_assert_cmpuint (strlen (res), >, 0);
    }
  g_rand_free (rand);

  /* a very long name is refused rather than demangled */
  {
    GString *s = g_string_new ("_Z");
    g_autofree char *res = NULL;

    for (guint i = 0; i < 5000; i++)
      g_string_append (s, "PPPPPPPP");
    g_string_append (s, "v");
    res = scorch_demangle (s->str);
    g_assert_null (res);
    g_string_free (s, TRUE);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/libscorch/demangle/cplusplus", test_cplusplus);
  g_test_add_func ("/libscorch/demangle/rust-legacy", test_rust_legacy);
  g_test_add_func ("/libscorch/demangle/rust-v0", test_rust_v0);
  g_test_add_func ("/libscorch/demangle/plain-c", test_plain_c);
  g_test_add_func ("/libscorch/demangle/garbage", test_garbage);
  return g_test_run ();
}
