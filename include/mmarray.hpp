/*
 * mmarray.hpp: a header-only C++17 front end to mmarray.h (numpy.memmap semantics).
 *
 *   auto a = mmarray::array::open("data.bin", "<f8", "r+", 0, {3, 4});
 *   auto b = mmarray::array::open_npy("data.npy", "r");  // dtype and shape from the header
 *   double *p = a.data<double>();          // throws mmarray::error unless the dtype is <f8
 *   const double *q = b.data<const double>();  // read-only arrays: const T only
 *   auto m = a.accessor<double>();         // strided, bounds-checked: m(i, j)
 *   for (double &x : a.elements<double>()) x *= 2;  // contiguous: T* iterators
 *   std::sort(m.begin(), m.end());         // any view: random access, numpy's C order
 *   mmarray::array row = a.slice(0, 1, 2); // a new handle on the same mapping
 *
 * - mmarray::array owns one handle: move-only, closed by its destructor (errors from that
 *   close are ignored; call close() to see them). view() and slice() return new arrays
 *   that keep the mapping alive on their own.
 * - Every failure throws mmarray::error, which carries the mm_status code and the
 *   library's message. THIS HEADER NEEDS C++ EXCEPTIONS (it refuses to compile with
 *   -fno-exceptions).
 * - data<T>() checks with mm_scalar_kind() that the array's elements are T in the
 *   machine's byte order (MM_SCALAR_FLOAT64 for double, MM_SCALAR_BOOL for bool,
 *   MM_SCALAR_COMPLEX128 for std::complex<double>...) and that the data is aligned for T
 *   (else it throws; an array at an odd offset is read with get<T>(i) / set<T>(i, v) or
 *   data_bytes()). A non-const T needs a writeable array: an array opened in mode "r"
 *   gives only data<const T>() (MM_E_READ_ONLY otherwise). data<T>() is the address of
 *   the first element whatever the strides; accessor<T>() reads and writes elements of
 *   any strided view by index, checking the bounds. Compiled as C++20, span<T>() gives a
 *   std::span over a contiguous array (span<const T>() for a read-only one).
 * - Iterators, for <algorithm> and range-for. elements<T>() is the range of a C- or
 *   F-contiguous array in memory order; its iterators are plain T* (const T* from
 *   elements<const T>(), the only form a read-only array gives), so contiguous and random
 *   access. accessor<T>() is also a range: begin()/end() walk any strided view
 *   (transposed, reversed, sliced, 0-d) in numpy's C order (a.ravel() order), random
 *   access, each dereference costing ndim integer divisions. Iterators of an accessor
 *   are valid while that accessor object and the mapping are (as a container's).
 * - Where the standard library has std::mdspan (C++23, __cpp_lib_mdspan), mdspan<T, N>()
 *   gives a std::mdspan with std::layout_stride over an N-dimensional view with positive
 *   strides. It is compiled only there: gcc 12 (the compiler the tests use) has no
 *   <mdspan>, so that member is NOT tested here.
 * - Texts (paths, dtypes, modes, member names) are taken as const char *, std::string or
 *   std::string_view (mmarray::text); a null const char * means "not given".
 * - No std::error_code overloads: the C API already is the exception-free interface
 *   (every call returns an mm_status, and mm_last_error_message() says why), so code
 *   built with -fno-exceptions includes mmarray.h directly. A second, error_code-based
 *   copy of every member here would double the surface to test for no new capability.
 *
 * Link with the mmarray library (CMake target mmarray::mmarray, or pkg-config mmarray).
 *
 * (Over 600 lines on purpose: a header-only wrapper is one file, so that a consumer
 * includes one header and installs nothing else; it follows mmarray.h area by area.)
 */
#ifndef MMARRAY_HPP
#define MMARRAY_HPP

#if !defined(__cpp_exceptions) && !defined(__EXCEPTIONS) && !defined(_CPPUNWIND)
#error "mmarray.hpp reports failures as exceptions: compile with exceptions enabled"
#endif

#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if __cplusplus >= 202002L && __has_include(<span>)
#include <span>
#define MMARRAY_HPP_HAS_SPAN 1
#endif

#if __cplusplus > 202002L && __has_include(<mdspan>)
#include <mdspan>
#endif
#if defined(__cpp_lib_mdspan) && __cpp_lib_mdspan >= 202207L
#include <array>
#define MMARRAY_HPP_HAS_MDSPAN 1
#endif

#include "mmarray.h"

/// The C++17 front end of mmarray.h: an mmarray::array owns one handle and closes it,
/// and every failure throws an mmarray::error.
namespace mmarray {

/// A failed mmarray call: code() is the mm_status (MM_E_*), what() the library's message,
/// os_error() the errno when the OS reported the failure.
class error : public std::runtime_error {
public:
  /// An error with a status and the message that explains it.
  /// \param code the MM_E_* status of the failed call.
  /// \param message what went wrong (what() returns it).
  /// \param os_error the errno of the failure, 0 when the OS was not involved.
  error(mm_status code, const std::string &message, int os_error = 0)
      : std::runtime_error(message), code_(code), os_error_(os_error) {}
  /// The MM_E_* status of the failure.
  /// \return the status code.
  mm_status code() const noexcept { return code_; }
  /// The errno of the failure (mm_last_os_error), 0 when the OS was not involved.
  /// \return the errno value.
  int os_error() const noexcept { return os_error_; }
  /// mm_status_str of code().
  /// \return a short static text for the status.
  const char *status_text() const noexcept { return mm_status_str(code_); }

private:
  mm_status code_;
  int os_error_;
};

/// The library's version text (mm_version_string), e.g. "0.1.0".
/// \return the version of the library loaded at run time.
inline std::string version_string() { return mm_version_string(); }

/// The library's version number (mm_version): major * 10000 + minor * 100 + patch.
/// \return the version of the library loaded at run time.
inline std::uint32_t version() noexcept { return mm_version(); }

/// Number of handles open in the process (mm_handle_count), for leak checks.
/// \return the count.
inline std::size_t handle_count() noexcept { return mm_handle_count(); }

/// Bounds for slice(): an omitted start / stop (numpy's `a[::-1]` is
/// slice(axis, omit_start(-1), omit_stop(-1), -1)).
/// \param step the step of the slice.
/// \return the start value that stands for an omitted start.
constexpr std::int64_t omit_start(std::int64_t step = 1) noexcept {
  return step > 0 ? INT64_MIN : INT64_MAX;
}
/// The stop value that stands for an omitted stop in slice() (see omit_start()).
/// \param step the step of the slice.
/// \return the stop value that stands for an omitted stop.
constexpr std::int64_t omit_stop(std::int64_t step = 1) noexcept {
  return step > 0 ? INT64_MAX : INT64_MIN;
}

namespace detail {

/// Throws the calling thread's last error (read right after the failing call).
[[noreturn]] inline void throw_last(mm_status s) {
  throw error(s, mm_last_error_message(), mm_last_os_error());
}

inline void check(mm_status s) {
  if (s != MM_OK) {
    throw_last(s);
  }
}

constexpr bool big_endian() noexcept {
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
  return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
#else
  return false;
#endif
}

/// A shape for the C API: never NULL. An empty shape is a 0-d array, while a NULL shape
/// asks mm_open to infer a 1-D one (an empty vector's data() may be NULL).
inline const std::size_t *dims(const std::vector<std::size_t> &shape) noexcept {
  static const std::size_t none = 0;
  return shape.empty() ? &none : shape.data();
}

template <class T> struct is_complex : std::false_type {};
template <class F> struct is_complex<std::complex<F>> : std::true_type {};

/// The MM_SCALAR_* value mm_scalar_kind() gives for arrays of T (const ignored).
template <class T> constexpr std::int32_t scalar_kind() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) {
    return MM_SCALAR_BOOL;
  } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
    static_assert(sizeof(U) == 1 || sizeof(U) == 2 || sizeof(U) == 4 || sizeof(U) == 8,
                  "mmarray: integers of 1, 2, 4 or 8 bytes");
    return sizeof(U) == 1   ? MM_SCALAR_INT8
           : sizeof(U) == 2 ? MM_SCALAR_INT16
           : sizeof(U) == 4 ? MM_SCALAR_INT32
                            : MM_SCALAR_INT64;
  } else if constexpr (std::is_integral_v<U>) {
    static_assert(sizeof(U) == 1 || sizeof(U) == 2 || sizeof(U) == 4 || sizeof(U) == 8,
                  "mmarray: integers of 1, 2, 4 or 8 bytes");
    return sizeof(U) == 1   ? MM_SCALAR_UINT8
           : sizeof(U) == 2 ? MM_SCALAR_UINT16
           : sizeof(U) == 4 ? MM_SCALAR_UINT32
                            : MM_SCALAR_UINT64;
  } else if constexpr (std::is_same_v<U, float>) {
    return MM_SCALAR_FLOAT32;
  } else if constexpr (std::is_same_v<U, double>) {
    return MM_SCALAR_FLOAT64;
  } else if constexpr (std::is_same_v<U, std::complex<float>>) {
    return MM_SCALAR_COMPLEX64;
  } else if constexpr (std::is_same_v<U, std::complex<double>>) {
    return MM_SCALAR_COMPLEX128;
  } else {
    static_assert(sizeof(U) == 0,
                  "mmarray::array::data<T>: T must be bool, an integer, float, double or "
                  "std::complex<float/double>; use data_bytes() for other dtypes");
    return MM_SCALAR_OTHER;
  }
}

