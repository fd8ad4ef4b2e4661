/* mmarray benchmarks against raw POSIX calls, in one process, interleaved.
 * (One file of about 750 lines on purpose: every C row runs in the same process as its
 * baseline, and its helpers are shared between rows.)
 *
 * usage: bench DIR [--quick]
 * Prints one line per measurement:
 *   R <row> <variant> <median> <min> <max> <unit> <samples>
 * and free-form notes as "N <text>". bench/run.sh turns them into RESULTS.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmarray.h"

static int quick;
static const char *dir;

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *row, const char *variant, double *v, int n, const char *unit) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("R %s %s %.6g %.6g %.6g %s %d\n", row, variant, med, v[0], v[n - 1], unit, n);
    fflush(stdout);
}

static void die(const char *what) {
    fprintf(stderr, "bench: %s failed: %s / %s\n", what, strerror(errno), mm_last_error_message());
    exit(1);
}

#include "row1.h"

static void make_file(const char *path, size_t bytes) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("create");
    size_t chunk = 1 << 20;
    double *buf = malloc(chunk);
    for (size_t i = 0; i < chunk / 8; i++) buf[i] = (double)(i % 1000) * 0.5;
    for (size_t done = 0; done < bytes; done += chunk) {
        size_t n = bytes - done < chunk ? bytes - done : chunk;
        if (write(fd, buf, n) != (ssize_t)n) die("write");
    }
    fsync(fd);
    close(fd);
    free(buf);
}

/* The one summing loop both sides use: only open/map overhead differs. Four vector
 * accumulators (GCC vector extension; built with -march=native) so that the loop runs at
 * memory bandwidth, not at the latency of one floating-point add chain. */
typedef double v4d __attribute__((vector_size(32)));

__attribute__((noinline)) static double sum_f64(const double *p, size_t n) {
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

static volatile double sink;

/* ---- 1: open + close ---------------------------------------------------------------- */
static void bench_open_close(const char *path) {
    int batch = quick ? 20 : 2000, samples = quick ? 5 : 31;
    double c[64], m[64], f[64];
    for (int s = 0; s < samples; s++) {
        double t0 = now_ns();
        for (int i = 0; i < batch; i++) row1_c(path);
        double t1 = now_ns();
        for (int i = 0; i < batch; i++) row1_mmarray(path);
        double t2 = now_ns();
        /* The floor of mmarray's order (bench/row1.h says why it differs). */
        for (int i = 0; i < batch; i++) row1_floor(path);
        double t3 = now_ns();
        c[s] = (t1 - t0) / batch / 1000;
        m[s] = (t2 - t1) / batch / 1000;
        f[s] = (t3 - t2) / batch / 1000;
    }
    report("1", "c", c, samples, "us");
    report("1", "mmarray", m, samples, "us");
    report("1", "c_order", f, samples, "us");
}

/* ---- 2: mm_data --------------------------------------------------------------------- */
struct data_arg { mm_array a; long calls; double ns; };

/* CPU time of this thread: on a shared machine, wall time would count the time the
 * thread spends preempted; CPU time still counts cache-line traffic between threads. */
static double thread_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void *data_loop(void *p) {
    struct data_arg *d = p;
    void *volatile out;
    double t0 = thread_ns();
    for (long i = 0; i < d->calls; i++) out = mm_data(d->a);
    (void)out;
    d->ns = (thread_ns() - t0) / (double)d->calls;
    return NULL;
}

static void bench_data(const char *path) {
    int samples = quick ? 5 : 21;
    long calls = quick ? 10000 : 2000000;
    mm_array a, b;
    if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK) die("mm_open");
    if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &b) != MM_OK) die("mm_open");
    double one[64], two[64];
    for (int s = 0; s < samples; s++) {
        struct data_arg x = {a, calls, 0}, y = {b, calls, 0};
        data_loop(&x);
        one[s] = x.ns;
        pthread_t t1, t2;
        pthread_create(&t1, NULL, data_loop, &x);
        pthread_create(&t2, NULL, data_loop, &y);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        two[s] = (x.ns + y.ns) / 2;
    }
    report("2", "mmarray-1thread", one, samples, "ns");
    report("2", "mmarray-2threads", two, samples, "ns");
    mm_close(a);
    mm_close(b);
}

