/* Error reporting: every reachable status code of mm_open, the thread's last-error slot,
 * mm_status_str, mm_last_error_copy, mm_last_os_error, and "a failed open leaves the file
 * exactly as it was and creates nothing".
 *
 * Not reachable through the v0.1 main sections (so not tested here):
 *   MM_E_READ_ONLY  - no main-section call writes on the library's side
 *   MM_E_FORMAT     - comes with the .npy functions
 *   MM_E_PANIC      - needs an internal bug
 * MM_E_BAD_HANDLE is tested in test_handles.c, MM_E_OUT_OF_BOUNDS in test_views.c. */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static const size_t S0[1] = {0};

static void *fresh_thread_body(void *arg) {
    (void)arg;
    /* before any failure on this thread: "" (never NULL), errno 0 */
    const char *m = mm_last_error_message();
    CHECK(m != NULL);
    if (m) CHECK_EQ_S(m, "");
    CHECK_EQ_I(mm_last_os_error(), 0);
    CHECK_EQ_U(mm_last_error_copy(NULL, 0), 1);
    char buf[8] = "xxxxxxx";
    CHECK_EQ_U(mm_last_error_copy(buf, sizeof buf), 1);
    CHECK_EQ_S(buf, "");
    /* successful calls do not create an error */
    CHECK(mm_version() != 0);
    CHECK_EQ_S(mm_last_error_message(), "");
    return NULL;
}

static void test_fresh_thread_has_no_error(void) {
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, fresh_thread_body, NULL) == 0);
    pthread_join(t, NULL);
}

static void test_status_str(void) {
    const mm_status codes[] = {MM_OK, MM_E_INVALID_ARG, MM_E_NOT_FOUND, MM_E_PERMISSION, MM_E_IO,
                               MM_E_FILE_TOO_SMALL, MM_E_SIZE_MISMATCH, MM_E_READ_ONLY,
                               MM_E_FORMAT, MM_E_UNSUPPORTED, MM_E_BAD_HANDLE,
                               MM_E_OUT_OF_BOUNDS, MM_E_PANIC};
    const int expected_values[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99};
    const size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ_I(codes[i], expected_values[i]);
        const char *s = mm_status_str(codes[i]);
        CHECK(s != NULL && s[0] != '\0');
        if (s) CHECK(strcmp(s, "unknown status") != 0);
        for (size_t j = 0; j < i; j++) CHECK(s && strcmp(s, mm_status_str(codes[j])) != 0);
        CHECK(s == mm_status_str(codes[i]) || strcmp(s, mm_status_str(codes[i])) == 0);
    }
    const mm_status unknown[] = {-1, 12, 13, 98, 100, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK_EQ_S(mm_status_str(unknown[i]), "unknown status");
}