/// A name for an MM_SCALAR_* value, for messages.
inline const char *kind_name(std::int32_t kind) noexcept {
  static const char *const names[] = {"not a native C scalar", "bool", "int8", "int16",
                                      "int32", "int64", "uint8", "uint16", "uint32",
                                      "uint64", "float16", "float32", "float64",
                                      "complex64", "complex128"};
  return kind >= 0 && kind <= MM_SCALAR_COMPLEX128 ? names[kind] : "a closed handle";
}

/// Bounds-checked byte offset of element idx of a view with this shape and strides.
inline std::int64_t element_offset(const mm_info &info, const std::size_t *idx, std::size_t n,
                                   const char *what) {
  if (n != info.ndim) {
    throw error(MM_E_INVALID_ARG, std::string("mmarray::") + what + ": " + std::to_string(n) +
                                      " indices for " + std::to_string(info.ndim) +
                                      " dimensions");
  }
  std::int64_t off = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (idx[k] >= info.shape[k]) {
      throw error(MM_E_OUT_OF_BOUNDS, std::string("mmarray::") + what + ": index " +
                                          std::to_string(idx[k]) + " of axis " +
                                          std::to_string(k) + " with length " +
                                          std::to_string(info.shape[k]));
    }
    off += static_cast<std::int64_t>(idx[k]) * info.strides[k];
  }
  return off;
}

/// Byte offset of the element at position k (numpy's C order, last index fastest) of a
/// view; k below info.size, so no axis has length 0.
inline std::int64_t c_order_offset(const mm_info &info, std::size_t k) noexcept {
  std::int64_t off = 0;
  for (std::size_t axis = info.ndim; axis-- > 0;) {
    const std::size_t n = info.shape[axis];
    off += static_cast<std::int64_t>(k % n) * info.strides[axis];
    k /= n;
  }
  return off;
}

} // namespace detail

/// A random-access iterator over the elements of a strided view in numpy's C order (the
/// order of a.ravel(): last index fastest), whatever the strides. Made by
/// accessor<T>::begin() / end(); valid while that accessor and the mapping are.
/// \tparam T the element type; const T gives const references.
template <class T> class strided_iterator {
public:
  /// Random access (std::random_access_iterator in C++20).
  using iterator_category = std::random_access_iterator_tag;
  /// The element type without const.
  using value_type = std::remove_cv_t<T>;
  /// Distance between two positions.
  using difference_type = std::ptrdiff_t;
  /// Pointer to an element.
  using pointer = T *;
  /// Reference to an element in the mapping.
  using reference = T &;

  /// A singular iterator (only assignable).
  strided_iterator() noexcept = default;
  /// The iterator at position pos of a view (use accessor<T>::begin()).
  /// \param info the view's geometry, which must outlive the iterator.
  /// \param pos the position in C order, from 0 to info->size.
  strided_iterator(const mm_info *info, difference_type pos) noexcept
      : info_(info), pos_(pos) {}

  /// The element at this position.
  /// \return a reference into the mapping.
  reference operator*() const noexcept {
    return *reinterpret_cast<T *>(static_cast<char *>(info_->data) +
                                  detail::c_order_offset(*info_, static_cast<std::size_t>(pos_)));
  }
  /// The element's address.
  /// \return a pointer into the mapping.
  pointer operator->() const noexcept { return &**this; }
  /// The element n positions further.
  /// \param n the distance (may be negative).
  /// \return a reference into the mapping.
  reference operator[](difference_type n) const noexcept { return *(*this + n); }
  /// The position in C order (0 at begin()).
  /// \return the position.
  difference_type index() const noexcept { return pos_; }

  /// Next position.
  /// \return this iterator.
  strided_iterator &operator++() noexcept {
    ++pos_;
    return *this;
  }
  /// Next position.
  /// \return the iterator before the step.
  strided_iterator operator++(int) noexcept {
    strided_iterator t = *this;
    ++pos_;
    return t;
  }
  /// Previous position.
  /// \return this iterator.
  strided_iterator &operator--() noexcept {
    --pos_;
    return *this;
  }
  /// Previous position.
  /// \return the iterator before the step.
  strided_iterator operator--(int) noexcept {
    strided_iterator t = *this;
    --pos_;
    return t;
  }
  /// Moves n positions.
  /// \param n the distance.
  /// \return this iterator.
  strided_iterator &operator+=(difference_type n) noexcept {
    pos_ += n;
    return *this;
  }
  /// Moves n positions back.
  /// \param n the distance.
  /// \return this iterator.
  strided_iterator &operator-=(difference_type n) noexcept {
    pos_ -= n;
    return *this;
  }
  /// n positions further.
  /// \param it an iterator.
  /// \param n the distance.
  /// \return the moved iterator.
  friend strided_iterator operator+(strided_iterator it, difference_type n) noexcept {
    return it += n;
  }
  /// n positions further.
  /// \param n the distance.
  /// \param it an iterator.
  /// \return the moved iterator.
  friend strided_iterator operator+(difference_type n, strided_iterator it) noexcept {
    return it += n;
  }
  /// n positions back.
  /// \param it an iterator.
  /// \param n the distance.
  /// \return the moved iterator.
  friend strided_iterator operator-(strided_iterator it, difference_type n) noexcept {
    return it -= n;
  }
  /// The distance between two iterators of one view.
  /// \param a an iterator.
  /// \param b an iterator of the same view.
  /// \return a's position minus b's.
  friend difference_type operator-(const strided_iterator &a, const strided_iterator &b) noexcept {
    return a.pos_ - b.pos_;
  }
  /// \param a an iterator. \param b an iterator of the same view.
  /// \return whether both are at the same position.
  friend bool operator==(const strided_iterator &a, const strided_iterator &b) noexcept {
    return a.pos_ == b.pos_;
  }
  /// \param a an iterator. \param b an iterator of the same view.
  /// \return whether the positions differ.
  friend bool operator!=(const strided_iterator &a, const strided_iterator &b) noexcept {
    return a.pos_ != b.pos_;
  }
  /// \param a an iterator. \param b an iterator of the same view.
  /// \return whether a is before b.
  friend bool operator<(const strided_iterator &a, const strided_iterator &b) noexcept {
    return a.pos_ < b.pos_;
  }
  /// \param a an iterator. \param b an iterator of the same view.
  /// \return whether a is after b.
  friend bool operator>(const strided_iterator &a, const strided_iterator &b) noexcept {
    return a.pos_ > b.pos_;
  }
  /// \param a an iterator. \param b an iterator of the same view.
  /// \return whether a is not after b.
  friend bool operator<=(const strided_iterator &a, const strided_iterator &b) noexcept {
    return a.pos_ <= b.pos_;
  }
  /// \param a an iterator. \param b an iterator of the same view.
  /// \return whether a is not before b.
  friend bool operator>=(const strided_iterator &a, const strided_iterator &b) noexcept {
    return a.pos_ >= b.pos_;
  }

private:
  const mm_info *info_ = nullptr;
  difference_type pos_ = 0;
};

