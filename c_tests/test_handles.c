/* Handles: closing in every order, stale handles (0, closed, never issued, reused slots),
 * and what every function answers for a bad handle. */
#include "check.h"

static const size_t S8[1] = {8};
static const size_t S4[1] = {4};

/* Every handle-taking function on a bad handle: BAD_HANDLE / NULL / 0, message naming
 * the function, *out left at 0. */
static void check_bad_handle(mm_array h) {
    mm_array out = 777;
#define BAD_STATUS(call, name)                                                    \
    do {                                                                          \
        CHECK_STATUS(call, MM_E_BAD_HANDLE);                                      \
        CHECK_MSG_HAS(name);                                                      \
    } while (0)
#define BAD_VALUE(call, zero, name)                                               \
    do {                                                                          \
        CHECK_EQ_U((uintptr_t)(call), (uintptr_t)(zero));                         \
        CHECK_MSG_HAS(name);                                                      \
    } while (0)
    BAD_STATUS(mm_close(h), "mm_close");
    BAD_STATUS(mm_flush(h), "mm_flush");
    BAD_STATUS(mm_view(h, NULL, 0, S8, 1, NULL, &out), "mm_view");
    CHECK_EQ_U(out, 0);
    out = 777;
    BAD_STATUS(mm_slice(h, 0, 0, 1, 1, &out), "mm_slice");
    CHECK_EQ_U(out, 0);
    BAD_VALUE(mm_data(h), NULL, "mm_data");
    BAD_VALUE(mm_ndim(h), 0, "mm_ndim");
    BAD_VALUE(mm_shape(h), NULL, "mm_shape");
    BAD_VALUE(mm_strides(h), NULL, "mm_strides");
    BAD_VALUE(mm_itemsize(h), 0, "mm_itemsize");
    BAD_VALUE(mm_size(h), 0, "mm_size");
    BAD_VALUE(mm_nbytes(h), 0, "mm_nbytes");
    BAD_VALUE(mm_dtype(h), NULL, "mm_dtype");
    BAD_VALUE(mm_mode(h), NULL, "mm_mode");
    BAD_VALUE(mm_offset(h), 0, "mm_offset");
    BAD_VALUE(mm_filename(h), NULL, "mm_filename");
    BAD_VALUE(mm_flags(h), 0, "mm_flags");
    /* getters set the thread's last error too */
    mm_ndim(h);
    CHECK_EQ_I(mm_last_os_error(), 0);
#undef BAD_STATUS
#undef BAD_VALUE
}

static mm_array open_pattern(const char *path, const char *mode) {
    mm_array a = 0;
    size_t shape[1] = {64};
    REQUIRE_OK(mm_open(path, "u1", mode, 0, shape, 1, 'C', &a));
    return a;
}

static void test_zero_and_garbage(void) {
    check_bad_handle(0);
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "h.bin");
    write_pattern_file(path, 64);
    size_t before = mm_handle_count();
    mm_array a = open_pattern(path, "r");
    CHECK_EQ_U(mm_handle_count(), before + 1);
    /* numbers near and far from a live handle (only one handle is live, so none of
     * these can be valid) */
    const mm_array junk[] = {a + 1, a - 1, a ^ ((mm_array)1 << 40), a ^ ((mm_array)1 << 63),
                             a ^ 0xffffffffu, ~a, UINT64_MAX, 1, 2, 0xdeadbeefULL,
                             0x0123456789abcdefULL, (mm_array)(uintptr_t)&a};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        if (junk[i] == a) continue;
        check_bad_handle(junk[i]);
    }
    /* the live one still works */
    CHECK_EQ_U(((const unsigned char *)mm_data(a))[5], pattern_byte(5));
    CHECK_OK(mm_close(a));
    CHECK_EQ_U(mm_handle_count(), before);
    check_bad_handle(a);
    tmpdir_remove(dir);
}

