/* Compiled (not run) as C89, C99 and C11 with -Wall -Wextra -pedantic -Werror: the header is
 * self-contained, warning-free, and declares every contract function with exactly the
 * contract's signature (assigning to a typed pointer fails to compile otherwise). */
#include "mmarray.h"
#include "mmarray.h" /* include guard */

#ifndef MMARRAY_H
#error "include guard MMARRAY_H missing"
#endif
#if !defined(MM_VERSION_MAJOR) || !defined(MM_VERSION_MINOR) || !defined(MM_VERSION_PATCH)
#error "version macros missing"
#endif
#if MM_OK != 0 || MM_E_INVALID_ARG != 1 || MM_E_NOT_FOUND != 2 || MM_E_PERMISSION != 3 || \
    MM_E_IO != 4 || MM_E_FILE_TOO_SMALL != 5 || MM_E_SIZE_MISMATCH != 6 ||                 \
    MM_E_READ_ONLY != 7 || MM_E_FORMAT != 8 || MM_E_UNSUPPORTED != 9 ||                     \
    MM_E_BAD_HANDLE != 10 || MM_E_OUT_OF_BOUNDS != 11 || MM_E_PANIC != 99
#error "status codes renumbered"
#endif
#if MM_WRITEABLE != 1 || MM_C_CONTIGUOUS != 2 || MM_F_CONTIGUOUS != 4 || MM_ALIGNED != 8 || \
    MM_NATIVE_ORDER != 16
#error "flag values changed"
#endif

typedef char mm_array_is_64_bits[sizeof(mm_array) == 8 ? 1 : -1];
typedef char mm_status_is_32_bits[sizeof(mm_status) == 4 ? 1 : -1];

int header_check_signatures(void);
int header_check_signatures(void) {
    mm_status (*p_open)(const char *, const char *, const char *, uint64_t, const size_t *,
                        size_t, char, mm_array *) = mm_open;
    mm_status (*p_open_fd)(int, const char *, const char *, uint64_t, const size_t *, size_t,
                           char, mm_array *) = mm_open_fd;
    void *(*p_data)(mm_array) = mm_data;
    mm_status (*p_flush)(mm_array) = mm_flush;
    mm_status (*p_close)(mm_array) = mm_close;
    size_t (*p_ndim)(mm_array) = mm_ndim;
    const size_t *(*p_shape)(mm_array) = mm_shape;
    const int64_t *(*p_strides)(mm_array) = mm_strides;
    size_t (*p_itemsize)(mm_array) = mm_itemsize;
    size_t (*p_size)(mm_array) = mm_size;
    size_t (*p_nbytes)(mm_array) = mm_nbytes;
    const char *(*p_dtype)(mm_array) = mm_dtype;
    const char *(*p_mode)(mm_array) = mm_mode;
    uint64_t (*p_offset)(mm_array) = mm_offset;
    const char *(*p_filename)(mm_array) = mm_filename;
    uint32_t (*p_flags)(mm_array) = mm_flags;
    mm_status (*p_describe)(mm_array, mm_info *, char *, size_t, size_t *) = mm_describe;
    int32_t (*p_scalar_kind)(mm_array) = mm_scalar_kind;
    mm_status (*p_view)(mm_array, const char *, int64_t, const size_t *, size_t,
                        const int64_t *, mm_array *) = mm_view;
    mm_status (*p_slice)(mm_array, size_t, int64_t, int64_t, int64_t, mm_array *) = mm_slice;
    const char *(*p_status_str)(mm_status) = mm_status_str;
    const char *(*p_msg)(void) = mm_last_error_message;
    size_t (*p_copy)(char *, size_t) = mm_last_error_copy;
    int32_t (*p_os)(void) = mm_last_os_error;
    const char *(*p_vs)(void) = mm_version_string;
    uint32_t (*p_v)(void) = mm_version;
    return p_open != 0 && p_open_fd != 0 && p_data != 0 && p_flush != 0 && p_close != 0 &&
           p_ndim != 0 && p_shape != 0 && p_strides != 0 && p_itemsize != 0 && p_size != 0 &&
           p_nbytes != 0 && p_dtype != 0 && p_mode != 0 && p_offset != 0 && p_filename != 0 &&
           p_flags != 0 && p_describe != 0 && p_scalar_kind != 0 && p_view != 0 && p_slice != 0 && p_status_str != 0 && p_msg != 0 &&
           p_copy != 0 && p_os != 0 && p_vs != 0 && p_v != 0;
}