/// The elements of a C- or F-contiguous array in memory order, as a range of plain
/// pointers (contiguous, random-access iterators): made by array::elements<T>(). Valid
/// while the array (or another view of its mapping) is open.
/// \tparam T the element type; const T for read-only access.
template <class T> class elements {
public:
  /// The iterator: a pointer into the mapping.
  using iterator = T *;
  /// The element type without const.
  using value_type = std::remove_cv_t<T>;

  /// An empty range.
  elements() noexcept = default;
  /// n elements from first (use array::elements<T>()).
  /// \param first the first element.
  /// \param n the number of elements.
  elements(T *first, std::size_t n) noexcept : first_(first), n_(n) {}
  /// \return the first element's address.
  T *begin() const noexcept { return first_; }
  /// \return the address past the last element.
  T *end() const noexcept { return first_ + n_; }
  /// \return the first element's address (nullptr for an empty range).
  T *data() const noexcept { return first_; }
  /// \return the number of elements.
  std::size_t size() const noexcept { return n_; }
  /// \return whether there are no elements.
  bool empty() const noexcept { return n_ == 0; }
  /// Element i in memory order, unchecked.
  /// \param i below size().
  /// \return a reference into the mapping.
  T &operator[](std::size_t i) const noexcept { return first_[i]; }

private:
  T *first_ = nullptr;
  std::size_t n_ = 0;
};

/// A text argument: a const char * (nullptr means "not given"), a std::string or a
/// std::string_view (copied to add the NUL the C API needs).
class text {
public:
  /// A C string, or nullptr for "not given" (the C API's default).
  /// \param s a NUL-terminated string or nullptr.
  text(const char *s) : p_(s) {}
  /// A std::string (not copied; it must outlive the call).
  /// \param s the text.
  text(const std::string &s) : p_(s.c_str()) {}
  /// A std::string_view (copied, to add a NUL).
  /// \param s the text.
  text(std::string_view s) : own_(s), p_(own_.c_str()) {}
  /// Not copyable: p_ may point into own_.
  text(const text &) = delete;
  /// Not assignable.
  text &operator=(const text &) = delete;
  /// The NUL-terminated text for the C API.
  /// \return the text, or nullptr when not given.
  const char *c_str() const noexcept { return p_; }

private:
  std::string own_;
  const char *p_;
};

/// A typed, strided, bounds-checked view of the elements of an array, made by
/// array::accessor<T>(): a(i, j, ...) is element [i, j, ...] whatever the strides
/// (negative ones included). It copies the geometry once (mm_describe) and holds the data
/// address: it stays valid while the array (or another view of its mapping) is open.
/// \tparam T the element type; const T for read-only access.
template <class T> class accessor {
public:
  /// The accessor of a described array (use array::accessor<T>()).
  /// \param info the array's snapshot, whose dtype and alignment were checked for T.
  explicit accessor(const mm_info &info) noexcept : info_(info) {}
  /// Element [idx...], checked against the shape.
  /// \param idx one index per dimension (none for a 0-d array).
  /// \return a reference to the element in the mapping.
  /// \throws error MM_E_INVALID_ARG for a wrong number of indices; MM_E_OUT_OF_BOUNDS
  /// for an index past its axis.
  template <class... I> T &operator()(I... idx) const {
    static_assert((std::is_integral_v<I> && ...), "mmarray::accessor: integer indices");
    const std::size_t ix[sizeof...(I) + 1] = {static_cast<std::size_t>(idx)..., 0};
    return at_offset(detail::element_offset(info_, ix, sizeof...(I), "accessor::operator()"));
  }
  /// Element [idx...] with the indices as a list, checked against the shape.
  /// \param idx one index per dimension.
  /// \return a reference to the element in the mapping.
  /// \throws error as operator().
  T &at(std::initializer_list<std::size_t> idx) const {
    return at_offset(detail::element_offset(info_, idx.begin(), idx.size(), "accessor::at"));
  }
  /// The first element in numpy's C order (the order of a.ravel()), for range-for and the
  /// standard algorithms: `for (double &x : a.accessor<double>())`,
  /// `std::sort(m.begin(), m.end())`.
  /// \return an iterator valid while this accessor and the mapping are.
  strided_iterator<T> begin() const noexcept { return strided_iterator<T>(&info_, 0); }
  /// Past the last element in C order.
  /// \return an iterator valid while this accessor and the mapping are.
  strided_iterator<T> end() const noexcept {
    return strided_iterator<T>(&info_, static_cast<std::ptrdiff_t>(info_.size));
  }
  /// \return the number of elements (1 for a 0-d view).
  std::size_t size() const noexcept { return info_.size; }
  /// \return the number of dimensions.
  std::size_t ndim() const noexcept { return info_.ndim; }
  /// The length of one axis.
  /// \param axis below ndim().
  /// \return the axis's length, 0 for an axis past ndim().
  std::size_t extent(std::size_t axis) const noexcept {
    return axis < info_.ndim ? info_.shape[axis] : 0;
  }
  /// The byte stride of one axis.
  /// \param axis below ndim().
  /// \return the stride in bytes (may be negative), 0 for an axis past ndim().
  std::int64_t stride_bytes(std::size_t axis) const noexcept {
    return axis < info_.ndim ? info_.strides[axis] : 0;
  }

private:
  T &at_offset(std::int64_t off) const {
    return *reinterpret_cast<T *>(static_cast<char *>(info_.data) + off);
  }
  mm_info info_;
};

