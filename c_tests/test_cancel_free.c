/* mm_open's common case (a file by path in r, r+ or c) skips the cancellation deferral
 * of the other I/O calls, because its path reaches no thread cancellation point (raw
 * openat and close system calls, fstat, mmap...: see reaches_no_cancellation_point in
 * src/ffi/open.rs). This test holds it to that: each case runs in a thread with deferred
 * cancellation that first makes a cancel pending on itself, then calls the library and
 * records what it returned. Had any call reached a cancellation point, glibc's forced
 * unwind would have met the library's panic boundary and aborted the process; had a
 * deferral been lost, the thread would have ended inside the call. Each thread must
 * return from its calls with the exact expected values and end at its next
 * pthread_testcancel(), not before. The cases that keep the deferral (the process's
 * first handle, w+, MM_OPEN_PREALLOCATE, mm_open_npy, failures of those) are held to
 * the same.
 *
 * The worker threads print nothing and check nothing themselves (printf is a
 * cancellation point): they record, and the main thread checks after the join. */
#include "check.h"

#include <pthread.h>
#include <stdint.h>

static char g_dir[256], g_f8[512], g_small[512], g_odd[512], g_rec[512], g_npy[512],
    g_new[512], g_missing[512], g_nodir[512];

/* What a case's calls returned. */
typedef struct {
    int st[4];       /* statuses, in call order */
    uint64_t u[6];   /* ndim, shape, itemsize... as the case records them */
    double d[2];     /* element values */
    int os_error;    /* mm_last_os_error() of a failure */
    char msg[256];   /* mm_last_error_message() of a failure */
} result;

typedef struct {
    void (*body)(result *);
    result res;
    volatile int returned;    /* the calls returned (set before pthread_testcancel) */
    volatile int went_on;     /* the thread went on past pthread_testcancel (must not) */
} run;

static void *runner(void *p) {
    run *r = (run *)p;
    int old;
    pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old);
    pthread_cancel(pthread_self()); /* pending from here on */
    r->body(&r->res);
    r->returned = 1;
    pthread_testcancel();
    r->went_on = 1;
    return NULL;
}

/* Runs `body` in a cancelled thread; checks that it returned from its calls and ended
 * cancelled at its pthread_testcancel(). */
static void run_cancelled(void (*body)(result *), result *out) {
    static run r;
    memset(&r, 0, sizeof r);
    r.body = body;
    pthread_t t;
    REQUIRE_EQ_I(pthread_create(&t, NULL, runner, &r), 0);
    void *ret = NULL;
    REQUIRE_EQ_I(pthread_join(t, &ret), 0);
    CHECK(ret == PTHREAD_CANCELED);
    CHECK_EQ_I(r.returned, 1);
    CHECK_EQ_I(r.went_on, 0);
    *out = r.res;
}

static void record_error(result *r) {
    const char *m = mm_last_error_message();
    strncpy(r->msg, m ? m : "", sizeof r->msg - 1);
    r->os_error = mm_last_os_error();
}

/* ---- bodies (run in the cancelled thread: library calls and memory only) ---------- */

/* mm_open(path, "<f8", mode, inferred shape) + mm_close, recording ndim, shape, two
 * elements. */
static void open_inferred(result *r, const char *path, const char *mode) {
    mm_array a = 0;
    r->st[0] = mm_open(path, "<f8", mode, 0, NULL, 0, 'C', &a);
    if (r->st[0] != MM_OK) return;
    r->u[0] = mm_ndim(a);
    r->u[1] = mm_shape(a)[0];
    r->u[2] = mm_itemsize(a);
    const double *d = (const double *)mm_data(a);
    r->d[0] = d[0];
    r->d[1] = d[r->u[1] - 1];
    r->st[1] = mm_close(a);
}

