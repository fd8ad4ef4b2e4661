/* mm_open: modes and aliases, NULL defaults, offsets, inferred and given shapes,
 * C and F order, 0-d arrays, dtype strings, every getter, mm_filename. */
#include "check.h"

#include <limits.h>

static const size_t S1[1] = {0};

/* Expected flags of a freshly opened, contiguous array. */
static uint32_t base_flags(int writeable, int c, int f, int aligned, int native) {
    return (writeable ? MM_WRITEABLE : 0) | (c ? MM_C_CONTIGUOUS : 0) | (f ? MM_F_CONTIGUOUS : 0) |
           (aligned ? MM_ALIGNED : 0) | (native ? MM_NATIVE_ORDER : 0);
}

static void test_modes_and_aliases(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "a.bin");
    write_pattern_file(path, 64);

    static const struct {
        const char *given, *canonical;
        int writeable;
    } modes[] = {
        {"r", "r", 0},   {"readonly", "r", 0},    {"r+", "r+", 1},
        {"readwrite", "r+", 1}, {"c", "c", 1}, {"copyonwrite", "c", 1},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        mm_array a = 0;
        REQUIRE_OK(mm_open(path, "u1", modes[i].given, 0, NULL, 0, 'C', &a));
        CHECK(a != 0);
        CHECK_EQ_S(mm_mode(a), modes[i].canonical);
        CHECK_EQ_U(mm_flags(a) & MM_WRITEABLE, modes[i].writeable ? MM_WRITEABLE : 0);
        CHECK_EQ_U(mm_size(a), 64);
        const unsigned char *d = (const unsigned char *)mm_data(a);
        REQUIRE(d != NULL);
        CHECK_EQ_U(d[0], pattern_byte(0));
        CHECK_EQ_U(d[63], pattern_byte(63));
        CHECK_OK(mm_close(a));
        CHECK_EQ_I(file_size(path), 64);
    }

    /* w+ and its alias "write": truncate then extend to exactly offset+nbytes */
    const char *wmodes[] = {"w+", "write"};
    for (int i = 0; i < 2; i++) {
        write_pattern_file(path, 64);
        size_t shape[1] = {10};
        mm_array a = 0;
        REQUIRE_OK(mm_open(path, "u1", wmodes[i], 0, shape, 1, 'C', &a));
        CHECK_EQ_S(mm_mode(a), "w+");
        CHECK_EQ_U(mm_flags(a) & MM_WRITEABLE, MM_WRITEABLE);
        CHECK_EQ_I(file_size(path), 10);
        const unsigned char *d = (const unsigned char *)mm_data(a);
        for (int k = 0; k < 10; k++) CHECK_EQ_U(d[k], 0);
        CHECK_OK(mm_close(a));
    }
    tmpdir_remove(dir);
}

static void test_null_defaults(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "d.bin");
    write_pattern_file(path, 24);

    /* dtype NULL -> "u1"; mode NULL -> "r+"; shape NULL -> inferred (ndim ignored) */
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, NULL, NULL, 0, NULL, 7, 'C', &a));
    CHECK_EQ_S(mm_dtype(a), "|u1");
    CHECK_EQ_U(mm_itemsize(a), 1);
    CHECK_EQ_S(mm_mode(a), "r+");
    CHECK_EQ_U(mm_ndim(a), 1);
    CHECK_EQ_U(mm_shape(a)[0], 24);
    CHECK_EQ_I(mm_strides(a)[0], 1);
    CHECK_EQ_U(mm_flags(a), base_flags(1, 1, 1, 1, 1));
    CHECK_OK(mm_close(a));

    /* order 0, 'A' and 'K' mean C; lower case 'c' and 'f' are accepted */
    const char orders[] = {0, 'A', 'K', 'C', 'c'};
    size_t shape[2] = {2, 3};
    for (size_t i = 0; i < sizeof orders; i++) {
        REQUIRE_OK(mm_open(path, "<i4", "r", 0, shape, 2, orders[i], &a));
        CHECK_EQ_I(mm_strides(a)[0], 12);
        CHECK_EQ_I(mm_strides(a)[1], 4);
        CHECK_OK(mm_close(a));
    }
    const char forders[] = {'F', 'f'};
    for (size_t i = 0; i < sizeof forders; i++) {
        REQUIRE_OK(mm_open(path, "<i4", "r", 0, shape, 2, forders[i], &a));
        CHECK_EQ_I(mm_strides(a)[0], 4);
        CHECK_EQ_I(mm_strides(a)[1], 8);
        CHECK_OK(mm_close(a));
    }
    tmpdir_remove(dir);
}

