/* A process with two copies of the library: this program links libmmarray.a and also
 * dlopen()s libmmarray.so. Each copy has its own handle registry; a handle of one copy
 * given to the other must be MM_E_BAD_HANDLE (it used to close an unrelated array of
 * the other copy and return MM_OK, since both issued the same handle numbers). */
#include "check.h"

#include <dlfcn.h>

#ifndef MMARRAY_SHARED_LIBRARY
#error "MMARRAY_SHARED_LIBRARY (the installed libmmarray.so) must be defined"
#endif

typedef mm_status (*open_fn)(const char *, const char *, const char *, uint64_t, const size_t *,
                             size_t, char, mm_array *);
typedef mm_status (*close_fn)(mm_array);
typedef size_t (*count_fn)(void);
typedef size_t (*size_fn)(mm_array);

static void handles_do_not_cross_copies(void) {
    char dir[256], file[512];
    tmpdir_make(dir, sizeof dir);
    path_join(file, sizeof file, dir, "data.u1");
    write_pattern_file(file, 100);

    void *lib = dlopen(MMARRAY_SHARED_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) T_FAILED(1, "dlopen(%s): %s", MMARRAY_SHARED_LIBRARY, dlerror());
    open_fn so_open = (open_fn)(uintptr_t)dlsym(lib, "mm_open");
    close_fn so_close = (close_fn)(uintptr_t)dlsym(lib, "mm_close");
    count_fn so_count = (count_fn)(uintptr_t)dlsym(lib, "mm_handle_count");
    size_fn so_size = (size_fn)(uintptr_t)dlsym(lib, "mm_size");
    REQUIRE(so_open && so_close && so_count && so_size);
    REQUIRE(so_open != mm_open); /* really another copy */

    /* 50 arrays in each copy, opened in the same order: same slots in both registries */
    enum { N = 50 };
    mm_array mine[N], theirs[N];
    for (int i = 0; i < N; i++) {
        REQUIRE_OK(mm_open(file, "u1", "r", (uint64_t)i, NULL, 0, 'C', &mine[i]));
        REQUIRE_EQ_I(so_open(file, "u1", "r", (uint64_t)i, NULL, 0, 'C', &theirs[i]), MM_OK);
    }
    for (int i = 0; i < N; i++) {
        CHECK_STATUS(mm_close(theirs[i]), MM_E_BAD_HANDLE);
        CHECK_EQ_I(so_close(mine[i]), MM_E_BAD_HANDLE);
        CHECK_EQ_U(mm_size(theirs[i]), 0);
        CHECK_EQ_U(so_size(mine[i]), 0);
    }
    /* nothing was closed by the wrong copy */
    CHECK_EQ_U(mm_handle_count(), N);
    CHECK_EQ_U(so_count(), N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ_U(mm_size(mine[i]), 100 - (size_t)i);
        CHECK_EQ_U(so_size(theirs[i]), 100 - (size_t)i);
        CHECK_OK(mm_close(mine[i]));
        CHECK_EQ_I(so_close(theirs[i]), MM_OK);
    }
    CHECK_EQ_U(mm_handle_count(), 0);
    CHECK_EQ_U(so_count(), 0);
    dlclose(lib);
    tmpdir_remove(dir);
}

int main(void) {
    RUN(handles_do_not_cross_copies);
    return test_summary();
}
