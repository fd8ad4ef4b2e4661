/* .npz archives from C: mm_save_npz (stored and deflated) -> mm_npz_names -> mm_open_npz,
 * exact offsets and values, the snprintf-like names buffer, modes, NULLs and errors, and
 * an archive whose directory CRC was changed (MM_E_FORMAT for the deflated member). The
 * numpy side of the same calls is tests/oracle/test_npz.py. */
#include "check.h"

/* Element i of a float64 array at any alignment. */
static double f8_at(const void *base, size_t i) {
    double v;
    memcpy(&v, (const unsigned char *)base + i * sizeof v, sizeof v);
    return v;
}

/* A .npy-backed array of n float64 values 0.5, 1.5, ... */
static mm_array make_source(const char *dir, size_t n) {
    char path[512];
    path_join(path, sizeof path, dir, "src.npy");
    size_t shape[1] = {n};
    mm_array a = 0;
    REQUIRE_OK(mm_create_npy(path, "<f8", shape, 1, 'C', &a));
    double *x = mm_data(a);
    for (size_t i = 0; i < n; i++) x[i] = (double)i + 0.5;
    return a;
}

static void test_round_trip(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    mm_array src = make_source(dir, 100), rev = 0;
    REQUIRE_OK(mm_slice(src, 0, INT64_MAX, INT64_MIN, -1, &rev));
    const char *names[2] = {"x", "d\xc3\xa9j\xc3\xa0/rev"}; /* "déjà/rev" */
    mm_array arrays[2] = {src, rev};
    for (int compress = 0; compress < 2; compress++) {
        path_join(path, sizeof path, dir, compress ? "c.npz" : "s.npz");
        REQUIRE_OK(mm_save_npz(path, 2, names, arrays, compress));

        size_t needed = 0, count = 0;
        REQUIRE_OK(mm_npz_names(path, NULL, 0, &needed, &count));
        CHECK_EQ_U(needed, 2 + 11 + 1);
        CHECK_EQ_U(count, 2);
        char buf[32];
        memset(buf, 'z', sizeof buf);
        REQUIRE_OK(mm_npz_names(path, buf, sizeof buf, &needed, NULL));
        CHECK(memcmp(buf, "x\0d\xc3\xa9j\xc3\xa0/rev\0\0", 14) == 0);
        memset(buf, 'z', sizeof buf);
        REQUIRE_OK(mm_npz_names(path, buf, 5, &needed, &count)); /* only "x" fits */
        CHECK(memcmp(buf, "x\0\0zz", 5) == 0);
        CHECK_EQ_U(needed, 14);

        mm_array a = 0, b = 0;
        REQUIRE_OK(mm_open_npz(path, "x", "r", &a));
        REQUIRE_OK(mm_open_npz(path, "d\xc3\xa9j\xc3\xa0/rev.npy", "c", &b));
        CHECK_EQ_S(mm_dtype(a), "<f8");
        CHECK_EQ_U(mm_size(a), 100);
        CHECK_EQ_S(mm_mode(a), "r");
        CHECK_EQ_S(mm_mode(b), "c");
        CHECK_EQ_U(mm_flags(a) & MM_WRITEABLE, 0);
        CHECK(mm_flags(b) & MM_WRITEABLE);
        /* local header 30 + "x.npy" 5 + zip64 extra 20, then the 128-byte .npy header */
        CHECK_EQ_U(mm_offset(a), compress ? 0 : 183);
        /* A stored member's data sits at byte 183 of the archive: not aligned for a
         * double, so its elements are copied out (a double* load would be UB). */
        const unsigned char *x = mm_data(a);
        unsigned char *y = mm_data(b);
        CHECK_EQ_D(f8_at(x, 0), 0.5);
        CHECK_EQ_D(f8_at(x, 99), 99.5);
        CHECK_EQ_D(f8_at(y, 0), 99.5);
        CHECK_EQ_D(f8_at(y, 99), 0.5);
        double minus_one = -1.0;
        memcpy(y, &minus_one, sizeof minus_one); /* private: never written back */
        CHECK_OK(mm_close(b));
        REQUIRE_OK(mm_open_npz(path, "d\xc3\xa9j\xc3\xa0/rev", NULL, &b));
        CHECK_EQ_D(f8_at(mm_data(b), 0), 99.5);
        CHECK_OK(mm_close(b));
        CHECK_OK(mm_close(a));
        /* "déjà/rev.npy" is 14 bytes: local header 64, directory entry 60 */
        if (!compress) CHECK_EQ_I(file_size(path), 55 + 128 + 800 + 64 + 128 + 800 + 51 + 60 + 22);
    }
    CHECK_OK(mm_close(rev));
    CHECK_OK(mm_close(src));
    tmpdir_remove(dir);
}

