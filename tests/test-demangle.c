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

/* -- display names -- */

typedef struct
{
  const char *full;
  const char *shown;
  const char *collapsed;  /* NULL: as shown */
} DisplayCase;

/* Names as libiberty prints them (c++filt and rustc output of real
 * programs), and how the views show them. */
static const DisplayCase display_cases[] = {
  /* the example, and return types */
  { "double physics::integrate<double>(std::vector<double, std::allocator<double> >&, int)",
    "physics::integrate<double>", "physics::integrate<…>" },
  { "double physics::integrate<double>(std::vector<double>&, int)", "physics::integrate<double>", "physics::integrate<…>" },
  { "void std::_Destroy_aux<true>::__destroy<double*>(double*, double*)",
    "std::_Destroy_aux<true>::__destroy<double*>", "std::_Destroy_aux<…>::__destroy<…>" },
  { "std::map<int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::less<int>, "
    "std::allocator<std::pair<int const, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > > >* "
    "mk<int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >(std::function<void (int)>)",
    "mk<int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >", "mk<…>" },
  { "unsigned long long sum<unsigned long long>(unsigned long long const*, unsigned long)",
    "sum<unsigned long long>", "sum<…>" },
  /* plain members, qualifiers, constructors */
  { "matrix_kernel(double*, double const*, unsigned long)", "matrix_kernel", NULL },
  { "Box<double>::get() const", "Box<double>::get", "Box<…>::get" },
  { "std::vector<int, std::allocator<int> >::push_back(int const&)",
    "std::vector<int, std::allocator<int> >::push_back", "std::vector<…>::push_back" },
  { "std::allocator<double>::~allocator()", "std::allocator<double>::~allocator", "std::allocator<…>::~allocator" },
  { "std::_Vector_base<double, std::allocator<double> >::_Vector_impl::_Vector_impl()",
    "std::_Vector_base<double, std::allocator<double> >::_Vector_impl::_Vector_impl",
    "std::_Vector_base<…>::_Vector_impl::_Vector_impl" },
  { "Widget::move() &&", "Widget::move", NULL },
  { "Foo::name[abi:cxx11]() const", "Foo::name", NULL },
  { "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_create(unsigned long&, unsigned long)",
    "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_create",
    "std::__cxx11::basic_string<…>::_M_create" },
  /* operators */
  { "Foo::operator()(int) const", "Foo::operator()", NULL },
  { "Foo::operator<(Foo const&) const", "Foo::operator<", NULL },
  { "Foo::operator<<(int)", "Foo::operator<<", NULL },
  { "Foo::operator->() const", "Foo::operator->", NULL },
  { "Foo::operator bool() const", "Foo::operator bool", NULL },
  { "Foo::operator new[](unsigned long)", "Foo::operator new[]", NULL },
  { "operator delete(void*, unsigned long)", "operator delete", NULL },
  { "Foo::operator[](unsigned long)", "Foo::operator[]", NULL },
  { "bool operator<= <int>(std::vector<int, std::allocator<int> > const&, Foo const&)", "operator<= <int>", NULL },
  { "bool operator< <int>(Foo<int> const&, Foo<int> const&)", "operator< <int>", NULL },
  { "Foo::operator std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >() const",
    "Foo::operator std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", NULL },
  { "std::function<int (int)>::operator()(int) const", "std::function<int (int)>::operator()", "std::function<…>::operator()" },
  { "operator\"\" _km(unsigned long long)", "operator\"\" _km", NULL },
  /* lambdas and local entities */
  { "main::{lambda(int, int)#1}::operator()(int, int) const", "main::{lambda(int, int)#1}::operator()", NULL },
  { "use()::{lambda(int)#1} const& std::_Any_data::_M_access<use()::{lambda(int)#1}>() const",
    "std::_Any_data::_M_access<use()::{lambda(int)#1}>", "std::_Any_data::_M_access<…>" },
  { "std::_Function_base::_Base_manager<use()::{lambda(int)#1}>::_M_manager(std::_Any_data&, std::_Any_data const&, std::_Manager_operation)",
    "std::_Function_base::_Base_manager<use()::{lambda(int)#1}>::_M_manager",
    "std::_Function_base::_Base_manager<…>::_M_manager" },
  { "Renderer::draw() const::{lambda(Tile&)#2}::operator()(Tile&) const",
    "Renderer::draw() const::{lambda(Tile&)#2}::operator()", NULL },
  { "bool __gnu_cxx::__ops::_Iter_comp_val<main::{lambda(int, int)#1}>::operator()"
    "<__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int>"
    "(__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int&)",
    "__gnu_cxx::__ops::_Iter_comp_val<main::{lambda(int, int)#1}>::operator()"
    "<__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int>",
    "__gnu_cxx::__ops::_Iter_comp_val<…>::operator()<…>" },
  /* anonymous namespaces */
  { "(anonymous namespace)::helper(int)", "(anonymous namespace)::helper", NULL },
  { "int (anonymous namespace)::Pool<int>::take<4>(unsigned long)", "(anonymous namespace)::Pool<int>::take<4>",
    "(anonymous namespace)::Pool<…>::take<…>" },
  /* functions returning function pointers */
  { "void (*get_handler<int>(int))(double)", "get_handler<int>", "get_handler<…>" },
  { "int (*(*table<char>(char))(long))(short)", "table<char>", "table<…>" },
  { "void (Foo::*member_of<Foo>(int))(double)", "member_of<Foo>", "member_of<…>" },
  /* decltype return types */
  { "decltype ({parm#1}+{parm#2}) add<int, int>(int, int)", "add<int, int>", "add<…>" },
  /* clones and special symbols */
  { "foo(int) [clone .cold]", "foo [clone .cold]", NULL },
  { "compute(double*, int) [clone .isra.0] [clone .constprop.0]", "compute [clone .isra.0] [clone .constprop.0]", NULL },
  { "non-virtual thunk to Derived::run(int)", "non-virtual thunk to Derived::run", NULL },
  { "vtable for Derived", "vtable for Derived", NULL },
  /* Rust */
  { "rs::inner::example", "rs::inner::example", NULL },
  { "core::fmt::write::h2d1d7b0b3b3b3b3b", "core::fmt::write", NULL },
  { "std::rt::lang_start::{{closure}}", "std::rt::lang_start::{{closure}}", NULL },
  { "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop", "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop",
    "<alloc::vec::Vec<…> as core::ops::drop::Drop>::drop" },
  { "<core::iter::adapters::map::Map<I,F> as core::iter::traits::iterator::Iterator>::fold::h0123456789abcdef",
    "<core::iter::adapters::map::Map<I,F> as core::iter::traits::iterator::Iterator>::fold",
    "<core::iter::adapters::map::Map<…> as core::iter::traits::iterator::Iterator>::fold" },
  { "<fn() -> i32 as core::ops::function::FnOnce<()>>::call_once", "<fn() -> i32 as core::ops::function::FnOnce<()>>::call_once",
    "<fn() -> i32 as core::ops::function::FnOnce<…>>::call_once" },
  { "<&mut W as core::fmt::Write>::write_str", "<&mut W as core::fmt::Write>::write_str", NULL },
  { "<impl core::fmt::Debug for mycrate::Point>::fmt", "<impl core::fmt::Debug for mycrate::Point>::fmt", NULL },
  { "mycrate[d4f2c1b7a3e5f6a8]::physics::integrate::<f64>", "mycrate::physics::integrate::<f64>",
    "mycrate::physics::integrate::<f64>" },
  { "core::ptr::drop_in_place<alloc::vec::Vec<u8>>", "core::ptr::drop_in_place<alloc::vec::Vec<u8>>", "core::ptr::drop_in_place<…>" },
  /* not C++ or Rust: unchanged */
  { "main", "main", NULL },
  { "__libc_start_main", "__libc_start_main", NULL },
  { "[unknown]", "[unknown]", NULL },
  { "[kernel.kallsyms]", "[kernel.kallsyms]", NULL },
  { "0x7f3a2c1b4e20", "0x7f3a2c1b4e20", NULL },
  { "LazyCompile:*fib /home/me/fib.js:3", "LazyCompile:*fib /home/me/fib.js:3", NULL },
  { "entry_SYSCALL_64_after_hwframe", "entry_SYSCALL_64_after_hwframe", NULL },
  { "foo (inlined)", "foo (inlined)", NULL },
};

