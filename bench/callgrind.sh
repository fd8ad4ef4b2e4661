#!/usr/bin/env bash
# Instructions per call of the hot C calls, counted by callgrind (repeatable, unlike
# timings on a shared machine): each operation runs N1 and N2 times under
# `valgrind --tool=callgrind`; (Ir(N2) - Ir(N1)) / (N2 - N1) is one call.
#
#   bash bench/callgrind.sh [LIBDIR]    LIBDIR holds libmmarray.so (default: the
#                                       release build of $CARGO_TARGET_DIR or target/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rel=${1:-${CARGO_TARGET_DIR:-$root/target}/release}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-cg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ln -sf libmmarray.so "$rel/libmmarray.so.0"
gcc -O2 -std=gnu11 -Wall -Wextra -I"$root/include" "$root/bench/callgrind.c" \
    -L"$rel" -lmmarray -Wl,-rpath,"$rel" -o "$tmp/driver"
truncate -s 64K "$tmp/a.f8"
n1=1000
n2=3000
ir() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$tmp/driver" "$tmp/a.f8" "$1" "$2" \
        >/dev/null 2>"$tmp/cg.err" || { cat "$tmp/cg.err" >&2; exit 1; }
    sed -n 's/^summary: //p' "$tmp/cg.out"
}
printf '%-20s %s\n' call instructions
for op in data ndim nbytes shape bad_handle read_at_4k slice_close view_close open_close; do
    a=$(ir "$op" $n1)
    b=$(ir "$op" $n2)
    case $op in
        bad_handle) name='mm_data(bad-handle)' ;;
        read_at_4k) name='mm_read_at(4KiB)' ;;
        slice_close) name='mm_slice+mm_close' ;;
        view_close) name='mm_view+mm_close' ;;
        open_close) name='mm_open+mm_close' ;;
        *) name=mm_$op ;;
    esac
    printf '%-20s %s\n' "$name" "$(( (b - a) / (n2 - n1) ))"
done