static void test_last_error_copy_and_persistence(void) {
    mm_array a = 12345;
    CHECK_STATUS(mm_open(NULL, "u1", "r", 0, NULL, 0, 'C', &a), MM_E_INVALID_ARG);
    CHECK_EQ_U(a, 0);
    CHECK_MSG_HAS("mm_open");
    CHECK_EQ_I(mm_last_os_error(), 0);

    const char *msg = mm_last_error_message();
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", msg);
    size_t len = strlen(saved);
    CHECK(len > 0);

    /* snprintf-like: returns the length needed including the NUL */
    CHECK_EQ_U(mm_last_error_copy(NULL, 0), len + 1);
    char big[1024];
    CHECK_EQ_U(mm_last_error_copy(big, sizeof big), len + 1);
    CHECK_EQ_S(big, saved);
    char small[6];
    memset(small, 'Z', sizeof small);
    CHECK_EQ_U(mm_last_error_copy(small, sizeof small), len + 1);
    CHECK_EQ_U(small[5], '\0');
    CHECK(strncmp(small, saved, 5) == 0);
    char one = 'Z';
    CHECK_EQ_U(mm_last_error_copy(&one, 1), len + 1);
    CHECK_EQ_U(one, '\0');
    char untouched = 'Z';
    CHECK_EQ_U(mm_last_error_copy(&untouched, 0), len + 1);
    CHECK_EQ_U(untouched, 'Z');

    /* successful calls leave the slot alone */
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "p.bin");
    write_pattern_file(path, 16);
    REQUIRE_OK(mm_open(path, NULL, "r", 0, NULL, 0, 'C', &a));
    CHECK_OK(mm_flush(a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_S(mm_last_error_message(), saved);

    /* the next failure replaces it, with the OS error */
    char missing[512];
    path_join(missing, sizeof missing, dir, "missing.bin");
    CHECK_STATUS(mm_open(missing, NULL, "r", 0, NULL, 0, 'C', &a), MM_E_NOT_FOUND);
    CHECK_EQ_I(mm_last_os_error(), ENOENT);
    CHECK_MSG_HAS(missing);
    CHECK(strcmp(mm_last_error_message(), saved) != 0);
    /* and an error without an OS cause resets errno to 0 */
    CHECK_STATUS(mm_open(path, "zz", "r", 0, NULL, 0, 'C', &a), MM_E_INVALID_ARG);
    CHECK_EQ_I(mm_last_os_error(), 0);
    tmpdir_remove(dir);
}

/* ---- errors before any side effect -------------------------------------------------- */

typedef struct {
    const char *what;
    const char *dtype;
    const char *mode;
    uint64_t offset;
    const size_t *shape;
    size_t ndim;
    char order;
    mm_status expected;
} bad_open;

static const size_t SHAPE4[1] = {4};
static const size_t HUGE_U1[2] = {SIZE_MAX / 2 + 1, 2};
static const size_t HUGE_F8[1] = {SIZE_MAX / 8 + 1};
static const size_t HUGE_3D[3] = {(size_t)1 << 31, (size_t)1 << 31, (size_t)1 << 31};

static void test_invalid_args_leave_file_alone(void) {
    char dir[256], existing[512], missing[512];
    tmpdir_make(dir, sizeof dir);
    path_join(existing, sizeof existing, dir, "keep.bin");
    path_join(missing, sizeof missing, dir, "never.bin");
    write_pattern_file(existing, 100);

    const char *all_modes[] = {"r", "r+", "w+", "c"};
    const bad_open cases[] = {
        {"mode w", "u1", "w", 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"mode rb", "u1", "rb", 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"mode a", "u1", "a", 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"mode x", "u1", "x", 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"mode empty", "u1", "", 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"mode w+ upper", "u1", "W+", 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"mode r++", "u1", "r++", 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"w+ without shape", "u1", "w+", 0, NULL, 0, 'C', MM_E_INVALID_ARG},
        {"write without shape", "u1", "write", 0, NULL, 0, 'C', MM_E_INVALID_ARG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *paths[2] = {existing, missing};
        for (int p = 0; p < 2; p++) {
            file_snap s = snap_take(existing);
            mm_array a = 777;
            mm_status st = mm_open(paths[p], cases[i].dtype, cases[i].mode, cases[i].offset,
                                   cases[i].shape, cases[i].ndim, cases[i].order, &a);
            CHECK_STATUS(st, cases[i].expected);
            if (st != cases[i].expected) fprintf(stderr, "  case: %s\n", cases[i].what);
            CHECK_EQ_U(a, 0);
            CHECK_MSG_HAS("mm_open");
            CHECK_SNAP_UNCHANGED(s);
            CHECK(!file_exists(missing));
            snap_free(&s);
        }
    }

    /* argument errors in every mode, on the existing file and on a missing path */
    const bad_open per_mode[] = {
        {"dtype zz", "zz", NULL, 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"dtype empty", "", NULL, 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"dtype f3", "f3", NULL, 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"dtype <x8", "<x8", NULL, 0, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"order X", "u1", NULL, 0, SHAPE4, 1, 'X', MM_E_INVALID_ARG},
        {"order z", "u1", NULL, 0, SHAPE4, 1, 'z', MM_E_INVALID_ARG},
        {"shape*itemsize overflow u1", "u1", NULL, 0, HUGE_U1, 2, 'C', MM_E_INVALID_ARG},
        {"shape*itemsize overflow f8", "<f8", NULL, 0, HUGE_F8, 1, 'C', MM_E_INVALID_ARG},
        {"shape product overflow 3d", "u1", NULL, 0, HUGE_3D, 3, 'C', MM_E_INVALID_ARG},
        {"offset+nbytes overflow", "u1", NULL, UINT64_MAX - 2, SHAPE4, 1, 'C', MM_E_INVALID_ARG},
        {"object dtype", "O", NULL, 0, SHAPE4, 1, 'C', MM_E_UNSUPPORTED},
        {"object dtype long", "object", NULL, 0, SHAPE4, 1, 'C', MM_E_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof per_mode / sizeof per_mode[0]; i++) {
        for (int m = 0; m < 4; m++) {
            const char *paths[2] = {existing, missing};
            for (int p = 0; p < 2; p++) {
                file_snap s = snap_take(existing);
                mm_array a = 777;
                mm_status st = mm_open(paths[p], per_mode[i].dtype, all_modes[m], per_mode[i].offset,
                                       per_mode[i].shape, per_mode[i].ndim, per_mode[i].order, &a);
                CHECK_STATUS(st, per_mode[i].expected);
                if (st != per_mode[i].expected)
                    fprintf(stderr, "  case: %s, mode %s, %s\n", per_mode[i].what, all_modes[m],
                            p ? "missing file" : "existing file");
                if (st == MM_OK) mm_close(a);
                else CHECK_EQ_U(a, 0);
                CHECK_MSG_HAS("mm_open");
                CHECK_SNAP_UNCHANGED(s);
                CHECK(!file_exists(missing));
                snap_free(&s);
            }
        }
    }

    /* itemsize 0 with an inferred shape (modes that allow inference) */
    const char *infer_modes[] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        file_snap s = snap_take(existing);
        mm_array a = 777;
        CHECK_STATUS(mm_open(existing, "V0", infer_modes[m], 0, NULL, 0, 'C', &a), MM_E_INVALID_ARG);
        CHECK_EQ_U(a, 0);
        CHECK_SNAP_UNCHANGED(s);
        snap_free(&s);
    }

    /* NULL path and NULL out */
    mm_array a = 777;
    CHECK_STATUS(mm_open(NULL, "u1", "r", 0, NULL, 0, 'C', &a), MM_E_INVALID_ARG);
    CHECK_EQ_U(a, 0);
    CHECK_MSG_HAS("mm_open");
    for (int m = 0; m < 4; m++) {
        file_snap s = snap_take(existing);
        CHECK_STATUS(mm_open(existing, "u1", all_modes[m], 0, SHAPE4, 1, 'C', NULL), MM_E_INVALID_ARG);
        CHECK_MSG_HAS("mm_open");
        CHECK_SNAP_UNCHANGED(s);
        CHECK_STATUS(mm_open(missing, "u1", all_modes[m], 0, SHAPE4, 1, 'C', NULL), MM_E_INVALID_ARG);
        CHECK(!file_exists(missing));
        snap_free(&s);
    }
    tmpdir_remove(dir);
}

static void test_not_found(void) {
    char dir[256], missing[512];
    tmpdir_make(dir, sizeof dir);
    path_join(missing, sizeof missing, dir, "nope.bin");
    const char *modes[] = {"r", "r+", "c", "readonly", "readwrite", "copyonwrite", NULL};
    for (int m = 0; m < 7; m++) {
        mm_array a = 777;
        CHECK_STATUS(mm_open(missing, "u1", modes[m], 0, SHAPE4, 1, 'C', &a), MM_E_NOT_FOUND);
        CHECK_EQ_U(a, 0);
        CHECK_EQ_I(mm_last_os_error(), ENOENT);
        CHECK_MSG_HAS("mm_open");
        CHECK_MSG_HAS(missing);
        CHECK(!file_exists(missing));
        a = 777;
        CHECK_STATUS(mm_open(missing, "u1", modes[m], 0, NULL, 0, 'C', &a), MM_E_NOT_FOUND);
        CHECK_EQ_U(a, 0);
        CHECK(!file_exists(missing));
    }
    tmpdir_remove(dir);
}

static void test_file_too_small_and_size_mismatch(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "small.bin");
    write_pattern_file(path, 100);
    mm_array a = 0;

    /* r and c: offset+nbytes must fit, boundary exactly */
    const char *ro[] = {"r", "c"};
    for (int m = 0; m < 2; m++) {
        size_t fit[1] = {96}, over[1] = {97};
        REQUIRE_OK(mm_open(path, "u1", ro[m], 4, fit, 1, 'C', &a));
        CHECK_OK(mm_close(a));
        file_snap s = snap_take(path);
        a = 777;
        CHECK_STATUS(mm_open(path, "u1", ro[m], 4, over, 1, 'C', &a), MM_E_FILE_TOO_SMALL);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open");
        CHECK_MSG_HAS(path);
        CHECK_MSG_HAS("100");
        size_t two[2] = {5, 5};
        CHECK_STATUS(mm_open(path, "<f4", ro[m], 1, two, 2, 'F', &a), MM_E_FILE_TOO_SMALL);
        REQUIRE_OK(mm_open(path, "<f4", ro[m], 0, two, 2, 'F', &a));
        CHECK_OK(mm_close(a));
        /* zero elements at an offset past the end still need the offset inside the file */
        REQUIRE_OK(mm_open(path, "<f8", ro[m], 100, S0, 1, 'C', &a));
        CHECK_OK(mm_close(a));
        CHECK_STATUS(mm_open(path, "<f8", ro[m], 101, S0, 1, 'C', &a), MM_E_FILE_TOO_SMALL);
        CHECK_SNAP_UNCHANGED(s);
        snap_free(&s);
    }

    /* inferred shape, offset past the end: FILE_TOO_SMALL in every mode that infers */
    const char *infer[] = {"r", "r+", "c"};
    for (int m = 0; m < 3; m++) {
        file_snap s = snap_take(path);
        a = 777;
        CHECK_STATUS(mm_open(path, "u1", infer[m], 101, NULL, 0, 'C', &a), MM_E_FILE_TOO_SMALL);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open");
        CHECK_MSG_HAS("101");
        CHECK_MSG_HAS("100");
        CHECK_STATUS(mm_open(path, "<f8", infer[m], 4096 + 100, NULL, 0, 'C', &a), MM_E_FILE_TOO_SMALL);
        /* inferred size not a multiple of the itemsize */
        a = 777;
        CHECK_STATUS(mm_open(path, "<f8", infer[m], 0, NULL, 0, 'C', &a), MM_E_SIZE_MISMATCH);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open");
        CHECK_STATUS(mm_open(path, "<i4", infer[m], 3, NULL, 0, 'C', &a), MM_E_SIZE_MISMATCH);
        CHECK_STATUS(mm_open(path, "S7", infer[m], 0, NULL, 0, 'C', &a), MM_E_SIZE_MISMATCH);
        CHECK_SNAP_UNCHANGED(s);
        snap_free(&s);
        /* and the boundary that works */
        REQUIRE_OK(mm_open(path, "<i4", infer[m], 4, NULL, 0, 'C', &a));
        CHECK_EQ_U(mm_size(a), 24);
        CHECK_OK(mm_close(a));
    }
    tmpdir_remove(dir);
}

/* An OS failure after the file was opened (here: growing past RLIMIT_FSIZE gives EFBIG)
 * must still leave an existing file as it was, and remove a file that w+ created. */
static void test_failed_extension_changes_nothing(void) {
    char dir[256], existing[512], created[512];
    tmpdir_make(dir, sizeof dir);
    path_join(existing, sizeof existing, dir, "old.bin");
    path_join(created, sizeof created, dir, "new.bin");
    write_pattern_file(existing, 100);

    struct rlimit saved, lim;
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
    lim = saved;
    lim.rlim_cur = 4096;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);

    size_t big[1] = {8192}, none[1] = {0};
    mm_array a;
    /* w+ on a new path: created, extension fails, nothing left behind */
    a = 777;
    CHECK_STATUS(mm_open(created, "u1", "w+", 0, big, 1, 'C', &a), MM_E_IO);
    CHECK_EQ_I(mm_last_os_error(), EFBIG);
    CHECK_EQ_U(a, 0);
    CHECK_MSG_HAS("mm_open");
    CHECK_MSG_HAS(created);
    CHECK(!file_exists(created));
    /* existing file, every growing mode: unchanged */
    const char *grow[] = {"w+", "r+"};
    for (int m = 0; m < 2; m++) {
        file_snap s = snap_take(existing);
        a = 777;
        CHECK_STATUS(mm_open(existing, "u1", grow[m], 0, big, 1, 'C', &a), MM_E_IO);
        CHECK_EQ_I(mm_last_os_error(), EFBIG);
        CHECK_EQ_U(a, 0);
        CHECK_SNAP_UNCHANGED(s);
        CHECK_STATUS(mm_open(existing, "<f8", grow[m], 5000, none, 1, 'C', &a), MM_E_IO);
        CHECK_SNAP_UNCHANGED(s);
        int fd = open(existing, O_RDWR);
        REQUIRE(fd >= 0);
        CHECK_STATUS(mm_open_fd(fd, "u1", grow[m], 0, big, 1, 'C', &a), MM_E_IO);
        CHECK_EQ_I(mm_last_os_error(), EFBIG);
        CHECK_MSG_HAS("mm_open_fd");
        close(fd);
        CHECK_SNAP_UNCHANGED(s);
        snap_free(&s);
    }
    /* within the limit everything still works */
    size_t small[1] = {4000};
    REQUIRE_OK(mm_open(created, "u1", "w+", 0, small, 1, 'C', &a));
    CHECK_OK(mm_close(a));
    CHECK_EQ_I(file_size(created), 4000);

    REQUIRE(setrlimit(RLIMIT_FSIZE, &saved) == 0);
    signal(SIGXFSZ, old_handler);
    tmpdir_remove(dir);
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "test_errors: an open blocked (FIFO?) for 20 s\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
    _exit(3);
}

