/* Row 1's three loops, one per process, for bench/row1_profile.py: a profiler can then
 * charge each loop's time to kernel and library functions on its own.
 *
 *   row1_loop FILE c N    open, fstat, mmap, munmap, close      (row 1's C baseline)
 *   row1_loop FILE f N    open, fstat, mmap, close, munmap      (row 1f: mmarray's order)
 *   row1_loop FILE m N    mm_open(FILE, "<f8", "r") + mm_close  (row 1)
 *
 * The calls and flags are those of bench.c's row 1. Exits 1 with a message if a call
 * fails. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmarray.h"

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static void *map_file(int fd, size_t *len) {
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) fail("open");
    *len = (size_t)st.st_size;
    void *p = mmap(NULL, *len, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) fail("mmap");
    return p;
}

int main(int argc, char **argv) {
    if (argc != 4 || strlen(argv[2]) != 1 || !strchr("cfm", argv[2][0])) {
        fprintf(stderr, "usage: %s FILE c|f|m N\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long n = atol(argv[3]);
    size_t len;
    switch (argv[2][0]) {
    case 'c':
        for (long i = 0; i < n; i++) {
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            void *p = map_file(fd, &len);
            munmap(p, len);
            close(fd);
        }
        break;
    case 'f':
        for (long i = 0; i < n; i++) {
            int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
            void *p = map_file(fd, &len);
            close(fd);
            munmap(p, len);
        }
        break;
    default:
        for (long i = 0; i < n; i++) {
            mm_array a;
            if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK) {
                fprintf(stderr, "mm_open: %s\n", mm_last_error_message());
                return 1;
            }
            mm_close(a);
        }
    }
    return 0;
}
