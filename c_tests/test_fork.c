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

int main(void) {
    RUN(child_uses_library_after_fork);
    return test_summary();
}
