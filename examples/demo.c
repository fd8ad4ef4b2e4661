/* mmarray demo: write a 2-D float64 file, read it back read-only, look at it through a
 * transposed view and a reversed slice, without copying anything.
 *
 *   cc -std=c11 -Iinclude demo.c -Ltarget/release -lmmarray -Wl,-rpath,target/release
 *   ./demo [FILE]          (default: a file in a fresh temporary directory)
 *
 * Exits 0 when every value matched, 1 otherwise. */
#define _GNU_SOURCE 1
#include "mmarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ROWS = 3, COLS = 4 };

static int failures;

/* Report a failed call with the library's message and stop. */
#define TRY(call)                                                                 \
    do {                                                                          \
        mm_status s_ = (call);                                                    \
        if (s_ != MM_OK) {                                                        \
            fprintf(stderr, "demo: %s failed: %s: %s\n", #call, mm_status_str(s_), \
                    mm_last_error_message());                                     \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

/* Element [i][j] of a 2-D float64 view, whatever its strides (may be unaligned). */
static double at(mm_array a, size_t i, size_t j) {
    const char *p = (const char *)mm_data(a);
    const int64_t *st = mm_strides(a);
    double v;
    memcpy(&v, p + (int64_t)i * st[0] + (int64_t)j * st[1], sizeof v);
    return v;
}

static double value(size_t i, size_t j) { return 10.0 * (double)i + (double)j + 0.5; }

static void expect(const char *what, double got, double want) {
    if (got != want) {
        fprintf(stderr, "demo: %s = %g, expected %g\n", what, got, want);
        failures++;
    }
}

int main(int argc, char **argv) {
    char tmpdir[] = "/tmp/mmarray-demo-XXXXXX";
    char path[512];
    int own_dir = argc < 2;
    if (own_dir) {
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(path, sizeof path, "%s/matrix.f8", tmpdir);
    } else {
        snprintf(path, sizeof path, "%s", argv[1]);
    }
    printf("mmarray %s, file %s\n", mm_version_string(), path);

    /* 1. create (w+), fill, flush, close */
    size_t shape[2] = {ROWS, COLS};
    mm_array a = 0;
    TRY(mm_open(path, "<f8", "w+", 0, shape, 2, 'C', &a));
    double *d = (double *)mm_data(a);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < COLS; j++) d[i * COLS + j] = value(i, j);
    TRY(mm_flush(a));
    TRY(mm_close(a));
    printf("wrote %dx%d float64 (%zu bytes), flushed and closed\n", ROWS, COLS,
           (size_t)ROWS * COLS * sizeof(double));

    /* 2. reopen read-only with the shape inferred from the file size, then reshape */
    mm_array flat = 0, m = 0;
    TRY(mm_open(path, "float64", "r", 0, NULL, 0, 'C', &flat));
    if (mm_size(flat) != ROWS * COLS || (mm_flags(flat) & MM_WRITEABLE)) {
        fprintf(stderr, "demo: reopened array has %zu elements, flags 0x%x\n", mm_size(flat),
                (unsigned)mm_flags(flat));
        failures++;
    }
    TRY(mm_view(flat, NULL, 0, shape, 2, NULL, &m));
    TRY(mm_close(flat)); /* views keep the mapping alive */
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < COLS; j++) expect("m[i][j]", at(m, i, j), value(i, j));
    printf("reopened read-only: shape (%zu, %zu), dtype %s, strides (%lld, %lld): %d values ok\n",
           mm_shape(m)[0], mm_shape(m)[1], mm_dtype(m), (long long)mm_strides(m)[0],
           (long long)mm_strides(m)[1], ROWS * COLS);

    /* 3. transpose: swap shape and strides */
    size_t tshape[2] = {COLS, ROWS};
    int64_t tstrides[2] = {mm_strides(m)[1], mm_strides(m)[0]};
    mm_array t = 0;
    TRY(mm_view(m, NULL, 0, tshape, 2, tstrides, &t));
    for (size_t j = 0; j < COLS; j++)
        for (size_t i = 0; i < ROWS; i++) expect("t[j][i]", at(t, j, i), value(i, j));
    printf("transposed view: shape (%zu, %zu), strides (%lld, %lld), F-contiguous %s: t[3][1] = %g\n",
           mm_shape(t)[0], mm_shape(t)[1], (long long)mm_strides(t)[0], (long long)mm_strides(t)[1],
           (mm_flags(t) & MM_F_CONTIGUOUS) ? "yes" : "no", at(t, 3, 1));

    /* 4. slice: columns in reverse order, every other one: m[:, ::-2] -> columns 3, 1 */
    mm_array s = 0;
    TRY(mm_slice(m, 1, INT64_MAX, INT64_MIN, -2, &s));
    if (mm_shape(s)[0] != ROWS || mm_shape(s)[1] != 2) {
        fprintf(stderr, "demo: slice shape (%zu, %zu), expected (3, 2)\n", mm_shape(s)[0],
                mm_shape(s)[1]);
        failures++;
    } else {
        for (size_t i = 0; i < ROWS; i++) {
            expect("s[i][0]", at(s, i, 0), value(i, 3));
            expect("s[i][1]", at(s, i, 1), value(i, 1));
        }
    }
    printf("slice m[:, ::-2]: shape (%zu, %zu), strides (%lld, %lld): row 2 = [%g, %g]\n",
           mm_shape(s)[0], mm_shape(s)[1], (long long)mm_strides(s)[0], (long long)mm_strides(s)[1],
           at(s, 2, 0), at(s, 2, 1));

    TRY(mm_close(s));
    TRY(mm_close(t));
    TRY(mm_close(m));
    if (own_dir) {
        unlink(path);
        rmdir(tmpdir);
    }
    if (failures) {
        printf("demo: %d value(s) wrong\n", failures);
        return 1;
    }
    printf("demo: all values checked, ok\n");
    return 0;
}
