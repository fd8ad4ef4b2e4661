#!/usr/bin/env bash
# The whole mmarray test suite, runnable on a fresh Debian 12 machine that has Rust
# (rustup, with rustfmt and clippy):
#
#   1. installs what is missing: cmake, valgrind, pkg-config, a C/C++ compiler, binutils,
#      python3-venv (apt-get, only when running as root; otherwise it says what to install)
#      and a project-local .venv with tests/oracle/requirements.txt (PyPI)
#   2. cargo fmt --check
#   3. cargo clippy --all-targets -- -D warnings, and the library's rustdoc with warnings
#      as errors (broken or private intra-doc links)
#   4. cargo test --release
#   5. cmake packaging project (cmake/): build + install into a staging prefix
#   6. c_tests/ against that prefix with ctest (includes the valgrind runs)
#   7. pytest tests/oracle with MMARRAY_LIB pointing at the built libmmarray.so (and
#      MMARRAY_CLI at the mmarray command-line tool, for test_cli.py)
#   7b. scripts/reliability.sh: bad-input matrix, stress, sanitizers, loom, TSan, Miri
#   7c. fuzz/run_fuzz.sh 30: a 30-second smoke of each fuzz target (nightly, cargo-fuzz)
#   8. scripts/test_bindings.sh: DLPack, C++, Go, Fortran, Zig, docs, MPI, install
#      consumers (installs golang-go, gfortran, doxygen, openmpi with apt-get and ziglang,
#      fpm into .venv)
#   8b. scripts/test_windows.sh: Windows x86_64 (MinGW cross build of the DLL and the
#      CMake package, C tests and numpy cross-checks under wine64; installs
#      gcc-mingw-w64-x86-64 and wine64 with apt-get, the Rust targets with rustup) and
#      macOS (cargo check + clippy of x86_64/aarch64-apple-darwin: type-checked only)
#   9. bash bench/run.sh --quick (the benchmarks still build and run; never timed)
#
# Stops at the first failing stage with a non-zero exit status. Ends with each runner's
# summary line. Build products go to $MMARRAY_BUILD_DIR (default: ./build).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${MMARRAY_BUILD_DIR:-$root/build}
logs=$build/logs
target=${CARGO_TARGET_DIR:-$root/target}
venv=${MMARRAY_VENV:-$root/.venv}     # override only to time a cold run without touching .venv
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$logs"
rm -f "$logs"/*.log

t_start=$(date +%s)
declare -a summary=()

note() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

finish() {
    local rc=$1
    note "summary"
    local line
    for line in "${summary[@]}"; do printf '  %s\n' "$line"; done
    printf '  total time: %ss\n' "$(($(date +%s) - t_start))"
    if [ "$rc" -eq 0 ]; then
        printf '  ALL STAGES PASSED\n'
    fi
    exit "$rc"
}

# run_stage NAME CMD...: run, log to $logs/NAME.log, stop everything on failure.
run_stage() {
    local name=$1
    shift
    note "$name: $*"
    local t0 rc
    t0=$(date +%s)
    "$@" 2>&1 | tee "$logs/$name.log"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ]; then
        summary+=("$name: FAILED (exit $rc, log $logs/$name.log)")
        printf '\n*** stage "%s" failed with exit status %s ***\n' "$name" "$rc"
        finish "$rc"
    fi
    summary+=("$name: ok ($(($(date +%s) - t0))s)")
}

# ---------------------------------------------------------------------------------------
# 1. prerequisites
# ---------------------------------------------------------------------------------------
note "prerequisites"
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo not found: install Rust with rustup (https://rustup.rs), then rerun" >&2
    exit 1
fi
for sub in fmt clippy; do
    if ! cargo "$sub" --version >/dev/null 2>&1; then
        echo "cargo $sub is missing: rustup component add $( [ $sub = fmt ] && echo rustfmt || echo clippy )" >&2
        exit 1
    fi
done

missing=()
need() { # need COMMAND-CHECK PACKAGE
    if ! eval "$1" >/dev/null 2>&1; then missing+=("$2"); fi
}
need "command -v cmake" cmake
need "command -v ctest" cmake
need "command -v valgrind" valgrind
need "command -v pkg-config" pkg-config
need "command -v cc" gcc
need "command -v c++" g++
need "command -v readelf" binutils
need "command -v python3" python3
need "python3 -c 'import venv, ensurepip'" python3-venv
if [ "${#missing[@]}" -gt 0 ]; then
    # de-duplicate (cmake appears twice)
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing with apt-get: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q || exit 1
        apt-get install -y -q --no-install-recommends "${missing[@]}" || exit 1
    else
        echo "missing packages: ${missing[*]}" >&2
        echo "install them (e.g. sudo apt-get install ${missing[*]}) and rerun" >&2
        exit 1
    fi
else
    echo "system tools present: cmake $(cmake --version | head -1 | awk '{print $3}'), valgrind, pkg-config, cc, c++, readelf, python3-venv"
fi
echo "rust: $(cargo --version)"

# project-local Python environment for the numpy oracle
req=tests/oracle/requirements.txt
if [ ! -f "$req" ]; then
    echo "warning: $req does not exist; creating a minimal one (numpy, pytest)" >&2
    mkdir -p tests/oracle
    printf 'numpy\npytest\n' >"$req"
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv (python3 -m venv)"
    python3 -m venv "$venv" || exit 1
fi
req_hash=$(sha256sum "$req" | cut -d' ' -f1)
if [ "$(cat "$venv/.mmarray-requirements" 2>/dev/null)" != "$req_hash" ]; then
    echo "installing into $venv from PyPI: $(grep -v '^#' "$req" | tr '\n' ' ')"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" || exit 1
    echo "$req_hash" >"$venv/.mmarray-requirements"
else
    echo "$venv is up to date with $req"
fi
summary+=("prerequisites: ok")

locked=()
cmake_locked=OFF
if [ -f Cargo.lock ]; then
    locked=(--locked)
    cmake_locked=ON
fi
header_before=$(sha256sum include/mmarray.h 2>/dev/null | cut -d' ' -f1 || true)

# ---------------------------------------------------------------------------------------
# 2-4. Rust
# ---------------------------------------------------------------------------------------
run_stage fmt cargo fmt --all -- --check
run_stage clippy cargo clippy "${locked[@]}" --all-targets -- -D warnings
run_stage rustdoc env RUSTDOCFLAGS="-D warnings" cargo doc "${locked[@]}" --no-deps --lib
run_stage cargo-test cargo test "${locked[@]}" --release
mapfile -t results < <(grep -E '^test result:' "$logs/cargo-test.log")
passed=0 failed=0
for r in "${results[@]}"; do
    passed=$((passed + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$r")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$r")))
done
summary+=("  cargo test: ${#results[@]} test binaries, $passed passed, $failed failed")

# ---------------------------------------------------------------------------------------
# 5. package into a staging prefix
# ---------------------------------------------------------------------------------------
stage_prefix=$build/stage
run_stage package-configure cmake -S cmake -B "$build/pkg" -DCMAKE_INSTALL_PREFIX="$stage_prefix" \
    -DMMARRAY_CARGO_TARGET_DIR="$target" -DMMARRAY_CARGO_LOCKED=$cmake_locked
run_stage package-build cmake --build "$build/pkg"
rm -rf "$stage_prefix"
run_stage package-install cmake --install "$build/pkg"

# the committed header must be exactly what the build generates
header_after=$(sha256sum include/mmarray.h | cut -d' ' -f1)
header_check() {
    if [ -n "$header_before" ] && [ "$header_before" != "$header_after" ]; then
        echo "include/mmarray.h changed when the build regenerated it:"
        git --no-pager diff --stat -- include/mmarray.h || true
        echo "commit the regenerated header"
        return 1
    fi
    echo "include/mmarray.h unchanged by the build"
}
run_stage header-up-to-date header_check

# ---------------------------------------------------------------------------------------
# 6. C / C++ tests against the installed package
# ---------------------------------------------------------------------------------------
run_stage c-tests-configure cmake -S c_tests -B "$build/c_tests" -DCMAKE_PREFIX_PATH="$stage_prefix" \
    -DMMARRAY_PYTHON="$venv/bin/python"
run_stage c-tests-build cmake --build "$build/c_tests" -j "$jobs"
ctest_run() { cd "$build/c_tests" && ctest -j "$jobs" --output-on-failure --timeout 900; }
run_stage ctest ctest_run
summary+=("  ctest: $(grep -E 'tests passed' "$logs/ctest.log" | tail -1)")
vg_log=$build/c_tests/Testing/Temporary/LastTest.log
if [ -f "$vg_log" ]; then
    vg_runs=$(grep -c 'ERROR SUMMARY:' "$vg_log" || true)
    vg_clean=$(grep -c 'ERROR SUMMARY: 0 errors from 0 contexts' "$vg_log" || true)
    vg_leaks=$(grep -Ec '(definitely|possibly) lost: [1-9]' "$vg_log" || true)
    summary+=("  valgrind: $vg_runs runs, $vg_clean with 0 errors, $vg_leaks with definite/possible leaks")
fi

# ---------------------------------------------------------------------------------------
# 7. numpy oracle
# ---------------------------------------------------------------------------------------
export MMARRAY_LIB="$target/release/libmmarray.so"
# The command-line tool that tests/oracle/test_cli.py runs: `cargo test --release` (stage
# 4) builds every binary target of the crate for its integration tests.
export MMARRAY_CLI="$target/release/mmarray"
if [ ! -x "$MMARRAY_CLI" ]; then
    echo "$MMARRAY_CLI was not built by cargo test --release" >&2
    finish 1
fi
run_stage pytest "$venv/bin/python" -m pytest -q tests/oracle
summary+=("  pytest: $(grep -E '(passed|failed|error)' "$logs/pytest.log" | tail -1 | sed 's/=//g; s/^ *//')")