static void test_directory_fifo_device(void) {
    char dir[256], sub[512], fifo[512];
    tmpdir_make(dir, sizeof dir);
    path_join(sub, sizeof sub, dir, "adir");
    path_join(fifo, sizeof fifo, dir, "afifo");
    REQUIRE(mkdir(sub, 0755) == 0);
    REQUIRE(mkfifo(fifo, 0644) == 0);
    signal(SIGALRM, on_alarm);
    alarm(20); /* a blocking open must fail the test, not hang it */

    const char *modes[] = {"r", "r+", "w+", "c"};
    for (int m = 0; m < 4; m++) {
        mm_array a = 777;
        CHECK_STATUS(mm_open(sub, "u1", modes[m], 0, SHAPE4, 1, 'C', &a), MM_E_IO);
        CHECK_EQ_I(mm_last_os_error(), EISDIR);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open");
        struct stat st;
        CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode));
        if (m != 2) {
            CHECK_STATUS(mm_open(sub, "u1", modes[m], 0, NULL, 0, 'C', &a), MM_E_IO);
            CHECK_EQ_I(mm_last_os_error(), EISDIR);
        }

        a = 777;
        CHECK_STATUS(mm_open(fifo, "u1", modes[m], 0, SHAPE4, 1, 'C', &a), MM_E_IO);
        CHECK_EQ_I(mm_last_os_error(), ENODEV);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open");
        CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));

        a = 777;
        CHECK_STATUS(mm_open("/dev/null", "u1", modes[m], 0, SHAPE4, 1, 'C', &a), MM_E_IO);
        CHECK_EQ_I(mm_last_os_error(), ENODEV);
        CHECK_EQ_U(a, 0);
        CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    }
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    tmpdir_remove(dir);
}

