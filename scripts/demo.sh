#!/usr/bin/env bash
# Build the library and run examples/demo.c against target/release.
#   scripts/demo.sh            (CC overrides the compiler, CARGO_TARGET_DIR the cargo dir)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
cc=${CC:-cc}

echo "== cargo build --release"
cargo build --release

out=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-demo-build-XXXXXX")
trap 'rm -rf "$out"' EXIT
echo "== $cc examples/demo.c"
# The library's SONAME is libmmarray.so.0; cargo builds only libmmarray.so, so give the
# loader the name it will look for, next to the demo.
ln -s "$target/release/libmmarray.so" "$out/libmmarray.so.0"
"$cc" -std=c11 -Wall -Wextra -Werror -O1 -I"$root/include" "$root/examples/demo.c" \
    -L"$target/release" -lmmarray -Wl,-rpath,"$out" -o "$out/demo"
echo "== demo"
"$out/demo"
