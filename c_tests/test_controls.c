/* The controls through the installed header: open flags, advice, range and async
 * flushing, residency, locking. Exit 0 on success; prints the first failed check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmarray.h"

static int failures = 0;
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__,    \
                    __LINE__, #cond, mm_last_error_message());                        \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static char dir[256];
static long page;

static void path_of(char *buf, const char *name) { snprintf(buf, 512, "%s/%s", dir, name); }

/* Writes len bytes (i % 251), syncs and evicts them from the page cache. */
static void cold_file(const char *path, size_t len) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    unsigned char *buf = malloc(len);
    for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)(i % 251);
    if (write(fd, buf, len) != (ssize_t)len) abort();
    fsync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    free(buf);
}

static void evict(const char *path) {
    int fd = open(path, O_RDONLY);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

static uint64_t resident(mm_array a) {
    uint64_t n = UINT64_MAX;
    CHECK(mm_resident(a, &n) == MM_OK);
    return n;
}

static long long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void test_open_flags(void) {
    char path[512];
    path_of(path, "flags.bin");
    cold_file(path, 100);
    mm_array a = 7;
    size_t shape[1] = {5000};
    /* Unknown bits: an argument error, the file untouched. */
    CHECK(mm_open_ex(path, "u1", "r+", 0, shape, 1, 'C', 4, &a) == MM_E_INVALID_ARG);
    CHECK(a == 0);
    CHECK(mm_open_ex(path, "u1", "r+", 0, shape, 1, 'C', MM_OPEN_POPULATE | 0x80000000u, &a) ==
          MM_E_INVALID_ARG);
    CHECK(file_size(path) == 100);
    /* 0 is mm_open. */
    CHECK(mm_open_ex(path, "u1", "r", 0, NULL, 0, 'C', 0, &a) == MM_OK);
    CHECK(mm_size(a) == 100);
    CHECK(mm_close(a) == MM_OK);

    /* POPULATE: the whole array is resident right after open. */
    path_of(path, "populate.bin");
    cold_file(path, 40 * page + 7);
    CHECK(mm_open_ex(path, "u1", "c", 0, NULL, 0, 'C', MM_OPEN_POPULATE, &a) == MM_OK);
    CHECK(resident(a) == (uint64_t)(40 * page + 7));
    CHECK(mm_close(a) == MM_OK);

    /* PREALLOCATE: the extension's blocks exist at open. */
    path_of(path, "prealloc.bin");
    size_t big[1] = {4u << 20};
    CHECK(mm_open_ex(path, "f8", "w+", 0, big, 1, 'C', MM_OPEN_PREALLOCATE, &a) == MM_OK);
    CHECK(mm_close(a) == MM_OK);
    struct stat st;
    stat(path, &st);
    CHECK(st.st_size == (off_t)(32u << 20));
    CHECK((long long)st.st_blocks * 512 >= (long long)(32u << 20));

    /* A reservation the system refuses (here: RLIMIT_FSIZE, EFBIG) fails the open and
     * leaves the file as it was. */
    path_of(path, "limited.bin");
    cold_file(path, 100);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 1 << 20;
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    size_t four[1] = {4u << 20};
    CHECK(mm_open_ex(path, "u1", "r+", 0, four, 1, 'C', MM_OPEN_PREALLOCATE, &a) == MM_E_IO);
    CHECK(mm_last_os_error() == EFBIG);
    CHECK(a == 0);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    CHECK(file_size(path) == 100);
}

static void test_advice(void) {
    char path[512];
    path_of(path, "advice.bin");
    cold_file(path, 16 * page);
    const char *modes[] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        mm_array a;
        CHECK(mm_open(path, "u1", modes[m], 0, NULL, 0, 'C', &a) == MM_OK);
        int32_t all[] = {MM_ADVICE_NORMAL,   MM_ADVICE_SEQUENTIAL,    MM_ADVICE_RANDOM,
                         MM_ADVICE_WILLNEED, MM_ADVICE_DONTNEED,      MM_ADVICE_HUGEPAGE,
                         MM_ADVICE_POPULATE_READ, MM_ADVICE_POPULATE_WRITE};
        for (int i = 0; i < 8; i++) {
            mm_status s = mm_advise(a, all[i]);
            if (all[i] == MM_ADVICE_POPULATE_WRITE && m == 0)
                CHECK(s == MM_E_READ_ONLY);
            else if (s == MM_E_UNSUPPORTED)
                CHECK(mm_last_os_error() == EINVAL && strstr(mm_last_error_message(), "MADV_"));
            else
                CHECK(s == MM_OK);
        }
        CHECK(mm_advise(a, 8) == MM_E_INVALID_ARG);
        CHECK(mm_advise(a, -1) == MM_E_INVALID_ARG);
        CHECK(mm_close(a) == MM_OK);
        CHECK(mm_advise(a, MM_ADVICE_NORMAL) == MM_E_BAD_HANDLE);
    }
}