static void body_r(result *r) { open_inferred(r, g_f8, "r"); }
static void body_c(result *r) {
    mm_array a = 0;
    size_t shape[1] = {16};
    r->st[0] = mm_open(g_f8, "<f8", "c", 0, shape, 1, 'C', &a);
    if (r->st[0] != MM_OK) return;
    double *d = (double *)mm_data(a);
    d[3] = -1.0; /* private copy: the file keeps 3.0 */
    r->d[0] = d[3];
    r->u[0] = mm_nbytes(a);
    r->st[1] = mm_close(a);
}
static void body_r_plus_extends(result *r) {
    mm_array a = 0;
    size_t shape[2] = {4, 8};
    r->st[0] = mm_open(g_small, "<f8", "r+", 0, shape, 2, 'C', &a); /* 64 -> 256 bytes */
    if (r->st[0] != MM_OK) return;
    double *d = (double *)mm_data(a);
    r->d[0] = d[7];
    d[31] = 31.0;
    r->u[0] = mm_shape(a)[0];
    r->u[1] = mm_shape(a)[1];
    r->st[1] = mm_close(a);
}
static void body_ex_populate(result *r) {
    mm_array a = 0;
    size_t shape[1] = {64};
    r->st[0] = mm_open_ex(g_small, "<f8", NULL /* r+ */, 0, shape, 1, 'C', MM_OPEN_POPULATE, &a);
    if (r->st[0] != MM_OK) return;
    r->d[0] = ((double *)mm_data(a))[31];
    r->d[1] = ((double *)mm_data(a))[63];
    r->st[1] = mm_close(a);
}
static void body_relative(result *r) { open_inferred(r, "data.f8", "readonly"); }
static void body_record(result *r) {
    mm_array a = 0;
    r->st[0] = mm_open(g_rec, "[('a', '<i4'), ('b', '<f4')]", "r", 0, NULL, 0, 'C', &a);
    if (r->st[0] != MM_OK) return;
    r->u[0] = mm_shape(a)[0];
    r->u[1] = mm_itemsize(a);
    r->u[2] = (uint64_t)((const int32_t *)mm_data(a))[2]; /* field a of element 1 */
    r->st[1] = mm_close(a);
}
static void body_failures(result *r) {
    mm_array a = 0;
    size_t big[1] = {100};
    r->st[0] = mm_open(g_missing, "<f8", "r", 0, NULL, 0, 'C', &a);
    record_error(r);
    r->u[0] = a;
    r->st[1] = mm_open(g_dir, "<f8", "c", 0, NULL, 0, 'C', &a); /* a directory */
    r->u[1] = (uint64_t)mm_last_os_error();
    r->st[2] = mm_open(g_small, "<f8", "r", 0, big, 1, 'C', &a); /* too small */
    r->st[3] = mm_open(g_odd, "<f8", "r", 0, NULL, 0, 'C', &a);  /* 12 bytes */
    r->u[2] = a;
}
/* These keep the deferral. */
static void body_npy(result *r) {
    mm_array a = 0;
    r->st[0] = mm_open_npy(g_npy, "r", &a);
    if (r->st[0] != MM_OK) return;
    r->u[0] = mm_shape(a)[0];
    r->d[0] = ((const double *)mm_data(a))[2];
    r->st[1] = mm_close(a);
}
static void body_deferred_failures(result *r) {
    mm_array a = 0;
    r->st[0] = mm_open_npy(g_missing, "r", &a);
    r->st[1] = mm_open_ex(g_missing, "<f8", "r", 0, NULL, 0, 'C', MM_OPEN_PREALLOCATE, &a);
    size_t shape[1] = {4};
    r->st[2] = mm_open(g_nodir, "<f8", "w+", 0, shape, 1, 'C', &a);
    record_error(r);
    r->u[0] = a;
}
static void body_w_plus(result *r) {
    mm_array a = 0;
    size_t shape[1] = {10};
    r->st[0] = mm_open(g_new, "<i2", "w+", 0, shape, 1, 'C', &a);
    if (r->st[0] != MM_OK) return;
    ((int16_t *)mm_data(a))[9] = 9;
    r->st[1] = mm_close(a);
}

/* ---- cases (main thread: files, checks) -------------------------------------------- */

static void write_doubles(const char *path, size_t n) {
    double *v = (double *)malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (double)i;
    write_file(path, v, n * sizeof *v);
    free(v);
}

/* The process's first handle (setup: the registry's random generation, under
 * deferral), then the same open again on the cancel-free path. Must run first. */
static void first_handle_then_cancel_free_r(void) {
    tmpdir_make(g_dir, sizeof g_dir);
    path_join(g_f8, sizeof g_f8, g_dir, "data.f8");
    path_join(g_small, sizeof g_small, g_dir, "small.f8");
    path_join(g_odd, sizeof g_odd, g_dir, "odd.f8");
    path_join(g_rec, sizeof g_rec, g_dir, "rec.bin");
    path_join(g_npy, sizeof g_npy, g_dir, "a.npy");
    path_join(g_new, sizeof g_new, g_dir, "new.i2");
    path_join(g_missing, sizeof g_missing, g_dir, "missing.f8");
    path_join(g_nodir, sizeof g_nodir, g_dir, "nodir/x.f8");
    write_doubles(g_f8, 16);
    write_doubles(g_small, 8);
    write_file(g_odd, "0123456789ab", 12);
    int32_t rec[6] = {10, 0, 11, 0, 12, 0};
    write_file(g_rec, rec, sizeof rec);
    for (int round = 0; round < 2; round++) {
        result r;
        run_cancelled(body_r, &r);
        CHECK_EQ_I(r.st[0], MM_OK);
        CHECK_EQ_I(r.st[1], MM_OK);
        CHECK_EQ_U(r.u[0], 1);
        CHECK_EQ_U(r.u[1], 16);
        CHECK_EQ_U(r.u[2], 8);
        CHECK_EQ_D(r.d[0], 0.0);
        CHECK_EQ_D(r.d[1], 15.0);
    }
    CHECK_EQ_U(mm_handle_count(), 0);
}

