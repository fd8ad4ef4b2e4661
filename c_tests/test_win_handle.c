/* mm_open_handle, the Windows-only open of a Win32 HANDLE (declared under
 * #if defined(_WIN32)), cross-built with MinGW-w64 and run under Wine by
 * scripts/test_windows.sh (c_tests/windows.cmake):
 *
 *   - a HANDLE from CreateFileW: values read in r, an r+ write and extension that reach
 *     the file, the caller's handle still open and usable after mm_close (ReadFile,
 *     WriteFile, CloseHandle succeed), its file position untouched;
 *   - (HANDLE)_get_osfhandle(fd), the way an MSVC program passes its own descriptors;
 *   - a read-only handle: r+ and w+ MM_E_PERMISSION with the file unchanged, c works
 *     without reaching the file;
 *   - NULL and INVALID_HANDLE_VALUE: MM_E_INVALID_ARG, *out 0;
 *   - a pipe: MM_E_IO with errno ENODEV, the pipe still usable.
 */
#include "check.h"

#include <io.h>
#include <windows.h>

static const size_t S4[] = {4}, S6[] = {6};

static HANDLE open_w(const char *path, DWORD access) {
    wchar_t w[600];
    int n = MultiByteToWideChar(CP_UTF8, 0, path, -1, w, 600);
    REQUIRE(n > 0);
    HANDLE h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    return h;
}

static void write_i32s(const char *path, const int32_t *v, size_t n) {
    write_file(path, v, n * sizeof *v);
}

static void test_read_write_and_handle_kept(void) {
    char dir[512], path[600];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "a.i4");
    const int32_t v[4] = {10, 20, 30, 40};
    write_i32s(path, v, 4);
    HANDLE h = open_w(path, GENERIC_READ | GENERIC_WRITE);
    LARGE_INTEGER pos = {.QuadPart = 3}, now;
    REQUIRE(SetFilePointerEx(h, pos, NULL, FILE_BEGIN));

    mm_array a = 0;
    REQUIRE_OK(mm_open_handle(h, "<i4", "r", 0, NULL, 0, 'C', &a));
    CHECK_EQ_U(mm_size(a), 4);
    CHECK(mm_filename(a) == NULL);
    const int32_t *r = (const int32_t *)mm_data(a);
    CHECK_EQ_I(r[0], 10);
    CHECK_EQ_I(r[3], 40);
    CHECK_OK(mm_close(a));

    /* r+ past the end: the file grows from 16 to 24 bytes */
    REQUIRE_OK(mm_open_handle(h, "<i4", "r+", 0, S6, 1, 'C', &a));
    int32_t *w = (int32_t *)mm_data(a);
    w[1] = -5;
    w[5] = 777;
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(path), 24);

    /* the caller's handle: still open, position where it was, reads and writes */
    LARGE_INTEGER zero = {.QuadPart = 0};
    REQUIRE(SetFilePointerEx(h, zero, &now, FILE_CURRENT));
    CHECK_EQ_I(now.QuadPart, 3);
    pos.QuadPart = 20;
    REQUIRE(SetFilePointerEx(h, pos, NULL, FILE_BEGIN));
    int32_t got = 0;
    DWORD n = 0;
    CHECK(ReadFile(h, &got, sizeof got, &n, NULL));
    CHECK_EQ_I(n, 4);
    CHECK_EQ_I(got, 777);
    int32_t nine = 9;
    REQUIRE(SetFilePointerEx(h, zero, NULL, FILE_BEGIN));
    CHECK(WriteFile(h, &nine, sizeof nine, &n, NULL));
    CHECK(CloseHandle(h));
    size_t len = 0;
    int32_t *all = (int32_t *)read_file(path, &len);
    CHECK_EQ_U(len, 24);
    const int32_t want[6] = {9, -5, 30, 40, 0, 777};
    CHECK(memcmp(all, want, sizeof want) == 0);
    free(all);
    tmpdir_remove(dir);
}

