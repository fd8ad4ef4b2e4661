#!/usr/bin/env bash
# mmarray benchmark suite: builds in release mode, runs every benchmark of bench/README.md with
# mmarray and its baselines (raw POSIX in C in the same binary, memmap2 from Rust,
# numpy.memmap), and writes bench/RESULTS.md.
#
#   bash bench/run.sh           full run (2 GiB files; about 10 minutes; needs ~5 GiB free)
#   bash bench/run.sh --quick   tiny sizes, only to keep the suite from rotting (CI);
#                               writes target/bench/RESULTS-quick.md, never RESULTS.md
#
# Timings are never pass/fail. Large files live in a temporary directory under
# ${TMPDIR:-/tmp} that is removed at exit.
set -euo pipefail

quick=
if [ "${1:-}" = "--quick" ]; then quick=--quick; fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== building (release)" >&2
cargo build --release --quiet --lib --example bench_memmap2 --bin mmarray
# cargo builds into $CARGO_TARGET_DIR when it is set.
rel="${CARGO_TARGET_DIR:-$root/target}/release"
# The library's SONAME is libmmarray.so.0; a cargo build does not make that link.
ln -sf libmmarray.so "$rel/libmmarray.so.0"
mkdir -p "$root/target/bench"
bench_c="$root/target/bench/bench_c"
# Row 12's floor: a trivial function in a shared library of its own, called like mm_data.
gcc -O2 -shared -fPIC -o "$root/target/bench/libbench_trivial.so" "$root/bench/trivial.c"
gcc -O2 -march=native -std=gnu11 -Wall -Wextra -I"$root/include" "$root/bench/bench.c" \
    -L"$rel" -L"$root/target/bench" -lmmarray -lbench_trivial -lpthread \
    -Wl,-rpath,"$rel" -Wl,-rpath,"$root/target/bench" -o "$bench_c"

py="$root/.venv/bin/python"
if ! "$py" -c 'import numpy' 2>/dev/null; then
    echo "== creating .venv with numpy 2.4.6 from PyPI" >&2
    python3 -m venv "$root/.venv" && "$py" -m pip install -q numpy==2.4.6 || true
fi
have_numpy=1
"$py" -c 'import numpy' 2>/dev/null || have_numpy=0
# The report's picture (bench/RESULTS.png) needs matplotlib: the full run installs it in
# .venv; --quick only uses it when it is there (the report is written either way).
if [ -z "$quick" ] && ! "$py" -c 'import matplotlib' 2>/dev/null; then
    echo "== installing matplotlib 3.11.2 in .venv (the report's picture)" >&2
    "$py" -m pip install -q matplotlib==3.11.2 || true
fi
report_py=python3
"$py" -c 'import matplotlib' 2>/dev/null && report_py="$py"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
results="$tmp/results.txt"
: > "$results"

need_kb=$((5 * 1024 * 1024))
avail_kb=$(df -Pk "$tmp" | awk 'NR==2 {print $4}')
if [ -z "$quick" ] && [ "$avail_kb" -lt "$need_kb" ]; then
    echo "bench: $tmp has $((avail_kb / 1024)) MiB free; the full run needs 5 GiB" >&2
    exit 1
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
many=20000; [ -n "$quick" ] && many=400
mkdir -p "$tmp/many"
python3 - "$tmp/many" "$many" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
block = bytes(4096)
for i in range(n):
    with open(os.path.join(d, f"{i}.f8"), "wb") as f:
        f.write(block)
PY

run() { echo "== $*" >&2; "$@" | tee -a "$results" >&2; }