/// One open view of a mapped file: owns an mm_array handle.
class array {
public:
  /// An empty array (no handle); most calls on it throw MM_E_BAD_HANDLE.
  array() noexcept = default;

  /// Takes ownership of a handle obtained from the C API.
  /// \param handle an open handle; the array closes it.
  explicit array(mm_array handle) noexcept : h_(handle) {}

  /// Not copyable: each array owns its handle (view() makes another one).
  array(const array &) = delete;
  /// Not copyable: each array owns its handle.
  array &operator=(const array &) = delete;
  /// Takes over the handle of another array, which becomes empty.
  /// \param other the array to move from.
  array(array &&other) noexcept : h_(std::exchange(other.h_, 0)) {}
  /// Closes this array's handle (ignoring a failure) and takes over that of another
  /// array, which becomes empty.
  /// \param other the array to move from.
  /// \return this array.
  array &operator=(array &&other) noexcept {
    if (this != &other) {
      reset();
      h_ = std::exchange(other.h_, 0);
    }
    return *this;
  }
  /// Closes the handle; a failure of that close is ignored (call close() to see it).
  ~array() { reset(); }

  /// numpy.memmap(path, dtype, mode, offset, shape, order); no shape = infer a 1-D shape
  /// from the file size; an empty shape (std::vector<std::size_t>{}) is a 0-d array.
  /// dtype nullptr means "u1", mode nullptr "r+".
  /// \param path the file.
  /// \param dtype a numpy type string or name ("<f8", "float64", ...).
  /// \param mode "r", "r+", "w+" or "c" (or numpy's long names).
  /// \param offset byte offset of the array in the file.
  /// \param shape the dimensions (empty: 0-d), or none to infer a 1-D shape.
  /// \param order 'C' or 'F'.
  /// \return the open array.
  /// \throws error with the status of mm_open.
  static array open(const text &path, const text &dtype = "u1", const text &mode = "r+",
                    std::uint64_t offset = 0,
                    const std::optional<std::vector<std::size_t>> &shape = std::nullopt,
                    char order = 'C') {
    mm_array h = 0;
    detail::check(mm_open(path.c_str(), dtype.c_str(), mode.c_str(), offset,
                          shape ? detail::dims(*shape) : nullptr, shape ? shape->size() : 0,
                          order, &h));
    return array(h);
  }

  /// open() with open flags (mm_open_ex): MM_OPEN_POPULATE, MM_OPEN_PREALLOCATE.
  /// \param path as open().
  /// \param flags MM_OPEN_* bits or'ed together, or 0.
  /// \param dtype as open().
  /// \param mode as open().
  /// \param offset as open().
  /// \param shape as open().
  /// \param order as open().
  /// \return the open array.
  /// \throws error with the status of mm_open_ex.
  static array open_ex(const text &path, std::uint32_t flags, const text &dtype = "u1",
                       const text &mode = "r+", std::uint64_t offset = 0,
                       const std::optional<std::vector<std::size_t>> &shape = std::nullopt,
                       char order = 'C') {
    mm_array h = 0;
    detail::check(mm_open_ex(path.c_str(), dtype.c_str(), mode.c_str(), offset,
                             shape ? detail::dims(*shape) : nullptr, shape ? shape->size() : 0,
                             order, flags, &h));
    return array(h);
  }

  /// open_ex() with the shape as a braced list.
  /// \param path as open().
  /// \param flags as open_ex().
  /// \param dtype as open().
  /// \param mode as open().
  /// \param offset as open().
  /// \param shape the dimensions.
  /// \param order as open().
  /// \return the open array.
  /// \throws error with the status of mm_open_ex.
  static array open_ex(const text &path, std::uint32_t flags, const text &dtype,
                       const text &mode, std::uint64_t offset,
                       std::initializer_list<std::size_t> shape, char order = 'C') {
    return open_ex(path, flags, dtype, mode, offset, std::vector<std::size_t>(shape), order);
  }

  /// open() with the shape as a braced list: open(path, "<f8", "w+", 0, {3, 4}).
  /// \param path as open().
  /// \param dtype as open().
  /// \param mode as open().
  /// \param offset as open().
  /// \param shape the dimensions.
  /// \param order as open().
  /// \return the open array.
  /// \throws error with the status of mm_open.
  static array open(const text &path, const text &dtype, const text &mode, std::uint64_t offset,
                    std::initializer_list<std::size_t> shape, char order = 'C') {
    return open(path, dtype, mode, offset, std::vector<std::size_t>(shape), order);
  }

  /// As open(), on a descriptor the caller keeps owning.
  /// \param fd an open descriptor (r+ and w+ need O_RDWR); it is not closed or kept.
  /// \param dtype as open().
  /// \param mode as open().
  /// \param offset as open().
  /// \param shape as open().
  /// \param order as open().
  /// \return the open array (its filename() is empty).
  /// \throws error with the status of mm_open_fd.
  static array open_fd(int fd, const text &dtype = "u1", const text &mode = "r+",
                       std::uint64_t offset = 0,
                       const std::optional<std::vector<std::size_t>> &shape = std::nullopt,
                       char order = 'C') {
    mm_array h = 0;
    detail::check(mm_open_fd(fd, dtype.c_str(), mode.c_str(), offset,
                             shape ? detail::dims(*shape) : nullptr, shape ? shape->size() : 0,
                             order, &h));
    return array(h);
  }

  /// open_fd() with the shape as a braced list.
  /// \param fd as open_fd().
  /// \param dtype as open().
  /// \param mode as open().
  /// \param offset as open().
  /// \param shape the dimensions.
  /// \param order as open().
  /// \return the open array.
  /// \throws error with the status of mm_open_fd.
  static array open_fd(int fd, const text &dtype, const text &mode, std::uint64_t offset,
                       std::initializer_list<std::size_t> shape, char order = 'C') {
    return open_fd(fd, dtype, mode, offset, std::vector<std::size_t>(shape), order);
  }

#if defined(_WIN32)
  /// Windows only: as open_fd(), on a Win32 file HANDLE the caller keeps owning (the way
  /// for programs built with MSVC, whose descriptors are not the library's msvcrt ones:
  /// pass `(HANDLE)_get_osfhandle(fd)`).
  /// \param handle an open HANDLE of a disk file (r+ and w+ need GENERIC_WRITE too); it is
  ///        not closed or kept.
  /// \param dtype as open().
  /// \param mode as open().
  /// \param offset as open().
  /// \param shape as open().
  /// \param order as open().
  /// \return the open array (its filename() is empty).
  /// \throws error with the status of mm_open_handle.
  static array open_handle(void *handle, const text &dtype = "u1", const text &mode = "r+",
                           std::uint64_t offset = 0,
                           const std::optional<std::vector<std::size_t>> &shape = std::nullopt,
                           char order = 'C') {
    mm_array h = 0;
    detail::check(mm_open_handle(handle, dtype.c_str(), mode.c_str(), offset,
                                 shape ? detail::dims(*shape) : nullptr,
                                 shape ? shape->size() : 0, order, &h));
    return array(h);
  }
#endif