/* ---- 3: mm_slice + mm_close --------------------------------------------------------- */
/* The locked instructions an mm_slice + mm_close makes (src/registry/hazard.rs,
 * src/shared_count.rs), and nothing else: pin the parent (the slot's address into the
 * thread's hazard word, a full fence, a load of the parent's state), count the view on
 * the thread's shard of the mapping's count (compare-and-swap), unpin (0 into the hazard
 * word, a full fence, the state again), close the new handle (compare-and-swap on its
 * slot's state; nobody pinned it, so no look at the hazards), uncount (compare-and-swap).
 * Two full fences and three compare-and-swaps: the floor of the registry's design,
 * whatever the rest costs. The fence is written as Rust emits fence(SeqCst) on x86-64
 * (a locked OR on the stack; GCC's builtin would be an MFENCE). */
static _Alignas(64) uint64_t rmw_lines[5][8];

static inline void full_fence(void) {
#if defined(__x86_64__)
    __asm__ volatile("lock orl $0, -64(%%rsp)" ::: "memory", "cc");
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

static inline void cas_add(uint64_t *w, uint64_t d) {
    uint64_t e = __atomic_load_n(w, __ATOMIC_RELAXED);
    __atomic_compare_exchange_n(w, &e, e + d, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* `own` is the calling thread's: its hazard word, its shard of the count and the new
 * handle's slot, each on a line of its own; the parent's state (rmw_lines[0]) is every
 * thread's, and only loaded. Row 3 uses rmw_lines[1..3] as its own. */
static void rmw_floor_at(uint64_t (*own)[8]) {
    uint64_t *hazard = own[0], *shard = own[1], *child = own[2];
    __atomic_store_n(hazard, (uint64_t)(uintptr_t)&rmw_lines[0][0], __ATOMIC_RELEASE);
    full_fence();
    uint64_t st = __atomic_load_n(&rmw_lines[0][0], __ATOMIC_ACQUIRE);
    cas_add(shard, 1);
    __atomic_store_n(hazard, 0, __ATOMIC_RELEASE);
    full_fence();
    st += __atomic_load_n(&rmw_lines[0][0], __ATOMIC_ACQUIRE);
    cas_add(child, 1);
    cas_add(shard, (uint64_t)-1);
    /* Kept (so the loads stay) on the thread's own line: a global sink would be a line
     * every thread writes. */
    __atomic_store_n(&hazard[1], st, __ATOMIC_RELAXED);
}

static void rmw_floor(void) { rmw_floor_at(&rmw_lines[1]); }

static void bench_slice(const char *path) {
    int samples = quick ? 5 : 21, batch = quick ? 1000 : 200000;
    mm_array a;
    if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK) die("mm_open");
    double m[64], c[64], f[64];
    for (int s = 0; s < samples; s++) {
        double t0 = now_ns();
        for (int i = 0; i < batch; i++) {
            mm_array v;
            if (mm_slice(a, 0, 10, 20, 1, &v) != MM_OK) die("mm_slice");
            mm_close(v);
        }
        double t1 = now_ns();
        /* The baseline of issue 16: a malloc(128) + free pair (the volatile pointer
         * keeps the compiler from removing the pair). */
        for (int i = 0; i < batch; i++) {
            void *volatile q = malloc(128);
            free(q);
        }
        double t2 = now_ns();
        for (int i = 0; i < batch; i++) rmw_floor();
        m[s] = (t1 - t0) / batch;
        c[s] = (t2 - t1) / batch;
        f[s] = (now_ns() - t2) / batch;
    }
    report("3", "mmarray", m, samples, "ns");
    report("3", "malloc128", c, samples, "ns");
    report("3", "rmw5", f, samples, "ns");
    mm_close(a);
}

/* ---- 10: the floor of a call into another shared library ----------------------------- */
void *bench_trivial(uint64_t handle); /* bench/trivial.c, libbench_trivial.so */

static void *floor_loop(void *p) {
    struct data_arg *d = p;
    void *volatile out;
    double t0 = thread_ns();
    for (long i = 0; i < d->calls; i++) out = bench_trivial(d->a);
    (void)out;
    d->ns = (thread_ns() - t0) / (double)d->calls;
    return NULL;
}

static void bench_floor(const char *path) {
    int samples = quick ? 5 : 21;
    long calls = quick ? 10000 : 2000000;
    mm_array a;
    if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK) die("mm_open");
    double fl[64], data[64];
    for (int s = 0; s < samples; s++) {
        struct data_arg x = {a, calls, 0}, y = {a, calls, 0};
        floor_loop(&x);
        data_loop(&y);
        fl[s] = x.ns;
        data[s] = y.ns;
    }
    report("12", "trivial", fl, samples, "ns");
    report("12", "mm_data", data, samples, "ns");
    mm_close(a);
}

/* ---- 11: one shared handle from 1, 2, nproc and 8 threads ------------------------------ */
/* 11c reads the same 16 pages from every thread, 11e 16 pages of each thread's own; 11cf
 * and 11ef are their floor in the same run: the bare process_vm_readv(gettid(), ...) of
 * 4 KiB that mm_read_at makes, from the same mapping, at the same offsets; 11cp a pread of
 * 4 KiB of the same file at 11c's offsets (the unguarded kernel copy). 11df is 11d's: row
 * 3's locked instructions with the parent's state loaded by every thread and the rest
 * (hazard word, shard of the count, the new handle's slot) each thread's own, as
 * mm_slice + mm_close make them. */
enum scale_op { SC_DATA, SC_GETTERS, SC_READ4K, SC_SLICE, SC_READ4K_OWN, SC_PVR, SC_PVR_OWN, SC_PREAD, SC_RMW, SC_NOPS };
static _Alignas(64) uint64_t rmw_own_lines[64][3][8];
struct scale_arg {
    mm_array a;
    enum scale_op op;
    int thread, fd, groups; /* groups: how many 16-page runs the file holds */
    long calls;
    pthread_barrier_t *start;
    double ns, wall0, wall1;
};

/* 4 KiB of the mapping at `src` by the kernel, as mm_read_at copies (src/platform/linux.rs:
 * process_vm_readv on the calling thread's id). */
static void raw_pvr(char *dst, const char *src) {
    struct iovec local = {dst, 4096}, remote = {(void *)src, 4096};
    if (process_vm_readv((pid_t)syscall(SYS_gettid), &local, 1, &remote, 1, 0) != 4096) die("process_vm_readv");
}

static void *scale_loop(void *p) {
    struct scale_arg *d = p;
    char buf[4096];
    volatile size_t acc = 0;
    const char *base = mm_data(d->a);
    /* This thread's own 16 pages (11e, 11ef): distinct for every thread the file has room for. */
    uint64_t own = (uint64_t)(d->thread % d->groups) * 16 * 4096;
    pthread_barrier_wait(d->start);
    d->wall0 = now_ns();
    double t0 = thread_ns();
    switch (d->op) {
    case SC_DATA:
        for (long i = 0; i < d->calls; i++) acc += (size_t)mm_data(d->a);
        break;
    case SC_GETTERS: /* four getters per iteration; the time below is per call */
        for (long i = 0; i < d->calls; i += 4)
            acc += mm_ndim(d->a) + mm_size(d->a) + mm_nbytes(d->a) + mm_flags(d->a);
        break;
    case SC_READ4K:
    case SC_READ4K_OWN: {
        uint64_t from = d->op == SC_READ4K ? 0 : own;
        for (long i = 0; i < d->calls; i++)
            if (mm_read_at(d->a, from + (uint64_t)(i % 16) * 4096, buf, sizeof buf) != MM_OK) die("mm_read_at");
        break;
    }
    case SC_SLICE:
        for (long i = 0; i < d->calls; i++) {
            mm_array v;
            if (mm_slice(d->a, 0, 10, 20, 1, &v) != MM_OK) die("mm_slice");
            mm_close(v);
        }
        break;
    case SC_PVR:
    case SC_PVR_OWN: {
        const char *from = base + (d->op == SC_PVR ? 0 : own);
        for (long i = 0; i < d->calls; i++) raw_pvr(buf, from + (i % 16) * 4096);
        break;
    }
    case SC_PREAD:
        for (long i = 0; i < d->calls; i++)
            if (pread(d->fd, buf, sizeof buf, (off_t)(i % 16) * 4096) != (ssize_t)sizeof buf) die("pread");
        break;
    case SC_RMW:
        for (long i = 0; i < d->calls; i++) rmw_floor_at(rmw_own_lines[d->thread]);
        break;
    default:
        break;
    }
    (void)acc;
    d->ns = (thread_ns() - t0) / (double)d->calls;
    d->wall1 = now_ns();
    return NULL;
}

/* Per-call CPU time of each thread (thread CPU time: on a shared machine, wall time would
 * count preemption; CPU time still counts the cache-line traffic between cores), averaged
 * over the threads, for every thread count. Each sample also records how many threads ran
 * at once on average (their CPU time over the wall time from the first start to the last
 * end): contention between cores only shows when that is near the thread count, and on a
 * busy machine (another session's build) two threads can share one core and look as if
 * they scaled. */
static void bench_scaling(const char *path) {
    static const char *const names[SC_NOPS] = {"11a", "11b", "11c", "11d", "11e", "11cf", "11ef", "11cp", "11df"};
    int samples = quick ? 3 : 11;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int counts[4] = {1, 2, (int)cpus, 8}, ncounts = 0, uniq[4];
    for (int k = 0; k < 4; k++) {
        int dup = 0;
        for (int j = 0; j < ncounts; j++) dup |= uniq[j] == counts[k];
        if (!dup && counts[k] >= 1 && counts[k] <= 64) uniq[ncounts++] = counts[k];
    }
    mm_array a;
    if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK) die("mm_open");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("open");
    int groups = (int)(mm_nbytes(a) / (16 * 4096));
    /* The rows selected by SCALE_ROWS (e.g. "11c,11e"), every row when it is unset. */
    const char *only = getenv("SCALE_ROWS");
    for (int op = SC_DATA; op < SC_NOPS; op++) {
        if (only) {
            const char *hit = strstr(only, names[op]);
            size_t len = strlen(names[op]);
            if (!hit || (hit[len] != '\0' && hit[len] != ',')) continue;
        }
        long calls = op <= SC_GETTERS ? (quick ? 20000 : 2000000) : (quick ? 2000 : 200000);
        for (int k = 0; k < ncounts; k++) {
            int n = uniq[k];
            double per[64], par[64];
            /* A sample in which fewer threads ran at once than there are cores for them (the
             * machine was busy with other work) is run again, up to 2 x samples times per
             * row, so that the contention between cores is measured, not hidden (not in
             * quick mode: its samples are too short for the threads to overlap). */
            int want = n < cpus ? n : (int)cpus, retried = 0;
            for (int s = 0; s < samples; s++)
              for (;;) {
                pthread_t th[64];
                struct scale_arg args[64];
                pthread_barrier_t start;
                pthread_barrier_init(&start, NULL, (unsigned)n);
                for (int t = 0; t < n; t++) {
                    args[t] = (struct scale_arg){a, (enum scale_op)op, t, fd, groups, calls, &start, 0, 0, 0};
                    pthread_create(&th[t], NULL, scale_loop, &args[t]);
                }
                double sum = 0, first = 0, last = 0;
                for (int t = 0; t < n; t++) {
                    pthread_join(th[t], NULL);
                    sum += args[t].ns;
                    if (t == 0 || args[t].wall0 < first) first = args[t].wall0;
                    if (t == 0 || args[t].wall1 > last) last = args[t].wall1;
                }
                pthread_barrier_destroy(&start);
                per[s] = sum / n;
                par[s] = last > first ? sum * (double)calls / (last - first) : 0;
                if (quick || want < 2 || par[s] >= 0.9 * want || retried >= 2 * samples) break;
                retried++;
              }
            char variant[32];
            snprintf(variant, sizeof variant, "t%d", n);
            report(names[op], variant, per, samples, "ns");
            if (n > 1) {
                qsort(par, (size_t)samples, sizeof *par, cmp_double);
                printf("N 11 %s %s: on average %.2f threads ran at once (median of the samples; %.2f-%.2f; "
                       "%d samples run again because fewer than %.1f did)\n",
                       names[op], variant, par[samples / 2], par[0], par[samples - 1], retried, 0.9 * want);
            }
        }
    }
    printf("N 11: %ld online CPUs; thread counts measured:", cpus);
    for (int k = 0; k < ncounts; k++) printf(" %d", uniq[k]);
    printf("\n");
    fflush(stdout);
    close(fd);
    mm_close(a);
}

