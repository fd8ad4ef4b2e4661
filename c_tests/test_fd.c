/* mm_open_fd: maps from byte 0 whatever the position, never truncates (even w+), never
 * closes or keeps the descriptor, needs O_RDWR for r+/w+, mm_filename NULL. */
#include "check.h"

static const size_t S4[1] = {4};

#ifdef _WIN32
static int fd_is_open(int fd) { return _get_osfhandle(fd) != -1; }
#else
static int fd_is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }
#endif

static void test_fd_modes(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "fd.bin");
    unsigned char ones[12];
    memset(ones, 1, sizeof ones);
    write_file(path, ones, sizeof ones);

    int fd = open(path, O_RDWR);
    REQUIRE(fd >= 0);
    REQUIRE(lseek(fd, 7, SEEK_SET) == 7);     /* the position is ignored */
    const char *modes[] = {"r", "r+", "w+", "c", "readonly", "readwrite", "write", "copyonwrite"};
    const char *canon[] = {"r", "r+", "w+", "c", "r", "r+", "w+", "c"};
    for (int m = 0; m < 8; m++) {
        mm_array a = 0;
        REQUIRE_OK(mm_open_fd(fd, "u1", modes[m], 0, S4, 1, 'C', &a));
        CHECK_EQ_S(mm_mode(a), canon[m]);
        CHECK(mm_filename(a) == NULL);
        CHECK_EQ_U(mm_offset(a), 0);
        const unsigned char *d = (const unsigned char *)mm_data(a);
        for (int k = 0; k < 4; k++) CHECK_EQ_U(d[k], 1);   /* w+ kept the bytes */
        CHECK_OK(mm_close(a));
        CHECK_EQ_I(file_size(path), 12);
        CHECK(fd_is_open(fd));
    }
    /* inferred in r / r+ / c */
    mm_array a = 0;
    REQUIRE_OK(mm_open_fd(fd, "<u2", "r", 2, NULL, 0, 'C', &a));
    CHECK_EQ_U(mm_shape(a)[0], 5);
    CHECK(mm_filename(a) == NULL);
    /* views of an fd array have no filename either */
    mm_array v = 0;
    REQUIRE_OK(mm_slice(a, 0, 1, 3, 1, &v));
    CHECK(mm_filename(v) == NULL);
    CHECK_OK(mm_close(v));
    CHECK_OK(mm_close(a));

    /* w+ and r+ extend (never truncate) to offset + nbytes */
    size_t s10[1] = {10};
    REQUIRE_OK(mm_open_fd(fd, "<u2", "w+", 4, s10, 1, 'C', &a));
    CHECK_EQ_I(file_size(path), 24);
    const unsigned char *d = (const unsigned char *)mm_data(a);
    CHECK_EQ_U(d[0], 1);
    CHECK_EQ_U(d[7], 1);
    CHECK_EQ_U(d[8], 0);
    CHECK_OK(mm_close(a));
    REQUIRE_OK(mm_open_fd(fd, "u1", "r+", 30, S4, 1, 'C', &a));
    CHECK_EQ_I(file_size(path), 34);
    CHECK_OK(mm_close(a));
    REQUIRE_OK(mm_open_fd(fd, "u1", "w+", 0, S4, 1, 'C', &a));
    CHECK_EQ_I(file_size(path), 34);                    /* never shrinks */
    CHECK_OK(mm_close(a));
    /* the descriptor is neither closed nor kept: still ours, and usable */
    CHECK(fd_is_open(fd));
    unsigned char c = 0;
    CHECK(pread(fd, &c, 1, 0) == 1 && c == 1);
    CHECK(close(fd) == 0);
    tmpdir_remove(dir);
}