static void test_dontneed_and_populate(void) {
    char path[512];
    path_of(path, "dontneed.bin");
    size_t len = 32 * page;
    cold_file(path, len);
    mm_array a, s;
    CHECK(mm_open(path, "u1", "c", 0, NULL, 0, 'C', &a) == MM_OK);
    CHECK(mm_advise(a, MM_ADVICE_RANDOM) == MM_OK);
    /* POPULATE_READ of a slice covers exactly the slice's bytes. */
    CHECK(mm_slice(a, 0, 3 * page + 5, 5 * page + 9, 1, &s) == MM_OK);
    CHECK(mm_advise(s, MM_ADVICE_POPULATE_READ) == MM_OK);
    CHECK(resident(s) == (uint64_t)(2 * page + 4));
    CHECK(mm_close(s) == MM_OK);
    CHECK(mm_advise(a, MM_ADVICE_POPULATE_READ) == MM_OK);
    CHECK(resident(a) == len);
    evict(path); /* mapped pages stay */
    CHECK(resident(a) == len);
    CHECK(mm_advise(a, MM_ADVICE_DONTNEED) == MM_OK);
    evict(path); /* now nothing holds them */
    CHECK(resident(a) < len / 4);
    CHECK(((unsigned char *)mm_data(a))[len - 1] == (unsigned char)((len - 1) % 251));
    CHECK(mm_close(a) == MM_OK);
}

static void test_flush(void) {
    char path[512];
    path_of(path, "flush.bin");
    cold_file(path, 10 * page);
    const char *modes[] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        mm_array a, v;
        CHECK(mm_open(path, "u1", modes[m], 0, NULL, 0, 'C', &a) == MM_OK);
        size_t shape[1] = {1000};
        CHECK(mm_view(a, NULL, 100, shape, 1, NULL, &v) == MM_OK);
        CHECK(mm_flush_range(v, 0, 1000) == MM_OK);
        CHECK(mm_flush_range(v, 0, 1001) == MM_E_OUT_OF_BOUNDS);
        CHECK(mm_flush_range(v, 1, 999) == MM_OK);
        CHECK(mm_flush_range(v, 1, 1000) == MM_E_OUT_OF_BOUNDS);
        CHECK(mm_flush_range(v, 1000, 0) == MM_OK);
        CHECK(mm_flush_range(v, 1001, 0) == MM_E_OUT_OF_BOUNDS);
        CHECK(mm_flush_range(v, UINT64_MAX, 2) == MM_E_OUT_OF_BOUNDS);
        CHECK(mm_flush_async(v) == MM_OK);
        CHECK(mm_close(v) == MM_OK);
        if (m == 1) {
            ((unsigned char *)mm_data(a))[7 * page + 1] = 0xAB;
            CHECK(mm_flush_range(a, 7 * page, 2) == MM_OK);
        }
        CHECK(mm_close(a) == MM_OK);
        CHECK(mm_flush_range(a, 0, 1) == MM_E_BAD_HANDLE);
        CHECK(mm_flush_async(a) == MM_E_BAD_HANDLE);
    }
    int fd = open(path, O_RDONLY);
    unsigned char b = 0;
    CHECK(pread(fd, &b, 1, 7 * page + 1) == 1 && b == 0xAB);
    close(fd);
}

