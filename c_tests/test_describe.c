/* mm_describe and mm_scalar_kind from C: the documented mm_info layout (checked at
 * compile time), an exact snapshot, the snprintf-like dtype text, bad handles and NULL
 * arguments, and the scalar kind of native, swapped and non-scalar dtypes. */
#include "check.h" /* first: it sets _GNU_SOURCE */

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(mm_info) == 1088, "mm_info size");
_Static_assert(_Alignof(mm_info) == 8, "mm_info alignment");
_Static_assert(offsetof(mm_info, data) == 0, "data");
_Static_assert(offsetof(mm_info, ndim) == 8, "ndim");
_Static_assert(offsetof(mm_info, itemsize) == 16, "itemsize");
_Static_assert(offsetof(mm_info, size) == 24, "size");
_Static_assert(offsetof(mm_info, nbytes) == 32, "nbytes");
_Static_assert(offsetof(mm_info, offset) == 40, "offset");
_Static_assert(offsetof(mm_info, flags) == 48, "flags");
_Static_assert(offsetof(mm_info, scalar_kind) == 52, "scalar_kind");
_Static_assert(offsetof(mm_info, mode) == 56, "mode");
_Static_assert(offsetof(mm_info, reserved) == 60, "reserved");
_Static_assert(offsetof(mm_info, shape) == 64, "shape");
_Static_assert(offsetof(mm_info, strides) == 576, "strides");
_Static_assert(MM_MAX_NDIM == 64, "MM_MAX_NDIM");

static void test_snapshot(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "a.bin");
    const size_t shape[2] = {3, 4};
    mm_array a = 0, s = 0;
    REQUIRE_OK(mm_open(path, "<i4", "w+", 8, shape, 2, 'C', &a));
    CHECK_EQ_I(file_size(path), 56);
    mm_info info;
    memset(&info, 0xAB, sizeof info);
    char buf[16];
    size_t needed = 777;
    REQUIRE_OK(mm_describe(a, &info, buf, sizeof buf, &needed));
    CHECK(info.data == mm_data(a));
    CHECK_EQ_U(info.ndim, 2);
    CHECK_EQ_U(info.itemsize, 4);
    CHECK_EQ_U(info.size, 12);
    CHECK_EQ_U(info.nbytes, 48);
    CHECK_EQ_U(info.offset, 8);
    CHECK_EQ_U(info.flags, MM_WRITEABLE | MM_C_CONTIGUOUS | MM_ALIGNED | MM_NATIVE_ORDER);
    CHECK_EQ_I(info.scalar_kind, MM_SCALAR_INT32);
    CHECK(memcmp(info.mode, "w+\0\0", 4) == 0);
    CHECK_EQ_U(info.reserved, 0);
    CHECK_EQ_U(info.shape[0], 3);
    CHECK_EQ_U(info.shape[1], 4);
    CHECK_EQ_U(info.shape[2], 0);
    CHECK_EQ_U(info.shape[MM_MAX_NDIM - 1], 0);
    CHECK_EQ_I(info.strides[0], 16);
    CHECK_EQ_I(info.strides[1], 4);
    CHECK_EQ_I(info.strides[MM_MAX_NDIM - 1], 0);
    CHECK_EQ_S(buf, "<i4");
    CHECK_EQ_U(needed, 4);

    /* a reversed slice: negative stride, the data address of its first element */
    REQUIRE_OK(mm_slice(a, 1, INT64_MAX, INT64_MIN, -1, &s)); /* a[:, ::-1] */
    REQUIRE_OK(mm_describe(s, &info, buf, 2, &needed));
    CHECK_EQ_U(info.ndim, 2);
    CHECK_EQ_U(info.shape[1], 4);
    CHECK_EQ_I(info.strides[1], -4);
    CHECK((char *)info.data == (char *)mm_data(a) + 12);
    CHECK_EQ_U(info.flags, MM_WRITEABLE | MM_ALIGNED | MM_NATIVE_ORDER);
    CHECK_EQ_S(buf, "<"); /* truncated to cap - 1 bytes and a NUL */
    CHECK_EQ_U(needed, 4);
    /* cap 0 with NULL: the size only */
    REQUIRE_OK(mm_describe(s, &info, NULL, 0, &needed));
    CHECK_EQ_U(needed, 4);
    CHECK_OK(mm_close(s));
    CHECK_OK(mm_close(a));

    /* closed: MM_E_BAD_HANDLE, everything zeroed, the buffer untouched */
    memset(&info, 0xAB, sizeof info);
    memset(buf, 'x', sizeof buf);
    CHECK_STATUS(mm_describe(a, &info, buf, sizeof buf, &needed), MM_E_BAD_HANDLE);
    CHECK_EQ_U(needed, 0);
    CHECK(info.data == NULL);
    CHECK_EQ_U(info.ndim, 0);
    CHECK_EQ_U(info.shape[0], 0);
    CHECK_EQ_U(info.flags, 0);
    CHECK(buf[0] == 'x');
    CHECK_EQ_I(mm_scalar_kind(a), -1);
    CHECK_MSG_HAS("mm_scalar_kind(handle");
    /* NULL arguments */
    CHECK_STATUS(mm_describe(a, NULL, buf, sizeof buf, &needed), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_describe(a, &info, buf, sizeof buf, NULL), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_describe(a, &info, NULL, 4, &needed), MM_E_INVALID_ARG);
    tmpdir_remove(dir);
}

