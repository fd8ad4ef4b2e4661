#!/usr/bin/env bash
# The Windows and macOS stage of the test command (issue 15), run by scripts/test.sh:
#
#   1. installs what is missing and says so: gcc-mingw-w64-x86-64 and wine64 with apt-get
#      (only as root; otherwise it says what to install and fails), the Rust targets
#      x86_64-pc-windows-gnu, x86_64-apple-darwin, aarch64-apple-darwin with rustup
#   2. cross-builds and installs the Windows package with the CMake toolchain file
#      (cmake/toolchain-mingw-w64.cmake): bin/mmarray.dll, lib/libmmarray.dll.a,
#      lib/libmmarray.a, the header, the CMake package; checks the DLL exports every
#      function of the header
#   3. a Wine prefix of its own (a temporary directory under the build dir, removed on
#      every exit path, its wineserver stopped); as root a 1 MiB tmpfs mounted inside it
#      and mapped as drive T: for the full-disk case (unmounted on every exit path)
#   4. scripts/test_windows_rust.sh (the Rust unit and integration tests under Wine)
#   5. c_tests/ cross-built as a Windows consumer of the installed package
#      (find_package(mmarray) with the toolchain file) and run by ctest under wine64:
#      the portable C tests, test_windows.c, the consumer (c_tests/windows.cmake lists
#      which tests run and why the others do not)
#   6. numpy as the oracle across the OS line (c_tests/numpy_cross.py): numpy writes
#      .npy/.npz/raw fixtures, the Windows program reads them and its output is compared
#      with numpy's; the Windows program writes .npy/.npz files and numpy checks them byte
#      for byte against np.save / np.savez
#   7. the Go and Zig bindings built for Windows against the installed package, their
#      tests run under wine64 (mmarray.dll found through WINEPATH): Go with cgo and MinGW
#      (go vet, go test -c, the .exe run with -test.v -test.short), Zig cross-compiling
#      natively (zig build test-exe -Dtarget=x86_64-windows-gnu); tests needing numpy
#      say NOT RUN and skip (no numpy under Wine; step 6 is the numpy cross-check). Go
#      (Debian's golang-go) and Zig (ziglang==0.15.2 in the venv) are installed as
#      scripts/test_bindings.sh does when missing
#   8. cargo check and cargo clippy -D warnings (library and command-line tool) for
#      x86_64-apple-darwin and aarch64-apple-darwin (type-checked only: no macOS SDK or
#      machine here; the integration tests are Linux tests and are not checked for macOS)
#
# Prints its wall time at the end. Uses $MMARRAY_BUILD_DIR (default ./build),
# $CARGO_TARGET_DIR and the project venv $MMARRAY_VENV (default ./.venv, made by
# scripts/test.sh) for numpy.
set -euo pipefail
t_start=$(date +%s)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${MMARRAY_BUILD_DIR:-$root/build}
target=${CARGO_TARGET_DIR:-$root/target}
venv=${MMARRAY_VENV:-$root/.venv}
jobs=$(nproc 2>/dev/null || echo 2)
# A temporary directory of this stage's own for everything that writes into $TMPDIR:
# Wine's server directory (wine-XXXXXX) and binutils' dlltool, which rustc runs for the
# raw-dylib imports of a Windows build and which leaves two empty ccXXXXXX files behind
# per run (78 per cross build). Removed on every exit path: a run leaves nothing in /tmp.
mkdir -p "$build"
stage_tmp=$(mktemp -d "$build/windows-tmp.XXXXXX")
export TMPDIR=$stage_tmp
trap 'rm -rf "$stage_tmp"' EXIT
triple=x86_64-pc-windows-gnu
apple=(x86_64-apple-darwin aarch64-apple-darwin)
mingw=x86_64-w64-mingw32
locked=()
cmake_locked=OFF
if [ -f Cargo.lock ]; then
    locked=(--locked)
    cmake_locked=ON
fi
step() { printf '\n-- windows (+%ss): %s\n' "$(($(date +%s) - t_start))" "$*"; }
# From step 4 on, a failing part is recorded and the next part still runs; the stage
# fails at the end with the list.
failed=()
part() { # part NAME CMD...
    local name=$1
    shift
    if ! "$@"; then
        failed+=("$name")
        printf '\n** windows: %s FAILED\n' "$name"
    fi
}
mkdir -p "$build"

