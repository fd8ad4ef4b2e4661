// Tests of the iterators of include/mmarray.hpp: elements<T>() (T* over a contiguous
// array, const T* for a read-only one) and accessor<T>() as a range over any strided
// view in numpy's C order, with range-for and <algorithm>. Built as C++17 and C++20
// (which adds the iterator and range concept checks); see CMakeLists.txt, run_tests.sh.
// The expected orders are numpy 2.4.6's, quoted next to each.
#include "mmarray.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <type_traits>
#include <unistd.h>
#include <vector>
#if __cplusplus >= 202002L
#include <concepts>
#include <ranges>
#endif

#include "test_check.hpp"

// Contiguous ranges iterate plain pointers; a read-only one only const pointers.
static_assert(std::is_same_v<mmarray::elements<double>::iterator, double *>, "T*");
static_assert(std::is_same_v<decltype(std::declval<mmarray::elements<const double>>().begin()),
                             const double *>,
              "read-only arrays iterate const T*");
static_assert(std::is_same_v<decltype(*std::declval<mmarray::elements<const double>>().begin()),
                             const double &>,
              "no writes through a read-only range");
// Strided iterators: random access; through accessor<const T> the references are const.
using strided = mmarray::strided_iterator<double>;
using const_strided = decltype(std::declval<mmarray::accessor<const double>>().begin());
static_assert(std::is_same_v<std::iterator_traits<strided>::iterator_category,
                             std::random_access_iterator_tag>,
              "random access");
static_assert(std::is_same_v<decltype(*std::declval<const_strided>()), const double &>,
              "no writes through a read-only accessor");
static_assert(!std::is_assignable_v<decltype(*std::declval<const_strided>()), double>,
              "const elements");
#if __cplusplus >= 202002L
static_assert(std::contiguous_iterator<mmarray::elements<double>::iterator>);
static_assert(std::ranges::contiguous_range<mmarray::elements<double>>);
static_assert(std::random_access_iterator<strided>);
static_assert(std::random_access_iterator<const_strided>);
static_assert(std::ranges::random_access_range<mmarray::accessor<double>>);
static_assert(std::ranges::sized_range<mmarray::accessor<double>>);
static_assert(std::sortable<strided>);
#endif

// The file's doubles after the header bytes, read with an ifstream (not the mapping).
static std::vector<double> file_doubles(const std::string &path, std::size_t offset,
                                        std::size_t n) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  std::vector<double> v(n);
  f.read(reinterpret_cast<char *>(v.data()), static_cast<std::streamsize>(n * sizeof(double)));
  return f ? v : std::vector<double>();
}

template <class R> static std::vector<double> collect(const R &r) {
  std::vector<double> out;
  for (const auto &x : r) {  // range-for
    out.push_back(x);
  }
  return out;
}