static void test_scalar_kinds(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "k.bin");
    const size_t one[1] = {1};
    static const struct {
        const char *dtype;
        int32_t kind;
    } cases[] = {
        {"?", MM_SCALAR_BOOL},       {"i1", MM_SCALAR_INT8},          {"=i2", MM_SCALAR_INT16},
        {"=i4", MM_SCALAR_INT32},    {"=i8", MM_SCALAR_INT64},        {"u1", MM_SCALAR_UINT8},
        {"=u2", MM_SCALAR_UINT16},   {"=u4", MM_SCALAR_UINT32},       {"=u8", MM_SCALAR_UINT64},
        {"=f2", MM_SCALAR_FLOAT16},  {"=f4", MM_SCALAR_FLOAT32},      {"=f8", MM_SCALAR_FLOAT64},
        {"=c8", MM_SCALAR_COMPLEX64}, {"=c16", MM_SCALAR_COMPLEX128}, {"float64", MM_SCALAR_FLOAT64},
        {"S4", MM_SCALAR_OTHER},     {"U1", MM_SCALAR_OTHER},         {"V8", MM_SCALAR_OTHER},
#ifdef _WIN32 /* numpy's longdouble on Windows is C double (MSVC's long double): "<f8" */
        {"M8[s]", MM_SCALAR_OTHER},  {"m8[ms]", MM_SCALAR_OTHER},     {"longdouble", MM_SCALAR_FLOAT64},
#else
        {"M8[s]", MM_SCALAR_OTHER},  {"m8[ms]", MM_SCALAR_OTHER},     {"longdouble", MM_SCALAR_OTHER},
#endif
        {"[('a', '|u1')]", MM_SCALAR_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_array a = 0;
        REQUIRE_OK(mm_open(path, cases[i].dtype, "w+", 0, one, 1, 'C', &a));
        CHECK_EQ_I(mm_scalar_kind(a), cases[i].kind);
        CHECK_OK(mm_close(a));
    }
    /* the byte order that is not the machine's */
    int little = 1;
    const char *swapped = *(char *)&little ? ">i4" : "<i4";
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, swapped, "w+", 0, one, 1, 'C', &a));
    CHECK_EQ_I(mm_scalar_kind(a), MM_SCALAR_OTHER);
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_snapshot);
    RUN(test_scalar_kinds);
    return test_summary();
}
