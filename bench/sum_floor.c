/* The memory-bandwidth floor for `mmarray stats`: one process that opens a .npy of
 * <f8, maps it, and sums its data with the same four-accumulator vector loop as
 * bench/bench.c (one thread), printing the sum. Timed as a whole process by
 * bench/cli_bench.py, like the tool. Build: cc -O2 -march=native -o sum_floor sum_floor.c
 *
 * usage: sum_floor FILE.npy */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef double v4d __attribute__((vector_size(32)));

static double sum_f64(const double *p, size_t n) {
    v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v4d x0, x1, x2, x3;
        memcpy(&x0, p + i, 32);
        memcpy(&x1, p + i + 4, 32);
        memcpy(&x2, p + i + 8, 32);
        memcpy(&x3, p + i + 12, 32);
        a0 += x0; a1 += x1; a2 += x2; a3 += x3;
    }
    v4d t = (a0 + a1) + (a2 + a3);
    double s = (t[0] + t[1]) + (t[2] + t[3]);
    for (; i < n; i++) s += p[i];
    return s;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: sum_floor FILE.npy\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 12) {
        perror(argv[1]);
        return 1;
    }
    const unsigned char *m = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    /* The data offset from the .npy prefix: version 1 has a 2-byte header length. */
    size_t off = m[6] == 1 ? 10 + (m[8] | m[9] << 8)
                           : 12 + (m[8] | m[9] << 8 | (size_t)m[10] << 16 | (size_t)m[11] << 24);
    madvise((void *)m, st.st_size, MADV_SEQUENTIAL);
    printf("%.17g\n", sum_f64((const double *)(m + off), (st.st_size - off) / 8));
    return 0;
}
