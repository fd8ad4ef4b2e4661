/* The Windows half of the numpy cross-checks (issue 15; the numpy half is
 * c_tests/numpy_cross.py, which runs on Linux because numpy cannot run under Wine).
 *
 *   test_numpy_cross read DIR    opens every array DIR/manifest.txt lists (.npy with
 *                                mm_open_npy, raw files with mm_open at an offset, .npz
 *                                members with mm_open_npz) and prints, one line each, its
 *                                dtype, shape, strides, offset and the bytes of every
 *                                element in C order, for numpy_cross.py check-read
 *   test_numpy_cross write DIR   writes DIR/out/: .npy files made with mm_create_npy and
 *                                filled, mm_save_npy of strided views, .npz archives with
 *                                mm_save_npz, and writes in place into numpy's rplus.npy
 *                                (r+, a strided view) and cow.npy (c: never reaches the
 *                                file), for numpy_cross.py check-written
 *
 * Portable C11 (it also builds and runs on Linux). Exit status 0 when every call
 * succeeded; the comparison itself is numpy's.
 */
#include "check.h"

#include <stdint.h>

static int g_errors;

#define CALL(expr)                                                                 \
    do {                                                                           \
        mm_status st_ = (expr);                                                    \
        if (st_ != MM_OK) {                                                        \
            fprintf(stderr, "%s: %s: %s\n", #expr, mm_status_str(st_),             \
                    mm_last_error_message());                                      \
            g_errors++;                                                            \
        }                                                                          \
    } while (0)

static void file_path(char *out, size_t cap, const char *dir, const char *name) {
    path_join(out, cap, dir, name);
}

/* dtype=... shape=(..) strides=(..) offset=N hex=... as numpy_cross.py's describe() */
static void print_array(const char *id, mm_array a) {
    size_t nd = mm_ndim(a);
    const size_t *shape = mm_shape(a);
    const int64_t *strides = mm_strides(a);
    printf("%s dtype=%s shape=(", id, mm_dtype(a));
    for (size_t i = 0; i < nd; i++) printf(i ? ",%zu" : "%zu", shape[i]);
    printf(") strides=(");
    for (size_t i = 0; i < nd; i++) printf(i ? ",%lld" : "%lld", (long long)strides[i]);
    printf(") offset=%llu hex=", (unsigned long long)mm_offset(a));
    size_t n = mm_size(a), item = mm_itemsize(a);
    const unsigned char *base = (const unsigned char *)mm_data(a);
    size_t idx[64] = {0};
    for (size_t k = 0; k < n; k++) {
        int64_t off = 0;
        for (size_t i = 0; i < nd; i++) off += (int64_t)idx[i] * strides[i];
        for (size_t b = 0; b < item; b++) printf("%02x", base[off + (int64_t)b]);
        for (size_t i = nd; i-- > 0;) { /* next C-order index */
            if (++idx[i] < shape[i]) break;
            idx[i] = 0;
        }
    }
    printf("\n");
}

static int do_read(const char *dir) {
    char path[1024], line[4096];
    file_path(path, sizeof path, dir, "manifest.txt");
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    int count = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char kind[16], id[256], file[256], dtype[64], order[4], member[128];
        unsigned long long off;
        size_t ndim, shape[8];
        mm_array a = 0;
        int used = 0;
        if (sscanf(line, "%15s %255s %255s%n", kind, id, file, &used) != 3) continue;
        file_path(path, sizeof path, dir, file);
        if (strcmp(kind, "npy") == 0) {
            CALL(mm_open_npy(path, "r", &a));
        } else if (strcmp(kind, "npz") == 0) {
            if (sscanf(line + used, "%127s", member) != 1) continue;
            CALL(mm_open_npz(path, member, "r", &a));
        } else if (strcmp(kind, "raw") == 0) {
            int u2 = 0;
            const char *p = line + used;
            if (sscanf(p, "%63s %llu %3s %zu%n", dtype, &off, order, &ndim, &u2) != 4 || ndim > 8)
                continue;
            p += u2;
            for (size_t i = 0; i < ndim; i++) {
                int u3 = 0;
                if (sscanf(p, "%zu%n", &shape[i], &u3) != 1) break;
                p += u3;
            }
            CALL(mm_open(path, dtype, "r", off, shape, ndim, order[0], &a));
        } else {
            continue;
        }
        if (a != 0) {
            print_array(id, a);
            CALL(mm_close(a));
        } else {
            printf("%s FAILED\n", id);
        }
        count++;
    }
    fclose(f);
    printf("# %d arrays read, %d errors, %zu handles left\n", count, g_errors, mm_handle_count());
    return g_errors == 0 && mm_handle_count() == 0 ? 0 : 1;
}

/* mm_create_npy, filled with bytes (k * 7 + 1) & 0xff in memory order (bools k & 1) */
static void create_one(const char *out, const char *name, const char *dtype, const size_t *shape,
                       size_t ndim, char order) {
    char path[1024];
    mm_array a = 0;
    file_path(path, sizeof path, out, name);
    CALL(mm_create_npy(path, dtype, shape, ndim, order, &a));
    if (a == 0) return;
    unsigned char *p = (unsigned char *)mm_data(a);
    size_t n = mm_nbytes(a);
    for (size_t k = 0; k < n; k++)
        p[k] = strcmp(dtype, "|b1") == 0 ? (unsigned char)(k & 1) : (unsigned char)((k * 7 + 1) & 0xff);
    CALL(mm_flush(a));
    CALL(mm_close(a));
}

