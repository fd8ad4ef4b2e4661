// Compiled (not run) as C++11 and C++17 with -Wall -Wextra -pedantic -Werror: the header
// works from C++ (extern "C", no C-only constructs) and has the signatures of docs/c-api.md.
#include "mmarray.h"
#include "mmarray.h"

#include <cstdint>
#include <type_traits>

static_assert(std::is_same<mm_array, std::uint64_t>::value, "mm_array is uint64_t");
static_assert(std::is_same<mm_status, std::int32_t>::value, "mm_status is int32_t");
static_assert(MM_OK == 0 && MM_E_OUT_OF_BOUNDS == 11 && MM_E_PANIC == 99, "status codes");
static_assert(std::is_same<decltype(&mm_open),
                           mm_status (*)(const char *, const char *, const char *, std::uint64_t,
                                         const std::size_t *, std::size_t, char, mm_array *)>::value,
              "mm_open signature");
static_assert(std::is_same<decltype(&mm_open_fd),
                           mm_status (*)(int, const char *, const char *, std::uint64_t,
                                         const std::size_t *, std::size_t, char, mm_array *)>::value,
              "mm_open_fd signature");
static_assert(std::is_same<decltype(&mm_view),
                           mm_status (*)(mm_array, const char *, std::int64_t, const std::size_t *,
                                         std::size_t, const std::int64_t *, mm_array *)>::value,
              "mm_view signature");
static_assert(std::is_same<decltype(&mm_slice),
                           mm_status (*)(mm_array, std::size_t, std::int64_t, std::int64_t,
                                         std::int64_t, mm_array *)>::value,
              "mm_slice signature");
static_assert(std::is_same<decltype(&mm_data), void *(*)(mm_array)>::value, "mm_data");
static_assert(std::is_same<decltype(&mm_shape), const std::size_t *(*)(mm_array)>::value, "mm_shape");
static_assert(std::is_same<decltype(&mm_strides), const std::int64_t *(*)(mm_array)>::value,
              "mm_strides");
static_assert(std::is_same<decltype(&mm_offset), std::uint64_t (*)(mm_array)>::value, "mm_offset");
static_assert(std::is_same<decltype(&mm_flags), std::uint32_t (*)(mm_array)>::value, "mm_flags");
static_assert(std::is_same<decltype(&mm_describe),
                           mm_status (*)(mm_array, mm_info *, char *, std::size_t, std::size_t *)>::value,
              "mm_describe");
static_assert(std::is_same<decltype(&mm_scalar_kind), std::int32_t (*)(mm_array)>::value,
              "mm_scalar_kind");
static_assert(sizeof(mm_info) == 1088, "mm_info");
static_assert(std::is_same<decltype(&mm_last_error_copy), std::size_t (*)(char *, std::size_t)>::value,
              "mm_last_error_copy");
static_assert(std::is_same<decltype(&mm_last_os_error), std::int32_t (*)()>::value, "mm_last_os_error");
static_assert(std::is_same<decltype(&mm_version), std::uint32_t (*)()>::value, "mm_version");

int header_check_cpp();
int header_check_cpp() { return mm_version() == 0 ? 1 : 0; }
