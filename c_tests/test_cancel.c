/* pthread_cancel of a thread that is inside the library: the process must not abort
 * (glibc's forced unwind must never meet the library's panic boundary). Calls that can
 * block in a cancellation point defer cancellation for their length; the cancellation
 * then takes effect at the caller's next cancellation point (pthread_testcancel here). */
#include "check.h"

#include <pthread.h>
#include <time.h>

static char g_dir[256], g_raw[512], g_npy[512];
static volatile int g_iterations;

static void *worker(void *unused) {
    (void)unused;
    size_t shape[1] = {4096};
    for (;;) {
        mm_array a = 0, n = 0;
        if (mm_open(g_raw, "<f8", "r+", 0, shape, 1, 'C', &a) == MM_OK) {
            ((double *)mm_data(a))[g_iterations % 4096] = g_iterations;
            mm_flush(a);
            mm_save_npy(a, g_npy);
            mm_close(a);
        }
        if (mm_open_npy(g_npy, "r", &n) == MM_OK) mm_close(n);
        g_iterations++;
        pthread_testcancel();
    }
    return NULL;
}

static void cancel_inside_calls(void) {
    tmpdir_make(g_dir, sizeof g_dir);
    path_join(g_raw, sizeof g_raw, g_dir, "data.f8");
    path_join(g_npy, sizeof g_npy, g_dir, "data.npy");
    size_t shape[1] = {4096};
    mm_array a = 0;
    REQUIRE_OK(mm_open(g_raw, "<f8", "w+", 0, shape, 1, 'C', &a));
    REQUIRE_OK(mm_close(a));
    /* 40 cancellations at varied moments: most land inside open, msync, the save's
     * writes and fsyncs, or the npy open. */
    for (int round = 0; round < 40; round++) {
        pthread_t t;
        REQUIRE_EQ_I(pthread_create(&t, NULL, worker, NULL), 0);
        struct timespec pause = {0, 1000000L * (1 + round % 7)};
        nanosleep(&pause, NULL);
        REQUIRE_EQ_I(pthread_cancel(t), 0);
        void *result = NULL;
        REQUIRE_EQ_I(pthread_join(t, &result), 0);
        CHECK(result == PTHREAD_CANCELED);
    }
    CHECK(g_iterations > 0);
    /* every call returned before the thread ended: nothing is left open */
    CHECK_EQ_U(mm_handle_count(), 0);
    tmpdir_remove(g_dir);
}

int main(void) {
    RUN(cancel_inside_calls);
    return test_summary();
}
