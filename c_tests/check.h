/* Tiny assertion and fixture helper shared by the C tests (and usable from C++).
 *
 * CHECK_*   report file:line, the expression and both values, count a failure, go on.
 * REQUIRE_* the same, then end the process (exit 1): used where later steps would
 *           dereference something that does not exist.
 * A test program runs its cases with RUN(fn) and returns test_summary(): exit status 0
 * only when no check failed. Temporary directories made with tmpdir_make() are removed
 * at exit even after a REQUIRE failure.
 */
#ifndef MMARRAY_C_TESTS_CHECK_H
#define MMARRAY_C_TESTS_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#ifdef _WIN32
/* MinGW-w64: 64-bit st_size and file offsets (stat is _stat64, lseek is _lseeki64). */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif
#endif

#include <errno.h>
#include <fcntl.h>
#ifndef _WIN32
#include <ftw.h>
#endif
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "mmarray.h"

#ifdef _WIN32
#include "win_compat.h" /* mkdtemp, realpath, mkdir(p, mode), lstat, pread, binary I/O */
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define T_UNUSED __attribute__((unused))

T_UNUSED static int t_failures;    /* updated with __atomic builtins: checks may run in threads */
T_UNUSED static int t_checks;

static inline void t_fail_report(const char *file, int line, const char *what, int fatal);

#define T_FAILED(fatal, ...)                                                      \
    do {                                                                          \
        char t_msg_[2048];                                                        \
        snprintf(t_msg_, sizeof t_msg_, __VA_ARGS__);                             \
        t_fail_report(__FILE__, __LINE__, t_msg_, (fatal));                       \
    } while (0)

#define T_COUNT() __atomic_add_fetch(&t_checks, 1, __ATOMIC_RELAXED)

