/* Row 1's three calls, one round each, shared by bench.c (which times them interleaved)
 * and row1_loop.c (which runs one of them per process for bench/row1_profile.py), so
 * that the profile measures exactly the row's loops. The includer defines
 * `static void die(const char *what)` (report and exit) before including this. */
#ifndef MMARRAY_BENCH_ROW1_H
#define MMARRAY_BENCH_ROW1_H

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmarray.h"

/* Opens `path` with `flags` and maps all of it read-only; `*fd` and `*len` are set. */
static inline void *row1_map(const char *path, int flags, int *fd, size_t *len) {
    struct stat st;
    *fd = open(path, flags);
    if (*fd < 0 || fstat(*fd, &st) != 0) die("open");
    *len = (size_t)st.st_size;
    void *p = mmap(NULL, *len, PROT_READ, MAP_SHARED, *fd, 0);
    if (p == MAP_FAILED) die("mmap");
    return p;
}

/* c: the C baseline, open, fstat, mmap, munmap, close. */
static inline void row1_c(const char *path) {
    int fd;
    size_t len;
    void *p = row1_map(path, O_RDONLY | O_CLOEXEC, &fd, &len);
    munmap(p, len);
    close(fd);
}

/* f: the floor of mmarray's order. mm_open closes its descriptor before it returns (no
 * descriptor stays open), so mm_close's munmap drops the file's last reference, which
 * Linux finishes as task work on the return to user space; the baseline's close after
 * munmap finishes it in the close itself. The same calls with mm_open's flags, in
 * mmarray's order. */
static inline void row1_floor(const char *path) {
    int fd;
    size_t len;
    void *p = row1_map(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, &fd, &len);
    close(fd);
    munmap(p, len);
}

/* m: mm_open + mm_close. */
static inline void row1_mmarray(const char *path) {
    mm_array a;
    if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK) die("mm_open");
    mm_close(a);
}

#endif
