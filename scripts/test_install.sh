#!/usr/bin/env bash
# Installs mmarray with cmake --install into PREFIX and builds consumer projects from
# OUTSIDE the source tree against it: examples/consumer via find_package(mmarray 0.1)
# (shared, static, C++ wrapper) and a pkg-config build, the Fortran (CMake, fpm) and Go
# (go mod + replace, go work) consumers; checks with ldd that the shared consumers load
# libmmarray.so.0 from PREFIX (the SONAME, not the build path). MMARRAY_PYTHON (a numpy
# Python, optional) checks the .npy the Go consumer writes.
#   scripts/test_install.sh PREFIX          e.g. a temporary directory, or /usr/local
# With PREFIX=/usr/local (CI), nothing sets CMAKE_PREFIX_PATH / PKG_CONFIG_PATH /
# LD_LIBRARY_PATH: the default search paths must find it; the installed files are removed
# again afterwards unless MMARRAY_KEEP_INSTALL=1.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=$1
build=${MMARRAY_BUILD_DIR:-$root/build}/install-$(echo "$prefix" | tr / _)
work=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-consumer-XXXXXX")
system=0 keep=${MMARRAY_KEEP_INSTALL:-0}
if [ "$prefix" = /usr/local ]; then
  system=1
  # Never remove an installation this run did not make.
  [ -e /usr/local/lib/libmmarray.so.0 ] && keep=1