  /// np.load(path, mmap_mode=mode) of a .npy file: dtype, shape and order come from its
  /// header. mode "r", "r+" or "c"; nullptr means "r+" (open_memmap's default).
  /// \param path the .npy file.
  /// \param mode "r", "r+" or "c".
  /// \return the open array.
  /// \throws error with the status of mm_open_npy.
  static array open_npy(const text &path, const text &mode = "r+") {
    mm_array h = 0;
    detail::check(mm_open_npy(path.c_str(), mode.c_str(), &h));
    return array(h);
  }

  /// np.load(path)[name] of a .npz archive, without reading the whole member: a stored
  /// member (np.savez) is mapped in place, a deflated one (np.savez_compressed) is
  /// inflated into private memory with its size and CRC checked.
  /// \param path the .npz archive.
  /// \param name the member, "x" or "x.npy" (looked up as numpy does).
  /// \param mode "r" (read-only) or "c" (writable, never written back).
  /// \return the open array.
  /// \throws error with the status of mm_open_npz.
  static array open_npz(const text &path, const text &name, const text &mode = "r") {
    mm_array h = 0;
    detail::check(mm_open_npz(path.c_str(), name.c_str(), mode.c_str(), &h));
    return array(h);
  }

  /// open_memmap(path, mode="w+", dtype, shape, fortran_order=(order == 'F')): creates
  /// (or truncates) a .npy file of zeros and maps it read-write (mode() reports "r+").
  /// Filled and flushed, the file is byte-identical to np.save of the same array. An
  /// empty shape is a 0-d array.
  /// \param path the file to create or truncate.
  /// \param dtype any dtype text open() accepts, records included.
  /// \param shape the dimensions.
  /// \param order 'C' or 'F'.
  /// \return the open array.
  /// \throws error with the status of mm_create_npy.
  static array create_npy(const text &path, const text &dtype,
                          const std::vector<std::size_t> &shape, char order = 'C') {
    mm_array h = 0;
    detail::check(
        mm_create_npy(path.c_str(), dtype.c_str(), detail::dims(shape), shape.size(), order, &h));
    return array(h);
  }

  /// A new array over the same mapping (reshape, transpose, sub-block, view(dtype)).
  /// dtype nullptr keeps this array's dtype; strides in bytes, none = C-contiguous.
  /// \param dtype the view's dtype, or nullptr.
  /// \param byte_offset position of the view's first element relative to data().
  /// \param shape the view's dimensions.
  /// \param strides byte strides, one per dimension, or none.
  /// \return the new array; it keeps the mapping alive on its own.
  /// \throws error with the status of mm_view.
  array view(const text &dtype, std::int64_t byte_offset, const std::vector<std::size_t> &shape,
             const std::optional<std::vector<std::int64_t>> &strides = std::nullopt) const {
    if (strides && strides->size() != shape.size()) {
      throw error(MM_E_INVALID_ARG, "mmarray::array::view: " + std::to_string(strides->size()) +
                                        " strides for " + std::to_string(shape.size()) +
                                        " dimensions");
    }
    mm_array h = 0;
    detail::check(mm_view(h_, dtype.c_str(), byte_offset, detail::dims(shape), shape.size(),
                          strides ? strides->data() : nullptr, &h));
    return array(h);
  }

  /// Python slicing [start:stop:step] of one axis, as a new array.
  /// \param axis the axis to slice.
  /// \param start first index (omit_start(step) for an omitted start).
  /// \param stop index past the last one (omit_stop(step) for an omitted stop).
  /// \param step distance between indices; may be negative, not 0.
  /// \return the new array; it keeps the mapping alive on its own.
  /// \throws error with the status of mm_slice.
  array slice(std::size_t axis, std::int64_t start, std::int64_t stop,
              std::int64_t step = 1) const {
    mm_array h = 0;
    detail::check(mm_slice(h_, axis, start, stop, step, &h));
    return array(h);
  }

  /// msync of the whole mapping (no effect in modes r and c).
  /// \throws error with the status of mm_flush.
  void flush() const { detail::check(mm_flush(h_)); }

  /// msync(MS_SYNC) of the pages of bytes [byte_offset, byte_offset + nbytes) of the view.
  /// \param byte_offset where the range starts, after data().
  /// \param nbytes the range's length.
  /// \throws error with the status of mm_flush_range.
  void flush_range(std::uint64_t byte_offset, std::uint64_t nbytes) const {
    detail::check(mm_flush_range(h_, byte_offset, nbytes));
  }

  /// msync(MS_ASYNC) of the whole mapping: schedules write-back and returns.
  /// \throws error with the status of mm_flush_async.
  void flush_async() const { detail::check(mm_flush_async(h_)); }

  /// madvise of the view's pages.
  /// \param advice one of MM_ADVICE_*.
  /// \throws error with the status of mm_advise (MM_E_UNSUPPORTED where the kernel
  /// lacks the advice).
  void advise(std::int32_t advice) const { detail::check(mm_advise(h_, advice)); }

  /// How many of the view's bytes are in resident pages now (mincore).
  /// \return the byte count.
  /// \throws error with the status of mm_resident.
  std::uint64_t resident_bytes() const {
    std::uint64_t n = 0;
    detail::check(mm_resident(h_, &n));
    return n;
  }

  /// mlock of the view's pages.
  /// \throws error with the status of mm_lock.
  void lock() const { detail::check(mm_lock(h_)); }

  /// munlock of the view's pages.
  /// \throws error with the status of mm_unlock.
  void unlock() const { detail::check(mm_unlock(h_)); }

  /// Copies nbytes bytes of the view from byte_offset after data() into dst, never
  /// raising SIGBUS (mm_read_at): a file truncated underneath gives MM_E_IO.
  /// \param byte_offset where the copy starts.
  /// \param dst the destination buffer.
  /// \param nbytes how many bytes.
  /// \throws error with the status of mm_read_at.
  void read_at(std::uint64_t byte_offset, void *dst, std::size_t nbytes) const {
    detail::check(mm_read_at(h_, byte_offset, dst, nbytes));
  }

  /// Copies nbytes bytes from src into the view at byte_offset after data(), never
  /// raising SIGBUS (mm_write_at).
  /// \param byte_offset where the copy starts.
  /// \param src the source bytes.
  /// \param nbytes how many bytes.
  /// \throws error with the status of mm_write_at.
  void write_at(std::uint64_t byte_offset, const void *src, std::size_t nbytes) const {
    detail::check(mm_write_at(h_, byte_offset, src, nbytes));
  }

  /// One field of a record dtype (mm_field).
  struct field {
    std::string name;                 ///< the field's name
    std::string dtype;                ///< its dtype text
    std::size_t byte_offset;          ///< its offset in the item
    std::vector<std::size_t> shape;   ///< its subarray shape (empty for a scalar)
  };

