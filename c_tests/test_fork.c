/* fork() while other threads are inside the library: the child can use it. Before the
 * fix a child could inherit the registry's free-list lock held by a thread that does not
 * exist in the child, and wait for it forever in mm_open (about 1 child in 300). Each
 * child arms alarm(10), so a hang is a child killed by SIGALRM, never a stuck test. */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

enum { NTHREADS = 2, NFORKS = 1000 };

static char g_dir[256], g_file[512];
static volatile int g_stop;

static void *churn(void *unused) {
    (void)unused;
    while (!g_stop) {
        mm_array a = 0, s = 0;
        if (mm_open(g_file, "u1", "r", 0, NULL, 0, 'C', &a) != MM_OK) continue;
        if (mm_slice(a, 0, 1, 100, 3, &s) == MM_OK) mm_close(s);
        mm_close(a);
    }
    return NULL;
}

static void child_uses_library_after_fork(void) {
    tmpdir_make(g_dir, sizeof g_dir);
    path_join(g_file, sizeof g_file, g_dir, "data.u1");
    write_pattern_file(g_file, 4096);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) REQUIRE_EQ_I(pthread_create(&t[i], NULL, churn, NULL), 0);
    int ok = 0, hung = 0, other = 0;
    for (int i = 0; i < NFORKS; i++) {
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            alarm(10);
            mm_array a = 0;
            int status = mm_open(g_file, "u1", "r", 0, NULL, 0, 'C', &a);
            int good = status == MM_OK && mm_size(a) == 4096 &&
                       ((const unsigned char *)mm_data(a))[5] == pattern_byte(5);
            good = good && mm_close(a) == MM_OK;
            _exit(good ? 0 : 3);
        }
        int st = 0;
        REQUIRE(waitpid(pid, &st, 0) == pid);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++;
        else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) hung++;
        else other++;
    }
    g_stop = 1;
    for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
    printf("  %d children: %d used the library, %d hung, %d failed otherwise\n", NFORKS, ok, hung,
           other);
    CHECK_EQ_I(hung, 0);
    CHECK_EQ_I(other, 0);
    CHECK_EQ_I(ok, NFORKS);
    tmpdir_remove(g_dir);
}

static mm_array g_shared;

static void *slice_shared(void *unused) {
    (void)unused;
    while (!g_stop) {
        mm_array s = 0;
        if (mm_slice(g_shared, 0, 1, 100, 3, &s) == MM_OK) mm_close(s);
    }
    return NULL;
}

/* A handle that other threads were using (pinning: mm_slice) at the fork is closed in
 * the child: their pins do not exist there, so its slot must be freed at once, and the
 * child's next open (which takes the forking thread's spare, the slot just freed) gets
 * the same slot. With the pins of the parent's threads kept (a reader count or hazard
 * held at the fork), the close leaves the slot to pinners that never come and the open
 * takes another slot: that child fails. */
static void child_frees_a_handle_other_threads_were_using(void) {
    tmpdir_make(g_dir, sizeof g_dir);
    path_join(g_file, sizeof g_file, g_dir, "data.u1");
    write_pattern_file(g_file, 4096);
    REQUIRE_EQ_I(mm_open(g_file, "u1", "r", 0, NULL, 0, 'C', &g_shared), MM_OK);
    g_stop = 0;
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        REQUIRE_EQ_I(pthread_create(&t[i], NULL, slice_shared, NULL), 0);
    int ok = 0, other_slot = 0, other = 0;
    for (int i = 0; i < NFORKS; i++) {
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            alarm(10);
            if (mm_close(g_shared) != MM_OK) _exit(3);
            mm_array a = 0;
            if (mm_open(g_file, "u1", "r", 0, NULL, 0, 'C', &a) != MM_OK) _exit(4);
            _exit((a & 0xFFFFFFFFu) == (g_shared & 0xFFFFFFFFu) ? 0 : 5);
        }
        int st = 0;
        REQUIRE(waitpid(pid, &st, 0) == pid);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++;
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 5) other_slot++;
        else other++;
    }
    g_stop = 1;
    for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
    printf("  %d children: %d reused the closed handle's slot, %d took another, %d failed\n",
           NFORKS, ok, other_slot, other);
    CHECK_EQ_I(other_slot, 0);
    CHECK_EQ_I(other, 0);
    CHECK_EQ_I(ok, NFORKS);
    CHECK_EQ_I(mm_close(g_shared), MM_OK);
    tmpdir_remove(g_dir);
}

int main(void) {
    RUN(child_uses_library_after_fork);
    RUN(child_frees_a_handle_other_threads_were_using);
    return test_summary();
}