/* ---- 4, 5: sums --------------------------------------------------------------------- */
enum touch { HOT, FIRST_DEFAULT, FIRST_SEQ, FIRST_POPULATE };

/* Raw C: open, map, (advise), sum; returns seconds of the timed part. */
static double sum_c(const char *path, enum touch how, double *gbps) {
    double t0 = now_ns();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) die("open");
    size_t len = (size_t)st.st_size;
    int flags = MAP_SHARED | (how == FIRST_POPULATE ? MAP_POPULATE : 0);
    double *p = mmap(NULL, len, PROT_READ, flags, fd, 0);
    if (p == MAP_FAILED) die("mmap");
    close(fd);
    if (how == FIRST_SEQ) madvise(p, len, MADV_SEQUENTIAL);
    if (how == HOT) {
        sink = sum_f64(p, len / 8);
        t0 = now_ns();
    }
    sink = sum_f64(p, len / 8);
    double t = (now_ns() - t0) / 1e9;
    munmap(p, len);
    *gbps = (double)len / t / 1e9;
    return t;
}

static double sum_mm(const char *path, enum touch how, double *gbps) {
    double t0 = now_ns();
    mm_array a;
    uint32_t flags = how == FIRST_POPULATE ? MM_OPEN_POPULATE : 0;
    if (mm_open_ex(path, "<f8", "r", 0, NULL, 0, 'C', flags, &a) != MM_OK) die("mm_open_ex");
    if (how == FIRST_SEQ && mm_advise(a, MM_ADVICE_SEQUENTIAL) != MM_OK) die("mm_advise");
    const double *p = mm_data(a);
    size_t n = mm_size(a);
    if (how == HOT) {
        sink = sum_f64(p, n);
        t0 = now_ns();
    }
    sink = sum_f64(p, n);
    double t = (now_ns() - t0) / 1e9;
    mm_close(a);
    *gbps = (double)(n * 8) / t / 1e9;
    return t;
}

