#!/usr/bin/env bash
# The reliability suite (RELIABILITY.md) beyond `cargo test --release` (which already runs
# tests/bad_input.rs, guarded*.rs, crash.rs, hygiene.rs, full_disk.rs, wplus_symlink.rs).
#
#   scripts/reliability.sh          CI part (~4 min cold): C bad-input matrix, 3 s C
#                                   stress, ASan+UBSan + valgrind, loom model of the
#                                   registry, 3 s stress under ThreadSanitizer (nightly +
#                                   rust-src, which it adds with rustup when missing),
#                                   Miri on the core's unit tests that make no OS call
#                                   (nightly + miri, added with rustup when missing; ~3 min)
#   scripts/reliability.sh --full   also: 10 s stress and TSan, 30 s fuzz smoke of each
#                                   target (nightly + cargo-fuzz)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
full=0
[ "${1:-}" = "--full" ] && full=1
step() { printf '\n== %s\n' "$*"; }

step "C bad-input matrix"
c_tests/run_bad_input.sh
step "C concurrency stress"
c_tests/run_stress.sh "$([ $full = 1 ] && echo 10 || echo 3)"
step "ASan+UBSan on every C/C++ test, valgrind memcheck on the reliability tests"
c_tests/run_sanitizers.sh 2
step "loom models of the handle registry and the sharded count"
CARGO_TARGET_DIR="$root/target/loom" RUSTFLAGS="--cfg loom" \
    cargo test --quiet --release --lib loom_model
step "ThreadSanitizer (C stress test; library and std instrumented, nightly -Zbuild-std)"
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
    echo "installing rust-src for the nightly toolchain (rustup component add rust-src --toolchain nightly)"
    rustup component add rust-src --toolchain nightly
fi
c_tests/run_tsan.sh "$([ $full = 1 ] && echo 10 || echo 3)"
step "Miri: the core's unit tests that make no system call (layout, dtype, records, literals, registry, shared count, a view's dimensions, the spare of file-name buffers)"
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^miri'; then
    echo "installing miri for the nightly toolchain (rustup component add miri --toolchain nightly)"
    rustup component add miri --toolchain nightly
fi
# These tests touch no file, mapping or descriptor: Miri runs them with its isolation on
# and checks every unsafe operation, the registry's atomics and its threads included.
# (odd_inputs_do_not_panic, thousands of generated texts; the dtype tables checked
# against numpy's answers (accepted, rejected, refused, round trips: about 4 minutes
# interpreted, 240 of the stage's seconds, over safe parsing code; the table of short
# texts, the one unsafe part of dtype, keeps its own two tests here); and the layout
# tests that hold a fast path against the general rules over many cases of safe
# arithmetic, from 11 550 to over 500 000, take too long interpreted and have no unsafe
# code for Miri to check: the release test run has them.)
CARGO_TARGET_DIR="$root/target/miri" cargo +nightly miri test --quiet --lib -- \
    layout:: registry:: pyliteral:: dtype:: shared_count:: \
    view::tests::zeroed_dims_are_zero view::tests::contiguous_dims_are_layouts_strides \
    mapping::filename::tests::a_given_back_name_buffer_is_the_next_one \
    mapping::filename::tests::threads_make_and_give_back_names \
    --skip dtype::tests::odd_inputs_do_not_panic \
    --skip dtype::tests::accepted_like_numpy --skip dtype::tests::rejected_like_numpy \
    --skip dtype::tests::refused_texts_are_accepted_by_numpy \
    --skip dtype::tests::typestr_round_trips \
    --skip layout::tests::layout_flags_of_0d_and_1d_views_are_the_general_rules \
    --skip layout::tests::layout_flags_are_the_general_rules \
    --skip layout::tests::slice_span_is_slice_indices
if [ $full = 1 ]; then
    step "fuzz smoke"
    fuzz/run_fuzz.sh 30
fi
step "reliability suite passed"