  /// The fields of a record dtype, in order (empty for other dtypes).
  /// \return the fields.
  /// \throws error with the status of mm_field.
  std::vector<field> fields() const {
    require_open();
    std::vector<field> out;
    const std::size_t n = mm_field_count(h_);
    for (std::size_t i = 0; i < n; ++i) {
      const char *name = nullptr, *dt = nullptr;
      std::size_t off = 0, nd = 0;
      const std::size_t *shp = nullptr;
      detail::check(mm_field(h_, i, &name, &dt, &off, &nd, &shp));
      out.push_back(field{name, dt, off, std::vector<std::size_t>(shp, shp + nd)});
    }
    return out;
  }

  /// np.save(path, <this view>): the same bytes numpy writes (C order unless the view
  /// is F- and not C-contiguous), replacing path atomically; no ".npy" suffix is added.
  /// \param path the target file.
  /// \throws error with the status of mm_save_npy.
  void save_npy(const text &path) const {
    require_open();
    detail::check(mm_save_npy(h_, path.c_str()));
  }

  /// mm_npy_append: appends nrows rows (C-contiguous bytes of this array's dtype) to the
  /// .npy file this whole array maps, after the file's current length, and rewrites the
  /// header in place (the file stays np.save's). This array keeps its shape.
  /// \param rows the rows' bytes.
  /// \param nrows how many rows (a row: the dimensions other than the growth axis).
  /// \return the whole grown array.
  /// \throws error with the status of mm_npy_append.
  array append_rows(const void *rows, std::size_t nrows) const {
    require_open();
    mm_array h = 0;
    detail::check(mm_npy_append(h_, rows, nrows, &h));
    return array(h);
  }

  /// mm_npy_append of `count` values of type T (whole rows; T must be the dtype).
  /// \tparam T as data<T>().
  /// \param values the values of the rows, C-contiguous.
  /// \param count how many values: a multiple of row_elements().
  /// \return the whole grown array.
  /// \throws error MM_E_INVALID_ARG when T is not the dtype or count is not whole rows;
  /// otherwise with the status of mm_npy_append.
  template <class T> array append(const T *values, std::size_t count) const {
    require_dtype<T>("append<T>");
    const std::size_t row = row_elements();
    if (row == 0 ? count != 0 : count % row != 0) {
      throw error(MM_E_INVALID_ARG, "mmarray::array::append<T>: " + std::to_string(count) +
                                        " values are not whole rows of " +
                                        std::to_string(row) + " values");
    }
    return append_rows(values, row == 0 ? 0 : count / row);
  }

#ifdef MMARRAY_HPP_HAS_SPAN
  /// mm_npy_append of whole rows given as a span (C++20).
  /// \tparam T as data<T>().
  /// \param values the values of the rows, C-contiguous; a multiple of row_elements().
  /// \return the whole grown array.
  /// \throws error as append(const T *, std::size_t).
  template <class T> array append(std::span<const T> values) const {
    return append(values.data(), values.size());
  }
#endif

  /// mm_npy_grow: grows the growth axis of the file to new_length with zero rows.
  /// \param new_length at least the file's current length.
  /// \return the whole grown array, to fill.
  /// \throws error with the status of mm_npy_grow.
  array grow(std::size_t new_length) const {
    require_open();
    mm_array h = 0;
    detail::check(mm_npy_grow(h_, new_length, &h));
    return array(h);
  }

  /// mm_npy_recover: after a crash, makes the header count every whole row of the file.
  /// \param path the .npy file.
  /// \return the growth axis's length.
  /// \throws error with the status of mm_npy_recover.
  static std::size_t recover(const text &path) {
    std::size_t n = 0;
    detail::check(mm_npy_recover(path.c_str(), &n));
    return n;
  }

  /// Values in one row of a whole .npy array: the product of the dimensions other than
  /// the growth axis (axis 0 in C order; the last axis in F order, told by the strides).
  /// \return the row's element count (1 for a 1-D array).
  std::size_t row_elements() const {
    const std::vector<std::size_t> s = shape();
    const std::vector<std::int64_t> st = strides();
    if (s.empty()) {
      throw error(MM_E_INVALID_ARG, "mmarray::array::row_elements: a 0-d array has no rows");
    }
    // C strides of this shape; anything else is a Fortran-order array.
    bool c_order = true;
    std::int64_t c = static_cast<std::int64_t>(itemsize());
    for (std::size_t i = s.size(); i-- > 0;) {
      c_order = c_order && st[i] == c;
      c *= static_cast<std::int64_t>(s[i]);
    }
    const std::size_t axis = c_order ? 0 : s.size() - 1;
    std::size_t n = 1;
    for (std::size_t i = 0; i < s.size(); i++) {
      n *= i == axis ? 1 : s[i];
    }
    return n;
  }

  /// Closes the handle now, reporting a failure; afterwards the array is empty.
  /// \throws error with the status of mm_close.
  void close() {
    if (h_ != 0) {
      detail::check(mm_close(std::exchange(h_, 0)));
    }
  }

  /// Gives up ownership: the caller must mm_close the returned handle.
  /// \return the handle; the array is empty afterwards.
  mm_array release() noexcept { return std::exchange(h_, 0); }
  /// The handle, for calls of the C API; the array keeps owning it.
  /// \return the handle, 0 for an empty array.
  mm_array handle() const noexcept { return h_; }
  /// Whether the array holds a handle.
  /// \return false for an empty (default-constructed, moved-from or closed) array.
  explicit operator bool() const noexcept { return h_ != 0; }

  /// Address of the first element (never null for an open array).
  /// \return the address; in mode r the memory is read-only.
  /// \throws error MM_E_BAD_HANDLE when the handle is not open.
  void *data() const {
    void *p = mm_data(h_);
    if (p == nullptr) {
      detail::throw_last(MM_E_BAD_HANDLE);
    }
    return p;
  }

  /// The array's first byte, for any dtype and any alignment (read it with std::memcpy).
  /// \return the address of the first byte.
  /// \throws error MM_E_BAD_HANDLE for a closed array.
  std::byte *data_bytes() const { return static_cast<std::byte *>(data()); }

  /// The first element as a T*, after checking that the dtype is T in native byte order
  /// (mm_scalar_kind) and that the data is aligned for T: an array at an odd offset
  /// (numpy allows <f8 at byte 3) throws MM_E_INVALID_ARG instead of giving a misaligned
  /// T*; read such an array with get<T>() / set<T>() or data_bytes(). It is the first
  /// element's address whatever the strides: use accessor<T>() to index a strided view.
  /// \tparam T bool, an integer type, float, double or std::complex<float/double>;
  /// const-qualified for a read-only array.
  /// \return the address of the first element.
  /// \throws error MM_E_INVALID_ARG when the dtype is not T or the data is not aligned
  /// for T; MM_E_READ_ONLY for a non-const T on an array that is not writeable.
  template <class T> T *data() const {
    require_dtype<T>("data<T>");
    require_writeable<T>("data<T>");
    void *p = data();
    if ((flags() & MM_ALIGNED) == 0 || reinterpret_cast<std::uintptr_t>(p) % alignof(T) != 0) {
      throw error(MM_E_INVALID_ARG,
                  "mmarray::array::data<T>: the array's data is not aligned for T (alignment " +
                      std::to_string(alignof(T)) +
                      "); use get<T>(i), set<T>(i, v) or data_bytes()");
    }
    return static_cast<T *>(p);
  }

