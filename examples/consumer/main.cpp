#include <mmarray.hpp>
#include <cstdio>

int main() {
  auto a = mmarray::array::open("consumer_cpp.f4", "<f4", "w+", 0, {{3}});
  a.data<float>()[2] = 2.5f;
  std::printf("C++ consumer: %s %g\n", a.dtype().c_str(), a.data<float>()[2]);
  a.close();
  return std::remove("consumer_cpp.f4");
}
