/* mm_view and mm_slice: reshape, transpose, reversal, sub-blocks, reinterpretation,
 * Python slice semantics, and the out-of-bounds rule at every boundary +-1. */
#include "check.h"

#include <limits.h>

#define NONE_LO INT64_MIN
#define NONE_HI INT64_MAX

static const size_t S0[1] = {0};

/* Expect mm_view to fail with `code` and leave *out at 0. */
#define VIEW_FAILS(base, dt, off, shape, nd, strides, code)                       \
    do {                                                                          \
        mm_array v_ = 777;                                                        \
        CHECK_STATUS(mm_view(base, dt, off, shape, nd, strides, &v_), code);      \
        CHECK_EQ_U(v_, 0);                                                        \
        CHECK_MSG_HAS("mm_view(handle 0x");                                       \
    } while (0)

#define VIEW_OK(base, dt, off, shape, nd, strides)                                \
    do {                                                                          \
        mm_array v_ = 0;                                                          \
        CHECK_OK(mm_view(base, dt, off, shape, nd, strides, &v_));                \
        if (v_) CHECK_OK(mm_close(v_));                                           \
    } while (0)

/* 40-byte pattern file; the array is bytes 5..28 (u1, shape 24). The bytes around it
 * exist in the file, so a bounds check against the file instead of the array fails. */
static mm_array open_region(const char *dir, const char *mode) {
    char path[512];
    path_join(path, sizeof path, dir, "region.bin");
    if (!file_exists(path)) write_pattern_file(path, 40);
    size_t shape[1] = {24};
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "u1", mode, 5, shape, 1, 'C', &a));
    return a;
}