static void test_crt_descriptor_as_handle(void) {
    char dir[512], path[600];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "b.i4");
    const int32_t v[4] = {1, 2, 3, 4};
    write_i32s(path, v, 4);
    int fd = _open(path, _O_RDWR | _O_BINARY);
    REQUIRE(fd >= 0);
    mm_array a = 0;
    REQUIRE_OK(mm_open_handle((HANDLE)_get_osfhandle(fd), "<i4", "r+", 0, S4, 1, 'C', &a));
    ((int32_t *)mm_data(a))[2] = 33;
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(_close(fd), 0); /* still open: ours to close */
    size_t len = 0;
    int32_t *all = (int32_t *)read_file(path, &len);
    CHECK_EQ_U(len, 16);
    CHECK_EQ_I(all[2], 33);
    free(all);
    tmpdir_remove(dir);
}

static void test_read_only_handle(void) {
    char dir[512], path[600];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "ro.i4");
    const int32_t v[4] = {5, 6, 7, 8};
    write_i32s(path, v, 4);
    HANDLE h = open_w(path, GENERIC_READ);
    file_snap s = snap_take(path);
    mm_array a = 99;
    CHECK_STATUS(mm_open_handle(h, "<i4", "r+", 0, S4, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_EQ_U(a, 0);
    CHECK_MSG_HAS("mm_open_handle(handle ");
    CHECK_STATUS(mm_open_handle(h, "<i4", "r+", 0, S6, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_STATUS(mm_open_handle(h, "<i4", "w+", 0, S6, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_SNAP_UNCHANGED(s);
    REQUIRE_OK(mm_open_handle(h, "<i4", "c", 0, NULL, 0, 'C', &a));
    ((int32_t *)mm_data(a))[0] = -1;
    CHECK_EQ_I(((int32_t *)mm_data(a))[0], -1);
    CHECK_OK(mm_close(a));
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);
    CHECK(CloseHandle(h));
    tmpdir_remove(dir);
}

static void test_null_invalid_and_pipe(void) {
    mm_array a = 99;
    CHECK_STATUS(mm_open_handle(NULL, "u1", "r", 0, NULL, 0, 'C', &a), MM_E_INVALID_ARG);
    CHECK_EQ_U(a, 0);
    CHECK_MSG_HAS("NULL");
    a = 99;
    CHECK_STATUS(mm_open_handle(INVALID_HANDLE_VALUE, "u1", "r", 0, NULL, 0, 'C', &a),
                 MM_E_INVALID_ARG);
    CHECK_EQ_U(a, 0);
    CHECK_MSG_HAS("INVALID_HANDLE_VALUE");

    HANDLE rd, wr;
    REQUIRE(CreatePipe(&rd, &wr, NULL, 0));
    CHECK_STATUS(mm_open_handle(rd, "u1", "r", 0, S4, 1, 'C', &a), MM_E_IO);
    CHECK_EQ_I(mm_last_os_error(), ENODEV);
    CHECK_MSG_HAS("a pipe");
    CHECK_STATUS(mm_open_handle(wr, "u1", "r+", 0, S4, 1, 'C', &a), MM_E_IO);
    DWORD n = 0;
    char buf[2] = {0, 0};
    CHECK(WriteFile(wr, "ok", 2, &n, NULL));
    CHECK(ReadFile(rd, buf, 2, &n, NULL));
    CHECK(buf[0] == 'o' && buf[1] == 'k');
    CHECK(CloseHandle(rd));
    CHECK(CloseHandle(wr));
}

int main(void) {
    RUN(test_read_write_and_handle_kept);
    RUN(test_crt_descriptor_as_handle);
    RUN(test_read_only_handle);
    RUN(test_null_invalid_and_pipe);
    CHECK_EQ_U(mm_handle_count(), 0);
    return test_summary();
}
