#!/bin/sh
# Builds the release library and runs the C bad-input matrix against it.
#   c_tests/run_bad_input.sh
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
# The library's SONAME is libmmarray.so.0; cargo only writes libmmarray.so.
ln -sf libmmarray.so target/release/libmmarray.so.0
gcc -std=c11 -Wall -Wextra -Werror -Iinclude c_tests/test_bad_input.c \
    -Ltarget/release -lmmarray -Wl,-rpath,"$PWD/target/release" -o target/test_bad_input
./target/test_bad_input