static void test_offsets(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "o.bin");
    const size_t flen = 20000;
    write_pattern_file(path, flen);

    const uint64_t offsets[] = {0, 3, 4095, 4096, 4097, 8192};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        uint64_t off = offsets[i];
        const char *modes[] = {"r", "r+", "c"};
        for (int m = 0; m < 3; m++) {
            /* inferred u1 */
            mm_array a = 0;
            REQUIRE_OK(mm_open(path, "u1", modes[m], off, NULL, 0, 'C', &a));
            CHECK_EQ_U(mm_offset(a), off);
            CHECK_EQ_U(mm_size(a), flen - off);
            const unsigned char *d = (const unsigned char *)mm_data(a);
            REQUIRE(d != NULL);
            CHECK_EQ_U(d[0], pattern_byte(off));
            CHECK_EQ_U(d[flen - off - 1], pattern_byte(flen - 1));
            CHECK_OK(mm_close(a));

            /* given shape, <u2, 2-D */
            size_t shape[2] = {5, 7};
            REQUIRE_OK(mm_open(path, "<u2", modes[m], off, shape, 2, 'C', &a));
            CHECK_EQ_U(mm_offset(a), off);
            CHECK_EQ_U(mm_nbytes(a), 70);
            d = (const unsigned char *)mm_data(a);
            for (size_t k = 0; k < 70; k++) {
                if (d[k] != pattern_byte(off + k)) {
                    CHECK_EQ_U(d[k], pattern_byte(off + k));
                    break;
                }
            }
            /* u2 at an odd address is not aligned */
            CHECK_EQ_U(mm_flags(a) & MM_ALIGNED, (off % 2 == 0) ? MM_ALIGNED : 0);
            CHECK_OK(mm_close(a));
        }
    }

    /* f8 at offset 3: unaligned, values still read correctly with memcpy */
    {
        mm_array a = 0;
        size_t shape[1] = {4};
        REQUIRE_OK(mm_open(path, "<f8", "r", 3, shape, 1, 'C', &a));
        CHECK_EQ_U(mm_flags(a), base_flags(0, 1, 1, 0, 1));
        CHECK_EQ_U((uintptr_t)mm_data(a) % 8, 3);   /* mapping starts on a page boundary */
        unsigned char expect[8];
        for (int k = 0; k < 8; k++) expect[k] = pattern_byte(3 + 8 + (size_t)k);
        CHECK(memcmp((const unsigned char *)mm_data(a) + 8, expect, 8) == 0);
        CHECK_OK(mm_close(a));
        REQUIRE_OK(mm_open(path, "<f8", "r", 8192, shape, 1, 'C', &a));
        CHECK_EQ_U(mm_flags(a), base_flags(0, 1, 1, 1, 1));
        CHECK_OK(mm_close(a));
    }

    /* inferred shape with an itemsize that divides / does not divide the rest */
    {
        mm_array a = 0;
        REQUIRE_OK(mm_open(path, "<i4", "r", 8192, NULL, 0, 'C', &a));
        CHECK_EQ_U(mm_shape(a)[0], (flen - 8192) / 4);
        CHECK_OK(mm_close(a));
        CHECK_STATUS(mm_open(path, "<i4", "r", 4097, NULL, 0, 'C', &a), MM_E_SIZE_MISMATCH);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open");
        /* offset == file size: shape (0,) */
        REQUIRE_OK(mm_open(path, "<i4", "r", flen, NULL, 0, 'C', &a));
        CHECK_EQ_U(mm_ndim(a), 1);
        CHECK_EQ_U(mm_shape(a)[0], 0);
        CHECK(mm_data(a) != NULL);
        CHECK_OK(mm_close(a));
    }

    /* r+ with a given shape past the end grows the file to exactly offset+nbytes */
    {
        mm_array a = 0;
        size_t shape[1] = {3};
        REQUIRE_OK(mm_open(path, "<f8", "r+", 24000, shape, 1, 'C', &a));
        CHECK_EQ_I(file_size(path), 24000 + 24);
        const unsigned char *d = (const unsigned char *)mm_data(a);
        for (int k = 0; k < 24; k++) CHECK_EQ_U(d[k], 0);
        CHECK_OK(mm_close(a));
        /* a smaller array in r+ never shrinks the file */
        REQUIRE_OK(mm_open(path, "u1", "r+", 0, shape, 1, 'C', &a));
        CHECK_EQ_I(file_size(path), 24024);
        CHECK_OK(mm_close(a));
        /* old bytes are still there */
        size_t n;
        unsigned char *b = read_file(path, &n);
        CHECK_EQ_U(b[4097], pattern_byte(4097));
        CHECK_EQ_U(b[flen], 0);
        free(b);
    }

    /* w+ at offset 8192 on a new file: zeros before the offset */
    {
        char p2[512];
        path_join(p2, sizeof p2, dir, "new.bin");
        mm_array a = 0;
        size_t shape[1] = {5};
        REQUIRE_OK(mm_open(p2, "<i8", "w+", 8192, shape, 1, 'C', &a));
        CHECK_EQ_I(file_size(p2), 8192 + 40);
        int64_t *v = (int64_t *)mm_data(a);
        for (int k = 0; k < 5; k++) v[k] = -1 - k;
        CHECK_OK(mm_flush(a));
        CHECK_OK(mm_close(a));
        size_t n;
        unsigned char *b = read_file(p2, &n);
        CHECK_EQ_U(n, 8232);
        int zeros = 1;
        for (size_t k = 0; k < 8192; k++) zeros &= b[k] == 0;
        CHECK(zeros);
        int64_t third;
        memcpy(&third, b + 8192 + 16, 8);
        CHECK_EQ_I(third, -3);
        free(b);
    }
    tmpdir_remove(dir);
}

