#!/usr/bin/env bash
# The bindings and interop suite, for .ci/run. On a fresh Debian 12 with Rust:
#   - installs what is missing with apt-get when root: golang-go, gfortran, doxygen,
#     cmake, pkg-config, g++, openmpi-bin, libopenmpi-dev (and python3-venv);
#     numpy==2.4.6, ziglang==0.15.2 and fpm==0.12.0 (Fortran package manager) from PyPI
#     into the project venv (.venv)
#   - cargo build --release; cmake --install into a staging prefix (build/bind-stage)
#   - dlpack:  numpy's np.from_dlpack on mapped arrays (tests/dlpack/test_dlpack.py)
#   - python:  pip install ./bindings/python into a fresh venv, used against the prefix;
#              with numpy 1.26.4 (build/numpy1-venv) DLPack is refused, naming numpy >= 2.1
#   - cpp:     include/mmarray.hpp tests as C++17 and C++20 (ctest, against the prefix)
#   - go:      go vet, go test, go test -race (pkg-config from the prefix)
#   - fortran: gfortran module + numpy round trip (ctest, against the prefix)
#   - zig:     zig build test (the root's build.zig), and examples/consumer_zig fetched
#              from a tarball with zig fetch --save, through pkg-config and a prefix
#   - examples: the README snippets compiled and run; their text checked against files
#   - docs:    doxygen docs/Doxyfile, any warning (undocumented item, parameter or
#              result) fails; the front page links every area
#   - mpi:     examples/mpi/run.sh: C and Fortran ranks write disjoint slabs of one .npy
#              and read disjoint slabs of numpy's file, mpirun --oversubscribe -np 4
#              (Debian's OpenMPI: openmpi-bin libopenmpi-dev)
#   - install: scripts/test_install.sh (CMake C, C++ and Fortran, pkg-config, fpm and Go
#              consumers) into a temporary prefix, and into /usr/local when
#              MMARRAY_SYSTEM_INSTALL=1 (CI; removed again afterwards)
# Stops at the first failure (non-zero exit). Usage: scripts/test_bindings.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${MMARRAY_BUILD_DIR:-$root/build}
venv=${MMARRAY_VENV:-$root/.venv}
stage=$build/bind-stage
mkdir -p "$build"
t0=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - t0))"; }

step prerequisites
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
missing=()
for pair in go:golang-go gfortran:gfortran doxygen:doxygen cmake:cmake pkg-config:pkg-config \
            g++:g++ cc:gcc valgrind:valgrind mpirun:openmpi-bin mpicc:libopenmpi-dev \
            mpif90:libopenmpi-dev; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "missing: ${missing[*]} (apt-get install them)" >&2; exit 1
  fi
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import numpy; assert numpy.__version__ == "2.4.6"' 2>/dev/null ||
  "$venv/bin/python" -m pip install -q --disable-pip-version-check numpy==2.4.6
"$venv/bin/fpm" --version 2>/dev/null | grep -q "Version: *0.12.0," ||
  "$venv/bin/python" -m pip install -q --disable-pip-version-check fpm==0.12.0
export MMARRAY_FPM=$venv/bin/fpm # the install stage's fpm consumer
"$venv/bin/python" -m ziglang version 2>/dev/null | grep -qx 0.15.2 ||
  "$venv/bin/python" -m pip install -q --disable-pip-version-check ziglang==0.15.2
echo "go $(go version | awk '{print $3}'), $(gfortran --version | head -1), doxygen $(doxygen --version), zig $("$venv/bin/python" -m ziglang version)"

step "cargo build --release + cmake --install into $stage"
cargo build --release --quiet
cmake -S cmake -B "$build/bind-pkg" -DCMAKE_INSTALL_PREFIX="$stage" -Wno-dev >/dev/null
cmake --build "$build/bind-pkg" >/dev/null
rm -rf "$stage"
cmake --install "$build/bind-pkg" >/dev/null
export PKG_CONFIG_PATH="$stage/lib/pkgconfig"
lib=$stage/lib/libmmarray.so.0

step "cmake --install --strip: no debug info, the C API still exported"
stripped=$(mktemp -d)
cmake --install "$build/bind-pkg" --prefix "$stripped" --strip >/dev/null
for f in "$stripped/lib/libmmarray.so.0" "$stripped/bin/mmarray" "$stripped/lib/libmmarray.a"; do
  if readelf -S "$f" | grep -q '\.debug_info'; then echo "$f keeps debug info" >&2; exit 1; fi
done
[ "$(readelf --dyn-syms "$stripped/lib/libmmarray.so.0" | grep -c ' mm_')" -ge 48 ]
echo "stripped: $(stat -L -c %s "$stripped/lib/libmmarray.so.0") bytes (staged, with debug info: $(stat -L -c %s "$lib"))"
rm -rf "$stripped"

step dlpack
MMARRAY_LIB=$lib "$venv/bin/python" tests/dlpack/test_dlpack.py

step "python (pip install ./bindings/python into a fresh venv, then use it)"
MMARRAY_LIB=$lib "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/test_package.py

