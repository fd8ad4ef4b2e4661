/* Bad-input matrix (RELIABILITY.md, section 1): every pointer parameter NULL; strings empty,
 * unknown, 1 MiB long and non-UTF-8; paths that are a directory, a FIFO, a character
 * device, a dangling symlink, a non-UTF-8 name, a name longer than PATH_MAX; shapes with
 * zero, huge and overflowing dimensions; offsets 0, odd, at EOF, past EOF, near 2^64;
 * handles 0, random, closed and reused-slot; views, slices and guarded copies at every
 * boundary +-1.
 *
 * Each case checks the documented status, a non-empty message on failure, *out == 0 on
 * failure, and that the file's size, content and modification time are unchanged (the
 * file's mtime is set far in the past first, so any write would show). Prints the number
 * of cases tried; exits non-zero on the first wrong answer.
 *
 *   gcc -std=c11 -Wall -Wextra -Iinclude c_tests/test_bad_input.c \
 *       -Ltarget/release -lmmarray -Wl,-rpath,$PWD/target/release -o test_bad_input
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "mmarray.h"

static int cases;
static char dir[PATH_MAX];

#define FAIL(...)                                                                    \
    do {                                                                             \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                              \
        fprintf(stderr, __VA_ARGS__);                                                \
        fprintf(stderr, "\n  last error: %s\n", mm_last_error_message());           \
        exit(1);                                                                     \
    } while (0)

/* ---- file snapshots ------------------------------------------------------------ */

struct snap {
    int exists;
    mode_t type;
    off_t size;
    struct timespec mtime;
    unsigned char *bytes;
};

static struct snap take(const char *path) {
    struct snap s = {0};
    struct stat st;
    if (lstat(path, &st) != 0) return s;
    s.exists = 1;
    s.type = st.st_mode & S_IFMT;
    s.size = st.st_size;
    s.mtime = st.st_mtim;
    if (S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < (1 << 20)) {
        s.bytes = malloc((size_t)st.st_size);
        FILE *f = fopen(path, "rb");
        if (!f || fread(s.bytes, 1, (size_t)st.st_size, f) != (size_t)st.st_size) abort();
        fclose(f);
    }
    return s;
}

static void same(const char *path, struct snap before, int line) {
    struct snap after = take(path);
    if (after.exists != before.exists)
        FAIL("line %d: %s %s", line, path, before.exists ? "disappeared" : "was created");
    if (before.exists) {
        if (after.type != before.type) FAIL("line %d: %s changed type", line, path);
        if (after.size != before.size)
            FAIL("line %d: %s size %lld -> %lld", line, path, (long long)before.size,
                 (long long)after.size);
        if (after.mtime.tv_sec != before.mtime.tv_sec || after.mtime.tv_nsec != before.mtime.tv_nsec)
            FAIL("line %d: %s mtime changed", line, path);
        if (before.bytes && memcmp(before.bytes, after.bytes, (size_t)before.size) != 0)
            FAIL("line %d: %s content changed", line, path);
    }
    free(before.bytes);
    free(after.bytes);
}

/* A file of n bytes 0,1,2,... with an mtime in 2001. */
static void make_file(const char *path, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) FAIL("cannot create %s", path);
    for (size_t i = 0; i < n; i++) fputc((int)(i & 0xff), f);
    fclose(f);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    if (utimensat(AT_FDCWD, path, old, AT_SYMLINK_NOFOLLOW) != 0) FAIL("utimensat %s", path);
}

static char *in_dir(const char *name) {
    static char buf[64][PATH_MAX + 64];
    static int i;
    char *p = buf[i++ % 64];
    snprintf(p, PATH_MAX + 64, "%s/%s", dir, name);
    return p;
}

/* ---- checks -------------------------------------------------------------------- */

static void expect_status(mm_status got, mm_status want, int line, const char *what) {
    cases++;
    if (got != want)
        FAIL("line %d: %s: status %d (%s), expected %d (%s)", line, what, got, mm_status_str(got),
             want, mm_status_str(want));
    if (got != MM_OK) {
        const char *m = mm_last_error_message();
        if (!m || !m[0]) FAIL("line %d: %s: empty error message", line, what);
        char small[8];
        size_t need = mm_last_error_copy(small, sizeof small);
        if (need != strlen(m) + 1) FAIL("line %d: mm_last_error_copy says %zu", line, need);
    }
}

/* Opens `path` and checks status, *out and that `watch` (the file or what the path names)
 * is unchanged when the open is expected to fail or is read-only. */
static mm_array open_case(int line, const char *path, const char *dtype, const char *mode,
                          uint64_t offset, const size_t *shape, size_t ndim, char order,
                          mm_status want, int must_keep_file) {
    const char *watch = path ? path : in_dir("plain.bin");
    struct snap before = take(watch);
    mm_array h = 12345;
    mm_status s = mm_open(path, dtype, mode, offset, shape, ndim, order, &h);
    char what[256];
    snprintf(what, sizeof what, "mm_open(%.60s, %.20s, %.10s, off %llu, ndim %zu, '%c')",
             path ? path : "NULL", dtype ? dtype : "NULL", mode ? mode : "NULL",
             (unsigned long long)offset, ndim, order ? order : '0');
    expect_status(s, want, line, what);
    if (s != MM_OK && h != 0) FAIL("line %d: *out is %llu after a failure", line, (unsigned long long)h);
    if (s == MM_OK && h == 0) FAIL("line %d: handle 0 on success", line);
    if (must_keep_file || s != MM_OK) same(watch, before, line);
    else { free(before.bytes); }
    return h;
}