# ---- 1. prerequisites -------------------------------------------------------------------
step "prerequisites"
find_wine64() {
    if command -v wine64 >/dev/null 2>&1; then
        command -v wine64
    elif [ -x /usr/lib/wine/wine64 ]; then # Debian's wine64 package
        echo /usr/lib/wine/wine64
    fi
}
missing=()
command -v "$mingw-gcc" >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64)
[ -n "$(find_wine64)" ] || missing+=(wine64)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing with apt-get: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    else
        echo "missing packages: ${missing[*]}" >&2
        echo "install them (e.g. sudo apt-get install ${missing[*]}) and rerun" >&2
        exit 1
    fi
fi
wine64=$(find_wine64)
wineserver=$(command -v wineserver 2>/dev/null || true)
[ -n "$wineserver" ] || wineserver=$(dirname "$wine64")/wineserver
installed_targets=$(rustup target list --installed)
for t in "$triple" "${apple[@]}"; do
    if ! grep -qx "$t" <<<"$installed_targets"; then
        echo "installing the Rust target with rustup: rustup target add $t"
        rustup target add "$t"
    fi
done
echo "$("$mingw-gcc" --version | head -1), $("$wine64" --version), rust targets $triple ${apple[*]}"

# ---- 2. cross build + install of the Windows package ------------------------------------
step "cross-build and install the Windows package (cmake/toolchain-mingw-w64.cmake)"
wpkg=$build/win-pkg
wstage=$build/win-stage
cmake -S cmake -B "$wpkg" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-mingw-w64.cmake" \
    -DCMAKE_INSTALL_PREFIX="$wstage" -DMMARRAY_CARGO_TARGET_DIR="$target" \
    -DMMARRAY_CARGO_LOCKED=$cmake_locked -DMMARRAY_FORTRAN=OFF -Wno-dev >/dev/null
cmake --build "$wpkg"
rm -rf "$wstage"
cmake --install "$wpkg" >/dev/null
for f in bin/mmarray.dll lib/libmmarray.dll.a lib/libmmarray.a include/mmarray.h \
    lib/cmake/mmarray/mmarrayConfig.cmake lib/cmake/mmarray/mmarrayConfigVersion.cmake \
    lib/pkgconfig/mmarray.pc; do
    if [ ! -f "$wstage/$f" ]; then
        echo "the Windows package lacks $f" >&2
        exit 1
    fi
done
echo "installed into $wstage: $(cd "$wstage" && find bin lib include -type f | sort | tr '\n' ' ')"
# every function the header declares is exported by the DLL
"$mingw-objdump" -p "$wstage/bin/mmarray.dll" |
    awk '/\[Ordinal\/Name Pointer\] Table/{t=1; next} t && /^[ \t]*\[/{print $NF} t && /^$/{t=0}' |
    sort -u >"$build/win-dll-exports.txt"
grep -oE '^[a-z_0-9 *]*\bmm_[a-z0-9_]+\(' include/mmarray.h | grep -oE 'mm_[a-z0-9_]+\(' | tr -d '(' |
    sort -u >"$build/win-header-functions.txt"
not_exported=$(comm -23 "$build/win-header-functions.txt" "$build/win-dll-exports.txt")
if [ -n "$not_exported" ]; then
    echo "declared in include/mmarray.h but not exported by mmarray.dll: $not_exported" >&2
    exit 1
fi
echo "mmarray.dll exports all $(wc -l <"$build/win-header-functions.txt") functions of include/mmarray.h"

