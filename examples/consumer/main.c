#include <mmarray.h>
#include <stdio.h>

int main(void) {
    size_t shape[1] = {4};
    mm_array a = 0;
    if (mm_open("consumer.i4", "<i4", "w+", 0, shape, 1, 'C', &a) != MM_OK) {
        fprintf(stderr, "%s\n", mm_last_error_message());
        return 1;
    }
    int *x = mm_data(a);
    for (int i = 0; i < 4; i++) x[i] = i * 10;
    printf("mmarray %s: x[3] = %d\n", mm_version_string(), x[3]);
    mm_close(a);
    return remove("consumer.i4") == 0 ? 0 : 1;
}
