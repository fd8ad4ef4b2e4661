#!/usr/bin/env bash
# The Rust side of the Windows stage: cross-builds the library for
# x86_64-pc-windows-gnu (mmarray.dll, libmmarray.dll.a, libmmarray.a) and runs, under
# wine64, the library's unit tests and the integration tests that are portable
# (tests/windows.rs and tests/windows_api.rs for the C API on Windows,
# tests/windows_handle.rs for mm_open_handle). Prints its wall time.
#
# Needs: the rustup target x86_64-pc-windows-gnu, gcc-mingw-w64-x86-64 and wine64
# (Debian 12: Wine 8.0). Uses CARGO_TARGET_DIR (default: target) and a Wine prefix of
# its own under it (MMARRAY_WINEPREFIX to choose another), created on first use (~30 s).
#
# Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng), which Rust's std imports; when the
# prefix has none, the stand-in of scripts/wine/bcryptprimitives.c is built with MinGW
# and put in the prefix's system32 (never shipped: Windows 10+ has the real one).
set -euo pipefail
start=$(date +%s)
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
target=x86_64-pc-windows-gnu
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$here/target}

wine=$(command -v wine64 || true)
[ -n "$wine" ] || [ ! -x /usr/lib/wine/wine64 ] || wine=/usr/lib/wine/wine64
if [ -z "$wine" ]; then
    echo "test_windows_rust: wine64 not found (apt-get install wine64)" >&2
    exit 1
fi
command -v x86_64-w64-mingw32-gcc >/dev/null || {
    echo "test_windows_rust: x86_64-w64-mingw32-gcc not found (apt-get install gcc-mingw-w64-x86-64)" >&2
    exit 1
}
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target"

export WINEPREFIX=${MMARRAY_WINEPREFIX:-$CARGO_TARGET_DIR/wine-prefix}
export WINEDEBUG=${WINEDEBUG:--all}
mkdir -p "$WINEPREFIX"
# Run on its own (not from scripts/test_windows.sh, which gives its whole stage a
# temporary directory): Wine's server directory and the empty ccXXXXXX files of
# binutils' dlltool (run by rustc for a Windows build) go into a temporary directory of
# this run's, not /tmp; the prefix's wineserver is stopped before it is removed.
if [ -z "${MMARRAY_WINEPREFIX:-}" ]; then
    run_tmp=$(mktemp -d "$CARGO_TARGET_DIR/wine-tmp.XXXXXX")
    export TMPDIR=$run_tmp
    trap '{ command -v wineserver >/dev/null && wineserver -k; } >/dev/null 2>&1; rm -rf "$run_tmp"' EXIT
fi
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
    "$wine" wineboot --init >/dev/null 2>&1 || true
    # wineboot returns before the prefix is written out; wait for its server.
    command -v wineserver >/dev/null && wineserver -w || true
fi
sys32=$WINEPREFIX/drive_c/windows/system32
if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
    x86_64-w64-mingw32-gcc -O2 -shared -Wl,--kill-at -o "$sys32/bcryptprimitives.dll" \
        scripts/wine/bcryptprimitives.c -ladvapi32
fi

echo "== cross build (cargo build --release --lib --target $target)"
nice -n 10 cargo build --release --lib --target "$target"
out=$CARGO_TARGET_DIR/$target/release
for f in mmarray.dll libmmarray.dll.a libmmarray.a; do
    [ -s "$out/$f" ] || { echo "test_windows_rust: $out/$f missing" >&2; exit 1; }
done
echo "built: $out/{mmarray.dll,libmmarray.dll.a,libmmarray.a}"

echo "== unit and portable integration tests under $("$wine" --version 2>/dev/null || echo wine)"
# The integration tests not listed need fork, signals, mounts, rlimits, FIFOs or POSIX
# permissions (see docs/c-api.md#platforms).
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$wine nice -n 10 cargo test --release \
    --target "$target" --lib \
    --test windows --test windows_api --test windows_handle --test core_npz --test describe --test guard_scan \
    --test header --test module_graph --test binding_coverage

echo "test_windows_rust: passed in $(( $(date +%s) - start )) s"