# ---- 3. a Wine prefix (and a full-able drive) of our own --------------------------------
work=$(mktemp -d "$build/windows.XXXXXX")
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
full=$work/full
mounted=0
cleanup() {
    "$wineserver" -k >/dev/null 2>&1 || true
    if [ $mounted = 1 ]; then umount "$full" || umount -l "$full" || true; fi
    rm -rf "$work" "$stage_tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
step "Wine prefix $WINEPREFIX"
"$wine64" wineboot -i >/dev/null 2>&1 || true
if [ ! -d "$WINEPREFIX/dosdevices" ]; then
    echo "wineboot did not create the prefix $WINEPREFIX" >&2
    exit 1
fi
# Rust's std (>= 1.78) imports ProcessPrng from bcryptprimitives.dll, which Windows 10/11
# have and Wine 8.0 does not: a stand-in goes into this prefix only (see its source).
sys32=$WINEPREFIX/drive_c/windows/system32
if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
    "$mingw-gcc" -O2 -shared -o "$sys32/bcryptprimitives.dll" scripts/wine/bcryptprimitives.c \
        -ladvapi32
    echo "this Wine has no bcryptprimitives.dll: put scripts/wine/bcryptprimitives.c's" \
        "stand-in (ProcessPrng over RtlGenRandom) into the test prefix"
fi
full_drive=
if [ "$(id -u)" -ne 0 ]; then
    echo "full-disk case: NOT RUN (mounting a small tmpfs needs root)"
else
    mkdir -p "$full"
    if mount -t tmpfs -o size=1m,mode=0700 mmarray-win-full "$full" 2>"$work/mount.err"; then
        mounted=1
        ln -s "$full" "$WINEPREFIX/dosdevices/t:"
        full_drive=T:
        echo "full-disk case: a 1 MiB tmpfs at $full is Wine drive T:"
    else
        echo "full-disk case: NOT RUN (mount -t tmpfs failed: $(cat "$work/mount.err"))"
    fi
fi

# ---- 4. the Rust unit tests under Wine (from the library's side) ------------------------
step "scripts/test_windows_rust.sh"
# in this stage's prefix (removed at the end, its wineserver stopped)
part "rust tests under Wine" env MMARRAY_WINEPREFIX="$WINEPREFIX" \
    bash scripts/test_windows_rust.sh

# ---- 5. the C tests as a Windows consumer, under Wine ------------------------------------
step "c_tests cross-built against the installed Windows package, run by ctest under $wine64"
wct=$build/win-c_tests
cmake -S c_tests -B "$wct" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-mingw-w64.cmake" \
    -DCMAKE_PREFIX_PATH="$wstage" -DCMAKE_BUILD_TYPE=Debug \
    -DMMARRAY_WIN_FULL_DRIVE="$full_drive" -Wno-dev >/dev/null
cmake --build "$wct" -j "$jobs" >/dev/null
part "ctest (C tests under Wine)" ctest --test-dir "$wct" -j "$jobs" --output-on-failure --timeout 300
echo "what test_windows observed (from ctest's log):"
grep -aE '^     [A-Za-z]' "$wct/Testing/Temporary/LastTest.log" || true

step "examples/consumer_windows: an out-of-tree Windows project, find_package(mmarray)"
wcons=$work/consumer_windows
cmake -S examples/consumer_windows -B "$wcons" \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-mingw-w64.cmake" \
    -DCMAKE_PREFIX_PATH="$wstage" -Wno-dev >/dev/null
cmake --build "$wcons" >/dev/null
part "consumer_windows" sh -c 'cd "$1" && "$2" ./consumer.exe && "$2" ./consumer_static.exe' \
    sh "$wcons" "$wine64"
# cmake --install --strip: the stripped DLL still serves the consumer (in bin/, next to it)
cmake --install "$wpkg" --prefix "$work/stripped" --strip >/dev/null
cp "$wcons/consumer.exe" "$work/stripped/bin/"
echo "stripped: mmarray.dll $(stat -c %s "$work/stripped/bin/mmarray.dll") bytes" \
    "(unstripped $(stat -c %s "$wstage/bin/mmarray.dll"))"
part "consumer with the stripped DLL" sh -c 'cd "$1" && "$2" ./consumer.exe' \
    sh "$work/stripped/bin" "$wine64"

# ---- 6. numpy <-> Windows --------------------------------------------------------------
step "numpy (Linux) <-> mmarray.dll (Wine): fixtures, read, write, byte identity"
py=$venv/bin/python
fx=$work/fx
winpath() { printf 'Z:%s' "${1//\//\\}"; }
"$py" c_tests/numpy_cross.py fixtures "$fx"
part "Windows reads numpy's files" "$wine64" "$wct/test_numpy_cross.exe" read \
    "$(winpath "$fx")" >"$work/read.txt"
tail -1 "$work/read.txt"
part "numpy compares what Windows read" "$py" c_tests/numpy_cross.py check-read "$fx" \
    "$work/read.txt"
part "Windows writes .npy/.npz" "$wine64" "$wct/test_numpy_cross.exe" write "$(winpath "$fx")"
part "numpy checks what Windows wrote" "$py" c_tests/numpy_cross.py check-written "$fx"

# ---- 7. the Go and Zig bindings for Windows, their tests under Wine ----------------------
# Tests that need numpy (the Linux oracle) or what Windows lacks skip with a NOT RUN
# line saying why; the lists of what runs and what does not are in README (Windows).
wine_dll_path=$(winpath "$wstage/bin") # mmarray.dll for the test programs
if ! command -v go >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing with apt-get: golang-go"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q && apt-get install -y -q --no-install-recommends golang-go
    fi
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m ziglang version 2>/dev/null | grep -qx 0.15.2 ||
    "$venv/bin/python" -m pip install -q --disable-pip-version-check ziglang==0.15.2
# bindings_summary LOG: each test's verdict, and why one did not run (Go: the NOT RUN line
# comes with the test's --- SKIP line; Zig: on the test's own N/M line)
bindings_summary() {
    grep -aE '^--- |^[0-9]+/[0-9]+ |NOT RUN|^[0-9]+ passed;|^(PASS|FAIL)$' "$1" || true
}
go_windows() {
    local out=$work/go-win t0
    t0=$(date +%s)
    mkdir -p "$out"
    if ! command -v go >/dev/null 2>&1; then
        echo "go is missing (apt-get install golang-go) and this is not root" >&2
        return 1
    fi
    # cgo with MinGW; pkg-config only sees the Windows package (Libs: -lmmarray, which
    # MinGW's linker takes from libmmarray.dll.a). A Go build cache of this run's own
    # (~8 s more): Go's does not notice a changed mmarray.h (scripts/test_install.sh says why)
    (cd bindings/go && export GOCACHE="$out/go-cache" GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$mingw-gcc" \
        PKG_CONFIG_PATH="$wstage/lib/pkgconfig" PKG_CONFIG_LIBDIR="$wstage/lib/pkgconfig" &&
        go vet . && go test -c -o "$out/mmarray.test.exe" .) || return 1
    echo "go: built bindings/go's tests for Windows ($(($(date +%s) - t0))s)"
    # -test.short: TestCloseRacingGetters' 200 rounds instead of 2000 (18 s under Wine)
    local rc=0
    (cd "$out" && WINEPATH="$wine_dll_path" "$wine64" ./mmarray.test.exe -test.v -test.short \
        -test.count=1 -test.timeout=300s) >"$out/log" 2>&1 || rc=$?
    [ $rc = 0 ] || cat "$out/log"
    bindings_summary "$out/log"
    echo "go under Wine: exit $rc, $(($(date +%s) - t0))s in all"
    return $rc
}
zig_windows() {
    local out=$work/zig-win zlib=$build/win-zig-lib t0 rc=0
    t0=$(date +%s)
    mkdir -p "$out" "$zlib"
    # Zig looks for mmarray.dll, mmarray.lib or libmmarray.a (the static library would need
    # Rust's own runtime libraries): the import library under the MSVC-style name, in a
    # directory that stays put so that Zig's cache serves the next run.
    ln -sfn "$wstage/lib/libmmarray.dll.a" "$zlib/mmarray.lib"
    ZIG_GLOBAL_CACHE_DIR="$build/zig-cache" "$venv/bin/python" -m ziglang build test-exe \
        --cache-dir "$build/zig-local-cache" --prefix "$out" -Dtarget=x86_64-windows-gnu \
        -Dmmarray-include="$wstage/include" -Dmmarray-lib="$zlib" -Dmmarray-rpath=false || return 1
    echo "zig: built the module's tests and the README example for Windows ($(($(date +%s) - t0))s)"
    # The README example is built, not run: it names POSIX paths ("/nonexistent/x.f8").
    (cd "$out" && WINEPATH="$wine_dll_path" "$wine64" bin/mmarray-test.exe) >"$out/log" 2>&1 || rc=$?
    [ $rc = 0 ] || cat "$out/log"
    bindings_summary "$out/log"
    echo "zig under Wine: exit $rc, $(($(date +%s) - t0))s in all"
    return $rc
}
step "bindings/go for Windows (cgo, MinGW), its tests under $wine64"
part "Go binding for Windows under Wine" go_windows
step "the Zig package for Windows (zig build test-exe -Dtarget=x86_64-windows-gnu), its tests under $wine64"
part "Zig binding for Windows under Wine" zig_windows

# ---- 8. macOS: type-checked only ---------------------------------------------------------
for t in "${apple[@]}"; do
    step "cargo check + clippy -D warnings --target $t (type-checked, not tested)"
    part "cargo check $t" cargo check "${locked[@]}" --target "$t" --lib --bins
    part "cargo clippy $t" cargo clippy "${locked[@]}" --target "$t" --lib --bins -- -D warnings
done

wall=$(($(date +%s) - t_start))
if [ "${#failed[@]}" -gt 0 ]; then
    printf '\nwindows stage: FAILED (wall time %ss):\n' "$wall"
    printf '  %s\n' "${failed[@]}"
    exit 1
fi
printf '\nwindows stage: ok, wall time %ss\n' "$wall"