int main() {
  char dir[] = "/tmp/mm_cpp_iter_XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    return 2;
  }
  const std::string path = std::string(dir) + "/a.f8";
  const std::size_t live0 = mm_handle_count();
  const std::vector<double> unsorted = {5, 3, 11, 0, 7, 1, 9, 4, 8, 2, 10, 6};
  {
    auto a = mmarray::array::open(path, "<f8", "w+", 16, {3, 4});
    auto e = a.elements<double>();
    CHECK(e.size() == 12 && !e.empty() && e.begin() == a.data<double>() &&
          e.end() - e.begin() == 12);
    std::copy(unsorted.begin(), unsorted.end(), e.begin());
    CHECK(collect(e) == unsorted);
    // std::sort on the contiguous range writes through the mapping into the file.
    std::sort(e.begin(), e.end());
    a.flush();
    CHECK((file_doubles(path, 16, 12) ==
           std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
    CHECK(std::accumulate(e.begin(), e.end(), 0.0) == 66.0);
    CHECK(std::find(e.begin(), e.end(), 7.0) - e.begin() == 7 && e[7] == 7.0);
    for (double &x : a.elements<double>()) {
      x *= 2;
    }
    CHECK(a.data<double>()[11] == 22.0);
    for (double &x : e) {
      x /= 2;
    }
    // Not contiguous: refused, pointing to accessor<T>().
    auto cols = a.slice(1, 1, mmarray::omit_stop(), 2);  // a[:, 1::2]
    EXPECT_ERROR(MM_E_INVALID_ARG, "not contiguous; iterate accessor<T>()",
                 (void)cols.elements<double>());
    EXPECT_ERROR(MM_E_INVALID_ARG, "but T is int64", (void)a.elements<std::int64_t>());
    // An F-contiguous (transposed) view: elements in memory order.
    auto t = a.view(nullptr, 0, {4, 3}, std::vector<std::int64_t>{8, 32});
    CHECK(collect(t.elements<const double>()) == collect(e));
    // An empty array: an empty range.
    auto none = a.slice(0, 2, 2);
    CHECK(none.size() == 0 && none.elements<double>().empty() &&
          none.elements<double>().begin() == none.elements<double>().end());

    // Strided views iterate in numpy's C order.
    // np.arange(12.).reshape(3, 4).T.ravel()
    CHECK((collect(t.accessor<double>()) ==
           std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
    // a[::-1, 1::2].ravel() -> [9, 11, 5, 7, 1, 3] (strides (-32, 16))
    auto rv = a.slice(0, mmarray::omit_start(-1), mmarray::omit_stop(-1), -1)
                  .slice(1, 1, mmarray::omit_stop(), 2);
    CHECK((rv.strides() == std::vector<std::int64_t>{-32, 16}));
    auto m = rv.accessor<double>();
    CHECK(m.size() == 6 && m.end() - m.begin() == 6);
    CHECK((collect(m) == std::vector<double>{9, 11, 5, 7, 1, 3}));
    // Random access agrees with indexing: it[k] is element [k / 2, k % 2].
    auto it = m.begin();
    CHECK(it[3] == m(1, 1) && *(it + 5) == m(2, 1) && *(m.end() - 1) == 3.0 &&
          (it + 4).index() == 4);
    CHECK(it < m.end() && m.end() > it && it <= it && !(it != m.begin()) && (2 + it) - it == 2);
    ++it;
    it += 2;
    --it;
    CHECK(*it == 5.0 && *it-- == 5.0 && *it == 11.0 && &*it == &m(0, 1));
    CHECK(std::find(m.begin(), m.end(), 1.0) - m.begin() == 4);
    CHECK(*std::max_element(m.begin(), m.end()) == 11.0);
    // Sorting the view rearranges its elements in C order, as numpy's
    //   v = b[::-1, 1::2]; v[...] = np.sort(v.ravel()).reshape(v.shape)
    // leaves b.ravel() == [0, 9, 2, 11, 4, 5, 6, 7, 8, 1, 10, 3]; the rest is untouched.
    std::sort(m.begin(), m.end());
    CHECK((collect(m) == std::vector<double>{1, 3, 5, 7, 9, 11}));
    a.flush();
    CHECK((file_doubles(path, 16, 12) ==
           std::vector<double>{0, 9, 2, 11, 4, 5, 6, 7, 8, 1, 10, 3}));
    std::reverse(m.begin(), m.end());
    CHECK((collect(m) == std::vector<double>{11, 9, 7, 5, 3, 1}));
    // A 0-d view: one element; an empty view: nothing.
    auto z = a.view(nullptr, 8 * 4, std::vector<std::size_t>{});  // a[1, 0], never moved
    CHECK(z.accessor<double>().size() == 1 &&
          collect(z.accessor<double>()) == std::vector<double>{4});
    auto zm = none.accessor<double>();
    CHECK(zm.size() == 0 && zm.begin() == zm.end());
#if __cplusplus >= 202002L
    std::ranges::sort(m);
    CHECK((collect(m) == std::vector<double>{1, 3, 5, 7, 9, 11}));
    CHECK(std::ranges::distance(m) == 6);
    std::ranges::sort(a.elements<double>(), std::greater<>());
    CHECK(a.data<double>()[0] == 11.0 && a.data<double>()[11] == 0.0);
#endif
  }
  CHECK(mm_handle_count() == live0);
  {
    // A read-only array: elements<const T> and accessor<const T> only.
    auto r = mmarray::array::open(path, "<f8", "r", 16, {3, 4});
    EXPECT_ERROR(MM_E_READ_ONLY, "read-only", (void)r.elements<double>());
    auto e = r.elements<const double>();
#if __cplusplus >= 202002L
    const std::vector<double> want = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};  // sorted descending
#else
    const std::vector<double> want = {0, 3, 2, 1, 4, 7, 6, 5, 8, 11, 10, 9};  // after reverse(m)
#endif
    CHECK(e.size() == 12 && collect(e) == want && file_doubles(path, 16, 12) == want);
    auto m = r.accessor<const double>();
    CHECK(std::equal(m.begin(), m.end(), e.begin(), e.end()));
    auto col = r.slice(1, 3, 4);  // r[:, 3:4], strides (32, 8)
    CHECK(collect(col.accessor<const double>()) == (std::vector<double>{e[3], e[7], e[11]}));
  }
  CHECK(mm_handle_count() == live0);
#ifdef MMARRAY_HPP_HAS_MDSPAN
  {
    // Compiled only where the standard library has std::mdspan (not gcc 12: untested).
    auto r = mmarray::array::open(path, "<f8", "r", 16, {3, 4});
    auto md = r.mdspan<const double, 2>();
    CHECK(md.extent(0) == 3 && md.extent(1) == 4 && md.stride(0) == 4 && md.stride(1) == 1);
    auto col = r.slice(1, 1, mmarray::omit_stop(), 2).mdspan<const double, 2>();
    CHECK(col.extent(1) == 2 && col.stride(1) == 2 && col[2, 1] == md[2, 3]);
    EXPECT_ERROR(MM_E_INVALID_ARG, "positive multiple",
                 (void)r.slice(0, mmarray::omit_start(-1), mmarray::omit_stop(-1), -1)
                     .mdspan<const double, 2>());
    EXPECT_ERROR(MM_E_INVALID_ARG, "2 dimensions, not 1", (void)r.mdspan<const double, 1>());
  }
#endif

  std::remove(path.c_str());
  rmdir(dir);
  if (failures == 0) {
    std::printf("test_cpp_iter (C++%ld): all checks passed\n",
                static_cast<long>(__cplusplus / 100 % 100));
  }
  return failures == 0 ? 0 : 1;
}