# ---------------------------------------------------------------------------------------
# 7b. reliability beyond cargo test: C bad-input matrix, 3 s C stress, ASan+UBSan and
#     valgrind on the C tests, loom model of the handle registry (scripts/reliability.sh)
# ---------------------------------------------------------------------------------------
run_stage reliability scripts/reliability.sh

# ---------------------------------------------------------------------------------------
# 7c. fuzz smoke: 30 s of each cargo-fuzz target (needs the nightly toolchain; installs
#     cargo-fuzz from crates.io when missing). The 10-minute runs are not part of CI.
# ---------------------------------------------------------------------------------------
fuzz_smoke() {
    if ! cargo +nightly --version >/dev/null 2>&1; then
        echo "the nightly toolchain is missing (rustup toolchain install nightly): cargo-fuzz needs it"
        return 1
    fi
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "installing cargo-fuzz from crates.io (cargo install cargo-fuzz --locked)"
        cargo install -q cargo-fuzz --locked || return 1
    fi
    sh fuzz/run_fuzz.sh "${MMARRAY_FUZZ_SECONDS:-30}"
}
run_stage fuzz-smoke fuzz_smoke

# ---------------------------------------------------------------------------------------
# 8. bindings and interop: DLPack (numpy), C++17/20, Go, Fortran, Zig, README snippets,
#    Doxygen, out-of-tree install consumers (also into /usr/local when CI=true)
# ---------------------------------------------------------------------------------------
system_install=0
[ "${CI:-}" = true ] && system_install=1
run_stage bindings env MMARRAY_SYSTEM_INSTALL="${MMARRAY_SYSTEM_INSTALL:-$system_install}" \
    MMARRAY_VENV="$venv" MMARRAY_BUILD_DIR="$build" scripts/test_bindings.sh

# ---------------------------------------------------------------------------------------
# 8b. Windows under Wine and the macOS type checks (scripts/test_windows.sh)
# ---------------------------------------------------------------------------------------
run_stage windows env MMARRAY_VENV="$venv" MMARRAY_BUILD_DIR="$build" scripts/test_windows.sh

# ---------------------------------------------------------------------------------------
# 9. benchmarks, tiny sizes: only that they still build and run (timings never fail)
# ---------------------------------------------------------------------------------------
run_stage bench-quick bash bench/run.sh --quick

finish 0