static void bench_sums(const char *path) {
    int reps = quick ? 3 : 11; /* page-cache reads only: cheap to repeat */
    const char *rows[] = {"4", "5a", "5b", "5c"};
    for (int how = HOT; how <= FIRST_POPULATE; how++) {
        double c[16], m[16];
        for (int r = 0; r < reps; r++) {
            double g;
            if (r % 2 == 0) {
                sum_c(path, how, &g); c[r] = g;
                sum_mm(path, how, &g); m[r] = g;
            } else {
                sum_mm(path, how, &g); m[r] = g;
                sum_c(path, how, &g); c[r] = g;
            }
        }
        report(rows[how], "c", c, reps, "GB/s");
        report(rows[how], "mmarray", m, reps, "GB/s");
    }
}

/* ---- 6: create w+, fill, flush ------------------------------------------------------ */
static void fill(double *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (double)i;
}

/* Both return the whole time and store in *flush_s the part spent in msync. */
static double create_c(const char *path, size_t bytes, double *flush_s) {
    unlink(path);
    sync(); /* the previous repetition's write-back must not land in this one */
    double t0 = now_ns();
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0) die("create");
    double *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) die("mmap");
    close(fd);
    fill(p, bytes / 8);
    double t1 = now_ns();
    msync(p, bytes, MS_SYNC);
    *flush_s = (now_ns() - t1) / 1e9;
    munmap(p, bytes);
    return (now_ns() - t0) / 1e9;
}