static void test_f_order(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "f.bin");
    unsigned char bytes[12];
    for (int i = 0; i < 12; i++) bytes[i] = (unsigned char)i;
    write_file(path, bytes, 12);

    /* u1 (3,4) F: element (i,j) is byte i + 3j; first column [0,1,2] */
    size_t shape[2] = {3, 4};
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "u1", "r", 0, shape, 2, 'F', &a));
    CHECK_EQ_I(mm_strides(a)[0], 1);
    CHECK_EQ_I(mm_strides(a)[1], 3);
    CHECK_EQ_U(mm_flags(a), base_flags(0, 0, 1, 1, 1));
    const unsigned char *d = (const unsigned char *)mm_data(a);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            CHECK_EQ_U(d[i * (size_t)mm_strides(a)[0] + j * (size_t)mm_strides(a)[1]], i + 3 * j);
    CHECK_OK(mm_close(a));

    /* f8 (2,3) F written through strides: the file holds columns one after another */
    char p2[512];
    path_join(p2, sizeof p2, dir, "f8.bin");
    size_t s2[2] = {2, 3};
    REQUIRE_OK(mm_open(p2, "float64", "w+", 0, s2, 2, 'F', &a));
    CHECK_EQ_I(mm_strides(a)[0], 8);
    CHECK_EQ_I(mm_strides(a)[1], 16);
    CHECK_EQ_U(mm_flags(a), base_flags(1, 0, 1, 1, 1));
    char *base = (char *)mm_data(a);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) {
            double v = 10.0 * i + j;
            memcpy(base + i * mm_strides(a)[0] + j * mm_strides(a)[1], &v, 8);
        }
    CHECK_OK(mm_close(a));
    size_t n;
    unsigned char *b = read_file(p2, &n);
    REQUIRE_EQ_U(n, 48);
    const double expect[6] = {0, 10, 1, 11, 2, 12}; /* (0,0) (1,0) (0,1) (1,1) (0,2) (1,2) */
    for (int k = 0; k < 6; k++) {
        double v;
        memcpy(&v, b + 8 * k, 8);
        CHECK_EQ_D(v, expect[k]);
    }
    free(b);

    /* 1-D F order is the same as C */
    size_t s1[1] = {12};
    REQUIRE_OK(mm_open(path, "u1", "r", 0, s1, 1, 'F', &a));
    CHECK_EQ_U(mm_flags(a), base_flags(0, 1, 1, 1, 1));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_zero_d(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "z.bin");
    double v = 2.5;
    unsigned char buf[16] = {0};
    memcpy(buf + 8, &v, 8);
    write_file(path, buf, 16);

    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<f8", "r", 8, S1, 0, 'C', &a));
    CHECK_EQ_U(mm_ndim(a), 0);
    CHECK_EQ_U(mm_size(a), 1);
    CHECK_EQ_U(mm_nbytes(a), 8);
    CHECK_EQ_U(mm_flags(a), base_flags(0, 1, 1, 1, 1));
    double got;
    memcpy(&got, mm_data(a), 8);
    CHECK_EQ_D(got, 2.5);
    CHECK_OK(mm_close(a));

    /* r+ 0-d past the end grows the file to offset + itemsize */
    REQUIRE_OK(mm_open(path, "<i4", "r+", 100, S1, 0, 'F', &a));
    CHECK_EQ_I(file_size(path), 104);
    *(int32_t *)mm_data(a) = 77;
    CHECK_OK(mm_close(a));
    size_t n;
    unsigned char *b = read_file(path, &n);
    int32_t i4;
    memcpy(&i4, b + 100, 4);
    CHECK_EQ_I(i4, 77);
    free(b);

    /* c on a file too short for the single element */
    CHECK_STATUS(mm_open(path, "<f8", "c", 100, S1, 0, 'C', &a), MM_E_FILE_TOO_SMALL);
    tmpdir_remove(dir);
}

