// The checks both C++ test programs use (test_cpp_raii.cpp, test_cpp_iter.cpp): CHECK
// counts a failed condition and goes on; EXPECT_ERROR runs a body that must throw
// mmarray::error with a status code and a part of the message. main returns 1 when
// `failures` is not 0.
#pragma once

#include "mmarray.hpp"

#include <cstdio>
#include <cstring>

static int failures = 0;
#define CHECK(cond)                                                                      \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
      ++failures;                                                                        \
    }                                                                                    \
  } while (0)

// Runs `f`, which must throw mmarray::error with `code` and a message containing `part`.
template <class F> static void expect_error(mm_status code, const char *part, F f, int line) {
  try {
    f();
    std::fprintf(stderr, "line %d: no exception\n", line);
    ++failures;
  } catch (const mmarray::error &e) {
    if (e.code() != code || std::strstr(e.what(), part) == nullptr) {
      std::fprintf(stderr, "line %d: got code %d \"%s\", want %d with \"%s\"\n", line,
                   static_cast<int>(e.code()), e.what(), static_cast<int>(code), part);
      ++failures;
    }
  }
}
#define EXPECT_ERROR(code, part, body) expect_error(code, part, [&] { body; }, __LINE__)