static double create_mm(const char *path, size_t bytes, double *flush_s) {
    unlink(path);
    sync(); /* the previous repetition's write-back must not land in this one */
    double t0 = now_ns();
    mm_array a;
    size_t shape[1] = {bytes / 8};
    if (mm_open(path, "<f8", "w+", 0, shape, 1, 'C', &a) != MM_OK) die("mm_open w+");
    fill(mm_data(a), bytes / 8);
    double t1 = now_ns();
    if (mm_flush(a) != MM_OK) die("mm_flush");
    *flush_s = (now_ns() - t1) / 1e9;
    mm_close(a);
    return (now_ns() - t0) / 1e9;
}

static void bench_create(size_t bytes) {
    int reps = quick ? 2 : 5;
    char path[512];
    snprintf(path, sizeof path, "%s/create.f8", dir);
    double c[16], m[16], cf[16], mf[16];
    for (int r = 0; r < reps; r++) {
        if (r % 2 == 0) {
            c[r] = create_c(path, bytes, &cf[r]);
            m[r] = create_mm(path, bytes, &mf[r]);
        } else {
            m[r] = create_mm(path, bytes, &mf[r]);
            c[r] = create_c(path, bytes, &cf[r]);
        }
    }
    unlink(path);
    printf("N 6: every repetition in run order, C / mmarray (s):");
    for (int r = 0; r < reps; r++) printf(" %.3g/%.3g", c[r], m[r]);
    printf("\n");
    report("6", "c", c, reps, "s");
    report("6", "mmarray", m, reps, "s");
    report("6f", "c", cf, reps, "s");
    report("6f", "mmarray", mf, reps, "s");
}