/* Runs the permission checks; returns the number of failed checks. */
static int permission_checks(const char *secret, const char *locked_dir, const char *readonly_file) {
    int before = t_failures;
    char newfile[768];
    mm_array a = 777;
    const char *readers[] = {"r", "c"};
    for (int m = 0; m < 2; m++) {
        a = 777;
        CHECK_STATUS(mm_open(secret, "u1", readers[m], 0, NULL, 0, 'C', &a), MM_E_PERMISSION);
        CHECK_EQ_I(mm_last_os_error(), EACCES);
        CHECK_EQ_U(a, 0);
        CHECK_MSG_HAS("mm_open");
    }
    /* creating in a directory we may not write to */
    path_join(newfile, sizeof newfile, locked_dir, "new.bin");
    CHECK_STATUS(mm_open(newfile, "u1", "w+", 0, SHAPE4, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_EQ_I(mm_last_os_error(), EACCES);
    CHECK(!file_exists(newfile));
    /* r+ / w+ on a file we may only read: unchanged */
    file_snap s = snap_take(readonly_file);
    CHECK_STATUS(mm_open(readonly_file, "u1", "r+", 0, NULL, 0, 'C', &a), MM_E_PERMISSION);
    CHECK_STATUS(mm_open(readonly_file, "u1", "w+", 0, SHAPE4, 1, 'C', &a), MM_E_PERMISSION);
    size_t big[1] = {1000};
    CHECK_STATUS(mm_open(readonly_file, "u1", "r+", 0, big, 1, 'C', &a), MM_E_PERMISSION);
    CHECK_SNAP_UNCHANGED(s);
    snap_free(&s);
    /* reading it is fine */
    REQUIRE_OK(mm_open(readonly_file, "u1", "r", 0, NULL, 0, 'C', &a));
    CHECK_OK(mm_close(a));
    return t_failures - before;
}

static void test_permission(void) {
    char dir[256], secret[512], locked[512], ro[512];
    tmpdir_make(dir, sizeof dir);
    REQUIRE(chmod(dir, 0755) == 0);
    path_join(secret, sizeof secret, dir, "secret.bin");
    path_join(locked, sizeof locked, dir, "locked");
    path_join(ro, sizeof ro, dir, "ro.bin");
    write_pattern_file(secret, 32);
    write_pattern_file(ro, 32);
    REQUIRE(mkdir(locked, 0755) == 0);

    if (geteuid() != 0) {
        REQUIRE(chmod(secret, 0) == 0);
        REQUIRE(chmod(locked, 0555) == 0);
        REQUIRE(chmod(ro, 0444) == 0);
        permission_checks(secret, locked, ro);
    } else {
        /* root ignores file modes: run the checks in a child as nobody (65534) */
        REQUIRE(chmod(secret, 0600) == 0);
        REQUIRE(chmod(ro, 0644) == 0);
        fflush(NULL);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0) _exit(100);
            int failed = permission_checks(secret, locked, ro);
            fflush(NULL);
            _exit(failed > 100 ? 100 : failed);
        }
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        CHECK_EQ_I(WEXITSTATUS(status), 0);
    }
    tmpdir_remove(dir);
}