static void test_dtypes(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "t.bin");
    write_pattern_file(path, 480);

    static const struct {
        const char *given, *canonical;
        size_t itemsize;
        int native;
    } types[] = {
        {"<f8", "<f8", 8, 1},       {"f8", "<f8", 8, 1},          {"float64", "<f8", 8, 1},
        {"f4", "<f4", 4, 1},        {">i4", ">i4", 4, 0},         {"<i4", "<i4", 4, 1},
        {"int16", "<i2", 2, 1},     {"u1", "|u1", 1, 1},          {"uint8", "|u1", 1, 1},
        {"i1", "|i1", 1, 1},        {"bool", "|b1", 1, 1},        {"complex128", "<c16", 16, 1},
        {">u8", ">u8", 8, 0},       {"S10", "|S10", 10, 1},       {"V16", "|V16", 16, 1},
        {"<M8[ns]", "<M8[ns]", 8, 1}, {"int64", "<i8", 8, 1},     {"<c8", "<c8", 8, 1},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        mm_array a = 0;
        mm_status s = mm_open(path, types[i].given, "r", 0, NULL, 0, 'C', &a);
        CHECK_STATUS(s, MM_OK);
        if (s != MM_OK) {
            fprintf(stderr, "  dtype \"%s\"\n", types[i].given);
            continue;
        }
        CHECK_EQ_S(mm_dtype(a), types[i].canonical);
        CHECK_EQ_U(mm_itemsize(a), types[i].itemsize);
        CHECK_EQ_U(mm_size(a), 480 / types[i].itemsize);
        CHECK_EQ_U(mm_nbytes(a), 480);
        CHECK_EQ_U(mm_flags(a) & MM_NATIVE_ORDER, types[i].native ? MM_NATIVE_ORDER : 0);
        CHECK_OK(mm_close(a));
    }
    tmpdir_remove(dir);
}