fi
cleanup() {
  rm -rf "$work"
  if [ $system = 1 ] && [ "$keep" != 1 ] && [ -f "$build/install_manifest.txt" ]; then
    xargs -d '\n' rm -f <"$build/install_manifest.txt"
    rmdir /usr/local/lib/cmake/mmarray /usr/local/lib/cmake /usr/local/lib/pkgconfig 2>/dev/null || true
    rmdir /usr/local/share/doc/mmarray 2>/dev/null || true
    rmdir /usr/local/share/mmarray/fortran /usr/local/share/mmarray 2>/dev/null || true
    rmdir /usr/local/include/mmarray/fortran/* /usr/local/include/mmarray/fortran \
      /usr/local/include/mmarray 2>/dev/null || true
    ldconfig
    echo "removed the /usr/local installation again (MMARRAY_KEEP_INSTALL=1 keeps it)"
  fi
}
trap cleanup EXIT

cmake -S "$root/cmake" -B "$build" -DCMAKE_INSTALL_PREFIX="$prefix" -Wno-dev >/dev/null
cmake --build "$build" >/dev/null
cmake --install "$build"
[ $system = 1 ] && ldconfig
# The licences and the README travel with the package.
for f in LICENSE-MIT LICENSE-APACHE README.md; do
  cmp "$root/$f" "$prefix/share/doc/mmarray/$f" || { echo "$prefix/share/doc/mmarray/$f is missing or differs from $f" >&2; exit 1; }
done

# loads_from BINARY: the libmmarray.so.0 that BINARY loads must be PREFIX's.
loads_from() {
  local got
  got=$(ldd "$1" | awk '$1 == "libmmarray.so.0" { print $3 }')
  if [ -z "$got" ] || [ "$(readlink -f "$got")" != "$(readlink -f "$prefix/lib/libmmarray.so.0")" ]; then
    echo "$1 loads libmmarray.so.0 from '$got', not from $prefix/lib" >&2
    return 1
  fi
}

env_args=()
if [ $system = 0 ]; then
  env_args=(CMAKE_PREFIX_PATH="$prefix" PKG_CONFIG_PATH="$prefix/lib/pkgconfig")
fi

# 1. CMake consumer, copied outside the tree.
cp -r "$root/examples/consumer" "$work/cmake-consumer"
env "${env_args[@]}" cmake -S "$work/cmake-consumer" -B "$work/cmake-build" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
(cd "$work" && ./cmake-build/consumer && ./cmake-build/consumer_static && ./cmake-build/consumer_cpp)
ldd "$work/cmake-build/consumer" | tee "$work/ldd.txt"
loads_from "$work/cmake-build/consumer"
if ldd "$work/cmake-build/consumer_static" | grep -q libmmarray; then
  echo "the static consumer depends on libmmarray.so" >&2; exit 1
fi
readelf -d "$work/cmake-build/consumer" | grep NEEDED | grep -q '\[libmmarray.so.0\]'
# The handle registry's static (512 KiB of slots) lies in .bss, not in the library file:
# one non-zero byte in it would put all of it into .data (src/registry.rs, no_spares).
data=$(size -A "$prefix/lib/libmmarray.so.0" | awk '$1 == ".data" { print $2 }')
if [ -z "$data" ] || [ "$data" -ge 65536 ]; then
  echo "libmmarray.so.0's .data is '$data' bytes (the registry's static left .bss?)" >&2; exit 1
fi

# 1b. Fortran consumer, find_package(mmarray COMPONENTS Fortran): with the compiler the
# package was installed with it links the prebuilt module; MMARRAY_FORTRAN_FROM_SOURCE=ON
# builds the module from the installed sources, as for any other compiler.
if command -v gfortran >/dev/null 2>&1; then
  cp -r "$root/examples/consumer_fortran" "$work/fortran-consumer"
  for from_source in OFF ON; do
    rm -rf "$work/fortran-build"
    env "${env_args[@]}" cmake -S "$work/fortran-consumer" -B "$work/fortran-build" \
      -DMMARRAY_FORTRAN_FROM_SOURCE=$from_source >/dev/null
    cmake --build "$work/fortran-build" >/dev/null
    (cd "$work" && ./fortran-build/consumer_fortran && rm consumer_f.npy)
    loads_from "$work/fortran-build/consumer_fortran"
    # which way the module came: the imported prebuilt library, or compiled here
    if [ $from_source = OFF ] && [ -e "$prefix/lib/libmmarray_fortran.a" ]; then
      grep -q "libmmarray_fortran.a" "$work/fortran-build/CMakeFiles/consumer_fortran.dir/link.txt"
    else
      [ -e "$work/fortran-build/libmmarray_fortran_module.a" ]
    fi
  done
  # Asked for without the Fortran language: a failure that says what to do.
  mkdir "$work/no-fortran"
  printf 'cmake_minimum_required(VERSION 3.16)\nproject(c_only LANGUAGES C)\nfind_package(mmarray 0.1 REQUIRED COMPONENTS Fortran)\n' \
    >"$work/no-fortran/CMakeLists.txt"
  if env "${env_args[@]}" cmake -S "$work/no-fortran" -B "$work/no-fortran/build" >"$work/no-fortran.log" 2>&1 ||
    ! grep -q "needs the Fortran language" "$work/no-fortran.log"; then
    cat "$work/no-fortran.log"; echo "COMPONENTS Fortran without Fortran enabled did not fail as documented" >&2; exit 1
  fi
  echo "Fortran consumer: prebuilt module and module built from the installed sources ok"
else
  echo "Fortran consumer: skipped (no gfortran)"
fi

# 1c. fpm consumer: examples/consumer_fpm depends on this tree's fpm.toml (package
# mmarray-fortran) by path; fpm (PyPI's fpm, MMARRAY_FPM or on PATH) builds and runs it.
fpm=${MMARRAY_FPM:-$(command -v fpm || true)}
if [ -n "$fpm" ] && command -v gfortran >/dev/null 2>&1; then
  mkdir -p "$work/fpm-consumer/app"
  # fpm 0.12 takes a path dependency relative to the project (an absolute one fails)
  rel=$(realpath --relative-to="$work/fpm-consumer" "$root")
  sed "s|/path/to/mmarray|$rel|" "$root/examples/consumer_fpm/fpm.toml" >"$work/fpm-consumer/fpm.toml"
  cp "$root/examples/consumer_fortran/main.f90" "$work/fpm-consumer/app/main.f90"
  fpm_flags=()
  [ $system = 0 ] && fpm_flags=(--link-flag "-L$prefix/lib -Wl,-rpath,$prefix/lib")
  (cd "$work/fpm-consumer" && "$fpm" build "${fpm_flags[@]}" >/dev/null &&
    "$fpm" run "${fpm_flags[@]}" 2>&1 | tail -1 | grep -x "consumer_fortran: x(:, 2:3) of consumer_f.npy ok")
  loads_from "$(find "$work/fpm-consumer/build" -type f -name consumer_fpm -path '*app*' | head -1)"
  echo "fpm consumer ok"
else
  echo "fpm consumer: skipped (no fpm or gfortran: pip install fpm)"
fi

# 1d. Go consumer: a new module outside the tree (examples/consumer_go/main.go) built by
# examples/consumer_go/build.sh, the README's steps as written (go mod init, require +
# replace to bindings/go, cgo flags through pkg-config of PREFIX, an rpath), offline
# (GOPROXY=off: nothing is fetched); then the same with go work instead of replace.
# numpy ($MMARRAY_PYTHON) checks the .npy it wrote.
# A build cache of its own: Go's cache keys a cgo package on its sources and flags but not
# on what pkg-config answers (golang/go#24544) nor on the headers it includes (#24355), so
# a shared cache that once built bindings/go against an earlier, since removed, PREFIX
# links with that PREFIX's -L ("cannot find -lmmarray": CI's checkout path is the same
# every run). A new cache is cheap: the standard library comes prebuilt with Go.
if command -v go >/dev/null 2>&1; then
  export GOCACHE=$work/go-cache
  for flow in replace work; do
    d=$work/go-consumer-$flow
    mkdir "$d" && cp "$root/examples/consumer_go/main.go" "$d"
    if [ $flow = replace ]; then
      (cd "$d" && GOPROXY=off PREFIX="$prefix" MMARRAY_SRC="$root" sh "$root/examples/consumer_go/build.sh") >"$d.out"
      grep -qx 'require mmarray v0.0.0' "$d/go.mod"
      grep -qx "replace mmarray => $root/bindings/go" "$d/go.mod"
    else
      (cd "$d" && export GOPROXY=off PKG_CONFIG_PATH="$prefix/lib/pkgconfig" &&
        go mod init example.com/consumer 2>/dev/null && go work init . "$root/bindings/go" &&
        go build -ldflags="-r $prefix/lib" -o consumer . && ./consumer) >"$d.out"
      if grep -q mmarray "$d/go.mod"; then echo "go work changed go.mod" >&2; exit 1; fi
    fi
    cat "$d.out"
    printf '%s\n' "consumer_go: <f8 [2 3] row 1 [10 11 12]" \
      "consumer_go: missing.f8 is fs.ErrNotExist: true" | cmp - "$d.out"
    loads_from "$d/consumer"
    readelf -d "$d/consumer" | grep -q "RUNPATH.*\[$prefix/lib\]"
    if [ -n "${MMARRAY_PYTHON:-}" ]; then
      "$MMARRAY_PYTHON" -c 'import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
assert a.dtype == np.dtype("<f8") and a.shape == (2, 3), (a.dtype, a.shape)
assert a.tolist() == [[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]], a.tolist()' "$d/consumer_go.npy"
    fi
  done
  if [ -n "${MMARRAY_PYTHON:-}" ]; then
    echo "Go consumer (replace and go work) ok; numpy read its consumer_go.npy"
  else
    echo "Go consumer (replace and go work) ok; numpy check skipped (MMARRAY_PYTHON unset)"
  fi
else
  echo "Go consumer: skipped (no go: apt-get install golang-go)"
fi

# 2. pkg-config consumer (the README's command line).
cp "$root/examples/consumer/main.c" "$work/pc.c"
cd "$work"
if [ $system = 1 ]; then
  cc pc.c $(pkg-config --cflags --libs mmarray) -o pc-consumer
else
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
  cc pc.c $(pkg-config --cflags --libs mmarray) -Wl,-rpath,"$(pkg-config --variable=libdir mmarray)" -o pc-consumer
fi
./pc-consumer
loads_from pc-consumer
# The README's pkg-config snippet, as it is written.
mkdir "$work/snippet" && cp "$root/examples/consumer/main.c" "$root/examples/consumer/pkg-config-build.sh" "$work/snippet"
if [ $system = 1 ]; then
  (cd "$work/snippet" && sh pkg-config-build.sh)
else
  (cd "$work/snippet" && LD_LIBRARY_PATH="$prefix/lib" sh pkg-config-build.sh)
fi
[ "$(pkg-config --modversion mmarray)" = 0.1.0 ]
echo "install into $prefix: find_package and pkg-config consumers ok"