#define T_TRUE(fatal, cond)                                                       \
    do {                                                                          \
        T_COUNT();                                                                \
        if (!(cond)) T_FAILED(fatal, "expected true: %s", #cond);                 \
    } while (0)

#define T_EQ_I(fatal, a, b)                                                       \
    do {                                                                          \
        intmax_t t_a_ = (intmax_t)(a), t_b_ = (intmax_t)(b);                      \
        T_COUNT();                                                                \
        if (t_a_ != t_b_)                                                         \
            T_FAILED(fatal, "%s == %s: got %jd, expected %jd", #a, #b, t_a_, t_b_); \
    } while (0)

#define T_EQ_U(fatal, a, b)                                                       \
    do {                                                                          \
        uintmax_t t_a_ = (uintmax_t)(a), t_b_ = (uintmax_t)(b);                   \
        T_COUNT();                                                                \
        if (t_a_ != t_b_)                                                         \
            T_FAILED(fatal, "%s == %s: got %ju (0x%jx), expected %ju (0x%jx)", #a, #b, \
                     t_a_, t_a_, t_b_, t_b_);                                     \
    } while (0)

#define T_EQ_D(fatal, a, b)                                                       \
    do {                                                                          \
        double t_a_ = (double)(a), t_b_ = (double)(b);                            \
        T_COUNT();                                                                \
        if (!(t_a_ == t_b_))                                                      \
            T_FAILED(fatal, "%s == %s: got %.17g, expected %.17g", #a, #b, t_a_, t_b_); \
    } while (0)

#define T_EQ_S(fatal, a, b)                                                       \
    do {                                                                          \
        const char *t_a_ = (a), *t_b_ = (b);                                      \
        T_COUNT();                                                                \
        if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0)              \
            T_FAILED(fatal, "%s == %s: got \"%.400s\", expected \"%.400s\"", #a, #b,    \
                     t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");             \
    } while (0)

/* `call` returns an mm_status; on mismatch print both codes by name and the
 * thread's last error message. */
#define T_STATUS(fatal, call, expected)                                           \
    do {                                                                          \
        mm_status t_s_ = (call), t_e_ = (expected);                               \
        T_COUNT();                                                                \
        if (t_s_ != t_e_)                                                         \
            T_FAILED(fatal, "%s: got status %d (%s), expected %d (%s); last error: \"%s\"", \
                     #call, (int)t_s_, mm_status_str(t_s_), (int)t_e_,            \
                     mm_status_str(t_e_), mm_last_error_message());               \
    } while (0)

#define CHECK(c) T_TRUE(0, c)
#define CHECK_EQ_I(a, b) T_EQ_I(0, a, b)
#define CHECK_EQ_U(a, b) T_EQ_U(0, a, b)
#define CHECK_EQ_D(a, b) T_EQ_D(0, a, b)
#define CHECK_EQ_S(a, b) T_EQ_S(0, a, b)
#define CHECK_STATUS(call, e) T_STATUS(0, call, e)
#define CHECK_OK(call) T_STATUS(0, call, MM_OK)

#define REQUIRE(c) T_TRUE(1, c)
#define REQUIRE_EQ_I(a, b) T_EQ_I(1, a, b)
#define REQUIRE_EQ_U(a, b) T_EQ_U(1, a, b)
#define REQUIRE_STATUS(call, e) T_STATUS(1, call, e)
#define REQUIRE_OK(call) T_STATUS(1, call, MM_OK)

/* The last error message must be non-empty and contain `needle` (typically the name of
 * the function that failed). */
#define CHECK_MSG_HAS(needle)                                                     \
    do {                                                                          \
        const char *t_m_ = mm_last_error_message();                               \
        T_COUNT();                                                                \
        if (t_m_ == NULL || t_m_[0] == '\0' || strstr(t_m_, (needle)) == NULL)    \
            T_FAILED(0, "last error message \"%s\" should mention \"%s\"",        \
                     t_m_ ? t_m_ : "(null)", (needle));                           \
    } while (0)

/* ---- temporary directories ------------------------------------------------------- */

#define T_MAX_TMPDIRS 64
T_UNUSED static char t_tmpdirs[T_MAX_TMPDIRS][256];
T_UNUSED static int t_ntmpdirs;
T_UNUSED static const char *t_current_case = "";

#ifdef _WIN32
static inline void t_rm_tree(const char *dir) {
    if (dir[0] == '\0') return;
    t_win_rm_tree(dir);
}
#else
static inline int t_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb; (void)ftw;
    if (flag == FTW_DP || flag == FTW_D) return rmdir(path);
    return unlink(path);
}

static inline void t_rm_tree(const char *dir) {
    if (dir[0] == '\0') return;
    /* make everything deletable first (tests chmod files and directories) */
    chmod(dir, 0700);
    nftw(dir, t_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
#endif

static inline void t_cleanup_all(void) {
    for (int i = 0; i < t_ntmpdirs; i++) {
        t_rm_tree(t_tmpdirs[i]);
        t_tmpdirs[i][0] = '\0';
    }
}

/* A fresh private directory for one test case; `out` gets its absolute path. */
static inline void tmpdir_make(char *out, size_t cap) {
#ifdef _WIN32
    /* Under Wine, %TEMP% is inside the prefix, which the stage makes in its own build dir. */
    const char *base = getenv("TEMP");
    char tmpl[256];
    if (base == NULL || base[0] == '\0') T_FAILED(1, "TEMP is not set");
    snprintf(tmpl, sizeof tmpl, "%s\\mmarray-ctest-XXXXXX", base);
#else
    const char *base = getenv("TMPDIR");
    char tmpl[256];
    if (base == NULL || base[0] == '\0') base = "/tmp";
    snprintf(tmpl, sizeof tmpl, "%s/mmarray-ctest-XXXXXX", base);
#endif
    if (mkdtemp(tmpl) == NULL) {
        T_FAILED(1, "mkdtemp(%s): %s", tmpl, strerror(errno));
        return;
    }
    /* resolve symlinks in TMPDIR itself so expected absolute paths compare equal */
    char *real = realpath(tmpl, NULL);
    snprintf(out, cap, "%s", real ? real : tmpl);
    free(real);
    static int registered;
    if (!registered) {
        atexit(t_cleanup_all);
        registered = 1;
    }
    if (t_ntmpdirs < T_MAX_TMPDIRS) snprintf(t_tmpdirs[t_ntmpdirs++], 256, "%s", out);
}

/* Remove a directory made by tmpdir_make and everything in it. */
static inline void tmpdir_remove(const char *dir) {
    struct stat st;
    t_rm_tree(dir);
    T_COUNT();
    if (lstat(dir, &st) == 0) T_FAILED(0, "could not remove temporary directory %s", dir);
    for (int i = 0; i < t_ntmpdirs; i++)
        if (strcmp(t_tmpdirs[i], dir) == 0) t_tmpdirs[i][0] = '\0';
}

/* ---- file helpers ------------------------------------------------------------------ */

/* dir + separator + name into out; a path that does not fit fails the test (a cut-off
 * path would name another file). */
static inline void path_join(char *out, size_t cap, const char *dir, const char *name) {
#ifdef _WIN32
    int n = snprintf(out, cap, "%s\\%s", dir, name); /* the form a Windows absolute path has */
#else
    int n = snprintf(out, cap, "%s/%s", dir, name);
#endif
    if (n < 0 || (size_t)n >= cap) T_FAILED(1, "path %s + %s does not fit in %zu bytes", dir, name, cap);
}

static inline void write_file(const char *path, const void *data, size_t n) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) T_FAILED(1, "open(%s): %s", path, strerror(errno));
    const unsigned char *p = (const unsigned char *)data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) T_FAILED(1, "write(%s): %s", path, strerror(errno));
        p += w;
        n -= (size_t)w;
    }
    close(fd);
}

/* A file of `n` bytes where byte i is pattern_byte(i). */
static inline unsigned char pattern_byte(size_t i) { return (unsigned char)((i * 7u + 1u) & 0xffu); }

static inline void write_pattern_file(const char *path, size_t n) {
    unsigned char *buf = (unsigned char *)malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) buf[i] = pattern_byte(i);
    write_file(path, buf, n);
    free(buf);
}

