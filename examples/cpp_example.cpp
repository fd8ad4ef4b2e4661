// C++17: RAII arrays, exceptions with status codes, typed access.
#include <mmarray.hpp>
#include <cstdio>

int main() {
  try {
    auto a = mmarray::array::open("example.f8", "<f8", "w+", 0, {2, 3});
    double *x = a.data<double>();  // throws unless the dtype is <f8
    for (std::size_t i = 0; i < a.size(); ++i) x[i] = 0.5 * i;
    mmarray::array row = a.slice(0, 1, 2);  // a[1:2], a new array on the same mapping
    std::printf("row 1 starts with %g\n", row.data<double>()[0]);
    a.flush();
  } catch (const mmarray::error &e) {  // every array above is closed by now
    std::fprintf(stderr, "mmarray error %d: %s\n", static_cast<int>(e.code()), e.what());
    return 1;
  }
  try {
    mmarray::array::open("missing.f8", "<f8", "r");
  } catch (const mmarray::error &e) {
    std::printf("status %d (MM_E_NOT_FOUND is %d)\n", static_cast<int>(e.code()), MM_E_NOT_FOUND);
  }
  std::remove("example.f8");
  return 0;
}
