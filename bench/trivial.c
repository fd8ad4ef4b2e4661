/* The floor of any call through a C ABI into another shared library: bench_c calls this
 * through the PLT exactly as it calls mm_data (row 12 of bench/README.md). */
#include <stdint.h>

void *bench_trivial(uint64_t handle) { return (void *)(uintptr_t)(handle + 1); }