static void *other_thread_fails(void *arg) {
    const char *path = (const char *)arg;
    mm_array a;
    CHECK_STATUS(mm_open(path, "u1", "r", 0, NULL, 0, 'C', &a), MM_E_NOT_FOUND);
    CHECK_MSG_HAS(path);
    return NULL;
}

static void test_error_slot_is_per_thread(void) {
    mm_array a;
    CHECK_STATUS(mm_open("/x", "not-a-dtype", "r", 0, NULL, 0, 'C', &a), MM_E_INVALID_ARG);
    char mine[1024];
    snprintf(mine, sizeof mine, "%s", mm_last_error_message());
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, other_thread_fails, (void *)"/nonexistent-mmarray/t.bin") == 0);
    pthread_join(t, NULL);
    CHECK_EQ_S(mm_last_error_message(), mine);
    CHECK_EQ_I(mm_last_os_error(), 0);
}

int main(void) {
    /* first thing in the process, on the main thread, too */
    CHECK_EQ_S(mm_last_error_message(), "");
    CHECK_EQ_I(mm_last_os_error(), 0);
    RUN(test_fresh_thread_has_no_error);
    RUN(test_status_str);
    RUN(test_last_error_copy_and_persistence);
    RUN(test_invalid_args_leave_file_alone);
    RUN(test_not_found);
    RUN(test_file_too_small_and_size_mismatch);
    RUN(test_failed_extension_changes_nothing);
    RUN(test_directory_fifo_device);
    RUN(test_permission);
    RUN(test_error_slot_is_per_thread);
    return test_summary();
}
