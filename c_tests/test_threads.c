/* Several threads opening, viewing, slicing and closing at once; per-thread last error;
 * closing a handle another thread is using. */
#include "check.h"

#include <pthread.h>
#include <sched.h>

enum { NTHREADS = 4, ITERS = 60, SHARED_LEN = 4096 * 3 + 11 };

static char g_dir[256];
static char g_shared[512];
static mm_array g_base;                 /* one mapping shared by every thread */
static pthread_barrier_t g_barrier;

typedef struct {
    int id;
} worker_arg;

static void *worker(void *p) {
    const worker_arg *w = (const worker_arg *)p;
    char own[512], missing[512];
    snprintf(own, sizeof own, "%s/own-%d.bin", g_dir, w->id);
    snprintf(missing, sizeof missing, "%s/missing-%d.bin", g_dir, w->id);

    for (int it = 0; it < ITERS; it++) {
        /* the shared file, read-only, at a per-thread offset */
        uint64_t off = (uint64_t)(w->id * 1000 + it);
        mm_array r = 0;
        REQUIRE_OK(mm_open(g_shared, "u1", "r", off, NULL, 0, 'C', &r));
        CHECK_EQ_U(mm_size(r), SHARED_LEN - off);
        CHECK_EQ_U(((const unsigned char *)mm_data(r))[0], pattern_byte(off));

        /* an own file, written through a reversed slice */
        size_t shape[2] = {8, 16};
        mm_array a = 0, s = 0, v = 0;
        REQUIRE_OK(mm_open(own, "<i4", "w+", (uint64_t)it, shape, 2, it % 2 ? 'F' : 'C', &a));
        REQUIRE_OK(mm_slice(a, 1, INT64_MAX, INT64_MIN, -1, &s));
        /* element (0, 15); the offset `it` may be odd, so the element may be unaligned:
         * memcpy, not an int32_t store (UB, caught by UBSan) */
        int32_t value = w->id * 100000 + it, back = 0;
        memcpy(mm_data(s), &value, sizeof value);
        size_t one[1] = {1};
        REQUIRE_OK(mm_view(a, NULL, 15 * mm_strides(a)[1], one, 1, NULL, &v));
        memcpy(&back, mm_data(v), sizeof back);
        CHECK_EQ_I(back, w->id * 100000 + it);

        /* views of the shared mapping, made and closed concurrently with other threads */
        mm_array sv = 0;
        size_t n[1] = {64};
        REQUIRE_OK(mm_view(g_base, NULL, (int64_t)(w->id * 64), n, 1, NULL, &sv));
        CHECK_EQ_U(((const unsigned char *)mm_data(sv))[1], pattern_byte((size_t)w->id * 64 + 1));

        /* close in an order that depends on the iteration */
        mm_array hs[5] = {r, a, s, v, sv};
        for (int k = 0; k < 5; k++) CHECK_OK(mm_close(hs[(k + it) % 5]));

        /* own error, own message */
        mm_array x = 777;
        CHECK_STATUS(mm_open(missing, "u1", "r", 0, NULL, 0, 'C', &x), MM_E_NOT_FOUND);
        CHECK_EQ_U(x, 0);
        CHECK_MSG_HAS(missing);
        CHECK_EQ_I(mm_last_os_error(), ENOENT);
    }

    /* every thread fails differently, then, after all have failed, checks its own slot */
    mm_array x;
    if (w->id % 2 == 0) {
        CHECK_STATUS(mm_open(missing, "u1", "r", 0, NULL, 0, 'C', &x), MM_E_NOT_FOUND);
    } else {
        CHECK_STATUS(mm_open(g_shared, "u1", "r", 0, NULL, 0, 'Y', &x), MM_E_INVALID_ARG);
    }
    pthread_barrier_wait(&g_barrier);
    if (w->id % 2 == 0) {
        CHECK_MSG_HAS(missing);
        CHECK_EQ_I(mm_last_os_error(), ENOENT);
    } else {
        CHECK_MSG_HAS("mm_open");
        CHECK(strstr(mm_last_error_message(), "missing-") == NULL);
        CHECK_EQ_I(mm_last_os_error(), 0);
    }
    return NULL;
}

static void test_concurrent_open_view_close(void) {
    tmpdir_make(g_dir, sizeof g_dir);
    path_join(g_shared, sizeof g_shared, g_dir, "shared.bin");
    write_pattern_file(g_shared, SHARED_LEN);
    size_t before = mm_handle_count();
    REQUIRE_OK(mm_open(g_shared, "u1", "r", 0, NULL, 0, 'C', &g_base));
    REQUIRE(pthread_barrier_init(&g_barrier, NULL, NTHREADS) == 0);
    pthread_t t[NTHREADS];
    worker_arg args[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        args[i].id = i;
        REQUIRE(pthread_create(&t[i], NULL, worker, &args[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&g_barrier);
    CHECK_OK(mm_close(g_base));
    CHECK_EQ_U(mm_handle_count(), before);
    tmpdir_remove(g_dir);
}

/* ---- closing a handle while another thread uses it ------------------------------------ */

typedef struct {
    mm_array view;
    const unsigned char *ptr;
    int saw_bad_handle;
    long calls;
} user_arg;

static void *user(void *p) {
    user_arg *u = (user_arg *)p;
    for (;;) {
        const unsigned char *d = (const unsigned char *)mm_data(u->view);
        u->calls++;
        if (d == NULL) {
            u->saw_bad_handle = mm_last_os_error() == 0 &&
                                strstr(mm_last_error_message(), "mm_data") != NULL;
            break;
        }
        CHECK(d == u->ptr);
        CHECK_EQ_U(d[7], pattern_byte(7 + 100));
        CHECK_EQ_U(mm_size(u->view) == 0 ? 16 : mm_size(u->view), 16);
        sched_yield();
    }
    /* the pointer obtained before the close stays valid: the base is still open */
    CHECK_EQ_U(u->ptr[15], pattern_byte(115));
    mm_array again = 0;
    CHECK_STATUS(mm_view(u->view, NULL, 0, NULL, 0, NULL, &again), MM_E_BAD_HANDLE);
    return NULL;
}

static void test_close_while_in_use(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "busy.bin");
    write_pattern_file(path, 4096);
    mm_array base = 0;
    REQUIRE_OK(mm_open(path, "u1", "r", 0, NULL, 0, 'C', &base));
    user_arg u[NTHREADS];
    pthread_t t[NTHREADS];
    size_t n16[1] = {16};
    for (int i = 0; i < NTHREADS; i++) {
        u[i].saw_bad_handle = 0;
        u[i].calls = 0;
        REQUIRE_OK(mm_view(base, NULL, 100, n16, 1, NULL, &u[i].view));
        u[i].ptr = (const unsigned char *)mm_data(u[i].view);
        REQUIRE(pthread_create(&t[i], NULL, user, &u[i]) == 0);
    }
    usleep(20000);
    for (int i = 0; i < NTHREADS; i++) CHECK_OK(mm_close(u[i].view));
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK(u[i].saw_bad_handle);
        CHECK(u[i].calls > 0);
    }
    CHECK_OK(mm_close(base));
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_concurrent_open_view_close);
    RUN(test_close_while_in_use);
    return test_summary();
}