# Rows 1, 2, 3, 8: C and mmarray interleaved sample by sample in bench_c; then the
# memmap2 and numpy baselines on the same file, right after.
run "$bench_c" "$tmp" "${quick:-full}" 1238
# Rows 10, 11: the floor of a call into a shared library; one shared handle from 1, 2,
# nproc and 8 threads.
run "$bench_c" "$tmp" "${quick:-full}" fs
run "$rel/examples/bench_memmap2" "$tmp" "${quick:-full}" 1
[ $have_numpy = 1 ] && run "$py" bench/numpy_bench.py "$tmp" "${quick:-full}" 13
# Rows 4, 5: bench_c writes the 2 GiB file (write(2) + fsync: it stays in the page
# cache), then C and mmarray alternate; memmap2 reads the same hot file.
run "$bench_c" "$tmp" "${quick:-full}" 45
run "$rel/examples/bench_memmap2" "$tmp" "${quick:-full}" 45
rm -f "$tmp/sum.f8"
# Row 6: create + fill + flush, each program in turn.
run "$bench_c" "$tmp" "${quick:-full}" 6
run "$rel/examples/bench_memmap2" "$tmp" "${quick:-full}" 6
[ $have_numpy = 1 ] && run "$py" bench/numpy_bench.py "$tmp" "${quick:-full}" 6
# Row 7: range flush against full flush of one mapping.
run "$bench_c" "$tmp" "${quick:-full}" 7
# Row 9: many arrays under ulimit -n 256; row 9b: 10^5 arrays open at once.
run "$bench_c" "$tmp" "${quick:-full}" 9m
[ $have_numpy = 1 ] && run "$py" bench/numpy_bench.py "$tmp" "${quick:-full}" 9
# Row 10: mm_npy_append against raw open+pwrite+close of the same bytes (1 KiB rows and
# 1 MiB chunks; on a new file and on a 10 GiB sparse one).
run "$bench_c" "$tmp" "${quick:-full}" A
[ $have_numpy = 1 ] && run "$py" bench/numpy_bench.py "$tmp" "${quick:-full}" A
# Row 13: .npz members (stored: mapped; deflated: inflated) against mm_open_npy and np.load.
[ $have_numpy = 1 ] && MMARRAY_LIB="$rel/libmmarray.so" run "$py" bench/npz_bench.py "$tmp" "${quick:-full}"
# Row 14: the mmarray command-line tool (info, stats, convert C->F) against numpy's
# one-liners and, for stats, the C sum of the same file.
[ $have_numpy = 1 ] && run "$py" bench/cli_bench.py "$rel/mmarray" "$tmp" "${quick:-full}"
# Row 15: mm_save_npy (kernel copy of a contiguous view; a strided view in blocks)
# against cp + fsync of the same bytes and np.save + fsync of the same view of a memmap.
[ $have_numpy = 1 ] && MMARRAY_LIB="$rel/libmmarray.so" run "$py" bench/save_bench.py "$tmp" "${quick:-full}"
# Instructions per call under callgrind (deterministic, unlike the timings): when
# valgrind is installed.
callgrind_out="$tmp/callgrind.txt"
if command -v valgrind >/dev/null; then
    echo "== bash bench/callgrind.sh $rel" >&2
    bash bench/callgrind.sh "$rel" > "$callgrind_out" || : > "$callgrind_out"
else
    : > "$callgrind_out"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# The raw R/N lines, kept so that the report can be drawn again without a new run:
#   python3 bench/report.py target/bench/results-full.txt OUT.md ...
kind=full
[ -n "$quick" ] && kind=quick
cp "$results" "$root/target/bench/results-$kind.txt"

out="$root/bench/RESULTS.md"
[ -n "$quick" ] && out="$root/target/bench/RESULTS-quick.md"
numpy_version=$([ $have_numpy = 1 ] && "$py" -c 'import numpy; print(numpy.__version__)' || echo "not available")
"$report_py" bench/report.py "$results" "$out" \
    "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
    "cores=$(nproc)" \
    "memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)" \
    "kernel=$(uname -sr)" \
    "filesystem=$(findmnt -n -o FSTYPE -T "$tmp") on $(findmnt -n -o SOURCE -T "$tmp"), mounted at $(findmnt -n -o TARGET -T "$tmp")" \
    "thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo n/a)" \
    "load_before=$load_before" "load_after=$load_after" \
    "rustc=$(rustc --version)" "gcc=$(gcc --version | head -1)" "numpy=$numpy_version" \
    "mode=${quick:-full}" "date=$(date -u '+%Y-%m-%d %H:%M UTC')" "callgrind=$callgrind_out" \
    "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== wrote $out" >&2