#define OPEN(...) open_case(__LINE__, __VA_ARGS__)
#define CHECK(call, want) expect_status((call), (want), __LINE__, #call)
#define TRUE_(cond)                                                                   \
    do {                                                                              \
        cases++;                                                                      \
        if (!(cond)) FAIL("line %d: %s", __LINE__, #cond);                            \
    } while (0)

static void closed_ok(mm_array h) {
    if (mm_close(h) != MM_OK) FAIL("close of %llu", (unsigned long long)h);
}

/* ---- the matrix ---------------------------------------------------------------- */

static void null_pointers(void) {
    const char *p = in_dir("plain.bin");
    size_t shape1[1] = {16};
    mm_array h = 99, v = 99;
    /* mm_open: path and out are required; dtype, mode and shape have documented defaults. */
    OPEN(NULL, "u1", "r", 0, shape1, 1, 'C', MM_E_INVALID_ARG, 1);
    {
        struct snap before = take(in_dir("new.bin"));
        CHECK(mm_open(in_dir("new.bin"), "u1", "w+", 0, shape1, 1, 'C', NULL), MM_E_INVALID_ARG);
        same(in_dir("new.bin"), before, __LINE__);
        before = take(p);
        CHECK(mm_open(p, "u1", "r+", 0, shape1, 1, 'C', NULL), MM_E_INVALID_ARG);
        same(p, before, __LINE__);
    }
    h = OPEN(p, NULL, "r", 0, shape1, 1, 'C', MM_OK, 1);
    TRUE_(strcmp(mm_dtype(h), "|u1") == 0);
    closed_ok(h);
    h = OPEN(p, "u1", NULL, 0, shape1, 1, 'C', MM_OK, 1); /* NULL mode = r+, no growth needed */
    TRUE_(strcmp(mm_mode(h), "r+") == 0);
    closed_ok(h);
    h = OPEN(p, "u1", "r", 0, NULL, 3, 'C', MM_OK, 1); /* NULL shape: inferred, ndim ignored */
    TRUE_(mm_ndim(h) == 1 && mm_shape(h)[0] == 4096);
    closed_ok(h);
    OPEN(p, "u1", "w+", 0, NULL, 1, 'C', MM_E_INVALID_ARG, 1); /* w+ needs a shape */
    /* A non-NULL shape pointer of ndim 0 is a 0-d array; NULL with ndim > 0 is inferred. */
    h = OPEN(p, "u1", "r", 0, shape1, 0, 'C', MM_OK, 1);
    TRUE_(mm_ndim(h) == 0 && mm_size(h) == 1);

    /* mm_open_fd */
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    CHECK(mm_open_fd(fd, "u1", "r", 0, shape1, 1, 'C', NULL), MM_E_INVALID_ARG);
    CHECK(mm_open_fd(fd, NULL, "r", 0, NULL, 0, 'C', &v), MM_OK);
    closed_ok(v);
    CHECK(mm_open_fd(-1, "u1", "r", 0, shape1, 1, 'C', &v), MM_E_INVALID_ARG);
    TRUE_(v == 0);
    CHECK(mm_open_fd(fd, "u1", "r+", 0, shape1, 1, 'C', &v), MM_E_PERMISSION); /* O_RDONLY */
    close(fd);
    CHECK(mm_open_fd(fd, "u1", "r", 0, shape1, 1, 'C', &v), MM_E_IO); /* closed fd: EBADF */
    TRUE_(mm_last_os_error() == EBADF);

    /* mm_view: out required; shape NULL only with ndim 0; strides/dtype NULL = defaults. */
    size_t s2[1] = {1};
    int64_t st1[1] = {1};
    CHECK(mm_view(h, NULL, 0, s2, 1, NULL, NULL), MM_E_INVALID_ARG);
    CHECK(mm_view(h, NULL, 0, NULL, 1, NULL, &v), MM_E_INVALID_ARG);
    TRUE_(v == 0);
    CHECK(mm_view(h, NULL, 0, NULL, 0, NULL, &v), MM_OK);
    closed_ok(v);
    CHECK(mm_view(h, NULL, 0, s2, 1, st1, &v), MM_OK);
    closed_ok(v);
    /* mm_slice on a 0-d array: axis 0 >= ndim; out NULL. */
    CHECK(mm_slice(h, 0, 0, 1, 1, &v), MM_E_INVALID_ARG);
    closed_ok(h);
    h = OPEN(p, "u1", "r", 0, shape1, 1, 'C', MM_OK, 1);
    CHECK(mm_slice(h, 0, 0, 1, 1, NULL), MM_E_INVALID_ARG);
    /* mm_to_dlpack: out is required. */
    CHECK(mm_to_dlpack(h, NULL), MM_E_INVALID_ARG);
    /* Guarded copies: NULL buffers only with 0 bytes. */
    CHECK(mm_read_at(h, 0, NULL, 1), MM_E_INVALID_ARG);
    CHECK(mm_read_at(h, 0, NULL, 0), MM_OK);
    CHECK(mm_write_at(h, 0, NULL, 1), MM_E_INVALID_ARG);
    CHECK(mm_write_at(h, 0, NULL, 0), MM_E_READ_ONLY); /* mode r, even for 0 bytes */
    closed_ok(h);
    /* Errors: NULL buffer is allowed and only measures. */
    TRUE_(mm_last_error_copy(NULL, 0) == strlen(mm_last_error_message()) + 1);
    TRUE_(mm_last_error_copy(NULL, 100) == strlen(mm_last_error_message()) + 1);
    TRUE_(mm_status_str(-1) && strcmp(mm_status_str(-1), "unknown status") == 0);
    TRUE_(strcmp(mm_status_str(12345), "unknown status") == 0);
    TRUE_(strcmp(mm_status_str(MM_E_PANIC), "internal error") == 0);
    TRUE_(mm_version() == MM_VERSION_MAJOR * 10000 + MM_VERSION_MINOR * 100 + MM_VERSION_PATCH);
}

static void strings(void) {
    const char *p = in_dir("plain.bin");
    size_t shape1[1] = {8};
    char *huge = malloc((1 << 20) + 1);
    memset(huge, 'A', 1 << 20);
    huge[1 << 20] = 0;
    const char *bad_text[] = {"", "zz", "f9", "<<f8", "S-1", "u1 ", "\xff\xfe", "\xc3\x28", "O",
                              huge};
    const char *modes[] = {"r", "r+", "w+", "c"};
    for (size_t m = 0; m < 4; m++) {
        for (size_t i = 0; i < sizeof bad_text / sizeof *bad_text; i++) {
            /* Object dtype is unsupported, everything else invalid; w+ never truncates. */
            mm_status want = strcmp(bad_text[i], "O") == 0 ? MM_E_UNSUPPORTED : MM_E_INVALID_ARG;
            OPEN(p, bad_text[i], modes[m], 0, shape1, 1, 'C', want, 1);
            /* ... and even when the file does not exist: nothing is created. */
            OPEN(in_dir("missing.bin"), bad_text[i], modes[m], 0, shape1, 1, 'C', want, 1);
        }
    }
    const char *bad_modes[] = {"", "w", "rb", "a", "R", "r+ ", "\xff", "readwrite\xff", huge};
    for (size_t i = 0; i < sizeof bad_modes / sizeof *bad_modes; i++) {
        OPEN(p, "u1", bad_modes[i], 0, shape1, 1, 'C', MM_E_INVALID_ARG, 1);
        OPEN(in_dir("missing.bin"), "u1", bad_modes[i], 0, shape1, 1, 'C', MM_E_INVALID_ARG, 1);
    }
    const char bad_orders[] = {'X', 'c' + 1, ' ', (char)0x80, (char)0xff, '1'};
    for (size_t i = 0; i < sizeof bad_orders; i++)
        OPEN(p, "u1", "w+", 0, shape1, 1, bad_orders[i], MM_E_INVALID_ARG, 1);
    /* Paths: empty (ENOENT), 1 MiB (ENAMETOOLONG), longer than PATH_MAX. */
    OPEN("", "u1", "r", 0, shape1, 1, 'C', MM_E_NOT_FOUND, 0);
    OPEN("", "u1", "w+", 0, shape1, 1, 'C', MM_E_NOT_FOUND, 0);
    OPEN(huge, "u1", "r", 0, shape1, 1, 'C', MM_E_IO, 0);
    TRUE_(mm_last_os_error() == ENAMETOOLONG);
    OPEN(huge, "u1", "w+", 0, shape1, 1, 'C', MM_E_IO, 0);
    char longname[PATH_MAX + 100];
    snprintf(longname, sizeof longname, "%s/", dir);
    size_t at = strlen(longname);
    for (; at < sizeof longname - 1; at++) longname[at] = (at % 200 == 0) ? '/' : 'x';
    longname[at] = 0;
    OPEN(longname, "u1", "w+", 0, shape1, 1, 'C', MM_E_IO, 0);
    TRUE_(mm_last_os_error() == ENAMETOOLONG);
    /* A single component longer than NAME_MAX. */
    char longcomp[PATH_MAX + NAME_MAX + 200];
    snprintf(longcomp, sizeof longcomp, "%s/", dir);
    at = strlen(longcomp);
    memset(longcomp + at, 'y', NAME_MAX + 10);
    longcomp[at + NAME_MAX + 10] = 0;
    OPEN(longcomp, "u1", "w+", 0, shape1, 1, 'C', MM_E_IO, 0);
    /* mm_view dtype strings. */
    mm_array h = OPEN(p, "u1", "r", 0, NULL, 0, 'C', MM_OK, 1), v = 7;
    size_t s1[1] = {1};
    for (size_t i = 0; i < sizeof bad_text / sizeof *bad_text; i++) {
        mm_status want = strcmp(bad_text[i], "O") == 0 ? MM_E_UNSUPPORTED : MM_E_INVALID_ARG;
        CHECK(mm_view(h, bad_text[i], 0, s1, 1, NULL, &v), want);
        TRUE_(v == 0);
    }
    closed_ok(h);
    free(huge);
}

static void special_paths(void) {
    size_t shape1[1] = {8};
    const char *modes[] = {"r", "r+", "w+", "c"};
    mkdir(in_dir("adir"), 0755);
    mkfifo(in_dir("fifo"), 0644);
    if (symlink(in_dir("nowhere/target.bin"), in_dir("dangling")) != 0) FAIL("symlink");
    /* A UNIX socket in the file system: open(2) says ENXIO. */
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", in_dir("sock"));
    int have_sock = sock >= 0 && strlen(in_dir("sock")) < sizeof addr.sun_path &&
                    bind(sock, (struct sockaddr *)&addr, sizeof addr) == 0;
    for (int m = 0; m < 4; m++) {
        if (have_sock) {
            OPEN(in_dir("sock"), "u1", modes[m], 0, shape1, 1, 'C', MM_E_IO, 1);
            TRUE_(mm_last_os_error() == ENXIO);
        }
        OPEN(in_dir("adir"), "u1", modes[m], 0, shape1, 1, 'C', MM_E_IO, 1);
        TRUE_(mm_last_os_error() == EISDIR);
        OPEN(in_dir("adir"), "u1", modes[m], 0, NULL, 0, 'C', m == 2 ? MM_E_INVALID_ARG : MM_E_IO, 1);
        OPEN(in_dir("fifo"), "u1", modes[m], 0, shape1, 1, 'C', MM_E_IO, 1);
        TRUE_(mm_last_os_error() == ENODEV);
        if (getuid() == 0 || m == 0 || m == 3) {
            OPEN("/dev/null", "u1", modes[m], 0, shape1, 1, 'C', MM_E_IO, 1);
            TRUE_(mm_last_os_error() == ENODEV);
            OPEN("/dev/zero", "u1", modes[m], 0, shape1, 1, 'C', MM_E_IO, 1);
        }
        /* A dangling symlink into a missing directory: not found (w+: cannot create). */
        OPEN(in_dir("dangling"), "u1", modes[m], 0, shape1, 1, 'C',
             m == 2 ? MM_E_NOT_FOUND : MM_E_NOT_FOUND, 1);
        /* Through a regular file used as a directory: ENOTDIR. */
        char through[PATH_MAX + 64];
        snprintf(through, sizeof through, "%s/x", in_dir("plain.bin"));
        OPEN(through, "u1", modes[m], 0, shape1, 1, 'C', MM_E_IO, 0);
        TRUE_(mm_last_os_error() == ENOTDIR);
    }
    if (sock >= 0) close(sock);
    /* w+ through a dangling symlink whose directory exists creates the target (fopen's
     * rule); a failure after creating it removes the target and keeps the link. */
    mkdir(in_dir("sub"), 0755);
    if (symlink("sub/made.bin", in_dir("link")) != 0) FAIL("symlink");
    size_t huge1[1] = {(size_t)1 << 62};
    OPEN(in_dir("link"), "u1", "w+", 0, huge1, 1, 'C', MM_E_IO, 1);
    TRUE_(access(in_dir("sub/made.bin"), F_OK) != 0);
    mm_array hl = OPEN(in_dir("link"), "u1", "w+", 0, shape1, 1, 'C', MM_OK, 0);
    TRUE_(strcmp(mm_filename(hl), in_dir("link")) == 0);
    closed_ok(hl);
    struct stat lst;
    TRUE_(lstat(in_dir("link"), &lst) == 0 && S_ISLNK(lst.st_mode));
    TRUE_(stat(in_dir("sub/made.bin"), &lst) == 0 && lst.st_size == 8);
    /* A non-UTF-8 file name opens fine in every mode, and mm_filename keeps its bytes. */
    char *odd = in_dir("caf\xe9-\xff\xfe.bin");
    make_file(odd, 64);
    for (int m = 0; m < 4; m++) {
        mm_array h = OPEN(odd, "u1", modes[m], 0, shape1, 1, 'C', MM_OK, m != 2);
        TRUE_(strcmp(mm_filename(h), odd) == 0);
        closed_ok(h);
    }
    struct stat st;
    TRUE_(stat(odd, &st) == 0 && st.st_size == 8); /* w+ made it exactly 8 bytes */
}

static void shapes(void) {
    const char *p = in_dir("plain.bin"); /* 4096 bytes */
    const char *modes[] = {"r", "r+", "w+", "c"};
    for (int m = 0; m < 4; m++) {
        int w = m == 2;
        /* zero dimensions: no bytes, always fine (w+ truncates to 0: checked on a copy) */
        if (!w) {
            size_t z1[1] = {0}, z3[3] = {5, 0, 7};
            mm_array h = OPEN(p, "f8", modes[m], 0, z1, 1, 'C', MM_OK, 1);
            TRUE_(mm_size(h) == 0 && mm_nbytes(h) == 0 && mm_data(h) != NULL);
            closed_ok(h);
            h = OPEN(p, "f8", modes[m], 4096, z3, 3, 'F', MM_OK, 1);
            TRUE_(mm_size(h) == 0);
            closed_ok(h);
        }
        /* overflowing: product or bytes past 2^63 */
        size_t o1[2] = {(size_t)1 << 32, (size_t)1 << 32};
        size_t o2[1] = {SIZE_MAX};
        size_t o3[1] = {((size_t)1 << 61)}; /* x8 bytes = 2^64 */
        size_t o4[3] = {SIZE_MAX, 0, 2};    /* count 0 but strides overflow */
        size_t o5[2] = {(size_t)1 << 62, 2}; /* exactly 2^63 elements of u1 */
        OPEN(p, "u1", modes[m], 0, o1, 2, 'C', MM_E_INVALID_ARG, 1);
        OPEN(p, "u1", modes[m], 0, o2, 1, 'C', MM_E_INVALID_ARG, 1);
        OPEN(p, "f8", modes[m], 0, o3, 1, 'C', MM_E_INVALID_ARG, 1);
        OPEN(p, "f8", modes[m], 0, o4, 3, 'C', MM_E_INVALID_ARG, 1);
        OPEN(p, "u1", modes[m], 0, o5, 2, 'C', MM_E_INVALID_ARG, 1);
        OPEN(in_dir("missing.bin"), "u1", modes[m], 0, o1, 2, 'C', MM_E_INVALID_ARG, 1);
        /* huge but representable: too small in r/c; r+/w+ cannot map 2^62 bytes (file kept) */
        size_t h1[1] = {(size_t)1 << 62};
        OPEN(p, "u1", modes[m], 0, h1, 1, 'C',
             (m == 0 || m == 3) ? MM_E_FILE_TOO_SMALL : MM_E_IO, 1);
        /* one more than the file has */
        size_t one_more[1] = {4097};
        if (m == 0 || m == 3) OPEN(p, "u1", modes[m], 0, one_more, 1, 'C', MM_E_FILE_TOO_SMALL, 1);
        /* too many dimensions */
        size_t many[65];
        for (int i = 0; i < 65; i++) many[i] = 1;
        OPEN(p, "u1", modes[m], 0, many, 65, 'C', MM_E_INVALID_ARG, 1);
        mm_array h64 = OPEN(p, "u1", modes[m], 0, many, 64, 'C', MM_OK, !w);
        TRUE_(mm_ndim(h64) == 64 && mm_size(h64) == 1);
        closed_ok(h64);
        if (w) make_file(p, 4096); /* w+ sized it to 1 byte */
    }
    make_file(in_dir("plain.bin"), 4096); /* w+ above emptied it */
    /* A size that does not divide: inferred shape. */
    OPEN(p, "f8", "r", 1, NULL, 0, 'C', MM_E_SIZE_MISMATCH, 1);
    OPEN(p, "V0", "r", 0, NULL, 0, 'C', MM_E_INVALID_ARG, 1);
}

static void offsets(void) {
    const char *p = in_dir("plain.bin"); /* 4096 bytes */
    size_t s1[1] = {1};
    const char *modes[] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        int ro = m != 1;
        mm_array h = OPEN(p, "u1", modes[m], 0, NULL, 0, 'C', MM_OK, 1);
        TRUE_(mm_size(h) == 4096);
        closed_ok(h);
        h = OPEN(p, "<u2", modes[m], 3, s1, 1, 'C', MM_OK, 1); /* odd offset, unaligned */
        TRUE_(((const unsigned char *)mm_data(h))[0] == 3 && !(mm_flags(h) & MM_ALIGNED));
        closed_ok(h);
        h = OPEN(p, "<u2", modes[m], 4095, NULL, 0, 'C', MM_E_SIZE_MISMATCH, 1);
        h = OPEN(p, "u1", modes[m], 4095, NULL, 0, 'C', MM_OK, 1);
        TRUE_(mm_size(h) == 1 && *(unsigned char *)mm_data(h) == 0xff);
        closed_ok(h);
        h = OPEN(p, "u1", modes[m], 4096, NULL, 0, 'C', MM_OK, 1); /* at EOF: shape (0,) */
        TRUE_(mm_size(h) == 0);
        closed_ok(h);
        h = OPEN(p, "u1", modes[m], 4096, s1, 1, 'C', ro ? MM_E_FILE_TOO_SMALL : MM_OK, ro);
        if (!ro) {
            closed_ok(h);
            make_file(p, 4096);
        }
        OPEN(p, "u1", modes[m], 4097, NULL, 0, 'C', MM_E_FILE_TOO_SMALL, 1); /* past EOF */
        uint64_t near[] = {UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63, ((uint64_t)1 << 63) - 1};
        for (int i = 0; i < 4; i++) {
            OPEN(p, "u1", modes[m], near[i], s1, 1, 'C', MM_E_INVALID_ARG, 1);
            OPEN(p, "u1", modes[m], near[i], NULL, 0, 'C', MM_E_FILE_TOO_SMALL, 1);
        }
        /* offset + 1 byte == 2^63 - 1: representable; r/c too small, r+ cannot map there */
        OPEN(p, "u1", modes[m], ((uint64_t)1 << 63) - 2, s1, 1, 'C',
             ro ? MM_E_FILE_TOO_SMALL : MM_E_IO, 1);
        size_t z[1] = {0};
        h = OPEN(p, "u1", modes[m], 4096, z, 1, 'C', MM_OK, 1);
        closed_ok(h);
        h = OPEN(p, "u1", modes[m], 4097, z, 1, 'C', ro ? MM_E_FILE_TOO_SMALL : MM_OK, ro);
        if (!ro) {
            struct stat st;
            TRUE_(stat(p, &st) == 0 && st.st_size == 4097); /* r+ extends to offset + 0 */
            closed_ok(h);
            make_file(p, 4096);
        }
    }
}