static void cancel_free_c_r_plus_ex_relative_record(void) {
    result r;
    run_cancelled(body_c, &r);
    CHECK_EQ_I(r.st[0], MM_OK);
    CHECK_EQ_I(r.st[1], MM_OK);
    CHECK_EQ_D(r.d[0], -1.0);
    CHECK_EQ_U(r.u[0], 128);
    size_t n = 0;
    unsigned char *bytes = read_file(g_f8, &n);
    CHECK_EQ_U(n, 128);
    double third;
    memcpy(&third, bytes + 3 * sizeof(double), sizeof third);
    CHECK_EQ_D(third, 3.0);
    free(bytes);

    run_cancelled(body_r_plus_extends, &r);
    CHECK_EQ_I(r.st[0], MM_OK);
    CHECK_EQ_I(r.st[1], MM_OK);
    CHECK_EQ_D(r.d[0], 7.0);
    CHECK_EQ_U(r.u[0], 4);
    CHECK_EQ_U(r.u[1], 8);
    CHECK_EQ_I(file_size(g_small), 256);

    run_cancelled(body_ex_populate, &r); /* r+ (NULL mode) extends 256 -> 512, prefaults */
    CHECK_EQ_I(r.st[0], MM_OK);
    CHECK_EQ_I(r.st[1], MM_OK);
    CHECK_EQ_D(r.d[0], 31.0);
    CHECK_EQ_D(r.d[1], 0.0);
    CHECK_EQ_I(file_size(g_small), 512);

    char cwd[1024];
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    REQUIRE_EQ_I(chdir(g_dir), 0);
    run_cancelled(body_relative, &r);
    REQUIRE_EQ_I(chdir(cwd), 0);
    CHECK_EQ_I(r.st[0], MM_OK);
    CHECK_EQ_I(r.st[1], MM_OK);
    CHECK_EQ_U(r.u[1], 16);
    CHECK_EQ_D(r.d[1], 15.0);

    /* a record dtype, parsed for the first time in a new thread */
    run_cancelled(body_record, &r);
    CHECK_EQ_I(r.st[0], MM_OK);
    CHECK_EQ_I(r.st[1], MM_OK);
    CHECK_EQ_U(r.u[0], 3);
    CHECK_EQ_U(r.u[1], 8);
    CHECK_EQ_U(r.u[2], 11);
    CHECK_EQ_U(mm_handle_count(), 0);
}

static void cancel_free_failures(void) {
    result r;
    memset(&r, 0, sizeof r);
    run_cancelled(body_failures, &r);
    CHECK_EQ_I(r.st[0], MM_E_NOT_FOUND);
    CHECK_EQ_I(r.os_error, ENOENT);
    CHECK(strstr(r.msg, "mm_open(\"") == r.msg);
    CHECK(strstr(r.msg, "missing.f8\"): cannot open the file: ") != NULL);
    CHECK_EQ_U(r.u[0], 0);
    CHECK_EQ_I(r.st[1], MM_E_IO);
    CHECK_EQ_U(r.u[1], EISDIR);
    CHECK_EQ_I(r.st[2], MM_E_FILE_TOO_SMALL);
    CHECK_EQ_I(r.st[3], MM_E_SIZE_MISMATCH);
    CHECK_EQ_U(r.u[2], 0);
    CHECK_EQ_U(mm_handle_count(), 0);
}

static void deferred_npy_w_plus_and_failures(void) {
    size_t shape[1] = {5};
    mm_array a = 0;
    REQUIRE_OK(mm_create_npy(g_npy, "<f8", shape, 1, 'C', &a));
    ((double *)mm_data(a))[2] = 2.5;
    REQUIRE_OK(mm_close(a));
    result r;
    run_cancelled(body_npy, &r);
    CHECK_EQ_I(r.st[0], MM_OK);
    CHECK_EQ_I(r.st[1], MM_OK);
    CHECK_EQ_U(r.u[0], 5);
    CHECK_EQ_D(r.d[0], 2.5);

    run_cancelled(body_w_plus, &r);
    CHECK_EQ_I(r.st[0], MM_OK);
    CHECK_EQ_I(r.st[1], MM_OK);
    CHECK_EQ_I(file_size(g_new), 20);

    memset(&r, 0, sizeof r);
    run_cancelled(body_deferred_failures, &r);
    CHECK_EQ_I(r.st[0], MM_E_NOT_FOUND);
    CHECK_EQ_I(r.st[1], MM_E_NOT_FOUND);
    CHECK_EQ_I(r.st[2], MM_E_NOT_FOUND);
    CHECK_EQ_I(r.os_error, ENOENT);
    CHECK(strstr(r.msg, "nodir/x.f8\"): cannot create the file: ") != NULL);
    CHECK_EQ_U(r.u[0], 0);
    CHECK(!file_exists(g_missing));
    CHECK_EQ_U(mm_handle_count(), 0);
    tmpdir_remove(g_dir);
}

int main(void) {
    RUN(first_handle_then_cancel_free_r); /* first: the process's first handle */
    RUN(cancel_free_c_r_plus_ex_relative_record);
    RUN(cancel_free_failures);
    RUN(deferred_npy_w_plus_and_failures);
    return test_summary();
}