static int do_write(const char *dir) {
    char out[1024], path[1024];
    file_path(out, sizeof out, dir, "out");
    static const size_t s35[2] = {3, 5}, s432[3] = {4, 3, 2}, s9[1] = {9}, s23[2] = {2, 3},
                        s22[2] = {2, 2};
    create_one(out, "create_c_f8.npy", "<f8", s35, 2, 'C');
    create_one(out, "create_f_i2.npy", ">i2", s432, 3, 'F');
    create_one(out, "create_c_b1.npy", "|b1", s9, 1, 'C');
    create_one(out, "create_f_c16.npy", "<c16", s23, 2, 'F');
    create_one(out, "create_c_U3.npy", "<U3", s22, 2, 'C');
    create_one(out, "create_0d_i8.npy", "<i8", NULL, 0, 'C');

    /* a (6, 8) <i4 raw file holding 0..47, written through a w+ mapping */
    mm_array a = 0, v = 0, w = 0;
    static const size_t s68[2] = {6, 8};
    file_path(path, sizeof path, out, "base_i4.bin");
    CALL(mm_open(path, "<i4", "w+", 0, s68, 2, 'C', &a));
    if (a == 0) return 1;
    int32_t *x = (int32_t *)mm_data(a);
    for (int i = 0; i < 48; i++) x[i] = i;
    CALL(mm_flush(a));

    /* a[::2, ::-1] */
    CALL(mm_slice(a, 0, 0, INT64_MAX, 2, &v));
    CALL(mm_slice(v, 1, INT64_MAX, INT64_MIN, -1, &w));
    file_path(path, sizeof path, out, "save_step.npy");
    CALL(mm_save_npy(w, path));
    mm_array step = w;
    CALL(mm_close(v));
    /* a.T */
    static const size_t s86[2] = {8, 6};
    static const int64_t tstr[2] = {4, 32};
    mm_array t = 0;
    CALL(mm_view(a, NULL, 0, s86, 2, tstr, &t));
    file_path(path, sizeof path, out, "save_T.npy");
    CALL(mm_save_npy(t, path));
    /* a.view('>i4')[1:5:3, 2:7] */
    mm_array be = 0, b1 = 0, b2 = 0;
    CALL(mm_view(a, ">i4", 0, s68, 2, NULL, &be));
    CALL(mm_slice(be, 0, 1, 5, 3, &b1));
    CALL(mm_slice(b1, 1, 2, 7, 1, &b2));
    file_path(path, sizeof path, out, "save_be_block.npy");
    CALL(mm_save_npy(b2, path));
    CALL(mm_close(be));
    CALL(mm_close(b1));
    CALL(mm_close(b2));
    /* a[::-1, 3:4] */
    mm_array r1 = 0, r2 = 0;
    CALL(mm_slice(a, 0, INT64_MAX, INT64_MIN, -1, &r1));
    CALL(mm_slice(r1, 1, 3, 4, 1, &r2));
    file_path(path, sizeof path, out, "save_rev_col.npy");
    CALL(mm_save_npy(r2, path));
    CALL(mm_close(r1));
    CALL(mm_close(r2));

    /* np.savez(step=a[::2, ::-1], T=a.T) and the deflated form */
    const char *names[2] = {"step", "T"};
    mm_array arrays[2] = {step, t};
    file_path(path, sizeof path, out, "views.npz");
    CALL(mm_save_npz(path, 2, names, arrays, 0));
    file_path(path, sizeof path, out, "views_deflated.npz");
    CALL(mm_save_npz(path, 2, names, arrays, 1));
    CALL(mm_close(step));
    CALL(mm_close(t));
    CALL(mm_close(a));

    /* numpy's rplus.npy (arange(24.0).reshape(4, 6)): negate x[::2, 1::3] in place */
    mm_array m = 0, s1 = 0, s2 = 0;
    file_path(path, sizeof path, out, "rplus.npy");
    CALL(mm_open_npy(path, "r+", &m));
    if (m != 0) {
        CALL(mm_slice(m, 0, 0, INT64_MAX, 2, &s1));
        CALL(mm_slice(s1, 1, 1, INT64_MAX, 3, &s2));
        if (s2 != 0) {
            char *base = (char *)mm_data(s2);
            const int64_t *st = mm_strides(s2);
            for (size_t i = 0; i < mm_shape(s2)[0]; i++)
                for (size_t j = 0; j < mm_shape(s2)[1]; j++) {
                    double *e = (double *)(base + (int64_t)i * st[0] + (int64_t)j * st[1]);
                    *e = -*e;
                }
        }
        CALL(mm_flush(m));
        CALL(mm_close(s2));
        CALL(mm_close(s1));
        CALL(mm_close(m));
    }
    /* numpy's cow.npy: written through a copy-on-write view, which never reaches the file */
    file_path(path, sizeof path, out, "cow.npy");
    CALL(mm_open_npy(path, "c", &m));
    if (m != 0) {
        memset(mm_data(m), 0x5a, mm_nbytes(m));
        CALL(mm_flush(m));
        CALL(mm_close(m));
    }
    printf("# wrote into %s: %d errors, %zu handles left\n", out, g_errors, mm_handle_count());
    return g_errors == 0 && mm_handle_count() == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "read") == 0) return do_read(argv[2]);
    if (argc == 3 && strcmp(argv[1], "write") == 0) return do_write(argv[2]);
    fprintf(stderr, "usage: %s read|write DIR\n", argv[0]);
    return 2;
}
