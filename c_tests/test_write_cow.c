/* Writes: r+ / w+ writes reach the file (visible to plain read() before any flush),
 * copy-on-write never changes the file, flush is a no-op in r and c. */
#include "check.h"

static void test_r_plus_visible_to_read(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "rw.bin");
    write_pattern_file(path, 8192 + 64);

    size_t shape[2] = {4, 4};
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<i4", "r+", 8192, shape, 2, 'F', &a));
    int32_t *d = (int32_t *)mm_data(a);
    /* element (1,2) of a (4,4) F array is word 1 + 2*4 = 9 */
    *(int32_t *)((char *)d + 1 * mm_strides(a)[0] + 2 * mm_strides(a)[1]) = -42;

    /* visible to read() right away, before any flush */
    int fd = open(path, O_RDONLY);
    REQUIRE(fd >= 0);
    int32_t got = 0;
    CHECK(pread(fd, &got, 4, 8192 + 9 * 4) == 4);
    CHECK_EQ_I(got, -42);
    /* and to another mapping of the file */
    mm_array b = 0;
    REQUIRE_OK(mm_open(path, "<i4", "r", 8192, NULL, 0, 'C', &b));
    CHECK_EQ_I(((const int32_t *)mm_data(b))[9], -42);
    CHECK_OK(mm_close(b));

    /* writes through another r+ mapping show up in the first one */
    mm_array c = 0;
    REQUIRE_OK(mm_open(path, "u1", "readwrite", 0, NULL, 0, 'C', &c));
    ((unsigned char *)mm_data(c))[8192] = 0x5a;
    CHECK_EQ_U(((const unsigned char *)d)[0], 0x5a);
    CHECK_OK(mm_flush(c));
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(c));
    CHECK_OK(mm_close(a));
    /* after close the bytes are still in the file (close does not lose writes) */
    unsigned char byte = 0;
    CHECK(pread(fd, &byte, 1, 8192) == 1);
    CHECK_EQ_U(byte, 0x5a);
    CHECK(pread(fd, &byte, 1, 8191) == 1);
    CHECK_EQ_U(byte, pattern_byte(8191));
    close(fd);
    CHECK_EQ_I(file_size(path), 8192 + 64);
    tmpdir_remove(dir);
}

static void test_w_plus_roundtrip(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "w.bin");
    size_t shape[1] = {1000};
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<f8", "w+", 3, shape, 1, 'C', &a));
    unsigned char *d = (unsigned char *)mm_data(a);
    for (int i = 0; i < 1000; i++) {
        double v = i * 0.5;
        memcpy(d + 8 * i, &v, 8);                      /* unaligned: offset 3 */
    }
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 8003);
    REQUIRE_OK(mm_open(path, "<f8", "r", 3, NULL, 0, 'C', &a));
    CHECK_EQ_U(mm_size(a), 1000);
    double v;
    memcpy(&v, (const unsigned char *)mm_data(a) + 8 * 999, 8);
    CHECK_EQ_D(v, 499.5);
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_copy_on_write(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "cow.bin");
    write_pattern_file(path, 3 * 4096 + 5);
    struct stat before;
    REQUIRE(stat(path, &before) == 0);
    file_snap s = snap_take(path);

    mm_array a = 0, r = 0;
    REQUIRE_OK(mm_open(path, "u1", "c", 0, NULL, 0, 'C', &a));
    REQUIRE_OK(mm_open(path, "u1", "r", 0, NULL, 0, 'C', &r));
    CHECK_EQ_U(mm_flags(a) & MM_WRITEABLE, MM_WRITEABLE);
    unsigned char *d = (unsigned char *)mm_data(a);
    for (size_t i = 0; i < 3 * 4096 + 5; i += 100) d[i] = (unsigned char)~d[i];
    d[3 * 4096 + 4] = 0;
    /* the private copy sees its own writes ... */
    CHECK_EQ_U(d[100], (unsigned char)~pattern_byte(100));
    /* ... nobody else does */
    CHECK_EQ_U(((const unsigned char *)mm_data(r))[100], pattern_byte(100));
    int fd = open(path, O_RDONLY);
    unsigned char byte = 0;
    CHECK(pread(fd, &byte, 1, 100) == 1);
    CHECK_EQ_U(byte, pattern_byte(100));
    close(fd);
    /* flush is MM_OK and does nothing, for the array and for views of it */
    CHECK_OK(mm_flush(a));
    mm_array v = 0;
    size_t s8[1] = {8};
    REQUIRE_OK(mm_view(a, NULL, 96, s8, 1, NULL, &v));
    CHECK_EQ_U(((unsigned char *)mm_data(v))[4], (unsigned char)~pattern_byte(100));
    CHECK_OK(mm_flush(v));
    CHECK_OK(mm_close(v));
    CHECK_OK(mm_flush(r));
    CHECK_OK(mm_close(a));
    CHECK_OK(mm_close(r));
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);
    struct stat after;
    REQUIRE(stat(path, &after) == 0);
#ifdef _WIN32
    CHECK_EQ_I(after.st_mtime, before.st_mtime); /* the CRT's stat has whole seconds only */
#else
    CHECK_EQ_I(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    CHECK_EQ_I(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
#endif

    /* a second c mapping starts from the file again, not from the first one's copy */
    REQUIRE_OK(mm_open(path, "u1", "copyonwrite", 0, NULL, 0, 'C', &a));
    CHECK_EQ_U(((const unsigned char *)mm_data(a))[100], pattern_byte(100));
    CHECK_EQ_S(mm_mode(a), "c");
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

static void test_flush_read_only(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "ro.bin");
    write_pattern_file(path, 64);
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "u1", "r", 0, NULL, 0, 'C', &a));
    CHECK_EQ_U(mm_flags(a) & MM_WRITEABLE, 0);
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_r_plus_visible_to_read);
    RUN(test_w_plus_roundtrip);
    RUN(test_copy_on_write);
    RUN(test_flush_read_only);
    return test_summary();
}