static void test_getters_shape_strides(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "g.bin");
    size_t shape[3] = {2, 3, 4};
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<i2", "w+", 5, shape, 3, 'C', &a));
    CHECK_EQ_U(mm_ndim(a), 3);
    const size_t *sh = mm_shape(a);
    const int64_t *st = mm_strides(a);
    REQUIRE(sh != NULL && st != NULL);
    CHECK_EQ_U(sh[0], 2);
    CHECK_EQ_U(sh[1], 3);
    CHECK_EQ_U(sh[2], 4);
    CHECK_EQ_I(st[0], 24);
    CHECK_EQ_I(st[1], 8);
    CHECK_EQ_I(st[2], 2);
    CHECK_EQ_U(mm_itemsize(a), 2);
    CHECK_EQ_U(mm_size(a), 24);
    CHECK_EQ_U(mm_nbytes(a), 48);
    CHECK_EQ_S(mm_dtype(a), "<i2");
    CHECK_EQ_S(mm_mode(a), "w+");
    CHECK_EQ_U(mm_offset(a), 5);
    CHECK_EQ_S(mm_filename(a), path);
    CHECK_EQ_U(mm_flags(a), base_flags(1, 1, 0, 0, 1));
    CHECK_EQ_I(file_size(path), 53);
    CHECK_OK(mm_close(a));

    /* shape given with ndim 1 */
    size_t one[1] = {53};
    REQUIRE_OK(mm_open(path, "u1", "r", 0, one, 1, 'C', &a));
    CHECK_EQ_U(mm_size(a), 53);
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_filename(void) {
    char dir[256], path[512], sub[512], messy[768], link[512], cwd[1024], rel[64];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "file.bin");
    path_join(sub, sizeof sub, dir, "sub");
    REQUIRE(mkdir(sub, 0755) == 0);
    write_pattern_file(path, 8);

    mm_array a = 0, v = 0;
    /* ".." and "." collapsed, duplicate slashes removed */
    snprintf(messy, sizeof messy, "%s//sub/./../file.bin", dir);
    REQUIRE_OK(mm_open(messy, NULL, "r", 0, NULL, 0, 'C', &a));
    CHECK_EQ_S(mm_filename(a), path);
    /* views inherit filename, mode, offset */
    size_t four[1] = {4};
    REQUIRE_OK(mm_view(a, NULL, 2, four, 1, NULL, &v));
    CHECK_EQ_S(mm_filename(v), path);
    CHECK_EQ_S(mm_mode(v), "r");
    CHECK_EQ_U(mm_offset(v), 0);
    CHECK_OK(mm_close(v));
    CHECK_OK(mm_close(a));

#ifndef _WIN32 /* symlink(): Windows symbolic links need a privilege a test cannot assume */
    /* a symlink is not resolved */
    path_join(link, sizeof link, sub, "link.bin");
    REQUIRE(symlink(path, link) == 0);
    REQUIRE_OK(mm_open(link, NULL, "r", 0, NULL, 0, 'C', &a));
    CHECK_EQ_S(mm_filename(a), link);
    CHECK_OK(mm_close(a));
#else
    (void)link;
#endif

    /* a relative path is made absolute against the current directory at open time */
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    REQUIRE(chdir(sub) == 0);
    snprintf(rel, sizeof rel, "../file.bin");
    mm_status s = mm_open(rel, NULL, "r", 0, NULL, 0, 'C', &a);
    REQUIRE(chdir(cwd) == 0);
    REQUIRE_STATUS(s, MM_OK);
    CHECK_EQ_S(mm_filename(a), path);
    /* the stored name stays valid and unchanged after the cwd changed */
    CHECK_EQ_S(mm_filename(a), path);
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_modes_and_aliases);
    RUN(test_null_defaults);
    RUN(test_offsets);
    RUN(test_f_order);
    RUN(test_zero_d);
    RUN(test_dtypes);
    RUN(test_getters_shape_strides);
    RUN(test_filename);
    return test_summary();
}