/* Every function that takes a handle, given a bad one. */
static void bad_handle_everywhere(mm_array bad) {
    mm_array v = 5;
    size_t s1[1] = {1};
    unsigned char b = 0;
    CHECK(mm_close(bad), MM_E_BAD_HANDLE);
    CHECK(mm_flush(bad), MM_E_BAD_HANDLE);
    CHECK(mm_view(bad, NULL, 0, s1, 1, NULL, &v), MM_E_BAD_HANDLE);
    TRUE_(v == 0);
    v = 5;
    CHECK(mm_slice(bad, 0, 0, 1, 1, &v), MM_E_BAD_HANDLE);
    TRUE_(v == 0);
    uint64_t resident = 77;
    CHECK(mm_flush_range(bad, 0, 1), MM_E_BAD_HANDLE);
    CHECK(mm_flush_async(bad), MM_E_BAD_HANDLE);
    CHECK(mm_advise(bad, MM_ADVICE_NORMAL), MM_E_BAD_HANDLE);
    CHECK(mm_resident(bad, &resident), MM_E_BAD_HANDLE);
    CHECK(mm_lock(bad), MM_E_BAD_HANDLE);
    CHECK(mm_unlock(bad), MM_E_BAD_HANDLE);
    CHECK(mm_save_npy(bad, in_dir("never.npy")), MM_E_BAD_HANDLE);
    TRUE_(access(in_dir("never.npy"), F_OK) != 0);
    const char *fname = "x";
    CHECK(mm_field(bad, 0, &fname, NULL, NULL, NULL, NULL), MM_E_BAD_HANDLE);
    cases++;
    if (mm_field_count(bad) != 0) FAIL("mm_field_count on a bad handle");
    void *tensor = &v;
    CHECK(mm_to_dlpack(bad, &tensor), MM_E_BAD_HANDLE);
    TRUE_(tensor == NULL);
    CHECK(mm_read_at(bad, 0, &b, 1), MM_E_BAD_HANDLE);
    CHECK(mm_write_at(bad, 0, &b, 1), MM_E_BAD_HANDLE);
#define GETTER(call, zero)                                                             \
    do {                                                                               \
        cases++;                                                                       \
        if ((call) != (zero)) FAIL("%s on a bad handle", #call);                       \
        if (!strstr(mm_last_error_message(), "not open")) FAIL("%s: message", #call);  \
    } while (0)
    GETTER(mm_data(bad), NULL);
    GETTER(mm_ndim(bad), 0);
    GETTER(mm_shape(bad), NULL);
    GETTER(mm_strides(bad), NULL);
    GETTER(mm_itemsize(bad), 0);
    GETTER(mm_size(bad), 0);
    GETTER(mm_nbytes(bad), 0);
    GETTER(mm_dtype(bad), NULL);
    GETTER(mm_mode(bad), NULL);
    GETTER(mm_offset(bad), 0);
    GETTER(mm_filename(bad), NULL);
    GETTER(mm_flags(bad), 0);
    GETTER(mm_scalar_kind(bad), -1);
    {
        mm_info info;
        size_t needed = 1;
        cases++;
        if (mm_describe(bad, &info, NULL, 0, &needed) != MM_E_BAD_HANDLE || needed != 0 || info.ndim != 0)
            FAIL("mm_describe on a bad handle");
        if (!strstr(mm_last_error_message(), "not open")) FAIL("mm_describe: message");
    }
}

/* .npy entry points: NULLs, bad strings, special paths, fields out of range. Every
 * failure leaves the files as they were and creates nothing (no temporary either). */
static void npy_calls(void) {
    const char *p = in_dir("plain.bin");
    const char *npy = in_dir("a.npy");
    size_t shape2[2] = {3, 4};
    mm_array h = 7;
    char *huge = malloc((1 << 20) + 1);
    memset(huge, 'B', 1 << 20);
    huge[1 << 20] = 0;
    struct snap before = take(npy);
    /* mm_create_npy: path, dtype and out are required; shape NULL only with ndim 0 */
    CHECK(mm_create_npy(NULL, "<f8", shape2, 2, 'C', &h), MM_E_INVALID_ARG);
    TRUE_(h == 0);
    CHECK(mm_create_npy(npy, NULL, shape2, 2, 'C', &h), MM_E_INVALID_ARG);
    CHECK(mm_create_npy(npy, "<f8", NULL, 2, 'C', &h), MM_E_INVALID_ARG);
    CHECK(mm_create_npy(npy, "<f8", shape2, 2, 'C', NULL), MM_E_INVALID_ARG);
    const char *bad_dtypes[] = {"", "zz", "\xff", "[('x', '<f4'", "[('x', 'zz')]", huge};
    for (size_t i = 0; i < sizeof bad_dtypes / sizeof *bad_dtypes; i++)
        CHECK(mm_create_npy(npy, bad_dtypes[i], shape2, 2, 'C', &h), MM_E_INVALID_ARG);
    CHECK(mm_create_npy(npy, "O", shape2, 2, 'C', &h), MM_E_UNSUPPORTED);
    CHECK(mm_create_npy(npy, "<f8", shape2, 2, 'X', &h), MM_E_INVALID_ARG);
    size_t over[2] = {SIZE_MAX, 2};
    CHECK(mm_create_npy(npy, "<f8", over, 2, 'C', &h), MM_E_INVALID_ARG);
    same(npy, before, __LINE__);
    CHECK(mm_create_npy(in_dir("adir"), "<f8", shape2, 2, 'C', &h), MM_E_IO);
    CHECK(mm_create_npy(huge, "<f8", shape2, 2, 'C', &h), MM_E_IO);
    /* mm_open_npy: path and out required; mode NULL means r+; w+ is not accepted */
    mm_array a = 0;
    CHECK(mm_create_npy(npy, "<f8", shape2, 2, 'C', &a), MM_OK);
    closed_ok(a);
    before = take(npy);
    CHECK(mm_open_npy(NULL, "r", &h), MM_E_INVALID_ARG);
    CHECK(mm_open_npy(npy, "r", NULL), MM_E_INVALID_ARG);
    const char *bad_modes[] = {"", "w+", "write", "x", "\xff", huge};
    for (size_t i = 0; i < sizeof bad_modes / sizeof *bad_modes; i++) {
        CHECK(mm_open_npy(npy, bad_modes[i], &h), MM_E_INVALID_ARG);
        TRUE_(h == 0);
    }
    CHECK(mm_open_npy(in_dir("missing.npy"), "r", &h), MM_E_NOT_FOUND);
    CHECK(mm_open_npy(in_dir("adir"), "r", &h), MM_E_IO);
    CHECK(mm_open_npy(in_dir("fifo"), "r", &h), MM_E_IO);
    CHECK(mm_open_npy("/dev/null", "r", &h), MM_E_IO);
    CHECK(mm_open_npy(p, "r", &h), MM_E_FORMAT); /* not a .npy file */
    CHECK(mm_open_npy(huge, "r", &h), MM_E_IO);
    same(npy, before, __LINE__);
    CHECK(mm_open_npy(npy, NULL, &a), MM_OK);
    TRUE_(strcmp(mm_mode(a), "r+") == 0 && mm_field_count(a) == 0);
    /* mm_field on a non-record array: any index is out of range; NULL outs are fine */
    CHECK(mm_field(a, 0, NULL, NULL, NULL, NULL, NULL), MM_E_INVALID_ARG);
    CHECK(mm_field(a, SIZE_MAX, NULL, NULL, NULL, NULL, NULL), MM_E_INVALID_ARG);
    /* mm_save_npy: path required; a directory, a missing directory, a huge name */
    CHECK(mm_save_npy(a, NULL), MM_E_INVALID_ARG);
    CHECK(mm_save_npy(a, ""), MM_E_INVALID_ARG);
    struct snap dir_before = take(in_dir("adir"));
    CHECK(mm_save_npy(a, in_dir("adir")), MM_E_IO);
    same(in_dir("adir"), dir_before, __LINE__);
    CHECK(mm_save_npy(a, in_dir("nowhere/x.npy")), MM_E_NOT_FOUND);
    CHECK(mm_save_npy(a, huge), MM_E_IO);
    closed_ok(a);
    /* a record array: fields 0..count-1 exist, count does not */
    size_t one[1] = {2};
    CHECK(mm_create_npy(in_dir("rec.npy"), "[('x', '<f4'), ('y', '<i8', (3,))]", one, 1, 'C', &a),
          MM_OK);
    TRUE_(mm_field_count(a) == 2);
    const char *name = NULL, *dt = NULL;
    size_t off = 99, nd = 99;
    const size_t *fs = NULL;
    CHECK(mm_field(a, 1, &name, &dt, &off, &nd, &fs), MM_OK);
    TRUE_(strcmp(name, "y") == 0 && off == 4 && nd == 1 && fs[0] == 3);
    CHECK(mm_field(a, 2, &name, &dt, &off, &nd, &fs), MM_E_INVALID_ARG);
    closed_ok(a);
    /* no temporary file anywhere in the test directory after all of this */
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q tmp", dir);
    TRUE_(system(cmd) != 0);
    free(huge);
}

/* The controls: mm_open_ex flags, advice values, flush ranges at the edges, NULL out. */
static void controls(void) {
    const char *p = in_dir("plain.bin"); /* 4096 bytes */
    size_t s100[1] = {100};
    mm_array h = 5;
    uint32_t bad_flags[] = {4, 8, 0x80000000u, 0xffffffffu, MM_OPEN_POPULATE | 4};
    for (size_t i = 0; i < sizeof bad_flags / sizeof *bad_flags; i++) {
        struct snap before = take(in_dir("ex-new.bin"));
        CHECK(mm_open_ex(in_dir("ex-new.bin"), "u1", "w+", 0, s100, 1, 'C', bad_flags[i], &h),
              MM_E_INVALID_ARG);
        TRUE_(h == 0);
        same(in_dir("ex-new.bin"), before, __LINE__);
    }
    struct snap before = take(in_dir("ex-new.bin"));
    CHECK(mm_open_ex(in_dir("ex-new.bin"), "u1", "w+", 0, s100, 1, 'C', 0, NULL), MM_E_INVALID_ARG);
    CHECK(mm_open_ex(NULL, "u1", "w+", 0, s100, 1, 'C', 0, &h), MM_E_INVALID_ARG);
    same(in_dir("ex-new.bin"), before, __LINE__);
    mm_array a = 0;
    CHECK(mm_open_ex(p, "u1", "r", 100, s100, 1, 'C', MM_OPEN_POPULATE, &a), MM_OK);
    int32_t bad_advice[] = {-1, 8, 100, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad_advice / sizeof *bad_advice; i++)
        CHECK(mm_advise(a, bad_advice[i]), MM_E_INVALID_ARG);
    CHECK(mm_advise(a, MM_ADVICE_POPULATE_WRITE), MM_E_READ_ONLY);
    CHECK(mm_resident(a, NULL), MM_E_INVALID_ARG);
    /* flush ranges at the view's edges +-1 (mode r: MM_OK and no effect when in range) */
    CHECK(mm_flush_range(a, 0, 100), MM_OK);
    CHECK(mm_flush_range(a, 100, 0), MM_OK);
    CHECK(mm_flush_range(a, 0, 101), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_flush_range(a, 101, 0), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_flush_range(a, 99, 2), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_flush_range(a, UINT64_MAX, 1), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_flush_range(a, 1, UINT64_MAX), MM_E_OUT_OF_BOUNDS);
    closed_ok(a);
    /* the same in r+, where the flush is real; the file must not change */
    CHECK(mm_open_ex(p, "u1", "r+", 100, s100, 1, 'C', MM_OPEN_PREALLOCATE, &a), MM_OK);
    before = take(p);
    CHECK(mm_flush_range(a, 0, 100), MM_OK);
    CHECK(mm_flush_range(a, 0, 101), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_flush_range(a, UINT64_MAX - 1, 2), MM_E_OUT_OF_BOUNDS);
    same(p, before, __LINE__);
    closed_ok(a);
}

static void handles(void) {
    const char *p = in_dir("plain.bin");
    size_t start = mm_handle_count();
    bad_handle_everywhere(0);
    bad_handle_everywhere(0xdeadbeef12345678ull);
    bad_handle_everywhere(UINT64_MAX);
    bad_handle_everywhere(1);
    bad_handle_everywhere((uint64_t)1 << 32);
    srand(5);
    for (int i = 0; i < 20; i++)
        bad_handle_everywhere(((uint64_t)rand() << 40) ^ ((uint64_t)rand() << 8) ^ (uint64_t)rand());
    mm_array h = OPEN(p, "u1", "r", 0, NULL, 0, 'C', MM_OK, 1);
    TRUE_(mm_handle_count() == start + 1);
    bad_handle_everywhere(h + 1);
    bad_handle_everywhere(h ^ ((uint64_t)1 << 32)); /* right slot, wrong generation */
    closed_ok(h);
    bad_handle_everywhere(h); /* closed */
    /* Reused slot: the new handle has the old slot and a new generation. */
    mm_array h2 = OPEN(p, "u1", "r", 0, NULL, 0, 'C', MM_OK, 1);
    TRUE_((h2 & 0xffffffffu) == (h & 0xffffffffu) && h2 != h);
    bad_handle_everywhere(h);
    TRUE_(mm_size(h2) == 4096);
    closed_ok(h2);
    TRUE_(mm_handle_count() == start);
}

static void views_and_slices(void) {
    const char *p = in_dir("plain.bin");
    size_t n10[1] = {10};
    mm_array a = OPEN(p, "<u2", "r+", 100, n10, 1, 'C', MM_OK, 1); /* 20 bytes: file 100..120 */
    mm_array v = 0;
    int64_t offs[] = {INT64_MIN, -3, -2, -1, 0, 1, 2, 17, 18, 19, 20, 21, 22, INT64_MAX};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++) {
        for (size_t n = 0; n <= 11; n++) {
            size_t shape[1] = {n};
            int64_t b = offs[i];
            int ok = n == 0 || (b >= 0 && b <= 20 && (int64_t)(2 * n) <= 20 - b);
            struct snap before = take(p);
            CHECK(mm_view(a, NULL, b, shape, 1, NULL, &v), ok ? MM_OK : MM_E_OUT_OF_BOUNDS);
            same(p, before, __LINE__);
            if (ok) {
                /* guarded copies at the view's extent, +-1 */
                unsigned char buf[32];
                size_t ext = 2 * n;
                CHECK(mm_read_at(v, 0, buf, ext), MM_OK);
                CHECK(mm_read_at(v, 0, buf, ext + 1), MM_E_OUT_OF_BOUNDS);
                CHECK(mm_read_at(v, ext, buf, 0), MM_OK);
                CHECK(mm_read_at(v, ext + 1, buf, 0), MM_E_OUT_OF_BOUNDS);
                if (ext) CHECK(mm_read_at(v, ext - 1, buf, 1), MM_OK);
                CHECK(mm_read_at(v, ext, buf, 1), MM_E_OUT_OF_BOUNDS);
                CHECK(mm_write_at(v, ext, buf, 1), MM_E_OUT_OF_BOUNDS);
                CHECK(mm_write_at(v, UINT64_MAX, buf, 1), MM_E_OUT_OF_BOUNDS);
                CHECK(mm_read_at(v, UINT64_MAX - 1, buf, 2), MM_E_OUT_OF_BOUNDS);
                closed_ok(v);
            } else {
                TRUE_(v == 0);
            }
        }
    }
    /* Negative strides: 10 elements backwards from byte b reach b-18 .. b+2. */
    int64_t back[1] = {-2};
    for (int64_t b = 16; b <= 20; b++) {
        int ok = b == 18;
        CHECK(mm_view(a, NULL, b, n10, 1, back, &v), ok ? MM_OK : MM_E_OUT_OF_BOUNDS);
        if (ok) closed_ok(v);
    }
    /* Strides smaller than the itemsize overlap (invalid); 0 is a broadcast; huge overflow. */
    int64_t s1[1] = {1}, s0[1] = {0}, smax[1] = {INT64_MAX}, smin[1] = {INT64_MIN};
    CHECK(mm_view(a, NULL, 0, n10, 1, s1, &v), MM_E_INVALID_ARG);
    CHECK(mm_view(a, NULL, 18, n10, 1, s0, &v), MM_OK);
    closed_ok(v);
    CHECK(mm_view(a, NULL, 19, n10, 1, s0, &v), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_view(a, NULL, 0, n10, 1, smax, &v), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_view(a, NULL, 0, n10, 1, smin, &v), MM_E_OUT_OF_BOUNDS);
    size_t one[1] = {1};
    CHECK(mm_view(a, NULL, 0, one, 1, smax, &v), MM_OK); /* one element: stride unused */
    closed_ok(v);
    /* Reinterpreting dtypes at the edge: 20 bytes hold 2 f8 (16) but not 3 (24). */
    size_t two[1] = {2}, three[1] = {3};
    CHECK(mm_view(a, "f8", 4, two, 1, NULL, &v), MM_OK);
    closed_ok(v);
    CHECK(mm_view(a, "f8", 5, two, 1, NULL, &v), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_view(a, "f8", 0, three, 1, NULL, &v), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_view(a, "V20", 0, one, 1, NULL, &v), MM_OK);
    closed_ok(v);
    CHECK(mm_view(a, "V21", 0, one, 1, NULL, &v), MM_E_OUT_OF_BOUNDS);
    /* A view of a view is bounded by the array, not by the parent view. */
    mm_array mid = 0;
    CHECK(mm_view(a, NULL, 10, one, 1, NULL, &mid), MM_OK);
    CHECK(mm_view(mid, NULL, -10, n10, 1, NULL, &v), MM_OK);
    closed_ok(v);
    CHECK(mm_view(mid, NULL, -11, n10, 1, NULL, &v), MM_E_OUT_OF_BOUNDS);
    CHECK(mm_view(mid, NULL, INT64_MIN, one, 1, NULL, &v), MM_E_OUT_OF_BOUNDS);
    closed_ok(mid);

    /* Slices at every boundary +-1, against Python's slice.indices. */
    int64_t bounds[] = {INT64_MIN, -12, -11, -10, -9, -1, 0, 1, 9, 10, 11, 12, INT64_MAX};
    int64_t steps[] = {INT64_MIN, -11, -10, -2, -1, 0, 1, 2, 9, 10, 11, INT64_MAX};
    size_t nb = sizeof bounds / sizeof *bounds, ns = sizeof steps / sizeof *steps;
    for (size_t i = 0; i < nb; i++)
        for (size_t j = 0; j < nb; j++)
            for (size_t k = 0; k < ns; k++) {
                int64_t start = bounds[i], stop = bounds[j], step = steps[k];
                mm_status s = mm_slice(a, 0, start, stop, step, &v);
                if (step == 0) {
                    expect_status(s, MM_E_INVALID_ARG, __LINE__, "mm_slice step 0");
                    TRUE_(v == 0);
                    continue;
                }
                expect_status(s, MM_OK, __LINE__, "mm_slice");
                /* reference: Python's slice.indices(10) */
                __int128 len = 10, lo = step > 0 ? 0 : -1, hi = step > 0 ? len : len - 1;
                __int128 a0 = start, b0 = stop;
                if (a0 < 0) a0 += len;
                if (b0 < 0) b0 += len;
                a0 = a0 < lo ? lo : a0 > hi ? hi : a0;
                b0 = b0 < lo ? lo : b0 > hi ? hi : b0;
                __int128 count = 0;
                if (step > 0 && b0 > a0) count = (b0 - a0 - 1) / step + 1;
                if (step < 0 && a0 > b0) count = (a0 - b0 - 1) / (-(__int128)step) + 1;
                cases++;
                if ((__int128)mm_size(v) != count)
                    FAIL("slice %lld:%lld:%lld has %zu elements, expected %lld", (long long)start,
                         (long long)stop, (long long)step, mm_size(v), (long long)count);
                if (count > 0) {
                    unsigned short first;
                    CHECK(mm_read_at(v, 0, &first, 2), MM_OK);
                    unsigned char lo8 = (unsigned char)(100 + 2 * a0), hi8 = (unsigned char)(101 + 2 * a0);
                    TRUE_(first == (unsigned short)(lo8 | hi8 << 8));
                }
                closed_ok(v);
            }
    mm_array s2 = 0;
    CHECK(mm_slice(a, 1, 0, 1, 1, &s2), MM_E_INVALID_ARG);
    CHECK(mm_slice(a, SIZE_MAX, 0, 1, 1, &s2), MM_E_INVALID_ARG);
    closed_ok(a);
}

/* Removes the test directory at exit, also after a failed check (exit(1)). */
static void remove_dir(void) {
    char cmd[PATH_MAX + 32];
    if (!dir[0]) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mmarray-bad-input-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) FAIL("mkdtemp");
    atexit(remove_dir);
    make_file(in_dir("plain.bin"), 4096);
    size_t handles_at_start = mm_handle_count();

    null_pointers();
    strings();
    special_paths();
    make_file(in_dir("plain.bin"), 4096);
    shapes();
    offsets();
    npy_calls();
    controls();
    handles();
    views_and_slices();

    /* Everything this test opened is closed again. */
    if (mm_handle_count() != handles_at_start)
        FAIL("handle count %zu, expected %zu", mm_handle_count(), handles_at_start);

    printf("test_bad_input: %d cases passed\n", cases);
    return 0;
}
