/* Arrays of zero bytes and empty files, in every mode (decision D2,
 * docs/numpy-semantics.md#d2): no mmap, always
 * work, mm_data non-NULL, r+/w+ size exactly max(old, offset + nbytes), no 1-byte minimum. */
#include "check.h"

static const size_t S0[1] = {0};
static const size_t S04[2] = {0, 4};
static const size_t S30[2] = {3, 0};
static const size_t S5[1] = {5};

static void check_empty_array(mm_array a, size_t ndim, const char *dtype) {
    CHECK(mm_data(a) != NULL);
    /* a dangling but aligned pointer */
    if (mm_itemsize(a) > 0) CHECK_EQ_U((uintptr_t)mm_data(a) % mm_itemsize(a), 0);
    CHECK_EQ_U(mm_size(a), 0);
    CHECK_EQ_U(mm_nbytes(a), 0);
    CHECK_EQ_U(mm_ndim(a), ndim);
    CHECK_EQ_S(mm_dtype(a), dtype);
    /* numpy: an array with no elements is both C- and F-contiguous */
    CHECK_EQ_U(mm_flags(a) & (MM_C_CONTIGUOUS | MM_F_CONTIGUOUS), MM_C_CONTIGUOUS | MM_F_CONTIGUOUS);
    CHECK_OK(mm_flush(a));
}

static void test_empty_file_every_mode(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "empty.bin");
    const char *modes[] = {"r", "r+", "c", "readonly", "readwrite", "copyonwrite", NULL};
    for (int m = 0; m < 7; m++) {
        write_file(path, "", 0);
        mm_array a = 0;
        /* inferred: shape (0,) */
        REQUIRE_OK(mm_open(path, "<f8", modes[m], 0, NULL, 0, 'C', &a));
        check_empty_array(a, 1, "<f8");
        CHECK_EQ_U(mm_shape(a)[0], 0);
        CHECK_EQ_I(mm_strides(a)[0], 8);
        CHECK_OK(mm_close(a));
        CHECK_EQ_I(file_size(path), 0);
        /* given (0,4) C and F */
        REQUIRE_OK(mm_open(path, "<i4", modes[m], 0, S04, 2, 'C', &a));
        check_empty_array(a, 2, "<i4");
        CHECK_EQ_U(mm_shape(a)[0], 0);
        CHECK_EQ_U(mm_shape(a)[1], 4);
        CHECK_EQ_I(mm_strides(a)[0], 16);   /* the zero-length dimension counts as 1 */
        CHECK_EQ_I(mm_strides(a)[1], 4);
        CHECK_OK(mm_close(a));
        REQUIRE_OK(mm_open(path, "<i4", modes[m], 0, S30, 2, 'F', &a));
        check_empty_array(a, 2, "<i4");
        CHECK_EQ_I(mm_strides(a)[0], 4);
        CHECK_EQ_I(mm_strides(a)[1], 12);
        CHECK_OK(mm_close(a));
        /* V0 with a shape: itemsize 0, five elements, zero bytes */
        REQUIRE_OK(mm_open(path, "V0", modes[m], 0, S5, 1, 'C', &a));
        CHECK(mm_data(a) != NULL);
        CHECK_EQ_U(mm_size(a), 5);
        CHECK_EQ_U(mm_nbytes(a), 0);
        CHECK_EQ_U(mm_itemsize(a), 0);
        CHECK_OK(mm_close(a));
        CHECK_EQ_I(file_size(path), 0);
        /* r and c: an offset past the end is still too far, even for zero bytes */
        int grows = modes[m] && (strcmp(modes[m], "r+") == 0 || strcmp(modes[m], "readwrite") == 0);
        if (modes[m] == NULL) grows = 1;
        if (!grows) {
            CHECK_STATUS(mm_open(path, "u1", modes[m], 1, S0, 1, 'C', &a), MM_E_FILE_TOO_SMALL);
            CHECK_EQ_I(file_size(path), 0);
        }
        /* inferred with offset past the end: FILE_TOO_SMALL in every mode */
        CHECK_STATUS(mm_open(path, "u1", modes[m], 1, NULL, 0, 'C', &a), MM_E_FILE_TOO_SMALL);
        CHECK_EQ_I(file_size(path), 0);
    }
    tmpdir_remove(dir);
}