/* ---- 7: flush_range vs flush -------------------------------------------------------- */
static void bench_flush_range(size_t bytes) {
    int reps = quick ? 2 : 5;
    char path[512];
    snprintf(path, sizeof path, "%s/flush.f8", dir);
    make_file(path, bytes);
    mm_array a;
    if (mm_open(path, "u1", "r+", 0, NULL, 0, 'C', &a) != MM_OK) die("mm_open r+");
    unsigned char *p = mm_data(a);
    size_t dirty = bytes / 4, range = bytes / 2048, at = bytes / 2;
    double r_ms[16], f_ms[16];
    for (int r = 0; r < reps; r++) {
        for (int which = 0; which < 2; which++) {
            memset(p, r * 2 + which + 1, dirty);       /* "elsewhere" */
            memset(p + at, r * 2 + which + 1, range);  /* the range itself */
            double t0 = now_ns();
            if (which == 0) {
                if (mm_flush_range(a, at, range) != MM_OK) die("mm_flush_range");
                r_ms[r] = (now_ns() - t0) / 1e6;
            } else {
                if (mm_flush(a) != MM_OK) die("mm_flush");
                f_ms[r] = (now_ns() - t0) / 1e6;
            }
        }
    }
    mm_flush(a);
    mm_close(a);
    unlink(path);
    report("7", "mm_flush_range", r_ms, reps, "ms");
    report("7", "mm_flush", f_ms, reps, "ms");
}

/* ---- 8: memory per view ------------------------------------------------------------- */
static long rss_bytes(void) {
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &res) != 2) die("statm");
    fclose(f);
    return res * sysconf(_SC_PAGESIZE);
}

static int maps_of(const char *path) {
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, path)) n++;
    fclose(f);
    return n;
}

