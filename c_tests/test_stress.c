/* Concurrency stress (RELIABILITY.md, section 4): 8 threads for N seconds (argv[1], else
 * $MM_STRESS_SECONDS, else 10) open, view, slice, read, write disjoint regions, flush and
 * close, while also using a table of shared handles that other threads close and replace
 * underneath them. Afterwards: every byte of every region holds the last pattern its
 * thread wrote (read back through a fresh mapping), every pattern was verified right after
 * it was written, mm_handle_count() is back to its start, no mapping of the test's files
 * is left in /proc/self/maps and the line count of /proc/self/maps is back to its start.
 *
 *   gcc -std=c11 -O2 -Wall -Wextra -pthread -Iinclude c_tests/test_stress.c \
 *       -Ltarget/release -lmmarray -Wl,-rpath,$PWD/target/release -o test_stress
 *   ./test_stress 3
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mmarray.h"

enum { THREADS = 8, REGION = 16384, SHARED = 16, RO_LEN = 8192 };

static char dir[256], rw_path[300], ro_path[300];
static _Atomic mm_array shared[SHARED];
/* Open for the whole run: its C strings (mm_dtype, mm_filename) are made by the first
 * call that asks, so the threads race to make them (one wins, the others' are freed). */
static mm_array steady;
static atomic_int stop;
static atomic_long failures;

struct stats {
    long iterations, opens, views, foreign_closes, bad_handles_seen, shared_reads, flushes;
    long long bytes_verified;
    unsigned last_gen;
};
static struct stats stats[THREADS];

#define FAILF(...)                                                                  \
    do {                                                                            \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                             \
        fprintf(stderr, __VA_ARGS__);                                               \
        fprintf(stderr, " (last error: %s)\n", mm_last_error_message());           \
        atomic_fetch_add(&failures, 1);                                             \
        atomic_store(&stop, 1);                                                     \
    } while (0)

static unsigned char pattern(int t, unsigned gen, size_t k) {
    return (unsigned char)(gen * 31u + k * 7u + (unsigned)t * 13u + (k >> 8));
}
static unsigned char ro_byte(size_t k) { return (unsigned char)(k * 5u + 3u); }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_maps(const char *needle) {
    FILE *f = fopen("/proc/self/maps", "re");
    char line[4096];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        if (!needle || strstr(line, needle)) n++;
    if (f) fclose(f);
    return n;
}

static mm_array open_ro(void) {
    mm_array h = 0;
    if (mm_open(ro_path, "u1", "r", 0, NULL, 0, 'C', &h) != MM_OK) FAILF("open ro");
    return h;
}

static void use_shared(int t, unsigned *seed) {
    struct stats *st = &stats[t];
    int j = rand_r(seed) % SHARED;
    mm_array h = atomic_load(&shared[j]);
    unsigned char buf[256];
    size_t off = (size_t)(rand_r(seed) % (RO_LEN - 256));
    mm_status s = mm_read_at(h, off, buf, sizeof buf);
    if (s == MM_OK) {
        for (size_t k = 0; k < sizeof buf; k++)
            if (buf[k] != ro_byte(off + k)) { FAILF("shared byte %zu", off + k); return; }
        st->bytes_verified += sizeof buf;
        st->shared_reads++;
    } else if (s == MM_E_BAD_HANDLE) {
        st->bad_handles_seen++;
    } else {
        FAILF("mm_read_at on a shared handle: %d", s);
    }
    /* a view of the shared handle, if it is still open */
    size_t n[1] = {100};
    mm_array v = 0;
    s = mm_view(h, NULL, (int64_t)off, n, 1, NULL, &v);
    if (s == MM_OK) {
        /* the view keeps the mapping alive even if h is closed right now */
        const unsigned char *p = mm_data(v);
        if (!p || p[99] != ro_byte(off + 99)) FAILF("view of shared handle");
        st->bytes_verified += 1;
        if (mm_close(v) != MM_OK) FAILF("close view");
    } else if (s == MM_E_BAD_HANDLE) {
        st->bad_handles_seen++;
    } else {
        FAILF("mm_view on a shared handle: %d", s);
    }
    size_t size = mm_size(h);
    if (size != RO_LEN && size != 0) FAILF("mm_size %zu", size);
    const char *dt = mm_dtype(steady), *fn = mm_filename(steady);
    if (!dt || strcmp(dt, "|u1") != 0) FAILF("mm_dtype %s", dt ? dt : "NULL");
    if (!fn || strlen(fn) < 7 || strcmp(fn + strlen(fn) - 7, "/ro.bin") != 0)
        FAILF("mm_filename %s", fn ? fn : "NULL");
    /* The getters answered from the registry summary race the close of h and the
     * reuse of its slot by other threads' r+ views: each answer is h's or a bad
     * handle's (0, NULL), never a later handle's. */
    size_t nbytes = mm_nbytes(h);
    if (nbytes != RO_LEN && nbytes != 0) FAILF("mm_nbytes %zu", nbytes);
    uint32_t flags = mm_flags(h);
    if (flags & MM_WRITEABLE) FAILF("mm_flags %#x of a read-only handle", flags);
    const char *mode = mm_mode(h);
    if (mode && strcmp(mode, "r") != 0) FAILF("mm_mode %s of a read-only handle", mode);
    const unsigned char *data = mm_data(h);
    if (data && mm_ndim(h) > 1) FAILF("mm_ndim of a 1-d handle");
    /* replace it now and then: close a handle other threads may be using */
    if (rand_r(seed) % 4 == 0) {
        mm_array fresh = open_ro();
        mm_array old = atomic_exchange(&shared[j], fresh);
        if (mm_close(old) != MM_OK) FAILF("close of a shared handle");
        st->foreign_closes++;
        st->opens++;
    }
}

