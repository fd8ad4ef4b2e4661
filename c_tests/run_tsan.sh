#!/bin/sh
# The C concurrency stress test under ThreadSanitizer, with the library and Rust's std
# instrumented too (nightly, -Zbuild-std; needs `rustup component add rust-src
# --toolchain nightly`). Without build-std, TSan cannot see std's Mutex or Arc's
# fences and reports false races; helgrind/drd cannot see C11/Rust atomics at all.
#   c_tests/run_tsan.sh [SECONDS]     (default 3)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-3}
triple=x86_64-unknown-linux-gnu
export CARGO_TARGET_DIR="$PWD/target/tsan"
RUSTFLAGS="-Zsanitizer=thread" cargo +nightly build --quiet -Zbuild-std --release \
    --target "$triple" --lib
lib="$CARGO_TARGET_DIR/$triple/release"
ln -sf libmmarray.so "$lib/libmmarray.so.0"
# gcc instruments the C code; the runtime is the one rustc's sanitizer build expects.
rt=$(rustc +nightly --print sysroot)/lib/rustlib/$triple/lib/librustc-nightly_rt.tsan.a
gcc -std=c11 -O1 -g -fsanitize=thread -Wall -Wextra -pthread -Iinclude -c \
    c_tests/test_stress.c -o "$lib/test_stress_tsan.o"
gcc -pie "$lib/test_stress_tsan.o" -Wl,--whole-archive "$rt" -Wl,--no-whole-archive \
    -L"$lib" -lmmarray -Wl,-rpath,"$lib" -lpthread -ldl -lm -lrt -o "$lib/test_stress_tsan"
MM_STRESS_SKIP_MAPS_TOTAL=1 TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
    "$lib/test_stress_tsan" "$secs"
echo "ThreadSanitizer: no data race reported"