/* Whole file into a malloc'ed buffer (caller frees); *n gets its size. */
static inline unsigned char *read_file(const char *path, size_t *n) {
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        T_FAILED(1, "open/fstat(%s): %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *buf = (unsigned char *)malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    *n = got;
    return buf;
}

/* Size of a file, or -1 if it does not exist. */
static inline long long file_size(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return (long long)st.st_size;
}

static inline int file_exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A snapshot of a file (size and bytes) to assert that a failed call changed nothing. */
typedef struct {
    char path[512];
    long long size;
    unsigned char *bytes;
} file_snap;

static inline file_snap snap_take(const char *path) {
    file_snap s;
    snprintf(s.path, sizeof s.path, "%s", path);
    s.size = file_size(path);
    s.bytes = NULL;
    if (s.size >= 0) {
        size_t n;
        s.bytes = read_file(path, &n);
    }
    return s;
}

#define CHECK_SNAP_UNCHANGED(s)                                                   \
    do {                                                                          \
        long long t_now_ = file_size((s).path);                                   \
        T_COUNT();                                                                \
        if (t_now_ != (s).size) {                                                 \
            T_FAILED(0, "%s: size changed from %lld to %lld", (s).path, (s).size, t_now_); \
        } else if (t_now_ >= 0) {                                                 \
            size_t t_n_;                                                          \
            unsigned char *t_b_ = read_file((s).path, &t_n_);                     \
            if (t_n_ != (size_t)(s).size || memcmp(t_b_, (s).bytes, t_n_) != 0)   \
                T_FAILED(0, "%s: content changed", (s).path);                     \
            free(t_b_);                                                           \
        }                                                                         \
    } while (0)

static inline void snap_free(file_snap *s) {
    free(s->bytes);
    s->bytes = NULL;
}

/* ---- running ----------------------------------------------------------------------- */

static inline void t_fail_report(const char *file, int line, const char *what, int fatal) {
    __atomic_add_fetch(&t_failures, 1, __ATOMIC_RELAXED);
    fprintf(stderr, "%s:%d: FAIL [%s] %s\n", file, line, t_current_case, what);
    fflush(stderr);
    if (fatal) {
        fprintf(stderr, "  (fatal: stopping this test program)\n");
        exit(1);
    }
}

#define RUN(fn)                                                                   \
    do {                                                                          \
        int t_before_ = t_failures;                                               \
        t_current_case = #fn;                                                     \
        fn();                                                                     \
        printf("%-4s %s\n", t_failures == t_before_ ? "ok" : "FAIL", #fn);        \
        fflush(stdout);                                                           \
    } while (0)

static inline int test_summary(void) {
    printf("%d checks, %d failed\n", t_checks, t_failures);
    return t_failures == 0 ? 0 : 1;
}

#ifdef __cplusplus
}
#endif

#endif