static void test_lock_and_zero(void) {
    char path[512];
    path_of(path, "lock.bin");
    cold_file(path, 16 * page);
    mm_array a, z;
    CHECK(mm_open(path, "u1", "r", 0, NULL, 0, 'C', &a) == MM_OK);
    mm_status s = mm_lock(a);
    if (s == MM_OK) {
        CHECK(resident(a) == (uint64_t)(16 * page));
        CHECK(mm_unlock(a) == MM_OK);
    } else {
        CHECK((s == MM_E_IO && mm_last_os_error() == ENOMEM) ||
              (s == MM_E_PERMISSION && mm_last_os_error() == EPERM));
    }
    /* A view without elements: every control is MM_OK and does nothing. */
    CHECK(mm_slice(a, 0, 9, 9, 1, &z) == MM_OK);
    for (int32_t i = MM_ADVICE_NORMAL; i <= MM_ADVICE_POPULATE_READ; i++) CHECK(mm_advise(z, i) == MM_OK);
    CHECK(mm_flush_range(z, 0, 0) == MM_OK);
    CHECK(mm_flush_async(z) == MM_OK);
    CHECK(resident(z) == 0);
    CHECK(mm_lock(z) == MM_OK);
    CHECK(mm_unlock(z) == MM_OK);
    CHECK(mm_close(z) == MM_OK);
    CHECK(mm_close(a) == MM_OK);
    CHECK(mm_lock(a) == MM_E_BAD_HANDLE);
    CHECK(mm_resident(a, NULL) == MM_E_INVALID_ARG);
}

/* mlock refused: in a child that gives up root (and with it CAP_IPC_LOCK), with
 * RLIMIT_MEMLOCK 0 (EPERM) and then smaller than the view (ENOMEM). Only as root. */
static void test_lock_refused(void) {
    if (geteuid() != 0) {
        printf("test_lock_refused: skipped (needs root to drop privileges)\n");
        return;
    }
    char path[512];
    path_of(path, "refused.bin");
    cold_file(path, 64 * page);
    mm_array a;
    CHECK(mm_open(path, "u1", "r", 0, NULL, 0, 'C', &a) == MM_OK);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit zero = {0, 0}, small = {4 * (rlim_t)page, 4 * (rlim_t)page};
        if (setrlimit(RLIMIT_MEMLOCK, &small) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(10);
        int bad = 0;
        if (mm_lock(a) != MM_E_IO || mm_last_os_error() != ENOMEM) bad |= 1;
        if (!strstr(mm_last_error_message(), "RLIMIT_MEMLOCK")) bad |= 2;
        if (setrlimit(RLIMIT_MEMLOCK, &zero) != 0) _exit(11);
        if (mm_lock(a) != MM_E_PERMISSION || mm_last_os_error() != EPERM) bad |= 4;
        if (mm_unlock(a) != MM_OK) bad |= 8;
        _exit(bad);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "test_lock_refused: child status %d\n", status);
    CHECK(mm_close(a) == MM_OK);
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    snprintf(dir, sizeof dir, "%s/mmarray-ctest-controls-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) return 2;
    test_open_flags();
    test_advice();
    test_dontneed_and_populate();
    test_flush();
    test_lock_and_zero();
    test_lock_refused();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) failures++;
    if (failures) {
        fprintf(stderr, "test_controls: %d checks failed\n", failures);
        return 1;
    }
    printf("test_controls: all checks passed\n");
    return 0;
}
