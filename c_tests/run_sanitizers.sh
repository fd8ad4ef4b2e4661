#!/bin/sh
# The C tests built with -fsanitize=address,undefined against the release library, then
# the reliability C tests under valgrind memcheck (no errors, no leaks).
#   c_tests/run_sanitizers.sh [STRESS_SECONDS]     (default 2)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-2}
cargo build --release --quiet
ln -sf libmmarray.so target/release/libmmarray.so.0
out=target/sanitizers
mkdir -p "$out"
link="-Ltarget/release -lmmarray -Wl,-rpath,$PWD/target/release"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The stress test's /proc/self/maps total changes with the sanitizer's own mappings.
export MM_STRESS_SKIP_MAPS_TOTAL=1
n=0
ubsan="-fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
for src in c_tests/test_*.c; do
    name=$(basename "$src" .c)
    flags=$san
    what="asan+ubsan"
    libs=$link
    case $name in
        # Not standalone tests of this system: the Windows stage (scripts/test_windows.sh)
        # builds them with MinGW and runs them under Wine (test_numpy_cross between two
        # numpy steps that make and check its files).
        test_windows | test_win_handle | test_numpy_cross)
            echo "not here: $name (Windows stage, under Wine)"
            continue ;;
        # ASan intercepts mlock and makes it a no-op, so mm_lock's checks cannot hold there.
        test_controls) flags=$ubsan; what="ubsan (ASan ignores mlock)" ;;
        # GCC's ASan runtime overflows its own stack bookkeeping when a cancelled thread
        # exits (in __interceptor_sigaltstack under AsanThread::Destroy, no library frame).
        test_cancel | test_cancel_free) flags=$ubsan; what="ubsan (ASan cannot run cancelled threads)" ;;
        # GCC's ASan allocator takes no lock around fork(): a child forked while another
        # thread allocates waits forever for its mutex (seen in gdb: in asan_malloc,
        # called by the library's first allocation in the child). glibc's malloc is
        # fork-safe, and so is the library (its own lock is held across fork).
        test_fork) flags=$ubsan; what="ubsan (ASan's allocator is not fork-safe)" ;;
        # links the static library and dlopens the shared one
        test_two_copies)
            libs="target/release/libmmarray.a -ldl -lm"
            flags="$san -DMMARRAY_SHARED_LIBRARY=\"$PWD/target/release/libmmarray.so\"" ;;
    esac
    # shellcheck disable=SC2086
    gcc -std=c11 -Wall -Wextra -pthread $flags -Iinclude -Ic_tests "$src" $libs -o "$out/$name"
    case $name in
        test_stress) "$out/$name" "$secs" ;;
        *) "$out/$name" >"$out/$name.log" 2>&1 || { cat "$out/$name.log"; exit 1; } ;;
    esac
    echo "$what: $name ok"
    n=$((n + 1))
done
if [ -f c_tests/test_cpp.cpp ]; then
    # shellcheck disable=SC2086
    g++ -std=c++17 -Wall -Wextra -pthread $san -Iinclude -Ic_tests c_tests/test_cpp.cpp $link -o "$out/test_cpp"
    "$out/test_cpp" >"$out/test_cpp.log" 2>&1 || { cat "$out/test_cpp.log"; exit 1; }
    echo "asan+ubsan: test_cpp ok"
    n=$((n + 1))
fi
echo "sanitizers: $n C/C++ test programs passed"
# valgrind memcheck on the reliability tests (plain builds: valgrind and ASan exclude each other)
for name in test_bad_input test_stress; do
    gcc -std=c11 -Wall -Wextra -Werror -pthread -g -O1 -Iinclude "c_tests/$name.c" $link -o "$out/$name.vg"
done
vg="valgrind --tool=memcheck --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet"
$vg "$out/test_bad_input.vg"
$vg "$out/test_stress.vg" 1
echo "valgrind memcheck: test_bad_input and test_stress clean"