static void bench_views(const char *path) {
    size_t count = quick ? 10000 : 1000000;
    mm_array a;
    if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &a) != MM_OK) die("mm_open");
    mm_array *views = malloc(count * sizeof *views);
    /* The handle array is the caller's memory: allocate and touch it before measuring. */
    memset(views, 0, count * sizeof *views);
    long before = rss_bytes();
    double t0 = now_ns();
    for (size_t i = 0; i < count; i++)
        if (mm_slice(a, 0, (int64_t)(i % 1000), (int64_t)(i % 1000) + 10, 1, &views[i]) != MM_OK)
            die("mm_slice");
    double t = (now_ns() - t0) / (double)count;
    long after = rss_bytes();
    double per = (double)(after - before) / (double)count;
    int maps = maps_of(path);
    for (size_t i = 0; i < count; i++) mm_close(views[i]);
    mm_close(a);
    free(views);
    printf("R 8 mmarray %.6g %.6g %.6g B/view 1\n", per, per, per);
    printf("R 8t mmarray %.6g %.6g %.6g ns/view 1\n", t, t, t);
    printf("N 8: %zu views, RSS delta %ld bytes, %.0f ns per mm_slice, %d mapping(s) of the file in /proc/self/maps\n",
           count, after - before, t, maps);
}

/* ---- 9: many arrays under ulimit -n 256 --------------------------------------------- */
static void bench_many(int files) {
    fflush(stdout); /* the child must not print the parent's buffered lines again */
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit lim = {256, 256};
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(3);
        mm_array *h = calloc((size_t)files, sizeof *h);
        int ok = 0;
        char path[512];
        double t0 = now_ns();
        for (int i = 0; i < files; i++) {
            snprintf(path, sizeof path, "%s/many/%d.f8", dir, i);
            if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &h[i]) != MM_OK) {
                printf("N 9: mmarray failed at array %d: %s\n", i, mm_last_error_message());
                break;
            }
            ok++;
        }
        double t = (now_ns() - t0) / 1e6;
        printf("R 9 mmarray %d %d %d arrays 1\n", ok, ok, ok);
        printf("N 9: mmarray held %d of %d arrays open at once under ulimit -n 256 (%.0f ms), handles %zu\n",
               ok, files, t, mm_handle_count());
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
}

/* ---- 10: appending rows to a .npy (mm_npy_append) against raw open+pwrite+close -------- */
/* One variant: rows of 1 KiB, `per` rows per append, on a file that starts with
 * `start_rows` rows (sparse: 10 GiB in the full run). Each sample is the mean of a batch;
 * C and mmarray alternate batch by batch. */
static void bench_append_one(const char *row, size_t per, size_t start_rows, int batch,
                             int samples) {
    const size_t rowb = 1024, n = per * rowb;
    char raw[512], npy[512];
    snprintf(raw, sizeof raw, "%s/append.raw", dir);
    snprintf(npy, sizeof npy, "%s/append.npy", dir);
    size_t shape[2] = {0, rowb};
    mm_array a, g;
    if (mm_create_npy(npy, "|u1", shape, 2, 'C', &a) != MM_OK) die("mm_create_npy");
    if (start_rows && mm_npy_grow(a, start_rows, &g) != MM_OK) die("mm_npy_grow");
    if (start_rows) mm_close(g);
    int fd = open(raw, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)(start_rows * rowb)) != 0) die("raw file");
    close(fd);
    char *buf = malloc(n);
    memset(buf, 7, n);
    off_t end = (off_t)(start_rows * rowb);
    double c[64], m[64];
    for (int s = 0; s < samples; s++) {
        double t0 = now_ns();
        for (int i = 0; i < batch; i++) {
            int f = open(raw, O_WRONLY | O_CLOEXEC);
            if (f < 0 || pwrite(f, buf, n, end) != (ssize_t)n) die("pwrite");
            close(f);
            end += (off_t)n;
        }
        double t1 = now_ns();
        for (int i = 0; i < batch; i++) {
            if (mm_npy_append(a, buf, per, NULL) != MM_OK) die("mm_npy_append");
        }
        double t2 = now_ns();
        c[s] = (t1 - t0) / batch / 1000;
        m[s] = (t2 - t1) / batch / 1000;
    }
    report(row, "c", c, samples, "us");
    report(row, "mmarray", m, samples, "us");
    mm_close(a);
    unlink(raw);
    unlink(npy);
    free(buf);
}

