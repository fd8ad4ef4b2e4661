/* Windows-only cases (issue 15), cross-built with MinGW-w64 and run under Wine by
 * scripts/test_windows.sh:
 *
 *   - a file deleted and renamed by ANOTHER process once every view is closed (no handle
 *     is kept after open, D6), and what another process can do while a view is open;
 *   - sharing modes: another process holding the file with a restrictive share mode, and
 *     another process opening it exclusively while only a view (no handle) is held;
 *   - paths with non-ASCII characters: UTF-8 in the API, the file's wide name on disk;
 *   - byte offsets past 4 GiB in a sparse file (r, r+, w+), not multiples of the 64 KiB
 *     allocation granularity;
 *   - a full disk: a 1 MiB tmpfs the stage mounts and maps as a Wine drive (argument
 *     --full-drive X:); without it the case says plainly that it did not run;
 *   - mm_open_fd on a CRT descriptor (_open);
 *   - mm_filename's rules for Windows paths (D10).
 *
 * The "other process" is this program run again with --child ACTION ... (CreateProcessW);
 * its exit code is 0 or the GetLastError() of the call it made.
 */
#include "check.h"

#include <windows.h>
#include <shellapi.h>

static wchar_t *wide(const char *utf8) {
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, NULL, 0);
    if (n <= 0) T_FAILED(1, "not UTF-8: %s", utf8);
    wchar_t *w = (wchar_t *)malloc(sizeof(wchar_t) * (size_t)n);
    MultiByteToWideChar(CP_UTF8, 0, utf8, -1, w, n);
    return w;
}

static int exists_w(const char *utf8) {
    wchar_t *w = wide(utf8);
    DWORD a = GetFileAttributesW(w);
    free(w);
    return a != INVALID_FILE_ATTRIBUTES;
}

static long long size_w(const char *utf8) {
    wchar_t *w = wide(utf8);
    WIN32_FILE_ATTRIBUTE_DATA d;
    BOOL ok = GetFileAttributesExW(w, GetFileExInfoStandard, &d);
    free(w);
    if (!ok) return -1;
    return ((long long)d.nFileSizeHigh << 32) | d.nFileSizeLow;
}

/* ---- the other process ------------------------------------------------------------ */