static void
test_display_names (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (display_cases); i++)
    {
      const DisplayCase *c = &display_cases[i];
      g_autofree char *shown = scorch_display_name (c->full, SCORCH_DISPLAY_NAME_DEFAULT);
      g_autofree char *collapsed = scorch_display_name (c->full, SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES);

      g_test_message ("%s", c->full);
      g_assert_cmpstr (shown, ==, c->shown);
      g_assert_cmpstr (collapsed, ==, c->collapsed != NULL ? c->collapsed : c->shown);
    }
}

/* Straight from mangled symbols, through the demangler the symbolizer uses. */
static void
test_display_names_mangled (void)
{
  static const struct { const char *mangled, *shown; } cases[] = {
    { "_ZN7physics9integrateIdEET_RSt6vectorIS1_SaIS1_EEi", "physics::integrate<double>" },
    { "_Z11get_handlerIiEPFvdET_", "get_handler<int>" },
    { "_ZNK3FoocvbEv", "Foo::operator bool" },
    { "_ZNK3FooltERKS_", "Foo::operator<" },
    { "_ZN12_GLOBAL__N_16helperEi", "(anonymous namespace)::helper" },
    { "_ZNKSt9_Any_data9_M_accessIZ3usevEUliE_EERKT_v", "std::_Any_data::_M_access<use()::{lambda(int)#1}>" },
    { "_ZNK3Foo4nameB5cxx11Ev", "Foo::name" },
    { "_ZZ4mainENKUliiE_clEii", "main::{lambda(int, int)#1}::operator()" },
    { "_Z3fooi.cold", "foo [clone .cold]" },
    { "_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17hb6e30565f2a810ddE", "std::rt::lang_start::{{closure}}" },
    { "_RNvNtCsbFYJioi4cCO_2rs5inner7example", "rs::inner::example" },
    { "_RNCNvCs15kBYyAo9fc_7mycrate4main0B3_", "mycrate::main::{closure#0}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *full = scorch_demangle (cases[i].mangled);
      g_autofree char *shown = NULL;

      g_assert_nonnull (full);
      shown = scorch_display_name (full, SCORCH_DISPLAY_NAME_DEFAULT);
      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

/* Hostile names: never a crash, never an empty result, never longer than
 * the name with its templates collapsed. */
static void
test_display_names_garbage (void)
{
  static const char alphabet[] = "ab:<>()[]{}*& ,#-operator\"";
  GRand *rand = g_rand_new_with_seed (7);
  char buf[48];

  for (guint i = 0; i < 50000; i++)
    {
      guint len = g_rand_int_range (rand, 1, sizeof buf - 1);
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      for (guint j = 0; j < len; j++)
        buf[j] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      buf[len] = '\0';
      a = scorch_display_name (buf, SCORCH_DISPLAY_NAME_DEFAULT);
      b = scorch_display_name (buf, SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_cmpuint (strlen (a), >, 0);
      g_assert_true (g_utf8_validate (b, -1, NULL));
    }
  g_rand_free (rand);

  /* Long hostile names (unmatched brackets, nesting) end; past 4 KB they
   * come back as they are. */
  {
    static const char *units[] = { "<", "(", "f<", "operator<", "a::", "{lambda(", "(anonymous namespace)" };

    for (guint u = 0; u < G_N_ELEMENTS (units); u++)
      {
        g_autoptr(GString) s = g_string_new (NULL);
        g_autofree char *a = NULL;

        while (s->len < 4000)
          g_string_append (s, units[u]);
        a = scorch_display_name (s->str, SCORCH_DISPLAY_NAME_COLLAPSE_TEMPLATES);
        g_assert_nonnull (a);
        g_string_append (s, s->str);
        g_free (a);
        a = scorch_display_name (s->str, SCORCH_DISPLAY_NAME_DEFAULT);
        g_assert_cmpstr (a, ==, s->str);
      }
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
  g_test_add_func ("/libscorch/demangle/display-names", test_display_names);
  g_test_add_func ("/libscorch/demangle/display-names-mangled", test_display_names_mangled);
  g_test_add_func ("/libscorch/demangle/display-names-garbage", test_display_names_garbage);
  return g_test_run ();
}