static void *worker(void *arg) {
    int t = (int)(intptr_t)arg;
    struct stats *st = &stats[t];
    unsigned seed = 1234u + (unsigned)t;
    unsigned char buf[REGION];
    while (!atomic_load(&stop)) {
        unsigned gen = st->last_gen + 1;
        size_t shape[1] = {(size_t)THREADS * REGION};
        mm_array h = 0, region = 0, words = 0;
        if (mm_open(rw_path, "u1", "r+", 0, shape, 1, 'C', &h) != MM_OK) { FAILF("open"); break; }
        st->opens++;
        if (mm_slice(h, 0, (int64_t)t * REGION, (int64_t)(t + 1) * REGION, 1, &region) != MM_OK) {
            FAILF("slice");
            break;
        }
        /* close the base first: the slice keeps the mapping */
        if (mm_close(h) != MM_OK) FAILF("close base");
        /* first half through the data pointer, second half through mm_write_at */
        unsigned char *p = mm_data(region);
        for (size_t k = 0; k < REGION / 2; k++) p[k] = pattern(t, gen, k);
        for (size_t k = REGION / 2; k < REGION; k++) buf[k] = pattern(t, gen, k);
        if (mm_write_at(region, REGION / 2, buf + REGION / 2, REGION / 2) != MM_OK) FAILF("write_at");
        /* read it all back through a different view (u2 words, reversed) */
        size_t wshape[1] = {REGION / 2};
        int64_t wstride[1] = {-2};
        if (mm_view(region, "<u2", REGION - 2, wshape, 1, wstride, &words) != MM_OK) {
            FAILF("view");
            break;
        }
        st->views++;
        /* the reversed view's extent starts at its first element (the last word) */
        unsigned char last[2];
        if (mm_read_at(words, 0, last, 2) != MM_OK) FAILF("read_at words");
        if (last[0] != pattern(t, gen, REGION - 2) || last[1] != pattern(t, gen, REGION - 1))
            FAILF("last word");
        memset(buf, 0, sizeof buf);
        if (mm_read_at(region, 0, buf, REGION) != MM_OK) FAILF("read_at");
        for (size_t k = 0; k < REGION; k++)
            if (buf[k] != pattern(t, gen, k)) { FAILF("thread %d byte %zu", t, k); break; }
        st->bytes_verified += REGION + 2;
        if (rand_r(&seed) % 8 == 0) {
            if (mm_flush(words) != MM_OK) FAILF("flush");
            st->flushes++;
        }
        /* close in either order */
        if (gen % 2) {
            if (mm_close(region) != MM_OK || mm_close(words) != MM_OK) FAILF("close");
        } else {
            if (mm_close(words) != MM_OK || mm_close(region) != MM_OK) FAILF("close");
        }
        st->last_gen = gen;
        st->iterations++;
        use_shared(t, &seed);
    }
    return NULL;
}

static pthread_barrier_t warm;

static void *nothing(void *arg) {
    /* warm-up: all 8 threads alive at once, so glibc creates 8 stacks (cached for reuse
     * after join) and 8 malloc arenas (never unmapped): later threads reuse both */
    pthread_barrier_wait(&warm);
    void *volatile block = malloc(1000);
    pthread_barrier_wait(&warm);
    free(block);
    mm_array h = 0;
    mm_open(ro_path, "u1", "r", 0, NULL, 0, 'C', &h);
    mm_close(h);
    return arg;
}

