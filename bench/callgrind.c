/* Per-call instruction counts under callgrind: runs one operation COUNT times.
 *
 * usage: callgrind_driver FILE OP COUNT
 * bench/callgrind.sh runs it under `valgrind --tool=callgrind` at two counts and prints
 * the difference divided by the difference of counts: the instructions of one call,
 * without the fixed cost of loading the library and opening FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmarray.h"

static void check(mm_status s, const char *what) {
    if (s != MM_OK) {
        fprintf(stderr, "%s: %s\n", what, mm_last_error_message());
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE OP COUNT\n", argv[0]);
        return 2;
    }
    const char *path = argv[1], *op = argv[2];
    long count = atol(argv[3]);
    mm_array a = 0;
    check(mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a), "mm_open");
    static const char *const ops[] = {"data",       "ndim",        "nbytes",     "shape",
                                      "bad_handle", "read_at_4k",  "slice_close", "view_close",
                                      "open_close"};
    int which = -1;
    for (int k = 0; k < (int)(sizeof ops / sizeof *ops); k++)
        if (!strcmp(op, ops[k])) which = k;
    if (which < 0) {
        fprintf(stderr, "unknown op %s\n", op);
        return 2;
    }
    volatile size_t sink = 0;
    char buf[4096];
    size_t shape[2] = {16, 8};
    /* One loop per operation, so that the loop adds a few instructions only. */
    switch (which) {
    case 0: for (long i = 0; i < count; i++) sink += (size_t)mm_data(a); break;
    case 1: for (long i = 0; i < count; i++) sink += mm_ndim(a); break;
    case 2: for (long i = 0; i < count; i++) sink += mm_nbytes(a); break;
    case 3: for (long i = 0; i < count; i++) sink += (size_t)mm_shape(a); break;
    case 4: for (long i = 0; i < count; i++) sink += (size_t)mm_data(a + 1); break;
    case 5:
        for (long i = 0; i < count; i++) check(mm_read_at(a, 0, buf, sizeof buf), "mm_read_at");
        break;
    case 6:
        for (long i = 0; i < count; i++) {
            mm_array s = 0;
            check(mm_slice(a, 0, 1, 100, 2, &s), "mm_slice");
            check(mm_close(s), "mm_close");
        }
        break;
    case 7:
        for (long i = 0; i < count; i++) {
            mm_array v = 0;
            check(mm_view(a, NULL, 0, shape, 2, NULL, &v), "mm_view");
            check(mm_close(v), "mm_close");
        }
        break;
    case 8:
        for (long i = 0; i < count; i++) {
            mm_array b = 0;
            check(mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &b), "mm_open");
            check(mm_close(b), "mm_close");
        }
        break;
    }
    check(mm_close(a), "mm_close");
    return (int)(sink & 0);
}
