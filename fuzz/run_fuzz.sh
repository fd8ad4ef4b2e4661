#!/bin/sh
# Runs every fuzz target one after another, one process each (-jobs=1), for SECONDS each
# (default 30: the smoke run CI makes), and prints each target's exec count: the
# reliability targets (parsers, view bounds, handle sequences) and the .npy header
# parser and the .npz archive reader; each is seeded from fuzz/seeds/TARGET/ when that exists.
# Needs nightly and cargo-fuzz:  rustup toolchain install nightly; cargo install cargo-fuzz
#   fuzz/run_fuzz.sh        # 30-second smoke of each target
#   fuzz/run_fuzz.sh 600    # the 10-minute runs RELIABILITY.md reports
set -eu
SECONDS_EACH=${1:-30}
cd "$(dirname "$0")"
# The targets' scratch files (fuzz_npz's directory above all, which a target killed at
# its time limit never removes) go into a temporary directory of this run's, removed at
# the end, not into /tmp itself.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export TMPDIR="$scratch"
cargo +nightly fuzz build -O >/dev/null 2>&1 ||
    cargo +nightly fuzz build -O
status=0
for target in fuzz_parsers fuzz_view_bounds fuzz_handles npy_header fuzz_npz; do
    log=$(mktemp)
    seeds=
    [ -d "seeds/$target" ] && seeds="seeds/$target"
    mkdir -p "corpus/$target"
    # shellcheck disable=SC2086
    if cargo +nightly fuzz run -O "$target" "corpus/$target" $seeds -- \
        -max_total_time="$SECONDS_EACH" -jobs=1 \
        -print_final_stats=1 >"$log" 2>&1 && cat fuzz-0.log >>"$log" 2>/dev/null; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
        echo "$target: ok, ${execs:-?} execs in ${SECONDS_EACH}s"
    else
        echo "$target: FAILED (log follows)"
        cat fuzz-0.log >>"$log" 2>/dev/null || true
        tail -60 "$log"
        status=1
    fi
    rm -f "$log" fuzz-0.log
done
exit $status
