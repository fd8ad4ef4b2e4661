/* Row 1's three loops, one per process, for bench/row1_profile.py: a profiler can then
 * charge each loop's time to kernel and library functions on its own.
 *
 *   row1_loop FILE c N    open, fstat, mmap, munmap, close      (row 1's C baseline)
 *   row1_loop FILE f N    open, fstat, mmap, close, munmap      (row 1f: mmarray's order)
 *   row1_loop FILE m N    mm_open(FILE, "<f8", "r") + mm_close  (row 1)
 *
 * The rounds are bench.c's own (bench/row1.h). Exits 1 with a message if a call fails. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmarray.h"

static void die(const char *what) {
    fprintf(stderr, "row1_loop: %s failed: %s / %s\n", what, strerror(errno),
            mm_last_error_message());
    exit(1);
}

#include "row1.h"

int main(int argc, char **argv) {
    if (argc != 4 || strlen(argv[2]) != 1 || !strchr("cfm", argv[2][0])) {
        fprintf(stderr, "usage: %s FILE c|f|m N\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long n = atol(argv[3]);
    /* Direct calls in each loop, as bench.c makes them (no call through a pointer). */
    switch (argv[2][0]) {
    case 'c':
        for (long i = 0; i < n; i++) row1_c(path);
        break;
    case 'f':
        for (long i = 0; i < n; i++) row1_floor(path);
        break;
    default:
        for (long i = 0; i < n; i++) row1_mmarray(path);
    }
    return 0;
}