static void test_view_bounds(void) {
    char dir[256];
    tmpdir_make(dir, sizeof dir);
    mm_array a = open_region(dir, "r");
    size_t s24[1] = {24}, s25[1] = {25}, s1[1] = {1}, s3[1] = {3}, s2[1] = {2};

    VIEW_OK(a, NULL, 0, s24, 1, NULL);
    VIEW_FAILS(a, NULL, 1, s24, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_FAILS(a, NULL, -1, s24, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_FAILS(a, NULL, 0, s25, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(a, NULL, 23, s1, 1, NULL);
    VIEW_FAILS(a, NULL, 24, s1, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(a, NULL, 0, s1, 1, NULL);
    VIEW_FAILS(a, NULL, -1, s1, 1, NULL, MM_E_OUT_OF_BOUNDS);

    /* another itemsize: the last byte of the last element counts */
    VIEW_OK(a, "<f8", 0, s3, 1, NULL);
    VIEW_FAILS(a, "<f8", 1, s3, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(a, "<f8", 8, s2, 1, NULL);
    VIEW_OK(a, "<f8", 7, s2, 1, NULL);
    VIEW_FAILS(a, "<f8", 9, s2, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(a, "<f8", 16, s1, 1, NULL);
    VIEW_FAILS(a, "<f8", 17, s1, 1, NULL, MM_E_OUT_OF_BOUNDS);

    /* negative strides: the lowest byte counts */
    int64_t m1[1] = {-1}, m8[1] = {-8};
    VIEW_OK(a, NULL, 23, s24, 1, m1);
    VIEW_FAILS(a, NULL, 24, s24, 1, m1, MM_E_OUT_OF_BOUNDS);
    VIEW_FAILS(a, NULL, 22, s24, 1, m1, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(a, "<f8", 16, s3, 1, m8);
    VIEW_FAILS(a, "<f8", 17, s3, 1, m8, MM_E_OUT_OF_BOUNDS);
    VIEW_FAILS(a, "<f8", 15, s3, 1, m8, MM_E_OUT_OF_BOUNDS);

    /* 2-D extents */
    size_t s46[2] = {4, 6};
    int64_t c46[2] = {6, 1}, f46[2] = {1, 4}, f46b[2] = {1, 5}, neg46[2] = {-6, 1};
    VIEW_OK(a, NULL, 0, s46, 2, NULL);
    VIEW_OK(a, NULL, 0, s46, 2, c46);
    VIEW_OK(a, NULL, 0, s46, 2, f46);
    VIEW_FAILS(a, NULL, 0, s46, 2, f46b, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(a, NULL, 18, s46, 2, neg46);
    VIEW_FAILS(a, NULL, 17, s46, 2, neg46, MM_E_OUT_OF_BOUNDS);
    VIEW_FAILS(a, NULL, 19, s46, 2, neg46, MM_E_OUT_OF_BOUNDS);

    /* broadcasting stride 0 */
    size_t s1000[1] = {1000};
    int64_t z[1] = {0};
    VIEW_OK(a, NULL, 23, s1000, 1, z);
    VIEW_FAILS(a, NULL, 24, s1000, 1, z, MM_E_OUT_OF_BOUNDS);

    /* zero elements reach no byte */
    size_t s05[2] = {0, 5};
    VIEW_OK(a, NULL, 24, S0, 1, NULL);
    VIEW_OK(a, "<f8", 0, s05, 2, NULL);

    /* 0-d */
    VIEW_OK(a, "<f8", 16, S0, 0, NULL);
    VIEW_FAILS(a, "<f8", 17, S0, 0, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(a, "<f8", 16, NULL, 0, NULL);      /* shape may be NULL when ndim is 0 */
    VIEW_FAILS(a, "<f8", 17, NULL, 0, NULL, MM_E_OUT_OF_BOUNDS);

    /* relative to a slice: the limit is still the region of the array as opened */
    mm_array tail = 0;
    REQUIRE_OK(mm_slice(a, 0, 2, NONE_HI, 1, &tail));
    VIEW_OK(tail, NULL, -2, s24, 1, NULL);
    VIEW_FAILS(tail, NULL, -3, s24, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_FAILS(tail, NULL, -1, s24, 1, NULL, MM_E_OUT_OF_BOUNDS);
    VIEW_OK(tail, NULL, 21, s1, 1, NULL);
    VIEW_FAILS(tail, NULL, 22, s1, 1, NULL, MM_E_OUT_OF_BOUNDS);
    CHECK_OK(mm_close(tail));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_view_arguments(void) {
    char dir[256];
    tmpdir_make(dir, sizeof dir);
    mm_array a = open_region(dir, "r+");
    size_t s2[1] = {2}, s1[1] = {1}, s3[1] = {3};
    int64_t st4[1] = {4}, stm4[1] = {-4}, st12[1] = {12}, st8[1] = {8}, st0[1] = {0};

    /* |stride| < itemsize on an axis of extent > 1 */
    VIEW_FAILS(a, "<f8", 0, s2, 1, st4, MM_E_INVALID_ARG);
    VIEW_FAILS(a, "<f8", 8, s2, 1, stm4, MM_E_INVALID_ARG);
    VIEW_OK(a, "<f8", 0, s1, 1, st4);          /* extent 1: any stride */
    VIEW_OK(a, "<f8", 0, s2, 1, st12);         /* not a multiple of the itemsize: fine */
    VIEW_OK(a, "<f8", 0, s2, 1, st8);
    VIEW_OK(a, "<f8", 0, s3, 1, st0);
    size_t s22[2] = {2, 2};
    int64_t bad2[2] = {8, 7}, bad3[2] = {7, 8};
    VIEW_FAILS(a, "<f8", 0, s22, 2, bad2, MM_E_INVALID_ARG);
    VIEW_FAILS(a, "<f8", 0, s22, 2, bad3, MM_E_INVALID_ARG);
    int64_t ok3[2] = {8, 0};
    VIEW_OK(a, "<f8", 0, s22, 2, ok3);

    /* shape NULL with ndim > 0, bad dtype, object dtype, NULL out, shape overflow */
    VIEW_FAILS(a, NULL, 0, NULL, 1, NULL, MM_E_INVALID_ARG);
    VIEW_FAILS(a, NULL, 0, NULL, 2, st8, MM_E_INVALID_ARG);
    VIEW_FAILS(a, "zz", 0, s1, 1, NULL, MM_E_INVALID_ARG);
    VIEW_FAILS(a, "O", 0, s1, 1, NULL, MM_E_UNSUPPORTED);
    size_t huge[2] = {SIZE_MAX / 2 + 1, 2};
    VIEW_FAILS(a, NULL, 0, huge, 2, NULL, MM_E_INVALID_ARG);
    CHECK_STATUS(mm_view(a, NULL, 0, s1, 1, NULL, NULL), MM_E_INVALID_ARG);
    CHECK_MSG_HAS("mm_view(handle 0x"); /* every failure names the handle */
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static double elem2(mm_array v, size_t i, size_t j) {
    const char *p = (const char *)mm_data(v);
    double d;
    memcpy(&d, p + (int64_t)i * mm_strides(v)[0] + (int64_t)j * mm_strides(v)[1], 8);
    return d;
}

/* (3,4) float64 holding 10*i + j, opened r+ at offset 16 */
static mm_array open_matrix(const char *dir, const char *mode) {
    char path[512];
    path_join(path, sizeof path, dir, "m.bin");
    unsigned char buf[16 + 96];
    memset(buf, 0xee, 16);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) {
            double d = 10.0 * i + j;
            memcpy(buf + 16 + 8 * (4 * i + j), &d, 8);
        }
    write_file(path, buf, sizeof buf);
    size_t shape[2] = {3, 4};
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<f8", mode, 16, shape, 2, 'C', &a));
    return a;
}

static void test_transpose_subblock_reinterpret(void) {
    char dir[256];
    tmpdir_make(dir, sizeof dir);
    mm_array a = open_matrix(dir, "r");
    CHECK_EQ_U(mm_flags(a), MM_C_CONTIGUOUS | MM_ALIGNED | MM_NATIVE_ORDER);

    /* transpose: shape (4,3), strides (8,32) */
    size_t ts[2] = {4, 3};
    int64_t tst[2] = {8, 32};
    mm_array t = 0;
    REQUIRE_OK(mm_view(a, NULL, 0, ts, 2, tst, &t));
    CHECK_EQ_U(mm_ndim(t), 2);
    CHECK_EQ_U(mm_shape(t)[0], 4);
    CHECK_EQ_U(mm_shape(t)[1], 3);
    CHECK_EQ_I(mm_strides(t)[0], 8);
    CHECK_EQ_I(mm_strides(t)[1], 32);
    CHECK_EQ_U(mm_flags(t), MM_F_CONTIGUOUS | MM_ALIGNED | MM_NATIVE_ORDER);
    CHECK_EQ_S(mm_dtype(t), "<f8");
    CHECK_EQ_S(mm_mode(t), "r");
    CHECK_EQ_U(mm_offset(t), 16);
    CHECK(mm_data(t) == mm_data(a));
    for (size_t j = 0; j < 4; j++)
        for (size_t i = 0; i < 3; i++) CHECK_EQ_D(elem2(t, j, i), 10.0 * i + j);

    /* sub-block rows 1..2, columns 1..2 */
    size_t bs[2] = {2, 2};
    int64_t bst[2] = {32, 8};
    mm_array b = 0;
    REQUIRE_OK(mm_view(a, NULL, 32 + 8, bs, 2, bst, &b));
    CHECK_EQ_D(elem2(b, 0, 0), 11);
    CHECK_EQ_D(elem2(b, 0, 1), 12);
    CHECK_EQ_D(elem2(b, 1, 0), 21);
    CHECK_EQ_D(elem2(b, 1, 1), 22);
    CHECK_EQ_U(mm_flags(b), MM_ALIGNED | MM_NATIVE_ORDER);
    CHECK((const char *)mm_data(b) == (const char *)mm_data(a) + 40);

    /* both reversed through negative strides, starting at the last element */
    int64_t rst[2] = {-32, -8};
    size_t rs[2] = {3, 4};
    mm_array r = 0;
    REQUIRE_OK(mm_view(a, NULL, 88, rs, 2, rst, &r));
    CHECK_EQ_D(elem2(r, 0, 0), 23);
    CHECK_EQ_D(elem2(r, 2, 3), 0);
    CHECK_EQ_D(elem2(r, 1, 2), 11);
    CHECK_EQ_U(mm_flags(r), MM_ALIGNED | MM_NATIVE_ORDER);

    /* reinterpretation: the 96 bytes as little- and big-endian u4, and as one row of u1 */
    size_t s24[1] = {24}, s96[1] = {96};
    mm_array le = 0, be = 0, u1 = 0;
    REQUIRE_OK(mm_view(a, "<u4", 0, s24, 1, NULL, &le));
    REQUIRE_OK(mm_view(a, ">u4", 0, s24, 1, NULL, &be));
    REQUIRE_OK(mm_view(a, "u1", 0, s96, 1, NULL, &u1));
    CHECK_EQ_S(mm_dtype(le), "<u4");
    CHECK_EQ_S(mm_dtype(be), ">u4");
    CHECK_EQ_S(mm_dtype(u1), "|u1");
    CHECK_EQ_U(mm_itemsize(le), 4);
    CHECK_EQ_U(mm_flags(le), MM_C_CONTIGUOUS | MM_F_CONTIGUOUS | MM_ALIGNED | MM_NATIVE_ORDER);
    CHECK_EQ_U(mm_flags(be), MM_C_CONTIGUOUS | MM_F_CONTIGUOUS | MM_ALIGNED);
    const unsigned char *bytes = (const unsigned char *)mm_data(u1);
    const unsigned char *lp = (const unsigned char *)mm_data(le);
    CHECK(lp == bytes);
    /* element 9 of the u4 view (bytes 36..39) is the high word of double (1,0) = 10.0 */
    uint32_t w = (uint32_t)bytes[36] | (uint32_t)bytes[37] << 8 | (uint32_t)bytes[38] << 16 |
                 (uint32_t)bytes[39] << 24;
    uint32_t got;
    memcpy(&got, lp + 36, 4);
    CHECK_EQ_U(got, w);
    double ten = 10.0;
    uint64_t tenbits;
    memcpy(&tenbits, &ten, 8);
    CHECK_EQ_U(w, (uint32_t)(tenbits >> 32));

    /* reshape (3,4) -> (2,6) -> (12,) keeps C order */
    size_t s26[2] = {2, 6}, s12[1] = {12};
    mm_array r26 = 0, r12 = 0;
    REQUIRE_OK(mm_view(a, NULL, 0, s26, 2, NULL, &r26));
    CHECK_EQ_I(mm_strides(r26)[0], 48);
    CHECK_EQ_D(elem2(r26, 1, 0), 12);
    REQUIRE_OK(mm_view(r26, NULL, 0, s12, 1, NULL, &r12));
    CHECK_EQ_D(((const double *)mm_data(r12))[11], 23);

    mm_array all[] = {t, b, r, le, be, u1, r26, r12};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK_OK(mm_close(all[i]));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

typedef struct {
    int64_t start, stop, step;
    int n;
    int values[12];
} slice_case;

static void test_slice_semantics(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "s.bin");
    unsigned char ten[10];
    for (int i = 0; i < 10; i++) ten[i] = (unsigned char)i;
    write_file(path, ten, 10);
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "u1", "r", 0, NULL, 0, 'C', &a));
    const unsigned char *base = (const unsigned char *)mm_data(a);

    const slice_case cases[] = {
        {2, 8, 2, 3, {2, 4, 6}},
        {NONE_LO, NONE_HI, 1, 10, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
        {NONE_HI, NONE_LO, -1, 10, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
        {-3, NONE_HI, 1, 3, {7, 8, 9}},
        {8, 2, -3, 2, {8, 5}},
        {100, 200, 1, 0, {0}},
        {-100, 3, 1, 3, {0, 1, 2}},
        {5, 5, 1, 0, {0}},
        {5, 2, 1, 0, {0}},
        {2, 5, -1, 0, {0}},
        {-1, -4, -1, 3, {9, 8, 7}},
        {NONE_HI, NONE_LO, -4, 3, {9, 5, 1}},
        {NONE_LO, NONE_HI, 3, 4, {0, 3, 6, 9}},
        {3, NONE_HI, 100, 1, {3}},
        {9, NONE_LO, -1, 10, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
        {-11, NONE_HI, 1, 10, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
        {NONE_LO, -1, 1, 9, {0, 1, 2, 3, 4, 5, 6, 7, 8}},
        {NONE_LO, NONE_HI, INT64_MAX, 1, {0}},
        {NONE_HI, NONE_LO, INT64_MIN, 1, {9}},
        {NONE_HI, NONE_LO, -INT64_MAX, 1, {9}},
        {10, NONE_LO, -1, 10, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
        {-1, NONE_LO, -2, 5, {9, 7, 5, 3, 1}},
        {0, -10, -1, 0, {0}},
        {0, -11, -1, 1, {0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const slice_case *k = &cases[c];
        mm_array s = 777;
        mm_status st = mm_slice(a, 0, k->start, k->stop, k->step, &s);
        CHECK_STATUS(st, MM_OK);
        if (st != MM_OK) continue;
        int before = t_failures;
        CHECK_EQ_U(mm_ndim(s), 1);
        CHECK_EQ_U(mm_shape(s)[0], (size_t)k->n);
        CHECK_EQ_U(mm_size(s), (size_t)k->n);
        CHECK(mm_data(s) != NULL);
        if (k->n > 0 && mm_shape(s)[0] == (size_t)k->n) {
            const unsigned char *d = (const unsigned char *)mm_data(s);
            CHECK(d == base + k->values[0]);
            if (k->n > 1) CHECK_EQ_I(mm_strides(s)[0], k->step);
            for (int i = 0; i < k->n; i++)
                CHECK_EQ_I(d[(int64_t)i * mm_strides(s)[0]], k->values[i]);
        }
        if (t_failures != before)
            fprintf(stderr, "  slice [%" PRId64 ":%" PRId64 ":%" PRId64 "]\n", k->start, k->stop,
                    k->step);
        CHECK_OK(mm_close(s));
    }

    /* errors */
    mm_array s = 777;
    CHECK_STATUS(mm_slice(a, 0, 0, 5, 0, &s), MM_E_INVALID_ARG);
    CHECK_EQ_U(s, 0);
    CHECK_MSG_HAS("mm_slice");
    s = 777;
    CHECK_STATUS(mm_slice(a, 1, 0, 5, 1, &s), MM_E_INVALID_ARG);
    CHECK_EQ_U(s, 0);
    CHECK_MSG_HAS("mm_slice");
    CHECK_STATUS(mm_slice(a, SIZE_MAX, 0, 5, 1, &s), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_slice(a, 0, 0, 5, 1, NULL), MM_E_INVALID_ARG);
    CHECK_MSG_HAS("mm_slice");

    /* flags of slices */
    REQUIRE_OK(mm_slice(a, 0, 2, 5, 1, &s));
    CHECK_EQ_U(mm_flags(s), MM_C_CONTIGUOUS | MM_F_CONTIGUOUS | MM_ALIGNED | MM_NATIVE_ORDER);
    CHECK_OK(mm_close(s));
    REQUIRE_OK(mm_slice(a, 0, NONE_LO, NONE_HI, 2, &s));
    CHECK_EQ_U(mm_flags(s), MM_ALIGNED | MM_NATIVE_ORDER);
    /* slice of a slice: [::2][::-1] = 8,6,4,2,0 */
    mm_array s2 = 0;
    REQUIRE_OK(mm_slice(s, 0, NONE_HI, NONE_LO, -1, &s2));
    CHECK_EQ_U(mm_shape(s2)[0], 5);
    CHECK_EQ_I(mm_strides(s2)[0], -2);
    CHECK_EQ_U(((const unsigned char *)mm_data(s2))[0], 8);
    CHECK_EQ_U(((const unsigned char *)mm_data(s2))[-8], 0);
    CHECK_EQ_S(mm_mode(s2), "r");
    CHECK_EQ_S(mm_filename(s2), path);
    CHECK_EQ_U(mm_offset(s2), 0);
    /* [::-1][::-1] is the original order */
    mm_array s3 = 0;
    REQUIRE_OK(mm_slice(s2, 0, NONE_HI, NONE_LO, -1, &s3));
    CHECK_EQ_I(mm_strides(s3)[0], 2);
    CHECK_EQ_U(((const unsigned char *)mm_data(s3))[2], 1 * 2);
    CHECK_OK(mm_close(s3));
    CHECK_OK(mm_close(s2));
    CHECK_OK(mm_close(s));

    /* 0-d: no axis to slice */
    mm_array z = 0;
    REQUIRE_OK(mm_open(path, "u1", "r", 3, S0, 0, 'C', &z));
    CHECK_STATUS(mm_slice(z, 0, 0, 1, 1, &s), MM_E_INVALID_ARG);
    CHECK_OK(mm_close(z));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_slice_2d_and_writes(void) {
    char dir[256];
    tmpdir_make(dir, sizeof dir);
    mm_array a = open_matrix(dir, "r+");

    /* [:, 1:3] */
    mm_array c = 0;
    REQUIRE_OK(mm_slice(a, 1, 1, 3, 1, &c));
    CHECK_EQ_U(mm_shape(c)[0], 3);
    CHECK_EQ_U(mm_shape(c)[1], 2);
    CHECK_EQ_I(mm_strides(c)[0], 32);
    CHECK_EQ_I(mm_strides(c)[1], 8);
    CHECK_EQ_U(mm_flags(c), MM_WRITEABLE | MM_ALIGNED | MM_NATIVE_ORDER);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 2; j++) CHECK_EQ_D(elem2(c, i, j), 10.0 * i + j + 1);

    /* [::-1, 1:3] */
    mm_array rc = 0;
    REQUIRE_OK(mm_slice(c, 0, NONE_HI, NONE_LO, -1, &rc));
    CHECK_EQ_I(mm_strides(rc)[0], -32);
    CHECK_EQ_I(mm_strides(rc)[1], 8);
    CHECK_EQ_D(elem2(rc, 0, 0), 21);
    CHECK_EQ_D(elem2(rc, 2, 1), 2);

    /* a row [1, :] stays C-contiguous in 2-D form (1,4) */
    mm_array row = 0;
    REQUIRE_OK(mm_slice(a, 0, 1, 2, 1, &row));
    CHECK_EQ_U(mm_shape(row)[0], 1);
    CHECK_EQ_U(mm_flags(row) & MM_C_CONTIGUOUS, MM_C_CONTIGUOUS);

    /* writing through a view is seen by the base and by the file */
    double v = -7.5;
    memcpy((char *)mm_data(rc) + 1 * mm_strides(rc)[0] + 1 * mm_strides(rc)[1], &v, 8);
    CHECK_EQ_D(elem2(a, 1, 2), -7.5);
    CHECK_OK(mm_flush(rc));
    char path[512];
    path_join(path, sizeof path, dir, "m.bin");
    size_t n;
    unsigned char *b = read_file(path, &n);
    double f;
    memcpy(&f, b + 16 + 8 * (4 * 1 + 2), 8);
    CHECK_EQ_D(f, -7.5);
    free(b);

    /* slicing axis 2 of a 2-D array */
    mm_array bad = 777;
    CHECK_STATUS(mm_slice(a, 2, 0, 1, 1, &bad), MM_E_INVALID_ARG);
    CHECK_EQ_U(bad, 0);

    CHECK_OK(mm_close(row));
    CHECK_OK(mm_close(rc));
    CHECK_OK(mm_close(c));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_view_flags_follow_mode(void) {
    char dir[256];
    tmpdir_make(dir, sizeof dir);
    const char *modes[] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        mm_array a = open_region(dir, modes[m]);
        mm_array s = 0, v = 0;
        size_t s4[1] = {4};
        REQUIRE_OK(mm_slice(a, 0, 0, 4, 1, &s));
        REQUIRE_OK(mm_view(s, "<i2", 0, s4, 1, NULL, &v));
        uint32_t w = (m == 0) ? 0 : MM_WRITEABLE;
        CHECK_EQ_U(mm_flags(s) & MM_WRITEABLE, w);
        CHECK_EQ_U(mm_flags(v) & MM_WRITEABLE, w);
        CHECK_EQ_S(mm_mode(v), modes[m]);
        CHECK_EQ_U(mm_offset(v), 5);
        /* <i2 at the array start (file offset 5) is unaligned */
        CHECK_EQ_U(mm_flags(v) & MM_ALIGNED, 0);
        CHECK_OK(mm_close(v));
        CHECK_OK(mm_close(s));
        CHECK_OK(mm_close(a));
    }
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_view_bounds);
    RUN(test_view_arguments);
    RUN(test_transpose_subblock_reinterpret);
    RUN(test_slice_semantics);
    RUN(test_slice_2d_and_writes);
    RUN(test_view_flags_follow_mode);
    return test_summary();
}