static void test_fd_errors(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "ro.bin");
    write_pattern_file(path, 16);

    int rfd = open(path, O_RDONLY);
    REQUIRE(rfd >= 0);
    file_snap s = snap_take(path);
    const char *writers[] = {"r+", "w+", "readwrite", "write"};
    for (int m = 0; m < 4; m++) {
        mm_array a = 777;
        CHECK_STATUS(mm_open_fd(rfd, "u1", writers[m], 0, S4, 1, 'C', &a), MM_E_PERMISSION);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open_fd");
        size_t big[1] = {100};                          /* would need an extension */
        CHECK_STATUS(mm_open_fd(rfd, "u1", writers[m], 0, big, 1, 'C', &a), MM_E_PERMISSION);
        CHECK_SNAP_UNCHANGED(s);
        CHECK(fd_is_open(rfd));
    }
    /* a read-only descriptor is fine for r and c */
    mm_array a = 0;
    REQUIRE_OK(mm_open_fd(rfd, "u1", "c", 0, NULL, 0, 'C', &a));
    ((unsigned char *)mm_data(a))[0] = 0xff;            /* private copy */
    CHECK_OK(mm_close(a));
    CHECK_SNAP_UNCHANGED(s);

    /* argument errors before anything happens */
    CHECK_STATUS(mm_open_fd(rfd, "zz", "r", 0, S4, 1, 'C', &a), MM_E_INVALID_ARG);
    CHECK_MSG_HAS("mm_open_fd");
    CHECK_STATUS(mm_open_fd(rfd, "u1", "w", 0, S4, 1, 'C', &a), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_open_fd(rfd, "u1", "w+", 0, NULL, 0, 'C', &a), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_open_fd(rfd, "u1", "r", 0, S4, 1, 'Q', &a), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_open_fd(rfd, "u1", "r", 0, S4, 1, 'C', NULL), MM_E_INVALID_ARG);
    CHECK_STATUS(mm_open_fd(rfd, "u1", "r", 13, S4, 1, 'C', &a), MM_E_FILE_TOO_SMALL);
    CHECK_STATUS(mm_open_fd(rfd, "<f8", "r", 0, NULL, 0, 'C', &a), MM_OK);
    CHECK_OK(mm_close(a));
    CHECK_STATUS(mm_open_fd(rfd, "<f8", "r", 1, NULL, 0, 'C', &a), MM_E_SIZE_MISMATCH);
    CHECK_STATUS(mm_open_fd(rfd, "u1", "r", 17, NULL, 0, 'C', &a), MM_E_FILE_TOO_SMALL);
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);
    CHECK(close(rfd) == 0);

    /* a negative descriptor is an invalid argument; a closed one is an OS error */
    a = 777;
    CHECK_STATUS(mm_open_fd(-1, "u1", "r", 0, S4, 1, 'C', &a), MM_E_INVALID_ARG);
    CHECK_EQ_U(a, 0);
    CHECK_MSG_HAS("mm_open_fd");
    CHECK_STATUS(mm_open_fd(rfd, "u1", "r", 0, S4, 1, 'C', &a), MM_E_IO);
    CHECK_EQ_I(mm_last_os_error(), EBADF);

#ifndef _WIN32 /* the CRT opens no directory descriptors, and Windows has no FIFOs */
    /* a directory and a FIFO descriptor */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    REQUIRE(dfd >= 0);
    CHECK_STATUS(mm_open_fd(dfd, "u1", "r", 0, NULL, 0, 'C', &a), MM_E_IO);
    CHECK_EQ_I(mm_last_os_error(), EISDIR);
    close(dfd);
    char fifo[512];
    path_join(fifo, sizeof fifo, dir, "p");
    REQUIRE(mkfifo(fifo, 0600) == 0);
    int pfd = open(fifo, O_RDWR);                      /* O_RDWR on a FIFO does not block */
    REQUIRE(pfd >= 0);
    CHECK_STATUS(mm_open_fd(pfd, "u1", "r+", 0, S4, 1, 'C', &a), MM_E_IO);
    CHECK_EQ_I(mm_last_os_error(), ENODEV);
    CHECK_STATUS(mm_open_fd(pfd, "u1", "r", 0, NULL, 0, 'C', &a), MM_E_IO);
    CHECK_EQ_I(mm_last_os_error(), ENODEV);
    close(pfd);
#endif
    tmpdir_remove(dir);
}

static void test_fd_outlives_nothing(void) {
    /* the mapping stays usable after the caller closes the descriptor */
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "x.bin");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    size_t s3[1] = {3};
    mm_array a = 0;
    REQUIRE_OK(mm_open_fd(fd, "<i8", "w+", 0, s3, 1, 'C', &a));
    CHECK(close(fd) == 0);
    int64_t *v = (int64_t *)mm_data(a);
    v[2] = 123456789;
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    size_t n;
    unsigned char *b = read_file(path, &n);
    REQUIRE_EQ_U(n, 24);
    int64_t got;
    memcpy(&got, b + 16, 8);
    CHECK_EQ_I(got, 123456789);
    free(b);
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_fd_modes);
    RUN(test_fd_errors);
    RUN(test_fd_outlives_nothing);
    return test_summary();
}