static DWORD child_main(int argc, wchar_t **argv) {
    /* argv: exe --child ACTION ARGS... */
    const wchar_t *act = argv[2];
    if (wcscmp(act, L"delete") == 0 && argc == 4)
        return DeleteFileW(argv[3]) ? 0 : GetLastError();
    if (wcscmp(act, L"rename") == 0 && argc == 5)
        return MoveFileExW(argv[3], argv[4], MOVEFILE_REPLACE_EXISTING) ? 0 : GetLastError();
    if (wcscmp(act, L"truncate") == 0 && argc == 4) { /* to 8 bytes */
        HANDLE h = CreateFileW(argv[3], GENERIC_READ | GENERIC_WRITE,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE) return GetLastError();
        LARGE_INTEGER to;
        to.QuadPart = 8;
        DWORD err = SetFilePointerEx(h, to, NULL, FILE_BEGIN) && SetEndOfFile(h) ? 0 : GetLastError();
        CloseHandle(h);
        return err;
    }
    if (wcscmp(act, L"open") == 0 && argc == 5) { /* open PATH SHARE (exclusive = 0) */
        DWORD share = (DWORD)wcstoul(argv[4], NULL, 10);
        HANDLE h = CreateFileW(argv[3], GENERIC_READ | GENERIC_WRITE, share, NULL, OPEN_EXISTING,
                               FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE) return GetLastError();
        CloseHandle(h);
        return 0;
    }
    if (wcscmp(act, L"hold") == 0 && argc == 7) { /* hold PATH SHARE READY DONE */
        DWORD share = (DWORD)wcstoul(argv[4], NULL, 10);
        HANDLE h = CreateFileW(argv[3], GENERIC_READ | GENERIC_WRITE, share, NULL, OPEN_EXISTING,
                               FILE_ATTRIBUTE_NORMAL, NULL);
        DWORD err = h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
        HANDLE r = CreateFileW(argv[5], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        if (r != INVALID_HANDLE_VALUE) CloseHandle(r);
        if (err != 0) return err;
        for (int i = 0; i < 6000 && GetFileAttributesW(argv[6]) == INVALID_FILE_ATTRIBUTES; i++)
            Sleep(10);
        CloseHandle(h);
        return 0;
    }
    return 9999;
}

static HANDLE spawn_child(const char *const *args, int n) {
    wchar_t exe[MAX_PATH];
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    size_t cap = 8192, len = 0;
    wchar_t *cmd = (wchar_t *)calloc(cap, sizeof(wchar_t));
    len += (size_t)swprintf(cmd + len, cap - len, L"\"%ls\" --child", exe);
    for (int i = 0; i < n; i++) {
        wchar_t *w = wide(args[i]);
        len += (size_t)swprintf(cmd + len, cap - len, L" \"%ls\"", w);
        free(w);
    }
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        T_FAILED(1, "CreateProcessW: error %lu", (unsigned long)GetLastError());
    free(cmd);
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

static DWORD child_wait(HANDLE p) {
    DWORD code = 12345;
    WaitForSingleObject(p, 60000);
    GetExitCodeProcess(p, &code);
    CloseHandle(p);
    return code;
}

static DWORD run_child(const char *const *args, int n) { return child_wait(spawn_child(args, n)); }

static DWORD child_delete(const char *path) {
    const char *a[2] = {"delete", path};
    return run_child(a, 2);
}

static DWORD child_rename(const char *from, const char *to) {
    const char *a[3] = {"rename", from, to};
    return run_child(a, 3);
}

static DWORD child_truncate(const char *path) {
    const char *a[2] = {"truncate", path};
    return run_child(a, 2);
}

static DWORD child_open(const char *path, DWORD share) {
    char s[16];
    snprintf(s, sizeof s, "%lu", (unsigned long)share);
    const char *a[3] = {"open", path, s};
    return run_child(a, 3);
}

/* Another process holds `path` open with `share` until release_hold(). */
typedef struct {
    HANDLE proc;
    char ready[600], done[600];
} hold;

static hold hold_start(const char *dir, const char *path, DWORD share) {
    hold h;
    char s[16];
    static int k;
    snprintf(s, sizeof s, "%lu", (unsigned long)share);
    snprintf(h.ready, sizeof h.ready, "%s\\ready%d", dir, k);
    snprintf(h.done, sizeof h.done, "%s\\done%d", dir, k++);
    const char *a[5] = {"hold", path, s, h.ready, h.done};
    h.proc = spawn_child(a, 5);
    for (int i = 0; i < 6000 && !exists_w(h.ready); i++) Sleep(10);
    REQUIRE(exists_w(h.ready));
    return h;
}

static DWORD hold_release(hold *h) {
    write_file(h->done, "x", 1);
    return child_wait(h->proc);
}

/* ---- cases -------------------------------------------------------------------------- */

static const size_t S4[1] = {4};

static void fill_f8(const char *path) {
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<f8", "w+", 0, S4, 1, 'C', &a));
    double *x = (double *)mm_data(a);
    for (int i = 0; i < 4; i++) x[i] = 1.5 * i;
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
}

static void test_delete_rename_after_close(void) {
    char dir[256], path[512], moved[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "data.f8");
    path_join(moved, sizeof moved, dir, "moved.f8");

    /* every mode, a view of the view, both closed: another process deletes the file */
    const char *modes[4] = {"r", "r+", "c", "w+"};
    for (int m = 0; m < 4; m++) {
        fill_f8(path);
        mm_array a = 0, v = 0;
        REQUIRE_OK(mm_open(path, "<f8", modes[m], 0, S4, 1, 'C', &a));
        REQUIRE_OK(mm_slice(a, 0, 1, 3, 1, &v));
        CHECK_OK(mm_close(a));
        CHECK_OK(mm_close(v));
        CHECK_EQ_U(child_delete(path), 0);
        CHECK(!exists_w(path));
    }

    /* renamed by another process after close; the data went with it */
    fill_f8(path);
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<f8", "r+", 0, S4, 1, 'C', &a));
    ((double *)mm_data(a))[3] = 42.25;
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_U(child_rename(path, moved), 0);
    CHECK(!exists_w(path));
    REQUIRE_OK(mm_open(moved, "<f8", "r", 0, NULL, 0, 'C', &a));
    CHECK_EQ_D(((double *)mm_data(a))[3], 42.25);
    CHECK_EQ_D(((double *)mm_data(a))[1], 1.5);
    CHECK_OK(mm_close(a));
    CHECK_EQ_U(child_delete(moved), 0);

    /* .npy and a stored .npz member: the same once closed */
    const size_t s23[2] = {2, 3};
    char npy[512], npz[512];
    path_join(npy, sizeof npy, dir, "x.npy");
    path_join(npz, sizeof npz, dir, "x.npz");
    REQUIRE_OK(mm_create_npy(npy, "<i4", s23, 2, 'C', &a));
    const char *names[1] = {"x"};
    CHECK_OK(mm_save_npz(npz, 1, names, &a, 0));
    CHECK_OK(mm_close(a));
    REQUIRE_OK(mm_open_npy(npy, "r+", &a));
    CHECK_OK(mm_close(a));
    CHECK_OK(mm_open_npz(npz, "x", "r", &a));
    if (a != 0) CHECK_OK(mm_close(a));
    CHECK_EQ_U(child_delete(npy), 0);
    CHECK_EQ_U(child_rename(npz, moved), 0);
    CHECK_EQ_U(child_delete(moved), 0);
    CHECK_EQ_U(mm_handle_count(), 0);
    tmpdir_remove(dir);
}

/* Wine or Windows: ntdll exports wine_get_version only under Wine. */
static int is_wine(void) {
    HMODULE nt = GetModuleHandleA("ntdll.dll");
    return nt != NULL && GetProcAddress(nt, "wine_get_version") != NULL;
}

/* What holds while a view is open (docs/c-api.md#platforms): memmap2 keeps one duplicate
 * of the open's file handle per mapping (for FlushFileBuffers), and every handle mmarray
 * opens shares read, write and delete. So another program may open the file with sharing,
 * rename it and delete it while views are open, but not open it exclusively (a handle is
 * open), not truncate it (ERROR_USER_MAPPED_FILE) and not rename another file over it
 * (ERROR_ACCESS_DENIED); the view keeps working on the data.
 * Once the last view is closed nothing of the file is held (test_delete_rename_after_close,
 * test_sharing_modes). */
static void test_while_open(void) {
    char dir[256], path[512], moved[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "open.f8");
    path_join(moved, sizeof moved, dir, "open-moved.f8");
    const char *where = is_wine() ? "Wine" : "Windows";
    const char *modes[3] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        fill_f8(path);
        mm_array a = 0;
        REQUIRE_OK(mm_open(path, "<f8", modes[m], 0, S4, 1, 'C', &a));
        DWORD shared = child_open(path, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
        DWORD excl = child_open(path, 0);
        DWORD trunc = child_truncate(path);
        /* another file renamed over it: refused while the view holds it (access denied) */
        char other[512];
        path_join(other, sizeof other, dir, "other.f8");
        write_file(other, "12345678", 8);
        DWORD over = child_rename(other, path);
        CHECK_EQ_U(over, ERROR_ACCESS_DENIED);
        CHECK_EQ_I(size_w(path), 32);
        CHECK_EQ_U(child_delete(other), 0);
        DWORD ren = child_rename(path, moved);
        printf("     %s, a %s view open, another process: shared open -> %lu, exclusive open -> "
               "%lu, truncate -> %lu, rename another file over it -> %lu, rename -> %lu",
               where, modes[m], (unsigned long)shared, (unsigned long)excl, (unsigned long)trunc,
               (unsigned long)over, (unsigned long)ren);
        CHECK_EQ_U(shared, 0);
        CHECK_EQ_U(excl, ERROR_SHARING_VIOLATION);
        CHECK_EQ_U(trunc, ERROR_USER_MAPPED_FILE);
        CHECK_EQ_U(ren, 0);
        CHECK_EQ_I(size_w(moved), 32);
        if (m == 1) { /* r+: a write through the view lands in the renamed file */
            ((double *)mm_data(a))[0] = -7.0;
            CHECK_OK(mm_flush(a));
            size_t n = 0;
            unsigned char *b = read_file(moved, &n);
            double d0 = 0;
            REQUIRE_EQ_U(n, 32);
            memcpy(&d0, b, 8);
            CHECK_EQ_D(d0, -7.0);
            free(b);
        }
        DWORD del = child_delete(moved);
        printf(", delete -> %lu\n", (unsigned long)del);
        CHECK_EQ_U(del, 0);
        /* the view keeps working whatever happened to the name */
        CHECK_EQ_D(((const double *)mm_data(a))[3], 4.5);
        CHECK_OK(mm_close(a));
        CHECK(!exists_w(moved));
        CHECK(!exists_w(path));
    }
    tmpdir_remove(dir);
}

static void test_sharing_modes(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "shared.f8");
    fill_f8(path);
    mm_array a = 0;

    /* no handle is kept after open: every view closed, another process can open the file
     * exclusively (while a view is open: test_while_open) */
    REQUIRE_OK(mm_open(path, "<f8", "r+", 0, S4, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_U(child_open(path, 0), 0);

    /* another process holds it with FILE_SHARE_READ only: r and c open, r+ and w+ not */
    hold h = hold_start(dir, path, FILE_SHARE_READ);
    CHECK_OK(mm_open(path, "<f8", "r", 0, S4, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_OK(mm_open(path, "<f8", "c", 0, S4, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_STATUS(mm_open(path, "<f8", "r+", 0, S4, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_MSG_HAS("mm_open");
    CHECK_EQ_U(a, 0);
    CHECK_STATUS(mm_open(path, "<f8", "w+", 0, S4, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_EQ_U(hold_release(&h), 0);

    /* held with no sharing at all: every mode is refused, the file unchanged */
    file_snap s = snap_take(path);
    h = hold_start(dir, path, 0);
    CHECK_STATUS(mm_open(path, "<f8", "r", 0, S4, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_STATUS(mm_open(path, "<f8", "w+", 0, S4, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_EQ_U(hold_release(&h), 0);
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);

    /* held with read/write/delete sharing: r+ works alongside */
    h = hold_start(dir, path, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    CHECK_OK(mm_open(path, "<f8", "r+", 0, S4, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_U(hold_release(&h), 0);
    CHECK_EQ_U(mm_handle_count(), 0);
    tmpdir_remove(dir);
}

static void test_non_ascii_paths(void) {
    char dir[256], sub[512], path[600], copy[600], npz[600];
    tmpdir_make(dir, sizeof dir);
    path_join(sub, sizeof sub, dir, "d\xc3\xafr-\xe6\x97\xa5\xe6\x9c\xac");        /* dïr-日本 */
    wchar_t *wsub = wide(sub);
    REQUIRE(CreateDirectoryW(wsub, NULL));
    path_join(path, sizeof path, sub, "donn\xc3\xa9" "es-\xcf\x80.npy");         /* données-π.npy */
    path_join(copy, sizeof copy, sub, "\xd0\xba\xd0\xbe\xd0\xbf\xd0\xb8\xd1\x8f.npy"); /* копия.npy */
    path_join(npz, sizeof npz, sub, "\xe2\x82\xac.npz");                          /* €.npz */

    const size_t s23[2] = {2, 3};
    mm_array a = 0, b = 0;
    REQUIRE_OK(mm_create_npy(path, "<i2", s23, 2, 'C', &a));
    int16_t *x = (int16_t *)mm_data(a);
    for (int i = 0; i < 6; i++) x[i] = (int16_t)(i * 11);
    CHECK_OK(mm_flush(a));
    CHECK_EQ_S(mm_filename(a), path);
    /* the name on disk is the wide form of the UTF-8 text, not its bytes as ANSI */
    CHECK(exists_w(path));
    CHECK_EQ_I(size_w(path), 128 + 12);
    WIN32_FIND_DATAW fd;
    wchar_t pat[700];
    swprintf(pat, 700, L"%ls\\*.npy", wsub);
    HANDLE f = FindFirstFileW(pat, &fd);
    REQUIRE(f != INVALID_HANDLE_VALUE);
    CHECK(wcscmp(fd.cFileName, L"donn\u00e9es-\u03c0.npy") == 0);
    FindClose(f);

    CHECK_OK(mm_save_npy(a, copy));
    CHECK_EQ_I(size_w(copy), 128 + 12);
    const char *names[1] = {"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87"}; /* ключ */
    CHECK_OK(mm_save_npz(npz, 1, names, &a, 0));
    CHECK_OK(mm_close(a));

    REQUIRE_OK(mm_open_npy(copy, "r", &b));
    CHECK_EQ_I(((const int16_t *)mm_data(b))[5], 55);
    CHECK_EQ_S(mm_filename(b), copy);
    CHECK_OK(mm_close(b));
    CHECK_OK(mm_open_npz(npz, names[0], "r", &b));
    if (b != 0) {
        CHECK_EQ_I(((const int16_t *)mm_data(b))[4], 44);
        CHECK_OK(mm_close(b));
    }
    char list[64] = {0};
    size_t needed = 0, count = 0;
    CHECK_OK(mm_npz_names(npz, list, sizeof list, &needed, &count));
    CHECK_EQ_U(count, 1);
    CHECK_EQ_S(list, names[0]);

    /* a file Windows created by its wide name opens by the UTF-8 name */
    char other[600];
    path_join(other, sizeof other, sub, "\xce\xb1\xce\xb2\xce\xb3.bin"); /* αβγ.bin */
    wchar_t *wo = wide(other);
    HANDLE h = CreateFileW(wo, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    DWORD wr = 0;
    WriteFile(h, "\x01\x02\x03\x04\x05", 5, &wr, NULL);
    CloseHandle(h);
    REQUIRE_OK(mm_open(other, NULL, "r", 0, NULL, 0, 'C', &b));
    CHECK_EQ_U(mm_size(b), 5);
    CHECK_EQ_U(((const unsigned char *)mm_data(b))[4], 5);
    CHECK_OK(mm_close(b));
    free(wo);

    /* not UTF-8: refused, nothing created */
    char bad[600];
    path_join(bad, sizeof bad, sub, "bad\xff\xfe.bin");
    CHECK_STATUS(mm_open(bad, "u1", "w+", 0, S4, 1, 'C', &b), MM_E_INVALID_ARG);
    free(wsub);
    CHECK_EQ_U(mm_handle_count(), 0);
    tmpdir_remove(dir);
}

static void test_offsets_past_4gib(void) {
    char dir[256], path[512], fresh[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "big.bin");
    path_join(fresh, sizeof fresh, dir, "fresh.bin");
    const uint64_t G4 = 4ull << 30;
    const uint64_t size = 5ull << 30, off1 = G4 + 12345, off2 = G4 + 3 * 65536 + 7;

    /* a sparse 5 GiB file with 16 known bytes at 4 GiB + 12345 */
    wchar_t *w = wide(path);
    HANDLE h = CreateFileW(w, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    DWORD ret = 0;
    DeviceIoControl(h, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &ret, NULL); /* best effort */
    LARGE_INTEGER li;
    li.QuadPart = (LONGLONG)size;
    REQUIRE(SetFilePointerEx(h, li, NULL, FILE_BEGIN) && SetEndOfFile(h));
    int64_t vals[2] = {0x0102030405060708LL, -99};
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Offset = (DWORD)off1;
    ov.OffsetHigh = (DWORD)(off1 >> 32);
    DWORD wr = 0;
    REQUIRE(WriteFile(h, vals, 16, &wr, &ov) && wr == 16);
    CloseHandle(h);

    const size_t s2[1] = {2};
    mm_array a = 0;
    REQUIRE_OK(mm_open(path, "<i8", "r", off1, s2, 1, 'C', &a));
    CHECK_EQ_U(mm_offset(a), off1);
    CHECK_EQ_I(((const int64_t *)mm_data(a))[0], 0x0102030405060708LL);
    CHECK_EQ_I(((const int64_t *)mm_data(a))[1], -99);
    CHECK_OK(mm_close(a));

    /* r+ at another unaligned offset past 4 GiB: the write reaches the file */
    REQUIRE_OK(mm_open(path, "<f8", "r+", off2, s2, 1, 'C', &a));
    ((double *)mm_data(a))[1] = 6.5;
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    double got = 0;
    uint64_t at = off2 + 8;
    memset(&ov, 0, sizeof ov);
    ov.Offset = (DWORD)at;
    ov.OffsetHigh = (DWORD)(at >> 32);
    DWORD rd = 0;
    CHECK(ReadFile(h, &got, 8, &rd, &ov) && rd == 8);
    CloseHandle(h);
    CHECK_EQ_D(got, 6.5);
    CHECK_EQ_I(size_w(path), (long long)size);

    /* the shape inferred from the bytes after an offset past 4 GiB */
    REQUIRE_OK(mm_open(path, "<i8", "r", size - 80, NULL, 0, 'C', &a));
    CHECK_EQ_U(mm_shape(a)[0], 10);
    CHECK_OK(mm_close(a));

    /* w+ of a new file at 4.5 GiB + 3: exactly offset + nbytes, sparse */
    const uint64_t off3 = G4 + (512u << 20) + 3;
    const size_t s3[1] = {3};
    REQUIRE_OK(mm_open(fresh, "<i4", "w+", off3, s3, 1, 'C', &a));
    ((int32_t *)mm_data(a))[2] = 77;
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(size_w(fresh), (long long)(off3 + 12));
    REQUIRE_OK(mm_open(fresh, "<i4", "r", off3 + 8, NULL, 0, 'C', &a));
    CHECK_EQ_I(((const int32_t *)mm_data(a))[0], 77);
    CHECK_OK(mm_close(a));
    free(w);
    tmpdir_remove(dir);
}

static const char *g_full_drive; /* e.g. "T:" (a 1 MiB tmpfs), from --full-drive */

static void test_full_disk(void) {
    if (g_full_drive == NULL) {
        printf("     NOT RUN: no full-disk drive was given (--full-drive X:); the stage mounts "
               "one only as root\n");
        return;
    }
    char dir[64], path[128], target[128];
    snprintf(dir, sizeof dir, "%s\\", g_full_drive);
    snprintf(path, sizeof path, "%s\\big.f8", g_full_drive);
    snprintf(target, sizeof target, "%s\\saved.npy", g_full_drive);

    /* preallocating 4 MiB on a 1 MiB disk fails at open and leaves nothing behind */
    const size_t big[1] = {512 * 1024};
    mm_array a = 0;
    CHECK_STATUS(mm_open_ex(path, "<f8", "w+", 0, big, 1, 'C', MM_OPEN_PREALLOCATE, &a),
                 MM_E_IO);
    printf("     preallocate on a full disk: mm_last_os_error() = %d, \"%s\"\n",
           mm_last_os_error(), mm_last_error_message());
    CHECK_EQ_U(a, 0);
    CHECK(!exists_w(path)); /* the file this call created is removed */
    if (is_wine() && strstr(mm_last_error_message(), "os error 120") != NULL) {
        /* ERROR_CALL_NOT_IMPLEMENTED: Wine 8 has no FileAllocationInfo; a library without
         * the zero-writing fallback fails there on every disk, and ENOSPC cannot be checked */
        printf("     NOT CHECKED under Wine: mm_last_os_error() == ENOSPC after a "
               "preallocation (Wine 8 does not implement FileAllocationInfo)\n");
    } else {
        CHECK_EQ_I(mm_last_os_error(), ENOSPC);
    }

    /* saving a 2 MiB array there fails, the old target stays and no temporary is left */
    char src_dir[256], src[512];
    tmpdir_make(src_dir, sizeof src_dir);
    path_join(src, sizeof src, src_dir, "src.npy");
    const size_t s2m[1] = {256 * 1024};
    REQUIRE_OK(mm_create_npy(src, "<f8", s2m, 1, 'C', &a));
    double *x = (double *)mm_data(a);
    for (size_t i = 0; i < s2m[0]; i++) x[i] = (double)i;
    write_file(target, "old", 3);
    CHECK_STATUS(mm_save_npy(a, target), MM_E_IO);
    printf("     mm_save_npy on a full disk: mm_last_os_error() = %d\n", mm_last_os_error());
    CHECK_EQ_I(mm_last_os_error(), ENOSPC);
    size_t n = 0;
    unsigned char *b = read_file(target, &n);
    CHECK_EQ_U(n, 3);
    CHECK(memcmp(b, "old", 3) == 0);
    free(b);
    const char *names[1] = {"x"};
    char npz[128];
    snprintf(npz, sizeof npz, "%s\\saved.npz", g_full_drive);
    CHECK_STATUS(mm_save_npz(npz, 1, names, &a, 0), MM_E_IO);
    CHECK(!exists_w(npz));
    CHECK_OK(mm_close(a));
    /* only the file this case wrote is on the drive */
    WIN32_FIND_DATAA fd;
    char pat[80];
    snprintf(pat, sizeof pat, "%s*", dir);
    int others = 0;
    HANDLE f = FindFirstFileA(pat, &fd);
    if (f != INVALID_HANDLE_VALUE) {
        do {
            if (strcmp(fd.cFileName, ".") && strcmp(fd.cFileName, "..") &&
                strcmp(fd.cFileName, "saved.npy")) {
                printf("     left on the full drive: %s\n", fd.cFileName);
                others++;
            }
        } while (FindNextFileA(f, &fd));
        FindClose(f);
    }
    CHECK_EQ_I(others, 0);
    DeleteFileA(target);
    tmpdir_remove(src_dir);
}

static void test_open_fd_crt(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "fd.bin");
    fill_f8(path);
    int fd = _open(path, _O_RDWR | _O_BINARY);
    REQUIRE(fd >= 0);
    REQUIRE(_lseeki64(fd, 5, SEEK_SET) == 5); /* the position is ignored and kept */
    mm_array a = 0;
    REQUIRE_OK(mm_open_fd(fd, "<f8", "r+", 8, NULL, 0, 'C', &a));
    CHECK_EQ_U(mm_size(a), 3);
    CHECK(mm_filename(a) == NULL);
    CHECK_EQ_D(((double *)mm_data(a))[0], 1.5);
    ((double *)mm_data(a))[2] = 9.75;
    CHECK_OK(mm_flush(a));
    CHECK_EQ_I(_lseeki64(fd, 0, SEEK_CUR), 5);
    CHECK(_get_osfhandle(fd) != -1); /* not closed */
    double got = 0;
    CHECK_EQ_I(pread(fd, &got, 8, 24), 8);
    CHECK_EQ_D(got, 9.75);
    CHECK_OK(mm_close(a));
    /* the mapping outlives the descriptor */
    REQUIRE_OK(mm_open_fd(fd, "<f8", "r", 0, S4, 1, 'C', &a));
    CHECK(_close(fd) == 0);
    CHECK_EQ_D(((const double *)mm_data(a))[3], 9.75);
    CHECK_OK(mm_close(a));
    /* w+ on a descriptor extends, never truncates */
    fd = _open(path, _O_RDWR | _O_BINARY);
    REQUIRE(fd >= 0);
    const size_t s6[1] = {6};
    REQUIRE_OK(mm_open_fd(fd, "<f8", "w+", 0, s6, 1, 'C', &a));
    CHECK_EQ_D(((const double *)mm_data(a))[3], 9.75);
    CHECK_OK(mm_close(a));
    CHECK(_close(fd) == 0);
    CHECK_EQ_I(size_w(path), 48);
    /* read-only descriptor: r works, r+ is refused */
    fd = _open(path, _O_RDONLY | _O_BINARY);
    REQUIRE(fd >= 0);
    CHECK_OK(mm_open_fd(fd, "<f8", "r", 0, NULL, 0, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_STATUS(mm_open_fd(fd, "<f8", "r+", 0, NULL, 0, 'C', &a), MM_E_PERMISSION);
    CHECK_MSG_HAS("mm_open_fd");
    CHECK(_close(fd) == 0);
    /* a closed descriptor */
    CHECK(mm_open_fd(fd, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK);
    CHECK_EQ_U(a, 0);
    CHECK_EQ_U(mm_handle_count(), 0);
    tmpdir_remove(dir);
}

/* mm_filename on Windows (D10, docs/c-api.md#platforms): ntpath.abspath's answer, that is
 * GetFullPathNameW's: '/' becomes a backslash, '.' and '..' collapse, a relative path is made
 * absolute against the current directory of the open, the drive letter is kept. */
static void test_filename_rules(void) {
    char dir[256], path[512], messy[600], rel[64], cwd[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "f.bin");
    write_file(path, "abcd", 4);
    char sub[512];
    path_join(sub, sizeof sub, dir, "sub");
    REQUIRE(CreateDirectoryA(sub, NULL));
    /* forward slashes, "." and ".." */
    snprintf(messy, sizeof messy, "%s", dir);
    for (char *c = messy; *c; c++)
        if (*c == '\\') *c = '/';
    strncat(messy, "/sub/./../f.bin", sizeof messy - strlen(messy) - 1);
    mm_array a = 0;
    REQUIRE_OK(mm_open(messy, NULL, "r", 0, NULL, 0, 'C', &a));
    CHECK_EQ_S(mm_filename(a), path);
    CHECK_OK(mm_close(a));
    /* relative to the current directory at open time; kept when the directory changes */
    REQUIRE(GetCurrentDirectoryA(sizeof cwd, cwd) > 0);
    REQUIRE(SetCurrentDirectoryA(sub));
    snprintf(rel, sizeof rel, "..\\f.bin");
    mm_status st = mm_open(rel, NULL, "r", 0, NULL, 0, 'C', &a);
    REQUIRE(SetCurrentDirectoryA(cwd));
    REQUIRE_STATUS(st, MM_OK);
    CHECK_EQ_S(mm_filename(a), path);
    CHECK_OK(mm_close(a));
    /* a drive-relative form of the same file: "C:" + the path without its drive */
    if (path[1] == ':') {
        REQUIRE(SetCurrentDirectoryA(dir));
        char drive_rel[16];
        snprintf(drive_rel, sizeof drive_rel, "%c:f.bin", path[0]);
        st = mm_open(drive_rel, NULL, "r", 0, NULL, 0, 'C', &a);
        REQUIRE(SetCurrentDirectoryA(cwd));
        REQUIRE_STATUS(st, MM_OK);
        CHECK_EQ_S(mm_filename(a), path);
        CHECK_OK(mm_close(a));
    }
    tmpdir_remove(dir);
}

int main(void) {
    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (argc >= 3 && wcscmp(argv[1], L"--child") == 0) return (int)child_main(argc, argv);
    static char drive[8];
    for (int i = 1; i + 1 < argc; i++)
        if (wcscmp(argv[i], L"--full-drive") == 0 && wcslen(argv[i + 1]) == 2) {
            drive[0] = (char)argv[i + 1][0];
            drive[1] = ':';
            g_full_drive = drive;
        }
    LocalFree(argv);
    /* the "path" of a crash: an in-page error must not hang the test under Wine */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    RUN(test_delete_rename_after_close);
    RUN(test_while_open);
    RUN(test_sharing_modes);
    RUN(test_non_ascii_paths);
    RUN(test_offsets_past_4gib);
    RUN(test_full_disk);
    RUN(test_open_fd_crt);
    RUN(test_filename_rules);
    return test_summary();
}
