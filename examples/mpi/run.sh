#!/usr/bin/env bash
# Builds and runs the MPI examples against an installed mmarray, 4 ranks on this node:
#   examples/mpi/run.sh PREFIX PYTHON      (PYTHON: a python with numpy, the oracle)
# needs mpicc, mpif90 and mpirun (Debian: openmpi-bin libopenmpi-dev). Each mpirun is
# bounded (MMARRAY_MPI_TIMEOUT seconds, 120 by default); any wrong element, a failed
# call or a timeout exits non-zero with a message saying which.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
prefix=$(cd "$1" && pwd)
python=$2
limit=${MMARRAY_MPI_TIMEOUT:-120}
work=$(mktemp -d "${TMPDIR:-/tmp}/mmarray-mpi-XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ "$(id -u)" -eq 0 ]; then # OpenMPI refuses root without both of these
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
run() { # run NAME ARGS...: mpirun with 4 ranks, bounded, output kept for the checks
  local name=$1; shift
  echo "\$ mpirun --oversubscribe -np 4 $(basename "$1") ${*:2}"
  if ! timeout "$limit" mpirun --oversubscribe -np 4 "$@" >"$work/$name.out" 2>&1; then
    cat "$work/$name.out"; echo "mpi: $name failed or took over ${limit}s" >&2; exit 1
  fi
  sort "$work/$name.out" | grep -E '^rank [0-9]+:' || true
}
cd "$work"
# The library is found through its pkg-config file, loaded through an rpath to PREFIX.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags=$(pkg-config --cflags --libs mmarray)
# shellcheck disable=SC2086
mpicc -std=c99 -Wall -Wextra -Werror "$here/mpi_write.c" $flags -Wl,-rpath,"$prefix/lib" -o mpi_write
# shellcheck disable=SC2086
mpicc -std=c99 -Wall -Wextra -Werror "$here/mpi_read.c" $flags -Wl,-rpath,"$prefix/lib" -o mpi_read
mpif90 -I"$root/bindings/fortran" -c "$root/bindings/fortran/mmarray.f90"
mpif90 -Wall -Werror "$here/mpi_write.f90" mmarray.o -L"$prefix/lib" -lmmarray \
  -Wl,-rpath,"$prefix/lib" -o mpi_write_f

# 1. C: rank 0 creates, every rank writes its rows, rank 0 checks; then numpy checks.
run write_c ./mpi_write "$work/c.npy" 1000 512
grep -qx "rank 0: checked 512000 elements written by 4 ranks: ok" "$work/write_c.out"
"$python" - "$work/c.npy" <<'PY'
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.dtype == np.dtype("<f8") and a.shape == (1000, 512), (a.dtype, a.shape)
assert not np.isfortran(a)
assert np.array_equal(a, np.arange(1000 * 512, dtype="<f8").reshape(1000, 512)), "wrong values"
print("numpy: c.npy is arange(512000).reshape(1000, 512): ok")
PY

# 2. Fortran: the same with an F-order file split by columns.
run write_f ./mpi_write_f "$work/f.npy"
grep -qx "rank 0: checked 512000 elements written by 4 ranks: ok" "$work/write_f.out"
"$python" - "$work/f.npy" <<'PY'
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.dtype == np.dtype("<f8") and a.shape == (512, 1000), (a.dtype, a.shape)
assert np.isfortran(a)
assert np.array_equal(a, np.arange(512000, dtype="<f8").reshape((512, 1000), order="F")), "wrong values"
print("numpy: f.npy is arange(512000).reshape((512, 1000), order='F'): ok")
PY

# 3. C: numpy writes, every rank reads its rows.
"$python" -c 'import sys, numpy as np; np.save(sys.argv[1], np.arange(999 * 77, dtype="<i8").reshape(999, 77))' \
  "$work/in.npy"
run read_c ./mpi_read "$work/in.npy"
grep -qx "rank 0: 4 slabs sum to $((999 * 77 * (999 * 77 - 1) / 2)), expected $((999 * 77 * (999 * 77 - 1) / 2)): ok" \
  "$work/read_c.out"
[ "$(grep -c '): sum [0-9]*, ok$' "$work/read_c.out")" = 4 ]
echo "mpi: all examples passed"