static void test_w_plus_zero_bytes(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "w.bin");

    /* new file, (0,4): created, size 0 */
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<f4", "w+", 0, S04, 2, 'C', &a));
    check_empty_array(a, 2, "<f4");
    CHECK_EQ_S(mm_filename(a), path);
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 0);
    /* again on the now empty file */
    REQUIRE_OK(mm_open(path, "<f4", "write", 0, S0, 1, 'C', &a));
    check_empty_array(a, 1, "<f4");
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 0);
    /* zero bytes at an offset: the file becomes exactly `offset` bytes of zeros */
    REQUIRE_OK(mm_open(path, "<f4", "w+", 100, S0, 1, 'C', &a));
    CHECK_EQ_U(mm_offset(a), 100);
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 100);
    /* w+ on a non-empty file truncates first: 100 -> 7 */
    write_pattern_file(path, 100);
    REQUIRE_OK(mm_open(path, "u1", "w+", 7, S0, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 7);
    size_t n;
    unsigned char *b = read_file(path, &n);
    int zero = 1;
    for (size_t i = 0; i < n; i++) zero &= b[i] == 0;
    CHECK(zero);
    free(b);
    /* w+ zero bytes at offset 0 on a non-empty file: truncated to 0 */
    write_pattern_file(path, 50);
    REQUIRE_OK(mm_open(path, "u1", "w+", 0, S0, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 0);
    tmpdir_remove(dir);
}

static void test_r_plus_zero_bytes(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "rp.bin");
    write_pattern_file(path, 10);
    mm_array a = 0;
    /* zero bytes inside the file: unchanged */
    REQUIRE_OK(mm_open(path, "<f8", "r+", 4, S0, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 10);
    /* zero bytes past the end with a given shape: grows to exactly the offset */
    REQUIRE_OK(mm_open(path, "<f8", "r+", 4097, S04, 2, 'C', &a));
    check_empty_array(a, 2, "<f8");
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 4097);
    size_t n;
    unsigned char *b = read_file(path, &n);
    CHECK_EQ_U(b[9], pattern_byte(9));
    CHECK_EQ_U(b[4096], 0);
    free(b);
    /* offset == size inferred: (0,) in every mode, size unchanged */
    const char *modes[] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        REQUIRE_OK(mm_open(path, "u1", modes[m], 4097, NULL, 0, 'C', &a));
        check_empty_array(a, 1, "|u1");
        CHECK_OK(mm_close(a));
        /* zero bytes at offset 0 */
        REQUIRE_OK(mm_open(path, "u1", modes[m], 0, S0, 1, 'C', &a));
        CHECK_OK(mm_close(a));
    }
    CHECK_EQ_I(file_size(path), 4097);
    CHECK_STATUS(mm_open(path, "u1", "r", 8192, S0, 1, 'C', &a), MM_E_FILE_TOO_SMALL);
    CHECK_STATUS(mm_open(path, "u1", "c", 8192, S0, 1, 'C', &a), MM_E_FILE_TOO_SMALL);
    REQUIRE_OK(mm_open(path, "u1", "r+", 8192, S0, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 8192);
    tmpdir_remove(dir);
}

static void test_views_of_empty(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "e.bin");
    write_file(path, "", 0);
    mm_array a = 0, v = 0, s = 0;
    REQUIRE_OK(mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a));
    /* zero elements reach no byte */
    REQUIRE_OK(mm_view(a, "u1", 0, S04, 2, NULL, &v));
    check_empty_array(v, 2, "|u1");
    CHECK_OK(mm_close(v));
    REQUIRE_OK(mm_slice(a, 0, INT64_MAX, INT64_MIN, -1, &s));
    check_empty_array(s, 1, "<f8");
    CHECK_OK(mm_close(s));
    /* one element does not fit in an empty array */
    size_t one[1] = {1};
    CHECK_STATUS(mm_view(a, "u1", 0, one, 1, NULL, &v), MM_E_OUT_OF_BOUNDS);
    CHECK_STATUS(mm_view(a, "u1", 0, S0, 0, NULL, &v), MM_E_OUT_OF_BOUNDS); /* 0-d = 1 element */
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_empty_file_every_mode);
    RUN(test_w_plus_zero_bytes);
    RUN(test_r_plus_zero_bytes);
    RUN(test_views_of_empty);
    return test_summary();
}