static void test_close_orders(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "c.bin");
    write_pattern_file(path, 64);
    size_t before = mm_handle_count();

    /* base first: views stay fully usable, data pointers stay valid */
    mm_array a = open_pattern(path, "r+");
    mm_array v = 0, s = 0;
    REQUIRE_OK(mm_view(a, "<u4", 4, S8, 1, NULL, &v));
    REQUIRE_OK(mm_slice(a, 0, 60, 0, -2, &s));
    unsigned char *vd = (unsigned char *)mm_data(v);
    CHECK_OK(mm_close(a));
    check_bad_handle(a);
    CHECK(mm_data(v) == vd);
    CHECK_EQ_U(vd[0], pattern_byte(4));
    vd[0] = 0xab;                                  /* still writable, still the file */
    CHECK_OK(mm_flush(v));
    CHECK_EQ_U(mm_shape(s)[0], 30);
    CHECK_EQ_U(((unsigned char *)mm_data(s))[-56], 0xab);
    CHECK_EQ_S(mm_filename(s), path);
    mm_array vv = 0;
    REQUIRE_OK(mm_view(s, NULL, 0, S4, 1, NULL, &vv));   /* views of views after base closed */
    CHECK_OK(mm_close(s));
    CHECK_OK(mm_close(v));
    CHECK_EQ_U(((unsigned char *)mm_data(vv))[0], pattern_byte(60));
    CHECK_OK(mm_close(vv));
    CHECK_EQ_U(mm_handle_count(), before);
    size_t n;
    unsigned char *b = read_file(path, &n);
    CHECK_EQ_U(b[4], 0xab);
    free(b);

    /* views first, base last */
    a = open_pattern(path, "r");
    REQUIRE_OK(mm_view(a, NULL, 0, S8, 1, NULL, &v));
    REQUIRE_OK(mm_slice(v, 0, 1, 3, 1, &s));
    CHECK_OK(mm_close(s));
    CHECK_OK(mm_close(v));
    CHECK_EQ_U(((const unsigned char *)mm_data(a))[63], pattern_byte(63));
    CHECK_OK(mm_close(a));
    CHECK_EQ_U(mm_handle_count(), before);

    /* many views, closed in an interleaved order, the base somewhere in the middle */
    enum { N = 16 };
    mm_array h[N];
    h[0] = open_pattern(path, "c");
    for (int i = 1; i < N; i++) {
        size_t one[1] = {1};
        REQUIRE_OK(mm_view(h[i - 1], NULL, i == 1 ? 3 : 0, one, 1, NULL, &h[i]));
    }
    const int order[N] = {7, 0, 15, 3, 11, 1, 9, 5, 13, 2, 14, 4, 8, 12, 6, 10};
    for (int k = 0; k < N; k++) {
        /* every still-open view reads the same byte */
        for (int j = k; j < N; j++) {
            int idx = order[j];
            if (idx == 0) continue;
            CHECK_EQ_U(*(const unsigned char *)mm_data(h[idx]), pattern_byte(3));
        }
        CHECK_OK(mm_close(h[order[k]]));
        CHECK_STATUS(mm_close(h[order[k]]), MM_E_BAD_HANDLE);
    }
    CHECK_EQ_U(mm_handle_count(), before);
    tmpdir_remove(dir);
}

static void test_no_handle_reuse(void) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir);
    path_join(path, sizeof path, dir, "r.bin");
    write_pattern_file(path, 64);
    size_t before = mm_handle_count();

    /* open/close many times: slots get reused, the numbers must not */
    enum { ROUNDS = 600 };
    static mm_array seen[ROUNDS * 2];
    size_t nseen = 0;
    mm_array keep = open_pattern(path, "r");   /* one long-lived handle in the registry */
    for (int i = 0; i < ROUNDS; i++) {
        mm_array a = open_pattern(path, "r");
        mm_array v = 0;
        REQUIRE_OK(mm_view(a, NULL, 1, S8, 1, NULL, &v));
        seen[nseen++] = a;
        seen[nseen++] = v;
        CHECK_OK(mm_close(i % 2 ? a : v));
        CHECK_OK(mm_close(i % 2 ? v : a));
    }
    int dup = 0;
    for (size_t i = 0; i < nseen && !dup; i++) {
        CHECK(seen[i] != 0 && seen[i] != keep);
        for (size_t j = i + 1; j < nseen; j++)
            if (seen[i] == seen[j]) {
                dup = 1;
                CHECK_EQ_U(seen[i], 0); /* reports the duplicated number */
                break;
            }
    }
    CHECK(!dup);

    /* the old numbers stay dead while new arrays occupy the slots */
    mm_array live[8];
    for (int i = 0; i < 8; i++) live[i] = open_pattern(path, "r");
    for (size_t i = 0; i < nseen; i += 97) check_bad_handle(seen[i]);
    for (int i = 0; i < 8; i++) {
        for (size_t j = 0; j < nseen; j++) CHECK(live[i] != seen[j]);
        CHECK_EQ_U(mm_size(live[i]), 64);
        CHECK_OK(mm_close(live[i]));
    }
    /* a stale handle whose slot now belongs to another array does not reach it */
    mm_array old = open_pattern(path, "r");
    CHECK_OK(mm_close(old));
    mm_array fresh = open_pattern(path, "r+");
    CHECK(fresh != old);
    CHECK_STATUS(mm_close(old), MM_E_BAD_HANDLE);
    CHECK(mm_data(old) == NULL);
    CHECK_EQ_S(mm_mode(fresh), "r+");
    CHECK_OK(mm_close(fresh));
    CHECK_OK(mm_close(keep));
    CHECK_EQ_U(mm_handle_count(), before);
    tmpdir_remove(dir);
}

int main(void) {
    RUN(test_zero_and_garbage);
    RUN(test_close_orders);
    RUN(test_no_handle_reuse);
    CHECK_EQ_U(mm_handle_count(), 0);
    return test_summary();
}
