#!/bin/sh
# `zig build test` of the Zig package (the repository root's build.zig), with Zig 0.15.2
# from PyPI (ziglang) in the project venv (installed there when missing), against
# target/release or LIBDIR/INCDIR, numpy (2.4.6, also from PyPI when missing) as the
# tests' oracle; then, with MMARRAY_ZIG_PREFIX=<an installed prefix>,
# the README's consumer project (examples/consumer_zig) out of tree: the package fetched
# from a tarball with `zig fetch --save`, the library found through pkg-config and
# through -Dmmarray-prefix, the binary's RUNPATH absolute.
# Usage: bindings/zig/run_tests.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${MMARRAY_VENV:-$root/.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -m ziglang version 2>/dev/null | grep -qx '0.15.2'; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check 'ziglang==0.15.2'
fi
# numpy is the tests' oracle (test_util.zig runs MMARRAY_PYTHON).
"$venv/bin/python" -c 'import numpy' 2>/dev/null ||
  "$venv/bin/python" -m pip install -q --disable-pip-version-check 'numpy==2.4.6'
export MMARRAY_PYTHON="$venv/bin/python"
zig() { "$venv/bin/python" -m ziglang "$@"; }
libdir=${LIBDIR:-$root/target/release}
incdir=${INCDIR:-$root/include}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The library's SONAME is libmmarray.so.0; cargo's target dir only has libmmarray.so.
ln -s "$libdir/libmmarray.so" "$out/libmmarray.so"
ln -s "$libdir/libmmarray.so" "$out/libmmarray.so.0"
export ZIG_GLOBAL_CACHE_DIR="${ZIG_GLOBAL_CACHE_DIR:-$root/build/zig-cache}"
cd "$root"
zig fmt --check build.zig build.zig.zon bindings/zig/src examples/consumer_zig
zig build test --summary all --cache-dir "$root/build/zig-local-cache" --prefix "$out/zig-out" \
  -Dmmarray-include="$incdir" -Dmmarray-lib="$out"
echo "zig: ok"

[ -n "${MMARRAY_ZIG_PREFIX:-}" ] || exit 0
prefix=$(cd "$MMARRAY_ZIG_PREFIX" && pwd)
# The package as `zig fetch` of the repository's tarball sees it: the paths build.zig.zon
# lists, under one top directory.
mkdir "$out/pkg" "$out/consumer"
tar -C "$root" -cf - build.zig build.zig.zon bindings/zig/src LICENSE-MIT LICENSE-APACHE |
  tar -C "$out/pkg" -xf -
tar -C "$out" -czf "$out/mmarray.tar.gz" pkg
cp -r "$root/examples/consumer_zig/." "$out/consumer/"
cd "$out/consumer"
zig fetch --save=mmarray "$out/mmarray.tar.gz"
grep -q '\.mmarray = \.{' build.zig.zon
check() { # check ARGS...: build and run the consumer, its RUNPATH absolute and the prefix's
  rm -rf zig-out
  zig build run --cache-dir "$out/consumer-cache" "$@" >"$out/run.out" 2>&1 ||
    { cat "$out/run.out"; echo "zig consumer: build or run failed ($*)" >&2; exit 1; }
  grep -qx "consumer_zig: a\[1\]\[2\] = 12, missing.f8: error.FileNotFound" "$out/run.out" ||
    { cat "$out/run.out"; echo "zig consumer: unexpected output ($*)" >&2; exit 1; }
  runpath=$(readelf -d zig-out/bin/consumer_zig | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  case ":$runpath:" in
    *":$prefix/lib:"*) ;;
    *) echo "zig consumer: RUNPATH '$runpath' does not hold $prefix/lib" >&2; exit 1 ;;
  esac
  echo "zig consumer ($*): RUNPATH $runpath"
  for d in $(echo "$runpath" | tr : ' '); do
    case $d in /*) ;; *) echo "zig consumer: relative RUNPATH entry '$d'" >&2; exit 1 ;; esac
  done
}
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" check
PKG_CONFIG_PATH=/nonexistent check -Dmmarray-prefix="$prefix"
# Neither: a failure that says what to do, and a non-zero status.
if PKG_CONFIG_PATH=/nonexistent PKG_CONFIG_LIBDIR=/nonexistent zig build --cache-dir "$out/consumer-cache" >"$out/run.out" 2>&1 ||
  ! grep -q "pkg-config does not know mmarray" "$out/run.out"; then
  cat "$out/run.out"; echo "zig consumer: built without a library, or said nothing useful" >&2; exit 1
fi
echo "zig consumer (zig fetch --save of the tarball; pkg-config and -Dmmarray-prefix): ok"
