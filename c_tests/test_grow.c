/* Growing .npy files from C (issue 11): mm_npy_append from 4 threads each through its
 * own handle (every row exactly once, the header counts them all), a Fortran-order slab
 * append, mm_npy_grow with the new rows filled through mm_data, mm_npy_recover of a
 * file with a partial row, and error rows with the file unchanged. */
#include "check.h"

#include <pthread.h>

#define THREADS 4
#define APPENDS 500
#define WIDTH 8

static const char *g_path;

static void *appender(void *arg) {
    long t = (long)(intptr_t)arg;
    mm_array a = 0;
    CHECK_OK(mm_open_npy(g_path, "r+", &a));
    for (long s = 0; s < APPENDS; s++) {
        int64_t row[WIDTH];
        row[0] = t;
        row[1] = s;
        for (int j = 2; j < WIDTH; j++) row[j] = t * 100000 + s;
        CHECK_OK(mm_npy_append(a, row, 1, NULL));
    }
    CHECK_OK(mm_close(a));
    return NULL;
}

static void test_threads_append_each_row_once(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "log.npy");
    const size_t shape[2] = {0, WIDTH};
    mm_array a = 0, all = 0;
    REQUIRE_OK(mm_create_npy(path, "<i8", shape, 2, 'C', &a));
    g_path = path;
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++) REQUIRE(pthread_create(&th[t], NULL, appender, (void *)(intptr_t)t) == 0);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    /* a kept its shape; 0 rows with out maps the whole current array. */
    CHECK_EQ_U(mm_shape(a)[0], 0);
    REQUIRE_OK(mm_npy_append(a, NULL, 0, &all));
    REQUIRE_EQ_U(mm_shape(all)[0], THREADS * APPENDS);
    CHECK_EQ_I(file_size(path), 128 + THREADS * APPENDS * WIDTH * 8);
    static unsigned char seen[THREADS][APPENDS];
    memset(seen, 0, sizeof seen);
    long next[THREADS] = {0};
    const int64_t *x = mm_data(all);
    for (size_t i = 0; i < THREADS * APPENDS; i++) {
        const int64_t *r = x + i * WIDTH;
        REQUIRE(r[0] >= 0 && r[0] < THREADS && r[1] >= 0 && r[1] < APPENDS);
        CHECK(!seen[r[0]][r[1]]);
        seen[r[0]][r[1]] = 1;
        CHECK_EQ_I(r[1], next[r[0]]); /* each thread's rows in its order */
        next[r[0]] = r[1] + 1;
        for (int j = 2; j < WIDTH; j++) CHECK_EQ_I(r[j], r[0] * 100000 + r[1]);
    }
    size_t len = 0;
    CHECK_OK(mm_npy_recover(path, &len));
    CHECK_EQ_U(len, THREADS * APPENDS);
    CHECK_OK(mm_close(all));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_fortran_slab_and_grow(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "f.npy");
    /* A (2, 3) Fortran-order array grows along its last axis: a slab is 2 values. */
    const size_t shape[2] = {2, 3};
    mm_array a = 0, g = 0, b = 0;
    REQUIRE_OK(mm_create_npy(path, "<i2", shape, 2, 'F', &a));
    int16_t slab[4] = {7, 8, 9, 10}; /* columns 3 and 4 */
    REQUIRE_OK(mm_npy_append(a, slab, 2, &g));
    CHECK_EQ_U(mm_shape(g)[0], 2);
    CHECK_EQ_U(mm_shape(g)[1], 5);
    const int16_t *x = mm_data(g);
    CHECK_EQ_I(x[6], 7);
    CHECK_EQ_I(x[9], 10);
    /* Grow to 7 columns and fill them through mm_data. */
    REQUIRE_OK(mm_npy_grow(a, 7, &b));
    CHECK_EQ_U(mm_shape(b)[1], 7);
    int16_t *y = mm_data(b);
    CHECK_EQ_I(y[10], 0);
    y[10] = 11;
    y[13] = 14;
    CHECK_OK(mm_flush(b));
    /* Shrinking is refused and changes nothing. */
    file_snap s = snap_take(path);
    mm_array none = 1;
    CHECK_STATUS(mm_npy_grow(a, 6, &none), MM_E_INVALID_ARG);
    CHECK_EQ_U(none, 0);
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);
    CHECK_EQ_I(file_size(path), 128 + 2 * 7 * 2);
    CHECK_OK(mm_close(b));
    CHECK_OK(mm_close(g));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_errors_and_recover(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "e.npy");
    const size_t shape[1] = {4};
    mm_array a = 0, v = 0, r = 0;
    REQUIRE_OK(mm_create_npy(path, "<u4", shape, 1, 'C', &a));
    uint32_t one = 5;
    file_snap s = snap_take(path);
    REQUIRE_OK(mm_open_npy(path, "r", &r));
    CHECK_STATUS(mm_npy_append(r, &one, 1, NULL), MM_E_READ_ONLY);
    REQUIRE_OK(mm_slice(a, 0, 1, 3, 1, &v));
    CHECK_STATUS(mm_npy_append(v, &one, 1, NULL), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_npy_append(a, NULL, 1, NULL), MM_E_INVALID_ARG);
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);
    /* A crashed append: one whole row and half of another after the data. */
    unsigned char tail[6] = {9, 0, 0, 0, 1, 2};
    FILE *f = fopen(path, "ab");
    REQUIRE(f != NULL);
    fwrite(tail, 1, sizeof tail, f);
    fclose(f);
    size_t len = 0;
#ifdef _WIN32
    /* Windows cannot shorten a mapped file (docs/c-api.md#platforms): with views of it
       open, recover is refused and changes nothing; with them closed, it recovers. */
    s = snap_take(path);
    len = 77;
    CHECK_STATUS(mm_npy_recover(path, &len), MM_E_IO);
    CHECK_EQ_U(len, 0);
    CHECK_EQ_I(mm_last_os_error(), EBUSY);
    CHECK_MSG_HAS("close every view of it");
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);
    CHECK_OK(mm_close(v));
    CHECK_OK(mm_close(r));
    CHECK_OK(mm_close(a));
#endif
    CHECK_OK(mm_npy_recover(path, &len));
    CHECK_EQ_U(len, 5);
    CHECK_EQ_I(file_size(path), 128 + 5 * 4);
#ifndef _WIN32
    /* POSIX: the partial row went while three views mapped the file. */
    CHECK_OK(mm_close(v));
    CHECK_OK(mm_close(r));
    CHECK_OK(mm_close(a));
#endif
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_threads_append_each_row_once);
    RUN(test_fortran_slab_and_grow);
    RUN(test_errors_and_recover);
    return test_summary();
}