static void bench_append(void) {
    size_t big = quick ? 16384 : 10u * 1024 * 1024; /* rows of 1 KiB: 16 MiB or 10 GiB */
    int samples = quick ? 3 : 11;
    bench_append_one("10a", 1, 0, quick ? 100 : 2000, samples);
    bench_append_one("10b", 1024, 0, quick ? 2 : 20, samples);
    bench_append_one("10c", 1, big, quick ? 100 : 2000, samples);
    bench_append_one("10d", 1024, big, quick ? 2 : 20, samples);
}

/* ---- 9b: 10^5 arrays open at once (no descriptor limit) --------------------------------
 * Opens the files of row 9 in turn (array i maps file i % files) and keeps every array
 * open: time and RSS per array, and how many the process could hold (each array is one
 * mapping, so vm.max_map_count bounds them). */
static void bench_many_open(int files, int count) {
    fflush(stdout); /* the child must not print the parent's buffered lines again */
    pid_t pid = fork();
    if (pid == 0) {
        mm_array *h = calloc((size_t)count, sizeof *h);
        if (!h) _exit(3);
        memset(h, 0, (size_t)count * sizeof *h);
        char path[512];
        long before = rss_bytes();
        double t0 = now_ns();
        int ok = 0;
        for (int i = 0; i < count; i++) {
            snprintf(path, sizeof path, "%s/many/%d.f8", dir, i % files);
            if (mm_open(path, "<f8", "r", 0, NULL, 0, 'C', &h[i]) != MM_OK) {
                printf("N 9b: mm_open failed at array %d: %s\n", i, mm_last_error_message());
                break;
            }
            ok++;
        }
        double t = ok ? (now_ns() - t0) / ok / 1000 : 0;
        double per = ok ? (double)(rss_bytes() - before) / ok : 0;
        FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
        long max_maps = -1;
        if (f) {
            if (fscanf(f, "%ld", &max_maps) != 1) max_maps = -1;
            fclose(f);
        }
        printf("R 9b mmarray %d %d %d arrays 1\n", ok, ok, ok);
        printf("R 9bt mmarray %.6g %.6g %.6g us/array 1\n", t, t, t);
        printf("R 9bm mmarray %.6g %.6g %.6g B/array 1\n", per, per, per);
        printf("N 9b: %d of %d arrays open at once, %.2f us and %.0f B (RSS) each; vm.max_map_count %ld\n",
               ok, count, t, per, max_maps);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench DIR [--quick|full] [rows]\n");
        return 2;
    }
    dir = argv[1];
    quick = argc > 2 && strcmp(argv[2], "--quick") == 0;
    const char *rows = argc > 3 ? argv[3] : "123456789";
    size_t small = quick ? (1 << 20) : (64u << 20);
    size_t big = quick ? (16u << 20) : (2ull << 30);
    char path64[512], path2g[512];
    snprintf(path64, sizeof path64, "%s/open.f8", dir);
    snprintf(path2g, sizeof path2g, "%s/sum.f8", dir);
    if (strpbrk(rows, "1238fs"))
        make_file(path64, small);
    if (strchr(rows, '1')) bench_open_close(path64);
    if (strchr(rows, '2')) bench_data(path64);
    if (strchr(rows, '3')) bench_slice(path64);
    if (strchr(rows, '8')) bench_views(path64);
    if (strchr(rows, '4') || strchr(rows, '5')) {
        make_file(path2g, big);
        bench_sums(path2g);
    }
    if (strchr(rows, '6')) bench_create(big);
    if (strchr(rows, '7')) bench_flush_range(big);
    if (strchr(rows, '9')) bench_many(quick ? 400 : 20000);
    if (strchr(rows, 'A')) bench_append(); /* row 10 */
    /* Rows 10 and 11 are selected by the letters f (floor) and s (scaling), row 9b by m. */
    if (strchr(rows, 'f')) bench_floor(path64);
    if (strchr(rows, 's')) bench_scaling(path64);
    if (strchr(rows, 'm')) bench_many_open(quick ? 400 : 20000, quick ? 400 : 100000);
    return 0;
}
