// SPDX-License-Identifier: GPL-3.0-or-later
// analysis-cpp.cpp: C++ workload: templates, lambdas, threads.
// Usage: analysis-cpp SECONDS

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

static volatile unsigned long sink;

namespace work {

template <typename T>
struct Accumulator
{
  __attribute__((noinline)) T
  add_squares (T n)
  {
    T s = 0;
    for (T i = 0; i < n; i++)
      s += i * i;
    sink += (unsigned long) s;
    return s;
  }
};

template <typename T>
__attribute__((noinline)) T
templated_sum (T n)
{
  Accumulator<T> acc;
  return acc.add_squares (n);
}

__attribute__((noinline)) void
apply (const std::function<void (unsigned long)> &f,
       unsigned long                              n)
{
  f (n);
}

} // namespace work

static void
worker (double secs)
{
  auto end = std::chrono::steady_clock::now () + std::chrono::duration<double> (secs);
  while (std::chrono::steady_clock::now () < end)
    {
      work::templated_sum<unsigned long> (100000);
      work::templated_sum<double> (50000.0);
      work::apply ([] (unsigned long n) __attribute__((noinline)) {
        for (unsigned long i = 0; i < n; i++)
          sink ^= i * 13;
      }, 100000);
    }
}

int
main (int    argc,
      char **argv)
{
  double secs = argc > 1 ? std::atof (argv[1]) : 1.0;
  std::vector<std::thread> threads;

  for (int i = 0; i < 2; i++)
    threads.emplace_back (worker, secs);
  for (auto &t : threads)
    t.join ();
  return 0;
}
