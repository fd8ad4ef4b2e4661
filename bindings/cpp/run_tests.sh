#!/bin/sh
# Builds and runs the C++ wrapper's test as C++17 and C++20 against target/release.
# Usage: bindings/cpp/run_tests.sh   (run `cargo build --release` first; CXX overrides g++;
# CARGO_TARGET_DIR is honoured)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
lib="${CARGO_TARGET_DIR:-$root/target}/release"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The library's SONAME is libmmarray.so.0; cargo only writes libmmarray.so.
ln -s "$lib/libmmarray.so" "$out/libmmarray.so.0"
for std in 17 20; do
  for t in raii iter; do
    ${CXX:-g++} -std=c++$std -Wall -Wextra -pedantic -Werror -I"$root/include" \
      "$root/bindings/cpp/test_cpp_$t.cpp" -L"$lib" -lmmarray -Wl,-rpath,"$out" \
      -o "$out/test_cpp_${t}_$std"
    "$out/test_cpp_${t}_$std"
  done
done
# The header refuses to compile without exceptions.
if echo '#include "mmarray.hpp"' | ${CXX:-g++} -std=c++17 -fno-exceptions -I"$root/include" \
     -x c++ -fsyntax-only - 2>"$out/err"; then
  echo "mmarray.hpp compiled with -fno-exceptions" >&2; exit 1
fi
grep -q "needs\|exceptions" "$out/err"
echo "cpp: ok"
