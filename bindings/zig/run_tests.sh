#!/bin/sh
# `zig build test` for the Zig package, with Zig 0.15.2 from PyPI (ziglang) in the
# project venv (installed there when missing), against target/release or LIBDIR/INCDIR.
# Usage: bindings/zig/run_tests.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${MMARRAY_VENV:-$root/.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -m ziglang version 2>/dev/null | grep -qx '0.15.2'; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check 'ziglang==0.15.2'
fi
libdir=${LIBDIR:-$root/target/release}
incdir=${INCDIR:-$root/include}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The library's SONAME is libmmarray.so.0; cargo's target dir only has libmmarray.so.
ln -s "$libdir/libmmarray.so" "$out/libmmarray.so"
ln -s "$libdir/libmmarray.so" "$out/libmmarray.so.0"
cd "$here"
"$venv/bin/python" -m ziglang fmt --check build.zig src
ZIG_GLOBAL_CACHE_DIR=${ZIG_GLOBAL_CACHE_DIR:-$root/build/zig-cache} \
  "$venv/bin/python" -m ziglang build test --summary all \
  -Dmmarray-include="$incdir" -Dmmarray-lib="$out"
echo "zig: ok"