  /// Element i (in memory order) of a C- or F-contiguous array of dtype T, copied with
  /// std::memcpy: works at any alignment.
  /// \tparam T as data<T>().
  /// \param i the element's index in memory order, below size().
  /// \return a copy of the element.
  /// \throws error MM_E_OUT_OF_BOUNDS for i >= size(); MM_E_INVALID_ARG when the dtype
  /// is not T or the array is not contiguous.
  template <class T> T get(std::size_t i) const {
    T value;
    std::memcpy(&value, element<T>("get<T>", i), sizeof(T));
    return value;
  }

  /// Stores v as element i (in memory order), at any alignment.
  /// \tparam T as data<T>().
  /// \param i the element's index in memory order, below size().
  /// \param v the value to store.
  /// \throws error MM_E_READ_ONLY for an array that is not writeable; otherwise as
  /// get<T>().
  template <class T> void set(std::size_t i, const T &v) const {
    std::byte *p = element<T>("set<T>", i);
    if (!writeable()) {
      throw error(MM_E_READ_ONLY, "mmarray::array::set<T>: the array is read-only");
    }
    std::memcpy(p, &v, sizeof(T));
  }

#ifdef MMARRAY_HPP_HAS_SPAN
  /// All elements of a C- or F-contiguous array, in memory order (C++20); an empty
  /// array gives an empty span. Same dtype, alignment and writeability checks as
  /// data<T>(): span<const T>() for a read-only array.
  /// \tparam T as data<T>().
  /// \return a span over size() elements.
  /// \throws error MM_E_INVALID_ARG when the dtype is not T, the data is not aligned
  /// for T or the array is not contiguous.
  template <class T> std::span<T> span() const {
    require_dtype<T>("span<T>");
    require_writeable<T>("span<T>");
    if (size() == 0) {
      return std::span<T>();
    }
    T *p = data<T>();
    if ((flags() & (MM_C_CONTIGUOUS | MM_F_CONTIGUOUS)) == 0) {
      throw error(MM_E_INVALID_ARG, "mmarray::array::span<T>: the array is not contiguous");
    }
    return std::span<T>(p, size());
  }
#endif

  /// The elements of a C- or F-contiguous array in memory order as a range of T*
  /// (contiguous, random-access iterators), in C++17: `for (double &x :
  /// a.elements<double>())`, `auto e = a.elements<double>(); std::sort(e.begin(), e.end());`.
  /// Same dtype, alignment and writeability checks as data<T>(): a read-only array gives
  /// only elements<const T>(), whose iterators are const T*. An empty array gives an
  /// empty range. For a strided view, iterate accessor<T>() instead.
  /// \tparam T as data<T>().
  /// \return the range over size() elements.
  /// \throws error MM_E_INVALID_ARG when the dtype is not T, the data is not aligned for
  /// T or the array is not contiguous; MM_E_READ_ONLY for a non-const T on an array that
  /// is not writeable.
  template <class T> mmarray::elements<T> elements() const {
    require_dtype<T>("elements<T>");
    require_writeable<T>("elements<T>");
    const mm_info i = info();
    if (i.size == 0) {
      return mmarray::elements<T>();
    }
    if ((i.flags & (MM_C_CONTIGUOUS | MM_F_CONTIGUOUS)) == 0) {
      throw error(MM_E_INVALID_ARG, "mmarray::array::elements<T>: the array is not "
                                    "contiguous; iterate accessor<T>() instead");
    }
    return mmarray::elements<T>(data<T>(), i.size);
  }

#ifdef MMARRAY_HPP_HAS_MDSPAN
  /// A std::mdspan with std::layout_stride over an N-dimensional view (C++23, compiled
  /// only where the standard library defines __cpp_lib_mdspan; untested with gcc 12,
  /// which has no header mdspan). layout_stride takes positive strides in elements: a view
  /// with a negative or zero stride on an axis longer than 1, or a byte stride that is
  /// no multiple of sizeof(T), throws (use accessor<T>()). Same dtype, alignment and
  /// writeability checks as data<T>().
  /// \tparam T as data<T>(); const T for a read-only array.
  /// \tparam N the number of dimensions (ndim()).
  /// \return the mdspan; valid while this array (or another view of its mapping) is open.
  /// \throws error as data<T>(); MM_E_INVALID_ARG for another ndim or such strides.
  template <class T, std::size_t N>
  std::mdspan<T, std::dextents<std::size_t, N>, std::layout_stride> mdspan() const {
    const mmarray::accessor<T> acc = accessor<T>();
    if (acc.ndim() != N) {
      throw error(MM_E_INVALID_ARG, "mmarray::array::mdspan<T, N>: the array has " +
                                        std::to_string(acc.ndim()) + " dimensions, not " +
                                        std::to_string(N));
    }
    std::array<std::size_t, N> ext{};
    std::array<std::size_t, N> str{};
    for (std::size_t k = 0; k < N; ++k) {
      const std::int64_t s = acc.stride_bytes(k);
      ext[k] = acc.extent(k);
      if (ext[k] <= 1) {
        str[k] = 1;  // any stride addresses the one element; layout_stride needs > 0
      } else if (s > 0 && s % static_cast<std::int64_t>(sizeof(T)) == 0) {
        str[k] = static_cast<std::size_t>(s) / sizeof(T);
      } else {
        throw error(MM_E_INVALID_ARG, "mmarray::array::mdspan<T, N>: axis " + std::to_string(k) +
                                          " has byte stride " + std::to_string(s) +
                                          "; std::layout_stride needs a positive multiple of "
                                          "sizeof(T): use accessor<T>()");
      }
    }
    using ext_t = std::dextents<std::size_t, N>;
    const std::layout_stride::mapping<ext_t> map(ext_t(ext), str);
    return std::mdspan<T, ext_t, std::layout_stride>(static_cast<T *>(data()), map);
  }
#endif

  /// A strided, bounds-checked accessor of the elements: accessor<T>()(i, j) is element
  /// [i, j] of any view (transposed, reversed, sliced). Same dtype, alignment and
  /// writeability checks as data<T>().
  /// \tparam T as data<T>(); const T for a read-only array.
  /// \return the accessor; valid while this array (or another view of its mapping) is open.
  /// \throws error as data<T>().
  template <class T> mmarray::accessor<T> accessor() const {
    require_dtype<T>("accessor<T>");
    require_writeable<T>("accessor<T>");
    const mm_info i = info();
    if (i.size > 0 && (i.flags & MM_ALIGNED) == 0) {
      throw error(MM_E_INVALID_ARG, "mmarray::array::accessor<T>: the array's data or "
                                    "strides are not aligned for T; use data_bytes()");
    }
    return mmarray::accessor<T>(i);
  }

  /// Everything about the handle in one consistent snapshot (mm_describe).
  /// \return the snapshot: data, ndim, shape, strides, itemsize, size, nbytes, offset,
  /// mode, flags and scalar_kind.
  /// \throws error MM_E_BAD_HANDLE for a closed or empty array.
  mm_info info() const {
    require_open();
    mm_info i;
    std::size_t needed = 0;
    detail::check(mm_describe(h_, &i, nullptr, 0, &needed));
    return i;
  }