step "cpp (C++17 and C++20, ctest)"
rm -rf "$build/bind-cpp"
cmake -S bindings/cpp -B "$build/bind-cpp" -DCMAKE_PREFIX_PATH="$stage" >/dev/null
cmake --build "$build/bind-cpp" >/dev/null
ctest --test-dir "$build/bind-cpp" --output-on-failure
echo '#include <mmarray.hpp>' | g++ -std=c++17 -fno-exceptions -I"$stage/include" -x c++ -fsyntax-only - 2>/dev/null &&
  { echo "mmarray.hpp compiled without exceptions" >&2; exit 1; }
echo "mmarray.hpp refuses -fno-exceptions: ok"

step "go (vet, test, test -race)"
# A new Go build cache each run: Go's does not notice a changed mmarray.h or pkg-config
# answer (golang/go#24355, #24544); see scripts/test_install.sh. Costs ~8 s (the -race
# standard library).
rm -rf "$build/go-cache"
(cd bindings/go && export GOCACHE="$build/go-cache" LD_LIBRARY_PATH="$stage/lib" MMARRAY_PYTHON="$venv/bin/python" &&
  test -z "$(gofmt -l .)" && go vet ./... && go test -count=1 ./... && go test -race -count=1 ./...)

step "fortran (ctest: numpy writes, Fortran reads and writes, numpy checks)"
rm -rf "$build/bind-fortran"
cmake -S bindings/fortran -B "$build/bind-fortran" -DCMAKE_PREFIX_PATH="$stage" \
  -DMMARRAY_PYTHON="$venv/bin/python" >/dev/null
cmake --build "$build/bind-fortran" >/dev/null
ctest --test-dir "$build/bind-fortran" --output-on-failure

step zig
LIBDIR=$stage/lib INCDIR=$stage/include MMARRAY_VENV=$venv MMARRAY_ZIG_PREFIX=$stage \
  bindings/zig/run_tests.sh

step "examples (README snippets)"
ex=$(mktemp -d)
trap 'rm -rf "$ex"' EXIT
# shellcheck disable=SC2046
g++ -std=c++17 -Wall -Wextra -Werror examples/cpp_example.cpp $(pkg-config --cflags --libs mmarray) \
  -Wl,-rpath,"$stage/lib" -o "$ex/cpp_example"
(cd "$ex" && ./cpp_example) | tee "$ex/out"
grep -q "row 1 starts with 1.5" "$ex/out"
grep -q "status 2 (MM_E_NOT_FOUND is 2)" "$ex/out"
(cd "$ex" && gfortran -std=f2018 -I"$root/bindings/fortran" -c "$root/bindings/fortran/mmarray.f90" &&
  gfortran -std=f2018 "$root/examples/fortran_example.f90" mmarray.o -L"$stage/lib" -lmmarray \
    -Wl,-rpath,"$stage/lib" -o fortran_example && ./fortran_example) | tee "$ex/out"
grep -q "x(2,3) =  6.0" "$ex/out"
grep -q 'as expected: mm_open("missing.f8")' "$ex/out"
(cd "$ex" && PYTHONPATH="$root/bindings/python" "$venv/bin/python" "$root/examples/dlpack_example.py" "$lib") | tee "$ex/out"
grep -qF "[ 0.  1.  2.  3.  4. 42.]" "$ex/out"
"$venv/bin/python" bindings/check_snippets.py README.md

step "docs (doxygen, warnings are errors)"
rm -rf "$build/docs"
# The documented command is `doxygen docs/Doxyfile` (output in build/docs); here the
# output follows $MMARRAY_BUILD_DIR. docs/Doxyfile warns about any undocumented item,
# parameter or result and fails on any warning (WARN_AS_ERROR = FAIL_ON_WARNINGS).
if ! { cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $build/docs"; } | doxygen - 2>"$build/doxygen.log" ||
  [ -s "$build/doxygen.log" ]; then
  cat "$build/doxygen.log"; echo "doxygen warned: fix the doc comments above" >&2; exit 1
fi
html=$build/docs/html
grep -q "mm_to_dlpack" "$html/group__area__dlpack.html"
grep -q "Opens <code>path</code> as an n-dimensional array" "$html/group__area__open.html"
grep -q 'href="group__area__open.html"' "$html/index.html" # the front page links the areas
if [ -e "$html/namespacemmarray_1_1detail.html" ]; then
  echo "mmarray::detail is in the reference" >&2; exit 1
fi
# The front page's example is the README's first C example, which c_tests runs.
"$venv/bin/python" - <<'PY'
import re
example = re.search(r"```c\n.*?\n```\n", open("docs/mainpage.md").read(), re.S).group(0)
assert example in open("README.md").read(), "docs/mainpage.md's example is not README's"
PY
echo "API reference: $html/index.html"

step "mpi (examples/mpi: 4 ranks write and read slabs of one .npy; numpy checks)"
examples/mpi/run.sh "$stage" "$venv/bin/python"

step "install (out-of-tree consumers)"
p=$(mktemp -d)
MMARRAY_PYTHON="$venv/bin/python" scripts/test_install.sh "$p/prefix" | tail -1
rm -rf "$p"
if [ "${MMARRAY_SYSTEM_INSTALL:-0}" = 1 ]; then
  MMARRAY_PYTHON="$venv/bin/python" scripts/test_install.sh /usr/local | tail -2
fi

step "bindings suite: all passed"
