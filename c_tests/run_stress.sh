#!/bin/sh
# Builds the release library and runs the C concurrency stress test for SECONDS
# (default 10; CI: 3).
#   c_tests/run_stress.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
ln -sf libmmarray.so target/release/libmmarray.so.0
gcc -std=c11 -O2 -Wall -Wextra -Werror -pthread -Iinclude c_tests/test_stress.c \
    -Ltarget/release -lmmarray -Wl,-rpath,"$PWD/target/release" -o target/test_stress
./target/test_stress "${1:-10}"