  /// The MM_SCALAR_* value of the dtype (mm_scalar_kind).
  /// \return the kind; MM_SCALAR_OTHER when the elements are no native C scalar.
  /// \throws error MM_E_BAD_HANDLE for a closed or empty array.
  std::int32_t scalar_kind() const {
    require_open();
    const std::int32_t k = mm_scalar_kind(h_);
    if (k < 0) {
      detail::throw_last(MM_E_BAD_HANDLE);
    }
    return k;
  }

  /// \return the number of dimensions (0 for a 0-d array).
  std::size_t ndim() const { return info().ndim; }
  /// \return the dimensions.
  std::vector<std::size_t> shape() const {
    const mm_info i = info();
    return std::vector<std::size_t>(i.shape, i.shape + i.ndim);
  }
  /// Byte strides (may be negative).
  /// \return one byte stride per dimension.
  std::vector<std::int64_t> strides() const {
    const mm_info i = info();
    return std::vector<std::int64_t>(i.strides, i.strides + i.ndim);
  }
  /// \return the number of bytes of one element.
  std::size_t itemsize() const { return info().itemsize; }
  /// \return the number of elements (1 for a 0-d array).
  std::size_t size() const { return info().size; }
  /// \return size() * itemsize().
  std::size_t nbytes() const { return info().nbytes; }
  /// numpy's canonical type string ("<f8", "|u1", ...).
  /// \return the dtype text (a record's descr list for record dtypes).
  std::string dtype() const {
    require_open();
    mm_info i;
    std::string buf(32, '\0');
    std::size_t needed = 0;
    detail::check(mm_describe(h_, &i, buf.data(), buf.size(), &needed));
    if (needed > buf.size()) {
      buf.assign(needed, '\0');
      detail::check(mm_describe(h_, &i, buf.data(), buf.size(), &needed));
    }
    buf.resize(needed - 1);
    return buf;
  }
  /// "r", "r+", "w+" or "c".
  /// \return the mode.
  std::string mode() const { return std::string(info().mode); }
  /// \return the byte offset given at open (numpy's .offset); views inherit it.
  std::uint64_t offset() const { return info().offset; }
  /// The path as opened; empty for arrays opened from a descriptor.
  /// \return the absolute path, or nothing.
  std::optional<std::string> filename() const {
    require_open();
    const char *p = mm_filename(h_);
    if (p == nullptr && mm_data(h_) == nullptr) {
      detail::throw_last(MM_E_BAD_HANDLE);
    }
    return p ? std::optional<std::string>(p) : std::nullopt;
  }
  /// MM_WRITEABLE | MM_C_CONTIGUOUS | MM_F_CONTIGUOUS | MM_ALIGNED | MM_NATIVE_ORDER.
  /// \return the flag bits (see mm_flags).
  std::uint32_t flags() const { return info().flags; }
  /// \return whether the array may be written through data().
  bool writeable() const { return (flags() & MM_WRITEABLE) != 0; }

  /// A DLPack 1.x DLManagedTensorVersioned* (see mm_to_dlpack); the caller owns it and
  /// must call its deleter.
  /// \return the tensor.
  /// \throws error with the status of mm_to_dlpack.
  mm_dl_managed_tensor_versioned *to_dlpack() const {
    void *out = nullptr;
    detail::check(mm_to_dlpack(h_, &out));
    return static_cast<mm_dl_managed_tensor_versioned *>(out);
  }

private:
  void reset() noexcept {
    if (h_ != 0) {
      mm_close(std::exchange(h_, 0));
    }
  }
  template <class T> void require_dtype(const char *what) const {
    constexpr std::int32_t want = detail::scalar_kind<T>();
    const std::int32_t have = scalar_kind();
    if (have != want) {
      throw error(MM_E_INVALID_ARG, std::string("mmarray::array::") + what +
                                        ": the array's dtype is " + dtype() + " (" +
                                        detail::kind_name(have) + ") but T is " +
                                        detail::kind_name(want));
    }
  }
  template <class T> void require_writeable(const char *what) const {
    if (!std::is_const_v<T> && !writeable()) {
      throw error(MM_E_READ_ONLY, std::string("mmarray::array::") + what +
                                      ": the array is read-only; ask for a const T");
    }
  }
  /// The address of element i (memory order) of a contiguous array of dtype T.
  template <class T> std::byte *element(const char *what, std::size_t i) const {
    require_dtype<T>(what);
    const std::size_t n = size();
    if (i >= n) {
      throw error(MM_E_OUT_OF_BOUNDS, std::string("mmarray::array::") + what + ": index " +
                                          std::to_string(i) + " of an array of " +
                                          std::to_string(n) + " elements");
    }
    if ((flags() & (MM_C_CONTIGUOUS | MM_F_CONTIGUOUS)) == 0) {
      throw error(MM_E_INVALID_ARG,
                  std::string("mmarray::array::") + what + ": the array is not contiguous");
    }
    return data_bytes() + i * sizeof(T);
  }
  void require_open() const {
    if (h_ == 0) {
      throw error(MM_E_BAD_HANDLE, "mmarray::array: the array is empty (moved from or closed)");
    }
  }
  mm_array h_ = 0;
};

/// np.load(path).files of a .npz archive: every member, ".npy" removed, in archive order.
/// \param path the .npz archive.
/// \return the member names.
/// \throws error with the status of mm_npz_names.
inline std::vector<std::string> npz_names(const text &path) {
  std::size_t needed = 0;
  detail::check(mm_npz_names(path.c_str(), nullptr, 0, &needed, nullptr));
  std::string buf(needed, '\0');
  detail::check(mm_npz_names(path.c_str(), buf.data(), buf.size(), &needed, nullptr));
  std::vector<std::string> names;
  for (std::size_t at = 0; at < buf.size() && buf[at] != '\0';) {
    names.emplace_back(buf.c_str() + at);
    at += names.back().size() + 1;
  }
  return names;
}

/// np.savez (compress false) or np.savez_compressed (true) of the arrays under the
/// names, in order; streamed, replacing path atomically.
/// \param path the archive to write.
/// \param names one name per array (".npy" is appended to each).
/// \param arrays the arrays (any views).
/// \param compress whether the members are deflated.
/// \throws error with the status of mm_save_npz; MM_E_INVALID_ARG when the two lists
///         differ in length.
inline void save_npz(const text &path, const std::vector<std::string> &names,
                     const std::vector<const array *> &arrays, bool compress = false) {
  if (names.size() != arrays.size()) {
    throw error(MM_E_INVALID_ARG, "mmarray::save_npz: " + std::to_string(names.size()) +
                                      " names for " + std::to_string(arrays.size()) + " arrays");
  }
  std::vector<const char *> cnames;
  std::vector<mm_array> handles;
  for (std::size_t i = 0; i < names.size(); ++i) {
    cnames.push_back(names[i].c_str());
    handles.push_back(arrays[i] != nullptr ? arrays[i]->handle() : 0);
  }
  detail::check(mm_save_npz(path.c_str(), names.size(), cnames.data(), handles.data(),
                            compress ? 1 : 0));
}

} // namespace mmarray

#endif // MMARRAY_HPP