int main(int argc, char **argv) {
    double seconds = 10;
    const char *env = getenv("MM_STRESS_SECONDS");
    if (argc > 1) seconds = atof(argv[1]);
    else if (env) seconds = atof(env);
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mmarray-stress-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    snprintf(rw_path, sizeof rw_path, "%s/rw.bin", dir);
    snprintf(ro_path, sizeof ro_path, "%s/ro.bin", dir);
    FILE *f = fopen(ro_path, "wb");
    for (size_t k = 0; k < RO_LEN; k++) fputc(ro_byte(k), f);
    fclose(f);
    f = fopen(rw_path, "wb");
    for (size_t k = 0; k < (size_t)THREADS * REGION; k++) fputc(0, f);
    fclose(f);

    pthread_t th[THREADS];
    pthread_barrier_init(&warm, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, nothing, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    size_t handles_start = mm_handle_count();
    int maps_start = count_maps(NULL);
    if (getenv("MM_STRESS_SHOW_MAPS")) system("cat /proc/$PPID/maps >&2");

    for (int j = 0; j < SHARED; j++) atomic_store(&shared[j], open_ro());
    steady = open_ro();
    double t0 = now();
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
    while (now() - t0 < seconds && !atomic_load(&stop)) usleep(20000);
    atomic_store(&stop, 1);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    double elapsed = now() - t0;
    for (int j = 0; j < SHARED; j++)
        if (mm_close(atomic_load(&shared[j])) != MM_OK) FAILF("final close");
    if (mm_close(steady) != MM_OK) FAILF("close of the steady handle");

    /* every byte of every region holds its thread's last pattern, seen through a fresh
     * mapping opened after all the others were closed */
    mm_array all = 0;
    long long final_bytes = 0;
    if (mm_open(rw_path, "u1", "r", 0, NULL, 0, 'C', &all) != MM_OK) FAILF("reopen");
    const unsigned char *p = mm_data(all);
    for (int t = 0; t < THREADS && p; t++)
        for (size_t k = 0; k < REGION; k++, final_bytes++)
            if (p[(size_t)t * REGION + k] != pattern(t, stats[t].last_gen, k)) {
                FAILF("final check: thread %d byte %zu", t, k);
                break;
            }
    mm_close(all);

    size_t handles_end = mm_handle_count();
    int maps_end = count_maps(NULL);
    int ours = count_maps(dir);
    if (handles_end != handles_start) FAILF("handle count %zu -> %zu", handles_start, handles_end);
    if (ours != 0) FAILF("%d mappings of the test's files remain", ours);
    /* Sanitizer and valgrind runtimes map memory of their own: they skip this one check
     * (detected, or by MM_STRESS_SKIP_MAPS_TOTAL=1). */
    int foreign_runtime = getenv("MM_STRESS_SKIP_MAPS_TOTAL") != NULL;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    foreign_runtime = 1;
#endif
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload")) foreign_runtime = 1;
    if (foreign_runtime) {
        printf("test_stress: NOT compared: total /proc/self/maps lines (%d -> %d), because a "
               "sanitizer or valgrind runtime maps memory of its own; mappings of the test's "
               "files were compared (0 remain)\n", maps_start, maps_end);
    } else if (maps_end != maps_start) {
        FAILF("/proc/self/maps: %d lines -> %d", maps_start, maps_end);
        if (getenv("MM_STRESS_SHOW_MAPS")) system("cat /proc/$PPID/maps >&2");
    }

    struct stats sum = {0};
    for (int t = 0; t < THREADS; t++) {
        sum.iterations += stats[t].iterations;
        sum.opens += stats[t].opens;
        sum.views += stats[t].views;
        sum.foreign_closes += stats[t].foreign_closes;
        sum.bad_handles_seen += stats[t].bad_handles_seen;
        sum.shared_reads += stats[t].shared_reads;
        sum.flushes += stats[t].flushes;
        sum.bytes_verified += stats[t].bytes_verified;
    }
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) FAILF("cleanup");
    printf("test_stress: %d threads x %.1f s: %ld iterations, %ld opens, %ld views, %ld flushes, "
           "%ld handles closed under other threads, %ld BAD_HANDLE answers seen, %ld shared reads, "
           "%lld bytes verified during + %lld after; handles %zu -> %zu, maps lines %d -> %d: %s\n",
           THREADS, elapsed, sum.iterations, sum.opens, sum.views, sum.flushes, sum.foreign_closes,
           sum.bad_handles_seen, sum.shared_reads, sum.bytes_verified, final_bytes, handles_start,
           handles_end, maps_start, maps_end, atomic_load(&failures) ? "FAILED" : "ok");
    return atomic_load(&failures) ? 1 : 0;
}