static void test_errors_and_nulls(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    mm_array src = make_source(dir, 4);
    path_join(path, sizeof path, dir, "e.npz");
    const char *names[2] = {"a", "a"};
    mm_array arrays[2] = {src, src};
    CHECK_STATUS(mm_save_npz(NULL, 1, names, arrays, 0), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_save_npz(path, 1, NULL, arrays, 0), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_save_npz(path, 1, names, NULL, 0), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_save_npz(path, 2, names, arrays, 0), MM_E_INVALID_ARG);
    CHECK_MSG_HAS("twice");
    const char *nulls[1] = {NULL};
    CHECK_STATUS(mm_save_npz(path, 1, nulls, arrays, 0), MM_E_INVALID_ARG);
    mm_array bad[1] = {0};
    CHECK_STATUS(mm_save_npz(path, 1, names, bad, 0), MM_E_BAD_HANDLE);
    CHECK(!file_exists(path));
    REQUIRE_OK(mm_save_npz(path, 1, names, arrays, 1));

    size_t needed = 7, count = 7;
    CHECK_STATUS(mm_npz_names(NULL, NULL, 0, &needed, &count), MM_E_INVALID_ARG);
    CHECK_EQ_U(needed, 0);
    CHECK_STATUS(mm_npz_names(path, NULL, 0, NULL, &count), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_npz_names(path, NULL, 8, &needed, &count), MM_E_INVALID_ARG);

    mm_array out = 5;
    CHECK_STATUS(mm_open_npz(NULL, "a", "r", &out), MM_E_INVALID_ARG);
    CHECK_EQ_U(out, 0);
    CHECK_STATUS(mm_open_npz(path, NULL, "r", &out), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_open_npz(path, "a", "r", NULL), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_open_npz(path, "a", "r+", &out), MM_E_UNSUPPORTED);
    CHECK_MSG_HAS("CRC");
    CHECK_STATUS(mm_open_npz(path, "a", "w+", &out), MM_E_UNSUPPORTED);
    CHECK_STATUS(mm_open_npz(path, "b", "r", &out), MM_E_NOT_FOUND);
    CHECK_EQ_U(out, 0);

    /* Change the CRC in the central directory: the deflated member is refused. */
    size_t n = 0;
    unsigned char *data = read_file(path, &n);
    REQUIRE(data != NULL && n > 22);
    size_t cd = (size_t)data[n - 6] | (size_t)data[n - 5] << 8 | (size_t)data[n - 4] << 16;
    REQUIRE(memcmp(data + cd, "PK\x01\x02", 4) == 0);
    data[cd + 16] ^= 0xff;
    write_file(path, data, n);
    free(data);
    CHECK_STATUS(mm_open_npz(path, "a", "r", &out), MM_E_FORMAT);
    CHECK_MSG_HAS("CRC-32");
    CHECK_EQ_U(out, 0);
    CHECK_OK(mm_close(src));
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_round_trip);
    RUN(test_errors_and_nulls);
    return test_summary();
}
