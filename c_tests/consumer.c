/* A consumer built without CMake, from `pkg-config --cflags --libs mmarray` only. */
#include <mmarray.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    size_t shape[2] = {2, 3};
    mm_array a = 0;
    mm_status s = mm_open(argv[1], "<i8", "w+", 0, shape, 2, 'C', &a);
    if (s != MM_OK) {
        fprintf(stderr, "mm_open: %s: %s\n", mm_status_str(s), mm_last_error_message());
        return 1;
    }
    long long *d = (long long *)mm_data(a);
    for (int i = 0; i < 6; i++) d[i] = i * i;
    mm_array col = 0;
    if (mm_slice(a, 1, 2, 3, 1, &col) != MM_OK) return 1;
    const char *p = (const char *)mm_data(col);
    long long v = *(const long long *)(p + mm_strides(col)[0]);
    int ok = v == 25 && mm_flush(a) == MM_OK && mm_close(a) == MM_OK && mm_close(col) == MM_OK &&
             strcmp(mm_version_string(), "0.1.0") == 0;
    printf("consumer: element (1,2) = %lld, version %s: %s\n", v, mm_version_string(),
           ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
